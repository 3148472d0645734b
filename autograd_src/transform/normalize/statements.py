"""Split active expressions into one primitive operation per statement (A-normal form).

Statements and control flow live here; expressions in ``expressions.py`` and
calls in ``calls.py``. The result is a ``Normalized`` body (``ir.py``) whose
active operations get adjoints later; inactive statements are kept exactly as
the user wrote them.
"""

from __future__ import annotations

import builtins
import collections
import copy
import functools
import inspect
import types
from collections import Counter
from typing import Any, Optional, Union

import gast
import numpy as np

from ...errors import NoRuleError, SeveralOutputsError
from ...rules import registry, runtime
from .. import mutation, source
from ..desugar import loop_over_positions
from ..ir import (
    Branch,
    Loop,
    Op,
    Primal,
    assign_node,
    assigned_in,
    base_name,
    children,
    load_names,
    name_node,
    parents,
    walk,
)
from ..mutation import allocates, is_user_function, read_later, shared_names, shared_parts
from ..naming import Namer, clone, describe
from ..source import UNRESOLVED, ParsedFunction, imported_names
from .activity import Activity
from .calls import CallNormalizer
from .data import DataNormalizer
from .expressions import ExpressionNormalizer
from .shapes import ShapeFacts

__all__ = ["Normalizer"]



def _numbers_from_text() -> tuple:
    import decimal
    import fractions
    return (float, complex, np.float64, np.float32, np.float16, np.longdouble,
            np.array, np.asarray, np.fromstring, decimal.Decimal, fractions.Fraction)


#: Calls that parse a number out of text.
_NUMBERS_FROM_TEXT = _numbers_from_text()
#: Builtins making text of a value (``str(x)``): a constant, never read back as a number.
_TEXT_OF = frozenset({"str", "repr", "format", "ascii"})
#: Methods of text formatting values into it (``"{:.2f}".format(x)``).
_FORMATTING = frozenset({"format", "format_map"})


def _none_default_idiom(n: gast.Name, above: Any, parent: dict, owner: str) -> bool:
    """Whether ``n`` (``owner``) is read or bound by the idiom of a default None: ``owner
    is None`` (``is not None``), ``owner = {}`` (``[]``, ``dict()``, ``list()``), or ``owner``
    in ``owner = owner if owner is not None else {}`` (``owner or {}``)."""
    if isinstance(above, gast.Compare) and above.left is n and len(above.ops) == 1 and \
            isinstance(above.ops[0], (gast.Is, gast.IsNot)) and \
            isinstance(above.comparators[0], gast.Constant) and \
            above.comparators[0].value is None:
        return True
    if isinstance(n.ctx, gast.Store):
        return isinstance(above, gast.Assign) and _new_empty_container(above.value)
    if isinstance(above, (gast.IfExp, gast.BoolOp)):
        stmt = parent.get(id(above))
        return isinstance(stmt, gast.Assign) and stmt.value is above and \
            len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name) and \
            stmt.targets[0].id == owner and all(
                v is n or _new_empty_container(v) for v in (
                    [above.body, above.orelse] if isinstance(above, gast.IfExp)
                    else above.values))
    return False


def _new_empty_container(value: Any) -> bool:
    """``{}``, ``[]``, ``dict()`` or ``list()``."""
    return isinstance(value, (gast.Dict, gast.List)) and not getattr(
        value, "keys", getattr(value, "elts", None)) or isinstance(value, gast.Call) and \
        isinstance(value.func, gast.Name) and value.func.id in ("dict", "list") and \
        not value.args and not value.keywords


def _writes_text(node: Any) -> bool:
    """Whether ``node`` is written to make text of its operands, whatever they are (an
    f-string, ``"%.2f" % v``, ``str(v)``, ``"{}".format(v)``)."""
    if isinstance(node, gast.JoinedStr):
        return True
    if isinstance(node, gast.BinOp):
        return isinstance(node.op, gast.Mod) and isinstance(node.left, gast.Constant) and \
            isinstance(node.left.value, str)
    return isinstance(node, gast.Call) and (
        isinstance(node.func, gast.Name) and node.func.id in _TEXT_OF or
        isinstance(node.func, gast.Attribute) and node.func.attr in _FORMATTING)
#: Methods and attributes giving a view of an array (a write through it reaches it).
_VIEWS = mutation.VIEW_METHODS | {"__getitem__"}


def _through_views(expr: Any) -> Any:
    """The array ``expr`` is a view of, through view methods and attributes
    (``W.view()``, ``W.reshape(n).T``: ``W``), else ``expr``."""
    while True:
        if isinstance(expr, gast.Call) and isinstance(expr.func, gast.Attribute) and \
                expr.func.attr in _VIEWS:
            expr = expr.func.value
        elif isinstance(expr, gast.Attribute) and expr.attr in _VIEWS:
            expr = expr.value
        else:
            return expr


#: Methods of text giving a count or a test of it (integers, steps of the value).
_TEXT_COUNTS = frozenset({"count", "find", "rfind", "index", "rindex", "startswith",
                          "endswith", "isdigit", "isnumeric", "isdecimal", "isalpha",
                          "isspace", "__len__", "__contains__"})
#: Methods that store or show what they are given (text beside a value: a log line).
_STORING = frozenset({"append", "extend", "insert", "add", "update", "setdefault", "write",
                      "writelines", "info", "debug", "warning", "error", "log", "set_description",
                      "set_postfix"})

#: Functions that call the functions given them and keep none (``map(f, xs)``,
#: ``sorted(xs, key=f)``).
_RUN_ONLY = (map, filter, sorted, min, max, sum, any, all, functools.reduce, print)


def _new_array(value: gast.expr) -> bool:
    """Whether ``value`` surely makes a new array or number: arithmetic that a list or
    tuple cannot do (``v * 2.0``, ``v - w``, ``-v``; not ``a + b`` or ``a * k``, which
    may join or repeat lists holding the items they held)."""
    if isinstance(value, gast.Constant):  # (c = 0.0 at each pass: a new number)
        return isinstance(value.value, (int, float, complex)) and \
            not isinstance(value.value, bool)
    if isinstance(value, gast.UnaryOp):
        return isinstance(value.op, (gast.USub, gast.UAdd))
    if not isinstance(value, gast.BinOp):
        return False
    if not isinstance(value.op, (gast.Add, gast.Mult)):
        return True
    return any(isinstance(side, gast.Constant) and type(side.value) is float
               for side in (value.left, value.right))


def _pure_arguments(call: gast.Call, parsed: ParsedFunction) -> bool:
    """Whether reading ``call``'s arguments changes nothing and differentiates nothing:
    names, items, attributes, arithmetic, and calls of NumPy, ``math`` and builtins
    (``float(l)``, ``np.mean(x)``) or of ``.copy()`` and ``.item()``."""
    for node in walk(gast.Tuple(elts=list(call.args), ctx=gast.Load())):
        if isinstance(node, (gast.Lambda, gast.NamedExpr, gast.Yield, gast.Await)):
            return False
        if isinstance(node, gast.Call):
            if isinstance(node.func, gast.Attribute) and node.func.attr in _PURE_METHODS:
                continue
            fn = parsed.resolve(node.func)
            if getattr(fn, "__module__", None) not in _PURE_MODULES and \
                    not isinstance(fn, np.ufunc) and fn not in _PURE_BUILTINS:
                return False
    return True


_PURE_METHODS = frozenset({"copy", "item", "tolist", "sum", "mean", "max", "min"})
_PURE_MODULES = frozenset({"math", "numpy", "numpy.core.fromnumeric", "numpy._core.fromnumeric",
                           "numpy.linalg", "numpy.linalg._linalg", "numpy.linalg.linalg"})
_PURE_BUILTINS = (float, int, abs, len, tuple, list, round, min, max, sum)


