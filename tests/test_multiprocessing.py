"""``retrograd.multiprocessing``: tensors shared between processes, ``spawn`` and its errors.

The programs that start processes run as scripts of their own on retrograd and on PyTorch (a
spawned child imports its parent's main module), and must print the same lines."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import retrograd
import retrograd.multiprocessing as mp

SRC = os.path.dirname(os.path.dirname(retrograd.__file__))

_PROGRAM = textwrap.dedent(
    """
    import importlib, sys
    lib = importlib.import_module(sys.argv[1])
    mp = importlib.import_module(sys.argv[1] + ".multiprocessing")


    def fails(i, word):
        if i == 1:
            raise ValueError("bad " + word)


    def exits(i):
        if i == 1:
            sys.exit(3)


    def add(i, t):
        t.add_(i + 1)


    def train(model, steps):
        opt = lib.optim.SGD(model.parameters(), lr=0.1)
        for _ in range(steps):
            opt.zero_grad()
            model(lib.ones(1, 2)).sum().backward()
            opt.step()


    def write(pair):
        pair[1].fill_(7)


    if __name__ == "__main__":
        try:
            mp.start_processes(fails, args=("x",), nprocs=2, start_method="fork")
        except mp.ProcessRaisedException as e:
            print(type(e).__name__, e.error_index, e.msg.splitlines()[:3], e.msg.splitlines()[-1])
        try:
            mp.start_processes(exits, nprocs=2, start_method="fork")
        except mp.ProcessExitedException as e:
            print(type(e).__name__, str(e), e.error_index, e.exit_code, e.signal_name)

        t = lib.zeros(3)
        print(t.is_shared())
        mp.spawn(add, args=(t,), nprocs=1)  # (t pickled for a fresh interpreter)
        print("sent to spawned processes:", t.tolist(), t.is_shared())

        u = lib.zeros(2)
        fork = mp.get_context("fork")
        p = fork.Process(target=add, args=(0, u))
        p.start(); p.join()
        print("forked, not shared:", u.tolist(), u.is_shared())
        u.share_memory_()
        p = fork.Process(target=add, args=(0, u))
        p.start(); p.join()
        print("forked, shared:", u.tolist())

        lib.manual_seed(0)
        model = lib.nn.Linear(2, 1)
        before = model.weight.detach().clone()
        model.share_memory()
        print("module shared:", [q.is_shared() for q in model.parameters()])
        procs = [fork.Process(target=train, args=(model, 2)) for _ in range(2)]
        for q in procs:
            q.start()
        for q in procs:
            q.join()
        print("hogwild:", (model.weight.detach() - before).tolist(), model.bias.grad)

        q = mp.get_context("fork").Queue()
        base = lib.arange(4.0)
        q.put((base, base[2:]))
        got = q.get()
        write(got)
        print("queue:", base.tolist(), got[0].tolist(), base.is_shared())

        g = lib.ones(2, requires_grad=True)
        (g * 2).sum().backward()
        q.put(g)
        r = q.get()
        print("leaf:", type(r).__name__, r.requires_grad, r.grad, r.is_leaf)
        q.put(lib.nn.Parameter(lib.ones(1)))
        r = q.get()
        print("parameter:", type(r).__name__, r.requires_grad)
        print(sorted(mp.get_all_sharing_strategies()), mp.get_sharing_strategy())
    """
)


def _run(tmp_path, lib):
    script = tmp_path / f"program_{lib}.py"
    script.write_text(_PROGRAM)
    env = dict(os.environ, PYTHONPATH=SRC if lib == "retrograd" else "")
    done = subprocess.run(
        [sys.executable, str(script), lib],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.replace("torch", "retrograd").splitlines()


def test_processes_share_tensors_and_report_errors_as_in_torch(tmp_path, torch_ref):
    ours, theirs = _run(tmp_path, "retrograd"), _run(tmp_path, "torch")
    assert ours == theirs
    assert len(ours) == 12
    assert ours[3] == "sent to spawned processes: [1.0, 1.0, 1.0] True"
    assert ours[7].startswith("hogwild: [[-0.399999") and ours[8].startswith(
        "queue: [0.0, 1.0, 7.0"
    )


def test_share_memory_moves_every_view_and_alias_along():
    x = retrograd.arange(12.0).reshape(3, 4)
    alias, column, detached = x.data, x[:, 1], x.detach()
    transposed_view = x.t()[1:]
    storage = x.untyped_storage()
    column.share_memory_()
    x[0, 1] = 100.0
    for t in (x, alias, column, detached, transposed_view):
        assert t.is_shared()
        assert t.untyped_storage().data_ptr() == storage.data_ptr()
    assert storage.is_shared()
    assert column.tolist() == [100.0, 5.0, 9.0]
    assert transposed_view[0].tolist() == [100.0, 5.0, 9.0]
    assert alias[0, 1].item() == detached[0, 1].item() == 100.0
    expected = np.arange(12.0).reshape(3, 4)
    expected[0, 1] = 100.0
    np.testing.assert_array_equal(x.numpy(), expected)


def test_a_shared_leaf_keeps_its_graph_and_version():
    w = retrograd.tensor([1.0, 2.0], requires_grad=True)
    y = w * w  # saves w
    w.share_memory_()
    assert w.is_shared() and w.is_leaf and w._version == 0
    y.sum().backward()
    assert w.grad.tolist() == [2.0, 4.0]
    with retrograd.no_grad():
        w.mul_(3)
    assert w._version == 1
    z = (w * w).sum()
    with retrograd.no_grad():
        w.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()


def test_fortran_ordered_memory_keeps_its_values():
    a = np.asfortranarray(np.arange(6.0).reshape(2, 3))
    t = retrograd.from_numpy(a)
    t.share_memory_()
    np.testing.assert_array_equal(t.numpy(), np.arange(6.0).reshape(2, 3))
    assert t.stride() == (1, 2)


def test_sharing_strategies_as_in_torch(torch_ref):
    assert mp.get_all_sharing_strategies() == torch_ref.multiprocessing.get_all_sharing_strategies()
    with pytest.raises(AssertionError, match="invalid sharing strategy 'x'"):
        mp.set_sharing_strategy("x")
    with pytest.raises(AssertionError, match="invalid sharing strategy 'x'"):
        torch_ref.multiprocessing.set_sharing_strategy("x")
    mp.set_sharing_strategy("file_system")
    assert mp.get_sharing_strategy() == "file_system"
    mp.set_sharing_strategy("file_descriptor")


def test_pythons_names_are_there():
    import multiprocessing

    assert mp.Queue == multiprocessing.Queue
    assert mp.get_context is multiprocessing.get_context
    assert {"Process", "spawn", "set_sharing_strategy"} <= set(mp.__all__)
    assert retrograd.multiprocessing is mp
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        mp.nothing
