"""Skip, in a reverse loop's last step, adjoints only the next step would read.

A loop-carried value's adjoint is computed at the end of each reverse step for the
step before it. In the last reverse step (the loop's first iteration) it goes to the
value the loop started from; where nothing reads it after the loop (an MLP's input
``x`` in ``h = x; for W, b in params: h = np.tanh(h @ W + b)``, not differentiated),
computing it is wasted work, as large as a layer's weight gradient. Such an
assignment is guarded: ``if not _ad.is_first(k, steps): dh = _ad.matmul_lhs(...)``.
"""

from __future__ import annotations

import copy
from typing import Any, Optional

import gast

from ..ir import walk
from .walk import assigned_name

__all__ = ["skip_in_last_step"]


def _name(id_: str) -> gast.Name:
    return gast.Name(id=id_, ctx=gast.Load(), annotation=None, type_comment=None)


def _first_of(stmt: gast.For) -> Optional[tuple[str, gast.expr]]:
    """For ``for k in reversed(R)`` (or ``for k, ... in zip(reversed(R), ...)``) with
    ``R`` a name or ``range(n)``: ``k`` and ``R``."""
    target, head = stmt.target, stmt.iter
    if isinstance(target, gast.Tuple) and target.elts and isinstance(head, gast.Call) and \
            isinstance(head.func, gast.Name) and head.func.id == "zip" and head.args:
        target, head = target.elts[0], head.args[0]
    if not (isinstance(target, gast.Name) and isinstance(head, gast.Call) and
            isinstance(head.func, gast.Name) and head.func.id == "reversed" and
            len(head.args) == 1):
        return None
    source = head.args[0]
    if isinstance(source, gast.Name):
        return target.id, _name(source.id)
    if isinstance(source, gast.Call) and isinstance(source.func, gast.Name) and \
            source.func.id == "range" and len(source.args) == 1 and not source.keywords and \
            isinstance(source.args[0], (gast.Name, gast.Constant)):
        return target.id, source
    return None


def _loads(nodes: list) -> set:
    return {n.id for s in nodes for n in walk(s)
            if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}


def _pure(value: Any) -> bool:
    """No stack popped, nothing appended: a value computed and nothing else."""
    return not any(isinstance(n, gast.Attribute) and n.attr in ("pop", "append")
                   for n in walk(value))


def skip_in_last_step(stmts: list[Any], adjoints: set[str], kept: set[str],
                      ad: str) -> list[Any]:
    """``stmts`` (the adjoint sweep's top level) with each reverse loop's assignments of
    adjoints read only by the next step guarded out of its last step."""
    for position, stmt in enumerate(stmts):
        if not isinstance(stmt, gast.For) or stmt.orelse:
            continue
        first = _first_of(stmt)
        if first is None:
            continue
        counter, start = first
        body = stmt.body
        if any(isinstance(n, gast.Name) and n.id == counter and isinstance(n.ctx, gast.Store)
               for s in body for n in walk(s)):
            continue  # the counter restored or rebound in the body: not the step's number
        live_after = _loads(stmts[position + 1:]) | set(kept)
        for index, item in enumerate(body):
            name = assigned_name(item)
            if name is None or name not in adjoints or name in live_after or \
                    name == counter or not _pure(item.value):
                continue
            later = body[index + 1:]
            if name in _loads(later) or any(
                    isinstance(n, gast.Name) and n.id == name and isinstance(n.ctx, gast.Store)
                    for s in later for n in walk(s)):
                continue
            # _ad.is_first: the counter is a range's first (a range's counters repeat
            # nothing; over anything else every step computes it, as before). A call
            # costs more than the arithmetic of numbers it would skip (dy = dy * x
            # over a list of floats, where it never skips): only calls are guarded so.
            if not isinstance(start, gast.Call) and \
                    not any(isinstance(n, gast.Call) for n in walk(item.value)):
                continue
            if isinstance(start, gast.Call):  # reversed(range(n)): the last step is 0
                test: gast.expr = gast.Compare(left=_name(counter), ops=[gast.NotEq()],
                                               comparators=[gast.Constant(value=0, kind=None)])
            else:
                test = gast.UnaryOp(op=gast.Not(), operand=gast.Call(
                    func=gast.Attribute(value=_name(ad), attr="is_first", ctx=gast.Load()),
                    args=[_name(counter), copy.deepcopy(start)], keywords=[]))
            body[index] = gast.copy_location(gast.If(test=test, body=[item], orelse=[]), item)
    return stmts
