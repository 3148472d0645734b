"""The ``mg.*`` functions: NumPy's functions on tensors, each backed by the shared rule table.

Every function here calls the NumPy primitive of the same name on the tensors'
data and records the operation; its derivative is the primitive's rule, the one
`grad` inlines. ``grad`` given a function written with ``mg.*`` calls resolves
each call back to its NumPy primitive.
"""

from __future__ import annotations

import operator
from typing import Any, Callable, Optional

import numpy as np

from ..rules import registry, runtime
from . import backprop
from .tensor import Tensor, refuse_variables

__all__: list[str] = []  # filled in below, one name per wrapped primitive

# NumPy functions without gradient exposed as mg.<name>. As in MyGrad they return
# NumPy results, and those that only look differentiable (`REFUSED`) refuse
# non-constant tensors instead of quietly giving no gradient.
_CONSTANT = ["floor", "ceil", "round", "rint", "trunc", "sign", "argmax", "argmin",
             "argsort", "isnan", "isinf", "isfinite", "signbit", "equal", "not_equal",
             "greater", "greater_equal", "less", "less_equal", "logical_and", "logical_or",
             "logical_not", "logical_xor", "any", "allclose", "isclose", "shape",
             "shares_memory", "may_share_memory", "result_type", "can_cast",
             "floor_divide", "divmod", "min_scalar_type", "isnat"]
# Rule-table functions that mg.<name> does not wrap: mg.asarray gives the NumPy data
# (MyGrad's meaning), and linspace is a creation function below.
_NOT_WRAPPED = {"array", "asarray", "linspace"}


def wrap_primitive(name: str, primitive: Any) -> Callable[..., Tensor]:
    """``mg.<name>``: ``primitive`` on tensors, with NumPy's signature plus ``constant=``."""
    in_place = isinstance(primitive, np.ufunc)  # (takes out= and where=)

    def function(*args: Any, constant: Optional[bool] = None, **kwargs: Any) -> Tensor:
        if in_place and ("out" in kwargs or "where" in kwargs):
            # as np.<ufunc>(..., out=y) on tensors (MyGrad's in-place form), or into an
            # array: NumPy hands it to Tensor.__array_ufunc__
            result = primitive(*args, **kwargs)
            if isinstance(result, Tensor):
                return result if constant is None or "out" in kwargs else \
                    _with_constant(result, constant)
            return Tensor(result, constant=True if constant is None else constant)
        return backprop.apply(Tensor, primitive, args, kwargs, constant)

    function.__name__ = function.__qualname__ = name
    function.__module__ = "autograd_src"
    function.__doc__ = (
        f"``{registry.primitive_name(primitive)}`` on tensors, recorded for backpropagation.\n\n"
        "Takes NumPy's arguments, plus ``constant=True`` to make the result a constant.\n"
        "Its derivative is the rule `grad` uses for the same NumPy function.")
    function.__wrapped__ = primitive  # inspect.signature shows NumPy's signature
    function.__autograd_src_primitive__ = primitive  # grad resolves mg.<name> to it
    if in_place:  # mg.maximum.accumulate(t): the ufunc's methods, which take tensors
        for method in ("reduce", "accumulate", "outer", "at", "reduceat"):
            setattr(function, method, getattr(primitive, method))
    return function


def wrap_no_gradient(name: str, function: Any) -> Callable[..., Any]:
    """``mg.<name>`` for a NumPy function without gradient: NumPy's result, from the data."""
    def no_gradient(*args: Any, **kwargs: Any) -> Any:
        refuse_variables(function, args, kwargs)
        return function(*backprop.unwrap(args),
                        **{k: backprop.unwrap(v) for k, v in kwargs.items()})

    no_gradient.__name__ = no_gradient.__qualname__ = name
    no_gradient.__module__ = "autograd_src"
    no_gradient.__doc__ = (f"``{registry.primitive_name(function)}`` on the data of tensors: "
                           "a NumPy result, without gradient.")
    no_gradient.__wrapped__ = function
    no_gradient.__autograd_src_primitive__ = function  # grad reads mg.floor as np.floor
    return no_gradient


def rule_table_functions(module: Any) -> dict[str, Any]:
    """The public functions of ``module`` that the rule table differentiates, by name.

    Read from the table when this module is imported, so a rule added to
    ``rules/`` is ``mg.<name>`` without an edit here (aliases too: ``np.abs``).
    """
    found = {}
    for name in dir(module):
        function = getattr(module, name, None)
        if not name.startswith("_") and callable(function) and not isinstance(function, type) \
                and registry.lookup(function) is not None:
            found[name] = function
    return found


def _export(namespace: dict, functions: dict, wrap: Callable[[str, Any], Any]) -> list[str]:
    for name, function in functions.items():
        namespace[name] = wrap(name, function)
    return list(functions)


