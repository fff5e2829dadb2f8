"""Run by tests/test_distributed.py: rank 1 raises while rank 0 waits for it in a collective; the
job must end with rank 1's traceback and a non-zero exit, not hang."""

import os
import sys

import retrograd as torch
import retrograd.distributed as dist

if "RETROGRAD_ERROR_DIR" in os.environ:  # the launcher sets RANK ... before the script runs
    assert os.environ["RANK"] and os.environ["WORLD_SIZE"] == "2"
print(f"argv {sys.argv[1:]}", flush=True)
dist.init_process_group("gloo")
if dist.get_rank() == 1:
    raise ValueError("rank 1 fails on purpose")
dist.all_reduce(torch.ones(1))  # rank 0 waits here for a peer that will never come
print("unreachable", flush=True)
