"""NumPy functions computed from functions with rules, for the derivative's sake.

``np.cov``, ``np.percentile``, ``np.nanmean`` and the like have no rule of their own:
each is written here as plain NumPy code over functions that do (means, products,
sorts, indexing), and registered with `registry.defcomposite`. `grad`, forward mode
and their compositions follow that code as they follow a helper of the user's (its
derivative is generated like any helper's and shown with it); the Tensor API calls
it on tensors. A value is computed as NumPy computes it, up to rounding; an option
NumPy takes that a function here does not raises a TypeError as the call runs.
"""

from __future__ import annotations

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


# ----- Reductions -----


@defcomposite(np.ptp)
def ptp(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False) -> Any:
    """``np.ptp``: the largest value less the smallest."""
    if out is not None:
        raise _unsupported("ptp", "out=")
    return np.max(a, axis=axis, keepdims=keepdims) - np.min(a, axis=axis, keepdims=keepdims)


@defcomposite(np.average)
def average(a: Any, axis: Any = None, weights: Any = None, returned: bool = False, *,
            keepdims: bool = False) -> Any:
    """``np.average``: the mean, or the weighted mean (1-D weights along ``axis``)."""
    if weights is None:
        mean = np.mean(a, axis=axis, keepdims=keepdims)
        if returned:
            count = np.size(a) / np.size(mean)
            return mean, np.full(np.shape(mean), count, dtype=np.result_type(mean))
        return mean
    if np.ndim(weights) != np.ndim(a):
        if axis is None or np.ndim(weights) != 1:
            raise TypeError("np.average: weights whose shape differs from the array's must "
                            "be 1-D and given with an axis")
        shape = [1] * np.ndim(a)
        shape[axis] = np.shape(weights)[0]
        weights = np.reshape(weights, shape)
    total = np.sum(weights + np.zeros(np.shape(a)), axis=axis, keepdims=keepdims)
    mean = np.sum(a * weights, axis=axis, keepdims=keepdims) / total
    if returned:
        return mean, total + np.zeros(np.shape(mean))
    return mean


@defcomposite(np.nansum)
def nansum(a: Any, axis: Any = None, dtype: Any = None, out: Any = None,
           keepdims: bool = False) -> Any:
    """``np.nansum``: NaNs count as zero."""
    if dtype is not None or out is not None:
        raise _unsupported("nansum", "dtype= or out=")
    return np.sum(np.where(np.isnan(a), 0.0, a), axis=axis, keepdims=keepdims)


@defcomposite(np.nanprod)
def nanprod(a: Any, axis: Any = None, dtype: Any = None, out: Any = None,
            keepdims: bool = False) -> Any:
    """``np.nanprod``: NaNs count as one."""
    if dtype is not None or out is not None:
        raise _unsupported("nanprod", "dtype= or out=")
    return np.prod(np.where(np.isnan(a), 1.0, a), axis=axis, keepdims=keepdims)


@defcomposite(np.nanmean)
def nanmean(a: Any, axis: Any = None, dtype: Any = None, out: Any = None,
            keepdims: bool = False) -> Any:
    """``np.nanmean``: the mean of the values that are not NaN."""
    if dtype is not None or out is not None:
        raise _unsupported("nanmean", "dtype= or out=")
    present = ~np.isnan(a)
    total = np.sum(np.where(present, a, 0.0), axis=axis, keepdims=keepdims)
    return total / np.sum(present, axis=axis, keepdims=keepdims)


@defcomposite(np.nanvar)
def nanvar(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: Any = 0,
           keepdims: bool = False) -> Any:
    """``np.nanvar``: the variance of the values that are not NaN."""
    if dtype is not None or out is not None:
        raise _unsupported("nanvar", "dtype= or out=")
    present = ~np.isnan(a)
    mean = np.sum(np.where(present, a, 0.0), axis=axis, keepdims=True) / \
        np.sum(present, axis=axis, keepdims=True)
    deviation = np.where(present, a - mean, 0.0)
    count = np.sum(present, axis=axis, keepdims=keepdims)
    return np.sum(deviation * deviation, axis=axis, keepdims=keepdims) / (count - ddof)


