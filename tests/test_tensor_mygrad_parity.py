"""The rest of MyGrad's surface, against MyGrad 2.5: functions and methods on random
shapes (values and gradients), creation, and graph semantics. Documented
differences are asserted both ways at the end."""

import warnings

import numpy as np
import pytest

import autograd_src
import autograd_src as mg

from .test_tensor_mygrad_inplace import _error, _grad, _same

try:
    import mygrad
except ImportError:  # pragma: no cover - MyGrad is in the test extra
    mygrad = None

needs_mygrad = pytest.mark.skipif(mygrad is None, reason="mygrad is not installed")
SHAPES = [(), (3,), (2, 3), (2, 1, 4)]

# name: the interval inputs are drawn from (away from poles and kinks)
UNARY = {
    "sin": (-2, 2), "cos": (-2, 2), "tan": (-1, 1), "arcsin": (-0.9, 0.9),
    "arccos": (-0.9, 0.9), "arctan": (-2, 2), "sinh": (-2, 2), "cosh": (-2, 2),
    "tanh": (-2, 2), "arcsinh": (-2, 2), "arccosh": (1.1, 3), "arctanh": (-0.9, 0.9),
    "exp": (-2, 2), "exp2": (-2, 2), "expm1": (-2, 2), "log": (0.1, 3), "log2": (0.1, 3),
    "log10": (0.1, 3), "log1p": (-0.5, 3), "sqrt": (0.1, 3), "cbrt": (0.1, 3),
    "square": (-2, 2), "reciprocal": (0.5, 3), "absolute": (0.1, 2), "abs": (0.1, 2),
    "negative": (-2, 2), "positive": (-2, 2), "sinc": (0.1, 2), "sec": (-1, 1),
    "csc": (0.2, 1.5), "cot": (0.2, 1.5), "sech": (-2, 2), "csch": (0.2, 2),
    "coth": (0.2, 2), "arcsec": (1.1, 3), "arccsc": (1.1, 3), "arccot": (0.2, 3),
    "arccoth": (1.1, 3), "arccsch": (0.2, 3),
}

# name: (how to call it, given the library and the tensors, number of operands)
CALLS = {
    "sum axis": (lambda m, x: m.sum(x, axis=-1, keepdims=True), 1),
    "mean": (lambda m, x: m.mean(x, axis=0), 1),
    "prod": (lambda m, x: m.prod(x, axis=-1), 1),
    "max": (lambda m, x: m.max(x, axis=0), 1),
    "min method": (lambda m, x: x.min(axis=-1), 1),
    "var": (lambda m, x: m.var(x, axis=-1, ddof=1), 1),
    "std": (lambda m, x: x.std(), 1),
    "cumsum": (lambda m, x: m.cumsum(x, axis=-1), 1),
    "cumprod": (lambda m, x: m.cumprod(x, axis=0), 1),
    "cumprod method": (lambda m, x: x.cumprod(), 1),
    "reshape": (lambda m, x: m.reshape(x, (-1,)), 1),
    "transpose": (lambda m, x: m.transpose(x), 1),
    "moveaxis method": (lambda m, x: x.moveaxis(0, -1), 1),
    "swapaxes": (lambda m, x: m.swapaxes(x, 0, -1), 1),
    "squeeze": (lambda m, x: m.squeeze(m.expand_dims(x, 0), 0), 1),
    "ravel": (lambda m, x: m.ravel(x), 1),
    "roll": (lambda m, x: m.roll(x, 2, axis=-1), 1),
    "roll flat": (lambda m, x: m.roll(x, -1), 1),
    "atleast_1d": (lambda m, x: m.atleast_1d(x[0]), 1),
    "atleast_2d": (lambda m, x: m.atleast_2d(x), 1),
    "atleast_3d": (lambda m, x: m.atleast_3d(x), 1),
    "broadcast_to": (lambda m, x: m.broadcast_to(x, (2,) + x.shape), 1),
    "repeat": (lambda m, x: m.repeat(x, 2, axis=0), 1),
    "clip": (lambda m, x: m.clip(x, -0.5, 0.6), 1),
    "einsum trace": (lambda m, x: m.einsum("...ii", x[..., :2, :2]), 1),
    "einsum diagonal": (lambda m, x: m.einsum("...ii->...i", x[..., :2, :2]), 1),
    "einsum sum": (lambda m, x: m.einsum("...j->...", x), 1),
    "norm": (lambda m, x: m.linalg.norm(x), 1),
    "norm axis": (lambda m, x: m.linalg.norm(x, axis=-1), 1),
    "getitem": (lambda m, x: x[..., ::-1][0], 1),
    "multiply": (lambda m, x, y: m.multiply(x, y), 2),
    "maximum": (lambda m, x, y: m.maximum(x, y), 2),
    "minimum": (lambda m, x, y: m.minimum(x, y), 2),
    "arctan2": (lambda m, x, y: m.arctan2(x, y), 2),
    "logaddexp": (lambda m, x, y: m.logaddexp(x, y), 2),
    "logaddexp2": (lambda m, x, y: m.logaddexp2(x, y), 2),
    "power": (lambda m, x, y: m.power(m.abs(x) + 0.5, y), 2),
    "divide": (lambda m, x, y: x / (m.abs(y) + 0.5), 2),
    "where": (lambda m, x, y: m.where(x.data > 0, x, y), 2),
    "einsum two": (lambda m, x, y: m.einsum("...i,...i->...", x, y), 2),
    "matmul": (lambda m, x, y: m.matmul(x, m.swapaxes(y, -1, -2)), 2),
    "multi_matmul": (lambda m, x, y: (lambda a, b: m.multi_matmul([a, b.T, a, b.T]))(
        x.reshape(x.shape[0], -1), y.reshape(y.shape[0], -1)), 2),
    "add_sequence": (lambda m, x, y: m.add_sequence(x, y, x * 2), 2),
    "multiply_sequence": (lambda m, x, y: m.multiply_sequence(x, y, 1.5), 2),
    "concatenate": (lambda m, x, y: np.concatenate([x, y], axis=-1), 2),
    "stack": (lambda m, x, y: m.stack([x, y], axis=0), 2),
    "np.sum on tensors": (lambda m, x, y: np.sum(x * y, axis=0), 2),
}


