"""The arguments of a derivative call: their checks (floats only, with a clear error
otherwise), what they say about shapes (the variant to run), and the results given
back in the arguments' dtypes, as distinct arrays.
"""

from __future__ import annotations

import builtins
import copy
import functools
import inspect
import operator
import types
import weakref
from collections import defaultdict
from typing import Any, Callable, Optional

import gast
import numpy as np

from .rules.runtime.core import is_zero
from .transform.ir import walk
from .transform.mutation import is_user_function
from .transform.source import default_values, parameters

__all__ = ["check_argument", "is_container", "value_on_copies", "SameDraws", "in_structure",
           "shallow_copy", "scalar_signature",
           "make_checker", "separate_results", "in_dtypes", "argument_reader", "MISSING",
           "NO_SCALARS", "SCALAR_SET", "counter_indexed", "plain_values",
           "positional_completer"]


def check_argument(value: Any, name: str) -> None:
    """Raise a TypeError unless ``value`` can be differentiated: a float, a float array,
    or a list, tuple, namedtuple or dict of those, nested to any depth."""
    kind = type(value)
    if kind is float:
        return
    if kind is list or kind is tuple or kind is dict or isinstance(value, (list, tuple, dict)):
        # (its items: a namedtuple passed itself reads its own fields)
        _no_array_attribute_fields(name, value.values() if isinstance(value, dict) else value)
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            check_argument(item, f"{name}[{key!r}]")
        return
    # an item of a container: a setting (a step count, a method's name) among the values
    settings = ("; a setting that is not differentiated goes in an argument of its own, "
                "beside the parameters differentiated (grad(f, wrt=0)(params, settings))"
                if "[" in name else "")
    if kind is bool or kind is int:
        raise TypeError(f"cannot differentiate with respect to {name}={value!r}, "
                        f"{'an' if kind is int else 'a'} {kind.__name__}: gradients need "
                        f"floating point; pass {name}={float(value)!r}{settings}")
    dtype = getattr(value, "dtype", None)
    if dtype is None:
        own = ("; @grad on a method differentiates with respect to its first "
               "parameter, self: name the one meant (@grad(wrt='x')), "
               "or apply grad to the bound method (grad(model.loss))"
               if name == "self" else "")
        raise TypeError(f"cannot differentiate with respect to {name}, a "
                        f"{kind.__name__}: pass a float, a NumPy float array, or a list, "
                        f"tuple or dict of them{settings}{own}")
    if dtype.kind != "f":
        raise TypeError(f"cannot differentiate with respect to {name}, which has dtype "
                        f"{dtype}: gradients need a floating-point dtype; pass "
                        f"{name}.astype(float)")
    if isinstance(value, np.ma.MaskedArray) or isinstance(value, np.matrix):
        # (their operators differ from an array's: a masked mean leaves entries out,
        # a matrix's * is a product; the rules are an ndarray's)
        which = "a masked array" if isinstance(value, np.ma.MaskedArray) else "an np.matrix"
        fix = f"{name}.filled(0.0) (and select the entries meant with a boolean mask)" \
            if "masked" in which else f"np.asarray({name}) (and @ for its products)"
        raise TypeError(f"cannot differentiate with respect to {name}, {which}: grad's "
                        f"rules are those of plain NumPy arrays; pass {fix}")


