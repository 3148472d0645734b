"""What the normalizer knows of shapes: which values are scalars, and which surely
share a shape (a shape class), so adjoints between them need no unbroadcast.
"""

from __future__ import annotations

import math
import operator
from typing import Any, Optional

import gast

from ...rules import numpy_rules, runtime
from ..ir import (
    Op,
    is_none,
    is_number,
    is_scalar_operand,
    is_true,
    walk,
)
from ..source import global_number

__all__ = ["ShapeFacts", "float_array_ndims"]

_np = numpy_rules.np
_CONSTANTS = frozenset({"pi", "e", "tau", "inf", "nan", "euler_gamma"})


def _trimmed(index: Any) -> Optional[int]:
    """How many rows ``x[index]`` drops from the first axis, for ``[a:]``, ``[:-b]``,
    ``[a:-b]`` with constant ``a >= 0``, ``b > 0`` (its length is ``max(0, n - a - b)``)."""
    if not isinstance(index, gast.Slice) or index.step is not None:
        return None

    def constant(node: Any, sign: int) -> Optional[int]:
        if node is None:
            return 0
        if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
            node, sign = node.operand, -sign
        if isinstance(node, gast.Constant) and type(node.value) is int:
            return sign * node.value
        return None

    start, stop = constant(index.lower, 1), constant(index.upper, 1)
    if start is None or stop is None or start < 0 or stop > 0 or \
            (index.upper is not None and stop == 0):
        return None
    return start - stop


_FULL_REDUCTIONS = {_np.sum, _np.mean, _np.prod, _np.max, _np.amax, _np.min, _np.amin,
                    _np.var, _np.std, _np.vdot, _np.linalg.norm}


def _elementwise(primitive: Any) -> bool:
    """Whether ``primitive`` is a ufunc acting element by element (not ``matmul``, a
    generalized ufunc whose result's shape is not its operands')."""
    return type(primitive).__name__ == "ufunc" and primitive.signature is None


_FLOAT_MAKERS = {_np.zeros, _np.ones, _np.empty, _np.full}


def float_array_ndims(node: gast.FunctionDef, resolve: Any,
                      numbers: frozenset = frozenset(),
                      number_lists: frozenset = frozenset()) -> dict[str, int]:
    """The local names that hold, wherever they are read, a float array of a known
    number of dimensions: every binding of the name is ``np.zeros((n, m))``,
    ``np.ones``, ``np.empty`` or ``np.full((n, m), 1e10)`` with a shape written out
    (``k`` items, or one integer: ``k = 1``) and a float type, or elementwise
    arithmetic and ufuncs of such arrays, ``np.arange``, ``np.linspace`` and numbers
    giving a float array (``x = p[0] * np.sin(np.arange(n) * 0.01) + p[1]``), and the
    rest of the code only writes items into it (``R[i, j] = v``). ``R[i - 1, j - 1]``
    of one is then a number (`ShapeFacts.is_scalar_value`). Looked at once, before
    normalizing, for the whole function: no other binding, no attribute set (``R.shape
    = ...``), no ``resize``, no ``global``/``nonlocal``, none in a nested def.
    ``numbers`` name parameters the calls this code serves give numbers (one never
    rebound is an integer where it is a shape, ``np.zeros(n)``: a float raises there),
    ``number_lists`` those given lists of numbers or 1-D arrays (``p[0]``, a number).
    """
    bindings = _Bindings(node)
    ints = _int_names(bindings) | bindings.never_rebound(numbers)
    facts = _Facts(resolve, ints, bindings.never_rebound(numbers),
                   bindings.never_rebound(number_lists))
    # (every binding of the name one of these assignments: not R += v either)
    candidates = {name: found for name, found in bindings.assigned.items()
                  if bindings.only_assigned(name, len(found))}
    grown = True
    while grown:  # (x = np.arange(n) * dt, then y = np.sin(x))
        grown = False
        for name, found in candidates.items():
            if name in facts.arrays:
                continue
            kinds = [facts.ndim(v) for v in found]
            if None not in kinds and len(set(kinds)) == 1 and kinds[0][0] >= 1 and \
                    kinds[0][1]:
                facts.arrays[name] = kinds[0][0]
                grown = True
    return dict(facts.arrays)


