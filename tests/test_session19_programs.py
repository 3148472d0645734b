"""Programs testers wrote as users do, that were refused or crashed (session 19)."""

import functools

import numpy as np
import pytest

from autograd_src import grad, jacfwd, jvp

X = np.array([0.3, -0.7, 1.1])


def _logged_scalar(x):
    msg = "x = {:.2f}".format(x)
    text = str(x) + repr(x) + format(x, ".3f") + ", ".join([str(x), "a"]) + f"{x:.1f}"
    print(msg, text)
    return x ** 2


def _logged_array(x):
    msg = "loss {:.3f}".format(float(np.sum(x)))
    print(msg)
    return np.sum(x ** 2)


def test_text_made_of_a_value_is_a_constant_in_every_mode():
    # "x = {:.2f}".format(x) asked for a rule of a str's method in forward mode (and in
    # grad of a Python float, which runs forward mode); str(x) asked for a rule of str
    assert grad(_logged_scalar)(0.3) == pytest.approx(0.6)
    assert grad(_logged_scalar)(np.array(0.3)) == pytest.approx(0.6)
    np.testing.assert_allclose(grad(_logged_array)(X), 2 * X)
    np.testing.assert_allclose(jvp(_logged_array, (X,), (np.ones(3),))[1], 2 * X.sum())
    np.testing.assert_allclose(jacfwd(_logged_array)(X), 2 * X)


def _scaled(v, k=2.0, off=0.0):
    return v * k + off


def _partial_bound_twice(x):
    pf = functools.partial(_scaled, k=1.2)
    y = pf(x, off=0.1)
    pf = functools.partial(_scaled, k=0.7)
    y = pf(y, off=0.1)
    return np.sum(y)


def _partials_bound_twice_in_a_loop(x):
    y = x
    for i in range(2):
        pf = functools.partial(_scaled, k=1.0 + i)
        y = pf(y, off=0.1)
        pf = functools.partial(_scaled, k=0.5)
        y = pf(y)
    return np.sum(y)


def _defined_twice(k, y0):
    def rhs(y):
        return -k * y

    def rhs(y):  # noqa: F811 - redefined, as after editing a notebook cell
        return -k * y ** 3
    y = y0
    for _ in range(10):
        y = y + 0.1 * rhs(y)
    return y


def _defined_twice_called_between(x):
    def g(z):
        return z * 2
    a = g(x)

    def g(z):  # noqa: F811
        return z * 3
    return np.sum(a + g(x))


def _late_binding(x):
    def g(z):
        return z * 2
    h = lambda z: g(z)  # noqa: E731 - calls the g current when it runs: the second

    def g(z):  # noqa: F811
        return z * 3
    return np.sum(h(x))


def test_functions_bound_again_are_each_followed():
    # a second functools.partial under one name failed as it ran ("pass them by
    # position"); a nested def defined twice was refused as "defined in more than one
    # place (in the arms of an if, say)"
    np.testing.assert_allclose(grad(_partial_bound_twice)(X), np.full(3, 1.2 * 0.7))
    np.testing.assert_allclose(grad(_partials_bound_twice_in_a_loop)(X),
                               np.full(3, 1.0 * 0.5 * 2.0 * 0.5))
    h = 1e-6
    expected = (_defined_twice(0.7 + h, 1.2) - _defined_twice(0.7 - h, 1.2)) / (2 * h)
    assert grad(_defined_twice)(0.7, 1.2) == pytest.approx(expected, rel=1e-7)
    np.testing.assert_allclose(grad(_defined_twice_called_between)(X), np.full(3, 5.0))
    np.testing.assert_allclose(grad(_late_binding)(X), np.full(3, 3.0))


def _checks_its_input(x):
    assert x.shape == (3,), "three values"
    return np.sum(x ** 2)


def test_asserts_in_a_test_module_pytest_rewrote():
    # pytest rewrites a test module's asserts as it imports it, so its code differs
    # from its text: grad said "the source ... changed after it was defined"
    assert any(n.startswith("@py") for n in _checks_its_input.__code__.co_names)
    np.testing.assert_allclose(grad(_checks_its_input)(X), 2 * X)
