"""Lists, tuples and dicts of values, whose adjoints are lists and dicts of adjoints:
literals, append/extend, concatenation and repetition, item by item sums.
"""

from __future__ import annotations

import copy
import sys
import types
from typing import Any, Optional

import numpy as np

from .core import is_zero, unbroadcast, zero_item

__all__ = ["picked_item", "joined_like", "pack", "appended", "grown", "all_but_last",
           "extended", "unlist", "joined",
           "plus", "unplus", "times",
           "untimes", "add", "values_at", "pack_dict", "unsum", "like_input", "keys",
           "transposed", "untransposed", "summed", "order_of", "in_order", "unordered",
           "sorted_items", "unsorted", "largest", "smallest", "extreme_position",
           "unextreme_item",
           "like_items", "field", "unfield", "get_item",
           "unget_item", "kwargs_without", "merged", "unmerged", "unsummed",
           "left_to_default", "still_bound", "construct", "replaced", "unreplaced",
           "replaced_fields", "replaced_tangent", "fields_placed"]


# ----- lists of values (their adjoints are lists of adjoints) -----


def pack(*items: Any) -> list:
    """``[a, b, c]`` as a function, so a list literal can carry a derivative rule."""
    return list(items)


def inserted(items: list, index: Any, value: Any) -> list:
    """``items.insert(index, value)`` as a value: a new list."""
    out = list(items)
    out.insert(index, value)
    return out


def removed(items: list, value: Any) -> list:
    """``items.remove(value)`` as a value: a new list (of a list without gradient that a
    derivative reads as it was)."""
    out = list(items)
    out.remove(value)
    return out


def deleted(items: Any, index: Any) -> Any:
    """``del items[index]`` as a value: a new list or dict (as `removed`)."""
    out = copy.copy(items)
    del out[index]
    return out


def _inserted_at(index: Any, length: int) -> int:
    """Where ``list.insert(index, v)`` puts ``v`` in a list of ``length`` items."""
    index = int(index)
    if index < 0:
        index = max(index + length, 0)
    return min(index, length)


def without_inserted(g: list, index: Any) -> list:
    """The adjoint of the list `inserted` was given: ``g`` (its result's) less the item
    inserted, read from ``g``'s length (the list itself is not kept)."""
    at = _inserted_at(index, len(g) - 1)
    return list(g[:at]) + list(g[at + 1:])


def inserted_item(g: list, index: Any) -> Any:
    """The adjoint of the value `inserted` put in: ``g``'s item where it went."""
    return g[_inserted_at(index, len(g) - 1)]


def appended(items: list, value: Any) -> list:
    """``items + [value]``: ``items.append(value)`` as a value, so it can be reversed."""
    return items + [value]


def _references_of_a_name_alone() -> Optional[int]:
    """What ``sys.getrefcount(items)`` counts inside `grown` when the caller's one local
    name is all that holds the list (``xs = _ad.grown(xs, v)``), measured on this
    interpreter; None where such counts are not to be trusted (not CPython, a build
    without the GIL, a version not checked: stack references may go uncounted)."""
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 14) or \
            not getattr(sys, "_is_gil_enabled", lambda: True)():
        return None

    def counted(items: list, value: Any) -> int:  # (a frame shaped as grown's)
        return sys.getrefcount(items)

    holder = types.SimpleNamespace(counted=counted)

    def caller() -> int:
        items = [0.0]
        return holder.counted(items, 0.0)
    return caller()


_ALONE = _references_of_a_name_alone()


def grown(items: list, value: Any) -> list:
    """`appended` written ``xs = _ad.grown(xs, v)``, the name rebound to the result:
    where nothing else holds the list (its references counted), it grows in place,
    which nothing can see, instead of being copied, which made a loop of appends
    quadratic (FX 01: 16,000 samples, 211x the forward)."""
    if _ALONE is not None and type(items) is list and sys.getrefcount(items) <= _ALONE:
        items.append(value)
        return items
    return items + [value]


def all_but_last(items: Any) -> Any:
    """``items[:-1]``, written ``gs = _ad.all_but_last(gs)`` (the adjoint of an append,
    reversed): a list nothing else holds loses its last item in place, as `grown`."""
    if _ALONE is not None and type(items) is list and sys.getrefcount(items) <= _ALONE:
        del items[-1]
        return items
    return items[:-1]


