"""grad(grad(f)): forward mode over the code grad generates (its stacks and in-place sums
read as values), to second and third order; and reverse over reverse, which it falls
back to (grad of the derivative's general code), on the same functions."""

import math

import numpy as np
import pytest

from autograd_src import grad, hessian
from autograd_src.api import general_code


def reverse_over_reverse(inner):
    return grad(general_code(inner))


def sin_times_square(x):
    return np.sum(np.sin(x) * x ** 2)


def loop_of_items(x):
    s = 0.0
    for i in range(len(x)):
        s = s + np.tanh(x[i]) * x[i]
    return s


def scalar(t):
    return math.sin(t) * t ** 3


@pytest.mark.parametrize("second", [grad, reverse_over_reverse])
@pytest.mark.parametrize("f", [sin_times_square, loop_of_items])
def test_second_order_is_the_hessian_summed(f, second):
    # grad of the (non-scalar) gradient is that of its sum: the Hessian's column sums
    x = np.array([0.3, -0.5, 0.8])
    np.testing.assert_allclose(second(grad(f))(x), hessian(f)(x).sum(axis=0), rtol=1e-10,
                               atol=1e-12)


def test_scalar_function_to_third_order():
    t = 0.7
    second = 6 * t * math.sin(t) + 6 * t ** 2 * math.cos(t) - t ** 3 * math.sin(t)
    third = (6 * math.sin(t) + 18 * t * math.cos(t) - 9 * t ** 2 * math.sin(t)
             - t ** 3 * math.cos(t))
    assert grad(grad(scalar))(t) == pytest.approx(second, rel=1e-12)
    assert grad(grad(grad(scalar)))(t) == pytest.approx(third, rel=1e-12)
    assert reverse_over_reverse(grad(scalar))(t) == pytest.approx(second, rel=1e-12)
    assert reverse_over_reverse(reverse_over_reverse(grad(scalar)))(t) == pytest.approx(
        third, rel=1e-12)


def joined_by_concatenate(x):
    return np.sum(np.concatenate([x, x * x]) ** 3)


def joined_by_r_(x):
    return np.sum(np.r_[x, 1.0, x * x] ** 3)


def joined_by_column_stack(x):
    return np.sum(np.column_stack([x, np.sin(x)]) ** 3)


def rows_stacked(x):
    return np.sum(np.vstack(np.outer(x, x)) ** 3)


@pytest.mark.parametrize("f", [joined_by_concatenate, joined_by_r_, joined_by_column_stack,
                               rows_stacked])
def test_second_order_through_joins(f):
    # The adjoint of a join is a tuple of pieces: reverse over reverse sums its adjoints
    # item by item (once it added into a shared read-only zero); hessian reads the
    # pieces' tangents. Both against differences of grad.
    x = np.array([0.3, -0.5, 0.8])
    g, eps = grad(f), 1e-6
    numeric = np.array([(g(x + eps * e) - g(x - eps * e)) / (2 * eps) for e in np.eye(3)])
    np.testing.assert_allclose(hessian(f)(x), numeric, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(grad(grad(f))(x), numeric.sum(axis=0), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(reverse_over_reverse(g)(x), numeric.sum(axis=0), rtol=1e-6,
                               atol=1e-7)
