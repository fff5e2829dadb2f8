"""``DistributedDataParallel``: one model replica per process, gradients averaged across them.

At construction every parameter and buffer takes rank 0's values.  Parameters are laid into
buckets (reverse registration order, which is roughly the order their gradients are ready in;
the first bucket small, so communication starts early).  A post-accumulate-grad hook on each
parameter copies its gradient into its bucket; when a bucket is full (and every bucket before it
has gone, so every rank starts its all-reduces in the same order) a non-blocking all-reduce of it
starts while the backward pass goes on.  A final callback of the backward pass waits for them all
and writes the averages back into ``.grad`` before ``backward()`` returns.
"""

import contextlib
import weakref

from ... import distributed as dist
from ..._array import xp
from ..._switches import grad_mode as _grad_state
from ...autograd.engine import queue_callback
from ...tensor import _make, bump_version
from ..module import Module

_FIRST_BUCKET_BYTES = 1024 * 1024  # PyTorch's first bucket: 1 MiB, whatever bucket_cap_mb says

_UNFINISHED = (
    "Expected to have finished reduction in the prior iteration before starting a new one. This "
    "error indicates that your module has parameters that were not used in producing loss. You "
    "can enable unused parameter detection by passing the keyword argument "
    "`find_unused_parameters=True` to `torch.nn.parallel.DistributedDataParallel`, and by \n"
    "making sure all `forward` function outputs participate in calculating loss. \n"
    "If you already have done the above, then the distributed data parallel module wasn't able "
    "to locate the output tensors in the return value of your module's `forward` function. "
    "Please include the loss function and the structure of the return value of `forward` of "
    "your module when reporting this issue (e.g. list, dict, iterable).\n"
    "Parameter indices which did not receive grad for rank {rank}: {indices}\n"
    " In addition, you can set the environment variable TORCH_DISTRIBUTED_DEBUG to either INFO "
    "or DETAIL to print out information about which particular parameters did not receive "
    "gradient on this rank as part of this error"
)


class _Bucket:
    """Parameters whose gradients travel in one all-reduce: one flat array, a slice each."""

    __slots__ = ("indices", "offsets", "buffer", "pending", "work")

    def __init__(self, indices, params):
        self.indices = indices
        sizes = [params[i]._data.size for i in indices]
        self.offsets = [0]
        for n in sizes:
            self.offsets.append(self.offsets[-1] + n)
        self.buffer = xp.zeros(self.offsets[-1], params[indices[0]]._data.dtype)
        self.pending = len(indices)
        self.work = None


