"""A list or dict passed in without gradient and written into by the function (a cache
of activations, a counter, a log of losses, a slot for the loss): the caller's list or
dict holds afterwards what one run of the function leaves in it, under every
derivative. grad works on a copy (its functional updates need values that do not
change), which dropped the writes silently (tester O), and ``log.append(v)`` was
refused. Arrays passed in are never changed (the README's rule), as before."""

import numpy as np
import pytest

from autograd_src import grad, hessian, jvp, value_and_grad
from autograd_src.testing import numerical_grad


def with_a_cache(w, cache):
    h = np.tanh(w)
    cache["h"] = h
    cache["calls"] = cache["calls"] + 1
    return np.sum(h ** 2)


def with_a_slot(w, out):
    out[0] = float(np.sum(w ** 2))
    return np.sum(w ** 2)


def with_a_log(w, log):
    loss = np.sum(np.tanh(w) ** 2)
    log.append(float(loss))
    log.append(loss)
    return loss


def with_a_rebinding(w, stats):
    stats = {**stats, "norm": float(np.linalg.norm(w))}  # a new dict: the caller's stays
    stats["twice"] = 2 * stats["norm"]
    return np.sum(w * w)


def with_an_extension(w, log):
    log += [float(np.sum(w))]  # (on a list, += writes into it)
    log.extend([np.sum(w * w)])
    return np.sum(w * w * w)


def _argument(f):
    return {with_a_cache: lambda: {"calls": 0}, with_a_slot: lambda: [None],
            with_a_log: lambda: [], with_a_rebinding: lambda: {"n": 1.0},
            with_an_extension: lambda: [0.0]}[f]()


def _same(a, b):
    assert type(a) is type(b) and len(a) == len(b)
    for x, y in (zip(a, b) if isinstance(a, list) else
                 ((a[k], b[k]) for k in a)):
        np.testing.assert_allclose(x, y, rtol=1e-12)


@pytest.mark.parametrize("f", [with_a_cache, with_a_slot, with_a_log, with_a_rebinding,
                               with_an_extension])
@pytest.mark.parametrize("w", [np.array([0.5, -1.0]), 0.7])
def test_the_callers_list_or_dict_holds_what_one_run_leaves(f, w):
    expected = _argument(f)
    value = f(w, expected)
    for derivative in (grad(f), value_and_grad(f)):
        given = _argument(f)
        got = derivative(w, given)
        _same(given, expected)
        g = got[1] if isinstance(got, tuple) else got
        np.testing.assert_allclose(g, numerical_grad(lambda a: f(a, _argument(f)), [w], 0),
                                   rtol=1e-7)
    given = _argument(f)
    out, tangent = jvp(f, (w, given), (np.ones_like(w), None))  # (None: held constant)
    assert out == pytest.approx(value)
    _same(given, expected)


def test_second_order_writes_the_callers_dict_too():
    cache = {"calls": 0}
    h = hessian(with_a_cache)(np.array([0.5, -1.0]), cache)
    t = np.tanh(np.array([0.5, -1.0]))
    np.testing.assert_allclose(np.diag(h), 2 * (1 - t ** 2) ** 2 - 4 * t * t * (1 - t ** 2),
                               rtol=1e-10)
    assert set(cache) == {"calls", "h"} and cache["calls"] >= 1


def test_an_array_passed_in_is_changed_as_one_run_changes_it():
    def centred(w, X):
        X -= X.mean(axis=0)
        return np.sum((X @ w) ** 2)

    X = np.arange(6.0).reshape(3, 2)
    grad(centred)(np.array([0.3, -0.2]), X)
    np.testing.assert_array_equal(X, np.arange(6.0).reshape(3, 2) - [2.0, 3.0])


def _bump(lst):
    lst[0] = lst[0] + 1


def _count(d, k):
    d[k] = d.get(k, 0) + 1


def _forget(d):
    d.clear()


def _log(lst, v):
    lst.append(v)


def bumped_twice(x, lst):
    _bump(lst)
    _bump(lst)
    return np.sum(x ** 2) * lst[0]


def bumped_in_a_loop(x, lst):
    for _ in range(3):
        _bump(lst)
    return np.sum(x ** 2)


def counted_three_times(x, d):
    _count(d, "a")
    _count(d, "a")
    _count(d, "b")
    return np.sum(x ** 2)


def bumped_then_written(x, lst):
    _bump(lst)
    lst[0] = lst[0] * 10
    return np.sum(x ** 2)


def counted_then_cleared(x, d):
    _count(d, "a")
    _forget(d)
    return np.sum(x ** 2)


def bumped_in_a_branch(x, lst):
    _bump(lst)
    if np.sum(x) > 0:
        _bump(lst)
    return np.sum(x ** 2)


def bumped_then_logged(x, lst):
    _bump(lst)
    _log(lst, 4)
    return np.sum(x ** 2)


@pytest.mark.parametrize("f, given", [
    (bumped_twice, [1]), (bumped_in_a_loop, [0]), (counted_three_times, {}),
    (bumped_then_written, [0]), (counted_then_cleared, {"z": 1}),
    (bumped_in_a_branch, [0]), (bumped_then_logged, [0])],
    ids=lambda v: getattr(v, "__name__", ""))
