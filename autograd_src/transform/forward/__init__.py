"""Forward mode: the tangent sweep of a normalized function, generated and compiled.

`generate` runs source → fence → desugar → normalize (the stages grad runs) →
tangents → codegen → loader; the helpers a function calls get forward-mode
derivatives of their own, through `DERIVATIONS`, handed to the normalizer as
grad hands it the pipeline's. The generated function takes the function's own
parameters plus one keyword-only tangent per differentiated parameter
(``dx``), and returns the value and its tangent.
"""

from __future__ import annotations

import copy
import os
from typing import Any, Callable, Optional

import gast

from ...rules import forward_rules, registry, runtime, runtime_rules  # noqa: F401 - rules
from ...rules.jvp import lookup_jvp
from .. import codegen, desugar, fence, loader, normalize, source, stages
from .. import optimize as optimizer
from ..ir import assign_node, name_ids, name_node, walk
from ..naming import Namer, recursion_mark
from ..reverse import Derivative
from ..source import is_bound_method
from . import recompute, stacks
from .tangents import ForwardDerivative, tangents

__all__ = ["generate", "forward_name", "DERIVATIONS", "ForwardDerivative"]


def forward_name(fn_name: str) -> str:
    base = fn_name if fn_name.isidentifier() else "f"
    return f"jvp_{base}"


def generate(fn: Callable[..., Any], wrt: list[str], printer: str = "gast",
             scalars: tuple = ((), (), ()), helper: bool = False,
             bindings: Optional[dict] = None,
             given: frozenset = frozenset(),
             arrays: frozenset = frozenset(),
             tuples: frozenset = frozenset()) -> tuple[Callable[..., Any], str]:
    """The forward-mode derivative of ``fn`` along ``wrt``, compiled, and its source."""
    parsed = source.parse_function(fn)
    parsed.bound = dict(bindings or {})
    parsed.given_away = given
    parsed.given_arrays = arrays
    parsed.given_tuples = tuples
    # (the dicts the call passes: a loop over one reads its keys, as grad's does)
    parsed.given_dicts = frozenset(scalars[4]) if len(scalars) > 4 else frozenset()
    if stacks.is_generated(parsed.filename):  # a derivative, differentiated again
        stacks.stacks_as_values(parsed.node)
    fence.check(parsed)
    if not helper and not stacks.is_generated(parsed.filename):
        from ..pipeline import _bind_function_defaults
        _bind_function_defaults(parsed)  # def elbo(p, logprob=log_density), as grad
    stages.show(f"source ({parsed.name})", parsed.node)
    referenced = name_ids(parsed.node)
    namer = Namer(referenced | parsed.locals | set(parsed.closure), parsed.globals,
                  parsed.locals)
    name = namer.fresh(forward_name(parsed.name))
    if helper:
        namer.defining = (recursion_mark(fn, wrt, bindings), name)
    if stacks.is_generated(parsed.filename):
        # Its references (_ad, np) are closure cells: the tangent code reads them too.
        for ref, cell in parsed.closure.items():
            try:
                namer._references.setdefault(id(cell.cell_contents), ref)
                namer.closure_objects[ref] = cell.cell_contents
            except ValueError:  # an empty cell
                pass
    if stacks.is_generated(parsed.filename):
        recompute.helpers_recomputed(parsed, namer)
    parsed.differentiated = frozenset(wrt)  # (read by desugar: never written back)
    if helper and not stacks.is_generated(parsed.filename):
        _written_back_to_the_caller(parsed, wrt, namer)
    desugar.desugar(parsed, namer)
    if not helper:
        _name_tuple_results(parsed.node, namer)
    stages.show("desugar", parsed.node)
    with source.transforming(parsed):
        norm = normalize.normalize(parsed, wrt, namer, *scalars[:5], helper=helper,
                                   derive=DERIVATIONS)
    stages.show("normalize", norm.body, norm.return_stmt)
    derivative = tangents(parsed, norm, wrt, namer,
                          frozenset(scalars[1]) if len(scalars) > 1 else frozenset())
    stages.show("forward: after rewriting", derivative.body)
    lines: list = []
    text = codegen.render(_with_tangent_params(parsed, derivative.tangent_params),
                          Derivative(derivative.body, [], [derivative.tangent],
                                     derivative.value, None),
                          name, True, printer, origins=lines)
    origin = f"{os.path.basename(parsed.filename)}:{parsed.node.lineno}"
    compiled = loader.load(text, name, fn, namer.injected, origin,
                           (parsed.filename, lines, parsed.name))
    compiled.__autograd_src_tangents__ = derivative.tangent_params
    compiled.__autograd_src_operands__ = norm.operand_params
    return compiled, _with_helpers(text, list(namer.helper_sources))


