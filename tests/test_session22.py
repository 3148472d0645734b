"""Session 22: the smallest forms of what independent testers found (each test failed
before its fix)."""

import numpy as np

from autograd_src import grad, jacfwd, jacrev, value_and_grad


def _fd(f, x, h=1e-6):
    flat = np.asarray(x, dtype=float).ravel()
    out = np.zeros_like(flat)
    for i in range(flat.size):
        e = np.zeros_like(flat)
        e[i] = h
        out[i] = (f((flat + e).reshape(np.shape(x))) - f((flat - e).reshape(np.shape(x)))) / (2 * h)
    return out.reshape(np.shape(x))


# ----- a loop over a name its own target (or its body) binds anew -----

def _loop_target_is_the_iterable(x):
    s = 0.0
    for x in x:  # noqa: B020 (iterates the items of the x it starts with)
        s = s + np.sum(x * x)
    return s


def test_loop_target_named_as_the_iterable():
    X = np.arange(1.0, 9.0).reshape(2, 2, 2)
    value, gradient = value_and_grad(_loop_target_is_the_iterable)(X)
    assert value == _loop_target_is_the_iterable(X)
    np.testing.assert_allclose(gradient, 2 * X)
    np.testing.assert_allclose(jacfwd(_loop_target_is_the_iterable)(X), 2 * X)


def _enumerate_target_is_the_iterable(x):
    s = 0.0
    for i, x in enumerate(x):  # noqa: B020
        s = s + i * x * x
    return s


def test_enumerate_target_named_as_the_iterable():
    x = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(grad(_enumerate_target_is_the_iterable)(x),
                               _fd(_enumerate_target_is_the_iterable, x), rtol=1e-6)


def _inner_loop_rebinds_its_iterable(x):
    s = 0.0
    for j in range(2):
        for v in x:  # over the items x held when the inner loop started
            s = s + v * (j + 1.0)
            x = x[1:] * 2.0
    return s


def test_inner_loop_over_a_name_its_body_rebinds():
    # (the enclosing loop's second pass normalized the inner loop as rewritten by the
    # first: the copy of the iterable before it was lost, a NameError)
    x = np.array([0.3, -0.7, 1.2, 2.0])
    value, gradient = value_and_grad(_inner_loop_rebinds_its_iterable)(x)
    assert np.isclose(value, _inner_loop_rebinds_its_iterable(x))
    np.testing.assert_allclose(gradient, _fd(_inner_loop_rebinds_its_iterable, x), rtol=1e-6)
    np.testing.assert_allclose(jacrev(_inner_loop_rebinds_its_iterable)(x),
                               _fd(_inner_loop_rebinds_its_iterable, x), rtol=1e-6)
