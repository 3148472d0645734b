"""Calls to the user's own functions: each differentiated into a function of its own."""

import numpy as np
import pytest

from autograd_src import grad
from autograd_src.testing import check_grads

from . import helper_cases as hc


@pytest.mark.parametrize("fn, make_args, wrt", hc.CASES, ids=[c[0].__name__ for c in hc.CASES])
def test_matches_finite_differences(fn, make_args, wrt):
    check_grads(fn, *make_args(np.random.default_rng(0)), wrt=wrt)


def test_helper_derivative_is_its_own_readable_function():
    source = grad(hc.rnn_with_cell, wrt=(0, 2)).source
    # The helper runs once, through its derivative, which gives its value and
    # its backward function; the caller's adjoint calls that.
    assert "h, cell_back = dcelldW_h(W, h, xs[t])" in source
    assert "cell_back_stack.append(cell_back)" in source
    assert "cell_back = cell_back_stack.pop()" in source
    assert "dh_parts = cell_back(dh)" in source
    assert "\ndef dcelldW_h(W, h, x):" in source
    assert "\n    def backward(dout=None):" in source
    assert "    return out, backward\n" in source
    assert source.count("def dcelldW_h") == 1
    assert "h_stack" not in source  # nothing recomputed, so nothing kept for it


def test_helper_is_transformed_once_and_reused():
    first = grad(hc.helpers_calling_helpers, wrt=(0, 1)).source
    assert first.count("def dinner_helperdx(") == 1


def test_recursion_with_a_depth_argument():
    check_grads(hc.recursive, np.array([0.5, -1.0]))
    np.testing.assert_allclose(grad(hc.recursive)(np.ones(2)), [8.0, 8.0])
    assert grad(hc.recursive).source.count("def dcountdowndx(") == 1


def test_augmented_assignment_on_a_shared_array_raises_when_it_runs():
    df = grad(hc.augmented_on_shared_array)  # y = x; y *= 2.0; then x is read
    with pytest.raises(ValueError, match=r"y \*= 2.0: this in-place update"):
        df(np.ones(3))


def test_registered_rule_takes_precedence_over_looking_inside():
    from autograd_src import extend

    def opaque(x):
        return np.exp(x)

    @extend.defvjp(opaque)
    def opaque_vjp(g, ans, x):
        return g * 10.0

    def f(x):
        return np.sum(opaque(x))

    # Not at 0, where exp(x) * 10 (the rule applied to the traced derivative) is 10 too.
    np.testing.assert_allclose(grad(f)(np.array([0.3, -1.2])), [10.0, 10.0])


def test_nested_def_gets_a_nested_derivative():
    source = grad(hc.nested_def_and_lambda, wrt=(0, 1)).source
    assert "\n    def dgdv(v):" in source
    assert "g_x, g_back = dgdv(x)" in source
    assert "dx = g_back(dg_x)" in source


def test_nested_def_reading_a_differentiated_value_gets_it_passed():
    x, w = np.array([0.5, 1.0]), np.array([0.3, -0.2])
    check_grads(hc.nested_reads_differentiated_value, x, w, wrt=(0, 1))
    source = grad(hc.nested_reads_differentiated_value, wrt=(0, 1)).source
    assert "g_x, g_back = dgdv_w(x, w)" in source


def _fill_scratch(buf, v):
    for i in range(len(v)):
        buf[i] = np.sin(v[i]) * 2.0


def _fills_a_scratch_buffer_never_read(x):
    b = np.zeros(4)
    _fill_scratch(b, x)
    return np.sum(x ** 2)


def test_a_helper_filling_a_scratch_buffer_nobody_reads():
    """Tester V: refused, naming the internal _fill_scratch_on_copies and advising
    about out.append; the helper works on its copy, which changes nothing here."""
    x = np.array([0.1, 0.2, 0.3, 0.4])
    np.testing.assert_allclose(grad(_fills_a_scratch_buffer_never_read)(x), 2 * x)


def _rebuilt_each_step(x):
    out = 0.0
    for i in range(2):
        p = np.ones(3)
        p[0] = 2.0 + i
        out = out + np.sum(x * p[:, None])
    return out


def _calls_the_rebuilding_helper(x):
    return _rebuilt_each_step(x) * 2.0


def test_a_helper_array_rebound_before_its_update_in_a_loop():
    """Fuzz seed 140101: `p = np.ones(4)` then `p[t] = ...` in a helper's loop whose
    adjoint read `p[:, None]` of the iteration before was refused: the item read once
    was taken for one of the new array."""
    check_grads(_calls_the_rebuilding_helper, np.array([0.3, -0.2, 0.5]))
