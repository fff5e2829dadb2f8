"""``python -m retrograd.demo`` (``make demo``): the pictures it writes, with and without Graphviz,
and the two chapters on silent failures."""

from retrograd import demo, viz


def test_graph_pictures_are_png_with_graphviz_and_dot_text_without(tmp_path, monkeypatch, capsys):
    if viz._graphviz_available():  # the graphviz package and the `dot` program
        written = demo.draw_graph(str(tmp_path / "with"))
        assert [p.rsplit("/", 1)[1] for p in written] == [
            "readme_graph_before.png",
            "readme_graph_after.png",
        ]
        out = capsys.readouterr().out
        for p in written:
            with open(p, "rb") as f:
                assert f.read(8) == b"\x89PNG\r\n\x1a\n"
            assert f"wrote {p}" in out
    monkeypatch.setattr(viz, "_graphviz_available", lambda: False)
    written = demo.draw_graph(str(tmp_path / "without"))
    out = capsys.readouterr().out
    assert [p.rsplit("/", 1)[1] for p in written] == [
        "readme_graph_before.dot",
        "readme_graph_after.dot",
    ]
    assert "Graphviz's `dot` is not installed: wrote the DOT text to " in out
    assert "freed" in (tmp_path / "without" / "readme_graph_after.dot").read_text()
    assert "freed" not in (tmp_path / "without" / "readme_graph_before.dot").read_text()


def test_the_silent_failure_chapters(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(demo, "OUT_DIR", str(tmp_path))
    monkeypatch.setattr(viz, "_MOST_GRAPHS", 10**9)  # other tests' graphs may still be alive
    demo.why_is_my_gradient_none()
    out = capsys.readouterr().out
    assert "w.grad = None   b.grad = tensor(2.)" in out
    assert "without b, backward() raises: element 0 of tensors does not require grad" in out
    assert "fixed: w.grad = tensor([6., 6.])" in out
    demo.why_does_memory_grow()
    out = capsys.readouterr().out
    assert "(`total_loss += loss  # keeps every step's graph alive`) keeps the graphs" in out
    assert "kept alive by `total_loss`, a local of why_does_memory_grow() in demo.py" in out
    assert out.rstrip().endswith("warnings: 0")
