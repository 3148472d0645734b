"""Reject the syntax `grad` does not differentiate, at the user's file and line.

The fence runs before any other pass, so later passes can assume they only see
supported statements. Each message names the construct and a workaround.
"""

from __future__ import annotations

import builtins

import gast
import numpy as np

from .ir import walk
from .source import ParsedFunction, imported_names

__all__ = ["check"]

# Statement types and the workaround offered when one is found.
_STATEMENTS = {
    gast.AsyncFor: "async code cannot be differentiated",
    gast.Try: "try/except is not supported: move the guarded code out of the "
              "differentiated function",
    gast.With: "'with' blocks are not supported: move them out of the differentiated "
               "function",
    gast.AsyncWith: "async code cannot be differentiated",
    gast.AsyncFunctionDef: "async code cannot be differentiated",
    gast.ClassDef: "class definitions are not supported inside a differentiated function",
    gast.Import: "imports inside a differentiated function are not supported: import "
                 "at module level",
    gast.ImportFrom: "imports inside a differentiated function are not supported: "
                     "import at module level",
    gast.Global: "'global' is not supported: pass the value in as an argument",
    gast.Nonlocal: "'nonlocal' is not supported: pass the value in as an argument",
    gast.Delete: "'del name' is not supported: leave the name bound ('del xs[i]' of a "
                 "list is)",
    gast.Match: "'match' is not supported yet: write it as if/elif/else (match x: "
                "case \"a\": ... as if x == \"a\": ...)",
}

_EXPRESSIONS = {
    gast.Yield: "generators cannot be differentiated: return a value instead",
    gast.YieldFrom: "generators cannot be differentiated: return a value instead",
    gast.Await: "async code cannot be differentiated",
    gast.NamedExpr: "the walrus operator (:=) is not supported: assign on a line of its own",
}

#: Builtins that run code, or read variables, out of grad's sight (their values would
#: be constants), and the workaround.
_HIDDEN = {
    "eval": "code in a string is not differentiated (its result would be a constant): "
            "write the expression out",
    "exec": "code in a string is not differentiated: write the statements out",
    "locals": "variables read by name through locals() are not followed (they would be "
              "constants): use the variables themselves",
    "vars": "variables read by name through vars() are not followed (they would be "
            "constants): use the variables themselves",
}

_NAMES = {
    gast.If: "an if statement", gast.For: "a for loop", gast.While: "a while loop",
    gast.Try: "a try statement", gast.With: "a with statement",
    gast.FunctionDef: "a nested def", gast.ClassDef: "a class definition",
    gast.Import: "an import", gast.ImportFrom: "an import", gast.Global: "'global'",
    gast.Nonlocal: "'nonlocal'", gast.Delete: "'del'", gast.Yield: "yield",
    gast.YieldFrom: "yield from", gast.Await: "await", gast.NamedExpr: "':='",
    gast.Lambda: "a lambda", gast.Match: "a match statement",
}


def _describe(node: gast.AST) -> str:
    return _NAMES.get(type(node), type(node).__name__)


_COMPLEX_TYPES = frozenset({"complex64", "complex128", "complex256", "cdouble", "csingle",
                            "clongdouble", "complexfloating", "complex_"})


def _complex_outside(parsed: ParsedFunction, node: gast.Name, seen: dict) -> bool:
    """Whether ``node`` reads, from the module or an enclosing function, a complex number
    or array (``J = 1j`` at module level), or names the type ``complex``."""
    if not isinstance(node.ctx, gast.Load) or node.id in parsed.locals:
        return False
    found = seen.get(node.id)
    if found is None:
        value = parsed.resolve(node)
        found = seen[node.id] = value is complex or isinstance(
            value, (complex, np.complexfloating)) or (
            isinstance(value, np.ndarray) and value.dtype.kind == "c")
    return found


def check(parsed: ParsedFunction) -> None:
    """Raise `DiffSyntaxError` at the first unsupported construct in ``parsed``."""
    fn = parsed.node
    seen: dict = {}  # (names read from outside, complex or not)
    for stmt in fn.body:
        for node in walk(stmt):
            if node is fn:
                continue
            reason = _STATEMENTS.get(type(node)) or _EXPRESSIONS.get(type(node))
            if isinstance(node, gast.Delete) and all(
                    isinstance(t, gast.Subscript) for t in node.targets):
                reason = None  # del xs[i]: the normalizer takes it (as xs.pop(i))
            if node is stmt and isinstance(node, (gast.Import, gast.ImportFrom)) and all(
                    name in parsed.module_aliases for name in imported_names(node)):
                reason = None  # import ... at the top, imported as it was read
            elif isinstance(node, (gast.Import, gast.ImportFrom)):
                reason = ("imports inside a differentiated function are followed at its top "
                          "level only, binding a name nothing else binds: move it there, "
                          "or to module level")
            if reason is not None:
                raise parsed.error(node, f"{_describe(node)} in {parsed.name}(): {reason}")
            if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
                    node.func.id in _HIDDEN and parsed.resolve(node.func) is \
                    getattr(builtins, node.func.id) and \
                    (node.func.id != "vars" or not node.args):
                # code in a string, variables read by name: grad would see constants
                raise parsed.error(node, f"{node.func.id}() in {parsed.name}(): "
                                         f"{_HIDDEN[node.func.id]}")
            if (isinstance(node, gast.Constant) and isinstance(node.value, complex)) or \
                    (isinstance(node, gast.Attribute) and node.attr in _COMPLEX_TYPES) or \
                    (isinstance(node, gast.Name) and _complex_outside(parsed, node, seen)):
                # The rules are written for real values: |z| and z's conjugates would
                # come out wrong, not refused.
                raise parsed.error(node, f"a complex number in {parsed.name}(): grad "
                                         "differentiates real-valued code; write the real "
                                         "and imaginary parts as separate real arrays")
    returns = [n for stmt in fn.body if not isinstance(stmt, gast.FunctionDef)
               for n in walk(stmt) if isinstance(n, gast.Return)]
    if not any(r.value is not None for r in returns):
        raise parsed.error(fn, f"{parsed.name}() returns nothing: grad differentiates the "
                               "returned value, so end the function with 'return <value>'")
