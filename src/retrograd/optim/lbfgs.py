"""``LBFGS``: limited-memory BFGS over all parameters flattened into one vector, with a fixed
step or a strong-Wolfe line search.

The quasi-Newton direction comes from the last ``history_size`` pairs of steps and gradient
changes (two-loop recursion). Arithmetic follows PyTorch's: vectors in the parameters' dtype,
inner products as 0-d arrays of that dtype, the loss as a Python float.
"""

from collections.abc import Callable, Iterable

from .._array import xp
from ..autograd import enable_grad
from ..autograd.anomaly import caller_site
from ..tensor import _make, bump_version
from .optimizer import Optimizer


def _cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """The minimiser of the cubic through two points with these values and slopes, kept within
    ``bounds`` (by default the two points); their midpoint when the cubic has no minimum."""
    lo, hi = bounds if bounds is not None else ((x1, x2) if x1 <= x2 else (x2, x1))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if d2_square >= 0:
        d2 = xp.sqrt(d2_square)
        if x1 <= x2:
            minimum = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            minimum = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(minimum, lo), hi)
    return (lo + hi) / 2.0


def _strong_wolfe(evaluate, x, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """A step ``t`` along ``d`` meeting the strong Wolfe conditions: first bracket an interval
    that holds one, then zoom into it by cubic interpolation. Returns the loss, gradient and step
    found, and how many evaluations it took."""
    d_norm = xp.abs(d).max()
    f_new, g_new = evaluate(x, t, d)
    evals = 1
    gtd_new = g_new.dot(d)
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        # extrapolate, at least 1% beyond t and at most 10 times it
        t_next = _cubic_interpolate(
            t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(t + 0.01 * (t - t_prev), t * 10)
        )
        t_prev, f_prev, g_prev, gtd_prev = t, f_new, g_new.copy(), gtd_new
        t = t_next
        f_new, g_new = evaluate(x, t, d)
        evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
    if ls_iter == max_ls:
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    # zoom: shrink the bracket until a point meets the conditions
    insufficient_progress = False
    low, high = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(
            bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1]
        )
        # a point too close to an end of the bracket makes little progress: move it inwards
        top, bottom = max(bracket), min(bracket)
        eps = 0.1 * (top - bottom)
        if min(top - t, t - bottom) < eps:
            if insufficient_progress or t >= top or t <= bottom:
                t = top - eps if abs(t - top) < abs(t - bottom) else bottom + eps
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False
        f_new, g_new = evaluate(x, t, d)
        evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low]:
            bracket[high], bracket_f[high] = t, f_new
            bracket_g[high], bracket_gtd[high] = g_new.copy(), gtd_new
            low, high = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high] - bracket[low]) >= 0:
                bracket[high], bracket_f[high] = bracket[low], bracket_f[low]
                bracket_g[high], bracket_gtd[high] = bracket_g[low], bracket_gtd[low]
            bracket[low], bracket_f[low] = t, f_new
            bracket_g[low], bracket_gtd[low] = g_new.copy(), gtd_new
    return bracket_f[low], bracket_g[low], bracket[low], evals


