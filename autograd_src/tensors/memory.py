"""Write locks on the arrays a live graph holds, as MyGrad sets them.

A recorded operation keeps its operands' arrays for its adjoint: writing into
one of them (``x.data[0] = 5``, or NumPy code given ``x.data``) would change
the gradient silently. While an operation is recorded, the arrays it holds are
read-only; the lock is released when the graph is cleared (`backward`,
`clear_graph`) or the operation is garbage-collected. Arrays that were
read-only to begin with are left alone.

Setting an array's write flag costs about as much as a small NumPy operation,
so an array that never left the engine (the result of an operation, which a
user reaches only through ``.data``, ``np.asarray`` or a NumPy function given
the tensor) is counted but not flagged: it is flagged when it leaves
(`expose`), and if it never does, nothing needs to be undone.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

__all__ = ["lock", "release", "expose", "flag_with_base", "note_view"]

_counts: dict[int, int] = {}  # id(array) -> live operations (and flagged views) holding it
# id(array) -> (the base counted along with it or None, whether we cleared its flag),
# for the arrays we flagged
_flagged: dict[int, tuple] = {}
# id(base) -> views made read-only by the base's lock, to unlock with it
_waiting: dict[int, list] = {}


def lock(arrays: Any, exposed: Any) -> list:
    """Count ``arrays`` as held by one more operation; flag those ``exposed`` says a
    user may hold. Returns the list to give to `release` (it keeps the arrays alive,
    so their ids stay theirs while counted)."""
    locked = []
    counts = _counts
    for array, flag in zip(arrays, exposed):
        if type(array) is not np.ndarray:
            continue
        key = id(array)
        count = counts.get(key)
        counts[key] = count + 1 if count else 1
        locked.append(array)
        if flag and key not in _flagged:
            _flag(array, key)
    return locked


def _flag(array: np.ndarray, key: int) -> None:
    base = array.base
    if type(base) is np.ndarray:  # the memory's owner too, counted while this is flagged
        base_key = id(base)
        _counts[base_key] = _counts.get(base_key, 0) + 1
        if base_key not in _flagged:
            _flagged[base_key] = (None, _clear(base))
    else:
        base = None
    _flagged[key] = (base, _clear(array))


def _clear(array: np.ndarray) -> bool:
    if not array.flags.writeable:
        return False
    array.setflags(write=False)  # cheaper than through array.flags
    return True


def expose(array: Any) -> None:
    """``array`` leaves the engine: flag it if a live operation holds it."""
    key = id(array)
    if key in _counts and key not in _flagged:
        _flag(array, key)


def release(locked: list) -> None:
    """Undo one `lock`; an array becomes writeable when no live operation holds it."""
    counts = _counts
    for array in locked:
        key = id(array)
        count = counts[key] - 1
        if count:
            counts[key] = count
            continue
        del counts[key]
        if key in _flagged:
            _unflag(array, key)


def _release(array: np.ndarray) -> None:
    key = id(array)
    count = _counts[key] - 1
    if count:
        _counts[key] = count
        return
    del _counts[key]
    if key in _flagged:
        _unflag(array, key)


def _unflag(array: np.ndarray, key: int) -> None:
    base, cleared = _flagged.pop(key)
    if base is not None:
        _release(base)
    if cleared:
        _unlock(array)


def _unlock(array: np.ndarray) -> None:
    try:
        array.setflags(write=True)
    except ValueError:  # its base is still locked: unlock it with the base
        base = array.base
        if type(base) is np.ndarray and id(base) in _flagged:
            _waiting.setdefault(id(base), []).append(weakref.ref(array))
        return
    if _waiting:
        for ref in _waiting.pop(id(array), ()):
            view = ref()
            if view is not None and id(view) not in _flagged:
                _unlock(view)


def flag_with_base(array: Any) -> None:
    """A view of an array a live operation holds, leaving the engine: read-only while
    that array is flagged (NumPy's flag of a view made before stays as it was)."""
    base = array.base if type(array) is np.ndarray else None
    if type(base) is np.ndarray and id(base) in _flagged and id(array) not in _flagged \
            and array.flags.writeable:
        array.setflags(write=False)
        _waiting.setdefault(id(base), []).append(weakref.ref(array))


def note_view(array: Any) -> None:
    """A new array that is read-only only because its flagged base is: unlock it later."""
    if type(array) is np.ndarray and not array.flags.writeable:
        base = array.base
        if type(base) is np.ndarray and id(base) in _flagged and id(array) not in _flagged:
            _waiting.setdefault(id(base), []).append(weakref.ref(array))
