"""Arrays filled by recurrences and time-stepping loops, written in place.

    python benchmarks/bench_recurrences.py

Prints microseconds per gradient against a hand-written adjoint (and HIPS autograd
where it can run the code: it cannot assign into arrays, so those rows are empty),
and the peak memory of each gradient. Before the derivative wrote such arrays in
place it copied (and kept) the whole array at every step: O(steps x size) time
and memory.
"""

from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from common import compare, peak_memory, report  # noqa: E402

from autograd_src import grad  # noqa: E402


def trajectory(x0, k):
    """Explicit time stepping, each state a row of the trajectory."""
    steps = 400
    traj = np.zeros((steps, x0.shape[0]))
    traj[0] = x0
    for t in range(1, steps):
        traj[t] = traj[t - 1] + 0.01 * np.sin(k * traj[t - 1])
    return np.sum(traj[-1] ** 2)


def _states(x0, k, steps):
    """The trajectory's rows, as the hand-written gradient keeps them."""
    traj = np.zeros((steps, x0.shape[0]))
    traj[0] = x0
    for t in range(1, steps):
        traj[t] = traj[t - 1] + 0.01 * np.sin(k * traj[t - 1])
    return traj


def trajectory_by_hand(x0, k):
    steps = 400
    traj = _states(x0, k, steps)
    g = 2 * traj[-1]
    dk = 0.0
    for t in range(steps - 1, 0, -1):
        prev = traj[t - 1]
        c = 0.01 * np.cos(k * prev) * g
        dk += np.sum(c * prev)
        g = g + c * k
    return g, dk


def scalar_recurrence(u0):
    """u[i] += 0.3 u[i-1]^2 along a vector: one entry per step."""
    u = u0.copy()
    for i in range(1, u.shape[0]):
        u[i] += 0.3 * u[i - 1] ** 2
    return np.sum(u)


def scalar_recurrence_by_hand(u0):
    u = u0.copy()
    for i in range(1, u.shape[0]):
        u[i] += 0.3 * u[i - 1] ** 2
    g = np.ones_like(u)
    for i in range(u.shape[0] - 1, 0, -1):
        g[i - 1] += g[i] * 0.6 * u[i - 1]
    return g


def _swap(y, p):
    """The right-hand side, a helper of the user's: p * y reversed."""
    return p * y[::-1]


def euler_through_a_helper(p):
    """traj[k + 1] = traj[k] + dt * rhs(traj[k], p): 4000 steps of two states."""
    traj = np.zeros((4001, 2))
    traj[0] = np.array([1.0, 0.0])
    for k in range(4000):
        traj[k + 1] = traj[k] + 0.001 * _swap(traj[k], p)
    return np.sum(traj ** 2)


def euler_through_a_helper_by_hand(p):
    traj = np.zeros((4001, 2))
    traj[0] = np.array([1.0, 0.0])
    for k in range(4000):
        traj[k + 1] = traj[k] + 0.001 * p * traj[k][::-1]
    g = 2 * traj
    dp = np.zeros_like(p)
    for k in range(3999, -1, -1):
        up = g[k + 1]
        dp += 0.001 * up * traj[k][::-1]
        g[k] += up + 0.001 * (p * up)[::-1]
    return dp


def continued_fraction(b):
    """c[i] = 1 / (b[i] + c[i - 1]), then read item by item by a second loop."""
    n = b.shape[0]
    c = np.zeros(n)
    c[0] = 1.0 / b[0]
    for i in range(1, n):
        c[i] = 1.0 / (b[i] + c[i - 1])
    x = np.zeros(n)
    for i in range(n):
        x[i] = c[i] * 2.0
    return np.sum(x)


def continued_fraction_by_hand(b):
    n = b.shape[0]
    c = np.zeros(n)
    c[0] = 1.0 / b[0]
    for i in range(1, n):
        c[i] = 1.0 / (b[i] + c[i - 1])
    dc = np.full(n, 2.0)
    db = np.zeros(n)
    for i in range(n - 1, 0, -1):
        d = -dc[i] * c[i] ** 2
        db[i] += d
        dc[i - 1] += d
    db[0] -= dc[0] / b[0] ** 2
    return db


def cumulative_sum(p, n):
    """A cumulative sum as a loop into np.zeros(n), n an argument (FJ 9)."""
    x = p[0] * np.sin(np.arange(n) * 0.01) + p[1]
    c = np.zeros(n)
    c[0] = x[0]
    for i in range(1, n):
        c[i] = c[i - 1] * 0.999 + x[i]
    return np.sum(c ** 2) * 1e-6


def cumulative_sum_by_hand(p, n):
    s = np.sin(np.arange(n) * 0.01)
    x = p[0] * s + p[1]
    c = np.zeros(n)
    c[0] = x[0]
    for i in range(1, n):
        c[i] = c[i - 1] * 0.999 + x[i]
    dc = 2e-6 * c
    dx = np.zeros(n)
    for i in range(n - 1, 0, -1):
        dx[i] = dc[i]
        dc[i - 1] += dc[i] * 0.999
    dx[0] = dc[0]
    return np.array([np.sum(dx * s), np.sum(dx)])


