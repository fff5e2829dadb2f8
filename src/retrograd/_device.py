"""``torch.device`` and the default device, as PyTorch's CPU-only build has them.

Every tensor lives on the CPU.  A device name is parsed and compared exactly as PyTorch does, so
code that builds ``torch.device('cuda:1')`` or checks ``x.device == torch.device('cpu')`` runs;
asking for memory on any other device raises the error that PyTorch's CPU-only build raises.
"""

import builtins
import re

_TYPES = (
    "cpu",
    "cuda",
    "ipu",
    "xpu",
    "mkldnn",
    "opengl",
    "opencl",
    "ideep",
    "hip",
    "ve",
    "fpga",
    "maia",
    "xla",
    "lazy",
    "vulkan",
    "mps",
    "meta",
    "hpu",
    "mtia",
    "privateuseone",
)
_BACKEND = {
    "mps": "MPS",
    "xla": "XLA",
    "hip": "HIP",
    "lazy": "Lazy",
    "ipu": "IPU",
    "ve": "VE",
    "hpu": "HPU",
    "mtia": "MTIA",
    "maia": "MAIA",
    "vulkan": "Vulkan",
    "mkldnn": "MkldnnCPU",
    "privateuseone": "PrivateUse1",
}

_PATTERN = re.compile(r"([a-zA-Z_]+)(?::(0|[1-9][0-9]*))?\Z")
_SIGNATURES = (
    "device() received an invalid combination of arguments - got ({}), but expected one "
    "of:\n * (torch.device device)\n{} * (str type, int index = -1)\n"
)
_NOTHING = object()  # device() with no argument, told apart from device(None)
NO_CUDA = "Torch not compiled with CUDA enabled"


class OutOfMemoryError(RuntimeError):
    """``torch.OutOfMemoryError`` (also ``torch.cuda.OutOfMemoryError``): a device ran out of
    memory. Nothing here raises it (NumPy's own ``MemoryError`` stands for the CPU), but
    programs catch it by name."""


OutOfMemoryError.__module__ = "torch"
NO_ACCELERATOR = "Cannot access accelerator device when none is available."
_OURS = " retrograd computes on the CPU only."
CUDA_LIBRARY = (
    "Cannot initialize CUDA without ATen_cuda library. PyTorch splits its backend into two shared "
    "libraries: a CPU library and a CUDA library; this error has occurred because you are trying "
    "to use some CUDA functionality, but the CUDA library has not been loaded by the dynamic "
    "linker for some reason.  The CUDA library MUST be loaded, EVEN IF you don't directly use any "
    "symbols from the CUDA library! One common culprit is a lack of -Wl,--no-as-needed in your "
    "link arguments; many dynamic linkers will delete dynamic library dependencies if you don't "
    "depend on any of their symbols.  You can check if this has occurred by using ldd on your "
    "binary to see if there is a dependency on *_cuda.so library."
)


class device:
    """``torch.device``: a device type (``'cpu'``, ``'cuda'`` ...) and an optional index."""

    __slots__ = ("_type", "_index")

    def __init__(self, type=_NOTHING, index=None):
        if isinstance(type, device):
            if index is not None:
                raise TypeError(
                    "device(): argument 'type' (position 1) must be str, not torch.device"
                )
            self._type, self._index = type._type, type._index
            return
        if isinstance(type, builtins.int) and not isinstance(type, builtins.bool) and index is None:
            if type < 0:
                raise RuntimeError("Device index must not be negative")
            raise RuntimeError(NO_ACCELERATOR + _OURS)
        if not isinstance(type, str):
            got = "" if type is _NOTHING else builtins.type(type).__name__
            why = (
                ""
                if not got
                else "      didn't match because some of the arguments have "
                f"invalid types: (!{got}!)\n"
            )
            raise TypeError(_SIGNATURES.format(got, why))
        if index is not None and (
            not isinstance(index, builtins.int) or isinstance(index, builtins.bool)
        ):
            raise TypeError(
                f"device(): argument 'index' (position 2) must be int, not "
                f"{builtins.type(index).__name__}"
            )
        match = _PATTERN.match(type)
        if match is None:
            raise RuntimeError(f"Invalid device string: '{type}'")
        name, idx = match.groups()
        if name not in _TYPES:
            raise RuntimeError(
                f"Expected one of {', '.join(_TYPES)} device type at start of device string: {type}"
            )
        if idx is not None:
            if index is not None:
                raise RuntimeError(
                    "type (string) must not include an index because index was "
                    f"passed explicitly: {type}"
                )
            index = builtins.int(idx)
        if index is not None and index < 0:
            raise RuntimeError("Device index must not be negative")
        self._type, self._index = name, index

    @property
    def type(self) -> str:
        return self._type

    @property
    def index(self):
        return self._index

    def __repr__(self):
        if self._index is None:
            return f"device(type='{self._type}')"
        return f"device(type='{self._type}', index={self._index})"

    def __str__(self):
        return self._type if self._index is None else f"{self._type}:{self._index}"

    def __eq__(self, other):
        # PyTorch compares devices with devices only: device('cpu') == 'cpu' is False.
        if not isinstance(other, device):
            return NotImplemented
        return self._type == other._type and self._index == other._index

    def __hash__(self):
        return hash((self._type, self._index))

    def __reduce__(self):
        return (device, (self._type, self._index))

    def __enter__(self):
        """``with torch.device(d):`` factories in the block make their tensors on ``d``."""
        _entered.append(_default[0])
        set_default_device(self)
        return self

    def __exit__(self, *exc):
        _default[0] = _entered.pop()
        return False


