"""Anomaly detection: NaN gradients named with the forward call that made their node."""

import math
import warnings

import numpy as np
import pytest

import retrograd


def _nan_in_backward(T):
    x = T.tensor([0.0, 1.0], requires_grad=True)
    y = (x * 0).sqrt().sum()  # sqrt'(0) = inf, times 0 in MulBackward0: NaN
    return x, y


def test_nan_in_backward_raises_pytorch_error_and_names_the_forward_line(torch_ref):
    messages = []
    for T in (torch_ref, retrograd):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with T.autograd.detect_anomaly():
                _, y = _nan_in_backward(T)
                with pytest.raises(RuntimeError) as info:
                    y.backward()
        messages.append(str(info.value))
        detected = [
            w for w in caught if str(w.message).startswith("Error detected in MulBackward0.")
        ]
        assert len(detected) == 1  # PyTorch warns for a NaN error too
    theirs, ours = messages
    assert theirs == "Function 'MulBackward0' returned nan values in its 0th output."
    assert ours.startswith(theirs)
    assert "test_anomaly.py:" in ours and "y = (x * 0).sqrt().sum()" in ours


@pytest.mark.filterwarnings("ignore:invalid value encountered")
def test_without_anomaly_mode_nan_passes_silently(torch_ref):
    for T in (torch_ref, retrograd):
        x, y = _nan_in_backward(T)
        y.backward()
        assert all(math.isnan(v) for v in x.grad.tolist())


def test_modes_and_flags(torch_ref):
    for T in (torch_ref, retrograd):
        assert not T.is_anomaly_enabled()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with T.autograd.detect_anomaly(check_nan=False):
                assert T.is_anomaly_enabled() and not T.is_anomaly_check_nan_enabled()
        assert not T.is_anomaly_enabled() and T.is_anomaly_check_nan_enabled()
        T.autograd.set_detect_anomaly(True)
        try:
            assert T.is_anomaly_enabled()
        finally:
            T.autograd.set_detect_anomaly(False)
        with T.autograd.set_detect_anomaly(True):
            assert T.is_anomaly_enabled()
        assert not T.is_anomaly_enabled()


def test_detect_anomaly_warns_like_pytorch(torch_ref):
    for T in (torch_ref, retrograd):
        with (
            pytest.warns(UserWarning, match="^Anomaly Detection has been enabled"),
            T.autograd.detect_anomaly(),
        ):
            pass


def test_check_nan_false_lets_nan_through():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with retrograd.autograd.detect_anomaly(check_nan=False):
            x, y = _nan_in_backward(retrograd)
            y.backward()
    assert np.isnan(x.grad.numpy()).all()  # the NaN reached the leaf, unchecked


def test_forward_nan_from_finite_inputs_warns_once_at_its_origin():
    x = retrograd.tensor([-1.0, 4.0], requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with retrograd.autograd.set_detect_anomaly(True):
            y = x.log()  # NaN made here, from finite inputs
            z = y * 2  # NaN only passed on: no second warning
    found = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    assert len(found) == 1
    text = str(found[0].message)
    assert "LogBackward0" in text and "y = x.log()" in text and "test_anomaly.py:" in text
    assert z.grad_fn.name() == "MulBackward0"


def test_anomaly_mode_does_not_warn_for_finite_results():
    x = retrograd.tensor([1.0, 4.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with retrograd.autograd.set_detect_anomaly(True):
            x.log().sum().backward()


def test_any_backward_error_in_anomaly_mode_names_the_forward_call(torch_ref):
    for T in (torch_ref, retrograd):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with T.autograd.set_detect_anomaly(True):
                y = x.exp()  # ERROR-ORIGIN
                y.add_(1)
                with pytest.raises(RuntimeError, match="modified by an inplace operation"):
                    y.sum().backward()
        texts = [str(w.message) for w in caught if "Error detected in" in str(w.message)]
        assert len(texts) == 1 and texts[0].startswith("Error detected in ExpBackward0.")
        if T is retrograd:
            assert "y = x.exp()  # ERROR-ORIGIN" in texts[0]


def _modified_in_anomaly_mode(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with T.autograd.detect_anomaly():
            y = x.exp()
            y.add_(1)
            with pytest.raises(RuntimeError) as info:
                y.sum().backward()
    return str(info.value)


def test_version_mismatch_hint_in_anomaly_mode_is_pytorchs(torch_ref):
    theirs = _modified_in_anomaly_mode(torch_ref)
    ours = _modified_in_anomaly_mode(retrograd)
    assert "Good luck!" in theirs
    assert ours.startswith(theirs)
    assert "ExpBackward0" in ours[len(theirs) :] and "y.add_(1)" in ours[len(theirs) :]


def test_detect_anomaly_as_a_decorator_warns_once():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")

        @retrograd.autograd.detect_anomaly(check_nan=False)
        def f():
            return retrograd.is_anomaly_enabled(), retrograd.is_anomaly_check_nan_enabled()

        assert f() == (True, False)
    assert not retrograd.is_anomaly_enabled()
    assert sum("Anomaly Detection has been enabled" in str(w.message) for w in caught) == 1


def _line_of(marker):
    with open(__file__) as f:
        return next(i + 1 for i, text in enumerate(f) if marker in text and "_line_of(" not in text)


def test_anomaly_warnings_are_reported_at_the_users_forward_line():
    x = retrograd.tensor([-1.0, 4.0], requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with retrograd.autograd.set_detect_anomaly(True):
            y = x.log()  # WARNED-HERE
            with retrograd.no_grad():
                x.add_(1)  # log saved x: its backward raises
            with pytest.raises(RuntimeError):
                y.sum().backward()
    ours = [w for w in caught if "LogBackward0" in str(w.message)]
    assert len(ours) == 2  # NaN made in the forward, then the error in its backward
    line = _line_of("# WARNED-HERE")
    assert all((w.filename, w.lineno) == (__file__, line) for w in ours)
