"""``retrograd.utils._pytree``: libraries call ``tree_map``, ``tree_flatten`` and kin on nested
containers; each program below runs on both libraries' module and must print the same."""

from collections import OrderedDict, defaultdict, deque, namedtuple

import pytest

import retrograd.utils._pytree as ours

Point = namedtuple("Point", "x y")


def _tree():
    return [
        1,
        (2, None),
        {"b": 3, "a": Point(4, 5)},
        OrderedDict(x=6),
        deque([7], maxlen=3),
        defaultdict(int, {"k": 8}),
        "leaf",
    ]


PROGRAMS = {
    "flatten": lambda p: p.tree_flatten(_tree()),
    "unflatten": lambda p: p.tree_unflatten(
        [f"<{x}>" for x in p.tree_leaves(_tree())], p.tree_structure(_tree())
    ),
    "spec repr": lambda p: repr(p.tree_structure(_tree())),
    "pprint": lambda p: p.treespec_pprint(p.tree_structure(_tree())),
    "pprint one-tuple": lambda p: p.treespec_pprint(p.tree_structure((1,))),
    "counts": lambda p: (
        lambda s: (s.num_leaves, s.num_nodes, s.num_children, s.type, s.context, s.is_leaf())
    )(p.tree_structure(_tree())),
    "children": lambda p: [repr(c) for c in p.tree_structure({"a": (1, 2)}).children()],
    "child": lambda p: repr(p.tree_structure({"a": (1, 2)}).child(0)),
    "leaf": lambda p: (p.tree_flatten(None), p.tree_flatten(5), p.tree_structure(5).is_leaf()),
    "equal specs": lambda p: (
        p.tree_structure([1, (2, 3)]) == p.tree_structure([4, (5, 6)]),
        p.tree_structure([1, (2, 3)]) == p.tree_structure([4, [5, 6]]),
        hash(p.tree_structure((1, 2))) == hash(p.tree_structure((3, 4))),
    ),
    "map": lambda p: p.tree_map(lambda x: x * 2 if isinstance(x, int) else x, _tree()),
    "map several": lambda p: p.tree_map(lambda a, b: a + b, [1, (2, 3)], [10, (20, 30)]),
    "map subtree": lambda p: p.tree_map(lambda a, b: (a, b), [1, 2], [[5, 6], {"z": 7}]),
    "map arity": lambda p: p.tree_map(lambda a, b: a + b, [1, 2], [10]),
    "map type": lambda p: p.tree_map(lambda a, b: a + b, [1, 2], (10, 20)),
    "map_": lambda p: (lambda seen: (p.tree_map_(seen.append, [1, {"a": 2}]), seen))([]),
    "map only": lambda p: p.tree_map_only(int, lambda x: -x, [1, "s", 2.0, (3,)]),
    "map only tuple of types": lambda p: p.tree_map_only((int, float), lambda x: -x, [1, "s", 2.0]),
    "all any": lambda p: (
        p.tree_all(lambda x: x > 0, [1, (2, 3)]),
        p.tree_any(lambda x: x > 2, [1, (2, 3)]),
        p.tree_all_only(int, lambda x: x > 0, [1, "s"]),
        p.tree_any_only(str, lambda x: x == "t", [1, "s"]),
    ),
    "is_leaf": lambda p: p.tree_leaves([1, [2, 3], [4]], is_leaf=lambda x: x == [2, 3]),
    "iter": lambda p: list(p.tree_iter({"a": [1, 2], "b": 3})),
    "tree_is_leaf": lambda p: (p.tree_is_leaf(1), p.tree_is_leaf([1]), p.tree_is_leaf(None)),
    "unflatten too few": lambda p: p.tree_unflatten([1], p.tree_structure([1, 2])),
    "unflatten not a spec": lambda p: p.tree_unflatten([1], [1]),
    "leafspec": lambda p: (repr(p.LeafSpec()), p.LeafSpec() == p.tree_structure(1)),
}


class Pair:
    def __init__(self, a, b):
        self.a, self.b = a, b

    def __repr__(self):
        return f"Pair({self.a!r}, {self.b!r})"


def _outcome(program, module):
    try:
        return "ok", repr(program(module))
    except Exception as e:
        return type(e).__name__, str(e)


@pytest.mark.parametrize("name", PROGRAMS)
def test_same_as_pytorchs_pytree(name, torch_ref):
    import torch.utils._pytree as theirs

    program = PROGRAMS[name]
    assert _outcome(program, ours) == _outcome(program, theirs)


def test_a_registered_class_is_a_node(torch_ref):
    """``register_pytree_node``: instances of the class flatten into the children it names."""
    import torch.utils._pytree as theirs

    def run(p):
        class Box(Pair):
            pass

        p.register_pytree_node(
            Box, lambda b: ([b.a, b.b], "box"), lambda children, ctx: Box(*children)
        )
        tree = [Box(1, (2, 3))]
        leaves, spec = p.tree_flatten(tree)
        again = p.tree_unflatten([x * 10 for x in leaves], spec)
        try:
            p.register_pytree_node(Box, lambda b: ([], None), lambda c, x: None)
            twice = "accepted"
        except ValueError as e:
            twice = type(e).__name__
        return leaves, spec.num_nodes, repr(again[0].b), type(again[0]) is Box, twice

    assert run(ours) == run(theirs)


def test_func_transforms_use_the_same_trees():
    """torch.func flattens its inputs and outputs with these functions: a namedtuple output and
    a dict input come back as they went in."""
    import retrograd

    def f(inputs):
        return Point(inputs["w"].sum(), inputs["w"] * 2)

    w = retrograd.tensor([1.0, 2.0])
    out, vjp_fn = retrograd.func.vjp(f, {"w": w})
    assert type(out) is Point
    (grads,) = vjp_fn(Point(retrograd.tensor(1.0), retrograd.ones(2)))
    assert list(grads) == ["w"] and grads["w"].tolist() == [3.0, 3.0]
