"""HIPS autograd's listed call forms, as a table both engines are checked on.

Each `Form` is one call form of HIPS autograd's test lists (``tests/test_systematic.py``,
``test_numpy.py``, ``test_linalg.py``, ``test_scalar_ops.py``, ``test_binary_ops.py``,
``test_scipy.py``), expanded as its ``combo_check`` expands them (every combination of
the arguments and keywords listed), plus the forms issue 11 lists that those files do
not. The table is built from the facts of those lists (functions, shapes, keywords,
input ranges); the code is this project's. Forms HIPS autograd checks on complex
numbers, or through higher derivatives, are left out: this project differentiates
real values, once.

``OUT`` lists the forms that stay out, each with the reason.
"""

from __future__ import annotations

import itertools
import linecache
import math
import operator
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

try:  # SciPy is optional: its forms are listed only when it is installed
    import scipy.special as sp
    import scipy.stats as stats
except ImportError:  # pragma: no cover - exercised without the test extra
    sp = stats = None


@dataclass
class Form:
    """One call form: ``body`` computes the value from parameters ``a, b, c, ...``."""

    name: str
    group: str            # the HIPS test file (or "issue" for the issue's own list)
    body: str             # Python statements ending in ``return ...``, or one expression
    args: tuple
    wrt: tuple
    symmetric: bool = False  # the input is a symmetric matrix: perturb it symmetrically
    namespace: dict = field(default_factory=dict)

    @property
    def params(self) -> list[str]:
        return list("abcdefgh"[:len(self.args)])


_RNG = np.random.default_rng(0)


def R(*shape: int) -> Any:
    """A standard normal array of ``shape`` (a Python float for no shape)."""
    return float(_RNG.standard_normal()) if not shape else _RNG.standard_normal(shape)


def U(low: float, high: float, *shape: int) -> Any:
    return float(_RNG.uniform(low, high)) if not shape else _RNG.uniform(low, high, shape)


def psd(n: int, batch: tuple = ()) -> np.ndarray:
    m = _RNG.standard_normal(batch + (n, n))
    return m @ np.swapaxes(m, -1, -2) + n * np.eye(n)


def _fmt(value: Any) -> str:
    if isinstance(value, float) and math.isinf(value):
        return "np.inf" if value > 0 else "-np.inf"
    return repr(value)


def _kw(kwargs: dict) -> str:
    return "".join(f", {k}={_fmt(v)}" for k, v in kwargs.items())


FORMS: list[Form] = []


def add(name: str, group: str, body: str, args: tuple, wrt: tuple = (0,), **extra: Any) -> None:
    FORMS.append(Form(name, group, body, tuple(args), tuple(wrt), **extra))


def combos(call: str, group: str, wrt: tuple, arg_lists: list, label: str = "",
           **kw_lists: list) -> None:
    """Every combination of ``arg_lists`` and ``kw_lists``, as ``combo_check`` forms them."""
    keys = list(kw_lists)
    for values in itertools.product(*arg_lists, *[kw_lists[k] for k in keys]):
        args, kws = values[:len(arg_lists)], dict(zip(keys, values[len(arg_lists):]))
        params = ", ".join("abcdefgh"[:len(args)])
        shapes = ",".join(str(np.shape(a)) if not isinstance(a, str) else repr(a)
                          for a in args)
        add(f"{label or call}({shapes}{_kw(kws)})", group, f"{call}({params}{_kw(kws)})",
            args, wrt)


# ----- test_systematic.py -----

SYS = "test_systematic"
_x, _A = 3.5, R()
_B, _C, _D = R(3), R(2, 3), R(1, 3)
for _fn in ["max", "mean", "min", "sum", "prod", "var", "std"]:
    combos(f"np.{_fn}", SYS, (0,), [[_x, _A]])
    combos(f"np.{_fn}", SYS, (0,), [[_B, _C, _D]], axis=[None, 0], keepdims=[True, False])
    combos(f"np.{_fn}", SYS, (0,), [[_C, _D]], axis=[None, 0, 1], keepdims=[True, False])


def _lim(lims: list, x: Any) -> Any:
    return x * (lims[1] - lims[0]) + lims[0]


def unary(call: str, group: str, lims: Optional[list] = None, label: str = "") -> None:
    lims = lims or [-2, 2]
    values = [_lim(lims, 1.0), _lim(lims, 0.4), _lim(lims, _RNG.random(2)),
              _lim(lims, _RNG.random((3, 2))), _lim(lims, _RNG.random((1, 2)))]
    combos(call, group, (0,), [values], label=label)


for _name, _lims in [("abs", [0.1, 4.0]), ("absolute", [0.1, 4.0]), ("arccosh", [1.1, 4.0]),
                     ("arcsinh", [-0.9, 0.9]), ("arctanh", [-0.9, 0.9]),
                     ("ceil", [-1.4, 1.4]), ("cos", None), ("cosh", None), ("deg2rad", None),
                     ("degrees", None), ("exp", None), ("exp2", None), ("expm1", None),
                     ("fabs", None), ("floor", [-1.4, 1.4]), ("log", [0.2, 2.0]),
                     ("log10", [0.2, 2.0]), ("log1p", [0.2, 2.0]), ("log2", [0.2, 2.0]),
                     ("rad2deg", None), ("radians", None), ("sign", None), ("sin", None),
                     ("sinh", None), ("sqrt", [1.0, 3.0]), ("square", None),
                     ("tan", [-1.1, 1.1]), ("tanh", None), ("real", None),
                     ("real_if_close", None), ("imag", None), ("conj", None), ("angle", None)]:
    unary(f"np.{_name}", SYS, _lims)


