"""The tangent sweep: after each normalized primal statement, its tangent statement.

Reads the normal form the reverse stage reads. An operation ``y = np.sin(x)``
is followed by ``dy = dx * np.cos(x)``, the rule's contribution for each input
that carries a tangent, summed; a branch stays a branch and a loop a loop, so
nothing is stored (no stacks). A statement kept as it is (``y = 0.0``) makes
its names constant there: their tangents become zeros, if any tangent reads them.
"""

from __future__ import annotations

import copy
import functools
import operator
from dataclasses import dataclass
from typing import Any, Optional

import gast
import numpy as np

from ...errors import NoRuleError
from ...rules import registry, runtime
from ...rules.jvp import JVPRule, from_adjoint, lookup_jvp
from ...rules.runtime import forward as forward_runtime
from .. import analyze, optimize, stages
from ..inline import as_expr
from ..ir import (
    Branch,
    Comment,
    Loop,
    Normalized,
    Op,
    Primal,
    assign_node,
    is_number,
    is_scalar_operand,
    load_names,
    name_node,
    ops_in,
    same_shape,
    walk,
)
from ..naming import Namer, clone
from ..source import ParsedFunction
from .rewrite import rewrite
from .terms import ANS, DEFAULTED, Substitution, is_literal, is_pure, replace_ans, without_minus

__all__ = ["Tangents", "ForwardDerivative", "tangents"]



@dataclass
class ForwardDerivative:
    """The body of a forward-mode derivative and what it returns."""

    body: list
    value: gast.expr
    tangent: gast.expr
    #: The tangent parameter of each differentiated parameter, in ``wrt`` order.
    tangent_params: list


