"""Scalar loops in every input form: generated gradients against hand-written ones (issue #12).

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_scalar_loops.py

Prints, for Horner (200 coefficients), the branchy loop (100 items) and the
spring (200 Euler steps), with ``x`` a Python float, an ``np.float64`` or a 0-d
array and ``c`` a list of Python floats, a list of ``np.float64`` or a NumPy
array, read as ``c[i]`` or as ``for ci in c`` ("spring split" is the spring
with ``x, v = x0, v0`` written as two assignments): the hand-written gradient's
microseconds per call (written for the same input types) and the ratio to it
of ``grad``, ``value_and_grad`` and, when installed, HIPS autograd and
tangent-ad. Every hand-written gradient is checked against ``grad`` first.
Then a scalar function called with defaults left out, keywords and mixed
int/float arguments (gradient time over the function's own time), and the
time ``grad`` takes to transform a 30-line function and a 100-line one with
loops and helpers (``hundred_lines``), with and without their first call (a
helper's derivative is made at its caller's transformation; the first call
makes the variant for its argument types). All timings are best-of,
interleaved in one run (``common.best_times``).
"""

from __future__ import annotations

import inspect
import math
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from common import best_times, optional  # noqa: E402

from autograd_src import grad, value_and_grad  # noqa: E402

ROUNDS, MIN_TIME = 7, 0.01

# ----- the workloads, as the issue writes them, and their hand-written gradients -----


def horner(x, c):
    y = 0.0
    for i in range(len(c)):
        y = y * x + c[i]
    return y


def horner_by_hand(x, c):
    y, dy = 0.0, 0.0
    for i in range(len(c)):
        dy = dy * x + y
        y = y * x + c[i]
    return y, dy


def horner_for(x, c):
    y = 0.0
    for ci in c:
        y = y * x + ci
    return y


def horner_for_by_hand(x, c):
    y, dy = 0.0, 0.0
    for ci in c:
        dy = dy * x + y
        y = y * x + ci
    return y, dy


def branchy(x, c):
    y = x
    for i in range(len(c)):
        if y > c[i]:
            y = 0.5 * y * x + c[i]
        else:
            y = 0.25 * y * y + x * c[i]
    return y


def branchy_by_hand(x, c):
    y, dy = x, 1.0
    for i in range(len(c)):
        if y > c[i]:
            dy = 0.5 * (dy * x + y)
            y = 0.5 * y * x + c[i]
        else:
            dy = 0.5 * y * dy + c[i]
            y = 0.25 * y * y + x * c[i]
    return y, dy


def branchy_for(x, c):
    y = x
    for ci in c:
        if y > ci:
            y = 0.5 * y * x + ci
        else:
            y = 0.25 * y * y + x * ci
    return y


def branchy_for_by_hand(x, c):
    y, dy = x, 1.0
    for ci in c:
        if y > ci:
            dy = 0.5 * (dy * x + y)
            y = 0.5 * y * x + ci
        else:
            dy = 0.5 * y * dy + ci
            y = 0.25 * y * y + x * ci
    return y, dy


def spring(k, x0, v0, n_steps):
    x, v = x0, v0
    dt = 0.01
    energy = 0.0
    for _ in range(n_steps):
        a = -k * x - 0.1 * v
        v = v + dt * a
        x = x + dt * v
        energy = energy + 0.5 * v * v + 0.5 * k * x * x
    return energy


def spring_split(k, x0, v0, n_steps):  # the spring with `x, v = x0, v0` split in two
    x = x0
    v = v0
    dt = 0.01
    energy = 0.0
    for _ in range(n_steps):
        a = -k * x - 0.1 * v
        v = v + dt * a
        x = x + dt * v
        energy = energy + 0.5 * v * v + 0.5 * k * x * x
    return energy


def spring_by_hand(k, x0, v0, n_steps):
    x, v = x0, v0
    dx, dv = 0.0, 0.0
    dt = 0.01
    energy, denergy = 0.0, 0.0
    for _ in range(n_steps):
        a = -k * x - 0.1 * v
        da = -x - k * dx - 0.1 * dv
        v = v + dt * a
        dv = dv + dt * da
        x = x + dt * v
        dx = dx + dt * dv
        energy = energy + 0.5 * v * v + 0.5 * k * x * x
        denergy = denergy + v * dv + 0.5 * x * x + k * x * dx
    return energy, denergy


def scaled(x, scale=1.0, offset=0.0):
    y = x * scale + offset
    return y * y + math.tanh(y) * x


