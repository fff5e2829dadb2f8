"""Run by tests/test_distributed.py under mpiexec on 2 ranks: DistributedDataParallel against one
process training on the concatenated batches."""

import copy
import sys

import numpy as np

import retrograd as torch
import retrograd.distributed as dist
import retrograd.nn.functional as F
from retrograd import nn
from retrograd.nn.parallel import DistributedDataParallel as DDP

dist.init_process_group("gloo")
rank, n = dist.get_rank(), dist.get_world_size()


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.fc1 = nn.Linear(4 * 4 * 4, 16)
        self.fc2 = nn.Linear(16, 3)
        self.register_buffer("seen", torch.zeros(1))

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv(x)), 2)
        return self.fc2(F.relu(self.fc1(x.flatten(1))))


def shard(t, r):
    """Rank r's part of a batch: rows r, r + n, ... (a DistributedSampler's partition)."""
    return t[r::n]


def gathered(t):
    parts = [torch.zeros_like(t) for _ in range(n)]
    dist.all_gather(parts, t.detach())
    return parts


def same_everywhere(module):
    for p in list(module.parameters()) + list(module.buffers()):
        for other in gathered(p):
            np.testing.assert_array_equal(other.numpy(), p.detach().numpy())


rng = np.random.default_rng(0)
batches = [
    (
        torch.from_numpy(rng.standard_normal((6, 1, 8, 8)).astype(np.float32)),
        torch.from_numpy(rng.integers(0, 3, 6)),
    )
    for _ in range(4)
]

# 1. construction broadcasts rank 0's parameters and buffers; a small bucket cap makes several
torch.manual_seed(rank)  # different on each rank on purpose
model = Net()
model.seen.fill_(float(rank + 5))
reference = copy.deepcopy(model)  # what rank 0 will start from, made below on every rank
ddp = DDP(model, bucket_cap_mb=0.002)
same_everywhere(model)
assert len(ddp._buckets) > 1, len(ddp._buckets)
assert ddp.module is model
assert list(ddp.state_dict()) == ["module." + k for k in model.state_dict()]
for p, q in zip(reference.parameters(), model.parameters()):
    p.data = q.detach().clone()
reference.seen.fill_(5.0)

# 2. a few SGD steps with DDP equal one process on the whole batches
opt = torch.optim.SGD(ddp.parameters(), lr=0.1, momentum=0.9)
ref_opt = torch.optim.SGD(reference.parameters(), lr=0.1, momentum=0.9)
first = next(iter(model.parameters()))  # its gradient comes last in the backward pass
launched_early = []
first.register_post_accumulate_grad_hook(
    lambda p: launched_early.append(ddp._buckets[0].work is not None)
)
for x, y in batches:
    opt.zero_grad()
    F.cross_entropy(ddp(shard(x, rank)), shard(y, rank)).backward()
    assert all(b.work is None for b in ddp._buckets)  # every all-reduce finished inside backward
    opt.step()
    ref_opt.zero_grad()
    F.cross_entropy(reference(x), y).backward()
    ref_opt.step()
for p, q in zip(model.parameters(), reference.parameters()):
    np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-5, atol=1e-6)
same_everywhere(model)
assert launched_early and all(launched_early), launched_early  # overlap: started mid-backward

# 3. buffers: rank 0's are broadcast before each forward
model.seen.fill_(float(rank + 10))
ddp(batches[0][0][:1])
assert model.seen.item() == 10.0, model.seen.item()

# ... unless broadcast_buffers=False; and an evaluation forward changes nothing of the step
ddp_b = DDP(Net(), broadcast_buffers=False)
ddp_b.module.seen.fill_(float(rank + 10))
with torch.no_grad():
    ddp_b(batches[0][0][:1])
assert ddp_b.module.seen.item() == rank + 10.0

# 4. no_sync: k accumulated micro-steps then one synchronised step equal one big step
k = 3
acc_model = Net()
ddp2 = DDP(acc_model)
big = copy.deepcopy(acc_model)
micro = [
    (
        torch.from_numpy(rng.standard_normal((4, 1, 8, 8)).astype(np.float32)),
        torch.from_numpy(rng.integers(0, 3, 4)),
    )
    for _ in range(k)
]
for j, (x, y) in enumerate(micro):
    xs, ys = shard(x, rank), shard(y, rank)
    if j < k - 1:
        with ddp2.no_sync():
            loss = F.cross_entropy(ddp2(xs), ys, reduction="sum") / (k * len(ys))
        loss.backward()  # outside the block: the forward decides, as in PyTorch
        # no communication: each rank's own gradient
        assert not np.allclose(
            gathered(acc_model.fc2.weight.grad)[0].numpy(),
            gathered(acc_model.fc2.weight.grad)[1].numpy(),
        )
    else:
        (F.cross_entropy(ddp2(xs), ys, reduction="sum") / (k * len(ys))).backward()
x_all = torch.cat([x for x, _ in micro])
y_all = torch.cat([y for _, y in micro])
F.cross_entropy(big(x_all), y_all).backward()
for p, q in zip(acc_model.parameters(), big.parameters()):
    np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-5, atol=1e-6)


# 5. unused parameters
class Branchy(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(2, 2)
        self.b = nn.Linear(2, 2)  # used on rank 1 only
        self.never = nn.Linear(2, 2)  # used nowhere

    def forward(self, x, use_b):
        return self.b(x) if use_b else self.a(x)


m = Branchy()
ddp3 = DDP(m, find_unused_parameters=True)
x = torch.ones(1, 2) * (rank + 1)
ddp3(x, use_b=(rank == 1)).sum().backward()
assert m.never.weight.grad is None and m.never.bias.grad is None  # no rank used it
np.testing.assert_allclose(m.b.weight.grad.numpy(), np.full((2, 2), 2 / n))  # (0 + 2) / 2
np.testing.assert_allclose(m.a.weight.grad.numpy(), np.full((2, 2), 1 / n))  # (1 + 0) / 2

m = Branchy()
ddp4 = DDP(m)
ddp4(torch.ones(1, 2), use_b=False).sum().backward()
try:
    ddp4(torch.ones(1, 2), use_b=False)
    raise AssertionError("no error for unused parameters")
except RuntimeError as e:
    assert str(e).startswith("Expected to have finished reduction in the prior iteration"), e
    assert f"Parameter indices which did not receive grad for rank {rank}: 2 3 4 5" in str(e), e

# 6. PyTorch's errors
for kwargs, error, text in (
    ({"device_ids": [0]}, ValueError, "device_ids and output_device arguments only work"),
    ({"gradient_as_bucket_view": True}, NotImplementedError, "gradient_as_bucket_view"),
):
    try:
        DDP(Net(), **kwargs)
        raise AssertionError(f"no error for {kwargs}")
    except error as e:
        assert text in str(e), str(e)
try:
    DDP(nn.ReLU())
    raise AssertionError("no error for a module without parameters")
except RuntimeError as e:
    assert "DistributedDataParallel is not needed" in str(e)

dist.destroy_process_group()
if rank == 0:
    print("ddp ok")
sys.stdout.flush()