class SameDraws:
    """The random state ``fn`` may draw from, kept so that each of several runs of
    ``fn`` (a Jacobian's rows, a VJP after its value) draws what the first drew, as
    one run would: NumPy's and Python's global generators, and the NumPy
    or Python generators passed in ``args`` or ``kwargs``, left to a default, named
    among the globals or closure cells of ``fn`` and of the functions it names, or
    held by a bound method's object; in their dicts, lists, tuples and objects'
    attributes too, a few levels down; and the lists and dicts passed in, which each
    run finds as the caller passed them. With ``state``, the runs all made at once
    (a Jacobian's), each also finds as the first did the objects passed in (their
    attributes: a scheduler's ``self.lr`` that each run halves), the bound method's
    object, and the globals, closure cells, lists, dicts and objects ``fn`` and the
    functions it names refer to (``STEP[0] += 1``, ``state['k'] *= 2.0``). After
    the runs the state is that after one run. Other side effects still repeat.
    ``may_change_state``, where given, answers `mutation.may_change_state` for ``fn``
    (a Jacobian's cached answer)."""

    def __init__(self, fn: Callable[..., Any], args: tuple = (),
                 kwargs: Optional[dict] = None, state: bool = False,
                 may_change_state: Optional[Callable[[], bool]] = None) -> None:
        import random
        kinds = (np.random.Generator, np.random.RandomState, random.Random)
        found = list(args) + list((kwargs or {}).values())  # rng passed in
        functions, seen = [fn], set()
        held: list = []  # (what the functions refer to, whose state a run may change)
        self.cells: list = []
        self.globals: list = []
        self.codes: list = []  # (function, its code and defaults): autoreload's replace
        while functions and len(seen) < 32:  # f, and the functions it names, to 32
            function = functions.pop()
            if id(function) in seen:
                continue
            seen.add(id(function))
            origin = getattr(function, "__autograd_src_origin__", None)
            if origin is not None:  # jacfwd(grad(f)): the state f refers to, not the
                functions.append(origin.function())  # package's own (its caches)
                continue
            if _plain_object(function) and callable(function):  # vjp(model, x)
                held.append(function)
                functions.append(function.__call__)  # (its object is held: seen once)
                seen.add(id(function))
                continue
            owner = getattr(function, "__self__", None)  # self.rng of a bound method
            if owner is not None and hasattr(owner, "__dict__"):
                found += list(vars(owner).values())
                held.append(owner)
            function = getattr(function, "__func__", function)
            code = getattr(function, "__code__", None)
            if code is None:
                continue
            cells = [c for c in (function.__closure__ or ()) if _filled(c)]
            named = [c.cell_contents for c in cells]
            global_names = _names_read(code)
            if state:  # (nonlocal n; n += 1, global n: given back by binding)
                self.codes.append((function, code, function.__defaults__,
                                   function.__kwdefaults__))
                self.cells += [(c, c.cell_contents) for c in cells]
                self.globals += [(function.__globals__, n, function.__globals__[n])
                                 for n in global_names if n in function.__globals__]
            named += [function.__globals__.get(n) for n in global_names]
            if state and is_user_function(function):  # (a library's id counter is
                # its own)
                _no_iterator_read(function, global_names, named)
                if function.__dict__:  # (helper.calls += 1, a @counted wrapper's)
                    held.append(function.__dict__)
            held += named
            defaults = list(function.__defaults__ or ()) + \
                list((function.__kwdefaults__ or {}).values())
            if state:  # def f(x, hist=[]) doing hist.append(1.0)
                held += defaults
            named += defaults  # def f(x, rng=RNG)
            for value in named:
                if inspect.isfunction(value) or inspect.ismethod(value):
                    functions.append(value)
                found.append(value)
        self.generators = list({id(g): g for g in _within(found, kinds)
                                if isinstance(g, kinds)}.values())
        self.states = (np.random.get_state(), random.getstate(),
                       [_generator_state(g) for g in self.generators])
        # lists and dicts passed in, which a run may write into (ws[0] = ws[0] + 1.0,
        # log.append(v)): each run starts from what the caller passed, not from what
        # the run before left (a Hessian's columns would compound the writes)
        passed = list(args) + list((kwargs or {}).values())
        # (with state, the objects they hold too: st['model'].t += 1)
        self.containers = [_snapshot(a, objects=state) for a in passed
                           if type(a) is list or isinstance(a, (dict, tuple))]
        if not state:
            return
        # (and the objects passed in, or held by what fn refers to: their attributes)
        kept = {id(c[0]) for c in self.containers}
        for value in passed + held:
            if id(value) not in kept and (type(value) is list or isinstance(value, dict) or
                                          _plain_object(value)):
                kept.add(id(value))
                self.containers.append(_snapshot(value, objects=True))
        # a module's array (a helper's a *= 2.0 on it, out=), or one passed in (X *= 0.9,
        # which grad's code puts back into the caller's): kept only where fn may change
        # state (a dataset read by every pass is not copied and compared)
        arrays = [v for v in passed + held if isinstance(v, np.ndarray) and id(v) not in kept]
        if arrays and (may_change_state() if may_change_state is not None
                       else _may_change_state(fn)):
            for value in arrays:
                if id(value) not in kept:
                    kept.add(id(value))
                    self.containers.append(_snapshot(value, objects=True))

    def now(self) -> "SameDraws":
        """What this gives back, as it is now: given back after runs made from this
        one's state, it keeps the caller's changes made since (``vjp_fn`` called after
        a scheduler stepped)."""
        import random
        current = copy.copy(self)
        current.states = (np.random.get_state(), random.getstate(),
                          [_generator_state(g) for g in self.generators])
        current.containers = [_snapshot(value, objects=True) for value, _ in self.containers]
        current.cells = [(cell, cell.cell_contents if _filled(cell) else _EMPTY)
                         for cell, _ in self.cells]
        current.globals = [(namespace, name, namespace.get(name, _EMPTY))
                           for namespace, name, _ in self.globals]
        current.codes = [(f, f.__code__, f.__defaults__, f.__kwdefaults__)
                         for f, *_ in self.codes]
        return current

    def again(self) -> None:
        """Put every generator back where it was when this was made."""
        import random
        numpy_state, python_state, own = self.states
        np.random.set_state(numpy_state)
        random.setstate(python_state)
        for generator, state in zip(self.generators, own):
            if isinstance(generator, np.random.Generator):
                generator.bit_generator.state = state
            elif isinstance(generator, random.Random):
                generator.setstate(state)
            else:
                generator.set_state(state)
        for snapshot in self.containers:
            _restored(snapshot)
        for cell, contents in self.cells:
            if contents is _EMPTY:
                if _filled(cell):
                    del cell.cell_contents
            elif not _filled(cell) or cell.cell_contents is not contents:
                cell.cell_contents = contents
        for function, code, defaults, kwdefaults in self.codes:
            if function.__code__ is not code:
                function.__code__ = code
            if function.__defaults__ is not defaults:
                function.__defaults__ = defaults
            if function.__kwdefaults__ is not kwdefaults:
                function.__kwdefaults__ = kwdefaults
        for namespace, name, value in self.globals:
            if value is _EMPTY:
                namespace.pop(name, None)
            elif namespace.get(name, _EMPTY) is not value:
                namespace[name] = value


def _no_iterator_read(function: Any, global_names: list, values: list) -> None:
    """Raise where ``function`` refers to an iterator of the module's or a closure's
    (``next(BATCHES)``, ``for b in LOADER``): each run would read its next item, and an
    iterator cannot be given back the state the first run found."""
    free = list(function.__code__.co_freevars)
    names = [n for n, c in zip(free, function.__closure__ or ()) if _filled(c)] + \
        list(global_names)
    for name, value in zip(names, values):
        kind = type(value)
        if hasattr(kind, "__next__") and hasattr(kind, "__iter__") and \
                not isinstance(value, (type, types.ModuleType)):
            raise RuntimeError(
                f"{function.__name__}() reads {name}, an iterator ({kind.__name__}), and "
                "this derivative runs it more than once (once per row or column of a "
                "Jacobian or Hessian, or for vjp's value and again for its backward): "
                "each run would read the iterator's next item, which cannot be given "
                "back. Read the items outside and pass them in (batch = next("
                f"{name}); then differentiate a function of the batch), or use grad, "
                "value_and_grad, jvp or hvp, which run it once")


def _names_read(code: Any) -> list:
    """The global names ``code`` reads, and the code of its nested defs, lambdas and
    comprehensions (a key function counting its calls in a module's list)."""
    names, todo = list(code.co_names), [code]
    while todo:
        for const in todo.pop().co_consts:
            if isinstance(const, type(code)):
                names += [n for n in const.co_names if n not in names]
                todo.append(const)
    return names


def _may_change_state(fn: Any) -> bool:
    """`mutation.may_change_state` of the user's function under ``fn`` (a derivative
    grad made, a callable object); True where that cannot be told."""
    from .transform.mutation import may_change_state
    origin = getattr(fn, "__autograd_src_origin__", None)
    if origin is not None:
        fn = origin.function()
    elif _plain_object(fn) and callable(fn):
        fn = type(fn).__call__
    try:
        return may_change_state(fn)
    except Exception:  # noqa: BLE001 - not known: kept
        return True


