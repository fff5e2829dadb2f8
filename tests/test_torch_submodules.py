"""PyTorch's module paths that programs import: torch.overrides, torch.torch_version,
torch.futures, torch.storage, and the modules retrograd only names (torch.fx, torch.export ...),
compared with PyTorch where it has a value to compare."""

import importlib
import pkgutil

import pytest

import retrograd


def _outcome(call):
    try:
        return ("value", call())
    except Exception as e:  # (the message's first line: a traceback may follow)
        return (type(e).__name__, str(e).split("\n")[0])


# -- torch.torch_version ----------------------------------------------------------------------

_VERSIONS = ["2.13.0", "2.13.0+cpu", "1.9", "0.1.0"]
_OTHERS = ["2.13", "2.9", "2.13.0a0", (2, 13), (2, 13, 0), (1, 10), "abc", 2]
_OPS = ["__lt__", "__le__", "__gt__", "__ge__", "__eq__", "__ne__"]


@pytest.mark.parametrize("version", _VERSIONS)
def test_torch_version_compares_as_pytorch(torch_ref, version):
    import operator

    for other in _OTHERS:
        for op in _OPS:
            f = getattr(operator, op)
            got = _outcome(lambda: f(retrograd.torch_version.TorchVersion(version), other))
            want = _outcome(lambda: f(torch_ref.torch_version.TorchVersion(version), other))
            assert got[0] == want[0], (version, other, op)
            if got[0] == "value":
                assert got == want, (version, other, op)


def test_version_is_a_torch_version():
    assert isinstance(retrograd.__version__, retrograd.torch_version.TorchVersion)
    assert retrograd.__version__ == retrograd.version.__version__
    assert hash(retrograd.__version__) == hash(str(retrograd.__version__))


# -- torch.futures -----------------------------------------------------------------------------


def _future_program(lib):
    F = lib.futures.Future
    log = []
    f = F()
    chained = f.then(lambda x: x.value() * 2)
    f.add_done_callback(lambda x: log.append(("cb", x.value())))
    log.append(("done before", f.done(), chained.done()))
    f.set_result(5)
    log.append(("done after", f.done(), chained.wait()))
    log.append(_outcome(lambda: f.set_result(6)))
    bad = F()
    bad.set_exception(ValueError("boom"))
    log.append(_outcome(bad.wait))
    log.append(_outcome(bad.then(lambda x: x.value()).wait))
    log.append(_outcome(lambda: F().set_exception(3)))
    g = F()
    together = lib.futures.collect_all([f, g])
    log.append(together.done())
    g.set_result("g")
    log.append([x.value() for x in together.wait()])
    log.append(lib.futures.wait_all([f, g]))
    log.append(_outcome(lambda: lib.futures.wait_all([f, bad])))
    return log


def test_futures_as_pytorch(torch_ref):
    assert _future_program(retrograd) == _future_program(torch_ref)


def test_jit_fork_gives_a_future():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fut = retrograd.jit.fork(lambda a: a + 1, 1)
    assert isinstance(fut, retrograd.futures.Future) and fut.done() and fut.wait() == 2


# -- torch.overrides ---------------------------------------------------------------------------


def test_overrides_report_no_override(torch_ref):
    o = retrograd.overrides
    x = retrograd.ones(2)
    assert o.has_torch_function([x]) is False
    assert o.has_torch_function_unary(x) is False
    assert o.has_torch_function_variadic(x, x) is False
    assert o.is_tensor_like(x) and not o.is_tensor_like([1])
    assert torch_ref.overrides.is_tensor_like(torch_ref.ones(2))
    assert o.resolve_name(retrograd.add) == torch_ref.overrides.resolve_name(torch_ref.add)
    assert o.resolve_name(retrograd.Tensor.add) == "torch.Tensor.add"
    assert o.is_tensor_method_or_property(retrograd.Tensor.add)
    funcs = o.get_overridable_functions()
    assert retrograd.add in funcs[retrograd] and retrograd.zeros not in funcs[retrograd]
    assert retrograd.zeros in o.get_ignored_functions()
    assert torch_ref.zeros in torch_ref.overrides.get_ignored_functions()
    with pytest.raises(NotImplementedError, match="handle_torch_function"):
        o.handle_torch_function(retrograd.add, (x,), x, x)


