"""Golden snapshots of the scalar variants a call with Python floats and lists of
floats runs (issue #12: "the generated scalar variant reads like the hand-written
code"): the workloads of bench_scalar_loops, as users write them. With one
differentiated number the variant is made by forward mode (``NAME_forward.py.txt``);
reverse mode's scalar variant, which calls differentiating several numbers or a list
run, is kept too (``NAME.py.txt``, made under ``reverse_mode_only``).

Regenerate after an intended change with
    AUTOGRAD_SRC_UPDATE_GOLDEN=1 python -m pytest tests/test_golden_variants.py
and read the diff. Each stored text is also run, as stored, against finite differences.
"""

import contextlib
import pathlib

import numpy as np
import pytest

from autograd_src import grad
from autograd_src.rules import runtime
from autograd_src.testing import numerical_grad
from autograd_src.transform.by_forward_mode import reverse_mode_only

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


MODES = ["forward", "reverse"]


def _variant_source(fn, args, mode):
    with contextlib.ExitStack() as stack:
        if mode == "reverse":
            stack.enter_context(reverse_mode_only())
        df = grad(fn)
        df(*args)
    assert any(key.startswith("scalars") for key in df.variants)
    assert ("# forward mode:" in df.source) == (mode == "forward")
    return df.source


def _snapshot(fn, mode):
    return HERE / (f"{fn.__name__}_forward.py.txt" if mode == "forward"
                   else f"{fn.__name__}.py.txt")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fn, args", CASES, ids=IDS)
def test_scalar_variant_matches_snapshot(fn, args, mode):
    assert_matches_snapshot(_snapshot(fn, mode), _variant_source(fn, args, mode))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fn, args", CASES, ids=IDS)
def test_scalar_variant_reads_like_hand_written_code(fn, args, mode):
    text = _variant_source(fn, args, mode)
    assert "np.shape" not in text and "zeros_like" not in text and "= None" not in text
    assert "unbroadcast" not in text and "# Undo" not in text
    if mode == "forward":
        assert "_stack" not in text and "reversed(" not in text  # one pass


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fn, args", CASES, ids=IDS)
def test_stored_variant_runs_and_matches_finite_differences(fn, args, mode):
    text = _snapshot(fn, mode).read_text()
    namespace = dict(fn.__globals__, _ad=runtime, np=np)
    exec(compile(text, f"<golden variant {fn.__name__}>", "exec"), namespace)
    derivative = namespace[text[4:text.index("(")]]
    expected = numerical_grad(fn, list(args), 0)
    np.testing.assert_allclose(derivative(*args), expected, rtol=1e-7, atol=1e-9)