def scaled_by_hand(x, scale=1.0, offset=0.0):
    y = x * scale + offset
    t = math.tanh(y)
    return 2.0 * y * scale + (1.0 - t * t) * scale * x + t


# ----- a 100-line function with loops, branches and helpers, for the transformation time -----


def _cell(W, h, x):
    z = h @ W + x
    return np.tanh(z)


def _penalty(w, scale):
    total = 0.0
    for i in range(w.shape[0]):
        if w[i] > 0.0:
            total = total + scale * w[i] * w[i]
        else:
            total = total + 0.5 * scale * np.abs(w[i])
    return total


def _smooth_max(a, b, k):
    d = (a - b) / k
    return b + k * np.log1p(np.exp(d))


def hundred_lines(W, U, v, xs, c, k, x0, v0):
    """About 100 lines: an RNN over xs through a helper, a scalar loop, an Euler loop,
    a branchy loop over c, penalties through helpers, and a straight-line tail."""
    h = np.zeros(W.shape[0])
    states = 0.0
    for t in range(xs.shape[0]):
        h = _cell(W, h, xs[t] @ U)
        states = states + np.sum(h * h)
    readout = np.tanh(h @ v)
    y = 0.0
    for i in range(len(c)):
        y = y * k + c[i]
    z = k
    for i in range(len(c)):
        if z > c[i]:
            z = 0.5 * z * k + c[i]
        else:
            z = 0.25 * z * z + k * c[i]
    x, u = x0, v0
    dt = 0.01
    energy = 0.0
    for _ in range(20):
        a = -k * x - 0.1 * u
        u = u + dt * a
        x = x + dt * u
        energy = energy + 0.5 * u * u + 0.5 * k * x * x
    p1 = _penalty(v, 0.01)
    p2 = _penalty(W[0], 0.001)
    sm = _smooth_max(readout, y, 0.1)
    a1 = np.sin(h) * readout
    b1 = np.cos(a1) + h ** 2
    c1 = np.exp(-b1) * a1
    d1 = np.tanh(c1) + np.sqrt(b1 * b1 + 1.0)
    e1 = d1 * h - a1 / (1.0 + readout ** 2)
    f1 = np.log1p(e1 ** 2)
    g1 = f1 + np.maximum(a1, b1)
    h1 = np.where(g1 > 0, g1, 0.1 * g1)
    i1 = np.sum(h1 * h1)
    j1 = i1 / (1.0 + np.abs(i1))
    m1 = np.mean(h1)
    n1 = m1 * np.sum(a1)
    o1 = n1 + np.var(b1)
    q1 = o1 ** 2 + np.sum(c1 * d1)
    r1 = q1 / (1.0 + np.sum(e1 ** 2))
    s1 = r1 + np.prod(np.tanh(h[:3]))
    t1 = s1 * 2.0 - np.sum(f1)
    u1 = t1 + np.linalg.norm(g1)
    w1 = u1 * np.mean(h1) + j1
    if w1 > 0.0:
        w1 = w1 * 0.5
    else:
        w1 = w1 * 2.0
    acc = 0.0
    for j in range(3):
        acc = acc + np.sum(np.tanh(W[j] * readout))
    scale = 1.0
    while scale > 0.1:
        acc = acc * 0.9 + scale * sm
        scale = scale * 0.5
    extra = np.sum(np.clip(U, -0.5, 0.5)) + np.sum(np.arctan(U))
    extra = extra + np.sum(np.exp2(v) * 0.1)
    g2 = np.sum(np.sin(U) * np.cos(U))
    g3 = np.mean(np.tanh(W) ** 2)
    g4 = np.sum(np.sqrt(W * W + 1.0))
    g5 = np.max(v) - np.min(v)
    g6 = np.sum(U @ v) / (1.0 + g4)
    g7 = np.var(W) + np.std(v)
    g8 = np.sum(np.log1p(np.exp(-np.abs(xs @ U))))
    g9 = _smooth_max(g2, g3, 0.5)
    g10 = _smooth_max(g5, g6, 0.25)
    extra = extra + g2 + g3 + g4 + g5 + g6 + g7 + g8 + g9 + g10
    total = states + readout + y + z + energy
    total = total + p1 + p2 + sm + w1 + acc + extra
    return total * total


# ----- the input forms -----

X_FORMS = {"float": float, "np.float64": np.float64, "0-d array": np.array}
C_FORMS = {"list float": lambda c: [float(v) for v in c],
           "list f64": lambda c: [np.float64(v) for v in c],
           "ndarray": np.array}


