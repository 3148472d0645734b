"""A helper's or closure's backward runs after its caller went on: it read items,
attributes, globals and loop variables when it ran, so a change in between (a counter
on self, a global set after the call, c[0] = 10) gave it the new values: gradients
wrong by up to 60x, silently (an independent tester). Now such reads happen once,
in the helper's forward, and what cannot be followed is refused."""

import numpy as np
import pytest

from autograd_src import InPlaceUpdateError, value_and_grad
from autograd_src.testing import numerical_grad

from . import state_read_later_cases as cases

X = np.array([0.3, -0.7, 1.2])


@pytest.mark.parametrize("optimize", [True, False])
@pytest.mark.parametrize("f", cases.CASES, ids=lambda f: f.__name__)
def test_the_backward_sees_the_values_the_call_used(f, optimize):
    value, gradient = value_and_grad(f, optimize=optimize)(X.copy())
    assert value == pytest.approx(f(X.copy()), rel=1e-12)
    np.testing.assert_allclose(gradient, numerical_grad(f, [X.copy()], 0), rtol=1e-7,
                               atol=1e-9)


def test_a_list_a_closure_holds_changed_between_its_calls_is_refused():
    """g = make(ws); g(x); ws[0] = 5; g(x): the update is made on a new list, which the
    closure would not see (the value was wrong): refused as it runs."""
    with pytest.raises(InPlaceUpdateError, match=r"state_read_later_cases.py:\d+: ws\[0\]"):
        value_and_grad(cases.factory_list_changed_between_calls)(X.copy())
