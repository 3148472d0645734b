"""Closures made by a factory: ``step = make_step(a)`` then ``step(x)``.

A factory is a function of the user's whose last statement returns a lambda or a
def of its own (``return lambda x: x - lr * (x ** 2 - a)``). Calling what it made
computes the factory's body and then the closure's, with the values the factory
was given: this module writes that composition as a function of its own,
``make_step__lambda(a, x)``, which `grad` differentiates like any helper, so the
gradient reaches ``a`` (the value passed when the closure was made) as well as ``x``.
"""

from __future__ import annotations

import copy
import linecache
import weakref
from typing import Any, Callable, Optional

import gast

from . import source
from .ir import base_name, name_ids, walk

__all__ = ["closure_body", "composed"]

_COMPOSED: "weakref.WeakKeyDictionary[Callable, Callable]" = weakref.WeakKeyDictionary()


def closure_body(factory: Callable[..., Any]) -> Optional[tuple]:
    """``(parsed factory, statements before the return, the closure)`` when ``factory``
    ends by returning a lambda or a def made in it (and returns nowhere else); None
    for any other function."""
    try:
        parsed = source.parse_function(factory)
    except Exception:  # no source: not a factory grad can look into
        return None
    body = parsed.node.body
    if not body or not isinstance(body[-1], gast.Return) or body[-1].value is None:
        return None
    if any(isinstance(n, gast.Return) for s in body[:-1] for n in walk(s)
           if not isinstance(s, gast.FunctionDef)):
        return None
    made = body[-1].value
    if isinstance(made, gast.Lambda):
        found = parsed, body[:-1], made
    elif isinstance(made, gast.Name):
        defs = [s for s in body[:-1] if isinstance(s, gast.FunctionDef) and s.name == made.id]
        if len(defs) != 1 or any(isinstance(n, (gast.Nonlocal, gast.Global))
                                 for n in walk(defs[0])):
            return None
        found = parsed, [s for s in body[:-1] if s is not defs[0]], defs[0]
    else:
        return None
    return None if _keeps_state(found[2]) else found


def _keeps_state(made: Any) -> bool:
    """Whether the closure ``made`` writes into something it does not make itself:
    what the factory made for it (``cnt = [0]`` then ``cnt[0] += 1``, a counter kept
    across its calls, which a composition remaking it at each call would restart), or
    anything else it reaches (``log.append(z)``)."""
    from .mutation import MUTATING_METHODS, SET_CHANGING_METHODS
    own = {a.id for a in made.args.posonlyargs + made.args.args + made.args.kwonlyargs} | \
        {n.id for n in walk(made) if isinstance(n, gast.Name) and
         isinstance(n.ctx, gast.Store)}
    changing = MUTATING_METHODS | SET_CHANGING_METHODS
    for node in walk(made):
        targets = node.targets if isinstance(node, gast.Assign) else \
            [node.target] if isinstance(node, gast.AugAssign) else []
        for target in targets:
            root = base_name(target)
            if not isinstance(target, gast.Name) and root is not None and root not in own:
                return True  # (cnt[0] += 1, box.n = v: state its calls share)
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and \
                isinstance(node.func.value, gast.Name) and \
                node.func.value.id not in own and node.func.attr in changing:
            return True  # (log.append(z))
    return False


def composed(factory: Callable[..., Any]) -> Optional[Callable[..., Any]]:
    """The function ``factory(*made_with)(*args)`` as one: its parameters are the
    factory's followed by the closure's (renamed apart). Cached per factory."""
    if factory in _COMPOSED:
        return _COMPOSED[factory]
    found = closure_body(factory)
    if found is None:
        return None
    parsed, before, made = found
    outer = [a.id for a in parsed.node.args.posonlyargs + parsed.node.args.args]
    args = made.args
    if args.vararg or args.kwarg or args.kwonlyargs or \
            not all(isinstance(d, gast.Constant) for d in args.defaults) or \
            parsed.node.args.vararg or parsed.node.args.kwarg or parsed.node.args.kwonlyargs:
        return None  # (a constant default, def f(v, n=2), is the composed function's too)
    own = {a.id for a in args.posonlyargs + args.args}
    taken = set(outer) | {n.id for s in before for n in walk(s)
                          if isinstance(n, gast.Name)} | \
        (name_ids(made) - own)
    renamed = {}
    for a in args.posonlyargs + args.args:
        name = a.id
        while name in taken or name in renamed.values():
            name += "_"
        renamed[a.id] = name
    made = copy.deepcopy(made)
    for node in walk(made):
        if isinstance(node, gast.Name) and node.id in renamed:
            node.id = renamed[node.id]
    inner = made.body if isinstance(made, gast.FunctionDef) else \
        [gast.Return(value=made.body)]
    kind = made.name if isinstance(made, gast.FunctionDef) else "lambda"
    name = f"{factory.__name__}__{kind}"
    params = outer + [renamed[a.id] for a in args.posonlyargs + args.args]
    fn = gast.FunctionDef(
        name=name, args=gast.arguments(
            args=[gast.Name(id=p, ctx=gast.Param(), annotation=None, type_comment=None)
                  for p in params], posonlyargs=[], vararg=None, kwonlyargs=[],
            kw_defaults=[], kwarg=None, defaults=copy.deepcopy(args.defaults)),
        body=copy.deepcopy(before) + inner, decorator_list=[], returns=None,
        type_comment=None, type_params=[])
    text = gast.unparse(gast.fix_missing_locations(
        gast.Module(body=[fn], type_ignores=[])))
    filename = (f"<autograd_src: {factory.__name__}(...) and the {kind} it returns, "
                f"{parsed.where(parsed.node)}>")
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    namespace: dict = {}
    exec(compile(text, filename, "exec"), factory.__globals__, namespace)
    function = namespace[name]
    _COMPOSED[factory] = function
    return function
