"""The primal sweep: the normalized body, plus a copy or a push before a statement
that overwrites a value an adjoint still needs; dead work left out.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import gast
import numpy as np

from .. import ir, optimize
from ..ir import (
    Branch,
    Loop,
    Op,
    Primal,
    assign_node,
    load_names,
    name_node,
    ops_in,
    walk,
)
from ..naming import clone

__all__ = ["PrimalSweep"]


class PrimalSweep:
    """Part of the reverse stage, mixed into `Reverser`."""

    def pushed_in(self, items: list) -> set[str]:
        """Names pushed on a stack anywhere in ``items``."""
        names: set[str] = set()
        for item in items:
            names |= {n for n, save in self.plan.saves.get(id(item), {}).items()
                      if save.on_stack}
            if isinstance(item, Branch):
                names |= self.pushed_in(item.body) | self.pushed_in(item.orelse)
            elif isinstance(item, Loop):
                names |= self.pushed_in(item.body)
        return names

    @property
    def assigned_so_far(self) -> set[str]:
        """Every name the primal sweep assigned so far, surely or in some branch."""
        if not hasattr(self, "_assigned_so_far"):
            self._assigned_so_far: set[str] = set()
        return self._assigned_so_far

    def primal_block(self, items: list, defined: set[str]) -> list:
        """The primal statements of ``items``; ``defined`` tracks names surely bound."""
        out: list = []
        for k, item in enumerate(items):
            if k:  # what the item before this one assigned, nested ones included
                self.assigned_so_far.update(ir.assigned_in([items[k - 1]]))
            saves = self.plan.saves.get(id(item), {})
            # A value saved where its name may be unbound (made in an if not taken):
            # the name starts as None, so the save reads something (see the caller).
            self.unbound_saves |= set(saves) - defined
            out += [self.save(n, s, item.origin) for n, s in saves.items()]
            if isinstance(item, Op) and "back" in item.bound and self.plan.is_useful(item):
                out.append(self.inliner.helper_forward(item))
                back = item.bound["back"].id
                if id(item) in self.in_loops:  # each iteration's backward, kept in order
                    push = gast.Call(func=gast.Attribute(
                        value=name_node(self.back_stack(back)), attr="append",
                        ctx=gast.Load()), args=[name_node(back)], keywords=[])
                    out.append(gast.copy_location(gast.Expr(value=push), item.origin))
                defined.add(item.target)
            elif isinstance(item, Op):
                out.append(_assign_of(item))
                defined.add(item.target)
            elif isinstance(item, Primal):
                out.append(item.stmt)
                defined |= _surely_assigned(item.stmt, item.assigned)
            elif isinstance(item, Branch):
                left, right = set(defined), set(defined)
                out.append(gast.copy_location(gast.If(
                    test=clone(item.test),
                    body=self.primal_block(item.body, left) or [gast.Pass()],
                    orelse=self.primal_block(item.orelse, right)), item.origin))
                defined |= left & right
            else:
                # The first push of a name the loop creates finds nothing to save: it
                # starts as None before the loop, or, where an earlier branch may have
                # bound it (a value None would replace), at the function's start.
                fresh = self.pushed_in(item.body) - defined - _read_first(item)
                earlier = fresh & self.assigned_so_far
                self.unbound_saves |= earlier
                out += [assign_node(n, gast.Constant(value=None, kind=None), item.origin)
                        for n in sorted(fresh - earlier)]
                defined |= self.pushed_in(item.body)
                body = self.primal_block(item.body, set(defined))
                if item.counter:
                    out.append(assign_node(item.counter, gast.Constant(value=0, kind=None),
                                       item.origin))
                    count = gast.AugAssign(target=name_node(item.counter, gast.Store()),
                                           op=gast.Add(), value=gast.Constant(value=1, kind=None))
                    body.insert(0, gast.copy_location(count, item.origin))
                loop = gast.copy_location(type(item.header)(**{
                    f: getattr(item.header, f) for f in item.header._fields}), item.origin)
                loop.body = body or [gast.Pass()]
                out.append(loop)
        if items:
            self.assigned_so_far.update(ir.assigned_in([items[-1]]))
        return out

    def dead_code_removed(self, stmts: list, live: set[str]) -> list:
        """Pure operations whose values nothing reads are left out, inside loops and
        branches too: ``s = s * 0.99 + x`` is dead when only the gradient is wanted
        and nothing else reads ``s``, though it reads itself."""
        ops = {id(_assign_of(item)): item for item in ops_in(self.norm.body)}
        return _without_dead(stmts, live, ops, _read_by_closures(stmts))[0]

    def adjoint_terms(self, stores: Counter, kept: set[str]) -> set[str]:
        """Names the adjoint sweep assigns once (``stores`` counts its assignments) and the
        primal never (adjoints, shared terms), other than the returned gradients."""
        primal = set(self.parsed.params) | ir.assigned_in(self.norm.body) | set(self.plan.stacks)
        return {n for n, count in stores.items() if count == 1} - primal - kept

    def sinkable(self, primal: list, adjoint: list) -> set[str]:
        """Temporaries assigned once at top level from values that never change, so
        computing them later gives the same values (not those read for a shape)."""
        candidates = self.temporaries() - optimize.names_read_for_shape(
            adjoint, self.ad, self.namer.reference(np, "np"))
        values = {optimize.assigned_name(s): s.value for s in primal
                  if optimize.assigned_name(s)}
        return {name for name, value in values.items()
                if name in candidates and self.single_valued(name) and all(
                    self.single_valued(n) or self.namer.is_reference(n)
                    for n in load_names(value))}

    def temporaries(self) -> set[str]:
        """Names the transformation made for pure operations (not the user's own)."""
        names = {item.target for item in ops_in(self.norm.body)
                 if item.rule is not None and _is_pure(item)}
        return names - self.parsed.locals - set(self.parsed.params)


def _read_by_closures(stmts: list) -> frozenset:
    """The names the nested defs and lambdas of ``stmts`` read: a closure reads them when
    it is called, through whatever name holds it then (``h = g``, a list, a key=), so
    an assignment to one after the def (``s = 3.0``) is never dead."""
    found: set[str] = set()
    for node in (n for s in stmts if isinstance(s, gast.AST) for n in walk(s)):
        if isinstance(node, (gast.FunctionDef, gast.Lambda)):
            body = node.body if isinstance(node.body, list) else [node.body]
            found |= {n.id for part in body for n in walk(part)
                      if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}
    return frozenset(found)


def _without_dead(stmts: list, live_after: set[str], ops: dict,
                  closures: frozenset = frozenset()) -> tuple[list, set[str]]:
    """``stmts`` less the pure operations whose targets nothing reads afterwards, and
    the names live before them. A loop's body is taken to a fixed point, so a value
    read only by its own next iteration counts as dead. The names ``closures`` read
    are live throughout (`_read_by_closures`)."""
    live = set(live_after) | closures
    kept: list = []
    for stmt in reversed(stmts):
        item = ops.get(id(stmt))
        if item is not None and item.target not in live and _is_pure(item):
            continue
        if isinstance(stmt, gast.FunctionDef) and hasattr(stmt, "copies") and \
                stmt.name not in live and stmt.name not in closures:
            continue  # a helper copied in whose derivative is called instead
        if isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.Constant) and \
                len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name) and \
                stmt.targets[0].id not in live:
            continue  # an initial value (s = 0.0) that nothing reads any more
        if isinstance(stmt, gast.If) and not _jumps(stmt):
            body, live_body = _without_dead(stmt.body, live, ops, closures)
            orelse, live_else = _without_dead(stmt.orelse, live, ops, closures)
            if not body and not orelse:  # a branch test is an expression of names
                continue
            stmt = gast.copy_location(gast.If(test=stmt.test, body=body or [gast.Pass()],
                                              orelse=orelse), stmt)
            live = live_body | live_else | load_names(stmt.test)
        elif isinstance(stmt, (gast.For, gast.While)) and not stmt.orelse and \
                not _jumps(stmt):
            head = live | load_names(stmt.iter if isinstance(stmt, gast.For) else stmt.test)
            while True:
                body, live_body = _without_dead(stmt.body, head, ops, closures)
                if live_body <= head:
                    break
                head |= live_body
            if not body and isinstance(stmt, gast.For) and not live & {
                    n.id for n in walk(stmt.target) if isinstance(n, gast.Name)}:
                continue  # iterating a range or an array has no effect of its own
            loop = type(stmt)(**{f: getattr(stmt, f) for f in stmt._fields})
            loop.body = body or [gast.Pass()]
            stmt = gast.copy_location(loop, stmt)
            live = head
        elif isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
                isinstance(stmt.targets[0], gast.Name):
            if stmt.targets[0].id not in closures:
                live.discard(stmt.targets[0].id)
            live |= load_names(stmt.value)
        else:
            live |= load_names(stmt)
        kept.append(stmt)
    kept.reverse()
    return kept, live


