"""Forward mode: `make_jvp`, `jvp`, and `vjp` beside it.

`make_jvp(f)` is to forward mode what `grad(f)` is to reverse mode: a function
generated from the source of ``f`` (``.source``, ``inspect.getsource``,
``verbose``), taking ``f``'s arguments plus one keyword-only tangent per
differentiated parameter (``dx=``), returning ``(value, tangent)``. `jvp` and
`vjp` are JAX's signatures over it and over `grad`; Jacobians and second
derivatives are in `jacobians`.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, Optional, Sequence, Union

import numpy as np

from . import errors
from .api import (
    _positions_in_star_args,
    _resolve_wrt,
    _Shortcuts,
    _with_arity,
    called_method,
    check_options,
    container_signature,
    general_code,
    general_entry,
    grad,
    made_at_first_call_if_undefined,
    partial_lifted,
    per_arity,
)
from .arguments import (
    MISSING,
    NO_SCALARS,
    SCALAR_SET,
    SameDraws,
    argument_reader,
    counter_indexed,
    in_structure,
    make_checker,
    no_complex_result,
    scalar_signature,
    shallow_copy,
)
from .errors import SeveralOutputsError, UnresolvedMethodError
from .rules import forward_rules, runtime_rules  # noqa: F401 - register their rules
from .transform import loader, source, stages
from .transform.pipeline import LOCK, bind, cache_for, cached, transform_forward
from .transform.source import is_bound_method, parameters

__all__ = ["make_jvp", "jvp", "vjp"]

Wrt = Union[int, str, Sequence[Union[int, str]]]


@made_at_first_call_if_undefined
def make_jvp(fn: Callable[..., Any], wrt: Wrt = 0, *, verbose: int = 0,
             printer: str = "gast", optimize: bool = True) -> Callable[..., Any]:
    """Return the forward-mode derivative of ``fn``, generated from its source code.

    Parameters
    ----------
    fn : callable
        A Python function or bound method whose source can be read (anything
        `grad` accepts), returning a value of any shape.
    wrt : int, str or tuple of them
        The parameters that carry tangents, by position or name.
    verbose : int
        ``1`` prints the generated source, ``2`` also each stage of the pipeline.
    optimize : bool
        ``False`` leaves out the rewriting passes (tangents computed into
        temporaries and copied, temporaries read once folded into their reader):
        each primitive statement followed by its tangent, as the forward stage
        writes them. The same values.

    Returns
    -------
    callable
        ``df(*args, dx=..., **kwargs) -> (value, tangent)``: ``fn``'s own parameters
        plus a keyword-only tangent for each parameter in ``wrt`` (``d`` + its name,
        listed in ``df.tangents``), each shaped like its argument. The tangent is
        the directional derivative of ``fn`` at ``args`` along them (J v).

    Examples
    --------
    >>> import numpy as np
    >>> def f(x):
    ...     return np.sin(x) * x
    >>> df = make_jvp(f)
    >>> value, tangent = df(np.array([0.0, 1.0]), dx=np.array([1.0, 1.0]))
    >>> tangent  # sin(x) + x cos(x)
    array([0.        , 1.38177329])
    """
    check_options(verbose, optimize)
    fn = called_method(fn)
    if isinstance(fn, functools.partial):
        return partial_lifted(lambda f, names: make_jvp(f, names, verbose=verbose,
                                                        printer=printer, optimize=optimize),
                              fn, wrt)
    if _positions_in_star_args(fn, wrt):  # (def loss(*params))
        return per_arity(fn, wrt, f"jvp_{fn.__name__}", lambda named: make_jvp(
            named, wrt, verbose=verbose, printer=printer, optimize=optimize))
    origin = getattr(fn, "__autograd_src_origin__", None)
    if origin is not None and not origin.value and printer == "gast":
        # make_jvp(grad(f)): forward over the code grad generates for the call's lists,
        # tuples and dicts (its general code would join them with +)
        return _of_gradient(fn, origin, wrt, verbose, optimize)
    # A derivative grad made is differentiated through its general code, where grad
    # marks it (forward over reverse: make_jvp(grad(f))).
    fn = general_code(fn)
    if not callable(fn):
        raise TypeError(f"make_jvp expects a function, got {type(fn).__name__}")
    if not hasattr(fn, "__code__"):
        source.parse_function(fn)  # raises SourceUnavailableError, saying why
    names, _ = _resolve_wrt(fn, wrt)
    if is_bound_method(fn):
        function, instance = fn.__func__, fn.__self__
        marker = source.InstanceOf.of(instance)
        unbound = _make(function, names, verbose, printer,
                        {function.__code__.co_varnames[0]: marker}, optimize)
        def check() -> None:  # (m.forward = ... set since would not be followed)
            marker.no_method_hidden(instance, function)

        check()

        def run(args: tuple, kwargs: dict, tangents: tuple) -> Any:
            check()
            return unbound.run((instance,) + tuple(args), kwargs, tangents)

        bound = bind(unbound, instance, check)
        bound.tangents = unbound.tangents
        bound.run = run
        return bound
    try:
        return _make(fn, names, verbose, printer, {}, optimize)
    except UnresolvedMethodError as exc:
        # model.predict(x) with model an argument: known once a call shows its class.
        return _per_class(fn, names, verbose, printer, exc.parameter, optimize)


def _of_gradient(fn: Callable[..., Any], origin: Any, wrt: Wrt, verbose: int,
                 optimize: bool) -> Callable[..., Any]:
    """``make_jvp(grad(f))``: the tangent of the code grad generates for each call's
    containers (`container_signature`; one forward derivative per signature), the
    gradient and its tangent laid out as grad lays out its gradients."""
    from .jacobians import in_forward_terms  # (jacobians imports this module)
    origin_fn = origin.function()
    try:
        _, general, inline = forward_of_gradient(
            lambda inline: general_entry(origin_fn, origin.names, origin.single, False,
                                         origin.optimize, NO_SCALARS, inline=True)
            if inline else (general_code(fn),),
            lambda code: make_jvp(code, wrt, verbose=verbose, optimize=optimize))
    except errors.DiffSyntaxError as exc:
        raise in_forward_terms(exc, "make_jvp", origin_fn,
                               f"grad({getattr(origin_fn, '__name__', 'f')})") from None
    made: dict = {NO_SCALARS: general}
    tangent_set = frozenset(general.tangents)
    gradient: list = [None, None]  # the gradient's code the variants come from, its reads

    def derivative_for(args: tuple, kwargs: dict) -> Callable[..., Any]:
        function = origin.function()
        # (made again where a function the gradient calls was redefined since: the old
        # code calls the old helper's derivative, which forward mode no longer knows)
        if gradient[1] is None or not gradient[1].unchanged():
            code, _, reads = general_entry(function, origin.names, origin.single, False,
                                           origin.optimize, NO_SCALARS, inline=inline)
            if gradient[0] is not None and code is not gradient[0]:
                made.clear()
                made[NO_SCALARS] = make_jvp(code, wrt, verbose=verbose, optimize=optimize)
            gradient[:] = [code, reads]
        signature = container_signature(function, args, kwargs)
        if signature not in made:
            code = general_entry(function, origin.names, origin.single, False,
                                 origin.optimize, signature, inline=inline)[0]
            made[signature] = make_jvp(code, wrt, verbose=verbose, optimize=optimize)
        chosen = made[signature]
        derivative.source = chosen.source  # type: ignore[attr-defined]
        derivative.__wrapped__ = chosen.__wrapped__  # type: ignore[attr-defined]
        return chosen

    def passed(args: tuple, kwargs: dict) -> list:
        # read before the call: the code may write into a list or dict it is given
        function = origin.function()
        return [shallow_copy(argument_reader(function, n)(args, kwargs))
                for n in origin.names]

    def laid_out(like: list, result: tuple) -> tuple:
        if not any(isinstance(a, (list, tuple, dict)) for a in like):
            return result
        if origin.single:
            return tuple(in_structure(r, like[0]) for r in result)
        return tuple(tuple(in_structure(g, a) for g, a in zip(r, like)) for r in result)

    def run(args: tuple, kwargs: dict, tangents: Sequence[Any]) -> tuple:
        like = passed(args, kwargs)
        return laid_out(like, derivative_for(tuple(args), kwargs).run(args, kwargs, tangents))

    def derivative(*args: Any, **kwargs: Any) -> tuple:
        primal = {k: v for k, v in kwargs.items() if k not in tangent_set}
        like = passed(args, primal)
        return laid_out(like, derivative_for(args, primal)(*args, **kwargs))

    derivative.__name__ = derivative.__qualname__ = general.__name__
    derivative.__module__ = general.__module__
    derivative.source = general.source  # type: ignore[attr-defined]
    derivative.__wrapped__ = general.__wrapped__  # type: ignore[attr-defined]
    derivative.__autograd_src_general__ = general.__autograd_src_general__  # type: ignore
    derivative.tangents = general.tangents  # type: ignore[attr-defined]
    derivative.run = run  # type: ignore[attr-defined]
    return derivative


def forward_of_gradient(code_for: Callable[[bool], tuple],
                        differentiate: Callable[[Any], Any]) -> tuple:
    """``(entry, differentiate(entry[0]), inline)`` for the gradient code
    ``entry = code_for(False)`` (its code first); where forward mode refuses it (the
    derivative of a nested def returns its backward pass as a closure, which it does
    not follow), for ``code_for(True)``, the gradient made again with its small nested
    defs written inline (`inline_defs`). Where that changes nothing or is refused too,
    the first refusal is raised."""
    entry = code_for(False)
    try:
        return entry, differentiate(entry[0]), False
    except errors.DiffSyntaxError as exc:
        refused = exc
    try:
        inlined = code_for(True)
        if inlined[0] is not entry[0]:
            return inlined, differentiate(inlined[0]), True
    except errors.DiffSyntaxError:
        pass
    raise refused


def _per_class(fn: Callable[..., Any], names: list[str], verbose: int, printer: str,
               first: str, optimize: bool) -> Callable[..., Any]:
    """The forward-mode derivative of a function calling methods of its arguments,
    generated at the call, once per class of those arguments (as `grad` does)."""
    objects, made = [first], {}

    def no_method_hidden(args: tuple, kwargs: dict) -> None:
        for p in objects:  # (model.act = np.sin on the instance: not Model.act)
            instance = argument_reader(fn, p)(args, kwargs)
            source.InstanceOf.of(instance).no_method_hidden(instance, fn)

    def derivative_for(args: tuple, kwargs: dict) -> Callable[..., Any]:
        while True:
            classes = tuple(type(argument_reader(fn, p)(args, kwargs)) for p in objects)
            if classes in made:
                no_method_hidden(args, kwargs)
                return made[classes]
            bindings = {p: source.InstanceOf.for_class(c) for p, c in zip(objects, classes)}
            try:
                made[classes] = _make(fn, names, verbose, printer, bindings, optimize)
            except UnresolvedMethodError as exc:
                if exc.parameter in objects:
                    raise
                objects.append(exc.parameter)  # a second argument whose methods it calls
                made.clear()
                continue
            derivative.source = made[classes].source  # type: ignore[attr-defined]
            derivative.tangents = made[classes].tangents  # type: ignore[attr-defined]
            no_method_hidden(args, kwargs)
            return made[classes]

    def run(args: tuple, kwargs: dict, tangents: Sequence[Any]) -> tuple:
        return derivative_for(tuple(args), kwargs).run(args, kwargs, tangents)

    def derivative(*args: Any, **kwargs: Any) -> tuple:
        return derivative_for(args, kwargs)(*args, **kwargs)

    derivative.__name__ = f"jvp_{getattr(fn, '__name__', 'f')}"
    derivative.source = (f"# The forward-mode derivative of {fn.__qualname__} is generated at "
                         f"its first call, once for each class of {first}: read .source "
                         "after a call.\n")  # type: ignore[attr-defined]
    derivative.run = run  # type: ignore[attr-defined]
    return derivative


def _make(fn: Callable[..., Any], names: list[str], verbose: int, printer: str,
          bindings: dict, optimize: bool = True) -> Callable[..., Any]:
    key = ("forward", tuple(names), printer,
           tuple(sorted((k, id(v)) for k, v in bindings.items())), optimize)

    def generated(signature: tuple) -> tuple:
        entry_key = key if signature is NO_SCALARS else key + (signature,)
        with LOCK:
            per_fn = cache_for(fn)
            entry = cached(per_fn, entry_key)
            if entry is None:
                entry = per_fn[entry_key] = transform_forward(
                    fn, names, printer, signature[:5], bindings=bindings, rewrite=optimize)
            return entry

    compiled, text, reads = generated(NO_SCALARS)
    if verbose >= 2:
        with stages.showing():
            transform_forward(fn, names, printer, bindings=bindings, rewrite=optimize)
    if verbose:
        print(text)
    tangent_names = list(compiled.__autograd_src_tangents__)
    operands = make_checker(fn, [], getattr(compiled, "__autograd_src_operands__", {}))
    tangent_set = frozenset(tangent_names)
    # variant -> (code, text, reads): each with what it was made from, checked before
    # it runs (threads whose state differs, a threading.local(), remake them)
    variants = {NO_SCALARS: (compiled, text, reads)}
    parameter_names, positional = parameters(fn)
    # Calls like ones seen before go straight to their variant (as grad's do).
    shortcuts = _Calls([parameter_names.index(n) for n in names], positional)
    vectors: list = []  # the parameters a 1-D array may be read as a list of (once known)
    state = {"reads": reads}

    def choose(args: tuple, kwargs: dict) -> Callable[..., Any]:
        if not kwargs:
            entry = shortcuts.find(args)
            if entry is not None and entry[2].unchanged():
                if entry[1] is not derivative.source:
                    derivative.source, derivative.__wrapped__ = entry[1], entry[0]
                return entry[0]
        if not state["reads"].unchanged():  # a function it calls was redefined
            variants.clear()
            shortcuts.clear()
            vectors.clear()  # (read off fn's code, which autoreload may have replaced)
            latest, latest_text, state["reads"] = generated(NO_SCALARS)
            variants[NO_SCALARS] = (latest, latest_text, state["reads"])
        operands(args, kwargs)  # an argument's class must not define its operators
        if not vectors and any(type(a) is np.ndarray and a.ndim == 1 for a in args):
            vectors.append(counter_indexed(fn))  # 1-D arrays read item by item: c[i]
        signature = scalar_signature(parameter_names[:positional], args, kwargs,
                                     vectors[0] if vectors else frozenset())
        entry = variants.get(signature)
        if entry is not None and not entry[2].unchanged():
            entry = None  # (made since by a thread whose state differs: made again)
        if entry is None:
            entry = variants[signature] = generated(signature)
        if entry[1] != derivative.source:
            derivative.source, derivative.__wrapped__ = entry[1], entry[0]
        if not kwargs:
            shortcuts.remember(args, entry)
        return entry[0]

    readers = [(name, argument_reader(fn, name)) for name in names]

    def run(args: tuple, kwargs: dict, tangents: Sequence[Any]) -> tuple:
        """Call with the tangents in ``wrt`` order (what `jvp` and the drivers use)."""
        if not kwargs and len(tangents) == 1:
            return run_one(args, tangents[0])
        return checked_run(args, kwargs, tangents)

    def checked_run(args: tuple, kwargs: dict, tangents: Sequence[Any]) -> tuple:
        chosen = choose(tuple(args), kwargs)
        check(args, kwargs, tangents)
        try:
            if kwargs:
                return chosen(*args, **kwargs, **dict(zip(tangent_names, tangents)))
            return chosen(*args, **dict(zip(tangent_names, tangents)))
        except Exception as exc:  # (the note names the line of yours it ran for)
            loader.user_line(exc)
            raise

    def check(args: tuple, kwargs: dict, tangents: Sequence[Any]) -> None:
        for (name, read), tangent in zip(readers, tangents):
            value = read(args, kwargs)
            kind = type(tangent)
            if type(value) is complex or isinstance(value, (np.ndarray, np.generic)) and \
                    value.dtype.kind == "c":
                # (as grad: |z| and z.conj() have no complex derivative to push)
                raise TypeError(f"cannot differentiate with respect to {name}, which has "
                                f"dtype {np.asarray(value).dtype}: forward mode, like grad, "
                                "takes floating-point values; pass the real and imaginary "
                                "parts as floats")
            if kind in SCALAR_SET and type(value) in SCALAR_SET or kind is np.ndarray and \
                    type(value) is np.ndarray and tangent.shape == value.shape:
                continue  # the common cases, at once
            if value is not MISSING:
                _check_tangent(tangent, value, name)

    # One differentiated positional parameter: its call is checked here, inline.
    position = parameter_names.index(names[0]) if len(names) == 1 and \
        names[0] in parameter_names[:positional] else 1 << 30
    only = tangent_names[0]
    scalar_types = SCALAR_SET

    plans = shortcuts.plans

    def run_one(args: tuple, tangent: Any) -> tuple:
        """`run` with one tangent: a call like one seen before, whose tangent (of the
        one differentiated parameter) plainly fits its argument, goes straight to its
        variant (`_Shortcuts.find` written out: this is jvp's common call)."""
        plan = plans.get(tuple(map(type, args)))
        if plan is not None and position < len(args):
            key, table = plan
            entry = table.get(key(args) if key is not None else None)
            if entry is not None and entry[2].unchanged():
                value, kind = args[position], type(tangent)
                if kind in scalar_types and type(value) in scalar_types or \
                        kind is np.ndarray and type(value) is np.ndarray and \
                        tangent.shape == value.shape:
                    if entry[1] is not derivative.source:
                        derivative.source, derivative.__wrapped__ = entry[1], entry[0]
                    try:
                        return entry[0](*args, **{only: tangent})
                    except Exception as exc:
                        loader.user_line(exc)
                        raise
        return checked_run(args, {}, [tangent])

    def derivative(*args: Any, **kwargs: Any) -> tuple:
        if kwargs.keys() == tangent_set:  # the tangents only: the common call
            value, tangent = run_one(args, kwargs[only]) if len(tangent_names) == 1 \
                else checked_run(args, {}, [kwargs[t] for t in tangent_names])
        else:
            primal = {k: v for k, v in kwargs.items() if k not in tangent_set}
            missing = [t for t in tangent_names if t not in kwargs]
            if missing:
                raise TypeError(f"{derivative.__name__}() needs the tangent "
                                f"{', '.join(missing)}= (one keyword per differentiated "
                                f"parameter: {', '.join(tangent_names)})")
            value, tangent = run(args, primal, [kwargs[t] for t in tangent_names])
        if type(value) is tuple:
            tangent = _shaped_like(tangent, value)
        else:
            no_complex_result(tangent, value)
        return value, tangent

    derivative.__name__ = derivative.__qualname__ = compiled.__name__
    derivative.__module__ = fn.__module__
    derivative.source = text  # type: ignore[attr-defined]
    derivative.__wrapped__ = compiled  # type: ignore[attr-defined]
    derivative.__autograd_src_general__ = compiled  # type: ignore[attr-defined]
    derivative.tangents = tuple(tangent_names)  # type: ignore[attr-defined]

    derivative.run = run  # type: ignore[attr-defined]
    if len(names) == 1:
        derivative.run_one = run_one  # type: ignore[attr-defined]
    derivative.__doc__ = (f"Value and tangent of {fn.__qualname__} along tangents of "
                          f"{', '.join(names)} (keywords {', '.join(tangent_names)}), "
                          "generated by autograd_src. See .source.")
    return derivative


class _Calls(_Shortcuts):
    """grad's shortcuts to the variant of a call like one seen before, where a call's one
    list of Python floats is recognised by summing it: one loop in C over the floats,
    a few times faster than reading every item's type (which decides otherwise)."""

    def remember(self, args: tuple, entry: tuple) -> None:
        types = tuple(map(type, args))
        fresh = types not in self.plans
        super().remember(args, entry)
        lists = [k for k, t in enumerate(types) if t is list or t is tuple]
        if fresh and types in self.plans and len(lists) == 1 and np.ndarray not in types \
                and lists[0] not in self.wrt_positions:  # a container's plan reads its layout
            self.plans[types] = (_numbers_at(lists[0]), self.plans[types][1])


def _numbers_at(position: int) -> Callable[[tuple], bool]:
    """Whether the sequence at ``position`` is non-empty and holds only numbers."""
    def key(args: tuple) -> bool:
        items = args[position]
        try:
            if type(sum(items, 0.0)) is float:  # floats, ints and bools only
                return bool(items)
        except TypeError:  # not numbers
            return False
        return bool(items) and SCALAR_SET.issuperset(map(type, items))
    return key


def _check_tangent(tangent: Any, value: Any, name: str) -> None:
    """A tangent must have its argument's structure and shape (a number or a 0-d array
    for a number)."""
    if not isinstance(tangent, (list, tuple, dict)) and (
            type(tangent) in SCALAR_SET or np.ndim(tangent) == 0):
        if not isinstance(value, (list, tuple, dict)) and (
                type(value) in SCALAR_SET or np.ndim(value) == 0):
            return
    _same_structure(tangent, value, f"d{name}", name)


def _same_structure(tangent: Any, value: Any, where: str, name: str) -> None:
    if tangent is None:  # (None marks a whole argument held constant, not a leaf)
        raise TypeError(f"the tangent {where} is None: inside a container each item needs "
                        f"a tangent (0.0 for a number held constant, np.zeros_like({name}) "
                        "for an array); None marks a whole argument held constant")
    if isinstance(value, dict):
        if not isinstance(tangent, dict) or set(tangent) != set(value):
            raise ValueError(f"the tangent {where} must be a dict with the keys of {name}")
        for k in value:
            _same_structure(tangent[k], value[k], f"{where}[{k!r}]", f"{name}[{k!r}]")
        return
    if isinstance(tangent, (list, tuple)) and not isinstance(value, (list, tuple)):
        raise TypeError(f"the tangent {where} is a {type(tangent).__name__}, but {name} is "
                        f"{'an array' if isinstance(value, np.ndarray) else 'a number'}: "
                        f"pass np.array({where}) (a list's * and + are not an array's)")
    if isinstance(value, (list, tuple)):
        if not isinstance(tangent, (list, tuple)) or len(tangent) != len(value):
            raise ValueError(f"the tangent {where} must be a list of {len(value)} items, "
                             f"like {name}")
        for k, (t, v) in enumerate(zip(tangent, value)):
            _same_structure(t, v, f"{where}[{k}]", f"{name}[{k}]")
        return
    if np.shape(tangent) != np.shape(value):
        raise ValueError(f"the tangent {where} has shape {np.shape(tangent)}, but {name} "
                         f"has shape {np.shape(value)}: a tangent has its argument's shape")


# ----- jvp and vjp -----

_JVPS: dict = {}
_CALLS: dict = {}  # (function, the tangents' types): its derivative and the positions


def _forward_of(fn: Callable[..., Any], positions: tuple) -> Callable[..., Any]:
    """``make_jvp(fn, positions)``, made once per function and positions."""
    key = (fn, positions)
    try:
        made = _JVPS.get(key)
    except TypeError:  # unhashable callables
        made = None
    if made is None:
        made = make_jvp(fn, positions)
        try:
            _JVPS[key] = made
        except TypeError:
            pass
    return made


def jvp(fn: Callable[..., Any], primals: Sequence[Any],
        tangents: Sequence[Any]) -> tuple[Any, Any]:
    """The value of ``fn(*primals)`` and its Jacobian-vector product with ``tangents``.

    Parameters
    ----------
    fn : callable
        A function `grad` can read.
    primals : sequence
        The positional arguments.
    tangents : sequence
        One tangent per argument, shaped like it (containers alike); ``None``
        marks an argument that is held constant (an integer count, data).

    Returns
    -------
    (value, tangent)
        ``fn(*primals)`` and the derivative of ``fn`` along the tangents.

    Examples
    --------
    >>> import numpy as np
    >>> def f(x, y):
    ...     return x * np.sin(y)
    >>> value, tangent = jvp(f, (2.0, 0.0), (1.0, 1.0))  # sin(y) + x cos(y)
    >>> float(tangent)
    2.0
    """
    fn = called_method(fn)  # (a callable object, a decorator's wrapper)
    if getattr(fn, "__autograd_src_jacobian_of__", None) is not None:
        return _jvp_of_jacobian(fn, tuple(primals), tuple(tangents))
    if type(primals) is not tuple or type(tangents) is not tuple:
        for given in (primals, tangents):
            if type(given) not in (tuple, list):
                raise TypeError("jvp(f, primals, tangents) takes the arguments and their "
                                "tangents as tuples, one item per argument of f: jvp(f, "
                                f"(x,), (v,)), not a {type(given).__name__}")
        primals, tangents = tuple(primals), tuple(tangents)
    if _positions_in_star_args(fn, len(primals) - 1):  # (def f(*xs): named for the call)
        fn = _with_arity(fn, len(primals))
    try:  # the derivative for this function and these positions, made before
        forward, positions, one = _CALLS[(fn, tuple(map(type, tangents)))]
    except (KeyError, TypeError):
        forward = None
    if forward is None:  # (not in the except block: its errors would chain a KeyError)
        _one_tangent_each(primals, tangents)
        positions = tuple(i for i, t in enumerate(tangents) if t is not None)
        if not positions:
            raise ValueError("jvp needs at least one tangent that is not None")
        forward = _forward_of(fn, positions)
        one = getattr(forward, "run_one", None) if len(positions) == 1 else None
        try:
            _CALLS[(fn, tuple(map(type, tangents)))] = forward, positions, one
        except TypeError:  # unhashable callables
            pass
    _one_tangent_each(primals, tangents)
    if one is not None:  # (one tangent: the common call)
        value, tangent = one(primals, tangents[positions[0]])
        if type(tangent) in _NUMBERS:
            return value, no_complex_result(tangent, value)
        given = [tangents[positions[0]]]
    else:
        given = [tangents[i] for i in positions]
        value, tangent = forward.run(primals, {}, given)
    if type(tangent) in _NUMBERS:  # (shares no memory, and is no tuple: the common case)
        return value, no_complex_result(tangent, value)
    if type(value) is not tuple:
        no_complex_result(tangent, value)
    return value, _own(_shaped_like(tangent, value), _arrays_in(given))


_NUMBERS = frozenset({float, np.float64, np.float32, int, complex})


def _second_derivatives_of(jacobian: Callable[..., Any], primals: tuple,
                           positions: list) -> dict:
    """For a Jacobian function made by jacfwd or jacrev: its own Jacobian with respect
    to each of ``positions`` (second derivatives, see `jacobians._jacobian_of_jacobian`)."""
    from .jacobians import jacfwd  # (jacobians imports this module)
    return {k: np.asarray(jacfwd(jacobian, wrt=k)(*primals)) for k in positions}


def _one_tangent_each(primals: tuple, tangents: tuple) -> None:
    if len(primals) != len(tangents):
        raise ValueError(f"jvp got {len(primals)} primals and {len(tangents)} tangents: "
                         "give one tangent per argument (None for a constant)")
    for k, (primal, tangent) in enumerate(zip(primals, tangents)):
        if tangent is not None and (isinstance(primal, (int, np.integer)) or getattr(
                getattr(primal, "dtype", None), "kind", "f") in "biu"):
            # (an integer carries no tangent, as grad takes no gradient along one)
            fix = f"{float(primal)!r}" if np.ndim(primal) == 0 else "primal.astype(float)"
            raise TypeError(f"jvp: primal {k} is of an integer type ({primal!r}) and given a "
                            f"tangent: pass it as floating point ({fix}), or None as its "
                            "tangent to hold it constant")


def _jvp_of_jacobian(jacobian: Callable[..., Any], primals: tuple,
                     tangents: tuple) -> tuple[Any, Any]:
    """``jvp(jacrev(f), ...)``: the Jacobian, and its second derivatives contracted with
    the tangents."""
    _one_tangent_each(primals, tangents)
    positions = [k for k, t in enumerate(tangents) if t is not None]
    for k in positions:
        if np.shape(tangents[k]) != np.shape(primals[k]):
            raise ValueError(f"the tangent of argument {k} has shape "
                             f"{np.shape(tangents[k])}, but the argument has shape "
                             f"{np.shape(primals[k])}")
    value = jacobian(*primals)
    tangent = sum(np.tensordot(second, np.asarray(tangents[k]), axes=np.ndim(tangents[k]))
                  for k, second in _second_derivatives_of(jacobian, primals,
                                                          positions).items())
    return value, tangent


def _vjp_of_jacobian(jacobian: Callable[..., Any],
                     primals: tuple) -> tuple[Any, Callable[[Any], tuple]]:
    """``vjp(jacfwd(f), ...)``: the Jacobian, and a function contracting a cotangent of
    its shape with its second derivatives, one gradient per floating-point argument."""
    value = jacobian(*primals)
    positions = [k for k, p in enumerate(primals) if _is_float(p)]
    seconds = _second_derivatives_of(jacobian, primals, positions)

    def vjp_fn(cotangent: Any) -> tuple:
        if np.shape(cotangent) != np.shape(value):
            raise ValueError(f"the cotangent has shape {np.shape(cotangent)}, but the "
                             f"value has shape {np.shape(value)}")
        out: list = [None] * len(primals)
        for k, second in seconds.items():
            out[k] = np.tensordot(np.asarray(cotangent), second, axes=np.ndim(value))
        return tuple(out)

    return value, vjp_fn


def _arrays_in(tree: Any) -> list:
    if isinstance(tree, np.ndarray):
        return [tree]
    if isinstance(tree, dict):
        tree = list(tree.values())
    if isinstance(tree, (list, tuple)):
        return [a for item in tree for a in _arrays_in(item)]
    return []


def _own(tangent: Any, given: list) -> Any:
    """``tangent`` with any array that shares memory with a tangent the caller gave
    (``jvp`` of ``lambda x: x`` returns its tangent) copied: the caller may change one."""
    if not given:
        return tangent
    if isinstance(tangent, np.ndarray):
        return tangent.copy() if any(np.shares_memory(tangent, g) for g in given) \
            else tangent
    if isinstance(tangent, tuple):
        items = tuple(_own(t, given) for t in tangent)
        return type(tangent)(*items) if hasattr(type(tangent), "_fields") else items
    if isinstance(tangent, list):
        return [_own(t, given) for t in tangent]
    if isinstance(tangent, dict):
        return {k: _own(t, given) for k, t in tangent.items()}
    return tangent


def _shaped_like(tangent: Any, value: Any) -> Any:
    """The tangent of a tuple output as a tuple (the generated code builds lists), at
    every depth: ``(x, (s, y))`` gives ``(dx, (ds, dy))``."""
    if isinstance(value, tuple) and isinstance(tangent, (list, tuple)) and \
            len(value) == len(tangent):
        items = tuple(_shaped_like(t, v) for t, v in zip(tangent, value))
        return type(value)(*items) if hasattr(type(value), "_fields") else items
    if isinstance(value, list) and isinstance(tangent, (list, tuple)) and \
            len(value) == len(tangent):
        return [_shaped_like(t, v) for t, v in zip(tangent, value)]
    return tangent


def vjp(fn: Callable[..., Any], *primals: Any) -> tuple[Any, Callable[[Any], tuple]]:
    """The value of ``fn(*primals)`` and a function giving vector-Jacobian products.

    ``vjp_fn(cotangent)`` returns one gradient per argument (the sum of
    ``cotangent * fn(...)`` differentiated), by `grad`'s reverse mode seeded with
    ``cotangent``; arguments that are not floating point get ``None``.

    Examples
    --------
    >>> import numpy as np
    >>> def f(x, y):
    ...     return x * y
    >>> value, vjp_fn = vjp(f, np.array([1.0, 2.0]), np.array([3.0, 4.0]))
    >>> vjp_fn(np.array([1.0, 10.0]))
    (array([ 3., 40.]), array([ 1., 20.]))
    """
    # vjp_fn's run finds what the value's did (draws, and state f changes: a scheduler's
    # self.lr), and leaves the state as after one run
    if getattr(fn, "__autograd_src_jacobian_of__", None) is not None:
        return _vjp_of_jacobian(fn, primals)
    draws = SameDraws(fn, primals, state=True)
    # (run as the caller's code would, the lists, dicts, objects and arrays without
    # gradient it is given changed as one run changes them; a differentiated array is
    # copied, as grad never changes it: the derivative is taken where it was)
    # (which arguments are differentiated, read before the run, which may change them:
    # log.append(len(log)) on a list of floats)
    positions = tuple(i for i, p in enumerate(primals) if _is_float(p, i))
    if not positions:
        raise ValueError("vjp needs at least one floating-point argument")
    value = fn(*[p.copy() if type(p) is np.ndarray and _is_float(p) else p
                 for p in primals])
    if type(value) is tuple:  # (a label beside the values: no cotangent fits it)
        for k, item in enumerate(value):
            if isinstance(item, (str, bytes, bool, np.bool_)) or item is None:
                raise TypeError(f"vjp: output {k} of {getattr(fn, '__name__', 'f')}() is "
                                f"{item!r}, a {type(item).__name__}: vjp differentiates "
                                "outputs that are floats, arrays, or lists, tuples and "
                                "dicts of them; return the other values apart")
    # (one position alone, not a tuple: grad of a gradient is then forward over reverse)
    wrt = positions[0] if len(positions) == 1 else positions
    several = False
    listed = None
    try:
        backward = grad(fn, wrt=wrt)
    except SeveralOutputsError:
        listed = _returning_a_list(fn) if type(value) is tuple else None
        if listed is None:
            raise
        backward, several = grad(listed, wrt=wrt), True  # (a cotangent for each output)

    origin = getattr(backward, "__autograd_src_origin__", None)
    seed = origin.seed if origin is not None else "dout"  # grad(grad(f))'s is dout_2

    from .jacobians import _SameRuns
    same = _SameRuns(fn, "vjp", differentiated=listed)

    def vjp_fn(cotangent: Any) -> tuple:
        # run as the value's run was, from the state it found; then the caller's state
        # as the caller left it (a scheduler stepped, a global set, a cell run again)
        now = [SameDraws(fn, primals, state=True, may_change_state=same.needed),
               draws.now()]  # (what fn reads now, and what it read then)
        draws.again()
        if several:
            if not isinstance(cotangent, (tuple, list)) or len(cotangent) != len(value):
                raise ValueError(f"{getattr(fn, '__name__', 'f')}() returns a tuple of "
                                 f"{len(value)} values: pass a tuple of as many cotangents")
            cotangent = list(cotangent)
        _fits_the_output(cotangent, list(value) if several else value, "cotangent")
        try:
            if same.needed():  # (state it could not give back: the value's run checked)
                grads = same.first_of(backward, positions[0] if len(positions) == 1 else
                                      positions, value, primals, {seed: cotangent})
            else:
                grads = backward(*primals, **{seed: cotangent})
        finally:
            for state in now:
                state.again()
        if len(positions) == 1:
            grads = (grads,)
        out: list = [None] * len(primals)
        for k, g in zip(positions, grads):
            out[k] = g
        return tuple(out)

    return value, vjp_fn


def _fits_the_output(cotangent: Any, value: Any, where: str) -> None:
    """Raise a ValueError where a cotangent's dicts do not hold the keys of the
    output's, or its lists and tuples as many items (a bare KeyError in the gradient's
    code, or a key left out silently, before)."""
    if isinstance(value, dict) and isinstance(cotangent, dict):  # (another: the seed's
        if set(cotangent) != set(value):                           # check names it)
            raise ValueError(f"vjp: the {where} must be a dict of the output's keys "
                             f"({', '.join(sorted(map(repr, value)))}), one cotangent each "
                             f"(zeros for those not wanted); got the keys "
                             f"({', '.join(sorted(map(repr, cotangent)))})")
        for key in value:
            _fits_the_output(cotangent[key], value[key], f"{where}[{key!r}]")
    elif isinstance(value, (list, tuple)) and isinstance(cotangent, (list, tuple)):
        if len(cotangent) != len(value):
            raise ValueError(f"vjp: the {where} must hold {len(value)} items, one per item "
                             f"of the output; got {len(cotangent)}")
        for k, (c, v) in enumerate(zip(cotangent, value)):
            _fits_the_output(c, v, f"{where}[{k}]")


def _returning_a_list(fn: Callable[..., Any]) -> Optional[Callable[..., Any]]:
    """``def f(x, y): return list(_f(x, y))`` for ``fn`` returning a tuple (its source
    registered with linecache), whose gradient seeded with a list `vjp` takes; None
    where ``fn``'s parameters are not plain named ones."""
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return None
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    if not params or any(p.kind not in kinds for p in params):
        return None
    namespace: dict = {"_f": fn}
    header = [loader.parameter_text(p, namespace) for p in params]
    name = fn.__name__ if getattr(fn, "__name__", "").isidentifier() else "f"
    names = ", ".join(p.name for p in params)
    text = (f"def {name}({', '.join(header)}):\n"
            f"    return list(_f({names}))  # its outputs, one cotangent each (vjp)\n")
    return loader.defined(text, name, f"<{name} as a list of outputs {id(fn)}>", namespace)


def _is_float(value: Any, position: Optional[int] = None) -> bool:
    """Whether vjp differentiates along ``value``: a float, a float array, or a list,
    tuple or dict of them. With ``position``, a list or tuple of numbers and arrays
    holding floats beside integers (``[2.0, 1]``, ``[W, b, 2]``) is refused, as grad
    refuses it, rather than given None whole (a dict of state stays a constant)."""
    from .arguments import check_argument
    try:
        check_argument(value, "x" if position is None else f"primal {position}")
    except Exception as exc:  # noqa: BLE001 - not a float (or an object whose __getattr__ raises)
        if position is not None and type(value) in (list, tuple) and \
                isinstance(exc, TypeError) and all(
                    isinstance(v, (int, float, np.number, np.ndarray)) for v in value) and \
                any(_is_float(v) for v in value):
            raise TypeError(f"vjp: {exc}") from None
        return False
    return True
