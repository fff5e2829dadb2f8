"""A character-level GPT in the style of the small published ones: a device switch, a Dataset of
text blocks, a DataLoader that shuffles, causal self-attention blocks, AdamW with gradient
clipping.  Written for PyTorch; runs unchanged with ``import retrograd as torch``.

    python examples/char_gpt.py            # with retrograd
    python examples/char_gpt.py --torch    # the same program on PyTorch
"""

import argparse

TEXT = (
    "the quick brown fox jumps over the lazy dog. a graph that explains itself is a graph that "
    "a person can read, draw and trust. gradients flow backwards through every op they met. "
) * 4


def main(torch, steps=20, block=16, batch=8, seed=0, log=print):
    nn, F = torch.nn, torch.nn.functional
    DataLoader, Dataset = torch.utils.data.DataLoader, torch.utils.data.Dataset

    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.manual_seed(seed)
    chars = sorted(set(TEXT))
    stoi = {c: i for i, c in enumerate(chars)}
    data = torch.tensor([stoi[c] for c in TEXT], dtype=torch.long)

    class CharDataset(Dataset):
        def __len__(self):
            return len(data) - block - 1

        def __getitem__(self, i):
            chunk = data[i : i + block + 1]
            return chunk[:-1], chunk[1:]

    class Block(nn.Module):
        def __init__(self, d, heads):
            super().__init__()
            self.ln1 = nn.LayerNorm(d)
            self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
            self.ln2 = nn.LayerNorm(d)
            self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

        def forward(self, x, mask):
            h = self.ln1(x)
            x = x + self.attn(h, h, h, attn_mask=mask, need_weights=False)[0]
            return x + self.mlp(self.ln2(x))

    class GPT(nn.Module):
        def __init__(self, vocab, d=32, heads=4, layers=2):
            super().__init__()
            self.tok = nn.Embedding(vocab, d)
            self.pos = nn.Embedding(block, d)
            self.blocks = nn.ModuleList(Block(d, heads) for _ in range(layers))
            self.ln_f = nn.LayerNorm(d)
            self.head = nn.Linear(d, vocab, bias=False)

        def forward(self, idx, targets=None):
            t = idx.shape[1]
            x = self.tok(idx) + self.pos(torch.arange(t, device=idx.device))
            mask = torch.triu(torch.ones(t, t, dtype=torch.bool, device=idx.device), diagonal=1)
            for b in self.blocks:
                x = b(x, mask)
            logits = self.head(self.ln_f(x))
            if targets is None:
                return logits, None
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
            return logits, loss

    model = GPT(len(chars)).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.1)
    loader = DataLoader(CharDataset(), batch_size=batch, shuffle=True, drop_last=True)
    losses = []
    model.train()
    it = iter(loader)
    for step in range(steps):
        x, y = next(it)
        x, y = x.to(device), y.to(device)
        _, loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())
        if step % 5 == 0:
            log(f"step {step:3d}  loss {loss.item():.4f}")
    return losses


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--torch", action="store_true", help="run on PyTorch instead")
    args = parser.parse_args()
    if args.torch:
        import torch as lib
    else:
        import retrograd as lib
    main(lib)
