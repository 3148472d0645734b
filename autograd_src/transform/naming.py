"""Names for generated code: readable, derived from the user's, and never colliding."""

from __future__ import annotations

import builtins
import keyword
from typing import Any, Optional

import gast

__all__ = ["Namer", "describe", "clone"]

_OP_WORDS = {
    gast.Add: "plus", gast.Sub: "minus", gast.Mult: "times", gast.Div: "over",
    gast.Pow: "pow", gast.MatMult: "at", gast.Mod: "mod",
}
_OP_NOUNS = {
    gast.Add: "total", gast.Sub: "diff", gast.Mult: "prod", gast.Div: "ratio",
    gast.Pow: "power", gast.MatMult: "matprod", gast.Mod: "rem",
}
_NUMBER_WORDS = {0: "zero", 1: "one", 2: "two", 3: "three", 4: "four", 10: "ten"}
# Names that would shadow a builtin get a word of their own when no subject fits.
_INSTEAD_OF_BUILTIN = {"sum": "summed", "max": "largest", "min": "smallest",
                       "abs": "magnitude", "pow": "power", "round": "rounded",
                       "float": "as_float", "len": "length"}
_MAX_LEN = 20
# Names generated code must not shadow. Captured once: an interactive session sets
# builtins._ as it runs, which must not change the names we generate.
_BUILTINS = frozenset(n for n in dir(builtins) if not n.startswith("_"))


_AST = gast.AST
_CONTEXT = gast.expr_context
_LOCATION = ("lineno", "col_offset", "end_lineno", "end_col_offset")


def clone(node: Any) -> Any:
    """A deep copy of a gast tree, several times faster than ``copy.deepcopy``.

    The copy is made as gast's constructors make nodes (its fields, then its
    position, set in the instance's ``__dict__``) without calling them.
    """
    if type(node) is list or isinstance(node, list):
        return [clone(n) for n in node]
    if not isinstance(node, _AST):
        return node
    cls = type(node)
    new = cls.__new__(cls)
    fields = new.__dict__
    own = node.__dict__
    for field in cls._fields:
        value = own[field] if field in own else getattr(node, field, None)
        if type(value) is list:
            fields[field] = [clone(n) for n in value]
        elif isinstance(value, _CONTEXT):
            fields[field] = value  # (Load, Store: they hold nothing, so one serves both)
        elif isinstance(value, _AST) or isinstance(value, list):
            fields[field] = clone(value)
        else:
            fields[field] = value
    for attribute in _LOCATION:
        if attribute in own:
            fields[attribute] = own[attribute]
        elif hasattr(node, attribute):  # a class default (end_lineno = None)
            fields[attribute] = getattr(node, attribute)
    return new


def _word(expr: gast.expr) -> Optional[str]:
    """A short word for an operand: its name, or a number spelt for names."""
    if isinstance(expr, gast.Name):
        return expr.id
    if isinstance(expr, gast.Constant) and type(expr.value) in (int, float):
        value = expr.value
        if value == int(value) and int(value) in _NUMBER_WORDS:
            return _NUMBER_WORDS[int(value)]
        return None
    if isinstance(expr, gast.Attribute) and isinstance(expr.value, gast.Name):
        return f"{expr.value.id}_{expr.attr}"
    return None


def describe(expr: gast.expr) -> str:
    """A variable name that says what ``expr`` computes: ``sin_x``, ``x_times_y``."""
    if isinstance(expr, gast.Call):
        func = expr.func
        name = func.attr if isinstance(func, gast.Attribute) else getattr(func, "id", "call")
        if name == "in_place_of" and expr.args:  # (_ad.in_place_of(s['m'] + x, s['m']):
            return describe(expr.args[0])  # the new value of the item, as it reads)
        subject: Optional[gast.expr] = None
        # x.sum() is "sum_x"; self.predict(x) is "predict_x", as self says nothing.
        on_self = isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) \
            and func.value.id in ("self", "cls")
        if isinstance(func, gast.Attribute) and not _is_module_like(func.value) \
                and not on_self:
            subject = func.value
        elif expr.args:
            subject = expr.args[0]
        word = _word(subject) if subject is not None else None
        if word is None and isinstance(subject, (gast.Call, gast.UnaryOp, gast.BinOp,
                                                 gast.Subscript)):
            word = describe(subject)
        if not word:
            return _INSTEAD_OF_BUILTIN.get(name, name)
        candidate = f"{name}_{word}"
        if len(candidate) <= _MAX_LEN:
            return candidate
        return _INSTEAD_OF_BUILTIN.get(name, name)
    if isinstance(expr, gast.BinOp):
        left, right = _word(expr.left), _word(expr.right)
        op = type(expr.op)
        if op is gast.Pow and isinstance(expr.right, gast.Constant) and expr.right.value == 2 \
                and left:
            return f"{left}_sq"
        if left and right:
            candidate = f"{left}_{_OP_WORDS.get(op, 'op')}_{right}"
            if len(candidate) <= _MAX_LEN:
                return candidate
        return _OP_NOUNS.get(op, "value")
    if isinstance(expr, gast.UnaryOp):
        word = _word(expr.operand)
        return f"neg_{word}" if word else "neg"
    if isinstance(expr, gast.Subscript):
        if isinstance(expr.value, gast.Attribute) and expr.value.attr in ("r_", "c_"):
            return "joined"  # np.r_[a, b]
        word = _word(expr.value)
        return f"{word}_part" if word else "part"
    if isinstance(expr, gast.Attribute):
        word = _word(expr.value)
        return f"{word}_{expr.attr}" if word else expr.attr
    if isinstance(expr, gast.Compare):
        return "mask"
    return "value"