class Normalizer(DataNormalizer, CallNormalizer, ExpressionNormalizer, Activity, ShapeFacts):
    def __init__(self, parsed: ParsedFunction, wrt: list[str], namer: Namer) -> None:
        self.parsed = parsed
        self.namer = namer
        self.active: set[str] = set(wrt)
        self.wrt = list(wrt)
        self.state_reads: set[str] = set()  # see ExpressionNormalizer.hoist
        #: Parameters an operator applies to beside a differentiated value, and the
        #: methods by which an argument's own class would take part (checked per call).
        self.operand_params: dict[str, set[str]] = {}
        self.state_roots: dict[str, str] = {}  # attributes': their root (self of self.w)
        self.body: list[Union[Primal, Op]] = []
        self.origin: gast.stmt = parsed.node
        self.scalars: set[str] = set()
        self.shape_class: dict[str, int] = {}  # see Op.classes
        self.classes_made = 0
        self.slice_classes: dict[tuple, int] = {}  # (class of the array, rows dropped)
        self.counters: set[str] = set()  # variables of range loops, not rebound
        self.scalar_sequences: set[str] = set()
        #: Temporaries holding a list of numbers made here (``min(a, b, c)``'s items).
        self.number_lists: set[str] = set()
        #: Local names always holding a float array of so many dimensions (see
        #: `shapes.float_array_ndims`): ``R[i, j]`` of one is a number.
        self.float_arrays: dict[str, int] = {}
        #: Names surely holding an array of their own (not an argument, alias or view).
        self.owned: set[str] = set()
        #: Names holding Python lists now, and every name that ever held one.
        self.lists: set[str] = set()
        #: Names that may hold a list or tuple the code cannot see (a helper's
        #: arguments, what helpers return, their items): ``a + b`` on two of them
        #: may be a concatenation. Never shrinks: a guess made safe at every join.
        self.opaque: set[str] = set()
        #: Names whose arrays an adjoint reads (y * z reads z): the adjoint keeps a
        #: reference, not a copy, so they must not be changed in place afterwards.
        self.read_by_adjoints: set[str] = set()
        self.all_lists: set[str] = set()
        #: Whether this is a helper's derivative (it may return several values).
        self.helper = False
        #: Functions defined inside the function: name -> (def node, the block holding it).
        self.local_functions: dict[str, tuple] = {}
        #: Parameters that hold dicts in the calls this code is made for.
        self.dicts: set[str] = set()
        #: Parameters that hold lists or tuples in the calls this code is made for.
        self.sequences_given: set[str] = set()
        #: Closures made by a factory here: name -> (the composition, saved arguments).
        self.closures: dict[str, tuple] = {}
        #: The closures the other arm of an if made (their kept names reused there).
        self.closure_hints: dict[str, tuple] = {}
        #: Nested functions and closures given a second name (``h = step``, ``fs =
        #: [step]``) while they read no differentiated value: (function, the name node).
        self.functions_named_again: list[tuple[str, Any]] = []
        #: The derivatives of calls whose function is known only as the code runs.
        self.dynamic_calls: list = []
        #: Per statement: the names read after it, and those surely bound before it.
        self.read_later, self.bound_before = read_later(parsed.node.body)
        self._values_read_later: Optional[dict[int, frozenset]] = None
        self._read_outside_calls: Optional[set[str]] = None
        self._alias_groups: Optional[dict[str, set[str]]] = None
        self.local_derivatives: dict[tuple, tuple[str, str]] = {}
        #: Names that may share their array with another name (``y = x``, ``y = x[1:]``).
        self.shared: set[str] = set()
        # array -> names that shared its memory when an update was checked only where
        # it wrote (M[1] = ... beside r = M[0]): the update made M a new array, so a
        # later one can no longer be checked against them
        self.detached: dict[str, set] = {}
        # lists and dicts passed in that the function works on a copy of (written back
        # at the end): their items are still the caller's arrays
        self.container_copies: set[str] = set()
        #: names given to a helper whose backward reads them by name as it runs (an
        #: object's attributes then), not only values read from them once
        self.read_as_it_runs: set[str] = set()
        #: names the adjoints of operations other than helpers' keep (a rule's)
        self.held_by_rules: set[str] = set()
        #: list or dict arguments bound to another one on some paths (if cache is None:
        #: cache = {}): the name of the copy the caller's is given back from, which only
        #: writes in place reach (`normalize`, HC 01)
        self.copies_held: dict[str, str] = {}
        #: Arguments' arrays copied at the start and put back into the caller's at the end.
        self.arrays_written_back: set[str] = set()
        # name -> the objects and outside lists its array was stored on or into, kept for
        # the caller (m.last_h = h, HISTORY.append(h)): read after the function returns
        self.stored_on: dict[str, set[str]] = {}
        # name -> whether each item carries gradient, for a tuple bound once in code
        # grad generated (back = (v, X.shape[1]), a helper's arguments kept)
        self.tuple_items: dict[str, list[bool]] = {}
        self._changed_in_place: Optional[set[str]] = None  # (`changed_in_place`)
        self._own_names: Optional[set[str]] = None  # (`own_names`)
        self._closed_over: Optional[set[str]] = None  # (`closed_over`)
        self._unread_lists: Optional[set[str]] = None  # (`unread_lists`)
        #: The arrays (names) whose memory a name's value may be a view of, through any
        #: chain of views, items and lists (top = T[0][1:]: T; a, b = np.hsplit(u, 2): u)
        self.view_roots: dict[str, set[str]] = {}
        #: Local names that may hold a module's (or enclosing function's) array, and
        #: which (``b = BUF``, ``row = BUF[0]``): a write through them changes it.
        self.global_arrays: dict[str, str] = {}
        self.reassigned = {n.id for n in walk(parsed.node) if isinstance(n, gast.Name)
                           and isinstance(n.ctx, gast.Store)}
        #: How often each name is assigned in the function.
        self.stores = Counter(n.id for n in walk(parsed.node) if isinstance(n, gast.Name)
                              and isinstance(n.ctx, gast.Store))
        # Subscripts and transposes already computed: source text -> (name, names read).
        self.available: dict[Any, tuple[str, set[str]]] = {}  # expr_key -> name, reads
        #: Names bound to an item or attribute read once (``hoist``): what they read.
        #: Temporaries comprehensions were built in, not yet handed to a name.
        self.comprehensions: set[str] = set()
        #: Local names bound once to a derivative made here (dH = grad(H)): its name.
        self.derivative_names: dict[str, str] = {}
        self.state_values: dict[str, gast.expr] = {}
        #: Arrays of state the derivatives of the helpers called so far read by
        #: reference in their backward (see `ir.Normalized.state_arrays`), as they
        #: are read, and by the id of what they hold now: (array, text, helper).
        self.helper_state_reads: list = []
        self.helper_state_arrays: dict[int, tuple] = {}
        #: Temporaries holding a view of module state made inside an expression
        #: (``A[::-1]``, ``A.reshape(-1)``): the expression.
        self.state_views: dict[str, gast.expr] = {}
        #: Of those, the ones whose attribute was set since (m.buf = m.buf.copy()).
        self.state_rebound: set[str] = set()
        #: Lists and dicts made of another's items as they are (`holds_items_of`):
        #: name -> the names whose items it holds.
        self.items_held_from: dict[str, set] = {}
        #: Lists and dicts given to a function that may keep them (`kept_by_callees`):
        #: name -> (the function, where).
        self.given_away_at: dict[str, tuple] = {}
        #: Names holding text made from a differentiated value (``s = f"{x}"``).
        self.texts: set[str] = set()
        #: The names holding the caller's own list, dict or array an argument was copied
        #: from (``st_given = st``), read by ``_ad.written_back`` alone, at the end.
        self.given_names: set[str] = set()
        #: (parameter, attribute) a helper logs converted values into (`Normalized`).
        self.logged: set = set()
        # Checks `emit_check` places after the statement being normalized (a log's,
        # `logged_list_apart`): (helper, arguments)
        self.emit_check_after: list = []
        #: Arrays of known dimensions (`float_arrays`) -> the names holding a row of one
        #: (``u = U[n]``) or a part of such a row (`DataNormalizer.viewed_by_rows_only`).
        self.row_views: dict[str, set] = {}

    def error(self, node: Any, message: str, cls: type = None) -> Exception:
        kwargs = {} if cls is None else {"cls": cls}
        return self.parsed.error(node, message, **kwargs)

    def statement(self, stmt: gast.stmt) -> bool:
        """Normalize one statement; returns False after a return statement."""
        self.origin = stmt
        if self.functions_named_again:
            self.no_second_name_for_a_function_now_differentiated()
        if isinstance(stmt, (gast.Assign, gast.Expr, gast.AugAssign)):
            self.functions_stored_by_calls(stmt.value)
        if getattr(stmt, "gives_back", False):  # X_given = _ad.written_back(X_given, X)
            self.body.append(Primal(stmt, stmt, {stmt.targets[0].id}))
            return True
        self.no_number_from_text(stmt)
        self.no_write_by_a_method(stmt)
        self.no_change_inside_an_expression(stmt)
        self.no_setdefault_of_a_differentiated_value(stmt)
        if isinstance(stmt, gast.Assign):
            self.assign(stmt)
        elif isinstance(stmt, gast.AugAssign):
            self.aug_assign(stmt)
        elif isinstance(stmt, gast.AnnAssign):
            if stmt.value is None:
                return True
            plain = gast.copy_location(gast.Assign(targets=[stmt.target], value=stmt.value,
                                                   type_comment=None), stmt)
            self.assign(plain, original=stmt)
        elif isinstance(stmt, gast.Expr):
            self.expression_statement(stmt)
        elif isinstance(stmt, gast.Return):
            return False
        elif isinstance(stmt, gast.FunctionDef):
            defaults = stmt.args.defaults + [d for d in stmt.args.kw_defaults if d is not None]
            active = next((d for d in defaults if self.is_active(d)), None)
            if active is not None:  # def g(z, a=a) with a differentiated
                raise self.error(active, f"the default {gast.unparse(active).strip()} of "
                                         f"{stmt.name}() is a differentiated value, read "
                                         f"when {stmt.name} is defined, which grad does not "
                                         f"follow: pass it to {stmt.name}() as an argument")
            self.body.append(Primal(stmt, stmt, {stmt.name}))
            self.assigned({stmt.name})
            self.active.discard(stmt.name)
            self.local_functions[stmt.name] = (stmt, self.body)
        elif isinstance(stmt, gast.If):
            self.branch(stmt)
        elif isinstance(stmt, (gast.For, gast.While)):
            self.loop(stmt)
        elif isinstance(stmt, gast.Delete):
            self.delete(stmt)
        elif isinstance(stmt, (gast.Import, gast.ImportFrom)):  # (a module, a function)
            bound = set(imported_names(stmt))
            self.body.append(Primal(stmt, stmt, bound))
            self.assigned(bound)
            self.active -= bound
        else:  # pass, assert, raise, break: no values to differentiate
            self.body.append(Primal(stmt, stmt))
        return True

    @functools.cached_property
    def calls_setdefault(self) -> bool:
        return any(isinstance(n, gast.Attribute) and n.attr == "setdefault"
                   for n in walk(self.parsed.node))

    def no_setdefault_of_a_differentiated_value(self, stmt: gast.stmt) -> None:
        """Refuse ``z = d.setdefault(k, x * 2.0)``: the value it stores and the one it
        returns are one array (``z *= 2.0`` changes ``d[k]``), which grad cannot follow
        through the method (it lost the store, or the link: wrong values)."""
        if not isinstance(stmt, (gast.Assign, gast.AugAssign, gast.Expr, gast.Return)) or \
                not self.calls_setdefault:
            return
        for node in walk(stmt):
            if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and \
                    node.func.attr == "setdefault" and \
                    any(self.is_active(a) for a in node.args[1:]):
                owner = gast.unparse(node.func.value).strip()
                raise self.error(node, f"{owner}.setdefault() is given a differentiated "
                                       "value, which grad does not follow through the "
                                       f"method: write {owner}[key] = {owner}.get(key, "
                                       f"default) and read {owner}[key]", NoRuleError)

    def no_number_from_text(self, stmt: gast.stmt) -> None:
        """Refuse a value computed from text made of a differentiated value (``float(f"{x}")``,
        ``x * len(str(x))``, a number parsed in a helper given the text) where it meets
        differentiated values: text is kept as a constant, so the value would carry no
        gradient (a derivative of 0 where it is not). Text is followed through names,
        the lists and dicts it is put in, and whatever is computed from it."""
        if not self.formats_text:
            return
        for node in walk(stmt):
            if isinstance(node, gast.Call) and any(self.text_of_active(a) for a in node.args) \
                    and any(self.parsed.resolve(node.func) is f for f in _NUMBERS_FROM_TEXT) \
                    or self.used_with_differentiated_values(node):
                raise self.error(node if getattr(node, "lineno", None) else stmt,
                                 "a number read back from text made of a "
                                 "differentiated value: the text carries no gradient. "
                                 "Use the value itself (round(x, 3) or np.round(x, 3) "
                                 "to round it)")
        if isinstance(stmt, (gast.Assign, gast.AugAssign, gast.AnnAssign)) and \
                stmt.value is not None:
            targets = stmt.targets if isinstance(stmt, gast.Assign) else [stmt.target]
            made_of_text = self.text_of_active(stmt.value)
            for target in targets:
                if isinstance(target, gast.Name) and not isinstance(stmt, gast.AugAssign):
                    if made_of_text:
                        self.texts.add(target.id)
                    else:
                        self.texts.discard(target.id)
                elif made_of_text:  # d['s'] = str(x), s += str(x), a, b = s.split()
                    self.texts.update(n.id for n in walk(target) if isinstance(n, gast.Name))
        elif isinstance(stmt, gast.For) and self.text_of_active(stmt.iter):
            self.texts.update(n.id for n in walk(stmt.target) if isinstance(n, gast.Name))
        elif isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call) and \
                isinstance(stmt.value.func, gast.Attribute) and \
                isinstance(stmt.value.func.value, gast.Name) and \
                any(self.text_of_active(a) for a in stmt.value.args):
            self.texts.add(stmt.value.func.value.id)  # log.append(str(x))

    def used_with_differentiated_values(self, node: Any) -> bool:
        """Whether ``node`` is an operation on differentiated values one of whose
        operands is made of text of a differentiated value (``x * float(s)``)."""
        if isinstance(node, gast.BinOp):
            operands = [node.left, node.right]
        elif isinstance(node, gast.UnaryOp):
            operands = [node.operand]
        elif isinstance(node, gast.Call):
            func = node.func
            if isinstance(func, gast.Name) and func.id == "print" or \
                    self._text_source(node) or isinstance(func, gast.Attribute) and (
                        func.attr in _STORING or self.is_text(func.value) or
                        self.text_of_active(func.value)):
                return False  # text made, stored or shown (log.append((x, s)))
            operands = list(node.args) + [k.value for k in node.keywords]
        else:
            return False
        return any(self.text_of_active(o) and not self.is_text(o) for o in operands) and \
            any(self.is_active(o) for o in operands)

    def integer_valued(self, expr: Any) -> bool:
        """Whether ``expr`` is a count or a test of text (``len(s)``, ``s.count(",")``,
        ``s == t``): constant between the values where it steps, as ``np.floor(x)`` is,
        so its gradient of 0 is right (a number parsed from the text would not be)."""
        if isinstance(expr, (gast.Compare, gast.BoolOp)):
            return True
        if isinstance(expr, gast.UnaryOp) and isinstance(expr.op, gast.Not):
            return True
        if not isinstance(expr, gast.Call):
            return False
        if isinstance(expr.func, gast.Attribute):
            return expr.func.attr in _TEXT_COUNTS
        found = self.parsed.resolve(expr.func)
        return any(found is f for f in (len, ord, bool, hash, int))

    @staticmethod
    def is_text(expr: Any) -> bool:
        """Whether ``expr`` is written as text (an f-string, a str literal's method)."""
        return isinstance(expr, gast.JoinedStr) or isinstance(expr, gast.Constant) and \
            isinstance(expr.value, str)

    @functools.cached_property
    def formats_text(self) -> bool:
        """Whether the function formats values as text at all (f-strings, ``%``,
        ``.format``, ``str(x)``): if not, no number can be read back from one."""
        # (a formatter passed on or kept is named: map(str, xs), fmt = "{}".format)
        return any(_writes_text(n) or isinstance(n, gast.Attribute) and
                   n.attr in _FORMATTING or isinstance(n, gast.Name) and
                   n.id in _TEXT_OF for n in walk(self.parsed.node))

    def text_of_active(self, expr: Any) -> bool:
        """Whether ``expr`` is made of text formatted from a differentiated value: the
        text itself, or anything read from or computed with it (``s.split()[0]``,
        ``"".join(...)``, ``helper(s)``); not a count or test of it (``len(s) + 1``),
        whose steps carry no gradient, as ``np.floor(x)``'s do not."""
        if expr is None or self.integer_valued(expr):
            return False
        if self._text_source(expr):
            return True
        return any(self.text_of_active(child) for child in gast.iter_child_nodes(expr)
                   if isinstance(child, gast.AST) and not isinstance(child, gast.expr_context))

    def _text_source(self, expr: Any) -> bool:
        if isinstance(expr, gast.Name):
            return expr.id in self.texts
        if isinstance(expr, (gast.ListComp, gast.GeneratorExp, gast.SetComp, gast.DictComp)):
            # [f"{v}" for v in x], map(str, x) (written so): text of each differentiated item
            # (a dict's values, not its keys: {f"{v:.1f}": v * v ...} reads d[k] as the
            # loop filling d[f"..."] = v * v does)
            made = [expr.value] if isinstance(expr, gast.DictComp) else [expr.elt]
            return any(self.is_active(g.iter) or self.text_of_active(g.iter)
                       for g in expr.generators) and any(
                _writes_text(n) for part in made for n in walk(part))
        if isinstance(expr, gast.JoinedStr):
            return any(isinstance(v, gast.FormattedValue) and self.is_active(v.value)
                       for v in expr.values)
        if isinstance(expr, gast.BinOp) and isinstance(expr.op, gast.Mod) and \
                isinstance(expr.left, gast.Constant) and isinstance(expr.left.value, str):
            return self.is_active(expr.right)
        if isinstance(expr, gast.Call) and isinstance(expr.func, gast.Name) and \
                expr.func.id in _TEXT_OF and \
                self.parsed.resolve(expr.func) is getattr(builtins, expr.func.id):
            return any(self.is_active(a) for a in expr.args)  # str(x), repr(x)
        if isinstance(expr, gast.Call) and isinstance(expr.func, gast.Name) and \
                self.parsed.resolve(expr.func) is map and len(expr.args) > 1 and \
                isinstance(expr.args[0], gast.Name) and expr.args[0].id in _TEXT_OF:
            return any(self.is_active(a) for a in expr.args[1:])  # map(str, xs)
        if isinstance(expr, gast.Call) and isinstance(expr.func, gast.Attribute) and \
                expr.func.attr in _FORMATTING:
            return any(self.is_active(a) for a in expr.args) or any(
                self.is_active(k.value) for k in expr.keywords)
        return False

    def block(self, stmts: list) -> list:
        """Normalize a nested block, returning its items (the current body is kept)."""
        outer, self.body = self.body, []
        for stmt in stmts:
            self.statement(stmt)
        items, self.body = self.body, outer
        self.origin = stmts[-1] if stmts else self.origin
        return items

    def keep_verbatim(self, stmt: gast.stmt, body: list, active_before: set[str],
                      orelse: Optional[list] = None) -> bool:
        """Control flow that computes nothing differentiable stays as the user wrote it,
        or as its statements were rewritten (``d *= 5.0`` as ``d = d * 5.0`` where an
        adjoint reads ``d``'s array: kept as written, the update changed what the
        adjoint reads)."""
        items = body + (orelse or [])
        if any(not isinstance(i, Primal) for i in items):
            return False
        assigned = assigned_in(items) | _stored_here(stmt)
        if assigned & active_before:
            return False
        written = {id(n) for n in walk(stmt) if isinstance(n, gast.stmt)}
        kept = stmt
        if any(id(i.stmt) not in written for i in items):
            kept = copy.copy(stmt)
            kept.body = [i.stmt for i in body] or [gast.Pass()]
            if orelse is not None:
                kept.orelse = [i.stmt for i in orelse]
        self.body.append(Primal(kept, stmt, assigned))
        self.active = active_before - assigned
        return True

    def holds_items_of(self, name: str, copied: Optional[gast.expr]) -> None:
        """``s = {k: S[k] for k in S}`` (``[a for a in S]``, ``[X[i] for i in ...]``):
        ``s`` holds ``S``'s items as they are, as ``S.copy()`` does, so an update in
        place of one of them is checked against ``S`` (GF 06/07: the caller's array
        kept its old values where the update carried gradient)."""
        if not isinstance(copied, gast.Name) or copied.id == name:
            return
        self.owned.discard(name)
        self.shared |= {name, copied.id}
        self.items_held_from.setdefault(name, set()).add(copied.id)

    def truth_of_lists(self, test: gast.expr) -> bool:
        """Whether ``test`` reads its differentiated values only for the truth of lists
        (``stack``, ``stack and k < 7``, ``not stack``): their lengths, without gradient."""
        if isinstance(test, gast.Name) and test.id in self.lists:
            return True
        if isinstance(test, gast.BoolOp):
            return all(self.truth_of_lists(v) or not self.is_active(v) for v in test.values)
        if isinstance(test, gast.UnaryOp) and isinstance(test.op, gast.Not):
            return self.truth_of_lists(test.operand) or not self.is_active(test.operand)
        return False

    def branch(self, stmt: gast.If) -> None:
        active_before = set(self.active)
        scalars_before = set(self.scalars)
        classes_before = dict(self.shape_class)
        owned_before = set(self.owned)
        shared_before = set(self.shared)
        closures_before = dict(self.closures)
        self.available.clear()
        body = self.block(stmt.body)
        closures_body, self.closures = self.closures, dict(closures_before)
        hints, self.closure_hints = self.closure_hints, {**self.closure_hints,
                                                         **closures_body}
        after_body, self.active = self.active, set(active_before)
        scalars_body, self.scalars = self.scalars, set(scalars_before)
        classes_body, self.shape_class = self.shape_class, dict(classes_before)
        owned_body, self.owned = self.owned, set(owned_before)
        # (a name an arm binds anew shares nothing there, but still what it shared on
        # the other arm: y = y0; if flag: y = y * 2.0; then y += c may write into y0;
        # GV 01) what may share after the if is what may after either arm
        shared_body, self.shared = self.shared, set(shared_before)
        self.available.clear()  # what one arm computed, the other never ran
        orelse = self.block(stmt.orelse)
        self.shared |= shared_body
        self.closure_hints = hints
        self.closures = _closures_joined(closures_body, self.closures,
                                         self.active | after_body)
        self.active |= after_body
        self.scalars &= scalars_body  # a scalar after the if only if after both arms
        self.shape_class = _agreed(self.shape_class, classes_body)
        self.owned &= owned_body
        self.lists |= set()
        self.available.clear()
        if self.keep_verbatim(stmt, body, active_before, orelse):
            return
        self.origin = stmt
        if _is_simple(stmt.test) and not load_names(stmt.test) & (
                assigned_in(body + orelse) | self.changed_in_place()):
            # Evaluated again by the adjoint, where its names hold the same values (not
            # i not in seen, with seen.append(i) in a loop: the adjoint's would be full)
            test: gast.expr = stmt.test
        else:  # evaluated once, before the branch, and kept for the adjoint
            name = self.namer.fresh("cond")
            value = stmt.test
            if isinstance(value, gast.BoolOp):  # (a and helper(b): its truth alone, which
                # the code read again for second order takes for no value with gradient)
                value = gast.Call(func=name_node(self.namer.builtin("bool")), args=[value],
                                  keywords=[])
            self.body.append(Primal(assign_node(name, value, stmt), stmt, {name}))
            test = name_node(name)
        self.body.append(Branch(test, body, orelse, stmt))

    def closed_over(self) -> set[str]:
        """The names a nested def or lambda of this function reads (when it is called,
        which the names read later do not tell)."""
        if self._closed_over is None:
            self._closed_over = {n.id for d in walk(self.parsed.node)
                                 if isinstance(d, (gast.FunctionDef, gast.Lambda))
                                 and d is not self.parsed.node
                                 for n in walk(d) if isinstance(n, gast.Name)}
        return self._closed_over

    def unread_lists(self) -> set[str]:
        """Local lists this function only appends to (``history = []``, then only
        ``history.append(traj[t])`` in statements of their own), never read, returned,
        passed, or seen by a nested def: what they hold reaches nothing, so the views
        they keep need not be followed (an update of ``traj`` stays in place, as it
        is in NumPy, and the list sees it as NumPy's would)."""
        if self._unread_lists is None:
            bound: dict[str, bool] = {}
            assigned: Counter = Counter()
            appended: set[int] = set()
            for node in walk(self.parsed.node):
                if isinstance(node, gast.Assign):
                    fresh = isinstance(node.value, gast.List) and not node.value.elts \
                        and len(node.targets) == 1
                    for target in node.targets:
                        if isinstance(target, gast.Name):
                            bound[target.id] = bound.get(target.id, True) and fresh
                            assigned[target.id] += 1
                elif isinstance(node, gast.Expr) and isinstance(node.value, gast.Call) and \
                        isinstance(node.value.func, gast.Attribute) and \
                        node.value.func.attr in ("append", "extend", "insert") and \
                        isinstance(node.value.func.value, gast.Name) and \
                        not node.value.keywords and _pure_arguments(node.value, self.parsed):
                    appended.add(id(node.value.func.value))
            candidates = {name for name, fresh in bound.items() if fresh} - \
                set(self.parsed.params) - self.closed_over()
            stores: Counter = Counter()
            for node in walk(self.parsed.node):
                if isinstance(node, gast.Name) and node.id in candidates:
                    if isinstance(node.ctx, gast.Store):
                        stores[node.id] += 1
                    elif isinstance(node.ctx, gast.Load) and id(node) not in appended or \
                            isinstance(node.ctx, (gast.Del, gast.Param)):
                        candidates.discard(node.id)
                elif isinstance(node, (gast.Global, gast.Nonlocal)):
                    candidates -= set(node.names)
            self._unread_lists = {name for name in candidates
                                  if stores[name] == assigned[name]}  # (not a loop's target)
        return self._unread_lists

    def own_names(self) -> set[str]:
        """The names this function's own body binds, not its nested defs' (whose
        locals are theirs), helpers inlined into it included (their renamed locals)."""
        if self._own_names is None:
            own: set[str] = set()
            todo = list(self.parsed.node.body)
            while todo:
                node = todo.pop()
                if isinstance(node, (gast.FunctionDef, gast.Lambda)):
                    continue  # (its locals are its own; the def's name holds no array)
                if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
                    own.add(node.id)
                todo += children(node)
            self._own_names = own
        return self._own_names

    def changed_in_place(self) -> set[str]:
        """The names whose object this function may change in place anywhere (``seen.append(i)``,
        ``d[k] = v``, ``m.n = v``, ``h(xs)`` of a function of yours or one not known
        here): their values, read by the adjoint, may not be those read before."""
        if self._changed_in_place is None:
            changed: set[str] = set()
            for n in walk(self.parsed.node):
                targets = n.targets if isinstance(n, gast.Assign) else \
                    [n.target] if isinstance(n, gast.AugAssign) else \
                    n.targets if isinstance(n, gast.Delete) else []
                for t in targets:
                    if isinstance(t, (gast.Subscript, gast.Attribute)):
                        root = base_name(t)
                        if root is not None:
                            changed.add(root)
                if isinstance(n, gast.Call):
                    func = n.func
                    if isinstance(func, gast.Attribute) and \
                            func.attr in mutation.MUTATING_METHODS | mutation.SET_CHANGING_METHODS:
                        root = base_name(func.value)
                        if root is not None:
                            changed.add(root)
                    called = self.parsed.resolve(func)
                    if called is UNRESOLVED or is_user_function(called):
                        changed |= {a.id for a in n.args if isinstance(a, gast.Name)}
                        changed |= {k.value.id for k in n.keywords
                                    if isinstance(k.value, gast.Name)}
            self._changed_in_place = changed
        return self._changed_in_place

    def over_keys(self, stmt: gast.For) -> gast.For:
        """``for k in d:`` over a dict's keys, constants: ``for k in _ad.keys(d)``, where
        ``d[k]`` in the body says ``d`` is a dict (a list's items would not index it;
        and list(d) iterates the same either way) or the call passes one, and ``d`` is
        a parameter or a name assigned once. ``for k in sorted(d)`` (``list``, ``tuple``,
        ``reversed``) likewise: ``sorted(_ad.keys(d))``."""
        it, around = stmt.iter, None
        if isinstance(it, gast.Call) and len(it.args) == 1 and \
                isinstance(it.args[0], gast.Name) and \
                self.parsed.resolve(it.func) in _ORDERING_KEYS:
            it, around = it.args[0], it
        if not (isinstance(it, gast.Name) and isinstance(stmt.target, gast.Name)):
            return stmt
        keyed = any(isinstance(n, gast.Subscript) and isinstance(n.value, gast.Name)
                    and n.value.id == it.id and isinstance(n.slice, gast.Name)
                    and n.slice.id == stmt.target.id
                    for s in stmt.body for n in walk(s))
        index = _only_an_index(stmt.target.id, stmt.body)
        if not (index or keyed or it.id in self.dicts or
                self.made_a_container(it.id, (dict,))) or (
                it.id in self.reassigned and self.stores.get(it.id) != 1 and not index):
            return stmt
        keys: gast.expr = gast.Call(
            func=gast.Attribute(value=name_node(self.namer.reference(runtime, "_ad")),
                                attr="keys", ctx=gast.Load()),
            args=[it], keywords=[])
        if around is not None:
            keys = gast.copy_location(gast.Call(func=around.func, args=[keys],
                                                keywords=around.keywords), around)
            if self.parsed.resolve(around.func) is reversed:  # (an iterator, read twice)
                as_list = name_node(self.namer.builtin("list"))
                keys = gast.copy_location(gast.Call(func=as_list, args=[keys], keywords=[]),
                                          around)
        return gast.copy_location(gast.For(
            target=stmt.target, iter=keys, body=stmt.body, orelse=stmt.orelse,
            type_comment=None), stmt)

    def iterated_by_name(self, stmt: gast.For) -> gast.For:
        """``for k, v in P['l'][0].items()`` (``sorted(P['l'][0])``, ``.values()``): the
        container, an item of an argument, bound to a name first (``layer = P['l'][0]``)
        and read through it in the body, so the loop is one over a dict's keys. The
        iterable is evaluated once before the loop, as Python does."""
        it = stmt.iter
        holder = None
        if isinstance(it, gast.Call) and not it.keywords:
            if isinstance(it.func, gast.Attribute) and it.func.attr in ("items", "values",
                                                                        "keys") \
                    and not it.args:
                holder = it.func
            elif len(it.args) == 1 and self.parsed.resolve(it.func) in _ORDERING_KEYS:
                holder = it
        if holder is None:
            return stmt
        subject = holder.value if isinstance(holder, gast.Attribute) else holder.args[0]
        root = base_name(subject) if isinstance(subject, (gast.Subscript, gast.Attribute)) \
            else None  # (P['l'][0].items(), self.slices.items())
        if root is None or any(isinstance(n, gast.Call) for n in walk(subject)) or any(
                isinstance(n, gast.Name) and n.id == root and not isinstance(n.ctx, gast.Load)
                for s in stmt.body for n in walk(s)):
            return stmt  # (only a plain item of a name the loop does not rebind)
        text = gast.unparse(subject).strip()
        if any(isinstance(n, (gast.Subscript, gast.Attribute)) and
               isinstance(n.ctx, (gast.Store, gast.Del)) and gast.unparse(n).strip() == text
               for s in stmt.body for n in walk(s)):
            return stmt  # (self.slices = ... in the body: read where it is read)
        name = self.namer.fresh(describe(subject))
        self.statement(gast.copy_location(assign_node(name, clone(subject), stmt), stmt))
        self.origin = stmt

        class Renamed(gast.NodeTransformer):
            def visit_Subscript(self, node: gast.Subscript) -> Any:
                if gast.unparse(node).strip() == text:
                    return gast.copy_location(name_node(name, node.ctx), node)
                return self.generic_visit(node)

            visit_Attribute = visit_Subscript

        stmt = copy.deepcopy(stmt)
        stmt.body = [Renamed().visit(s) for s in stmt.body]
        if isinstance(holder, gast.Attribute):
            stmt.iter.func.value = name_node(name)
        else:
            stmt.iter.args[0] = name_node(name)
        return stmt

    def walked_back_as_a_list(self, stmt: gast.For) -> gast.For:
        """``for w in P`` over a parameter of a type not known (an object with
        ``__iter__`` alone, a generator) where the body reads differentiated values:
        ``P_items = _ad.iterated(P)`` first, which the gradient's loop walks back (P itself
        where a list, tuple, array or dict); ``reversed(P)`` would fail (HC 06)."""
        it = stmt.iter
        if not (isinstance(it, gast.Name) and it.id in self.parsed.params and
                it.id not in self.reassigned and not self.holds_sequence(it) and
                it.id not in self.dicts and it.id not in self.scalars and
                it.id not in self.scalar_sequences and
                it.id not in getattr(self.parsed, "given_tuples", ()) and
                it.id not in getattr(self.parsed, "given_arrays", ()) and
                {n.id for s in stmt.body for n in walk(s)
                 if isinstance(n, gast.Name)} & self.active):
            return stmt
        items = self.namer.fresh(f"{it.id}_items")
        self.statement(gast.copy_location(assign_node(items, gast.Call(
            func=gast.Attribute(value=name_node(self.namer.reference(runtime, "_ad")),
                                attr="iterated", ctx=gast.Load()),
            args=[name_node(it.id)], keywords=[]), stmt), stmt))
        self.origin = stmt
        walked = gast.copy_location(gast.For(target=stmt.target, iter=name_node(items),
                                             body=stmt.body, orelse=stmt.orelse,
                                             type_comment=None), stmt)
        walked.shown_as = getattr(stmt, "shown_as", None) or \
            gast.unparse(stmt).strip().splitlines()[0]  # (its comments: as written)
        return walked

    def loop(self, stmt: Union[gast.For, gast.While]) -> None:
        if isinstance(stmt, gast.For) and isinstance(stmt.target, gast.Name) and \
                stmt.target.id in self.active and not self.is_active(stmt.iter):
            # for v in ys (constants) where v held a differentiated value (an outer
            # loop's item): for v_item in ys: v = v_item, whose adjoint drops v's
            # (the loop's own binding had none: v's adjoint went on to the old value)
            item = self.namer.fresh(f"{stmt.target.id}_item")
            stmt = gast.copy_location(gast.For(
                target=name_node(item, gast.Store()), iter=stmt.iter,
                body=[assign_node(stmt.target.id, name_node(item), stmt)] + stmt.body,
                orelse=stmt.orelse, type_comment=None), stmt)
        if isinstance(stmt, gast.For):
            stmt = self.iterated_by_name(stmt)
            stmt = self.loop_over_keys(stmt)
            if not isinstance(stmt.target, gast.Name):
                raise self.error(stmt.target, "a for loop must assign one name (for i in "
                                              "range(n)); unpack inside the body instead")
            stmt = self.over_keys(stmt)
            if self.is_active(stmt.iter):
                if not isinstance(stmt.iter, gast.Name):  # for v in d.values(): a list first
                    items = self.namer.fresh("items")
                    self.assign(gast.copy_location(assign_node(items, stmt.iter, stmt), stmt))
                    stmt = gast.copy_location(gast.For(
                        target=stmt.target, iter=name_node(items), body=stmt.body,
                        orelse=stmt.orelse, type_comment=None), stmt)
                # for x in xs: loop over positions (on a copy: an enclosing loop's
                # next pass normalizes this statement again, and must see it as written)
                for rewritten in loop_over_positions(self.parsed, self.namer,
                                                     copy.copy(stmt)):
                    self.statement(rewritten)
                return
            stmt = self.walked_back_as_a_list(stmt)
        elif self.is_active(stmt.test) and not self.truth_of_lists(stmt.test):
            # (while stack: a list's truth is its length, which has no gradient; so in
            # while stack and k < 7)
            raise self.error(stmt.test, "a while condition must be a comparison or another "
                                        "value without gradient")
        if isinstance(stmt, gast.For) and not (
                isinstance(stmt.iter, gast.Call)
                and self.parsed.resolve(stmt.iter.func) is range):
            # for row in M: each row is a view of M (row += x would change M); of a
            # list, the items are shared, not the list: it may still grow (xs.append);
            # nor is a dict iterated through a new list of its keys (sorted(q), q.keys())
            viewed = {n.id for n in walk(stmt.target) if isinstance(n, gast.Name)}
            iterated = {n for n in load_names(stmt.iter) if not self.namer.is_reference(n)
                        and not callable(self.parsed.resolve(name_node(n)))}  # (not sorted)
            self.shared |= viewed | iterated
            copied = isinstance(stmt.iter, gast.Call) and (
                self.parsed.resolve(stmt.iter.func) is sorted or
                isinstance(stmt.iter.func, gast.Attribute) and stmt.iter.func.attr == "keys")
            self.owned -= viewed | (set() if copied else iterated - self.lists)
        active_before = set(self.active)
        taken = set(self.namer.taken)
        entry = set(active_before)
        scalars = set(self.scalars)
        classes = dict(self.shape_class)
        owned = set(self.owned)
        closures = dict(self.closures)
        read_on_entry = set(self.read_by_adjoints)
        while True:  # activity and scalar facts flow around the loop: find a fixed point
            # (what adjoints read as the loop starts they still read on its first pass,
            # whatever a pass before bound anew: ctx.append after a loop over ctx)
            self.read_by_adjoints |= read_on_entry
            self.active = set(entry)
            self.scalars = set(scalars)
            self.shape_class = dict(classes)
            self.owned = set(owned)
            self.closures = dict(closures)
            self.available.clear()
            if isinstance(stmt, gast.For):
                self.active.discard(stmt.target.id)
                self.assigned({stmt.target.id})
                if self.parsed.resolve(getattr(stmt.iter, "func", None)) is range or (
                        isinstance(stmt.iter, gast.Name)
                        and stmt.iter.id in self.scalar_sequences):
                    self.scalars.add(stmt.target.id)
                if self.parsed.resolve(getattr(stmt.iter, "func", None)) is range:
                    self.counters.add(stmt.target.id)
            body = self.block(stmt.body)
            agreed = _agreed(classes, self.shape_class)
            # (a closure the body binds anew reaches the next pass's calls: one binding
            # differing from the one before the loop is not known there)
            joined = _closures_joined(closures, self.closures, self.active | entry)
            if self.active <= entry and scalars <= self.scalars and owned <= self.owned \
                    and agreed == classes and joined == closures:
                self.closures = joined  # (the loop may not run: known where both agree)
                break
            closures = joined
            entry |= self.active
            scalars &= self.scalars
            classes = agreed
            owned &= self.owned
            # (names again as on the first pass; those of nested defs' derivatives
            # already placed beside their defs, outside the loop, stay taken)
            self.namer.taken = set(taken) | {d for d, _, _ in self.local_derivatives.values()}
        self.active = entry
        self.scalars = scalars
        self.shape_class = classes
        self.owned = owned
        self.available.clear()
        if self.keep_verbatim(stmt, body, active_before):
            return
        header = copy.copy(stmt)
        header.body, header.orelse = [], []
        if isinstance(stmt, gast.For) and load_names(stmt.iter) & self.reassigned:
            # The adjoint loop re-reads the range after the primal has run: keep it.
            steps = self.namer.fresh("steps")
            self.body.append(Primal(assign_node(steps, stmt.iter, stmt), stmt, {steps}))
            header.iter = name_node(steps)
        breaks = any(isinstance(n, gast.Break) for n in walk(stmt))
        counter = self.namer.fresh("iterations") if isinstance(stmt, gast.While) or breaks \
            else None
        self.body.append(Loop(header, body, stmt, counter))

    def delete(self, stmt: gast.Delete) -> None:
        """``del xs[i]`` (the fence lets only subscripts through): of a list of
        differentiated values, ``xs.pop(i)``; of anything else, kept as it is unless
        the value carries gradient."""
        for target in stmt.targets:
            one = gast.copy_location(gast.Delete(targets=[target]), stmt)
            if not self.is_active(target.value):
                subject = target.value
                if isinstance(subject, gast.Name) and \
                        self.changed_list_read_by_adjoints(subject.id, stmt) and \
                        (subject.id in self.owned or self.bound_to_new_lists(subject.id)):
                    # (del tokens[0] after a loop over tokens: a new list, as
                    # tokens.pop(0) makes; HJ 04)
                    key = target.slice
                    if isinstance(key, gast.Slice):
                        key = gast.Call(func=name_node(self.namer.builtin("slice")), args=[
                            b or gast.Constant(value=None, kind=None)
                            for b in (key.lower, key.upper, key.step)], keywords=[])
                    rest = gast.Call(func=gast.Attribute(
                        value=name_node(self.namer.reference(runtime, "_ad")),
                        attr="deleted", ctx=gast.Load()),
                        args=[name_node(subject.id), key], keywords=[])
                    made = gast.copy_location(assign_node(subject.id, rest, stmt), stmt)
                    made.shown_as = gast.unparse(one).strip()
                    self.statement(made)
                    self.origin = stmt
                    self.owned.add(subject.id)
                    self.lists.add(subject.id)
                    continue
                self.no_change_seen_by_adjoints(target, stmt)
                self.body.append(Primal(one, stmt))
                continue
            key = target.slice
            if isinstance(target.value, gast.Name) and target.value.id in self.lists and \
                    not isinstance(key, gast.Slice) and not (
                        isinstance(key, gast.Constant) and isinstance(key.value, str)):
                pop = gast.copy_location(gast.Call(
                    func=gast.Attribute(value=name_node(target.value.id), attr="pop",
                                        ctx=gast.Load()), args=[key], keywords=[]), stmt)
                self.expression_statement(gast.copy_location(gast.Expr(value=pop), stmt))
                continue
            subject, item = gast.unparse(target.value).strip(), gast.unparse(key).strip()
            fix = f"{subject} = {{k: v for k, v in {subject}.items() if k != {item}}}" \
                if isinstance(key, gast.Constant) and isinstance(key.value, str) else \
                f"{subject} = list({subject}) first, a list of this function's own"
            raise self.error(target, f"del {gast.unparse(target).strip()} on a "
                                     "differentiated value is not supported here: "
                                     f"build a new one without the item ({fix})")

    def dict_update_as_items(self, call: gast.Call) -> Optional[list]:
        """``d.update(n=v, m=w)`` or ``d.update({'n': v})`` of a dict (surely one) as the
        stores Python makes, each value read first: ``d['n'] = v``; None for other calls."""
        subject = call.func.value
        if call.func.attr != "update" or not isinstance(subject, gast.Name):
            return None
        if not call.args and call.keywords and all(k.arg for k in call.keywords):
            pairs = [(gast.Constant(value=k.arg, kind=None), k.value) for k in call.keywords]
        elif len(call.args) == 1 and not call.keywords and \
                isinstance(call.args[0], gast.Dict) and all(
                    isinstance(k, gast.Constant) for k in call.args[0].keys):
            pairs = list(zip(call.args[0].keys, call.args[0].values))
        else:
            return None
        if not (subject.id in self.dicts or self.surely_a_dict(subject.id)):
            where = f"{self.parsed.where(self.origin)}: {gast.unparse(call).strip()}"
            check = gast.Expr(value=gast.Call(
                func=gast.Attribute(value=name_node(self.namer.reference(runtime, "_ad")),
                                    attr="a_dict", ctx=gast.Load()),
                args=[name_node(subject.id), gast.Constant(value=where, kind=None)],
                keywords=[]))
            self.body.append(Primal(gast.copy_location(check, self.origin), self.origin,
                                    set()))
        stmts: list = []
        values = []
        where = self.origin  # (the statement: d |= {...} makes a call of its own)
        for _, item in pairs:
            if len(pairs) > 1 and not isinstance(item, gast.Constant):
                held = self.namer.fresh("value")
                stmts.append(gast.copy_location(assign_node(held, item, where), where))
                item = name_node(held)
            values.append(item)
        for (key, _), item in zip(pairs, values):
            target = gast.Subscript(value=name_node(subject.id), slice=clone(key),
                                    ctx=gast.Store())
            stmts.append(gast.copy_location(gast.Assign(targets=[target], value=item,
                                                        type_comment=None), where))
        return stmts

    def in_place_method(self, value: gast.Call, appends: bool = False) -> Optional[gast.stmt]:
        """``xs.reverse()``, ``xs.sort(...)``, ``xs.insert(i, v)`` on a list of the
        function's own holding differentiated values, as the new list assigned
        (``xs = xs[::-1]``, ``xs = sorted(xs, ...)``, ``xs = xs[:i] + [v] + xs[i:]``);
        with ``appends``, ``xs.append(v)`` and ``xs.extend(vs)`` too (``xs = xs + [v]``,
        ``xs = xs + list(vs)``); None for other calls."""
        subject, method = value.func.value, value.func.attr
        if not (isinstance(subject, gast.Name) and subject.id in self.lists
                and (subject.id in self.owned or appends and self.bound_to_new_lists(subject.id))):
            return None
        name = subject.id
        if appends and method in ("append", "extend") and len(value.args) == 1 and \
                not value.keywords and not isinstance(value.args[0], gast.Starred):
            added = gast.List(elts=[value.args[0]], ctx=gast.Load()) if method == "append" \
                else gast.Call(func=name_node(self.namer.builtin("list")),
                               args=[value.args[0]], keywords=[])
            new: gast.expr = gast.BinOp(left=name_node(name), op=gast.Add(), right=added)
        elif appends and method == "clear" and not value.args and not value.keywords:
            new = gast.List(elts=[], ctx=gast.Load())
        elif appends and method == "remove" and len(value.args) == 1 and not value.keywords:
            new = gast.Call(func=gast.Attribute(
                value=name_node(self.namer.reference(runtime, "_ad")), attr="removed",
                ctx=gast.Load()), args=[name_node(name), value.args[0]], keywords=[])
        elif method == "reverse" and not value.args and not value.keywords:
            new = gast.Subscript(value=name_node(name), slice=gast.Slice(
                lower=None, upper=None, step=gast.Constant(value=-1, kind=None)),
                ctx=gast.Load())
        elif method == "sort" and not value.args:
            new = gast.Call(func=name_node(self.namer.builtin("sorted")),
                            args=[name_node(name)],
                            keywords=value.keywords)
            if self.parsed.resolve(new.func) is not sorted:
                return None  # sorted is shadowed here
        elif method == "insert" and len(value.args) == 2 and not value.keywords:
            # (_ad.inserted, whose adjoint keeps no copy of the list: a returns loop
            # inserting at 0 kept every list it made, quadratic; GL 03)
            index, item = value.args
            new = gast.Call(func=gast.Attribute(
                value=name_node(self.namer.reference(runtime, "_ad")), attr="inserted",
                ctx=gast.Load()), args=[name_node(name), index, item], keywords=[])
        else:
            return None
        made = gast.copy_location(assign_node(name, new, value), value)
        made.shown_as = gast.unparse(value).strip()  # (as written, in the comments)
        return made

    def item_of_own_lists_appended(self, stmt: gast.Expr) -> Optional[list]:
        """``groups[k].append(v)`` (``groups.setdefault(k, []).append(v)``) on a dict
        this function made of new lists (``groups = {'a': [], 'b': []}``, ``{}``) as
        ``groups[k] = groups[k] + [v]`` (``groups.get(k, []) + [v]``), the key named
        first where it is computed; None where another name may hold one of its lists
        while it grows: every other read of the dict must come after the statements
        appending to it."""
        call = stmt.value
        name = _appended_item_of(call)
        if name is None or call.keywords or len(call.args) != 1:
            return None
        body = self.parsed.node.body
        made = [k for k, top in enumerate(body) if isinstance(top, gast.Assign) and
                len(top.targets) == 1 and isinstance(top.targets[0], gast.Name) and
                top.targets[0].id == name]
        if name in self.parsed.params or len(made) != 1:
            return None
        value = body[made[0]].value
        if not _new_lists_by_key(value) and not (  # (dict(a=[], b=[]))
                isinstance(value, gast.Call) and self.parsed.resolve(value.func) is dict
                and not value.args and value.keywords and
                all(k.arg is not None and isinstance(k.value, gast.List)
                    for k in value.keywords)):
            return None
        receivers, last, reads = set(), -1, []
        for k, top in enumerate(body):
            for node in walk(top):
                if isinstance(node, gast.Expr) and isinstance(node.value, gast.Call) and \
                        _appended_item_of(node.value) == name:
                    subject = node.value.func.value
                    receivers.add(id(subject.value if isinstance(subject, gast.Subscript)
                                     else subject.func.value))
                    last = k
                elif isinstance(node, gast.Name) and node.id == name and k != made[0]:
                    reads.append((k, node))
        if any(id(node) not in receivers and (k <= last or isinstance(node.ctx, gast.Store))
               for k, node in reads):
            return None
        subject = call.func.value
        default: Optional[gast.expr] = None
        if isinstance(subject, gast.Call):  # (d.setdefault(k, []))
            key, default = subject.args
        else:
            key = subject.slice
        statements: list = []
        if not isinstance(key, (gast.Constant, gast.Name)):
            named = self.namer.fresh("key")
            statements.append(gast.copy_location(assign_node(named, key, stmt), stmt))
            key = name_node(named)

        def item(ctx: gast.expr_context) -> gast.Subscript:
            return gast.Subscript(value=name_node(name), slice=copy.deepcopy(key), ctx=ctx)
        old = item(gast.Load()) if default is None else gast.Call(
            func=gast.Attribute(value=name_node(name), attr="get", ctx=gast.Load()),
            args=[copy.deepcopy(key), default], keywords=[])
        grown = gast.BinOp(left=old, op=gast.Add(),
                           right=gast.List(elts=[call.args[0]], ctx=gast.Load()))
        statements.append(gast.copy_location(gast.Assign(
            targets=[item(gast.Store())], value=grown, type_comment=None), stmt))
        return statements

    def expression_statement(self, stmt: gast.Expr) -> None:
        value = stmt.value
        if isinstance(value, gast.Constant) and isinstance(value.value, str):
            return  # a docstring
        if isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) and \
                isinstance(value.func.value, gast.Name) and \
                value.func.attr in ("append", "extend", "insert") and \
                value.func.value.id in self.unread_lists():
            self.body.append(Primal(stmt, stmt))  # (history.append(traj[t]), never read)
            return
        if (isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute)
                and value.func.attr in ("append", "extend")
                and isinstance(value.func.value, gast.Name)
                and value.func.value.id in self.lists and len(value.args) == 1
                and (self.is_active(value.args[0]) or self.is_active(value.func.value))):
            self.append(value.func.value.id, value.args[0], value, value.func.attr)
            return
        if self.popped(value, None):
            return
        items = self.dict_update_as_items(value) if isinstance(value, gast.Call) and \
            isinstance(value.func, gast.Attribute) and value.func.attr == "update" and \
            self.is_active(value) else None
        if items is not None:  # (d.update(k=v) with gradient: the stores it makes)
            for item in items:
                item.shown_as = getattr(stmt, "shown_as", None) or \
                    gast.unparse(stmt).strip().splitlines()[0]  # (comments: as written)
                self.statement(item)
            self.origin = stmt
            return
        appended = self.item_of_own_lists_appended(stmt) if isinstance(value, gast.Call) \
            and isinstance(value.func, gast.Attribute) and self.is_active(value) else None
        if appended is not None:  # (groups[k].append(v): groups[k] = groups[k] + [v])
            self.values_read_later(stmt)  # (computed, to be extended)
            for item in appended:
                item.shown_as = getattr(stmt, "shown_as", None) or \
                    gast.unparse(stmt).strip().splitlines()[0]
                self.stands_for(item, stmt, {t.id for t in item.targets
                                             if isinstance(t, gast.Name)})
                self.statement(item)
            self.origin = stmt
            return
        if (isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute)
                and (self.is_active(value.func.value) or
                     value.func.attr == "insert" and self.is_active(value))):
            # (xs.insert(0, v) of a differentiated v into a list of data: xs then holds it)
            subject = value.func.value
            if isinstance(subject, gast.Name) and subject.id in self.parsed.params and \
                    subject.id not in self.owned and \
                    value.func.attr in ("append", "extend", "insert"):
                raise self.error(value, f"{subject.id}.{value.func.attr}() would change the "
                                        f"list the caller passed, which grad does not do: "
                                        f"make a list of this function's own first "
                                        f"({subject.id} = list({subject.id}))")
            rewritten = self.in_place_method(value) or self.written_whole(value)
            if rewritten is not None:
                inserted_into = subject.id if value.func.attr == "insert" and \
                    isinstance(subject, gast.Name) and subject.id in self.lists else None
                self.statement(rewritten)
                self.origin = stmt
                if inserted_into is not None:  # (a new list of its own, as appended's)
                    self.owned.add(inserted_into)
                    self.lists.add(inserted_into)
                    self.all_lists.add(inserted_into)
                return
            if self.appended_for_the_caller_only(value):
                self.body.append(Primal(stmt, stmt))  # (state['log'].append(float(l)))
                return
            raise self.error(value, f"the method call .{value.func.attr}() on a "
                                    "differentiated value (an array, a list or a dict) may "
                                    "modify it in place, which is not supported: " +
                                    _in_place_advice(gast.unparse(subject).strip(),
                                                     value.func.attr, value))
        if isinstance(value, gast.Call) and self.is_active(value):
            rewritten = self.written_whole(value)
            if rewritten is not None:
                self.statement(gast.copy_location(rewritten, stmt))
                self.origin = stmt
                return
            self.discarded_call(value)
        elif isinstance(value, gast.Call):
            rebound = self.in_place_method(value, appends=True) \
                if self.list_read_by_adjoints(value) else None
            if rebound is not None:
                # (ctx.append(t) after a loop over ctx, whose derivative reads ctx[i] and
                # len(ctx) as it walks back: a new list, so it reads the one it walked;
                # HJ 03/04)
                self.statement(rebound)
                self.origin = stmt
                self.owned.add(value.func.value.id)  # (a new list of its own)
                self.lists.add(value.func.value.id)
                return
            self.no_change_by_call(value, stmt)
            self.held_by_receiver(value)
            self.apart_from_what_a_method_writes(value, stmt)
        self.kept_by_callees(value)
        self.body.append(Primal(stmt, stmt))
        for helper, args in self.emit_check_after:
            self.emit_check(helper, args, stmt)
        self.emit_check_after = []

    def list_read_by_adjoints(self, call: gast.Call) -> bool:
        """Whether ``call`` is a method of a list that the derivative of an earlier line
        reads (``tokens[i]``, ``len(tokens)``, a loop over it), which no other name holds
        (its items aside), nor a loop over it now walks."""
        subject = call.func.value if isinstance(call.func, gast.Attribute) else None
        return isinstance(subject, gast.Name) and \
            self.parsed.resolve(call.func) is UNRESOLVED and \
            self.changed_list_read_by_adjoints(subject.id, call)

    def changed_list_read_by_adjoints(self, name: str, change: Any) -> bool:
        """`list_read_by_adjoints` of the list ``name`` that ``change`` (a call of its
        method, ``del name[i]``) changes."""
        if not (name in self.lists or isinstance(change, gast.Delete) and
                name in self.container_copies) or not self.seen_by_adjoints(name):
            return False
        if any(isinstance(loop, gast.For) and any(
                isinstance(n, gast.Name) and n.id == name for n in walk(loop.iter)) and
               any(n is change for n in walk(loop)) for loop in walk(self.parsed.node)):
            return False  # (for t in ctx: ctx.append(v): Python's loop sees the new item)
        return name not in self.shared or self.held_by_no_other_name(name)

    def held_by_no_other_name(self, name: str) -> bool:
        """Whether every read of the list ``name`` leaves no other hold of it: an item or
        method of it, ``len`` or a NumPy function of it, a loop over it (``reversed``,
        ``enumerate``, ``zip`` of it too)."""
        reached = set()
        for n in walk(self.parsed.node):
            if isinstance(n, (gast.Attribute, gast.Subscript)):
                reached.add(id(n.value))
            elif isinstance(n, (gast.For, gast.comprehension)):
                reached.add(id(n.iter))  # (for t in ys, for i, t in enumerate(ys))
                if isinstance(n.iter, gast.Call) and \
                        self.parsed.resolve(n.iter.func) in (reversed, enumerate, zip):
                    reached |= {id(a) for a in n.iter.args}
            elif isinstance(n, gast.Call):
                function = self.parsed.resolve(n.func)
                if function in _KEEPING_NO_HOLD or \
                        (getattr(function, "__module__", None) or "").startswith("numpy") or \
                        isinstance(n.func, gast.Attribute) and n.func.attr == "join" and \
                        isinstance(n.func.value, gast.Constant) and \
                        isinstance(n.func.value.value, str):
                    # (len(ys), np.stack(ys), " ".join(words): they read the list and
                    # keep no hold of it)
                    reached |= {id(a) for a in n.args}
        return all(id(n) in reached for n in walk(self.parsed.node)
                   if isinstance(n, gast.Name) and n.id == name and isinstance(n.ctx, gast.Load))

    def bound_to_new_lists(self, name: str) -> bool:
        """Whether the function binds ``name`` only to new lists (``[...]``, ``list(v)``,
        ``sorted(v)``, a comprehension), never a parameter of it."""
        if name in self.parsed.params:
            return False
        stores = sum(isinstance(n, gast.Name) and n.id == name and isinstance(n.ctx, gast.Store)
                     for n in walk(self.parsed.node))
        values = [n.value for n in walk(self.parsed.node)
                  if isinstance(n, gast.Assign) and len(n.targets) == 1 and
                  isinstance(n.targets[0], gast.Name) and n.targets[0].id == name]
        return bool(values) and len(values) == stores and all(
            isinstance(v, (gast.List, gast.ListComp)) or
            isinstance(v, gast.Call) and self.parsed.resolve(v.func) in (list, sorted)
            for v in values)

    def apart_from_what_a_method_writes(self, call: gast.Call, stmt: gast.stmt) -> None:
        """``opt.step()`` on an object of a class known as the code runs (or of yours):
        checked, as it runs, that the attributes its method writes into in place hold no
        array an earlier line's derivative reads (``opt.p is w``; GH 07, GJ 01)."""
        if self.parsed.generated or not (
                isinstance(call.func, gast.Attribute) and isinstance(call.func.value, gast.Name)
                and call.func.value.id not in self.namer.injected):
            return
        primitive = self.parsed.resolve(call.func)
        if primitive is not UNRESOLVED and not isinstance(primitive, source.MethodOf):
            return
        bound = self.surely_bound_here()
        read = self.read_by_adjoints_here(bound)
        if not read or call.func.value.id not in bound:
            return
        self.emit_check("apart_from_what_a_method_writes", [
            clone(call.func), gast.Tuple(elts=[name_node(n) for n in read],
                                         ctx=gast.Load())], stmt)

    def kept_by_callees(self, value: Any) -> None:
        """A list or dict of this function's given to a function of yours that may keep
        a hold of it (``k.keep(acc)`` doing ``self.kept = lst``, ``register(acc)``
        appending it to a module's list) is no longer the function's own: an append
        to it afterwards, made on a new list, would leave the other holder the old one
        (GD 01/02), and is refused."""
        for call in walk(value):
            if not isinstance(call, gast.Call):
                continue
            given = [a for a in call.args if isinstance(a, gast.Name)] + \
                [k.value for k in call.keywords if isinstance(k.value, gast.Name)]
            given = [a for a in given if a.id in self.owned and (
                a.id in self.all_lists or a.id in self.lists or a.id in self.dicts)]
            if not given:
                continue
            primitive = self.parsed.resolve(call.func)
            function = primitive.function if isinstance(primitive, source.MethodOf) \
                else primitive
            label = gast.unparse(call.func).strip()
            if primitive is UNRESOLVED and isinstance(call.func, gast.Attribute):
                # (k.keep(acc), k's class known only as the code runs: it may)
                for argument in given:
                    self.owned.discard(argument.id)
                    self.shared.add(argument.id)
                    self.given_away_at[argument.id] = (label, self.parsed.where(call))
                continue
            if not is_user_function(function):
                continue
            kept = mutation.may_keep_arguments(function)
            node = mutation._definition(function)
            params = [a.id for a in node.args.posonlyargs + node.args.args] if node else []
            if isinstance(primitive, source.MethodOf):
                params = params[1:]
            named = dict(zip([id(a) for a in call.args], params))
            named.update({id(k.value): k.arg for k in call.keywords})
            for argument in given:
                if kept is None or named.get(id(argument)) in kept:
                    self.owned.discard(argument.id)
                    self.shared.add(argument.id)
                    self.given_away_at[argument.id] = (label, self.parsed.where(call))

    def a_container(self, name: str) -> bool:
        """Whether ``name`` may hold a list or dict (not surely an array)."""
        return name in self.dicts or name in self.all_lists or \
            name in self.container_copies or name in self.sequences_given or \
            self.holds_sequence(name_node(name)) is True

    def held_by_receiver(self, call: gast.Call) -> None:
        """``out.append(traj[0])`` without gradient: ``out`` holds a view of ``traj``,
        which a later update of ``traj`` with gradient changes, in NumPy, as seen
        through ``out``; both are shared (the update checked, or refused)."""
        if self.parsed.generated or not (
                isinstance(call.func, gast.Attribute) and isinstance(call.func.value, gast.Name)
                and call.func.attr in ("append", "extend", "insert", "update", "setdefault")):
            return  # (grad's own stacks, differentiated again, hold what they keep alone)
        # (a view, traj[0] or w.T, or a name bound only to views, row = traj[t]: not
        # seen.append(i) of a loop's number)
        def a_view(value: gast.expr) -> bool:  # (or an item of a dict or of an
            # argument's list, the object itself: hist.append(state['m']); not i of a
            # loop over a list of numbers)
            if isinstance(value, gast.Subscript):
                base = base_name(value)
                if base is None:
                    return False
                if base in self.all_lists or base in self.dicts or \
                        self.holds_sequence(name_node(base)):
                    return (base in self.dicts or base in self.parsed.params or
                            base in self.container_copies) and \
                        base not in self.scalar_sequences
                return True
            return isinstance(value, gast.Attribute)

        def viewed(arg: gast.expr) -> bool:
            values = self.values_assigned(arg.id) if isinstance(arg, gast.Name) else [arg]
            return bool(values) and all(a_view(v) for v in values)

        held = {n.id for a in list(call.args) + [k.value for k in call.keywords]
                if viewed(a) for n in shared_parts(a, self.parsed.resolve)[0]
                if isinstance(n, gast.Name)}
        # (and an array given itself, out.append(c) with c = np.zeros(2): out[0] is c,
        # which c += x changes in NumPy; a number is rebound, as in Python)
        held |= {a.id for a in list(call.args) + [k.value for k in call.keywords]
                 if isinstance(a, gast.Name) and a.id in self.parsed.locals and
                 (self.surely_an_array(a.id) or a.id in self.float_arrays)}
        held = {n for n in held if not self.namer.is_reference(n)} - self.scalars
        if held:
            receiver = call.func.value.id
            self.owned -= held
            self.shared |= held | {receiver}
            self.view_roots[receiver] = self.view_roots.get(receiver, {receiver}).union(
                *(self.view_roots.get(n, {n}) for n in held))

    def appended_for_the_caller_only(self, call: gast.Call) -> bool:
        """``state['log'].append(float(l))``: an append to a list an argument holds (of
        a dict grad follows, state['rm'] = ... with gradient) that nothing here reads
        again, nor any name that may share it: the caller's list gets the value, and no
        gradient can flow through it here."""
        subject = call.func.value
        base = base_name(subject)
        later = self.read_later.get(id(self.origin))
        if not (isinstance(subject, gast.Subscript) and base in self.parsed.params and
                call.func.attr in ("append", "extend", "insert") and later is not None):
            return False
        holders = self.shared | self.lists | self.all_lists | self.dicts | {base}
        # (not an array or a number: cache['L'] = L shares L's array, never the list)
        holders = {h for h in holders - self.scalars
                   if h == base or not self.bound_to_new_values_only(h)}
        return not (later & holders) and base not in self.read_by_adjoints

    def bound_to_new_values_only(self, name: str) -> bool:
        """Whether every value ``name`` is bound to here is a new object: made by
        arithmetic, a display or a NumPy function (``L = np.linalg.cholesky(K)``), so
        never a list or dict that another name holds (not a parameter, an item read, or
        what a helper returns)."""
        if name in self.parsed.params:
            return False
        values = self.values_assigned(name)
        direct = {id(t) for n in walk(self.parsed.node) if isinstance(n, gast.Assign)
                  for t in n.targets} | {id(n.target) for n in walk(self.parsed.node)
                                         if isinstance(n, gast.AugAssign)}
        if any(isinstance(n, gast.Name) and n.id == name and
               not isinstance(n.ctx, gast.Load) and id(n) not in direct
               for n in walk(self.parsed.node)):
            return False  # (bound by a loop, an unpacking, a with: not followed here)

        def new(value: gast.expr) -> bool:
            if isinstance(value, (gast.BinOp, gast.UnaryOp, gast.Compare, gast.Constant,
                                  gast.List, gast.Dict, gast.Tuple, gast.ListComp,
                                  gast.DictComp, gast.JoinedStr)):
                return True
            if isinstance(value, gast.Call):
                module = getattr(self.parsed.resolve(value.func), "__module__", None) or ""
                return module.startswith("numpy")
            return False
        return bool(values) and all(new(v) for v in values)

    def written_whole(self, call: gast.Call) -> Optional[gast.stmt]:
        """``np.copyto(a, v)``, ``a.fill(v)`` or ``np.add(b, v, out=a)`` (``a`` a name) of
        a differentiated value, run for its effect: the assignment ``a[...] = v``
        (``a[...] = np.add(b, v)``), which grad follows; None for other calls."""
        primitive = self.parsed.resolve(call.func)
        if primitive is np.copyto and len(call.args) == 2 and not call.keywords:
            target, new = call.args
        elif isinstance(call.func, gast.Attribute) and call.func.attr == "fill" and \
                len(call.args) == 1 and not call.keywords and \
                isinstance(call.func.value, gast.Name) and \
                self.surely_an_array(call.func.value.id):
            target, new = call.func.value, call.args[0]
        else:
            outs = [k for k in call.keywords if k.arg == "out"]
            if len(outs) != 1 or primitive is UNRESOLVED or \
                    registry.lookup(primitive) is None or \
                    isinstance(primitive, np.ufunc) and len(call.args) > primitive.nin:
                return None
            target = outs[0].value
            new = gast.Call(func=call.func, args=list(call.args),
                            keywords=[k for k in call.keywords if k.arg != "out"])
        if not isinstance(target, gast.Name):
            return None
        whole = gast.Subscript(value=name_node(target.id), slice=gast.Constant(
            value=Ellipsis, kind=None), ctx=gast.Store())
        return gast.Assign(targets=[whole], value=new, type_comment=None)

    def popped(self, value: Any, target: Optional[gast.expr]) -> bool:
        """``v = xs.pop(i)`` (or ``xs.pop(i)``) on a list of differentiated values the
        function made: ``v = xs[i]`` then ``xs = xs[:i] + xs[i + 1:]``, a new list."""
        if not (isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute)
                and value.func.attr == "pop" and isinstance(value.func.value, gast.Name)
                and value.func.value.id in self.lists and len(value.args) <= 1
                and not value.keywords):
            return False
        name = value.func.value.id
        if not self.is_active(value.func.value):
            # (tokens.pop() after a loop over tokens, whose derivative reads tokens[i]
            # as it walks back: a new list, as for values with gradient; HJ 04)
            if not (self.list_read_by_adjoints(value) and
                    (name in self.owned or self.bound_to_new_lists(name))):
                return False
            self.owned.add(name)
        if self.surely_a_dict(name) or name in self.dicts:
            raise self.error(value, f"{name}.pop(key) on a dict holding differentiated values "
                                    "is not supported: read the item (v = "
                                    f"{name}[key]) and leave the dict as it is, or build a "
                                    "new dict without the key from constants' keys")
        if name not in self.owned:
            raise self.error(value, f"{name}.pop() on a list another name may share is not "
                                    f"supported: pop from a list of its own ({name} = "
                                    f"list({name}))")
        index = value.args[0] if value.args else gast.Constant(value=-1, kind=None)
        if isinstance(index, gast.UnaryOp) and isinstance(index.op, gast.USub) and \
                isinstance(index.operand, gast.Constant) and type(index.operand.value) is int:
            index = gast.Constant(value=-index.operand.value, kind=None)  # pop(-2)
        if self.is_active(index):
            raise self.error(value, f"{name}.pop(i) needs an index i that carries no "
                                    "gradient")
        origin = self.origin
        if target is not None:
            self.assign(gast.copy_location(gast.Assign(targets=[target], value=gast.Subscript(
                value=name_node(name), slice=index, ctx=gast.Load()), type_comment=None),
                origin))

        def part(lower: Any, upper: Any, of: Optional[gast.expr] = None) -> gast.expr:
            bound = [b if b is None or isinstance(b, gast.AST) else
                     gast.Constant(value=b, kind=None) for b in (lower, upper)]
            return gast.Subscript(value=of or name_node(name), slice=gast.Slice(
                lower=bound[0], upper=bound[1], step=None), ctx=gast.Load())

        if isinstance(index, gast.Constant) and type(index.value) is int:
            i = index.value
            rest: gast.expr = part(None, i) if i == -1 else part(i + 1, None) if i == 0 \
                else gast.BinOp(left=part(None, i), op=gast.Add(), right=part(i + 1, None))
        else:  # xs[:i] + xs[i:][1:], right for a negative i too (xs[i + 1:] is not at -1)
            rest = gast.BinOp(left=part(None, copy.deepcopy(index)), op=gast.Add(),
                              right=part(1, None, part(copy.deepcopy(index), None)))
        self.assign(gast.copy_location(assign_node(name, rest, origin), origin))
        self.owned.add(name)
        self.lists.add(name)
        self.all_lists.add(name)
        return True

    def stands_for(self, new: gast.stmt, original: gast.stmt, read_after: set) -> None:
        """Make what is known of the names read after, and bound before, the user's
        ``original`` statement hold for ``new``, one of the statements it is written as
        (``read_after``: the names ``new`` binds for the next ones)."""
        for known in (self.read_later, self._values_read_later):
            if id(original) in known:
                known[id(new)] = frozenset(known[id(original)] | read_after)
        if id(original) in self.bound_before:
            self.bound_before[id(new)] = self.bound_before[id(original)]

    def values_read_later(self, stmt: gast.stmt) -> Optional[frozenset]:
        """The names whose values are read after ``stmt`` (`read_later` without the
        names read for their array's shape alone), computed once when first asked."""
        if self._values_read_later is None:
            self._values_read_later = read_later(self.parsed.node.body, values_only=True)[0]
        return self._values_read_later.get(id(stmt))

    def no_argument_changed_and_read_again(self, call: gast.Call, target: gast.expr,
                                           stmt: gast.stmt) -> None:
        """Check, as ``h = double(u)`` runs, that ``u`` is no array where your ``double``
        writes into its argument in place (``a *= 2.0; return a``) and ``u``, or a name
        sharing its array, is read again or by an earlier adjoint: in NumPy ``u`` changes
        too, which the derivative of the call (made on copies) does not follow."""
        primitive = self.parsed.resolve(call.func)
        if not is_user_function(primitive) or not isinstance(call.func, gast.Name):
            return
        from . import items_written, params_written_in_place
        params, written = params_written_in_place(primitive)
        if not written:
            return
        given = list(zip(params, call.args)) + [(k.arg, k.value) for k in call.keywords]
        if self.is_active(call):
            self.no_number_recorded_and_read_back(call, primitive, given)
        later = self.read_later.get(id(self.origin))
        bound = {n.id for n in walk(target) if isinstance(n, gast.Name)}
        if getattr(self.origin, "binds", None):  # (a_value = bump(a), the value of
            bound.add(self.origin.binds)  # a = bump(a) before its copy is given back)
        call.given_away = self.given_away_to(call, primitive) \
            if isinstance(call.func, gast.Name) else frozenset()
        from . import _viewed_root
        for param, argument in given:
            # (W[:, 0] or W.ravel() given: W's array, written through the view)
            root = _viewed_root(argument, self.parsed.resolve) if not isinstance(
                argument, (gast.Subscript, gast.Attribute)) or not any(
                    isinstance(n, gast.Call) for n in walk(argument)) else None
            if param in written and root is not None and root not in self.scalars and \
                    param not in call.given_away and (
                        later is None or (root in later and root not in bound) or
                        (root not in bound and self.seen_by_adjoints(root)) or (
                            root in self.shared and (self.shared - {root}) & later)):
                # (v = center(v) binds v anew, but w = v.reshape(-1) before, read after,
                # sees NumPy's change)
                # (checked as it runs: on a number, x *= 2 rebinds, as in Python)
                label = gast.unparse(call.func).strip()
                where = (f"{self.parsed.where(stmt)}: {label}() writes into its argument "
                         f"{param} in place, which in NumPy changes {root} (and any name "
                         f"sharing its array), read again after this line or by the "
                         f"derivative of an earlier one; grad computes the call on a copy "
                         f"and cannot follow the change into {root}. Have {label}() work on "
                         f"a copy ({param} = {param}.copy() first) or return a new value")
                ad = self.namer.reference(runtime, "_ad")
                # (written only through items it passes on, h(u[1, 1]): those items,
                # numbers where u has no more dimensions than indices, are checked)
                items = items_written(primitive).get(param) if isinstance(
                    argument, gast.Name) else None
                checked = [gast.Subscript(value=clone(argument), slice=clone(index),
                                          ctx=gast.Load()) for index in items] if items \
                    else [clone(argument)]
                for value in checked:
                    check = gast.Expr(value=gast.Call(
                        func=gast.Attribute(value=name_node(ad), attr="not_an_array",
                                            ctx=gast.Load()),
                        args=[value, gast.Constant(value=where, kind=None)], keywords=[]))
                    if not any(isinstance(p, Primal) and
                               gast.dump(p.stmt) == gast.dump(check) for p in self.body):
                        # (once: ``a, b = h(x)`` is read again as ``values = h(x)``)
                        self.body.append(Primal(gast.copy_location(check, stmt), stmt,
                                                set()))

    def given_away_to(self, call: gast.Call, fn: Any) -> frozenset:
        """The parameters your ``fn`` writes into in place that ``call`` gives an array
        nothing reads after it (``v = center(v)``, ``center(v * x)``; ``v`` an array of
        its own): there NumPy's update of the array and the helper's derivative making
        a new one give the same values, so the helper may update it (`helper_derivative`)."""
        from . import params_written_in_place
        params, written = params_written_in_place(fn)
        later = self.read_later.get(id(self.origin))
        if not written or later is None:
            return frozenset()
        given = list(zip(params, call.args)) + [(k.arg, k.value) for k in call.keywords]
        before = self.bound_before.get(id(self.origin), frozenset())
        mine = set(getattr(self.parsed, "given_away", ()))
        origin = self.origin
        if not isinstance(origin, (gast.Assign, gast.AugAssign, gast.Expr, gast.Return)):
            return frozenset()  # (a loop's test runs again: read_later does not say)
        # (center(v) * np.sum(v): v read again in the statement, after the call)
        reads = [n.id for n in walk(origin) if isinstance(n, gast.Name) and
                 isinstance(n.ctx, gast.Load)]
        bound: set = set()
        if isinstance(origin, gast.Assign) and all(
                isinstance(n, (gast.Name, gast.Tuple)) for t in origin.targets
                for n in walk(t) if not isinstance(n, gast.expr_context)):
            # (v = center(v) * 1.5: the statement binds v anew)
            bound = {n.id for t in origin.targets for n in walk(t) if isinstance(n, gast.Name)}
        away = set()
        for param, argument in given:
            if param not in written:
                continue
            if isinstance(argument, gast.Call) and allocates(
                    self.parsed.resolve(argument.func), argument):
                away.add(param)  # (step(p.copy(), k), step(np.array(p), k): a new array)
                continue
            if not isinstance(argument, (gast.Name, gast.BinOp, gast.UnaryOp)):
                continue
            if not isinstance(argument, gast.Name):
                away.add(param)  # (center(v * x): arithmetic makes a new array)
                continue
            name = argument.id
            if (name in later and name not in bound) or reads.count(name) > 1 or (
                    name in self.shared and (self.shared - {name}) & (later | set(reads))):
                continue  # (read again, itself or through a name sharing its array)
            if self.helper and name in self.parsed.params and name not in before and \
                    name not in mine:
                continue  # (this helper's caller's array, which it may read again)
            if name not in self.owned and name not in mine or name in self.closed_over():
                continue  # (an item of a list, a view, a name a lambda reads when called)
            away.add(param)
        return frozenset(away)

    def no_number_recorded_and_read_back(self, call: gast.Call, primitive: Any,
                                         given: list) -> None:
        """Refuse ``r = rec(x, log)`` where your ``rec`` records a number made of what it
        is given into ``log`` (``lst.append(float(np.sum(a)))``) and this function reads
        ``log`` again: its derivative takes such a record for a log kept for the caller
        (numbers carry no gradient on), so the value read back would be a constant."""
        recorded = _records_numbers(primitive)
        if not recorded:
            return
        if self._read_outside_calls is None:
            self._read_outside_calls = _read_outside_calls(self.parsed.node.body)
        skipped = _arguments_of_calls_for_effect(self.parsed.node.body)
        for param, argument in given:
            if param in recorded and isinstance(argument, gast.Name) and \
                    argument.id in self._read_outside_calls and any(
                        isinstance(n, gast.Name) and n.id == argument.id and
                        isinstance(n.ctx, gast.Load) and n is not argument and
                        id(n) not in skipped for n in walk(self.parsed.node)):
                # (read other than by this call or calls made for their effect)
                label = gast.unparse(call.func).strip()
                raise self.error(call, f"{label}() records a number computed from a "
                                       f"differentiated value into {argument.id} "
                                       f"({param} in {label}()), which this function reads "
                                       f"again: grad takes such a record for a log and "
                                       f"cannot follow the value through it. Have "
                                       f"{label}() return the value and use that")

    def list_of_its_own(self, name: str) -> bool:
        """Whether ``name`` holds a list this function made (``ys = [k]``), which no
        adjoint reads whole and no other name may hold: read only through its items
        and methods (``ys[i]``, ``ys.append(v)``, ``len(ys)``)."""
        if name not in self.lists or name in self.parsed.params or \
                name in self.read_by_adjoints:
            return False
        return self.held_by_no_other_name(name)

    def no_change_by_call(self, call: gast.Call, stmt: gast.stmt) -> None:
        """A call on values without gradient may still change in place an array an
        adjoint reads (``z.fill(0)``, ``np.copyto(z, v)``, ``np.exp(v, out=z)``)."""
        primitive = self.parsed.resolve(call.func)
        changed: list = []
        if isinstance(call.func, gast.Attribute) and primitive is UNRESOLVED and \
                call.func.attr in mutation.MUTATING_METHODS and not (
                    isinstance(call.func.value, gast.Name) and
                    call.func.attr in _CONTAINER_ONLY_METHODS and (
                        call.func.value.id in self.container_copies or
                        self.list_of_its_own(call.func.value.id))):
            # (log.append(v) on the function's copy of the caller's list, or on a list
            # it made and only indexes, rebinds its slots: no array an adjoint read
            # changes)
            changed.append(call.func.value)
        if primitive is not UNRESOLVED and mutation.writes_in_place(primitive, call):
            changed += list(call.args[:1]) + [k.value for k in call.keywords if k.arg == "out"]
        if isinstance(primitive, types.FunctionType) and is_user_function(primitive) and \
                not mutation.helper_writes_into(primitive, attributes=False):
            # (q = p[0]; q *= 2.0 into a row of an array an earlier derivative reads)
            self.no_write_through_an_item(call, primitive, gast.unparse(call.func).strip())
        if primitive is not UNRESOLVED and is_user_function(primitive) and \
                mutation.helper_writes_into(primitive, attributes=False):
            # (a helper setting attributes of its argument, count(m) doing m.steps =
            # ..., changes no array: what adjoints read of m was read once). Where the
            # parameters it writes into are known (mark(seen, i) appends to its first),
            # only what the call gives them.
            params, untouched = _parameters_left_alone(primitive)
            given = list(zip(params, call.args)) + [(k.arg, k.value) for k in call.keywords]
            changed += [a for p, a in given if p not in untouched] \
                if len(call.args) <= len(params) else [a for _, a in given]
        if isinstance(primitive, source.MethodOf) and isinstance(call.func, gast.Attribute) \
                and mutation.helper_writes_into(primitive.function, attributes=False):
            # self.refresh() doing self.buf[:] = 2.0: its object and arguments
            changed += [call.func.value] + list(call.args) + [k.value for k in call.keywords]
        for target in changed:
            self.no_change_seen_by_adjoints(target, stmt)
        if primitive is not UNRESOLVED and is_user_function(primitive):
            # bump() writing SCALE[:] = ... into a module array an adjoint reads
            label = gast.unparse(call.func).strip()
            for written, change in mutation.state_written_by(primitive):
                if not isinstance(written, np.ndarray):
                    continue  # rebound values are read where the primal reads them
                self.no_write_into_what_a_helper_reads(written, stmt,
                                                       f"{label}() (through {change})")
                for name in sorted(self.read_by_adjoints):
                    for held in self.state_exprs_of(name):
                        if mutation.held_value(self.parsed.fn, held) is not written:
                            continue
                        raise self.error(stmt, f"{label}() changes in place ({change}) an "
                                               f"array that the derivative of an earlier "
                                               f"line reads ({gast.unparse(held).strip()}): "
                                               "it would see the new values, not those "
                                               "used. Copy the array before using it "
                                               f"(v = {gast.unparse(held).strip()}.copy()), "
                                               f"or have {label}() build a new one")

    def state_exprs_of(self, name: str, seen: Optional[set] = None) -> list:
        """The expressions of module state holding arrays (``S.w``, ``D['w']``, ``A``)
        whose memory the name ``name`` an adjoint reads may share: read once into it,
        a module's name itself, a view made of one (``A[::-1]``, ``A.reshape(-1)``), or
        a local bound to one of those (``w = S.w``, ``ws = [A]``), through other locals."""
        seen = set() if seen is None else seen
        if name in seen:
            return []
        seen.add(name)
        if name in self.state_values:  # (read once: S.w, or A[:] of a module's A)
            return _state_references(self.parsed, self.state_values[name])
        if name in self.state_views:  # (a temporary: A.reshape(-1))
            values = [self.state_views[name]]
        elif name not in self.parsed.locals:
            return [name_node(name)] if isinstance(
                mutation.held_value(self.parsed.fn, name_node(name)), np.ndarray) else []
        else:
            values = self.local_bindings.get(name, [])
        found: list = []
        for value in values:
            found += _state_references(self.parsed, value)
            for other in shared_names(types.SimpleNamespace(value=value), self.parsed.resolve):
                if other != name and other in self.parsed.locals:
                    found += self.state_exprs_of(other, seen)
        return found

    @functools.cached_property
    def local_bindings(self) -> dict:
        """For each name, the values the function's plain assignments bind it to."""
        found: dict = {}
        for node in walk(self.parsed.node):
            if isinstance(node, gast.Assign) and len(node.targets) == 1 and \
                    isinstance(node.targets[0], gast.Name):
                found.setdefault(node.targets[0].id, []).append(node.value)
        return found

    def loops_around(self, node: Any) -> list[tuple[int, int]]:
        """The line spans of the loops of this function around ``node``."""
        line = getattr(node, "lineno", None)
        return [(loop.lineno, loop.end_lineno) for loop in walk(self.parsed.node)
                if isinstance(loop, (gast.For, gast.While)) and line is not None
                and getattr(loop, "end_lineno", None) is not None
                and getattr(loop, "lineno", None) is not None
                and loop.lineno <= line <= loop.end_lineno]

    def logged_outside(self, call: gast.Call) -> bool:
        """``history.append(loss)`` on a list (or dict) of the module's or an enclosing
        function's, which this function never reads: a record kept for the caller. It
        runs as written; nothing this function computes depends on it."""
        func = call.func
        if not (isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and
                func.attr in ("append", "extend", "insert", "update")):
            return False
        name = func.value.id
        if name in self.parsed.locals or name in self.parsed.params:
            return False
        record = self.parsed.resolve(func.value)
        if type(record) not in (list, dict):
            return False
        reads = [n for n in walk(self.parsed.node)
                 if isinstance(n, gast.Name) and n.id == name]
        # (nor does the function differentiated, nor a helper on the way to this one)
        return len(reads) == 1 and not source.state_readers(record)

    def discarded_call(self, call: gast.Call) -> None:
        """A call on differentiated values whose result is dropped matters only by what
        it changes: refuse one that may write into its arguments (its effect on the
        gradient would be lost), keep one that cannot (``print(x)``, ``np.sum(x)``)."""
        primitive = self.parsed.resolve(call.func)
        label = gast.unparse(call.func).strip()
        fix = "compute a new value and assign it (y = np.exp(x), not np.exp(x, out=y))"
        if primitive is np.fill_diagonal:  # (given a number, it is followed)
            fix = "assign into its diagonal (a[np.diag_indices(n)] = v)"
        if self.logged_outside(call):
            for argument in call.args:
                self.kept_for_the_caller(argument, call.func.value.id)
            self.logged_list_apart(call)
            return
        if (_converted_only(call, self.is_active, self.parsed.resolve) or
                self.helper_converts_only(call, primitive)) and not self.read_back(call) \
                and not self.state_read_back(call, primitive):
            # d.setdefault('vals', []).append(float(loss)), log_val(log, 'h', h) whose
            # body logs float(np.sum(h)): numbers kept for the caller, run as written (a
            # record this function reads again, or an array filled, is differentiated)
            record = call.func.value if isinstance(call.func, gast.Attribute) else None
            if self.helper and isinstance(record, gast.Attribute) and \
                    isinstance(record.value, gast.Name) and \
                    record.value.id in self.parsed.params:
                self.logged.add((record.value.id, record.attr))  # (self.log.append(...))
            self.logged_list_apart(call)
            return
        if isinstance(call.func, gast.Attribute) and \
                call.func.attr in mutation.MUTATING_METHODS and \
                isinstance(call.func.value, gast.Name) and \
                call.func.value.id not in self.parsed.locals:
            record = self.parsed.resolve(call.func.value)
            readers = source.state_readers(record) if type(record) in (list, dict) else []
            if readers:
                raise self.error(call, f"{label}() puts a differentiated value into a "
                                       f"{type(record).__name__} of the module's (or of an "
                                       f"enclosing function's), which is read at "
                                       f"{readers[0]}: grad "
                                       "cannot follow a value through module state. Keep the "
                                       f"{type(record).__name__} in the function, or return "
                                       "the value and use that")
        if primitive is UNRESOLVED:
            how = "grad cannot tell which function it is"
            if isinstance(call.func, gast.Attribute) and \
                    call.func.attr in mutation.MUTATING_METHODS:
                how = f"the method .{call.func.attr}() changes " \
                      f"{gast.unparse(call.func.value).strip()} in place"
                fix = _in_place_advice(gast.unparse(call.func.value).strip(), call.func.attr,
                                       call)
            elif isinstance(call.func, gast.Name) and call.func.id in self.local_functions:
                if getattr(self.local_functions[call.func.id][0], "writes_copies_only",
                           False):
                    return  # h_fill(b, x) with b not read again: on copies, no effect here
                how = f"{label} is a nested function, which may change this function's " \
                      "values in place"
                fix = f"have {label} return its value and use it here (out.append(" \
                      f"{label}(x)) rather than a {label} that appends to out)"
            elif isinstance(call.func, gast.Name):  # (a callback passed in)
                fix = f"pass a module-level function of yours (or print) as {label} by " \
                      "its own name, which grad then reads and follows, or give it only " \
                      f"values that carry no gradient ({label}(t, float(np.sum(y))))"
        elif is_user_function(primitive):
            how = mutation.helper_writes_into(primitive)
            if not how and isinstance(primitive, types.FunctionType):  # (q = p[0]; q += v)
                self.no_write_through_an_item(call, primitive, label.rstrip("()"))
            before = (self.parsed.fn, getattr(call, "lineno", None), self.loops_around(call))
            for target, change in ([] if how else mutation.state_written_by(primitive)):
                readers = source.state_readers(target, before)
                if readers:
                    raise self.error(call, f"{label}() is called on a differentiated value "
                                           f"and changes state outside it ({change}), which "
                                           f"is read at {readers[0]}: grad cannot follow a "
                                           "value through module state. Have "
                                           f"{label}() return it and use that")
            # (the value it writes into, where known)
            from . import params_written_in_place
            params, into = params_written_in_place(primitive)
            first = next((a for p, a in zip(params, call.args) if p in into and
                          isinstance(a, gast.Name)), None) or (
                call.args[0] if call.args and isinstance(call.args[0], gast.Name) else None)
            fix = f"have {label}() return the new value and assign it (" + (
                f"{first.id} = " if first is not None else "y = ") + \
                f"{gast.unparse(call).strip()}, its body returning a new list or array)"
        elif registry.lookup(primitive) is not None or primitive is print or \
                _logs(primitive):
            how = mutation.writes_in_place(primitive, call)
        else:
            how = mutation.writes_in_place(primitive, call) or \
                "it may change its arguments and has no derivative rule"
        if how and label.endswith(".at") and label.split(".")[-2] in ("maximum", "minimum",
                                                                   "fmax", "fmin"):
            largest = label.split(".")[-2] in ("maximum", "fmax")
            fix = "where only its value matters (a segment softmax's shift, which cancels), " \
                  "compute it in a helper of yours declared autograd_src.extend." \
                  "nondifferentiable; else take it per group with a mask " \
                  f"(np.{'max' if largest else 'min'}(np.where(group == k, e, " \
                  f"{'-' if largest else ''}np.inf)))"
        if how:
            message = f"{label}() is called on a differentiated value for its effect " \
                      f"({how}), which grad cannot follow: {fix}"
            if self.left_to_none(call.func):
                # callback(t, y) of a parameter whose default is None (if callback is
                # not None: ...): refused where it runs, which a call leaving it never does
                ad = name_node(self.namer.reference(runtime, "_ad"))
                refusal = gast.Expr(value=gast.Call(
                    func=gast.Attribute(value=ad, attr="refused", ctx=gast.Load()),
                    args=[gast.Constant(value=f"{self.parsed.where(call)}: {message}",
                                        kind=None)], keywords=[]))
                self.body.append(Primal(gast.copy_location(refusal, self.origin),
                                        self.origin, set()))
                return
            raise self.error(call, message)

    def logged_list_apart(self, call: gast.Call) -> None:
        """After ``stats['a'].append(float(loss))`` (a number logged, run as written), a
        check that no other container this function reads items of (``stats['b'][-1]``,
        ``self.hist``, a closure's ``hist``, ``sum(stats['b'])``) is that same list: the
        number read back would be a constant there (GO 01-04). Containers reached from
        the parameters, the module or enclosing functions, by attributes and constant
        keys (through local names bound once to one)."""
        if not isinstance(call.func, gast.Attribute):
            return
        record = call.func.value
        if isinstance(record, gast.Call) and isinstance(record.func, gast.Attribute) and \
                record.func.attr == "setdefault" and record.args and \
                isinstance(record.args[0], gast.Constant):
            record = gast.Subscript(value=record.func.value, slice=record.args[0],
                                    ctx=gast.Load())  # (d.setdefault('h', []) is d['h'])
        logged = self.container_path(record)
        if logged is None:
            return
        shown_logged = gast.unparse(record).strip()
        others: dict = {}
        for node in walk(self.parsed.node):
            read: list = []
            if isinstance(node, gast.Subscript) and isinstance(node.ctx, gast.Load):
                read.append(node.value)
            elif isinstance(node, (gast.For, gast.comprehension)):
                read.append(node.iter)
            elif isinstance(node, gast.Call) and self.parsed.resolve(node.func) not in (
                    len, isinstance, id, type, bool):  # (len(log): its length, no number)
                read += list(node.args) + [k.value for k in node.keywords]
            for expr in read:
                path = self.container_path(expr)
                shown = gast.unparse(expr).strip()
                if path is not None and not (path[0] in self.wrt and not path[1]) and not (
                        path[0] == logged[0] and len(path[1]) < len(logged[1]) and
                        shown_logged.startswith(shown)):  # (stats, which holds it)
                    # (the record itself too: log.setdefault('h', []).append(...), then
                    # log['h'][-1], read back by its own name; GS F7)
                    others.setdefault(shown, path)
        if not others:
            return
        root, steps = logged
        self.emit_check_after.append(("logged_apart", [
            name_node(root), gast.Tuple(elts=steps, ctx=gast.Load()),
            gast.Tuple(elts=[gast.Tuple(elts=[name_node(r), gast.Tuple(elts=p, ctx=gast.Load()),
                                              gast.Constant(value=shown, kind=None)],
                                        ctx=gast.Load())
                             for shown, (r, p) in sorted(others.items())], ctx=gast.Load())]))

    def container_path(self, expr: gast.expr) -> Optional[tuple]:
        """``(root, steps)`` for a container ``expr`` reached from a parameter, a module's
        or enclosing function's name, by attributes and constant keys (``stats['b']``:
        ``("stats", [['b']])``, steps as `_ad.logged_apart` reads them); a local name
        bound once to such an expression stands for it. None for anything else."""
        steps: list = []
        seen = 0
        while seen < 8:
            seen += 1
            if isinstance(expr, gast.Attribute):
                steps.insert(0, gast.Constant(value=expr.attr, kind=None))
                expr = expr.value
            elif isinstance(expr, gast.Subscript) and isinstance(expr.slice, gast.Constant) \
                    and isinstance(expr.slice.value, (str, int)):
                steps.insert(0, gast.List(elts=[gast.Constant(value=expr.slice.value,
                                                              kind=None)], ctx=gast.Load()))
                expr = expr.value
            elif isinstance(expr, gast.Name) and expr.id in self.parsed.locals and \
                    expr.id not in self.parsed.params:
                bound = self.local_bindings.get(expr.id, [])
                if len(bound) != 1 or expr.id in self.namer.injected:
                    return None
                expr = bound[0]
            else:
                break
        if not isinstance(expr, gast.Name) or expr.id in self.namer.injected:
            return None
        if expr.id not in self.parsed.params:
            found = self.parsed.resolve(expr)
            if found is UNRESOLVED or isinstance(found, (types.ModuleType, np.ndarray,
                                                         types.FunctionType, type)) or \
                    callable(found) and not steps:
                return None
        return expr.id, steps

    def left_to_none(self, func: gast.expr) -> bool:
        """Whether ``func`` is a parameter of the function whose default is None (a
        callback a call may leave out), never bound here."""
        if not isinstance(func, gast.Name) or func.id not in self.parsed.params or \
                func.id in self.parsed.reassigned:
            return False
        try:
            defaults = source.default_values(self.parsed.fn)
        except (TypeError, ValueError, AttributeError):
            return False
        return func.id in defaults and defaults[func.id] is None

    def state_read_back(self, call: gast.Call, primitive: Any) -> bool:
        """Whether the function of yours ``call`` calls changes state outside it that a
        function being differentiated reads after (``setk(float(v))`` doing ``global K;
        K = v``, then ``... * K``): float(v) carries gradient, which the read would lose."""
        if not (is_user_function(primitive) and isinstance(primitive, types.FunctionType)):
            return False
        before = (self.parsed.fn, getattr(call, "lineno", None), self.loops_around(call))
        return any(source.state_readers(target, before)
                   for target, _ in mutation.state_written_by(primitive))

    def read_back(self, call: gast.Call) -> bool:
        """Whether ``call`` may write into something this function reads otherwise than
        to pass it to such calls (``log[-1]``, ``np.sum(d * x)``): the object of a method
        (``d.fill(v)``, ``log.append(v)``), the values it is given without gradient
        (``rec(x, log)``), an ``out=`` array."""
        written = [call.func.value] if isinstance(call.func, gast.Attribute) and \
            not isinstance(self.parsed.resolve(call.func.value), types.ModuleType) and \
            not self.attribute_only_appended_to(call.func.value) else []
        written += [a for a in call.args if not self.is_active(a)]
        written += [k.value for k in call.keywords if k.arg == "out" or
                    not self.is_active(k.value)]
        from . import _viewed_root
        names = {_viewed_root(w, self.parsed.resolve) for w in written} - {None}
        if self._alias_groups is None:  # (v = a[1:] given: a is written too)
            self._alias_groups = _alias_groups(self.parsed.node.body, self.parsed.resolve)
        names = set().union(*(self._alias_groups.get(n, {n}) for n in names)) if names \
            else names
        if self._read_outside_calls is None:  # (once per normalization)
            self._read_outside_calls = _read_outside_calls(self.parsed.node.body)
        later = self.read_later.get(id(self.origin))  # (after it, loops around included)
        return bool(names & self._read_outside_calls & (names if later is None else later))

    def attribute_only_appended_to(self, record: gast.expr) -> bool:
        """Whether ``record``, an attribute ``m.hist`` or an item by a constant key
        ``stats['history']``, is only ever appended to here (``m.hist.append(v)``
        statements), ``m`` read for its other attributes or constant keys alone (``m.w``,
        ``stats['scale']``), never passed on or asked a method: nothing here reads the
        list."""
        part = _named_part(record)
        if part is None:
            return False
        owner = record.value.id
        known = self.__dict__.setdefault("_appended_only", {})
        if (owner, part) not in known:
            known[(owner, part)] = self._part_only_appended_to(owner, part)
        return known[(owner, part)]

    def _part_only_appended_to(self, owner: str, part: tuple) -> bool:
        if owner in self.closed_over():
            return False
        appended = {id(node.value.func.value) for node in walk(self.parsed.node)
                    if isinstance(node, gast.Expr) and isinstance(node.value, gast.Call) and
                    isinstance(node.value.func, gast.Attribute) and
                    node.value.func.attr in ("append", "extend", "insert")}
        through: set = set()
        for node in walk(self.parsed.node):
            if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and \
                    isinstance(node.func.value, gast.Name) and node.func.value.id == owner:
                return False  # (m.step(), stats.get('history'): a method may read it)
            if isinstance(node, (gast.Attribute, gast.Subscript)) and \
                    isinstance(node.value, gast.Name) and node.value.id == owner:
                named = _named_part(node)
                if named is None:
                    return False  # (stats[k]: which item, known only as it runs)
                if named == part and id(node) not in appended:
                    return False
                through.add(id(node.value))
        return all(id(node) in through for node in walk(self.parsed.node)
                   if isinstance(node, gast.Name) and node.id == owner and
                   not isinstance(node.ctx, gast.Param))

    def helper_converts_only(self, call: gast.Call, primitive: Any) -> bool:
        """Whether ``call`` calls a user function (not a method) that reads each
        differentiated value it is given only to convert it to a number or text
        (``log.append((name, float(np.sum(v))))``): no gradient leaves through it."""
        if not is_user_function(primitive) or not isinstance(call.func, gast.Name) or \
                any(k.arg is None for k in call.keywords) or \
                any(isinstance(a, gast.Starred) for a in call.args):
            return False
        node = mutation._definition(primitive)
        if not node or node.args.vararg is not None or node.args.kwarg is not None:
            return False
        params = [a.id for a in node.args.posonlyargs + node.args.args]
        given = list(zip(params, call.args)) + [(k.arg, k.value) for k in call.keywords]
        active = {param for param, value in given if self.is_active(value)}
        if not active or not active <= set(params) | {a.id for a in node.args.kwonlyargs}:
            return False
        stores = {n.id for n in walk(node) if isinstance(n, gast.Name)
                  and isinstance(n.ctx, gast.Store)}
        if active & stores or any(isinstance(n, (gast.FunctionDef, gast.Lambda, gast.Global,
                                                 gast.Nonlocal))
                                  for stmt in node.body for n in walk(stmt)):
            return False
        resolve = functools.partial(mutation._resolve, primitive)
        return all(_converted_only(stmt, lambda e: any(
            isinstance(n, gast.Name) and n.id in active for n in walk(e)), resolve)
            for stmt in node.body)

    def assign(self, stmt: gast.Assign, original: Optional[gast.stmt] = None) -> None:
        original = original or stmt
        value = stmt.value
        active = self.is_active(value)
        if len(stmt.targets) != 1:
            if active:
                raise self.error(stmt, "chained assignment (a = b = ...) of a differentiated "
                                       "value is not supported: assign one name at a time")
            self.primal(original)
            return
        target = stmt.targets[0]
        if self.parsed.generated and isinstance(target, gast.Name) and \
                isinstance(value, gast.Tuple) and \
                not any(isinstance(e, gast.Starred) for e in value.elts) and \
                self.stores_of(target.id) == 1:
            # (back[1] then carries gradient only where its item does: an int size
            # among a helper's arguments is one still)
            self.tuple_items[target.id] = [self.is_active(e) for e in value.elts]
        if isinstance(value, gast.Call):
            self.no_argument_changed_and_read_again(value, target, stmt)
            primitive = self.parsed.resolve(value.func)
            if not self.is_active(value) and isinstance(primitive, types.FunctionType) \
                    and is_user_function(primitive):  # (active: checked in helper_call)
                # (s = h(a[1:], 3.0), h doing q = p[0]; q *= 2.0)
                self.no_write_through_an_item(value, primitive,
                                              gast.unparse(value.func).strip())
        self.no_second_name_for_a_function(value)
        self.lazy_iterator_read_at_once(stmt)
        if self.popped(value, target):
            return
        if isinstance(target, gast.Name) and self.made_closure(target.id, value):
            return
        if isinstance(target, gast.Name) and isinstance(value, gast.Call) and \
                not active and self.stores_of(target.id) == 1:
            made = self.derivative_made_here(value)
            if made is not None:  # dH = grad(H): its calls are those of grad(H)(q)
                self.derivative_names[target.id] = made
        if isinstance(target, gast.Name):
            sequence = self.holds_sequence(value)  # xs.copy(), [0.0] * n, xs[1:]
            self.assign_name(target, value, active, original)
            if sequence:
                self.lists.add(target.id)
                self.all_lists.add(target.id)
            elif sequence is None and (active or isinstance(value, gast.Call)):
                # (a helper's result may be a list or dict, items written later:
                # hs = new_cache(); hs[t] = h, whose adjoint is summed item by item)
                self.opaque.add(target.id)
            return
        self.assign_other(target, value, active, original)

    def stores_of(self, name: str) -> int:
        """How many times the function binds ``name``."""
        return sum(isinstance(n, gast.Name) and n.id == name and
                   isinstance(n.ctx, (gast.Store, gast.Del)) for n in walk(self.parsed.node))

    def lazy_iterator_read_at_once(self, stmt: gast.Assign) -> None:
        """``gen = (x * i for i in ...)``, ``z = zip(a, b)``, ``r = reversed(xs)``,
        ``vals = d.values()``: Python's are lazy (read when consumed, used up after one
        pass, a view seeing later changes); grad's would be lists made at the line.
        Those read once before anything they read changes are lists already (desugar's
        `_lazy_iterators_as_lists`); any other carrying gradient is refused."""
        target, value = stmt.targets[0], stmt.value
        if not isinstance(target, gast.Name) or not self.lazy(value) or \
                not self.is_active(value):
            return  # (a constant one stays Python's own, in the primal as written)
        if not any(isinstance(n, gast.Name) and n.id == target.id and
                   isinstance(n.ctx, gast.Load) for n in walk(self.parsed.node)):
            return
        kind = "a generator" if isinstance(value, gast.GeneratorExp) else \
            f"a lazy {gast.unparse(value.func).strip().split('.')[-1]}() object"
        raise self.error(stmt, f"{target.id} holds {kind}, read when it is consumed and used "
                               f"up after one pass; grad would make it a list here, which "
                               f"agrees with Python only where it is read once, before "
                               f"anything it reads changes. Make it a list "
                               f"({target.id} = list(...)), or consume it at once")

    def lazy(self, value: gast.expr) -> bool:
        """Whether ``value`` is a generator, an iterator or a dict view."""
        if isinstance(value, gast.GeneratorExp):
            return True
        if not isinstance(value, gast.Call):
            return False
        if isinstance(value.func, gast.Attribute) and value.func.attr in (
                "values", "items", "keys") and not value.args and \
                isinstance(value.func.value, gast.Name) and \
                value.func.value.id in self.parsed.locals:
            return True
        return any(self.parsed.resolve(value.func) is f
                   for f in (zip, map, filter, reversed, enumerate, iter))

    def no_second_name_for_a_function(self, value: gast.expr) -> None:
        """Refuse ``g = dyn`` (or ``f, g = dyn, np.sin``) for a nested def or closure
        that reads differentiated values: calls of ``g`` would not be followed to
        ``dyn``, and their gradient would be lost. Calls and arguments of calls are
        followed where they stand."""
        pending = [value]
        while pending:
            node = pending.pop()
            if isinstance(node, gast.Name) and self._reads_active_function(node):
                raise self.error(node, f"a second name for {node.id}, a function that reads "
                                       "differentiated values: grad follows calls of it by "
                                       f"its own name only; call {node.id}(...) directly")
            if isinstance(node, gast.Name) and (node.id in self.local_functions or
                                                node.id in self.closures):
                # (what it reads may carry gradient later: dt = x after h = step)
                self.functions_named_again.append((node.id, node))
            if isinstance(node, (gast.Tuple, gast.List, gast.Set)):
                pending += node.elts
            elif isinstance(node, gast.IfExp):
                pending += [node.body, node.orelse]
            elif isinstance(node, gast.BoolOp):
                pending += node.values
            elif isinstance(node, gast.Dict):
                pending += [v for v in node.values if v is not None]

    def functions_stored_by_calls(self, value: gast.expr) -> None:
        """Note a nested function a call may keep (``fs.append(step)``, ``dict(f=step)``,
        ``partial(step)``, ``max([step], key=id)``): a second name for it, as ``h =
        step`` is. Not where the call only runs it: a helper of yours (followed where
        it is called, the values it reads passed along) or ``map``, ``sorted``'s
        ``key=`` and the like."""
        if not (self.local_functions or self.closures):
            return
        for node in walk(value):
            if not isinstance(node, gast.Call):
                continue
            callee = self.parsed.resolve(node.func)
            runs_only = callee in _RUN_ONLY or callee is not UNRESOLVED and \
                isinstance(callee, types.FunctionType) and is_user_function(callee)
            for argument in node.args + [k.value for k in node.keywords]:
                if isinstance(argument, gast.Starred):
                    argument = argument.value
                if not runs_only or isinstance(argument, (gast.List, gast.Tuple, gast.Set,
                                                          gast.Dict)):
                    self.no_second_name_for_a_function(argument)

    def no_second_name_for_a_function_now_differentiated(self) -> None:
        """Refuse ``h = step`` made while ``step`` read only constants, once a name it
        reads carries gradient (``dt = x`` after it): calls of ``h`` are not followed to
        ``step``, so they would read ``x`` as a constant (a zero gradient, silently)."""
        for name, node in self.functions_named_again:
            if self._reads_active_function(gast.Name(id=name, ctx=gast.Load(),
                                                     annotation=None, type_comment=None)):
                raise self.error(node, f"a second name for {name}, a function that reads "
                                       "a name given a differentiated value after this "
                                       "line: grad follows calls "
                                       f"of {name} by its own name only; call {name}(...) "
                                       "directly, or pass what it reads as an argument")

    def assign_name(self, target: gast.Name, value: gast.expr, active: bool,
                    original: gast.stmt) -> None:
        if not active:
            self.primal(original)
        elif isinstance(value, gast.Name):
            self.emit_op(target.id, value, None, [value.id], {})
        elif isinstance(value, gast.IfExp):
            self.conditional(value, target.id)
        elif isinstance(value, (gast.ListComp, gast.GeneratorExp, gast.DictComp)):
            built = self.comprehension(value)
            copied = mutation.shallow_copy_source(value, self.parsed.resolve)
            if built not in self.active:  # [p.size for p in ps]: numbers, constants
                self.primal(gast.copy_location(assign_node(target.id, name_node(built),
                                                           original), original))
                if not isinstance(value, gast.DictComp):
                    self.lists.add(target.id)
                    self.all_lists.add(target.id)
                self.holds_items_of(target.id, copied)
                return
            self.owned.discard(built)
            self.emit_op(target.id, name_node(built), None, [built], {})
            self.owned.add(target.id)
            self.holds_items_of(target.id, copied)
        else:
            rule, primal, bound, inputs = self.operation(value)
            self.emit_op(target.id, primal, rule, inputs, bound)

    def assign_other(self, target: gast.expr, value: gast.expr, active: bool,
                     original: gast.stmt) -> None:
        if isinstance(target, gast.Tuple):
            self.tuple_assign(target, value, active, original)
            return
        container = target.value if isinstance(target, (gast.Subscript, gast.Attribute)) \
            else target
        self.no_write_into_a_global_array(target)
        if active or self.is_active(container):
            if isinstance(target, gast.Subscript) and isinstance(container, gast.Name):
                if container.id not in self.parsed.locals and \
                        container.id not in self.parsed.params and \
                        (container.id in self.parsed.globals or
                         container.id in self.parsed.closure):
                    held = self.parsed.globals.get(container.id, self.parsed.closure.get(
                        container.id))
                    if isinstance(held, (dict, list)) and \
                            self.only_written_into(container.id) and \
                            not self.read_back_elsewhere(held, target):
                        # STATE['loss'] = float(loss): a record for the caller, never
                        # read here (as HISTORY.append(loss))
                        self.kept_for_the_caller(value, container.id)
                        self.primal(original)
                        return
                    kind = type(held).__name__ if isinstance(held, (dict, list)) else "array"
                    made = "np.zeros(...)" if kind == "array" else kind + "()"
                    raise self.error(target, f"writing a differentiated value into "
                                             f"{container.id}, a global or enclosing "
                                             f"function's {kind}, is not supported where "
                                             "this function reads it back or is a helper: "
                                             f"make a {kind} of this function's own "
                                             f"({container.id.lower()} = {made}) and "
                                             "return it")
                if self.recorded_at_a_key(target, container.id):
                    # log['loss'] = float(loss) into a dict argument, never read here: a
                    # record for the caller (as m.last = float(loss))
                    self.kept_for_the_caller(value, container.id)
                    self.primal(original)
                    return
                self.assign_item(target, container.id, value, original)
                return
            if isinstance(target, gast.Attribute) and not self.is_active(container):
                owner = gast.unparse(container).strip()
                # (a module's object or a module: its helpers may read it back; not
                # self or an object of this function's own, read through other names)
                holder = self.parsed.resolve(container) if isinstance(container, gast.Name) \
                    and container.id not in self.parsed.params and \
                    container.id not in self.parsed.locals else UNRESOLVED
                stored = ("global", vars(holder), target.attr) \
                    if isinstance(holder, types.ModuleType) else holder
                if self.only_recorded(target) and (holder is UNRESOLVED or
                                                   not self.read_back_elsewhere(stored,
                                                                                target)):
                    # m.last = float(loss): a record for the caller, never read here
                    self.kept_for_the_caller(value, owner)
                    self.primal(original)
                    return
                raise self.error(target, f"{gast.unparse(target).strip()} = ... stores a "
                                         f"differentiated value on {owner}, which grad "
                                         "cannot follow: a later read of it would carry no "
                                         "gradient. Keep it in a local name (or return it); "
                                         "compute statistics that carry no gradient, such "
                                         "as running averages, outside the function "
                                         "differentiated")
            if isinstance(target, gast.Attribute) and target.attr == "shape" and \
                    isinstance(target.value, gast.Name):
                array = target.value.id
                raise self.error(target, f"{array}.shape = ... reshapes {array} in place, "
                                         "which grad does not follow on a differentiated "
                                         f"array: write {array} = {array}.reshape(...)")
            raise self.error(target, "assigning into an attribute or a nested element "
                                     f"({gast.unparse(target).strip()} = ...) of a "
                                     "differentiated value is not supported: for an array "
                                     "index once (a[i, j] = ...); for a list of lists, "
                                     "assign a whole new inner list (a[i] = [...])")
        if isinstance(target, gast.Subscript) and isinstance(container, gast.Name) and \
                self.seen_by_adjoints(container.id) and container.id in self.parsed.locals:
            self.assign_item_without_gradient(target, container.id, value)
            return
        self.no_change_seen_by_adjoints(target, original)
        self.primal(original)

    def kept_for_the_caller(self, value: gast.expr, holder: str) -> None:
        """``m.last_h = h`` or ``HISTORY.append(h)``: the caller sees ``h``'s array
        there, so a later ``h += 1.0`` (which grad makes a new array) must be checked
        against ``holder`` as against any other name sharing the array (`update_alone`)."""
        root = base_name(value) if isinstance(value, (gast.Name, gast.Subscript,
                                                      gast.Attribute)) else None
        if root is None or root not in self.active:
            return
        self.stored_on.setdefault(root, set()).add(holder)
        self.shared.add(root)
        self.owned.discard(root)

    def read_back_elsewhere(self, held: Any, target: gast.expr) -> bool:
        """Whether a function of yours this one calls reads ``held`` (a module's dict or
        object, ``("global", namespace, name)``) after ``target`` is stored into it
        (``CFG['k'] = v`` then ``read_k()``): it would read the value as a constant."""
        before = (self.parsed.fn, getattr(target, "lineno", None), self.loops_around(target))
        return bool(source.state_readers(held, before))

    def recorded_at_a_key(self, target: gast.Subscript, owner: str) -> bool:
        """Whether ``owner[key] = v`` (a constant key) only records ``v`` for the caller:
        in the function differentiated itself (not a helper, whose caller may read it),
        ``owner`` a parameter without gradient, read here only at other constant keys
        (``owner['k']``, ``owner.setdefault('history', [])``, ``owner.get('k')``) and
        that key only ever stored into (GQ 01)."""
        if self.helper or owner not in self.parsed.params or owner in self.wrt or \
                self.is_active(name_node(owner)) or owner in self.closed_over() or \
                not (isinstance(target.slice, gast.Constant) and
                     isinstance(target.slice.value, str)):
            return False
        key = target.slice.value
        parent = parents(self.parsed.node)
        for n in walk(self.parsed.node):
            if not (isinstance(n, gast.Name) and n.id == owner) or \
                    isinstance(n.ctx, gast.Param):
                continue
            above = parent.get(id(n))
            if isinstance(above, gast.Subscript) and above.value is n and \
                    isinstance(above.slice, gast.Constant) and \
                    isinstance(above.slice.value, str):
                if above.slice.value == key and not isinstance(above.ctx, gast.Store):
                    return False  # (read back: it would be a constant)
                continue
            if _none_default_idiom(n, above, parent, owner):
                continue  # (if cache is None: cache = {}: a dict of its own, as written)
            if isinstance(n.ctx, gast.Store) and isinstance(above, gast.Assign) and \
                    isinstance(above.value, (gast.IfExp, gast.BoolOp)):
                continue  # (cache = cache if cache is not None else {}: as above)
            call = parent.get(id(above))
            if isinstance(above, gast.Attribute) and above.value is n and \
                    above.attr in ("setdefault", "get") and isinstance(call, gast.Call) and \
                    call.func is above and call.args and \
                    isinstance(call.args[0], gast.Constant) and call.args[0].value != key:
                continue
            return False  # (given to a call, iterated, bound to another name)
        return True

    def only_written_into(self, owner: str) -> bool:
        """Whether the function differentiated itself (not a helper) only stores items
        into ``owner`` (``STATE[k] = v``): never reads it, an item of it, or passes it on."""
        if self.helper:
            return False
        stored = {id(node.value) for node in walk(self.parsed.node)
                  if isinstance(node, gast.Subscript) and isinstance(node.ctx, gast.Store)}
        return not any(isinstance(node, gast.Name) and node.id == owner and
                       id(node) not in stored for node in walk(self.parsed.node))

    def only_recorded(self, target: gast.Attribute) -> bool:
        """Whether ``m.attr = v`` (``m`` a name) only records ``v`` for the caller: in the
        function differentiated itself (not a helper, whose caller may read it), ``m``
        never being passed to a call or having its methods called, and no read of
        ``m.attr``. Then the value stored is the primal value, and nothing here reads it
        back as a constant."""
        if self.helper or not isinstance(target.value, gast.Name):
            return False
        owner = target.value.id
        through_attribute: dict[int, str] = {}
        called: set[int] = set()
        for node in walk(self.parsed.node):
            if isinstance(node, gast.Attribute) and isinstance(node.value, gast.Name) and \
                    node.value.id == owner:
                # (a store m.attr = ... reads nothing back)
                through_attribute[id(node.value)] = \
                    "" if isinstance(node.ctx, gast.Store) else node.attr
            if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute):
                called.add(id(node.func.value))
        passed_on = False
        for node in walk(self.parsed.node):
            if isinstance(node, gast.Name) and node.id == owner and \
                    isinstance(node.ctx, gast.Load):
                attr = through_attribute.get(id(node))
                if attr == target.attr:
                    return False  # m.attr read
                passed_on = passed_on or attr is None or id(node) in called
        # (m itself passed on, or m.method() called: where none of those methods and
        # functions reads attr, self.last_q = q.copy() beside self.fk(q); GY 04)
        return not passed_on or not self.attribute_read_where_held(owner, target.attr)

    def note_global_arrays(self, shared: set, assigned: set,
                           value: Optional[gast.expr] = None) -> None:
        """Remember the names ``assigned`` as holding a module's array where what they
        are given may be one (a name in ``shared``), or may hold one; or an array an
        object holds (``b = m.buf``, ``m`` a module's object or an argument: the
        caller's)."""
        held = [self.global_arrays.get(n) or (n if self.is_global_array(n) else None)
                for n in sorted(shared)]
        held = [h for h in held if h is not None]
        if not held and value is not None:
            held = [self.held_attribute(value)] if self.held_attribute(value) else []
        for name in assigned:  # (kept when rebound: a branch may not rebind it)
            if held:
                self.global_arrays[name] = held[0]

    def held_attribute(self, value: gast.expr) -> Optional[str]:
        """``m.buf`` where ``value`` is that attribute of an argument's or a module's
        object, or a view of it (``m.buf[1:]``, ``m.buf.T``, ``m.buf.reshape(-1)``)."""
        while True:
            if isinstance(value, gast.Attribute) and value.attr in ("T", "mT"):
                value = value.value
            elif isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) \
                    and value.func.attr in mutation.VIEW_METHODS:
                value = value.func.value
            elif isinstance(value, gast.Subscript) and \
                    mutation.viewed_name(gast.Subscript(value=gast.Name(
                        id="_", ctx=gast.Load(), annotation=None, type_comment=None),
                        slice=value.slice, ctx=gast.Load())):
                value = value.value  # (a basic index: a view)
            else:
                break
        if not (isinstance(value, gast.Attribute) and isinstance(value.value, gast.Name)):
            return None
        owner = value.value.id
        held_by = self.parsed.resolve(value.value)
        if value.attr in _ARRAY_ATTRIBUTES or value.attr in mutation.INACTIVE_ATTRIBUTES or \
                (owner in self.parsed.locals and owner not in self.parsed.params) or \
                self.namer.is_reference(owner) or isinstance(held_by, type) or (
                    isinstance(held_by, types.ModuleType) and (
                        held_by.__name__.partition(".")[0] in ("numpy", "scipy", "math") or
                        not isinstance(getattr(held_by, value.attr, None), np.ndarray))):
            return None  # (np.pi, a class's attribute; a module's array is held: mod.buf)
        return gast.unparse(value).strip()

    def held_array_refusal(self, what: str, name: str, through: str) -> str:
        owner = "an object's (the caller's, or a module's) array" if "." in through else \
            "a module's (or enclosing function's) array"
        return (f"{what} changes {through} through {name}, {owner}, while grad "
                "differentiates: grad would update a new array, so "
                f"{through} would keep its old values (and derivatives that read it would "
                f"see new ones). Work on an array of this function's own ({name} = "
                f"{through}.copy()), and change {through} outside the function "
                "differentiated")

    def is_global_array(self, name: str) -> bool:
        return name not in self.parsed.locals and name not in self.parsed.params and \
            isinstance(self.parsed.resolve(name_node(name)), np.ndarray)

    def no_change_inside_an_expression(self, stmt: gast.stmt) -> None:
        """Refuse a call changing a list, dict, set or array in place (``acc.append(v)``,
        ``y.fill(v)``) inside an expression of a statement reading a differentiated value
        (``z = acc.append(v)``, ``any(s.append(v * v) for v in x)``, an ``if``'s test):
        grad follows such a change as a statement of its own, and would not see it
        there. (Desugaring writes a comprehension or ``if``-expression run for its
        calls' effect as statements first.)"""
        if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call):
            call = stmt.value  # (the statement's own call: its arguments are expressions)
            parts = [call.func.value if isinstance(call.func, gast.Attribute) else call.func]
            parts += list(call.args) + [k.value for k in call.keywords]
        elif isinstance(stmt, (gast.Expr, gast.Return)):
            parts = [stmt.value]
        elif isinstance(stmt, gast.Assign):
            parts = [stmt.value] + stmt.targets
        elif isinstance(stmt, (gast.AugAssign, gast.AnnAssign)):
            parts = [stmt.value, stmt.target]
        elif isinstance(stmt, (gast.If, gast.While)):
            parts = [stmt.test]
        elif isinstance(stmt, gast.For):
            parts = [stmt.iter]
        else:
            return
        changes = [n for part in parts if part is not None for n in walk(part)
                   if isinstance(n, gast.Call) and (self.changes_a_container(n) or
                                                    self.writes_an_argument(n))]
        if not changes or not any(isinstance(n, gast.Name) and n.id in self.active
                                  for part in parts if part is not None
                                  for n in walk(part)):
            return
        call = changes[0]
        if self.writes_an_argument(call):  # (np.copyto(B, 0.5) if c else None, c and ...)
            raise self.error(call, f"{gast.unparse(call).strip()} writes into its argument "
                                   "inside an expression that reads a differentiated "
                                   "value, which grad follows only as a statement of its "
                                   "own: write it on a line of its own (in an if where "
                                   "need be)", NoRuleError)
        subject = gast.unparse(call.func.value).strip()
        raise self.error(call, f"{gast.unparse(call).strip()} changes {subject} in place "
                               "inside an expression that reads a differentiated value, "
                               "which grad follows only as a statement of its own: write "
                               f"{subject}.{call.func.attr}(...) on a line of its own "
                               "(in a for loop or an if where need be)", NoRuleError)

    def writes_an_argument(self, call: gast.Call) -> bool:
        """Whether ``call`` is NumPy's (or the operator module's) writing into its first
        argument (``np.copyto(B, v)``, ``np.fill_diagonal(B, 0.5)``); ``out=`` has checks
        of its own."""
        from . import _WRITING_INTO_THEIR_FIRST
        name = getattr(call.func, "attr", None) or getattr(call.func, "id", None)
        if name not in _WRITING_INTO_THEIR_FIRST:
            return False
        found = self.parsed.resolve(call.func)
        return found is not UNRESOLVED and (getattr(found, "__module__", "") or "") \
            .split(".")[0] in ("numpy", "_operator", "operator")

    def changes_a_container(self, call: gast.Call) -> bool:
        """Whether ``call`` is a method changing the list, dict, set or array it is
        called on and returning None (``acc.append(v)``, ``d.update(k=v)``, ``y.fill(v)``),
        as far as the names tell (not a method of yours of the same name)."""
        func = call.func
        if not (isinstance(func, gast.Attribute) and
                func.attr in mutation.CHANGING_RETURNING_NONE):
            return False
        found = self.parsed.resolve(func)
        if found is not UNRESOLVED:
            return isinstance(getattr(found, "__self__", None),
                              (list, dict, set, np.ndarray, collections.deque))
        return isinstance(func.value, gast.Name) and (
            func.value.id in self.lists or func.value.id in self.dicts) or \
            func.attr in ("__setitem__", "__delitem__", "fill", "itemset", "setfield")

    def no_write_by_a_method(self, stmt: gast.stmt) -> None:
        """A method writing into the array it is called on (``W.fill(3.0)``,
        ``W.__imul__(3.0)``, ``W.reshape(n).sort()``) is checked as ``W[...] = ...``
        is: refused on a module's array, or on one an earlier line's derivative reads."""
        for node in walk(stmt):
            if not (isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and
                    node.func.attr in mutation.ARRAY_WRITING_METHODS):
                continue
            found = self.parsed.resolve(node.func)
            if found is not UNRESOLVED and isinstance(
                    getattr(found, "__self__", None), (types.ModuleType, type, type(None))):
                continue  # np.sort(v): a function, not a method of an array
            array = _through_views(node.func.value)
            if base_name(array) is None or self.is_active(array):
                continue  # (a differentiated array's method: refused as it has no rule)
            written = gast.copy_location(gast.Subscript(
                value=array, slice=gast.Constant(value=Ellipsis, kind=None),
                ctx=gast.Store()), node)
            self.no_write_into_a_global_array(
                written, f"{gast.unparse(node.func).strip()}(...)")
            self.no_change_seen_by_adjoints(written, stmt)

    def no_write_into_a_global_array(self, target: gast.expr,
                                     shown: Optional[str] = None) -> None:
        """Refuse ``H[0] = v`` on a module's (or enclosing function's) array, directly or
        through a local name for it (``h = H``): a helper's derivative reading it would
        see the new values in its backward, generated code would take the name for a
        local, and the write would not reach it. Lists and dicts are the runtime's to
        check."""
        root = base_name(_through_views(target.value)) \
            if isinstance(target, gast.Subscript) else None  # (W.view()[:] = v too)
        if root is None:
            return
        through = self.global_arrays.get(root)
        shown = shown or f"{gast.unparse(target).strip()} = ..."
        if through is not None:
            raise self.error(target, self.held_array_refusal(shown, root, through))
        if self.is_global_array(root):
            raise self.error(target, f"{shown} changes "
                                     f"{root}, a module's (or enclosing function's) "
                                     "array, while grad differentiates: derivatives that "
                                     "read it would see the new values. Work on an array of "
                                     f"this function's own ({root.lower()} = "
                                     f"{root}.copy())")

    def held_by_what_reads_it_as_it_runs(self, owner: str) -> bool:
        """Whether an adjoint may read ``owner`` itself as it runs: given to a helper
        whose backward reads it by name, or held otherwise than by helpers (a method
        known only as the code runs, a rule): not where each helper given it reads only
        values read from it once (``self_lr = self.lr``: ``self.lr = 2.0`` after the call
        changes none of them; HC 08)."""
        return owner in self.read_as_it_runs or owner in self.held_by_rules

    def attribute_read_where_held(self, owner: str, attr: str) -> bool:
        """Whether a derivative holding the object ``owner`` may read its attribute
        ``attr`` when it runs: some call of this function is given ``owner``, or calls
        a method on it, whose code may read ``attr`` (`mutation.attribute_may_be_read`);
        True where ``owner`` is used otherwise (``m2 = m``) or its class is not known.
        A clock ``self.t = self.t + self.dt`` after ``self.tendency(u)``, which reads
        only ``self.c``, is then no change a derivative sees (GN 01)."""
        marker = self.parsed.resolve(gast.Name(id=owner, ctx=gast.Load(), annotation=None,
                                               type_comment=None))
        cls = getattr(marker, "cls", None)
        if not isinstance(marker, source.InstanceOf) or cls is None:
            return True
        parent = parents(self.parsed.node)
        for n in walk(self.parsed.node):
            if not (isinstance(n, gast.Name) and n.id == owner and
                    isinstance(n.ctx, gast.Load)):
                continue
            above = parent.get(id(n))
            if isinstance(above, gast.Attribute) and above.value is n:
                call = parent.get(id(above))
                if not (isinstance(call, gast.Call) and call.func is above):
                    continue  # (owner.c read here: once, where the primal reads it)
                method = inspect.getattr_static(cls, above.attr, None)
                node = mutation._definition(method) if isinstance(
                    method, types.FunctionType) else None
                if node is None or not node.args.args or mutation.attribute_may_be_read(
                        method, node.args.args[0].id, attr, cls):
                    return True
                continue
            if isinstance(above, gast.Call) and n in above.args:
                function = self.parsed.resolve(above.func)
                function = getattr(function, "function", function)
                node = mutation._definition(function) if isinstance(
                    function, types.FunctionType) else None
                params = [a.id for a in node.args.posonlyargs + node.args.args] \
                    if node else []
                at = above.args.index(n)
                if node is None or at >= len(params) or mutation.attribute_may_be_read(
                        function, params[at], attr, cls):
                    return True
                continue
            return True  # (m2 = m, returned, kept: anything may read it)
        return False

    def seen_by_adjoints(self, name: str) -> bool:
        """Whether an adjoint reads the array ``name`` holds (itself, or through an alias)."""
        return name in self.read_by_adjoints or (
            name in self.shared and bool(self.shared & self.read_by_adjoints))

    def no_change_seen_by_adjoints(self, target: Any, stmt: gast.stmt) -> None:
        """Refuse to change in place an array an adjoint reads (``z[0] = 5`` after
        ``y * z``): the derivative would see the new values, not those used."""
        if isinstance(stmt, gast.Assign) and isinstance(target, gast.Attribute) and \
                isinstance(target.value, gast.Name) and target.attr not in _ARRAY_ATTRIBUTES:
            # m.s = v binds a new value and changes no array; adjoints read m.s once, where
            # the primal read it (sets_attributes), unless they hold m itself.
            if target.value.id in self.read_by_adjoints and \
                    self.held_by_what_reads_it_as_it_runs(target.value.id) and \
                    self.attribute_read_where_held(target.value.id, target.attr):
                owner = target.value.id
                raise self.error(stmt, (
                    f"{owner}.{target.attr} is set here while the derivative of an earlier "
                    f"line holds {owner} itself (a method of {owner} was called, or {owner} "
                    f"given to a function) and reads its attributes when it runs, so it "
                    f"would see the new {target.attr}. Pass the value to the method as an "
                    f"argument instead of setting {owner}.{target.attr} between the calls"))
            written = gast.unparse(target).strip()
            self.state_rebound |= {n for n, v in self.state_values.items()
                                   if gast.unparse(v).strip().startswith(written)}
            return
        if isinstance(stmt, gast.AugAssign):  # (D["w"] += v: the item's array itself)
            self.no_write_into_what_a_helper_reads(target, stmt)
        if isinstance(target, gast.Subscript):  # (CFG.w[0] = v: CFG.w's array)
            self.no_write_into_what_a_helper_reads(target.value, stmt)
        changed = target.value if isinstance(target, gast.Subscript) else None
        dict_item = self.item_of_a_dict_read_only_through_others(target)
        while isinstance(target, (gast.Subscript, gast.Attribute, gast.Starred)) or \
                _through_views(target) is not target:  # (m.buf.reshape(n)[:] = v)
            target = _through_views(target)
            if isinstance(target, (gast.Subscript, gast.Attribute, gast.Starred)):
                target = target.value
        if not isinstance(target, gast.Name):
            return
        # (D['k'] = v on a module's dict or list binds a new item: no array changes)
        read_through = self.read_through(target.id, changed if isinstance(
            changed, gast.Attribute) else None) and not (
            isinstance(stmt, gast.Assign) and changed is not None and
            target.id not in self.parsed.locals and
            isinstance(self.parsed.resolve(target), (dict, list)))
        if isinstance(changed, gast.Attribute):
            # self.cache['shape'] = ...: what an adjoint reads of self was read once; only
            # a name read lazily, or a local sharing an array, could see the change
            seen = target.id in self.read_by_adjoints or \
                target.id in self.shared and self.local_alias_read()
        else:
            seen = self.seen_by_adjoints(target.id)
        if seen and not read_through and dict_item:
            # Only names that may share it are read (a helper's parameters all may): the
            # dict must be none of them, nor held by one, which is checked as it runs
            # (for +=, nor its items' arrays; a number item is rebound, as in Python)
            partners = sorted((self.shared & self.read_by_adjoints) - {target.id})
            shown = getattr(stmt, "shown_as", None) or gast.unparse(stmt).strip().splitlines()[0]
            where = f"{self.parsed.where(stmt)}: {shown}"
            ad = self.namer.reference(runtime, "_ad")
            check = gast.Expr(value=gast.Call(
                func=gast.Attribute(value=name_node(ad), attr="alone", ctx=gast.Load()),
                args=[name_node(target.id), gast.Tuple(
                    elts=[name_node(p) for p in partners], ctx=gast.Load()),
                    gast.Constant(value=where, kind=None)],
                keywords=[gast.keyword(arg="items", value=gast.Constant(value=True, kind=None))]
                if isinstance(stmt, gast.AugAssign) else []))
            self.body.append(Primal(gast.copy_location(check, stmt), stmt, set()))
            return
        if seen or read_through:
            subject = gast.unparse(changed).strip() if changed is not None and (
                read_through or target.id not in self.parsed.locals or
                target.id in self.parsed.params) else target.id
            raise self.error(stmt, self.seen_by_adjoints_refusal(subject))

    def no_write_into_what_a_helper_reads(self, array: Any, stmt: gast.stmt,
                                          label: Optional[str] = None) -> None:
        """Refuse a change in place of an array of module state (``CFG.w[0] = 5.0``,
        ``D["w"] += v``) that the derivative of a helper called earlier reads by
        reference in its backward: it would see the new values. ``array`` is the
        expression written into, or (with ``label``, a call) the array itself."""
        if not self.helper_state_arrays:
            return
        if label is None:
            if base_name(array) is None or base_name(array) in self.parsed.locals:
                return
            array = mutation.held_value(self.parsed.fn, _through_views(array))
        read = self.helper_state_arrays.get(id(array)) \
            if isinstance(array, np.ndarray) else None
        if read is None or read[0] is not array:
            return
        shown = label or getattr(stmt, "shown_as", None) or \
            gast.unparse(stmt).strip().splitlines()[0]
        raise self.error(stmt, f"{shown} changes in place {read[1]}, an array the "
                               f"derivative of {read[2]}() (called earlier) reads when "
                               "its backward runs: it would see the new values, not those "
                               f"used. Have {read[2]}() read a copy ({read[1]}.copy()), or "
                               "build a new array instead of writing into this one")

    def item_of_a_dict_read_only_through_others(self, target: Any) -> bool:
        """Whether ``target`` is an item of a dict by a key no array takes
        (``cnt['n']``) whose dict no adjoint reads itself: adjoints read only names that
        may share it (a helper's parameters all may), which a check as the update runs
        can tell apart (unless a value read once from it is read: `read_through`)."""
        return isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name) \
            and isinstance(target.slice, gast.Constant) and \
            isinstance(target.slice.value, str) and \
            target.value.id not in self.read_by_adjoints

    def local_alias_read(self) -> bool:
        """Whether an adjoint reads a local name that may share an array with another
        (``a = self.buf`` read by an adjoint, then ``self.buf += 1``); parameters, which
        share with everything, and values read once (`read_through`) aside."""
        return any(n not in self.parsed.params and n not in self.state_values
                   for n in self.shared & self.read_by_adjoints)

    def read_through(self, root: str, changed: Optional[gast.expr] = None) -> bool:
        """Whether an adjoint reads an attribute or item of ``root`` read once into a
        name of its own (``m_buf = m.buf``), which ``m.buf[0] = 5`` would change; with
        ``changed`` (``m.buf``), only what it holds or what holds it (``m.steps += 1``
        changes no array an adjoint read as ``m.W``)."""
        text = gast.unparse(changed).strip() if changed is not None else None
        for n in self.read_by_adjoints:
            if n not in self.state_values or n in self.state_rebound or \
                    base_name(self.state_values[n]) != root:
                continue
            read = gast.unparse(self.state_values[n]).strip()
            if text is None or _nested_in(read, text) or _nested_in(text, read):
                return True
        return False

    def seen_by_adjoints_refusal(self, name: str) -> str:
        head = (f"{name} (or an array it may share) is read by the derivative of an "
                "earlier line and then changed in place here; grad keeps a reference to "
                "it, not a copy, so the derivative would see the new values: ")
        if "." not in name and "[" not in name and (
                name not in self.parsed.locals or name in self.parsed.params):
            # (a module's dict or an argument: CFG = CFG.copy() would make CFG local,
            # and the caller's would not see the change)
            return head + ("make the change after the function differentiated (a counter "
                           "or a log kept outside it)")
        return head + f"copy it first ({name} = {name}.copy()), or build a new array"

    def _joins_lists(self, value: gast.expr) -> bool:
        """Whether ``value`` is surely a new list made of lists: ``a + b`` of two, ``xs *
        n`` of one, or a slice of one (``xs[:-1]``)."""
        if isinstance(value, gast.BinOp) and isinstance(value.op, gast.Add):
            return bool(self.holds_sequence(value.left)) and \
                bool(self.holds_sequence(value.right))
        if isinstance(value, gast.BinOp) and isinstance(value.op, gast.Mult):
            return self.holds_sequence(value.left) is True or \
                self.holds_sequence(value.right) is True
        return isinstance(value, gast.Subscript) and isinstance(value.slice, gast.Slice) \
            and self.holds_sequence(value.value) is True

    def primal(self, stmt: gast.stmt) -> None:
        assigned = {n.id for n in walk(stmt)
                    if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}
        # (x2, x1 = x1, xn: every value read before any name is bound, as Python does)
        pairs_of_numbers = [
            target.id for target, value in zip(stmt.targets[0].elts, stmt.value.elts)
            if isinstance(target, gast.Name) and self.is_scalar_value(value)
        ] if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
            isinstance(stmt.targets[0], gast.Tuple) and \
            isinstance(stmt.value, (gast.Tuple, gast.List)) and \
            len(stmt.targets[0].elts) == len(stmt.value.elts) else []
        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
                isinstance(stmt.targets[0], gast.Tuple) and \
                isinstance(stmt.value, gast.Name) and stmt.value.id in self.scalar_sequences \
                and all(isinstance(t, gast.Name) for t in stmt.targets[0].elts):
            pairs_of_numbers = [t.id for t in stmt.targets[0].elts]  # (b0, b1 = c)
        if isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Name):
            assigned.add(stmt.target.id)
        joins = isinstance(stmt, gast.Assign) and self._joins_lists(stmt.value)
        # (read before the names it binds are forgotten: a = a + 1.0 of a number is one)
        value_is_scalar = isinstance(stmt, gast.Assign) and self.is_scalar_value(stmt.value)
        self.body.append(Primal(stmt, self.origin, assigned))
        shared = shared_names(stmt, self.parsed.resolve)
        copied = mutation.shallow_copy_source(stmt.value, self.parsed.resolve) \
            if isinstance(stmt, gast.Assign) else None
        if isinstance(copied, gast.Name) and self.a_container(copied.id):
            shared.add(copied.id)  # (e = d.copy(): e holds d's arrays, as d does)
        comprehension_copy = isinstance(copied, gast.Name) and \
            isinstance(stmt.value, (gast.DictComp, gast.ListComp)) and \
            len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name)
        if isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Name) and (
                not isinstance(stmt.op, gast.Add) or
                self.holds_sequence(stmt.target) is False):
            # t += dt updates t's own array, or binds a new number: never dt's (a list's
            # += takes the items of the other: xs += [a] holds a's array)
            shared = set()
        made = _made_by_a_comprehension(stmt, self.comprehensions)
        if made:  # m = {k: np.zeros(3) for k in p}: the new dict is m's alone
            self.comprehensions.discard(made)
            shared = set()
        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
                isinstance(stmt.targets[0], gast.Subscript) and \
                isinstance(stmt.targets[0].value, gast.Name) and \
                stmt.targets[0].value.id not in self.lists | self.dicts and \
                self.surely_an_array(stmt.targets[0].value.id):
            shared = set()  # r[3, 0] = r[0, 1]: NumPy copies the value into r's array
        kept_own = set()
        if isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.Subscript) and \
                isinstance(stmt.value.value, gast.Name) and \
                (stmt.value.value.id in self.lists or stmt.value.value.id in self.dicts and
                 stmt.value.value.id not in self.parsed.params) and \
                not isinstance(stmt.value.slice, gast.Slice):
            # (ra = r['home'] of a dict made here: the item is shared, r stays its own)
            kept_own = {stmt.value.value.id}  # u = V[t - 1]: the item is shared (a write
            # into it is checked), the list stays the function's own: it may still grow
        self.owned -= shared - kept_own
        self.note_global_arrays(shared, assigned, stmt.value if isinstance(
            stmt, gast.Assign) and all(isinstance(t, gast.Name) for t in stmt.targets)
            else None)
        if shared:
            # d['k'] = a: d holds a's array, and sees an update of a (as NumPy makes it)
            holders = {t.value.id for t in getattr(stmt, "targets", [])
                       if isinstance(t, (gast.Subscript, gast.Attribute))
                       and isinstance(t.value, gast.Name)}
            self.shared |= shared | assigned | holders
            if comprehension_copy:  # ({k: S[k] for k in S}: S's items, as S.copy())
                self.holds_items_of(stmt.targets[0].id, copied)
        elif isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
                isinstance(stmt.targets[0], gast.Name) and (made or isinstance(stmt.value, (
                    gast.List, gast.Dict, gast.Set, gast.ListComp, gast.DictComp,
                    gast.SetComp))):
            # hs = [] in a loop: a new object, which shares nothing with the one an
            # adjoint read in an earlier iteration.
            self.shared.discard(stmt.targets[0].id)
        elif isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
                isinstance(stmt.targets[0], gast.Name) and _new_array(stmt.value):
            # v = d['a']; v = v * 2.0: v holds a new array now, no item of d
            self.shared.discard(stmt.targets[0].id)
        self.assigned(assigned)
        self.active -= assigned
        if made:  # what was known of the temporary holds for its new name
            for known in (self.owned, self.lists, self.all_lists, self.dicts):
                if made in known:
                    known |= assigned
        self.scalars.update(pairs_of_numbers)  # x, v = x0, v0 keeps what x0 and v0 are
        if isinstance(stmt, gast.Assign) and len(assigned) == 1 and \
                isinstance(stmt.targets[0], gast.Name):
            if value_is_scalar:
                self.scalars |= assigned
            shape_class = self.class_of_expr(stmt.value)
            if shape_class is not None:
                self.shape_class[stmt.targets[0].id] = shape_class
            if isinstance(stmt.value, gast.Call) and allocates(
                    self.parsed.resolve(stmt.value.func), stmt.value) or \
                    isinstance(stmt.value, (gast.BinOp, gast.UnaryOp)):
                self.owned |= assigned  # (P = 2.0 * P: arithmetic makes a new array)
            value = stmt.value
            if isinstance(value, (gast.List, gast.Tuple, gast.Dict)) or (
                    isinstance(value, gast.Call)
                    and self.parsed.resolve(value.func) in (list, tuple, dict)):
                self.owned |= assigned
                self.lists |= assigned
            elif joins:
                # vals = vals + [v] before vals carries gradient: still a list (a later
                # pass over the loop, where it does, must not read + as arithmetic)
                self.owned |= assigned
                self.lists |= assigned
                self.all_lists |= assigned

        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
                isinstance(stmt.targets[0], gast.Name) and \
                isinstance(stmt.value, gast.DictComp) and (
                    isinstance(stmt.value.value, (gast.Constant, gast.List, gast.Dict,
                                                  gast.BinOp, gast.UnaryOp)) or
                    isinstance(stmt.value.value, gast.Call) and allocates(
                        self.parsed.resolve(stmt.value.value.func), stmt.value.value)):
            # (r = {t: 1500.0 for t in TEAMS}, without gradient yet: a new dict of this
            # function's own, of new values, whose stores need no check as they run; not
            # {k: S[k] for k in S}, which holds S's arrays)
            self.owned.add(stmt.targets[0].id)
            self.dicts.add(stmt.targets[0].id)

    def output(self, stmt: gast.Return) -> tuple[str, bool]:
        value = stmt.value
        if isinstance(value, gast.Tuple) and not self.helper:
            raise self.error(value, "grad needs a single output, but this returns a tuple: "
                                    "return one array (for several, differentiate each)",
                             SeveralOutputsError)
        self.no_number_from_text(stmt)
        if self._text_source(value) and not isinstance(value, gast.Name) or \
                isinstance(value, gast.Name) and value.id in self.texts and \
                value.id not in self.active:
            raise self.error(value, "grad needs a float output, but this returns text made "
                                    "of a differentiated value: return the value itself")
        if isinstance(value, gast.Name):
            return value.id, value.id in self.active
        name = self.namer.fresh("out")
        if self.is_active(value):  # as if assigned to a name: return [w * x for w in ws]
            self.assign(assign_node(name, value, stmt))
            return name, True
        self.body.append(Primal(assign_node(name, value, stmt), stmt, {name}))
        self.assigned({name})
        return name, False


