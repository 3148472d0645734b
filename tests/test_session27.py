"""Session 27: the smallest forms of what the fuzzers, independent testers and this
session's own checks found (each test failed before its fix)."""

import functools
import operator
import warnings

import numpy as np
import pytest

from autograd_src import grad, hessian, jacfwd
from autograd_src.errors import InPlaceUpdateError, NoRuleError
from autograd_src.rules import composites

from .test_in_place_recurrences import _fd as _differences

RNG = np.random.default_rng(27)
M = RNG.normal(size=(3, 4))


def _hessian_by_differences(f, x, h=1e-5):
    g = grad(f)
    columns = []
    for k in range(x.size):
        e = np.zeros(x.size)
        e[k] = h
        e = e.reshape(x.shape)
        columns.append(((g(x + e) - g(x - e)) / (2 * h)).ravel())
    return np.array(columns).T.reshape(x.shape + x.shape)


# ----- a helper with positional-only parameters, at second order: forward mode over its
# derivative passed the seed where the first parameter goes (def h(u, v, /) flattened
# with its backward function as def h_then_back(u, v, /, dout)) -----

def _outer_energy(u, v, /):
    return np.sum(np.outer(u, v) ** 2)


def _calls_positional_only(a):
    return _outer_energy(a[0], a[1]) + np.sum(a[2] ** 3)


def test_second_order_through_a_helper_with_positional_only_parameters():
    np.testing.assert_allclose(hessian(_calls_positional_only)(M),
                               _hessian_by_differences(_calls_positional_only, M),
                               rtol=1e-5, atol=1e-6)


# ----- a shape computed by a comprehension over a differentiated array's shape was
# taken for a differentiated value (np.reshape refused it) -----

def _shape_by_generator(a):
    kept = tuple(1 if k == 0 else size for k, size in enumerate(np.shape(a)))
    return np.sum(np.reshape(a, kept) ** 2)


def _shape_by_list(a):
    kept = [size for size in a.shape][::-1]
    return np.sum(np.reshape(a.T, kept) ** 2 * np.arange(4.0)[:, None])


def _items_by_comprehension(a):
    rows = [a[k] * (k + 1) for k in range(len(a))]  # (still differentiated)
    return np.sum(np.stack(rows) ** 2)


def test_a_comprehension_over_a_shape_is_a_shape():
    x = M[:1].copy()
    np.testing.assert_allclose(grad(_shape_by_generator)(x), 2 * x)
    np.testing.assert_allclose(grad(_shape_by_list)(M), _differences(_shape_by_list, M),
                               rtol=1e-6)
    np.testing.assert_allclose(grad(_items_by_comprehension)(M),
                               _differences(_items_by_comprehension, M), rtol=1e-6)


# ----- a helper appending to a new list that holds a view of its parameter was taken
# for one writing into that parameter (refused where the parameter was read before) -----

def _running_min(array, axis=0):
    moved = np.moveaxis(array, axis, 0)
    rows = [moved[0]]
    for k in range(1, np.shape(moved)[0]):
        rows.append(np.minimum(rows[-1], moved[k]))
    return np.moveaxis(np.stack(rows), 0, axis)


def _running_twice(a):
    return np.sum(_running_min(a, 1) ** 2) + np.sum(_running_min(a) ** 3)


def _bumps_an_item(array):
    rows = [array[0]]
    rows.append(array[1])
    rows[1] *= 3.0  # (NumPy writes into the caller's array: still refused)
    return np.sum(rows[1])


def _reads_then_bumps(a):
    return np.sum(np.sin(a)) + _bumps_an_item(a)


def test_appending_to_a_list_of_views_writes_no_array():
    np.testing.assert_allclose(grad(_running_twice)(M), _differences(_running_twice, M),
                               rtol=1e-6)
    with pytest.raises(InPlaceUpdateError, match="_bumps_an_item"):
        grad(_reads_then_bumps)(M.copy())


# ----- NumPy 2's array-API names and others, computed from functions with rules
# (tester DN's list): NumPy's values, and second order (first order: test_composites) --

