"""Activity and A-normal form for expressions: which values carry gradient, one operation each.

A value is *active* when it depends on an input being differentiated. Active
subexpressions become temporaries holding one primitive each; inactive ones
stay as the user wrote them.
"""

from __future__ import annotations

import builtins
import copy
import functools
import inspect
import operator
import sys
import types
from typing import Any, Optional

import gast
import numpy as np

from ...errors import NoRuleError
from ...rules import numpy_rules, registry, runtime
from ...rules.registry import Rule
from .. import mutation
from ..ir import (
    Op,
    Primal,
    assign_node,
    base_name,
    expr_key,
    is_trivial,
    kept_by,
    load_names,
    name_node,
    walk,
)
from ..mutation import allocates, is_user_function
from ..naming import describe
from ..source import UNRESOLVED, InstanceOf, MethodOf, parameters
from .activity import OPERATORS

__all__ = ["ExpressionNormalizer", "AUG_SYMBOLS"]

_OPERATOR_SYMBOLS = {gast.BitAnd: "&", gast.BitOr: "|", gast.BitXor: "^",
                     gast.LShift: "<<", gast.RShift: ">>", gast.Invert: "~"}

#: Container helpers returning one of the items itself, not a copy (max(xs), d.get(k, v),
#: a namedtuple's field): an update of the result changes the item.
_PICKS_AN_ITEM = (runtime.largest, runtime.smallest, runtime.get_item, runtime.field)


_np = numpy_rules.np


AUG_SYMBOLS = {gast.Add: "+", gast.Sub: "-", gast.Mult: "*", gast.Div: "/", gast.Pow: "**",
                gast.MatMult: "@", gast.Mod: "%"}

#: The methods by which an object takes part in each operator, either side.
_OPERATOR_METHODS = {
    op: (f"__{name}__", f"__r{name}__") for op, name in (
        (gast.Add, "add"), (gast.Sub, "sub"), (gast.Mult, "mul"), (gast.Div, "truediv"),
        (gast.Pow, "pow"), (gast.MatMult, "matmul"), (gast.Mod, "mod"),
        (gast.FloorDiv, "floordiv"))}

#: Values whose operators are those the rules are written for.
_PLAIN_VALUES = (int, float, complex, bool, _np.generic, _np.ndarray, list,
                 tuple, dict, str, type(None))

















