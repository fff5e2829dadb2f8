"""``torch.distributed``'s process groups and collectives, carried by MPI (``mpi4py``).

The processes are started by ``mpiexec`` (directly, or through ``python -m
retrograd.distributed.run``), so MPI already knows every rank when ``init_process_group`` runs:
rank and world size come from MPI, and RANK / WORLD_SIZE / LOCAL_RANK are set to match.  Backend
"mpi" and, on CPU, "gloo" both use this transport, so scripts written for gloo run unchanged.

Every collective is started as a non-blocking MPI request on the tensor's own array; a blocking
call is the same request waited for at once.  ``async_op=True`` returns the ``Work`` handle
instead.  Waiting polls the request against the group's timeout, so a peer that never arrives
ends in an error, not a hang.
"""

import datetime
import os
import stat
import sys
import time
import warnings
from enum import IntEnum
from urllib.parse import parse_qs, urlparse

from .. import dtypes
from .._array import xp
from ..tensor import Tensor, bump_version
from . import _objects

_MPI = None  # the mpi4py.MPI module, imported by init_process_group (MPI starts on import)
_DEFAULT_TIMEOUT = datetime.timedelta(minutes=30)
_NOT_INITIALIZED = (
    "Default process group has not been initialized, please make sure to call init_process_group."
)


def _mpi():
    global _MPI
    if _MPI is None:
        try:
            from mpi4py import MPI
        except ImportError:
            raise RuntimeError(
                "Distributed package doesn't have MPI built in. MPI is only included if you "
                "build PyTorch from source on a host that has MPI installed. For retrograd, "
                "install the extra: pip install 'retrograd[distributed]' (mpi4py, Open MPI)."
            ) from None
        _MPI = MPI
    return _MPI


def is_mpi_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("mpi4py") is not None


is_available = is_mpi_available


def is_gloo_available() -> bool:
    """ "gloo" runs on the MPI transport here, so it is there whenever MPI is."""
    return is_mpi_available()


def is_nccl_available() -> bool:
    return False


def is_ucc_available() -> bool:
    return False


def is_torchelastic_launched() -> bool:
    return os.environ.get("TORCHELASTIC_RUN_ID") is not None


class Backend(str):
    """A backend name (``torch.distributed.Backend``): ``Backend("GLOO") == "gloo"``."""

    UNDEFINED = "undefined"
    GLOO = "gloo"
    NCCL = "nccl"
    UCC = "ucc"
    MPI = "mpi"

    def __new__(cls, name: str):
        if not isinstance(name, str):
            raise ValueError(f"Backend constructor parameter must be string-ish, but got: {name}")
        value = getattr(Backend, name.upper(), Backend.UNDEFINED)
        if value == Backend.UNDEFINED:
            value = name.lower()
        return str.__new__(cls, value)


class ReduceOp:
    """The reduction of a collective (``torch.distributed.ReduceOp``)."""

    class RedOpType(IntEnum):
        SUM = 0
        AVG = 1
        PRODUCT = 2
        MIN = 3
        MAX = 4
        BAND = 5
        BOR = 6
        BXOR = 7
        PREMUL_SUM = 8
        UNUSED = 9

        def __str__(self):
            return f"RedOpType.{self.name}"

        def __repr__(self):
            return f"<RedOpType.{self.name}: {int(self)}>"

    SUM = RedOpType.SUM
    AVG = RedOpType.AVG
    PRODUCT = RedOpType.PRODUCT
    MIN = RedOpType.MIN
    MAX = RedOpType.MAX
    BAND = RedOpType.BAND
    BOR = RedOpType.BOR
    BXOR = RedOpType.BXOR
    PREMUL_SUM = RedOpType.PREMUL_SUM


class ProcessGroup:
    """A set of ranks and the MPI communicator that links them (``torch.distributed.ProcessGroup``).

    ``ranks``: the global rank of each group rank, in order."""

    def __init__(self, comm, ranks, backend, timeout):
        self._comm = comm
        self._ranks = tuple(ranks)
        self._backend = backend
        self._timeout = timeout.total_seconds()
        # PyTorch's errors name the backend's class: ProcessGroupGloo::allgather ...
        self._label = "ProcessGroupGloo" if backend == "gloo" else "ProcessGroupMPI"

    def rank(self) -> int:
        return self._comm.Get_rank()

    def size(self) -> int:
        return len(self._ranks)

    def name(self) -> str:
        return self._backend

    def __repr__(self):
        return f"<ProcessGroup {self._backend} ranks={list(self._ranks)}>"


class GroupMember:
    """``torch.distributed.GroupMember`` / ``group``: ``WORLD`` is the default group once made."""

    WORLD = None
    NON_GROUP_MEMBER = object()


group = GroupMember


class _State:
    def __init__(self):
        self.world = None  # the default ProcessGroup
        self.groups = []  # every ProcessGroup made, freed by destroy_process_group()
        self.excepthook = None  # the hook init_process_group replaced


_state = _State()


# --- set-up ---------------------------------------------------------------------------------------
def is_initialized() -> bool:
    return _state.world is not None


