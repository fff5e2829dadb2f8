"""What each rank runs under ``retrograd.distributed.run``: set RANK, WORLD_SIZE, LOCAL_RANK and
LOCAL_WORLD_SIZE from what ``mpiexec`` tells the process, run the script, and when it raises,
print the traceback, leave it for the launcher, and end every rank of the job.

    python -m retrograd.distributed._launch script.py args...   (or -m module args...)
"""

import os
import runpy
import sys
import traceback

# What Open MPI, then MPICH/PMI, tell each process it starts.
_SOURCES = {
    "RANK": ("OMPI_COMM_WORLD_RANK", "PMI_RANK"),
    "WORLD_SIZE": ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE"),
    "LOCAL_RANK": ("OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID"),
    "LOCAL_WORLD_SIZE": ("OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS"),
}


def _set_rank_environment():
    for key, sources in _SOURCES.items():
        for source in sources:
            if source in os.environ:
                os.environ[key] = os.environ[source]
                break


def _fail(exc):
    rank = os.environ.get("RANK", "0")
    tb = exc.__traceback__  # start at the script: leave out this module's and runpy's frames
    while tb is not None and (
        tb.tb_frame.f_code.co_filename == __file__ or "runpy" in tb.tb_frame.f_code.co_filename
    ):
        tb = tb.tb_next
    text = "".join(traceback.format_exception(type(exc), exc, tb))
    sys.stderr.write(f"[rank{rank}]: {text}")
    sys.stderr.flush()
    sys.stdout.flush()
    error_dir = os.environ.get("RETROGRAD_ERROR_DIR")
    if error_dir and os.path.isdir(error_dir):
        with open(os.path.join(error_dir, f"rank{rank}.txt"), "w") as f:
            f.write(text)
    mpi = sys.modules.get("mpi4py.MPI")
    if mpi is not None and mpi.Is_initialized() and not mpi.Is_finalized():
        mpi.COMM_WORLD.Abort(1)  # the other ranks may be waiting in a collective
    os._exit(1)


def main(argv):
    if not argv:
        raise SystemExit("usage: python -m retrograd.distributed._launch script.py [args...]")
    _set_rank_environment()
    module = argv[0] == "-m"
    target = argv[1] if module else argv[0]
    sys.argv = argv[1:] if module else argv
    if not module:
        sys.path.insert(0, os.path.dirname(os.path.abspath(target)))
    try:
        if module:
            runpy.run_module(target, run_name="__main__", alter_sys=True)
        else:
            runpy.run_path(target, run_name="__main__")
    except SystemExit:
        raise
    except BaseException as e:  # noqa: BLE001 - any failure must end the whole job
        _fail(e)


if __name__ == "__main__":
    main(sys.argv[1:])
