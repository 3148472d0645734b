"""The user-facing operators `grad`, `value_and_grad` and `derivative_source`.

They resolve ``wrt``, check arguments on every call, pick the derivative
specialised to the call's scalars and shapes (made by `transform.pipeline` on
first use), and watch for redefined helpers.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import operator
import os
import re
import types
from typing import Any, Callable, Optional, Sequence, Union

import numpy as np

from . import errors
from .arguments import (
    NO_SCALARS,
    SCALAR_SET,
    argument_reader,
    counter_indexed,
    in_dtypes,
    in_structure,
    is_container,
    like_number,
    make_checker,
    positional_completer,
    scalar_signature,
    separate_results,
    shallow_copy,
    zero_d_analysis,
)
from .errors import UndefinedFunctionError, UnresolvedMethodError
from .transform import inline_defs, loader, source, stages
from .transform.by_forward_mode import ENABLED as forward_mode_enabled
from .transform.by_forward_mode import gradient_by_forward_mode, suits_forward_mode
from .transform.function_cache import FunctionCache
from .transform.pipeline import LOCK, bind, cache_for, cached, derivative_name, transform
from .transform.source import is_bound_method, parameters

__all__ = ["grad", "value_and_grad", "derivative_source"]

Wrt = Union[int, str, Sequence[Union[int, str]]]


def _resolve_wrt(fn: Callable[..., Any], wrt: Wrt) -> tuple[list[str], bool]:
    """Parameter names to differentiate with respect to, and whether one was asked."""
    names, positional = parameters(fn)
    per_class = getattr(fn, "__autograd_src_per_class__", None)
    if not names and per_class is not None:
        raise TypeError(f"{getattr(fn, '__name__', 'f')} calls methods of its argument "
                        f"{per_class}, which are known only at the call (its derivative is "
                        "made there, once per class): differentiating it again is not "
                        "supported yet (second order through methods called on an "
                        "argument is not covered by grad(grad(...))). Its first "
                        "derivatives (grad, jvp, jacfwd, jacrev) are, and hessian(f, "
                        "wrt=...) and hvp(f, wrt=...) give its second derivatives")
    if not names and (getattr(fn, "__autograd_src_jacobian__", False) or (
            hasattr(fn, "source") and hasattr(fn, "__wrapped__"))):
        # hvp(f), jacfwd(f), a bound method's derivative: wrappers taking *args
        raise TypeError(f"{getattr(fn, '__name__', 'f')}, a derivative made by "
                        "autograd_src that takes its arguments as *args, cannot be "
                        "differentiated again: differentiate a function of named "
                        "parameters (for a method, one taking the object as an "
                        "argument), or use hessian, hvp, jacfwd(grad(f))")
    code = getattr(fn, "__code__", None)
    if code is not None and code.co_flags & inspect.CO_VARARGS and any(
            isinstance(w, (int, np.integer)) and not isinstance(w, bool) and w < 0
            for w in (wrt if isinstance(wrt, (tuple, list)) else [wrt])):
        label = getattr(fn, "__name__", "f")
        star = code.co_varnames[code.co_argcount + code.co_kwonlyargcount]
        raise ValueError(f"wrt={wrt!r}: {label}() takes *{star}, so a position from the "
                         "end is ambiguous (its positions count over each call's values): "
                         "count from the front")
    return resolve_names(names, positional, getattr(fn, '__name__', 'f'), wrt)


def resolve_names(names: list[str], positional: int, label: str,
                  wrt: Wrt) -> tuple[list[str], bool]:
    """`_resolve_wrt` for a function of parameters ``names`` (the first ``positional``
    of them positional) called ``label``."""
    single = not isinstance(wrt, (tuple, list))
    items = [wrt] if single else list(wrt)
    if not items:
        raise ValueError("wrt is empty: name at least one parameter")
    listing = ", ".join(names) or "none"
    chosen = []
    for item in items:
        if isinstance(item, np.integer):
            item = int(item)  # (np.int64(1), from an array of positions)
        if isinstance(item, bool) or not isinstance(item, (int, str)):
            raise TypeError(f"wrt must be a parameter position (int) or name (str), "
                            f"got {item!r}")
        if isinstance(item, int):
            if not -positional <= item < positional:
                if not positional:
                    raise ValueError(f"wrt={item}: {label}() has no positional parameter "
                                     "(it takes *args, or is a wrapper taking them): grad "
                                     "differentiates named parameters; write the def with "
                                     f"them (def {label}(x, ...)), or pass the function "
                                     "the wrapper wraps")
                raise ValueError(f"wrt={item} is out of range: "
                                 f"{label}() has {positional} "
                                 f"positional parameter(s) "
                                 f"({', '.join(names[:positional])})")
            chosen.append(names[item % positional])
        else:
            if item not in names:
                raise ValueError(f"wrt={item!r} is not a parameter of "
                                 f"{label}(); its parameters are "
                                 f"({listing})")
            chosen.append(item)
    if len(set(chosen)) != len(chosen):
        raise ValueError(f"wrt names a parameter twice: {tuple(items)!r}")
    return chosen, single


def _in_users_terms(exc: Exception, fn: Any) -> Exception:
    """A refusal met differentiating code grad generated (reverse over reverse: grad of
    a gradient), said in terms of the user's function where it names generated code."""
    code = getattr(fn, "__code__", None)
    if code is None or not code.co_filename.startswith("<autograd_src") or \
            not isinstance(exc, (errors.NoRuleError, errors.DiffSyntaxError)):
        return exc
    from .jacobians import _in_user_terms, _line_of, at_users_line  # (it imports this)
    origin = re.search(r"<autograd_src \w+ of ([^<>]+?):(\d+) #\d+>", code.co_filename)
    named = re.match(r"\s*def\s+(\w+)", _line_of(origin.group(1), int(origin.group(2)))) \
        if origin else None
    user = named.group(1) if named else fn.__name__
    told = _in_user_terms(exc.msg, exc.filename, user)
    where = at_users_line(exc)
    if told == exc.msg and where[0] == exc.filename:
        return exc
    return type(exc)(f"grad(grad({user})) differentiates the code grad generates for it, "
                     f"and cannot here: {told}", *where)


def without_copied_marks(fn: Any) -> Any:
    """``fn``, rid of the marks this package sets on the derivatives it makes
    (``__autograd_src_origin__`` and the like) where ``functools.wraps`` copied them
    from the derivative it wraps (``update_wrapper`` copies ``__dict__``): a wrapper
    doubling ``grad(energy)`` is a function of its own, not that derivative (its
    body would be ignored). Told by the mark's value being the very one its
    ``__wrapped__`` holds."""
    marks = getattr(fn, "__dict__", None)
    wrapped = marks.get("__wrapped__") if isinstance(marks, dict) else None
    if wrapped is None:
        return fn
    for key in [k for k in marks if k.startswith("__autograd_src_")]:
        if getattr(wrapped, key, None) is marks[key]:
            del marks[key]
    return fn


def called_method(fn: Any) -> Any:
    """For an instance of a class of yours with a ``__call__`` method (a model, an
    objective), that method bound to it: what calling the instance runs. For a
    decorator's wrapper taking ``*args, **kwargs`` (``functools.wraps``), a function
    with the wrapped function's parameters calling it (see `_named_parameters`)."""
    if isinstance(fn, _AtFirstCall):  # (grad(grad(loss)) with loss's helper defined late)
        fn = fn.made()
    without_copied_marks(fn)
    if not isinstance(fn, (types.FunctionType, types.MethodType, functools.partial, type)) \
            and isinstance(inspect.getattr_static(type(fn), "__call__", None),
                           types.FunctionType):
        return fn.__call__
    if isinstance(fn, types.FunctionType) and hasattr(fn, "__wrapped__") and \
            not fn.__code__.co_argcount and fn.__code__.co_flags & inspect.CO_VARARGS and \
            not fn.__code__.co_filename.startswith(_PACKAGE):  # (not a derivative of ours)
        return _named_parameters(fn)
    return fn