def _written_back_to_the_caller(parsed: Any, wrt: Any, namer: Namer) -> None:
    """A helper's ``p *= v`` into a parameter without tangent (the caller's array) gives
    the caller's array the new values when it returns (``p_given = p`` first, then
    ``_ad.written_back(p_given, p)``): its tangent makes ``p`` a new array where ``v``
    has one, which the caller would not see. (A value with a tangent written in place
    is refused at the call, where the caller reads it again.)"""
    from ..helper_copies import _marked_copy, _writing_back
    from ..normalize import augmented_only, written_before_rebound
    node = parsed.node
    # (p *= v on the caller's array: not after p = p * 1.0, which made it the helper's)
    # (nor where p is bound anew anywhere, p *= 2.0; p = p * v: what the caller's array
    # holds is then the value before that binding, left to the code as it runs)
    rebound = {t.id for n in walk(node) if isinstance(n, gast.Assign)
               for t in n.targets if isinstance(t, gast.Name)}
    # (and p['s'] = v, p[i] = v into a list or dict without tangent, which the
    # normalizer makes a new one, p = _ad.setitem(p, 's', v): the caller's too; GV 02)
    stored = {t.value.id for n in walk(node) if isinstance(n, gast.Assign)
              for t in n.targets if isinstance(t, gast.Subscript) and
              isinstance(t.value, gast.Name)}
    written = sorted((set(augmented_only(node, parsed.resolve)) | stored) &
                     set(written_before_rebound(node, parsed.resolve)) - set(wrt) - rebound)
    if not written or not node.body:
        return
    ad = namer.reference(runtime, "_ad")
    given = {p: namer.fresh(f"{p}_given") for p in written}
    first = node.body[0]
    prologue = [gast.copy_location(assign_node(given[p], name_node(p), first), first)
                for p in written]
    # (then p = _ad.copied(p): the updates go into an array of the helper's own, as a
    # helper grad copies in does)
    prologue += [_marked_copy(gast.Assign(targets=[name_node(p, gast.Store())], value=gast.Call(
        func=gast.Attribute(value=name_node(ad), attr="copied", ctx=gast.Load()),
        args=[name_node(p)], keywords=[]), type_comment=None), first) for p in written]
    node.body = prologue + _writing_back(node.body, given, ad, namer)


def _name_tuple_results(node: gast.FunctionDef, namer: Namer) -> None:
    """``return a, b`` becomes ``out = (a, b); return out``: forward mode gives a tuple
    of results the tangent of that tuple value, as any container's (grad needs one
    output, and its normal form refuses a returned tuple). After desugaring, a
    function returning anywhere but at its end assigns one result name instead."""
    stmt = node.body[-1] if node.body else None
    if isinstance(stmt, gast.Return) and isinstance(stmt.value, gast.Tuple):
        out = namer.fresh("out")
        node.body[-1:] = [
            gast.copy_location(gast.Assign(targets=[gast.Name(
                id=out, ctx=gast.Store(), annotation=None, type_comment=None)],
                value=stmt.value, type_comment=None), stmt),
            gast.copy_location(gast.Return(value=gast.Name(
                id=out, ctx=gast.Load(), annotation=None, type_comment=None)), stmt)]


def _with_tangent_params(parsed: source.ParsedFunction, params: list[str]) -> Any:
    """A view of ``parsed`` whose signature ends with the keyword-only tangents."""
    shown = copy.copy(parsed)
    shown.node = copy.copy(parsed.node)
    args = copy.copy(parsed.node.args)
    args.kwonlyargs = list(args.kwonlyargs) + [
        gast.Name(id=p, ctx=gast.Param(), annotation=None, type_comment=None) for p in params]
    args.kw_defaults = list(args.kw_defaults) + [None] * len(params)
    shown.node.args = args
    return shown


