"""Functions of PyTorch's namespace that few programs call (internal plumbing, deprecated
switches, ops the CPU build refuses), each with PyTorch's values, effects and errors: the same
expressions run on both libraries."""

import warnings

import numpy as np
import pytest

import retrograd


def _outcome(torch, expression, env=None):
    names = {"torch": torch, "np": np, **(env or {})}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            value = eval(expression, names)
        except Exception as e:
            return type(e).__name__, str(e).splitlines()[0][:200]
    if hasattr(value, "tolist") and hasattr(value, "dtype"):
        return str(value.dtype), value.tolist(), tuple(value.shape)
    if isinstance(value, tuple):
        return tuple(_describe(v) for v in value)
    return _describe(value)


def _describe(value):
    if hasattr(value, "tolist") and hasattr(value, "dtype"):
        return str(value.dtype), value.tolist()
    return repr(value) if not callable(value) else type(value).__name__


EXPRESSIONS = [
    # hash_tensor: the xor of the elements' 64-bit patterns
    "torch.hash_tensor(torch.tensor([1.5, -2.0, 3.25]))",
    "torch.hash_tensor(torch.tensor([-1, 2], dtype=torch.int8))",
    "torch.hash_tensor(torch.tensor([True, False]))",
    "torch.hash_tensor(torch.arange(6).reshape(2, 3), 1)",
    "torch.hash_tensor(torch.arange(6).reshape(2, 3), [0], keepdim=True)",
    "torch.hash_tensor(torch.arange(6).reshape(2, 3), mode=1)",
    "torch.hash_tensor(torch.zeros(0))",
    "torch.hash_tensor(torch.zeros(0, 3), 0)",
    "torch.hash_tensor(torch.tensor([1 + 2j]))",
    "torch.tensor([0.5, 2.0]).half().hash_tensor()",
    # nonzero_static: nonzero's rows cut or padded to a size
    "torch.nonzero_static(torch.tensor(3.0), size=2)",
    "torch.nonzero_static(torch.tensor([[1.0, 0], [0, 2]]), size=3, fill_value=7)",
    "torch.nonzero_static(torch.tensor([1, 0, 3]), size=1)",
    "torch.nonzero_static(torch.tensor([1, 0]), size=-1)",
    "torch.tensor([1, 0]).nonzero_static(size=0)",
    # empty_permuted: the memory order of the dimensions
    "torch.empty_permuted((2, 3, 4), (2, 0, 1)).stride()",
    "torch.empty_permuted((2, 0, 4), (2, 0, 1)).stride()",
    "torch.empty_permuted((2, 3, 4), (2, 0))",
    "torch.empty_permuted((2, 3, 4), (2, 0, 0))",
    "torch.empty_permuted((2, 3, 4), (2, 0, 3))",
    "torch.empty_permuted([], []).shape",
    # segment_reduce's checks
    "torch.segment_reduce(torch.ones(6), 'sum', indices=torch.tensor([0, 0, 1, 1, 1, 2]))",
    "torch.segment_reduce(torch.ones(6), 'sum')",
    "torch.segment_reduce(torch.ones(6), 'any', lengths=torch.tensor([6]))",
    "torch.segment_reduce(torch.ones(6), 'sum', lengths=torch.tensor([2, 2]))",
    "torch.segment_reduce(torch.ones(6), 'sum', lengths=torch.tensor([2.0, 4]))",
    "torch.segment_reduce(torch.ones(6), 'sum', lengths=torch.tensor([7, -1]))",
    "torch.segment_reduce(torch.ones(6), 'sum', offsets=torch.tensor([3, 2, 6]))",
    "torch.segment_reduce(torch.ones(6), 'amax', offsets=torch.tensor([1, 6]))",
    "torch.segment_reduce(torch.ones(6).int(), 'sum', lengths=torch.tensor([6]))",
    "torch.segment_reduce(torch.ones(2, 3), 'sum', lengths=torch.tensor([1, 2]), axis=1)",
    "torch.segment_reduce(torch.ones(6), 'sum', lengths=torch.tensor([2, 2]), unsafe=True)",
    # slice_inverse: a view of the slice's storage with the source's geometry
    "torch.slice_inverse(torch.ones(3, 4), torch.zeros(5, 4), 0, 1, 4)",
    # batch_norm_update_stats and the sync batch norm pieces the CPU build has no kernel for
    "torch.batch_norm_update_stats(torch.ones(2, 3).double(), torch.zeros(3), None, 0.1)",
    "torch.batch_norm_update_stats(torch.ones(2, 3).int(), None, None, 0.1)",
    "torch.batch_norm_update_stats(torch.ones(3), None, None, 0.1)",
    "torch.batch_norm_stats(torch.ones(2, 3), 1e-5)",
    "torch.batch_norm_elemt(torch.ones(2, 3), None, None, torch.zeros(3), torch.ones(3), 1e-5)",
    # control flow, run eagerly
    "torch.cond(torch.tensor(True), lambda a: a + 1, lambda a: a - 1, (torch.ones(2),))",
    "torch.cond(torch.tensor(0.0), lambda a: a + 1, lambda a: a - 1, [torch.ones(2)])",
    "torch.cond(False, lambda: 1, lambda: 2)",
    "torch.cond(torch.tensor([True, False]), lambda a: a, lambda a: a, (torch.ones(2),))",
    "torch.cond(torch.tensor(True), lambda a: a, lambda a: a, (2,))",
    "torch.cond(torch.tensor(True), 1, lambda a: a, (torch.ones(2),))",
    "torch.cond('a', lambda: 1, lambda: 2)",
    "torch.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, a * 2), (torch.tensor(0), torch.ones(2)))",
    "torch.while_loop(lambda i: i < 3, lambda i: i + 1, (torch.tensor(0),))",
    "torch.while_loop(lambda i: i < 3, lambda i: (i + 1,), [torch.tensor(0)])",
    "torch.while_loop(lambda i: i < 0, lambda i: (i + 1,), [torch.tensor(0)])",
    "torch.while_loop(lambda i: i < 3, lambda i: (i + 1,), [0.5])",
    "torch.while_loop(lambda i: i < 3, 1, [0])",
    # switches and plumbing
    "torch.set_anomaly_enabled(1)",
    "torch.set_anomaly_enabled(True, check_nan=1)",
    "torch.set_autocast_cpu_enabled(1)",
    "torch.set_autocast_cpu_dtype('a')",
    "(torch.autocast_increment_nesting(), torch.autocast_decrement_nesting())",
    "torch.set_default_tensor_type(torch.LongTensor)",
    "torch.set_default_tensor_type('torch.cuda.FloatTensor')",
    "torch.set_default_tensor_type(torch.float64)",
    "torch.set_default_tensor_type('foo')",
    "torch.set_default_tensor_type('torch.Foo')",
    "torch.compiled_with_cxx11_abi()",
    "torch.get_device_module().__name__.split('.')[-1]",
    "torch.get_device_module('cpu').__name__.split('.')[-1]",
    "torch.get_device_module(torch.device('cuda')).__name__.split('.')[-1]",
    "torch.get_device_module(3)",
    "torch.thread_safe_generator()",
    "torch.wait(torch.fork(lambda x: x * 2, torch.ones(2)))",
    "torch.ones(2).module_load(torch.full((2,), 3.0))",
    "torch.ones(2).module_load(torch.full((2,), 3.0), assign=True)",
    "torch.ones(2).reinforce(1.0)",
]


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_rare_function_matches_pytorch(torch_ref, expression):
    assert _outcome(retrograd, expression) == _outcome(torch_ref, expression)


