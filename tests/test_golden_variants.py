"""Golden snapshots of the scalar variants a call with Python floats and lists of
floats runs (issue #12: "the generated scalar variant reads like the hand-written
code"): the workloads of bench_scalar_loops, as users write them.

Regenerate after an intended change with
    AUTOGRAD_SRC_UPDATE_GOLDEN=1 python -m pytest tests/test_golden_variants.py
and read the diff. Each stored text is also run, as stored, against finite differences.
"""

import pathlib

import numpy as np
import pytest

from autograd_src import grad
from autograd_src.rules import runtime
from autograd_src.testing import numerical_grad

from .test_golden import assert_matches_snapshot

HERE = pathlib.Path(__file__).parent / "golden" / "variants"


def horner(x, c):
    y = 0.0
    for i in range(len(c)):
        y = y * x + c[i]
    return y


def horner_for(x, c):
    y = 0.0
    for ci in c:
        y = y * x + ci
    return y


def branchy(x, c):
    y = x
    for i in range(len(c)):
        if y > c[i]:
            y = 0.5 * y * x + c[i]
        else:
            y = 0.25 * y * y + x * c[i]
    return y


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


C = [0.3, -0.2, 0.7, 0.1, -0.5]
CASES = [(horner, (0.9, C)), (horner_for, (0.9, C)), (branchy, (0.6, C)),
         (spring, (1.3, 1.0, 0.0, 6))]
IDS = [fn.__name__ for fn, _ in CASES]


def _variant_source(fn, args):
    df = grad(fn)
    df(*args)
    assert any(key.startswith("scalars") for key in df.variants)
    return df.source


@pytest.mark.parametrize("fn, args", CASES, ids=IDS)
def test_scalar_variant_matches_snapshot(fn, args):
    assert_matches_snapshot(HERE / f"{fn.__name__}.py.txt", _variant_source(fn, args))


@pytest.mark.parametrize("fn, args", CASES, ids=IDS)
def test_scalar_variant_reads_like_hand_written_code(fn, args):
    text = _variant_source(fn, args)
    assert "np.shape" not in text and "zeros_like" not in text and "= None" not in text
    assert "unbroadcast" not in text and "# Undo" not in text


@pytest.mark.parametrize("fn, args", CASES, ids=IDS)
def test_stored_variant_runs_and_matches_finite_differences(fn, args):
    text = (HERE / f"{fn.__name__}.py.txt").read_text()
    namespace = dict(fn.__globals__, _ad=runtime, np=np)
    exec(compile(text, f"<golden variant {fn.__name__}>", "exec"), namespace)
    derivative = namespace[text[4:text.index("(")]]
    expected = numerical_grad(fn, list(args), 0)
    np.testing.assert_allclose(derivative(*args), expected, rtol=1e-7, atol=1e-9)