def biquad(x, c):
    """A biquad IIR filter over a signal, state in Python floats swapped (EY 02)."""
    b0, b1, b2, a1, a2 = c
    x1 = x2 = 0.0
    y1 = y2 = 0.0
    y = np.zeros_like(x)
    for n in range(len(x)):
        xn = x[n]
        yn = b0 * xn + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
        x2, x1 = x1, xn
        y2, y1 = y1, yn
        y[n] = yn
    return np.sum(y ** 2)


def biquad_by_hand(x, c):
    b0, b1, b2, a1, a2 = c
    n = len(x)
    y = np.zeros(n)
    x1 = x2 = y1 = y2 = 0.0
    for k in range(n):
        y[k] = b0 * x[k] + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
        x2, x1 = x1, x[k]
        y2, y1 = y1, y[k]
    dy = 2 * y  # (the adjoint of y[k] flows to y[k - 1] and y[k - 2] through the filter)
    dc = [0.0] * 5
    for k in range(n - 1, -1, -1):
        g = dy[k]
        dc[0] += g * x[k]
        dc[1] += g * (x[k - 1] if k >= 1 else 0.0)
        dc[2] += g * (x[k - 2] if k >= 2 else 0.0)
        dc[3] -= g * (y[k - 1] if k >= 1 else 0.0)
        dc[4] -= g * (y[k - 2] if k >= 2 else 0.0)
        if k >= 1:
            dy[k - 1] -= g * a1
        if k >= 2:
            dy[k - 2] -= g * a2
    return dc


def kept_for_a_plot(p, steps):
    """An oscillator stepped into a trajectory, each row also appended to a history
    list nothing reads (FJ 8)."""
    traj = np.zeros((steps, 2))
    traj[0] = [1.0, 0.0]
    history = []
    for t in range(steps - 1):
        history.append(traj[t])
        a, b = traj[t]
        traj[t + 1] = traj[t] + 0.01 * np.array([b, -p[0] * a - p[1] * b])
    return np.sum(traj ** 2)


def kept_for_a_plot_by_hand(p, steps):
    traj = np.zeros((steps, 2))
    traj[0] = [1.0, 0.0]
    for t in range(steps - 1):
        a, b = traj[t]
        traj[t + 1] = traj[t] + 0.01 * np.array([b, -p[0] * a - p[1] * b])
    g = 2 * traj
    dp = np.zeros(2)
    for t in range(steps - 2, -1, -1):
        a, b = traj[t]
        ga, gb = g[t + 1]
        dp[0] -= 0.01 * gb * a
        dp[1] -= 0.01 * gb * b
        g[t, 0] += ga - 0.01 * gb * p[0]
        g[t, 1] += gb + 0.01 * ga - 0.01 * gb * p[1]
    return dp


def outputs_collected(a, x):
    """A leaky integrator whose outputs are appended to a list, then made an array
    (FX 01): the list grows in place and its adjoint shrinks in place."""
    out = []
    y = 0.0
    for s in x:
        y = a * y + s
        out.append(y)
    return np.sum(np.array(out) ** 2)


def outputs_collected_by_hand(a, x):
    n = len(x)
    ys = np.empty(n)
    y = 0.0
    for t in range(n):
        y = a * y + x[t]
        ys[t] = y
    g = 2 * ys
    dx = np.empty(n)
    carried = 0.0
    for t in range(n - 1, -1, -1):
        carried = carried * a + g[t]
        dx[t] = carried
    return dx


WORKLOADS = [
    ("trajectory 400 x 400", trajectory, trajectory_by_hand,
     (np.linspace(-1.0, 1.0, 400), 1.3), (0, 1)),
    ("scalar recurrence 2000", scalar_recurrence, scalar_recurrence_by_hand,
     (np.linspace(0.0, 0.1, 2000),), 0),
    ("euler, rhs helper 4000 x 2", euler_through_a_helper, euler_through_a_helper_by_hand,
     (np.array([1.0, -2.0]),), 0),
    ("continued fraction 20000", continued_fraction, continued_fraction_by_hand,
     (np.linspace(1.0, 2.0, 20000),), 0),
    ("cumulative sum 16000", cumulative_sum, cumulative_sum_by_hand,
     (np.array([1.5, 0.2]), 16000), 0),
    ("biquad filter 4000", biquad, biquad_by_hand,
     (np.random.default_rng(0).standard_normal(4000), [0.3, 0.2, 0.1, -0.5, 0.2]), 1),
    ("history kept for a plot 2000", kept_for_a_plot, kept_for_a_plot_by_hand,
     (np.array([1.5, 0.2]), 2000), 0),
    ("outputs appended 16000", outputs_collected, outputs_collected_by_hand,
     (0.9, np.random.default_rng(1).standard_normal(16000)), 1),
]


if __name__ == "__main__":
    report(compare(WORKLOADS))
    for name, fn, by_hand, args, wrt in WORKLOADS:
        ours = grad(fn, wrt=wrt)
        print(f"{name:28s} peak memory: hand-written {peak_memory(by_hand, *args) / 1e6:6.2f} MB"
              f"  autograd_src {peak_memory(ours, *args) / 1e6:6.2f} MB")
