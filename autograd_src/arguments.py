"""The arguments of a derivative call: their checks (floats only, with a clear error
otherwise), what they say about shapes (the variant to run), and the results given
back in the arguments' dtypes, as distinct arrays.
"""

from __future__ import annotations

import operator
from typing import Any, Callable, Optional

import numpy as np

from .transform.source import parameters

__all__ = ["check_argument", "is_container", "in_structure", "scalar_signature",
           "make_checker", "separate_results", "in_dtypes", "argument_reader", "MISSING",
           "NO_SCALARS", "SCALAR_SET"]


def check_argument(value: Any, name: str) -> None:
    """Raise a TypeError unless ``value`` can be differentiated: a float, a float array,
    or a list, tuple, namedtuple or dict of those, nested to any depth."""
    kind = type(value)
    if kind is float:
        return
    if kind is list or kind is tuple or kind is dict or isinstance(value, (list, tuple, dict)):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            check_argument(item, f"{name}[{key!r}]")
        return
    if kind is bool or kind is int:
        raise TypeError(f"cannot differentiate with respect to {name}={value!r}, an "
                        f"{kind.__name__}: gradients need floating point; pass "
                        f"{name}={float(value)!r}")
    dtype = getattr(value, "dtype", None)
    if dtype is None:
        raise TypeError(f"cannot differentiate with respect to {name}, a "
                        f"{kind.__name__}: pass a float, a NumPy float array, or a list, "
                        "tuple or dict of them")
    if dtype.kind != "f":
        raise TypeError(f"cannot differentiate with respect to {name}, which has dtype "
                        f"{dtype}: gradients need a floating-point dtype; pass "
                        f"{name}.astype(float)")


def is_container(value: Any) -> bool:
    """Whether ``value`` is a list, tuple (namedtuples too) or dict: a pytree node."""
    kind = type(value)
    return kind is list or kind is tuple or kind is dict or \
        isinstance(value, (list, tuple, dict))


def in_structure(gradient: Any, like: Any, seen: Optional[set] = None) -> Any:
    """``gradient`` laid out as the argument ``like``: the same containers (tuples,
    namedtuples and dicts too, where the generated code sums lists), each leaf in its
    argument's dtype, Python floats for Python floats, zeros where no gradient flowed,
    and every array writable and a distinct object (``seen``: the ids handed out)."""
    seen = set() if seen is None else seen
    if isinstance(like, dict):
        return type(like)((k, in_structure(gradient[k] if gradient is not None else None, v,
                                           seen))
                          for k, v in like.items())
    if isinstance(like, (list, tuple)):
        pieces = gradient if gradient is not None else [None] * len(like)
        items = [in_structure(g, v, seen) for g, v in zip(pieces, like)]
        if isinstance(like, list):
            return items
        return type(like)(*items) if hasattr(like, "_fields") else type(like)(items)
    if gradient is None:
        gradient = 0.0
    if type(like) is float:
        return float(gradient)
    dtype = like.dtype
    if type(gradient) is np.ndarray and gradient.dtype == dtype and \
            gradient.shape == like.shape and gradient.flags.writeable and \
            id(gradient) not in seen:
        seen.add(id(gradient))
        return gradient
    cast = np.asarray(gradient, dtype=dtype)
    if cast.shape != np.shape(like):
        if cast.ndim:
            raise ValueError(f"internal error: a gradient of shape {cast.shape} for an "
                             f"argument of shape {np.shape(like)}")
        cast = np.broadcast_to(cast, np.shape(like))  # zeros, or a uniform adjoint
    return cast.copy() if isinstance(like, np.ndarray) else dtype.type(cast[()])


_SCALAR_TYPES = (float, int, bool, np.float64, np.float32, np.int64, np.int32, np.bool_)


SCALAR_SET = frozenset(_SCALAR_TYPES)
NO_SCALARS: tuple = ((), (), (), (), ())
_ARRAYS_ONLY = frozenset([np.ndarray])
_SHAPE = operator.attrgetter("shape")


