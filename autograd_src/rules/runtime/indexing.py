"""Adjoints of indexing, joining and splitting, and assignment into arrays as a value.
"""

from __future__ import annotations

import copy
import math
import weakref
from typing import Any, Optional, Sequence

import numpy as np

from .containers import add
from .core import dtype_of, is_zero, note_new_version, shape_of, zero_item, zeros_like

__all__ = ["as_items", "unindex", "unreduceat", "unconcatenate", "unstack", "unhstack",
           "unvstack", "untile",
           "unrepeat", "untrace", "setitem", "zero_at", "written", "copied", "own_copy",
           "diagonal_fill_value",
           "add_at", "add_rows_into",
           "add_to_item", "add_into", "is_first", "written_back",
           "copied_through", "scattered"]


def _has_array_index(index: Any) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    for i in items:
        kind = type(i)
        if kind is int or kind is slice:  # (R[i, j] in a loop: the common case, at once)
            continue
        if isinstance(i, (list, np.ndarray)) and np.asarray(i).dtype != bool:
            return True
    return False


def unindex(g: Any, x: Any, index: Any) -> Any:
    """Gradient of ``x[index]``: ``g`` scattered into zeros; repeated entries add up."""
    if isinstance(x, (list, tuple, dict)):
        grads = zeros_like(x)
        if isinstance(index, slice):
            for k, piece in zip(range(*index.indices(len(x))), g):
                grads[k] = piece
        else:
            grads[index] = g
        return grads
    if type(x) is np.ndarray and x.dtype.names is not None:
        _not_structured(x, index)
    out = np.zeros(shape_of(x), dtype=dtype_of(g) if shape_of(x) else dtype_of(x))
    if _has_array_index(index):
        # (np.asarray: an object np.add.at cannot take, a tensor of the Tensor API,
        # says so itself, as out[index] = g does)
        np.add.at(out, index, g if isinstance(g, np.ndarray) else np.asarray(g))
    else:
        out[index] = g
    return out


def scattered(v: Any, x: Any, index: Any) -> Any:
    """What ``np.add.at(x, index, v)`` adds to ``x``: ``v`` (broadcast to ``x[index]``)
    scattered into zeros shaped like ``x``; repeated positions add up. grad writes that
    call as ``x += _ad.scattered(v, x, index)``."""
    out = np.zeros(np.shape(x), dtype=np.result_type(x, v))
    np.add.at(out, index, v)
    return out


def add_at(d: Any, index: Any, g: Any) -> Any:
    """``d + unindex(g, d, index)``, written into ``d`` (an array of the sweep's own)
    without a zero array as large as ``d``; repeated positions add up."""
    if type(d) is not np.ndarray:  # a number, or a list of adjoints (item by item)
        return add(d, unindex(g, d, index))
    if _has_array_index(index):
        np.add.at(d, index, g if isinstance(g, np.ndarray) else np.asarray(g))
    else:
        d[index] += g
    return d


def add_to_item(d: Any, x: Any, index: Any, g: Any) -> Any:
    """``add(d, unindex(g, x, index))``, a new value: for a list or dict of adjoints, a
    copy of ``d`` with ``g`` added at ``index`` alone, not a list of zeros as long as ``x``."""
    if _item_by_item(d, x, index):
        return _added_to_item(copy.copy(d), x, index, g)
    return add(d, unindex(g, x, index))


def add_into(d: Any, x: Any, index: Any, g: Any) -> Any:
    """`add_to_item`, written into ``d`` when it is a list or dict of the sweep's own
    (which the optimizer proves): O(1), not O(len(d)), per update in a loop."""
    if type(d) is list and type(index) is int and type(x) is list and len(d) == len(x):
        item = d[index]  # (the common case first: an item of a list of numbers)
        kind = type(g)
        if kind is float or kind is np.float64:
            before = type(item)
            if before is float or before is np.float64:
                d[index] = item + g
                return d
            if is_zero(item) and item.ndim == 0:  # (a list of np.float64's zero item)
                d[index] = g
                return d
        d[index] = add(item, g)
        return d
    if _item_by_item(d, x, index):
        return _added_to_item(d, x, index, g)
    if type(d) is np.ndarray and type(x) is np.ndarray and d.shape == x.shape and \
            d.flags.writeable and np.result_type(d, dtype_of(g)) == d.dtype:
        return add_at(d, index, g)  # (an array of the sweep's own: y[n] filled in a
        # loop adds at n, not through a zero array as long as y; HA 03)
    return add(d, unindex(g, x, index))