def test_torch_function_mode_refused():
    class Mode(retrograd.overrides.TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            return func(*args, **(kwargs or {}))

    with pytest.raises(NotImplementedError, match="TorchFunctionMode"):
        with Mode():
            pass


# -- torch.storage -----------------------------------------------------------------------------


def test_storage_classes():
    x = retrograd.ones(3)
    assert isinstance(x.untyped_storage(), retrograd.storage.UntypedStorage)
    assert retrograd.storage.TypedStorage is retrograd.TypedStorage
    assert retrograd.storage.UntypedStorage is retrograd.UntypedStorage


# -- every module path -------------------------------------------------------------------------


# Module paths other work builds (another device's modules).
def test_every_pytorch_module_imports(torch_ref):
    missing = []
    for m in pkgutil.iter_modules(torch_ref.__path__):
        if m.name.startswith("_"):
            continue
        try:
            importlib.import_module("retrograd." + m.name)
        except ImportError:
            missing.append(m.name)
    assert missing == []


# -- modules retrograd names without building ---------------------------------------------------

_NAMED_ONLY = ["fx", "export", "library", "package", "monitor", "quantization", "ao.quantization"]


@pytest.mark.parametrize("module", _NAMED_ONLY)
def test_named_modules_have_pytorchs_names(torch_ref, module):
    theirs = importlib.import_module("torch." + module)
    ours = importlib.import_module("retrograd." + module)
    names = getattr(theirs, "__all__", None) or [n for n in dir(theirs) if not n.startswith("_")]
    left = {"TYPE_CHECKING", "STAT_EVENT"} | {n for n in names if n.startswith("_")}
    lacking = [n for n in names if n not in left and not hasattr(ours, n)]
    assert lacking == []


@pytest.mark.parametrize(
    "call,name",
    [
        (lambda t: t.fx.symbolic_trace(t.nn.Linear(2, 2)), "torch.fx.symbolic_trace"),
        (lambda t: t.fx.GraphModule(t.nn.Linear(2, 2), None), "torch.fx.GraphModule"),
        (lambda t: t.export.export(t.nn.Linear(2, 2), (t.ones(2),)), "torch.export.export"),
        (lambda t: t.library.Library("mylib", "DEF"), "torch.library.Library"),
        (lambda t: t.library.custom_op("mylib::f", mutates_args=()), "torch.library.custom_op"),
        (lambda t: t.quantization.quantize_dynamic(t.nn.Linear(2, 2)), "quantize_dynamic"),
        (lambda t: t.package.PackageExporter("f.pt"), "torch.package.PackageExporter"),
        (lambda t: t.monitor.log_event(None), "torch.monitor.log_event"),
    ],
)
def test_named_modules_refuse_by_name(call, name):
    with pytest.raises(NotImplementedError, match=name.replace(".", r"\.") + " is not built"):
        call(retrograd)


def test_named_classes_can_be_subclassed():
    class MyTracer(retrograd.fx.Tracer):
        pass

    assert issubclass(MyTracer, retrograd.fx.Tracer)
    assert retrograd.fx.wrap(len) is len  # (a mark for tracers: nothing to do here)
    assert issubclass(retrograd.package.PackagingError, Exception)
    assert retrograd.package.is_from_package(retrograd.nn.Linear(2, 2)) is False
    assert [a.name for a in retrograd.monitor.Aggregation] == [
        "VALUE",
        "MEAN",
        "COUNT",
        "SUM",
        "MAX",
        "MIN",
    ]


def test_quant_stubs_pass_values_through(torch_ref):
    def run(lib):
        lib.manual_seed(0)
        model = lib.quantization.QuantWrapper(lib.nn.Linear(3, 2))
        return repr(model), model(lib.ones(1, 3)).tolist()

    assert run(retrograd) == run(torch_ref)
