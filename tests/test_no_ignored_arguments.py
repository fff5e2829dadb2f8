"""No public argument is accepted and silently ignored: every parameter of every public function
and method in ``src/retrograd`` is read by its body, or is listed below with the reason it needs
no reading (PyTorch's CPU-only build ignores it too, it cannot change the result, or another part
of the project owns the function).  A new unread parameter fails this test until it is honoured,
rejected with ``NotImplementedError``, or listed here with its reason."""

import ast
import pathlib

import retrograd

ROOT = pathlib.Path(retrograd.__file__).parent

# The factories' ``device``, ``out``, ``pin_memory``, ``layout`` and ``memory_format`` are read by
# the decorator that wraps them (creation._python_dtypes), not by their bodies.
DECORATOR_READS = {"_python_dtypes": {"device", "out", "pin_memory", "layout", "memory_format"}}

_CPU_ONLY = "PyTorch's CPU-only build ignores it as well (no GPU to act on)"
_NO_EFFECT = "an implementation choice with the same result"
_ELSEWHERE = "owned by another part of the project (its own issue)"

ALLOWED = {
    **dict.fromkeys(
        ("autograd.profiler:profile.__init__", "profiler.__init__:profile.__init__"),
        {
            "use_cuda": _CPU_ONLY,
            "use_device": _CPU_ONLY,
            "with_flops": "no FLOP counts: each event's flops stays 0 and the table has no FLOP "
            "column, as PyTorch's for an op it has no formula for",
            "with_modules": "PyTorch records module scopes of TorchScript models only, which "
            "retrograd does not have",
            "use_kineto": _NO_EFFECT + " (PyTorch's choice of tracer backend)",
            "use_cpu": "the CPU is always recorded: there is nothing else to record",
            "experimental_config": "options of PyTorch's Kineto tracer, which retrograd does not use",
            "acc_events": "one profiling run has one cycle: every event is kept either way",
            "custom_trace_id_callback": "ids of Kineto's traces, which retrograd does not write",
            "execution_trace_observer": "ExecutionTraceObserver refuses to be made, so none comes",
        },
    ),
    "autograd.profiler:EventList.table": {
        "max_src_column_width": "the table prints no source-location column to size",
    },
    "futures:Future.__init__": {"devices": _CPU_ONLY},
    "overrides:has_torch_function": {"relevant_args": "no argument overrides in retrograd"},
    "overrides:has_torch_function_unary": {"arg": "no argument overrides in retrograd"},
    "overrides:wrap_torch_function": {"dispatcher": "retrograd has no dispatch to wrap into"},
    "package.__init__:is_from_package": {"obj": "retrograd makes no packages to come from"},
    "nn.functional:linear_cross_entropy": {
        "options": "PyTorch's chunking of the batch to save memory: the same loss and gradients",
    },
    "nn.functional:max_pool1d_with_indices": {
        "return_indices": "PyTorch's signature has it and returns the indices whatever it says",
    },
    "autograd.gradcheck:gradcheck": {
        "fast_mode": "the full check runs (fast mode checks a projection of the same Jacobians)",
        "masked": "every tensor is dense: all elements are specified and checked either way",
    },
    "autograd.gradcheck:UndefinedGradBackward.apply": {
        "grads": "a node's apply(grads, needed): this node passes no gradient on, by design",
        "needed": "a node's apply(grads, needed): this node passes no gradient on, by design",
    },
    "autograd.node:AccumulateGrad.apply": {
        "grads": "the engine handles AccumulateGrad itself; apply is never called",
        "needed": "the engine handles AccumulateGrad itself; apply is never called",
    },
    "autograd.node:AccumulateGrad.__lt__": {
        "other": "ready AccumulateGrads tie in the backward queue: none orders before another"
    },
    "autograd.graph:save_on_cpu.__init__": {"pin_memory": _CPU_ONLY, "device_type": _CPU_ONLY},
    "utils.hooks:BackwardHookFunction.backward": {
        "ctx": "the identity's backward hands the gradients on: it needs nothing saved"
    },
    "backends.cudnn:is_acceptable": {"tensor": "no tensor is acceptable to cuDNN without a GPU"},
    "cpu.__init__:current_stream": {"device": "the CPU has one stream"},
    "creation:Generator.__init__": {"device": _ELSEWHERE + " (random streams)"},
    "cuda.__init__:is_bf16_supported": {"including_emulation": _CPU_ONLY},
    "cuda.__init__:set_rng_state": {"new_state": _CPU_ONLY, "device": _CPU_ONLY},
    "cuda.__init__:set_rng_state_all": {"new_states": _CPU_ONLY},
    **dict.fromkeys(
        (
            "cuda.memory:memory_allocated",
            "cuda.memory:max_memory_allocated",
            "cuda.memory:memory_reserved",
            "cuda.memory:max_memory_reserved",
            "cuda.memory:memory_stats",
            "cuda.memory:memory_stats_as_nested_dict",
            "cuda.memory:list_gpu_processes",
        ),
        {"device": _CPU_ONLY},
    ),
    "nn.attention.__init__:sdpa_kernel": {
        "set_priority": "orders the GPU kernels; PyTorch's CPU build ignores it as well"
    },
    "utils.checkpoint:create_selective_checkpoint_contexts": {
        "allow_cache_entry_mutation": "selective checkpointing is not built: the call raises "
        "NotImplementedError naming it"
    },
    "nn.attention.flex_attention:noop_mask": dict.fromkeys(
        ("b", "h", "q_idx", "kv_idx"),
        "a mask function's signature: this mask keeps every position whatever the indices",
    ),
    "nn.attention.flex_attention:create_block_mask": {
        "device": _CPU_ONLY,
        **dict.fromkeys(
            ("separate_full_blocks", "compute_dq_write_order", "dq_kv_order"),
            "shape the block-sparse form of the mask, which is not built (its attributes raise "
            "NotImplementedError)",
        ),
    },
    "nn.attention.flex_attention:flex_attention": {
        "kernel_options": "tunes the compiled kernel: the eager computation has none to tune"
    },
    "cuda.graphs:make_graphed_callables": dict.fromkeys(
        ("num_warmup_iters", "allow_unused_input", "pool"),
        "making the first CUDA graph fails before they matter, as in PyTorch's CPU-only build",
    ),
    "cuda.__init__:device_of.__init__": {"obj": "every tensor is on the CPU: no CUDA device"},
    "accelerator.__init__:current_accelerator": {
        "check_available": "there is no accelerator, available or not: None either way"
    },
    "xpu.__init__:is_bf16_supported": {"including_emulation": _CPU_ONLY},
    "xpu.__init__:set_rng_state": {"device": _CPU_ONLY},
    "xpu.__init__:memory_snapshot": {"mempool_id": _CPU_ONLY},
    "xpu.__init__:graph.__init__": dict.fromkeys(
        ("pool", "stream", "capture_error_mode"), _CPU_ONLY
    ),
    "xpu.__init__:device_of.__init__": {"obj": "every tensor is on the CPU: no XPU device"},
    "mtia.__init__:is_bf16_supported": {"including_emulation": _CPU_ONLY},
    "mtia.__init__:set_rng_state_all": {"new_states": _CPU_ONLY},
    "mtia.__init__:set_stream": {"stream": _CPU_ONLY},
    "mtia.__init__:record_memory_history": dict.fromkeys(
        ("enabled", "stacks", "max_entries"), _CPU_ONLY
    ),
    **dict.fromkeys(
        ("mtia.__init__:memory_stats", "mtia.__init__:reset_peak_memory_stats"),
        {"device": _CPU_ONLY},
    ),
    "hub:list": dict.fromkeys(
        ("force_reload", "skip_validation", "trust_repo", "verbose"),
        "concerns downloads, which are not built (local directories only)",
    ),
    **dict.fromkeys(
        ("ops.lu:ldl_factor", "ops.lu:ldl_factor_ex", "ops.lu:ldl_solve"),
        {
            "hermitian": "real symmetric matrices are Hermitian: the same factorization either way "
            "(complex ones are refused)"
        },
    ),
    "hub:help": dict.fromkeys(
        ("force_reload", "skip_validation", "trust_repo"),
        "concerns downloads, which are not built (local directories only)",
    ),
    "hub:load": dict.fromkeys(
        ("trust_repo", "force_reload", "verbose", "skip_validation"),
        "concerns downloads, which are not built (local directories only)",
    ),
    "hub:load_state_dict_from_url": dict.fromkeys(
        ("progress", "check_hash"), "concerns downloads; PyTorch skips it for a cached file too"
    ),
    "jit:script": {"example_inputs": "guides TorchScript's type inference; eager code needs none"},
    "jit:trace": dict.fromkeys(
        ("check_trace", "check_inputs", "check_tolerance", "strict"),
        "the 'trace' is the eager code itself: the checks compare it with "
        "itself and always pass; nothing is recorded to be strict about",
    ),
    "jit:trace_module": dict.fromkeys(
        ("optimize", "check_trace", "check_inputs", "check_tolerance", "strict"),
        "as for trace: the module runs eagerly",
    ),
    "jit:annotate": {"the_type": "a type for the compiler; eager code returns the value"},
    "jit:freeze": {
        "preserved_attrs": "nothing is inlined, so every attribute is preserved",
        "optimize_numerics": "no compiled program to optimise",
    },
    "jit:optimize_for_inference": {"other_methods": "no compiled program to optimise"},
    "nn.functional:embedding": {
        "norm_type": "used only with max_norm, which raises NotImplementedError when given"
    },
    "nn.parallel.data_parallel:DataParallel.__init__": dict.fromkeys(
        ("device_ids", "output_device", "dim"), _CPU_ONLY + ": it runs the module whole"
    ),
    "nn.utils.weight_norm:WeightNorm.__call__": {
        "inputs": "a forward pre-hook's (module, inputs): the weight does not depend on them"
    },
    "nn.utils.spectral_norm:SpectralNorm.__call__": {
        "inputs": "a forward pre-hook's (module, inputs): the weight does not depend on them"
    },
    "nn.parameter:Parameter.__reduce_ex__": {"protocol": "pickle's protocol number"},
    "nn.parameter:UninitializedTensorMixin.__reduce_ex__": {"protocol": "pickle's protocol number"},
    "tensor:Tensor.__reduce_ex__": {"protocol": "pickle's protocol number"},
    "nn.utils.clip_grad:clip_grad_norm_": {"foreach": _NO_EFFECT},
    "nn.utils.clip_grad:clip_grad_value_": {"foreach": _NO_EFFECT},
    "nn.utils.clip_grad:get_total_norm": {"foreach": _NO_EFFECT},
    "nn.utils.clip_grad:clip_grads_with_norm_": {"foreach": _NO_EFFECT},
    "ops.conv:max_pool2d_with_indices": {
        "return_indices": "PyTorch's max_pool2d_with_indices returns the indices whatever it says"
    },
    "ops.pool3d:max_pool3d_with_indices": {
        "return_indices": "PyTorch's max_pool3d_with_indices returns the indices whatever it says"
    },
    "ops.pool3d:adaptive_max_pool3d_with_indices": {
        "return_indices": "PyTorch's adaptive_max_pool3d_with_indices returns the indices whatever "
        "it says"
    },
    "ops.indexing:unique": {"sorted": "PyTorch's CPU unique sorts whatever it says, as here"},
    "ops.sorting:argsort": {"stable": "a stable order is a valid answer when none is asked for"},
    "ops.inplace:copy_": {"non_blocking": "CPU copies are synchronous either way"},
    "ops.pointwise:zero_grad": {"n": "a derivative formula (g, node): this one needs only g"},
    "testing:assert_close": {
        "check_device": "every tensor is on the CPU",
        "check_layout": "every tensor is dense (torch.strided)",
    },
    "serialization.__init__:location_tag": {
        "storage": "every storage is on the CPU: its tag is 'cpu' whatever it is"
    },
    "random:fork_rng": {"devices": _CPU_ONLY, "device_type": _CPU_ONLY},
    "distributed.distributed_c10d:init_process_group": {
        "group_name": "deprecated in PyTorch too; MPI names the world group"
    },
    "distributed.distributed_c10d:new_group": {"group_desc": "a label for debug logs only"},
    "distributed.distributed_c10d:barrier": {"device_ids": _CPU_ONLY},
    "distributed.distributed_c10d:monitored_barrier": {
        "wait_all_ranks": "a rank that does not arrive fails the whole MPI job either way"
    },
    "distributed.distributed_c10d:broadcast_object_list": {"device": _CPU_ONLY},
    "nn.parallel.distributed:DistributedDataParallel.__init__": {
        "check_reduction": "deprecated and ignored by PyTorch too"
    },
    **{
        f"distributions.transforms:{name}.log_abs_det_jacobian": {
            "y": "the transform's interface passes x and y = f(x); this one's Jacobian needs x only"
        }
        for name in (
            "ReshapeTransform",
            "ExpTransform",
            "SigmoidTransform",
            "SoftplusTransform",
            "TanhTransform",
            "AffineTransform",
            "CumulativeDistributionTransform",
        )
    },
    "distributions.transforms:CorrCholeskyTransform.log_abs_det_jacobian": {
        "intermediates": "in PyTorch's signature, and unused there too (the Jacobian needs x, y)"
    },
    "distributions.utils:lazy_property.__get__": {
        "obj_type": "the descriptor protocol's owner class; the value depends on the instance"
    },
    "utils.data.dataset:Dataset.__class_getitem__": {
        "item": "Dataset[int] is a type annotation: the class itself, as in PyTorch"
    },
    "utils.data.sampler:Sampler.__class_getitem__": {
        "item": "Sampler[int] is a type annotation: the class itself, as in PyTorch"
    },
}


