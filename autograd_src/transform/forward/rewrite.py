"""Simpler forward-mode code computing the same values: a tangent computed into a
temporary and then copied is computed into its own name, and temporaries read
once are folded into their reader, so a loop's body reads as written by hand
(``dy = dy * x + y * dx`` then ``y = y * x + c[i]``).

Both passes work inside one block (a branch's or a loop's body), on names the
transformation made for pure operations and on tangents; ``optimize=False``
leaves them out.
"""

from __future__ import annotations

import builtins
import math
from collections import Counter
from typing import Any, Optional

import gast
import numpy as np

from .. import optimize
from ..mutation import IN_PLACE_FUNCTIONS, viewed_name
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


_SCOPES = (gast.Lambda, gast.ListComp, gast.SetComp, gast.DictComp, gast.GeneratorExp,
           gast.FunctionDef)


def _reads_outside_scopes(node: Any) -> list:
    """The nodes under ``node`` outside nested scopes (a lambda's, a comprehension's)."""
    found, todo = [], [node]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += [child for child in gast.iter_child_nodes(current)
                 if not isinstance(child, _SCOPES)]
    return found


def _surely_evaluated(expr: Any) -> list:
    """The nodes of ``expr`` evaluated whenever it is (not an arm of ``a if t else b``,
    of ``and``/``or``, nor a later link of ``a < b < c``)."""
    found, todo = [], [expr]
    while todo:
        current = todo.pop()
        found.append(current)
        if isinstance(current, (gast.IfExp, gast.BoolOp) + _SCOPES):
            continue
        if isinstance(current, gast.Compare):
            todo += [current.left, current.comparators[0]]
            continue
        todo += list(gast.iter_child_nodes(current))
    return found


_PURE_BUILTINS = (len, range, float, int, abs, min, max, bool, round, isinstance)


def _pure_call(call: gast.Call, namer: Any) -> bool:
    """Whether ``call`` is of a function of NumPy's (not one writing into an argument:
    ``np.copyto``, ``out=``), of ``math`` or a builtin that changes nothing: no other
    code runs (a method, a helper, a closure could write into a list's items)."""
    def known(name: str) -> Any:
        if name in namer.injected:
            return namer.injected[name]
        if name in namer.local_names:
            return None
        return namer.user_globals.get(name, getattr(builtins, name, None))

    if any(k.arg is None or k.arg == "out" for k in call.keywords):
        return False
    func = call.func
    if isinstance(func, gast.Name):
        found = known(func.id)
        if any(found is b for b in _PURE_BUILTINS):
            return True
    elif isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name):
        module = known(func.value.id)
        if module is not np and module is not math and module is not np.linalg:
            return False
        found = getattr(module, func.attr, None)
    else:
        return False
    module_name = getattr(found, "__module__", None) or ""
    return found is not None and found not in IN_PLACE_FUNCTIONS and (
        type(found).__name__ == "ufunc" or module_name.split(".")[0] in ("numpy", "math")
        or found in vars(math).values())


