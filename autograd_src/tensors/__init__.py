"""The Tensor engine: MyGrad's Tensor API on the shared rule table.

`tensor` (the class and ``mg.tensor``), `backprop` (recording operations and
running their adjoints, node by node), `functions` (``mg.sin``, ``mg.sum``...,
each a primitive of the rule table), `linalg` (``mg.linalg``), `nnet` and
`layers` (``mg.nnet``: activations, losses, initializers and layers composed of
rule-table operations) and `graph_source` (``backward_source``: a recorded graph's
adjoint, written by `grad`'s code generator).
"""

import sys as _sys

from . import layers, linalg, nnet
from .backprop import no_autodiff
from .functions import *  # noqa: F401,F403 - mg.sin, mg.sum, ... (see its __all__)
from .functions import __all__ as _functions
from .tensor import Tensor, asarray, astensor, tensor

__all__ = ["Tensor", "tensor", "astensor", "asarray", "no_autodiff", "linalg", "nnet",
           *_functions]

# MyGrad's import paths: ``from autograd_src.nnet.layers import conv_nd`` as
# ``from mygrad.nnet.layers import conv_nd`` (nnet holds every name of its submodules).
for _name, _module in [("nnet", nnet), ("nnet.layers", layers), ("nnet.activations", nnet),
                       ("nnet.losses", nnet), ("nnet.initializers", nnet)]:
    _sys.modules.setdefault(f"autograd_src.{_name}", _module)
