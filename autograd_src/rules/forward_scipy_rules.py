"""The tangent rules of the SciPy primitives, loaded with SciPy's adjoint rules.

Imported by `jvp.lookup_jvp` the first time forward mode meets a SciPy function
(SciPy is optional: never at ``import autograd_src``). The special functions
that are ufuncs need nothing here (their tangent is read off the adjoint,
`jvp.from_adjoint`); the elementwise functions that are not ufuncs (the normal
distribution's, ``polygamma``, ``multigammaln``) have diagonal Jacobians too and
take their adjoint rule's expressions as tangent terms; the others are below.
"""

from __future__ import annotations

import numpy as np
import scipy.special as special
import scipy.stats as stats

from . import registry, scipy_rules  # noqa: F401 - the adjoint rules, registered
from . import runtime as _ad
from .jvp import defjvp
from .runtime import forward as _fwd

for _primitive in (stats.norm.pdf, stats.norm.logpdf, stats.norm.cdf, stats.norm.logcdf,
                   special.polygamma, special.multigammaln, special.beta, special.betaln,
                   special.xlogy, special.xlog1py, special.jv, special.jn, special.yv,
                   special.yn, special.iv, special.ive):
    _rule = registry.lookup(_primitive)
    if _rule is not None:  # elementwise: each input's Jacobian is diagonal
        defjvp(_primitive, broadcasting=_rule.broadcasting)(_rule.vjp)


@defjvp(special.softmax)
def softmax(g, ans, x, axis=None):
    return ans * (g - np.sum(g * ans, axis=axis, keepdims=True))


@defjvp(special.log_softmax)
def log_softmax(g, ans, x, axis=None):
    return g - np.sum(np.exp(ans) * g, axis=axis, keepdims=True)


@defjvp(special.logsumexp)
def logsumexp(g, ans, a, axis=None, b=None, keepdims=False, return_sign=False):
    return _fwd.sum_reduced(g * _ad.unlogsumexp(np.ones_like(ans), ans, a, axis, b, keepdims,
                                                return_sign), axis, keepdims)
