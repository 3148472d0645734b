"""A 0-d array reduced along axis 0 or -1 (NumPy allows it; ``np.squeeze`` and
reductions make 0-d arrays often): its gradient, tangent and Hessian crashed in the
rules' axis arithmetic (an integer modulo by zero, a broadcast of a non-scalar)."""

import numpy as np
import pytest

from autograd_src import grad, hessian, jvp


def by_max(x):
    return np.sum(np.max(x, axis=0)) * x


def by_amin(x):
    return np.sum(np.amin(x, axis=-1)) * x


def by_cumsum(x):
    return np.sum(np.cumsum(x, axis=0)) * x


def by_cumprod(x):
    return np.sum(np.cumprod(x, axis=-1)) * x


def by_prod(x):
    return np.prod(x, axis=0) * x


@pytest.mark.parametrize("f", [by_max, by_amin, by_cumsum, by_cumprod, by_prod],
                         ids=lambda f: f.__name__)
def test_first_and_second_derivatives_of_x_squared(f):
    x = np.array(1.5)
    np.testing.assert_allclose(grad(f)(x), 3.0)
    np.testing.assert_allclose(jvp(f, (x,), (np.array(1.0),))[1], 3.0)
    np.testing.assert_allclose(hessian(f)(x), 2.0)
