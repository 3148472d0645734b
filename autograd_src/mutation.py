"""Which calls may write into their arguments: NumPy's in-place functions, ``out=``,
and the user's helpers that assign into (or call mutating methods on) a parameter.

The normalizer asks this about calls whose results are not what carries the
gradient (a call made as a statement, ``np.exp(x, out=y)``): such a call
changes values behind the transformer's back, so with a differentiated value
involved it is refused rather than given a silently wrong gradient.
"""

from __future__ import annotations

import inspect
import textwrap
from typing import Any, Optional

import gast
import numpy as np

__all__ = ["writes_in_place", "helper_writes_into"]

#: NumPy functions that write into their first argument.
IN_PLACE_FUNCTIONS = {np.copyto, np.put, np.place, np.putmask, np.put_along_axis,
                      np.fill_diagonal}
#: Methods that change their object (of arrays, lists and dicts).
MUTATING_METHODS = {"fill", "sort", "put", "itemset", "resize", "partition", "setfield",
                    "append", "extend", "insert", "pop", "remove", "clear", "update",
                    "setdefault", "popitem", "reverse", "__setitem__", "__iadd__"}


def writes_in_place(primitive: Any, call: gast.Call) -> Optional[str]:
    """How ``call`` of ``primitive`` writes into an argument, or None if it does not."""
    if any(k.arg == "out" for k in call.keywords):
        return "its out= argument is written in place"
    if primitive in IN_PLACE_FUNCTIONS:
        return f"np.{primitive.__name__} writes into its first argument"
    if getattr(primitive, "__name__", None) == "at" and \
            isinstance(getattr(primitive, "__self__", None), np.ufunc):
        return f"np.{primitive.__self__.__name__}.at writes into its first argument"
    return None


def helper_writes_into(fn: Any, depth: int = 0) -> Optional[str]:
    """The first way the user function ``fn`` may change an argument, or None.

    Looks for assignment into a parameter (``p[i] = v``, ``p.w = v``, ``p += v``
    on a list), mutating methods called on one (``p.append(v)``), NumPy
    in-place functions and ``out=``, and helpers it passes a parameter to.
    When its source cannot be read, says so: nothing is known to be safe.
    """
    try:
        text = textwrap.dedent(inspect.getsource(fn))
        tree = gast.parse(text)
    except (OSError, TypeError, SyntaxError):
        return "its source cannot be read"
    node = tree.body[0]
    if not isinstance(node, (gast.FunctionDef, gast.AsyncFunctionDef)):
        return None  # a lambda: an expression, which assigns nothing
    params = {a.id for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs}
    params |= {a.id for a in (node.args.vararg, node.args.kwarg) if a is not None}

    def base(expr: Any) -> Optional[str]:
        while isinstance(expr, (gast.Subscript, gast.Attribute)):
            expr = expr.value
        return expr.id if isinstance(expr, gast.Name) else None

    for sub in gast.walk(node):
        targets = sub.targets if isinstance(sub, gast.Assign) else \
            [sub.target] if isinstance(sub, (gast.AugAssign, gast.AnnAssign)) else []
        for target in targets:
            if isinstance(target, (gast.Subscript, gast.Attribute)) and base(target) in params:
                return f"it assigns into its parameter {base(target)} at line {sub.lineno}"
            if isinstance(sub, gast.AugAssign) and isinstance(target, gast.Name) and \
                    target.id in params:
                return f"{target.id} {gast.unparse(sub).split()[1]} ... may change its " \
                       f"argument in place"
        if not isinstance(sub, gast.Call):
            continue
        if isinstance(sub.func, gast.Attribute) and sub.func.attr in MUTATING_METHODS and \
                base(sub.func.value) in params:
            return f"it calls .{sub.func.attr}() on its parameter {base(sub.func.value)}"
        if any(k.arg == "out" for k in sub.keywords):
            return "it passes out= to a function"
        called = _resolve(fn, sub.func)
        if called is None:
            continue
        how = writes_in_place(called, sub)
        if how:
            return how
        passes_parameter = any(base(a) in params for a in sub.args) or \
            any(base(k.value) in params for k in sub.keywords)
        if passes_parameter and inspect.isfunction(called) and depth < 8 and \
                called is not fn:
            inner = helper_writes_into(called, depth + 1)
            if inner:
                return f"it calls {called.__name__}(), and {inner}"
    return None


def _resolve(fn: Any, expr: Any) -> Any:
    """The object a dotted name in ``fn``'s body refers to, from its globals."""
    parts = []
    while isinstance(expr, gast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if not isinstance(expr, gast.Name):
        return None
    value = getattr(fn, "__globals__", {}).get(expr.id, getattr(__builtins__, expr.id, None)
                                               if not isinstance(__builtins__, dict)
                                               else __builtins__.get(expr.id))
    for part in reversed(parts):
        value = getattr(value, part, None)
    return value
