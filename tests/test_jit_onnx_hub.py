"""``torch.jit``, ``torch.onnx`` and ``torch.hub`` honestly: scripted and traced code runs eagerly
with the same results; what needs a compiled program, an ONNX graph or the network raises
``NotImplementedError`` naming it."""

import warnings

import numpy as np
import pytest

import retrograd


def _model(torch):
    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(3, 2)

        def forward(self, x):
            return self.helper(self.fc(x))

        @torch.jit.ignore
        def helper(self, y):
            return y * 2

        @torch.jit.export
        def other(self, x):
            return x + 1

        @torch.jit.unused
        def never(self, x):
            return x - 1

    net = Net()
    w = np.arange(6.0).reshape(2, 3) / 10
    with torch.no_grad():
        net.fc.weight.copy_(torch.tensor(w, dtype=torch.float32))
        net.fc.bias.zero_()
    return net


def test_script_and_trace_run_eagerly_with_pytorchs_results(torch_ref):
    x = np.linspace(-1, 1, 6).reshape(2, 3)
    results = []
    for torch in (retrograd, torch_ref):
        net = _model(torch)
        inp = torch.tensor(x, dtype=torch.float32)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            scripted = torch.jit.script(net)
            traced = torch.jit.trace(net, (inp,))
        assert isinstance(scripted, torch.nn.Module)
        assert isinstance(scripted, torch.jit.ScriptModule)
        assert scripted.fc.weight is net.fc.weight
        assert traced.fc.weight is net.fc.weight
        assert scripted.original_name == "Net"
        assert scripted.helper(1) == 2 and net.never(inp).shape == inp.shape
        assert not torch.jit.is_scripting() and not torch.jit.is_tracing()
        results.append([net(inp).tolist(), scripted(inp).tolist(), traced(inp).tolist()])
        assert scripted.other(inp).tolist() == (inp + 1).tolist()
    ours, theirs = results
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    assert ours[0] == ours[1] == ours[2]


def _double(t):
    return t * 2


def test_scripted_and_traced_functions(torch_ref):
    for torch in (retrograd, torch_ref):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            sf = torch.jit.script(_double)
            tf = torch.jit.trace(_double, torch.ones(2))
        assert sf(torch.ones(2)).tolist() == tf(torch.ones(2)).tolist() == [2.0, 2.0]
    assert retrograd.jit.script(_double).__wrapped__ is _double


def test_decorators_return_the_function(torch_ref):
    for torch in (retrograd, torch_ref):
        jit = torch.jit
        assert jit.ignore(_double) is _double
        assert jit.unused(_double) is _double
        assert jit.export(_double) is _double
        with pytest.warns(FutureWarning, match=r"ignore\(True\) has been deprecated"):
            assert jit.ignore(drop=True)(_double) is _double
        assert jit.annotate(int, 3) == 3
        assert jit.Attribute(3, int).value == 3
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            assert jit.wait(jit.fork(_double, torch.ones(1))).tolist() == [2.0]


def test_deprecation_warnings_as_pytorch(torch_ref):
    for torch in (retrograd, torch_ref):
        with pytest.warns(
            DeprecationWarning,
            match="`torch.jit.script` is deprecated. Please "
            "switch to `torch.compile` or `torch.export`.",
        ):
            torch.jit.script(_double)
        with pytest.warns(DeprecationWarning, match="`torch.jit.trace` is deprecated"):
            torch.jit.trace(_double, torch.ones(1))


def test_freeze_checks_its_input_as_pytorch(torch_ref):
    for torch in (retrograd, torch_ref):
        net = _model(torch)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            with pytest.raises(RuntimeError, match="Freezing expects a ScriptModule as input"):
                torch.jit.freeze(net)
            scripted = torch.jit.script(net)
            with pytest.raises(RuntimeError, match="only implemented for modules in eval mode"):
                torch.jit.freeze(scripted)


def test_saving_compiled_programs_and_onnx_export_are_not_built(tmp_path):
    net = _model(retrograd)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        scripted = retrograd.jit.script(net)
        sf = retrograd.jit.script(_double)
    path = str(tmp_path / "m.pt")
    for call, name in [
        (lambda: scripted.save(path), "ScriptModule.save"),
        (lambda: retrograd.jit.save(scripted, path), "torch.jit.save"),
        (lambda: retrograd.jit.load(path), "torch.jit.load"),
        (lambda: scripted.code, "ScriptModule.code"),
        (lambda: sf.graph, "ScriptFunction.graph"),
        (lambda: sf.save(path), "ScriptFunction.save"),
        (lambda: retrograd.onnx.export(net, (retrograd.ones(1, 3),), path), "torch.onnx.export"),
        (
            lambda: retrograd.onnx.dynamo_export(net, retrograd.ones(1, 3)),
            "torch.onnx.dynamo_export",
        ),
    ]:
        with pytest.raises(NotImplementedError, match=name):
            call()
    assert retrograd.onnx.is_in_onnx_export() is False


def test_hub_loads_from_a_local_directory(tmp_path):
    (tmp_path / "hubconf.py").write_text(
        "import retrograd\n\ndependencies = []\n\n\n"
        "def tiny(width=2):\n    '''A tiny model.'''\n    return retrograd.nn.Linear(width, 1)\n"
    )
    model = retrograd.hub.load(str(tmp_path), "tiny", 4, source="local")
    assert model.in_features == 4
    assert "tiny" in retrograd.hub.list(str(tmp_path))
    assert retrograd.hub.help(str(tmp_path), "tiny") == "A tiny model."
    with pytest.raises(RuntimeError, match="Cannot find callable nothing in hubconf"):
        retrograd.hub.load(str(tmp_path), "nothing", source="local")


def test_hub_downloads_are_not_built(tmp_path):
    with pytest.raises(NotImplementedError, match="does not download"):
        retrograd.hub.load("pytorch/vision", "resnet18")
    with pytest.raises(NotImplementedError, match="does not download"):
        retrograd.hub.download_url_to_file("https://example.com/x.pt", str(tmp_path / "x"))
    with pytest.raises(NotImplementedError, match="no cached copy"):
        retrograd.hub.load_state_dict_from_url("https://example.com/w.pt", model_dir=str(tmp_path))
    with pytest.raises(ValueError, match='Unknown source: "svn"'):
        retrograd.hub.load("x", "y", source="svn")


def test_hub_state_dict_from_the_cache(tmp_path):
    weights = {"w": retrograd.ones(2)}
    retrograd.save(weights, str(tmp_path / "w.pt"))
    loaded = retrograd.hub.load_state_dict_from_url(
        "https://example.com/w.pt?x=1", model_dir=str(tmp_path)
    )
    assert loaded["w"].tolist() == [1.0, 1.0]
