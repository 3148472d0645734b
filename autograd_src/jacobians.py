"""Jacobians and second derivatives, built from both modes: `jacfwd`, `jacrev`,
`jacobian`, `hessian` and `hvp`.

`jacfwd` runs `make_jvp`'s derivative once per input element, `jacrev` `grad`'s
once per output element; `hessian` and `hvp` are forward mode over the code
`grad` generates (real Python, which forward mode reads like the user's).
"""

from __future__ import annotations

import functools
import inspect
import linecache
import os
import re
from typing import Any, Callable, Optional

import numpy as np

from . import errors
from .api import (
    Origin,
    _build,
    _positions_in_star_args,
    _resolve_wrt,
    called_method,
    container_signature,
    general_code,
    general_entry,
    grad,
    made_at_first_call_if_undefined,
    partial_lifted,
    per_arity,
    resolve_names,
)
from .arguments import (
    MISSING,
    NO_SCALARS,
    SCALAR_SET,
    SameDraws,
    _copied,
    argument_reader,
    check_argument,
    in_structure,
    like_number,
    make_checker,
    no_complex_result,
    shallow_copy,
    value_on_copies,
)
from .errors import SeveralOutputsError, UnresolvedMethodError
from .forward import Wrt, forward_of_gradient, make_jvp
from .rules import runtime
from .transform import source
from .transform.mutation import may_change_state
from .transform.pipeline import cache_for, cached_entries, derivative_name
from .transform.source import is_bound_method, parameters

__all__ = ["jacfwd", "jacrev", "jacobian", "hessian", "hvp"]


# ----- Jacobians -----


def _basis(value: Any, what: str = "arguments") -> tuple[tuple, list]:
    """The shape of ``value`` (an argument, or with ``what`` the output) and the unit
    tangents along each of its elements."""
    if type(value) in SCALAR_SET:
        return (), [1.0]
    array = np.asarray(value)
    if array.dtype.kind != "f":
        raise TypeError(f"a Jacobian needs floating-point {what}, got "
                        + (f"dtype {array.dtype}" if value is not None else "None"))
    units = []
    for k in range(array.size):
        unit = np.zeros(array.size, dtype=array.dtype)
        unit[k] = 1
        units.append(unit.reshape(array.shape))
    return array.shape, units


def _argument(fn: Callable[..., Any], name: str, args: tuple, kwargs: dict) -> Any:
    value = argument_reader(fn, name)(args, kwargs)
    if value is MISSING:
        raise TypeError(f"{getattr(fn, '__name__', 'f')}() is missing the argument {name}")
    if isinstance(value, (list, tuple, dict)):
        raise TypeError(f"a Jacobian with respect to {name}, a {type(value).__name__}, is "
                        "not supported: pass an array (np.concatenate the pieces)")
    if isinstance(value, (int, np.integer)):  # (1, True: refused as grad refuses them)
        check_argument(value, name)
    return value


def _jacobian_of_jacobian(jacobian: Callable[..., Any], wrt: Wrt,
                          label: str) -> Callable[..., Any]:
    """``jacfwd(jacrev(f))`` and the like (JAX's way to a Hessian): the Jacobian of
    ``jacobian`` (``f``'s, with respect to one parameter x), with respect to one
    parameter y, shape ``f(...).shape + x.shape + y.shape``. Whichever modes are
    composed, it is the second derivative of each output element: made by forward over
    reverse, `grad` seeded with each output's unit vector, then `jacfwd` of that."""
    fn, inner, single = jacobian.__autograd_src_jacobian_of__
    name = getattr(fn, "__name__", "f")
    if not single:
        raise TypeError(f"{label}({jacobian.__name__}): the Jacobian of a Jacobian with "
                        "respect to several parameters is not supported: take one "
                        "parameter at a time (wrt=0)")
    signature = _with_parameters(fn, label)
    outer, single_outer = _resolve_wrt(signature, wrt)
    if not single_outer:
        raise TypeError(f"{label}({jacobian.__name__}) takes one parameter in wrt")
    gradient = grad(fn, wrt=inner[0])
    second = jacfwd(gradient, wrt=outer[0])
    # (the seed's keyword in the code forward mode reads: dout, or dout_3 where the
    # function differentiated has a dout_2 of its own)
    seed = getattr(general_code(gradient), "__autograd_src_seed__", None) or \
        seed_name(gradient)
    same = _SameRuns(fn, label)

    def jacobian_of_jacobian(*args: Any, **kwargs: Any) -> Any:
        draws = SameDraws(fn, args, kwargs, state=True, may_change_state=same.needed)
        value = value_on_copies(fn, args, kwargs)
        if isinstance(value, (tuple, list, dict)):
            raise TypeError(f"{label}({jacobian.__name__}): {name}() returns several values "
                            "(a tuple, list or dict): take the Jacobian of each output")
        out_shape, seeds = _basis(value)
        inner_shape = np.shape(_argument(signature, inner[0], args, kwargs))
        outer_shape = np.shape(_argument(signature, outer[0], args, kwargs))
        if not out_shape:  # a number: its seed is 1 (the code of a constant has none)
            draws.again()  # (as the value's run found the state)
            return second(*args, **kwargs)
        blocks = []
        for s in seeds:  # (each output element's second derivative, as one run's)
            draws.again()
            blocks.append(np.asarray(second(*args, **{seed: s}, **kwargs)))
        if not blocks:  # an empty output
            return np.zeros(out_shape + inner_shape + outer_shape)
        return np.stack(blocks).reshape(out_shape + inner_shape + outer_shape)

    jacobian_of_jacobian.__autograd_src_jacobian__ = True  # type: ignore[attr-defined]
    jacobian_of_jacobian.__name__ = f"{label}_{jacobian.__name__}"
    jacobian_of_jacobian.source = getattr(second, "source", "")  # type: ignore
    return jacobian_of_jacobian


def seed_name(derivative: Callable[..., Any]) -> str:
    """The keyword a derivative grad made takes its seed by (``dout``; ``dout_2`` for
    ``grad(grad(f))``, whose ``dout`` is the inner derivative's)."""
    origin = getattr(derivative, "__autograd_src_origin__", None)
    return origin.seed if origin is not None else "dout"


