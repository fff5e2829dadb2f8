"""Every module path that PyTorch tutorials and common small projects import resolves, and names
reached by two paths are the same objects (``nn.modules.linear.Linear is nn.Linear``)."""

import importlib

import pytest

import retrograd

# (module path, names imported from it), as published code writes them
IMPORTS = [
    ("torch", ["Tensor", "nn", "optim", "autograd", "cuda", "backends", "device", "Size"]),
    ("torch.nn", ["Module", "Linear", "Parameter", "DataParallel", "functional", "init"]),
    ("torch.nn.functional", ["relu", "cross_entropy", "mse_loss"]),
    ("torch.nn.init", ["xavier_uniform_", "kaiming_normal_", "zeros_"]),
    ("torch.nn.parameter", ["Parameter"]),
    ("torch.nn.modules", ["Module", "Linear", "Conv2d", "Sequential"]),
    ("torch.nn.modules.module", ["Module"]),
    ("torch.nn.modules.linear", ["Linear", "Identity", "Bilinear"]),
    ("torch.nn.modules.conv", ["Conv1d", "Conv2d", "ConvTranspose2d", "_ConvNd"]),
    ("torch.nn.modules.loss", ["_Loss", "_WeightedLoss", "MSELoss", "CrossEntropyLoss"]),
    ("torch.nn.modules.activation", ["ReLU", "MultiheadAttention", "Softmax"]),
    ("torch.nn.modules.container", ["Sequential", "ModuleList", "ModuleDict"]),
    ("torch.nn.modules.batchnorm", ["BatchNorm1d", "BatchNorm2d", "_BatchNorm", "_NormBase"]),
    ("torch.nn.modules.normalization", ["LayerNorm", "GroupNorm"]),
    ("torch.nn.modules.dropout", ["Dropout", "_DropoutNd"]),
    (
        "torch.nn.modules.pooling",
        [
            "MaxPool2d",
            "AvgPool2d",
            "AdaptiveAvgPool2d",
            "_MaxPoolNd",
            "_AvgPoolNd",
            "_AdaptiveAvgPoolNd",
        ],
    ),
    ("torch.nn.modules.rnn", ["LSTM", "GRU", "RNNBase", "RNNCellBase"]),
    ("torch.nn.modules.sparse", ["Embedding"]),
    (
        "torch.nn.modules.transformer",
        ["TransformerEncoder", "TransformerDecoderLayer", "_get_clones", "_get_activation_fn"],
    ),
    ("torch.nn.modules.padding", ["ConstantPad2d", "ZeroPad2d"]),
    ("torch.nn.modules.flatten", ["Flatten", "Unflatten"]),
    ("torch.nn.modules.distance", ["PairwiseDistance", "CosineSimilarity"]),
    ("torch.nn.modules.upsampling", ["Upsample"]),
    (
        "torch.nn.modules.utils",
        [
            "_pair",
            "_single",
            "_triple",
            "_quadruple",
            "_ntuple",
            "consume_prefix_in_state_dict_if_present",
        ],
    ),
    ("torch.nn.parallel", ["DataParallel", "DistributedDataParallel"]),
    ("torch.nested", ["nested_tensor", "as_nested_tensor", "to_padded_tensor"]),
    ("torch.utils._pytree", ["tree_map", "tree_flatten", "tree_unflatten", "TreeSpec"]),
    (
        "torch.nn.utils",
        [
            "clip_grad_norm_",
            "clip_grad_value_",
            "parameters_to_vector",
            "vector_to_parameters",
            "weight_norm",
            "remove_weight_norm",
            "spectral_norm",
            "remove_spectral_norm",
            "parametrize",
            "parametrizations",
        ],
    ),
    ("torch.nn.utils.weight_norm", ["WeightNorm", "weight_norm", "remove_weight_norm"]),
    (
        "torch.nn.utils.parametrize",
        [
            "register_parametrization",
            "remove_parametrizations",
            "is_parametrized",
            "cached",
            "type_before_parametrizations",
        ],
    ),
    ("torch.nn.utils.parametrizations", ["weight_norm"]),
    ("torch.nn.utils.spectral_norm", ["SpectralNorm", "spectral_norm", "remove_spectral_norm"]),
    (
        "torch.nn.utils.rnn",
        [
            "pad_sequence",
            "pack_padded_sequence",
            "pad_packed_sequence",
            "pack_sequence",
            "unpack_sequence",
            "unpad_sequence",
            "PackedSequence",
        ],
    ),
    ("torch.optim", ["SGD", "Adam", "AdamW", "Optimizer", "lr_scheduler"]),
    ("torch.optim.optimizer", ["Optimizer"]),
    ("torch.optim.lr_scheduler", ["StepLR", "LambdaLR", "CosineAnnealingLR", "ReduceLROnPlateau"]),
    ("torch.autograd", ["Variable", "Function", "grad", "backward", "gradcheck"]),
    ("torch.autograd.variable", ["Variable"]),
    ("torch.autograd.function", ["Function", "once_differentiable"]),
    ("torch.serialization", ["save", "load"]),
    ("torch.types", ["Device", "Number"]),
    ("torch.testing", ["assert_close", "make_tensor"]),
    ("torch.backends", ["cuda", "cudnn", "mps", "mkldnn", "openmp"]),
    ("torch.backends.cuda", ["matmul", "is_built"]),
    ("torch.backends.cudnn", ["benchmark", "deterministic", "enabled", "is_available"]),
    ("torch.backends.mps", ["is_available", "is_built"]),
    ("torch.backends.mkldnn", ["is_available"]),
    ("torch.backends.openmp", ["is_available"]),
    ("torch.cuda", ["is_available", "device_count", "manual_seed_all", "amp"]),
    ("torch.cuda.amp", ["autocast", "GradScaler", "custom_fwd", "custom_bwd"]),
    ("torch.amp", ["autocast", "GradScaler"]),
    ("torch.cpu", ["is_available", "device_count"]),
    ("torch.cpu.amp", ["autocast"]),
    (
        "torch.jit",
        [
            "script",
            "trace",
            "ignore",
            "unused",
            "export",
            "is_scripting",
            "is_tracing",
            "ScriptModule",
        ],
    ),
    ("torch.onnx", ["export", "is_in_onnx_export"]),
    ("torch.hub", ["load", "load_state_dict_from_url", "get_dir"]),
    ("torch.version", ["cuda", "__version__"]),
    ("torch.utils.checkpoint", ["checkpoint"]),
]


