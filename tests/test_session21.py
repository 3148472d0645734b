"""Session 21: the smallest forms of the wrong values independent testers found
(each test failed before its fix), and the transformation's speed-ups kept exact."""

import functools
import logging

import numpy as np
import pytest

from autograd_src import grad, hessian, hvp, jacfwd, jacrev, value_and_grad
from autograd_src.errors import DiffSyntaxError

X = np.array([0.9, 1.7, 2.3])


def _fd(f, x, h=1e-6):
    return np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(len(x))])


# ----- a key= function is called once per item, in the forward pass -----

def _key_read_after_rebinding(x):
    w = 1.0
    xs = [x[0], x[1], x[2]]
    m = max(xs, key=lambda v: w * v)
    w = -1.0  # the adjoint called the key again, reading the new w
    s = sorted(xs, key=lambda v: w * v)
    return m * 10.0 + s[0] * 100.0


def test_max_and_sorted_by_a_key_reading_a_name_bound_anew():
    x = np.array([1.0, 3.0, 2.0])
    expected = np.array([0.0, 110.0, 0.0])  # both pick x[1]
    np.testing.assert_allclose(grad(_key_read_after_rebinding)(x), expected)
    np.testing.assert_allclose(jacfwd(_key_read_after_rebinding)(x), expected)
    np.testing.assert_allclose(jacrev(_key_read_after_rebinding)(x), expected)


CALLS = []


def _counting_key(v):
    CALLS.append(1)
    return v * (-1) ** len(CALLS)  # depends on how often it ran


def _max_by_stateful_key(x):
    return max(list(x), key=_counting_key) * 10.0


def test_a_stateful_key_runs_as_often_as_in_python():
    x = np.array([1.0, 2.0, 3.0])
    CALLS.clear()
    plain = _max_by_stateful_key(x)
    assert len(CALLS) == 3
    CALLS.clear()
    value, g = value_and_grad(_max_by_stateful_key)(x)
    assert len(CALLS) == 3  # (6: the adjoint called the key again)
    assert value == plain
    np.testing.assert_allclose(g, [0.0, 10.0, 0.0])  # (went to x[2])


def _keys_every_form(x):
    xs = [x[0], x[1] ** 2, x[2]]
    m = max(xs, key=lambda v: -abs(v - 2.0))
    m2 = min(x[0], x[1], x[2], key=abs)
    s = sorted(xs, key=lambda v: (v - 1.5) ** 2, reverse=True)
    s2 = sorted(list(x), key=lambda v: -v)
    return m * 10.0 + s[0] * s[1] + s[2] ** 2 + m2 * 3 + s2[0] * 7


def test_keys_in_every_mode_and_second_order():
    expected = _fd(_keys_every_form, X)
    np.testing.assert_allclose(grad(_keys_every_form)(X), expected, rtol=1e-6)
    np.testing.assert_allclose(jacfwd(_keys_every_form)(X), expected, rtol=1e-6)
    h = hessian(_keys_every_form)(X)
    dg = grad(_keys_every_form)
    np.testing.assert_allclose(h, np.array([(dg(X + 1e-5 * e) - dg(X - 1e-5 * e)) / 2e-5
                                            for e in np.eye(3)]), atol=1e-4)
    assert np.any(h != 0)
    np.testing.assert_allclose(hvp(_keys_every_form)(X, np.ones(3)), h @ np.ones(3),
                               atol=1e-8)


def test_sorted_by_key_reads_the_order_once_in_the_generated_code():
    text = grad(_key_read_after_rebinding).source
    assert "_ad.order_of(" in text and "_ad.extreme_position(" in text
    assert "unsorted" not in text and "unextreme_item" not in text


# ----- a zip of lazy iterables whose reading changes a module's list -----

SEEN = []


def _scaled(v):
    SEEN.append(1)
    return v * len(SEEN)


def _zip_of_generators(x):
    out = 0.0
    for a, b in zip((_scaled(v) for v in x), (_scaled(v) for v in x)):
        out += a * b
    return out


