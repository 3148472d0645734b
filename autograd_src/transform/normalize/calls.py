"""Calls on active values: rules from the table, the user's helpers, nested functions."""

from __future__ import annotations

import builtins
import copy
import functools
import inspect
import re
import types
from typing import Any, Optional

import gast
import numpy as np

from ...errors import DiffSyntaxError, NoRuleError, UndefinedFunctionError, UnresolvedMethodError
from ...rules import composites, numpy_rules, registry, runtime
from ...rules.registry import Rule
from .. import closures
from ..ir import (
    Primal,
    Verbatim,
    assign_node,
    base_name,
    keywords_of,
    name_node,
    replace_nodes,
    walk,
)
from ..mutation import (
    MUTATING_METHODS,
    held_value,
    is_user_function,
    made_by_package,
    writes_in_place,
)
from ..naming import clone, describe
from ..source import UNRESOLVED, InstanceOf, MethodOf, parameters

__all__ = ["CallNormalizer"]


def _params_used(rule: Rule) -> set[str]:
    return set().union(*(rule.uses(i) for i in range(rule.n_inputs)))



def _takes_arrays(primitive: Any) -> bool:
    """A NumPy function, which makes arrays of the lists it is given (not np.array itself)."""
    module = getattr(primitive, "__module__", None) or ""
    return (module.split(".")[0] == "numpy" or type(primitive).__name__ == "ufunc") and \
        primitive not in (numpy_rules.np.array, numpy_rules.np.asarray)


