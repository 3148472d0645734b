"""Folds that change no bit of the result: ``g * 100.0 * 2`` to ``g * 200.0`` (a
power of two), ``a + -b`` to ``a - b``, ``-(-a * b)`` to ``a * b``.
"""

from __future__ import annotations

import math
from typing import Any

import gast

from ..ir import Transformer
from .accumulate import without_negation
from .expressions import constant_node, number_of

__all__ = ["fold_exactly", "ExactFolder"]


def fold_exactly(stmts: list[Any]) -> list[Any]:
    """``stmts`` with the exact rewrites of :class:`ExactFolder` applied everywhere
    (``dx = dx + -dt`` reads ``dx = dx - dt``)."""
    return [ExactFolder().visit(s) if isinstance(s, gast.AST) else s for s in stmts]


def _power_of_two(value: Any) -> bool:
    if type(value) not in (int, float) or value == 0:
        return False
    mantissa, _ = math.frexp(abs(value))
    return mantissa == 0.5


class ExactFolder(Transformer):
    """Rewrites that leave values bit for bit the same: ``g * 100.0 * 2`` as
    ``g * 200.0`` (a power of two scales exactly, short of overflow and subnormal
    numbers), ``g * 0.5 * 2`` as ``g``, ``a + -b * c`` as ``a - b * c`` and
    ``-(-a * b)`` as ``a * b`` (negation is exact).

    ``g * 0.5 * 2`` becomes ``g`` only with ``units`` (for adjoint terms, which are
    floats): an integer ``g`` would otherwise lose its conversion to float.
    """

    def __init__(self, units: bool = False) -> None:
        self.units = units

    def visit_BinOp(self, node: gast.BinOp) -> gast.expr:
        self.generic_visit(node)
        inner = node.left
        if isinstance(node.op, gast.Mult) and isinstance(inner, gast.BinOp) and \
                isinstance(inner.op, gast.Mult):
            a, b = number_of(inner.right), number_of(node.right)
            if a is not None and b is not None and (_power_of_two(a) or _power_of_two(b)):
                if a * b == 1 and self.units:
                    return inner.left
                return gast.BinOp(left=inner.left, op=gast.Mult(), right=constant_node(a * b))
        if isinstance(node.op, (gast.Add, gast.Sub)):
            negated, right = without_negation(node.right)
            if isinstance(negated, gast.Sub):
                op = gast.Sub() if isinstance(node.op, gast.Add) else gast.Add()
                return gast.BinOp(left=node.left, op=op, right=right)
        return node

    def visit_UnaryOp(self, node: gast.UnaryOp) -> gast.expr:
        self.generic_visit(node)
        if isinstance(node.op, gast.USub):
            negated, operand = without_negation(node.operand)
            if isinstance(negated, gast.Sub):
                return operand
        return node
