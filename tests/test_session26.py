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
