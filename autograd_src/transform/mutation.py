"""Aliasing and mutation: which calls may write into their arguments (NumPy's
in-place functions, ``out=``, helpers assigning into a parameter), and which may
return an array that shares memory with one (views, helpers returning one).

The normalizer makes assignment functional (``y[i] = v`` builds a new ``y``), which
is exact only while no other name sees ``y``'s array; these facts tell it when
another name may, so that such code is refused rather than silently given the
values (and gradients) of unshared arrays.
"""

from __future__ import annotations

import builtins
import copy
import inspect
import linecache
import operator
import os
import sys
import sysconfig
import textwrap
import types
import weakref
from typing import Any, Callable, Optional

import gast
import numpy as np

from .ir import base_name, walk

__all__ = ["writes_in_place", "helper_writes_into", "may_share", "returns_fresh", "held_value",
           "shared_parts",
           "allocates", "shared_names", "is_user_function", "read_later", "ALLOCATING",
           "LIBRARIES", "may_change_state",
           "INACTIVE_ATTRIBUTES"]

#: NumPy functions that write into their first argument.
IN_PLACE_FUNCTIONS = {np.copyto, np.put, np.place, np.putmask, np.put_along_axis,
                      np.fill_diagonal}
#: The operator module's in-place functions (``operator.iadd(B, v)`` is ``B += v``).
OPERATOR_IN_PLACE = {getattr(operator, name) for name in (
    "iadd", "isub", "imul", "itruediv", "ifloordiv", "imod", "ipow", "imatmul", "iand",
    "ior", "ixor", "ilshift", "irshift", "iconcat")}
#: Methods an operator calls to write into its object (``W.__imul__(3.0)``: ``W *= 3.0``).
IN_PLACE_DUNDERS = frozenset({
    "__setitem__", "__delitem__", "__iadd__", "__isub__", "__imul__", "__itruediv__",
    "__ifloordiv__", "__imod__", "__ipow__", "__imatmul__", "__iand__", "__ior__",
    "__ixor__", "__ilshift__", "__irshift__"})
#: Methods of an array that write into it (or into the array it is a view of).
ARRAY_WRITING_METHODS = frozenset({
    "fill", "put", "itemset", "setfield", "resize", "sort", "partition",
    "byteswap"}) | IN_PLACE_DUNDERS
#: Methods of lists and dicts that change them.
CONTAINER_CHANGING_METHODS = frozenset({
    "append", "extend", "insert", "pop", "remove", "clear", "update", "setdefault",
    "popitem", "reverse"})
#: Methods that change their object (of arrays, lists and dicts).
MUTATING_METHODS = ARRAY_WRITING_METHODS | CONTAINER_CHANGING_METHODS
#: Methods of sets that change them (``add`` is too common a name to count elsewhere).
SET_CHANGING_METHODS = frozenset({"add", "discard"})
#: Of the methods changing lists, dicts, sets and arrays, those that return None:
#: called for their effect, as statements (inside an expression, grad refuses them).
CHANGING_RETURNING_NONE = (MUTATING_METHODS | SET_CHANGING_METHODS) - {
    "pop", "popitem", "setdefault", "byteswap"} - (IN_PLACE_DUNDERS - {"__setitem__",
                                                                         "__delitem__"})


#: NumPy functions whose result may be a view of (or be) an argument.
VIEW_FUNCTIONS = {np.reshape, np.ravel, np.transpose, np.squeeze, np.expand_dims,
                  np.swapaxes, np.moveaxis, np.rollaxis, np.broadcast_to, np.broadcast_arrays,
                  np.asarray, np.asanyarray, np.ascontiguousarray, np.asfortranarray,
                  np.require, np.atleast_1d, np.atleast_2d, np.atleast_3d, np.flip,
                  np.fliplr, np.flipud, np.rot90, np.diagonal, np.diag, np.real, np.imag,
                  np.split, np.array_split, np.hsplit, np.vsplit, np.dsplit,
                  np.lib.stride_tricks.as_strided, np.lib.stride_tricks.sliding_window_view,
                  np.einsum,  # (a view where it only transposes or takes a diagonal)
                  np.trim_zeros, np.asarray_chkfinite,
                  np.real_if_close} | {  # (the array itself, where it is real)
                      f for f in (getattr(np, "matrix_transpose", None),
                                  getattr(np, "permute_dims", None),
                                  getattr(np, "unstack", None),
                                  getattr(np.linalg, "matrix_transpose", None),
                                  getattr(np.linalg, "diagonal", None)) if f is not None}
#: Array methods and attributes that give views.
#: Of those, the ones grad computes as a copy of what NumPy's view shows (the windows
#: gathered by index): a run-time check of memory cannot see them share their base.
VIEWS_COMPUTED_AS_COPIES = frozenset({np.lib.stride_tricks.sliding_window_view})
VIEW_METHODS = frozenset({"reshape", "ravel", "view", "transpose", "squeeze", "swapaxes",
                          "diagonal", "T", "mT", "real", "imag", "flat", "base"})


def viewed_name(value: Any) -> Optional[str]:
    """The name whose array ``value`` is a view of where NumPy can make one (``W[1]``,
    ``W[1:, None]``, ``W.T``, ``W.reshape(-1)``), or None (``W[idx]`` copies)."""
    if isinstance(value, gast.Attribute) and value.attr in VIEW_METHODS:
        base = value.value
    elif isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) and \
            value.func.attr in VIEW_METHODS:
        base = value.func.value
    elif isinstance(value, gast.Subscript):
        parts = value.slice.elts if isinstance(value.slice, gast.Tuple) else [value.slice]
        if not all(isinstance(p, gast.Slice) or isinstance(p, gast.Constant) and (
                isinstance(p.value, int) or p.value is None or p.value is Ellipsis)
                for p in parts):
            return None  # (an array or a list of indices: a copy)
        base = value.value
    else:
        return None
    return base.id if isinstance(base, gast.Name) else None


#: Builtins that return one of their arguments itself (max(x, lo) is x, a 0-d array).
RETURNS_AN_ARGUMENT = {max, min}
#: Builtins whose result never shares an argument's array.
FRESH_BUILTINS = {len, float, int, bool, abs, round, sum, print, isinstance, str, repr,
                  range, type, hash, id, hasattr, callable, divmod, pow,
                  sorted,  # (sorted: a new list of numbers, keys, strings: not views)
                  copy.deepcopy}  # (copies of every array it holds)


def _library(fn: Any) -> bool:
    module = getattr(fn, "__module__", None) or getattr(type(fn), "__module__", "") or ""
    return module.split(".")[0] in ("numpy", "math", "_operator", "operator") or \
        type(fn).__name__ == "ufunc"


