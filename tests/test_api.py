"""The public API of grad and value_and_grad: wrt forms, decorators, seeds, caching."""

import numpy as np
import pytest

import autograd_src
from autograd_src import grad, value_and_grad
from autograd_src.transform.by_forward_mode import reverse_mode_only


def loss(w, b, x=2.0):
    return np.sum(w * x + b ** 2)


W = np.array([1.0, 2.0, 3.0])


def test_wrt_by_position_and_name():
    np.testing.assert_allclose(grad(loss)(W, 1.5), [2.0, 2.0, 2.0])
    assert grad(loss, wrt=1)(W, 1.5) == pytest.approx(3.0 * 3)
    assert grad(loss, wrt="b")(W, 1.5) == pytest.approx(9.0)
    assert grad(loss, argnums=1)(W, 1.5) == pytest.approx(9.0)


def test_tuple_wrt_returns_tuple_in_order():
    db, dw = grad(loss, wrt=("b", "w"))(W, 1.5)
    assert db == pytest.approx(9.0)
    np.testing.assert_allclose(dw, [2.0, 2.0, 2.0])
    (only,) = grad(loss, wrt=(0,))(W, 1.5)
    np.testing.assert_allclose(only, [2.0, 2.0, 2.0])


def test_keyword_arguments_and_defaults():
    df = grad(loss, wrt="x")
    assert df(W, 1.5) == pytest.approx(6.0)
    assert df(w=W, b=1.5, x=3.0) == pytest.approx(6.0)
    assert grad(loss)(W, b=0.0, x=5.0)[0] == pytest.approx(5.0)


def test_decorator_forms():
    @grad
    def square(x):
        return x ** 2

    @grad(wrt=(0, 1))
    def product(x, y):
        return x * y

    assert square(3.0) == pytest.approx(6.0)
    assert product(2.0, 5.0) == (pytest.approx(5.0), pytest.approx(2.0))


def test_value_and_grad():
    value, g = value_and_grad(loss)(W, 1.5)
    assert value == pytest.approx(loss(W, 1.5))
    np.testing.assert_allclose(g, [2.0, 2.0, 2.0])


def test_value_and_grad_when_output_name_is_overwritten():
    def f(x):
        z = np.sin(x)
        z = z * z
        return z

    value, g = value_and_grad(f)(0.3)
    assert value == pytest.approx(np.sin(0.3) ** 2)
    assert g == pytest.approx(2 * np.sin(0.3) * np.cos(0.3))


def test_nonscalar_output_is_seeded_with_ones():
    def f(x):
        return x * np.array([1.0, 2.0, 3.0])

    np.testing.assert_allclose(grad(f)(np.ones(3)), [1.0, 2.0, 3.0])


def test_explicit_seed_and_bad_seed_shape():
    def f(x):
        return x * 2.0

    np.testing.assert_allclose(grad(f)(np.ones(3), dout=np.array([1.0, 0.0, 2.0])),
                               [2.0, 0.0, 4.0])
    with pytest.raises(ValueError, match="dout has shape"):
        grad(f)(np.ones(3), dout=np.ones(4))


def test_gradient_shape_and_dtype_follow_the_argument():
    def f(x, s):
        return np.sum(x * s)

    x32 = np.arange(0.5, 3.5, 0.5, dtype=np.float32).reshape(2, 3)
    dx, ds = grad(f, wrt=(0, 1))(x32, np.float32(2.5))
    assert dx.dtype == np.float32 and dx.shape == (2, 3)
    assert np.asarray(ds).dtype == np.float32
    np.testing.assert_array_equal(dx, np.full((2, 3), 2.5, dtype=np.float32))
    assert ds == pytest.approx(np.sum(x32), rel=1e-6)  # 10.5


