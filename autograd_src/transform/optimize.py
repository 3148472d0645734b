"""Simplify generated code without changing the values it computes.

On inlined rule expressions: fold constants, drop ones, omit default arguments
(``g * y * x ** (y - 1)`` with ``y = 2`` becomes ``g * 2 * x``;
``_ad.unreduce(g, x, None, False)`` becomes ``_ad.unreduce(g, x)``). On the
sweeps: propagate copies, accumulate in place, read shapes from earlier values,
fold temporaries read once into their reader (primal and adjoint), compute a
primal value the adjoint reads once at that use, and exact folds such as
``g * 100.0 * 2`` to ``g * 200.0``.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import inspect
import math
import operator
from collections import Counter
from typing import Any, Optional

import gast
import numpy as np

from ..rules import runtime
from .ir import name_node
from .naming import Namer

__all__ = ["simplify", "propagate_copies", "reuse_primal_values", "accumulate_in_place"]

#: Whether the rewriting passes run; ``grad(f, optimize=False)`` turns them off for
#: one transformation (helpers it differentiates included). The unrewritten
#: derivative computes the same values by the rules alone: a test runs every
#: corpus function both ways, and users who suspect the optimiser can do the same.
ENABLED: contextvars.ContextVar[bool] = contextvars.ContextVar("optimize", default=True)


@contextlib.contextmanager
def enabled(on: bool) -> Any:
    """Run the rewriting passes (or not) for the transformations made inside."""
    token = ENABLED.set(on)
    try:
        yield
    finally:
        ENABLED.reset(token)


_FOLD = {gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul,
         gast.Div: operator.truediv, gast.Pow: operator.pow}


def _number(node: Any) -> Optional[float]:
    if isinstance(node, gast.Constant) and type(node.value) in (int, float):
        return node.value
    if (isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub)
            and _number(node.operand) is not None):
        return -_number(node.operand)
    return None


def _constant(value: Any) -> gast.expr:
    if isinstance(value, (int, float)) and value < 0:
        return gast.UnaryOp(op=gast.USub(), operand=gast.Constant(value=-value, kind=None))
    if isinstance(value, tuple):
        return gast.Tuple(elts=[_constant(v) for v in value], ctx=gast.Load())
    return gast.Constant(value=value, kind=None)


def _literal(node: Any) -> tuple[bool, Any]:
    """(True, value) if ``node`` is a literal constant or tuple of them."""
    if isinstance(node, gast.Constant):
        return True, node.value
    number = _number(node)
    if number is not None:
        return True, number
    if isinstance(node, gast.Tuple):
        items = [_literal(e) for e in node.elts]
        if all(ok for ok, _ in items):
            return True, tuple(v for _, v in items)
    return False, None


@functools.lru_cache(maxsize=None)
def _defaults(fn: Any) -> Optional[tuple[list[str], dict[str, Any]]]:
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    names = [p.name for p in signature.parameters.values()
             if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    defaults = {p.name: p.default for p in signature.parameters.values()
                if p.default is not p.empty}
    return names, defaults


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


class _Simplifier(gast.NodeTransformer):
    def __init__(self, namer: Namer, scalars: frozenset = frozenset()) -> None:
        self.objects = {name: obj for name, obj in namer.injected.items()}
        self.namer = namer
        self.scalars = scalars  # names known to hold numbers

    def resolve(self, node: Any) -> Any:
        if isinstance(node, gast.Name):
            if node.id in self.objects:
                return self.objects[node.id]
            return self.namer.user_globals.get(node.id)
        if isinstance(node, gast.Attribute):
            base = self.resolve(node.value)
            return getattr(base, node.attr, None) if base is not None else None
        return None

    def visit_BinOp(self, node: gast.BinOp) -> gast.expr:
        self.generic_visit(node)
        left, right = _number(node.left), _number(node.right)
        op = type(node.op)
        if left is not None and right is not None and op in _FOLD:
            try:
                value = _FOLD[op](left, right)
            except (ZeroDivisionError, OverflowError):
                return node
            if isinstance(value, float) and value.is_integer() and \
                    isinstance(left, int) and isinstance(right, int) and op is not gast.Div:
                value = int(value)
            return _constant(value)
        if op is gast.Pow and right == 1:
            return node.left
        if op in (gast.Mult, gast.Div) and right == 1:
            return node.left
        if op is gast.Mult and left == 1:
            return node.right
        return node

    def visit_Subscript(self, node: gast.Subscript) -> gast.expr:
        self.generic_visit(node)
        index = node.slice  # g[np.s_[1:-1]] reads better as g[1:-1]
        if isinstance(index, gast.Subscript) and isinstance(index.value, gast.Attribute) \
                and index.value.attr == "s_" and self.resolve(index.value.value) is np:
            node.slice = index.slice
        return node

    def visit_UnaryOp(self, node: gast.UnaryOp) -> gast.expr:
        self.generic_visit(node)
        if isinstance(node.op, gast.USub):
            inner = node.operand
            if isinstance(inner, gast.UnaryOp) and isinstance(inner.op, gast.USub):
                return inner.operand
        return node

    def visit_Call(self, node: gast.Call) -> gast.expr:
        self.generic_visit(node)
        fn = self.resolve(node.func)
        if fn is None:
            return node
        if fn is runtime.written and len(node.args) == 2 and not node.keywords:
            # An index of numbers and slices repeats no position: g[i] is all of it.
            index = node.args[1]
            basic = _static_basic_index(index)
            if basic is None and isinstance(index, gast.Name) and index.id in self.scalars:
                basic = index
            if basic is not None:
                return gast.Subscript(value=node.args[0], slice=basic, ctx=gast.Load())
        if getattr(fn, "__module__", None) == runtime.__name__ and \
                fn.__name__ in runtime.FOLDABLE and not node.keywords:
            literals = [_literal(a) for a in node.args]
            if all(ok for ok, _ in literals):
                return _constant(fn(*[v for _, v in literals]))
        signature = _defaults(fn)
        if signature is None:
            return node
        names, defaults = signature
        args = list(node.args)
        while args and len(args) <= len(names):
            ok, value = _literal(args[-1])
            name = names[len(args) - 1]
            if not ok or name not in defaults or not _same(value, defaults[name]):
                break
            args.pop()
        keywords = [k for k in node.keywords
                    if not (k.arg in defaults and _literal(k.value)[0]
                            and _same(_literal(k.value)[1], defaults[k.arg]))]
        node.args, node.keywords = args, keywords
        return node


def simplify(expr: gast.expr, namer: Namer, scalars: frozenset = frozenset()) -> gast.expr:
    """``expr`` with constants folded and default arguments left out; ``scalars``
    names operands known to hold numbers."""
    return _Simplifier(namer, scalars).visit(expr)


def assigned_name(stmt: Any) -> Optional[str]:
    """The name ``stmt`` assigns when it is ``name = value``."""
    if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
            isinstance(stmt.targets[0], gast.Name):
        return stmt.targets[0].id
    return None


class _RenameAll(gast.NodeTransformer):
    def __init__(self, renames: dict[str, str]) -> None:
        self.renames = renames

    def visit_Name(self, node: gast.Name) -> gast.Name:
        while node.id in self.renames:
            node.id = self.renames[node.id]
        return node


def _unchanged(source: str, target: str, rest: list[Any], info: list) -> bool:
    """Whether ``source`` keeps its value wherever ``rest`` reads ``target``.

    ``ds = dprod * 0.99`` may read ``dprod`` (a copy of ``ds``) as ``ds``: the
    value is computed before the name is rebound.
    """
    remaining = sum(loads[target] for _, loads in info)
    for stmt, (stores, loads) in zip(rest, info):
        if remaining == 0:
            return True
        if source in stores:
            simple = isinstance(stmt, (gast.Assign, gast.AugAssign))
            return simple and remaining == loads[target]
        remaining -= loads[target]
    return True


def propagate_copies(stmts: list[Any], adjoints: set[str], keep: set[str]) -> list[Any]:
    """Remove ``da = db`` between adjoints by reading ``db`` wherever ``da`` was read.

    Only when ``da`` is assigned nowhere else, every read of it follows the copy
    in the same block, and ``db`` keeps its value wherever ``da`` is read; names
    in ``keep`` (the returned gradients) are never renamed away.
    """
    assignments: Counter = Counter()
    loads: Counter = Counter()
    for stmt in stmts:
        for node in gast.walk(stmt) if isinstance(stmt, gast.AST) else ():
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
                assignments[node.id] += 1
            elif isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
                loads[node.id] += 1
    return _propagate_block(list(stmts), adjoints, keep, assignments, loads)


def _names(stmt: Any) -> tuple[set[str], Counter]:
    """The names ``stmt`` assigns and how often it reads each, in one walk."""
    stores: set[str] = set()
    loads: Counter = Counter()
    if isinstance(stmt, gast.AST):
        for node in gast.walk(stmt):
            if isinstance(node, gast.Name):
                if isinstance(node.ctx, gast.Store):
                    stores.add(node.id)
                elif isinstance(node.ctx, gast.Load):
                    loads[node.id] += 1
    return stores, loads


def names_in(nodes: list) -> tuple[Counter, Counter]:
    """How often each name is assigned, and read, in ``nodes``, in one walk."""
    stores: Counter = Counter()
    loads: Counter = Counter()
    for node in (n for s in nodes if isinstance(s, gast.AST) for n in gast.walk(s)):
        if isinstance(node, gast.Name):
            if isinstance(node.ctx, gast.Store):
                stores[node.id] += 1
            elif isinstance(node.ctx, gast.Load):
                loads[node.id] += 1
    return stores, loads


def load_counts(nodes: list) -> Counter:
    """How often each name is read in ``nodes``."""
    return names_in(nodes)[1]


def _each_block(stmts: list[Any], transform: Any) -> list[Any]:
    """``stmts``, with ``transform`` applied to the blocks of its branches and loops."""
    for stmt in stmts:
        for block in ("body", "orelse"):
            if isinstance(stmt, gast.stmt) and isinstance(getattr(stmt, block, None), list):
                setattr(stmt, block, transform(getattr(stmt, block)))
    return stmts


def _propagate_block(stmts: list[Any], adjoints: set[str], keep: set[str],
                     assignments: Counter, loads: Counter) -> list[Any]:
    info = [_names(s) for s in stmts]  # (stores, loads) of each statement, kept current
    index = 0
    while index < len(stmts):
        stmt = stmts[index]
        target = assigned_name(stmt)
        source = stmt.value.id if target and isinstance(stmt.value, gast.Name) else None
        if source is not None and source == target:
            del stmts[index], info[index]  # "da = da", left by a rule that passes g through
            continue
        if (source is not None and target in adjoints and source in adjoints
                and target not in keep and assignments[target] == 1
                and sum(n[target] for _, n in info[index + 1:]) == loads[target]
                and _unchanged(source, target, stmts[index + 1:], info[index + 1:])):
            del stmts[index], info[index]
            renamer = _RenameAll({target: source})
            for k in range(index, len(stmts)):
                if info[k][1][target]:
                    stmts[k] = renamer.visit(stmts[k])
                    info[k] = _names(stmts[k])
            loads[source] += loads.pop(target, 0)  # none, for a copy nothing reads
            continue
        index += 1
    return _each_block(stmts, lambda block: _propagate_block(block, adjoints, keep,
                                                             assignments, loads))


class Replace(gast.NodeTransformer):
    """Replace every subexpression printed as ``text`` by the name ``name``."""

    def __init__(self, text: str, name: str) -> None:
        self.text, self.name = text, name

    def visit(self, node: Any) -> Any:
        if isinstance(node, gast.BinOp) and gast.unparse(node) == self.text:
            return gast.Name(id=self.name, ctx=gast.Load(), annotation=None, type_comment=None)
        return super().visit(node)


class _Reuse(gast.NodeTransformer):
    def __init__(self, values: dict[str, str]) -> None:
        self.values = values

    def visit(self, node: Any) -> Any:
        # Primal values are single operations on names: only those can match.
        if isinstance(node, (gast.Call, gast.BinOp, gast.UnaryOp, gast.Subscript)) and all(
                isinstance(a, (gast.Name, gast.Constant)) for a in _operands(node)):
            name = self.values.get(gast.unparse(node))
            if name is not None:
                return gast.Name(id=name, ctx=gast.Load(), annotation=None, type_comment=None)
        return super().visit(node)


def _operands(node: Any) -> list:
    if isinstance(node, gast.Call):
        return list(node.args) + [k.value for k in node.keywords]
    if isinstance(node, gast.BinOp):
        return [node.left, node.right]
    if isinstance(node, gast.UnaryOp):
        return [node.operand]
    return [node.value]


def reuse_primal_values(expr: gast.expr, values: dict[str, str]) -> gast.expr:
    """Read ``sin_x`` instead of recomputing ``np.sin(x)`` that the primal already holds.

    ``values`` maps the source text of primal expressions, valid at this point
    of the adjoint sweep, to the names holding them.
    """
    return _Reuse(values).visit(expr) if values else expr


# Helpers whose second argument is read for its shape (and dtype) only.
_SHAPE_ONLY = {"unbroadcast", "unreduce", "unmean"}


def _shape_positions(stmts: list[Any], ad: str, np_name: str,
                     seeds: bool = False) -> list[tuple[gast.Call, int]]:
    """``(call, k)`` for each call whose argument ``k``, a name, is read for its shape:
    the helpers above, and ``np.size(x)`` (and ``_ad.seed(g, out)`` with ``seeds``)."""
    found = []
    shape_only = _SHAPE_ONLY | {"seed"} if seeds else _SHAPE_ONLY
    for node in (n for s in stmts if isinstance(s, gast.AST) for n in gast.walk(s)):
        if not isinstance(node, gast.Call):
            continue
        if helper_of(node, ad) in shape_only and len(node.args) > 1:
            k = 1
        elif helper_of(node, np_name) == "size" and len(node.args) == 1:
            k = 0
        else:
            continue
        if isinstance(node.args[k], gast.Name):
            found.append((node, k))
    return found


def names_read_for_shape(stmts: list[Any], ad: str, np_name: str) -> set[str]:
    """Names some call in ``stmts`` reads only for their shape (or type: the seed's)."""
    return {call.args[k].id for call, k in _shape_positions(stmts, ad, np_name, seeds=True)}


def shapes_from(stmts: list[Any], shape_of: dict[str, str], ad: str,
                np_name: str) -> list[tuple]:
    """Read a shape from an earlier value of the same shape, so a value only kept for its
    shape (``np.log1p(e)`` before ``_ad.unmean(g, ...)``) need not be computed.

    Applied to values the adjoint reads nowhere else; returns ``(call, k, old name)``
    for each change, so a change that saved nothing can be undone.
    """
    calls = _shape_positions(stmts, ad, np_name)
    in_shape_position = Counter(call.args[k].id for call, k in calls)
    everywhere = Counter(n.id for s in stmts if isinstance(s, gast.AST)
                         for n in gast.walk(s) if isinstance(n, gast.Name))
    changed = []
    for call, k in calls:
        name = call.args[k].id
        if name in shape_of and everywhere[name] == in_shape_position[name]:
            call.args[k] = gast.Name(id=shape_of[name], ctx=gast.Load(), annotation=None,
                                     type_comment=None)
            changed.append((call, k, name))
    return changed


# Helpers that always return a new array the caller may modify.
_FRESH_HELPERS = {"unindex", "unreduce", "unmean", "unextreme", "unvar", "unstd", "unprod",
                  "uncumsum", "untile", "unrepeat", "untrace", "matmul_lhs", "matmul_rhs",
                  "dot_lhs", "dot_rhs", "inner_lhs", "inner_rhs", "solve_lhs", "norm_grad"}


def helper_of(node: Any, ad: str) -> Optional[str]:
    """The runtime helper ``node`` calls (``unreduce`` for ``_ad.unreduce(g, x)``), if any."""
    if (isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute)
            and isinstance(node.func.value, gast.Name) and node.func.value.id == ad):
        return node.func.attr
    return None


