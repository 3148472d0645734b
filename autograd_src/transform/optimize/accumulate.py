"""Accumulate adjoints in place (``dx += t``, ``dx[1:] += t``) where the array is
the sweep's own.
"""

from __future__ import annotations

from typing import Any

import gast

from .expressions import static_basic_index
from .walk import assigned_name, helper_of

__all__ = ["without_negation", "accumulate_in_place"]


# Helpers that always return a new array the caller may modify.
_FRESH_HELPERS = {"unindex", "unreduce", "unmean", "unextreme", "unvar", "unstd", "unprod",
                  "uncumsum", "untile", "unrepeat", "untrace", "matmul_lhs", "matmul_rhs",
                  "dot_lhs", "dot_rhs", "inner_lhs", "inner_rhs", "solve_lhs", "norm_grad"}


def _fresh(node: Any, ad: str) -> bool:
    if isinstance(node, (gast.BinOp, gast.UnaryOp)):
        return True
    helper = helper_of(node, ad)
    if helper == "unbroadcast":
        return _fresh(node.args[0], ad)
    return helper in _FRESH_HELPERS


def without_negation(update: gast.expr) -> tuple[gast.operator, gast.expr]:
    """``(Sub, e)`` for ``-e`` and ``-a * b / c``, else ``(Add, update)``: one pass fewer.

    Negating the first factor of a product or quotient negates the result exactly.
    """
    if isinstance(update, gast.UnaryOp) and isinstance(update.op, gast.USub):
        return gast.Sub(), update.operand
    if isinstance(update, gast.BinOp) and isinstance(update.op, (gast.Mult, gast.Div)):
        op, left = without_negation(update.left)
        if isinstance(op, gast.Sub):
            return op, gast.BinOp(left=left, op=update.op, right=update.right)
    return gast.Add(), update


def accumulate_in_place(stmts: list[Any], adjoints: set[str], ad: str) -> list[Any]:
    """Turn ``da = da + c`` into ``da += c`` (and ``da[i] += g``) where ``da`` is private.

    An adjoint is private when its value was freshly computed (arithmetic or a
    helper that allocates) and no other name refers to it, so updating it in
    place cannot change any other value. This saves one allocation per
    accumulation, which dominates on large arrays.
    """
    owned: set[str] = set()
    indexable: set[str] = set()
    result: list[Any] = []
    for stmt in stmts:
        target = assigned_name(stmt)
        if target is None:
            result.append(stmt)
            continue
        value = stmt.value
        if isinstance(value, gast.Name):
            owned.discard(value.id)  # now shared by two names
            indexable.discard(value.id)
        accumulating = (target in adjoints and target in owned
                        and isinstance(value, gast.BinOp)
                        and isinstance(value.op, (gast.Add, gast.Sub))
                        and isinstance(value.left, gast.Name) and value.left.id == target)
        if accumulating:
            update = value.right
            index = static_basic_index(update.args[2]) if isinstance(value.op, gast.Add) \
                and helper_of(update, ad) == "unindex" and len(update.args) == 3 else None
            if index is not None and target in indexable:
                subscript = gast.Subscript(value=gast.Name(id=target, ctx=gast.Load(),
                                                           annotation=None, type_comment=None),
                                           slice=index, ctx=gast.Store())
                result.append(gast.copy_location(
                    gast.AugAssign(target=subscript, op=gast.Add(), value=update.args[0]), stmt))
            else:
                op, update = without_negation(update)  # da += -e  is  da -= e
                if isinstance(value.op, gast.Sub):
                    op = gast.Add() if isinstance(op, gast.Sub) else gast.Sub()
                result.append(gast.copy_location(
                    gast.AugAssign(target=gast.Name(id=target, ctx=gast.Store(), annotation=None,
                                                    type_comment=None),
                                   op=op, value=update), stmt))
            continue
        owned.discard(target)
        indexable.discard(target)
        if target in adjoints and _fresh(value, ad):
            owned.add(target)
            if helper_of(value, ad) in ("unindex", "unreduce"):
                indexable.add(target)
        result.append(stmt)
    return result
