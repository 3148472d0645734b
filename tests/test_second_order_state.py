"""Hessians and grad(grad) of functions whose helpers read state that the function
changes between a helper's call and its backward are refused, naming the helper, what
it reads and what changes it; objects given to helpers and pure calls work."""

import numpy as np
import pytest

from autograd_src import NoRuleError, grad, hessian
from autograd_src.testing import numerical_grad

from . import second_order_state_cases as cases


def _reset():
    cases.K[0] = 1.0
    cases.STATE["k"] = 1.0
    cases.SCALE = 2.0


@pytest.mark.parametrize("fn, reads, changer", [
    (cases.list_item_changed_between, "K", r"setk\(\)"),
    (cases.dict_item_changed_between, "STATE", r"setd\(\)"),
    (cases.dict_item_written_between, "STATE", r"STATE\['k'\] = \.\.\."),
    (cases.global_rebound_between, "SCALE", r"set_scale\(\)"),
    (cases.attribute_changed_between, r"opt\.lr", r"opt\.decay\(\)"),
])
@pytest.mark.parametrize("second", ["hessian", "grad(grad)"])
def test_state_changed_before_the_backward_is_refused(fn, reads, changer, second):
    _reset()
    with pytest.raises(NoRuleError, match=rf"runs \w+\(\) again where its backward runs, "
                                          rf"and it reads {reads}, which {changer} may "
                                          "change"):
        (hessian(fn) if second == "hessian" else grad(grad(fn)))(0.7)


@pytest.mark.parametrize("fn", [cases.object_given_to_a_helper,
                                cases.pure_calls_and_constants])
def test_hessian_against_finite_differences_of_grad(fn):
    x = np.array([0.3, 0.9])
    gradient = grad(fn)
    expected = np.array([numerical_grad(lambda v, i=i: gradient(v)[i], [x], 0)
                         for i in range(2)])
    np.testing.assert_allclose(hessian(fn)(x), expected, rtol=1e-5, atol=1e-7)
