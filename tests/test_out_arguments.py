"""``out=``: every public function of ``torch``, ``torch.special``, ``torch.linalg`` and ``torch.fft`` that takes
an ``out`` tensor in PyTorch takes it here too, writes PyTorch's values into it and returns it; one
that has no ``out`` refuses it with PyTorch's TypeError.

The functions are found by trying a list of argument tuples on PyTorch until one runs, so a new
function is covered without a line here."""

import warnings

import numpy as np
import pytest

import retrograd

torch = pytest.importorskip("torch")

# retrograd takes out= where PyTorch's function does not, for these: the same function serves a
# name that has it (linalg.det, torch.softmax).
LENIENT = {"torch.det", "special.log_softmax", "special.softmax"}
SKIP = {  # state, modes and constructors rather than functions of tensors
    "compile", "load", "save", "manual_seed", "seed", "set_default_dtype", "set_grad_enabled",
    "no_grad", "enable_grad", "inference_mode", "set_printoptions", "use_deterministic_algorithms",
}  # fmt: skip


def _candidates(lib):
    x = lib.tensor(np.random.default_rng(0).uniform(0.5, 1.5, (4, 4)))
    i = lib.tensor([[0, 1], [1, 0]])
    e = x.expand(2, 4, 4)
    return [
        (x,), (x, x), (x, 0), (x, x, x), ([x, x],), (1, x), (x, 2), (x, [0]), (x, 0, 1),
        (x, x, x, x), (x.reshape(1, 16, 1, 1), 2), (x[0], x[0]), (x[0], x[0], x[0]), (x, x[0]),
        (x[0], x, x[0]), (x, x[0], x[0]), (e, e), (e, e, e), (x, e, e), ([x, x], [x, x]),
        (x, 0, i), (x, 0, i, x[:2, :2]), (x > 1, x, x), (x, x > 1), (i,), (i.flatten(),),
    ]  # fmt: skip


def _functions():
    import torch.fft
    import torch.linalg
    import torch.special

    found = []
    spaces = [("torch", torch, retrograd), ("special", torch.special, retrograd.special)]
    spaces.append(("linalg", torch.linalg, retrograd.linalg))
    spaces.append(("fft", torch.fft, retrograd.fft))
    for space, theirs, ours in spaces:
        for name in sorted(dir(theirs)):
            fn, mine = getattr(theirs, name), getattr(ours, name, None)
            if name.startswith("_") or name.endswith("_") or name[0].isupper() or name in SKIP:
                continue
            if mine is None or not callable(fn) or isinstance(fn, type):
                continue
            for k, args in enumerate(_candidates(torch)):
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        torch.manual_seed(0)
                        result = fn(*args)
                except Exception:
                    continue
                results = result if isinstance(result, tuple) else (result,)
                if results and all(isinstance(r, torch.Tensor) for r in results):
                    if _clear_answer(fn, args, results, isinstance(result, tuple)):
                        found.append(pytest.param(space, name, k, id=f"{space}.{name}"))
                break
    return found


def _clear_answer(fn, args, results, tuple_out):
    """Whether PyTorch either takes out= with these arguments or has no out= at all (not: one of
    its overloads has out=, another matches these arguments, as ``argsort(x)`` and ``stable=``)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn(*args, out=_outs(torch, results, tuple_out))
    except TypeError as e:
        return "unexpected keyword argument 'out'" in str(e)
    except Exception:  # (PyTorch's normal(mean) fails to resize an empty out)
        return False
    return True


def _outs(lib, results, tuple_out):
    outs = tuple(lib.empty(0, dtype=getattr(lib, str(r.dtype).split(".")[1])) for r in results)
    return outs if tuple_out else outs[0]


@pytest.mark.parametrize("space,name,k", _functions())
def test_out_as_pytorch(space, name, k):
    namespace = {"torch": (torch, retrograd), "special": (torch.special, retrograd.special)}
    namespace["linalg"] = (torch.linalg, retrograd.linalg)
    namespace["fft"] = (torch.fft, retrograd.fft)
    theirs, ours = (getattr(m, name) for m in namespace[space])
    their_args, our_args = _candidates(torch)[k], _candidates(retrograd)[k]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.manual_seed(0)
        result = theirs(*their_args)
        tuple_out = isinstance(result, tuple)
        results = result if tuple_out else (result,)
        their_out = _outs(torch, results, tuple_out)
        try:
            torch.manual_seed(0)
            returned = theirs(*their_args, out=their_out)
        except TypeError as e:
            if "unexpected keyword argument 'out'" not in str(e):
                raise
            if f"{space}.{name}" in LENIENT:
                return
            # (the name in the message is the Python function's: PyTorch's says _return_output
            # for unique, linalg_diagonal for linalg.diagonal)
            with pytest.raises(
                TypeError, match=r"^\w+\(\) got an unexpected keyword argument 'out'$"
            ):
                ours(*our_args, out=_outs(retrograd, results, tuple_out))
            return
        my_out = _outs(retrograd, results, tuple_out)
        retrograd.manual_seed(0)
        mine = ours(*our_args, out=my_out)
    theirs_written = their_out if tuple_out else (their_out,)
    mine_written = my_out if tuple_out else (my_out,)
    assert (mine if tuple_out else (mine,))[0] is mine_written[0]
    assert len(mine_written) == len(theirs_written)
    del returned
    for a, b in zip(mine_written, theirs_written):
        assert str(a.dtype) == str(b.dtype) and tuple(a.shape) == tuple(b.shape)
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-8, atol=1e-12)  # (polygamma)


@pytest.mark.parametrize("lib", [torch, retrograd], ids=["torch", "retrograd"])
def test_out_refusals_and_writes(lib):
    """The errors and effects of out= itself, the same in both libraries."""
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(RuntimeError) as e:
        lib.exp(x, out=lib.empty(3))
    assert str(e.value).startswith("exp(): functions with out=... arguments don't support")
    with pytest.raises(RuntimeError) as e:
        lib.mean(x, out=lib.empty(()))
    assert str(e.value).startswith("mean(): functions with out=...")
    with pytest.raises(TypeError, match="argument 'out' must be Tensor, not int"):
        lib.exp(x.detach(), out=3)
    y = lib.tensor([1.0, 2.0, 3.0])
    version = y._version
    assert lib.add(y, y, out=y) is y  # written in place: the version counter moves
    assert y.tolist() == [2.0, 4.0, 6.0] and y._version > version
    with pytest.warns(UserWarning, match="was resized"):
        lib.mul(y, 2, out=lib.empty(2))
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type Long"):
        lib.exp(y, out=lib.empty(3, dtype=lib.int64))
    values, indices = lib.empty(0), lib.empty(0, dtype=lib.int64)
    got = lib.max(lib.tensor([[1.0, 5.0], [7.0, 2.0]]), 1, out=(values, indices))
    assert got[0] is values and got[1] is indices
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]
    with pytest.raises(TypeError, match="unexpected keyword argument 'out'"):
        lib.zeros_like(y, out=lib.empty(3))