def _compare(fn, arrays, seed):
    ours = [mg.tensor(a) for a in arrays]
    theirs = [mygrad.tensor(a) for a in arrays]
    out, ref = fn(mg, *ours), fn(mygrad, *theirs)
    np.testing.assert_allclose(out.data, ref.data, rtol=1e-10, atol=1e-12)
    assert out.shape == ref.shape and out.dtype == ref.dtype
    weights = np.random.default_rng(seed).standard_normal(out.shape)
    out.backward(weights)
    ref.backward(weights)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad, b.grad, rtol=1e-9, atol=1e-12)


@needs_mygrad
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_functions_match_mygrad(name, shape):
    low, high = UNARY[name]
    rng = np.random.default_rng(abs(hash((name, shape))) % 2**32)
    _compare(lambda m, x: getattr(m, name)(x), [rng.uniform(low, high, shape)], 1)


@needs_mygrad
@pytest.mark.parametrize("shape", [(2, 3), (3, 2, 3), (4, 2)], ids=str)
@pytest.mark.parametrize("name", sorted(CALLS))
def test_functions_and_methods_match_mygrad(name, shape):
    fn, n = CALLS[name]
    rng = np.random.default_rng(abs(hash((name, shape))) % 2**32)
    _compare(fn, [rng.uniform(-1.5, 1.5, shape) for _ in range(n)], 2)


def test_mygrad_only_functions_against_finite_differences():
    # Without an oracle installed, the compositions are checked numerically.
    from autograd_src.testing import numerical_grad
    rng = np.random.default_rng(0)
    for name in ("sec", "csc", "cot", "sech", "csch", "coth", "arcsec", "arccsc", "arccot",
                 "arccoth", "arccsch"):
        low, high = UNARY[name]
        x = rng.uniform(low, high, (3,))
        t = mg.tensor(x)
        getattr(mg, name)(t).sum().backward()
        expected = numerical_grad(lambda v, n=name: float(np.sum(getattr(mg, n)(v).data)),
                                  [x], 0)
        np.testing.assert_allclose(t.grad, expected, rtol=1e-6, atol=1e-8)


# ----- creation -----


def _described(t):
    return [t.data, t.dtype, t.constant] if t is not None else None


