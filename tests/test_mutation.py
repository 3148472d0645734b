"""Subscript assignment on differentiated arrays: exact gradients, inputs untouched."""

import numpy as np
import pytest

from autograd_src import grad
from autograd_src.testing import check_grads

from . import mutation_cases as mc


@pytest.mark.parametrize("fn, make_args, wrt", mc.CASES, ids=[c[0].__name__ for c in mc.CASES])
def test_matches_finite_differences(fn, make_args, wrt):
    args = make_args(np.random.default_rng(0))
    before = [np.copy(a) for a in args]
    check_grads(fn, *args, wrt=wrt)
    for a, b in zip(args, before):
        np.testing.assert_array_equal(a, b)  # the caller's arrays are never modified


def test_assignment_into_a_shared_array_raises_when_it_runs():
    # z = y, then y[0] = ...: NumPy changes z too; grad's new array would not.
    df = grad(mc.aliasing)
    with pytest.raises(ValueError, match=r"mutation_cases.py:\d+: y\[0\] = x\[0\].*"
                                         "another name, read later, shares"):
        df(np.array([1.5, 2.0, 3.0]))


def test_generated_code_shows_the_update():
    # (u = u.copy() first: the update is written into that copy in place)
    assert "u[np.s_[1:-1]] = total" in grad(mc.heat_equation).source
