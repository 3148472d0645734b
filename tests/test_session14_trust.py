"""Findings of the session-14 testers (AE: in-place updates and aliasing; AF: lists and
dicts written into; AB: second order), each in its smallest form."""

import collections

import numpy as np
import pytest

from autograd_src import grad, hessian, jacrev, value_and_grad, vjp
from autograd_src.errors import DiffSyntaxError, InPlaceUpdateError
from autograd_src.testing import numerical_grad

X = np.array([0.3, 0.6, 0.9])


def alias_rebound_in_a_branch_not_taken(x):
    u = x * 1.0
    a = u
    if x[0] > 100.0:
        a = x * 2.0
    u *= 3.0
    return np.sum(a ** 2)


def data_argument_viewed_between_two_updates(x, W):
    W[1] = x[1]
    v = W[0]
    W[0] = x * x
    return np.sum(np.sin(v))


def item_set_in_a_loop_under_a_view(x):
    u = x * 1.0
    v = u[1:]
    for _ in range(1):
        u[1] = x[0]
        v = v * 2.0
    return np.sum(v)


@pytest.mark.parametrize("f, args", [
    (alias_rebound_in_a_branch_not_taken, (X,)),
    (data_argument_viewed_between_two_updates, (X, np.zeros((2, 3)))),
    (item_set_in_a_loop_under_a_view, (X,)),
])
def test_updates_another_name_sees_are_refused(f, args):
    """Tester AE, A/B/E: a change of this session let the alias checks go (a rebinding
    in a branch not taken dropped the name from those sharing an array; a data
    argument's copy was normalized as a list): silently wrong values. Refused again."""
    with pytest.raises((InPlaceUpdateError, DiffSyntaxError)):
        value_and_grad(f)(*[a.copy() for a in args])


def scaled_config(x, cfg):
    cfg["scale"] = cfg["scale"] * 2
    return np.sum(x ** 2 * cfg["scale"])


@pytest.mark.parametrize("kind", [dict, collections.OrderedDict,
                                  lambda d: collections.defaultdict(float, d)],
                         ids=["dict", "OrderedDict", "defaultdict"])
def test_each_jacobian_pass_starts_from_the_dict_as_passed(kind):
    """Tester AF: an OrderedDict or defaultdict written into compounded over the passes
    of vjp, jacrev and hessian (only plain dicts were restored between them)."""
    x = np.array([1.0, 2.0])
    cfg = kind({"scale": 1.0})
    np.testing.assert_allclose(np.diag(hessian(scaled_config)(x, cfg)), [4.0, 4.0])
    assert cfg["scale"] == 2.0
    cfg = kind({"scale": 1.0})
    np.testing.assert_allclose(jacrev(grad(scaled_config))(x, cfg), 4 * np.eye(2))
    assert cfg["scale"] == 2.0
    cfg = kind({"scale": 1.0})
    value, back = vjp(scaled_config, x, cfg)
    assert value == 10.0 and cfg["scale"] == 2.0  # (as after one run: session 19)
    np.testing.assert_allclose(back(1.0)[0], [4.0, 8.0])
    assert cfg["scale"] == 2.0


def number_item_replaced_by_an_array(P):
    P["c"] = P["W"] * 1.5
    return np.sum(P["c"])


def test_a_number_item_overwritten_with_an_array():
    """Tester AF: the zero gradient of the overwritten number came in the new array's
    shape, and laying it out as a number crashed."""
    P = {"W": np.array([1.0, 2.0]), "c": 3.0}
    g = grad(number_item_replaced_by_an_array)(P)
    np.testing.assert_allclose(g["W"], [1.5, 1.5])
    assert g["c"] == 0.0 and type(g["c"]) is float
    np.testing.assert_allclose(P["c"], [1.5, 3.0])  # as after a plain run


def logged_after_reading_the_parameters(P, log):
    s = np.sum(P[0] * P[1])
    log.append(1.0)
    return s


def item_read_then_updated_under_another_name(w, L):
    a = L[0]
    y = w * a
    L[0] += 1.0
    return np.sum(y * a)