def _with_parameters(fn: Callable[..., Any], what: str) -> Callable[..., Any]:
    """A function with ``fn``'s parameters, to resolve ``wrt`` and read arguments by: a
    derivative grad made takes ``f``'s (its general code's); a Jacobian or Hessian
    function made here is refused (it is no source transformation's to read)."""
    if getattr(fn, "__autograd_src_jacobian__", False):
        raise TypeError(f"{what}({getattr(fn, '__name__', 'f')}) is not supported: "
                        "derivatives of a Hessian or of a Hessian-vector product (third "
                        "order) are not; second derivatives are hessian(f), "
                        f"{what}(grad(f)) or a Jacobian of a Jacobian (jacfwd(jacrev(f))), "
                        "and grad(grad(grad(f))) gives third ones of a function of numbers")
    return general_code(fn) if getattr(fn, "__autograd_src_origin__", None) else fn


@made_at_first_call_if_undefined
def jacfwd(fn: Callable[..., Any], wrt: Wrt = 0) -> Callable[..., Any]:
    """The Jacobian of ``fn``, a column per input element by forward mode.

    ``jacfwd(f)(x)`` has the shape ``f(x).shape + x.shape``; with a tuple ``wrt``
    a tuple of such Jacobians, one per parameter. It costs one forward-mode pass
    per element of the inputs: the mode of choice for few inputs and many outputs.

    Examples
    --------
    >>> import numpy as np
    >>> def f(x):
    ...     return np.array([x[0] * x[1], np.sin(x[0])])
    >>> jacfwd(f)(np.array([1.0, 2.0]))
    array([[2.        , 1.        ],
           [0.54030231, 0.        ]])
    """
    fn = called_method(fn)
    if isinstance(fn, functools.partial):
        return partial_lifted(jacfwd, fn, wrt)
    if _positions_in_star_args(fn, wrt):  # (def loss(*params))
        return per_arity(fn, wrt, f"jacfwd_{fn.__name__}", lambda named: jacfwd(named, wrt))
    if getattr(fn, "__autograd_src_jacobian_of__", None) is not None:
        return _jacobian_of_jacobian(fn, wrt, "jacfwd")
    signature = _with_parameters(fn, "jacfwd")
    names, single = _resolve_wrt(signature, wrt)
    forwards = [make_jvp(fn, name) for name in names]
    same = _SameRuns(fn, "jacfwd")

    def jacobian_fwd(*args: Any, **kwargs: Any) -> Any:
        jacobians = []
        draws = SameDraws(fn, args, kwargs, state=True,
                           may_change_state=same.needed)  # each column's run as the first
        for name, forward in zip(names, forwards):
            given = _argument(signature, name, args, kwargs)
            shape, units = _basis(given)
            columns = []
            for u in units:
                draws.again()
                value, column = forward.run(args, kwargs, [u])
                columns.append(column)
                if len(columns) == 1:
                    first = value
                elif same.needed():  # (each run's value the first's: a state flipping
                    same.check(first, value)  # back and forth is seen too)
            if len(units) > 1 and same.needed():
                draws.again()
                same.check(columns[0], forward.run(args, kwargs, [units[0]])[1])
            if not columns:  # an empty argument: no column, the output's shape from f
                out_shape = np.shape(value_on_copies(fn, args, kwargs))
                jacobians.append(np.zeros(out_shape + shape))
                continue
            if columns[0] is None or isinstance(columns[0], (str, bytes, bool, np.bool_)) or \
                    isinstance(columns[0], np.ndarray) and columns[0].dtype.kind in "USOb":
                raise TypeError(f"a Jacobian needs a floating-point output; "
                                f"{getattr(fn, '__name__', 'f')}() returns "
                                f"{type(value_on_copies(fn, args, kwargs)).__name__} "
                                "(a comparison, text or None has no derivative)")
            if isinstance(columns[0], (list, tuple, dict)):
                raise ValueError(f"jacfwd needs a function returning one array; "
                                 f"{getattr(fn, '__name__', 'f')}() returns several "
                                 "(a tuple, list or dict): take the Jacobian of each "
                                 "output (lambda x: f(x)[0])")
            out_shape = np.shape(columns[0])
            jacobian = np.stack([np.asarray(c) for c in columns], axis=-1) \
                .reshape(out_shape + shape)
            # (in the argument's dtype, as jacrev's gradients are: float32 inputs give a
            # float32 Jacobian, also where float64 data enters)
            dtype = getattr(given, "dtype", None)
            no_complex_result(jacobian, given)
            if dtype is not None and dtype.kind == "f" and jacobian.dtype != dtype:
                jacobian = jacobian.astype(dtype)
            jacobians.append(jacobian)
        return jacobians[0] if single else tuple(jacobians)

    jacobian_fwd.__autograd_src_jacobian__ = True  # type: ignore[attr-defined]
    jacobian_fwd.__autograd_src_jacobian_of__ = (fn, names, single)  # type: ignore
    jacobian_fwd.__name__ = f"jacfwd_{getattr(fn, '__name__', 'f')}"
    jacobian_fwd.source = "\n".join(f.source for f in forwards)  # type: ignore[attr-defined]
    return jacobian_fwd


