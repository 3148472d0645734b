"""Build the primal and adjoint sweeps of a normalized function by inlining the rule table.

The primal sweep is the normalized body, plus a copy (``z0 = z``) or a push
(``z_stack.append(z)``) before a statement that overwrites a value some adjoint
still needs. The adjoint sweep walks the body backwards: an ``if`` becomes an
``if`` on the same condition, a loop becomes a loop over the iterations in
reverse. Where a value was overwritten it is restored first (``z = z0``,
``z = z_stack.pop()``), so every inlined rule reads its operands under their
own names.
"""

from __future__ import annotations

import functools
import operator
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Optional

import gast
import numpy as np

from ..rules import runtime
from . import analyze, ir, optimize, stages
from .inline import Inliner
from .ir import (
    Branch,
    Comment,
    Loop,
    Normalized,
    Op,
    Primal,
    assign_node,
    differentiable_inputs,
    load_names,
    name_node,
    ops_in,
    reads_of,
)
from .naming import Namer, clone, describe
from .source import ParsedFunction

__all__ = ["Comment", "Derivative", "reverse"]


@dataclass
class Derivative:
    """The pieces of a generated derivative, ready for code generation."""

    primal: list[Any]
    adjoint: list[Any]
    results: list[gast.expr]
    value: Optional[gast.expr]
    seed_param: str


@dataclass
class _Sweep:
    """What the adjoint sweep knows while it walks backwards."""

    defined: set[str] = field(default_factory=set)
    origin: Any = None


