"""Session 29: each fix in its smallest form."""

import functools
import gc
import inspect
import linecache
import weakref

import numpy as np
import pytest

import autograd_src as mg
from autograd_src import grad, hessian, hvp, jacfwd
from autograd_src.tensors.errors import GradientDropped

from .finite_differences import numeric_grad

X = np.array([0.5, 1.0, 3.0])


# ----- Memory: what is cached per function dies with the function (tester ED: a closure
# given to grad, with the arrays it captured, outlived the user's last reference: the
# cache, weakly keyed, held derivatives whose reads referred back to the key) -----

def _closure_over(big):
    def loss(x):
        return np.sum(np.tanh(x * big[:3]) ** 2)
    return loss


def test_a_closure_given_to_grad_dies_with_its_captured_array():
    loss = _closure_over(np.linspace(1.0, 2.0, 100_000))
    dloss = grad(loss)
    np.testing.assert_allclose(dloss(X), numeric_grad(loss, X), rtol=1e-6)
    assert "def " in dloss.source
    dead, text = weakref.ref(loss), inspect.getsource(dloss)
    del loss, dloss
    gc.collect()
    assert dead() is None
    assert text  # (it was readable while alive)


def test_a_function_passed_to_a_derivative_dies_after_the_call():
    def total(x, fn):
        return np.sum(fn(x))

    dtotal = grad(total)
    refs = []
    for c in (1.0, 2.0, 3.0):
        def square(z, c=c):
            return c * z ** 2
        np.testing.assert_allclose(dtotal(X, square), 2 * c * X)
        refs.append(weakref.ref(square))
        del square
    gc.collect()
    assert [r() for r in refs] == [None, None, None]


def test_a_closure_helper_at_second_order_dies():
    def make(scale):
        def cell(x):
            return np.sin(scale * x)

        def loss(x):
            return np.sum(cell(x) ** 2)
        return loss

    loss = make(1.5)
    h = hessian(loss)(X)
    s = np.sin(1.5 * X)
    np.testing.assert_allclose(np.diag(h), 2 * 1.5 ** 2 * (np.cos(1.5 * X) ** 2 - s ** 2),
                               rtol=1e-6)
    dead = weakref.ref(loss)
    del loss
    gc.collect()
    assert dead() is None


def test_the_generated_text_leaves_linecache_with_its_derivative():
    loss = _closure_over(np.ones(3))
    dloss = grad(loss)
    dloss(X)
    filename = inspect.unwrap(dloss).__code__.co_filename
    assert filename.startswith("<autograd_src") and linecache.getlines(filename)
    del loss, dloss
    gc.collect()
    assert filename not in linecache.cache


def test_a_wrapper_made_after_grad_is_differentiated_as_itself():
    # functools.wraps copies the wrapped function's __dict__, where its derivatives are
    # cached: the wrapper must not take them for its own.
    def f(x):
        return np.sum(x ** 2)

    np.testing.assert_allclose(grad(f)(X), 2 * X)

    @functools.wraps(f)
    def doubled(x):
        return 2.0 * f(x)

    np.testing.assert_allclose(grad(doubled)(X), 4 * X)
    np.testing.assert_allclose(grad(f)(X), 2 * X)


# ----- The Tensor API given to a function outside NumPy that converts it (tester EA:
# GradientDropped without naming scipy.special.logsumexp; grad has its rule) -----

def test_a_scipy_function_converting_a_tensor_is_named_at_the_users_line():
    special = pytest.importorskip("scipy.special")
    t = mg.tensor([1.0, 2.0, 3.0])
    with pytest.raises(GradientDropped, match=r"logsumexp \(called at test_session29.py:\d+\)"
                                              r".*rules for scipy.special.logsumexp"):
        special.logsumexp(t)
    with pytest.raises(GradientDropped) as caught:
        np.asarray(t)  # (NumPy's own conversion: the message without a caller)
    assert "called at" not in str(caught.value)


# ----- Second order through a helper given a constant, beside an infinite value
# (tester EE, wrong value: hessian and jacfwd(grad) of a soft-DTW with an inf boundary
# gave nan rows, HIPS 0). Forward mode read gamma back from the saved tuple of the
# helper's arguments, with a zero tangent: 0 * inf in the helper's tangent. gamma is
# the gradient's parameter, bound once: passed by its name, as a constant. -----