def _fresh(node: Any, ad: str) -> bool:
    if isinstance(node, (gast.BinOp, gast.UnaryOp)):
        return True
    helper = helper_of(node, ad)
    if helper == "unbroadcast":
        return _fresh(node.args[0], ad)
    return helper in _FRESH_HELPERS


def _static_basic_index(node: Any) -> Optional[gast.expr]:
    """The subscript for ``dx[...] += g`` when the index is made of constants and slices."""
    if isinstance(node, gast.Subscript) and isinstance(node.value, gast.Attribute) \
            and node.value.attr == "s_":
        node = node.slice

    def basic(n: Any) -> bool:
        if n is None or _literal(n)[0] and not isinstance(_literal(n)[1], (str, bool)):
            return True
        if isinstance(n, gast.Constant) and n.value is Ellipsis:
            return True
        if isinstance(n, gast.Slice):
            return all(basic(part) for part in (n.lower, n.upper, n.step))
        if isinstance(n, gast.Tuple):
            return all(basic(e) for e in n.elts)
        return False

    return node if basic(node) else None


def _without_negation(update: gast.expr) -> tuple[gast.operator, gast.expr]:
    """``(Sub, e)`` for ``-e`` and ``-a * b / c``, else ``(Add, update)``: one pass fewer.

    Negating the first factor of a product or quotient negates the result exactly.
    """
    if isinstance(update, gast.UnaryOp) and isinstance(update.op, gast.USub):
        return gast.Sub(), update.operand
    if isinstance(update, gast.BinOp) and isinstance(update.op, (gast.Mult, gast.Div)):
        op, left = _without_negation(update.left)
        if isinstance(op, gast.Sub):
            return op, gast.BinOp(left=left, op=update.op, right=update.right)
    return gast.Add(), update


