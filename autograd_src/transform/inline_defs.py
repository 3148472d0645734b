"""Write small nested functions inline where they are called, for second order.

The first-order derivative of a function calling a def of its own (``def sq(v):
return v * v``, or ``sq = lambda v: v * v``) defines the def's derivative beside it,
returning its backward pass as a closure, which forward mode (``hessian``, ``hvp``,
``jacfwd(grad(f))``) does not differentiate. Where that refuses, the first-order
derivative is made again from the function with such defs written inline: each call
``y = sq(a)`` becomes ``v = a`` and the def's statements under fresh names, its
returned value in the call's place. Python reads a closure's free names when it is
called, which is where the inline code reads them too.

Only defs that are surely the same inline are written so: made once, at the top of
the function, before their calls; plain parameters (constant defaults); a body of
assignments ending in its one ``return``; no name of the def reached otherwise than
by calling it; calls where code placed before their statement runs once, just before
them (not in a loop's test, a conditional expression, ``and``/``or``, a
comprehension or a lambda). Others are left as they are (and refused as before).
"""

from __future__ import annotations

import contextvars
import copy
from typing import Any, Optional

import gast

from .ir import assign_node, walk
from .naming import Namer
from .source import ParsedFunction

__all__ = ["ENABLED", "inline_nested_defs"]

#: Whether `desugar` writes a function's small nested defs inline (second order only).
ENABLED: contextvars.ContextVar[bool] = contextvars.ContextVar("inline_defs", default=False)

# Expressions whose parts run conditionally or repeatedly: a call there cannot be
# computed once before its statement.
_NOT_ONCE = (gast.IfExp, gast.BoolOp, gast.Lambda, gast.ListComp, gast.SetComp,
             gast.DictComp, gast.GeneratorExp)


def inline_nested_defs(parsed: ParsedFunction, namer: Namer) -> None:
    """Write inline, in ``parsed.node``'s body, each nested def that can be (see the
    module docstring); the def's statement goes."""
    # (the last first: a def calling an earlier one puts those calls in the body)
    for stmt in [s for s in parsed.node.body if isinstance(s, gast.FunctionDef)][::-1]:
        if not _plain_def(stmt):
            continue
        body = parsed.node.body
        sites = _call_sites(parsed.node, stmt, body[body.index(stmt) + 1:])
        if sites is None:
            continue
        holders: dict = {}
        for stmt_holding, call in sites:
            holder = holders.setdefault(id(stmt_holding), _Holder(stmt_holding))
            holder.before += _inline_call(stmt, call, namer, stmt_holding)
        for holder in holders.values():
            holder.stmt.holder = holder
        parsed.node.body = [s for s in parsed.node.body if s is not stmt]
        _place_before(parsed.node)


def _plain_def(node: gast.FunctionDef) -> bool:
    args = node.args
    if node.decorator_list or args.vararg or args.kwarg or args.kwonlyargs or \
            args.posonlyargs or not all(isinstance(d, gast.Constant) for d in args.defaults):
        return False
    statements = node.body[1:] if node.body and isinstance(node.body[0], gast.Expr) and \
        isinstance(node.body[0].value, gast.Constant) else node.body  # (a docstring)
    if not statements or not isinstance(statements[-1], gast.Return) or \
            statements[-1].value is None:
        return False
    if not all(isinstance(s, (gast.Assign, gast.AugAssign)) for s in statements[:-1]):
        return False
    forbidden = (gast.Yield, gast.YieldFrom, gast.Await, gast.NamedExpr, gast.Lambda,
                 gast.FunctionDef, gast.Global, gast.Nonlocal)
    if any(isinstance(n, forbidden) for s in statements for n in walk(s)):
        return False
    # (not recursive: its own name is not read in its body)
    return not any(isinstance(n, gast.Name) and n.id == node.name
                   for s in statements for n in walk(s))


class _Holder:
    """A statement and what goes before it."""

    def __init__(self, stmt: Any) -> None:
        self.stmt = stmt
        self.before: list = []


def _call_sites(function: gast.FunctionDef, node: gast.FunctionDef,
                after: list) -> Optional[list]:
    """``(statement, call)`` for each call of the def ``node`` in the statements
    ``after`` it, in the order they run (inner calls first); None where the def's name
    is read otherwise, bound again, or called where its call cannot be placed before
    its statement, or without an argument for a parameter without default."""
    name = node.name
    every = [n for s in function.body for n in walk(s)
             if isinstance(n, gast.Name) and n.id == name]
    stores = [n for n in every if not isinstance(n.ctx, gast.Load)]
    if stores:
        return None
    params = [a.id for a in node.args.args]
    required = set(params[:len(params) - len(node.args.defaults)])
    sites: list = []
    found: set = set()
    for stmt in _statements(after):
        for expr in _own_expressions(stmt):
            for call, hoistable in _calls_in_order(expr, name):
                given = set(params[:len(call.args)]) | {k.arg for k in call.keywords}
                if not hoistable or len(call.args) > len(params) or \
                        not required <= given or not given <= set(params):
                    return None
                sites.append((stmt, call))
                found.add(id(call.func))
    loads = [n for n in every if isinstance(n.ctx, gast.Load)]
    if not sites or any(id(n) not in found for n in loads):
        return None  # (passed as a value, read in a loop's test or a nested def)
    return sites