def init_process_group(
    backend=None,
    init_method=None,
    timeout=None,
    world_size=-1,
    rank=-1,
    store=None,
    group_name="",
    pg_options=None,
    device_id=None,
) -> None:
    """Join the job that ``mpiexec`` started (``torch.distributed.init_process_group``).

    ``init_method``: "env://" (the default; RANK / WORLD_SIZE, when set, must agree with MPI) or
    "tcp://" / "file://" URLs, whose rendezvous MPI has already done (their rank and world_size
    query values, when given, must agree).  ``timeout``: how long any collective may wait."""
    if _state.world is not None:
        raise ValueError("trying to initialize the default process group twice!")
    name = _backend_name(backend)
    if timeout is None:
        timeout = _DEFAULT_TIMEOUT
    elif not isinstance(timeout, datetime.timedelta):
        raise TypeError(
            f"Expected timeout argument to be of type datetime.timedelta, got {timeout}"
        )
    if store is not None:
        raise NotImplementedError(
            "init_process_group(store=...): a Store is not needed, and not "
            "built: the MPI runtime connects the processes."
        )
    if pg_options is not None or device_id is not None:
        raise NotImplementedError(
            "init_process_group(pg_options=..., device_id=...) is not "
            "supported by the MPI backend (CPU tensors only)."
        )
    MPI = _mpi()
    world = MPI.COMM_WORLD
    r, n = world.Get_rank(), world.Get_size()
    expected = _rendezvous_values(init_method, world_size, rank)
    local = world.Split_type(MPI.COMM_TYPE_SHARED, key=r)
    values = {
        "RANK": r,
        "WORLD_SIZE": n,
        "LOCAL_RANK": local.Get_rank(),
        "LOCAL_WORLD_SIZE": local.Get_size(),
    }
    local.Free()
    for key, source in expected.items():
        if source[0] != values[key]:
            raise ValueError(
                f"{key} is {source[0]} ({source[1]}), but MPI started this process as "
                f"{key.lower().replace('_', ' ')} {values[key]}: the job was launched with "
                "another layout than the script expects."
            )
    for key, value in values.items():
        os.environ[key] = str(value)
    _state.world = GroupMember.WORLD = ProcessGroup(world.Dup(), range(n), name, timeout)
    _state.groups = [_state.world]
    if n > 1 and _state.excepthook is None:
        _state.excepthook = sys.excepthook
        sys.excepthook = _abort_on_error


def _backend_name(backend):
    name = "gloo" if backend is None else str(backend).lower()
    if name in ("mpi", "gloo", "cpu:gloo", "cpu:mpi"):
        return name.split(":")[-1]
    if name in ("nccl", "ucc", "xccl"):
        raise RuntimeError(f"Distributed package doesn't have {name.upper()} built in")
    raise AssertionError(f"Unknown backend type {backend}")


def _rendezvous_values(init_method, world_size, rank):
    """What the script expects of rank and world size: {key: (value, where it came from)}."""
    expected = {}
    method = "env://" if init_method is None else init_method
    scheme = urlparse(method).scheme
    if scheme == "env":
        for key in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE"):
            if os.environ.get(key):
                expected[key] = (int(os.environ[key]), f"the environment's {key}")
    elif scheme in ("tcp", "file"):
        query = parse_qs(urlparse(method).query)
        for key, arg in (("RANK", "rank"), ("WORLD_SIZE", "world_size")):
            if arg in query:
                expected[key] = (int(query[arg][0]), f"{arg} in init_method")
    else:
        raise ValueError(f"No rendezvous handler for {scheme}://")
    if world_size != -1:
        expected["WORLD_SIZE"] = (world_size, "the world_size argument")
    if rank != -1:
        expected["RANK"] = (rank, "the rank argument")
    return expected


def _abort_on_error(kind, value, tb):
    """An exception no one caught on one rank: print it, then end every rank (the others would
    otherwise wait in their next collective until the timeout)."""
    rank = os.environ.get("RANK", "?")
    sys.stderr.write(f"[rank{rank}]: uncaught {kind.__name__}; aborting the job\n")
    (_state.excepthook or sys.__excepthook__)(kind, value, tb)
    sys.stderr.flush()
    sys.stdout.flush()
    _wait_until_read(sys.stderr)
    _mpi().COMM_WORLD.Abort(1)


def _wait_until_read(stream, limit=10.0):
    """Under mpiexec a rank's stderr is a pipe that the launcher reads; an abort ends the launcher,
    and whatever it had not read yet (the end of the traceback) would be lost. So wait, up to
    `limit` seconds, until the pipe holds no unread bytes. Anything but a pipe returns at once."""
    try:
        import fcntl
        import termios

        fd = stream.fileno()
        if not stat.S_ISFIFO(os.fstat(fd).st_mode):
            return
        unread = bytearray(4)
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            fcntl.ioctl(fd, termios.FIONREAD, unread)
            if not int.from_bytes(unread, sys.byteorder):
                return
            time.sleep(0.005)
    except (ImportError, OSError, ValueError, AttributeError):
        return  # not a pipe (a file, a terminal), or no such call on this system