# Builtins that give a dict's keys (in some order) when given the dict.
_ORDERING_KEYS = (sorted, list, tuple, reversed)

#: Builtins that read a list given them and keep no hold of it.
_KEEPING_NO_HOLD = (len, sorted, list, tuple, set, frozenset, sum, min, max, any, all, print,
                    str, repr)

#: Methods of lists and dicts that change which objects they hold, never an array.
_CONTAINER_ONLY_METHODS = frozenset({"append", "extend", "insert", "pop", "remove",
                                     "clear", "update", "setdefault", "popitem", "reverse"})


def _closures_joined(one: dict, other: dict, active: set) -> dict:
    """The factories' closures known after two paths join (an if's arms, a loop run or
    not): a name both bind to the same composition with the same kept names keeps it.
    One bound differently on each is left to be followed as the code runs (a closure
    of constants, as any function picked then) where neither binding kept a
    differentiated value; else it is marked ``(None, [])``, refused where called."""
    joined = {}
    for name in set(one) | set(other):
        a, b = one.get(name), other.get(name)
        if a is not None and b is not None and a[0] is b[0] and list(a[1]) == list(b[1]):
            joined[name] = a
        elif any(n in active for entry in (a, b) if entry is not None for n in entry[1]) \
                or any(entry is not None and entry[0] is None for entry in (a, b)):
            joined[name] = (None, [])
    return joined


