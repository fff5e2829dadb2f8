"""Run by tests/test_distributed.py under mpiexec (2 and 3 ranks): every collective of
retrograd.distributed against a NumPy reference that each rank computes from every rank's input.

An assertion that fails ends the job (the process group aborts on an uncaught error)."""

import datetime
import os
import pickle
import sys

import numpy as np
from mpi4py import MPI

import retrograd as torch
import retrograd.distributed as dist

# A layout the script expects but MPI did not start is an error, not a silent mismatch.
rank = MPI.COMM_WORLD.Get_rank()
os.environ["RANK"] = str(rank + 1)
try:
    dist.init_process_group("gloo")
    raise AssertionError("a conflicting RANK was accepted")
except ValueError as e:
    assert (
        f"RANK is {rank + 1} (the environment's RANK), but MPI started this process as rank "
        f"{rank}" in str(e)
    ), str(e)
del os.environ["RANK"]
try:
    dist.init_process_group("gloo", world_size=7)
    raise AssertionError("a conflicting world_size was accepted")
except ValueError as e:
    assert "WORLD_SIZE is 7 (the world_size argument)" in str(e), str(e)
assert not dist.is_initialized()
dist.init_process_group(
    "gloo", init_method=f"tcp://127.0.0.1:1?rank={rank}", timeout=datetime.timedelta(seconds=60)
)
rank, n = dist.get_rank(), dist.get_world_size()
assert os.environ["RANK"] == str(rank) and os.environ["WORLD_SIZE"] == str(n)
assert os.environ["LOCAL_RANK"] == str(rank) and dist.get_backend() == "gloo"
checks = 0

DTYPES = {
    "float32": torch.float32,
    "float64": torch.float64,
    "int64": torch.int64,
    "int32": torch.int32,
    "uint8": torch.uint8,
    "bool": torch.bool,
    "complex64": torch.complex64,
    "float16": torch.float16,
}


def data(r, shape, dtype="float32", salt=0):
    """Rank r's input: the same on every rank that computes it."""
    rng = np.random.default_rng(1000 * salt + r)
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype.startswith("complex"):
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    if dtype.startswith(("int", "uint")):
        return rng.integers(1, 7, shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def check(got, want, what):
    global checks
    got = got.numpy() if isinstance(got, torch.Tensor) else got
    assert got.dtype == np.asarray(want).dtype, (what, got.dtype, np.asarray(want).dtype)
    if got.dtype.kind in "fc":
        tol = 1e-2 if got.dtype == np.float16 else 1e-5
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol, err_msg=what)
    else:
        np.testing.assert_array_equal(got, want, err_msg=what)
    checks += 1


def expect(error, text, fn):
    global checks
    try:
        fn()
    except error as e:
        assert text in str(e), (text, str(e))
        checks += 1
        return
    raise AssertionError(f"no {error.__name__} ({text})")


REF = {
    dist.ReduceOp.SUM: lambda xs: np.sum(xs, 0),
    dist.ReduceOp.PRODUCT: lambda xs: np.prod(xs, 0),
    dist.ReduceOp.MIN: lambda xs: np.min(xs, 0),
    dist.ReduceOp.MAX: lambda xs: np.max(xs, 0),
    dist.ReduceOp.AVG: lambda xs: np.mean(xs, 0),
    dist.ReduceOp.BAND: lambda xs: np.bitwise_and.reduce(xs, 0),
    dist.ReduceOp.BOR: lambda xs: np.bitwise_or.reduce(xs, 0),
    dist.ReduceOp.BXOR: lambda xs: np.bitwise_xor.reduce(xs, 0),
}
BOOL_REF = {
    dist.ReduceOp.SUM: np.any,
    dist.ReduceOp.PRODUCT: np.all,
    dist.ReduceOp.MIN: np.all,
    dist.ReduceOp.MAX: np.any,
}


def ops_for(dtype):
    if dtype == "bool":
        return list(BOOL_REF)
    ops = [dist.ReduceOp.SUM, dist.ReduceOp.PRODUCT]
    if not dtype.startswith("complex"):
        ops += [dist.ReduceOp.MIN, dist.ReduceOp.MAX]
    if dtype.startswith(("int", "uint")):
        ops += [dist.ReduceOp.BAND, dist.ReduceOp.BOR, dist.ReduceOp.BXOR]
    if dtype.startswith(("float", "complex")):
        ops += [dist.ReduceOp.AVG]
    return ops


