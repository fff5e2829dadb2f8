"""``torch.functional``'s signal functions: ``stft`` and ``istft``, composed of framing
(``unfold``), windowing and ``torch.fft`` transforms, so their gradients come from those ops."""

import warnings

from . import fft as _fft
from . import ops as _ops
from .creation import arange, ones, zeros
from .nn import functional as F
from .tensor import Tensor

_NO_WINDOW = (
    "A window was not provided. A rectangular window will be applied,which is known to cause "
    "spectral leakage. Other windows such as torch.hann_window or torch.hamming_window are "
    "recommended to reduce spectral leakage.To suppress this warning and use a rectangular "
    "window, explicitly set `window=torch.ones(n_fft, device=<device>)`."
)
_NO_WINDOW_INVERSE = (
    "A window was not provided. A rectangular window will be applied.Please provide the same "
    "window used by stft to make the inversion lossless.To suppress this warning and use a "
    "rectangular window, explicitly set `window=torch.ones(n_fft, device=<device>)`."
)
_REAL_OUTPUT = (
    "stft with return_complex=False is deprecated. In a future pytorch release, stft will "
    "return complex tensors for all inputs, and return_complex=False will raise an error.\n"
    "Note: you can still call torch.view_as_real on the complex output to recover the old "
    "return format."
)


def _flag(value) -> str:
    return "None" if value is None else str(int(value))


def _window_text(window) -> str:
    if window is None:
        return "None"
    return f"torch.{window.dtype._tensor_name}{{{list(window.shape)}}}"


def _window(window, win_length: int, n_fft: int, dtype, where: str):
    """The window padded with zeros on both sides to ``n_fft`` (a rectangular one if None)."""
    if window is None:
        window = ones(win_length, dtype=dtype.to_real() if dtype.is_complex else dtype)
    elif window.ndim != 1 or window.shape[0] != win_length:
        raise RuntimeError(
            f"{where}expected a 1D window tensor of size equal to win_length={win_length}, but "
            f"got window with size {list(window.shape)}"
        )
    if win_length < n_fft:
        left = (n_fft - win_length) // 2
        window = F.pad(window, (left, n_fft - win_length - left))
    return window


def stft(
    input: Tensor,
    n_fft: int,
    hop_length=None,
    win_length=None,
    window=None,
    center: bool = True,
    pad_mode: str = "reflect",
    normalized: bool = False,
    onesided=None,
    return_complex=None,
    align_to_window=None,
) -> Tensor:
    """``torch.stft``: the Fourier transforms of overlapping windowed frames of a signal (1-D) or
    a batch of them (2-D): (batch, frequencies, frames), complex, or real and imaginary parts in
    a last dimension of 2 with ``return_complex=False``.

    ``center`` pads the signal by ``n_fft // 2`` on both sides (``pad_mode``, as ``F.pad``) so
    frame t is centred at ``t * hop_length``; ``hop_length`` defaults to ``n_fft // 4``,
    ``win_length`` to ``n_fft``, the window (padded to ``n_fft``) to a rectangle; ``onesided``
    (the default for real input and window) keeps the ``n_fft // 2 + 1`` non-negative
    frequencies; ``normalized`` scales by ``n_fft ** -0.5``."""
    complex_in = input.dtype.is_complex or (window is not None and window.dtype.is_complex)
    if return_complex is None:
        if not complex_in:
            raise RuntimeError(
                "stft requires the return_complex parameter be given for real inputs, and will "
                "further require that return_complex=True in a future PyTorch release."
            )
        return_complex = True
    if center and align_to_window is not None:
        raise RuntimeError("stft align_to_window should only be set when center = false")
    if window is None:
        warnings.warn(_NO_WINDOW, stacklevel=2)
    if not return_complex:
        warnings.warn(_REAL_OUTPUT, stacklevel=2)
    batched = input.ndim == 2
    if input.ndim == 1:
        input = input.unsqueeze(0)
    if center and input.ndim in (2, 3):  # (PyTorch pads before it checks the rank)
        half = n_fft // 2
        signal = input.unsqueeze(0) if input.ndim == 2 else input
        signal = F.pad(signal, (half, half), pad_mode)
        input = signal.squeeze(0) if input.ndim == 2 else signal
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    where = (
        f"stft(torch.{input.dtype._tensor_name}{list(input.shape)}, n_fft={n_fft}, "
        f"hop_length={hop}, win_length={win}, window={_window_text(window)}, "
        f"normalized={int(normalized)}, onesided={_flag(onesided)}, "
        f"return_complex={int(return_complex)}, align_to_window={_flag(align_to_window)}) : "
    )
    if input.ndim != 2:
        raise RuntimeError(f"{where}expected a 1D or 2D tensor")
    length = input.shape[-1]
    if n_fft <= 0 or n_fft > length:
        raise RuntimeError(f"{where}expected 0 < n_fft < {length}, but got n_fft={n_fft}")
    if hop <= 0:
        raise RuntimeError(f"{where}expected hop_length > 0, but got hop_length={hop}")
    if win <= 0 or win > n_fft:
        raise RuntimeError(f"{where}expected 0 < win_length <= n_fft, but got win_length={win}")
    if onesided and complex_in:
        raise RuntimeError("Cannot have onesided output if window or input is complex")
    if align_to_window and win < n_fft:
        raise NotImplementedError(
            "stft: align_to_window=True with win_length < n_fft is not built in retrograd"
        )
    w = _window(window, win, n_fft, input.dtype, where)
    frames = input.unfold(-1, n_fft, hop) * w  # (batch?, frames, n_fft)
    norm = "ortho" if normalized else "backward"
    if complex_in or onesided is False:
        out = _fft.fft(frames, dim=-1, norm=norm)
    else:
        out = _fft.rfft(frames, dim=-1, norm=norm)
    out = out.transpose_(-1, -2)  # (in place, as PyTorch: its node is TransposeBackward1)
    if not batched:
        out = out.squeeze_(0)
    return out if return_complex else _ops.view_as_real(out.contiguous())