def binary(call: str, group: str, lims_a: Optional[list] = None,
           lims_b: Optional[list] = None, same_args: bool = True, label: str = "") -> None:
    lims_a, lims_b = lims_a or [-2, 2], lims_b or [-2, 2]
    if same_args:
        pairs = [(0.6, 0.6), (1.0, 1.0), (_RNG.random(2),) * 2, (_RNG.random((3, 2)),) * 2,
                 (_RNG.random((1, 2)),) * 2]
    else:
        pairs = [(0.6, 0.7), (2.0, 3.0), (_RNG.random(2), _RNG.random(2)),
                 (_RNG.random((3, 2)), _RNG.random((3, 2))),
                 (_RNG.random((1, 2)), _RNG.random((1, 2)))]
    a_values = [_lim(lims_a, p[0]) for p in pairs]
    b_values = [_lim(lims_b, p[1]) for p in pairs]
    combos(call, group, (0, 1), [a_values, b_values], label=label)


binary("np.add", SYS)
binary("np.logaddexp", SYS)
binary("np.logaddexp2", SYS)
binary("np.remainder", SYS, [-0.9, 0.9], [0.7, 1.9], same_args=False)
binary("np.true_divide", SYS, None, [0.8, 1.2])
binary("np.mod", SYS, None, [0.8, 2.1], same_args=False)
binary("np.true_divide", SYS, None, [-0.3, -2.0], label="np.true_divide_neg")
binary("np.mod", SYS, None, [-0.3, -2.0], same_args=False, label="np.mod_neg")
binary("operator.mul", SYS)
binary("operator.add", SYS)
binary("operator.sub", SYS)
binary("operator.mod", SYS, None, [0.3, 2.0], same_args=False)
binary("operator.mod", SYS, None, [-0.3, -2.0], same_args=False, label="operator.mod_neg")

combos("np.transpose", SYS, (0,), [[R(2, 3, 4)]],
       axes=[None, [0, 1, 2], [0, 2, 1], [2, 0, 1], [2, 1, 0], [1, 0, 2], [1, 2, 0]])
combos("np.repeat", SYS, (0,), [[R(2, 3, 4), R(3, 1)]], repeats=[0, 1, 2], axis=[None, 0, 1])
combos("np.diff", SYS, (0,), [[R(5, 5), R(5, 5, 5)]], n=[1, 2], axis=[0, 1])
combos("np.diff", SYS, (0,), [[R(1), R(1, 1)]], axis=[0])
combos("np.diff", SYS, (0,), [[R(1, 1), R(3, 1)]], axis=[1])
combos("np.tile", SYS, (0,), [[R(2, 1, 3, 1)]], reps=[(1, 4, 1, 2)])
combos("np.tile", SYS, (0,), [[R(1, 2)]], reps=[(1, 2), (2, 3), (3, 2, 1)])
combos("np.tile", SYS, (0,), [[R(1)]], reps=[(2,), 2])
combos("np.kron", SYS, (0, 1), [[R(5, 5), R(4, 4)], [R(3, 3), R(2, 2)]])
combos("np.inner", SYS, (0, 1), [[1.5, R(3), R(2, 3)], [0.3, R(3), R(4, 3)]])
combos("np.dot", SYS, (0, 1), [[1.5, R(3), R(2, 3), R(2, 2, 3)], [0.3, R(3), R(3, 4), R(2, 3, 4)]])
combos("np.matmul", SYS, (0, 1), [[R(3), R(2, 3), R(2, 2, 3)], [R(3), R(3, 4), R(2, 3, 4)]])
combos("np.tensordot", SYS, (0, 1), [[R(1, 3), R(2, 3, 2)], [R(3), R(3, 1), R(3, 4, 2)]],
       axes=[[(1,), (0,)]])
combos("np.tensordot", SYS, (0, 1), [[R(3), R(3, 1), R(3, 4, 2)], [R(1, 3), R(2, 3, 2)]],
       axes=[[(0,), (1,)]])
combos("np.tensordot", SYS, (0, 1), [[R(2, 3), R(2, 3, 4)], [R(1, 2, 3), R(2, 2, 3, 4)]],
       axes=[[(0, 1), (1, 2)], [(1, 0), (2, 1)]])
combos("np.tensordot", SYS, (0, 1), [[R(2, 2), R(4, 2, 2)], [R(2, 2), R(2, 2, 4)]], axes=[1, 2])
combos("np.tensordot", SYS, (0, 1), [[R(4)], [np.asarray(R())]], axes=[0])
combos("np.tensordot", SYS, (0, 1), [[R(2, 6)], [R(6, 3)]], axes=[[[-1], [0]]])
for _fn in ["maximum", "fmax", "minimum", "fmin"]:
    combos(f"np.{_fn}", SYS, (0, 1), [[R(1), R(1, 4), R(3, 4)], [R(1), R(1, 4), R(3, 4)]])
combos("np.sort", SYS, (0,), [[R(1), R(7)]])
combos("np.partition", SYS, (0,), [[R(7), R(14)]], kth=[0, 3, 6])
for _fn in ["atleast_1d", "atleast_2d"]:
    combos(f"np.{_fn}", SYS, (0,), [[1.2, R(1), R(7), R(1, 4), R(2, 4), R(2, 4, 5)]])
combos("np.atleast_3d", SYS, (0,), [[1.2, R(1), R(7), R(1, 4), R(2, 4), R(2, 4, 5),
                                     R(2, 4, 3, 5)]])
combos("np.einsum", SYS, (1,), [["ij->ji"], [R(1, 1), R(4, 4), R(3, 4)]])
combos("np.einsum", SYS, (1, 2), [["ij,jk->ik"], [R(2, 3)], [R(3, 4)]])
combos("np.einsum", SYS, (1, 2), [["...ij,...jk->...ik"], [R(2, 3), R(2, 2, 3)],
                                  [R(3, 4), R(2, 3, 4)]])
combos("np.einsum", SYS, (1, 2), [["ijk,lji->lki"], [R(3, 4, 4)], [R(4, 4, 3)]])
combos("np.einsum", SYS, (1, 2), [["...jk,...lj->...lk", "...,...->..."], [R(4, 4), R(3, 4, 4)],
                                  [R(4, 4), R(3, 4, 4)]])
combos("np.einsum", SYS, (1, 2), [["jk...,lj...->lk..."], [R(3, 2), R(3, 2, 4)],
                                  [R(2, 3), R(2, 3, 4)]])