class Tangents:
    """The forward stage for one normalized function."""

    def __init__(self, parsed: ParsedFunction, norm: Normalized, wrt: list[str],
                 namer: Namer) -> None:
        self.parsed = parsed
        self.norm = norm
        self.wrt = wrt
        self.namer = namer
        self.ad = namer.reference(runtime, "_ad")
        #: Names whose tangents some operation reads (and the output's).
        self.read: set[str] = {norm.output}
        for op in ops_in(norm.body):
            self.read |= set(op.input_names())
        self.origin: Any = None
        self.sequences: frozenset = frozenset()

    # ----- names and zeros -----

    def tangent(self, name: str) -> str:
        return self.namer.adjoint(name)

    @functools.cached_property
    def floats(self) -> set[str]:
        """Names holding a float wherever assigned: their zero tangents are 0.0."""
        return analyze.float_names(self.norm, self.parsed.params)

    def zero(self, expr: gast.expr) -> gast.expr:
        """The zero tangent of the value of ``expr``."""
        if is_number(expr) or isinstance(expr, gast.Name) and expr.id in self.floats:
            return gast.Constant(value=0.0, kind=None)
        return gast.Call(func=gast.Attribute(value=name_node(self.ad), attr="zeros_like",
                                             ctx=gast.Load()),
                         args=[clone(expr)], keywords=[])

    def fwd(self, attr: str) -> gast.expr:
        return gast.Attribute(value=name_node(self.namer.reference(forward_runtime, "_fwd")),
                              attr=attr, ctx=gast.Load())

    # ----- the sweep -----

    def build(self) -> ForwardDerivative:
        # Arrays the normalizer writes into in place (traj[t] = x of an array of the
        # function's own, `normalize._assign_in_place`): their tangents are too, each
        # bound to an array of its own (a copy where its expression could be another's)
        self.in_place = {op.target for op in ops_in(self.norm.body)
                         if _written_in_place(op)}
        self.viewing_in_place: set = set()  # (views of those, whose tangents view theirs)
        params = [self.tangent(w) for w in self.wrt]
        body: list = []
        # Parameters not differentiated whose tangents a loop reads before assigning them.
        for p in self.parsed.params:
            if p not in self.wrt and p in self.read:
                body.append(assign_node(self.tangent(p), self.zero(name_node(p)),
                                        self.parsed.node))
        body += self.block(self.norm.body)
        output = self.norm.output
        if self.norm.output_active:
            tangent = name_node(self.tangent(output))
        else:
            tangent = self.zero(name_node(output))
        stages.show("forward: primal and tangent statements, before rewriting", body)
        made = {op.target for op in ops_in(self.norm.body)
                if op.target not in self.parsed.locals and is_pure(op)}
        body = rewrite(body, self.temporaries(), [name_node(output), tangent],
                       frozenset(self.parsed.locals) | set(self.parsed.params),
                       {self.tangent(name): name for name in made},
                       self.sequences & set(self.parsed.params), self.namer)
        return ForwardDerivative(body, name_node(output), tangent, params)

    def with_zero_appends(self, stmts: list, origin: Any) -> list:
        """``stmts`` (kept as they are, constant), each ``lst.append(v)`` in them, at any
        depth, followed by a zero appended to the tangent of ``lst`` where a tangent
        reads it: the two lists stay in step (a gradient's stack of a value constant
        in one loop and differentiated in the next)."""
        out: list = []
        for stmt in stmts:
            out.append(stmt)
            appended = _appended_to(stmt)
            if appended is not None and appended[0] in self.read:
                dlist = name_node(self.tangent(appended[0]))
                out.append(assign_node(self.tangent(appended[0]), gast.Call(
                    func=gast.Attribute(value=name_node(self.ad), attr="appended",
                                        ctx=gast.Load()),
                    args=[dlist, self.zero(appended[1])], keywords=[]), origin))
            for field in ("body", "orelse", "finalbody"):
                block = getattr(stmt, field, None)
                if isinstance(block, list) and not isinstance(
                        stmt, (gast.FunctionDef, gast.AsyncFunctionDef, gast.ClassDef)):
                    setattr(stmt, field, self.with_zero_appends(block, origin))
        return out

    def temporaries(self) -> set[str]:
        """Names made for pure operations (not the user's own), and the tangents of
        those and of the user's values (each is assigned where its value is)."""
        user = self.parsed.locals | set(self.parsed.params)
        made = {op.target for op in ops_in(self.norm.body)
                if op.target not in user and is_pure(op)}
        tangents = {self.tangent(op.target) for op in ops_in(self.norm.body)
                    if is_pure(op)}
        return made | tangents

    def block(self, items: list) -> list:
        out: list = []
        previous = None  # (the op just before, in this block)
        for item in items:
            if isinstance(item, Op):
                self.comment(item.origin, out)
                self.previous_op = previous
                out += self.op(item)
                previous = item
                continue
            previous = None
            if isinstance(item, Primal):
                zeros = []
                # (hs[-1] = 0.1 into a dict whose tangent is read later, hs[t - 1]: its
                # tangent, all zeros here, made again with that key)
                stored = {t.value.id for target in getattr(item.stmt, "targets", [])
                          for t in ([target] if not isinstance(target, gast.Tuple)
                                    else walk(target))
                          if isinstance(t, gast.Subscript) and isinstance(t.value, gast.Name)}
                for name in sorted((item.assigned | stored) & self.read):
                    value = item.stmt.value if isinstance(item.stmt, gast.Assign) else None
                    zero = gast.Constant(value=0.0, kind=None) if is_number(value) and \
                        name in item.assigned else self.zero(name_node(name))
                    zeros.append((name, assign_node(self.tangent(name), zero, item.origin)))
                if isinstance(item.stmt, (gast.If, gast.For, gast.While)) and zeros:
                    # control flow computing nothing differentiable: each name's zero
                    # tangent where it is assigned (after the if, a name one arm leaves
                    # unbound could not be read: the other arm returned)
                    stmt = _with_zeros_where_assigned(copy.deepcopy(item.stmt), zeros)
                    out += self.with_zero_appends([stmt], item.origin)
                    continue
                stmt = item.stmt
                if getattr(stmt, "pops_stack", False) and not zeros:
                    # (a stack without tangent popped in place, as `_popped_stack`)
                    stmt = gast.copy_location(gast.Delete(targets=[gast.Subscript(
                        value=clone(stmt.value.value), slice=clone(stmt.value.slice.upper),
                        ctx=gast.Del())]), stmt)
                out += self.with_zero_appends([stmt], item.origin)
                out += [zero for _, zero in zeros]
            elif isinstance(item, Branch):
                self.origin = None
                body = self.block(item.body)
                self.origin = None
                orelse = self.block(item.orelse)
                self.origin = None
                out.append(gast.copy_location(gast.If(
                    test=clone(item.test), body=body or [gast.Pass()], orelse=orelse),
                    item.origin))
            elif isinstance(item, Loop):
                self.origin = None
                loop = gast.copy_location(type(item.header)(**{
                    f: getattr(item.header, f) for f in item.header._fields}), item.origin)
                loop.body = self.block(item.body) or [gast.Pass()]
                self.origin = None
                out.append(loop)
            else:
                out.append(item)
        return out

    def comment(self, origin: Any, out: list) -> None:
        if origin is self.origin:
            return
        self.origin = origin
        text = getattr(origin, "shown_as", None) or \
            gast.unparse(origin).strip().splitlines()[0]  # (a rewritten line: as written)
        if self.parsed.filename.startswith("<autograd_src "):  # read again: its own line
            text = (self.parsed.line_text(getattr(origin, "lineno", 0)) or text).strip()
        if len(text) > 60:
            text = text[:57] + "..."
        out.append(Comment(f"Tangent of: {text}  ({self.where(origin)})"))

    def where(self, node: Any) -> str:
        """``file.py:12``; in a derivative `grad` generated, ``dfdx:12`` (its file name
        carries a counter, which would make the same code read differently)."""
        if self.parsed.filename.startswith("<autograd_src "):
            return f"{self.parsed.name}:{getattr(node, 'lineno', None) or 1}"
        return self.parsed.where(node)

    # ----- one operation -----

    def op(self, op: Op) -> list:
        target, dtarget = op.target, self.tangent(op.target)
        if op.rule is None:  # a copy
            source = op.inputs[0]
            stmts = [assign_node(target, op.value, op.origin)]
            if source != target:
                stmts.append(assign_node(dtarget, name_node(self.tangent(source)), op.origin))
            return stmts
        popped = _popped_stack(op)
        if popped is not None:
            # y_stack = y_stack[:-1], the pop of a stack of grad's own read again: popped
            # in place, its tangent too (no reverse sweep here reads the longer stack;
            # a copy at each pop made a loop of n pops O(n^2))
            source = self.input_tangent(op.inputs[0], op.bound["x"])
            drops = [gast.Delete(targets=[gast.Subscript(
                value=name_node(name), slice=gast.UnaryOp(op=gast.USub(), operand=gast.Constant(
                    value=1, kind=None)), ctx=gast.Del())]) for name in (target, dtarget)]
            if not (isinstance(source, gast.Name) and source.id == dtarget):
                return [assign_node(target, op.value, op.origin)] + ([] if source is None else [
                    assign_node(dtarget, gast.Subscript(value=source, slice=clone(
                        op.bound["index"]), ctx=gast.Load()), op.origin)])
            return [gast.copy_location(d, op.origin) for d in drops]
        rule = lookup_jvp(op.rule.primitive)
        if hasattr(op.rule, "helper_keywords") and rule is None:
            return [self.helper_call(op)]
        if rule is None:  # an elementwise primitive's adjoint is its tangent too
            rule = from_adjoint(op.rule)
        if rule is None:
            raise self.parsed.error(
                op.origin,
                f"no forward-mode rule for {op.rule.name}: it has an adjoint rule "
                "(defvjp), which reverse mode uses, but forward mode needs its tangent "
                "(it is not elementwise, so the adjoint cannot serve): register one with "
                "autograd_src.extend.defjvp", NoRuleError)
        if _written_in_place(op):
            # traj[t] = x, dtraj[t] = dx: O(1) a step where a copy of each made O(n)
            store = op.__dict__["_statement"]
            given = self.input_tangent(op.inputs[2], op.bound["v"]) \
                if len(op.inputs) > 2 else None
            tangent_store = gast.Assign(targets=[gast.Subscript(
                value=name_node(dtarget), slice=clone(store.targets[0].slice),
                ctx=gast.Store())], value=given if given is not None else
                gast.Constant(value=0.0, kind=None), type_comment=None)
            made = []
            if not op.inputs or op.inputs[0] is None:
                # (acc = np.ones(2); acc[-1] = a * s: the array had no tangent before,
                # its zeros first, written into where the value is)
                made = [assign_node(dtarget, self.zero(name_node(target)), op.origin)]
            return made + [clone(store), gast.copy_location(tangent_store, op.origin)]
        expr = self.tangent_expr(op, rule)
        if _makes_a_view(op) and any(n in self.in_place or n in self.viewing_in_place
                                     for n in self._flat_inputs(op)):
            self.viewing_in_place.add(target)  # (a_part = a[0:2]: its tangent views da)
        if target not in self.in_place and not _makes_a_view(op) and \
                self.tangent_written_in_place(expr):
            # (prev = a + 0.0, its tangent da itself, then a[1:] = 0.0 writing da in
            # place: prev's tangent would change with it; GS F6) a copy of its own
            expr = gast.Call(func=gast.Attribute(value=name_node(self.namer.reference(
                runtime, "_ad")), attr="own_copy", ctx=gast.Load()), args=[expr], keywords=[])
        if target in self.in_place and not _fresh_zeros(expr):
            expr = gast.Call(func=gast.Attribute(value=name_node(self.namer.reference(
                runtime, "_ad")), attr="own_copy", ctx=gast.Load()), args=[expr], keywords=[])
        value = op.value
        if op.rule.primitive is runtime.appended:
            # xs = _ad.appended(xs, v) copies xs, for a reverse sweep to read the list
            # before: forward mode has none, and xs is the function's own (the
            # normalizer refuses appends to a shared list), so the append is made in
            # place (a loop pushing n values: O(n), not O(n^2))
            value, expr = _in_place_append(value), _in_place_append(expr)
        reads = load_names(expr)
        primal = assign_node(target, value, op.origin)
        if op.rule.primitive is runtime.appended:
            tangent = _as_append(assign_node(dtarget, expr, op.origin))
            # (a tangent reading the list, _ad.zeros_like(xs), reads it before the append)
            return [tangent, _as_append(primal)] if target in reads else \
                [_as_append(primal), tangent]
        if target not in reads:
            return [primal, assign_node(dtarget, replace_ans(expr, target), op.origin)]
        if ANS not in reads:  # the tangent reads the operand the primal overwrites
            return [assign_node(dtarget, expr, op.origin), primal]
        new = self.namer.fresh(f"{target}_new")
        return [assign_node(new, value, op.origin),
                assign_node(dtarget, replace_ans(expr, new), op.origin),
                assign_node(target, name_node(new), op.origin)]

    def values(self, op: Op, rule: JVPRule) -> dict:
        """The tangent rule's parameters bound to the operation's operands (by position,
        since the adjoint rule the normalizer bound may name them differently)."""
        values: dict[str, Any] = {}
        adjoint_params = list(op.rule.params)
        taken = set()
        for index, param in enumerate(rule.params):
            default = rule.signature.parameters[param].default
            if param in op.bound:
                values[param] = op.bound[param]
                taken.add(param)
            elif index < len(adjoint_params) and adjoint_params[index] in op.bound:
                values[param] = op.bound[adjoint_params[index]]
                taken.add(adjoint_params[index])
            elif default is not rule.signature.parameters[param].empty:
                values[param] = default
            else:
                values[param] = gast.Tuple(elts=[], ctx=gast.Load())  # an empty *args
        # An operand the tangent rule has no parameter for would be left out of the
        # tangent (math.log(x, base) read as log(x)): refused, but for options that
        # only set the result's dtype.
        left_out = [p for p in adjoint_params if p in op.bound and p not in taken and
                    p not in ("dtype", "casting") and not is_literal(
                        op.bound[p], op.rule.signature.parameters[p].default)]
        if left_out:
            raise self.parsed.error(
                op.origin, f"the forward-mode rule of {op.rule.name} takes no "
                f"{left_out[0]}, which this call gives: register a tangent rule taking it "
                "(autograd_src.extend.defjvp), or leave it out", NoRuleError)
        values["ans"] = name_node(ANS)
        values[DEFAULTED] = {
            p for p in rule.params
            if rule.signature.parameters[p].default is not rule.signature.parameters[p].empty
            and is_literal(values[p], rule.signature.parameters[p].default)}
        return values

    def input_tangent(self, entry: Any, operand: Any) -> Optional[gast.expr]:
        """The tangent of one rule input: a name's, a tuple of a sequence's (zeros where
        an item has none), or None where the input carries none."""
        if entry is None:
            return None
        if isinstance(entry, list):
            if not any(entry):
                return None
            items = operand.elts if isinstance(operand, (gast.Tuple, gast.List)) else []
            return gast.Tuple(elts=[name_node(self.tangent(n)) if n else self.zero(item)
                                    for n, item in zip(entry, items)], ctx=gast.Load())
        return name_node(self.tangent(entry))

    def tangent_written_in_place(self, expr: gast.expr) -> bool:
        """Whether ``expr`` is, or is a view of, the tangent of an array written in place
        (`in_place`), whose later writes would reach it: ``da``, ``da[1:]``,
        ``da.T``, ``np.reshape(da, s)``."""
        from .. import mutation
        while True:
            if isinstance(expr, (gast.Subscript, gast.Attribute)):
                expr = expr.value
            elif isinstance(expr, gast.Call) and expr.args and (
                    isinstance(expr.func, gast.Attribute) and
                    expr.func.attr in mutation.VIEW_METHODS or
                    self.parsed.resolve(expr.func) in mutation.VIEW_FUNCTIONS):
                expr = expr.func.value if isinstance(expr.func, gast.Attribute) and \
                    expr.func.attr in mutation.VIEW_METHODS else expr.args[0]
            else:
                break
        return isinstance(expr, gast.Name) and any(
            expr.id == self.tangent(name) for name in self.in_place | self.viewing_in_place)

    @staticmethod
    def _flat_inputs(op: Op) -> list:
        found: list = []
        pending = list(op.inputs)
        while pending:
            item = pending.pop()
            if isinstance(item, (list, tuple)):
                pending += list(item)
            elif isinstance(item, str):
                found.append(item)
        return found

    def tangent_expr(self, op: Op, rule: JVPRule) -> gast.expr:
        values = self.values(op, rule)
        operands = [values[p] for p in rule.params[:len(op.inputs)]]
        tangents = [self.input_tangent(e, v) for e, v in zip(op.inputs, operands)]
        square = self.square_tangent(op, operands, tangents)
        if square is not None:
            return square
        if rule.all_inputs:
            items = [t if t is not None else self.zero(as_expr(v))
                     for t, v in zip(tangents, operands)]
            if rule.exprs is None:
                return self.call_rule(rule, values, gast.Tuple(elts=items, ctx=gast.Load()))
            return optimize.simplify(Substitution(rule, values, self.namer, items,
                                                  rule.primitive).visit(
                clone(rule.exprs[0])), self.namer, op.scalars)
        terms = []
        for index, t in enumerate(tangents):
            if t is None:
                continue
            if rule.exprs is None:
                terms.append(self.call_rule(rule, values, t, index))
                continue
            if index >= len(rule.exprs):
                raise self.parsed.error(op.origin, f"the forward-mode rule of {rule.name} "
                                                   f"gives no tangent for its argument "
                                                   f"{rule.params[index]!r}, but this one "
                                                   "carries one", NoRuleError)
            if rule.exprs[index] is None:  # the rule reads only its shape
                continue
            terms.append(Substitution(rule, {**values, "g": t}, self.namer,
                                      primitive=rule.primitive).visit(
                clone(rule.exprs[index])))
        terms = [optimize.simplify(t, self.namer, op.scalars) for t in terms]
        if not terms:  # the operands carrying tangents are read for their shapes only
            return self.zero(name_node(ANS))
        expr = terms[0]
        for term in terms[1:]:
            positive = without_minus(term)
            if registry.returns_sequence(rule.primitive):  # tuples of tangents: by item
                expr = gast.Call(func=gast.Attribute(value=name_node(self.ad), attr="add",
                                                     ctx=gast.Load()),
                                 args=[expr, term], keywords=[])
            elif positive is not None:
                expr = gast.BinOp(left=expr, op=gast.Sub(), right=positive)
            else:
                expr = gast.BinOp(left=expr, op=gast.Add(), right=term)
        if rule.broadcasting and self.may_be_smaller(op, rule, tangents, operands):
            expr = gast.Call(func=self.fwd("broadcast"), args=[expr, name_node(ANS)],
                             keywords=[])
        return expr

    def square_tangent(self, op: Op, operands: list, tangents: list) -> Optional[gast.expr]:
        """``2.0 * y * dy`` for ``y * y``, and ``2.0 * p * dy`` for ``p * y`` where the op
        just before made ``p = c * y`` (``0.25 * y * y``), as one writes them by hand
        (not ``dy * y + y * dy``: one product and one sum more)."""
        if op.rule.primitive not in (np.multiply, operator.mul) or len(operands) != 2 or \
                any(t is None for t in tangents) or \
                not all(isinstance(o, gast.Name) for o in operands):
            return None
        a, b = (o.id for o in operands)
        two = gast.Constant(value=2.0, kind=None)
        if a == b:
            return gast.BinOp(left=gast.BinOp(left=two, op=gast.Mult(), right=name_node(a)),
                              op=gast.Mult(), right=clone(tangents[1]))
        previous = getattr(self, "previous_op", None)
        if previous is None or previous.rule is None or \
                previous.rule.primitive not in (np.multiply, operator.mul) or \
                previous.target not in (a, b) or previous.target in self.parsed.locals or \
                previous.target in self.parsed.params:
            return None
        scaled, other = (a, b) if previous.target == a else (b, a)
        factors = [previous.bound.get(p) for p in previous.rule.params[:2]]
        if len(factors) != 2 or scaled == other:
            return None
        numbers = [f for f in factors if isinstance(f, gast.Constant) and
                   type(f.value) in (int, float)]
        names = [f for f in factors if isinstance(f, gast.Name)]
        if len(numbers) != 1 or len(names) != 1 or names[0].id != other:
            return None
        return gast.BinOp(left=gast.BinOp(left=two, op=gast.Mult(), right=name_node(scaled)),
                          op=gast.Mult(), right=clone(tangents[1 if scaled == a else 0]))

    def may_be_smaller(self, op: Op, rule: JVPRule, tangents: list, operands: list) -> bool:
        """Whether the summed tangent may have fewer elements than the result: an
        operand without a tangent may widen the result (``x + c`` with ``x`` a scalar
        and ``c`` an array), and no operand with one surely has the result's shape.

        A tangent always has its value's shape, so where every operand that could
        widen the result carries a tangent, their sum broadcasts to the result's
        shape as the operands did.
        """
        # An elementwise term that reads an operand broadcasts with it (x * g).
        read = {n.id for index, t in enumerate(tangents)
                if t is not None and rule.exprs is not None and index < len(rule.exprs)
                and rule.exprs[index] is not None
                for n in walk(rule.exprs[index]) if isinstance(n, gast.Name)}
        if not any(t is None and not is_scalar_operand(v, op.scalars)
                   and rule.params[index] not in read
                   for index, (t, v) in enumerate(zip(tangents, operands))):
            return False
        for index, t in enumerate(tangents):
            entry = op.inputs[index]
            if t is None or not isinstance(entry, str):
                continue
            others = [v for i, v in enumerate(operands) if i != index]
            if same_shape(entry, others, op):
                return False
        return True

    def call_rule(self, rule: JVPRule, values: dict, g: gast.expr,
                  index: Optional[int] = None) -> gast.expr:
        """A call to a rule that cannot be inlined, indexed when it has several inputs."""
        fn = name_node(self.namer.reference(rule.jvp, rule.jvp.__name__))
        args = [g, values["ans"]]
        keywords = []
        for param in rule.params:
            kind = rule.signature.parameters[param].kind
            value = as_expr(values[param])
            if kind is kind.VAR_POSITIONAL:
                args += list(value.elts) if isinstance(value, gast.Tuple) \
                    else [gast.Starred(value=value, ctx=gast.Load())]
            elif kind is kind.KEYWORD_ONLY:
                keywords.append(gast.keyword(arg=param, value=value))
            else:
                args.append(value)
        call = gast.Call(func=fn, args=args, keywords=keywords)
        if index is None or getattr(rule, "n_inputs", len(rule.params)) == 1:
            return call
        return gast.Subscript(value=call, slice=gast.Constant(value=index, kind=None),
                              ctx=gast.Load())

    def helper_call(self, op: Op) -> gast.stmt:
        """``h, dh = jvp_cell(W, h, x, dh=dh)``: a helper run through its forward derivative."""
        rule = op.rule
        derivative = rule.vjp
        local = getattr(rule, "local_name", None)  # defined beside a nested def
        if local:  # its tangent parameters, kept where a reverse derivative keeps its seed
            fn = name_node(local)
            tangent_params = derivative.__autograd_src_seed__
        else:
            fn = name_node(self.namer.reference(derivative, derivative.__name__))
            tangent_params = derivative.__autograd_src_tangents__
        keywords = [gast.keyword(arg=k, value=clone(v)) for k, v in rule.helper_keywords.items()]
        active = [i for i, entry in enumerate(op.inputs) if entry]
        layout = getattr(rule, "helper_layout", [(k, None) for k in range(len(active))])
        varargs: dict = {}  # the tangent of *args: a tuple, zeros where no tangent flows
        for position, (index, k) in zip(active, layout):
            if k is None:
                keywords.append(gast.keyword(arg=tangent_params[index], value=name_node(
                    self.tangent(op.inputs[position]))))
            else:
                varargs[index] = position - k  # where *args starts
        for index, start in varargs.items():
            items = []
            for i, p in enumerate(rule.params[start:], start):
                bound = op.bound[p]
                if isinstance(bound, gast.Starred):  # total(a, *rest): a tangent each
                    tangent = self.input_tangent(op.inputs[i], bound.value) or \
                        self.zero(bound.value)
                    items.append(gast.Starred(value=tangent, ctx=gast.Load()))
                else:
                    items.append(self.input_tangent(op.inputs[i], bound) or self.zero(bound))
            keywords.append(gast.keyword(arg=tangent_params[index],
                                         value=gast.Tuple(elts=items, ctx=gast.Load())))
        call = gast.Call(func=fn, args=[clone(op.bound[p]) for p in rule.params],
                         keywords=keywords)
        targets = gast.Tuple(elts=[name_node(op.target, gast.Store()),
                                   name_node(self.tangent(op.target), gast.Store())],
                             ctx=gast.Store())
        return gast.copy_location(gast.Assign(targets=[targets], value=call,
                                              type_comment=None), op.origin)


