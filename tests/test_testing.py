"""check_grads itself: it must reject wrong derivatives and accept right ones.

Wrong derivatives come in two ways: a ``df`` that wraps the right one and spoils
it in a controlled way, and deliberately wrong rules registered with
`extend.defvjp` for fresh primitives, so that `grad` itself generates them.
"""

import numpy as np
import pytest

from autograd_src import extend, grad
from autograd_src.testing import check_grads, numerical_grad

DTYPES = [np.float64, np.float32]
RNG = np.random.default_rng(0)


def smooth(x, y):
    return np.sum(np.tanh(x) * y + np.exp(0.3 * x) * y ** 2)


def point(dtype, size=5):
    rng = np.random.default_rng(1)
    return rng.normal(size=size).astype(dtype), rng.normal(size=size).astype(dtype)


def spoiled(f, wrt, change):
    """A derivative of ``f`` that returns ``change(gradients)`` instead of the gradients."""
    right = grad(f, wrt=wrt)

    def df(*args):
        return change(right(*args))

    return df


def scaled(factor):
    def change(gradients):
        return tuple(g * factor for g in gradients)
    return change


# --- wrong derivatives must raise -----------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("factor", [1.2, 1.01, 0.99])
def test_a_gradient_scaled_by_a_few_percent_is_rejected(dtype, factor):
    x, y = point(dtype)
    df = spoiled(smooth, (0, 1), scaled(factor))
    with pytest.raises(AssertionError, match="argument 0 .x. differs"):
        check_grads(smooth, x, y, wrt=(0, 1), df=df)


@pytest.mark.parametrize("dtype", DTYPES)
def test_only_the_second_gradient_wrong_is_rejected(dtype):
    x, y = point(dtype)
    df = spoiled(smooth, (0, 1), lambda gs: (gs[0], gs[1] * dtype(1.01)))
    with pytest.raises(AssertionError, match="argument 1 .y. differs"):
        check_grads(smooth, x, y, wrt=(0, 1), df=df)


def off_at(index, relative):
    def change(gradients):
        g = gradients[0].copy()
        g[index] = g[index] * (1 + relative)
        return (g,) + tuple(gradients[1:])
    return change


def test_one_entry_off_by_1e_3_relative_is_rejected_in_float64():
    x, y = point(np.float64)
    smallest = int(np.argmin(np.abs(grad(smooth)(x, y))))  # even the least visible one
    df = spoiled(smooth, (0, 1), off_at(smallest, 1e-3))
    worst = rf"1 of 5 entries; the worst at index \({smallest},\)"
    with pytest.raises(AssertionError, match=worst):
        check_grads(smooth, x, y, wrt=(0, 1), df=df)


@pytest.mark.parametrize("dtype", DTYPES)
def test_the_largest_entry_off_by_1e_3_relative_is_rejected(dtype):
    x, y = point(dtype)
    largest = int(np.argmax(np.abs(grad(smooth)(x, y))))
    df = spoiled(smooth, (0, 1), off_at(largest, 1e-3))
    with pytest.raises(AssertionError, match=rf"the worst at index \({largest},\)"):
        check_grads(smooth, x, y, wrt=(0, 1), df=df)


def test_one_entry_off_by_1e_6_relative_is_rejected_in_float64():
    x, y = point(np.float64)
    largest = int(np.argmax(np.abs(grad(smooth)(x, y))))
    df = spoiled(smooth, (0, 1), off_at(largest, 1e-6))
    with pytest.raises(AssertionError):
        check_grads(smooth, x, y, wrt=(0, 1), df=df)


def test_a_missing_gradient_is_rejected():
    x, y = point(np.float64)
    df = spoiled(smooth, (0, 1), lambda gs: gs[:1])
    with pytest.raises(AssertionError, match="returned 1 gradient.*expected 2"):
        check_grads(smooth, x, y, wrt=(0, 1), df=df)


def test_a_gradient_too_many_is_rejected():
    x, y = point(np.float64)
    df = spoiled(smooth, (0, 1), lambda gs: gs + (gs[0],))
    with pytest.raises(AssertionError, match="returned 3 gradient.*expected 2"):
        check_grads(smooth, x, y, wrt=(0, 1), df=df)


def test_one_array_where_a_tuple_is_asked_for_is_rejected():
    x, y = point(np.float64)
    with pytest.raises(AssertionError, match="expected a tuple of 2 gradients"):
        check_grads(smooth, x, y, wrt=(0, 1), df=grad(smooth))


@pytest.mark.parametrize("change", [lambda g: g[:-1], lambda g: g.reshape(1, -1),
                                    lambda g: g.T, lambda g: np.sum(g)],
                         ids=["shorter", "extra_axis", "transposed", "summed"])
def test_a_gradient_of_the_wrong_shape_is_rejected(change):
    def f(x):
        return np.sum(np.sin(x) * x)

    x = RNG.normal(size=(2, 3))
    with pytest.raises(AssertionError, match=r"has shape .*expected \(2, 3\)"):
        check_grads(f, x, df=lambda x: change(grad(f)(x)))


