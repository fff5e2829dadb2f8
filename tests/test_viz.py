"""``retrograd.viz``: DOT text of the graph and the memory report (no Graphviz needed)."""

import re

import pytest

import retrograd
from retrograd import viz


def _model():
    w = retrograd.randn(3, 4, requires_grad=True)
    b = retrograd.zeros(4, requires_grad=True)
    x = retrograd.randn(2, 3)
    loss = (x @ w + b).relu().sum()
    return loss, {"weight": w, "bias": b}


def test_draw_names_nodes_leaves_shapes_and_saved_tensors():
    loss, params = _model()
    dot = viz.draw(loss, params=params)
    assert isinstance(dot, str) and dot.startswith("digraph")
    for name in ("SumBackward0", "ReluBackward0", "AddBackward0", "MmBackward0"):
        assert f'[label="{name}"]' in dot
    assert '"weight\\n(3, 4)"' in dot and '"bias\\n(4)"' in dot
    assert dot.count("[label=") >= 8
    # shapes on the edges: the weight edge carries (3, 4), the bias edge (4), the root ()
    ids = {v: k for k, v in re.findall(r'  (n\d+) \[label="(\w+Backward0)"\]', dot)}
    leaf = {v: k for k, v in re.findall(r'  (n\d+) \[label="(\w+)\\n', dot)}
    assert f'{leaf["weight"]} -> {ids["MmBackward0"]} [label="(3, 4)"]' in dot
    assert f'{leaf["bias"]} -> {ids["AddBackward0"]} [label="(4)"]' in dot
    assert f'{ids["SumBackward0"]} -> out0 [label="()"]' in dot
    # inferred through the elementwise ops: mm -> add and add -> relu carry (2, 4)
    assert f'{ids["MmBackward0"]} -> {ids["AddBackward0"]} [label="(2, 4)"]' in dot
    assert f'{ids["AddBackward0"]} -> {ids["ReluBackward0"]} [label="(2, 4)"]' in dot
    assert '"_saved_self\\n(2, 3) torch.float32"' in dot
    assert "_saved_mat2\\n" not in dot  # x needs no gradient: mm keeps only x, as PyTorch's does
    assert '"_saved_result\\n(2, 4) torch.float32"' in dot
    assert "freed" not in dot


def test_saved_tensors_marked_freed_after_backward_unless_retained():
    loss, params = _model()
    loss.backward(retain_graph=True)
    assert "freed" not in viz.draw(loss, params=params)
    loss.backward()  # FREEING-BACKWARD
    dot = viz.draw(loss, params=params)
    # drawn before: what was freed is still named, with its shape and dtype, and who freed it
    where = f"by the backward call at test_viz.py:{_line('# FREEING-BACKWARD')}"
    assert f'"_saved_self\\n(2, 3) torch.float32\\nfreed {where}"' in dot
    assert f'"_saved_result\\n(2, 4) torch.float32\\nfreed {where}"' in dot
    assert "fillcolor=orange" not in dot


def test_graph_never_drawn_before_backward_shows_freed_without_shapes():
    loss, params = _model()
    loss.backward()
    dot = viz.draw(loss, params=params)
    assert '"_saved_self\\nfreed by the backward call at test_viz.py:' in dot
    assert '"_saved_result\\nfreed by the backward call at test_viz.py:' in dot
    assert "(2, 3) torch.float32" not in dot and "(2, 4) torch.float32" not in dot
    assert '"_saved_self_dtype\\ntorch.float32"' in dot  # sum's dtype: kept, as in PyTorch


def test_show_saved_false_and_several_roots():
    a = retrograd.randn(2, requires_grad=True)
    y1, y2 = a.exp(), a * 2
    dot = viz.draw([y1, y2], show_saved=False)
    assert "out0" in dot and "out1" in dot and "_saved" not in dot
    assert dot.count('"AccumulateGrad\\n(2)"') == 1  # one shared leaf node


def test_memory_report_rows_states_and_total():
    loss, _ = _model()
    report = viz.memory_report(loss)
    lines = report.splitlines()
    assert lines[0].split() == ["node", "saved", "shape", "dtype", "bytes", "state"]
    row = next(line for line in lines if "_saved_result" in line)
    assert "ReluBackward0" in row and "(2, 4)" in row and "float32" in row and " 32 " in row
    assert row.rstrip().endswith("live")
    # relu's result (32 bytes) and x (24 bytes) are held only by the graph; w belongs to a leaf
    assert "backward() would free 56 bytes" in report
    loss.backward()  # REPORT-BACKWARD
    report = viz.memory_report(loss)
    assert "backward() would free 0 bytes" in report
    row = next(line for line in report.splitlines() if "_saved_result" in line)
    assert "(2, 4)" in row  # remembered from the first report
    assert row.rstrip().endswith(
        f"freed by the backward call at test_viz.py:{_line('# REPORT-BACKWARD')}"
    )
    # sizes and dtypes outlive a backward pass, as in PyTorch; every array was freed
    arrays = [
        line for line in report.splitlines() if "_saved_" in line and "not an array" not in line
    ]
    assert arrays and all("freed" in line for line in arrays)


