"""The seed of the backward sweep, zero adjoints, and summing a broadcast adjoint
back to an operand's shape.
"""

from __future__ import annotations

import collections
import sys
import types
import weakref
from typing import Any

import numpy as np

from ...errors import InPlaceUpdateError

__all__ = ["not_an_array", "item_alone", "a_dict", "not_the_default", "shape_of", "dtype_of",
           "zeros_like", "zero_item",
           "is_zero", "seed",
           "unbroadcast", "alone", "floating", "tangent_as_gradient", "zip_length"]


def shape_of(x: Any) -> tuple[int, ...]:
    # Python numbers have no .shape and are scalars; np.shape would be slower.
    shape = getattr(x, "shape", None)
    if shape is not None:
        return shape
    return () if isinstance(x, (int, float)) else np.shape(x)


def dtype_of(x: Any) -> Any:
    return x.dtype if hasattr(x, "dtype") else np.result_type(x)


def zeros_like(x: Any) -> Any:
    """The zero gradient for ``x``: ``0.0`` for a number, a list for a list, else an array.

    The items of a list, tuple or dict get `zero_items`: a read-only view of one zero
    that costs no memory, which `add` skips (a list of layers' zero gradients would
    otherwise be allocated and added, as large as the parameters).
    """
    if type(x) is float or type(x) is int:
        return 0.0
    if type(x) is list or type(x) is tuple or isinstance(x, (list, tuple)):
        return [zero_item(e) for e in x]
    if isinstance(x, collections.defaultdict) and x.default_factory is not None:
        # (tot = defaultdict(float); tot[k] += v: a key first read is made with the
        # factory's value, a constant, whose zero the tangent's missing key gets)
        factory = x.default_factory
        return collections.defaultdict(lambda: zeros_like(factory()),
                                       {k: zero_item(v) for k, v in x.items()})
    if isinstance(x, dict):
        return {k: zero_item(v) for k, v in x.items()}
    if isinstance(x, np.generic):  # np.float64(0.0), not a 0-d array: += stays cheap
        return x.dtype.type(0)
    if not isinstance(x, np.ndarray) and hasattr(x, "__dict__") and \
            not isinstance(x, (type, types.ModuleType, types.FunctionType)):
        return ZeroObject(x)  # an object of the user's (opt, a layer): zero fields
    return np.zeros_like(x)


class ZeroObject:
    """The zero tangent of an object holding values as attributes (``opt`` given to a
    helper run again by forward mode over grad): each field it is read for is the zero
    of that field of the object (0.0, zeros of an array's shape, a list of zeros)."""

    __slots__ = ("_of",)

    def __init__(self, of: Any) -> None:
        object.__setattr__(self, "_of", of)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return zeros_like(getattr(self._of, name))

    def __repr__(self) -> str:
        return f"ZeroObject({type(self._of).__name__})"


_ZERO_OF: dict = {}
# One read-only view per (dtype, shape): np.broadcast_to costs ~7 us, and the adjoint
# of a list of layers' parameters makes several per call. Views cost no memory; the
# cache is cleared when it grows past a bound (shapes seen by a long session).
_ZERO_VIEWS: dict = {}
_ZERO_OF_SCALAR_TYPE: dict = {}  # NumPy's scalar type -> its zero view (a few at most)


def zero_item(x: Any) -> Any:
    """A zero adjoint for an item of a container: nested containers of such, ``0.0`` for
    a number, and for an array a read-only broadcast of a shared 0-d zero (`is_zero`)."""
    kind = type(x)
    if kind is float or kind is int:
        return 0.0
    view = _ZERO_OF_SCALAR_TYPE.get(kind)  # (np.float64 items of a list: the common case)
    if view is not None:
        return view
    if kind is list or kind is tuple or isinstance(x, (list, tuple, dict)):
        return zeros_like(x)
    if kind is np.ndarray:
        key = (x.dtype, x.shape)
        view = _ZERO_VIEWS.get(key)
        if view is not None:
            return view
    dtype = np.result_type(getattr(x, "dtype", np.float64), np.float32)
    shape = shape_of(x)
    view = _ZERO_VIEWS.get((dtype, shape))
    if view is None:
        zero = _ZERO_OF.get(dtype)
        if zero is None:
            zero = _ZERO_OF[dtype] = np.zeros((), dtype=dtype)
        if len(_ZERO_VIEWS) > 4096:
            _ZERO_VIEWS.clear()
        view = _ZERO_VIEWS[(dtype, shape)] = np.broadcast_to(zero, shape)
    if kind is np.ndarray:
        _ZERO_VIEWS[key] = view  # an integer array's zero adjoint is a float one
    elif isinstance(x, np.generic):
        _ZERO_OF_SCALAR_TYPE[kind] = view
    return view


def is_zero(x: Any) -> bool:
    """Whether ``x`` is a `zero_item` (known zero without reading it)."""
    return type(x) is np.ndarray and x.base is not None and x.base is _ZERO_OF.get(x.dtype)


