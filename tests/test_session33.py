"""Session 33: smallest forms of what this session found and fixed."""

from __future__ import annotations

import sys
import threading

import numpy as np
import pytest

from autograd_src import grad, value_and_grad
from autograd_src.errors import DiffSyntaxError
from autograd_src.transform.source import Reads


def test_threads_checking_a_new_derivatives_reads_at_once_never_see_half_of_it():
    # CI, session 32: threads calling one new derivative at once raised AttributeError
    # ('Reads' object has no attribute '_functions'): the first call split the names it
    # watches into three attributes, one after another, and a second thread read the
    # first while the third was still missing.
    namespace = {f"name{i}": i for i in range(200)}
    errors: list = []

    def check(reads: Reads, start: threading.Barrier) -> None:
        start.wait()
        try:
            for _ in range(3):
                assert reads.unchanged()
        except Exception as exc:  # noqa: BLE001 - a thread's error fails the test
            errors.append(exc)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # (switch threads often, so that the race shows)
    try:
        for _ in range(300):
            reads = Reads()
            for name, value in namespace.items():
                reads.note("global", namespace, name, value)
            start = threading.Barrier(4)
            threads = [threading.Thread(target=check, args=(reads, start)) for _ in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            if errors:
                break
    finally:
        sys.setswitchinterval(interval)
    assert not errors


# --- EZ 01: a nested function given a second name before what it reads carries gradient

def _fd(f, x, eps=1e-6):
    return (f(x + eps) - f(x - eps)) / (2 * eps)


def _alias_then_rebound(x):
    dt = 0.1
    step = lambda y: y * dt  # noqa: E731
    h = step
    dt = x  # (the closure reads x now; h(1.0) is x)
    return h(1.0)


def _list_then_rebound(x):
    dt = 0.1

    def step(y):
        return y * dt
    fs = []
    fs.append(step)
    dt = x
    return fs[0](1.0)


def _euler_through_an_alias(k):
    rate = 0.1
    rhs = lambda y: -rate * y  # noqa: E731
    f = rhs
    y = 1.0
    for _ in range(3):
        y = y + 0.1 * f(y)
        rate = rate + k
    return y


@pytest.mark.parametrize("function", [_alias_then_rebound, _list_then_rebound,
                                      _euler_through_an_alias])
def test_a_second_name_for_a_closure_whose_capture_gets_gradient_later_is_refused(function):
    # was a gradient of 0, silently (calls of h are not followed to step)
    with pytest.raises(DiffSyntaxError, match="a second name for"):
        grad(function)(0.7)


def _alias_then_constant(x):
    s = 2.0
    g = lambda v: v * s  # noqa: E731
    h = g
    s = 3.0
    return h(x)


def _called_by_its_own_name(x):
    dt = 0.1
    step = lambda y: y * dt  # noqa: E731
    dt = x
    return step(1.0) + step(x)


@pytest.mark.parametrize("function", [_alias_then_constant, _called_by_its_own_name])
def test_closures_reading_later_values_by_their_own_name_or_constants_stay_right(function):
    assert np.isclose(grad(function)(0.7), _fd(function, 0.7))


# --- EZ 02: the differentiated function's own shallow copy of an argument, an item
# updated in place: NumPy writes into the caller's array, grad made a new one (the
# caller's S['h'] stayed, so a program carrying S from call to call drifted, silently)

def _copy_then_update(v, S):
    S = S.copy()
    S['h'] += v
    return np.sum(S['h'] ** 2)


def _dict_copy_then_update(v, S):
    T = dict(S)
    T['h'] *= v
    return np.sum(v ** 2)


def _list_slice_then_update(v, L):
    M = L[:]
    M[0] += v
    return np.sum(M[0] * v)


@pytest.mark.parametrize("function, container", [
    (_copy_then_update, "dict"), (_dict_copy_then_update, "dict"),
    (_list_slice_then_update, "list")])
def test_an_update_through_a_shallow_copy_of_an_argument_is_refused(function, container):
    from autograd_src.errors import InPlaceUpdateError
    given = {'h': np.array([1.0, 2.0, 3.0])} if container == "dict" else \
        [np.array([1.0, 2.0, 3.0]), 2.0]
    with pytest.raises(InPlaceUpdateError, match="the caller passed"):
        grad(function)(np.array([0.3, -0.2, 0.5]), given)


def _deep_copy_then_update(v, S):
    import copy
    T = copy.deepcopy(S)
    T['h'] += v
    return np.sum(T['h'] * v)


def _number_item_of_a_copy(v, L):
    M = list(L)
    M[1] += 1.0
    return np.sum(v * M[1])


@pytest.mark.parametrize("function, given", [
    (_deep_copy_then_update, {'h': np.array([1.0, 2.0, 3.0])}),
    (_number_item_of_a_copy, [np.array([1.0, 2.0, 3.0]), 2.0])])
def test_deep_copies_and_numbers_of_a_shallow_copy_stay_right(function, given):
    import copy
    v = np.array([0.3, -0.2, 0.5])
    before = copy.deepcopy(given)
    got = grad(function)(v, given)
    want = np.array([_fd(lambda t, e=e: function(v + t * e, copy.deepcopy(before)), 0.0)
                     for e in np.eye(3)])
    assert np.allclose(got, want)


# --- EZ 03-05: a helper storing a differentiated value outside itself by a route the
# state check did not see (an alias of the module's dict, setattr, globals()[...],
# nonlocal), the caller reading it back: half the gradient was dropped, silently

CFG = {'dt': 0.1}


class _Options:
    lr = 0.1


OPTIONS = _Options()
G = 0.0


def _set_through_an_alias(v):
    d = CFG
    d['dt'] = v


def _set_by_setattr(v):
    setattr(OPTIONS, 'lr', v)  # noqa: B010 - the form under test


def _set_through_globals(v):
    globals()['G'] = v


def _through_an_alias(x):
    _set_through_an_alias(x * 1.5)
    return CFG['dt'] * x


def _through_setattr(x):
    _set_by_setattr(x * 1.5)
    return OPTIONS.lr * x


def _through_globals(x):
    _set_through_globals(x * 1.5)
    return G * x


def _nonlocal_setter():
    s = 1.0

    def setter(v):
        nonlocal s
        s = v

    def loss(x):
        setter(x * 2.0)
        return np.sum(s * x)
    return loss


@pytest.mark.parametrize("function", [_through_an_alias, _through_setattr,
                                      _through_globals, _nonlocal_setter()],
                         ids=["alias", "setattr", "globals", "nonlocal"])
@pytest.mark.parametrize("x", [0.7, np.array([0.7, 0.3])], ids=["float", "array"])
def test_state_a_helper_writes_by_another_route_and_the_caller_reads_is_refused(function, x):
    with pytest.raises(DiffSyntaxError, match="changes state outside it"):
        grad(function)(x)


# --- EY 03: vjp of a function returning several outputs, its lists made by one tuple
# assignment (Ss, Is = [], []), crashed: the lists were taken for someone else's, so
# the runs were checked, by a derivative of the tuple-returning function itself

def _paths(th):
    Ss, Is = [], []
    S, Inf = 0.99, 0.01
    for _ in range(4):
        S, Inf = S - th[0] * S * Inf, Inf + th[0] * S * Inf - th[1] * Inf
        Ss.append(S)
        Is.append(Inf)
    return np.array(Ss), np.array(Is)


_CALLS = [0]


def _counted_paths(th):  # changes state, so vjp checks its runs: outputs compared each
    _CALLS[0] += 1
    return _paths(th)


def _counted_paths_dict(th):
    _CALLS[0] += 1
    S, Inf = _paths(th)
    return {'S': S, 'I': Inf}


@pytest.mark.parametrize("function", [_paths, _counted_paths, _counted_paths_dict])
def test_vjp_of_several_outputs_with_lists_made_together(function):
    from autograd_src import vjp
    th = np.array([0.8, 0.2])
    cS, cI = np.arange(4.0), np.ones(4)
    value, vjp_fn = vjp(function, th)
    cotangent = {'S': cS, 'I': cI} if isinstance(value, dict) else (cS, cI)
    got = vjp_fn(cotangent)[0]

    def total(t):
        S, Inf = _paths(t)
        return np.dot(S, cS) + np.dot(Inf, cI)
    want = np.array([_fd(lambda t, e=e: total(th + t * e), 0.0) for e in np.eye(2)])
    assert np.allclose(got, want, atol=1e-6)


# --- EZ 07: scipy.linalg on float16 (SciPy computes in float32): the composites'
# NumPy linear algebra refused float16 inside the derivative (a TypeError)

def _linear_algebra(A):
    import scipy.linalg as sla
    return np.sum(sla.solve(A, np.ones(2))) + np.sum(sla.inv(A)) + \
        np.sum(sla.cholesky(A)) + np.sum(sla.eigh(A)[0] ** 2) + sla.det(A)


def test_scipy_linalg_on_float16_is_differentiated_in_float32():
    A = np.array([[4.0, 1.0], [1.0, 3.0]])
    got = grad(_linear_algebra)(A.astype(np.float16))
    want = np.array([[_fd(lambda t, e=e: _linear_algebra(A + t * e.reshape(2, 2)), 0.0)
                      for e in np.eye(4)[2 * i:2 * i + 2]] for i in range(2)])
    assert got.dtype == np.float16
    assert np.allclose(got.astype(float), want, rtol=2e-2, atol=2e-2)


# --- EZ 08: M = L[:] of the differentiated list, then M[0] = v: refused as a write
# into the caller's list, though a list's slice is a new list (list(L) was accepted)

def _slice_copy_then_store(L, v):
    M = L[:]
    M[0] = v * 3.0
    return np.sum(M[0] * L[0]) + np.sum(M[1] ** 2)


def test_a_slice_copy_of_a_list_may_be_stored_into():
    L = [np.array([1.0, 2.0]), np.array([0.5, -1.0])]
    v = np.array([0.3, 0.4])
    dL, dv = grad(_slice_copy_then_store, wrt=(0, 1))(L, v)
    assert np.allclose(dL[0], v * 3.0) and np.allclose(dL[1], 2 * L[1])
    assert np.allclose(dv, 3.0 * L[0])


def test_a_slice_of_an_array_stored_into_is_still_refused():
    from autograd_src.errors import InPlaceUpdateError
    with pytest.raises(InPlaceUpdateError):
        grad(_slice_copy_then_store, wrt=(0, 1))(np.array([[1.0, 2.0], [0.5, -1.0]]),
                                                np.array([0.3, 0.4]))


# --- EZ 06: zip(theta.reshape(-1, 2), ws) was read through itertools.islice (in case
# it never ends), which has no rule: "no derivative rule for islice", at the def line

def _pairs_beside_weights(theta):
    ws = [1.0, 2.0, 3.0]
    s = 0.0
    for (a, b), w in zip(theta.reshape(-1, 2), ws):
        s = s + w * a * b
    for a, w in zip(theta[::2] * 2.0, ws):
        s = s + w * a
    return s


def test_zip_of_an_arrays_reshaped_view_beside_a_list():
    theta = np.arange(1.0, 7.0)
    want = np.array([_fd(lambda t, e=e: _pairs_beside_weights(theta + t * e), 0.0)
                     for e in np.eye(6)])
    assert np.allclose(grad(_pairs_beside_weights)(theta), want)


# --- FA 01-08, 22, 24: a closure reached through a name made by a call, a display or a
# loop (not by h = step), what it reads given gradient later: the derivative made as
# the code runs read it from its cell, a constant (x for 2x, silently)

def _ident(fn):
    return fn


class _Holder:
    def __init__(self, fn):
        self.fn = fn


def _lambda_in_a_dict(x):
    k = 1.0
    d = {'f': lambda v: k * v}
    k = x
    return d['f'](x)


def _from_a_local_factory(x):
    s = 1.0

    def make():
        def inner(v):
            return v * s
        return inner
    h = make()
    s = x
    return h(x)


def _held_by_an_object(x):
    s = 1.0
    h = _Holder(lambda v: v * s)
    s = x
    return h.fn(x)


def _through_an_identity_helper(x):
    s = 1.0
    g = lambda v: v * s  # noqa: E731
    h = _ident(g)
    s = x
    return h(x)


def _through_builtins(x):
    s = 1.0

    def g(v):
        return v * s
    b = dict(f=g)
    h = max([g], key=id)
    s = x
    return b['f'](x) + h(x)


def _reading_an_item_set_later(x):
    L = [1.0]
    g = lambda v: v * L[0]  # noqa: E731
    h = _ident(g)
    L[0] = x
    return h(x)


def _euler(f, y, dt, n):
    for _ in range(n):
        y = y + dt * f(y)
    return y


def _ode_model_registry(p):
    k = 1.0

    def spring(y):
        return np.array([y[1], -k * y[0]])
    models = dict(spring=spring)
    k = p[0]
    y = _euler(models['spring'], np.array([1.0, 0.0]), 0.05, 10)
    return np.sum(y ** 2) * p[1]


@pytest.mark.parametrize("function, x", [
    (_lambda_in_a_dict, 0.7), (_from_a_local_factory, 0.7), (_held_by_an_object, 0.7),
    (_through_an_identity_helper, 0.7), (_through_builtins, 0.7),
    (_reading_an_item_set_later, 0.7), (_lambda_in_a_dict, np.array([0.7, 0.2])),
    (_ode_model_registry, np.array([1.3, 0.5]))])
def test_a_closure_reached_by_another_name_reading_gradient_is_refused(function, x):
    with pytest.raises((DiffSyntaxError, TypeError),
                       match="second name|made in the function differentiated"):
        grad(function)(x)


def _by_its_own_name_through_a_helper(p):
    k = 1.0

    def spring(y):
        return np.array([y[1], -k * y[0]])
    k = p[0]
    y = _euler(spring, np.array([1.0, 0.0]), 0.05, 10)
    return np.sum(y ** 2) * p[1]


def test_a_closure_passed_by_its_own_name_to_a_helper_stays_right():
    p = np.array([1.3, 0.5])
    want = np.array([_fd(lambda t, e=e: _by_its_own_name_through_a_helper(p + t * e), 0.0)
                     for e in np.eye(2)])
    assert np.allclose(grad(_by_its_own_name_through_a_helper)(p), want, atol=1e-6)


# --- FA 09-11, 28, FC 03: a helper's p += [v] (p *= 2, d |= {...}) on a list or dict
# its caller passed changes the caller's in place; grad's code took back only arrays, so
# the caller's list kept its items (a wrong gradient, and an IndexError on an empty one).
# Now the caller's name holds the updated list or dict, written back to the caller's.

def _pushes(L, v):
    L += [v]


def _merges(d, v):
    d |= {'a': v}


def _repeats(L):
    L *= 2


def _reads_what_was_pushed(x, L):
    _pushes(L, 3.0)
    return L[-1] * x


def _reads_what_was_merged(x, d):
    _merges(d, 3.0)
    return d['a'] * x


def _reads_the_length(x, L):
    _repeats(L)
    return len(L) * x


def _pushes_into_its_own(x):
    L = []
    _pushes(L, 3.0)
    _pushes(L, x * x)
    return L[0] * x + L[1]


@pytest.mark.parametrize("function, given", [
    (_reads_what_was_pushed, [[1.0]]), (_reads_what_was_merged, [{'a': 1.0}]),
    (_reads_the_length, [[1.0, 2.0]]), (_pushes_into_its_own, [])])
def test_a_helpers_augmented_assignment_on_a_list_or_dict_is_followed(function, given):
    import copy
    mine, plain = copy.deepcopy(given), copy.deepcopy(given)
    want = _fd(lambda t: function(0.7 + t, *copy.deepcopy(given)), 0.0)
    value, got = value_and_grad(function)(0.7, *mine)
    assert np.isclose(got, want) and np.isclose(value, function(0.7, *plain))
    assert mine == plain  # the caller's list or dict, as one run leaves it


def _pushes_through_another_name(w):
    acc = []
    M = acc
    _pushes(acc, w[0])
    return sum(M)


def test_a_list_extended_by_a_helper_while_another_name_holds_it_is_refused():
    from autograd_src.errors import InPlaceUpdateError
    with pytest.raises(InPlaceUpdateError, match="another name"):
        grad(_pushes_through_another_name)(np.array([0.4, 0.7]))


def _scales_by_an_array(p, x):
    p *= x  # a list times an array: Python binds p to a new array, the list stays
    return p


def _list_scaled_by_an_array(x, a):
    _scales_by_an_array(a, x)
    return np.sum(x * np.array(a))


def test_a_list_rebound_by_a_helpers_augmented_assignment_stays_right():
    x, a = np.array([1.0, 2.0, -0.5]), [0.3, -0.7, 1.1]
    assert np.allclose(grad(_list_scaled_by_an_array)(x, a), a)
    assert a == [0.3, -0.7, 1.1]


# --- FA 12-19: module state written by routes the state check missed (vars(M)[k],
# sys.modules[__name__].X, type(self).x, object.__setattr__, setattr on a parameter),
# and by the function itself (CFG['k'] = v, OBJ.cache = v, THIS.X = v) with a helper
# reading it back: the read came back a constant (sin(x) for sin(x) + x cos(x))

THIS = sys.modules[__name__]
LAST = 0.0
STORE = {"k": 0.0}


class _Cache:
    cache = 0.0
    x = 0.0

    def put(self, v):
        type(self).x = v


CACHE = _Cache()


def _by_vars(v):
    vars(THIS)["LAST"] = v


def _by_sys_modules(v):
    sys.modules[__name__].LAST = v


def _by_object_setattr(v):
    object.__setattr__(CACHE, "cache", v)


def _by_setattr_on_a_parameter(o, v):
    setattr(o, "cache", v)  # noqa: B010 - the form under test


def _read_last():
    return LAST


def _read_store():
    return STORE["k"]


def _read_cache():
    return CACHE.cache


def _helper_by_vars(x):
    _by_vars(np.sin(x))
    return LAST * x


def _helper_by_sys_modules(x):
    _by_sys_modules(np.sin(x))
    return LAST * x


def _method_on_its_class(x):
    CACHE.put(np.sin(x))
    return _Cache.x * x


def _helper_by_object_setattr(x):
    _by_object_setattr(np.sin(x))
    return CACHE.cache * x


def _helper_setattr_on_a_local_object(x):
    o = _Cache()
    _by_setattr_on_a_parameter(o, np.sin(x))
    return o.cache * x


def _stored_in_a_dict_read_by_a_helper(x):
    STORE["k"] = np.sin(x)
    return _read_store() * x


def _stored_on_an_object_read_by_a_helper(x):
    CACHE.cache = np.sin(x)
    return _read_cache() * x


def _stored_on_the_module_read_by_a_helper(x):
    THIS.LAST = np.sin(x)
    return _read_last() * x


@pytest.mark.parametrize("function", [
    _helper_by_vars, _helper_by_sys_modules, _method_on_its_class,
    _helper_by_object_setattr, _helper_setattr_on_a_local_object,
    _stored_in_a_dict_read_by_a_helper, _stored_on_an_object_read_by_a_helper,
    _stored_on_the_module_read_by_a_helper])
def test_module_state_written_and_read_back_by_another_route_is_refused(function):
    with pytest.raises(DiffSyntaxError):
        grad(function)(0.7)


def _recorded_only(x):
    STORE["k"] = np.sin(x)  # a record for the caller, never read back
    return np.sin(x) * x


def test_a_record_for_the_caller_never_read_back_stays_right():
    assert np.isclose(grad(_recorded_only)(0.7), _fd(_recorded_only, 0.7))


# --- FA 20: a shallow copy of a list the caller's dict holds (list(S['L'])), an item
# updated in place: the caller's array kept its values (NumPy writes into it)

def _copy_of_an_item_then_update(x, S):
    L2 = list(S['L'])
    L2[0] += x
    return np.sum(L2[0] ** 2)


def test_an_update_through_a_copy_of_an_arguments_item_is_refused():
    from autograd_src.errors import InPlaceUpdateError
    with pytest.raises(InPlaceUpdateError, match="the caller passed"):
        grad(_copy_of_an_item_then_update)(np.array([0.3, -0.7]),
                                           {'L': [np.array([0.5, 0.5])]})


def _poisson_of_a_differentiated_rate(lam):
    rng = np.random.default_rng(0)
    return np.sum(rng.poisson(1000 * lam) * lam)


def test_a_discrete_draw_of_a_differentiated_rate_names_the_nondifferentiable_helper():
    # EY 06: the message suggested reparameterising, which no discrete draw allows
    from autograd_src.errors import NoRuleError
    with pytest.raises((NoRuleError, TypeError), match="nondifferentiable"):
        grad(_poisson_of_a_differentiated_rate)(np.array([0.2, 0.3]))


# --- FC 12 / EX 05: an item of a shallow copy rebound to a new array, then updated in
# place, leaves the caller's array alone: refused (false) since the copy check

def _item_made_anew_then_updated(p):
    q = dict(p)
    q['h'] = q['h'] * 2.0
    q['h'] *= 2.0
    return np.sum(q['h'] ** 2)


def _item_copied_then_updated(v, S):
    T = dict(S)
    T['h'] = T['h'].copy()
    T['h'] += v
    return np.sum(T['h'] * v)


def test_an_item_made_anew_before_its_update_is_not_the_callers():
    p = {'h': np.array([0.5, 1.0])}
    assert np.allclose(grad(_item_made_anew_then_updated)(p)['h'], 32 * p['h'])
    assert np.array_equal(p['h'], [0.5, 1.0])
    v, S = np.array([0.3, -0.2]), {'h': np.array([1.0, 2.0])}
    assert np.allclose(grad(_item_copied_then_updated)(v, S), S['h'] + 2 * v)
    assert np.array_equal(S['h'], [1.0, 2.0])


def _item_given_back_then_updated(v, S):
    T = dict(S)
    T['h'] = S['h']  # the caller's array again
    T['h'] += v
    return np.sum(T['h'] * v)


def test_an_item_bound_to_the_callers_array_again_is_still_refused():
    from autograd_src.errors import InPlaceUpdateError
    with pytest.raises(InPlaceUpdateError, match="the caller passed"):
        grad(_item_given_back_then_updated)(np.array([0.3, -0.2]), {'h': np.array([1.0, 2.0])})


# --- FA 23, FC 01: an integrator whose callback=None is called under `if callback is
# not None` was refused even where the call leaves it out: refused where it runs now

def _integrate(f, y, dt, n, callback=None):
    for i in range(n):
        y = y + dt * f(y)
        if callback is not None:
            callback(i, y)
    return y


def _without_a_callback(p):
    return np.sum(_integrate(np.sin, np.array([1.0, 0.5]) * p, 0.05, 10) ** 2)


def _with_a_callback_passed_in(p, cb):
    return np.sum(_integrate(np.sin, np.array([1.0, 0.5]) * p, 0.05, 3, callback=cb) ** 2)


def test_a_callback_left_to_none_is_not_refused():
    p = np.array([2.0, 0.3])
    want = np.array([_fd(lambda t, e=e: _without_a_callback(p + t * e), 0.0)
                     for e in np.eye(2)])
    assert np.allclose(grad(_without_a_callback)(p), want, atol=1e-6)
    with pytest.raises(TypeError, match="callback.*module-level function"):
        grad(_with_a_callback_passed_in)(p, lambda i, y: None)


def test_a_sparse_matrixs_dot_names_its_matmul():
    # FB 03: AS.dot(H) was refused with "register a rule", where AS @ H is followed
    sparse = pytest.importorskip("scipy.sparse")
    from autograd_src.errors import NoRuleError
    AS = sparse.csr_matrix(np.array([[0.0, 1.0], [1.0, 0.0]]))

    def through_dot(W):
        return np.sum(np.tanh(AS.dot(W)))

    with pytest.raises(NoRuleError, match=r"write AS @ \.\.\. instead"):
        grad(through_dot)(np.ones((2, 2)))


_DST = np.array([0, 0, 1, 1, 1, 2])


def _segment_max_shift(e):
    m = np.full(3, -np.inf)
    np.maximum.at(m, _DST, e)
    return np.sum(np.exp(e - m[_DST]))


def test_a_segment_max_by_ufunc_at_names_a_way_that_works():
    # FB 04: the advice was "y = np.exp(x), not np.exp(x, out=y)"
    with pytest.raises(DiffSyntaxError, match="nondifferentiable"):
        grad(_segment_max_shift)(np.arange(6.0))


# --- FE 09-11: state changed mid-function by another route than `NS.k = v` (setattr,
# vars(NS)[k], CFG.update, globals()[k]): the first read's adjoint read the new value
# (3.6 for 3.0); float(v) given to a helper storing it in module state read back (a
# gradient lost); hessian's scalar check ran f first, changing a class attribute every
# pass then saw (12 for 10)

import types as _types  # noqa: E402

_NS = _types.SimpleNamespace(k=2.0)
_CFG2 = {'k': 2.0}
K2 = 2.0


def _by_setattr(x):
    a = np.sum(x * x) * _NS.k
    setattr(_NS, 'k', 3.0)  # noqa: B010 - the form under test
    return a + np.sum(x * x) * _NS.k


def _by_vars(x):
    a = np.sum(x * x) * _NS.k
    vars(_NS)['k'] = 3.0
    return a + np.sum(x * x) * _NS.k


def _by_update(x):
    a = np.sum(x * x) * _CFG2['k']
    _CFG2.update(k=3.0)
    return a + np.sum(x * x) * _CFG2['k']


def _by_globals(x):
    a = np.sum(x * x) * K2
    globals()['K2'] = 3.0
    return a + np.sum(x * x) * K2


@pytest.mark.parametrize("function", [_by_setattr, _by_vars, _by_update, _by_globals])
def test_state_changed_mid_function_by_another_route_is_read_where_read(function):
    global K2
    _NS.k, _CFG2['k'], K2 = 2.0, 2.0, 2.0
    x = np.array([0.3, -0.7, 1.2])
    assert np.allclose(grad(function)(x), 10 * x)


def _stores_a_global(v):
    global K2
    K2 = v


def _float_through_a_global(x):
    _stores_a_global(float(np.sum(x)))
    return np.sum(x * x) * K2


def test_a_float_given_to_a_helper_storing_it_in_state_read_back_is_refused():
    with pytest.raises(DiffSyntaxError, match="changes state outside it"):
        grad(_float_through_a_global)(np.array([0.3, -0.7, 1.2]))


class _Scale:
    k = 2.0


def _reads_a_class_attribute_it_changes(x):
    a = np.sum(x * x) * _Scale.k
    _Scale.k = 3.0
    return a + np.sum(x * x) * _Scale.k


def test_hessian_of_a_function_changing_a_class_attribute_raises():
    from autograd_src import hessian
    _Scale.k = 2.0
    with pytest.raises(RuntimeError, match="gave other values"):
        hessian(_reads_a_class_attribute_it_changes)(np.array([0.3, -0.7, 1.2]))


# --- FE 03: a helper appending to the caller's list reached through a second local
# name (h = log; logf(h, y)) ran on a copy: the caller's list lost the append

def _logs_into(acc, v):
    acc.append(float(np.sum(v)))


def _logs_through_another_name(x, log):
    y = np.sum(x ** 2)
    h = log
    _logs_into(h, y)
    return y


def test_a_helpers_append_through_another_name_reaches_the_callers_list():
    log: list = []
    x = np.array([0.3, -0.7, 1.2])
    assert np.allclose(grad(_logs_through_another_name)(x, log), 2 * x)
    assert log == [pytest.approx(float(np.sum(x ** 2)))]


def _appends_its_length(x, log):
    log.append(len(log))
    return np.sum(x * x)


def test_vjp_reads_which_arguments_are_differentiated_before_running_f():
    # FE 02: f appended an int to a list of floats it was given; vjp then refused the
    # list as holding an int
    from autograd_src import vjp
    x, log = np.array([0.3, -0.7, 1.2]), [1.0]
    _, vjp_fn = vjp(_appends_its_length, x, log)
    assert np.allclose(vjp_fn(1.0)[0], 2 * x)
    assert log == [1.0, 1]