def _agreed(a: dict, b: dict) -> dict:
    """Shape classes two paths agree on."""
    return {name: cls for name, cls in a.items() if b.get(name) == cls}


#: Attributes of an array whose setting changes the array in place (a.shape = (2, 3)).
_ARRAY_ATTRIBUTES = frozenset({"shape", "strides", "dtype", "data", "real", "imag", "flat"})


def _state_references(parsed: ParsedFunction, value: Any) -> list:
    """The parts of ``value`` (names, attributes, items by constant keys) reaching module
    state that holds an array now, whose memory ``value`` may share (``A`` and ``S.w`` in
    ``[A[::-1], S.w.T]``; not ``S.w`` in ``S.w.copy()``)."""
    return [node for node in mutation.shared_parts(value, parsed.resolve)[0]
            if base_name(node) is not None and base_name(node) not in parsed.locals and
            isinstance(mutation.held_value(parsed.fn, node), np.ndarray)]


def _nested_in(outer: str, inner: str) -> bool:
    """Whether the expression text ``inner`` is ``outer`` or reached from it
    (``m.buf[0]`` from ``m.buf``; not ``m.bufs`` from ``m.buf``)."""
    return inner == outer or inner.startswith(outer) and inner[len(outer)] in ".["


def _made_by_a_comprehension(stmt: gast.stmt, comprehensions: set) -> Optional[str]:
    """The temporary a comprehension was built in, where ``stmt`` names it (``m =
    items``): read nowhere else, it hands the new container over."""
    if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
            isinstance(stmt.targets[0], gast.Name) and isinstance(stmt.value, gast.Name) and \
            stmt.value.id in comprehensions:
        return stmt.value.id
    return None