class DistributedDataParallel(Module):
    """Data parallelism across processes (``torch.nn.parallel.DistributedDataParallel``)."""

    def __init__(
        self,
        module,
        device_ids=None,
        output_device=None,
        dim=0,
        broadcast_buffers=None,
        init_sync=True,
        process_group=None,
        bucket_cap_mb=None,
        find_unused_parameters=False,
        check_reduction=False,
        gradient_as_bucket_view=False,
        static_graph=False,
        delay_all_reduce_named_params=None,
        param_to_hook_all_reduce=None,
        mixed_precision=None,
        device_mesh=None,
        skip_all_reduce_unused_params=False,
        bucket_cap_mb_list=None,
        batched_grad_copy=False,
        forward_sync_buffers=None,
    ):
        super().__init__()
        pg = dist.distributed_c10d._group(process_group)
        if device_ids is not None or output_device is not None:
            raise ValueError(
                "DistributedDataParallel device_ids and output_device arguments only work with "
                "single-device/multiple-device GPU modules or CPU modules, but got device_ids "
                f"{device_ids}, output_device {output_device}, and module parameters "
                "{device(type='cpu')}."
            )
        for name, value in (
            ("gradient_as_bucket_view", gradient_as_bucket_view),
            ("static_graph", static_graph),
            ("delay_all_reduce_named_params", delay_all_reduce_named_params),
            ("param_to_hook_all_reduce", param_to_hook_all_reduce),
            ("mixed_precision", mixed_precision),
            ("device_mesh", device_mesh),
            ("skip_all_reduce_unused_params", skip_all_reduce_unused_params),
            ("bucket_cap_mb_list", bucket_cap_mb_list),
            ("batched_grad_copy", batched_grad_copy),
            ("forward_sync_buffers", forward_sync_buffers is not None),
        ):
            if value:
                raise NotImplementedError(
                    f"DistributedDataParallel({name}=...) is not supported by retrograd."
                )
        all_params = list(module.parameters())
        params = [p for p in all_params if p.requires_grad]
        if not params:
            raise RuntimeError(
                "DistributedDataParallel is not needed when a module doesn't have "
                "any parameter that requires a gradient."
            )
        self.module = module
        self.process_group = pg
        self.dim = dim
        self.broadcast_buffers = True if broadcast_buffers is None else broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        self.bucket_bytes_cap = int((25 if bucket_cap_mb is None else bucket_cap_mb) * 1024 * 1024)
        self._params = params
        # each parameter's index in module.parameters(), which the unused-parameters error names
        self._param_index = [i for i, p in enumerate(all_params) if p.requires_grad]
        self._verify_same_model(all_params)
        if init_sync:
            for t in all_params + list(module.buffers()):
                dist.broadcast(t.detach(), src=dist.get_global_rank(pg, 0), group=pg)
        self._buckets = self._make_buckets(params)
        self._where = {}
        for b in self._buckets:
            for slot, i in enumerate(b.indices):
                self._where[id(params[i])] = (b, slot)
        self._marked = [False] * len(params)
        self._next_bucket = 0
        self._syncing = False  # the last forward asked for this backward to synchronise
        self._queued = False  # the final callback of this backward pass is queued
        self._unfinished = None  # indices of parameters that got no gradient last time
        self._grad_hooks = []
        me = weakref.ref(self)
        for i, p in enumerate(params):
            self._grad_hooks.append(p.register_post_accumulate_grad_hook(_hook(me, i)))

    # --- set-up -------------------------------------------------------------------------------
    def _verify_same_model(self, params):
        shapes = [(tuple(p.shape), str(p.dtype)) for p in params]
        everyone = [None] * self.process_group.size()
        dist.all_gather_object(everyone, shapes, group=self.process_group)
        for r, theirs in enumerate(everyone):
            if len(theirs) != len(shapes):
                raise RuntimeError(
                    f"DDP expects same model across all ranks, but Rank "
                    f"{self.process_group.rank()} has {len(shapes)} params, while "
                    f"rank {r} has inconsistent {len(theirs)} params."
                )
            for i, (mine, other) in enumerate(zip(shapes, theirs)):
                if mine != other:
                    raise RuntimeError(
                        f"DDP expects same model across all ranks, but Rank "
                        f"{self.process_group.rank()} has parameter {i} of shape {list(mine[0])} "
                        f"and {mine[1]}, while rank {r} has {list(other[0])} and {other[1]}."
                    )

    def _make_buckets(self, params):
        """Buckets of one dtype each, filled in reverse order of the parameters."""
        buckets, open_ = [], {}  # dtype -> (indices, bytes)
        cap = min(_FIRST_BUCKET_BYTES, self.bucket_bytes_cap)
        for i in reversed(range(len(params))):
            dtype = params[i]._data.dtype
            indices, size = open_.get(dtype, ([], 0))
            indices.append(i)
            size += params[i]._data.nbytes
            if size >= cap:
                buckets.append(_Bucket(indices, params))
                open_.pop(dtype, None)
                cap = self.bucket_bytes_cap
            else:
                open_[dtype] = (indices, size)
        for indices, _ in open_.values():
            buckets.append(_Bucket(indices, params))
        return buckets

    # --- the step -------------------------------------------------------------------------------
    def forward(self, *inputs, **kwargs):
        if self._unfinished is not None:
            indices = " ".join(str(self._param_index[i]) for i in self._unfinished)
            raise RuntimeError(_UNFINISHED.format(rank=self.process_group.rank(), indices=indices))
        self._syncing = _grad_state.enabled and self.require_backward_grad_sync
        if self._syncing:
            self._marked = [False] * len(self._params)
            for b in self._buckets:
                b.pending = len(b.indices)
                b.work = None
            self._next_bucket = 0
        if self.require_forward_param_sync and self.broadcast_buffers:
            for t in self.module.buffers():
                dist.broadcast(
                    t.detach(),
                    src=dist.get_global_rank(self.process_group, 0),
                    group=self.process_group,
                )
        return self.module(*inputs, **kwargs)

    def _ready(self, i):
        """Parameter ``i``'s gradient is accumulated (its post-accumulate-grad hook)."""
        if not self._syncing:
            return
        if self._marked[i]:
            raise RuntimeError(
                "Expected to mark a variable ready only once. This error is caused by one of the "
                "following reasons: 1) Use of a module parameter outside the `forward` function. "
                "2) Reused parameters in multiple reentrant backward passes. (retrograd: a second "
                "backward pass after one forward of the DistributedDataParallel module.)"
            )
        self._marked[i] = True
        if not self._queued:
            self._queued = True
            queue_callback(self._finish)
        bucket, slot = self._where[id(self._params[i])]
        self._copy_in(bucket, slot)
        bucket.pending -= 1
        if bucket.pending == 0:
            self._launch_ready()
        else:
            self._progress()

    def _copy_in(self, bucket, slot):
        p = self._params[bucket.indices[slot]]
        part = bucket.buffer[bucket.offsets[slot] : bucket.offsets[slot + 1]]
        if p._grad is None:
            part.fill(0)
        else:
            part[...] = p._grad._data.reshape(-1)

    def _launch_ready(self):
        """Start the all-reduce of every full bucket whose predecessors have all started."""
        buckets = self._buckets
        while self._next_bucket < len(buckets) and buckets[self._next_bucket].pending == 0:
            b = buckets[self._next_bucket]
            b.buffer /= self.process_group.size()
            b.work = dist.all_reduce(_make(b.buffer), group=self.process_group, async_op=True)
            self._next_bucket += 1

    def _progress(self):
        """Let MPI move the all-reduces already started (it progresses only inside its calls)."""
        for b in self._buckets[: self._next_bucket]:
            if b.work is not None:
                b.work.is_completed()

    def _finish(self):
        """End of the backward pass: wait for every bucket, then write the averages to .grad."""
        self._queued = False
        used = None
        if self._next_bucket < len(self._buckets):
            missing = [i for i, m in enumerate(self._marked) if not m]
            if not self.find_unused_parameters:
                self._unfinished = missing
                self._wait_and_write(self._buckets[: self._next_bucket], None)
                return
            used = xp.array(self._marked, xp.int32)
            used_work = dist.all_reduce(_make(used), group=self.process_group, async_op=True)
            for i in missing:  # a parameter this rank did not use adds its .grad, or zeros
                bucket, slot = self._where[id(self._params[i])]
                self._copy_in(bucket, slot)
                bucket.pending -= 1
            self._launch_ready()
            used_work.wait()
        self._wait_and_write(self._buckets, used)

    def _wait_and_write(self, buckets, used):
        params = self._params
        for b in buckets:
            b.work.wait()
            b.work = None
            for slot, i in enumerate(b.indices):
                p = params[i]
                part = b.buffer[b.offsets[slot] : b.offsets[slot + 1]].reshape(p._data.shape)
                g = p._grad
                if g is None:
                    if used is not None and used[i] == 0:
                        continue  # no rank used it: its gradient stays None, as in PyTorch
                    p._grad = _make(part.copy())
                elif g._data.flags.writeable and g._data.shape == part.shape:
                    g._data[...] = part
                    bump_version(g, None)
                else:
                    p._grad = _make(part.copy())

    @contextlib.contextmanager
    def no_sync(self):
        """Backward passes of forwards run inside accumulate ``.grad`` locally, with no
        communication; the first synchronised backward after averages the accumulated sum."""
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    def register_comm_hook(self, state, hook):
        raise NotImplementedError(
            "DistributedDataParallel.register_comm_hook is not supported by retrograd."
        )

    def join(self, *args, **kwargs):
        raise NotImplementedError(
            "DistributedDataParallel.join (uneven inputs) is not supported by retrograd."
        )


def _hook(ddp_ref, i):
    def hook(param):
        ddp = ddp_ref()
        if ddp is not None:
            ddp._ready(i)

    return hook