class ExpressionNormalizer:
    """Normalizes expressions; mixed into the statement normalizer, whose state it uses."""




    def last_of_each_key(self, expr: gast.Dict) -> gast.Dict:
        """A dict display with constant keys, each key once: Python keeps, for a key
        given twice (``{'a': u, 'a': v}``, ``{1: u, 1.0: v}``), the first key's place and
        the last value. The values left out are still computed where they call
        something (a call's effects stay); their gradient is none."""
        last: dict = {}
        try:
            for k, key in enumerate(expr.keys):
                last.setdefault(_key_value(key), []).append(k)
        except (ValueError, TypeError, SyntaxError):  # (unhashable: Python raises too)
            return expr
        if all(len(places) == 1 for places in last.values()):
            return expr
        keys, values = [], []
        for places in last.values():
            keys.append(expr.keys[places[0]])
            values.append(expr.values[places[-1]])
            for k in places[:-1]:
                dropped = expr.values[k]
                if any(isinstance(n, gast.Call) for n in walk(dropped)):
                    if self.is_active(dropped):
                        self.atom(dropped)
                    else:
                        self.hoist(dropped, describe(dropped))
        return gast.copy_location(gast.Dict(keys=keys, values=values), expr)

    def atom(self, expr: gast.expr) -> gast.expr:
        """``expr`` itself if inactive or a name; else a new temporary holding it."""
        if isinstance(expr, gast.Name) or not self.is_active(expr):
            return expr
        if isinstance(expr, gast.IfExp):
            return name_node(self.conditional(expr))
        if isinstance(expr, (gast.ListComp, gast.GeneratorExp, gast.DictComp)):
            return name_node(self.comprehension(expr))
        rule, value, bound, inputs = self.operation(expr)
        reusable = isinstance(value, (gast.Subscript, gast.Attribute))
        key = expr_key(value) if reusable else None
        if key in self.available:
            return name_node(self.available[key][0])
        name = self.namer.fresh(describe(expr))
        self.emit_op(name, value, rule, inputs, bound)
        if key is not None:
            self.available[key] = (name, load_names(value))
        return name_node(name)

    def conditional(self, expr: gast.IfExp, target: Optional[str] = None) -> str:
        """``a if c else b`` as an if statement assigning a temporary (or ``target``)."""
        name = target or self.namer.fresh("choice")
        origin = self.origin
        stmt = gast.copy_location(gast.If(test=expr.test, body=[assign_node(name, expr.body, expr)],
                                          orelse=[assign_node(name, expr.orelse, expr)]), expr)
        self.branch(stmt)
        self.origin = origin
        return name

    def hoist(self, expr: gast.expr, base: str) -> gast.expr:
        """Bind a non-trivial inactive expression to a name so adjoints can reuse it.

        In a helper's derivative, whose backward runs after the caller went on, an item
        or attribute (``c[0]``, ``self.scale``, ``CFG['k']``) is read once too: the
        caller may change it in between, and the backward must see the value used."""
        trivial = is_trivial(expr)
        # (log[0] of the function's copy of a caller's list: its slots may be bound
        # anew later, log[0] *= 3.0, and the adjoint must read the value used)
        copied_item = isinstance(expr, gast.Subscript) and \
            base_name(expr) in self.container_copies
        if trivial and not copied_item and not (self.read_from_state(expr) and (self.helper or (
                self.calls_that_may_change_state and self.changed_by_calls(expr)) or (
                self.sets_state and _reads_state(expr, self.parsed.locals)) or (
                isinstance(expr, gast.Name) and self.rebinds_globals))):
            return expr
        name = self.namer.fresh(base)
        read = expr
        if trivial:  # an item or attribute read once (see read_from_state)
            self.state_reads.add(name)
            self.state_values[name] = expr
            self.state_rebound.discard(name)
            root = base_name(expr)
            if root is not None and isinstance(expr, gast.Attribute):
                self.state_roots[name] = root  # (self.buf: an array, read by reference)
            if root in self.methods_not_known and not self.is_scalar_value(expr):
                # o.refresh() of a class known only as it runs may write into o.buf in
                # place: the value read is copied, as it was when read
                read = gast.Call(func=gast.Attribute(
                    value=name_node(self.namer.reference(runtime, "_ad")), attr="copied",
                    ctx=gast.Load()), args=[expr], keywords=[])
        stmt = assign_node(name, read, expr if hasattr(expr, "lineno") else self.origin)
        self.body.append(Primal(stmt, self.origin, {name}))
        scalar = self.is_scalar_value(expr)
        if trivial and not scalar:
            self.shared.add(name)  # the array self.buf holds, also reached as self.buf
        elif not scalar:
            # m.reshape(2), np.squeeze(m) inside an expression: a view of m, which an
            # adjoint may read after m[0] = 5.0 writes into it, as a view the user names
            roots = {n for n in mutation.shared_names(types.SimpleNamespace(value=expr),
                                                      self.parsed.resolve)
                     if n in self.parsed.locals}
            if roots:
                roots = set().union(*(self.view_roots.get(n, {n}) for n in roots))
                self.view_roots[name] = roots
                self.shared |= roots | {name}
                # (an item of a list shares the item, not the list, which may still
                # grow: row = V[t - 1]; V.append(...))
                self.owned -= roots - self.lists
            if any(base_name(n) is not None and base_name(n) not in self.parsed.locals
                   for n in walk(expr) if isinstance(n, (gast.Name, gast.Attribute))):
                self.state_views[name] = expr  # (A[::-1] of a module's A: see state_exprs_of)
        shape_class = self.class_of_expr(expr)
        self.assigned({name})
        if scalar:
            self.scalars.add(name)
        if shape_class is not None:
            self.shape_class[name] = shape_class
        self.active.discard(name)
        return name_node(name)

    @functools.cached_property
    def calls_that_may_change_state(self) -> bool:
        """Whether the function calls code of the user's that may change what it read
        before (``opt.decay()`` setting ``self.lr``, ``advance()`` rebinding a global):
        then items, attributes and globals its adjoints read are read once, where the
        primal reads them, as in a helper's derivative."""
        for node in walk(self.parsed.node):
            if isinstance(node, gast.Global):
                return True
            if not isinstance(node, gast.Call):
                continue
            func = node.func
            if isinstance(func, gast.Attribute) and (
                    func.attr in mutation.MUTATING_METHODS or func.attr in numpy_rules.METHODS
                    or func.attr in ("items", "keys", "values", "get", "copy", "format")):
                continue  # a list's, dict's or array's own
            target = self.parsed.resolve(func)
            if target is UNRESOLVED and isinstance(func, gast.Attribute) or \
                    is_user_function(target) or isinstance(target, (InstanceOf, MethodOf)):
                return True  # (self.decay(): a method of the class, MethodOf)
        return False

    @functools.cached_property
    def methods_not_known(self) -> set[str]:
        """Names whose methods the function calls where their class is not known
        before the call runs (``o.refresh()`` for ``o`` an argument)."""
        roots = set()
        for node in walk(self.parsed.node):
            if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and \
                    isinstance(node.func.value, gast.Name) and \
                    node.func.attr not in mutation.MUTATING_METHODS and \
                    node.func.attr not in numpy_rules.METHODS and \
                    self.parsed.resolve(node.func) is UNRESOLVED:
                roots.add(node.func.value.id)
        return roots

    @functools.cached_property
    def sets_state(self) -> bool:
        """Whether the function sets an attribute (``m.s = m.s + 1.0``) or an item of a
        global (``D['calls'] = 1``): then the attributes and such items its adjoints read
        are read once, where the primal reads them, so that setting one later is a new
        binding the derivative does not see."""
        for node in walk(self.parsed.node):
            if isinstance(node, gast.Attribute) and isinstance(node.ctx, gast.Store):
                return True
            if isinstance(node, gast.Subscript) and isinstance(node.ctx, gast.Store) and \
                    base_name(node) not in self.parsed.locals:  # (vars(NS)['k'] too)
                return True
            if isinstance(node, gast.Call) and (
                    self.parsed.resolve(node.func) in mutation._SETTERS or
                    isinstance(node.func, gast.Attribute) and
                    node.func.attr in mutation.MUTATING_METHODS and
                    base_name(node.func.value) is not None and
                    base_name(node.func.value) not in self.parsed.locals and
                    base_name(node.func.value) not in self.parsed.params):
                return True  # setattr(NS, 'k', v), CFG.update(k=v)
        return False

    @functools.cached_property
    def rebinds_globals(self) -> bool:
        """Whether the function binds a module's variable by another route than
        ``global`` (``globals()['K'] = v``, ``vars(module)['K'] = v``, ``setattr(module,
        'K', v)``, ``sys.modules[__name__].K = v``): then the globals its adjoints read
        are read once, where the primal reads them."""
        for node in walk(self.parsed.node):
            if isinstance(node, gast.Subscript) and isinstance(node.ctx, gast.Store) and \
                    isinstance(node.value, gast.Call) and \
                    self.parsed.resolve(node.value.func) in (globals, vars):
                return True
            if isinstance(node, gast.Attribute) and isinstance(node.ctx, gast.Store) and (
                    isinstance(node.value, gast.Subscript) and
                    self.parsed.resolve(node.value.value) is sys.modules or
                    isinstance(self.parsed.resolve(node.value), types.ModuleType)):
                return True  # (sys.modules[__name__].K = v, cfgmod.K = v)
            if isinstance(node, gast.Call) and \
                    self.parsed.resolve(node.func) in mutation._SETTERS and node.args and \
                    isinstance(self.parsed.resolve(node.args[0]), types.ModuleType):
                return True
        return False

    def changed_by_calls(self, expr: gast.expr) -> bool:
        """Whether a call may change ``expr`` without this function writing it: an
        attribute (``opt.lr``, set by ``opt.decay()``), or a global's item or value
        (``CFG['lr']``, ``STEP``); an item of a local or an argument (``xs[t]``) only
        changes by a write into it, which the normalizer checks."""
        if isinstance(expr, gast.Subscript):
            root = base_name(expr)
            return root is None or root not in self.parsed.locals or \
                root in self.given_to_calls or \
                any(isinstance(n, gast.Attribute) for n in walk(expr.value))
        return True

    @functools.cached_property
    def given_to_calls(self) -> set[str]:
        """Names passed to a function of the user's or a method (``decay(cfg)``, which
        may set ``cfg['lr']``)."""
        names: set[str] = set()
        for node in walk(self.parsed.node):
            if isinstance(node, gast.Call):
                target = self.parsed.resolve(node.func)
                if is_user_function(target) or isinstance(target, (InstanceOf, MethodOf)) or \
                        target is UNRESOLVED and isinstance(node.func, gast.Attribute):
                    names |= {a.id for a in list(node.args) + [k.value for k in node.keywords]
                              if isinstance(a, gast.Name)}
        return names

    def read_from_state(self, expr: gast.expr) -> bool:
        """Whether ``expr`` reads an item or attribute of something other than a module
        (``np.pi`` stays as written), or a global or closure variable holding data."""
        if isinstance(expr, gast.Name):
            if expr.id in self.parsed.locals:
                return False
            value = self.parsed.resolve(expr)
            return isinstance(value, (float, int, complex, np.generic, np.ndarray)) and \
                not isinstance(value, bool)
        if not isinstance(expr, (gast.Subscript, gast.Attribute)):
            return False
        root = base_name(expr)
        module = self.parsed.resolve(name_node(root)) if root is not None else None
        if isinstance(expr, gast.Attribute) and isinstance(module, types.ModuleType):
            # cfgmod.K, a module of yours holding data (set_k() may rebind it); np.pi
            # and the like stay as written
            value = self.parsed.resolve(expr)
            return (module.__name__.split(".")[0] not in mutation.LIBRARIES and
                    isinstance(value, (float, int, complex, np.generic, np.ndarray, list,
                                       dict)) and not isinstance(value, bool))
        return True

    def emit_op(self, target: str, value: gast.expr, rule: Optional[Rule],
                inputs: list, bound: dict[str, Any]) -> None:
        operands = set().union(*(load_names(v) for v in bound.values())) | \
            set(self._flat(inputs))
        op = Op(target, value, rule, inputs, bound, self.origin,
                frozenset(operands & self.scalars),
                {n: self.shape_class[n] for n in operands if n in self.shape_class},
                scalar_operands=frozenset(id(v) for v in bound.values() if isinstance(
                    v, gast.Subscript) and self.is_scalar_value(v)))
        scalar = self.result_is_scalar(op)
        shape_class = self.class_of_result(op)
        self.body.append(op)
        self.read_by_adjoints |= kept_by(op)
        if rule is None or not hasattr(rule, "helper_keywords"):
            self.held_by_rules |= kept_by(op)
        holds_list = isinstance(value, (gast.List, gast.Tuple, gast.Dict)) or (
            rule is None and inputs[0] in self.lists) or (
            rule is not None and hasattr(rule, "helper_keywords") and target in self.lists) or (
            rule is not None and rule.primitive in (runtime.joined, list, tuple, runtime.merged,
                                                    runtime.construct,
                                                    runtime.sorted_items, runtime.in_order,
                                                    runtime.transposed)) or (
            # (L = _ad.setitem(L, -1, v) in generated code: L a list still)
            rule is not None and rule.primitive in (runtime.setitem, runtime.copied,
                                                    runtime.appended, runtime.extended,
                                                    runtime.inserted) and
            inputs and inputs[0] in self.lists)
        if not scalar and rule is not None and (
                hasattr(rule, "helper_keywords") or rule.primitive in (
                    runtime.plus, runtime.times) or (rule.primitive is operator.getitem and any(
                    n in self.lists or n in self.opaque for n in self._flat(inputs)))):
            self.opaque.add(target)  # a helper's result, an item of a list: maybe a list
            # (not x[k] of a list of numbers)
        sharing = rule is not None and hasattr(rule, "helper_keywords") and \
            mutation.may_share(rule.primitive, value)
        if rule is not None and any(rule.primitive is f or rule.primitive is
                                    registry.composite(f)
                                    for f in mutation.VIEWS_COMPUTED_AS_COPIES):
            # (sliding_window_view: a view in NumPy, gathered as a copy here, which the
            # checks made as the code runs cannot see: an update of its base is refused)
            self.__dict__.setdefault("computed_as_copies", set()).add(target)
        view = rule is not None and (rule.primitive is operator.getitem
                                     or rule.primitive in mutation.VIEW_FUNCTIONS
                                     or rule.primitive in mutation.RETURNS_AN_ARGUMENT
                                     or rule.primitive in _PICKS_AN_ITEM
                                     or mutation.copy_may_be_skipped(value))
        if rule is not None and rule.primitive in (runtime.pack, runtime.pack_dict,
                                                   runtime.appended, runtime.extended,
                                                   runtime.inserted, runtime.construct):
            # [y], {'k': y}, ys.append(y): the list holds y's array, which an update
            # of y (y[0] = 7, y *= 2) changes in NumPy, as seen through the list.
            # (differentiated or not: [x, w] holds the data x too)
            items = set(self._flat(inputs)) | {
                n for v in bound.values() for n in load_names(v)
                if n in self.parsed.locals and not self.namer.is_reference(n)}
            self.shared |= items | {target}
            self.owned -= items
        # containers holding what they are given by reference (a list of rows of y)
        holds_views = rule is not None and (rule.primitive in (
            runtime.pack, runtime.pack_dict, runtime.appended, runtime.extended,
            runtime.inserted,
            runtime.construct, runtime.joined, runtime.plus, list, tuple,
            # (dict(d), {**d}, L * 1, sorted(L, key=...), copy.copy(L): new containers of
            # the same items)
            runtime.merged, runtime.times, runtime.sorted_items, runtime.in_order,
            sorted, copy.copy) or (
            # (sum([L, M], []): the lists joined, their items held)
            rule.primitive in (builtins.sum, runtime.summed) and
            isinstance(value, gast.Call) and len(value.args) == 2 and
            isinstance(value.args[1], (gast.List, gast.Tuple))) or (
            # (d.copy() of a list or dict, _ad.copied(d): a shallow copy; an array's is
            # a copy of its own)
            rule.primitive in (numpy_rules.np.copy, runtime.copied) and
            isinstance(value, gast.Call) and any(
                isinstance(held, gast.Name) and (
                    held.id in self.lists or held.id in self.dicts or
                    held.id in self.all_lists)
                for held in [value.func.value if isinstance(value.func, gast.Attribute) and
                             value.func.attr == "copy" else None] + value.args[:1])) or (
            rule.primitive is runtime.setitem and isinstance(bound.get("x"), gast.Name) and (
                bound["x"].id in self.lists or bound["x"].id in self.dicts or
                self.holds_sequence(bound["x"]) is not False)))
        if rule is None or view or sharing or holds_views:
            # what the value may be a view of, however many steps away (a view of a
            # temporary view, an item of a list of rows): it changes with them
            sources = self._flat(inputs)
            if holds_views and rule.primitive is runtime.setitem:
                sources.append(bound["x"].id)  # (the container, differentiated or not)
            roots = set().union(*(self.view_roots.get(n, {n}) for n in sources))
            self.view_roots[target] = roots
        if view and rule.primitive is operator.getitem and inputs and \
                isinstance(inputs[0], str) and not scalar:
            source = inputs[0]
            index = bound.get("index")
            parts = index.elts if isinstance(index, gast.Tuple) else [index]
            if source in self.float_arrays and all(self.integer_index(p) for p in parts):
                self.row_views.setdefault(source, set()).add(target)  # (u = U[n])
            for rows in self.row_views.values():
                if source in rows:
                    rows.add(target)  # (u[1:] of a row u)
        if rule is None or view or sharing:
            # target = source, target = source[1:], r = first_row(M): two names may now
            # share one array (not when the result is a number, a copy)
            names = {target} | set(self._flat(inputs))
            self.shared |= names
            if rule is None:  # target = source: two names for one array
                self.owned -= set(inputs)
            elif target in self.parsed.locals and not scalar:
                # A view the user names may be read after an update of its base, which
                # the functional update would not show it. (An item of a list shares
                # the item, not the list, which may still grow: t = xs[k]; xs.append.)
                item_of_list = rule.primitive in (operator.getitem, runtime.get_item) and \
                    inputs and (inputs[0] in self.lists or inputs[0] in self.dicts)
                self.owned -= names - ({inputs[0]} if item_of_list else set())
        if (rule is None or view or sharing or holds_views) and not scalar and \
                target in self.parsed.locals:
            # (and what it is a view of, through temporaries: T of top = T[0][1:], y of
            # rows = [y[0:2]])
            self.owned -= self.view_roots.get(target, set()) - self.lists - {target}
            self.shared |= self.view_roots.get(target, set()) | {target}
        # (xs = ys[:], xs = xs[::-1]: a new list of shared items; read before xs, bound
        # anew, is forgotten)
        sliced_list = view and rule.primitive is operator.getitem and inputs and \
            inputs[0] in self.lists and isinstance(value, gast.Subscript) and \
            isinstance(value.slice, gast.Slice)
        self.assigned({target})
        if rule is None and len(self._flat(inputs)) == 1:
            # A = W: A holds the array W holds, so an update through A is, in NumPy, one
            # of W: checked against the views taken of W's array before grad made it a
            # new one (v = W[0]; W[1] = 0.0; A = W; A *= 2.0 writes into v's memory)
            source = self._flat(inputs)[0]
            if self.detached.get(source):
                self.detached[target] = set(self.detached[source])
            for partners in list(self.detached.values()):
                if source in partners:
                    partners.add(target)
        if holds_list:
            self.lists.add(target)
            self.all_lists.add(target)
        if scalar:
            self.scalars.add(target)
            op.gives_number = rule is not None and rule.primitive is operator.getitem
        elif isinstance(value, (gast.List, gast.Tuple)) and value.elts and \
                target not in self.parsed.locals and \
                all(self.is_scalar_value(e) for e in value.elts):
            self.number_lists.add(target)
        self.shape_class[target] = shape_class
        op.result_class = shape_class
        if rule is not None and (allocates(rule.primitive, value) or sliced_list or
                                 rule.primitive in (runtime.sorted_items, runtime.in_order) or (
                hasattr(rule, "helper_keywords") and not sharing)):
            self.owned.add(target)  # a new array: assigning into it changes nothing else
        self.active.add(target)




    @staticmethod
    def _flat(inputs: list) -> list[str]:
        names: list[str] = []
        for entry in inputs:
            if isinstance(entry, list):
                names += [n for n in entry if n]
            elif entry:
                names.append(entry)
        return names

    def assigned(self, names: set[str]) -> None:
        """Forget what was known about ``names``: they now hold new values."""
        for name in names:
            self.shape_class.pop(name, None)
        self.scalars -= names
        self.scalar_sequences -= names
        self.number_lists -= names
        self.owned -= names
        self.lists -= names
        self.counters -= names
        for name in names:  # (a new value: no longer the array another name shared)
            self.detached.pop(name, None)
        for partners in self.detached.values():
            partners -= names  # (a new view of it, as NumPy's)
        # A name bound to a new value no longer holds the array an adjoint read (the
        # reverse sweep keeps that one), unless another name may still share it.
        self.read_by_adjoints -= names - self.shared
        # (p_part = p[:, None] read once: a write into p's new array does not change it)
        self.state_rebound |= {n for n, v in self.state_values.items()
                               if base_name(v) in names}
        for name in names & set(self.closures):
            del self.closures[name]
        for key in [k for k, (n, deps) in self.available.items() if (deps | {n}) & names]:
            del self.available[key]



    def operation(self, expr: gast.expr) -> tuple[Rule, gast.expr, dict, list]:
        """Split an active expression into one primitive whose operands are atoms."""
        if isinstance(expr, gast.BinOp):
            for side in (expr.left, expr.right):
                self.no_operator_of_its_own(side, expr)
            joined = self.sequence_operator(expr)
            primitive = joined or OPERATORS.get(type(expr.op))
            if primitive is None:
                symbol = _OPERATOR_SYMBOLS.get(type(expr.op), type(expr.op).__name__)
                merge = " (of dicts: write {**a, **b}, a new dict with b's items)" \
                    if isinstance(expr.op, gast.BitOr) else ""
                raise self.error(expr, f"the operator {symbol} has no derivative: it is not "
                                       f"defined for floating-point arrays{merge}")
            if joined is None:
                for side, other in ((expr.left, expr.right), (expr.right, expr.left)):
                    if self.not_an_array(other):  # (a list beside an array: NumPy's)
                        self.no_arithmetic_on_a_list(side, expr)
            return self.bind(expr, primitive, [expr.left, expr.right], {},
                             lambda a, kw: gast.BinOp(left=a[0], op=expr.op, right=a[1]))
        if isinstance(expr, gast.UnaryOp):
            primitive = OPERATORS.get(type(expr.op))
            if primitive is None:
                raise self.error(expr, "bitwise inversion (~) has no derivative")
            self.no_arithmetic_on_a_list(expr.operand, expr)
            return self.bind(expr, primitive, [expr.operand], {},
                             lambda a, kw: gast.UnaryOp(op=expr.op, operand=a[0]))
        if isinstance(expr, gast.Call):
            return self.call(expr)
        if isinstance(expr, gast.Attribute):
            if self.holds_a_tuple(expr.value):
                # (p.shape, c.T of a namedtuple: its fields, whatever their names; GU 01)
                name = gast.Constant(value=expr.attr, kind=None)
                return self.bind(expr, runtime.field, [expr.value, name], {},
                                 lambda a, kw: gast.Attribute(value=a[0], attr=expr.attr,
                                                              ctx=gast.Load()),
                                 display=f".{expr.attr}")
            if expr.attr == "T":
                return self.bind(expr, numpy_rules.np.transpose, [expr.value], {},
                                 lambda a, kw: gast.Attribute(value=a[0], attr="T",
                                                          ctx=gast.Load()))
            if expr.attr in ("real", "imag"):  # x.real is np.real(x)
                return self.bind(expr, getattr(numpy_rules.np, expr.attr), [expr.value], {},
                                 lambda a, kw: gast.Attribute(value=a[0], attr=expr.attr,
                                                              ctx=gast.Load()))
            if expr.attr == "mT" and hasattr(numpy_rules.np, "matrix_transpose"):
                return self.bind(expr, numpy_rules.np.matrix_transpose, [expr.value], {},
                                 lambda a, kw: gast.Attribute(value=a[0], attr="mT",
                                                              ctx=gast.Load()))
            if not hasattr(numpy_rules.np.ndarray, expr.attr) or \
                    callable(getattr(numpy_rules.np.ndarray, expr.attr, None)):
                # layer.W of a namedtuple; s.mean, not called: an array's method would
                # be no value to differentiate, a namedtuple's field is (GU 01)
                name = gast.Constant(value=expr.attr, kind=None)
                return self.bind(expr, runtime.field, [expr.value, name], {},
                                 lambda a, kw: gast.Attribute(value=a[0], attr=expr.attr,
                                                              ctx=gast.Load()),
                                 display=f".{expr.attr}")
            raise self.error(expr, f"the attribute .{expr.attr} of a differentiated array "
                                   "is not supported; use the NumPy function instead")
        if isinstance(expr, gast.Subscript):
            return self.subscript(expr)
        if isinstance(expr, gast.Dict) and any(k is None for k in expr.keys):
            return self.operation(self.merged(expr))
        if isinstance(expr, gast.Dict):
            if not all(_constant_key(k) for k in expr.keys):
                raise self.error(expr, "a dict of differentiated values needs constant keys "
                                       "({'w': w, 'b': b}, {(0, 1): x})")
            expr = self.last_of_each_key(expr)
            keys = gast.Tuple(elts=list(expr.keys), ctx=gast.Load())
            return self.bind(expr, runtime.pack_dict, [keys] + list(expr.values), {},
                             lambda a, kw: gast.Dict(keys=list(expr.keys), values=a[1:]),
                             display="a dict")
        if isinstance(expr, (gast.List, gast.Tuple)):
            kind = type(expr)
            return self.bind(expr, runtime.pack, list(expr.elts), {},
                             lambda a, kw: kind(elts=a, ctx=gast.Load()), display="a list")
        kind = type(expr).__name__
        hints = {
            "IfExp": "a conditional expression in this position is not supported: assign "
                     "it to a name first (y = a if c else b)",
            "ListComp": "a list comprehension of differentiated values in this position is "
                        "not supported: assign it to a name first (ys = [...])",
            "GeneratorExp": "a generator expression of differentiated values in this "
                            "position is not supported: build a list first (ys = [...])",
            "BoolOp": "'and'/'or' on differentiated values pick an operand by truth value; "
                      "compare explicitly and use np.where",
            "Tuple": "a tuple of differentiated values is only supported as the value of "
                     "a tuple assignment or as the list argument of np.stack/concatenate",
            "List": "a list of differentiated values is only supported as the argument of "
                    "np.stack/concatenate",
            "Lambda": "a lambda that reads differentiated values is supported as a name "
                      "of this function (f = lambda y: ...; f(x)) and as an argument of a "
                      "helper defined in this module and called by its plain name "
                      "(integrate(lambda y: -k * y, y0)); elsewhere grad cannot follow its "
                      "gradient",
        }
        raise self.error(expr, hints.get(kind, f"{kind} on differentiated values is not "
                                              "supported"))

    def merged(self, expr: gast.Dict) -> gast.expr:
        """``{**p, 'c': x}`` as ``_ad.merged(p, {'c': x})``: the dicts merged in order,
        each key's adjoint sent to the dict whose value the result kept."""
        merge = gast.Attribute(value=name_node(self.namer.reference(runtime, "_ad")),
                               attr="merged", ctx=gast.Load())
        parts: list = []  # the dicts to merge: splatted values and literals
        literal: Optional[gast.Dict] = None
        for key, value in zip(expr.keys, expr.values):
            if key is None:
                parts.append(value)
                literal = None
            elif literal is None:
                literal = gast.Dict(keys=[key], values=[value])
                parts.append(literal)
            else:
                literal.keys.append(key)
                literal.values.append(value)
        if len(parts) == 1:
            parts.append(gast.Dict(keys=[], values=[]))  # {**p}: a new dict, dict(p)
        whole = parts[0]
        for part in parts[1:]:
            whole = gast.Call(func=merge, args=[whole, part], keywords=[])
        return gast.copy_location(whole, expr)

    def index_joined(self, expr: gast.Subscript) -> gast.expr:
        """``np.r_[a, 0.0, 1:3]`` (or ``np.c_``) as ``_ad.index_joined([a, 0.0,
        np.r_[1:3]], np.r_)``: its items one list, whose rule sends each entry's
        adjoint back to the item it came from. A slice is a constant range."""
        index = expr.slice
        items = list(index.elts) if isinstance(index, gast.Tuple) else [index]
        np_name = self.namer.reference(numpy_rules.np, "np")
        joiner = expr.value
        parts: list = []
        for item in items:
            if isinstance(item, gast.Constant) and isinstance(item.value, str):
                raise self.error(item, f"{gast.unparse(joiner).strip()}[...] with a string "
                                       "directive is not differentiated: write "
                                       "np.concatenate([...], axis=...) instead", NoRuleError)
            if isinstance(item, gast.Slice):
                if self.is_active(item):
                    raise self.error(item, "a range computed from a differentiated value "
                                           "is not differentiable: compute it from "
                                           "constants")
                item = gast.Subscript(value=gast.Attribute(value=name_node(np_name),
                                                           attr="r_", ctx=gast.Load()),
                                      slice=item, ctx=gast.Load())
            parts.append(item)
        join = gast.Attribute(value=name_node(self.namer.reference(runtime, "_ad")),
                              attr="index_joined", ctx=gast.Load())
        call = gast.Call(func=join, args=[gast.List(elts=parts, ctx=gast.Load()), joiner],
                         keywords=[])
        return gast.copy_location(call, expr)

    def checked_index(self, index: gast.expr, what: str = "an index",
                      of: Optional[gast.expr] = None) -> gast.Name:
        """An index that the analysis finds carrying gradient (an integer position a
        helper returned, ``v, k = pick(x)``; a key read from a differentiated list):
        bound to a name, checked as it runs to hold integers, bools or text only, whose
        derivative is zero (`_ad.integer_index`), and a constant from then on. One made of
        an argument grad differentiates without calls (floats: ``x[x]``, ``x[0] * 2``) is
        refused now; ``what`` names it in messages (another argument: an axis)."""
        read = {n.id for n in walk(index) if isinstance(n, gast.Name)}
        if not self.helper and read & {w for w in self.wrt if self.stores_of(w) == 0} and \
                not any(isinstance(n, gast.Call) for n in walk(index)):  # (x[x], x[0] * 2)
            if what == "an index":
                raise self.error(index, "an index computed from a differentiated value is "
                                        "not differentiable: compute it from constants")
            hint = ": join them first, np.diff(np.concatenate([x[:1], x]))" \
                if "of np.diff" in what and ("prepend" in what or "append" in what) else ""
            raise self.error(index, f"{what} cannot depend on a differentiated value{hint}")
        if any(isinstance(n, gast.Slice) for n in walk(index)):
            np_name = self.namer.reference(numpy_rules.np, "np")
            index = gast.Subscript(value=gast.Attribute(value=name_node(np_name), attr="s_",
                                                        ctx=gast.Load()),
                                   slice=index, ctx=gast.Load())
        where = f"{self.parsed.where(self.origin)}: " \
            f"{gast.unparse(self.origin).strip().splitlines()[0]}"
        call = gast.Call(func=gast.Attribute(
            value=name_node(self.namer.reference(runtime, "_ad")), attr="integer_index",
            ctx=gast.Load()), args=[index, gast.Constant(value=where, kind=None)] + (
                [gast.Constant(value=what, kind=None)] if what != "an index" else []),
            keywords=[gast.keyword(arg="of", value=name_node(of.id))]  # (a dict's key)
            if isinstance(of, gast.Name) else [])
        name = self.namer.fresh("index")
        self.body.append(Primal(assign_node(name, call, self.origin), self.origin, {name}))
        self.assigned({name})
        self.active.discard(name)
        return name_node(name)

    def subscript(self, expr: gast.Subscript) -> tuple:
        index = expr.slice
        if self.is_active(index):
            subject = self.parsed.resolve(expr.value)
            if subject is numpy_rules.np.r_ or subject is numpy_rules.np.c_:
                return self.operation(self.index_joined(expr))
            if self.parsed.generated and isinstance(index, gast.Name):
                # (grad's code read again: an index there is the user's, of integers,
                # taken for differentiated where it came through a tuple of a helper's
                # arguments with differentiated ones, back = (X @ W, y); back[1])
                self.active.discard(index.id)
            else:
                return self.subscript(gast.copy_location(gast.Subscript(
                    value=expr.value, slice=self.checked_index(index, of=expr.value),
                    ctx=gast.Load()), expr))
        has_slice = any(isinstance(n, gast.Slice) for n in walk(index))
        if has_slice:
            np_name = self.namer.reference(numpy_rules.np, "np")
            as_value = gast.Subscript(value=gast.Attribute(value=name_node(np_name), attr="s_",
                                                           ctx=gast.Load()),
                                      slice=index, ctx=gast.Load())
        else:
            as_value = index
        needs_name = any(isinstance(n, gast.Call) for n in walk(index))
        if needs_name:
            named = self.hoist(as_value, "index")
            primal_index: gast.expr = named
        else:
            named, primal_index = as_value, index
        value = self.atom(expr.value)
        rule = registry.lookup(operator.getitem)
        bound = {"x": value, "index": named}
        primal = gast.Subscript(value=value, slice=primal_index, ctx=gast.Load())
        return rule, primal, bound, [self._active_name(value)]


    def no_operator_of_its_own(self, side: gast.expr, expr: gast.BinOp) -> None:
        """Refuse an operand without gradient known now to be an object of a class of
        the user's that defines the operator itself (``SQ * x`` with ``Square.__rmul__``):
        the rules are those of numbers and arrays, and its own would be ignored."""
        if isinstance(side, gast.IfExp):  # SQ if c else Square()
            for arm in (side.body, side.orelse):
                self.no_operator_of_its_own(arm, expr)
            return
        if isinstance(side, gast.Call) and not self.is_active(side):  # Square() * x
            made = self.parsed.resolve(side.func)
            if isinstance(made, type):
                self.no_operator_of_a_class(made, side, expr)
            return
        if self.is_active(side) or \
                not isinstance(side, (gast.Name, gast.Attribute, gast.Subscript)):
            return
        obj = self.parsed.resolve(side) if not isinstance(side, gast.Subscript) else \
            self.item_known_now(side)
        if obj is UNRESOLVED and isinstance(side, gast.Name) and \
                side.id in self.parsed.params and side.id not in self.parsed.reassigned:
            # an argument: its class is checked as the call is (arguments.make_checker)
            self.operand_params.setdefault(side.id, set()).update(
                _OPERATOR_METHODS.get(type(expr.op), ()))
            return
        if obj is UNRESOLVED and isinstance(side, gast.Name):
            for made in self.classes_assigned(side.id):  # op = Square()
                self.no_operator_of_a_class(made, side, expr)
            return
        if isinstance(obj, InstanceOf):  # self * x: the method's own class
            self.no_operator_of_a_class(obj.cls, side, expr)
            return
        if obj is UNRESOLVED and isinstance(side, gast.Attribute) and \
                isinstance(self.parsed.resolve(side.value), InstanceOf):
            owner = self.parsed.resolve(side.value)  # self.op: its class's attribute
            held = inspect.getattr_static(owner.cls, side.attr, None) \
                if isinstance(owner, InstanceOf) else None
            if held is not None and not isinstance(held, (_PLAIN_VALUES, type)) and \
                    not callable(held):
                self.no_operator_of_a_class(type(held), side, expr)
            return
        if obj is UNRESOLVED or isinstance(obj, _PLAIN_VALUES) or isinstance(obj, type):
            return
        self.no_operator_of_a_class(type(obj), side, expr)

    def item_known_now(self, expr: gast.Subscript) -> Any:
        """``OPS['sq']``, ``LAYERS[0]``: the item of a module's dict or list at a constant
        key, read now (UNRESOLVED for anything else)."""
        container = self.parsed.resolve(expr.value) if isinstance(
            expr.value, (gast.Name, gast.Attribute)) else UNRESOLVED
        if not isinstance(container, (dict, list, tuple)) or \
                not isinstance(expr.slice, gast.Constant):
            return UNRESOLVED
        try:
            return container[expr.slice.value]
        except (KeyError, IndexError, TypeError):
            return UNRESOLVED

    def classes_assigned(self, name: str) -> list[type]:
        """The classes of the objects the local ``name`` is assigned, where known now
        (``op = Square()``, ``op = SQ if c else Square()``, ``op = OPS['sq']``)."""
        found: list[type] = []

        def known(value: gast.expr) -> None:
            if isinstance(value, gast.IfExp):
                known(value.body)
                known(value.orelse)
            elif isinstance(value, gast.Call):
                made = self.parsed.resolve(value.func)
                if isinstance(made, type):
                    found.append(made)
            elif isinstance(value, (gast.Name, gast.Attribute, gast.Subscript)):
                obj = self.item_known_now(value) if isinstance(value, gast.Subscript) \
                    else self.parsed.resolve(value)
                if obj is not UNRESOLVED and not isinstance(obj, (_PLAIN_VALUES, type)):
                    found.append(type(obj))

        for value in self.values_assigned(name):  # (DataNormalizer's, mixed in beside)
            known(value)
        return found

    def no_operator_of_a_class(self, kind: type, side: gast.expr, expr: Any,
                               methods: Any = None) -> None:
        """Refuse ``side``, an object of ``kind``, if its class defines ``expr``'s operator
        (or one of ``methods``, by which a helper's operator would call it)."""
        if methods is None:
            methods = _OPERATOR_METHODS.get(type(expr.op), ())
        own = [m for m in sorted(methods) if inspect.isfunction(getattr(kind, m, None))
               and is_user_function(getattr(kind, m))]
        if own:
            symbol = AUG_SYMBOLS.get(type(expr.op), "") if isinstance(expr, gast.BinOp) \
                else "an operator of a helper"
            raise self.error(expr, f"{gast.unparse(side).strip()} is a {kind.__name__}, "
                                   f"whose {own[0]} is its own: grad differentiates "
                                   f"{symbol} as for numbers and arrays and cannot follow "
                                   "it. Write what it computes as a call of a function of "
                                   "yours (apply(op, x)), which grad differentiates")

    def no_operator_given_to_a_helper(self, call: gast.Call, fn: Any, derivative: Any) -> None:
        """A helper applying an operator to a parameter beside a differentiated value
        (``def apply(op, x): return op * x``): the argument the call passes there must
        not be an object whose class defines that operator (checked now where it is
        known, as the call is for this function's own arguments)."""
        operands = getattr(derivative, "__autograd_src_operands__", None) or {}
        if not operands:
            return
        names = parameters(fn)[0]
        given = dict(zip(names, call.args))
        given.update({k.arg: k.value for k in call.keywords if k.arg})
        for param, methods in operands.items():
            arg = given.get(param)
            if arg is None or self.is_active(arg):
                continue
            if isinstance(arg, gast.Name) and arg.id in self.parsed.params and \
                    arg.id not in self.parsed.reassigned:
                self.operand_params.setdefault(arg.id, set()).update(methods)
                continue
            obj = self.item_known_now(arg) if isinstance(arg, gast.Subscript) else \
                self.parsed.resolve(arg) if isinstance(arg, (gast.Name, gast.Attribute)) \
                else UNRESOLVED
            made = self.parsed.resolve(arg.func) if isinstance(arg, gast.Call) else None
            kinds = [type(obj)] if obj is not UNRESOLVED and \
                not isinstance(obj, (_PLAIN_VALUES, type)) else \
                self.classes_assigned(arg.id) if isinstance(arg, gast.Name) else \
                [made] if isinstance(made, type) else []  # apply(x, Square())
            for kind in kinds:
                self.no_operator_of_a_class(kind, arg, call, methods)

    def not_an_array(self, expr: gast.expr) -> bool:
        """Whether ``expr`` is surely no array nor NumPy number (which would make an
        array of a list): a number written out, or a list or tuple."""
        return isinstance(expr, gast.Constant) and type(expr.value) in (int, float) or \
            self.holds_sequence(expr) is True or self.given_sequence(expr)

    def no_arithmetic_on_a_list(self, side: gast.expr, expr: gast.expr) -> None:
        """Refuse arithmetic on a list or tuple (``x ** 2`` where the call passes a list
        for ``x``): Python raises a TypeError there, which a derivative must not hide by
        computing on an array of the items."""
        if self.is_active(side) and (self.holds_sequence(side) is True or
                                     self.given_sequence(side)):
            text = gast.unparse(side).strip()
            raise self.error(expr, f"{text} is a list (or tuple) here, the call passes one: "
                                   f"{gast.unparse(expr).strip()} raises a TypeError in "
                                   f"Python; make it an array first ({text} = "
                                   f"np.asarray({text})) or pass one")

    def sequence_operator(self, expr: gast.BinOp) -> Any:
        """The primitive of ``a + b`` or ``a * n`` on lists or tuples (concatenation,
        repetition), or on values that may be; None for arithmetic."""
        # (a number is no list: alpha * power of items of 1-D arrays, numbers here)
        left = False if self.is_scalar_value(expr.left) else self.holds_sequence(expr.left)
        right = False if self.is_scalar_value(expr.right) else self.holds_sequence(expr.right)
        if isinstance(expr.op, gast.Add):
            if left and right:
                return runtime.joined
            if left is not False and right is not False:
                return runtime.plus  # decided when it runs
            if self.list_beside_constant(expr, left, right) or \
                    self.list_beside_generated_value(left, right):
                return runtime.plus  # KNOTS + [x]: KNOTS a list (joined) or an array
        elif isinstance(expr.op, gast.Mult):
            def number(side: Any) -> bool:  # a float repeats nothing
                return isinstance(side, gast.Constant) and isinstance(side.value, float)
            if left or right or (left is None and right is None) or \
                    (left is None and not number(expr.right)) or \
                    (right is None and not number(expr.left)):
                return runtime.times  # [x] * 2, or ws * n that may be one
        return None

    def list_beside_constant(self, expr: gast.BinOp, left: Optional[bool],
                             right: Optional[bool]) -> bool:
        """``a + b`` with one side surely a list or tuple and the other a value without
        gradient that is not a number: a list of the module's, of a closure or of an
        object (``KNOTS + [x]``, ``self.knots + [x]``) as often as an array, and only
        the run tells concatenation from NumPy's sum."""
        def unknown(side: gast.expr) -> bool:
            return not self.is_active(side) and not (
                isinstance(side, gast.Constant) and isinstance(side.value, (int, float)))
        return bool((left and unknown(expr.right)) or (right and unknown(expr.left)))

    def list_beside_generated_value(self, left: Optional[bool],
                                    right: Optional[bool]) -> bool:
        """``groups_part + value`` in code grad generated, one side surely a list: the
        primal keeps the user's joins (``groups[k] + [v]``), and the other side, which
        is not followed there, may be a list too (taken for an array, a hessian joined
        [] and [v] as NumPy's sum, an empty array)."""
        return bool(left or right) and self.parsed.filename.startswith("<autograd_src ")

    def _active_name(self, atom: gast.expr) -> Optional[str]:
        return atom.id if isinstance(atom, gast.Name) and atom.id in self.active else None


def _reads_state(expr: gast.expr, local: set) -> bool:
    """Whether ``expr`` reads an attribute, or an item of a name not local."""
    return any(isinstance(node, gast.Attribute) for node in walk(expr)) or \
        isinstance(expr, gast.Subscript) and base_name(expr) not in local


def _key_value(key: Any) -> Any:
    """The value of a constant key (`_constant_key`), as Python compares it."""
    import ast
    return ast.literal_eval(gast.unparse(key).strip())


def _constant_key(key: Any) -> bool:
    """Whether a dict display's key is a constant: ``'w'``, ``-1``, ``(0, 1)``."""
    if isinstance(key, gast.UnaryOp) and isinstance(key.op, (gast.USub, gast.UAdd)):
        key = key.operand
    if isinstance(key, gast.Tuple):
        return all(_constant_key(k) for k in key.elts)
    return isinstance(key, gast.Constant)