def may_share(primitive: Any, call: gast.Call, depth: int = 0) -> bool:
    """Whether ``call`` (of ``primitive``, or an unknown function) may return an array
    sharing memory with one of its arguments or the object whose method it is."""
    func = call.func
    if isinstance(func, gast.Attribute) and func.attr in VIEW_METHODS:
        return True
    if isinstance(func, gast.Attribute) and func.attr in _COPYING_METHODS:
        return False
    if copy_may_be_skipped(call):
        return True  # np.array(h, copy=False), h.astype(float, copy=False): h itself
    if isinstance(func, gast.Attribute) and func.attr == "astype":
        return False  # (a new array, of the type asked, the same one too)
    try:
        if primitive in VIEW_FUNCTIONS:
            return True
        if primitive in FRESH_BUILTINS:
            return False
    except TypeError:  # unhashable
        return True
    if _library(primitive):
        return False  # NumPy's other functions and ufuncs build new arrays
    if (getattr(primitive, "__module__", None) or "").startswith("autograd_src.rules.runtime") and \
            primitive.__name__ in ("copied", "copied_through", "keys", "inserted"):
        return False  # (generated code's a = _ad.copied(a): an array of its own; a
        # dict's keys, constants; xs.insert(i, v) as a new list, its items held)
    if inspect.isfunction(primitive) or inspect.ismethod(primitive):
        return depth >= 4 or not returns_fresh(primitive, depth + 1)
    if isinstance(func, gast.Attribute) and func.attr in _REDUCING_METHODS:
        return False  # (v.mean(), v.sum(): an array's reductions make new values)
    return True  # unknown: max(a, b), list(x), an object's method


#: Methods of an array that reduce it to new values (of an object of yours, its own
#: method resolves, and is read as a function of yours).
_REDUCING_METHODS = frozenset({"sum", "mean", "std", "var", "prod", "max", "min", "argmax",
                               "argmin", "all", "any", "item", "tolist"})


#: The defs `_definition` parsed, by function: (its code, its file's lines, the def),
#: read again while both stay the same (the readers of a def do not change it).
_DEFINITIONS: "weakref.WeakKeyDictionary[Any, tuple]" = weakref.WeakKeyDictionary()


def _definition(fn: Any) -> Any:
    """The ``def`` of the user function ``fn``, parsed; None for a lambda, and False
    when its source cannot be read. Not to be changed: it is kept for the next reader."""
    code = getattr(fn, "__code__", None)
    lines = None
    if code is not None:
        linecache.checkcache(code.co_filename)
        lines = linecache.getlines(code.co_filename, getattr(fn, "__globals__", None))
        known = _DEFINITIONS.get(fn)
        if known is not None and known[0] is code and known[1] is lines and lines:
            return known[2]
    try:
        node = gast.parse(textwrap.dedent(inspect.getsource(fn))).body[0]
    except (OSError, TypeError, SyntaxError, IndexError):
        return False
    node = node if isinstance(node, (gast.FunctionDef, gast.AsyncFunctionDef)) else None
    if code is not None and lines:
        try:
            _DEFINITIONS[fn] = (code, lines, node)
        except TypeError:  # (not weakly referable)
            pass
    return node


