"""Conversions that would silently lose a tensor's gradient are refused (GradientDropped).

NumPy builds arrays out of lists through ``__array__`` (``np.array([t, t])``,
``np.r_[t]``, ``np.mean([t1, t2])``), and ``math.*`` reads a Python float through
``__float__``: no protocol lets the result be a tensor, so the gradient would be lost
without a word. MyGrad converts silently; this engine refuses, for tensors that need
gradients, outside ``no_autodiff``. Every form of the coverage benchmark that reaches
such a conversion must now be right or refused, never wrong.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import autograd_src as mg
from autograd_src.tensors.errors import GradientDropped
from autograd_src.testing import check_grads
from tests import parity_cases as pc

RNG = np.random.default_rng(1313)
#: The forms of the coverage benchmark whose tensors NumPy or Python convert first.
TENSOR_UNSEEN = ("math.", "np.array(", "np.r_", "np.c_", "sum([", "np.mean([",
                 "np.linalg.norm([")


def check_tensor(fn, *args, wrt, plain):
    """The Tensor engine's gradient of ``sum(seed * fn(*args))`` against finite
    differences (a result that is not a variable tensor gives zeros: no gradient)."""
    seed = np.random.default_rng(5).uniform(0.5, 1.5, np.shape(plain(*args)))

    def tensor_grads(*values):
        tensors = list(values)
        for i in wrt:
            tensors[i] = mg.tensor(np.asarray(values[i], dtype=np.float64))
        out = fn(*tensors)
        if isinstance(out, mg.Tensor) and not out.constant:
            out.backward(seed)
        grads = [np.zeros(np.shape(values[i])) if tensors[i].grad is None else tensors[i].grad
                 for i in wrt]
        return grads[0] if len(wrt) == 1 else tuple(grads)

    check_grads(lambda *a: np.sum(seed * plain(*a)), *args,
                wrt=wrt[0] if len(wrt) == 1 else tuple(wrt), df=tensor_grads)

UNSEEN = [(i, f) for i, f in enumerate(pc.FORMS) if any(k in f.body for k in TENSOR_UNSEEN)]


def _valid(index, form):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pc.define(form, index)(*form.args)
        return True
    except Exception:  # noqa: BLE001 - NumPy itself rejects the combination
        return False


UNSEEN = [(i, f) for i, f in UNSEEN if _valid(i, f)]


def test_the_unseen_forms_are_there():
    assert len(UNSEEN) >= 30  # math.*, np.array([...]), np.r_, np.c_, np.mean([...])


@pytest.mark.parametrize("index, form", UNSEEN, ids=[f.name[:80] for _, f in UNSEEN])
def test_forms_numpy_converts_are_right_or_refused(index, form):
    fn = pc.define(form, index)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            check_tensor(fn, *form.args, wrt=form.wrt, plain=pc.define(form, index))
    except GradientDropped as exc:
        assert "mg." in str(exc) and "no_autodiff" in str(exc)


def _variables():
    return mg.tensor(RNG.normal(size=3)), mg.tensor(RNG.uniform(0.5, 1.5))


@pytest.mark.parametrize("conversion", [
    lambda v, s: np.array([v, v]),
    lambda v, s: np.array(v),
    lambda v, s: np.asarray(v),
    lambda v, s: np.r_[v, 1.0],
    lambda v, s: np.c_[v, v],
    lambda v, s: np.mean([v, v]),
    lambda v, s: np.linalg.norm([s, s, 2.0]),
    lambda v, s: np.float64(s),
    lambda v, s: math.erf(s),
    lambda v, s: math.log(s, 3.0),
    lambda v, s: float(s),
    lambda v, s: int(s),
    lambda v, s: complex(s),
    lambda v, s: math.floor(s),
], ids=["array-list", "array", "asarray", "r_", "c_", "mean-list", "norm-list",
        "float64", "math.erf", "math.log", "float", "int", "complex", "math.floor"])
def test_implicit_conversions_of_variables_refuse(conversion):
    v, s = _variables()
    with pytest.raises(GradientDropped, match="silently lose the gradient"):
        conversion(v, s)
    with pytest.raises(TypeError):  # GradientDropped is a TypeError, as NumPy's own are
        conversion(v, s)


def test_formatting_a_variable_gives_its_value():
    v, s = _variables()
    assert f"{s:.3f}" == f"{s.item():.3f}" and f"{s}" == repr(s) == str(s)
    assert f"{mg.tensor(2.0):>6.2f}" == "  2.00"
    with pytest.raises(TypeError):  # as NumPy: no format spec for arrays
        f"{v:.3f}"  # noqa: B018
    with pytest.raises(GradientDropped, match="formats a tensor"):
        "%.3f" % s  # noqa: B018 - %-formatting calls float()


def test_writing_a_variable_into_an_array_refuses():
    v, s = _variables()
    out = np.zeros(3)
    with pytest.raises((GradientDropped, ValueError)):  # NumPy words this one itself
        out[0] = s
    with pytest.raises(GradientDropped):
        out[:] = v


def test_a_new_tensor_from_a_list_of_variables_refuses():
    # mg.tensor([a, b]) would copy the values into a new leaf: mg.stack records them.
    a, b = mg.tensor(1.0), mg.tensor(2.0)
    with pytest.raises(GradientDropped, match="mg.stack"):
        mg.tensor([a, b])
    # One tensor given whole is MyGrad's explicit copy outside the graph.
    assert mg.tensor(a).creator is None and mg.tensor(a) is not a
    assert mg.tensor([mg.tensor(1.0, constant=True), 2.0]).tolist() == [1.0, 2.0]


def test_constants_and_no_autodiff_convert():
    c = mg.tensor([1.0, 2.0], constant=True)
    assert np.array([c, c]).tolist() == [[1.0, 2.0], [1.0, 2.0]]
    assert math.exp(mg.tensor(0.0, constant=True)) == 1.0
    assert float(mg.tensor(2, dtype=int)) == 2.0  # integer tensors are constants
    v, s = _variables()
    with mg.no_autodiff:
        assert np.array_equal(np.array([v, v]), np.stack([v.data, v.data]))
        assert math.erf(s) == math.erf(s.item())
    # The explicit forms of the values, outside any graph: allowed, as in MyGrad.
    assert s.item() == float(s.data) and mg.asarray(v) is v.data and v.tolist()


ALTERNATIVES = [
    (lambda x, y: mg.stack([x, y]) * W, lambda x, y: np.stack([x, y]) * W),
    (lambda x, y: mg.mean([x, y], axis=0), lambda x, y: np.mean([x, y], axis=0)),
    (lambda x, y: mg.concatenate([x, y]) ** 2, lambda x, y: np.concatenate([x, y]) ** 2),
    (lambda x, y: mg.tanh(x) * y, lambda x, y: np.tanh(x) * y),
]
W = RNG.normal(size=(2, 2, 3))


@pytest.mark.parametrize("mg_fn, np_fn", ALTERNATIVES)
def test_the_recorded_alternatives_are_right(mg_fn, np_fn):
    a, b = RNG.normal(size=(2, 3)), RNG.normal(size=(2, 3))
    x, y = mg.tensor(a), mg.tensor(b)
    out = mg_fn(x, y)
    seed = RNG.normal(size=out.shape)
    out.backward(seed)
    check_grads(lambda p, q: np.sum(seed * np_fn(p, q)), a, b, wrt=(0, 1),
                df=lambda p, q: (x.grad, y.grad))


@pytest.mark.parametrize("name, shape", [
    (name, shape) for name in ["vstack", "hstack", "column_stack", "concatenate", "stack"]
    for shape in [(2, 3), (3, 1, 2), (4,)]
    if (name, shape) != ("concatenate", (4,))])  # NumPy refuses to join 0-d rows
def test_a_tensor_given_for_a_sequence_is_its_rows(name, shape):
    # np.vstack(t) reads t as the sequence of its rows, as NumPy does.
    fn = getattr(np, name)
    a = RNG.normal(size=shape)
    seed = RNG.normal(size=fn(a).shape)
    t = mg.tensor(a)
    fn(t).backward(seed)
    check_grads(lambda p: np.sum(seed * fn(p)), a, df=lambda p: t.grad)


@pytest.mark.parametrize("join", [
    lambda a, b: mg.r_[a, 2.0, 0:3, b * a],
    lambda a, b: mg.r_[mg.reshape(a, (3, 1)), np.ones((2, 1))],
    lambda a, b: mg.c_[a, np.ones(3), b],
    lambda a, b: mg.c_[mg.reshape(a, (3, 1)), b],
])
def test_r_and_c_of_tensors_carry_each_items_gradient(join):
    # np.r_[t] converts (refused above); mg.r_ and mg.c_ record the join with the rule
    # grad uses for np.r_ and np.c_
    a, b = RNG.normal(size=3), RNG.normal(size=3)

    def numpy_join(x, y):
        with mg.no_autodiff:
            return mg.asarray(join(mg.tensor(x), mg.tensor(y)))

    check_tensor(join, a, b, wrt=(0, 1), plain=numpy_join)


def test_r_refuses_string_directives():
    with pytest.raises(ValueError, match="string directives"):
        mg.r_["0,2", mg.tensor([1.0]), mg.tensor([2.0])]


@pytest.mark.parametrize("name, plain", [("erf", math.erf), ("erfc", math.erfc),
                                         ("lgamma", math.lgamma), ("gamma", math.gamma)])
def test_math_functions_of_one_number_as_mg_functions(name, plain):
    # math.erf(t) reads a float (refused above); mg.erf is SciPy's ufunc on tensors
    pytest.importorskip("scipy")
    x = np.array([0.3, 1.7, 2.5])
    check_tensor(getattr(mg, name), x, wrt=(0,), plain=np.vectorize(plain))
