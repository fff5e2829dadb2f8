"""REINFORCE in the style of the published policy-gradient example, on a tiny deterministic
environment written here: a walk along a chain of cells where the agent starts in the middle,
steps left or right or stays, and is paid for reaching the right end (a small cost per step, a
penalty for falling off the left end).  A small policy network gives the logits of a
``Categorical``; actions are sampled from it, the episode's discounted returns are normalised, and
the loss is ``-(log_prob * return).sum()`` with an entropy bonus.  Written for PyTorch; runs
unchanged with ``import retrograd as torch``.

    python examples/reinforce.py            # with retrograd
    python examples/reinforce.py --torch    # the same program on PyTorch
"""

import argparse

import retrograd as torch


class ChainWalk:
    """Cells 0..n-1; start in the middle; actions 0 = left, 1 = stay, 2 = right."""

    def __init__(self, n=7, max_steps=20):
        self.n, self.max_steps = n, max_steps

    def reset(self):
        self.pos, self.t = self.n // 2, 0
        return self.pos

    def step(self, action):
        self.pos += action - 1
        self.t += 1
        if self.pos >= self.n - 1:
            return self.pos, 1.0, True
        if self.pos <= 0:
            return self.pos, -1.0, True
        return self.pos, -0.05, self.t >= self.max_steps


def main(torch=torch, episodes=150, gamma=0.95, seed=0, log=print):
    nn = torch.nn
    Categorical = torch.distributions.Categorical
    torch.manual_seed(seed)
    env = ChainWalk()

    class Policy(nn.Module):
        def __init__(self, n_states, n_actions=3, hidden=16):
            super().__init__()
            self.net = nn.Sequential(
                nn.Linear(n_states, hidden), nn.Tanh(), nn.Linear(hidden, n_actions)
            )

        def forward(self, state):
            return self.net(torch.eye(env.n)[state])  # one-hot state

    policy = Policy(env.n)
    opt = torch.optim.Adam(policy.parameters(), lr=2e-2)
    losses, running = [], 0.0
    for episode in range(episodes):
        state, done = env.reset(), False
        log_probs, entropies, rewards = [], [], []
        while not done:
            dist = Categorical(logits=policy(state))
            action = dist.sample()
            log_probs.append(dist.log_prob(action))
            entropies.append(dist.entropy())
            state, reward, done = env.step(action.item())
            rewards.append(reward)
        returns, g = [], 0.0
        for r in reversed(rewards):
            g = r + gamma * g
            returns.insert(0, g)
        returns = torch.tensor(returns)
        if len(returns) > 1:
            returns = (returns - returns.mean()) / (returns.std() + 1e-8)
        loss = -(torch.stack(log_probs) * returns).sum() - 0.01 * torch.stack(entropies).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        running = 0.9 * running + 0.1 * sum(rewards)
        if episode % 25 == 0 or episode == episodes - 1:
            log(
                f"episode {episode:4d}  length {len(rewards):2d}  "
                f"running reward {running:+.3f}  loss {loss.item():+.4f}"
            )
    return losses


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--torch", action="store_true", help="run the program on PyTorch")
    parser.add_argument("--episodes", type=int, default=150)
    args = parser.parse_args()
    if args.torch:
        import torch
    main(torch, episodes=args.episodes)