def destroy_process_group(group=None) -> None:
    if _state.world is None:
        raise AssertionError("Process group cannot be None")
    if group is None or group is _state.world:
        for pg in _state.groups:
            pg._comm.Free()
        _state.world = GroupMember.WORLD = None
        _state.groups = []
        if _state.excepthook is not None:
            sys.excepthook, _state.excepthook = _state.excepthook, None
    elif group is not GroupMember.NON_GROUP_MEMBER and group in _state.groups:
        _state.groups.remove(group)
        group._comm.Free()


def new_group(
    ranks=None,
    timeout=None,
    backend=None,
    pg_options=None,
    use_local_synchronization=False,
    group_desc=None,
    device_id=None,
):
    """A group of some ranks; every rank of the world calls it (``torch.distributed.new_group``).
    A rank outside ``ranks`` gets ``GroupMember.NON_GROUP_MEMBER``."""
    world = _world()
    n = world.size()
    if timeout is not None and not isinstance(timeout, datetime.timedelta):
        raise TypeError(
            f"Expected timeout argument to be of type datetime.timedelta, got {timeout}"
        )
    if pg_options is not None or use_local_synchronization or device_id is not None:
        raise NotImplementedError(
            "new_group(pg_options=..., use_local_synchronization=True, "
            "device_id=...) is not supported by the MPI backend: every rank "
            "of the world calls new_group."
        )
    ranks = sorted(range(n) if ranks is None else ranks)
    for r in ranks:
        if not 0 <= r < n:
            raise ValueError(
                f"Rank {r} is out of range. Valid ranks are 0 to {n - 1} (world_size={n})"
            )
    MPI = _mpi()
    me = world.rank()
    comm = world._comm.Split(0 if me in ranks else MPI.UNDEFINED, me)
    if comm == MPI.COMM_NULL:
        return GroupMember.NON_GROUP_MEMBER
    pg = ProcessGroup(
        comm,
        ranks,
        _backend_name(backend) if backend else world._backend,
        timeout or datetime.timedelta(seconds=world._timeout),
    )
    _state.groups.append(pg)
    return pg


def _world():
    if _state.world is None:
        raise ValueError(_NOT_INITIALIZED)
    return _state.world


def _group(group):
    """The ProcessGroup to use, or None when this rank is not in it."""
    if group is None or group is GroupMember.WORLD:
        return _world()
    _world()
    if group is GroupMember.NON_GROUP_MEMBER:
        return None
    return group


def get_rank(group=None) -> int:
    pg = _group(group)
    return -1 if pg is None else pg.rank()


def get_world_size(group=None) -> int:
    pg = _group(group)
    return -1 if pg is None else pg.size()


def get_backend(group=None) -> str:
    pg = _group(group)
    if pg is None:
        raise ValueError("Invalid process group specified")
    return pg._backend


def get_process_group_ranks(group) -> list:
    pg = _group(group)
    return list(pg._ranks) if pg is not None else []


def get_group_rank(group, global_rank: int) -> int:
    pg = _group(group)
    try:
        return pg._ranks.index(global_rank)
    except ValueError:
        raise ValueError(f"Global rank {global_rank} is not part of group {group}") from None


def get_global_rank(group, group_rank: int) -> int:
    pg = _group(group)
    if not 0 <= group_rank < pg.size():
        raise ValueError(f"Group rank {group_rank} is not part of group {group}")
    return pg._ranks[group_rank]


# --- work handles -------------------------------------------------------------------------------
class Work:
    """A started collective (``torch.distributed.Work``): ``wait()`` blocks until it is done and
    its results are in the tensors; ``is_completed()`` asks without blocking."""

    __slots__ = (
        "_requests",
        "_statuses",
        "_finish",
        "_done",
        "_what",
        "_timeout",
        "_result",
        "__weakref__",
    )

    def __init__(self, requests, finish, what, timeout, result=()):
        self._requests = requests
        self._statuses = [_MPI.Status() for _ in requests]
        self._finish = finish
        self._done = False
        self._what = what
        self._timeout = timeout
        self._result = result

    def is_completed(self) -> bool:
        if not self._done and _MPI.Request.Testall(self._requests, self._statuses):
            self._complete()
        return self._done

    def is_success(self) -> bool:
        return self.is_completed()

    def exception(self):
        return None

    def wait(self, timeout=None) -> bool:
        if self._done:
            return True
        seconds = self._timeout if timeout is None else _seconds(timeout)
        reqs, statuses = self._requests, self._statuses
        Testall = _MPI.Request.Testall
        if not Testall(reqs, statuses):
            # MPI moves the data only inside its calls, on both sides, so keep calling: spin,
            # but give the core away between calls (ranks may share cores), and after a long
            # wait (a peer still computing) sleep a little between calls instead.
            start = time.monotonic()
            while not Testall(reqs, statuses):
                waited = time.monotonic() - start
                if waited > seconds:
                    raise RuntimeError(
                        f"[Rank {_state.world.rank() if _state.world else '?'}] {self._what} "
                        f"timed out after {seconds * 1000:.0f} ms: a rank of the group did not "
                        "take part in time (it may have failed, or run another collective)."
                    )
                if waited < 0.1:
                    _yield()
                else:
                    time.sleep(0.001)
        self._complete()
        return True

    def _complete(self):
        self._done = True
        if self._finish is not None:
            self._finish(self._statuses)
            self._finish = None

    def result(self) -> list:
        self.wait()
        return list(self._result)

    def source_rank(self) -> int:
        self.wait()
        return self._statuses[0].Get_source()