def item_updated_after_an_adjoint_read_it(w, L):
    y = w * L[0]
    L.append(2.0)
    L[0] *= 3.0
    return np.sum(y * L[0])


def test_a_log_appended_after_the_parameters_were_read():
    """Tester AF (~670 programs): refused as if the log were read by a derivative."""
    log: list = []
    g = grad(logged_after_reading_the_parameters)([np.ones(2), 2 * np.ones(2)], log)
    np.testing.assert_allclose(g[0], [2.0, 2.0])
    assert log == [1.0]


def test_items_of_a_callers_list_updated_in_place():
    """`L[0] += 1.0` becomes a new item of the function's copy of L: a name holding
    the old item (a = L[0]) would keep the old values (wrong gradient: 1 for 2), now
    refused; an adjoint reading L[0] read the new item (9 for 3), now it reads the
    item as it was."""
    from autograd_src.errors import InPlaceUpdateError
    w = np.array([1.0, 2.0])
    # (as it runs since session 19: an item that is a number is rebound, as in Python)
    with pytest.raises(InPlaceUpdateError, match="another name here may also hold"):
        grad(item_read_then_updated_under_another_name)(w, [np.ones(2)])
    numbers = [1.5]
    np.testing.assert_allclose(grad(item_read_then_updated_under_another_name)(w, numbers),
                               [1.5 ** 2] * 2)
    assert numbers == [2.5]
    L = [np.ones(2)]
    g = grad(item_updated_after_an_adjoint_read_it)(w, L)
    expected = numerical_grad(lambda v: item_updated_after_an_adjoint_read_it(v, [np.ones(2)]),
                              [w], 0)
    np.testing.assert_allclose(g, expected, rtol=1e-7)
    np.testing.assert_allclose(L[0], [3.0, 3.0])
    assert L[1] == 2.0


def copied_into_a_data_argument(x, W):
    np.copyto(W, np.tanh(W))
    return np.sum(np.sin(x) * W[0])


def test_np_copyto_into_a_data_argument_works_on_a_copy():
    """Tester AE, D: np.copyto(W, ...) changed the caller's W at every call, and each
    Jacobian column saw the previous one's write."""
    from autograd_src import jacfwd
    W = np.full((2, 3), 0.7)
    np.testing.assert_allclose(jacfwd(copied_into_a_data_argument)(X, W),
                               np.cos(X) * np.tanh(0.7))
    assert np.all(W == np.tanh(0.7))  # (written once, as one run of the function)
    W = np.full((2, 3), 0.7)
    np.testing.assert_allclose(np.diag(hessian(copied_into_a_data_argument)(X, W)),
                               -np.sin(X) * np.tanh(0.7))
    assert np.all(W == np.tanh(0.7))


def updated_through_an_alias_after_a_view(x):
    W = np.outer(np.ones(2), x)
    v = W[0]
    W[1] = 0.0
    A = W
    A *= 2.0
    return np.sum(v ** 2)


def updated_through_a_dict_after_a_view(x):
    W = np.outer(np.ones(2), x)
    v = W[0]
    W[1] = 0.0
    D = {"q": W}
    D["q"] *= 2.0
    return np.sum(v ** 2)


@pytest.mark.parametrize("f", [updated_through_an_alias_after_a_view,
                               updated_through_a_dict_after_a_view])
def test_an_update_through_another_name_of_a_base_viewed_before(f):
    """Tester AE, F: the view v of W's array from before W[1] = 0.0 (a new array in
    grad) missed NumPy's update through A (or D['q']): value 1.26 for 5.04. Refused."""
    with pytest.raises(InPlaceUpdateError, match="took from it before an earlier update"):
        value_and_grad(f)(X)


def _doubled_in_place(a):
    a *= 2.0
    return a


def _doubled_on_a_copy(a):
    a = a.copy()
    a *= 2.0
    return a


def argument_doubled_by_a_helper_and_read_again(x):
    u = x * 1.0
    h = _doubled_in_place(u)  # noqa: F841 - NumPy doubles u
    return np.sum(np.sin(u))


