"""Write locks on the arrays a live graph holds, as MyGrad sets them.

A recorded operation keeps its operands' arrays for its adjoint: writing into
one of them (``x.data[0] = 5``, or NumPy code given ``x.data``) would change
the gradient silently. While an operation is recorded, its operands' arrays
(and their bases) and its result's array are read-only; the lock is released
when the graph is cleared (`backward`, `clear_graph`) or the operation is
garbage-collected. Arrays that were read-only to begin with are left alone.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

__all__ = ["lock", "release"]

_counts: dict[int, int] = {}      # id(array) -> live operations holding it
_held: dict[int, np.ndarray] = {}  # the locked arrays (ids stay unique while held)
# id(base) -> views made read-only by the base's lock, to unlock with it
_waiting: dict[int, list] = {}


def _lock_one(array: np.ndarray) -> bool:
    key = id(array)
    count = _counts.get(key)
    if count:
        _counts[key] = count + 1
        return True
    if not array.flags.writeable:
        base = array.base
        if type(base) is not np.ndarray or id(base) not in _counts:
            return False  # read-only of its own: not ours to unlock
    _counts[key] = 1
    _held[key] = array
    array.flags.writeable = False
    return True


def lock(arrays: Any) -> list:
    """Make ``arrays`` (and their bases) read-only; the list to give to `release`."""
    locked = []
    for array in arrays:
        if type(array) is not np.ndarray:
            continue
        base = array.base
        if type(base) is np.ndarray and _lock_one(base):
            locked.append(base)
        if _lock_one(array):
            locked.append(array)
    return locked


def release(locked: list) -> None:
    """Undo one `lock`; an array becomes writeable when no live operation holds it."""
    for array in locked:
        key = id(array)
        count = _counts.get(key, 0) - 1
        if count > 0:
            _counts[key] = count
            continue
        _counts.pop(key, None)
        _held.pop(key, None)
        _unlock(array)
        for ref in _waiting.pop(key, ()):
            view = ref()
            if view is not None and id(view) not in _counts:
                _unlock(view)


def _unlock(array: np.ndarray) -> None:
    try:
        array.flags.writeable = True
    except ValueError:  # its base is still locked: unlock it with the base
        base = array.base
        if type(base) is np.ndarray and id(base) in _counts:
            _waiting.setdefault(id(base), []).append(weakref.ref(array))


def note_view(array: Any) -> None:
    """A new array that is read-only only because its locked base is: unlock it later."""
    if type(array) is np.ndarray and not array.flags.writeable:
        base = array.base
        if type(base) is np.ndarray and id(base) in _counts and id(array) not in _counts:
            _waiting.setdefault(id(base), []).append(weakref.ref(array))
