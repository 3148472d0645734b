"""Fit a damped spring's stiffness and damping through its time-stepping loop.

A mass on a spring obeys  x'' = -k x - c x'.  ``simulate`` integrates it with
symplectic Euler, one Python ``for`` iteration per time step on plain floats,
the way one writes a simulation before thinking about derivatives. ``grad``
differentiates straight through that loop (the derivative replays it in
reverse), so the physical parameters can be fitted to a noisy measured
trajectory by gradient descent. The parameters are a dict, and so is their
gradient: ``grads["stiffness"]``.

Run from anywhere:

    python examples/fit_physics.py                  # 1000 time steps, 60 iterations
    python examples/fit_physics.py --quick          # 250 time steps, for the tests
    python examples/fit_physics.py --plot fit.png   # where to save the trajectories

The measured and fitted trajectories are saved as a PNG when matplotlib is
installed (``pip install '.[examples]'``); without it the numbers are printed only.
"""

import argparse

import numpy as np

from autograd_src import value_and_grad
from autograd_src.testing import check_grads

TRUE_PARAMS = {"stiffness": 4.0, "damping": 0.3}
DURATION = 10.0  # seconds simulated
NOISE = 0.02     # standard deviation of the measurement noise


def simulate(params, x0, v0, dt, n_steps):
    """Positions of a damped spring after each of ``n_steps`` steps of length ``dt``."""
    x, v = x0, v0
    positions = []
    for _ in range(n_steps):
        acceleration = -params["stiffness"] * x - params["damping"] * v
        v = v + dt * acceleration  # symplectic Euler: the new velocity moves x
        x = x + dt * v
        positions.append(x)
    return np.array(positions)


def loss(params, measured, dt):
    """Mean squared distance between the simulated and the measured trajectory."""
    simulated = simulate(params, 1.0, 0.0, dt, len(measured))
    return np.mean((simulated - measured) ** 2)


# ---------------------------------------------------------------- plotting (optional)

def save_plot(times, measured, guess, fitted, losses, path):
    """Save trajectories and loss curve to ``path`` if matplotlib is installed."""
    try:
        import matplotlib
    except ImportError:
        print("(matplotlib is not installed: no plot. `pip install '.[examples]'` adds it.)")
        return
    matplotlib.use("Agg")  # no window: write the file only
    import matplotlib.pyplot as plt

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(6, 5.5))
    top.plot(times, measured, ".", markersize=2, color="gray", label="measured")
    top.plot(times, guess, "--", label="initial guess")
    top.plot(times, fitted, label="fitted")
    top.set_xlabel("time (s)")
    top.set_ylabel("position")
    top.legend(loc="upper right")
    bottom.semilogy(range(len(losses)), losses)
    bottom.axhline(NOISE ** 2, color="gray", linestyle=":", label="noise variance")
    bottom.set_xlabel("gradient-descent iteration")
    bottom.set_ylabel("mean squared error")
    bottom.legend(loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"trajectories saved to {path}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer time steps (tests)")
    parser.add_argument("--iterations", type=int, default=60, help="gradient-descent steps")
    parser.add_argument("--plot", default="fit_physics.png", help="PNG path for the plot")
    parser.add_argument("--no-plot", action="store_true", help="do not save a PNG")
    options = parser.parse_args(argv)

    # A synthetic measurement: the true spring, plus Gaussian noise.
    n_steps = 250 if options.quick else 1000
    dt = DURATION / n_steps
    rng = np.random.default_rng(0)
    measured = simulate(TRUE_PARAMS, 1.0, 0.0, dt, n_steps) + NOISE * rng.normal(size=n_steps)

    params = {"stiffness": 2.5, "damping": 1.0}  # a rough first guess
    guess = simulate(params, 1.0, 0.0, dt, n_steps)
    check_grads(loss, params, measured, dt)  # the derivative against finite differences
    print("check_grads: the gradient through the loop matches finite differences")

    loss_and_grad = value_and_grad(loss)  # gradient with respect to params, a dict
    learning_rate = 1.0
    losses = []
    print(f"\n{'iter':>4}  {'loss':>10}  {'stiffness':>9}  {'damping':>8}")
    for iteration in range(options.iterations + 1):
        value, grads = loss_and_grad(params, measured, dt)
        losses.append(float(value))
        if iteration % 10 == 0:
            print(f"{iteration:4d}  {value:10.6f}  {params['stiffness']:9.4f}"
                  f"  {params['damping']:8.4f}")
        if iteration < options.iterations:
            params = {name: p - learning_rate * grads[name] for name, p in params.items()}

    print("\nparameter   true    fitted")
    for name, true in TRUE_PARAMS.items():
        print(f"{name:<10} {true:6.3f}  {params[name]:7.4f}")
    # With the right parameters, what is left is the measurement noise.
    print(f"residual RMS {np.sqrt(losses[-1]):.4f} (measurement noise {NOISE})")

    if not options.no_plot:
        times = dt * np.arange(1, n_steps + 1)
        fitted = simulate(params, 1.0, 0.0, dt, n_steps)
        save_plot(times, measured, guess, fitted, losses, options.plot)


if __name__ == "__main__":
    main()
