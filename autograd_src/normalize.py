"""Split active expressions into one primitive operation per statement (A-normal form).

Activity is decided on the way: a value is *active* when it depends on an input
being differentiated. Only active operations are split and later get adjoints;
inactive statements and subexpressions are kept exactly as the user wrote them.
"""

from __future__ import annotations

import copy
import inspect
import operator
from dataclasses import dataclass, field
from typing import Any, Optional, Union

import gast

from . import numpy_rules, registry
from .errors import NoRuleError
from .naming import Namer, clone, describe
from .registry import Rule
from .source import UNRESOLVED, ParsedFunction

__all__ = ["Primal", "Op", "Normalized", "normalize", "OPERATORS"]

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


class Comment(gast.stmt):
    """A ``# ...`` line in the generated code (a statement node, so passes can walk past it)."""

    _fields = ("text",)

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class Verbatim(gast.stmt):
    """Generated source placed as it is (the derivative of a nested def, with its comments)."""

    _fields = ("text", "names")

    def __init__(self, text: str, names: list) -> None:
        super().__init__()
        self.text = text
        self.names = names  # the names its code reads, for liveness


@dataclass
class Primal:
    """A user statement kept verbatim: it computes nothing that needs an adjoint."""

    stmt: gast.stmt
    origin: gast.stmt
    assigned: set[str] = field(default_factory=set)


@dataclass
class Op:
    """``target = <primitive>(inputs...)`` with every active operand a plain name."""

    target: str
    value: gast.expr
    rule: Optional[Rule]          # None: a copy, ``target = source``
    #: One entry per rule input: the active name, a list of names for a
    #: sequence input (None for inactive elements), or None when inactive.
    inputs: list[Union[None, str, list[Optional[str]]]]
    #: The expression bound to every rule parameter, for substitution.
    bound: dict[str, Any]
    origin: gast.stmt
    #: Names among the operands known to hold scalars (0-d): adjoints flowing
    #: into them need summing, adjoints flowing past them need no unbroadcast.
    scalars: frozenset = frozenset()

    def input_names(self) -> list[str]:
        names: list[str] = []
        for entry in self.inputs:
            if isinstance(entry, list):
                names += [n for n in entry if n is not None]
            elif entry is not None:
                names.append(entry)
        return names


@dataclass
class Branch:
    """``if test: body else: orelse``, where ``test`` names a boolean computed just before."""

    test: str
    body: list
    orelse: list
    origin: gast.stmt

    def assigned(self) -> set[str]:
        return _assigned_in(self.body) | _assigned_in(self.orelse)


@dataclass
class Loop:
    """A ``for`` loop over ``range(...)`` or a ``while`` loop, with its body normalized."""

    header: Union[gast.For, gast.While]   # the loop statement, body left empty
    body: list
    origin: gast.stmt
    #: Counts iterations for the adjoint loop (while loops, and loops that break).
    counter: Optional[str] = None

    @property
    def target(self) -> Optional[str]:
        return self.header.target.id if isinstance(self.header, gast.For) else None

    def assigned(self) -> set[str]:
        names = _assigned_in(self.body)
        if self.target:
            names.add(self.target)
        if self.counter:
            names.add(self.counter)
        return names


def _assigned_in(items: list) -> set[str]:
    names: set[str] = set()
    for item in items:
        if isinstance(item, Op):
            names.add(item.target)
        elif isinstance(item, Primal):
            names |= item.assigned
        else:
            names |= item.assigned()
    return names


@dataclass
class Normalized:
    """A function body in A-normal form, and the name that holds its output."""

    body: list
    output: str
    output_active: bool
    return_stmt: gast.Return
    #: Whether the output is known to be a scalar (a full reduction, a float).
    output_scalar: bool = False
    #: Names that hold Python lists somewhere: their adjoints are lists too.
    lists: set = field(default_factory=set)


def _name(id_: str, ctx: Any = None) -> gast.Name:
    return gast.Name(id=id_, ctx=ctx or gast.Load(), annotation=None, type_comment=None)


def _assign(target: str, value: gast.expr, origin: gast.AST) -> gast.Assign:
    stmt = gast.Assign(targets=[_name(target, gast.Store())], value=value, type_comment=None)
    return gast.copy_location(stmt, origin)


def is_trivial(expr: Any) -> bool:
    """Cheap, side-effect-free expressions that may be repeated in adjoint code."""
    if expr is None or isinstance(expr, (gast.Name, gast.Constant)):
        return True
    if isinstance(expr, gast.Attribute):
        return is_trivial(expr.value)
    if isinstance(expr, (gast.Tuple, gast.List)):
        return all(is_trivial(e) for e in expr.elts)
    if isinstance(expr, gast.UnaryOp):
        return isinstance(expr.operand, gast.Constant)
    if isinstance(expr, gast.Subscript):
        return is_trivial(expr.value) and is_trivial(expr.slice)
    if isinstance(expr, gast.Slice):
        return all(is_trivial(e) for e in (expr.lower, expr.upper, expr.step))
    return False


