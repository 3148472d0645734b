"""The forward-mode half of the rule table: `defjvp`, and the lookup the forward stage reads.

A forward rule is written like its adjoint, ``rule(g, ans, *inputs, **options)``,
beside it in the one table (keyed by the same primitive), and returns one
expression per differentiable input: the tangent of the result that the
tangent ``g`` of *that* input contributes (``None`` where none flows: an
input read only for its shape). The
forward stage sums the contributions of the inputs that carry tangents, so an
input without one costs nothing. A rule registered with ``all_inputs=True``
returns one expression instead, in which ``g[k]`` is the tangent of input ``k``
(a zero of its structure where it has none): for primitives whose tangent is
not a sum of terms, such as list concatenation.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Union

import gast

from . import registry

__all__ = ["JVPRule", "defjvp", "lookup_jvp", "from_adjoint", "JVP_RULES"]


@dataclass(eq=False)
class JVPRule:
    """The tangent rule of one primitive, with its parsed form for inlining."""

    primitive: Any
    jvp: Callable[..., Any]
    #: Whether a sum of contributions may be smaller than the result (an input
    #: broadcast by the primitive); the forward stage then broadcasts it.
    broadcasting: Union[bool, tuple]
    all_inputs: bool
    signature: inspect.Signature = field(repr=False)
    params: tuple[str, ...] = ()
    #: One expression per input (None: no tangent flows), or the single expression
    #: of an ``all_inputs`` rule; None when the rule cannot be inlined.
    exprs: Optional[list[Optional[gast.expr]]] = field(default=None, repr=False)
    #: How many tangents the rule returns (one per input), indexed where several.
    n_inputs: int = 1

    @property
    def name(self) -> str:
        return registry.primitive_name(self.primitive)

    def input_jvp(self, index: int) -> Optional[Callable[..., Any]]:
        """A function computing only the tangent term of input ``index`` from that
        input's tangent (None where the rule gives none, or cannot be inlined): a rule
        called whole with one input's tangent computes the others' terms from it too."""
        if self.exprs is None:
            return None
        cache = self.__dict__.setdefault("_input_jvps", {})
        if index not in cache:
            cache[index] = registry.compile_input_expression(
                self.jvp, self.signature, self.exprs[index], index)
        return cache[index]


JVP_RULES: dict[Any, JVPRule] = {}


def defjvp(*primitives: Any, broadcasting: Union[bool, tuple] = False,
           all_inputs: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the tangent rule (Jacobian-vector product) of one or more primitives.

    Parameters
    ----------
    *primitives : callable
        The functions the rule differentiates, looked up by identity, as for
        `defvjp`. Forward mode (`jvp`, `jacfwd`, `hessian`) uses it; reverse mode
        keeps using the adjoint rule.
    broadcasting : bool
        Whether the primitive broadcasts its inputs elementwise: where an input
        without a tangent may widen the result and no term reads it (a term is
        taken to broadcast with the operands it reads, as elementwise expressions
        do), the summed tangent is broadcast to the result's shape.
    all_inputs : bool
        The rule returns one expression in which ``g[k]`` is the tangent of input
        ``k`` (a zero where it has none), instead of one term per input.

    Returns
    -------
    callable
        A decorator registering ``rule(g, ans, *inputs, **options)``, whose
        parameters after ``g`` and ``ans`` are those of the primitive's adjoint
        rule (the same operands are bound to them), and returning it unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> from autograd_src import extend
    >>> def softplus(x):
    ...     return np.log1p(np.exp(x))
    >>> @extend.defjvp(softplus)
    ... def softplus_jvp(g, ans, x):
    ...     return g / (1 + np.exp(-x))
    """
    if not primitives:
        raise TypeError("defjvp needs at least one primitive function")
    registry._no_hips_form(primitives, "defjvp", "jvp")

    def register(jvp: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(jvp)
        names = list(signature.parameters)
        if len(names) < 2 or any(signature.parameters[n].kind not in (
                inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
                for n in names[:2]):
            raise TypeError(f"rule {jvp.__name__} must take (g, ans, *inputs), the "
                            "tangent and the primitive's value first, by position: its "
                            f"parameters are ({', '.join(names)})")
        if {"g", "ans"} & set(names[2:]):
            raise TypeError(
                f"rule {jvp.__name__} names an input g or ans, the names its code is "
                "given the gradient and the value by: rename that input")
        params = tuple(names[2:])
        exprs = registry._parse_exprs(jvp, len(params))
        if all_inputs and exprs is not None and len(exprs) != 1:
            # ``return a, b`` of an all-inputs rule is one tuple-valued tangent.
            exprs = [gast.Tuple(elts=[e if e is not None else gast.Constant(None, None)
                                      for e in exprs], ctx=gast.Load())]
        returned = registry._returned_lengths(jvp)
        if exprs is not None:
            count = len(exprs)
        elif len(returned) == 1:
            count = next(iter(returned))
        else:  # (a lambda, or returns of several lengths: one per input without a
            # default; k=K of lambda g, ans, x, k=K: g * k is an option, not an input)
            count = max(1, sum(signature.parameters[p].default is inspect.Parameter.empty
                               for p in params))
        for primitive in primitives:
            JVP_RULES[primitive] = JVPRule(primitive=primitive, jvp=jvp,
                                           broadcasting=broadcasting, all_inputs=all_inputs,
                                           signature=signature, params=params, exprs=exprs,
                                           n_inputs=count)
        registry.rules_changed()
        return jvp

    return register


_OPTIONAL_LOADED: set = set()


def lookup_jvp(fn: Any) -> Optional[JVPRule]:
    """The tangent rule registered for ``fn``, or None (SciPy's load on first use)."""
    try:
        found = JVP_RULES.get(fn)
    except TypeError:
        return None
    if found is None and "scipy" not in _OPTIONAL_LOADED and \
            (getattr(fn, "__module__", None) or "").startswith("scipy"):
        _OPTIONAL_LOADED.add("scipy")
        registry._ADDING_OPTIONAL.append("scipy")  # (new rules: nothing made is stale)
        try:
            from . import forward_scipy_rules  # noqa: F401 - registers them
        finally:
            registry._ADDING_OPTIONAL.pop()
        found = JVP_RULES.get(fn)
    return found


_DERIVED: dict[Any, tuple] = {}  # primitive -> (its adjoint rule, the rule derived)


def from_adjoint(rule: "registry.Rule") -> Optional[JVPRule]:
    """The tangent rule of an elementwise primitive, read off its adjoint rule; or None.

    Where each result element depends only on the (broadcast) input elements at its
    position, every input's Jacobian is diagonal, so its transpose is itself: the
    adjoint expression ``g * f'(x)``, which the engine sums back to the input's
    shape, is also the tangent term, ``g`` being the input's tangent. That holds for
    NumPy ufuncs (SciPy's special functions are ufuncs too) and for the scalar
    functions of ``math``; not for every rule registered with ``broadcasting=True``
    (``np.linspace`` broadcasts its endpoints into a new axis). Anything else
    without a tangent rule of its own is refused by forward mode.
    """
    if rule.exprs is None or hasattr(rule, "helper_keywords"):
        return None
    primitive = rule.primitive
    try:
        known = _DERIVED.get(primitive)
    except TypeError:
        return None
    if known is not None and known[0] is rule:  # (a rule registered again: read anew)
        return known[1]
    elementwise = type(primitive).__name__ == "ufunc" or \
        getattr(primitive, "__module__", None) == "math"
    derived = JVPRule(primitive=primitive, jvp=rule.vjp, broadcasting=rule.broadcasting,
                      all_inputs=False, signature=rule.signature, params=rule.params,
                      exprs=list(rule.exprs)) if elementwise else None
    _DERIVED[primitive] = (rule, derived)
    return derived
