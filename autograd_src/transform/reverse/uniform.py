"""Uniform adjoints: below a full sum (``np.sum(f(x))``) the seed stays one scalar
through elementwise adjoints, broadcast only where a shape is needed; and where
a primal value can be reused by adjoint expressions.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Optional

import gast
import numpy as np

from .. import optimize
from ..ir import (
    Op,
    Primal,
    assign_node,
    differentiable_inputs,
    expr_key,
    load_names,
    name_node,
    walk,
)

__all__ = ["UniformAdjoints"]


class UniformAdjoints:
    """Part of the reverse stage, mixed into `Reverser`."""

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
        self.class_of = {item.target: item.result_class for item in body
                         if isinstance(item, Op) and len(self.assignments[item.target]) == 1}
        # (expr_key, name, first and last body positions where the value is unchanged)
        self.primal_values: list[tuple[Any, str, int, int]] = []
        self._values_cache: dict[int, dict[str, str]] = {}
        self.positions = {id(item): index for index, item in enumerate(body)}
        for index, item in enumerate(body):
            if isinstance(item, Op) and item.rule is not None and \
                    len(self.assignments[item.target]) == 1 and item.target not in self.wrt:
                writes = [i for n in load_names(item.value) for i in self.assignments.get(n, ())]
                first = max([i for i in writes if i < index], default=-1)
                last = min([i - 1 for i in writes if i > index], default=len(body))
                self.primal_values.append((expr_key(item.value), item.target, first, last))
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
            shape = item.result_class
            operands = [n for n in item.input_names()
                        if (item.rule.primitive.nin == 1 or item.classes.get(n) == shape)
                        and self.single_valued(n)]
            if operands and (item.rule.primitive.nin == 1 or shape is not None):
                self.same_shape_as[item.target] = operands[0]

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
        shape = op.result_class
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
        if any(isinstance(n, gast.Compare) for n in walk(expr)):
            return None  # g * (x >= y): a mask has the shape but not the dtype
        shape = op.result_class
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

    def values_at(self, item: Any) -> dict[Any, str]:
        """Primal values whose operands are unchanged between their definition and ``item``."""
        position = self.positions.get(id(item))
        if position is None:  # inside a branch or loop: values may differ per pass
            return {}
        if position not in self._values_cache:
            self._values_cache[position] = {
                key: target for key, target, first, last in reversed(self.primal_values)
                if first < position <= last}
        return self._values_cache[position]
