"""``retrograd.cuda.graphs``: CUDA graph capture needs a GPU. The names are here so programs
import; using them fails as in PyTorch's CPU-only build."""

from .. import _device
from ..tensor import Tensor

__all__ = [
    "is_current_stream_capturing",
    "graph_pool_handle",
    "CUDAGraph",
    "graph",
    "make_graphed_callables",
]


def _dummy(name: str) -> RuntimeError:
    return RuntimeError(f"Tried to instantiate dummy base class {name}")


def is_current_stream_capturing() -> bool:
    raise _dummy("_cuda_isCurrentStreamCapturing")


def graph_pool_handle():
    raise _dummy("_graph_pool_handle")


class CUDAGraph:
    """``torch.cuda.CUDAGraph(keep_graph=False)``: cannot be made without CUDA."""

    def __new__(cls, keep_graph: bool = False):
        raise _dummy("CUDAGraph")


class graph:
    """``torch.cuda.graph(cuda_graph, pool=None, stream=None, capture_error_mode='global')``:
    capturing into a graph. Without a stream of its own it makes one, which fails; given one,
    entering the block fails."""

    default_capture_stream = None

    def __init__(
        self,
        cuda_graph,
        pool=None,
        stream=None,
        capture_error_mode: str = "global",
        enable_annotations: bool = False,
        check_input_liveness: bool = False,
    ) -> None:
        if stream is None:
            from .streams import Stream

            Stream()
        self.pool = () if pool is None else (pool,)
        self.capture_stream = stream
        self.cuda_graph = cuda_graph
        self.capture_error_mode = capture_error_mode
        self._enable_annotations = enable_annotations
        self.check_input_liveness = check_input_liveness

    def __enter__(self):
        raise AssertionError(_device.NO_CUDA)

    def __exit__(self, *exc):
        return False


def make_graphed_callables(
    callables,
    sample_args,
    num_warmup_iters: int = 3,
    allow_unused_input: bool = False,
    pool=None,
):
    """Graphing callables needs CUDA graphs: the sample arguments are checked as in PyTorch,
    then making the first graph fails."""
    if not isinstance(callables, tuple):
        sample_args = (sample_args,)
    for args in sample_args:
        for arg in args if isinstance(args, tuple) else (args,):
            if not isinstance(arg, Tensor):
                raise AssertionError(
                    "In the beta API, sample_args for each callable must contain only "
                    "Tensors. Other types are not allowed."
                )
    raise _dummy("CUDAGraph")
