"""Derivatives of NumPy's functions of sampled data: ``median``, ``interp``,
``polyval`` and ``trapezoid`` (``trapz``).

Each is piecewise linear or polynomial in its inputs, so its derivative is a set of
weights: the median's on the middle entries of each sorted lane, interpolation's on
the two samples around each point, the trapezoid rule's on each sample.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .reductions import _normalize_axes, unreduce

__all__ = ["median_weights", "unmedian", "median_tangent", "interp_slope",
           "uninterp_values", "uninterp_knots", "interp_knots_tangent", "uninterp_end",
           "interp_end_tangent",
           "unpolyval_coefficients", "polyval_slope", "trapezoid", "trapezoid_weights",
           "untrapezoid_samples", "untrapezoid_points"]


def median_weights(x: Any, axis: Any = None) -> Any:
    """The weight of each entry of ``x`` in ``np.median(x, axis)``: 1 on the middle
    entry of each sorted lane, 1/2 on the two middle ones of an even count, 0
    elsewhere (the median is the sum of ``x`` times them; ties are taken in the
    order a stable sort leaves them)."""
    x = np.asarray(x)
    axes = _normalize_axes(axis, x.ndim)
    if not axes:  # a 0-d array: its own median
        return np.ones(x.shape, dtype=np.result_type(x, np.float32))
    if x.size == 0:  # (no lanes, or empty ones: nothing to weigh)
        return np.zeros(x.shape, dtype=np.result_type(x, np.float32))
    rest = tuple(a for a in range(x.ndim) if a not in axes)
    lanes = np.transpose(x, rest + axes).reshape([x.shape[a] for a in rest] + [-1])
    n = lanes.shape[-1]
    order = np.argsort(lanes, axis=-1, kind="stable")
    by_rank = np.zeros(n, dtype=np.result_type(x, np.float32))
    if n % 2:
        by_rank[n // 2] = 1.0
    else:
        by_rank[n // 2 - 1:n // 2 + 1] = 0.5
    weights = np.zeros(lanes.shape, dtype=by_rank.dtype)
    np.put_along_axis(weights, order, np.broadcast_to(by_rank, lanes.shape), axis=-1)
    weights = weights.reshape([x.shape[a] for a in rest + axes])
    return np.transpose(weights, np.argsort(rest + axes))


def unmedian(g: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Gradient of ``np.median(x, axis, keepdims=keepdims)``."""
    return unreduce(g, x, axis, keepdims) * median_weights(x, axis)