def test_zip_of_generators_appending_to_a_module_list_is_refused():
    # Python reads the two in turn (1*2, 3*4); grad read the first whole first (35
    # for 50, silently)
    with pytest.raises(DiffSyntaxError, match="an item at a time, in turn"):
        grad(_zip_of_generators)(np.array([1.0, 2.0]))


# ----- np.asarray(x, dtype=...) gives the gradient in x's dtype -----

def _cast_by_asarray(x):
    return np.sum(np.asarray(x, dtype=np.float32) ** 2) + np.sum(np.array(x, np.float32))


def test_asarray_with_a_dtype_gives_the_gradient_in_the_arguments_dtype():
    x = np.array([1.0, 2.0, 3.0])
    for made in (grad(_cast_by_asarray), jacrev(_cast_by_asarray)):
        g = made(x)
        assert g.dtype == np.float64  # (float32: the cast's dtype)
        np.testing.assert_allclose(g, 2 * x + 1)


# ----- an exception raised by generated code names the user's line -----

def _raises_when_large(x):
    y = np.sum(x ** 2)
    if y > 1:
        raise ValueError("too big")
    return y


def _solves(A, b):
    return np.linalg.solve(A, b)


def _loss_through_a_helper(W, x):
    return np.sum(_solves(W @ W.T, x) ** 2)


@pytest.mark.skipif(not hasattr(BaseException, "add_note"), reason="notes: Python 3.11")
def test_an_exception_from_generated_code_is_noted_with_the_users_line():
    import inspect
    line = inspect.getsourcelines(_raises_when_large)[1] + 3  # the raise
    for run in (lambda: grad(_raises_when_large)(np.ones(2)),
                lambda: jacfwd(_raises_when_large)(np.ones(2))):
        with pytest.raises(ValueError, match="too big") as caught:
            run()
        (note,) = caught.value.__notes__
        assert f"test_session21.py:{line}" in note and "raise ValueError" in note
    # in a helper's derivative: the helper's line
    line = inspect.getsourcelines(_solves)[1] + 1
    with pytest.raises(np.linalg.LinAlgError) as caught:
        grad(_loss_through_a_helper)(np.zeros((2, 2)), np.ones(2))
    (note,) = caught.value.__notes__
    assert "derivative of _solves" in note and f"test_session21.py:{line}" in note


# ----- a name a closure reads, rebound after the closure is made, is never dead code -----

def _through_a_second_name(x):
    s = 1.0
    g = lambda v: v * s  # noqa: E731
    h = g
    s = 3.0  # (dropped as an unread constant: h(x) read s = 1.0)
    return np.sum(h(x))


def _key_closure_late(x):
    c = 0.0
    key = lambda v: abs(v - c)  # noqa: E731
    c = 1.0
    s = sorted([x[0], x[1], x[2]], key=key)
    return s[0] + 2.0 * s[1] + 3.0 * s[2]


def _factory_late(x):
    def make():
        return lambda v: v * c
    c = 7.0
    g = make()
    return np.sum(g(x))


def test_a_name_rebound_after_a_closure_is_made_keeps_its_new_value():
    x = np.array([0.7, -1.3, 0.4])
    value, g = value_and_grad(_through_a_second_name)(x)
    assert value == pytest.approx(_through_a_second_name(x))
    np.testing.assert_allclose(g, [3.0, 3.0, 3.0])
    np.testing.assert_allclose(grad(_key_closure_late)(x), [1.0, 3.0, 2.0])
    np.testing.assert_allclose(jacrev(_key_closure_late)(x), [1.0, 3.0, 2.0])
    np.testing.assert_allclose(grad(_factory_late)(x), [7.0, 7.0, 7.0])  # (a NameError)


def _float_key_late(x):
    c = 0.0
    key = lambda v: -(v - c) ** 2  # noqa: E731
    c = 1.0  # the order: x * x - 1, 0.5 - x, x
    s = sorted([x, x * x - 1.0, 0.5 - x], key=key)
    return s[0] + 2.0 * s[1] + 4.0 * s[2]


def test_second_order_through_a_key_reading_a_rebound_name():
    assert hessian(_float_key_late)(0.7) == pytest.approx(2.0)  # (4.0: the old c)


