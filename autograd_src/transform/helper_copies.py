"""Copy a module-level helper into the differentiated function, specialised to a call.

Some calls give a helper what its generated derivative cannot take: a function that
reads this function's differentiated values (``integrate(lambda y: -k * y, y0)``), or
differentiated values by keyword into keyword-only parameters or ``**kwargs``
(``layer(h, W=W)`` for ``def layer(h, *, W)``, ``wrapper(x, W=W)`` for ``def
wrapper(x, **kw)``). For a helper of the same module, the call is rewritten to a
nested def copied from the helper's source and specialised to the call: the function
argument's parameter gone (calls of it call the lambda or def by name), or every
parameter taken by position (``**kw`` a dict of the keywords the call passes, and its
splats inside, ``layer(h, **kw)``, written out key by key). The normalizer then
differentiates the nested def like any other.

A copy is made only where it reads every name as the helper does: not where the
helper reads a global that this function assigns, nor for a helper with a closure.
"""

from __future__ import annotations

import copy
import inspect
import types
from typing import Any, Callable, Optional

import gast
import numpy as np

from .ir import Transformer, assign_node, base_name, children, name_ids, name_node, walk
from .naming import Namer
from .source import ParsedFunction

__all__ = ["function_arguments", "keyword_parameters", "local_keyword_parameters",
           "written_arguments", "Renamed"]


def _each_statement(parsed: ParsedFunction, rewrite: Callable[[Any, list], Any]) -> None:
    """Replace each statement (in loops and branches too, not in nested defs) by
    ``rewrite(stmt, before)``; the statements it puts in ``before`` go before it."""

    def block(stmts: list) -> list:
        out: list = []
        for stmt in stmts:
            for name in ("body", "orelse"):
                if isinstance(stmt, (gast.For, gast.While, gast.If)):
                    setattr(stmt, name, block(getattr(stmt, name)))
            before: list = []
            if not isinstance(stmt, gast.FunctionDef):
                stmt = rewrite(stmt, before)
            out.extend(before)
            out.append(stmt)
        return out

    parsed.node.body = block(parsed.node.body)


def _each_call(parsed: ParsedFunction, rewrite: Callable[[gast.Call, list], None]) -> None:
    """Apply ``rewrite(call, before)`` to the calls of each statement (not those inside
    nested defs and lambdas); the statements it puts in ``before`` go before it."""

    def calls_in(stmt: Any) -> list:
        found: list = []

        def visit(item: Any) -> None:
            if isinstance(item, (gast.FunctionDef, gast.Lambda)):
                return
            if isinstance(item, gast.Call):
                found.append(item)
            for child in children(item):
                visit(child)
        for field in ("value", "test", "iter", "targets", "target"):
            part = getattr(stmt, field, None)
            for piece in part if isinstance(part, list) else [part]:
                if isinstance(piece, gast.AST):
                    visit(piece)
        return found

    def each(stmt: Any, before: list) -> Any:
        for call in calls_in(stmt):
            rewrite(call, before)
        return stmt

    _each_statement(parsed, each)


def _copy_of(parsed: ParsedFunction, call: gast.Call,
             namer: Namer) -> Optional[tuple[Any, gast.FunctionDef, dict]]:
    """The helper ``call`` calls by plain name and a copy of its def, where a copy may
    stand in for it here; else None. The copy's own names that this function also uses
    are renamed apart (a lambda of this function reading ``x`` must not read the
    copy's parameter ``x``): the renames come with it, for the call's keywords."""
    from .mutation import is_user_function
    from .source import parse_function
    if not isinstance(call.func, gast.Name) or \
            any(isinstance(a, gast.Starred) for a in call.args):
        return None
    helper = parsed.resolve(call.func)
    if not (is_user_function(helper) and inspect.isfunction(helper)) or \
            helper.__globals__ is not parsed.globals or helper.__closure__:
        return None
    if _bound_here(parsed, call.func.id):
        return None  # a nested def or a local name of the same spelling: not the global
    try:
        copied = copy.deepcopy(parse_function(helper).node)
    except Exception:  # no source: the call is left to the normalizer's message
        return None
    if copied.args.posonlyargs:
        # (positional in the copy like the others: the call passes them by position,
        # unless a keyword of the same name goes into **kwargs)
        named = {a.id for a in copied.args.posonlyargs}
        if copied.args.kwarg is not None and any(k.arg in named for k in call.keywords):
            return None
        copied.args.args = copied.args.posonlyargs + copied.args.args
        copied.args.posonlyargs = []
    node = parsed.node
    caller_names = {n.id for n in walk(node) if isinstance(n, gast.Name)
                    and isinstance(n.ctx, (gast.Store, gast.Param))} | \
        {n.name for n in walk(node) if isinstance(n, gast.FunctionDef)}
    bound = {n.id for n in walk(copied) if isinstance(n, gast.Name)
             and isinstance(n.ctx, (gast.Store, gast.Param))}
    free = {n.id for n in walk(copied) if isinstance(n, gast.Name)
            and isinstance(n.ctx, gast.Load)} - bound
    if free & caller_names:
        return None
    used = name_ids(node) | caller_names
    renames = {name: namer.fresh(name) for name in sorted(bound & used)}
    Renamed(renames).visit(copied)
    return helper, copied, renames


class Renamed(Transformer):
    """Each name in ``names`` (old -> new) renamed, wherever it occurs."""

    def __init__(self, names: dict) -> None:
        self.names = names

    def visit_Name(self, node: gast.Name) -> gast.Name:
        if node.id in self.names:
            node.id = self.names[node.id]
        return node


def _bound_here(parsed: ParsedFunction, name: str) -> bool:
    """Whether ``name`` is bound in the differentiated function (a parameter, a nested
    def, an assignment), so that it is not the module's global of that name."""
    node = parsed.node
    return any(isinstance(n, gast.FunctionDef) and n is not node and n.name == name
               or isinstance(n, gast.Name) and n.id == name
               and isinstance(n.ctx, (gast.Store, gast.Param)) for n in walk(node))


def _local_copy_of(parsed: ParsedFunction, call: gast.Call,
                   namer: Namer) -> Optional[tuple[Any, gast.FunctionDef, dict]]:
    """As `_copy_of`, for a def nested in this function (``def integrate(f, y): ...``
    called as ``integrate(lambda y: -k * y, y0)``): defined once, never rebound. The
    copy reads this function's names as the def does; its own are renamed apart."""
    if not isinstance(call.func, gast.Name) or \
            any(isinstance(a, gast.Starred) for a in call.args):
        return None
    node = parsed.node
    defs = [n for n in walk(node) if isinstance(n, gast.FunctionDef)
            and n.name == call.func.id and n is not node]
    if len(defs) != 1 or defs[0].args.posonlyargs or defs[0] not in node.body or any(
            isinstance(n, gast.Name) and n.id == call.func.id and
            isinstance(n.ctx, gast.Store) for n in walk(node)):
        return None
    copied = copy.deepcopy(defs[0])
    bound = {n.id for n in walk(copied) if isinstance(n, gast.Name)
             and isinstance(n.ctx, (gast.Store, gast.Param))}
    # (the original def's own names are no one else's: only the rest of the function's)
    used = name_ids(node.args).union(*(name_ids(stmt) for stmt in node.body
                                       if stmt is not defs[0]))
    renames = {name: namer.fresh(name) for name in sorted(bound & used)}
    Renamed(renames).visit(copied)
    return types.SimpleNamespace(__name__=defs[0].name), copied, renames


def _functions_given(parsed: ParsedFunction, copied: gast.FunctionDef,
                     call: gast.Call) -> list:
    """The names of the functions grad can name (np.tanh, a module-level def) that
    ``call`` gives the def ``copied``, by position, by keyword or by leaving them to a
    default."""
    args = copied.args
    params = args.args + args.kwonlyargs
    first = len(args.args) - len(args.defaults)
    values = dict(zip([p.id for p in args.args[first:]], args.defaults))
    values.update({p.id: d for p, d in zip(args.kwonlyargs, args.kw_defaults)
                   if d is not None})
    values.update(zip([p.id for p in params], call.args))
    values.update({k.arg: k.value for k in call.keywords})
    return [v.attr if isinstance(v, gast.Attribute) else v.id for v in values.values()
            if isinstance(v, (gast.Name, gast.Attribute)) and _known(parsed, v)]