_NAMED = FunctionCache("named_parameters")
_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def _named_parameters(wrapper: types.FunctionType) -> Callable[..., Any]:
    """For ``wrapper(*args, **kwargs)`` of a decorator that wraps ``f(w, x, scale=1.0)``
    (``functools.wraps``): ``def f(w, x, scale=1.0): return wrapper(w, x, scale)``,
    generated once and registered with linecache, which grad differentiates: its
    parameters are named, and its call of the wrapper passes them on (the wrapper's
    derivative is made for that many values). The wrapper itself where the wrapped
    signature is not plain named parameters."""
    made = _NAMED.get(wrapper)
    if made is not None:
        return made
    try:
        signature = inspect.signature(wrapper)  # (follows __wrapped__)
    except (TypeError, ValueError):
        return wrapper
    kinds = inspect.Parameter
    header, passed, namespace = [], [], {"_wrapper": wrapper}
    for p in signature.parameters.values():
        if p.kind not in (kinds.POSITIONAL_OR_KEYWORD, kinds.KEYWORD_ONLY):
            return wrapper
        if p.kind is kinds.KEYWORD_ONLY and "*" not in header:
            header.append("*")
        header.append(loader.parameter_text(p, namespace))
        passed.append(p.name if p.kind is kinds.POSITIONAL_OR_KEYWORD else f"{p.name}={p.name}")
    name = wrapper.__name__ if wrapper.__name__.isidentifier() else "wrapped"
    text = (f"def {name}({', '.join(header)}):\n"
            f"    # {wrapper.__qualname__} takes *args, **kwargs: its decorator's wrapper\n"
            f"    return _wrapper({', '.join(passed)})\n")
    made = loader.defined(text, name, f"<decorated {wrapper.__module__}."
                                      f"{wrapper.__qualname__}>", namespace)
    made.__module__ = wrapper.__module__
    made.__qualname__ = wrapper.__qualname__
    _NAMED[wrapper] = made
    return made


def check_options(verbose: Any, optimize: Any) -> None:
    """Refuse a ``verbose`` other than 0, 1, 2 and an ``optimize`` other than a bool."""
    if type(verbose) not in (int, bool) or not 0 <= verbose <= 2:
        raise TypeError(f"verbose is 0, 1 (print the generated code) or 2 (and each "
                        f"stage), got {verbose!r}")
    if type(optimize) is not bool:
        raise TypeError(f"optimize is True or False, got {optimize!r}")


def _build(fn: Callable[..., Any], wrt: Wrt, value: bool, verbose: int,
           printer: str = "gast", bindings: Optional[dict] = None,
           per_class: bool = True, optimize: bool = True,
           per_function: bool = True) -> Callable[..., Any]:
    check_options(verbose, optimize)
    if not callable(fn):
        raise TypeError(f"grad expects a function, got {type(fn).__name__}")
    fn = called_method(fn)
    if isinstance(fn, functools.partial) and (
            inspect.isfunction(fn.func) or inspect.ismethod(fn.func)) and bindings is None:
        # (partial(model.loss, x=X): the bound method's parameters after self)
        return _of_partial(fn, wrt, value, verbose, printer, optimize)
    if printer == "gast" and bindings is None and per_class and \
            getattr(fn, "__autograd_src_origin__", None) is not None:
        # grad(grad(f)): forward mode over the reverse-mode code where it applies.
        from .jacobians import derivative_of_derivative
        made = derivative_of_derivative(fn, wrt, value, verbose, optimize)
        if made is not None:
            return made
    # A derivative made by grad is differentiated through its general code (grad(grad(f))):
    # reverse over reverse, made again when that code is (a helper it calls rebound).
    inner = getattr(fn, "__autograd_src_origin__", None)
    fn = general_code(fn)
    if not hasattr(fn, "__code__"):
        source.parse_function(fn)  # raises SourceUnavailableError, saying why
    if _positions_in_star_args(fn, wrt):
        return _build_per_arity(fn, wrt, value, verbose, printer, optimize)
    names, single = _resolve_wrt(fn, wrt)
    if is_bound_method(fn):
        return _build_method(fn, names[0] if single else tuple(names), value, verbose,
                             printer, optimize)
    defaults = _function_defaults(fn) if per_function and bindings is None else {}
    if defaults:
        return _build_per_function(fn, names[0] if single else tuple(names), value, verbose,
                                   printer, optimize, defaults)
    key = (tuple(names), single, value, printer,
           tuple(sorted((k, id(v)) for k, v in (bindings or {}).items())), optimize)

    def generated(signature: tuple) -> tuple:
        # The derivative, generated knowing which arguments are scalars (if any).
        nonlocal fn
        entry_key = key if signature is NO_SCALARS else \
            key + (signature, forward_mode_enabled.get())
        with LOCK:
            if inner is not None:  # the inner derivative's code as it is now
                fn = inner.general()
            now = parameters(fn)[0]
            if not set(names) <= set(now):  # (f.__code__ replaced: autoreload)
                raise TypeError(
                    f"{fn.__name__}() now has the parameters ({', '.join(now)}), not "
                    f"{', '.join(names)} it had when this derivative was made: call "
                    f"grad({fn.__name__}) again")
            per_fn = cache_for(fn)
            entry = cached(per_fn, entry_key)
            if entry is None and signature is not NO_SCALARS and \
                    suits_forward_mode(fn, names, signature, printer, optimize):
                # one differentiated number: its tangent along 1, one pass, no stacks
                general = per_fn.get(key)
                seed = getattr(general[0], "__autograd_src_seed__", "dout") if general \
                    else "dout"
                entry = gradient_by_forward_mode(fn, names, single, value, signature,
                                                 bindings, seed)
                if entry is not None:
                    per_fn[entry_key] = entry
            if entry is None:
                try:
                    entry = per_fn[entry_key] = transform(fn, names, single, value, printer,
                                                           signature, bindings=bindings,
                                                           rewrite=optimize)
                except (errors.NoRuleError, errors.DiffSyntaxError) as exc:
                    raise _in_users_terms(exc, fn) from None
            if inner is not None:  # (what the inner code was made from: watched too)
                entry[2].merge(inner.derivative.__autograd_src_reads__())
            return entry

    try:
        compiled, text, reads = generated(NO_SCALARS)
    except UnresolvedMethodError as exc:
        if not per_class or exc.parameter not in parameters(fn)[0]:
            raise  # (a helper's parameter: its class is not the call's to show)
        # model.predict(x) with model an argument: known once the call shows its class.
        return _build_per_class(fn, names[0] if single else tuple(names), value, verbose,
                                printer, bindings or {}, exc.parameter, optimize)
    if verbose >= 2:  # the stages, from a transformation of its own (not the cached one)
        with stages.showing():
            transform(fn, names, single, value, printer, bindings=bindings, rewrite=optimize)
    if verbose:
        print(text)
    derivative = _dispatcher(fn, names, single, value, generated, (compiled, text, reads))
    if bindings is None:  # what grad(derivative) differentiates again
        derivative.__autograd_src_origin__ = Origin(  # type: ignore[attr-defined]
            lambda: fn, names, single, value, optimize, parameters(compiled),
            compiled.__autograd_src_seed__, derivative,
            derivative.__autograd_src_current_general__)
    return derivative


