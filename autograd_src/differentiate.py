"""The user-facing operators `grad` and `value_and_grad`, and the pipeline they run.

source → fence → desugar → normalize → reverse (analyze, inline, optimize) →
codegen → loader, cached per function and options.
"""

from __future__ import annotations

import contextlib
import functools
import operator
import os
import sys
import threading
import types
import weakref
from typing import Any, Callable, Iterator, Optional, Sequence, Union

import gast
import numpy as np

from . import codegen, desugar, fence, loader, normalize, reverse, source
from . import optimize as optimizer
from .errors import UnresolvedMethodError
from .naming import Namer

__all__ = ["grad", "value_and_grad", "derivative_source"]

Wrt = Union[int, str, Sequence[Union[int, str]]]

_CACHE: "weakref.WeakKeyDictionary[Callable, dict]" = weakref.WeakKeyDictionary()


def _cache_for(fn: Callable[..., Any]) -> dict:
    """The transformations of ``fn`` made so far (emptied if its code was replaced)."""
    per_fn = _CACHE.get(fn)
    if per_fn is None or per_fn.get("__code__") is not fn.__code__:
        per_fn = {"__code__": fn.__code__}
        _CACHE[fn] = per_fn
    return per_fn


def _parameters(fn: Callable[..., Any]) -> tuple[list[str], int]:
    code = fn.__code__
    positional = code.co_argcount
    names = list(code.co_varnames[: positional + code.co_kwonlyargcount])
    if _is_bound_method(fn):  # its caller never passes `self`
        return names[1:], positional - 1
    return names, positional


def _is_bound_method(fn: Callable[..., Any]) -> bool:
    return isinstance(fn, types.MethodType) and isinstance(fn.__func__, types.FunctionType)


def _resolve_wrt(fn: Callable[..., Any], wrt: Wrt) -> tuple[list[str], bool]:
    """Parameter names to differentiate with respect to, and whether one was asked."""
    names, positional = _parameters(fn)
    single = not isinstance(wrt, (tuple, list))
    items = [wrt] if single else list(wrt)
    if not items:
        raise ValueError("wrt is empty: name at least one parameter")
    listing = ", ".join(names) or "none"
    chosen = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (int, str)):
            raise TypeError(f"wrt must be a parameter position (int) or name (str), "
                            f"got {item!r}")
        if isinstance(item, int):
            if not -positional <= item < positional:
                raise ValueError(f"wrt={item} is out of range: "
                                 f"{getattr(fn, '__name__', 'f')}() has {positional} "
                                 f"positional parameter(s) ({listing})")
            chosen.append(names[item % positional])
        else:
            if item not in names:
                raise ValueError(f"wrt={item!r} is not a parameter of "
                                 f"{getattr(fn, '__name__', 'f')}(); its parameters are "
                                 f"({listing})")
            chosen.append(item)
    if len(set(chosen)) != len(chosen):
        raise ValueError(f"wrt names a parameter twice: {tuple(items)!r}")
    return chosen, single


def _derivative_name(fn_name: str, wrt: list[str], value: bool) -> str:
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


def _transform(fn: Callable[..., Any], wrt: list[str], single: bool, value: bool,
               printer: str, scalars: tuple = ((), (), ()), helper: bool = False,
               bindings: Optional[dict] = None,
               rewrite: Optional[bool] = None) -> tuple[Callable[..., Any], str, source.Reads]:
    if rewrite is None:  # a helper's derivative is made as its caller's is
        rewrite = optimizer.ENABLED.get()
    with source.recording() as reads, optimizer.enabled(rewrite), _recursion_room(20_000):
        compiled, shown = _generate(fn, wrt, single, value, printer, scalars, helper,
                                    bindings)
    return compiled, shown, reads