def test_new_composites_give_numpy_values():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cube = RNG.normal(size=(2, 3, 4))
        for kwargs in ({}, {"axis": 1}, {"axis": (0, 2), "keepdims": True},
                       {"ord": 1, "axis": -1}, {"ord": np.inf}, {"ord": 0.5, "keepdims": True}):
            np.testing.assert_allclose(composites.vector_norm(cube, **kwargs),
                                       np.linalg.vector_norm(cube, **kwargs))
        for order in ("fro", "nuc", 1, -1, 2, np.inf):
            np.testing.assert_allclose(composites.matrix_norm(cube, ord=order),
                                       np.linalg.matrix_norm(cube, ord=order))
        np.testing.assert_allclose(composites.maximum_accumulate(cube, axis=2),
                                   np.maximum.accumulate(cube, axis=2))
        np.testing.assert_allclose(composites.minimum_accumulate(cube),
                                   np.minimum.accumulate(cube))
        with_nans = cube.copy()
        with_nans[0, 1, :] = np.nan
        with_nans[1, 2, 3] = np.nan
        for q in (0.0, 0.35, 1.0, [0.1, 0.9]):
            for axis in (None, 2, (0, 2)):
                np.testing.assert_allclose(composites.nanquantile(with_nans, q, axis=axis),
                                           np.nanquantile(with_nans, q, axis=axis))
        np.testing.assert_allclose(composites.nanmedian(with_nans, axis=-1, keepdims=True),
                                   np.nanmedian(with_nans, axis=-1, keepdims=True))
        window = np.lib.stride_tricks.sliding_window_view
        for shape, axis in (((2, 2), (0, 2)), (3, None), ((1, 2, 3), None), (2, -1)):
            if axis is None and np.ndim(shape) == 0:
                np.testing.assert_allclose(composites.sliding_window_view(cube[0, 0], shape),
                                           window(cube[0, 0], shape))
                continue
            np.testing.assert_allclose(composites.sliding_window_view(cube, shape, axis),
                                       window(cube, shape, axis))
        x = np.linspace(-1.0, 2.0, 7)
        for deg in (0, 1, 3):
            np.testing.assert_allclose(composites.polyfit(x, np.cos(x), deg),
                                       np.polyfit(x, np.cos(x), deg), atol=1e-12)
        both = np.stack([np.cos(x), np.sin(x)], axis=1)
        np.testing.assert_allclose(composites.polyfit(x, both, 2, w=x + 2.0),
                                   np.polyfit(x, both, 2, w=x + 2.0), atol=1e-12)
        index = np.array([[0, 1, 2], [2, 1, 0]])
        choices = [cube[0, :2, :3], cube[1, :2, :3] + 5, np.ones(3)]
        for mode in ("raise", "wrap", "clip"):
            np.testing.assert_allclose(composites.choose(index, choices, mode=mode),
                                       np.choose(index, choices, mode=mode))
        np.testing.assert_allclose(composites.choose(index + 2, choices, mode="clip"),
                                   np.choose(index + 2, choices, mode="clip"))
        assert composites.float_power(np.float32(2.0), 3).dtype == np.float64
        np.testing.assert_allclose(composites.multi_dot([cube[0], cube[1].T, cube[0]]),
                                   np.linalg.multi_dot([cube[0], cube[1].T, cube[0]]))
        for call, error in (
                (lambda: composites.choose(index + 1, choices), ValueError),
                (lambda: composites.linalg_outer(cube[0], cube[1]), ValueError),
                (lambda: composites.linalg_cross(cube[0], cube[1]), ValueError),
                (lambda: composites.vecdot(cube[0], cube[1, :2]), ValueError),
                (lambda: composites.multi_dot([cube[0]]), ValueError),
                (lambda: composites.sliding_window_view(cube[0, 0], 5), ValueError)):
            with pytest.raises(error):
                call()
    if hasattr(np, "cumulative_sum"):
        np.testing.assert_allclose(composites.cumulative_sum(cube, axis=1,
                                                             include_initial=True),
                                   np.cumulative_sum(cube, axis=1, include_initial=True))
        np.testing.assert_allclose(composites.cumulative_prod(cube[0, 0],
                                                              include_initial=True),
                                   np.cumulative_prod(cube[0, 0], include_initial=True))
        with pytest.raises(ValueError):
            composites.cumulative_sum(cube)
        for got, want in zip(composites.unstack(cube, axis=2), np.unstack(cube, axis=2)):
            np.testing.assert_allclose(got, want)


def _array_api_names(a):
    return (np.linalg.vector_norm(a, axis=(0, 1), keepdims=True)[0, 0] +
            np.sum(np.vecdot(a, a[0]) ** 2) + np.linalg.trace(np.linalg.multi_dot([a, a.T, a]))
            + np.sum(np.linalg.svdvals(a) ** 2) + np.sum(np.linalg.outer(a[0], a[1]) * a[:, :3]))


def _running_and_windows(a):
    return (np.sum(np.maximum.accumulate(a, axis=1) ** 2) +
            np.sum(np.minimum.accumulate(a) ** 3) +
            np.sum(np.lib.stride_tricks.sliding_window_view(a, (2, 2)) ** 2) +
            np.sum(np.float_power(np.abs(a) + 1.0, 1.5)))


@pytest.mark.parametrize("f", [_array_api_names, _running_and_windows])
def test_new_composites_at_second_order(f):
    x = M[:, :3] if f is _array_api_names else M
    np.testing.assert_allclose(hessian(f)(x), _hessian_by_differences(f, x), rtol=1e-4,
                               atol=1e-5)
    np.testing.assert_allclose(jacfwd(f)(x), grad(f)(x), rtol=1e-10, atol=1e-12)


# ----- tester DQ: second order of a helper called in a loop with a constant mask made
# before the loop (a causal attention mask): forward mode read the mask back from the
# tuple of saved arguments, whose other items carry tangents, and refused np.where's
# condition as carrying one -----

