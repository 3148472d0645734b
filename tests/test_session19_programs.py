"""Programs testers wrote as users do, that were refused or crashed (session 19)."""

import functools

import numpy as np
import pytest

from autograd_src import grad, jacfwd, jvp

from .test_session19_second_order import _passing_on

X = np.array([0.3, -0.7, 1.1])


def _logged_scalar(x):
    msg = "x = {:.2f}".format(x)
    text = str(x) + repr(x) + format(x, ".3f") + ", ".join([str(x), "a"]) + f"{x:.1f}"
    print(msg, text)
    return x ** 2


def _logged_array(x):
    msg = "loss {:.3f}".format(float(np.sum(x)))
    print(msg)
    return np.sum(x ** 2)


def test_text_made_of_a_value_is_a_constant_in_every_mode():
    # "x = {:.2f}".format(x) asked for a rule of a str's method in forward mode (and in
    # grad of a Python float, which runs forward mode); str(x) asked for a rule of str
    assert grad(_logged_scalar)(0.3) == pytest.approx(0.6)
    assert grad(_logged_scalar)(np.array(0.3)) == pytest.approx(0.6)
    np.testing.assert_allclose(grad(_logged_array)(X), 2 * X)
    np.testing.assert_allclose(jvp(_logged_array, (X,), (np.ones(3),))[1], 2 * X.sum())
    np.testing.assert_allclose(jacfwd(_logged_array)(X), 2 * X)


def _scaled(v, k=2.0, off=0.0):
    return v * k + off


def _partial_bound_twice(x):
    pf = functools.partial(_scaled, k=1.2)
    y = pf(x, off=0.1)
    pf = functools.partial(_scaled, k=0.7)
    y = pf(y, off=0.1)
    return np.sum(y)


def _partials_bound_twice_in_a_loop(x):
    y = x
    for i in range(2):
        pf = functools.partial(_scaled, k=1.0 + i)
        y = pf(y, off=0.1)
        pf = functools.partial(_scaled, k=0.5)
        y = pf(y)
    return np.sum(y)


def _defined_twice(k, y0):
    def rhs(y):
        return -k * y

    def rhs(y):  # noqa: F811 - redefined, as after editing a notebook cell
        return -k * y ** 3
    y = y0
    for _ in range(10):
        y = y + 0.1 * rhs(y)
    return y


def _defined_twice_called_between(x):
    def g(z):
        return z * 2
    a = g(x)

    def g(z):  # noqa: F811
        return z * 3
    return np.sum(a + g(x))


def _late_binding(x):
    def g(z):
        return z * 2
    h = lambda z: g(z)  # noqa: E731 - calls the g current when it runs: the second

    def g(z):  # noqa: F811
        return z * 3
    return np.sum(h(x))


def test_functions_bound_again_are_each_followed():
    # a second functools.partial under one name failed as it ran ("pass them by
    # position"); a nested def defined twice was refused as "defined in more than one
    # place (in the arms of an if, say)"
    np.testing.assert_allclose(grad(_partial_bound_twice)(X), np.full(3, 1.2 * 0.7))
    np.testing.assert_allclose(grad(_partials_bound_twice_in_a_loop)(X),
                               np.full(3, 1.0 * 0.5 * 2.0 * 0.5))
    h = 1e-6
    expected = (_defined_twice(0.7 + h, 1.2) - _defined_twice(0.7 - h, 1.2)) / (2 * h)
    assert grad(_defined_twice)(0.7, 1.2) == pytest.approx(expected, rel=1e-7)
    np.testing.assert_allclose(grad(_defined_twice_called_between)(X), np.full(3, 5.0))
    np.testing.assert_allclose(grad(_late_binding)(X), np.full(3, 3.0))


def _checks_its_input(x):
    assert x.shape == (3,), "three values"
    return np.sum(x ** 2)


