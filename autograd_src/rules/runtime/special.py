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
    Where the result itself is ``-inf`` (all entries ``-inf``, or all weights 0) the
    gradient is 0 instead of the nan of ``exp(-inf - -inf)``; where it is ``+inf``, the
    entries at ``+inf`` share 1 (as a max's ties) and the others get 0. A nan stays nan.
    """
    if return_sign:
        raise NotImplementedError("the gradient of logsumexp(return_sign=True) is not "
                                  "supported")
    ans = keep_reduced_dims(ans, a, axis, keepdims)
    g = keep_reduced_dims(g, a, axis, keepdims)
    infinite = np.isinf(ans)
    weights = np.exp(a - np.where(infinite, 0, ans))
    if b is not None:
        weights = weights * b
    if not np.any(infinite):
        return unbroadcast(g * weights, a)
    # (a result at -inf: 0; at +inf: the entries at +inf share 1; a nan stays nan)
    at_top = np.equal(a, np.inf)
    top = at_top / np.maximum(np.sum(at_top, axis=axis, keepdims=True), 1) * \
        (1 if b is None else b)
    return unbroadcast(g * np.where(infinite, np.where(np.greater(ans, 0), top, 0),
                                    weights), a)


def share_of_sum(x: Any, y: Any, base: float = np.e) -> Any:
    """The share ``x`` has in ``logaddexp(x, y)`` (``logaddexp2`` with ``base=2``):
    ``1 / (1 + base ** (y - x))``, exact where ``x`` and ``y`` are large (``exp(x - ans)``
    rounds to 1 at 1e17). Where both are ``-inf`` (a state not reached yet, in a
    log-space recursion) the share is 0, which a zero adjoint keeps 0, as logsumexp's;
    where both are ``+inf``, a half. A nan stays nan."""
    if type(x) is float and type(y) is float:  # (the Python-number variants)
        if x == y and x in (np.inf, -np.inf):
            return 0.5 if x > 0 else 0.0
        power = y - x
        return 0.0 if power > 700 else 1.0 / (1.0 + base ** power)
    with np.errstate(over="ignore", invalid="ignore"):
        power = np.subtract(y, x)
        share = 1.0 / (1.0 + (np.exp(power) if base == np.e else np.power(base, power)))
    both = np.isinf(x) & np.equal(x, y)
    if np.any(both):
        share = np.where(both, np.where(np.greater(x, 0), 0.5, 0.0), share)
    return share[()] if isinstance(share, np.ndarray) else share


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