# ----- a module's counter written by a nested def: one run's worth in every mode -----

KEY_CALLS = [0]


def _counting_nested_key(x):
    def key(v):
        KEY_CALLS[0] += 1
        return v
    return max([x[0], x[1], x[2]], key=key) ** 2


def test_a_nested_defs_module_counter_is_left_as_after_one_run():
    from autograd_src import vjp
    x = np.array([0.7, -1.3, 0.4])
    f = _counting_nested_key
    for run in (lambda: jacrev(f)(x), lambda: jacfwd(f)(x), lambda: hessian(f)(x),
                lambda: vjp(f, x)[1](1.0)):
        KEY_CALLS[0] = 0
        run()
        assert KEY_CALLS[0] == 3  # (6, 12, 15: each pass counted again)


def _nested_def_counting_in_a_module_list(x):
    def fn(v):
        KEY_CALLS[0] += 1
        return v * 2.0 + np.sin(v)
    return np.sum(fn(x) ** 2)


def test_a_nested_def_writing_into_a_modules_list_is_followed():
    x = np.array([0.7, -1.3, 0.4])
    KEY_CALLS[0] = 0
    g = grad(_nested_def_counting_in_a_module_list)(x)  # (refused as "a value of the
    assert KEY_CALLS[0] == 1  # enclosing function")
    np.testing.assert_allclose(g, _fd(_nested_def_counting_in_a_module_list, x), rtol=1e-6)


# ----- a functools.partial picked as the code runs (from a list or dict) -----

def _op(v, c, d=1.0):
    return v * c + np.sin(v) * d


PARTIALS = {"a": functools.partial(_op, c=2.0), "b": functools.partial(_op, 3.0)}


def _calls_partials(x, name):
    fs = [functools.partial(_op, c=2.0, d=0.5)]
    return np.sum(fs[0](x)) + np.sum(PARTIALS[name](x) ** 2)


def test_a_partial_picked_as_the_code_runs_is_followed():
    x = np.array([0.7, -1.3, 0.4])
    for name in ("a", "b"):  # ("b" binds the first parameter: x lands in c)
        expected = _fd(lambda v, name=name: _calls_partials(v, name), x)
        np.testing.assert_allclose(grad(_calls_partials)(x, name), expected, rtol=1e-6)
        np.testing.assert_allclose(jacfwd(_calls_partials)(x, name), expected, rtol=1e-6)


class _Scaler:
    def __init__(self, c):
        self.c = c

    def __call__(self, v):
        return v * self.c + np.sin(v)


def _object_made_from_a_differentiated_value(x):
    fn = _Scaler(x[0])
    return np.sum(fn(x))


def test_an_object_of_yours_made_from_a_differentiated_value_is_refused_saying_so():
    from autograd_src.errors import NoRuleError
    with pytest.raises(NoRuleError, match="makes an object of your class"):
        grad(_object_made_from_a_differentiated_value)(X)  # (said: register a defvjp)


# ----- a helper passing a tuple parameter on unpacked (odeint's args=(k, m)) -----

def _oscillator(y, t, k, m):
    return np.array([y[1], -k / m * y[0]])


def _rk4(f, y, t, dt, args=()):
    k1 = f(y, t, *args)
    k2 = f(y + dt / 2 * k1, t + dt / 2, *args)
    k3 = f(y + dt / 2 * k2, t + dt / 2, *args)
    k4 = f(y + dt * k3, t + dt, *args)
    return y + dt * (k1 + 2 * k2 + 2 * k3 + k4) / 6


def _integrated(theta, y0):
    y = y0
    for i in range(6):
        y = _rk4(_oscillator, y, 0.1 * i, 0.1, args=(theta[0], theta[1]))
    y = _rk4(_oscillator, y, 0.6, 0.1, (theta[0], 0.5))
    return y[0] ** 2 + y[1]


def test_a_tuple_given_to_a_helper_that_passes_it_on_unpacked():
    theta, y0 = np.array([2.0, 0.5]), np.array([1.0, 0.0])
    expected = _fd(lambda t: _integrated(t, y0), theta)
    for made in (grad(_integrated), jacfwd(_integrated), jacrev(_integrated)):
        np.testing.assert_allclose(made(theta, y0), expected, rtol=1e-6)  # (refused:
        # *args holding differentiated values)


