"""What differentiating leaves behind in a long session (tester ED, session 29).

    python benchmarks/bench_memory.py [--count N]

Three figures: how many of N closures given to ``grad`` (each capturing an 8 MB
array) are still alive after the user drops them and the garbage collector runs;
how many of N functions passed to a derivative as an argument are; and how many
bytes (tracemalloc) each new function differentiated and dropped leaves, with how
many linecache entries.
"""

from __future__ import annotations

import gc
import linecache
import sys
import tracemalloc
import weakref

import numpy as np

from autograd_src import grad


def _closure(scale: float, big: np.ndarray):
    def loss(x):
        return np.sum(np.tanh(x * scale * big[:3]) ** 2)
    return loss


def _total(x, fn):
    return np.sum(fn(x))


def main(argv: list[str]) -> None:
    count = int(argv[argv.index("--count") + 1]) if "--count" in argv else 20
    x = np.ones(3)
    dead = []
    for k in range(count):
        loss = _closure(float(k), np.ones(1_000_000))
        grad(loss)(x)
        dead.append(weakref.ref(loss))
        del loss
    gc.collect()
    print(f"closures given to grad, alive after being dropped: "
          f"{sum(r() is not None for r in dead)} of {count}")
    dtotal = grad(_total)
    dead = []
    for k in range(count):
        def square(z, c=float(k)):
            return c * z ** 2
        dtotal(x, square)
        dead.append(weakref.ref(square))
        del square
    gc.collect()
    print(f"functions passed to a derivative, alive after the call: "
          f"{sum(r() is not None for r in dead)} of {count}")
    for k in range(20):  # (first uses fill the caches every transformation shares)
        grad(_closure(float(k), np.ones(3)))(x)
    gc.collect()
    entries = len(linecache.cache)
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for k in range(count * 10):
        grad(_closure(float(k), np.ones(3)))(x)
    gc.collect()
    after = tracemalloc.take_snapshot()
    grown = sum(s.size_diff for s in after.compare_to(before, "filename"))
    print(f"bytes left per function differentiated and dropped: {grown / (count * 10):.0f} "
          f"({len(linecache.cache) - entries} linecache entries left for {count * 10})")


if __name__ == "__main__":
    main(sys.argv[1:])
