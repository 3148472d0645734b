"""Second-order checks on random programs: forward mode against reverse mode, and
second derivatives against finite differences of the gradient.

For a scalar program ``f`` at valid arguments (no comparison near its threshold,
stable differences), with ``grad`` first checked against the program's own
differences:

``jvp``
    ``jvp(f, args, v)`` against ``<grad f, v>`` (⟨u, J v⟩ = ⟨Jᵀ u, v⟩ for the
    scalar cotangent u = 1), to rounding.
``hvp``
    ``hvp(f, 0)(*args, v)`` against central differences of ``grad(f)`` along ``v``.
``jvp_grad``
    ``jvp(grad(f, wrt=all), args, v)``: every argument's gradient differentiated
    along every argument's direction, against differences of that gradient.
``grad_grad``
    ``grad(grad(f))(*args)``, the gradient of the summed gradient: ``H 1``, against
    differences of ``grad(f)`` along the ones (forward over reverse, reverse over
    reverse where that refuses).
``mixed``
    ``jvp(grad(f, wrt=0), args, v)`` with ``v`` zero on the first argument: the first
    argument's gradient along the others, which its helpers' derivatives (made for
    the first argument) do not differentiate (mixed partials: a gradient penalty),
    against differences of that gradient. Programs of one argument skip it.
``rev_rev``
    The same by reverse over reverse alone: grad of the general code of ``grad(f)``
    (run by the command line, not by ``check_program``'s default).

The differences of the gradient are the 5-point rule at step 1e-3 (the
expectation) and the 3-point rule at step 1e-5; where they disagree the check
is not counted (``unstable``). Each check ends ``ok``, ``wrong`` (a value came
back and differs: the worst outcome), ``refused`` (one of the library's errors,
saying why), or ``crash`` (any other exception: a bug).

Run over the shared fuzzer's programs (``../shared/fuzz``)::

    python -m tests.second_order_fuzz --n 2000 --seed 1 [--tier straight,control]

`tests/test_second_order_random.py` runs the same checks on the project's own
generator in CI.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import io
import os
import shutil
import sys
import tempfile
import time
import traceback
import warnings
from typing import Any, Callable, Optional

import numpy as np

from autograd_src import errors, grad, hvp, jvp
from autograd_src.api import general_code

LIBRARY_ERRORS = tuple(getattr(errors, name) for name in errors.__all__)
CHECKS = ("jvp", "hvp", "jvp_grad", "grad_grad", "mixed")
ALL_CHECKS = CHECKS + ("rev_rev",)
RTOL, ATOL = 1e-4, 1e-6


# ----- the checks on one program -----


def direction(args: tuple, rng: np.random.Generator) -> tuple:
    return tuple(float(rng.normal()) if isinstance(a, float) else rng.normal(size=np.shape(a))
                 for a in args)


def _along(args: tuple, v: tuple, eps: float, positions: tuple) -> tuple:
    out = list(args)
    for p in positions:
        out[p] = args[p] + eps * v[p]
    return tuple(out)


def _as_arrays(value: Any) -> list:
    if isinstance(value, (tuple, list)):
        return [np.asarray(x, dtype=np.float64) for x in value]
    return [np.asarray(value, dtype=np.float64)]


def gradient_differences(gradient: Callable[..., Any], args: tuple, v: tuple,
                         positions: tuple) -> tuple[Optional[list], list]:
    """The derivative of ``gradient`` along ``v`` (on ``positions``): the 5-point
    rule at 1e-3, or None where the 3-point rule at 1e-5 disagrees with it."""
    def at(eps: float) -> list:
        return _as_arrays(gradient(*_along(args, v, eps, positions)))

    h = 1e-3
    big = [(-a + 8 * b - 8 * c + d) / (12 * h)
           for a, b, c, d in zip(at(2 * h), at(h), at(-h), at(-2 * h))]
    k = 1e-5
    small = [(a - b) / (2 * k) for a, b in zip(at(k), at(-k))]
    for e, s in zip(big, small):
        if not np.all(np.abs(e - s) <= 0.25 * tolerance(e, big)):
            return None, big
    return big, big


def tolerance(expected: np.ndarray, every: list) -> np.ndarray:
    scale = max([1.0] + [float(np.max(np.abs(e))) for e in every if e.size])
    return ATOL * scale + RTOL * np.abs(expected)


def mismatch(got: Any, expected: list, shapes: list) -> Optional[str]:
    """None when ``got`` (one array or a tuple) matches ``expected``; else why not."""
    try:
        values = _as_arrays(got)
    except (TypeError, ValueError) as exc:
        return f"not numbers: {exc}"
    if len(values) != len(expected):
        return f"{len(values)} results, expected {len(expected)}"
    for k, (g, e, shape) in enumerate(zip(values, expected, shapes)):
        if g.shape != shape:
            return f"result {k} has shape {g.shape}, expected {shape}"
        if not np.all(np.isfinite(g)):
            return f"result {k} is not finite"
        err = np.abs(g - e)
        tol = tolerance(e, expected)
        if not np.all(err <= tol):
            i = int(np.argmax(err - tol))
            return (f"result {k}: element {i} is {g.flat[i]:.10g}, expected {e.flat[i]:.10g} "
                    f"(error {err.flat[i]:.3g}, allowed {tol.flat[i]:.3g})")
    return None


def _attempt(run: Callable[[], Any]) -> tuple[str, Any]:
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            return "value", run()
    except LIBRARY_ERRORS as exc:
        return "refused", exc
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # noqa: BLE001 - anything else is a bug to report
        return "crash", exc


def check_program(f: Callable[..., Any], args: tuple, seed: int,
                  expected_gradient: Optional[list] = None,
                  checks: tuple = CHECKS) -> dict:
    """``{check: (outcome, detail)}`` for one program at ``args``; ``{"grad": ...}``
    alone where grad refuses or is wrong (the second order checks need it)."""
    wrt = tuple(range(len(args)))
    shapes = [np.shape(a) for a in args]
    kind, gradients = _attempt(lambda: grad(f, wrt=wrt)(*args))
    if kind != "value":
        return {"grad": (kind, _describe(gradients))}
    if expected_gradient is not None:
        bad = mismatch(gradients, expected_gradient, shapes)
        if bad is not None:
            return {"grad": ("wrong", bad)}
    rng = np.random.default_rng(seed)
    v = direction(args, rng)
    gradients = _as_arrays(gradients)
    out: dict = {}
    if "jvp" in checks:
        reverse = sum(float(np.sum(g * np.asarray(t))) for g, t in zip(gradients, v))
        kind, result = _attempt(lambda: jvp(f, args, v))
        if kind == "value":
            tangent = float(np.asarray(result[1]))
            error = abs(tangent - reverse)
            out["jvp"] = ("ok", "") if error <= 1e-9 * max(1.0, abs(reverse)) else (
                "wrong", f"jvp gives {tangent!r}, <grad, v> {reverse!r}")
        else:
            out["jvp"] = (kind, _describe(result))
    kind, first = _attempt(lambda: grad(f, wrt=0))
    if kind != "value":  # grad with respect to the first argument alone refuses
        for name in ("hvp", "grad_grad", "rev_rev", "mixed"):
            if name in checks:
                out[name] = (kind, _describe(first))
        checks = tuple(c for c in checks
                       if c not in ("hvp", "grad_grad", "rev_rev", "mixed"))

    def second(name: str, run: Callable[[], Any], gradient: Callable[..., Any],
               direction_: tuple, positions: tuple, result_shapes: list) -> None:
        if name not in checks:
            return
        kind, result = _attempt(run)
        if kind != "value":
            out[name] = (kind, _describe(result))
            return
        expected, _ = gradient_differences(gradient, args, direction_, positions)
        if expected is None:
            out[name] = ("unstable", "")
            return
        bad = mismatch(result, expected, result_shapes)
        out[name] = ("ok", "") if bad is None else ("wrong", bad)

    second("hvp", lambda: hvp(f, 0)(*args, v[0]), first, v, (0,), [shapes[0]])
    everything = grad(f, wrt=wrt)
    second("jvp_grad", lambda: jvp(everything, args, v)[1], everything, v, wrt, shapes)
    ones = (np.ones_like(args[0]) if not isinstance(args[0], float) else 1.0,) + v[1:]
    second("grad_grad", lambda: grad(grad(f))(*args), first, ones, (0,), [shapes[0]])
    second("rev_rev", lambda: grad(general_code(grad(f)))(*args), first, ones, (0,),
           [shapes[0]])
    if len(args) > 1:
        others = (0.0 * v[0],) + v[1:]
        second("mixed", lambda: jvp(first, args, others)[1], first, others,
               wrt[1:], [shapes[0]])
    return out


def _describe(exc: Any) -> str:
    if not isinstance(exc, BaseException):
        return ""
    text = str(exc).strip().split("\n")[0][:300]
    if isinstance(exc, LIBRARY_ERRORS):
        return f"{type(exc).__name__}: {text}"
    tail = traceback.format_exception(type(exc), exc, exc.__traceback__)[-3:]
    return f"{type(exc).__name__}: {text}\n{''.join(tail)}"


# ----- over the shared fuzzer's programs -----


def _fuzz_modules(folder: str) -> tuple:
    sys.path.insert(0, folder)
    import gen  # noqa: PLC0415 - the shared fuzzer, outside the package
    import oracle  # noqa: PLC0415
    return gen, oracle


def _literal(value: Any) -> str:
    """``value`` as Python source the reproducer runs (np.array(...) for an array)."""
    if isinstance(value, np.ndarray):
        return f"np.array({value.tolist()!r})"
    if isinstance(value, (list, tuple)):
        inner = "".join(f"{_literal(v)}, " for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    return repr(float(value)) if isinstance(value, np.floating) else repr(value)


def main(argv: Optional[list] = None) -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fuzz", default=os.path.join(here, "..", "..", "shared", "fuzz"))
    parser.add_argument("--tier", default="straight,control,calls,data")
    parser.add_argument("--n", type=int, default=200, help="valid programs in all")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--per-program", type=float, default=20.0)
    parser.add_argument("--budget", type=float, default=3600.0)
    parser.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "second_order"))
    parser.add_argument("-v", "--verbose", action="store_true")
    a = parser.parse_args(argv)
    gen, oracle = _fuzz_modules(os.path.abspath(a.fuzz))
    tiers = a.tier.split(",")
    shutil.rmtree(a.out, ignore_errors=True)
    os.makedirs(a.out)
    workdir = tempfile.mkdtemp(prefix="second-order-")
    warnings.simplefilter("ignore")
    counts = {t: collections.Counter() for t in tiers}
    reasons: collections.Counter = collections.Counter()
    start = time.monotonic()
    quota = {t: a.n // len(tiers) + (k < a.n % len(tiers)) for k, t in enumerate(tiers)}
    done: collections.Counter = collections.Counter()
    attempts: collections.Counter = collections.Counter()
    while any(done[t] < quota[t] for t in tiers) and time.monotonic() - start < a.budget:
        for tier in tiers:
            if done[tier] >= quota[tier]:
                continue
            j = attempts[tier]
            attempts[tier] += 1
            seed = (a.seed << 32) + (gen.TIER_ORDER.index(tier) << 28) + j
            name = f"so_{tier}_{a.seed}_{j}"
            try:
                program = gen.generate(tier, seed)
                case = oracle.prepare(program, workdir, name, seed, use_hips=False)
            except oracle.Invalid:
                continue
            except Exception:  # noqa: BLE001 - the generator's own failures
                continue
            try:
                with oracle.alarm(a.per_program, "second order"):
                    result = check_program(case.f, case.args, seed, case.expected,
                                           checks=ALL_CHECKS)
            except oracle.Timeout:
                result = {"all": ("timeout", "")}
            done[tier] += 1
            for check, (outcome, detail) in result.items():
                counts[tier][(check, outcome)] += 1
                key = detail.split("\n")[0][:160]
                if outcome in ("wrong", "crash", "refused", "timeout"):
                    reasons[(check, outcome, key)] += 1
                saved = outcome in ("wrong", "crash", "timeout") or (
                    outcome == "refused" and reasons[(check, outcome, key)] <= 2)
                if saved:
                    path = os.path.join(a.out, f"{check}-{outcome}-{tier}-{j}.py")
                    with open(path, "w", encoding="utf-8") as fh:
                        args = "(" + "".join(f"{_literal(v)}, " for v in case.args) + ")"
                        fh.write(program.source + f"\n\nARGS = {args}\n"
                                 f"# {check}: {outcome}\n# " +
                                 detail.replace("\n", "\n# ") + "\n")
                    if a.verbose and outcome != "refused":
                        print(tier, j, check, outcome, detail.split("\n")[0], flush=True)
            case.forget()
    shutil.rmtree(workdir, ignore_errors=True)
    print(f"seed {a.seed}, {sum(done.values())} programs, {time.monotonic() - start:.0f} s")
    outcomes = ("ok", "wrong", "refused", "crash", "unstable", "timeout")
    print(f"{'tier':9}{'check':11}" + "".join(f"{o:>10}" for o in outcomes))
    for tier in tiers:
        for check in ("grad",) + ALL_CHECKS + ("all",):
            row = [counts[tier][(check, o)] for o in outcomes]
            if any(row):
                print(f"{tier:9}{check:11}" + "".join(f"{n:>10}" for n in row))
    for (check, outcome, key), n in reasons.most_common(40):
        print(f"{n:5} {check} {outcome}: {key}")
    failed = sum(n for c in counts.values() for (_, o), n in c.items()
                 if o in ("wrong", "crash"))
    print(f"failures (wrong or crash): {failed}; reproducers in {a.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
