"""In-place operations on tensors and their views: ``x += y``, ``x[i] = v``, ``x[1:] *= 2``.

As in MyGrad, an in-place operation is recorded as a new value: the tensor
object the user holds takes the updated value and a graph node computing it,
while the operations that read the old value keep reading it, from a
placeholder (`Tensor._retire`: its version moves on, and `backprop._resolve`
finds the placeholder of the version an operation read). Views (``x[1:]``,
``x.T``, ``x.reshape(...)``: results sharing the memory of a tensor) are
recorded with the operation that made them; an update through a view writes
the view's new value into a copy of its base (`unview`), and every live view
of that base is made again from the new base, in value and in the graph, when
it is next read (`catch_up`): the views a time loop takes at every step stay
alive in the graph, and making each again after every update was quadratic.

Under ``no_autodiff`` nothing is recorded, and the update writes into the
array itself, as NumPy does (the optimiser loop ``p -= lr * p.grad``).
"""

from __future__ import annotations

import weakref
from typing import Any, Callable

import numpy as np

from ..rules import registry, runtime
from . import backprop
from .errors import GradientDropped

__all__ = ["inplace", "setitem", "ufunc_into", "reshape_family_member", "unview"]


class _References(list):
    """Weak references to views; see `remembered`."""

    limit = 64


def remembered(references: Any, reference: Any) -> list:
    """``references`` (None or a list) with ``reference`` added. Its dead references are
    dropped whenever it has doubled since the last time: a loop that reads ``W[0]``
    for logging at each step while ``W`` is only updated under ``no_autodiff`` adds
    one a step to ``W``'s views and fresh views, which nothing else prunes."""
    if type(references) is not _References:
        references = _References(references or ())
    references.append(reference)
    if len(references) >= references.limit:
        references[:] = [ref for ref in references if ref() is not None]
        references.limit = max(_References.limit, 2 * len(references))
    return references


def _replay(array: Any, path: list) -> Any:
    for primitive, rest, kwargs in path:
        array = primitive(array, *rest, **kwargs)
    return array


def unview(base: Any, view: Any, path: list) -> np.ndarray:
    """A copy of ``base`` whose region ``path`` (view operations from the base) holds ``view``."""
    out = np.copy(base, order="K")
    region = _replay(out, path)
    if region.size == 0:  # y[1:] of one row: nothing to write (shares no memory either)
        return out
    if not np.shares_memory(region, out):
        raise ValueError("the view's region of its base could not be located in a copy of "
                         "the base; update the base itself")
    region[...] = view
    return out


def _zero_region(g: Any, path: list) -> np.ndarray:
    # By position, not through a view of a copy: g's memory layout is not the base's
    # (a gradient from a transpose is one), and a reshape of it may copy.
    out = np.array(g, copy=True, order="C")
    positions = _replay(np.arange(out.size).reshape(out.shape), path)
    out.reshape(-1)[np.ravel(positions)] = 0
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


def inplace(target: Any, primitive: Any, value: Any) -> None:
    """``target op= value``: ``primitive`` (a NumPy ufunc) written into ``target``."""
    raw = backprop.unwrap(value)
    _update(target, lambda array: primitive(array, raw, out=array),
            lambda old, before: _apply(target, primitive, old, before(value)), (value,))


def setitem(target: Any, index: Any, value: Any) -> None:
    """``target[index] = value``."""
    raw, raw_index = backprop.unwrap(value), backprop.unwrap(index)

    def write(array: np.ndarray) -> None:
        value = raw
        if isinstance(value, np.ndarray) and np.may_share_memory(value, array):
            # NumPy's fancy and mask assignment may read a value it already
            # overwrote; the recorded path reads the values before the update.
            value = value.copy()
        array[raw_index] = value

    _update(target, write,
            lambda old, before: _apply(target, runtime.setitem, old, raw_index, before(value)),
            (value,))


def ufunc_into(target: Any, ufunc: Any, inputs: tuple, kwargs: dict, where: Any) -> None:
    """``ufunc(*inputs, out=target, where=where)``: the result written into ``target``
    where ``where`` holds; elsewhere ``target`` keeps its values and their graph."""
    raw_inputs = backprop.unwrap(inputs)
    raw_kwargs = {k: backprop.unwrap(v) for k, v in kwargs.items()}
    mask = backprop.unwrap(where)

    def record(old: Any, before: Callable[[Any], Any]) -> Any:
        result = _apply(target, ufunc, *[before(x) for x in inputs], **raw_kwargs)
        if mask is not True:
            result = _apply(target, np.where, mask, result, old)
        return result

    _update(target, lambda array: ufunc(*raw_inputs, out=array, where=mask, **raw_kwargs),
            record, tuple(inputs))