class _Facts:
    """The numbers of dimensions of expressions, as `float_array_ndims` reads them."""

    def __init__(self, resolve: Any, ints: frozenset, numbers: frozenset,
                 number_lists: frozenset) -> None:
        self.resolve = resolve
        self.ints = ints
        self.numbers = numbers
        self.number_lists = number_lists
        self.arrays: dict[str, int] = {}

    def ndim(self, value: Any) -> Optional[tuple]:
        """``(ndim, surely_float)`` of what ``value`` gives, or None where not known:
        numbers have 0 dimensions, the arrays of `float_array_ndims` theirs."""
        if isinstance(value, gast.Constant):
            kind = type(value.value)
            return (0, kind is float) if kind in (int, float) else None
        if isinstance(value, gast.Name):
            if value.id in self.arrays:
                return self.arrays[value.id], True
            if value.id in self.ints or value.id in self.numbers:
                return 0, False
            return None
        if isinstance(value, gast.Attribute) and value.attr in _CONSTANTS and \
                self._resolved(value.value) in (_np, math):
            return 0, True  # np.pi
        if isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name) and \
                value.value.id in self.number_lists and _surely_int(value.slice, self.ints):
            return 0, False  # p[0] of a list of numbers
        if isinstance(value, gast.UnaryOp) and isinstance(value.op, (gast.USub, gast.UAdd)):
            return self.ndim(value.operand)
        if isinstance(value, gast.BinOp) and isinstance(value.op, _ELEMENTWISE_OPERATORS):
            left, right = self.ndim(value.left), self.ndim(value.right)
            if left is None or right is None:
                return None
            floats = left[1] or right[1] or isinstance(value.op, gast.Div)
            return max(left[0], right[0]), floats
        if not isinstance(value, gast.Call):
            return None
        made = _float_array_made(value, self.resolve, self.ints)
        if made is not None:
            return made, True
        fn = self._resolved(value.func)
        if fn is _np.arange and len(value.args) <= 3 and not value.keywords:
            parts = [self.ndim(a) for a in value.args]
            if value.args and all(p is not None and p[0] == 0 for p in parts):
                return 1, any(p[1] for p in parts)
            return None
        if fn is _np.linspace and len(value.args) in (2, 3) and not value.keywords:
            parts = [self.ndim(a) for a in value.args]
            if all(p is not None and p[0] == 0 for p in parts):
                return 1, True  # (array ends would give more dimensions)
            return None
        if fn is None or not _elementwise(fn) or value.keywords or \
                len(value.args) != fn.nin:
            return None
        parts = [self.ndim(a) for a in value.args]
        if None in parts:
            return None
        doubles = "d" * fn.nin + "->d"
        if doubles not in fn.types:
            return None  # (np.greater: booleans)
        integers = any(t.startswith("l" * fn.nin + "->") for t in fn.types)
        return max(p[0] for p in parts), any(p[1] for p in parts) or not integers

    def _resolved(self, node: Any) -> Any:
        try:
            return self.resolve(node)
        except Exception:  # (a name resolve cannot read: not a known function)
            return None


_ELEMENTWISE_OPERATORS = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow)