def _softmin(a, b, gamma):
    vals = np.array([a, b])
    return -gamma * special_logsumexp(-vals / gamma)


def special_logsumexp(v):
    top = np.max(v)
    return top + np.log(np.sum(np.exp(v - top)))


def _soft_path(c, gamma):
    R = np.zeros(3)
    for j in range(1, 3):
        R[j] = c[j - 1] + _softmin(R[j - 1], np.inf, gamma)
    return R[2] * c[0]


def test_second_order_through_a_helper_beside_an_infinite_value():
    c = np.array([0.3, -0.2])
    expected = np.array([[2.0, 1.0], [1.0, 0.0]])  # R[2] = c0 + c1 (softmin(a, inf) = a)
    with np.errstate(all="raise"):
        np.testing.assert_allclose(hessian(_soft_path)(c, 0.7), expected, atol=1e-12)
        np.testing.assert_allclose(jacfwd(grad(_soft_path))(c, 0.7), expected, atol=1e-12)


def _soft_path_params(c, p):
    R = np.zeros(3)
    for j in range(1, 3):
        R[j] = c[j - 1] + _softmin(R[j - 1], np.inf, p[-1])
    return R[2] * c[0] * p[0]


def test_second_order_through_a_helper_given_an_item_of_a_parameter():
    # (p[-1], read again by the backward as an expression, not from the saved tuple)
    c, p = np.array([0.3, -0.2]), [1.5, 0.7]
    expected = 1.5 * np.array([[2.0, 1.0], [1.0, 0.0]])
    with np.errstate(all="raise"):
        np.testing.assert_allclose(hessian(_soft_path_params)(c, p), expected, atol=1e-12)


# ----- Second order of a table kept in a dict (tester EE, crash: hessian of a CKY-style
# chart keyed by (i, j) raised IndexError in generated code: forward mode made the
# dict's tangent, written in place, an array of its own with np.array) -----

def _chart(x):
    chart = {}
    chart[(0, 1)] = x
    for i in range(1):
        for j in range(1, 2):
            y = chart[(i, j)] * 2.0
        chart[(i, 2)] = y
    return np.sum(chart[(0, 2)] * x)


def _rows(x):
    rows = [x, x]
    for t in range(1, 3):
        rows[t - 1] = np.sin(rows[t - 1]) * x
    return np.sum(rows[0] * rows[1])


@pytest.mark.parametrize("f", [_chart, _rows])
def test_second_order_of_a_table_written_item_by_item(f):
    x = np.array([0.5, -1.0])
    expected = np.array([numeric_grad(lambda z, k=k: grad(f)(z)[k], x) for k in range(2)])
    np.testing.assert_allclose(hessian(f)(x), expected, rtol=1e-6, atol=1e-8)


# ----- A DP table kept as a list of rows, read by V[t - 1] and appended to (tester EE:
# refused as "adding to V while it may be shared": reading an item took the list for
# shared; the item is) -----

def _rows_read_back(a, b):
    V = [b]
    for t in range(1, 3):
        row = [V[t - 1][0] * a, V[t - 1][1] + a]
        V.append(row)
    return V[-1][0] * V[-1][1]


def _rows_named(a, b):
    V = [b]
    for t in range(1, 3):
        previous = V[t - 1]
        V.append([previous[0] * a, previous[1] + a])
    return V[-1][0] * V[-1][1]


@pytest.mark.parametrize("f", [_rows_read_back, _rows_named])
def test_a_list_of_rows_read_back_and_appended(f):
    b = [0.1, 0.4]
    for wrt in (0, 1):
        got = grad(f, wrt=wrt)(1.5, b)
        if wrt == 0:
            expected = (f(1.5 + 1e-6, b) - f(1.5 - 1e-6, b)) / 2e-6
        else:
            expected = [(f(1.5, [b[0] + 1e-6 * (k == 0), b[1] + 1e-6 * (k == 1)]) -
                         f(1.5, [b[0] - 1e-6 * (k == 0), b[1] - 1e-6 * (k == 1)])) / 2e-6
                        for k in range(2)]
        np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_an_item_of_a_list_of_rows_appended_to_is_refused():
    def f(a, b):
        V = [[b]]
        for t in range(1, 3):
            last = V[t - 1]
            last.append(last[-1] * a)  # (grows the row V holds: refused)
        return V[0][-1]

    with pytest.raises(Exception, match=r"last\.append|adding to last"):
        grad(f)(1.5, 0.2)