_yield = getattr(os, "sched_yield", lambda: time.sleep(0))


def _seconds(timeout):
    return timeout.total_seconds() if isinstance(timeout, datetime.timedelta) else float(timeout)


def _run(pg, requests, finish, what, async_op, result=()):
    work = Work(requests, finish, what, pg._timeout, result)
    if async_op:
        return work
    work.wait()
    return None


# --- argument checks (PyTorch's texts) -----------------------------------------------------------
def _check_tensor(param, name):
    if not isinstance(param, Tensor):
        raise TypeError(
            f"Invalid function argument. Expected parameter `{name}` of type "
            f"torch.Tensor\n             but got {type(param)} instead."
        )


def _check_tensor_list(param, name):
    if not isinstance(param, list) or not all(isinstance(p, Tensor) for p in param):
        raise TypeError(
            f"Invalid function argument. Expected parameter `{name}` of type "
            f"List[torch.Tensor]\n             but got {type(param)} instead."
        )


def _check_same_dtype(*tensor_lists):
    first = None
    for lst in tensor_lists:
        for t in lst:
            if first is None:
                first = t.dtype
            elif t.dtype != first:
                raise ValueError(
                    f"Invalid usage of tensors with different dtypesFound {first} and  {t.dtype}"
                )


def _shape(t):
    return "(" + ", ".join(str(n) for n in t._data.shape) + ")"


def _check_sizes(pg, what, tensors, like, label="tensor"):
    for i, t in enumerate(tensors):
        if t._data.shape != like._data.shape:
            raise RuntimeError(
                f"{pg._label}::{what}: invalid {label} size at index {i} "
                f"(expected {_shape(like)}, got {_shape(t)})"
            )


def _check_list_len(pg, what, tensors, kind):
    if len(tensors) != pg.size():
        raise RuntimeError(
            f"{pg._label}::{what}: Incorrect {kind} list size {len(tensors)}. "
            f"{kind.capitalize()} list size should be {pg.size()}, same as size of "
            "the process group."
        )


def _root(pg, what, global_rank, group_rank, kind="root"):
    """The group rank of a root given as a global rank (``src``/``dst``) or a group rank."""
    if group_rank is not None:
        r = group_rank
    else:
        if global_rank is None:
            global_rank = 0
        r = pg._ranks.index(global_rank) if global_rank in pg._ranks else -1
    if not 0 <= r < pg.size():
        raise RuntimeError(
            f"{pg._label}::{what}: invalid {kind} rank: "
            f"{global_rank if group_rank is None else group_rank}"
        )
    return r


def _not_member(what):
    warnings.warn(
        f"Running {what} on global rank {_world().rank()} which does not belong to the "
        "given group.",
        stacklevel=3,
    )


# --- arrays in and out ----------------------------------------------------------------------------
def _buffer(t):
    """The array MPI reads and writes for tensor ``t``: its own when contiguous, else a copy."""
    a = t._data
    if a.flags.c_contiguous and a.flags.writeable:
        return a
    return xp.ascontiguousarray(a)


def _store(t, a):
    """The values ``a`` are now ``t``'s, written in place as PyTorch's collectives do."""
    if a is not t._data:
        if t._data.flags.writeable:
            t._data[...] = a.reshape(t._data.shape)
        else:  # an expanded tensor: it gets an array of its own
            t._data = a.reshape(t._data.shape).copy()
    bump_version(t, None)


# How each op reduces: (MPI op name, what it needs of the dtype).
_OPS = {
    ReduceOp.SUM: "SUM",
    ReduceOp.AVG: "SUM",
    ReduceOp.PRODUCT: "PROD",
    ReduceOp.MIN: "MIN",
    ReduceOp.MAX: "MAX",
    ReduceOp.BAND: "BAND",
    ReduceOp.BOR: "BOR",
    ReduceOp.BXOR: "BXOR",
}
# bool tensors reduce as bytes: a sum is an "or", a product an "and"
_BOOL_OPS = {
    "SUM": "BOR",
    "PROD": "BAND",
    "MIN": "BAND",
    "MAX": "BOR",
    "BAND": "BAND",
    "BOR": "BOR",
    "BXOR": "BXOR",
}