def _generate(fn: Callable[..., Any], wrt: list[str], single: bool, value: bool,
              printer: str, scalars: tuple, helper: bool,
              bindings: Optional[dict]) -> tuple[Callable[..., Any], str]:
    parsed = source.parse_function(fn)
    parsed.bound = dict(bindings or {})
    fence.check(parsed)
    referenced = {n.id for n in gast.walk(parsed.node) if isinstance(n, gast.Name)}
    namer = Namer(referenced | parsed.locals | set(parsed.closure), parsed.globals,
                  parsed.locals)
    name = namer.fresh(_derivative_name(parsed.name, wrt, value))
    desugar.desugar(parsed, namer)
    norm = normalize.normalize(parsed, wrt, namer, *scalars, helper=helper)
    # A helper's derivative returns its value and its backward function.
    derivative = reverse.reverse(parsed, norm, wrt, namer, value_wanted=value or helper)
    text = codegen.render(parsed, derivative, name, single, printer,
                          backward=namer.fresh("backward") if helper else "")
    origin = f"{os.path.basename(parsed.filename)}:{parsed.node.lineno}"
    compiled = loader.load(text, name, fn, namer.injected, origin)
    compiled.__autograd_src_seed__ = derivative.seed_param
    return compiled, _with_helpers(text, list(namer.helper_sources))


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
    assigned = {n.id for n in gast.walk(node) if isinstance(n, gast.Name)
                and isinstance(n.ctx, (gast.Store, gast.Param))}
    parsed = source.ParsedFunction(
        fn=outer.fn, node=node, filename=outer.filename, file_lines=outer.file_lines,
        globals=outer.globals, closure=outer.closure, params=params + [
            a.id for a in args.kwonlyargs], locals=assigned | (outer.locals - assigned))
    fence.check(parsed)
    wrt = [params[p] for p in positions]
    name = namer.fresh(_derivative_name(node.name, wrt, False))
    # Its own names, except those it reads from the enclosing function and the
    # references (_ad, np) it shares with it.
    referenced = {n.id for n in gast.walk(node) if isinstance(n, gast.Name)}
    inner = Namer(referenced | set(namer.injected) | {name}, outer.globals, assigned)
    inner.injected, inner._references = namer.injected, namer._references
    desugar.desugar(parsed, inner)
    norm = normalize.normalize(parsed, wrt, inner, helper=True)
    derivative = reverse.reverse(parsed, norm, wrt, inner, value_wanted=True)
    text = codegen.render(parsed, derivative, name, len(wrt) == 1, "gast",
                          backward=inner.fresh("backward"))
    namer.taken |= set(namer.injected)
    return name, text, derivative.seed_param


_IN_PROGRESS: set = set()
_USER_RECURSION_LIMIT = sys.getrecursionlimit()
#: Transformations run one at a time: derivatives first used from several threads
#: at once must not see one another's half-made cache entries (a helper marked
#: in progress by another thread looked like recursion). Re-entrant, since a
#: transformation transforms the helpers it calls.
_LOCK = threading.RLock()


def _cached(per_fn: dict, key: tuple) -> Optional[tuple]:
    """The cached ``(derivative, source, reads)`` for ``key``, unless a name it
    resolved now means something else; its reads count toward the caller's."""
    entry = per_fn.get(key)
    if entry is None or not entry[2].unchanged():
        return None
    source.replay(entry[2])
    return entry


def helper_derivative(fn: Callable[..., Any], positions: list[int], call: Any,
                      caller: source.ParsedFunction,
                      bindings: Optional[dict] = None) -> tuple[Callable[..., Any], str, list]:
    """The generated derivative of a helper ``fn`` with respect to ``positions``, cached.

    Returns the derivative, its source, and where each position's gradient is in
    its result: ``(index, None)`` for a named parameter, ``(index, k)`` for the
    k-th value of ``*args``. ``bindings`` names parameters that receive known
    functions at this call site (``apply(f, x)``); the helper is specialised.
    """
    import inspect as _inspect
    if _is_bound_method(fn):
        # Model.create(x) for a classmethod, obj.method(x) for a module-level obj:
        # the function under it, specialised to the object it is bound to.
        function, owner = fn.__func__, fn.__self__
        derivative, text, layout = helper_derivative(
            function, [p + 1 for p in positions], call, caller,
            {**(bindings or {}), function.__code__.co_varnames[0]: owner})
        return _bind(derivative, owner), text, layout
    names, positional = _parameters(fn)
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
    bindings = bindings or {}
    key = ("helper", tuple(positions), tuple(sorted((k, id(v)) for k, v in bindings.items())),
           optimizer.ENABLED.get())
    with _LOCK:
        return _helper_derivative(fn, key, wrt, layout, bindings)