#: Values a snapshot holds as they are (nothing in them changes).
_ATOMS = frozenset({int, float, bool, str, bytes, complex, type(None), np.float64, np.int64})


def _plain_object(value: Any) -> bool:
    """An object of the user's whose attributes hold its state (not an array, a
    module, a class, a function or a random generator; a module-like object with
    ``__call__`` is one)."""
    try:
        has_state = hasattr(value, "__dict__")
    except Exception:  # noqa: BLE001 - a __getattr__ raising another error (KeyError)
        return False
    return has_state and not inspect.isroutine(value) and not isinstance(
        value, (np.ndarray, np.generic, type, types.ModuleType, np.random.Generator,
                np.random.RandomState, functools.partial)) and \
        type(value).__module__ not in ("random", "builtins") and \
        not type(value).__module__.startswith(("autograd_src", "numpy"))


def _snapshot(value: Any, depth: int = 4, objects: bool = False) -> tuple:
    """``value`` and, for a list or dict, what it holds (lists and dicts in it too, a
    few levels down; arrays and other objects by reference: grad replaces the
    arrays of a list or dict it writes into); with ``objects``, an object's
    attributes too, and the values of the arrays held (the code differentiated may
    update those in place)."""
    if depth and type(value) is list:
        if all(type(v) in _ATOMS for v in value):  # (a log of numbers: copied at once)
            return value, ("items", value[:])
        return value, [_snapshot(v, depth - 1, objects) for v in value]
    if depth and isinstance(value, dict):  # (an OrderedDict, a defaultdict too)
        return value, {k: _snapshot(v, depth - 1, objects) for k, v in value.items()}
    if depth and isinstance(value, tuple):  # (its slots stay; what they hold may not)
        return value, ("tuple", [_snapshot(v, depth - 1, objects) for v in value])
    if depth and objects and _plain_object(value):
        return value, ("attributes", {k: _snapshot(v, depth - 1, objects)
                                      for k, v in vars(value).items()})
    if objects and isinstance(value, np.ndarray) and value.flags.writeable and \
            value.dtype != object:
        # (an array an object or container holds, which a run may update in place,
        # st.buf += 1: its values, given back in place)
        return value, ("array", value.copy())
    return value, None


def _restored(snapshot: tuple) -> Any:
    """The list or dict of ``snapshot`` made to hold again what it held then (the same
    objects: the caller's references to them stay valid); an object's attributes."""
    value, inner = snapshot
    if inner is None:
        return value
    if isinstance(value, np.ndarray):  # ("array", values)
        if not np.array_equal(value, inner[1], equal_nan=value.dtype.kind in "fc"):
            value[...] = inner[1]
        return value
    if isinstance(value, tuple):  # ("tuple", [...]): what its items hold
        for item in inner[1]:
            _restored(item)
        return value
    if type(value) is list and isinstance(inner, tuple):  # ("items", [...])
        if value != inner[1]:  # (compared in C; equal numbers are the same log)
            value[:] = inner[1]
    elif type(value) is list:
        value[:] = [_restored(s) for s in inner]
    elif isinstance(inner, tuple):  # ("attributes", {...})
        attributes = vars(value)
        restored = {k: _restored(s) for k, s in inner[1].items()}
        if len(attributes) != len(restored) or any(attributes.get(k, _EMPTY) is not v
                                                   for k, v in restored.items()):
            attributes.clear()
            attributes.update(restored)
    else:
        value.clear()
        value.update({k: _restored(s) for k, s in inner.items()})
    return value


def _within(values: list, kinds: tuple, depth: int = 3, most: int = 10_000) -> list:
    """``values`` and what they hold, ``depth`` levels down: the items of dicts, lists
    and tuples, and the attributes of objects (``cfg['rng']``, ``model.rng``); arrays,
    modules, classes, functions and generators are not looked into. At most about
    ``most`` values."""
    found, level = list(values), list(values)
    for _ in range(depth):
        inner: list = []
        for value in level:
            if isinstance(value, (np.ndarray, np.generic, type, types.ModuleType, kinds)) \
                    or callable(value):
                continue
            if isinstance(value, dict):
                inner += list(value.values())
            elif isinstance(value, (list, tuple)):
                inner += list(value)
            elif hasattr(value, "__dict__"):
                inner += list(vars(value).values())
        found += inner
        if len(found) > most:
            break
        level = inner
    return found


def _filled(cell: Any) -> bool:
    try:
        return cell.cell_contents is not _EMPTY
    except ValueError:  # an empty cell
        return False


_EMPTY = object()


def _generator_state(generator: Any) -> Any:
    if isinstance(generator, np.random.Generator):
        return generator.bit_generator.state
    if hasattr(generator, "getstate"):  # random.Random
        return generator.getstate()
    return generator.get_state()