def reference(op, xs, dtype):
    if dtype == "bool":
        return BOOL_REF[op](xs, 0)
    return REF[op](np.stack(xs)).astype(dtype)


# all_reduce and reduce: every dtype, every op, blocking and async
for salt, dtype in enumerate(DTYPES):
    for op in ops_for(dtype):
        xs = [data(r, (3, 4), dtype, salt) for r in range(n)]
        t = torch.from_numpy(xs[rank].copy())
        v = t._version
        work = dist.all_reduce(t, op=op, async_op=(op == dist.ReduceOp.SUM))
        if work is not None:
            assert work.wait() is True and work.is_completed()
        check(t, reference(op, xs, dtype), f"all_reduce {dtype} {op.name}")
        assert t._version > v  # a write the graph can see
        dst = n - 1
        t = torch.from_numpy(xs[rank].copy())
        assert dist.reduce(t, dst=dst, op=op) is None
        check(t, reference(op, xs, dtype) if rank == dst else xs[rank], f"reduce {dtype} {op.name}")

# a non-contiguous tensor is written in place through its view
base = torch.zeros(4, 3)
view = base.t()
view.copy_(torch.from_numpy(data(rank, (3, 4))))
dist.all_reduce(view)
check(base.t(), np.sum([data(r, (3, 4)) for r in range(n)], 0), "all_reduce of a view")

# an expanded tensor (no memory of its own to write into) takes the result too
t = torch.ones(3).expand(2, 3)
dist.all_reduce(t)
check(t, np.full((2, 3), float(n), np.float32), "all_reduce of an expanded tensor")

# broadcast, from each rank
for src in range(n):
    t = torch.from_numpy(data(rank, (2, 5), "float64", src))
    dist.broadcast(t, src=src)
    check(t, data(src, (2, 5), "float64", src), f"broadcast from {src}")

# all_gather, all_gather_into_tensor (both output layouts)
xs = [data(r, (2, 3), "int64") for r in range(n)]
out = [torch.zeros(2, 3, dtype=torch.int64) for _ in range(n)]
dist.all_gather(out, torch.from_numpy(xs[rank]), async_op=True).wait()
for r in range(n):
    check(out[r], xs[r], "all_gather")
flat = torch.zeros(2 * n, 3, dtype=torch.int64)
dist.all_gather_into_tensor(flat, torch.from_numpy(xs[rank]))
check(flat, np.concatenate(xs), "all_gather_into_tensor")
stacked = torch.zeros(n, 2, 3, dtype=torch.int64)
dist.all_gather_into_tensor(stacked, torch.from_numpy(xs[rank]))
check(stacked, np.stack(xs), "all_gather_into_tensor stacked")

# reduce_scatter and reduce_scatter_tensor: rank i gets the reduction of everyone's part i
for op in (dist.ReduceOp.SUM, dist.ReduceOp.MAX, dist.ReduceOp.AVG):
    xs = [data(r, (n, 4), "float32", 7) for r in range(n)]
    out = torch.zeros(4)
    dist.reduce_scatter(out, [torch.from_numpy(x) for x in xs[rank]], op=op)
    check(out, REF[op](np.stack(xs))[rank].astype(np.float32), f"reduce_scatter {op.name}")
    out = torch.zeros(4)
    dist.reduce_scatter_tensor(out, torch.from_numpy(xs[rank].reshape(-1)), op=op)
    check(out, REF[op](np.stack(xs))[rank].astype(np.float32), f"reduce_scatter_tensor {op.name}")

# gather and scatter, to and from the last rank
dst = n - 1
xs = [data(r, (5,), "float64", 3) for r in range(n)]
glist = [torch.zeros(5, dtype=torch.float64) for _ in range(n)] if rank == dst else None
dist.gather(torch.from_numpy(xs[rank]), glist, dst=dst)
if rank == dst:
    for r in range(n):
        check(glist[r], xs[r], "gather")
out = torch.zeros(5, dtype=torch.float64)
dist.scatter(out, [torch.from_numpy(x) for x in xs] if rank == dst else None, src=dst)
check(out, xs[rank], "scatter")

# all_to_all with unequal sizes: rank i sends i + j + 1 values to rank j
inputs = [torch.full((rank + j + 1,), float(10 * rank + j)) for j in range(n)]
outputs = [torch.zeros(i + rank + 1) for i in range(n)]
dist.all_to_all(outputs, inputs)
for i in range(n):
    check(outputs[i], np.full(i + rank + 1, 10 * i + rank, np.float32), "all_to_all")
