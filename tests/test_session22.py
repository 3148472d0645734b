"""Session 22: the smallest forms of what independent testers found (each test failed
before its fix)."""

import operator

import numpy as np
import pytest

from autograd_src import grad, jacfwd, jacrev, value_and_grad
from autograd_src.errors import InPlaceUpdateError


def _fd(f, x, h=1e-6):
    flat = np.asarray(x, dtype=float).ravel()
    out = np.zeros_like(flat)
    for i in range(flat.size):
        e = np.zeros_like(flat)
        e[i] = h
        out[i] = (f((flat + e).reshape(np.shape(x))) - f((flat - e).reshape(np.shape(x)))) / (2 * h)
    return out.reshape(np.shape(x))


# ----- a loop over a name its own target (or its body) binds anew -----

def _loop_target_is_the_iterable(x):
    s = 0.0
    for x in x:  # noqa: B020 (iterates the items of the x it starts with)
        s = s + np.sum(x * x)
    return s


def test_loop_target_named_as_the_iterable():
    X = np.arange(1.0, 9.0).reshape(2, 2, 2)
    value, gradient = value_and_grad(_loop_target_is_the_iterable)(X)
    assert value == _loop_target_is_the_iterable(X)
    np.testing.assert_allclose(gradient, 2 * X)
    np.testing.assert_allclose(jacfwd(_loop_target_is_the_iterable)(X), 2 * X)


def _enumerate_target_is_the_iterable(x):
    s = 0.0
    for i, x in enumerate(x):  # noqa: B020
        s = s + i * x * x
    return s


def test_enumerate_target_named_as_the_iterable():
    x = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(grad(_enumerate_target_is_the_iterable)(x),
                               _fd(_enumerate_target_is_the_iterable, x), rtol=1e-6)


def _inner_loop_rebinds_its_iterable(x):
    s = 0.0
    for j in range(2):
        for v in x:  # over the items x held when the inner loop started
            s = s + v * (j + 1.0)
            x = x[1:] * 2.0
    return s


def test_inner_loop_over_a_name_its_body_rebinds():
    # (the enclosing loop's second pass normalized the inner loop as rewritten by the
    # first: the copy of the iterable before it was lost, a NameError)
    x = np.array([0.3, -0.7, 1.2, 2.0])
    value, gradient = value_and_grad(_inner_loop_rebinds_its_iterable)(x)
    assert np.isclose(value, _inner_loop_rebinds_its_iterable(x))
    np.testing.assert_allclose(gradient, _fd(_inner_loop_rebinds_its_iterable, x), rtol=1e-6)
    np.testing.assert_allclose(jacrev(_inner_loop_rebinds_its_iterable)(x),
                               _fd(_inner_loop_rebinds_its_iterable, x), rtol=1e-6)


# ----- an array passed in without gradient, written in place: the caller's holds what
# one run of the function leaves in it (it stayed as passed: a side effect dropped) -----

def _batch_norm_loss(w, x, running_mean):
    mu = np.mean(x * w)
    running_mean *= 0.9
    running_mean += 0.1 * mu
    return np.sum((x * w - mu) ** 2)


def _once(f, *args):
    """The arguments as one plain run of ``f`` leaves them."""
    copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    f(*copies)
    return copies


@pytest.mark.parametrize("engine", ["grad", "value_and_grad", "jacfwd", "jacrev", "hessian",
                                    "hvp", "grad_of_grad"])
def test_running_statistics_updated_in_place_reach_the_caller_once(engine):
    from autograd_src import hessian, hvp
    w, x = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    running = np.array([0.3])
    expected = _once(_batch_norm_loss, w, x, running)[2]
    gradient = None
    if engine == "hvp":
        hvp(_batch_norm_loss)(w, x, running, np.ones(2))
    elif engine == "grad_of_grad":
        grad(lambda v, r: np.sum(grad(_batch_norm_loss)(v, x, r)))(w, running)
    elif engine in ("hessian", "jacfwd", "jacrev"):
        {"hessian": hessian, "jacfwd": jacfwd, "jacrev": jacrev}[engine](
            _batch_norm_loss)(w, x, running)
    else:
        made = {"grad": grad, "value_and_grad": value_and_grad}[engine](_batch_norm_loss)
        gradient = made(w, x, running)
        if engine == "value_and_grad":
            value, gradient = gradient
            assert value == pytest.approx(_batch_norm_loss(w, x, np.array([0.3])))
    np.testing.assert_allclose(running, expected, rtol=1e-12)
    if gradient is not None:  # (taken at the values passed)
        np.testing.assert_allclose(
            gradient, _fd(lambda v: _batch_norm_loss(v, x, np.array([0.3])), w), rtol=1e-6)


def _counted(w, counts):
    counts += 1
    return np.sum(w ** 2)


