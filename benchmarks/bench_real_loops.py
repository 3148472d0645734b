"""Loops from real programs, written as testers wrote them: gradient time over the
function's own time (issue #12, session 30).

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_real_loops.py

Soft-DTW with its soft-min in a helper, DTW with ``min`` of three table items, a
Gaussian log-likelihood looping over data (``0.5 * np.log(2 * np.pi)`` in the body),
generalized advantage estimation over a reward array, an explicit heat-equation
stencil run by a helper (``u = u0.copy()`` then updates in place), and a tridiagonal
(Thomas) solve written with scalar loops; an RNN keeping its states in a dict keyed by
time step (``hs[t] = np.tanh(W @ hs[t - 1] + ...)``, session 31); a binomial option
tree of Python floats in lists (with respect to S alone, forward mode, and to S and
sigma, reverse mode; session 31); a GARCH(1,1) likelihood whose parameters are
unpacked from a vector, and an oscillator's cost reading a module's ``DT``,
differentiated with respect to two floats (session 32); a one-pole filter filling a
preallocated array in a helper at two lengths (session 38). Each gradient is
checked against central differences first; timings are best-of, interleaved (``common.best_times``).
"""

from __future__ import annotations

import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from common import best_times  # noqa: E402

from autograd_src import grad  # noqa: E402


def _softmin(a, b, c, gamma):
    m = min(a, b, c)
    s = np.exp(-(a - m) / gamma) + np.exp(-(b - m) / gamma) + np.exp(-(c - m) / gamma)
    return m - gamma * np.log(s)


