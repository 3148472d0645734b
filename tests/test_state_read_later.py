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


def test_a_helper_writing_into_a_buffer_it_reads_works_on_a_copy():
    """Refused once (its backward would read the buffer a later call changed); since
    session 23 the helper is copied in working on a copy of the buffer, which the
    statement takes back: each backward keeps its own."""
    x = np.array([0.3, 0.7])
    f = cases.helper_writing_into_a_buffer_it_reads
    value, gradient = value_and_grad(f)(x)
    assert value == pytest.approx(f(x))
    np.testing.assert_allclose(gradient, [2.0, 1.0])


@pytest.mark.parametrize("f, error, words", [
    (cases.global_array_changed_after_a_helper_read_it, DiffSyntaxError,
     r"H\[:\] = \.\.\. changes H, a module's"),
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


@pytest.mark.parametrize("f, words", [
    (cases.helper_appends_to_a_module_list_read_back,
     r"_record\(\) is called on a differentiated value and changes state outside it "
     r"\(HIST.append\(\.\.\.\)\), which is read at state_read_later_cases.py:\d+"),
    (cases.helper_stores_into_a_module_dict_read_by_a_helper,
     r"_put\(\) is called .* \(CACHE\['h'\] = \.\.\.\), which is read at "
     r"state_read_later_cases.py:\d+"),
    (cases.helper_result_used_and_its_record_read_back,
     r"HIST.append\(\) puts a differentiated value into a list of the module's"),
])
def test_a_value_put_into_module_state_by_a_helper_and_read_back_is_refused(f, words):
    with pytest.raises(DiffSyntaxError, match=words):
        value_and_grad(f)(np.array([1.0, 2.0]))


def test_a_record_nothing_reads_is_kept_as_written():
    cases.LOG.clear()
    cases.HIST.clear()
    f = cases.helper_logging_what_nothing_reads
    value, gradient = value_and_grad(f)(np.array([1.0, 2.0]))
    np.testing.assert_allclose(gradient, [2.0, 6.0])
    assert cases.LOG == [1.0] and cases.HIST == [2.0]


def test_state_read_before_a_helper_sets_it_is_the_last_calls():
    # refused since 8ff0332 (tester M): the read comes first, a constant is right;
    # in a loop the next pass reads what this one set, and stays refused
    x = np.array([0.3, -0.7, 1.1])
    cases.STATS.avg = np.zeros(3)
    _, gradient = value_and_grad(cases.running_average_read_before_it_is_set)(x)
    np.testing.assert_allclose(gradient, 2 * x)
    with pytest.raises(DiffSyntaxError, match=r"_ema_set\(\) is called on a differentiated"):
        value_and_grad(cases.running_average_read_again_in_the_loop)(x)



def _rebinds_then_writes(b, d):
    b = b.copy()
    b[1] -= 0.5
    return d / b


def _calls_the_rebinding_helper(d, b):
    return np.sum(_rebinds_then_writes(b, d) ** 2)


def test_a_helper_writing_into_its_own_copy_of_a_parameter():
    # refused as a write "into an array the helper was given" (tester N)
    from autograd_src.testing import check_grads
    check_grads(_calls_the_rebinding_helper, np.array([1.0, 2.0, 3.0]),
                np.array([2.0, 3.0, 4.0]))
