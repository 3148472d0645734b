"""Session 38: what testers and fuzzers found, each kept in its smallest form."""

from collections import namedtuple

import numpy as np
import pytest

from autograd_src import grad, hessian
from autograd_src.errors import DiffSyntaxError, InPlaceUpdateError


class _CountedBonds:
    def __init__(self, k, ncalls=0, alias=False):
        self.k = k
        self.ncalls = ncalls
        if alias:
            self.ncalls = self.k

    def bond(self, x):
        return 0.5 * np.sum(self.k * x ** 2)

    def energy(self, x):
        self.ncalls += 1
        return self.bond(x)

    def energy_counted_after(self, x):
        e = self.bond(x) + self.bond(x)
        self.ncalls += 1
        return e

    def reads_its_count(self, x):
        return np.sum((self.ncalls + 1.0) * x ** 2)

    def energy_read_count(self, x):
        e = self.reads_its_count(x) + self.reads_its_count(x)
        self.ncalls += 1
        return e


def test_hessian_of_a_method_counting_its_calls():
    # GP 01, GW 01: self.ncalls += 1 was taken to change self.k a helper method reads
    model = _CountedBonds(2.0)
    np.testing.assert_allclose(hessian(model.energy)(np.array([1.0, 2.0])), 2.0 * np.eye(2))


def test_a_counter_bumped_after_helper_calls_in_a_method():
    # GW 02: self.n += 1 after two self.kin(k) calls was refused though no method reads n
    model = _CountedBonds(2.0)
    assert grad(model.energy_counted_after)(1.5) == pytest.approx(4 * 1.5)
    assert model.ncalls == 1
    model = _CountedBonds(np.array([2.0]), ncalls=np.array([5.0]))  # an array, not read
    np.testing.assert_allclose(grad(model.energy_counted_after)(np.array([1.5])), [6.0])
    np.testing.assert_allclose(model.ncalls, [6.0])


def test_a_counter_that_is_the_array_a_method_reads_is_still_refused():
    model = _CountedBonds(np.array([2.0]), alias=True)  # self.ncalls is self.k
    with pytest.raises(InPlaceUpdateError, match="reads under another name"):
        grad(model.energy_counted_after)(np.array([1.5]))


def test_a_counter_a_method_reads_is_still_refused():
    with pytest.raises(Exception, match="self.ncalls"):
        grad(_CountedBonds(2.0).energy_read_count)(1.5)


_Sized = namedtuple("_Sized", ["size", "other"])
_Stats = namedtuple("_Stats", ["mean", "ndim", "w"])
_X = np.array([1.0, -2.0, 0.5])


def _reads_size(st, x):
    return st.size * np.sum(x) + st.other


def _given_to_a_helper(x, a):
    st = _Sized(a * a, 2.0 * a)
    return _reads_size(st, x)


def _rebound_by_its_replace(a, x):
    s = _Sized(a, x)
    s = s._replace(other=s.other * s.size)
    return np.sum(s.other) + s.size ** 2


def _make_sized(a):
    return _Sized(size=a * a, other=a + 1.0)


def _from_a_helper(a):
    st = _make_sized(a)
    other = st
    return other.size * np.sum(_X) + st.other


def _scaled(q, k):
    return q._replace(mean=q.mean * k)


def _read_stats(q, x):
    return q.mean * x + q.ndim * q.w


def _argument_through_helpers(p):
    q = _scaled(p, 2.0)
    return np.sum(_read_stats(q, _X))


def _argument_rebound(p):
    p = p._replace(size=p.size * 2.0)
    return p.size * np.sum(_X)


def _in_a_list(a):
    total = 0.0
    for st in [_Sized(a, 1.0), _Sized(2.0 * a, a)]:
        total = total + st.size * np.sum(_X) + st.other
    return total


def _central(f, a, h=1e-6):
    return (f(a + h) - f(a - h)) / (2 * h)


def test_a_namedtuple_field_named_like_an_array_attribute_read_in_a_helper():
    # GX 01/02: st.size read in a helper was the array attribute: its gradient dropped
    from autograd_src import jvp
    x, a = _X, 0.7
    expected = 2 * a * np.sum(x) + 2.0
    assert grad(_given_to_a_helper, wrt=1)(x, a) == pytest.approx(expected)
    assert jvp(_given_to_a_helper, (x, a), (np.zeros(3), 1.0))[1] == pytest.approx(expected)


