"""``python -m retrograd.demo``: a short tour of retrograd, printed as it runs.

1. The README's first program: gradients accumulate across backward calls with retain_graph.
2. Its twin without retain_graph: the second backward fails, and the error says why.
3. A second derivative through create_graph=True.
4. A tiny model fitted by plain gradient descent, zeroing the gradients between steps.
After 1, the same program's graph is drawn (Graphviz DOT) before and after backward(), with what
each node keeps (``retrograd.viz``).
"""

import retrograd as torch


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


def draw_graph() -> None:
    section("1b. The README program's graph, before and after backward()")
    w = torch.tensor([1.0], requires_grad=True)
    x = torch.tensor([2.0], requires_grad=True)
    y = torch.mul(torch.add(w, x), torch.add(w, 1))
    params = {"w": w, "x": x}
    print(torch.viz.draw(y, params=params))
    print(torch.viz.memory_report(y))
    y.backward()
    print("after backward(): the saved tensors are freed")
    dot = torch.viz.draw(y, params=params)
    print(dot)
    print(torch.viz.memory_report(y))
    print(getattr(dot, "hint", "render it with DotGraph.render(filename, format='svg')"))


def main() -> None:
    readme_program()
    draw_graph()
    failing_twin()
    second_derivative()
    fit_line()


if __name__ == "__main__":
    main()