def test_render_without_graphviz_writes_dot_and_says_how(tmp_path, monkeypatch):
    monkeypatch.setattr(viz, "_graphviz_available", lambda: False)
    loss, _ = _model()
    dot = viz.draw(loss)
    assert "dot -Tsvg" in dot.hint
    with pytest.raises(RuntimeError, match="dot -Tpng"):
        dot.render(str(tmp_path / "g"), format="png")
    assert (tmp_path / "g.dot").read_text() == dot


def test_exposed_from_the_package():
    assert retrograd.viz is viz


def _line(marker):
    """The line number of this file that holds ``marker`` (not counting this lookup's own lines)."""
    with open(__file__) as f:
        return next(i + 1 for i, text in enumerate(f) if marker in text and "_line(" not in text)


class _Cube(retrograd.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        y = x * x * x
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, _ = ctx.saved_tensors
        return 3 * x * x * g


def test_custom_function_saved_tensors_are_drawn_and_counted():
    x = retrograd.ones(2, 3, requires_grad=True)
    h = x * 2  # not a leaf: its array is held by the custom node only
    y = _Cube.apply(h)
    dot = viz.draw(y)
    assert '"saved_tensors[0]\\n(2, 3) torch.float32"' in dot
    assert '"saved_tensors[1]\\n(2, 3) torch.float32"' in dot
    report = viz.memory_report(y)
    rows = [line for line in report.splitlines() if line.startswith("_CubeBackward")]
    assert len(rows) == 2 and all(" 24 " in r and r.endswith("live") for r in rows)
    assert "backward() would free 24 bytes" in report  # h; y's array is the caller's
    y.sum().backward()  # CUSTOM-BACKWARD
    report = viz.memory_report(y)
    rows = [line for line in report.splitlines() if line.startswith("_CubeBackward")]
    where = f"freed by the backward call at test_viz.py:{_line('# CUSTOM-BACKWARD')}"
    assert len(rows) == 2 and all(r.endswith(where) for r in rows)
    assert f'"saved_tensors[1]\\n(2, 3) torch.float32\\n{where}"' in viz.draw(y)


def test_graph_with_an_op_whose_attribute_is_named_index(torch_ref):
    """An op attribute called ``index`` is exposed as ``_saved_index`` (as in PyTorch) and does
    not hide the table of saved names that draw and memory_report read."""
    x = retrograd.ones(3, requires_grad=True)
    y = x * 2
    y[0] = 5.0  # CopySlices keeps the written positions as its attribute "index"
    dot = viz.draw(y)
    assert '[label="torch::autograd::CopySlices"]' in dot
    assert "CopySlices" in viz.memory_report(y)


def test_labels_escape_quotes_backslashes_and_newlines():
    w = retrograd.ones(2, requires_grad=True)
    dot = viz.draw((w * 2).sum(), params={'a "b"\\c\nd': w})
    assert '[label="a \\"b\\"\\\\c\\nd\\n(2)"' in dot


def test_a_leaf_drawn_as_a_root_is_shown():
    w = retrograd.ones(2, 3, requires_grad=True)
    y = w * 2
    dot = viz.draw([y, w], params={"w": w})
    leaf = re.search(r'  (n\d+) \[label="w\\n\(2, 3\)", fillcolor=lightblue\];', dot).group(1)
    assert dot.count('label="w\\n(2, 3)"') == 1  # the same box as the one MulBackward0 uses
    assert f'{leaf} -> out1 [label="(2, 3)"];' in dot
    alone = viz.draw(retrograd.ones(2, requires_grad=True))
    assert '"AccumulateGrad\\n(2)"' in alone and "-> out0" in alone
    assert "-> out0" not in viz.draw(retrograd.ones(2))  # a constant has no node


def test_memory_report_total_leaves_out_the_roots_own_arrays():
    x = retrograd.ones(4, requires_grad=True)
    y = x.exp()  # exp saves its result: y's own array, alive as long as the caller holds y
    assert "backward() would free 0 bytes" in viz.memory_report(y)
    h = (x * 2).exp()
    z = h.sum()
    assert "backward() would free 16 bytes" in viz.memory_report(z)  # h's array: the graph's only


def test_memory_report_without_tensors_lists_live_graphs_and_their_keepers(monkeypatch):
    import gc

    gc.collect()
    monkeypatch.setattr(viz, "_MOST_GRAPHS", 10**9)  # other tests' graphs may still be alive
    w = retrograd.randn(3, requires_grad=True)

    def train():
        kept = []
        running = 0
        for _ in range(3):
            loss = (w * 2).exp().sum()  # MADE-HERE
            running += loss
            kept.append(w.sin())
        return viz.memory_report(), running, kept

    report, running, kept = train()
    assert re.match(r"\d+ live autograd graphs: \d+ nodes, \d+ bytes", report)
    blocks = [b.splitlines() for b in report.split("\n\n")[1:]]
    (summed,) = [b for b in blocks if any("`running`" in line for line in b)]
    # the summed losses (each exp saved its 12-byte result), then the three sin graphs
    assert summed[0].endswith(": tensor () float32, grad_fn=AddBackward0")
    assert summed[1] == "  12 nodes, 36 bytes saved"
    assert summed[2] == (
        f"  oldest node made at {__file__}:{_line('# MADE-HERE')} "
        "(`loss = (w * 2).exp().sum()  # MADE-HERE`)"
    )
    assert summed[3].startswith("  kept alive by `running`, a local of train() in test_viz.py")
    assert report.count("kept alive by an item of the list `kept`, a local of train()") == 3
    del running, kept
    assert "kept alive by `running`" not in viz.memory_report()


def test_memory_report_with_no_graph_alive(monkeypatch):
    import gc

    gc.collect()
    monkeypatch.setattr(viz, "_MOST_GRAPHS", 10**9)
    retrograd.randn(3, requires_grad=True).exp().sum()  # DROPPED at once
    assert "# DROPPED" not in viz.memory_report()
    assert viz._live_report([]) == "No autograd graph is alive.\n"


def test_params_that_no_path_reaches_are_drawn_as_cut():
    w = retrograd.tensor([1.0, 2.0], requires_grad=True)
    b = retrograd.tensor(0.5, requires_grad=True)
    c = retrograd.tensor(3.0)
    h = (w * 2).detach()
    loss = (h * 3 + b).sum()
    dot = viz.draw(loss, params={"w": w, "b": b, "c": c})
    assert (
        'cut0 [label="w\\n(2)\\nno path to the outputs:\\ncut (detach, .data, no_grad) or '
        'unused", fillcolor=mistyrose, color=red, style="filled,dashed"];' in dot
    )
    assert "cut0 -> out0 [style=dashed, color=red, arrowhead=tee];" in dot
    assert '"c\\n()\\nrequires_grad=False"' in dot
    assert "cut1" not in dot  # b is in the graph


def test_jupyter_bundle_and_rendering_follow_graphviz(tmp_path, monkeypatch):

    loss, params = _model()
    dot = viz.draw(loss, params=params)
    if viz._graphviz_available():  # the graphviz package and `dot` are installed: pictures
        bundle = dot._repr_mimebundle_()
        assert bundle["image/svg+xml"].lstrip().startswith("<?xml")
        assert "MmBackward0" in bundle["image/svg+xml"]
        assert bundle["text/plain"] == str(dot)
        assert list(dot._repr_mimebundle_(include={"text/plain"})) == ["text/plain"]
        path = dot.render(str(tmp_path / "g"), format="png")
        with open(path, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"
        assert dot.pipe("svg").startswith(b"<?xml")
    # without Graphviz: the DOT text with a hint, no picture, and render writes the .dot file
    monkeypatch.setattr(viz, "_graphviz_available", lambda: False)
    dot = viz.draw(loss, params=params)
    bundle = dot._repr_mimebundle_()
    assert list(bundle) == ["text/plain"] and bundle["text/plain"].endswith(dot.hint)
    assert dot._repr_svg_() is None
    with pytest.raises(RuntimeError, match="install the `dot` program"):
        dot.pipe("png")
    with pytest.raises(RuntimeError, match="dot -Tpng"):
        dot.render(str(tmp_path / "h"), format="png")
    assert (tmp_path / "h.dot").read_text() == dot


class _Trainer:
    def __init__(self):
        self.w = retrograd.randn(3, requires_grad=True)

    def run(self):
        self.hidden = (self.w * 2).exp()  # ATTRIBUTE


def test_memory_report_names_an_attribute_and_its_object(monkeypatch):
    import gc

    gc.collect()
    monkeypatch.setattr(viz, "_MOST_GRAPHS", 10**9)  # other tests' graphs may still be alive
    trainer = _Trainer()
    trainer.run()
    unnamed = [_Trainer()]
    unnamed[0].run()
    report = viz.memory_report()
    blocks = [b for b in report.split("\n\n") if "# ATTRIBUTE" in b]
    assert len(blocks) == 2
    keepers = sorted(b.splitlines()[-1] for b in blocks)
    assert keepers == [
        "  kept alive by attribute `.hidden` of a _Trainer object",
        "  kept alive by attribute `.hidden` of the _Trainer object `trainer`, a local of "
        "test_memory_report_names_an_attribute_and_its_object() in test_viz.py",
    ]
