"""Properties of `grad` on programs nobody designed: a correct gradient or a clear refusal.

`program_generator` writes seeded random programs (branches, loops, helpers
taking lists, tuples and dicts, closures, reassignment, shared subexpressions),
each with one feature forced in. Each is written to a ``.py`` module (grad reads
source) and imported. The library's rule is checked on every one: the gradient
matches 5-point central differences, or `grad` raises one of its own errors
(`autograd_src.errors`). A wrong gradient, or any other exception (a TypeError
from inside generated code, say), fails. Refusals are counted per feature;
``pytest -s`` prints the table.

Also here: ``value_and_grad`` returns exactly ``f``'s value, on the generated
programs and on every function of the project's corpora; switching the
rewriting passes off (``optimize=False``) changes no gradient; moving a loop, or
its body, into a helper changes no gradient.

A wrong result found here is reduced to its smallest program and kept in
`REPRODUCERS` for good; while it is not fixed, its name is in `KNOWN_WRONG`
(xfail, not strict), and the seeds that hit it are in `XFAIL_SEEDS`.
"""

from __future__ import annotations

import collections
import functools
import importlib.util
import inspect
import itertools
import os
import re
import sys

import numpy as np
import pytest

import autograd_src
from autograd_src import errors, grad, value_and_grad

from . import (
    control_flow_cases,
    corpus,
    golden_functions,
    helper_cases,
    list_cases,
    model_cases,
    mutation_cases,
)
from . import program_generator as pg

LIBRARY_ERRORS = tuple(getattr(errors, name) for name in errors.__all__)
PER_FEATURE = 30
SEEDS = range(PER_FEATURE * len(pg.FEATURES))
MOVED_SEEDS = range(1000, 1030)

# Wrong results found by these tests (or while writing them), each reduced to the
# smallest program that shows it: name -> (source, arguments). Every one is checked
# like a generated program; those not fixed yet are in KNOWN_WRONG (xfail).
REPRODUCERS: dict[str, tuple[str, tuple]] = {
    "same_subexpression_in_both_arms_in_a_loop": ("""\
import numpy as np


def f(x):
    s = 0.0
    for i in range(len(x)):
        if x[i] > 0:
            s = s + x[i] * 2
        else:
            s = s + x[i] * 3
    return s
""", (np.array([0.5, -0.7, 1.1]),)),
    "helper_loops_over_a_list": ("""\
import numpy as np


def total(ws):
    s = 0.0
    for w in ws:
        s = s + w
    return s


def f(x):
    return np.sum(total([x]))
""", (np.array([0.5, -0.7, 1.1]),)),
    "dict_of_two_values_to_a_helper": ("""\
import numpy as np


def model(p):
    return p['w'] + p['b']


def f(w, v):
    return np.sum(model({'w': w, 'b': v}))
""", (np.array([0.5, -0.7]), np.array([0.2, 0.3]))),
    "self_assignment_in_an_arm": ("""\
import numpy as np


def f(x, y):
    y = np.sin(y) if np.sum(x) > 0 else y
    return np.sum(y * x)
""", (np.array([0.5, 1.0]), np.array([0.3, -0.2]))),
    "self_assignment_in_a_loop": ("""\
import numpy as np


def f(w):
    it = 0
    while np.min(w) < 0 and it < 2:
        it += 1
        w = w
    return np.sum(w ** 2)
""", (np.array([-0.5, 1.0]),)),
    "loop_over_a_rebound_iterable": ("""\
import numpy as np


def f(x, y):
    c = 0.0
    for e in y:
        c = c + e
        y = x * 2.0
    return c
""", (np.array([1.0, 2.0, 3.0]), np.array([0.5, 0.6, 0.7]))),
    "constant_array_updated_in_place_after_use": ("""\
import numpy as np


def f(y):
    z = np.ones(len(y))
    s = np.sum(y * z)
    z *= 0.0
    return s
""", (np.array([0.5, -0.7, 1.1]),)),
    "constant_array_item_updated_in_place_after_use": ("""\
import numpy as np


def f(M):
    z = np.ones(3)
    s = np.sum(M[0] * z)
    z[0] -= 0.5
    return s
""", (np.array([[0.3, -0.2, 0.5], [0.1, 0.4, -0.6], [0.7, 0.2, -0.1]]),)),
}

# Reproducers still wrong: name -> what goes wrong.
KNOWN_WRONG: dict[str, str] = {}

# Generated programs that hit a KNOWN_WRONG entry: seed -> the entry's reason.
XFAIL_SEEDS: dict[int, str] = {}
XFAIL_MOVED: dict[int, str] = {}

_OUTCOMES: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
_REASONS: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)


