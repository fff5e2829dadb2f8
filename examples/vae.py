"""A variational autoencoder in the style of the published MNIST one, on small synthetic data: an
encoder that gives the mean and log-variance of ``q(z|x)``, a reparameterised sample
``Normal(mu, std).rsample()`` (so the gradient flows through the sample), a Bernoulli decoder
(``binary_cross_entropy_with_logits``), the KL term from ``kl_divergence`` against the standard
normal prior, Adam, and at the end new samples decoded from the prior.  Written for PyTorch; runs
unchanged with ``import retrograd as torch``.

    python examples/vae.py            # with retrograd
    python examples/vae.py --torch    # the same program on PyTorch
"""

import argparse

import retrograd as torch


def make_data(torch, n=256, side=6):
    """Binary ``side x side`` images: a horizontal or vertical bar at a random place, with noise."""
    kind = torch.randint(2, (n,))
    where = torch.randint(side, (n,))
    images = torch.zeros(n, side, side)
    for i in range(n):
        if kind[i] == 0:
            images[i, where[i], :] = 1.0
        else:
            images[i, :, where[i]] = 1.0
    flips = torch.bernoulli(torch.full_like(images, 0.03)).bool()
    return torch.where(flips, 1.0 - images, images).flatten(1)


def main(torch=torch, epochs=30, batch=32, latent=2, seed=0, log=print):
    nn, F = torch.nn, torch.nn.functional
    D = torch.distributions
    torch.manual_seed(seed)
    data = make_data(torch)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(data), batch_size=batch, shuffle=True
    )

    class VAE(nn.Module):
        def __init__(self, d_in, hidden=32):
            super().__init__()
            self.enc = nn.Sequential(nn.Linear(d_in, hidden), nn.ReLU())
            self.mu = nn.Linear(hidden, latent)
            self.logvar = nn.Linear(hidden, latent)
            self.dec = nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, d_in))

        def forward(self, x):
            h = self.enc(x)
            q = D.Normal(self.mu(h), (0.5 * self.logvar(h)).exp())
            z = q.rsample()
            return self.dec(z), q

    model = VAE(data.size(1))
    prior = D.Normal(torch.zeros(latent), torch.ones(latent))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for epoch in range(epochs):
        total = 0.0
        for (x,) in loader:
            logits, q = model(x)
            recon = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
            kl = D.kl_divergence(q, prior).sum()
            loss = (recon + kl) / x.size(0)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * x.size(0)
        losses.append(total / len(data))
        if epoch % 5 == 0 or epoch == epochs - 1:
            log(f"epoch {epoch:3d}  negative ELBO {losses[-1]:.4f}")
    model.eval()
    with torch.no_grad():
        samples = torch.sigmoid(model.dec(prior.sample((4,))))
        log("pixels on in four samples from the prior: " + str((samples > 0.5).sum(1).tolist()))
    return losses


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--torch", action="store_true", help="run the program on PyTorch")
    parser.add_argument("--epochs", type=int, default=30)
    args = parser.parse_args()
    if args.torch:
        import torch
    main(torch, epochs=args.epochs)
