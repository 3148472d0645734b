"""Build the adjoint sweep of a normalized function by inlining the rule table.

The primal sweep is the normalized body, plus a copy (``z0 = z``) before any
statement that overwrites a value some adjoint still needs. The adjoint sweep
walks the body backwards; where a value was overwritten it is restored
(``z = z0``), so every inlined rule reads its operands under their own names.
"""

from __future__ import annotations

import builtins
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Optional

import gast

from . import optimize, runtime
from .naming import Namer, clone, describe
from .normalize import Normalized, Op, Primal, _assign, _name, is_scalar_operand
from .registry import Rule
from .source import ParsedFunction

__all__ = ["Comment", "Derivative", "reverse"]


@dataclass
class Comment:
    """A ``# ...`` line in the generated code."""

    text: str


@dataclass
class Derivative:
    """The pieces of a generated derivative, ready for code generation."""

    primal: list[Any]
    adjoint: list[Any]
    results: list[gast.expr]
    value: Optional[gast.expr]
    seed_param: str


def _load_names(expr: Any) -> set[str]:
    if not isinstance(expr, gast.AST):
        return set()
    return {n.id for n in gast.walk(expr) if isinstance(n, gast.Name)}


def _as_expr(value: Any) -> gast.expr:
    """A gast expression for a Python default value (None, 0, 'C', a tuple of those)."""
    if isinstance(value, gast.AST):
        return clone(value)
    if isinstance(value, tuple):
        return gast.Tuple(elts=[_as_expr(v) for v in value], ctx=gast.Load())
    return gast.Constant(value=value, kind=None)