def _masked_exp(p, x, mask):
    s = x @ p
    return np.exp(np.where(mask, s, -1e9))


def _masked_in_a_loop(p, x):
    mask = np.tril(np.ones((3, 3), dtype=bool))
    for _ in range(2):
        x = _masked_exp(p, x, mask)
    return np.sum(x)


def _mask_from_the_input(p, x):
    mask = x > 0.0
    for _ in range(2):
        x = _masked_exp(p, x, mask) * 0.5
    return np.sum(x)


@pytest.mark.parametrize("f", [_masked_in_a_loop, _mask_from_the_input])
def test_second_order_of_a_helper_in_a_loop_given_a_constant_mask(f):
    p, x = RNG.normal(size=(3, 3)) * 0.2, RNG.normal(size=(3, 3)) * 0.2
    np.testing.assert_allclose(hessian(f)(p, x), _hessian_by_differences(lambda q: f(q, x), p),
                               rtol=1e-5, atol=1e-6)


# ----- tester DQ: second order (hessian, hvp) of HIPS autograd's example programs,
# refused where first order and the same code written in the loss were followed -----

def _predict(p, xs):  # (HIPS rnn.py: rnn_predict defines update_rnn)
    def update(x, h):
        return np.tanh(x @ p["W"] + h)
    h = np.zeros((2, 3))
    for x in xs:
        h = update(x, h)
    return h


def _rnn_loss(p, xs):
    return np.sum(_predict(p, xs) ** 2)


def test_second_order_through_a_helper_defining_a_small_def():
    p, xs = {"W": RNG.normal(size=(2, 3))}, RNG.normal(size=(4, 2, 2))
    grad(_rnn_loss)(p, xs)  # (first order first: its helper derivative is cached)
    got = hessian(lambda w: _rnn_loss({"W": w}, xs))(p["W"])
    np.testing.assert_allclose(got, _hessian_by_differences(lambda w: _rnn_loss({"W": w}, xs),
                                                            p["W"]), rtol=1e-5, atol=1e-6)


def _decay(y, t, k):
    return -k * y * y


def _rk4_step(f, y, t, dt, k):
    k1 = f(y, t, k)
    k2 = f(y + dt / 2 * k1, t + dt / 2, k)
    k3 = f(y + dt / 2 * k2, t + dt / 2, k)
    k4 = f(y + dt * k3, t + dt, k)
    return y + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)


def _integrate(k, y0, n=4):
    y = y0
    for i in range(n):
        y = _rk4_step(_decay, y, i * 0.1, 0.1, k)
    return y


def _ode_loss(k, y0):
    return np.sum(_integrate(k, y0) ** 2)


def test_second_order_through_a_helper_passing_a_function_on():
    k, y0 = np.array([0.5, 1.5]), np.array([1.0, 2.0])
    np.testing.assert_allclose(hessian(_ode_loss)(k, y0),
                               _hessian_by_differences(lambda q: _ode_loss(q, y0), k),
                               rtol=1e-5, atol=1e-7)


class _WeightsParser:  # (HIPS's WeightsParser, a module-level object)
    def __init__(self):
        self.places = {"a": (slice(0, 2), (2,)), "b": (slice(2, 4), (2,))}

    def get(self, vector, name):
        where, shape = self.places[name]
        return np.reshape(vector[where], shape)


_PARSER = _WeightsParser()


def _parsed_prediction(w):
    return np.sin(_PARSER.get(w, "a")) * _PARSER.get(w, "b") ** 2


def _parsed_loss(w):
    return np.sum(_parsed_prediction(w))


def test_second_order_through_a_helper_calling_a_method_of_a_module_object():
    w = np.array([0.1, 0.2, 0.3, 0.4])
    np.testing.assert_allclose(hessian(_parsed_loss)(w),
                               _hessian_by_differences(_parsed_loss, w), rtol=1e-5, atol=1e-7)


def _zip_of_a_pair(x):  # (HIPS gmm.py: for ... in zip(*unpack_gmm_params(params)))
    pair = (x[:2], x[2:] * 2.0)
    s = 0.0
    for a, b in zip(*pair):
        s = s + a * b ** 2
    return s


def test_second_order_through_zip_of_unpacked_rows():
    x = np.array([0.5, -1.0, 2.0, 0.3])
    want = _hessian_by_differences(_zip_of_a_pair, x)
    np.testing.assert_allclose(hessian(_zip_of_a_pair)(x), want, rtol=1e-6, atol=1e-8)
    from autograd_src import jacrev
    np.testing.assert_allclose(jacrev(grad(_zip_of_a_pair))(x), want, rtol=1e-6, atol=1e-8)


# ----- tester DR: the API's edges -----

def _two_inputs(a, x):
    return np.sum(np.tanh(x) * a)


def test_check_grads_takes_parameter_names_as_wrt():
    from autograd_src.testing import check_grads
    a, x = np.array([0.5, -2.0]), np.array([0.3, 1.1])
    check_grads(_two_inputs, a, x, wrt="x")
    check_grads(_two_inputs, a, x, wrt=("a", "x"))
    with pytest.raises(ValueError, match="not a positional parameter"):
        check_grads(_two_inputs, a, x, wrt="y")