@pytest.mark.parametrize("fn", [
    lambda x: np.sum(np.exp(x) / (1 + x ** 2)),
    lambda x: np.mean(np.tanh(x) @ np.ones((3, 2), dtype=np.float32)),
    lambda x: np.sum(np.sqrt(x * x + 1) ** 3),
])
def test_float32_stays_float32(fn):
    x = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)
    assert grad(fn)(x).dtype == np.float32
    # and is the right gradient, to float32's precision
    autograd_src.testing.check_grads(fn, x)


def test_a_float_gets_a_float_gradient_and_a_0d_array_a_0d_array():
    weights = np.arange(3.0)

    def f(s, t):
        return np.mean(np.sin(s + weights)) + np.sum(t * weights)

    ds, dt = grad(f, wrt=(0, 1))(2.0, np.array(1.0))
    assert isinstance(ds, float) and not isinstance(ds, np.ndarray)
    assert isinstance(dt, np.ndarray) and dt.shape == ()
    np.testing.assert_allclose(ds, np.mean(np.cos(2.0 + weights)))
    np.testing.assert_allclose(dt, np.sum(weights))  # 3.0


def test_unused_input_gives_zeros():
    def f(x, y):
        return np.sum(x)

    dy = grad(f, wrt=1)(np.ones(2), np.ones(3))
    np.testing.assert_array_equal(dy, np.zeros(3))


def test_integer_arguments_are_rejected():
    df = grad(loss)
    with pytest.raises(TypeError, match="w=3, an int.*pass w=3.0"):
        df(3, 1.0)
    with pytest.raises(TypeError, match="dtype int64.*astype\\(float\\)"):
        df(np.array([1, 2]), 1.0)
    with pytest.raises(TypeError, match="bool"):
        df(True, 1.0)
    with pytest.raises(TypeError, match=r"w\[1\]=2, an int.*pass w\[1\]=2.0"):
        df([1.0, 2], 1.0)  # a container is checked leaf by leaf
    with pytest.raises(TypeError, match=r"w\['a'\], a str"):
        df({"a": "text"}, 1.0)


def test_integer_argument_passed_by_keyword_is_rejected():
    with pytest.raises(TypeError, match="b=1, an int"):
        grad(loss, wrt="b")(W, b=1)


@pytest.mark.parametrize("wrt, message", [
    (3, "out of range.*3 positional parameter\\(s\\) \\(w, b, x\\)"),
    ("z", "'z' is not a parameter.*\\(w, b, x\\)"),
    ((0, 0), "twice"),
    ((), "empty"),
    (1.5, "position \\(int\\) or name \\(str\\)"),
])
def test_wrong_wrt_is_an_error_at_grad_time(wrt, message):
    with pytest.raises((ValueError, TypeError), match=message):
        grad(loss, wrt=wrt)


def test_transformations_are_cached_and_redefinitions_retransformed():
    def f(x):
        return x * 2.0

    first = grad(f)
    assert grad(f).__wrapped__ is first.__wrapped__
    assert grad(f, wrt="x").__wrapped__ is first.__wrapped__ is not None

    def f(x):  # noqa: F811 - a redefinition, as in a notebook
        return x * 3.0

    assert grad(f)(1.0) == pytest.approx(3.0)


def test_globals_are_read_live():
    namespace = {"np": np}
    exec_source = "def f(x):\n    return np.sum(x * K)\n"
    import linecache
    filename = "<test-live-globals>"
    linecache.cache[filename] = (len(exec_source), None, exec_source.splitlines(True),
                                 filename)
    exec(compile(exec_source, filename, "exec"), namespace)
    namespace["K"] = 2.0
    df = grad(namespace["f"])
    assert df(np.ones(2))[0] == pytest.approx(2.0)
    namespace["K"] = 5.0
    assert df(np.ones(2))[0] == pytest.approx(5.0)


def test_closure_variables_are_read_live():
    scale = 2.0

    def f(x):
        return x * scale

    df = grad(f)
    assert df(1.0) == pytest.approx(2.0)
    scale = 7.0  # noqa: F841 - read through the closure cell
    assert df(1.0) == pytest.approx(7.0)


