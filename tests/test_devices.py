"""Devices as PyTorch's CPU-only build has them: ``torch.device`` parsing, ``.to('cuda')`` and
``device='cuda'`` errors, ``torch.cuda``, backend switches, threads and the default device."""

import pickle

import pytest
from expression_parity import assert_same_outcome

import retrograd

# Each expression runs with ``torch`` bound to retrograd and to PyTorch: the same repr, or the same
# exception type with a message that starts with PyTorch's (retrograd may add one sentence).
EXPRESSIONS = [
    "torch.device('cuda:1')",
    "torch.device('cuda', 0)",
    "torch.device('cpu', 0)",
    "torch.device('cpu')",
    "torch.device('cuda:0') == torch.device('cuda', 0)",
    "torch.device('cuda') == torch.device('cuda:0')",
    "torch.device('cpu') == 'cpu'",
    "torch.device('cuda:1') != torch.device('cuda:1')",
    "str(torch.device('cuda', 0))",
    "torch.device('cuda:10').index",
    "torch.device('cpu').index",
    "torch.device('meta').type",
    "torch.device(torch.device('cuda:2'))",
    "torch.device(type='cuda', index=2)",
    "torch.device('cuda', None)",
    "hash(torch.device('cpu')) == hash(torch.device('cpu'))",
    "{torch.device('cpu'): 1}[torch.device('cpu')]",
    "torch.device('foo')",
    "torch.device('CUDA')",
    "torch.device('cuda:x')",
    "torch.device('cuda:-1')",
    "torch.device('cuda:01')",
    "torch.device('cuda:')",
    "torch.device(' cuda')",
    "torch.device('cuda:0:1')",
    "torch.device('cuda', -1)",
    "torch.device('cuda:0', 1)",
    "torch.device(1)",
    "torch.device(-1)",
    "torch.device()",
    "torch.device(None)",
    "torch.device(1.5)",
    "torch.device('cuda', 1.0)",
    "torch.device(torch.device('cuda'), 1)",
    "torch.zeros(2).device",
    "torch.zeros(2).is_cuda",
    "torch.zeros(2).get_device()",
    "torch.zeros(2).cpu()",
    "torch.zeros(2).pin_memory()",
    "torch.zeros(2).is_pinned()",
    "[torch.zeros(2).is_meta, torch.zeros(2).is_sparse, torch.zeros(2).is_quantized]",
    "[torch.zeros(2).is_mkldnn, torch.zeros(2).is_nested, torch.zeros(2).layout]",
    "[torch.zeros(2).is_cpu, torch.zeros(2).is_sparse_csr, torch.zeros(2).is_xpu]",
    "[torch.zeros(2).is_mps, torch.zeros(2).is_xla, torch.zeros(2).is_mtia, torch.zeros(2).is_ipu]",
    "[torch.zeros(2).is_vulkan, torch.zeros(2).is_maia, torch.zeros(2, device='meta').is_cpu]",
    "[torch.zeros(2).grad_dtype, torch.zeros(2, dtype=torch.long).grad_dtype]",
    "torch.zeros(2).xpu()",
    "torch.zeros(2).xpu(0)",
    "torch.zeros(2).xpu('cpu')",
    "torch.zeros(2).xpu('xpu:0')",
    "torch.zeros(2).ipu()",
    "torch.zeros(2).ipu('cpu')",
    "torch.zeros(2).mtia()",
    "torch.zeros(2).mtia(0)",
    "torch.zeros(2).mtia('cpu')",
    "torch.zeros(2).to('mtia')",
    "torch.zeros(2, device='mtia')",
    "torch.zeros(2).record_stream(None)",
    "torch.zeros(2).crow_indices()",
    "torch.zeros(2).col_indices()",
    "torch.zeros(2).ccol_indices()",
    "torch.zeros(2).row_indices()",
    "torch.zeros(2).int_repr()",
    "torch.zeros(2).q_scale()",
    "torch.zeros(2).qscheme()",
    "torch.zeros(2).to_sparse_coo()",
    "[torch.sparse_csr, torch.sparse_csc, torch.sparse_bsr, torch.sparse_bsc, torch.jagged]",
    "[str(torch._mkldnn), torch.strided == torch.sparse_coo]",
    "(lambda x: x.dequantize() is x)(torch.zeros(2))",
    "torch.tensor([0.0, 2.0]).to_sparse_coo()",
    "torch.zeros(2).to('cpu')",
    "torch.zeros(2).to('cpu:1')",
    "torch.zeros(2).to('cpu', torch.float64)",
    "torch.zeros(2).to(device=None)",
    "torch.zeros(2).to(None)",
    "torch.zeros(2).to(dtype=torch.int32, device='cpu')",
    "torch.zeros(2).to(torch.zeros(1, dtype=torch.long))",
    "torch.zeros(2).to(non_blocking=True)",
    "torch.zeros(2).to(tensor=torch.zeros(1, dtype=torch.long))",
    "torch.zeros(2).to(memory_format=torch.contiguous_format)",
    "torch.zeros(2).cpu(memory_format=torch.preserve_format)",
    "torch.zeros(2).to('cpu', torch.float64, True, True)",
    "torch.zeros(2).to(torch.float64, 'cuda')",
    "torch.zeros(2).to('cpu', 'cpu')",
    "torch.zeros(2).to(torch.float64, torch.float32)",
    "torch.zeros(2).to(foo=1)",
    "torch.zeros(2).cuda()",
    "torch.zeros(2).cuda(0)",
    "torch.zeros(2).cuda('cuda:0')",
    "torch.zeros(2).cuda('cpu')",
    "torch.zeros(2).cuda(device='cuda')",
    "torch.zeros(2).cuda(non_blocking=True)",
    "torch.zeros(2).to('cuda')",
    "torch.zeros(2).to('cuda:1')",
    "torch.zeros(2).to(1)",
    "torch.zeros(2).to('cuda', torch.float64)",
    "torch.zeros(2).to(torch.device('cuda'))",
    "torch.zeros(2).to(device='cuda')",
    "torch.zeros(2).to('mps')",
    "torch.zeros(2).to('xla')",
    "torch.zeros(2).to('xpu')",
    "torch.zeros(2).to('hip')",
    "torch.zeros(2).to('foo')",
    "torch.zeros(2, device='cuda')",
    "torch.zeros(2, device='cuda:0')",
    "torch.zeros(2, device=0)",
    "torch.ones(2, device='mps')",
    "torch.arange(3, device='xla')",
    "torch.zeros(2, device='xpu')",
    "torch.randn(2, device='cuda')",
    "torch.full((2,), 1., device='cuda')",
    "torch.eye(2, device='cuda')",
    "torch.linspace(0, 1, 2, device='cuda')",
    "torch.tensor([1.], device='cuda')",
    "torch.tensor([1.], device='mps')",
    "torch.zeros(2, device='foo')",
    "torch.zeros(2, device='cpu:3')",
    "torch.zeros(2, pin_memory=True)",
    "torch.tensor([1.], pin_memory=True)",
    "torch.nn.Linear(2, 2).cuda()",
    "torch.nn.Linear(2, 2).cuda(0)",
    "torch.nn.Linear(2, 2).to('cuda')",
    "torch.nn.Linear(2, 2).to(device='cuda')",
    "torch.nn.Linear(2, 2).to('mps')",
    "torch.nn.Linear(2, 2).to('foo')",
    "torch.nn.Linear(2, 2).to('cpu')",
    "torch.nn.Linear(2, 2).to(torch.long)",
    "torch.nn.Linear(2, 2).to(torch.device('cpu'), torch.float64).weight.dtype",
    "torch.nn.Linear(2, 2).to('cpu', non_blocking=True)",
    "torch.nn.Linear(2, 2, device='cuda')",
    "torch.nn.Linear(2, 2, device='cpu').weight.device",
    "torch.nn.Conv2d(1, 1, 3, device='cuda')",
    "torch.nn.BatchNorm1d(2, device='cuda')",
    "torch.nn.LayerNorm(2, device='cuda')",
    "torch.nn.GroupNorm(1, 2, device='cuda')",
    "torch.nn.Embedding(3, 2, device='cuda')",
    "torch.nn.LSTM(2, 3, device='cuda')",
    "torch.nn.GRUCell(2, 3, device='cuda')",
    "torch.nn.PReLU(device='cuda')",
    "torch.nn.MultiheadAttention(4, 2, device='cuda')",
    "torch.nn.Bilinear(2, 2, 2, device='cuda')",
    "torch.nn.ConvTranspose2d(1, 1, 3, device='mps')",
    "torch.zeros(2, layout=torch.strided)",
    "torch.empty_like(torch.ones(2), memory_format=torch.preserve_format).shape",
    "torch.ones(2, 3).clone(memory_format=torch.contiguous_format)",
    "torch.ones(2, 3).t().contiguous(memory_format=torch.contiguous_format).is_contiguous()",
    "torch.ones(2, 3).is_contiguous(memory_format=torch.contiguous_format)",
    "torch.get_default_device()",
    "torch.set_default_device('cpu')",
    "torch.cuda.is_available()",
    "torch.cuda.device_count()",
    "torch.cuda.is_initialized()",
    "torch.cuda.manual_seed(0)",
    "torch.cuda.manual_seed_all(0)",
    "torch.cuda.seed()",
    "torch.cuda.seed_all()",
    "torch.cuda.empty_cache()",
    "torch.cuda.memory_allocated()",
    "torch.cuda.max_memory_allocated()",
    "torch.cuda.memory_reserved()",
    "torch.cuda.get_rng_state_all()",
    "torch.cuda.is_bf16_supported()",
    "torch.cuda.get_arch_list()",
    "torch.cuda.current_device()",
    "torch.cuda.get_device_name()",
    "torch.cuda.get_device_name(0)",
    "torch.cuda.synchronize()",
    "torch.cuda.initial_seed()",
    "torch.cuda.get_rng_state()",
    "torch.cuda.get_device_properties(0)",
    "torch.cuda.get_device_capability()",
    "torch.cuda.current_stream()",
    "torch.cuda.init()",
    "torch.cuda.set_device(0)",
    "torch.cuda.Stream()",
    "torch.cuda.Event()",
    "torch.cuda.device(0).__enter__()",
    "torch.cuda.FloatTensor([1.])",
    "torch.cuda.LongTensor([1])",
    "torch.cuda.reset_peak_memory_stats()",
    "torch.backends.mps.is_available()",
    "torch.backends.mps.is_built()",
    "torch.backends.cuda.is_built()",
    "torch.backends.cudnn.is_available()",
    "torch.backends.cudnn.version()",
    "torch.backends.cudnn.enabled",
    "torch.backends.cudnn.benchmark",
    "torch.backends.cudnn.deterministic",
    "torch.backends.cudnn.allow_tf32",
    "torch.backends.cuda.matmul.allow_tf32",
    "torch.backends.cuda.matmul.allow_fp16_reduced_precision_reduction",
    "torch.backends.cuda.matmul.foo",
    "torch.backends.cuda.flash_sdp_enabled()",
    "torch.get_float32_matmul_precision()",
    "torch.are_deterministic_algorithms_enabled()",
    "torch.cpu.is_available()",
    "torch.cpu.device_count()",
    "torch.cpu.current_device()",
    "torch.version.cuda",
    "torch.set_num_threads(0)",
    "torch.set_num_threads(1.5)",
    "torch.set_num_threads('2')",
]


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_same_as_pytorch_cpu_build(expression, torch_ref):
    assert_same_outcome(expression, torch_ref)


