"""Python control flow: generated gradients against hand-written ones (issue: control flow).

    python benchmarks/bench_control_flow.py

Prints microseconds per gradient and the ratio to a hand-written Python/NumPy
gradient; HIPS autograd and PyTorch rows appear when installed. Also compares
peak memory of a 10,000-iteration loop's gradient with the hand-written one.
"""

from __future__ import annotations

import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from common import compare, peak_memory, report  # noqa: E402

from autograd_src import grad  # noqa: E402

# ----- workloads and their hand-written gradients -----


def horner(x, coeffs):
    y = 0.0
    for c in coeffs:
        y = y * x + c
    return y


def horner_by_hand(x, coeffs):
    y, dy = 0.0, 0.0
    for c in coeffs:
        dy = dy * x + y
        y = y * x + c
    return dy


def branchy(x):
    s = 0.0
    for i in range(100):
        if i % 3 == 0:
            s = s + math.sin(x * i * 0.01)
        else:
            s = s * 0.99 + x
    return s


def branchy_by_hand(x):
    ds = 0.0
    for i in range(100):
        if i % 3 == 0:
            ds = ds + math.cos(x * i * 0.01) * i * 0.01
        else:
            ds = ds * 0.99 + 1.0
    return ds


def rnn(Wh, Wx, xs, h0):
    h = h0
    for t in range(len(xs)):
        h = np.tanh(h @ Wh + xs[t] @ Wx)
    return np.sum(h ** 2)


def rnn_by_hand(Wh, Wx, xs, h0):
    hs = [h0]
    for t in range(len(xs)):
        hs.append(np.tanh(hs[-1] @ Wh + xs[t] @ Wx))
    dh = 2 * hs[-1]
    dWh = np.zeros_like(Wh)
    dWx = np.zeros_like(Wx)
    for t in reversed(range(len(xs))):
        dpre = dh * (1 - hs[t + 1] ** 2)
        dWh += hs[t].T @ dpre
        dWx += xs[t].T @ dpre
        dh = dpre @ Wh.T
    return dWh, dWx


def small_arrays(x, v):
    for _ in range(250):
        v = v * 0.99 + x * 0.01
        x = x - v * 0.1
    return np.sum(x * x)


def small_arrays_by_hand(x, v):
    xs, vs = [], []
    for _ in range(250):
        vs.append(v)
        v = v * 0.99 + x * 0.01
        xs.append(x)
        x = x - v * 0.1
    dx = 2 * x
    dv = np.zeros_like(v)
    for _ in range(250):
        xs.pop()
        dv = dv - dx * 0.1
        dx = dx + dv * 0.01
        dv = dv * 0.99
        vs.pop()
    return dx


def cell(Wh, Wx, h, x):
    return np.tanh(h @ Wh + x @ Wx)


def rnn_helper(Wh, Wx, xs, h0):
    h = h0
    for t in range(len(xs)):
        h = cell(Wh, Wx, h, xs[t])
    return np.sum(h ** 2)


def stencil(u, alpha):
    u = u.copy()
    for _ in range(50):
        u[1:-1] = u[1:-1] + alpha * (u[:-2] - 2 * u[1:-1] + u[2:])
    return np.sum(u * u)


def stencil_by_hand(u, alpha):
    us = []
    u = u.copy()
    for _ in range(50):
        us.append(u.copy())
        u[1:-1] = u[1:-1] + alpha * (u[:-2] - 2 * u[1:-1] + u[2:])
    du = 2 * u
    dalpha = 0.0
    for _ in range(50):
        prev = us.pop()
        inner = du[1:-1].copy()
        dalpha += np.sum(inner * (prev[:-2] - 2 * prev[1:-1] + prev[2:]))
        du[:-2] += alpha * inner
        du[1:-1] += -2 * alpha * inner
        du[2:] += alpha * inner
    return du, dalpha


def long_loop(x):
    for _ in range(10_000):
        x = np.sin(x) * 0.5 + x * 0.5
    return np.sum(x)


def long_loop_by_hand(x):
    xs = []
    for _ in range(10_000):
        xs.append(x)
        x = np.sin(x) * 0.5 + x * 0.5
    dx = np.ones_like(x)
    for _ in range(10_000):
        dx = dx * (np.cos(xs.pop()) * 0.5 + 0.5)
    return dx


def workloads():
    rng = np.random.default_rng(0)
    yield "Horner, 200 coefficients", horner, horner_by_hand, (0.7, list(rng.normal(size=200))), 0
    yield "scalar loop with if/else (100)", branchy, branchy_by_hand, (0.3,), 0
    rnn_args = (rng.normal(size=(64, 64)) * 0.1, rng.normal(size=(32, 64)) * 0.1,
                rng.normal(size=(50, 16, 32)), np.zeros((16, 64)))
    yield "RNN 50 steps, hidden 64, batch 16", rnn, rnn_by_hand, rnn_args, (0, 1)
    yield "1000 small ops on length-3 arrays", small_arrays, small_arrays_by_hand, \
        (rng.normal(size=3), rng.normal(size=3)), 0
    yield "RNN with a helper cell", rnn_helper, rnn_by_hand, rnn_args, (0, 1)
    yield "stencil, subscript assignment", stencil, stencil_by_hand, \
        (rng.normal(size=1000), 0.2), (0, 1)


def main() -> None:
    rows = compare(workloads(), rtol=1e-8)
    report(rows)
    x = np.linspace(0, 1, 100)
    ours = peak_memory(grad(long_loop), x)
    by_hand = peak_memory(long_loop_by_hand, x)
    np.testing.assert_allclose(grad(long_loop)(x), long_loop_by_hand(x))
    print(f"\n10,000-iteration loop over 100 values, peak memory: autograd_src "
          f"{ours / 1e6:.1f} MB, hand-written {by_hand / 1e6:.1f} MB ({ours / by_hand:.2f}x)")


if __name__ == "__main__":
    main()
