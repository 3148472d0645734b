"""Session 39: what testers and fuzzers found, each kept in its smallest form."""

import numpy as np
import pytest

from autograd_src import grad


def _fd(f, x, h=1e-6):
    g = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e.flat[i] = h
        g.flat[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def _shifted(u0, q):
    u = u0.copy()
    u[1:3] = q[1:3]
    u[2:4] = u[1:3]
    u[0:1] = u[2:3]
    return np.sum(u)


def _advected(u0, q):
    u = u0.copy()
    for _ in range(3):
        u[1:-1] = u[1:-1] + 0.1 * q[1:-1]
        u[1:] = u[:-1]
        u[0] = u[-1]
    return np.sum(u ** 2)


@pytest.mark.parametrize("f", [_shifted, _advected])
def test_a_slice_store_of_an_overlapping_slice_keeps_the_earlier_gradient(f):
    # HI 01: the adjoint's part read as a view, then zeroed in place (zero_into):
    # the gradient reaching q came back [0, 1, 0, 0] for [0, 3, 1, 0]
    rng = np.random.default_rng(0)
    u0, q = rng.normal(size=6), rng.normal(size=6)
    np.testing.assert_allclose(grad(f, wrt=1)(u0, q), _fd(lambda v: f(u0, v), q),
                               rtol=1e-6, atol=1e-8)