def test_segment_reduce_values_and_gradients_match_pytorch(torch_ref):
    for lib in (retrograd, torch_ref):
        pass
    results = []
    for lib in (retrograd, torch_ref):
        x = lib.tensor([1.0, 5, 2, 2, 3, -1, 0, 0], requires_grad=True)
        got = []
        for reduce in ("sum", "mean", "max", "min", "prod"):
            for initial in (None, 1.5):
                y = lib.segment_reduce(
                    x, reduce, lengths=lib.tensor([2, 0, 3, 1, 2]), initial=initial
                )
                (g,) = lib.autograd.grad(y, x, lib.arange(1.0, 6.0))
                got.append((y.tolist(), g.tolist(), type(y.grad_fn).__name__))
        results.append(got)
    np.testing.assert_equal(results[0], results[1])


def test_from_file_reads_and_shares_a_file_as_pytorch(torch_ref, tmp_path):
    outcomes = []
    for lib in (retrograd, torch_ref):
        path = tmp_path / f"{lib.__name__}.bin"
        np.arange(6, dtype=np.float32).tofile(path)
        missing = str(tmp_path / f"{lib.__name__}-new.bin")
        shared = lib.from_file(str(path), True, 6)
        shared[0] = 100
        private = lib.from_file(str(path), False, 6)
        private[1] = 50
        outcomes.append(
            (
                _outcome(lib, f"torch.from_file({str(path)!r}, size=4)"),
                _outcome(lib, f"torch.from_file({str(path)!r}, size=3, dtype=torch.float64)"),
                _outcome(lib, f"torch.from_file({str(path)!r})"),
                _outcome(lib, f"torch.from_file({str(path)!r}, size=7)")[0],
                _outcome(lib, f"torch.from_file({str(path) + 'x'!r}, size=2)")[0],
                _outcome(lib, f"torch.from_file({missing!r}, True, 2)"),
                np.fromfile(path, np.float32).tolist(),
                lib.from_file(str(path), size=2, requires_grad=True).requires_grad,
            )
        )
    assert outcomes[0] == outcomes[1]