combos("np.einsum", SYS, (1, 2), [["j...k,lj...->lk..."], [R(2, 2), R(2, 2, 2)],
                                  [R(2, 2), R(2, 2, 2)]])
combos("np.einsum", SYS, (1, 2, 3), [["ijk,lji,lli->lki"], [R(3, 4, 4)], [R(4, 4, 3)],
                                     [R(4, 4, 3)]])
combos("np.trace", SYS, (0,), [[R(5, 5), R(4, 5), R(5, 4), R(3, 4, 5)]], offset=[-1, 0, 1])
combos("np.diag", SYS, (0,), [[R(5, 5), R(5)]], k=[-1, 0, 1])
for _fn in ["tril", "triu"]:
    combos(f"np.{_fn}", SYS, (0,), [[R(5, 5), R(5, 5, 4)]], k=[-1, 0, 1])
combos("np.swapaxes", SYS, (0,), [[R(3, 4, 5)]], axis1=[0, 1, 2], axis2=[0, 1, 2])
combos("np.rollaxis", SYS, (0,), [[R(2, 3, 4)]], axis=[0, 1, 2], start=[0, 1, 2, 3])
combos("np.cross", SYS, (0, 1), [[R(3, 3)], [R(3, 3)]], axisa=[-1, 0, 1], axisb=[-1, 0, 1],
       axisc=[-1, 0, 1], axis=[None, -1, 0, 1])

_SPLIT_BODY = """parts = {call}
total = 0.0
for k in range(len(parts)):
    total = total + np.sum(parts[k] * parts[k]) * (k + 1.0)
return total"""


def split_forms(fn: str, arrays: list, sections: list, axes: Optional[list] = None) -> None:
    for x, s, axis in itertools.product(arrays, sections, axes or [None]):
        keyword = "" if axis is None else f", axis={axis}"
        call = f"np.{fn}(a, {s!r}{keyword})"
        add(f"np.{fn}({np.shape(x)}, {s!r}{keyword})", SYS, _SPLIT_BODY.format(call=call), (x,))


split_forms("vsplit", [R(4, 8), R(4, 4, 4)], [2, [1, 2]])
split_forms("hsplit", [R(4, 8), R(4, 4, 4)], [2, [1, 2]])
split_forms("dsplit", [R(4, 4, 4)], [2, [1, 2]])
split_forms("split", [R(1), R(7)], [1], [0])
split_forms("split", [R(4, 8)], [4, [1, 2]], [0, 1])
split_forms("split", [R(4, 4, 4)], [2, [1, 2]], [0, 1, 2])
split_forms("array_split", [R(1), R(7)], [1, 3], [0])
split_forms("array_split", [R(7, 7)], [4, [3, 5]], [0, 1])
split_forms("array_split", [R(7, 7, 7)], [4, [3, 5]], [0, 1, 2])

combos("np.concatenate", SYS, (0, 1), [[R(1)], [R(3)]], label="np.concatenate_list",
       axis=[0])
FORMS[-1].body = "np.concatenate([a, b], axis=0)"
combos("np.concatenate", SYS, (0, 1), [[R(1)], [R(3)]], axis=[0])
FORMS[-1].body = "np.concatenate((a, b), axis=0)"
for _shape, _axes in [((2, 2), [0, 1]), ((2, 2, 2), [0, 1, 2])]:
    for _axis in _axes:
        add(f"np.concatenate(({_shape}, {_shape}), axis={_axis})", SYS,
            f"np.concatenate((a, b), axis={_axis})", (R(*_shape), R(*_shape)), (0, 1))
for _fn, _cases in [("vstack", [(R(2),), (R(2), R(2)), (R(2, 3),), (R(2, 4), R(1, 4)),
                                (R(2, 3, 4),), (R(2, 3, 4), R(5, 3, 4))]),
                    ("hstack", [(R(2),), (R(2), R(2)), (R(3, 2),), (R(3, 4), R(3, 5)),
                                (R(2, 3, 4),), (R(2, 1, 4), R(2, 5, 4))]),
                    *([("row_stack", [(R(2),), (R(2), R(2)), (R(2, 3),), (R(2, 4), R(1, 4))])]
                      if hasattr(np, "row_stack") else []),  # gone from NumPy 2.5
                    ("column_stack", [(R(2),), (R(2), R(2)), (R(2, 2),), (R(2, 2), R(2, 2))])]:
    for _arrays in _cases:
        if len(_arrays) == 1:  # one array: NumPy reads its rows as the sequence
            add(f"np.{_fn}({np.shape(_arrays[0])})", SYS, f"np.{_fn}(a)", _arrays)
        else:
            add(f"np.{_fn}(({', '.join(str(np.shape(x)) for x in _arrays)}))", SYS,
                f"np.{_fn}((a, b))", _arrays, (0, 1))
for _arrays in [(R(2),), (R(2), R(2))]:
    for _axis in [0, 1]:
        params = ", ".join("ab"[:len(_arrays)])
        add(f"np.stack({len(_arrays)} x (2,), axis={_axis})", SYS,
            f"np.stack(({params},), axis={_axis})", _arrays, tuple(range(len(_arrays))))
_conds = [R(3, 4, 5) > 0 for _ in range(3)]
for _default in [0.0, 1.1]:
    add(f"np.select(3 x (3, 4, 5), default={_default})", SYS,
        f"np.select(CONDS, [a, b, c], default={_default})", (R(3, 4, 5), R(3, 4, 5), R(3, 4, 5)),
        (0, 1, 2), namespace={"CONDS": _conds})

# ----- test_numpy.py -----

NP = "test_numpy"
_mat1, _mat2, _vect1, _vect2, _vect3 = R(10, 11), R(10, 11), R(10), R(11), R(11)
for _label, _args in [("mat.vect", (_mat1, _vect2)), ("mat.mat", (_mat1, _mat2.T)),
                      ("vect.mat", (_vect1, _mat1)), ("vect.vect", (_vect2, _vect3)),
                      ("mat.float", (_mat1, R())), ("float.mat", (R(), _mat1)),
                      ("vect.float", (_vect1, R())), ("float.vect", (R(), _vect1))]:
    add(f"np.dot {_label}", NP, "np.dot(a, b)", _args, (0, 1))
