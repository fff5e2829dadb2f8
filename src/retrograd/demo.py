"""``python -m retrograd.demo``: a short tour of retrograd, printed as it runs.

1. The README's first program: gradients accumulate across backward calls with retain_graph.
2. Its twin without retain_graph: the second backward fails, and the error says why.
3. A second derivative through create_graph=True.
4. A tiny model fitted by plain gradient descent, zeroing the gradients between steps.
5. Why is my gradient None?  A graph cut by detach(), and how to see it.
6. Why does memory grow?  A loss summed across steps, found by the leak detector.
After 1, the same program's graph is drawn before and after backward(), with what each node keeps
(``retrograd.viz``), as PNG files when Graphviz is installed (their paths are printed), else as
DOT text files.
"""

import os
import warnings

import retrograd as torch

# Where the pictures go: ./build/demo, from where the demo runs (``make demo``: the checkout).
OUT_DIR = os.path.join("build", "demo")


def section(title: str) -> None:
    print(f"\n== {title}")


def readme_program() -> None:
    section("1. The README program: gradients accumulate")
    w = torch.tensor([1.0], requires_grad=True)
    x = torch.tensor([2.0], requires_grad=True)
    a = torch.add(w, x)
    b = torch.add(w, 1)
    y = torch.mul(a, b)
    print("y =", y)
    y.backward(retain_graph=True)
    print("after the first backward:  w.grad =", w.grad)
    y.backward()
    print("after the second backward: w.grad =", w.grad, "(added, not replaced)")


def failing_twin() -> None:
    section("2. The same program without retain_graph")
    w = torch.tensor([1.0], requires_grad=True)
    x = torch.tensor([2.0], requires_grad=True)
    y = torch.mul(torch.add(w, x), torch.add(w, 1))
    y.backward()
    print("first backward: w.grad =", w.grad, "- the saved tensors are freed as it runs")
    try:
        y.backward()
    except RuntimeError as err:
        print("second backward raised RuntimeError:")
        print("   ", str(err).replace("\n", "\n    "))


def second_derivative() -> None:
    section("3. A second derivative with create_graph=True")
    x = torch.tensor(2.0, requires_grad=True)
    y = x**3
    (dy,) = torch.autograd.grad(y, x, create_graph=True)
    (d2y,) = torch.autograd.grad(dy, x)
    print(f"y = x**3 at x = 2:  dy/dx = {dy.item():g} (3x^2),  d2y/dx2 = {d2y.item():g} (6x)")


def fit_line(steps: int = 60, lr: float = 0.1) -> None:
    section("4. Fitting y = 3x - 1 by gradient descent")
    torch.manual_seed(0)
    x = torch.linspace(-1, 1, 32).unsqueeze(1)
    y = 3 * x - 1 + 0.05 * torch.randn(32, 1)
    w = torch.zeros(1, 1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    for step in range(steps):
        loss = ((x.matmul(w) + b - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
        if step % 10 == 0 or step == steps - 1:
            print(f"step {step:3d}  loss {loss.item():.5f}")
    print(f"fitted w = {w.item():.3f}, b = {b.item():.3f}")


def draw_graph(out_dir: str = OUT_DIR) -> list:
    """Draw the README program's graph before and after backward(); returns the files written."""
    section("1b. The README program's graph, before and after backward()")
    w = torch.tensor([1.0], requires_grad=True)
    x = torch.tensor([2.0], requires_grad=True)
    y = torch.mul(torch.add(w, x), torch.add(w, 1))
    params = {"w": w, "x": x}
    written = [save_picture(torch.viz.draw(y, params=params), out_dir, "readme_graph_before")]
    print(torch.viz.memory_report(y))
    y.backward()
    print(
        "after backward(): the saved tensors are freed (drawn dashed, with the line that freed them)"
    )
    written.append(save_picture(torch.viz.draw(y, params=params), out_dir, "readme_graph_after"))
    print(torch.viz.memory_report(y))
    return written


def save_picture(dot, out_dir: str, name: str) -> str:
    """``out_dir/name.png`` with Graphviz; without it, the DOT text in ``out_dir/name.dot``."""
    os.makedirs(out_dir, exist_ok=True)
    base = os.path.join(out_dir, name)
    try:
        path = dot.render(base, format="png")
    except RuntimeError:  # no Graphviz: render() wrote the DOT text, and says how to draw it
        path = base + ".dot"
        print(f"Graphviz's `dot` is not installed: wrote the DOT text to {os.path.abspath(path)}")
        print("  (draw it with `dot -Tpng " + path + " -o " + base + ".png`)")
        return path
    print(f"wrote {os.path.abspath(path)}")
    return path


def why_is_my_gradient_none() -> None:
    section("5. Why is my gradient None?")
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor(0.5, requires_grad=True)
    h = (w * 2).detach()  # the graph is cut here: h has no history
    loss = (h * 3 + b).sum()
    loss.backward()
    print("w.grad =", w.grad, "  b.grad =", b.grad)
    if hasattr(torch.autograd, "explain"):
        print(torch.autograd.explain(loss, w))
    print("viz.draw(loss, params={'w': w, 'b': b}) draws w apart, in red: no path reaches it")
    save_picture(torch.viz.draw(loss, params={"w": w, "b": b}), OUT_DIR, "gradient_none")
    try:
        ((w * 2).detach() * 3).sum().backward()  # with no other path, backward() raises
    except RuntimeError as err:
        print("without b, backward() raises:", err)
    w.grad = None
    loss = (w * 2 * 3 + b).sum()  # the fix: no detach() between w and the loss
    loss.backward()
    print("fixed: w.grad =", w.grad)


def why_does_memory_grow() -> None:
    section("6. Why does memory grow?")
    torch.manual_seed(0)
    model = torch.nn.Linear(4, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(32, 4), torch.randn(32, 1)
    total_loss = 0
    with warnings.catch_warnings(record=True) as caught, torch.autograd.detect_leaks():
        warnings.simplefilter("always")
        for _ in range(5):
            opt.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            opt.step()
            total_loss += loss  # keeps every step's graph alive
    for w in caught:
        print(f"{os.path.basename(w.filename)}:{w.lineno}: {w.category.__name__}: {w.message}")
    print(torch.viz.memory_report())
    total_loss = 0.0
    with warnings.catch_warnings(record=True) as caught, torch.autograd.detect_leaks():
        warnings.simplefilter("always")
        for _ in range(5):
            opt.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            opt.step()
            total_loss += loss.item()  # the fix: a number, not a tensor
    print(f"fixed: total_loss = {total_loss:.4f}, warnings: {len(caught)}")


def main() -> None:
    readme_program()
    draw_graph()
    failing_twin()
    second_derivative()
    fit_line()
    why_is_my_gradient_none()
    why_does_memory_grow()


if __name__ == "__main__":
    main()