def _only_an_index(name: str, body: list) -> bool:
    """Whether ``name`` is read in ``body`` only as an index or key (``fast[k]``,
    ``out[k] = ...``): then the loop over a differentiated dict's keys (``for k in
    params``) reads them as the constants they are. Were it a list of numbers, indexing
    by its values would carry no gradient either."""
    nodes = [n for stmt in body for n in walk(stmt)]
    slices = {id(n.slice) for n in nodes if isinstance(n, gast.Subscript)}
    loads = [n for n in nodes if isinstance(n, gast.Name) and n.id == name]
    return bool(loads) and all(isinstance(n.ctx, gast.Load) and id(n) in slices
                               for n in loads)


def _stored_here(stmt: gast.stmt) -> set[str]:
    """The names ``stmt`` assigns in this function's scope: not the locals of the defs,
    lambdas and classes inside it (a helper's derivative placed in an arm has its own
    ``prod`` and ``dprod``)."""
    names: set[str] = set()
    todo = [stmt]
    while todo:
        node = todo.pop()
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
            names.add(node.id)
        if isinstance(node, (gast.FunctionDef, gast.AsyncFunctionDef, gast.ClassDef)) and \
                node is not stmt:
            names.add(node.name)
            continue
        if isinstance(node, gast.Lambda):
            continue
        todo.extend(children(node))
    return names


