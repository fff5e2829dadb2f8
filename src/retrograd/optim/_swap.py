"""``torch.optim.swap_in_optimizer_params_and_state``: run an optimizer, for a block, on other
parameter tensors and another state, leaving the live ones untouched."""

import contextlib
from collections import defaultdict


@contextlib.contextmanager
def swap_in_optimizer_params_and_state(
    optimizer, swapin_parameters: dict, swapin_optim_state: dict
):
    """Within the block ``optimizer`` holds the tensors of ``swapin_parameters`` (in the order
    of its parameter groups) as its parameters, and the state and group options of
    ``swapin_optim_state`` (laid out as ``state_dict()``); its own come back after the block.
    The swapped-in state's tensors are the caller's, so a step updates them in place."""
    if not optimizer.state:
        raise RuntimeError(
            "swap_in_optimizer_params_and_state requires initialized optimizer state."
        )
    params = list(swapin_parameters.values())
    if len(params) != sum(len(group["params"]) for group in optimizer.param_groups):
        raise RuntimeError(
            "swap_in_optimizer_params_and_state requires the explicit parameter state to match "
            "optimizer.param_groups ordering."
        )
    supplied = iter(params)
    by_id: dict = {}
    groups = []
    for live, given in zip(optimizer.param_groups, swapin_optim_state["param_groups"], strict=True):
        group = {key: value for key, value in given.items() if key != "params"}
        group["params"] = [next(supplied) for _ in live["params"]]
        by_id.update(zip(given["params"], group["params"], strict=True))
        groups.append(group)
    state: defaultdict = defaultdict(dict)
    for packed, entry in swapin_optim_state["state"].items():
        state[by_id[packed]] = dict(entry)
    live_groups, live_state = optimizer.param_groups, optimizer.state
    optimizer.param_groups, optimizer.state = groups, state
    try:
        yield
    finally:
        optimizer.param_groups, optimizer.state = live_groups, live_state
