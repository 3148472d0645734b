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
    entries at ``+inf`` get their weight and the others 0. A nan stays nan.
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
    # (a result at -inf: 0; at +inf: 1 for the entries at +inf; a nan stays nan)
    top = np.equal(a, np.inf) * (1 if b is None else b)
    return unbroadcast(g * np.where(infinite, np.where(np.greater(ans, 0), top, 0),
                                    weights), a)


def share_of_sum(x: Any, ans: Any, base: float = np.e) -> Any:
    """``base ** (x - ans)``, the share ``x`` has in ``ans = logaddexp(x, y)``
    (``logaddexp2`` with ``base=2``). Where ``ans`` is infinite the difference is nan:
    at ``-inf`` (``x = y = -inf``, a state not reached yet in a log-space recursion)
    the share is 0, which a zero adjoint keeps 0, as logsumexp's; at ``+inf`` it is 1
    for an operand at ``+inf`` and 0 for a finite one. A nan stays nan."""
    if type(x) is float and type(ans) is float:  # (the Python-number variants)
        if -np.inf < ans < np.inf or ans != ans:
            return base ** (x - ans)
        return 1.0 if ans > 0 and x == ans else 0.0
    infinite = np.isinf(ans)
    if not np.any(infinite):
        return np.power(base, x - ans) if base != np.e else np.exp(x - ans)
    shifted = np.subtract(x, np.where(infinite, 0, ans))
    share = np.exp(shifted) if base == np.e else np.power(base, shifted)
    at_top = np.equal(x, np.inf).astype(np.result_type(share))
    return np.where(infinite, np.where(np.greater(ans, 0), at_top, 0), share)[()]


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