def _place(fn: Any, node: Any) -> str:
    """``file.py:12`` for ``node`` of `_definition`'s tree of ``fn`` (whose lines count
    from the def's first line)."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return f"line {node.lineno} of {getattr(fn, '__name__', 'it')}"
    return f"{os.path.basename(code.co_filename)}:{code.co_firstlineno + node.lineno - 1}"


def _parameters(node: Any) -> set[str]:
    args = node.args
    named = args.posonlyargs + args.args + args.kwonlyargs
    return {a.id for a in named + [args.vararg, args.kwarg] if a is not None}


def returns_fresh(fn: Any, depth: int = 0) -> bool:
    """Whether every value the user function ``fn`` returns is a new array (or number),
    never one of its arguments or a view of one (``return M[0]`` is not)."""
    fn = getattr(fn, "__func__", fn)
    node = _definition(fn)
    if not node:  # unreadable, or a lambda's line
        return False
    params = _parameters(node)
    values: dict[str, list] = {}
    for sub in walk(node):
        if isinstance(sub, gast.Assign):
            for target in sub.targets:
                for name in walk(target):
                    if isinstance(name, gast.Name):
                        plain = isinstance(target, gast.Name)
                        values.setdefault(name.id, []).append(sub.value if plain else None)
        elif isinstance(sub, (gast.AugAssign, gast.For)):
            for name in walk(sub.target):
                if isinstance(name, gast.Name):
                    values.setdefault(name.id, []).append(None)

    def fresh(expr: Any, seen: frozenset) -> bool:
        if expr is None:
            return False
        if isinstance(expr, (gast.BinOp, gast.UnaryOp, gast.Compare, gast.Constant)):
            return True
        if isinstance(expr, gast.IfExp):
            return fresh(expr.body, seen) and fresh(expr.orelse, seen)
        if isinstance(expr, (gast.Tuple, gast.List)):  # return s, q + u[2, 0]: each new
            return all(fresh(e, seen) for e in expr.elts)
        if isinstance(expr, gast.Dict):  # return {'loss': a * 2}
            return None not in expr.keys and all(fresh(v, seen) for v in expr.values)
        if isinstance(expr, gast.Name):
            if expr.id in params or expr.id in seen or expr.id not in values:
                return False
            return all(fresh(v, seen | {expr.id}) for v in values[expr.id])
        if isinstance(expr, gast.Call):
            return not may_share(_resolve(fn, expr.func), expr, depth)
        return False

    returns = [n.value for n in walk(node) if isinstance(n, gast.Return)]
    return bool(returns) and all(fresh(v, frozenset()) for v in returns)


def writes_in_place(primitive: Any, call: gast.Call) -> Optional[str]:
    """How ``call`` of ``primitive`` writes into an argument, or None if it does not."""
    if any(k.arg == "out" for k in call.keywords):
        return "its out= argument is written in place"
    if isinstance(primitive, np.ufunc) and len(call.args) > primitive.nin:
        # np.multiply(y, 2.0, x): a ufunc's positional arguments past its inputs are outs
        return f"np.{primitive.__name__}'s argument {primitive.nin + 1} is its out, " \
            "written in place"
    if primitive in IN_PLACE_FUNCTIONS:
        return f"np.{primitive.__name__} writes into its first argument"
    if primitive in OPERATOR_IN_PLACE:
        return f"operator.{primitive.__name__} writes into its first argument"
    if getattr(primitive, "__name__", None) == "at" and \
            isinstance(getattr(primitive, "__self__", None), np.ufunc):
        return f"np.{primitive.__self__.__name__}.at writes into its first argument"
    return None


def helper_writes_into(fn: Any, depth: int = 0, attributes: bool = True) -> Optional[str]:
    """The first way the user function ``fn`` may change an argument, or None.

    Looks for assignment into a parameter (``p[i] = v``, ``p.w = v``, ``p += v``
    on a list), mutating methods called on one (``p.append(v)``), NumPy
    in-place functions and ``out=``, and helpers it passes a parameter to.
    When its source cannot be read, says so: nothing is known to be safe. Without
    ``attributes``, setting a parameter's attribute (``m.steps = m.steps + 1``), which
    binds a new value and changes no array, does not count.
    """
    node = _definition(fn)
    if node is False:
        return "its source cannot be read"
    if node is None:
        return None  # a lambda: an expression, which assigns nothing
    params = _parameters(node)

    for sub in walk(node):
        targets = sub.targets if isinstance(sub, gast.Assign) else \
            [sub.target] if isinstance(sub, (gast.AugAssign, gast.AnnAssign)) else []
        for target in targets:
            if not attributes and isinstance(sub, gast.Assign) and \
                    isinstance(target, gast.Attribute) and isinstance(target.value, gast.Name):
                continue  # m.steps = ...: a new binding
            if isinstance(target, (gast.Subscript, gast.Attribute)) and base_name(target) in params:
                return f"it assigns into its parameter {base_name(target)} at " \
                       f"{_place(fn, sub)}"
            if isinstance(sub, gast.AugAssign) and isinstance(target, gast.Name) and \
                    target.id in params:
                return f"{target.id} {gast.unparse(sub).split()[1]} ... may change its " \
                       f"argument in place"
        if not isinstance(sub, gast.Call):
            continue
        if isinstance(sub.func, gast.Attribute) and sub.func.attr in MUTATING_METHODS and \
                base_name(sub.func.value) in params:
            return f"it calls .{sub.func.attr}() on its parameter {base_name(sub.func.value)}"
        if any(k.arg == "out" for k in sub.keywords):
            return "it passes out= to a function"
        called = _resolve(fn, sub.func)
        if called is None:
            continue
        if called in _SETTERS and sub.args and base_name(sub.args[0]) in params and \
                attributes:  # setattr(o, 'cache', v), as o.cache = v
            return f"it sets an attribute of its parameter {base_name(sub.args[0])} " \
                   f"({gast.unparse(sub.func).strip()}) at {_place(fn, sub)}"
        how = writes_in_place(called, sub)
        if how:
            return how
        passes_parameter = any(base_name(a) in params for a in sub.args) or \
            any(base_name(k.value) in params for k in sub.keywords)
        if passes_parameter and inspect.isfunction(called) and depth < 8 and \
                called is not fn:
            inner = helper_writes_into(called, depth + 1, attributes)
            if inner:
                return f"it calls {called.__name__}(), and {inner}"
    # (through another name that shares the parameter's array: q = p; q += 1.0)
    from .normalize import written_through_aliases
    through = sorted(written_through_aliases(node, lambda name: _resolve(fn, name)))
    if through:
        return f"it writes into its parameter {through[0]} through another name"
    return None


#: Functions that set an attribute of their first argument.
_SETTERS = (setattr, delattr, object.__setattr__, object.__delattr__)


def state_written_by(fn: Any, depth: int = 0) -> list[tuple[Any, str]]:
    """What the user function ``fn`` may change outside itself, and how: objects of
    its module or closure it writes into (``CACHE['h'] = v``, ``STATE.h = v``,
    ``HIST.append(v)``), ``("global", globals, name)`` for a global it rebinds, and
    the same of the user functions it calls (to depth 8)."""
    node = _definition(fn)
    if not node:
        return []
    own = set(_parameters(node)) | {
        n.id for n in walk(node) if isinstance(n, gast.Name) and
        isinstance(n.ctx, (gast.Store, gast.Del, gast.Param))}
    closure = dict(zip(fn.__code__.co_freevars, fn.__closure__ or ()))

    # d = CFG (every binding of d such a name): d['dt'] = v writes into CFG
    aliases: dict[str, Any] = {}
    for sub in walk(node):
        if isinstance(sub, gast.Assign):
            for target in sub.targets:
                if isinstance(target, gast.Name):
                    aliases.setdefault(target.id, []).append(
                        sub.value.id if isinstance(sub.value, gast.Name) else None)
    aliases = {k: v[0] for k, v in aliases.items() if len(set(v)) == 1 and v[0] is not None
               and v[0] not in aliases}

    def outside(name: Optional[str]) -> Any:
        name = aliases.get(name, name)
        if name is None or name in own and name not in declared:
            return None
        if name in closure:
            try:
                return closure[name].cell_contents
            except ValueError:
                return None
        return fn.__globals__.get(name)

    declared = {name for n in walk(node) if isinstance(n, gast.Global) for name in n.names}
    written: list[tuple[Any, str]] = [(("global", fn.__globals__, name), f"global {name}")
                                      for name in sorted(declared)]
    # nonlocal s; s = v: the enclosing function's variable, which its other closures read
    written += [(("cell", closure[name], name), f"nonlocal {name}")
                for name in sorted({name for n in walk(node) if isinstance(n, gast.Nonlocal)
                                    for name in n.names}) if name in closure]
    def array_held(expr: Any) -> Any:
        """The array ``expr`` (``CFG.w``, ``D["w"]``, ``W``) of an object from outside
        holds now, or None."""
        if outside(base_name(expr)) is None:
            return None
        found = held_value(fn, expr)
        return found if isinstance(found, np.ndarray) else None

    for sub in walk(node):
        targets = sub.targets if isinstance(sub, gast.Assign) else \
            [sub.target] if isinstance(sub, (gast.AugAssign, gast.AnnAssign)) else []
        for target in targets:
            if isinstance(target, gast.Subscript) and isinstance(target.value, gast.Call) \
                    and _resolve(fn, target.value.func) is globals and \
                    isinstance(target.slice, gast.Constant):  # globals()['G'] = v
                written.append((("global", fn.__globals__, target.slice.value),
                                gast.unparse(target).strip() + " = ..."))
            held = _object_written(fn, target, outside)
            if held is not None:  # vars(M)['X'] = v, sys.modules[__name__].X, type(self).x
                written.append((held, gast.unparse(target).strip() + " = ..."))
            if isinstance(target, (gast.Subscript, gast.Attribute)):
                obj = outside(base_name(target))
                if obj is not None:
                    written.append((obj, gast.unparse(target).strip() + " = ..."))
                # the array written into in place (CFG.w[0] = v, CFG.w += v), as itself
                array = array_held(target.value) if isinstance(target, gast.Subscript) \
                    else array_held(target) if isinstance(sub, gast.AugAssign) else None
                if array is not None and array is not obj:
                    written.append((array, gast.unparse(target).strip() + " = ..."))
        if not isinstance(sub, gast.Call):
            continue
        if isinstance(sub.func, gast.Attribute) and sub.func.attr in MUTATING_METHODS:
            obj = outside(base_name(sub.func.value))
            if obj is not None:
                written.append((obj, gast.unparse(sub.func).strip() + "(...)"))
                array = array_held(sub.func.value)
                if array is not None and array is not obj:
                    written.append((array, gast.unparse(sub.func).strip() + "(...)"))
        called = _resolve(fn, sub.func)
        if called in _SETTERS and sub.args:  # setattr(OPT, 'lr', v)
            obj = outside(base_name(sub.args[0]))
            if obj is not None:
                written.append((obj, gast.unparse(sub).strip()))
                if isinstance(obj, types.ModuleType) and len(sub.args) > 1 and \
                        isinstance(sub.args[1], gast.Constant):  # (read as a global)
                    written.append((("global", vars(obj), sub.args[1].value),
                                    gast.unparse(sub).strip()))
        if inspect.isfunction(called) and depth < 8 and called is not fn and \
                _definition(called):
            written += state_written_by(called, depth + 1)
    return written


def _object_written(fn: Any, target: Any, outside: Callable[[Optional[str]], Any]) -> Any:
    """What a store into ``target`` changes outside ``fn`` where its base is not a plain
    name: ``("global", namespace, name)`` for a module's variable (``vars(M)['X']``,
    ``sys.modules[__name__].X``, ``M.X`` of a module), the class for ``type(self).x``
    (``fn`` a bound method); else None."""
    base = target.value if isinstance(target, (gast.Subscript, gast.Attribute)) else None
    if isinstance(target, gast.Subscript) and isinstance(base, gast.Call) and \
            _resolve(fn, base.func) is vars and len(base.args) == 1 and \
            isinstance(target.slice, gast.Constant):
        module = outside(base_name(base.args[0]))
        if isinstance(module, types.ModuleType):
            return ("global", vars(module), target.slice.value)
        return module
    if not isinstance(target, gast.Attribute):
        return None
    if isinstance(base, gast.Subscript) and _resolve(fn, base.value) is sys.modules:
        return ("global", fn.__globals__, target.attr)  # (sys.modules[__name__], likely)
    if isinstance(base, gast.Name) and isinstance(outside(base.id), types.ModuleType):
        return ("global", vars(outside(base.id)), target.attr)
    owner = getattr(fn, "__self__", None)
    if owner is not None and (isinstance(base, gast.Call) and _resolve(fn, base.func) is type
                              or isinstance(base, gast.Attribute) and
                              base.attr == "__class__"):
        return type(owner)
    return None


def held_value(fn: Any, expr: Any) -> Any:
    """What ``expr`` (a dotted name, or items of one by constant keys: ``D["w"]``,
    ``CFG.layers[0].W``) in ``fn``'s body holds now, read from its closure and globals;
    None where it cannot be told."""
    if isinstance(expr, gast.Subscript):
        container = held_value(fn, expr.value)
        if container is None or not isinstance(expr.slice, gast.Constant) or \
                not isinstance(container, (dict, list, tuple)):
            return None
        try:
            return container[expr.slice.value]
        except (KeyError, IndexError, TypeError):
            return None
    if isinstance(expr, gast.Attribute):
        owner = held_value(fn, expr.value)
        return None if owner is None else getattr(owner, expr.attr, None)
    if isinstance(expr, gast.Name):
        closure = dict(zip(fn.__code__.co_freevars, fn.__closure__ or ())) \
            if hasattr(fn, "__code__") else {}
        if expr.id in closure:
            try:
                return closure[expr.id].cell_contents
            except ValueError:
                return None
        return getattr(fn, "__globals__", {}).get(expr.id)
    return None


def _resolve(fn: Any, expr: Any) -> Any:
    """The object a dotted name in ``fn``'s body refers to, from its globals."""
    parts = []
    while isinstance(expr, gast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if not isinstance(expr, gast.Name):
        return None
    value = getattr(fn, "__globals__", {}).get(expr.id, getattr(builtins, expr.id, None))
    for part in reversed(parts):
        value = getattr(value, part, None)
    return value


#: Attributes of an array that carry no gradient.
INACTIVE_ATTRIBUTES = {"shape", "ndim", "size", "dtype", "itemsize", "nbytes", "flags",
                       "strides"}
#: Functions whose result is a new array, never a view of an argument.
ALLOCATING = {np.zeros, np.ones, np.empty, np.full, np.zeros_like, np.ones_like,
              np.empty_like, np.full_like, np.array, np.copy, np.arange, np.linspace,
              np.eye, np.identity, np.concatenate, np.stack, np.hstack, np.vstack,
              np.tile, np.repeat, np.outer, np.matmul, np.dot, np.cumsum,
              list, sorted}  # (a new list: its items are shared, the list is not)
#: Runtime helpers (``_ad.*``) that return a new array of their own for an array input.
_FRESH_RUNTIME = {"unindex", "unreduce", "unmean", "unextreme", "unvar", "unstd", "unprod",
                  "uncumsum", "untile", "unrepeat", "untrace", "matmul_lhs", "matmul_rhs",
                  "zero_at", "setitem", "zeros_like", "copied",
                  "merged"}  # (dict(d), {**d, **e}: a new dict; its values shared)
#: Libraries whose functions are primitives (with rules) rather than code to look inside.
LIBRARIES = {"numpy", "scipy", "math", "builtins", "autograd_src", "operator"}
#: Where Python's own modules live (statistics, random, functools ...): their functions
#: are not the user's to differentiate through (a rule, or an error at the user's line).
#: Told by file, not by module name: a user's own signal.py or random.py is followed.
_STANDARD_DIR = os.path.join(os.path.realpath(sysconfig.get_paths()["stdlib"]), "")


def is_user_function(fn: Any) -> bool:
    """A Python function of the user's own (or a method bound to one), whose derivative
    grad can generate."""
    if inspect.ismethod(fn):
        fn = fn.__func__
    if inspect.isfunction(fn) and fn.__code__.co_filename.startswith("<autograd_src "):
        return True  # code grad generated (of a NumPy function's composite too)
    return (inspect.isfunction(fn) and not hasattr(fn, "__autograd_src_primitive__")
            and (getattr(fn, "__module__", None) or "").split(".")[0] not in LIBRARIES
            and not made_by_package(fn) and not _of_the_standard_library(fn))


def _of_the_standard_library(fn: Any) -> bool:
    """Whether ``fn`` is a function of one of Python's own modules (a file of the
    standard library, not of an installed package)."""
    return in_the_standard_library(getattr(getattr(fn, "__code__", None), "co_filename", ""))


def in_the_standard_library(filename: str) -> bool:
    """Whether ``filename`` is a file of the standard library (not of an installed
    package)."""
    if not filename.startswith(_STANDARD_DIR):
        return False
    rest = filename[len(_STANDARD_DIR):]
    return not rest.startswith(("site-packages", "dist-packages"))


def made_by_package(fn: Any) -> bool:
    """A function of this package's own code (the wrapper make_jvp returns, which
    takes its function's module name): not code of the user's to differentiate."""
    code = getattr(fn, "__code__", None)
    return code is not None and code.co_filename.startswith(_PACKAGE_DIR)


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


#: Methods that return a new array of the values (``u0.flatten()``, unlike ``ravel``).
_COPYING_METHODS = frozenset({"copy", "flatten"})


def copy_may_be_skipped(call: Any) -> bool:
    """Whether ``call`` passes ``copy=`` other than True (``np.array(h, copy=False)``,
    ``h.astype(float, copy=False)``): NumPy may then return the array it is given."""
    return isinstance(call, gast.Call) and any(
        k.arg == "copy" and not (isinstance(k.value, gast.Constant) and k.value.value is True)
        for k in call.keywords)


def allocates(primitive: Any, value: Any) -> bool:
    """Whether a call or operation surely returns a new array of its own."""
    if isinstance(value, (gast.BinOp, gast.UnaryOp, gast.List, gast.Tuple, gast.Dict)):
        return True  # arithmetic and literals build new objects
    if copy_may_be_skipped(value):
        return False
    if isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) and \
            value.func.attr in _COPYING_METHODS:
        return True
    if type(primitive).__name__ == "ufunc":
        return True
    if (getattr(primitive, "__module__", None) or "").startswith("autograd_src.rules.runtime") and \
            getattr(primitive, "__name__", "") in _FRESH_RUNTIME:
        return True  # in a derivative differentiated again: dx = _ad.unindex(...)
    try:
        return primitive in ALLOCATING or getattr(primitive, "__name__", "") == "setitem"
    except TypeError:
        return False


