"""A rule registered with ``extend.defvjp`` whose body is not one ``return`` of one
expression per input (tester X): ``out = (ga, gb); return out`` for two inputs was
counted as a rule of one input, and the gradient of ``a`` came back as the tuple
``(ga, gb)``, silently."""

import numpy as np

from autograd_src import grad
from autograd_src.extend import defvjp
from autograd_src.testing import numerical_grad


def scaled_square(a, b):
    return a * b ** 2


@defvjp(scaled_square)  # n_inputs=2 left out
def scaled_square_vjp(g, ans, a, b):
    out = (g * b ** 2, 2 * g * a * b)
    return out


def square_scaled(a, b):
    return a ** 2 * b


@defvjp(square_scaled)
def square_scaled_vjp(g, ans, a, b):
    ga = 2 * g * a * b
    gb = g * a ** 2
    return ga, gb


def summed(a, axis):
    return np.sum(a, axis=axis)


@defvjp(summed)  # one input and an option: still one adjoint
def summed_vjp(g, ans, a, axis):
    spread = np.expand_dims(g, axis)
    return np.broadcast_to(spread, a.shape)


def loss(a, b):
    return np.sum(scaled_square(a, b)) + np.sum(square_scaled(a, b)) + \
        np.sum(summed(a[None, :] * b, 0))


def plain(a, b):
    return np.sum(a * b ** 2) + np.sum(a ** 2 * b) + np.sum(a * b)


def test_a_rule_of_several_statements_counts_the_adjoints_it_returns():
    a, b = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    da, db = grad(loss, wrt=(0, 1))(a, b)
    np.testing.assert_allclose(da, numerical_grad(plain, (a, b), 0))
    np.testing.assert_allclose(db, numerical_grad(plain, (a, b), 1))