def test_a_namedtuple_rebound_to_its_own_replace():
    # GX 03: s = s._replace(...) left s unknown: every gradient 0
    x, a = np.array([0.5, -1.0, 2.0]), 0.7
    assert grad(_rebound_by_its_replace)(a, x) == pytest.approx(np.sum(x) + 2 * a)


def test_a_namedtuple_from_a_helper_or_an_argument_through_helpers():
    # GX 05/06: made by a helper, copied to another name, made again by a helper's
    # _replace, or an argument rebound by _replace
    assert grad(_from_a_helper)(0.7) == pytest.approx(_central(_from_a_helper, 0.7))
    p = _Stats(0.7, 3.0, np.array([1.0, 2.0, 3.0]))
    g = grad(_argument_through_helpers)(p)
    assert g.ndim == pytest.approx(_central(
        lambda n: _argument_through_helpers(p._replace(ndim=n)), 3.0))
    assert grad(_argument_rebound)(_Sized(0.7, 0.0)).size == pytest.approx(2 * np.sum(_X))


def test_a_namedtuple_field_named_like_an_attribute_where_it_is_not_followed():
    # GX 05: in a list (or a dict) its .size would be read as an array's: refused
    with pytest.raises(DiffSyntaxError, match="field named 'size'"):
        grad(_in_a_list)(0.7)


def _counted(w, cache=None):
    if cache is None:
        cache = {}
    cache["n"] = cache.get("n", 0) + 1
    return np.sum(np.tanh(w) ** 2)


def _logged(w, history=None):
    history = [] if history is None else history
    loss = np.sum(w ** 2)
    history.append(float(loss))
    return loss


def _other_dict_bound(w, a, b, flag=True):
    if flag:
        a = b
    a["x"] = 1
    return np.sum(np.sin(w))


@pytest.mark.parametrize("flag", [True, False])
def test_the_none_default_idiom_leaves_the_callers_dict_as_one_run_does(flag):
    # HC 01: if cache is None: cache = {} made grad skip the caller's dict entirely
    from autograd_src import value_and_grad
    w = np.array([0.3, -0.2])
    for make in (grad, value_and_grad):
        cache, history = {"n": 2}, [1.0]
        make(_counted)(w, cache)
        make(_logged)(w, history)
        assert cache == {"n": 3} and history == [1.0, pytest.approx(0.13)]
        make(_counted)(w)  # (None: a dict of its own)
        a, b = {}, {}
        make(_other_dict_bound)(w, a, b, flag)
        assert (a, b) == (({}, {"x": 1}) if flag else ({"x": 1}, {}))


class _IterableOnly:
    def __init__(self, ws):
        self.ws = ws

    def __iter__(self):
        return iter(self.ws)


def _through_layers(x, layers):
    h = x
    for w in layers:
        h = np.tanh(h * w)
    return np.sum(h)


def test_a_loop_over_an_iterable_that_is_not_a_sequence():
    # HC 06: the gradient walked back reversed(P): 'Params' object is not reversible
    ws = [np.array([0.5, 1.0]), np.array([2.0, -1.0])]
    x = np.array([0.3, -0.2])
    np.testing.assert_allclose(grad(_through_layers)(x, _IterableOnly(ws)),
                               grad(_through_layers)(x, ws))
    np.testing.assert_allclose(hessian(_through_layers)(x, _IterableOnly(ws)),
                               hessian(_through_layers)(x, ws))


def test_a_loop_over_an_iterator_argument_is_refused():
    # HD 07/09: an iterator is used up by the loop: a vjp's or hessian's second run gave
    # zeros, and a break still drew the whole generator
    from autograd_src import vjp
    ws = [np.array([0.5, 1.0]), np.array([2.0, -1.0])]
    x = np.array([0.3, -0.2])
    for given in ((w for w in ws), map(np.asarray, ws), iter(ws)):
        with pytest.raises(TypeError, match="an iterator"):
            grad(_through_layers)(x, given)
    with pytest.raises(TypeError, match="an iterator"):
        hessian(_through_layers)(x, iter(ws))
    with pytest.raises(TypeError, match="an iterator"):
        vjp(_through_layers, x, iter(ws))[1](1.0)


def _clipped_through_a_module(x, lib):
    return lib.sum(lib.log(lib.clip(x, 0.6, None)))