def test_asserts_in_a_test_module_pytest_rewrote():
    # pytest rewrites a test module's asserts as it imports it, so its code differs
    # from its text: grad said "the source ... changed after it was defined"
    assert any(n.startswith("@py") for n in _checks_its_input.__code__.co_names)
    np.testing.assert_allclose(grad(_checks_its_input)(X), 2 * X)


class _Stateful:
    def __init__(self):
        self.buf = np.zeros(3)


def _bumps_a_buffer(x, st):
    st.buf += 1.0  # read by nothing the value depends on
    return np.sum(x ** 2)


def test_an_array_an_object_holds_is_left_as_one_run_leaves_it():
    # BY: the modes running f once per pass left st.buf advanced once per pass
    # (jacfwd [4 4 4], hessian [5 5 5], jacrev and vjp [2 2 2]); one run leaves [1 1 1]
    from autograd_src import hessian, jacrev, vjp
    runs = {"jacfwd": lambda st: jacfwd(_bumps_a_buffer)(X, st),
            "jacrev": lambda st: jacrev(_bumps_a_buffer)(X, st),
            "hessian": lambda st: hessian(_bumps_a_buffer)(X, st),
            "vjp": lambda st: vjp(_bumps_a_buffer, X, st)[1](1.0)[0]}
    for name, run in runs.items():
        st = _Stateful()
        got = run(st)
        np.testing.assert_allclose(got, 2 * np.eye(3) if name == "hessian" else 2 * X)
        np.testing.assert_allclose(st.buf, np.ones(3), err_msg=name)


def test_a_number_read_back_from_str_or_repr_is_refused():
    # str(x) is a constant now, as f"{x}" is: a number parsed back from it would carry
    # no gradient, so it is refused as float(f"{x}") is
    from autograd_src.errors import DiffSyntaxError

    def from_str(x):
        return float(str(x)) * x

    def from_joined(x):
        s = ", ".join([repr(x), "1"])
        return float(s.split(",")[0]) * x

    for f in (from_str, from_joined):
        with pytest.raises(DiffSyntaxError, match="a number read back from text"):
            grad(f)(0.3)


def _zipped_with_a_dict(d, ws):
    s = 0.0
    for k, w in zip(d, ws):
        s = s + d[k] * w
    for i, k in enumerate(d):
        s = s + d[k] * ws[i] ** 2
    return s


def test_zip_over_a_dict_by_name_reads_its_keys():
    # BW, BY: zip(d, ws) over a dict given by name read d by position (a KeyError as it
    # ran; then "an index computed from a differentiated value"): its items index d, so
    # they are its keys, as in `for k in d`
    d = {'a': 1.0, 'b': 2.0}
    ws = np.array([0.5, 3.0])
    got = grad(_zipped_with_a_dict)(d, ws)
    assert got == {'a': pytest.approx(0.5 + 0.25), 'b': pytest.approx(3.0 + 9.0)}
    np.testing.assert_allclose(grad(_zipped_with_a_dict, wrt=1)(d, ws),
                               [1.0 + 2 * 0.5 * 1.0, 2.0 + 2 * 3.0 * 2.0])


def _logged(z, log):
    log.append(float(z))
    return z * 1.5


def _counts_beside_a_local_list(x, log, cnt):
    b = float(x) * 0.0 + 1.0
    held = [x, b]
    cnt["n"] += 1
    a = _logged(x, log)
    return a * a + 0.0 * held[0]


def _updates_an_item_read_before(x, log):
    a = log['c']
    held = [x, a]
    log['c'] += 1.0
    return np.sum(x * held[1])


