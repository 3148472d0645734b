"""Functions under the usual decorator, ``functools.wraps`` over ``wrapper(*args,
**kwargs)`` (tester O): differentiated directly (refused: "no positional parameter")
and called inside a function differentiated ("*args holding differentiated values").
The wrapper's derivative is made for the number of values the call passes it."""

import functools

import numpy as np

from autograd_src import grad, jvp, value_and_grad
from autograd_src.testing import numerical_grad


def scaled(factor):
    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            return factor * fn(*args, **kwargs)
        return wrapper
    return decorate


def logged(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        out = fn(*args, **kwargs)
        return out
    return wrapper


@scaled(3.0)
def energy(w, x):
    return np.sum(np.tanh(x * w) ** 2)


@logged
def cell(W, h, x, scale=1.0):
    return np.tanh(W @ h + x) * scale


def total(w, x):
    return energy(w, x) + np.sum(w ** 2) + energy(x, w)


def rnn(W, xs):
    h = np.zeros(2)
    for t in range(3):
        h = cell(W, h, xs[t], scale=0.5)
    return np.sum(h ** 2)


def of_one_number(t):
    return energy(np.array([t, 2.0]), np.array([1.0, t]))


W = np.array([[0.3, -0.2], [0.1, 0.4]])
w, x = np.array([0.3, -0.2]), np.array([1.0, 2.0])


def test_a_decorated_helper_called_inside():
    for k in (0, 1):
        np.testing.assert_allclose(grad(total, wrt=k)(w, x),
                                   numerical_grad(total, [w, x], k), rtol=1e-8)
    xs = np.full((3, 2), 0.3)
    np.testing.assert_allclose(grad(rnn)(W, xs), numerical_grad(rnn, [W, xs], 0), rtol=1e-8)
    assert grad(of_one_number)(0.4) == np.float64(
        numerical_grad(of_one_number, [0.4], 0)).round(8) or abs(
        grad(of_one_number)(0.4) - numerical_grad(of_one_number, [0.4], 0)) < 1e-8
    _, tangent = jvp(total, (w, x), (np.ones(2), None))
    np.testing.assert_allclose(tangent, numerical_grad(total, [w, x], 0).sum(), rtol=1e-8)


def test_a_decorated_function_differentiated_directly():
    np.testing.assert_allclose(grad(energy)(w, x), numerical_grad(energy, [w, x], 0),
                               rtol=1e-8)
    value, g = value_and_grad(cell)(W, np.ones(2), np.ones(2), scale=2.0)
    np.testing.assert_allclose(value, cell(W, np.ones(2), np.ones(2), scale=2.0))
    np.testing.assert_allclose(
        g, numerical_grad(lambda A: np.sum(cell(A, np.ones(2), np.ones(2), scale=2.0)),
                          [W], 0), rtol=1e-8)
    assert "def dcelldW(W, h, x, scale=" in grad(cell).source
