"""Small helpers that generated derivatives and the rule table call at run time.

Generated code imports this module under a reserved name (``_ad``), so it never
depends on how the user imported NumPy. Every helper keeps the dtype of its
array arguments: scalars that enter arithmetic are Python numbers (NEP 50), so
float32 stays float32.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

__all__ = [
    "seed", "unbroadcast", "unreduce", "unmean", "unextreme", "unvar", "unstd",
    "unprod", "uncumsum", "unindex", "unconcatenate", "unstack", "untile",
    "unrepeat", "untrace", "matmul_lhs", "matmul_rhs", "dot_lhs", "dot_rhs",
    "inner_lhs", "inner_rhs", "solve_lhs", "norm_grad", "einsum_grads",
    "inverse_permutation", "clip_mask", "log_or_zero", "zeros_like",
]

# Helpers whose result depends only on their (constant) arguments: the
# optimizer may evaluate a call to one of these at transformation time.
FOLDABLE: set[str] = {"inverse_permutation"}


def _shape(x: Any) -> tuple[int, ...]:
    # Python numbers have no .shape and are scalars; np.shape would be slower.
    shape = getattr(x, "shape", None)
    if shape is not None:
        return shape
    return () if isinstance(x, (int, float)) else np.shape(x)


def _dtype_of(x: Any) -> Any:
    return x.dtype if hasattr(x, "dtype") else np.result_type(x)


def zeros_like(x: Any) -> Any:
    """The zero gradient for ``x``: ``0.0`` for a number, a list for a list, else an array."""
    if type(x) is float or type(x) is int:
        return 0.0
    if type(x) is list or type(x) is tuple:
        return [zeros_like(e) for e in x]
    if type(x) is dict:
        return {k: zeros_like(v) for k, v in x.items()}
    return np.zeros_like(x)


def seed(dout: Any, out: Any = 0.0) -> Any:
    """The seed of the backward sweep: ones shaped like ``out``, or ``dout`` checked.

    A non-scalar output is seeded with ones, which gives the gradient of
    ``sum(out)``, as MyGrad's ``backward()`` does. Without ``out`` the output is
    known to be a scalar.
    """
    if type(out) is list or type(out) is tuple:  # a helper returning several values
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
    out_shape = _shape(out)
    seed_shape = _shape(dout)
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
        return np.broadcast_to(dout, out_shape).astype(_dtype_of(out))
    if not out_shape and isinstance(dout, (np.floating, np.ndarray)) and \
            dout.dtype.kind == "f":
        # A scalar seed multiplies adjoints directly (the seed of a full sum is not
        # broadcast first): given the output's precision, or none as a Python float,
        # it keeps float32 gradients float32.
        kind = _dtype_of(out) if isinstance(out, (np.generic, np.ndarray)) else None
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
    if type(g) in _SCALARS and type(x) in _SCALARS:  # scalar loops call this a lot
        return g
    shape = x if type(x) is tuple else _shape(x)
    g_shape = _shape(g)
    if g_shape == shape:
        if not shape and type(g) is np.ndarray and type(x) is not tuple \
                and not isinstance(x, np.ndarray):
            return g[()]  # a float's gradient is a float (np.float64), not a 0-d array
        return g
    extra = len(g_shape) - len(shape)
    if extra < 0:
        # g was computed from a broadcast of lower rank (e.g. a scalar seed).
        return np.broadcast_to(g, shape).copy()
    axes = tuple(range(extra)) + tuple(
        i + extra for i, n in enumerate(shape) if n == 1 and g_shape[i + extra] != 1
    )
    if axes:
        g = np.sum(g, axis=axes, keepdims=True)
    if extra:
        g = g.reshape(g.shape[extra:])
    if _shape(g) != shape:
        g = np.broadcast_to(g, shape).copy()
    if not shape and type(x) is not tuple and not isinstance(x, np.ndarray):
        return g[()]
    return g


def _normalize_axes(axis: Any, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (int, np.integer)):
        axis = (axis,)
    return tuple(sorted(int(a) % ndim if ndim else 0 for a in axis))


def _keep_reduced_dims(g: Any, x: Any, axis: Any, keepdims: bool) -> Any:
    """Reinsert the reduced axes of ``g`` as length-1 axes."""
    if keepdims or axis is None:
        return g
    return np.expand_dims(g, _normalize_axes(axis, np.ndim(x)))


def unreduce(g: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Spread the gradient of a sum over ``axis`` back to the shape of ``x``."""
    shape = _shape(x)
    if axis is None and shape and _shape(g) in ((), (1,) * len(shape)):
        # np.empty + fill is several times faster than np.full on small arrays.
        out = np.empty(shape, dtype=x.dtype if isinstance(x, np.ndarray)
                       else np.result_type(g, x))
        out.fill(g if not _shape(g) else np.ravel(g)[0])
        return out
    g = _keep_reduced_dims(g, x, axis, keepdims)
    if not shape:  # the gradient of a 0-d array is one, of a NumPy scalar a scalar
        if isinstance(x, (np.ndarray, np.generic)) and type(x) is not np.float64:
            value = np.asarray(g, dtype=np.result_type(g, x)).reshape(())
            return value if isinstance(x, np.ndarray) else value[()]
        return g if _shape(g) == () else np.reshape(g, ())
    return np.broadcast_to(g, shape).copy()