def _is_public(name: str) -> bool:
    return not name.startswith("_") or (name.startswith("__") and name.endswith("__"))


def _decorator_names(fn):
    for d in fn.decorator_list:
        target = d.func if isinstance(d, ast.Call) else d
        yield target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")


def _is_stub(fn) -> bool:
    """A body that only raises (or passes): it honours nothing and ignores nothing."""
    body = [
        s for s in fn.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
    ]
    return all(isinstance(s, (ast.Pass, ast.Raise)) for s in body)


def _unread(fn, is_method: bool):
    a = fn.args
    params = [p.arg for p in a.posonlyargs + a.args + a.kwonlyargs]
    if is_method and params and params[0] in ("self", "cls"):
        params = params[1:]
    read = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)}
    for name in _decorator_names(fn):
        read |= DECORATOR_READS.get(name, set())
    return [p for p in params if p not in read and not p.startswith("_")]


def unread_parameters():
    """{"module:Qualified.name": [parameter, ...]} for the public API."""
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if any(p.startswith("_") and p != "__init__" for p in parts):
            continue
        module = ".".join(parts)

        def visit(node, prefix, is_method):
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.ClassDef) and not child.name.startswith("_"):
                    visit(child, prefix + child.name + ".", True)
                elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    if not _is_public(child.name) or _is_stub(child):
                        continue
                    unread = _unread(child, is_method)
                    if unread:
                        found[f"{module}:{prefix}{child.name}"] = unread

        visit(ast.parse(path.read_text()), "", False)
    return found


def test_every_public_parameter_is_read_or_justified():
    offenders = []
    for where, params in unread_parameters().items():
        allowed = ALLOWED.get(where, {})
        offenders += [f"{where}: {p}" for p in params if p not in allowed]
    assert not offenders, "parameters accepted and never read:\n" + "\n".join(offenders)


def test_the_scan_finds_an_ignored_argument(tmp_path, monkeypatch):
    """The scan itself works: an unread parameter is found, a read one is not."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "mod.py").write_text(
        "def f(a, b, *, c=None):\n    return a + c\n\n\n"
        "class K:\n    def m(self, x):\n        raise NotImplementedError\n\n"
        "    def n(self, y, z):\n        return y\n"
    )
    monkeypatch.setattr(__import__(__name__), "ROOT", package)
    assert unread_parameters() == {"mod:f": ["b"], "mod:K.n": ["z"]}


def test_every_reason_is_given():
    for where, params in ALLOWED.items():
        assert params and all(isinstance(r, str) and r for r in params.values()), where
