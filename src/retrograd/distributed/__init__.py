"""``retrograd.distributed``: PyTorch's ``torch.distributed`` API on MPI.

Start the processes with ``python -m retrograd.distributed.run --nproc-per-node N script.py`` or
``mpiexec -n N python script.py``; in the script, ``init_process_group("gloo")`` (or "mpi") joins
them.  Needs the ``distributed`` extra (``mpi4py`` and Open MPI); without it ``is_available()`` is
False.  Importing this package does not start MPI: ``init_process_group`` does.
"""

from .distributed_c10d import (Backend, GroupMember, ProcessGroup, ReduceOp, Work, all_gather,
                               all_gather_into_tensor, all_gather_object, all_reduce, all_to_all,
                               all_to_all_single, barrier, broadcast, broadcast_object_list,
                               destroy_process_group, gather, gather_object, get_backend,
                               get_global_rank, get_group_rank, get_node_local_rank,
                               get_process_group_ranks, get_rank, get_world_size, group,
                               init_process_group, irecv, is_available, is_gloo_available,
                               is_initialized, is_mpi_available, is_nccl_available,
                               is_torchelastic_launched, is_ucc_available, isend, monitored_barrier,
                               new_group, recv, reduce, reduce_scatter, reduce_scatter_tensor,
                               scatter, scatter_object_list, send)

__all__ = [
    "Backend", "GroupMember", "ProcessGroup", "ReduceOp", "Work", "group",
    "is_available", "is_initialized", "is_mpi_available", "is_gloo_available",
    "is_nccl_available", "is_ucc_available", "is_torchelastic_launched",
    "init_process_group", "destroy_process_group", "new_group", "get_rank", "get_world_size",
    "get_backend", "get_process_group_ranks", "get_group_rank", "get_global_rank",
    "all_reduce", "reduce", "broadcast", "all_gather", "all_gather_into_tensor",
    "reduce_scatter", "reduce_scatter_tensor", "gather", "scatter", "all_to_all",
    "all_to_all_single", "barrier", "monitored_barrier", "get_node_local_rank",
    "send", "recv", "isend", "irecv",
    "broadcast_object_list", "all_gather_object", "gather_object", "scatter_object_list",
]