def accumulate_in_place(stmts: list[Any], adjoints: set[str], ad: str) -> list[Any]:
    """Turn ``da = da + c`` into ``da += c`` (and ``da[i] += g``) where ``da`` is private.

    An adjoint is private when its value was freshly computed (arithmetic or a
    helper that allocates) and no other name refers to it, so updating it in
    place cannot change any other value. This saves one allocation per
    accumulation, which dominates on large arrays.
    """
    owned: set[str] = set()
    indexable: set[str] = set()
    result: list[Any] = []
    for stmt in stmts:
        target = assigned_name(stmt)
        if target is None:
            result.append(stmt)
            continue
        value = stmt.value
        if isinstance(value, gast.Name):
            owned.discard(value.id)  # now shared by two names
            indexable.discard(value.id)
        accumulating = (target in adjoints and target in owned
                        and isinstance(value, gast.BinOp)
                        and isinstance(value.op, (gast.Add, gast.Sub))
                        and isinstance(value.left, gast.Name) and value.left.id == target)
        if accumulating:
            update = value.right
            index = _static_basic_index(update.args[2]) if isinstance(value.op, gast.Add) \
                and helper_of(update, ad) == "unindex" and len(update.args) == 3 else None
            if index is not None and target in indexable:
                subscript = gast.Subscript(value=gast.Name(id=target, ctx=gast.Load(),
                                                           annotation=None, type_comment=None),
                                           slice=index, ctx=gast.Store())
                result.append(gast.copy_location(
                    gast.AugAssign(target=subscript, op=gast.Add(), value=update.args[0]), stmt))
            else:
                op, update = _without_negation(update)  # da += -e  is  da -= e
                if isinstance(value.op, gast.Sub):
                    op = gast.Add() if isinstance(op, gast.Sub) else gast.Sub()
                result.append(gast.copy_location(
                    gast.AugAssign(target=gast.Name(id=target, ctx=gast.Store(), annotation=None,
                                                    type_comment=None),
                                   op=op, value=update), stmt))
            continue
        owned.discard(target)
        indexable.discard(target)
        if target in adjoints and _fresh(value, ad):
            owned.add(target)
            if helper_of(value, ad) in ("unindex", "unreduce"):
                indexable.add(target)
        result.append(stmt)
    return result