for _ in range(3):
    add("np.outer", NP, "np.outer(a, b)", (R(11), R(11)), (0, 1))
for _body, _shape in [
        ("np.max(a)", (10, 11)), ("np.max(a, axis=1)", (3, 4, 5)),
        ("np.max(a, axis=1, keepdims=True)", (3, 4, 5)), ("np.min(a)", (10, 11)),
        ("np.min(a, axis=1)", (3, 4, 5)), ("np.min(a, axis=1, keepdims=True)", (3, 4, 5)),
        ("np.sum(a)", (10, 11)), ("np.sum(a, axis=0)", (10, 11)),
        ("np.sum(a, axis=0, keepdims=True)", (10, 11)), ("np.sum(a, axis=(1, 2))", (10, 11, 7)),
        ("np.flipud(a)", (10, 11)), ("np.fliplr(a)", (10, 11)), ("np.rot90(a)", (10, 11)),
        ("np.cumsum(a, axis=0)", (10, 11)), ("np.cumsum(a)", (10,)), ("np.cumsum(a)", (10, 11)),
        ("np.mean(a)", (10, 11)), ("np.mean(a, axis=0)", (10, 11)),
        ("np.mean(a, axis=0, keepdims=True)", (10, 11)), ("a[3, 0, 1]", (5, 6, 4)),
        ("a[::-1, 2:4, :]", (5, 6, 4)), ("a[[0, 1, 2], :, :]", (5, 6, 4)),
        ("a[3, 2:, [1, 3]]", (5, 6, 4)), ("a[2:4]", (5,)),
        ("a[::-1, 2:4, :] + a[::-1, 3:5, :]", (5, 6, 4)), ("a[2:6][1:3]", (7,)),
        ("a.reshape((5 * 4, 6))", (5, 6, 4)), ("np.reshape(a, (5 * 4, 6))", (5, 6, 4)),
        ("a.reshape(5 * 4, 6)", (5, 6, 4)), ("a.ravel()", (5, 6, 4)), ("np.ravel(a)", (5, 6, 4)),
        ("a.flatten()", (5, 6, 4)), ("np.concatenate((C564, a))", (4, 6, 4)),
        ("np.concatenate((C564, a, C564))", (5, 6, 4)),
        ("np.concatenate((C564, a, C564), axis=1)", (5, 6, 4)),
        ("np.concatenate((C564, a, C564), 1)", (5, 6, 4)),
        ("np.trace(a, offset=3)", (10, 11)), ("np.trace(a, offset=-4)", (11, 10)),
        ("np.trace(a, offset=2)", (5, 6, 4, 3)), ("np.diag(a)", (10, 10)), ("a.T", (8, 8)),
        ("np.roll(a, 2, axis=1)", (4, 5)), ("np.roll(a, 2)", (4, 5)),
        ("np.triu(a, k=2)", (5, 5)), ("np.tril(a, k=2)", (5, 5)),
        ("np.clip(a, a_min=0.1, a_max=1.1)", (5, 5)),
        ("np.squeeze(a)", (5, 1, 4)), ("a.squeeze()", (5, 1, 4)),
        ("np.repeat(a, 2, axis=1)", (5, 3, 4)), ("np.repeat(a, 1, axis=1)", (5, 3, 4)),
        ("np.repeat(a, 2, axis=0)", (5, 3)), ("np.repeat(a, 2, axis=0)", (5,)),
        ("np.repeat(a, 1, axis=0)", (5, 1)), ("np.expand_dims(a, 2)", (5, 1, 4)),
        ("np.sum(a[[0, 0]])", (3,)), ("np.sum(a[[0, 1, 0]])", (3,)),
        ("np.dot(a[:2], a[2:])", (4,)), ("np.diagonal(a, axis1=-1, axis2=-2)", (4, 4)),
        ("np.diagonal(a, axis1=-1, axis2=-2)", (3, 4, 4)),
        ("np.sum(np.sin(np.nan_to_num(a + NANS)))", (4,)),
        ("np.r_[a]", (3, 2)), ("np.r_[a, a]", (3, 2)), ("np.r_[a, C32]", (3, 2)),
        ("np.r_[a, C32, a]", (3, 2)), ("np.r_[a, C10, 1:10]", (10,)),
        ("np.c_[a, C32, a]", (3, 2))]:
    add(_body, NP, _body, (R(*_shape),),
        namespace={"C564": R(5, 6, 4), "C32": R(3, 2), "C10": R(10),
                   "NANS": np.array([0.0, np.nan, np.inf, -np.inf])})
for _shape in [(2, 3), (2, 3), (2, 3), (7,)]:
    add("np.prod(a)", NP, "np.prod(a)", (R(*_shape) ** 2 / 10.0 + 0.1,))
add("np.prod(a, axis=0)", NP, "np.prod(a, axis=0)", (R(2, 3) ** 2 + 0.1,))
add("np.prod(a, axis=0, keepdims=True)", NP, "np.prod(a, axis=0, keepdims=True)",
    (R(2, 3) ** 2 + 0.1,))
add("sum([a, b])", NP, "sum([a, b])", (R(10, 11), R(10, 11)), (0, 1))
for _body in ["np.array([a, a * 1.0, a + 2.5])",
              "np.array([[a, a * 1.0, a + 2.5], [a ** 2, a, a / 2.0]])", "np.array(a)"]:
    add(_body, NP, _body, (3.0,))
for _body in ["np.array([a, a])", "np.array([[2 * a, a + 1], [a, a]])"]:
    add(_body, NP, _body, (R(3, 2),))
for _ddof_cases in [([R(3), R(3, 4), R(1, 3)], [None], [0, 1]), ([R(3, 4), R(1, 3)], [None, 1],
                                                                 [2])]:
    for _fn in ["var", "std"]:
        combos(f"np.{_fn}", NP, (0,), [_ddof_cases[0]], axis=_ddof_cases[1],
               keepdims=[True, False], ddof=_ddof_cases[2])
