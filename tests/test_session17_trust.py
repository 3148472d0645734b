"""Findings of session 17 (its testers, fuzz seeds and the items left open by session
16), each in its smallest form."""

import itertools

import numpy as np
import pytest

import autograd_src as mg
from autograd_src import grad, hessian, hvp, jacfwd, jacrev, jvp, value_and_grad
from autograd_src.errors import DiffSyntaxError, InPlaceUpdateError, NoRuleError


def _finite_differences(fun, x, h=1e-6):
    out = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        out[i] = (fun(up) - fun(down)) / (2 * h)
    return out


def _bump(y, v=1.0):
    y += v  # (on a number: binds y anew, as Python does)
    return y


def _passes_an_item(u):
    return _bump(u[1, 0]) * np.sum(u)


def _passes_it_whole(x):
    return _passes_an_item(u=x) + np.sum(np.sin(x))


def item_to_a_writer_two_calls_deep(x):
    a = _passes_it_whole(x)
    return a + np.sum(x ** 2)


def _passes_an_item_by_keyword(u):
    return _bump(y=u[1, 1]) * np.sum(u)


def item_to_a_writer_by_keyword(x):
    a = _passes_an_item_by_keyword(x)
    return a * np.sum(x)


@pytest.mark.parametrize("f", [item_to_a_writer_two_calls_deep, item_to_a_writer_by_keyword])
def test_an_item_passed_to_a_writer_through_helpers_is_checked_not_the_whole_array(f):
    # fuzz seed 22906: x passed whole to a helper that passes only its item x[1, 0] to
    # a writer was refused as it ran (the narrowing looked one call deep); passed by
    # keyword, the item crashed the narrowing (an AttributeError)
    x = np.arange(6.0).reshape(2, 3) / 7
    given = x.copy()
    np.testing.assert_allclose(grad(f)(given), _finite_differences(f, x), atol=1e-7)
    np.testing.assert_array_equal(given, x)
    with pytest.raises(InPlaceUpdateError, match="writes into its argument|changes the array "
                                                  "the caller passed"):
        grad(f)(np.ones((2, 3, 2)))  # (there x[1, 0] is a view: the write reaches x)


def _center(u):
    u -= np.mean(u)  # (in place: the caller's array, in NumPy)
    u *= 2.0
    return u


def centers_a_temporary(x):
    v = np.cos(x)
    for _ in range(2):
        v = _center(v) * 1.5
    return np.sum(v ** 3) + np.sum(_center(v * x))


def centers_a_name_read_again(x):
    v = np.sin(x) * 2.0
    w = v  # (NumPy changes w too)
    v = _center(v)
    return np.sum(w ** 3) + np.sum(v)


def centers_in_a_loop_each_time_the_same(x):
    v = np.sin(x) * 2.0
    total = 0.0
    for _ in range(2):
        w = _center(v)  # (in NumPy, v changes each time)
        total = total + np.sum(w * x)
    return total


def test_a_helper_updating_a_temporary_in_place_is_differentiated():
    # AT, AQ, AU (session 16): v = center(v) with center doing u -= np.mean(u) was
    # refused as it ran, though nothing reads v's old array again
    x = np.array([0.3, -0.7, 1.1])
    expected = _finite_differences(centers_a_temporary, x)
    np.testing.assert_allclose(grad(centers_a_temporary)(x), expected, atol=1e-6)
    t = np.array([0.5, 1.0, -2.0])
    _, tangent = jvp(centers_a_temporary, (x,), (t,))
    np.testing.assert_allclose(tangent, expected @ t, atol=1e-6)
    # where the old array is read again through another name, NumPy's update shows
    # there: still refused; read again by the next iteration, the helper works on a
    # copy that the statement takes back (session 23)
    with pytest.raises(InPlaceUpdateError):
        grad(centers_a_name_read_again)(x)
    np.testing.assert_allclose(grad(centers_in_a_loop_each_time_the_same)(x),
                               _finite_differences(centers_in_a_loop_each_time_the_same, x),
                               atol=1e-6)


