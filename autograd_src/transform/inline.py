"""Instantiate a rule's adjoint expressions at one call site, by substituting its operands."""

from __future__ import annotations

import builtins
from typing import Any, Optional

import gast
import numpy as np

from ..rules import runtime
from ..rules.registry import Rule
from . import optimize
from .ir import Op, Transformer, assign_node, expr_key, name_node, same_shape, walk
from .naming import Namer, clone, describe

__all__ = ["Inliner", "as_expr", "math_twin"]


def as_expr(value: Any) -> gast.expr:
    """A gast expression for a Python default value (None, 0, 'C', a tuple of those)."""
    if isinstance(value, gast.AST):
        return clone(value)
    if isinstance(value, tuple):
        return gast.Tuple(elts=[as_expr(v) for v in value], ctx=gast.Load())
    return gast.Constant(value=value, kind=None)


# NumPy functions of a rule with a math twin: a math primitive's adjoint uses the twin,
# which is ten times faster on Python floats.
_MATH_TWINS = {"sin", "cos", "tan", "sinh", "cosh", "tanh", "exp", "log", "sqrt", "expm1",
               "log1p", "log2", "log10", "fabs"}


def math_twin(node: gast.Attribute, scope: dict, namer: Namer) -> Optional[gast.expr]:
    """``math.sqrt`` for a rule's ``np.sqrt`` (``scope``: the rule's globals), in the
    derivative of a ``math`` primitive (Python floats: ten times faster, and raising
    where Python's math raises); None for anything else."""
    if node.attr in _MATH_TWINS and isinstance(node.value, gast.Name) and \
            scope.get(node.value.id) is np:
        import math
        return gast.Attribute(value=name_node(namer.reference(math, "math")),
                              attr=node.attr, ctx=gast.Load())
    return None


class _Substitution(Transformer):
    """Replace a rule's parameters by the operands of one call site."""

    def __init__(self, rule: Rule, values: dict[str, Any], namer: Namer,
                 primitive: Any = None) -> None:
        self.rule = rule
        self.values = values
        self.namer = namer
        self.scalar = getattr(primitive, "__module__", None) == "math"

    def visit_Attribute(self, node: gast.Attribute) -> gast.expr:
        twin = math_twin(node, self.rule.vjp.__globals__, self.namer) if self.scalar else None
        return twin if twin is not None else self.generic_visit(node)

    def visit_Name(self, node: gast.Name) -> gast.expr:
        if node.id in self.values:
            return as_expr(self.values[node.id])
        scope = self.rule.vjp.__globals__
        obj = scope[node.id] if node.id in scope else getattr(builtins, node.id)
        return name_node(self.namer.reference(obj, node.id))