def fuse_temporaries(stmts: list[Any], temporaries: set[str], loads: Counter) -> list[Any]:
    """Put a temporary read once back into the expression that reads it.

    ``y_times_x = y * x; y_stack.append(y); y = y_times_x + c`` becomes
    ``y_stack.append(y); y = y * x + c``, as the user wrote it, when only the
    primal needed the name (a loop's own arithmetic). ``temporaries`` are names the
    transformation made for pure operations; ``loads`` counts every read in the
    derivative. Only assignments and stack pushes may stand in between, and none
    may assign what the temporary reads.
    """
    stmts = list(stmts)
    index = 0
    while index < len(stmts):
        target = assigned_name(stmts[index])
        use = _single_use(stmts, index, target, temporaries) if target in temporaries \
            and loads[target] == 1 else None
        if use is not None:
            value = stmts[index].value
            stmts[use] = _Substitute(target, value).visit(stmts[use])
            del stmts[index]
            continue
        index += 1
    return _each_block(stmts, lambda block: fuse_temporaries(block, temporaries, loads))


def _single_use(stmts: list[Any], index: int, target: str,
                temporaries: set[str]) -> Optional[int]:
    """Where the statement after ``stmts[index]`` that reads ``target`` is, if the
    value can move there unchanged: what stands between may only be pure
    operations, copies and stack pushes."""
    operands = {n.id for n in gast.walk(stmts[index].value) if isinstance(n, gast.Name)}
    for position in range(index + 1, len(stmts)):
        stmt = stmts[position]
        stores, reads = _names(stmt)
        if reads[target]:
            repeated = any(isinstance(n, _REPEATING) and _names(n)[1][target]
                           for n in gast.walk(stmt))  # computed once, not per element
            return position if isinstance(stmt, gast.Assign) and not stores & {target} \
                and not repeated else None
        if stores & (operands | {target}):
            return None
        push = isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call) and \
            isinstance(stmt.value.func, gast.Attribute) and \
            stmt.value.func.attr == "append" and \
            isinstance(stmt.value.func.value, gast.Name) and \
            stmt.value.func.value.id not in operands
        pure = isinstance(stmt, gast.Assign) and (
            assigned_name(stmt) in temporaries or
            isinstance(stmt.value, (gast.Name, gast.Constant)))
        if not (push or pure):
            return None
    return None