def _doubles_first(v):
    v[0] = v[1] * 2.0
    return np.sum(v)


def reads_its_argument_again_in_the_statement(x):
    v = np.sin(x)
    return _doubles_first(v) * np.sum(v)  # (NumPy's sum sees v[0] changed)


def test_an_array_read_again_in_the_same_statement_is_not_given_away():
    x = np.array([0.3, -0.7, 1.1])
    with pytest.raises(DiffSyntaxError, match="assigning into v"):
        grad(reads_its_argument_again_in_the_statement)(x)


_W = np.arange(27.0).reshape(3, 3, 3)


@pytest.mark.parametrize("moved", [
    lambda x: np.transpose(x, (-1, 0, 1)),
    lambda x: x.transpose(0, -1, -2),  # (batched matrices transposed)
    lambda x: np.rollaxis(x, 0, -1),
    lambda x: np.rollaxis(x, -3, -1),
])
def test_negative_axes_move_the_gradient_back_the_right_way(moved):
    # AY: the inverse permutation was taken of the axes as written, (-1, 0, 1) read as
    # if -1 were the first axis: on a cube, a silently transposed gradient
    x = np.linspace(-1.0, 1.0, 27).reshape(3, 3, 3)

    def f(x):
        return np.sum(moved(x) * _W)

    expected = np.zeros_like(x)
    for i in np.ndindex(x.shape):  # (f is linear: its gradient is f of each unit array)
        unit = np.zeros_like(x)
        unit[i] = 1.0
        expected[i] = f(unit)
    np.testing.assert_array_equal(grad(f)(x), expected)
    t = mg.tensor(x)
    f(t).backward()
    np.testing.assert_array_equal(t.grad, expected)


def partitioned(x):
    return np.partition(x, 0)


def test_partition_of_float16_sends_each_gradient_where_its_entry_came_from():
    # AY: for float16 NumPy's partition and argpartition arrange the entries other than
    # the k-th differently; the gradient followed argpartition's
    x = np.array([0.0, 3.0, 1.0, 2.0], dtype=np.float16)
    w = np.array([1.0, 10.0, 100.0, 1000.0], dtype=np.float16)
    out = np.partition(x, 0)
    expected = np.array([w[list(out).index(v)] for v in x])
    np.testing.assert_array_equal(grad(partitioned)(x, dout=w), expected)
    t = mg.tensor(x)
    np.partition(t, 0).backward(w)
    np.testing.assert_array_equal(t.grad, expected)
    e1 = np.array([0.0, 1.0, 0.0, 0.0], dtype=np.float16)
    _, tangent = jvp(partitioned, (x,), (e1,))
    np.testing.assert_array_equal(tangent, (out == x[1]).astype(np.float16))


_HISTORY = []


class _Holder:
    pass


class _Model:
    def loss(self, W, x):
        h = np.tanh(x * W)
        self.last_h = h  # (the caller's object holds h's array)
        h += 1.0  # (in NumPy, self.last_h changes too)
        return np.sum(h ** 2)

    def kept_loss(self, W, x):
        h = np.tanh(x * W)
        self.last_h = h  # (never changed after: kept as it is)
        return np.sum((h + 1.0) ** 2)


def logs_then_updates(W, x):
    h = np.tanh(x * W)
    _HISTORY.append(h)
    h += 1.0
    return np.sum(h ** 2)


def stores_on_an_argument_then_updates(W, x, o):
    h = np.tanh(x * W)
    o.h = h
    h += 1.0
    return np.sum(h ** 2)