add("np.where(MASK, a, b)", NP, "np.where(MASK, a, b)", (R(4, 5), R(4, 5)), (0, 1),
    namespace={"MASK": R(4, 5) > 0})
add("np.tensordot(a * ones, a * ones, 2)", NP,
    "np.tensordot(a * np.ones((2, 2)), a * np.ones((2, 2)), 2)", (1.0,))
for _point in [1.0]:
    add("np.max(np.array([a, a]))", NP, "np.max(np.array([a, a]))", (_point,))
for _point in [1.0, -1.0]:
    add("np.max(tie rows, axis=1)", NP, "np.max(np.array([[a, a], [a, 0.5]]), axis=1)",
        (_point,))
    add("np.min(3-way ties, axis=0)", NP,
        "np.min(np.array([[a, a, a], [a, 0.5, 0.5], [0.5, 0.5, 0.5], [a, a, 0.5]]), axis=0)",
        (_point,))
add("np.maximum(a, a)", NP, "np.maximum(a, a)", (1.0,))
for _point in [1.0, -1.0, 2.0]:
    add("np.maximum(ties 2d)", NP,
        "np.maximum(np.array([a, a, 0.5]), np.array([[a, 0.5, a], [a, a, 0.5]]))", (_point,))
for _num in [0, 1, 5]:
    for _start, _stop in [(1.2, 3.4), (1.2, -3.4), (1.2, 1.2)]:
        add(f"np.linspace(a, b, {_num})", NP, f"np.linspace(a, b, {_num})", (_start, _stop),
            (0, 1))

# ----- test_linalg.py -----

LA = "test_linalg"
_m = R(8, 8)
add("inv", LA, "np.linalg.inv(a)", (_m @ _m + np.eye(8),))
add("inv 3d", LA, "np.linalg.inv(a)", (R(4, 4, 4) + 5 * np.eye(4),))
add("inv 4d", LA, "np.linalg.inv(a)", (R(4, 4, 4, 4) + 5 * np.eye(4),))
add("solve arg1", LA, "np.linalg.solve(a, B87)", (R(8, 8) + 10 * np.eye(8),),
    namespace={"B87": R(8, 7)})
add("solve arg1 1d", LA, "np.linalg.solve(a, B8)", (R(8, 8) + 10 * np.eye(8),),
    namespace={"B8": R(8)})
add("solve arg2", LA, "np.linalg.solve(A66, a)", (R(6, 5),),
    namespace={"A66": R(6, 6) + np.eye(6)})
add("solve arg1 3d", LA, "np.linalg.solve(a, B54[..., None])[..., 0]",
    (R(5, 4, 4) + 5 * np.eye(4),), namespace={"B54": R(5, 4)})
add("solve arg1 3d 3d", LA, "np.linalg.solve(a, B546)", (R(5, 4, 4) + 5 * np.eye(4),),
    namespace={"B546": R(5, 4, 6)})
add("det", LA, "np.linalg.det(a)", (R(6, 6),))
add("det 3d", LA, "np.linalg.det(a)", (R(3, 3, 3),))
_s = R(6, 6)
add("slogdet", LA, "sign, logdet = np.linalg.slogdet(a)\nreturn logdet", (_s,))
add("slogdet of -a", LA, "sign, logdet = np.linalg.slogdet(a)\nreturn logdet", (-_s,))
add("slogdet 3d", LA, "np.sum(np.linalg.slogdet(a)[1])", (psd(5, (3,)),))
add("norm vector", LA, "np.linalg.norm(a)", (R(6),))
add("norm frobenius", LA, "np.linalg.norm(a)", (R(6, 5),))
add("norm frobenius axis", LA, "np.linalg.norm(a, axis=(0, 1))", (R(6, 5, 4),))
for _ord in [2, 3, 4]:
    add(f"norm ord={_ord}", LA, f"np.linalg.norm(a, ord={_ord})", (R(6),))
for _axis in [0, 1, 2]:
    add(f"norm axis={_axis}", LA, f"np.linalg.norm(a, axis={_axis})", (R(6, 5, 4),))
add("norm nuc", LA, "np.linalg.norm(a, ord='nuc')", (R(6, 5),))
add("norm nuc axis", LA, "np.linalg.norm(a, ord='nuc', axis=(0, 1))", (R(6, 5, 4),))
_EIGH = "w, v = np.linalg.eigh(a{uplo})\nreturn np.sum(w) + np.sum(v * V_SEED)"
for _uplo in ["", ", 'U'"]:
    add(f"eigh{_uplo}", LA, _EIGH.format(uplo=_uplo), (psd(6),), symmetric=True,
        namespace={"V_SEED": R(6, 6)})
    add(f"eigh{_uplo} broadcasting", LA, _EIGH.format(uplo=_uplo), (psd(6, (2, 3)),),
        symmetric=True, namespace={"V_SEED": R(6, 6)})
add("cholesky", LA, "np.linalg.cholesky(a)", (psd(6),), symmetric=True)
add("cholesky broadcast", LA, "np.linalg.cholesky(a)", (psd(6, (3,)),), symmetric=True)
add("cholesky reparameterization", LA, "np.linalg.norm(np.dot(np.linalg.cholesky(a), Z6))",
    (psd(6),), symmetric=True, namespace={"Z6": R(6)})
_SVD = ("u, s, v = np.linalg.svd(a, full_matrices=False)\n"
        "return np.sum(u * U_SEED) + np.sum(s) + np.sum(v * V_SEED)")
for _shape in [(3, 5), (4, 3, 5), (4, 4), (3, 4, 4), (5, 3), (4, 5, 3)]:
    k = min(_shape[-2:])
    add(f"svd {_shape}", LA, _SVD, (R(*_shape),),
        namespace={"U_SEED": R(_shape[-2], k), "V_SEED": R(k, _shape[-1])})
