"""Simplify inlined rule expressions: fold constants, drop ones, omit default
arguments (``g * y * x ** (y - 1)`` with ``y = 2`` becomes ``g * 2 * x``), and
read values the primal sweep already computed instead of computing them again.
"""

from __future__ import annotations

import functools
import inspect
import operator
from typing import Any, Optional

import gast
import numpy as np

from ...rules import runtime
from ..ir import Transformer, expr_key
from ..naming import Namer

__all__ = ["number_of", "constant_node", "simplify", "Replace", "reuse_primal_values",
           "static_basic_index"]


_FOLD = {gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul,
         gast.Div: operator.truediv, gast.Pow: operator.pow}


def number_of(node: Any) -> Optional[float]:
    if isinstance(node, gast.Constant) and type(node.value) in (int, float):
        return node.value
    if (isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub)
            and number_of(node.operand) is not None):
        return -number_of(node.operand)
    return None


def constant_node(value: Any) -> gast.expr:
    if isinstance(value, (int, float)) and value < 0:
        return gast.UnaryOp(op=gast.USub(), operand=gast.Constant(value=-value, kind=None))
    if isinstance(value, tuple):
        return gast.Tuple(elts=[constant_node(v) for v in value], ctx=gast.Load())
    return gast.Constant(value=value, kind=None)


def _literal(node: Any) -> tuple[bool, Any]:
    """(True, value) if ``node`` is a literal constant or tuple of them."""
    if isinstance(node, gast.Constant):
        return True, node.value
    number = number_of(node)
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


class _Simplifier(Transformer):
    def __init__(self, namer: Namer, scalars: frozenset = frozenset()) -> None:
        self.objects = {name: obj for name, obj in namer.injected.items()}
        self.namer = namer
        self.scalars = scalars  # names known to hold numbers

    def resolve(self, node: Any) -> Any:
        if isinstance(node, gast.Name):
            if node.id in self.objects:
                return self.objects[node.id]
            if node.id in self.namer.closure_objects:
                return self.namer.closure_objects[node.id]
            return self.namer.user_globals.get(node.id)
        if isinstance(node, gast.Attribute):
            base = self.resolve(node.value)
            return getattr(base, node.attr, None) if base is not None else None
        return None

    def visit_BinOp(self, node: gast.BinOp) -> gast.expr:
        self.generic_visit(node)
        left, right = number_of(node.left), number_of(node.right)
        op = type(node.op)
        if left is not None and right is not None and op in _FOLD:
            try:
                value = _FOLD[op](left, right)
            except (ZeroDivisionError, OverflowError):
                return node
            if isinstance(value, float) and value.is_integer() and \
                    isinstance(left, int) and isinstance(right, int) and op is not gast.Div:
                value = int(value)
            return constant_node(value)
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
            basic = static_basic_index(index)
            if basic is None and isinstance(index, gast.Name) and index.id in self.scalars:
                basic = index
            if basic is not None:
                return gast.Subscript(value=node.args[0], slice=basic, ctx=gast.Load())
        if fn is runtime.times_power and len(node.args) == 3 and not node.keywords:
            exponent = number_of(node.args[2])
            if exponent is not None and exponent >= 0:
                # x ** e is finite wherever x is: a plain product (g * 2 * x for x ** 2)
                power = self.visit_BinOp(gast.BinOp(left=node.args[1], op=gast.Pow(),
                                                    right=node.args[2]))
                return self.visit_BinOp(gast.BinOp(left=node.args[0], op=gast.Mult(),
                                                   right=power))
        if getattr(fn, "__name__", None) in runtime.FOLDABLE and \
                getattr(runtime, fn.__name__, None) is fn and not node.keywords:
            literals = [_literal(a) for a in node.args]
            if all(ok for ok, _ in literals):
                return constant_node(fn(*[v for _, v in literals]))
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


class Replace(Transformer):
    """Replace every binary operation whose `expr_key` is ``key`` by the name ``name``."""

    def __init__(self, key: Any, name: str) -> None:
        self.key, self.name = key, name

    def visit(self, node: Any) -> Any:
        if isinstance(node, gast.BinOp) and expr_key(node) == self.key:
            return gast.Name(id=self.name, ctx=gast.Load(), annotation=None, type_comment=None)
        return super().visit(node)


class _Reuse(Transformer):
    def __init__(self, values: dict[str, str]) -> None:
        self.values = values

    def visit(self, node: Any) -> Any:
        # Primal values are single operations on names: only those can match.
        if isinstance(node, (gast.Call, gast.BinOp, gast.UnaryOp, gast.Subscript)) and all(
                isinstance(a, (gast.Name, gast.Constant)) for a in _operands(node)):
            name = self.values.get(expr_key(node))
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

    ``values`` maps the `expr_key` of primal expressions, valid at this point
    of the adjoint sweep, to the names holding them.
    """
    return _Reuse(values).visit(expr) if values else expr


def static_basic_index(node: Any, integers: frozenset = frozenset()) -> Optional[gast.expr]:
    """The subscript for ``dx[...] += g`` when the index is made of constants, slices and
    ``integers`` (names surely holding ints: the counters of ``range`` loops)."""
    if isinstance(node, gast.Subscript) and isinstance(node.value, gast.Attribute) \
            and node.value.attr == "s_":
        node = node.slice

    def basic(n: Any) -> bool:
        if n is None or _literal(n)[0] and not isinstance(_literal(n)[1], (str, bool)):
            return True
        if isinstance(n, gast.Name) and n.id in integers:
            return True
        if isinstance(n, gast.Constant) and n.value is Ellipsis:
            return True
        if isinstance(n, gast.Slice):
            return all(basic(part) for part in (n.lower, n.upper, n.step))
        if isinstance(n, gast.Tuple):
            return all(basic(e) for e in n.elts)
        return integral(n)

    def integral(n: Any) -> bool:  # (i - 1, 2 * k + 1 of counters: one int)
        if isinstance(n, gast.Constant):
            return type(n.value) is int
        if isinstance(n, gast.Name):
            return n.id in integers
        if isinstance(n, gast.UnaryOp) and isinstance(n.op, gast.USub):
            return integral(n.operand)
        return isinstance(n, gast.BinOp) and isinstance(
            n.op, (gast.Add, gast.Sub, gast.Mult, gast.FloorDiv, gast.Mod)) and \
            integral(n.left) and integral(n.right)

    return node if basic(node) else None
