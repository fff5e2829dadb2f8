"""A word-level LSTM language model in the style of the classic published example: a vocabulary
built from text, the corpus cut into batch columns, truncated backpropagation through time with
the hidden state detached between chunks, plain SGD with gradient clipping and a learning rate
that falls when the loss stops improving.  Written for PyTorch; runs unchanged with
``import retrograd as torch``.

    python examples/word_lstm.py            # with retrograd
    python examples/word_lstm.py --torch    # the same program on PyTorch
"""

import argparse

TEXT = (
    "the cat sat on the mat . the dog sat on the log . a cat and a dog met on the mat . "
    "the log was by the mat and the cat was on the log . "
) * 6


def main(torch, epochs=3, bptt=6, batch=4, seed=1, log=print):
    nn = torch.nn
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(seed)
    words = TEXT.split()
    vocab = {w: i for i, w in enumerate(dict.fromkeys(words))}
    ids = torch.tensor([vocab[w] for w in words], dtype=torch.long)
    columns = ids.size(0) // batch
    data = ids[: columns * batch].view(batch, -1).t().contiguous().to(device)

    class RNNModel(nn.Module):
        def __init__(self, ntoken, ninp=16, nhid=24, nlayers=2, dropout=0.2):
            super().__init__()
            self.drop = nn.Dropout(dropout)
            self.encoder = nn.Embedding(ntoken, ninp)
            self.rnn = nn.LSTM(ninp, nhid, nlayers, dropout=dropout)
            self.decoder = nn.Linear(nhid, ntoken)
            self.nlayers, self.nhid = nlayers, nhid
            nn.init.uniform_(self.encoder.weight, -0.1, 0.1)
            nn.init.zeros_(self.decoder.bias)
            nn.init.uniform_(self.decoder.weight, -0.1, 0.1)

        def forward(self, x, hidden):
            out, hidden = self.rnn(self.drop(self.encoder(x)), hidden)
            return self.decoder(self.drop(out)).view(-1, self.decoder.out_features), hidden

        def init_hidden(self, bsz):
            weight = next(self.parameters())
            return (
                weight.new_zeros(self.nlayers, bsz, self.nhid),
                weight.new_zeros(self.nlayers, bsz, self.nhid),
            )

    model = RNNModel(len(vocab)).to(device)
    criterion = nn.NLLLoss()
    lr, best, losses = 2.0, None, []
    for epoch in range(epochs):
        model.train()
        hidden = model.init_hidden(batch)
        total = 0.0
        for i in range(0, data.size(0) - 1, bptt):
            n = min(bptt, data.size(0) - 1 - i)
            x, y = data[i : i + n], data[i + 1 : i + 1 + n].reshape(-1)
            hidden = tuple(h.detach() for h in hidden)  # truncated backpropagation
            model.zero_grad()
            output, hidden = model(x, hidden)
            loss = criterion(torch.log_softmax(output, dim=1), y)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
            for p in model.parameters():
                p.data.add_(p.grad, alpha=-lr)
            total += loss.item() * n
            losses.append(loss.item())
        epoch_loss = total / (data.size(0) - 1)
        if best is not None and epoch_loss > best:
            lr /= 4.0
        best = epoch_loss if best is None else min(best, epoch_loss)
        log(f"epoch {epoch}  loss {epoch_loss:.4f}  lr {lr}")
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