def scalar_signature(names: list[str], args: tuple, kwargs: dict) -> tuple:
    """What this call says about its arguments' shapes: which are scalars, which are
    lists/tuples of scalars, which arrays share a shape, which are containers, and which
    of those are dicts.

    Code generated knowing that (say) ``x`` is a Python float, or that ``x`` and
    ``v`` have one shape, can leave out the shape bookkeeping that broadcasting
    needs, which dominates loops over scalars and small arrays.
    """
    if not kwargs and _ARRAYS_ONLY.issuperset(map(type, args)) and \
            (len(args) == 1 or len(set(map(_SHAPE, args))) == len(args)):
        return NO_SCALARS  # arrays of different shapes: the common case, decided in C
    scalars: list = []
    sequences: list = []
    containers: list = []
    dicts: list = []
    shapes: dict = {}
    pairs = zip(names, args) if not kwargs else list(zip(names, args)) + list(kwargs.items())
    for name, value in pairs:
        kind = type(value)
        if kind is np.ndarray:  # the common case, decided first
            shapes.setdefault(value.shape, []).append(name)
        elif kind in SCALAR_SET:
            scalars.append(name)
        elif (kind is list or kind is tuple) and value and \
                SCALAR_SET.issuperset(map(type, value)):  # in C: 3x faster than a loop
            sequences.append(name)
            containers.append(name)
        elif is_container(value):
            containers.append(name)
            if isinstance(value, dict):
                dicts.append(name)
    groups = tuple(tuple(g) for g in shapes.values() if len(g) > 1)
    if not scalars and not sequences and not groups and not containers:
        return NO_SCALARS
    return tuple(scalars), tuple(sequences), groups, tuple(containers), tuple(dicts)


_FLOAT64 = np.dtype(np.float64)


def make_checker(fn: Callable[..., Any], wrt: list[str]) -> Callable[[tuple, dict], tuple]:
    """A function checking the arguments differentiated with respect to; it returns
    ``(k, dtype)`` for each of them narrower than float64, whose gradient must be
    given back in that dtype (float32 weights times float64 data compute in float64)."""
    readers = [(name, argument_reader(fn, name)) for name in wrt]
    names, positional = parameters(fn)
    positions = [(names.index(name), name) for name in wrt]
    fast = all(position < positional for position, _ in positions)
    needed = max((position for position, _ in positions), default=-1)

    def check(args: tuple, kwargs: dict) -> tuple:
        narrow: tuple = ()
        if fast and not kwargs and needed < len(args):  # float arrays pass at once
            for k, (position, name) in enumerate(positions):
                value = args[position]
                if type(value) is not np.ndarray or value.dtype.kind != "f":
                    check_argument(value, name)
                dtype = getattr(value, "dtype", _FLOAT64)
                if dtype != _FLOAT64:
                    narrow += ((k, dtype),)
            return narrow
        for k, (name, read) in enumerate(readers):
            value = read(args, kwargs)
            if value is not MISSING:  # else the call itself reports the missing argument
                check_argument(value, name)
                dtype = getattr(value, "dtype", _FLOAT64)
                if dtype != _FLOAT64:
                    narrow += ((k, dtype),)
        return narrow

    return check


def separate_results(compiled: Callable[..., Any], value: bool) -> Callable[..., Any]:
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


def in_dtypes(result: Any, narrow: tuple, single: bool, value: bool) -> Any:
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


def argument_reader(fn: Callable[..., Any], name: str) -> Callable[[tuple, dict], Any]:
    """A function reading argument ``name`` of a call to ``fn`` (``MISSING`` if absent)."""
    names, positional = parameters(fn)
    position = names.index(name)
    defaults = dict(zip(names[positional - len(fn.__defaults__ or ()):positional],
                        fn.__defaults__ or ()))
    defaults.update(fn.__kwdefaults__ or {})

    def read(args: tuple, kwargs: dict) -> Any:
        if position < positional and position < len(args):
            return args[position]
        return kwargs.get(name, defaults.get(name, MISSING))

    return read


MISSING = object()