@made_at_first_call_if_undefined
def jacrev(fn: Callable[..., Any], wrt: Wrt = 0) -> Callable[..., Any]:
    """The Jacobian of ``fn``, a row per output element by reverse mode (`grad` seeded
    with each unit vector): the mode of choice for few outputs and many inputs.

    Examples
    --------
    >>> import numpy as np
    >>> def f(x):
    ...     return np.array([x[0] * x[1], np.sin(x[0])])
    >>> jacrev(f)(np.array([1.0, 2.0]))
    array([[2.        , 1.        ],
           [0.54030231, 0.        ]])
    """
    fn = called_method(fn)
    if isinstance(fn, functools.partial):
        return partial_lifted(jacrev, fn, wrt)
    if _positions_in_star_args(fn, wrt):  # (def loss(*params))
        return per_arity(fn, wrt, f"jacrev_{fn.__name__}", lambda named: jacrev(named, wrt))
    if getattr(fn, "__autograd_src_jacobian_of__", None) is not None:
        return _jacobian_of_jacobian(fn, wrt, "jacrev")
    signature = _with_parameters(fn, "jacrev")
    names, single = _resolve_wrt(signature, wrt)
    # (one name alone, not a tuple: grad of a gradient is then forward over reverse)
    try:
        backward = grad(fn, wrt=names[0] if single else tuple(names))
    except SeveralOutputsError:
        raise ValueError(f"jacrev needs a function returning one array; "
                         f"{getattr(fn, '__name__', 'f')}() returns a tuple: take the "
                         "Jacobian of each output (lambda x: f(x)[0])") from None
    seed = seed_name(backward)

    same = _SameRuns(fn, "jacrev")

    def jacobian_rev(*args: Any, **kwargs: Any) -> Any:
        for name in names:  # (each an array or a number: refused before any run)
            _argument(signature, name, args, kwargs)
        draws = SameDraws(fn, args, kwargs, state=True,
                           may_change_state=same.needed)  # each row's run as the value's
        value = value_on_copies(fn, args, kwargs)
        out_shape, seeds = _basis(value, f"output (what {getattr(fn, '__name__', 'f')}() "
                                         "returns)")
        rows = []
        for s in seeds:
            draws.again()
            if same.needed():  # (each row's value must be the value's run's)
                row = same.first_of(backward, names[0] if single else tuple(names), value,
                                    args, {seed: s, **kwargs})
            else:
                row = backward(*args, **{seed: s}, **kwargs)
            rows.append((row,) if single else row)
        if len(seeds) > 1 and same.needed():
            draws.again()
            again = backward(*args, **{seed: seeds[0]}, **kwargs)
            for first, repeat in zip(rows[0], (again,) if single else again):
                same.check(first, repeat)
        jacobians = []
        for k, name in enumerate(names):
            shape = np.shape(_argument(signature, name, args, kwargs))
            if not rows:  # an empty output: no row
                jacobians.append(np.zeros(out_shape + shape))
                continue
            jacobians.append(np.stack([np.asarray(r[k]) for r in rows], axis=0)
                             .reshape(out_shape + shape))
        return jacobians[0] if single else tuple(jacobians)

    jacobian_rev.__autograd_src_jacobian__ = True  # type: ignore[attr-defined]
    jacobian_rev.__autograd_src_jacobian_of__ = (fn, names, single)  # type: ignore
    jacobian_rev.__name__ = f"jacrev_{getattr(fn, '__name__', 'f')}"
    jacobian_rev.source = backward.source  # type: ignore[attr-defined]
    return jacobian_rev


jacobian = jacrev


# ----- second order: forward mode over grad's generated code -----


def _gradient_code(fn: Callable[..., Any], name: str, signature: tuple = NO_SCALARS,
                   bindings: Optional[dict] = None,
                   inline: bool = False) -> tuple[Callable[..., Any], Any]:
    """The code `grad` generates for ``fn`` (its general code, or the variant for
    ``signature``: see `container_signature`), as a function that forward mode can
    read and differentiate again: it is real Python, registered with linecache,
    calling NumPy and the runtime helpers, whose tangent rules are in
    `rules.runtime_rules`. Also the names its generation resolved, to see when a
    function it calls is redefined."""
    if is_bound_method(fn):
        method = fn.__func__
        cls = type(fn.__self__).__name__
        raise TypeError("hessian and hvp of a bound method (or of a callable object, its "
                        "__call__) are not supported yet: differentiate the class's "
                        "function, the object its first argument, with wrt counting it: "
                        f"hessian({cls}.{method.__name__}, wrt=1)(obj, x)")
    if getattr(fn, "__autograd_src_origin__", None) is None:
        code, _, reads = general_entry(fn, [name], True, False, True, signature, bindings,
                                       inline)
        return code, reads
    # (general_code: grad of a derivative may run forward over reverse, whose code is
    # not a gradient's; its general code is the reverse-mode one)
    code = general_code(grad(fn, wrt=name))
    entry = next((e for e in cached_entries(cache_for(fn)) if e[0] is code), None)
    return code, entry[2] if entry is not None else None


def _show(made: Any, latest: Any) -> None:
    """Point ``made`` (a Hessian or HVP function) at the generated code it runs:
    ``.source``, and ``inspect.getsource`` through ``__wrapped__``. ``latest`` is the
    forward-mode derivative, or the function giving it for a call (before any call,
    where it depends on the class of an argument, a note until the first call)."""
    if not hasattr(latest, "source"):
        try:
            latest = latest()
        except UnresolvedMethodError:
            made.source = "# generated at the first call, for the class of the object " \
                "it is given\n"
            return
    made.source = latest.source
    wrapped = getattr(latest, "__wrapped__", None)
    if wrapped is not None:
        made.__wrapped__ = wrapped


def _second_order(fn: Callable[..., Any], name: str,
                  what: str) -> Callable[[tuple, dict], Any]:
    """A function of a call's arguments giving ``make_jvp`` of `_gradient_code` for
    them (one per `container_signature`), made again when a function the gradient
    calls was redefined; what stops it is said in terms of ``fn``."""
    made: dict = {}
    objects: dict = {}  # parameters whose methods it calls (layer.apply): their readers

    def no_method_hidden(args: tuple, kwargs: dict) -> None:
        # (model.act = np.sin set on the instance: the derivative follows Model.act)
        for read in objects.values():
            instance = read(args, kwargs)
            source.InstanceOf.of(instance).no_method_hidden(instance, fn)

    def current(args: tuple = (), kwargs: Optional[dict] = None) -> Callable[..., Any]:
        kwargs = kwargs or {}
        signature = container_signature(fn, args, kwargs)  # NO_SCALARS for none
        while True:
            classes = tuple((p, type(read(args, kwargs))) for p, read in objects.items())
            key = (signature, classes)
            known = made.get(key)
            if known is not None and (known[1] is None or known[1].unchanged()):
                no_method_hidden(args, kwargs)
                return known[0]
            bindings = {p: source.InstanceOf.for_class(c) for p, c in classes}
            try:
                gradient, reads = _gradient_code(fn, name, signature, bindings)
                break
            except UnresolvedMethodError as exc:
                # model.apply(x) of an argument: made for its class, known at the call
                if not (args or kwargs) or exc.parameter in objects or \
                        exc.parameter not in parameters(fn)[0]:
                    raise
                objects[exc.parameter] = argument_reader(fn, exc.parameter)
        try:
            (_, reads), forward, _ = forward_of_gradient(
                lambda inline: _gradient_code(fn, name, signature, bindings, True)
                if inline else (gradient, reads), lambda code: make_jvp(code, name))
        except errors.DiffSyntaxError as exc:
            raise in_forward_terms(exc, what, fn) from None
        made[key] = (forward, reads)
        no_method_hidden(args, kwargs)
        return forward

    try:
        current()  # what it refuses, said at once
    except UnresolvedMethodError:
        pass  # a method of an argument: known at the call
    return current


