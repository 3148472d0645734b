"""Adjoints of reductions: sums, means, extremes, variances, products, cumulative
sums, with ``axis`` and ``keepdims``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .core import shape_of
from .elementwise import inverse_permutation

__all__ = ["keep_reduced_dims", "unreduce", "unmean", "unextreme", "unvar", "unstd", "unprod",
           "uncumsum", "unextreme_first"]


def _normalize_axes(axis: Any, ndim: int) -> tuple[int, ...]:
    if axis is None or ndim == 0:  # (NumPy reduces a 0-d array along axis 0 or -1 too)
        return tuple(range(ndim))
    if isinstance(axis, (int, np.integer)):
        axis = (axis,)
    return tuple(sorted(int(a) % ndim if ndim else 0 for a in axis))


def keep_reduced_dims(g: Any, x: Any, axis: Any, keepdims: bool) -> Any:
    """Reinsert the reduced axes of ``g`` as length-1 axes."""
    if keepdims or axis is None:
        return g
    return np.expand_dims(g, _normalize_axes(axis, np.ndim(x)))


def unreduce(g: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Spread the gradient of a sum over ``axis`` back to the shape of ``x``."""
    shape = shape_of(x)
    if axis is None and shape and shape_of(g) in ((), (1,) * len(shape)):
        # np.empty + fill is several times faster than np.full on small arrays.
        out = np.empty(shape, dtype=x.dtype if isinstance(x, np.ndarray)
                       else np.result_type(g, np.asarray(x)))  # (or a list)
        out.fill(g if not shape_of(g) else np.ravel(g)[0])
        return out
    g = keep_reduced_dims(g, x, axis, keepdims)
    if not shape:  # the gradient of a 0-d array is one, of a NumPy scalar a scalar
        if isinstance(x, (np.ndarray, np.generic)) and type(x) is not np.float64:
            value = np.asarray(g, dtype=np.result_type(g, x)).reshape(())
            return value if isinstance(x, np.ndarray) else value[()]
        return g if shape_of(g) == () else np.reshape(g, ())
    return np.broadcast_to(g, shape).copy()


def _count(x: Any, axis: Any) -> int:
    shape = shape_of(x)
    if axis is None:
        return math.prod(shape)
    return math.prod(shape[a] for a in _normalize_axes(axis, len(shape)))


def unmean(g: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Gradient of ``mean(x, axis)``."""
    return unreduce(g / _count(x, axis), x, axis, keepdims)


def unextreme(g: Any, ans: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Gradient of ``max``/``min``: split evenly between tied extreme entries."""
    ans = keep_reduced_dims(ans, x, axis, keepdims)
    g = keep_reduced_dims(g, x, axis, keepdims)
    hits = np.asarray(x) == ans
    count = np.sum(hits, axis=None if axis is None else _normalize_axes(axis, np.ndim(x)),
                   keepdims=True)
    # (selected, not multiplied by the mask: an infinite g, sqrt(max(x)) at 0, gives
    # the entries not taken 0, as maximum's operands get)
    # (no entry at the extreme where a constant initial= is it: none gets any)
    return np.where(hits, g / np.maximum(count, 1).astype(np.result_type(g, x)), 0.0)


def unvar(g: Any, x: Any, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> Any:
    """Gradient of ``var(x, axis, ddof)``."""
    if np.size(x) == 0:  # no entries: an empty gradient (NumPy's value is nan)
        return np.zeros(np.shape(x))
    g = keep_reduced_dims(g, x, axis, keepdims)
    norm_axes = None if axis is None else _normalize_axes(axis, np.ndim(x))
    centred = x - np.mean(x, axis=norm_axes, keepdims=True)
    # (a Python float, which keeps float32 values float32; no more entries than ddof
    # gives NumPy's nan, not ZeroDivisionError)
    n = _count(x, axis) - ddof  # (a fractional ddof, as NumPy takes it: 2 - 0.5)
    n = int(n) if float(n).is_integer() else float(n)
    return g * centred * (2.0 / n if n else float("nan"))


def degrees(ddof: Any, correction: Any) -> Any:
    """The degrees of freedom taken off: NumPy 2's ``correction=`` where given, else
    ``ddof``."""
    return ddof if correction is None else correction


def unstd(g: Any, ans: Any, x: Any, axis: Any = None, ddof: int = 0,
          keepdims: bool = False) -> Any:
    """Gradient of ``std(x, axis, ddof)``.

    Where the spread is zero (one element, or all alike) the gradient is 0: with
    one element ``std`` is constant, and otherwise 0 is the subgradient at the
    tip of the cone, as for ``abs`` and ``norm`` at 0 (the textbook formula gives
    0/0 = nan).
    """
    ans = keep_reduced_dims(ans, x, axis, keepdims)
    g = keep_reduced_dims(g, x, axis, keepdims)
    flat = ans == 0
    scale = np.where(flat, 0.0, g / (2 * np.where(flat, 1, ans)))
    return unvar(scale, x, axis, ddof, keepdims=True)


def _exclusive_products(x: np.ndarray, axis: int) -> np.ndarray:
    """Product of all the other entries along ``axis``, exact when entries are zero."""
    ones = np.ones_like(np.take(x, [0], axis=axis))
    before = np.cumprod(np.concatenate([ones, np.delete(x, -1, axis=axis)], axis=axis), axis=axis)
    flipped = np.flip(x, axis=axis)
    after = np.cumprod(np.concatenate([ones, np.delete(flipped, -1, axis=axis)], axis=axis),
                       axis=axis)
    return before * np.flip(after, axis=axis)


def unprod(g: Any, ans: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Gradient of ``prod(x, axis)``, exact where ``x`` has zeros."""
    x = np.asarray(x)
    g = keep_reduced_dims(g, x, axis, keepdims)
    if x.ndim == 0:
        return g * np.ones_like(x)
    if x.size == 0:  # no entries: an empty gradient
        return np.zeros(x.shape, dtype=np.result_type(g, x, np.float64))
    axes = _normalize_axes(axis, x.ndim)
    rest = tuple(a for a in range(x.ndim) if a not in axes)
    moved = np.transpose(x, rest + axes)
    flat = moved.reshape(moved.shape[: len(rest)] + (-1,))
    others = _exclusive_products(flat, -1).reshape(moved.shape)
    others = np.transpose(others, inverse_permutation(rest + axes))
    return g * others


def uncumsum(g: Any, x: Any, axis: Any = None) -> Any:
    """Gradient of ``cumsum(x, axis)``: a reversed cumulative sum."""
    if axis is None or np.ndim(x) == 0:
        return np.flip(np.cumsum(np.flip(np.ravel(g)))).reshape(shape_of(x))
    return np.flip(np.cumsum(np.flip(g, axis), axis), axis)


def unextreme_first(g: Any, ans: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Gradient of ``max``/``min`` as MyGrad gives it: all of ``g`` to the first entry
    (in C order over the reduced axes) equal to the extreme."""
    x = np.asarray(x)
    g = keep_reduced_dims(g, x, axis, keepdims)
    ans = keep_reduced_dims(ans, x, axis, keepdims)
    axes = _normalize_axes(axis, x.ndim)
    rest = tuple(a for a in range(x.ndim) if a not in axes)
    moved = np.transpose(x == ans, rest + axes)
    flat = moved.reshape(moved.shape[:len(rest)] + (-1,))
    first = np.zeros(flat.shape, dtype=bool)
    np.put_along_axis(first, np.argmax(flat, axis=-1)[..., None], True, axis=-1)
    first = np.transpose(first.reshape(moved.shape), inverse_permutation(rest + axes))
    return np.where(first, g, 0.0)