def pushed(items: list, value: Any) -> list:
    """``items.append(value)``, returning ``items``: `appended` where nothing reads the
    list before the append (forward-mode code, which has no reverse sweep)."""
    items.append(value)
    return items


def extended(items: list, more: Any) -> list:
    """``items + list(more)``: ``items.extend(more)`` as a value, so it can be reversed."""
    return items + list(more)


def unlist(g: Any, a: Any) -> Any:
    """Gradient of ``list(a)`` (or ``tuple(a)``): for an array, the items' adjoints put
    back as its rows; for a list or other sequence, the list of them."""
    if isinstance(a, np.ndarray):
        out = np.zeros(a.shape, dtype=np.result_type(a.dtype, np.float32))
        for k, piece in enumerate(g):
            out[k] = piece
        return out
    return list(g)


#: Python's and NumPy's float: the operands whose adjoints are plain arithmetic.
_NUMBERS = frozenset((float, np.float64))


def _sequence(x: Any) -> bool:
    return type(x) is list or type(x) is tuple


def joined(a: Any, b: Any) -> Any:
    """``a + b`` of two lists or tuples: their concatenation, as a function."""
    return a + b


def joined_like(a: Any, b: Any, like: Any) -> Any:
    """The tangents of two joined lists or tuples joined as ``like`` (the value) is: a
    zero tangent of a literal may be a list where its value was a tuple."""
    return type(like)(list(a) + list(b)) if type(like) in (list, tuple) else a + b


def plus(a: Any, b: Any) -> Any:
    """Python's ``a + b`` where the operands may be lists or tuples (concatenation) as
    well as numbers or arrays: the code calls this where it cannot tell which."""
    return a + b


def unplus(g: Any, a: Any, b: Any, which: int) -> Any:
    """The adjoint of operand ``which`` of `plus`: a slice of ``g`` for a
    concatenation, else ``g`` summed to the operand's shape."""
    if type(g) in _NUMBERS and type(a) in _NUMBERS and type(b) in _NUMBERS:
        return g  # (numbers: the common case of a list of floats, first)
    if _sequence(a) and _sequence(b):
        return g[:len(a)] if which == 0 else g[len(a):]
    return unbroadcast(g, a if which == 0 else b)


def times(a: Any, b: Any) -> Any:
    """Python's ``a * b`` where one operand may be a list or tuple repeated by the other."""
    return a * b


def _count(x: Any) -> bool:
    """Whether ``x`` repeats a list it multiplies (an int: ``[0.0] * n``); a list times
    anything else (an array, a NumPy float) is NumPy's elementwise product."""
    return isinstance(x, (int, np.integer))


def untimes(g: Any, a: Any, b: Any, which: int) -> Any:
    """The adjoint of operand ``which`` of `times`: for a list repeated by an int, the
    sum of the adjoints of its copies (and none for the count), else a product's (a
    list times an array is NumPy's elementwise product)."""
    if type(g) in _NUMBERS and type(a) in _NUMBERS and type(b) in _NUMBERS:
        return g * (b if which == 0 else a)  # (numbers, first)
    if (_sequence(a) and _count(b)) or (_sequence(b) and _count(a)):
        items, count = (a, 1) if _sequence(a) else (b, 0)
        if which == count:
            return None
        n = len(items)
        if len(g) < n:  # repeated no time ([x] * 0, * False): no adjoint reaches them
            return [zero_item(item) for item in items]
        total = list(g[:n])
        for start in range(n, len(g), n):
            total = add(total, list(g[start:start + n]))
        return total
    other = b if which == 0 else a
    return unbroadcast(g * (np.asarray(other) if _sequence(other) else other),
                       a if which == 0 else b)


def _all_zero(g: Any) -> bool:
    """Whether the adjoint ``g`` (a number, an array, or containers of them) is zero."""
    if isinstance(g, (list, tuple)):
        return all(_all_zero(item) for item in g)
    if isinstance(g, dict):
        return all(_all_zero(item) for item in g.values())
    if g is None or is_zero(g):
        return True
    try:
        return not np.any(g)
    except (TypeError, ValueError):
        return False