def tangent_as_gradient(out: Any, tangent: Any, dout: Any = None) -> Any:
    """The gradient with respect to one number from the output's tangent along 1
    (grad by forward mode): ``sum(dout * tangent)``, ``dout`` ones by default and
    checked as grad's seed is. An output of several values (a list or tuple) weighs
    each as grad does: the sum of their gradients."""
    if type(out) is list or type(out) is tuple:
        seeds = [None] * len(out) if dout is None else list(dout)
        if len(seeds) != len(out):
            raise ValueError(f"dout has {len(seeds)} parts but the output has "
                             f"{len(out)}; pass one seed per output")
        parts = [tangent_as_gradient(o, t, d) for o, t, d in zip(out, tangent, seeds)]
        total = parts[0] if parts else 0.0
        for part in parts[1:]:
            total = total + part
        return total
    if dout is None:
        kind = type(out)
        if kind is float:
            return tangent
        if isinstance(out, np.generic) and out.dtype.kind != "b":
            return tangent
        if kind is np.ndarray and out.dtype.kind != "b":
            return np.sum(tangent) if isinstance(tangent, np.ndarray) \
                else tangent * out.size
    _not_a_bool(out)  # (a comparison's: refused, as grad refuses it; seed refuses a str)
    weight = seed(dout, out)
    if isinstance(weight, np.ndarray) and weight.ndim or \
            isinstance(tangent, np.ndarray) and tangent.ndim:
        return np.sum(weight * tangent)
    return weight * tangent


def without_gradient(dout: Any, out: Any) -> None:
    """Check, where the output does not depend on the arguments differentiated, that it
    is a number or an array of numbers (not a str, not a comparison's bool) and that
    ``dout`` fits it."""
    _not_a_bool(out)
    if out is None or isinstance(out, (str, bytes)):
        raise TypeError(f"the function returned {type(out).__name__}; grad needs a single "
                        "float scalar or array output")
    seed(dout, out)


def _not_a_bool(out: Any) -> None:
    if isinstance(out, (bool, np.bool_)) or \
            isinstance(out, np.ndarray) and out.dtype.kind == "b":
        raise TypeError("the function returned a bool (a comparison?), whose gradient is "
                        "zero everywhere; return the number compared instead")


def seed(dout: Any, out: Any = 0.0) -> Any:
    """The seed of the backward sweep: ones shaped like ``out``, or ``dout`` checked.

    A non-scalar output is seeded with ones, which gives the gradient of
    ``sum(out)``, as MyGrad's ``backward()`` does. Without ``out`` the output is
    known to be a scalar.
    """
    kind = type(dout)
    if (kind is float or kind is np.float64) and kind is type(out):
        return dout  # a helper's number seeded with one of its type (as below, at once)
    if type(out) is list or type(out) is tuple or isinstance(out, (list, tuple)):
        # a helper returning several values (a list of namedtuples among them)
        seeds = [None] * len(out) if dout is None else list(dout)
        return [seed(d, o) for d, o in zip(seeds, out)]
    if dout is None:
        kind = type(out)
        if kind is float or kind is int:
            return 1.0
        if isinstance(out, np.generic):
            return out.dtype.type(1)
        if isinstance(out, np.ndarray):
            return np.ones_like(out)
        raise TypeError(
            f"the function returned {kind.__name__}; grad needs a single "
            "float scalar or array output"
        )
    if isinstance(dout, (str, bytes)) or isinstance(
            dout, (np.ndarray, np.generic)) and dout.dtype.kind in "SUV":
        raise TypeError(f"dout, the seed, is a number or an array of numbers shaped like "
                        f"the output; got {type(dout).__name__}"
                        + (f" of dtype {dout.dtype}" if hasattr(dout, "dtype") else ""))
    if (type(dout) is complex or np.iscomplexobj(dout)) and not np.iscomplexobj(out):
        raise TypeError("dout, the seed, is complex but the output is real: pass a real "
                        "seed (the gradient has the dtype of the argument)")
    if isinstance(out, dict) and not isinstance(dout, dict):
        raise TypeError(f"the output is a dict (keys {', '.join(map(repr, out))}): pass dout "
                        f"as a dict of seeds with its keys, not a {type(dout).__name__}")
    if type(dout) is list or type(dout) is tuple:  # a seed written as a list: its array
        floating = isinstance(out, (np.generic, np.ndarray)) and out.dtype.kind == "f"
        dout = np.array(dout, dtype=out.dtype if floating else float)
    elif (type(dout) is float or type(dout) is int) and isinstance(
            out, (np.generic, np.ndarray)) and out.ndim == 0 and out.dtype.kind == "f":
        # a number seeding a NumPy scalar or 0-d array (buf * 2.0 of a 0-d buf, or E
        # itself after E[...] += v): one of its type, as the default seed is, which the
        # adjoint of buf[...] = v can index
        dout = out.dtype.type(dout)
    out_shape = shape_of(out)
    seed_shape = shape_of(dout)
    if seed_shape != out_shape:
        try:
            broadcast = np.broadcast_shapes(seed_shape, out_shape) == out_shape
        except ValueError:
            broadcast = False
        if not broadcast:
            raise ValueError(
                f"dout has shape {seed_shape} but the output has shape {out_shape}; "
                "pass a seed of the output's shape (or one that broadcasts to it)"
            )
        return np.broadcast_to(dout, out_shape).astype(dtype_of(out))
    if not out_shape and isinstance(dout, (np.floating, np.ndarray)) and \
            dout.dtype.kind == "f":
        # A scalar seed multiplies adjoints directly (the seed of a full sum is not
        # broadcast first): given the output's precision, or none as a Python float,
        # it keeps float32 gradients float32.
        kind = dtype_of(out) if isinstance(out, (np.generic, np.ndarray)) else None
        return kind.type(dout) if kind is not None and kind.kind == "f" else float(dout)
    if isinstance(dout, np.ndarray):
        # The caller's array: a gradient equal to the seed must not be a view of it,
        # and accumulating in place must not change it.
        return dout.copy()
    return dout