def test_a_float64_gradient_for_a_float32_argument_is_rejected():
    x, y = point(np.float32)
    df = spoiled(smooth, (0, 1), lambda gs: tuple(g.astype(np.float64) for g in gs))
    with pytest.raises(AssertionError, match="dtype float64, expected float32"):
        check_grads(smooth, x, y, wrt=(0, 1), df=df)


def test_nan_in_a_gradient_is_rejected():
    x, y = point(np.float64)
    df = spoiled(smooth, (0, 1), off_at(2, np.nan))
    with pytest.raises(AssertionError, match="got nan"):
        check_grads(smooth, x, y, wrt=(0, 1), df=df)


def test_the_message_says_where_and_by_how_much():
    x, y = point(np.float64)
    df = spoiled(smooth, (0, 1), scaled(1.2))
    with pytest.raises(AssertionError) as info:
        check_grads(smooth, x, y, wrt=(0, 1), df=df)
    message = str(info.value)
    assert "gradient for argument 0 (x)" in message and "5 of 5 entries" in message
    assert "off by" in message and "allowed" in message
    assert "got:" in message and "expected:" in message


# Deliberately wrong rules, so that grad itself generates the wrong derivative.

def cube(x):
    return x ** 3


@extend.defvjp(cube)
def cube_vjp_20_percent_too_large(g, ans, x):
    return g * 3.6 * x ** 2


def uses_cube(x):
    return np.sum(cube(x) * 0.5)


def reverse(x):
    return x[::-1]


@extend.defvjp(reverse)
def reverse_vjp_that_forgets_to_reverse(g, ans, x):
    return g


def uses_reverse(x):
    return reverse(x) * 2.0


@pytest.mark.parametrize("dtype", DTYPES)
def test_a_wrong_rule_is_rejected_through_grad(dtype):
    x = RNG.normal(size=4).astype(dtype)
    with pytest.raises(AssertionError, match="argument 0 .x. differs"):
        check_grads(uses_cube, x)


def test_a_rule_wrong_only_under_an_uneven_seed_is_rejected():
    # Summed, the output's gradient is all ones whether or not the adjoint is
    # reversed; the check with a random seed sees it.
    x = RNG.normal(size=5)
    np.testing.assert_allclose(grad(uses_reverse)(x), numerical_grad(uses_reverse, [x], 0))
    with pytest.raises(AssertionError, match="seeded with a random dout"):
        check_grads(uses_reverse, x)


# --- right derivatives must pass -------------------------------------------

def cumulative(x):
    return np.sum(np.cumsum(x) ** 2) / x.size


def variance_far_from_zero(x):
    return np.var(x + 100.0)


def logsumexp(x):
    return np.log(np.sum(np.exp(x)))


def loop_of_many_terms(x, w):
    total = 0.0
    for k in range(100):
        total = total + np.sum(np.sin(x * w[k]))
    return total


def network(W, b, x):
    return np.sum(np.tanh(W @ x + b) ** 2)


def elementwise(x):
    return np.sin(x) * np.exp(-x)


RIGHT = [
    (smooth, lambda r: (r.normal(size=(3, 4)), r.normal(size=(3, 4))), (0, 1)),
    (cumulative, lambda r: (r.normal(size=3000),), 0),
    (variance_far_from_zero, lambda r: (r.normal(size=500),), 0),
    (logsumexp, lambda r: (3 * r.normal(size=2000),), 0),
    (loop_of_many_terms, lambda r: (r.normal(size=6), r.normal(size=100)), (0, 1)),
    (network, lambda r: (r.normal(size=(40, 60)) / 8, r.normal(size=40), r.normal(size=60)),
     (0, 1, 2)),
    (elementwise, lambda r: (r.normal(size=(2, 3)),), 0),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("f, make_args, wrt", RIGHT, ids=[c[0].__name__ for c in RIGHT])
def test_right_gradients_pass(f, make_args, wrt, dtype):
    args = tuple(a.astype(dtype) for a in make_args(np.random.default_rng(2)))
    check_grads(f, *args, wrt=wrt)


def test_python_numbers_lists_and_negative_positions():
    def f(a, xs, scale):
        return scale * sum(np.sum(x ** 2) for x in xs) * a

    xs = [RNG.normal(size=2), RNG.normal(size=2)]
    check_grads(f, 0.7, xs, 1.5, wrt=(0, -1))


def test_the_arguments_are_not_modified():
    x, y = point(np.float32)
    before = x.copy(), y.copy()
    check_grads(smooth, x, y, wrt=(0, 1))
    np.testing.assert_array_equal(x, before[0])
    np.testing.assert_array_equal(y, before[1])


def test_numerical_grad_is_accurate_in_float64_for_float32_inputs():
    x = np.linspace(-1, 1, 5, dtype=np.float32)
    expected = np.cos(x.astype(np.float64))
    np.testing.assert_allclose(numerical_grad(lambda x: np.sum(np.sin(x)), [x], 0),
                               expected, rtol=1e-9)


def test_cancellation_in_f_does_not_fail_a_right_gradient():
    # -x/y + x near y = 1 cancels terms of size 1 to a value of size 1e-5: the
    # rounding of the finite differences hides in f's value (a hypothesis example).
    def f(x, y):
        return np.sum(-np.divide(x, y) + x)

    check_grads(f, np.array(1.0), np.array(0.99999), wrt=(0, 1))
