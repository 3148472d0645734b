"""Items of a list or dict display that nothing reads get no adjoint (tester A,
session 9): their adjoints are zeros, and a zero times an infinite derivative is NaN."""

import numpy as np
import pytest

from autograd_src import grad
from autograd_src.testing import numerical_grad


def unused_list_item(x):
    ys = [x ** 2, np.sqrt(x)]  # sqrt(-1) is nan, and ys[1] is never read
    return np.sum(ys[0])


def unused_dict_item(x):
    d = {"sq": x ** 2, "root": np.sqrt(x)}
    return np.sum(d["sq"]) + np.sum(d["sq"] * x)


def last_item_read(x):
    ys = [np.log(x), x ** 3, np.sin(x)]
    return np.sum(ys[-1] * ys[1])


@pytest.mark.parametrize("fn", [unused_list_item, unused_dict_item, last_item_read])
def test_items_nothing_reads_get_no_adjoint(fn):
    # Their adjoints are zeros: multiplied by an infinite derivative (sqrt at 0, log
    # and sqrt at negative x give nan values) they made the whole gradient NaN (tester A).
    import warnings
    x = np.array([-1.0, 2.0, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = grad(fn)(x)
        expected = numerical_grad(fn, [x], 0)
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8)