_REPEATING = (gast.ListComp, gast.SetComp, gast.DictComp, gast.GeneratorExp, gast.Lambda)


class _Substitute(gast.NodeTransformer):
    def __init__(self, name: str, value: gast.expr) -> None:
        self.name, self.value = name, value

    def visit_Name(self, node: gast.Name) -> Any:
        if node.id == self.name and isinstance(node.ctx, gast.Load):
            return self.value
        return node


def double_repeated(stmts: list[Any], adjoints: set[str], loads: Counter) -> list[Any]:
    """``t = g * x; dx = t; dx = dx + t`` (the adjoint of ``x * x``) becomes
    ``dx = g * 2 * x`` (``dx = dx + g * 2 * x`` when ``dx`` already held a sum),
    when nothing else reads ``t``. Doubling is exact, so the values are the same."""
    stmts = list(stmts)
    for index in range(len(stmts) - 2, 0, -1):
        if index + 1 >= len(stmts):
            continue
        first, second = stmts[index], stmts[index + 1]
        term = assigned_name(stmts[index - 1])
        target = assigned_name(first)
        accumulating = isinstance(first, gast.Assign) and _is_sum(first.value, target, term)
        if term is not None and target in adjoints and loads[term] == 2 and \
                (_is_name(first.value, term) or accumulating) and \
                isinstance(second, gast.Assign) and \
                assigned_name(second) == target and _is_sum(second.value, target, term):
            value = stmts[index - 1].value
            two = gast.Constant(value=2, kind=None)
            doubled = gast.BinOp(left=gast.BinOp(left=value.left, op=gast.Mult(), right=two),
                                 op=gast.Mult(), right=value.right) \
                if isinstance(value, gast.BinOp) and isinstance(value.op, gast.Mult) \
                else gast.BinOp(left=value, op=gast.Mult(), right=two)
            first.value = gast.BinOp(left=name_node(target), op=gast.Add(), right=doubled) \
                if accumulating else doubled
            del stmts[index + 1], stmts[index - 1]
    return _each_block(stmts, lambda block: double_repeated(block, adjoints, loads))


