"""Checking a forward-mode derivative: tangents shaped like the arguments, and the
tangent compared with reverse mode (<grad f, v>) and with finite differences."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_src import grad, jvp


def tangent_like(value: Any, rng: np.random.Generator) -> Any:
    """A random tangent with the structure, shape and dtype of ``value``."""
    if isinstance(value, dict):
        return {k: tangent_like(v, rng) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        items = [tangent_like(v, rng) for v in value]
        if isinstance(value, list):
            return items
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    if type(value) is float:
        return float(rng.normal())
    array = np.asarray(value)
    return rng.normal(size=array.shape).astype(array.dtype)


def leaves(value: Any) -> list:
    if isinstance(value, dict):
        return [x for k in sorted(value) for x in leaves(value[k])]
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in leaves(v)]
    return [value]


def inner(a: Any, b: Any) -> float:
    return float(sum(np.sum(np.asarray(x, dtype=float) * np.asarray(y, dtype=float))
                     for x, y in zip(leaves(a), leaves(b))))


def total(a: Any) -> float:
    return float(sum(np.sum(np.asarray(x, dtype=float)) for x in leaves(a)))


def shifted(value: Any, tangent: Any, eps: float) -> Any:
    if isinstance(value, dict):
        return {k: shifted(v, tangent[k], eps) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        items = [shifted(v, t, eps) for v, t in zip(value, tangent)]
        if isinstance(value, list):
            return items
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    if type(value) is float:
        return value + eps * tangent
    return np.asarray(value) + eps * np.asarray(tangent, dtype=np.asarray(value).dtype)


def check_forward(fn: Any, args: tuple, wrt: Any, seed: int = 0, fd: bool = True) -> None:
    """The tangent of ``fn`` along random tangents of ``wrt``: the reverse-mode
    gradient's inner product with them, and central differences along them."""
    rng = np.random.default_rng(seed)
    positions = [wrt] if isinstance(wrt, int) else list(wrt)
    tangents = [tangent_like(a, rng) if i in positions else None for i, a in enumerate(args)]
    value, tangent = jvp(fn, args, tangents)
    expected_value = fn(*args)
    for got, want in zip(leaves(value), leaves(expected_value)):
        np.testing.assert_allclose(np.asarray(got, dtype=float),
                                   np.asarray(want, dtype=float), rtol=1e-10, atol=1e-12)
    gradients = grad(fn, wrt=tuple(positions))(*args)
    reverse = sum(inner(g, tangents[p]) for g, p in zip(gradients, positions))
    forward = total(tangent)
    scale = max(1.0, abs(reverse))
    assert abs(forward - reverse) <= 1e-7 * scale, (forward, reverse)
    if fd:
        eps = 1e-6
        plus = list(args)
        minus = list(args)
        for p in positions:
            plus[p] = shifted(args[p], tangents[p], eps)
            minus[p] = shifted(args[p], tangents[p], -eps)
        difference = (total(fn(*plus)) - total(fn(*minus))) / (2 * eps)
        assert abs(forward - difference) <= 1e-4 * max(1.0, abs(difference)), \
            (forward, difference)