def _mpi_op(op, dtype, what):
    """The MPI reduction for ``op`` on arrays of ``dtype``, with PyTorch's errors."""
    if not isinstance(op, ReduceOp.RedOpType):
        raise TypeError(
            f"{what}(): incompatible function arguments: op must be a "
            f"torch.distributed.ReduceOp, not {op!r}"
        )
    if op == ReduceOp.PREMUL_SUM:
        raise NotImplementedError(
            "ReduceOp.PREMUL_SUM needs NCCL's pre-multiplied sum, which the "
            "CPU backends do not have."
        )
    name = _OPS[op]
    if op == ReduceOp.AVG and dtype.kind not in "fcV":
        kind = dtypes.FROM_NP[dtype]._tensor_name[: -len("Tensor")]
        raise RuntimeError(f"result type Float can't be cast to the desired output type {kind}")
    if dtype.kind == "b":
        return getattr(_MPI, _BOOL_OPS[name])
    if name in ("BAND", "BOR", "BXOR") and dtype.kind not in "iu":
        raise RuntimeError(f"Cannot use ReduceOp.{op.name} with non-integral dtype")
    if name in ("MIN", "MAX") and dtype.kind == "c":
        raise ValueError(f"{what} does not support RedOpType.{op.name} on complex tensors")
    return getattr(_MPI, name)


def _wire(a):
    """``a`` as MPI sends it: bools travel as bytes (MPI's reductions know no C bool)."""
    return a.view(xp.uint8) if a.dtype.kind == "b" else a


def _averaged(a, op, n):
    if op == ReduceOp.AVG:
        xp.divide(a, n, out=a, casting="unsafe")


# --- collectives ----------------------------------------------------------------------------------
def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Every rank ends with the reduction of every rank's ``tensor`` (in place)."""
    _check_tensor(tensor, "tensor")
    pg = _group(group)
    if pg is None:
        return _not_member("all_reduce")
    buf = _buffer(tensor)
    mop = _mpi_op(op, buf.dtype, "all_reduce")
    req = pg._comm.Iallreduce(_MPI.IN_PLACE, _wire(buf), op=mop)

    def finish(_):
        _averaged(buf, op, pg.size())
        _store(tensor, buf)

    return _run(pg, [req], finish, "all_reduce", async_op, (tensor,))


def reduce(tensor, dst=None, op=ReduceOp.SUM, group=None, async_op=False, group_dst=None):
    """The reduction of every rank's ``tensor`` lands in ``dst``'s ``tensor``."""
    _check_tensor(tensor, "tensor")
    pg = _group(group)
    if pg is None:
        return _not_member("reduce")
    root = _root(pg, "reduce", dst, group_dst)
    buf = _buffer(tensor)
    mop = _mpi_op(op, buf.dtype, "reduce")
    if pg.rank() == root:
        req = pg._comm.Ireduce(_MPI.IN_PLACE, _wire(buf), op=mop, root=root)

        def finish(_):
            _averaged(buf, op, pg.size())
            _store(tensor, buf)
    else:
        req = pg._comm.Ireduce(_wire(buf), None, op=mop, root=root)
        finish = None
    return _run(pg, [req], finish, "reduce", async_op, (tensor,))


def broadcast(tensor, src=None, group=None, async_op=False, group_src=None):
    """``src``'s ``tensor`` is copied into every rank's ``tensor``."""
    _check_tensor(tensor, "tensor")
    pg = _group(group)
    if pg is None:
        return _not_member("broadcast")
    root = _root(pg, "broadcast", src, group_src)
    buf = _buffer(tensor)
    req = pg._comm.Ibcast(_wire(buf), root=root)
    finish = None if pg.rank() == root else (lambda _: _store(tensor, buf))
    return _run(pg, [req], finish, "broadcast", async_op, (tensor,))


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """``tensor_list[i]`` receives rank i's ``tensor``."""
    _check_tensor_list(tensor_list, "tensor_list")
    _check_tensor(tensor, "tensor")
    _check_same_dtype(tensor_list, [tensor])
    pg = _group(group)
    if pg is None:
        return _not_member("all_gather")
    if len(tensor_list) != pg.size():
        raise RuntimeError(
            f"{pg._label}::allgather: invalid output tensor list at index 0 "
            f"(expected length {pg.size()}, got {len(tensor_list)})"
        )
    _check_sizes(pg, "allgather", tensor_list, tensor)
    send = _buffer(tensor)
    recv = xp.empty((pg.size(),) + send.shape, send.dtype)
    req = pg._comm.Iallgather(_wire(send), _wire(recv))

    def finish(_):
        for t, part in zip(tensor_list, recv):
            _store(t, part)

    return _run(pg, [req], finish, "all_gather", async_op, tensor_list)


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    """Every rank's ``input_tensor``, in rank order, written into ``output_tensor`` (its first
    dimension world_size times the input's, or a new leading dimension of world_size)."""
    _check_tensor(output_tensor, "output_tensor")
    _check_tensor(input_tensor, "input_tensor")
    pg = _group(group)
    if pg is None:
        return _not_member("all_gather_into_tensor")
    if output_tensor.dtype != input_tensor.dtype:
        raise RuntimeError(
            f"{pg._label}::_allgather_base: output tensor must have the same type as input tensor"
        )
    if output_tensor._data.size != input_tensor._data.size * pg.size():
        raise RuntimeError(
            f"{pg._label}::_allgather_base: output tensor size must be equal to "
            "world_size times input tensor size"
        )
    send, recv = _buffer(input_tensor), _buffer(output_tensor)
    req = pg._comm.Iallgather(_wire(send), _wire(recv))
    return _run(
        pg,
        [req],
        lambda _: _store(output_tensor, recv),
        "all_gather_into_tensor",
        async_op,
        (output_tensor,),
    )


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    """Rank i's ``output`` gets the reduction over ranks of their ``input_list[i]``."""
    _check_tensor(output, "output")
    _check_tensor_list(input_list, "input_list")
    _check_same_dtype(input_list, [output])
    pg = _group(group)
    if pg is None:
        return _not_member("reduce_scatter")
    _check_list_len(pg, "reduce_scatter", input_list, "input")
    _check_sizes(pg, "reduce_scatter", input_list, output)
    send = xp.concatenate([xp.ascontiguousarray(t._data).reshape(-1) for t in input_list])
    return _reduce_scatter(pg, output, send, op, "reduce_scatter", async_op)


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    """Like ``reduce_scatter`` with the inputs laid end to end in one tensor."""
    _check_tensor(output, "output")
    _check_tensor(input, "input")
    _check_same_dtype([input, output])
    pg = _group(group)
    if pg is None:
        return _not_member("reduce_scatter_tensor")
    if input._data.size != output._data.size * pg.size():
        raise RuntimeError(
            f"{pg._label}::_reduce_scatter_base: input tensor must be the same "
            "size as output size times world size"
        )
    return _reduce_scatter(pg, output, _buffer(input), op, "reduce_scatter_tensor", async_op)