def tangents(parsed: ParsedFunction, norm: Normalized, wrt: list[str],
             namer: Namer, sequences: frozenset = frozenset()) -> ForwardDerivative:
    """The forward-mode derivative of ``norm`` along the tangents of ``wrt``;
    ``sequences`` name the parameters holding lists of numbers (or 1-D arrays) in the
    calls it is made for."""
    made = Tangents(parsed, norm, wrt, namer)
    made.sequences = sequences
    return made.build()


def _popped_stack(op: Op) -> Optional[str]:
    """The stack of ``y_stack = y_stack[:-1]``, where `stacks.stacks_as_values` read grad's
    own ``y = y_stack.pop()`` (its ``pops_stack`` statement), else None."""
    import operator
    x = op.bound.get("x") if op.rule is not None else None
    if getattr(op.origin, "pops_stack", False) and op.rule.primitive is operator.getitem \
            and isinstance(x, gast.Name) and x.id == op.target:
        return x.id
    return None


def _fresh_zeros(expr: Any) -> bool:
    """Whether ``expr`` makes an array of zeros of its own (``_ad.zeros_like(y)``)."""
    return isinstance(expr, gast.Call) and isinstance(expr.func, gast.Attribute) and \
        expr.func.attr in ("zeros_like", "zeros") and not expr.keywords