class _Bindings:
    """How each name of a function is bound, found in one walk of it."""

    def __init__(self, node: gast.FunctionDef) -> None:
        #: name -> the values of its plain assignments (``name = value``)
        self.assigned: dict[str, list] = {}
        #: name -> how many times it is bound (stores, deletions, the parameter)
        self.stores: dict[str, int] = {}
        #: names bound otherwise too: a loop's target, a tuple's item, ``:=``
        self.elsewhere: set = set()
        #: names a nested def, ``global``/``nonlocal``, an attribute set or
        #: ``resize`` may change (what they hold, or its shape)
        self.touched: set = set()
        #: name -> the values of its plain assignments and of ``a, b = u, v`` for it;
        #: names these pairs bind; names an augmented assignment or another target binds
        self.paired: dict[str, list] = {}
        self.in_pairs: set = set()
        self.other: set = set()
        self.params = {a.id for a in node.args.args + node.args.kwonlyargs
                       if isinstance(a, gast.Name)}
        for sub in walk(node):
            kind = type(sub)
            if kind is gast.Name:
                if isinstance(sub.ctx, (gast.Store, gast.Del, gast.Param)):
                    self.stores[sub.id] = self.stores.get(sub.id, 0) + 1
            elif kind is gast.Assign:
                self._assignment(sub)
            elif kind is gast.AugAssign:
                if isinstance(sub.target, gast.Name):
                    self.other.add(sub.target.id)
            elif kind is gast.For or kind is gast.comprehension:
                self.elsewhere |= {n.id for n in walk(sub.target) if isinstance(n, gast.Name)}
            elif kind is gast.NamedExpr:
                self.elsewhere.add(sub.target.id)
            elif kind in (gast.FunctionDef, gast.Lambda, gast.ClassDef):
                if sub is not node:
                    self.touched |= {n.id for n in walk(sub) if isinstance(n, gast.Name)}
            elif kind is gast.Global or kind is gast.Nonlocal:
                self.touched |= set(sub.names)
            elif kind is gast.Attribute and isinstance(sub.value, gast.Name) and \
                    (isinstance(sub.ctx, gast.Store) or sub.attr in ("resize", "shape")):
                self.touched.add(sub.value.id)

    def _assignment(self, sub: gast.Assign) -> None:
        target = sub.targets[0] if len(sub.targets) == 1 else None
        if isinstance(target, gast.Name):
            self.assigned.setdefault(target.id, []).append(sub.value)
            self.paired.setdefault(target.id, []).append(sub.value)
        elif isinstance(target, gast.Tuple) and isinstance(sub.value, gast.Tuple) and \
                len(target.elts) == len(sub.value.elts) and \
                all(isinstance(t, gast.Name) for t in target.elts):
            for t, v in zip(target.elts, sub.value.elts):  # (n, m = len(x), len(y))
                self.paired.setdefault(t.id, []).append(v)
                self.in_pairs.add(t.id)
        else:
            for t in sub.targets:
                names = [n for n in walk(t) if isinstance(n, gast.Name)]
                if len(sub.targets) == 1:  # (a, b = v; x[i] = v: i, x too)
                    self.other |= {n.id for n in names}
                if not isinstance(t, gast.Name):
                    self.elsewhere |= {n.id for n in names if isinstance(n.ctx, gast.Store)}

    def kept(self, name: str) -> bool:
        """Whether only plain assignments (or the call) bind ``name``, and nothing
        changes it another way."""
        return name not in self.elsewhere and name not in self.in_pairs and \
            name not in self.touched

    def only_assigned(self, name: str, count: int) -> bool:
        """Whether ``name``'s ``count`` plain assignments are all its bindings."""
        return self.stores.get(name) == count and self.kept(name)

    def never_rebound(self, names: frozenset) -> frozenset:
        """The parameters among ``names`` that nothing binds again."""
        return frozenset(name for name in names if name in self.params and
                         self.stores.get(name) == 1 and self.kept(name))


def _int_names(bindings: _Bindings) -> frozenset:
    """The local names bound only to integers (``n = d.shape[0]``, ``n, m = len(x),
    len(y)``): every binding a plain assignment of a `_surely_int` value."""
    candidates = {name: found for name, found in bindings.paired.items()
                  if name not in bindings.other and
                  all(_surely_int(v, _ANY_NAME) for v in found) and
                  bindings.stores.get(name) == len(found) and
                  name not in bindings.touched and name not in bindings.elsewhere}
    ints: set = set()
    grown = True
    while grown:  # (m = n + 1 after n = len(x))
        grown = False
        for name, found in candidates.items():
            if name not in ints and all(_surely_int(v, ints) for v in found):
                ints.add(name)
                grown = True
    return frozenset(ints)


def _float_array_made(value: Any, resolve: Any, ints: frozenset = frozenset()
                      ) -> Optional[int]:
    """The number of dimensions of the float array ``value`` makes (a maker of
    `_FLOAT_MAKERS` given a shape written out), else None."""
    if not isinstance(value, gast.Call) or not value.args:
        return None
    try:
        maker = resolve(value.func)
        if maker not in _FLOAT_MAKERS:
            return None
    except TypeError:  # (unhashable)
        return None
    keywords = {k.arg: k.value for k in value.keywords}
    if set(keywords) - {"dtype", "fill_value"}:
        return None
    dtype = keywords.get("dtype", value.args[2] if maker is _np.full and len(value.args) > 2
                         else value.args[1] if maker is not _np.full and len(value.args) > 1
                         else None)
    if dtype is not None and not (isinstance(dtype, gast.Name) and dtype.id == "float") \
            and not (isinstance(dtype, gast.Attribute) and dtype.attr == "float64"):
        return None
    if maker is _np.full:
        fill = keywords.get("fill_value", value.args[1] if len(value.args) > 1 else None)
        if isinstance(fill, gast.UnaryOp) and isinstance(fill.op, gast.USub):
            fill = fill.operand
        if dtype is None and not (isinstance(fill, gast.Constant) and
                                  type(fill.value) is float) and not (
                isinstance(fill, gast.Attribute) and fill.attr in _CONSTANTS
                and resolve(fill.value) in (_np, math)):
            return None  # (np.full(n, 0) is an int array; np.full(n, np.inf) a float one)
    shape = value.args[0]
    if isinstance(shape, (gast.Tuple, gast.List)):
        if any(isinstance(e, gast.Starred) for e in shape.elts):
            return None
        return len(shape.elts)
    # (a name may hold a tuple: known only where bound to integers alone)
    return 1 if _surely_int(shape, ints) else None