def _of_partial(fn: functools.partial, wrt: Wrt, value: bool, verbose: int, printer: str,
                optimize: bool) -> Callable[..., Any]:
    """``grad(functools.partial(loss, X=X, y=y))``: the derivative of the function under
    it, called with the partial's arguments; ``wrt`` names (or counts among) the
    parameters the partial leaves to its caller."""
    return partial_lifted(lambda f, names: _build(f, names, value, verbose, printer,
                                                  optimize=optimize), fn, wrt)


def partial_lifted(make: Callable[..., Any], fn: functools.partial,
                   wrt: Wrt) -> Callable[..., Any]:
    """``make(fn.func, names)`` (a derivative, Jacobian, Hessian ... of the function
    under a ``functools.partial``) called with the partial's arguments before the
    caller's; ``wrt`` names (or counts among) the parameters it leaves to its caller."""
    label = getattr(fn.func, "__name__", "f")
    params = inspect.signature(fn).parameters.values()
    names = [p.name for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    positional = sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params)
    chosen, single = resolve_names(names, positional, f"partial({label})", wrt)
    inner = make(fn.func, chosen[0] if single else tuple(chosen))
    bound_args, bound_keywords = fn.args, fn.keywords
    if hasattr(inner, "run"):  # make_jvp's: jvp calls it with the tangents apart
        def run(args: tuple, kwargs: dict, tangents: list) -> Any:
            return inner.run(bound_args + tuple(args), {**bound_keywords, **kwargs}, tangents)
    else:
        run = None

    @functools.wraps(inner, assigned=("__module__", "__name__", "__qualname__", "__doc__"),
                     updated=())
    def derivative(*args: Any, **kwargs: Any) -> Any:
        result = inner(*bound_args, *args, **{**bound_keywords, **kwargs})
        if hasattr(inner, "source"):
            derivative.source = inner.source  # type: ignore[attr-defined]
        return result

    for attribute in ("source", "variants", "tangents"):
        if hasattr(inner, attribute):
            setattr(derivative, attribute, getattr(inner, attribute))
    if run is not None:
        derivative.run = run  # type: ignore[attr-defined]
    return derivative


class Origin:
    """What a derivative made by grad is the derivative of: ``function()`` (the function
    differentiated, read at each use: it may be regenerated) with respect to ``names``.
    ``params`` are the derivative's parameters (``function()``'s and its seed ``seed``)
    and ``general()`` its general code, which reverse mode differentiates again."""

    __slots__ = ("function", "names", "single", "value", "optimize", "params", "seed",
                 "derivative", "general")

    def __init__(self, function: Callable[[], Callable[..., Any]], names: list[str],
                 single: bool, value: bool, optimize: bool, params: tuple[list[str], int],
                 seed: str, derivative: Callable[..., Any],
                 general: Callable[[], Callable[..., Any]]) -> None:
        self.function, self.names, self.single, self.value = function, names, single, value
        self.optimize, self.params, self.seed = optimize, params, seed
        self.derivative, self.general = derivative, general