def test_a_counter_in_a_dict_beside_a_list_holding_arguments():
    # BY: cnt["n"] += 1 was refused ("another name here also holds") because a local list
    # held the arguments: a number is rebound, as in Python; an array item is refused as
    # it runs, where NumPy's update would reach the other name
    from autograd_src.errors import InPlaceUpdateError
    cnt, log = {"n": 0}, []
    assert grad(_counts_beside_a_local_list)(0.7, log, cnt) == pytest.approx(2 * 1.5 ** 2 * 0.7)
    assert cnt == {"n": 1} and log == [0.7]
    log = {'c': 1.0}
    np.testing.assert_allclose(grad(_updates_an_item_read_before)(X, log), np.ones(3))
    assert log == {'c': 2.0}
    with pytest.raises(InPlaceUpdateError, match=r"log\['c'\] \+= 1.0"):
        grad(_updates_an_item_read_before)(X, {'c': np.ones(3)})


# ----- CB: attacks on this session's changes -----

_W = np.ones(2)


def _fills_a_module_array(x):
    a = _W * x
    _W.fill(3.0)
    return np.sum(a * _W * x)


def _writes_through_a_view(x):
    a = _W * x
    _W.reshape(2)[:] = 3.0
    return np.sum(a * _W * x)


def _multiplies_in_place_by_a_method(x):
    a = _W * x
    _W.__imul__(3.0)
    return np.sum(a * _W * x)


class _Holder:
    def __init__(self):
        self.buf = np.ones(2)


_HOLDER = _Holder()


def _fills_an_objects_array(x):
    a = _HOLDER.buf * x
    _HOLDER.buf.fill(3.0)
    return np.sum(a * _HOLDER.buf * x)


def _fills_its_own_array_read_before(x):
    b = np.ones(2)
    a = b * x
    b.fill(3.0)
    return np.sum(a * b * x)


def _fills_its_own_array(x):
    b = np.ones(2)
    b.fill(3.0)
    return np.sum(b * x)


def test_writes_by_array_methods_are_refused_as_item_writes_are():
    # CB: W.fill(3.0), W.view()[:] = v, W.__imul__(3.0) on a module's array escaped the
    # refusal W[:] = v meets: grad gave 12 x for 6 x, the Jacobians too
    from autograd_src.errors import DiffSyntaxError
    x = np.array([0.3, -0.7])
    for f in (_fills_a_module_array, _writes_through_a_view, _multiplies_in_place_by_a_method,
              _fills_an_objects_array, _fills_its_own_array_read_before):
        _W[:] = 1.0
        with pytest.raises(DiffSyntaxError, match="changes _W|changed in place here"):
            grad(f)(x)
        np.testing.assert_allclose(_W, 1.0)
    np.testing.assert_allclose(grad(_fills_its_own_array)(x), [3.0, 3.0])


def _leaked_by_join(x):
    return x[0] * float(''.join(str(v) for v in x[:1]))


def _leaked_by_map(x):
    return x[0] * float(list(map(str, x))[0])


def _leaked_through_a_list(x):
    texts = [str(x[0])]
    return x[0] * float(texts[0])


def _leaked_through_a_helper(x):
    return x[0] * _parsed(repr(x[0]))


def _parsed(s):
    return float(s)


def _leaked_by_length(x):
    return x[0] * len(str(x[0]))


def _logs_only(x):
    s = ",".join(map(str, x))
    log = []
    log.append((x[0], s))
    print("x", s, f"{x[0]:.2f}", "{}".format(x[1]))
    return np.sum(x ** 2)


def test_numbers_from_text_are_refused_however_the_text_travels():
    # CB: text joined, mapped, kept in a list, given to a helper, measured: each gave
    # the derivative of a constant (0.7 for 1.4); refused now. A log line still works.
    from autograd_src.errors import DiffSyntaxError
    x = np.array([0.7, 0.2])
    for f in (_leaked_by_join, _leaked_by_map, _leaked_through_a_list,
              _leaked_through_a_helper, _leaked_by_format_map):
        with pytest.raises(DiffSyntaxError, match="read back from text"):
            grad(f)(x)
    np.testing.assert_allclose(grad(_logs_only)(x), 2 * x)
    # a count of text steps as floor(x) does: its derivative of 0 is right (CD)
    np.testing.assert_allclose(grad(_leaked_by_length)(x), [len(str(x[0])), 0.0])