def shallow_copy_source(value: Any, resolve: Any) -> Optional[gast.expr]:
    """What ``value`` copies shallowly where that is a list or dict: ``S`` of
    ``S.copy()``, ``dict(S)``, ``list(S)``, ``copy.copy(S)`` or ``S[:]`` (a new container
    of the same items, which an update of an item in place changes too); else None."""
    if isinstance(value, gast.Call) and not value.args and not value.keywords and \
            isinstance(value.func, gast.Attribute) and value.func.attr == "copy":
        return value.func.value
    if isinstance(value, gast.Call) and len(value.args) == 1 and not value.keywords and \
            not isinstance(value.args[0], gast.Starred):
        try:
            if resolve(value.func) in (dict, list, copy.copy):
                return value.args[0]
        except TypeError:  # (unhashable)
            return None
    if isinstance(value, gast.Subscript) and isinstance(value.slice, gast.Slice) and \
            value.slice.lower is None and value.slice.upper is None and \
            value.slice.step is None:
        return value.value
    return _copied_by_a_comprehension(value)


def _copied_by_a_comprehension(value: Any) -> Optional[gast.expr]:
    """``S`` of a comprehension holding the items of ``S`` as they are (GF 06/07):
    ``{k: S[k] for k in S}``, ``{k: v for k, v in S.items()}``, ``[a for a in S]``,
    ``[S[i] for i in range(n)]``; else None."""
    if not isinstance(value, (gast.DictComp, gast.ListComp)) or len(value.generators) != 1:
        return None
    generator = value.generators[0]
    item = value.value if isinstance(value, gast.DictComp) else value.elt
    it = generator.iter
    if isinstance(it, gast.Call) and isinstance(it.func, gast.Attribute) and \
            it.func.attr in ("items", "keys", "values") and not it.args:
        it = it.func.value
    elif isinstance(it, gast.Call) and isinstance(it.func, gast.Name) and \
            it.func.id in ("sorted", "list", "reversed", "enumerate", "zip") and it.args:
        it = it.args[0]
    loop = {n.id for n in walk(generator.target) if isinstance(n, gast.Name)}
    if isinstance(item, gast.Subscript) and isinstance(item.value, gast.Name) and \
            isinstance(item.slice, gast.Name) and item.slice.id in loop:
        return item.value  # (S[k], S[i])
    if isinstance(item, gast.Name) and item.id in loop and isinstance(it, gast.Name):
        return it  # (a for a in S, v for k, v in S.items())
    return None