def _statements(block: list) -> list:
    """Every statement of ``block`` and of the blocks in it (not nested defs)."""
    out = []
    for stmt in block:
        out.append(stmt)
        if isinstance(stmt, (gast.FunctionDef, gast.ClassDef)):
            continue
        for part in ("body", "orelse", "finalbody"):
            out += _statements(getattr(stmt, part, []) or [])
        for handler in getattr(stmt, "handlers", []) or []:
            out += _statements(handler.body)
    return out


def _own_expressions(stmt: Any) -> list:
    """The expressions ``stmt`` evaluates once, before its blocks run; a ``while``'s
    test (run at each step) and a nested def's parts are given as not placeable."""
    if isinstance(stmt, (gast.Assign, gast.AugAssign, gast.AnnAssign, gast.Expr,
                         gast.Return)):
        return [stmt]
    if isinstance(stmt, gast.If):
        return [stmt.test]
    if isinstance(stmt, gast.For):
        return [stmt.iter]
    if isinstance(stmt, gast.While):
        return [gast.Lambda(args=None, body=stmt.test)]  # (run again at each step)
    # (a def, a with, a try: any call of the def in it, read as under a lambda, stops
    # the inlining)
    return [gast.Lambda(args=None, body=stmt)]


def _calls_in_order(expr: Any, name: str) -> list:
    """``(call, placeable)`` for the calls of ``name`` in ``expr``, inner ones first."""
    out: list = []

    def visit(node: Any, once: bool) -> None:
        if isinstance(node, (gast.FunctionDef, gast.ClassDef)):
            once = False
        here = once and not isinstance(node, _NOT_ONCE)
        for child in gast.iter_child_nodes(node):
            visit(child, here)
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
                node.func.id == name:
            out.append((node, once and not any(isinstance(a, gast.Starred) for a in node.args)
                        and all(k.arg is not None for k in node.keywords)))

    visit(expr, True)
    return out


def _inline_call(node: gast.FunctionDef, call: gast.Call, namer: Namer,
                 holding: Any) -> list:
    """The statements computing ``call`` of the def ``node`` inline; ``call`` becomes
    the name of its value (in place: the expression holding it reads that name)."""
    params = [a.id for a in node.args.args]
    given = dict(zip(params, call.args))
    given.update({k.arg: k.value for k in call.keywords})
    defaults = dict(zip(params[len(params) - len(node.args.defaults):], node.args.defaults))
    statements = node.body[1:] if isinstance(node.body[0], gast.Expr) else node.body
    local = set(params) | {n.id for s in statements for n in walk(s)
                           if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}
    renamed = {v: namer.fresh(f"{v}_{node.name}") for v in sorted(local)}
    out = []
    # (where the call is, kept apart: the call itself becomes a name below)
    origin = gast.copy_location(gast.Pass(), call if getattr(call, "lineno", None)
                                is not None else holding)
    for param in params:
        value = given[param] if param in given else copy.deepcopy(defaults[param])
        out.append(assign_node(renamed[param], value, origin))
    for stmt in statements:
        stmt = copy.deepcopy(stmt)
        for n in walk(stmt):
            if isinstance(n, gast.Name) and n.id in renamed:
                n.id = renamed[n.id]
        out.append(stmt)
    result = namer.fresh(f"{node.name}_value")
    out[-1] = assign_node(result, out[-1].value, out[-1])
    # the call, in place, becomes the name of its value
    call.__class__ = gast.Name
    call.__dict__.clear()
    call.id, call.ctx, call.annotation, call.type_comment = result, gast.Load(), None, None
    gast.copy_location(call, out[-1])
    for stmt in out:  # (statements a copy made without a place: the call's)
        if getattr(stmt, "lineno", None) is None:
            gast.copy_location(stmt, origin)
    return out


def _place_before(function: gast.FunctionDef) -> None:
    """Put each statement's ``before`` statements before it, in every block."""
    def block(stmts: list) -> list:
        out = []
        for stmt in stmts:
            holder = getattr(stmt, "holder", None)
            if holder is not None:
                out += holder.before
                del stmt.holder
            if not isinstance(stmt, (gast.FunctionDef, gast.ClassDef)):
                for part in ("body", "orelse", "finalbody"):
                    if getattr(stmt, part, None):
                        setattr(stmt, part, block(getattr(stmt, part)))
            out.append(stmt)
        return out

    function.body = block(function.body)