# ----- A dict display with tuple keys (tester EE: "needs constant keys") -----

def test_a_dict_display_with_tuple_keys():
    def f(x):
        chart = {(0, 1): x, (1, -2): 2 * x, -1: x ** 2}
        return np.sum(chart[(0, 1)] * chart[(1, -2)] + chart[-1])

    np.testing.assert_allclose(grad(f)(X), 6 * X)
    np.testing.assert_allclose(hessian(f)(X), 6 * np.eye(3))


# ----- A helper putting a value with gradient into a dict it is given (tester EE: the
# refusal spoke of "the caller's array" and .copy(); the README now says so) -----

def _store(x, cache):
    v = x * x
    cache["a"] = v
    return v


def _report(x, cache):
    v = x * x
    cache["a"] = float(v)
    return v


def test_a_helper_memo_with_gradient_is_refused_naming_the_dict():
    def f(x):
        cache = {}
        return _store(x, cache) + cache["a"]

    with pytest.raises(Exception, match=r"cache\['a'\] = \.\.\. puts a value with gradient "
                                        r"into cache, a list or dict the caller gave"):
        grad(f)(0.7)


def test_a_helper_reporting_a_number_through_a_dict():
    def f(x, cache):
        return _report(x, cache) * 2.0

    cache = {}
    assert grad(f)(0.7, cache) == pytest.approx(2.8)
    assert cache == {"a": pytest.approx(0.49)}


# ----- hessian and hvp of a bound method or callable object (tester EF: refused, naming
# hessian(Model.nll, wrt=1)(obj, x); HIPS takes it) -----

class _Poisson:
    def __init__(self, X, y):
        self.X, self.y = X, y

    def nll(self, b):
        eta = self.X @ b
        return np.sum(np.exp(eta) - self.y * eta)

    def __call__(self, b):
        return self.nll(b)


def test_hessian_and_hvp_of_a_bound_method_and_a_callable_object():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 2)), rng.poisson(1.0, 20).astype(float)
    model, b, v = _Poisson(X, y), np.array([0.1, -0.2]), np.array([1.0, 2.0])
    expected = X.T @ (np.exp(X @ b)[:, None] * X)
    for fn in (model.nll, model):
        np.testing.assert_allclose(hessian(fn)(b), expected, rtol=1e-10)
        np.testing.assert_allclose(hvp(fn)(b, v), expected @ v, rtol=1e-10)
        np.testing.assert_allclose(hessian(fn, wrt="b")(b), expected, rtol=1e-10)


def test_hvp_given_scipy_hessp_argument_order_says_v_goes_last():
    # (tester EF: "the tangent dw has shape (10,)": SciPy calls hessp(x, p, *args))
    def loss(w, X):
        return np.sum((X @ w) ** 2)

    X = np.ones((10, 3))
    with pytest.raises(ValueError, match=r"hvp\(loss\) was given v of shape \(10, 3\).*"
                                         r"hessp=lambda x, p, \*args: hvp\(loss\)"):
        hvp(loss)(np.ones(3), np.ones(3), X)


# ----- np.fill_diagonal(a, number) on a differentiated array (tester EF, a t-SNE idiom:
# refused, with advice about out=) -----

def _tsne_like(y):
    Y = y.reshape(-1, 2)
    D = np.sum((Y[:, None, :] - Y[None, :, :]) ** 2, axis=-1)
    num = 1.0 / (1.0 + D)
    np.fill_diagonal(num, 0.0)
    return np.sum(np.log(num + 1.0) * num)


def _wide(A):
    B = A * 2.0
    np.fill_diagonal(B, -1)
    return np.sum(B ** 2)


