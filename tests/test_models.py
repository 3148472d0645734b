"""Realistic models written as users write them, against finite differences."""

import numpy as np
import pytest

from autograd_src.testing import check_grads

from . import model_cases as mc


@pytest.mark.parametrize("fn, make_args, wrt", mc.CASES, ids=[c[0].__name__ for c in mc.CASES])
@pytest.mark.parametrize("seed", [0, 1])
def test_matches_finite_differences(fn, make_args, wrt, seed):
    check_grads(fn, *make_args(np.random.default_rng(seed)), wrt=wrt)


def test_newton_sqrt_gradient_is_one_over_twice_the_root():
    from autograd_src import grad
    assert grad(mc.newton_sqrt)(2.0) == pytest.approx(1 / (2 * np.sqrt(2.0)))