_SCALARS = (float, np.float64)


def unbroadcast(g: Any, x: Any) -> Any:
    """Sum ``g`` over the axes along which ``x`` was broadcast, giving ``x``'s shape.

    ``x`` may be the value or its shape (a tuple), as loops keep for each iteration.
    """
    if type(g) is np.ndarray:  # the common case first: nothing to sum
        kind = type(x)
        if kind is np.ndarray:
            if g.shape == x.shape:
                return g
        elif kind is tuple and g.shape == x and (not x or type(x[0]) is int):
            return g
    if type(g) in _SCALARS and (type(x) in _SCALARS or (type(x) is tuple and not x)):
        return g
    if isinstance(g, (list, tuple)) and isinstance(x, np.ndarray):
        # (a list's adjoint for an array: p[:] = v with p a list, whose items are v's)
        as_array = np.asarray(g)
        g = as_array if as_array.dtype != object else g
    if isinstance(g, (list, tuple, dict)):
        return g  # a container's adjoint (params[0] = (W, b)): item by item, as it is
    if type(x) is tuple and x and not isinstance(x[0], (int, np.integer)):
        x = np.asarray(x)  # a tuple of numbers written as one value, not a shape
    shape = x if type(x) is tuple else shape_of(x)
    g_shape = shape_of(g)
    if g_shape == shape:
        if not shape and type(g) is np.ndarray and type(x) is not tuple \
                and not isinstance(x, np.ndarray):
            return g[()]  # a float's gradient is a float (np.float64), not a 0-d array
        return g
    extra = len(g_shape) - len(shape)
    if extra < 0:
        if all(n == 1 for n in shape[:-extra]):
            # x has leading axes of length 1 that its use dropped (y[0] = w with w of
            # shape (1, 1) into a row): summed as x without them, then given them back
            return np.reshape(unbroadcast(g, tuple(shape[-extra:])), shape)
        # g was computed from a broadcast of lower rank (e.g. a scalar seed).
        return np.broadcast_to(g, shape).copy()
    axes = tuple(range(extra)) + tuple(
        i + extra for i, n in enumerate(shape) if n == 1 and g_shape[i + extra] != 1
    )
    if axes:
        g = np.sum(g, axis=axes, keepdims=True)
    if extra:
        g = g.reshape(g.shape[extra:])
    if shape_of(g) != shape:
        g = np.broadcast_to(g, shape).copy()
    if not shape and type(x) is not tuple and not isinstance(x, np.ndarray):
        return g[()]
    return g


def zip_length(*sequences: Any) -> int:
    """The common length of ``sequences`` for ``zip(..., strict=True)``, which raises
    Python's ValueError where they differ."""
    lengths = [len(s) for s in sequences]
    for k, n in enumerate(lengths[1:], 2):
        if n != lengths[0]:
            raise ValueError(f"zip() argument {k} is {'shorter' if n < lengths[0] else 'longer'}"
                             " than argument 1")
    return lengths[0]


def floating(x: Any, where: str) -> None:
    """Raise unless ``x``, which a value carrying gradient is stored into, is not an
    integer or bool array (the store would truncate the value: a derivative of zero)."""
    if type(x) is np.ndarray and x.dtype.kind in "biu":
        raise TypeError(
            f"{where}: a value carrying gradient is stored into an array of dtype "
            f"{x.dtype}, which truncates it (its derivative through the array is zero, "
            "which grad does not follow). Make the array floating point (np.zeros(n), "
            ".astype(float)), or store a constant (int(v), v.astype(int)) if the "
            "truncation is meant")