# Arrays add_rows_into made, which it alone holds: id -> weak reference (told apart from a
# new array at the same address by the reference).
_OWN_ROWS: dict = {}


def add_rows_into(d: Any, x: Any, key: Any, item: Any, index: Any, g: Any) -> Any:
    """``add_into(d, x, key, unindex(g, item, index))`` (``item`` is ``x[key]``, read by the
    primal: ``p['E'][tok]``) without a zero array as large as ``item`` per update: ``g``
    added at ``index`` of ``d[key]``, made once an array of its own."""
    if not (_item_by_item(d, x, key) and type(item) is np.ndarray and
            np.shape(d[key]) == item.shape):
        return add_into(d, x, key, unindex(g, item, index))
    slot = d[key]
    ref = _OWN_ROWS.get(id(slot))
    if ref is None or ref() is not slot:  # (a zero, or an array another name may hold)
        slot = np.array(slot, dtype=np.result_type(slot, g), copy=True)
        d[key] = slot
        address = id(slot)
        _OWN_ROWS[address] = weakref.ref(slot, lambda _: _OWN_ROWS.pop(address, None))
    add_at(slot, index, g)
    return d


def _item_by_item(d: Any, x: Any, index: Any) -> bool:
    """Whether ``add(d, unindex(g, x, index))`` changes only ``d[index]`` (or a slice's
    items): ``d`` a list as long as the list or tuple ``x``, or a dict of ``x``'s keys."""
    kind = type(d)
    if kind is list:
        return (type(x) is list or type(x) is tuple) and len(d) == len(x) and \
            (type(index) is int or type(index) is slice)
    # (len, not d.keys() == x.keys(): that is O(n) per item, a loop over a dict O(n^2);
    # an adjoint of x with as many keys, x's key among them, has x's keys)
    return kind is dict and type(x) is dict and index in d and index in x and \
        len(d) == len(x)


def _added_to_item(d: Any, x: Any, index: Any, g: Any) -> Any:
    if type(index) is slice:
        for k, piece in zip(range(*index.indices(len(x))), g):
            d[k] = add(d[k], piece)
    else:
        d[index] = add(d[index], g)
    return d


def as_items(grads: tuple, arrays: Any) -> Any:
    """The gradients of a sequence input: a tuple for a list of arrays, an array for one
    array, whose rows NumPy read as the items (``np.vstack(x)``)."""
    return np.stack(grads) if isinstance(arrays, np.ndarray) else grads


def unconcatenate(g: Any, arrays: Sequence[Any], axis: Any = 0) -> tuple[Any, ...]:
    """Gradients of ``concatenate(arrays, axis)``: ``g`` split back into the pieces."""
    if axis is None:
        sizes = [np.size(a) for a in arrays]
        pieces = np.split(g, np.cumsum(sizes)[:-1])
        return as_items(tuple(p.reshape(shape_of(a)) for p, a in zip(pieces, arrays)), arrays)
    sizes = [shape_of(a)[axis] for a in arrays]
    return as_items(tuple(np.split(g, np.cumsum(sizes)[:-1], axis=axis)), arrays)


def unstack(g: Any, arrays: Sequence[Any], axis: int = 0) -> tuple[Any, ...]:
    """Gradients of ``stack(arrays, axis)``."""
    return as_items(tuple(np.take(g, i, axis=axis) for i in range(len(arrays))), arrays)


def unhstack(g: Any, arrays: Sequence[Any]) -> tuple[Any, ...]:
    """Gradients of ``hstack(arrays)``."""
    # NumPy joins along axis 0 when the first array is at most 1-D, else along axis 1.
    pieces = unconcatenate(g, [np.atleast_1d(a) for a in arrays],
                           0 if np.ndim(arrays[0]) <= 1 else 1)
    return as_items(tuple(p.reshape(shape_of(a)) for p, a in zip(pieces, arrays)), arrays)


def unvstack(g: Any, arrays: Sequence[Any]) -> tuple[Any, ...]:
    """Gradients of ``vstack(arrays)``."""
    pieces = unconcatenate(g, [np.atleast_2d(a) for a in arrays], 0)
    return as_items(tuple(p.reshape(shape_of(a)) for p, a in zip(pieces, arrays)), arrays)