def shared_names(stmt: gast.stmt, resolve: Any) -> set[str]:
    """Names whose array a statement may share with another name (``z = y``, ``[y]``,
    ``v = y.reshape(3, 1)``, ``r = first_row(M)``); ``resolve`` tells what a called
    name is."""
    parts, loop_names = shared_parts(getattr(stmt, "value", None), resolve)
    return {n.id for n in parts if isinstance(n, gast.Name)} - loop_names


def shared_parts(value: Any, resolve: Any) -> tuple[list, set]:
    """The names, attributes and items in ``value`` whose arrays it may share (``y`` and
    ``S.w`` in ``[y, S.w.T]``; not ``S.w`` in ``S.w.copy()``), and the names of its
    comprehensions' own variables."""
    parts: list = []
    loop_names: set[str] = set()  # a comprehension's own variables
    stack = [value] if value is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, (gast.Name, gast.Subscript, gast.Attribute)):
            parts.append(node)
        if isinstance(node, (gast.List, gast.Tuple, gast.Set)):
            stack += node.elts
        elif isinstance(node, gast.Dict):
            stack += [v for v in node.values if v is not None]
        elif isinstance(node, gast.Subscript):
            stack.append(node.value)  # a basic index is a view of the array
        elif isinstance(node, gast.Attribute) and node.attr not in INACTIVE_ATTRIBUTES:
            stack.append(node.value)  # y.T, or an array an object holds (self.W)
        elif isinstance(node, gast.IfExp):
            stack += [node.body, node.orelse]
        elif isinstance(node, (gast.ListComp, gast.SetComp, gast.GeneratorExp)):
            stack.append(node.elt)  # [out[i] for i in ...]: views of out's rows
            stack += [g.iter for g in node.generators]  # [r for r in rows]: rows' items
            loop_names |= {n.id for g in node.generators for n in walk(g.target)
                           if isinstance(n, gast.Name)}
        elif isinstance(node, gast.DictComp):
            stack += [node.value] + [g.iter for g in node.generators]
            loop_names |= {n.id for g in node.generators for n in walk(g.target)
                           if isinstance(n, gast.Name)}
        elif isinstance(node, gast.Call) and may_share(resolve(node.func), node):
            stack += [a.value if isinstance(a, gast.Starred) else a for a in node.args]
            stack += [k.value for k in node.keywords]
            if isinstance(node.func, gast.Attribute):
                stack.append(node.func.value)
    return [n for n in parts if not (isinstance(n, gast.Attribute) and
                                     n.attr in INACTIVE_ATTRIBUTES)], loop_names


#: Attributes that read an array's shape or dtype only, which a write into it keeps.
_SHAPE_ATTRIBUTES = frozenset({"shape", "ndim", "dtype", "size"})
#: Functions of NumPy (``np.<name>``) and of the runtime (``_ad.<name>``, in generated
#: code) reading only the shape and dtype of the argument at each position listed.
_SHAPE_READERS = {"np": {"shape": (0,), "ndim": (0,), "zeros_like": (0,),
                         "ones_like": (0,), "empty_like": (0,)},
                  "_ad": {"unbroadcast": (1,), "unindex": (1,), "zeros_like": (0,)}}