class _Reverser:
    def __init__(self, parsed: ParsedFunction, norm: Normalized, wrt: list[str],
                 namer: Namer) -> None:
        self.parsed = parsed
        self.norm = norm
        self.wrt = wrt
        self.namer = namer
        self.ad = namer.reference(runtime, "_ad")
        self.inliner = Inliner(namer, self.ad)
        self.shapes: dict[str, str] = {}  # name -> variable holding its shape, in loops
        #: Names whose adjoint holds one scalar standing for an array of that value
        #: in every element (below a full sum), broadcast only where it must be.
        self.uniform: set[str] = set()

    # ----- reusing primal values (top-level straight-line code) -----

    def index_primal_values(self) -> None:
        """Where each top-level op's value could be reused by adjoint expressions."""
        body = self.norm.body
        self.assignments: dict[str, list[int]] = defaultdict(list)
        for index, item in enumerate(body):
            names = {item.target} if isinstance(item, Op) else (
                item.assigned if isinstance(item, Primal) else item.assigned())
            for name in names:
                self.assignments[name].append(index)
        # Shape classes of values assigned once at top level (primal values reused).
        self.class_of = {item.target: item.classes.get(item.target) for item in body
                         if isinstance(item, Op) and len(self.assignments[item.target]) == 1}
        # (text, name, first and last body positions where the value is unchanged)
        self.primal_values: list[tuple[str, str, int, int]] = []
        self._values_cache: dict[int, dict[str, str]] = {}
        self.positions = {id(item): index for index, item in enumerate(body)}
        for index, item in enumerate(body):
            if isinstance(item, Op) and item.rule is not None and \
                    len(self.assignments[item.target]) == 1 and item.target not in self.wrt:
                writes = [i for n in load_names(item.value) for i in self.assignments.get(n, ())]
                first = max([i for i in writes if i < index], default=-1)
                last = min([i - 1 for i in writes if i > index], default=len(body))
                self.primal_values.append((gast.unparse(item.value), item.target, first, last))
        # A unary ufunc's result has its operand's shape, and so has an elementwise
        # result of one shape class: helpers that only read a shape may read the
        # operand instead, and the result may then go unused.
        self.same_shape_as: dict[str, str] = {}
        for item in body:
            if not (isinstance(item, Op) and item.rule is not None
                    and type(item.rule.primitive).__name__ == "ufunc"
                    and not item.rule.primitive.signature
                    and len(self.assignments[item.target]) == 1):
                continue
            shape = item.classes.get(item.target)
            operands = [n for n in item.input_names()
                        if (item.rule.primitive.nin == 1 or item.classes.get(n) == shape)
                        and self.single_valued(n)]
            if operands and (item.rule.primitive.nin == 1 or shape is not None):
                self.same_shape_as[item.target] = operands[0]

    # ----- uniform adjoints: the seed of a full sum kept scalar -----

    def single_valued(self, name: str) -> bool:
        """Whether ``name`` holds one value wherever the adjoint sweep may read it: an
        argument never assigned, or a name assigned by one top-level statement."""
        count = len(self.assignments.get(name, ()))
        return count == (0 if name in self.parsed.params else 1) \
            and name not in self.norm.lists

    def keeps_uniform(self, op: Op) -> bool:
        """Whether a uniform adjoint of ``op``'s result may flow into its operands
        unbroadcast: an elementwise operation at top level whose active operands
        all have the result's shape and hold one value."""
        shape = op.classes.get(op.target)
        rule = op.rule
        if shape is None or id(op) not in self.positions or (rule is not None and (
                rule.exprs is None or hasattr(rule, "helper_keywords")
                or type(rule.primitive).__name__ != "ufunc" or rule.primitive.signature)):
            return False
        return all(op.classes.get(n) == shape and self.single_valued(n)
                   for n in differentiable_inputs(op))

    def wants_uniform(self, name: str) -> bool:
        """Whether a uniform adjoint of ``name`` can go further than one statement: to
        the end (an argument) or into the elementwise operation that computed it."""
        if name in self.parsed.params:
            return True
        item = self.norm.body[self.assignments[name][0]]
        return isinstance(item, Op) and item.target == name and self.keeps_uniform(item)

    def uniformity(self, expr: gast.expr, op: Op, ans: str,
                   terms: dict[str, Optional[bool]]) -> Optional[bool]:
        """For a contribution computed from a uniform adjoint: True when it is uniform
        too (it reads no array), False when it has the result's full shape (it reads
        an array of that shape), None when that is not known. ``terms`` holds the
        same for the shared terms computed just before (``g / y`` of a quotient)."""
        if any(isinstance(n, gast.Compare) for n in gast.walk(expr)):
            return None  # g * (x >= y): a mask has the shape but not the dtype
        shape = op.classes.get(op.target)
        full = False
        for name in load_names(expr) - {self.namer.adjoint(op.target)}:
            if name in op.scalars or self.namer.is_reference(name):
                continue
            if name in terms:
                if terms[name] is None:
                    return None
                full = full or not terms[name]
                continue
            if name in (ans, op.target) or op.classes.get(name) == shape or \
                    self.class_of.get(name) == shape:
                full = True
                continue
            return None
        return not full

    def spread_of_full_sum(self, op: Op, name: str, expr: gast.expr) -> Optional[gast.expr]:
        """The uniform adjoint for ``_ad.unreduce(g, x)`` or ``_ad.unmean(g, x)`` (a sum or
        mean over all of ``x``): ``g`` or ``g / np.size(x)``, broadcast later if at all."""
        helper = optimize.helper_of(expr, self.ad)
        if helper not in ("unreduce", "unmean") or len(expr.args) != 2 or expr.keywords or \
                not all(isinstance(a, gast.Name) for a in expr.args) or \
                expr.args[1].id != name or id(op) not in self.positions or \
                not self.single_valued(name) or not self.wants_uniform(name):
            return None
        g = expr.args[0]
        if helper == "unreduce":
            return g
        size = self.inliner.call(f"{self.namer.reference(np, 'np')}.size", name_node(name))
        return gast.BinOp(left=g, op=gast.Div(), right=size)

    def spread(self, value: gast.expr, name: str) -> gast.Call:
        """``_ad.unreduce(value, name)``: a uniform scalar as an array shaped like ``name``."""
        return self.inliner.call(f"{self.ad}.unreduce", value, name_node(name))

    def broadcast_uniform(self, names: Any, origin: Any, out: list) -> None:
        """Give the uniform adjoints of ``names`` their full shape (``_ad.unreduce``)."""
        for name in sorted(self.uniform & set(names)):
            adjoint = self.namer.adjoint(name)
            last = out[-1] if out else None
            if isinstance(last, gast.Assign) and optimize.assigned_name(last) == adjoint:
                last.value = self.spread(last.value, name)  # dx = _ad.unreduce(dout, x)
                continue
            out.append(assign_node(adjoint, self.spread(name_node(adjoint), name), origin))
        self.uniform -= set(names)

    def shape_chain(self, name: str) -> list[str]:
        """``name`` and the earlier values it has the shape of, latest first."""
        chain = [name]
        while chain[-1] in self.same_shape_as:
            chain.append(self.same_shape_as[chain[-1]])
        return chain

    def values_at(self, item: Any) -> dict[str, str]:
        """Primal values whose operands are unchanged between their definition and ``item``."""
        position = self.positions.get(id(item))
        if position is None:  # inside a branch or loop: values may differ per pass
            return {}
        if position not in self._values_cache:
            self._values_cache[position] = {
                text: target for text, target, first, last in reversed(self.primal_values)
                if first < position <= last}
        return self._values_cache[position]

    # ----- statements of the adjoint sweep -----

    def shape_of(self, name: str) -> gast.Call:
        return self.inliner.call(f"{self.namer.reference(np, 'np')}.shape", name_node(name))

    def save(self, name: str, save: analyze.Save, origin: Any) -> gast.stmt:
        if save.on_stack:
            value = self.shape_of(name) if save.shape else name_node(name)
            push = gast.Call(func=gast.Attribute(value=name_node(save.holder), attr="append",
                                                 ctx=gast.Load()),
                             args=[value], keywords=[])
            return gast.copy_location(gast.Expr(value=push), origin)
        return assign_node(save.holder, name_node(name), origin)

    def restore(self, name: str, save: analyze.Save, origin: Any) -> gast.stmt:
        if save.on_stack:
            pop = gast.Call(func=gast.Attribute(value=name_node(save.holder), attr="pop",
                                                ctx=gast.Load()), args=[], keywords=[])
            return assign_node(self.shapes[name] if save.shape else name, pop, origin)
        return assign_node(name, name_node(save.holder), origin)

    def zeros(self, name: str, origin: Any, like: Optional[str] = None) -> gast.stmt:
        """``dname = _ad.zeros_like(name)``, or shaped like the copy ``like``."""
        return assign_node(self.namer.adjoint(name),
                           self.inliner.call(f"{self.ad}.zeros_like", name_node(like or name)),
                           origin)

    def accumulate(self, name: str, expr: gast.expr, sweep: _Sweep, origin: Any,
                   out: list, uniform: bool = False) -> None:
        adjoint = self.namer.adjoint(name)
        if uniform and (name not in sweep.defined or name in self.uniform):
            self.uniform.add(name)
        else:  # a full array plus a uniform scalar broadcasts correctly
            self.uniform.discard(name)
        if name in sweep.defined:
            expr = self.plus(name, name_node(adjoint), expr)
        sweep.defined.add(name)
        if not (isinstance(expr, gast.Name) and expr.id == adjoint):  # not "da = da"
            out.append(assign_node(adjoint, expr, origin))

    def plus(self, name: str, left: gast.expr, right: gast.expr) -> gast.expr:
        """The sum of two adjoints of ``name``: item by item (``_ad.add``) where they may
        be lists, tuples or dicts, for which ``+`` would concatenate (or fail)."""
        if name in self.containers:
            return self.inliner.call(f"{self.ad}.add", left, right)
        return gast.BinOp(left=left, op=gast.Add(), right=right)

    @functools.cached_property
    def containers(self) -> set[str]:
        """Names that may hold lists, tuples or dicts of values: lists the function
        builds, a helper's parameters, what helpers return, and items or copies of those."""
        makers = (runtime.pack, runtime.pack_dict, runtime.appended, runtime.extended,
                  runtime.joined, runtime.plus, runtime.times, list, tuple)
        names = set(self.norm.lists) | set(self.norm.opaque)
        ops = list(ops_in(self.norm.body))
        grown = True
        while grown:
            grown = False
            for op in ops:
                rule = op.rule
                if op.target in names:
                    continue
                if rule is None or rule.primitive is operator.getitem:
                    opaque = any(n in names for n in op.input_names())
                else:
                    opaque = any(rule.primitive is m for m in makers) or \
                        hasattr(rule, "helper_keywords")
                if opaque:
                    names.add(op.target)
                    grown = True
        return names

    def comment(self, origin: Any, sweep: _Sweep, out: list, prefix: str = "Grad of") -> None:
        if origin is sweep.origin:
            return
        sweep.origin = origin
        text = gast.unparse(origin).strip().splitlines()[0]
        if len(text) > 60:
            text = text[:57] + "..."
        out.append(Comment(f"{prefix}: {text}  ({self.parsed.where(origin)})"))

    @functools.cached_property
    def in_loops(self) -> set[int]:
        """The ids of the operations inside loops."""
        inside: set[int] = set()

        def walk(items: list, looped: bool) -> None:
            for item in items:
                if isinstance(item, Op) and looped:
                    inside.add(id(item))
                elif isinstance(item, Branch):
                    walk(item.body, looped)
                    walk(item.orelse, looped)
                elif isinstance(item, Loop):
                    walk(item.body, True)

        walk(self.norm.body, False)
        return inside

    def back_stack(self, back: str) -> str:
        """The stack of a helper call's backward functions, one per loop iteration."""
        stacks = self.__dict__.setdefault("_back_stacks", {})
        if back not in stacks:
            stacks[back] = self.namer.fresh(f"{back}_stack")
            self.plan.stacks.append(stacks[back])
        return stacks[back]

    def op_adjoint(self, op: Op, saved: dict[str, analyze.Save], sweep: _Sweep,
                   out: list) -> None:
        pending: list[Any] = []
        if "back" in op.bound and id(op) in self.in_loops:
            back = op.bound["back"].id
            pop = gast.Call(func=gast.Attribute(value=name_node(self.back_stack(back)),
                                                attr="pop", ctx=gast.Load()),
                            args=[], keywords=[])
            pending.append(assign_node(back, pop, op.origin))
        ans = op.target
        reads, reads_ans = reads_of(op)
        # y = y * c: the adjoint reads the old y (whether or not y carries gradient),
        # so y is restored before the contributions are computed, not after.
        self_reference = op.target in differentiable_inputs(op) or op.target in reads
        restore = saved.get(op.target)
        if self_reference:
            if reads_ans:
                ans = self.namer.fresh(describe(op.value))
                pending.append(assign_node(ans, name_node(op.target), op.origin))
            if restore:
                pending.append(self.restore(op.target, restore, op.origin))
        if op.target in self.uniform and not self.keeps_uniform(op):
            self.broadcast_uniform([op.target], op.origin, out)
        contributions = self.inliner.contributions(op, ans, self.values_at(op), pending,
                                                   self.shapes)
        uniform = [False] * len(contributions)  # which contributions are uniform scalars
        if op.target in self.uniform:
            terms: dict[str, Optional[bool]] = {}
            for stmt in pending:  # shared terms, in order
                name = optimize.assigned_name(stmt)
                terms[name or ""] = self.uniformity(stmt.value, op, ans, terms) if name else None
            kinds = [self.uniformity(expr, op, ans, terms) for _, expr in contributions]
            if None in kinds:  # unknown: compute them from the broadcast adjoint
                self.broadcast_uniform([op.target], op.origin, out)
                pending.clear()
                contributions = self.inliner.contributions(op, ans, self.values_at(op),
                                                           pending, self.shapes)
            else:
                uniform = [bool(kind) for kind in kinds]
                for k, (name, expr) in enumerate(contributions):
                    if uniform[k] and not self.wants_uniform(name):  # broadcast it now
                        contributions[k], uniform[k] = (name, self.spread(expr, name)), False
        else:
            for k, (name, expr) in enumerate(contributions):
                spread = self.spread_of_full_sum(op, name, expr)
                if spread is not None:
                    contributions[k], uniform[k] = (name, spread), True
        sweep.defined.discard(op.target)
        self.uniform.discard(op.target)
        own = [expr for name, expr in contributions if name == op.target]
        # Accumulations first, fresh definitions last: an adjoint defined here may
        # then reuse the name of the one it replaces (dy = dy * x).
        others = sorted(((name, expr, flag) for (name, expr), flag
                         in zip(contributions, uniform) if name != op.target),
                        key=lambda entry: entry[0] not in sweep.defined)
        for name, expr, flag in others:
            self.accumulate(name, expr, sweep, op.origin, pending, flag)
        if own:
            total = own[0]
            for expr in own[1:]:
                total = self.plus(op.target, total, expr)
            self.accumulate(op.target, total, sweep, op.origin, pending)
        if restore and not self_reference:
            pending.append(self.restore(op.target, restore, op.origin))
        out += pending

    def adjoint_block(self, items: list, sweep: _Sweep) -> list:
        """The adjoint statements of ``items``, in reverse order."""
        out: list = []
        for item in reversed(items):
            saved = self.plan.saves.get(id(item), {})
            if isinstance(item, Op) and self.plan.is_useful(item):
                self.comment(item.origin, sweep, out)
                self.op_adjoint(item, saved, sweep, out)
                continue
            if isinstance(item, (Branch, Loop)):  # their adjoints accumulate full arrays
                self.broadcast_uniform(set(self.uniform), item.origin, out)
            if isinstance(item, Branch):
                self.branch_adjoint(item, sweep, out)
            elif isinstance(item, Loop):
                self.loop_adjoint(item, sweep, out)
            elif isinstance(item, Primal):
                # out = 2.0 replaces a value: what came before gets no gradient through
                # it (the joins of branches and loops fill in zeros where it is needed).
                sweep.defined -= item.assigned
                self.uniform -= item.assigned
            if saved:
                if isinstance(item, (Op, Primal)):
                    self.comment(item.origin, sweep, out, prefix="Undo")
                out += [self.restore(n, s, item.origin) for n, s in saved.items()]
        return out

    def branch_adjoint(self, branch: Branch, sweep: _Sweep, out: list) -> None:
        entry = set(sweep.defined)
        arms = []
        for items in (branch.body, branch.orelse):
            sweep.defined, sweep.origin = set(entry), None
            arms.append((self.adjoint_block(items, sweep), sweep.defined))
        # An adjoint only one arm defines is filled in with zeros in the other, unless
        # nothing before the branch needs it or the name may hold no value there (a
        # value made inside the branch).
        needed = self.plan.needed_before.get(id(branch), set())
        if id(branch) in self.plan.bound_before:
            needed = needed & self.plan.bound_before[id(branch)]
        joined = (arms[0][1] & arms[1][1]) | ((arms[0][1] | arms[1][1]) & needed)
        saved = self.plan.saves.get(id(branch), {})
        kept = {n: saved[n].holder for n in self.plan.zeros_from.get(id(branch), ())
                if n in saved}  # the values from before the branch
        for statements, defined in arms:
            statements += [self.zeros(n, branch.origin, kept.get(n))
                           for n in sorted(joined - defined)]
        sweep.defined, sweep.origin = joined, None
        body, orelse = [_statements_or_nothing(arm) for arm, _ in arms]
        if not body and not orelse:
            return
        if not body:
            test: gast.expr = _negated(clone(branch.test))
            body, orelse = orelse, []
        else:
            test = clone(branch.test)
        self.comment(branch.origin, sweep, out)
        sweep.origin = None
        out.append(gast.copy_location(gast.If(test=test, body=body, orelse=orelse),
                                      branch.origin))

    def loop_adjoint(self, loop: Loop, sweep: _Sweep, out: list) -> None:
        carried = analyze.exposed_reads(loop.body, self.plan)
        before = [self.zeros(n, loop.origin) for n in sorted(carried - sweep.defined)]
        # Shapes read in the reversed iterations start as those the loop left behind.
        shapes = self.plan.shapes.get(id(loop), {})
        before += [assign_node(var, self.shape_of(n), loop.origin) for n, var in shapes.items()]
        sweep.defined |= carried
        entry = set(sweep.defined)
        sweep.origin = None
        outer, self.shapes = self.shapes, {**self.shapes, **shapes}
        body = self.adjoint_block(loop.body, sweep)
        self.shapes = outer
        body += [self.zeros(n, loop.origin) for n in sorted(entry - sweep.defined)]
        sweep.defined, sweep.origin = entry, None
        body = _statements_or_nothing(body)
        if not body:
            return
        header = loop.header
        if isinstance(header, gast.For):
            steps: gast.expr = header.iter
            if loop.counter:  # the loop may have stopped early
                steps = gast.Subscript(value=steps, slice=gast.Slice(
                    lower=None, upper=name_node(loop.counter), step=None), ctx=gast.Load())
            reversed_ = gast.For(target=name_node(loop.target, gast.Store()),
                                 iter=self.inliner.call("reversed", steps), body=body,
                                 orelse=[], type_comment=None)
        else:
            reversed_ = gast.For(target=name_node(self.namer.fresh("_"), gast.Store()),
                                 iter=self.inliner.call("range", name_node(loop.counter)),
                                 body=body, orelse=[], type_comment=None)
        self.comment(loop.origin, sweep, out)
        sweep.origin = None
        out += before
        out.append(gast.copy_location(reversed_, loop.origin))

    # ----- statements of the primal sweep -----

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

    def primal_block(self, items: list, defined: set[str]) -> list:
        """The primal statements of ``items``; ``defined`` tracks names surely bound."""
        out: list = []
        for item in items:
            out += [self.save(n, s, item.origin)
                    for n, s in self.plan.saves.get(id(item), {}).items()]
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
                defined |= item.assigned
            elif isinstance(item, Branch):
                left, right = set(defined), set(defined)
                out.append(gast.copy_location(gast.If(
                    test=clone(item.test),
                    body=self.primal_block(item.body, left) or [gast.Pass()],
                    orelse=self.primal_block(item.orelse, right)), item.origin))
                defined |= left & right
            else:
                # The first push of a name the loop creates finds nothing to save.
                out += [assign_node(n, gast.Constant(value=None, kind=None), item.origin)
                        for n in sorted(self.pushed_in(item.body) - defined)]
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
        return out

    def dead_code_removed(self, stmts: list, live: set[str]) -> list:
        """Pure operations whose values nothing reads are left out, inside loops and
        branches too: ``s = s * 0.99 + x`` is dead when only the gradient is wanted
        and nothing else reads ``s``, though it reads itself."""
        ops = {id(_assign_of(item)): item for item in ops_in(self.norm.body)}
        return _without_dead(stmts, live, ops)[0]

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

    # ----- the whole derivative -----

    def build(self, value_wanted: bool) -> Derivative:
        body = self.norm.body
        output = self.norm.output
        self.index_primal_values()
        self.plan = analyze.plan(body, output if self.norm.output_active else None, self.namer,
                                 self.parsed.params)
        assigned_wrt = {w for w in self.wrt if any(w in _assigned(item) for item in body)}
        originals = {w: self.namer.fresh(f"{w}_in") for w in sorted(assigned_wrt)}

        # The seed parameter is "dout"; for a generated output temporary "out" it is
        # also the output's adjoint (dout = _ad.seed(dout, out)).
        adjoint = self.namer.adjoint(output)
        seed_param = adjoint if adjoint == "dout" else self.namer.fresh("dout")
        value: Optional[gast.expr] = name_node(output) if value_wanted else None
        value_copy: Optional[str] = None
        if value_wanted and any(output in s for s in self.plan.saves.values()):
            value_copy = self.namer.fresh("value")
            value = name_node(value_copy)

        adjoint: list[Any] = []
        sweep = _Sweep()
        if self.norm.output_active:
            self.comment(self.norm.return_stmt, sweep, adjoint)
            # A scalar output needs no value to shape its seed, so a gradient that
            # never reads the output need not compute it.
            shape_from = [] if self.norm.output_scalar and not value_wanted else [name_node(output)]
            seed = self.inliner.call(f"{self.ad}.seed", name_node(seed_param), *shape_from)
            adjoint.append(assign_node(self.namer.adjoint(output), seed, self.norm.return_stmt))
            sweep.defined.add(output)
        adjoint += self.adjoint_block(body, sweep)
        self.broadcast_uniform(self.wrt, self.norm.return_stmt, adjoint)
        adjoint_names = set(self.namer.adjoints()) | self.inliner.shared
        kept = {self.namer.adjoint(w) for w in self.wrt}
        stages.show("reverse: the adjoint sweep, before rewriting", adjoint)
        sweeps = optimize.Sweeps(
            adjoints=adjoint_names, kept=kept, ad=self.ad,
            adjoint_terms=lambda stores: self.adjoint_terms(stores, kept),
            without_dead_code=self.dead_code_removed, temporaries=self.temporaries(),
            sinkable=self.sinkable)
        adjoint = optimize.rewrite_adjoint(adjoint, sweeps)
        reshaped = optimize.shapes_from(adjoint, {n: self.shape_chain(n)[-1]
                                                  for n in self.same_shape_as},
                                        self.ad, self.namer.reference(np, "np"))
        adjoint = _drop_empty_comments(adjoint)
        results = [name_node(self.namer.adjoint(w)) if w in sweep.defined
                   else self.inliner.call(f"{self.ad}.zeros_like", name_node(originals.get(w, w)))
                   for w in self.wrt]
        # Original values are kept only for the zero gradients that need them.
        originals = {w: k for w, k in originals.items() if w not in sweep.defined}

        primal = self.primal_block(body, set(self.parsed.params))
        if value_copy is not None:
            primal.append(assign_node(value_copy, name_node(output), self.norm.return_stmt))
        stages.show("reverse: the primal sweep, before rewriting", primal)
        primal, adjoint = optimize.rewrite_primal(
            primal, adjoint, results + ([value] if value is not None else []), sweeps)
        computed = {n.id for s in primal if isinstance(s, gast.AST) for n in gast.walk(s)
                    if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}
        for call, k, name in reshaped:  # the latest value still computed reads best
            call.args[k] = name_node(next(n for n in self.shape_chain(name)
                                          if n in computed or n == call.args[k].id))
        if optimize.ENABLED.get():
            stages.show("optimize: the primal sweep, then the adjoint sweep", primal, adjoint)
        start = [assign_node(k, name_node(w), self.parsed.node) for w, k in originals.items()]
        start += [assign_node(s, gast.List(elts=[], ctx=gast.Load()), self.parsed.node)
                  for s in self.plan.stacks]
        return Derivative(start + primal, adjoint, results, value, seed_param)