def _reads_in_defaults(node: gast.FunctionDef, value: gast.expr) -> bool:
    """Whether the lambda ``value``, or the nested def ``value`` names, has a default
    that is not a constant (``lambda z, a=a: ...``)."""
    if isinstance(value, gast.Lambda):
        args = value.args
    else:
        defs = [d for d in walk(node) if isinstance(d, gast.FunctionDef)
                and d.name == value.id] + [s.value for s in walk(node)
                                           if isinstance(s, gast.Assign)
                                           and isinstance(s.value, gast.Lambda)
                                           and any(isinstance(t, gast.Name) and t.id == value.id
                                                   for t in s.targets)]
        if not defs:
            return False
        args = defs[0].args
    defaults = list(args.defaults) + [d for d in args.kw_defaults if d is not None]
    return any(not isinstance(d, gast.Constant) for d in defaults)


def _local_functions(node: gast.FunctionDef) -> set:
    return {n.name for n in walk(node) if isinstance(n, gast.FunctionDef)} | \
        {s.targets[0].id for s in walk(node) if isinstance(s, gast.Assign)
         and len(s.targets) == 1 and isinstance(s.targets[0], gast.Name)
         and isinstance(s.value, gast.Lambda)}


def function_arguments(parsed: ParsedFunction, namer: Namer) -> None:
    """``integrate(lambda y: -k * y, y0)``, ``apply(act, x)`` with ``act`` a nested
    def: the helper copied in, specialised to that function."""
    local_functions = _local_functions(parsed.node)
    # the loops at the top of the function, by the lines they span
    loops = [(n.lineno, n.end_lineno, n) for n in parsed.node.body
             if isinstance(n, (gast.For, gast.While)) and
             getattr(n, "end_lineno", None) is not None]
    hoisted: dict = {}  # copies for calls in such a loop: made once, just before it

    def specialise(call: gast.Call, before: list) -> None:
        if any(k.arg is None for k in call.keywords):
            return
        given = list(enumerate(call.args)) + [(k.arg, k.value) for k in call.keywords]
        functional = [(where, value) for where, value in given
                      if isinstance(value, gast.Lambda) or (
                          isinstance(value, gast.Name) and value.id in local_functions)]
        if any(_reads_in_defaults(parsed.node, value) for _, value in functional):
            return  # (a default read when the def runs: the normalizer refuses it)
        written: list = []
        if not functional and not (isinstance(call.func, gast.Name) and
                                   call.func.id in local_functions):
            return  # neither given a function nor calling a nested def
        if functional:
            found = _copy_of(parsed, call, namer) or _local_copy_of(parsed, call, namer)
        else:  # a nested def given np.tanh (or leaving it to a default): written in
            found = _local_copy_of(parsed, call, namer)
            written = _functions_given(parsed, found[1], call) if found is not None else []
            if not written:
                return
        if found is None:
            return
        helper, copied, apart = found
        if isinstance(call.func, gast.Name) and any(
                isinstance(n, gast.Call) and isinstance(n.func, gast.Name) and
                n.func.id == call.func.id for n in walk(copied)):
            return  # a recursive helper: each copy would call for another (refused later)
        args = copied.args
        if args.vararg is not None and args.kwarg is None and not args.defaults and \
                len(call.args) >= len(args.args) and \
                not any(isinstance(a, gast.Starred) for a in call.args):
            # (stepper(rhs, y0, dt, n, 0.5) for def stepper(rhs, y0, dt, n, *args): args
            # is (0.5,), a parameter of the copy given it; rhs(y, *args) is rhs(y, 0.5))
            n = len(args.args)
            call.args = call.args[:n] + [gast.Tuple(elts=call.args[n:], ctx=gast.Load())]
            args.args.append(args.vararg)
            args.vararg = None
        if args.vararg is not None or args.kwarg is not None:
            return
        params = [a.id for a in args.args]
        renames: dict = {}
        line = getattr(call, "lineno", None)
        loop = next((n for a, b, n in loops if line is not None and a <= line <= b), None)
        for where, value in functional:
            param = params[where] if isinstance(where, int) and where < len(params) \
                else apart.get(where, where)
            if param not in params and param not in [a.id for a in args.kwonlyargs]:
                return
            if any(isinstance(n, gast.Name) and n.id == param and isinstance(n.ctx, gast.Store)
                   for n in walk(copied)):
                return
            if isinstance(value, gast.Lambda):
                name = namer.fresh(f"{param}_lambda")
                made = gast.copy_location(gast.Assign(
                    targets=[name_node(name, gast.Store())], value=value,
                    type_comment=None), call)
                # (in a loop, a lambda without defaults made before it: it reads its
                # free names when it is called, there as here)
                if loop is not None and not value.args.defaults and \
                        not any(d is not None for d in value.args.kw_defaults):
                    hoisted.setdefault(id(loop), []).append(made)
                else:
                    before.append(made)
            else:
                name = value.id
            renames[param] = name
        _drop_parameters(copied.args, set(renames))
        for item in walk(copied):
            if isinstance(item, gast.Name) and item.id in renames and \
                    isinstance(item.ctx, gast.Load):
                item.id = renames[item.id]
        copied.name = namer.fresh(
            f"{helper.__name__}_with_{'_'.join(list(renames.values()) or written)}")
        # (in a loop, defined once before it, as second order writes a small def inline
        # only there: it reads the functions it calls when it is called, as here)
        if loop is not None:
            hoisted.setdefault(id(loop), []).append(copied)
        else:
            before.append(copied)
        call.func = name_node(copied.name)
        positional = [a for i, a in enumerate(call.args) if params[i] not in renames] \
            if len(call.args) <= len(params) else call.args
        keywords = {apart.get(k.arg, k.arg): k.value for k in call.keywords}
        keywords = {k: v for k, v in keywords.items() if k not in renames}
        # Every parameter given by position, keyword-only ones after the others (dense(x,
        # W=W, act=lambda z: ...) for def dense(h, *, W, act)), defaults written out
        # (read in this module's globals, as the helper reads them): a nested def's
        # call needs no defaults.
        kept = copied.args
        first = len(kept.args) - len(kept.defaults)
        defaults = {p.id: d for p, d in zip(kept.args[first:], kept.defaults)}
        if kept.kwonlyargs:
            defaults.update({p.id: d for p, d in zip(kept.kwonlyargs, kept.kw_defaults)
                             if d is not None})
            kept.args = kept.args + kept.kwonlyargs
            kept.defaults, kept.kwonlyargs, kept.kw_defaults = [], [], []
        for param in kept.args[len(positional):]:
            if param.id in keywords:
                positional.append(keywords.pop(param.id))
            elif param.id in defaults:
                positional.append(copy.deepcopy(defaults[param.id]))
            else:
                break
        if not keywords and len(positional) == len(kept.args):
            positional = _functions_written_in(parsed, copied, positional) or positional
            _splats_written_out(copied, positional)
        call.args = positional
        call.keywords = [gast.keyword(arg=k, value=v) for k, v in keywords.items()]

    _each_call(parsed, specialise)
    if hoisted:
        parsed.node.body = [made for stmt in parsed.node.body
                            for made in hoisted.get(id(stmt), []) + [stmt]]


