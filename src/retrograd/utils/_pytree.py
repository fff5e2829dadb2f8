"""Nested containers of values ("pytrees"), flattened into their leaves and rebuilt: what
``torch.func`` takes its inputs and outputs as, and the ``torch.utils._pytree`` functions that
libraries call (``tree_map``, ``tree_flatten`` ...).

A node is a container whose type is registered here (tuple, list, dict, OrderedDict, defaultdict,
deque, namedtuples, and whatever ``register_pytree_node`` adds); anything else, ``None`` included,
is a leaf.  A node flattens into its children and a context (a dict's keys, a namedtuple's
class), which its unflatten function takes back."""

from collections import OrderedDict, defaultdict, deque, namedtuple

__all__ = [
    "LeafSpec",
    "SUPPORTED_NODES",
    "TreeSpec",
    "register_pytree_node",
    "tree_all",
    "tree_all_only",
    "tree_any",
    "tree_any_only",
    "tree_flatten",
    "tree_is_leaf",
    "tree_iter",
    "tree_leaves",
    "tree_map",
    "tree_map_",
    "tree_map_only",
    "tree_map_only_",
    "tree_structure",
    "tree_unflatten",
    "treespec_pprint",
]

NodeDef = namedtuple("NodeDef", "type flatten_fn unflatten_fn")
SUPPORTED_NODES: dict = {}


def register_pytree_node(
    cls,
    flatten_fn,
    unflatten_fn,
    *,
    serialized_type_name=None,
    to_dumpable_context=None,
    from_dumpable_context=None,
    flatten_with_keys_fn=None,
):
    """Make ``cls`` a node: ``flatten_fn(x)`` gives ``(children, context)`` and
    ``unflatten_fn(children, context)`` rebuilds it."""
    if cls in SUPPORTED_NODES:
        raise ValueError(f"{cls} is already registered as pytree node.")
    SUPPORTED_NODES[cls] = NodeDef(cls, flatten_fn, unflatten_fn)


def is_namedtuple(obj) -> bool:
    cls = obj if isinstance(obj, type) else type(obj)
    return issubclass(cls, tuple) and isinstance(getattr(cls, "_fields", None), tuple)


register_pytree_node(tuple, lambda t: (list(t), None), lambda c, _: tuple(c))
register_pytree_node(list, lambda t: (list(t), None), lambda c, _: list(c))
register_pytree_node(dict, lambda d: (list(d.values()), list(d)), lambda c, k: dict(zip(k, c)))
register_pytree_node(
    OrderedDict, lambda d: (list(d.values()), list(d)), lambda c, k: OrderedDict(zip(k, c))
)
register_pytree_node(
    defaultdict,
    lambda d: (list(d.values()), [d.default_factory, list(d)]),
    lambda c, ctx: defaultdict(ctx[0], zip(ctx[1], c)),
)
register_pytree_node(deque, lambda d: (list(d), d.maxlen), lambda c, n: deque(c, maxlen=n))
register_pytree_node(namedtuple, lambda t: (list(t), type(t)), lambda c, cls: cls(*c))


def _node_type(tree):
    """The registered type ``tree`` is a node of, or None for a leaf."""
    t = type(tree)
    if t in SUPPORTED_NODES:
        return t
    if is_namedtuple(t):
        return namedtuple
    return None


class TreeSpec:
    """The structure of a pytree: a node's type, its context and its children's structures (a
    leaf has none of these)."""

    __slots__ = ("type", "context", "children_specs", "num_leaves", "num_nodes")

    def __init__(self, type, context, children_specs):
        self.type = type
        self.context = context
        self.children_specs = children_specs
        if type is None:
            self.num_leaves, self.num_nodes = 1, 1
        else:
            self.num_leaves = sum(c.num_leaves for c in children_specs)
            self.num_nodes = 1 + sum(c.num_nodes for c in children_specs)

    @property
    def num_children(self) -> int:
        return 0 if self.type is None else len(self.children_specs)

    def is_leaf(self) -> bool:
        return self.type is None

    def children(self):
        return list(self.children_specs or ())

    def child(self, index):
        return self.children_specs[index]

    def unflatten(self, leaves):
        """The tree of this structure holding ``leaves`` in order."""
        leaves = list(leaves)
        if len(leaves) != self.num_leaves:
            raise ValueError(
                f"treespec.unflatten(leaves): `leaves` has length {len(leaves)} but the spec "
                f"refers to a pytree that holds {self.num_leaves} items ({self})."
            )
        return _build(self, iter(leaves))

    def flatten_up_to(self, tree):
        """The subtrees of ``tree`` standing where this structure has its leaves."""
        out = []
        _up_to(self, tree, out)
        return out

    def __eq__(self, other):
        return (
            isinstance(other, TreeSpec)
            and self.type is other.type
            and self.context == other.context
            and self.children_specs == other.children_specs
        )

    def __hash__(self):
        return hash((self.type, self.num_leaves, self.num_nodes))

    def __repr__(self, indent=0):
        if self.type is None:
            return "*"
        sep = ",\n" + " " * (indent + 2)
        children = sep.join(c.__repr__(indent + 2) for c in self.children_specs)
        return f"TreeSpec({self.type.__name__}, {self.context!r}, [{children}])"


