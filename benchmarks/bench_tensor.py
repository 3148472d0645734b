"""The Tensor API: microseconds per operation against MyGrad and PyTorch (issue: Tensor API).

    python benchmarks/bench_tensor.py

BLAS runs on one thread (see below). Peers appear as rows when installed
(`pip install '.[bench]'`; PyTorch by hand).
Also: mg.nnet's layers against MyGrad's, 10,000-step chains (no RecursionError,
gradients against the product of the local derivatives), and the alternative
design for backward(): generating straight-line code for a recorded graph
(``backward_source``) instead of calling the rules node by node, at several graph
sizes (its cost per operation shows whether it grows linearly).
"""

from __future__ import annotations

import os
import sys
import time

# One BLAS thread unless told otherwise: both libraries call the same BLAS routines,
# and on a shared 2-core machine threaded BLAS made the MLP step vary tenfold between
# runs (5 to 75 ms), burying the engines' difference. OPENBLAS_NUM_THREADS=2 python
# benchmarks/bench_tensor.py measures with threads.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
from common import best_time, best_times, keep_freed_memory, optional  # noqa: E402

import autograd_src  # noqa: E402

OPS = 1000


def small_ops(m, x0):
    """OPS small operations (forward), then backward."""
    x = m.tensor(x0)
    y = x
    for _ in range(OPS // 4):
        y = m.tanh(y * 0.9 + 0.1) - y / 3.0
    y.sum().backward()
    return x.grad


def small_ops_torch(torch, x0):
    x = torch.tensor(x0, requires_grad=True)
    y = x
    for _ in range(OPS // 4):
        y = torch.tanh(y * 0.9 + 0.1) - y / 3.0
    y.sum().backward()
    return x.grad


def mlp_step(m, data):
    W1, b1, W2, b2, X, labels = (m.tensor(a) if i < 4 else a for i, a in enumerate(data))
    h = m.tanh(m.matmul(X, W1) + b1)
    logits = m.matmul(h, W2) + b2
    shifted = logits - m.max(logits, axis=1, keepdims=True)
    log_probs = shifted - m.log(m.sum(m.exp(shifted), axis=1, keepdims=True))
    loss = -m.mean(m.sum(log_probs * labels, axis=1))
    loss.backward()
    return W1.grad


def logistic_step(m, data):
    w, X, y = m.tensor(data[0]), data[1], data[2]
    loss = m.mean(m.log1p(m.exp(-y * m.matmul(X, w))))
    loss.backward()
    return w.grad


def training_loop(m, data, steps=3, lr=0.1):
    """The MyGrad optimiser loop: backward, then ``p -= lr * p.grad`` under no_autodiff."""
    params = [m.tensor(a.copy()) for a in data[:4]]
    X, labels = data[4], data[5]
    for _ in range(steps):
        W1, b1, W2, b2 = params
        h = m.tanh(m.matmul(X, W1) + b1)
        logits = m.matmul(h, W2) + b2
        shifted = logits - m.max(logits, axis=1, keepdims=True)
        log_probs = shifted - m.log(m.sum(m.exp(shifted), axis=1, keepdims=True))
        loss = -m.mean(m.sum(log_probs * labels, axis=1))
        loss.backward()
        with m.no_autodiff:
            for p in params:
                p -= lr * p.grad
    return float(loss.data)


def heat_stencil(m, u0, steps):
    """An explicit heat step written into a view of the state, ``steps`` times; backward."""
    u, D = m.tensor(u0) * 1.0, m.tensor(0.9)
    for _ in range(steps):
        u[1:-1] += 0.1 * D * (u[2:] - 2 * u[1:-1] + u[:-2])
        u[0] = u[1]
        u[-1] = u[-2]
    m.sum(u ** 2).backward()
    return D.grad


def long_chains(n=10_000):
    """A 10,000-step chain (40,000 operations) and a 10,000-step residual chain:
    backward without RecursionError, and the gradient against the product of the
    local derivatives."""
    x0 = np.array([0.3, -0.2, 0.5])
    x = autograd_src.tensor(x0)
    y, slope = x, np.ones(3)
    value = x0.copy()
    for _ in range(n):
        y = y * 0.9999 + 0.0001 * autograd_src.sin(y)
        slope *= 0.9999 + 0.0001 * np.cos(value)
        value = value * 0.9999 + 0.0001 * np.sin(value)
    start = time.perf_counter()
    y.sum().backward()
    chain = time.perf_counter() - start
    chain_error = float(np.max(np.abs(x.grad - slope)))

    w = np.array([0.5, -0.3, 0.8])
    x = autograd_src.tensor(x0)
    h, slope, value = x, np.ones(3), x0.copy()
    for _ in range(n):
        h = h + 0.001 * autograd_src.tanh(h * w)
        slope *= 1 + 0.001 * w * (1 - np.tanh(value * w) ** 2)
        value = value + 0.001 * np.tanh(value * w)
    start = time.perf_counter()
    h.sum().backward()
    residual = time.perf_counter() - start
    residual_error = float(np.max(np.abs(x.grad - slope)))
    return chain, chain_error, residual, residual_error


def main() -> None:
    # Freed memory kept for reuse (common.keep_freed_memory): the MLP's 1.6 MB
    # parameter copies otherwise pay page faults or not depending on the heap's history.
    keep_freed_memory()
    mygrad = optional("mygrad")
    torch = optional("torch")
    rng = np.random.default_rng(0)
    x0 = rng.normal(size=3)
    libraries = [("autograd_src", autograd_src)] + ([("MyGrad", mygrad)] if mygrad else [])

    print(f"{OPS} small operations on length-3 arrays, forward and backward:")
    times = best_times({name: (lambda m=m: small_ops(m, x0)) for name, m in libraries}, rounds=9)
    for name, seconds in times.items():
        print(f"  {name:14s} {seconds / OPS * 1e6:6.2f} us per operation")
    if "MyGrad" in times:
        print(f"  MyGrad / autograd_src: {times['MyGrad'] / times['autograd_src']:.2f}x")
    if torch is not None:
        seconds = best_time(lambda: small_ops_torch(torch, x0), min_time=0.5)
        print(f"  {'PyTorch':14s} {seconds / OPS * 1e6:6.2f} us per operation")

    mlp = (rng.normal(size=(784, 256)) * 0.05, np.zeros(256), rng.normal(size=(256, 10)) * 0.05,
           np.zeros(10), rng.normal(size=(128, 784)), np.eye(10)[rng.integers(0, 10, 128)])
    logistic = (rng.normal(size=20) * 0.1, rng.normal(size=(500, 20)),
                np.sign(rng.normal(size=500)))
    for title, step, data in (("MLP training step 784-256-10, batch 128", mlp_step, mlp),
                              ("logistic regression step, X 500x20", logistic_step, logistic)):
        print(f"{title}:")
        times = best_times({name: (lambda m=m, step=step, data=data: step(m, data))
                            for name, m in libraries}, rounds=9)
        for name, seconds in times.items():
            print(f"  {name:14s} {seconds * 1e6:9.1f} us per step")
        if "MyGrad" in times:
            print(f"  MyGrad / autograd_src: {times['MyGrad'] / times['autograd_src']:.2f}x")

    print("training loop (3 steps of the MLP, parameters updated in place under no_autodiff):")
    times = best_times({name: (lambda m=m: training_loop(m, mlp)) for name, m in libraries},
                       rounds=5)
    for name, seconds in times.items():
        print(f"  {name:14s} {seconds / 3 * 1e6:9.1f} us per step")
    if "MyGrad" in times:
        print(f"  MyGrad / autograd_src: {times['MyGrad'] / times['autograd_src']:.2f}x")
    losses = {name: training_loop(m, mlp, steps=20) for name, m in libraries}
    print("  loss after 20 steps: " + ", ".join(f"{n} {v:.6f}" for n, v in losses.items()))

    print("heat stencil in place through views (u[1:-1] += ... u[2:] ...), 200 cells:")
    u0 = rng.random(200)
    for steps in (100, 200, 400):
        times = best_times({name: (lambda m=m, steps=steps: heat_stencil(m, u0, steps))
                            for name, m in libraries}, rounds=3)
        cells = ", ".join(f"{name} {seconds * 1e3:7.1f} ms" for name, seconds in times.items())
        print(f"  {steps:3d} steps: {cells}")

    chain, chain_error, residual, residual_error = long_chains()
    print(f"a chain of 10,000 steps (40,000 operations): backward in {chain * 1e3:.0f} ms, "
          f"largest gradient error {chain_error:.1e}\n10,000-step residual chain: backward "
          f"in {residual * 1e3:.0f} ms, largest gradient error {residual_error:.1e}")

    print("mg.nnet layers, forward and backward (x of shape (16, 3, 32, 32)):")
    layer_times = best_times({(name, layer): (lambda m=m, fn=fn: fn(m))
                              for layer, fn in LAYERS.items() for name, m in libraries},
                             rounds=5)
    for layer in LAYERS:
        cells = ", ".join(f"{name} {layer_times[(name, layer)] * 1e3:.2f} ms"
                          for name, _ in libraries)
        print(f"  {layer:34s} {cells}")

    # The design choice for backward(): node-by-node rule calls (what backward does) or
    # code generated once for the recorded graph, as backward_source() shows.
    node_by_node = best_time(lambda: small_ops(autograd_src, x0)) / OPS * 100
    print(f"backward design: recording and running a 100-op graph node by node takes "
          f"{node_by_node * 1e6:.0f} us; generating its code (backward_source):")
    for n_ops in (100, 400, 1600, 3200):
        x = autograd_src.tensor(x0)
        y = x
        for _ in range(n_ops // 4):
            y = autograd_src.tanh(y * 0.9 + 0.1) - y / 3.0
        start = time.perf_counter()
        y.backward_source()
        generate = time.perf_counter() - start
        print(f"  {n_ops:4d} operations: {generate * 1e3:7.0f} ms "
              f"({generate / n_ops * 1e3:.2f} ms per operation)")


_CONV_X = np.random.default_rng(1).normal(size=(16, 3, 32, 32))
_CONV_W = np.random.default_rng(2).normal(size=(8, 3, 3, 3))


def _conv(m):
    x, w = m.tensor(_CONV_X), m.tensor(_CONV_W)
    m.nnet.conv_nd(x, w, stride=1, padding=1).sum().backward()
    return w.grad


def _pool(m):
    x = m.tensor(_CONV_X)
    m.nnet.max_pool(x, (2, 2), 2).sum().backward()
    return x.grad


def _batchnorm(m):
    x = m.tensor(_CONV_X)
    out = m.nnet.batchnorm(x, eps=1e-5)
    (out * out).sum().backward()
    return x.grad


LAYERS = {"conv_nd 8 filters 3x3, padding 1": _conv, "max_pool (2, 2), stride 2": _pool,
          "batchnorm": _batchnorm}


if __name__ == "__main__":
    main()
