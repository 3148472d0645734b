"""Session 34: smallest forms of what this session found and fixed."""

from __future__ import annotations

import numpy as np
import pytest

from autograd_src import grad, hessian, jvp

X = np.array([0.3, -0.7, 1.2])


def _append_a_tuple(t, v):
    t += (v,)
    return t


def _tuple_through_helper(x):
    t = (x,)
    t2 = _append_a_tuple(t, x * 2.0)
    return np.sum(t2[1] * t2[0])


def _list_through_helper(x):
    t = [x]
    t2 = _append_a_tuple(t, x * 2.0)
    return np.sum(t2[1] * t2[0])


def _list_through_helper_twice(x):
    ys = [x]
    ys = _append_a_tuple(ys, 2.0 * x)
    ys = _append_a_tuple(ys, 3.0 * x)
    return np.sum(ys[1] * ys[2]) / 3.0


@pytest.mark.parametrize("function", [_tuple_through_helper, _list_through_helper,
                                      _list_through_helper_twice])
def test_a_helpers_plus_equals_of_a_tuple_on_a_list_or_tuple_it_is_given(function):
    # FE 01: `t += (v,)` in a helper, t a tuple: hessian (forward over reverse, the
    # helper inlined) wrote `t + list(value)`, a TypeError; t a list: every entry
    # point wrote `t + value`, list + tuple, a TypeError. Now as the type says.
    np.testing.assert_allclose(grad(function)(X), 4.0 * X)
    np.testing.assert_allclose(hessian(function)(X), 4.0 * np.eye(3))
    _, tangent = jvp(function, (X,), (np.ones(3),))
    np.testing.assert_allclose(tangent, 4.0 * X.sum())


def _extends_its_argument(x, acc):
    acc += (x * 2.0,)
    return np.sum(acc[-1] * x)


def test_plus_equals_of_a_tuple_on_a_list_argument_extends_the_callers_list():
    acc = [1.0]
    np.testing.assert_allclose(grad(_extends_its_argument)(X, acc), 4.0 * X)
    assert len(acc) == 2
    np.testing.assert_allclose(acc[1], 2.0 * X)


def _array_plus_a_tuple(x, b):
    b = b * 1.0
    b += (1.0, 2.0, 3.0)
    return np.sum(b * x)


def test_plus_equals_of_a_tuple_on_an_array_adds_elementwise():
    np.testing.assert_allclose(grad(_array_plus_a_tuple)(X, np.ones(3)), [2.0, 3.0, 4.0])


def _log_by_plus(acc, v):
    acc += [float(np.sum(v))]


def _log_by_append(acc, v):
    acc.append(float(np.sum(v)))


def _log_into_first(acc, v):
    acc[0] = acc[0] + float(np.sum(v))


def _alias_read_after(helper):
    def f(x, log):
        y = np.sum(x ** 2)
        h = log
        helper(h, y)
        return y * len(h)
    return f


def _maybe_alias(x, log, c):
    h = log if c else []
    h.append(1.0)
    _log_by_append(h, np.sum(x))
    return np.sum(x) * len(h)


@pytest.mark.parametrize("helper, start", [(_log_by_plus, []), (_log_by_append, []),
                                           (_log_into_first, [1.0])])
@pytest.mark.parametrize("entry", ["grad", "value_and_grad", "jvp", "jacobian"])
def test_a_helpers_write_through_a_second_name_read_after_reaches_the_callers_list(
        helper, start, entry):
    # FE 03's sibling: h = log; helper(h, y); then len(h): the helper ran on a copy,
    # taken back into h alone; the caller's list kept its old items.
    from autograd_src import jacobian, value_and_grad
    f = _alias_read_after(helper)
    plain = list(start)
    f(X, plain)
    given = list(start)
    if entry == "grad":
        np.testing.assert_allclose(grad(f)(X, given), 2.0 * X * len(plain))
    elif entry == "value_and_grad":
        value_and_grad(f)(X, given)
    elif entry == "jvp":
        jvp(f, (X, given), (X, None))
    else:
        jacobian(f)(X, given)
    assert given == pytest.approx(plain)


@pytest.mark.parametrize("c", [True, False])
def test_a_helpers_append_to_a_name_that_may_be_the_callers_list(c):
    plain: list = []
    _maybe_alias(X, plain, c)
    given: list = []
    np.testing.assert_allclose(grad(_maybe_alias)(X, given, c),
                               np.full(3, 2.0))  # (len(h) is 2 either way)
    assert given == pytest.approx(plain)


DT = 0.1