def test_fill_diagonal_with_a_number():
    y = np.random.default_rng(0).normal(size=8)
    np.testing.assert_allclose(grad(_tsne_like)(y), numeric_grad(_tsne_like, y), rtol=1e-6)
    np.testing.assert_allclose(jacfwd(_tsne_like)(y), numeric_grad(_tsne_like, y), rtol=1e-6)
    A = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(grad(_wide)(A), numeric_grad(_wide, A), atol=1e-6)


_FILL = 0.5


def test_fill_diagonal_with_a_number_held_by_a_name():
    # (tester EI: only a literal was followed; np.inf, a module's constant, an argument
    # refused)
    def f(A, v):
        B = A * 2.0
        np.fill_diagonal(B, val=v)
        C = B * 1.0
        np.fill_diagonal(C, np.inf)
        np.fill_diagonal(B, _FILL) if v > 1.0 else None
        return np.sum(B ** 2) + np.sum(np.where(np.isfinite(C), C, 0.0))

    A = np.arange(6.0).reshape(2, 3)
    for v in (0.7, 1.5):
        gA, gv = grad(f, wrt=(0, 1))(A, v)
        np.testing.assert_allclose(gA, numeric_grad(lambda a, v=v: f(a, v), A), atol=1e-6)
        assert gv == pytest.approx((f(A, v + 1e-6) - f(A, v - 1e-6)) / 2e-6, abs=1e-6)
    assert jacfwd(f, wrt=1)(A, 0.7) == pytest.approx(2.8 + 0.0)


def test_fill_diagonal_with_an_array_names_the_assignment():
    def f(A, v):
        B = A * 2.0
        np.fill_diagonal(B, v)
        return np.sum(B)

    with pytest.raises(Exception, match=r"np\.diag_indices\(min\(a\.shape\)"):
        grad(f)(np.ones((2, 2)), np.zeros(2))


# ----- An item of a 2-d float table made in the function is a number (tester EE, speed:
# R[i - 1, j - 1] of np.full((n + 1, m + 1), 1e10) kept shape stacks per cell) -----

def _table_sum(w, C):
    R = np.zeros((3, 4))
    s = 0.0
    for i in range(3):
        for j in range(4):
            R[i, j] = np.sin(w[j]) + i
            s = s + R[i, j] * w[j]
    return s


def _table_rebound(w, C):
    R = np.zeros((3, 4))
    s = 0.0
    for i in range(3):
        R = R * 1.0 if i else np.ones((3, 4))  # (bound otherwise too: not known)
        for j in range(4):
            R[i, j] = np.sin(w[j]) + i
            s = s + R[i, j] * w[j]
    return s


def test_items_of_a_float_table_are_numbers():
    w = np.array([0.1, 0.2, 0.3, 0.4])
    for f in (_table_sum, _table_rebound):
        d = grad(f)
        np.testing.assert_allclose(d(w, None), numeric_grad(lambda v, f=f: f(v, None), w),
                                   rtol=1e-7)
    assert "s_shape_stack" not in _source_after_call(_table_sum, w)
    assert "s_shape_stack" in _source_after_call(_table_rebound, w)


def _source_after_call(f, w):
    d = grad(f)
    d(w, None)
    return d.source


# ----- A dict display giving one key twice (tester EG, wrong value: the adjoint went to
# the value Python drops too: {'a': x * s, 'a': x * 2.0} gave 4.8x for 4x) -----

_CALLS: list = []


def _noted(v):
    _CALLS.append(1)
    return v * 3.0


def test_a_dict_display_giving_a_key_twice_keeps_the_last_value():
    def f(x, s):
        d = {'a': x * s, (1, 2): x, 'a': x * 2.0, (1.0, 2.0): _noted(x), -0: x,  # noqa: F601
             0: s * x}  # noqa: F601
        return np.sum(d['a'] * x + d[(1, 2)] + d[0])

    x, s = np.array([0.3, -0.7, 1.1]), 0.8
    np.testing.assert_allclose(grad(f)(x, s), 4 * x + 3.0 + s)
    np.testing.assert_allclose(jacfwd(f)(x, s), 4 * x + 3.0 + s)
    _CALLS.clear()
    grad(f)(x, s)
    assert len(_CALLS) == 1  # (the value kept calls it once)

    def g(x):
        d = {'a': _noted(x), 'a': x}  # noqa: F601 (the value dropped is still computed)
        return np.sum(d['a'])

    _CALLS.clear()
    np.testing.assert_allclose(grad(g)(x), np.ones(3))
    assert len(_CALLS) == 1


