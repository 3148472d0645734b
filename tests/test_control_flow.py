"""Branches and loops against finite differences, on inputs that take every path."""

import ast
import inspect
import sys
import textwrap

import numpy as np
import pytest

from autograd_src import DiffSyntaxError, grad, value_and_grad
from autograd_src.testing import check_grads, numerical_grad

from . import control_flow_cases as cf

PARAMS = [(fn, make, wrt) for fn, makers, wrt in cf.CASES for make in makers]
IDS = [f"{fn.__name__}-{i}" for fn, makers, _ in cf.CASES for i in range(len(makers))]


@pytest.mark.parametrize("fn, make_args, wrt", PARAMS, ids=IDS)
def test_matches_finite_differences(fn, make_args, wrt):
    args = make_args(np.random.default_rng(0))
    check_grads(fn, *args, wrt=wrt)


def _lines_run(fn, args):
    """The line numbers of ``fn``'s own code that run when it is called with ``args``."""
    code, lines = fn.__code__, set()

    def tracer(frame, event, arg):
        if frame.f_code is not code:
            return None
        if event == "line":
            lines.add(frame.f_lineno)
        return tracer

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        fn(*args)
    finally:
        sys.settrace(previous)
    return lines


def _statement_lines(fn):
    """The first line of every statement in ``fn``'s body (``while True:`` has no test
    to run, so no line event on some Pythons: it is left out)."""
    source, first = inspect.getsourcelines(fn)
    body = ast.parse(textwrap.dedent("".join(source))).body[0].body
    return {node.lineno + first - 1 for top in body for node in ast.walk(top)
            if isinstance(node, ast.stmt)
            and not (isinstance(node, ast.While) and isinstance(node.test, ast.Constant))}


@pytest.mark.parametrize("fn, makers", [(fn, makers) for fn, makers, _ in cf.CASES],
                         ids=[fn.__name__ for fn, _, _ in cf.CASES])
def test_every_path_is_taken(fn, makers):
    # The cases above only test something if their inputs really take each branch:
    # together, the inputs of a case run every statement of its function.
    run = set()
    for make_args in makers:
        run |= _lines_run(fn, make_args(np.random.default_rng(0)))
    missing = sorted(_statement_lines(fn) - run)
    assert not missing, f"{fn.__name__}: no input runs line(s) {missing} of {cf.__file__}"


def test_both_arms_of_each_conditional_expression_are_taken():
    # One line holds both arms of a conditional expression: line tracing cannot tell.
    makers = next(m for fn, m, _ in cf.CASES if fn is cf.conditional_expressions)
    first, second = (make(np.random.default_rng(0))[0] for make in makers)
    assert np.sum(first) > 0 and np.min(first) > -0.5
    assert np.sum(second) <= 0 and np.min(second) <= -0.5


@pytest.mark.parametrize("fn", [cf.zero_iterations])
def test_zero_iteration_loop(fn):
    x = np.array([0.5, -1.0])
    np.testing.assert_allclose(grad(fn)(x, 0), [2.0, 2.0])


def test_still_unsupported_constructs_raise():
    from . import error_cases
    with pytest.raises(DiffSyntaxError, match="try"):
        grad(error_cases.guarded)
    with pytest.raises(DiffSyntaxError, match="generators"):
        grad(error_cases.generator)


def test_values_read_only_by_their_own_updates_are_not_computed():
    # b and total feed only themselves; the gradient never needs them.
    text = grad(cf.value_read_only_by_itself).source
    assert "b =" not in text and "b - a" not in text and "a_times_x = a * x" in text
    body = grad(cf.while_with_dead_total).source.split("(x, *, dout=None):")[1]
    assert "total" not in body and "y = y * x" in body


def test_a_self_feeding_output_is_still_computed_when_its_value_is_asked_for():
    # With a float input the gradient alone skips s (its seed needs no shape);
    # value_and_grad must still compute it.
    f = cf.scalar_loop_with_branch
    value, gradient = value_and_grad(f)(0.3)
    assert value == pytest.approx(f(0.3))
    assert gradient == pytest.approx(numerical_grad(f, [0.3], 0), rel=1e-8)
    check_grads(f, 0.3)


def _replaced_in_a_branch(x, y):
    y = y * 2.0
    if np.sum(x) > 0:
        y = np.sin(x)  # a value of another shape: y's old value gets no gradient
    return np.sum(np.arctan2(y, 2.0))


def _replaced_argument_in_a_branch(x, y):
    if np.sum(x) > 0:
        y = 1.0 - np.sin(x)
    return np.sum(np.arctan2(y, 2.0))


def _read_in_a_loop_then_replaced(x, y):
    for _ in range(2):
        t = y / 3.0
    y = 1.0 - x  # a value of another shape, after the loop that read the old one
    return t.sum() + np.sum(y)


def _read_in_one_arm_then_replaced(x, y):
    if np.sum(x) > 0:
        x = 1.0 - y
    y = np.maximum(x, 0.2)  # the other arm's zero gradient for y has y's old shape
    return np.sum(np.sum(y, axis=0) ** 2)


def _made_in_a_nested_branch(x, y):
    t0 = y / (1.5 + x ** 2)
    if np.sum(x) > 0:
        if np.sum(x) > 0:
            t1 = np.concatenate([y[1:], y[:1]])
        x = t0 * np.sum(t1)  # t1 exists only on this path
    return np.sum(np.maximum(x, 0.2) + t0)


@pytest.mark.parametrize("fn", [_replaced_in_a_branch, _replaced_argument_in_a_branch,
                                _read_in_a_loop_then_replaced, _read_in_one_arm_then_replaced,
                                _made_in_a_nested_branch])
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_zero_gradients_take_the_shape_of_the_value_they_belong_to(fn, sign):
    # A value replaced by one of another shape gets a zero gradient of its own shape
    # (a branch arm, or a loop, left its adjoint zero), whichever path runs.
    rng = np.random.default_rng(1)
    x, y = sign * np.abs(rng.normal(size=(3, 4))), rng.normal(size=4)
    check_grads(fn, x, y, wrt=(0, 1))
    dx, dy = grad(fn, wrt=(0, 1))(x, y)
    assert dx.shape == x.shape and dy.shape == y.shape