def test_name_hygiene_with_reserved_looking_names():
    def f(x, dx, np_, grad_):
        dout = x * dx
        out = dout + np_
        _ad = out * grad_
        return np.sum(_ad)

    args = (np.array([1.0, 2.0]), np.array([3.0, 4.0]), 1.0, 2.0)
    autograd_src.testing.check_grads(f, *args, wrt=(0, 1, 2, 3))


def test_user_variable_called_np_does_not_break_rules():
    import numpy
    np_module = numpy

    def f(x):
        np = 3.0  # shadows nothing the generated code needs
        return np_module.sum(np_module.sin(x) * np)

    x = numpy.array([0.4, -1.3])  # not zero, where cos(x) == 1 would hide a wrong rule
    np.testing.assert_allclose(grad(f)(x), 3.0 * numpy.cos(x))


def test_lambda_can_be_differentiated():
    square = lambda x: x * x  # noqa: E731
    assert grad(square)(3.0) == pytest.approx(6.0)


def test_methods_on_instances_read_self_as_constant():
    class Model:
        def __init__(self):
            self.w = np.array([1.0, -2.0])

        def loss(self, x):
            return np.sum(self.w * x ** 2)

    model = Model()
    x = np.array([0.5, -1.5])  # not ones, where 2 * w * x == 2 * w
    np.testing.assert_allclose(grad(model.loss.__func__, wrt=1)(model, x), [1.0, 6.0])


def test_variants_for_shared_shapes_and_broadcasting_agree_with_finite_differences():
    from autograd_src.testing import check_grads

    def f(x, b):
        y = x
        for _ in range(3):
            y = np.tanh(y * b + x)
        return np.sum(y * y)

    rng = np.random.default_rng(0)
    same = (rng.normal(size=(2, 3)), rng.normal(size=(2, 3)))
    broadcast = (rng.normal(size=(2, 3)), rng.normal(size=(3,)))
    for args in (same, broadcast, same):  # one compiled variant per shape pattern
        check_grads(f, *args, wrt=(0, 1))
    assert "_ad.unbroadcast" in grad(f, wrt=(0, 1)).source  # the general code keeps them


def test_matmul_of_same_shaped_vectors_is_not_elementwise():
    # x @ y of two (3,) vectors is a scalar: the variant for arrays sharing a shape
    # must not treat it as having their shape (it once skipped an unbroadcast).
    from autograd_src.testing import check_grads

    def f(x, y):
        t = x @ y
        return np.sum(t * x)

    x, y = np.arange(3.0) + 1, np.arange(3.0) * 0.5
    check_grads(f, x, y, wrt=(0, 1))
    np.testing.assert_allclose(grad(f)(x, y), y * np.sum(x) + x @ y)


def test_optimize_false_leaves_out_the_rewrites_and_gives_the_same_gradient():
    def loss(W, b, X):
        prediction = np.tanh(X @ W + b)
        return np.mean(prediction ** 2)

    rng = np.random.default_rng(0)
    W, b, X = rng.normal(size=3), 0.3, rng.normal(size=(5, 3))
    plain = grad(loss, wrt=(0, 1), optimize=False)
    rewritten = grad(loss, wrt=(0, 1))
    assert "prediction_sq = prediction ** 2" in plain.source          # nothing folded
    assert "prediction_sq = prediction ** 2" not in rewritten.source  # cached apart
    # Each against finite differences, not one against the other.
    autograd_src.testing.check_grads(loss, W, b, X, wrt=(0, 1), df=plain)
    autograd_src.testing.check_grads(loss, W, b, X, wrt=(0, 1), df=rewritten)


# ----- the path a call takes (issue #12): every form reaches its specialised variant -----


def horner(x, c):
    y = 0.0
    for i in range(len(c)):
        y = y * x + c[i]
    return y


def horner_for(x, c):
    y = 0.0
    for ci in c:
        y = y * x + ci
    return y


def _horner_dx(x, c):
    y, dy = 0.0, 0.0
    for ci in c:
        dy = dy * x + y
        y = y * x + ci
    return dy