def value_on_copies(fn: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
    """``fn(*args, **kwargs)`` run on copies of the arrays among them (in containers
    too): a function that updates an argument in place must not change the caller's
    array, which the derivative is then taken at (grad's run gives it the values
    one run leaves)."""
    return fn(*[_copied(a) for a in args], **{k: _copied(v) for k, v in kwargs.items()})


def _copied(value: Any) -> Any:
    kind = type(value)
    if kind is np.ndarray:
        return value.copy()
    if kind is list or kind is tuple:
        return kind(_copied(v) for v in value)
    if isinstance(value, dict):  # (an OrderedDict, a defaultdict: of its own kind)
        return dict_like(value, [(k, _copied(v)) for k, v in value.items()])
    return value


def dict_like(like: dict, items: list) -> dict:
    """A dict of ``like``'s kind (an OrderedDict, a defaultdict with its default
    factory) holding ``items``."""
    if type(like) is dict:
        return dict(items)
    if isinstance(like, defaultdict):
        return type(like)(like.default_factory, items)
    return type(like)(items)


def shallow_copy(value: Any) -> Any:
    """A list or dict ``value`` as a new one holding the same items (what it holds
    now, kept while the function writes into it); anything else as it is."""
    return value.copy() if isinstance(value, (list, dict)) else value


def is_container(value: Any) -> bool:
    """Whether ``value`` is a list, tuple (namedtuples too) or dict: a pytree node."""
    kind = type(value)
    return kind is list or kind is tuple or kind is dict or \
        isinstance(value, (list, tuple, dict))


def _buffer(array: np.ndarray) -> int:
    """The id of the array whose memory ``array`` uses (itself, or its views' base):
    two leaves on one buffer (``db = da.T``) are not each their own."""
    while isinstance(array.base, np.ndarray):
        array = array.base
    return id(array)


_FLOATS = frozenset((float, np.float64))


def in_structure(gradient: Any, like: Any, seen: Optional[set] = None) -> Any:
    """``gradient`` laid out as the argument ``like``: the same containers (tuples,
    namedtuples and dicts too, where the generated code sums lists), each leaf in its
    argument's dtype, Python floats for Python floats, zeros where no gradient flowed,
    and every array writable and a distinct object (``seen``: the ids handed out)."""
    seen = set() if seen is None else seen
    kind = type(like)
    if kind is np.ndarray and type(gradient) is np.ndarray:  # the usual leaf, at once
        if gradient.dtype == like.dtype and gradient.shape == like.shape and \
                gradient.flags.writeable and _buffer(gradient) not in seen:
            seen.add(_buffer(gradient))
            return gradient
    elif (kind is list or kind is tuple) and type(gradient) in (list, tuple) and \
            len(gradient) == len(like):
        if _FLOATS.issuperset(map(type, like)) and _FLOATS.issuperset(map(type, gradient)):
            # (a list of numbers, item for item: in C, not a call per item)
            items = [float(g) if type(v) is float else np.float64(g)
                     for g, v in zip(gradient, like)]
        else:
            items = [in_structure(g, v, seen) for g, v in zip(gradient, like)]
        return items if kind is list else tuple(items)
    if isinstance(like, dict):
        return dict_like(like, [(k, in_structure(gradient[k] if gradient is not None
                                                 else None, v, seen))
                                for k, v in like.items()])
    if isinstance(like, (list, tuple)):
        pieces = gradient if gradient is not None else [None] * len(like)
        if len(pieces) != len(like):  # never truncated by zip: that would hide a bug
            raise RuntimeError(f"autograd_src internal error: a gradient of {len(pieces)} "
                               f"items for an argument of {len(like)}; please report it")
        items = [in_structure(g, v, seen) for g, v in zip(pieces, like)]
        if isinstance(like, list):
            return items
        return type(like)(*items) if hasattr(like, "_fields") else type(like)(items)
    if gradient is None:
        gradient = 0.0
    # (a zero array where the caller passed a number, or another shape: the item the
    # function overwrote with a new value, ws[1] = ws[0] * 2.0, zeroed in its shape)
    if type(like) is float:
        no_complex_result(gradient)
        try:
            return float(gradient)
        except TypeError:
            if np.any(gradient):
                raise
            return 0.0
    dtype = like.dtype
    if type(gradient) is np.ndarray and gradient.dtype == dtype and \
            gradient.shape == like.shape and gradient.flags.writeable and \
            _buffer(gradient) not in seen:
        seen.add(_buffer(gradient))
        return gradient
    cast = np.asarray(gradient, dtype=dtype)
    if cast.shape != np.shape(like):
        if cast.ndim and not np.any(cast):
            cast = np.zeros((), dtype=dtype)
        elif cast.ndim:
            raise ValueError(f"internal error: a gradient of shape {cast.shape} for an "
                             f"argument of shape {np.shape(like)}")
        cast = np.broadcast_to(cast, np.shape(like))  # zeros, or a uniform adjoint
    return cast.copy() if isinstance(like, np.ndarray) else dtype.type(cast[()])


_SCALAR_TYPES = (float, int, bool, np.float64, np.float32, np.int64, np.int32, np.bool_)


SCALAR_SET = frozenset(_SCALAR_TYPES)
#: The attributes of an array a namedtuple's field may be named like (``layer.size``).
_ARRAY_ATTRIBUTE_NAMES = frozenset({"shape", "size", "ndim", "dtype", "T", "mT", "real",
                                    "imag"})


def _no_array_attribute_fields(name: str, items: Any) -> None:
    """Refuse a namedtuple inside the differentiated list or dict ``name`` whose field
    named like an array's attribute holds floats (``Layer(shape=W, size=0.3)`` in
    ``layers``): the code reads ``layer.size`` of an item as an array's attribute,
    without gradient (GV 06). A namedtuple passed itself, or made in the function,
    reads its fields."""
    for item in items:
        fields = getattr(type(item), "_fields", None)
        if not isinstance(item, tuple) or not fields:
            continue
        for field in (f for f in fields if f in _ARRAY_ATTRIBUTE_NAMES):  # (in order)
            held = getattr(item, field)
            if isinstance(held, (float, np.floating)) or (
                    isinstance(held, np.ndarray) and held.dtype.kind == "f"):
                raise TypeError(
                    f"{name} holds a {type(item).__name__} whose field {field!r} is named "
                    f"like an array's attribute: an item's .{field} is read as the "
                    "array's, without gradient. Rename the field, or pass the "
                    f"{type(item).__name__} as an argument of its own")


def _dtype_of(value: Any) -> Any:
    """``value``'s dtype where it is an array or a NumPy number (not the field of a
    namedtuple named ``dtype``; GV 05), else float64."""
    return value.dtype if isinstance(value, (np.ndarray, np.generic)) else _FLOAT64


NO_SCALARS: tuple = ((), (), (), (), ())
_ARRAYS_ONLY = frozenset([np.ndarray])
_SHAPE = operator.attrgetter("shape")


def scalar_signature(names: list[str], args: tuple, kwargs: dict,
                     vectors: frozenset = frozenset(), plain: frozenset = frozenset()) -> tuple:
    """What this call says about its arguments' shapes: which are scalars, which are
    lists/tuples of scalars (or 1-D arrays among ``vectors``, whose items and ``c[i]``
    are scalars too; 0-d float arrays among ``plain`` count as scalars), which arrays
    share a shape, which are containers, and which of
    those are dicts.

    Code generated knowing that (say) ``x`` is a Python float, or that ``x`` and
    ``v`` have one shape, can leave out the shape bookkeeping that broadcasting
    needs, which dominates loops over scalars and small arrays.
    """
    if not kwargs and not vectors and not plain and _ARRAYS_ONLY.issuperset(map(type, args)) and \
            (len(args) == 1 or len(set(map(_SHAPE, args))) == len(args)):
        if _COMPLEX_KIND in map(_KIND, args):
            refuse_complex(names, args, kwargs)
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
            if value.dtype.kind == "c":
                refuse_complex(names, args, kwargs)
            if name in plain and not value.ndim and value.dtype.kind == "f":
                scalars.append(name)  # a 0-d array only ever read as a number
                continue
            shapes.setdefault(value.shape, []).append(name)
            if name in vectors and value.ndim == 1 and value.dtype.kind in "fiub":
                sequences.append(name)
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
            if any(isinstance(v, (complex, np.complexfloating)) or
                   (type(v) is np.ndarray and v.dtype.kind == "c")
                   for v in (value.values() if isinstance(value, dict) else value)):
                raise TypeError(
                    f"{name} holds complex numbers: complex numbers are not supported "
                    "yet, their derivatives would be taken as real ones; pass their real "
                    "and imaginary parts and write the complex arithmetic with them")
        elif kind is complex or isinstance(value, np.complexfloating):
            refuse_complex(names, args, kwargs)
    groups = tuple(tuple(g) for g in shapes.values() if len(g) > 1)
    if not scalars and not sequences and not groups and not containers:
        return NO_SCALARS
    return tuple(scalars), tuple(sequences), groups, tuple(containers), tuple(dicts)


_COMPLEX_KIND = "c"


def _KIND(array: np.ndarray) -> str:
    return array.dtype.kind


def _has_complex(value: Any) -> bool:
    """Whether ``value`` (an array, a number, or lists, tuples and dicts of them)
    holds a complex number."""
    if isinstance(value, (np.ndarray, np.generic)):
        return value.dtype.kind == "c"
    if isinstance(value, (list, tuple)):
        return any(_has_complex(v) for v in value)
    if isinstance(value, dict):
        return any(_has_complex(v) for v in value.values())
    return type(value) is complex


def no_complex_result(result: Any, of: Any = None) -> Any:
    """``result`` (a gradient, tangent or Jacobian), unless it is complex where ``of``
    (its argument, or the function's value) is real: a complex value reached the
    computation another way than an argument (an item of a module's dict, an object's
    attribute, ``np.linalg.eigvals`` or ``np.roots`` of a constant), and the rules,
    those of real numbers, gave a wrong derivative: an error, never a number."""
    if _has_complex(result) and not _has_complex(of):
        raise TypeError("a complex value was reached while differentiating (an item of a "
                        "module's dict, an attribute, np.linalg.eigvals, np.roots, np.fft "
                        "of a constant...): complex numbers are not supported yet, their "
                        "derivatives would be taken as real ones; write the real and "
                        "imaginary parts as separate real arrays")
    return result


def refuse_complex(names: list[str], args: tuple, kwargs: dict) -> None:
    """Refuse complex arguments (differentiated or not): the derivative rules are those
    of real numbers (``np.abs`` of a complex array, a product with one), which would
    give a wrong gradient, not an error."""
    for name, value in list(zip(names, args)) + list(kwargs.items()):
        if np.iscomplexobj(value) if isinstance(value, (np.ndarray, np.generic, complex)) \
                else False:
            raise TypeError(
                f"{name} is complex ({getattr(value, 'dtype', 'complex')}): complex numbers "
                "are not supported yet, their derivatives would be taken as real ones; "
                f"pass its real and imaginary parts ({name}.real, {name}.imag) and write "
                "the complex arithmetic with them")


_INT_OPS = (gast.Add, gast.Sub, gast.Mult, gast.FloorDiv, gast.Mod)


#: Analyses of a function's code alone, made once per code object: a lambda made
#: anew in a loop (grad(lambda q: cost(q, target))) is the same code each time (GY 07).
_BY_CODE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _of_code(analysis: Callable[..., Any]) -> Callable[..., Any]:
    """``analysis(fn)``, remembered for ``fn``'s code and its builtins ``range`` and
    ``enumerate`` (the only globals the analysis may read)."""
    @functools.wraps(analysis)
    def remembered(fn: Callable[..., Any]) -> Any:
        code = getattr(fn, "__code__", None)
        if code is None:
            return analysis(fn)
        found = _BY_CODE.setdefault(code, {})
        key = (analysis.__name__, fn.__globals__.get("range", range) is range,
               fn.__globals__.get("enumerate", enumerate) is enumerate)
        if key not in found:
            found[key] = analysis(fn)
        return found[key]
    return remembered


@_of_code
def counter_indexed(fn: Callable[..., Any]) -> frozenset:
    """The parameters of ``fn`` that, were they 1-D arrays, would give scalars wherever
    the generated code could take ``p[...]`` for one: ``p`` is never rebound, reshaped
    or shadowed, and every ``p[k]`` indexes it by an int: a constant, a counter of
    ``for k in range(...)`` (or ``enumerate``) bound nowhere else, or ``+ - * // %`` of
    those. Any other index (``c[idx]`` with ``idx`` an array of indices or a mask) keeps
    ``p`` out: its items might be arrays. Parameters never indexed nor iterated are
    left out too (a variant for them would be the general code again)."""
    from .transform import source
    try:
        node = source.parse_function(fn).node
    except Exception:  # no source: the transformation reports it
        return frozenset()
    candidates = set(parameters(fn)[0])
    if fn.__globals__.get("range", range) is not range or \
            fn.__globals__.get("enumerate", enumerate) is not enumerate:
        return frozenset()
    counters: set = set()
    for loop in walk(node):
        if not isinstance(loop, gast.For) or not isinstance(loop.iter, gast.Call) or \
                not isinstance(loop.iter.func, gast.Name):
            continue
        target, called = loop.target, loop.iter.func.id
        if called == "range" and isinstance(target, gast.Name):
            counters.add(target.id)
        elif called == "enumerate" and isinstance(target, gast.Tuple) and \
                len(target.elts) == 2 and isinstance(target.elts[0], gast.Name):
            counters.add(target.elts[0].id)
    stored = {}
    for loop in walk(node):  # counters stored anywhere but their own loop: out
        if isinstance(loop, gast.For):
            for n in walk(loop.target):
                if isinstance(n, gast.Name):
                    stored[id(n)] = n.id
    for n in walk(node):
        if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load) and \
                id(n) not in stored and n.id in counters:
            counters.discard(n.id)
    counters -= candidates

    def is_int(index: Any) -> bool:
        if isinstance(index, gast.Constant):
            return type(index.value) is int
        if isinstance(index, gast.Name):
            return index.id in counters
        if isinstance(index, gast.UnaryOp) and isinstance(index.op, (gast.USub, gast.UAdd)):
            return is_int(index.operand)
        if isinstance(index, gast.BinOp) and isinstance(index.op, _INT_OPS):
            return is_int(index.left) and is_int(index.right)
        return False

    read = set()  # read item by item somewhere: otherwise knowing it gains nothing
    for stmt in node.body:
        for n in walk(stmt):
            if isinstance(n, gast.For) and isinstance(n.iter, gast.Name):
                read.add(n.iter.id)
            elif isinstance(n, gast.Subscript) and isinstance(n.value, gast.Name):
                read.add(n.value.id)
            elif isinstance(n, gast.Assign) and isinstance(n.value, gast.Name) and \
                    len(n.targets) == 1 and isinstance(n.targets[0], gast.Tuple) and \
                    all(isinstance(t, gast.Name) for t in n.targets[0].elts):
                read.add(n.value.id)  # omega, alpha, beta = theta: items, unpacked
            if isinstance(n, gast.Name) and n.id in candidates and \
                    not isinstance(n.ctx, gast.Load):
                candidates.discard(n.id)  # rebound, deleted, or a nested parameter
            elif isinstance(n, gast.Attribute) and isinstance(n.value, gast.Name) and \
                    n.attr in ("shape", "resize"):
                candidates.discard(n.value.id)
            elif isinstance(n, gast.Subscript) and isinstance(n.value, gast.Name) and \
                    not isinstance(n.slice, gast.Slice) and not is_int(n.slice):
                candidates.discard(n.value.id)
    return frozenset(candidates & read)


