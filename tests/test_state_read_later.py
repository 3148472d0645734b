"""A helper's or closure's backward runs after its caller went on: it read items,
attributes, globals and loop variables when it ran, so a change in between (a counter
on self, a global set after the call, c[0] = 10) gave it the new values: gradients
wrong by up to 60x, silently (an independent tester). Now such reads happen once,
in the helper's forward, and what cannot be followed is refused."""

import numpy as np
import pytest

from autograd_src import DiffSyntaxError, InPlaceUpdateError, value_and_grad
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


@pytest.mark.parametrize("f, error, words", [
    (cases.global_array_changed_after_a_helper_read_it, DiffSyntaxError,
     r"H\[:\] = \.\.\. changes H, a module's"),
    (cases.helper_writing_into_a_buffer_it_reads, DiffSyntaxError,
     r"buf\[i\] = \.\.\. writes into an array _writes_into_its_buffer\(\) was given"),
    (cases.attribute_aliased_and_updated, InPlaceUpdateError,
     r"w \*= 2.0: this in-place update changes an array that another name"),
    (cases.attribute_updated_after_it_was_read, DiffSyntaxError,
     r"s.lr \*= 0.5: an in-place update of an attribute"),
])
def test_state_changed_where_grad_cannot_follow_is_refused(f, error, words):
    """A second tester's programs: each gave a wrong gradient (the first three; the
    third a wrong value too) or crashed inside the transformer (the last)."""
    with pytest.raises(error, match=words):
        value_and_grad(f)(np.array([1.0, 1.0]))
