"""Every corpus function's generated gradient against central finite differences."""

import numpy as np
import pytest

from autograd_src import grad
from autograd_src.testing import check_grads

from .corpus import CASES

IDS = [fn.__name__ for fn, _, _ in CASES]


@pytest.mark.parametrize("fn, make_args, wrt", CASES, ids=IDS)
@pytest.mark.parametrize("seed", [0, 1])
def test_matches_finite_differences(fn, make_args, wrt, seed):
    args = make_args(np.random.default_rng(seed))
    check_grads(fn, *args, wrt=wrt)


@pytest.mark.parametrize("fn, make_args, wrt", CASES, ids=IDS)
def test_inputs_are_not_modified(fn, make_args, wrt):
    args = make_args(np.random.default_rng(2))
    before = [np.copy(a) for a in args]
    grad(fn, wrt=wrt)(*args)
    for a, b in zip(args, before):
        np.testing.assert_array_equal(a, b)
