"""Instantiating a tangent rule at one call site: its parameters replaced by the
operands, the terms' small rewrites, and which operations are pure.
"""

from __future__ import annotations

import builtins
from typing import Any, Optional

import gast
import numpy as np

from ...rules.jvp import JVPRule
from ..inline import as_expr, math_twin
from ..ir import Op, Transformer, name_node, walk
from ..naming import Namer, clone

__all__ = ["ANS", "DEFAULTED", "Substitution", "is_pure", "without_minus", "is_literal",
           "replace_ans"]

#: Stands for the result in a term, until the statement order is known.
ANS = "__autograd_src_ans__"
#: The rule parameters a call leaves at their defaults (keywords left out).
DEFAULTED = "__autograd_src_defaulted__"


class Substitution(Transformer):
    """A rule's parameters replaced by one call site's operands; ``g[k]`` of an
    all-inputs rule by the tangent of input ``k``; ``f(*(a, b))`` written ``f(a, b)``."""

    def __init__(self, rule: JVPRule, values: dict, namer: Namer,
                 items: Optional[list] = None, primitive: Any = None) -> None:
        self.rule = rule
        self.values = values
        self.namer = namer
        self.items = items
        self.scalar = getattr(primitive, "__module__", None) == "math"

    def visit_Attribute(self, node: gast.Attribute) -> gast.expr:
        twin = math_twin(node, self.rule.jvp.__globals__, self.namer) if self.scalar else None
        return twin if twin is not None else self.generic_visit(node)

    def visit_Subscript(self, node: gast.Subscript) -> gast.expr:
        if self.items is not None and isinstance(node.value, gast.Name) and \
                node.value.id == "g" and isinstance(node.slice, gast.Constant) and \
                isinstance(node.slice.value, int):
            return clone(self.items[node.slice.value])
        return self.generic_visit(node)

    def visit_Call(self, node: gast.Call) -> gast.expr:
        # keepdims=keepdims where the call left keepdims at its default: left out, where
        # the function called has that default too (not np.sum(g, axis=axis) of a rule
        # defaulting axis to 0: np.sum's is None)
        defaulted = self.values.get(DEFAULTED, ())
        if defaulted:
            callee = _callee_defaults(node.func, self.rule.jvp.__globals__)
            node.keywords = [k for k in node.keywords if not (
                isinstance(k.value, gast.Name) and k.value.id in defaulted and
                k.arg in callee and (callee[k.arg] is _NO_VALUE or
                                     is_literal(self.values[k.value.id], callee[k.arg])))]
        node = self.generic_visit(node)
        args = []
        for arg in node.args:
            if isinstance(arg, gast.Starred) and isinstance(arg.value, (gast.Tuple, gast.List)):
                args += arg.value.elts
            else:
                args.append(arg)
        node.args = args
        return node

    def visit_Name(self, node: gast.Name) -> gast.expr:
        if node.id in self.values:
            return as_expr(self.values[node.id])
        scope = self.rule.jvp.__globals__
        obj = scope[node.id] if node.id in scope else getattr(builtins, node.id)
        return name_node(self.namer.reference(obj, node.id))


#: NumPy's "not given" default (np.sum's keepdims): the function's own choice, which
#: a rule's default for the option stands for.
_NO_VALUE = getattr(np, "_NoValue", object())


def _callee_defaults(func: gast.expr, scope: dict) -> dict:
    """The keyword defaults of the function ``func`` names in a rule's module
    (``np.sum``: ``{"axis": None, ...}``); empty where it cannot be told."""
    import inspect
    parts = []
    while isinstance(func, gast.Attribute):
        parts.append(func.attr)
        func = func.value
    if not isinstance(func, gast.Name):
        return {}
    obj = scope.get(func.id, getattr(builtins, func.id, None))
    for part in reversed(parts):
        obj = getattr(obj, part, None)
    try:
        parameters = inspect.signature(obj).parameters
    except (TypeError, ValueError):
        return {}
    return {name: p.default for name, p in parameters.items() if p.default is not p.empty}


_PURE_MODULES = ("numpy", "math", "builtins", "operator", "_operator", "autograd_src")


def is_pure(op: Op) -> bool:
    """Whether moving or dropping ``op`` cannot change behaviour (NumPy, math, operators)."""
    if op.rule is None:
        return True
    if hasattr(op.rule, "helper_keywords"):
        return False
    primitive = op.rule.primitive
    module = getattr(primitive, "__module__", None) or ""
    return type(primitive).__name__ == "ufunc" or module.split(".")[0] in _PURE_MODULES


def without_minus(term: gast.expr) -> Optional[gast.expr]:
    """``a * b / c`` for a term ``-a * b / c``, so a sum reads ``x - a * b / c``."""
    if isinstance(term, gast.UnaryOp) and isinstance(term.op, gast.USub):
        return term.operand
    if isinstance(term, gast.BinOp) and isinstance(term.op, (gast.Mult, gast.Div)):
        left = without_minus(term.left)
        if left is not None:
            return gast.BinOp(left=left, op=term.op, right=term.right)
    return None


def is_literal(value: Any, default: Any) -> bool:
    """Whether an operand is the literal ``default`` (None, False, 0, 'C')."""
    if isinstance(value, gast.Constant):
        value = value.value
    elif isinstance(value, gast.AST):
        return False
    return type(value) is type(default) and value == default


def replace_ans(expr: gast.expr, name: str) -> gast.expr:
    for node in walk(expr):
        if isinstance(node, gast.Name) and node.id == ANS:
            node.id = name
    return expr
