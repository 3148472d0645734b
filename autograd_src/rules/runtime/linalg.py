"""Adjoints of products and linear algebra: matmul, dot, inner, solve, norms, einsum.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .core import shape_of, unbroadcast
from .reductions import keep_reduced_dims

__all__ = ["matmul_lhs", "matmul_rhs", "dot_lhs", "dot_rhs", "dot_of_data", "inner_lhs",
           "inner_rhs", "solve_lhs", "norm_grad", "einsum_grads", "tensordot_lhs",
           "tensordot_rhs", "cross_grad"]


def _ndim(x: Any) -> int:
    ndim = getattr(x, "ndim", None)
    return ndim if ndim is not None else np.ndim(x)


def _as_arrays(x: Any, y: Any) -> tuple[Any, Any]:
    """Lists and tuples given as operands (``np.dot([1.0, 2.0], w)``, data passed as a
    list) as the arrays NumPy made of them."""
    if type(x) is list or type(x) is tuple:
        x = np.asarray(x)
    if type(y) is list or type(y) is tuple:
        y = np.asarray(y)
    return x, y


def matmul_lhs(g: Any, x: Any, y: Any) -> Any:
    """Gradient of ``x @ y`` with respect to ``x``."""
    x, y = _as_arrays(x, y)
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
    x, y = _as_arrays(x, y)
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


def _dot_axes(x: Any, y: Any) -> tuple[list[int], list[int]]:
    """``np.dot(x, y)`` as a tensordot: the last axis of x with the second-to-last of y."""
    return [np.ndim(x) - 1], [max(np.ndim(y) - 2, 0)]


def dot_of_data(a: Any, b: Any, where: str = "") -> Any:
    """``a.dot(b)`` where ``b`` carries gradient and ``a`` does not (``X.dot(w)``, the
    data's method): ``np.dot(a, b)`` for an array ``a``; another object's ``.dot`` is
    its own, which grad cannot differentiate, and is refused (``where``: the line)."""
    if not isinstance(a, np.ndarray):
        raise TypeError(f"{where}: .dot() of a {type(a).__name__} is given a differentiated "
                        "value: grad knows the .dot of NumPy arrays only; for another "
                        "object, write the product with a function grad knows (np.dot, @)")
    return a.dot(b)


def dot_lhs(g: Any, x: Any, y: Any) -> Any:
    """Gradient of ``np.dot(x, y)`` with respect to ``x``."""
    x, y = _as_arrays(x, y)
    if np.ndim(x) == 0 or np.ndim(y) == 0:
        return unbroadcast(g * y, x)
    if np.ndim(x) > 2 or np.ndim(y) > 2:
        return tensordot_lhs(g, x, y, _dot_axes(x, y))
    return matmul_lhs(g, x, y)


def dot_rhs(g: Any, x: Any, y: Any) -> Any:
    """Gradient of ``np.dot(x, y)`` with respect to ``y``."""
    x, y = _as_arrays(x, y)
    if np.ndim(x) == 0 or np.ndim(y) == 0:
        return unbroadcast(g * x, y)
    if np.ndim(x) > 2 or np.ndim(y) > 2:
        return tensordot_rhs(g, x, y, _dot_axes(x, y))
    return matmul_rhs(g, x, y)


def _tensordot_axes(x: Any, y: Any, axes: Any) -> tuple[list[int], list[int]]:
    """The contracted axes of ``tensordot(x, y, axes)`` as two lists of non-negative ints."""
    nx, ny = np.ndim(x), np.ndim(y)
    if np.ndim(axes) == 0:
        n = int(axes)
        return list(range(nx - n, nx)), list(range(n))
    ax, ay = axes
    ax = [ax] if np.ndim(ax) == 0 else list(ax)
    ay = [ay] if np.ndim(ay) == 0 else list(ay)
    return [int(a) % nx for a in ax], [int(a) % ny for a in ay]


def tensordot_lhs(g: Any, x: Any, y: Any, axes: Any = 2) -> Any:
    """Gradient of ``np.tensordot(x, y, axes)`` with respect to ``x`` (every axes form)."""
    ax, ay = _tensordot_axes(x, y, axes)
    nx, ny = np.ndim(x), np.ndim(y)
    free_x = [a for a in range(nx) if a not in ax]
    free_y = [a for a in range(ny) if a not in ay]
    # g's axes: x's free axes, then y's; contract y's free axes against y.
    g_axes = list(range(len(free_x), len(free_x) + len(free_y)))
    partial = np.tensordot(g, y, axes=(g_axes, free_y))  # free_x, then y's ay ascending
    order = free_x + [ax[ay.index(j)] for j in sorted(ay)]
    return np.transpose(partial, np.argsort(order)) if order else partial


def tensordot_rhs(g: Any, x: Any, y: Any, axes: Any = 2) -> Any:
    """Gradient of ``np.tensordot(x, y, axes)`` with respect to ``y``."""
    ax, ay = _tensordot_axes(x, y, axes)
    nx, ny = np.ndim(x), np.ndim(y)
    free_x = [a for a in range(nx) if a not in ax]
    free_y = [a for a in range(ny) if a not in ay]
    g_axes = list(range(len(free_x)))
    partial = np.tensordot(x, g, axes=(free_x, g_axes))  # x's ax ascending, then free_y
    order = [ay[ax.index(i)] for i in sorted(ax)] + free_y
    return np.transpose(partial, np.argsort(order)) if order else partial


def cross_grad(g: Any, a: Any, b: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1,
               axis: Any = None, which: int = 0) -> Any:
    """Gradient of ``np.cross(a, b, axisa, axisb, axisc, axis)`` for ``a`` (0) or ``b`` (1).

    With the vectors moved to the last axis the product is ``cross(a, b)``; its
    adjoint for ``a`` is ``cross(b, g)`` and for ``b`` is ``cross(g, a)`` (3-vectors),
    and for 2-vectors, whose product is the scalar ``a0 b1 - a1 b0``,
    ``g * (b1, -b0)`` and ``g * (-a1, a0)``.
    """
    if axis is not None:
        axisa = axisb = axisc = axis
    am = np.moveaxis(a, axisa, -1)
    bm = np.moveaxis(b, axisb, -1)
    n_out = 3 if 3 in (am.shape[-1], bm.shape[-1]) else 0
    gm = np.moveaxis(g, axisc, -1) if n_out else np.asarray(g)
    a3 = am if am.shape[-1] == 3 else np.concatenate([am, np.zeros(am.shape[:-1] + (1,))], -1)
    b3 = bm if bm.shape[-1] == 3 else np.concatenate([bm, np.zeros(bm.shape[:-1] + (1,))], -1)
    if not n_out:  # both 2-vectors: the result is the third component
        gm = np.stack([np.zeros_like(gm), np.zeros_like(gm), gm], axis=-1)
    own, other = (am, b3) if which == 0 else (bm, a3)
    full = np.cross(other, gm) if which == 0 else np.cross(gm, other)
    full = full[..., :own.shape[-1]]
    x = a if which == 0 else b
    place = (axisa if which == 0 else axisb) % np.ndim(x) - np.ndim(x)
    return unbroadcast(np.moveaxis(full, -1, place), x)


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
    """Gradient of ``np.linalg.norm(x, ord, axis, keepdims)``: vector norms of every
    ``ord`` (numbers, ``inf``, ``-inf``, 0) and the matrix norms (``'fro'``, ``'nuc'``,
    2, -2, 1, -1, ``inf``, ``-inf``), on stacks too.

    At a zero vector (or matrix) the 2-norm and Frobenius gradient is 0, the
    subgradient at the tip of the cone (the formula ``x / norm`` gives 0/0); so is
    a p-norm's for ``p >= 1``. Ties of ``inf``/``-inf`` norms and of the largest
    column or row sum share the gradient evenly.
    """
    from .decompositions import unmatrix_norm
    ndim = np.ndim(x)
    if isinstance(axis, (tuple, list)) and len(axis) == 2:
        return unmatrix_norm(g, ans, x, ord, tuple(axis), keepdims)
    if axis is None and ndim == 2 and ord is not None:
        return unmatrix_norm(g, ans, x, ord, (0, 1), keepdims)
    if axis is None and ord is not None and ndim != 1:
        raise ValueError("np.linalg.norm with ord= needs a 1-D or 2-D array, or axis")
    ans = keep_reduced_dims(ans, x, axis, keepdims)
    g = keep_reduced_dims(g, x, axis, keepdims)
    if ord is None or ord == 2:
        return g * x / np.where(ans == 0, 1, ans)
    if ord == 1:
        return g * np.sign(x)
    if ord == 0:
        return np.zeros(shape_of(x), dtype=np.result_type(x, np.float32))
    if ord in (np.inf, -np.inf):
        reduced = None if axis is None else axis
        hits = np.abs(x) == ans
        count = np.sum(hits, axis=reduced, keepdims=True)
        return g * np.sign(x) * hits / count
    p = float(ord)
    scale = np.where(ans == 0, 0, g / np.where(ans == 0, 1, ans) ** (p - 1))
    return scale * np.sign(x) * np.abs(x) ** (p - 1)


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _einsum_parts(subscripts: str, operands: Sequence[Any]) -> tuple[list[str], str]:
    """The subscripts of each operand and of the output, with ``...`` written out as
    letters of their own (right-aligned, as NumPy broadcasts them)."""
    subscripts = subscripts.replace(" ", "")
    lhs, out = subscripts.split("->") if "->" in subscripts else (subscripts, None)
    terms = lhs.split(",")
    if len(terms) != len(operands):
        raise ValueError(f"einsum subscripts {subscripts!r} name {len(terms)} operands, "
                         f"got {len(operands)}")
    free = [c for c in _LETTERS if c not in subscripts]
    widths = [np.ndim(x) - (len(t) - 3) for t, x in zip(terms, operands) if "..." in t]
    n_ell = max(widths, default=0)
    ell = "".join(free[:n_ell])
    expanded = []
    for term, x in zip(terms, operands):
        if "..." in term:
            k = np.ndim(x) - (len(term) - 3)
            term = term.replace("...", ell[n_ell - k:] if k else "")
        expanded.append(term)
    if out is None:
        letters = "".join(t for t in lhs.split(",")).replace(".", "")
        out = ell + "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    else:
        out = out.replace("...", ell)
    return expanded, out


def _einsum_grad(g: Any, term: str, out: str, others: list, x: Any) -> Any:
    """The gradient of one operand: ``g`` contracted with the other operands onto the
    operand's distinct indices, then spread over repeated indices (a diagonal) and
    over indices only it has, and summed over axes it broadcast."""
    unique = "".join(dict.fromkeys(term))
    available = set(out).union(*[set(t) for t, _ in others])
    kept = "".join(c for c in unique if c in available)
    spec = ",".join([out] + [t for t, _ in others]) + "->" + kept
    partial = np.einsum(spec, g, *[o for _, o in others])
    shape = shape_of(x)
    sizes = {c: n for c, n in zip(term, shape)}
    # Axes the operand broadcast (length 1 against a longer one): summed back.
    for k, c in enumerate(kept):
        if sizes[c] == 1 and partial.shape[k] != 1:
            partial = np.sum(partial, axis=k, keepdims=True)
    # Axes only others broadcast ('ij,j->i' with A of shape (3, 1)): the same
    # gradient along them
    if list(partial.shape) != [sizes[c] for c in kept]:
        partial = np.broadcast_to(partial, [sizes[c] for c in kept])
    if kept != unique:  # indices only this operand has: the gradient is spread over them
        partial = np.broadcast_to(
            np.reshape(partial, [partial.shape[kept.index(c)] if c in kept else 1
                                 for c in unique]), [sizes[c] for c in unique])
    if unique == term:
        return np.array(partial)
    result = np.zeros(shape, dtype=partial.dtype)  # a repeated index: on the diagonal
    grid = np.indices([sizes[c] for c in unique], sparse=True)
    result[tuple(grid[unique.index(c)] for c in term)] = partial
    return result


def einsum_view(operand: Any, subscripts: str) -> Any:
    """``np.einsum(subscripts, operand)``, the operand first: how the Tensor API
    records, and makes again after an update, a one-operand einsum that NumPy returns
    as a view of its operand (``'ij->ji'``, ``'ii->i'``)."""
    return np.einsum(subscripts, operand)


def einsum_grads(g: Any, subscripts: str, operands: Sequence[Any]) -> tuple[Any, ...]:
    """Gradients of ``np.einsum(subscripts, *operands)``: any number of operands,
    ``...``, implicit output, repeated indices (traces and diagonals)."""
    if not isinstance(subscripts, str):
        raise NotImplementedError("the gradient of np.einsum in its sublist form is not "
                                  "supported: write the subscripts as a string")
    terms, out = _einsum_parts(subscripts, operands)
    grads = []
    for i, (term, x) in enumerate(zip(terms, operands)):
        others = [(t, o) for j, (t, o) in enumerate(zip(terms, operands)) if j != i]
        grads.append(_einsum_grad(g, term, out, others, x))
    return tuple(grads)