def _holds_no_gradient(index: Any) -> bool:
    """Whether ``index`` is made of integers, bools, text, slices of them, ``None`` and
    ``...``: values whose derivative is zero wherever they are defined."""
    if index is None or index is Ellipsis or isinstance(
            index, (bool, int, str, bytes, np.integer, np.bool_)):
        return True
    if isinstance(index, slice):
        return all(_holds_no_gradient(p) for p in (index.start, index.stop, index.step))
    if isinstance(index, np.ndarray):
        return index.dtype.kind in "biu"
    if isinstance(index, (tuple, list)):
        return all(_holds_no_gradient(p) for p in index)
    return False


def integer_index(index: Any, where: str, what: str = "an index", of: Any = None) -> Any:
    """``index`` itself where it holds integers, bools or text only (an integer position
    a helper returned beside a value, a key; ``what``: another argument without
    gradient, an axis): its derivative is zero, so the item's gradient goes to the
    indexed value alone. Any other (a float, an object whose class reads it) is
    refused: its derivative through the subscript (or call) is not followed. A key of
    the dict ``of`` it indexes passes whatever it is (a float key: a lookup's value does
    not move with the key)."""
    if not _holds_no_gradient(index) and not isinstance(of, dict):
        kind = f"an array of dtype {index.dtype}" if isinstance(index, np.ndarray) else \
            f"a {type(index).__name__}"
        through = "a subscript through its index" if what == "an index" else \
            "the call through it"
        raise TypeError(f"{where}: {what}, computed from a differentiated value, holds "
                        f"{kind}; grad follows such values of integers, bools and text only "
                        f"(their derivative is zero), not the derivative of {through}. "
                        "Compute it from constants, or make it an integer (int(k), "
                        "k.astype(int))")
    return index


def item_alone(container: Any, key: Any, where: str) -> None:
    """Raise if ``container[key]`` is an array that ``container`` also holds under
    another key or position (``[A, A]``): NumPy's update of the item in place changes
    the other one too, while grad updates the item as a new array."""
    item = container[key]
    if not isinstance(item, np.ndarray):
        return
    others = container.items() if isinstance(container, dict) else enumerate(container)
    position = key if isinstance(container, dict) or key >= 0 else len(container) + key
    # (or a view of its memory: {'m': buf[:3], 'buf': buf}, [A, A[0]])
    if any(k != position and (value is item or type(value) is np.ndarray and
                              np.may_share_memory(value, item)) for k, value in others):
        raise InPlaceUpdateError(where)


def not_an_array(x: Any, where: str) -> None:
    """Raise if ``x`` is an array: the function it is passed to writes into that
    parameter in place (``a *= 2.0``), which NumPy makes in ``x``'s array, read again
    after the call; a number is rebound, as in Python (``where`` says the rest)."""
    if isinstance(x, np.ndarray):
        raise InPlaceUpdateError(where)


def given_by_rule(adjoint: Any, rule: str, param: str) -> Any:
    """``adjoint``, the one your derivative rule ``rule`` returned for its input
    ``param``, which carries a gradient here: refused where it is None (a gradient
    silently left out)."""
    if adjoint is None:
        raise TypeError(f"the derivative rule {rule} returns None for its input {param}, "
                        f"which carries a gradient here: return {param}'s adjoint (zeros "
                        "where the result does not depend on it)")
    return adjoint


def unpacking(values: Any, count: int, starred: bool = False) -> None:
    """Raise as Python does where ``a, b = values`` cannot bind ``count`` names (the
    generated code reads ``values[0]``, ``values[1]``, which would not); with
    ``starred`` (``a, *rest, b = values``), ``count`` names one of which takes the rest."""
    try:
        n = len(values)
    except TypeError:
        raise TypeError(f"cannot unpack non-iterable {type(values).__name__} object") \
            from None
    if starred:
        if n < count - 1:
            raise ValueError(f"not enough values to unpack (expected at least {count - 1}, "
                             f"got {n})")
        return
    if n > count:
        raise ValueError(f"too many values to unpack (expected {count})")
    if n < count:
        raise ValueError(f"not enough values to unpack (expected {count}, got {n})")


def not_the_default(x: Any, default: Any, where: str) -> None:
    """Raise if ``x`` is its parameter's default array, which the function writes into:
    NumPy's write would change it for every later call, grad's copy would not."""
    if x is default:
        raise InPlaceUpdateError(where)


def not_a_container(x: Any, where: str) -> None:
    """Raise if ``x``, an item of an argument that a store writes into (``wb =
    params[0]; wb[0] = v``), is a list or dict: grad's store makes a new one, which the
    caller's (holding the old) would not see. An array's store is on a new array, as
    for every argument (``where`` says the rest)."""
    if isinstance(x, (list, dict)):
        raise InPlaceUpdateError(where)