def test_a_numpy_integer_names_a_position():
    a, x = np.array([0.5, -2.0]), np.array([0.3, 1.1])
    np.testing.assert_allclose(grad(_two_inputs, wrt=np.int64(1))(a, x),
                               a * (1 - np.tanh(x) ** 2))


def test_a_ufunc_given_itself_is_differentiated_by_its_rule():
    from autograd_src import jacrev, jvp
    x = np.array([0.3, -1.2, 2.0])
    np.testing.assert_allclose(grad(np.tanh)(x), 1 - np.tanh(x) ** 2)
    np.testing.assert_allclose(jacfwd(np.sin)(x), np.diag(np.cos(x)))
    np.testing.assert_allclose(jacrev(np.exp)(x), np.diag(np.exp(x)))
    np.testing.assert_allclose(jvp(np.sin, (x,), (np.ones(3),))[1], np.cos(x))
    da, db = grad(np.arctan2, wrt=(0, 1))(x, x + 3.0)
    np.testing.assert_allclose(da, (x + 3.0) / (x ** 2 + (x + 3.0) ** 2))
    assert "np.tanh(x)" in grad(np.tanh).source


@pytest.mark.parametrize("make", ["jacfwd", "jacrev", "hessian", "hvp", "make_jvp", "grad"])
@pytest.mark.parametrize("thing", [3.0, "np.sin", None])
def test_a_non_function_is_refused_by_every_entry(make, thing):
    import autograd_src
    entry = getattr(autograd_src, make)
    if thing is None and make == "grad":
        return  # (grad(wrt=1) is its decorator form)
    with pytest.raises(TypeError, match=f"{make} expects a function, got"):
        entry(thing)


def test_verbose_and_optimize_are_checked():
    from autograd_src import make_jvp
    for call in (lambda: grad(_two_inputs, verbose=5), lambda: grad(_two_inputs, verbose="yes"),
                 lambda: grad(_two_inputs, optimize="no"),
                 lambda: make_jvp(_two_inputs, verbose=3)):
        with pytest.raises(TypeError, match="verbose is 0, 1|optimize is True or False"):
            call()


def _outer_of_a_number(t):
    return np.outer([1.0, 2.0], [t, t ** 2])


def test_a_complex_seed_for_a_real_output_is_refused():
    with pytest.raises(TypeError, match=r"dout(, the seed,)? is complex"):
        grad(np.sin)(np.array([0.1, 0.2]), dout=np.array([1 + 1j, 2.0]))
    with pytest.raises(TypeError, match=r"dout(, the seed,)? is complex"):
        grad(_outer_of_a_number)(2.0, dout=np.ones((2, 2)) * 1j)


def test_the_command_line_reports_a_bad_wrt_in_one_line(tmp_path):
    import subprocess
    import sys
    path = tmp_path / "model.py"
    path.write_text("import numpy as np\n\ndef loss(W, b):\n    return np.sum(W * b)\n")
    run = subprocess.run([sys.executable, "-m", "autograd_src", f"{path}:loss", "--wrt", "nope"],
                         capture_output=True, text=True)
    assert run.returncode != 0 and run.stderr.strip().splitlines() == [
        "error: wrt='nope' is not a parameter of loss(); its parameters are (W, b)"]
    both = subprocess.run([sys.executable, "-m", "autograd_src", f"{path}:loss", "--wrt", "W,b"],
                          capture_output=True, text=True)
    assert both.returncode == 0 and "return dW, db" in both.stdout


def _product_of_two(a, b):
    return a * b


def _uses_the_product(a, b):
    return np.sum(_product_of_two(a, b))


def test_a_rule_of_yours_giving_too_few_adjoints_is_named():
    from autograd_src.errors import DiffSyntaxError
    from autograd_src.extend import defvjp

    @defvjp(_product_of_two)
    def product_vjp(g, ans, a, b):
        return g * b  # (one adjoint for two inputs)

    a, b = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    np.testing.assert_allclose(grad(_uses_the_product)(a, b), b)
    with pytest.raises(DiffSyntaxError, match=r"your rule product_vjp returns 1 adjoint\(s\), "
                                              r"for \(a\), and none for b"):
        grad(_uses_the_product, wrt=1)(a, b)


def _compares(W):
    return np.sum(W) > 0


def _says_done(W):
    return "done"


def _constant_numbers(W):
    return np.array([1.0, 2.0])


def test_an_output_without_gradient_is_still_checked():
    # (tester DR: a str or a comparison's bool gave zeros, where None and dicts were refused)
    for argument in (np.ones(2), 2.0):  # (the general code, and the scalar variant)
        with pytest.raises(TypeError, match="returned a bool"):
            grad(_compares)(argument)
        with pytest.raises(TypeError, match="returned str"):
            grad(_says_done)(argument)
    np.testing.assert_allclose(grad(_constant_numbers)(np.ones(3)), np.zeros(3))
    with pytest.raises(ValueError, match="dout has shape"):
        grad(_constant_numbers)(np.ones(3), dout=np.ones(5))
    assert "_ad.without_gradient(dout, out)" in grad(_constant_numbers).source