def add(a: Any, b: Any) -> Any:
    """Sum two adjoints, item by item when they are lists, tuples or dicts (an item
    known to be zero, `zero_item`, is skipped rather than added)."""
    if type(a) in _NUMBERS and type(b) in _NUMBERS:
        return a + b
    if type(a) is np.ndarray and type(b) is np.ndarray and a.shape == b.shape:
        if is_zero(a):  # the usual case of a list's item: a zero view, then an array
            return b
        return a if is_zero(b) else a + b
    if is_zero(a) and np.shape(a) == np.shape(b):
        return b
    if is_zero(b) and np.shape(a) == np.shape(b):
        return a
    if type(a) is list or type(a) is tuple:
        if len(a) != len(b):
            # (the zero adjoint of an item d['a'] = d['a'] + [v] overwrote, as long as the
            # list it held last, and the adjoint of the shorter list it held before)
            if _all_zero(a):
                return b
            if _all_zero(b):
                return a
            raise ValueError(f"adjoints of {len(a)} and {len(b)} items cannot be added")
        return [add(x, y) for x, y in zip(a, b)]
    if type(a) is dict:  # keys one side lacks (added by d[k] = v since) are kept
        return {**b, **{k: add(v, b[k]) if k in b else v for k, v in a.items()}}
    if isinstance(a, tuple) and hasattr(a, "_fields") and len(a) == len(b):
        return type(a)(*[add(x, y) for x, y in zip(a, b)])  # a namedtuple stays one
    if isinstance(a, (list, tuple, dict)):  # an OrderedDict: rarely here
        return add(list(a) if isinstance(a, (list, tuple)) else dict(a), b)
    return a + b


def values_at(g: dict, keys: tuple) -> tuple:
    """The adjoints of a dict's values, in the order of ``keys``."""
    return tuple(g[k] for k in keys)


def pack_dict(keys: tuple, *values: Any) -> dict:
    """``{k1: v1, k2: v2}`` as a function, so a dict literal can carry a derivative rule."""
    return dict(zip(keys, values))


def unsum(g: Any, items: Any) -> Any:
    """Gradient of the builtin ``sum(items)``: ``g`` for each item, summed to its shape
    (for an array, whose items are its rows, ``g`` broadcast over them)."""
    if isinstance(items, np.ndarray):
        return np.array(np.broadcast_to(g, items.shape))
    return [unbroadcast(g, item) for item in items]


def like_input(g: Any, a: Any) -> Any:
    """Gradient of ``np.array(a)``: ``g`` itself, or split into items when ``a`` is a list;
    in ``a``'s floating dtype where the call cast it to another
    (``np.asarray(x, dtype=np.float32)`` of a float64 ``x``), as ``x.astype`` gives."""
    if isinstance(a, (list, tuple)):
        return [like_input(piece, item) for piece, item in zip(g, a)]
    g = unbroadcast(g, a) if np.ndim(g) != np.ndim(a) else g
    if isinstance(a, (np.ndarray, np.floating)) and isinstance(g, (np.ndarray, np.floating)) \
            and g.dtype != a.dtype and g.dtype.kind == "f" and a.dtype.kind == "f":
        return g.astype(a.dtype)
    return g


# ----- Python's builtins on lists of values (the normalizer calls these for them) -----


def keys(d: Any) -> list:
    """``list(d)``: the keys of a dict (constants), to loop over its items."""
    return list(d)


def transposed(rows: Any) -> list:
    """``zip(*rows)`` as a list of tuples: the columns of a list of rows."""
    return [tuple(column) for column in zip(*rows)]


def untransposed(grad: Any, rows: Any) -> Any:
    """The adjoint of ``transposed(rows)``: ``grad``, one tuple per column, gathered
    back into rows, each in its row's form (an array's entries into an array), the
    rows in the form of the whole."""
    return like_items([like_items(list(column), row) for column, row in zip(zip(*grad), rows)],
                      rows)


def summed(items: Any, start: Any) -> Any:
    """``sum(items, start)``: added in Python's order, from ``start``."""
    total = start
    for item in items:
        total = total + item
    return total