class _Substitution(gast.NodeTransformer):
    """Replace a rule's parameters by the operands of one call site."""

    def __init__(self, rule: Rule, values: dict[str, gast.expr], namer: Namer) -> None:
        self.rule = rule
        self.values = values
        self.namer = namer

    def visit_Name(self, node: gast.Name) -> gast.expr:
        if node.id in self.values:
            return _as_expr(self.values[node.id])
        scope = self.rule.vjp.__globals__
        obj = scope[node.id] if node.id in scope else getattr(builtins, node.id)
        return _name(self.namer.reference(obj, node.id))


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

    # ----- analysis -----

    def useful_ops(self) -> set[int]:
        """Indices of active ops whose value reaches the output."""
        needed = {self.norm.output} if self.norm.output_active else set()
        useful: set[int] = set()
        for index in range(len(self.norm.body) - 1, -1, -1):
            item = self.norm.body[index]
            if isinstance(item, Op):
                if item.target in needed:
                    useful.add(index)
                    needed.discard(item.target)
                    needed |= set(self.differentiable_inputs(item))
            else:
                needed -= item.assigned
        return useful

    @staticmethod
    def differentiable_inputs(op: Op) -> list[str]:
        if op.rule is None:
            return op.input_names()
        names: list[str] = []
        for index, entry in enumerate(op.inputs):
            if op.rule.exprs is not None and op.rule.exprs[index] is None:
                continue
            if isinstance(entry, list):
                names += [n for n in entry if n is not None]
            elif entry is not None:
                names.append(entry)
        return names

    def read_by_adjoint(self, op: Op) -> tuple[set[str], bool]:
        """Primal names the adjoint of ``op`` reads, and whether it reads ``ans``."""
        if op.rule is None:
            return set(), False
        used: set[str] = set()
        for index, entry in enumerate(op.inputs):
            if entry is None or entry == [None] * len(entry or []):
                continue
            used |= op.rule.uses(index)
        names: set[str] = set()
        for param in used - {"g", "ans"}:
            names |= _load_names(op.bound.get(param))
        return names, "ans" in used

    def plan_saves(self, useful: set[int]) -> dict[int, dict[str, str]]:
        """For each statement index, the names to copy before it overwrites them."""
        version: dict[str, int] = defaultdict(int)
        needed: set[tuple[str, int]] = set()
        overwrites: list[tuple[int, str, int]] = []
        for index, item in enumerate(self.norm.body):
            if isinstance(item, Op):
                before = version[item.target]
                if index in useful:
                    names, reads_ans = self.read_by_adjoint(item)
                    needed |= {(n, version[n]) for n in names}
                    if reads_ans:
                        needed.add((item.target, before + 1))
                overwrites.append((index, item.target, before))
                version[item.target] += 1
            else:
                for name in item.assigned:
                    overwrites.append((index, name, version[name]))
                    version[name] += 1
        saves: dict[int, dict[str, str]] = defaultdict(dict)
        counts: dict[str, int] = defaultdict(int)
        for index, name, old in overwrites:
            if (name, old) in needed:
                saves[index][name] = self.namer.fresh(f"{name}{counts[name]}")
                counts[name] += 1
        return saves

    # ----- adjoint code -----

    def contributions(self, op: Op) -> list[tuple[str, gast.expr]]:
        """``(input name, adjoint expression)`` for every active input of ``op``."""
        g = _name(self.namer.adjoint(op.target))
        if op.rule is None:
            return [(op.inputs[0], g)]
        rule = op.rule
        values: dict[str, Any] = dict(op.bound)
        values["g"] = g
        values["ans"] = _name(self.ans_name)
        result: list[tuple[str, gast.expr]] = []
        inputs = [op.bound.get(p) for p in rule.params[: rule.n_inputs]]
        for index, entry in enumerate(op.inputs):
            if entry is None or (isinstance(entry, list) and not any(entry)):
                continue
            if rule.exprs is None:
                expr = self.call_rule(op, values, index)
            elif rule.exprs[index] is None:
                continue
            else:
                expr = _Substitution(rule, values, self.namer).visit(
                    clone(rule.exprs[index]))
            expr = optimize.simplify(expr, self.namer)
            expr = optimize.reuse_primal_values(expr, self.values_at(self.position))
            if isinstance(entry, list):
                parts = self.namer.fresh(f"d{op.target}_parts")
                self.pending.append(_assign(parts, expr, op.origin))
                for k, name in enumerate(entry):
                    if name is not None:
                        piece = gast.Subscript(value=_name(parts),
                                               slice=gast.Constant(value=k, kind=None),
                                               ctx=gast.Load())
                        result.append((name, piece))
                continue
            others = [x for i, x in enumerate(inputs) if i != index]
            if rule.broadcasting and not self.same_shape(entry, others, op):
                expr = self.call(f"{self.ad}.unbroadcast", expr, _name(entry))
            result.append((entry, expr))
        return result

    @staticmethod
    def same_shape(name: str, others: list, op: Op) -> bool:
        """Whether the adjoint flowing to ``name`` already has its shape (no unbroadcast).

        True when every other operand is a scalar (it cannot widen the result)
        or is ``name`` itself.
        """
        return bool(others) and all(
            is_scalar_operand(x, op.scalars) or (isinstance(x, gast.Name) and x.id == name)
            for x in others)

    def index_primal_values(self) -> None:
        """Where each primal op's value could be reused by adjoint expressions."""
        self.assignments: dict[str, list[int]] = defaultdict(list)
        for index, item in enumerate(self.norm.body):
            names = {item.target} if isinstance(item, Op) else item.assigned
            for name in names:
                self.assignments[name].append(index)
        # (text, name, first and last body positions where the value is unchanged)
        self.primal_values: list[tuple[str, str, int, int]] = []
        self._values_cache: dict[int, dict[str, str]] = {}
        end = len(self.norm.body)
        for index, item in enumerate(self.norm.body):
            if isinstance(item, Op) and item.rule is not None and \
                    len(self.assignments[item.target]) == 1 and item.target not in self.wrt:
                writes = [i for n in _load_names(item.value) for i in self.assignments.get(n, ())]
                first = max([i for i in writes if i < index], default=-1)
                last = min([i - 1 for i in writes if i > index], default=end)
                self.primal_values.append((gast.unparse(item.value), item.target, first, last))

    def values_at(self, position: int) -> dict[str, str]:
        """Primal values whose operands are unchanged between their definition and here."""
        if position not in self._values_cache:
            self._values_cache[position] = {
                text: target for text, target, first, last in reversed(self.primal_values)
                if first < position <= last}
        return self._values_cache[position]

    def call_rule(self, op: Op, values: dict[str, gast.expr], index: int) -> gast.expr:
        """A call to a rule that cannot be inlined, indexed when it has several inputs."""
        rule = op.rule
        fn = _name(self.namer.reference(rule.vjp, rule.vjp.__name__))
        args = [values["g"], values["ans"]]
        keywords = []
        for param in rule.params:
            kind = rule.signature.parameters[param].kind
            value = _as_expr(values[param])
            if kind is kind.VAR_POSITIONAL:
                args += list(value.elts) if isinstance(value, gast.Tuple) \
                    else [gast.Starred(value=value, ctx=gast.Load())]
            elif kind is kind.KEYWORD_ONLY:
                keywords.append(gast.keyword(arg=param, value=value))
            else:
                args.append(value)
        call = gast.Call(func=fn, args=args, keywords=keywords)
        if rule.n_inputs == 1:
            return call
        return gast.Subscript(value=call, slice=gast.Constant(value=index, kind=None),
                              ctx=gast.Load())

    def call(self, dotted: str, *args: gast.expr) -> gast.Call:
        func: gast.expr = _name(dotted.split(".")[0])
        for attr in dotted.split(".")[1:]:
            func = gast.Attribute(value=func, attr=attr, ctx=gast.Load())
        return gast.Call(func=func, args=list(args), keywords=[])

    def accumulate(self, name: str, expr: gast.expr, sweep: _Sweep, origin: Any) -> None:
        adjoint = self.namer.adjoint(name)
        if name in sweep.defined:
            expr = gast.BinOp(left=_name(adjoint), op=gast.Add(), right=expr)
        sweep.defined.add(name)
        self.pending.append(_assign(adjoint, expr, origin))

    def comment(self, origin: Any, sweep: _Sweep, prefix: str = "Grad of") -> None:
        if origin is sweep.origin:
            return
        sweep.origin = origin
        text = gast.unparse(origin).strip().splitlines()[0]
        if len(text) > 60:
            text = text[:57] + "..."
        self.adjoint.append(Comment(f"{prefix}: {text}  ({self.parsed.where(origin)})"))

    def op_adjoint(self, op: Op, saved: dict[str, str], sweep: _Sweep) -> None:
        self.pending: list[Any] = []
        self.position = self.norm.body.index(op)
        self.ans_name = op.target
        inputs = self.differentiable_inputs(op)
        self_reference = op.target in inputs
        restore = saved.get(op.target)
        if self_reference:
            _, reads_ans = self.read_by_adjoint(op)
            if reads_ans:
                self.ans_name = self.namer.fresh(describe(op.value))
                self.pending.append(_assign(self.ans_name, _name(op.target), op.origin))
            if restore:
                self.pending.append(_assign(op.target, _name(restore), op.origin))
        contributions = self.contributions(op)
        sweep.defined.discard(op.target)
        own = [expr for name, expr in contributions if name == op.target]
        for name, expr in contributions:
            if name != op.target:
                self.accumulate(name, expr, sweep, op.origin)
        if own:
            total = own[0]
            for expr in own[1:]:
                total = gast.BinOp(left=total, op=gast.Add(), right=expr)
            self.accumulate(op.target, total, sweep, op.origin)
        if restore and not self_reference:
            self.pending.append(_assign(op.target, _name(restore), op.origin))
        self.adjoint += self.pending

    def build(self, value_wanted: bool) -> Derivative:
        body = self.norm.body
        self.index_primal_values()
        useful = self.useful_ops()
        saves = self.plan_saves(useful)
        assigned_wrt = {w for item in body for w in self.wrt
                        if (isinstance(item, Op) and item.target == w)
                        or (isinstance(item, Primal) and w in item.assigned)}
        originals = {w: self.namer.fresh(f"{w}_in") for w in assigned_wrt}
        output = self.norm.output
        # The seed parameter is the adjoint of a generated output temporary
        # (dout = _ad.seed(dout, out)); a user-named output gets its own.
        generated = output not in self.parsed.locals
        seed_param = self.namer.adjoint(output) if generated else self.namer.fresh("dout")
        value: Optional[gast.expr] = _name(output) if value_wanted else None
        value_copy: Optional[str] = None
        if value_wanted and any(output in s for s in saves.values()):
            value_copy = self.namer.fresh("value")
            value = _name(value_copy)

        self.adjoint: list[Any] = []
        sweep = _Sweep()
        if self.norm.output_active:
            self.comment(self.norm.return_stmt, sweep)
            # A scalar output needs no value to shape its seed, so a gradient that
            # never reads the output need not compute it.
            shape_from = [] if self.norm.output_scalar and not value_wanted else [_name(output)]
            seed = self.call(f"{self.ad}.seed", _name(seed_param), *shape_from)
            self.adjoint.append(_assign(self.namer.adjoint(output), seed,
                                        self.norm.return_stmt))
            sweep.defined.add(output)
        for index in range(len(body) - 1, -1, -1):
            item = body[index]
            saved = saves.get(index, {})
            if isinstance(item, Op) and index in useful:
                self.comment(item.origin, sweep)
                self.op_adjoint(item, saved, sweep)
            elif saved:
                self.comment(item.origin, sweep, prefix="Undo")
                for name, kept in saved.items():
                    self.adjoint.append(_assign(name, _name(kept), item.origin))
        adjoint_names = set(self.namer.adjoints())
        kept = {self.namer.adjoint(w) for w in self.wrt}
        self.adjoint = optimize.propagate_copies(self.adjoint, adjoint_names, kept)
        self.adjoint = optimize.accumulate_in_place(self.adjoint, adjoint_names, self.ad)
        self.adjoint = _drop_empty_comments(self.adjoint)
        results = []
        for w in self.wrt:
            if w in sweep.defined:
                results.append(_name(self.namer.adjoint(w)))
            else:
                results.append(self.call(f"{self.ad}.zeros_like", _name(originals.get(w, w))))
        primal = self.primal_sweep(saves, originals, value_copy, results, value)
        return Derivative(primal, self.adjoint, results, value, seed_param)

    def primal_sweep(self, saves: dict[int, dict[str, str]], originals: dict[str, str],
                     value_copy: Optional[str], results: list[gast.expr],
                     value: Optional[gast.expr]) -> list[Any]:
        """The primal statements, less pure operations whose values nothing reads."""
        live = set().union(*(_load_names(s) for s in self.adjoint if isinstance(s, gast.AST)),
                           *(_load_names(r) for r in results))
        if value is not None:
            live |= _load_names(value)
        if value_copy is not None:
            live.add(self.norm.output)
        kept: list[Any] = []
        if value_copy is not None:
            kept.append(_assign(value_copy, _name(self.norm.output), self.norm.return_stmt))
        for index in range(len(self.norm.body) - 1, -1, -1):
            item = self.norm.body[index]
            if isinstance(item, Op):
                if item.target not in live and _is_pure(item):
                    continue
                stmt = _assign(item.target, item.value, item.origin)
                live.discard(item.target)
            else:
                stmt = item.stmt
                live -= item.assigned
            live |= _load_names(stmt)
            block = [_assign(k, _name(n), item.origin) for n, k in saves.get(index, {}).items()]
            live |= set(saves.get(index, {}))
            kept[:0] = block + [stmt]
        return [_assign(k, _name(w), self.parsed.node) for w, k in originals.items()] + kept


def reverse(parsed: ParsedFunction, norm: Normalized, wrt: list[str], namer: Namer,
            value_wanted: bool = False) -> Derivative:
    """The primal and adjoint sweeps of ``norm``, differentiated with respect to ``wrt``."""
    return _Reverser(parsed, norm, wrt, namer).build(value_wanted)


_PURE_MODULES = ("numpy", "math", "builtins", "operator", "_operator", "autograd_src")


def _is_pure(op: Op) -> bool:
    """Whether dropping ``op`` cannot change behaviour (NumPy, math and operators)."""
    if op.rule is None:
        return True
    primitive = op.rule.primitive
    module = getattr(primitive, "__module__", None) or ""
    return type(primitive).__name__ == "ufunc" or module.split(".")[0] in _PURE_MODULES


def _drop_empty_comments(items: list[Any]) -> list[Any]:
    """Comments whose statements were all optimized away."""
    kept: list[Any] = []
    for index, item in enumerate(items):
        following = items[index + 1] if index + 1 < len(items) else None
        if isinstance(item, Comment) and (following is None or isinstance(following, Comment)):
            continue
        kept.append(item)
    return kept