def _pair(a, scale=2.0):
    return a * scale, a ** 2


def _named(a):
    return {"u": a * 2.0}


def test_vjp_of_a_function_returning_a_tuple():
    from autograd_src import jacrev, vjp
    x = np.array([0.5, -1.0, 2.0])
    value, vjp_fn = vjp(_pair, x)
    assert type(value) is tuple and len(value) == 2
    np.testing.assert_allclose(vjp_fn((np.ones(3), np.ones(3)))[0], 2.0 + 2 * x)
    np.testing.assert_allclose(vjp_fn((np.zeros(3), np.arange(3.0)))[0], 2 * x * np.arange(3.0))
    with pytest.raises(ValueError, match="returns a tuple of 2 values"):
        vjp_fn(np.ones(3))
    with pytest.raises(ValueError, match="jacrev needs a function returning one array"):
        jacrev(_pair)(x)
    with pytest.raises(TypeError, match="the output is a dict"):
        vjp(_named, x)[1](np.ones(3))


def _named_then_rest(x, *rest):
    return np.sum(x ** 2) + sum(np.sum(r) for r in rest)


def test_a_position_from_the_end_of_a_function_taking_args_is_refused():
    x = np.array([1.0, -3.0])
    with pytest.raises(ValueError, match=r"takes \*rest, so a position from the end"):
        grad(_named_then_rest, wrt=-1)(x, x)
    np.testing.assert_allclose(grad(_named_then_rest, wrt=0)(x, x), 2 * x)


# ----- functools.reduce on its own line, followed as the loop it runs (tester DO:
# refused, naming a rewrite) -----

def _product_by_reduce(x):
    return functools.reduce(lambda a, b: a * b, [x[0], x[1], x[2]])


def _tanh_layer(h, w):
    return np.tanh(h * w)


def _layers_by_reduce(ws):
    out = functools.reduce(_tanh_layer, ws, np.array([0.5, -0.3]))
    return np.sum(out ** 2)


def _chain_by_reduce(W):
    product = functools.reduce(np.dot, [W, W.T, W])
    return np.sum(product)


def _squares_by_reduce(x):
    total = functools.reduce(operator.add, (v ** 2 for v in x), 0.0)
    return total


def _composed_by_reduce(x):
    y = functools.reduce(lambda acc, f: f(acc), [np.sin, np.cos, np.tanh], x)
    return y.sum()


def _reduce_of_nothing(x):
    return functools.reduce(lambda a, b: a + b, [])


@pytest.mark.parametrize("f, shape", [(_product_by_reduce, (3,)), (_layers_by_reduce, (3, 2)),
                                      (_chain_by_reduce, (2, 2)), (_squares_by_reduce, (3,)),
                                      (_composed_by_reduce, (3,))])
def test_reduce_on_its_own_line_is_followed(f, shape):
    x = RNG.normal(size=shape)
    np.testing.assert_allclose(grad(f)(x), _differences(f, x), rtol=1e-6, atol=1e-9)
    assert "reduce" in grad(f).source  # (the comment shows the line as written)


def test_reduce_second_order_and_its_errors():
    x = np.array([0.3, -1.2, 2.0])
    np.testing.assert_allclose(hessian(_product_by_reduce)(x),
                               [[0, x[2], x[1]], [x[2], 0, x[0]], [x[1], x[0], 0]], atol=1e-12)
    with pytest.raises(TypeError, match="reduce\\(\\) of empty iterable"):
        grad(_reduce_of_nothing)(x)
    with pytest.raises(NoRuleError, match="on a line of its own"):
        grad(lambda v: np.sum(functools.reduce(np.dot, [v, v])))(x)


# ----- tester DS: a constant array read through a view made inside an expression
# (m.reshape(2), np.squeeze(m), m.ravel()), then written in place: the adjoint read the
# view after the write (16 view forms gave the gradient at the new values) -----

_VIEW_FORMS = ["m.reshape(2)", "m.ravel()", "np.squeeze(m)", "np.transpose(m)", "np.asarray(m)",
               "np.atleast_1d(m)", "m.reshape(-1)[0:2]", "m.view()", "np.flip(m)[::-1]",
               "np.broadcast_to(m, (2,))", "np.expand_dims(m, 0)[0]", "m.swapaxes(0, 0)",
               "m.T", "m[::1]"]


def _view_then_write(form):
    namespace = {"np": np}
    text = (f"def loss(x):\n    m = np.array([1.0, 2.0])\n"
            f"    a = np.sum(np.sin(x) * {form})\n    m[0] = 5.0\n    return a * x[0]\n")
    import linecache
    filename = f"<view form {form}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    exec(compile(text, filename, "exec"), namespace)
    return namespace["loss"]