def _appended_to(stmt: Any) -> Optional[tuple[str, gast.expr]]:
    """``(list, value)`` for a statement ``list.append(value)``, else None."""
    if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call):
        call = stmt.value
        if isinstance(call.func, gast.Attribute) and call.func.attr == "append" and \
                isinstance(call.func.value, gast.Name) and len(call.args) == 1 and \
                not call.keywords and not isinstance(call.args[0], gast.Starred):
            return call.func.value.id, call.args[0]
    return None


def _as_append(stmt: gast.Assign) -> gast.stmt:
    """``xs.append(v)`` for ``xs = _ad.pushed(xs, v)``, as one writes it; else ``stmt``."""
    call = stmt.value
    target = stmt.targets[0]
    if isinstance(call, gast.Call) and isinstance(call.func, gast.Attribute) and \
            call.func.attr == "pushed" and len(call.args) == 2 and \
            isinstance(call.args[0], gast.Name) and isinstance(target, gast.Name) and \
            call.args[0].id == target.id:
        append = gast.Call(func=gast.Attribute(value=name_node(target.id), attr="append",
                                               ctx=gast.Load()),
                           args=[call.args[1]], keywords=[])
        return gast.copy_location(gast.Expr(value=append), stmt)
    return stmt


def _in_place_append(expr: Any) -> Any:
    """``expr`` with its calls of ``_ad.appended`` made calls of ``_ad.pushed``."""
    expr = clone(expr)
    for node in walk(expr):
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and \
                node.func.attr == "appended" and isinstance(node.func.value, gast.Name):
            node.func.attr = "pushed"
    return expr