# ----- dicts of per-step values made in one line, or by a helper (min-char-rnn) -----

def _new_cache():
    return {}


def _rnn_caches(W, hprev, form):
    if form == 0:
        hs, ps = {}, {}
    else:
        hs = _new_cache()
        ps = _new_cache()
    hs[-1] = hprev
    loss = 0
    for t in range(2):
        hs[t] = W @ hs[t - 1]
        ps[t] = hs[t] * 2.0
        loss += ps[t][0, 0]
    return loss


def _lists_unpacked(W, hprev):
    hs, ps = [hprev], [0 * hprev]
    loss = 0
    for t in range(2):
        hs.append(W @ hs[t])
        ps.append(hs[t + 1] * 2.0)
        loss += ps[t + 1][0, 0]
    return loss


def test_dicts_of_steps_made_in_one_line_or_by_a_helper():
    W = np.random.default_rng(0).normal(size=(3, 3)) * 0.3
    h0 = np.ones((3, 1))
    for form in (0, 1):  # (ValueError: output array is read-only, in generated code)
        expected = np.zeros_like(W)
        for i in np.ndindex(W.shape):
            e = np.zeros_like(W)
            e[i] = 1e-6
            expected[i] = (_rnn_caches(W + e, h0, form) - _rnn_caches(W - e, h0, form)) / 2e-6
        np.testing.assert_allclose(grad(_rnn_caches)(W, h0, form), expected, atol=1e-7)
    expected = np.zeros_like(W)
    for i in np.ndindex(W.shape):
        e = np.zeros_like(W)
        e[i] = 1e-6
        expected[i] = (_lists_unpacked(W + e, h0) - _lists_unpacked(W - e, h0)) / 2e-6
    np.testing.assert_allclose(grad(_lists_unpacked)(W, h0), expected, atol=1e-7)  # (refused)


def _swapped(x):
    a, b = [x[0]], [x[1] * 2.0]
    a, b = b, a  # (a swap is bound at once, not one name after the other)
    return a[0] * 3.0 + b[0]


def test_a_swap_stays_a_swap():
    np.testing.assert_allclose(grad(_swapped)(X), [1.0, 6.0, 0.0])


# ----- state the passes of a Jacobian cannot give back, or grad would not change -----

COUNT = iter(range(1, 100))


def _drawing_from_an_iterator(x):
    k = next(COUNT)
    return np.sum(x * x) * k


def test_next_of_a_modules_iterator_is_caught_by_the_jacobians():
    global COUNT
    x = np.array([0.3, -0.8, 1.1])
    for made in (jacrev, jacfwd, hessian):
        COUNT = iter(range(1, 100))
        with pytest.raises(RuntimeError, match="next"):  # (k = 2, 3, 4 across the passes)
            made(_drawing_from_an_iterator)(x)
    COUNT = iter(range(1, 100))
    np.testing.assert_allclose(grad(_drawing_from_an_iterator)(x), 2 * x)


W_MODULE = np.array([1.0, 2.0, 3.0])


def _decays_a_module_array_through_a_name(x):
    a = np.sum(np.sin(x * W_MODULE))
    v = W_MODULE
    v *= 2.0  # NumPy doubles W_MODULE; grad made it v = v * 2.0 (W_MODULE left as it was)
    return a


def test_a_constant_update_of_a_module_array_through_a_name_is_refused():
    from autograd_src.errors import InPlaceUpdateError
    for made in (grad, jacfwd):
        W_MODULE[:] = [1.0, 2.0, 3.0]
        with pytest.raises(InPlaceUpdateError, match="changes W_MODULE through v"):
            made(_decays_a_module_array_through_a_name)(X)


LOG = logging.getLogger("autograd_src.tests")


def _logs_a_differentiated_value(x):
    y = np.sum(np.sin(x)) * 3.0
    LOG.info("y=%.6f", y)
    return np.sum(x * x)