_FLOAT64 = np.dtype(np.float64)
_PLAIN = frozenset((float, int, bool, np.ndarray, np.float64, np.float32, list, tuple, dict,
                    str, type(None)))


def no_operator_of_its_own(value: Any, name: str, fn: Callable[..., Any],
                           methods: Any) -> None:
    """Refuse an argument of a class of the user's defining one of ``methods``, by
    which an operator ``fn`` applies to it beside a differentiated value would call
    it: grad differentiates operators as numbers' and arrays' (its own ``__mul__``
    would be ignored, silently)."""
    kind = type(value)
    for method in sorted(methods):
        found = getattr(kind, method, None)
        if inspect.isfunction(found) and is_user_function(found):
            raise TypeError(f"{name} is a {kind.__name__}, whose {method} is its own, and "
                            f"{getattr(fn, '__name__', 'f')}() applies an operator to it: "
                            "grad differentiates operators as for numbers and arrays and "
                            "cannot follow its own. Write what it computes as a call of a "
                            "function of yours (apply(op, x)), which grad differentiates")


def make_checker(fn: Callable[..., Any], wrt: list[str],
                 operand_params: Optional[dict] = None) -> Callable[[tuple, dict], tuple]:
    """A function checking the arguments differentiated with respect to; it returns
    ``(k, dtype)`` for each of them narrower than float64, whose gradient must be
    given back in that dtype (float32 weights times float64 data compute in float64)."""
    readers = [(name, argument_reader(fn, name)) for name in wrt]
    names, positional = parameters(fn)
    positions = [(names.index(name), name) for name in wrt]
    fast = all(position < positional for position, _ in positions)
    needed = max((position for position, _ in positions), default=-1)
    operands = [(name, argument_reader(fn, name), methods)
                for name, methods in sorted((operand_params or {}).items()) if name not in wrt]

    def check(args: tuple, kwargs: dict) -> tuple:
        for name, read, methods in operands:
            value = read(args, kwargs)
            if type(value) not in _PLAIN and value is not MISSING:
                no_operator_of_its_own(value, name, fn, methods)
        narrow: tuple = ()
        if fast and not kwargs and needed < len(args):  # float arrays pass at once
            for k, (position, name) in enumerate(positions):
                value = args[position]
                if type(value) is not np.ndarray or value.dtype.kind != "f":
                    check_argument(value, name)
                dtype = _dtype_of(value)
                if dtype != _FLOAT64:
                    narrow += ((k, dtype),)
            return narrow + _widened(args, kwargs, [args[p] for p, _ in positions], narrow)
        values = []
        for k, (name, read) in enumerate(readers):
            value = read(args, kwargs)
            values.append(value)
            if value is not MISSING:  # else the call itself reports the missing argument
                check_argument(value, name)
                dtype = _dtype_of(value)
                if dtype != _FLOAT64:
                    narrow += ((k, dtype),)
        return narrow + _widened(args, kwargs, values, narrow)

    return check