class _Normalizer:
    def __init__(self, parsed: ParsedFunction, wrt: list[str], namer: Namer) -> None:
        self.parsed = parsed
        self.namer = namer
        self.active: set[str] = set(wrt)
        self.body: list[Union[Primal, Op]] = []
        self.origin: gast.stmt = parsed.node
        self.scalars: set[str] = set()
        self.scalar_sequences: set[str] = set()
        #: Names surely holding an array of their own (not an argument, alias or view).
        self.owned: set[str] = set()
        #: Names holding Python lists now, and every name that ever held one.
        self.lists: set[str] = set()
        self.all_lists: set[str] = set()
        #: Whether this is a helper's derivative (it may return several values).
        self.helper = False
        #: Functions defined inside the function: name -> (def node, the block holding it).
        self.local_functions: dict[str, tuple] = {}
        self.local_derivatives: dict[tuple, tuple[str, str]] = {}
        #: Names that may share their array with another name (``y = x``, ``y = x[1:]``).
        self.shared: set[str] = set()
        self.reassigned = {n.id for n in gast.walk(parsed.node) if isinstance(n, gast.Name)
                           and isinstance(n.ctx, gast.Store)}
        # Subscripts and transposes already computed: source text -> (name, names read).
        self.available: dict[str, tuple[str, set[str]]] = {}

    # ----- activity -----

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
        if isinstance(expr, gast.Subscript):
            return self.is_active(expr.value)
        if isinstance(expr, gast.BoolOp):
            return any(self.is_active(v) for v in expr.values)
        if isinstance(expr, (gast.JoinedStr, gast.Lambda)):
            return False
        return any(isinstance(n, gast.Name) and n.id in self.active
                   for n in gast.walk(expr))

    def _call_is_active(self, call: gast.Call) -> bool:
        operands = list(call.args) + [k.value for k in call.keywords]
        func = call.func
        if isinstance(func, gast.Attribute) and self.is_active(func.value):
            method = numpy_rules.METHODS.get(func.attr)
            return not (method is not None and registry.is_nondifferentiable(method))
        target = self.parsed.resolve(func)
        if target is not UNRESOLVED and registry.is_nondifferentiable(target):
            return False
        return any(self.is_active(e) for e in operands)

    # ----- errors -----

    def error(self, node: Any, message: str, cls: type = None) -> Exception:
        kwargs = {} if cls is None else {"cls": cls}
        return self.parsed.error(node, message, **kwargs)

    # ----- expressions -----

    def atom(self, expr: gast.expr) -> gast.expr:
        """``expr`` itself if inactive or a name; else a new temporary holding it."""
        if isinstance(expr, gast.Name) or not self.is_active(expr):
            return expr
        if isinstance(expr, gast.IfExp):
            return _name(self.conditional(expr))
        if isinstance(expr, (gast.ListComp, gast.GeneratorExp)):
            return _name(self.comprehension(expr))
        rule, value, bound, inputs = self.operation(expr)
        reusable = isinstance(value, (gast.Subscript, gast.Attribute))
        key = gast.unparse(value) if reusable else None
        if key in self.available:
            return _name(self.available[key][0])
        name = self.namer.fresh(describe(expr))
        self.emit_op(name, value, rule, inputs, bound)
        if key is not None:
            self.available[key] = (name, _load_names(value))
        return _name(name)

    def conditional(self, expr: gast.IfExp, target: Optional[str] = None) -> str:
        """``a if c else b`` as an if statement assigning a temporary (or ``target``)."""
        name = target or self.namer.fresh("choice")
        origin = self.origin
        stmt = gast.copy_location(gast.If(test=expr.test, body=[_assign(name, expr.body, expr)],
                                          orelse=[_assign(name, expr.orelse, expr)]), expr)
        self.branch(stmt)
        self.origin = origin
        return name

    def hoist(self, expr: gast.expr, base: str) -> gast.expr:
        """Bind a non-trivial inactive expression to a name so adjoints can reuse it."""
        if is_trivial(expr):
            return expr
        name = self.namer.fresh(base)
        stmt = _assign(name, expr, expr if hasattr(expr, "lineno") else self.origin)
        self.body.append(Primal(stmt, self.origin, {name}))
        scalar = self.is_scalar_value(expr)
        self.assigned({name})
        if scalar:
            self.scalars.add(name)
        self.active.discard(name)
        return _name(name)

    def emit_op(self, target: str, value: gast.expr, rule: Optional[Rule],
                inputs: list, bound: dict[str, Any]) -> None:
        operands = set().union(*(_load_names(v) for v in bound.values())) | \
            set(self._flat(inputs))
        op = Op(target, value, rule, inputs, bound, self.origin,
                frozenset(operands & self.scalars))
        scalar = self.result_is_scalar(op)
        self.body.append(op)
        holds_list = isinstance(value, (gast.List, gast.Tuple, gast.Dict)) or (
            rule is None and inputs[0] in self.lists) or (
            rule is not None and hasattr(rule, "helper_keywords") and target in self.lists)
        if rule is None or (rule is not None and rule.primitive in _VIEWS):
            # target = source, target = source[1:]: two names may now share one array
            self.shared |= {target} | set(self._flat(inputs))
        if rule is None:  # target = source: two names for one array
            self.owned -= set(inputs)
        self.assigned({target})
        if holds_list:
            self.lists.add(target)
            self.all_lists.add(target)
        if scalar:
            self.scalars.add(target)
        if rule is not None and _allocates(rule.primitive, value):
            self.owned.add(target)
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
            return _is_none(axis) and not _is_true(keepdims)
        if getattr(primitive, "__module__", None) == "math" or primitive is float:
            return True
        if type(primitive).__name__ == "ufunc":
            values = [op.bound[p] for p in op.rule.params[: op.rule.n_inputs]]
            return all(is_scalar_operand(v, self.scalars) for v in values)
        return False

    def operation(self, expr: gast.expr) -> tuple[Rule, gast.expr, dict, list]:
        """Split an active expression into one primitive whose operands are atoms."""
        if isinstance(expr, gast.BinOp):
            primitive = OPERATORS.get(type(expr.op))
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
            from . import runtime
            if not all(isinstance(k, gast.Constant) for k in expr.keys):
                raise self.error(expr, "a dict of differentiated values needs constant keys "
                                       "({'w': w, 'b': b})")
            keys = gast.Tuple(elts=list(expr.keys), ctx=gast.Load())
            return self.bind(expr, runtime.pack_dict, [keys] + list(expr.values), {},
                             lambda a, kw: gast.Dict(keys=list(expr.keys), values=a[1:]),
                             display="a dict")
        if isinstance(expr, (gast.List, gast.Tuple)):
            from . import runtime
            kind = type(expr)
            return self.bind(expr, runtime.pack, list(expr.elts), {},
                             lambda a, kw: kind(elts=a, ctx=gast.Load()), display="a list")
        kind = type(expr).__name__
        hints = {
            "IfExp": "conditional expressions are not supported yet: use np.where(c, a, b)",
            "ListComp": "list comprehensions over differentiated values are not "
                        "supported yet: use vectorised NumPy",
            "GeneratorExp": "generator expressions over differentiated values are not "
                            "supported yet: use vectorised NumPy",
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
            raise self.error(index, "an index computed from a differentiated value is not "
                                    "differentiable: compute it from constants")
        has_slice = any(isinstance(n, gast.Slice) for n in gast.walk(index))
        if has_slice:
            np_name = self.namer.reference(numpy_rules.np, "np")
            as_value = gast.Subscript(value=gast.Attribute(value=_name(np_name), attr="s_",
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

    def _active_name(self, atom: gast.expr) -> Optional[str]:
        return atom.id if isinstance(atom, gast.Name) and atom.id in self.active else None

    def call(self, call: gast.Call) -> tuple:
        func = call.func
        for arg in call.args:
            if isinstance(arg, gast.Starred) and self.is_active(arg):
                raise self.error(arg, "*args holding differentiated values are not "
                                      "supported: pass the arrays one by one")
        if any(k.arg is None for k in call.keywords):
            raise self.error(call, "**kwargs in a call on differentiated values is not "
                                   "supported: pass keywords explicitly")
        keywords = {k.arg: k.value for k in call.keywords}
        if isinstance(func, gast.Attribute) and self.is_active(func.value):
            primitive = numpy_rules.METHODS.get(func.attr)
            if primitive is None or registry.lookup(primitive) is None:
                raise self.error(call, f"the method .{func.attr}() of a differentiated array "
                                       "has no derivative rule; call the NumPy function "
                                       "instead", NoRuleError)
            args = list(call.args)
            if func.attr in numpy_rules.VARARG_METHODS and len(args) > 1:
                args = [gast.Tuple(elts=args, ctx=gast.Load())]
            subject = func.value

            def rebuild(atoms: list, kw: dict) -> gast.Call:
                method = gast.Attribute(value=atoms[0], attr=func.attr, ctx=gast.Load())
                rest = atoms[1:]
                if func.attr in numpy_rules.VARARG_METHODS and len(call.args) > 1:
                    rest = list(rest[0].elts)
                return gast.Call(func=method, args=rest, keywords=_keywords(kw))

            return self.bind(call, primitive, [subject] + args, keywords, rebuild,
                             display=f".{func.attr}()")
        if isinstance(func, gast.Name) and func.id in self.local_functions:
            return self.local_call(call, func.id)
        primitive = self.parsed.resolve(func)
        if primitive is UNRESOLVED:
            raise self.error(call, f"cannot tell which function {gast.unparse(func)} is "
                                   "before the call runs (it is a local variable or "
                                   "undefined); call a module-level function", NoRuleError)

        def rebuild_call(atoms: list, kw: dict) -> gast.Call:
            return gast.Call(func=func, args=atoms, keywords=_keywords(kw))

        if registry.lookup(primitive) is None and _is_user_function(primitive):
            return self.helper_call(call, primitive, rebuild_call)
        return self.bind(call, primitive, list(call.args), keywords, rebuild_call,
                         display=gast.unparse(func))

    def helper_call(self, call: gast.Call, fn: Any, rebuild: Any) -> tuple:
        """A call to the user's own function: its derivative is generated as a function too."""
        from .differentiate import helper_derivative
        for keyword in call.keywords:
            if self.is_active(keyword.value):
                raise self.error(keyword.value, f"pass differentiated values to {fn.__name__}() "
                                                "by position, not by keyword")
        atoms = [self.atom(a) for a in call.args]
        atoms = [a if self.is_active(a) else self.hoist(a, describe(a)) for a in atoms]
        keywords = {k.arg: self.hoist(k.value, k.arg) for k in call.keywords}
        positions = [i for i, a in enumerate(atoms) if self._active_name(a)]
        derivative, source = helper_derivative(fn, positions, call, self.parsed)
        if source:
            self.namer.helper_sources.setdefault(source, None)
        params = tuple(f"arg{i}" for i in range(len(atoms)))
        rule = registry.Rule(primitive=fn, vjp=derivative, broadcasting=False, sequence=None,
                             signature=inspect.Signature(), params=params,
                             n_inputs=len(atoms), exprs=None)
        rule.helper_keywords = keywords
        bound = dict(zip(params, atoms))
        inputs = [self._active_name(a) for a in atoms]
        return rule, rebuild(atoms, keywords), bound, inputs

    def local_call(self, call: gast.Call, name: str) -> tuple:
        """A call to a function defined inside this one: its derivative is defined beside it."""
        from .differentiate import nested_derivative
        node, block = self.local_functions[name]
        local = {n.id for n in gast.walk(node) if isinstance(n, gast.Name)
                 and isinstance(n.ctx, (gast.Store, gast.Param))}
        captured = {n.id for n in gast.walk(node) if isinstance(n, gast.Name)
                    and isinstance(n.ctx, gast.Load)} - local
        if captured & self.active:
            names = ", ".join(sorted(captured & self.active))
            raise self.error(call, f"{name}() reads {names} from the enclosing function, and "
                                   "that value is being differentiated: pass it to "
                                   f"{name}() as an argument")
        for keyword in call.keywords:
            if self.is_active(keyword.value):
                raise self.error(keyword.value, f"pass differentiated values to {name}() by "
                                                "position, not by keyword")
        atoms = [self.atom(a) for a in call.args]
        atoms = [a if self.is_active(a) else self.hoist(a, describe(a)) for a in atoms]
        keywords = {k.arg: self.hoist(k.value, k.arg) for k in call.keywords}
        positions = [i for i, a in enumerate(atoms) if self._active_name(a)]
        key = (name, tuple(positions))
        if key not in self.local_derivatives:
            derivative, text, seed = nested_derivative(self.parsed, node, positions, self.namer)
            position = next(i for i, item in enumerate(block)
                            if isinstance(item, Primal) and item.stmt is node)
            names = [gast.Name(id=n, ctx=gast.Load(), annotation=None, type_comment=None)
                     for n in sorted(captured)]
            block.insert(position + 1, Primal(gast.copy_location(Verbatim(text, names), node),
                                              node, {derivative}))
            self.local_derivatives[key] = (derivative, seed)
        derivative_name, seed = self.local_derivatives[key]
        params = tuple(f"arg{i}" for i in range(len(atoms)))
        reference = type("LocalDerivative", (), {"__name__": derivative_name,
                                                 "__autograd_src_seed__": seed})
        rule = registry.Rule(primitive=node, vjp=reference, broadcasting=False, sequence=None,
                             signature=inspect.Signature(), params=params,
                             n_inputs=len(atoms), exprs=None)
        rule.helper_keywords = keywords
        rule.local_name = derivative_name
        rebuilt = gast.Call(func=call.func, args=atoms, keywords=_keywords(keywords))
        return rule, rebuilt, dict(zip(params, atoms)), \
            [self._active_name(a) for a in atoms]

    def bind(self, node: gast.expr, primitive: Any, args: list, keywords: dict,
             rebuild: Any, display: Optional[str] = None) -> tuple:
        """Match operands to the rule's parameters and turn active operands into atoms."""
        rule = registry.lookup(primitive)
        label = display or registry.primitive_name(primitive)
        if rule is None:
            raise self.error(
                node,
                f"no derivative rule for {label} (called on a differentiated value at "
                f"{self.parsed.where(node)}); register one with "
                "autograd_src.extend.defvjp, or declare it constant with "
                "autograd_src.extend.nondifferentiable", NoRuleError)
        try:
            bound_args = rule.signature.bind(None, None, *args, **keywords)
        except TypeError as exc:
            raise self.error(node, f"cannot differentiate this call to {label}: {exc} "
                                   f"(the derivative rule takes ({', '.join(rule.params)}))"
                             ) from None
        bound_args.apply_defaults()
        replaced: dict[int, gast.expr] = {}
        inputs: list = []
        bound: dict[str, Any] = {}
        for index, param in enumerate(rule.params):
            value = bound_args.arguments[param]
            if index < rule.n_inputs and rule.input_is_sequence(index):
                elements = list(value) if isinstance(value, tuple) else value
                if isinstance(elements, (gast.List, gast.Tuple)):
                    elements = elements.elts
                if not isinstance(elements, list):
                    if isinstance(elements, (gast.ListComp, gast.GeneratorExp)) and \
                            self.is_active(elements):
                        elements = self.atom(elements)
                        replaced[id(value)] = elements
                    if self.is_active(elements) and not (
                            isinstance(elements, gast.Name) and elements.id in self.lists):
                        raise self.error(elements, f"the arrays passed to {label} must be "
                                                   "a list: a literal or a list variable")
                    bound[param] = elements
                    inputs.append(self._active_name(elements))
                    continue
                atoms = [self.atom(e) for e in elements]
                atoms = [a if self.is_active(a) else self.hoist(a, describe(a)) for a in atoms]
                replaced.update({id(e): a for e, a in zip(elements, atoms)})
                bound[param] = gast.Tuple(elts=atoms, ctx=gast.Load())
                inputs.append([self._active_name(a) for a in atoms])
            elif index < rule.n_inputs:
                atom = self.atom(value)
                if not self.is_active(atom):
                    # Adjoints of the other inputs read this one: compute it once.
                    atom = self.hoist(atom, describe(atom))
                replaced[id(value)] = atom
                bound[param] = atom
                inputs.append(self._active_name(atom))
            else:
                if isinstance(value, gast.AST) and self.is_active(value):
                    raise self.error(value, f"the argument {param!r} of {label} cannot "
                                            "depend on a differentiated value")
                if isinstance(value, gast.AST) and param in _params_used(rule):
                    hoisted = self.hoist(value, param)
                    replaced[id(value)] = hoisted
                    value = hoisted
                bound[param] = value
        atoms = [_replace(a, replaced) for a in args]
        kw = {k: _replace(v, replaced) for k, v in keywords.items()}
        return rule, rebuild(atoms, kw), bound, inputs

    # ----- statements -----

    def statement(self, stmt: gast.stmt) -> bool:
        """Normalize one statement; returns False after a return statement."""
        self.origin = stmt
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
            self.body.append(Primal(stmt, stmt, {stmt.name}))
            self.assigned({stmt.name})
            self.active.discard(stmt.name)
            self.local_functions[stmt.name] = (stmt, self.body)
        elif isinstance(stmt, gast.If):
            self.branch(stmt)
        elif isinstance(stmt, (gast.For, gast.While)):
            self.loop(stmt)
        else:  # pass, assert, raise, break: no values to differentiate
            self.body.append(Primal(stmt, stmt))
        return True

    # ----- control flow -----

    def block(self, stmts: list) -> list:
        """Normalize a nested block, returning its items (the current body is kept)."""
        outer, self.body = self.body, []
        for stmt in stmts:
            self.statement(stmt)
        items, self.body = self.body, outer
        self.origin = stmts[-1] if stmts else self.origin
        return items

    def keep_verbatim(self, stmt: gast.stmt, items: list, active_before: set[str]) -> bool:
        """Control flow that computes nothing differentiable stays as the user wrote it."""
        if any(not isinstance(i, Primal) for i in items):
            return False
        assigned = _assigned_in(items) | {n.id for n in gast.walk(stmt)
                                          if isinstance(n, gast.Name)
                                          and isinstance(n.ctx, gast.Store)}
        if assigned & active_before:
            return False
        self.body.append(Primal(stmt, stmt, assigned))
        self.active = active_before - assigned
        return True

    def branch(self, stmt: gast.If) -> None:
        active_before = set(self.active)
        scalars_before = set(self.scalars)
        owned_before = set(self.owned)
        self.available.clear()
        body = self.block(stmt.body)
        after_body, self.active = self.active, set(active_before)
        scalars_body, self.scalars = self.scalars, set(scalars_before)
        owned_body, self.owned = self.owned, set(owned_before)
        orelse = self.block(stmt.orelse)
        self.active |= after_body
        self.scalars &= scalars_body  # a scalar after the if only if after both arms
        self.owned &= owned_body
        self.lists |= set()
        self.available.clear()
        if self.keep_verbatim(stmt, body + orelse, active_before):
            return
        test = self.namer.fresh("cond")
        self.origin = stmt
        self.body.append(Primal(_assign(test, stmt.test, stmt), stmt, {test}))
        self.body.append(Branch(test, body, orelse, stmt))

    def loop(self, stmt: Union[gast.For, gast.While]) -> None:
        if isinstance(stmt, gast.For):
            if not isinstance(stmt.target, gast.Name):
                raise self.error(stmt.target, "a for loop must assign one name (for i in "
                                              "range(n)); unpack inside the body instead")
            if self.is_active(stmt.iter):
                raise self.error(stmt.iter, "iterating over a differentiated value this way is "
                                            "not supported: loop over range(len(x)) and index")
        elif self.is_active(stmt.test):
            raise self.error(stmt.test, "a while condition must be a comparison or another "
                                        "value without gradient")
        active_before = set(self.active)
        taken = set(self.namer.taken)
        entry = set(active_before)
        scalars = set(self.scalars)
        owned = set(self.owned)
        while True:  # activity and scalar facts flow around the loop: find a fixed point
            self.active = set(entry)
            self.scalars = set(scalars)
            self.owned = set(owned)
            self.available.clear()
            if isinstance(stmt, gast.For):
                self.active.discard(stmt.target.id)
                self.assigned({stmt.target.id})
                if self.parsed.resolve(getattr(stmt.iter, "func", None)) is range:
                    self.scalars.add(stmt.target.id)
            body = self.block(stmt.body)
            if self.active <= entry and scalars <= self.scalars and owned <= self.owned:
                break
            entry |= self.active
            scalars &= self.scalars
            owned &= self.owned
            self.namer.taken = set(taken)
        self.active = entry
        self.scalars = scalars
        self.owned = owned
        self.available.clear()
        if self.keep_verbatim(stmt, body, active_before):
            return
        header = copy.copy(stmt)
        header.body, header.orelse = [], []
        if isinstance(stmt, gast.For) and _load_names(stmt.iter) & self.reassigned:
            # The adjoint loop re-reads the range after the primal has run: keep it.
            steps = self.namer.fresh("steps")
            self.body.append(Primal(_assign(steps, stmt.iter, stmt), stmt, {steps}))
            header.iter = _name(steps)
        breaks = any(isinstance(n, gast.Break) for n in gast.walk(stmt))
        counter = self.namer.fresh("iterations") if isinstance(stmt, gast.While) or breaks \
            else None
        self.body.append(Loop(header, body, stmt, counter))

    def expression_statement(self, stmt: gast.Expr) -> None:
        value = stmt.value
        if isinstance(value, gast.Constant) and isinstance(value.value, str):
            return  # a docstring
        if (isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute)
                and value.func.attr == "append" and isinstance(value.func.value, gast.Name)
                and value.func.value.id in self.lists and len(value.args) == 1
                and (self.is_active(value.args[0]) or self.is_active(value.func.value))):
            self.append(value.func.value.id, value.args[0], value)
            return
        if (isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute)
                and self.is_active(value.func.value)):
            raise self.error(value, f"the method call .{value.func.attr}() on a "
                                    "differentiated array may modify it in place, which is "
                                    "not supported: assign its result instead")
        self.body.append(Primal(stmt, stmt))

    def append(self, name: str, item: gast.expr, call: gast.Call) -> None:
        """``xs.append(v)`` with a differentiated ``v``: ``xs = _ad.appended(xs, v)``."""
        from . import runtime
        if name not in self.owned:
            raise self.error(call, f"appending to {name} while it may be shared with another "
                                   f"name is not supported: build a list of its own "
                                   f"({name} = [] or list(...))")
        atom = self.atom(item)
        if not self.is_active(atom):
            atom = self.hoist(atom, describe(atom))
        ad = _name(self.namer.reference(runtime, "_ad"))
        value = gast.Call(func=gast.Attribute(value=ad, attr="appended", ctx=gast.Load()),
                          args=[_name(name), atom], keywords=[])
        inputs = [self._active_name(_name(name)), self._active_name(atom)]
        self.emit_op(name, value, registry.lookup(runtime.appended), inputs,
                     {"items": _name(name), "value": atom})
        self.owned.add(name)
        self.lists.add(name)
        self.all_lists.add(name)

    def comprehension(self, expr: Any) -> str:
        """``[f(x) for x in xs if c]`` as a loop appending to a new list."""
        from .desugar import loop_over_positions
        name = self.namer.fresh("items")
        origin = self.origin
        append = gast.Expr(value=gast.Call(
            func=gast.Attribute(value=_name(name), attr="append", ctx=gast.Load()),
            args=[expr.elt], keywords=[]))
        body: gast.stmt = gast.copy_location(append, expr)
        for generator in reversed(expr.generators):
            for condition in reversed(generator.ifs):
                body = gast.copy_location(gast.If(test=condition, body=[body], orelse=[]), expr)
            loop = gast.copy_location(gast.For(target=generator.target, iter=generator.iter,
                                               body=[body], orelse=[], type_comment=None), expr)
            statements = loop_over_positions(self.parsed, self.namer, loop)
            body = statements[-1] if len(statements) == 1 else \
                gast.copy_location(gast.If(test=gast.Constant(value=True, kind=None),
                                           body=statements, orelse=[]), expr)
        self.statement(_assign(name, gast.List(elts=[], ctx=gast.Load()), expr))
        self.statement(body)
        self.origin = origin
        return name

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
        if isinstance(target, gast.Name):
            if not active:
                self.primal(original)
            elif isinstance(value, gast.Name):
                self.emit_op(target.id, value, None, [value.id], {})
            elif isinstance(value, gast.IfExp):
                self.conditional(value, target.id)
            elif isinstance(value, (gast.ListComp, gast.GeneratorExp)):
                built = self.comprehension(value)
                self.owned.discard(built)
                self.emit_op(target.id, _name(built), None, [built], {})
                self.owned.add(target.id)
            else:
                rule, primal, bound, inputs = self.operation(value)
                self.emit_op(target.id, primal, rule, inputs, bound)
            return
        if isinstance(target, gast.Tuple):
            self.tuple_assign(target, value, active, original)
            return
        container = target.value if isinstance(target, (gast.Subscript, gast.Attribute)) \
            else target
        if active or self.is_active(container):
            if isinstance(target, gast.Subscript) and isinstance(container, gast.Name):
                self.assign_item(target, container.id, value, original)
                return
            raise self.error(target, "assigning into an attribute or a nested element "
                                     f"({gast.unparse(target)} = ...) of a differentiated "
                                     "value is not supported: assign into a local array")
        self.primal(original)

    def assign_item(self, target: gast.Subscript, name: str, value: gast.expr,
                    original: gast.stmt) -> None:
        """``y[i] = v`` on a differentiated array: ``y = _ad.setitem(y, i, v)``, a new array.

        The update is functional, so no other name can see it; that is exact only
        when nothing else refers to ``y``'s array, which is checked here.
        """
        if name not in self.owned:
            what = "an argument of the function (the caller's array)" \
                if name in self.parsed.params else "possibly shared with another name"
            raise self.error(target, f"assigning into {name}[...] while {name} is {what} "
                                     "is not supported: make it an array of its own first, "
                                     f"for example {name} = {name}.copy() or np.zeros(...)")
        if self.is_active(target.slice):
            raise self.error(target.slice, "an index computed from a differentiated value is "
                                           "not differentiable: compute it from constants")
        from . import runtime
        index = target.slice
        if any(isinstance(n, gast.Slice) for n in gast.walk(index)):
            np_name = self.namer.reference(numpy_rules.np, "np")
            index = gast.Subscript(value=gast.Attribute(value=_name(np_name), attr="s_",
                                                        ctx=gast.Load()),
                                   slice=index, ctx=gast.Load())
        index = self.hoist(index, "index") if not is_trivial(index) else index
        atom = self.atom(value)
        if not self.is_active(atom):
            atom = self.hoist(atom, describe(atom))
        ad = _name(self.namer.reference(runtime, "_ad"))
        call = gast.Call(func=gast.Attribute(value=ad, attr="setitem", ctx=gast.Load()),
                         args=[_name(name), index, atom], keywords=[])
        rule = registry.lookup(runtime.setitem)
        bound = {"x": _name(name), "index": index, "v": atom}
        inputs = [self._active_name(_name(name)), None, self._active_name(atom)]
        self.emit_op(name, call, rule, inputs, bound)
        self.owned.add(name)

    def tuple_assign(self, target: gast.Tuple, value: gast.expr, active: bool,
                     original: gast.stmt) -> None:
        if not active:
            self.primal(original)
            return
        names = [t.id if isinstance(t, gast.Name) else None for t in target.elts]
        if None in names:
            raise self.error(target, "unpacking a differentiated value into nested targets "
                                     "is not supported: unpack one level at a time")
        if not isinstance(value, (gast.Tuple, gast.List)):
            # a, b = helper(x): keep the tuple, then read its items
            whole = self.namer.fresh("values")
            self.lists.add(whole)
            self.all_lists.add(whole)
            self.assign(gast.copy_location(gast.Assign(
                targets=[_name(whole, gast.Store())], value=value, type_comment=None), original),
                original)
            self.lists.add(whole)
            self.all_lists.add(whole)
            for k, name in enumerate(names):
                item = gast.Subscript(value=_name(whole), slice=gast.Constant(value=k, kind=None),
                                      ctx=gast.Load())
                self.assign(gast.copy_location(gast.Assign(
                    targets=[_name(name, gast.Store())], value=item, type_comment=None),
                    original), original)
            return
        if len(value.elts) != len(names):
            raise self.error(value, f"cannot unpack {len(value.elts)} values into "
                                    f"{len(names)} names")
        atoms = [self.atom(e) for e in value.elts]
        clobbered = {n.id for a in atoms for n in gast.walk(a) if isinstance(n, gast.Name)}
        if clobbered & set(names):
            # a, b = b, a: read every value before writing any name.
            atoms = [self.hoist_any(a, n) for a, n in zip(atoms, names)]
        for name, atom in zip(names, atoms):
            if isinstance(atom, gast.Name) and atom.id in self.active:
                self.emit_op(name, atom, None, [atom.id], {})
            else:
                self.body.append(Primal(_assign(name, atom, original), original, {name}))
                self.assigned({name})
                self.active.discard(name)

    def hoist_any(self, atom: gast.expr, base: str) -> gast.expr:
        name = self.namer.fresh(base + "_new")
        if isinstance(atom, gast.Name) and atom.id in self.active:
            self.emit_op(name, atom, None, [atom.id], {})
        else:
            self.body.append(Primal(_assign(name, atom, self.origin), self.origin, {name}))
            self.assigned({name})
        return _name(name)

    def aug_assign(self, stmt: gast.AugAssign) -> None:
        if not isinstance(stmt.target, gast.Name):
            container = stmt.target.value
            if not (self.is_active(stmt.value) or self.is_active(container)):
                self.primal(stmt)
                return
            # y[i] += v  is  y[i] = y[i] + v
            read = gast.copy_location(gast.Subscript(value=clone(container),
                                                     slice=clone(stmt.target.slice),
                                                     ctx=gast.Load()), stmt.target)
            update = gast.copy_location(gast.BinOp(left=read, op=stmt.op, right=stmt.value),
                                        stmt.value)
            plain = gast.copy_location(gast.Assign(targets=[stmt.target], value=update,
                                                   type_comment=None), stmt)
            self.assign(plain)
            return
        name = stmt.target.id
        if name in self.shared and name not in self.scalars and \
                (self.is_active(stmt.value) or name in self.active):
            raise self.error(stmt, f"{name} {gast.unparse(stmt).split(name, 1)[1].split()[0]} "
                                   f"... may change an array that another name also refers to, "
                                   f"which is not supported: write {name} = {name} "
                                   f"{_AUG_SYMBOLS.get(type(stmt.op), '+')} ... instead")
        load = _name(stmt.target.id)
        gast.copy_location(load, stmt.target)
        value = gast.copy_location(gast.BinOp(left=load, op=stmt.op, right=stmt.value),
                                   stmt.value)
        plain = gast.copy_location(gast.Assign(targets=[_name(stmt.target.id, gast.Store())],
                                               value=value, type_comment=None), stmt)
        # x += y rebinds x to a new array here, so values saved for the adjoint
        # are never modified in place.
        self.assign(plain, original=stmt if not self.is_active(value) else None)

    def primal(self, stmt: gast.stmt) -> None:
        assigned = {n.id for n in gast.walk(stmt)
                    if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}
        if isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Name):
            assigned.add(stmt.target.id)
        self.body.append(Primal(stmt, self.origin, assigned))
        shared = _shared_names(stmt)
        self.owned -= shared
        if shared:
            self.shared |= shared | assigned
        self.assigned(assigned)
        self.active -= assigned
        if isinstance(stmt, gast.Assign) and len(assigned) == 1 and \
                isinstance(stmt.targets[0], gast.Name):
            if self.is_scalar_value(stmt.value):
                self.scalars |= assigned
            if isinstance(stmt.value, gast.Call) and _allocates(
                    self.parsed.resolve(stmt.value.func), stmt.value):
                self.owned |= assigned
            value = stmt.value
            if isinstance(value, gast.List) or (isinstance(value, gast.Call) and
                                                self.parsed.resolve(value.func) is list):
                self.owned |= assigned
                self.lists |= assigned
                self.all_lists |= assigned

    def is_scalar_value(self, expr: Any) -> bool:
        """Whether an expression surely gives a scalar: numbers, and arithmetic,
        math functions and ufuncs of scalars, and elements of lists of scalars."""
        if _is_number(expr) or (isinstance(expr, gast.Name) and expr.id in self.scalars):
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

    def output(self, stmt: gast.Return) -> tuple[str, bool]:
        value = stmt.value
        if isinstance(value, gast.Tuple) and not self.helper:
            raise self.error(value, "grad needs a single output, but this returns a tuple: "
                                    "return one array (for several, differentiate each)")
        if isinstance(value, gast.Name):
            return value.id, value.id in self.active
        name = self.namer.fresh("out")
        if isinstance(value, gast.IfExp) and self.is_active(value):
            self.conditional(value, name)
            return name, True
        if self.is_active(value):
            rule, primal, bound, inputs = self.operation(value)
            self.emit_op(name, primal, rule, inputs, bound)
            return name, True
        self.body.append(Primal(_assign(name, value, stmt), stmt, {name}))
        self.assigned({name})
        return name, False