def test_logging_a_differentiated_value_with_percent_arguments():
    np.testing.assert_allclose(grad(_logs_a_differentiated_value)(X), 2 * X)  # (refused)


W_UPDATED = np.array([1.0, 2.0])


def _updates_a_module_array_without_global(x):
    W_UPDATED *= 2.0  # noqa: F823 - Python: UnboundLocalError (W_UPDATED is local here)
    return np.sum(x * W_UPDATED)


def test_an_update_python_finds_unbound_is_refused_saying_so():
    with pytest.raises(UnboundLocalError):
        _updates_a_module_array_without_global(X[:2])
    with pytest.raises(DiffSyntaxError, match="UnboundLocalError"):  # (a TypeError from
        grad(_updates_a_module_array_without_global)(X[:2])  # generated code: None * 2.0)


# ----- Python's errors kept: unpacking, a tuple's items -----

def _unpacks_two(x):
    a, b = x
    return a * b


def _assigns_into_a_tuple(x):
    t = (x[0], x[1])
    t[0] = 3.0  # noqa: F821 - Python: TypeError
    return t[1]


def _list_target(x):
    [a, b] = x
    return a * b


def test_unpacking_the_wrong_number_raises_as_python_does():
    x3 = np.array([0.3, -0.6, 1.5])
    for made in (grad, value_and_grad, jacfwd):
        with pytest.raises(ValueError, match="too many values to unpack"):
            made(_unpacks_two)(x3)  # (the first two, silently)
        with pytest.raises(TypeError, match="does not support item assignment"):
            made(_assigns_into_a_tuple)(x3)  # (jacfwd made an array of the tuple)
    with pytest.raises(ValueError, match="not enough values to unpack"):
        grad(_unpacks_two)(x3[:1])
    np.testing.assert_allclose(grad(_list_target)(x3[:2]), [-0.6, 0.3])  # (refused)


# ----- forward mode: a dict seeded with a constant entry, then filled per step -----

def _dict_seeded(w):
    hs = {}
    hs[-1] = 0.1
    for t in range(2):
        hs[t] = np.sin(w * hs[t - 1])
    return hs[1]


def test_a_dict_seeded_with_a_constant_entry_in_forward_mode():
    expected = (_dict_seeded(0.7 + 1e-6) - _dict_seeded(0.7 - 1e-6)) / 2e-6
    assert grad(_dict_seeded)(0.7) == pytest.approx(expected, rel=1e-6)  # (KeyError: -1)
    from autograd_src import jvp
    assert jvp(_dict_seeded, (0.7,), (1.0,))[1] == pytest.approx(expected, rel=1e-6)


# ----- a module array written by an out= through a name, or a helper's copy -----

W_OUT = np.array([1.0, 2.0, 3.0])


def _doubles_through_out(x):
    v = W_OUT
    np.multiply(v, 2.0, out=v)
    return np.sum(W_OUT * x)


def _scale_into(a):
    b = a
    np.multiply(b, 2.0, out=b)


def _helper_scales_the_module_array(x):
    _scale_into(W_OUT)
    return np.sum(W_OUT * x)


def test_a_module_array_written_through_a_name_once_per_call_in_every_mode():
    x = np.array([0.3, 1.7, -0.9])
    for f in (_doubles_through_out, _helper_scales_the_module_array):
        for made in (grad, jacfwd, jacrev):
            W_OUT[:] = [1.0, 2.0, 3.0]
            np.testing.assert_allclose(made(f)(x), [2.0, 4.0, 6.0])  # ([2, 8, 24]: jacfwd;
            np.testing.assert_allclose(W_OUT, [2.0, 4.0, 6.0])  # UnboundLocalError: helper)


BATCHES = iter([])


def _loss_on_the_next_batch(w):
    X, y = next(BATCHES)
    return np.sum((X @ w - y) ** 2)


def test_a_jacobian_of_a_function_reading_an_iterator_is_refused():
    global BATCHES
    rng = np.random.default_rng(0)
    BATCHES = iter([(rng.normal(size=(4, 3)), rng.normal(size=4)) for _ in range(5)])
    for made in (jacrev, jacfwd, hessian):
        with pytest.raises(RuntimeError, match="an iterator"):
            made(_loss_on_the_next_batch)(np.ones(3))
    assert len(list(BATCHES)) == 5  # nothing read