class Inliner:
    """Writes the adjoint expressions of one primitive operation."""

    def __init__(self, namer: Namer, ad: str) -> None:
        self.namer = namer
        self.ad = ad
        #: Names made for terms two adjoints share; they hold adjoint values too.
        self.shared: set[str] = set()

    def call(self, dotted: str, *args: gast.expr) -> gast.Call:
        """A call to a dotted name (``_ad.unbroadcast``) with positional arguments."""
        func: gast.expr = name_node(dotted.split(".")[0])
        for attr in dotted.split(".")[1:]:
            func = gast.Attribute(value=func, attr=attr, ctx=gast.Load())
        return gast.Call(func=func, args=list(args), keywords=[])

    def helper_forward(self, op: Op) -> gast.stmt:
        """``h, cell_back = dcell(W, h, x)``: a helper run through its derivative, which
        gives its value and its backward function."""
        rule = op.rule
        local = getattr(rule, "local_name", None)  # defined beside a nested def
        fn = name_node(local or self.namer.reference(rule.vjp, rule.vjp.__name__))
        keywords = [gast.keyword(arg=k, value=clone(v)) for k, v in rule.helper_keywords.items()]
        call = gast.Call(func=fn, args=[clone(op.bound[p]) for p in rule.params],
                         keywords=keywords)
        targets = gast.Tuple(elts=[name_node(op.target, gast.Store()),
                                   name_node(op.bound["back"].id, gast.Store())],
                             ctx=gast.Store())
        return gast.copy_location(gast.Assign(targets=[targets], value=call,
                                              type_comment=None), op.origin)

    def contributions(self, op: Op, ans: str, reusable: dict[str, str],
                      pending: list, shapes: Any = None) -> list[tuple[str, gast.expr]]:
        """``(input name, adjoint expression)`` for every active input of ``op``.

        Statements the expressions depend on (the tuple of adjoints of a
        sequence input) are appended to ``pending``.
        """
        g = name_node(self.namer.adjoint(op.target))
        if op.rule is None:
            return [(op.inputs[0], g)]
        rule = op.rule
        values: dict[str, Any] = dict(op.bound)
        values["g"] = g
        values["ans"] = name_node(ans)
        result: list[tuple[str, gast.expr]] = []
        if hasattr(rule, "helper_keywords"):
            return self.helper_contributions(op, g, pending)
        inputs = [op.bound.get(p) for p in rule.params[: rule.n_inputs]]
        for index, entry in enumerate(op.inputs):
            if entry is None or (isinstance(entry, list) and not any(entry)):
                continue
            if rule.exprs is None:
                expr = self.call_rule(op, values, index)
            elif rule.exprs[index] is None:
                continue
            else:
                expr = _Substitution(rule, values, self.namer, op.rule.primitive).visit(
                    clone(rule.exprs[index]))
            expr = optimize.simplify(expr, self.namer, op.scalars)
            if optimize.ENABLED.get():
                expr = optimize.reuse_primal_values(expr, reusable)
            if isinstance(entry, str) and rule.input_is_sequence(index):
                # A list variable: its adjoint is the list of its items' adjoints.
                as_list = name_node(self.namer.builtin("list"))
                result.append((entry, gast.Call(func=as_list, args=[expr], keywords=[])))
                continue
            if isinstance(entry, list):
                parts = self.namer.fresh(f"d{op.target}_parts")
                pending.append(assign_node(parts, expr, op.origin))
                for k, name in enumerate(entry):
                    if name is not None:
                        piece = gast.Subscript(value=name_node(parts),
                                               slice=gast.Constant(value=k, kind=None),
                                               ctx=gast.Load())
                        result.append((name, piece))
                continue
            others = [x for i, x in enumerate(inputs) if i != index]
            if rule.broadcasts(index) and not same_shape(entry, others, op):
                # Inside a loop the operand's shape may be kept for each iteration.
                # (a number's adjoint: summed to a number, whatever the name holds later)
                like = gast.Constant(value=0.0, kind=None) if entry in op.scalars else \
                    name_node((shapes or {}).get(entry, entry))
                expr = self.call(f"{self.ad}.unbroadcast", expr, like)
            result.append((entry, expr))
        return self.shared_terms(result, op, pending)

    def shared_terms(self, result: list, op: Op, pending: list) -> list:
        """Compute once a term two adjoints of one operation share (``g / y`` of a quotient)."""
        if len(result) < 2:
            return result
        seen: dict[Any, int] = {}
        nodes: dict[Any, Any] = {}
        for _, expr in result:
            for key, node in {expr_key(n): n for n in walk(expr)
                              if isinstance(n, gast.BinOp)}.items():
                seen[key] = seen.get(key, 0) + 1
                nodes.setdefault(key, node)
        shared = [key for key, count in seen.items() if count > 1]
        if not shared:
            return result
        node = max((nodes[key] for key in shared), key=lambda n: len(gast.unparse(n)))
        name = self.namer.fresh(describe(node))
        self.shared.add(name)
        pending.append(assign_node(name, clone(node), op.origin))
        replacer = optimize.Replace(expr_key(node), name)
        return [(target, replacer.visit(expr)) for target, expr in result]

    def helper_contributions(self, op: Op, g: gast.expr,
                             pending: list) -> list[tuple[str, gast.expr]]:
        """``da, db = helper_back(g)``: the backward function of the helper's one run."""
        rule = op.rule
        call = gast.Call(func=clone(op.bound["back"]), args=[g], keywords=[])
        active = [name for name in op.inputs if name is not None]
        layout = getattr(rule, "helper_layout", None) or [(k, None) for k in range(len(active))]
        if len(active) == 1 and layout[0][1] is None:
            return [(active[0], call)]
        parts = self.namer.fresh(f"d{op.target}_parts")
        pending.append(assign_node(parts, call, op.origin))
        single = len({index for index, _ in layout}) == 1 and layout[0][1] is not None

        def item(value: gast.expr, k: int) -> gast.expr:
            return gast.Subscript(value=value, slice=gast.Constant(value=k, kind=None),
                                  ctx=gast.Load())

        result = []
        for name, (index, k) in zip(active, layout):
            value = name_node(parts) if single else item(name_node(parts), index)
            result.append((name, value if k is None else item(value, k)))
        return result


    def call_rule(self, op: Op, values: dict[str, Any], index: int) -> gast.expr:
        """A call to a rule that cannot be inlined, indexed when it has several inputs."""
        rule = op.rule
        fn = name_node(self.namer.reference(rule.vjp, rule.vjp.__name__))
        args = [values["g"], values["ans"]]
        keywords = []
        for param in rule.params:
            kind = rule.signature.parameters[param].kind
            value = as_expr(values[param])
            if kind is kind.VAR_POSITIONAL:
                args += list(value.elts) if isinstance(value, gast.Tuple) \
                    else [gast.Starred(value=value, ctx=gast.Load())]
            elif kind is kind.KEYWORD_ONLY:
                keywords.append(gast.keyword(arg=param, value=value))
            else:
                args.append(value)
        call = gast.Call(func=fn, args=args, keywords=keywords)
        if rule.n_inputs != 1:
            call = gast.Subscript(value=call, slice=gast.Constant(value=index, kind=None),
                                  ctx=gast.Load())
        if not getattr(rule.vjp, "__module__", "").startswith("autograd_src."):
            # (a rule of yours, which may return None for an input that has a gradient
            # here: said, not left out)
            call = gast.Call(func=gast.Attribute(value=name_node(self.namer.reference(
                runtime, "_ad")), attr="given_by_rule", ctx=gast.Load()),
                args=[call, gast.Constant(value=f"{rule.vjp.__name__}()", kind=None),
                      gast.Constant(value=rule.params[index], kind=None)], keywords=[])
        return call