def _helper_derivative(fn: Callable[..., Any], key: tuple, wrt: list[str], layout: list,
                       bindings: dict) -> tuple[Callable[..., Any], str, list]:
    per_fn = _cache_for(fn)
    if _cached(per_fn, key) is None:
        if (fn, key) in _IN_PROGRESS:
            # Recursion: the derivative calls itself, through a reference resolved when
            # it runs (by then the transformation has finished).
            def recursive(*args: Any, **kwargs: Any) -> Any:
                # Each level of the user's recursion costs the derivative a few frames.
                with _recursion_room(4 * _USER_RECURSION_LIMIT):
                    return per_fn[key][0](*args, **kwargs)
            recursive.__name__ = _derivative_name(fn.__name__, wrt, False)
            return recursive, "", layout
        _IN_PROGRESS.add((fn, key))
        try:
            per_fn[key] = _transform(fn, wrt, len(wrt) == 1, False, "gast", helper=True,
                                     bindings=bindings)
        finally:
            _IN_PROGRESS.discard((fn, key))
    return per_fn[key][:2] + (layout,)


def _check_argument(value: Any, name: str) -> None:
    kind = type(value)
    if kind is float:
        return
    if kind is bool or kind is int:
        raise TypeError(f"cannot differentiate with respect to {name}={value!r}, an "
                        f"{kind.__name__}: gradients need floating point; pass "
                        f"{name}={float(value)!r}")
    dtype = getattr(value, "dtype", None)
    if dtype is None:
        raise TypeError(f"cannot differentiate with respect to {name}, a "
                        f"{kind.__name__}: pass a float or a NumPy float array "
                        f"(np.asarray({name}, dtype=float))")
    if dtype.kind != "f":
        raise TypeError(f"cannot differentiate with respect to {name}, which has dtype "
                        f"{dtype}: gradients need a floating-point dtype; pass "
                        f"{name}.astype(float)")


_SCALAR_TYPES = (float, int, bool, np.float64, np.float32, np.int64, np.int32, np.bool_)


_SCALAR_SET = frozenset(_SCALAR_TYPES)
_NO_SCALARS: tuple = ((), (), ())
_ARRAYS_ONLY = frozenset([np.ndarray])
_SHAPE = operator.attrgetter("shape")


def _scalar_signature(names: list[str], args: tuple, kwargs: dict) -> tuple:
    """What this call says about its arguments' shapes: which are scalars, which are
    lists/tuples of scalars, and which arrays share a shape.

    Code generated knowing that (say) ``x`` is a Python float, or that ``x`` and
    ``v`` have one shape, can leave out the shape bookkeeping that broadcasting
    needs, which dominates loops over scalars and small arrays.
    """
    if not kwargs and _ARRAYS_ONLY.issuperset(map(type, args)) and \
            (len(args) == 1 or len(set(map(_SHAPE, args))) == len(args)):
        return _NO_SCALARS  # arrays of different shapes: the common case, decided in C
    scalars: list = []
    sequences: list = []
    shapes: dict = {}
    pairs = zip(names, args) if not kwargs else list(zip(names, args)) + list(kwargs.items())
    for name, value in pairs:
        kind = type(value)
        if kind is np.ndarray:  # the common case, decided first
            shapes.setdefault(value.shape, []).append(name)
        elif kind in _SCALAR_SET:
            scalars.append(name)
        elif (kind is list or kind is tuple) and value and \
                _SCALAR_SET.issuperset(map(type, value)):  # in C: 3x faster than a loop
            sequences.append(name)
    groups = tuple(tuple(g) for g in shapes.values() if len(g) > 1)
    if not scalars and not sequences and not groups:
        return _NO_SCALARS
    return tuple(scalars), tuple(sequences), groups


_FLOAT64 = np.dtype(np.float64)


def _make_checker(fn: Callable[..., Any], wrt: list[str]) -> Callable[[tuple, dict], tuple]:
    """A function checking the arguments differentiated with respect to; it returns
    ``(k, dtype)`` for each of them narrower than float64, whose gradient must be
    given back in that dtype (float32 weights times float64 data compute in float64)."""
    readers = [(name, _argument(fn, name)) for name in wrt]
    names, positional = _parameters(fn)
    positions = [(names.index(name), name) for name in wrt]
    fast = all(position < positional for position, _ in positions)
    needed = max((position for position, _ in positions), default=-1)

    def check(args: tuple, kwargs: dict) -> tuple:
        narrow: tuple = ()
        if fast and not kwargs and needed < len(args):  # float arrays pass at once
            for k, (position, name) in enumerate(positions):
                value = args[position]
                if type(value) is not np.ndarray or value.dtype.kind != "f":
                    _check_argument(value, name)
                dtype = getattr(value, "dtype", _FLOAT64)
                if dtype != _FLOAT64:
                    narrow += ((k, dtype),)
            return narrow
        for k, (name, read) in enumerate(readers):
            value = read(args, kwargs)
            if value is not _MISSING:  # else the call itself reports the missing argument
                _check_argument(value, name)
                dtype = getattr(value, "dtype", _FLOAT64)
                if dtype != _FLOAT64:
                    narrow += ((k, dtype),)
        return narrow

    return check