def a_dict(x: Any, where: str) -> None:
    """Raise unless ``x`` is a dict: ``x.update(n=v)``, followed as the stores a dict's
    update makes (``x['n'] = v``), would be another method of another object."""
    if not isinstance(x, dict):
        raise TypeError(f"{where}: .update() is followed as a dict's (an item set for "
                        f"each key); this holds a {type(x).__name__}: compute the update "
                        "outside the function, or set the items one by one")


_NO_INDEX = object()


def _basic_index(index: Any) -> bool:
    """Whether ``x[index]`` is basic indexing (a view): ints, slices, ``...``, None."""
    parts = index if type(index) is tuple else (index,)
    return all(isinstance(p, (int, np.integer, slice)) or p is Ellipsis or p is None
               for p in parts) and not any(isinstance(p, bool) for p in parts)


#: For an array `indexing.setitem` made as the new value of another (``traj[t] = v`` as
#: a copy with the store), by id: a weak reference to it and the id of the first array
#: of that line (its lineage). Views taken of an earlier version, NumPy's same array,
#: are then told apart from views of unrelated arrays (`alone`).
_LINEAGE: dict = {}


def note_new_version(new: np.ndarray, old: Any) -> None:
    """Record that ``new`` is the array ``old`` becomes after a store grad made on a
    copy (`indexing.setitem`)."""
    root = _root(old) if isinstance(old, np.ndarray) else None
    if root is None:
        return
    entry = _LINEAGE.get(id(root))
    lineage = entry[1] if entry is not None and entry[0]() is root else id(root)
    key = id(new)
    _LINEAGE[key] = (weakref.ref(new, lambda _, key=key: _LINEAGE.pop(key, None)), lineage)


def _lineage(array: np.ndarray) -> Any:
    entry = _LINEAGE.get(id(array))
    return entry[1] if entry is not None and entry[0]() is array else id(array)


def _root(array: np.ndarray) -> np.ndarray:
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def _earlier_version_viewed(here: np.ndarray, lineage: Any, pick: Any,
                            other: np.ndarray) -> bool:
    """Whether ``other`` views the region ``[pick]`` (None: all) of an earlier version
    of the array ``here`` of lineage ``lineage`` (one grad replaced by a new array at a
    store, which in NumPy is ``here`` itself)."""
    root = other.base
    if type(root) is not np.ndarray:
        return False
    while type(root.base) is np.ndarray:
        root = root.base
    if root is here or root.shape != here.shape:
        return False
    entry = _LINEAGE.get(id(root))
    if (entry[1] if entry is not None and entry[0]() is root else id(root)) != lineage:
        return False  # (a version of another array)
    region = root if pick is None else root[pick]
    return np.may_share_memory(region, other) and np.shares_memory(region, other)


def _alone_before(x: Any, before: tuple, where: str, index: Any,
                  viewed: bool = False) -> None:
    """`alone`'s check of the names that view ``x``'s array from before an update."""
    if not isinstance(x, np.ndarray):
        return
    for other in before:
        if not isinstance(other, np.ndarray) or not isinstance(other.base, np.ndarray):
            continue  # a number or an array of its own: no update reaches it
        root = other.base
        while isinstance(root.base, np.ndarray):
            root = root.base
        if root.shape != x.shape or np.shares_memory(root, x):
            continue  # not a view of the array x was made from
        if not np.shares_memory(_written_region(root, index), other):
            continue
        raise InPlaceUpdateError(
            f"{where}: this in-place update writes, in NumPy, into an array another "
            "name read later holds: this name took a view of it before an earlier "
            "update of it, which grad made a new array, and cannot follow this one "
            "there. Update that array itself, or take the view after its updates"
            if viewed else
            f"{where}: this in-place update changes, in NumPy, an array that another "
            "name read later took from it before an earlier update; grad made that "
            "update a new array and cannot follow this one into the other name. Take "
            "the other name after the updates, or as a copy (.copy())")


def _written_region(x: np.ndarray, index: Any) -> np.ndarray:
    """The part of ``x`` that ``x[index] = v`` writes, as a view (0-d where the index
    picks one element); all of ``x`` for no index or one that is not basic."""
    if index is _NO_INDEX or not _basic_index(index):
        return x
    parts = index if isinstance(index, tuple) else (index,)
    # (a 0-d view where it picks one element; y[...] or y[..., 0] has its ellipsis)
    return x[parts if any(p is Ellipsis for p in parts) else (*parts, ...)]


