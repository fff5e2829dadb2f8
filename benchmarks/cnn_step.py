"""The training step of the digits CNN (examples/digits_cnn.py), batch 64, in both libraries.

The model is built once per library and the batch is the same array in both:
conv 1->32, relu, conv 32->64, relu, max pool, linear 1024->128, relu, linear 128->10, cross
entropy, Adam.  Target: retrograd at most PyTorch's time.
"""

from harness import compare  # first: it pins the BLAS to one thread before NumPy loads

# isort: split
import numpy as np


def make_model(lib):
    """The digits example's network, written once for either library."""
    nn, F = lib.nn, lib.nn.functional

    class DigitsCNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
            self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
            self.fc1 = nn.Linear(64 * 4 * 4, 128)
            self.fc2 = nn.Linear(128, 10)

        def forward(self, x):
            x = F.relu(self.conv1(x))
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            return self.fc2(F.relu(self.fc1(x.flatten(1))))

    return DigitsCNN()


def cnn_step(lib, batch=64):
    lib.manual_seed(0)  # each library draws its own weights: the same shapes and distributions
    model = make_model(lib)
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.uniform(0, 1, (batch, 1, 8, 8)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, batch))
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    F = lib.nn.functional

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    return step


if __name__ == "__main__":
    import retrograd

    if hasattr(retrograd.nn, "Linear") and hasattr(retrograd, "optim"):
        compare("digits CNN step (batch 64)", cnn_step)
    else:  # the layers and optimizers land from other branches
        print("digits CNN step: skipped (needs nn.Linear and optim.Adam)")
