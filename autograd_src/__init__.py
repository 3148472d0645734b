"""autograd_src: automatic differentiation of Python and NumPy by source transformation.

``grad(f)`` reads the source of ``f`` and writes a new Python function that
computes its derivative: readable, inspectable, and as fast as hand-written
NumPy. ``import autograd_src as mg`` also gives a MyGrad-style Tensor built on
the same derivative rules.
"""

from . import extend, testing
from . import rules as _rules  # registers the rule table
from .api import derivative_source, grad, value_and_grad
from .errors import DiffSyntaxError, InPlaceUpdateError, NoRuleError, SourceUnavailableError
from .forward import jvp, make_jvp, vjp
from .jacobians import hessian, hvp, jacfwd, jacobian, jacrev
from .tensors import *  # noqa: F401,F403 - mg.tensor, mg.sin, mg.linalg, ... (its __all__)
from .tensors import __all__ as _tensor_functions

__version__ = "0.1.0"

__all__ = [
    "grad", "value_and_grad", "derivative_source", "extend", "testing",
    "jvp", "vjp", "make_jvp", "jacfwd", "jacrev", "jacobian", "hessian", "hvp",
    "DiffSyntaxError", "NoRuleError", "SourceUnavailableError", "InPlaceUpdateError",
    *_tensor_functions,
]
del _rules