def _shape_reads(node: Any) -> set:
    """The ids of the ``Name`` nodes under ``node`` read for an array's shape or dtype
    alone (``t.shape``, ``np.zeros_like(t)``, ``_ad.unbroadcast(g, t)``)."""
    found: set = set()
    for n in walk(node):
        if isinstance(n, gast.Attribute) and n.attr in _SHAPE_ATTRIBUTES and \
                isinstance(n.value, gast.Name) and isinstance(n.ctx, gast.Load):
            found.add(id(n.value))
        elif isinstance(n, gast.Call) and isinstance(n.func, gast.Attribute) and \
                isinstance(n.func.value, gast.Name):
            owner = "_ad" if n.func.value.id.startswith("_ad") else n.func.value.id
            for k in _SHAPE_READERS.get(owner, {}).get(n.func.attr, ()):
                if k < len(n.args) and isinstance(n.args[k], gast.Name):
                    found.add(id(n.args[k]))
    return found


def read_later(body: list, values_only: bool = False
               ) -> tuple[dict[int, frozenset], dict[int, frozenset]]:
    """For each statement (by id), the names live after it (read again before being
    assigned anew, on some path, its loops' next iterations included), and the names
    surely bound when it runs (assigned by the statements before it in its block
    and the blocks around it; the parameters are the caller's to add).

    An in-place update of an array that another name shares is exact as a new array
    when that other name is never read again; this tells the normalizer when. With
    ``values_only``, a name read for its array's shape or dtype alone (``t.shape``,
    the ``t_part`` of ``_ad.unbroadcast(g, t_part)``) is not read: a write into the
    array keeps both.
    """
    later: dict[int, frozenset] = {}
    bound: dict[int, frozenset] = {}

    # (a comprehension's or lambda's own variables are not this function's names)
    own_reads = _own_variable_reads(gast.Module(body=body, type_ignores=[]))
    # A closure reads its free names where it is called: ``get = lambda s: a * s``,
    # then ``get(1.0)`` reads ``a``; passed on or stored, wherever it might be called.
    closures = _closure_reads(body)
    escaped = frozenset().union(*(closures[n.id] for n in walk(gast.Module(
        body=body, type_ignores=[])) if isinstance(n, gast.Name) and n.id in closures
        and isinstance(n.ctx, gast.Load) and not _called(n, body)), frozenset())

    read: dict[int, frozenset] = {}  # loads(node), by id (loops are read again)

    def loads(node: Any) -> frozenset:
        found = read.get(id(node))
        if found is not None:
            return found
        skipped = own_reads | _shape_reads(node) if values_only else own_reads
        names: set[str] = set()
        for n in walk(node):
            if isinstance(n, gast.Name):
                if isinstance(n.ctx, gast.Load) and id(n) not in skipped:
                    names.add(n.id)
            elif isinstance(n, gast.AugAssign) and isinstance(n.target, gast.Name):
                names.add(n.target.id)  # (v *= 0.5 reads v too: it writes, in NumPy,
                # into the array v holds)
        for name in list(names):
            names |= closures.get(name, frozenset())
        found = read[id(node)] = frozenset(names)
        return found

    def stores(stmt: Any) -> frozenset:  # names an assignment surely binds anew
        if isinstance(stmt, gast.Assign):
            return frozenset(n.id for t in stmt.targets for n in walk(t)
                             if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)
                             and not _inside_subscript(t, n))
        return frozenset()

    def live_in(stmts: list, after: frozenset, record: bool,
                exits: tuple = (frozenset(), frozenset())) -> frozenset:
        """The names live before ``stmts`` given those live after (and where ``break``
        and ``continue`` go: ``exits``); with ``record``, what is live after each
        statement is kept."""
        live = after
        for stmt in reversed(stmts):
            if record:
                later[id(stmt)] = live
            if isinstance(stmt, gast.If):
                live = loads(stmt.test) | live_in(stmt.body, live, record, exits) | \
                    live_in(stmt.orelse, live, record, exits)
            elif isinstance(stmt, (gast.For, gast.While)):
                head = loads(stmt.iter) if isinstance(stmt, gast.For) else loads(stmt.test)
                target = frozenset(n.id for n in walk(stmt.target)
                                   if isinstance(n, gast.Name)) \
                    if isinstance(stmt, gast.For) else frozenset()
                exit_live = live_in(stmt.orelse, live, record, exits) | head
                loop_live = exit_live
                while True:  # what the body needs, around the loop, until it settles
                    body_in = live_in(stmt.body, loop_live, False, (live, loop_live))
                    grown = loop_live | ((body_in - target) | head)
                    if grown == loop_live:
                        break
                    loop_live = grown
                live_in(stmt.body, loop_live, record, (live, loop_live))
                live = loop_live | head
            elif isinstance(stmt, (gast.Return, gast.Raise)):
                live = loads(stmt)  # nothing after it runs
            elif isinstance(stmt, gast.Break):
                live = exits[0]  # what is live after the loop
            elif isinstance(stmt, gast.Continue):
                live = exits[1]  # what is live at the loop's next iteration
            elif isinstance(stmt, (gast.With, gast.Try)):
                inner = frozenset()
                for part in ("body", "orelse", "finalbody", "handlers"):
                    for item in getattr(stmt, part, []) or []:
                        inner |= loads(item)
                live = live | inner  # not followed precisely: everything read stays live
            else:
                live = (live - stores(stmt)) | loads(stmt)
        return live

    def surely_stores(stmt: Any) -> Optional[frozenset]:
        """The names ``stmt`` binds on every path that goes on after it; None for a
        statement after which nothing runs (``return``, ``raise``, ``break``)."""
        if isinstance(stmt, (gast.Return, gast.Raise, gast.Break, gast.Continue)):
            return None
        if isinstance(stmt, gast.If):  # (bound in both arms: t = ... if/else)
            arms = [block_stores(stmt.body), block_stores(stmt.orelse)]
            if arms[0] is None or arms[1] is None:
                return arms[1] if arms[0] is None else arms[0]
            return arms[0] & arms[1]
        return stores(stmt)

    def block_stores(stmts: list) -> Optional[frozenset]:
        found: frozenset = frozenset()
        for stmt in stmts:
            made = surely_stores(stmt)
            if made is None:
                return None
            found |= made
        return found

    def sure(stmts: list, before: frozenset) -> None:
        for stmt in stmts:
            bound[id(stmt)] = before
            for part in ("body", "orelse"):
                sure(getattr(stmt, part, []) or [], before)
            before = before | (surely_stores(stmt) or frozenset())

    live_in(body, escaped, True)
    sure(body, frozenset())
    return later, bound


