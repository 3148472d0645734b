"""Fold temporaries read once into the expression that reads them (primal and
adjoint), write ``g * 2 * x`` for a product of a value with itself, and compute
a primal value the adjoint reads once at that use.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Optional

import gast

from ..ir import Transformer, name_node, walk
from .exact import ExactFolder
from .expressions import static_basic_index
from .walk import assigned_name, each_block, names, nodes, stores_and_loads

__all__ = ["fuse_temporaries", "double_repeated", "fuse_adjoint_terms", "sink_into_adjoint"]


def fuse_temporaries(stmts: list[Any], temporaries: set[str], loads: Counter,
                     past_arithmetic: frozenset = frozenset()) -> list[Any]:
    """Put a temporary read once back into the expression that reads it.

    ``y_times_x = y * x; y_stack.append(y); y = y_times_x + c`` becomes
    ``y_stack.append(y); y = y * x + c``, as the user wrote it, when only the
    primal needed the name (a loop's own arithmetic). ``temporaries`` are names the
    transformation made for pure operations; ``loads`` counts every read in the
    derivative. Only assignments and stack pushes may stand in between, and none
    may assign what the temporary reads; for the temporaries in ``past_arithmetic``
    (forward mode's tangents of values folded away), also the user's assignments of
    arithmetic on names (``y = prod * y + x * c[i]`` between ``dprod = 2.0 * prod *
    dy`` and its reader).
    """
    stmts = list(stmts)
    index = 0
    while index < len(stmts):
        target = assigned_name(stmts[index])
        use = _single_use(stmts, index, target, temporaries, past_arithmetic) \
            if target in temporaries and loads[target] == 1 else None
        if use is not None:
            value = stmts[index].value
            stmts[use] = _Substitute(target, value).visit(stmts[use])
            del stmts[index]
            continue
        index += 1
    return each_block(stmts, lambda block: fuse_temporaries(block, temporaries, loads,
                                                           past_arithmetic))


def _single_use(stmts: list[Any], index: int, target: str,
                temporaries: set[str], past_arithmetic: frozenset = frozenset()
                ) -> Optional[int]:
    """Where the statement after ``stmts[index]`` that reads ``target`` is, if the
    value can move there unchanged: what stands between may only be pure
    operations, copies and stack pushes."""
    operands = {n.id for n in names(stmts[index].value)}
    for position in range(index + 1, len(stmts)):
        stmt = stmts[position]
        stores, reads = stores_and_loads(stmt)
        if reads[target]:
            repeated = any(isinstance(n, _REPEATING) and stores_and_loads(n)[1][target]
                           for n in nodes(stmt))  # computed once, not per element
            return position if isinstance(stmt, gast.Assign) and not stores & {target} \
                and not repeated else None
        if stores & (operands | {target}):
            return None
        push = isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call) and \
            isinstance(stmt.value.func, gast.Attribute) and \
            stmt.value.func.attr == "append" and \
            isinstance(stmt.value.func.value, gast.Name) and \
            stmt.value.func.value.id not in operands
        # (a store into an array, V[:] = total, is no copy: it changes what a view of V
        # the temporary reads holds, V_part = V[::-1]; GT 05)
        pure = isinstance(stmt, gast.Assign) and all(
            isinstance(t, gast.Name) for t in stmt.targets) and (
            assigned_name(stmt) in temporaries or
            isinstance(stmt.value, (gast.Name, gast.Constant)) or
            target in past_arithmetic and assigned_name(stmt) is not None and all(
                isinstance(n, _FOLDED_PAST) for n in nodes(stmt.value)))
        if not (push or pure):
            return None
    return None


_REPEATING = (gast.ListComp, gast.SetComp, gast.DictComp, gast.GeneratorExp, gast.Lambda)
#: What an assignment the forward mode folds past may hold: names, numbers, arithmetic
#: and plain indexing (no call, which might change what a temporary reads).
_FOLDED_PAST = (gast.Name, gast.Constant, gast.BinOp, gast.UnaryOp, gast.Subscript,
               gast.Slice, gast.Tuple, gast.operator, gast.unaryop, gast.expr_context)


class _Substitute(Transformer):
    def __init__(self, name: str, value: gast.expr) -> None:
        self.name, self.value = name, value

    def visit_Name(self, node: gast.Name) -> Any:
        if node.id == self.name and isinstance(node.ctx, gast.Load):
            return self.value
        return node


def double_repeated(stmts: list[Any], adjoints: set[str], loads: Counter) -> list[Any]:
    """``t = g * x; dx = t; dx = dx + t`` (the adjoint of ``x * x``) becomes
    ``dx = g * 2 * x`` (``dx = dx + g * 2 * x`` when ``dx`` already held a sum),
    when nothing else reads ``t``. Doubling is exact, so the values are the same."""
    stmts = list(stmts)
    for index in range(len(stmts) - 2, 0, -1):
        if index + 1 >= len(stmts):
            continue
        first, second = stmts[index], stmts[index + 1]
        term = assigned_name(stmts[index - 1])
        target = assigned_name(first)
        accumulating = isinstance(first, gast.Assign) and _is_sum(first.value, target, term)
        if term is not None and target in adjoints and loads[term] == 2 and \
                (_is_name(first.value, term) or accumulating) and \
                isinstance(second, gast.Assign) and \
                assigned_name(second) == target and _is_sum(second.value, target, term):
            value = stmts[index - 1].value
            two = gast.Constant(value=2, kind=None)
            doubled = gast.BinOp(left=gast.BinOp(left=value.left, op=gast.Mult(), right=two),
                                 op=gast.Mult(), right=value.right) \
                if isinstance(value, gast.BinOp) and isinstance(value.op, gast.Mult) \
                else gast.BinOp(left=value, op=gast.Mult(), right=two)
            first.value = gast.BinOp(left=name_node(target), op=gast.Add(), right=doubled) \
                if accumulating else doubled
            del stmts[index + 1], stmts[index - 1]
    return each_block(stmts, lambda block: double_repeated(block, adjoints, loads))


def _is_sum(node: Any, left: str, right: str) -> bool:
    """Whether ``node`` is ``left + right``."""
    return isinstance(node, gast.BinOp) and isinstance(node.op, gast.Add) and \
        _is_name(node.left, left) and _is_name(node.right, right)


def _is_name(node: Any, name: str) -> bool:
    return isinstance(node, gast.Name) and node.id == name


def fuse_adjoint_terms(stmts: list[Any], candidates: set[str], loads: Counter) -> list[Any]:
    """Put an adjoint term read once back into the statement that reads it.

    ``ddiff_2 = dout * 2 * diff_2; dx_part_2 = -ddiff_2`` becomes
    ``dx_part_2 = -(dout * 2 * diff_2)``: the same operations in the same order,
    so the same values, with one name fewer to read and one array fewer to
    allocate (NumPy computes a chain like this in one temporary). ``candidates``
    are the names assigned once in the adjoint sweep and never by the primal;
    ``loads`` counts every read of them. Only small terms are moved, so lines stay
    readable, and only within the adjoint of one user statement, past assignments
    that leave what they read unchanged.
    """
    stmts = list(stmts)
    index = 0
    while index < len(stmts):
        target = assigned_name(stmts[index])
        use = _adjoint_use(stmts, index, target) if target in candidates \
            and loads[target] == 1 and _arithmetic(stmts[index].value) else None
        if use is not None:
            substituted = _Substitute(target, stmts[index].value).visit(stmts[use])
            stmts[use] = ExactFolder(units=True).visit(substituted)
            del stmts[index]
            continue
        index += 1
    return each_block(stmts, lambda block: fuse_adjoint_terms(block, candidates, loads))


def _arithmetic(expr: Any, most: int = 4, allowed: tuple = ()) -> bool:
    """Whether ``expr`` is arithmetic on names and numbers (and ``allowed`` nodes) with
    one to ``most`` operators."""
    nodes = list(walk(expr))
    operators = sum(isinstance(n, (gast.BinOp, gast.UnaryOp)) for n in nodes)
    return 0 < operators <= most and all(isinstance(n, _ARITHMETIC + allowed) for n in nodes)


_ARITHMETIC = (gast.BinOp, gast.UnaryOp, gast.Name, gast.Constant, gast.operator,
               gast.unaryop, gast.expr_context)


def _adjoint_use(stmts: list[Any], index: int, target: str) -> Optional[int]:
    """The position of the statement after ``stmts[index]`` that reads ``target``, if
    the value can move there: a plain or augmented assignment in the same block,
    with only such assignments in between, none changing what the value reads."""
    operands = {n.id for n in names(stmts[index].value)}
    for position in range(index + 1, len(stmts)):
        stmt = stmts[position]
        if not isinstance(stmt, (gast.Assign, gast.AugAssign)):  # a comment too: the
            # adjoint of each user statement stays under the comment that names it
            return None
        changed = _changed_names(stmt)
        if stores_and_loads(stmt)[1][target]:
            repeated = any(isinstance(n, _REPEATING) for n in nodes(stmt))
            return None if repeated or target in changed else position
        if changed & (operands | {target}):
            return None
    return None


def _changed_names(stmt: Any) -> set[str]:
    """Names an assignment rebinds or updates in place (``dx[1:] += g`` changes ``dx``)."""
    targets = stmt.targets if isinstance(stmt, gast.Assign) else [stmt.target]
    changed = set()
    for target in targets:
        while isinstance(target, (gast.Subscript, gast.Attribute)):
            target = target.value
        changed |= {n.id for n in names(target)}
    return changed


def sink_into_adjoint(primal: list[Any], adjoint: list[Any], candidates: set[str],
                      loads: Counter) -> tuple[list[Any], list[Any]]:
    """Compute a primal value read by one adjoint statement only in that statement.

    ``diff_2 = 1 - x_part; ...; dx_part = -(dout * 2 * diff_2)`` becomes
    ``dx_part = -(dout * 2 * (1 - x_part))``: the same operations on the same
    values (``candidates`` are temporaries whose operands never change), but the
    value no longer stays alive, in memory, from the primal sweep to its one use.
    Only short arithmetic and slices move, and only into top-level statements.
    """
    primal, adjoint = list(primal), list(adjoint)
    for index in range(len(primal) - 1, -1, -1):
        stmt = primal[index]
        target = assigned_name(stmt)
        if target not in candidates or loads[target] != 1 or not _sliced_arithmetic(stmt.value):
            continue
        for position, use in enumerate(adjoint):
            if isinstance(use, (gast.Assign, gast.AugAssign)) and stores_and_loads(use)[1][target]:
                if not any(isinstance(n, _REPEATING) for n in nodes(use)):
                    adjoint[position] = _Substitute(target, stmt.value).visit(use)
                    del primal[index]
                break
    return primal, adjoint


def _sliced_arithmetic(expr: Any) -> bool:
    """Short arithmetic as :func:`_arithmetic` allows, and slices with constant bounds."""
    return _arithmetic(expr, 3, (gast.Subscript, gast.Slice)) and all(
        static_basic_index(n.slice) is not None
        for n in nodes(expr) if isinstance(n, gast.Subscript))