def _with_helpers(text: str, helpers: list[str]) -> str:
    from ..pipeline import _with_helpers as joined
    return joined(text, helpers)


# ----- the helpers a function calls, differentiated in forward mode too -----

_CACHE_KEY = "forward-helper"
_IN_PROGRESS: set = set()


def helper_derivative(fn: Callable[..., Any], positions: list[int], call: Any,
                      caller: source.ParsedFunction, bindings: Optional[dict] = None,
                      given: frozenset = frozenset(), dicts: frozenset = frozenset(),
                      numbers: frozenset = frozenset(), arrays: frozenset = frozenset(),
                      tuples: frozenset = frozenset()
                      ) -> tuple[Callable[..., Any], str, list]:
    """The forward-mode derivative of a helper ``fn`` along ``positions``, cached, its
    source, and where each position's tangent parameter is (``(index, None)``);
    ``given``, ``dicts``, ``numbers``, ``arrays`` and ``tuples`` as for
    `pipeline.helper_derivative`."""
    from ..pipeline import (
        _USER_RECURSION_LIMIT,
        LOCK,
        _recursion_room,
        bind,
        cache_for,
        cached,
        helper_wrt,
        transform_forward,
        with_vararg_count,
    )
    if lookup_jvp(fn) is not None:
        # A tangent rule of the user's own: the forward stage inlines it.
        return fn, "", [(k, None) for k in range(len(positions))]
    if is_bound_method(fn):
        function, owner = fn.__func__, fn.__self__
        derivative, text, layout = helper_derivative(
            function, [p + 1 for p in positions], call, caller,
            {**(bindings or {}), function.__code__.co_varnames[0]: owner}, given)
        bound = bind(derivative, owner)
        bound.__autograd_src_tangents__ = derivative.__autograd_src_tangents__
        return bound, text, layout
    # Where each position's tangent goes: a parameter's, or the k-th of *args's tuple.
    wrt, layout = helper_wrt(fn, positions, call, caller)
    # (a gradient's helper derivative read again as plain code: made for what the
    # helper's derivative was specialised to, `recompute._flattened`)
    bindings = {**getattr(fn, "__autograd_src_bindings__", {}), **(bindings or {})}
    bindings = with_vararg_count(fn, call, bindings)
    dicts = frozenset(dicts) & set(source.parameters(fn)[0])
    numbers = frozenset(numbers) - dicts
    arrays = frozenset(arrays) - dicts - numbers
    key = (_CACHE_KEY, tuple(positions),
           tuple(sorted((k, id(v)) for k, v in bindings.items())), optimizer.ENABLED.get()) \
        + ((tuple(sorted(given)),) if given else ()) + (
            (("dicts",) + tuple(sorted(dicts)),) if dicts else ()) + (
            (("numbers",) + tuple(sorted(numbers)),) if numbers else ()) + (
            (("arrays",) + tuple(sorted(arrays)),) if arrays else ()) + (
            (("tuples",) + tuple(sorted(tuples)),) if tuples else ())
    with LOCK:
        per_fn = cache_for(fn)
        if cached(per_fn, key) is None:
            if (fn, key) in _IN_PROGRESS:
                def recursive(*args: Any, **kwargs: Any) -> Any:
                    # each level of the user's recursion costs the tangent a few frames
                    with _recursion_room(4 * _USER_RECURSION_LIMIT):
                        return per_fn[key][0](*args, **kwargs)
                recursive.__name__ = forward_name(fn.__name__)
                recursive.__autograd_src_tangents__ = _tangent_names(fn, wrt)
                recursive.__autograd_src_recursion__ = recursion_mark(fn, wrt, bindings)
                return recursive, "", layout
            _IN_PROGRESS.add((fn, key))
            try:
                per_fn[key] = transform_forward(
                    fn, wrt, scalars=(tuple(sorted(numbers)), (), (), tuple(sorted(dicts)),
                                      tuple(sorted(dicts))),
                    helper=True, bindings=bindings, given=given, arrays=arrays,
                    tuples=tuples)
            finally:
                _IN_PROGRESS.discard((fn, key))
        return per_fn[key][0], per_fn[key][1], layout