inp = torch.from_numpy(np.arange(2 * n, dtype=np.float32) + 100 * rank)
out = torch.zeros(2 * n)
dist.all_to_all_single(out, inp)
check(
    out,
    np.concatenate(
        [np.arange(2 * rank, 2 * rank + 2, dtype=np.float32) + 100 * i for i in range(n)]
    ),
    "all_to_all_single",
)
# uneven splits of 2-d rows: rank i sends j + 1 rows to rank j
rows = [np.full((j + 1, 2), 10 * rank + j, np.int32) for j in range(n)]
out = torch.zeros(n * (rank + 1), 2, dtype=torch.int32)
dist.all_to_all_single(
    out,
    torch.from_numpy(np.concatenate(rows)),
    output_split_sizes=[rank + 1] * n,
    input_split_sizes=[j + 1 for j in range(n)],
)
check(
    out,
    np.concatenate([np.full((rank + 1, 2), 10 * i + rank, np.int32) for i in range(n)]),
    "all_to_all_single with splits",
)

# send / recv in a ring, blocking and non-blocking; recv from any rank tells who sent
right, left = (rank + 1) % n, (rank - 1) % n
t = torch.from_numpy(data(rank, (3,), "float32", 9))
got = torch.zeros(3)
if rank % 2 == 0:
    dist.send(t, right)
    src = dist.recv(got, left)
else:
    src = dist.recv(got, None)
    dist.send(t, right)
assert src == left, (src, left)
check(got, data(left, (3,), "float32", 9), "send/recv")
got = torch.zeros(3)
works = [dist.isend(t, right), dist.irecv(got, left)]
for w in works:
    w.wait()
check(got, data(left, (3,), "float32", 9), "isend/irecv")
# tags tell two messages between the same pair apart, whatever the order they are sent in
a, b = torch.zeros(1), torch.zeros(1)
works = [dist.irecv(a, left, tag=1), dist.irecv(b, left, tag=2)]
dist.send(torch.tensor([2.0 + rank]), right, tag=2)
dist.send(torch.tensor([1.0 + rank]), right, tag=1)
for w in works:
    w.wait()
check(torch.cat([a, b]), np.array([1.0 + left, 2.0 + left], np.float32), "tags")

# a group of ranks 0 and the last: group ranks, collectives inside it, non-members left out
members = [0, n - 1]
g = dist.new_group(members)
if rank in members:
    assert dist.get_world_size(g) == 2 and dist.get_rank(g) == members.index(rank)
    assert dist.get_process_group_ranks(g) == members
    assert dist.get_global_rank(g, 1) == n - 1 and dist.get_group_rank(g, n - 1) == 1
    t = torch.tensor([float(rank)])
    dist.all_reduce(t, group=g)
    check(t, np.array([float(n - 1)], np.float32), "all_reduce in a group")
    t = torch.tensor([float(rank)])
    dist.broadcast(t, src=n - 1, group=g)  # src is a global rank
    check(t, np.array([float(n - 1)], np.float32), "broadcast in a group")
else:
    assert g is dist.GroupMember.NON_GROUP_MEMBER
    assert dist.get_rank(g) == -1 and dist.get_world_size(g) == -1

# timeout: a group's timeout bounds every wait on it; the work can still finish later
quick = dist.new_group(timeout=datetime.timedelta(seconds=0.3))
t = torch.ones(2)
if rank == 0:
    work = dist.all_reduce(t, group=quick, async_op=True)
    expect(RuntimeError, "all_reduce timed out after 300 ms", work.wait)
    assert not work.is_completed()
    dist.barrier()  # the others join only now
    work.wait(timeout=datetime.timedelta(seconds=60))
else:
    dist.barrier()
    dist.all_reduce(t, group=quick)
check(t, np.full(2, float(n), np.float32), "all_reduce after a timeout")

# object collectives: plain data and tensors travel, anything else is refused on arrival
obj = {
    "rank": rank,
    "name": f"r{rank}",
    "t": torch.tensor([rank, 2 * rank]),
    "x": (1.5, None),
    "b": b"\x00\x01",
    "s": {rank},
    "dtype": torch.float64,
}
gathered = [None] * n
dist.all_gather_object(gathered, obj)
for r, o in enumerate(gathered):
    assert o["rank"] == r and o["name"] == f"r{r}" and o["x"] == (1.5, None) and o["s"] == {r}
    assert o["dtype"] is torch.float64 and o["b"] == b"\x00\x01"
    check(o["t"], np.array([r, 2 * r]), "all_gather_object tensor")