def istft(
    input: Tensor,
    n_fft: int,
    hop_length=None,
    win_length=None,
    window=None,
    center: bool = True,
    normalized: bool = False,
    onesided=None,
    length=None,
    return_complex: bool = False,
) -> Tensor:
    """``torch.istft``: the signal whose ``stft`` (same arguments) ``input`` is: each frame's
    inverse transform, windowed, overlap-added, and divided by the overlap-added squared window
    (which must not vanish); ``length`` crops or zero-pads the result."""
    if not input.dtype.is_complex:
        raise RuntimeError(
            "istft requires a complex-valued input tensor matching the output from stft with "
            "return_complex=True."
        )
    if window is None:
        warnings.warn(_NO_WINDOW_INVERSE, stacklevel=2)
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    kind = input.dtype._tensor_name[: -len("Tensor")]
    where = (
        f"istft(CPU{kind}Type{list(input.shape)}, n_fft={n_fft}, hop_length={hop}, "
        f"win_length={win}, window={_window_text(window)}, center={int(center)}, "
        f"normalized={int(normalized)}, onesided={_flag(onesided)}, length={length}, "
        f"return_complex={int(return_complex)}) "
    )
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"{where}: expected a tensor with 3 or 4 dimensions, but got {input.ndim + 1}"
        )
    freqs, n_frames = input.shape[-2], input.shape[-1]
    one_sided = freqs != n_fft if onesided is None else onesided
    if one_sided and return_complex:
        raise RuntimeError("Cannot have onesided output if window or input is complex")
    if one_sided and freqs != n_fft // 2 + 1:
        raise RuntimeError(
            f"{where}: expected the frequency dimension (3rd to the last) of the input tensor to "
            f"match n_fft / 2 + 1 when onesided=True, but got {freqs}"
        )
    if not one_sided and freqs != n_fft:
        raise RuntimeError(
            f"{where}: expected the frequency dimension (3rd to the last) of the input tensor to "
            f"match n_fft when onesided=False, but got {freqs}"
        )
    if not 0 < win <= n_fft:
        raise RuntimeError(f"{where}: expected 0 < win_length <= n_fft, but got win_length={win}")
    real = input.dtype.to_real()
    w = _window(window, win, n_fft, real, where + ": ")
    batched = input.ndim == 3
    spectra = (input if batched else input.unsqueeze(0)).transpose(1, 2)  # (B, frames, freq)
    norm = "ortho" if normalized else "backward"
    if return_complex:
        frames = _fft.ifft(spectra, n=n_fft, dim=-1, norm=norm)
    else:  # a real signal: the spectrum's first half taken as one side of a symmetric one
        if not one_sided:
            spectra = spectra[..., : n_fft // 2 + 1]
        frames = _fft.irfft(spectra, n=n_fft, dim=-1, norm=norm)
    frames = frames * w
    expected = n_fft + hop * (n_frames - 1)
    positions = (arange(n_frames).unsqueeze(1) * hop + arange(n_fft).unsqueeze(0)).reshape(-1)
    batch = frames.shape[0]
    y = zeros(batch, expected, dtype=frames.dtype).index_add(
        1, positions, frames.reshape(batch, -1)
    )
    square = w * w  # (of a complex window, complex: PyTorch divides by it as it is)
    envelope = zeros(expected, dtype=square.dtype).index_add(
        0, positions, square.expand(n_frames, n_fft).reshape(-1)
    )
    start = n_fft // 2 if center else 0
    if length is not None:
        end = start + length
    else:
        end = expected - n_fft // 2 if center else expected
    y = y[:, start:end]
    envelope = envelope[start:end]
    if envelope.numel() and float(envelope.abs().min()) <= 1e-11:
        raise RuntimeError(f"{where}window overlap add min: 1\n[ CPUBoolType{{}} ]")
    y = y / envelope
    if end > expected:
        warnings.warn(
            "The length of signal is shorter than the length parameter. Result is being padded "
            "with zeros in the tail. Please check your center and hop_length settings.",
            stacklevel=2,
        )
        y = F.pad(y, (0, end - expected))
    return y if batched else y.squeeze(0)


Tensor.stft = stft  # type: ignore[attr-defined]
Tensor.istft = istft  # type: ignore[attr-defined]

__all__ = ["istft", "stft"]