class _AnyName(frozenset):
    """Every name (``in`` is always true): `_surely_int` as a syntactic first sieve."""

    def __contains__(self, name: object) -> bool:
        return True


_ANY_NAME = _AnyName()


def _surely_int(node: Any, ints: frozenset = frozenset()) -> bool:
    """Whether ``node`` surely gives one integer, never a tuple: a constant, ``len(...)``,
    ``x.shape[0]``, a name among ``ints``, or ``+ - // %`` with a constant integer (a
    tuple plus a number raises; times one repeats it) or of two such integers."""
    if isinstance(node, gast.Constant):
        return type(node.value) is int
    if isinstance(node, gast.Name):
        return node.id in ints
    if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
            node.func.id in ("len", "int"):
        return True
    if isinstance(node, gast.Subscript) and isinstance(node.value, gast.Attribute) and \
            node.value.attr == "shape" and isinstance(node.slice, gast.Constant) and \
            type(node.slice.value) is int:
        return True  # (d.shape[0]: a tuple's item, an int)
    if isinstance(node, gast.BinOp) and isinstance(node.op, (gast.Add, gast.Sub,
                                                             gast.FloorDiv, gast.Mod)):
        sides = (node.left, node.right)
        if all(_surely_int(side, ints) for side in sides):
            return True
        return any(isinstance(side, gast.Constant) and type(side.value) is int
                   for side in sides) and \
            all(_surely_int(side, ints) or isinstance(side, gast.Name) for side in sides)
    return False


