"""``torch.cuda`` names that programs call on machines without a GPU: each returns what PyTorch's
CPU-only build returns, or raises its exception type with its text."""

import warnings

import pytest
import torch

import retrograd

CALLS = {
    "reset_max_memory_allocated": lambda c: c.reset_max_memory_allocated(),
    "reset_max_memory_cached": lambda c: c.reset_max_memory_cached(),
    "reset_peak_memory_stats": lambda c: c.reset_peak_memory_stats(0),
    "reset_accumulated_memory_stats": lambda c: c.reset_accumulated_memory_stats(),
    "reset_accumulated_memory_stats(cuda:1)": lambda c: c.reset_accumulated_memory_stats("cuda:1"),
    "memory_summary": lambda c: c.memory_summary(),
    "memory_summary(abbreviated)": lambda c: c.memory_summary(device=0, abbreviated=True),
    "memory_stats": lambda c: c.memory_stats(),
    "memory_stats_as_nested_dict": lambda c: c.memory_stats_as_nested_dict(),
    "host_memory_stats": lambda c: c.host_memory_stats(),
    "memory_snapshot": lambda c: c.memory_snapshot(),
    "get_allocator_backend": lambda c: c.get_allocator_backend(),
    "caching_allocator_alloc": lambda c: c.caching_allocator_alloc(10),
    "max_memory_cached": lambda c: c.max_memory_cached(),
    "memory.memory_allocated": lambda c: c.memory.memory_allocated(),
    "set_stream(None)": lambda c: c.set_stream(None),
    "set_stream(1)": lambda c: c.set_stream(1),
    "stream(object)": lambda c: c.stream(object()).__enter__(),
    "stream(None)": lambda c: c.stream(None).__enter__(),
    "CudaError(2)": lambda c: c.CudaError(2),
    "CudaError is RuntimeError": lambda c: issubclass(c.CudaError, RuntimeError),
    "OutOfMemoryError": lambda c: (
        c.OutOfMemoryError is c.OutOfMemoryError,
        issubclass(c.OutOfMemoryError, RuntimeError),
        c.OutOfMemoryError.__name__,
        str(c.OutOfMemoryError("out of memory")),
    ),
    "CUDAGraph()": lambda c: c.CUDAGraph(),
    "CUDAGraph(keep_graph)": lambda c: c.CUDAGraph(keep_graph=True),
    "graph(g)": lambda c: c.graph(object()),
    "graph(g, stream).__enter__": lambda c: c.graph(object(), stream=object()).__enter__(),
    "graphs.graph_pool_handle": lambda c: c.graphs.graph_pool_handle(),
    "is_current_stream_capturing": lambda c: c.is_current_stream_capturing(),
    "make_graphed_callables": lambda c: c.make_graphed_callables(
        c._lib.nn.Linear(2, 2), (c._lib.randn(1, 2),)
    ),
    "make_graphed_callables(non-tensor)": lambda c: c.make_graphed_callables(
        c._lib.nn.Linear(2, 2), (1,)
    ),
    "default_generators": lambda c: c.default_generators,
    "FloatStorage()": lambda c: c.FloatStorage(),
    "LongStorage(3)": lambda c: c.LongStorage(3),
    "DoubleStorage.dtype": lambda c: str(c.DoubleStorage.dtype),
    "isinstance FloatStorage": lambda c: isinstance(3, c.FloatStorage),
    "get_sync_debug_mode": lambda c: c.get_sync_debug_mode(),
    "current_blas_handle": lambda c: c.current_blas_handle(),
    "get_gencode_flags": lambda c: c.get_gencode_flags(),
    "_is_compiled": lambda c: c._is_compiled(),
}


class _Cuda:
    """The library's ``cuda`` module, with the library itself at hand."""

    def __init__(self, lib):
        self._lib = lib
        self._cuda = lib.cuda

    def __getattr__(self, name):
        return getattr(self._cuda, name)


def _outcome(lib, call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = ("returns", call(_Cuda(lib)))
        except Exception as e:
            result = ("raises", type(e), str(e))
    return result, [(w.category, str(w.message)) for w in caught]


@pytest.mark.parametrize("name", list(CALLS))
def test_same_outcome_as_cpu_only_pytorch(name):
    assert _outcome(retrograd, CALLS[name]) == _outcome(torch, CALLS[name])


def test_out_of_memory_error_is_one_class():
    assert retrograd.OutOfMemoryError is retrograd.cuda.OutOfMemoryError
    assert retrograd.OutOfMemoryError.__module__ == torch.OutOfMemoryError.__module__
    try:
        raise retrograd.OutOfMemoryError("x")
    except RuntimeError as e:
        assert str(e) == "x"


def test_storage_names_and_module_paths():
    names = sorted(n for n in dir(torch.cuda) if n.endswith("Storage") and not n.startswith("_"))
    assert names == sorted(
        n for n in dir(retrograd.cuda) if n.endswith("Storage") and not n.startswith("_")
    )
    for module in ("graphs", "memory", "streams"):
        public = getattr(torch.cuda, module).__dict__.get("__all__", ())
        mine = getattr(retrograd.cuda, module)
        for name in public:
            if name in ("graphs", "memory", "streams"):
                continue
            assert hasattr(mine, name) or name not in vars(retrograd.cuda), (module, name)
    from retrograd.cuda.graphs import CUDAGraph, graph, make_graphed_callables  # noqa: F401
    from retrograd.cuda.memory import memory_stats_as_nested_dict, memory_summary  # noqa: F401
