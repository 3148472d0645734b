"""The adjoint sweep: each operation's adjoint from its rule, branches as branches
on the same condition, loops reversed, overwritten values restored first.
"""

from __future__ import annotations

import copy
import functools
import operator
from typing import Any, Optional

import gast
import numpy as np

from ...rules import registry, runtime
from .. import analyze, optimize
from ..ir import (
    Branch,
    Comment,
    Loop,
    Op,
    Primal,
    assign_node,
    differentiable_inputs,
    load_names,
    name_node,
    ops_in,
)
from ..naming import clone, describe
from .sweeps import Sweep

__all__ = ["AdjointSweep"]


class AdjointSweep:
    """Part of the reverse stage, mixed into `Reverser`."""

    def shape_of(self, name: str) -> gast.expr:
        """What unbroadcast reads of ``name`` where only its shape is kept: ``np.shape``,
        or the value itself where it may be a list or tuple (its adjoint is added item
        by item, not unbroadcast; and ``np.shape`` of ``(W, b)`` fails)."""
        if name in self.built_containers or name in self.containers:
            return name_node(name)  # (an item of a dict may be a tuple (W, 1.0) too)
        return self.inliner.call(f"{self.namer.reference(np, 'np')}.shape", name_node(name))

    def save(self, name: str, save: analyze.Save, origin: Any) -> gast.stmt:
        if save.on_stack:
            value = self.shape_of(name) if save.shape else name_node(name)
            push = gast.Call(func=gast.Attribute(value=name_node(save.holder), attr="append",
                                                 ctx=gast.Load()),
                             args=[value], keywords=[])
            return gast.copy_location(gast.Expr(value=push), origin)
        if name in self.structures:
            # (a list or dict written in place item by item, saved before a loop that
            # writes it again: a shallow copy keeps the items it had, where another
            # name for it would change too, which forward mode over this code refuses)
            return assign_node(save.holder, self.inliner.call(f"{self.ad}.copied",
                                                              name_node(name)), origin)
        return assign_node(save.holder, name_node(name), origin)

    def restore(self, name: str, save: analyze.Save, origin: Any) -> gast.stmt:
        if save.on_stack:
            pop = gast.Call(func=gast.Attribute(value=name_node(save.holder), attr="pop",
                                                ctx=gast.Load()), args=[], keywords=[])
            return assign_node(self.shapes[name] if save.shape else name, pop, origin)
        return assign_node(name, name_node(save.holder), origin)

    def zeros(self, name: str, origin: Any, like: Optional[str] = None) -> gast.stmt:
        """``dname = _ad.zeros_like(name)``, or shaped like the copy ``like``; ``0.0``
        for a name that holds a float wherever it is assigned."""
        if name in self.floats and like is None:
            return assign_node(self.namer.adjoint(name), gast.Constant(value=0.0, kind=None),
                               origin)
        if name in self.structures and like is None:
            return assign_node(self.namer.adjoint(name), self.inliner.call(
                f"{self.ad}.zero_items", name_node(name)), origin)
        return assign_node(self.namer.adjoint(name),
                           self.inliner.call(f"{self.ad}.zeros_like", name_node(like or name)),
                           origin)

    def accumulate(self, name: str, expr: gast.expr, sweep: Sweep, origin: Any,
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
    def floats(self) -> set[str]:
        """Names holding a float wherever they are assigned (`analyze.float_names`):
        their zero adjoints are 0.0."""
        return analyze.float_names(self.norm, self.parsed.params)

    @functools.cached_property
    def structures(self) -> set[str]:
        """Lists and dicts written in place item by item (normalize's
        ``_structures_kept``): their last value's items may have other shapes than the
        ones read before, so their zero adjoints are items of no shape (`zero_items`)."""
        return {op.target for op in ops_in(self.norm.body)
                if getattr(op, "zeroes_item", False)}

    @functools.cached_property
    def built_containers(self) -> set[str]:
        """Names some operation sets to a list, tuple or dict it builds (``(W * 2, b)``)."""
        return {op.target for op in ops_in(self.norm.body) if op.rule is not None and any(
            op.rule.primitive is m for m in _MAKERS if m not in (runtime.plus, runtime.times,
                                                                 runtime.summed))}

    @functools.cached_property
    def containers(self) -> set[str]:
        """Names that may hold lists, tuples or dicts of values: lists the function
        builds, a helper's parameters, what helpers return, and items or copies of those."""
        makers = _MAKERS
        names = set(self.norm.lists) | set(self.norm.opaque)
        ops = list(ops_in(self.norm.body))
        # What a field or a key is read from is a namedtuple, an object or a dict (p.w,
        # p.get('w')), whatever the call's types: its adjoints are summed item by item.
        names |= {op.input_names()[0] for op in ops if op.rule is not None and op.input_names()
                  and op.rule.primitive in (runtime.field, runtime.get_item)}
        grown = True
        while grown:
            grown = False
            for op in ops:
                rule = op.rule
                if op.target in names:
                    # what holds a container as an item (W, b = ps[0]) is one too (an
                    # array whose rows are unpacked, added item by item, stays right)
                    source = op.input_names()[0] if op.input_names() else None
                    if source is not None and source not in names and (
                            rule is None or rule.primitive in (operator.getitem, runtime.field,
                                                               runtime.get_item)):
                        names.add(source)
                        grown = True
                    continue
                if getattr(op, "gives_number", False):
                    continue  # (x[k] of a list of numbers: a number)
                if rule is None or rule.primitive is operator.getitem or \
                        rule.primitive is runtime.field or rule.primitive is runtime.get_item:
                    # an item (p[0], p.enc, d.get(k)) of a container may be one too
                    opaque = any(n in names for n in op.input_names())
                else:
                    opaque = any(rule.primitive is m for m in makers) or \
                        hasattr(rule, "helper_keywords") or \
                        registry.returns_sequence(rule.primitive) or (  # np.split, eigh
                            # a gradient's code differentiated again: dp = _ad.unindex(g,
                            # p, 'b') is a dict where p is one
                            any(rule.primitive is m for m in _SHAPED_LIKE_INPUTS) and
                            any(n in names for v in op.bound.values() for n in load_names(v)))
                if opaque:
                    names.add(op.target)
                    grown = True
        return names

    def comment(self, origin: Any, sweep: Sweep, out: list, prefix: str = "Grad of") -> None:
        if origin is sweep.origin:
            return
        sweep.origin = origin
        text = _first_line(origin)
        if len(text) > 60:
            text = text[:57] + "..."
        comment = f"{prefix}: {text}  ({self.parsed.where(origin)})"
        if comment == sweep.shown:
            return
        sweep.shown = comment
        out.append(Comment(comment))

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
        if back not in self.back_stacks:
            self.back_stacks[back] = self.namer.fresh(f"{back}_stack")
            self.plan.stacks.append(self.back_stacks[back])
        return self.back_stacks[back]

    def op_adjoint(self, op: Op, saved: dict[str, analyze.Save], sweep: Sweep,
                   out: list) -> None:
        pending: list[Any] = []
        if "back" in op.bound and id(op) in self.in_loops:
            back = op.bound["back"].id
            pop = gast.Call(func=gast.Attribute(value=name_node(self.back_stack(back)),
                                                attr="pop", ctx=gast.Load()),
                            args=[], keywords=[])
            pending.append(assign_node(back, pop, op.origin))
        ans = op.target
        reads, reads_ans = self.plan.reads_of(op)
        # y = y * c: the adjoint reads the old y (whether or not y carries gradient),
        # so y is restored before the contributions are computed, not after. So too
        # for y = prod * x where prod = 0.5 * y is made again here from the old y.
        self_reference = op.target in differentiable_inputs(op) or op.target in reads
        restore = saved.get(op.target)
        if self_reference:
            if reads_ans:
                ans = self.namer.fresh(describe(op.value))
                pending.append(assign_node(ans, name_node(op.target), op.origin))
            if restore:
                pending.append(self.restore(op.target, restore, op.origin))
        for definition in self.plan.remade_for(op):
            if definition.target not in self.remade_here:
                self.remade_here.add(definition.target)
                pending.append(assign_node(definition.target, clone(definition.value),
                                           definition.origin))
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

    def adjoint_block(self, items: list, sweep: Sweep) -> list:
        """The adjoint statements of ``items``, in reverse order."""
        out: list = []
        # Temporaries made again (analyze.remade_temporaries) are read in the block
        # that makes them, so once made for one reader they serve the others.
        outer_remade, self.remade_here = self.remade_here, set()
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
        self.remade_here = outer_remade
        return out

    def branch_adjoint(self, branch: Branch, sweep: Sweep, out: list) -> None:
        entry = set(sweep.defined)
        arms = []
        for items in (branch.body, branch.orelse):
            sweep.defined, sweep.origin = set(entry), None
            arms.append((self.adjoint_block(items, sweep), sweep.defined))
        # An adjoint only one arm defines is filled in with zeros in the other, unless
        # nothing before the branch needs it or the name may hold no value there (a
        # value made inside the branch).
        wanted = self.plan.needed_before.get(id(branch), set())
        needed = wanted
        if id(branch) in self.plan.bound_before:
            needed = needed & self.plan.bound_before[id(branch)]
        either = arms[0][1] | arms[1][1]
        # Needed before but maybe unbound there (s made in an earlier if): a plain 0.0
        # in the other arm, which no shape needs. Dropping it made an earlier branch
        # write ds = ... over this one's (a wrong gradient). That holds for a name the
        # branch also assigns: an arm that read it first (dp = dp_sq * p, then p = p0
        # in a dead arm) leaves the adjoint of its value from before the branch.
        unbound = (either & wanted) - needed
        joined = (arms[0][1] & arms[1][1]) | (either & needed) | unbound
        saved = self.plan.saves.get(id(branch), {})
        kept = {n: saved[n].holder for n in self.plan.zeros_from.get(id(branch), ())
                if n in saved}  # the values from before the branch
        for statements, defined in arms:
            statements += [assign_node(self.namer.adjoint(n), gast.Constant(value=0.0, kind=None),
                                       branch.origin) if n in unbound else
                           self.zeros(n, branch.origin, kept.get(n))
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

    def loop_adjoint(self, loop: Loop, sweep: Sweep, out: list) -> None:
        carried = analyze.exposed_reads(loop.body, self.plan)
        bound = self.plan.bound_before.get(id(loop))
        # (a name maybe unbound before the loop, s made in an earlier if, starts at a
        # plain 0.0: zeros_like(s) would read it)
        before = [self.zeros(n, loop.origin) if bound is None or n in bound else
                  assign_node(self.namer.adjoint(n), gast.Constant(value=0.0, kind=None),
                              loop.origin)
                  for n in sorted(carried - sweep.defined)]
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
                                 iter=self.inliner.call(self.namer.builtin("reversed"), steps),
                                 body=body,
                                 orelse=[], type_comment=None)
        else:
            reversed_ = gast.For(target=name_node(self.namer.fresh("_"), gast.Store()),
                                 iter=self.inliner.call(self.namer.builtin("range"),
                                                   name_node(loop.counter)),
                                 body=body, orelse=[], type_comment=None)
        self.comment(loop.origin, sweep, out)
        sweep.origin = None
        out += before
        out.append(gast.copy_location(reversed_, loop.origin))


#: The primitives whose results are (or, for + and *, may be) lists, tuples or dicts.
_MAKERS = (runtime.pack, runtime.pack_dict, runtime.appended, runtime.extended,
           runtime.inserted,
           runtime.joined, runtime.plus, runtime.times, list, tuple, runtime.sorted_items,
           runtime.in_order, runtime.transposed, runtime.summed, copy.copy, copy.deepcopy)


#: Runtime functions of generated code whose result has the structure of an argument.
_SHAPED_LIKE_INPUTS = (runtime.unindex, runtime.zeros_like, runtime.add, runtime.add_into,
                       runtime.add_at, runtime.add_to_item, runtime.seed, runtime.copied)


def _first_line(stmt: Any) -> str:
    """The first line of ``stmt``'s source, printed: of a loop or branch, its header
    alone is printed (its body, which can be most of the function, is not)."""
    if getattr(stmt, "shown_as", None):  # (a statement desugar rewrote: as written)
        return stmt.shown_as
    if isinstance(stmt, (gast.For, gast.While, gast.If)) and stmt.body:
        header = copy.copy(stmt)
        header.body, header.orelse = [gast.Pass()], []
        stmt = header
    return gast.unparse(stmt).strip().splitlines()[0]


def _statements_or_nothing(block: list) -> list:
    """``block``, or nothing if it holds only comments (a loop of comments is no loop)."""
    return block if any(not isinstance(s, Comment) for s in block) else []


def _negated(test: gast.expr) -> gast.expr:
    """``not test``, without a double negation."""
    if isinstance(test, gast.UnaryOp) and isinstance(test.op, gast.Not):
        return test.operand
    return gast.UnaryOp(op=gast.Not(), operand=test)