def _ours(path: str) -> str:
    return "retrograd" + path[len("torch") :]


@pytest.mark.parametrize("path, names", IMPORTS, ids=[p for p, _ in IMPORTS])
def test_import_resolves(path, names):
    module = importlib.import_module(_ours(path))
    for name in names:
        assert hasattr(module, name), f"{path}.{name}"


@pytest.mark.parametrize("path, names", IMPORTS, ids=[p for p, _ in IMPORTS])
def test_pytorch_has_the_same_names(path, names):
    """The list is PyTorch's: each name exists at that path in PyTorch too."""
    pytest.importorskip("torch")
    module = importlib.import_module(path)
    for name in names:
        assert hasattr(module, name), f"{path}.{name}"


def test_module_paths_reach_the_same_objects():
    nn = retrograd.nn
    from retrograd.nn.modules import (
        activation,
        batchnorm,
        container,
        conv,
        linear,
        loss,
        rnn,
        sparse,
    )

    assert linear.Linear is nn.Linear
    assert conv.Conv2d is nn.Conv2d
    assert loss.CrossEntropyLoss is nn.CrossEntropyLoss
    assert activation.ReLU is nn.ReLU
    assert container.Sequential is nn.Sequential
    assert batchnorm.BatchNorm2d is nn.BatchNorm2d
    assert rnn.LSTM is nn.LSTM
    assert sparse.Embedding is nn.Embedding
    assert nn.modules.Linear is nn.Linear
    assert issubclass(nn.MSELoss, loss._Loss)
    assert isinstance(nn.LSTM(2, 3), rnn.RNNBase)
    assert retrograd.serialization.save is retrograd.save
    assert retrograd.serialization.load is retrograd.load
    assert retrograd.autograd.variable.Variable is retrograd.autograd.Variable
    assert retrograd.nn.parallel.DataParallel is nn.DataParallel
    assert retrograd.optim.lr_scheduler.StepLR is retrograd.optim.lr_scheduler.StepLR
    assert retrograd.amp.autocast is retrograd.autocast


def test_class_hierarchy_as_pytorch(torch_ref):
    """The shared base classes layer code subclasses, and no more: MaxPool1d is no MaxPool2d."""
    for torch in (retrograd, torch_ref):
        m = torch.nn.modules
        assert issubclass(torch.nn.Dropout, m.dropout._DropoutNd)
        assert issubclass(m.batchnorm._BatchNorm, m.batchnorm._NormBase)
        assert issubclass(torch.nn.BatchNorm2d, m.batchnorm._BatchNorm)
        for a, b in (
            ("MaxPool1d", "_MaxPoolNd"),
            ("MaxPool2d", "_MaxPoolNd"),
            ("AvgPool1d", "_AvgPoolNd"),
            ("AvgPool2d", "_AvgPoolNd"),
            ("AdaptiveAvgPool1d", "_AdaptiveAvgPoolNd"),
            ("AdaptiveAvgPool2d", "_AdaptiveAvgPoolNd"),
        ):
            assert issubclass(getattr(torch.nn, a), getattr(m.pooling, b))
        assert not issubclass(torch.nn.MaxPool1d, torch.nn.MaxPool2d)
        assert not issubclass(torch.nn.AvgPool1d, torch.nn.AvgPool2d)
        assert not issubclass(torch.nn.AdaptiveAvgPool1d, torch.nn.AdaptiveAvgPool2d)
        reprs = [
            repr(torch.nn.MaxPool1d(2)),
            repr(torch.nn.AvgPool1d(3, 1, 1)),
            repr(torch.nn.AdaptiveAvgPool1d(4)),
            repr(torch.nn.Dropout(0.2, True)),
        ]
        if torch is retrograd:
            ours = reprs
    assert ours == reprs