def test_device_pickles_and_is_the_type_of_tensor_device():
    d = retrograd.device("cuda:1")
    assert pickle.loads(pickle.dumps(d)) == d
    assert isinstance(retrograd.zeros(1).device, retrograd.device)
    assert retrograd.zeros(1).device == retrograd.device("cpu")


def test_default_device_reaches_factories(torch_ref):
    """After set_default_device('cuda') the CPU-only build fails at the next factory, not at the
    setting; ``*_like`` factories follow their input; None restores the CPU."""
    for torch in (retrograd, torch_ref):
        x = torch.ones(2)
        torch.set_default_device("cuda")
        try:
            with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
                torch.zeros(2)
            with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
                torch.tensor([1.0])
            with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
                torch.get_default_device()
            assert torch.zeros_like(x).device.type == "cpu"
        finally:
            torch.set_default_device(None)
        assert torch.get_default_device() == torch.device("cpu")
        assert torch.zeros(2).device.type == "cpu"


def test_backend_switches_are_settable_and_read_back(torch_ref):
    for torch in (retrograd, torch_ref):
        cudnn, matmul = torch.backends.cudnn, torch.backends.cuda.matmul
        saved = (cudnn.benchmark, cudnn.deterministic, torch.get_float32_matmul_precision())
        try:
            cudnn.benchmark = True
            cudnn.deterministic = True
            assert (cudnn.benchmark, cudnn.deterministic) == (True, True)
            with cudnn.flags(enabled=False, benchmark=False):
                assert (cudnn.enabled, cudnn.benchmark) == (False, False)
            assert (cudnn.enabled, cudnn.benchmark) == (True, True)
            matmul.allow_tf32 = True
            assert torch.get_float32_matmul_precision() == "high"
            matmul.allow_tf32 = False
            assert torch.get_float32_matmul_precision() == "highest"
            torch.set_float32_matmul_precision("medium")
            assert matmul.allow_tf32 is True
            with pytest.warns(
                UserWarning, match="foo is not one of 'highest', 'high', or 'medium'"
            ):
                torch.set_float32_matmul_precision("foo")
            assert torch.get_float32_matmul_precision() == "medium"
            with pytest.raises(AttributeError, match="Unknown attribute bar"):
                matmul.bar = 1
        finally:
            cudnn.benchmark, cudnn.deterministic = saved[:2]
            torch.set_float32_matmul_precision(saved[2])


