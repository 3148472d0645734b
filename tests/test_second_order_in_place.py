"""Second order over gradients that update arrays in place (dx[i] += g, du[1:-1] += g,
out[i] = v): forward mode reads them as new arrays (transform/forward/stacks.py)."""

import math

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


def stencil_copied_each_step(u0):
    u = u0.copy()
    for _ in range(2):
        un = u.copy()
        for j in range(1, 3):
            u[j] = un[j] * un[j + 1]
        u = u * 2.0
    return np.sum(u ** 2)


def angle_and_hypot(x):
    a = math.atan2(x[2], 2.0)
    if a > 0:
        b = x[0] * x[2]
    else:
        b = x[0]
    c = math.hypot(x[2] - a, b)
    d = a - math.hypot(x[2], x[2])
    return d + a + c


def any_and_all_in_a_test(x):
    if any(v > 1.5 for v in x) and all(abs(v) < 5 for v in x):
        return np.sum(x ** 3)
    return np.sum(x)


@pytest.mark.parametrize("f, x", [
    (stencil_copied_each_step, np.array([0.1, 0.5, -0.3, 0.8])),
    (angle_and_hypot, np.array([0.5, 0.3, 0.8])),
    (any_and_all_in_a_test, np.array([0.3, -1.2, 2.0, 0.7])),
])
def test_second_order_of_gradients_that_rebind_or_test_with_any(f, x):
    """Testers AA and AB: grad worked, hessian was refused in generated code: the
    gradient pushed u onto a stack nothing popped it for (u[j] = ... then wrote into the
    stacked array), took `da = da + dout` for a name still sharing dout's array (as
    after `da = dout`), and counted `any(...) and all(...)` as differentiated."""
    H = hessian(f)(x)
    expected = np.array([numerical_grad(lambda y, k=k: grad(f)(y)[k], [x.copy()], 0)
                         for k in range(len(x))])
    np.testing.assert_allclose(H, expected, rtol=1e-6, atol=1e-7)


def test_a_restore_nothing_reads_is_not_stacked():
    d = grad(stencil_copied_each_step)
    d(np.array([0.1, 0.5, -0.3, 0.8]))
    assert "u_stack" not in d.source and "u[j] = prod" in d.source
