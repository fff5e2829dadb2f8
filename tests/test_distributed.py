"""retrograd.distributed and DistributedDataParallel.

In this process: what needs no MPI job (errors before init, the object serializer, what happens
without mpi4py).  Under mpiexec, a few short jobs (each start costs seconds): every collective on
2 and 3 ranks against NumPy (tests/distributed/collectives.py), DDP on 2 ranks against one process
(tests/distributed/ddp.py, through the launcher), and a rank that raises
(tests/distributed/fails.py), under the launcher and under plain mpiexec.
"""

import datetime
import os
import pickle
import signal
import subprocess
import sys

import numpy as np
import pytest

import retrograd
import retrograd.distributed as dist
from retrograd.distributed import _objects, distributed_c10d

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "..", "src")
WORKERS = os.path.join(HERE, "distributed")


@pytest.fixture
def mpi():
    """The jobs need MPI: `make test` installs the distributed extra, so it must be there;
    `make test-light` may lack it (then they skip, and the rest of this file still runs)."""
    if os.environ.get("RETROGRAD_TEST_LIGHT"):
        pytest.importorskip("mpi4py")
    import mpi4py  # noqa: F401


def _job(args, timeout=120):
    """Run a command in its own session; on timeout end it all and fail (never hang the suite)."""
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(
            [os.path.abspath(SRC)]
            + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
        ),
        OMP_NUM_THREADS="1",
    )
    proc = subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"the job did not end within {timeout} s:\n{out}\n{err}")
    return proc.returncode, out, err


def _mpiexec(n, script):
    from retrograd.distributed.run import find_mpiexec

    return _job(
        [
            find_mpiexec(),
            "-n",
            str(n),
            "--oversubscribe",
            "--allow-run-as-root",
            sys.executable,
            os.path.join(WORKERS, script),
        ]
    )


def _launcher(n, script, *args):
    return _job(
        [
            sys.executable,
            "-m",
            "retrograd.distributed.run",
            "--nproc-per-node",
            str(n),
            os.path.join(WORKERS, script),
            *args,
        ]
    )


# --- jobs ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("ranks", [2, 3])
def test_every_collective_against_numpy(ranks, mpi):
    code, out, err = _mpiexec(ranks, "collectives.py")
    assert code == 0, out + err
    assert "collectives ok" in out and f"on {ranks} ranks" in out, out + err


def test_ddp_through_the_launcher_equals_one_process_on_the_whole_batches(mpi):
    code, out, err = _launcher(2, "ddp.py")
    assert code == 0, out + err
    assert "ddp ok" in out


def test_a_rank_that_raises_ends_the_job_with_its_traceback(mpi):
    code, out, err = _launcher(2, "fails.py", "--flag", "x")
    assert code != 0
    assert out.count("argv ['--flag', 'x']") == 2  # every rank got the script's arguments
    assert "unreachable" not in out
    assert 'raise ValueError("rank 1 fails on purpose")' in err
    assert "root cause, the first failure, on rank 1:" in err
    assert err.rstrip().endswith("ValueError: rank 1 fails on purpose")


def test_a_rank_that_raises_under_plain_mpiexec_ends_the_job(mpi):
    code, out, err = _mpiexec(2, "fails.py")
    assert code != 0 and "unreachable" not in out
    assert "[rank1]: uncaught ValueError; aborting the job" in err
    assert "ValueError: rank 1 fails on purpose" in err


# --- in this process ----------------------------------------------------------------------------
def test_an_aborting_rank_waits_until_its_stderr_pipe_is_read():
    """The end of the traceback must reach the launcher before the abort ends it."""
    import threading

    r, w = os.pipe()
    with os.fdopen(w, "w") as stream, os.fdopen(r, "rb") as reader:
        stream.write("ValueError: rank 1 fails on purpose\n")
        stream.flush()
        got, reading = [], threading.Event()

        def read():
            reading.set()
            got.append(os.read(reader.fileno(), 100))

        reader_thread = threading.Timer(0.2, read)
        reader_thread.start()
        distributed_c10d._wait_until_read(stream)
        assert reading.is_set()  # it did not return before the launcher's read
        reader_thread.join()
        assert got == [b"ValueError: rank 1 fails on purpose\n"]
        stream.write("unread")
        stream.flush()
        distributed_c10d._wait_until_read(stream, limit=0.05)  # no reader: gives up at the limit


