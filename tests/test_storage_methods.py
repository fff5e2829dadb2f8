"""A tensor's memory as PyTorch's storage objects (``untyped_storage``, ``storage``), and the
methods that read or change which memory a tensor views: ``share_memory_``/``is_shared``,
``set_``, ``is_set_to``, ``dim_order``, ``as_subclass`` — each run side by side with PyTorch."""

import warnings

import pytest

import retrograd
from retrograd.ops import storage as storage_module


def _run(lib, program):
    """The program's printed results (or its exception type and first line)."""
    scope = {"torch": lib}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(program, scope)
        return [str(v) for v in scope["out"]]
    except Exception as e:
        return type(e).__name__, str(e).splitlines()[0]


PROGRAMS = [
    # storages: the whole memory a view reads, compared by data_ptr
    """x = torch.arange(6.).reshape(2, 3); v = x[:, 1:]; s = x.untyped_storage()
out = [type(s).__name__, s.size(), s.nbytes(), len(s), s[4], s[6], s.element_size(), s.device,
       s.data_ptr() == x.data_ptr(), v.untyped_storage().data_ptr() == s.data_ptr(),
       x.clone().untyped_storage().data_ptr() == s.data_ptr(), s.tolist()[:8], s.type(),
       torch.typename(s), torch.is_storage(s)]""",
    """x = torch.arange(6.).reshape(2, 3); ts = x[:, 1:].storage()
out = [type(ts).__name__, ts.size(), ts.nbytes(), len(ts), ts[4], ts.element_size(), ts.dtype,
       ts.data_ptr() == x.data_ptr(), ts.tolist(), ts.type(), list(ts)]""",
    "out = [repr(torch.ones(2).untyped_storage()), repr(torch.ones(2).storage())]",
    "out = [torch.tensor([1, 2], dtype=torch.int16).storage().tolist()]",
    """x = torch.arange(6.)
out = [x.const_data_ptr() == x.data_ptr(), x[2:].const_data_ptr() == x[2:].data_ptr()]""",
    # share_memory_ / is_shared: the memory is marked, whichever tensor views it
    """x = torch.arange(6.).reshape(2, 3)
out = [x.is_shared(), x.share_memory_() is x, x.is_shared(), x[:, 1:].is_shared(),
       x.clone().is_shared(), x.untyped_storage().is_shared()]""",
    # dim_order
    """out = [torch.ones(2, 3, 4).dim_order(), torch.ones(2, 3, 4).permute(2, 0, 1).dim_order(),
       torch.ones(2, 1, 4).transpose(0, 1).dim_order(), torch.ones(()).dim_order(),
       torch.empty(2, 4, 5, 3).permute(0, 3, 1, 2).dim_order(),
       torch.ones(2).dim_order(ambiguity_check=True)]""",
    "out = [torch.ones(2, 1).dim_order(ambiguity_check=True)]",
    # set_: another tensor's memory, a storage's, or none
    """y = torch.zeros(3); z = torch.arange(4.)
out = [y.set_(z), y.data_ptr() == z.data_ptr(), y._version, y.is_set_to(z), y.is_set_to(z[:3])]
y.add_(1); out.append(z)""",
    """z = torch.arange(4.); y = torch.zeros(2)
out = [y.set_(), y.shape, torch.zeros(2).set_(z.untyped_storage(), 1, (2,), (1,))]
w = torch.zeros(2).set_(z.untyped_storage(), 1, (2,), (1,)); w[0] = 9
out += [z, torch.zeros(2).set_(z.untyped_storage()), torch.zeros(2).set_(z.storage(), 1, (2, 1))]
""",
    "out = [torch.zeros(2, requires_grad=True).set_(torch.ones(3))]",
    "out = [torch.zeros(2).set_(torch.ones(3, dtype=torch.int64))]",
    "out = [torch.zeros(2).set_(torch.ones(3, dtype=torch.int64).storage())]",
    "out = [torch.zeros(2).set_(3)]",
    "out = [torch.zeros(2).is_set_to(torch.zeros(2))]",
    # as_subclass
    """class M(torch.Tensor):
    pass
a = torch.ones(2, requires_grad=True); b = a * 2; m = b.as_subclass(M)
out = [type(m).__name__, m.grad_fn.name(), m.requires_grad, m.data_ptr() == b.data_ptr()]
(m * 3).sum().backward(); out.append(a.grad)
n = torch.ones(2).as_subclass(M); out += [type(n).__name__, n.grad_fn, n.requires_grad]""",
    "out = [torch.ones(2).as_subclass(int)]",
]


@pytest.mark.parametrize("program", PROGRAMS)
def test_matches_pytorch(torch_ref, program):
    assert _run(retrograd, program) == _run(torch_ref, program)


def test_storage_warns_once_as_pytorch(torch_ref, monkeypatch):
    torch_ref.storage._reset_warn_typed_storage_removal()
    monkeypatch.setattr(storage_module, "_warned", [False])
    messages = []
    for lib in (torch_ref, retrograd):
        with pytest.warns(UserWarning) as first:
            lib.ones(2).storage()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            lib.ones(2).storage()  # (no second warning)
        messages.append(str(first[0].message))
    assert messages[0] == messages[1]