@pytest.mark.parametrize("fn", [horner, horner_for])
@pytest.mark.parametrize("make_x", [float, np.float64, np.array])
@pytest.mark.parametrize("make_c", [lambda c: [float(v) for v in c], np.array,
                                    lambda c: [np.float64(v) for v in c]])
def test_loops_over_1d_arrays_and_lists_get_the_scalar_variant(fn, make_x, make_c):
    from autograd_src.testing import check_grads
    rng = np.random.default_rng(3)
    c, x = make_c(rng.normal(size=7)), make_x(rng.uniform(0.5, 0.9))
    df = grad(fn)
    for _ in range(2):  # the second call takes the shortcut to the same variant
        assert float(df(x, c)) == pytest.approx(_horner_dx(float(x), list(c)), rel=1e-12)
        assert isinstance(df(x, c), type(x))
    if make_x is not np.array:  # a 0-d x may broadcast: its variant keeps the shapes
        assert "unbroadcast" not in df.source and "shape" not in df.source, df.source
    if make_c is np.array:  # c differentiated too, a 1-D array read item by item
        check_grads(fn, x, c, wrt=(0, 1))
        dx, dc = grad(fn, wrt=(0, 1))(x, c)
        assert type(dc) is np.ndarray and dc.shape == c.shape


def test_an_array_indexed_by_an_index_array_is_not_read_as_numbers():
    from autograd_src.testing import check_grads

    def picked(x, c, order):
        y = 0.0
        for i in range(len(order)):
            j = order[i]
            y = y * x + np.sum(c[j] * x)  # c[j]: a row when c is 2-D, a number when 1-D
        return y

    def masked(x, c):
        keep = c > 0.0
        y = x
        for _ in range(3):
            y = np.tanh(y * c[keep] + x)
        return np.sum(y)

    def shifted(x, c):
        y = 0.0
        for i in range(len(c) - 1):
            y = y * x + c[i + 1] * c[i]
        return y

    rng = np.random.default_rng(4)
    c = rng.normal(size=6)
    check_grads(picked, 0.7, c, np.array([2, 0, 5]), wrt=(0, 1))
    check_grads(picked, 0.7, rng.normal(size=(6, 2)), np.array([[2, 1], [0, 5]]), wrt=(0, 1))
    check_grads(picked, 0.7, c, [np.array([1, 2]), np.array([0])], wrt=(0, 1))
    check_grads(masked, 0.3, c, wrt=(0, 1))
    check_grads(masked, np.array(0.3), c, wrt=(0, 1))
    check_grads(shifted, 0.7, c, wrt=(0, 1))
    check_grads(shifted, np.float64(0.7), c, wrt=(0, 1))


def scaled(x, scale=1.0, offset=0.0):
    y = x * scale + offset
    return y * y + np.tanh(y) * x


def _scaled_dx(x, scale=1.0, offset=0.0):
    y = x * scale + offset
    t = np.tanh(y)
    return 2.0 * y * scale + (1.0 - t * t) * scale * x + t


@pytest.mark.parametrize("args, kwargs", [
    ((0.3,), {}), ((0.3, 2.0, 0.5), {}), ((0.3,), {"scale": 2.0}),
    ((0.3,), {"offset": 0.5, "scale": 2.0}), ((0.3, 2, 0), {}), ((0.3, 2.0), {"offset": 1}),
    ((), {"x": 0.3, "offset": 0.5})])
def test_defaults_keywords_and_ints_take_the_scalar_variant(args, kwargs):
    df, vf = grad(scaled), value_and_grad(scaled)
    for _ in range(2):
        assert df(*args, **kwargs) == pytest.approx(_scaled_dx(*args, **kwargs), rel=1e-12)
        value, gradient = vf(*args, **kwargs)
        assert value == pytest.approx(scaled(*args, **kwargs), rel=1e-12)
        assert gradient == pytest.approx(_scaled_dx(*args, **kwargs), rel=1e-12)
    assert "unbroadcast" not in df.source and "scalars: x, scale, offset" in df.variants