def _sir_rows(p, T):
    traj = np.zeros((T, 3))
    traj[0] = [0.99, 0.01, 0.0]
    for t in range(1, T):
        s, i, r = traj[t - 1]
        traj[t, 0] = s - DT * p[0] * s * i
        traj[t, 1] = i + DT * (p[0] * s * i - p[1] * i)
        traj[t, 2] = r + DT * p[1] * i
    return traj


def _sir_through_a_helper(p, T):
    return np.sum(_sir_rows(p, T)[:, 1])


def _sir_items(p, T):
    traj = np.zeros((T, 3))
    traj[0] = [0.99, 0.01, 0.0]
    for t in range(1, T):
        s = traj[t - 1, 0]
        i = traj[t - 1, 1]
        traj[t, 0] = s - DT * p[0] * s * i
        traj[t, 1] = i + DT * (p[0] * s * i - p[1] * i)
    return traj


def _sir_items_through_a_helper(p, T):
    return np.sum(_sir_items(p, T)[:, 1])


@pytest.mark.parametrize("function", [_sir_through_a_helper, _sir_items_through_a_helper])
def test_a_helper_filling_its_own_trajectory_writes_into_it_in_place(function):
    # EY 01: S, i_, R = traj[t - 1] in a helper made each store copy the whole
    # trajectory (the row a view of traj, its items maybe views; the helper's
    # parameter p counted as maybe sharing traj's memory): O(T^2). A row of a float
    # array made here is an array whose items are numbers; no parameter's array shares
    # one made here.
    from tests.finite_differences import numeric_grad
    p = np.array([2.0, 0.5])
    derivative = grad(function)
    np.testing.assert_allclose(derivative(p, 40), numeric_grad(
        lambda q: function(q, 40), p), rtol=1e-6, atol=1e-8)
    helper_code = derivative.source
    assert "_ad.setitem(traj" not in helper_code and "traj[t, 0] = " in helper_code
    assert "traj_stack" not in helper_code


def _view_kept_in_a_list(p):
    out = []
    traj = np.zeros((3, 2))
    out.append(traj[0])
    y = np.sum(traj * p[0])
    traj[0] = p * 2.0
    return np.sum(out[-1] * p) + y


def _keeps_a_view(p, out):
    traj = np.zeros((3, 2))
    out.append(traj[0])
    y = np.sum(traj * p[0])
    traj[0] = p * 2.0
    return np.sum(out[-1] * p) + y


def _view_kept_by_a_helper(p):
    return _keeps_a_view(p, [])


@pytest.mark.parametrize("function", [_view_kept_in_a_list, _view_kept_by_a_helper])
def test_a_view_put_into_a_list_before_its_array_is_updated_with_gradient_is_refused(function):
    # Found beside EY 01: out.append(traj[0]) ran as written (no gradient yet), so
    # nothing knew out held a view of traj; traj[0] = p * 2.0 then made a new array,
    # out[-1] kept the zeros: 0 for 4p, silently. Now checked as it runs.
    from autograd_src.errors import InPlaceUpdateError
    with pytest.raises(InPlaceUpdateError, match=r"traj\[0\] = "):
        grad(function)(np.array([1.5, -0.5]))


def _softplus(x):
    return np.logaddexp(0.0, x)


def _cube(x):
    return x ** 3


def g(x):  # a module function named g, read by a rule whose gradient has another name
    return 3.0 * x ** 2


def test_rules_may_name_their_gradient_and_value_as_they_like():
    # FG 3: defvjp/defjvp refused (dx, ans, x): the names had to be g and ans.
    from autograd_src import extend

    @extend.defvjp(_softplus)
    def softplus_vjp(grad_out, y, x):
        return grad_out / (1 + np.exp(-x))

    @extend.defjvp(_softplus)
    def softplus_jvp(dx, y, x):
        return dx / (1 + np.exp(-x))

    @extend.defvjp(_cube)
    def cube_vjp(upstream, y, x):  # reads the module's g: called, not inlined
        return upstream * g(x)

    def f(x):
        return np.sum(_softplus(x) * 2.0 + _cube(x))

    expected = 2.0 / (1 + np.exp(-X)) + 3.0 * X ** 2
    np.testing.assert_allclose(grad(f)(X), expected)
    _, tangent = jvp(lambda x: np.sum(_softplus(x)), (X,), (np.ones(3),))
    np.testing.assert_allclose(tangent, np.sum(1 / (1 + np.exp(-X))))
    with pytest.raises(TypeError, match="by position"):
        @extend.defvjp(_cube)
        def keyword_only(*, g, ans, x):
            return g