def argument_doubled_on_a_copy_and_read_again(x):
    u = x * 1.0
    h = _doubled_on_a_copy(u)
    return np.sum(np.sin(u)) + np.sum(h)


def test_a_helper_writing_into_an_argument_that_is_read_again():
    """Tester AE, C: the result unused, the helper ran as written in the derivative and
    doubled u, which the gradient did not follow: half of it. Refused at the call, then
    (session 23) followed: the helper works on a copy the statement takes back."""
    np.testing.assert_allclose(grad(argument_doubled_by_a_helper_and_read_again)(X),
                               2 * np.cos(2 * X))
    g = grad(argument_doubled_on_a_copy_and_read_again)(X)
    np.testing.assert_allclose(g, np.cos(X) + 2.0)


def data_reshaped_then_divided_in_place(x, W):
    v = W.reshape(-1)
    W /= 1.5 + np.tanh(W)
    return np.sum(np.tanh(v * x[0])) + np.sum(x ** 2 * W[0])


def data_viewed_then_scaled_in_place(x, W):
    c = W[:, None]
    W *= np.cos(1.1 - W)
    return np.sum(np.sin(c * x[1])) + np.sum(x ** 3)


def _doubled(a):
    a *= 2.0
    return a


def data_doubled_by_a_helper_through_a_view(x, W):
    t = W.T
    h = _doubled(t)
    return np.sum(h * x[0] ** 2) + np.sum(np.sin(W) * x[1])


@pytest.mark.parametrize("f", [data_reshaped_then_divided_in_place,
                               data_viewed_then_scaled_in_place])
def test_second_order_keeps_numpy_updates_of_data_seen_through_views(f):
    """Tester AE: at second order the gradient's `W /= ...` on a data argument became a
    new array, which the view v (W.reshape(-1), W[:, None]) did not see: a wrong
    Hessian."""
    x = np.array([0.4, -0.7, 0.2])
    W = np.linspace(-0.5, 0.8, 6).reshape(2, 3)
    H = hessian(f)(x, W.copy())
    expected = np.array([numerical_grad(lambda y, k=k: grad(f)(y, W.copy())[k], [x.copy()], 0)
                         for k in range(3)])
    np.testing.assert_allclose(H, expected, rtol=1e-6, atol=1e-7)
    given, once = W.copy(), W.copy()
    hessian(f)(x, given)
    f(x, once)
    np.testing.assert_array_equal(given, once)  # the caller's array, as one run leaves it


def _scaled_in_place(a):
    a *= 1.5
    return a


def argument_scaled_by_a_helper_after_an_adjoint_read_it(x):
    y = np.sum(x ** 2)
    h = _scaled_in_place(x)  # noqa: F841
    return y


def data_scaled_by_a_helper_through_an_inline_view(x, W):
    u = W @ x
    h = _scaled_in_place(W[:, 0])  # noqa: F841
    return np.sum(u ** 3)


def made_in_a_loop_then_updated_through_a_list(x):
    for _ in range(1):
        h = x * 1.0
    L = [h]
    L[0] += x
    return np.sum(h ** 2)


def data_written_through_a_reshaped_view(x, W):
    u = x * 1.0
    u[1] = np.tanh(np.sum(u))
    w = W.reshape(-1)
    w[0] = 2.0
    return np.sum(u) * np.sum(W * W)


def test_a_helper_scaling_a_differentiated_argument_after_an_adjoint_read_it():
    """Tester AG: [3, 6] for [2, 4], the caller's x scaled each call; refused, then
    (session 23) the helper works on a copy: the derivative reads x as it was, and x,
    differentiated, stays as passed."""
    x = np.array([1.0, 2.0])
    np.testing.assert_allclose(grad(argument_scaled_by_a_helper_after_an_adjoint_read_it)(x),
                               [2.0, 4.0])
    np.testing.assert_array_equal(x, [1.0, 2.0])