def rows():
    """(workload, x form, c form, access, fn, by_hand, args) for every combination."""
    rng = np.random.default_rng(0)
    coefficients = rng.normal(size=200) * 0.5
    thresholds = rng.uniform(-1.0, 1.0, size=100)
    for x_form, make_x in X_FORMS.items():
        for c_form, make_c in C_FORMS.items():
            for access, fn, by_hand in (("c[i]", horner, horner_by_hand),
                                        ("for ci", horner_for, horner_for_by_hand)):
                yield ("Horner 200", x_form, c_form, access, fn, by_hand,
                       (make_x(0.7), make_c(coefficients)))
            for access, fn, by_hand in (("c[i]", branchy, branchy_by_hand),
                                        ("for ci", branchy_for, branchy_for_by_hand)):
                yield ("branchy 100", x_form, c_form, access, fn, by_hand,
                       (make_x(0.9), make_c(thresholds)))
        for name, fn in (("spring 200", spring), ("spring split", spring_split)):
            yield (name, x_form, "-", "-", fn, spring_by_hand,
                   (make_x(2.0), make_x(1.0), make_x(0.0), 200))


def check(label, ours, theirs):
    ours, theirs = float(np.asarray(ours)), float(np.asarray(theirs))
    if not abs(ours - theirs) <= 1e-10 * max(1.0, abs(theirs)):
        raise AssertionError(f"{label}: autograd_src gives {ours!r}, "
                             f"the hand-written gradient {theirs!r}")


def peer_gradient(make, args, label):
    """A peer's gradient function, or None when it cannot differentiate the workload."""
    try:
        theirs = make()
        theirs(*args)
    except Exception as exc:  # a peer's limitation: reported, and the cell left empty
        print(f"({label}: {type(exc).__name__}: {exc})"[:120])
        return None
    return theirs


def scalar_loops(autograd, tangent):
    print(f"{'workload':12s} {'x':10s} {'c':10s} {'access':6s} {'hand us':>8s} "
          f"{'grad':>7s} {'v&g':>7s} {'HIPS':>7s}" + (f" {'tangent':>7s}" if tangent else ""))
    results = []
    for workload, x_form, c_form, access, fn, by_hand, args in rows():
        label = f"{workload}, x {x_form}, c {c_form}, {access}"
        dfn, vfn = grad(fn), value_and_grad(fn)
        value, derivative = by_hand(*args)
        check(label + " (grad)", dfn(*args), derivative)
        ours_value, ours_derivative = vfn(*args)
        check(label + " (value_and_grad, value)", ours_value, value)
        check(label + " (value_and_grad, gradient)", ours_derivative, derivative)
        functions = {"hand": lambda: by_hand(*args),  # noqa: B023
                     "grad": lambda: dfn(*args),  # noqa: B023
                     "v&g": lambda: vfn(*args)}  # noqa: B023
        if autograd is not None:
            theirs = peer_gradient(lambda: autograd.grad(fn), args, "HIPS " + label)  # noqa: B023
            if theirs is not None:
                check(label + " (HIPS)", theirs(*args), derivative)
                functions["HIPS"] = lambda: theirs(*args)  # noqa: B023
        if tangent is not None:
            theirs = peer_gradient(lambda: tangent.grad(fn, verbose=0), args,  # noqa: B023
                                   "tangent-ad " + label)
            if theirs is not None:
                functions["tangent"] = lambda: theirs(*args)  # noqa: B023
        times = best_times(functions, rounds=ROUNDS, min_time=MIN_TIME)
        hand = times["hand"]
        cells = [f"{times[k] / hand:6.2f}x" if k in times else f"{'-':>7s}"
                 for k in ("grad", "v&g", "HIPS") + (("tangent",) if tangent else ())]
        print(f"{workload:12s} {x_form:10s} {c_form:10s} {access:6s} {hand * 1e6:8.1f} "
              + " ".join(cells))
        results.append((label, times["grad"] / hand, times["v&g"] / hand))
    worst = sorted(results, key=lambda r: -r[1])[:3]
    print("worst grad/hand: " + "; ".join(f"{label} {r:.1f}x" for label, r, _ in worst))