def _widened(args: tuple, kwargs: dict, values: list, narrow: tuple) -> tuple:
    """``(k, float64)`` for each float64 array or NumPy scalar among the differentiated
    ``values`` where another argument is a narrower float array: its gradient may be
    computed in that dtype (``x * c``'s with respect to ``c`` is ``x``), and is given
    back in its own."""
    if not any(isinstance(a, (np.ndarray, np.generic)) and a.dtype.kind == "f" and
               a.dtype.itemsize < 8 for a in (*args, *kwargs.values())):
        return ()
    done = {k for k, _ in narrow}
    return tuple((k, _FLOAT64) for k, v in enumerate(values) if k not in done and
                 isinstance(v, (np.ndarray, np.generic)) and v.dtype == _FLOAT64)


def separate_results(compiled: Callable[..., Any], value: bool, single: bool,
                     positions: list) -> Callable[..., Any]:
    """``compiled``, each gradient of an array passed by position checked to have its
    shape (a rule's slip must be an error, never a gradient of another shape), and
    several gradients made of distinct objects (copies of repeats). ``positions``: each
    gradient's argument's position, -1 for a keyword-only parameter."""
    def run(*args: Any, **kwargs: Any) -> Any:
        result = compiled(*args, **kwargs)
        grads = result[1] if value else result
        if single:
            if type(grads) is np.ndarray and 0 <= positions[0] < len(args):
                argument = args[positions[0]]
                shaped = _same_shape(grads, argument)
                if shaped is not grads:
                    grads = shaped
                    result = (result[0], grads) if value else grads
                if type(argument) is np.ndarray and grads.dtype != argument.dtype:
                    grads = _in_dtype_of(no_complex_result(grads), argument)  # (a
                    return (result[0], grads) if value else grads  # np.longdouble's)
            elif type(grads) is complex or isinstance(grads, np.complexfloating):
                no_complex_result(grads)
            return result
        recast = False
        shaped = tuple(_same_shape(g, args[k]) if type(g) is np.ndarray and
                       0 <= k < len(args) else g for g, k in zip(grads, positions))
        if any(a is not b for a, b in zip(shaped, grads)):
            grads = shaped
            result = (result[0], grads) if value else grads
        for g, k in zip(grads, positions):
            if type(g) is complex or isinstance(g, np.complexfloating):
                no_complex_result(g)
            if type(g) is np.ndarray and 0 <= k < len(args):
                if g.dtype.kind == "c":
                    no_complex_result(g, args[k])
                recast = recast or (type(args[k]) is np.ndarray and g.dtype != args[k].dtype)
        if recast:  # (a np.longdouble constant)
            grads = tuple(_in_dtype_of(g, args[k]) if type(g) is np.ndarray and
                          0 <= k < len(args) else g for g, k in zip(grads, positions))
            result = (result[0], grads) if value else grads
        # (not one buffer twice either: da and db = da.T of np.sum(a + b.T))
        buffers = [_buffer(g) if type(g) is np.ndarray else id(g) for g in grads]
        if len(set(buffers)) == len(grads):
            return result
        seen: set = set()
        fresh = []
        for g, key in zip(grads, buffers):
            fresh.append(g.copy() if key in seen and isinstance(g, np.ndarray) else g)
            seen.add(key)
        return (result[0], tuple(fresh)) if value else tuple(fresh)

    return run