_np = numpy_rules.np
# Functions whose result is a new array, never a view of an argument.
_ALLOCATING = {_np.zeros, _np.ones, _np.empty, _np.full, _np.zeros_like, _np.ones_like,
               _np.empty_like, _np.full_like, _np.array, _np.copy, _np.arange, _np.linspace,
               _np.eye, _np.identity, _np.concatenate, _np.stack, _np.hstack, _np.vstack,
               _np.tile, _np.repeat, _np.outer, _np.matmul, _np.dot, _np.cumsum}


# Primitives whose result may be a view sharing memory with the operand.
_VIEWS = {operator.getitem, _np.reshape, _np.ravel, _np.transpose, _np.squeeze,
          _np.expand_dims, _np.swapaxes, _np.moveaxis, _np.broadcast_to, _np.asarray}
_AUG_SYMBOLS = {gast.Add: "+", gast.Sub: "-", gast.Mult: "*", gast.Div: "/", gast.Pow: "**",
                gast.MatMult: "@", gast.Mod: "%"}

# Libraries whose functions are primitives (with rules) rather than code to look inside.
_LIBRARIES = {"numpy", "scipy", "math", "builtins", "autograd_src", "operator"}


def _is_user_function(fn: Any) -> bool:
    """A Python function of the user's own, whose derivative grad can generate."""
    return (inspect.isfunction(fn) and not hasattr(fn, "__autograd_src_primitive__")
            and (getattr(fn, "__module__", None) or "").split(".")[0] not in _LIBRARIES)