def test_an_array_kept_for_the_caller_then_updated_in_place_is_refused():
    # AW: grad made h += 1.0 a new array, so self.last_h, o.h or the module's list kept
    # the values from before the update, where Python's hold the updated array
    W, x = np.array([0.5, -1.0]), np.array([1.0, 2.0])
    with pytest.raises(InPlaceUpdateError, match="h \\+= 1.0"):
        grad(_Model().loss)(W, x)
    with pytest.raises(InPlaceUpdateError, match="h \\+= 1.0"):
        grad(stores_on_an_argument_then_updates)(W, x, _Holder())
    with pytest.raises(DiffSyntaxError, match="h \\+= "):
        grad(logs_then_updates)(W, x)
    m = _Model()
    t = np.tanh(x * W)
    np.testing.assert_allclose(grad(m.kept_loss)(W, x), 2 * (t + 1) * (1 - t ** 2) * x)
    np.testing.assert_allclose(m.last_h, t)


class _Patched:
    def forward(self, x):
        return np.tanh(x)

    def loss(self, x):
        return np.sum(self.forward(x))


def test_a_method_hidden_on_the_instance_after_the_derivative_was_made_is_refused():
    # AW: grad(m.loss) made, then m.forward = ...: the derivative kept differentiating
    # the class's forward (a fresh grad(m.loss) refuses), in grad and forward mode alike
    m = _Patched()
    x = np.array([0.3, -0.5])
    d = grad(m.loss)
    np.testing.assert_allclose(d(x), 1 - np.tanh(x) ** 2)
    m.forward = np.sin
    with pytest.raises(TypeError, match="attribute forward hides"):
        d(x)
    m2 = _Patched()
    _, tangent = jvp(m2.loss, (x,), (np.ones(2),))
    m2.forward = np.sin
    with pytest.raises(TypeError, match="attribute forward hides"):
        jvp(m2.loss, (x,), (np.ones(2),))


def updates_a_piece_of_a_split(x):
    h = np.sin(x)
    parts = np.split(h, 2)  # (views of h)
    parts[0] *= 3.0  # (in NumPy, h[:2] changes)
    return np.sum(h)


def updates_an_array_not_copied(x):
    h = np.sin(x)
    v = np.array(h, copy=False)  # (h itself)
    v *= 2.0
    return np.sum(h)


@pytest.mark.parametrize("f", [updates_a_piece_of_a_split, updates_an_array_not_copied])
def test_an_update_through_a_view_made_by_split_or_an_uncopied_array_is_refused(f):
    # AZ: np.split's list of views and np.array(h, copy=False) were taken for new
    # arrays: gradient cos(x), value and jvp likewise wrong
    x = np.array([0.3, -0.7, 0.5, 1.1])
    with pytest.raises(InPlaceUpdateError, match="\\*= "):
        grad(f)(x)
    with pytest.raises(InPlaceUpdateError, match="\\*= "):
        jvp(f, (x,), (np.ones(4),))


class _Schedule:
    def __init__(self):
        self.lr = 0.5

    def step(self):
        self.lr = self.lr * 0.5


def decays_as_it_runs(w, schedule):
    w = w - schedule.lr * w ** 2
    schedule.step()
    return np.sum(w ** 2)


def steps_out(w, schedule):
    out = w - schedule.lr * w ** 2
    schedule.step()
    return out


_CALLS = [0]


def counts_its_calls(x):
    _CALLS[0] += 1
    return np.sum(np.sin(x)) * _CALLS[0]


def test_jacobians_run_each_column_on_the_state_the_first_run_found():
    # AW (AT before it): hessian, jacfwd and jacrev run f once per column; a scheduler
    # halving self.lr, or a module's counter, gave each column another state (silently
    # wrong rows); each run now finds the state the first did, and after the call the
    # state is that after one run
    w = np.array([0.3, -0.7, 1.1])
    # (d2/dw2 of (w - 0.5 w^2)^2 = 2 (1 - w)^2 - 2 (w - 0.5 w^2))
    expected = np.diag(2 * (1 - w) ** 2 - 2 * (w - 0.5 * w ** 2))
    schedule = _Schedule()
    np.testing.assert_allclose(hessian(decays_as_it_runs)(w, schedule), expected, atol=1e-12)
    assert schedule.lr == 0.25
    schedule = _Schedule()
    np.testing.assert_allclose(jacfwd(grad(decays_as_it_runs))(w, schedule), expected,
                               atol=1e-12)
    for jacobian in (jacfwd, jacrev):
        schedule = _Schedule()
        np.testing.assert_allclose(jacobian(steps_out)(w, schedule), np.diag(1 - w),
                                   atol=1e-12)
        assert schedule.lr == 0.25
    _CALLS[0] = 0
    got = hessian(counts_its_calls)(w)
    np.testing.assert_allclose(got, np.diag(-np.sin(w)), atol=1e-12)  # (as at one call)
    assert _CALLS[0] == 1


