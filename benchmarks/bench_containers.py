"""Real programs (issue #10): structured parameters and filling arrays one entry at a time.

    python benchmarks/bench_containers.py [--default-malloc]

Rows, each the best of interleaved rounds (``common.best_times``):

* an MLP 784-256-10 (batch 64) whose parameters are a list of ``(W, b)`` pairs,
  against the same MLP with each array a separate argument: structured
  parameters should cost nothing extra (goal: within 1.1x);
* ``out[i] = f(x[i])`` for n = 500, 2000 and 8000, gradient time over the
  function's own time: it must grow with n, not n² (each update is made in place
  when no adjoint needs the old values).
"""

from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from common import best_times, keep_freed_memory  # noqa: E402

from autograd_src import grad  # noqa: E402


def mlp_pairs(params, x, y):
    h = x
    for W, b in params[:-1]:
        h = np.tanh(h @ W + b)
    W, b = params[-1]
    out = h @ W + b
    return np.mean((out - y) ** 2)


def mlp_pairs_unrolled(params, x, y):
    (W1, b1), (W2, b2) = params
    h = np.tanh(x @ W1 + b1)
    out = h @ W2 + b2
    return np.mean((out - y) ** 2)


def mlp_arrays(W1, b1, W2, b2, x, y):
    h = np.tanh(x @ W1 + b1)
    out = h @ W2 + b2
    return np.mean((out - y) ** 2)


def fill(x):
    out = np.zeros(len(x))
    for i in range(len(x)):
        out[i] = np.sin(x[i]) * (i + 1.0)
    return np.sum(out ** 2)


def main() -> None:
    if "--default-malloc" not in sys.argv:
        keep_freed_memory()
    rng = np.random.default_rng(0)
    W1, b1 = rng.standard_normal((784, 256)) * 0.05, np.zeros(256)
    W2, b2 = rng.standard_normal((256, 10)) * 0.05, np.zeros(10)
    x, y = rng.standard_normal((64, 784)), rng.standard_normal((64, 10))
    params = [(W1, b1), (W2, b2)]
    d_pairs = grad(mlp_pairs)
    d_unrolled = grad(mlp_pairs_unrolled)
    d_arrays = grad(mlp_arrays, wrt=(0, 1, 2, 3))
    times = best_times({"pairs": lambda: d_pairs(params, x, y),
                        "unrolled": lambda: d_unrolled(params, x, y),
                        "arrays": lambda: d_arrays(W1, b1, W2, b2, x, y)})
    print("MLP 784-256-10, batch 64: gradient per call")
    print(f"  list of (W, b), for W, b in params[:-1]   {times['pairs'] * 1e6:9.1f} us"
          f"   ratio {times['pairs'] / times['arrays']:.2f}")
    print(f"  list of (W, b), (W1, b1), (W2, b2) = params {times['unrolled'] * 1e6:7.1f} us"
          f"   ratio {times['unrolled'] / times['arrays']:.2f}")
    print(f"  each array a separate argument            {times['arrays'] * 1e6:9.1f} us")
    print("  (the loop's last reverse step skips the first layer's input gradient,")
    print("   which nothing reads: x is not differentiated)")
    print("\nout[i] = sin(x[i]) * (i + 1) for i in range(n): gradient / function")
    d_fill = grad(fill)
    for n in (500, 2000, 8000):
        v = rng.standard_normal(n)
        t = best_times({"grad": lambda v=v: d_fill(v), "f": lambda v=v: fill(v)}, rounds=5)
        print(f"  n = {n:5d}   {t['grad'] * 1e3:8.2f} ms   {t['f'] * 1e3:8.2f} ms   "
              f"ratio {t['grad'] / t['f']:5.1f}")


if __name__ == "__main__":
    main()
