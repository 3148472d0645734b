"""Session 23: the smallest forms of what independent testers and this session's own
checks found (each test failed before its fix)."""

import numpy as np
import pytest

from autograd_src import grad, hessian, jacfwd, value_and_grad

from .test_session22 import _fd  # (central differences, h = 1e-6)

X3 = np.array([[1.2, -0.3, 0.7], [0.4, 2.0, -1.1], [0.3, 0.2, 1.5]])


# ----- ndarray methods and attributes that are NumPy functions (were refused) -----

def _diagonal_method(x):
    return np.sum(x.diagonal(1) ** 2) + x.diagonal().sum()


def _take_method(x):
    return np.sum(x.take([0, 2, 2]) ** 2) + np.sum(x.take([2, 0], axis=1) ** 3)


def _conj_methods(x):
    return np.sum(x.conj() * x) + np.sum(x.conjugate() * x ** 2)


def _real_imag_attributes(x):
    return np.sum(x.real ** 2) + np.sum(x.imag + x)


@pytest.mark.parametrize("f", [_diagonal_method, _take_method, _conj_methods,
                               _real_imag_attributes])
def test_array_methods_that_are_numpy_functions(f):
    value, gradient = value_and_grad(f)(X3)
    assert value == pytest.approx(f(X3))
    np.testing.assert_allclose(gradient, _fd(f, X3), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(jacfwd(f)(X3), _fd(f, X3), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("f", [_diagonal_method, _take_method])
def test_array_methods_second_order(f):
    H = hessian(f)(X3)
    expected = np.stack([_fd(lambda y, i=i: grad(f)(y)[i], X3, 1e-5)
                         for i in np.ndindex(X3.shape)]).reshape(X3.shape * 2)
    np.testing.assert_allclose(H, expected, rtol=1e-4, atol=1e-6)


# ----- xs.insert(i, v) into a list of the function's own (was refused) -----

def _insert_into_own_copy(ws, x):
    ws = list(ws)  # a list of this function's own, under the parameter's name
    ws.insert(1, x)
    return sum(w * w * (i + 1) for i, w in enumerate(ws))


def _insert_differentiated_into_data(ws, x):
    vs = list(ws)
    vs.insert(1, x)
    return sum(w * w * (i + 1) for i, w in enumerate(vs))


@pytest.mark.parametrize("f", [_insert_into_own_copy, _insert_differentiated_into_data])
@pytest.mark.parametrize("wrt", [0, 1, (0, 1)])
def test_insert_into_a_list_of_its_own(f, wrt):
    ws, x = [1.0, 2.0], 3.0
    gradient = grad(f, wrt=wrt)(ws, x)
    assert ws == [1.0, 2.0]
    dws = [_fd(lambda v, k=k: f([v if j == k else w for j, w in enumerate(ws)], x), w)
           for k, w in enumerate(ws)]
    dx = _fd(lambda v: f(ws, v), x)
    expected = {0: dws, 1: dx, (0, 1): (dws, dx)}[wrt]
    np.testing.assert_allclose(np.hstack(gradient) if wrt != 1 else gradient,
                               np.hstack(expected) if wrt != 1 else expected, rtol=1e-6)


def _insert_into_the_callers_list(x, ws):
    ws.insert(1, x)
    return sum(w * w * (i + 1) for i, w in enumerate(ws))


def test_insert_into_the_callers_list_as_python_does():
    ws = [1.0, 2.0]
    assert grad(_insert_into_the_callers_list)(3.0, ws) == pytest.approx(12.0)
    assert ws == [1.0, 3.0, 2.0]  # as one plain run leaves it


# ----- a record of a differentiated value in a module's dict or list (was refused) -----

STATE: dict = {}
LOG = [0.0]


def _records_into_module_containers(x):
    y = x * 2.0
    STATE["y"] = float(y)
    LOG[0] = y
    return y * x


def _reads_its_record_back(x):
    STATE["y"] = x * 2.0
    return STATE["y"] * x


def test_record_into_a_module_dict_as_python_does():
    assert grad(_records_into_module_containers)(1.5) == pytest.approx(6.0)
    assert STATE["y"] == 3.0 and LOG[0] == 3.0
    value, gradient = value_and_grad(_records_into_module_containers)(2.5)
    assert (value, gradient) == (12.5, 10.0) and STATE["y"] == 5.0
    assert jacfwd(_records_into_module_containers)(1.0) == pytest.approx(4.0)


def test_record_read_back_stays_refused_naming_the_dict():
    from autograd_src.errors import DiffSyntaxError
    with pytest.raises(DiffSyntaxError, match="a global or enclosing function's dict"):
        grad(_reads_its_record_back)(1.5)


# ----- a helper writing into an array it is given (tester DD, F2) -----

def _batchnorm(x, running_mean, momentum=0.9):
    mu = x.mean(axis=0)
    running_mean *= momentum
    running_mean += (1 - momentum) * mu  # a value carrying gradient, into the data
    return x - mu


def _batchnorm_copyto(x, running_mean):
    mu = np.mean(x, axis=0)
    np.copyto(running_mean, 0.9 * running_mean + 0.1 * mu)
    return x - mu


def _bn_loss(W, X, running_mean):
    h = X @ W
    h = _batchnorm(h, running_mean)
    return np.sum(np.tanh(h))


def _bn_copyto_loss(W, X, running_mean):
    h = _batchnorm_copyto(X @ W, running_mean)
    return np.sum(np.tanh(h))


@pytest.mark.parametrize("loss", [_bn_loss, _bn_copyto_loss])
def test_running_statistics_updated_by_a_helper_reach_the_caller(loss):
    # The update became a new array in the helper's derivative and the caller's
    # running mean never moved (silently: [0, 0] for [0.35, 0.4])
    X = np.arange(6.0).reshape(3, 2)
    W = np.array([[1.0, -1.0], [0.5, 2.0]])
    expected_rm = np.zeros(2)
    loss(W, X, expected_rm)
    for entry in (grad, value_and_grad):
        rm = np.zeros(2)
        result = entry(loss)(W, X, rm)
        np.testing.assert_allclose(rm, expected_rm)
        gradient = result[1] if entry is value_and_grad else result
        np.testing.assert_allclose(gradient, _fd(lambda w: loss(w, X, np.zeros(2)), W),
                                   rtol=1e-6, atol=1e-8)


def _scales_first_item(a):
    a[0] = a[0] * 1.5
    return a


def _helper_writes_into_the_differentiated_argument(x):
    y = np.sum(x ** 2)
    _scales_first_item(x)
    return y


def test_a_helper_writing_into_a_differentiated_argument_after_an_adjoint_read_it():
    # The copy the helper worked on was written back into x, which the derivative of
    # y = sum(x ** 2) read: [3, 4] for [2, 4], and the caller's x changed
    x = np.array([1.0, 2.0])
    np.testing.assert_allclose(grad(_helper_writes_into_the_differentiated_argument)(x),
                               [2.0, 4.0])
    np.testing.assert_array_equal(x, [1.0, 2.0])  # differentiated: left as passed


# ----- np.copyto(a, v), np.f(..., out=a), a.fill(v) of a differentiated value -----

def _copyto_data(W, rm):
    np.copyto(rm, 0.9 * rm + 0.1 * np.mean(W, axis=0))
    return np.sum(W ** 2) + np.sum(rm * W)


def _out_into_data(W, rm):
    np.add(0.9 * rm, 0.1 * np.mean(W, axis=0), out=rm)
    return np.sum(W ** 2) + np.sum(rm * W)


def _fill_own(W, rm):
    buf = np.zeros(2)
    buf.fill(float(np.sum(W)))
    np.exp(buf * 0.1, out=buf)
    return np.sum(buf * W[1]) + np.sum(rm)


@pytest.mark.parametrize("f", [_copyto_data, _out_into_data, _fill_own])
def test_whole_array_writes_by_calls(f):
    W = np.arange(4.0).reshape(2, 2) / 3
    expected_rm = np.ones(2)
    f(W, expected_rm)
    expected = _fd(lambda w: f(w, np.ones(2)), W)
    for entry in (grad, jacfwd):
        rm = np.ones(2)
        np.testing.assert_allclose(entry(f)(W, rm), expected, rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(rm, expected_rm)


# ----- a helper writing into what it is given: more spellings (tester DD, F2 matrix) -----

def _counts_up(x, s):
    s += 1.0
    return x * 2.0


def _keeps_mean(x, s):
    mu = x.mean()
    s *= 0.9
    s += 0.1 * mu
    return x * 2.0


def _called_in_a_return(w, s):
    h = np.tanh(w)
    return np.sum(_keeps_mean(h, s))


def _called_in_a_loop(w, s):
    h = np.tanh(w)
    for _ in range(2):
        h = _counts_up(h, s)
    return np.sum(h)


def _called_twice_in_one_line(w, s):
    h = np.tanh(w)
    return np.sum(_keeps_mean(h, s)) + np.sum(_keeps_mean(h * 2.0, s))


def _called_in_a_loop_inside_an_expression(w, s):
    h = w
    for _ in range(2):
        h = np.tanh(_keeps_mean(h * 0.5, s))
    return np.sum(h)


@pytest.mark.parametrize("f", [_called_in_a_return, _called_in_a_loop,
                               _called_in_a_loop_inside_an_expression])
def test_a_helpers_writes_reach_the_caller_however_it_is_called(f):
    # Each left the caller's s as passed (silently), or gave a wrong gradient
    w = np.array([0.3, -0.5, 0.8])
    expected_s = np.ones(3)
    f(w, expected_s)
    for entry in (grad, value_and_grad):
        s = np.ones(3)
        result = entry(f)(w, s)
        np.testing.assert_allclose(s, expected_s)
        gradient = result[1] if entry is value_and_grad else result
        np.testing.assert_allclose(gradient, _fd(lambda v: f(v, np.ones(3)), w),
                                   rtol=1e-6, atol=1e-8)


def _read_then_written_by_a_helper(w, s):
    h = np.tanh(w)
    t = np.sum(h * s)  # its derivative reads s as it is here
    out = _counts_up(h, s)
    return np.sum(out) + t


def _read_beside_the_helpers_call(w, s):
    h = np.tanh(w)
    return np.sum(s * h) + np.sum(_counts_up(h, s))


@pytest.mark.parametrize("f", [_read_then_written_by_a_helper, _read_beside_the_helpers_call])
def test_a_helper_writing_into_what_an_earlier_derivative_reads_is_refused(f):
    # The derivative of h * s read s after the helper changed it: a wrong gradient
    # (s += 1.0 on a number binds it anew: for an array, refused as the call runs)
    from autograd_src.errors import InPlaceUpdateError
    with pytest.raises(InPlaceUpdateError, match="read by the derivative of an earlier line"):
        grad(f)(np.array([0.3, -0.5, 0.8]), np.ones(3))
    assert grad(f)(np.array([0.3, -0.5, 0.8]), 1.0) == pytest.approx(
        _fd(lambda v: f(v, 1.0), np.array([0.3, -0.5, 0.8])), rel=1e-6)


# ----- a nested def calling itself and reading differentiated values (tester DF, 1.1) -----

def _recursive_closure(x):
    def rec(n):
        if n == 0:
            return x
        return x * rec(n - 1)
    return rec(2)


def _recursive_lambda(x):
    fact = lambda n: x if n == 0 else x * fact(n - 1)  # noqa: E731
    return fact(2)


def _mutually_recursive(x):
    def even(n):
        if n == 0:
            return x
        return odd(n - 1) * 2.0

    def odd(n):
        if n == 0:
            return x * x
        return even(n - 1) + x
    return even(3)


@pytest.mark.parametrize("f", [_recursive_closure, _recursive_lambda, _mutually_recursive])
def test_recursion_through_a_closure_is_refused(f):
    # The recursive call ran as written, the closure's x read as a constant: 0.49 for 1.47
    from autograd_src.errors import NoRuleError
    for entry in (grad, jacfwd):
        with pytest.raises(NoRuleError, match="calls itself"):
            entry(f)(0.7)


# ----- a mutable default written by the function, at second order (tester DF, 1.2) -----

def _appends_to_its_default(x, hist=[]):  # noqa: B006 (the idiom under test)
    hist.append(1.0)
    return x ** 2 * len(hist)


def test_hessian_runs_from_the_default_as_one_call_finds_it():
    # hessian differentiated a second run (4.0 for 2.0) and the default grew twice
    _appends_to_its_default.__defaults__[0].clear()
    assert hessian(_appends_to_its_default)(1.5) == pytest.approx(2.0)
    assert len(_appends_to_its_default.__defaults__[0]) == 1


# ----- one array (or dict) given to a copied helper twice -----

def _writes_one_reads_the_other(x, d, e):
    y = x * e
    d += 5.0
    return np.sum(y * e)


def _passes_both(x, d, e):
    v = _writes_one_reads_the_other(x, d, e)
    return v


def _writes_one_item_reads_the_other(x, d, e):
    y = x * e["w"]
    d["w"] += 5.0
    return np.sum(y * e["w"])


def _passes_both_dicts(x, d, e):
    v = _writes_one_item_reads_the_other(x, d, e)
    return v


@pytest.mark.parametrize("f, make", [
    (_passes_both, lambda: np.array([1.0, 2.0])),
    (_passes_both_dicts, lambda: {"w": np.array([1.0, 2.0])}),
])
def test_one_array_given_to_a_writing_helper_twice_is_refused(f, make):
    # The helper's copy of d was written while e still held the old array: 1.7 for 7.2
    from autograd_src.errors import InPlaceUpdateError
    shared = make()
    with pytest.raises(InPlaceUpdateError):
        value_and_grad(f)(np.array([0.5, 0.3]), shared, shared)
    x, d, e = np.array([0.5, 0.3]), make(), make()  # apart: followed
    value, gradient = value_and_grad(f)(x, d, e)
    assert value == pytest.approx(f(x, make(), make()))
    np.testing.assert_allclose(gradient, _fd(lambda v: f(v, make(), make()), x), rtol=1e-6)


# ----- p += v in a helper, given a number (the fuzzer's finds on this session's change) -----

def _bumps(u, v):
    v += np.sum(u) ** 2  # a number: bound anew, the caller's name keeps its value
    return np.tanh(v) * u


def _passes_a_live_number(x, w):
    term = 0.1 * np.sum(x)
    y = _bumps(w, term)
    return term + np.sum(y)


def _passes_a_live_array(x, w):
    term = 0.1 * x
    y = _bumps(w, term)  # NumPy updates term in place: the return sees it
    return np.sum(term) + np.sum(y)


@pytest.mark.parametrize("f", [_passes_a_live_number, _passes_a_live_array])
def test_a_helpers_augmented_parameter_taken_back_only_where_python_updates_in_place(f):
    # term was taken back from the helper's copy even as a number: 0.37 for 0.068
    x, w = np.array([0.3, -0.2, 0.5]), np.array([0.1, 0.4, -0.3])
    value, gradients = value_and_grad(f, wrt=(0, 1))(x, w)
    assert value == pytest.approx(f(x.copy(), w.copy()))
    np.testing.assert_allclose(gradients[0], _fd(lambda v: f(v, w.copy()), x), rtol=1e-6,
                               atol=1e-9)
    np.testing.assert_allclose(gradients[1], _fd(lambda v: f(x.copy(), v), w), rtol=1e-6,
                               atol=1e-9)


def _scales_an_item(y):
    y *= 0.5  # given q[0, 0], a number
    return y


def _item_given_to_a_writer(q):
    q = q - _scales_an_item(q[0, 0])
    return np.sum(np.sin(q))


def _reads_then_passes_on(x):
    z = x * 2.0
    t = np.sum(z ** 2)
    return t + _item_given_to_a_writer(z)


def test_a_number_item_given_to_a_helper_writing_its_parameter_is_not_refused():
    x = np.array([[0.3, -0.2], [0.5, 0.1]])
    np.testing.assert_allclose(grad(_reads_then_passes_on)(x), _fd(_reads_then_passes_on, x),
                               rtol=1e-6, atol=1e-9)


# ----- the Tensor API after a first backward (tester DE) -----

def test_reading_under_no_autodiff_keeps_the_gradient():
    # x.grad became None when x was read under no_autodiff (MyGrad keeps it): the
    # optimiser step after an evaluation then failed, or skipped the update
    import autograd_src as mg
    x = mg.tensor([1.0, 2.0])
    (x * x).sum().backward()
    with mg.no_autodiff:
        x * 2.0, mg.sum(x), x[0], x > 1.0  # noqa: B018

    @mg.no_autodiff
    def accuracy(t):
        return mg.mean(t)

    accuracy(x)
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])
    x * 3.0  # noqa: B018 (a recorded operation drops it, as in MyGrad)
    assert x.grad is None


def test_backward_of_a_view_after_an_earlier_backward():
    # x.backward(seed) on a view did nothing after a first backward: the old [5, 5] stayed
    import autograd_src as mg
    base = mg.tensor([1.0, 2.0, 3.0, 4.0])
    x = base[:2]
    mg.sum(x * 5.0).backward()
    x.backward(np.array([10.0, 20.0]))
    np.testing.assert_array_equal(x.grad, [10.0, 20.0])
    np.testing.assert_array_equal(base.grad, [10.0, 20.0, 0.0, 0.0])
    x.null_grad()
    x.backward(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(base.grad, [1.0, 2.0, 0.0, 0.0])


def test_nnet_paths_focal_loss_and_constants_of_data():
    # (testers DD, DE) mg.nnet.losses.* was an AttributeError; softmax_focal_loss was
    # missing; losses of plain arrays gave non-constant tensors
    import autograd_src.nnet.losses as losses

    import autograd_src as mg
    assert mg.nnet.losses.softmax_crossentropy is mg.nnet.softmax_crossentropy
    assert mg.nnet.activations.relu is mg.nnet.relu and losses.focal_loss is mg.nnet.focal_loss
    scores = np.array([[1.0, 2.0, 0.3], [0.2, -1.0, 0.5]])
    targets = np.array([1, 2])
    for name in ("multiclass_hinge", "focal_loss", "softmax_focal_loss",
                 "negative_log_likelihood"):
        assert getattr(mg.nnet, name)(np.abs(scores) / 4, targets).constant
    assert mg.nnet.glu(scores[:, :2]).constant
    x = mg.tensor(scores)
    mg.sum(mg.nnet.softmax_focal_loss(x, targets, alpha=0.5, gamma=2.0)).backward()

    def loss(s):
        p = np.exp(s - s.max(1, keepdims=True))
        p = (p / p.sum(1, keepdims=True))[np.arange(2), targets]
        return np.sum(-0.5 * (1 - p) ** 2 * np.log(p))
    np.testing.assert_allclose(x.grad, _fd(loss, scores), rtol=1e-6, atol=1e-9)


# ----- a helper appending to a list it is given (tester DD, F3) -----

def _rnn_step(x, h, W, hs):
    h = np.tanh(x @ W + h)
    hs.append(h)
    return h


def _rnn_collecting_states(W, xs):
    hs = []
    h = np.zeros(3)
    for t in range(len(xs)):
        h = _rnn_step(xs[t], h, W, hs)
    return np.sum(np.stack(hs) ** 2)


def _rnn_logging_into_the_callers_list(W, xs, log):
    h = np.zeros(3)
    for t in range(len(xs)):
        h = _rnn_step(xs[t], h, W, log)
    return np.sum(h ** 2) + np.sum(log[0])


def test_a_helper_appending_states_to_a_list_it_is_given():
    # refused ("make it a list of this function's own first", which it was)
    W = np.eye(3) * 0.5 + 0.1
    xs = np.arange(12.0).reshape(4, 3) / 10
    np.testing.assert_allclose(grad(_rnn_collecting_states)(W, xs),
                               _fd(lambda w: _rnn_collecting_states(w, xs), W), rtol=1e-6)
    log, expected_log = [], []
    gradient = grad(_rnn_logging_into_the_callers_list)(W, xs, log)
    _rnn_logging_into_the_callers_list(W, xs, expected_log)
    np.testing.assert_allclose(
        gradient, _fd(lambda w: _rnn_logging_into_the_callers_list(w, xs, []), W), rtol=1e-6)
    assert len(log) == len(expected_log) == 4
    for a, b in zip(log, expected_log):
        np.testing.assert_allclose(a, b)


def _recursive_nested_def(x):
    def rec(y, n):
        return y if n == 0 else y * rec(y, n - 1)
    return rec(x, 2)


def test_a_recursive_nested_def_is_followed():
    # (tester DF, 4.1) "cannot tell which function rec is ... (a local variable or
    # undefined)" for a def plainly defined above; refused naming it until session 30,
    # where a nested def's name is a local one: the call is followed as it runs
    assert grad(_recursive_nested_def)(0.7) == pytest.approx(3 * 0.7 ** 2)
    x = np.array([0.7, 1.2])
    assert np.allclose(grad(lambda v: np.sum(_recursive_nested_def(v)))(x), 3 * x ** 2)


# ----- tester DG: a writing helper called twice in one line, and lists given to p *= v -----

def _reads_then_bumps(xv, p):
    s = np.sum(p * xv)
    p += 1.0
    return s


def _bumped_twice_in_one_line(x):
    b = np.array([0.3, -0.7, 1.1])
    return _reads_then_bumps(x, b) + _reads_then_bumps(x, b)


def _doubles(xv, p):
    p *= 2.0
    return p * xv


def _doubled_twice_in_one_line(x):
    b = np.ones(3)
    return np.sum(_doubles(x, b)) + np.sum(_doubles(x, b))


def _scales_a_list(xv, p):
    p *= xv  # a list: Python binds p to a new array, the caller's list is untouched
    return p


def _gives_a_list(x, a):
    _scales_a_list(x, a)
    return np.sum(x * np.array(a))


@pytest.mark.parametrize("f", [_bumped_twice_in_one_line, _doubled_twice_in_one_line])
def test_a_writing_helper_called_twice_in_one_line(f):
    # the first call's update was not taken back before the second: 10.0 for 15.0
    x = np.array([1.0, 2.0, -0.5])
    value, gradient = value_and_grad(f)(x)
    assert value == pytest.approx(f(x))
    np.testing.assert_allclose(gradient, _fd(f, x), rtol=1e-6, atol=1e-9)


def test_a_list_given_to_a_helpers_augmented_assignment():
    # the list was taken back as the array p became: -2.225 for -1.65
    x, a = np.array([1.0, 2.0, -0.5]), [0.3, -0.7, 1.1]
    value, gradient = value_and_grad(_gives_a_list)(x, a)
    assert value == pytest.approx(_gives_a_list(x, list(a)))
    np.testing.assert_allclose(gradient, [0.3, -0.7, 1.1])
    assert a == [0.3, -0.7, 1.1]


def test_a_helper_writing_a_differentiated_value_into_an_argument_twice_in_one_line():
    # the second call reads what the first wrote, with its gradient: refused as it runs
    # (an in-place write into the caller's array lost the dependence: 2 for 3)
    from autograd_src.errors import InPlaceUpdateError
    with pytest.raises(InPlaceUpdateError, match=r"_keeps_mean\(\) updates its parameter s "):
        grad(_called_twice_in_one_line)(np.array([0.3, -0.5, 0.8]), np.ones(3))


# ----- a view given to a writing helper, its base read by an earlier derivative (DG) -----

def _doubles_its_parameter(xv, p):
    p *= 2.0
    return p * xv


def _view_after_a_read(x, a):
    c = np.sum(a * x)
    return np.sum(_doubles_its_parameter(x, a[:])) + c


def _reshaped_after_a_read(x, a):
    c = np.sum(a * x)
    return np.sum(_doubles_its_parameter(x, a.reshape(-1))) + c


def _view_written_twice(x, a):
    s = np.sum(_doubles_its_parameter(x, a[:]))
    return s + np.sum(_doubles_its_parameter(x, a[:]))


@pytest.mark.parametrize("f", [_view_after_a_read, _reshaped_after_a_read,
                               _view_written_twice])
def test_a_view_written_by_a_helper_after_its_base_was_read_is_refused(f):
    # the derivative read the doubled values: 4a for 3a, silently
    from autograd_src.errors import DiffSyntaxError
    with pytest.raises(DiffSyntaxError, match="read by the derivative of an earlier line"):
        grad(f)(np.array([1.0, 2.0, -0.5]), np.array([0.3, -0.7, 1.1]))


# ----- a 0-d array given to a helper that updates it in place (tester DG, 1.8) -----

def _halves(xv, p):
    p /= 2.0
    return xv / (1.0 + p * p)


def _halved_as_a_statement(x, a):
    _halves(x, a)
    return np.sum(x * a)


def _halved_in_a_loop(x, a):
    s = 0.0
    for _ in range(2):
        s = s + np.sum(_halves(x, a))
    return s


@pytest.mark.parametrize("f", [_halved_as_a_statement, _halved_in_a_loop])
def test_a_zero_d_array_updated_by_a_helper_holds_one_runs_values(f):
    # the variant read the 0-d array as a number: the caller's array kept 0.3 (0.15
    # after a plain run), and in a loop the second update was lost
    x = np.array([1.0, 2.0, -0.5])
    a, expected_a = np.array(0.3), np.array(0.3)
    f(x.copy(), expected_a)
    gradient = grad(f)(x, a)
    np.testing.assert_allclose(a, expected_a)
    np.testing.assert_allclose(gradient, _fd(lambda v: f(v, np.array(0.3)), x), rtol=1e-6)