def _keys_of(items: Any) -> Any:
    """A dict's keys, as ``sorted(d)``, ``max(d)`` read it (a helper given a dict where
    its code could not tell); anything else itself."""
    return list(items) if isinstance(items, dict) else items


def _no_gradient_for_keys(items: dict) -> dict:
    """The adjoint of a dict whose keys alone were read: zero for every value."""
    return {k: zero_item(v) for k, v in items.items()}


def order_of(items: Any, key: Any = None, reverse: bool = False) -> list:
    """The positions of ``items`` in ``sorted(items, key=key, reverse=reverse)``
    (stable, as Python sorts; of a dict, of its keys)."""
    items = _keys_of(items)
    if key is None:
        return sorted(range(len(items)), key=items.__getitem__, reverse=reverse)
    return sorted(range(len(items)), key=lambda i: key(items[i]), reverse=reverse)


def sorted_items(items: Any, key: Any = None, reverse: bool = False) -> list:
    """``sorted(items, key=key, reverse=reverse)``."""
    return in_order(items, order_of(items, key, reverse))


def in_order(items: Any, order: list) -> list:
    """``[items[i] for i in order]``: ``sorted(items, key=key)`` given the order the key
    gave (`order_of`, called once, in the forward pass); of a dict, its keys."""
    items = _keys_of(items)
    return [items[i] for i in order]


def unordered(g: Any, items: Any, order: list) -> Any:
    """The adjoint of `in_order`: each item's adjoint put back where it came from (a
    dict's keys take none)."""
    if isinstance(items, dict):
        return _no_gradient_for_keys(items)
    grads = [zero_item(item) for item in items]
    for position, index in enumerate(order):
        grads[index] = add(grads[index], g[position])
    return like_items(grads, items)


def like_items(grads: list, items: Any) -> Any:
    """``grads``, one per item of ``items``, as an array when ``items`` is one (its rows)."""
    if isinstance(items, np.ndarray):
        out = np.zeros(items.shape, dtype=np.result_type(items.dtype, np.float32))
        for k, piece in enumerate(grads):
            out[k] = piece
        return out
    return grads


def unsorted(g: Any, items: Any, key: Any = None, reverse: bool = False) -> Any:
    """The adjoint of `sorted_items`: each item's adjoint put back where it came from."""
    if isinstance(items, dict):
        return _no_gradient_for_keys(items)
    grads = [zero_item(item) for item in items]
    for position, index in enumerate(order_of(items, key, reverse)):
        grads[index] = add(grads[index], g[position])
    return like_items(grads, items)


def extreme_position(items: Any, key: Any, largest: bool) -> int:
    """The position of ``max(items, key=key)`` (``min`` if not ``largest``): the first
    of the largest, ``key`` called once per item, in order, as Python calls it."""
    items = _keys_of(items)
    pick = max if largest else min
    if key is None:
        return pick(range(len(items)), key=items.__getitem__)
    return pick(range(len(items)), key=lambda i: key(items[i]))


def largest(items: Any, key: Any = None) -> Any:
    """``max(items, key=key)``: the first of the largest items (of a dict, keys)."""
    return _keys_of(items)[extreme_position(items, key, True)]


def smallest(items: Any, key: Any = None) -> Any:
    """``min(items, key=key)``: the first of the smallest items (of a dict, keys)."""
    return _keys_of(items)[extreme_position(items, key, False)]


def unextreme_item(g: Any, items: Any, key: Any, largest: bool) -> list:
    """The adjoint of `largest` / `smallest`: ``g`` for the item picked, zeros elsewhere
    (a dict's keys take none)."""
    if isinstance(items, dict):
        return _no_gradient_for_keys(items)
    grads = [zero_item(item) for item in items]
    grads[extreme_position(items, key, largest)] = g
    return like_items(grads, items)


def picked_item(g: Any, items: Any, key: Any, largest: bool) -> Any:
    """The adjoint of `unextreme_item` with respect to its ``g`` (it is linear in it):
    the part of ``g`` at the position picked."""
    return g[extreme_position(items, key, largest)]


def field(x: Any, name: str) -> Any:
    """``x.name`` of a namedtuple (or any object holding values as attributes)."""
    return getattr(x, name)