class ShapeFacts:
    """Mixed into the normalizer (`statements`), whose state it reads."""

    def class_of_result(self, op: Op) -> int:
        """The shape class of ``op``'s result: its operands' for an elementwise
        operation on one class (and scalars), a new one otherwise."""
        if op.rule is None:
            return self.shape_class.get(op.inputs[0]) or self.new_class()
        if getattr(op.rule.primitive, "__name__", "") == "setitem" and \
                op.inputs[0] in self.shape_class:  # y[i] = v keeps y's shape
            return self.shape_class[op.inputs[0]]
        if op.rule.primitive is operator.getitem and isinstance(op.value, gast.Subscript):
            trimmed = _trimmed(op.value.slice)
            base = op.inputs[0]
            if trimmed is None and self.integer_index(op.value.slice) and \
                    self.holds_sequence(op.value.value) is False and base not in self.dicts \
                    and base not in self.opaque:
                trimmed = "item"  # x[i] and x[i - 1]: one row of the same array each
                # (not of a list or dict: its items may have shapes of their own)
            if trimmed is not None and base in self.shape_class:
                # x[1:] and x[:-1] both drop one row of the same array: one shape.
                key = (self.shape_class[base], trimmed)
                if key not in self.slice_classes:
                    self.slice_classes[key] = self.new_class()
                return self.slice_classes[key]
        if _elementwise(op.rule.primitive):
            values = [op.bound.get(p) for p in op.rule.params[: op.rule.n_inputs]]
            classes = set()
            for value in values:
                if is_scalar_operand(value, self.scalars):
                    continue
                if not isinstance(value, gast.Name) or value.id not in self.shape_class:
                    return self.new_class()
                classes.add(self.shape_class[value.id])
            if len(classes) == 1:
                return classes.pop()
        return self.new_class()

    def integer_index(self, index: Any) -> bool:
        """Whether ``index`` is surely one integer: a constant, a ``range`` loop's
        variable, or sums, differences and products of those."""
        if isinstance(index, gast.Constant):
            return type(index.value) is int
        if isinstance(index, gast.Name):
            return index.id in self.counters
        if isinstance(index, gast.UnaryOp) and isinstance(index.op, gast.USub):
            return self.integer_index(index.operand)
        if isinstance(index, gast.BinOp) and isinstance(index.op, (gast.Add, gast.Sub,
                                                                   gast.Mult)):
            return self.integer_index(index.left) and self.integer_index(index.right)
        return False

    def class_of_expr(self, expr: Any) -> Optional[int]:
        """The shape class of an elementwise expression of one class (and scalars)."""
        if isinstance(expr, gast.Name):
            return self.shape_class.get(expr.id)
        if isinstance(expr, gast.BinOp) and not isinstance(expr.op, gast.MatMult):
            operands = [expr.left, expr.right]
        elif isinstance(expr, gast.UnaryOp):
            operands = [expr.operand]
        elif isinstance(expr, gast.Call) and not expr.keywords and \
                _elementwise(self.parsed.resolve(expr.func)):
            operands = list(expr.args)
        else:
            return None
        classes = {self.class_of_expr(e) for e in operands
                   if not is_scalar_operand(e, self.scalars)}
        return classes.pop() if len(classes) == 1 and None not in classes else None

    def new_class(self) -> int:
        self.classes_made += 1
        return self.classes_made

    def result_is_scalar(self, op: Op) -> bool:
        if op.rule is None:
            return op.inputs[0] in self.scalars
        if hasattr(op.rule, "helper_keywords"):  # a helper of yours: as its derivative says
            return getattr(op.rule, "gives_number", False)
        primitive = op.rule.primitive
        if primitive in _FULL_REDUCTIONS:
            axis = op.bound.get("axis")
            keepdims = op.bound.get("keepdims", False)
            return is_none(axis) and not is_true(keepdims)
        if getattr(primitive, "__module__", None) == "math" or primitive is float:
            return True
        if primitive is abs:  # (of a number: a number; of an array, an array)
            return self.is_scalar_value(op.bound.get(op.rule.params[0]))
        if type(primitive).__name__ == "ufunc":
            values = [op.bound[p] for p in op.rule.params[: op.rule.n_inputs]]
            return all(self.is_scalar_value(v) for v in values)
        if primitive is operator.getitem:  # c[i] of a list of scalars
            return self.is_scalar_value(op.value)
        if primitive is min or primitive is max:  # min(a, b) of numbers: one of them
            return all(self.is_scalar_value(op.bound.get(p))
                       for p in op.rule.params[: op.rule.n_inputs])
        if primitive is runtime.smallest or primitive is runtime.largest:  # min(a, b, c)
            items = op.bound.get("items")
            return isinstance(items, gast.Name) and items.id in self.number_lists and \
                is_none(op.bound.get("key"))
        return False

    def is_scalar_value(self, expr: Any) -> bool:
        """Whether an expression surely gives a scalar: numbers, and arithmetic,
        math functions and ufuncs of scalars, and elements of lists of scalars."""
        if is_number(expr) or (isinstance(expr, gast.Name) and expr.id in self.scalars):
            return True
        if isinstance(expr, gast.Name) and global_number(self.parsed, expr.id):
            return True  # (a module's dt = 0.1)
        if isinstance(expr, gast.Attribute) and expr.attr in _CONSTANTS and \
                self.parsed.resolve(expr.value) in (_np, math):
            return True  # np.pi, math.tau: constants of the modules, never rebound
        if isinstance(expr, gast.BinOp):
            return self.is_scalar_value(expr.left) and self.is_scalar_value(expr.right)
        if isinstance(expr, gast.UnaryOp):
            return self.is_scalar_value(expr.operand)
        if isinstance(expr, gast.Call) and not expr.keywords:
            fn = self.parsed.resolve(expr.func)
            elementwise = getattr(fn, "__module__", None) == "math" or \
                type(fn).__name__ == "ufunc" or fn is float or fn is abs
            return elementwise and all(self.is_scalar_value(a) for a in expr.args)
        if isinstance(expr, gast.Subscript) and isinstance(expr.value, gast.Name) and \
                expr.value.id in self.float_arrays:  # R[i - 1, j - 1] of a 2-d float array
            parts = expr.slice.elts if isinstance(expr.slice, gast.Tuple) else [expr.slice]
            return len(parts) == self.float_arrays[expr.value.id] and \
                all(self.integer_index(p) for p in parts)
        # (x[i - 1], x[-1], x[k] of a number k: not x[index] of a name the normalizer
        # bound to a slice, np.s_[:len(y)])
        return (isinstance(expr, gast.Subscript) and isinstance(expr.value, gast.Name)
                and expr.value.id in self.scalar_sequences
                and (self.integer_index(expr.slice) or (
                    isinstance(expr.slice, gast.Name) and expr.slice.id in self.scalars)))
