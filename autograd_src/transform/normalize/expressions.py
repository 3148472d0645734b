"""Activity and A-normal form for expressions: which values carry gradient, one operation each.

A value is *active* when it depends on an input being differentiated. Active
subexpressions become temporaries holding one primitive each; inactive ones
stay as the user wrote them.
"""

from __future__ import annotations

import inspect
import operator
from typing import Any, Optional

import gast

from ...errors import NoRuleError
from ...rules import numpy_rules, registry
from ...rules.registry import Rule
from .. import mutation
from ..ir import (
    Op,
    Primal,
    assign_node,
    is_none,
    is_number,
    is_scalar_operand,
    is_trivial,
    is_true,
    load_names,
    name_node,
    reads_of,
)
from ..naming import describe
from ..source import UNRESOLVED

__all__ = ["ExpressionNormalizer", "OPERATORS", "INACTIVE_ATTRIBUTES"]

OPERATORS: dict[type, Any] = {
    gast.Add: numpy_rules.np.add, gast.Sub: numpy_rules.np.subtract,
    gast.Mult: numpy_rules.np.multiply, gast.Div: numpy_rules.np.divide,
    gast.Pow: numpy_rules.np.power, gast.MatMult: numpy_rules.np.matmul,
    gast.Mod: numpy_rules.np.remainder, gast.FloorDiv: numpy_rules.np.floor_divide,
    gast.USub: numpy_rules.np.negative, gast.UAdd: numpy_rules.np.positive,
}
_OPERATOR_SYMBOLS = {gast.BitAnd: "&", gast.BitOr: "|", gast.BitXor: "^",
                     gast.LShift: "<<", gast.RShift: ">>", gast.Invert: "~"}
#: Attributes of an array that carry no gradient.
INACTIVE_ATTRIBUTES = {"shape", "ndim", "size", "dtype", "itemsize", "nbytes", "flags",
                       "strides"}


_np = numpy_rules.np
# Functions whose result is a new array, never a view of an argument.
_ALLOCATING = {_np.zeros, _np.ones, _np.empty, _np.full, _np.zeros_like, _np.ones_like,
               _np.empty_like, _np.full_like, _np.array, _np.copy, _np.arange, _np.linspace,
               _np.eye, _np.identity, _np.concatenate, _np.stack, _np.hstack, _np.vstack,
               _np.tile, _np.repeat, _np.outer, _np.matmul, _np.dot, _np.cumsum}


# Primitives whose result may be a view sharing memory with the operand.
_VIEWS = {operator.getitem, _np.reshape, _np.ravel, _np.transpose, _np.squeeze,
          _np.expand_dims, _np.swapaxes, _np.moveaxis, _np.broadcast_to, _np.asarray}
AUG_SYMBOLS = {gast.Add: "+", gast.Sub: "-", gast.Mult: "*", gast.Div: "/", gast.Pow: "**",
                gast.MatMult: "@", gast.Mod: "%"}

# Libraries whose functions are primitives (with rules) rather than code to look inside.
_LIBRARIES = {"numpy", "scipy", "math", "builtins", "autograd_src", "operator"}


def is_user_function(fn: Any) -> bool:
    """A Python function of the user's own (or a method bound to one), whose derivative
    grad can generate."""
    if inspect.ismethod(fn):
        fn = fn.__func__
    return (inspect.isfunction(fn) and not hasattr(fn, "__autograd_src_primitive__")
            and (getattr(fn, "__module__", None) or "").split(".")[0] not in _LIBRARIES)


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


def allocates(primitive: Any, value: Any) -> bool:
    """Whether a call or operation surely returns a new array of its own."""
    if isinstance(value, (gast.BinOp, gast.UnaryOp, gast.List, gast.Tuple, gast.Dict)):
        return True  # arithmetic and literals build new objects
    if isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) and \
            value.func.attr == "copy":
        return True
    if type(primitive).__name__ == "ufunc":
        return True
    try:
        return primitive in _ALLOCATING or getattr(primitive, "__name__", "") == "setitem"
    except TypeError:
        return False


def shared_names(stmt: gast.stmt, resolve: Any) -> set[str]:
    """Names whose array a statement may share with another name (``z = y``, ``[y]``,
    ``v = y.reshape(3, 1)``, ``r = first_row(M)``); ``resolve`` tells what a called
    name is."""
    value = getattr(stmt, "value", None)
    shared: set[str] = set()
    stack = [value] if value is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, gast.Name):
            shared.add(node.id)
        elif isinstance(node, (gast.List, gast.Tuple, gast.Set)):
            stack += node.elts
        elif isinstance(node, gast.Dict):
            stack += [v for v in node.values if v is not None]
        elif isinstance(node, gast.Subscript):
            stack.append(node.value)  # a basic index is a view of the array
        elif isinstance(node, gast.Attribute) and node.attr not in INACTIVE_ATTRIBUTES:
            stack.append(node.value)  # y.T, or an array an object holds (self.W)
        elif isinstance(node, gast.IfExp):
            stack += [node.body, node.orelse]
        elif isinstance(node, gast.Call) and mutation.may_share(resolve(node.func), node):
            stack += [a.value if isinstance(a, gast.Starred) else a for a in node.args]
            stack += [k.value for k in node.keywords]
            if isinstance(node.func, gast.Attribute):
                stack.append(node.func.value)
    return shared


