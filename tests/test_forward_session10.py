"""Tester H's smaller findings (session 10): empty arguments and outputs in Jacobians and
Hessians (IndexError, ValueError), jvp handing back the caller's own tangent array, and
inspect.getsource of hessian/hvp showing the package's wrapper, not the generated code."""

import inspect

import numpy as np

from autograd_src import hessian, hvp, jacfwd, jacrev, jvp


def identity(x):
    return x


def sines(x):
    return np.sin(x)


def cubes(x):
    return np.sum(x ** 3)


def nothing_out(x):
    return x[:0] * 2.0


def test_jvp_of_an_identity_gives_an_array_of_its_own():
    t = np.array([1.0, 2.0])
    _, tangent = jvp(identity, (np.array([0.5, 0.3]),), (t,))
    np.testing.assert_array_equal(tangent, t)
    assert not np.shares_memory(tangent, t)
    tangent[0] = 7.0
    assert t[0] == 1.0


def test_jacobians_of_empty_arguments_and_outputs():
    assert jacfwd(sines)(np.zeros(0)).shape == (0, 0)
    assert jacrev(sines)(np.zeros(0)).shape == (0, 0)
    assert jacfwd(nothing_out)(np.ones(3)).shape == (0, 3)
    assert jacrev(nothing_out)(np.ones(3)).shape == (0, 3)
    assert hessian(cubes)(np.zeros(0)).shape == (0, 0)


def test_getsource_of_hessian_and_hvp_is_the_generated_code():
    h, p = hessian(cubes), hvp(cubes)
    x = np.array([1.0, 2.0])
    np.testing.assert_allclose(h(x), np.diag(6 * x))
    np.testing.assert_allclose(p(x, np.array([1.0, 0.0])), [6.0, 0.0])
    for made in (h, p):
        text = inspect.getsource(made)
        assert text.startswith("def jvp_dcubesdx(") and text.strip() in made.source
