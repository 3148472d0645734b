"""The SciPy rules: ``scipy.special`` and ``scipy.stats.norm``, registered when SciPy is used.

SciPy is an optional extra: this module is imported by `registry.load_optional`
(which `registry.lookup` calls once SciPy has been imported by the program, or
the Tensor API calls to export these functions), never at ``import autograd_src``.
The rules read like those of `numpy_rules`: one expression per input.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.linalg as linalg
import scipy.special as special
import scipy.stats as stats

from . import runtime as _ad
from .registry import defcomposite, defvjp, nondifferentiable

# ----- Logistic and log-sum-exp -----


@defvjp(special.expit)
def expit(g, ans, x):
    return g * ans * (1 - ans)


@defvjp(special.logit)
def logit(g, ans, x):
    return g / (x * (1 - x))


@defvjp(special.logsumexp, n_inputs=1)
def logsumexp(g, ans, a, axis=None, b=None, keepdims=False, return_sign=False):
    """``g * b * exp(a - ans)`` (the softmax of ``a``, weighted by ``b``, a constant).

    Entries at ``-inf`` get 0; where the whole reduction is ``-inf`` (every entry
    ``-inf``, or every weight 0) the gradient is 0 rather than nan.
    """
    return _ad.unlogsumexp(g, ans, a, axis, b, keepdims, return_sign)


@defvjp(special.softmax)
def softmax(g, ans, x, axis=None):
    return ans * (g - np.sum(g * ans, axis=axis, keepdims=True))


@defvjp(special.log_softmax)
def log_softmax(g, ans, x, axis=None):
    return g - np.exp(ans) * np.sum(g, axis=axis, keepdims=True)


# ----- Gamma and beta functions -----


@defvjp(special.gammaln)
def gammaln(g, ans, x):
    return g * special.psi(x)


@defvjp(special.psi)
def psi(g, ans, x):
    return g * special.polygamma(1, x)


@defvjp(special.polygamma, n_inputs=2)
def polygamma(g, ans, n, x):
    """The order ``n`` is an integer: no gradient."""
    return None, g * special.polygamma(n + 1, x)


@defvjp(special.gamma)
def gamma(g, ans, x):
    return g * ans * special.psi(x)


@defvjp(special.rgamma)
def rgamma(g, ans, x):
    return -g * ans * special.psi(x)


@defvjp(special.beta, broadcasting=True)
def beta(g, ans, a, b):
    return (g * ans * (special.psi(a) - special.psi(a + b)),
            g * ans * (special.psi(b) - special.psi(a + b)))


@defvjp(special.betaln, broadcasting=True)
def betaln(g, ans, a, b):
    return g * (special.psi(a) - special.psi(a + b)), g * (special.psi(b) - special.psi(a + b))


@defvjp(special.multigammaln, n_inputs=1)
def multigammaln(g, ans, a, d):
    return g * _ad.multidigamma(a, d)


# ----- Error functions and the normal distribution -----


@defvjp(special.erf)
def erf(g, ans, x):
    return g * (2 / math.sqrt(math.pi)) * np.exp(-x ** 2)


@defvjp(special.erfc)
def erfc(g, ans, x):
    return -g * (2 / math.sqrt(math.pi)) * np.exp(-x ** 2)


@defvjp(special.erfinv)
def erfinv(g, ans, x):
    return g * (math.sqrt(math.pi) / 2) * np.exp(ans ** 2)


@defvjp(special.erfcinv)
def erfcinv(g, ans, x):
    return -g * (math.sqrt(math.pi) / 2) * np.exp(ans ** 2)


@defvjp(special.ndtr)
def ndtr(g, ans, x):
    return g * _ad.normal_density(x)  # (its own derivative 0 at +-inf: see there)


@defvjp(special.log_ndtr)
def log_ndtr(g, ans, x):
    return g * np.exp(-x ** 2 / 2 - ans) / math.sqrt(2 * math.pi)


@defvjp(special.ndtri)
def ndtri(g, ans, x):
    return g * math.sqrt(2 * math.pi) * np.exp(ans ** 2 / 2)


@defvjp(stats.norm.pdf, broadcasting=True)
def norm_pdf(g, ans, x, loc=0.0, scale=1.0):
    return (-g * ans * (x - loc) / scale ** 2, g * ans * (x - loc) / scale ** 2,
            g * ans * (((x - loc) / scale) ** 2 - 1) / scale)


@defvjp(stats.norm.logpdf, broadcasting=True)
def norm_logpdf(g, ans, x, loc=0.0, scale=1.0):
    return (-g * (x - loc) / scale ** 2, g * (x - loc) / scale ** 2,
            g * (((x - loc) / scale) ** 2 - 1) / scale)


@defvjp(stats.norm.cdf, broadcasting=True)
def norm_cdf(g, ans, x, loc=0.0, scale=1.0):
    return (g * stats.norm.pdf(x, loc, scale), -g * stats.norm.pdf(x, loc, scale),
            -g * stats.norm.pdf(x, loc, scale) * (x - loc) / scale)


@defvjp(stats.norm.logcdf, broadcasting=True)
def norm_logcdf(g, ans, x, loc=0.0, scale=1.0):
    """Through ``exp(logpdf - logcdf)``, finite far in the left tail."""
    return (g * np.exp(stats.norm.logpdf(x, loc, scale) - ans),
            -g * np.exp(stats.norm.logpdf(x, loc, scale) - ans),
            -g * np.exp(stats.norm.logpdf(x, loc, scale) - ans) * (x - loc) / scale)


# ----- x log y -----


@defvjp(special.xlogy, broadcasting=True)
def xlogy(g, ans, x, y):
    """``x log y``, which SciPy defines as 0 where ``x == 0``: there the gradient in
    ``y`` is 0 (also at ``y == 0``); the gradient in ``x`` is ``log y`` everywhere."""
    return g * np.log(y), g * _ad.divide_or_zero(x, y)


@defvjp(special.xlog1py, broadcasting=True)
def xlog1py(g, ans, x, y):
    """``x log(1 + y)``, 0 where ``x == 0``; the gradient in ``y`` is 0 there."""
    return g * np.log1p(y), g * _ad.divide_or_zero(x, 1 + y)


# ----- Bessel functions -----


@defvjp(special.j0)
def j0(g, ans, x):
    return -g * special.j1(x)


@defvjp(special.j1)
def j1(g, ans, x):
    return g * (special.j0(x) - special.jv(2, x)) / 2


@defvjp(special.y0)
def y0(g, ans, x):
    return -g * special.y1(x)


@defvjp(special.y1)
def y1(g, ans, x):
    return g * (special.y0(x) - special.yv(2, x)) / 2


@defvjp(special.jv, special.jn, n_inputs=2)
def jv(g, ans, v, x):
    return None, g * (special.jv(v - 1, x) - special.jv(v + 1, x)) / 2


@defvjp(special.yv, special.yn, n_inputs=2)
def yv(g, ans, v, x):
    return None, g * (special.yv(v - 1, x) - special.yv(v + 1, x)) / 2


@defvjp(special.i0)
def i0(g, ans, x):
    return g * special.i1(x)


@defvjp(special.i1)
def i1(g, ans, x):
    return g * (special.i0(x) + special.iv(2, x)) / 2


@defvjp(special.iv, n_inputs=2)
def iv(g, ans, v, x):
    return None, g * (special.iv(v - 1, x) + special.iv(v + 1, x)) / 2


@defvjp(special.ive, n_inputs=2)
def ive(g, ans, v, x):
    return None, g * ((special.ive(v - 1, x) + special.ive(v + 1, x)) / 2 - np.sign(x) * ans)


nondifferentiable(special.gammasgn)


@defcomposite(linalg.solve_triangular)
def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False,
                     check_finite=True):
    """``scipy.linalg.solve_triangular`` (a Gaussian process's solve with its Cholesky
    factor) as ``np.linalg.solve`` of the triangle it reads (its values within
    rounding of SciPy's), whose rule gives both derivatives."""
    triangle = np.tril(a) if lower else np.triu(a)
    if unit_diagonal:
        triangle = triangle - np.diag(np.diag(triangle)) + np.eye(np.shape(a)[0])
    if trans in (1, 2, "T", "C"):
        triangle = np.swapaxes(triangle, -1, -2)
    return np.linalg.solve(triangle, b)