#: Builtins whose result is a number or text: a differentiated value read through
#: them carries no gradient on (float(loss) recorded in a log).
_CONVERSIONS = (float, int, bool, complex, str, repr, format, round)


def _alias_groups(body: list, resolve: Any) -> dict[str, set[str]]:
    """For each name bound to another's array or a view of it (``v = a[1:]``, ``b =
    a``, ``r = a.ravel()``), the names that may share that array, all bindings of the
    function taken together."""
    from . import _viewed_root
    groups: dict[str, set[str]] = {}
    for n in walk(gast.Module(body=body, type_ignores=[])):
        if isinstance(n, gast.Assign) and len(n.targets) == 1 and \
                isinstance(n.targets[0], gast.Name):
            root = _viewed_root(n.value, resolve)
            if root is not None and root != n.targets[0].id:
                joined = groups.get(root, {root}) | groups.get(n.targets[0].id,
                                                               {n.targets[0].id})
                for name in joined:
                    groups[name] = joined
    return groups


_RECORDING_METHODS = frozenset({"append", "extend", "insert", "update", "setdefault", "add"})


def _records_numbers(fn: Any) -> set[str]:
    """The parameters of your function ``fn`` it puts a number made by a conversion into
    (``lst.append(float(v))``, ``d['s'] = v.item()``): records of what it computed."""
    node = mutation._definition(fn)
    if not node:
        return set()
    params = {a.id for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs}

    def converts(expr: Any) -> bool:
        return any(isinstance(n, gast.Call) and (
            isinstance(n.func, gast.Name) and n.func.id in ("float", "int", "complex") or
            isinstance(n.func, gast.Attribute) and n.func.attr in ("item", "tolist"))
            for n in walk(expr))

    found: set[str] = set()
    for n in walk(node):
        if isinstance(n, gast.Call) and isinstance(n.func, gast.Attribute) and \
                isinstance(n.func.value, gast.Name) and n.func.value.id in params and \
                n.func.attr in _RECORDING_METHODS and any(converts(a) for a in n.args):
            found.add(n.func.value.id)
        elif isinstance(n, gast.Assign) and converts(n.value):
            found |= {t.value.id for t in n.targets if isinstance(t, gast.Subscript) and
                      isinstance(t.value, gast.Name) and t.value.id in params}
    return found


