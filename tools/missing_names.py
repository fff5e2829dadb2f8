"""List the names of PyTorch's op surface that retrograd lacks.

Compares the public names of ``torch``, ``torch.Tensor``, ``torch.linalg``, ``torch.fft``,
``torch.special``, ``torch.signal.windows`` and ``torch.masked`` (PyTorch must be installed) with
retrograd's, and PyTorch's public submodules (``torch.profiler``, ``torch.fx`` ...) with the
module paths retrograd can import.  Left out: private and dunder names, dtypes, classes, modules and constants, and
names that only concern quantized or nested tensors, other devices (CUDA, XPU, MPS ...), symbolic
shapes, TorchScript's IR, or documentation strings.

    PYTHONPATH=src python tools/missing_names.py        # one line per missing name, then counts
"""

import importlib
import inspect
import pkgutil
import re

import torch

import retrograd

_LEFT_OUT = re.compile(
    r"quantiz|^q_|_q_|qscheme|int_repr|dequantize|fake_quant|qparams|^per_(tensor|channel)_"
    r"|nested|to_padded_tensor"
    r"|cuda|cudnn|mkldnn|mkl|xpu|mps|hpu|mtia|ipu|xla|maia|vulkan|miopen|fbgemm|nnpack|gpu"
    r"|record_stream|^sym_|^Sym"
    r"|_ir_module|^parse_(ir|schema|type_comment)$|type_from_type_comment|unify_type_list"
    r"|^common_(args|notes)$|^factory_common_args$|^multi_dim_common$"
)


def public_names(namespace):
    """The names of ``namespace`` that stand for functions or methods."""
    names = []
    for name in dir(namespace):
        if name.startswith("_") or _LEFT_OUT.search(name):
            continue
        try:
            value = getattr(namespace, name)
        except Exception:  # (a name some builds do not back)
            continue
        if inspect.ismodule(value) or isinstance(value, type) or not callable(value):
            continue
        names.append(name)
    return names


NAMESPACES = [
    ("torch", torch, retrograd),
    ("Tensor", torch.Tensor, retrograd.Tensor),
    ("torch.linalg", torch.linalg, retrograd.linalg),
    ("torch.fft", torch.fft, retrograd.fft),
    ("torch.special", torch.special, retrograd.special),
    ("torch.signal.windows", torch.signal.windows, retrograd.signal.windows),
    ("torch.masked", torch.masked, retrograd.masked),
]


def missing_modules():
    """PyTorch's public submodules that ``import retrograd.<name>`` does not find."""
    missing = []
    for m in pkgutil.iter_modules(torch.__path__):
        if m.name.startswith("_"):
            continue
        try:
            importlib.import_module("retrograd." + m.name)
        except ImportError:
            missing.append(m.name)
    return missing


def main():
    modules = missing_modules()
    for name in modules:
        print(f"module torch.{name}")
    total = len(modules)
    counts = [f"modules: {len(modules)}"]
    for label, theirs, ours in NAMESPACES:
        missing = [n for n in public_names(theirs) if not hasattr(ours, n)]
        for name in missing:
            print(f"{label}.{name}")
        counts.append(f"{label}: {len(missing)}")
        total += len(missing)
    print("; ".join(counts))
    print(f"missing: {total}")


if __name__ == "__main__":
    main()
