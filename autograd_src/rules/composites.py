"""NumPy functions computed from functions with rules, for the derivative's sake.

``np.cov``, ``np.percentile``, ``np.nanmean`` and the like have no rule of their own:
each is written here as plain NumPy code over functions that do (means, products,
sorts, indexing), and registered with `registry.defcomposite`. `grad`, forward mode
and their compositions follow that code as they follow a helper of the user's (its
derivative is generated like any helper's and shown with it); the Tensor API calls
it on tensors. A value is computed as NumPy computes it, up to rounding (NaNs, dtypes
and the errors NumPy raises included); an option NumPy takes that a function here
does not raises a TypeError as the call runs.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .registry import defcomposite, nondifferentiable

__all__: list[str] = []


def _values_of(x: Any) -> Any:
    """The values of ``x`` alone (a tensor's array), for positions computed from them."""
    from ..tensors.tensor import Tensor  # (the Tensor API imports the rules)
    return x.data if isinstance(x, Tensor) else x


nondifferentiable(_values_of)


def _unsupported(name: str, option: str) -> TypeError:
    return TypeError(f"np.{name}(..., {option}) on a differentiated value is not supported "
                     f"by autograd_src (np.{name} is differentiated through plain NumPy "
                     "code that does not take it); compute it from functions with rules")


def _no_options(name: str, options: dict) -> None:
    """Refuse options of NumPy's a function here does not take (``where=``, ``out=``)."""
    given = [k for k, v in options.items() if v is not None]
    if given:
        raise _unsupported(name, ", ".join(f"{k}=" for k in given))


@defcomposite()
def _as_array(x: Any) -> Any:
    """A list or tuple given where NumPy takes an array (a kernel ``[0.25, 0.5, 0.25]``),
    as one; a tensor or an array as it is."""
    return np.array(x) if isinstance(x, (list, tuple)) else x


def _floating(a: Any) -> Any:
    """The floating dtype NumPy computes ``a``'s means in (float32 stays float32)."""
    kind = np.result_type(_values_of(a))
    return kind if kind.kind == "f" else np.dtype(np.float64)


nondifferentiable(_floating)


# ----- Reductions -----


@defcomposite(np.ptp)
def ptp(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False) -> Any:
    """``np.ptp``: the largest value less the smallest."""
    _no_options("ptp", {"out": out})
    return np.max(a, axis=axis, keepdims=keepdims) - np.min(a, axis=axis, keepdims=keepdims)


@defcomposite(np.average)
def average(a: Any, axis: Any = None, weights: Any = None, returned: bool = False, *,
            keepdims: bool = False) -> Any:
    """``np.average``: the mean, or the weighted mean (1-D weights along ``axis``)."""
    a = _as_array(a)
    if weights is None:
        mean = np.mean(a, axis=axis, keepdims=keepdims)
        if returned:
            count = np.size(a) / np.size(mean)
            return mean, np.full(np.shape(mean), count, dtype=np.result_type(mean))
        return mean
    weights = _as_array(weights)
    if np.ndim(weights) != np.ndim(a):
        if axis is None or np.ndim(weights) != 1:
            raise TypeError("np.average: weights whose shape differs from the array's must "
                            "be 1-D and given with an axis")
        shape = [1] * np.ndim(a)
        shape[axis] = np.shape(weights)[0]
        weights = np.reshape(weights, shape)
    total = np.sum(weights + np.zeros(np.shape(a)), axis=axis, keepdims=keepdims)
    if np.any(_values_of(total) == 0.0):
        raise ZeroDivisionError("Weights sum to zero, can't be normalized")
    mean = np.sum(a * weights, axis=axis, keepdims=keepdims) / total
    if returned:
        return mean, total + np.zeros(np.shape(mean))
    return mean


@defcomposite(np.nansum)
def nansum(a: Any, axis: Any = None, dtype: Any = None, out: Any = None,
           keepdims: bool = False, initial: Any = None, where: Any = None) -> Any:
    """``np.nansum``: NaNs count as zero."""
    _no_options("nansum", {"dtype": dtype, "out": out, "initial": initial, "where": where})
    return np.sum(np.where(np.isnan(a), 0.0, a), axis=axis, keepdims=keepdims)


@defcomposite(np.nanprod)
def nanprod(a: Any, axis: Any = None, dtype: Any = None, out: Any = None,
            keepdims: bool = False, initial: Any = None, where: Any = None) -> Any:
    """``np.nanprod``: NaNs count as one."""
    _no_options("nanprod", {"dtype": dtype, "out": out, "initial": initial, "where": where})
    return np.prod(np.where(np.isnan(a), 1.0, a), axis=axis, keepdims=keepdims)


@defcomposite(np.nanmean)
def nanmean(a: Any, axis: Any = None, dtype: Any = None, out: Any = None,
            keepdims: bool = False, *, where: Any = None) -> Any:
    """``np.nanmean``: the mean of the values that are not NaN."""
    _no_options("nanmean", {"dtype": dtype, "out": out, "where": where})
    present = ~np.isnan(a)
    total = np.sum(np.where(present, a, 0.0), axis=axis, keepdims=keepdims)
    return total / np.sum(present, axis=axis, keepdims=keepdims).astype(_floating(a))


@defcomposite(np.nanvar)
def nanvar(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: Any = 0,
           keepdims: bool = False, *, where: Any = None, mean: Any = None,
           correction: Any = None) -> Any:
    """``np.nanvar``: the variance of the values that are not NaN (NaN where no more
    of them than ``ddof``)."""
    _no_options("nanvar", {"dtype": dtype, "out": out, "where": where, "mean": mean,
                           "correction": correction})
    present = ~np.isnan(a)
    kind = _floating(a)
    average = np.sum(np.where(present, a, 0.0), axis=axis, keepdims=True) / \
        np.sum(present, axis=axis, keepdims=True).astype(kind)
    deviation = np.where(present, a - average, 0.0)
    divisor = (np.sum(present, axis=axis, keepdims=keepdims) - ddof).astype(kind)
    squares = np.sum(deviation * deviation, axis=axis, keepdims=keepdims)
    return np.where(divisor > 0, squares / np.where(divisor > 0, divisor, 1), np.nan)


@defcomposite(np.nanstd)
def nanstd(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: Any = 0,
           keepdims: bool = False, *, where: Any = None, mean: Any = None,
           correction: Any = None) -> Any:
    """``np.nanstd``: the square root of `nanvar` (a gradient of 0 where it is 0, as
    ``np.std``'s rule gives)."""
    _no_options("nanstd", {"dtype": dtype, "out": out, "where": where, "mean": mean,
                           "correction": correction})
    variance = np.nanvar(a, axis=axis, ddof=ddof, keepdims=keepdims)
    spread = _values_of(variance) > 0
    return np.where(spread, np.sqrt(np.where(spread, variance, 1.0)), variance)


@defcomposite(np.nanmax)
def nanmax(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False,
           initial: Any = None, where: Any = None) -> Any:
    """``np.nanmax``: the largest value that is not NaN (NaN where all are)."""
    _no_options("nanmax", {"out": out, "initial": initial, "where": where})
    present = ~np.isnan(a)
    largest = np.max(np.where(present, a, -np.inf), axis=axis, keepdims=keepdims)
    return np.where(np.any(present, axis=axis, keepdims=keepdims), largest, np.nan)


@defcomposite(np.nanmin)
def nanmin(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False,
           initial: Any = None, where: Any = None) -> Any:
    """``np.nanmin``: the smallest value that is not NaN (NaN where all are)."""
    _no_options("nanmin", {"out": out, "initial": initial, "where": where})
    present = ~np.isnan(a)
    smallest = np.min(np.where(present, a, np.inf), axis=axis, keepdims=keepdims)
    return np.where(np.any(present, axis=axis, keepdims=keepdims), smallest, np.nan)


def _axes_of(axis: Any, ndim: int) -> tuple:
    """``axis`` (None for all, an int, or a tuple or list) as a tuple of non-negative
    axes."""
    if axis is None:
        return tuple(range(ndim))
    return tuple(k % ndim for k in (axis if isinstance(axis, (tuple, list)) else (axis,)))


@defcomposite(np.quantile)
def quantile(a: Any, q: Any, axis: Any = None, out: Any = None,
             overwrite_input: bool = False, method: str = "linear",
             keepdims: bool = False, *, weights: Any = None) -> Any:
    """``np.quantile`` by its default method (``"linear"``): between the two sorted
    values around ``q * (n - 1)``, weighed by the distance to each (at ``q = 1``, the
    last two: the slope from below); NaN where a lane holds a NaN; an array ``q`` puts
    its axes first, as NumPy does."""
    _no_options("quantile", {"out": out, "weights": weights})
    if method != "linear":
        raise _unsupported("quantile", f"method={method!r}")
    a = _as_array(a)
    ndim = np.ndim(a)
    axes = _axes_of(axis, ndim)
    moved = np.moveaxis(a, axes, tuple(range(len(axes))))
    rest = np.shape(moved)[len(axes):]
    ordered = np.sort(np.reshape(moved, (-1,) + rest), axis=0)  # (NaNs last)
    n = np.shape(ordered)[0]
    position = np.multiply(q, n - 1)  # (q may be a list)
    low = np.clip(np.floor(_values_of(position)), 0, max(n - 2, 0)).astype(int)
    high = np.minimum(low + 1, n - 1)
    fraction = np.reshape((position - low).astype(_floating(a)),
                          np.shape(position) + (1,) * len(rest))
    below = ordered[low]
    result = below + (ordered[high] - below) * fraction
    result = np.where(np.isnan(_values_of(ordered)[-1]), np.nan, result)
    if keepdims:
        kept = [1 if k in axes else size for k, size in enumerate(np.shape(a))]
        result = np.reshape(result, np.shape(position) + tuple(kept))
    if np.ndim(result) == 0:
        result = result[()]  # (a NumPy scalar, as np.quantile gives)
    return result


@defcomposite(np.percentile)
def percentile(a: Any, q: Any, axis: Any = None, out: Any = None,
               overwrite_input: bool = False, method: str = "linear",
               keepdims: bool = False, *, weights: Any = None) -> Any:
    """``np.percentile``: `quantile` of ``q / 100``."""
    _no_options("percentile", {"out": out, "weights": weights})
    if method != "linear":
        raise _unsupported("percentile", f"method={method!r}")
    fraction = q / 100.0 if isinstance(q, (int, float)) else np.divide(q, 100.0)
    return np.quantile(a, fraction, axis=axis, keepdims=keepdims)


# ----- Statistics -----


def _transposes_one_row() -> bool:
    """Whether this NumPy's ``np.cov(m, rowvar=False)`` reads a one-row ``m`` as that
    many variables of one observation each (NumPy 2.x since a fix), not as one."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.ndim(np.cov(np.array([[1.0, 2.0, 4.0]]), rowvar=False)) == 2


_COV_TRANSPOSES_ONE_ROW = _transposes_one_row()


@defcomposite()
def _as_rows(m: Any, rowvar: bool) -> Any:
    """``m`` as one variable per row, as ``np.cov`` reads it."""
    m = _as_array(m)
    rows = np.reshape(m, (1, -1)) if np.ndim(m) < 2 else m
    across = np.ndim(m) >= 2  # (variables in columns: read across)
    if not _COV_TRANSPOSES_ONE_ROW:
        across = np.shape(rows)[0] != 1
    if not rowvar and across:
        rows = np.transpose(rows)
    return rows


@defcomposite(np.cov)
def cov(m: Any, y: Any = None, rowvar: bool = True, bias: bool = False, ddof: Any = None,
        fweights: Any = None, aweights: Any = None, *, dtype: Any = None) -> Any:
    """``np.cov`` without weights: the products of the deviations from each variable's
    mean, over the number of observations less ``ddof`` (1 unless ``bias``), in at
    least double precision as NumPy computes it."""
    _no_options("cov", {"fweights": fweights, "aweights": aweights, "dtype": dtype})
    if ddof is not None and ddof != int(ddof):
        raise ValueError("ddof must be integer")
    rows = _as_rows(m, rowvar)
    if y is not None:
        rows = np.concatenate([rows, _as_rows(y, rowvar)], axis=0)
    rows = rows.astype(np.result_type(_values_of(rows), np.float64))
    if ddof is None:
        ddof = 0 if bias else 1
    deviations = rows - np.mean(rows, axis=1, keepdims=True)
    products = deviations @ np.transpose(deviations)
    return np.squeeze(products / (np.shape(rows)[1] - ddof))


@defcomposite(np.corrcoef)
def corrcoef(x: Any, y: Any = None, rowvar: bool = True, *, dtype: Any = None) -> Any:
    """``np.corrcoef``: the covariance over the product of the standard deviations,
    clipped to [-1, 1] as NumPy clips it."""
    _no_options("corrcoef", {"dtype": dtype})
    c = np.cov(x, y, rowvar)
    if np.ndim(c) == 0:
        return c / c
    spread = np.sqrt(np.diagonal(c))
    return np.clip(c / spread[:, None] / spread[None, :], -1.0, 1.0)


# ----- Signals and polynomials -----


@defcomposite()
def _sequence(x: Any, name: str) -> Any:
    """``x`` as the 1-D sequence ``np.convolve`` takes (a number as one of one value),
    refused as NumPy refuses it where it is not one."""
    x = _as_array(x)
    if np.ndim(x) == 0:
        x = np.reshape(x, (1,))
    if np.ndim(x) != 1:
        raise ValueError("object too deep for desired array")
    if np.shape(x)[0] == 0:
        raise ValueError(f"{name} cannot be empty")
    return x


@defcomposite(np.correlate)
def correlate(a: Any, v: Any, mode: str = "valid") -> Any:
    """``np.correlate`` of two real 1-D sequences: `convolve` with ``v`` reversed
    (``a`` and ``v`` swapped where ``v`` is longer, its result reversed, as NumPy's)."""
    a, v = _sequence(a, "a"), _sequence(v, "v")
    if np.iscomplexobj(_values_of(a)) or np.iscomplexobj(_values_of(v)):
        raise _unsupported("correlate", "complex values")
    if np.shape(v)[0] > np.shape(a)[0]:
        return np.convolve(v, a[::-1], mode)[::-1]
    return np.convolve(a, v[::-1], mode)


@defcomposite(np.vander)
def vander(x: Any, N: Any = None, increasing: bool = False) -> Any:
    """``np.vander``: the powers of ``x`` as columns, made by products (a power 0 is
    ones, whose derivative is 0 at ``x = 0`` too), in NumPy's dtype for them."""
    x = _as_array(x)
    if np.ndim(x) != 1:
        raise ValueError("x must be a one-dimensional array or sequence.")
    x = x.astype(np.promote_types(np.result_type(_values_of(x)), int))
    count = np.shape(x)[0] if N is None else N
    columns = []
    if count > 0:
        columns.append(x * 0 + 1)  # (ones, of x's dtype and kind: a tensor's too)
    for _ in range(1, count):
        columns.append(columns[-1] * x)
    if not increasing:
        columns = columns[::-1]
    if not columns:  # (no column: of x still, a tensor's an empty tensor)
        return np.reshape(x, (np.shape(x)[0], 1))[:, :0]
    return np.stack(columns, axis=1)


@defcomposite(np.polyder)
def polyder(p: Any, m: int = 1) -> Any:
    """``np.polyder`` of a coefficient array (highest power first)."""
    if m < 0:
        raise ValueError("Order of derivative must be positive (see polyint)")
    coefficients = _as_array(p)
    for _ in range(m):
        n = np.shape(coefficients)[0] - 1
        coefficients = coefficients[:-1] * np.arange(n, 0, -1)
    return coefficients


# ----- Linear algebra -----


@defcomposite(np.linalg.cond)
def cond(x: Any, p: Any = None) -> Any:
    """``np.linalg.cond``: the ratio of the extreme singular values (``p`` None, 2 or
    -2), else the norm of ``x`` times that of its inverse."""
    if p is None or p == 2 or p == -2:
        singular = np.linalg.svd(x, compute_uv=False)
        if p == -2:
            return singular[..., -1] / singular[..., 0]
        return singular[..., 0] / singular[..., -1]
    return np.linalg.norm(x, ord=p, axis=(-2, -1)) * \
        np.linalg.norm(np.linalg.inv(x), ord=p, axis=(-2, -1))


# ----- Methods of ufuncs -----


def _no_reduce_options(name: str, dtype: Any, out: Any, initial: Any, where: Any) -> None:
    _no_options(name, {"dtype": dtype, "out": out, "initial": initial})
    if where is not True:
        raise _unsupported(name, "where=")


@defcomposite(np.add.reduce)
def add_reduce(array: Any, axis: Any = 0, dtype: Any = None, out: Any = None,
               keepdims: bool = False, initial: Any = None, where: Any = True) -> Any:
    """``np.add.reduce``: ``np.sum`` (along the first axis unless told)."""
    _no_reduce_options("add.reduce", dtype, out, initial, where)
    return np.sum(_as_array(array), axis=axis, keepdims=keepdims)


@defcomposite(np.multiply.reduce)
def multiply_reduce(array: Any, axis: Any = 0, dtype: Any = None, out: Any = None,
                    keepdims: bool = False, initial: Any = None, where: Any = True) -> Any:
    """``np.multiply.reduce``: ``np.prod``."""
    _no_reduce_options("multiply.reduce", dtype, out, initial, where)
    return np.prod(_as_array(array), axis=axis, keepdims=keepdims)


@defcomposite(np.maximum.reduce)
def maximum_reduce(array: Any, axis: Any = 0, dtype: Any = None, out: Any = None,
                   keepdims: bool = False, initial: Any = None, where: Any = True) -> Any:
    """``np.maximum.reduce``: ``np.max``."""
    _no_reduce_options("maximum.reduce", dtype, out, initial, where)
    return np.max(_as_array(array), axis=axis, keepdims=keepdims)


@defcomposite(np.minimum.reduce)
def minimum_reduce(array: Any, axis: Any = 0, dtype: Any = None, out: Any = None,
                   keepdims: bool = False, initial: Any = None, where: Any = True) -> Any:
    """``np.minimum.reduce``: ``np.min``."""
    _no_reduce_options("minimum.reduce", dtype, out, initial, where)
    return np.min(_as_array(array), axis=axis, keepdims=keepdims)


@defcomposite(np.logaddexp.reduce)
def logaddexp_reduce(array: Any, axis: Any = 0, dtype: Any = None, out: Any = None,
                     keepdims: bool = False, initial: Any = None, where: Any = True) -> Any:
    """``np.logaddexp.reduce``: the log of the sum of the exponentials, shifted by the
    largest value (as NumPy computes it pairwise, without overflow)."""
    _no_reduce_options("logaddexp.reduce", dtype, out, initial, where)
    a = _as_array(array)
    if np.size(a) == 0:  # (-inf, as NumPy gives, with no gradient to carry)
        return np.sum(_values_of(a), axis=axis, keepdims=keepdims) - np.inf
    largest = np.max(a, axis=axis, keepdims=True)
    # (a +inf entry: the result is +inf, its gradient the max's, shared between ties;
    # the sum is taken of the other lanes only, on safe values, so no nan reaches them)
    at_top = _values_of(largest) == np.inf
    a = np.where(at_top, 0.0, a)
    top = np.where(at_top | ~np.isfinite(_values_of(largest)), 0.0, largest)
    total = np.sum(np.exp(a - top), axis=axis, keepdims=True)
    empty = total == 0  # (all -inf: -inf, gradient 0, as scipy's logsumexp, not nan)
    total = top + np.where(empty, -np.inf, np.log(np.where(empty, 1.0, total)))
    total = np.where(at_top, largest, total)
    if keepdims:
        return total
    if axis is None:
        return np.sum(total)  # (its one element, a NumPy scalar as NumPy gives)
    return np.squeeze(total, axis=axis)


@defcomposite(np.add.accumulate)
def add_accumulate(array: Any, axis: Any = 0, dtype: Any = None, out: Any = None) -> Any:
    """``np.add.accumulate``: ``np.cumsum``."""
    _no_options("add.accumulate", {"dtype": dtype, "out": out})
    return np.cumsum(array, axis=axis)


@defcomposite(np.multiply.accumulate)
def multiply_accumulate(array: Any, axis: Any = 0, dtype: Any = None,
                        out: Any = None) -> Any:
    """``np.multiply.accumulate``: ``np.cumprod``."""
    _no_options("multiply.accumulate", {"dtype": dtype, "out": out})
    return np.cumprod(array, axis=axis)


@defcomposite(math.prod)
def math_prod(iterable: Any, start: Any = 1) -> Any:
    """``math.prod``: the product of ``start`` and the items, in their order (``start``
    is keyword-only in Python; positional here, so that it may carry a gradient)."""
    result = start
    for item in iterable:
        result = result * item
    return result


@defcomposite(math.dist)
def math_dist(p: Any, q: Any) -> Any:
    """``math.dist``: the Euclidean distance of two points given as sequences."""
    if len(p) != len(q):
        raise ValueError("both points must have the same number of dimensions")
    total = 0.0
    for a, b in zip(p, q):
        total = total + (a - b) * (a - b)
    return math.sqrt(total)


# ----- NumPy 2's array-API names, and more -----
# (registered where this NumPy has them: getattr(..., None) is skipped)


@defcomposite(getattr(np.linalg, "vector_norm", None))
def vector_norm(x: Any, /, *, axis: Any = None, keepdims: bool = False,
                ord: Any = 2) -> Any:
    """``np.linalg.vector_norm``: `np.linalg.norm` of a vector, over all of ``x`` (or
    over several axes) as over one axis holding their values; a p-norm of another
    finite ``ord`` as NumPy computes it, ``sum(|x| ** ord) ** (1 / ord)`` (followed to
    second order, where `np.linalg.norm`'s rule is not)."""
    x = _as_array(x)
    ndim = np.ndim(x)
    axes = _axes_of(axis, ndim)
    kept = ndim - len(axes)
    moved = np.moveaxis(x, axes, tuple(range(kept, ndim)))
    others = np.shape(moved)[:kept]
    flat = np.reshape(moved, others + (-1,))
    if isinstance(ord, (int, float)) and not isinstance(ord, bool) and \
            ord not in (0, 1, 2) and np.isfinite(ord):
        result = np.sum(np.abs(flat) ** ord, axis=-1) ** (1.0 / ord)
    else:
        result = np.linalg.norm(flat, ord=ord, axis=-1)
    if keepdims:
        result = np.reshape(result, tuple(1 if k in axes else size
                                          for k, size in enumerate(np.shape(x))))
    return result


@defcomposite(getattr(np.linalg, "matrix_norm", None))
def matrix_norm(x: Any, /, *, keepdims: bool = False, ord: Any = "fro") -> Any:
    """``np.linalg.matrix_norm``: `np.linalg.norm` over the last two axes; the nuclear
    norm and ``ord`` 2 and -2 from the singular values, as NumPy computes them
    (followed to second order, where `np.linalg.norm`'s rule is not)."""
    if isinstance(ord, str) and ord == "nuc" or not isinstance(ord, str) and ord in (2, -2):
        singular = np.linalg.svd(x, compute_uv=False)
        if isinstance(ord, str):
            result = np.sum(singular, axis=-1)
        elif ord == 2:
            result = np.max(singular, axis=-1)
        else:
            result = np.min(singular, axis=-1)
        if keepdims:
            result = np.reshape(result, np.shape(result) + (1, 1))
        return result
    return np.linalg.norm(x, ord=ord, axis=(-2, -1), keepdims=keepdims)


def _matrix_axes(x: Any, axis: Any, keepdims: bool) -> tuple:
    """The two axes ``np.linalg.norm(x, 'nuc', axis)`` reduces (NumPy's own error where
    they are not two), and the shape of its result with ``keepdims``, else None."""
    pair = (-2, -1) if axis is None and np.ndim(x) == 2 else axis
    if not isinstance(pair, (tuple, list)) or len(pair) != 2:
        np.linalg.norm(x, "nuc", axis)
    ndim = np.ndim(x)
    pair = tuple(a % ndim for a in pair)
    kept = tuple(1 if k in pair else n for k, n in enumerate(np.shape(x))) if keepdims \
        else None
    return pair, kept


nondifferentiable(_matrix_axes)


@defcomposite()
def nuclear_norm(x: Any, ord: str = "nuc", axis: Any = None, keepdims: bool = False) -> Any:
    """``np.linalg.norm(x, 'nuc')``: the sum of the singular values, followed to second
    order (the rule's is not). ``ord`` is np.linalg.norm's, always ``'nuc'`` here."""
    pair, kept = _matrix_axes(x, axis, keepdims)
    result = np.sum(np.linalg.svd(np.moveaxis(x, pair, (-2, -1)), compute_uv=False), axis=-1)
    return result if kept is None else np.reshape(result, kept)


def _histogram_positions(values: Any, edges: Any) -> tuple:
    """Each value's bin in ``np.histogram`` (NumPy's: ``edges[i] <= v < edges[i + 1]``,
    the last bin closed on the right) and whether it falls in one."""
    values = np.ravel(values)
    edges = np.asarray(_values_of(edges), dtype=float)
    position = np.searchsorted(edges, values, side="right") - 1
    position[values == edges[-1]] = len(edges) - 2
    inside = (position >= 0) & (position < len(edges) - 1)
    return position[inside], inside


def _histogram_checked(values: Any, bins: Any, range: Any, weights: Any) -> int:
    """The number of bins np.histogram makes (one a rule's name gives, ``'auto'``, is
    a constant of the values); NumPy's own errors for what it refuses (a range
    reversed or not finite, a count that is not a positive integer, 'auto' with
    weights)."""
    return len(np.histogram_bin_edges(
        values, _values_of(bins), range,
        None if weights is None else np.zeros(np.shape(weights)))) - 1


nondifferentiable(_histogram_positions)
nondifferentiable(_histogram_checked)


@defcomposite(np.histogram)
def histogram(a: Any, bins: Any = 10, range: Any = None, density: Any = None,
              weights: Any = None) -> tuple:
    """``np.histogram``: the weights of the values in each bin summed
    (``np.bincount``), differentiated with respect to ``weights``; the counts are
    constants of the values, the edges follow them as NumPy computes them: evenly from
    the values' least to largest (or ``range``), the count given or a rule's
    (``bins='auto'``, a constant), or the ``bins`` given."""
    values = _values_of(a)
    count = _histogram_checked(values, bins, range, weights)
    if np.ndim(bins) == 1:
        edges = np.asarray(bins)
    else:
        if range is not None:
            first, last = range[0], range[1]
        elif np.size(a) == 0:
            first, last = 0.0, 1.0
        else:
            first, last = np.min(a), np.max(a)
        if first == last:
            first, last = first - 0.5, last + 0.5
        edges = np.linspace(first, last, count + 1)
    position, inside = _histogram_positions(values, edges)
    if weights is None:
        counts = np.bincount(position, minlength=np.size(edges) - 1)
    else:
        counts = np.bincount(position, weights=np.ravel(weights)[inside],
                             minlength=np.size(edges) - 1).astype(np.result_type(weights))
    if density:
        counts = counts / np.sum(counts) / np.diff(edges)
    return counts, edges


def _block_layout(arrays: Any) -> tuple:
    """``(depth, ndim)`` of ``np.block(arrays)``: how deep its lists nest and the number
    of dimensions of its result (NumPy's own error where the lists do not fit)."""
    def placeholder(item: Any) -> Any:  # (zeros of each block's shape: a tensor's too)
        if isinstance(item, list):
            return [placeholder(i) for i in item]
        return item if isinstance(item, tuple) else np.zeros(np.shape(item))  # (NumPy's
        # error for a tuple)

    made = np.block(placeholder(arrays))
    depth = 0
    while isinstance(arrays, list):
        depth += 1
        arrays = arrays[0] if arrays else None
    return depth, np.ndim(made)


nondifferentiable(_block_layout)


@defcomposite()
def _lifted(a: Any, ndim: int) -> Any:
    """``a`` with leading axes of length 1 up to ``ndim`` axes, as np.block lifts it."""
    return np.reshape(a, (1,) * (ndim - np.ndim(a)) + np.shape(a))


@defcomposite(np.block)
def block(arrays: Any) -> Any:
    """``np.block``: the innermost lists joined along the last axis, the lists holding
    them along the one before, each block first lifted to the result's dimensions."""
    depth, ndim = _block_layout(arrays)
    if depth == 0:
        return np.array(arrays)
    if depth == 1:
        return np.concatenate([_lifted(a, ndim) for a in arrays], axis=-1)
    if depth == 2:
        return np.concatenate([np.concatenate([_lifted(a, ndim) for a in row], axis=-1)
                               for row in arrays], axis=-2)
    if depth == 3:
        return np.concatenate([np.concatenate([np.concatenate(
            [_lifted(a, ndim) for a in row], axis=-1) for row in plane], axis=-2)
            for plane in arrays], axis=-3)
    raise NotImplementedError("np.block of lists nested more than 3 deep is not "
                              "differentiated: join the blocks with np.concatenate")


@defcomposite(getattr(np.linalg, "svdvals", None))
def svdvals(x: Any, /) -> Any:
    """``np.linalg.svdvals``: the singular values ``np.linalg.svd`` gives."""
    return np.linalg.svd(x, compute_uv=False)


@defcomposite(getattr(np, "vecdot", None), getattr(np.linalg, "vecdot", None))
def vecdot(x1: Any, x2: Any, /, *, axis: int = -1) -> Any:
    """``np.vecdot`` of real vectors: the sum along ``axis`` of ``x1 * x2``, other axes
    broadcast."""
    if np.shape(x1)[axis] != np.shape(x2)[axis]:
        raise ValueError(f"vecdot: the vectors along axis {axis} differ in length "
                         f"({np.shape(x1)[axis]} and {np.shape(x2)[axis]})")
    if np.iscomplexobj(_values_of(x1)) or np.iscomplexobj(_values_of(x2)):
        raise _unsupported("vecdot", "complex values")  # (write np.sum(np.conj(x1) * x2))
    return np.sum(x1 * x2, axis=axis)


@defcomposite(getattr(np.linalg, "matmul", None))
def linalg_matmul(x1: Any, x2: Any, /) -> Any:
    """``np.linalg.matmul``: ``np.matmul``."""
    return np.matmul(x1, x2)


@defcomposite(getattr(np.linalg, "outer", None))
def linalg_outer(x1: Any, x2: Any, /) -> Any:
    """``np.linalg.outer`` of two vectors: ``np.outer``."""
    if np.ndim(x1) != 1 or np.ndim(x2) != 1:
        raise ValueError("np.linalg.outer takes two 1-dimensional arrays, of "
                         f"{np.ndim(x1)} and {np.ndim(x2)} dimensions here")
    return np.outer(x1, x2)


@defcomposite(getattr(np.linalg, "trace", None))
def linalg_trace(x: Any, /, *, offset: int = 0, dtype: Any = None) -> Any:
    """``np.linalg.trace``: the trace of each matrix of the last two axes."""
    _no_options("linalg.trace", {"dtype": dtype})
    return np.trace(x, offset=offset, axis1=-2, axis2=-1)


@defcomposite(getattr(np.linalg, "diagonal", None))
def linalg_diagonal(x: Any, /, *, offset: int = 0) -> Any:
    """``np.linalg.diagonal``: the diagonal of each matrix of the last two axes."""
    return np.diagonal(x, offset=offset, axis1=-2, axis2=-1)


@defcomposite(getattr(np.linalg, "tensordot", None))
def linalg_tensordot(x1: Any, x2: Any, /, *, axes: Any = 2) -> Any:
    """``np.linalg.tensordot``: ``np.tensordot``."""
    return np.tensordot(x1, x2, axes=axes)


@defcomposite(getattr(np.linalg, "cross", None))
def linalg_cross(x1: Any, x2: Any, /, *, axis: int = -1) -> Any:
    """``np.linalg.cross`` of 3-vectors: ``np.cross``."""
    if np.shape(x1)[axis] != 3 or np.shape(x2)[axis] != 3:
        raise ValueError("Both input arrays must be (arrays of) 3-dimensional vectors, "
                         f"but they are {np.shape(x1)[axis]} and {np.shape(x2)[axis]} "
                         "dimensional instead.")
    return np.cross(x1, x2, axis=axis)


@defcomposite(np.linalg.multi_dot)
def multi_dot(arrays: Any, *, out: Any = None) -> Any:
    """``np.linalg.multi_dot``: the products from the left (a 1-D first array a row,
    a 1-D last one a column, as ``@`` reads them)."""
    _no_options("linalg.multi_dot", {"out": out})
    if len(arrays) < 2:
        raise ValueError("Expecting at least two arrays.")
    result = arrays[0]
    for array in arrays[1:]:
        result = np.matmul(result, array)
    return result


def _cumulative(x: Any, axis: Any, name: str) -> Any:
    if axis is None:
        if np.ndim(x) != 1:
            raise ValueError(f"{name}: axis must be given for an array of more than "
                             "one dimension")
        return 0
    return axis


nondifferentiable(_cumulative)


@defcomposite(getattr(np, "cumulative_sum", None))
def cumulative_sum(x: Any, /, *, axis: Any = None, dtype: Any = None, out: Any = None,
                   include_initial: bool = False) -> Any:
    """``np.cumulative_sum``: ``np.cumsum``, after a zero where ``include_initial``."""
    _no_options("cumulative_sum", {"dtype": dtype, "out": out})
    axis = _cumulative(x, axis, "cumulative_sum")
    total = np.cumsum(x, axis=axis)
    if include_initial:
        start = np.zeros_like(np.take(total, [0], axis=axis))
        total = np.concatenate([start, total], axis=axis)
    return total


@defcomposite(getattr(np, "cumulative_prod", None))
def cumulative_prod(x: Any, /, *, axis: Any = None, dtype: Any = None, out: Any = None,
                    include_initial: bool = False) -> Any:
    """``np.cumulative_prod``: ``np.cumprod``, after a one where ``include_initial``."""
    _no_options("cumulative_prod", {"dtype": dtype, "out": out})
    axis = _cumulative(x, axis, "cumulative_prod")
    product = np.cumprod(x, axis=axis)
    if include_initial:
        start = np.ones_like(np.take(product, [0], axis=axis))
        product = np.concatenate([start, product], axis=axis)
    return product


@defcomposite(getattr(np, "unstack", None))
def unstack(x: Any, /, *, axis: int = 0) -> Any:
    """``np.unstack``: the slices along ``axis``, a tuple."""
    moved = np.moveaxis(x, axis, 0)
    return tuple([moved[k] for k in range(np.shape(moved)[0])])


@defcomposite(getattr(np, "astype", None))
def astype(x: Any, dtype: Any, /, *, copy: bool = True, device: Any = None) -> Any:
    """``np.astype``: ``x.astype(dtype)``; with ``copy=False``, ``np.asarray(x, dtype)``,
    which gives ``x`` itself where its dtype is ``dtype``, as NumPy's (a later write
    into ``x`` is then checked against it)."""
    if not copy:
        return np.asarray(x, dtype=dtype)
    return x.astype(dtype)


@defcomposite(np.maximum.accumulate)
def maximum_accumulate(array: Any, axis: Any = 0, dtype: Any = None,
                       out: Any = None) -> Any:
    """``np.maximum.accumulate``: the running maximum (``np.maximum`` step by step)."""
    _no_options("maximum.accumulate", {"dtype": dtype, "out": out})
    array = _as_array(array)
    if np.shape(array)[axis] == 0:
        return array
    moved = np.moveaxis(array, axis, 0)
    rows = [moved[0]]
    for k in range(1, np.shape(moved)[0]):
        rows.append(np.maximum(rows[-1], moved[k]))
    return np.moveaxis(np.stack(rows), 0, axis)


@defcomposite(np.minimum.accumulate)
def minimum_accumulate(array: Any, axis: Any = 0, dtype: Any = None,
                       out: Any = None) -> Any:
    """``np.minimum.accumulate``: the running minimum (``np.minimum`` step by step)."""
    _no_options("minimum.accumulate", {"dtype": dtype, "out": out})
    array = _as_array(array)
    if np.shape(array)[axis] == 0:
        return array
    moved = np.moveaxis(array, axis, 0)
    rows = [moved[0]]
    for k in range(1, np.shape(moved)[0]):
        rows.append(np.minimum(rows[-1], moved[k]))
    return np.moveaxis(np.stack(rows), 0, axis)


@defcomposite(np.float_power)
def float_power(x1: Any, x2: Any, out: Any = None, *, where: Any = None,
                dtype: Any = None) -> Any:
    """``np.float_power``: ``np.power`` in float64 (or complex128) at least."""
    _no_options("float_power", {"out": out, "where": where, "dtype": dtype})
    kind = np.promote_types(np.result_type(_values_of(x1), _values_of(x2)), np.float64)
    return np.power(np.multiply(x1, np.ones((), dtype=kind)), x2)  # (a 0-d array's
    # dtype is not weak: float32 * it is float64)


@defcomposite(np.choose)
def choose(a: Any, choices: Any, out: Any = None, mode: str = "raise") -> Any:
    """``np.choose``: at each place, the choice ``a`` names there (``mode`` "raise",
    "wrap" or "clip", as NumPy reads an index out of range)."""
    _no_options("choose", {"out": out})
    n = len(choices)
    index = np.asarray(_values_of(a))
    if mode == "raise":
        if np.any(index < 0) or np.any(index >= n):
            raise ValueError("invalid entry in choice array")
    elif mode == "wrap":
        index = index % n
    elif mode == "clip":
        index = np.clip(index, 0, n - 1)
    else:
        raise ValueError(f"mode must be 'raise', 'wrap' or 'clip', not {mode!r}")
    result = np.where(index == 0, choices[0], choices[n - 1])
    for k in range(1, n - 1):
        result = np.where(index == k, choices[k], result)
    return result


@defcomposite(np.nanquantile)
def nanquantile(a: Any, q: Any, axis: Any = None, out: Any = None,
                overwrite_input: bool = False, method: str = "linear",
                keepdims: bool = False, *, weights: Any = None) -> Any:
    """``np.nanquantile`` by its default method: `quantile` of each lane's values that
    are not NaN (NaN where a lane has none)."""
    _no_options("nanquantile", {"out": out, "weights": weights})
    if method != "linear":
        raise _unsupported("nanquantile", f"method={method!r}")
    a = _as_array(a)
    ndim = np.ndim(a)
    axes = _axes_of(axis, ndim)
    moved = np.moveaxis(a, axes, tuple(range(len(axes))))
    rest = np.shape(moved)[len(axes):]
    ordered = np.sort(np.reshape(moved, (-1,) + rest), axis=0)  # (NaNs last)
    count = np.sum(~np.isnan(_values_of(ordered)), axis=0)
    q_shape = np.shape(q)
    position = np.multiply(np.reshape(q, (-1,) + (1,) * len(rest)), count - 1)
    low = np.clip(np.floor(_values_of(position)), 0,
                  np.maximum(count - 2, 0)).astype(int)
    high = np.minimum(low + 1, np.maximum(count - 1, 0))
    kind = _floating(a) if isinstance(q, (int, float)) else \
        np.result_type(_floating(a), np.asarray(_values_of(q)).dtype)  # (a list of q: float64)
    fraction = (position - low).astype(kind)
    below = np.take_along_axis(ordered, low, axis=0).astype(kind)
    above = np.take_along_axis(ordered, high, axis=0).astype(kind)
    result = below + (above - below) * fraction
    result = np.where(count > 0, result, np.nan)
    if keepdims:
        kept = [1 if k in axes else size for k, size in enumerate(np.shape(a))]
        return np.reshape(result, q_shape + tuple(kept))
    result = np.reshape(result, q_shape + rest)
    if np.ndim(result) == 0:
        result = result[()]
    return result


@defcomposite(np.nanpercentile)
def nanpercentile(a: Any, q: Any, axis: Any = None, out: Any = None,
                  overwrite_input: bool = False, method: str = "linear",
                  keepdims: bool = False, *, weights: Any = None) -> Any:
    """``np.nanpercentile``: `nanquantile` of ``q / 100``."""
    _no_options("nanpercentile", {"out": out, "weights": weights})
    if method != "linear":
        raise _unsupported("nanpercentile", f"method={method!r}")
    fraction = q / 100.0 if isinstance(q, (int, float)) else np.divide(q, 100.0)
    return np.nanquantile(a, fraction, axis=axis, keepdims=keepdims)


@defcomposite(np.nanmedian)
def nanmedian(a: Any, axis: Any = None, out: Any = None, overwrite_input: bool = False,
              keepdims: bool = False) -> Any:
    """``np.nanmedian``: `nanquantile` at one half."""
    _no_options("nanmedian", {"out": out})
    return np.nanquantile(a, 0.5, axis=axis, keepdims=keepdims)


@defcomposite(np.lib.stride_tricks.sliding_window_view)
def sliding_window_view(x: Any, window_shape: Any, axis: Any = None, *,
                        subok: bool = False, writeable: bool = False) -> Any:
    """``sliding_window_view``: the windows gathered by index (a copy, not a view:
    writing into it is refused by NumPy's own, read-only, and meaningless here)."""
    if writeable:
        raise _unsupported("lib.stride_tricks.sliding_window_view", "writeable=True")
    x = _as_array(x)
    shape = tuple(window_shape) if isinstance(window_shape, (tuple, list)) \
        else (window_shape,)
    ndim = np.ndim(x)
    if axis is None:
        if len(shape) != ndim:
            raise ValueError(f"Since axis is `None`, must provide window_shape for all "
                             f"dimensions of `x`; got {len(shape)} window_shape "
                             f"elements and `x.ndim` is {ndim}.")
        axes = tuple(range(ndim))
    else:
        axes = _axes_of(axis, ndim)
        if len(axes) != len(shape):
            raise ValueError(f"Must provide matching length window_shape and axis; got "
                             f"{len(shape)} window_shape elements and {len(axes)} axes "
                             "elements.")
    result = x
    for ax, size in zip(axes, shape):
        length = np.shape(result)[ax] - size + 1
        if size < 0 or length < 1:
            raise ValueError("window shape cannot be larger than input array shape")
        index = np.arange(length)[:, None] + np.arange(size)[None, :]
        result = np.moveaxis(np.take(result, index, axis=ax), ax + 1, -1)
    return result


@defcomposite(np.polyfit)
def polyfit(x: Any, y: Any, deg: int, rcond: Any = None, full: bool = False,
            w: Any = None, cov: bool = False) -> Any:
    """``np.polyfit``'s coefficients (highest power first): least squares on the
    Vandermonde matrix with its columns scaled to unit length, as NumPy solves it."""
    if full or cov:
        raise _unsupported("polyfit", "full=True" if full else "cov=True")
    x = _as_array(x)
    y = _as_array(y)
    if deg < 0:
        raise ValueError("expected deg >= 0")
    if np.ndim(x) != 1:
        raise TypeError("expected 1D vector for x")
    if np.shape(x)[0] == 0:
        raise TypeError("expected non-empty vector for x")
    if np.ndim(y) < 1 or np.ndim(y) > 2:
        raise TypeError("expected 1D or 2D array for y")
    if np.shape(x)[0] != np.shape(y)[0]:
        raise TypeError("expected x and y to have same length")
    if rcond is None:
        rcond = np.shape(x)[0] * np.finfo(_floating(x)).eps
    lhs = np.vander(x, deg + 1)
    rhs = y
    if w is not None:
        lhs = lhs * w[:, None]
        rhs = rhs * (w if np.ndim(y) == 1 else w[:, None])
    scale = np.sqrt(np.sum(lhs * lhs, axis=0))
    solution = np.linalg.lstsq(lhs / scale, rhs, rcond=rcond)[0]
    if np.ndim(solution) == 1:
        return solution / scale
    return solution / scale[:, None]


@defcomposite(np.meshgrid)
def meshgrid(*xi: Any, copy: bool = True, sparse: bool = False, indexing: str = "xy") -> Any:
    """``np.meshgrid``: each coordinate vector reshaped along its own axis (the first
    two swapped for ``indexing='xy'``), broadcast to the grid unless ``sparse``."""
    if indexing not in ("xy", "ij"):
        raise ValueError("Valid values for `indexing` are 'xy' and 'ij'.")
    ndim = len(xi)
    axes = list(range(ndim))
    if indexing == "xy" and ndim > 1:
        axes[0], axes[1] = 1, 0
    grids = []
    for k in range(ndim):
        shape = [1] * ndim
        shape[axes[k]] = -1
        grids.append(np.reshape(xi[k], shape))
    if sparse:
        return tuple(np.copy(g) for g in grids) if copy else tuple(grids)
    full = np.broadcast_shapes(*[np.shape(g) for g in grids])
    return tuple(np.copy(np.broadcast_to(g, full)) if copy else np.broadcast_to(g, full)
                 for g in grids)


@defcomposite(np.broadcast_arrays)
def broadcast_arrays(*args: Any, subok: bool = False) -> Any:
    """``np.broadcast_arrays``: each array broadcast to the shape they share."""
    full = np.broadcast_shapes(*[np.shape(a) for a in args])
    return tuple(np.broadcast_to(a, full) for a in args)


@defcomposite(np.extract)
def extract(condition: Any, arr: Any) -> Any:
    """``np.extract``: the entries of ``arr`` where ``condition`` is nonzero, flattened."""
    return np.ravel(arr)[np.ravel(condition) != 0]


@defcomposite(np.linalg.eigvals)
def eigvals(a: Any) -> Any:
    """``np.linalg.eigvals``: the eigenvalues ``np.linalg.eig`` gives (real ones, as its
    rule takes them)."""
    return np.linalg.eig(a)[0]