def _separate_results(compiled: Callable[..., Any], value: bool) -> Callable[..., Any]:
    """``compiled``, its tuple of gradients made of distinct objects (copies of repeats)."""
    def run(*args: Any, **kwargs: Any) -> Any:
        result = compiled(*args, **kwargs)
        grads = result[1] if value else result
        if len(set(map(id, grads))) == len(grads):
            return result
        seen: set = set()
        fresh = []
        for g in grads:
            fresh.append(g.copy() if id(g) in seen and isinstance(g, np.ndarray) else g)
            seen.add(id(g))
        return (result[0], tuple(fresh)) if value else tuple(fresh)

    return run


def _in_dtypes(result: Any, narrow: tuple, single: bool, value: bool) -> Any:
    """``result`` with each gradient named in ``narrow`` cast to its argument's dtype."""
    grads = result[1] if value else result
    listed = [grads] if single else list(grads)
    for k, dtype in narrow:
        gradient = listed[k]
        if getattr(gradient, "dtype", None) != dtype:
            cast = np.asarray(gradient).astype(dtype)
            listed[k] = cast if isinstance(gradient, np.ndarray) else cast[()]
    grads = listed[0] if single else tuple(listed)
    return (result[0], grads) if value else grads


def _build(fn: Callable[..., Any], wrt: Wrt, value: bool, verbose: int,
           printer: str = "gast", bindings: Optional[dict] = None,
           per_class: bool = True, optimize: bool = True) -> Callable[..., Any]:
    if not callable(fn):
        raise TypeError(f"grad expects a function, got {type(fn).__name__}")
    if not hasattr(fn, "__code__"):
        source.parse_function(fn)  # raises SourceUnavailableError, saying why
    names, single = _resolve_wrt(fn, wrt)
    if _is_bound_method(fn):
        # Differentiate the function under the method, then bind the instance:
        # the derivative is generated once per class, not once per instance.
        # `self.method(...)` calls are resolved on the class (see InstanceOf).
        function, instance = fn.__func__, fn.__self__
        self_name = function.__code__.co_varnames[0]
        marker = source.InstanceOf.of(instance)
        unbound = _build(function, names[0] if single else tuple(names), value,
                         verbose, printer, bindings={self_name: marker}, optimize=optimize)
        hidden = marker.hidden_by(instance)
        if hidden:
            raise TypeError(f"cannot differentiate {fn.__qualname__}: the instance's own "
                            f"attribute {hidden} hides the method "
                            f"of {type(instance).__name__} that {function.__name__}() "
                            "calls; rename one of them")
        return _bind(unbound, instance)
    key = (tuple(names), single, value, printer,
           tuple(sorted((k, id(v)) for k, v in (bindings or {}).items())), optimize)

    def generated(signature: tuple) -> tuple:
        # The derivative, generated knowing which arguments are scalars (if any).
        entry_key = key if signature is _NO_SCALARS else key + (signature,)
        with _LOCK:
            per_fn = _cache_for(fn)
            entry = _cached(per_fn, entry_key)
            if entry is None:
                entry = per_fn[entry_key] = _transform(fn, names, single, value, printer,
                                                       signature, bindings=bindings,
                                                       rewrite=optimize)
            return entry

    try:
        compiled, text, reads = generated(_NO_SCALARS)
    except UnresolvedMethodError as exc:
        if not per_class:
            raise
        # model.predict(x) with model an argument: known once the call shows its class.
        return _build_per_class(fn, names[0] if single else tuple(names), value, verbose,
                                printer, bindings or {}, exc.parameter, optimize)
    if verbose:
        print(text)
    check = _make_checker(fn, names)
    parameters = _parameters(fn)[0]
    # Several gradients are handed out as arrays of their own, even where the adjoint
    # of two arguments is one array (W + b): the user may change one in place.
    separate = (lambda c: c) if single else functools.partial(_separate_results, value=value)
    variants = {_NO_SCALARS: separate(compiled)}
    # For calls passing only numbers, their types decide both the checks and the
    # variant: remembered per tuple of types, such calls skip straight to it.
    by_types: dict = {}

    @functools.wraps(compiled, assigned=("__module__", "__name__", "__qualname__"),
                     updated=())
    def derivative(*args: Any, **kwargs: Any) -> Any:
        nonlocal reads
        if by_types and not kwargs:
            chosen = by_types.get(tuple(map(type, args)))
            if chosen is not None and reads.unchanged():
                return chosen(*args)
        narrow = check(args, kwargs)
        if not reads.unchanged():  # a function it calls was redefined since
            variants.clear()
            by_types.clear()
            latest, text, reads = generated(_NO_SCALARS)
            variants[_NO_SCALARS] = separate(latest)
            for view in [derivative] + views:  # itself, and methods bound to it
                view.source, view.__wrapped__ = text, latest
        signature = _scalar_signature(parameters, args, kwargs)
        chosen = variants.get(signature)
        if chosen is None:
            chosen = variants[signature] = separate(generated(signature)[0])
        if narrow:
            return _in_dtypes(chosen(*args, **kwargs), narrow, single, value)
        if kwargs:
            return chosen(*args, **kwargs)
        if signature is not _NO_SCALARS and _SCALAR_SET.issuperset(map(type, args)):
            by_types[tuple(map(type, args))] = chosen
        return chosen(*args)

    views: list = []
    derivative.source = text  # type: ignore[attr-defined]
    derivative.__wrapped__ = compiled  # inspect.getsource(derivative) shows `text`
    derivative.__autograd_src_views__ = views  # type: ignore[attr-defined]
    derivative.__doc__ = (f"{'Value and gradient' if value else 'Gradient'} of "
                          f"{fn.__qualname__} with respect to {', '.join(names)}, "
                          "generated by autograd_src. See .source for its code.")
    return derivative