@pytest.mark.parametrize("form", _VIEW_FORMS)
def test_a_view_made_in_an_expression_then_its_array_written(form):
    f = _view_then_write(form)
    x = np.array([0.3, -0.7])
    np.testing.assert_allclose(grad(f)(x), _differences(f, x), rtol=1e-6, atol=1e-9)


def _view_then_scaled(x):
    m = np.array([1.0, 2.0])
    a = np.sum(np.sin(x) * m.ravel())
    m *= 3.0
    return a * x[0] + np.sum(m * x)


def _view_in_a_loop(x):
    m = np.array([1.0, 2.0])
    total = 0.0
    for k in range(3):
        total = total + np.sum(np.sin(x) * m.ravel())
        m[k % 2] += 1.0
    return total * x[0]


@pytest.mark.parametrize("f", [_view_then_scaled, _view_in_a_loop])
def test_a_view_made_in_an_expression_then_updated(f):
    x = np.array([0.3, -0.7])
    np.testing.assert_allclose(grad(f)(x), _differences(f, x), rtol=1e-6, atol=1e-9)


# ----- tester DS: an array of module state read by a helper's derivative (by reference,
# in its backward), then changed in place by the caller or another helper: the gradient
# was taken at the new values (refused now, as the same read and write inline were) -----

class _Config:
    pass


_CFG = _Config()
_STATE = {}
_WEIGHTS = np.array([1.0, 2.0])


def _reset_state():
    _CFG.w = np.array([1.0, 2.0])
    _CFG.count = 0
    _STATE["w"] = np.array([1.0, 2.0])
    _WEIGHTS[:] = [1.0, 2.0]


def _reads_attribute(v):
    return np.sum(np.sin(v) * _CFG.w)


def _reads_item(v):
    return np.sum(np.sin(v) * _STATE["w"])


def _reads_module_array(v):
    return np.sum(np.sin(v) * _WEIGHTS)


def _writes_attribute():
    _CFG.w[0] = 5.0


def _writes_module_array():
    _WEIGHTS[0] = 5.0


def _helper_read_then_attribute_written(x):
    a = _reads_attribute(x)
    _CFG.w[0] = 5.0
    return a * x[0]


def _read_then_written_by_a_helper(x):
    a = np.sum(np.sin(x) * _CFG.w)
    _writes_attribute()
    return a * x[0]


def _helper_read_then_item_updated(x):
    a = _reads_item(x)
    _STATE["w"] += 1.0
    return a * x[0]


def _helper_read_then_written_by_a_helper(x):
    a = _reads_module_array(x)
    _writes_module_array()
    return a * x[0]


def _helper_read_then_counted(x):
    a = _reads_attribute(x)
    _CFG.count += 1  # (a number rebound: no array changes)
    _CFG.w = np.array([3.0, 4.0])  # (a new array bound: the one read is unchanged)
    return a * x[0]


@pytest.mark.parametrize("f", [_helper_read_then_attribute_written,
                               _read_then_written_by_a_helper,
                               _helper_read_then_item_updated,
                               _helper_read_then_written_by_a_helper])
def test_state_read_by_a_derivative_then_written_in_place_is_refused(f):
    from autograd_src.errors import DiffSyntaxError
    for _ in range(2):  # (the state made anew between the calls: refused again)
        _reset_state()
        with pytest.raises(DiffSyntaxError, match="changes in place"):
            grad(f)(np.array([0.3, -0.7]))
    _reset_state()


def test_state_read_by_a_derivative_then_rebound_is_followed():
    _reset_state()
    x = np.array([0.3, -0.7])
    got = grad(_helper_read_then_counted)(x)
    _reset_state()
    np.testing.assert_allclose(got, [np.cos(0.3) * 0.3 + np.sin(0.3) + 2 * np.sin(-0.7),
                                     2 * np.cos(-0.7) * 0.3])
    _reset_state()


# ----- tester DS: refusals lifted -----

def _scaled_product(a, b, /, *, scale=1.0):
    return scale * np.sum(a * b)


def _positional_only_and_keyword(x):
    return _scaled_product(x, x, scale=x[0])


class _Packer:
    def __init__(self):
        self.slices = {"a": slice(0, 2), "b": slice(2, 3)}

    def unpack(self, theta):
        return {k: theta[s] for k, s in self.slices.items()}


_PACKER = _Packer()


def _unpacked_by_a_method(theta):
    d = _PACKER.unpack(theta)
    return np.sum(d["a"] ** 2) * d["b"][0]


def _over_an_attributes_items(theta):
    parts = [theta[s] * 2.0 for _, s in _PACKER.slices.items()]
    return np.sum(parts[0] ** 2) * parts[1][0]


@pytest.mark.parametrize("f", [_positional_only_and_keyword, _unpacked_by_a_method,
                               _over_an_attributes_items])
