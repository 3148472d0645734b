"""Simpler forward-mode code computing the same values: a tangent computed into a
temporary and then copied is computed into its own name, and temporaries read
once are folded into their reader, so a loop's body reads as written by hand
(``dy = dy * x + y * dx`` then ``y = y * x + c[i]``).

Both passes work inside one block (a branch's or a loop's body), on names the
transformation made for pure operations and on tangents; ``optimize=False``
leaves them out.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Optional

import gast

from .. import optimize
from ..optimize.fusion import fuse_temporaries
from ..optimize.walk import each_block, stores_and_loads

__all__ = ["rewrite"]


def _coalesce(stmts: list, temporaries: set[str], loads: Any) -> list:
    """``t = e; ...; dy = t`` becomes ``dy = e; ...`` when ``t`` is a temporary read
    only there and nothing between reads or writes ``dy`` (or writes ``t``)."""
    stmts = list(stmts)
    index = 0
    while index < len(stmts):
        stmt = stmts[index]
        target = optimize.assigned_name(stmt)
        source = stmt.value.id if target and isinstance(stmt.value, gast.Name) else None
        if source in temporaries and loads[source] == 1:
            definition = _definition(stmts, index, source, target)
            if definition is not None:
                stmts[definition].targets = [gast.Name(
                    id=target, ctx=gast.Store(), annotation=None, type_comment=None)]
                del stmts[index]
                continue
        index += 1
    return each_block(stmts, lambda block: _coalesce(block, temporaries, loads))


def _definition(stmts: list, index: int, source: str, target: str) -> Any:
    """Where ``source = ...`` is, before ``stmts[index]``, if nothing in between touches
    ``target`` or assigns ``source``, and ``target`` is not read by its value."""
    for position in range(index - 1, -1, -1):
        stmt = stmts[position]
        stores, reads = stores_and_loads(stmt)
        if optimize.assigned_name(stmt) == source:
            return position
        if target in stores or reads[target] or source in stores or \
                not isinstance(stmt, (gast.Assign, gast.Expr)):
            return None
    return None


def _joined_before_overwritten(stmts: list, temporaries: set[str]) -> list:
    """``y = e; dy = t1 + t2`` becomes ``dy = t1 + t2; y = e`` where ``dy``'s value
    reads temporaries (its terms, computed before ``y`` changed) and nothing ``y = e``
    assigns or reads is ``dy`` or read by it: the terms can then be folded into ``dy``
    (``dy = 0.25 * dy * y + prod * dy + dx * c[i]``), as the other arms read."""
    stmts = list(stmts)
    moved = True
    while moved:
        moved = False
        for k in range(len(stmts) - 1):
            first, second = stmts[k], stmts[k + 1]
            if not (isinstance(first, gast.Assign) and isinstance(second, gast.Assign)):
                continue
            stores_first, loads_first = stores_and_loads(first)
            stores_second, loads_second = stores_and_loads(second)
            if stores_first & set(loads_second) or \
                    stores_second & (set(loads_first) | stores_first) or \
                    not stores_first.isdisjoint(temporaries):
                continue
            # (only where a term read there is held up by first: it reads what first
            # changes, so it could not be folded past it)
            terms = set(loads_second) & temporaries
            if not any(stores_first & set(stores_and_loads(earlier)[1])
                       for earlier in stmts[:k] if optimize.assigned_name(earlier) in terms):
                continue
            stmts[k], stmts[k + 1] = second, first
            moved = True
    return each_block(stmts, lambda block: _joined_before_overwritten(block, temporaries))


def _tested_where_made(stmts: list, made: set[str], loads: Any, stores: Any) -> list:
    """``cond = y > c[i]`` then ``if cond:`` becomes ``if y > c[i]:`` where ``cond`` is a
    name grad made (the reverse sweep tests it again; forward mode has no sweep to
    keep it for), assigned and read there alone; in every block."""
    out: list = []
    for stmt in stmts:
        for block in ("body", "orelse"):
            inner = getattr(stmt, block, None)
            if isinstance(stmt, gast.stmt) and isinstance(inner, list):
                setattr(stmt, block, _tested_where_made(inner, made, loads, stores))
        previous = out[-1] if out else None
        name = optimize.assigned_name(previous) if previous is not None else None
        if isinstance(stmt, gast.If) and isinstance(stmt.test, gast.Name) and \
                name == stmt.test.id and name in made and loads[name] == 1 and \
                stores[name] == 1:
            stmt.test = out.pop().value
        out.append(stmt)
    return out


def _unread_dropped(body: list, temporaries: set[str], reads: list) -> list:
    """``body`` without the assignments of temporaries nothing reads (``dprod = 0.25 *
    dy`` where the tangent of ``0.25 * y * y`` was written ``2.0 * prod * dy``)."""
    while True:
        loads = optimize.load_counts(body + reads)
        dead = {name for name in temporaries if not loads[name]}

        def drop(stmts: list, dead: set = dead) -> list:
            kept = [s for s in stmts if optimize.assigned_name(s) not in dead]
            return each_block(kept, drop) if kept or not stmts else [gast.Pass()]

        before = sum(1 for s in body for _ in gast.walk(s))
        body = drop(body)
        if sum(1 for s in body for _ in gast.walk(s)) == before:
            return body


def rewrite(body: list, temporaries: set[str], reads: list,
            user: frozenset = frozenset(), tangents: Optional[dict] = None) -> list:
    """``body`` after the passes; ``reads`` are the expressions after it (the results);
    ``user`` the names of the user's own (never folded away); ``tangents`` maps the
    tangents of temporaries to them."""
    if not optimize.ENABLED.get():
        return body
    body = _unread_dropped(body, temporaries - set(user), reads)
    loads = optimize.load_counts(body + reads)
    body = _coalesce(body, temporaries, loads)
    body = _joined_before_overwritten(body, temporaries)
    loads = optimize.load_counts(body + reads)
    body = fuse_temporaries(body, temporaries, loads)
    # (a tangent whose value was folded into the user's statement follows it there:
    # dy = 2.0 * prod * dy + dx * c[i] after y = prod * y + x * c[i]; the tangent of a
    # value kept under its own name stays beside it, as one writes it)
    kept = {n.id for s in body for n in gast.walk(s)
            if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}
    loads = optimize.load_counts(body + reads)
    body = fuse_temporaries(body, temporaries, loads, past_arithmetic=frozenset(
        tangent for tangent, primal in (tangents or {}).items() if primal not in kept))
    loads = optimize.load_counts(body + reads)
    stores: Counter = Counter(n.id for s in body for n in gast.walk(s)
                              if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store))
    made = set(stores) - set(user)
    return _tested_where_made(body, made, loads, stores)