def _seeded_price(s0, sigma):
    rng = np.random.default_rng(0)
    z = rng.standard_normal(200)
    st = s0 * np.exp(-0.5 * sigma ** 2 + sigma * z)
    return np.mean(np.logaddexp(0.0, st - 100.0))


def _seeded_pricer(p):
    return _seeded_price(p[0], p[1])


def _draws_from(params, rng):
    return params[0] * np.exp(params[1] * rng.standard_normal(50))


def _pricer_given_a_generator(params, rng):
    return np.mean(_draws_from(params, rng))


def test_second_order_through_a_helper_making_a_generator_from_a_seed():
    # FG 1: hessian/hvp/grad of grad refused a helper's rng = np.random.default_rng(0)
    # ("random: another value the second time"); made anew from a constant seed, it
    # draws the same numbers at each run.
    from tests.finite_differences import numeric_grad
    p = np.array([100.0, 0.2])
    expected = np.array([numeric_grad(lambda q, k=k: grad(_seeded_pricer)(q)[k], p, h=1e-4)
                         for k in range(2)])
    np.testing.assert_allclose(hessian(_seeded_pricer)(p), expected, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(grad(lambda q: grad(_seeded_pricer)(q)[1])(p), expected[1],
                               rtol=1e-5, atol=1e-7)


def test_second_order_through_a_helper_drawing_from_a_given_generator_says_what_to_do():
    # FG 1b: refused still (a second run would draw again), with the way out named.
    from autograd_src.errors import NoRuleError
    with pytest.raises(NoRuleError, match=r"rng\.standard_normal\(\), a draw from the "
                                          r"generator it is given.*default_rng\(0\)"):
        hessian(_pricer_given_a_generator)(np.array([1.0, 0.2]),
                                           np.random.default_rng(1))


def test_writing_a_tensor_into_a_numpy_array_says_so():
    # FF 1/2: out[0] = w * 3 and u[1:-1] += a * lap into NumPy arrays were refused
    # with the message for np.array(...) conversions (mg.stack advice), never naming
    # the write or the fix (make the target a tensor).
    import autograd_src as mg
    from autograd_src.tensors.errors import GradientDropped
    a = mg.tensor(0.2)
    u = np.sin(np.linspace(0.0, 3.0, 8))
    with pytest.raises(GradientDropped, match="into a NumPy array.*u = mg.tensor"):
        u[1:-1] += a * (u[2:] - 2 * u[1:-1] + u[:-2])
    out = np.zeros(3)
    with pytest.raises((GradientDropped, ValueError)) as caught:
        out[0] = a * 3  # (NumPy raises its ValueError from ours, for one item)
    refusal = caught.value if isinstance(caught.value, GradientDropped) else \
        caught.value.__cause__
    assert isinstance(refusal, GradientDropped) and "into a NumPy array" in str(refusal)
    with pytest.raises(GradientDropped, match="NumPy's conversion"):
        np.array([a, a])


def _smooth_tree(s0, n):
    vals = []
    for j in range(n + 1):
        vals.append(np.logaddexp(0.0, s0 * 1.01 ** (2 * j - n) - 100.0))
    for i in range(n, 0, -1):
        new = []
        for j in range(i):
            new.append(0.999 * (0.5 * vals[j + 1] ** 2 / (1.0 + vals[j + 1]) + 0.5 * vals[j]))
        vals = new
    return vals[0]


def test_second_order_pops_grads_own_stacks_in_place():
    # FG 2: forward mode over grad's code read each y = y_stack.pop() as y_stack =
    # y_stack[:-1], a copy: a tree of n^2 steps popped stacks of n^2 entries, O(n^4).
    # Now `del y_stack[-1]`, its tangent's too; the values are as before.
    derivative = hessian(_smooth_tree)
    assert derivative(101.3, 6) == pytest.approx(
        (grad(_smooth_tree)(101.3 + 1e-4, 6) - grad(_smooth_tree)(101.3 - 1e-4, 6)) / 2e-4,
        rel=1e-5)
    assert "del total_stack[-1]" in derivative.source
    assert "_stack[:-1]" not in derivative.source


def _list_plus_tuple_variable(x):
    t = [x[0]]
    tv = (x[1], x[0] * x[1])
    t += tv
    return t[0] * t[2] + t[1]


def _argument_list_extended_three_ways(x, log):
    log += (float(x[0]),)
    log += [1.0]
    log += range(2)
    return np.sum(x ** 2) * len(log)


def test_plus_equals_of_a_tuple_variable_and_of_ranges_on_lists():
    # FH 7: t += tv (tv a tuple of the function's) on a list: a TypeError in every
    # entry point. FH 1/8: hessian of log += [..]; log += range(2) on a list argument
    # lost the items (len 2 for 4: half the Hessian) or crashed (np.array(log) + ...).
    x = np.array([0.3, -0.7])
    np.testing.assert_allclose(grad(_list_plus_tuple_variable)(x),
                               [2 * x[0] * x[1], x[0] ** 2 + 1.0])
    plain: list = [0.5]
    _argument_list_extended_three_ways(X, plain)
    given: list = [0.5]
    np.testing.assert_allclose(hessian(_argument_list_extended_three_ways)(X, given),
                               2.0 * len(plain) * np.eye(3))
    assert given == pytest.approx(plain)


def _column_sums_of_sines(x, axis=0):
    return np.sum(np.sin(x), axis=axis)


def test_a_tangent_rules_option_left_to_its_default_is_passed_where_the_callee_differs():
    # FH 12: a defjvp rule's np.sum(g * np.cos(x), axis=axis) with axis left to the
    # rule's default 0 lost axis=: np.sum's default None summed everything.
    from autograd_src import extend

    @extend.defvjp(_column_sums_of_sines)
    def vjp_rule(g, ans, x, axis=0):
        return np.expand_dims(g, axis) * np.cos(x)

    @extend.defjvp(_column_sums_of_sines)
    def jvp_rule(dx, ans, x, axis=0):
        return np.sum(dx * np.cos(x), axis=axis)

    m = np.array([[0.3, -0.7, 1.1], [0.5, 0.2, -0.4]])
    t = np.ones_like(m) * np.arange(3)
    for call in (lambda a: _column_sums_of_sines(a), lambda a: _column_sums_of_sines(a, 0)):
        _, tangent = jvp(call, (m,), (t,))
        np.testing.assert_allclose(tangent, np.sum(t * np.cos(m), axis=0))


def test_a_rule_naming_an_input_g_or_ans_is_refused():
    # FH 11/13: def rule(dz, z, ans, g) was given the value and the gradient for its
    # inputs ans and g: a wrong gradient, silently.
    from autograd_src import extend
    for register in (extend.defvjp, extend.defjvp):
        with pytest.raises(TypeError, match="names an input g or ans"):
            @register(_cube)
            def rule(dz, z, ans):
                return dz * ans


def _rows_kept_then_one_overwritten(p):
    traj = np.zeros((3, 2))
    rows = []
    for t in range(3):
        traj[t] = p * (t + 1.0)
        rows.append(traj[t])
    traj[1] = 0.0
    return np.sum(rows[1] * p)


def _row_kept_in_a_branch(p):
    traj = np.zeros((3, 2))
    keep = None
    for t in range(3):
        traj[t] = p * (t + 1.0)
        if t == 1:
            keep = traj[t]
        if t == 2:
            traj[1] = traj[1] * 2.0
    return np.sum(keep * p)


def _rows_kept_then_scaled(p):
    traj = np.zeros((3, 2))
    rows = []
    for t in range(3):
        traj[t] = p * (t + 1.0)
        rows.append(traj[t])
    traj *= 0.5
    return np.sum(rows[1] * p)


def _rows_kept_and_left(p):
    traj = np.zeros((3, 2))
    rows = []
    for t in range(3):
        traj[t] = p * (t + 1.0)
        rows.append(traj[t])
    return np.sum(rows[1] * p) + np.sum(traj ** 2)


@pytest.mark.parametrize("function", [_rows_kept_then_one_overwritten, _row_kept_in_a_branch,
                                      _rows_kept_then_scaled])
def test_views_of_an_earlier_version_of_an_array_updated_later_are_refused(function):
    # FH 2/3: rows.append(traj[t]) (or keep = traj[t]) in a loop storing traj[t]: grad's
    # stores make new arrays, so rows[1] views an earlier one, which the check of a later
    # store into row 1 did not see: the values of copies, silently (0.26 for 0.0).
    from autograd_src.errors import InPlaceUpdateError
    with pytest.raises(InPlaceUpdateError):
        grad(function)(np.array([0.3, 0.2]))


def test_views_of_rows_kept_and_never_written_again_stay_right():
    p = np.array([0.3, 0.2])
    np.testing.assert_allclose(grad(_rows_kept_and_left)(p), 4 * p + 2 * 14 * p)


def _swap_rhs(y, p):
    return p * y[::-1]


def _view_rhs(y, p):
    return y[::-1]  # (a view of its argument: the row is not taken as a copy)


def _euler_through_a_helper(p, n):
    traj = np.zeros((n + 1, 2))
    traj[0] = np.array([1.0, 0.0])
    for k in range(n):
        traj[k + 1] = traj[k] + 0.01 * _swap_rhs(traj[k], p)
    return np.sum(traj ** 2)


def _euler_through_a_viewing_helper(p, n):
    traj = np.zeros((n + 1, 2))
    traj[0] = np.array([1.0, 0.5])
    for k in range(n):
        y = traj[k]
        traj[k + 1] = y + 0.01 * p * _view_rhs(y, p)
    return np.sum(traj ** 2)


@pytest.mark.parametrize("function", [_euler_through_a_helper, _euler_through_a_viewing_helper])
def test_a_trajectory_row_given_to_a_helper_is_read_as_a_copy(function):
    # FI 1: traj[k + 1] = traj[k] + dt * rhs(traj[k], p), the README's own loop, with rhs
    # a helper: its backward kept the row, a view, so each store copied the whole
    # trajectory (O(n^2) memory: 3.9 GB at 16,000 steps). A helper returning new arrays
    # and keeping nothing is given a copy of the row; the trajectory is written in place.
    from tests.finite_differences import numeric_grad
    p = np.array([1.0, -2.0])
    derivative = grad(function)
    np.testing.assert_allclose(derivative(p, 30), numeric_grad(lambda q: function(q, 30), p),
                               rtol=1e-6, atol=1e-8)
    if function is _euler_through_a_helper:
        assert "traj[index] = " in derivative.source


def _recurrence_read_by_a_later_loop(b):
    n = len(b)
    c = np.zeros(n)
    c[0] = 1.0 / b[0]
    for i in range(1, n):
        c[i] = 1.0 / (b[i] + c[i - 1])
    x = np.zeros(n)
    for i in range(n):
        x[i] = c[i] * 2.0 + c[i] ** 2
    return np.sum(x)


def test_an_adjoint_only_accumulated_into_by_a_loop_is_still_zeroed_in_place():
    # FI 2: a recurrence read item by item by a later loop: that loop's adjoint only
    # accumulates into dc (dc[i] += ...), but it made dc "maybe shared", and the
    # recurrence's adjoint zeroed it as a copy at each step (_ad.zero_at): O(n^2).
    from tests.finite_differences import numeric_grad
    b = np.linspace(1.0, 2.0, 12)
    derivative = grad(_recurrence_read_by_a_later_loop)
    np.testing.assert_allclose(derivative(b), numeric_grad(_recurrence_read_by_a_later_loop, b),
                               rtol=1e-6, atol=1e-8)
    assert "zero_at" not in derivative.source and "dc[i] = 0" in derivative.source


def _reports_twice(k, history, stats):
    y = np.asarray(k) * 1.0
    for _ in range(5):
        y = y - 0.1 * k * y
        history.append(float(np.sum(y)))
    stats["final"] = float(np.sum(y))
    return np.sum(y ** 2)


@pytest.mark.parametrize("k", [0.7, np.array([0.7, 0.2])], ids=["float", "array"])
def test_a_function_reporting_through_two_containers(k):
    # FI 3: a history list and a stats dict (or two lists) given to the function were
    # refused ("adding to history while it may be shared"): the check that the two
    # are not one object, made as it runs, had taken the first for shared.
    from tests.finite_differences import numeric_grad
    history: list = []
    stats: dict = {}
    got = grad(_reports_twice)(k, history, stats)
    plain_history: list = []
    plain_stats: dict = {}
    _reports_twice(k, plain_history, plain_stats)
    assert history == pytest.approx(plain_history) and stats == pytest.approx(plain_stats)
    expected = numeric_grad(lambda q: _reports_twice(q, [], {}), np.atleast_1d(
        np.asarray(k, dtype=float)))
    np.testing.assert_allclose(np.atleast_1d(got), expected, rtol=1e-6)
    from autograd_src.errors import InPlaceUpdateError
    same: list = []
    with pytest.raises(InPlaceUpdateError):  # (one list given for both: refused as it runs)
        grad(_logs_twice)(k, same, same)


def _logs_twice(k, a, b):
    y = k * 1.0
    a.append(float(np.sum(y)))
    b.append(float(np.sum(y * 2)))
    return np.sum(y ** 2)


def _pushes_through_a_second_name_in_a_loop(x, log):
    h = log
    for i in range(2):
        _log_by_append(h, float(x[i]))
    return np.sum(x ** 2) * len(log)


def test_a_helper_writing_through_a_second_name_in_a_loop():
    # FH 6: h = log, then helper(h, ...) in a loop (h read at the next pass): refused,
    # h "shared" with log, though what h holds after each call is given to log too.
    plain = [0.5]
    _pushes_through_a_second_name_in_a_loop(X, plain)
    given = [0.5]
    np.testing.assert_allclose(grad(_pushes_through_a_second_name_in_a_loop)(X, given),
                               2.0 * X * len(plain))
    assert given == pytest.approx(plain)


def _bump_item(t, v):
    t['h'] += v


def _bumps_a_dict_copy(x, s):
    t = s.copy()
    _bump_item(t, x)
    return np.sum(t['h'] ** 2)


def _grow_first(lst):
    lst[0] += 1.0


def _grows_a_list_copy(w, s):
    b = list(s['buf'])
    _grow_first(b)
    return np.sum(b[0] * w)


def _bumps_a_deep_copy(x, s):
    import copy
    t = copy.deepcopy(s)
    _bump_item(t, x)
    return np.sum(t['h'] ** 2)


@pytest.mark.parametrize("function, given", [
    (_bumps_a_dict_copy, lambda: {'h': np.array([1.0, 2.0, 0.5])}),
    (_grows_a_list_copy, lambda: {'buf': [np.ones(3)]})])
def test_a_helper_updating_an_item_of_a_shallow_copy_of_an_argument_is_refused(function,
                                                                              given):
    # FA 21/26: T = S.copy(); bump(T, x) doing T['h'] += v (b = list(S['buf'])): NumPy
    # updates the caller's array; grad ran the helper on copies and left it, so the next
    # call drifted (3.38 twice for 3.38, 2.92). Refused as it runs where items are arrays.
    from autograd_src.errors import InPlaceUpdateError
    with pytest.raises(InPlaceUpdateError, match="shallow copy"):
        grad(function)(X, given())


def test_a_helper_updating_an_item_of_a_deep_copy_stays_right():
    s = {'h': np.array([1.0, 2.0, 0.5])}
    np.testing.assert_allclose(grad(_bumps_a_deep_copy)(X, s), 2 * (s['h'] + X))
    np.testing.assert_allclose(s['h'], [1.0, 2.0, 0.5])


def _counts_in_a_state_dict(w, s):
    s['m'] += 1.0
    return np.sum(s['m'] * w)


def _rebinds_an_item(w, s):
    s['m'] = s['m'] + 1.0
    s['n'] += 2.0
    return np.sum(s['m'] * w)


def test_an_array_in_a_dict_argument_updated_in_place_stays_the_callers_object():
    # FA 25: S['m'] += 1.0 on a dict argument (S['m'] a view of a flat buffer, as
    # optimizers keep state): the caller's dict got a new array; the buffer, and every
    # other holder of the old array, kept the old values.
    flat = np.zeros(6)
    s = {'m': flat[:3], 'k': flat[3:]}
    held = s['k']
    np.testing.assert_allclose(grad(_counts_in_a_state_dict)(X, s), np.ones(3))
    np.testing.assert_allclose(flat, [1.0, 1.0, 1.0, 0.0, 0.0, 0.0])
    assert s['k'] is held and np.shares_memory(s['m'], flat)
    # (an item rebound gets a new array, as in Python; one updated, the caller's)
    flat = np.zeros(6)
    s = {'m': flat[:3], 'n': flat[3:]}
    np.testing.assert_allclose(grad(_rebinds_an_item)(X, s), np.ones(3))
    np.testing.assert_allclose(flat, [0.0, 0.0, 0.0, 2.0, 2.0, 2.0])
    np.testing.assert_allclose(s['m'], np.ones(3))
    assert not np.shares_memory(s['m'], flat)


def _stores_a_row_into(p, out):
    traj = np.zeros((3, 2))
    out[0] = traj[0]
    y = np.sum(traj * p[0])
    traj[0] = p * 2.0
    return np.sum(out[0] * p) + y


def _row_stored_by_a_helper(p):
    return _stores_a_row_into(p, [None])


def test_a_view_stored_into_a_parameters_list_is_still_checked():
    # (found reading this session's change: an array made here was taken to share
    # nothing with a parameter, but out[0] = traj[0] puts a view of it into one)
    from autograd_src.errors import InPlaceUpdateError
    with pytest.raises(InPlaceUpdateError, match=r"traj\[0\] = "):
        grad(_row_stored_by_a_helper)(np.array([1.5, -0.5]))


def _sum_with_a_transpose(p):
    return np.sum(p['a'] + p['b'].T)


def _sum_with_a_transpose_of_two(a, b):
    return np.sum(a + b.reshape(b.shape[::-1]).T)


def test_gradient_leaves_never_share_one_buffer():
    # FK 4: db came back as a view of da (da.T): clipping the gradients in place
    # (g[k] *= 0.5) halved both twice. The README promises each leaf its own array.
    from autograd_src import value_and_grad
    g = grad(_sum_with_a_transpose)({'a': np.zeros((2, 3)), 'b': np.zeros((3, 2))})
    assert not np.shares_memory(g['a'], g['b'])
    for derivative in (grad(_sum_with_a_transpose_of_two, wrt=(0, 1)),
                       value_and_grad(_sum_with_a_transpose_of_two, wrt=(0, 1))):
        result = derivative(np.zeros((2, 3)), np.zeros((2, 3)))
        da, db = result[1] if isinstance(result[1], tuple) else result
        assert not np.shares_memory(da, db)
        da *= 0.5
        np.testing.assert_allclose(db, 1.0)


def _batch_norm_step(w, state):
    h = w * 2
    state['rm'] = 0.9 * state['rm'] + 0.1 * h
    state['log'].append(float(np.mean(h)))
    return np.sum(h ** 2)


def _batch_norm_step_read_back(w, state):
    h = w * 2
    state['rm'] = 0.9 * state['rm'] + 0.1 * h
    state['log'].append(np.mean(h))
    return np.sum(h ** 2) + state['log'][-1]


def test_a_log_appended_to_in_a_state_dict_with_gradient_items():
    # FK 2: running statistics with gradient stored in state, then a float logged into
    # state['log']: refused (the dict carries gradient). Nothing reads the list again
    # here: the caller's list gets the value. Read back, it is refused still.
    w = np.array([1.0, 2.0])
    state: dict = {'rm': np.zeros(2), 'log': []}
    np.testing.assert_allclose(grad(_batch_norm_step)(w, state), 8 * w)
    np.testing.assert_allclose(state['rm'], 0.2 * w)
    assert state['log'] == [3.0]
    from autograd_src.errors import DiffSyntaxError
    with pytest.raises(DiffSyntaxError, match=r"\.append\(\)"):
        grad(_batch_norm_step_read_back)(w, {'rm': np.zeros(2), 'log': []})


def test_tensor_methods_numpy_arrays_have():
    # FK 4: t.repeat, t.take, t.diagonal, t.trace and t.mT raised AttributeError while
    # np.repeat(t, ...) and the rest were recorded.
    import autograd_src as mg
    data = np.arange(1.0, 7.0).reshape(2, 3)
    for method, numpy_form in [
            (lambda t: t.repeat(2, axis=0), lambda a: np.repeat(a, 2, axis=0)),
            (lambda t: t.take([0, 2], axis=1), lambda a: np.take(a, [0, 2], axis=1)),
            (lambda t: t.diagonal(), lambda a: np.diagonal(a)),
            (lambda t: t.trace(), lambda a: np.trace(a)),
            (lambda t: t.mT, lambda a: np.swapaxes(a, -1, -2))]:
        t = mg.tensor(data)
        out = method(t)
        np.testing.assert_allclose(out.data, numpy_form(data))
        (out * np.arange(out.size).reshape(out.shape)).sum().backward()
        reference = mg.tensor(data)
        (numpy_form(reference) * np.arange(out.size).reshape(out.shape)).sum().backward()
        np.testing.assert_allclose(t.grad, reference.grad)


def _layer_norm(x, g, b, eps=1e-5):
    mu = np.mean(x, axis=-1, keepdims=True)
    return g * (x - mu) + b + eps


def _splats_its_layer(p, x):
    return np.sum(_layer_norm(x, **p['ln']) ** 2)


@pytest.mark.parametrize("layer", [
    {'g': np.array([1.0, 2.0]), 'b': np.array([0.5, -0.5])},
    {'g': np.array([1.0, 2.0]), 'b': np.array([0.5, -0.5]), 'eps': 0.3}],
    ids=["default", "given"])
def test_a_helpers_keywords_unpacked_from_a_parameter_dict(layer):
    # FK 3 / EY 04: layer_norm(x, **p['ln']) (a function of yours) was refused
    # ("**kwargs holding differentiated values"): each parameter is read from the dict
    # by name now, a default where the dict lacks it.
    from tests.finite_differences import numeric_grad
    x = np.array([[1.0, 3.0], [0.0, 1.0]])
    got = grad(_splats_its_layer)({'ln': layer}, x)
    for key in layer:
        def moved(v, key=key):
            return _splats_its_layer({'ln': {**layer, key: v}}, x)
        np.testing.assert_allclose(got['ln'][key], numeric_grad(
            moved, np.asarray(layer[key], dtype=float)), rtol=1e-5, atol=1e-7)


def _windows_then_written(x):
    from numpy.lib.stride_tricks import sliding_window_view
    u = np.zeros(6)
    u[:4] = x
    w = sliding_window_view(u, 3)
    u[2] = x[0] * 7.0
    return np.sum(w * w)


def _astype_alias_then_written(x):
    m = np.zeros(4)
    m[:] = x
    v = np.astype(m, np.float64, copy=False)
    m[1] = x[2] * 7.0
    return np.sum(v * np.array([1.0, 2.0, 3.0, 4.0]))


def _real_if_close_then_written(x):
    m = np.zeros(4)
    m[:] = x
    v = np.real_if_close(m)
    m[1] = x[2] * 7.0
    return np.sum(v * np.array([1.0, 2.0, 3.0, 4.0]))


def _dict_copy_then_written(x):
    traj = np.zeros((3, 4))
    traj[0] = x
    cache = {'row': traj[0]}
    cache2 = dict(cache)
    traj[0] *= 3.0
    return np.sum(cache2['row'] * x)


def _lists_summed_then_written(x):
    traj = np.zeros((3, 4))
    traj[0] = x
    rows = sum([[traj[0]]], [])
    traj[0] *= 3.0
    return np.sum(rows[0] * x)


def _copy_copy_then_written(x):
    import copy
    traj = np.zeros((3, 4))
    traj[0] = x
    rows = [traj[0]]
    rows2 = copy.copy(rows)
    traj[0] *= 3.0
    return np.sum(rows2[0] * x)


def _list_times_one_then_written(x):
    traj = np.zeros((3, 4))
    traj[0] = x
    rows = [traj[0]] * 1
    traj[0] *= 3.0
    return np.sum(rows[0] * x)


@pytest.mark.parametrize("function", [
    _windows_then_written, _astype_alias_then_written, _real_if_close_then_written,
    _dict_copy_then_written, _copy_copy_then_written, _list_times_one_then_written,
    _lists_summed_then_written])
def test_views_behind_copies_and_aliasing_functions_are_not_missed(function):
    # FJ 1-7: sliding_window_view (a view, gathered as a copy here), np.astype(copy=False)
    # and np.real_if_close (the array itself), dict(d), copy.copy(L), L * 1 of
    # containers holding a row: a later write into the array was missed, silently.
    from autograd_src.errors import DiffSyntaxError, InPlaceUpdateError
    with pytest.raises((InPlaceUpdateError, DiffSyntaxError)):
        grad(function)(np.array([0.3, -1.2, 0.5, 0.8]))


def _view_through_a_dict_copy_read_before(x):
    m = np.zeros((2, 4))
    m[0] = x
    v = {'a': m[0]}.copy()['a']
    y = np.sum(v ** 3)
    m[0] *= 2.0
    return y + np.sum(m)


def _getattr_transpose(x):
    m = np.zeros((2, 4))
    m[0] = x
    return np.sum(getattr(m, 'T')[:, 0] ** 3) + np.sum(getattr(x, 'T') ** 2)  # noqa: B009


@pytest.mark.parametrize("function", [_view_through_a_dict_copy_read_before,
                                      _getattr_transpose])
def test_reads_through_a_dict_copy_and_getattr_are_followed(function):
    # FJ 11: a view read through {..}.copy() before its array was updated in place: the
    # adjoint read it after (3(2x)^2 for 3x^2). FJ 12: getattr(x, 'T') gave None.
    from tests.finite_differences import numeric_grad
    x = np.array([0.3, -1.2, 0.5, 0.8])
    np.testing.assert_allclose(grad(function)(x), numeric_grad(function, x), rtol=1e-6,
                               atol=1e-8)


def test_a_dict_argument_holding_string_and_object_arrays_is_written_back():
    # (found rereading the change: the caller's array kept, its values compared with
    # equal_nan, which strings and objects do not take)
    labels = np.array(['a', 'b'])
    state = {'m': np.zeros(3), 'labels': labels, 'objects': np.array([1, None], dtype=object)}
    np.testing.assert_allclose(grad(_counts_in_a_state_dict)(X, state), np.ones(3))
    assert state['labels'] is labels