def _closure_reads(body: list) -> dict[str, frozenset]:
    """For each name bound to a lambda or nested def in ``body``, the names of the
    function it reads (its free names, through the closures it calls in turn)."""
    found: dict[str, set] = {}
    for node in walk(gast.Module(body=body, type_ignores=[])):
        if isinstance(node, gast.Assign) and len(node.targets) == 1 and \
                isinstance(node.targets[0], gast.Name) and \
                isinstance(node.value, gast.Lambda):
            name, inner = node.targets[0].id, node.value
        elif isinstance(node, gast.FunctionDef):
            name, inner = node.name, node
        else:
            continue
        own = {n.id for n in walk(inner.args) if isinstance(n, gast.Name)} | {
            n.id for n in walk(inner) if isinstance(n, gast.Name) and
            isinstance(n.ctx, gast.Store)}
        found.setdefault(name, set()).update(
            n.id for n in walk(inner) if isinstance(n, gast.Name) and
            isinstance(n.ctx, gast.Load) and n.id not in own)
    changed = True
    while changed:  # (a closure calling another reads what that one reads)
        changed = False
        for name, reads in found.items():
            more = set().union(*(found[r] for r in reads if r in found and r != name))
            if not more <= reads:
                reads |= more
                changed = True
    return {name: frozenset(reads) for name, reads in found.items()}


def _called(name: gast.Name, body: list) -> bool:
    """Whether the load ``name`` is the function of a call (``get(1.0)``)."""
    return any(isinstance(n, gast.Call) and n.func is name
               for n in walk(gast.Module(body=body, type_ignores=[])))


_COMPREHENSIONS = (gast.ListComp, gast.SetComp, gast.GeneratorExp, gast.DictComp)


def _own_variable_reads(node: Any) -> set[int]:
    """The ids of the ``Name`` nodes under ``node`` that read a comprehension's own
    variable (``w`` in ``sum(x * w for w in ws)``) or a lambda's parameter: names of
    their own scope, which hold nothing of the function's when it goes on."""
    found: set[int] = set()
    for scope in walk(node):
        if isinstance(scope, _COMPREHENSIONS):
            own = {n.id for g in scope.generators for n in walk(g.target)
                   if isinstance(n, gast.Name)}
            parts = [scope.key, scope.value] if isinstance(scope, gast.DictComp) \
                else [scope.elt]
            parts += [test for g in scope.generators for test in g.ifs]
            parts += [g.iter for g in scope.generators[1:]]  # (the first: outside it)
        elif isinstance(scope, gast.Lambda):
            arguments = scope.args
            own = {a.id for a in arguments.posonlyargs + arguments.args +
                   arguments.kwonlyargs + [arguments.vararg, arguments.kwarg]
                   if isinstance(a, gast.Name)}
            parts = [scope.body]
        else:
            continue
        found.update(id(n) for part in parts for n in walk(part)
                     if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)
                     and n.id in own)
    return found


def _inside_subscript(target: Any, name: Any) -> bool:
    """Whether ``name`` is the array a target subscript assigns into (``y`` in ``y[0]``)."""
    return any(isinstance(n, (gast.Subscript, gast.Attribute)) and n.value is name
               for n in walk(target))


#: Methods of arrays, lists, dicts and strings that change nothing (``y.sum()``,
#: ``d.get(k)``): called on a name of the function's own, no state changes.
_READING_METHODS = frozenset({
    "all", "any", "argmax", "argmin", "argpartition", "argsort", "astype", "clip", "conj",
    "copy", "cumprod", "cumsum", "diagonal", "dot", "flatten", "item", "max", "mean", "min",
    "nonzero", "prod", "ravel", "repeat", "reshape", "round", "squeeze", "std", "sum",
    "swapaxes", "take", "tolist", "trace", "transpose", "var", "view", "get", "keys",
    "values", "items", "index", "count", "format", "join", "split", "strip", "lower",
    "upper", "startswith", "endswith", "replace"})


def _may_hold_anothers(parsed: Any, value: Any, depth: int) -> bool:
    """Whether ``value``, assigned to a name, may be an array (or object) that something
    outside the function holds: a name, attribute or item read, a view of one, a call of
    a helper that may return one (``get()`` returning a module's array), an object's
    method. NumPy's functions and arithmetic make new values."""
    if isinstance(value, (gast.Name, gast.Attribute, gast.Subscript)):
        return True
    if isinstance(value, gast.IfExp):
        return _may_hold_anothers(parsed, value.body, depth) or \
            _may_hold_anothers(parsed, value.orelse, depth)
    if not isinstance(value, gast.Call):
        return False
    from . import source
    called = parsed.resolve(value.func)
    if called is source.UNRESOLVED:
        return isinstance(value.func, gast.Attribute)  # (m.weights(), x.reshape(-1))
    return may_share(called, value, depth + 1)