def _fill_lower(v, d):
    L = np.zeros((d, d))
    L[np.tril_indices(d)] = v
    return L


def cholesky_parametrised(v, X):
    L = _fill_lower(v, X.shape[1])  # (d an int, not a literal)
    return np.sum((L @ L.T) ** 2)


def test_second_order_through_a_helper_given_an_int_beside_a_differentiated_value():
    # AX: grad's code keeps a helper's arguments in one tuple (back = (v, d)); read
    # again, back[1] was taken to carry gradient and np.zeros((d, d)) refused
    v, X = np.array([0.5, -0.3, 1.2]), np.ones((4, 2))
    g = grad(cholesky_parametrised)
    h = 1e-6
    expected = np.array([(g(v + h * e, X) - g(v - h * e, X)) / (2 * h) for e in np.eye(3)])
    np.testing.assert_allclose(hessian(cholesky_parametrised)(v, X), expected, atol=1e-6)


def draws_with_a_differentiated_mean(mu, rng):
    return rng.normal(mu, 1.0) ** 2


def draws_then_transforms(mu, rng):
    return (mu + 1.0 * rng.standard_normal()) ** 2


def test_a_draw_with_differentiated_parameters_says_how_to_reparameterise():
    # AX: the refusal said rng.normal "is not a method defined on Generator"
    with pytest.raises(NoRuleError, match="draws random numbers.*mu \\+ sigma"):
        grad(draws_with_a_differentiated_mean)(0.5, np.random.default_rng(0))
    z = np.random.default_rng(0).standard_normal()
    got = grad(draws_then_transforms)(0.5, np.random.default_rng(0))
    assert np.isclose(got, 2 * (0.5 + z))  # (the advice, followed, differentiates)


def logdet_shifted(x):
    return np.linalg.slogdet(x + 3 * np.eye(3))[1]


def median_of_columns(x):
    return np.median(x, axis=0)


def test_edge_dtypes_and_shapes_of_ay():
    # forward mode gave linalg a float16 tangent beside a float64 primal (TypeError)
    x = (np.eye(3) * 0.5).astype(np.float16)
    _, tangent = jvp(logdet_shifted, (x,), (np.ones((3, 3), np.float16),))
    assert np.isclose(tangent, 3 / 3.5)
    # median along an axis of an empty array: NumPy's empty result, no reshape error
    assert grad(median_of_columns)(np.zeros((3, 0)), dout=np.zeros(0)).shape == (3, 0)


@pytest.mark.skipif(not hasattr(np, "matrix_transpose"), reason="NumPy < 2.0")
def test_matrix_transpose_and_mT_have_rules():
    W = np.arange(24.0).reshape(2, 3, 4)

    def f(x):
        return np.sum(x.mT * W) + np.sum(np.matrix_transpose(x) * W)

    x = np.ones((2, 4, 3))
    np.testing.assert_array_equal(grad(f)(x), 2 * np.swapaxes(W, -1, -2))


def sums_each_index_once(x):
    seen = []
    total = 0.0
    for i in [0, 1, 1, 2]:
        if i not in seen:  # (seen grows in the loop: its final contents say no)
            seen.append(i)
            total = total + x[i] ** 2
    return total


def sums_each_key_once(x):
    seen = set()
    total = 0.0
    for i in [0, 1, 1, 2]:
        if i not in seen:
            seen.add(i)
            total = total + x[i] ** 2
    return total


def _mark(lst, i):
    lst.append(i)


