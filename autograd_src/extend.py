"""The public surface for adding derivative rules.

>>> import numpy as np
>>> from autograd_src import extend, grad
>>> def softplus(x):
...     return np.log1p(np.exp(x))
>>> @extend.defvjp(softplus)
... def softplus_vjp(g, ans, x):
...     return g / (1 + np.exp(-x))
>>> def f(x):
...     return softplus(x)
>>> round(float(grad(f)(1.0)), 6)  # the logistic sigmoid of 1
0.731059
"""

from .rules.jvp import defjvp
from .rules.registry import defvjp, nondifferentiable

__all__ = ["defvjp", "defjvp", "nondifferentiable"]