def _argument(fn: Callable[..., Any], name: str) -> Callable[[tuple, dict], Any]:
    """A function reading argument ``name`` of a call to ``fn`` (``_MISSING`` if absent)."""
    names, positional = _parameters(fn)
    position = names.index(name)
    defaults = dict(zip(names[positional - len(fn.__defaults__ or ()):positional],
                        fn.__defaults__ or ()))
    defaults.update(fn.__kwdefaults__ or {})

    def read(args: tuple, kwargs: dict) -> Any:
        if position < positional and position < len(args):
            return args[position]
        return kwargs.get(name, defaults.get(name, _MISSING))

    return read


_MISSING = object()


def _build_per_class(fn: Callable[..., Any], wrt: Wrt, value: bool, verbose: int,
                     printer: str, bindings: dict, first: str,
                     optimize: bool = True) -> Callable[..., Any]:
    """The derivative of a function calling methods of its arguments (``model.predict(x)``).

    Which function ``model.predict`` is depends on the class of ``model``, so the
    derivative is generated at the call, once per class, with the methods
    resolved on the class as for ``grad(model.loss)``.
    """
    objects: list[str] = [first]
    readers = [_argument(fn, first)]
    made: dict = {}
    views: list = []

    def generate(args: tuple, kwargs: dict) -> tuple[tuple, Callable[..., Any]]:
        while True:
            classes = tuple(type(read(args, kwargs)) for read in readers)
            markers = {p: source.InstanceOf.for_class(c) for p, c in zip(objects, classes)}
            try:
                inner = _build(fn, wrt, value, verbose, printer, {**bindings, **markers},
                               per_class=False, optimize=optimize)
            except UnresolvedMethodError as exc:
                if exc.parameter in objects or exc.parameter in bindings:
                    raise
                objects.append(exc.parameter)  # a second argument whose methods it calls
                readers.append(_argument(fn, exc.parameter))
                made.clear()
                continue
            for view in [derivative] + views:
                view.source, view.__wrapped__ = inner.source, inner.__wrapped__
            return classes, inner

    def derivative(*args: Any, **kwargs: Any) -> Any:
        values = [read(args, kwargs) for read in readers]
        classes = tuple(map(type, values))
        inner = made.get(classes)
        if inner is None:
            classes, inner = generate(args, kwargs)
            made[classes] = inner
            values = [read(args, kwargs) for read in readers]  # generate may add one
        for name, argument in zip(objects, values):
            hidden = source.InstanceOf.for_class(type(argument)).hidden_by(argument)
            if hidden:
                raise TypeError(f"the attribute {hidden} of {name} hides "
                                f"a method of {type(argument).__name__} that "
                                f"{fn.__name__}() calls; rename one of them")
        return inner(*args, **kwargs)

    functools.update_wrapper(derivative, fn, assigned=("__module__", "__qualname__"),
                             updated=())
    derivative.__name__ = _derivative_name(fn.__name__, list(
        (wrt,) if isinstance(wrt, str) else wrt), value)
    derivative.source = (f"# The derivative of {fn.__qualname__} is generated at its first "
                         f"call, once for each class of {first}: read .source after a "
                         "call.\n")  # type: ignore[attr-defined]
    derivative.__autograd_src_views__ = views  # type: ignore[attr-defined]
    return derivative