CPU = device("cpu")
_default = [None]  # the device set_default_device chose (None: the CPU)
_entered = []  # the default devices that enclosing ``with device(...)`` blocks replaced


def argument_type(a) -> str:
    """How PyTorch's argument errors name the type of ``a`` (``torch.dtype``, ``Tensor`` ...)."""
    from .dtypes import dtype
    from .tensor import Tensor

    if isinstance(a, dtype):
        return "torch.dtype"
    if isinstance(a, Tensor):
        return "Tensor"
    return "torch.device" if isinstance(a, device) else builtins.type(a).__name__


_NOT_BUILT = {
    "cuda": NO_CUDA,
    "xpu": "Torch not compiled with XPU enabled",
    "mtia": "Torch not compiled with MTIA enabled. Ensure you have `import "
    "mtia.host_runtime.torch_mtia.dynamic_library` in your python src file and include "
    "`//mtia/host_runtime/torch_mtia:torch_mtia` as your target dependency!",
}


def _as_device(d) -> device:
    return d if isinstance(d, device) else device(d)


def _unavailable(dev: device, factory: bool):
    """The error PyTorch's CPU-only build raises for memory on ``dev`` (not a CPU)."""
    if dev._type in _NOT_BUILT:
        return AssertionError(_NOT_BUILT[dev._type])
    if dev._type == "meta":
        return NotImplementedError(
            "retrograd has no 'meta' device: every tensor holds its values on the CPU"
        )
    if factory:
        backend = _BACKEND.get(dev._type, dev._type.upper())
        return NotImplementedError(no_kernel("empty.memory_format", backend) + _OURS)
    return RuntimeError(f"PyTorch is not linked with support for {dev._type} devices")


def no_kernel(op: str, backend: str = "CPU") -> str:
    """PyTorch's text for an operator ``aten::op`` that has no kernel for ``backend``."""
    return (
        f"Could not run 'aten::{op}' with arguments from the '{backend}' backend. This could be "
        "because the operator doesn't exist for this backend, or was omitted during the "
        "selective/custom build process (if using custom build)."
    )


def refusing(name: str, message: str, doc: str | None = None, method: bool = False):
    """A function named ``name`` that raises ``NotImplementedError(message)`` however it is
    called (``method``: a Tensor method, taking ``self`` first): the one maker of a stand-in for
    what retrograd refuses by name (a CUDA-only kernel, a method it does not build, a pickled
    layout it cannot load)."""

    def refuse(*args, **kwargs):
        raise NotImplementedError(message)

    def refuse_method(self, *args, **kwargs):
        raise NotImplementedError(message)

    if method:
        refuse = refuse_method
    refuse.__name__ = refuse.__qualname__ = name
    refuse.__doc__ = doc
    return refuse


def not_built(module: str, names: str) -> dict:
    """Stand-ins for the public names of a PyTorch module that retrograd does not build: a class
    (which code may subclass or name in ``isinstance``) for a capitalized name, a function
    otherwise, each raising ``NotImplementedError("torch.fx.symbolic_trace is not built in
    retrograd")`` when called or made."""
    out: dict = {}
    for name in names.split():
        message = f"{module}.{name} is not built in retrograd"
        if name[0].isupper():

            def refuse_init(self, *args, _message=message, **kwargs):
                raise NotImplementedError(_message)

            cls = type(name, (), {"__init__": refuse_init, "__doc__": message})
            cls.__module__ = module
            out[name] = cls
        else:
            out[name] = refusing(name, message, message)
    return out


def without_backend(backend: str, call: str):
    """A stand-in for a call of a device runtime that is not built (Apple's MPS, Meta's MTIA):
    it raises that runtime's error naming the call, however it is called."""

    def needs_backend(*args, **kwargs):
        raise RuntimeError(f"Cannot execute {call}() without {backend} backend.")

    return needs_backend


