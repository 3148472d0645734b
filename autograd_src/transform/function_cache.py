"""Caches keyed by function that die with their function.

What the package keeps per function (its derivatives, the function of named
parameters made for its ``*args``) refers back to that function: a derivative's
namespace and its `source.Reads` hold it. In a ``weakref.WeakKeyDictionary`` such
a value keeps its own key alive for ever, so every closure given to ``grad`` (with
the arrays it captures) would outlive the user's last reference to it. Kept in the
function's ``__dict__`` instead, the function, its cache and the derivatives form
a cycle the garbage collector frees together.
"""

from __future__ import annotations

import types
import weakref
from typing import Any, Callable

__all__ = ["FunctionCache"]


class _Held:
    """A value kept on a function, with a weak reference to that function. Pickled as an
    empty one (cloudpickle, joblib and dask pickle a closure's ``__dict__`` with it):
    derivatives are remade where the function is unpickled."""

    __slots__ = ("owner", "value")

    def __init__(self, owner: Any = None, value: Any = None) -> None:
        self.owner, self.value = owner, value

    def __reduce__(self) -> tuple:
        return (_Held, ())


class FunctionCache:
    """A mapping from functions to values, held by the functions themselves.

    A Python function holds its value in its ``__dict__`` beside a weak reference
    to itself (`_Held`): ``functools.wraps`` copies the ``__dict__`` of the function it
    wraps into the wrapper, and the wrapper must not find the wrapped function's value.
    Other callables (builtins, instances) fall back to a weak-keyed dictionary.
    """

    def __init__(self, name: str) -> None:
        self._attribute = f"__autograd_src_{name}__"
        self._others: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def get(self, fn: Callable[..., Any], default: Any = None) -> Any:
        if isinstance(fn, types.FunctionType):
            held = fn.__dict__.get(self._attribute)
            return held.value if type(held) is _Held and held.owner is not None and \
                held.owner() is fn else default
        try:
            return self._others.get(fn, default)
        except TypeError:  # (not weakly referable)
            return default

    def __contains__(self, fn: Callable[..., Any]) -> bool:
        marker = object()
        return self.get(fn, marker) is not marker

    def __getitem__(self, fn: Callable[..., Any]) -> Any:
        marker = object()
        value = self.get(fn, marker)
        if value is marker:
            raise KeyError(fn)
        return value

    def __setitem__(self, fn: Callable[..., Any], value: Any) -> None:
        if isinstance(fn, types.FunctionType):
            fn.__dict__[self._attribute] = _Held(weakref.ref(fn), value)
        else:
            self._others[fn] = value

    def setdefault(self, fn: Callable[..., Any], default: Any) -> Any:
        marker = object()
        value = self.get(fn, marker)
        if value is marker:
            self[fn] = value = default
        return value