def test_deterministic_algorithms_switch(torch_ref):
    for torch in (retrograd, torch_ref):
        try:
            torch.use_deterministic_algorithms(True, warn_only=True)
            assert torch.are_deterministic_algorithms_enabled()
            assert torch.is_deterministic_algorithms_warn_only_enabled()
        finally:
            torch.use_deterministic_algorithms(False)
        assert not torch.are_deterministic_algorithms_enabled()


def test_num_threads_sets_the_blas_threads():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    before = retrograd.get_num_threads()
    try:
        retrograd.set_num_threads(1)
        assert retrograd.get_num_threads() == 1
        blas = [
            lib["num_threads"]
            for lib in threadpoolctl.threadpool_info()
            if lib["user_api"] == "blas"
        ]
        assert blas and all(n == 1 for n in blas)
    finally:
        retrograd.set_num_threads(before)
    assert retrograd.get_num_threads() == before


def test_num_threads_without_threadpoolctl_warns(monkeypatch):
    from retrograd import _threads

    monkeypatch.setattr(_threads, "_controller", lambda: None)
    with pytest.warns(UserWarning, match="threadpoolctl is not installed"):
        retrograd.set_num_threads(1)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert retrograd.get_num_threads() == 3


def test_set_default_dtype_reaches_factories_and_legacy_constructors():
    before = retrograd.get_default_dtype()
    try:
        retrograd.set_default_dtype(retrograd.float64)
        assert retrograd.zeros(1).dtype is retrograd.float64
        assert retrograd.tensor([1.5]).dtype is retrograd.float64
        assert retrograd.Tensor(2).dtype is retrograd.float64
        assert retrograd.nn.Linear(2, 2).weight.dtype is retrograd.float64
    finally:
        retrograd.set_default_dtype(before)