def general_code(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The code to differentiate for ``fn``: a derivative grad made is differentiated
    through its general code (made on first use for a second derivative); any other
    function is itself."""
    origin = getattr(fn, "__autograd_src_origin__", None)
    if origin is not None:
        return origin.general()
    return getattr(fn, "__autograd_src_general__", fn)


def general_entry(fn: Callable[..., Any], names: list[str], single: bool, value: bool,
                  optimize: bool, signature: tuple = NO_SCALARS,
                  bindings: Optional[dict] = None, inline: bool = False) -> tuple:
    """``(compiled, text, reads)``: the general code of ``grad(fn, wrt=names)`` (of
    `value_and_grad` with ``value``), or its variant for ``signature`` (see
    `container_signature`), from the cache `_build` fills. ``bindings`` give the
    classes of arguments whose methods it calls (``layer.apply(W, x)``); with
    ``inline``, its small nested defs are written inline (`inline_defs`: for second
    order, which does not follow their derivatives' closures)."""
    key = (tuple(names), single, value, "gast",
           tuple(sorted((k, id(v)) for k, v in (bindings or {}).items())), optimize)
    if signature != NO_SCALARS:
        key += (signature,)
    if inline:
        key += ("inline",)
    with LOCK:
        per_fn = cache_for(fn)
        entry = cached(per_fn, key)
        if entry is None:
            token = inline_defs.ENABLED.set(inline)
            try:
                entry = per_fn[key] = transform(fn, names, single, value, "gast", signature,
                                                bindings=bindings or None, rewrite=optimize)
            finally:
                inline_defs.ENABLED.reset(token)
        return entry


def container_signature(fn: Callable[..., Any], args: tuple, kwargs: dict) -> tuple:
    """The variant a derivative of ``fn`` must be generated as for a call with ``args``
    and ``kwargs`` to be right, scalars aside: which of ``fn``'s arguments are lists,
    tuples or dicts. The general code adds adjoints with ``+``, which concatenates
    lists; second order differentiates this variant rather than the general code."""
    names, positional = parameters(fn)
    own = {k: v for k, v in kwargs.items() if k in names}
    # (positional values for positional names: those after go to *args)
    signature = scalar_signature(names[:positional], tuple(args)[:positional], own)
    if signature == NO_SCALARS or not signature[3]:
        return NO_SCALARS
    return ((), (), (), signature[3], signature[4])


def _build_method(fn: Any, wrt: Wrt, value: bool, verbose: int, printer: str,
                  optimize: bool) -> Callable[..., Any]:
    """The derivative of a bound method: that of the function under it, generated once
    per class (``self.method()`` calls are resolved on the class), bound to the instance."""
    function, instance = fn.__func__, fn.__self__
    self_name = function.__code__.co_varnames[0]
    marker = source.InstanceOf.of(instance)
    unbound = _build(function, wrt, value, verbose, printer, bindings={self_name: marker},
                     optimize=optimize)
    made_for = type(instance)

    def check() -> None:  # (and on each call: m.forward = ... set since is not followed)
        if type(instance) is not made_for:  # (m.__class__ = B: B's methods would run)
            raise TypeError(
                f"the derivative of {made_for.__name__}.{function.__name__} bound to an "
                f"object was made for its class {made_for.__name__}, and the object is "
                f"now a {type(instance).__name__} (its __class__ set since): call grad "
                "on the bound method again")
        marker.no_method_hidden(instance, function)

    check()
    return bind(unbound, instance, check)


def _dispatcher(fn: Callable[..., Any], names: list[str], single: bool, value: bool,
                generated: Callable[[tuple], tuple], first: tuple) -> Callable[..., Any]:
    """The function users call: it checks the arguments, picks (or has generated) the
    variant for the call's scalars and shapes, and regenerates when a function the
    derivative calls was redefined. ``.source`` is the code of the variant that ran last;
    ``.variants`` maps a description of each variant made so far to its code.

    What decides the path: a call is first made positional (defaults filled in,
    keywords naming positional parameters put in place). Calls whose types, and for
    lists whether they hold only numbers, and for arrays their shapes and dtypes, were
    seen before take the fast path straight to their variant (`_Shortcuts`); the others
    are checked, described (`scalar_signature`) and matched to a variant, made on first
    use, and remembered for the fast path where the description is all that decides."""
    compiled, text, reads = first
    check = make_checker(fn, names, getattr(compiled, "__autograd_src_operands__", {}))
    parameter_names, positional = parameters(fn)
    # (the names the positional values are given to: those after are *args' values,
    # f(a, *rest, k=1.0) called f(x, y, k=2.0), or keywords, given by name)
    positional_names = parameter_names[:positional]
    complete = positional_completer(fn)
    wrt = set(names)
    wrt_positions = [parameter_names.index(n) for n in names]
    readers = [argument_reader(fn, name) for name in names]
    # Several gradients are handed out as arrays of their own, even where the adjoint
    # of two arguments is one array (W + b): the user may change one in place.
    separate = functools.partial(separate_results, value=value, single=single,
                                 positions=[p if p < positional else -1  # (keyword-only)
                                            for p in wrt_positions])
    # the seed's keyword is dout, unless the function has a name dout of its own (a
    # local: the generated code calls the seed dout_2; dout= still gives it)
    seed = getattr(compiled, "__autograd_src_seed__", "dout")
    seed_renamed = seed if seed != "dout" and "dout" not in parameter_names else None
    # variant -> (call, code, text, reads): each with what it was made from, checked
    # before it runs (threads whose state differs, a threading.local(), remake them)
    variants = {NO_SCALARS: (separate(compiled), compiled, text, reads)}
    shortcuts = _Shortcuts(wrt_positions, positional)
    laid_out: dict = {}  # variant -> its entry giving gradients in the containers' layout
    shown = [variants[NO_SCALARS]]
    vectors: list = []  # the parameters a 1-D array may be read as a list of (once known)
    plain: list = []  # the parameters a 0-d array may be read as a number of (once known)

    def made_again() -> None:
        """Everything made again: a function, default or rule it read has changed."""
        nonlocal reads
        variants.clear()
        laid_out.clear()
        shortcuts.clear()
        described.clear()
        vectors.clear()  # (read off fn's code, which autoreload may have replaced)
        plain.clear()
        latest, latest_text, reads = generated(NO_SCALARS)
        variants[NO_SCALARS] = (separate(latest), latest, latest_text, reads)
        derivative.__autograd_src_general__ = latest
        described[_describe(NO_SCALARS)] = latest_text

    def current_general() -> Callable[..., Any]:
        """The general code as the functions it calls are now (a transformation
        following this derivative, a gradient penalty's, watches what it read)."""
        if not reads.unchanged():
            made_again()
        source.replay(reads)
        return derivative.__autograd_src_general__

    def show(entry: tuple) -> None:
        shown[0] = entry
        for view in [derivative] + views:  # itself, and methods bound to it
            view.source, view.__wrapped__ = entry[2], entry[1]

    @functools.wraps(compiled, assigned=("__module__", "__name__", "__qualname__"),
                     updated=())
    def derivative(*args: Any, **kwargs: Any) -> Any:
        try:
            if kwargs and seed_renamed and "dout" in kwargs:  # (the documented keyword)
                kwargs = {seed_renamed if k == "dout" else k: v for k, v in kwargs.items()}
            if kwargs or len(args) < positional:
                whole = complete(args, kwargs)
                if whole is not None:
                    args, kwargs = whole, {}
            if not kwargs:
                entry = shortcuts.find(args)
                if entry is not None and entry[3].unchanged():
                    if entry is not shown[0]:
                        show(entry)
                    return entry[0](*args)
            narrow = check(args, kwargs)
            if not reads.unchanged():
                made_again()
            if not vectors and any(type(a) is np.ndarray and a.ndim == 1 for a in args):
                vectors.append(counter_indexed(fn))
            if any(type(a) is np.ndarray and not a.ndim for a in args):
                if not plain:
                    plain.extend(zero_d_analysis(fn))
                _no_zero_d_shared_and_updated(fn, positional_names, args, plain[1])
            signature = scalar_signature(positional_names, args, kwargs,
                                         vectors[0] if vectors else frozenset(),
                                         plain[0] if plain else frozenset())
            # 0-d arrays the variant does not read as numbers (np.array([x, 1.0]))
            zero_d = tuple(k for k, (name, read) in enumerate(zip(names, readers))
                           if name not in signature[0] and _zero_d(read(args, kwargs)))
            variant = (signature, zero_d) if zero_d else signature
            entry = variants.get(variant)
            if entry is not None and not entry[3].unchanged():
                entry = None  # (made since by a thread whose state differs: made again)
            if entry is None:
                made, made_text, made_reads = generated(signature)
                call = separate(made)
                # the gradient of a number comes back as that number's type and dtype
                numbers = tuple((k, read) for k, (name, read) in enumerate(zip(names, readers))
                                if name in signature[0] or k in zero_d)
                if numbers:
                    call = _like_numbers(call, numbers, single, value)
                entry = variants[variant] = (call, made, made_text, made_reads)
                _describe_into(described, _describe(signature), made_text)
            if entry is not shown[0]:
                show(entry)
            chosen = entry[0]
            if signature[3] and set(signature[3]) & wrt:  # containers: same layout back
                if narrow or kwargs or max(wrt_positions) >= positional:  # (keyword-only)
                    like = [shallow_copy(read(args, kwargs)) for read in readers]
                    return _in_structures(chosen(*args, **kwargs), like, single, value)
                laid = laid_out.get(variant)
                if laid is None or laid[1] is not entry[1]:
                    laid = laid_out[variant] = (
                        _laying_out(chosen, wrt_positions, single, value), entry[1],
                        entry[2], entry[3])
                shortcuts.remember(args, laid)
                return laid[0](*args)
            if narrow:
                return in_dtypes(chosen(*args, **kwargs), narrow, single, value)
            if kwargs:
                return chosen(*args, **kwargs)
            shortcuts.remember(args, entry)
            return chosen(*args)
        except Exception as exc:  # (the note names the line of yours it ran for)
            loader.user_line(exc)
            raise

    views: list = []
    described = {_describe(NO_SCALARS): text}
    derivative.source = text  # type: ignore[attr-defined]
    derivative.variants = described  # type: ignore[attr-defined]
    derivative.__wrapped__ = compiled  # inspect.getsource(derivative) shows `text`
    derivative.__autograd_src_general__ = compiled  # what grad(grad(f)) differentiates
    derivative.__autograd_src_current_general__ = current_general  # type: ignore
    derivative.__autograd_src_reads__ = lambda: reads  # type: ignore[attr-defined]
    derivative.__autograd_src_views__ = views  # type: ignore[attr-defined]
    derivative.__doc__ = (f"{'Value and gradient' if value else 'Gradient'} of "
                          f"{fn.__qualname__} with respect to {', '.join(names)}, "
                          "generated by autograd_src. See .source for the code of the "
                          "last call, .variants for each variant made.")
    return derivative


class _Shortcuts:
    """The variants of calls seen before, found from what decides them.

    A call's argument types pick a plan; the plan reads what else the variant and the
    argument checks depend on: for each list or tuple whether it holds only numbers
    (one pass in C), for each array its shape and dtype, and for each container
    differentiated its layout (`_layout`). Only calls whose checks pass whatever the
    values (float, float64 arrays, and containers of those, where gradients are taken;
    anything elsewhere) and that need no conversion of their results beyond the
    containers' layout are remembered."""

    _LIMIT = 64  # keys per plan: calls of ever-new shapes are looked up afresh

    def __init__(self, wrt_positions: list[int], positional: int) -> None:
        self.wrt_positions = wrt_positions
        # a keyword-only parameter differentiated: its checks need the keywords
        self.needed = max(wrt_positions) if max(wrt_positions) < positional else 1 << 30
        self.plans: dict = {}

    def clear(self) -> None:
        self.plans.clear()

    def find(self, args: tuple) -> Optional[tuple]:
        plan = self.plans.get(tuple(map(type, args)))
        if plan is None:
            return None
        key, table = plan
        return table.get(key(args) if key is not None else None)

    def remember(self, args: tuple, entry: tuple) -> None:
        if self.needed >= len(args):
            return
        types = tuple(map(type, args))
        laid_out = []
        for position in self.wrt_positions:
            if types[position] in SCALAR_SET or types[position] is np.ndarray:
                continue
            if not is_container(args[position]) or _layout(args[position]) is None:
                return  # its check depends on more than its type
            laid_out.append(position)
        plan = self.plans.get(types)
        if plan is None:
            plan = self.plans[types] = (_key_reader(types, laid_out), {})
        key, table = plan
        if len(table) >= self._LIMIT:
            table.clear()
        table[key(args) if key is not None else None] = entry


_FLOAT64 = np.dtype(np.float64)
_FLOATS = frozenset([float, np.float64])


def _layout(value: Any) -> Any:
    """What a differentiated container's checks, variant and gradients' layout depend
    on: its containers' types and keys, its leaves' types, shapes and dtypes; None where
    a leaf is anything but a float, an ``np.float64`` or a float64 array (those take the
    checks every time)."""
    kind = type(value)
    if kind is np.ndarray:
        return (value.shape, kind) if value.dtype == _FLOAT64 else None
    if kind is float or kind is np.float64:
        return kind
    if isinstance(value, (list, tuple)):
        if _FLOATS.issuperset(map(type, value)):  # numbers: read in C
            return (kind, len(value))
        items = tuple(map(_layout, value))
        return None if None in items else (kind, items)
    if isinstance(value, dict):
        items = tuple(map(_layout, value.values()))
        return None if None in items else (kind, tuple(value), items)
    return None


def _key_reader(types: tuple, laid_out: list) -> Optional[Callable[[tuple], tuple]]:
    """What decides a call's variant beyond its types (see `_Shortcuts`), or None;
    ``laid_out``: the positions of differentiated containers."""
    lists = [k for k, t in enumerate(types) if (t is list or t is tuple) and k not in laid_out]
    arrays = [k for k, t in enumerate(types) if t is np.ndarray]
    if not lists and not arrays and not laid_out:
        return None
    numbers = SCALAR_SET.issuperset

    def key(args: tuple) -> tuple:
        return (tuple([bool(args[k]) and numbers(map(type, args[k])) for k in lists]),
                tuple([(args[k].shape, args[k].dtype) for k in arrays]),
                tuple([_layout(args[k]) for k in laid_out]))

    if laid_out:
        return key
    if not arrays:
        only = lists[0] if len(lists) == 1 else None
        if only is not None:
            def key(args: tuple) -> tuple:  # noqa: F811  (one list: the usual case)
                value = args[only]
                return bool(value) and numbers(map(type, value))
    elif not lists and len(arrays) == len(types):  # arrays only: read in C
        return functools.partial(_each_shape_and_dtype, _SHAPE_AND_DTYPE)
    return key


_SHAPE_AND_DTYPE = operator.attrgetter("shape", "dtype")


def _each_shape_and_dtype(getter: Callable[[Any], tuple], args: tuple) -> tuple:
    return tuple(map(getter, args))


def _no_zero_d_shared_and_updated(fn: Callable[..., Any], names: list, args: tuple,
                                  risky: frozenset) -> None:
    """Refuse a 0-d array for a parameter that ``fn`` updates in place and also gives
    another name (`zero_d_analysis`): NumPy's update changes what the other name sees,
    while grad's new value (a number) leaves it, silently."""
    for name, arg in zip(names, args):
        if name in risky and type(arg) is np.ndarray and not arg.ndim:
            raise errors.InPlaceUpdateError(
                f"{fn.__name__}() gives its argument {name} another name or container "
                f"and updates it in place through one of them (+=, *=, ...): {name} is "
                "a 0-d array here, which NumPy's update changes for both, while grad "
                "computes the update as a new value (a number) and cannot follow that "
                f"sharing. Pass a number (float({name})), or write the update as a new "
                "value (y = y + ...)")


def _zero_d(x: Any) -> bool:
    return type(x) is np.ndarray and not x.ndim


def _like_numbers(compiled: Callable[..., Any], numbers: tuple, single: bool,
                  value: bool) -> Callable[..., Any]:
    """``compiled``, each gradient with respect to a number (``numbers``: its index among
    the gradients and a reader of the argument) given back as that number's type and
    dtype: a float for a float, an np.float32 for an np.float32, a 0-d array of its own
    for a 0-d array. A variant for numbers serves all of them, and its arithmetic gives
    whatever type it gives (np.sin(x) of a float is an np.float64; a 0-d array is read
    as a number)."""
    if single and not value:
        read = numbers[0][1]

        def run_one(*args: Any, **kwargs: Any) -> Any:
            g = compiled(*args, **kwargs)
            x = read(args, kwargs)
            return g if type(g) is float and type(x) is float else like_number(g, x)

        return run_one

    def run(*args: Any, **kwargs: Any) -> Any:
        result = compiled(*args, **kwargs)
        grads = result[1] if value else result
        if single:
            grads = like_number(grads, numbers[0][1](args, kwargs))
        else:
            grads = list(grads)
            for k, read in numbers:
                grads[k] = like_number(grads[k], read(args, kwargs))
            grads = tuple(grads)
        return (result[0], grads) if value else grads

    return run


def _describe_into(described: dict, key: str, text: str) -> None:
    """``described[key] = text``, under ``key #2`` (and so on) where another variant's
    code has that description already (a list and a tuple of numbers read alike)."""
    n = 2
    base = key
    while described.get(key, text) != text:
        key, n = f"{base} #{n}", n + 1
    described[key] = text


def _describe(signature: tuple) -> str:
    """A variant's key in ``.variants``: what the calls it serves pass."""
    if signature == NO_SCALARS:
        return "general"
    scalars, sequences, groups, containers, _ = signature
    parts = []
    if scalars:
        parts.append("scalars: " + ", ".join(scalars))
    if sequences:
        parts.append("lists of scalars: " + ", ".join(sequences))
    if groups:
        parts.append("same shapes: " + "; ".join(", ".join(g) for g in groups))
    other = [c for c in containers if c not in sequences]
    if other:
        parts.append("containers: " + ", ".join(other))
    return "; ".join(parts)


def _laying_out(compiled: Callable[..., Any], positions: list, single: bool,
                value: bool) -> Callable[..., Any]:
    """``compiled`` for positional calls, its gradients laid out as the arguments at
    ``positions`` (see `_in_structures`) as the caller passed them: the code, or a
    derivative it calls, may write into a list or dict it is given (``ws.append(v)``)."""
    def run(*args: Any) -> Any:
        like = [shallow_copy(args[k]) for k in positions]
        return _in_structures(compiled(*args), like, single, value)

    return run


def _in_structures(result: Any, arguments: list, single: bool, value: bool) -> Any:
    """``result`` with each gradient laid out (containers, dtypes) as its argument."""
    grads = result[1] if value else result
    seen: set = set()  # no two gradients one array
    grads = in_structure(grads, arguments[0]) if single else tuple(
        in_structure(g, a, seen) for g, a in zip(grads, arguments))
    return (result[0], grads) if value else grads


def _positions_in_star_args(fn: Any, wrt: Wrt) -> bool:
    """Whether ``wrt`` names a position that ``fn``'s ``*args`` receives (``def
    loss(*params)``, ``grad(loss, 1)``), as HIPS autograd and JAX count positions."""
    method = isinstance(fn, types.MethodType) and isinstance(fn.__func__, types.FunctionType)
    function = fn.__func__ if method else fn  # (m.loss of def loss(self, *ps): after self)
    code = getattr(function, "__code__", None)
    if not isinstance(function, types.FunctionType) or code is None or \
            not code.co_flags & inspect.CO_VARARGS or code.co_filename.startswith(
                ("<autograd_src", "<decorated", "<star ", _PACKAGE)):
        return False
    items = wrt if isinstance(wrt, (tuple, list)) else [wrt]
    return any(isinstance(w, (int, np.integer)) and not isinstance(w, bool) and
               w >= code.co_argcount - method for w in items)


def _with_arity(fn: types.FunctionType, count: int) -> Callable[..., Any]:
    """``def loss(w, rest_0, rest_1): return _wrapped(w, rest_0, rest_1)`` for ``def
    loss(w, *rest)`` called with ``count`` positional values: a function of named
    parameters whose derivative grad makes, differentiating ``loss`` as a helper given
    that many values (keyword-only parameters and defaults passed on)."""
    known = _ARITIES.setdefault(fn, {})
    if count in known:
        return known[count]
    kinds = inspect.Parameter
    namespace = {"_wrapped": fn}
    # (its own parameters: a wrapper's *args, not the function it wraps)
    params = list(inspect.signature(fn, follow_wrapped=False).parameters.values())
    named = [p for p in params if p.kind in (kinds.POSITIONAL_ONLY,
                                             kinds.POSITIONAL_OR_KEYWORD)]
    star = next(p.name for p in params if p.kind is kinds.VAR_POSITIONAL)
    extra = [f"{star}_{k}" for k in range(max(count - len(named), 0))]
    taken = {p.name for p in params}
    extra = [n if n not in taken else f"_{n}" for n in extra]
    # (a default before values passed after it is never taken: left out)
    header = [loader.parameter_text(p, namespace, default=not extra) for p in named]
    passed = [p.name for p in named]
    header += extra
    passed += extra
    keyword = [p for p in params if p.kind is kinds.KEYWORD_ONLY]
    if keyword:
        header.append("*")
    header += [loader.parameter_text(p, namespace) for p in keyword]
    passed += [f"{p.name}={p.name}" for p in keyword]
    varkw = next((p.name for p in params if p.kind is kinds.VAR_KEYWORD), None)
    if varkw is not None:
        header.append(f"**{varkw}")
        passed.append(f"**{varkw}")
    name = fn.__name__ if fn.__name__.isidentifier() else "f"
    text = (f"def {name}({', '.join(header)}):\n"
            f"    # {fn.__qualname__} takes *{star}: differentiated for {count} positional "
            "values\n"
            f"    return _wrapped({', '.join(passed)})\n")
    made = loader.defined(text, name, f"<star {fn.__module__}.{fn.__qualname__} {count}>",
                          namespace)
    made.__module__ = fn.__module__
    made.__qualname__ = fn.__qualname__
    known[count] = made
    return made


_ARITIES = FunctionCache("arities")


def _def_line(fn: types.FunctionType) -> tuple:
    """``(filename, lineno)`` of ``fn``'s def, for an error pointing at it."""
    return fn.__code__.co_filename, fn.__code__.co_firstlineno


def _build_per_arity(fn: types.FunctionType, wrt: Wrt, value: bool, verbose: int,
                     printer: str, optimize: bool) -> Callable[..., Any]:
    """`grad` of ``def loss(*params)`` along positions its ``*params`` receives (of a
    bound method's, ``m.loss`` of ``def loss(self, *params)``, positions after self)."""
    instance = fn.__self__ if isinstance(fn, types.MethodType) else None
    function = fn.__func__ if instance is not None else fn
    code = function.__code__
    star = code.co_varnames[code.co_argcount + code.co_kwonlyargcount]
    items = wrt if isinstance(wrt, (tuple, list)) else [wrt]
    skip = int(instance is not None)
    name = derivative_name(function.__name__, [
        item if isinstance(item, str) else code.co_varnames[item + skip]
        if 0 <= item + skip < code.co_argcount
        else f"{star}_{item + skip - code.co_argcount}" for item in items], value)
    return per_arity(fn, wrt, name, lambda named: _build(
        named, wrt, value, verbose, printer, optimize=optimize))


def per_arity(fn: Any, wrt: Wrt, name: str,
              make: Callable[[Callable[..., Any]], Callable[..., Any]],
              trailing: int = 0) -> Callable[..., Any]:
    """The derivative (``make`` of a function) of ``def loss(*params)`` along positions
    its ``*params`` receives: made at the call, once for each number of positional
    values passed (see `_with_arity`), as HIPS autograd and JAX count positions over
    the call's values. ``trailing``: values the derivative takes after ``fn``'s
    (hvp's vector). Of a bound method (``m.loss`` of ``def loss(self, *params)``),
    the function made is bound to its object, positions counted after it."""
    instance = fn.__self__ if isinstance(fn, types.MethodType) else None
    if instance is not None:
        fn = fn.__func__
    made: dict = {}
    views: list = []
    items = wrt if isinstance(wrt, (tuple, list)) else [wrt]
    if not items:
        raise ValueError("wrt is empty: name at least one parameter")
    for item in items:  # (names pass as they are: the function made keeps them)
        if isinstance(item, str):
            continue
        if isinstance(item, bool) or not isinstance(item, (int, np.integer)) or item < 0:
            raise TypeError(f"wrt={item!r}: {fn.__name__}() takes *args, so positions are "
                            "counted over the call's values: give positions from the front "
                            "(ints), or names of its named parameters")
    furthest = max(int(i) for i in items if not isinstance(i, str))

    def derivative(*args: Any, **kwargs: Any) -> Any:
        count = len(args) - trailing
        inner = made.get(count)
        if inner is None:
            if furthest >= count:
                raise ValueError(f"wrt={wrt!r}: this call passes {max(count, 0)} positional "
                                 f"value(s) to {fn.__name__}(), which takes them as *args")
            try:
                named = _with_arity(fn, count + (instance is not None))
                inner = made[count] = make(
                    named if instance is None else types.MethodType(named, instance))
            except errors.DiffSyntaxError as exc:
                named = [w for w in items if isinstance(w, str)]
                if not str(exc.filename).startswith("<star ") or not named:
                    raise  # (a refusal of the function's own code: at its line)
                raise errors.DiffSyntaxError(
                    f"grad of {fn.__name__}() along values its *args receives and its "
                    f"keyword-only parameter {', '.join(named)} together is not "
                    "supported: differentiate along them in two calls, or make the "
                    "parameter positional (before the *)", *_def_line(fn)) from None
        for view in [derivative] + views:
            for attribute in ("source", "__wrapped__"):
                if hasattr(inner, attribute):
                    setattr(view, attribute, getattr(inner, attribute))
        return inner(*args, **kwargs)

    functools.update_wrapper(derivative, fn, assigned=("__module__", "__qualname__"),
                             updated=())
    derivative.__name__ = name
    derivative.source = (f"# The derivative of {fn.__qualname__}, which takes *args, is "
                         "generated at its first call, once for each number of positional "
                         "values: read .source after a call.\n")  # type: ignore[attr-defined]
    derivative.__autograd_src_views__ = views  # type: ignore[attr-defined]
    return derivative


def _build_per_class(fn: Callable[..., Any], wrt: Wrt, value: bool, verbose: int,
                     printer: str, bindings: dict, first: str,
                     optimize: bool = True) -> Callable[..., Any]:
    """The derivative of a function calling methods of its arguments (``model.predict(x)``).

    Which function ``model.predict`` is depends on the class of ``model``, so the
    derivative is generated at the call, once per class, with the methods
    resolved on the class as for ``grad(model.loss)``.
    """
    objects: list[str] = [first]
    readers = [argument_reader(fn, first)]
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
                if exc.parameter in objects or exc.parameter in bindings or \
                        exc.parameter not in parameters(fn)[0]:
                    raise
                objects.append(exc.parameter)  # a second argument whose methods it calls
                readers.append(argument_reader(fn, exc.parameter))
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
    derivative.__name__ = derivative_name(fn.__name__, list(
        (wrt,) if isinstance(wrt, str) else wrt), value)
    derivative.source = (f"# The derivative of {fn.__qualname__} is generated at its first "
                         f"call, once for each class of {first}: read .source after a "
                         "call.\n")  # type: ignore[attr-defined]
    derivative.__autograd_src_views__ = views  # type: ignore[attr-defined]
    derivative.__autograd_src_per_class__ = first  # type: ignore[attr-defined]
    return derivative


#: False while a derivative made at its first call is being made (then an undefined
#: function is an error, not a reason to wait again).
_WAITING: contextvars.ContextVar = contextvars.ContextVar("autograd_src_waiting",
                                                          default=True)


def made_at_first_call_if_undefined(entry: Callable[..., Any]) -> Callable[..., Any]:
    """``entry`` (grad, make_jvp, hessian, ...), made to wait for the first call of the
    derivative where the function differentiated calls a function not defined yet
    (``act(x)`` with ``act`` defined in a later notebook cell), as Python's call does."""

    first = next(iter(inspect.signature(entry).parameters.values()))
    takes_none = first.default is None  # (grad, value_and_grad: their decorator form)

    @functools.wraps(entry)
    def waiting(fn: Any = None, *args: Any, **kwargs: Any) -> Any:
        if fn is not None or not takes_none:  # (grad(wrt=1) as a decorator: fn None)
            if not callable(fn):
                raise TypeError(f"{entry.__name__} expects a function, got "
                                f"{type(fn).__name__}")
            fn = _primitive_as_function(fn)
        try:
            return entry(fn, *args, **kwargs)
        except UndefinedFunctionError as exc:
            if not _WAITING.get():
                raise
            return _AtFirstCall(lambda: entry(fn, *args, **kwargs), fn, exc.name)

    return waiting


_AS_FUNCTIONS: dict = {}


def _primitive_as_function(fn: Any) -> Any:
    """A function with a derivative rule given itself (``jacfwd(np.tanh)``,
    ``grad(np.sum)``, ``grad(scipy.special.logsumexp)``): as the Python function calling
    it (``def tanh(x): return np.tanh(x)``, its source registered with linecache), whose
    derivative its rule gives, not the code of the library's own (read by grad, that
    would meet what the rule stands for: ``np.errstate``, array-API dispatch); anything
    else as it is."""
    from .rules import registry
    from .transform.mutation import is_user_function
    if isinstance(fn, np.ufunc):
        if fn.nin < 1:
            return fn
        params = ["x"] if fn.nin == 1 else [f"x{k}" for k in range(1, fn.nin + 1)]
        header, passed, defaults = params, params, {}
    elif getattr(fn, "__name__", None) is None or (
            isinstance(fn, types.FunctionType) and is_user_function(fn)) or \
            (registry.lookup(fn) is None and not _composite_of_numpy(fn) and
             not (registry.is_nondifferentiable(fn) and  # (np.round: a zero gradient)
                  (getattr(fn, "__module__", None) or "").split(".")[0] in ("numpy",
                                                                           "math"))):
        return fn
    else:  # math.sin, np.sum, scipy.special.softmax: a library's function with a rule
        rule = registry.lookup(fn) or _composite_of_numpy(fn)
        try:  # (or np.nanmean, computed by a composite of functions with rules)
            signature = inspect.signature(fn)
        except (TypeError, ValueError):  # (np.dot before NumPy 2.1: its rule's parameters)
            ours = getattr(getattr(rule, "signature", None), "parameters", {})
            signature = inspect.Signature([
                p for name, p in ours.items() if name in getattr(rule, "params", ())]) \
                if ours else None
        laid_out = _parameters_passed_on(signature, rule) if signature is not None else None
        if laid_out is None:
            home = getattr(fn, "__module__", None) or ""
            shown = ("np" + home[len("numpy"):] if home.startswith("numpy") else home or
                     "its module") + f".{fn.__name__}"
            if home.startswith("scipy.stats") and isinstance(
                    getattr(getattr(fn, "__self__", None), "name", None), str):
                shown = f"scipy.stats.{fn.__self__.name}.{fn.__name__}"  # (norm.logpdf)
            raise TypeError(f"{shown} has a derivative rule but no Python source for grad "
                            "to read: call it inside a function of yours (grad(lambda a: "
                            f"{shown}(a, ...)))")
        header, passed, defaults = laid_out
    made = _AS_FUNCTIONS.get(fn)
    if made is not None:
        return made
    name = fn.__name__ if fn.__name__.isidentifier() else "ufunc"
    module = "np" if isinstance(fn, np.ufunc) else "module"
    text = (f"def {name}({', '.join(header)}):\n"
            f"    return {module}.{name}({', '.join(passed)})  # given to grad itself\n")
    made = _AS_FUNCTIONS[fn] = loader.defined(
        text, name, f"<{fn.__name__} as a function>",
        {module: types.SimpleNamespace(**{name: fn}), **defaults})
    made.__module__ = getattr(fn, "__module__", None) or "numpy"
    return made


def _composite_of_numpy(fn: Any) -> Optional[Callable[..., Any]]:
    """The composite computing ``fn``, a NumPy function without a rule of its own
    (``np.nanmean``), or None."""
    from .rules import registry
    found = registry.composite(fn)
    return found if found is not None and found is not fn else None


def _parameters_passed_on(signature: inspect.Signature, rule: Any) -> Optional[tuple]:
    """``(header, passed, defaults)`` of a wrapper with ``signature``'s parameters, each
    passed on as it is received (``x, /, axis=_default_1`` and ``x, axis=axis``,
    ``_default_1`` the default's value), but for those with a default that the rule
    does not take (``np.sum``'s ``dtype``; ``out`` and ``**kwargs`` never), and of those
    whose default NumPy marks "not given" (``np._NoValue``), all but ``keepdims`` and
    ``np.clip``'s bounds, given the rule's default (``where``, ``initial`` left out: a
    rule may read them as given).
    None where there are none to differentiate."""
    P = inspect.Parameter
    if isinstance(rule, types.FunctionType):  # (a composite: its own parameters)
        rule_parameters = inspect.signature(rule).parameters
        ruled = set(rule_parameters)
    else:
        ruled = set(getattr(rule, "params", ()))
        rule_parameters = getattr(getattr(rule, "signature", None), "parameters", {})
    header: list = []
    passed: list = []
    defaults: dict = {}
    starred = False  # (a bare * written before the keyword-only parameters)
    skipped = False
    for k, p in enumerate(signature.parameters.values()):
        if not p.name.isidentifier():
            return None
        if p.kind is P.VAR_POSITIONAL:
            return None  # (a rule binds each argument to a parameter of its own)
        if p.kind is P.VAR_KEYWORD or p.name == "out" or (
                p.default is not p.empty and p.name not in ruled):
            skipped = True
            continue  # (left to the function's own default)
        if p.default is np._NoValue:
            # (keepdims and clip's bounds alone: an option the rule reads as given when
            # passed at all, where=None as a mask, must stay out unless the user gives it)
            ours = rule_parameters.get(p.name)
            if p.name not in ("keepdims", "a_min", "a_max") or ours is None or \
                    ours.default is ours.empty:
                skipped = True
                continue
            p = p.replace(default=ours.default)
        if skipped and p.kind is P.POSITIONAL_ONLY:
            return None
        if skipped and p.kind is P.POSITIONAL_OR_KEYWORD:
            # (after one left out, by keyword only: np.std(x, 0, None)'s None is a dtype,
            # not the next parameter kept)
            p = p.replace(kind=P.KEYWORD_ONLY)
        if p.kind is P.KEYWORD_ONLY and not starred:
            header.append("*")
            starred = True
        text = p.name
        if p.default is not p.empty:
            defaults[f"_default_{k}"] = p.default
            text += f"=_default_{k}"
        header.append(text)
        passed.append(p.name if p.kind is P.POSITIONAL_ONLY or (
            p.kind is P.POSITIONAL_OR_KEYWORD and p.default is p.empty)
            else f"{p.name}={p.name}")
        if p.kind is P.POSITIONAL_ONLY and not any(
                q.kind is P.POSITIONAL_ONLY
                for q in list(signature.parameters.values())[k + 1:]):
            header.append("/")
    if not passed or passed[0].startswith("*"):
        return None
    return header, passed, defaults


class _AtFirstCall:
    """The derivative of a function calling a function not defined yet when grad ran
    (``act(x)``, defined in a later cell): made at the first call (or the first read of
    what it is made of), by which time Python's call too needs ``act`` defined."""

    __autograd_src_made_at_first_call__ = True  # (the normalizer calls made())

    def __init__(self, make: Callable[[], Callable[..., Any]], fn: Any,
                 missing: str) -> None:
        self._make, self._made = make, None
        name = getattr(fn, "__name__", "f")
        self.__name__ = self.__qualname__ = f"d{name}"
        self.__module__ = getattr(fn, "__module__", None)
        self.__doc__ = f"Derivative of {name}, generated at its first call."
        self.source = (f"# The derivative of {name} is generated at its first "
                       f"call: {missing}, which it calls, was not defined when grad ran. "
                       "Read .source after a call.\n")

    def made(self) -> Callable[..., Any]:
        """The derivative, made now if not yet (raising if the function it calls is
        still not defined)."""
        if self._made is None:
            token = _WAITING.set(False)
            try:
                self._made = self._make()
            finally:
                _WAITING.reset(token)
            self.source = getattr(self._made, "source", self.source)
        return self._made

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        made = self.made()
        try:
            return made(*args, **kwargs)
        finally:
            self.source = getattr(made, "source", self.source)

    def __getattr__(self, name: str) -> Any:  # .variants, __wrapped__, ...: the made one's
        if name.startswith("__") and not name.startswith("__autograd_src") and \
                name != "__wrapped__":
            raise AttributeError(name)
        return getattr(self.made(), name)


def _function_defaults(fn: Callable[..., Any]) -> dict[str, Any]:
    """``fn``'s parameters whose defaults are functions (``act=np.tanh``), by name."""
    return {name: default for name, default in source.default_values(fn).items()
            if callable(default) and not isinstance(default, type)}


def _build_per_function(fn: Callable[..., Any], wrt: Wrt, value: bool, verbose: int,
                        printer: str, optimize: bool, defaults: dict) -> Callable[..., Any]:
    """The derivative of a function whose parameters default to functions
    (``def loss(W, x, act=np.tanh)``): its code calls the function the call passes,
    so it is generated once for each function passed (``act=relu``, a lambda, a
    ``functools.partial``'s keyword), that one known; the default's is made now and
    serves the calls that leave the default."""
    readers = {name: argument_reader(fn, name) for name in defaults}
    plain = _build(fn, wrt, value, verbose, printer, optimize=optimize, per_function=False)
    made: dict = {}

    def derivative(*args: Any, **kwargs: Any) -> Any:
        passed = {name: read(args, kwargs) for name, read in readers.items()}
        chosen = {name: f for name, f in passed.items()
                  if f is not defaults[name] and (inspect.isfunction(f) or
                                                  type(f).__name__ == "ufunc")}
        if not chosen:  # the defaults (or objects only the default's code may check)
            inner = plain
        else:
            key = tuple(sorted((name, id(f)) for name, f in chosen.items()))
            held = made.get(key)
            if held is None or any(held[1][n] is not f for n, f in chosen.items()):
                held = made[key] = (_build(fn, wrt, value, verbose, printer, chosen,
                                           optimize=optimize, per_function=False), chosen)
            inner = held[0]
        result = inner(*args, **kwargs)
        derivative.source = inner.source  # type: ignore[attr-defined]
        derivative.__wrapped__ = inner.__wrapped__  # type: ignore[attr-defined]
        return result

    functools.update_wrapper(derivative, plain, assigned=("__module__", "__name__",
                                                          "__qualname__"), updated=())
    for attribute in ("source", "variants", "__wrapped__", "__autograd_src_origin__",
                      "__autograd_src_general__"):
        if hasattr(plain, attribute):
            setattr(derivative, attribute, getattr(plain, attribute))
    return derivative


class _FirstParameter(int):
    """The default ``wrt`` (0, the first parameter), told apart from a ``wrt=0`` given
    beside ``argnums`` (two answers to one question: an error)."""

    def __repr__(self) -> str:
        return "0"


_FIRST = _FirstParameter(0)


def _wrt_or_argnums(wrt: Wrt, argnums: Optional[Wrt]) -> Wrt:
    if argnums is None:
        return wrt
    if wrt is not _FIRST:
        raise TypeError(f"wrt={wrt!r} and argnums={argnums!r} both given: argnums is a "
                        "synonym of wrt; pass one of them")
    return argnums


@made_at_first_call_if_undefined
def grad(fn: Optional[Callable[..., Any]] = None, wrt: Wrt = _FIRST, *,
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
        ``1`` prints the generated source; ``2`` also prints the function after
        each stage of the pipeline (parsed, desugared, normalized, the two sweeps
        before and after the rewriting passes), to see what each stage did.
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
    wrt = _wrt_or_argnums(wrt, argnums)
    if fn is None:
        return lambda f: grad(f, wrt, verbose=verbose, optimize=optimize)
    return _build(fn, wrt, value=False, verbose=verbose, optimize=optimize)


@made_at_first_call_if_undefined
def value_and_grad(fn: Optional[Callable[..., Any]] = None, wrt: Wrt = _FIRST, *,
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
    wrt = _wrt_or_argnums(wrt, argnums)
    if fn is None:
        return lambda f: value_and_grad(f, wrt, verbose=verbose, optimize=optimize)
    return _build(fn, wrt, value=True, verbose=verbose, optimize=optimize)


def derivative_source(fn: Callable[..., Any], wrt: Wrt = 0, *, printer: str = "gast") -> str:
    """The generated source of ``grad(fn, wrt)``, printed with ``printer``."""
    return _build(fn, wrt, value=False, verbose=0, printer=printer).source