def untile(g: Any, x: Any, reps: Any) -> Any:
    """Gradient of ``tile(x, reps)``: sum over the copies."""
    shape = shape_of(x)
    reps = (reps,) if np.ndim(reps) == 0 else tuple(reps)
    ndim = max(len(shape), len(reps))
    shape_full = (1,) * (ndim - len(shape)) + tuple(shape)
    reps_full = (1,) * (ndim - len(reps)) + reps
    interleaved = [n for pair in zip(reps_full, shape_full) for n in pair]
    summed = np.reshape(g, interleaved).sum(axis=tuple(range(0, 2 * ndim, 2)))
    return summed.reshape(shape)


def unrepeat(g: Any, x: Any, repeats: Any, axis: Any = None) -> Any:
    """Gradient of ``repeat(x, repeats, axis)``: sum over each block of copies."""
    shape = shape_of(x)
    if axis is None or not shape:  # (a 0-d x repeats as a 1-d one, whatever the axis)
        flat_len = math.prod(shape)
        owners = np.repeat(np.arange(flat_len), repeats)
        return np.bincount(owners, weights=np.ravel(g), minlength=flat_len).astype(
            dtype_of(g), copy=False).reshape(shape)
    axis = axis % len(shape)
    owners = np.repeat(np.arange(shape[axis]), repeats)
    moved = np.moveaxis(g, axis, 0)
    out = np.zeros((shape[axis],) + moved.shape[1:], dtype=dtype_of(g))
    np.add.at(out, owners, moved)
    return np.moveaxis(out, 0, axis)