def _apply(target: Any, primitive: Any, *args: Any, **kwargs: Any) -> Any:
    return backprop.apply(type(target), primitive, args, kwargs, None)


def _update(target: Any, write: Callable[[np.ndarray], Any],
            record: Callable[[Any, Callable[[Any], Any]], Any], operands: tuple = ()) -> None:
    """Write into ``target``: ``write(array)`` updates an array in place; ``record(old,
    before)`` computes the new value from the placeholder ``old`` of ``target``
    (``before`` maps any tensor of the updated family to its placeholder). A constant
    ``target`` stays constant, as in MyGrad: ``operands`` that need gradients written
    into it would lose them silently, and are refused (`GradientDropped`)."""
    if not backprop.is_recording():
        write(target.data)  # .data: a live graph's array is locked against this
        return
    base = target._base if target._base is not None else target
    if base._constant and any(isinstance(o, type(target)) and not o._constant
                              for o in operands):
        raise GradientDropped(
            "writing a tensor that needs gradients into a constant tensor would lose "
            "its gradient (the target stays constant; MyGrad drops it silently): make "
            "the target a variable (mg.zeros_like(X, constant=False), or "
            "mg.tensor(buffer, constant=False))")
    path = _path(target) if target is not base else []
    # What the update reads, as it is now: the target, the views it is reached
    # through, and the operands of the family (a view not read since an earlier
    # update is made again first, from its parent).
    chain = _caught_up(target)
    read = []
    for operand in operands:
        if isinstance(operand, type(target)) and operand._view is not None and \
                all(operand is not member for member in chain + read) and \
                _caught_up(operand)[-1] is base:
            read.append(operand)
    # The new values first, with NumPy's own checks (shape, casting, read-only
    # regions), so that an error leaves the graph as it was.
    scratch = target._data.copy()
    write(scratch)
    if path:
        unview(base._data, scratch, path)
    target._grad = None
    placeholders = {id(member): member._retire() for member in chain + read}
    for member in chain[-2::-1] + read:
        if member is base or member._view is None:
            continue
        # A view recorded before its base's graph was cleared (y = x[1:], then a
        # backward()) is made again from the base: its value is the base's, and its
        # old record would be refused as stale by the next backward()
        parent = member._view[0]
        old, parent_old = placeholders[id(member)], placeholders.get(id(parent), parent)
        if old._node is not None and parent_old._cleared > old._node.clears:
            _, view_primitive, rest, kwargs = member._view
            old._node = backprop.apply(type(target), view_primitive, (parent_old, *rest),
                                       kwargs, old._constant)._node

    def before(operand: Any) -> Any:
        return placeholders.get(id(operand), operand)

    old = placeholders[id(target)]
    mutant = record(old, before)
    if mutant._data.shape != old._data.shape:  # a smaller result, broadcast into target
        mutant = _apply(target, np.add, mutant, np.zeros(old._data.shape, old._data.dtype))
    if mutant._data.dtype != old._data.dtype:
        mutant = _apply(target, runtime.astype, mutant, old._data.dtype)
    if not path and mutant._data.strides != old._data.strides:
        # The array keeps its memory layout, as an update in place would: a later
        # x.shape = ... succeeds or fails as NumPy's (and MyGrad's) would.
        layout = np.empty_like(old._data)
        if layout.strides != mutant._data.strides:
            layout[...] = mutant._data
            mutant._data = layout
    # As in MyGrad, the target keeps its constant-ness (its values may change).
    mutant._constant = old._constant
    if old._constant:
        mutant._node = None
    if path:
        old_base = placeholders[id(base)]
        mutant = backprop.apply(type(target), unview, (old_base, mutant, path), {},
                                old_base._constant)
    base._become(mutant)
    # Every view of the base is made again from it when it is next read, not now: a
    # time loop's views, kept alive by the graph that read them, would be replayed at
    # every later step (quadratic time). Those read or made since the last update
    # are the base's fresh ones; the others were left behind already.
    fresh, base._fresh = base._fresh or (), []
    for reference in fresh:
        member = reference()
        if member is not None and member._base is base:
            _leave_behind(member, retired=id(member) in placeholders)


