"""The engine's final callbacks (PyTorch's ``Variable._execution_engine.queue_callback``): they run
once the backward pass has run every node and hook, and before ``backward()`` returns."""

import pytest
import torch

import retrograd
from retrograd.autograd.engine import queue_callback


def _program(lib, queue):
    x = lib.ones(2, requires_grad=True)
    w = lib.ones(2, requires_grad=True)
    order = []

    def hook(p):
        order.append(("hook", p.grad.tolist()))

        def cb():
            order.append(("cb", x.grad.tolist(), w.grad.tolist()))  # every leaf's gradient is in
            queue(lambda: order.append("cb2"))

        queue(cb)

    x.register_post_accumulate_grad_hook(hook)
    (x * 2 + w * 3).sum().backward()
    order.append("returned")
    return order


def test_callbacks_run_at_the_end_of_the_pass_as_in_pytorch():
    ours = _program(retrograd, queue_callback)
    theirs = _program(torch, torch.autograd.Variable._execution_engine.queue_callback)
    assert ours == theirs
    assert ours[-3:] == [("cb", [2.0, 2.0], [3.0, 3.0]), "cb2", "returned"]


def test_queue_callback_outside_a_backward_pass_is_an_error():
    with pytest.raises(
        RuntimeError, match="^Final callbacks can only be installed during backward pass.$"
    ):
        queue_callback(lambda: None)


def test_a_callback_error_reaches_the_caller_and_the_next_pass_starts_clean():
    x = retrograd.ones(2, requires_grad=True)

    def bad():
        raise ValueError("boom")

    handle = x.register_post_accumulate_grad_hook(lambda p: queue_callback(bad))
    with pytest.raises(ValueError, match="boom"):
        (x * 2).sum().backward()
    handle.remove()
    (x * 2).sum().backward()  # no callback left over from the failed pass
    with pytest.raises(RuntimeError, match="Final callbacks"):
        queue_callback(lambda: None)


def test_a_callback_belongs_to_the_innermost_pass():
    x = retrograd.ones(2, requires_grad=True)
    y = retrograd.ones(2, requires_grad=True)
    order = []

    def hook(p):
        queue_callback(lambda: order.append("outer"))
        with retrograd.enable_grad():
            retrograd.autograd.grad((y * 3).sum(), y)  # a pass inside the hook
        order.append("inner done")

    def inner_hook(g):
        queue_callback(lambda: order.append("inner"))

    y.register_hook(inner_hook)
    x.register_post_accumulate_grad_hook(hook)
    (x * 2).sum().backward()
    assert order == ["inner", "inner done", "outer"]