def may_change_state(fn: Any, depth: int = 0, seen: Optional[set] = None) -> bool:
    """Whether ``fn`` (or a function of yours it calls) may change state outside its
    locals: ``global``/``nonlocal``, a store into an attribute or into an item of a
    name not its own, or a method called on such a name (``s.step()``). Unreadable
    source counts as may."""
    from . import source
    fn = getattr(fn, "__func__", fn)
    seen = set() if seen is None else seen
    if id(fn) in seen or depth > 4:
        return False
    seen.add(id(fn))
    try:
        parsed = source.parse_function(fn)
    except Exception:  # noqa: BLE001 - no source: not known
        return True
    own = {n.id for n in walk(parsed.node) if isinstance(n, gast.Name) and
           isinstance(n.ctx, gast.Store)} - set(parsed.params)

    # (names only ever bound to containers made here: out = []; out.append(v) changes
    # nothing of anyone else's)
    made = (gast.List, gast.Dict, gast.Set, gast.ListComp, gast.DictComp, gast.SetComp)
    bindings: dict = {}
    for node in walk(parsed.node):
        if isinstance(node, (gast.Assign, gast.AugAssign, gast.AnnAssign, gast.For,
                             gast.comprehension, gast.NamedExpr, gast.With)):
            targets = node.targets if isinstance(node, gast.Assign) else \
                [getattr(node, "target", node)]
            for target in targets:
                # (Ss, Is = [], []: each name its own new list)
                pairs = dict(zip(map(id, target.elts), node.value.elts)) if isinstance(
                    node, gast.Assign) and isinstance(target, (gast.Tuple, gast.List)) and \
                    isinstance(node.value, (gast.Tuple, gast.List)) and \
                    len(target.elts) == len(node.value.elts) and not any(
                        isinstance(e, gast.Starred) for e in target.elts + node.value.elts) \
                    else {}
                for name in walk(target):
                    if isinstance(name, gast.Name) and isinstance(name.ctx, gast.Store):
                        value = node.value if isinstance(node, gast.Assign) and \
                            target is name else pairs.get(id(name))
                        bindings.setdefault(name.id, []).append(isinstance(value, made))
    fresh = {n for n, kinds in bindings.items() if all(kinds)} - set(parsed.params)
    # (names of its own that may hold an array of someone else's: v = W, v = self.buf,
    # v = get() of a helper handing back a module's array, v = W.reshape(-1))
    aliasing = {t.id for node in walk(parsed.node) if isinstance(node, gast.Assign)
                for t in node.targets if isinstance(t, gast.Name) and
                _may_hold_anothers(parsed, node.value, depth)}

    parameters = {a.id for n in walk(parsed.node) if isinstance(n, (gast.FunctionDef,
                                                                     gast.Lambda))
                  for a in walk(n.args) if isinstance(a, gast.Name) and
                  isinstance(a.ctx, gast.Param)}

    def outside(node: Any) -> bool:
        while isinstance(node, (gast.Subscript, gast.Attribute)):
            node = node.value
        return not (isinstance(node, gast.Name) and node.id in own and
                    node.id not in aliasing)

    for node in walk(parsed.node):
        if isinstance(node, (gast.Global, gast.Nonlocal)):
            return True
        targets = node.targets if isinstance(node, (gast.Assign, gast.Delete)) else \
            [node.target] if isinstance(node, gast.AugAssign) else []
        if any(isinstance(t, gast.Attribute) or
               isinstance(t, gast.Subscript) and outside(t) for t in targets):
            return True
        if isinstance(node, gast.AugAssign) and isinstance(node.target, gast.Name) and \
                (node.target.id in aliasing or node.target.id in parameters):
            # (v = W; v *= 2.0: NumPy scales W; X *= 2.0 in fn or a nested def, the
            # caller's X, which grad's code puts back)
            return True
        if isinstance(node, gast.Call):
            called = parsed.resolve(node.func)
            if isinstance(node.func, gast.Attribute) and called is source.UNRESOLVED and \
                    not isinstance(parsed.resolve(node.func.value), types.ModuleType) and \
                    (outside(node.func.value) or node.func.attr not in _READING_METHODS and
                     not (isinstance(node.func.value, gast.Name) and
                          node.func.value.id in fresh)):
                # (s.step(), log.append(v) on what the caller holds; m.step() on a name
                # of its own, which may hold the caller's object: m = D['m'])
                return True
            if called is next:
                return True  # (next(IT): a module's generator or iterator moves on)
            if isinstance(called, types.BuiltinMethodType) and \
                    not isinstance(called.__self__, (types.ModuleType, type(None))) and \
                    called.__name__ not in _READING_METHODS:
                return True  # (LOG.append(v), RNG.normal() on a module's list or generator)
            if inspect.isfunction(called) and is_user_function(called) and \
                    may_change_state(called, depth + 1, seen):
                return True
            if inspect.isfunction(called) and is_user_function(called) and any(
                    outside(a) for a in list(node.args) + [k.value for k in node.keywords]
                    if isinstance(a, (gast.Name, gast.Attribute, gast.Subscript))) and \
                    helper_writes_into(called) is not None:
                return True  # (double(SCALE) with double doing a *= 2.0)
            if source.is_bound_method(called) and may_change_state(called, depth + 1, seen):
                return True
            if called is source.UNRESOLVED and not isinstance(
                    node.func, (gast.Name, gast.Attribute)) and outside(node.func):
                return True  # (L[0](x), D['m'](x): an object of the caller's, called)
            caller = inspect.getattr_static(type(called), "__call__", None)  # AC(x): an object
            if called is not source.UNRESOLVED and not inspect.isroutine(called) and \
                    not isinstance(called, type) and inspect.isfunction(caller) and \
                    is_user_function(caller) and may_change_state(caller, depth + 1, seen):
                return True
            if writes_in_place(called, node):  # np.add(self.buf, 1.0, out=self.buf)
                written = [k.value for k in node.keywords if k.arg == "out"] + \
                    list(node.args[:1] if not isinstance(called, np.ufunc) else
                         node.args[called.nin:])
                if any(outside(w) for w in written):
                    return True
    return False


def attribute_may_be_read(fn: Any, param: str, attr: str, cls: Optional[type],
                          seen: Optional[set] = None) -> bool:
    """Whether the user function ``fn`` may read ``param.attr`` (``self.t``), itself or
    through the methods of ``cls`` it calls on ``param`` (``self.tendency(u)``): False
    only where each use of ``param`` is ``param.x`` for another ``x`` or such a call,
    and ``param`` is never bound anew. A derivative holding ``param`` then never reads
    ``attr`` when it runs."""
    seen = set() if seen is None else seen
    function = getattr(fn, "function", fn)  # (a method, source.MethodOf)
    if id(function) in seen:
        return False
    seen.add(id(function))
    node = _definition(function)
    if not node or cls is None:
        return True
    from .ir import parents
    parent = parents(node)
    for n in walk(node):
        if not (isinstance(n, gast.Name) and n.id == param):
            continue
        if isinstance(n.ctx, gast.Param):
            continue  # (the parameter itself)
        if not isinstance(n.ctx, gast.Load):
            return True  # (bound anew: what it then holds is unknown)
        above = parent.get(id(n))
        if not (isinstance(above, gast.Attribute) and above.value is n):
            return True  # (given to a function, returned, kept: anything may read it)
        if above.attr == attr:
            return True
        call = parent.get(id(above))
        if isinstance(call, gast.Call) and call.func is above:
            method = inspect.getattr_static(cls, above.attr, None)
            if not isinstance(method, types.FunctionType):
                return True  # (a function held by the object, a property: unknown)
            first = _definition(method)
            first_param = first.args.args[0].id if first and first.args.args else None
            if first_param is None or attribute_may_be_read(method, first_param, attr,
                                                            cls, seen):
                return True
    return False


def may_keep_arguments(fn: Any) -> Optional[set]:
    """The parameters of the user function ``fn`` it may keep a hold of after it returns
    (``self.kept = lst``, ``REGISTRY.append(lst)``, ``d['k'] = lst``, given to a call
    of its own, returned): each use of one other than reading its items, attributes
    or length, iterating over it, or giving it to NumPy's and math's functions (which
    keep nothing). None where its source cannot be read: any of them."""
    function = getattr(fn, "function", fn)  # (a method, source.MethodOf)
    node = _definition(function)
    if not node:
        return None
    args = node.args
    params = {a.id for a in args.posonlyargs + args.args + args.kwonlyargs}
    if args.vararg is not None or args.kwarg is not None:
        return None
    allowed: set = set()
    for n in walk(node):
        if isinstance(n, (gast.Subscript, gast.Attribute)) and \
                isinstance(n.ctx, gast.Load) and isinstance(n.value, gast.Name):
            allowed.add(id(n.value))  # (lst[0], lst.shape; lst.append(v) changes it
            # but keeps no hold)
        elif isinstance(n, (gast.For, gast.comprehension)) and isinstance(n.iter, gast.Name):
            allowed.add(id(n.iter))
        elif isinstance(n, gast.Call):
            target = _resolve(function, n.func) if isinstance(n.func, (gast.Name,
                                                                        gast.Attribute)) \
                else None
            module = getattr(target, "__module__", None) or ""
            if target in (len, sum, min, max, sorted, list, tuple, enumerate, zip,
                          isinstance) or module.startswith(("numpy", "math")):
                allowed |= {id(a) for a in n.args}
    return {n.id for n in walk(node) if isinstance(n, gast.Name) and n.id in params and
            isinstance(n.ctx, gast.Load) and id(n) not in allowed}