def _statements_or_nothing(block: list) -> list:
    """``block``, or nothing if it holds only comments (a loop of comments is no loop)."""
    return block if any(not isinstance(s, Comment) for s in block) else []


def _negated(test: gast.expr) -> gast.expr:
    """``not test``, without a double negation."""
    if isinstance(test, gast.UnaryOp) and isinstance(test.op, gast.Not):
        return test.operand
    return gast.UnaryOp(op=gast.Not(), operand=test)


def _without_dead(stmts: list, live_after: set[str], ops: dict) -> tuple[list, set[str]]:
    """``stmts`` less the pure operations whose targets nothing reads afterwards, and
    the names live before them. A loop's body is taken to a fixed point, so a value
    read only by its own next iteration counts as dead."""
    live = set(live_after)
    kept: list = []
    for stmt in reversed(stmts):
        item = ops.get(id(stmt))
        if item is not None and item.target not in live and _is_pure(item):
            continue
        if isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.Constant) and \
                len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name) and \
                stmt.targets[0].id not in live:
            continue  # an initial value (s = 0.0) that nothing reads any more
        if isinstance(stmt, gast.If) and not _jumps(stmt):
            body, live_body = _without_dead(stmt.body, live, ops)
            orelse, live_else = _without_dead(stmt.orelse, live, ops)
            if not body and not orelse:  # a branch test is an expression of names
                continue
            stmt = gast.copy_location(gast.If(test=stmt.test, body=body or [gast.Pass()],
                                              orelse=orelse), stmt)
            live = live_body | live_else | load_names(stmt.test)
        elif isinstance(stmt, (gast.For, gast.While)) and not stmt.orelse and \
                not _jumps(stmt):
            head = live | load_names(stmt.iter if isinstance(stmt, gast.For) else stmt.test)
            while True:
                body, live_body = _without_dead(stmt.body, head, ops)
                if live_body <= head:
                    break
                head |= live_body
            if not body and isinstance(stmt, gast.For) and not live & {
                    n.id for n in gast.walk(stmt.target) if isinstance(n, gast.Name)}:
                continue  # iterating a range or an array has no effect of its own
            loop = type(stmt)(**{f: getattr(stmt, f) for f in stmt._fields})
            loop.body = body or [gast.Pass()]
            stmt = gast.copy_location(loop, stmt)
            live = head
        elif isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
                isinstance(stmt.targets[0], gast.Name):
            live.discard(stmt.targets[0].id)
            live |= load_names(stmt.value)
        else:
            live |= load_names(stmt)
        kept.append(stmt)
    kept.reverse()
    return kept, live