# ----- functools.wraps around a derivative (tester EG, wrong value: update_wrapper copies
# the derivative's marks into the wrapper, which was then taken for the derivative itself:
# jacfwd of twice(grad(energy)) gave 6x for 12x; jvp raised StopIteration) -----

def _twice(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs) * 2.0
    return wrapper


def _energy(x):
    return np.sum(x ** 3)


def test_a_decorator_made_with_wraps_around_a_derivative_is_its_own_function():
    from autograd_src import jvp
    x = np.array([0.3, -0.7, 1.1])
    force2 = _twice(grad(_energy))
    np.testing.assert_allclose(np.diag(jacfwd(force2)(x)), 12 * x)
    np.testing.assert_allclose(grad(lambda v: np.sum(force2(v)))(x), 12 * x)
    np.testing.assert_allclose(jvp(force2, (x,), (np.ones(3),))[1], 12 * x)
    penalty = grad(lambda v: np.sum(force2(v) ** 2))
    np.testing.assert_allclose(penalty(x), 144 * x ** 3)


# ----- A closure reading an array that is then updated in place through another name
# (tester EG, wrong value and gradient: get = lambda s: a * s; x = a; x *= 2.0; the
# update made a new array, the closure read the old one): the closure's reads count
# where it is called, or anywhere once it is passed on -----

def _closure_alias(b):
    a = np.tanh(b)
    get = lambda s: a * s  # noqa: E731
    x = a
    x *= 2.0
    return np.sum(get(1.0) * b)


def _call_with(fn, s):
    return fn(s)


def _closure_passed_on(b):
    a = np.tanh(b)
    get = lambda s: a * s  # noqa: E731
    x = a
    x += b
    return np.sum(_call_with(get, 1.0) * b)


def _closure_after_rebinding(b):
    a = np.tanh(b)
    x = a
    a = b * 2.0  # (rebound: the closure reads the new a, x's update changes nothing it reads)
    get = lambda s: a * s  # noqa: E731
    x *= 2.0
    return np.sum(get(1.0) * b + x)


def test_a_closure_reading_an_array_updated_through_another_name():
    from autograd_src.errors import InPlaceUpdateError
    b = np.array([0.3, -0.2, 0.5])
    for f in (_closure_alias, _closure_passed_on):
        with pytest.raises(InPlaceUpdateError):
            grad(f)(b)
    np.testing.assert_allclose(grad(_closure_after_rebinding)(b),
                               numeric_grad(_closure_after_rebinding, b), rtol=1e-6)


# ----- Complex values (tester EH, wrong values: a complex array passed in, or a module's
# J = 1j, went through rules written for real numbers: np.abs(g * Z) gave a complex
# gradient; the Tensor API made t * Z a constant, dropping the gradient) -----

_J = 1j
_Z = np.array([1.0 + 2.0j, -0.5 + 0.3j])


def _power(g, Z):
    return np.sum(np.abs(g * Z) ** 2)


def _dtft(w):
    n = np.arange(4.0)
    return np.abs(np.sum(np.cos(n) * np.exp(-_J * w * n)))


def test_complex_arguments_and_constants_are_refused():
    from autograd_src.errors import DiffSyntaxError
    g = np.array([0.7, -1.2])
    for call in (lambda: grad(_power)(g, _Z), lambda: jacfwd(_power)(g, _Z),
                 lambda: hessian(_power)(g, _Z), lambda: grad(_power)(g, [1j, 2.0]),
                 lambda: grad(_power)(g, Z=_Z)):
        with pytest.raises(TypeError, match="complex"):
            call()
    with pytest.raises(DiffSyntaxError, match="a complex number in _dtft"):
        grad(_dtft)(0.3)
    t = mg.tensor([0.7, -1.2])
    with pytest.raises(TypeError, match="complex numbers are not supported"):
        t * _Z
    np.testing.assert_allclose(grad(_power)(g, np.abs(_Z)), 2 * g * np.abs(_Z) ** 2)