def call_forms():
    """The scalar function called as users call it: gradient time over its own time."""
    print(f"\n{'scaled(x, scale=1.0, offset=0.0) called as':44s} {'f us':>7s} "
          f"{'grad/f':>7s} {'v&g/f':>7s} {'hand/f':>7s}")
    dfn, vfn = grad(scaled), value_and_grad(scaled)
    forms = [("f(x)  (defaults left out)", (0.3,), {}),
             ("f(x, 1.0, 0.0)  (all positional)", (0.3, 1.0, 0.0), {}),
             ("f(x, scale=1.0)  (keyword)", (0.3,), {"scale": 1.0}),
             ("f(x, scale=1.0, offset=0.0)  (keywords)", (0.3,), {"scale": 1.0, "offset": 0.0}),
             ("f(x, 2, 0)  (ints beside a float)", (0.3, 2, 0), {}),
             ("f(x, 2.0, 0)  (mixed int/float)", (0.3, 2.0, 0), {}),
             ("f(np.float64(x))", (np.float64(0.3),), {})]
    for label, args, kwargs in forms:
        check(label, dfn(*args, **kwargs), scaled_by_hand(*args, **kwargs))
        check(label, vfn(*args, **kwargs)[1], scaled_by_hand(*args, **kwargs))
        times = best_times({"f": lambda: scaled(*args, **kwargs),  # noqa: B023
                            "grad": lambda: dfn(*args, **kwargs),  # noqa: B023
                            "v&g": lambda: vfn(*args, **kwargs),  # noqa: B023
                            "hand": lambda: scaled_by_hand(*args, **kwargs)},  # noqa: B023
                           rounds=ROUNDS, min_time=MIN_TIME)
        own = times["f"]
        print(f"{label:44s} {own * 1e6:7.2f} {times['grad'] / own:6.1f}x "
              f"{times['v&g'] / own:6.1f}x {times['hand'] / own:6.1f}x")


def transformation():
    """grad() of bench_straightline's 30-line function, each time a fresh copy."""
    from bench_straightline import _transformation_times
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(4, 4)), rng.normal(size=(4, 4))
    made = _transformation_times(lambda f: grad(f, wrt=(0, 1)), 15)
    first = _transformation_times(lambda f: grad(f, wrt=(0, 1))(x, y), 15)
    print(f"\ngrad() on the 30-line function of bench_straightline: median "
          f"{made[len(made) // 2] * 1e3:.1f} ms, best {made[0] * 1e3:.1f} ms; "
          f"grad() and its first call (4x4 arrays): median {first[len(first) // 2] * 1e3:.1f} "
          f"ms, best {first[0] * 1e3:.1f} ms")
    import linecache
    rng = np.random.default_rng(2)
    args = (rng.normal(size=(8, 8)) * 0.3, rng.normal(size=(3, 8)) * 0.3,
            rng.normal(size=8), rng.normal(size=(6, 3)), [0.3, -0.2, 0.5, 0.1], 0.9, 1.0, 0.0)
    text = inspect.getsource(hundred_lines)
    lines = sum(len(inspect.getsource(f).splitlines())
                for f in (hundred_lines, _cell, _penalty, _smooth_max))
    times, firsts = [], []
    for k in range(10):
        filename = f"<hundred_lines {k} {time.time()}>"
        copy = text.replace("def hundred_lines(", f"def hundred_lines_{k}(")
        linecache.cache[filename] = (len(copy), None, copy.splitlines(True), filename)
        namespace = dict(globals())
        exec(compile(copy, filename, "exec"), namespace)
        start = time.perf_counter()
        derivative = grad(namespace[f"hundred_lines_{k}"], wrt=(0, 1, 2))
        times.append(time.perf_counter() - start)
        derivative(*args)
        firsts.append(time.perf_counter() - start)
    times.sort()
    firsts.sort()
    print(f"grad() on a function with loops and helpers, {lines} lines with them "
          "(hundred_lines): "
          f"median {times[len(times) // 2] * 1e3:.1f} ms, best {times[0] * 1e3:.1f} ms; with "
          f"its first call (which makes its variant for these arguments): median "
          f"{firsts[len(firsts) // 2] * 1e3:.1f} ms, best {firsts[0] * 1e3:.1f} ms")
    times = []
    for k in range(10):
        filename = f"<horner {k} {time.time()}>"
        text = inspect.getsource(horner).replace("def horner(", f"def horner_{k}(")
        linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
        namespace: dict = {}
        exec(compile(text, filename, "exec"), namespace)
        start = time.perf_counter()
        grad(namespace[f"horner_{k}"])(0.7, [1.0, 2.0])
        times.append(time.perf_counter() - start)
    times.sort()
    print(f"grad() and first call of Horner (c[i], list of floats): median "
          f"{times[len(times) // 2] * 1e3:.1f} ms, best {times[0] * 1e3:.1f} ms")


def main() -> None:
    import autograd_src
    autograd, tangent = optional("autograd"), optional("tangent")
    print(f"autograd_src from {os.path.dirname(autograd_src.__file__)}")
    start = time.perf_counter()
    scalar_loops(autograd, tangent)
    call_forms()
    transformation()
    print(f"\n(total {time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
