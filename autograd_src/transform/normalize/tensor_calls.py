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
        formula = getattr(target, "__autograd_src_formula__", None)
        if formula is not None and len(node.args) == 1 and not node.keywords and \
                getattr(target, "__module__", None) == "autograd_src":
            return self.formula(formula, node)
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

    def formula(self, formula: str, node: gast.Call) -> gast.expr:
        """``mg.sec(x)`` as ``1 / np.cos(x)``, ``mg.erf(x)`` as SciPy's ufunc: what the
        Tensor function computes, in calls of functions with rules."""
        expr = gast.parse(formula, mode="eval").body
        argument = node.args[0]

        class Substitute(gast.NodeTransformer):
            def visit_Name(inner, name: gast.Name) -> gast.expr:  # noqa: N805
                return argument if name.id == "x" else name

            def visit_Attribute(inner, attr: gast.Attribute) -> gast.expr:  # noqa: N805
                if isinstance(attr.value, gast.Name) and attr.value.id == "np":
                    return gast.Attribute(value=name_node(self.namer.reference(
                        numpy_rules.np, "np")), attr=attr.attr, ctx=gast.Load())
                if gast.unparse(attr.value).strip() == "scipy.special":
                    import scipy.special
                    return name_node(self.namer.reference(
                        getattr(scipy.special, attr.attr), attr.attr))
                return inner.generic_visit(attr)

        expr = Substitute().visit(expr)
        for child in gast.walk(expr):
            gast.copy_location(child, node)
        return expr