def test_a_shortcut_never_serves_a_call_its_variant_does_not_fit():
    from autograd_src.testing import check_grads
    rng = np.random.default_rng(5)
    df = grad(horner, wrt=(0, 1))
    scalars = [0.5, -1.0, 2.0]
    arrays = [rng.normal(size=2), rng.normal(size=2), rng.normal(size=2)]
    mixed = [0.5, rng.normal(size=2), 2.0]
    dx = grad(horner)  # only x differentiated: list calls may take the shortcut
    for c in (scalars, arrays, scalars, mixed, scalars, arrays):  # same types, other items
        check_grads(horner, 0.7, c, wrt=(0, 1), df=df)
        check_grads(horner, 0.7, c, df=dx)
        check_grads(horner, 0.7, tuple(c), df=dx)
    for c in (rng.normal(size=4), rng.normal(size=(4, 2)), rng.normal(size=4),
              rng.normal(size=4).astype(np.float32), rng.normal(size=(4, 3))):
        if c.dtype == np.float64:
            check_grads(horner, 0.7, c, wrt=(0, 1), df=df)
        check_grads(horner, 0.7, c, wrt=1)  # float32: x's gradient is computed in float32
        assert df(0.7, c)[1].dtype == c.dtype
    with pytest.raises(TypeError, match="dtype"):
        df(0.7, np.arange(4))
    with pytest.raises(TypeError, match="int"):
        df(1, [0.5, 2.0])



def _mlp_of_pairs(params, x):
    h = x
    for W, b in params[:-1]:
        h = np.tanh(h @ W + b)
    W, b = params[-1]
    return np.sum((h @ W + b) ** 2)


def test_a_shortcut_for_containers_serves_only_calls_of_the_same_layout(monkeypatch):
    """Container calls seen before skip the checks; each gets its own layout back, and
    a call of another layout or with a leaf the checks refuse takes the checks."""
    from collections import namedtuple

    from autograd_src import arguments
    from autograd_src.testing import check_grads
    checked = []
    check = arguments.check_argument
    monkeypatch.setattr(arguments, "check_argument",
                        lambda value, name: checked.append(name) or check(value, name))
    rng = np.random.default_rng(7)
    Layer = namedtuple("Layer", "W b")
    x = rng.normal(size=(4, 3))

    def pairs(*sizes, kind=tuple):
        made = [(rng.normal(size=(m, n)), rng.normal(size=n))
                for m, n in zip(sizes, sizes[1:])]
        return [Layer(*pair) if kind is Layer else kind(pair) for pair in made]

    df = grad(_mlp_of_pairs)
    calls = [pairs(3, 5, 2), pairs(3, 5, 2), pairs(3, 5, 2, kind=list), pairs(3, 4, 4, 1),
             pairs(3, 5, 2, kind=Layer), pairs(3, 5, 2), pairs(3, 5, 2, kind=Layer)]
    for params in calls:
        for _ in range(2):  # the second call of each takes the shortcut
            dparams = df(params, x)
            assert [type(p) for p in dparams] == [type(p) for p in params]
            assert [[np.shape(a) for a in p] for p in dparams] == \
                [[np.shape(a) for a in p] for p in params]
        check_grads(_mlp_of_pairs, params, x, df=df)
    params = pairs(3, 5, 2)
    df(params, x)
    checked.clear()
    df(pairs(3, 5, 2), x)
    assert not checked  # the shortcut
    narrow = [(params[0][0].astype(np.float32), params[0][1]), params[1]]
    assert df(narrow, x)[0][0].dtype == np.float32
    with pytest.raises(TypeError, match="dtype"):
        df([(params[0][0].astype(int), params[0][1]), params[1]], x)
    assert df(params, x)[0][0].dtype == np.float64
    dfloats = grad(lambda ws, x: np.sum(np.tanh(ws[0] * x + ws[1])))
    for ws in ([0.5, -1.0], [0.5, -1.0], [0.5, np.float64(-1.0)], (0.5, -1.0)):
        got = dfloats(ws, x)
        assert type(got) is type(ws) and [type(g) for g in got] == [type(w) for w in ws]
    with pytest.raises(TypeError, match="int"):
        dfloats([1, -1.0], x)
    d = grad(lambda p, x: np.sum(p["W"] * x) + p["c"] ** 2)
    for p in ({"W": x.copy(), "c": 1.5}, {"W": x.copy(), "c": 1.5},
              {"W": x.copy(), "c": np.float64(2.0)}, {"c": 1.5, "W": x.copy()}):
        got = d(p, x)
        assert list(got) == list(p) and type(got["c"]) is type(p["c"])
        np.testing.assert_allclose(got["W"], x)
        assert got["c"] == 2 * p["c"]