def sums_each_marked_once(x):
    seen = []
    total = 0.0
    for i in [0, 1, 1, 2]:
        if i not in seen:
            _mark(seen, i)  # (changes seen, not i)
            total = total + x[i] ** 2
    return total


@pytest.mark.parametrize("f", [sums_each_index_once, sums_each_key_once,
                               sums_each_marked_once])
def test_a_branch_on_a_container_the_loop_changes_is_recorded_not_evaluated_again(f):
    # BF: the adjoint evaluated `i not in seen` again after the loop, against seen's
    # final contents: every branch looked not taken, a zero gradient
    x = np.array([1.0, 2.0, 0.5])
    np.testing.assert_allclose(grad(f)(x), 2 * x)
    _, tangent = jvp(f, (x,), (np.ones(3),))
    assert np.isclose(tangent, np.sum(2 * x))


def test_copyto_into_a_tensor_records_the_assignment():
    # BF: np.copyto(buf, x * 2) into a tensor (as the refusal of copying into an array
    # advises) wrote the values and dropped the gradient
    x = mg.tensor([1.0, 2.0, 3.0])
    y = mg.tensor([5.0, 6.0, 7.0])
    buf = y * 1.0
    np.copyto(buf, x * 2, where=np.array([True, False, True]))
    mg.sum(buf ** 2).backward()
    np.testing.assert_array_equal(buf.data, [2.0, 6.0, 6.0])
    np.testing.assert_array_equal(x.grad, [8.0, 0.0, 24.0])
    np.testing.assert_array_equal(y.grad, [0.0, 12.0, 0.0])


_ACCUMULATOR = np.zeros(3)


class _Buffered:
    def __init__(self):
        self.buf = np.zeros(3)
        self.count = 0


_BUFFERED = _Buffered()


def adds_into_a_module_array_through_a_name(x):
    b = _ACCUMULATOR
    b += x  # (NumPy: _ACCUMULATOR changes)
    return np.sum(b * x)


def writes_into_a_module_objects_array(x):
    b = _BUFFERED.buf
    b[:] = 2.0 * x  # (NumPy: _BUFFERED.buf changes)
    return np.sum(b * x)


def adds_into_an_arguments_array(x, m):
    b = m.buf
    b += x  # (NumPy: the caller's m.buf changes)
    return np.sum(b * x)


def counts_through_a_name(x, m):
    n = m.count
    n += 1  # (a number: rebound, m.count unchanged, as in Python)
    return np.sum(x ** 2) * n


def accumulates_into_its_default(x, buf=np.zeros(3)):  # noqa: B008 (the case)
    buf += x  # (NumPy: the default changes for every later call)
    return np.sum(buf * x)


def test_an_array_held_by_a_module_or_an_object_written_through_a_name_is_refused():
    # BA: grad updated a new array, so the module's or the object's kept its old
    # values, where NumPy's changed (and the next call found them)
    x = np.array([0.3, -0.2, 0.5])
    with pytest.raises(InPlaceUpdateError, match="changes _ACCUMULATOR through b"):
        grad(adds_into_a_module_array_through_a_name)(x)
    with pytest.raises(DiffSyntaxError, match="changes _BUFFERED.buf through b"):
        grad(writes_into_a_module_objects_array)(x)
    with pytest.raises(InPlaceUpdateError, match="changes m.buf through b"):
        grad(adds_into_an_arguments_array)(x, _Buffered())
    np.testing.assert_allclose(grad(counts_through_a_name)(x, _Buffered()), 2 * x)
    with pytest.raises(InPlaceUpdateError, match="left to its default array"):
        grad(accumulates_into_its_default)(x)
    np.testing.assert_allclose(grad(accumulates_into_its_default)(x, np.ones(3)), 2 * x + 1)
    np.testing.assert_array_equal(_ACCUMULATOR, 0.0)


def squared_larger(x, lo):
    y = max(x, lo)  # (Python returns x itself, a number, beside a 1-element array)
    return y * y