def _read_outside_calls(body: list) -> set[str]:
    """The names ``body`` reads other than as an argument, or the object, of a call
    made for its effect (``log_val(log, 'h', h)``, ``d.setdefault('k', []).append(v)``):
    a record read back (``log[-1]``), an array used (``np.sum(d * x)``)."""
    skipped = _arguments_of_calls_for_effect(body)
    return {n.id for n in walk(gast.Module(body=body, type_ignores=[]))
            if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)
            and id(n) not in skipped}


def _arguments_of_calls_for_effect(body: list) -> set[int]:
    """The ids of the names given to calls made for their effect, or their objects,
    and of those whose length alone is read (``len(log)``, ``len(d['hist'])``)."""
    skipped: set = set()
    for stmt in walk(gast.Module(body=body, type_ignores=[])):
        if isinstance(stmt, gast.Call) and isinstance(stmt.func, gast.Name) and \
                stmt.func.id == "len" and len(stmt.args) == 1 and not stmt.keywords:
            counted = stmt.args[0]
            while isinstance(counted, gast.Subscript) and \
                    isinstance(counted.slice, gast.Constant):
                counted = counted.value
            if isinstance(counted, gast.Name):
                skipped.add(id(counted))
        if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call):
            call = stmt.value
            parts = list(call.args) + [k.value for k in call.keywords]
            receiver = call.func
            # (d.setdefault('k', []).append(v), d['hist'].append(v): d)
            while isinstance(receiver, (gast.Attribute, gast.Call)) or isinstance(
                    receiver, gast.Subscript) and isinstance(receiver.slice, gast.Constant):
                receiver = receiver.func if isinstance(receiver, gast.Call) else \
                    receiver.value
                if isinstance(receiver, gast.Call):
                    parts += list(receiver.args) + [k.value for k in receiver.keywords]
            parts.append(receiver)
            skipped |= {id(p) for p in parts if isinstance(p, gast.Name)}
    return skipped


