"""Helpers of the SciPy rules: log-sum-exp's softmax weights and the multivariate
digamma. SciPy is imported only when one is called.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .core import unbroadcast
from .reductions import keep_reduced_dims

__all__ = ["unlogsumexp", "share_of_sum", "multidigamma", "normal_density",
           "normal_density_slope"]


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


def share_of_sum(x: Any, ans: Any, base: float = np.e) -> Any:
    """``base ** (x - ans)``, the share ``x`` has in ``ans = logaddexp(x, y)``
    (``logaddexp2`` with ``base=2``), and 0 where ``ans`` is not finite: ``x = y =
    -inf`` (a state not reached yet, in a log-space recursion) gives the nan of
    ``exp(-inf - -inf)``, which a zero adjoint does not cancel. As logsumexp."""
    if type(x) is float and type(ans) is float:  # (the Python-number variants)
        return base ** (x - ans) if -np.inf < ans < np.inf else 0.0
    finite = np.isfinite(ans)
    if np.all(finite):
        return np.power(base, x - ans) if base != np.e else np.exp(x - ans)
    shifted = np.subtract(x, np.where(finite, ans, 0))
    share = np.exp(shifted) if base == np.e else np.power(base, shifted)
    return np.where(finite, share, 0)[()]


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