def _splats_written_out(copied: gast.FunctionDef, positional: list) -> None:
    """``rhs(y, *args)`` in a copy whose ``args`` the call gives as a tuple display
    (SciPy's ``args=()`` left to its default, ``args=(k, 0.5)``, or the values a
    ``*args`` collects) as ``rhs(y)``, ``rhs(y, k, 0.5)``: the position of each value
    is then known where it is read, as a function given differentiated values needs.
    Only constants and names the copy never binds (which it reads as the caller's,
    when it is called) are written in."""
    bound = {n.id for n in walk(copied) if isinstance(n, gast.Name) and
             not isinstance(n.ctx, gast.Load)}
    for k, (param, value) in enumerate(zip(copied.args.args, positional)):
        if not isinstance(value, gast.Tuple) or not all(
                isinstance(e, gast.Constant) or isinstance(e, gast.Name) and e.id not in bound
                for e in value.elts):
            continue
        uses = [n for n in walk(copied) if isinstance(n, gast.Name) and n.id == param.id]
        splats = [n for n in walk(copied) if isinstance(n, gast.Call)
                  for a in n.args if isinstance(a, gast.Starred) and
                  isinstance(a.value, gast.Name) and a.value.id == param.id]
        if not splats or len(uses) != 1 + len(splats):  # (the parameter, each *args)
            continue
        for call in splats:
            call.args = [item for a in call.args for item in (
                [copy.deepcopy(e) for e in value.elts] if isinstance(a, gast.Starred) and
                isinstance(a.value, gast.Name) and a.value.id == param.id else [a])]
        positional[k] = gast.Tuple(elts=[], ctx=gast.Load())  # (read no more)


def keyword_parameters(parsed: ParsedFunction, namer: Namer) -> None:
    """``layer(h, W=W)`` for ``def layer(h, *, W)``, ``wrapper(x, W=W, b=b)`` for ``def
    wrapper(x, **kw)``: where a value that may carry a gradient goes to a keyword-only
    parameter or into ``**kw``, the helper copied in with every parameter positional
    (``kw`` a dict of those keywords, its ``**kw`` splats written out key by key)."""

    def known(value: gast.expr) -> bool:
        return _known(parsed, value)

    def specialise(call: gast.Call, before: list) -> None:
        if not call.keywords or any(k.arg is None for k in call.keywords):
            return
        helper = parsed.resolve(call.func) if isinstance(call.func, gast.Name) else None
        if not inspect.isfunction(helper) or _bound_here(parsed, call.func.id):
            return
        spec = inspect.getfullargspec(helper)
        if spec.varargs is not None or not (spec.kwonlyargs or spec.varkw):
            return
        into = [k for k in call.keywords if k.arg not in spec.args and not known(k.value)]
        if not into:
            return
        found = _copy_of(parsed, call, namer)
        if found is None:
            return
        helper, copied, apart = found
        if isinstance(call.func, gast.Name) and any(
                isinstance(n, gast.Call) and isinstance(n.func, gast.Name) and
                n.func.id == call.func.id for n in walk(copied)):
            return  # a recursive helper: each copy would call for another (refused later)
        args = copied.args
        params = [a.id for a in args.args]
        given = dict(zip(params, call.args))
        extra: dict = {}
        for keyword in call.keywords:
            name = apart.get(keyword.arg, keyword.arg)
            if name in params or name in [a.id for a in args.kwonlyargs]:
                given[name] = keyword.value
            else:
                extra[keyword.arg] = keyword.value  # a key of **kw: its own name
        values: list = []
        first = len(params) - len(args.defaults)
        for position, param in enumerate(params):
            if param in given:
                values.append(given[param])
            elif position >= first:
                values.append(copy.deepcopy(args.defaults[position - first]))
            else:
                return  # a missing argument: Python's own error, from the original call
        for param, default in zip(args.kwonlyargs, args.kw_defaults):
            if param.id in given:
                values.append(given[param.id])
            elif default is not None:
                values.append(copy.deepcopy(default))
            else:
                return
        if args.kwarg is not None:
            kwarg = args.kwarg.id
            values.append(gast.Dict(keys=[gast.Constant(value=k, kind=None) for k in extra],
                                    values=list(extra.values())))
            _SplatsWrittenOut(kwarg, list(extra)).visit(copied)
            if any(isinstance(n, gast.Name) and n.id == kwarg and isinstance(n.ctx, gast.Store)
                   for n in walk(copied)):
                return
        elif extra:
            return  # an unknown keyword: Python's own error, from the original call
        args.args = args.args + args.kwonlyargs + ([gast.Name(
            id=args.kwarg.id, ctx=gast.Param(), annotation=None, type_comment=None)]
            if args.kwarg is not None else [])
        args.kwonlyargs, args.kw_defaults, args.defaults, args.kwarg = [], [], [], None
        values = _functions_written_in(parsed, copied, values)
        if values is None:
            return
        copied.name = namer.fresh(f"{helper.__name__}_by_position")
        before.append(copied)
        call.func = name_node(copied.name)
        call.args, call.keywords = values, []

    _each_call(parsed, specialise)


def local_keyword_parameters(parsed: ParsedFunction) -> None:
    """``gate(x, h, W=W)`` for a nested ``def gate(x, h, *, W, act=np.tanh)``: the def
    takes every parameter by position (keyword-only ones after the others) and each
    call passes them so, with the defaults written out. Only where the def's name is
    only ever called, and its defaults are constants or functions grad can name."""
    defs = [n for n in walk(parsed.node) if isinstance(n, gast.FunctionDef)
            and n is not parsed.node]
    for node in defs:
        args = node.args
        if not args.kwonlyargs or args.vararg is not None or args.kwarg is not None or \
                sum(d.name == node.name for d in defs) != 1:
            continue
        loads = [n for n in walk(parsed.node) if isinstance(n, gast.Name)
                 and n.id == node.name]
        calls = [c for c in walk(parsed.node) if isinstance(c, gast.Call)
                 and isinstance(c.func, gast.Name) and c.func.id == node.name]
        if len(loads) != len(calls) or any(
                isinstance(a, gast.Starred) for c in calls for a in c.args) or any(
                k.arg is None for c in calls for k in c.keywords):
            continue  # passed around, stored, or called with * or **: left as it is
        first = len(args.args) - len(args.defaults)
        defaults = {p.id: d for p, d in zip(args.args[first:], args.defaults)}
        defaults.update({p.id: d for p, d in zip(args.kwonlyargs, args.kw_defaults)
                         if d is not None})
        if not all(_known(parsed, d) for d in defaults.values()):
            continue
        params = [a.id for a in args.args + args.kwonlyargs]
        rewritten = []
        for call in calls:
            given = dict(zip(params, call.args)) if len(call.args) <= len(args.args) else None
            if given is None:
                break
            given.update({k.arg: k.value for k in call.keywords})
            if set(given) - set(params) or not set(params) <= set(given) | set(defaults):
                break  # Python's own error, from the call as written
            rewritten.append([given[p] if p in given else copy.deepcopy(defaults[p])
                              for p in params])
        else:
            args.args = args.args + args.kwonlyargs
            args.defaults, args.kwonlyargs, args.kw_defaults = [], [], []
            for call, values in zip(calls, rewritten):
                call.args, call.keywords = values, []


def _known(parsed: ParsedFunction, value: gast.expr) -> bool:
    """A constant, or a function grad can name: it carries no gradient."""
    if isinstance(value, gast.Constant):
        return True
    if isinstance(value, (gast.Name, gast.Attribute)):
        target = parsed.resolve(value)
        return callable(target) and not isinstance(target, type)
    return False


def _functions_written_in(parsed: ParsedFunction, copied: gast.FunctionDef,
                          values: list) -> Optional[list]:
    """The copy with the functions its call passes (or leaves to a default,
    ``act=np.tanh``) written into its body, and their parameters gone, so its calls of
    them are calls grad can name; the call's other values. None where the copy assigns
    such a parameter. ``values`` holds one value per parameter, in order."""
    args = copied.args
    functions = {a.id: v for a, v in zip(args.args, values)
                 if not isinstance(v, gast.Constant) and _known(parsed, v)}
    if any(isinstance(n, gast.Name) and n.id in functions and isinstance(n.ctx, gast.Store)
           for n in walk(copied)):
        return None
    _Substituted(functions).visit(copied)
    kept = [v for a, v in zip(args.args, values) if a.id not in functions]
    first = len(args.args) - len(args.defaults)
    defaults = [d for a, d in zip(args.args[first:], args.defaults) if a.id not in functions]
    args.args = [a for a in args.args if a.id not in functions]
    args.defaults = defaults if len(defaults) <= len(args.args) else []
    return kept