class CallNormalizer:
    """Normalizes calls; mixed into the statement normalizer, whose state it uses."""

    def call(self, call: gast.Call) -> tuple:
        func = call.func
        self.no_cast_to_objects(call)
        rewritten = self.builtin_form(call)
        if isinstance(rewritten, (gast.ListComp, gast.DictComp)):  # d.values(): a list
            built = self.comprehension(gast.copy_location(rewritten, call))
            return None, name_node(built), {}, [built]
        if rewritten is not None:
            return self.operation(gast.copy_location(rewritten, call))
        for arg in call.args:
            if isinstance(arg, gast.Starred) and self.is_active(arg):
                raise self.error(arg, "*args holding differentiated values are not "
                                      "supported: pass the arrays one by one")
        splats = [k for k in call.keywords if k.arg is None]
        if any(self.is_active(k.value) for k in splats) or len(splats) > 1:
            raise self.error(call, "**kwargs holding differentiated values (or more than "
                                   "one ** in a call) is not supported: pass those "
                                   "keywords explicitly")
        keywords = {k.arg: k.value for k in call.keywords}
        if isinstance(func, gast.Attribute) and self.is_active(func.value):
            return self.array_method_call(call, keywords)
        if isinstance(func, gast.Attribute) and func.attr == "dot" and len(call.args) == 1 \
                and not call.keywords and self.is_active(call.args[0]) and \
                self.data_of_unknown_class_or_array(func.value):
            # X.dot(w) of data X: np.dot's rule, once X is checked to be an array
            where = gast.Constant(value=self.parsed.where(call), kind=None)
            return self.call(gast.copy_location(gast.Call(
                func=name_node(self.namer.reference(runtime.dot_of_data, "dot_of_data")),
                args=[func.value, call.args[0]],
                keywords=[gast.keyword(arg="where", value=where)]), call))
        if isinstance(func, gast.Name) and func.id in self.derivative_names:
            func = gast.copy_location(name_node(self.derivative_names[func.id]), func)
            call = gast.copy_location(gast.Call(func=func, args=call.args,
                                                keywords=call.keywords), call)
        if isinstance(func, gast.Name) and func.id in self.local_functions:
            if func.id == self.parsed.node.name:
                # (a copy of a helper writing into its arguments, `helper_copies`, calling
                # itself: its derivative would be made again at each level, without end)
                raise self.error(call, f"{func.id}() calls itself and writes into an array "
                                       "it is given, which grad follows only in a function "
                                       "that does not call itself: copy the array first "
                                       "(u = u.copy()) in the recursive function, or write "
                                       "the recursion as a loop", NoRuleError)
            return self.local_call(call, func.id)
        if isinstance(func, gast.Call):  # grad(energy)(x): the derivative, made now
            made_here = self.derivative_made_here(func)
            if made_here is not None:
                func = gast.copy_location(name_node(made_here), func)
                call = gast.copy_location(gast.Call(func=func, args=call.args,
                                                    keywords=call.keywords), call)
        made = self.closure_call(call)
        if made is not None:
            return made
        primitive = self.parsed.resolve(func)
        if getattr(type(primitive), "__autograd_src_made_at_first_call__", False):
            primitive = primitive.made()  # (grad(loss) made before a helper it calls)
        from ..pipeline import DynamicMethod  # (the pipeline imports the normalizer)
        if getattr(primitive, "__autograd_src_runtime_derivative__", False):
            raise self.error(call, "third derivatives through a derivative grad made, "
                                   "called inside the function differentiated "
                                   f"({primitive.__name__}), are not supported yet",
                             NoRuleError)
        if isinstance(primitive, DynamicMethod):  # in code grad generated: second order
            raise self.error(call, "second derivatives through a method or function picked "
                                   f"when the code runs ({primitive.where}: "
                                   f".{primitive.attr}() of an object known only then, "
                                   "as layer.forward(h) for layer in layers, or act(x) for "
                                   "act = np.tanh if ... else np.sin) are not supported "
                                   "yet; grad and jvp follow it. Call a module-level "
                                   "function, or the method through a name it is known by",
                             NoRuleError)
        if primitive is not UNRESOLVED and registry.lookup(primitive) is None and \
                isinstance(inspect.getattr_static(type(primitive), "__call__", None),
                           types.FunctionType) and (isinstance(func, gast.Name) or
                                                    isinstance(func, gast.Attribute) and
                                                    not self.is_active(func.value)):
            # act(x) for a module-level instance of a class of yours, or m.l(x) for one
            # a module-level object holds: its __call__
            method = gast.Attribute(value=func, attr="__call__", ctx=gast.Load())
            return self.call(gast.copy_location(gast.Call(
                func=gast.copy_location(method, func), args=call.args,
                keywords=call.keywords), call))
        if isinstance(primitive, InstanceOf):  # self(x): the class's __call__
            method = gast.Attribute(value=func, attr="__call__", ctx=gast.Load())
            return self.call(gast.copy_location(gast.Call(
                func=gast.copy_location(method, func), args=call.args,
                keywords=call.keywords), call))
        if primitive is UNRESOLVED and isinstance(func, gast.Attribute) and \
                not self.is_active(func.value) and _instance_attribute(
                    self.parsed.resolve(func.value), func.attr):
            # self.l1(x) for a sub-module stored on the instance: its class's __call__,
            # known when the code runs (as for layer(h), for layer in layers)
            method = gast.copy_location(gast.Attribute(value=func, attr="__call__",
                                                       ctx=gast.Load()), func)
            return self.dynamic_method_call(gast.copy_location(gast.Call(
                func=method, args=call.args, keywords=call.keywords), call))
        if primitive is UNRESOLVED:
            error = self.unresolved(call)
            # (a method of a helper's parameter, m.predict(x) in helper(M, x): known when
            # the code runs; the function differentiated is made once per class instead)
            if isinstance(func, gast.Attribute) and (
                    not isinstance(error, UnresolvedMethodError) or self.helper) and \
                    not self.is_active(func.value) and \
                    not isinstance(self.parsed.resolve(func.value), InstanceOf):
                return self.dynamic_method_call(call)
            if isinstance(func, gast.Subscript) and not self.is_active(func):
                # LAYERS[i](h), ACTS[k](x): an item picked when the code runs, called
                # as layer(h) is (its class's __call__, a function of yours or a rule's)
                method = gast.copy_location(gast.Attribute(value=func, attr="__call__",
                                                           ctx=gast.Load()), func)
                return self.dynamic_method_call(gast.copy_location(gast.Call(
                    func=method, args=call.args, keywords=call.keywords), call))
            if isinstance(func, gast.Name) and func.id in self.parsed.locals and \
                    not self.is_active(func):
                # layer(h) for an object made or picked here (for layer in layers), or
                # passed in (act(z) of loss(W, x, act)): its class's __call__ (a function
                # of yours, or one with a rule), known when the code runs
                method = gast.copy_location(gast.Attribute(value=func, attr="__call__",
                                                           ctx=gast.Load()), func)
                return self.dynamic_method_call(gast.copy_location(gast.Call(
                    func=method, args=call.args, keywords=call.keywords), call))
            raise error
        defaults = getattr(self.parsed, "bound_defaults", {})
        if isinstance(func, gast.Name) and func.id in defaults:
            # logprob(z) of def f(params, logprob=log_density): differentiated as the
            # default, so the call must have left it to the default (checked as it runs)
            check = gast.Call(func=name_node(self.namer.reference(runtime.left_to_default,
                                                                  "left_to_default")),
                              args=[name_node(func.id), name_node(self.namer.reference(
                                  defaults[func.id], f"{func.id}_default")),
                                  gast.Constant(value=f"{self.parsed.where(call)}: "
                                                      f"{func.id}(...)", kind=None)],
                              keywords=[])
            self.body.append(Primal(gast.copy_location(gast.Expr(value=check), self.origin),
                                    self.origin, set()))
        self.still_bound_check(func, primitive, call)
        how = writes_in_place(primitive, call)
        if how:
            raise self.error(call, f"{gast.unparse(func).strip()}() on a differentiated value "
                                   f"writes into an array ({how}), which grad cannot follow: "
                                   "assign the result instead (y = np.exp(x))")

        def rebuild_call(atoms: list, kw: dict) -> gast.Call:
            return gast.Call(func=func, args=atoms, keywords=keywords_of(kw))

        function, owner = self.method_of(func, primitive)
        if function is not None:
            return self.user_method_call(call, primitive, function, owner)
        from ...api import without_copied_marks  # (the api imports the transformation)
        origin = getattr(without_copied_marks(primitive), "__autograd_src_origin__", None)
        by_parts = origin is not None and (origin.value or not origin.single) and \
            not call.keywords and not self.parsed.generated and \
            getattr(self.derive, "reverse", False)
        if origin is not None and registry.lookup(primitive) is None and by_parts:
            # value_and_grad(f), grad(f, wrt=(0, 1)): piece by piece, each gradient by
            # forward over reverse (reverse over their combined code gave zeros for a
            # list read in a branch, and crashed adding dicts)
            return self.called_derivative(call, primitive, rebuild_call)
        if origin is not None and registry.lookup(primitive) is None:
            # a derivative grad made (a gradient penalty): differentiated through the
            # code it runs for this call's lists and dicts (its general code joins them)
            mark, state = len(self.body), self.snapshot()
            try:
                return self.helper_call(call, self.derivative_code(call, origin),
                                        rebuild_call)
            except (DiffSyntaxError, NoRuleError) as refused:
                if not getattr(self.derive, "reverse", False):
                    # forward mode, which does not follow a nested def's derivative
                    # (its backward pass, a closure): the gradient made again with small
                    # nested defs written inline, as hvp does (jvp of lambda x: dg(x, c))
                    inlined = self.derivative_code(call, origin, inline=True)
                    if inlined is self.derivative_code(call, origin):
                        raise
                    del self.body[mark:]
                    self.restore(state)
                    try:
                        return self.helper_call(call, inlined, rebuild_call)
                    except (DiffSyntaxError, NoRuleError):
                        raise refused from None
                if not (not call.keywords and not self.parsed.generated):
                    raise
            # where reverse mode cannot read that code (the helpers of the inner loss:
            # their backward functions), a gradient's backward is a second derivative,
            # by forward over reverse (jacobians.CalledDerivative)
            del self.body[mark:]
            self.restore(state)  # (p_part = p['b'] made in the attempt is gone with it)
            return self.called_derivative(call, primitive, rebuild_call)
        if registry.lookup(primitive) is None and is_user_function(primitive):
            return self.helper_call(call, primitive, rebuild_call)
        composite = registry.composite(primitive) if registry.lookup(primitive) is None \
            else self.norm_computed_by_order(call, primitive)
        if composite is not None:  # np.cov: followed through the code computing it
            return self.helper_call(call, composite, rebuild_call)
        return self.bind(call, primitive, self.stars_spelled_out(call), keywords,
                         rebuild_call, display=gast.unparse(func))

    def norm_computed_by_order(self, call: gast.Call, primitive: Any) -> Any:
        """`composites.nuclear_norm` for ``np.linalg.norm(A, 'nuc')`` (the ``ord``
        written in the call, or a module's or enclosing function's constant): the rule
        does not give its gradient's derivative; second order is followed through the
        singular values then. Else None."""
        if primitive is not np.linalg.norm:
            return None
        given = call.args[1] if len(call.args) > 1 else next(
            (k.value for k in call.keywords if k.arg == "ord"), None)
        order = given.value if isinstance(given, gast.Constant) else \
            self.parsed.resolve(given) if isinstance(given, (gast.Name, gast.Attribute)) \
            else None  # (ORD = 'nuc' of the module: read, and watched, as globals are)
        if isinstance(order, str) and order == "nuc":
            return composites.nuclear_norm
        return None

    def stars_spelled_out(self, call: gast.Call) -> list:
        """The arguments of a call to a function with a rule, a ``*`` of a module's
        tuple or list written out item by item (``np.clip(x, *BOUNDS)`` is ``np.clip(x,
        BOUNDS[0], BOUNDS[1])``): the rule binds each to its parameter."""
        args = []
        for arg in call.args:
            if not isinstance(arg, gast.Starred):
                args.append(arg)
                continue
            if isinstance(arg.value, (gast.List, gast.Tuple)):  # *[2.0]
                args += list(arg.value.elts)
                continue
            known = self.parsed.resolve(arg.value) if isinstance(
                arg.value, (gast.Name, gast.Attribute)) else UNRESOLVED
            if not isinstance(known, (tuple, list)):
                raise self.error(arg, f"*{gast.unparse(arg.value).strip()} in a call of "
                                      f"{gast.unparse(call.func).strip()}: grad binds each "
                                      "argument to a parameter of its rule, and cannot tell "
                                      "how many this gives; pass them one by one")
            args += [gast.copy_location(gast.Subscript(
                value=arg.value, slice=gast.Constant(value=k, kind=None), ctx=gast.Load()),
                arg) for k in range(len(known))]
        return args

    def snapshot(self) -> dict:
        """Copies of the normalizer's sets and dicts, to undo an attempt (`restore`)."""
        return {name: value.copy() for name, value in vars(self).items()
                if type(value) in (set, dict)}

    def restore(self, state: dict) -> None:
        for name, value in state.items():
            setattr(self, name, value)

    def derivative_made_here(self, maker_call: gast.Call) -> Optional[str]:
        """``grad(energy, wrt=1)`` called at once (``grad(energy)(x)``): with ``energy``
        a function known now and the options constants, the derivative is made here,
        once, and the name the generated code reaches it by is returned, so the call
        is differentiated as a call of a derivative made at module level is. None
        for anything else (a local function, a lambda, options computed here)."""
        from ... import api  # (api imports the transformation)
        maker = self.parsed.resolve(maker_call.func)
        if maker is not api.grad and maker is not api.value_and_grad:
            return None

        def known(expr: gast.expr) -> Any:
            if isinstance(expr, gast.Constant):
                return expr.value
            if isinstance(expr, gast.Tuple):
                items = [known(e) for e in expr.elts]
                return UNRESOLVED if UNRESOLVED in items else tuple(items)
            if isinstance(expr, (gast.Name, gast.Attribute)) and not self.is_active(expr):
                return self.parsed.resolve(expr)
            return UNRESOLVED

        args = [known(a) for a in maker_call.args]
        keywords = {k.arg: known(k.value) for k in maker_call.keywords}
        if any(a is UNRESOLVED for a in args) or None in keywords or \
                any(v is UNRESOLVED for v in keywords.values()) or not args or \
                not callable(args[0]):
            return None
        derivative = maker(*args, **keywords)
        preferred = f"d{getattr(args[0], '__name__', 'f')}"
        name = self.namer.reference(derivative, preferred if preferred.isidentifier()
                                    else "derivative")
        self.parsed.introduced[name] = derivative
        return name

    def called_derivative(self, call: gast.Call, derivative: Any, rebuild: Any) -> tuple:
        """``g = dloss(w, X, y)`` with ``dloss = grad(loss)``: called through a
        `CalledDerivative`, which gives the gradient and its backward function."""
        from ...jacobians import CalledDerivative  # (it imports the transformation)
        label = getattr(derivative, "__name__", "derivative")
        atoms, keywords, positions = self.derivative_operands(call, label)
        made = CalledDerivative(derivative, positions)
        made.__name__ = self.namer.fresh(f"d{label}")
        rule, bound, inputs = self.derivative_call(derivative, made, atoms, keywords, label)
        rule.helper_layout = [(k, None) for k in range(len(positions))]
        return rule, rebuild(atoms, keywords), bound, inputs

    def data_of_unknown_class_or_array(self, expr: gast.expr) -> bool:
        """An array without gradient, or a value whose class only the run tells (an
        argument, a local), whose .dot is checked then (`runtime.dot_of_data`)."""
        known = self.parsed.resolve(expr)
        if known is UNRESOLVED:
            return not isinstance(expr, gast.Name) or expr.id in self.parsed.locals
        return isinstance(known, numpy_rules.np.ndarray)

    def derivative_code(self, call: gast.Call, origin: Any, inline: bool = False) -> Any:
        """The code of a derivative grad made that a call of it here runs: the variant
        for the arguments this code's calls pass as lists, tuples or dicts (parameters
        of this function, passed on by name), else the general code. With ``inline``,
        made again with its small nested defs written inline (`inline_defs`)."""
        function = origin.function()
        names, positional = parameters(function)
        passed = dict(zip(names[:positional], call.args))
        passed.update({k.arg: k.value for k in call.keywords if k.arg in names})
        containers, dicts = [], []
        for name, arg in passed.items():
            if isinstance(arg, gast.Name) and (arg.id in self.sequences_given or
                                               arg.id in self.dicts) and \
                    arg.id not in self.reassigned:
                containers.append(name)
                if arg.id in self.dicts:
                    dicts.append(name)
        if (origin.value or not containers) and not inline:
            return origin.general()
        from ...api import NO_SCALARS, general_entry  # (api imports the transformation)
        signature = ((), (), (), tuple(containers), tuple(dicts)) if containers and \
            not origin.value else NO_SCALARS
        return general_entry(function, origin.names, origin.single, origin.value,
                             origin.optimize, signature, inline=inline)[0]

    def factory_of(self, func: gast.expr) -> Any:
        """The composition (`closures.composed`) for a call of a factory of the user's
        that returns a lambda or a def, else None."""
        factory = self.parsed.resolve(func) if isinstance(func, (gast.Name, gast.Attribute)) \
            else UNRESOLVED
        if factory is UNRESOLVED or not is_user_function(factory) or \
                registry.lookup(factory) is not None or not hasattr(factory, "__code__"):
            return None
        return closures.composed(factory)

    def made_closure(self, name: str, value: gast.expr) -> bool:
        """``step = make_step(a)`` with ``a`` differentiated: the values it is made with
        are kept (``step_a = a``), and calls of ``step`` are calls of the composition
        of the factory and its closure (see `closures`). False for other values."""
        if not isinstance(value, gast.Call):
            return False
        composed = self.factory_of(value.func)
        if composed is None:
            return False
        factory = self.parsed.resolve(value.func)
        names = parameters(factory)[0]
        args = self.factory_arguments(value, factory)
        if args is None:
            return False
        # (made again by the same factory, in a loop or the other arm of an if: into the
        # same names, so the call after it reads those of whichever binding ran)
        known = [entry for entry in (self.closures.get(name),
                                     self.closure_hints.get(name)) if entry is not None
                 and entry[0] is composed and len(entry[1]) == len(args)]
        saved = list(known[0][1]) if known else [self.namer.fresh(f"{name}_{param}")
                                                 for param in names[:len(args)]]
        for kept, arg in zip(saved, args):
            self.assign(gast.copy_location(assign_node(kept, arg, self.origin), self.origin))
        self.primal(gast.copy_location(assign_node(name, value, self.origin), self.origin))
        self.closures[name] = (composed, saved)
        return True

    def factory_arguments(self, value: gast.Call, factory: Any) -> Optional[list]:
        """The arguments of ``make_step(a)``, a call of a factory of the user's, one per
        positional parameter (its defaults filled in, keywords put in place); None where
        they cannot be told (``*args``, a keyword-only parameter)."""
        names, positional = parameters(factory)
        default = self.function_default(factory)
        given = {k.arg: k.value for k in value.keywords}
        args = list(value.args)
        if any(isinstance(a, gast.Starred) for a in args) or len(args) > positional:
            return None
        for param in names[len(args):positional]:
            filled = given.pop(param, None)
            if filled is None:
                filled = default(param)
            if filled is None:
                return None
            args.append(filled)
        return None if given else args  # (left: a keyword-only parameter, or a **)

    def closure_call(self, call: gast.Call) -> Optional[tuple]:
        """``step(x)`` of a closure made here, or ``make_step(a)(x)``: a call of the
        composition, with the values the closure was made with first."""
        func = call.func
        if isinstance(func, gast.Name) and func.id in self.closures:
            composed, saved = self.closures[func.id]
            if composed is None:
                raise self.error(call, f"{func.id}(...) calls a closure bound by a factory "
                                       "in one arm of an if (or one pass of a loop) and to "
                                       "something else (another factory's closure, or what it "
                                       "was before) in the other: grad cannot tell which it "
                                       f"calls. Bind {func.id} with one factory before the if "
                                       "or loop (its arguments may differ), or call the "
                                       "factory where it is used (make_step(a)(x))")
            made_with: list = [name_node(n) for n in saved]
        elif isinstance(func, gast.Call) and (
                self.is_active(func) or any(self.is_active(a) for a in call.args) or
                any(self.is_active(k.value) for k in call.keywords)):
            # (made with differentiated values, or with constants and given them)
            composed = self.factory_of(func.func)
            if composed is None:
                return None
            made_with = self.factory_arguments(func, self.parsed.resolve(func.func))
            if made_with is None:
                return None
        else:
            return None
        reference = name_node(self.namer.reference(composed, composed.__name__))
        whole = gast.copy_location(gast.Call(func=reference, args=made_with + list(call.args),
                                             keywords=call.keywords), call)

        def rebuild(atoms: list, kw: dict) -> gast.Call:
            return gast.Call(func=reference, args=atoms, keywords=keywords_of(kw))

        return self.helper_call(whole, composed, rebuild)

    def no_cast_to_objects(self, call: gast.Call) -> None:
        """``x.astype(object)``, ``np.array([x[0], x[1]], dtype=object)``: arrays of Python
        objects (or text) whose values grad cannot follow; an integer cast has a zero
        derivative, these have none (they were taken for one: a gradient of 0)."""
        func = call.func
        dtypes = [k.value for k in call.keywords if k.arg == "dtype"]
        if isinstance(func, gast.Attribute) and func.attr == "astype" and call.args:
            dtypes.append(call.args[0])
        if not dtypes or not self.is_active(call):
            return
        for expr in dtypes:
            given = expr.value if isinstance(expr, gast.Constant) else self.parsed.resolve(expr)
            try:
                kind = np.dtype(given).kind
            except (TypeError, ValueError):  # not known here (through_cast checks then)
                continue
            if kind in "OUSV":
                raise self.error(call, f"a differentiated value cast to dtype "
                                       f"{np.dtype(given)}: grad cannot follow the Python "
                                       "objects or text its items become; keep it a float "
                                       "array (a list of floats, if you need Python objects)",
                                 NoRuleError)

    def surely_a_dict(self, name: str, seen: frozenset = frozenset()) -> bool:
        """Whether ``name`` holds a dict wherever it is read: a parameter given one, not
        assigned here, or a name this function only ever assigns dicts it makes (or
        names that surely hold one: ``d = items`` in code grad generated)."""
        given = name in self.parsed.params
        if given and (name not in self.dicts or name not in self.reassigned):
            return name in self.dicts
        values = self.values_assigned(name)

        def copy_of_a_dict(v: gast.expr) -> bool:  # (hs = hs.copy(), d = other.copy())
            if not (isinstance(v, gast.Call) and isinstance(v.func, gast.Attribute) and
                    v.func.attr == "copy" and not v.args and not v.keywords and
                    isinstance(v.func.value, gast.Name)):
                return False
            subject = v.func.value.id
            return subject == name or subject not in seen and \
                self.surely_a_dict(subject, seen | {name})

        # (a parameter given a dict, bound again only to dicts: S = S.copy() at the top)
        return bool(values) and (given or any(not copy_of_a_dict(v) or
                                              v.func.value.id != name for v in values)) and all(
            isinstance(v, (gast.Dict, gast.DictComp)) or isinstance(v, gast.Call) and
            self.parsed.resolve(v.func) is dict or isinstance(v, gast.Name) and
            v.id not in seen and self.surely_a_dict(v.id, seen | {name}) or
            copy_of_a_dict(v) for v in values)

    def may_be_a_dict(self, name: str) -> bool:
        """Whether ``name`` is assigned a dict anywhere here (in an arm of ``a if c else
        b`` too): its copy is not ``list(name)``, which would be its keys."""
        def dicts_in(value: gast.expr) -> bool:
            if isinstance(value, gast.IfExp):
                return dicts_in(value.body) or dicts_in(value.orelse)
            return isinstance(value, (gast.Dict, gast.DictComp)) or isinstance(
                value, gast.Call) and self.parsed.resolve(value.func) is dict
        return any(dicts_in(value) for value in self.values_assigned(name))

    def held_for_key(self, items: gast.expr, keywords: dict) -> Optional[gast.Name]:
        """A name holding ``items`` of ``max``/``min``/``sorted`` given a ``key``, where
        they carry gradient: the item picked (or the order) is found once, in the
        forward pass, by calling the key once per item as Python does; the adjoint
        reads that position and never calls the key again (it may change or read
        state, or names bound anew since). None without a key."""
        if "key" not in keywords or not self.is_active(items):
            return None
        held = items if isinstance(items, gast.Name) else self.atom(items)
        return held if isinstance(held, gast.Name) else None

    def builtin_form(self, call: gast.Call) -> Optional[gast.expr]:
        """Python's builtins and dict methods on differentiated values, written as
        calls with rules: ``max(xs)`` as ``_ad.largest(xs)``, ``sorted(xs, key=f)``,
        ``sum(xs, start)``, ``zip(*rows)``, ``reversed(xs)`` as ``xs[::-1]``,
        ``dict(a=x)`` as ``{'a': x}``, ``d.items()``, ``d.values()``, ``d.get(k)``,
        ``x.astype(float)``; None for any other call."""
        func, args, keywords = call.func, call.args, {k.arg: k.value for k in call.keywords}

        def ad(name: str, *operands: gast.expr, **options: gast.expr) -> gast.Call:
            module = name_node(self.namer.reference(runtime, "_ad"))
            return gast.Call(func=gast.Attribute(value=module, attr=name, ctx=gast.Load()),
                             args=list(operands), keywords=keywords_of(options))

        ends = [k for k in ("prepend", "append") if k in keywords]
        order_given = args[1] if len(args) > 1 else keywords.get("n")
        if ends and any(self.is_active(keywords[k]) for k in ends) and args and \
                len(args) <= 3 and self.parsed.resolve(func) is np.diff and (
                    order_given is None or isinstance(order_given, gast.Constant) and
                    type(order_given.value) is int and order_given.value >= 1):
            # (n=0 ignores the ends, as NumPy's: n known, and at least 1)
            # np.diff(x, prepend=x[0]) of a differentiated end: the differences of the
            # joined array (a number widened to a lane, as np.diff does)
            np_name = name_node(self.namer.reference(np, "np"))
            axis = args[2] if len(args) > 2 else keywords.get(
                "axis", gast.Constant(value=-1, kind=None))
            order = args[1] if len(args) > 1 else keywords.get(
                "n", gast.Constant(value=1, kind=None))

            def lane(end: gast.expr) -> gast.expr:
                return gast.Call(func=gast.Attribute(value=clone(np_name), attr="broadcast_to",
                                                     ctx=gast.Load()),
                                 args=[end, ad("end_shape", clone(args[0]), clone(end),
                                               clone(axis))], keywords=[])
            parts = ([lane(keywords["prepend"])] if "prepend" in keywords else []) + \
                [args[0]] + ([lane(keywords["append"])] if "append" in keywords else [])
            joined = gast.Call(func=gast.Attribute(value=clone(np_name), attr="concatenate",
                                                   ctx=gast.Load()),
                               args=[gast.Tuple(elts=parts, ctx=gast.Load())],
                               keywords=[gast.keyword(arg="axis", value=clone(axis))])
            return gast.Call(func=gast.Attribute(value=clone(np_name), attr="diff",
                                                 ctx=gast.Load()),
                             args=[joined, clone(order), clone(axis)], keywords=[])
        if isinstance(func, gast.Attribute) and self.is_active(func.value) and \
                isinstance(func.value, gast.Name) and not keywords:
            subject = func.value
            if func.attr in ("items", "values", "keys") and not args:
                key = self.namer.fresh("key")
                item: gast.expr = gast.Subscript(value=name_node(subject.id),
                                                 slice=name_node(key), ctx=gast.Load())
                if func.attr == "keys":
                    return ad("keys", subject)
                if func.attr == "items":
                    item = gast.Tuple(elts=[name_node(key), item], ctx=gast.Load())
                return gast.ListComp(elt=item, generators=[gast.comprehension(
                    target=name_node(key, gast.Store()), iter=ad("keys", subject), ifs=[],
                    is_async=0)])
            if func.attr == "copy" and not args:  # a list's or dict's own copy
                # (dicts first: holds_sequence counts the dicts made here as lists)
                maker = dict if self.surely_a_dict(subject.id) else \
                    list if self.holds_sequence(subject) else None
                if maker is list and (subject.id in self.dicts or self.may_be_a_dict(
                        subject.id)):
                    # (a dict on some path: list(d) would be its keys) copied as it is
                    return ad("copied", subject)
                if maker is not None:
                    return gast.Call(func=name_node(self.namer.reference(maker, maker.__name__)),
                                     args=[subject], keywords=[])
                if subject.id in self.opaque and self.holds_sequence(subject) is None:
                    # (a helper's S, an array, list or dict as the caller gives it: its
                    # tangent too is copied as what it is, not by np.copy)
                    return ad("copied", subject)
            if func.attr == "get" and len(args) == 1:  # d.get(k) of a differentiated dict
                # (None where k is absent, as Python's)
                return ad("get_item", subject, args[0], gast.Constant(value=None, kind=None))
            if func.attr == "get" and len(args) == 2:  # d.get(k, default)
                return ad("get_item", subject, args[0], args[1])
        if isinstance(func, gast.Attribute) and func.attr == "get" and len(args) == 2 and \
                not keywords and isinstance(func.value, gast.Name) and \
                not self.is_active(func.value) and self.is_active(args[1]) and (
                    self.surely_a_dict(func.value.id) or isinstance(
                        self.parsed.resolve(func.value), dict) or _instance_of(
                        self.parsed.resolve(func.value), dict)):
            # d.get(k, x) of a dict without gradient, x differentiated
            return ad("get_item", func.value, args[0], args[1])
        if isinstance(func, gast.Attribute) and func.attr == "astype" and len(args) == 1 \
                and not keywords and self.is_active(func.value):
            return ad("astype", func.value, args[0])
        if not isinstance(func, (gast.Name, gast.Attribute)) or not self.is_active(call):
            return None
        if isinstance(func, gast.Attribute) and func.attr == "_replace" and not args and \
                keywords and None not in keywords:
            # p._replace(w=v) of a namedtuple: the fields given their values, the others
            # kept (each adjoint to its own)
            names = gast.Constant(value=tuple(keywords), kind=None)
            return ad("replaced", func.value, names,
                      gast.Tuple(elts=list(keywords.values()), ctx=gast.Load()))
        builtin = self.parsed.resolve(func)
        if isinstance(builtin, type) and issubclass(builtin, tuple) and \
                hasattr(builtin, "_fields") and \
                not any(isinstance(a, gast.Starred) for a in args):
            # Params(W, b=b) of a namedtuple class: its fields in order, defaults filled
            keywords = dict(keywords)
            values = list(args)
            for field in builtin._fields[len(values):]:
                if field in keywords:
                    values.append(keywords.pop(field))
                elif field in builtin._field_defaults:
                    values.append(name_node(self.namer.reference(
                        builtin._field_defaults[field], f"{field}_default")))
                else:
                    return None  # Python's own error, from the original call
            if keywords:
                return None
            self.no_field_read_where_not_followed(builtin, call)
            return ad("construct", func, *values)
        if not isinstance(func, gast.Name):
            return None
        starred = any(isinstance(a, gast.Starred) for a in args)
        if builtin in (max, min) and not starred and (len(args) == 1 or len(args) > 2) and \
                set(keywords) <= {"key"}:
            items = args[0] if len(args) == 1 else gast.List(elts=list(args), ctx=gast.Load())
            held = self.held_for_key(items, keywords)
            if held is not None:  # xs[position], the key called once, as Python calls it
                position = ad("extreme_position", held, keywords["key"],
                              gast.Constant(value=builtin is max, kind=None))
                if held.id in self.opaque and held.id not in self.lists:
                    # (a helper's argument, a dict where it is one: its key, as
                    # _ad.in_order gives a dict's keys)
                    return gast.Subscript(value=ad("in_order", held, gast.List(
                        elts=[position], ctx=gast.Load())), slice=gast.Constant(
                            value=0, kind=None), ctx=gast.Load())
                return gast.Subscript(value=held, slice=position, ctx=gast.Load())
            return ad("largest" if builtin is max else "smallest", items, **keywords)
        if builtin is sorted and len(args) == 1 and set(keywords) <= {"key", "reverse"}:
            held = self.held_for_key(args[0], keywords)
            if held is not None:  # the items in the order the key gave, called once each
                return ad("in_order", held, ad(
                    "order_of", name_node(held.id), keywords["key"],
                    keywords.get("reverse", gast.Constant(value=False, kind=None))))
            return ad("sorted_items", args[0], **keywords)
        if builtin is sum and not starred and (len(args) == 2 or "start" in keywords):
            start = args[1] if len(args) == 2 else keywords["start"]
            return ad("summed", args[0], start)
        if builtin is zip and len(args) == 1 and isinstance(args[0], gast.Starred) and \
                not keywords:
            return ad("transposed", args[0].value)
        if builtin in (zip, enumerate) and args and not starred and not keywords and \
                (builtin is zip or len(args) == 1):
            # zip(a, b) as [(a[k], b[k]) for k in range(...)], enumerate(xs) likewise;
            # each iterable evaluated once, before (an iterator as a list: reversed(c))
            args = [self.iterable_once(a) for a in args]
            k = self.namer.fresh("k")
            length = [gast.Call(func=name_node(self.namer.reference(len, "len")), args=[a],
                                keywords=[]) for a in args]
            count = length[0] if len(length) == 1 else gast.Call(
                func=name_node(self.namer.reference(min, "min")), args=length, keywords=[])
            items = [gast.Subscript(value=a, slice=name_node(k), ctx=gast.Load())
                     for a in args]
            if builtin is enumerate:
                items = [name_node(k)] + items
            return gast.ListComp(elt=gast.Tuple(elts=items, ctx=gast.Load()),
                                 generators=[gast.comprehension(
                                     target=name_node(k, gast.Store()),
                                     iter=gast.Call(func=name_node(
                                         self.namer.reference(range, "range")), args=[count],
                                         keywords=[]), ifs=[], is_async=0)])
        if builtin is getattr and len(args) == 2 and not starred and not keywords:
            name = args[1] if not self.is_active(args[1]) else self.checked_index(
                args[1], "the name given to getattr")  # (for name in p._fields: text)
            return ad("field", args[0], name)  # getattr(p, name): p.w with w chosen
        if builtin is reversed and len(args) == 1 and not keywords:
            return gast.Subscript(value=args[0], slice=gast.Slice(
                lower=None, upper=None, step=gast.Constant(value=-1, kind=None)),
                ctx=gast.Load())
        if builtin is dict and len(args) == 1 and not starred and not keywords and \
                isinstance(args[0], gast.Call) and isinstance(args[0].func, gast.Name) and \
                self.parsed.resolve(args[0].func) is zip and len(args[0].args) == 2 and \
                not args[0].keywords:
            # dict(zip(keys, values)) as {k: v for k, v in zip(keys, values)}
            key, value = self.namer.fresh("key"), self.namer.fresh("value")
            return gast.DictComp(key=name_node(key), value=name_node(value), generators=[
                gast.comprehension(target=gast.Tuple(elts=[
                    name_node(key, gast.Store()), name_node(value, gast.Store())],
                    ctx=gast.Store()), iter=args[0], ifs=[], is_async=0)])
        # (each keyword as written: dict(**S) unpacks S, a key None in gast's Dict, and
        # two ** splats must not fold into one)
        entries = gast.Dict(keys=[None if k.arg is None else gast.Constant(value=k.arg,
                                                                            kind=None)
                                  for k in call.keywords],
                            values=[k.value for k in call.keywords])
        if builtin is dict and len(args) == 1 and not starred:
            # dict(p), dict(p, k=v): a new dict (of dicts only; pairs are refused when
            # the call runs)
            return ad("merged", args[0], entries)
        if builtin is dict and not args and keywords:
            return entries
        return None

    def iterable_once(self, iterable: gast.expr) -> gast.expr:
        """``iterable`` as a name bound before (a name or constant as it is), read by
        position: an iterator Python's builtins make (``reversed(c)``, ``map``,
        ``filter``, a generator) as a list of its items; a dict as its keys."""
        if isinstance(iterable, gast.Name) and (iterable.id in self.dicts or
                                                self.surely_a_dict(iterable.id)):
            return self.hoist(gast.copy_location(gast.Call(
                func=name_node(self.namer.reference(list, "list")), args=[iterable],
                keywords=[]), iterable), f"{iterable.id}_keys")
        if isinstance(iterable, (gast.Name, gast.Constant)):
            return iterable
        lazy = isinstance(iterable, gast.GeneratorExp) or isinstance(
            iterable, gast.Call) and isinstance(iterable.func, gast.Name) and \
            self.parsed.resolve(iterable.func) in (reversed, map, filter, zip, enumerate, iter)
        if lazy and not self.is_active(iterable):
            iterable = gast.copy_location(gast.Call(
                func=name_node(self.namer.reference(list, "list")), args=[iterable],
                keywords=[]), iterable)
        return self.atom(iterable) if self.is_active(iterable) else \
            self.hoist(iterable, "items")

    def array_method_call(self, call: gast.Call, keywords: dict) -> tuple:
        """``x.sum(axis=1)`` on a differentiated array: the NumPy function's rule."""
        func = call.func
        primitive = numpy_rules.METHODS.get(func.attr)
        made = self.parsed.resolve(func.value.func) if isinstance(func.value, gast.Call) \
            else None
        if (primitive is None or registry.lookup(primitive) is None) and \
                isinstance(made, type) and is_user_function(getattr(made, "__init__", None)):
            # Normal(mu, s).log_prob(x): the object made is refused, as on a line of its own
            label = gast.unparse(func.value.func).strip()
            raise self.error(call, f"{label}(...) makes an object of your class from a "
                                   f"differentiated value (at {self.parsed.where(call)}), "
                                   "which grad does not follow: its attributes would carry "
                                   "the gradient. Make the object from constants and pass "
                                   "the differentiated value to its methods, or write a "
                                   f"function of both (def {func.attr}(v, ...): ...)",
                             NoRuleError)
        if (primitive is None or registry.lookup(primitive) is None) and made is not None \
                and not isinstance(made, type) and callable(made) and \
                not is_user_function(made) and registry.lookup(made) is None and \
                not registry.is_nondifferentiable(made) and \
                not str(getattr(made, "__module__", "")).startswith(("numpy", "builtins")):
            # Rotation.from_rotvec(rv).as_matrix(): the call making the object has no rule
            label = gast.unparse(func.value.func).strip()
            raise self.error(call, f"no derivative rule for {label} (called on a "
                                   f"differentiated value at {self.parsed.where(call)}, "
                                   f"then .{func.attr}() of what it returns); register one "
                                   "with autograd_src.extend.defvjp, or write the "
                                   "computation with NumPy", NoRuleError)
        if primitive is None or registry.lookup(primitive) is None:
            owner = gast.unparse(func.value).strip()
            hint = f"call it on a line of its own (v = {owner}.{func.attr}(...)) and use v" \
                if func.attr in ("pop", "popitem", "setdefault") else \
                "call the NumPy function, or index the list or dict"
            if func.attr == "pop" and isinstance(func.value, gast.Subscript) and \
                    not call.args and not call.keywords:
                # (groups['a'].pop() on a line of its own already: an item's list)
                hint = f"read the item and keep the rest (v = {owner}[-1], then {owner} " \
                       f"= {owner}[:-1])"
            if func.attr in ("_asdict", "_replace", "_make"):  # (a namedtuple's)
                hint = f"read its fields ({owner}.name, or getattr({owner}, name) for " \
                       f"name in {owner}._fields) and build the new value from them"
            elif not hasattr(np.ndarray, func.attr) and not hasattr(list, func.attr) and \
                    not hasattr(dict, func.attr):
                # (m.predict(v) with m an object differentiated: not a container grad
                # takes, an array, list or dict has no such method)
                raise self.error(call, f"{owner}.{func.attr}() is called on {owner}, which "
                                       "carries gradient: grad differentiates floats, float "
                                       "arrays and lists, tuples, namedtuples and dicts of "
                                       "them, not an object of your class through its "
                                       f"methods; pass the arrays {owner}.{func.attr}() uses "
                                       "(a dict of them) as the argument differentiated, and "
                                       "compute with them in a function of yours",
                                 NoRuleError)
            raise self.error(call, f"the method .{func.attr}() of a differentiated value (an "
                                   f"array, list or dict) has no derivative rule here; {hint}",
                             NoRuleError)
        args = list(call.args)
        if func.attr in numpy_rules.VARARG_METHODS and len(args) > 1:
            args = [gast.Tuple(elts=args, ctx=gast.Load())]

        def rebuild(atoms: list, kw: dict) -> gast.Call:
            method = gast.Attribute(value=atoms[0], attr=func.attr, ctx=gast.Load())
            rest = atoms[1:]
            if func.attr in numpy_rules.VARARG_METHODS and len(call.args) > 1 and \
                    isinstance(rest[0], gast.Tuple):
                rest = list(rest[0].elts)  # (a name for the tuple: x.reshape(shape))
            return gast.Call(func=method, args=rest, keywords=keywords_of(kw))

        return self.bind(call, primitive, [func.value] + args, keywords, rebuild,
                         display=f".{func.attr}()")

    def no_read_back_of_what_it_logged(self, call: gast.Call, fn: Any,
                                       derivative: Any) -> None:
        """Refuse ``m.loss(x)`` whose method logs numbers computed from differentiated
        values into ``self.log`` where this function reads ``m.log`` too: they carry no
        gradient here (run as written), where the value they stand for does."""
        logged = getattr(derivative, "__autograd_src_logged__", ())
        if not logged:
            return
        try:
            params = parameters(fn)[0]
        except Exception:  # noqa: BLE001 - not a plain function: nothing to map
            return
        given = list(call.args)
        if isinstance(call.func, gast.Attribute) and (
                params[:1] == ["self"] or len(params) == len(given) + len(call.keywords) + 1):
            given = [call.func.value] + given  # (a method's self: the object called on)
        passed = dict(zip(params, given))
        passed.update({k.arg: k.value for k in call.keywords if k.arg})
        for param, attr in logged:
            owner = passed.get(param)
            if not isinstance(owner, gast.Name):
                continue
            reads = [n for n in walk(self.parsed.node) if isinstance(n, gast.Attribute)
                     and n.attr == attr and isinstance(n.value, gast.Name)
                     and n.value.id == owner.id and isinstance(n.ctx, gast.Load)]
            if reads:
                raise self.error(reads[0], f"{owner.id}.{attr} is read here, and "
                                           f"{fn.__name__}() logs into it numbers computed "
                                           "from differentiated values, which grad runs as "
                                           "written (they carry no gradient): the gradient "
                                           f"through {owner.id}.{attr} would be lost. "
                                           f"Return the value from {fn.__name__}() and use "
                                           "it here", NoRuleError)

    def unresolved(self, call: gast.Call) -> Exception:
        """The error for a call of a function that cannot be known before it runs."""
        func = call.func
        subject = func.value if isinstance(func, gast.Attribute) else None
        known = self.parsed.resolve(subject) if subject is not None else UNRESOLVED
        if isinstance(known, InstanceOf) and issubclass(
                known.cls, (np.random.Generator, np.random.RandomState)):
            return self.error(call, _draw_refusal(f"{gast.unparse(func)}",
                                                  self.parsed.where(call)), NoRuleError)
        if isinstance(known, InstanceOf) and issubclass(known.cls, (dict, list)) and \
                hasattr(known.cls, func.attr):
            from .statements import _in_place_advice
            return self.error(call, f"{gast.unparse(func).strip()}() of a "
                                    f"{known.cls.__name__} with differentiated values is not "
                                    "followed here: "
                                    f"{_in_place_advice(gast.unparse(subject).strip(), func.attr)}",
                              NoRuleError)
        if isinstance(known, InstanceOf):
            return self.error(call, f"{gast.unparse(func)} is not a method defined on "
                                    f"{known.cls.__name__}; plain methods and static "
                                    "methods are followed, while a function stored on "
                                    "the instance, a classmethod or a property called "
                                    "through it cannot be known before the call runs: "
                                    "call a module-level function", NoRuleError)
        if isinstance(subject, gast.Name) and subject.id in self.parsed.params and \
                subject.id not in self.parsed.reassigned:
            error = self.error(call, f"cannot tell which function {gast.unparse(func)} "
                                     f"is before the class of {subject.id} is known",
                               NoRuleError)
            return UnresolvedMethodError(subject.id, error.msg, error.filename, error.lineno,
                                         (error.offset or 1) - 1, error.text)
        if self.is_active(func):
            return self.error(call, f"{gast.unparse(func)} is a function made from a "
                                    "differentiated value (a closure), which grad cannot "
                                    "follow: make it a function that takes that value "
                                    "as an argument", NoRuleError)
        if isinstance(func, gast.Name) and func.id in self.parsed.params:
            return self.error(call, f"{func.id} is an argument, and grad cannot tell which "
                                    "function it is before the call runs: call a method of "
                                    f"it ({func.id}.forward(...)) or a module-level function",
                              NoRuleError)
        if isinstance(func, gast.Call):  # np.vectorize(f)(x), make(a)(x)
            made_by = self.parsed.resolve(func.func)
            advice = ("write the computation with array operations, or call a function "
                      "defined in the module (in a loop over items if need be)")
            if getattr(made_by, "__name__", "") in ("grad", "value_and_grad") and \
                    (getattr(made_by, "__module__", None) or "").startswith("autograd_src"):
                advice = ("make it once outside, of a function defined in the module with "
                          f"constant options (d = {gast.unparse(func).strip()} at module "
                          "level), and call d(...) here")
            elif (getattr(made_by, "__module__", None) or "").startswith("autograd_src"):
                advice = ("grad follows, inside a function it differentiates, only the "
                          "derivatives made by grad and value_and_grad (made once, at "
                          "module level); write what it computes with grad (a row of a "
                          "Jacobian is grad of one output), or compute it outside")
            return self.error(call, f"{gast.unparse(func).strip()}(...) calls the function "
                                    f"that {gast.unparse(func).strip()} returns, which grad "
                                    f"cannot follow: {advice}", NoRuleError)
        if isinstance(func, gast.Name) and func.id == self.parsed.node.name and \
                func.id not in self.parsed.globals:
            # (a def inside the function differentiated, calling itself by its name)
            return self.error(call, f"{func.id}() is defined inside the function "
                                    "differentiated and calls itself, which grad does not "
                                    f"follow: define {func.id}() at module level (a "
                                    "recursive module-level function is followed)",
                              NoRuleError)
        if isinstance(func, gast.Name) and func.id not in self.parsed.locals and \
                func.id not in self.parsed.closure and func.id not in self.parsed.globals \
                and not hasattr(builtins, func.id) and not any(
                    isinstance(n, gast.Name) and n.id == func.id and
                    isinstance(n.ctx, gast.Store) for n in walk(self.parsed.node)):
            # (defined after grad(f) ran, as Python allows: grad makes it at the call)
            error = self.error(call, f"{func.id}() is not defined: define it before the "
                                     "derivative's first call (grad reads the functions "
                                     "a function calls when it makes the derivative)",
                               NoRuleError)
            return UndefinedFunctionError(func.id, error.msg, error.filename, error.lineno,
                                          (error.offset or 1) - 1, error.text)
        hint = ("; for a method, differentiate the bound method (grad(obj.loss)), "
                "whose self.method() calls are known" if isinstance(func, gast.Attribute)
                else "")
        return self.error(call, f"cannot tell which function {gast.unparse(func)} is "
                                "before the call runs (it is a local variable or "
                                f"undefined); call a module-level function{hint}",
                          NoRuleError)

    def user_method_call(self, call: gast.Call, primitive: Any, function: Any,
                         owner: Any) -> tuple:
        """``obj.method(x)``: the function under the method, with ``obj`` passed first,
        so the derivative reads like the method's own def."""
        func = call.func
        as_function = gast.copy_location(gast.Call(
            func=func, args=[func.value] + list(call.args), keywords=call.keywords), call)

        def rebuild_method(atoms: list, kw: dict) -> gast.Call:
            method = gast.Attribute(value=atoms[0], attr=func.attr, ctx=gast.Load())
            return gast.Call(func=method, args=atoms[1:], keywords=keywords_of(kw))

        result = self.helper_call(as_function, function, rebuild_method, owner)
        if isinstance(owner, InstanceOf) and isinstance(primitive, types.MethodType):
            owner.watched_on(primitive.__self__)
            hidden = owner.hidden_by(primitive.__self__)
            if hidden:
                raise self.error(call, f"the attribute {hidden} of "
                                       f"{gast.unparse(func.value)} hides a method of its "
                                       "class; rename one of them")
        return result

    def dynamic_method_call(self, call: gast.Call) -> tuple:
        """``layer.forward(h)`` with ``layer`` an object whose class is known only when
        the code runs (an item of a list of layers): the method's derivative is made
        then, for its class, and called like a helper's, the object passed first."""
        func = call.func
        as_function = gast.copy_location(gast.Call(
            func=func, args=[func.value] + list(call.args), keywords=call.keywords), call)
        # layer(h) is named after the object, layer.forward(h) after the method
        label = func.value.id if func.attr == "__call__" and isinstance(
            func.value, gast.Name) else func.attr
        atoms, keywords, positions = self.derivative_operands(as_function, label)
        derivative = self.derive.method(func.attr, positions, self.parsed.where(call))
        derivative.__name__ = self.namer.fresh(f"d{label}")
        self.dynamic_calls.append(derivative)
        rule, bound, inputs = self.derivative_call(None, derivative, atoms, keywords, label)
        rule.helper_layout = [(k, None) for k in range(len(positions))]
        method = atoms[0] if func.attr == "__call__" else \
            gast.Attribute(value=atoms[0], attr=func.attr, ctx=gast.Load())
        return rule, gast.Call(func=method, args=atoms[1:], keywords=keywords_of(keywords)), \
            bound, inputs

    def sequence_input(self, value: Any, label: str, replaced: dict) -> tuple[Any, Any]:
        """The atoms of a rule input that is a sequence (``np.stack([a, b])``): what to
        bind, and the input's entry (a list of active names, or a list variable's)."""
        elements = list(value) if isinstance(value, tuple) else value
        if isinstance(elements, (gast.List, gast.Tuple)):
            elements = elements.elts
        if not isinstance(elements, list):
            if (isinstance(elements, (gast.ListComp, gast.GeneratorExp)) or (
                    not isinstance(elements, gast.Name)
                    and self.holds_sequence(elements))) and self.is_active(elements):
                elements = self.atom(elements)  # np.hstack(args + (x,)): a list first
                replaced[id(value)] = elements
            if self.is_active(elements) and not (
                    isinstance(elements, gast.Name) and (elements.id in self.lists
                                                         or elements.id in self.opaque)):
                # np.vstack(a) of an array (or a tuple variable) stacks its items: the
                # same as of list(a), whose rule splits the gradient into the rows
                elements = self.atom(gast.copy_location(gast.Call(
                    func=name_node(self.namer.builtin("list")), args=[elements], keywords=[]),
                    elements))
                replaced[id(value)] = elements
            return elements, self._active_name(elements)
        atoms = [self.atom(e) for e in elements]
        atoms = [a if self.is_active(a) else self.hoist(a, describe(a)) for a in atoms]
        replaced.update({id(e): a for e, a in zip(elements, atoms)})
        return gast.Tuple(elts=atoms, ctx=gast.Load()), [self._active_name(a) for a in atoms]

    def array_input(self, value: Any, index: int, param: str, rule: Rule, primitive: Any,
                    label: str) -> gast.expr:
        """The atom of a rule input that is one array."""
        if self.is_active(value) and (self.holds_sequence(value) or self.given_sequence(value)) \
                and _takes_arrays(primitive):
            # np.sum([x, y]), np.sum(ws) for a list ws: NumPy makes an array of the list;
            # so does the code, by a call of its own, whose rule splits the gradient into
            # the items (the rules' helpers take arrays, not lists).
            np_name = self.namer.reference(numpy_rules.np, "np")
            value = gast.Call(func=gast.Attribute(value=name_node(np_name), attr="array",
                                                  ctx=gast.Load()),
                              args=[value], keywords=[])
        atom = self.atom(value)
        if rule.exprs is not None and rule.exprs[index] is None and self.is_active(atom):
            hint = ": write the subscripts as a string, np.einsum('ij->ji', x)" \
                if primitive is numpy_rules.np.einsum else ""
            raise self.error(value, f"the argument {param!r} of {label} gets no "
                                    "gradient from its derivative rule, but this one "
                                    f"carries a gradient{hint}", NoRuleError)
        if not self.is_active(atom):
            # Adjoints of the other inputs read this one: compute it once.
            atom = self.hoist(atom, describe(atom))
        return atom

    def given_sequence(self, expr: gast.expr) -> bool:
        """Whether ``expr`` is (a slice of) a parameter this code's calls pass a list or
        tuple for (a name rebound to an array since costs one copy)."""
        while isinstance(expr, gast.Subscript) and isinstance(expr.slice, gast.Slice):
            expr = expr.value
        return isinstance(expr, gast.Name) and expr.id in self.sequences_given

    def method_of(self, func: gast.expr, primitive: Any) -> tuple[Any, Any]:
        """For ``obj.method``: the function under it, and what its first parameter is
        known to be (a class, or `InstanceOf` one); ``(None, None)`` otherwise."""
        if not isinstance(func, gast.Attribute):
            return None, None
        if isinstance(primitive, MethodOf):  # self.method inside a differentiated method
            return primitive.function, self.parsed.resolve(func.value)
        if isinstance(primitive, types.MethodType) and is_user_function(primitive) and \
                registry.lookup(primitive) is None and \
                self.parsed.resolve(func.value) is primitive.__self__:
            owner = primitive.__self__  # a module-level object, or a class (classmethod)
            return primitive.__func__, owner if isinstance(owner, type) else \
                InstanceOf.of(owner)
        return None, None

    def derivative_operands(self, call: gast.Call, label: str) -> tuple[list, dict, list]:
        """Atoms for a call whose derivative is a generated function: (args, keywords, positions).

        Differentiated values must come by position; every other operand is
        bound to a name, since the derivative is called with the same operands.
        """
        splat = next((k for k in call.keywords if k.arg is None), None)
        if splat is not None and any(self.is_active(k.value) for k in call.keywords):
            # (the keyword-only forms are read for calls naming every keyword)
            raise self.error(call, f"{label}() is given keywords unpacked from a dict "
                                   "(**) beside a differentiated value, which grad cannot "
                                   "match to its parameters: pass those keywords by name")
        for keyword in call.keywords:
            if self.is_active(keyword.value):
                what = "a ** of a dict" if keyword.arg is None else f"{keyword.arg}="
                raise self.error(keyword.value, f"a differentiated value passed to {label}() "
                                                f"by {what}, into a keyword-only parameter or "
                                                "**kwargs: grad follows that for a helper "
                                                "defined in this module, called by its "
                                                "plain name, that takes no *args and keeps "
                                                "no state of its own (a closure); otherwise "
                                                "name the parameter before any * in the def "
                                                "and pass the value by position")
        for value in list(call.args) + [k.value for k in call.keywords]:
            if isinstance(value, gast.Name) and value.id in self.closures and \
                    self._reads_active_function(value):
                raise self.error(value, f"{value.id}, a function made by a factory from "
                                        f"differentiated values, is passed to {label}(): grad "
                                        "cannot follow its gradient into a helper; call "
                                        f"{value.id} here and pass {label}() its result, or "
                                        "pass the differentiated values themselves")
            if isinstance(value, gast.Lambda) and any(
                    d is not None and self.is_active(d)
                    for d in value.args.defaults + value.args.kw_defaults):
                raise self.error(value, f"this lambda's default reads a differentiated value "
                                        f"(lambda y, k=k: ...), which grad cannot follow "
                                        f"into {label}(): read it as a closure instead "
                                        "(lambda y: -k * y), where it does not change after "
                                        "the lambda is made")
            if self._reads_active_function(value) or (
                    isinstance(value, gast.Lambda) and self.is_active(value)):
                reads = ", ".join(sorted(self.captured_active(value.id))) \
                    if isinstance(value, gast.Name) else "differentiated values"
                what = value.id if isinstance(value, gast.Name) else "this lambda"
                helper = self.parsed.resolve(call.func)
                fix = f"define {label} in this module and call it by its plain name (grad " \
                    "then copies it in, specialised to this function)"
                if is_user_function(helper) and getattr(helper, "__globals__", None) is \
                        self.parsed.globals and isinstance(call.func, gast.Name):
                    code = helper.__code__
                    splats = code.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS)
                    why = "takes **kwargs, or *args given values by keyword or by a " \
                        "splat" if splats else "calls itself, has a closure, or reads a " \
                        "global this function assigns"
                    fix = f"{label}() is not copied in, specialised to this function, as " \
                        f"helpers given a function are: it {why}. Write it as a loop"
                raise self.error(value, f"{what} reads {reads} and is passed to "
                                        f"{label}(), whose derivative grad generates for the "
                                        "arrays and numbers it is given, not for a function: "
                                        f"{fix}, or pass {reads} to it as arguments")
        starred = [k for k, a in enumerate(call.args) if isinstance(a, gast.Starred)]
        if starred and any(self.is_active(a) for a in call.args[starred[0]:]):
            raise self.error(call, f"a differentiated value passed to {label}() after a "
                                   "*args: its position is known only when the code runs; "
                                   "pass the differentiated values first")
        atoms = [gast.Starred(value=self.hoist(a.value, "rest"), ctx=gast.Load())
                 if isinstance(a, gast.Starred) else self.atom(a) for a in call.args]
        atoms = [a if self.is_active(a) or isinstance(a, gast.Starred)
                 else self.hoist(a, describe(a)) for a in atoms]
        # (A ** of constants keeps its key None: it is passed on as **kwargs.)
        keywords = {k.arg: self.hoist(k.value, k.arg or "kwargs") for k in call.keywords}
        positions = [i for i, a in enumerate(atoms) if self._active_name(a)]
        return atoms, keywords, positions

    def derivative_call(self, primitive: Any, derivative: Any, atoms: list,
                        keywords: dict, label: str) -> tuple[Rule, dict, list]:
        """The rule, bindings and inputs of a call to a function whose derivative is
        generated: the primal calls ``derivative`` instead, which returns the value and
        a backward function (bound to ``back``, a name of its own), and the adjoint
        calls that: the function runs once."""
        params = tuple(f"arg{i}" for i in range(len(atoms)))
        rule = registry.Rule(primitive=primitive, vjp=derivative, broadcasting=False,
                             sequence=None, signature=inspect.Signature(), params=params,
                             n_inputs=len(atoms), exprs=None)
        rule.helper_keywords = keywords
        # (its value is surely a number where its derivative, made for the numbers it is
        # given here, knows so: the caller's adjoints then read no shape of it)
        rule.gives_number = getattr(derivative, "__autograd_src_gives_number__", False)
        bound = dict(zip(params, atoms))
        bound["back"] = name_node(self.namer.fresh(f"{label}_back"))
        unread = getattr(derivative, "__autograd_src_unread__", frozenset())
        code = getattr(derivative, "__code__", None)
        direct = getattr(derivative, "__autograd_src_read_directly__", None)
        names = code.co_varnames[:code.co_argcount] if code is not None else ()
        for i, atom in enumerate(atoms):  # (objects its backward reads as it runs)
            if isinstance(atom, gast.Name) and (direct is None or i >= len(names) or
                                                names[i] in direct):
                self.read_as_it_runs.add(atom.id)
        if unread and code is not None:  # (never read by its backward: changed in place
            # after the call, stats['nfev'] += 1, nothing it reads changes; HB F2)
            rule.copied_operands = {f"arg{i}" for i, name in enumerate(names[:len(atoms)])
                                    if name in unread}
        return rule, bound, [self._active_name(a) for a in atoms]

    def by_position(self, call: gast.Call, names: list, positional: int,
                    default: Any) -> gast.Call:
        """``call`` with its differentiated keyword arguments moved to their positions
        (``mix(u=x, v=a)`` is ``mix(x, a)``), the parameters skipped before them given
        their defaults (``default(name)``: an expression, or None when it has none).

        The derivative of a helper is generated for differentiated values at given
        positions; where they come by keyword is the caller's choice, not the helper's.
        """
        moved = {k.arg: k.value for k in call.keywords
                 if k.arg in names[:positional] and self.is_active(k.value)}
        if not moved:
            return call
        last = max(names.index(n) for n in moved)
        given = {k.arg: k.value for k in call.keywords}
        args = list(call.args)
        for position in range(len(args), last + 1):
            name = names[position]
            value = given.get(name)
            if value is None:
                value = default(name)
                if value is None:
                    raise self.error(call, f"{gast.unparse(call.func).strip()}() is missing "
                                           f"its argument {name!r}")
            args.append(value)
        keywords = [k for k in call.keywords if k.arg not in names[:last + 1]]
        return gast.copy_location(gast.Call(func=call.func, args=args, keywords=keywords),
                                  call)

    def function_default(self, fn: Any) -> Any:
        """The default of a parameter of ``fn`` as an expression generated code can read."""
        names, positional = parameters(fn)
        defaults = fn.__defaults__ or ()
        first = positional - len(defaults)

        def default(name: str) -> Optional[gast.expr]:
            position = names.index(name)
            if position < first:
                return None
            value = defaults[position - first]
            if value is None or isinstance(value, (bool, int, float, str)):
                return gast.Constant(value=value, kind=None)
            return name_node(self.namer.reference(value, f"{name}_default"))

        return default

    def helper_call(self, call: gast.Call, fn: Any, rebuild: Any, owner: Any = None) -> tuple:
        """A call to the user's own function: its derivative is generated as a function too.

        ``owner`` is what a method's first parameter is known to be.
        """
        wrapped = getattr(fn, "fun", None)
        if getattr(fn, "__module__", None) == "autograd.tracer" and wrapped is not None:
            # a HIPS autograd primitive whose NumPy or SciPy function has no rule here
            # (its wrapper's own code is HIPS's tracing machinery, not the function)
            name = getattr(wrapped, "__qualname__", None) or repr(wrapped)
            what = f"{getattr(wrapped, '__module__', None) or ''}.{name}".lstrip(".")
            raise self.error(call, f"{gast.unparse(call.func).strip()} is HIPS autograd's "
                                   f"wrapper of {what}, which has no derivative rule in "
                                   "autograd_src: register one for it with "
                                   "autograd_src.extend.defvjp, or write the computation "
                                   "with NumPy functions", NoRuleError)
        module = getattr(fn, "__module__", None) or ""
        if module.split(".")[0] == "autograd" and wrapped is None:
            # HIPS autograd's own function (autograd.misc.flatten), written with its
            # tracing machinery (make_vjp, vspace), which is not the computation
            what = f"{module}.{getattr(fn, '__qualname__', fn.__name__)}"
            raise self.error(call, f"{gast.unparse(call.func).strip()} is HIPS autograd's "
                                   f"{what}, written with its own tracing machinery, which "
                                   "grad does not follow: write the computation with NumPy "
                                   "(for flatten: np.concatenate([np.ravel(p) for p in "
                                   "leaves]))", NoRuleError)
        # (parameters whose arrays the caller gives the helper to change: read no more;
        # found already where the call is a statement's value, in its checks)
        given = getattr(call, "given_away", None)
        if given is None:
            given = self.given_away_to(call, fn) if isinstance(call.func, gast.Name) \
                else frozenset()
        if call.keywords:
            names, positional = parameters(fn)
            call = self.by_position(call, names, positional, self.function_default(fn))
        names = parameters(fn)[0]
        from ..mutation import _definition
        from . import (
            _helper_resolver,
            augmented_only,
            given_whole_to_writers,
            written_before_rebound,
            written_through_aliases,
        )
        node = _definition(fn)
        if node:  # (its own writes, and those of the helpers it passes them to whole)
            resolve = _helper_resolver(fn)
            ours = getattr(getattr(fn, "__code__", None), "co_filename", "").startswith(
                "<autograd_src")  # (grad's own code, differentiated again: its writes
            # into its adjoints are its own)
            # (q = p; q += 1.0: p is written where it holds an array, as p += v is)
            aliased = frozenset() if ours else written_through_aliases(node, resolve)
            nested = frozenset() if ours else given_whole_to_writers(node, resolve)
            # (what it writes through another name or helper is checked as the call
            # runs, as p += v is: inner(p) doing p += v leaves a number as it was)
            self.no_write_seen_by_adjoints(
                call, names, set(written_before_rebound(node)) | aliased | nested,
                augmented_only(node, resolve) | aliased | nested, fn.__name__)
            if not ours:
                self.no_write_through_an_item(call, fn, fn.__name__)
        bindings = {}  # functions passed in: the helper's derivative is specialised to them
        objects = {}  # objects of the user's classes passed in (helper(model, x)): alike
        for name, arg in list(zip(names, call.args)) + [(k.arg, k.value) for k in call.keywords]:
            target = self.parsed.resolve(arg)
            if (callable(target) and not isinstance(target, type) and target is not UNRESOLVED) \
                    or isinstance(target, InstanceOf):
                bindings[name] = target
            elif _object_of_a_users_class(target) and name is not None:
                bindings[name] = InstanceOf.of(target)
                objects[name] = (bindings[name], target)
        passed = set(names[:len(call.args)]) | {k.arg for k in call.keywords}
        own_kwargs = self.parsed.node.args.kwarg
        if own_kwargs is not None and any(
                k.arg is None and isinstance(k.value, gast.Name) and
                k.value.id == own_kwargs.id for k in call.keywords):
            # fn(*args, **kwargs) in a wrapper this call's derivative was made for
            # (energy(x, act=np.sin) through a decorator): the functions its caller
            # passed by keyword, which the wrapper's derivative was specialised to
            for name, value in self.parsed.bound.items():
                if isinstance(name, str) and name.isidentifier() and name in names and \
                        name not in self.parsed.params and name not in passed:
                    bindings[name] = value
        defaults = dict(zip(names[parameters(fn)[1] - len(fn.__defaults__ or ()):],
                            fn.__defaults__ or ()))
        defaults.update(fn.__kwdefaults__ or {})
        assumed = {}  # defaults the derivative is made for that **kwargs could replace
        for name, value in defaults.items():  # act=np.tanh left out: the helper calls tanh
            if name not in passed and name not in bindings and (callable(value) and
                                                                not isinstance(value, type)
                                                                or value is None and
                                                                None not in passed):
                # (state=None left out: the helper's dict is its own, `_defaults_left_none`)
                bindings[name] = value
                assumed[name] = value
        if None in passed and assumed:
            call = self.kwargs_checked(call, fn.__name__, assumed)
        if owner is not None and not parameters(fn)[1]:
            raise self.error(call, f"{gast.unparse(call.func).strip()}() runs "
                                   f"{fn.__qualname__}(), which takes the object through "
                                   "*args (the wrapper of a decorator, say): grad follows a "
                                   "method whose first parameter names the object. Apply "
                                   "the decorator's effect in the method itself, or call "
                                   "a function of yours", NoRuleError)
        atoms, keywords, positions = self.derivative_operands(call, fn.__name__)
        if owner is not None:
            bindings[names[0]] = owner
            objects.pop(names[0], None)  # (a method's object: checked by its caller)
        # The pipeline differentiates the helper (it is handed to the normalizer).
        # (the dicts it is given: for k in d, max(d, key=...) read their keys there)
        dicts = frozenset(name for name, arg in list(zip(names, call.args)) +
                          [(k.arg, k.value) for k in call.keywords]
                          if name is not None and (isinstance(arg, (gast.Dict, gast.DictComp))
                                                   or isinstance(arg, gast.Name) and (
                              arg.id in self.dicts or self.surely_a_dict(arg.id))))
        # (the parameters given numbers here: the helper's derivative is made for them,
        # without the shape bookkeeping of broadcasting, as the caller's own code is)
        positional = parameters(fn)[1]
        numbers = frozenset(name for name, arg in zip(names[:positional], call.args)
                            if not isinstance(arg, gast.Starred) and self.is_scalar_value(arg))
        arrays = frozenset(name for name, arg in zip(names[:positional], call.args)
                           if isinstance(arg, gast.Name) and self.surely_given_an_array(arg.id))
        for made in set(self.tuples_returned(call) or ()):  # (st = make(a): GX 05)
            self.no_field_read_where_not_followed(made, call)
        # (the namedtuples it is given: p.shape there is a field, GX 01)
        tuples = frozenset(name for name, arg in list(zip(names[:positional], call.args)) +
                           [(k.arg, k.value) for k in call.keywords]
                           if name is not None and self.holds_a_tuple(arg))
        derivative, source, layout = self.derive.helper(fn, positions, call, self.parsed,
                                                        bindings, given, dicts, numbers,
                                                        arrays, tuples)
        for owner, expr, text, helper in getattr(derivative, "__autograd_src_state_arrays__",
                                                 ()):
            # (what its backward reads of module state, by reference: see `Normalized`)
            array = held_value(owner, expr)
            if isinstance(array, np.ndarray):
                read = (owner, expr, text, helper or fn.__name__)
                self.helper_state_reads.append(read)
                self.helper_state_arrays.setdefault(id(array), (array, text, read[3]))
        for name, (marker, obj) in objects.items():
            marker.watched_on(obj)
            hidden = marker.hidden_by(obj)  # (the class's methods were followed)
            if hidden:
                raise self.error(call, f"the attribute {hidden} of the object given to "
                                       f"{fn.__name__}() as {name} hides a method of its "
                                       "class; rename one of them")
        self.no_read_back_of_what_it_logged(call, fn, derivative)
        self.no_operator_given_to_a_helper(call, fn, derivative)
        if source:
            # shown under the name this code calls it by (a second derivative of the
            # same helper, along other arguments, is jvp_h_2)
            called = self.namer.reference(derivative, derivative.__name__)
            if called != derivative.__name__:  # (and its recursive calls)
                source = re.sub(rf"\b{re.escape(derivative.__name__)}\(", f"{called}(",
                                source)
            self.namer.helper_sources.setdefault(source, None)
        rule, bound, inputs = self.derivative_call(fn, derivative, atoms, keywords,
                                                   fn.__name__)
        rule.helper_layout = layout
        return rule, rebuild(atoms, keywords), bound, inputs

    def surely_given_an_array(self, name: str) -> bool:
        """Whether ``name``, given to a helper, surely holds a NumPy array
        (`array_argument`)."""
        return self.array_argument(name)

    def no_write_seen_by_adjoints(self, call: gast.Call, params: list, written: Any,
                                  augmented: frozenset, label: str,
                                  shown: Optional[dict] = None) -> None:
        """Refuse a call of a function of yours that writes in place (``s[0] = 1.0``) into
        an array given by name that the derivative of an earlier line reads (``t =
        np.sum(h * s)`` before ``helper(h, s)``): it would read the new values. Where it
        only does ``s += 1.0`` (``augmented``), which binds a number anew, the check is
        made as the call runs, for an array."""
        from .statements import _through_views as through_views
        for param, argument in list(zip(params, call.args)) + \
                [(k.arg, k.value) for k in call.keywords]:
            if param not in written:
                continue
            if not isinstance(argument, gast.Name):
                # a view of an array given (h(x, a[:]), h(x, a.reshape(-1))): written
                # into through it (not an item by integers, maybe a number, for p += v)
                sliced = isinstance(argument, gast.Subscript) and any(
                    isinstance(n, gast.Slice) for n in walk(argument.slice))
                # (in a loop, the same part each pass: the derivative of this call on
                # the pass before reads what this pass writes)
                again = self.same_part_each_pass(argument)
                if isinstance(argument, gast.Subscript) and (param not in augmented or
                                                             sliced) or \
                        isinstance(argument, gast.Call) and \
                        through_views(argument) is not argument:
                    from . import _viewed_root
                    root = _viewed_root(argument, self.parsed.resolve)
                    if again or root is not None and self.item_seen_by_adjoints(root):
                        given = gast.unparse(argument).strip()
                        raise self.error(self.origin, (
                            f"{label}() writes into its parameter "
                            f"{(shown or {}).get(param, param)}, given {given}" + (
                                " in a loop: the derivative of the call on the pass "
                                "before reads what this pass writes" if again else
                                f", which the derivative of an earlier line reads (a "
                                f"view of {root})") + f". Pass a copy ({given}.copy()), "
                            f"or have {label}() return the new value"))
                    self.no_change_seen_by_adjoints(argument, self.origin)
                elif isinstance(argument, gast.Subscript) and \
                        isinstance(argument.value, gast.Name) and \
                        argument.value.id not in self.scalars and \
                        not any(isinstance(n, gast.Call) for n in walk(argument)) and (
                            again or not self.loops_around(self.origin) and (
                                self.seen_by_adjoints(argument.value.id) or
                                self.item_seen_by_adjoints(argument.value.id))):
                    # (not a[i] in a loop, another part each pass, which the passes
                    # before may have read whole: as before, unchecked)
                    # (a[0] or d['k'] given to p += v: a row or a dict's array, which
                    # NumPy updates in place, or a number, bound anew: checked as it runs)
                    self.not_updated_in_place(argument, param, label, shown)
                continue
            if param not in augmented:
                self.no_change_seen_by_adjoints(argument, self.origin)
            elif argument.id not in self.scalars and self.seen_by_adjoints(argument.id):
                self.not_updated_in_place(argument, param, label, shown)

    def same_part_each_pass(self, argument: gast.expr) -> bool:
        """Whether ``argument`` (``a['k']``, ``a[0]``, ``a.reshape(-1)``) is given
        inside a loop of this function and names the same part of its array on each
        pass: nothing it reads but the array is bound in the loop (``a[i]`` is not)."""
        spans = self.loops_around(self.origin)
        if not spans:
            return False
        first, last = min(a for a, _ in spans), max(b for _, b in spans)
        bound = {n.id for n in walk(self.parsed.node)
                 if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store) and
                 getattr(n, "lineno", None) is not None and first <= n.lineno <= last}
        root = base_name(argument) if isinstance(argument, gast.Subscript) else None
        return not any(isinstance(n, gast.Name) and n.id != root and n.id in bound
                       for n in walk(argument))

    def no_write_through_an_item(self, call: gast.Call, fn: Any, label: str) -> None:
        """``_ad.not_an_array(a[1][0], ...)`` before a call of your ``fn`` that writes
        into its parameter only through a name bound to an item (``q = p[0]; q += v``):
        of an array of more dimensions a view, whose writes grad does not follow."""
        from ..mutation import _definition
        from . import _helper_resolver, items_aliased
        node = _definition(fn)
        aliased = items_aliased(node, _helper_resolver(fn)) if node else {}
        if not aliased:
            return
        names = parameters(fn)[0]
        given = list(zip(names, call.args)) + [(k.arg, k.value) for k in call.keywords]
        # (only where a value with gradient is written, or written into: q *= 2.0 into
        # data runs as Python's, no derivative reading it)
        read_by_writes = {n.id for stmt in walk(node) if isinstance(stmt, gast.AugAssign)
                          for n in walk(stmt.value) if isinstance(n, gast.Name)}
        writes_gradient = any(self.is_active(a) for p, a in given if p in read_by_writes)
        ad = self.namer.reference(runtime, "_ad")
        for param, argument in given:
            if any(isinstance(n, (gast.Call, gast.Starred)) for n in walk(argument)):
                continue  # (evaluated once, by the call)
            from . import _viewed_root
            root = _viewed_root(argument, self.parsed.resolve)
            if not writes_gradient and not self.is_active(argument) and \
                    not self.parsed.generated and not (root is not None and (
                        self.seen_by_adjoints(root) or self.item_seen_by_adjoints(root))):
                continue  # (second order runs the write twice; an earlier derivative
                # reading the array would see it)
            for index in aliased.get(param, ()):
                where = (f"{self.parsed.where(self.origin)}: {label}() writes into "
                         f"{param}[{gast.unparse(index).strip()}] through another name, "
                         f"which here is a view of the array it is given "
                         f"({gast.unparse(argument).strip()}): grad does not follow "
                         f"writes through it. Write into {param} itself ({param}"
                         f"[{gast.unparse(index).strip()}] *= ...), or copy the item")
                check = gast.Call(func=gast.Attribute(value=name_node(ad), attr="not_an_array",
                                                      ctx=gast.Load()),
                                  args=[gast.Subscript(value=copy.deepcopy(argument),
                                                       slice=copy.deepcopy(index),
                                                       ctx=gast.Load()),
                                        gast.Constant(value=where, kind=None)], keywords=[])
                self.body.append(Primal(gast.copy_location(gast.Expr(value=check),
                                                           self.origin), self.origin, set()))

    def item_seen_by_adjoints(self, root: str) -> bool:
        """Whether an adjoint reads a name bound to a part of ``root`` (``a_part =
        a['k']``, a view or an item it may hold by reference)."""
        from ..ir import Op
        from . import _viewed_root
        if any(root in self.view_roots.get(name, ()) for name in self.read_by_adjoints):
            return True
        for step in self.body:
            if isinstance(step, Op) and step.target in self.read_by_adjoints and \
                    root in self._flat(step.inputs):
                return True
            stmt = getattr(step, "stmt", None) if isinstance(step, Primal) else None
            if isinstance(stmt, gast.Assign) and any(
                    isinstance(t, gast.Name) and t.id in self.read_by_adjoints
                    for t in stmt.targets) and \
                    _viewed_root(stmt.value, self.parsed.resolve) == root:
                return True  # (a_part = a['k'], a_view = a.reshape(-1): no gradient)
        return False

    def not_updated_in_place(self, argument: gast.expr, param: str, label: str,
                             shown: Optional[dict]) -> None:
        """``_ad.not_an_array(argument, ...)`` before the call: your ``label`` updates
        its parameter ``param`` in place (``p += v``), which for an array an earlier
        line's derivative reads would change what it reads (a number is bound anew)."""
        param = (shown or {}).get(param, param)  # (as the helper names it)
        given = gast.unparse(argument).strip()
        where = (f"{self.parsed.where(self.origin)}: {label}() updates its "
                 f"parameter {param} in place ({param} += ..., *= ...), which "
                 f"NumPy does in the array {given} holds, read by the derivative of an "
                 "earlier line: it would see the new values. Pass a copy "
                 f"({given}.copy()), or have {label}() return the new value")
        check = gast.Call(func=gast.Attribute(
            value=name_node(self.namer.reference(runtime, "_ad")),
            attr="not_an_array", ctx=gast.Load()),
            args=[copy.deepcopy(argument), gast.Constant(value=where, kind=None)], keywords=[])
        self.body.append(Primal(gast.copy_location(gast.Expr(value=check), self.origin),
                                self.origin, set()))

    def still_bound_check(self, func: gast.expr, primitive: Any, call: gast.Call) -> None:
        """Check, as the call runs, that ``func`` still holds ``primitive`` where a
        function this one calls may have rebound it since the call started (``global
        ACT; ACT = np.cos`` in a helper, ``self.act = np.cos`` in a method): the
        derivative differentiates ``primitive`` (the start of each call checks the rest).
        Only for a global or closure name, or an object's own attribute, that some
        ``global``/``nonlocal`` statement or attribute assignment in the source rebinds."""
        if primitive is UNRESOLVED or not callable(primitive) or \
                isinstance(primitive, (InstanceOf, MethodOf)):
            return
        if isinstance(func, gast.Name):
            if func.id in self.parsed.locals or func.id in self.parsed.params or \
                    not _rebound_by_some_statement(self.parsed.file_lines, func.id):
                return
        elif isinstance(func, gast.Attribute) and isinstance(func.value, (gast.Name,
                                                                        gast.Attribute)):
            owner = self.parsed.resolve(func.value)
            if isinstance(owner, (types.ModuleType, type)) or owner is UNRESOLVED or \
                    func.attr not in getattr(owner, "__dict__", {}) or \
                    not _attribute_set_in(self.parsed.file_lines, type(owner), func.attr):
                return
        else:
            return
        if not self.user_code_may_run_before(call):  # (last: it resolves every call)
            return
        label = gast.unparse(func).strip()
        expected = self.namer.fresh(re.sub(r"\W", "_", label) + "_at_start")
        self.namer.injected[expected] = primitive  # (never the user's name: read live)
        check = gast.Call(
            func=gast.Attribute(value=name_node(self.namer.reference(runtime, "_ad")),
                                attr="still_bound", ctx=gast.Load()),
            args=[copy.deepcopy(func), name_node(expected),
                  gast.Constant(value=f"{self.parsed.where(call)}: {label}", kind=None)],
            keywords=[])
        self.body.append(Primal(gast.copy_location(gast.Expr(value=check), self.origin),
                                self.origin, set()))

    def user_code_may_run_before(self, call: gast.Call) -> bool:
        """Whether the function may have run code of the user's before ``call`` (a
        call of a function or method of theirs, of an object, of one known only when it
        runs) written before it, or in a loop around it."""
        at = (getattr(call, "lineno", 0) or 0, getattr(call, "col_offset", 0) or 0)
        before, loops = self.user_code_calls
        return any(position < at for position in before) or \
            any(first <= at[0] <= last for first, last in loops)

    @functools.cached_property
    def user_code_calls(self) -> tuple[list, list]:
        """Where the function calls code that may be the user's (see
        `user_code_may_run_before`), and the lines of the loops holding such calls."""
        def runs_user_code(node: Any) -> bool:
            if not isinstance(node, gast.Call):
                return False
            target = self.parsed.resolve(node.func)
            return target is UNRESOLVED or is_user_function(target) or \
                isinstance(target, (InstanceOf, MethodOf)) or \
                isinstance(target, type) and not made_by_package(target)

        calls = [node for node in walk(self.parsed.node) if runs_user_code(node)]
        positions = [(getattr(c, "lineno", 0) or 0, getattr(c, "col_offset", 0) or 0)
                     for c in calls]
        loops = [(node.lineno, getattr(node, "end_lineno", None) or node.lineno)
                 for node in walk(self.parsed.node)
                 if isinstance(node, (gast.For, gast.While)) and
                 any(runs_user_code(n) for n in walk(node))]
        return positions, loops

    def kwargs_checked(self, call: gast.Call, label: str, assumed: dict) -> gast.Call:
        """``call`` whose ``**kwargs`` is checked when it runs: a function-valued
        parameter left to its default (``act=np.tanh``) must not come through it,
        since the helper's derivative is generated for the default."""
        check = name_node(self.namer.reference(runtime.kwargs_without, "kwargs_without"))
        expected = gast.Dict(keys=[gast.Constant(value=n, kind=None) for n in assumed],
                             values=[gast.Constant(value=None, kind=None) if v is None
                                     else name_node(self.namer.reference(v, f"{n}_default"))
                                     for n, v in assumed.items()])
        where = gast.Constant(value=f"{self.parsed.where(call)}: {label}()", kind=None)
        keywords = [gast.keyword(arg=None, value=gast.Call(
                        func=check, args=[k.value, expected, where], keywords=[]))
                    if k.arg is None else k for k in call.keywords]
        return gast.copy_location(gast.Call(func=call.func, args=call.args,
                                            keywords=keywords), call)

    def local_call(self, call: gast.Call, name: str) -> tuple:
        """A call to a function defined inside this one: its derivative is defined beside it."""
        node, block = self.local_functions[name]
        defs = [n for n in walk(self.parsed.node)
                if isinstance(n, (gast.FunctionDef, gast.Assign)) and n is not self.parsed.node
                and (getattr(n, "name", None) == name or isinstance(n, gast.Assign) and any(
                    isinstance(t, gast.Name) and t.id == name for t in n.targets))]
        if len(defs) > 1:
            raise self.error(call, f"{name} is defined in more than one place (in the arms "
                                   "of an if, say), so grad cannot tell which one this call "
                                   "runs: give each its own name and pick the call in the "
                                   "if", NoRuleError)
        self.no_differentiated_defaults(node, call)
        # (a module helper copied in writes the copy back into what the caller passed)
        from . import augmented_only
        self.no_write_seen_by_adjoints(call, [a.id for a in node.args.args],
                                       getattr(node, "gives_back_into", ()),
                                       augmented_only(node, self.parsed.resolve),
                                       getattr(node, "helper_name", name),
                                       getattr(node, "param_names", None))
        for loop in walk(self.parsed.node):
            if isinstance(loop, (gast.For, gast.While)) and \
                    any(n is node for n in walk(loop)) and \
                    not any(n is self.origin for n in walk(loop)):
                raise self.error(call, f"{name}() is defined in a loop and called after "
                                       "it, where grad cannot place its derivative: define "
                                       "it before the loop, or call it in the loop",
                                 NoRuleError)
        local = {n.id for n in walk(node) if isinstance(n, gast.Name)
                 and isinstance(n.ctx, (gast.Store, gast.Param))}
        self.no_writes_into_enclosing(node, call, name, local)
        captured = {n.id for n in walk(node) if isinstance(n, gast.Name)
                    and isinstance(n.ctx, gast.Load)} - local
        original_args = len(call.args)
        defined = node  # where the def is; its derivative goes beside it
        node = self.with_siblings(node)
        # what it reads of this function's differentiated values (its siblings too)
        inner = {n.id for n in walk(node) if isinstance(n, gast.Name)
                 and isinstance(n.ctx, (gast.Store, gast.Param))}
        # (and the values it reads that this function rebinds: its derivative's backward
        # runs later, when a closure would read the last value, not the call's)
        lifted = sorted({n.id for n in walk(node) if isinstance(n, gast.Name)
                         and isinstance(n.ctx, gast.Load)} - inner & (
            self.active | self.rebound_locals() - set(self.local_functions) -
            set(self.closures)))
        if lifted and any(isinstance(n, gast.Name) and n.id == name and
                          isinstance(n.ctx, gast.Load) for n in walk(node)):
            # (its recursive call would run the def as written, reading them as
            # constants: the gradient through it lost)
            raise self.error(call, f"{name}() calls itself (directly or through another "
                                   f"def) and reads {', '.join(lifted)} from the enclosing "
                                   "function, which is being differentiated: grad cannot "
                                   "follow those values through the recursive call. Pass "
                                   f"them to {name}() as arguments and define it at module "
                                   "level", NoRuleError)
        if lifted:
            node, call = self.lifted(node, call, name, lifted)
            original_args = len(call.args) - len(lifted)
        elif call.keywords:
            args = node.args
            params = [a.id for a in args.posonlyargs + args.args]
            first = len(params) - len(args.defaults)

            def default(param: str) -> Optional[gast.expr]:
                position = params.index(param)
                value = args.defaults[position - first] if position >= first else None
                # Only a constant: another default is evaluated where the def runs.
                return value if isinstance(value, gast.Constant) else None

            call = self.by_position(call, params, len(params), default)
            original_args = len(call.args)  # (the keywords it took by position)
        atoms, keywords, positions = self.derivative_operands(call, name)
        key = (name, tuple(positions), tuple(lifted))
        if key not in self.local_derivatives:
            derivative, text, seed = self.derive.nested(self.parsed, node, positions,
                                                            self.namer)
            self.local_derivatives[key] = (derivative, seed, text)
        derivative_name, seed, text = self.local_derivatives[key]
        # Beside the def, in the block that holds it now (a loop's body is normalized
        # again until its activity settles, into a new block each time).
        if not any(isinstance(item, Primal) and isinstance(item.stmt, Verbatim)
                   and item.stmt.text == text for item in block):
            position = next(i for i, item in enumerate(block)
                            if isinstance(item, Primal) and item.stmt is defined)
            names = [name_node(n) for n in sorted(captured)]
            block.insert(position + 1, Primal(gast.copy_location(Verbatim(text, names), node),
                                              node, {derivative_name}))
        # Called by its name in the generated code, not through an injected reference.
        reference = type("LocalDerivative", (), {"__name__": derivative_name,
                                                 "__autograd_src_seed__": seed})
        rule, bound, inputs = self.derivative_call(node, reference, atoms, keywords, name)
        rule.local_name = derivative_name
        # (a module helper copied in copies those first: its backward keeps its copies)
        copied = getattr(defined, "copies", ())
        rule.copied_operands = {f"arg{i}" for i, a in enumerate(node.args.args)
                                if a.id in copied}
        rebuilt = gast.Call(func=call.func, args=atoms[:original_args],
                            keywords=keywords_of(keywords))
        return rule, rebuilt, bound, inputs

    def rebound_locals(self) -> set[str]:
        """Names this function binds more than once, or in a loop (a loop's own target
        too), or updates in place (``c[0] = v``, ``c += v``): a nested def reading one
        reads whichever value it holds when the def is called."""
        found = getattr(self, "_rebound", None)
        if found is None:
            stores: dict = {}

            def visit(node: Any, in_loop: bool) -> None:
                for child in gast.iter_child_nodes(node):
                    if isinstance(child, (gast.FunctionDef, gast.Lambda)):
                        continue  # its own names
                    looping = in_loop or isinstance(node, (gast.For, gast.While)) and \
                        child in node.body + node.orelse
                    if isinstance(node, gast.For) and child is node.target:
                        looping = True  # for i in ...: bound once per iteration
                    if isinstance(child, gast.Name) and isinstance(child.ctx, gast.Store):
                        stores[child.id] = stores.get(child.id, 0) + (2 if looping else 1)
                    if isinstance(child, (gast.Subscript, gast.Attribute)) and \
                            isinstance(child.ctx, gast.Store):
                        root = base_name(child)
                        if root is not None:  # changed in place
                            stores[root] = stores.get(root, 0) + 2
                    visit(child, looping)

            visit(self.parsed.node, False)
            found = self._rebound = {n for n, count in stores.items() if count > 1}
        return found

    def no_differentiated_defaults(self, node: gast.FunctionDef, call: gast.Call) -> None:
        """Refuse a call that leaves to its default a parameter whose default reads a
        differentiated value (``lambda z, a=a: a * z``, ``def step(z, W=W)``): the
        default is the value when the def ran, which the derivative would not follow."""
        args = node.args
        params = [a.id for a in args.args]
        given = set(params[:len(call.args)]) | {k.arg for k in call.keywords}
        first = len(params) - len(args.defaults)
        pairs = list(zip(params[first:], args.defaults)) + [
            (a.id, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
        for param, default in pairs:
            if param not in given and not isinstance(default, gast.Constant) and \
                    self.is_active(default):
                raise self.error(call, f"{node.name}() leaves {param} to its default "
                                       f"{gast.unparse(default).strip()}, which reads a "
                                       "differentiated value when the def runs; grad "
                                       f"cannot follow that: pass {param} at the call, or "
                                       "read the value from the enclosing function")

    def with_siblings(self, node: gast.FunctionDef) -> gast.FunctionDef:
        """``node`` with copies of the other nested defs it calls (an LSTM's ``cell``
        calling a nested ``sigmoid``) placed at the top of its body, so that its
        derivative, made apart from the enclosing function, can follow them too."""
        own = {n.name for n in walk(node) if isinstance(n, gast.FunctionDef)}
        needed: list = []
        pending = [node]
        while pending:
            loads = {n.id for n in walk(pending.pop()) if isinstance(n, gast.Name)
                     and isinstance(n.ctx, gast.Load)}
            for sibling in sorted(loads & set(self.local_functions) - own - {node.name}):
                own.add(sibling)
                needed.append(sibling)
                pending.append(self.local_functions[sibling][0])
        if not needed:
            return node
        # A sibling reads the enclosing function's names; copied into node, it would
        # read node's own names of the same spelling instead.
        bound = {n.id for n in walk(node) if isinstance(n, gast.Name)
                 and isinstance(n.ctx, (gast.Store, gast.Param))}
        for sibling in needed:
            definition = self.local_functions[sibling][0]
            inner = {n.id for n in walk(definition) if isinstance(n, gast.Name)
                     and isinstance(n.ctx, (gast.Store, gast.Param))}
            reads = {n.id for n in walk(definition) if isinstance(n, gast.Name)
                     and isinstance(n.ctx, gast.Load)} - inner
            clash = sorted(reads & bound)
            if clash:
                raise self.error(node, f"{node.name}() calls {sibling}(), which reads "
                                       f"{clash[0]} of the enclosing function, while "
                                       f"{node.name}() has a {clash[0]} of its own: grad "
                                       "would read the wrong one; rename one of them")
        node = copy.copy(node)
        node.body = [copy.deepcopy(self.local_functions[n][0]) for n in needed] + node.body
        return node

    def no_writes_into_enclosing(self, node: gast.FunctionDef, call: gast.Call, name: str,
                                 local: set[str]) -> None:
        """Refuse a nested function that writes into an array or list of the enclosing
        function (``hist[t] = np.sum(h)``, ``acc += v``): its derivative is a function
        of its own, whose run would not make that write (the value and gradient through
        it were silently lost). A module's list or array (``CNT[0] += 1``) is the
        module's: the derivative's run writes into it as the function's does."""
        enclosing = self.parsed.locals | set(self.parsed.params)
        for n in walk(node):
            targets = n.targets if isinstance(n, gast.Assign) else \
                [n.target] if isinstance(n, gast.AugAssign) else []
            for target in targets:
                base = target
                while isinstance(base, (gast.Subscript, gast.Attribute)):
                    base = base.value
                if base is target or not isinstance(base, gast.Name) or base.id in local or \
                        base.id not in enclosing:
                    continue
                raise self.error(call, f"{name}() writes into {base.id}, a value of the "
                                       "enclosing function "
                                       f"({gast.unparse(target).strip()} = ...), which grad "
                                       f"cannot follow through a call: have {name}() return "
                                       "the value and store it here "
                                       f"({base.id}[...] = {name}(...))")
            if isinstance(n, gast.Call) and isinstance(n.func, gast.Attribute) and \
                    isinstance(n.func.value, gast.Name) and n.func.value.id not in local \
                    and n.func.value.id in enclosing and n.func.attr in MUTATING_METHODS:
                raise self.error(call, f"{name}() changes {n.func.value.id}, a value of the "
                                       f"enclosing function ({n.func.value.id}."
                                       f"{n.func.attr}(...)), which grad cannot follow "
                                       f"through a call: have {name}() return the value and "
                                       "add it here")

    def lifted(self, node: gast.FunctionDef, call: gast.Call, name: str,
               captured: list) -> tuple[gast.FunctionDef, gast.Call]:
        """A nested function reading differentiated values of the enclosing one (an RNN's
        ``step(x, h)`` reading ``W``), and a call of it, with those values made parameters
        it is passed: a closure reads them when it is called, so passing them then is the
        same, and its derivative gives their gradients like any argument's."""
        if any(isinstance(n, (gast.Nonlocal, gast.Global)) for n in walk(node)):
            raise self.error(call, f"{name}() rebinds a name of the enclosing function "
                                   "(nonlocal), which grad cannot follow: return the new "
                                   "value instead")
        args = node.args
        if args.vararg is not None or args.kwonlyargs or args.kwarg is not None:
            names = ", ".join(captured)
            raise self.error(call, f"{name}() reads {names} from the enclosing function, "
                                   "which is being differentiated, and takes *args, **kwargs "
                                   f"or keyword-only parameters: pass {names} to {name}() "
                                   "as an argument")
        params = [a.id for a in args.posonlyargs + args.args]
        first = len(params) - len(args.defaults)
        given = {k.arg: k.value for k in call.keywords}
        if set(given) - set(params):
            raise self.error(call, f"{name}() gets an unexpected keyword argument")
        values = list(call.args)
        for position in range(len(values), len(params)):
            value = given.get(params[position])
            if value is None and position >= first and \
                    isinstance(args.defaults[position - first], gast.Constant):
                value = args.defaults[position - first]
            if value is None:  # a default other than a constant is the def's to evaluate
                default = gast.unparse(args.defaults[position - first]).strip() \
                    if position >= first else None
                why = (f"; its default ({params[position]}={default}) is evaluated where "
                       f"{name} is defined, which grad does not carry to the call"
                       if default is not None else "")
                raise self.error(call, f"{name}() reads {', '.join(captured)} from the "
                                       f"enclosing function, which is being differentiated, "
                                       f"so grad passes what it reads at the call{why}: pass "
                                       f"{params[position]} to it explicitly")
            values.append(value)
        lifted = copy.deepcopy(node)
        lifted.args.args = lifted.args.args + [
            gast.Name(id=c, ctx=gast.Param(), annotation=None, type_comment=None)
            for c in captured]
        lifted.args.defaults = []
        call = gast.copy_location(gast.Call(func=call.func, args=values + [
            name_node(c) for c in captured], keywords=[]), call)
        return lifted, call

    def user_line(self, node: gast.AST) -> str:
        """`` (at file.py:12: its text)``: the user's line a statement of generated code
        comes from, read off the nearest ``# Grad of:`` comment above it; else ""."""
        lines = self.parsed.file_lines
        for k in range(min(getattr(node, "lineno", 0), len(lines)) - 1, -1, -1):
            text = lines[k].strip()
            if text.startswith("# Grad of:") or text.startswith("# Tangent of:"):
                code, _, where = text.split(":", 1)[1].rpartition("  (")
                return f" (at {where.rstrip(')')}: {code.strip()})" if where else ""
        return ""

    def bind(self, node: gast.expr, primitive: Any, args: list, keywords: dict,
             rebuild: Any, display: Optional[str] = None) -> tuple:
        """Match operands to the rule's parameters and turn active operands into atoms."""
        rule = registry.lookup(primitive)
        label = display or registry.primitive_name(primitive)
        if rule is None and primitive is functools.partial:
            raise self.error(node, "functools.partial(...) of differentiated values is "
                                   "followed where it is assigned to a name only called in "
                                   "this function (g = partial(f, W=W); g(x)); here it is "
                                   "passed on, stored or rebound: call f with the bound "
                                   "values instead", NoRuleError)
        if rule is None and self.parsed.generated and \
                (getattr(primitive, "__module__", None) or "").startswith("autograd_src.rules"):
            # Second order: name what the user wrote, not the gradient's helper.
            helper = getattr(primitive, "__name__", label)
            users = registry.rules_calling(helper)
            what = " or ".join(users) if users else label
            raise self.error(node, f"second derivatives through {what} are not supported "
                                   f"yet{self.user_line(node)} (the gradient's helper "
                                   f"{label} has no derivative rule of its own; the README "
                                   "lists what second order covers)", NoRuleError)
        if rule is None and hasattr(primitive, "__autograd_src_bound_to__"):
            cls = type(primitive.__autograd_src_bound_to__).__name__
            raise self.error(node, f"{label} is grad of a bound method (grad(obj.method)), "
                                   f"called on a differentiated value at "
                                   f"{self.parsed.where(node)}: grad follows the derivatives "
                                   "of plain functions only. Differentiate the function "
                                   f"under it, grad({cls}.method, wrt=1), and call it with "
                                   "the object first (d(obj, x))", NoRuleError)
        if rule is None and (getattr(primitive, "__module__", None) or "").startswith(
                "autograd_src.tensors"):
            raise self.error(node, f"{label} is a function of the Tensor API written with "
                                   "Tensor operations (as mg.nnet's activations, losses and "
                                   f"layers are), called on a differentiated value at "
                                   f"{self.parsed.where(node)}: grad follows the NumPy "
                                   "functions of the rule table, also as mg.<name> (mg.exp, "
                                   "mg.sum, mg.matmul), not these. Write it with those, "
                                   "or differentiate the function with the Tensor API "
                                   "(mg.tensor(x), then .backward())", NoRuleError)
        if rule is None and made_by_package(primitive):
            raise self.error(node, f"{label} is a derivative made by autograd_src "
                                   f"(make_jvp, jvp, hessian ...), called on a differentiated "
                                   f"value at {self.parsed.where(node)}: grad follows calls "
                                   "of derivatives made by grad and value_and_grad only. "
                                   "Write the derivative with grad, or compute it outside "
                                   "the function differentiated", NoRuleError)
        if rule is None and isinstance(primitive, functools.partial) and \
                is_user_function(primitive.func):
            inner = primitive.func.__name__
            raise self.error(node, f"{label} is functools.partial({inner}, ...), made "
                                   f"outside the function: grad reads a partial it sees "
                                   f"made, inside the function ({label} = functools."
                                   f"partial({inner}, ...) there), or call {inner}() here "
                                   "with the arguments the partial binds", NoRuleError)
        if rule is None and primitive in (next, iter):
            raise self.error(node, f"{label}() of an iterator over differentiated values is "
                                   "not followed (it reads an item and moves on, state grad "
                                   "cannot walk back): make a list and index it (items = "
                                   "list(...); items[0], items[1:])", NoRuleError)
        if rule is None and _random_draw(primitive):
            raise self.error(node, _draw_refusal(label, self.parsed.where(node)), NoRuleError)
        if rule is None and isinstance(primitive, type) and \
                is_user_function(getattr(primitive, "__init__", None)):
            raise self.error(node, f"{label}(...) makes an object of your class from a "
                                   f"differentiated value (at {self.parsed.where(node)}), "
                                   "which grad does not follow: its attributes would carry "
                                   "the gradient. Make the object from constants and pass "
                                   "the differentiated value to its methods (m = "
                                   f"{label}(c); m(x)), or write a function of both "
                                   "(def f(v, c): ...)", NoRuleError)
        if rule is None:
            instead = _WRITE_INSTEAD.get((getattr(primitive, "__module__", None),
                                          getattr(primitive, "__name__", None)))
            owner = getattr(primitive, "__self__", None)
            if instead is None and getattr(primitive, "__name__", None) == "dot" and \
                    "scipy.sparse" in type(owner).__module__:
                # (a sparse matrix's .dot: its @ is followed)
                instead = f"{label.rsplit('.', 1)[0]} @ ..."
            raise self.error(
                node,
                f"no derivative rule for {label} (called on a differentiated value at "
                f"{self.parsed.where(node)}); "
                + (f"write {instead} instead, or register one with " if instead else
                   "register one with ") +
                "autograd_src.extend.defvjp, or, only if its result truly carries no "
                "gradient, declare it constant with autograd_src.extend.nondifferentiable",
                NoRuleError)
        named = keywords
        if primitive is numpy_rules.np.clip:  # NumPy 2.1's names for the bounds (the
            # call keeps the names it was written with)
            named = {{"min": "a_min", "max": "a_max"}.get(k, k): v for k, v in keywords.items()}
        elif primitive is builtins.pow:  # pow(base=x, exp=3): Python's own names (GU 30)
            named = {{"base": "x", "exp": "y"}.get(k, k): v for k, v in keywords.items()}
        if None in named:  # fn(*args, **kw): keywords unpacked from a dict
            raise self.error(node, f"{label} is called with keywords unpacked from a dict "
                                   f"(**{gast.unparse(named[None]).strip()}), which grad "
                                   "cannot match to the parameters of its derivative rule: "
                                   f"pass {label}'s keywords by name, or leave out the "
                                   "** where no keywords are passed", NoRuleError)
        try:
            bound_args = rule.signature.bind(None, None, *args, **named)
        except TypeError as exc:
            if primitive in (builtins.min, builtins.max) and "default" in named:
                raise self.error(node, f"{label}(..., default=...) of differentiated values "
                                       f"is not followed: make the items a list first (xs "
                                       f"= [...]) and write {label}(xs) if xs else default",
                                 NoRuleError) from None
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
                bound[param], entry = self.sequence_input(value, label, replaced)
                inputs.append(entry)
            elif index < rule.n_inputs and not isinstance(value, gast.AST):
                bound[param] = value  # the rule's own default (norm.pdf's loc=0): constant
                inputs.append(None)
            elif index < rule.n_inputs:
                atom = self.array_input(value, index, param, rule, primitive, label)
                replaced[id(value)] = atom
                bound[param] = atom
                inputs.append(self._active_name(atom))
            else:
                if isinstance(value, (tuple, dict)) and not self.parsed.generated and any(
                        isinstance(v, gast.AST) and self.is_active(v)
                        for v in (value.values() if isinstance(value, dict) else value)):
                    raise self.error(node, f"the arguments {param!r} of {label} (here "
                                           "its spacing or other extra arguments) cannot "
                                           "depend on a differentiated value")
                if isinstance(value, gast.AST) and self.is_active(value) and not (
                        param == "key" and primitive in (runtime.largest, runtime.smallest,
                                                         runtime.sorted_items)) and not (
                        self.parsed.generated):
                    # (In a gradient read again, such a value, an axis, came from a tuple
                    # of a helper's saved arguments that also holds arrays: the tuple's
                    # activity, not the value's; the user's code had it constant.)
                    vjp = getattr(rule, "vjp", None)
                    if not getattr(vjp, "__module__", "autograd_src").startswith(
                            "autograd_src"):  # (a rule of yours, made with defvjp)
                        given = ", ".join(rule.params[:rule.n_inputs]) or "none"
                        raise self.error(value, (
                            f"the argument {param!r} of {label} carries a gradient, but "
                            f"your rule {vjp.__name__} returns {rule.n_inputs} adjoint(s), "
                            f"for ({given}), and none for {param}: return a tuple of one "
                            "adjoint per input (None for one without gradient)"))
                    # (an axis, an index a helper returned beside a value: checked as
                    # it runs to hold integers, bools or text, a constant from then on)
                    value = self.checked_index(value, f"the argument {param!r} of {label}")
                    replaced[id(bound_args.arguments[param])] = value
                if isinstance(value, gast.AST) and param in _params_used(rule):
                    hoisted = self.hoist(value, param)
                    replaced[id(value)] = hoisted
                    value = hoisted
                bound[param] = value
        atoms = [replace_nodes(a, replaced) for a in args]
        kw = {k: replace_nodes(v, replaced) for k, v in keywords.items()}
        return rule, rebuild(atoms, kw), bound, inputs


def _object_of_a_users_class(value: Any) -> bool:
    """Whether ``value`` (read from a global or closure) is an instance of a class of
    the user's, one with methods of its own: a helper given it is specialised to its
    class (``m.predict(x)`` in ``helper(model, x)``), as a method's ``self`` is."""
    if value is UNRESOLVED or isinstance(value, (type, types.ModuleType)) or callable(value):
        return False
    return any(is_user_function(member) for cls in type(value).__mro__[:-1]
               for member in vars(cls).values())


def _rebound_by_some_statement(lines: list, name: str) -> bool:
    """Whether a ``global`` or ``nonlocal`` statement in ``lines`` names ``name``."""
    pattern = re.compile(rf"^\s*(global|nonlocal)\s[^#]*\b{re.escape(name)}\b")
    return any(pattern.match(line) for line in lines)


def _attribute_set_in(lines: list, cls: type, attr: str) -> bool:
    """Whether ``lines``, or the file of ``cls``, assign ``.attr`` (or call setattr)."""
    pattern = re.compile(rf"\.{re.escape(attr)}\s*=[^=]|\bsetattr\(")
    if any(pattern.search(line) for line in lines):
        return True
    try:
        import linecache
        return any(pattern.search(line)
                   for line in linecache.getlines(inspect.getsourcefile(cls) or ""))
    except TypeError:  # (a class without a file)
        return False


def _instance_attribute(owner: Any, attr: str) -> bool:
    """Whether ``attr`` of an object of a known class (``self``) is no attribute of the
    class: one each instance holds (``self.l1 = Linear(...)``)."""
    return isinstance(owner, InstanceOf) and \
        inspect.getattr_static(owner.cls, attr, _MISSING) is _MISSING


_MISSING = object()


def _random_draw(primitive: Any) -> bool:
    """Whether ``primitive`` draws random numbers (``np.random.normal``, a method of a
    generator)."""
    owner = getattr(primitive, "__self__", None)
    return (getattr(primitive, "__module__", None) or "").startswith("numpy.random") or \
        isinstance(owner, (np.random.Generator, np.random.RandomState))


def _instance_of(known: Any, cls: type) -> bool:
    """Whether ``known`` (what `resolve` gives) is an instance of ``cls``."""
    return isinstance(known, InstanceOf) and issubclass(known.cls, cls)


#: What to write instead of a library function without a rule, by (module, name): NumPy's
#: spelling of the statistics module's functions, loops and zips for functools/itertools.
_WRITE_INSTEAD = {
    ("numpy.lib.stride_tricks", "as_strided"):
        "np.lib.stride_tricks.sliding_window_view(x, n)[::hop] (frames of a signal, "
        "followed) or an index array (x[starts[:, None] + np.arange(n)])",
    ("statistics", "mean"): "np.mean(xs)", ("statistics", "fmean"): "np.mean(xs)",
    ("statistics", "median"): "np.median(xs)",
    ("statistics", "stdev"): "np.std(xs, ddof=1)",
    ("statistics", "variance"): "np.var(xs, ddof=1)",
    ("statistics", "pstdev"): "np.std(xs)", ("statistics", "pvariance"): "np.var(xs)",
    ("_functools", "reduce"): "it on a line of its own (total = reduce(f, xs, start), "
                              "then np.sum(total)), which grad follows as the loop it "
                              "runs, or a for loop",
    ("itertools", "accumulate"): "np.cumsum(xs), or a for loop appending each running "
                                 "value to a list",
    ("itertools", "chain"): "the lists joined with + (a + b), or a list comprehension",
    ("itertools", "pairwise"): "zip(xs[:-1], xs[1:])",
    ("itertools", "starmap"): "a comprehension ([f(a, b) for a, b in pairs])",
    ("itertools", "islice"): "a slice of a list (list(xs)[start:stop])",
    ("itertools", "product"): "a comprehension of two loops ([(a, b) for a in xs for b "
                              "in ys])",
    ("itertools", "zip_longest"): "zip of lists made the same length"}


def _draw_refusal(label: str, where: str) -> str:
    return f"{label} {draw_advice(label, where)}"


def draw_advice(label: str, where: str) -> str:
    """Why a random draw given a differentiated value (``label``, at ``where``) is
    refused, and how to write it: reparameterised, or through drawn indices."""
    if label.rstrip("()").rsplit(".", 1)[-1] in ("permutation", "choice", "shuffle",
                                                "permuted"):
        # (reordering or picking entries: their gradient exists, through indices)
        return (f"reorders or picks entries of a differentiated array (at {where}), "
                "which grad does not follow through the draw: draw the indices and index "
                "the array (idx = rng.permutation(len(mu)); mu[idx], or idx = "
                "rng.choice(len(mu), k); mu[idx])")
    kind = label.rstrip("()").rsplit(".", 1)[-1]
    if kind in _DISCRETE_DRAWS:  # (no reparameterisation: the draw is a constant)
        return (f"draws {kind} counts whose parameters carry gradient (at {where}), "
                "which have no derivative (a discrete draw does not move smoothly with "
                "its parameters, and no transformation of a fixed draw gives it). Where "
                "the draw is meant as a constant (a simulation's noise, a score-function "
                "estimator), draw it in a helper of yours declared with "
                "autograd_src.extend.nondifferentiable (def draw(rng, lam): return "
                f"rng.{kind}(lam)), whose result grad takes as a constant")
    return (f"draws random numbers from a distribution whose parameters carry "
            f"gradient (at {where}), which has no derivative here: draw from a fixed "
            "distribution and transform the draw (reparameterise: mu + sigma * "
            "rng.standard_normal(shape), or, for a uniform, low + (high - low) * "
            "rng.random(shape))")


#: Draws of integers, which no transformation of a fixed draw gives smoothly.
_DISCRETE_DRAWS = frozenset(("poisson", "binomial", "negative_binomial", "geometric",
                             "hypergeometric", "multinomial", "integers", "randint",
                             "zipf", "logseries", "multivariate_hypergeometric"))