def _tangent_names(fn: Callable[..., Any], wrt: list[str]) -> list[str]:
    """The tangent parameter names a helper's forward derivative will have (for a
    recursive call made before that derivative exists): ``d`` + the name, as the
    namer gives them unless taken."""
    taken = set(fn.__code__.co_varnames)
    return [f"d{w}" if f"d{w}" not in taken else f"d_{w}" for w in wrt]


def nested_derivative(outer: source.ParsedFunction, node: Any, positions: list[int],
                      namer: Namer) -> tuple[str, str, list]:
    """The forward-mode derivative of a function defined inside ``outer``, as a def to
    place beside it: its name, its text, and its tangent parameters (which the
    normalizer keeps where grad keeps a nested derivative's seed parameter)."""
    node = copy.deepcopy(node)
    args = node.args
    params = [a.id for a in args.posonlyargs + args.args]
    if any(p >= len(params) for p in positions):
        raise outer.error(node, f"a differentiated value passed to {node.name}() lands in "
                                "*args; give it named parameters")
    assigned = {n.id for n in walk(node) if isinstance(n, gast.Name)
                and isinstance(n.ctx, (gast.Store, gast.Param))}
    parsed = source.ParsedFunction(
        fn=outer.fn, node=node, filename=outer.filename, file_lines=outer.file_lines,
        globals=outer.globals, closure=outer.closure, params=params + [
            a.id for a in args.kwonlyargs], locals=assigned | (outer.locals - assigned))
    fence.check(parsed)
    wrt = [params[p] for p in positions]
    name = namer.fresh(forward_name(node.name))
    referenced = name_ids(node)
    # (the enclosing function's locals too: a nested def zip() there is what "zip"
    # names where this derivative runs, so the builtin is reached by another name)
    inner = Namer(referenced | set(namer.injected) | {name}, outer.globals,
                  assigned | set(outer.locals))
    inner.injected, inner._references = namer.injected, namer._references
    inner.helper_sources = namer.helper_sources
    inner.closure_objects = namer.closure_objects
    parsed.differentiated = frozenset(wrt)  # (read by desugar: never written back)
    desugar.desugar(parsed, inner)
    norm = normalize.normalize(parsed, wrt, inner, helper=True, derive=DERIVATIONS)
    derivative = tangents(parsed, norm, wrt, inner)
    text = codegen.render(_with_tangent_params(parsed, derivative.tangent_params),
                          Derivative(derivative.body, [], [derivative.tangent],
                                     derivative.value, None), name, True, "gast",
                          origins=[], nested=True)
    namer.taken |= set(namer.injected)
    return name, text, derivative.tangent_params