def test_builtin_max_of_a_number_and_a_one_element_array_keeps_the_numbers_shape():
    # BD: the number's gradient came back as a (1,) array; a 0-d x was an internal error
    lo = np.array([0.3])
    got = grad(squared_larger)(0.9, lo)
    assert type(got) is float and np.isclose(got, 1.8)
    got = grad(squared_larger)(np.array(0.9), lo)
    assert np.shape(got) == () and np.isclose(got, 1.8)
    got = grad(squared_larger, wrt=1)(0.1, lo)
    assert np.shape(got) == (1,) and np.isclose(got[0], 0.6)


def accumulates_in_float32(w, xs):
    acc = np.zeros(3, dtype=np.float32)
    for x in xs:
        acc += w * x  # (NumPy keeps acc float32)
    return np.sum(acc ** 2)


def test_an_update_in_place_keeps_a_stated_narrow_dtype():
    # BD: acc = acc + w * x made acc float64, so value_and_grad's value was not f's
    w, xs = np.array([0.1, 0.2, 0.3]), [1.0000001, 3.3333333]
    value, gradient = value_and_grad(accumulates_in_float32)(w, xs)
    assert value == accumulates_in_float32(w, xs) and value.dtype == np.float32
    acc = (w * sum(xs)).astype(np.float32)
    np.testing.assert_allclose(gradient, 2 * acc * sum(xs), rtol=1e-6)


def sine_weighted(x):
    return np.sum(np.sin(x) * x)


def test_hvp_gives_its_product_as_grad_gives_a_gradient():
    # BD: a float argument's product came back an np.float64, a 0-d array's a scalar,
    # a float32 array's float64
    assert type(hvp(sine_weighted)(0.7, 1.0)) is float
    zero_d = hvp(sine_weighted)(np.array(0.7), np.array(1.0))
    assert isinstance(zero_d, np.ndarray) and zero_d.shape == ()
    x32 = np.array([0.7, 0.2, -0.3], dtype=np.float32)
    assert hvp(sine_weighted)(x32, np.ones(3, dtype=np.float32)).dtype == np.float32


def _increments_an_item(d):
    d['a'] += 1.0  # (NumPy: the array d['a'] is the caller's h, changed in place)


def updates_through_a_helpers_dict(x):
    h = np.sin(x)
    d = {'a': h}
    _increments_an_item(d)
    return np.sum(h ** 2)


def _doubles_through_a_list(h):
    L = [h]
    L[0] *= 2.0  # (NumPy: h itself is doubled)
    return 0.0


def doubles_in_a_helper(x):
    h = np.sin(x)
    _doubles_through_a_list(h)
    return np.sum(h ** 2)


def test_a_helper_updating_the_items_of_a_container_it_was_given_is_refused():
    # BN: grad made the item a new array, so the caller's h kept its old values (a
    # silently wrong value and gradient); second order lost the update where grad's
    # check did refuse it (the helper inlined, its locals not among the names checked)
    x = np.array([0.3, -0.7, 0.5, 1.1])
    with pytest.raises(InPlaceUpdateError):
        value_and_grad(updates_through_a_helpers_dict)(x)
    with pytest.raises(InPlaceUpdateError):
        hvp(doubles_in_a_helper)(x, np.ones(4))
    with pytest.raises(InPlaceUpdateError):
        hessian(doubles_in_a_helper)(x)


def updates_a_copy_beside_a_nested_def(p):
    b = p['b']
    y = b.copy()
    for i in range(1, 3):
        y[i] += np.tanh(y[i - 1])

    def h(q):
        t = np.tanh(q)  # (h's own t: no name of this function)
        return t * 0.9

    return np.sum(h(b - y))


def test_a_nested_defs_locals_are_not_taken_for_names_sharing_an_array():
    # BN: "t, not surely bound here" refused the update of y, an array of its own
    b = np.array([0.3, -0.7, 0.5])
    got = grad(updates_a_copy_beside_a_nested_def)({'b': b})['b']
    h = 1e-6
    expected = [(updates_a_copy_beside_a_nested_def({'b': b + h * e}) -
                 updates_a_copy_beside_a_nested_def({'b': b - h * e})) / (2 * h)
                for e in np.eye(3)]
    np.testing.assert_allclose(got, expected, atol=1e-7)


