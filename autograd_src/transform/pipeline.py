"""grad's pipeline, stage by stage, with its cache.

source → fence → desugar → normalize → reverse (analyze, inline, optimize) →
codegen → loader. A helper the function calls is differentiated by the same
pipeline, re-entered from the normalizer through the `DERIVATIONS` it is
handed (`helper_derivative`, `nested_derivative`): the recursion lives here.
Transformations are cached per function and options, and serialised by a lock.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import os
import sys
import threading
import types
import weakref
from typing import Any, Callable, Iterator, Optional

import gast
import numpy as np

from .. import errors
from ..errors import DiffSyntaxError
from ..rules import registry
from . import codegen, desugar, fence, inline_defs, loader, normalize, reverse, source, stages
from . import optimize as optimizer
from .function_cache import FunctionCache
from .ir import name_ids, walk
from .mutation import is_user_function
from .naming import Namer, recursion_mark
from .source import is_bound_method, parameters

__all__ = ["transform", "helper_derivative", "nested_derivative", "cache_for", "cached",
           "bind", "derivative_name", "LOCK", "DERIVATIONS"]

_CACHE = FunctionCache("derivatives")
#: For each helper derivative made: the helper, the positions it is made for, and the
#: bindings it is specialised to (what forward mode over grad needs to run it again).
HELPER_ORIGINS = FunctionCache("helper_origin")


def cache_for(fn: Callable[..., Any]) -> dict:
    """The transformations of ``fn`` made so far (emptied if its code was replaced):
    keys are options, values ``(derivative, source, reads)``; ``"__code__"`` and
    ``"__owner__"`` (a weak reference to ``fn``, see `owner_of`) are kept beside."""
    per_fn = _CACHE.get(fn)
    if per_fn is None or per_fn.get("__code__") is not fn.__code__:
        per_fn = _made_for_its_twin(fn)
        _CACHE[fn] = per_fn
    return per_fn


#: code object -> (globals, closure cells, defaults, keyword defaults, cache) of the last
#: lambda made from it: a lambda made again from the same code (grad(lambda q:
#: cost(q, target)) in a loop) reading the same cells, globals and defaults is the same
#: function to grad, and shares its derivatives (GY 07). A few are kept, strongly (the
#: lambdas die between loop passes), and only those whose cells and defaults hold small
#: values (numbers, strings, modules, module-level functions): a lambda holding an array
#: or a closure must die with it, as any function given to grad does.
_TWINS: collections.OrderedDict = collections.OrderedDict()
_TWINS_KEPT = 16


def _made_for_its_twin(fn: Callable[..., Any]) -> dict:
    """The cache of the last function made from ``fn``'s code where it reads the same
    cells, globals and defaults (a lambda made anew in a loop), else a new one."""
    code = fn.__code__
    cells, defaults = tuple(fn.__closure__ or ()), tuple(fn.__defaults__ or ())
    keyword = dict(fn.__kwdefaults__ or {})
    found = _TWINS.get(code)
    if found is not None and found[0] is fn.__globals__ and _same(found[1], cells) and \
            _same(found[2], defaults) and found[3].keys() == keyword.keys() and \
            _same(tuple(found[3].values()), tuple(keyword.values())):
        per_fn = found[4]
        per_fn["__owner__"] = weakref.ref(fn)
        _TWINS.move_to_end(code)
        return per_fn
    per_fn = {"__code__": code, "__owner__": weakref.ref(fn)}
    try:
        held = [cell.cell_contents for cell in cells]
    except ValueError:  # (an empty cell)
        return per_fn
    if code.co_name == "<lambda>" and all(map(_small, held + list(defaults) +
                                              list(keyword.values()))):
        _TWINS[code] = (fn.__globals__, cells, defaults, keyword, per_fn)
        _TWINS.move_to_end(code)
        while len(_TWINS) > _TWINS_KEPT:
            _TWINS.popitem(last=False)
    return per_fn


def _small(value: Any) -> bool:
    """Whether keeping ``value`` alive costs little: a number, string or None, a
    module, or a function or class of a module (not one made in a function)."""
    if value is None or isinstance(value, (bool, int, float, complex, str, bytes,
                                           np.generic, types.ModuleType)):
        return True
    if isinstance(value, (types.FunctionType, type)):
        return "<locals>" not in value.__qualname__ and value.__name__ != "<lambda>"
    return isinstance(value, types.BuiltinFunctionType) or isinstance(value, np.ufunc)


def _same(these: tuple, those: tuple) -> bool:
    return len(these) == len(those) and all(a is b for a, b in zip(these, those))


def owner_of(per_fn: dict) -> Optional[Callable[..., Any]]:
    """The function whose cache `cache_for` made ``per_fn``, if it is alive."""
    return per_fn["__owner__"]()


def cached_entries(per_fn: dict) -> Iterator[tuple]:
    """The ``(derivative, source, reads)`` entries of ``per_fn``."""
    return (entry for key, entry in per_fn.items() if isinstance(key, tuple))


def derivative_name(fn_name: str, wrt: list[str], value: bool) -> str:
    base = fn_name if fn_name.isidentifier() else "f"
    name = f"d{base}d{'_'.join(wrt)}"
    return f"value_and_{name}" if value else name


@contextlib.contextmanager
def _recursion_room(frames: int) -> Iterator[None]:
    """Let Python recurse ``frames`` deep inside (restored after, if it was lower).

    Parsing and rewriting recurse once per level of nesting, so a one-line sum of
    hundreds of terms needs more than the default 1000 frames; so does the
    derivative of a recursive helper, which adds its own frames to each level.
    """
    limit = sys.getrecursionlimit()
    if limit >= frames:
        yield
        return
    sys.setrecursionlimit(frames)
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


def transform(fn: Callable[..., Any], wrt: list[str], single: bool, value: bool,
               printer: str, scalars: tuple = ((), (), (), (), ()), helper: bool = False,
               bindings: Optional[dict] = None, rewrite: Optional[bool] = None,
               given: frozenset = frozenset(), arrays: frozenset = frozenset(),
               tuples: frozenset = frozenset()
               ) -> tuple[Callable[..., Any], str, source.Reads]:
    if rewrite is None:  # a helper's derivative is made as its caller's is
        rewrite = optimizer.ENABLED.get()
    with source.recording() as reads, optimizer.enabled(rewrite), _recursion_room(20_000):
        compiled, shown = _generate(fn, wrt, single, value, printer, scalars, helper,
                                    bindings, given, arrays, tuples)
    return compiled, shown, reads


def _bind_function_defaults(parsed: source.ParsedFunction) -> None:
    """``def elbo(params, logprob=log_density)``: a call of ``logprob`` that carries a
    gradient is differentiated as the default's (the only function grad knows), and
    checks when it runs that the call left ``logprob`` to its default."""
    fn = parsed.fn
    bound = {param: default for param, default in source.default_values(fn).items()
             if param not in parsed.bound and callable(default) and
             not isinstance(default, type)}
    parsed.bound.update(bound)
    parsed.bound_defaults = bound  # read by the normalizer, which emits the checks


def _generate(fn: Callable[..., Any], wrt: list[str], single: bool, value: bool,
              printer: str, scalars: tuple, helper: bool, bindings: Optional[dict],
              given: frozenset = frozenset(), arrays: frozenset = frozenset(),
              tuples: frozenset = frozenset()) -> tuple[Callable[..., Any], str]:
    parsed = source.parse_function(fn)
    parsed.bound = dict(bindings or {})
    parsed.given_away = given  # (read by the normalizer: see helper_derivative)
    parsed.given_arrays = arrays
    parsed.given_tuples = tuples
    parsed.given_dicts = frozenset(scalars[4]) if len(scalars) > 4 else frozenset()
    if parsed.filename.startswith("<autograd_src "):  # a derivative, differentiated again
        from .forward import stacks  # (the forward stage imports this module)
        stacks.stacks_as_values(parsed.node)
    fence.check(parsed)
    stages.show(f"source ({parsed.name})", parsed.node)
    referenced = name_ids(parsed.node)
    namer = Namer(referenced | parsed.locals | set(parsed.closure), parsed.globals,
                  parsed.locals)
    name = namer.fresh(derivative_name(parsed.name, wrt, value))
    if helper:
        namer.defining = (recursion_mark(fn, wrt, bindings), name)
    parsed.is_helper = helper  # (read by desugar: a helper's parameters are its caller's)
    if not helper:
        _bind_function_defaults(parsed)
    parsed.differentiated = frozenset(wrt)  # (read by desugar: never written back)
    desugar.desugar(parsed, namer)
    stages.show("desugar", parsed.node)
    with source.transforming(parsed):
        norm = normalize.normalize(parsed, wrt, namer, *scalars, helper=helper,
                                   derive=DERIVATIONS)
    # The normalized function returns the name its last statement computes.
    stages.show("normalize", norm.body, gast.copy_location(
        gast.Return(value=gast.Name(id=norm.output, ctx=gast.Load(), annotation=None,
                                    type_comment=None)), norm.return_stmt))
    # A helper's derivative returns its value and its backward function.
    derivative = reverse.reverse(parsed, norm, wrt, namer, value_wanted=value or helper)
    lines: list = []
    backward = namer.fresh("backward") if helper else ""
    text = codegen.render(parsed, derivative, name, single, printer,
                          backward=backward, origins=lines)
    origin = f"{os.path.basename(parsed.filename)}:{parsed.node.lineno}"
    compiled = loader.load(text, name, fn, namer.injected, origin,
                           (parsed.filename, lines, parsed.name))
    compiled.__autograd_src_seed__ = derivative.seed_param
    compiled.__autograd_src_operands__ = norm.operand_params
    compiled.__autograd_src_state_arrays__ = norm.state_arrays
    compiled.__autograd_src_gives_number__ = helper and norm.output_scalar
    compiled.__autograd_src_logged__ = norm.logged
    if helper:
        code = _backward_code(compiled, backward)
        compiled.__autograd_src_unread__ = _never_read_by_backward(compiled, derivative, code)
        compiled.__autograd_src_read_directly__ = _read_directly_by_backward(compiled, code)
    return compiled, _with_helpers(text, list(namer.helper_sources))


def _backward_code(compiled: Callable[..., Any], backward: str) -> Optional[types.CodeType]:
    """The code of the backward function named ``backward`` a helper's derivative
    defines, or None."""
    return next((c for c in compiled.__code__.co_consts
                 if isinstance(c, types.CodeType) and c.co_name == backward), None)


def _parameters_of(compiled: Callable[..., Any]) -> tuple:
    code = compiled.__code__
    return code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]


def _never_read_by_backward(compiled: Callable[..., Any], derivative: Any,
                            code: Optional[types.CodeType]) -> frozenset:
    """The parameters of a helper's derivative that its backward function never reads,
    by any name: not among the names it reads from the derivative's scope, nor
    mentioned by a statement of the primal that mentions one of those (through which
    it may reach them: ``b = stats['w']``, ``x_stack.append(x)``). A caller may change
    them in place after the call (``stats['nfev'] += 1`` in an ODE's right-hand side
    called twice; HB F2)."""
    if code is None:
        return frozenset()
    statements = [n for s in derivative.primal for n in walk(s) if isinstance(n, gast.stmt)]
    mentioned = [_names_mentioned(s) for s in statements]
    reached = set(code.co_freevars)  # (what it reads, and all that may lead to it)
    while True:
        more = set().union(*(names for names in mentioned if names & reached)) - reached
        if not more:
            break
        reached |= more
    return frozenset(p for p in _parameters_of(compiled) if p not in reached)


def _read_directly_by_backward(compiled: Callable[..., Any],
                               code: Optional[types.CodeType]) -> frozenset:
    """The parameters of a helper's derivative its backward function reads by their
    own names, as it runs (``self``, for ``self.lr`` read then); not those it reads
    only through values read once in the primal (``self_lr = self.lr``): an attribute
    bound anew after the call (``self.lr = 2.0``) changes none of those (HC 08)."""
    params = frozenset(_parameters_of(compiled))
    return params if code is None else params & frozenset(code.co_freevars)


def _names_mentioned(stmt: Any) -> set:
    """The names a statement of a derivative's primal mentions: a loop's or branch's
    header alone (its body's statements are taken one by one), anything else whole."""
    if isinstance(stmt, (gast.For, gast.AsyncFor)):
        parts: list = [stmt.target, stmt.iter]
    elif isinstance(stmt, (gast.While, gast.If)):
        parts = [stmt.test]
    else:
        parts = [stmt]
    return {n.id for part in parts for n in walk(part) if isinstance(n, gast.Name)}


def _with_helpers(text: str, helpers: list[str]) -> str:
    """``text`` followed by the derivatives of the helpers it calls, and theirs.

    Only those called: a loop's activity is found by iterating, and a helper's
    derivative made for a first guess (fewer active arguments) is not shown.
    """
    shown = [text.rstrip("\n")]
    calling = text
    waiting = [h for h in helpers if h not in text]
    while True:
        called = [h for h in waiting
                  if h.split("(", 1)[0].replace("def ", "", 1).strip() + "(" in calling]
        if not called:
            break
        for h in called:
            waiting.remove(h)
            shown.append(h.rstrip("\n"))
            calling += h
    return "\n\n".join(shown) + "\n"


def nested_derivative(outer: source.ParsedFunction, node: Any, positions: list[int],
                      namer: Namer) -> tuple[Any, str]:
    """The derivative of a function defined inside ``outer``, as a def to place beside it."""
    import copy as _copy
    node = _copy.deepcopy(node)
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
    name = namer.fresh(derivative_name(node.name, wrt, False))
    # Its own names, except those it reads from the enclosing function and the
    # references (_ad, np) it shares with it.
    referenced = name_ids(node)
    # (the enclosing function's locals too: a nested def zip() there is what "zip"
    # names where this derivative runs, so the builtin is reached by another name)
    inner = Namer(referenced | set(namer.injected) | {name}, outer.globals,
                  assigned | set(outer.locals))
    inner.injected, inner._references = namer.injected, namer._references
    inner.helper_sources = namer.helper_sources
    parsed.differentiated = frozenset(wrt)  # (read by desugar: never written back)
    desugar.desugar(parsed, inner)
    norm = normalize.normalize(parsed, wrt, inner, helper=True, derive=DERIVATIONS)
    derivative = reverse.reverse(parsed, norm, wrt, inner, value_wanted=True)
    text = codegen.render(parsed, derivative, name, len(wrt) == 1, "gast",
                          backward=inner.fresh("backward"), origins=[], nested=True)
    namer.taken |= set(namer.injected)
    return name, text, derivative.seed_param


_IN_PROGRESS: set = set()
_USER_RECURSION_LIMIT = sys.getrecursionlimit()
#: Transformations run one at a time: derivatives first used from several threads
#: at once must not see one another's half-made cache entries (a helper marked
#: in progress by another thread looked like recursion). Re-entrant, since a
#: transformation transforms the helpers it calls.
LOCK = threading.RLock()


def cached(per_fn: dict, key: tuple) -> Optional[tuple]:
    """The cached ``(derivative, source, reads)`` for ``key``, unless a name it
    resolved now means something else; its reads count toward the caller's."""
    entry = per_fn.get(key)
    if entry is None or not entry[2].unchanged():
        return None
    source.replay(entry[2])
    return entry


def _with_varargs_given(fn: Any, bindings: Optional[dict], passed: int) -> Optional[dict]:
    """``bindings``, and where ``fn`` takes ``*args`` and a call picked as the code runs
    passes it ``passed`` values by position (its object or a partial's among them),
    how many ``*args`` holds (`with_vararg_count`, for a call known as it runs)."""
    import inspect as _inspect
    code = getattr(fn, "__code__", None)
    if code is None or not code.co_flags & _inspect.CO_VARARGS or \
            passed <= code.co_argcount:
        return bindings
    return {**(bindings or {}), desugar.VARARG_COUNT: passed - code.co_argcount}


def helper_wrt(fn: Callable[..., Any], positions: list, call: Any,
               caller: Any) -> tuple[list, list]:
    """The parameters of ``fn`` that differentiated ``positions`` of a call land in, and
    where each position's gradient (or tangent) goes: ``(index, None)`` for a named
    parameter, ``(index, k)`` for the k-th value of ``*args``."""
    import inspect as _inspect
    names, positional = parameters(fn)
    code = fn.__code__
    vararg = code.co_varnames[positional + code.co_kwonlyargcount] \
        if code.co_flags & _inspect.CO_VARARGS else None
    wrt = [names[p] for p in positions if p < positional]
    if any(p >= positional for p in positions):
        if vararg is None:
            raise caller.error(call, f"{fn.__name__}() takes {positional} positional "
                                     "arguments but more are passed")
        wrt.append(vararg)
    layout = [(wrt.index(names[p]), None) if p < positional else
              (wrt.index(vararg), p - positional) for p in positions]
    return wrt, layout


def with_vararg_count(fn: Callable[..., Any], call: Any, bindings: dict) -> dict:
    """``bindings``, and where ``fn`` takes ``*args`` and the call passes it ``n``
    values by position (none unpacked), ``n`` under `desugar.VARARG_COUNT`: the
    derivative is made for that many (a decorator's wrapper passing them on)."""
    import inspect as _inspect
    code = getattr(fn, "__code__", None)
    if call is None or code is None:
        return bindings
    bindings = _with_tuple_lengths(fn, call, bindings)
    if not code.co_flags & _inspect.CO_VARARGS or \
            any(isinstance(a, gast.Starred) for a in call.args):
        return bindings
    count = len(call.args) - code.co_argcount
    return {**bindings, desugar.VARARG_COUNT: count} if count > 0 else bindings


def _with_tuple_lengths(fn: Callable[..., Any], call: Any, bindings: dict) -> dict:
    """``bindings``, and where the call gives a parameter that ``fn`` passes on unpacked
    (``f(y, t, *args)``, odeint's way) a tuple or list display, its length under
    ``*name``: the derivative is made for that many (`desugar._varargs_passed_on`
    writes ``f(y, t, args[0], args[1])``, which can carry gradients)."""
    from .mutation import _definition
    code = fn.__code__
    names = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
    given: dict = {}
    for k, arg in enumerate(call.args):
        if isinstance(arg, gast.Starred) or k >= code.co_argcount:
            break
        given[names[k]] = arg
    given.update({k.arg: k.value for k in call.keywords if k.arg is not None})
    displays = {name: len(value.elts) for name, value in given.items()
                if isinstance(value, (gast.Tuple, gast.List)) and
                not any(isinstance(e, gast.Starred) for e in value.elts)}
    node = _definition(fn) if displays else None  # (most calls give none: not parsed)
    if not node:
        return bindings
    starred = {a.value.id for n in walk(node) if isinstance(n, gast.Call) for a in n.args
               if isinstance(a, gast.Starred) and isinstance(a.value, gast.Name)}
    lengths = {f"*{name}": n for name, n in displays.items() if name in starred}
    return {**bindings, **lengths} if lengths else bindings


def helper_derivative(fn: Callable[..., Any], positions: list[int], call: Any,
                      caller: source.ParsedFunction, bindings: Optional[dict] = None,
                      given: frozenset = frozenset(), dicts: frozenset = frozenset(),
                      numbers: frozenset = frozenset(), arrays: frozenset = frozenset(),
                      tuples: frozenset = frozenset()
                      ) -> tuple[Callable[..., Any], str, list]:
    """The generated derivative of a helper ``fn`` with respect to ``positions``, cached.

    Returns the derivative, its source, and where each position's gradient is in
    its result: ``(index, None)`` for a named parameter, ``(index, k)`` for the
    k-th value of ``*args``. ``bindings`` names parameters that receive known
    functions at this call site (``apply(f, x)``); the helper is specialised.
    ``given`` names parameters whose arrays the caller reads no more (``v =
    center(v)``): the helper's in-place updates of them (``u -= np.mean(u)``) may be
    made as new arrays, as updates of its own arrays are. ``dicts`` names parameters
    the caller gives dicts (``max(d, key=...)`` in the helper is then of its keys).
    ``numbers`` names parameters the caller surely gives numbers (its own code is made
    knowing so): the derivative is specialised to them, as a call's variant is;
    ``arrays`` alike, parameters it surely gives NumPy arrays (``u = u0.copy()`` in the
    helper is then an array, written in place where nothing reads its old values).
    ``tuples``, parameters it surely gives tuples (a namedtuple ``p``: ``p.shape`` in
    the helper is then its field, GX 01).
    """
    if is_bound_method(fn):
        # Model.create(x) for a classmethod, obj.method(x) for a module-level obj:
        # the function under it, specialised to the object it is bound to.
        function, owner = fn.__func__, fn.__self__
        derivative, text, layout = helper_derivative(
            function, [p + 1 for p in positions], call, caller,
            {**(bindings or {}), function.__code__.co_varnames[0]: owner}, given)
        return bind(derivative, owner), text, layout
    wrt, layout = helper_wrt(fn, positions, call, caller)
    dicts = frozenset(dicts) & set(source.parameters(fn)[0])
    numbers = frozenset(numbers) - dicts
    arrays = frozenset(arrays) - dicts - numbers
    bindings = with_vararg_count(fn, call, bindings or {})
    key = ("helper", tuple(positions), tuple(sorted((k, id(v)) for k, v in bindings.items())),
           optimizer.ENABLED.get()) + ((tuple(sorted(given)),) if given else ()) + (
        ("inline",) if inline_defs.ENABLED.get() else ()) + (  # (its nested defs inline:
        (("dicts",) + tuple(sorted(dicts)),) if dicts else ()) + (  # for second order)
        (("numbers",) + tuple(sorted(numbers)),) if numbers else ()) + (
        (("arrays",) + tuple(sorted(arrays)),) if arrays else ()) + (
        (("tuples",) + tuple(sorted(tuples)),) if tuples else ())
    with LOCK:
        return _helper_derivative(fn, key, wrt, layout, bindings, given, dicts, numbers,
                                  arrays, tuples)


def _helper_derivative(fn: Callable[..., Any], key: tuple, wrt: list[str], layout: list,
                       bindings: dict, given: frozenset = frozenset(),
                       dicts: frozenset = frozenset(), numbers: frozenset = frozenset(),
                       arrays: frozenset = frozenset(), tuples: frozenset = frozenset()
                       ) -> tuple[Callable[..., Any], str, list]:
    per_fn = cache_for(fn)
    if cached(per_fn, key) is None:
        if (fn, key) in _IN_PROGRESS:
            # Recursion: the derivative calls itself, through a reference resolved when
            # it runs (by then the transformation has finished).
            def recursive(*args: Any, **kwargs: Any) -> Any:
                # Each level of the user's recursion costs the derivative a few frames.
                with _recursion_room(4 * _USER_RECURSION_LIMIT):
                    return per_fn[key][0](*args, **kwargs)
            recursive.__name__ = derivative_name(fn.__name__, wrt, False)
            recursive.__autograd_src_recursion__ = recursion_mark(fn, wrt, bindings)
            return recursive, "", layout
        _IN_PROGRESS.add((fn, key))
        try:
            per_fn[key] = transform(fn, wrt, len(wrt) == 1, False, "gast",
                                     (tuple(sorted(numbers)), (), (), tuple(sorted(dicts)),
                                      tuple(sorted(dicts))),
                                     helper=True, bindings=bindings, given=given,
                                     arrays=arrays, tuples=tuples)
            HELPER_ORIGINS[per_fn[key][0]] = (fn, list(key[1]), dict(bindings))
        finally:
            _IN_PROGRESS.discard((fn, key))
    return per_fn[key][:2] + (layout,)


def bind(derivative: Callable[..., Any], instance: Any,
         check: Optional[Callable[[], None]] = None) -> Callable[..., Any]:
    """``derivative`` with ``instance`` passed as its first argument, like a method;
    ``check()`` first on each call, where given."""
    @functools.wraps(derivative, assigned=("__module__", "__name__", "__qualname__",
                                           "__doc__"), updated=())
    def bound(*args: Any, **kwargs: Any) -> Any:
        if check is not None:
            check()
        return derivative(instance, *args, **kwargs)

    for attribute in ("source", "__wrapped__", "__autograd_src_seed__"):
        if hasattr(derivative, attribute):
            setattr(bound, attribute, getattr(derivative, attribute))
    getattr(derivative, "__autograd_src_views__", []).append(bound)  # kept up to date
    bound.__autograd_src_bound_to__ = instance  # type: ignore[attr-defined]
    return bound


def _said_of_the_users_helper(exc: Exception, where: str) -> Exception:
    """A refusal met making, as the code runs, the derivative of a helper's backward
    function (a derivative of a derivative), said in terms of the user's helper."""
    filename = getattr(exc, "filename", None) or ""
    if not filename.startswith("<autograd_src"):
        return exc
    from ..jacobians import _in_user_terms  # (jacobians imports the pipeline)
    told = _in_user_terms(exc.msg, filename, "")
    if told == exc.msg:
        return exc
    return type(exc)(f"{where}: {told}", exc.filename, exc.lineno, (exc.offset or 1) - 1,
                     exc.text)


class DynamicMethod:
    """The derivative of ``obj.<attr>(...)`` where ``obj``'s class is known only when
    the call runs (``for layer in layers: h = layer.forward(h)``): made for that class
    then (once per class, cached), called with the object first like a helper's."""

    #: The names of the function differentiated that carry gradient somewhere in it
    #: (set once it is normalized): a function it made must not read them from its cells.
    gradient_names: frozenset = frozenset()

    def __init__(self, attr: str, positions: tuple, where: str) -> None:
        self.attr = attr
        self.positions = positions
        self.where = where
        self.__name__ = f"d{attr}"

    def __call__(self, obj: Any, *args: Any, **kwargs: Any) -> Any:
        kind, found, positions, bindings, first = self.followed(obj, kwargs)
        if kind == "rule":
            return _by_rule(found, args, positions, kwargs)  # act = np.tanh
        bindings = _with_varargs_given(found, bindings, len(args) + (
            1 if kind == "method" else len(first.args) if kind == "partial" else 0))
        try:
            derivative, _, layout = helper_derivative(found, positions, None, None, bindings)
        except (errors.NoRuleError, DiffSyntaxError) as exc:
            raise _said_of_the_users_helper(exc, self.where) from None
        if kind == "partial":
            made = derivative(*first.args, *args, **{**first.keywords, **kwargs})
        elif kind == "function":
            made = derivative(*args)
        else:
            self.no_method_hidden(bindings, first)
            made = derivative(first, *args)
        if all(k is None for _, k in layout):
            return made
        # (Module.__call__(self, *args, **kwargs) passing them on to self.forward: the
        # backward gives *args one tuple, each value's gradient taken from it; HC 04)
        value, backward = made
        many = len({index for index, _ in layout}) > 1

        def each(g: Any) -> Any:
            given = backward(g)
            given = given if many else (given,)
            grads = [given[index] if k is None else given[index][k] for index, k in layout]
            return grads[0] if len(grads) == 1 else tuple(grads)
        return value, each

    def no_gradient_read_from_cells(self, function: Any) -> None:
        """Refuse a function made inside the function differentiated (a lambda in a
        dict, a closure a local factory or a helper handed back) that reads from it a
        name carrying gradient: reached through another name, its derivative, made
        now, would read that name's value from its cell as a constant."""
        code = getattr(function, "__code__", None)
        if code is None or not code.co_filename.startswith("<autograd_src "):
            return
        read = sorted(set(code.co_freevars) & self.gradient_names)
        if read:
            name = getattr(function, "__name__", "f")
            label = "a lambda" if name == "<lambda>" else f"{name}()"
            raise TypeError(
                f"{self.where}: calls {label}, a function made in the function "
                f"differentiated that reads {', '.join(read)}, which carries gradient, "
                f"through another name (an item, an attribute, a value a call returned): "
                "grad follows such a function only where it is called by the name it is "
                f"defined with; call it by that name, or pass {', '.join(read)} to it as "
                "arguments")

    def no_method_hidden(self, bindings: Optional[dict], instance: Any) -> None:
        """Refuse an object whose own attribute hides a method of its class that the
        derivative of ``.attr()`` follows (``self.scale = np.cos`` set in ``__init__``
        over a method ``scale``): Python calls the attribute, the derivative was made for
        the class's method."""
        for marker in (bindings or {}).values():
            hidden = marker.hidden_by(instance) if isinstance(marker, source.InstanceOf) \
                and marker.cls is type(instance) else ""
            if hidden:
                raise TypeError(f"{self.where}: the object's own attribute {hidden} hides "
                                f"the method of {type(instance).__name__} that "
                                f".{self.attr}() calls, which grad differentiates (Python "
                                "calls the attribute); rename one of them")

    def followed(self, obj: Any, kwargs: dict) -> tuple[str, Any, list, Optional[dict], Any]:
        """What a call on ``obj`` runs (`_followed`), checked not to read gradient from
        its cells."""
        found = self._followed(obj, kwargs)
        self.no_gradient_read_from_cells(found[1])
        return found

    def _followed(self, obj: Any, kwargs: dict) -> tuple[str, Any, list, Optional[dict], Any]:
        """What a call on ``obj`` runs, checked: ``("function", f, positions, None,
        None)`` for a function of the user's picked at run time (called with the
        arguments), ``("rule", primitive, positions, None, None)`` for one with a
        derivative rule, and ``("method", function, positions, bindings, instance)``
        for a method of ``obj``'s class (or of a base class, through ``super()``),
        called with ``instance`` first. Both engines' derivatives follow this."""
        import inspect as _inspect
        if self.attr == "__call__":  # f = anp.tanh: HIPS autograd's wrapper of np.tanh
            obj = source._numpy_under_hips(obj)
        kind = type(obj)
        found = _inspect.getattr_static(kind, self.attr, None)
        if str(getattr(kind, "__module__", "")).startswith("numpy.random"):
            from .normalize.calls import draw_advice
            raise TypeError(f"{self.where}: .{self.attr}() of a {kind.__name__}, given a "
                            f"differentiated value, "
                            f"{draw_advice(self.attr, self.where)}")
        if isinstance(obj, np.vectorize):
            raise TypeError(f"{self.where}: np.vectorize runs its function on one number at "
                            "a time, in NumPy's C loop, which grad cannot follow: call the "
                            "function on the array itself where its operations are NumPy's "
                            "(lambda v: v ** 2 + 1.0 works on arrays as it is), or write the "
                            "loop as a comprehension (np.array([g(v) for v in x]))")
        if self.attr == "__call__" and isinstance(obj, functools.partial) and \
                isinstance(obj.func, types.FunctionType) and is_user_function(obj.func) and \
                registry.lookup(obj.func) is None:
            # fs = [partial(op, c=2.0)]; fs[0](x): op, called with what the partial binds
            # (made outside the function differentiated, or of constants: data; the
            # call's keywords, constants, go with the partial's)
            bound = len(obj.args)
            return "partial", obj.func, [p - 1 + bound for p in self.positions], None, obj
        if kwargs and self.attr == "__call__" and (registry.lookup(obj) is not None or
                                                   registry.is_nondifferentiable(obj)):
            # xp.sum(h, axis=0) for a module passed in: the function's rule takes them
            return "rule", obj, [p - 1 for p in self.positions], None, None
        if kwargs and isinstance(obj, types.ModuleType) and (
                registry.lookup(getattr(obj, self.attr, None)) is not None or
                registry.is_nondifferentiable(getattr(obj, self.attr, None))):
            return "rule", getattr(obj, self.attr), [p - 1 for p in self.positions], None, None
        if kwargs:
            raise TypeError(f"{self.where}: .{self.attr}() of an object known only when "
                            "the code runs is called with keyword arguments; pass them by "
                            "position")
        if self.attr == "__call__" and isinstance(obj, types.FunctionType) and \
                is_user_function(obj) and registry.lookup(obj) is None:
            # act = relu if ... else softplus: a function of the user's, picked now
            return "function", obj, [p - 1 for p in self.positions], None, None
        if self.attr == "__call__" and (registry.lookup(obj) is not None or
                                        registry.is_nondifferentiable(obj)):
            return "rule", obj, [p - 1 for p in self.positions], None, None
        if isinstance(obj, types.ModuleType):  # xp.sin(v), la.norm(v): xp passed in
            function = getattr(obj, self.attr, None)
            if function is not None and (registry.lookup(function) is not None or
                                         registry.is_nondifferentiable(function)):
                # (lib.round(d / box): a zero gradient, as np.round has)
                return "rule", function, [p - 1 for p in self.positions], None, None
            if isinstance(function, types.FunctionType) and is_user_function(function):
                return "function", function, [p - 1 for p in self.positions], None, None
            if function is None:  # (np.summ: Python's error)
                raise AttributeError(f"{self.where}: module {obj.__name__!r} has no "
                                     f"attribute {self.attr!r}")
            raise TypeError(f"{self.where}: {obj.__name__}.{self.attr}() has no derivative "
                            "rule (called through a module passed in)")
        if kind is super:  # super().act(z): the base class's method, on the instance
            bound = getattr(obj, self.attr, None)
            if isinstance(bound, types.MethodType) and \
                    isinstance(bound.__func__, types.FunctionType):
                function, instance = bound.__func__, bound.__self__
                return "method", function, list(self.positions), {
                    function.__code__.co_varnames[0]:
                    source.InstanceOf.for_class(type(instance))}, instance
        if self.attr == "__call__" and not isinstance(found, types.FunctionType):
            if not hasattr(kind, "__dict__") or getattr(kind, "__module__", "") in (
                    "operator", "functools", "builtins", "itertools"):
                # (operator.itemgetter(0, 2): a builtin's object, with no source to read)
                raise TypeError(f"{self.where}: calling an object of {kind.__module__}."
                                f"{kind.__name__} on a differentiated value: it has no derivative "
                                "rule and no Python source grad could read; write what it "
                                "does in the function (for operator.itemgetter(0, 2): "
                                "x[0], x[2])")
            raise TypeError(f"{self.where}: calling a {kind.__name__} picked when the code "
                            "runs (not a module-level function, and not an object whose "
                            "class defines __call__), which grad cannot differentiate; call "
                            "a module-level function or an object with a __call__ method")
        if isinstance(obj, type) and isinstance(_inspect.getattr_static(obj, self.attr, None),
                                                staticmethod):
            # type(self).f(w), self.__class__.f(w): a staticmethod of the class
            function = _inspect.getattr_static(obj, self.attr).__func__
            if isinstance(function, types.FunctionType) and is_user_function(function):
                return "function", function, [p - 1 for p in self.positions], None, None
            if registry.lookup(function) is not None:  # (ops = Ops; ops.act(x), a tanh)
                return "rule", function, [p - 1 for p in self.positions], None, None
        held = vars(obj).get(self.attr) if not isinstance(obj, type) and \
            isinstance(getattr(obj, "__dict__", None), dict) else None
        if held is None and isinstance(obj, type):
            held = _inspect.getattr_static(obj, self.attr, None)  # (Ops.act = np.tanh)
        if held is not None and not isinstance(held, (staticmethod, classmethod)) and \
                not hasattr(type(found), "__set__"):  # (a property of the class wins)
            # cfg = SimpleNamespace(act=np.tanh); cfg.act(x): the function it holds (or
            # a class's, called through the class: ops = Ops; ops.act(x))
            if registry.lookup(held) is not None:
                return "rule", held, [p - 1 for p in self.positions], None, None
            if isinstance(held, types.FunctionType) and is_user_function(held):
                return "function", held, [p - 1 for p in self.positions], None, None
        if found is None:
            raise AttributeError(f"{self.where}: a {kind.__name__} has no method "
                                 f".{self.attr}()")
        if kind in (dict, list, tuple, set, str):
            # (d = CONST; d.get(k, x): a builtin's method, found only as the code runs)
            raise TypeError(f"{self.where}: .{self.attr}() of a {kind.__name__} known only "
                            "as the code runs is given a differentiated value; grad follows "
                            f"a {kind.__name__}'s methods where it sees which "
                            f"{kind.__name__} it is: call it on the name the {kind.__name__} "
                            "is passed in or defined by (CONST.get(k, x), not d = CONST; "
                            "d.get(k, x))")
        if not isinstance(found, types.FunctionType) or self.attr in getattr(
                obj, "__dict__", {}):
            raise TypeError(f"{self.where}: .{self.attr}() of a {kind.__name__} is not a "
                            "method defined on its class (a function stored on the "
                            "instance, a classmethod or a property), which grad cannot "
                            "differentiate; call a plain method or a module-level function")
        return "method", found, list(self.positions), {
            found.__code__.co_varnames[0]: source.InstanceOf.for_class(kind)}, obj


def _piece_for_argument(rule: Any, whole: tuple, p: int) -> Any:
    """The adjoint the rule gave for positional argument ``p``: the ``p - k``-th of the
    adjoints of its ``*operands`` where those start at input ``k`` (``xp.einsum('i,ij',
    b, M)``: b is the first operand), else its ``p``-th."""
    k = rule.variadic_input
    if k is not None and p >= k:
        pieces = whole[k] if k < len(whole) else None
        return None if pieces is None else pieces[p - k]
    return whole[p] if p < len(whole) else None


def _by_rule(primitive: Any, args: tuple, positions: list, kwargs: Optional[dict] = None
             ) -> tuple:
    """``primitive(*args, **kwargs)`` (a function with a derivative rule, picked when the
    code runs) and the function giving the gradients of the arguments at ``positions``,
    as a helper's derivative gives them."""
    from ..rules import runtime
    rule = registry.lookup(primitive)
    kwargs = kwargs or {}
    value = primitive(*args, **kwargs)

    def back(g: Any) -> Any:
        if rule is None:  # (declared without a gradient: np.round, np.sign)
            grads = [runtime.zeros_like(args[p]) for p in positions]
            return grads[0] if len(grads) == 1 else tuple(grads)
        singles = [rule.input_vjp(p) if rule.variadic_input is None and p < rule.n_inputs
                   else None for p in positions]
        if all(singles):  # (each adjoint asked for alone: clip(x, 0.6, None) computes
            # nothing of its bound None's, GZ 04, as grad's own code does not)
            whole = [None] * (max(positions) + 1)
            for p, single in zip(positions, singles):
                whole[p] = single(g, value, *args, **kwargs)
            whole = tuple(whole)
        else:
            whole = rule.vjp(g, value, *args, **kwargs)
            whole = (whole,) if rule.n_inputs == 1 else tuple(whole)
        grads = []
        for p in positions:
            piece = _piece_for_argument(rule, whole, p)
            if piece is None:
                piece = runtime.zeros_like(args[p])
            elif rule.variadic_input is None and p < len(rule.params) and \
                    rule.input_is_sequence(p) and isinstance(args[p], (list, tuple)):
                # (xp.concatenate([a, b]): one adjoint per array of the list, as a list)
                piece = type(args[p])(runtime.zeros_like(a) if d is None else
                                      runtime.unbroadcast(d, a) for d, a in zip(piece, args[p]))
            else:
                piece = runtime.unbroadcast(piece, args[p])
            grads.append(piece)
        return grads[0] if len(grads) == 1 else tuple(grads)

    return value, back


def dynamic_method(attr: str, positions: list, where: str) -> DynamicMethod:
    """The derivative to call for ``obj.<attr>(...)``, ``obj`` of a class known at run time."""
    return DynamicMethod(attr, tuple(positions), where)


class _Derivations:
    """What the normalizer asks of the pipeline: the derivatives of the helpers it meets."""

    helper = staticmethod(helper_derivative)
    nested = staticmethod(nested_derivative)
    method = staticmethod(dynamic_method)
    reverse = True  # (a gradient called inside: its backward, `CalledDerivative`)


DERIVATIONS = _Derivations()


def transform_forward(fn: Callable[..., Any], wrt: list[str], printer: str = "gast",
                      scalars: tuple = ((), (), ()), helper: bool = False,
                      bindings: Optional[dict] = None, rewrite: Optional[bool] = None,
                      given: frozenset = frozenset(), arrays: frozenset = frozenset(),
                      tuples: frozenset = frozenset()
                      ) -> tuple[Callable[..., Any], str, source.Reads]:
    """The forward-mode derivative of ``fn`` along ``wrt`` (`transform.forward`): the
    compiled function, its source (with its helpers'), and the names it resolved."""
    from . import forward
    if rewrite is None:  # a helper's derivative is made as its caller's is
        rewrite = optimizer.ENABLED.get()
    with source.recording() as reads, optimizer.enabled(rewrite), _recursion_room(20_000):
        compiled, shown = forward.generate(fn, wrt, printer, scalars, helper, bindings,
                                           given, arrays, tuples)
    return compiled, shown, reads