class DynamicMethod:
    """Forward mode's ``obj.<attr>(...)`` for an object whose class is known only when
    the call runs (``for layer in layers: h = layer.forward(h)``, ``act(x)`` for a
    function picked then): what runs is found as grad's `pipeline.DynamicMethod`
    finds it, and its forward derivative made then, once per class (cached), called
    with the tangents of the arguments at ``positions`` by keyword."""

    def __init__(self, attr: str, positions: tuple, where: str) -> None:
        from ..pipeline import DynamicMethod as Reverse
        self.follow = Reverse(attr, positions, where)
        self.__name__ = forward_name(attr)
        self.__autograd_src_tangents__ = [f"d_arg{k}" for k in range(len(positions))]

    @property
    def gradient_names(self) -> frozenset:
        return self.follow.gradient_names

    @gradient_names.setter
    def gradient_names(self, names: frozenset) -> None:  # (set once it is normalized)
        self.follow.gradient_names = names

    def __call__(self, obj: Any, *args: Any, **keywords: Any) -> tuple[Any, Any]:
        tangents = [keywords.pop(name) for name in self.__autograd_src_tangents__]
        kind, found, positions, bindings, first = self.follow.followed(obj, keywords)
        if kind == "rule" and keywords:
            raise TypeError(f"{self.follow.where}: {registry.primitive_name(found)} of a "
                            "module known only when the code runs is called with keyword "
                            "arguments, which forward mode does not pass on there; pass "
                            "them by position")
        if kind == "rule":
            return _tangent_by_rule(found, args, positions, tangents, self.follow.where)
        from ..pipeline import _with_varargs_given
        bindings = _with_varargs_given(found, bindings, len(args) + (
            1 if kind == "method" else len(first.args) if kind == "partial" else 0))
        derivative, _, layout = helper_derivative(found, positions, None, None, bindings)
        params = derivative.__autograd_src_tangents__
        given = {params[index]: t for (index, k), t in zip(layout, tangents) if k is None}
        starred = {index for index, k in layout if k is not None}
        if starred:  # (the tangents of *args' values, one tuple, zeros where none flows:
            # Module.__call__(self, *args) passing them on; HC 04)
            values = (first,) + args if kind == "method" else \
                tuple(first.args) + args if kind == "partial" else args
            start = found.__code__.co_argcount
            flowing = dict(zip(positions, tangents))
            given[params[starred.pop()]] = tuple(
                flowing[p] if p in flowing else runtime.zeros_like(values[p])
                for p in range(start, len(values)))
        if kind == "partial":
            return derivative(*first.args, *args, **{**first.keywords, **keywords}, **given)
        if kind == "function":
            return derivative(*args, **given)
        self.follow.no_method_hidden(bindings, first)
        return derivative(first, *args, **given)


def _tangent_by_rule(primitive: Any, args: tuple, positions: list, tangents: list,
                     where: str) -> tuple[Any, Any]:
    """``primitive(*args)`` (a function with a derivative rule, picked when the code runs:
    ``act = np.tanh if ... else np.sin``) and its tangent along ``tangents`` of the
    arguments at ``positions``, by its tangent rule called as a function."""
    import numpy as np

    from ...rules import registry
    from ...rules.jvp import from_adjoint
    adjoint = registry.lookup(primitive)
    rule = lookup_jvp(primitive) or (from_adjoint(adjoint) if adjoint is not None else None)
    if rule is None and registry.is_nondifferentiable(primitive):  # (lib.round: zero)
        value = primitive(*args)
        return value, np.zeros_like(value, dtype=float)
    if rule is None or rule.all_inputs or rule.exprs is None:
        raise TypeError(f"{where}: {registry.primitive_name(primitive)}, picked when the "
                        "code runs, has no tangent rule forward mode can call there; call "
                        "it by its name")
    value = primitive(*args)
    total = None
    variadic = adjoint.variadic_input if adjoint is not None else None
    if variadic is not None and any(p >= variadic for p in positions):
        # (xp.einsum('i,ij', b, M): the rule takes the tangents of its *operands
        # together, None where one has none, as its input ``variadic``)
        operands = [None] * (len(args) - variadic)
        for position, tangent in zip(positions, tangents):
            if position >= variadic:
                operands[position - variadic] = tangent
        positions, tangents = [p for p in positions if p < variadic] + [variadic], \
            [t for p, t in zip(positions, tangents) if p < variadic] + [operands]
    for position, tangent in zip(positions, tangents):
        if len(rule.exprs) > 1:
            # (the term of this input alone: another's, from this input's tangent, may
            # not even be computable, solve(a, b)'s g @ ans for a vector b)
            one = rule.input_jvp(position)
            term = None if one is None else one(tangent, value, *args)
        else:
            term = rule.jvp(tangent, value, *args)
        if term is not None:
            total = term if total is None else total + term
    if total is None:
        return value, np.zeros_like(value, dtype=float)
    if np.shape(total) != np.shape(value):  # an input broadcast by the primitive
        total = np.broadcast_to(total, np.shape(value)).copy()
    return value, total


class _Derivations:
    """What the normalizer asks of forward mode: the derivatives of the helpers it meets."""

    helper = staticmethod(helper_derivative)
    nested = staticmethod(nested_derivative)
    method = DynamicMethod
    reverse = False  # (a gradient called inside: the tangent of its code)


DERIVATIONS = _Derivations()
