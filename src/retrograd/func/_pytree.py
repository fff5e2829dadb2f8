"""Nested tuples, lists and dicts of tensors ("pytrees"), flattened and rebuilt, as torch.func
takes its inputs and outputs."""

from collections import OrderedDict


class TreeSpec:
    """The structure of a pytree: its container type, keys and children (``None`` for a leaf)."""

    __slots__ = ("kind", "context", "children")

    def __init__(self, kind, context, children):
        self.kind = kind
        self.context = context
        self.children = children

    @property
    def is_leaf(self):
        return self.kind is None

    def num_leaves(self):
        return 1 if self.kind is None else sum(c.num_leaves() for c in self.children)

    def __eq__(self, other):
        return (
            isinstance(other, TreeSpec)
            and self.kind is other.kind
            and self.context == other.context
            and self.children == other.children
        )

    def __hash__(self):
        return id(self)

    def show(self, indent=0):
        """PyTorch's printed form of a tree structure: ``TreeSpec(tuple, None, [*, *])``."""
        if self.kind is None:
            return "*"
        sep = ",\n" + " " * (indent + 2)
        children = sep.join(c.show(indent + 2) for c in self.children)
        name = self.kind.__name__
        return f"TreeSpec({name}, {self.context!r}, [{children}])"

    __repr__ = show


LEAF = TreeSpec(None, None, None)


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def flatten(tree):
    """The leaves of ``tree`` in order, and its structure."""
    leaves = []
    return leaves, _flatten(tree, leaves)


def _flatten(tree, leaves):
    t = type(tree)
    if t is tuple or t is list:
        return TreeSpec(t, None, [_flatten(x, leaves) for x in tree])
    if _is_namedtuple(tree):
        return TreeSpec(t, t, [_flatten(x, leaves) for x in tree])
    if t is dict or t is OrderedDict:
        keys = list(tree)
        return TreeSpec(t, keys, [_flatten(tree[k], leaves) for k in keys])
    leaves.append(tree)
    return LEAF


def unflatten(leaves, spec):
    """The tree of structure ``spec`` holding ``leaves`` in order."""
    it = iter(leaves)
    return _build(spec, it)


def _build(spec, it):
    if spec.kind is None:
        return next(it)
    children = [_build(c, it) for c in spec.children]
    if spec.kind is tuple or spec.kind is list:
        return spec.kind(children)
    if spec.context is spec.kind:  # a namedtuple
        return spec.kind(*children)
    return spec.kind(zip(spec.context, children))


def broadcast_prefix(prefix, tree):
    """The leaves of ``prefix`` repeated over those of ``tree`` below them (``prefix`` has the
    structure of ``tree`` down to some depth); None when it does not match."""
    out = []
    return out if _broadcast(prefix, tree, out) else None


def _broadcast(prefix, tree, out):
    p = type(prefix)
    if p in (tuple, list, dict, OrderedDict) or _is_namedtuple(prefix):
        if type(tree) is not p:
            return False
        if p is dict or p is OrderedDict:
            if list(prefix) != list(tree):
                return False
            return all(_broadcast(prefix[k], tree[k], out) for k in prefix)
        if len(prefix) != len(tree):
            return False
        return all(_broadcast(a, b, out) for a, b in zip(prefix, tree))
    out.extend([prefix] * len(flatten(tree)[0]))
    return True


def tree_map(fn, tree):
    leaves, spec = flatten(tree)
    return unflatten([fn(x) for x in leaves], spec)
