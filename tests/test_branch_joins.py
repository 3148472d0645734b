"""Adjoints of values made only on some paths, joined after branches and loops."""

import numpy as np
import pytest

from autograd_src.testing import check_grads

from . import branch_join_cases as bc


@pytest.mark.parametrize("fn", [bc.f, bc.g, bc.h, bc.k, bc.read_then_rebound_in_an_arm,
                                bc.saved_while_maybe_unbound],
                         ids=["f", "g", "h", "k", "read_then_rebound_in_an_arm",
                              "saved_while_maybe_unbound"])
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_matches_finite_differences(fn, sign):
    check_grads(fn, np.array([0.3, 0.5]), np.array([sign]))
