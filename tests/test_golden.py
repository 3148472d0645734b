"""Golden snapshots of generated code: readability is a feature, so it is tested.

Regenerate after an intended change with:
    AUTOGRAD_SRC_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
then read the diff before committing it. A run with the variable set fails for
every snapshot it rewrote (so it can never pass silently, in CI or anywhere);
run again without it to see the suite pass.

A snapshot only says the code did not change, not that it is right: each one
is also executed, exactly as stored, and its gradients compared with finite
differences at points chosen so that a wrong rule shows (no zeros or ones, and
every branch taken).
"""

import inspect
import os
import pathlib

import numpy as np
import pytest

from autograd_src import derivative_source
from autograd_src.rules import composites, runtime
from autograd_src.testing import _leaf_of, _leaves, _with_leaf, check_grads, numerical_grad

from .golden_functions import GOLDEN, GOLDEN_ARGS

HERE = pathlib.Path(__file__).parent / "golden"
IDS = [fn.__name__ for fn, _ in GOLDEN]


def _positions(fn, wrt):
    """``wrt`` as positions of ``fn``'s parameters (``self`` not counted)."""
    names = list(inspect.signature(fn).parameters)
    return [names.index(w) if isinstance(w, str) else w
            for w in (wrt if isinstance(wrt, tuple) else (wrt,))]


@pytest.mark.parametrize("fn, wrt", GOLDEN, ids=IDS)
@pytest.mark.parametrize("printer", ["gast", "astunparse"])
def test_generated_code_matches_snapshot(fn, wrt, printer):
    text = derivative_source(fn, wrt, printer=printer)
    assert_matches_snapshot(HERE / f"{fn.__name__}.{printer}.py.txt", text)


def assert_matches_snapshot(path, text):
    """``text`` is the stored snapshot at ``path`` (rewritten, and failed, where
    AUTOGRAD_SRC_UPDATE_GOLDEN is set and it differs)."""
    if os.environ.get("AUTOGRAD_SRC_UPDATE_GOLDEN"):
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            pytest.fail(f"rewrote {path.name} (AUTOGRAD_SRC_UPDATE_GOLDEN is set): review "
                        "the diff, then run again without the variable")
    assert path.exists(), f"no snapshot {path.name}; make it with AUTOGRAD_SRC_UPDATE_GOLDEN=1"
    assert text == path.read_text()


@pytest.mark.parametrize("fn, wrt", GOLDEN, ids=IDS)
def test_printers_produce_the_same_program(fn, wrt):
    import ast
    a = ast.dump(ast.parse(derivative_source(fn, wrt, printer="gast")))
    b = ast.dump(ast.parse(derivative_source(fn, wrt, printer="astunparse")))
    assert a == b


def test_every_golden_function_has_arguments():
    assert sorted(GOLDEN_ARGS) == sorted(IDS)


@pytest.mark.parametrize("fn, wrt", GOLDEN, ids=IDS)
def test_golden_derivative_matches_finite_differences(fn, wrt):
    positions = _positions(fn, wrt)
    for args in GOLDEN_ARGS[fn.__name__]:
        check_grads(fn, *args, wrt=positions if isinstance(wrt, tuple) else positions[0])


def _run_snapshot(fn, text, args):
    """Execute the stored text of a snapshot as the derivative of ``fn`` at ``args``."""
    # (the derivatives of NumPy's composites read their module's helpers, _as_rows)
    namespace = {**vars(composites), **fn.__globals__}
    function = getattr(fn, "__func__", fn)
    code = function.__code__
    namespace.update(zip(code.co_freevars, (c.cell_contents for c in function.__closure__ or ())))
    namespace.update(_ad=runtime, np=np)
    exec(compile(text, f"<golden {fn.__name__}>", "exec"), namespace)
    derivative = namespace[text[4:text.index("(")]]
    owner = (fn.__self__,) if inspect.ismethod(fn) else ()
    return derivative(*owner, *args)


@pytest.mark.parametrize("fn, wrt", GOLDEN, ids=IDS)
@pytest.mark.parametrize("printer", ["gast", "astunparse"])
def test_stored_snapshot_runs_and_matches_finite_differences(fn, wrt, printer):
    # The stored text itself, not a regeneration: what a reviewer read is what is checked.
    text = (HERE / f"{fn.__name__}.{printer}.py.txt").read_text()
    positions = _positions(fn, wrt)
    for args in GOLDEN_ARGS[fn.__name__]:
        result = _run_snapshot(fn, text, args)
        gradients = result if isinstance(wrt, tuple) else (result,)
        assert len(gradients) == len(positions)
        for position, gradient in zip(positions, gradients):
            # A list of (W, b) pairs is checked leaf by leaf, in the same structure.
            for path, leaf in _leaves(args[position]):
                of_leaf = _with_leaf(fn, position, args[position], path)
                expected = numerical_grad(of_leaf, [*args[:position], leaf,
                                                    *args[position + 1:]], position)
                analytic = _leaf_of(gradient, path, fn.__name__)
                assert np.shape(analytic) == np.shape(leaf)
                np.testing.assert_allclose(analytic, expected, rtol=1e-7, atol=1e-9,
                                           err_msg=f"{fn.__name__}, argument {position} {path}")