def _written_then_bound(w, X):
    X -= X.mean()
    X = X / 2.0
    return np.sum(w * X)


def _item_and_loop(w, buf):
    buf[0] = w[0] * 3.0
    for _ in range(3):
        buf *= 0.5
        buf += w
    return np.sum(w * buf)


def _through_a_nested_def(w, data):
    def inner(a):
        a *= 2.0
        return np.sum(a) * np.sum(w)
    return inner(data)


@pytest.mark.parametrize("f, data", [
    (_counted, np.zeros(2, dtype=int)), (_written_then_bound, np.array([1.0, 3.0])),
    (_item_and_loop, np.zeros(2)), (_through_a_nested_def, np.ones(2))],
    ids=["int_counter", "written_then_bound", "item_and_loop", "nested_def"])
def test_data_written_in_place_matches_one_plain_run_in_every_engine(f, data):
    w = np.array([0.7, -1.3])
    expected = _once(f, w, data)[1]
    for engine in (grad, value_and_grad, jacfwd, jacrev):
        given = data.copy()
        engine(f)(w, given)
        np.testing.assert_array_equal(given, expected)
    gradient = grad(f)(w, data.copy())
    np.testing.assert_allclose(gradient, _fd(lambda v: f(v, data.copy()), w), rtol=1e-6)


def _bound_in_a_loop(w, X):
    for _ in range(2):
        X *= 2.0
        X = X + w
    return np.sum(w * X)


def _bound_to_a_view_then_written(w, X):
    X = X.reshape(-1)
    X *= 2.0
    return np.sum(w * X)


def _bound_in_a_branch_written_in_the_other(w, X):
    if w[0] > 0:
        X = w * 2.0
    else:
        X += w
    return np.sum(X * w)


@pytest.mark.parametrize("f", [_bound_in_a_loop, _bound_in_a_branch_written_in_the_other])
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_data_bound_anew_in_a_loop_or_a_branch_is_given_back_where_it_is_bound(f, sign):
    # (given back before the binding that runs first, once: the writes after it are
    # into the new array)
    w = sign * np.array([0.7, -1.3])
    expected = _once(f, w, np.ones(2))[1]
    for engine in (grad, value_and_grad, jacfwd, jacrev):
        given = np.ones(2)
        engine(f)(w, given)
        np.testing.assert_array_equal(given, expected)
    np.testing.assert_allclose(grad(f)(w, np.ones(2)), _fd(lambda v: f(v, np.ones(2)), w),
                               rtol=1e-6)


def test_data_written_through_a_view_of_itself_is_refused_for_arrays_only():
    w = np.array([0.7, -1.3])
    with pytest.raises(InPlaceUpdateError, match="writes into its argument X"):
        grad(_bound_to_a_view_then_written)(w, np.ones(2))


def _defensive_copy_first(w, X):
    X = X.copy()
    X *= 2.0
    return np.sum(w * X)


def test_an_array_copied_first_is_left_as_passed():
    X = np.ones(2)
    grad(_defensive_copy_first)(np.array([0.7, -1.3]), X)
    np.testing.assert_array_equal(X, np.ones(2))


# ----- tester DA -----

def _sliced_on_two_axes(x):
    return np.sum(x[:, :1] ** 2) + np.sum(x[0, 1:]) + x[1, 1]


def test_the_astunparse_printer_prints_an_index_of_slices_bare():
    # astunparse printed x[:, :1] as x[(:, :1)], which is no Python
    from autograd_src import derivative_source
    text = derivative_source(_sliced_on_two_axes, printer="astunparse")
    assert "x[:, :1]" in text and "x[0, 1:]" in text
    compile(text, "<derivative>", "exec")


def _fancy_indexed_energy(x):
    M = x[:, None] * x[None, :]
    return np.sum(M[(np.array([0, 1]), np.array([1, 2]))] ** 2)


def test_a_tensor_given_to_a_derivative_with_fancy_indexing_is_refused_clearly():
    # np.add.at on a tensor raised NumPy's TypeError about __array_ufunc__
    import autograd_src as mg
    from autograd_src.tensors.errors import GradientDropped
    with pytest.raises(GradientDropped, match="silently lose the gradient"):
        grad(_fancy_indexed_energy)(mg.tensor([0.5, 1.0, 2.0]))


NAMES = ["a", "b"]


def _unflattened_by_zip_of_split(theta):
    scales = [1.0, 2.0]
    total = 0.0
    for s, p in zip(scales, np.split(theta, 2)):
        total = total + s * np.sum(p ** 2)
    P = dict(zip(NAMES, np.split(theta, 2)))
    return total + np.sum(P["a"] ** 2) + 3 * np.sum(P["b"])