_DIFFERENTIABLE = {n: f for n, f in rule_table_functions(np).items() if n not in _NOT_WRAPPED}
__all__ += _export(globals(), _DIFFERENTIABLE, wrap_primitive)
__all__ += _export(globals(), {n: getattr(np, n) for n in _CONSTANT if hasattr(np, n)
                               and n not in _DIFFERENTIABLE}, wrap_no_gradient)
def wrap_composite(name: str, primitive: Any) -> Callable[..., Tensor]:
    """``mg.<name>`` for a NumPy function computed from functions with rules
    (`rules.composites`): that code on tensors (its array arguments made tensors)."""
    # (the array arguments made tensors; np.block's is a nested list of blocks, each
    # read as it is)
    arrays = 2 if primitive in (np.convolve, np.correlate) else \
        0 if primitive is np.block else 1

    def function(*args: Any, constant: Optional[bool] = None, **kwargs: Any) -> Any:
        from .tensor import tensor
        args = tuple(a if k >= arrays or isinstance(a, Tensor) else
                     tensor(a, constant=constant) for k, a in enumerate(args))
        return primitive(*args, **kwargs)

    function.__name__ = function.__qualname__ = name
    function.__module__ = "autograd_src"
    function.__doc__ = (f"``{registry.primitive_name(primitive)}`` on tensors, computed from "
                        "functions with rules (autograd_src.rules.composites), each "
                        "recorded for backpropagation.")
    function.__wrapped__ = primitive
    function.__autograd_src_primitive__ = primitive  # grad reads mg.cov as np.cov
    return function


__all__ += _export(globals(), {
    n: getattr(np, n) for n in dir(np)
    if not n.startswith("_") and n not in _DIFFERENTIABLE and n not in globals()
    and registry.composite(getattr(np, n, None)) is not None}, wrap_composite)
abs = wrap_primitive("abs", np.absolute)  # noqa: A001 - MyGrad's name
astype = wrap_primitive("astype", runtime.astype)
getitem = wrap_primitive("getitem", operator.getitem)
__all__ += ["abs", "astype"]


# ----- MyGrad's functions that NumPy does not have, composed of rule-table operations -----


def _unary(name: str, formula: str, doc: str) -> Callable[..., Tensor]:
    """``mg.<name>``, the expression ``formula`` of NumPy calls and ``x``; grad reads a
    call of it as that expression (``__autograd_src_formula__``)."""
    body = eval(f"lambda x: {formula}", {"np": np})  # noqa: S307 (the formulas below)

    def function(x: Any, *, constant: Optional[bool] = None) -> Tensor:
        return _with_constant(body(x if isinstance(x, Tensor) else Tensor(x, constant=True)),
                              constant)
    function.__name__ = function.__qualname__ = name
    function.__module__ = "autograd_src"
    function.__doc__ = f"{doc}, as in MyGrad; composed of rule-table operations."
    function.__autograd_src_formula__ = formula
    return function


def _with_constant(out: Tensor, constant: Optional[bool]) -> Tensor:
    """``out``, or its values as a tensor of the constant-ness asked for."""
    if constant is None or bool(constant) == out._constant:
        return out
    return Tensor(out._data, constant=constant, copy=False)


sec = _unary("sec", "1 / np.cos(x)", "Secant, ``1 / cos(x)``")
csc = _unary("csc", "1 / np.sin(x)", "Cosecant, ``1 / sin(x)``")
cot = _unary("cot", "1 / np.tan(x)", "Cotangent, ``1 / tan(x)``")
sech = _unary("sech", "1 / np.cosh(x)", "Hyperbolic secant, ``1 / cosh(x)``")
csch = _unary("csch", "1 / np.sinh(x)", "Hyperbolic cosecant, ``1 / sinh(x)``")
coth = _unary("coth", "1 / np.tanh(x)", "Hyperbolic cotangent, ``1 / tanh(x)``")
arcsec = _unary("arcsec", "np.arccos(1 / x)", "Inverse secant, ``arccos(1 / x)``")
arccsc = _unary("arccsc", "np.arcsin(1 / x)", "Inverse cosecant, ``arcsin(1 / x)``")
arccot = _unary("arccot", "np.arctan(1 / x)", "Inverse cotangent, ``arctan(1 / x)``")
arccoth = _unary("arccoth", "np.arctanh(1 / x)",
                 "Inverse hyperbolic cotangent, ``arctanh(1 / x)``")
arccsch = _unary("arccsch", "np.arcsinh(1 / x)",
                 "Inverse hyperbolic cosecant, ``arcsinh(1 / x)``")