objs = [{"a": [1, 2]}, "two", 3.0] if rank == 0 else [None, None, None]
dist.broadcast_object_list(objs, src=0)
assert objs == [{"a": [1, 2]}, "two", 3.0], objs
glist = [None] * n if rank == 0 else None
dist.gather_object(("from", rank), glist, dst=0)
if rank == 0:
    assert glist == [("from", r) for r in range(n)], glist
out = [None]
dist.scatter_object_list(out, [{"to": r} for r in range(n)] if rank == 0 else None, src=0)
assert out == [{"to": rank}], out
checks += 4


class Payload:
    def __reduce__(self):
        return (print, ("this must never run",))


objs = [Payload()] if rank == 0 else [None]
try:
    dist.broadcast_object_list(objs, src=0)
    assert rank == 0  # the sender pickles; only the receivers refuse
except pickle.UnpicklingError as e:
    assert rank != 0 and "builtins.print" in str(e), str(e)
checks += 1

# PyTorch's errors for bad arguments (raised before any message is sent)
expect(
    ValueError,
    "trying to initialize the default process group twice!",
    lambda: dist.init_process_group("gloo"),
)
expect(
    RuntimeError,
    "ProcessGroupGloo::allgather: invalid tensor size at index 0 (expected (2), got (3))",
    lambda: dist.all_gather([torch.zeros(3)] * n, torch.ones(2)),
)
expect(
    RuntimeError,
    f"invalid output tensor list at index 0 (expected length {n}, got 1)",
    lambda: dist.all_gather([torch.zeros(2)], torch.ones(2)),
)
expect(
    ValueError,
    "Invalid usage of tensors with different dtypesFound torch.int64 and  torch.float32",
    lambda: dist.all_gather([torch.zeros(2, dtype=torch.int64)] * n, torch.ones(2)),
)
expect(
    RuntimeError,
    "output tensor size must be equal to world_size times input tensor size",
    lambda: dist.all_gather_into_tensor(torch.zeros(3), torch.ones(2)),
)
expect(
    RuntimeError,
    "output tensor must have the same type as input tensor",
    lambda: dist.all_gather_into_tensor(torch.zeros(2 * n, dtype=torch.float64), torch.ones(2)),
)
expect(
    RuntimeError,
    "input tensor must be the same size as output size times world size",
    lambda: dist.reduce_scatter_tensor(torch.zeros(3), torch.ones(3 * n + 1)),
)
expect(
    RuntimeError,
    "ProcessGroupGloo::broadcast: invalid root rank: 7",
    lambda: dist.broadcast(torch.ones(2), 7),
)
expect(
    RuntimeError,
    "Cannot use ReduceOp.BAND with non-integral dtype",
    lambda: dist.all_reduce(torch.ones(2), op=dist.ReduceOp.BAND),
)
expect(
    ValueError,
    "all_reduce does not support RedOpType.MAX on complex tensors",
    lambda: dist.all_reduce(torch.ones(2, dtype=torch.complex64), op=dist.ReduceOp.MAX),
)
expect(
    RuntimeError,
    "result type Float can't be cast to the desired output type Long",
    lambda: dist.all_reduce(torch.tensor([3]), op=dist.ReduceOp.AVG),
)
expect(
    TypeError, "Expected parameter `tensor` of type torch.Tensor", lambda: dist.all_reduce([1, 2])
)
expect(
    ValueError,
    "destination rank should not be the same as the rank of the current process",
    lambda: dist.send(torch.ones(1), rank),
)
expect(
    ValueError,
    "Argument ``gather_list`` must be specified on destination rank.",
    lambda: dist.gather(torch.ones(1), None, dst=rank),
)
expect(
    RuntimeError,
    f"Incorrect input list size {n + 1}. Input list size should be {n}",
    lambda: dist.scatter(torch.ones(1), [torch.zeros(1)] * (n + 1), src=rank),
)
expect(
    ValueError,
    f"Rank {n} is out of range. Valid ranks are 0 to {n - 1} (world_size={n})",
    lambda: dist.new_group([0, n]),
)

dist.barrier()
work = dist.barrier(async_op=True)
work.wait()
dist.monitored_barrier(timeout=datetime.timedelta(seconds=30))
assert dist.get_node_local_rank() == rank
dist.destroy_process_group()
assert not dist.is_initialized()
expect(ValueError, "Default process group has not been initialized", lambda: dist.get_rank())
if rank == 0:
    print(f"collectives ok: {checks} checks on {n} ranks")
sys.stdout.flush()
