"""Straight-line NumPy: generated gradients against hand-written ones (issue: foundation).

    python benchmarks/bench_straightline.py [--default-malloc]

Prints microseconds per gradient call and the ratio to a hand-written NumPy
gradient; HIPS autograd and tangent-ad are added as rows when installed (`pip
install '.[bench]'`). Also prints the cost of transforming a 30-line function.

By default glibc is asked to keep freed memory mapped (see
``common.keep_freed_memory``), so the 10^6-element rows time arithmetic rather
than page faults, whose cost depends on what the process ran before.
``--default-malloc`` times with the allocator's defaults instead.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from common import compare, keep_freed_memory, optional, report  # noqa: E402

from autograd_src import grad  # noqa: E402

# ----- the functions and their hand-written gradients -----


def logistic(w, X, y):
    z = X @ w
    return np.mean(np.log1p(np.exp(-y * z)))


def logistic_by_hand(w, X, y):
    z = X @ w
    e = np.exp(-y * z)
    dz = (-y * e / (1 + e)) / len(y)
    return X.T @ dz


def mlp(W1, b1, W2, b2, X, labels):
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(np.sum(log_probs * labels, axis=1))


def mlp_by_hand(W1, b1, W2, b2, X, labels):
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    exp = np.exp(shifted)
    probs = exp / np.sum(exp, axis=1, keepdims=True)
    dlogits = (probs - labels) / X.shape[0]
    dW2 = h.T @ dlogits
    db2 = dlogits.sum(axis=0)
    dh = dlogits @ W2.T
    dpre = dh * (1 - h ** 2)
    return X.T @ dpre, dpre.sum(axis=0), dW2, db2


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def rosenbrock_by_hand(x):
    head, tail = x[:-1], x[1:]
    t = tail - head ** 2
    g = np.zeros_like(x)
    g[:-1] = -400.0 * t * head - 2 * (1 - head)
    g[1:] += 200.0 * t
    return g


def chain(x):
    return np.sum(np.exp(np.sin(x) * np.cos(x)) ** 2 / (1 + x ** 2))


def chain_by_hand(x):
    s, c = np.sin(x), np.cos(x)
    e = np.exp(s * c)
    d = 1 + x ** 2
    e2 = e ** 2
    return (2 * e2 * (c * c - s * s)) / d - e2 * 2 * x / d ** 2


def thirty_lines(x, y):
    a = np.sin(x) * y
    b = np.cos(a) + x ** 2
    c = np.exp(-b) * a
    d = np.tanh(c) + np.sqrt(b * b + 1.0)
    e = d * x - a / (1.0 + y ** 2)
    f = np.log1p(e ** 2)
    g = f + np.maximum(a, b)
    h = np.where(g > 0, g, 0.1 * g)
    i = h @ np.transpose(h)
    j = np.sum(i, axis=0)
    k = j / (1.0 + np.abs(j))
    m = np.mean(k)
    n = m * np.sum(a)
    o = n + np.var(b)
    p = o ** 2
    q = p + np.sum(c * d)
    r = q / (1.0 + np.sum(e ** 2))
    s = r + np.prod(np.tanh(x[0]))
    t = s * 2.0
    u = t - np.sum(f)
    v = u + np.linalg.norm(g)
    w = v * np.mean(h)
    z = w + np.sum(x[:, 0])
    aa = z + np.sum(np.clip(x, -0.5, 0.5))
    bb = aa + np.sum(np.exp2(x) * 0.1)
    cc = bb + np.sum(np.arctan(x))
    return cc


# ----- the workloads -----


def workloads():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(500, 20))
    y = np.sign(rng.normal(size=500))
    w = rng.normal(size=20) * 0.1
    yield "logistic (500x20)", logistic, logistic_by_hand, (w, X, y), 0

    W1 = rng.normal(size=(784, 256)) * 0.05
    b1 = np.zeros(256)
    W2 = rng.normal(size=(256, 10)) * 0.05
    b2 = np.zeros(10)
    Xb = rng.normal(size=(128, 784))
    labels = np.eye(10)[rng.integers(0, 10, 128)]
    yield "MLP 784-256-10 (batch 128)", mlp, mlp_by_hand, (W1, b1, W2, b2, Xb, labels), \
        (0, 1, 2, 3)

    for n in (1000, 10 ** 6):
        yield f"rosenbrock N={n}", rosenbrock, rosenbrock_by_hand, (rng.normal(size=n),), 0

    yield "elementwise chain N=1e6", chain, chain_by_hand, (rng.normal(size=10 ** 6),), 0


def main() -> None:
    if "--default-malloc" in sys.argv[1:]:
        print("allocator: glibc defaults (large arrays may be mapped and unmapped per call)")
    else:
        kept = keep_freed_memory()
        print("allocator: " + ("freed memory kept for reuse" if kept else "defaults"))
    tangent = optional("tangent")
    rows = compare(workloads())
    report(rows)

    ours = _transformation_times(lambda f: grad(f, wrt=(0, 1)), 30)
    print(f"\ngrad() on a 30-line function: median {ours[len(ours) // 2] * 1e3:.1f} ms, "
          f"best {ours[0] * 1e3:.1f} ms per transformation")
    if tangent is not None:
        os.environ["TANGENT_DISK_CACHE"] = "0"  # time its transformation, not its cache
        theirs = _transformation_times(lambda f: tangent.grad(f, wrt=(0, 1), verbose=0), 5)
        print(f"tangent-ad on the same function: median {theirs[len(theirs) // 2] * 1e3:.1f} "
              f"ms ({theirs[len(theirs) // 2] / ours[len(ours) // 2]:.0f}x ours)")


def _transformation_times(transform, count):
    """Seconds per transformation of thirty_lines, each a new function so no cache answers."""
    import inspect
    import linecache
    source = inspect.getsource(thirty_lines)
    times = []
    for k in range(count):
        filename = f"<thirty_lines {k} {time.time()}>"
        text = source.replace("def thirty_lines(", f"def thirty_lines_{k}(")
        linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
        namespace = {"np": np}
        exec(compile(text, filename, "exec"), namespace)
        start = time.perf_counter()
        transform(namespace[f"thirty_lines_{k}"])
        times.append(time.perf_counter() - start)
    return sorted(times)


if __name__ == "__main__":
    main()
