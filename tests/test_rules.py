"""Every rule of the table checked numerically over shapes, broadcasting and dtypes."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd_src import grad
from autograd_src.testing import check_grads

from . import rule_cases as rc

SETTINGS = settings(max_examples=12, deadline=None)
DTYPES = st.sampled_from([np.float64, np.float32])


def draw_array(data, shape, low, high, dtype):
    values = data.draw(hnp.arrays(np.float64, shape,
                                  elements=st.floats(low, high, allow_nan=False)))
    return values.astype(dtype)


def away_from_ties(x, y):
    return np.all(np.abs(np.subtract(x, y)) > 1e-2)


# Each rule on its own, and under a full sum or mean (the seed then reaches it as
# one scalar; arrays of one shape run the variant where that scalar flows furthest).
@pytest.mark.parametrize("functions", [rc.UNARY_FUNCTIONS, rc.SUMMED_UNARY_FUNCTIONS],
                         ids=["alone", "under_a_mean"])
@pytest.mark.parametrize("name", sorted(rc.UNARY))
@given(data=st.data(), dtype=DTYPES)
@SETTINGS
def test_unary_rule(functions, name, data, dtype):
    _, low, high = rc.UNARY[name]
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=3))
    x = draw_array(data, shape, low, high, dtype)
    if name in ("absolute", "fabs"):
        x = x * np.where(np.arange(x.size).reshape(shape) % 2, 1, -1).astype(dtype)
    f = functions[name]
    check_grads(f, x)
    assert np.shape(grad(f)(x)) == x.shape and grad(f)(x).dtype == dtype


@pytest.mark.parametrize("functions", [rc.BINARY_FUNCTIONS, rc.SUMMED_BINARY_FUNCTIONS],
                         ids=["alone", "under_a_sum"])
@pytest.mark.parametrize("name", sorted(rc.BINARY))
@given(data=st.data(), dtype=DTYPES, same_shape=st.booleans())
@SETTINGS
def test_binary_rule_with_broadcasting(functions, name, data, dtype, same_shape):
    _, (xl, xh), (yl, yh) = rc.BINARY[name]
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
    x_shape, y_shape = shapes.input_shapes
    x = draw_array(data, x_shape, xl, xh, dtype)
    y = draw_array(data, x_shape if same_shape else y_shape, yl, yh, dtype)
    if name in ("maximum", "minimum", "fmax", "fmin"):
        assume(away_from_ties(x, y))  # a tie is a kink: hypothesis draws another example
    f = functions[name]
    # sum(-x * y + x) cancels: its terms are about 1 while its value (and gradient
    # 1 - y) may be 1e-5, and the differences' rounding follows the terms, not the
    # value, so a float64 absolute allowance of 256 epsilons of the terms per step.
    atol = 256 * float(np.finfo(np.float64).eps) / 1e-5 \
        if functions is rc.SUMMED_BINARY_FUNCTIONS and dtype == np.float64 else None
    if dtype == np.float32:
        # A gradient broadcast back to a smaller operand is a float32 sum of terms
        # (|partial| <= 4 over these ranges) that may cancel to 1e-5 (x = [-2, 1e-5,
        # 0, 2] / y = 0.5): its rounding follows the terms, not the sum.
        terms = 4.0 * (float(np.sum(np.abs(x))) + float(np.sum(np.abs(y))))
        atol = (atol or 0.0) + 8 * float(np.finfo(np.float32).eps) * terms
    check_grads(f, x, y, wrt=(0, 1), atol=atol)
    dx, dy = grad(f, wrt=(0, 1))(x, y)
    assert np.shape(dx) == x.shape and np.shape(dy) == y.shape
    assert np.asarray(dx).dtype == dtype and np.asarray(dy).dtype == dtype


@given(data=st.data())
@SETTINGS
def test_where_and_clip(data):
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=3))
    x = draw_array(data, shapes.input_shapes[0], -2, 2, np.float64)
    y = draw_array(data, shapes.input_shapes[1], -2, 2, np.float64)
    x = np.where(np.abs(x) < 0.05, 0.5, x)
    check_grads(rc.where_rule, x, y, wrt=(0, 1))
    lo, hi = -0.5, 0.7
    x = np.where(np.abs(x - lo) < 0.05, 0.0, x)
    x = np.where(np.abs(x - hi) < 0.05, 0.0, x)
    check_grads(rc.clip_rule, x, lo, hi)


# np.cumsum takes one axis: it is not asked about a tuple of axes.
REDUCTION_AXES = [(fn, axis) for fn in rc.REDUCTIONS + [rc.cumsum_axis]
                  for axis in [None, 0, 1, -1, (0, 2)]
                  if not (fn is rc.cumsum_axis and isinstance(axis, tuple))]


@pytest.mark.parametrize("fn, axis", REDUCTION_AXES,
                         ids=[f"{fn.__name__}-{axis}" for fn, axis in REDUCTION_AXES])
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_reductions_over_axes(fn, axis, keepdims, dtype):
    x = np.random.default_rng(3).uniform(0.5, 1.5, (2, 3, 4)).astype(dtype)
    check_grads(fn, x, axis, keepdims)
    assert grad(fn)(x, axis, keepdims).dtype == dtype


def test_prod_with_zeros_is_exact():
    x = np.array([[0.0, 2.0], [3.0, 0.0], [4.0, 5.0]])
    np.testing.assert_allclose(grad(rc.prod_with_zeros)(x), [[12.0, 0.0], [0.0, 10.0],
                                                              [0.0, 0.0]])
    check_grads(rc.prod_with_zeros, np.array([[0.0, 2.0], [3.0, 1.5], [4.0, 5.0]]))


@pytest.mark.parametrize("a_shape, b_shape", [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
    ((5, 2, 3), (3, 4)), ((5, 2, 3), (5, 3, 4)), ((1, 2, 3), (4, 3, 2)),
])
def test_matmul_shapes(a_shape, b_shape):
    rng = np.random.default_rng(0)
    check_grads(rc.matmul_rule, rng.normal(size=a_shape), rng.normal(size=b_shape), wrt=(0, 1))


@pytest.mark.parametrize("a_shape, b_shape", [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)),
                                              ((2, 3), (3, 2)), ((), (3,)), ((2, 2), ())])
def test_dot_shapes(a_shape, b_shape):
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=a_shape), rng.normal(size=b_shape)
    check_grads(rc.dot_rule, a, b, wrt=(0, 1))
    check_grads(rc.inner_rule, a, b if b.ndim < 2 else b.T, wrt=(0, 1))


def test_linear_algebra_extras():
    rng = np.random.default_rng(2)
    check_grads(rc.trace_rule, rng.normal(size=(3, 4)))
    check_grads(rc.det_rule, rng.normal(size=(3, 3)) + 2 * np.eye(3))
    check_grads(rc.det_rule, rng.normal(size=(2, 3, 3)) + 2 * np.eye(3))
    check_grads(rc.norm_1, rng.normal(size=4))


def test_einsum_forms():
    rng = np.random.default_rng(3)
    check_grads(rc.einsum_one, rng.normal(size=(2, 3)))
    check_grads(rc.einsum_batched, rng.normal(size=(2, 2, 3)), rng.normal(size=(2, 3, 4)),
                wrt=(0, 1))
    check_grads(rc.einsum_summed_alone, rng.normal(size=(2, 3)), rng.normal(size=4),
                wrt=(0, 1))
    check_grads(rc.einsum_optimized, rng.normal(size=(2, 3)), rng.normal(size=(3, 3)),
                wrt=(0, 1))


def test_joining_and_repeating():
    rng = np.random.default_rng(4)
    check_grads(rc.repeat_axis, rng.normal(size=(2, 3)))
    check_grads(rc.tile_2d, rng.normal(size=(2, 3)))
    check_grads(rc.concatenate_none, rng.normal(size=(2, 2)), rng.normal(size=3), wrt=(0, 1))