class _Module:
    def __init__(self):
        self.lr = 0.5
        self.calls = 0

    def __call__(self, x):
        out = np.sin(x) * self.lr
        self.calls = self.calls + 1
        self.lr = self.lr * 0.5
        return out


class _Accumulating:
    def __init__(self):
        self.buf = np.zeros(3)

    def forward(self, x):
        self.buf += 1.0  # (an array updated in place: no pass can be given it back)
        return x ** 2 * self.buf


def test_vjp_and_jacobians_of_a_module_object_with_state():
    # BK: vjp_fn ran f again on the state the value's run left (lr halved: a gradient
    # of another function); a callable object's state was not given back between a
    # Jacobian's passes; where it cannot be (an array updated in place on an object),
    # the passes' disagreement is an error, not a mixed Jacobian
    from autograd_src import vjp
    x = np.array([0.3, -0.7, 1.1])
    m = _Module()
    value, vjp_fn = vjp(m.__call__, x)
    np.testing.assert_allclose(vjp_fn(np.ones(3))[0], np.cos(x) * 0.5)
    assert (m.lr, m.calls) == (0.25, 1)  # (as after one run)
    for jacobian in (jacrev, jacfwd):
        m = _Module()
        np.testing.assert_allclose(np.diag(jacobian(m)(x)), np.cos(x) * 0.5)
        assert (m.lr, m.calls) == (0.25, 1)
    # (session 19: the array is given back in place between passes, as the lr is)
    accumulating = _Accumulating()
    np.testing.assert_allclose(jacfwd(accumulating.forward)(x), np.diag(2 * x))
    np.testing.assert_allclose(accumulating.buf, np.ones(3))


class _Config:
    def __init__(self):
        self.values = {"scale": 0.5}

    def __getattr__(self, name):
        return self.__dict__["values"][name]  # (a KeyError for names it lacks)


def scaled_by_config(x, config):
    return np.sin(x) * config.scale


def test_vjp_takes_an_object_whose_getattr_raises_key_error():
    from autograd_src import vjp
    x = np.array([0.3, -0.7, 1.1])
    _, vjp_fn = vjp(scaled_by_config, x, _Config())
    np.testing.assert_allclose(vjp_fn(np.ones(3))[0], np.cos(x) * 0.5)


def counts_in_a_boxed_dict(x, box):
    box[0]['calls'] = box[0]['calls'] + 1
    box[0]['log'].append(box[0]['calls'])
    return np.sum(np.sin(x)) * box[0]['calls']


def test_a_dict_held_by_a_tuple_argument_is_left_as_one_run_leaves_it():
    # BK: the function worked on a copy, and a tuple was not written back: the caller's
    # dict kept its old items (grad), or compounded over a Jacobian's passes
    x = np.array([0.3, -0.7, 1.1])
    box = ({'calls': 0, 'log': []},)
    np.testing.assert_allclose(grad(counts_in_a_boxed_dict)(x, box), np.cos(x))
    assert box == ({'calls': 1, 'log': [1]},)
    box = ({'calls': 0, 'log': []},)
    np.testing.assert_allclose(jacfwd(counts_in_a_boxed_dict)(x, box), np.cos(x))
    assert box == ({'calls': 1, 'log': [1]},)


def alternates_signs(ws, x):
    h = x
    for w, s in zip(ws, itertools.cycle([1.0, -1.0])):
        h = np.tanh(h * w) * s
    return np.sum(h)


def test_zip_with_an_endless_iterator_reads_it_as_far_as_zip_does():
    # AW: the iterator was made a list first (itertools.cycle: a MemoryError)
    ws, x = [0.5, 1.5, -0.7], np.array([0.3, -0.2])
    got = grad(alternates_signs)(ws, x)
    h = 1e-6
    for i in range(3):
        up, down = list(ws), list(ws)
        up[i] += h
        down[i] -= h
        expected = (alternates_signs(up, x) - alternates_signs(down, x)) / (2 * h)
        assert np.isclose(got[i], expected, atol=1e-8)