class _Substituted(Transformer):
    """Each read of a name in ``values`` replaced by a copy of its expression."""

    def __init__(self, values: dict) -> None:
        self.values = values

    def visit_Name(self, node: gast.Name) -> Any:
        if isinstance(node.ctx, gast.Load) and node.id in self.values:
            return gast.copy_location(copy.deepcopy(self.values[node.id]), node)
        return node


class _SplatsWrittenOut(Transformer):
    """``f(x, **kw)`` as ``f(x, W=kw['W'], b=kw['b'])``, for the keys the call passes."""

    def __init__(self, name: str, keys: list) -> None:
        self.name, self.keys = name, keys

    def visit_Call(self, node: gast.Call) -> Any:
        self.generic_visit(node)
        keywords = []
        for keyword in node.keywords:
            if keyword.arg is None and isinstance(keyword.value, gast.Name) and \
                    keyword.value.id == self.name:
                keywords += [gast.keyword(arg=k, value=gast.Subscript(
                    value=name_node(self.name), slice=gast.Constant(value=k, kind=None),
                    ctx=gast.Load())) for k in self.keys]
            else:
                keywords.append(keyword)
        node.keywords = keywords
        return node


def _drop_parameters(args: gast.arguments, names: set) -> None:
    """Remove ``names`` from a def's parameters (with their defaults)."""
    first = len(args.args) - len(args.defaults)
    kept, defaults = [], []
    for position, param in enumerate(args.args):
        if param.id in names:
            continue
        kept.append(param)
        if position >= first:
            defaults.append(args.defaults[position - first])
    args.args, args.defaults = kept, defaults
    pairs = [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if a.id not in names]
    args.kwonlyargs = [a for a, _ in pairs]
    args.kw_defaults = [d for _, d in pairs]


def _holds_a_modules_array(parsed: ParsedFunction, name: str) -> bool:
    """Whether the function binds ``name`` to an array a module (or an object it
    holds) keeps: ``v = W``, ``v = CFG.buf`` (a helper writing into ``v`` writes there)."""
    import numpy as np
    return any(isinstance(n, gast.Assign) and any(
        isinstance(t, gast.Name) and t.id == name for t in n.targets) and
        isinstance(n.value, (gast.Name, gast.Attribute)) and
        isinstance(parsed.resolve(n.value), np.ndarray) for n in walk(parsed.node))


