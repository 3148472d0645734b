"""Adjoints of products and linear algebra: matmul, dot, inner, solve, norms, einsum.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .core import shape_of, unbroadcast
from .reductions import keep_reduced_dims

__all__ = ["matmul_lhs", "matmul_rhs", "dot_lhs", "dot_rhs", "inner_lhs", "inner_rhs", "solve_lhs",
           "norm_grad", "einsum_grads"]


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
        ans = keep_reduced_dims(ans, x, axis, keepdims)
        g = keep_reduced_dims(g, x, axis, keepdims)
        safe = np.where(ans == 0, 1, ans)
        return g * x / safe
    if ord == 1 and not matrix:
        g = keep_reduced_dims(g, x, axis, keepdims)
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
            shape = shape_of(x)
            expanded = np.reshape(partial, [shape[k] if c in kept else 1
                                            for k, c in enumerate(term)])
            partial = np.broadcast_to(expanded, shape).copy()
        grads.append(partial)
    return tuple(grads)