def left_behind_by_new_data(base: Any) -> None:
    """``base.data = array``: each live view of ``base`` is made again from the new
    array when next read (`catch_up`), as after an update of the base."""
    base._fresh = []
    for member in base._family()[1:]:
        if member._base is base:
            _leave_behind(member, retired=False)


def _caught_up(view: Any) -> list:
    """``view`` and the views it is taken through up to its base, each made again
    first where an update left it behind (before any is retired: one made again
    from a retired parent would read the parent's next value)."""
    chain = [view]
    while chain[-1]._view is not None:
        chain.append(chain[-1]._view[0])
    for member in reversed(chain):
        member._data  # noqa: B018 (see catch_up)
    return chain


#: The attributes of a view left behind by an update of its base, unset until read.
DEFERRED = frozenset(("_data", "_node", "_version", "_exposed"))


def _leave_behind(view: Any, retired: bool) -> None:
    """Mark ``view`` as not yet made again from its updated parent. Its value, graph
    and version are kept aside (unless ``retired``: a placeholder holds them) and
    its attributes unset, so that the first read of one calls `catch_up`."""
    view._grad = None
    if view._stale is not None:
        return  # (left behind by an earlier update, and not read since)
    if retired:
        view._stale = ()
        del view._data, view._node, view._exposed
        return
    view._stale = (view._data, view._node, view._version, view._exposed)
    del view._data, view._node, view._version, view._exposed


def catch_up(view: Any, name: str) -> None:
    """Make again a view left behind by an update of its base (`_leave_behind`).

    Its value as operations read it moves to a placeholder first (`Tensor._retire`),
    for the recorded operations that read it (`backprop._resolve`); the version is
    all they ask for. Any other read makes the view again from its parent, recorded
    whether or not recording is on now, as the update itself would have."""
    stale = view._stale
    if stale:
        view._data, view._node, view._version, view._exposed = stale
        view._retire()
        view._stale = ()
        del view._data, view._node, view._exposed
    if name == "_version":
        return
    parent, view_primitive, rest, kwargs = view._view
    constant = view._constant
    enabled = backprop._Recording.enabled
    backprop._Recording.enabled = True
    try:
        replayed = backprop.apply(type(view), view_primitive, (parent, *rest), kwargs,
                                  constant)
    finally:
        backprop._Recording.enabled = enabled
    grad = view._grad  # (null_grad() since the update)
    view._stale = None
    view._become(replayed)
    view._grad = grad
    root = view._base
    root._fresh = remembered(root._fresh, weakref.ref(view))


#: Hidden tensors that hold the value of a tensor reshaped in place (``x.shape =``)
#: while it had views or was one, and the tensor they stand for (``x.base``).
FACES: dict[int, Any] = {}  # id(hidden) -> weak reference to the tensor


def reshape_family_member(target: Any, shape: Any) -> None:
    """``target.shape = shape`` for a view or a tensor with views, as in MyGrad.

    A hidden tensor takes ``target``'s value, graph and place among the views
    (its parent's view, its views' parent), and ``target`` becomes a reshaping
    view of it: updates through any of them still reach the others.
    """
    probe = target._data.view()
    probe.shape = shape  # NumPy's AttributeError where the reshape would copy
    hidden = target._retire()
    hidden._base, hidden._view, hidden._views = target._base, target._view, target._views
    if hidden._view is not None:
        parent = hidden._view[0]
        parent._views = remembered([ref for ref in parent._views if ref() is not target],
                                   weakref.ref(hidden))
    for ref in hidden._views or ():
        child = ref()
        if child is not None and child._view is not None and child._view[0] is target:
            child._view = (hidden, *child._view[1:])
    root = hidden._base if hidden._base is not None else hidden
    reshaped = backprop.apply(type(target), np.reshape, (hidden, probe.shape), {},
                              hidden._constant)
    target._become(reshaped)
    grad = target._grad
    target._view, target._views = None, None
    hidden._add_view(target, np.reshape, (probe.shape,), {})
    target._grad = grad
    family = root._family()
    for member in family:
        if member is not root:
            member._base = root
    # (the views not left behind, the hidden tensor among them, now the root's)
    for member in family:
        member._fresh = None
    root._fresh = [weakref.ref(member) for member in family[1:] if member._stale is None]
    FACES[id(hidden)] = weakref.ref(target)
    weakref.finalize(hidden, FACES.pop, id(hidden), None)
