"""Second order over gradients that update arrays in place (dx[i] += g, du[1:-1] += g,
out[i] = v): forward mode reads them as new arrays (transform/forward/stacks.py)."""

import numpy as np
import pytest

from autograd_src import grad, hessian
from autograd_src.testing import numerical_grad


def fill(x):
    out = np.zeros(len(x))
    for i in range(len(x)):
        out[i] = np.sin(x[i]) * (i + 1.0)
    return np.sum(out ** 2)


def indexed_sum(x):
    s = 0.0
    for i in range(len(x)):
        s = s + x[i] ** 3
    return s


def stencil(u, alpha=0.3):
    u = u.copy()
    for _ in range(3):
        u[1:-1] = u[1:-1] + alpha * (u[:-2] - 2 * u[1:-1] + u[2:])
    return np.sum(u ** 2)


@pytest.mark.parametrize("f", [fill, indexed_sum, stencil])
def test_hessian_matches_differences_of_the_gradient(f):
    x = np.array([0.3, -0.5, 0.8, 0.1, -0.2])
    assert "+=" in grad(f).source  # the gradient does accumulate in place
    df = grad(f)
    expected = np.array([numerical_grad(lambda v, i=i: df(v)[i], [x], 0)
                         for i in range(len(x))])
    np.testing.assert_allclose(hessian(f)(x), expected, rtol=1e-6, atol=1e-8)