def test_set_default_tensor_type_sets_the_default_dtype_and_warns_once(torch_ref):
    for lib in (retrograd, torch_ref):
        before = lib.get_default_dtype()
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                lib.set_default_tensor_type(lib.DoubleTensor)
                assert lib.get_default_dtype() == lib.float64
                lib.set_default_tensor_type("torch.HalfTensor")
                assert lib.get_default_dtype() == lib.float16
            assert len(caught) <= 1
        finally:
            lib.set_default_dtype(before)


def test_set_anomaly_enabled_and_autocast_switches_set_the_modes():
    try:
        retrograd.set_anomaly_enabled(True, False)
        assert retrograd.is_anomaly_enabled() and not retrograd.is_anomaly_check_nan_enabled()
    finally:
        retrograd.set_anomaly_enabled(False)
    assert not retrograd.is_anomaly_enabled()
    try:
        with pytest.warns(DeprecationWarning):
            retrograd.set_autocast_cpu_dtype(retrograd.float16)
        assert retrograd.get_autocast_dtype("cpu") == retrograd.float16
        with pytest.warns(DeprecationWarning):
            retrograd.set_autocast_cpu_enabled(True)
        assert retrograd.is_autocast_enabled("cpu")
    finally:
        retrograd.set_autocast_enabled("cpu", False)
        retrograd.set_autocast_dtype("cpu", retrograd.bfloat16)


def test_storage_type_is_the_legacy_storage_of_the_dtype(torch_ref):
    # (PyTorch's own storage_type is not called: it warns once a process, which other tests
    # of that warning count on)
    for dtype, name in (("float32", "FloatStorage"), ("int64", "LongStorage")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (TypedStorage's deprecation, once a process)
            got = retrograd.ones(2, dtype=getattr(retrograd, dtype)).storage_type()
        assert got.__name__ == getattr(torch_ref, name).__name__


def test_tensor_index_names_first_class_dimensions():
    with pytest.raises(NotImplementedError, match="first-class dimensions"):
        retrograd.ones(2).index(0, None)


def test_classproperty_reads_from_the_class():
    class C:
        @retrograd.classproperty
        def name(cls):
            return cls.__name__

    assert C.name == "C" and C().name == "C"
