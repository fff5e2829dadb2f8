"""Grad mode: ``no_grad``, ``enable_grad``, ``set_grad_enabled``, ``inference_mode``.

The flag is thread-local, as in PyTorch: turning grad mode off in one thread leaves the others alone.
Each class works both as a context manager and as a decorator.
"""

import functools

from .. import _switches
from .._switches import grad_mode as state


def is_grad_enabled() -> bool:
    return state.enabled


def is_inference_mode_enabled() -> bool:
    return state.inference


class _DecoratorContextManager:
    """Lets a context manager decorate a function (and generators) as PyTorch's grad modes do."""

    def __new__(cls, *args, **kwargs):
        # ``@no_grad`` without parentheses: the class is called with the function itself.
        if (
            len(args) == 1
            and not kwargs
            and callable(args[0])
            and not isinstance(args[0], type)
            and cls in (no_grad, enable_grad, inference_mode)
        ):
            return cls()(args[0])
        return super().__new__(cls)

    def __call__(self, func):
        import inspect

        if inspect.isclass(func):
            import warnings

            warnings.warn(
                "Decorating classes is deprecated and will be disabled in future versions. You "
                "should only decorate functions or methods. To preserve the current behavior of "
                "class decoration, you can directly decorate the `__init__` method and nothing "
                "else.",
                FutureWarning,
                stacklevel=2,
            )

            # As PyTorch: the result builds instances under the mode (it is no longer the class).
            def build(*args, **kwargs):
                with self.clone():
                    return func(*args, **kwargs)

            return build
        if inspect.isgeneratorfunction(func):

            @functools.wraps(func)
            def generator(*args, **kwargs):
                gen = func(*args, **kwargs)
                with self.clone():
                    response = gen.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        with self.clone():
                            gen.close()
                        raise
                    except BaseException:  # noqa: BLE001 - thrown into the generator as is
                        with self.clone():
                            response = gen.throw(*__import__("sys").exc_info())
                    else:
                        with self.clone():
                            response = gen.send(request)

            return generator

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)

        return wrapper

    def clone(self):
        return self.__class__()


class no_grad(_DecoratorContextManager):
    """Ops run inside make results that do not require grad (``torch.no_grad``)."""

    def __init__(self, orig_func=None):
        pass  # ``orig_func`` is taken by __new__ (``@no_grad`` without parentheses)

    def __enter__(self):
        self.prev = state.enabled
        state.enabled = False

    def __exit__(self, *exc):
        state.enabled = self.prev


class enable_grad(_DecoratorContextManager):
    """Turns grad mode back on inside a ``no_grad`` block (``torch.enable_grad``)."""

    def __init__(self, orig_func=None):
        pass

    def __enter__(self):
        self.prev = state.enabled
        state.enabled = True

    def __exit__(self, *exc):
        state.enabled = self.prev


class set_grad_enabled(_DecoratorContextManager):
    """Sets grad mode at once, and restores it when used as a context manager."""

    def __init__(self, mode: bool):
        self.prev = state.enabled
        self.mode = bool(mode)
        state.enabled = self.mode

    def __call__(self, func):
        state.enabled = self.prev  # as a decorator it only applies inside the function
        return super().__call__(func)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        state.enabled = self.prev

    def clone(self):
        return self.__class__(self.mode)


def is_multithreading_enabled() -> bool:
    return _switches.multithreading


class set_multithreading_enabled(_DecoratorContextManager):
    """Allows or forbids a multithreaded backward pass from now on, and restores the setting
    when used as a context manager.  retrograd's backward pass runs in the calling thread
    either way, so the results are the same."""

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, bool):
            raise TypeError(
                "set_multithreading_enabled(): argument 'enabled' (position 1) must be bool, "
                f"not {type(mode).__name__}"
            )
        self.prev = _switches.multithreading
        self.mode = mode
        _switches.multithreading = mode

    def __call__(self, func):
        _switches.multithreading = self.prev  # as a decorator it only applies inside the function
        return super().__call__(func)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc) -> None:
        _switches.multithreading = self.prev

    def clone(self):
        return self.__class__(self.mode)


def is_view_replay_enabled() -> bool:
    """Whether views made by ops are replayed for their gradients: never here."""
    return False


def _count_inference_block(step):
    """An inference_mode block opens (``step`` 1) or closes (-1) in some thread."""
    _switches.inference_blocks += step
    _switches.inference_seen = True


class inference_mode(_DecoratorContextManager):
    """Like ``no_grad``, and the tensors made inside are inference tensors
    (``Tensor.is_inference()``): outside the block they may not be written, saved for backward or
    made to require grad, as in PyTorch."""

    def __init__(self, mode: bool = True):
        self.mode = mode

    def __enter__(self):
        self.prev = (state.enabled, state.inference)
        if self.mode:
            state.enabled, state.inference = False, True
            _count_inference_block(1)

    def __exit__(self, *exc):
        state.enabled, state.inference = self.prev
        if self.mode:
            _count_inference_block(-1)

    def clone(self):
        return self.__class__(self.mode)
