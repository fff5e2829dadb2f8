"""``torch.accelerator``, ``torch.xpu``, ``torch.mps``, ``torch.mtia`` and the device-generic
``torch.Stream``/``torch.Event`` on a machine without any accelerator: each call returns what
PyTorch's CPU-only build returns, or raises its exception type with its text, so device-agnostic
code (``torch.accelerator.current_accelerator() if torch.accelerator.is_available() else 'cpu'``)
chooses the CPU in both libraries."""

import warnings

import pytest
import torch

import retrograd

CALLS = {
    "accelerator": [
        "is_available()",
        "current_accelerator()",
        "current_accelerator(check_available=True)",
        "device_count()",
        "current_device_index()",
        "current_device_idx()",
        "set_device_index(None)",
        "set_device_index(0)",
        "set_device_index(1.5)",
        "set_device_index('cpu')",
        "set_device_index(lib.device('cuda:0'))",
        "set_device_idx(0)",
        "synchronize()",
        "synchronize('cpu')",
        "current_stream()",
        "current_stream('cpu')",
        "set_stream(lib.Stream())",
        "empty_cache()",
        "empty_host_cache()",
        "memory_allocated()",
        "max_memory_allocated('cuda:0')",
        "memory_reserved()",
        "max_memory_reserved()",
        "memory_stats()",
        "reset_peak_memory_stats()",
        "reset_accumulated_memory_stats()",
        "get_memory_info()",
        "get_device_capability()",
        "get_device_capability('cpu')",
        "device_index(None).__enter__()",
        "device_index(0).__enter__()",
        "Graph()",
        "memory.memory_allocated()",
    ],
    "xpu": [
        "is_available()",
        "device_count()",
        "is_initialized()",
        "init()",
        "current_device()",
        "set_device(0)",
        "synchronize()",
        "current_stream()",
        "get_device_name()",
        "get_device_capability(0)",
        "get_device_properties()",
        "manual_seed(0)",
        "manual_seed_all(0)",
        "seed()",
        "seed_all()",
        "initial_seed()",
        "get_rng_state()",
        "get_rng_state_all()",
        "set_rng_state_all([])",
        "empty_cache()",
        "memory_allocated()",
        "max_memory_allocated(0)",
        "memory_reserved()",
        "max_memory_reserved()",
        "memory_stats()",
        "memory_stats_as_nested_dict()",
        "memory_snapshot()",
        "mem_get_info()",
        "is_bf16_supported()",
        "is_tf32_supported()",
        "get_arch_list()",
        "get_gencode_flags()",
        "default_generators",
        "Stream()",
        "Event()",
        "XPUGraph()",
        "device(0).__enter__()",
        "device_of(lib.zeros(1)).__enter__()",
        "stream(None).__enter__()",
        "utilization()",
    ],
    "mps": [
        "is_available()",
        "device_count()",
        "manual_seed(0)",
        "seed()",
        "synchronize()",
        "empty_cache()",
        "get_rng_state()",
        "current_allocated_memory()",
        "driver_allocated_memory()",
        "recommended_max_memory()",
        "set_per_process_memory_fraction(0.5)",
        "compile_shader('')",
    ],
    "mtia": [
        "is_available()",
        "device_count()",
        "is_initialized()",
        "init()",
        "current_device()",
        "synchronize()",
        "set_device(0)",
        "empty_cache()",
        "manual_seed(0)",
        "seed()",
        "initial_seed()",
        "memory_allocated()",
        "memory_stats()",
        "is_bf16_supported()",
        "device(0).__enter__()",
        "Stream()",
        "Event()",
    ],
    "": [
        "Stream()",
        "Stream(priority=-1).query()",
        "Stream().synchronize()",
        "Stream().device",
        "(Stream().device_type, Stream().device_index, Stream().stream_id)",
        "Stream() == Stream()",
        "hash(Stream()) == hash(Stream())",
        "Stream().is_capturing()",
        "Stream().native_handle",
        "Stream().record_event()",
        "Stream().wait_stream(Stream())",
        "Stream().wait_event(Event())",
        "Stream('cuda')",
        "Stream(device='mps')",
        "Stream(stream_id=5, device_index=0, device_type=0)",
        "Event()",
        "Event(enable_timing=True)",
        "Event().query()",
        "Event().record()",
        "Event().synchronize()",
        "Event().wait()",
        "Event().elapsed_time(Event())",
        "Event(enable_timing=True).elapsed_time(Event(enable_timing=True))",
        "Event(device='cuda')",
        "get_device_module('xpu').is_available()",
        "get_device_module('mps').device_count()",
    ],
}


def _outcome(lib, module, call):
    namespace = {"lib": lib, **vars(getattr(lib, module) if module else lib)}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = eval(call, namespace)  # noqa: S307 - the calls above, on either library
            result = ("returns", repr(value).replace("retrograd", "torch"))
        except Exception as e:
            result = ("raises", type(e).__name__, str(e))
    return result, [(w.category.__name__, str(w.message)) for w in caught]


@pytest.mark.parametrize(
    "module, call", [(m, c) for m, calls in CALLS.items() for c in calls], ids=str
)
def test_call_as_cpu_only_pytorch(module, call):
    theirs = _outcome(torch, module, call)
    if "object at 0x" in str(theirs):  # (an object whose repr is its address: compare types)
        theirs = _outcome(torch, module, f"type({call}).__name__")
        assert _outcome(retrograd, module, f"type({call}).__name__") == theirs
        return
    assert _outcome(retrograd, module, call) == theirs


def test_device_agnostic_code_chooses_the_cpu():
    """The idiom of PyTorch's own examples since accelerators got one API."""
    for lib in (retrograd, torch):
        acc = lib.accelerator
        device = acc.current_accelerator() if acc.is_available() else lib.device("cpu")
        assert lib.zeros(2, device=device).device == lib.device("cpu")
        assert lib.get_device_module("xpu").is_available() is False
