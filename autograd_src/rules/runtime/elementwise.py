"""Masks and factors elementwise rules need (clip, power at 0), and casts.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .core import dtype_of, shape_of, unbroadcast, zeros_like

__all__ = ["inverse_permutation", "clip_mask", "log_or_zero", "astype", "cast_like",
           "through_cast",
           "log_of_base", "sinc_grad", "digamma", "power_exponent", "larger_share",
           "kept_share",
           "divide_or_zero", "times_power"]


def inverse_permutation(axes: Any) -> Any:
    """The axes that undo ``transpose(x, axes)``; None stays None. (Negative axes
    count from the end: ``(-1, 0)`` is ``(1, 0)``.)"""
    if axes is None:
        return None
    n = len(axes)
    return tuple(int(i) for i in np.argsort([int(a) % n for a in axes]))


def clip_mask(x: Any, lo: Any, hi: Any) -> Any:
    """Where ``clip(x, lo, hi)`` passes ``x`` through (gradient 1) rather than a bound."""
    inside = np.ones(shape_of(x), dtype=bool)
    if lo is not None:  # a bound may broadcast x to a larger shape: no in-place &=
        inside = inside & (x >= lo)
    if hi is not None:
        inside = inside & (x <= hi)
    return inside


def log_or_zero(x: Any) -> Any:
    """``log(x)`` where ``x > 0``, else 0: the factor in d(x**y)/dy that stays finite at 0."""
    x = np.asarray(x) if not isinstance(x, float) else x
    if isinstance(x, float):
        return math.log(x) if x > 0 else 0.0
    return np.log(np.where(x > 0, x, 1))


def astype(x: Any, dtype: Any) -> Any:
    """``x.astype(dtype)`` as a function, so it can carry a derivative rule."""
    return np.asarray(x).astype(dtype)


def through_cast(g: Any, dtype: Any) -> Any:
    """The adjoint (or tangent) ``g`` through a cast to ``dtype``: itself for a floating
    dtype (or none); zero for an integer or bool one, whose values are piecewise
    constant in the input (``x.astype(int)``, ``np.array(x, dtype=int)``)."""
    if dtype is None or np.dtype(dtype).kind in "fc":
        return g
    if np.dtype(dtype).kind in "OUSV":
        raise TypeError(f"a differentiated value was cast to dtype {np.dtype(dtype)}: grad "
                        "cannot follow the Python objects or text its items became; keep it "
                        "a float array")
    return np.zeros(np.shape(g)) if isinstance(g, np.ndarray) else 0.0


def cast_like(g: Any, x: Any) -> Any:
    """``g`` in the dtype of ``x`` (the gradient of a cast)."""
    return np.asarray(g).astype(dtype_of(x), copy=False)


def log_of_base(base: Any) -> float:
    """``log(base)``, 1.0 for no base (``math.log(x)``): the factor in d log_b(x) / dx."""
    return 1.0 if base is None else math.log(base)


# d/dt (sin t / t) = (t cos t - sin t) / t**2 = sum over k >= 1 of
# (-1)**k 2k t**(2k - 1) / (2k + 1)!: its coefficients for |t| < 1, where the closed
# form cancels (all its digits at t = 1e-8).
_SINC_SERIES = [(-1) ** k * 2 * k / math.factorial(2 * k + 1) for k in range(1, 10)]


def _dsinc_t(t: Any) -> Any:
    """``(t cos t - sin t) / t**2`` in float64: the series for |t| < 1, else the closed form."""
    t = np.asarray(t, dtype=np.float64)
    t2 = t * t
    series = np.zeros_like(t)
    for c in reversed(_SINC_SERIES):
        series = series * t2 + c
    series = series * t
    safe = np.where(np.abs(t) < 1, 1.0, t)
    closed = (safe * np.cos(safe) - np.sin(safe)) / (safe * safe)
    return np.where(np.abs(t) < 1, series, closed)


def sinc_grad(x: Any) -> Any:
    """The derivative of ``np.sinc(x) = sin(pi x) / (pi x)``: ``(cos(pi x) - sinc(x)) / x``,
    computed without its cancellation near 0 (a series there, in float64) and 0 at
    ``x = 0``; in the dtype of ``x``."""
    value = math.pi * _dsinc_t(math.pi * np.asarray(x, dtype=np.float64))
    if isinstance(x, float):
        return float(value)
    return value.astype(np.result_type(x, np.float32), copy=False)


def digamma(x: float) -> float:
    """The digamma function ``psi = d log(gamma) / dx`` of a Python number, for the
    rules of ``math.lgamma`` and ``math.gamma`` (SciPy is optional): recurrence up to
    ``x >= 10``, then the asymptotic series; reflection for negative ``x``. Accurate to
    a few units in the last place."""
    x = float(x)
    if x <= 0 and x == math.floor(x):
        return math.nan
    if x < 0.5:
        return digamma(1 - x) - math.pi / math.tan(math.pi * x)
    result = 0.0
    while x < 10:
        result -= 1 / x
        x += 1
    inv2 = 1 / (x * x)
    series = inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (
        1 / 240 - inv2 * (1 / 132 - inv2 * (691 / 32760))))))
    return result + math.log(x) - 0.5 / x - series


def divide_or_zero(n: Any, d: Any) -> Any:
    """``n / d``, but 0 where ``n`` is 0 (where ``d`` is 0 too, ``0 / 0`` is 0, not nan).

    The factor of a rule whose partial derivative is infinite at a finite point
    (``sqrt`` at 0, ``hypot`` at the origin, ``arcsin`` at 1): a zero tangent or adjoint
    arriving there stays zero, as it would had it been known to be zero when the code
    was generated. (A constant's tangent is 0.0 in a loop's first step, and the
    speed ``sqrt(vx * vx + vy * vy)`` of a body starting at rest is 0 there.) A
    nonzero ``n`` over 0 gives what the division gives (``inf``, or
    ZeroDivisionError for Python floats)."""
    if type(n) is float or type(n) is int:
        return n / d if n else _zero_like(d)
    with np.errstate(invalid="ignore"):  # 0 / 0, made 0 below
        return _zero_where_zero(np.true_divide(n, d), n)


def _zero_where_zero(result: Any, given: Any) -> Any:
    """``result`` (a fresh NumPy value) with its nans made 0 where ``given`` is 0."""
    if type(result) is np.ndarray:
        if result.dtype.kind in "fc":
            undefined = np.isnan(result)
            if undefined.any():
                result[undefined & (np.asarray(given) == 0)] = 0
        return result
    return result if result == result or given != 0 else result.dtype.type(0)


def _zero_like(d: Any) -> Any:
    """The zero a quotient or product with ``d`` gives: 0.0, or zeros of its shape."""
    if type(d) is float or type(d) is int:
        return 0.0
    kind = np.result_type(d, 0.0)
    return np.zeros(np.shape(d), kind) if type(d) is np.ndarray else kind.type(0)


def times_power(a: Any, x: Any, e: Any) -> Any:
    """``a * x ** e``, but 0 where ``a`` is 0: the rule of ``x ** y`` at ``x = 0``, where
    ``x ** (y - 1)`` is infinite for ``y < 1`` (see `divide_or_zero`); Python floats
    raise ZeroDivisionError there only where ``a`` is not 0."""
    if type(a) is float or type(a) is int:
        if a:
            return a * x ** e
        return _zero_like(x) if type(e) is not np.ndarray else \
            _zero_like(np.zeros(np.broadcast_shapes(np.shape(x), e.shape)))
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.power(x, e) if type(x) is np.ndarray or type(e) is np.ndarray \
            else x ** e
        return _zero_where_zero(np.multiply(a, factor), a)


def power_exponent(y: Any) -> Any:
    """``y - 1``, the exponent in d(x**y)/dx = ``y * x ** (y - 1)``, but 0 where ``y == 0``:
    there the factor ``y`` is 0 and ``x ** 0 = 1`` keeps it 0 at ``x = 0`` too (``x ** -1``
    would be infinite, and 0 * inf is nan)."""
    if type(y) is float or type(y) is int:
        return y - 1 if y != 0 else 0
    return np.where(y == 0, 0, np.subtract(y, 1))


def kept_share(g: Any, x: Any, other: Any, like: Any, largest: bool,
               first: bool = True) -> Any:
    """The share of ``g`` that ``x`` gets in Python's ``max(x, other)`` (``largest``;
    else ``min``), in the shape of ``like``: the builtin returns one of its values,
    whose shape the result has (a number beside a 1-element array), so all of ``g``
    where ``x`` wins, none where it loses, half at a tie (as ``np.maximum`` shares);
    where neither compares larger (a NaN), Python keeps the ``first``."""
    wins, loses = (x > other, other > x) if largest else (x < other, other < x)
    if bool(wins):
        return g
    if bool(loses):
        return 0.0 if type(g) is float else zeros_like(like)
    if not bool(x == other):  # (NaN: max(0.5, nan) is 0.5, max(nan, 0.5) nan)
        return g if first else (0.0 if type(g) is float else zeros_like(like))
    if type(g) is float:
        return g / 2
    return zeros_like(like) + unbroadcast(g / 2, like)


def larger_share(g: Any, x: Any, y: Any) -> Any:
    """The share of ``g`` that ``x`` gets in ``maximum(x, y)``: all where ``x > y``, half
    where they tie, none where ``x < y``, selected, not multiplied by 0: an infinite
    ``g`` (``sqrt(maximum(v, 0.0))`` at 0) gives the operand not taken 0, not nan."""
    if (type(x) is float or type(x) is int) and (type(y) is float or type(y) is int):
        return g if x > y else g / 2 if x == y else (0.0 if type(g) is float
                                                     else np.zeros_like(g))
    return np.where(np.greater(x, y), g, np.where(np.equal(x, y), g / 2, 0.0))