def alone(x: Any, others: tuple, where: str, argument: bool = False,
          index: Any = _NO_INDEX, before: tuple = (), viewing: tuple = (),
          items: bool = False, copy_of: Any = None, appended_to: tuple = ()) -> None:
    """Raise unless the array ``x`` shares no memory with any of ``others`` (nor,
    with ``argument``, is an array at all: a helper's parameter is its caller's).
    With ``index``, the update writes ``x[index]`` alone: where that is basic
    indexing (ints, slices), only that region is checked, the rest of ``x``
    staying as the others see it.

    Generated code updates ``x`` as a new array (``x += v`` as ``x = x + v``); NumPy
    would write into the array, which the other names, read later, would see. The
    code checks this where the names alone cannot tell (``a = m[0, 1]`` is a number,
    ``a = m[0]`` a view).

    ``before`` are names that took a view of ``x`` before an earlier update that grad
    made a new array (``r = M[0]; M[1] = ...``, checked then where it wrote): ``r``
    still views the old array, NumPy's ``M``, so this update is checked against that
    one (the base ``r`` views, of ``x``'s shape), where NumPy would write.
    ``viewing`` are names whose arrays grad made new after ``x`` took a view of them
    (``v = u[1:]; u[0] = 1.0``): an update of ``x`` would, in NumPy, write into them.
    With ``items``, ``x`` a list or dict whose items' arrays the update writes into
    (a helper doing ``d['a'] += 1.0``): those arrays must share no memory with the others.
    ``copy_of``: the container ``x`` is an item of, a copy the helper made of one its
    caller gave (``S = S.copy()``): the caller's items where it is a list or dict, its
    own where it is an array (whose copy is a deep one). ``appended_to``: other
    arguments the function only appends to, which must not be ``x`` itself.
    """
    if argument and type(copy_of) is np.ndarray:
        argument = False
    _alone_before(x, before, where, index)
    for array in viewing:
        _alone_before(array, (x,), where, _NO_INDEX, viewed=True)
    if isinstance(x, (list, dict)):  # d['a'] = v changes every name for the same dict
        _alone_container(x, others, where)
        # (a list the function only appends to may hold x, log.append(state) of an
        # earlier call: both are written back at once; it must not be x itself)
        _alone_container(x, tuple(o for o in appended_to if o is x), where)
        if items:
            for array in _arrays_within(x):
                alone(array, others, where)
        return
    if not isinstance(x, np.ndarray):  # a number: += rebinds it in NumPy too
        return
    here = _root(x) if _LINEAGE else None
    lineage = _lineage(here) if here is not None else None
    pick = None
    if here is not None and index is not _NO_INDEX and _basic_index(index) and \
            here.shape == x.shape:
        parts = index if isinstance(index, tuple) else (index,)
        pick = parts if any(p is Ellipsis for p in parts) else (*parts, ...)
    elif here is not None and here.shape != x.shape:
        here = None  # (x a view: its earlier versions are not told apart here)
    x = _written_region(x, index)
    if argument:
        raise InPlaceUpdateError(
            f"{where}: this in-place update changes the array the caller passed (a "
            "list's or dict's copy, d.copy(), dict(d), list(l), holds the same arrays), "
            "which grad computes as a new array, so the caller would keep its old values. "
            "Update a copy of the array (.copy()), or write the update as a new value "
            "(x = x + ..., d['h'] = d['h'] + ...)")
    pending = list(others)
    while pending:
        other = pending.pop()
        if isinstance(other, (list, tuple)):
            pending += other
        elif isinstance(other, dict):
            pending += other.values()
        elif hasattr(other, "__dict__") and not isinstance(other, (type, types.ModuleType)) \
                and not callable(other):  # an object's arrays (w = m.W; w *= 2)
            pending += [v for v in vars(other).values()
                        if isinstance(v, (np.ndarray, list, tuple, dict))]
        elif isinstance(other, np.ndarray) and (np.shares_memory(x, other) or (
                here is not None and _earlier_version_viewed(here, lineage, pick, other))):
            # (rows.append(traj[t]) in a loop storing traj[t]: rows[1] views the array
            # traj was before grad's later stores, NumPy's one array: checked too)
            raise InPlaceUpdateError(
                f"{where}: this in-place update changes an array that another name, read "
                f"later, shares{_named(other, x)}; grad computes the update as a new array, "
                "so the other name would keep its old values. If the change is meant for "
                "this name alone, copy the array first (.copy()) or write the update as a "
                "new value (x = x + ...); if it is meant for the array this name views (a "
                "row of a table, cur = D[i]; cur[j] = v), index that array itself "
                "(D[i, j] = v)")


def _named(other: Any, x: Any) -> str:
    """`` (prev)``: the name the generated code running the check holds ``other`` by,
    where it has one of its own; else nothing. Read only when the check fails, for its
    message."""
    frame: Any = sys._getframe(1)
    while frame is not None and not frame.f_code.co_filename.startswith("<autograd_src"):
        frame = frame.f_back  # (the generated derivative running the check)
    if frame is None:
        return ""
    names = sorted((name for name, value in frame.f_locals.items()
                    if value is other and value is not x and not name.startswith("_")
                    and not name.endswith(("_stack", "_given", "_in"))), key=len)
    return f" ({names[0]})" if names else ""