def soft_dtw(x, y, gamma=1.0):
    n, m = len(x), len(y)
    R = np.full((n + 1, m + 1), np.inf)
    R[0, 0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost = (x[i - 1] - y[j - 1]) ** 2
            R[i, j] = cost + _softmin(R[i - 1, j], R[i, j - 1], R[i - 1, j - 1], gamma)
    return R[n, m]


def dtw(x, y):
    n, m = len(x), len(y)
    R = np.full((n + 1, m + 1), np.inf)
    R[0, 0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            c = (x[i - 1] - y[j - 1]) ** 2
            R[i, j] = c + min(R[i - 1, j], R[i, j - 1], R[i - 1, j - 1])
    return R[n, m]


def loglik(p, xs):
    total = 0.0
    for x in xs:
        z = (x - p[0]) / p[1]
        total = total - 0.5 * z * z - np.log(p[1]) - 0.5 * np.log(2 * np.pi)
    return total


def gae_loss(theta, rewards):
    adv = 0.0
    total = 0.0
    for t in range(len(rewards) - 1, -1, -1):
        v = theta[0] + theta[1] * t
        vn = theta[0] + theta[1] * (t + 1)
        delta = rewards[t] + 0.99 * vn - v
        adv = delta + 0.95 * 0.99 * adv
        total = total + adv * adv
    return total


def _diffuse(u0, r, steps):
    u = u0.copy()
    for _ in range(steps):
        u[1:-1] += r * (u[2:] - 2 * u[1:-1] + u[:-2])
        u[0] = u[1]
        u[-1] = u[-2]
    return u


def heat_by_helper(u0, r):
    return np.sum(_diffuse(u0, r, 200) ** 2)


def thomas(a, b, c, d):
    n = d.shape[0]
    cp = np.zeros(n)
    dp = np.zeros(n)
    cp[0] = c[0] / b[0]
    dp[0] = d[0] / b[0]
    for i in range(1, n):
        m = b[i] - a[i] * cp[i - 1]
        cp[i] = c[i] / m if i < n - 1 else 0.0
        dp[i] = (d[i] - a[i] * dp[i - 1]) / m
    x = np.zeros(n)
    x[-1] = dp[-1]
    for i in range(n - 2, -1, -1):
        x[i] = dp[i] - cp[i] * x[i + 1]
    return np.sum(x ** 2)


def rnn_states_in_dict(b, W, xs):
    hs = {-1: np.zeros(len(b))}
    loss = 0.0
    for t in range(len(xs)):
        hs[t] = np.tanh(W @ hs[t - 1] + xs[t] + b)
        loss = loss + np.sum(hs[t] ** 2)
    return loss


def crr_tree(S, sigma, K=100.0, T=1.0, r=0.05, n=60):
    """A binomial (CRR) option price with Python lists and floats (EQ's form)."""
    dt = T / n
    u = math.exp(sigma * math.sqrt(dt))
    d = 1 / u
    p = (math.exp(r * dt) - d) / (u - d)
    disc = math.exp(-r * dt)
    values = []
    for j in range(n + 1):
        values.append(max(S * u ** j * d ** (n - j) - K, 0.0))
    for i in range(n - 1, -1, -1):
        new = []
        for j in range(i + 1):
            new.append(disc * (p * values[j + 1] + (1 - p) * values[j]))
        values = new
    return values[0]


def garch_nll(theta, eps):
    """A GARCH(1, 1) negative log-likelihood, its parameters unpacked (EV's form)."""
    omega, alpha, beta = theta
    T = len(eps)
    sigma2 = np.zeros(T)
    sigma2[0] = np.var(eps)
    for t in range(1, T):
        sigma2[t] = omega + alpha * eps[t - 1] ** 2 + beta * sigma2[t - 1]
    return 0.5 * np.sum(np.log(2 * np.pi) + np.log(sigma2) + eps ** 2 / sigma2)


DT = 0.1  # a module's step, read by the loop (EW's form)


def damped_cost(k, c, T):
    """A damped oscillator's quadratic cost, explicit Euler on Python floats."""
    x, v, J = 1.0, 0.0, 0.0
    for _ in range(T):
        u = -k * x - c * v
        v = v + DT * u
        x = x + DT * v
        J = J + x * x + 0.1 * u * u
    return J


def _one_pole(b0, a1, x):
    y = np.zeros(len(x))
    y[0] = b0 * x[0]
    for n in range(1, len(x)):
        y[n] = b0 * x[n] + a1 * y[n - 1]
    return y


def filtered_power(x, b0, a1):
    """A one-pole filter filling a preallocated array in a helper (session 38, HA 03:
    its gradient was O(n^2), 207x the function at 32,000 samples)."""
    return np.mean(_one_pole(b0, a1, x) ** 2)


def _workloads():
    rng = np.random.default_rng(30)
    n = 100
    yield "soft-DTW 40 x 40 (helper)", soft_dtw, (rng.normal(size=40), rng.normal(size=40))
    yield "DTW 60 x 60 (min of three)", dtw, (rng.normal(size=60), rng.normal(size=60))
    yield "log-likelihood, 500 floats", loglik, (np.array([0.2, 1.3]),
                                                 list(rng.normal(size=500)))
    yield "GAE, 500 rewards", gae_loss, (np.array([0.3, 0.1]), rng.random(500))
    yield "heat stencil by a helper, 2000", heat_by_helper, (rng.random(2000), 0.2)
    yield "RNN states in a dict, 1000 steps", rnn_states_in_dict, (
        rng.normal(size=16) * 0.1, rng.normal(size=(16, 16)) * 0.3,
        list(rng.normal(size=(1000, 16))))
    yield "binomial tree, Python lists, 60", crr_tree, (100.3, 0.2)
    yield "binomial tree, d/dS and d/dsigma", (crr_tree, (0, 1)), (100.3, 0.2)
    yield "GARCH(1,1), 1000, theta unpacked", garch_nll, (
        np.array([0.1, 0.1, 0.8]), rng.normal(size=1000) * 0.5)
    yield "oscillator, module dt, d/dk,dc", (damped_cost, (0, 1)), (3.0, 1.5, 200)
    yield "Thomas solve, 200", thomas, (-rng.random(n * 2), 3 + rng.random(n * 2),
                                        -rng.random(n * 2), rng.random(n * 2))
    for samples in (2000, 32000):
        yield f"one-pole filter by a helper, {samples}", filtered_power, (
            rng.normal(size=samples), 0.4, 0.8)


def _checked(f, g, args):
    """The gradient of ``f`` along its first argument against central differences."""
    if isinstance(args[0], float):  # (a number: its derivative alone)
        got = g(*args)
        expected = (f(args[0] + 1e-6, *args[1:]) - f(args[0] - 1e-6, *args[1:])) / 2e-6
        if not np.isclose(got, expected, rtol=1e-4, atol=1e-6):
            raise AssertionError(f"{f.__name__}: gradient {got} != {expected}")
        return
    x = np.asarray(args[0], dtype=float)
    got = np.asarray(g(*args), dtype=float)
    for k in (0, len(x) // 2):
        e = np.zeros_like(x)
        e[k] = 1e-6
        first = type(args[0])
        plus = f(first(x + e) if first is list else x + e, *args[1:])
        minus = f(first(x - e) if first is list else x - e, *args[1:])
        expected = (plus - minus) / 2e-6
        if not np.isclose(got[k], expected, rtol=1e-4, atol=1e-6):
            raise AssertionError(f"{f.__name__}: gradient {got[k]} != {expected}")


def main() -> None:
    print(f"{'workload':34s} {'function':>10s} {'gradient':>10s} {'ratio':>7s}")
    for label, f, args in _workloads():
        f, wrt = f if isinstance(f, tuple) else (f, 0)
        g = grad(f, wrt=wrt)
        _checked(f, g if wrt == 0 else (lambda *a, g=g: g(*a)[0]), args)
        times = best_times({"f": lambda f=f, args=args: f(*args),
                            "grad": lambda g=g, args=args: g(*args)}, rounds=5)
        t_f, t_g = times["f"], times["grad"]
        print(f"{label:34s} {t_f * 1e3:8.2f}ms {t_g * 1e3:8.2f}ms {t_g / t_f:6.1f}x")


if __name__ == "__main__":
    main()