@defcomposite(np.nanstd)
def nanstd(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: Any = 0,
           keepdims: bool = False) -> Any:
    """``np.nanstd``: the standard deviation of the values that are not NaN."""
    if dtype is not None or out is not None:
        raise _unsupported("nanstd", "dtype= or out=")
    return np.sqrt(np.nanvar(a, axis=axis, ddof=ddof, keepdims=keepdims))


@defcomposite(np.nanmax)
def nanmax(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False) -> Any:
    """``np.nanmax``: the largest value that is not NaN (NaN where all are)."""
    if out is not None:
        raise _unsupported("nanmax", "out=")
    present = ~np.isnan(a)
    largest = np.max(np.where(present, a, -np.inf), axis=axis, keepdims=keepdims)
    return np.where(np.any(present, axis=axis, keepdims=keepdims), largest, np.nan)


@defcomposite(np.nanmin)
def nanmin(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False) -> Any:
    """``np.nanmin``: the smallest value that is not NaN (NaN where all are)."""
    if out is not None:
        raise _unsupported("nanmin", "out=")
    present = ~np.isnan(a)
    smallest = np.min(np.where(present, a, np.inf), axis=axis, keepdims=keepdims)
    return np.where(np.any(present, axis=axis, keepdims=keepdims), smallest, np.nan)


@defcomposite(np.quantile)
def quantile(a: Any, q: Any, axis: Any = None, out: Any = None,
             overwrite_input: bool = False, method: str = "linear",
             keepdims: bool = False) -> Any:
    """``np.quantile`` by its default method (``"linear"``): between the two sorted
    values around ``q * (n - 1)``, weighed by the distance to each; an array ``q``
    puts its axes first, as NumPy does."""
    if out is not None or method != "linear":
        raise _unsupported("quantile", "out= or a method other than 'linear'")
    ndim = np.ndim(a)
    if axis is None:
        ordered = np.sort(np.ravel(a))
    else:
        ordered = np.moveaxis(np.sort(a, axis=axis), axis, 0)
    n = np.shape(ordered)[0]
    position = np.multiply(q, n - 1)  # (q may be a list)
    low = np.floor(_values_of(position)).astype(int)
    high = np.minimum(low + 1, n - 1)
    fraction = np.reshape(position - low, np.shape(position) + (1,) * (np.ndim(ordered) - 1))
    below = ordered[low]
    result = below + (ordered[high] - below) * fraction
    if keepdims:
        kept = [1] * ndim if axis is None else \
            [1 if k == axis % ndim else size for k, size in enumerate(np.shape(a))]
        result = np.reshape(result, np.shape(position) + tuple(kept))
    return result


@defcomposite(np.percentile)
def percentile(a: Any, q: Any, axis: Any = None, out: Any = None,
               overwrite_input: bool = False, method: str = "linear",
               keepdims: bool = False) -> Any:
    """``np.percentile``: `quantile` of ``q / 100``."""
    if out is not None or method != "linear":
        raise _unsupported("percentile", "out= or a method other than 'linear'")
    return np.quantile(a, np.divide(q, 100.0), axis=axis, keepdims=keepdims)


# ----- Statistics -----