def _leaked_by_format_map(x):
    return x[0] * float('{v}'.format_map({'v': x[0]}))


def _counts_and_logs(x, state):
    state['count'] += 1
    state['log'].append(float(np.sum(x)))
    return np.sum(x ** 2)


def test_vjp_leaves_the_state_one_run_leaves_before_its_pullback_is_called():
    # CB: the caller's dict stayed unchanged until vjp_fn was called
    from autograd_src import vjp
    x = np.array([0.3, -0.7])
    s = {'count': 0, 'log': []}
    value, back = vjp(_counts_and_logs, x, s)
    assert value == pytest.approx(0.58) and s == {'count': 1, 'log': [pytest.approx(-0.4)]}
    np.testing.assert_allclose(back(1.0)[0], 2 * x)
    np.testing.assert_allclose(back(2.0)[0], 4 * x)
    assert s == {'count': 1, 'log': [pytest.approx(-0.4)]}


_CALLS = {'n': np.zeros(1)}


def _counted_by_a_module_array(x):
    y = np.sum(x ** 2)
    _CALLS['n'][0] += 1.0
    return y


def test_jacobians_of_a_gradient_leave_the_state_one_run_leaves():
    # CB: jacfwd(grad(f)) left the counter at 4, jacrev(grad(f)) at 5 (one run: 1)
    from autograd_src import jacrev
    x = np.array([0.3, -0.7, 1.1])
    for jacobian in (jacfwd, jacrev):
        _CALLS['n'][0] = 0.0
        np.testing.assert_allclose(jacobian(grad(_counted_by_a_module_array))(x),
                                   2 * np.eye(3))
        assert _CALLS['n'][0] == 1.0


@_passing_on
def _energy(x, act=np.tanh):
    return np.sum(act(x) ** 2)


def _energy_of_sines(x):
    return _energy(x, act=np.sin)


def test_a_function_passed_by_keyword_through_a_decorators_wrapper():
    # CB: energy(x, act=np.sin) through a functools.wraps wrapper failed as it ran,
    # telling the user to pass act= explicitly, which they had
    np.testing.assert_allclose(grad(_energy_of_sines)(X), 2 * np.sin(X) * np.cos(X))


def _weighted_or_plain(a, w=None, returned=False):
    if w is None:
        mean = np.mean(a)
        if returned:
            return mean, 1.0
        return mean
    mean = np.sum(a * w) / np.sum(w)
    if returned:
        return mean, 2.0
    return mean


def test_a_name_bound_only_in_a_branch_kept_as_written_is_saved_safely():
    # found writing np.average's composite: the first if (no gradient in it) binds mean
    # only where it runs; the gradient saved mean before the second block regardless
    # (UnboundLocalError in the generated code)
    a, w = np.array([1.0, 2.0, 3.0]), np.array([0.5, 1.0, 2.0])
    expected = a / w.sum() - np.sum(a * w) / w.sum() ** 2
    np.testing.assert_allclose(grad(_weighted_or_plain, wrt=1)(a, w), expected)


_SCALE = np.ones(1)
_COUNT = np.zeros(1)


def _doubled(a):
    a *= 2.0


def _scaled_by_a_bumped_module_array(x):
    _doubled(_SCALE)
    return x * _SCALE[0]


def _counted_with_out(x):
    np.add(_COUNT, 1.0, out=_COUNT)
    return x ** 2