def apart_from_what_adjoints_read(owner: Any, path: tuple, read: tuple, where: str,
                                  unread: bool = False) -> None:
    """Raise where the array at ``path`` from ``owner`` (``m, ("a",)`` for ``m.a``;
    ``self, ("params", [0])`` for ``self.params[0]``: attribute names, and items in a
    list of one) shares memory with an array the derivative of an earlier line reads
    (``read``: ``m_b = m.b`` read once, an argument ``w``), which NumPy's update in place
    is about to change: the derivative would see the new values (``m.a *= 2`` where
    ``m.a is m.b``, GH 01-06). The path is given rather than the array, so that code
    reading this check again (forward mode over it) reads no attribute. With
    ``unread``, ``owner`` among ``read`` is held by derivatives none of which reads the
    attribute ``path[0]`` written: its other attributes are compared (``self.n += 1``
    where ``self.m``, read, may be the same array)."""
    written = owner
    for step in path:
        written = written[step[0]] if type(step) is list else getattr(written, step)
    targets = [a for a in _arrays_reached(written) if a.size]
    if not targets:
        return
    if unread and hasattr(owner, "__dict__") and not hasattr(type(owner), "__slots__"):
        read = tuple(r for r in read if r is not owner) + tuple(
            value for name, value in vars(owner).items() if name != path[0])
    held = [a for a in _arrays_reached(read) if a.size]
    for array in targets:
        for other in held:
            if np.shares_memory(array, other):
                raise InPlaceUpdateError(
                    f"{where}: this in-place update changes an array the derivative of an "
                    "earlier line reads under another name (an attribute or argument "
                    "holding the same array); grad keeps a reference to it, not a copy, so "
                    "the derivative would see the new values. Update a copy (.copy()), or "
                    "make the change after the function differentiated")


def logged_apart(owner: Any, path: tuple, others: tuple, where: str) -> None:
    """Raise where the list at ``path`` from ``owner`` (the path as in
    `apart_from_what_adjoints_read`), into which the line ``where`` logged a number, is
    also what one of ``others`` reaches (``(root, path, shown)``: ``stats, (["b"],),
    "stats['b']"``), which the function reads: the number logged runs as written, a
    constant, so reading it back there would leave its dependence out of the gradient
    (``stats['a'] is stats['b']``, ``self.log is self.hist``; GO 01-04)."""
    logged = _reached(owner, path)
    if logged is None:
        return
    for root, steps, shown in others:
        if _reached(root, steps) is logged:
            raise InPlaceUpdateError(
                f"{where}: the number logged here is read back through {shown}, which "
                "holds the same list: grad logs it as a number without gradient, so the "
                "gradient would leave out what reading it back adds. Log into a list this "
                "function does not read, or compute the value it reads back here")


def _reached(owner: Any, path: tuple) -> Any:
    """What ``path`` reaches from ``owner`` (None where a step fails: an item not there
    yet)."""
    found = owner
    try:
        for step in path:
            found = found[step[0]] if type(step) is list else getattr(found, step)
    except (LookupError, AttributeError, TypeError):
        return None
    return found


def apart_from_what_a_method_writes(method: Any, read: tuple, where: str) -> None:
    """Raise where the method ``method`` (``opt.step``, bound to its object) writes in
    place into an attribute of its object whose array the derivative of an earlier line
    reads (``read``): ``opt.p is w``, read, then ``self.p *= 0.9`` (GH 07, GJ 01)."""
    function = getattr(method, "__func__", None)
    owner = getattr(method, "__self__", None)
    if function is None or owner is None or not read:
        return
    held = [a for a in _arrays_reached(read) if a.size]
    for name in _attributes_written_in_place(function):
        for array in _arrays_reached(getattr(owner, name, None)):
            if array.size and any(np.shares_memory(array, other) for other in held):
                raise InPlaceUpdateError(
                    f"{where}: this call's method writes in place into {name}, an "
                    "attribute of its object holding an array the derivative of an earlier "
                    "line reads under another name (the object was given that array); "
                    "grad keeps a reference to it, not a copy, so the derivative would see "
                    "the new values. Give the object a copy (.copy()), or make the call "
                    "after the function differentiated")


