"""Activity: which values carry gradient (depend on a differentiated input through
differentiable operations), and which may hold lists or tuples.
"""

from __future__ import annotations

import sys
import weakref
from typing import Any, Optional

import gast
import numpy as np

from ...rules import numpy_rules, registry, runtime
from .. import source
from ..ir import parents, walk
from ..mutation import INACTIVE_ATTRIBUTES, in_the_standard_library, is_user_function
from ..source import UNRESOLVED, InstanceOf

__all__ = ["OPERATORS", "Activity"]


OPERATORS: dict[type, Any] = {
    gast.Add: numpy_rules.np.add, gast.Sub: numpy_rules.np.subtract,
    gast.Mult: numpy_rules.np.multiply, gast.Div: numpy_rules.np.divide,
    gast.Pow: numpy_rules.np.power, gast.MatMult: numpy_rules.np.matmul,
    gast.Mod: numpy_rules.np.remainder, gast.FloorDiv: numpy_rules.np.floor_divide,
    gast.USub: numpy_rules.np.negative, gast.UAdd: numpy_rules.np.positive,
}


#: NumPy functions returning a list or tuple of arrays.
_SEQUENCES = frozenset({numpy_rules.np.split, numpy_rules.np.array_split,
                        numpy_rules.np.hsplit, numpy_rules.np.vsplit, numpy_rules.np.dsplit,
                        numpy_rules.np.broadcast_arrays, numpy_rules.np.meshgrid})


#: Array attributes a namedtuple's field may be named like (``NT(size=...)``): read as
#: the field only where the name surely holds the namedtuple (`Activity.holds_a_tuple`).
_ARRAY_ATTRIBUTE_NAMES = INACTIVE_ATTRIBUTES | {"T", "mT", "real", "imag", "flat"}


def _fields_named_like_attributes() -> set:
    """The fields named like an array's attribute of the namedtuple classes of this
    process outside Python's, NumPy's and SciPy's own (``NT(size=...)`` of a user's)."""
    found: set = set()
    pending = tuple.__subclasses__()
    while pending:
        cls = pending.pop()
        pending += type.__subclasses__(cls)
        fields = getattr(cls, "_fields", None)
        module = getattr(cls, "__module__", "") or ""
        if fields and not module.startswith(("numpy", "scipy", "autograd_src")) and \
                not _standard(module.partition(".")[0]):
            found.update(f for f in fields if f in _ARRAY_ATTRIBUTE_NAMES)
    return found


def _standard(module: str) -> bool:
    """Whether ``module`` is one of Python's own."""
    return module in sys.builtin_module_names or in_the_standard_library(
        getattr(sys.modules.get(module), "__file__", None) or "")


def _is_one_of(value: Any, functions: frozenset) -> bool:
    """``value in functions``, for any value (an array is unhashable)."""
    return any(value is f for f in functions)