def spring(k, x0, v0, n_steps):
    x, v = x0, v0
    dt = 0.01
    energy = 0.0
    for _ in range(n_steps):
        a = -k * x - 0.1 * v
        v = v + dt * a
        x = x + dt * v
        energy = energy + 0.5 * v * v + 0.5 * k * x * x
    return energy


@pytest.mark.parametrize("make", [float, np.float64, np.array])
def test_0d_arrays_read_as_numbers_get_the_scalar_variant_and_0d_gradients(make):
    from autograd_src.testing import check_grads
    args = (make(2.0), make(1.0), make(0.3), 30)
    check_grads(spring, *args, wrt=(0, 1, 2))
    vf = value_and_grad(spring, wrt=(0, 1, 2))
    for _ in range(2):  # the second call through the shortcut
        value, grads = vf(*args)
        assert value == pytest.approx(spring(*args), rel=1e-14)
        assert [type(g) for g in grads] == [type(a) for a in args[:3]]
        if make is np.array:
            assert all(g.shape == () for g in grads) and len({id(g) for g in grads}) == 3
            assert not any(g is a for g in grads for a in args)
    assert "unbroadcast" not in vf.source and "shape" not in vf.source, vf.source
    dk = grad(spring)
    assert type(dk(*args)) is type(args[0])


def test_a_0d_array_changed_in_place_is_not_read_as_a_number():
    def bumped(x, y):
        z = x * x
        w = x
        w += 1.0  # in place on a 0-d array: z read the old x
        return z + w * y

    df = grad(bumped, wrt=(0, 1))
    for _ in range(2):
        x = np.array(0.5)
        dx, dy = df(x, 3.0)
        assert float(dx) == pytest.approx(2 * 0.5 + 3.0) and float(dy) == pytest.approx(1.5)


