"""Draw the pictures in docs/explain.md: the README program's graph before and after backward(),
rendered by Graphviz's ``dot`` (``apt-get install graphviz``) from ``retrograd.viz.draw``.

Run ``python tools/docs_pictures.py`` after changing what ``viz.draw`` shows; the SVG files are
committed, so building the docs needs no Graphviz.
"""

import os
import subprocess

import retrograd as torch

OUT = os.path.join(os.path.dirname(__file__), "..", "docs", "img")


def svg(dot_text: str, name: str) -> None:
    path = os.path.join(OUT, name + ".svg")
    subprocess.run(["dot", "-Tsvg", "-o", path], input=dot_text, text=True, check=True)
    print("wrote", os.path.normpath(path))


def main() -> None:
    w = torch.tensor([1.0], requires_grad=True)
    x = torch.tensor([2.0], requires_grad=True)
    a = torch.add(w, x)
    b = torch.add(w, 1)
    y = torch.mul(a, b)
    params = {"w": w, "x": x}
    svg(torch.viz.draw(y, params=params), "readme_graph_before")
    y.backward()
    svg(torch.viz.draw(y, params=params), "readme_graph_after")


if __name__ == "__main__":
    main()