def test_a_rule_picked_as_the_code_runs_computes_only_the_adjoints_asked_for():
    # GZ 04: lib.clip(x, 0.6, None) with the module an argument ran clip's whole rule,
    # comparing x > None for the bound's adjoint
    x = np.array([0.5, 2.0, 3.0])
    np.testing.assert_allclose(grad(_clipped_through_a_module)(x, np), [0.0, 0.5, 1 / 3])


def _one_pole(b0, a1, x):
    y = np.zeros(len(x))
    y[0] = b0 * x[0]
    for n in range(1, len(x)):
        y[n] = b0 * x[n] + a1 * y[n - 1]
    return y


def _filtered_power(x, b0, a1):
    return np.mean(_one_pole(b0, a1, x) ** 2)


def test_a_filter_filling_an_array_in_a_helper_costs_linear_time():
    # HA 03: each sample's adjoint copied dy whole (zero_at) and made a zero array as
    # long as x (add_into): O(n^2), 207x the forward pass at 32,000 samples
    from autograd_src.rules import runtime
    from autograd_src.rules.runtime import indexing
    counted = {"zero_at": 0, "unindex": 0}
    originals = {name: getattr(indexing, name) for name in counted}

    def counting(name):
        def count(*args):
            counted[name] += 1
            return originals[name](*args)
        return count

    x = np.random.default_rng(0).standard_normal(40)
    for name in counted:  # (the generated code calls _ad.zero_at, the runtime's)
        setattr(indexing, name, counting(name))
        setattr(runtime, name, getattr(indexing, name))
    try:
        g = grad(_filtered_power)(x, 0.4, 0.8)
    finally:
        for name, original in originals.items():
            setattr(indexing, name, original)
            setattr(runtime, name, original)
    assert counted == {"zero_at": 0, "unindex": 0}
    h = 1e-6
    for k in (0, 17, 39):
        e = np.zeros(40)
        e[k] = h
        assert g[k] == pytest.approx((_filtered_power(x + e, 0.4, 0.8) -
                                      _filtered_power(x - e, 0.4, 0.8)) / (2 * h), rel=1e-6)


_TARGET = np.array([1.0, 1.0])


def _reach_cost(q, target):
    return np.sum((np.array([np.sum(np.cos(q)), np.sum(np.sin(q))]) - target) ** 2)


def test_a_lambda_made_anew_in_a_loop_is_transformed_once():
    # GY 07: grad(lambda q: cost(q, target))(q) in a loop transformed it at every step
    # (about 3.4 ms a step; HIPS autograd 0.2 ms)
    from autograd_src import api
    made = []
    original = api.transform

    def counting(fn, *args, **kwargs):
        made.append(fn.__name__)
        return original(fn, *args, **kwargs)

    api.transform = counting
    try:
        q = np.array([0.1, 0.2, 0.3])
        for _ in range(5):
            step = grad(lambda q: _reach_cost(q, _TARGET))(q)
            np.testing.assert_allclose(step, grad(_reach_cost)(q, _TARGET))
            q = q - 0.1 * step
    finally:
        api.transform = original
    assert 1 <= made.count("<lambda>") <= 2  # (its general code and its variant, once)


def test_a_lambda_holding_an_array_dies_with_it():
    import gc
    import weakref
    big = np.linspace(0.0, 1.0, 1000)
    loss = (lambda b: lambda x: np.sum(b * x ** 2))(big)
    grad(loss)(np.ones(1000))
    dead = weakref.ref(loss)
    del loss
    gc.collect()
    assert dead() is None


class _Module:
    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)


class _Linear(_Module):
    def __init__(self, W):
        self.W = W

    def forward(self, h):
        return np.tanh(h @ self.W)


class _Mixed(_Module):
    def forward(self, h, g):
        return 2.0 * h + g ** 2


_LAYERS = [_Linear(np.array([[1.0, 2.0], [3.0, 4.0]]) * 0.3), _Linear(np.eye(2) * 0.5)]
_MIXERS = [_Mixed()]
_C = np.array([0.3, 0.4])


def _through_modules(x):
    h = x
    for layer in _LAYERS:
        h = layer(h)
    for mix in _MIXERS:
        h = mix(h, x) + mix(h, _C)
    return np.sum(h ** 2)


