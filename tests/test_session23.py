"""Session 23: the smallest forms of what independent testers and this session's own
checks found (each test failed before its fix)."""

import numpy as np
import pytest

from autograd_src import grad, hessian, jacfwd, value_and_grad


def _fd(f, x, h=1e-6):
    flat = np.asarray(x, dtype=float).ravel()
    out = np.zeros_like(flat)
    for i in range(flat.size):
        e = np.zeros_like(flat)
        e[i] = h
        out[i] = (f((flat + e).reshape(np.shape(x))) - f((flat - e).reshape(np.shape(x)))) / (2 * h)
    return out.reshape(np.shape(x))


X3 = np.array([[1.2, -0.3, 0.7], [0.4, 2.0, -1.1], [0.3, 0.2, 1.5]])


# ----- ndarray methods and attributes that are NumPy functions (were refused) -----

def _diagonal_method(x):
    return np.sum(x.diagonal(1) ** 2) + x.diagonal().sum()


def _take_method(x):
    return np.sum(x.take([0, 2, 2]) ** 2) + np.sum(x.take([2, 0], axis=1) ** 3)


def _conj_methods(x):
    return np.sum(x.conj() * x) + np.sum(x.conjugate() * x ** 2)


def _real_imag_attributes(x):
    return np.sum(x.real ** 2) + np.sum(x.imag + x)


@pytest.mark.parametrize("f", [_diagonal_method, _take_method, _conj_methods,
                               _real_imag_attributes])
def test_array_methods_that_are_numpy_functions(f):
    value, gradient = value_and_grad(f)(X3)
    assert value == pytest.approx(f(X3))
    np.testing.assert_allclose(gradient, _fd(f, X3), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(jacfwd(f)(X3), _fd(f, X3), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("f", [_diagonal_method, _take_method])
def test_array_methods_second_order(f):
    H = hessian(f)(X3)
    expected = np.stack([_fd(lambda y, i=i: grad(f)(y)[i], X3, 1e-5)
                         for i in np.ndindex(X3.shape)]).reshape(X3.shape * 2)
    np.testing.assert_allclose(H, expected, rtol=1e-4, atol=1e-6)