def in_forward_terms(exc: errors.DiffSyntaxError, what: str, fn: Callable[..., Any],
                     shown: Optional[str] = None) -> errors.DiffSyntaxError:
    """A refusal met by forward mode in the code grad generates for ``fn``, said as
    ``{what}(f) differentiates the code grad generates for it in forward mode, and
    cannot here: ...`` (in terms of the user's helper where one is the cause);
    ``shown`` is how ``f`` is named (``grad(loss)``), by default its name."""
    name = getattr(fn, "__name__", "f")
    made = type(exc)(f"{what}({shown or name}) differentiates the code grad generates for it "
                     f"in forward mode, and cannot here: "
                     f"{_in_user_terms(exc.msg, exc.filename, name)}", *at_users_line(exc))
    if hasattr(exc, "conclusive"):
        made.conclusive = exc.conclusive  # type: ignore[attr-defined]
    return made


def at_users_line(exc: errors.DiffSyntaxError) -> tuple:
    """Where ``exc`` happened, as a SyntaxError's ``(filename, lineno, offset, text)``:
    at the user's own line where the generated line refused is one grad kept as written
    (``_set_scale(S, 3.0)``), else where it was."""
    users = _users_line(exc.filename, exc.text)
    if users is None:
        return exc.filename, exc.lineno, (exc.offset or 1) - 1, exc.text
    filename, lineno, text = users
    return filename, lineno, len(text) - len(text.lstrip()), text


def _users_line(filename: Optional[str], text: Optional[str]) -> Optional[tuple]:
    """Where the user wrote the line ``text`` of generated code (a statement grad kept as
    written, ``_set_scale(S, 3.0)``): ``(path, line, text)`` in the function the code was
    generated from, found by its text; None where it is not one of the user's lines."""
    found = _GENERATED.search(filename or "")
    wanted = _as_code((text or "").strip())
    if found is None or wanted is None:
        return None
    _, path, first = found.groups()
    for name in list(linecache.cache) + [path]:
        if not (name == path or name.endswith("/" + path) or name.endswith("\\" + path)):
            continue
        lines = linecache.getlines(name)
        start = int(first) - 1
        if not 0 <= start < len(lines):
            continue
        indent = len(lines[start]) - len(lines[start].lstrip())
        for k in range(start + 1, len(lines)):
            line = lines[k]
            if line.strip() and len(line) - len(line.lstrip()) <= indent and \
                    not line.lstrip().startswith((")", "]", "}", "#")):
                break  # the end of the function
            if _as_code(line.strip()) == wanted:
                return name, k + 1, line.rstrip("\n")
    return None


def _as_code(line: str) -> Optional[str]:
    """A one-line statement as Python reads it (quotes, spacing and comments aside), or
    None for anything else (a compound statement's header, a part of one)."""
    import ast
    try:
        return ast.dump(ast.parse(line)) if line else None
    except SyntaxError:
        return None


_GENERATED = re.compile(r"<autograd_src (\w+) of ([^<>]+?):(\d+) #\d+>")


def _in_user_terms(message: str, filename: Optional[str], function: str) -> str:
    """A refusal met in generated code said in terms of the user's helper: the
    derivative of a helper that returns its backward pass as a closure (a helper with
    a function default, a nested def, one that updates its arguments) is code forward
    mode does not read yet."""
    found = _GENERATED.search(filename or "")
    if found is None or not ("second name for" in message or "'nonlocal'" in message):
        return message
    derivative, path, line = found.groups()
    where = f"{path}:{line}"
    # the helper's name from its def line (the derivative's name joins it to wrt's)
    named = re.match(r"\s*(?:async\s+)?def\s+(\w+)", _line_of(path, int(line)))
    helper = named.group(1) if named else derivative
    from .rules import composites
    if os.path.basename(path) == "composites.py" and \
            getattr(getattr(composites, helper, None), "__module__", None) == \
            composites.__name__:
        # (a NumPy or math function the library writes with NumPy: not the user's code)
        return (f"second derivatives through {helper}(), which autograd_src writes with "
                f"NumPy ({where}), are not supported yet where reverse mode differentiates "
                "grad's code again (grad(grad(f), wrt='dout'), and where forward mode "
                "cannot take over): hessian(f), hvp(f) and grad(grad(f)) with respect to "
                "f's own parameters follow it")
    what = f"a nested function (def, lambda) or helper of {helper}() ({where})" \
        if helper == function else f"the helper {helper}() ({where})"
    return (f"second derivatives through {what} are not supported yet where its gradient "
            "is a closure (its backward pass), which forward mode does not follow: as for "
            "nested functions, helpers given functions (act=np.tanh) and helpers that "
            "update their arguments in place. Write its body inline, or pass what it reads "
            "from defaults and enclosing functions as arguments")


def _line_of(path: str, line: int) -> str:
    """The source line ``line`` of the file named ``path`` (as a traceback names it)."""
    for name in list(linecache.cache) + [path]:
        if name == path or name.endswith("/" + path) or name.endswith("\\" + path):
            text = linecache.getline(name, line)
            if text:
                return text
    return ""