def _allocates(primitive: Any, value: Any) -> bool:
    """Whether a call or operation surely returns a new array of its own."""
    if isinstance(value, (gast.BinOp, gast.UnaryOp)):
        return True
    if isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) and \
            value.func.attr == "copy":
        return True
    if type(primitive).__name__ == "ufunc":
        return True
    try:
        return primitive in _ALLOCATING or getattr(primitive, "__name__", "") == "setitem"
    except TypeError:
        return False


def _shared_names(stmt: gast.stmt) -> set[str]:
    """Names whose array a statement may share with another name (``z = y``, ``[y]``)."""
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
    return shared


_FULL_REDUCTIONS = {_np.sum, _np.mean, _np.prod, _np.max, _np.amax, _np.min, _np.amin,
                    _np.var, _np.std, _np.vdot, _np.linalg.norm}


def _load_names(expr: Any) -> set[str]:
    if not isinstance(expr, gast.AST):
        return set()
    return {n.id for n in gast.walk(expr) if isinstance(n, gast.Name)}


def _is_number(expr: Any) -> bool:
    if isinstance(expr, gast.UnaryOp) and isinstance(expr.op, gast.USub):
        expr = expr.operand
    return isinstance(expr, gast.Constant) and type(expr.value) in (int, float)


def _is_none(value: Any) -> bool:
    return value is None or (isinstance(value, gast.Constant) and value.value is None)