# ----- np.gradient's adjoint without its n-by-n matrix (tester EH: 21.6 s and 9.2 GB for
# n = 20,000; a banded matrix, read by five probes) -----

def _image_gradient(y, coords):
    gy, gx = np.gradient(y, coords, 0.5, edge_order=2)
    return np.sum(gy * gx + gx ** 2 + np.gradient(y[0]) ** 3)


def test_the_adjoint_of_np_gradient_on_long_axes():
    rng = np.random.default_rng(3)
    y = rng.normal(size=(12, 15))
    coords = np.cumsum(rng.random(12) + 0.1)
    np.testing.assert_allclose(grad(_image_gradient)(y, coords),
                               numeric_grad(lambda v: _image_gradient(v, coords), y),
                               rtol=1e-5, atol=1e-6)


# ----- np.convolve by a rule, not a composite of one shifted product per kernel value
# (tester EH: 70-100x the function with k = 400, ~1 GB for an autocorrelation of 8,000;
# now two correlations in C) -----

def _filtered(x, w, mode):
    return np.sum(np.tanh(np.convolve(x, w, mode)) ** 2) + np.sum(np.correlate(x, w, "full") ** 3)


@pytest.mark.parametrize("mode", ["full", "same", "valid", 0, 1, 2])
def test_convolve_in_every_mode_both_operands_both_orders(mode):
    rng = np.random.default_rng(4)
    for n, m in ((6, 3), (3, 6), (1, 4), (5, 5)):
        x, w = rng.normal(size=n), rng.normal(size=m)
        gx, gw = grad(_filtered, wrt=(0, 1))(x, w, mode)
        np.testing.assert_allclose(gx, numeric_grad(lambda z, w=w: _filtered(z, w, mode), x),
                                   rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(gw, numeric_grad(lambda z, x=x: _filtered(x, z, mode), w),
                                   rtol=1e-6, atol=1e-8)
    x, w = rng.normal(size=5), rng.normal(size=3)
    expected = np.array([numeric_grad(lambda z, k=k: grad(_filtered)(z, w, mode)[k], x)
                         for k in range(5)])
    np.testing.assert_allclose(hessian(_filtered)(x, w, mode), expected, rtol=1e-5,
                               atol=1e-7)


def test_logaddexp_reduce_of_all_minus_infinity_has_gradient_zero():
    # (tester EG: nan, where scipy's logsumexp gives 0, as the README says)
    def f(x):
        return np.logaddexp.reduce(x + np.array([-np.inf, -np.inf])) + np.sum(x)

    with np.errstate(divide="ignore"):
        np.testing.assert_allclose(grad(f)(np.array([0.3, 0.5])), [1.0, 1.0])
    g = np.array([0.2, 0.9])
    np.testing.assert_allclose(grad(lambda x: np.logaddexp.reduce(x))(g),
                               np.exp(g) / np.sum(np.exp(g)))


def test_np_diff_prepending_a_differentiated_value_names_the_concatenation():
    # (refused before session 35, the message naming the concatenation; now followed
    # as that concatenation, FP 05)
    def f(x):
        return np.sum(np.diff(x, prepend=x[0]) ** 2)

    def joined(x):
        return np.sum(np.diff(np.concatenate([x[:1], x])) ** 2)

    np.testing.assert_allclose(grad(f)(X), grad(joined)(X))


_PARAMS = {"z": np.array([1.0 + 2.0j, -0.5 + 0.3j, 0.2 - 1j])}


def _through_a_dict(x):
    return np.sum(np.abs(x * _PARAMS["z"]) ** 2)


def _scalar_through_a_dict(x):
    return np.abs(x * _PARAMS["z"][0]) ** 2


def test_a_complex_value_reached_another_way_is_refused():
    # (tester EI, wrong values: an item of a module's dict, np.linalg.eigvals of a
    # constant...: complex gradients, or real wrong ones where jacfwd cast them)
    from autograd_src import jacrev, jvp, make_jvp, value_and_grad
    x = np.array([0.7, -1.2, 0.4])
    calls = [lambda: grad(_through_a_dict)(x), lambda: value_and_grad(_through_a_dict)(x),
             lambda: jacfwd(_through_a_dict)(x), lambda: jacrev(_through_a_dict)(x),
             lambda: hessian(_through_a_dict)(x), lambda: hvp(_through_a_dict)(x, x),
             lambda: jvp(_through_a_dict, (x,), (x,)),
             lambda: make_jvp(_through_a_dict)(x, dx=x),
             lambda: grad(_scalar_through_a_dict)(0.7),
             lambda: grad(grad(_scalar_through_a_dict))(0.7)]
    for call in calls:
        with pytest.raises(TypeError, match="a complex value was reached"):
            call()
    Z = np.array([1 + 2j, 3 - 1j, 0.5j])
    for join in (lambda t: mg.concatenate([t, Z]), lambda t: mg.stack([t, Z]),
                 lambda t: np.concatenate([t, Z]), lambda t: mg.r_[t, Z]):
        with pytest.raises(TypeError, match="complex"):
            join(mg.tensor(x))


# ----- A method decorated with functools.wraps (tester EI, crashes: StopIteration from
# the wrapper's *args read through __wrapped__; the object among *args given an adjoint
# as if it were a namedtuple) -----

def _doubled(fn):
    @functools.wraps(fn)
    def w(*args, **kwargs):
        return 2.0 * fn(*args, **kwargs)
    return w


class _Decorated:
    def __init__(self, W):
        self.W = W

    @_doubled
    def nll(self, x):
        return np.sum(x ** 4) + np.sum(self.W @ x)


def test_a_method_decorated_with_wraps():
    m, x = _Decorated(np.array([[1.0, 2.0, 3.0]])), np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(grad(m.nll)(x), 2 * (4 * x ** 3 + m.W[0]))
    np.testing.assert_allclose(hessian(m.nll)(x), np.diag(24 * x ** 2))


# ----- A call writing into its argument inside an expression statement (found beside
# tester EI's fill_diagonal: `np.copyto(B, 0.5) if c else None`, `c and np.copyto(B,
# 0.5)`, `print(np.copyto(B, 0.5))` were run but not followed: wrong gradients, also at
# the session's base) -----

def _filled_if(A, v):
    B = A * 2.0
    B[0, 0] = v
    np.fill_diagonal(B, 0.5) if v > 1.0 else None
    return np.sum(B ** 2)


def _copied_and(A, v):
    B = A * 2.0
    B[0, 0] = v
    v > 1.0 and np.copyto(B, 0.5)
    return np.sum(B ** 2)


def test_a_writing_call_in_an_expression_statement():
    from autograd_src.errors import NoRuleError
    A = np.arange(6.0).reshape(2, 3)
    for v in (0.5, 1.5):  # (as the if it is)
        assert grad(_filled_if, wrt=1)(A, v) == pytest.approx(0.0 if v > 1.0 else 2 * v)
    with pytest.raises(NoRuleError, match=r"np\.copyto\(B, 0\.5\) writes into its argument"):
        grad(_copied_and, wrt=1)(A, 1.5)


def _table_of_a_joined_shape(w, shape):
    R = np.zeros(shape + (2,))  # (a tuple joined: two dimensions here, not one)
    s = 0.0
    for i in range(2):
        R[i] = w[i] * np.ones(2)
        s = s + np.sum(R[i] * w[i])
    return s


def test_a_table_whose_shape_is_not_written_out_is_not_taken_for_numbers():
    w = np.array([0.3, 0.7])
    np.testing.assert_allclose(grad(_table_of_a_joined_shape)(w, (2,)), 4 * w)


def test_what_is_cached_on_a_function_pickles_as_nothing():
    # (cloudpickle, joblib and dask pickle a closure's __dict__: a weak reference there
    # made them fail; the cache pickles empty, remade where it is unpickled)
    import pickle
    loss = _closure_over(np.ones(3))
    grad(loss)(X)
    state = pickle.loads(pickle.dumps(dict(loss.__dict__)))
    assert state and all(type(v).__name__ == "_Held" and v.owner is None
                         for k, v in state.items() if k.startswith("__autograd_src_"))