@made_at_first_call_if_undefined
def hvp(fn: Callable[..., Any], wrt: Wrt = 0) -> Callable[..., Any]:
    """Hessian-vector products of a scalar function, forward mode over reverse mode.

    ``hvp(f)(x, v)`` is ``H(x) @ v`` for the Hessian of ``f`` with respect to ``x``
    (more arguments go before ``v``: ``hvp(f, wrt=0)(x, data, v)``). It costs
    about one gradient and its tangent: the forward-mode derivative of the code
    `grad` generates, which ``.source`` shows. Of a function with several outputs it
    is, as grad's gradient is, that of the sum of the outputs (`hessian` refuses it).

    Examples
    --------
    >>> import numpy as np
    >>> def f(x):
    ...     return np.sum(x ** 3)
    >>> hvp(f)(np.array([1.0, 2.0]), np.array([1.0, 0.0]))  # diag(6 x) v
    array([6., 0.])
    """
    fn = called_method(fn)
    if is_bound_method(fn):  # (model.nll: Model.nll given the object first)
        fn = functools.partial(fn.__func__, fn.__self__)
    if isinstance(fn, functools.partial):
        return partial_lifted(hvp, fn, wrt)
    if _positions_in_star_args(fn, wrt):  # (def loss(*params))
        return per_arity(fn, wrt, f"hvp_{fn.__name__}", lambda named: hvp(named, wrt),
                         trailing=1)
    names, single = _resolve_wrt(fn, wrt)
    if not single:
        raise TypeError("hvp takes one parameter in wrt")
    forward = _second_order(fn, names[0], "hvp")

    def hessian_vector_product(*args: Any, **kwargs: Any) -> Any:
        if "v" in kwargs and "v" not in parameters(fn)[0]:  # hvp(f)(x, v=v)
            args = args + (kwargs.pop("v"),)
        required = _required_positional(fn)
        if len(args) < 2 or len(args) + len(kwargs) <= required:
            raise TypeError(f"hvp({getattr(fn, '__name__', 'f')})(*args, v) takes "
                            f"{getattr(fn, '__name__', 'f')}'s arguments, then the vector "
                            f"v last; got {len(args)} positional argument(s)")
        *primals, v = args
        latest = forward(tuple(primals), kwargs)
        _show(hessian_vector_product, latest)
        # read before the run: the code may write into a list or dict it is given
        like = shallow_copy(argument_reader(fn, names[0])(tuple(primals), kwargs))
        if isinstance(like, np.ndarray) and isinstance(v, (list, tuple)):
            v = np.asarray(v, dtype=like.dtype)  # hvp(f)(x, [1.0, 0.0]): a vector
        if isinstance(like, np.ndarray) and isinstance(v, np.ndarray) and \
                v.shape != like.shape:
            label = getattr(fn, "__name__", "f")
            raise ValueError(
                f"hvp({label}) was given v of shape {v.shape}, its last argument, for "
                f"{names[0]} of shape {like.shape}: hvp takes {label}'s arguments first "
                f"and the vector last, hvp({label})(x, *args, v) (SciPy's hessp is "
                f"called hessp(x, p, *args): hessp=lambda x, p, *args: "
                f"hvp({label})(x, *args, p))")
        tangent = no_complex_result(latest.run(tuple(primals), kwargs, [v])[1], like)
        if isinstance(like, (list, tuple, dict)):  # tuples, namedtuples as given
            return in_structure(tangent, like)
        return _like_argument(tangent, like)

    hessian_vector_product.__autograd_src_jacobian__ = True  # type: ignore[attr-defined]
    hessian_vector_product.__name__ = f"hvp_{getattr(fn, '__name__', 'f')}"
    _show(hessian_vector_product, forward)
    return hessian_vector_product


class _SameRuns:
    """Checks that a Jacobian's passes saw one state: where ``fn`` may change state
    (`may_change_state`), its first pass is made again after the others and must give
    the same values; else state the passes could not be given back (an array updated
    in place on an object, another module's globals) made them differ, and the
    Jacobian would mix states: an error, not a wrong value."""

    def __init__(self, fn: Callable[..., Any], label: str,
                 differentiated: Optional[Callable[..., Any]] = None) -> None:
        self.fn, self.label, self.known = fn, label, None
        # (vjp of a function returning a tuple differentiates it returning a list)
        self.differentiated = differentiated or fn
        self.with_value: dict = {}  # id(derivative) -> value_and_grad of the same

    def first_of(self, derivative: Callable[..., Any], wrt: Any, value: Any,
                 args: tuple, kwargs: dict) -> Any:
        """``derivative(*args, **kwargs)`` (``grad(fn, wrt)``), checked to run on the
        state the run that gave ``value`` found: its value and gradient are made in
        one run (`value_and_grad`), which must give ``value`` again."""
        from .api import value_and_grad
        made = self.with_value.get(id(derivative))
        if made is None:
            made = self.with_value[id(derivative)] = value_and_grad(self.differentiated,
                                                                    wrt=wrt)
        theirs, mine = seed_name(derivative), seed_name(made)
        if theirs in kwargs and theirs != mine:
            kwargs = dict(kwargs)
            kwargs[mine] = kwargs.pop(theirs)
        again, result = made(*args, **kwargs)
        self.check(value, again, "for its value and again for its derivative, and the "
                                 "second run")
        return result

    def needed(self) -> bool:
        if self.known is None:
            # (of grad(f), f's: grad's own code changes no state of the user's)
            origin = getattr(self.fn, "__autograd_src_origin__", None)
            self.known = may_change_state(origin.function() if origin is not None
                                          else self.fn)
        return self.known

    def check(self, first: Any, again: Any, runs: str = "once per column (or row), "
              "and its first one, made again after the others,") -> None:
        if isinstance(first, (tuple, list, dict)):  # (vjp's outputs: each compared)
            if type(again) in (tuple, list) and not isinstance(first, dict):
                again = type(first)(again) if type(first) in (tuple, list) else again
            same_keys = isinstance(again, dict) and set(again) == set(first) \
                if isinstance(first, dict) else isinstance(again, (tuple, list)) and \
                len(again) == len(first)
            if same_keys:
                for key in (first if isinstance(first, dict) else range(len(first))):
                    self.check(first[key], again[key], runs)
                return
        a, b = np.asarray(first), np.asarray(again)
        if a.shape == b.shape and np.array_equal(a, b, equal_nan=True):
            return
        if a.shape == b.shape and a.dtype.kind == b.dtype.kind == "f" and np.allclose(
                a, b, rtol=1e-12, atol=1e-12 * np.max(np.abs(a), initial=0.0),
                equal_nan=True):
            return  # (rounding: np.cov's value from NumPy and from its composite's code)
        name = getattr(self.fn, "__name__", "f")
        raise RuntimeError(
            f"{self.label} runs {name}() {runs} gave other values: {name}() changes state "
            "that the passes could not each be given back as the first found (an array "
            "updated in place on an object, another module's variables, a class "
            "attribute, an iterator read with next()). Take the derivative of a function "
            "that leaves that state alone, or use grad, value_and_grad, jvp or hvp, which "
            "run it once")


def _required_positional(fn: Callable[..., Any]) -> int:
    """How many positional parameters of ``fn`` have no default (read from its code
    and its defaults as they are now: inspect.signature costs 10 µs a call)."""
    if not hasattr(getattr(fn, "__func__", fn), "__code__"):
        return sum(1 for p in inspect.signature(fn).parameters.values()
                   if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY,
                                                          p.POSITIONAL_OR_KEYWORD))
    positional = parameters(fn)[1]
    return positional - len(getattr(fn, "__defaults__", None) or ())


def _like_argument(product: Any, like: Any) -> Any:
    """A Hessian-vector ``product`` as grad gives a gradient of ``like``: a float for a
    float, the dtype of a number or of a floating array."""
    if np.ndim(like) == 0:
        return like_number(product, like)
    if isinstance(like, np.ndarray) and isinstance(product, np.ndarray) and \
            like.dtype != product.dtype and like.dtype.kind == "f" and \
            product.dtype.kind == "f" and product.shape == like.shape:
        return product.astype(like.dtype)
    return product