def _in_dtype_of(gradient: np.ndarray, argument: Any) -> np.ndarray:
    """``gradient`` in ``argument``'s floating dtype where it came out in another (a
    float64 argument's through a np.longdouble constant): a gradient has its argument's
    dtype."""
    if type(argument) is np.ndarray and argument.dtype.kind == "f" and \
            gradient.dtype.kind == "f" and gradient.dtype != argument.dtype:
        return gradient.astype(argument.dtype)
    return gradient


def _same_shape(gradient: np.ndarray, argument: Any) -> np.ndarray:
    """``gradient``, checked to have ``argument``'s shape. A known zero (`runtime.is_zero`:
    a read-only view of one zero, of no shape where the argument's item was overwritten
    before it was read) is given as zeros of its own, writeable as any gradient."""
    if type(argument) is not np.ndarray:
        return gradient
    if is_zero(gradient):  # (l = [x, y]; l[1] read; d = {'a': x}; d['a'] = np.ones(3))
        return np.zeros(argument.shape, gradient.dtype)
    if gradient.shape != argument.shape:
        shape = gradient.shape
        raise RuntimeError(f"autograd_src: a gradient of shape {shape} for an argument of "
                           f"shape {argument.shape}: a derivative rule of yours "
                           "(extend.defvjp) returned one of another shape than its input, "
                           "or this is an internal error (please report it)")
    return gradient


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


def like_number(gradient: Any, x: Any) -> Any:
    """``gradient`` as the type and dtype of the number ``x`` it is the gradient of (a
    float, a NumPy scalar, a 0-d array of its own); a complex one of a real ``x``, or
    one of another shape, as it is."""
    kind = type(x)
    if kind is float:
        if type(gradient) is float or np.iscomplexobj(gradient) or np.ndim(gradient):
            return gradient
        return float(gradient)
    if kind is np.ndarray:
        if np.ndim(gradient) or np.iscomplexobj(gradient) and x.dtype.kind != "c":
            return gradient
        return np.array(gradient, dtype=x.dtype)
    if isinstance(x, np.generic) and type(gradient) is not kind:
        if np.ndim(gradient) or np.iscomplexobj(gradient) and x.dtype.kind != "c":
            return gradient
        return kind(gradient)
    return gradient


def argument_reader(fn: Callable[..., Any], name: str) -> Callable[[tuple, dict], Any]:
    """A function reading argument ``name`` of a call to ``fn`` (``MISSING`` if absent)."""
    names, positional = parameters(fn)
    position = names.index(name)
    defaults = default_values(fn)

    def read(args: tuple, kwargs: dict) -> Any:
        if position < positional and position < len(args):
            return args[position]
        return kwargs.get(name, defaults.get(name, MISSING))

    return read


_PURE_BUILTINS = frozenset([abs, float, min, max, pow, round])
_WRITES_FIRST = frozenset(["copyto", "put", "place", "putmask", "fill_diagonal"])


def plain_values(fn: Callable[..., Any]) -> frozenset:
    """See `zero_d_analysis`: the parameters a 0-d array may be read as a number of."""
    return zero_d_analysis(fn)[0]


def zero_d_analysis(fn: Callable[..., Any]) -> tuple[frozenset, frozenset]:
    """The parameters of ``fn`` that, were they 0-d arrays, could be generated for as
    numbers (`_plain_values`), and those that, were they 0-d arrays, grad cannot follow:
    updated in place (``x += k``, which keeps a 0-d array the caller's object) and also
    held by another name or container (``y = x``, ``[x]``, ``max(x, lo)``), through which
    the update changes what the other sees. The generated code computes the update as
    a new value (an ``np.float64``, no longer the array), so the sharing is lost."""
    return _plain_values(fn)