def test_modules_called_through_a_call_method_passing_args_on():
    # HC 04: Module.__call__(self, *args, **kwargs) -> self.forward(*args, **kwargs),
    # layers picked from a list as the code runs, was refused
    from autograd_src import jvp
    x = np.array([0.5, -1.0])
    expected = np.array([(_through_modules(x + 1e-6 * e) - _through_modules(x - 1e-6 * e))
                         / 2e-6 for e in np.eye(2)])
    np.testing.assert_allclose(grad(_through_modules)(x), expected, rtol=1e-6)
    np.testing.assert_allclose(jvp(_through_modules, (x,), (np.array([0.0, 1.0]),))[1],
                               expected[1], rtol=1e-6)


def _counted_rhs(y, k, stats):
    stats["nfev"] += 1
    return -k * y ** 2


def _two_euler_steps(k, stats):
    y = 1.0
    y = y + 0.1 * _counted_rhs(y, k, stats)
    y = y + 0.1 * _counted_rhs(y, k, stats)
    return y


def _weighted(y, k, stats):
    s = stats["w"]
    return -k * np.sum(y * s)


def _weights_changed_between(k, stats):
    y = np.ones(2)
    a = _weighted(y, k, stats)
    stats["w"] *= 2.0
    return _weighted(y * a, k, stats)


def test_a_helper_counting_its_calls_in_a_dict_it_is_given_called_twice():
    # HB F2: stats['nfev'] += 1 in an ODE's right-hand side, called twice, was refused:
    # the first call's backward was taken to read stats; it reads only y and k
    stats = {"nfev": 0}
    expected = (_two_euler_steps(0.5 + 1e-6, {"nfev": 0}) -
                _two_euler_steps(0.5 - 1e-6, {"nfev": 0})) / 2e-6
    assert grad(_two_euler_steps)(0.5, stats) == pytest.approx(expected, rel=1e-7)
    assert stats == {"nfev": 2}
    # a helper whose backward does read the dict's array: the change between the calls
    # is the caller's, its new array, not the one the first call's backward reads
    made = lambda: {"w": np.array([1.0, 2.0])}  # noqa: E731
    stats = made()
    expected = (_weights_changed_between(0.5 + 1e-6, made()) -
                _weights_changed_between(0.5 - 1e-6, made())) / 2e-6
    assert grad(_weights_changed_between)(0.5, stats) == pytest.approx(expected, rel=1e-7)
    np.testing.assert_allclose(stats["w"], [2.0, 4.0])


def _smoothed(x, alpha, state=None):
    if state is None:
        state = {"m": 0.0}
    out = np.zeros(len(x))
    for n in range(len(x)):
        state["m"] = alpha * state["m"] + (1 - alpha) * x[n]
        out[n] = state["m"]
    return out


def _smoothed_power(alpha, x):
    return np.sum(_smoothed(x, alpha) ** 2)


def test_a_helper_making_its_own_state_when_its_caller_leaves_it_none():
    # HA 01: state=None left to its default, state = {...} made in the helper, was
    # refused as a dict the caller gave
    x = np.linspace(-1.0, 1.0, 20)
    expected = (_smoothed_power(0.9 + 1e-6, x) - _smoothed_power(0.9 - 1e-6, x)) / 2e-6
    assert grad(_smoothed_power)(0.9, x) == pytest.approx(expected, rel=1e-6)


def _recorded_in_a_default_none(w, cache=None):
    if cache is None:
        cache = {}
    cache["s"] = float(np.sum(w))
    cache.setdefault("n", 0)
    return np.sum(w ** 2)


def _recorded_through_an_if_expression(w, cache=None):
    cache = cache if cache is not None else {}
    cache["s"] = float(np.sum(w))
    return np.sum(w ** 2)


def _read_back_from_a_default_none(w, cache=None):
    if cache is None:
        cache = {}
    cache["s"] = np.sum(w)
    return cache["s"] * 2


@pytest.mark.parametrize("fn", [_recorded_in_a_default_none,
                                _recorded_through_an_if_expression])
def test_a_number_recorded_into_a_dict_defaulting_to_none(fn):
    # HC 02: refused (setdefault on "a differentiated value"); the if-expression form
    # dropped the store, leaving the caller's dict empty
    w = np.ones(3)
    for given in ({}, None):
        expected, got = (dict(given) if given is not None else None,
                         dict(given) if given is not None else None)
        fn(w, expected)
        np.testing.assert_allclose(grad(fn)(w, got), 2 * w)
        assert got == expected


def _read_back_from_an_or_default(w, cache=None):
    cache = cache or {}
    cache["s"] = np.sum(w)
    return cache["s"] * 2