__all__ += ["sec", "csc", "cot", "sech", "csch", "coth", "arcsec", "arccsc", "arccot",
            "arccoth", "arccsch"]


def _sequence(name: str, operation: Any, variables: tuple, constant: Optional[bool]) -> Tensor:
    if len(variables) < 2:
        raise ValueError(f"`{name}` requires at least two operands")
    out = variables[0]
    for operand in variables[1:]:
        out = backprop.apply(Tensor, operation, (out, operand), {}, None)
    return _with_constant(out, constant)


def add_sequence(*variables: Any, constant: Optional[bool] = None) -> Tensor:
    """``a + b + c + ...`` of two or more operands, as in MyGrad.

    >>> import autograd_src as mg
    >>> mg.add_sequence(mg.tensor(1.0), 2.0, mg.tensor(3.0))
    Tensor(6.)
    """
    return _sequence("add_sequence", np.add, variables, constant)


def multiply_sequence(*variables: Any, constant: Optional[bool] = None) -> Tensor:
    """``a * b * c * ...`` of two or more operands, as in MyGrad."""
    return _sequence("multiply_sequence", np.multiply, variables, constant)


def multi_matmul(tensors: Any, *, constant: Optional[bool] = None) -> Tensor:
    """``A @ B @ C @ ...`` of a sequence of two or more matrices, as in MyGrad
    (1-D ends are treated as ``np.linalg.multi_dot`` treats them)."""
    tensors = list(tensors)
    return _sequence("multi_matmul", np.matmul, tuple(tensors), constant)


__all__ += ["add_sequence", "multiply_sequence", "multi_matmul"]


# ----- creation -----


def _create(values: Any, dtype: Any, constant: Optional[bool]) -> Tensor:
    return Tensor(values, dtype=dtype, constant=constant, copy=False)


def linspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, dtype: Any = None,
             axis: int = 0, *, constant: Optional[bool] = None) -> Tensor:
    """Evenly spaced numbers over an interval, as a tensor.

    >>> import autograd_src as mg
    >>> mg.linspace(0, 10, 5)
    Tensor([ 0. ,  2.5,  5. ,  7.5, 10. ])
    """
    if isinstance(start, Tensor) or isinstance(stop, Tensor):  # recorded, as np.linspace
        out = backprop.apply(Tensor, np.linspace, (start, stop, num),
                             {"endpoint": endpoint, "axis": axis}, constant)
        return out if dtype is None else out.astype(dtype)
    return _create(np.linspace(start, stop, num, endpoint=endpoint, axis=axis), dtype, constant)


def arange(*args: Any, dtype: Any = None, constant: Optional[bool] = None) -> Tensor:
    """``np.arange`` as a tensor (integer ranges are constants)."""
    return _create(np.arange(*args, dtype=dtype), None, constant)


def zeros(shape: Any, dtype: Any = None, *, constant: Optional[bool] = None) -> Tensor:
    """A tensor of zeros."""
    return _create(np.zeros(shape, dtype=dtype or float), None, constant)


def ones(shape: Any, dtype: Any = None, *, constant: Optional[bool] = None) -> Tensor:
    """A tensor of ones."""
    return _create(np.ones(shape, dtype=dtype or float), None, constant)


def empty(shape: Any, dtype: Any = None, *, constant: Optional[bool] = None) -> Tensor:
    """An uninitialised tensor."""
    return _create(np.empty(shape, dtype=dtype or float), None, constant)


def full(shape: Any, fill_value: Any, dtype: Any = None, *,
         constant: Optional[bool] = None) -> Tensor:
    """A tensor filled with ``fill_value`` (a tensor's gradient is the sum of the
    entries')."""
    if isinstance(fill_value, Tensor):
        return backprop.apply(Tensor, np.full, (shape, fill_value), {"dtype": dtype},
                              constant)
    return _create(np.full(shape, fill_value, dtype=dtype), None, constant)


def _like(numpy_like: Any, other: Any, dtype: Any, shape: Any, constant: Optional[bool],
          *fill: Any) -> Tensor:
    # As in MyGrad: a tensor passes on its constant-ness, other data makes a constant.
    if constant is None:
        constant = other._constant if isinstance(other, Tensor) else True
    values = numpy_like(backprop.unwrap(other), *fill, dtype=dtype, shape=shape)
    return _create(values, None, constant or values.dtype.kind != "f")


def zeros_like(other: Any, dtype: Any = None, shape: Any = None, *,
               constant: Optional[bool] = None) -> Tensor:
    """Zeros shaped like ``other``; constant if ``other`` is (or is not a tensor)."""
    return _like(np.zeros_like, other, dtype, shape, constant)


def ones_like(other: Any, dtype: Any = None, shape: Any = None, *,
              constant: Optional[bool] = None) -> Tensor:
    """Ones shaped like ``other``; constant if ``other`` is (or is not a tensor)."""
    return _like(np.ones_like, other, dtype, shape, constant)