def _bind(derivative: Callable[..., Any], instance: Any) -> Callable[..., Any]:
    """``derivative`` with ``instance`` passed as its first argument, like a method."""
    @functools.wraps(derivative, assigned=("__module__", "__name__", "__qualname__",
                                           "__doc__"), updated=())
    def bound(*args: Any, **kwargs: Any) -> Any:
        return derivative(instance, *args, **kwargs)

    for attribute in ("source", "__wrapped__", "__autograd_src_seed__"):
        if hasattr(derivative, attribute):
            setattr(bound, attribute, getattr(derivative, attribute))
    getattr(derivative, "__autograd_src_views__", []).append(bound)  # kept up to date
    return bound


def grad(fn: Optional[Callable[..., Any]] = None, wrt: Wrt = 0, *,
         argnums: Optional[Wrt] = None, verbose: int = 0, optimize: bool = True) -> Any:
    """Return the derivative of ``fn``, generated from its source code.

    Usable as a function (``grad(f)``, ``grad(f, wrt=1)``) and as a decorator
    (``@grad``, ``@grad(wrt=(0, 1))``).

    Parameters
    ----------
    fn : callable
        A Python function or bound method (``model.loss``; ``wrt`` then skips
        ``self``) whose source can be read, returning one float scalar or
        array. A non-scalar output is seeded with ones, so its gradient is
        that of ``sum(fn(...))``, as with MyGrad's ``backward()``.
    wrt : int, str or tuple of them
        The parameters to differentiate with respect to, by position or name.
        An int or a name gives one gradient shaped like that argument; a tuple
        gives a tuple of gradients in the order asked.
    argnums : int, str or tuple, optional
        A synonym for ``wrt``.
    verbose : int
        ``1`` prints the generated source.
    optimize : bool
        ``False`` leaves out the rewriting passes (copy propagation, folding
        temporaries, dead-code removal, in-place accumulation, ...): the
        derivative is the rules' adjoints as the reverse sweep writes them.
        It computes the same values; use it to rule the optimiser out when a
        gradient looks suspicious, or to read the unrewritten code.

    Returns
    -------
    callable
        A function taking the same arguments as ``fn`` (defaults included) plus
        a keyword-only seed ``dout`` (default: ones shaped like the output). Its
        generated code is in ``.source`` and ``inspect.getsource``.

    Examples
    --------
    >>> import numpy as np
    >>> from autograd_src import grad
    >>> def f(x):
    ...     return np.sum(np.sin(x) * x)
    >>> df = grad(f)
    >>> df(np.array([0.5, -2.0]))  # cos(x) * x + sin(x)
    array([ 0.91821682, -0.07700375])
    """
    if argnums is not None:
        wrt = argnums
    if fn is None:
        return lambda f: _build(f, wrt, value=False, verbose=verbose, optimize=optimize)
    return _build(fn, wrt, value=False, verbose=verbose, optimize=optimize)


def value_and_grad(fn: Optional[Callable[..., Any]] = None, wrt: Wrt = 0, *,
                   argnums: Optional[Wrt] = None, verbose: int = 0,
                   optimize: bool = True) -> Any:
    """Like `grad`, but the derivative returns ``(value, gradient)`` in one pass.

    Examples
    --------
    >>> import numpy as np
    >>> from autograd_src import value_and_grad
    >>> def f(x):
    ...     return np.sum(x ** 2)
    >>> value_and_grad(f)(np.array([1.0, 2.0]))
    (np.float64(5.0), array([2., 4.]))
    """
    if argnums is not None:
        wrt = argnums
    if fn is None:
        return lambda f: _build(f, wrt, value=True, verbose=verbose, optimize=optimize)
    return _build(fn, wrt, value=True, verbose=verbose, optimize=optimize)


def derivative_source(fn: Callable[..., Any], wrt: Wrt = 0, *, printer: str = "gast") -> str:
    """The generated source of ``grad(fn, wrt)``, printed with ``printer``."""
    return _build(fn, wrt, value=False, verbose=0, printer=printer).source