CREATION = {
    "copy=False shares": lambda lib, a: np.shares_memory(lib.tensor(a, copy=False).data, a),
    "copy=False gives back": lambda lib, a: (lambda t: lib.tensor(t, copy=False) is t)(
        lib.tensor(a)),
    "copy=False another dtype": lambda lib, a: (lambda t: lib.tensor(
        t, dtype="float32", copy=False) is t)(lib.tensor(a)),
    "copy=False another constant": lambda lib, a: (lambda t: lib.tensor(
        t, constant=True, copy=False) is t)(lib.tensor(a)),
    "copy shares": lambda lib, a: (lambda t: np.shares_memory(lib.tensor(t).data, t.data))(
        lib.tensor(a)),
    "ndmin": lambda lib, a: lib.tensor(a, ndmin=4).shape,
    "constant=1": lambda lib, a: _error(lambda: lib.tensor(a, constant=1)),
    "constant=np.True_": lambda lib, a: _error(lambda: lib.tensor(a, constant=np.True_)),
    "complex": lambda lib, a: _error(lambda: lib.tensor(a + 1j)),
    "str": lambda lib, a: _error(lambda: lib.tensor(["a"])),
    "object": lambda lib, a: _error(lambda: lib.tensor([1.0, None])),
    "dtype=complex": lambda lib, a: _error(lambda: lib.tensor(a, dtype=complex)),
    "int constant=False": lambda lib, a: _error(lambda: lib.tensor([1], constant=False)),
    "from a constant tensor": lambda lib, a: _described(
        lib.tensor(lib.tensor(a, constant=True))),
    "Tensor of a constant": lambda lib, a: _described(lib.Tensor(lib.tensor(a, constant=True))),
    "copy=False of a constant": lambda lib, a: _described(
        lib.tensor(lib.tensor(a, constant=True), copy=False)),
    "astensor gives back": lambda lib, a: (lambda t: lib.astensor(t) is t)(lib.tensor(a)),
    "astensor dtype": lambda lib, a: _described(lib.astensor(lib.tensor(a), dtype="float32")),
    "astensor constant": lambda lib, a: _described(
        lib.astensor(lib.tensor(a, constant=True), constant=False)),
    "astensor list": lambda lib, a: _described(lib.astensor([1, 2])),
    "astensor shares": lambda lib, a: np.shares_memory(lib.astensor(a).data, a),
    "bool": lambda lib, a: _described(lib.tensor([True, False])),
    "zeros int": lambda lib, a: _described(lib.zeros(2, dtype=int)),
    "ones float64": lambda lib, a: _described(lib.ones((2, 1), dtype="float64")),
    "full": lambda lib, a: _described(lib.full(2, 3)),
    "full float": lambda lib, a: _described(lib.full(2, 3.0)),
    "full float32": lambda lib, a: _described(lib.full(2, np.float32(3.0))),
    "arange": lambda lib, a: _described(lib.arange(3)),
    "arange float": lambda lib, a: _described(lib.arange(0.0, 2.0, 0.5)),
    "linspace": lambda lib, a: _described(lib.linspace(0, 1, 3)),
    "linspace constant": lambda lib, a: _described(lib.linspace(0, 1, 3, constant=True)),
    "logspace": lambda lib, a: _described(lib.logspace(0, 1, 3)),
    "logspace base": lambda lib, a: _described(lib.logspace(0, 2, 4, base=2.0)),
    "geomspace": lambda lib, a: _described(lib.geomspace(1, 10, 3)),
    "eye": lambda lib, a: _described(lib.eye(2, 3, k=1)),
    "eye int": lambda lib, a: _described(lib.eye(2, dtype=int)),
    "identity": lambda lib, a: _described(lib.identity(2)),
}
for _name in ("zeros_like", "ones_like"):
    CREATION[f"{_name} of a variable"] = lambda lib, a, n=_name: _described(
        getattr(lib, n)(lib.tensor(a)))
    CREATION[f"{_name} of a constant"] = lambda lib, a, n=_name: _described(
        getattr(lib, n)(lib.tensor(a, constant=True)))
    CREATION[f"{_name} of an int array"] = lambda lib, a, n=_name: _described(
        getattr(lib, n)(np.array([1, 2])))
    CREATION[f"{_name} of a list"] = lambda lib, a, n=_name: _described(
        getattr(lib, n)([1.0, 2.0]))
    CREATION[f"{_name} shape="] = lambda lib, a, n=_name: _described(
        getattr(lib, n)(lib.tensor(a), shape=(3,)))
    CREATION[f"{_name} dtype=int"] = lambda lib, a, n=_name: _described(
        getattr(lib, n)(lib.tensor(a), dtype=int))