def _partial_of_partial(x):
    g = functools.partial(_op, c=2.0)
    h = functools.partial(g, d=3.0)
    return h(x[0])


def test_a_partial_of_a_partial():
    expected = _fd(_partial_of_partial, X)
    np.testing.assert_allclose(grad(_partial_of_partial)(X), expected, rtol=1e-6)


def _nested_raises(x):
    def g(v):
        a = v * 2.0
        b = a.reshape(7, 3)
        return np.sum(b)
    return g(x)


@pytest.mark.skipif(not hasattr(BaseException, "add_note"), reason="notes: Python 3.11")
def test_the_note_names_the_failing_line_of_a_nested_def():
    import inspect
    line = inspect.getsourcelines(_nested_raises)[1] + 3
    with pytest.raises(ValueError) as caught:
        grad(_nested_raises)(X)
    (note,) = caught.value.__notes__
    assert f"test_session21.py:{line}:" in note and "reshape" in note


# ----- constants stored into items in one line (boundary conditions) -----

def _boundaries(x):
    u = x * 2.0
    u[0], u[-1] = 1.0, 1.0  # (run as written: the entries kept their gradient)
    return np.sum(u ** 2)


def _seeded_in_one_line(x):
    xs, hs = {}, {}
    hs[-1], xs[-1] = 0.0, 1.0
    for t in range(2):
        hs[t] = hs[t - 1] + xs[t - 1] * x
        xs[t] = xs[t - 1] * x
    return hs[1]


def test_constants_stored_into_items_in_one_line():
    x = np.array([0.5, -0.3, 0.2])
    expected = [0.0, 8 * x[1], 0.0]
    for made in (grad, jacfwd, jacrev):
        np.testing.assert_allclose(made(_boundaries)(x), expected)  # ([4, -2.4, 4])
    expected = (_seeded_in_one_line(0.5 + 1e-6) - _seeded_in_one_line(0.5 - 1e-6)) / 2e-6
    assert grad(_seeded_in_one_line)(0.5) == pytest.approx(expected)  # (KeyError: -1)


def _starred_short(x):
    a, *m, b = x
    return a * b


def test_starred_unpacking_with_too_few_values_raises():
    for made in (grad, jacfwd):
        with pytest.raises(ValueError, match="expected at least 2, got 1"):
            made(_starred_short)(X[:1])  # (a = b = x[0], silently)
    np.testing.assert_allclose(grad(_starred_short)(X), [X[2], 0.0, X[0]])


W_FILLED = np.ones(3)


def _fill(a, value):
    a[:] = value


def _fills_a_module_array_through_a_name(x):
    v = W_FILLED
    _fill(v, 0.25)
    return np.sum(W_FILLED * x)


def test_a_helper_writing_into_a_module_array_through_a_name():
    for made in (grad, jacfwd):
        W_FILLED[:] = 1.0
        np.testing.assert_allclose(made(_fills_a_module_array_through_a_name)(X), 0.25)
        np.testing.assert_allclose(W_FILLED, 0.25)  # (left at 1.0: written into a copy)


def _sums(x):
    return np.sum(x ** 2)


def test_a_seed_or_verbose_of_the_wrong_type_is_said_so():
    with pytest.raises(TypeError, match="dout, the seed"):
        grad(_sums)(X, dout="a")  # (a UFuncTypeError from generated code)
    with pytest.raises(TypeError, match="verbose is 0, 1"):
        grad(_sums, verbose="yes")  # (an internal '>=' TypeError)


def _first_batch(w):
    for X, y in BATCHES:  # noqa: B007 - the first batch, read after the loop
        break
    return np.mean((X @ w - y) ** 2)


def test_a_loop_over_a_modules_iterator_is_refused_saying_so():
    global BATCHES
    BATCHES = iter([(np.ones((4, 3)), np.ones(4))] * 3)
    with pytest.raises(DiffSyntaxError, match="an iterator"):  # (a TypeError: no len())
        grad(_first_batch)(np.zeros(3))
