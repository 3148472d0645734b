"""In-place operations on tensors and their views: ``x += y``, ``x[i] = v``, ``x[1:] *= 2``.

As in MyGrad, an in-place operation is recorded as a new value: the tensor
object the user holds takes the updated value and a graph node computing it,
while the operations that read the old value keep reading it, from a
placeholder (`Tensor._retire`: its version moves on, and `backprop._resolve`
finds the placeholder of the version an operation read). Views (``x[1:]``,
``x.T``, ``x.reshape(...)``: results sharing the memory of a tensor) are
recorded with the operation that made them; an update through a view writes
the view's new value into a copy of its base (`unview`), and every live view
of that base is made again from the new base, in value and in the graph.

Under ``no_autodiff`` nothing is recorded, and the update writes into the
array itself, as NumPy does (the optimiser loop ``p -= lr * p.grad``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..rules import registry, runtime
from . import backprop

__all__ = ["inplace", "unview"]


def _replay(array: Any, path: list) -> Any:
    for primitive, rest, kwargs in path:
        array = primitive(array, *rest, **kwargs)
    return array


def unview(base: Any, view: Any, path: list) -> np.ndarray:
    """A copy of ``base`` whose region ``path`` (view operations from the base) holds ``view``."""
    out = np.copy(base, order="K")
    region = _replay(out, path)
    if not np.shares_memory(region, out):
        raise ValueError("the view's region of its base could not be located in a copy of "
                         "the base; update the base itself")
    region[...] = view
    return out


def _zero_region(g: Any, path: list) -> np.ndarray:
    out = np.copy(g, order="K")
    _replay(out, path)[...] = 0
    return out


def _region(g: Any, path: list) -> np.ndarray:
    return np.array(_replay(g, path), copy=True)


@registry.defvjp(unview)
def unview_vjp(g, ans, base, view, path):
    return _zero_region(g, path), _region(g, path)


def _path(target: Any) -> list:
    """The view operations from ``target``'s base to ``target``."""
    path = []
    while target._view is not None:
        parent, primitive, rest, kwargs = target._view
        path.append((primitive, rest, kwargs))
        target = parent
    return path[::-1]


def inplace(target: Any, primitive: Any, value: Any, index: Any = None) -> None:
    """``target op= value`` (``primitive`` a NumPy ufunc) or ``target[index] = value``
    (``primitive`` is `runtime.setitem`), written into ``target`` and its base."""
    raw = backprop.unwrap(value)
    if primitive is runtime.setitem:
        raw_index = backprop.unwrap(index)
    if not backprop.is_recording():
        if primitive is runtime.setitem:
            if isinstance(raw, np.ndarray) and np.may_share_memory(raw, target._data):
                # NumPy's fancy and mask assignment may read a value it already
                # overwrote; the recorded path reads the values before the update.
                raw = raw.copy()
            target._data[raw_index] = raw
        else:
            primitive(target._data, raw, out=target._data)
        return
    base = target._base if target._base is not None else target
    path = _path(target) if target is not base else []
    # The new values first, with NumPy's own checks (shape, casting, read-only
    # regions), so that an error leaves the graph as it was.
    scratch = target._data.copy()
    if primitive is runtime.setitem:
        scratch[raw_index] = raw
    else:
        primitive(scratch, raw, out=scratch)
    if path:
        unview(base._data, scratch, path)
    target._grad = None
    family = base._family()
    placeholders = {id(member): member._retire() for member in family}

    def before(operand: Any) -> Any:
        return placeholders.get(id(operand), operand)

    old = placeholders[id(target)]
    constant = old._constant
    if primitive is runtime.setitem:
        mutant = backprop.apply(type(target), runtime.setitem,
                                (old, raw_index, before(value)), {}, constant)
    else:
        mutant = backprop.apply(type(target), primitive, (old, before(value)), {}, constant)
        if mutant._data.dtype != old._data.dtype:
            mutant = backprop.apply(type(target), runtime.astype,
                                    (mutant, old._data.dtype), {}, constant)
    if path:
        old_base = placeholders[id(base)]
        mutant = backprop.apply(type(target), unview, (old_base, mutant, path), {},
                                old_base._constant)
    base._become(mutant)
    for member in family[1:]:
        parent, view_primitive, rest, kwargs = member._view
        replayed = backprop.apply(type(target), view_primitive, (parent, *rest), kwargs,
                                  placeholders[id(member)]._constant)
        member._become(replayed)


def setitem(target: Any, index: Any, value: Any) -> None:
    """``target[index] = value``."""
    inplace(target, runtime.setitem, value, index)