def written_arguments(parsed: ParsedFunction, namer: Namer) -> None:
    """``z = fill(z, x)`` (or ``fill(z, x)`` with ``z`` not read again) where ``fill``
    assigns into its parameter (``z[i] = ...``): NumPy writes into the caller's array,
    which the derivative must read as it was. The helper is copied in working on a
    copy of it (``z = _ad.copied(z)`` first), which is the same for this function wherever no
    other name that shares the old array is read later: checked when it runs
    (``_ad.alone``), as for in-place updates."""
    from .mutation import read_later
    liveness: list = []  # read_later's, found where first needed (before any rewrite)
    ad = namer.reference(_runtime(), "_ad")

    def rewrite(stmt: Any, before: list) -> Any:
        """``stmt`` as it runs now (a new statement where it takes an array back)."""
        hoisting = _writer_calls_to_hoist(parsed, stmt)
        for k, call in enumerate(hoisting):
            # return np.sum(helper(h, s)): helper_value = helper(h, s) first
            hoisted = gast.copy_location(assign_node(
                namer.fresh(f"{call.func.id}_value"), call, stmt), stmt)
            hoisted.shown_as = getattr(stmt, "shown_as", None) or \
                gast.unparse(stmt).strip().splitlines()[0]  # (the line as written)
            if not liveness:
                liveness.extend(read_later(parsed.node.body))
            later, bound = liveness  # (what is read after it: what is after stmt, and
            # what the line's later calls are given: h(x, b) + h(x, b))
            if id(stmt) in later:
                later[id(hoisted)] = later[id(stmt)] | {
                    n.id for rest in hoisting[k + 1:] for n in walk(rest)
                    if isinstance(n, gast.Name)}
            if id(stmt) in bound:
                bound[id(hoisted)] = bound[id(stmt)]
            original = call.func.id
            made = rewrite(hoisted, before)
            if made is hoisted and call.func.id == original:
                continue  # (not copied in: the call stays where it was, as before)
            before.append(made)
            _Replaced(call, name_node(hoisted.targets[0].id)).visit(stmt)
            stmt.shown_as = hoisted.shown_as  # (its comments: the line as written)
        call = stmt.value if isinstance(stmt, (gast.Assign, gast.Expr)) else None
        if not isinstance(call, gast.Call) or any(k.arg is None for k in call.keywords):
            return stmt
        found = _copy_of(parsed, call, namer)
        if found is None:
            return stmt
        helper, copied, apart = found
        args = copied.args
        if args.vararg is not None or args.kwarg is not None:
            return stmt
        params = [a.id for a in args.args]
        written = {t.value.id for n in walk(copied)
                   if isinstance(n, (gast.Assign, gast.AugAssign))
                   for t in (n.targets if isinstance(n, gast.Assign) else [n.target])
                   if isinstance(t, gast.Subscript) and isinstance(t.value, gast.Name)
                   and t.value.id in params}
        # and a *= 2.0, a.fill(0) on a parameter: NumPy writes into the caller's array,
        # which grad's derivative of the helper would not where the value carries a
        # gradient (a new array); a list's own methods, log.append(v), are the
        # normalizer's to read
        from .normalize import _ARRAY_METHODS, _LIST_METHODS, _WRITING_INTO_THEIR_FIRST
        if parsed.generated and not written:
            return stmt  # (grad's own code, differentiated again: its helpers' writes
            # are its own)
        by_subscripts = set(written)
        augmented = {n.target.id for n in walk(copied) if isinstance(n, gast.AugAssign)
                     and isinstance(n.target, gast.Name) and n.target.id in params}
        written |= augmented
        # (and hs.append(h): a list, made a list of the copy's own, list(hs))
        as_lists = {n.func.value.id for n in walk(copied) if isinstance(n, gast.Call)
                    and isinstance(n.func, gast.Attribute) and n.func.attr in _LIST_METHODS
                    and isinstance(n.func.value, gast.Name) and n.func.value.id in params}
        by_calls = as_lists | {
            n.func.value.id for n in walk(copied) if isinstance(n, gast.Call)
            and isinstance(n.func, gast.Attribute) and n.func.attr in _ARRAY_METHODS and
            isinstance(n.func.value, gast.Name) and n.func.value.id in params}
        # (np.copyto(a, v), np.exp(v, out=a))
        by_calls |= {a.id for n in walk(copied) if isinstance(n, gast.Call)
                     for a in ([k.value for k in n.keywords if k.arg == "out"] + (
                         n.args[:1] if isinstance(n.func, gast.Attribute) and
                         n.func.attr in _WRITING_INTO_THEIR_FIRST else []))
                     if isinstance(a, gast.Name) and a.id in params}
        # (inner(p), a helper of yours writing into what it is given)
        # (not an item by integers, inner(p[5]): maybe a number, as normalize reads it)
        from .normalize import given_whole_to_augmenting_writers, given_whole_to_writers
        by_calls |= given_whole_to_writers(copied, parsed.resolve) & set(params)
        # (inner(p) doing v += v only: for a number, a new value there, not here)
        augmenting_calls = given_whole_to_augmenting_writers(copied, parsed.resolve) & \
            set(params)
        written |= by_calls
        rebound = {n.id for s in walk(copied) if isinstance(s, gast.Assign)
                   for t in s.targets for n in walk(t)
                   if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)
                   and not _inside(t, n)}
        written -= rebound
        # (and those written through another name: v = z; v += 1, r = z[0]; r[1] = 2)
        # (not a name each write finds bound to an array of the helper's own, res = u;
        # res = np.arctan(res); res -= v: `_new_at_each_write`)
        # (nor a list of the helper's own that only its own methods change, traj =
        # [y]; traj.append(y): its items, maybe the caller's arrays, stay as they are)
        from .normalize import (
            _new_at_each_write,
            _written_in_place,
            own_lists_changed_only,
            written_through,
        )
        candidates = {n for n in _written_in_place(copied.body) if n not in params}
        inner = {n for n in candidates - own_lists_changed_only(copied.body, candidates)
                 if not _new_at_each_write(copied.body, n, parsed.resolve)}
        directly = set(written)
        through = written_through(copied, inner, parsed.resolve) & set(params) - rebound
        written |= through
        # (written only as p += v: NumPy's update in place for an array or a list, a new
        # value for a number, which the caller's name does not see)
        augmented_only = (augmented | augmenting_calls) - by_subscripts - through - (
            by_calls - augmenting_calls)
        if not written:
            return stmt
        given = dict(zip(params, call.args))
        given.update({apart.get(k.arg, k.arg): k.value for k in call.keywords})
        targets = {n.id for t in getattr(stmt, "targets", []) for n in walk(t)
                   if isinstance(n, gast.Name)}
        if not liveness:
            liveness.extend(read_later(parsed.node.body))
        later, bound = liveness
        read_by_closures = {n.id for d in walk(parsed.node)
                            if isinstance(d, (gast.Lambda, gast.FunctionDef)) and
                            d is not parsed.node for n in walk(d)
                            if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}
        live = later.get(id(stmt))
        if live is None:
            return stmt
        passed = []
        for param in sorted(written):
            value = given.get(param)
            if not isinstance(value, gast.Name):
                return stmt  # a view or an expression: as before
            # (h = log; logf(h, y), h not read after: the caller's list, as logf(log, y)
            # is; h = HIST, a module's: written into as Python's)
            if value.id not in live:
                value = name_node(_aliased(parsed, value.id))
            if value.id not in parsed.locals and value.id not in parsed.params or \
                    _holds_a_modules_array(parsed, value.id):
                return stmt  # a module's array (scale_into(W), v = W; fill(v)): written
                # into, as Python's
            if getattr(parsed, "is_helper", True) and value.id in parsed.params and \
                    value.id not in bound.get(id(stmt), frozenset()):
                return stmt  # a helper's own parameter: its caller's array, as before
            if value.id in read_by_closures:
                return stmt  # (read = lambda: v: when, the liveness cannot tell)
            if _item_of_a_parameter(parsed, value.id):
                return stmt  # (for b in bufs: fill(b, 2.0): bufs's arrays, written into
                # as Python's; the normalizer copies bufs and writes it back)
            passed.append(value.id)
        # An array read again after the call (step(u, dt) for its effect, then u; or
        # s = loop0(s, z)): the copy also returns it, and the statement assigns it
        # back (u = step_on_copies(u, dt); s, z = loop0_on_copies(s, z)).
        back = [(param, name) for param, name in zip(sorted(written), passed)
                if name in live and name not in targets]
        if back and isinstance(stmt, gast.Assign) and len(stmt.targets) != 1:
            return stmt
        targets = targets | {name for _, name in back}
        # (the parameters too: z = x[::2]; h(z) writes, in NumPy, into x)
        # (nor the argument a name passed stands for, h = log: given what h holds after
        # the call, below)
        standing = {other for name in passed
                    if (other := _aliased(parsed, name)) != name and other in parsed.params}
        partners = sorted((live & (bound.get(id(stmt), frozenset()) | set(parsed.params)))
                          - targets - set(passed) - standing)
        from .normalize import _items_written_in_place
        deep = _items_written_in_place(copied.body)
        for param, name in zip(sorted(written), passed):
            source = _shallow_copy_of(parsed, name) if param in deep else None
            if source is not None:
                shown = {new: old for old, new in apart.items()}.get(param, param)
                # (T = S.copy(); bump(T, x) doing T['h'] += v: NumPy writes into the
                # caller's array S['h'], which grad, on copies, would leave: refused as it
                # runs where the items are arrays, as T['h'] += v here is)
                where = (f"{parsed.where(stmt)}: {helper.__name__}() updates in place an "
                         f"item of {name}, a shallow copy of {source} whose arrays are the "
                         "caller's, which NumPy would change and grad, working on copies, "
                         f"would not. Copy the arrays too ({name} = copy.deepcopy({source})"
                         f"), or have {helper.__name__}() write {shown}[k] = {shown}[k] + ...")
                before.append(gast.copy_location(gast.Expr(value=gast.Call(
                    func=gast.Attribute(value=name_node(ad), attr="no_array_within",
                                        ctx=gast.Load()),
                    args=[name_node(name), gast.Constant(value=where, kind=None)],
                    keywords=[])), stmt))
            # (and the call's other arguments, which the helper may read after its
            # write: shared(x, d, d) writing d['w'] and reading e['w'])
            beside = sorted({a.id for p, a in given.items()
                             if p != param and isinstance(a, gast.Name)} - set(partners)) \
                if param in directly else []  # (through a name for an item: maybe a number)
            if not partners and not beside:
                continue
            # (nothing else read later: no check; where the helper writes into the
            # items' arrays, d['a'] += 1.0, those are checked too; where only through
            # names bound to items, val = z[0]; val += 1.0, those items: numbers where
            # z has one dimension, which nothing shares)
            where = f"{parsed.where(stmt)}: " + (getattr(stmt, "shown_as", None) or
                                                 gast.unparse(stmt).strip().splitlines()[0])
            items = None if param in directly or param in deep else \
                _items_written_through(copied, param, inner, parsed.resolve)
            for value in [gast.Subscript(value=name_node(name), slice=copy.deepcopy(index),
                                         ctx=gast.Load()) for index in items] if items \
                    else [name_node(name)]:
                check = gast.Call(func=gast.Attribute(value=name_node(ad), attr="alone",
                                                      ctx=gast.Load()),
                                  args=[value, gast.Tuple(
                                      elts=[name_node(p) for p in partners + beside],
                                      ctx=gast.Load()),
                                      gast.Constant(value=where, kind=None)],
                                  keywords=[gast.keyword(arg="items", value=gast.Constant(
                                      value=True, kind=None))] if param in deep else [])
                before.append(gast.copy_location(gast.Expr(value=check), stmt))
        # a list or dict it writes into (cache['h'] = h) holds, when it returns, what
        # its copy holds (as the caller's would); an array stays the caller's own
        # (only for what the caller of the function differentiated passed it: a list
        # or dict of the function's own, which its adjoints may hold, stays as it was)
        # (never into a differentiated argument, whose array grad leaves as passed)
        caller_passed = {param for param, name in zip(sorted(written), passed)
                         if name in parsed.params and not getattr(parsed, "is_helper", True)
                         and param not in dict(back) and name not in getattr(
                             parsed, "differentiated", parsed.params)}
        given = {p: namer.fresh(f"{p}_given") for p in sorted(caller_passed)}
        prologue = [gast.copy_location(assign_node(given[p], name_node(p), copied.body[0]),
                                       copied.body[0]) for p in sorted(given)]
        # (p[0] = v then p *= xv on a list: Python writes into the caller's list, then
        # binds p to a new array, which the copy cannot follow: refused as it runs)
        for p in sorted((augmented - augmented_only) & written):
            why = (f"{parsed.where(stmt)}: {helper.__name__}() writes into its parameter "
                   f"{p} and updates it with an augmented assignment, which for a list or "
                   "dict grad cannot follow (Python's may bind a new value): pass an array")
            prologue.append(gast.copy_location(gast.Expr(value=gast.Call(
                func=gast.Attribute(value=name_node(ad), attr="not_a_container",
                                    ctx=gast.Load()),
                args=[name_node(p), gast.Constant(value=why, kind=None)], keywords=[])),
                copied.body[0]))
        # (a list or dict whose items' arrays it writes into, ws[0] *= 2.0: those too)
        prologue += [_marked_copy(gast.Assign(
            targets=[name_node(p, gast.Store())],
            value=gast.Call(func=name_node(namer.builtin("list")) if p in as_lists and
                            p not in deep else gast.Attribute(
                value=name_node(ad), attr="copied_through" if p in deep else "copied",
                ctx=gast.Load()), args=[name_node(p)], keywords=[]), type_comment=None),
            copied.body[0]) for p in sorted(written)]
        copied.body = prologue + (_writing_back(copied.body, given, ad, namer) if given
                                  else copied.body)
        if back:
            kept = isinstance(stmt, gast.Assign)  # the helper's value is wanted too
            copied.body = _returning(copied.body, [p for p, _ in back], kept, namer)
            if not copied.body or not isinstance(copied.body[-1], gast.Return):
                copied.body.append(gast.Return(value=_returned(
                    gast.Constant(value=None, kind=None), [p for p, _ in back], kept)))
        copied.name = namer.fresh(f"{helper.__name__}_on_copies")
        copied.gives_back_into = sorted(given)  # (read by the normalizer's checks)
        copied.helper_name = helper.__name__  # (what its messages call it, and its
        copied.param_names = {new: old for old, new in apart.items()}  # parameters)
        copied.copies = sorted(written)
        # (its writes go into its own copies: called for its effect alone, it changes
        # nothing of this function's; the normalizer runs it as written. Not where it
        # also writes into another parameter, lst.append(v), itself or through a helper
        # of its own: the normalizer reads that call as any other)
        from .normalize import written_before_rebound
        copied.writes_copies_only = not written_before_rebound(copied, parsed.resolve)
        before.append(copied)
        if not getattr(stmt, "shown_as", None):  # (the line as written, in comments)
            stmt.shown_as = gast.unparse(stmt).strip().splitlines()[0]
        call.func = name_node(copied.name)
        call.keywords = [gast.keyword(arg=apart.get(k.arg, k.arg), value=k.value)
                         for k in call.keywords]
        if back:  # the statement takes the updated arrays back
            # (a number updated as p += v is taken back only where the caller's value
            # is updated in place: if _ad.updated_in_place(u): u = u_updated)
            maybe = {name: namer.fresh(f"{name}_updated") for param, name in back
                     if param in augmented_only}
            names = [name_node(maybe.get(name, name), gast.Store()) for _, name in back]
            if isinstance(stmt, gast.Assign):
                names = [stmt.targets[0]] + names
            target = names[0] if len(names) == 1 else gast.Tuple(elts=names, ctx=gast.Store())
            taken_back = gast.copy_location(gast.Assign(targets=[target], value=call,
                                                        type_comment=None), stmt)
            # (for the normalizer: the same list or dict, written into, not a new one)
            taken_back.writes_back = [name for _, name in back if name not in maybe]
            taken_back.shown_as = stmt.shown_as
            out = [taken_back]
            np_name = namer.reference(np, "np")
            out += [_taken_back_if_updated(name, updated, ad, np_name, stmt)
                    for name, updated in sorted(maybe.items())]
            # (h = log; logf(h, y); ... h read after: the argument h stands for holds
            # what h holds now, as Python's one list would; h = log if c else []: where
            # h was log when called)
            for _, name in back:
                other = _aliased(parsed, name)
                maybe_of = [] if other != name else sorted(_may_stand_for(parsed, name))
                for param in [other] if other != name and other in parsed.params else \
                        maybe_of:
                    same = gast.copy_location(assign_node(param, name_node(name), stmt),
                                              stmt)
                    same.writes_back = [param]
                    same.shown_as = stmt.shown_as
                    if param in maybe_of:
                        was = namer.fresh(f"{name}_is_{param}")
                        before.append(gast.copy_location(assign_node(was, gast.Compare(
                            left=name_node(name), ops=[gast.Is()],
                            comparators=[name_node(param)]), stmt), stmt))
                        same = gast.copy_location(gast.If(test=name_node(was), body=[same],
                                                          orelse=[]), stmt)
                        same.shown_as = stmt.shown_as
                    out.append(same)
            before.extend(out[:-1])
            return out[-1]
        return stmt

    _each_statement(parsed, rewrite)