def test_refusals_lifted_for_tester_ds(f):
    x = np.array([0.3, -0.7, 1.1])
    np.testing.assert_allclose(grad(f)(x), _differences(f, x), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(hessian(f)(x), _hessian_by_differences(f, x), rtol=1e-5,
                               atol=1e-6)


def _apply(f, y):
    return f(y)


def _nested_def_given_in_a_loop(p):
    def dyn(y):
        return -p[0] * y ** 2
    y = p[1:]
    for _ in range(2):
        y = _apply(dyn, y)
    return np.sum(y)


def _lambda_given_in_a_loop(p):
    y = p[1:]
    for i in range(2):
        y = _apply(lambda v: -p[0] * (i + 1) * v ** 2, y)  # noqa: B023 - called at once
    return np.sum(y)


@pytest.mark.parametrize("f", [_nested_def_given_in_a_loop, _lambda_given_in_a_loop])
def test_second_order_of_a_function_given_to_a_helper_in_a_loop(f):
    # (tester DS: refused in a loop, followed outside one; the README's RK4 example)
    p = np.array([0.3, -0.7, 1.1])
    np.testing.assert_allclose(grad(f)(p), _differences(f, p), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(hessian(f)(p), _hessian_by_differences(f, p), rtol=1e-5,
                               atol=1e-6)


# ----- fuzz seed 270621 (calls tier): a helper updating its parameter (x *= 0.9) and
# passing it to one that does v += v was taken to write the caller's value back
# whatever it held; a number (a float, np.float64) is bound anew there, not changed
# here: the gradient came out scaled -----

def _doubles(v, q):
    v += v
    return q[0, 0] * q.sum()


def _scales_then_doubles(x, w):
    x *= 0.9
    return _doubles(x, w)


def _number_given_to_updating_helpers(w):
    hid = _doubles(0.5, w)
    _scales_then_doubles(hid, w)
    return hid


def _zero_d_given_to_updating_helpers(w):
    hid = np.sum(w) * np.ones(())
    _scales_then_doubles(hid, w)  # (a 0-d array: changed in place, 1.8 times)
    return hid * w[0, 0]


def _float_given_to_updating_helpers(w):
    hid = float(np.sum(w))
    _scales_then_doubles(hid, w)
    return hid * np.sum(w)


def _array_given_to_updating_helpers(w):
    hid = w[0] * 2.0
    _scales_then_doubles(hid, w)
    return np.sum(hid * w[1])


@pytest.mark.parametrize("f", [_number_given_to_updating_helpers,
                               _zero_d_given_to_updating_helpers,
                               _float_given_to_updating_helpers,
                               _array_given_to_updating_helpers])
def test_a_value_given_to_a_helper_that_updates_it_through_another(f):
    w = np.array([[0.16, 1.2], [-1.46, 0.42], [0.30, 0.27]])
    np.testing.assert_allclose(grad(f)(w.copy()), _differences(f, w), rtol=1e-6, atol=1e-9)


# ----- tester DT: views and aliases not tracked, then the array written in place: the
# gradient at the new values (np.unstack, np.einsum's transposes and diagonals,
# np.linalg.matrix_transpose: views NumPy makes; module state through a local alias or
# a view, written by a helper) -----

def _unstacked_then_written(x):
    m = np.array([[1.0, 2.0], [3.0, 4.0]])
    a = np.sum(x * np.unstack(m)[1]) if hasattr(np, "unstack") else np.sum(x * m[1])
    m[1, 0] = 0.0
    return a


def _einsum_transpose_then_written(x):
    m = np.array([[1.0, 2.0], [3.0, 4.0]])
    a = np.sum(x * np.einsum("ij->ji", m)[0])
    m[0, 1] = 0.0
    return a


def _einsum_diagonal_then_written(x):
    m = np.array([[1.0, 2.0], [3.0, 4.0]])
    a = np.sum(x * np.einsum("ii->i", m))
    m[1, 1] = 0.0
    return a


@pytest.mark.parametrize("f", [_unstacked_then_written, _einsum_transpose_then_written,
                               _einsum_diagonal_then_written])
def test_views_numpy_makes_then_written(f):
    x = np.array([0.5, -1.5])
    np.testing.assert_allclose(grad(f)(x), _differences(f, x), rtol=1e-6, atol=1e-9)


class _Holder:
    pass


_HELD = _Holder()
_HELD.w = np.array([1.0, 2.0, 3.0])
_MODULE_ARRAY = np.array([1.0, 2.0, 3.0])


def _reset_held():
    _HELD.w = np.array([1.0, 2.0, 3.0])
    _MODULE_ARRAY[:] = [1.0, 2.0, 3.0]


def _bump_held():
    _HELD.w[0] = 10.0


def _triple_module_array():
    _MODULE_ARRAY[:] = _MODULE_ARRAY * 3.0


def _reads_reversed(x):
    return np.sum(x * _MODULE_ARRAY[::-1])


def _local_alias_then_bumped(x):
    w = _HELD.w
    a = np.sum(x * w)
    _bump_held()
    return a


def _helper_view_then_tripled(x):
    a = _reads_reversed(x)
    _triple_module_array()
    return a


def _inline_view_then_tripled(x):
    a = np.sum(x * _MODULE_ARRAY.reshape(-1))
    _triple_module_array()
    return a


def _copied_then_bumped(x):
    w = _HELD.w.copy()  # (a copy: followed)
    a = np.sum(x * w)
    _bump_held()
    return a


@pytest.mark.parametrize("f", [_local_alias_then_bumped, _helper_view_then_tripled,
                               _inline_view_then_tripled])
def test_module_state_through_an_alias_or_view_then_written_is_refused(f):
    from autograd_src.errors import DiffSyntaxError
    _reset_held()
    with pytest.raises(DiffSyntaxError, match="changes in place"):
        grad(f)(np.array([0.5, -1.2, 0.8]))
    _reset_held()


def test_module_state_copied_then_written_is_followed():
    _reset_held()
    np.testing.assert_allclose(grad(_copied_then_bumped)(np.array([0.5, -1.2, 0.8])),
                               [1.0, 2.0, 3.0])
    _reset_held()


def _returns_text(x):
    return "done"


def _returns_comparison(x):
    return x > 0


def test_every_transform_refuses_an_output_without_a_derivative():
    # (tester DT: jacfwd of text failed inside; vjp of text gave zeros; jacrev blamed the
    # arguments for the output's dtype)
    from autograd_src import jacrev, vjp
    x = np.array([0.5, -1.2, 0.8])
    for f in (_returns_text, _returns_comparison):
        for call in (lambda g: grad(g)(x), lambda g: jacfwd(g)(x),
                     lambda g: vjp(g, x)[1](1.0)):
            with pytest.raises(TypeError, match="returned|returns"):
                call(f)
        with pytest.raises(TypeError, match="floating-point output"):
            jacrev(f)(x)


def test_nanquantile_of_float32_data_and_a_list_of_q_is_float64():
    a = np.array([[1.0, np.nan, 3.0], [2.0, 0.5, 4.0]], dtype=np.float32)
    for q in (0.3, [0.2, 0.7]):
        assert composites.nanquantile(a, q, axis=1).dtype == np.nanquantile(a, q, axis=1).dtype


def test_the_command_line_takes_positions_in_wrt(tmp_path):
    import subprocess
    import sys
    path = tmp_path / "model.py"
    path.write_text("import numpy as np\n\ndef loss(W, b):\n    return np.sum(W * b)\n")
    run = subprocess.run([sys.executable, "-m", "autograd_src", f"{path}:loss", "--wrt", "0,1"],
                         capture_output=True, text=True)
    assert run.returncode == 0 and "return dW, db" in run.stdout


def test_a_builtin_with_a_rule_given_itself():
    # (tester DT: grad(math.sin) advised registering a rule that exists)
    import math
    assert grad(math.sin)(0.3) == pytest.approx(math.cos(0.3))
    # (session 30: a library's function with a rule and parameters with defaults is
    # wrapped too; see test_session30.test_library_functions_with_rules_given_themselves)
    assert np.array_equal(grad(np.sum)(np.ones(3)), np.ones(3))


def _updated_by_reduce(x):
    s = x[0] * 2.0
    s *= functools.reduce(operator.add, [x[1], x[2]])
    return s


def test_an_update_by_reduce_is_followed():
    x = np.array([0.3, -1.2, 2.0])
    np.testing.assert_allclose(grad(_updated_by_reduce)(x),
                               [2 * (x[1] + x[2]), 2 * x[0], 2 * x[0]])


def _p_norms_and_nuclear(a):
    return (np.linalg.vector_norm(a, ord=3) + np.sum(np.linalg.vector_norm(a, ord=0.5, axis=1))
            + np.linalg.vector_norm(a, ord=-2) + np.linalg.matrix_norm(a, ord="nuc")
            + np.linalg.matrix_norm(a, ord=2) - np.linalg.matrix_norm(a, ord=-2))


def test_p_norms_and_the_nuclear_norm_at_second_order():
    # (tester DT: refused at second order, naming np.linalg.norm, which it did not call)
    cube = RNG.normal(size=(2, 3, 4))
    for kwargs in ({"ord": 3}, {"ord": 0.5, "axis": 1}, {"ord": -2, "axis": (0, 2),
                                                          "keepdims": True}):
        np.testing.assert_allclose(composites.vector_norm(cube, **kwargs),
                                   np.linalg.vector_norm(cube, **kwargs))
    for order in ("nuc", 2, -2):
        np.testing.assert_allclose(composites.matrix_norm(cube, ord=order, keepdims=True),
                                   np.linalg.matrix_norm(cube, ord=order, keepdims=True))
    x = RNG.normal(size=(3, 3))
    np.testing.assert_allclose(grad(_p_norms_and_nuclear)(x), _differences(_p_norms_and_nuclear, x),
                               rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(hessian(_p_norms_and_nuclear)(x),
                               _hessian_by_differences(_p_norms_and_nuclear, x), rtol=1e-4,
                               atol=1e-5)
