"""A MyGrad-style Tensor: a NumPy array that records its operations for `backward`."""

from __future__ import annotations

import operator
import warnings
import weakref
from typing import Any, Optional

import numpy as np

from ..rules import registry, runtime
from . import backprop, inplace, memory
from .errors import GradientDropped

__all__ = ["Tensor", "tensor", "astensor", "asarray"]

_INTEGER_MESSAGE = "Integer-valued tensors must be treated as constants."
# NumPy functions that only look at values and return plain results.
_VALUE_FUNCTIONS = {np.shape, np.ndim, np.size, np.result_type, np.allclose, np.isclose,
                    np.array_equal, np.array_equiv, np.may_share_memory, np.shares_memory,
                    np.iscomplexobj, np.isrealobj, np.array_repr, np.array_str,
                    np.array2string, np.copyto, np.can_cast}


def _apply(primitive: Any, *args: Any, constant: Optional[bool] = None, **kwargs: Any) -> Any:
    return backprop.apply(Tensor, primitive, args, kwargs, constant)


class _NulledAt(int):
    """The `backward` count when a view's ``null_grad`` was called."""


class Tensor:
    """A NumPy array with automatic differentiation, as in MyGrad.

    Parameters
    ----------
    data : array_like
        The values (copied).
    dtype : data-type, optional
        The dtype of the tensor.
    constant : bool, optional
        Whether backpropagation skips this tensor. Integer and boolean tensors
        are always constant.

    Examples
    --------
    >>> import autograd_src as mg
    >>> x = mg.tensor([1.0, 2.0, 3.0])
    >>> f = mg.sum(x ** 2)
    >>> f.backward()
    >>> x.grad
    array([2., 4., 6.])
    """

    __slots__ = ("_data", "_grad", "_constant", "_node", "_cleared", "_version", "_past",
                 "_base", "_view", "_views", "_exposed", "_computed", "_stale", "_fresh",
                 "__weakref__")
    __array_priority__ = 15.0

    def __init__(self, data: Any, dtype: Any = None, constant: Optional[bool] = None,
                 copy: bool = True, ndmin: int = 0) -> None:
        if constant is not None and type(constant) is not bool:
            raise TypeError(f"`constant` must be a boolean value, got: {constant}")
        if isinstance(data, Tensor):
            data = data._data
        array = np.array(data, dtype=dtype, copy=copy or None, ndmin=ndmin)
        kind = array.dtype.kind
        if kind not in "fiub":
            raise TypeError("Tensor data must be of an floating type, integer type, or boolean "
                            f"type, received {array.dtype.type}")
        is_float = kind == "f"
        if constant is False and not is_float:
            raise ValueError(_INTEGER_MESSAGE)
        self._data = array
        self._grad: Optional[np.ndarray] = None
        self._constant = (not is_float) if constant is None else bool(constant) or not is_float
        self._node: Optional[backprop.Node] = None
        self._cleared = 0  # when backward last cleared the graph that computed it
        self._version = 0  # in-place updates so far (see inplace.py)
        self._past: Optional[dict] = None  # version -> placeholder holding that value
        self._base: Optional[Tensor] = None  # the tensor whose memory this view shares
        self._view: Optional[tuple] = None  # (parent, view function, its other arguments, kwargs)
        self._views: Optional[list] = None  # weak references to the views made of this tensor
        # Whether the array may be referenced outside the engine (memory.py's locks).
        self._exposed = not copy
        self._computed = False  # whether an operation was recorded making it
        self._stale = None  # a view whose base was updated since it was read (inplace.py)
        self._fresh: Optional[list] = None  # a base's views not left behind (inplace.py)
        if not copy:
            memory.expose(array)

    @classmethod
    def _wrap(cls, data: Any, constant: bool) -> "Tensor":
        out = cls.__new__(cls)
        out._data = data if type(data) is np.ndarray else np.asarray(data)
        out._grad = None
        out._constant = constant
        out._node = None
        out._cleared = 0
        out._version = 0
        out._past = None
        out._base = None
        out._view = None
        out._views = None
        out._exposed = False
        out._computed = False
        out._stale = None
        out._fresh = None
        return out

    # ----- views and in-place updates (inplace.py) -----

    def _add_view(self, view: "Tensor", primitive: Any, rest: tuple, kwargs: dict) -> None:
        root = view._base = self._base if self._base is not None else self
        view._view = (self, primitive, rest, kwargs)
        reference = weakref.ref(view)
        self._views = inplace.remembered(self._views, reference)
        root._fresh = inplace.remembered(root._fresh, reference)

    def _family(self) -> list["Tensor"]:
        """This tensor and its live views, views of views..., each after its parent."""
        family = [self]
        for member in family:
            if member._views:
                alive = [ref for ref in member._views if ref() is not None
                         and ref()._view is not None and ref()._view[0] is member]
                member._views = alive
                family += [ref() for ref in alive]
        return family

    def _retire(self) -> "Tensor":
        """Move this tensor's value and graph to a placeholder that operations recorded so
        far read instead (`backprop._resolve`); this tensor takes a new value next."""
        old = Tensor._wrap(self._data, self._constant)
        old._node, old._cleared, old._version = self._node, self._cleared, self._version
        old._exposed = self._exposed
        if self._past is None:
            self._past = {}
        self._past[self._version] = old
        self._version += 1
        self._node = None
        return old

    def __getattr__(self, name: str) -> Any:
        # Reached only for an attribute not set: a view whose base was updated in place
        # since it was last read leaves its value, graph and version unset until one of
        # them is read (`inplace.catch_up`).
        if name in inplace.DEFERRED:
            try:
                stale = Tensor._stale.__get__(self)
            except AttributeError:  # (a tensor being unpickled)
                stale = None
            if stale is not None:
                inplace.catch_up(self, name)
                return object.__getattribute__(self, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _become(self, other: "Tensor") -> None:
        self._data, self._node, self._constant = other._data, other._node, other._constant
        self._grad = None
        self._exposed = other._exposed

    @property
    def base(self) -> Optional["Tensor"]:
        """The tensor whose memory this view shares (None if this is not a view), as
        ``ndarray.base``; in-place updates through either reach the other."""
        base = self._base
        if base is not None and id(base) in inplace.FACES:  # see reshape_family_member
            face = inplace.FACES[id(base)]()
            return None if face is self else face
        return base

    def __setitem__(self, index: Any, value: Any) -> None:
        inplace.setitem(self, index, value)

    def __iadd__(self, other: Any) -> "Tensor":
        inplace.inplace(self, np.add, other)
        return self

    def __isub__(self, other: Any) -> "Tensor":
        inplace.inplace(self, np.subtract, other)
        return self

    def __imul__(self, other: Any) -> "Tensor":
        inplace.inplace(self, np.multiply, other)
        return self

    def __itruediv__(self, other: Any) -> "Tensor":
        inplace.inplace(self, np.divide, other)
        return self

    def __ipow__(self, other: Any) -> "Tensor":
        inplace.inplace(self, np.power, other)
        return self

    def __imatmul__(self, other: Any) -> "Tensor":
        raise TypeError("In-place matrix multiplication is not (yet) supported. "
                        "Use 'a = a @ b' instead of 'a @= b'")

    # ----- inspection -----

    @property
    def data(self) -> np.ndarray:
        """The underlying NumPy array (read-only while a live graph holds it)."""
        if not self._exposed:
            self._exposed = True
            node = self._node
            view = self._view
            if node is not None and view is not None and node.rule.primitive is view[1] \
                    and node.parents and node.parents[0][2] is view[0]:
                # a view's own operation reads no values: flagged only while an
                # operation reading the view holds it (and its base)
                memory.expose(self._data)
                if self._base is not None:
                    # and while its base's array is (x = p * 1.0; y = np.sin(x) keeps
                    # x's array; v = x[::-1]: v.data[0] = 5 changed what sin reads)
                    self._base.data  # noqa: B018 (the base's array leaves with it)
                    memory.flag_with_base(self._data)
            elif node is not None:  # its operation holds it: locked while that lives
                locked = memory.lock((self._data,), (True,))
                node.locked = locked if node.locked is None else node.locked + locked
            else:
                memory.expose(self._data)
        return self._data

    @data.setter
    def data(self, array: Any) -> None:
        # ``p.data -= step`` writes into the array, then assigns it back (as in MyGrad).
        array = array if type(array) is np.ndarray else np.asarray(array)
        rebound = array is not self._data
        self._data = array
        self._exposed = True
        if rebound and self._view is None and self._views:
            # ``W.data = W.data - step``: its views (Wt = W.T made once) read the new
            # array when next read, as NumPy's would (MyGrad's kept the old one)
            inplace.left_behind_by_new_data(self)

    @property
    def grad(self) -> Optional[np.ndarray]:
        """The gradient stored by the last `backward`, or None.

        A view's gradient is the same view of its base's gradient, as in MyGrad:
        the two share memory, so a change of one element moves both.
        """
        if self._view is None:
            return self._grad
        if type(self._grad) is _NulledAt and self._grad == backprop.backward_count():
            return None  # (v.null_grad(), no backward since)
        parent, primitive, rest, kwargs = self._view
        parent_grad = parent.grad
        if parent_grad is None:
            return None
        return primitive(parent_grad, *rest, **kwargs)

    @property
    def constant(self) -> bool:
        """Whether backpropagation skips this tensor."""
        return self._constant

    @property
    def creator(self) -> Optional[backprop.Node]:
        """The recorded operation that produced this tensor (None for leaves)."""
        return self._node

    @property
    def shape(self) -> tuple[int, ...]:
        return self._data.shape

    @shape.setter
    def shape(self, new_shape: Any) -> None:
        # An in-place reshape that gradients flow through: this tensor becomes
        # the reshape of what it was.
        probe = self._data.view()
        probe.shape = new_shape  # NumPy's AttributeError where the reshape would copy
        if self._view is not None or self._views and len(self._family()) > 1:
            inplace.reshape_family_member(self, new_shape)
            return
        if self._node is None or self._constant:
            self._data = probe
            if self._grad is not None:
                self._grad = self._grad.reshape(new_shape)
            return
        before = Tensor._wrap(self._data, self._constant)
        before._node = self._node
        reshaped = _apply(np.reshape, before, new_shape)
        self._data, self._node, self._grad = reshaped._data, reshaped._node, None

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def size(self) -> int:
        return self._data.size

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    @property
    def T(self) -> "Tensor":
        return _apply(np.transpose, self)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        lines = np.array_repr(self._data)[len("array"):].split("\n")
        return "Tensor" + "\n ".join(lines)

    __str__ = __repr__  # as in MyGrad

    def __format__(self, spec: str) -> str:
        """``f"{loss:.4f}"`` formats the value (a string carries no gradient to lose)."""
        if not spec:
            return repr(self)
        return format(self._data.item() if self._data.ndim == 0 else self._data, spec)

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number (no gradient)."""
        if self._data.size != 1:
            raise ValueError("can only convert a tensor of size 1 to a Python scalar")
        return self._data.item()

    def tolist(self) -> Any:
        """The values as nested Python lists of numbers (no gradient: asked for by name,
        as ``item()`` and ``.data`` are, unlike ``float(t)``, which refuses)."""
        return self._data.tolist()

    def _refuse_drop(self, conversion: str) -> None:
        """Refuse an implicit conversion that would silently lose this tensor's gradient
        (`GradientDropped`): only a constant, any tensor under ``no_autodiff``, or a result
        whose graph ``backward()`` has cleared (``losses.append(loss)`` after
        ``loss.backward()``, then ``np.mean(losses)``: no gradient reaches past it any
        more, so none is lost; GR 03) converts."""
        spent = self._computed and self._node is None
        if not self._constant and backprop._Recording.enabled and not spent:
            if _storing_into_an_item():
                raise GradientDropped(
                    "writing a tensor that needs gradients into a NumPy array (out[i] = t, "
                    "u[1:-1] += t) would store its values and silently lose the gradient "
                    "(MyGrad stores them silently; this refuses). Make the target a tensor "
                    "first (u = mg.tensor(u); out = mg.zeros(3, constant=False)) and write "
                    "into it, or build the result with mg.stack / mg.concatenate; for the "
                    "values alone write t.item() or t.data")
            foreign = _foreign_caller()
            if foreign is not None:
                raise GradientDropped(
                    f"{foreign} converted a tensor that needs gradients to a NumPy array, "
                    "which would silently lose its gradient: the Tensor API records NumPy's "
                    "functions and ufuncs (SciPy's ufuncs too), which hand it the tensor, "
                    "not other functions. Write it with mg.* functions, or differentiate "
                    "the computation with grad, which has rules for scipy.special.logsumexp "
                    "and scipy.stats.norm among others; for the values alone use t.data")
            raise GradientDropped(
                f"{conversion} of a tensor that needs gradients would give a constant and "
                "silently lose the gradient (MyGrad converts silently; this refuses). For a "
                "recorded result use mg.<function> (mg.stack([a, b]), mg.mean([a, b]), "
                "mg.r_[a, b], mg.exp(t)...) or NumPy's function on the tensor itself; for the "
                "values alone use tensor.item(), tensor.data or mg.asarray(tensor) (f\"{t:.4f}\" "
                "formats a tensor), or convert under mg.no_autodiff")

    def __float__(self) -> float:
        if self._data.size != 1:
            raise TypeError("can only convert a tensor of size 1 to a Python scalar")
        self._refuse_drop("float() (math.* functions call it)")
        return float(self._data.item())

    def __int__(self) -> int:
        if self._data.size != 1:
            raise TypeError("can only convert a tensor of size 1 to a Python scalar")
        self._refuse_drop("int()")
        return int(self._data.item())

    def __complex__(self) -> complex:
        if self._data.size != 1:
            raise TypeError("can only convert a tensor of size 1 to a Python scalar")
        self._refuse_drop("complex() (cmath.* functions call it)")
        return complex(self._data.item())

    def __contains__(self, item: Any) -> bool:
        return backprop.unwrap(item) in self._data

    def __bool__(self) -> bool:
        return bool(self._data)

    def __index__(self) -> int:
        return operator.index(self._data)

    __hash__ = object.__hash__

    def __iter__(self) -> Any:
        return (self[i] for i in range(len(self)))

    # ----- backpropagation -----

    def backward(self, grad: Any = None) -> None:
        """Compute the gradient of this tensor with respect to every tensor it depends on.

        A scalar is seeded with 1; a non-scalar tensor behaves like
        ``self.sum().backward()``; ``grad`` replaces the seed and must broadcast
        to this tensor's shape. Gradients land in ``.grad`` (NumPy arrays of
        each tensor's dtype), and the graph is cleared. Backward on a constant
        does nothing. As in MyGrad, a graph that reads a computed tensor whose
        own graph an earlier backward (or `clear_graph`) cleared after it was
        read raises a RuntimeError: its gradients would be stale.
        """
        backprop.backward(self, grad)

    def backward_source(self) -> str:
        """The adjoint code of the recorded computation, as `grad` would generate it."""
        from .graph_source import backward_source
        return backward_source(self)

    def null_gradients(self, clear_graph: bool = True) -> None:
        """Deprecated, as in MyGrad: a tensor used in a new graph drops its gradient
        by itself, and `null_grad` drops one tensor's. Only warns."""
        warnings.warn(
            "`tensor.null_gradients()` is deprecated. Calling it will raise an error "
            "in future versions of MyGrad. A tensor will automatically "
            "have its gradient nulled if you use it in a new computational graph. "
            "Or, you can call `tensor.null_grad()` to null that individual tensor's "
            "gradient.", FutureWarning, stacklevel=2)

    def null_grad(self) -> "Tensor":
        """Set ``.grad`` to None; returns the tensor. A view's (the same view of its
        base's gradient) reads None until the next `backward`."""
        self._grad = _NulledAt(backprop.backward_count()) if self._view is not None else None
        return self

    def clear_graph(self) -> None:
        """Forget how this tensor and the tensors before it were computed."""
        backprop.clear(self)

    # ----- NumPy interoperability -----

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        # NumPy's conversion: np.array(t), np.array([t, t]), np.r_[t], np.mean([t1, t2])
        # (a list is not a tensor, so no protocol reaches here first).
        self._refuse_drop("NumPy's conversion to an array (np.array, np.asarray, np.r_, "
                          "a list of tensors given to a NumPy function)")
        if dtype is not None and dtype != self._data.dtype:
            return self._data.astype(dtype)
        return self._data.copy() if copy else self.data

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if method == "at" and ufunc in (np.add, np.subtract) and len(inputs) == 3:
            return _scattered_into(ufunc, *inputs)
        if method != "__call__":  # np.maximum.reduce(t): computed by its composite
            composite = registry.composite(getattr(ufunc, method, None))
            if composite is None and registry.lookup(getattr(ufunc, method, None)) is not None:
                # (np.add.reduceat: a rule of its own)
                return backprop.apply(Tensor, getattr(ufunc, method), inputs, kwargs)
            if composite is None:
                if not any(isinstance(a, Tensor) and not a._constant
                           for a in (*inputs, *kwargs.values())):  # (constants: values)
                    return Tensor(getattr(ufunc, method)(*backprop.unwrap(inputs), **{
                        k: backprop.unwrap(v) for k, v in kwargs.items()}), constant=True)
                raise TypeError(f"np.{ufunc.__name__}.{method} has no derivative rule in "
                                "autograd_src (of the ufuncs' methods, reduce, accumulate "
                                "and at of some are followed): on tensors, write it with "
                                "functions that have one, or call it on tensor.data")
            return composite(*inputs, **kwargs)
        out = kwargs.pop("out", None)
        where = kwargs.pop("where", True)
        if isinstance(out, tuple):
            if len(out) > 1:
                raise ValueError("a tensor operation writes one result, not several")
            out = out[0]
        if isinstance(out, Tensor):
            # An in-place operation on ``out``, as in MyGrad (masked by ``where``).
            refuse_variables(ufunc, inputs, kwargs)
            if registry.lookup(ufunc) is None:
                out.data  # noqa: B018 - exposes the array: a live graph's raises
                out._data = ufunc(*backprop.unwrap(inputs), out=out._data, where=where,
                                  **kwargs)
                return out
            inplace.ufunc_into(out, ufunc, inputs, kwargs, where)
            return out
        if out is not None:  # a NumPy array takes the values
            refuse_variables(ufunc, inputs, kwargs)
            if backprop._Recording.enabled and any(
                    isinstance(a, Tensor) and not a._constant for a in inputs):
                # As MyGrad: the array gets the values, and the result is a tensor that
                # carries the gradient (acc += t rebinds acc to it; returning the array
                # silently lost the gradient through it)
                # (an input that is the array itself is read as a copy: the graph locks
                # the arrays it reads, and the array must still take the values)
                inputs = tuple(a.copy() if a is out else a for a in inputs)
                result = _call_numpy(ufunc, inputs, kwargs)
                if where is not True:
                    result = _apply(np.where, backprop.unwrap(where), result, out.copy())
                if isinstance(result, Tensor) and result.dtype != out.dtype:
                    # (acc += t of a float16 acc: NumPy rounds into acc's dtype)
                    result = _apply(runtime.astype, result, out.dtype)
                np.copyto(out, result._data, casting="unsafe")
                return result
            return ufunc(*backprop.unwrap(inputs), out=out, where=backprop.unwrap(where),
                         **{k: backprop.unwrap(v) for k, v in kwargs.items()})
        result = _call_numpy(ufunc, inputs, kwargs)
        if where is True or not isinstance(result, Tensor):
            return result
        # Without ``out``, NumPy leaves the masked-off entries as it found the memory;
        # no gradient flows through them.
        return _apply(np.where, backprop.unwrap(where), result, result._data.copy())

    def __array_function__(self, func: Any, types: Any, args: tuple, kwargs: dict) -> Any:
        if func is np.copyto and args and not isinstance(args[0], Tensor):
            source = args[1] if len(args) > 1 else kwargs.get("src")
            if isinstance(source, Tensor) and not source._constant and \
                    backprop._Recording.enabled:
                raise GradientDropped(
                    "np.copyto of a tensor into a NumPy array would silently lose the "
                    "gradient (np.copyto returns nothing to carry it): copy into a "
                    "tensor, or use t.data for the values alone")
        if func is np.copyto and args and isinstance(args[0], Tensor):
            # into a tensor: an in-place assignment, recorded as ``dst[...] = src`` is
            # (NumPy's own copyto would write the values and drop the gradient)
            named = dict(zip(("dst", "src", "casting", "where"), args), **kwargs)
            source, where = named.get("src"), named.get("where", True)
            if where is not True:
                source = _apply(np.where, where, source, args[0])
            args[0][...] = source
            return None
        return _call_numpy(func, args, kwargs)

    # ----- operators -----

    def __add__(self, other: Any) -> "Tensor":
        return _apply(np.add, self, other)

    def __radd__(self, other: Any) -> "Tensor":
        return _apply(np.add, other, self)

    def __sub__(self, other: Any) -> "Tensor":
        return _apply(np.subtract, self, other)

    def __rsub__(self, other: Any) -> "Tensor":
        return _apply(np.subtract, other, self)

    def __mul__(self, other: Any) -> "Tensor":
        return _apply(np.multiply, self, other)

    def __rmul__(self, other: Any) -> "Tensor":
        return _apply(np.multiply, other, self)

    def __truediv__(self, other: Any) -> "Tensor":
        return _apply(np.divide, self, other)

    def __rtruediv__(self, other: Any) -> "Tensor":
        return _apply(np.divide, other, self)

    def __pow__(self, other: Any) -> "Tensor":
        return _apply(np.power, self, other)

    def __rpow__(self, other: Any) -> "Tensor":
        return _apply(np.power, other, self)

    def __matmul__(self, other: Any) -> "Tensor":
        return _apply(np.matmul, self, other)

    def __rmatmul__(self, other: Any) -> "Tensor":
        return _apply(np.matmul, other, self)

    def __mod__(self, other: Any) -> "Tensor":
        return _apply(np.remainder, self, other)

    def __rmod__(self, other: Any) -> "Tensor":
        return _apply(np.remainder, other, self)

    def __neg__(self) -> "Tensor":
        return _apply(np.negative, self)

    def __pos__(self) -> "Tensor":
        return _apply(np.positive, self)

    def __abs__(self) -> "Tensor":
        return _apply(np.absolute, self)

    def __getitem__(self, index: Any) -> "Tensor":
        return _apply(operator.getitem, self, backprop.unwrap(index))

    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        return self._data == backprop.unwrap(other)

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        return self._data != backprop.unwrap(other)

    def __lt__(self, other: Any) -> Any:
        return self._data < backprop.unwrap(other)

    def __le__(self, other: Any) -> Any:
        return self._data <= backprop.unwrap(other)

    def __gt__(self, other: Any) -> Any:
        return self._data > backprop.unwrap(other)

    def __ge__(self, other: Any) -> Any:
        return self._data >= backprop.unwrap(other)

    # ----- methods (NumPy's) -----

    def sum(self, axis: Any = None, keepdims: bool = False, *, constant: Any = None) -> "Tensor":
        return _apply(np.sum, self, axis, keepdims=keepdims, constant=constant)

    def mean(self, axis: Any = None, keepdims: bool = False, *, constant: Any = None) -> "Tensor":
        return _apply(np.mean, self, axis, keepdims=keepdims, constant=constant)

    def prod(self, axis: Any = None, keepdims: bool = False, *, constant: Any = None) -> "Tensor":
        return _apply(np.prod, self, axis, keepdims=keepdims, constant=constant)

    def max(self, axis: Any = None, keepdims: bool = False, *, constant: Any = None) -> "Tensor":
        return _apply(np.max, self, axis, keepdims=keepdims, constant=constant)

    def min(self, axis: Any = None, keepdims: bool = False, *, constant: Any = None) -> "Tensor":
        return _apply(np.min, self, axis, keepdims=keepdims, constant=constant)

    def var(self, axis: Any = None, ddof: int = 0, keepdims: bool = False, *,
            constant: Any = None) -> "Tensor":
        return _apply(np.var, self, axis, ddof=ddof, keepdims=keepdims, constant=constant)

    def std(self, axis: Any = None, ddof: int = 0, keepdims: bool = False, *,
            constant: Any = None) -> "Tensor":
        return _apply(np.std, self, axis, ddof=ddof, keepdims=keepdims, constant=constant)

    def cumsum(self, axis: Any = None, *, constant: Any = None) -> "Tensor":
        return _apply(np.cumsum, self, axis, constant=constant)

    def reshape(self, *shape: Any, constant: Any = None) -> "Tensor":
        shape = shape[0] if len(shape) == 1 else shape
        return _apply(np.reshape, self, shape, constant=constant)

    def transpose(self, *axes: Any, constant: Any = None) -> "Tensor":
        axes = axes[0] if len(axes) == 1 else (axes or None)
        return _apply(np.transpose, self, axes, constant=constant)

    def flatten(self, *, constant: Any = None) -> "Tensor":
        """A copy, as NumPy's (``ravel`` is the view): writing into it leaves ``self``."""
        return _apply(np.copy, _apply(np.ravel, self), constant=constant)

    def ravel(self, *, constant: Any = None) -> "Tensor":
        return _apply(np.ravel, self, constant=constant)

    def squeeze(self, axis: Any = None, *, constant: Any = None) -> "Tensor":
        return _apply(np.squeeze, self, axis, constant=constant)

    def swapaxes(self, axis1: int, axis2: int, *, constant: Any = None) -> "Tensor":
        return _apply(np.swapaxes, self, axis1, axis2, constant=constant)

    def clip(self, a_min: Any = None, a_max: Any = None, *, constant: Any = None,
             min: Any = None, max: Any = None) -> "Tensor":  # noqa: A002 - NumPy's names
        """``t.clip(lo, hi)``; NumPy 2.1's ``min=``/``max=`` name the bounds too."""
        return _apply(np.clip, self, a_min if min is None else min,
                      a_max if max is None else max, constant=constant)

    def dot(self, other: Any, *, constant: Any = None) -> "Tensor":
        return _apply(np.dot, self, other, constant=constant)

    # (NumPy's array methods MyGrad lacks, as np.<function> of the tensor: FK 4)
    def repeat(self, repeats: Any, axis: Any = None, *, constant: Any = None) -> "Tensor":
        return _apply(np.repeat, self, repeats, axis, constant=constant)

    def take(self, indices: Any, axis: Any = None, *, constant: Any = None) -> "Tensor":
        return _apply(np.take, self, indices, axis, constant=constant)

    def diagonal(self, offset: int = 0, axis1: int = 0, axis2: int = 1, *,
                 constant: Any = None) -> "Tensor":
        return _apply(np.diagonal, self, offset, axis1, axis2, constant=constant)

    def trace(self, offset: int = 0, axis1: int = 0, axis2: int = 1, *,
              constant: Any = None) -> "Tensor":
        return _apply(np.trace, self, offset, axis1, axis2, constant=constant)

    @property
    def mT(self) -> "Tensor":  # noqa: N802 - NumPy's name
        """The transpose of the last two axes (NumPy's ``a.mT``)."""
        return _apply(np.swapaxes, self, -1, -2)

    def copy(self, *, constant: Any = None) -> "Tensor":
        """A copy of the data and of the gradient, outside any graph (as in MyGrad:
        ``mg.copy(x)`` is the recorded copy that gradients flow through)."""
        out = Tensor(np.copy(self._data), constant=self._constant if constant is None
                     else constant, copy=False)
        grad = self.grad
        out._grad = None if grad is None else np.copy(grad)
        return out

    def __copy__(self) -> "Tensor":
        return self.copy()

    def __reduce__(self) -> tuple:
        # Pickled as copy() makes it (and deepcopy): a leaf with the values, constant-ness
        # and gradient, as NumPy pickles a view as an array of its own. The graph stays
        # with the tensor pickled (its weak references to views cannot be pickled, and
        # a copy of its operations would lock arrays no one holds).
        grad = self.grad
        return (_unpickled, (type(self), np.array(self._data), self._constant,
                             None if grad is None else np.array(grad)))

    def __deepcopy__(self, memo: dict) -> "Tensor":
        return self.copy()

    def astype(self, dtype: Any, casting: str = "unsafe", copy: bool = True, *,
               constant: Any = None) -> "Tensor":
        """The tensor cast to ``dtype``; a float result stays in the graph, so gradients
        flow back through the cast (MyGrad's leaves the graph: see the README).
        ``copy=False`` gives back this tensor when nothing changes."""
        dtype = np.dtype(dtype)
        if not copy and dtype == self._data.dtype and \
                (constant is None or constant == self._constant):
            return self
        if not np.can_cast(self._data.dtype, dtype, casting):
            self._data.astype(dtype, casting=casting)  # NumPy's TypeError
        return _apply(runtime.astype, self, dtype, constant=constant)

    def any(self, axis: Any = None, keepdims: bool = False) -> Any:
        return np.any(self._data, axis=axis, keepdims=keepdims)

    def cumprod(self, axis: Any = None, *, constant: Any = None) -> "Tensor":
        return _apply(np.cumprod, self, axis, constant=constant)

    def moveaxis(self, source: Any, destination: Any, *, constant: Any = None) -> "Tensor":
        return _apply(np.moveaxis, self, source, destination, constant=constant)

    def __floordiv__(self, other: Any) -> Any:
        return np.floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> Any:
        return np.floor_divide(other, self)

    def argmax(self, axis: Any = None) -> Any:
        return np.argmax(self._data, axis)

    def argmin(self, axis: Any = None) -> Any:
        return np.argmin(self._data, axis)


#: NumPy functions MyGrad refuses on non-constant tensors: piecewise constant, their
#: zero gradient is more likely a mistake than a wish. (``remainder`` and ``fmod``
#: have rules here, so they are differentiated instead.)
REFUSED = {np.floor_divide, np.divmod, np.rint, np.sign, np.floor, np.ceil, np.trunc}

def refuse_variables(function: Any, args: Any, kwargs: dict) -> None:
    """MyGrad's ValueError for a `REFUSED` function given a non-constant tensor."""
    if function not in REFUSED:
        return
    out = kwargs.get("out")
    operands = (*args, *kwargs.values(), *(out if isinstance(out, tuple) else ()))
    if any(isinstance(a, Tensor) and not a._constant for a in operands):
        raise ValueError(f"{function!r} cannot involve non-constant mygrad tensors.")


def _storing_into_an_item() -> bool:
    """Whether the code converting a tensor (``__float__``, ``__array__``: its frame two
    calls up) is at a store into an item, ``out[i] = t`` or the store of ``u[1:-1] +=
    t``: NumPy converting the tensor to write it into an array (a tensor's own writes
    are recorded and never convert)."""
    import dis
    import sys
    frame = sys._getframe(3)
    code = frame.f_code.co_code
    return 0 <= frame.f_lasti < len(code) and \
        dis.opname[code[frame.f_lasti]] in ("STORE_SUBSCR", "STORE_SLICE")


def _foreign_caller() -> Optional[str]:
    """``scipy.special._logsumexp.logsumexp (called at fit.py:12)``: the function outside
    NumPy and this package that the user's code called and that converted a tensor to
    an array (``scipy.stats.norm.logpdf(t)``: the Tensor API records NumPy's functions
    and ufuncs, whose protocols hand it the tensors); None where NumPy's own or no
    library function converted it."""
    import os
    import sys
    frame, outermost = sys._getframe(2), None
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    while frame is not None:
        filename = frame.f_code.co_filename
        library = "site-packages" in filename or "dist-packages" in filename or \
            filename.startswith(sys.base_prefix)
        if filename.startswith(package):
            pass
        elif library:
            outermost = frame
        else:
            break
        frame = frame.f_back
    if outermost is None or frame is None:
        return None
    module = outermost.f_globals.get("__name__", "")
    if module.split(".")[0] == "numpy":
        return None
    name = getattr(outermost.f_code, "co_qualname", outermost.f_code.co_name)
    return (f"{module}.{name} (called at {os.path.basename(frame.f_code.co_filename)}:"
            f"{frame.f_lineno})")


def _scattered_into(ufunc: Any, x: Any, index: Any, v: Any) -> None:
    """``np.add.at(x, index, v)`` (``np.subtract.at``) with tensors: ``x += scattered``,
    an in-place operation on the tensor ``x`` (repeated positions add up), as grad
    writes it. Into a NumPy array, a variable's values would drop its gradient."""
    index = backprop.unwrap(index)
    if not isinstance(x, Tensor):
        if isinstance(v, Tensor) and not v._constant and backprop._Recording.enabled:
            raise GradientDropped(
                f"np.{ufunc.__name__}.at writes the values of a tensor into a NumPy "
                "array, which would drop its gradient: make the array a tensor "
                "(mg.zeros(shape, constant=False)), or write x = x + ... instead")
        ufunc.at(x, index, backprop.unwrap(v))
        return None
    update = _apply(runtime.scattered, v, x._data, index)
    if ufunc is np.add:
        x += update
    else:
        x -= update
    return None


def _call_numpy(func: Any, args: tuple, kwargs: dict) -> Any:
    """A NumPy function or ufunc called on tensors: recorded when it has a rule."""
    if registry.lookup(func) is not None:
        return _apply(func, *args, **kwargs)
    composite = registry.composite(func)
    if composite is not None:  # np.cov: the code computing it, recorded op by op
        return composite(*args, **kwargs)
    if func in (np.zeros_like, np.ones_like, np.empty_like) and args and \
            isinstance(args[0], Tensor):
        # a tensor, as MyGrad gives (np.zeros_like(x) then out[i] = x[i] ** 2)
        from . import functions
        return getattr(functions, func.__name__)(*args, **kwargs)
    refuse_variables(func, args, kwargs)
    for value in (*args, *kwargs.values()):  # NumPy may write into what it is given
        if isinstance(value, Tensor):
            value.data  # noqa: B018 - exposes the array (memory.expose)
    raw_args = backprop.unwrap(args)
    raw_kwargs = {k: backprop.unwrap(v) for k, v in kwargs.items()}
    if registry.is_nondifferentiable(func) or func in _VALUE_FUNCTIONS:
        return func(*raw_args, **raw_kwargs)
    name = registry.primitive_name(func)
    raise TypeError(f"{name} has no derivative rule in autograd_src, so calling it on a "
                    f"Tensor would silently drop the gradient; call it on tensor.data to "
                    "treat the result as a constant, or register a rule with "
                    "autograd_src.extend.defvjp")


def tensor(data: Any, dtype: Any = None, *, constant: Optional[bool] = None,
           copy: bool = True, ndmin: int = 0) -> Tensor:
    """Create a tensor, as ``np.array`` creates an array.

    ``copy=False`` shares ``data``'s memory where it can, and gives back a tensor
    that already fits (dtype, constant, ``ndmin``) itself. ``constant`` must be a
    bool; None infers it from the dtype (floats are variables), also for a tensor
    given as ``data``. Complex, string and object data raise a TypeError.

    Examples
    --------
    >>> import autograd_src as mg
    >>> mg.tensor([1., 2., 3], dtype="float32")
    Tensor([1., 2., 3.], dtype=float32)
    >>> mg.tensor([1, 2], dtype=int).constant
    True
    >>> x = mg.tensor([1.0, 2.0])
    >>> mg.tensor(x, copy=False) is x
    True
    """
    if not copy and isinstance(data, Tensor) and data.ndim >= ndmin \
            and (dtype is None or np.dtype(dtype) == data.dtype) \
            and (constant is None or constant == data._constant):
        return data
    return Tensor(data, dtype=dtype, constant=constant, copy=copy, ndmin=ndmin)


def astensor(data: Any, dtype: Any = None, *, constant: Optional[bool] = None) -> Tensor:
    """``data`` as a tensor, without a copy where possible: a tensor that fits is
    returned itself, an array's memory is shared (MyGrad's ``astensor``)."""
    if isinstance(data, Tensor) and (constant is None or constant == data._constant):
        if dtype is None or np.dtype(dtype) == data.dtype:
            return data
        constant = data._constant
    return tensor(data, dtype=dtype, constant=constant, copy=False)


def asarray(data: Any, dtype: Any = None) -> np.ndarray:
    """The NumPy array underneath ``data`` (a tensor's data is returned, not copied)."""
    if isinstance(data, Tensor):
        data = data.data  # exposed: read-only while a live graph holds it
    return np.asarray(backprop.unwrap(data), dtype=dtype)


def _unpickled(kind: type, data: np.ndarray, constant: bool, grad: Any) -> Tensor:
    """A tensor pickled (`Tensor.__reduce__`), made again: a leaf."""
    out = kind(data, constant=constant, copy=False)
    out._grad = grad
    return out