def _is_true(value: Any) -> bool:
    return value is True or (isinstance(value, gast.Constant) and value.value is True)


def is_scalar_operand(expr: Any, scalars: Any) -> bool:
    """Whether ``expr`` is a number literal or a name known to hold a scalar."""
    return _is_number(expr) or (isinstance(expr, gast.Name) and expr.id in scalars)


def _params_used(rule: Rule) -> set[str]:
    return set().union(*(rule.uses(i) for i in range(rule.n_inputs)))


def _keywords(kw: dict) -> list:
    return [gast.keyword(arg=k, value=v) for k, v in kw.items()]


def _replace(expr: Any, replaced: dict[int, gast.expr]) -> Any:
    if id(expr) in replaced:
        return replaced[id(expr)]
    if isinstance(expr, (gast.List, gast.Tuple)) and any(id(e) in replaced for e in expr.elts):
        return type(expr)(elts=[replaced.get(id(e), e) for e in expr.elts], ctx=gast.Load())
    return expr


class _TensorCallsToNumPy(gast.NodeTransformer):
    """Rewrite ``mg.sin(x)`` as ``np.sin(x)``: the Tensor functions resolve to their primitives."""

    def __init__(self, parsed: ParsedFunction, namer: Namer) -> None:
        self.parsed, self.namer = parsed, namer

    def visit_Call(self, node: gast.Call) -> gast.Call:
        self.generic_visit(node)
        primitive = getattr(self.parsed.resolve(node.func), "__autograd_src_primitive__", None)
        if primitive is not None:
            module_name, _, attr = registry.primitive_name(primitive).rpartition(".")
            module = {"np": numpy_rules.np, "np.linalg": numpy_rules.np.linalg}.get(module_name)
            if module is not None:
                func: gast.expr = _name(self.namer.reference(numpy_rules.np, "np"))
                if module is numpy_rules.np.linalg:
                    func = gast.Attribute(value=func, attr="linalg", ctx=gast.Load())
                node.func = gast.copy_location(
                    gast.Attribute(value=func, attr=attr, ctx=gast.Load()), node.func)
        return node


def normalize(parsed: ParsedFunction, wrt: list[str], namer: Namer,
              scalars: tuple = (), scalar_sequences: tuple = (),
              helper: bool = False) -> Normalized:
    """Normalize the body of ``parsed``, treating the parameters in ``wrt`` as active.

    ``scalars`` and ``scalar_sequences`` name parameters known to hold scalars, or
    lists of scalars, in the calls this code is generated for.
    """
    parsed.introduced = namer.injected
    for stmt in parsed.node.body:
        _TensorCallsToNumPy(parsed, namer).visit(stmt)
    state = _Normalizer(parsed, wrt, namer)
    state.scalars |= set(scalars)
    state.scalar_sequences = set(scalar_sequences)
    state.helper = helper
    for stmt in parsed.node.body:
        if not state.statement(stmt):
            output, active = state.output(stmt)
            lists = state.all_lists | ({output} if output in state.lists else set())
            return Normalized(state.body, output, active, stmt, output in state.scalars, lists)
    raise parsed.error(parsed.node, f"{parsed.name}() has no return statement: grad "
                                    "differentiates the returned value")