for _shape in [(5, 3), (4, 5, 3)]:
    add(f"svd s only {_shape}", LA, "np.linalg.svd(a, full_matrices=False, compute_uv=False)",
        (R(*_shape),))

# ----- test_scalar_ops.py and test_binary_ops.py -----

SC = "test_scalar_ops"
for _name, _x in [("abs", -4.3), ("sin", 4.3), ("sign", 4.3), ("exp", 4.3), ("log", 4.3),
                  ("log2", 4.3), ("log10", 4.3), ("log1p", 4.3), ("expm1", 4.3), ("exp2", 4.3),
                  ("negative", 4.3), ("cos", 4.3), ("tan", 4.3), ("cosh", 4.3), ("sinh", 4.3),
                  ("tanh", 4.3), ("arccos", 0.3), ("arcsin", 0.3), ("arctan", 0.3),
                  ("arccosh", 1.3), ("arcsinh", 0.3), ("arctanh", 0.3), ("sqrt", 4.3),
                  ("reciprocal", 4.3), ("rad2deg", 4.3), ("deg2rad", 4.3), ("radians", 4.3),
                  ("degrees", 4.3), ("sinc", 4.3)]:
    add(f"np.{_name}(float)", SC, f"np.{_name}(a)", (_x,))
for _body, _args, _wrt in [("np.power(a, 3.0)", (4.3,), (0,)), ("np.power(3.0, a)", (4.3,), (0,)),
                           ("np.power(a, 0.0)", (0.0,), (0,)), ("np.power(a, 0.0)", (1.7,), (0,)),
                           ("np.mod(a, 3.0)", (4.3,), (0,)), ("np.mod(10.0, a)", (4.3,), (0,)),
                           ("np.divide(a, 3.0)", (4.3,), (0,)),
                           ("np.divide(3.0, a)", (4.3,), (0,)),
                           ("np.multiply(a, 3.0)", (4.3,), (0,)),
                           ("np.multiply(3.0, a)", (4.3,), (0,)),
                           ("np.true_divide(a, 3.0)", (4.3,), (0,)),
                           ("np.true_divide(3.0, a)", (4.3,), (0,))]:
    add(_body, SC, _body, _args, _wrt)
BIN = "test_binary_ops"
for _op, _lims in [("operator.mul", None), ("operator.add", None), ("operator.sub", None),
                   ("operator.truediv", (0.5, 2.0)), ("operator.mod", (0.5, 2.0)),
                   ("operator.pow", (0.5, 2.0)), ("np.arctan2", (0.5, 2.0)),
                   ("np.hypot", (0.5, 2.0))]:
    lo, hi = _lims or (-2.0, 2.0)
    for _a, _b in [(U(0.5, 2.0), U(lo, hi)), (U(0.5, 2.0), U(lo, hi, 3)),
                   (U(0.5, 2.0, 3), U(lo, hi)), (U(0.5, 2.0, 2, 3), U(lo, hi, 2, 3))]:
        add(f"{_op}({np.shape(_a)}, {np.shape(_b)})", BIN, f"{_op}(a, b)", (_a, _b), (0, 1))

# ----- test_scipy.py (scipy.special, scipy.stats.norm) -----

SCI = "test_scipy"
if sp is not None:
    for _fn in ["pdf", "cdf", "logpdf", "logcdf"]:
        add(f"stats.norm.{_fn}", SCI, f"stats.norm.{_fn}(a, b, c)",
            (R(4), R(4), R(4) ** 2 + 1.1), (0, 1, 2))
        add(f"stats.norm.{_fn} broadcast", SCI, f"stats.norm.{_fn}(a, b, c)",
            (R(4, 3), R(1, 3), R(4, 1) ** 2 + 1.1), (0, 1, 2))
    combos("sp.logsumexp", SCI, (0,), [[1.1, R(4), R(3, 4)]], axis=[None, 0],
           keepdims=[True, False])
    combos("sp.logsumexp", SCI, (0,), [[R(3, 4), R(4, 5, 6), R(1, 5)]], axis=[None, 0, 1],
           keepdims=[True, False])
    for _shape, _axes in [((4,), [None, 0]), ((3, 4), [None, 0, 1]), ((2, 3, 4), [None, 0, 1])]:
        for _axis, _keep in itertools.product(_axes, [True, False]):
            add(f"sp.logsumexp({_shape}, b=..., axis={_axis}, keepdims={_keep})", SCI,
                f"sp.logsumexp(a, b=WEIGHTS, axis={_axis}, keepdims={_keep})", (R(*_shape),),
                namespace={"WEIGHTS": np.exp(R(*_shape))})
    add("sp.logsumexp(axis=1, keepdims=True)", SCI, "sp.logsumexp(a, axis=1, keepdims=True)",
        (R(1, 5),))
    add("sp.polygamma(0, x)", SCI, "sp.polygamma(0, a)", (R(4) ** 2 + 1.3,))
    add("sp.jn(2, x)", SCI, "sp.jn(2, a)", (R(4) ** 2 + 1.3,))
    add("sp.yn(2, x)", SCI, "sp.yn(2, a)", (R(4) ** 2 + 1.3,))
    for _name, _lims in [("psi", [0.3, 2.0]), ("digamma", [0.3, 2.0]), ("gamma", [0.3, 2.0]),
                         ("gammaln", [0.3, 2.0]), ("gammasgn", [0.3, 2.0]),
                         ("rgamma", [0.3, 2.0]), ("j0", [0.2, 20.0]), ("j1", [0.2, 20.0]),
                         ("y0", [0.2, 20.0]), ("y1", [0.2, 20.0]), ("erf", [-3.0, 3.0]),
                         ("erfc", [-3.0, 3.0]), ("erfinv", [-0.95, 0.95]),
                         ("erfcinv", [0.05, 1.95])]:
        unary(f"sp.{_name}", SCI, _lims)
    combos("sp.multigammaln", SCI, (0,), [[U(4.0, 5.0), U(4.0, 5.0, 2, 3)], [1, 2, 3]])

# ----- The issue's list, where the files above do not list it -----