class _Buffered2:
    def __init__(self):
        self.buf = np.zeros(3)

    def forward(self, x):
        y = x * self.buf
        self.buf[0] = 5.0  # (the array the derivative of y reads)
        return np.sum(y + x ** 2)

    def forward_as_advised(self, x):
        y = x * self.buf
        self.buf = self.buf.copy()
        self.buf[0] = 5.0
        return np.sum(y + x ** 2)


_SETTINGS = {'scale': 2.0, 'n': 0}


def counts_in_its_settings(x):
    y = np.sum(x ** 2) * _SETTINGS['scale']
    _SETTINGS['n'] += 1
    return y


def test_the_advice_for_a_change_an_adjoint_would_see_can_be_followed():
    # BF, AW, BK: "copy it first (self = self.copy())" (an object has no .copy()) and
    # "CFG = CFG.copy()" (an UnboundLocalError, and the caller's dict not updated)
    x = np.array([1.0, 2.0, 0.5])
    with pytest.raises(DiffSyntaxError, match="self.buf = self.buf.copy"):
        grad(_Buffered2().forward)(x)
    layer = _Buffered2()
    np.testing.assert_allclose(grad(layer.forward_as_advised)(x), 2 * x)
    assert layer.buf[0] == 5.0
    with pytest.raises(DiffSyntaxError, match="make the change after the function"):
        grad(counts_in_its_settings)(x)


def _centers(u):
    u -= np.mean(u)
    return u


def centers_under_a_method_view(x):
    v = x * 2.0
    w = v.reshape(-1)  # (a view of v)
    v = _centers(v)  # (binds v anew; NumPy's change shows in w)
    return np.sum(w * x)


def centers_each_item(x):
    vs = [x * 1.0, x * 2.0]
    for v in vs:
        v = _centers(v)  # (NumPy centres vs's arrays themselves)
    return np.sum(vs[0] * x) + np.sum(vs[1] ** 2)


def centers_what_a_lambda_reads(x):
    v = x * 2.0
    read = lambda: v  # noqa: E731 (reads v when called)
    c = _centers(v)
    return np.sum(read() * x) + np.sum(c)


def larger_with_a_nan(a, b):
    return max(a, b) * 3.0


def test_bp_findings_on_this_sessions_changes():
    # BP: a call binding its argument's name anew was exempt from the check, though a
    # view (v.reshape(-1)) or the list it came from is read after (wrong gradients, so
    # since session 16); a lambda reading v was not counted as reading it later
    x = np.array([0.3, -1.2, 2.0, 0.7])
    for f in (centers_under_a_method_view, centers_each_item, centers_what_a_lambda_reads):
        with pytest.raises(InPlaceUpdateError):
            grad(f)(x)
    # max(0.5, nan) is 0.5: all of the gradient to it, as Python picks
    assert grad(larger_with_a_nan, wrt=(0, 1))(0.5, float("nan")) == (3.0, 0.0)
    # complex arguments: forward mode refuses them as grad does
    with pytest.raises(TypeError, match="complex128"):
        jvp(sine_weighted, (np.array([0.3 + 0.2j]),), (np.ones(1, complex),))


def horner_of(x, c):
    y = 0.0
    for i in range(len(c)):
        y = y * x + c[i]
    return y


def test_the_variant_that_ran_is_among_the_variants_listed():
    # BD: two variants with one description (a 1-D array read as numbers, a list of
    # numbers) kept one key: .source was not among .variants' values
    df = value_and_grad(horner_of, wrt=(0, 1))
    for args in [(0.5, [1.0, 2.0]), (np.float32(0.5), np.array([1.0, 2.0])),
                 (np.array([0.5]), [1.0, 2.0])]:
        df(*args)
        assert df.source in df.variants.values()