def check(d, factory: bool = False) -> None:
    """Raise PyTorch's CPU-only error unless ``d`` (a device, a name or an index) is the CPU.

    ``factory``: the error of a factory (``zeros(device=...)``) rather than of a copy (``.to``)."""
    if d is None or d is CPU or d == "cpu":
        return
    dev = _as_device(d)
    if dev._type != "cpu":
        raise _unavailable(dev, factory)


def check_default() -> None:
    """A factory called without ``device=`` makes its tensor on the default device."""
    if _default[0] is not None:
        check(_default[0], True)


def set_default_device(d) -> None:
    """``torch.set_default_device``: where factories put tensors when no device is given."""
    dev = None if d is None else _as_device(d)
    _default[0] = None if dev is None or dev._type == "cpu" else dev


def get_default_device() -> device:
    """``torch.get_default_device``."""
    if _default[0] is not None:
        if _default[0]._type == "meta":
            return _default[0]
        check(_default[0])
    return CPU


def accelerator_call(kind: str, d=None):
    """``Tensor.cuda(d)``, ``Module.xpu(d)`` and kin (``kind`` the device type): the CPU-only
    build's error for each form of d."""
    if isinstance(d, builtins.int) and not isinstance(d, builtins.bool):
        raise RuntimeError(NO_ACCELERATOR + _OURS)
    if d is not None and _as_device(d)._type != kind:
        raise RuntimeError(f"Invalid device, must be {'MTIA' if kind == 'mtia' else kind} device")
    raise _unavailable(device(kind), False)


class memory_format:
    """``torch.memory_format``: how a tensor's elements are laid out in memory."""

    __slots__ = ("_name",)

    def __init__(self, name: str):
        self._name = name

    def __repr__(self):
        return f"torch.{self._name}"

    def __reduce__(self):
        return self._name

    @property
    def enum_name(self) -> str:
        """The name PyTorch's errors give the format (``ChannelsLast`` ...)."""
        return _ENUM_NAMES[self._name]


_ENUM_NAMES = {
    "preserve_format": "Preserve",
    "contiguous_format": "Contiguous",
    "channels_last": "ChannelsLast",
    "channels_last_3d": "ChannelsLast3d",
}


class layout:
    """``torch.layout``: dense (``torch.strided``) or one of the sparse layouts."""

    __slots__ = ("_name",)

    def __init__(self, name: str):
        self._name = name

    def __repr__(self):
        return f"torch.{self._name}"

    def __reduce__(self):
        return self._name


contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
strided = layout("strided")
sparse_coo = layout("sparse_coo")
# layouts retrograd names but does not build (a factory asked for one says so)
sparse_csr = layout("sparse_csr")
sparse_csc = layout("sparse_csc")
sparse_bsr = layout("sparse_bsr")
sparse_bsc = layout("sparse_bsc")
jagged = layout("jagged")
_mkldnn = layout("_mkldnn")


def check_memory_format(fmt) -> None:
    """A memory format a result may be asked for: every one is built (see memory_order)."""
    if fmt is not None and not isinstance(fmt, memory_format):
        raise TypeError(f"memory_format must be a torch.memory_format, not {type(fmt).__name__}")


# The channels-last formats: the rank they need and their order of dimensions in memory,
# outermost first (the channels innermost)
_CHANNELS_LAST = {"channels_last": (4, (0, 2, 3, 1)), "channels_last_3d": (5, (0, 2, 3, 4, 1))}


def memory_order(fmt, ndim):
    """The order of dimensions in memory, outermost first, that ``fmt`` asks of a result of
    ``ndim`` dimensions: None for ``preserve_format`` (or none given: keep the input's), C order
    for ``contiguous_format``, the channels innermost for the channels-last formats (PyTorch's
    error for a tensor of another rank)."""
    if fmt is None or fmt is preserve_format:
        return None
    if fmt is contiguous_format:
        return tuple(range(ndim))
    rank, order = _CHANNELS_LAST[fmt._name]
    if ndim != rank:
        raise RuntimeError(f"required rank {rank} tensor to use {fmt._name} format")
    return order


def is_laid_out(shape, strides, fmt) -> bool:
    """Whether a tensor of ``shape`` and ``strides`` (in elements) is contiguous in the
    channels-last format ``fmt``, as PyTorch tells (``is_contiguous(memory_format=...)``): the
    channels innermost, dimensions of size 1 anywhere."""
    rank, order = _CHANNELS_LAST[fmt._name]
    if len(shape) != rank:
        return False
    expected = 1
    for d in reversed(order):
        if shape[d] != 1:
            if strides[d] != expected:
                return False
            expected *= shape[d]
    return True