def _items_read_once(body: list, sequences: frozenset, namer: Any) -> list:
    """In a loop over positions (``for i in range(len(c))``), ``c[i]`` of a list of
    numbers or a 1-D array this variant is made for, read more than once, is read once
    into ``c_i`` where its first read surely runs: a loop that writes into no item and
    hands ``c`` to no call reads the same number each time, and a hand-written loop
    (or ``for c_i in c``) pays one lookup."""
    stored = {n.id for s in body for n in gast.walk(s)
              if isinstance(n, gast.Name) and isinstance(n.ctx, (gast.Store, gast.Del))}
    usable = sequences - stored
    if not usable:
        return body
    # the names that may hold c's list or array, or a view of it (d = c, v = c[1:]):
    # a write through any of them changes c's items
    holders = {sequence: {sequence} for sequence in usable}
    assigns = [n for s in body for n in gast.walk(s) if isinstance(n, gast.Assign)]
    for names in holders.values():
        grown = True
        while grown:
            grown = False
            for assign in assigns:
                value = assign.value
                held = value.id if isinstance(value, gast.Name) else viewed_name(value)
                if held in names:
                    new = {n.id for t in assign.targets for n in gast.walk(t)
                           if isinstance(n, gast.Name)} - names
                    if new:
                        names |= new
                        grown = True

    def same_item(node: Any, sequence: str, index: str) -> bool:
        return isinstance(node, gast.Subscript) and isinstance(node.ctx, gast.Load) and \
            isinstance(node.value, gast.Name) and node.value.id == sequence and \
            isinstance(node.slice, gast.Name) and node.slice.id == index

    def hoisted(loop: list, index: str) -> list:
        nodes = [n for s in loop for n in gast.walk(s)]
        if not all(_pure_call(n, namer) for n in nodes if isinstance(n, gast.Call)):
            return loop  # (a method, helper or closure called may write into c's items)
        if index in {n.id for n in nodes if isinstance(n, gast.Name) and
                     isinstance(n.ctx, (gast.Store, gast.Del))} or any(
                isinstance(n, (gast.Subscript, gast.Attribute)) and
                isinstance(n.ctx, (gast.Store, gast.Del)) for n in nodes):
            return loop  # (an item written: perhaps one of c's, through another name)
        for sequence in sorted(usable):
            names = holders[sequence]
            handed = any(isinstance(n, gast.Call) and any(
                isinstance(a, gast.Name) and a.id in names
                for a in list(n.args) + [k.value for k in n.keywords]) or
                isinstance(n, gast.Attribute) and isinstance(n.value, gast.Name) and
                n.value.id in names or isinstance(n, gast.AugAssign) and
                isinstance(n.target, gast.Name) and n.target.id in names for n in nodes)
            if handed:
                continue  # (given to a call, a method called, d += v: it may write into c)
            reads = [n for s in loop for n in _reads_outside_scopes(s)
                     if same_item(n, sequence, index)]
            if len(reads) < 2:
                continue
            first = next(k for k, s in enumerate(loop)
                         if any(same_item(n, sequence, index) for n in gast.walk(s)))
            if any(not isinstance(s, (gast.Assign, gast.AugAssign, gast.Expr))
                   for s in loop[:first]):
                continue  # (a branch before it may skip the read: c[i] may not exist)
            stmt = loop[first]
            where = stmt.test if isinstance(stmt, gast.If) else stmt \
                if isinstance(stmt, (gast.Assign, gast.AugAssign, gast.Expr)) else None
            if where is None or not any(same_item(n, sequence, index)
                                        for n in _surely_evaluated(where)):
                continue
            item = namer.fresh(f"{sequence}_{index}")
            chosen = {id(n) for s in loop[first:] for n in _reads_outside_scopes(s)
                      if same_item(n, sequence, index)}
            loop = loop[:first] + [gast.copy_location(gast.Assign(
                targets=[gast.Name(id=item, ctx=gast.Store(), annotation=None,
                                   type_comment=None)],
                value=gast.Subscript(value=gast.Name(
                    id=sequence, ctx=gast.Load(), annotation=None, type_comment=None),
                    slice=gast.Name(id=index, ctx=gast.Load(), annotation=None,
                                    type_comment=None), ctx=gast.Load()),
                type_comment=None), stmt)] + [
                _Replaced(chosen, item).visit(s) for s in loop[first:]]
        return loop

    def visit(stmts: list) -> list:
        for stmt in stmts:
            if isinstance(stmt, (gast.For, gast.While, gast.If)):
                stmt.body = visit(stmt.body)
                stmt.orelse = visit(stmt.orelse)
                if isinstance(stmt, gast.For) and isinstance(stmt.target, gast.Name):
                    stmt.body = hoisted(stmt.body, stmt.target.id)
        return stmts

    return visit(body)


class _Replaced(gast.NodeTransformer):
    """The nodes whose ids are in ``chosen`` replaced by a read of ``name``."""

    def __init__(self, chosen: set, name: str) -> None:
        self.chosen, self.name = chosen, name

    def visit(self, node: Any) -> Any:
        if id(node) in self.chosen:
            return gast.copy_location(gast.Name(id=self.name, ctx=gast.Load(),
                                                annotation=None, type_comment=None), node)
        return super().visit(node)


def rewrite(body: list, temporaries: set[str], reads: list,
            user: frozenset = frozenset(), tangents: Optional[dict] = None,
            sequences: frozenset = frozenset(), namer: Any = None) -> list:
    """``body`` after the passes; ``reads`` are the expressions after it (the results);
    ``user`` the names of the user's own (never folded away); ``tangents`` maps the
    tangents of temporaries to them; ``sequences`` name the parameters holding lists
    of numbers (or 1-D arrays) in the calls this variant is made for, whose items a
    loop reads once (``namer`` names the item and tells what the calls are)."""
    if not optimize.ENABLED.get():
        return body
    if sequences and namer is not None:
        body = _items_read_once(body, sequences, namer)
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