def _is_sum(node: Any, left: str, right: str) -> bool:
    """Whether ``node`` is ``left + right``."""
    return isinstance(node, gast.BinOp) and isinstance(node.op, gast.Add) and \
        _is_name(node.left, left) and _is_name(node.right, right)


def _is_name(node: Any, name: str) -> bool:
    return isinstance(node, gast.Name) and node.id == name


def fuse_adjoint_terms(stmts: list[Any], candidates: set[str], loads: Counter) -> list[Any]:
    """Put an adjoint term read once back into the statement that reads it.

    ``ddiff_2 = dout * 2 * diff_2; dx_part_2 = -ddiff_2`` becomes
    ``dx_part_2 = -(dout * 2 * diff_2)``: the same operations in the same order,
    so the same values, with one name fewer to read and one array fewer to
    allocate (NumPy computes a chain like this in one temporary). ``candidates``
    are the names assigned once in the adjoint sweep and never by the primal;
    ``loads`` counts every read of them. Only small terms are moved, so lines stay
    readable, and only within the adjoint of one user statement, past assignments
    that leave what they read unchanged.
    """
    stmts = list(stmts)
    index = 0
    while index < len(stmts):
        target = assigned_name(stmts[index])
        use = _adjoint_use(stmts, index, target) if target in candidates \
            and loads[target] == 1 and _arithmetic(stmts[index].value) else None
        if use is not None:
            substituted = _Substitute(target, stmts[index].value).visit(stmts[use])
            stmts[use] = _ExactFolder(units=True).visit(substituted)
            del stmts[index]
            continue
        index += 1
    return _each_block(stmts, lambda block: fuse_adjoint_terms(block, candidates, loads))


