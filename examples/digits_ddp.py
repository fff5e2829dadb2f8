"""Train the digits CNN of digits_cnn.py on several processes with DistributedDataParallel.

Ordinary PyTorch DDP code (``import retrograd as torch``): each rank trains on its own share of
every epoch (DistributedSampler), gradients are averaged across ranks during the backward pass,
and rank 0 prints the progress, the test accuracy and the time per epoch.

    python -m retrograd.distributed.run --nproc-per-node 2 examples/digits_ddp.py [--epochs 15]
    mpiexec -n 2 python examples/digits_ddp.py          (the same, without the launcher)
"""

import argparse
import math
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from digits_cnn import DigitsCNN, evaluate, load_data, shifted

import retrograd as torch
import retrograd.distributed as dist
import retrograd.nn.functional as F
from retrograd.nn.parallel import DistributedDataParallel as DDP
from retrograd.utils.data import DataLoader, DistributedSampler, TensorDataset


def train(args):
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed + rank)  # each rank shifts its own images differently
    x_train, y_train, x_test, y_test = load_data(args.seed)
    train_set = TensorDataset(x_train, y_train)
    sampler = DistributedSampler(train_set, shuffle=True, seed=args.seed)
    # the global batch is --batch-size, whatever the number of ranks: the same steps as one process
    loader = DataLoader(train_set, batch_size=args.batch_size // world, sampler=sampler)
    model = DDP(DigitsCNN(args.width))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    epoch_times, epoch_cpu = [], []
    for epoch in range(1, args.epochs + 1):
        for group in optimizer.param_groups:  # cosine decay, as digits_cnn.py
            group["lr"] = args.lr * 0.5 * (1 + math.cos(math.pi * (epoch - 1) / args.epochs))
        sampler.set_epoch(epoch)
        dist.barrier()
        start, cpu = time.perf_counter(), time.process_time()
        total = torch.zeros(2, dtype=torch.float64)  # loss sum, samples
        for xb, yb in loader:
            xb = torch.from_numpy(shifted(xb.numpy(), rng))
            optimizer.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += torch.tensor([loss.item() * len(yb), len(yb)], dtype=torch.float64)
        dist.barrier()
        epoch_times.append(time.perf_counter() - start)
        epoch_cpu.append(time.process_time() - cpu)
        dist.all_reduce(total)
        if rank == 0:
            _, test_acc = evaluate(model.module, x_test, y_test)
            print(
                f"epoch {epoch:2d}: train loss {(total[0] / total[1]).item():.4f}  "
                f"test accuracy {test_acc:.2%}  ({epoch_times[-1]:.2f} s)",
                flush=True,
            )
    return model, (epoch_times, epoch_cpu), (x_test, y_test)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--batch-size", type=int, default=64, help="global batch, over all ranks")
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument(
        "--width", type=int, default=1, help="multiplies the convolutions' channels (heavier steps)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--min-accuracy",
        type=float,
        default=0.97,
        help="exit with an error below this test accuracy",
    )
    parser.add_argument("--save", help="rank 0 writes the trained state dict here")
    args = parser.parse_args(argv)
    dist.init_process_group("gloo")
    model, (wall, cpu), (x_test, y_test) = train(args)
    if dist.get_rank() == 0:
        _, accuracy = evaluate(model.module, x_test, y_test)
        skip = 1 if len(wall) > 1 else 0  # the first epoch also warms up
        # the median epoch: one epoch slowed by other work on the machine does not move it
        wall, cpu = float(np.median(wall[skip:])), float(np.median(cpu[skip:]))
        print(
            f"test accuracy: {accuracy:.2%} on {dist.get_world_size()} ranks; "
            f"{wall:.2f} s per epoch, rank 0 busy {cpu:.2f} s of it (medians of epochs 2..)"
        )
        if args.save:
            torch.save(model.module.state_dict(), args.save)  # keys without "module."
        if accuracy < args.min_accuracy:
            raise SystemExit(f"test accuracy {accuracy:.2%} is below {args.min_accuracy:.0%}")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