@made_at_first_call_if_undefined
def hessian(fn: Callable[..., Any], wrt: Wrt = 0) -> Callable[..., Any]:
    """The Hessian of a scalar function: the forward-mode Jacobian of its gradient.

    ``hessian(f)(x)`` has the shape ``x.shape + x.shape``; one gradient and its
    tangent per element of ``x`` (forward mode over `grad`'s generated code).

    Examples
    --------
    >>> import numpy as np
    >>> def f(x):
    ...     return x[0] ** 2 * x[1]
    >>> hessian(f)(np.array([1.0, 3.0]))
    array([[6., 2.],
           [2., 0.]])
    """
    fn = called_method(fn)
    if is_bound_method(fn):  # (model.nll: Model.nll given the object first)
        fn = functools.partial(fn.__func__, fn.__self__)
    if isinstance(fn, functools.partial):
        return partial_lifted(hessian, fn, wrt)
    if _positions_in_star_args(fn, wrt):  # (def loss(*params))
        return per_arity(fn, wrt, f"hessian_{fn.__name__}", lambda named: hessian(named, wrt))
    names, single = _resolve_wrt(fn, wrt)
    if not single:
        raise TypeError("hessian takes one parameter in wrt")
    forward = _second_order(fn, names[0], "hessian")
    scalar = _ScalarOutput(fn, "hessian")
    same = _SameRuns(fn, "hessian")

    def hessian_of(*args: Any, **kwargs: Any) -> Any:
        draws = SameDraws(fn, args, kwargs, state=True,
                           may_change_state=same.needed)  # each column's run as the first
        value = scalar.check(args, kwargs)
        draws.again()  # (the check ran f: the code is made for the state the call found)
        if value is not None and same.needed():
            # (state the check's run changed that could not be given back, a class
            # attribute: every pass would see it alike, so compare one with that run)
            from .api import value_and_grad
            again = value_and_grad(fn, wrt=names[0])(*args, **kwargs)[0]
            same.check(value, again, "to check its value and again for its derivative,")
            draws.again()
        argument = _argument(fn, names[0], args, kwargs)
        shape, units = _basis(argument)
        latest = forward(args, kwargs)
        _show(hessian_of, latest)
        columns = []
        for u in units:
            draws.again()
            gradient, column = latest.run(args, kwargs, [u])
            columns.append(np.asarray(column))
            if len(columns) == 1:
                first = gradient
            elif same.needed():  # (each run's gradient the first's)
                same.check(first, gradient)
        if len(units) > 1 and same.needed():
            draws.again()
            same.check(columns[0], latest.run(args, kwargs, [units[0]])[1])
        if not columns:  # an empty argument
            return np.zeros(shape + shape)
        result = no_complex_result(np.stack(columns, axis=-1).reshape(shape + shape),
                                   argument)
        kind = getattr(argument, "dtype", None)
        if kind is not None and kind.kind == result.dtype.kind == "f" and \
                kind.itemsize < result.dtype.itemsize:
            result = result.astype(kind)  # (float32 in, float32 out: as grad's gradient)
        return result

    hessian_of.__autograd_src_jacobian__ = True  # type: ignore[attr-defined]
    hessian_of.__name__ = f"hessian_{getattr(fn, '__name__', 'f')}"
    _show(hessian_of, forward)
    return hessian_of


class _ScalarOutput:
    """Refuses a function whose value is not a scalar: its "Hessian" would be that of
    the sum of its outputs (grad's seed of ones), not the tensor JAX and HIPS autograd
    give. Checked once per layout of the arguments (their types and shapes)."""

    def __init__(self, fn: Callable[..., Any], label: str) -> None:
        self.fn, self.label, self.seen = fn, label, set()

    def check(self, args: tuple, kwargs: dict) -> Any:
        """Raise unless ``fn(*args, **kwargs)`` is a scalar; its value where it ran
        ``fn`` (once per layout), else None."""
        key = tuple((type(a), np.shape(a) if type(a) is np.ndarray else None) for a in args)
        value = None
        if kwargs or key not in self.seen:
            value = value_on_copies(self.fn, args, kwargs)
            if np.ndim(value) or isinstance(value, (list, tuple, dict)):
                name = getattr(self.fn, "__name__", "f")
                raise ValueError(f"{self.label} needs a function with a scalar value; "
                                 f"{name}() returned shape {np.shape(value)}. Take the "
                                 f"{self.label} of one output at a time "
                                 f"(lambda x: {name}(x)[i]); hvp and grad(grad(...)) "
                                 "give the Hessian of the sum of the outputs")
            if not kwargs and len(self.seen) < 64:
                self.seen.add(key)
        return value


# ----- grad of a derivative grad made: forward over reverse -----


def derivative_of_derivative(inner: Callable[..., Any], wrt: Wrt, value: bool, verbose: int,
                             optimize: bool) -> Optional[Callable[..., Any]]:
    """``grad(inner, wrt)`` (`value_and_grad` with ``value``) for ``inner`` a derivative
    grad made, ``grad(f, wrt=a)``, by forward mode over reverse mode; None where that
    does not apply (reverse over reverse then).

    ``inner`` is the gradient of the scalar ``F = <dout, f>``; grad of it is the
    gradient of ``<s, dF/da>`` (``s`` its seed, ones by default) with respect to ``b``:
    by the symmetry of second derivatives, the derivative of ``dF/db`` along ``s`` in
    ``a``, which is `make_jvp` of the general code of ``grad(f, wrt=b)`` along ``a``
    (``hvp``'s construction). A call it refuses runs reverse over reverse instead."""
    origin = inner.__autograd_src_origin__
    label = getattr(inner, "__name__", "f")
    names, positional = origin.params
    outer, single = resolve_names(names, positional, label, wrt)  # its errors, as before
    if origin.value or not origin.single:
        return None  # inner returns a tuple: grad refuses it (reverse mode says why)
    if not set(outer) <= set(parameters(origin.function())[0]):
        return None  # differentiated with respect to its seed: linear, reverse mode
    try:
        return _ForwardOverReverse(inner, origin, outer, single, value, verbose,
                                   optimize).derivative
    except LIBRARY_ERRORS as exc:
        if getattr(exc, "conclusive", False):  # a refusal reverse over reverse shares
            raise type(exc)(f"grad({label}) differentiates the code grad generates in "
                            f"forward mode, and cannot here: {exc.msg}",
                            *at_users_line(exc)) from None
        return None


LIBRARY_ERRORS = tuple(getattr(errors, name) for name in errors.__all__)