def test_helpers_writing_into_the_callers_container_one_after_another(f, given):
    """Tester S: the first helper call worked on a copy and took it back (lst =
    bump_on_copies(lst)), so what later calls and writes did never reached the caller's
    list or dict (it kept [1] where one run leaves [3])."""
    import copy
    x = np.array([1.0, 2.0])
    expected = copy.deepcopy(given)
    value = f(x, expected)
    got = copy.deepcopy(given)
    v, g = value_and_grad(f)(x, got)
    assert got == expected
    assert v == pytest.approx(value)
    np.testing.assert_allclose(
        g, numerical_grad(lambda z: f(z, copy.deepcopy(given)), (x,), 0), rtol=1e-6)


def _adds_into_its_first(u, v):
    u[[1, 3]] += v[:2]


def logs_and_passes_an_item_on(x, log):
    log["hist"].append(1.0)
    t = x * 1.0
    _adds_into_its_first(t, log["c"])
    return np.sum(t * x)


def test_a_log_in_a_dict_whose_other_item_goes_to_a_writing_helper():
    """Tester W: the dict was copied (an item of it went to a helper that writes into
    an argument) and the append went into the copy: log['hist'] stayed []."""
    x = np.array([0.5, -1.0, 2.0, 1.0])
    log = {"c": np.array([1.0, 2.0, 3.0, 4.0]), "hist": []}
    grad(logs_and_passes_an_item_on)(x, log)
    assert log["hist"] == [1.0]
    np.testing.assert_allclose(log["c"], [1.0, 2.0, 3.0, 4.0])


def _adds_to_an_item(x, log):
    log["c"] += 1.0
    return np.sum(x * log["c"])


def test_an_array_item_of_a_dict_argument_updated_in_place_stays_the_callers():
    """Tester W: `log['c'] += 1.0` once wrote into the caller's array before the
    derivative read it. The function works on copies; at the end, as NumPy's update
    in place leaves it (session 34, FA 25), the caller's dict holds its own array, c,
    with the new values (an array argument without gradient holds what one run leaves
    in it, as the README says)."""
    x = np.array([0.5, -1.0, 2.0])
    c = np.array([1.0, 2.0, 3.0])
    log = {"c": c}
    np.testing.assert_allclose(grad(_adds_to_an_item)(x, log), [2.0, 3.0, 4.0])
    assert log["c"] is c
    np.testing.assert_allclose(c, [2.0, 3.0, 4.0])


# A differentiated list or dict written into (tester W): the caller's holds afterwards
# what one run leaves in it, as for one passed without gradient; its gradient is laid out
# as the caller passed it. Before, ``params['W'] = ...`` was silently left out of the
# caller's dict while ``ws.append(v)`` was refused.


def rescaled_in_place(params, x):
    params["W"] = params["W"] * 2.0
    params["b"] = np.tanh(params["W"] * x)
    return np.sum(params["W"] * params["b"])


def grown_in_a_loop(ws, x):
    for _ in range(3):
        ws.append(np.tanh(ws[-1] * x))
    ws[0] = ws[0] ** 2
    return np.sum(ws[-1]) + np.sum(ws[0] * ws[1])


def popped_and_read(ws, x):
    w = ws.pop()
    return np.sum(w * x) + np.sum(ws[0] ** 2)


def _plain_run(f, given, x):
    import copy
    mine = copy.deepcopy(given)
    f(mine, x)
    return mine


def _same(a, b):
    assert type(a) is type(b)
    if isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            np.testing.assert_allclose(a[k], b[k], rtol=1e-12)
    else:
        assert len(a) == len(b)
        for u, v in zip(a, b):
            np.testing.assert_allclose(u, v, rtol=1e-12)


@pytest.mark.parametrize("f, given", [
    (rescaled_in_place, {"W": np.array([0.3, -0.2, 0.5])}),
    (grown_in_a_loop, [np.array([0.3, -0.2, 0.5])]),
    (popped_and_read, [np.array([0.3, -0.2, 0.5]), np.array([1.0, 2.0, -1.0])]),
])
def test_a_differentiated_list_or_dict_written_into(f, given):
    import copy
    x = np.array([1.0, 2.0, -0.5])
    expected = _plain_run(f, given, x)
    passed = copy.deepcopy(given)
    keys = list(passed) if isinstance(passed, dict) else range(len(passed))
    g = grad(f)(passed, x)
    _same(passed, expected)  # the caller's: as after one run
    assert type(g) is type(given) and list(keys) == (
        list(g) if isinstance(g, dict) else list(range(len(g))))  # as passed
    for k in keys:
        def one(v, k=k):
            mine = copy.deepcopy(given)
            mine[k] = v
            return f(mine, x)
        np.testing.assert_allclose(g[k], numerical_grad(one, [given[k].copy()], 0), rtol=1e-6,
                                   atol=1e-8)
    passed = copy.deepcopy(given)
    value, g2 = value_and_grad(f)(passed, x)
    np.testing.assert_allclose(value, f(copy.deepcopy(given), x))
    _same(passed, expected)
    passed = copy.deepcopy(given)
    tangent = {k: np.ones(3) for k in given} if isinstance(given, dict) else \
        [np.ones(3) for _ in given]
    _, t = jvp(f, (passed, x), (tangent, np.zeros(3)))
    _same(passed, expected)
    np.testing.assert_allclose(t, sum(np.sum(g[k]) for k in keys), rtol=1e-9)