def test_module_arrays_a_run_updates_are_given_back_between_passes():
    # CE: a helper doubling a module's array in place, np.add(..., out=) into one: the
    # Jacobians' passes each doubled it again (jacfwd diag(2, 4, 8)); given back now
    from autograd_src import jacrev, vjp
    x = np.array([0.3, -0.7, 1.1])
    for jacobian in (jacfwd, jacrev):
        _SCALE[:] = 1.0
        np.testing.assert_allclose(jacobian(_scaled_by_a_bumped_module_array)(x), 2 * np.eye(3))
        np.testing.assert_allclose(_SCALE, [2.0])
        _COUNT[:] = 0.0
        np.testing.assert_allclose(jacobian(_counted_with_out)(x), np.diag(2 * x))
        np.testing.assert_allclose(_COUNT, [1.0])
    _SCALE[:] = 1.0
    np.testing.assert_allclose(vjp(_scaled_by_a_bumped_module_array, x)[1](np.ones(3))[0],
                               2 * np.ones(3))
    np.testing.assert_allclose(_SCALE, [2.0])


def _covariance_of_columns(a):
    return np.cov(a, rowvar=False)[0, 1] + np.percentile(a, 40, axis=0)[1]


def _scaled_by_a_count_of_text(x):
    msg = str(np.sum(x))
    k = len(msg) + 1
    return np.sum(x ** 2) * k


def test_a_composites_rounding_is_not_taken_for_a_change_of_state():
    # CE: jacrev compared NumPy's np.cov with its composite's value bit for bit and
    # called the 1-ulp difference a change of state
    from autograd_src import jacrev
    a = np.random.default_rng(3).normal(size=(5, 3))
    np.testing.assert_allclose(jacrev(_covariance_of_columns)(a),
                               grad(_covariance_of_columns)(a), rtol=1e-10)
    # CE: arithmetic on a count of text is a constant too
    x = np.array([0.3, -1.2, 0.8])
    np.testing.assert_allclose(grad(_scaled_by_a_count_of_text)(x),
                               2 * x * (len(str(np.sum(x))) + 1))


_DATA = np.arange(12.0).reshape(4, 3)


def _reads_a_dataset(w):
    return np.sum((_DATA @ w) ** 2)


def test_a_module_array_only_read_is_not_kept_between_passes():
    # the arrays a Jacobian gives back are copied and compared once per pass: a dataset
    # the function only reads is left alone (no copy of it per call)
    from autograd_src.arguments import SameDraws
    kept = SameDraws(_reads_a_dataset, (np.ones(3),), {}, state=True).containers
    assert not any(snapshot[0] is _DATA for snapshot in kept)
    kept = SameDraws(_scaled_by_a_bumped_module_array, (np.ones(3),), {}, state=True).containers
    assert any(snapshot[0] is _SCALE for snapshot in kept)


def _partial_read_across_iterations(x):
    y = x
    g = functools.partial(_scaled, k=3.0)
    for i in range(2):
        y = g(y)  # (the second iteration reads the partial the first one bound last)
        g = functools.partial(_scaled, k=1.0 + i)
        y = g(y)
        g = functools.partial(_scaled, k=0.5)
    return np.sum(g(y))


def _indices_changed_while_zipped(x, idx):
    s = 0.0
    for i, w in zip(idx, [1.0, 2.0]):
        s = s + x[i] * w * idx[i]
        idx[i] = 0
    return s


def test_renaming_and_key_reading_stay_away_from_what_they_cannot_follow():
    # (found reading this session's change) a partial read before its first binding in
    # a loop's body reads the last one bound: not renamed apart (followed as the call
    # runs, session 21: the partial it holds then); a list the zip reads changed in the
    # loop is read live, not as keys taken before the loop
    np.testing.assert_allclose(grad(_partial_read_across_iterations)(X), [1.5, 1.5, 1.5])
    idx = [1, 1]
    x = np.array([0.5, 2.0, 3.0])
    expected = _indices_changed_while_zipped(x, [1, 1])
    gradient = grad(_indices_changed_while_zipped)(x, idx)
    assert idx == [0, 0]
    np.testing.assert_allclose(gradient, [2.0, 1.0, 0.0])  # (i = 1, then idx[1] = 0)
    assert expected == pytest.approx(3.0)