def test_a_value_with_gradient_into_a_dict_defaulting_to_none():
    # bound anew only where the caller gave None: the caller's dict, given, gets the
    # store (HD 05); bound anew otherwise too (cache or {}: an empty dict is falsy),
    # the store makes a new dict in grad's code, which the caller's would not get back
    for given in ({}, {"t": 1.0}, None):
        expected = dict(given) if given is not None else None
        got = dict(given) if given is not None else None
        _read_back_from_a_default_none(np.ones(3), expected)
        np.testing.assert_allclose(grad(_read_back_from_a_default_none)(np.ones(3), got),
                                   [2.0, 2.0, 2.0])
        assert got == expected
    with pytest.raises(DiffSyntaxError, match="cannot give it back"):
        grad(_read_back_from_an_or_default)(np.ones(3), {"t": 1.0})


def _same_dict_twice(x, a=None, b=None):
    if a is None:
        a = {}
    a["k"] = 1.0
    b["k"] = b["k"] + 2.0
    return np.sum(x * a["k"])


def _logged_when_given(W, x, log=None):
    if log is None:
        log = []
    h = np.tanh(W @ x)
    log.append(float(h[0]))
    return np.sum(h ** 2)


def test_a_list_or_dict_defaulting_to_none_given_by_the_caller():
    # HD 05: the append was dropped; HD 04: one dict given for a and b (a is b) gave
    # the value 3.0 for 9.0 and gradient [1, 1] for [3, 3]: now refused as it runs
    from autograd_src import value_and_grad
    W, x = np.eye(2) * 0.5, np.array([1.0, 2.0])
    plain, got = [7.0], [7.0]
    _logged_when_given(W, x, plain)
    grad(_logged_when_given)(W, x, got)
    assert got == plain and len(got) == 2
    shared = {"k": 0.0}
    with pytest.raises(InPlaceUpdateError):
        value_and_grad(_same_dict_twice)(np.array([1.0, 2.0]), shared, shared)


_Realish = namedtuple("_Realish", ["real", "w"])
_Transposed = namedtuple("_Transposed", ["T", "mean"])
_Plain = namedtuple("_Plain", ["a", "b"])


def _scaled_w(s, k):
    return s._replace(w=s.w * k)


def _rebound_through_a_helper(x):
    s = _Realish(x * 2.0, x ** 2)
    s = _scaled_w(s, 3.0)
    return np.sum(s.real * s.w)


def _replaced_then_read_at_second_order(x):
    p = _Transposed(T=x * 2.0, mean=np.sum(x ** 2))
    p = p._replace(mean=p.mean * x[0])
    return np.sum(p.T) * p.mean


def _made_by_a_helper(x):
    return _Plain(a=np.sum(x), b=x ** 2)


def _plain_from_a_helper(x):
    p = _made_by_a_helper(x)
    return p.a ** 2 + np.sum(p.b)


def test_namedtuples_rebound_through_helpers_and_at_second_order():
    # HD 01/02/03: s = helper(s) returning s._replace(...): s.real read as np.real
    # (wrong gradient) or s.T as a transpose (a crash); HD 16: hessian over the
    # gradient's _ad.replaced; HD 14: hessian refused a helper making a namedtuple
    from autograd_src import jvp
    x = np.array([0.3, -0.7, 1.1])
    np.testing.assert_allclose(grad(_rebound_through_a_helper)(x), 18 * x ** 2)
    assert jvp(_rebound_through_a_helper, (x,), (np.ones(3),))[1] == \
        pytest.approx(np.sum(18 * x ** 2))
    z = np.array([0.3, -0.5])
    np.testing.assert_allclose(hessian(_replaced_then_read_at_second_order)(z),
                               [[1.36, 0.84], [0.84, -1.44]], atol=1e-10)
    np.testing.assert_allclose(hessian(_plain_from_a_helper)(z), 2 + 2 * np.eye(2))


def _momentum_step(p, state, lr):
    state["v"] = 0.9 * state["v"] + p["w"]
    return {"w": p["w"] - lr * state["v"]}


def _unrolled_momentum(p, lr):
    state = {"v": 0.0}
    for _ in range(2):
        p = _momentum_step(p, state, lr)
    return np.sum(p["w"])