def untrace(g: Any, x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    """Gradient of ``trace(x, offset, axis1, axis2)``."""
    shape = shape_of(x)
    eye = np.eye(shape[axis1], shape[axis2], k=offset, dtype=dtype_of(g))
    moved_shape = [n for i, n in enumerate(shape) if i not in (axis1 % len(shape),
                                                               axis2 % len(shape))]
    grad = np.asarray(g).reshape(tuple(moved_shape) + (1, 1)) * eye
    return np.moveaxis(grad, (-2, -1), (axis1, axis2))


def setitem(x: Any, index: Any, v: Any) -> Any:
    """``x`` with ``x[index] = v`` applied to a copy: assignment into an array (or a
    list or dict), as a value."""
    kind = type(x)
    if kind is list or kind is dict:
        out = kind(x)
    elif isinstance(x, dict):  # a defaultdict, an OrderedDict: of its own kind
        out = x.copy()
    elif isinstance(x, (tuple, str)):  # (Python's error, not an array made of it)
        raise TypeError(f"'{kind.__name__}' object does not support item assignment")
    else:
        out = np.array(x, copy=True)
        _not_structured(out, index)
        note_new_version(out, x)
    out[index] = v
    return out


def _not_structured(x: Any, index: Any) -> None:
    if getattr(getattr(x, "dtype", None), "names", None):
        raise TypeError(f"field {index!r} of a structured array carries a differentiated "
                        "value: grad differentiates plain arrays; keep each field in an "
                        "array of its own")


def zero_at(g: Any, index: Any) -> Any:
    """``g`` with the entries at ``index`` set to zero (they were overwritten)."""
    kind = type(g)
    if kind is list or kind is dict or isinstance(g, (list, dict)):
        out = kind(g) if kind is list or kind is dict else copy.copy(g)  # (a defaultdict)
        out[index] = _overwritten(g[index])
        return out
    out = np.array(g, copy=True)
    out[index] = 0
    return out


def zero_into(g: Any, index: Any) -> Any:
    """`zero_at`, written into ``g`` where it is a list or dict of the sweep's own (which
    the optimizer proves): O(1) per item, not a copy of the whole."""
    if isinstance(g, (list, dict)):
        g[index] = _overwritten(g[index])
        return g
    if type(g) is np.ndarray and g.flags.writeable:  # (an array of the sweep's own)
        g[index] = 0
        return g
    return zero_at(g, index)


def zero_items(x: Any) -> Any:
    """The zero adjoint of a list or dict written in place item by item: for each item,
    the zero `_overwritten` gives (of no shape for an array), since the item read before
    may have had another shape than the one it holds last (``hs[0]`` a number in a loop,
    an array after it); an adjoint added to it takes the shape it has (`add`)."""
    if type(x) is list:
        return [_overwritten(item) for item in x]
    if isinstance(x, dict):
        return {key: _overwritten(item) for key, item in x.items()}
    return zeros_like(x)


def _overwritten(item: Any) -> Any:
    """The adjoint of an item a later ``d[k] = v`` overwrote: zero, of any shape for an
    array (what ``d[k]`` held before may be of another shape than ``v``)."""
    if type(item) is np.ndarray:
        return zero_item(item.dtype.type(0))  # (a 0-d known zero, `is_zero`)
    return zeros_like(item)


def without_last(g: Any) -> Any:
    """``g[:-1]``, the adjoint of a list before an append, made by popping the last
    item where ``g`` is a list of the sweep's own (which the optimizer proves): O(1)
    per item, not a copy of the whole."""
    if type(g) is list:
        g.pop()
        return g
    return g[:-1]


def is_first(counter: Any, steps: Any) -> bool:
    """Whether ``counter`` is the first of the range ``steps`` (a loop's first
    iteration, a reverse loop's last step); False for anything but a range, whose
    values may repeat."""
    return type(steps) is range and counter == steps.start


def copied(part: Any) -> Any:
    """``part`` as a value of its own: an array is copied (it may be a view of an adjoint
    that is then zeroed in place), and so is a list or dict (a helper working on its
    copy of one: what the caller kept of the old one must not change); a number is its
    own copy."""
    kind = type(part)
    if kind is np.ndarray:
        return part.copy()
    if kind is list or isinstance(part, dict):
        return part.copy()
    return part


#: What a loop walks back with reversed(): Python's sequences, arrays and dicts.
_REVERSIBLE = (list, tuple, np.ndarray, dict, range, str, type({}.keys()),
               type({}.values()), type({}.items()))


def iterated(items: Any) -> Any:
    """What ``for v in items`` walks, where the gradient's loop walks it back: ``items``
    itself if a list, tuple, array or dict; else (an object with ``__iter__`` alone) a
    list of what it gives, which Python's loop would take from it one by one (HC 06).
    An iterator (a generator, ``map``, ``iter(xs)``) is refused: the loop uses it up,
    and a second run (hessian's, a vjp's) or a ``break`` would not see what Python's
    run sees (HD 07, HD 09)."""
    if isinstance(items, _REVERSIBLE):
        return items
    walked = iter(items)  # (once: a loader's __iter__ may shuffle or count; HH 14)
    if walked is items:
        raise TypeError(
            f"a loop over a {type(items).__name__}, an iterator, which the loop uses up: "
            "grad walks the loop's items again for the gradient (and a second derivative "
            "runs the function again), which an iterator cannot give; pass a list of its "
            "items (list(...)) or a tuple")
    return list(walked)


def diagonal_fill_value(value: Any) -> Any:
    """The number ``np.fill_diagonal(a, value)`` writes, checked to be one as it runs
    (given an array, NumPy writes its values along the diagonal, repeated: refused)."""
    if np.ndim(value) != 0:
        raise TypeError("np.fill_diagonal given an array of values on a differentiated "
                        "array is not supported: assign them to the diagonal, "
                        "a[np.diag_indices(min(a.shape), a.ndim)] = values")
    return value


def own_copy(value: Any) -> Any:
    """A tangent of its own for a value written in place (forward mode's ``dtraj[t] =
    dx``): an array copied (a number made a 0-d array), a list or dict copied."""
    if type(value) is list or isinstance(value, dict):
        return value.copy()
    return np.array(value)


def copied_through(value: Any, _copies: Optional[dict] = None) -> Any:
    """``value`` with every array in it copied, in lists, tuples and dicts too: an
    argument the function writes into through another name (``v = d['a']; v *= 2``),
    whose caller's arrays must not change. An array held twice (``[A, A]``) is one
    copy held twice, as NumPy's writes see it."""
    kind = type(value)
    copies = {} if _copies is None else _copies
    if kind is np.ndarray:
        if id(value) not in copies:
            # (value kept: its id stays its)
            copies[id(value)] = (value, _copy_keeping_views(value, copies))
            # (a copy of a copy stands for the caller's array the first stood for: a
            # helper's copy of what an earlier call of it gave back)
            stood_for = _original(value)
            _stands_for(copies[id(value)][1], value if stood_for is None else stood_for)
        return copies[id(value)][1]
    if kind is list or kind is tuple:
        made = kind(copied_through(v, copies) for v in value)
    elif kind is dict:
        made = {k: copied_through(v, copies) for k, v in value.items()}
    else:
        return value
    if _copies is not None and kind is not tuple:  # (an inner list or dict: its
        # caller's object keeps it, written into at the end, `written_back`)
        if len(_CONTAINER_COPIES) > 128:  # (copies never written back: a run that raised)
            _CONTAINER_COPIES.clear()
        _CONTAINER_COPIES[id(made)] = (made, value)
    return made


#: The caller's list or dict an inner copy `copied_through` made stands for, by the
#: copy's id (lists and dicts take no weak reference): `written_back` writes the copy's
#: items into that object and keeps it where the caller's container held it.
_CONTAINER_COPIES: dict = {}


def _copy_keeping_views(value: np.ndarray, copies: dict) -> np.ndarray:
    """A copy of ``value``; where ``value`` views memory another array of the same
    argument may view too (``[A, A[0]]``, ``{'m': buf[:3], 'buf': buf}``), a view of
    one copy of the array owning that memory, at the same place: the copies share
    memory as the caller's arrays do, so a write through one is seen through the other,
    and writing them all back leaves no stale values."""
    owner = value.base if type(value.base) is np.ndarray else value
    if owner.base is not None or not (owner.flags.c_contiguous or owner.flags.f_contiguous):
        return value.copy()  # (memory an array does not own: a buffer, a memory map)
    key = ("owner", id(owner))
    if key not in copies:
        copies[key] = (owner, owner.copy(order="K"))
    whole = copies[key][1]
    if whole.strides != owner.strides:
        return value.copy()
    if owner is value:
        return whole  # (an array owning its memory: the copy owns its own, as it does)
    offset = value.__array_interface__["data"][0] - owner.__array_interface__["data"][0]
    try:
        return np.ndarray(value.shape, value.dtype, buffer=whole, offset=offset,
                          strides=value.strides)
    except (TypeError, ValueError):  # (outside the copy: not a view of owner's memory)
        return value.copy()


#: The caller's array a copy grad works on stands for (`copied_through`, and the new
#: array `in_place_of` made of it), by the copy's id: written back into that array
#: (`written_back`), which keeps the caller's object as NumPy's update in place would.
_ORIGINALS: dict = {}


def _stands_for(copy: np.ndarray, original: np.ndarray) -> None:
    key = id(copy)
    _ORIGINALS[key] = (weakref.ref(copy, lambda _, key=key: _ORIGINALS.pop(key, None)),
                       original)


def _original(value: Any) -> Any:
    entry = _ORIGINALS.get(id(value)) if type(value) is np.ndarray else None
    return entry[1] if entry is not None and entry[0]() is value else None


def in_place_of(new: Any, old: Any) -> Any:
    """``new``, the value grad computed for ``old op= v`` of an item of a copy of the
    caller's list or dict (``S['m'] += 1.0``): it stands for the caller's array ``old``
    stands for, which NumPy's update would have changed in place (`written_back`)."""
    original = _original(old)
    if original is not None and original.ndim == 0 and type(new) is not np.ndarray and \
            isinstance(new, (np.generic, int, float)) and \
            np.can_cast(np.result_type(new), original.dtype, "same_kind"):
        new = np.array(new, dtype=original.dtype)  # (t += 1 of a 0-d array: still one)
    if original is not None and type(new) is np.ndarray and new.shape == original.shape \
            and new.dtype == original.dtype:
        _stands_for(new, original)
    return new


def _as_given(value: Any, memo: Optional[dict] = None) -> Any:
    """The caller's array ``value`` stands for, given ``value``'s values; the caller's
    list or dict an inner copy stands for, given its items; else ``value``."""
    kind = type(value)
    if kind is list or kind is dict:
        if memo is not None and id(value) in memo:
            # (one inner copy held twice: one caller's object; an argument's copy held
            # by another's, `written_back_all`: the caller's argument, given its items
            # by its own write back)
            return memo[id(value)]
        entry = _CONTAINER_COPIES.pop(id(value), None)
        if entry is None or entry[0] is not value or type(entry[1]) is not kind:
            return value  # (a list or dict the function made: the caller gets it)
        memo = {} if memo is None else memo
        memo[id(value)] = entry[1]
        written_back(entry[1], value, memo)
        return entry[1]
    original = _original(value)
    if original is None or original.shape != value.shape or original.dtype != value.dtype:
        return value
    if original is not value and not np.array_equal(
            original, value, equal_nan=original.dtype.kind in "fc"):  # (not of strings)
        if not original.flags.writeable:  # (NumPy's update would have raised there)
            return value
        original[...] = value
    return original


def written_back(given: Any, copy: Any, _memo: Optional[dict] = None) -> None:
    """Make the caller's list, dict or array ``given`` hold what its copy ``copy`` (which
    the function wrote into) holds, as one run of the function would have left it."""
    if copy is given:
        return
    memo = {} if _memo is None else _memo
    if isinstance(given, np.ndarray):
        # (NumPy's own writes keep the caller's shape and dtype; a copy of the wrong
        # shape would be the function's error, which Python raises where it writes)
        if np.shape(copy) == given.shape:
            given[...] = copy
        return
    if type(given) is list and isinstance(copy, list):
        given[:] = [_as_given(v, memo) for v in copy]
    elif isinstance(given, dict) and isinstance(copy, dict):
        items = {k: _as_given(v, memo) for k, v in copy.items()}
        given.clear()
        given.update(items)
    elif isinstance(given, tuple) and isinstance(copy, tuple) and len(given) == len(copy):
        # (a tuple's slots cannot change: the lists and dicts it holds are written
        # into, box[0]['calls'] = ... as one run leaves box[0])
        for inner_given, inner_copy in zip(given, copy):
            if isinstance(inner_given, (list, dict, tuple)):
                _CONTAINER_COPIES.pop(id(inner_copy), None)  # (its slot cannot change)
                written_back(inner_given, inner_copy, memo)
            elif type(inner_given) is np.ndarray and type(inner_copy) is np.ndarray:
                _as_given(inner_copy)  # (t[0][1] = 3.0: the caller's array, in place)


def written_back_all(*pairs: tuple) -> None:
    """`written_back` of several arguments, ``(given, copy)`` each, at once: a copy one
    of them holds (``log.append(state)``) is given back as the caller's object, as
    Python's list holds ``state`` itself."""
    memo = {id(held): given for given, held in pairs
            if (type(held) is list or type(held) is dict) and held is not given}
    for given, held in pairs:
        written_back(given, held, memo)


def written(g: Any, index: Any) -> Any:
    """The adjoint of ``v`` in ``x[index] = v``: ``g[index]``, less the entries that a
    later repeat of the same position overwrote (``y[[0, 0]] = v`` keeps ``v[1]``)."""
    part = g[index]
    if not _has_array_index(index) or type(g) is list or type(g) is dict:
        return part
    shape = np.shape(part)
    ids = np.arange(int(np.prod(shape))).reshape(shape)
    last = np.full(np.shape(g), -1)
    last[index] = ids  # NumPy keeps the last of repeated positions
    return np.where(last[index] == ids, part, 0)


def updated_in_place(value: Any) -> bool:
    """Whether ``value += v`` updates ``value`` itself (an array), as opposed to binding
    a new one (a number): what a helper's ``p += v`` leaves in its caller's name (a list
    or a dict: `extended_in_place`)."""
    return isinstance(value, np.ndarray)


def extended_in_place(value: Any, updated: Any) -> bool:
    """Whether a helper's ``p += [v]`` (``p *= 2``, ``p |= {...}``) on the list or dict
    ``value`` changed it in place, as Python does: ``updated``, what the update made of
    a copy, is of its kind and holds other items (``p *= x`` of an array x binds ``p`` to
    a new array: the caller's list stays). The caller's name then holds ``updated``."""
    if type(value) not in (list, dict) or type(updated) is not type(value):
        return False
    if type(value) is list:
        return len(value) != len(updated) or any(a is not b for a, b in zip(value, updated))
    return value.keys() != updated.keys() or any(value[k] is not updated[k] for k in value)


def unreduceat(g: Any, array: Any, indices: Any, axis: int = 0) -> Any:
    """Gradient of ``np.add.reduceat(array, indices, axis)`` in ``array``: each sum's
    adjoint given to the entries it added, ``array[indices[i]:indices[i + 1]]`` (the
    one entry ``array[indices[i]]`` where the next index is not greater)."""
    starts = np.asarray(indices, dtype=np.intp)
    n = np.shape(array)[axis]
    ends = np.append(starts[1:], n)
    ends = np.where(ends > starts, ends, starts + 1)
    lengths = ends - starts
    rows = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths) + \
        np.arange(int(np.sum(lengths)))
    segments = np.repeat(np.arange(len(starts)), lengths)
    moved = np.moveaxis(np.asarray(g), axis, 0)
    out = np.zeros((n,) + moved.shape[1:], dtype=np.result_type(moved.dtype, dtype_of(array)))
    np.add.at(out, rows, moved[segments])
    return np.moveaxis(out, 0, axis)
