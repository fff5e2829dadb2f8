"""The switches that several layers read: grad mode, anomaly mode, forward-mode AD, saved-tensor
hooks.

This module sits at the bottom of the package and imports nothing from it, so ``tensor``, the op
table and the engine can all read it without importing one another.  Each switch has one owner that
sets it (``autograd.grad_mode``, ``autograd.anomaly``, ``autograd.forward_ad``, ``autograd.graph``);
everyone else only reads.  A feature that is off is ``None`` or ``False`` here, so an op call pays
one attribute read per switch.
"""

import threading
from typing import Any


class GradMode(threading.local):
    """Grad mode, per thread as in PyTorch (``no_grad`` in one thread leaves the others alone)."""

    enabled = True  # class attributes, so every new thread starts with grad mode on
    inference = False


grad_mode = GradMode()
# How many inference_mode blocks are open, in all threads (``autograd.grad_mode``): while none is,
# the op table and ``tensor._make`` need not read the thread's flag (a thread-local read) to tell
# whether they make inference tensors.  ``inference_seen``: whether any block ever opened (then
# inference tensors may be about, and a node checks that it saves none).
inference_blocks = 0
inference_seen = False
# Tensors made by an op and then detached in place (``Tensor.detach_``), by id: (a weak
# reference, the node sequence number at the detach).  A node made before that which saved one
# refuses to run, as PyTorch's does.  None until the first such detach.
detached = None
# Whether any node was ever told the shape one of its outputs had before it changed in place
# outside the graph (``autograd.node.keep_input_shape``): until then the engine checks no gradient
# it delivers against such a shape.
kept_shapes = False
# Whether any node was ever given a hook, a ``retain_grad`` or a kept input shape (its
# ``_hooked`` flag, ``autograd.node.mark_hooked``): until then the engine reads no node's flag.
node_hooks = False

# Whether the backward pass may use worker threads (``autograd.grad_mode``): process-wide as in
# PyTorch.  The engine runs every node in the calling thread either way; the flag is kept so that
# programs that set and read it see their own setting.
multithreading = True

# Which kernels ``F.scaled_dot_product_attention`` may use (``backends.cuda``'s ``enable_*_sdp``,
# ``nn.attention.sdpa_kernel``).  On the CPU only the fused ("flash") kernel and the composed
# ("math") one exist.
sdp_enabled = {
    "flash": True,
    "mem_efficient": True,
    "math": True,
    "cudnn": True,
    "overrideable": True,
}

# Anomaly mode (``autograd.anomaly``), process-wide as in PyTorch.  ``anomaly_hook`` is the check
# the op table runs on each recorded op while the mode is on.
anomaly = False
anomaly_check_nan = True
anomaly_hook: Any = None

# Forward-mode AD (``autograd.forward_ad``): while a dual level is open, the hook the op table calls
# after each op to give its outputs their tangents (the fast paths then defer to the general one).
forward_ad_hook: Any = None

# The op-call interceptor of vmap (``func``) and selective checkpointing (``utils.checkpoint``),
# per thread as PyTorch's dispatch modes: ``interception.handler(fn, args, kwargs)`` runs an op or a
# composite function its own way (vmap: on batched tensors by their batching rule), or answers
# NotImplemented to have it run as usual.  ``batching`` is what the ops read: None while no thread
# has a handler (an op call pays one attribute read), else ``_intercept``, which hands the call to
# this thread's handler (the fast paths then defer to the general one, which asks it first).
# ``set_handler`` is the one way to install or remove a handler.


class Interception(threading.local):
    handler: Any = None  # class attribute, so every new thread starts with none


interception = Interception()
batching: Any = None
_handlers = 0  # threads with a handler
_handlers_lock = threading.Lock()


def _intercept(fn, args, kwargs):
    handler = interception.handler
    if handler is None:
        return NotImplemented
    return handler(fn, args, kwargs)


def set_handler(handler) -> Any:
    """Make ``handler`` (or None) this thread's op-call interceptor; returns the one it replaces.
    (To step aside for one call, a handler sets ``interception.handler`` itself and puts it back:
    that leaves ``batching`` as it is.)"""
    global batching, _handlers
    previous = interception.handler
    interception.handler = handler
    with _handlers_lock:
        _handlers += (handler is not None) - (previous is not None)
        batching = _intercept if _handlers else None
    return previous


# The profiler (``autograd.profiler``) while one runs, else None: the engine reads it once a pass
# and then has it run each node, timed.
profiler: Any = None

# ``random_check()``, which the generators call before each draw (``func`` sets it on import): it
# raises vmap's error for random ops inside vmap(randomness="error").
random_check: Any = None

# Saved-tensor hooks (``autograd.graph``): while a block is open in any thread, the hook that packs
# what a new node saves.
pack_hook: Any = None

# Where the graph was cut (``autograd.cuts``, which sets itself here when imported): tensor.py
# notes a detach, .data, numpy(), item() or tolist() of a tensor in the graph through it.
cuts: Any = None

# bfloat16's NumPy dtype once ml_dtypes is imported (``dtypes``), else None: the op table computes
# bfloat16 ops in float32 and rounds once, as PyTorch does on the CPU.
bfloat16: Any = None

# CPU autocast (``amp.autocast_mode``): the low-precision dtype while a region is on, else None.
autocast: Any = None