@pytest.mark.parametrize("f, args, second", [
    (data_scaled_by_a_helper_through_an_inline_view, (np.array([0.5, -1.0, 2.0]), np.eye(3)),
     False),
    (made_in_a_loop_then_updated_through_a_list, (np.array([1.0, 2.0]),), False),
    (data_doubled_by_a_helper_through_a_view, (np.array([0.4, -0.7, 0.2]),
                                               np.linspace(-0.5, 0.8, 6).reshape(2, 3)), True),
    (data_written_through_a_reshaped_view, (np.array([0.5, 1.0]), np.zeros((2, 2))), True),
])
def test_writes_the_derivative_would_miss_are_refused(f, args, second):
    """Tester AG: a helper writing into an array an earlier adjoint read (h = scale(x):
    [3, 6] for [2, 4], the caller's x scaled each call), or through a view given inline
    (the caller's W doubled at each Jacobian pass); an array bound in a loop updated
    through a list (2x for 8x); at second order, a write through W.reshape(-1) (zeros).
    Each is refused now, and the caller's arrays stay as they were."""
    given = [a.copy() for a in args]
    with pytest.raises((InPlaceUpdateError, DiffSyntaxError)):
        (hessian(f) if second else grad(f))(*given)
    for a, b in zip(given, args):
        np.testing.assert_array_equal(a, b)


def _polyval_of_columns(p, x):
    return np.sum(np.polyval(p, x))


def _trapezoid_of_one_sample(y):
    return np.trapezoid(y ** 2) if hasattr(np, "trapezoid") else np.trapz(y ** 2)


def test_sampled_data_rules_at_their_edges():
    """Tester AH: 2-D polyval coefficients (one polynomial per column) gave a wrong
    gradient silently (now refused), and a trapezoid of one sample crashed."""
    with pytest.raises(NotImplementedError, match="1-D coefficients"):
        grad(_polyval_of_columns)(np.ones((2, 2)), np.array([1.0, 10.0]))
    np.testing.assert_array_equal(grad(_trapezoid_of_one_sample)(np.array([2.0])), [0.0])


def test_a_tensor_given_where_a_rule_takes_a_constant_is_refused():
    """Tester AH: np.interp(..., left=tensor) in the Tensor API gave that tensor no
    gradient, silently (grad refused it). Since session 35 the rule differentiates
    ``left`` (the points below the samples: FP 04); a rule's constant argument given a
    tensor is still refused (np.linspace's num)."""
    import autograd_src as mg
    fp, left = mg.tensor([1.0, 2.0, 3.0]), mg.tensor(5.0)
    y = np.interp(np.array([-1.0, 0.5]), np.array([0.0, 1.0, 2.0]), fp, left=left)
    y.sum().backward()
    np.testing.assert_allclose(fp.grad, [0.5, 0.5, 0.0])
    assert left.grad == pytest.approx(1.0)
    with pytest.raises(TypeError, match="takes no gradient through this argument"):
        np.interp(np.array([-1.0, 0.5]), np.array([0.0, 1.0, 2.0]), fp,
                  period=mg.tensor(2.0))


def dict_of_a_list_written_through_a_name(ps, x):
    q = ps[0]
    q["W"] = q["W"] * 2
    return np.sum(q["W"] * x)


def dict_of_a_list_copied_written_and_put_back(ps, x):
    q = dict(ps[0])
    q["W"] = q["W"] * 2
    ps[0] = q
    return np.sum(q["W"] * x)


def test_a_dict_held_by_a_differentiated_list_written_through_a_name():
    """Tester AH: the gradient was right but the caller's inner dict kept its old item
    (a plain run rebinds it): refused, and the advice it gives works."""
    with pytest.raises(DiffSyntaxError, match="writes into a dict held by ps"):
        grad(dict_of_a_list_written_through_a_name)([{"W": np.ones(2)}], np.ones(2))
    ps = [{"W": np.ones(2)}]
    g = grad(dict_of_a_list_copied_written_and_put_back)(ps, np.array([1.0, 3.0]))
    np.testing.assert_allclose(g[0]["W"], [2.0, 6.0])
    np.testing.assert_allclose(ps[0]["W"], [2.0, 2.0])