def _count(x: Any, axis: Any) -> int:
    shape = _shape(x)
    if axis is None:
        return math.prod(shape)
    return math.prod(shape[a] for a in _normalize_axes(axis, len(shape)))


def unmean(g: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Gradient of ``mean(x, axis)``."""
    return unreduce(g / _count(x, axis), x, axis, keepdims)


def unextreme(g: Any, ans: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Gradient of ``max``/``min``: split evenly between tied extreme entries."""
    ans = _keep_reduced_dims(ans, x, axis, keepdims)
    g = _keep_reduced_dims(g, x, axis, keepdims)
    hits = np.asarray(x) == ans
    count = np.sum(hits, axis=None if axis is None else _normalize_axes(axis, np.ndim(x)),
                   keepdims=True)
    return g * hits / count.astype(np.result_type(g, x))


def unvar(g: Any, x: Any, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> Any:
    """Gradient of ``var(x, axis, ddof)``."""
    g = _keep_reduced_dims(g, x, axis, keepdims)
    norm_axes = None if axis is None else _normalize_axes(axis, np.ndim(x))
    centred = x - np.mean(x, axis=norm_axes, keepdims=True)
    return g * centred * (2 / (_count(x, axis) - ddof))


def unstd(g: Any, ans: Any, x: Any, axis: Any = None, ddof: int = 0,
          keepdims: bool = False) -> Any:
    """Gradient of ``std(x, axis, ddof)``.

    Where the spread is zero (one element, or all alike) the gradient is 0: with
    one element ``std`` is constant, and otherwise 0 is the subgradient at the
    tip of the cone, as for ``abs`` and ``norm`` at 0 (the textbook formula gives
    0/0 = nan).
    """
    ans = _keep_reduced_dims(ans, x, axis, keepdims)
    g = _keep_reduced_dims(g, x, axis, keepdims)
    flat = ans == 0
    scale = np.where(flat, 0.0, g / (2 * np.where(flat, 1, ans)))
    return unvar(scale, x, axis, ddof, keepdims=True)


def _exclusive_products(x: np.ndarray, axis: int) -> np.ndarray:
    """Product of all the other entries along ``axis``, exact when entries are zero."""
    ones = np.ones_like(np.take(x, [0], axis=axis))
    before = np.cumprod(np.concatenate([ones, np.delete(x, -1, axis=axis)], axis=axis), axis=axis)
    flipped = np.flip(x, axis=axis)
    after = np.cumprod(np.concatenate([ones, np.delete(flipped, -1, axis=axis)], axis=axis),
                       axis=axis)
    return before * np.flip(after, axis=axis)


def unprod(g: Any, ans: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Gradient of ``prod(x, axis)``, exact where ``x`` has zeros."""
    x = np.asarray(x)
    g = _keep_reduced_dims(g, x, axis, keepdims)
    if x.ndim == 0:
        return g * np.ones_like(x)
    axes = _normalize_axes(axis, x.ndim)
    rest = tuple(a for a in range(x.ndim) if a not in axes)
    moved = np.transpose(x, rest + axes)
    flat = moved.reshape(moved.shape[: len(rest)] + (-1,))
    others = _exclusive_products(flat, -1).reshape(moved.shape)
    others = np.transpose(others, inverse_permutation(rest + axes))
    return g * others


def uncumsum(g: Any, x: Any, axis: Any = None) -> Any:
    """Gradient of ``cumsum(x, axis)``: a reversed cumulative sum."""
    if axis is None:
        return np.flip(np.cumsum(np.flip(np.ravel(g)))).reshape(_shape(x))
    return np.flip(np.cumsum(np.flip(g, axis), axis), axis)


def _has_array_index(index: Any) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return any(
        isinstance(i, (list, np.ndarray)) and np.asarray(i).dtype != bool for i in items
    )


def unindex(g: Any, x: Any, index: Any) -> Any:
    """Gradient of ``x[index]``: ``g`` scattered into zeros; repeated entries add up."""
    if type(x) is list or type(x) is tuple or type(x) is dict:
        grads = zeros_like(x)
        if isinstance(index, slice):
            for k, piece in zip(range(*index.indices(len(x))), g):
                grads[k] = piece
        else:
            grads[index] = g
        return grads
    out = np.zeros(_shape(x), dtype=_dtype_of(g) if _shape(x) else _dtype_of(x))
    if _has_array_index(index):
        np.add.at(out, index, g)
    else:
        out[index] = g
    return out


def unconcatenate(g: Any, arrays: Sequence[Any], axis: Any = 0) -> tuple[Any, ...]:
    """Gradients of ``concatenate(arrays, axis)``: ``g`` split back into the pieces."""
    if axis is None:
        sizes = [np.size(a) for a in arrays]
        pieces = np.split(g, np.cumsum(sizes)[:-1])
        return tuple(p.reshape(_shape(a)) for p, a in zip(pieces, arrays))
    sizes = [_shape(a)[axis] for a in arrays]
    return tuple(np.split(g, np.cumsum(sizes)[:-1], axis=axis))


def unstack(g: Any, arrays: Sequence[Any], axis: int = 0) -> tuple[Any, ...]:
    """Gradients of ``stack(arrays, axis)``."""
    return tuple(np.take(g, i, axis=axis) for i in range(len(arrays)))


def unhstack(g: Any, arrays: Sequence[Any]) -> tuple[Any, ...]:
    """Gradients of ``hstack(arrays)``."""
    if all(np.ndim(a) == 1 for a in arrays):
        return unconcatenate(g, arrays, 0)
    pieces = unconcatenate(g, [np.atleast_1d(a) for a in arrays], 1)
    return tuple(p.reshape(_shape(a)) for p, a in zip(pieces, arrays))


def unvstack(g: Any, arrays: Sequence[Any]) -> tuple[Any, ...]:
    """Gradients of ``vstack(arrays)``."""
    pieces = unconcatenate(g, [np.atleast_2d(a) for a in arrays], 0)
    return tuple(p.reshape(_shape(a)) for p, a in zip(pieces, arrays))


def untile(g: Any, x: Any, reps: Any) -> Any:
    """Gradient of ``tile(x, reps)``: sum over the copies."""
    shape = _shape(x)
    reps = (reps,) if np.ndim(reps) == 0 else tuple(reps)
    ndim = max(len(shape), len(reps))
    shape_full = (1,) * (ndim - len(shape)) + tuple(shape)
    reps_full = (1,) * (ndim - len(reps)) + reps
    interleaved = [n for pair in zip(reps_full, shape_full) for n in pair]
    summed = np.reshape(g, interleaved).sum(axis=tuple(range(0, 2 * ndim, 2)))
    return summed.reshape(shape)


def unrepeat(g: Any, x: Any, repeats: Any, axis: Any = None) -> Any:
    """Gradient of ``repeat(x, repeats, axis)``: sum over each block of copies."""
    shape = _shape(x)
    if axis is None:
        flat_len = math.prod(shape)
        owners = np.repeat(np.arange(flat_len), repeats)
        return np.bincount(owners, weights=np.ravel(g), minlength=flat_len).astype(
            _dtype_of(g), copy=False).reshape(shape)
    axis = axis % len(shape)
    owners = np.repeat(np.arange(shape[axis]), repeats)
    moved = np.moveaxis(g, axis, 0)
    out = np.zeros((shape[axis],) + moved.shape[1:], dtype=_dtype_of(g))
    np.add.at(out, owners, moved)
    return np.moveaxis(out, 0, axis)


def untrace(g: Any, x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    """Gradient of ``trace(x, offset, axis1, axis2)``."""
    shape = _shape(x)
    eye = np.eye(shape[axis1], shape[axis2], k=offset, dtype=_dtype_of(g))
    moved_shape = [n for i, n in enumerate(shape) if i not in (axis1 % len(shape),
                                                               axis2 % len(shape))]
    grad = np.asarray(g).reshape(tuple(moved_shape) + (1, 1)) * eye
    return np.moveaxis(grad, (-2, -1), (axis1, axis2))


def _ndim(x: Any) -> int:
    ndim = getattr(x, "ndim", None)
    return ndim if ndim is not None else np.ndim(x)


def matmul_lhs(g: Any, x: Any, y: Any) -> Any:
    """Gradient of ``x @ y`` with respect to ``x``."""
    nx, ny = _ndim(x), _ndim(y)
    if nx == 2 and ny == 2:
        return g @ y.T
    if nx == 1 and ny == 2:
        return y @ g
    if np.ndim(y) == 1:
        if np.ndim(x) == 1:
            return g * y
        return unbroadcast(np.expand_dims(g, -1) * y, x)
    if np.ndim(x) == 1:
        return unbroadcast(np.squeeze(np.expand_dims(g, -2) @ np.swapaxes(y, -1, -2), -2), x)
    return unbroadcast(g @ np.swapaxes(y, -1, -2), x)


def matmul_rhs(g: Any, x: Any, y: Any) -> Any:
    """Gradient of ``x @ y`` with respect to ``y``."""
    nx, ny = _ndim(x), _ndim(y)
    if nx == 2 and ny == 2:
        return x.T @ g
    if nx == 2 and ny == 1:
        return g @ x
    if np.ndim(x) == 1:
        if np.ndim(y) == 1:
            return g * x
        return unbroadcast(np.expand_dims(x, -1) * np.expand_dims(g, -2), y)
    if np.ndim(y) == 1:
        return unbroadcast(np.squeeze(np.swapaxes(x, -1, -2) @ np.expand_dims(g, -1), -1), y)
    return unbroadcast(np.swapaxes(x, -1, -2) @ g, y)


def _check_dot(x: Any, y: Any) -> None:
    if np.ndim(x) > 2 or np.ndim(y) > 2:
        raise NotImplementedError(
            "the gradient of np.dot on arrays of more than 2 dimensions is not "
            "supported; write np.matmul or np.einsum instead"
        )


def dot_lhs(g: Any, x: Any, y: Any) -> Any:
    """Gradient of ``np.dot(x, y)`` with respect to ``x``."""
    _check_dot(x, y)
    if np.ndim(x) == 0 or np.ndim(y) == 0:
        return unbroadcast(g * y, x)
    return matmul_lhs(g, x, y)


def dot_rhs(g: Any, x: Any, y: Any) -> Any:
    """Gradient of ``np.dot(x, y)`` with respect to ``y``."""
    _check_dot(x, y)
    if np.ndim(x) == 0 or np.ndim(y) == 0:
        return unbroadcast(g * x, y)
    return matmul_rhs(g, x, y)


def inner_lhs(g: Any, x: Any, y: Any) -> Any:
    """Gradient of ``np.inner(x, y)`` with respect to ``x``."""
    if np.ndim(x) == 0 or np.ndim(y) == 0:
        return unbroadcast(g * y, x)
    nx, ny = np.ndim(x), np.ndim(y)
    return np.tensordot(g, y, axes=(list(range(nx - 1, nx + ny - 2)), list(range(ny - 1))))


def inner_rhs(g: Any, x: Any, y: Any) -> Any:
    """Gradient of ``np.inner(x, y)`` with respect to ``y``."""
    if np.ndim(x) == 0 or np.ndim(y) == 0:
        return unbroadcast(g * x, y)
    nx = np.ndim(x)
    return np.tensordot(g, x, axes=(list(range(nx - 1)), list(range(nx - 1))))


def solve_lhs(g: Any, a: Any, ans: Any) -> Any:
    """Gradient of ``np.linalg.solve(a, b)`` with respect to ``a``."""
    gb = np.linalg.solve(np.swapaxes(a, -1, -2), g)
    if np.ndim(ans) == 1:
        return -np.outer(gb, ans)
    return -gb @ np.swapaxes(ans, -1, -2)


def norm_grad(g: Any, ans: Any, x: Any, ord: Any = None, axis: Any = None,
              keepdims: bool = False) -> Any:
    """Gradient of ``np.linalg.norm(x, ord, axis)`` for the 2-norm, Frobenius and 1-norm."""
    matrix = (axis is None and np.ndim(x) == 2) or (isinstance(axis, tuple) and len(axis) == 2)
    if ord in (None, "fro", 2) and not (ord == 2 and matrix):
        ans = _keep_reduced_dims(ans, x, axis, keepdims)
        g = _keep_reduced_dims(g, x, axis, keepdims)
        safe = np.where(ans == 0, 1, ans)
        return g * x / safe
    if ord == 1 and not matrix:
        g = _keep_reduced_dims(g, x, axis, keepdims)
        return g * np.sign(x)
    raise NotImplementedError(
        f"the gradient of np.linalg.norm with ord={ord!r} is not supported; "
        "use ord=None, 'fro' or 1 (or write the norm out with NumPy)"
    )


def _einsum_parts(subscripts: str, n: int) -> tuple[list[str], str]:
    subscripts = subscripts.replace(" ", "")
    if "." in subscripts:
        raise NotImplementedError("the gradient of einsum with '...' is not supported")
    if "->" in subscripts:
        lhs, out = subscripts.split("->")
    else:
        lhs = subscripts
        letters = lhs.replace(",", "")
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    inputs = lhs.split(",")
    if len(inputs) != n:
        raise ValueError(f"einsum subscripts {subscripts!r} name {len(inputs)} operands, got {n}")
    for term in inputs:
        if len(set(term)) != len(term):
            raise NotImplementedError(
                "the gradient of einsum with a repeated index inside one operand "
                f"({term!r}) is not supported")
    return inputs, out


def einsum_grads(g: Any, subscripts: str, operands: Sequence[Any]) -> tuple[Any, ...]:
    """Gradients of ``np.einsum(subscripts, *operands)`` for one or two operands."""
    if len(operands) > 2:
        raise NotImplementedError("the gradient of einsum with more than two operands "
                                  "is not supported; split it into two-operand einsums")
    inputs, out = _einsum_parts(subscripts, len(operands))
    grads = []
    for i, (term, x) in enumerate(zip(inputs, operands)):
        others = [(t, o) for j, (t, o) in enumerate(zip(inputs, operands)) if j != i]
        available = set(out).union(*[set(t) for t, _ in others])
        kept = "".join(c for c in term if c in available)
        spec = ",".join([out] + [t for t, _ in others]) + "->" + kept
        partial = np.einsum(spec, g, *[o for _, o in others])
        if kept != term:
            # Indices summed in this operand alone: their gradient is broadcast.
            shape = _shape(x)
            expanded = np.reshape(partial, [shape[k] if c in kept else 1
                                            for k, c in enumerate(term)])
            partial = np.broadcast_to(expanded, shape).copy()
        grads.append(partial)
    return tuple(grads)


def inverse_permutation(axes: Any) -> Any:
    """The axes that undo ``transpose(x, axes)``; None stays None."""
    if axes is None:
        return None
    return tuple(int(i) for i in np.argsort(axes))


def clip_mask(x: Any, lo: Any, hi: Any) -> Any:
    """Where ``clip(x, lo, hi)`` passes ``x`` through (gradient 1) rather than a bound."""
    inside = np.ones(_shape(x), dtype=bool)
    if lo is not None:  # a bound may broadcast x to a larger shape: no in-place &=
        inside = inside & (x >= lo)
    if hi is not None:
        inside = inside & (x <= hi)
    return inside


def log_or_zero(x: Any) -> Any:
    """``log(x)`` where ``x > 0``, else 0: the factor in d(x**y)/dy that stays finite at 0."""
    x = np.asarray(x) if not isinstance(x, float) else x
    if isinstance(x, float):
        return math.log(x) if x > 0 else 0.0
    return np.log(np.where(x > 0, x, 1))


def astype(x: Any, dtype: Any) -> Any:
    """``x.astype(dtype)`` as a function, so it can carry a derivative rule."""
    return np.asarray(x).astype(dtype)


def cast_like(g: Any, x: Any) -> Any:
    """``g`` in the dtype of ``x`` (the gradient of a cast)."""
    return np.asarray(g).astype(_dtype_of(x), copy=False)


def setitem(x: Any, index: Any, v: Any) -> Any:
    """``x`` with ``x[index] = v`` applied to a copy: assignment into an array (or a
    list or dict), as a value."""
    kind = type(x)
    out = kind(x) if kind is list or kind is dict else np.array(x, copy=True)
    out[index] = v
    return out


def zero_at(g: Any, index: Any) -> Any:
    """``g`` with the entries at ``index`` set to zero (they were overwritten)."""
    kind = type(g)
    if kind is list or kind is dict:
        out = kind(g)
        out[index] = zeros_like(g[index])
        return out
    out = np.array(g, copy=True)
    out[index] = 0
    return out


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


# ----- lists of values (their adjoints are lists of adjoints) -----


def pack(*items: Any) -> list:
    """``[a, b, c]`` as a function, so a list literal can carry a derivative rule."""
    return list(items)


def appended(items: list, value: Any) -> list:
    """``items + [value]``: ``items.append(value)`` as a value, so it can be reversed."""
    return items + [value]


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


def _sequence(x: Any) -> bool:
    return type(x) is list or type(x) is tuple


def joined(a: Any, b: Any) -> Any:
    """``a + b`` of two lists or tuples: their concatenation, as a function."""
    return a + b


def plus(a: Any, b: Any) -> Any:
    """Python's ``a + b`` where the operands may be lists or tuples (concatenation) as
    well as numbers or arrays: the code calls this where it cannot tell which."""
    return a + b


def unplus(g: Any, a: Any, b: Any, which: int) -> Any:
    """The adjoint of operand ``which`` of `plus`: a slice of ``g`` for a
    concatenation, else ``g`` summed to the operand's shape."""
    if _sequence(a) and _sequence(b):
        return g[:len(a)] if which == 0 else g[len(a):]
    return unbroadcast(g, a if which == 0 else b)


def times(a: Any, b: Any) -> Any:
    """Python's ``a * b`` where one operand may be a list or tuple repeated by the other."""
    return a * b


def untimes(g: Any, a: Any, b: Any, which: int) -> Any:
    """The adjoint of operand ``which`` of `times`: for a repeated list, the sum of
    the adjoints of its copies (and none for the count), else a product's."""
    if _sequence(a) or _sequence(b):
        items, count = (a, 1) if _sequence(a) else (b, 0)
        if which == count:
            return None
        n = len(items)
        total = list(g[:n])
        for start in range(n, len(g), n):
            total = add(total, list(g[start:start + n]))
        return total
    return unbroadcast(g * (b if which == 0 else a), a if which == 0 else b)


def add(a: Any, b: Any) -> Any:
    """Sum two adjoints, item by item when they are lists, tuples or dicts."""
    if type(a) is list or type(a) is tuple:
        if len(a) != len(b):
            raise ValueError(f"adjoints of {len(a)} and {len(b)} items cannot be added")
        return [add(x, y) for x, y in zip(a, b)]
    if type(a) is dict:
        return {k: add(v, b[k]) for k, v in a.items()}
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
    """Gradient of ``np.array(a)``: ``g`` itself, or split into items when ``a`` is a list."""
    if type(a) is list or type(a) is tuple:
        return [like_input(piece, item) for piece, item in zip(g, a)]
    return unbroadcast(g, a) if np.ndim(g) != np.ndim(a) else g