@pytest.mark.filterwarnings("ignore:torch.cuda.amp.GradScaler is enabled:UserWarning")
def test_amp_names_behave_as_the_cpu_build_does_for_cuda(torch_ref):
    for torch in (retrograd, torch_ref):
        with pytest.warns(UserWarning, match="CUDA is not available"):
            scaler = torch.amp.GradScaler("cuda")
        assert not scaler.is_enabled() and scaler.get_scale() == 1.0
        assert scaler.state_dict() == {}
        model = torch.nn.Linear(2, 1)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        loss = model(torch.ones(1, 2)).sum()
        assert scaler.scale(loss) is loss
        scaler.scale(loss).backward()
        scaler.unscale_(opt)
        before = model.weight.detach().clone()
        scaler.step(opt)
        scaler.update()
        assert not torch.equal(model.weight.detach(), before)  # the step was taken
        with pytest.warns(UserWarning, match="Disabling autocast"):
            region = torch.autocast("cuda", dtype=torch.float16)
        with region:
            assert not torch.is_autocast_enabled()
        with pytest.warns(
            FutureWarning,
            match=r"torch.cuda.amp.GradScaler\(args...\)` is "
            "deprecated",
        ):
            torch.cuda.amp.GradScaler()
        with pytest.raises(RuntimeError, match="Expected one of cpu, cuda"):
            torch.autocast("foo")
        torch.autocast("cpu", enabled=False)


def test_device_as_a_context_manager(torch_ref):
    for torch in (retrograd, torch_ref):
        with torch.device("cpu"):
            assert torch.zeros(1).device.type == "cpu"
        with torch.device("cuda"):
            with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
                torch.zeros(1)
            with torch.device("cpu"):
                assert torch.ones(1).device.type == "cpu"
            with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
                torch.ones(1)
        assert torch.zeros(1).device.type == "cpu"


@pytest.mark.parametrize(
    "expression",
    [
        "torch.ones(2).new_zeros(3, device='cuda')",
        "torch.ones(2).new_ones((2,), device='cpu')",
        "torch.ones(2).new_full((2,), 3.0, device='cuda')",
        "torch.ones(2).new_tensor([1], device=0)",
        "torch.ones(2).new_empty(2, pin_memory=True)",
        "torch.ones(2).new_zeros(2, foo=1)",
    ],
)
def test_new_factories_check_their_device(expression, torch_ref):
    assert_same_outcome(expression, torch_ref)


def test_new_factories_ignore_the_default_device():
    x = retrograd.ones(2)
    retrograd.set_default_device("cuda")
    try:
        assert x.new_zeros(2).device.type == "cpu"
    finally:
        retrograd.set_default_device(None)