ISSUE = "issue"
for _name, _x in [("erf", 0.7), ("erfc", -0.4), ("lgamma", 2.3), ("gamma", 1.7),
                  ("exp2", 0.9), ("cbrt", 2.2), ("degrees", 1.1), ("radians", 40.0)]:
    if hasattr(math, _name):
        add(f"math.{_name}", ISSUE, f"math.{_name}(a)", (_x,))
add("math.fmod", ISSUE, "math.fmod(a, b)", (5.3, 1.7), (0, 1))
add("math.copysign", ISSUE, "math.copysign(a, b)", (1.3, -2.0), (0,))
add("math.log(x, base)", ISSUE, "math.log(a, 3.0)", (2.5,))
add("math.ldexp", ISSUE, "math.ldexp(a, 3)", (0.7,))
add("math.remainder", ISSUE, "math.remainder(a, b)", (5.3, 1.7), (0, 1))
add("math.fsum", ISSUE, "math.fsum([a, a * a, 2.0])", (0.7,))
add("math.prod", ISSUE, "math.prod([a, b, 2.0])", (0.7, -1.3), (0, 1))
add("math.dist", ISSUE, "math.dist([a, b], [0.5, 2.0])", (0.7, -1.3), (0, 1))
add("np.sinc", ISSUE, "np.sinc(a)", (R(5),))
add("np.sinc at 0", ISSUE, "np.sinc(a)", (np.array([0.0, 0.5]),))
add("np.kron 1d", ISSUE, "np.kron(a, b)", (R(3), R(2)), (0, 1))
add("np.einsum trace", ISSUE, "np.einsum('ii', a)", (R(3, 3),))
add("np.einsum 4 operands", ISSUE, "np.einsum('ij,jk,kl,l->i', a, b, c, d)",
    (R(2, 3), R(3, 4), R(4, 2), R(2)), (0, 1, 2, 3))
add("np.cross 2-vectors", ISSUE, "np.cross(a, b)", (R(4, 2), R(4, 2)), (0, 1))
add("np.cross 2 and 3", ISSUE, "np.cross(a, b)", (R(4, 2), R(3)), (0, 1))
add("np.cumprod", ISSUE, "np.cumprod(a, axis=1)", (R(3, 4),))
add("np.cumprod flat", ISSUE, "np.cumprod(a)", (R(2, 3),))
add("np.cumprod zeros", ISSUE, "np.cumprod(a, axis=0)", (np.array([[1.5, 0.0], [0.0, 2.0],
                                                                    [3.0, -1.0]]),))
add("np.diff prepend", ISSUE, "np.diff(a, prepend=0.0, append=PAD2)", (R(4),),
    namespace={"PAD2": R(2)})
for _body in ["np.gradient(a)", "np.gradient(a, 0.5)", "np.gradient(a, COORDS)",
              "np.gradient(a, edge_order=2)"]:
    add(_body, ISSUE, _body, (R(6),), namespace={"COORDS": np.cumsum(U(0.5, 1.5, 6))})
add("np.gradient 2d", ISSUE, "g0, g1 = np.gradient(a)\nreturn np.sum(g0 * g0) + np.sum(g1)",
    (R(3, 4),))
add("np.gradient 2d axis", ISSUE, "np.gradient(a, 2.0, axis=1)", (R(3, 4),))
for _body in ["np.pad(a, 1)", "np.pad(a, ((1, 2), (0, 1)), constant_values=3.0)",
              "np.pad(a, 2, mode='edge')", "np.pad(a, 2, mode='reflect')",
              "np.pad(a, (1, 2), mode='symmetric')", "np.pad(a, 3, mode='wrap')"]:
    add(_body, ISSUE, _body, (R(3, 4),))
add("np.roll tuple", ISSUE, "np.roll(a, (1, -2), axis=(0, 1))", (R(3, 4),))
add("np.rot90 k=3", ISSUE, "np.rot90(a, 3, axes=(1, 2))", (R(2, 3, 4),))
add("np.append", ISSUE, "np.append(a, b)", (R(2, 3), R(4)), (0, 1))
add("np.append axis", ISSUE, "np.append(a, b, axis=1)", (R(2, 3), R(2, 2)), (0, 1))
add("np.take", ISSUE, "np.take(a, [0, 2, 2])", (R(2, 3),))
add("np.take axis", ISSUE, "np.take(a, [[1, 0], [1, 1]], axis=1)", (R(2, 3),))
add("np.compress", ISSUE, "np.compress([True, False, True], a, axis=1)", (R(2, 3),))
add("np.diagonal offset", ISSUE, "np.diagonal(a, 1, 0, 2)", (R(3, 2, 4),))
add("np.sort axis", ISSUE, "np.sort(a, axis=0)", (R(4, 3),))
add("np.sort flat", ISSUE, "np.sort(a, axis=None)", (R(2, 3),))
add("np.partition 2d", ISSUE, "np.partition(a, 1, axis=1)", (R(3, 4),))
add("np.mean of a list", ISSUE, "np.mean([a, b])", (R(3), R(3)), (0, 1))
add("np.linalg.norm of a list", ISSUE, "np.linalg.norm([a, b, 2.0])", (1.5, -0.5), (0, 1))
add("np.dot 3d 3d", ISSUE, "np.dot(a, b)", (R(2, 2, 3), R(4, 3, 2)), (0, 1))
add("np.power(x, 0) at 0", ISSUE, "np.power(a, 0.0)", (np.array([0.0, 1.0]),))
for _ord in [1, -1, np.inf, -np.inf, 0.5, 1.5]:
    add(f"norm vector ord={_ord}", ISSUE, f"np.linalg.norm(a, ord={_fmt(_ord)})", (R(5),))
for _ord in ["fro", "nuc", 2, -2, 1, -1, np.inf, -np.inf]:
    add(f"norm matrix ord={_ord}", ISSUE, f"np.linalg.norm(a, ord={_fmt(_ord)})", (R(4, 3),))
    add(f"norm batched ord={_ord}", ISSUE,
        f"np.linalg.norm(a, ord={_fmt(_ord)}, axis=(1, 2))", (R(2, 4, 3),))
