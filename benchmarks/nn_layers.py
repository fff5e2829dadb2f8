"""nn modules side by side with PyTorch: forward, loss and backward of common layers.

Most leave the optimizer step out, to time what ``retrograd.nn`` adds; one is the whole training
step of the MLP with ``optim.SGD``.
"""

from harness import compare


def _step(lib, model, make_inputs, loss):
    x = make_inputs()

    def step():
        model.zero_grad()
        loss(model, x).backward()

    return step


def _mlp(lib, batch, sizes):
    """A 784-512-512-10 nn.Linear + ReLU model, a batch, and CrossEntropyLoss."""
    lib.manual_seed(0)
    nn = lib.nn
    model = nn.Sequential(
        nn.Linear(sizes[0], sizes[1]),
        nn.ReLU(),
        nn.Linear(sizes[1], sizes[2]),
        nn.ReLU(),
        nn.Linear(sizes[2], sizes[3]),
    )
    x, y = lib.randn(batch, sizes[0]), lib.randint(0, sizes[-1], (batch,))
    return model, x, y, nn.CrossEntropyLoss()


def mlp(lib, batch=128, sizes=(784, 512, 512, 10)):
    """nn.Linear + ReLU MLP with CrossEntropyLoss."""
    model, x, y, loss_fn = _mlp(lib, batch, sizes)
    return _step(lib, model, lambda: (x, y), lambda m, xy: loss_fn(m(xy[0]), xy[1]))


def mlp_sgd(lib, batch=128, sizes=(784, 512, 512, 10)):
    """The issue's training step: nn.Linear MLP, CrossEntropyLoss, optim.SGD (momentum 0.9)."""
    model, x, y, loss_fn = _mlp(lib, batch, sizes)
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    return step


def small_mlp(lib):
    """A tiny model (4-16-1, batch 8): per-call overhead dominates."""
    lib.manual_seed(0)
    nn = lib.nn
    model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 1))
    x, y = lib.randn(8, 4), lib.randn(8, 1)
    return _step(lib, model, lambda: (x, y), lambda m, xy: nn.functional.mse_loss(m(xy[0]), xy[1]))


def lstm(lib, steps=20, batch=16, size=32):
    """A one-layer LSTM over 20 steps."""
    lib.manual_seed(0)
    model = lib.nn.LSTM(size, size, batch_first=True)
    x = lib.randn(batch, steps, size)
    return _step(lib, model, lambda: x, lambda m, x: m(x)[0].sum())


def attention(lib, length=32, batch=8, embed=64, heads=4):
    """MultiheadAttention (self-attention) with LayerNorm."""
    lib.manual_seed(0)
    nn = lib.nn
    mha, norm = nn.MultiheadAttention(embed, heads, batch_first=True), nn.LayerNorm(embed)
    model = nn.ModuleList([mha, norm])
    x = lib.randn(batch, length, embed)
    return _step(lib, model, lambda: x, lambda m, x: norm(mha(x, x, x)[0] + x).sum())


def self_attention(lib, embed, heads, length, batch, need_weights=True):
    """One MultiheadAttention self-attention step, forward and backward, nothing else."""
    lib.manual_seed(0)
    mha = lib.nn.MultiheadAttention(embed, heads, batch_first=True)
    x = lib.randn(batch, length, embed, requires_grad=True)

    def step():
        mha.zero_grad()
        x.grad = None
        mha(x, x, x, need_weights=need_weights)[0].sum().backward()

    return step


def attention_small(lib):
    """d 64, 4 heads, sequence 16, batch 4."""
    return self_attention(lib, 64, 4, 16, 4)


def attention_large(lib):
    """d 128, 4 heads, sequence 64, batch 16."""
    return self_attention(lib, 128, 4, 64, 16)


def attention_small_no_weights(lib):
    """The small one with need_weights=False (PyTorch's fused attention path)."""
    return self_attention(lib, 64, 4, 16, 4, need_weights=False)


def attention_large_no_weights(lib):
    """The large one with need_weights=False."""
    return self_attention(lib, 128, 4, 64, 16, need_weights=False)


def transformer_layer(lib, d_model=128, heads=4, length=64, batch=16):
    """One TransformerEncoderLayer training step (forward, backward, SGD): d_model 128, 4 heads,
    sequence 64, batch 16, PyTorch's defaults otherwise (feed-forward 2048, dropout 0.1)."""
    lib.manual_seed(0)
    layer = lib.nn.TransformerEncoderLayer(d_model, heads, batch_first=True)
    opt = lib.optim.SGD(layer.parameters(), lr=0.01)
    x = lib.randn(batch, length, d_model)

    def step():
        opt.zero_grad()
        layer(x).pow(2).mean().backward()
        opt.step()

    return step


def norm_step(lib, make, shape):
    """One step of a normalisation layer, forward and backward into the input and the affine
    parameters: ``make(nn)`` the layer, the input of ``shape``, the output weighted by a fixed
    random tensor."""
    lib.manual_seed(0)
    layer = make(lib.nn)
    x = lib.randn(*shape, requires_grad=True)
    w = lib.randn(*shape)

    def step():
        layer.zero_grad()
        x.grad = None
        (layer(x) * w).sum().backward()

    return step


def layer_norm_small(lib):
    """LayerNorm(64) over 8x16x64."""
    return norm_step(lib, lambda nn: nn.LayerNorm(64), (8, 16, 64))


def layer_norm_large(lib):
    """LayerNorm(512) over 32x64x512."""
    return norm_step(lib, lambda nn: nn.LayerNorm(512), (32, 64, 512))


def batch_norm_small(lib):
    """BatchNorm2d(16) in training, 8x16x8x8."""
    return norm_step(lib, lambda nn: nn.BatchNorm2d(16), (8, 16, 8, 8))


