"""A small Transformer language model in the style of the published word-language-model example:
token and learned position embeddings, an ``nn.TransformerEncoder`` (pre-norm layers with dropout)
under a causal mask from ``nn.Transformer.generate_square_subsequent_mask``, a tied output layer,
AdamW with a warm-up schedule and gradient clipping, trained for a few hundred steps on random
windows of a tiny character corpus, then evaluated in ``eval()`` mode.  Written for PyTorch; runs
unchanged with ``import retrograd as torch``.

    python examples/transformer_lm.py            # with retrograd
    python examples/transformer_lm.py --torch    # the same program on PyTorch
"""

import argparse
import math

import retrograd as torch

TEXT = (
    "to be or not to be that is the question. whether tis nobler in the mind to suffer the slings "
    "and arrows of outrageous fortune, or to take arms against a sea of troubles. "
) * 3


def main(torch=torch, steps=300, block=24, batch=16, seed=0, log=print):
    nn, F = torch.nn, torch.nn.functional
    torch.manual_seed(seed)
    chars = sorted(set(TEXT))
    data = torch.tensor([chars.index(c) for c in TEXT])
    split = int(0.9 * len(data))
    train_data, val_data = data[:split], data[split:]

    def get_batch(source):
        starts = torch.randint(len(source) - block - 1, (batch,))
        x = torch.stack([source[i : i + block] for i in starts])
        y = torch.stack([source[i + 1 : i + block + 1] for i in starts])
        return x, y

    class TransformerLM(nn.Module):
        def __init__(self, vocab, d_model=32, nhead=4, d_ff=64, layers=2, dropout=0.1):
            super().__init__()
            self.embed = nn.Embedding(vocab, d_model)
            self.pos = nn.Parameter(torch.zeros(1, block, d_model))
            layer = nn.TransformerEncoderLayer(
                d_model, nhead, d_ff, dropout, activation="gelu", batch_first=True, norm_first=True
            )
            self.encoder = nn.TransformerEncoder(
                layer, layers, norm=nn.LayerNorm(d_model), enable_nested_tensor=False
            )
            self.head = nn.Linear(d_model, vocab)
            self.head.weight = self.embed.weight  # tied input and output embeddings
            self.d_model = d_model
            nn.init.normal_(self.pos, std=0.02)
            nn.init.uniform_(self.embed.weight, -0.1, 0.1)

        def forward(self, idx):
            t = idx.size(1)
            mask = nn.Transformer.generate_square_subsequent_mask(t)
            h = self.embed(idx) * math.sqrt(self.d_model) + self.pos[:, :t]
            h = self.encoder(h, mask=mask, is_causal=True)
            return self.head(h)

    model = TransformerLM(len(chars))
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}],
        lr=3e-3,
        betas=(0.9, 0.98),
    )
    warmup = max(1, steps // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / warmup))
    losses = []
    model.train()
    for step in range(steps):
        x, y = get_batch(train_data)
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(-1, len(chars)), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        opt.step()
        sched.step()
        losses.append(loss.item())
        if step % 50 == 0 or step == steps - 1:
            log(f"step {step:4d}  lr {sched.get_last_lr()[0]:.5f}  loss {loss.item():.4f}")
    model.eval()
    with torch.no_grad():
        x = val_data[: (len(val_data) - 1) // block * block].view(-1, block)
        y = val_data[1 : x.numel() + 1].view(-1, block)
        val = F.cross_entropy(model(x).reshape(-1, len(chars)), y.reshape(-1)).item()
    log(f"validation loss {val:.4f}  (perplexity {math.exp(val):.2f})")
    return losses + [val]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--torch", action="store_true", help="run the program on PyTorch")
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args()
    if args.torch:
        import torch
    main(torch, steps=args.steps)
