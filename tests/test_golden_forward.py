"""Golden snapshots of forward-mode derivatives (`make_jvp`), and of a Hessian-vector
product's code (forward mode over grad's code): readable code is the product.

Regenerate after an intended change with:
    AUTOGRAD_SRC_UPDATE_GOLDEN=1 python -m pytest tests/test_golden_forward.py
then read the diff. Each snapshot is also executed as stored and its tangent
compared with reverse mode's gradient along the same direction.
"""

import os
import pathlib

import numpy as np
import pytest

from autograd_src import grad, hvp, make_jvp
from autograd_src.rules import runtime
from autograd_src.rules.runtime import forward as forward_runtime

from .golden_functions import (
    GOLDEN_ARGS,
    branchy,
    newton,
    rnn_overwrite,
    rnn_with_cell,
    rosenbrock,
    scalar_physics,
    sigmoid_loss,
    squares_of_even,
)

HERE = pathlib.Path(__file__).parent / "golden" / "forward"

FORWARD = [
    (sigmoid_loss, 0),
    (rosenbrock, 0),
    (scalar_physics, ("v", "k")),
    (branchy, (0, 1)),
    (rnn_overwrite, 0),
    (newton, 0),
    (rnn_with_cell, (0, 2)),
    (squares_of_even, 0),
]
IDS = [fn.__name__ for fn, _ in FORWARD]


def _check_snapshot(text: str, name: str) -> None:
    path = HERE / f"{name}.gast.py.txt"
    if os.environ.get("AUTOGRAD_SRC_UPDATE_GOLDEN"):
        if not path.exists() or path.read_text() != text:
            HERE.mkdir(exist_ok=True)
            path.write_text(text)
            pytest.fail(f"rewrote {path.name} (AUTOGRAD_SRC_UPDATE_GOLDEN is set): review "
                        "the diff, then run again without the variable")
    assert path.exists(), f"no snapshot {path.name}; make it with AUTOGRAD_SRC_UPDATE_GOLDEN=1"
    assert text == path.read_text()


def _positions(fn, wrt):
    import inspect
    names = list(inspect.signature(fn).parameters)
    return [names.index(w) if isinstance(w, str) else w
            for w in (wrt if isinstance(wrt, tuple) else (wrt,))]


@pytest.mark.parametrize("fn, wrt", FORWARD, ids=IDS)
def test_forward_code_matches_snapshot(fn, wrt):
    _check_snapshot(make_jvp(fn, wrt).source, fn.__name__)


@pytest.mark.parametrize("fn, wrt", FORWARD, ids=IDS)
def test_snapshot_runs_and_agrees_with_reverse_mode(fn, wrt):
    path = HERE / f"{fn.__name__}.gast.py.txt"
    text = path.read_text()
    namespace = dict(fn.__globals__, _ad=runtime, np=np, _fwd=forward_runtime)
    exec(compile(text, f"<golden forward {fn.__name__}>", "exec"), namespace)
    derivative = namespace[text[4:text.index("(")]]
    positions = _positions(fn, wrt)
    rng = np.random.default_rng(0)
    for args in GOLDEN_ARGS[fn.__name__]:
        tangents = [float(rng.normal()) if isinstance(args[p], float)
                    else rng.normal(size=np.shape(args[p])) for p in positions]
        names = ["d" + fn.__code__.co_varnames[p] for p in positions]
        value, tangent = derivative(*args, **dict(zip(names, tangents)))
        np.testing.assert_allclose(value, fn(*args))
        gradients = grad(fn, wrt=tuple(positions))(*args)
        expected = sum(np.sum(g * t) for g, t in zip(gradients, tangents))
        np.testing.assert_allclose(tangent, expected, rtol=1e-10, atol=1e-12)


def test_hessian_vector_product_code_matches_snapshot():
    _check_snapshot(hvp(rosenbrock).source, "rosenbrock_hvp")