def _reduce_scatter(pg, output, send, op, what, async_op):
    recv = _buffer(output)
    mop = _mpi_op(op, recv.dtype, what)
    req = pg._comm.Ireduce_scatter_block(_wire(send), _wire(recv), op=mop)

    def finish(_):
        _averaged(recv, op, pg.size())
        _store(output, recv)

    return _run(pg, [req], finish, what, async_op, (output,))


def gather(tensor, gather_list=None, dst=None, group=None, async_op=False, group_dst=None):
    """``dst`` receives every rank's ``tensor`` in its ``gather_list``."""
    _check_tensor(tensor, "tensor")
    if gather_list is not None:
        _check_tensor_list(gather_list, "gather_list")
        _check_same_dtype(gather_list, [tensor])
    pg = _group(group)
    if pg is None:
        return _not_member("gather")
    root = _root(pg, "gather", dst, group_dst)
    send = _buffer(tensor)
    if pg.rank() == root:
        if not gather_list:
            raise ValueError("Argument ``gather_list`` must be specified on destination rank.")
        _check_list_len(pg, "gather", gather_list, "output")
        _check_sizes(pg, "gather", gather_list, tensor)
        recv = xp.empty((pg.size(),) + send.shape, send.dtype)
        req = pg._comm.Igather(_wire(send), _wire(recv), root=root)

        def finish(_):
            for t, part in zip(gather_list, recv):
                _store(t, part)
    else:
        if gather_list:
            raise ValueError(
                "Argument ``gather_list`` must NOT be specified on non-destination ranks."
            )
        req = pg._comm.Igather(_wire(send), None, root=root)
        finish = None
    return _run(pg, [req], finish, "gather", async_op, gather_list or ())


def scatter(tensor, scatter_list=None, src=None, group=None, async_op=False, group_src=None):
    """Rank i's ``tensor`` receives ``scatter_list[i]`` from ``src``."""
    _check_tensor(tensor, "tensor")
    if scatter_list is not None:
        _check_tensor_list(scatter_list, "scatter_list")
        _check_same_dtype(scatter_list, [tensor])
    pg = _group(group)
    if pg is None:
        return _not_member("scatter")
    root = _root(pg, "scatter", src, group_src)
    recv = _buffer(tensor)
    if pg.rank() == root:
        if not scatter_list:
            raise ValueError("Argument ``scatter_list`` must be specified on source rank.")
        _check_list_len(pg, "scatter", scatter_list, "input")
        _check_sizes(pg, "scatter", scatter_list, tensor)
        send = xp.stack([t._data for t in scatter_list])
        req = pg._comm.Iscatter(_wire(send), _wire(recv), root=root)
    else:
        if scatter_list:
            raise ValueError("Argument ``scatter_list`` must NOT be specified on non-source ranks.")
        req = pg._comm.Iscatter(None, _wire(recv), root=root)
    return _run(pg, [req], lambda _: _store(tensor, recv), "scatter", async_op, (tensor,))


