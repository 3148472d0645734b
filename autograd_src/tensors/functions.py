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
from .tensor import Tensor

__all__: list[str] = []  # filled in below, one name per wrapped primitive

# NumPy functions exposed as mg.<name>: everything the rule table differentiates,
# and the functions without gradient that users reach for next to them.
_DIFFERENTIABLE = [
    "add", "subtract", "multiply", "divide", "true_divide", "power", "negative", "positive",
    "remainder", "matmul", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh",
    "tanh", "arcsinh", "arccosh", "arctanh", "exp", "exp2", "expm1", "log", "log2", "log10",
    "log1p", "sqrt", "cbrt", "square", "reciprocal", "absolute", "fabs", "maximum", "minimum",
    "fmax", "fmin", "hypot", "arctan2", "logaddexp", "logaddexp2", "where", "clip", "sum",
    "mean", "prod", "max", "min", "amax", "amin", "var", "std", "cumsum", "dot", "vdot",
    "inner", "outer", "trace", "einsum", "transpose", "reshape", "ravel", "squeeze",
    "expand_dims", "broadcast_to", "swapaxes", "moveaxis", "flip", "tile", "repeat",
    "concatenate", "stack", "hstack", "vstack", "copy",
]
_CONSTANT = ["floor", "ceil", "round", "rint", "trunc", "sign", "argmax", "argmin",
             "argsort", "isnan", "isinf", "isfinite"]


def wrap_primitive(name: str, primitive: Any) -> Callable[..., Tensor]:
    """``mg.<name>``: ``primitive`` on tensors, with NumPy's signature plus ``constant=``."""
    def function(*args: Any, constant: Optional[bool] = None, **kwargs: Any) -> Tensor:
        return backprop.apply(Tensor, primitive, args, kwargs, constant)

    function.__name__ = function.__qualname__ = name
    function.__module__ = "autograd_src"
    function.__doc__ = (
        f"``{registry.primitive_name(primitive)}`` on tensors, recorded for backpropagation.\n\n"
        "Takes NumPy's arguments, plus ``constant=True`` to make the result a constant.\n"
        "Its derivative is the rule `grad` uses for the same NumPy function.")
    function.__wrapped__ = primitive  # inspect.signature shows NumPy's signature
    function.__autograd_src_primitive__ = primitive  # grad resolves mg.<name> to it
    return function


def _export(namespace: dict, names: list[str], source: Any) -> list[str]:
    exported = []
    for name in names:
        namespace[name] = wrap_primitive(name, getattr(source, name))
        exported.append(name)
    return exported


__all__ += _export(globals(), _DIFFERENTIABLE + _CONSTANT, np)
abs = wrap_primitive("abs", np.absolute)  # noqa: A001 - MyGrad's name
astype = wrap_primitive("astype", runtime.astype)
getitem = wrap_primitive("getitem", operator.getitem)
__all__ += ["abs", "astype"]


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
    """A tensor filled with ``fill_value``."""
    return _create(np.full(shape, backprop.unwrap(fill_value), dtype=dtype), None, constant)


def zeros_like(other: Any, dtype: Any = None, *, constant: Optional[bool] = None) -> Tensor:
    """Zeros shaped like ``other``."""
    return _create(np.zeros_like(backprop.unwrap(other), dtype=dtype), None, constant)


def ones_like(other: Any, dtype: Any = None, *, constant: Optional[bool] = None) -> Tensor:
    """Ones shaped like ``other``."""
    return _create(np.ones_like(backprop.unwrap(other), dtype=dtype), None, constant)


def full_like(other: Any, fill_value: Any, dtype: Any = None, *,
              constant: Optional[bool] = None) -> Tensor:
    """``fill_value`` shaped like ``other``."""
    return _create(np.full_like(backprop.unwrap(other), backprop.unwrap(fill_value),
                                dtype=dtype), None, constant)


def eye(N: int, M: Optional[int] = None, k: int = 0, dtype: Any = float, *,
        constant: Optional[bool] = None) -> Tensor:
    """A 2-D tensor with ones on a diagonal."""
    return _create(np.eye(N, M, k, dtype=dtype), None, constant)


def identity(n: int, dtype: Any = float, *, constant: Optional[bool] = None) -> Tensor:
    """The identity matrix as a tensor."""
    return _create(np.identity(n, dtype=dtype), None, constant)


__all__ += ["linspace", "arange", "zeros", "ones", "empty", "full", "zeros_like",
            "ones_like", "full_like", "eye", "identity"]