class _NotHere(Exception):
    """This call is not one forward over reverse takes (reverse over reverse runs it)."""


def _ones_in(value: Any) -> Any:
    """Ones in the structure of the argument ``value`` (the default seed)."""
    if isinstance(value, dict):
        return {k: _ones_in(v) for k, v in value.items()}
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a namedtuple: its fields
        return type(value)(*[_ones_in(v) for v in value])
    if isinstance(value, (list, tuple)):
        return [_ones_in(v) for v in value]
    if type(value) is float:
        return 1.0
    if isinstance(value, (np.ndarray, np.floating)) and value.dtype.kind == "f":
        return np.ones_like(value)
    raise _NotHere


def _fits(seed: Any, value: Any) -> bool:
    """Whether ``seed`` has the structure and shapes of the argument ``value``."""
    if isinstance(value, dict):
        return isinstance(seed, dict) and set(seed) == set(value) and all(
            _fits(seed[k], v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return isinstance(seed, (list, tuple)) and len(seed) == len(value) and all(
            _fits(s, v) for s, v in zip(seed, value))
    if isinstance(seed, (list, tuple, dict)):
        return False
    try:
        seed_shape = np.shape(seed)
    except ValueError:
        return False
    return seed_shape == np.shape(value) and np.asarray(seed).dtype.kind in "fiub"


def _signature(params: list[str], positional: int) -> inspect.Signature:
    """``(x, y, *, dout=None, dout_2=None)``: positional ``params[:positional]``, then
    the rest (the seeds) as keywords defaulting to None."""
    kinds = [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD)
             for n in params[:positional]]
    kinds += [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=None)
              for n in params[positional:]]
    return inspect.Signature(kinds)


def _fresh(base: str, taken: list[str]) -> str:
    name, k = base, 1
    while name in taken:
        k += 1
        name = f"{base}_{k}"
    return name


class _ForwardOverReverse:
    """``grad(inner, wrt=outer)`` run as the tangent of ``grad(f, wrt=outer)``'s general
    code along ``inner``'s parameter (see `derivative_of_derivative`), with the
    conventions of grad's derivatives: the arguments checked, each gradient laid out as
    its argument (Python floats for floats, containers kept, the argument's dtype)."""

    def __init__(self, inner: Callable[..., Any], origin: Any, outer: list[str],
                 single: bool, value: bool, verbose: int, optimize: bool) -> None:
        self.inner, self.origin, self.outer, self.single = inner, origin, outer, single
        self.value, self.verbose, self.optimize = value, verbose, optimize
        names, positional = origin.params
        self.seed = _fresh("dout", names)  # this derivative's seed: the tangent along a
        self.along = list(origin.names)
        self.same = self.along == outer and single
        self.refused: set = set()
        self.reverse: dict = {}  # reverse over reverse, per `container_signature`
        self.plan: Optional[tuple] = None  # the latest of plans
        self.plans: dict = {}
        self.shown: Any = None
        self._plan()  # refusals at once go to reverse over reverse
        name = derivative_name(getattr(inner, "__name__", "f"), outer, value)
        self.derivative = self._make(name, names + [self.seed], positional)

    def _plan(self, args: tuple = (), kwargs: Optional[dict] = None) -> tuple:
        """(the code of grad(f, wrt=outer) for the call's containers, its forward-mode
        derivative along the inner parameter, its reads, f, ...), one per
        `container_signature`, made again when a function it calls was redefined."""
        function = self.origin.function()
        signature = container_signature(function, args, kwargs or {})
        plan = self.plans.get(signature)
        if plan is not None and plan[3] is function and plan[2].unchanged():
            self.plan = plan
            return plan
        # (refused: reverse over reverse, see _make)
        (target, _, reads), forward, _ = forward_of_gradient(
            lambda inline: general_entry(function, self.outer, self.single, False,
                                         self.optimize, signature, inline=inline),
            lambda code: make_jvp(code, tuple(self.along), verbose=self.verbose,
                                  optimize=self.optimize))
        readers = [argument_reader(target, n) for n in self.along]
        results = [argument_reader(target, n) for n in self.outer]
        self.plan = self.plans[signature] = (
            target, forward, reads, function, readers, results,
            make_checker(target, self.outer), target.__autograd_src_seed__)
        return self.plan

    def _make(self, name: str, params: list[str], positional: int) -> Callable[..., Any]:
        seed_name, refused, run = self.seed, self.refused, self._run

        known = set(params)

        def derivative(*args: Any, **kwargs: Any) -> Any:
            unknown = [k for k in kwargs if k not in known]
            if unknown:
                raise TypeError(f"{name}() got an unexpected keyword argument "
                                f"{unknown[0]!r} (its parameters: {', '.join(params)}; "
                                f"its seed is {seed_name}=)")
            key = (tuple(map(type, args)), tuple(kwargs))
            if key not in refused:
                try:
                    return run(args, kwargs)
                except (_NotHere, *LIBRARY_ERRORS):
                    pass
                result = self._reversed(args, kwargs)(*args, **kwargs)
                # (remembered once reverse over reverse runs it: a call both refuse, a
                # helper bound to None for a while, says nothing of later ones)
                refused.add(key)
                return result
            return self._reversed(args, kwargs)(*args, **kwargs)

        derivative.__name__ = derivative.__qualname__ = name
        derivative.__module__ = getattr(self.inner, "__module__", None)
        forward = self.plan[1]
        derivative.source = self._source(forward)  # type: ignore[attr-defined]
        derivative.__wrapped__ = forward.__wrapped__  # type: ignore[attr-defined]
        # What the caller passes: f's parameters, the inner seed and this one's (the
        # code's own signature has tangent parameters the call fills in itself)
        derivative.__signature__ = _signature(params, positional)  # type: ignore
        derivative.__doc__ = (f"{'Value and gradient' if self.value else 'Gradient'} of "
                              f"{getattr(self.inner, '__name__', 'f')} with respect to "
                              f"{', '.join(self.outer)} (seed {seed_name}=), by forward "
                              "mode over reverse mode, generated by autograd_src. See "
                              ".source.")
        general: list = []

        def reverse_code() -> Callable[..., Any]:  # what grad(derivative) may differentiate
            if not general:
                general.append(general_entry(general_code(self.inner), self.outer,
                                             self.single, self.value, self.optimize)[0])
            return general[0]

        derivative.__autograd_src_origin__ = Origin(  # type: ignore[attr-defined]
            lambda: general_code(self.inner), self.outer, self.single, self.value,
            self.optimize, (params, positional), seed_name, derivative, reverse_code)
        return derivative

    def _source(self, forward: Callable[..., Any]) -> str:
        self.shown = forward.source
        inner = getattr(self.inner, "__name__", "f")
        tangents = ", ".join(forward.tangents)
        return (f"# grad of {inner} with respect to {', '.join(self.outer)}, by forward mode "
                f"over reverse mode: the tangent\n# of the gradient below along "
                f"{tangents} = {self.seed} (ones by default), the seed of {inner}'s "
                f"result.\n{forward.source}")

    def _reversed(self, args: tuple, kwargs: dict) -> Callable[..., Any]:
        """Reverse over reverse: grad of the inner derivative's general code, or, for a
        call passing lists, tuples or dicts, of its variant for them (the general code
        works on copies of those and writes nothing back to the caller's)."""
        origin = self.origin
        function = origin.function()
        signature = container_signature(function, args, kwargs)
        # (the inner derivative's code as the functions it calls are now: made again
        # where one was rebound since)
        code = general_code(self.inner) if signature == NO_SCALARS else general_entry(
            function, origin.names, origin.single, origin.value, origin.optimize,
            signature)[0]
        known = self.reverse.get(signature)
        if known is not None and known[1] is code:
            return known[0]
        made = _build(code, self.outer[0] if self.single else tuple(self.outer),
                      self.value, self.verbose, optimize=self.optimize)
        theirs = made.__wrapped__.__autograd_src_seed__
        mine = self.seed
        if theirs == mine:
            reverse = made
        else:
            def reverse(*args: Any, **kwargs: Any) -> Any:
                if mine in kwargs:
                    kwargs[theirs] = kwargs.pop(mine)
                return made(*args, **kwargs)
        self.reverse[signature] = (reverse, code)
        self.derivative.source = made.source  # type: ignore[attr-defined]
        return reverse

    def _run(self, args: tuple, kwargs: dict) -> Any:
        target, forward, _, _, readers, results, check, seed = self._plan(args, kwargs)
        given = kwargs
        if self.seed in kwargs or self.origin.seed in kwargs:
            kwargs = dict(kwargs)
        s = kwargs.pop(self.seed, None)
        if self.origin.seed in kwargs and self.origin.seed != seed:
            kwargs[seed] = kwargs.pop(self.origin.seed)  # the inner seed, as the code names it
        along = [read(args, kwargs) for read in readers]
        if any(a is MISSING for a in along):
            raise _NotHere
        check(args, kwargs)  # (an int argument: said so, before anything else is tried)
        if s is None:
            tangents = [_ones_in(a) for a in along]
        elif len(along) == 1 and _fits(s, along[0]):
            tangents = [s]
        else:
            raise _NotHere
        arguments = [shallow_copy(read(args, kwargs)) for read in results]  # as passed
        # (the value wanted is the inner gradient, not this code's primal: made by a run
        # of its own, which finds the state this one found)
        draws = SameDraws(self.origin.function(), args, kwargs, state=True) \
            if self.value and not self.same else None
        primal, tangent = forward.run(args, kwargs, tangents)
        if forward.source is not self.shown:
            self.derivative.source = self._source(forward)  # type: ignore[attr-defined]
            self.derivative.__wrapped__ = forward.__wrapped__  # type: ignore[attr-defined]
        if self.single:
            grads = in_structure(tangent, arguments[0])
        else:
            seen: set = set()
            grads = tuple(in_structure(t, a, seen) for t, a in zip(tangent, arguments))
        if not self.value:
            return grads
        if self.same:
            return in_structure(primal, along[0]), grads
        draws.again()
        return self.inner(*args, **{k: v for k, v in given.items() if k != self.seed}), grads