CREATION["empty_like"] = lambda lib, a: (lambda t: [t.shape, t.dtype, t.constant])(
    lib.empty_like(lib.tensor(a, constant=True), shape=(2, 2)))
CREATION["full_like"] = lambda lib, a: _described(lib.full_like(lib.tensor(a), 2))
CREATION["full_like int"] = lambda lib, a: _described(lib.full_like(np.array([1, 2]), 2.5))


@needs_mygrad
@pytest.mark.parametrize("name", sorted(CREATION))
def test_creation_matches_mygrad(name):
    a = np.arange(3.0)
    _same(CREATION[name](autograd_src, a), CREATION[name](mygrad, a))


# ----- semantics -----


def _invalid(fn):
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - the kind of error is what is compared
        return type(exc).__name__
    return None


def nonscalar_backward(lib):
    x = lib.tensor([[1.0, 2.0], [3.0, 4.0]])
    (x ** 2).backward()
    first = _grad(x)
    (x ** 2).backward(lib.tensor([1.0, -1.0]))
    return [first, _grad(x)]


def second_graph_cleared(lib):
    x = lib.tensor([1.0, 2.0])
    f, g = x * 2, x * 3
    f.backward()
    return [_grad(x), _invalid(g.backward), g.creator is not None]


def clear_graph_then_downstream(lib):
    x = lib.tensor([1.0, 2.0])
    y = x * 2
    z = y * 3
    y.clear_graph()
    return [_invalid(z.backward), _grad(x), y.creator is None]


def backward_from_intermediate(lib):
    x = lib.tensor([1.0, 2.0])
    y = x * 2
    z = y * 3
    y.backward()
    return [_grad(x), _invalid(z.backward)]


def views_do_not_null_gradients(lib):
    x = lib.tensor([1.0, 2.0, 3.0])
    (x * x).sum().backward()
    out = [_grad(x)]
    views = [x[1:], x.T, x.reshape(3, 1)]
    out.append(_grad(x))
    views.append(x + 1)
    return out + [_grad(x)]


def null_gradients_is_deprecated(lib):
    x = lib.tensor([1.0, 2.0])
    (x * 2).sum().backward()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        x.null_gradients()
    return [[w.category.__name__ for w in caught], _grad(x)]


def str_is_repr(lib):
    return [str(t) == repr(t) for t in (lib.tensor(1.0), lib.tensor([[1.0, 2.0]]),
                                        lib.tensor([1, 2]))]