def all_to_all(output_tensor_list, input_tensor_list, group=None, async_op=False):
    """Rank j's ``output_tensor_list[i]`` receives rank i's ``input_tensor_list[j]`` (the sizes may
    differ from pair to pair)."""
    _check_tensor_list(output_tensor_list, "output_tensor_list")
    _check_tensor_list(input_tensor_list, "input_tensor_list")
    _check_same_dtype(output_tensor_list, input_tensor_list)
    pg = _group(group)
    if pg is None:
        return _not_member("all_to_all")
    _check_list_len(pg, "alltoall", input_tensor_list, "input")
    _check_list_len(pg, "alltoall", output_tensor_list, "output")
    dtype = input_tensor_list[0]._data.dtype
    send = xp.concatenate([xp.ascontiguousarray(t._data).reshape(-1) for t in input_tensor_list])
    send_counts = [t._data.size for t in input_tensor_list]
    recv_counts = [t._data.size for t in output_tensor_list]
    recv = xp.empty(sum(recv_counts), dtype)
    req = pg._comm.Ialltoallv([_wire(send), send_counts], [_wire(recv), recv_counts])

    def finish(_):
        offset = 0
        for t, n in zip(output_tensor_list, recv_counts):
            _store(t, recv[offset : offset + n])
            offset += n

    return _run(pg, [req], finish, "all_to_all", async_op, output_tensor_list)