def _aliased(parsed: Any, name: str) -> str:
    """The name ``name`` stands for where every binding of it in ``parsed``'s body is
    that other name (``h = log``), a parameter never bound anew or a name not bound
    there (a module's); else ``name``."""
    values = [n.value for n in walk(parsed.node) if isinstance(n, gast.Assign) and
              any(isinstance(t, gast.Name) and t.id == name for t in n.targets)]
    if not values or not all(isinstance(v, gast.Name) for v in values) or \
            len({v.id for v in values}) != 1:
        return name
    other = values[0].id
    stores = [n for n in walk(parsed.node) if isinstance(n, gast.Name) and n.id == other
              and isinstance(n.ctx, gast.Store)]
    if other in parsed.params and not stores or \
            other not in parsed.locals and other not in parsed.params:
        return other
    return name


def _item_of_a_parameter(parsed: Any, name: str) -> bool:
    """Whether ``name`` is bound only as a ``for`` loop's target over a parameter or a
    local (or an item or attribute of one): ``for b in bufs``, ``for i, b in
    enumerate(bufs)``: the helper writes into their arrays, as Python's does."""
    loops = stores = 0
    for node in walk(parsed.node):
        if isinstance(node, gast.Name) and node.id == name and \
                isinstance(node.ctx, (gast.Store, gast.Del)):
            stores += 1
        elif isinstance(node, (gast.For, gast.comprehension)) and any(
                isinstance(n, gast.Name) and n.id == name for n in walk(node.target)):
            loops += 1
            source = node.iter
            iterator = parsed.resolve(source.func) if isinstance(source, gast.Call) and \
                isinstance(source.func, gast.Name) and source.args else None
            sources = source.args if iterator is zip else source.args[:1] \
                if iterator in (enumerate, reversed) else [source]
            if not all(base_name(s) in parsed.params or base_name(s) in parsed.locals
                       for s in sources
                       if isinstance(s, (gast.Name, gast.Subscript, gast.Attribute))):
                return False
    return loops > 0 and stores == loops


def _shallow_copy_of(parsed: Any, name: str) -> Optional[str]:
    """The parameter ``name`` is a shallow copy of wherever it is bound (``S.copy()``,
    ``dict(S)``, ``list(S)``, ``copy.copy(S)``, ``S[:]``), else None."""
    values = [n.value for n in walk(parsed.node) if isinstance(n, gast.Assign) and
              any(isinstance(t, gast.Name) and t.id == name for t in n.targets)]
    from .mutation import shallow_copy_source
    sources = set()
    for v in values:
        source = shallow_copy_source(v, parsed.resolve)
        if source is None and isinstance(v, gast.Subscript) and isinstance(v.slice, gast.Slice):
            source = v.value  # (S[1:]: a shallow copy of part of S)
        if source is None:
            return None
        shown = gast.unparse(source).strip()
        while isinstance(source, gast.Subscript) and isinstance(source.slice, gast.Constant):
            source = source.value  # (list(S['buf']): a copy of a list the caller's holds)
        if not isinstance(source, gast.Name) or source.id not in parsed.params:
            return None
        sources.add(shown)
    return sources.pop() if len(sources) == 1 else None


def _may_stand_for(parsed: Any, name: str) -> set:
    """The parameters ``name`` may hold, bound as one of the values its bindings may
    give (``h = log if c else []``, ``h = log or []``, through other local names), where
    not every binding is that one (`_aliased`)."""
    found: set = set()
    pending, seen = [name], {name}
    while pending:
        current = pending.pop()
        for n in walk(parsed.node):
            if not (isinstance(n, gast.Assign) and any(
                    isinstance(t, gast.Name) and t.id == current for t in n.targets)):
                continue
            values = [n.value]
            while values:
                value = values.pop()
                if isinstance(value, gast.IfExp):
                    values += [value.body, value.orelse]
                elif isinstance(value, gast.BoolOp):
                    values += value.values
                elif isinstance(value, gast.Name) and value.id not in seen:
                    seen.add(value.id)
                    if value.id in parsed.params:
                        found.add(value.id)
                    else:
                        pending.append(value.id)
    return found