def refused_ufuncs(lib):
    x = lib.tensor([1.5, -2.5])
    c = lib.tensor([1.5, -2.5], constant=True)
    out = []
    for f in (np.floor, np.ceil, np.sign, np.rint, np.trunc):
        out += [_error(lambda f=f: f(x)), type(f(c)).__name__]
    for f in (np.floor_divide, np.divmod):
        out += [_error(lambda f=f: f(x, 2.0))]
    out += [_error(lambda: x // 2), type(np.equal(x, 1.5)).__name__,
            type(np.greater(x, 1.5)).__name__, np.argmax(x), np.isnan(x).tolist()]
    return out


def ufunc_out_and_where(lib):
    x = lib.tensor([1.0, 2.0, 3.0])
    y = lib.tensor([-1.0, -1.0, -1.0])
    r = np.exp(x, where=[False, True, True], out=y)
    r.backward()
    out = [r is y, y.data.copy(), _grad(x)]
    x = lib.tensor([1.0, 2.0, 3.0])
    z = lib.tensor([-1.0, -1.0, -1.0]) * 1
    np.multiply(x, x, out=z)
    (z * 2).sum().backward()
    out += [z.data, _grad(x)]
    x = lib.tensor([1.0, 2.0])
    a = np.ones(2)
    np.add(x, 1, out=a)
    return out + [a]


def items_and_scalars(lib):
    x = lib.tensor([3.0])
    c = lib.tensor([3.0], constant=True)  # float() of a variable refuses here (README)
    return [x.item(), type(x.item()).__name__, float(c), int(c),
            _error(lambda: lib.tensor([1.0, 2.0]).item()),
            _error(lambda: float(lib.tensor([1.0, 2.0]))), 2.0 in lib.tensor([1.0, 2.0]),
            bool(lib.tensor([[1.0, 0.0]]).any())]


def copies(lib):
    x = lib.tensor([1.0, 2.0])
    (x * x).sum().backward()
    c = x.copy()
    y = x * 2
    d = y.copy()
    e = y.copy(constant=True)
    import copy as copy_module
    f = copy_module.copy(y)
    return [c.creator is None, _grad(c), np.shares_memory(c.data, x.data), d.creator is None,
            d.constant, e.constant, f.creator is None, f.data]


def astype_copy_false(lib):
    x = lib.tensor([1.0, 2.0])
    same = x.astype("float64", copy=False) is x
    other = x.astype("float32", copy=False)
    cast = lib.tensor([1.7, -2.2]).astype(int)
    return [same, other.dtype, other.constant, cast.data, cast.constant,
            _error(lambda: x.astype(int, casting="safe"))]


def iteration(lib):
    x = lib.tensor([[1.0, 2.0], [3.0, 4.0]])
    rows = list(x)
    sum(r.sum() for r in rows).backward()
    return [len(rows), _grad(x), _error(lambda: iter(lib.tensor(1.0)))]


SEMANTICS = [nonscalar_backward, second_graph_cleared, clear_graph_then_downstream,
             backward_from_intermediate, views_do_not_null_gradients,
             null_gradients_is_deprecated, str_is_repr, refused_ufuncs, ufunc_out_and_where,
             items_and_scalars, copies, astype_copy_false, iteration]


@needs_mygrad
@pytest.mark.parametrize("scenario", SEMANTICS, ids=lambda s: s.__name__)
def test_semantics_match_mygrad(scenario):
    _same(scenario(autograd_src), scenario(mygrad))


def test_errors_have_mygrads_names():
    from autograd_src.tensors import errors
    x = mg.tensor([1.0, 2.0])
    f, g = x * 2, x * 3
    f.backward()
    with pytest.raises(errors.InvalidBackprop):
        g.backward()
    with pytest.raises(errors.InvalidGradient):
        (x * 2).backward(np.ones(3))
    if mygrad is not None:
        assert {n for n in dir(mygrad.errors) if not n.startswith("_")} <= set(errors.__all__)
    assert issubclass(errors.InvalidBackprop, RuntimeError)


# ----- where we differ from MyGrad on purpose (see the README) -----


def test_float64_by_default():
    assert mg.zeros(2).dtype == np.float64 and mg.ones(2).dtype == np.float64
    if mygrad is not None:
        assert mygrad.zeros(2).dtype == np.float32


def _tie_gradients(lib):
    x = lib.tensor([1.0, 3.0, 3.0])
    lib.max(x).backward()
    a = _grad(x)
    x = lib.tensor([1.0, 2.0])
    lib.maximum(x, x).backward()
    b = _grad(x)
    x = lib.tensor([0.0, 1.0, 2.0, 3.0])
    lib.clip(x, 1.0, 2.0).backward()
    return [a, b, _grad(x)]


def test_tie_conventions_are_the_rule_tables():
    # The rule table's (grad's too): max shares the gradient among the tied
    # entries; maximum(x, x) has the gradient of x; clip passes it at its bounds.
    _same(_tie_gradients(mg), [np.array([0.0, 0.5, 0.5]), np.array([1.0, 1.0]),
                               np.array([0.0, 1.0, 1.0, 0.0])])
    if mygrad is not None:
        _same(_tie_gradients(mygrad), [np.array([0.0, 1.0, 0.0]), np.array([0.0, 0.0]),
                                       np.array([0.0, 0.0, 0.0, 0.0])])


def test_astype_stays_in_the_graph():
    x = mg.tensor([1.0, 2.0])
    y = x.astype("float32")
    (y * 2).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])
    if mygrad is not None:
        x = mygrad.tensor([1.0, 2.0])
        y = x.astype("float32")
        (y * 2).sum().backward()
        assert x.grad is None


def test_remainder_is_differentiated():
    x = mg.tensor([1.5, 2.5])
    (x % 1.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0])
    if mygrad is not None:
        with pytest.raises(TypeError):
            mygrad.tensor([1.5, 2.5]) % 1.0