def _jumps(stmt: gast.stmt) -> bool:
    """Whether ``stmt`` holds a break, continue or return (liveness then follows jumps)."""
    return any(isinstance(n, (gast.Break, gast.Continue, gast.Return)) for n in gast.walk(stmt))


def _assign_of(item: Op) -> Any:
    return item.__dict__.setdefault("_statement", assign_node(item.target, item.value, item.origin))


def _assigned(item: Any) -> set[str]:
    if isinstance(item, Op):
        return {item.target}
    if isinstance(item, Primal):
        return item.assigned
    return item.assigned()


_PURE_MODULES = ("numpy", "math", "builtins", "operator", "_operator", "autograd_src")


def _is_pure(op: Op) -> bool:
    """Whether dropping ``op`` cannot change behaviour (NumPy, math and operators)."""
    if op.rule is None:
        return True
    primitive = op.rule.primitive
    module = getattr(primitive, "__module__", None) or ""
    return type(primitive).__name__ == "ufunc" or module.split(".")[0] in _PURE_MODULES


def _drop_empty_comments(items: list[Any]) -> list[Any]:
    """Comments whose statements were all optimized away, in nested blocks too, and
    the loops and branches left holding nothing else."""
    cleaned: list[Any] = []
    for item in items:
        if isinstance(item, (gast.For, gast.While, gast.If)):
            item.body = _drop_empty_comments(item.body)
            item.orelse = _drop_empty_comments(item.orelse)
            if not item.body and not item.orelse:
                continue  # its test and header are names read, nothing computed
            if not item.body:
                item.body = [gast.Pass()]
        cleaned.append(item)
    kept: list[Any] = []
    for index, item in enumerate(cleaned):
        following = cleaned[index + 1] if index + 1 < len(cleaned) else None
        if isinstance(item, Comment) and (following is None or isinstance(following, Comment)):
            continue
        kept.append(item)
    return kept


def reverse(parsed: ParsedFunction, norm: Normalized, wrt: list[str], namer: Namer,
            value_wanted: bool = False) -> Derivative:
    """The primal and adjoint sweeps of ``norm``, differentiated with respect to ``wrt``."""
    return _Reverser(parsed, norm, wrt, namer).build(value_wanted)
