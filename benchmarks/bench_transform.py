"""How long ``grad`` takes to transform a function: source in, compiled derivative out (issue #12).

    python benchmarks/bench_transform.py [--repeat N] [--profile thirty|hundred]

Two functions: ``thirty_lines`` of bench_straightline (dense straight-line NumPy,
30 lines) and ``hundred_lines`` of bench_scalar_loops (about 100 lines with its
helpers: loops, branches, an RNN through a helper). Each build compiles a fresh
copy of the function under a new name and file, so no cache answers, then
times ``grad(f)`` alone and ``grad(f)`` with its first call (which makes the
variant for the argument types). Prints the median and best of ``--repeat``
builds (default 15) in milliseconds, of wall time and of this process's CPU
time (steadier on a shared machine: other processes do not add to it). The
goals of issue #12: 10 ms for the 30-line function, 50 ms for the 100-line one.

First, the per-step cost of ``grad(lambda q: ...)(q)`` made anew in a loop.

``--profile NAME`` runs the builds of one function under cProfile instead and
prints the top entries by cumulative and by internal time.
"""

from __future__ import annotations

import inspect
import linecache
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import bench_scalar_loops  # noqa: E402
import bench_straightline  # noqa: E402

from autograd_src import grad  # noqa: E402


def fresh(function, k):
    """A new copy of ``function``, compiled from its source under a new name and file."""
    name = function.__name__
    text = inspect.getsource(function).replace(f"def {name}(", f"def {name}_{k}(")
    filename = f"<{name} {k} {time.time()}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    namespace = dict(vars(inspect.getmodule(function)))
    exec(compile(text, filename, "exec"), namespace)
    return namespace[f"{name}_{k}"]


def cases():
    rng = np.random.default_rng(1)
    yield ("thirty_lines", bench_straightline.thirty_lines, (0, 1),
           (rng.normal(size=(4, 4)), rng.normal(size=(4, 4))))
    rng = np.random.default_rng(2)
    yield ("hundred_lines", bench_scalar_loops.hundred_lines, (0, 1, 2),
           (rng.normal(size=(8, 8)) * 0.3, rng.normal(size=(3, 8)) * 0.3, rng.normal(size=8),
            rng.normal(size=(6, 3)), [0.3, -0.2, 0.5, 0.1], 0.9, 1.0, 0.0))


def build(function, wrt, args, k, clock=time.perf_counter):
    """Seconds for grad() alone and for grad() with its first call, on a fresh copy."""
    f = fresh(function, k)
    start = clock()
    derivative = grad(f, wrt=wrt)
    made = clock() - start
    derivative(*args)
    return made, clock() - start


_TARGET = np.array([1.0, 1.0])


def _reach_cost(q, target):
    return np.sum((np.array([np.sum(np.cos(q)), np.sum(np.sin(q))]) - target) ** 2)


def lambda_steps(steps: int = 200) -> None:
    """An inverse-kinematics loop written ``grad(lambda q: cost(q, target))(q)``, the
    lambda made anew at each step (session 38, GY 07: each step transformed it again,
    3.4 ms): per step, against a derivative made once."""
    q = np.array([0.1, 0.2, 0.3])
    grad(lambda q: _reach_cost(q, _TARGET))(q)  # (the first one's transformation)
    start = time.perf_counter()
    for _ in range(steps):
        q = q - 0.1 * grad(lambda q: _reach_cost(q, _TARGET))(q)
    anew = (time.perf_counter() - start) / steps
    once = grad(_reach_cost)
    start = time.perf_counter()
    for _ in range(steps):
        q = q - 0.1 * once(q, _TARGET)
    made_once = (time.perf_counter() - start) / steps
    print(f"lambda made anew per step: {anew * 1e6:7.0f} us a step; "
          f"a derivative made once: {made_once * 1e6:5.0f} us a step")


def main() -> None:
    argv = sys.argv[1:]
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 15
    chosen = argv[argv.index("--profile") + 1] if "--profile" in argv else None
    build(bench_straightline.chain, 0, (np.ones(3),), 999)  # warm imports and rule tables
    if chosen is not None:
        import cProfile
        import pstats
        for name, function, wrt, args in cases():
            if name.startswith(chosen):
                profiler = cProfile.Profile()
                profiler.enable()
                for k in range(repeat):
                    build(function, wrt, args, k)
                profiler.disable()
                stats = pstats.Stats(profiler)
                stats.sort_stats("cumulative").print_stats(40)
                stats.sort_stats("tottime").print_stats(30)
        return
    lambda_steps()
    for name, function, wrt, args in cases():
        for clock, label in ((time.perf_counter, "wall"), (time.process_time, "cpu")):
            made, first = zip(*(build(function, wrt, args, k, clock) for k in range(repeat)))
            made, first = sorted(made), sorted(first)
            print(f"{name:14s} {label:4s} grad(f): median {made[len(made) // 2] * 1e3:6.1f} ms, "
                  f"best {made[0] * 1e3:6.1f} ms;  grad(f) + first call: median "
                  f"{first[len(first) // 2] * 1e3:6.1f} ms, best {first[0] * 1e3:6.1f} ms")


if __name__ == "__main__":
    main()