def _named_part(record: gast.expr) -> Optional[tuple]:
    """``("attribute", "hist")`` for ``m.hist``, ``("key", "history")`` for
    ``stats['history']`` (a constant key), of a name; else None."""
    if isinstance(record, gast.Attribute) and isinstance(record.value, gast.Name):
        return ("attribute", record.attr)
    if isinstance(record, gast.Subscript) and isinstance(record.value, gast.Name) and \
            isinstance(record.slice, gast.Constant) and \
            isinstance(record.slice.value, str):  # (not rec[0], which rec[-1] may be)
        return ("key", record.slice.value)
    return None

def _converted_only(node: Any, is_active: Any, resolve: Any) -> bool:
    """Whether every differentiated value ``node`` reads is read only to be converted
    to a number or text (``float(x)``, ``x.item()``, ``f'{x}'``), with at least one so
    read."""
    seen = [False]

    def clean(expr: Any) -> bool:
        if isinstance(expr, gast.Call) and (
                resolve(expr.func) in _CONVERSIONS or
                isinstance(expr.func, gast.Attribute) and expr.func.attr in ("item", "tolist")
                and not expr.args):
            if any(is_active(a) for a in expr.args + [getattr(expr.func, "value", None)]
                   if a is not None):
                seen[0] = True
            return True
        if isinstance(expr, gast.FormattedValue):
            seen[0] = seen[0] or is_active(expr.value)
            return True
        if isinstance(expr, gast.Name):
            return not is_active(expr)
        if isinstance(expr, (gast.Call, gast.Attribute, gast.Compare)) and \
                not is_active(expr):
            return True  # (len(x), x.shape, x > 0: numbers without gradient)
        return all(clean(child) for child in gast.iter_child_nodes(expr))

    return clean(node) and seen[0]


def _parameters_left_alone(fn: Any) -> tuple[list[str], set[str]]:
    """The positional parameters of your ``fn``, and those it surely changes nothing of:
    read, or given to a NumPy function (not as ``out=``) or to a list's ``append``
    (``mark(lst, i)`` doing ``lst.append(i)`` leaves ``i`` alone), never given to
    another call, the object of a method call, nor the base of a store."""
    from ..mutation import _definition
    from . import _WRITING_INTO_THEIR_FIRST, _helper_resolver
    node = _definition(fn)
    if not node:
        return [], set()
    resolve = _helper_resolver(fn)
    params = [a.id for a in node.args.posonlyargs + node.args.args]
    touched: set[str] = set()
    kept_in: dict[str, set[str]] = {}  # container -> names it was given (lst.append(i))
    grown: set[str] = set()  # (those containers)

    def names(tree: Any) -> set[str]:
        return {m.id for m in walk(tree) if isinstance(m, gast.Name)}

    for n in walk(node):
        if n is not node and isinstance(n, (gast.FunctionDef, gast.Lambda)):
            touched |= names(n)
        targets = n.targets if isinstance(n, (gast.Assign, gast.Delete)) else \
            [n.target] if isinstance(n, (gast.AugAssign, gast.For)) else []
        for t in targets:
            if not (isinstance(t, gast.Name) and isinstance(n, gast.Assign)):
                touched |= names(t)
        if not isinstance(n, gast.Call):
            continue
        args = list(n.args) + [k.value for k in n.keywords if k.arg != "out"]
        out = [k.value for k in n.keywords if k.arg == "out"]
        func = n.func
        if isinstance(func, gast.Attribute) and func.attr in ("append", "insert", "add"):
            owner = base_name(func.value)
            grown |= names(func.value)
            if owner is not None:
                kept_in.setdefault(owner, set()).update(*(names(a) for a in args))
            continue
        library = isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and \
            getattr(resolve(func.value), "__name__", "") in ("numpy", "math")
        if library:
            touched |= names(gast.Tuple(elts=out, ctx=gast.Load()))
            if func.attr in _WRITING_INTO_THEIR_FIRST and n.args:
                touched |= names(n.args[0])
            continue
        touched |= names(gast.Tuple(elts=args + out, ctx=gast.Load()))
        if isinstance(func, gast.Attribute):
            touched |= names(func.value)
    for owner, held in kept_in.items():  # (lst.append(v), then lst[-1] *= 2: v too)
        if owner in touched:
            touched |= held
    return params, set(params) - touched - grown


def _is_simple(test: gast.expr) -> bool:
    """A condition cheap and safe to evaluate again: names, numbers, arithmetic, comparisons."""
    allowed = (gast.Name, gast.Constant, gast.Compare, gast.BoolOp, gast.BinOp, gast.UnaryOp,
               gast.cmpop, gast.boolop, gast.operator, gast.unaryop, gast.expr_context)
    return all(isinstance(n, allowed) for n in walk(test))


def _appended_item_of(call: gast.Call) -> Optional[str]:
    """``d`` of ``d[k].append(v)`` or ``d.setdefault(k, []).append(v)``; else None."""
    if not (isinstance(call.func, gast.Attribute) and call.func.attr == "append"):
        return None
    subject = call.func.value
    if isinstance(subject, gast.Subscript) and isinstance(subject.value, gast.Name) and \
            not isinstance(subject.slice, gast.Slice):
        return subject.value.id
    if isinstance(subject, gast.Call) and isinstance(subject.func, gast.Attribute) and \
            subject.func.attr == "setdefault" and isinstance(subject.func.value, gast.Name) \
            and len(subject.args) == 2 and not subject.keywords and \
            isinstance(subject.args[1], gast.List) and not subject.args[1].elts:
        return subject.func.value.id
    return None


def _new_lists_by_key(value: gast.expr) -> bool:
    """Whether ``value`` makes a dict whose every value is a new list (``{'a': [], 'b':
    []}``, ``{k: [] for k in keys}``), so that no other name holds one of them."""
    if isinstance(value, gast.Dict):
        return all(k is not None and isinstance(v, gast.List)
                   for k, v in zip(value.keys, value.values))
    return isinstance(value, gast.DictComp) and isinstance(value.value, gast.List)


_ADVICE = {
    "append": "make it a list of this function's own first ({x} = list({x})), then "
              "append",
    "extend": "make it a list of this function's own first ({x} = list({x})), then "
              "extend",
    "sort": "{x} = sorted({x}) for a list, {x} = np.sort({x}) for an array",
    "reverse": "{x} = {x}[::-1]",
    "insert": "{x} = {x}[:i] + [v] + {x}[i:]",
    "remove": "build the list without the item",
    "clear": "{x} = []",
    "update": "set each item ({x}['k'] = v), which reaches a dict the caller passed, "
              "or, for a dict of this function's own, {x} = {{**{x}, **other}}",
    "setdefault": "write {x}[key] = {x}.get(key, default) and read {x}[key]",
    "fill": "{x} = np.full_like({x}, value)",
    "resize": "{x} = {x}.reshape(shape) where the size stays, or, to grow it with "
              "zeros as .resize() does, {x} = np.concatenate([{x}.ravel(), "
              "np.zeros(n - {x}.size)]).reshape(shape)",
    "partition": "{x} = np.partition({x}, k)",
    "put": "{x} = {x}.copy(), then {x}[indices] = values",
    "itemset": "{x}[index] = value",
}


def _logs(primitive: Any) -> bool:
    """Whether ``primitive`` is a logger's method or a function of ``logging``
    (``log.info("y=%.6f", y)``): it reads its arguments to format them, as print does."""
    import logging
    owner = getattr(primitive, "__self__", None)
    return isinstance(owner, (logging.Logger, logging.LoggerAdapter)) or \
        getattr(primitive, "__module__", None) == "logging"


def _assignable(subject: str) -> bool:
    """Whether ``subject`` (source text) can be assigned to as written: names, attributes
    and subscripts of them, not a call's result."""
    try:
        target = gast.parse(subject, mode="eval").body
    except SyntaxError:
        return False
    while isinstance(target, (gast.Attribute, gast.Subscript)):
        if isinstance(target, gast.Subscript) and any(
                isinstance(n, gast.Call) for n in walk(target.slice)):
            return False
        target = target.value
    return isinstance(target, gast.Name)


def _in_place_advice(subject: str, method: str, call: Any = None) -> str:
    """How to write ``subject.method(...)`` as a new value (for a list of the function's
    own, sort, reverse and insert are rewritten so; a list others may share is not);
    ``call``, where given, names the value appended (HG 03)."""
    given = gast.unparse(call.args[0]).strip() if call is not None and \
        len(getattr(call, "args", ())) == 1 and len(gast.unparse(call.args[0])) < 40 \
        else None
    if not _assignable(subject):
        # (d.setdefault('vals', []).append(v): no name to assign to; U[1].fill(v) is
        # written U[1] = np.full_like(U[1], v), which changes U as fill does)
        return f"give {subject} a name first (items = {subject}) and write its new value " \
               f"to that name ({_ADVICE.get(method, 'items = ...').format(x='items')})"
    if method in ("append", "extend") and subject.endswith("]"):
        # (groups[k].append(v): followed where groups is a dict of new lists read after
        # the appends, _new_lists_by_key)
        added = f"[{given or 'v'}]" if method == "append" else \
            f"list({given or 'vs'})"
        return (f"write {subject} = {subject} + {added}, a new list in its place (a name "
                f"holding the old list keeps it), or make the dict here of new lists "
                f"({{'a': [], 'b': []}}) and read them only after the statements that "
                f"append to them")
    advice = _ADVICE.get(method, "assign its result instead ({x} = ...)").format(x=subject)
    if method in ("sort", "reverse", "insert"):
        advice += f" (or make {subject} a list of this function's own: {subject} = list(...))"
    return advice