class Activity:
    """Mixed into the normalizer (`statements`), whose state it reads."""

    def holds_a_tuple(self, expr: Any, seen: frozenset = frozenset()) -> bool:
        """Whether ``expr`` is a name surely holding a tuple (a namedtuple, read by its
        fields): a parameter this call passes a list or tuple, or a name bound only to
        calls of a namedtuple class (``p = Gamma(k, theta)``). Its ``.shape`` or ``.T``
        is then a field, not an array's attribute (GU 01)."""
        if not isinstance(expr, gast.Name):
            return False
        if expr.id in seen:  # (p0 = p; ...; p = p0: a name being shown to hold one holds
            return True      # one wherever each of its other values is one)
        if expr.id in self.parsed.params:
            given = expr.id in self.sequences_given or \
                expr.id in getattr(self.parsed, "given_tuples", ())
            if not given or expr.id not in self.parsed.reassigned:
                return given
        values = self.values_assigned(expr.id) if expr.id in self.parsed.locals else []
        if not values or not self.bound_only_by_assignments(expr.id):
            return False
        while any(isinstance(v, gast.IfExp) for v in values):  # (r = p if c else q: both)
            values = [arm for v in values for arm in (
                (v.body, v.orelse) if isinstance(v, gast.IfExp) else (v,))]
        for value in values:
            if isinstance(value, gast.Name) and self.holds_a_tuple(value, seen | {expr.id}):
                continue  # (other = st)
            if isinstance(value, gast.Call) and \
                    self.tuples_returned(value, seen | {expr.id}) is not None:
                continue  # (st = make(a), s = step(s): a helper returning a namedtuple; of
                # s itself, one as the other values make it, HD 01)
            if isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) and \
                    value.func.attr == "_replace" and isinstance(value.func.value, gast.Name) \
                    and (value.func.value.id == expr.id or  # (s = s._replace(...); GX 03)
                         self.holds_a_tuple(value.func.value, seen | {expr.id})):
                continue  # (b2 = b._replace(T=...): a namedtuple of b's class)
            made_by = self.parsed.resolve(value.func) if isinstance(value, gast.Call) \
                else UNRESOLVED
            if made_by is runtime.replaced and value.args and \
                    isinstance(value.args[0], gast.Name) and (
                        value.args[0].id == expr.id or
                        self.holds_a_tuple(value.args[0], seen | {expr.id})):
                continue  # (the gradient's code, read again: _ad.replaced(p, ...); HD 16)
            if made_by is runtime.construct and value.args:  # (the gradient's code, read
                made_by = self.parsed.resolve(value.args[0])  # again: _ad.construct(Box, ...))
            if not (isinstance(made_by, type) and issubclass(made_by, tuple) and
                    hasattr(made_by, "_fields")):
                return False
        return True

    def tuples_returned(self, call: gast.Call, assumed: frozenset = frozenset()
                        ) -> Optional[list]:
        """Where ``call`` calls a function of the user's each of whose returns is a
        namedtuple (``return NT(...)``, or a tuple it is given, or that tuple's
        ``_replace``), their classes (None for a tuple given); else None. ``assumed``:
        names taken to hold namedtuples (``s = step(s)``: s, as its other values make it)."""
        cache = self.__dict__.setdefault("_tuples_returned", {})
        key = (id(call), assumed)
        if key in cache:
            return cache[key][1]
        cache[key] = (call, None)  # (recursion: not followed)
        fn = self.parsed.resolve(call.func) if isinstance(
            call.func, (gast.Name, gast.Attribute)) else UNRESOLVED
        if not is_user_function(fn) or not hasattr(fn, "__code__"):
            return None
        try:
            helper = source.parse_function(fn)
        except Exception:  # noqa: BLE001 - no source: not followed
            return None
        nodes = list(walk(helper.node))
        if any(isinstance(n, (gast.FunctionDef, gast.Lambda, gast.Yield, gast.YieldFrom))
               for n in nodes[1:]):
            return None  # (a nested function's returns are not the helper's)
        params = [a.id for a in helper.node.args.posonlyargs + helper.node.args.args]
        def a_tuple(arg: Any) -> bool:
            return isinstance(arg, gast.Name) and arg.id in assumed or \
                self.holds_a_tuple(arg, assumed)

        given = {params[k] for k, a in enumerate(call.args) if k < len(params) and
                 not isinstance(a, gast.Starred) and a_tuple(a)} | {
            k.arg for k in call.keywords if k.arg in params and a_tuple(k.value)}
        given -= helper.reassigned
        classes: list = []
        for node in nodes:
            if not isinstance(node, gast.Return):
                continue
            value = node.value
            if isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) and \
                    value.func.attr == "_replace":
                value = value.func.value
            made = helper.resolve(value.func) if isinstance(value, gast.Call) else UNRESOLVED
            if isinstance(made, type) and issubclass(made, tuple) and hasattr(made, "_fields"):
                classes.append(made)
            elif isinstance(value, gast.Name) and value.id in given:
                classes.append(None)
            else:
                return None
        cache[key] = (call, classes or None)
        return classes or None

    def no_field_read_where_not_followed(self, cls: Optional[type],
                                         call: gast.Call) -> None:
        """Refuse to make a namedtuple whose field is named like an array's attribute
        (``NT(size=a * a, w=x)``) where it goes somewhere `holds_a_tuple` cannot follow
        it (a list, a dict, a return, an argument of a call other than a helper's): a
        read of ``.size`` there would be an array's attribute, without gradient (GX 05).
        Followed: a name bound to it alone, read by its fields, indexed, given to a
        helper, copied to another name or made again by its ``_replace``, and a
        helper's return, which its caller checks (`tuples_returned`). ``cls`` None: a
        namedtuple of a class not known here (one the caller gave), checked where any
        class of the program has such a field."""
        named = [f for f in (cls._fields if cls is not None else _fields_named_like_attributes())
                 if f in _ARRAY_ATTRIBUTE_NAMES]
        if not named:
            return
        stmt = self.origin
        escape: Any = call
        if isinstance(stmt, gast.Assign) and stmt.value is call and len(stmt.targets) == 1 \
                and isinstance(stmt.targets[0], gast.Name):
            escape = self._tuple_not_followed(stmt.targets[0].id, parents(self.parsed.node),
                                              {stmt.targets[0].id})
        elif isinstance(stmt, gast.Return) and stmt.value is call and self.helper:
            escape = None  # (its caller follows it, or refuses: tuples_returned)
        if escape is None:
            return
        label = cls.__name__ if cls is not None else "namedtuple"
        raise self.error(escape, (
            f"{label} has a field named {named[0]!r}, like an array's attribute, and "
            f"the {label} made at line {call.lineno} goes where grad does not follow "
            f"it as one ({gast.unparse(escape).strip()}): .{named[0]} read there would be "
            f"an array's, without gradient. Rename the field ({named[0]}_), or keep the "
            f"{label} in a name of its own and read its fields from that name"))

    def _tuple_not_followed(self, name: str, parent: dict, seen: set) -> Any:
        """The first use of ``name`` (holding a namedtuple) that `holds_a_tuple` does
        not follow, or None (see `no_field_read_where_not_followed`)."""
        for n in walk(self.parsed.node):
            if not (isinstance(n, gast.Name) and n.id == name and
                    isinstance(n.ctx, gast.Load)):
                continue
            above = parent.get(id(n))
            if isinstance(above, gast.Attribute) and above.value is n and \
                    above.attr != "_replace" or \
                    isinstance(above, gast.Subscript) and above.value is n:
                continue  # (st.size, st[0])
            value = parent.get(id(above)) if isinstance(above, gast.Attribute) else n
            while isinstance(parent.get(id(value)), gast.IfExp) and \
                    parent[id(value)].test is not value:
                value = parent[id(value)]  # (r = st if c else other: r holds it)
            stmt = parent.get(id(value))
            if isinstance(stmt, gast.Assign) and stmt.value is value and \
                    len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name):
                target = stmt.targets[0].id  # (other = st, s2 = st._replace(...))
                if target not in seen:
                    seen.add(target)
                    found = self._tuple_not_followed(target, parent, seen)
                    if found is not None:
                        return found
                continue
            if isinstance(above, gast.Call) and n in above.args and \
                    is_user_function(self.parsed.resolve(above.func)):
                continue  # use(st, x): a helper, told it is given a tuple
            return above if above is not None else n
        return None

    def is_active(self, expr: Any) -> bool:
        """Whether ``expr`` depends on a differentiated input through differentiable ops."""
        if expr is None:
            return False
        if isinstance(expr, gast.Name):
            return expr.id in self.active
        if isinstance(expr, gast.Constant):
            return False
        if isinstance(expr, (gast.Compare,)):
            return False
        if isinstance(expr, gast.BinOp):
            if OPERATORS.get(type(expr.op)) is numpy_rules.np.floor_divide:
                return False
            if isinstance(expr.op, gast.Mod) and isinstance(expr.left, gast.Constant) and \
                    isinstance(expr.left.value, str):
                return False  # "loss %g" % l: a string
            return self.is_active(expr.left) or self.is_active(expr.right)
        if isinstance(expr, gast.UnaryOp):
            if isinstance(expr.op, gast.Not):
                return False
            return self.is_active(expr.operand)
        if isinstance(expr, gast.Attribute):
            if not self.is_active(expr.value):
                return False
            return expr.attr not in INACTIVE_ATTRIBUTES or self.holds_a_tuple(expr.value)
        if isinstance(expr, gast.Call):
            return self._call_is_active(expr)
        if isinstance(expr, gast.Subscript):  # np.r_[x, y] carries x's gradient too
            items = self.tuple_items.get(expr.value.id) \
                if isinstance(expr.value, gast.Name) else None
            if items is not None and isinstance(expr.slice, gast.Constant) and \
                    type(expr.slice.value) is int and \
                    -len(items) <= expr.slice.value < len(items):
                return items[expr.slice.value]
            if self.is_active(expr.value):
                return True
            # TABLE[k] of a module's list, tuple, dict or array: whatever k, an item of
            # constants (an index of integers has no derivative; see checked_index)
            return self.is_active(expr.slice) and not isinstance(
                self.parsed.resolve(expr.value), (list, tuple, dict, str, np.ndarray))
        if isinstance(expr, gast.BoolOp):
            return any(self.is_active(v) for v in expr.values)
        if isinstance(expr, gast.Slice):
            return any(self.is_active(part) for part in (expr.lower, expr.upper, expr.step))
        if isinstance(expr, (gast.Tuple, gast.List)):  # [dyn]: a def reading w counts
            return any(self.is_active(e) or self._reads_active_function(e) for e in expr.elts)
        if isinstance(expr, gast.JoinedStr):
            return False
        if isinstance(expr, gast.Lambda):
            # A lambda reading a differentiated value carries its gradient to whatever
            # calls it (passed to a helper, say): not a constant.
            args = expr.args
            params = {a.id for a in args.posonlyargs + args.args + args.kwonlyargs +
                      [args.vararg, args.kwarg] if isinstance(a, gast.Name)}
            # lambda y, k=k: -k * y: a default is read where the lambda is made
            if any(d is not None and self.is_active(d)
                   for d in args.defaults + args.kw_defaults):
                return True
            return any(isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)
                       and n.id not in params and (n.id in self.active or (
                           n.id in self.local_functions and
                           bool(self.captured_active(n.id))))
                       for n in walk(expr.body))
        if isinstance(expr, gast.Starred):  # rs.randn(*np.shape(x)): no gradient
            return self.is_active(expr.value)
        if isinstance(expr, gast.SetComp) or (  # {i % 2 for i in range(len(x))}: integers
                isinstance(expr, (gast.ListComp, gast.GeneratorExp)) and
                not any(isinstance(n, gast.NamedExpr) for n in walk(expr))):
            # (tuple(n for n in np.shape(x)): sizes; a walrus in a comprehension binds
            # a name outside it, which its element may read: the broad rule below)
            return self._element_is_active(expr)
        # A comprehension: any differentiated name in it, or a call of a nested
        # function reading one ([f(x) for x in xs] where f reads w).
        return any(isinstance(n, gast.Name) and (n.id in self.active or (
            n.id in self.local_functions and bool(self.captured_active(n.id))))
            for n in walk(expr))

    def _element_is_active(self, expr: Any) -> bool:
        """Whether the items ``expr`` (a comprehension) makes carry gradient: its
        element, with each loop's names taken as differentiated where what they loop
        over is (not a name read only to count, ``range(len(x))``)."""
        added: set = set()
        try:
            for generator in expr.generators:
                if self.is_active(generator.iter) or \
                        self._reads_active_function(generator.iter):
                    names = {n.id for n in walk(generator.target)
                             if isinstance(n, gast.Name)} - self.active
                    self.active |= names
                    added |= names
            return self.is_active(expr.elt) or self._reads_active_function(expr.elt)
        finally:
            self.active -= added

    def integer_dtype(self, expr: gast.expr) -> bool:
        """Whether ``expr`` names an integer or bool dtype (``int``, ``np.int32``,
        ``'int64'``, ``bool``)."""
        value = expr.value if isinstance(expr, gast.Constant) else \
            self.parsed.resolve(expr) if isinstance(expr, (gast.Name, gast.Attribute)) \
            else None
        if value is None or value is UNRESOLVED:
            return False
        try:
            return np.dtype(value).kind in "iub"
        except Exception:  # noqa: BLE001 - not a dtype
            return False

    def _call_is_active(self, call: gast.Call) -> bool:
        func = call.func
        ordering = self.orders_only(call)
        operands = list(call.args) + [k.value for k in call.keywords
                                      if not (ordering and k.arg == "key")]
        if isinstance(func, gast.Attribute) and (
                isinstance(func.value, gast.JoinedStr) or isinstance(func.value, gast.Constant)
                and isinstance(func.value.value, str)):
            return False  # "x = {:.2f}".format(x), ", ".join(...): a str, as f"{x}" is
        if isinstance(func, gast.Attribute) and self.is_active(func.value):
            if func.attr == "keys" and not call.args:
                return False  # a dict's keys are constants
            if func.attr == "astype" and len(call.args) == 1 and \
                    self.integer_dtype(call.args[0]):
                return False  # x.astype(int): integers, which carry no gradient
            method = numpy_rules.METHODS.get(func.attr)
            return not (method is not None and registry.is_nondifferentiable(method))
        if isinstance(func, gast.Name) and func.id in self.local_functions:
            if self.captured_active(func.id):  # a nested def reading a differentiated value
                return True
        elif isinstance(func, gast.Name) and func.id in self.closures:
            if any(n in self.active for n in self.closures[func.id][1]):
                return True  # step(x) of step = make_step(a), a differentiated
        elif self.is_active(func):  # make_step(a)(x), or step(x) after step = make_step(a)
            return True
        target = self.parsed.resolve(func)
        if target in (list, tuple, sorted, set, min, max) and len(call.args) == 1 and \
                all(k.arg in ("key", "reverse") and target in (sorted, min, max)
                    for k in call.keywords) and isinstance(call.args[0], gast.Name) and (
                    call.args[0].id in self.dicts or self.surely_a_dict(call.args[0].id)):
            return False  # list(d), max(d, key=d.get): a dict's keys, constants
        if target is UNRESOLVED and isinstance(func, gast.Attribute) and \
                isinstance(func.value, gast.Name) and func.value.id in self.namer.injected:
            # a runtime helper the normalizer wrote itself (_ad.keys(d))
            target = getattr(self.namer.injected[func.value.id], func.attr, UNRESOLVED)
        if target is not UNRESOLVED and registry.is_nondifferentiable(target):
            return False
        if self.drawn_by_probabilities(call):
            return False
        return any(self.is_active(e) or self._reads_active_function(e) for e in operands)

    def drawn_by_probabilities(self, call: gast.Call) -> bool:
        """``rng.choice(n, size, p=w)`` (or ``np.random.choice``) whose probabilities
        alone carry gradient: what it draws (indices, entries of a constant array) is
        piecewise constant in ``w``, no gradient, as ``np.argmax``'s."""
        func = call.func
        if not (isinstance(func, gast.Attribute) and func.attr == "choice"):
            return False
        owner = self.parsed.resolve(func.value)
        generators = (np.random.Generator, np.random.RandomState)
        makers = (np.random.default_rng, np.random.Generator, np.random.RandomState)
        made_here = isinstance(func.value, gast.Name) and owner is UNRESOLVED and bool(
            self.values_assigned(func.value.id)) and all(  # (rng = np.random.default_rng(0))
                isinstance(v, gast.Call) and self.parsed.resolve(v.func) in makers
                for v in self.values_assigned(func.value.id))
        if not (made_here or owner is np.random or isinstance(owner, generators) or
                isinstance(owner, InstanceOf) and issubclass(owner.cls, generators)):
            return False
        others = [a for k, a in enumerate(call.args) if k != 3] + \
            [kw.value for kw in call.keywords if kw.arg != "p"]
        return not any(self.is_active(a) for a in others)

    def _reads_active_function(self, operand: Any) -> bool:
        """A nested def (or a closure a factory made) passed as an argument that reads
        differentiated values: its
        gradient reaches whatever the callee computes with it, so the call is not a
        constant (grad refuses it where it cannot follow, never returns a zero)."""
        if not isinstance(operand, gast.Name) or operand.id in self.active:
            return False
        if operand.id in self.closures:  # step = make_step(a), a differentiated
            return any(n in self.active for n in self.closures[operand.id][1])
        return operand.id in self.local_functions and bool(self.captured_active(operand.id))

    def captured_active(self, name: str, seen: Optional[set] = None) -> set[str]:
        """The differentiated values that the nested function ``name`` reads from this one,
        itself or through the other nested functions it calls."""
        seen = {name} if seen is None else seen | {name}
        node = self.local_functions[name][0]
        free = _free_names(node)
        found = free & self.active
        for sibling in free & set(self.local_functions) - seen:
            found |= self.captured_active(sibling, seen)
        return found

    def orders_only(self, call: gast.Call) -> bool:
        """Whether ``call``'s ``key=`` only orders its items (``max(xs, key=...)``,
        ``sorted``): a key reading differentiated values picks items, it adds no
        gradient."""
        if not any(k.arg == "key" for k in call.keywords):
            return False
        func = call.func
        if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and \
                func.value.id in self.namer.injected:  # _ad.largest, written by the normalizer
            target = getattr(runtime, func.attr, None)
        else:
            target = self.parsed.resolve(func)
        return target in (max, min, sorted, runtime.largest, runtime.smallest,
                          runtime.sorted_items)

    def _returns_arrays(self, call: gast.Call) -> bool:
        """Whether ``call`` surely returns an array or a number: a NumPy, SciPy or math
        function, or a method of an array (not a user's function, whose result may be
        a list)."""
        func = call.func
        if isinstance(func, gast.Attribute) and self.is_active(func.value) and \
                func.attr in numpy_rules.METHODS:
            return self.holds_sequence(func.value) is False
        target = self.parsed.resolve(func)
        if target is UNRESOLVED or target in (list, tuple, sorted, dict, zip, map, enumerate,
                                              reversed, range) or _is_one_of(target, _SEQUENCES):
            return False
        module = (getattr(target, "__module__", None) or "").split(".")[0]
        return module in ("numpy", "scipy", "math") or type(target).__name__ == "ufunc" or \
            target in (abs, float, int, len, max, min, sum, round, pow)

    def holds_sequence(self, expr: gast.expr) -> Optional[bool]:
        """True if ``expr`` surely holds a list or tuple, None if it may, else False."""
        if isinstance(expr, (gast.List, gast.Tuple, gast.ListComp)):
            return True
        if isinstance(expr, gast.Name):
            if expr.id in self.lists or (expr.id in self.sequences_given
                                         and expr.id not in self.reassigned):
                return True
            if expr.id in self.opaque:
                return None
        if isinstance(expr, gast.Subscript) and isinstance(expr.slice, gast.Slice):
            return self.holds_sequence(expr.value)  # xs[1:] of a list is a list
        if isinstance(expr, gast.Call) and (isinstance(expr.func, gast.Name) and
                                            self.parsed.resolve(expr.func) in (list, tuple,
                                                                               sorted) or
                                            _is_one_of(self.parsed.resolve(expr.func),
                                                       _SEQUENCES)):
            return True  # (np.split(h, 2): a list of views of h)
        if self.parsed.filename.startswith("<autograd_src "):
            # Code grad generated (differentiated again) adds lists with _ad.add, never
            # with +: its other operands are arrays and numbers.
            return False
        if isinstance(expr, gast.IfExp):  # [x] if c else []
            body, orelse = self.holds_sequence(expr.body), self.holds_sequence(expr.orelse)
            return True if body and orelse else False if body is False and \
                orelse is False else None
        if isinstance(expr, gast.Subscript) and isinstance(expr.value, gast.Name) and \
                expr.value.id in self.scalar_sequences and (
                    isinstance(expr.slice, gast.Constant) and type(expr.slice.value) is int
                    or isinstance(expr.slice, gast.Name) and expr.slice.id in self.scalars):
            return False  # an item of a list of numbers (the call's signature says so)
        if isinstance(expr, gast.Subscript) and not isinstance(expr.slice, gast.Slice) and \
                self.holds_sequence(expr.value) is not False:
            return None  # params['ws'], xs[0]: an item of a container may be one
        if isinstance(expr, gast.Call) and not self._returns_arrays(expr):
            return None  # a helper's result: a list or tuple as often as an array
        if isinstance(expr, gast.Call) and isinstance(expr.func, gast.Attribute) and \
                expr.func.attr == "copy" and not expr.args:
            return self.holds_sequence(expr.func.value)  # xs.copy() of a list
        if isinstance(expr, gast.BinOp) and isinstance(expr.op, gast.Mult):
            left, right = self.holds_sequence(expr.left), self.holds_sequence(expr.right)
            if left or right:
                return True  # [0.0] * n
            if left is None or right is None:
                return None
        if isinstance(expr, gast.BinOp) and isinstance(expr.op, gast.Add):
            left, right = self.holds_sequence(expr.left), self.holds_sequence(expr.right)
            if left and right:
                return True  # args + (x,)
            if left is not False and right is not False or \
                    self.list_beside_constant(expr, left, right) or \
                    self.list_beside_generated_value(left, right):
                return None
        return False


_FREE_NAMES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _free_names(node: Any) -> frozenset:
    """The names a nested def or lambda reads from outside itself (its defaults too,
    read where the def runs: def step(z, W=W)), found once per node."""
    found = _FREE_NAMES.get(node)
    if found is None:
        local = {n.id for n in walk(node) if isinstance(n, gast.Name)
                 and isinstance(n.ctx, (gast.Store, gast.Param))}
        free = {n.id for n in walk(node) if isinstance(n, gast.Name)
                and isinstance(n.ctx, gast.Load)} - local
        free |= {n.id for d in node.args.defaults + [d for d in node.args.kw_defaults if d]
                 for n in walk(d) if isinstance(n, gast.Name)}
        found = _FREE_NAMES[node] = frozenset(free)
    return found
