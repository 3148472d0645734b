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


# (the other usual densities and tails, as functions with rules: HIPS autograd's
# scipy.stats, so code written for it runs as it stands)
@defcomposite(stats.norm.sf)
def norm_sf(x, loc=0.0, scale=1.0):
    """``1 - cdf``, computed as the lower tail of ``-z`` (accurate far out)."""
    return special.ndtr(-(x - loc) / scale)


@defcomposite(stats.norm.logsf)
def norm_logsf(x, loc=0.0, scale=1.0):
    return special.log_ndtr(-(x - loc) / scale)


@defcomposite(stats.norm.ppf)
def norm_ppf(q, loc=0.0, scale=1.0):
    return loc + scale * special.ndtri(q)


@defcomposite(stats.t.logpdf)
def t_logpdf(x, df, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    return (special.gammaln((df + 1) / 2) - special.gammaln(df / 2)
            - 0.5 * np.log(df * np.pi) - np.log(scale)
            - (df + 1) / 2 * np.log1p(z * z / df))


@defcomposite(stats.t.pdf)
def t_pdf(x, df, loc=0.0, scale=1.0):
    return np.exp(t_logpdf(x, df, loc, scale))


@defcomposite(stats.poisson.logpmf)
def poisson_logpmf(k, mu, loc=0):
    """``k log mu - mu - log k!`` (``xlogy``: 0 at ``k = 0``, ``mu = 0``); -inf off the
    support, as SciPy gives."""
    k = k - loc
    return np.where((k >= 0) & (k == np.floor(k)),
                    special.xlogy(k, mu) - mu - special.gammaln(k + 1), -np.inf)


@defcomposite(stats.poisson.pmf)
def poisson_pmf(k, mu, loc=0):
    return np.exp(poisson_logpmf(k, mu, loc))


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
    a, b = _lapack_precision(a), _lapack_precision(b)
    triangle = np.tril(a) if lower else np.triu(a)
    if unit_diagonal:
        triangle = triangle - np.diag(np.diag(triangle)) + np.eye(np.shape(a)[0])
    if trans in (1, 2, "T", "C"):
        triangle = np.swapaxes(triangle, -1, -2)
    return np.linalg.solve(triangle, b)


# ----- scipy.linalg: computed through NumPy's linear algebra, whose rules apply -----


def _linalg_unsupported(name: str, option: str) -> NotImplementedError:
    return NotImplementedError(
        f"scipy.linalg.{name}(..., {option}) on a differentiated value is not supported by "
        f"autograd_src (scipy.linalg.{name} is differentiated through NumPy's linear "
        "algebra, which has no such option); compute it from np.linalg functions")


@defcomposite()
def _lapack_precision(a):
    """``a`` in float32 where it is float16, which SciPy's LAPACK wrappers compute in
    (NumPy's linear algebra refuses float16); else as it is."""
    return a.astype(np.float32) if np.asarray(a).dtype == np.float16 else a


@defcomposite()
def _symmetric_from(a, lower):
    """The symmetric matrix LAPACK's symmetric routines read from ``a``: its lower (or
    upper) triangle, mirrored. The other triangle does not change the result, and so
    gets no gradient, as in SciPy."""
    triangle = np.tril(a) if lower else np.triu(a)
    return triangle + np.swapaxes(triangle, -1, -2) - triangle * np.eye(np.shape(a)[-1])


@defcomposite(linalg.solve)
def solve(a, b, lower=False, overwrite_a=False, overwrite_b=False, check_finite=True,
          assume_a=None, transposed=False):
    """``scipy.linalg.solve`` as ``np.linalg.solve`` of the matrix it reads: the whole of
    ``a``, one triangle mirrored (``assume_a='sym'``, ``'her'``, ``'pos'``), one
    triangle (``'lower triangular'``, ``'upper triangular'``) or its diagonal."""
    a, b = _lapack_precision(a), _lapack_precision(b)
    kind = "gen" if assume_a in (None, "gen", "general") else assume_a
    if kind in ("sym", "her", "pos", "symmetric", "hermitian", "positive definite"):
        a = _symmetric_from(a, lower)
    elif kind in ("lower triangular", "upper triangular"):
        a = np.tril(a) if kind == "lower triangular" else np.triu(a)
    elif kind == "diagonal":
        a = a * np.eye(np.shape(a)[-1])
    elif kind != "gen":
        raise _linalg_unsupported("solve", f"assume_a={assume_a!r}")
    if transposed:
        a = np.swapaxes(a, -1, -2)
    return np.linalg.solve(a, b)


@defcomposite(linalg.inv)
def inv(a, overwrite_a=False, check_finite=True):
    """``scipy.linalg.inv`` as ``np.linalg.inv``."""
    return np.linalg.inv(_lapack_precision(a))


@defcomposite(linalg.det)
def det(a, overwrite_a=False, check_finite=True):
    """``scipy.linalg.det`` as ``np.linalg.det``."""
    return np.linalg.det(_lapack_precision(a))


@defcomposite(linalg.cholesky)
def cholesky(a, lower=False, overwrite_a=False, check_finite=True):
    """``scipy.linalg.cholesky``: the upper factor by default (NumPy's gives the lower
    one), of the triangle it reads."""
    factor = np.linalg.cholesky(_symmetric_from(_lapack_precision(a), lower))
    return factor if lower else np.swapaxes(factor, -1, -2)


@defcomposite(linalg.cho_factor)
def cho_factor(a, lower=False, overwrite_a=False, check_finite=True):
    """``scipy.linalg.cho_factor``: the factor in the triangle it reads, ``a``'s values
    left in the other (as SciPy leaves them), and ``lower``."""
    a = _lapack_precision(a)
    factor = cholesky(a, lower)
    rest = np.triu(a, 1) if lower else np.tril(a, -1)
    return factor + rest, lower


@defcomposite(linalg.cho_solve)
def cho_solve(c_and_lower, b, overwrite_b=False, check_finite=True):
    """``scipy.linalg.cho_solve`` with the factor ``cho_factor`` gave: two solves."""
    c, lower = c_and_lower
    c, b = _lapack_precision(c), _lapack_precision(b)
    factor = np.tril(c) if lower else np.swapaxes(np.triu(c), -1, -2)
    return np.linalg.solve(np.swapaxes(factor, -1, -2), np.linalg.solve(factor, b))


@defcomposite()
def _eigh_of(a, b, lower):
    """Eigenvalues and eigenvectors of ``a v = w b v`` as LAPACK finds them: ``b = L
    L^T``, the ordinary problem of ``L^-1 a L^-T``, whose vectors ``u`` give ``v = L^-T
    u`` (``v^T b v = I``, as SciPy's); ``b`` None: the ordinary problem of ``a``."""
    a = _lapack_precision(a)
    if b is None:
        return np.linalg.eigh(a, "L" if lower else "U")
    b = _lapack_precision(b)
    factor = np.linalg.cholesky(_symmetric_from(b, lower))
    half = np.linalg.solve(factor, _symmetric_from(a, lower))
    w, u = np.linalg.eigh(np.linalg.solve(factor, np.swapaxes(half, -1, -2)))
    return w, np.linalg.solve(np.swapaxes(factor, -1, -2), u)


def _scipys_signs(a, b, lower, driver):
    """``1.0`` or ``-1.0`` for each eigenvector `_eigh_of` finds: the sign SciPy's has
    (LAPACK's drivers, NumPy's and SciPy's, may give a vector its opposite), so that
    the values are SciPy's."""
    theirs = linalg.eigh(a, b, lower=lower, driver=driver)[1]
    ours = _eigh_of(np.asarray(a), None if b is None else np.asarray(b), lower)[1]
    return np.where(np.sum(theirs * ours, axis=-2, keepdims=True) < 0, -1.0, 1.0)


nondifferentiable(_scipys_signs)


@defcomposite(linalg.eigh)
def eigh(a, b=None, *, lower=True, eigvals_only=False, overwrite_a=False,
         overwrite_b=False, type=1, check_finite=True, subset_by_index=None,
         subset_by_value=None, driver=None):
    """``scipy.linalg.eigh``, the generalized problem ``a v = w b v`` too (``type=1``,
    the Roothaan-Hall equations): `_eigh_of`, each vector given SciPy's sign."""
    if type != 1:
        raise _linalg_unsupported("eigh", f"type={type}")
    if subset_by_index is not None or subset_by_value is not None:
        raise _linalg_unsupported("eigh", "subset_by_index=, subset_by_value=")
    w, v = _eigh_of(a, b, lower)
    if eigvals_only:
        return w
    return w, v * _scipys_signs(a, b, lower, driver)


@defcomposite(linalg.eigvalsh)
def eigvalsh(a, b=None, *, lower=True, overwrite_a=False, overwrite_b=False, type=1,
             check_finite=True, subset_by_index=None, subset_by_value=None, driver=None):
    """``scipy.linalg.eigvalsh``: `eigh`'s eigenvalues."""
    return eigh(a, b, lower=lower, eigvals_only=True, type=type,
                subset_by_index=subset_by_index, subset_by_value=subset_by_value)