_WRITTEN_ATTRIBUTES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _attributes_written_in_place(function: Any) -> frozenset:
    """The attributes of its first parameter that ``function`` writes into in place
    (``self.p *= 0.9``, ``self.p[0] = v``, ``self.p.fill(0)``, ``out=self.p``); every
    attribute where its source cannot be read. Once per function."""
    code = getattr(function, "__code__", None)
    if code is None:
        return frozenset()
    known = _WRITTEN_ATTRIBUTES.get(code)
    if known is not None:
        return known
    import ast
    import inspect
    import textwrap
    try:
        node = ast.parse(textwrap.dedent(inspect.getsource(function))).body[0]
        first = node.args.args[0].arg if node.args.args else None
    except (OSError, TypeError, SyntaxError, IndexError, AttributeError):
        _WRITTEN_ATTRIBUTES[code] = frozenset()
        return frozenset()
    names: set = set()

    def attribute_of_first(expr: Any) -> Any:
        while isinstance(expr, ast.Subscript):
            expr = expr.value
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and \
                expr.value.id == first:
            return expr.attr
        return None

    for sub in ast.walk(node):
        if isinstance(sub, ast.AugAssign):
            names.add(attribute_of_first(sub.target))
        elif isinstance(sub, ast.Assign):
            names.update(attribute_of_first(t) for t in sub.targets
                         if isinstance(t, ast.Subscript))
        elif isinstance(sub, ast.Call):
            if isinstance(sub.func, ast.Attribute) and sub.func.attr in (
                    "fill", "sort", "put", "resize", "itemset", "partition", "setfield"):
                names.add(attribute_of_first(sub.func.value))
            names.update(attribute_of_first(k.value) for k in sub.keywords if k.arg == "out")
            if sub.args and isinstance(sub.func, ast.Attribute) and sub.func.attr == "copyto":
                names.add(attribute_of_first(sub.args[0]))
    names.discard(None)
    found = frozenset(names)
    _WRITTEN_ATTRIBUTES[code] = found
    return found


def no_array_within(container: Any, where: str) -> None:
    """Raise where ``container`` (a list, tuple or dict) holds an array: a helper updates
    its items in place, which for a shallow copy of an argument are the caller's
    arrays (``where`` says the rest); numbers are rebound, as in Python."""
    if _arrays_within(container):
        raise InPlaceUpdateError(where)


def refused(message: str) -> None:
    """Raise ``message``: a line grad refuses, reached (a callback left to its default
    None is refused where it is called, which a call leaving it out never reaches)."""
    raise TypeError(message)


def other_items(container: Any, index: Any) -> tuple:
    """The items of a list, tuple or dict other than ``container[index]`` (for a slice,
    those outside it): what an in-place update of that item must not share memory with."""
    if isinstance(container, dict):
        return tuple(v for k, v in container.items() if k != index)
    if not isinstance(container, (list, tuple)):
        return ()  # an array's rows: an update of one leaves the others
    n = len(container)
    chosen = set(range(*index.indices(n))) if isinstance(index, slice) else {int(index) % n}
    return tuple(v for k, v in enumerate(container) if k not in chosen)


def _filled(cell: Any) -> bool:
    try:
        _ = cell.cell_contents
    except ValueError:  # an empty cell
        return False
    return True


def _arrays_reached(x: Any, depth: int = 3) -> list:
    """``x`` itself where an array, else the arrays it holds, a few levels down: the
    items of lists, tuples and dicts and the attributes of objects (not of modules,
    classes or functions)."""
    found, level = [], [x]
    for _ in range(depth):
        inner: list = []
        for value in level:
            if isinstance(value, np.ndarray):
                found.append(value)
            elif isinstance(value, dict):
                inner += value.values()
            elif isinstance(value, (list, tuple)):
                inner += value
            elif hasattr(value, "__dict__") and not isinstance(
                    value, (type, types.ModuleType)) and not callable(value):
                inner += vars(value).values()
        level = inner
    return found + [v for v in level if isinstance(v, np.ndarray)]


def _arrays_within(x: Any, depth: int = 3) -> list:
    """The arrays a list, tuple or dict holds, a few levels down."""
    found, level = [], [x]
    for _ in range(depth):
        inner: list = []
        for value in level:
            held = value.values() if isinstance(value, dict) else \
                value if isinstance(value, (list, tuple)) else ()
            for item in held:
                if isinstance(item, np.ndarray):
                    found.append(item)
                elif isinstance(item, (list, tuple, dict)):
                    inner.append(item)
        level = inner
    return found


def _alone_container(x: Any, others: tuple, where: str) -> None:
    pending = list(others)
    while pending:
        other = pending.pop()
        if other is x:
            raise InPlaceUpdateError(
                f"{where}: this update changes a list or dict that another name, read "
                "later, refers to; grad computes the update on a new one, so the other "
                "name would keep the old items. Copy it first (list(...), dict(...)), or "
                "use one name for it")
        if isinstance(other, (list, tuple)):
            pending += [o for o in other if isinstance(o, (list, tuple, dict))]
        elif isinstance(other, dict):
            pending += [o for o in other.values() if isinstance(o, (list, tuple, dict))]
        elif callable(other):  # a closure made from it (g = make(ws)), a partial
            held = [cell.cell_contents for cell in getattr(other, "__closure__", None) or ()
                    if _filled(cell)]
            held += list(getattr(other, "args", ())) + list(
                (getattr(other, "keywords", None) or {}).values())
            pending += [o for o in held if o is x or isinstance(o, (list, tuple, dict))]
        elif hasattr(other, "__dict__") and not isinstance(other, (type, types.ModuleType)):
            # an object holding it (model.history is history)
            pending += [o for o in vars(other).values()
                        if o is x or isinstance(o, (list, tuple, dict))]
