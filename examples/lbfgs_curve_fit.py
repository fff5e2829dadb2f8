"""A curve fit with L-BFGS, the way it is done in PyTorch: the parameters of a damped oscillation
``a * exp(-b t) * sin(w t + phi) + c`` fitted to noisy samples by ``optim.LBFGS`` with
``line_search_fn='strong_wolfe'`` and a closure that recomputes the loss, then a second fit of a
small network to the residual (L-BFGS on a model's parameters).  Written for PyTorch; runs
unchanged with ``import retrograd as torch``.

    python examples/lbfgs_curve_fit.py            # with retrograd
    python examples/lbfgs_curve_fit.py --torch    # the same program on PyTorch
"""

import argparse

import retrograd as torch


def main(torch=torch, rounds=6, seed=0, log=print):
    nn, F = torch.nn, torch.nn.functional
    torch.manual_seed(seed)
    t = torch.linspace(0, 6, 120)
    truth = 1.7 * torch.exp(-0.4 * t) * torch.sin(2.3 * t + 0.5) + 0.2
    y = truth + 0.05 * torch.randn_like(t)

    params = nn.ParameterDict(
        {
            "a": nn.Parameter(torch.tensor(1.0)),
            "b": nn.Parameter(torch.tensor(0.1)),
            "w": nn.Parameter(torch.tensor(2.0)),
            "phi": nn.Parameter(torch.tensor(0.0)),
            "c": nn.Parameter(torch.tensor(0.0)),
        }
    )

    def curve(t):
        p = params
        return p["a"] * torch.exp(-p["b"] * t) * torch.sin(p["w"] * t + p["phi"]) + p["c"]

    opt = torch.optim.LBFGS(
        params.parameters(), lr=1, max_iter=4, history_size=10, line_search_fn="strong_wolfe"
    )
    losses = []

    def closure():
        opt.zero_grad()
        loss = F.mse_loss(curve(t), y)
        loss.backward()
        return loss

    for i in range(rounds):
        loss = opt.step(closure)
        losses.append(loss.item())
        evaluations = opt.state_dict()["state"][0]["func_evals"]
        log(f"round {i}  loss {loss.item():.6f}  loss evaluations so far {evaluations}")
    fitted = {k: round(v.item(), 3) for k, v in params.items()}
    log(f"fitted {fitted}")

    # A small network fitted to what the curve leaves over, with L-BFGS on its parameters.
    net = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))
    residual = (y - curve(t)).detach().unsqueeze(1)
    opt2 = torch.optim.LBFGS(net.parameters(), max_iter=30, line_search_fn="strong_wolfe")

    def closure2():
        opt2.zero_grad()
        loss = F.mse_loss(net(t.unsqueeze(1) / 6), residual)
        loss.backward()
        return loss

    for _ in range(rounds):
        loss = opt2.step(closure2)
        losses.append(loss.item())
    with torch.no_grad():
        final = F.mse_loss(curve(t) + net(t.unsqueeze(1) / 6).squeeze(1), y).item()
    log(f"curve + network  loss {final:.6f}")
    return losses + [final]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--torch", action="store_true", help="run the program on PyTorch")
    args = parser.parse_args()
    if args.torch:
        import torch
    main(torch)
