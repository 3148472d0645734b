"""Session 26: the smallest forms of what the fuzzers, independent testers and this
session's own checks found (each test failed before its fix)."""

import numpy as np

from autograd_src import grad

A = np.array([0.3, -0.7, 1.1])


# ----- a method of a builtin set again to the same method while the function runs
# (np.add.reduce makes a new object on every read): the still_bound check took it for
# another function and raised -----

class _Reducer:
    def __init__(self):
        self.total = np.add.reduce

    def reset(self):
        self.total = np.add.reduce


_REDUCER = _Reducer()


def _reset_between_uses(x):
    y = _REDUCER.total(np.sin(x))
    _REDUCER.reset()
    return y + _REDUCER.total(x * x)


def test_builtin_method_set_again_to_itself_runs():
    derivative = grad(_reset_between_uses)
    assert "still_bound" in derivative.source
    np.testing.assert_allclose(derivative(A.copy()), np.cos(A) + 2.0 * A)


# ----- a helper binding an alias of its parameter anew before writing into it, called
# on an array another name shares (stop-hook fuzz seed 29949: the helper's copy-in
# rule, flow-insensitive where session 25 made normalize's flow-sensitive, took
# res -= ... for a write into u and refused the call) -----

def _alias_bound_anew(u):
    res = u
    res = np.arctan(res * u)
    res -= 0.5 * np.tanh(res)
    return res


def _calls_on_a_shared_array(x):
    w = x
    r = _alias_bound_anew(w)
    return np.sum(r * x)


def test_helper_alias_bound_anew_called_on_shared_array():
    def by_hand(x):
        a = np.arctan(x * x)
        r = a - 0.5 * np.tanh(a)
        dr = (1.0 - 0.5 / np.cosh(a) ** 2) * 2.0 * x / (1.0 + x ** 4)
        return r + x * dr

    x = A.copy()
    np.testing.assert_allclose(grad(_calls_on_a_shared_array)(x), by_hand(A))
    np.testing.assert_array_equal(x, A)
