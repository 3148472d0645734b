"""What the caller sees after a derivative call (tester Q, session 12): the caller's
arrays never change, also where the function writes into one through another name;
a list or dict passed in holds what one run leaves in it, also where a helper writes
it and at second order; where grad cannot follow NumPy's sharing of a 0-d array
updated in place, or a list bound to another after writes, it refuses."""

import numpy as np
import pytest

from autograd_src import DiffSyntaxError, grad, hessian, hvp, jacfwd, jacrev, value_and_grad
from autograd_src.errors import InPlaceUpdateError


def shifted_through_a_name(w, X):
    Y = X  # the caller's data array
    Y += 1.0
    return Y * w


def scaled_through_a_list_item(w, x):
    items = [x, w]
    m = items[0]  # x itself
    m *= 3.0
    return np.sum(m * w) + np.sum(x)


def test_a_data_argument_written_through_another_name_is_shifted_once():
    # each Jacobian pass shifted the caller's X again (silently wrong): each pass now
    # starts from the X passed, and X ends as one run of the function leaves it
    w = np.array([0.3, -0.5])
    for jacobian in (jacfwd, jacrev):
        X = np.array([1.0, 2.0])
        np.testing.assert_allclose(jacobian(shifted_through_a_name)(w, X), np.diag([2.0, 3.0]))
        np.testing.assert_array_equal(X, [2.0, 3.0])
    # through a helper called on its own line too
    X = np.array([1.0, 2.0])
    grad(_summed_through_a_helper)(w, X)
    np.testing.assert_array_equal(X, [2.0, 3.0])


def _summed_through_a_helper(a, b):
    shifted = shifted_through_a_name(a, b)
    return np.sum(shifted)


def test_an_update_through_an_item_of_a_list_holding_data_is_refused():
    # value 4.5 where NumPy gives 10.5: the check left out the data argument x
    with pytest.raises(InPlaceUpdateError, match="test_caller_state.py:"):
        value_and_grad(scaled_through_a_list_item)(np.array([0.1, 0.2]), np.array([1.0, 2.0]))


def updated_then_named(x, k):
    x += k  # a 0-d array stays the caller's, changed in place
    y = x
    y += x * x  # changes x too
    return x


def larger_then_updated(w, x):
    m = max(x, w)  # x itself, a 0-d array
    m += w
    return m * w + x


@pytest.mark.parametrize("f, args", [(updated_then_named, (np.array(0.5), 0.0)),
                                     (larger_then_updated, (np.array(1.0), np.array(2.0)))])
def test_a_0d_array_shared_and_updated_in_place_is_refused(f, args):
    # the update became a new number, losing NumPy's sharing: silently wrong
    with pytest.raises(InPlaceUpdateError, match="0-d array|read later, shares"):
        value_and_grad(f)(*args)
    # numbers cannot be shared: right
    value, _ = value_and_grad(f)(*(float(a) for a in args))
    assert value == pytest.approx(f(*(float(a) for a in args)))


def written_then_rebound(x, d):
    d["k"] = 1.0
    d = {}
    d["j"] = 2.0
    return np.sum(x ** 2)


def rebound_first(x, log):
    log = list(log)  # a list of its own, before any write: the caller's stays
    log.append(1.0)
    return np.sum(x ** 2)


def test_a_list_or_dict_bound_to_another_after_writes_is_refused():
    with pytest.raises(DiffSyntaxError, match="d, the list or dict the caller passed"):
        grad(written_then_rebound)(np.ones(2), {})
    log = []
    grad(rebound_first)(np.ones(2), log)
    assert log == []


def keep_activation(W, x, cache):
    h = np.tanh(W * x)
    cache["h"] = h
    return h


def loss_with_a_helper_writing_the_cache(W, x, cache):
    out = keep_activation(W, x, cache)
    return np.sum(out ** 2)


def counted(x, calls):
    calls.append("called")
    return np.sum(x ** 3)


def test_a_helpers_writes_and_second_orders_writes_reach_the_caller():
    W, x = np.array([0.5, -1.0]), np.array([1.0, 2.0])
    cache = {}
    grad(loss_with_a_helper_writing_the_cache)(W, x, cache)
    np.testing.assert_allclose(cache["h"], np.tanh(W * x))
    calls = []
    hvp(counted)(np.ones(2), calls, np.ones(2))
    assert calls == ["called"]
    calls = []
    np.testing.assert_allclose(hessian(counted)(np.ones(2), calls), 6 * np.eye(2))
    # each column's run finds the list as the caller passed it: one run's effect (tester
    # W: a column per run compounded writes, ws[0] = ws[0] + 1.0 gave a wrong Hessian)
    assert calls == ["called"]


def _reads_what_it_writes(x, ws):
    ws[0] = ws[0] + 1.0
    return np.sum(np.sin(x) * ws[0])


def test_second_order_passes_start_from_the_callers_containers():
    from autograd_src import jacfwd, jacrev
    x = np.array([0.3, 0.7, 1.1])
    for make in (hessian, lambda f: jacfwd(grad(f)), lambda f: jacrev(grad(f))):
        ws = [np.zeros(3)]
        np.testing.assert_allclose(np.diag(make(_reads_what_it_writes)(x, ws)), -np.sin(x))
        np.testing.assert_allclose(ws[0], np.ones(3))


class _Holder:
    def __init__(self, history):
        self.history = history


def _written_and_read_through_an_object(x, history, model):
    history.append(2.0)
    return np.sum(x ** 2) * len(model.history)  # the same list


def test_a_list_written_and_read_through_an_objects_attribute_is_refused():
    # value 0.0 and gradient 0 where NumPy gives 5.0 and [2, 4] (tester Q)
    history = []
    with pytest.raises(InPlaceUpdateError, match="list or dict that another name"):
        value_and_grad(_written_and_read_through_an_object)(np.array([1.0, 2.0]), history,
                                                            _Holder(history))
