"""The adjoint of a full sum or mean stays one scalar until something needs its shape.

``np.sum(f(x))`` seeds every element of ``f(x)`` with the same value, so the
generated code multiplies that scalar into elementwise adjoints instead of
filling an array first. These functions cross every place where the scalar must
become an array: broadcasting, scalar operands, slicing, reductions, loops,
branches, reassigned names, and the returned gradient itself.
"""

import numpy as np
import pytest

from autograd_src import grad, value_and_grad
from autograd_src.testing import check_grads, numerical_grad


def squares(x):
    return np.sum(x ** 2)


def plain(x, y):
    return np.sum(x + y)


def mean_of_chain(x):
    return np.mean(np.log1p(np.exp(-2.0 * x)))


def broadcast(x, b):
    return np.sum(x * 2.0 + b)


def scalar_operand(x, c):
    return np.sum(x * c + c)


def sliced(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def reassigned(x):
    t = x * 2.0
    t = np.sin(t)[::-1]
    return np.sum(t + 1.0)


def summed_twice(x):
    t = x * 3.0
    return np.sum(t) + np.mean(t * t)


def before_a_loop(x):
    for _ in range(2):
        x = x * 0.5 + 1.0
    return np.sum(x - 1.0)


def inside_a_branch(x):
    t = np.cos(x)
    if x.shape[0] > 1:
        t = t + x
    return np.sum(t * 1.5)


def reduced_again(x):
    rows = np.sum(x * x, axis=0)
    return np.sum(rows - 1.0)


def of_a_matrix_product(a, b):
    return np.sum(np.tanh(a @ b) + 0.5)


def negated_mean(x, y):
    return -np.mean((x - y) ** 2)


def twice(x):
    return np.sum(x) + x.sum() * np.mean(x * x)


def _summed_square(v):
    return np.sum(v * v + 1.0)


def through_a_helper(x, y):
    return _summed_square(x * y) + np.mean(y)


def then_a_loop(x):
    s = np.sum(np.exp(x))
    for _ in range(3):
        s = s * 1.1 + 1.0
    return s


CASES = [
    (twice, lambda r: (r.normal(size=(2, 3)),), 0),
    (through_a_helper, lambda r: (r.normal(size=3), r.normal(size=3)), (0, 1)),
    (through_a_helper, lambda r: (r.normal(size=(2, 3)), r.normal(size=3)), (0, 1)),
    (then_a_loop, lambda r: (r.normal(size=4),), 0),
    (squares, lambda r: (r.normal(size=(3, 2)),), 0),
    (plain, lambda r: (r.normal(size=4), r.normal(size=4)), (0, 1)),
    (plain, lambda r: (r.normal(size=(2, 4)), r.normal(size=4)), (0, 1)),
    (plain, lambda r: (r.normal(size=4), 0.5), (0, 1)),
    (mean_of_chain, lambda r: (r.normal(size=5),), 0),
    (broadcast, lambda r: (r.normal(size=(2, 3)), r.normal(size=3)), (0, 1)),
    (scalar_operand, lambda r: (r.normal(size=3), 1.5), (0, 1)),
    (scalar_operand, lambda r: (r.normal(size=3), np.float64(1.5)), (0, 1)),
    (scalar_operand, lambda r: (r.normal(size=3), r.normal(size=3)), (0, 1)),
    (sliced, lambda r: (r.normal(size=6),), 0),
    (reassigned, lambda r: (r.normal(size=4),), 0),
    (summed_twice, lambda r: (r.normal(size=(2, 2)),), 0),
    (before_a_loop, lambda r: (r.normal(size=3),), 0),
    (inside_a_branch, lambda r: (r.normal(size=3),), 0),
    (reduced_again, lambda r: (r.normal(size=(3, 2)),), 0),
    (of_a_matrix_product, lambda r: (r.normal(size=(2, 3)), r.normal(size=(3, 2))), (0, 1)),
    (of_a_matrix_product, lambda r: (r.normal(size=(3, 3)), r.normal(size=(3, 3))), (0, 1)),
    (negated_mean, lambda r: (r.normal(size=4), r.normal(size=4)), (0, 1)),
    (squares, lambda r: (np.array(1.5),), 0),
    (squares, lambda r: (1.5,), 0),
]


@pytest.mark.parametrize("fn, make, wrt", CASES,
                         ids=[f"{fn.__name__}-{k}" for k, (fn, _, _) in enumerate(CASES)])
def test_full_sums_agree_with_finite_differences(fn, make, wrt):
    args = make(np.random.default_rng(0))
    check_grads(fn, *args, wrt=wrt)
    gradients = grad(fn, wrt=wrt)(*args)
    for arg, g in zip(args, gradients if isinstance(wrt, tuple) else [gradients]):
        assert np.shape(g) == np.shape(arg)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("seed", [None, np.float64(2.0), np.array(2.0), 2.0])
def test_a_scalar_seed_keeps_the_input_precision(dtype, seed):
    x = np.linspace(-1, 1, 5).astype(dtype)
    for fn in (squares, mean_of_chain, sliced):
        g = grad(fn)(x, dout=seed)
        assert g.dtype == dtype
        scale = 1.0 if seed is None else 2.0
        expected = scale * numerical_grad(fn, [x], 0)  # finite differences, in float64
        np.testing.assert_allclose(g, expected, rtol=1e-5, atol=1e-5 * np.max(np.abs(expected)))
        value, g = value_and_grad(fn)(x, dout=seed)
        assert g.dtype == dtype
        np.testing.assert_allclose(g, expected, rtol=1e-5, atol=1e-5 * np.max(np.abs(expected)))
        assert value == pytest.approx(fn(x.astype(np.float64)), rel=1e-6)  # not scaled by dout


def test_the_summed_value_is_not_computed_for_its_shape():
    source = grad(sliced).source
    assert "unreduce" not in source and "total" not in source
    assert "ddiff = dout * 200.0 * (x[1:] - x_part_2 ** 2)" in source  # 100.0 * 2, folded
    assert "dx_part_2 -= ddiff * 2 * x_part_2" in source

    def shifted(x):
        return np.sum(x + 1.0)

    # A returned gradient still gets its full shape, once, at the end.
    assert "dx = _ad.unreduce(dout, x)\n    return dx" in grad(shifted).source
    np.testing.assert_array_equal(grad(shifted)(np.zeros(3)), np.ones(3))
    assert isinstance(grad(shifted)(0.0), float)