def _taken_back_if_updated(name: str, updated: str, ad: str, np_name: str,
                           where: Any) -> gast.stmt:
    """``if _ad.updated_in_place(name): name = np.asarray(updated)``: the caller's value
    of a helper's ``p += v`` taken back where NumPy updates it in place (an array, which
    stays one: a 0-d array's update computed as a number), not a number."""
    value = gast.Call(func=gast.Attribute(value=name_node(np_name), attr="asarray",
                                          ctx=gast.Load()),
                      args=[name_node(updated)], keywords=[])
    assign = gast.copy_location(assign_node(name, value, where), where)
    assign.writes_back = [name]
    assign.shown_as = getattr(where, "shown_as", None)
    test = gast.Call(func=gast.Attribute(value=name_node(ad), attr="updated_in_place",
                                         ctx=gast.Load()),
                     args=[name_node(name)], keywords=[])
    # (a list's p += [v], a dict's p |= {...}: the caller's name holds the updated one,
    # the caller's own list written back where it was given: Python's in-place change)
    extended = gast.Call(func=gast.Attribute(value=name_node(ad), attr="extended_in_place",
                                             ctx=gast.Load()),
                         args=[name_node(name), name_node(updated)], keywords=[])
    rebound = gast.copy_location(assign_node(name, name_node(updated), where), where)
    rebound.writes_back = [name]
    rebound.shown_as = assign.shown_as
    otherwise = gast.copy_location(gast.If(test=extended, body=[rebound], orelse=[]), where)
    otherwise.shown_as = assign.shown_as
    branch = gast.copy_location(gast.If(test=test, body=[assign], orelse=[otherwise]), where)
    branch.shown_as = assign.shown_as
    return branch


def _marked_copy(stmt: Any, where: Any) -> Any:
    """``p = _ad.copied(p)`` at the top of a copied helper, marked so: the helper's
    writes into ``p`` then go into an array of its own (read by
    `normalize._no_write_into_what_the_backward_reads`)."""
    stmt = gast.copy_location(stmt, where)
    stmt.copies_argument = True
    return stmt


class _Replaced(Transformer):
    """The node ``old`` replaced by ``new`` (by identity)."""

    def __init__(self, old: Any, new: Any) -> None:
        self.old, self.new = old, new

    def visit(self, node: Any) -> Any:
        return self.new if node is self.old else super().visit(node)


def _writer_calls_to_hoist(parsed: ParsedFunction, stmt: Any) -> list:
    """The calls, inside ``stmt``'s value, of a helper of yours that writes into its
    arguments (``return np.sum(helper(h, s))``), which can run before the statement as
    ``helper_value = helper(h, s)`` (then copied in, as a call standing alone is): each
    called unconditionally (not in a branch of ``a if c else b``, ``and``/``or``, a
    lambda or a comprehension), given names that nothing else in the statement reads
    (which Python reads before the call changes them, ``np.sum(s) + helper(h, s)``),
    beside no other call of yours or method that may change something."""
    from .mutation import MUTATING_METHODS, helper_writes_into, is_user_function
    value = getattr(stmt, "value", None)
    if not isinstance(stmt, (gast.Assign, gast.Expr, gast.Return)) or \
            not isinstance(value, gast.AST):
        return []
    calls: list = []
    conditional: list = []

    def visit(node: Any, inside: bool) -> None:
        if isinstance(node, (gast.Lambda, gast.ListComp, gast.SetComp, gast.DictComp,
                             gast.GeneratorExp, gast.IfExp, gast.BoolOp)):
            inside = True
        if isinstance(node, gast.Call):
            (conditional if inside else calls).append(node)
        for child in children(node):
            visit(child, inside)
    visit(value, False)
    hoisted = []
    for call in calls + conditional:
        if call is value and not isinstance(stmt, gast.Return):
            continue  # (z = fill(z, x) itself: copied in as it stands)
        fn = parsed.resolve(call.func) if isinstance(call.func, gast.Name) else None
        writer = fn is not None and is_user_function(fn) and inspect.isfunction(fn) and \
            bool(helper_writes_into(fn))
        if writer and call in calls and all(k.arg is not None for k in call.keywords) and \
                not any(isinstance(a, gast.Starred) for a in call.args):
            hoisted.append(call)
        elif writer or is_user_function(fn) or isinstance(call.func, gast.Attribute) and \
                call.func.attr in MUTATING_METHODS:
            return []  # (another call with effects: the order is the statement's)
    if not hoisted:
        return []
    inside_calls = {id(n) for call in hoisted for n in walk(call)}
    if any(id(call) in {id(n) for other in hoisted if other is not call
                        for n in walk(other)} for call in hoisted):
        return []  # (h(h(x, b), b): the inner runs first; left as written)
    given = {a.id for call in hoisted for a in list(call.args) + [
        k.value for k in call.keywords] if isinstance(a, gast.Name)}
    if any(isinstance(n, gast.Name) and n.id in given and id(n) not in inside_calls
           for n in walk(value)):
        return []
    _no_result_changed_by_the_next(parsed, stmt, hoisted)
    return hoisted


def _no_result_changed_by_the_next(parsed: ParsedFunction, stmt: Any, calls: list) -> None:
    """Refuse ``h(x, 2.0) + h(x, 2.0)`` where your ``h`` writes into its parameter and
    may return it (``p *= v; return p``): in NumPy both results are then the array the
    second call changed, which a derivative of each call on its own would not be."""
    from .mutation import may_share
    from .normalize import params_written_in_place
    seen: dict = {}
    for call in calls:
        fn = parsed.resolve(call.func)
        params, written = params_written_in_place(fn)
        given = dict(zip(params, call.args))
        given.update({k.arg: k.value for k in call.keywords})
        names = {a.id for p, a in given.items() if p in written and isinstance(a, gast.Name)}
        for name in names & set(seen):
            raise parsed.error(stmt, (
                f"{seen[name]}() writes into {name} and may return it, and this line calls "
                f"{call.func.id}() on {name} again: in NumPy the first result is the array "
                f"the second call changes. Have {seen[name]}() work on a copy of what it "
                "is given, or return a new array (p = p * v, not p *= v)"))
        if may_share(fn, call):
            seen.update({name: call.func.id for name in names})


def _items_written_through(copied: gast.FunctionDef, param: str, inner: set[str],
                           resolve: Callable[[gast.Name], Any]) -> Optional[list]:
    """The constant integer indices (gast nodes) of ``param`` that the names ``inner``
    (written in place) take, where those names share ``param``'s array only by being
    bound to such items (``val = x[0]``, ``val, h = x[0], x[1]``, ``val = x[0] if c
    else 1.0``): the write reaches ``param``'s array only where such an item is a view
    (``param`` has more dimensions than indices). None where a name may share it
    otherwise (``v = x``, ``r = x[i]``, a loop's target, a view's view)."""
    from .mutation import shared_names
    from .normalize import _constant_integers, written_through
    reaching = {n for n in inner if param in written_through(copied, {n}, resolve)}
    same = _names_only_ever(copied, param)  # (acc = x; q = acc[0]: x[0])
    counters = _range_counters_of(copied, resolve)
    indices: list = []
    for stmt in walk(copied):
        if isinstance(stmt, (gast.For, gast.comprehension, gast.With, gast.NamedExpr)) and \
                {n.id for n in walk(stmt.target if not isinstance(stmt, gast.With) else stmt)
                 if isinstance(n, gast.Name)} & reaching:
            return None  # (bound otherwise than by an assignment)
        if not isinstance(stmt, gast.Assign):
            continue
        for target in stmt.targets:
            pairs = list(zip(target.elts, stmt.value.elts)) if isinstance(
                target, gast.Tuple) and isinstance(stmt.value, gast.Tuple) and \
                len(target.elts) == len(stmt.value.elts) else [(target, stmt.value)]
            for part, value in pairs:
                names = {n.id for n in walk(part) if isinstance(n, gast.Name)}
                if not names & reaching:
                    continue
                if not isinstance(part, gast.Name):
                    return None  # (a, b = x[0]: unpacked from an item)
                leaves, pending = [], [value]
                while pending:
                    leaf = pending.pop()
                    if isinstance(leaf, gast.IfExp):
                        pending += [leaf.body, leaf.orelse]
                    else:
                        leaves.append(leaf)
                for leaf in leaves:
                    if isinstance(leaf, gast.Subscript) and isinstance(leaf.value, gast.Name) \
                            and leaf.value.id in same and _constant_integers(leaf.slice):
                        indices.append(leaf.slice)
                    elif isinstance(leaf, gast.Subscript) and \
                            isinstance(leaf.value, gast.Name) and leaf.value.id in same and \
                            _integers_by_counters(leaf.slice, counters):
                        # (act = q[step], step a range loop's counter: an int, so an item
                        # like q[0], a number where q has as few dimensions, checked so)
                        indices.append(_zero_for_counters(leaf.slice, counters))
                    elif isinstance(leaf, gast.Name) and leaf.id in reaching:
                        continue  # (hid = hid: one of these names, each binding seen here)
                    elif shared_names(gast.Expr(value=leaf), resolve):
                        return None  # (another array it may share)
    return indices or None