def fold_exactly(stmts: list[Any]) -> list[Any]:
    """``stmts`` with the exact rewrites of :class:`_ExactFolder` applied everywhere
    (``dx = dx + -dt`` reads ``dx = dx - dt``)."""
    return [_ExactFolder().visit(s) if isinstance(s, gast.AST) else s for s in stmts]


def _arithmetic(expr: Any, most: int = 4, allowed: tuple = ()) -> bool:
    """Whether ``expr`` is arithmetic on names and numbers (and ``allowed`` nodes) with
    one to ``most`` operators."""
    nodes = list(gast.walk(expr))
    operators = sum(isinstance(n, (gast.BinOp, gast.UnaryOp)) for n in nodes)
    return 0 < operators <= most and all(isinstance(n, _ARITHMETIC + allowed) for n in nodes)


_ARITHMETIC = (gast.BinOp, gast.UnaryOp, gast.Name, gast.Constant, gast.operator,
               gast.unaryop, gast.expr_context)


def _adjoint_use(stmts: list[Any], index: int, target: str) -> Optional[int]:
    """The position of the statement after ``stmts[index]`` that reads ``target``, if
    the value can move there: a plain or augmented assignment in the same block,
    with only such assignments in between, none changing what the value reads."""
    operands = {n.id for n in gast.walk(stmts[index].value) if isinstance(n, gast.Name)}
    for position in range(index + 1, len(stmts)):
        stmt = stmts[position]
        if not isinstance(stmt, (gast.Assign, gast.AugAssign)):  # a comment too: the
            # adjoint of each user statement stays under the comment that names it
            return None
        changed = _changed_names(stmt)
        if _names(stmt)[1][target]:
            repeated = any(isinstance(n, _REPEATING) for n in gast.walk(stmt))
            return None if repeated or target in changed else position
        if changed & (operands | {target}):
            return None
    return None