@defcomposite(np.cov)
def cov(m: Any, y: Any = None, rowvar: bool = True, bias: bool = False, ddof: Any = None,
        fweights: Any = None, aweights: Any = None, *, dtype: Any = None) -> Any:
    """``np.cov`` without weights: the products of the deviations from each variable's
    mean, over the number of observations less ``ddof`` (1 unless ``bias``)."""
    if fweights is not None or aweights is not None or dtype is not None:
        raise _unsupported("cov", "fweights=, aweights= or dtype=")
    rows = np.reshape(m, (1, -1)) if np.ndim(m) == 1 else m
    if not rowvar and np.shape(rows)[0] != 1:
        rows = np.transpose(rows)
    if y is not None:
        more = np.reshape(y, (1, -1)) if np.ndim(y) == 1 else y
        if not rowvar and np.shape(more)[0] != 1:
            more = np.transpose(more)
        rows = np.concatenate([rows, more], axis=0)
    if ddof is None:
        ddof = 0 if bias else 1
    deviations = rows - np.mean(rows, axis=1, keepdims=True)
    products = deviations @ np.transpose(deviations)
    return np.squeeze(products / (np.shape(rows)[1] - ddof))


@defcomposite(np.corrcoef)
def corrcoef(x: Any, y: Any = None, rowvar: bool = True, *, dtype: Any = None) -> Any:
    """``np.corrcoef``: the covariance over the product of the standard deviations,
    clipped to [-1, 1] as NumPy clips it."""
    if dtype is not None:
        raise _unsupported("corrcoef", "dtype=")
    c = np.cov(x, y, rowvar)
    if np.ndim(c) == 0:
        return c / c
    spread = np.sqrt(np.diagonal(c))
    return np.clip(c / spread[:, None] / spread[None, :], -1.0, 1.0)


# ----- Signals and polynomials -----


@defcomposite(np.convolve)
def convolve(a: Any, v: Any, mode: str = "full") -> Any:
    """``np.convolve`` of two 1-D sequences: each value of ``v`` scales ``a`` shifted
    by its place; ``"same"`` and ``"valid"`` keep the middle, as NumPy does."""
    if np.shape(v)[0] > np.shape(a)[0]:
        a, v = v, a
    n, m = np.shape(a)[0], np.shape(v)[0]
    dtype = np.result_type(_values_of(a), _values_of(v), 1.0)
    full = np.zeros(n + m - 1, dtype=dtype)
    for j in range(m):  # (new arrays, not writes: a tensor's too)
        full = full + np.concatenate([np.zeros(j, dtype=dtype), a * v[j],
                                      np.zeros(m - 1 - j, dtype=dtype)])
    if mode == "full":
        return full
    if mode == "same":
        start = (m - 1) // 2
        return full[start:start + n]
    if mode == "valid":
        return full[m - 1:n]
    raise ValueError(f"mode must be one of 'full', 'same' or 'valid', not {mode!r}")


@defcomposite(np.correlate)
def correlate(a: Any, v: Any, mode: str = "valid") -> Any:
    """``np.correlate`` of two real 1-D sequences: `convolve` with ``v`` reversed
    (``a`` and ``v`` swapped where ``v`` is longer, its result reversed, as NumPy's)."""
    if np.shape(v)[0] > np.shape(a)[0]:
        return np.convolve(v, a[::-1], mode)[::-1]
    return np.convolve(a, v[::-1], mode)


@defcomposite(np.vander)
def vander(x: Any, N: Any = None, increasing: bool = False) -> Any:
    """``np.vander``: the powers of ``x`` as columns, made by products (a power 0 is
    ones, whose derivative is 0 at ``x = 0`` too)."""
    count = np.shape(x)[0] if N is None else N
    columns = []
    if count > 0:
        columns.append(np.ones_like(x))
    for _ in range(1, count):
        columns.append(columns[-1] * x)
    if not increasing:
        columns = columns[::-1]
    if not columns:
        return np.zeros((np.shape(x)[0], 0), dtype=np.result_type(x, 1.0))
    return np.stack(columns, axis=1)


@defcomposite(np.polyder)
def polyder(p: Any, m: int = 1) -> Any:
    """``np.polyder`` of a coefficient array (highest power first)."""
    if m < 0:
        raise ValueError("Order of derivative must be positive (see polyint)")
    coefficients = p
    for _ in range(m):
        n = np.shape(coefficients)[0] - 1
        if n < 1:
            return np.zeros(1, dtype=np.result_type(p, 1.0))
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