def _surely_assigned(stmt: Any, assigned: set[str]) -> set[str]:
    """Of the names ``assigned`` by a statement kept as written, those bound whichever
    way it runs: an if's in both arms, a loop's none (it may run no iteration)."""
    if isinstance(stmt, gast.If):
        arms = [set().union(*(_surely_assigned(s, {n.id for n in ir.walk(s) if isinstance(
            n, gast.Name) and isinstance(n.ctx, gast.Store)}) for s in arm))
                for arm in (stmt.body, stmt.orelse)]
        return assigned & arms[0] & arms[1]
    if isinstance(stmt, (gast.For, gast.While, gast.Try)):
        return set()
    return assigned


def _jumps(stmt: gast.stmt) -> bool:
    """Whether ``stmt`` holds a break, continue or return (liveness then follows jumps),
    not counting those of the defs and lambdas it holds (their own)."""
    pending = [stmt]
    while pending:
        node = pending.pop()
        if isinstance(node, (gast.Break, gast.Continue, gast.Return)):
            return True
        if node is stmt or not isinstance(node, (gast.FunctionDef, gast.Lambda)):
            pending += ir.children(node)
    return False


def _assign_of(item: Op) -> Any:
    return item.__dict__.setdefault("_statement", assign_node(item.target, item.value, item.origin))