# ----- a derivative grad made, called inside a differentiated function -----

class CalledDerivative:
    """``g = dloss(w, X, y)`` inside a function being differentiated (a MAML step, a
    gradient penalty, a force ``-grad(U)``), ``dloss = grad(loss)``: called like a
    helper's derivative, it gives the gradient and a backward function. The adjoint
    of its inputs given the adjoint ``ḡ`` of the gradient is the gradient of ``<ḡ,
    dloss(...)>``: the tangent of the gradient along ``ḡ`` by the symmetry of second
    derivatives, which ``grad(dloss)`` computes by forward mode over grad's code (the
    helpers ``loss`` calls included, which reverse mode over that code refuses)."""

    __autograd_src_runtime_derivative__ = True

    def __init__(self, derivative: Callable[..., Any], positions: list[int]) -> None:
        self.derivative = derivative
        wrt = positions[0] if len(positions) == 1 else tuple(positions)
        origin = getattr(derivative, "__autograd_src_origin__", None)
        self.parts: Optional[tuple] = None
        if origin is not None and (origin.value or not origin.single):
            # value_and_grad(loss), grad(loss, wrt=(0, 1)): differentiated piece by piece,
            # each gradient by forward mode over grad's code (which follows helpers; reverse
            # mode over the combined code does not)
            function = origin.function()
            self.parts = (
                grad(function, wrt=wrt, optimize=origin.optimize) if origin.value else None,
                [grad(grad(function, wrt=name, optimize=origin.optimize), wrt=wrt)
                 for name in origin.names],
                origin.value, origin.single)
        else:
            self.second = grad(derivative, wrt=wrt)
            self.seed = seed_name(self.second)
        self.__name__ = f"d{getattr(derivative, '__name__', 'derivative')}"

    def __call__(self, *args: Any) -> tuple[Any, Callable[[Any], Any]]:
        kept = [_copied(a) for a in args]  # as called, whatever the caller does next
        value = self.derivative(*args)

        def backward(g: Any) -> Any:
            if self.parts is None:
                return self.second(*kept, **{self.seed: g})
            return self._by_parts(kept, g)
        return value, backward

    def _by_parts(self, kept: list, g: Any) -> Any:
        """The adjoint of the arguments given ``g``, the adjoint of ``(value, gradient)``
        or of a tuple of gradients: the value's gradient times its adjoint, plus each
        gradient's tangent along its adjoint."""
        value_part, gradient_parts, has_value, single = self.parts
        g_value, g_gradients = (g[0], g[1]) if has_value else (None, g)
        seeds = [g_gradients] if single else list(g_gradients)
        total = None
        if value_part is not None and g_value is not None:
            total = value_part(*kept, dout=g_value)
        for second, seed in zip(gradient_parts, seeds):
            if seed is None:
                continue
            term = second(*kept, **{seed_name(second): seed})
            total = term if total is None else runtime.add(total, term)
        return total