def field_of_tangent(t: Any, x: Any, name: str) -> Any:
    """The tangent of ``x.name`` from the tangent ``t`` of ``x``: its field, or, where
    ``t`` is the list a zero of a namedtuple is, or the plain tuple a rule gives for a
    NumPy result (``slogdet(a).logabsdet``, ``svd(a).S``), the item at the field's
    position."""
    if (type(t) is list or type(t) is tuple) and isinstance(x, tuple) and \
            hasattr(type(x), "_fields"):
        return t[type(x)._fields.index(name)]
    return getattr(t, name)


def unfield(g: Any, x: Any, name: str) -> Any:
    """The adjoint of `field` on a namedtuple: ``g`` at the field's position, in a
    namedtuple of ``x``'s type (so its adjoint reads as ``x`` does: ``dp.w``). An object
    of another class (``self`` among a decorator's ``*args``, beside the values asked
    for) has none: the checks at the call refuse one as a value to differentiate."""
    fields = getattr(type(x), "_fields", None)
    if isinstance(x, np.ndarray):  # (getattr(x, name) of a name known only as it runs)
        raise TypeError(f"getattr(array, {name!r}) with a name computed as the code runs: "
                        f"grad follows an array's attribute written out, x.{name}")
    if fields is None or not isinstance(x, tuple):
        return None
    if name not in fields:
        raise TypeError(f"{type(x).__name__}.{name} is not one of its fields {fields} (a "
                        "property or method): grad differentiates a namedtuple through its "
                        f"fields only; compute {name} in the function from them")
    grads = [zero_item(item) for item in x]
    grads[fields.index(name)] = g
    return type(x)(*grads)


def get_item(d: Any, key: Any, default: Any) -> Any:
    """``d.get(key, default)``."""
    return d.get(key, default)


def unget_item(g: Any, d: Any, key: Any) -> Any:
    """The adjoint of `get_item` for ``d``: ``g`` at ``key`` when ``d`` has it."""
    grads = {k: zero_item(v) for k, v in d.items()}
    if key in d:
        grads[key] = g
    return grads


def kwargs_without(kwargs: Any, assumed: dict, where: str) -> Any:
    """``kwargs``, checked not to replace a function-valued parameter whose default
    the helper's derivative was generated for (``act=np.tanh`` left out)."""
    for name, default in assumed.items():
        if name in kwargs and kwargs[name] is not default:
            raise TypeError(
                f"{where} gets {name}={getattr(kwargs[name], '__name__', kwargs[name])!s} "
                f"through **kwargs, but its derivative was generated for the default "
                f"{name}={getattr(default, '__name__', default)!s}, the only value known "
                f"when grad read the call: pass {name}= explicitly at that call")
    return kwargs


def merged(a: Any, b: Any) -> dict:
    """``{**a, **b}`` (and ``dict(a)``, with ``b`` empty) of dicts, as a function."""
    if not isinstance(a, dict) or not isinstance(b, dict):
        raise TypeError("dict(...) or {**...} of differentiated values takes dicts; for "
                        "pairs write a dict comprehension, {k: v for k, v in pairs}")
    return {**a, **b}


def unmerged(g: dict, a: dict, b: dict, which: int) -> dict:
    """The adjoint of operand ``which`` of `merged`: its keys' adjoints, zero where
    ``b`` replaced ``a``'s value."""
    if which == 1:
        return {k: g[k] for k in b}
    return {k: zero_item(v) if k in b else g[k] for k, v in a.items()}


def unsummed(g: Any, items: Any, start: Any, which: int) -> Any:
    """The adjoint of operand ``which`` of ``sum(items, start)`` (0: the items, 1: the
    start): ``g`` summed to each one's shape for numbers and arrays; for lists or
    tuples joined (``sum(groups, [])``), ``g`` cut back into the pieces."""
    if isinstance(start, (list, tuple)):
        if which == 1:
            return list(g[:len(start)])
        pieces, at = [], len(start)
        for item in items:
            pieces.append(list(g[at:at + len(item)]))
            at += len(item)
        return pieces
    return unsum(g, items) if which == 0 else unbroadcast(g, start)