def median_tangent(g: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Tangent of ``np.median(x, axis, keepdims=keepdims)`` along ``g``."""
    return np.sum(g * median_weights(x, axis), axis=axis, keepdims=keepdims)


def _segments(x: Any, xp: Any) -> tuple:
    """For each point of ``x``: the segment ``[xp[i], xp[i + 1]]`` of the sample points
    ``xp`` that holds it (the first or last one outside them), its width ``h``, the
    fraction ``t`` along it, and whether the point lies below or above the samples."""
    x, xp = np.asarray(x), np.asarray(xp)
    if xp.ndim != 1 or len(xp) < 2:
        raise ValueError("interp's derivative needs at least two sample points in a 1-D xp")
    i = np.clip(np.searchsorted(xp, x, side="right") - 1, 0, len(xp) - 2)
    h = xp[i + 1] - xp[i]
    t = (x - xp[i]) / h
    return i, h, t, x < xp[0], x > xp[-1]


def _no_period(period: Any) -> None:
    if period is not None:
        raise NotImplementedError("the derivative of np.interp with period= is not "
                                  "implemented: map the points into one period first "
                                  "(x % period) and pass periodic samples")


def interp_slope(x: Any, xp: Any, fp: Any, period: Any = None) -> Any:
    """The derivative of ``np.interp(x, xp, fp)`` with respect to ``x``: the slope of
    the segment each point lies on, 0 outside the samples (the ends are constant)."""
    _no_period(period)
    i, h, _, below, above = _segments(x, xp)
    fp = np.asarray(fp)
    return np.where(below | above, 0.0, (fp[i + 1] - fp[i]) / h)


def uninterp_values(g: Any, x: Any, xp: Any, fp: Any, left: Any = None, right: Any = None,
                    period: Any = None) -> Any:
    """Gradient of ``np.interp(x, xp, fp, left, right)`` with respect to the sample
    values ``fp``: each point's seed shared by the two samples around it, outside
    them given to the end sample (unless ``left``/``right`` replace it)."""
    _no_period(period)
    i, _, t, below, above = _segments(x, xp)
    g = np.broadcast_to(g, np.shape(t))
    fp = np.asarray(fp)
    out = np.zeros(fp.shape, dtype=np.result_type(g, fp, np.float32))
    inside = ~(below | above)
    np.add.at(out, i[inside], (g * (1 - t))[inside])
    np.add.at(out, i[inside] + 1, (g * t)[inside])
    if left is None:
        out[0] += np.sum(g[below])
    if right is None:
        out[-1] += np.sum(g[above])
    return out


def uninterp_end(g: Any, x: Any, xp: Any, below: bool, period: Any = None) -> Any:
    """Gradient of ``np.interp(x, xp, fp, left, right)`` with respect to ``left``
    (``below``) or ``right``: the seeds of the points outside the samples on that side."""
    _no_period(period)
    x, xp = np.asarray(x), np.asarray(xp)
    outside = x < xp[0] if below else x > xp[-1]
    return np.sum(np.broadcast_to(g, outside.shape)[outside])


def interp_end_tangent(g: Any, x: Any, xp: Any, below: bool, period: Any = None) -> Any:
    """Tangent of ``np.interp(x, xp, fp, left, right)`` along ``g``, a tangent of ``left``
    (``below``) or ``right``: ``g`` at the points outside the samples on that side."""
    _no_period(period)
    x, xp = np.asarray(x), np.asarray(xp)
    outside = x < xp[0] if below else x > xp[-1]
    return np.where(outside, g, 0.0) if outside.ndim else (g if outside else 0.0 * g)


def interp_values_tangent(g: Any, x: Any, xp: Any, left: Any = None, right: Any = None,
                          period: Any = None) -> Any:
    """Tangent of ``np.interp(x, xp, fp, left, right)`` along ``g``, a tangent of
    ``fp``: ``g`` interpolated, 0 outside the samples where ``left``/``right`` replace
    the end values."""
    return np.interp(x, xp, g, None if left is None else 0.0,
                     None if right is None else 0.0, period)


def _knot_factors(x: Any, xp: Any, fp: Any) -> tuple:
    """``(i, a, b, inside)``: ``np.interp(x, xp, fp)`` changes by ``a`` per unit of
    ``xp[i]`` and ``b`` per unit of ``xp[i + 1]`` at points inside the samples."""
    i, h, t, below, above = _segments(x, xp)
    fp = np.asarray(fp)
    slope = (fp[i + 1] - fp[i]) / h
    return i, slope * (t - 1), -slope * t, ~(below | above)


def uninterp_knots(g: Any, x: Any, xp: Any, fp: Any, period: Any = None) -> Any:
    """Gradient of ``np.interp(x, xp, fp)`` with respect to the sample points ``xp``."""
    _no_period(period)
    i, a, b, inside = _knot_factors(x, xp, fp)
    g = np.broadcast_to(g, np.shape(a))
    out = np.zeros(np.shape(xp), dtype=np.result_type(g, xp, np.float32))
    np.add.at(out, i[inside], (g * a)[inside])
    np.add.at(out, i[inside] + 1, (g * b)[inside])
    return out


def interp_knots_tangent(g: Any, x: Any, xp: Any, fp: Any, period: Any = None) -> Any:
    """Tangent of ``np.interp(x, xp, fp)`` along ``g``, a tangent of ``xp``."""
    _no_period(period)
    i, a, b, inside = _knot_factors(x, xp, fp)
    g = np.asarray(g)
    return np.where(inside, a * g[i] + b * g[i + 1], 0.0)


def _one_polynomial(p: Any) -> None:
    if np.ndim(p) != 1:
        raise NotImplementedError("the derivative of np.polyval takes 1-D coefficients (one "
                                  "polynomial); for one per column, call it per column")


def unpolyval_coefficients(g: Any, p: Any, x: Any) -> Any:
    """Gradient of ``np.polyval(p, x)`` with respect to the coefficients ``p``
    (highest power first): each seed times the powers of its point."""
    _one_polynomial(p)
    n = len(p)
    powers = np.asarray(x)[..., None] ** np.arange(n - 1, -1, -1)
    g = np.broadcast_to(g, powers.shape[:-1])
    return np.tensordot(g, powers, axes=g.ndim)


def polyval_slope(p: Any, x: Any) -> Any:
    """The derivative of ``np.polyval(p, x)`` with respect to ``x``."""
    _one_polynomial(p)
    p = np.asarray(p)
    if len(p) < 2:
        return np.zeros(np.shape(x), dtype=np.result_type(p, x, np.float32))
    return np.polyval(np.polyder(p), x)


def trapezoid(y: Any, x: Any = None, dx: Any = 1.0, axis: int = -1) -> Any:
    """``np.trapezoid`` (``np.trapz`` before NumPy 2.0)."""
    integrate = np.trapezoid if hasattr(np, "trapezoid") else np.trapz
    return integrate(y, x=x, dx=dx, axis=axis)


def trapezoid_weights(y: Any, x: Any = None, dx: Any = 1.0, axis: int = -1) -> Any:
    """The weight of each sample of ``y`` in ``trapezoid(y, x, dx, axis)``: half the
    width of the intervals on either side of it, shaped to broadcast against ``y``."""
    y = np.asarray(y)
    axis = axis % y.ndim
    n = y.shape[axis]
    if n < 2:  # (one sample: no interval, an integral of 0)
        return np.zeros([1] * y.ndim, dtype=np.result_type(y, dx, 1.0))
    if x is None:
        widths = np.full(max(n - 1, 0), dx, dtype=np.result_type(dx, 1.0))
        shape = [1] * y.ndim
        shape[axis] = n
    else:
        x = np.asarray(x)
        along = axis if x.ndim == y.ndim else -1
        widths = np.moveaxis(np.diff(x, axis=along), along, -1)
        shape = None
    lower = np.concatenate([np.zeros_like(widths[..., :1]), widths], axis=-1)
    upper = np.concatenate([widths, np.zeros_like(widths[..., :1])], axis=-1)
    weights = 0.5 * (lower + upper)
    if shape is not None:
        return weights.reshape(shape)
    if x.ndim == y.ndim:
        return np.moveaxis(weights, -1, axis)
    return weights.reshape([n if k == axis else 1 for k in range(y.ndim)])


def untrapezoid_samples(g: Any, y: Any, x: Any = None, dx: Any = 1.0, axis: int = -1) -> Any:
    """Gradient of ``trapezoid(y, x, dx, axis)`` with respect to the samples ``y``."""
    g = np.expand_dims(g, axis % np.ndim(y))
    return np.broadcast_to(g * trapezoid_weights(y, x, dx, axis), np.shape(y)).copy()


def untrapezoid_points(g: Any, y: Any, x: Any, axis: int = -1) -> Any:
    """Gradient of ``trapezoid(y, x, axis=axis)`` with respect to the sample points
    ``x``: moving ``x[j]`` widens the interval before it and narrows the one after."""
    y = np.moveaxis(np.asarray(y), axis, -1)
    if y.shape[-1] < 2:  # (one sample: no interval)
        return np.zeros(np.shape(x), dtype=np.result_type(y, x, 1.0))
    g = np.asarray(g)[..., None]
    pair = 0.5 * (y[..., :-1] + y[..., 1:])  # the mean height of each interval
    zero = np.zeros_like(pair[..., :1])
    per_point = g * (np.concatenate([zero, pair], -1) - np.concatenate([pair, zero], -1))
    x = np.asarray(x)
    if x.ndim == y.ndim:
        return np.moveaxis(per_point, -1, axis)
    return np.sum(per_point.reshape(-1, per_point.shape[-1]), axis=0)