class LeafSpec(TreeSpec):
    """The structure of a leaf."""

    __slots__ = ()

    def __init__(self):
        super().__init__(None, None, [])


_LEAF = LeafSpec()


def tree_is_leaf(tree, is_leaf=None) -> bool:
    return (is_leaf is not None and is_leaf(tree)) or _node_type(tree) is None


def tree_flatten(tree, is_leaf=None):
    """The leaves of ``tree`` in order, and its structure."""
    leaves = []
    return leaves, _flatten(tree, leaves, is_leaf)


def _flatten(tree, leaves, is_leaf):
    kind = None if is_leaf is not None and is_leaf(tree) else _node_type(tree)
    if kind is None:
        leaves.append(tree)
        return _LEAF
    children, context = SUPPORTED_NODES[kind].flatten_fn(tree)
    return TreeSpec(kind, context, [_flatten(c, leaves, is_leaf) for c in children])


def _build(spec, it):
    if spec.type is None:
        return next(it)
    children = [_build(c, it) for c in spec.children_specs]
    return SUPPORTED_NODES[spec.type].unflatten_fn(children, spec.context)


def _up_to(spec, tree, out):
    if spec.type is None:
        out.append(tree)
        return
    kind = _node_type(tree)
    if kind is not spec.type:
        raise ValueError(f"Node type mismatch; expected {spec.type}, but got {type(tree)}.")
    children, context = SUPPORTED_NODES[kind].flatten_fn(tree)
    if len(children) != len(spec.children_specs):
        raise ValueError(
            f"Node arity mismatch; expected {len(spec.children_specs)}, but got {len(children)}."
        )
    if context != spec.context:
        raise ValueError(
            f"Node context mismatch for custom node type {spec.type}; expected "
            f"{spec.context!r}, but got {context!r}."
        )
    for c, s in zip(children, spec.children_specs):
        _up_to(s, c, out)


def tree_unflatten(leaves, treespec):
    if not isinstance(treespec, TreeSpec):
        raise TypeError(
            "Expected `treespec` to be an instance of PyTreeSpec but got item of type "
            f"{type(treespec)}."
        )
    return treespec.unflatten(leaves)


def tree_leaves(tree, is_leaf=None):
    return tree_flatten(tree, is_leaf)[0]


def tree_iter(tree, is_leaf=None):
    yield from tree_leaves(tree, is_leaf)


def tree_structure(tree, is_leaf=None):
    return tree_flatten(tree, is_leaf)[1]


def tree_map(func, tree, *rests, is_leaf=None):
    """``func`` applied to the leaves of ``tree`` (and the subtrees of ``rests`` standing at them),
    in a tree of the same structure."""
    leaves, spec = tree_flatten(tree, is_leaf)
    columns = [leaves] + [spec.flatten_up_to(r) for r in rests]
    return spec.unflatten(func(*xs) for xs in zip(*columns))


def tree_map_(func, tree, *rests, is_leaf=None):
    """``func`` called on every leaf for its effect; ``tree`` itself is returned."""
    leaves, spec = tree_flatten(tree, is_leaf)
    for xs in zip(leaves, *[spec.flatten_up_to(r) for r in rests]):
        func(*xs)
    return tree


def _only(types, func):
    def apply(x):
        return func(x) if isinstance(x, types) else x

    return apply


def tree_map_only(type_or_types, func, tree, is_leaf=None):
    return tree_map(_only(type_or_types, func), tree, is_leaf=is_leaf)


def tree_map_only_(type_or_types, func, tree, is_leaf=None):
    return tree_map_(_only(type_or_types, func), tree, is_leaf=is_leaf)


def tree_all(pred, tree, is_leaf=None) -> bool:
    return all(pred(x) for x in tree_iter(tree, is_leaf))


def tree_any(pred, tree, is_leaf=None) -> bool:
    return any(pred(x) for x in tree_iter(tree, is_leaf))


def tree_all_only(type_or_types, pred, tree, is_leaf=None) -> bool:
    return all(pred(x) for x in tree_iter(tree, is_leaf) if isinstance(x, type_or_types))


def tree_any_only(type_or_types, pred, tree, is_leaf=None) -> bool:
    return any(pred(x) for x in tree_iter(tree, is_leaf) if isinstance(x, type_or_types))


def treespec_pprint(treespec) -> str:
    """The structure written as the tree it stands for, ``*`` at each leaf:
    ``(*, [*, *], {'a': *})``."""
    return repr(_build(treespec, iter([_Star()] * treespec.num_leaves)))


class _Star:
    def __repr__(self):
        return "*"


def broadcast_prefix(prefix, tree):
    """The leaves of ``prefix`` repeated over those of ``tree`` below them (``prefix`` has the
    structure of ``tree`` down to some depth); None when it does not match."""
    out = []
    return out if _broadcast(prefix, tree, out) else None


def _broadcast(prefix, tree, out):
    kind = _node_type(prefix)
    if kind is None:
        out.extend([prefix] * tree_structure(tree).num_leaves)
        return True
    if _node_type(tree) is not kind:
        return False
    children, context = SUPPORTED_NODES[kind].flatten_fn(prefix)
    theirs, their_context = SUPPORTED_NODES[kind].flatten_fn(tree)
    if context != their_context or len(children) != len(theirs):
        return False
    return all(_broadcast(a, b, out) for a, b in zip(children, theirs))
