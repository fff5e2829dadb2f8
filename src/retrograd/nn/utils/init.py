"""``nn.utils.skip_init``: build a module without running its initialisation's random draws."""

import inspect

from ... import random


def skip_init(module_cls, *args, **kwargs):
    """``module_cls(*args, **kwargs)`` whose parameters are left to be set by the caller: the
    generator's state is as before the call (the initialisation consumed nothing), as PyTorch's
    construction on the meta device leaves it.  The values are unspecified (here: initialised)."""
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    state = random.get_rng_state()
    try:
        return module_cls(*args, **kwargs)
    finally:
        random.set_rng_state(state)
