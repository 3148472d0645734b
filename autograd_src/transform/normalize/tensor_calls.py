"""``mg.sin(x)`` in a differentiated function is ``np.sin(x)``: the Tensor functions
resolve to their primitives, whose rules `grad` inlines."""

from __future__ import annotations

import gast

from ...rules import numpy_rules, registry
from ..ir import name_node
from ..naming import Namer
from ..source import ParsedFunction

__all__ = ["TensorCallsToNumPy"]


#: The Tensor API's creation functions, NumPy's of the same name and parameters
#: (``constant=`` aside): their values carry no gradient.
_CREATION = frozenset({"zeros", "ones", "empty", "full", "zeros_like", "ones_like",
                       "empty_like", "full_like", "arange", "linspace", "eye", "identity"})


class TensorCallsToNumPy(gast.NodeTransformer):
    """Rewrite ``mg.sin(x)`` as ``np.sin(x)``: the Tensor functions resolve to their primitives."""

    def __init__(self, parsed: ParsedFunction, namer: Namer) -> None:
        self.parsed, self.namer = parsed, namer

    def visit_Call(self, node: gast.Call) -> gast.Call:
        self.generic_visit(node)
        target = self.parsed.resolve(node.func)
        if getattr(target, "__name__", None) in _CREATION and \
                getattr(target, "__module__", None) == "autograd_src.tensors.functions":
            # mg.zeros_like(x): NumPy's, a constant (constant= says nothing more here)
            node.func = gast.copy_location(gast.Attribute(
                value=name_node(self.namer.reference(numpy_rules.np, "np")),
                attr=target.__name__, ctx=gast.Load()), node.func)
            node.keywords = [k for k in node.keywords if k.arg != "constant"]
            return node
        primitive = getattr(target, "__autograd_src_primitive__", None)
        if primitive is not None:
            module_name, _, attr = registry.primitive_name(primitive).rpartition(".")
            module = {"np": numpy_rules.np, "np.linalg": numpy_rules.np.linalg}.get(module_name)
            if module is not None:
                func: gast.expr = name_node(self.namer.reference(numpy_rules.np, "np"))
                if module is numpy_rules.np.linalg:
                    func = gast.Attribute(value=func, attr="linalg", ctx=gast.Load())
                node.func = gast.copy_location(
                    gast.Attribute(value=func, attr=attr, ctx=gast.Load()), node.func)
        return node
