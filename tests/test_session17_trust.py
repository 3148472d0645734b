"""Findings of session 17 (its testers, fuzz seeds and the items left open by session
16), each in its smallest form."""

import numpy as np
import pytest

from autograd_src import grad
from autograd_src.errors import InPlaceUpdateError


def _finite_differences(fun, x, h=1e-6):
    out = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        out[i] = (fun(up) - fun(down)) / (2 * h)
    return out


def _bump(y, v=1.0):
    y += v  # (on a number: binds y anew, as Python does)
    return y


def _passes_an_item(u):
    return _bump(u[1, 0]) * np.sum(u)


def _passes_it_whole(x):
    return _passes_an_item(u=x) + np.sum(np.sin(x))


def item_to_a_writer_two_calls_deep(x):
    a = _passes_it_whole(x)
    return a + np.sum(x ** 2)


def _passes_an_item_by_keyword(u):
    return _bump(y=u[1, 1]) * np.sum(u)


def item_to_a_writer_by_keyword(x):
    a = _passes_an_item_by_keyword(x)
    return a * np.sum(x)


@pytest.mark.parametrize("f", [item_to_a_writer_two_calls_deep, item_to_a_writer_by_keyword])
def test_an_item_passed_to_a_writer_through_helpers_is_checked_not_the_whole_array(f):
    # fuzz seed 22906: x passed whole to a helper that passes only its item x[1, 0] to
    # a writer was refused as it ran (the narrowing looked one call deep); passed by
    # keyword, the item crashed the narrowing (an AttributeError)
    x = np.arange(6.0).reshape(2, 3) / 7
    given = x.copy()
    np.testing.assert_allclose(grad(f)(given), _finite_differences(f, x), atol=1e-7)
    np.testing.assert_array_equal(given, x)
    with pytest.raises(InPlaceUpdateError, match="writes into its argument"):
        grad(f)(np.ones((2, 3, 2)))  # (there x[1, 0] is a view: the write reaches x)