def _is_module_like(expr: gast.expr) -> bool:
    # np.sin(x): the subject is x, not np. Heuristic on lower-case dotted names.
    return isinstance(expr, gast.Name) and expr.id in {"np", "numpy", "math", "onp", "jnp"} \
        or isinstance(expr, gast.Attribute)


class Namer:
    """Hands out fresh names, never reusing one the user's code or a global uses."""

    def __init__(self, taken: set[str], user_globals: dict[str, Any], local_names: set[str]):
        self.taken = set(taken) | set(keyword.kwlist)
        self.user_globals = user_globals
        self.local_names = local_names
        self.injected: dict[str, Any] = {}
        self._adjoints: dict[str, str] = {}
        #: Generated derivatives of the user's helper functions this code calls.
        self.helper_sources: dict[str, None] = {}
        #: (recursion_mark of the function being differentiated, its derivative's name)
        self.defining: Optional[tuple] = None
        self._references: dict[int, str] = {}
        #: Objects the code reaches through closure cells (a derivative's ``_ad``, read
        #: again by forward mode): what the optimizer resolves those names to.
        self.closure_objects: dict[str, Any] = {}

    def fresh(self, base: str) -> str:
        """``base`` if free, else ``base_2``, ``base_3``, ..."""
        base = base if base.isidentifier() and not keyword.iskeyword(base) else "value"
        name, k = base, 1
        # (a nested def's namer shares ``injected`` with its function's, not ``taken``)
        # (nor a global of the user's module: the analysis would resolve the name to it,
        # items = ['apple', ...] taken for the list a comprehension builds, GB 01)
        while name in self.taken or name in _BUILTINS or name in self.injected or \
                name in self.user_globals:
            k += 1
            name = f"{base}_{k}"
        self.taken.add(name)
        return name

    def adjoint(self, name: str) -> str:
        """The adjoint variable of ``name``: ``dname`` unless that is taken."""
        if name not in self._adjoints:
            candidate = "d" + name
            if candidate in self.taken or candidate in _BUILTINS or \
                    candidate in self.user_globals:
                candidate = self.fresh("d_" + name)
            else:
                self.taken.add(candidate)
            self._adjoints[name] = candidate
        return self._adjoints[name]

    def adjoints(self) -> list[str]:
        """Every adjoint name handed out so far."""
        return list(self._adjoints.values())

    def is_reference(self, name: str) -> bool:
        """Whether ``name`` is how generated code reaches a module or helper (``np``)."""
        return name in self._references.values()

    def builtin(self, name: str) -> str:
        """The name under which generated code calls the builtin ``name`` (``len``,
        ``reversed``): its own name, unless the user's module or function binds that
        name to something else (``def reversed(seq)``, ``from numpy import *``'s
        ``min``, a local ``list``)."""
        return self.reference(getattr(builtins, name), name)

    def reference(self, obj: Any, preferred: str) -> str:
        """A name under which generated code reaches ``obj`` (a module, a helper).

        The user's own global is reused when it already is ``obj`` (so generated
        code says ``np.cos`` where the user imported numpy as np); otherwise the
        object is injected under a name that collides with nothing.
        """
        key = id(obj)
        if key in self._references:
            return self._references[key]
        mark = getattr(obj, "__autograd_src_recursion__", None)
        if mark is not None and self.defining is not None and mark == self.defining[0]:
            # a recursive call: by the name of the def being made (the placeholder, run
            # where the name is not the def itself, calls that def once it is made)
            name = self._references[key] = self.defining[1]
            self.injected[name] = obj
            return name
        if (preferred not in self.local_names
                and self.user_globals.get(preferred, getattr(builtins, preferred, None)) is obj):
            name = preferred
        else:
            user_has = preferred in self.user_globals or preferred in self.local_names
            name = self.fresh(("_" + preferred) if user_has else preferred)
            self.injected[name] = obj
        self._references[key] = name
        return name


def recursion_mark(fn: Any, wrt: Any, bindings: Optional[dict]) -> tuple:
    """What identifies a derivative being made, for its recursive calls: they call the
    def being made by its own name (a placeholder resolves them when they run)."""
    return (id(fn), tuple(wrt), tuple(sorted((k, id(v)) for k, v in (bindings or {}).items())))
