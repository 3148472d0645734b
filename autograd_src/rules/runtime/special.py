"""Helpers of the SciPy rules: log-sum-exp's softmax weights and the multivariate
digamma. SciPy is imported only when one is called.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .core import unbroadcast
from .reductions import keep_reduced_dims

__all__ = ["unlogsumexp", "multidigamma", "normal_density", "normal_density_slope"]


def unlogsumexp(g: Any, ans: Any, a: Any, axis: Any = None, b: Any = None,
                keepdims: bool = False, return_sign: bool = False) -> Any:
    """Gradient of ``scipy.special.logsumexp(a, axis, b, keepdims)`` in ``a``:
    ``g * b * exp(a - ans)``.

    An entry at ``-inf`` contributes nothing, so its gradient is 0 (``exp(-inf) = 0``).
    Where the result itself is not finite (all entries ``-inf``, all weights 0, or an
    infinity among the entries) the gradient is 0 instead of the nan of
    ``exp(-inf - -inf)``.
    """
    if return_sign:
        raise NotImplementedError("the gradient of logsumexp(return_sign=True) is not "
                                  "supported")
    ans = keep_reduced_dims(ans, a, axis, keepdims)
    g = keep_reduced_dims(g, a, axis, keepdims)
    finite = np.isfinite(ans)
    weights = np.exp(a - np.where(finite, ans, 0))
    if b is not None:
        weights = weights * b
    return unbroadcast(np.where(finite, g * weights, 0), a)


def multidigamma(a: Any, d: int) -> Any:
    """The derivative of ``multigammaln(a, d)``: the sum of ``digamma(a - j / 2)``,
    ``j < d``."""
    from scipy.special import psi
    return sum(psi(a - j / 2) for j in range(d))


def normal_density(x: Any) -> Any:
    """The standard normal density ``exp(-x**2 / 2) / sqrt(2 pi)``: ``ndtr``'s
    derivative, a function of its own so its derivative is 0 at ``x = +-inf``."""
    return np.exp(-np.square(x) / 2) / np.sqrt(2 * np.pi)


def normal_density_slope(x: Any) -> Any:
    """The derivative of `normal_density`, ``-x`` times it: 0 at ``x = +-inf`` (an
    ordered probit's infinite cut points), where the product is ``inf * 0``."""
    with np.errstate(invalid="ignore"):
        return np.where(np.isinf(x), 0.0, -x * normal_density(x))