@pytest.fixture(scope="module", autouse=True)
def _print_refusals():
    yield
    if not _OUTCOMES:
        return
    print("\n\nrandom programs: outcome per forced feature")
    for feature in [*pg.FEATURES, *sorted(set(_OUTCOMES) - set(pg.FEATURES))]:
        counts = _OUTCOMES.get(feature, {})
        print(f"  {feature:13s} " + "  ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    for feature, reasons in sorted(_REASONS.items()):
        print(f"  refusals, {feature}:")
        for reason, count in reasons.most_common():
            print(f"    {count:3d}  {reason}")


@functools.lru_cache(maxsize=None)
def program(seed: int, move: str = "") -> pg.Program:
    if move:
        return pg.generate(seed, pg.FEATURES[2 + seed % 2 * 4], move=move)  # for_loop, indexing
    return pg.generate(seed, pg.FEATURES[seed % len(pg.FEATURES)])


def load(source: str, tmp_path, name: str):
    """``f`` of ``source``, written to a module file and imported (grad reads its source)."""
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module.f


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """``f`` of the program of a seed, imported once (so its transformations are cached)."""
    folder = tmp_path_factory.mktemp("programs")
    loaded: dict[int, object] = {}

    def get(seed: int):
        if seed not in loaded:
            loaded[seed] = load(program(seed).source, folder, f"generated_{seed}")
        return loaded[seed]

    yield get
    for name in [name for name in sys.modules if name.startswith("generated_")]:
        del sys.modules[name]


def copies(args: tuple) -> tuple:
    return tuple(np.copy(a) if isinstance(a, np.ndarray) else a for a in args)


def describe(source: str, args: tuple) -> str:
    shown = ", ".join(np.array2string(np.asarray(a), separator=", ", precision=17)
                      if isinstance(a, np.ndarray) else repr(a) for a in args)
    return f"\n--- program ---\n{source}--- arguments ---\n({shown})\n"


def _reason(exc: Exception, source: str) -> str:
    """The first line of a refusal, the program's own names replaced by NAME (to count them)."""
    first = re.sub(r"\b(?:[A-Za-z_]+\d+|x|y|c|M)\b", "NAME", str(exc).splitlines()[0])
    return f"{type(exc).__name__}: {first[:100]}"


def gradient_or_refusal(fn, source: str, args: tuple, wrt: tuple, feature: str = "",
                        **options):
    """The gradient, or None when grad refused with one of the library's own errors.

    A refusal must point at a line of the program's own file, as the library promises.
    """
    given = copies(args)
    try:
        got = grad(fn, wrt=wrt, **options)(*given)
    except LIBRARY_ERRORS as exc:
        where = inspect.getsourcefile(fn)
        if isinstance(exc, errors.InPlaceUpdateError):  # raised as it ran, at the program
            located = str(exc).startswith(os.path.basename(where) + ":")
        else:
            located = isinstance(exc, errors.DiffSyntaxError) and exc.filename == where and \
                bool(exc.text and exc.text.strip() in source)
        assert located, (
            f"refusal not located at the program: {exc!r} at "
            f"{getattr(exc, 'filename', '')}:{getattr(exc, 'lineno', '')}"
            f"{describe(source, args)}")
        if feature:
            _OUTCOMES[feature]["refused"] += 1
            _REASONS[feature][_reason(exc, source)] += 1
        return None
    except Exception as exc:
        raise AssertionError(f"grad raised {type(exc).__name__}: {exc}"
                             f"{describe(source, args)}") from exc
    for a, b in zip(given, args):
        assert np.array_equal(a, b), "the derivative modified an argument" + describe(source, args)
    return got


def assert_gradient(got, expected, args: tuple, source: str, fn=None, wrt=()) -> None:
    assert isinstance(got, tuple) and len(got) == len(expected), describe(source, args)
    for k, (g, e, a) in enumerate(zip(got, expected, args)):
        assert np.shape(g) == np.shape(a), f"gradient {k} has shape {np.shape(g)}" + describe(
            source, args)
        bad = np.abs(np.asarray(g, dtype=np.float64) - e) > pg.tolerance(e)
        if np.any(bad):
            text = grad(fn, wrt=wrt).source if fn is not None else ""
            raise AssertionError(f"gradient {k} is wrong\n  got      {np.ravel(g)}\n"
                                 f"  expected {np.ravel(e)}{describe(source, args)}"
                                 f"--- derivative ---\n{text}")


def _seed_params(seeds, xfails):
    return [pytest.param(s, marks=pytest.mark.xfail(strict=False, reason=xfails[s]))
            if s in xfails else s for s in seeds]


# --- generated programs against finite differences ----------------------------

@pytest.mark.parametrize("seed", _seed_params(SEEDS, XFAIL_SEEDS))
def test_gradient_is_right_or_refused(seed, generated):
    p = program(seed)
    fn = generated(seed)
    got = gradient_or_refusal(fn, p.source, p.args, p.wrt, p.feature)
    if got is None:
        return
    assert_gradient(got, p.expected, p.args, p.source, fn, p.wrt)
    _OUTCOMES[p.feature]["right"] += 1


@pytest.mark.parametrize("name", [
    pytest.param(name, marks=pytest.mark.xfail(strict=False, reason=KNOWN_WRONG[name]))
    if name in KNOWN_WRONG else name for name in REPRODUCERS])
def test_reduced_reproducers(name, tmp_path):
    source, args = REPRODUCERS[name]
    fn = load(source, tmp_path, f"generated_reproducer_{name}")
    wrt = tuple(range(len(args)))
    got = gradient_or_refusal(fn, source, args, wrt)
    if got is not None:
        assert_gradient(got, pg.finite_differences(fn, args, wrt), args, source, fn, wrt)
        value, _ = value_and_grad(fn, wrt=wrt)(*copies(args))
        assert _same_value(value, fn(*copies(args))), describe(source, args)


def test_generator_covers_every_feature():
    used = collections.Counter(f for seed in SEEDS for f in program(seed).features)
    for feature in pg.FEATURES + ("break_continue",):
        assert used[feature] >= PER_FEATURE, (feature, used)
    assert used["early_return"] >= 10, used


# --- value_and_grad returns f's own value -------------------------------------

def _same_value(value, expected) -> bool:
    value, expected = np.asarray(value), np.asarray(expected)
    return value.shape == expected.shape and bool(np.all(
        (value == expected) | (np.abs(value - expected) <= 1e-12 * np.abs(expected))))


@pytest.mark.parametrize("seed", _seed_params(SEEDS, XFAIL_SEEDS))
def test_value_and_grad_returns_the_value_of_f(seed, generated):
    p = program(seed)
    fn = generated(seed)
    try:
        value, gradient = value_and_grad(fn, wrt=p.wrt)(*copies(p.args))
    except LIBRARY_ERRORS:
        return
    assert _same_value(value, fn(*copies(p.args))), describe(p.source, p.args)
    # ... and the gradient grad gives.
    assert _same_gradients(gradient, grad(fn, wrt=p.wrt)(*copies(p.args))), describe(
        p.source, p.args)


def _golden_arguments(r):
    return {
        "sigmoid_loss": (r.normal(size=3), r.normal(size=(6, 3)), r.uniform(0, 1, 6).round()),
        "mlp_loss": (r.normal(size=(4, 5)) * 0.5, r.normal(size=5) * 0.1,
                     r.normal(size=(5, 3)) * 0.5, r.normal(size=3) * 0.1,
                     r.normal(size=(6, 4)), np.eye(3)[r.integers(0, 3, 6)]),
        "rosenbrock": (r.normal(size=5),),
        "overwrite": (r.normal(size=3), r.normal(size=3)),
        "scalar_physics": (0.7, 1.3, 0.4),
        "branchy": (r.normal(size=3), r.normal(size=3)),
        "rnn_overwrite": (r.normal(size=(3, 3)) * 0.5, r.normal(size=3)),
        "newton": (2.0,),
        "first_crossing": (r.uniform(0.2, 0.4, 3),),
        "rnn_with_cell": (r.normal(size=(3, 3)) * 0.5, r.normal(size=(4, 3)), r.normal(size=3)),
        "model": (r.normal(size=3),),
        "stencil": (r.normal(size=6), 0.1),
        "squares_of_even": (r.normal(size=5),),
        "loss": (r.normal(size=(4, 3)), r.normal(size=(4, 2))),
        "mlp_pairs": ([(r.normal(size=(3, 4)) * 0.5, r.normal(size=4)),
                       (r.normal(size=(4, 2)) * 0.5, r.normal(size=2))],
                      r.normal(size=(5, 3)), r.normal(size=(5, 2))),
        "spread_penalty": (r.normal(size=(6, 3)),),
    }


def corpus_cases():
    """(id, function, argument factory, wrt) for every function of the project's corpora."""
    cases = []
    for module in (corpus, helper_cases, list_cases, model_cases, mutation_cases):
        for fn, make_args, wrt in module.CASES:
            cases.append((f"{module.__name__.split('.')[-1]}.{fn.__name__}", fn, make_args, wrt))
    for fn, makers, wrt in control_flow_cases.CASES:
        for k, make_args in enumerate(makers):
            cases.append((f"control_flow_cases.{fn.__name__}-{k}", fn, make_args, wrt))
    for fn, wrt in golden_functions.GOLDEN:
        make_args = functools.partial(lambda name, r: _golden_arguments(r)[name], fn.__name__)
        cases.append((f"golden_functions.{fn.__name__}", fn, make_args, wrt))
    return cases


CORPUS = corpus_cases()


@pytest.mark.parametrize("fn, make_args, wrt", [c[1:] for c in CORPUS], ids=[c[0] for c in CORPUS])
def test_value_and_grad_returns_the_value_of_corpus_functions(fn, make_args, wrt):
    args = make_args(np.random.default_rng(0))
    value, _ = value_and_grad(fn, wrt=wrt)(*copies(args))
    assert _same_value(value, fn(*copies(args)))


# --- the rewriting passes change no gradient -----------------------------------

HAS_OPTIMIZE = "optimize" in inspect.signature(autograd_src.grad).parameters
needs_optimize = pytest.mark.skipif(not HAS_OPTIMIZE, reason="grad has no optimize= option yet")


def _same_gradients(a, b) -> bool:
    a = a if isinstance(a, tuple) else (a,)
    b = b if isinstance(b, tuple) else (b,)
    return len(a) == len(b) and all(_same_gradient(x, y) for x, y in zip(a, b))


def _same_gradient(x, y) -> bool:
    """Equal to rounding, item by item for the gradient of a list or dict argument."""
    if isinstance(x, dict) or isinstance(y, dict):
        return isinstance(x, dict) and isinstance(y, dict) and x.keys() == y.keys() and \
            all(_same_gradient(x[k], y[k]) for k in x)
    if isinstance(x, (list, tuple)) or isinstance(y, (list, tuple)):
        return isinstance(x, (list, tuple)) and isinstance(y, (list, tuple)) and \
            len(x) == len(y) and all(_same_gradient(p, q) for p, q in zip(x, y))
    return np.shape(x) == np.shape(y) and np.allclose(x, y, rtol=1e-12, atol=1e-12 * max(
        1.0, float(np.max(np.abs(y), initial=0.0))))


def _with_and_without_rewrites(fn, source: str, args: tuple, wrt) -> None:
    results = []
    for optimize in (True, False):
        try:
            results.append(grad(fn, wrt=wrt, optimize=optimize)(*copies(args)))
        except LIBRARY_ERRORS as exc:
            results.append(exc)
    on, off = results
    if isinstance(on, Exception) or isinstance(off, Exception):
        assert type(on) is type(off), f"optimize on: {on!r}, off: {off!r}" + describe(source, args)
        return
    assert _same_gradients(on, off), f"on: {on}\noff: {off}" + describe(source, args)


@needs_optimize
def test_optimize_false_really_leaves_the_rewrites_out():
    fn = golden_functions.rosenbrock
    assert grad(fn, optimize=False).source != grad(fn).source


@needs_optimize
@pytest.mark.parametrize("fn, make_args, wrt", [c[1:] for c in CORPUS], ids=[c[0] for c in CORPUS])
def test_rewrites_change_no_corpus_gradient(fn, make_args, wrt):
    args = make_args(np.random.default_rng(0))
    _with_and_without_rewrites(fn, inspect.getsource(fn), args, wrt)


@needs_optimize
@pytest.mark.parametrize("seed", _seed_params(SEEDS, XFAIL_SEEDS))
def test_rewrites_change_no_generated_gradient(seed, generated):
    p = program(seed)
    fn = generated(seed)
    _with_and_without_rewrites(fn, p.source, p.args, p.wrt)


# --- a loop moved into a helper keeps its gradient ------------------------------

@pytest.mark.parametrize("seed", _seed_params(MOVED_SEEDS, XFAIL_MOVED))
def test_loop_moved_into_a_helper_keeps_its_gradient(seed, tmp_path):
    move = ("body", "loop")[seed % 2]
    p = program(seed, move)
    inline = load(p.source, tmp_path, f"generated_{seed}_inline")
    moved = load(p.moved, tmp_path, f"generated_{seed}_moved")
    assert moved(*copies(p.args)) == p.value, describe(p.moved, p.args)
    feature = f"moved_{move}"
    got = [gradient_or_refusal(fn, text, p.args, p.wrt, feature)
           for fn, text in ((inline, p.source), (moved, p.moved))]
    for fn, text, g in zip((inline, moved), (p.source, p.moved), got):
        if g is not None:
            assert_gradient(g, p.expected, p.args, text, fn, p.wrt)
            _OUTCOMES[feature]["right"] += 1
    if all(g is not None for g in got):
        assert _same_gradients(*got), describe(p.source, p.args) + describe(p.moved, p.args)


def test_moved_programs_really_move_a_loop():
    for seed in itertools.islice(MOVED_SEEDS, 6):
        p = program(seed, ("body", "loop")[seed % 2])
        assert ("def body0(" if seed % 2 == 0 else "def loop0(") in p.moved
        assert p.moved.count("\n") > p.source.count("\n")