@pytest.mark.parametrize(
    "call",
    [
        lambda d: d.get_rank(),
        lambda d: d.get_world_size(),
        lambda d: d.barrier(),
        lambda d: d.all_reduce(d_tensor(d)),
        lambda d: d.destroy_process_group(),
        lambda d: d.new_group([0]),
    ],
)
def test_before_init_process_group_as_pytorch(call, torch_ref):
    import torch.distributed as tdist

    errors = []
    for d in (dist, tdist):
        with pytest.raises(Exception) as info:
            call(d)
        errors.append((type(info.value), str(info.value)))
    assert errors[0] == errors[1]
    assert not dist.is_initialized()


def d_tensor(d):
    import torch

    return retrograd.ones(2) if d is dist else torch.ones(2)


@pytest.mark.parametrize(
    "backend, error, text",
    [
        ("nccl", RuntimeError, "Distributed package doesn't have NCCL built in"),
        ("NCCL", RuntimeError, "Distributed package doesn't have NCCL built in"),
        ("foo", AssertionError, "Unknown backend type foo"),
    ],
)
def test_backends_this_build_lacks(backend, error, text):
    with pytest.raises(error, match=f"^{text}$"):
        dist.init_process_group(backend)
    assert not dist.is_initialized()


def test_timeout_must_be_a_timedelta():
    with pytest.raises(
        TypeError, match="^Expected timeout argument to be of type datetime.timedelta, got 5$"
    ):
        dist.init_process_group("gloo", timeout=5)


def test_without_mpi4py(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "mpi4py" else real(name, *a)
    )
    assert dist.is_available() is False and retrograd.distributed.is_mpi_available() is False
    monkeypatch.setitem(sys.modules, "mpi4py", None)  # import mpi4py now fails
    monkeypatch.setattr(distributed_c10d, "_MPI", None)
    with pytest.raises(
        RuntimeError,
        match="^Distributed package doesn't have MPI built in.*"
        r"pip install 'retrograd\[distributed\]'",
    ):
        dist.init_process_group("mpi", timeout=datetime.timedelta(seconds=5))


def test_reduce_op_and_backend_names_as_pytorch(torch_ref):
    import torch.distributed as tdist

    for name in ("SUM", "AVG", "PRODUCT", "MIN", "MAX", "BAND", "BOR", "BXOR", "PREMUL_SUM"):
        ours, theirs = getattr(dist.ReduceOp, name), getattr(tdist.ReduceOp, name)
        assert (str(ours), repr(ours), int(ours)) == (str(theirs), repr(theirs), int(theirs))
    assert dist.Backend("GLOO") == tdist.Backend("GLOO") == "gloo"
    assert dist.Backend.MPI == tdist.Backend.MPI


def test_importing_distributed_does_not_start_mpi():
    code = (
        "import sys, retrograd, retrograd.distributed, retrograd.nn.parallel; "
        "print('mpi4py.MPI' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=os.path.abspath(SRC)),
        timeout=60,
    )
    assert result.stdout.strip() == "False", result.stderr


# --- the object serializer ----------------------------------------------------------------------
def test_objects_round_trip_plain_data_and_tensors():
    from collections import OrderedDict

    t = retrograd.tensor([[1.0, 2.0]], requires_grad=True)
    p = retrograd.nn.Parameter(retrograd.zeros(3))
    obj = {
        "a": [1, 2.5, "s", None, True, b"x", 3 + 4j],
        "t": t,
        "p": p,
        "o": OrderedDict(k=(1, 2)),
        "set": {1, 2},
        "d": retrograd.int64,
        "size": t.shape,
        "arr": np.arange(3, dtype=np.int16),
    }
    back = _objects.loads(_objects.dumps(obj))
    assert back["a"] == obj["a"] and back["o"] == obj["o"] and type(back["o"]) is OrderedDict
    assert back["set"] == {1, 2} and back["d"] is retrograd.int64
    assert back["size"] == retrograd.Size([1, 2]) and type(back["size"]) is retrograd.Size
    assert back["t"].tolist() == [[1.0, 2.0]] and back["t"].requires_grad
    assert back["t"].dtype is retrograd.float32 and back["t"].is_leaf
    assert type(back["p"]) is retrograd.nn.Parameter and back["p"].requires_grad
    assert back["arr"].dtype == np.int16 and back["arr"].tolist() == [0, 1, 2]
    back["t"].data[0, 0] = 5  # its own, writable array
    assert t[0, 0].item() == 1.0


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