def all_to_all_single(
    output, input, output_split_sizes=None, input_split_sizes=None, group=None, async_op=False
):
    """``all_to_all`` on one tensor split along its first dimension (equal parts by default)."""
    _check_tensor(output, "output")
    _check_tensor(input, "input")
    _check_same_dtype([output, input])
    pg = _group(group)
    if pg is None:
        return _not_member("all_to_all_single")
    n = pg.size()

    def counts(t, splits):
        row = t._data.size // t._data.shape[0] if t._data.ndim and t._data.shape[0] else 0
        if splits is None:
            if t._data.ndim == 0 or t._data.shape[0] % n:
                raise RuntimeError(
                    f"{pg._label}::alltoall_base: Tensor's dim 0 does not divide "
                    "equally across group size"
                )
            return [t._data.size // n] * n
        if len(splits) != n or sum(splits) != t._data.shape[0]:
            raise RuntimeError(
                f"{pg._label}::alltoall_base: Split sizes doesn't match total dim 0 size"
            )
        return [s * row for s in splits]

    send_counts, recv_counts = counts(input, input_split_sizes), counts(output, output_split_sizes)
    send, recv = _buffer(input), _buffer(output)
    req = pg._comm.Ialltoallv([_wire(send), send_counts], [_wire(recv), recv_counts])
    return _run(pg, [req], lambda _: _store(output, recv), "all_to_all_single", async_op, (output,))


def barrier(group=None, async_op=False, device_ids=None):
    """Wait until every rank of the group has reached its barrier."""
    pg = _group(group)
    if pg is None:
        return _not_member("barrier")
    return _run(pg, [pg._comm.Ibarrier()], None, "barrier", async_op)


def monitored_barrier(group=None, timeout=None, wait_all_ranks=False) -> None:
    """A barrier that fails after ``timeout`` (the group's by default) when a rank does not come.
    ``wait_all_ranks`` is accepted: MPI cannot tell which ranks are missing either way."""
    pg = _group(group)
    if pg is None:
        return _not_member("monitored_barrier")
    Work([pg._comm.Ibarrier()], None, "monitored_barrier", pg._timeout).wait(timeout)
    return None


def get_node_local_rank(fallback_rank=None) -> int:
    """This process's rank on its machine: LOCAL_RANK, else ``fallback_rank``."""
    if "LOCAL_RANK" in os.environ:
        return int(os.environ["LOCAL_RANK"])
    if fallback_rank is not None:
        return int(fallback_rank)
    raise RuntimeError(
        "LOCAL_RANK is not in the environment. Consider passing fallback_rank to "
        "allow `get_node_local_rank` to work, assuming you are not running in a "
        "multi-device context and want the code to run locally instead."
    )


# --- point to point -------------------------------------------------------------------------------
def _peer(pg, global_rank, group_peer, kind):
    r = _root(pg, "send" if kind == "destination" else "recv", global_rank, group_peer, kind)
    if r == pg.rank():
        raise ValueError(
            f"Invalid {kind} rank: {kind} rank should not be the same as the rank of "
            "the current process."
        )
    return r


def isend(tensor, dst=None, group=None, tag=0, group_dst=None):
    """Start sending ``tensor`` to ``dst``; returns the Work."""
    _check_tensor(tensor, "tensor")
    pg = _group(group)
    if pg is None:
        return _not_member("isend")
    peer = _peer(pg, dst, group_dst, "destination")
    buf = xp.ascontiguousarray(tensor._data)  # the caller may write the tensor while it travels
    return Work([pg._comm.Isend(_wire(buf), dest=peer, tag=tag)], None, "send", pg._timeout)


def irecv(tensor, src=None, group=None, tag=0, group_src=None):
    """Start receiving into ``tensor`` from ``src`` (any rank when None); returns the Work."""
    _check_tensor(tensor, "tensor")
    pg = _group(group)
    if pg is None:
        return _not_member("irecv")
    peer = (
        _MPI.ANY_SOURCE
        if src is None and group_src is None
        else _peer(pg, src, group_src, "source")
    )
    buf = _buffer(tensor)
    req = pg._comm.Irecv(_wire(buf), source=peer, tag=tag)
    return Work([req], lambda _: _store(tensor, buf), "recv", pg._timeout)


def send(tensor, dst=None, group=None, tag=0, group_dst=None) -> None:
    work = isend(tensor, dst, group, tag, group_dst)
    if work is not None:
        work.wait()


def recv(tensor, src=None, group=None, tag=0, group_src=None) -> int:
    """Receive into ``tensor``; returns the sender's global rank."""
    work = irecv(tensor, src, group, tag, group_src)
    if work is None:
        return -1
    work.wait()
    return _group(group)._ranks[work.source_rank()]


# --- objects --------------------------------------------------------------------------------------
def _bytes_of(obj):
    return xp.frombuffer(_objects.dumps(obj), xp.uint8)


def _blocking(pg, request, what):
    """Wait for one request against the group's timeout, as every blocking call here does."""
    Work([request], None, what, pg._timeout).wait()


def _gather_bytes(pg, data, root):
    """Every rank's bytes at ``root`` (all ranks when root is None), as a list of bytes."""
    comm = pg._comm
    what = "all_gather_object" if root is None else "gather_object"
    sizes = xp.empty(pg.size(), xp.int64)
    mine = xp.array([data.size], xp.int64)
    if root is None:
        _blocking(pg, comm.Iallgather(mine, sizes), what)
    else:
        _blocking(pg, comm.Igather(mine, sizes, root=root), what)
    if root is not None and pg.rank() != root:
        _blocking(pg, comm.Igatherv(data, None, root=root), what)
        return None
    recv = xp.empty(int(sizes.sum()), xp.uint8)
    spec = [recv, sizes.tolist()]
    if root is None:
        _blocking(pg, comm.Iallgatherv(data, spec), what)
    else:
        _blocking(pg, comm.Igatherv(data, spec, root=root), what)
    ends = xp.cumsum(sizes).tolist()
    return [recv[e - s : e].tobytes() for s, e in zip(sizes.tolist(), ends)]


def broadcast_object_list(object_list, src=None, group=None, device=None, group_src=None):
    """``src``'s objects replace ``object_list``'s items on every rank."""
    pg = _group(group)
    if pg is None:
        return _not_member("broadcast_object_list")
    root = _root(pg, "broadcast", src, group_src)
    comm = pg._comm
    me = pg.rank() == root
    data = _bytes_of(list(object_list)) if me else None
    size = xp.array([data.size if me else 0], xp.int64)
    _blocking(pg, comm.Ibcast(size, root=root), "broadcast_object_list")
    if not me:
        data = xp.empty(int(size[0]), xp.uint8)
    _blocking(pg, comm.Ibcast(data, root=root), "broadcast_object_list")
    if not me:
        object_list[:] = _objects.loads(data.tobytes())


def all_gather_object(object_list, obj, group=None):
    """``object_list[i]`` becomes rank i's ``obj``."""
    pg = _group(group)
    if pg is None:
        return _not_member("all_gather_object")
    for i, data in enumerate(_gather_bytes(pg, _bytes_of(obj), None)):
        object_list[i] = _objects.loads(data)


def gather_object(obj, object_gather_list=None, dst=None, group=None, group_dst=None):
    """``dst``'s ``object_gather_list[i]`` becomes rank i's ``obj``."""
    pg = _group(group)
    if pg is None:
        return _not_member("gather_object")
    root = _root(pg, "gather", dst, group_dst)
    if pg.rank() == root and object_gather_list is None:
        raise ValueError("Argument ``gather_list`` must be specified on destination rank.")
    if pg.rank() != root and object_gather_list is not None:
        raise ValueError("Argument ``gather_list`` must NOT be specified on non-destination ranks.")
    parts = _gather_bytes(pg, _bytes_of(obj), root)
    if parts is not None:
        for i, data in enumerate(parts):
            object_gather_list[i] = _objects.loads(data)


def scatter_object_list(
    scatter_object_output_list, scatter_object_input_list=None, src=None, group=None, group_src=None
):
    """Rank i's ``scatter_object_output_list[0]`` becomes ``src``'s
    ``scatter_object_input_list[i]``."""
    pg = _group(group)
    if pg is None:
        return _not_member("scatter_object_list")
    if not isinstance(scatter_object_output_list, list) or len(scatter_object_output_list) < 1:
        raise ValueError(
            "Expected argument scatter_object_output_list to be a list of size at least 1."
        )
    root = _root(pg, "scatter", src, group_src)
    comm = pg._comm
    if pg.rank() == root:
        parts = [_bytes_of(o) for o in scatter_object_input_list]
        sizes = xp.array([p.size for p in parts], xp.int64)
        send = [xp.concatenate(parts) if parts else xp.empty(0, xp.uint8), sizes.tolist()]
    else:
        sizes, send = None, None
    size = xp.empty(1, xp.int64)
    _blocking(pg, comm.Iscatter(sizes, size, root=root), "scatter_object_list")
    recv = xp.empty(int(size[0]), xp.uint8)
    _blocking(pg, comm.Iscatterv(send, recv, root=root), "scatter_object_list")
    scatter_object_output_list[0] = _objects.loads(recv.tobytes())
