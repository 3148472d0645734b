"""The Tensor engine: MyGrad's Tensor API on the shared rule table.

`tensor` (the class and ``mg.tensor``), `backprop` (recording operations and
running their adjoints, node by node), `functions` (``mg.sin``, ``mg.sum``...,
each a primitive of the rule table), `linalg` (``mg.linalg``), `nnet` and
`layers` (``mg.nnet``: activations, losses, initializers and layers composed of
rule-table operations), `random` (``mg.random``: MyGrad's random tensors) and
`graph_source` (``backward_source``: a recorded graph's adjoint, written by `grad`'s
code generator).
"""

import sys as _sys

# NumPy's constants and dtypes under MyGrad's names (mg.pi, mg.newaxis, mg.float32)
from numpy import (  # noqa: F401
    bool_,
    e,
    float16,
    float32,
    float64,
    inf,
    int8,
    int16,
    int32,
    int64,
    nan,
    newaxis,
    pi,
    uint8,
)

from . import layers, linalg, nnet, random
from .backprop import no_autodiff
from .functions import *  # noqa: F401,F403 - mg.sin, mg.sum, ... (see its __all__)
from .functions import __all__ as _functions
from .tensor import Tensor, asarray, astensor, tensor

_CONSTANTS = ["pi", "e", "inf", "nan", "newaxis", "bool_", "float16", "float32", "float64",
              "int8", "int16", "int32", "int64", "uint8"]

__all__ = ["Tensor", "tensor", "astensor", "asarray", "no_autodiff", "linalg", "nnet", "random",
           *_functions, *_CONSTANTS]

# MyGrad's import paths: ``from autograd_src.nnet.layers import conv_nd`` as
# ``from mygrad.nnet.layers import conv_nd`` (nnet holds every name of its submodules).
for _name, _module in [("nnet", nnet), ("nnet.layers", layers), ("nnet.activations", nnet),
                       ("nnet.losses", nnet), ("nnet.initializers", nnet)]:
    _sys.modules.setdefault(f"autograd_src.{_name}", _module)
# and as attributes (mg.nnet.losses.softmax_crossentropy, import autograd_src.nnet.losses)
nnet.activations = nnet.losses = nnet.initializers = nnet  # type: ignore[attr-defined]
