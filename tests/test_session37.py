"""Session 37: findings of testers GK-GN and the fuzzers, each in its smallest form."""

import numpy as np
import pytest

from autograd_src import grad
from autograd_src.errors import InPlaceUpdateError


def _first_item_bumped(x):
    acc = x
    q = acc[0]  # (a number where x has one dimension, a view of a row where it has two)
    q += 1.0
    return np.sum(acc)


def _reads_then_calls(x):
    y = x * 1.0
    return np.sum(y * y) + _first_item_bumped(y)


def test_an_item_of_another_name_for_a_parameter_updated_is_not_the_parameter():
    # stop-hook fuzz seeds 49197 and 64879: acc = x; q = acc[0]; q += v was taken for
    # x += v, so every array argument was refused ("updates its parameter x in place")
    x = np.arange(3.0)
    np.testing.assert_allclose(grad(_reads_then_calls)(x), 2 * x + 1)
    # where x has two dimensions, q is a view of its first row: still refused
    with pytest.raises(InPlaceUpdateError, match=r"writes into x\[0\] through another name"):
        grad(_reads_then_calls)(np.arange(6.0).reshape(2, 3))
