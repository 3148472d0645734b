"""A differentiated function that calls a derivative grad made (a gradient penalty, a
physics-informed loss): the derivative is differentiated through its general code,
as grad(grad(f)) is."""

import collections

import numpy as np
import pytest

import autograd_src as ag
from autograd_src.testing import check_grads

Pair = collections.namedtuple("Pair", "w b")


def energy(x):
    return np.sum(np.sin(x) * x ** 2)


denergy = ag.grad(energy)


def gradient_penalty(x):
    g = denergy(x)
    return np.sum(g ** 2) + energy(x)


def loss(p, x):
    return np.sum(np.tanh(x * p[0]) * p[1])


dloss = ag.grad(loss)


def penalty_of_a_list(p, x):
    g = dloss(p, x)
    return np.sum(g[0] ** 2) + np.sum(g[1] ** 3)


def loss_of_a_pair(p, x):
    return np.sum(np.tanh(x * p.w) * p.b)


dloss_of_a_pair = ag.grad(loss_of_a_pair)


def penalty_of_a_namedtuple(p, x):
    g = dloss_of_a_pair(p, x)
    return np.sum(g.w ** 2) + np.sum(g.b ** 3)


def scalar_loss(a, b):
    return np.sin(a) * b ** 2


dscalar = ag.grad(scalar_loss, wrt=(0, 1))


def penalty_of_two(a, b):
    da, db = dscalar(a, b)
    return da ** 2 + db * a


X = np.array([0.3, -0.5])


@pytest.mark.parametrize("f, args", [
    (gradient_penalty, (np.array([0.3, -0.5, 0.8]),)),
    (penalty_of_a_list, ([np.array([0.2, 0.4]), np.array([1.0, -0.5])], X)),
    (penalty_of_a_namedtuple, (Pair(np.array([0.2, 0.4]), np.array([1.0, -0.5])), X)),
    (penalty_of_two, (0.7, 1.3)),
])
def test_matches_finite_differences(f, args):
    # once refused with "'nonlocal' in derivative()", at a line of the library
    check_grads(f, *args, wrt=0)