def _changed_names(stmt: Any) -> set[str]:
    """Names an assignment rebinds or updates in place (``dx[1:] += g`` changes ``dx``)."""
    targets = stmt.targets if isinstance(stmt, gast.Assign) else [stmt.target]
    names = set()
    for target in targets:
        while isinstance(target, (gast.Subscript, gast.Attribute)):
            target = target.value
        names |= {n.id for n in gast.walk(target) if isinstance(n, gast.Name)}
    return names


def _power_of_two(value: Any) -> bool:
    if type(value) not in (int, float) or value == 0:
        return False
    mantissa, _ = math.frexp(abs(value))
    return mantissa == 0.5


class _ExactFolder(gast.NodeTransformer):
    """Rewrites that leave values bit for bit the same: ``g * 100.0 * 2`` as
    ``g * 200.0`` (a power of two scales exactly, short of overflow and subnormal
    numbers), ``g * 0.5 * 2`` as ``g``, ``a + -b * c`` as ``a - b * c`` and
    ``-(-a * b)`` as ``a * b`` (negation is exact).

    ``g * 0.5 * 2`` becomes ``g`` only with ``units`` (for adjoint terms, which are
    floats): an integer ``g`` would otherwise lose its conversion to float.
    """

    def __init__(self, units: bool = False) -> None:
        self.units = units

    def visit_BinOp(self, node: gast.BinOp) -> gast.expr:
        self.generic_visit(node)
        inner = node.left
        if isinstance(node.op, gast.Mult) and isinstance(inner, gast.BinOp) and \
                isinstance(inner.op, gast.Mult):
            a, b = _number(inner.right), _number(node.right)
            if a is not None and b is not None and (_power_of_two(a) or _power_of_two(b)):
                if a * b == 1 and self.units:
                    return inner.left
                return gast.BinOp(left=inner.left, op=gast.Mult(), right=_constant(a * b))
        if isinstance(node.op, (gast.Add, gast.Sub)):
            negated, right = _without_negation(node.right)
            if isinstance(negated, gast.Sub):
                op = gast.Sub() if isinstance(node.op, gast.Add) else gast.Add()
                return gast.BinOp(left=node.left, op=op, right=right)
        return node

    def visit_UnaryOp(self, node: gast.UnaryOp) -> gast.expr:
        self.generic_visit(node)
        if isinstance(node.op, gast.USub):
            negated, operand = _without_negation(node.operand)
            if isinstance(negated, gast.Sub):
                return operand
        return node


def sink_into_adjoint(primal: list[Any], adjoint: list[Any], candidates: set[str],
                      loads: Counter) -> tuple[list[Any], list[Any]]:
    """Compute a primal value read by one adjoint statement only in that statement.

    ``diff_2 = 1 - x_part; ...; dx_part = -(dout * 2 * diff_2)`` becomes
    ``dx_part = -(dout * 2 * (1 - x_part))``: the same operations on the same
    values (``candidates`` are temporaries whose operands never change), but the
    value no longer stays alive, in memory, from the primal sweep to its one use.
    Only short arithmetic and slices move, and only into top-level statements.
    """
    primal, adjoint = list(primal), list(adjoint)
    for index in range(len(primal) - 1, -1, -1):
        stmt = primal[index]
        target = assigned_name(stmt)
        if target not in candidates or loads[target] != 1 or not _sliced_arithmetic(stmt.value):
            continue
        for position, use in enumerate(adjoint):
            if isinstance(use, (gast.Assign, gast.AugAssign)) and _names(use)[1][target]:
                if not any(isinstance(n, _REPEATING) for n in gast.walk(use)):
                    adjoint[position] = _Substitute(target, stmt.value).visit(use)
                    del primal[index]
                break
    return primal, adjoint


def _sliced_arithmetic(expr: Any) -> bool:
    """Short arithmetic as :func:`_arithmetic` allows, and slices with constant bounds."""
    return _arithmetic(expr, 3, (gast.Subscript, gast.Slice)) and all(
        _static_basic_index(n.slice) is not None
        for n in gast.walk(expr) if isinstance(n, gast.Subscript))