add("norm at zero", ISSUE, "np.linalg.norm(a) + np.sum(a)", (np.zeros(3),))
add("std at zero spread", ISSUE, "np.std(a, axis=1) + np.sum(a)", (np.ones((2, 3)),))
add("eigvalsh", ISSUE, "np.linalg.eigvalsh(a)", (psd(4),), symmetric=True)
add("eig real", ISSUE, "w, v = np.linalg.eig(a)\nreturn np.sum(w) + np.sum(v * V_SEED)",
    (psd(4) + np.triu(R(4, 4), 1) * 0.1,), namespace={"V_SEED": R(4, 4)})
add("eig batched", ISSUE, "np.sum(np.linalg.eig(a)[0] ** 2)", (psd(3, (2,)),))
add("svd full square", ISSUE,
    "u, s, vh = np.linalg.svd(a)\nreturn np.sum(u * U_SEED) + np.sum(s) + np.sum(vh * V_SEED)",
    (R(4, 4),), namespace={"U_SEED": R(4, 4), "V_SEED": R(4, 4)})
add("svd full, s only used", ISSUE, "u, s, vh = np.linalg.svd(a)\nreturn np.sum(s ** 2)",
    (R(5, 3),))
add("pinv", ISSUE, "np.linalg.pinv(a)", (R(5, 3),))
add("pinv wide", ISSUE, "np.linalg.pinv(a)", (R(3, 5),))
add("pinv batched", ISSUE, "np.linalg.pinv(a)", (R(2, 4, 3),))
add("qr", ISSUE, "q, r = np.linalg.qr(a)\nreturn np.sum(q * Q_SEED) + np.sum(r * R_SEED)",
    (R(5, 3),), namespace={"Q_SEED": R(5, 3), "R_SEED": R(3, 3)})
add("qr square batched", ISSUE, "q, r = np.linalg.qr(a)\nreturn np.sum(q) + np.sum(r ** 2)",
    (R(2, 3, 3),))
add("lstsq", ISSUE, "x, res, rank, sv = np.linalg.lstsq(a, b)\nreturn np.sum(x) + np.sum(res)",
    (R(6, 3), R(6)), (0, 1))
add("lstsq 2d", ISSUE, "np.linalg.lstsq(a, b)[0]", (R(6, 3), R(6, 2)), (0, 1))
for _n in [0, 1, 3, -2]:
    add(f"matrix_power n={_n}", ISSUE, f"np.linalg.matrix_power(a, {_n})",
        (R(3, 3) + 3 * np.eye(3),))
add("matrix_power batched", ISSUE, "np.linalg.matrix_power(a, 2)", (R(2, 3, 3),))
if sp is not None:
    for _body, _args, _wrt in [
            ("sp.expit(a)", (R(5),), (0,)), ("sp.logit(a)", (U(0.1, 0.9, 5),), (0,)),
            ("sp.beta(a, b)", (U(0.5, 3, 4), U(0.5, 3, 4)), (0, 1)),
            ("sp.betaln(a, b)", (U(0.5, 3, 4), U(0.5, 3, 1)), (0, 1)),
            ("sp.xlogy(a, b)", (R(4), U(0.5, 2, 4)), (0, 1)),
            ("sp.xlog1py(a, b)", (R(4), U(0.5, 2, 4)), (0, 1)),
            ("sp.softmax(a, axis=1)", (R(3, 4),), (0,)), ("sp.softmax(a)", (R(3, 4),), (0,)),
            ("sp.log_softmax(a, axis=0)", (R(3, 4),), (0,)),
            ("sp.logsumexp(a with -inf)", (R(3),), (0,)),
            ("sp.i0(a)", (R(4),), (0,)), ("sp.i1(a)", (R(4),), (0,)),
            ("sp.iv(1.5, a)", (U(0.5, 2, 4),), (0,)), ("sp.ive(2, a)", (R(4),), (0,)),
            ("sp.ndtr(a)", (R(4),), (0,)), ("sp.log_ndtr(a)", (R(4) * 5,), (0,)),
            ("sp.ndtri(a)", (U(0.1, 0.9, 4),), (0,))]:
        body = "sp.logsumexp(a + NEG_INF)" if "-inf" in _body else _body
        add(_body, ISSUE, body, _args, _wrt, namespace={"NEG_INF": np.array([0, -np.inf, 0])})

# ----- Out, and why -----

#: Forms of HIPS autograd's lists left out of `FORMS`, with the reason.
OUT = {
    "complex inputs (unary, binary, stat checks with complex values; np.real/imag/conj/angle "
    "on complex)": "this project differentiates real values (README: complex numbers not "
                   "supported)",
    "second derivatives (every combo_check also checks grad of grad)":
        "higher-order derivatives are not supported (README)",
    "np.msort": "removed from NumPy 2",
    "np.einsum sublist form (test_einsum2_*, 5 tests)":
        "refused by the transformer with a clear error (write the subscripts as a string)",
    "np.make_diagonal": "HIPS autograd's own function, not NumPy's",
    "np.all, np.any (stat_check)": "boolean results carry no gradient",
    "scipy.stats t, multivariate_normal, dirichlet; scipy.signal.convolve; scipy.linalg "
    "(sqrtm, solve_triangular); scipy.special gammainc/betainc":
        "not in issue 11's list: no rules yet (a call raises NoRuleError naming it)",
}

NAMESPACE = {"np": np, "math": math, "operator": operator, "sp": sp, "stats": stats}


def define(form: Form, index: int) -> Any:
    """The form as a function defined from source kept in linecache, so grad can read it."""
    body = form.body if "return" in form.body else f"return {form.body}"
    text = f"def form_{index}({', '.join(form.params)}):\n" + "".join(
        f"    {line}\n" for line in body.splitlines())
    filename = f"<parity form {index}: {' '.join(form.name.split())}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    namespace = dict(NAMESPACE, **form.namespace)
    exec(compile(text, filename, "exec"), namespace)
    return namespace[f"form_{index}"]