def _with_zeros_where_assigned(stmt: Any, zeros: list) -> Any:
    """``stmt`` (an if or a loop) with each ``(name, zero tangent)`` placed right after
    each statement of its blocks, at any depth, that assigns the name: a zero put at a
    block's end would be skipped by a ``break`` before it (an early return in a loop)."""
    for field in ("body", "orelse"):
        block = getattr(stmt, field, None)
        if not block:
            continue
        placed: list = []
        for inner in block:
            if isinstance(inner, (gast.If, gast.For, gast.While)):
                placed.append(_with_zeros_where_assigned(inner, zeros))
                continue
            placed.append(inner)
            stored = {n.id for n in walk(inner)
                      if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}
            for name, zero in zeros:
                if name in stored:
                    zero = copy.deepcopy(zero)
                    if isinstance(inner, gast.Assign) and is_number(inner.value):
                        zero.value = gast.Constant(value=0.0, kind=None)
                    placed.append(zero)
        setattr(stmt, field, placed)
    return stmt


def _makes_a_view(op: Op) -> bool:
    """Whether ``op``'s value may be a view of an operand's array (``a[1:]``,
    ``np.reshape(a, s)``, ``max(a, b)``): its tangent then shares the operand's too."""
    from .. import mutation
    primitive = op.rule.primitive if op.rule is not None else None
    try:
        return primitive is operator.getitem or primitive in mutation.VIEW_FUNCTIONS or \
            primitive in mutation.RETURNS_AN_ARGUMENT or \
            isinstance(op.value, gast.Call) and isinstance(op.value.func, gast.Attribute) and \
            op.value.func.attr in mutation.VIEW_METHODS
    except TypeError:  # (unhashable)
        return True


def _written_in_place(op: Op) -> bool:
    """Whether forward mode writes ``op``'s update in place: an array's. A list's or
    dict's (``zeroes_item``, which reverse mode writes in place) is a new value here:
    tangents of items aliasing one another (dhs[1] = dhs[0]) and second order over
    this code are then as they were."""
    return getattr(op, "in_place", False) and not getattr(op, "zeroes_item", False)