def test_zip_of_a_named_list_and_np_split():
    # refused: "no derivative rule for islice" (zip's reading of a lazy iterator beside a
    # named list; np.split's result is a list)
    theta = np.array([0.1, 0.2, 0.3, 0.4])
    np.testing.assert_allclose(grad(_unflattened_by_zip_of_split)(theta),
                               _fd(_unflattened_by_zip_of_split, theta), rtol=1e-6)


# ----- a loop counter the body binds anew (tester DB) -----

def _counter_bumped_in_the_body(x):
    s = 0.0
    for i, v in enumerate(x):
        i = i + 1  # (the adjoint read the range's i, not this one)
        s = s + v * i
    return s


def _counter_reused_by_an_inner_loop(x):
    s = 0.0
    for i in range(3):
        s = s + x[i]
        for i in range(2):  # noqa: B007
            s = s * 1.1
        s = s + x[i] * 2  # Python: i is the inner loop's last, 1
    return s


def _counter_read_after_its_loop(x):
    s = 0.0
    for i in range(3):
        s = s + x[i]
    return s * x[i]


@pytest.mark.parametrize("f", [_counter_bumped_in_the_body, _counter_reused_by_an_inner_loop,
                               _counter_read_after_its_loop])
def test_a_loop_counter_bound_anew_in_the_body(f):
    x = np.array([0.3, -0.7, 1.2, 0.5])
    expected = _fd(f, x)
    value, gradient = value_and_grad(f)(x)
    assert value == pytest.approx(f(x))
    np.testing.assert_allclose(gradient, expected, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(jacfwd(f)(x), expected, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(jacrev(f)(x), expected, rtol=1e-6, atol=1e-9)


def _item_reused_by_an_inner_loop(x, y):
    s = 0.0
    for v in x:
        for v in y:  # noqa: B007 (v holds y's last item after it)
            s = s + v
        s = s + v * x[0]
    return s


def test_an_item_name_rebound_by_an_inner_loop_over_constants():
    # (the inner loop's binding of v had no adjoint: the gradient of v * x[0] went on
    # to the outer loop's item x[k])
    x, y = np.array([0.3, -0.7, 1.2, 0.5]), np.array([0.9, 0.2, -0.4, 1.1])
    f = _item_reused_by_an_inner_loop
    np.testing.assert_allclose(grad(f)(x, y), _fd(lambda v: f(v, y), x), rtol=1e-6)
    np.testing.assert_allclose(jacfwd(f)(x, y), _fd(lambda v: f(v, y), x), rtol=1e-6)
    lists = grad(f)(list(x), list(y))
    np.testing.assert_allclose(lists, _fd(lambda v: f(v, y), x), rtol=1e-6)
    # an empty inner loop leaves v as the outer item, as in Python
    np.testing.assert_allclose(grad(f)(x, np.zeros(0)),
                               _fd(lambda v: f(v, np.zeros(0)), x), rtol=1e-6)


def _setdefault_then_updated(x):
    d = {}
    z = d.setdefault("a", x * 1.0)
    z *= 2.0  # (NumPy doubles d['a'])
    return np.sum(d["a"] * x)


def test_setdefault_given_a_differentiated_value_is_refused():
    # (the link between z and d['a'] was lost: 2.27 for 4.54, silently)
    from autograd_src.errors import NoRuleError
    with pytest.raises(NoRuleError, match=r"d\.setdefault\(\) is given a differentiated"):
        value_and_grad(_setdefault_then_updated)(np.array([0.3, -0.7]))


def _loop_over_its_own_values(d):
    s = 0.0
    for d in d.values():  # noqa: B020
        s = s + d ** 2
    return s


def test_a_loop_over_a_dicts_values_bound_to_the_dicts_name():
    # (TypeError in generated code: d[key] read from the item d had become)
    value, gradient = value_and_grad(_loop_over_its_own_values)({"a": 0.3, "b": 0.9})
    assert value == pytest.approx(0.9)
    assert gradient == pytest.approx({"a": 0.6, "b": 1.8})


# ----- tester DC -----

def _written_by_a_nested_def(x):
    B = np.zeros(2)

    def upd(a):
        a += 1.0
    upd(B)
    return np.sum(x ** 2 * B)


def _data_written_by_a_nested_def(x, B):
    def upd(a):
        a += 1.0
    upd(B)
    return np.sum(x ** 2 * B)


def test_a_nested_def_writing_in_place_at_second_order():
    # (the second order's reading of grad's code made the def's a += 1.0 a new value:
    # B stayed zeros, the Hessian zeros)
    from autograd_src import hessian, hvp
    x = np.ones(2)
    np.testing.assert_allclose(hessian(_written_by_a_nested_def)(x), 2 * np.eye(2))
    np.testing.assert_allclose(grad(lambda v: np.sum(grad(_written_by_a_nested_def)(v)))(x),
                               [2.0, 2.0])
    B = np.zeros(2)
    np.testing.assert_allclose(hessian(_data_written_by_a_nested_def)(x, B), 2 * np.eye(2))
    np.testing.assert_array_equal(B, np.ones(2))  # as one run leaves it
    B = np.zeros(2)
    np.testing.assert_allclose(hvp(_data_written_by_a_nested_def)(x, B, np.ones(2)), [2, 2])
    np.testing.assert_array_equal(B, np.ones(2))


def _operator_iadd(x, B):
    operator.iadd(B, 1.0)
    return np.sum(x ** 2 * B)


def test_operator_iadd_on_data_is_an_in_place_write():
    # (it ran on the caller's array in each Jacobian pass: [2, 8, 18], B left at 3)
    from autograd_src import hessian
    x = np.array([1.0, 2.0, 3.0])
    for engine, expected in ((jacfwd, 2 * x), (jacrev, 2 * x), (grad, 2 * x),
                             (hessian, 2 * np.eye(3))):
        B = np.zeros(3)
        np.testing.assert_allclose(engine(_operator_iadd)(x, B), expected)
        np.testing.assert_array_equal(B, np.ones(3))


def _one_array_held_twice(x, L):
    L[0] += 1.0  # NumPy: L[1] is the same array
    return np.sum(x ** 2 * L[1])


def test_an_item_updated_in_place_that_its_container_holds_twice_is_refused():
    # (0.0 and a zero gradient for 14.0 and [2, 4, 6], silently)
    from autograd_src.errors import InPlaceUpdateError
    x = np.array([1.0, 2.0, 3.0])
    for given in ([np.zeros(3)] * 2, dict.fromkeys((0, 1), np.zeros(3))):
        with pytest.raises(InPlaceUpdateError,
                           match="holds this item's array \\(or a view of its memory\\) under"):
            value_and_grad(_one_array_held_twice)(x, given)
    # arrays of their own: right, and the caller's list holds what one run leaves
    L = [np.zeros(3), np.ones(3)]
    value, gradient = value_and_grad(_one_array_held_twice)(x, L)
    assert value == pytest.approx(14.0)
    np.testing.assert_allclose(gradient, 2 * x)
    np.testing.assert_array_equal(L[0], np.ones(3))


G_DATA = np.zeros(3)


def _written_argument_read_by_its_module_name(x, B):
    B += 1.0
    return np.sum(x ** 2 * G_DATA)  # G_DATA is B where the caller passes it


def test_a_module_array_passed_as_the_argument_written_is_refused():
    # (0.0 for 14.0 in value_and_grad, a zero Jacobian in jacfwd: the copy of B left
    # G_DATA as it was)
    from autograd_src.errors import InPlaceUpdateError
    x = np.array([1.0, 2.0, 3.0])
    for engine in (value_and_grad, jacfwd):
        with pytest.raises(InPlaceUpdateError, match="writes into its argument B"):
            engine(_written_argument_read_by_its_module_name)(x, G_DATA)
    B = np.zeros(3)  # another array: right, and B holds what one run leaves
    np.testing.assert_allclose(grad(_written_argument_read_by_its_module_name)(x, B),
                               np.zeros(3))
    np.testing.assert_array_equal(B, np.ones(3))


def _astype_first(w, X):
    X = X.astype(float)  # a new array, as X.copy() is
    X *= 2.0
    return np.sum(w * X)


def test_data_bound_to_its_astype_then_written_is_its_own():
    # (refused as "a view of it")
    for X in (np.ones(2, dtype=int), np.ones(2)):
        kept = X.copy()
        np.testing.assert_allclose(grad(_astype_first)(np.array([1.0, 2.0]), X), [2.0, 2.0])
        np.testing.assert_array_equal(X, kept)


def _written_through_another_name_then_bound(w, X):
    Y = X
    Y *= 2.0  # NumPy doubles the caller's X
    X = X + 1.0
    return np.sum(w * X)


def test_data_written_through_another_name_then_bound_anew():
    # (no give-back: the caller's X stayed as passed)
    for engine in (grad, jacfwd, jacrev):
        X = np.ones(2)
        np.testing.assert_allclose(engine(_written_through_another_name_then_bound)(
            np.array([1.0, 2.0]), X), [3.0, 3.0])
        np.testing.assert_array_equal(X, [2.0, 2.0])


def _list_slice_extended(x, L):
    L[0:1] += [5.0]  # a list's slice: the list itself grows
    return np.sum(x) * len(L)


def test_a_list_argument_extended_through_a_slice():
    # (the item_alone check of L[0] += ... was given the slice as an argument: a
    # SyntaxError in generated code)
    L = [1.0, 2.0]
    value, gradient = value_and_grad(_list_slice_extended)(np.ones(2), L)
    assert value == 6.0
    np.testing.assert_allclose(gradient, [3.0, 3.0])
    assert L == [1.0, 5.0, 2.0]