@pytest.mark.parametrize(
    "payload",
    [
        pickle.dumps(_Evil()),
        pickle.dumps(datetime.date(2020, 1, 1)),
        pickle.dumps(np.arange(3).astype(object)),
    ],
)
def test_objects_refuse_any_other_global(payload):
    with pytest.raises(pickle.UnpicklingError, match="object collectives carry plain data only"):
        _objects.loads(payload)


def test_digits_ddp_example_under_plain_mpiexec(tmp_path, mpi):
    if os.environ.get("RETROGRAD_TEST_LIGHT"):
        pytest.importorskip("sklearn")
    from retrograd.distributed.run import find_mpiexec

    saved = tmp_path / "digits.pt"
    code, out, err = _job(
        [
            find_mpiexec(),
            "-n",
            "2",
            "--oversubscribe",
            "--allow-run-as-root",
            sys.executable,
            os.path.join(HERE, "..", "examples", "digits_ddp.py"),
            "--epochs",
            "1",
            "--min-accuracy",
            "0",
            "--save",
            str(saved),
        ]
    )
    assert code == 0, out + err
    assert out.count("epoch  1: train loss") == 1  # rank 0 alone reports
    accuracy = float(out.split("test accuracy: ")[1].split("%")[0])
    assert accuracy > 30 and "on 2 ranks" in out  # ten classes: far above chance after one epoch
    state = retrograd.load(str(saved))
    assert list(state) == [
        "conv1.weight",
        "conv1.bias",
        "conv2.weight",
        "conv2.bias",
        "fc1.weight",
        "fc1.bias",
        "fc2.weight",
        "fc2.bias",
    ]


# --- the launcher's command line ------------------------------------------------------------------
def test_launcher_builds_mpiexec_commands():
    from retrograd.distributed import run

    one = run.build_command(run.parse(["--nproc-per-node", "3", "train.py", "--lr", "1"]), "mpx")
    assert one[:3] == ["mpx", "-n", "3"] and "--oversubscribe" in one
    assert one[one.index(sys.executable) :] == [
        sys.executable,
        "-m",
        "retrograd.distributed._launch",
        "train.py",
        "--lr",
        "1",
    ]
    many = run.build_command(
        run.parse(
            ["--hostfile", "hosts", "--nnodes", "2", "--nproc-per-node", "4", "-m", "pkg.train"]
        ),
        "mpx",
    )
    assert many[:3] == ["mpx", "-n", "8"] and "--oversubscribe" not in many
    assert many[many.index("--hostfile") : many.index("--hostfile") + 4] == [
        "--hostfile",
        "hosts",
        "--map-by",
        "ppr:4:node",
    ]
    assert many[-3:] == ["retrograd.distributed._launch", "-m", "pkg.train"]


@pytest.mark.parametrize(
    "argv, text",
    [
        (["--nnodes", "2", "t.py"], "--nnodes > 1 needs --hostfile"),
        (["--nproc-per-node", "0", "t.py"], "must be at least 1"),
        (["--standalone", "--hostfile", "h", "t.py"], "--standalone runs on this machine only"),
    ],
)
def test_launcher_refuses_inconsistent_layouts(argv, text, capsys):
    from retrograd.distributed import run

    with pytest.raises(SystemExit):
        run.parse(argv)
    assert text in capsys.readouterr().err


def test_launcher_without_mpiexec(monkeypatch, tmp_path):
    from retrograd.distributed import run

    monkeypatch.delenv("RETROGRAD_MPIEXEC", raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(
        SystemExit,
        match=r"mpiexec not found; install the extra with pip install "
        r"'retrograd\[distributed\]'",
    ):
        run.find_mpiexec()