def empty_like(other: Any, dtype: Any = None, shape: Any = None, *,
               constant: Optional[bool] = None) -> Tensor:
    """An uninitialised tensor shaped like ``other``."""
    return _like(np.empty_like, other, dtype, shape, constant)


def full_like(other: Any, fill_value: Any, dtype: Any = None, shape: Any = None, *,
              constant: Optional[bool] = None) -> Tensor:
    """``fill_value`` shaped like ``other``; constant if ``other`` is (or is not a tensor)
    and ``fill_value`` is not a tensor (whose gradient is the sum of the entries')."""
    if isinstance(fill_value, Tensor):
        options = {"dtype": dtype} if shape is None else {"dtype": dtype, "shape": shape}
        return backprop.apply(Tensor, np.full_like, (other, fill_value), options, constant)
    return _like(np.full_like, other, dtype, shape, constant, fill_value)


def logspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, base: Any = 10.0,
             dtype: Any = None, axis: int = 0, *, constant: Optional[bool] = None) -> Tensor:
    """Numbers spaced evenly on a log scale, as a tensor."""
    return _create(np.logspace(start, stop, num, endpoint=endpoint, base=base, dtype=dtype,
                               axis=axis), None, constant)


def geomspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, dtype: Any = None,
              axis: int = 0, *, constant: Optional[bool] = None) -> Tensor:
    """Numbers spaced evenly on a log scale (a geometric progression), as a tensor."""
    return _create(np.geomspace(start, stop, num, endpoint=endpoint, dtype=dtype, axis=axis),
                   None, constant)


def eye(N: int, M: Optional[int] = None, k: int = 0, dtype: Any = float, *,
        constant: Optional[bool] = None) -> Tensor:
    """A 2-D tensor with ones on a diagonal."""
    return _create(np.eye(N, M, k, dtype=dtype), None, constant)


def identity(n: int, dtype: Any = float, *, constant: Optional[bool] = None) -> Tensor:
    """The identity matrix as a tensor."""
    return _create(np.identity(n, dtype=dtype), None, constant)


__all__ += ["linspace", "logspace", "geomspace", "arange", "zeros", "ones", "empty", "full",
            "zeros_like", "ones_like", "empty_like", "full_like", "eye", "identity"]


class _IndexJoiner:
    """``mg.r_[...]`` and ``mg.c_[...]``: NumPy's ``np.r_`` and ``np.c_`` on tensors
    (which NumPy's own would convert to arrays, dropping the gradient)."""

    def __init__(self, name: str, joiner: Any) -> None:
        self._name, self._joiner = name, joiner

    def __getitem__(self, key: Any) -> Tensor:
        parts = []
        for item in key if isinstance(key, tuple) else (key,):
            if isinstance(item, str):
                raise ValueError(f"mg.{self._name}[...] takes no string directives: use "
                                 "mg.concatenate([...], axis=...)")
            parts.append(self._joiner[item] if isinstance(item, slice) else item)
        return backprop.apply(Tensor, runtime.index_joined, (parts, self._joiner), {}, None)

    def __repr__(self) -> str:
        return f"autograd_src.{self._name}"


r_ = _IndexJoiner("r_", np.r_)
c_ = _IndexJoiner("c_", np.c_)
__all__ += ["r_", "c_"]


def _special(name: str, scipy_name: str, doc: str) -> Callable[..., Tensor]:
    """``mg.<name>`` for a ``math`` function of one number that NumPy lacks: SciPy's
    ufunc of it on tensors, with the rule grad uses for that ufunc."""
    def function(x: Any, *, constant: Optional[bool] = None) -> Tensor:
        try:
            import scipy.special
        except ImportError:
            raise ImportError(f"mg.{name} is scipy.special.{scipy_name} on tensors: install "
                              "SciPy (pip install scipy)") from None
        return backprop.apply(Tensor, getattr(scipy.special, scipy_name), (x,), {}, constant)

    function.__name__ = function.__qualname__ = name
    function.__module__ = "autograd_src"
    function.__doc__ = (f"{doc} of each entry (``math.{name}`` on tensors), recorded; "
                        f"needs SciPy (``scipy.special.{scipy_name}``).")
    function.__autograd_src_formula__ = f"scipy.special.{scipy_name}(x)"
    return function


erf = _special("erf", "erf", "The error function")
erfc = _special("erfc", "erfc", "The complementary error function")
lgamma = _special("lgamma", "gammaln", "The log of the absolute value of the gamma function")
gamma = _special("gamma", "gamma", "The gamma function")
__all__ += ["erf", "erfc", "lgamma", "gamma"]