def test_reversed_loops_read_their_stacks_item_by_item():
    from autograd_src.testing import check_grads

    def two_stacks(x, c):
        y, z = x, 0.0
        for i in range(len(c)):
            z = np.sin(y) * c[i]
            y = y * z + c[i] * x
        return y + z

    def stopping(x, c):
        y = x
        for i in range(len(c)):
            if y > 3.0:
                break
            y = y * x + c[i]
        return y

    def branchy(x, c):
        y = x
        for i in range(len(c)):
            if y > c[i]:
                y = 0.5 * y * x + c[i]
            else:
                y = 0.25 * y * y + x * c[i]
        return y

    def uneven(x, c):
        y = x
        for ci in c:
            if y > ci:
                y = np.sin(y) * x
            else:
                t = y * ci
                y = t * y + x
        return y

    rng = np.random.default_rng(6)
    for c in ([0.5, -0.3, 0.8, 0.1], rng.normal(size=5), []):
        for fn in (horner, horner_for, two_stacks, stopping, spring, branchy, uneven):
            args = (0.7, c) if fn is not spring else (2.0, 1.0, 0.3, len(c))
            check_grads(fn, *args, wrt=(0, 1) if fn is not spring else (0, 1, 2))
            check_grads(fn, *args)
            value, gradient = value_and_grad(fn)(*args)  # the value read after the loops
            assert value == pytest.approx(fn(*args), rel=1e-14)
            assert gradient == pytest.approx(grad(fn, optimize=False)(*args), rel=1e-12)
    # (reverse mode's scalar variants: those of calls differentiating several numbers;
    # one number alone is differentiated by forward mode)
    with reverse_mode_only():
        df = grad(horner)
        df(0.7, [0.5, 0.25])
        assert "for y in reversed(y_stack):" in df.source and ".pop()" not in df.source
        df = grad(two_stacks)
        df(0.7, [0.5, 0.25])
        assert "zip(" in df.source, df.source
        assert grad(two_stacks, optimize=False)(0.7, [0.5, 0.25]) == pytest.approx(
            df(0.7, [0.5, 0.25]), rel=1e-14)
        df = grad(branchy)
        df(0.7, [0.5, 0.25])  # y pushed in both arms: pushed before the if, iterated
        assert "reversed(y_stack)" in df.source, df.source
        df = grad(spring)
        # pops x (read before and after its update), iterates v (read after it only,
        # once its temporaries 0.5 * v are made again in the adjoint), stacks nothing else
        df(2.0, 1.0, 0.3, 5)
        assert df.source.count(".pop()") == 1 and "reversed(v_stack)" in df.source, \
            df.source
        assert df.source.count("_stack = []") == 2 and "= None" not in df.source, df.source


def test_defaults_left_out_are_read_at_each_call():
    def shifted(x, offset=1.0):
        return x * x + offset * x

    df = grad(shifted)
    assert df(2.0) == pytest.approx(5.0)
    shifted.__defaults__ = (3.0,)
    assert df(2.0) == pytest.approx(7.0) and df(2.0, offset=0.0) == pytest.approx(4.0)
    assert df(x=2.0) == pytest.approx(7.0)


def _fit(w, X, y, scale=1.0):
    return scale * np.sum((X @ w - y) ** 2)


def test_grad_of_a_partial():
    # refused ("it is a partial, not a Python function", the bound arrays printed)
    import functools
    X, y, w = np.arange(6.0).reshape(3, 2), np.array([1.0, 0.0, -1.0]), np.array([0.3, -0.2])
    expected = grad(_fit)(w, X, y, 2.0)
    np.testing.assert_allclose(grad(functools.partial(_fit, X=X, y=y, scale=2.0))(w), expected)
    np.testing.assert_allclose(grad(functools.partial(_fit, scale=2.0), wrt=0)(w, X, y),
                               expected)
    by_name = grad(functools.partial(_fit, w), wrt="y")(X, y, scale=2.0)
    np.testing.assert_allclose(by_name, grad(_fit, wrt="y")(w, X, y, 2.0))


def _takes_star_args(*args):
    return np.sum(args[0] ** 2)


def test_wrt_messages_name_the_positional_parameters():
    with pytest.raises(ValueError, match=r"_fit\(\) has 4 positional parameter\(s\) "
                                         r"\(w, X, y, scale\)"):
        grad(_fit, wrt=7)
    # (*args: positions count over the call's values, as in HIPS autograd; session 28)
    with pytest.raises(ValueError, match=r"wrt=2: this call passes 2 positional value\(s\) "
                                         r"to _takes_star_args\(\), which takes them as "
                                         r"\*args"):
        grad(_takes_star_args, 2)(np.ones(2), np.ones(2))
    np.testing.assert_allclose(grad(_takes_star_args)(np.array([1.0, 2.0])), [2.0, 4.0])


def _simulate(p):
    return p["k"] ** 2 * p["n_steps"]


def test_a_setting_among_the_parameters_says_to_pass_it_apart():
    # the advice was only p['n_steps']=100.0, which then breaks range() (tester N)
    with pytest.raises(TypeError, match=r"p\['n_steps'\]=3, an int: .*a setting that is not "
                                        r"differentiated goes in an argument of its own"):
        grad(_simulate)({"k": 1.0, "n_steps": 3})