class LBFGS(Optimizer):
    """``torch.optim.LBFGS``: ``step(closure)`` runs up to ``max_iter`` iterations, calling the
    closure (which recomputes the loss and its gradients) as often as it needs. One parameter
    group only, as in PyTorch."""

    _sparse_refusal = None  # (a sparse gradient is made dense)

    def __init__(
        self,
        params: Iterable,
        lr: float = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = {
            "lr": lr,
            "max_iter": max_iter,
            "max_eval": max_eval,
            "tolerance_grad": tolerance_grad,
            "tolerance_change": tolerance_change,
            "history_size": history_size,
            "line_search_fn": line_search_fn,
        }
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    # --- the parameters as one flat vector -----------------------------------------------------
    def _flat_grad(self):
        parts = []
        for p in self._params:
            g = p._grad
            if g is not None and g.is_sparse:
                g = g.to_dense()
            parts.append(
                xp.zeros(p._data.size, p._data.dtype) if g is None else g._data.reshape(-1)
            )
        return xp.concatenate(parts) if parts else xp.zeros(0)

    def _add_to_params(self, step_size, direction, site) -> None:
        offset = 0
        for p in self._params:
            n = p._data.size
            p._data += step_size * direction[offset : offset + n].reshape(p._data.shape)
            bump_version(p, site)
            offset += n

    def _set_params(self, values, site) -> None:
        for p, v in zip(self._params, values):
            p._data[...] = v
            bump_version(p, site)

    def _evaluate(self, closure, site):
        with enable_grad():
            loss = float(closure())
        return loss, self._flat_grad()

    def step(self, closure: Callable):  # type: ignore[override]  # closure is required
        """One optimisation step of up to ``max_iter`` iterations; ``closure`` is required."""
        site = caller_site(1)
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        with enable_grad():
            orig_loss = closure()
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        if xp.abs(flat_grad).max() <= tolerance_grad:
            return orig_loss

        d, t = _arrays(state.get("d")), _arrays(state.get("t"))
        old_dirs, old_stps = _arrays(state.get("old_dirs")), _arrays(state.get("old_stps"))
        ro, h_diag = _arrays(state.get("ro")), _arrays(state.get("H_diag"))
        prev_flat_grad, prev_loss = _arrays(state.get("prev_flat_grad")), state.get("prev_loss")
        al = _arrays(state.get("al"))

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro = [], [], []
                h_diag = 1
            else:
                # the newest curvature pair, kept when it is positive enough
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = y.dot(s)
                if ys > 1e-10:
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    h_diag = ys / y.dot(y)
                # two-loop recursion: d = -H grad
                if al is None:
                    al = [None] * history_size
                q = -flat_grad
                for i in range(len(old_dirs) - 1, -1, -1):
                    al[i] = old_stps[i].dot(q) * ro[i]
                    q += -al[i] * old_dirs[i]
                d = r = q * h_diag
                for i in range(len(old_dirs)):
                    be_i = old_dirs[i].dot(r) * ro[i]
                    r += (al[i] - be_i) * old_stps[i]
            prev_flat_grad = flat_grad.copy()
            prev_loss = loss

            t = min(1.0, 1.0 / xp.abs(flat_grad).sum()) * lr if state["n_iter"] == 1 else lr
            gtd = flat_grad.dot(d)
            if gtd > -tolerance_change:  # not a descent direction
                break

            evals = 0
            if line_search_fn is not None:
                if line_search_fn != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                start = [p._data.copy() for p in self._params]

                def evaluate(x, step_size, direction):
                    self._add_to_params(step_size, direction, site)
                    result = self._evaluate(closure, site)
                    self._set_params(x, site)
                    return result

                loss, flat_grad, t, evals = _strong_wolfe(
                    evaluate, start, t, d, loss, flat_grad, gtd
                )
                self._add_to_params(t, d, site)
                converged = xp.abs(flat_grad).max() <= tolerance_grad
            else:
                self._add_to_params(t, d, site)
                converged = False
                if n_iter != max_iter:
                    loss, flat_grad = self._evaluate(closure, site)
                    converged = xp.abs(flat_grad).max() <= tolerance_grad
                    evals = 1
            current_evals += evals
            state["func_evals"] += evals

            if n_iter == max_iter or current_evals >= max_eval or converged:
                break
            if xp.abs(d * t).max() <= tolerance_change:
                break
            if abs(loss - prev_loss) < tolerance_change:
                break

        state.update(
            {
                "d": _tensors(d),
                "t": _tensors(t),
                "old_dirs": _tensors(old_dirs),
                "old_stps": _tensors(old_stps),
                "ro": _tensors(ro),
                "H_diag": _tensors(h_diag),
                "prev_flat_grad": _tensors(prev_flat_grad),
                "prev_loss": prev_loss,
            }
        )
        if al is not None:
            state["al"] = _tensors(al)
        return orig_loss


def _tensors(value):
    """State as PyTorch keeps it: arrays (0-d ones too) as tensors, lists of them likewise."""
    if isinstance(value, list):
        return [_tensors(v) for v in value]
    if isinstance(value, (xp.ndarray, xp.generic)):
        return _make(xp.asarray(value))
    return value


def _arrays(value):
    """The state's tensors back as arrays (0-d ones as NumPy scalars), for the arithmetic."""
    if isinstance(value, list):
        return [_arrays(v) for v in value]
    data = getattr(value, "_data", None)
    if data is None:
        return value
    return data[()] if data.ndim == 0 else data
