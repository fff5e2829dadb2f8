"""Two programs in the style of published ones, run unchanged on retrograd and on PyTorch: a
variational autoencoder trained through ``Normal.rsample`` and ``kl_divergence`` (after the
PyTorch examples' VAE), and a REINFORCE agent sampling actions from ``Categorical`` on a cart-pole
(after the PyTorch examples' reinforce.py). Seeded alike, both draw the same weights, noise and
actions, so every printed loss agrees with PyTorch's."""

import math

import numpy as np
import pytest

import retrograd

torch = pytest.importorskip("torch")


def vae_losses(torch, steps=6):
    nn, F = torch.nn, torch.nn.functional
    D = torch.distributions
    torch.manual_seed(0)

    class VAE(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(64, 32)
            self.fc21 = nn.Linear(32, 8)
            self.fc22 = nn.Linear(32, 8)
            self.fc3 = nn.Linear(8, 32)
            self.fc4 = nn.Linear(32, 64)

        def encode(self, x):
            h1 = F.relu(self.fc1(x))
            return self.fc21(h1), self.fc22(h1)

        def decode(self, z):
            return torch.sigmoid(self.fc4(F.relu(self.fc3(z))))

        def forward(self, x):
            mu, logvar = self.encode(x.view(-1, 64))
            q = D.Normal(mu, torch.exp(0.5 * logvar))
            z = q.rsample()
            return self.decode(z), q

    model = VAE()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    data = torch.rand(16, 1, 8, 8)
    prior = D.Normal(torch.zeros(8), torch.ones(8))
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        recon, q = model(data)
        bce = F.binary_cross_entropy(recon, data.view(-1, 64), reduction="sum")
        kld = D.kl_divergence(q, prior).sum()
        loss = bce + kld
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    # the evidence bound read the other way: log_prob of a fresh sample under prior and posterior
    with torch.no_grad():
        _, q = model(data)
        z = q.sample()
        losses.append((q.log_prob(z) - prior.log_prob(z)).sum().item())
    return losses


class CartPole:
    """The classic cart-pole balance task (the dynamics of Barto, Sutton and Anderson, as in Gym's
    CartPole-v1), written in plain Python so both libraries see the same episodes."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def reset(self):
        self.state = self.rng.uniform(-0.05, 0.05, size=4)
        return self.state.astype(np.float32)

    def step(self, action):
        x, x_dot, theta, theta_dot = self.state
        force = 10.0 if action == 1 else -10.0
        cos, sin = math.cos(theta), math.sin(theta)
        total_mass, pole_mass_length, length = 1.1, 0.05, 0.5
        temp = (force + pole_mass_length * theta_dot**2 * sin) / total_mass
        theta_acc = (9.8 * sin - cos * temp) / (length * (4.0 / 3.0 - 0.1 * cos**2 / total_mass))
        x_acc = temp - pole_mass_length * theta_acc * cos / total_mass
        tau = 0.02
        self.state = np.array(
            [
                x + tau * x_dot,
                x_dot + tau * x_acc,
                theta + tau * theta_dot,
                theta_dot + tau * theta_acc,
            ]
        )
        done = abs(self.state[0]) > 2.4 or abs(self.state[2]) > 12 * 2 * math.pi / 360
        return self.state.astype(np.float32), 1.0, done


def reinforce_losses(torch, episodes=5):
    nn, F = torch.nn, torch.nn.functional
    torch.manual_seed(543)
    env = CartPole(543)
    gamma, eps = 0.99, float(np.finfo(np.float32).eps)

    class Policy(nn.Module):
        def __init__(self):
            super().__init__()
            self.affine1 = nn.Linear(4, 128)
            self.dropout = nn.Dropout(p=0.6)
            self.affine2 = nn.Linear(128, 2)

        def forward(self, x):
            x = F.relu(self.dropout(self.affine1(x)))
            return F.softmax(self.affine2(x), dim=1)

    policy = Policy()
    optimizer = torch.optim.Adam(policy.parameters(), lr=1e-2)
    out = []
    for _ in range(episodes):
        state, log_probs, rewards = env.reset(), [], []
        for _ in range(200):
            probs = policy(torch.from_numpy(state).float().unsqueeze(0))
            m = torch.distributions.Categorical(probs)
            action = m.sample()
            log_probs.append(m.log_prob(action))
            state, reward, done = env.step(action.item())
            rewards.append(reward)
            if done:
                break
        R, returns = 0.0, []
        for r in rewards[::-1]:
            R = r + gamma * R
            returns.insert(0, R)
        returns = torch.tensor(returns)
        returns = (returns - returns.mean()) / (returns.std() + eps)
        loss = torch.cat([-lp * R for lp, R in zip(log_probs, returns)]).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        out.append((len(rewards), loss.item()))
    return out


def test_vae_with_rsample_ends_at_pytorchs_loss():
    ours, theirs = vae_losses(retrograd), vae_losses(torch)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5)


def test_reinforce_with_categorical_ends_at_pytorchs_loss():
    ours, theirs = reinforce_losses(retrograd), reinforce_losses(torch)
    assert [n for n, _ in ours] == [n for n, _ in theirs]  # the same actions, episode by episode
    np.testing.assert_allclose([v for _, v in ours], [v for _, v in theirs], rtol=1e-4, atol=1e-5)