def test_every_torch_nn_modules_name_we_export_is_torchs():
    """``retrograd.nn.modules.X`` exports only names PyTorch's ``torch.nn.modules.X`` has."""
    pytest.importorskip("torch")
    for name in retrograd.nn.modules._SUBMODULES:
        ours = name.__name__.rsplit(".", 1)[1]
        theirs = importlib.import_module(f"torch.nn.modules.{ours}")
        for attr in name.__all__:
            assert hasattr(theirs, attr), f"torch.nn.modules.{ours}.{attr}"


def test_every_class_of_ours_is_at_pytorchs_module_path():
    """Each class that ``retrograd.nn`` has is also at the ``nn.modules.X`` path where PyTorch
    defines it (published code names them there: safe_globals lists, isinstance checks)."""
    torch = pytest.importorskip("torch")
    missing = []
    for name in dir(torch.nn):
        cls = getattr(torch.nn, name)
        if not isinstance(cls, type) or not hasattr(retrograd.nn, name):
            continue
        path = cls.__module__
        if not path.startswith("torch.nn.modules."):
            continue
        try:
            ours = importlib.import_module("retrograd" + path[len("torch") :])
        except ImportError:
            missing.append(f"{path}.{name}")
            continue
        if getattr(ours, name, None) is not getattr(retrograd.nn, name):
            missing.append(f"{path}.{name}")
    assert not missing


def test_transformer_module_helpers_as_pytorch(torch_ref):
    from retrograd.nn.modules import transformer as ours

    theirs = torch_ref.nn.modules.transformer
    mask = ours._generate_square_subsequent_mask(3, dtype=retrograd.float64)
    assert mask.tolist() == theirs._generate_square_subsequent_mask(3).tolist()
    assert mask.dtype == retrograd.float64
    assert ours._get_activation_fn("gelu") is retrograd.nn.functional.gelu
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        ours._get_activation_fn("tanh")
    clones = ours._get_clones(retrograd.nn.Linear(2, 2), 3)
    assert len(clones) == 3 and clones[0].weight is not clones[1].weight


def test_module_utils_helpers_match_pytorch():
    pytest.importorskip("torch")
    from torch.nn.modules import utils as theirs

    from retrograd.nn.modules import utils as ours

    for name in ("_single", "_pair", "_triple", "_quadruple"):
        for value in (3, (1, 2), [4, 5, 6]):
            assert getattr(ours, name)(value) == getattr(theirs, name)(value)
    assert ours._reverse_repeat_tuple((1, 2, 3), 2) == theirs._reverse_repeat_tuple((1, 2, 3), 2)
    sd_ours = {"module.a": 1, "module.b.c": 2, "d": 3}
    sd_theirs = dict(sd_ours)
    ours.consume_prefix_in_state_dict_if_present(sd_ours, "module.")
    theirs.consume_prefix_in_state_dict_if_present(sd_theirs, "module.")
    assert sd_ours == sd_theirs


def test_data_parallel_runs_the_module_as_the_cpu_build_does():
    torch = pytest.importorskip("torch")
    for lib in (retrograd, torch):
        m = lib.nn.Linear(2, 3)
        dp = lib.nn.DataParallel(m, device_ids=[0, 1], output_device=0, dim=1)
        assert dp.module is m
        assert dp.device_ids == []
        assert list(dp.state_dict()) == ["module.weight", "module.bias"]
        x = lib.ones(4, 2)
        assert lib.equal(dp(x), m(x))
        assert repr(dp) == (
            "DataParallel(\n  (module): Linear(in_features=2, out_features=3, bias=True)\n)"
        )


def test_distributed_data_parallel_needs_a_process_group(torch_ref):
    for lib in (retrograd, torch_ref):
        with pytest.raises(
            ValueError,
            match="^Default process group has not been initialized, "
            "please make sure to call init_process_group.",
        ):
            lib.nn.parallel.DistributedDataParallel(lib.nn.Linear(2, 2))


def test_tensorboard_path_needs_the_package_as_in_pytorch(torch_ref):
    """``torch.utils.tensorboard`` exists; without the tensorboard package importing it fails
    with PyTorch's error, with the package its SummaryWriter says it is not built."""
    import importlib
    import importlib.util

    if importlib.util.find_spec("tensorboard") is None:
        errors = []
        for name in ("retrograd.utils.tensorboard", "torch.utils.tensorboard"):
            with pytest.raises(ModuleNotFoundError) as info:
                importlib.import_module(name)
            errors.append((str(info.value), info.value.name))
        assert errors[0] == errors[1] == ("No module named 'tensorboard'", "tensorboard")
    else:
        module = importlib.import_module("retrograd.utils.tensorboard")
        with pytest.raises(NotImplementedError, match="SummaryWriter is not built"):
            module.SummaryWriter("runs")


def test_nested_tensors_say_they_are_not_built():
    with pytest.raises(NotImplementedError, match=r"torch\.nested\.nested_tensor: nested tensors"):
        retrograd.nested.nested_tensor([retrograd.ones(2), retrograd.ones(3)])
