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

from typing import Any, Optional

import gast
import numpy as np

from ...rules import runtime
from .. import analyze, optimize, stages
from ..inline import Inliner
from ..ir import (
    Comment,
    Normalized,
    Op,
    Primal,
    assign_node,
    name_node,
    ops_in,
    walk,
)
from ..naming import Namer
from ..source import ParsedFunction
from .adjoint import AdjointSweep
from .primal import PrimalSweep
from .sweeps import Derivative, Sweep
from .uniform import UniformAdjoints

__all__ = ["Comment", "Derivative", "Reverser", "reverse"]


class Reverser(UniformAdjoints, AdjointSweep, PrimalSweep):
    """The reverse stage for one normalized function: its sweeps, in `build`."""

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
        #: A helper call in a loop -> the stack of its backward functions.
        self.back_stacks: dict[str, str] = {}
        #: Temporaries made again so far in the block the adjoint sweep is in.
        self.remade_here: set[str] = set()

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
        sweep = Sweep()
        if self.norm.output_active:
            self.comment(self.norm.return_stmt, sweep, adjoint)
            # A scalar output needs no value to shape its seed, so a gradient that
            # never reads the output need not compute it.
            shape_from = [] if self.norm.output_scalar and not value_wanted else [name_node(output)]
            seed = self.inliner.call(f"{self.ad}.seed", name_node(seed_param), *shape_from)
            adjoint.append(assign_node(self.namer.adjoint(output), seed, self.norm.return_stmt))
            sweep.defined.add(output)
        elif getattr(self.parsed, "is_helper", True) is False and \
                not self.parsed.filename.startswith("<autograd_src"):  # (yours, not a
            # helper, nor code grad generated: its output, a gradient, is an array)
            # no gradient: the output and the seed still checked (a str, a comparison)
            self.comment(self.norm.return_stmt, sweep, adjoint)
            check = self.inliner.call(f"{self.ad}.without_gradient", name_node(seed_param),
                                      name_node(output))
            adjoint.append(gast.copy_location(gast.Expr(value=check), self.norm.return_stmt))
        adjoint += self.adjoint_block(body, sweep)
        self.broadcast_uniform(self.wrt, self.norm.return_stmt, adjoint)
        adjoint_names = set(self.namer.adjoints()) | self.inliner.shared
        kept = {self.namer.adjoint(w) for w in self.wrt}
        stages.show("reverse: the adjoint sweep, before rewriting", adjoint)
        sweeps = optimize.Sweeps(
            adjoints=adjoint_names, kept=kept, ad=self.ad,
            adjoint_terms=lambda stores: self.adjoint_terms(stores, kept),
            without_dead_code=self.dead_code_removed,
            temporaries=self.temporaries() | self.norm.state_reads,
            sinkable=self.sinkable,
            containers=frozenset(self.namer.adjoint(n) for n in self.containers),
            remade=frozenset(self.plan.remade),
            integers=_range_counters(self.parsed),
            grown_lists=_grown_only(body))
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

        self.unbound_saves: set[str] = set()
        primal = self.primal_block(body, set(self.parsed.params))
        if value_copy is not None:
            primal.append(assign_node(value_copy, name_node(output), self.norm.return_stmt))
        stages.show("reverse: the primal sweep, before rewriting", primal)
        primal, adjoint = optimize.rewrite_primal(
            primal, adjoint, results + ([value] if value is not None else []), sweeps)
        computed = {n.id for s in primal if isinstance(s, gast.AST) for n in optimize.names(s)
                    if isinstance(n.ctx, gast.Store)}
        for call, k, name in reshaped:  # the latest value still computed reads best
            call.args[k] = name_node(next(n for n in self.shape_chain(name)
                                          if n in computed or n == call.args[k].id))
        if optimize.ENABLED.get():
            # (a helper's backward functions are popped by name, as they read best)
            adjoint = optimize.iterate_stacks(
                primal, adjoint, set(self.plan.stacks) - set(self.back_stacks.values()),
                self.namer.reference, results + ([value] if value is not None else []))
            optimize.drop_dead_copies(
                primal, adjoint, {save.holder for saves in self.plan.saves.values()
                                  for save in saves.values() if not save.on_stack},
                results + ([value] if value is not None else []))
            stages.show("optimize: the primal sweep, then the adjoint sweep", primal, adjoint)
        # (a list or dict the forward sweep writes back into is read as it was passed)
        start = [assign_node(k, self.inliner.call(f"{self.ad}.copied", name_node(w))
                             if w in self.parsed.written_back else name_node(w),
                             self.parsed.node) for w, k in originals.items()]
        start += [assign_node(n, gast.Constant(value=None, kind=None), self.parsed.node)
                  for n in sorted(self.unbound_saves)]
        used = {n.id for s in primal + adjoint if isinstance(s, gast.AST)
                for n in optimize.names(s)}  # (a stack nothing reads was dropped)
        start += [assign_node(s, gast.List(elts=[], ctx=gast.Load()), self.parsed.node)
                  for s in self.plan.stacks if s in used]
        return Derivative(start + primal, adjoint, results, value, seed_param)


def _assigned(item: Any) -> set[str]:
    if isinstance(item, Op):
        return {item.target}
    if isinstance(item, Primal):
        return item.assigned
    return item.assigned()


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
    return Reverser(parsed, norm, wrt, namer).build(value_wanted)


def _grown_only(body: list) -> frozenset:
    """The names whose every operation binding them is an append (``xs =
    _ad.appended(xs, v)``) but one making a new list: lists only ever grown."""
    appended: set = set()
    other: dict = {}
    for op in ops_in(body):
        if op.rule is not None and op.rule.primitive is runtime.appended:
            appended.add(op.target)
        else:
            other[op.target] = other.get(op.target, 0) + 1
    return frozenset(n for n in appended if other.get(n, 0) <= 1)


def _range_counters(parsed: Any) -> frozenset:
    """The names bound only as the variable of ``for i in range(...)`` loops of the
    function: one int wherever they are read, in both sweeps (the adjoint's reversed
    loops bind them to the same values)."""
    loops: dict = {}
    stores: dict = {}
    for node in walk(parsed.node):
        if isinstance(node, gast.For) and isinstance(node.target, gast.Name) and \
                isinstance(node.iter, gast.Call) and parsed.resolve(node.iter.func) is range:
            loops[node.target.id] = loops.get(node.target.id, 0) + 1
        elif isinstance(node, gast.Name) and not isinstance(node.ctx, gast.Load):
            stores[node.id] = stores.get(node.id, 0) + 1
    return frozenset(name for name, count in loops.items() if stores.get(name) == count)