_PURE_MODULES = ("numpy", "math", "builtins", "operator", "_operator", "autograd_src")


def _is_pure(op: Op) -> bool:
    """Whether dropping ``op`` cannot change behaviour (NumPy, math and operators)."""
    if op.rule is None:
        return True
    primitive = op.rule.primitive
    module = getattr(primitive, "__module__", None) or ""
    return type(primitive).__name__ == "ufunc" or module.split(".")[0] in _PURE_MODULES


def _read_first(loop: Loop) -> set[str]:
    """Names a loop's first iteration surely reads before assigning them (its header, a
    statement or a branch's test, not counting reads inside branches): they must hold
    a value when it starts."""
    def loads(node: Any) -> set[str]:
        return {n.id for n in walk(node) if isinstance(n, gast.Name)
                and isinstance(n.ctx, gast.Load)} if isinstance(node, gast.AST) else set()

    reads = loads(loop.header.iter if isinstance(loop.header, gast.For) else loop.header.test)
    assigned: set[str] = set()
    for item in loop.body:
        if isinstance(item, Op):
            reads |= set().union(*map(loads, [item.value, *item.bound.values()])) - assigned
            assigned.add(item.target)
        elif isinstance(item, Primal):
            stmt = item.stmt
            # (an assignment reads its value before it binds its targets)
            read = loads(stmt.value) if isinstance(stmt, gast.Assign) else loads(stmt)
            reads |= read - assigned
            assigned |= item.assigned
        elif isinstance(item, Branch):
            reads |= loads(item.test) - assigned
            assigned |= ir.assigned_in(item.body) | ir.assigned_in(item.orelse)
        else:
            assigned |= ir.assigned_in([item])
    return reads