def _range_counters_of(node: gast.FunctionDef, resolve: Callable[[gast.Name], Any]) -> set:
    """The names ``node`` binds only as the variable of ``for i in range(...)`` loops:
    an int wherever they are read."""
    loops: dict = {}
    stores: dict = {}
    for n in walk(node):
        if isinstance(n, gast.For) and isinstance(n.target, gast.Name) and \
                isinstance(n.iter, gast.Call) and isinstance(n.iter.func, gast.Name) and \
                (resolve(n.iter.func) is range or n.iter.func.id == "range" and
                 resolve(n.iter.func) is None):  # (None: no global, the builtin)
            loops[n.target.id] = loops.get(n.target.id, 0) + 1
        elif isinstance(n, gast.Name) and isinstance(n.ctx, (gast.Store, gast.Del)):
            stores[n.id] = stores.get(n.id, 0) + 1
    return {name for name, count in loops.items() if stores.get(name) == count}


def _integers_by_counters(index: Any, counters: set) -> bool:
    """Whether ``index`` is ints and range counters only (``q[step]``, ``q[i, 0]``)."""
    from .normalize import _constant_integers
    items = index.elts if isinstance(index, gast.Tuple) else [index]
    return any(isinstance(i, gast.Name) for i in items) and all(
        isinstance(i, gast.Name) and i.id in counters or _constant_integers(i) for i in items)


def _zero_for_counters(index: Any, counters: set) -> Any:
    """``index`` with its counters 0: an item of the same number of dimensions."""
    def zero(i: Any) -> Any:
        return gast.Constant(value=0, kind=None) if isinstance(i, gast.Name) else i
    if isinstance(index, gast.Tuple):
        return gast.Tuple(elts=[zero(i) for i in index.elts], ctx=gast.Load())
    return zero(index)


def _names_only_ever(copied: gast.FunctionDef, param: str) -> set[str]:
    """``param`` and the names that only ever hold what ``param`` holds: each binding
    of them in ``copied`` is an assignment of ``param`` or of another such name
    (``acc = x``, ``p, acc = m, x``), none augmented or bound otherwise."""
    bindings: dict[str, list] = {}
    for stmt in walk(copied):
        if isinstance(stmt, gast.Assign):
            for target in stmt.targets:
                pairs = list(zip(target.elts, stmt.value.elts)) if isinstance(
                    target, gast.Tuple) and isinstance(stmt.value, gast.Tuple) and \
                    len(target.elts) == len(stmt.value.elts) else [(target, stmt.value)]
                for part, value in pairs:
                    for n in walk(part):
                        if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store):
                            bindings.setdefault(n.id, []).append(
                                value if part is n else None)
        elif isinstance(stmt, gast.Name) and isinstance(stmt.ctx, (gast.Store, gast.Del)):
            bindings.setdefault(stmt.id, [])
    assigned = {id(n) for stmt in walk(copied) if isinstance(stmt, gast.Assign)
                for target in stmt.targets for n in walk(target)}
    other = {n.id for n in walk(copied) if isinstance(n, gast.Name) and
             isinstance(n.ctx, (gast.Store, gast.Del)) and id(n) not in assigned}
    same = {param}
    grown = True
    while grown:
        grown = False
        for name, values in bindings.items():
            if name not in same and name not in other and values and all(
                    isinstance(v, gast.Name) and v.id in same for v in values):
                same.add(name)
                grown = True
    return same


def _writing_back(stmts: list, given: dict, ad: str, namer: Namer) -> list:
    """``stmts`` with ``_ad.written_back(p_given, p)`` for each copied parameter ``p``
    before each ``return`` (in nested blocks too, not nested defs) and at the end."""
    def back(at: Any) -> list:
        return [gast.copy_location(gast.Expr(value=gast.Call(
            func=gast.Attribute(value=name_node(ad), attr="written_back", ctx=gast.Load()),
            args=[name_node(g), name_node(p)], keywords=[])), at) for p, g in given.items()]

    def block(body: list) -> list:
        out: list = []
        for stmt in body:
            if isinstance(stmt, gast.Return):
                if stmt.value is not None and not isinstance(stmt.value, (gast.Name,
                                                                          gast.Constant)):
                    # (the value first, as Python evaluates it before returning)
                    name = namer.fresh("returned_value")
                    value = gast.copy_location(assign_node(name, stmt.value, stmt), stmt)
                    out += [value] + back(stmt) + [gast.copy_location(
                        gast.Return(value=name_node(name)), stmt)]
                    continue
                out += back(stmt) + [stmt]
                continue
            for part in ("body", "orelse"):
                if isinstance(stmt, (gast.For, gast.While, gast.If)):
                    setattr(stmt, part, block(getattr(stmt, part)))
            out.append(stmt)
        return out

    body = block(stmts)
    if not body or not isinstance(body[-1], gast.Return):
        body += back(body[-1] if body else None)
    return body


def _returned(value: gast.expr, params: list, kept: bool) -> gast.expr:
    """What a copy returns: the updated ``params`` (after ``value`` where ``kept``)."""
    items = ([value] if kept else []) + [name_node(p) for p in params]
    return items[0] if len(items) == 1 else gast.Tuple(elts=items, ctx=gast.Load())


def _returning(stmts: list, params: list, kept: bool, namer: Namer) -> list:
    """``stmts`` with each ``return e`` returning the updated ``params`` too (or, where
    the value is not ``kept``, instead: ``e`` still evaluated, into a name of its
    own), in nested blocks too (not nested defs)."""
    out: list = []
    for stmt in stmts:
        if isinstance(stmt, gast.Return):
            value = stmt.value if stmt.value is not None else \
                gast.Constant(value=None, kind=None)
            if not kept and stmt.value is not None:
                out.append(gast.copy_location(gast.Assign(
                    targets=[name_node(namer.fresh("discarded"), gast.Store())],
                    value=stmt.value, type_comment=None), stmt))
            out.append(gast.copy_location(gast.Return(value=_returned(value, params, kept)),
                                          stmt))
            continue
        for part in ("body", "orelse"):
            if isinstance(stmt, (gast.For, gast.While, gast.If)):
                setattr(stmt, part, _returning(getattr(stmt, part), params, kept, namer))
        out.append(stmt)
    return out


def _inside(target: Any, name: Any) -> bool:
    """Whether ``name`` is the array a target subscript assigns into (``y`` in ``y[0]``)."""
    return any(isinstance(n, (gast.Subscript, gast.Attribute)) and n.value is name
               for n in walk(target))


def _runtime() -> Any:
    from ..rules import runtime
    return runtime