def left_to_default(value: Any, default: Any, where: str) -> None:
    """Raise unless a function-valued parameter holds its default: the derivative was
    generated for the default (``logprob=log_density``), the only one grad knew."""
    if value is not default:
        raise TypeError(
            f"{where}: the derivative was generated for the default "
            f"{getattr(default, '__name__', default)!s}, and this call passes "
            f"{getattr(value, '__name__', value)!s}; differentiate a function that fixes "
            "it instead (lambda params: f(params, other)), which every entry point "
            "reads (grad also reads functools.partial)")


def same_function(a: Any, b: Any) -> bool:
    """Whether ``a`` is ``b``, or binds the same function to the same object:
    ``obj.method`` makes a new bound method on every read (``np.maximum.reduce`` too,
    a builtin's method)."""
    if a is b:
        return True
    if isinstance(a, types.BuiltinMethodType) and isinstance(b, types.BuiltinMethodType):
        return a.__self__ is b.__self__ and a.__name__ == b.__name__
    return isinstance(a, types.MethodType) and isinstance(b, types.MethodType) and \
        a.__func__ is b.__func__ and a.__self__ is b.__self__


def still_bound(value: Any, expected: Any, where: str) -> None:
    """Raise unless a name or attribute a call reads its function from still holds the
    function the derivative was generated for: a function this one calls may rebind it
    (``global ACT; ACT = np.cos``, ``self.act = np.cos``) between two calls of it."""
    if same_function(value, expected):
        return
    raise RuntimeError(
        f"{where} now holds {getattr(value, '__name__', value)!s}, rebound while the "
        f"function ran (by a function it called), and the derivative was generated for "
        f"{getattr(expected, '__name__', expected)!s}, which it held when the call "
        "started: grad follows one function per name in a call. Pass the function as "
        "an argument, or choose it before the call")


def rebuilt_like(items: list, like: Any) -> Any:
    """``type(like)(items)`` for a list or tuple ``like`` (a tree utility's
    ``type(t)(f(v) for v in t)``), as a function, so it can carry a derivative rule."""
    if type(like) is list:
        return list(items)
    if type(like) is tuple:
        return tuple(items)
    raise TypeError(f"type(t)(...) of a {type(like).__name__} is followed for lists and "
                    "tuples: build it by name (list(...), tuple(...), dict(...))")


def construct(cls: Any, *values: Any) -> Any:
    """``Params(W, b)`` of a namedtuple class, as a function, so it can carry a
    derivative rule (the adjoint of each field goes to the value given for it)."""
    return cls(*values)


def replaced(x: Any, names: tuple, values: tuple) -> Any:
    """``x._replace(a=v, b=w)`` of a namedtuple, as a function, so it can carry a
    derivative rule: ``names`` the fields given, ``values`` their new values."""
    return x._replace(**dict(zip(names, values)))


def replaced_tangent(tx: Any, tvalues: Any, x: Any, names: tuple) -> Any:
    """The tangent of `replaced`'s result from ``tx``, ``x``'s tangent, and ``tvalues``,
    the new values': theirs at ``names``, ``x``'s at the other fields, in a namedtuple
    of ``x``'s type."""
    given = dict(zip(names, tvalues))
    return type(x)(*[given[f] if f in given else field_of_tangent(tx, x, f)
                     for f in type(x)._fields])


def unreplaced(g: Any, x: Any, names: tuple) -> Any:
    """The adjoint of ``x`` through `replaced`: ``g`` with the fields replaced zero, in
    a namedtuple of ``x``'s type."""
    if g is None:
        return None
    return type(x)(*[zero_item(getattr(x, f)) if f in names else field_of_tangent(g, x, f)
                     for f in type(x)._fields])


def replaced_fields(g: Any, x: Any, names: tuple) -> tuple:
    """The adjoints of the values `replaced` put at ``names``: ``g``'s fields there."""
    if g is None:
        return tuple(None for _ in names)
    return tuple(field_of_tangent(g, x, name) for name in names)


def fields_placed(values: Any, x: Any, names: tuple) -> Any:
    """A namedtuple of ``x``'s type holding ``values`` at the fields ``names``, zeros at
    the others (`replaced_fields` transposed)."""
    given = dict(zip(names, values if values is not None else [None] * len(names)))
    return type(x)(*[given[f] if given.get(f) is not None else zero_item(getattr(x, f))
                     for f in type(x)._fields])
