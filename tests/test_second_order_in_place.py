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


def _scaled_through_an_alias(x):
    c = np.ones(3)
    t = c
    t *= 1.5  # NumPy: c is scaled too
    return np.sum(np.sin(x) * c)


def test_an_update_through_an_alias_is_kept_in_place_at_second_order():
    """Tester W: the gradient's code kept `t *= 1.5` as written, and differentiating it
    again read every `+=`-like update as a new value (an adjoint's accumulation), so c
    stayed ones: hvp gave -sin(x) for -1.5 sin(x)."""
    from autograd_src import hessian, hvp
    x = np.array([0.3, 0.5, 0.7])
    np.testing.assert_allclose(hessian(_scaled_through_an_alias)(x), np.diag(-1.5 * np.sin(x)))
    np.testing.assert_allclose(hvp(_scaled_through_an_alias)(x, np.ones(3)), -1.5 * np.sin(x))
