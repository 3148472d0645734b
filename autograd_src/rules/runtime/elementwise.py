"""Masks and factors elementwise rules need (clip, power at 0), and casts.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .core import dtype_of, shape_of

__all__ = ["inverse_permutation", "clip_mask", "log_or_zero", "astype", "cast_like"]


def inverse_permutation(axes: Any) -> Any:
    """The axes that undo ``transpose(x, axes)``; None stays None."""
    if axes is None:
        return None
    return tuple(int(i) for i in np.argsort(axes))


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


def cast_like(g: Any, x: Any) -> Any:
    """``g`` in the dtype of ``x`` (the gradient of a cast)."""
    return np.asarray(g).astype(dtype_of(x), copy=False)