def batch_norm_large(lib):
    """BatchNorm2d(64) in training, 32x64x32x32."""
    return norm_step(lib, lambda nn: nn.BatchNorm2d(64), (32, 64, 32, 32))


def grid_sample(lib, mode, size=(4, 16, 32, 32), out=(24, 24)):
    """One F.grid_sample step, forward and backward into both the input and the grid: input
    [N, C, H, W] (or a volume [N, C, D, H, W]) read at N x out points that reach a little past its
    edges, padding_mode zeros, align_corners False."""
    lib.manual_seed(0)
    x = lib.randn(*size, requires_grad=True)
    grid = (lib.rand(size[0], *out, len(size) - 2) * 2.2 - 1.1).requires_grad_()

    def step():
        x.grad = grid.grad = None
        lib.nn.functional.grid_sample(x, grid, mode, "zeros", False).sum().backward()

    return step


def loss_gradients(lib, shape=(64, 32)):
    """Losses and activations whose gradients are backward ops of their own (softplus, mse,
    smooth l1, huber, binary cross entropy) or formulas with numbers in them, on small tensors:
    the cost of the first-order backward calls."""
    nn = lib.nn.functional
    lib.manual_seed(0)
    x = lib.rand(*shape, requires_grad=True)
    y = lib.rand(*shape)

    def step():
        loss = (
            nn.softplus(x).sum()
            + nn.mse_loss(x, y)
            + nn.smooth_l1_loss(x, y)
            + nn.huber_loss(x, y)
            + nn.binary_cross_entropy(x.sigmoid(), y)
            + x.sqrt().sum()
            + x.std()
            + x.pow(2).sum()
            + x.erf().sum()
        )
        loss.backward()
        x.grad = None

    return step


def activation_gradients(lib, shape=(64, 1024)):
    """The activations and losses whose gradients are backward ops of their own (gelu, elu, log
    sigmoid, hardswish, hardsigmoid, glu, soft margin) or formulas PyTorch composes (mish,
    binary cross entropy with logits and pos_weight), on a (64, 1024) float32 input: the forward
    and the first-order backward calls."""
    nn = lib.nn.functional
    lib.manual_seed(0)
    x = lib.randn(*shape, requires_grad=True)
    y = lib.rand(*shape)
    pos_weight = lib.full(shape[1:], 2.0)

    def step():
        loss = (
            nn.gelu(x).sum()
            + nn.gelu(x, approximate="tanh").sum()
            + nn.elu(x).sum()
            + nn.selu(x).sum()
            + nn.logsigmoid(x).sum()
            + nn.hardswish(x).sum()
            + nn.hardsigmoid(x).sum()
            + nn.glu(x).sum()
            + nn.mish(x).sum()
            + nn.soft_margin_loss(x, y * 2 - 1)
            + nn.binary_cross_entropy_with_logits(x, y, pos_weight=pos_weight)
        )
        loss.backward()
        x.grad = None

    return step


def grid_bilinear(lib):
    """Bilinear, input 4x16x32x32, grid 4x24x24."""
    return grid_sample(lib, "bilinear")


def grid_nearest(lib):
    """Nearest, input 4x16x32x32, grid 4x24x24."""
    return grid_sample(lib, "nearest")


def grid_bicubic(lib):
    """Bicubic, input 4x16x32x32, grid 4x24x24."""
    return grid_sample(lib, "bicubic")


def grid_bilinear_small(lib):
    """Bilinear, input 1x3x8x8, grid 1x8x8."""
    return grid_sample(lib, "bilinear", (1, 3, 8, 8), (8, 8))


def grid_bicubic_small(lib):
    """Bicubic, input 1x3x8x8, grid 1x8x8."""
    return grid_sample(lib, "bicubic", (1, 3, 8, 8), (8, 8))


def grid_trilinear(lib):
    """Trilinear, volume 2x8x16x16x16, grid 2x8x12x12."""
    return grid_sample(lib, "bilinear", (2, 8, 16, 16, 16), (8, 12, 12))


def main():
    compare("nn MLP 784-512-512-10 fwd+bwd", mlp, rounds=7, target=0.2)
    compare("nn.Linear MLP + optim.SGD step", mlp_sgd, rounds=7, target=0.2)
    compare("nn 4-16-1 MLP fwd+bwd", small_mlp)
    compare("losses and activations 64x32 fwd+bwd", loss_gradients)
    compare("nn LSTM 20 steps fwd+bwd", lstm, rounds=7, target=0.1)
    compare("nn MultiheadAttention fwd+bwd", attention, rounds=7, target=0.1)
    compare("MHA self-attn d64 h4 L16 N4", attention_small, rounds=9, target=0.05)
    compare("MHA self-attn d128 h4 L64 N16", attention_large, rounds=9, target=0.1)
    compare("  same, need_weights=False", attention_small_no_weights, rounds=9, target=0.05)
    compare("  same, need_weights=False", attention_large_no_weights, rounds=9, target=0.1)
    compare("TransformerEncoderLayer d128 h4 L64 N16 step", transformer_layer, rounds=9, target=0.2)
    compare("grid_sample bilinear 4x16x32x32", grid_bilinear, rounds=9, target=0.05)
    compare("grid_sample nearest 4x16x32x32", grid_nearest, rounds=9, target=0.05)
    compare("grid_sample bicubic 4x16x32x32", grid_bicubic, rounds=9, target=0.05)
    compare("grid_sample bilinear 1x3x8x8", grid_bilinear_small, rounds=9, target=0.02)
    compare("grid_sample bicubic 1x3x8x8", grid_bicubic_small, rounds=9, target=0.02)
    compare("grid_sample trilinear 2x8x16^3", grid_trilinear, rounds=9, target=0.05)


if __name__ == "__main__":
    main()