def _plain_values(fn: Callable[..., Any]) -> tuple[frozenset, frozenset]:
    """The parameters of ``fn`` that, were they 0-d arrays, could be generated for as
    numbers: ``fn`` only reads them as values (operands of arithmetic and comparisons,
    arguments of ufuncs, ``math`` functions and Python functions), so NumPy turns them
    into numbers at their first operation and nothing can change them in place. Any
    indexing, attribute, keyword (``out=x``), in-place operator (``x += 1``, also of a
    name bound to it, ``y = x``), or position where a function may write its result
    (``np.sin(y, x)``) keeps a parameter out."""
    import math
    import types as _types

    from .transform import source
    try:
        parsed = source.parse_function(fn)
    except Exception:  # no source: the transformation reports it
        return frozenset(), frozenset()
    node = parsed.node
    candidates = set(parameters(fn)[0])
    updated: set = set()  # names holding a parameter's array, updated in place
    escaped: set = set()  # names holding one, given to another name or a container

    def resolve(func: Any) -> Any:
        if isinstance(func, gast.Name):
            if func.id in parsed.locals:
                return None
            value = fn.__globals__.get(func.id, getattr(builtins, func.id, None))
            return value
        if isinstance(func, gast.Attribute):
            base = resolve(func.value)
            return getattr(base, func.attr, None) if base is not None else None
        return None

    def reading(call: Any, position: int) -> bool:
        callee = resolve(call.func)
        if callee is None:
            return False
        if isinstance(callee, np.ufunc):
            return position < callee.nin
        try:
            pure = callee in _PURE_BUILTINS
        except TypeError:  # an array of the module's under the name a nested def shadows
            return False
        if pure or getattr(callee, "__module__", None) == "math" or \
                isinstance(callee, type(math.sin)) and callee.__self__ is math:
            return True
        if isinstance(callee, _types.FunctionType):
            if (getattr(callee, "__module__", "") or "").startswith("numpy"):
                return position == 0 and callee.__name__ not in _WRITES_FIRST
            # a helper of yours: unless it writes into what it is given (p /= 2.0,
            # which NumPy makes in the caller's 0-d array, given back to it)
            from .transform.mutation import helper_writes_into
            return not helper_writes_into(callee)
        return False

    allowed: set = set()  # ids of the Name nodes in a reading position
    copies: list = []  # (target, value) of y = x and of x, v = x0, v0: aliases
    for n in walk(node):
        if isinstance(n, gast.BinOp):
            allowed.update((id(n.left), id(n.right)))
        elif isinstance(n, gast.UnaryOp):
            allowed.add(id(n.operand))
        elif isinstance(n, gast.Compare):
            allowed.update(id(v) for v in [n.left] + n.comparators)
        elif isinstance(n, (gast.If, gast.While, gast.IfExp)):
            allowed.add(id(n.test))
        elif isinstance(n, gast.AugAssign):
            allowed.add(id(n.value))
        elif isinstance(n, gast.Call):
            allowed.update(id(a) for k, a in enumerate(n.args) if reading(n, k))
        elif isinstance(n, (gast.Return, gast.Assign)) and n.value is not None:
            values = n.value.elts if isinstance(n.value, gast.Tuple) else [n.value]
            allowed.update(id(v) for v in values)
            if isinstance(n, gast.Assign):
                for target in n.targets:
                    if isinstance(target, gast.Tuple) and len(target.elts) == len(values):
                        copies += zip(target.elts, values)
                    elif not isinstance(target, gast.Tuple) and len(values) == 1:
                        copies.append((target, values[0]))
    def named(value: Any) -> list:
        """The names whose array ``value`` may be itself: ``x``, and each argument of
        ``max(x, lo)`` (which returns the larger argument, not a copy of it)."""
        if isinstance(value, gast.Name):
            return [value.id]
        if isinstance(value, gast.Call) and resolve(value.func) in (max, min):
            return [n for a in value.args for n in named(a)]
        return []

    # Names that may hold a parameter's array, and which parameters.
    holds = {name: {name} for name in candidates}
    changed = True
    while changed:
        changed = False
        for target, value in copies:
            if not isinstance(target, gast.Name):
                continue
            for name in named(value):
                if name in holds and not holds[name] <= holds.get(target.id, set()):
                    holds.setdefault(target.id, set()).update(holds[name])
                    changed = True
    for target, value in copies:  # y = x: x's array escapes to another name
        if isinstance(target, gast.Name):
            escaped.update(n for n in named(value) if n in holds and n != target.id)
    for stmt in node.body:
        for n in walk(stmt):
            if isinstance(n, gast.AugAssign) and isinstance(n.target, gast.Name) and \
                    n.target.id in holds:
                candidates -= holds[n.target.id]  # x += 1 changes a 0-d array in place
                updated.add(n.target.id)
            elif isinstance(n, gast.Name) and n.id in holds and \
                    isinstance(n.ctx, gast.Load) and id(n) not in allowed:
                candidates -= holds[n.id]
                escaped.add(n.id)
            elif isinstance(n, gast.Name) and n.id in candidates and \
                    isinstance(n.ctx, gast.Param):
                candidates.discard(n.id)  # a nested parameter of the same name
    # A name updated in place that also escapes (x += k, then y = x): grad's update
    # made it a number, so the later sharing through the other name is lost.
    risky = set().union(*(holds[n] for n in updated & escaped))
    return frozenset(candidates), frozenset(risky)


def positional_completer(fn: Callable[..., Any]) -> Callable[[tuple, dict], Optional[tuple]]:
    """A function giving a call's arguments as one tuple of positional arguments, the
    defaults left out and the keywords naming positional parameters filled in (``f(x)``,
    ``f(x, scale=2.0)`` as ``f(x, 1.0, 2.0)``), or None where the call needs its
    keywords (a keyword-only parameter, ``dout``, or a missing argument). The defaults
    are read at each call, as Python reads them."""
    names, positional = parameters(fn)

    def complete(args: tuple, kwargs: dict) -> Optional[tuple]:
        given = len(args)
        if given >= positional:
            return None if kwargs else args
        defaults = fn.__defaults__ or ()
        first_default = positional - len(defaults)
        if not kwargs:
            return args + defaults[given - first_default:] if given >= first_default else None
        filled = []
        used = 0
        for k in range(given, positional):
            name = names[k]
            if name in kwargs:
                filled.append(kwargs[name])
                used += 1
            elif k >= first_default:
                filled.append(defaults[k - first_default])
            else:
                return None
        return args + tuple(filled) if used == len(kwargs) else None

    return complete


MISSING = object()