_FULL_REDUCTIONS = {_np.sum, _np.mean, _np.prod, _np.max, _np.amax, _np.min, _np.amin,
                    _np.var, _np.std, _np.vdot, _np.linalg.norm}




def _elementwise(primitive: Any) -> bool:
    """Whether ``primitive`` is a ufunc acting element by element (not ``matmul``, a
    generalized ufunc whose result's shape is not its operands')."""
    return type(primitive).__name__ == "ufunc" and primitive.signature is None


class ExpressionNormalizer:
    """Normalizes expressions; mixed into the statement normalizer, whose state it uses."""

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
            return self.is_active(expr.left) or self.is_active(expr.right)
        if isinstance(expr, gast.UnaryOp):
            if isinstance(expr.op, gast.Not):
                return False
            return self.is_active(expr.operand)
        if isinstance(expr, gast.Attribute):
            if not self.is_active(expr.value):
                return False
            return expr.attr not in INACTIVE_ATTRIBUTES
        if isinstance(expr, gast.Call):
            return self._call_is_active(expr)
        if isinstance(expr, gast.Subscript):  # np.r_[x, y] carries x's gradient too
            return self.is_active(expr.value) or self.is_active(expr.slice)
        if isinstance(expr, gast.BoolOp):
            return any(self.is_active(v) for v in expr.values)
        if isinstance(expr, gast.Slice):
            return any(self.is_active(part) for part in (expr.lower, expr.upper, expr.step))
        if isinstance(expr, (gast.Tuple, gast.List)):
            return any(self.is_active(e) for e in expr.elts)
        if isinstance(expr, (gast.JoinedStr, gast.Lambda)):
            return False
        if isinstance(expr, gast.Starred):  # rs.randn(*np.shape(x)): no gradient
            return self.is_active(expr.value)
        return any(isinstance(n, gast.Name) and n.id in self.active
                   for n in gast.walk(expr))

    def _call_is_active(self, call: gast.Call) -> bool:
        operands = list(call.args) + [k.value for k in call.keywords]
        func = call.func
        if isinstance(func, gast.Attribute) and self.is_active(func.value):
            method = numpy_rules.METHODS.get(func.attr)
            return not (method is not None and registry.is_nondifferentiable(method))
        if isinstance(func, gast.Name) and func.id in self.local_functions:
            if self.captured_active(func.id):  # a nested def reading a differentiated value
                return True
        elif self.is_active(func):  # make_step(a)(x), or step(x) after step = make_step(a)
            return True
        target = self.parsed.resolve(func)
        if target is not UNRESOLVED and registry.is_nondifferentiable(target):
            return False
        return any(self.is_active(e) for e in operands)

    def captured_active(self, name: str) -> set[str]:
        """The differentiated values that the nested function ``name`` reads from this one."""
        node = self.local_functions[name][0]
        local = {n.id for n in gast.walk(node) if isinstance(n, gast.Name)
                 and isinstance(n.ctx, (gast.Store, gast.Param))}
        return ({n.id for n in gast.walk(node) if isinstance(n, gast.Name)
                 and isinstance(n.ctx, gast.Load)} - local) & self.active

    def atom(self, expr: gast.expr) -> gast.expr:
        """``expr`` itself if inactive or a name; else a new temporary holding it."""
        if isinstance(expr, gast.Name) or not self.is_active(expr):
            return expr
        if isinstance(expr, gast.IfExp):
            return name_node(self.conditional(expr))
        if isinstance(expr, (gast.ListComp, gast.GeneratorExp)):
            return name_node(self.comprehension(expr))
        rule, value, bound, inputs = self.operation(expr)
        reusable = isinstance(value, (gast.Subscript, gast.Attribute))
        key = gast.unparse(value) if reusable else None
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
        """Bind a non-trivial inactive expression to a name so adjoints can reuse it."""
        if is_trivial(expr):
            return expr
        name = self.namer.fresh(base)
        stmt = assign_node(name, expr, expr if hasattr(expr, "lineno") else self.origin)
        self.body.append(Primal(stmt, self.origin, {name}))
        scalar = self.is_scalar_value(expr)
        shape_class = self.class_of_expr(expr)
        self.assigned({name})
        if scalar:
            self.scalars.add(name)
        if shape_class is not None:
            self.shape_class[name] = shape_class
        self.active.discard(name)
        return name_node(name)

    def emit_op(self, target: str, value: gast.expr, rule: Optional[Rule],
                inputs: list, bound: dict[str, Any]) -> None:
        operands = set().union(*(load_names(v) for v in bound.values())) | \
            set(self._flat(inputs))
        op = Op(target, value, rule, inputs, bound, self.origin,
                frozenset(operands & self.scalars),
                {n: self.shape_class[n] for n in operands if n in self.shape_class})
        scalar = self.result_is_scalar(op)
        shape_class = self.class_of_result(op)
        self.body.append(op)
        self.read_by_adjoints |= reads_of(op)[0]
        from ...rules import runtime
        holds_list = isinstance(value, (gast.List, gast.Tuple, gast.Dict)) or (
            rule is None and inputs[0] in self.lists) or (
            rule is not None and hasattr(rule, "helper_keywords") and target in self.lists) or (
            rule is not None and rule.primitive in (runtime.joined, list, tuple))
        if rule is not None and (hasattr(rule, "helper_keywords") or rule.primitive in (
                runtime.plus, runtime.times) or (rule.primitive is operator.getitem and any(
                    n in self.lists or n in self.opaque for n in self._flat(inputs)))):
            self.opaque.add(target)  # a helper's result, an item of a list: maybe a list
        sharing = rule is not None and hasattr(rule, "helper_keywords") and \
            mutation.may_share(rule.primitive, value)
        if rule is None or rule.primitive in _VIEWS or sharing:
            # target = source, target = source[1:], r = first_row(M): two names may now
            # share one array (not when the result is a number, a copy)
            names = {target} | set(self._flat(inputs))
            self.shared |= names
            if rule is None:  # target = source: two names for one array
                self.owned -= set(inputs)
            elif target in self.parsed.locals and not scalar:
                # A view the user names may be read after an update of its base, which
                # the functional update would not show it.
                self.owned -= names
        self.assigned({target})
        if holds_list:
            self.lists.add(target)
            self.all_lists.add(target)
        if scalar:
            self.scalars.add(target)
        self.shape_class[target] = shape_class
        op.classes[target] = shape_class
        if rule is not None and (allocates(rule.primitive, value) or (
                hasattr(rule, "helper_keywords") and not sharing)):
            self.owned.add(target)  # a new array: assigning into it changes nothing else
        self.active.add(target)

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
        self.owned -= names
        self.lists -= names
        for key in [k for k, (n, deps) in self.available.items() if (deps | {n}) & names]:
            del self.available[key]

    def result_is_scalar(self, op: Op) -> bool:
        if op.rule is None:
            return op.inputs[0] in self.scalars
        primitive = op.rule.primitive
        if primitive in _FULL_REDUCTIONS:
            axis = op.bound.get("axis")
            keepdims = op.bound.get("keepdims", False)
            return is_none(axis) and not is_true(keepdims)
        if getattr(primitive, "__module__", None) == "math" or primitive is float:
            return True
        if type(primitive).__name__ == "ufunc":
            values = [op.bound[p] for p in op.rule.params[: op.rule.n_inputs]]
            return all(is_scalar_operand(v, self.scalars) for v in values)
        return False

    def is_scalar_value(self, expr: Any) -> bool:
        """Whether an expression surely gives a scalar: numbers, and arithmetic,
        math functions and ufuncs of scalars, and elements of lists of scalars."""
        if is_number(expr) or (isinstance(expr, gast.Name) and expr.id in self.scalars):
            return True
        if isinstance(expr, gast.BinOp):
            return self.is_scalar_value(expr.left) and self.is_scalar_value(expr.right)
        if isinstance(expr, gast.UnaryOp):
            return self.is_scalar_value(expr.operand)
        if isinstance(expr, gast.Call) and not expr.keywords:
            fn = self.parsed.resolve(expr.func)
            elementwise = getattr(fn, "__module__", None) == "math" or \
                type(fn).__name__ == "ufunc" or fn is float
            return elementwise and all(self.is_scalar_value(a) for a in expr.args)
        return (isinstance(expr, gast.Subscript) and isinstance(expr.value, gast.Name)
                and expr.value.id in self.scalar_sequences
                and isinstance(expr.slice, (gast.Name, gast.Constant)))

    def operation(self, expr: gast.expr) -> tuple[Rule, gast.expr, dict, list]:
        """Split an active expression into one primitive whose operands are atoms."""
        if isinstance(expr, gast.BinOp):
            primitive = self.sequence_operator(expr) or OPERATORS.get(type(expr.op))
            if primitive is None:
                symbol = _OPERATOR_SYMBOLS.get(type(expr.op), type(expr.op).__name__)
                raise self.error(expr, f"the operator {symbol} has no derivative: it is not "
                                       "defined for floating-point arrays")
            return self.bind(expr, primitive, [expr.left, expr.right], {},
                             lambda a, kw: gast.BinOp(left=a[0], op=expr.op, right=a[1]))
        if isinstance(expr, gast.UnaryOp):
            primitive = OPERATORS.get(type(expr.op))
            if primitive is None:
                raise self.error(expr, "bitwise inversion (~) has no derivative")
            return self.bind(expr, primitive, [expr.operand], {},
                             lambda a, kw: gast.UnaryOp(op=expr.op, operand=a[0]))
        if isinstance(expr, gast.Call):
            return self.call(expr)
        if isinstance(expr, gast.Attribute):
            if expr.attr == "T":
                return self.bind(expr, numpy_rules.np.transpose, [expr.value], {},
                                 lambda a, kw: gast.Attribute(value=a[0], attr="T",
                                                          ctx=gast.Load()))
            raise self.error(expr, f"the attribute .{expr.attr} of a differentiated array "
                                   "is not supported; use the NumPy function instead")
        if isinstance(expr, gast.Subscript):
            return self.subscript(expr)
        if isinstance(expr, gast.Dict):
            from ...rules import runtime
            if not all(isinstance(k, gast.Constant) for k in expr.keys):
                raise self.error(expr, "a dict of differentiated values needs constant keys "
                                       "({'w': w, 'b': b})")
            keys = gast.Tuple(elts=list(expr.keys), ctx=gast.Load())
            return self.bind(expr, runtime.pack_dict, [keys] + list(expr.values), {},
                             lambda a, kw: gast.Dict(keys=list(expr.keys), values=a[1:]),
                             display="a dict")
        if isinstance(expr, (gast.List, gast.Tuple)):
            from ...rules import runtime
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
        }
        raise self.error(expr, hints.get(kind, f"{kind} on differentiated values is not "
                                              "supported"))

    def subscript(self, expr: gast.Subscript) -> tuple:
        index = expr.slice
        if self.is_active(index):
            subject = self.parsed.resolve(expr.value)
            if subject is numpy_rules.np.r_ or subject is numpy_rules.np.c_:
                joined = "np.concatenate([...])" if subject is numpy_rules.np.r_ else \
                    "np.column_stack([...])"
                raise self.error(expr, f"{gast.unparse(expr.value).strip()}[...] of "
                                       f"differentiated values has no derivative rule: "
                                       f"write {joined} instead", NoRuleError)
            raise self.error(index, "an index computed from a differentiated value is not "
                                    "differentiable: compute it from constants")
        has_slice = any(isinstance(n, gast.Slice) for n in gast.walk(index))
        if has_slice:
            np_name = self.namer.reference(numpy_rules.np, "np")
            as_value = gast.Subscript(value=gast.Attribute(value=name_node(np_name), attr="s_",
                                                           ctx=gast.Load()),
                                      slice=index, ctx=gast.Load())
        else:
            as_value = index
        needs_name = any(isinstance(n, gast.Call) for n in gast.walk(index))
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

    def holds_sequence(self, expr: gast.expr) -> Optional[bool]:
        """True if ``expr`` surely holds a list or tuple, None if it may, else False."""
        if isinstance(expr, (gast.List, gast.Tuple, gast.ListComp)):
            return True
        if isinstance(expr, gast.Name):
            if expr.id in self.lists:
                return True
            if expr.id in self.opaque:
                return None
        return False

    def sequence_operator(self, expr: gast.BinOp) -> Any:
        """The primitive of ``a + b`` or ``a * n`` on lists or tuples (concatenation,
        repetition), or on values that may be; None for arithmetic."""
        from ...rules import runtime
        left, right = self.holds_sequence(expr.left), self.holds_sequence(expr.right)
        if isinstance(expr.op, gast.Add):
            if left and right:
                return runtime.joined
            if left is not False and right is not False:
                return runtime.plus  # decided when it runs
        elif isinstance(expr.op, gast.Mult):
            def number(side: Any) -> bool:  # a float repeats nothing
                return isinstance(side, gast.Constant) and isinstance(side.value, float)
            if left or right or (left is None and right is None) or \
                    (left is None and not number(expr.right)) or \
                    (right is None and not number(expr.left)):
                return runtime.times  # [x] * 2, or ws * n that may be one
        return None

    def _active_name(self, atom: gast.expr) -> Optional[str]:
        return atom.id if isinstance(atom, gast.Name) and atom.id in self.active else None
