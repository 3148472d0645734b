"""Forward mode and second order: generated tangents against hand-written ones.

    python benchmarks/bench_forward.py [--default-malloc]

Rows (microseconds per call and the ratio to the hand-written code, measured in
interleaved rounds):

- ``jvp`` of the scalar loops of the speed issue (Horner over 200 coefficients, the
  branchy loop over 100, the spring with 200 steps), with x a Python float or an
  np.float64 and c a list of Python floats or an array (read ``c[i]``), called
  through ``make_jvp(f)(x, c, dx=...)`` and through ``jvp(f, primals, tangents)``,
  against a hand-written forward-mode derivative given the same types and taking
  the tangent as the generated one does (``hand, dx=1 folded`` is one with the
  tangent 1 written into it, a multiplication fewer); ``code`` is the generated
  function alone (the variant the call ran), without the call's checks and choice;
- the JVP of Rosenbrock (N = 10^3, 10^6), of the MLP layer and of the RNN with
  respect to their first weights, against hand-written JVPs;
- ``hvp`` (forward over reverse) against one ``grad`` and a hand-written
  Hessian-vector product, on Rosenbrock N = 10^3 and 10^6; against one ``grad``
  on an MLP layer (784-256, batch 128), an RNN of 50 steps (hidden 64) and a loop
  of 8000 and 32000 steps (linear in its length);
- ``hessian`` of a 100-dimensional function against HIPS autograd's (and JAX's,
  eager and jit with its compile time, when installed).
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from common import best_times, keep_freed_memory, optional, report  # noqa: E402

from autograd_src import grad, hessian, hvp, jvp, make_jvp  # noqa: E402

# ----- scalar loops (the speed issue's forms) -----


def horner(x, c):
    y = 0.0
    for i in range(len(c)):
        y = y * x + c[i]
    return y


def horner_by_hand(x, c, dx):
    y, dy = 0.0, 0.0
    for i in range(len(c)):
        dy = dy * x + y * dx
        y = y * x + c[i]
    return y, dy


def horner_by_hand_unit(x, c):
    """The hand-written JVP with the tangent 1 folded in (one multiplication fewer)."""
    y, dy = 0.0, 0.0
    for i in range(len(c)):
        dy = dy * x + y
        y = y * x + c[i]
    return y, dy


def branchy(x, c):
    y = x
    for i in range(len(c)):
        if y > c[i]:
            y = 0.5 * y * x + c[i]
        else:
            y = 0.25 * y * y + x * c[i]
    return y


def branchy_by_hand(x, c, dx):
    y, dy = x, dx
    for i in range(len(c)):
        if y > c[i]:
            dy = 0.5 * (dy * x + y * dx)
            y = 0.5 * y * x + c[i]
        else:
            dy = 0.5 * y * dy + dx * c[i]
            y = 0.25 * y * y + x * c[i]
    return y, dy


def branchy_by_hand_unit(x, c):
    y, dy = x, 1.0
    for i in range(len(c)):
        if y > c[i]:
            dy = 0.5 * (dy * x + y)
            y = 0.5 * y * x + c[i]
        else:
            dy = 0.5 * y * dy + c[i]
            y = 0.25 * y * y + x * c[i]
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


def spring_by_hand(k, x0, v0, n_steps, dk):
    x, v, dx, dv = x0, v0, 0.0, 0.0
    dt = 0.01
    energy, denergy = 0.0, 0.0
    for _ in range(n_steps):
        a = -k * x - 0.1 * v
        da = -dk * x - k * dx - 0.1 * dv
        v = v + dt * a
        dv = dv + dt * da
        x = x + dt * v
        dx = dx + dt * dv
        energy = energy + 0.5 * v * v + 0.5 * k * x * x
        denergy = denergy + v * dv + 0.5 * dk * x * x + k * x * dx
    return energy, denergy


def spring_by_hand_unit(k, x0, v0, n_steps):
    x, v, dx, dv = x0, v0, 0.0, 0.0
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


# ----- arrays -----


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def rosenbrock_jvp_by_hand(x, v):
    a, b = x[:-1], x[1:]
    da, db = v[:-1], v[1:]
    diff = b - a ** 2
    one = 1 - a
    value = np.sum(100.0 * diff ** 2 + one ** 2)
    return value, np.sum(200.0 * diff * (db - 2 * a * da) - 2 * one * da)


def rosenbrock_hvp_by_hand(x, v):
    a, b = x[:-1], x[1:]
    da, db = v[:-1], v[1:]
    hv = np.zeros_like(x)
    hv[:-1] = (1200.0 * a ** 2 - 400.0 * b + 2) * da - 400.0 * a * db
    hv[1:] += 200.0 * db - 400.0 * a * da
    return hv


def mlp_loss(W1, X, labels):
    h = np.tanh(X @ W1)
    return np.mean((h - labels) ** 2)


def mlp_jvp_by_hand(W1, X, labels, V):
    h = np.tanh(X @ W1)
    dh = (X @ V) * (1 - h ** 2)
    diff = h - labels
    return np.mean(diff ** 2), np.mean(2 * diff * dh)


def rnn_jvp_by_hand(Wh, xs, Wx, b, V):
    h = np.zeros((xs.shape[1], Wh.shape[0]))
    dh = np.zeros_like(h)
    for t in range(1, xs.shape[0]):
        h_new = np.tanh(xs[t] @ Wx + h @ Wh + b)
        dh = (dh @ Wh + h @ V) * (1 - h_new ** 2)
        h = h_new
    return np.sum(h ** 2), np.sum(2 * h * dh)


def rnn_loss(Wh, xs, Wx, b):
    h = np.zeros((xs.shape[1], Wh.shape[0]))
    for t in range(1, xs.shape[0]):
        h = np.tanh(xs[t] @ Wx + h @ Wh + b)
    return np.sum(h ** 2)


def long_loop(x, n):
    y = x
    for _ in range(n):
        y = np.sin(y) * 0.9 + 0.1 * x
    return np.sum(y)


def sum_of_logs(x):
    return np.sum(np.log(1 + x ** 2)) + np.sum(np.tanh(x[1:] * x[:-1]))


def _check(a, b, rtol=1e-9):
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=rtol, atol=1e-9)


def scalar_rows() -> list:
    """Each loop in each input form; every function is given the same types (a tangent
    of x's type), the hand-written JVP takes the tangent as the generated one does."""
    rng = np.random.default_rng(0)
    c_list = [float(v) for v in rng.uniform(-1, 1, 200)]
    c_array = np.array(c_list)
    b_list = [float(v) for v in rng.uniform(-1, 1, 100)]
    b_array = np.array(b_list)
    f64 = np.float64
    cases = [
        ("Horner, float, list", horner, horner_by_hand, horner_by_hand_unit, (0.9, c_list)),
        ("Horner, float64, list", horner, horner_by_hand, horner_by_hand_unit,
         (f64(0.9), c_list)),
        ("Horner, float, array", horner, horner_by_hand, horner_by_hand_unit, (0.9, c_array)),
        ("Horner, float64, array", horner, horner_by_hand, horner_by_hand_unit,
         (f64(0.9), c_array)),
        ("branchy, float, list", branchy, branchy_by_hand, branchy_by_hand_unit,
         (0.9, b_list)),
        ("branchy, float64, list", branchy, branchy_by_hand, branchy_by_hand_unit,
         (f64(0.9), b_list)),
        ("branchy, float, array", branchy, branchy_by_hand, branchy_by_hand_unit,
         (0.9, b_array)),
        ("branchy, float64, array", branchy, branchy_by_hand, branchy_by_hand_unit,
         (f64(0.9), b_array)),
        ("spring 200, float", spring, spring_by_hand, spring_by_hand_unit,
         (1.5, 1.0, 0.0, 200)),
        ("spring 200, float64", spring, spring_by_hand, spring_by_hand_unit,
         (f64(1.5), f64(1.0), f64(0.0), 200)),
    ]
    rows = []
    for name, fn, by_hand, unit, args in cases:
        df = make_jvp(fn)
        tangent_name = df.tangents[0]
        dx = type(args[0])(1.0)
        tangents = (dx,) + (None,) * (len(args) - 1)
        for a, b in zip(df(*args, **{tangent_name: dx}), by_hand(*args, dx)):
            _check(a, b)
        for a, b in zip(jvp(fn, args, tangents), unit(*args)):
            _check(a, b)
        code = df.__wrapped__  # the variant that ran: the generated code alone
        times = best_times({
            "hand-written": lambda: by_hand(*args, dx),  # noqa: B023
            "code": lambda: code(*args, **{tangent_name: dx}),  # noqa: B023
            "make_jvp": lambda: df(*args, **{tangent_name: dx}),  # noqa: B023
            "jvp()": lambda: jvp(fn, args, tangents),  # noqa: B023
            "hand, dx=1 folded": lambda: unit(*args),  # noqa: B023
        })
        rows.append((name, times))
    return rows


def array_rows() -> list:
    rows = []
    for n in (10 ** 3, 10 ** 6):
        rng = np.random.default_rng(1)
        x, v = rng.uniform(-1, 1, n), rng.normal(size=n)
        df = make_jvp(rosenbrock)
        for a, b in zip(df(x, dx=v), rosenbrock_jvp_by_hand(x, v)):
            _check(a, b, 1e-7)
        rows.append((f"Rosenbrock JVP, N={n:.0e}", best_times({
            "hand-written": lambda: rosenbrock_jvp_by_hand(x, v),  # noqa: B023
            "make_jvp": lambda: df(x, dx=v),  # noqa: B023
        }, rounds=7 if n > 10 ** 5 else 15)))
    rng = np.random.default_rng(4)
    models = [("MLP JVP, 784-256, batch 128", mlp_loss, mlp_jvp_by_hand,
               (rng.normal(size=(784, 256)) * 0.05, rng.normal(size=(128, 784)),
                rng.normal(size=(128, 256)))),
              ("RNN JVP, 50 steps, hidden 64", rnn_loss, rnn_jvp_by_hand,
               (rng.normal(size=(64, 64)) * 0.1, rng.normal(size=(50, 16, 32)),
                rng.normal(size=(32, 64)) * 0.1, rng.normal(size=64) * 0.1))]
    for name, fn, by_hand, args in models:
        v = rng.normal(size=args[0].shape)
        df = make_jvp(fn)
        tangent_name = df.tangents[0]
        for a, b in zip(df(*args, **{tangent_name: v}), by_hand(*args, v)):
            _check(a, b, 1e-7)
        rows.append((name, best_times({
            "hand-written": lambda: by_hand(*args, v),  # noqa: B023
            "make_jvp": lambda: df(*args, **{tangent_name: v}),  # noqa: B023
        }, rounds=5)))
    return rows


def hvp_rows() -> list:
    rows = []
    for n in (10 ** 3, 10 ** 6):
        rng = np.random.default_rng(2)
        x, v = rng.uniform(-1, 1, n), rng.normal(size=n)
        product, gradient = hvp(rosenbrock), grad(rosenbrock)
        _check(product(x, v), rosenbrock_hvp_by_hand(x, v), 1e-7)
        times = best_times({
            "hand-written": lambda: rosenbrock_hvp_by_hand(x, v),  # noqa: B023
            "hvp": lambda: product(x, v),  # noqa: B023
            "one grad": lambda: gradient(x),  # noqa: B023
        }, rounds=7 if n > 10 ** 5 else 15)
        rows.append((f"Rosenbrock HVP, N={n:.0e}", times))
        print(f"  hvp / one grad, Rosenbrock N={n:.0e}: {times['hvp'] / times['one grad']:.2f}x")
    rng = np.random.default_rng(4)
    models = [("MLP 784-256, batch 128", mlp_loss,
               (rng.normal(size=(784, 256)) * 0.05, rng.normal(size=(128, 784)),
                rng.normal(size=(128, 256)))),
              ("RNN 50 steps, hidden 64", rnn_loss,
               (rng.normal(size=(64, 64)) * 0.1, rng.normal(size=(50, 16, 32)),
                rng.normal(size=(32, 64)) * 0.1, rng.normal(size=64) * 0.1))]
    # a long loop: hvp must stay linear in its length (it was O(n^2): a copy per push)
    models += [(f"loop of {n} steps on 2 values", long_loop, (np.array([0.3, 0.5]), n))
               for n in (8000, 32000)]
    for name, fn, args in models:
        v = rng.normal(size=args[0].shape)
        product, gradient = hvp(fn), grad(fn)
        eps = 1e-6
        shifted = (gradient(args[0] + eps * v, *args[1:])
                   - gradient(args[0] - eps * v, *args[1:])) / (2 * eps)
        _check(product(*args, v), shifted, 1e-4)
        times = best_times({
            "one grad": lambda: gradient(*args),  # noqa: B023
            "hvp": lambda: product(*args, v),  # noqa: B023
        }, rounds=5)
        print(f"  hvp / one grad, {name}: {times['hvp'] / times['one grad']:.2f}x "
              f"({times['one grad'] * 1e3:.2f} ms, {times['hvp'] * 1e3:.2f} ms)")
    return rows


def hessian_rows() -> None:
    x = np.random.default_rng(3).uniform(-1, 1, 100)
    start = time.perf_counter()
    ours = hessian(sum_of_logs)
    H = ours(x)
    first = time.perf_counter() - start
    times = best_times({"autograd_src": lambda: ours(x)}, rounds=3)
    print(f"hessian of a 100-d function: autograd_src {times['autograd_src'] * 1e3:.1f} ms "
          f"(first call, with generating both derivatives: {first * 1e3:.0f} ms)")
    autograd = optional("autograd")
    if autograd is not None:
        import types

        import autograd.numpy as anp
        theirs_fn = types.FunctionType(sum_of_logs.__code__, {"np": anp})
        theirs = autograd.hessian(theirs_fn)
        _check(theirs(x), H, 1e-8)
        t = best_times({"HIPS": lambda: theirs(x)}, rounds=3)["HIPS"]
        print(f"  HIPS autograd {t * 1e3:.1f} ms ({t / times['autograd_src']:.1f}x ours)")
    jax = optional("jax")
    if jax is not None:
        import jax.numpy as jnp
        jax.config.update("jax_enable_x64", True)
        jax_fn = jax.hessian(lambda z: jnp.sum(jnp.log(1 + z ** 2))
                             + jnp.sum(jnp.tanh(z[1:] * z[:-1])))
        start = time.perf_counter()
        jitted = jax.jit(jax_fn)
        jitted(x).block_until_ready()
        compile_time = time.perf_counter() - start
        eager = best_times({"e": lambda: jax_fn(x).block_until_ready()}, rounds=3)["e"]
        jit = best_times({"j": lambda: jitted(x).block_until_ready()}, rounds=3)["j"]
        print(f"  JAX eager {eager * 1e3:.1f} ms, jit {jit * 1e3:.2f} ms "
              f"(compile {compile_time * 1e3:.0f} ms)")
    else:
        print("  (JAX not installed: no JAX rows)")


def main() -> None:
    if "--default-malloc" not in sys.argv:
        keep_freed_memory()
    print("jvp of scalar loops (value and tangent) against a hand-written forward derivative:")
    report(scalar_rows())
    print("\nJVP of arrays:")
    report(array_rows())
    print("\nHessian-vector products (forward over reverse):")
    report(hvp_rows())
    print()
    hessian_rows()


if __name__ == "__main__":
    main()
