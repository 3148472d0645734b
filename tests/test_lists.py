"""Lists, append, comprehensions and generator expressions against finite differences."""

import numpy as np
import pytest

from autograd_src import grad
from autograd_src.testing import check_grads

from . import list_cases as lc


@pytest.mark.parametrize("fn, make_args, wrt", lc.CASES, ids=[c[0].__name__ for c in lc.CASES])
def test_matches_finite_differences(fn, make_args, wrt):
    check_grads(fn, *make_args(np.random.default_rng(0)), wrt=wrt)


def test_append_reverses_into_the_adjoint_list():
    source = grad(lc.stack_hidden_states).source
    assert "hs = _ad.grown(hs, h)" in source  # (_ad.appended, grown in place)
    assert "dh = dh + dhs[-1]" in source
