"""Tester C's findings (session 9): a list tangent for an array argument (list
arithmetic: a wrong directional derivative), tuple outputs' tangents as tuples at every
depth, functools.partial in the forward and second-order entry points."""

import functools

import numpy as np
import pytest

import autograd_src as A


def mean_of_double(x):
    return np.mean(2 * x)


def nested_outputs(x):
    return (x, (np.sum(x), x ** 2))


def loss(w, X, y):
    return np.sum((np.tanh(X @ w) - y) ** 2)


X = np.array([0.5, -1.0, 2.0])


def test_a_list_tangent_for_an_array_is_refused():
    with pytest.raises(TypeError, match="tangent dx is a list, but x is an array"):
        A.jvp(mean_of_double, (X,), ([1.0, 2.0, 3.0],))
    with pytest.raises(TypeError, match="tangent dx is a list"):
        A.make_jvp(mean_of_double)(X, dx=[1.0, 2.0, 3.0])
    assert A.jvp(mean_of_double, (X,), (np.array([1.0, 2.0, 3.0]),))[1] == pytest.approx(4.0)


def test_hvp_takes_its_vector_as_a_list():
    def cubes(x):
        return np.sum(x ** 3)

    np.testing.assert_allclose(A.hvp(cubes)(X, [1.0, 2.0, 3.0]), 6 * X * [1.0, 2.0, 3.0])


def test_tangents_of_tuple_outputs_are_tuples_at_every_depth():
    v = np.array([1.0, 2.0, 3.0])
    for _, tangent in (A.jvp(nested_outputs, (X,), (v,)),
                       A.make_jvp(nested_outputs)(X, dx=v)):
        assert type(tangent) is tuple and type(tangent[1]) is tuple
        np.testing.assert_allclose(tangent[0], v)
        assert tangent[1][0] == pytest.approx(np.sum(v))
        np.testing.assert_allclose(tangent[1][1], 2 * X * v)


def test_partial_in_forward_and_second_order():
    rng = np.random.default_rng(0)
    data, target, w = rng.normal(size=(5, 3)), rng.normal(size=5), rng.normal(size=3)
    f = functools.partial(loss, X=data, y=target)

    def plain(w):
        return loss(w, data, target)

    np.testing.assert_allclose(A.hessian(f)(w), A.hessian(plain)(w), rtol=1e-12)
    np.testing.assert_allclose(A.jacfwd(f)(w), A.grad(plain)(w), rtol=1e-12)
    np.testing.assert_allclose(A.jacrev(f)(w), A.grad(plain)(w), rtol=1e-12)
    v = np.array([1.0, -1.0, 0.5])
    np.testing.assert_allclose(A.hvp(f)(w, v), A.hessian(plain)(w) @ v, rtol=1e-10)
    assert A.jvp(f, (w,), (v,))[1] == pytest.approx(A.grad(plain)(w) @ v)
    assert A.make_jvp(f)(w, dw=v)[1] == pytest.approx(A.grad(plain)(w) @ v)


def k_affine(u, M, *, scale=1.0, shift=0.0):
    return scale * (M @ u) + shift


def early_return_beside_a_helper(M, v, s):
    if np.sum(M) > 50.0:
        return 0.0
    else:
        unused = k_affine(np.ones(3), M.T, scale=s)  # noqa: F841
    return np.sum(M[0] * v)


def test_second_order_beside_a_helper_derivative_in_an_arm():
    # The arm holding the helper's derivative (a nested def with its own prod, dprod)
    # was kept as written, and its nested locals taken for the function's: their
    # tangents were zeros of unbound names (UnboundLocalError; tester C).
    rng = np.random.default_rng(0)
    M, v = rng.normal(size=(3, 4)), rng.normal(size=4)
    expected = np.zeros((3, 4))
    expected[0] = 1.0
    np.testing.assert_allclose(A.grad(A.grad(early_return_beside_a_helper, wrt=1),
                                      wrt=0)(M, v, 0.3), expected)
    np.testing.assert_allclose(A.grad(A.grad(early_return_beside_a_helper, wrt=0),
                                      wrt=1)(M, v, 0.3), np.ones(4))