def test_a_parameter_rebound_by_a_helper_writing_its_other_argument():
    # HF 01: p = step(p, state, lr), desugared to p, state = step_on_copies(...), left p
    # out of the names bound anew: the caller's dict was given the loop's last values
    from autograd_src import jvp, value_and_grad
    for make in (grad, value_and_grad):
        params = {"w": np.array([1.0, 2.0])}
        make(_unrolled_momentum, wrt=1)(params, 0.1)
        np.testing.assert_array_equal(params["w"], [1.0, 2.0])
    params = {"w": np.array([1.0, 2.0])}
    assert jvp(lambda lr: _unrolled_momentum(params, lr), (0.1,), (1.0,))[1] == \
        pytest.approx(-8.1)
    np.testing.assert_array_equal(params["w"], [1.0, 2.0])


class _Arm:
    def __init__(self):
        self.links = np.array([1.0, 2.0])

    def fk(self, q):
        return self.links * np.sin(q)

    def again(self):
        return np.sum(self.last_q ** 2)

    def cost(self, q):
        self.last_q = q.copy()
        return np.sum(self.fk(q) ** 2)

    def cost_read_back(self, q):
        self.last_q = q.copy()
        return np.sum(self.fk(q) ** 2) + self.again()


def test_a_record_on_self_beside_a_method_that_does_not_read_it():
    # GY 04: self.last_q = q.copy() was refused once the method called self.fk(q)
    arm, q = _Arm(), np.array([0.1, 0.2])
    np.testing.assert_allclose(grad(arm.cost)(q), 2 * arm.links ** 2 * np.sin(q) * np.cos(q))
    np.testing.assert_array_equal(arm.last_q, q)
    with pytest.raises(DiffSyntaxError, match="stores a differentiated value on self"):
        grad(arm.cost_read_back)(q)


class _Scheduled:
    def __init__(self):
        self.lr = 1.0
        self.W = np.array([1.0, 2.0, 3.0])

    def scaled(self, w):
        return self.lr * w

    def weighted(self, w):
        return np.sum(w * self.W)

    def loss(self, w):
        a = np.sum(self.scaled(w) ** 2)
        self.lr = 2.0
        return a + np.sum(self.scaled(w) ** 3)

    def loss_rebinding_an_array(self, w):
        a = self.weighted(w) ** 2
        self.W = self.W * 3.0
        return a + self.weighted(w)


def test_an_attribute_bound_anew_between_calls_of_a_helper_method_reading_it():
    # HC 08: self.lr = 2.0 between two self.scaled(w) was refused; each call's backward
    # reads the value read once as it ran (self_lr = self.lr), not self
    x = np.array([0.3, -0.5, 1.0])
    for method in ("loss", "loss_rebinding_an_array"):
        expected = np.array([(getattr(_Scheduled(), method)(x + 1e-6 * e) -
                              getattr(_Scheduled(), method)(x - 1e-6 * e)) / 2e-6
                             for e in np.eye(3)])
        np.testing.assert_allclose(grad(getattr(_Scheduled(), method))(x), expected,
                                   rtol=1e-6)


_HISTORY: list = []


def _log_density(theta, hist=_HISTORY):
    val = -0.5 * np.sum(theta ** 2)
    hist.append(float(val))
    return val


def test_a_list_default_named_by_a_module_name_the_body_never_reads():
    # GZ 05: hist=HISTORY counted as a read of HISTORY by the function, so its append
    # was refused as changing a list another name reads
    _HISTORY.clear()
    np.testing.assert_allclose(grad(_log_density)(np.array([1.0, 2.0])), [-1.0, -2.0])
    assert _HISTORY == [-2.5]


def _smallest_by_group(e):
    out = np.full(2, np.inf)
    np.minimum.at(out, np.array([0, 1, 0]), e)
    return np.sum(out)


def _messages_by_node(h, edges):
    from collections import defaultdict
    inbox = defaultdict(list)
    for src, dst in edges:
        inbox[dst].append(h[src] * 2.0)
    return sum(np.mean(np.array(m)) ** 2 for m in inbox.values())


def test_refusals_advise_with_the_call_as_written():
    # HG: np.minimum.at's advice said np.max and -inf; HG 03: the append's advice
    # named a placeholder v, not the value appended
    with pytest.raises(DiffSyntaxError, match=r"np\.min\(np\.where\(group == k, e, np\.inf\)\)"):
        grad(_smallest_by_group)(np.array([1.0, 2.0, 3.0]))
    with pytest.raises(DiffSyntaxError, match=r"inbox\[dst\] \+ \[h\[src\] \* 2\.0\]"):
        grad(_messages_by_node)(np.ones(3), [(0, 1), (1, 2)])
