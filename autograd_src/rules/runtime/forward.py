"""Helpers that forward-mode (tangent) code calls at run time (``_fwd`` in generated code)."""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from .core import shape_of, zeros_like

__all__ = ["summed_back", "broadcast", "zero", "einsum_jvp", "sum_reduced", "reduce_like",
           "spread_like",
           "count", "inverse_or_zero", "diff", "cholesky", "slogdet", "eigvalsh",
           "matrix_power", "sort", "pad", "sorted_items", "picked", "partition", "eigh",
           "linalg_tangent",
           "spread_items", "stack_items", "gathered_items", "place_part", "untimes_jvp",
           "untimes_vjp",
           "appended_part", "split_like", "dict_of", "ordered", "norm_value_term", "norm_x_term",
           "norm_value_adjoint", "einsum_grads_tangent", "einsum_grads_adjoint",
           "unslogdet_a_term", "unslogdet_a_adjoint", "unslogdet_adjoint",
           "solve_lhs_a_term", "solve_lhs_adjoint", "solve_lhs_a_adjoint",
           "solve_lhs_ans_adjoint", "field_adjoint", "merged_part", "unprod_x_term",
           "cumprod", "uncumprod_x_term", "uncholesky_l_term", "uncholesky_l_adjoint",
           "uneigh_value_term", "uneigh_value_adjoint", "uneigvalsh_a_term",
           "svd", "svd_values", "unsvd_values_a_term", "unsvd_value_term",
           "unsvd_value_adjoint", "unsvd_grad_adjoint", "unsvd_a_term", "unkron_term",
           "unkron_adjoint", "kron_part", "unconvolve_term", "unconvolve_adjoint",
           "convolve_part", "cross_term", "cross_adjoint", "cross_part",
           "sinc_second", "select_part", "select_default_part", "atleast_part",
           "unmatrix_power_a_term", "pinv", "unpinv_x_term", "unpinv_x_adjoint",
           "unpinv_a_term", "unpinv_a_adjoint", "trigamma", "lstsq",
           "unlstsq_value_term", "unlstsq_value_adjoint", "unlstsq_a_term",
           "unlstsq_a_adjoint", "unlstsq_b_term", "unlstsq_b_adjoint",
           "unlstsq_grad_adjoint", "ItemSum", "qr", "unqr_value_term", "unqr_value_adjoint",
           "unqr_a_term", "unqr_a_adjoint", "unqr_grad_adjoint"]


def broadcast(t: Any, like: Any) -> Any:
    """The tangent ``t`` broadcast to the shape of the value ``like`` (a copy, if it must).

    A scalar input's tangent spreads over every element of a result it broadcast
    into, as the input did: ``np.sum`` of the result must see it n times.
    """
    kind = type(t)
    if kind is float or kind is np.float64:  # scalar loops: decided at once
        if type(like) is float or type(like) is np.float64:
            return t
    elif kind is list or kind is tuple or kind is dict:
        return t
    shape = shape_of(like)
    if shape_of(t) == shape:
        return t
    return np.array(np.broadcast_to(t, shape))


def zero(x: Any) -> Any:
    """The zero tangent of ``x``: ``0.0`` for a number, a list for a list, else an array."""
    return zeros_like(x)


def sum_reduced(t: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """``np.sum(t, axis, keepdims=keepdims)``: the tangent of an axis reduction from the
    elementwise products of the input tangent and the partial derivatives."""
    return np.sum(t, axis=axis, keepdims=keepdims)


def einsum_jvp(subscripts: str, operands: Sequence[Any], tangents: Sequence[Any]) -> Any:
    """Tangent of ``einsum(subscripts, *operands)``: one einsum per operand with a
    tangent (``None`` where it has none), each with that operand replaced by it."""
    total = None
    for k, t in enumerate(tangents):
        if t is None:
            continue
        term = np.einsum(subscripts, *[t if i == k else o for i, o in enumerate(operands)])
        total = term if total is None else total + term
    return total



def reduce_like(g: Any, like: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """``g`` summed over ``axis`` into the shape of ``like``: the adjoint of spreading
    ``like`` over those axes (the transpose of `unreduce`)."""
    total = np.sum(g, axis=axis, keepdims=keepdims)
    shape = shape_of(like)
    if shape_of(total) != shape:
        total = np.reshape(total, shape) if np.size(total) == np.prod(shape, dtype=int) \
            else np.sum(total)
    return float(total) if type(like) is float else total


def count(x: Any, axis: Any = None) -> int:
    """How many elements of ``x`` a reduction over ``axis`` takes together."""
    from .reductions import _count
    return _count(x, axis)


def inverse_or_zero(x: Any) -> Any:
    """``1 / x`` where ``x > 0``, else 0: the derivative of `log_or_zero`."""
    if isinstance(x, float):
        return 1.0 / x if x > 0 else 0.0
    x = np.asarray(x)
    return np.where(x > 0, 1 / np.where(x > 0, x, 1), 0)


def spread_like(g: Any, like: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """``g``, shaped as `reduce_like` leaves a sum of ``like`` over ``axis``, spread back
    over ``like``'s shape (the transpose of `reduce_like`)."""
    shape = shape_of(like)
    reduced = np.shape(np.sum(np.zeros(shape), axis=axis, keepdims=True))
    if np.size(g) == np.prod(reduced, dtype=int):
        g = np.reshape(g, reduced)
    return np.array(np.broadcast_to(g, shape))


def diff(g: Any, n: int = 1, axis: int = -1, prepend: Any = None, append: Any = None) -> Any:
    """Tangent of ``np.diff(a, n, axis, prepend, append)``: the same differences of the
    tangent, with zeros where constant values were prepended or appended."""
    kwargs = {}
    if prepend is not None:
        kwargs["prepend"] = np.zeros_like(np.asarray(prepend, dtype=np.result_type(g, 0.0)))
    if append is not None:
        kwargs["append"] = np.zeros_like(np.asarray(append, dtype=np.result_type(g, 0.0)))
    return np.diff(g, n, axis, **kwargs)


def _t(x: Any) -> Any:
    return np.swapaxes(x, -1, -2)


def _read_triangle(g: Any, lower: bool) -> Any:
    """The symmetric matrix a function reading one triangle of ``g`` sees."""
    if lower:
        return np.tril(g) + _t(np.tril(g, -1))
    return np.triu(g) + _t(np.triu(g, 1))


def cholesky(g: Any, L: Any, upper: bool = False) -> Any:
    """Tangent of ``cholesky(a)`` (which reads one triangle of ``a``): ``L phi(L^-1 dA
    L^-T)``, ``phi`` the lower triangle with half its diagonal."""
    if upper:
        L = _t(L)
    dA = _read_triangle(g, not upper)
    X = np.linalg.solve(L, _t(np.linalg.solve(L, _t(dA))))
    phi = np.tril(X) - 0.5 * X * np.eye(shape_of(L)[-1])
    out = L @ phi
    return _t(out) if upper else out


def slogdet(g: Any, ans: Any, a: Any) -> tuple:
    """Tangent of ``slogdet(a)``: none for the sign, ``trace(a^-1 g)`` for the log."""
    logdet = np.trace(np.linalg.solve(a, g), axis1=-2, axis2=-1)
    return np.zeros_like(ans[0]), logdet


def eigvalsh(g: Any, a: Any, UPLO: str = "L") -> Any:
    """Tangent of ``eigvalsh(a, UPLO)``: ``v_i^T dA v_i`` for each eigenvector."""
    _, v = np.linalg.eigh(a, UPLO)
    dA = _read_triangle(g, UPLO.upper() == "L")
    return np.einsum("...ji,...jk,...ki->...i", v, dA, v)


def matrix_power(g: Any, a: Any, n: int) -> Any:
    """Tangent of ``matrix_power(a, n)``: the sum of ``a^k g a^(n-1-k)``."""
    if n < 0:
        inverse = np.linalg.inv(a)
        return matrix_power(-(inverse @ g @ inverse), inverse, -n)
    if n == 0:
        return np.zeros_like(g)
    powers = [np.broadcast_to(np.eye(shape_of(a)[-1]), shape_of(a))]
    for _ in range(n - 1):
        powers.append(powers[-1] @ a)
    total = 0
    for k in range(n):
        total = total + powers[k] @ g @ powers[n - 1 - k]
    return total


def sort(g: Any, a: Any, axis: Any = -1) -> Any:
    """Tangent of ``sort(a, axis)``: ``g`` in the order that sorts ``a`` (stable, as
    NumPy orders ties and as the adjoint does)."""
    if axis is None:
        return np.ravel(g)[np.argsort(np.ravel(a), kind="stable")]
    return np.take_along_axis(g, np.argsort(a, axis=axis, kind="stable"), axis=axis)


def pad(g: Any, pad_width: Any, mode: str = "constant", reflect_type: str = "even") -> Any:
    """Tangent of ``np.pad(a, pad_width, mode, ...)``: the tangent padded the same way,
    with zeros where constants were padded."""
    if mode == "constant":
        return np.pad(g, pad_width, mode="constant")
    if mode in ("edge", "wrap", "empty"):
        return np.pad(g, pad_width, mode=mode)
    if mode in ("reflect", "symmetric"):
        return np.pad(g, pad_width, mode=mode, reflect_type=reflect_type)
    if mode == "linear_ramp":
        return np.pad(g, pad_width, mode="linear_ramp", end_values=0)
    if mode == "mean":
        return np.pad(g, pad_width, mode="mean")
    raise NotImplementedError(f"the tangent of np.pad(mode={mode!r}) is not supported")


def sorted_items(g: Any, items: Any, key: Any = None, reverse: bool = False) -> list:
    """Tangent of ``sorted(items, key=key, reverse=reverse)``: the items' tangents in
    the order that sorts the items (stable, as Python sorts)."""
    from .containers import order_of
    if isinstance(items, dict):  # (its keys: no tangent)
        return [0.0] * len(items)
    return [g[i] for i in order_of(items, key, reverse)]


def ordered(g: Any, items: Any, order: list) -> list:
    """Tangent of ``_ad.in_order(items, order)``: the items' tangents in that order (a
    dict's keys: none)."""
    from .containers import in_order
    return [0.0] * len(order) if isinstance(items, dict) else in_order(g, order)


def picked(g: Any, items: Any, key: Any, largest: bool) -> Any:
    """Tangent of ``max(items, key=key)`` (``min`` if not ``largest``): the tangent of
    the item picked, the first of the largest as Python picks."""
    from .containers import extreme_position
    if isinstance(items, dict):  # (a key: no tangent)
        return 0.0
    return g[extreme_position(items, key, largest)]


def linalg_tangent(g: Any, a: Any) -> Any:
    """``g``, a tangent of ``a``, as an array of ``a``'s floating type where that is
    wider (``x + 3 * np.eye(3)`` of a float16 ``x``: NumPy's linalg takes no float16)."""
    if getattr(g, "dtype", None) is not None and getattr(a, "dtype", None) is not None \
            and g.dtype != a.dtype:
        return np.asarray(g, dtype=np.result_type(g, a))
    return g


def partition(g: Any, a: Any, kth: Any, axis: Any = -1) -> Any:
    """Tangent of ``partition(a, kth, axis)``: ``g`` in the order its entries take."""
    from .shapes import partition_order
    order = partition_order(a, kth, axis)
    if axis is None:
        return np.ravel(g)[order]
    return np.take_along_axis(g, order, axis=axis)


def eigh(g: Any, ans: Any, UPLO: str = "L") -> tuple:
    """Tangent of ``eigh(a, UPLO)``: with ``P = V^T dA V``, the eigenvalues move by
    ``diag(P)`` and the eigenvectors by ``V (F * P)``, ``F[i, j] = 1 / (w[j] - w[i])``
    off the diagonal (distinct eigenvalues, as the adjoint assumes)."""
    w, v = ans
    P = _t(v) @ _read_triangle(g, UPLO.upper() == "L") @ v
    diff = w[..., None, :] - w[..., :, None]
    eye = np.eye(shape_of(w)[-1], dtype=bool)
    F = np.where(eye, 0, 1 / np.where(eye, 1, diff))
    return np.diagonal(P, axis1=-2, axis2=-1).copy(), v @ (F * P)


# ----- transposes of the adjoint helpers of containers (for second order) -----


def spread_items(g: Any, grad: Any, items: Any) -> Any:
    """The adjoint, with respect to ``grad``, of ``_ad.unsum(grad, items)`` (linear in it):
    each item's part broadcast back to ``grad``'s shape and summed."""
    if isinstance(items, np.ndarray):
        return _unbroadcast(g, grad)
    total = zeros_like(grad)
    for part in g:
        total = total + broadcast(part, grad)
    return total


def summed_back(g: Any, grad: Any, items: Any, start: Any, which: int) -> Any:
    """The adjoint, with respect to ``grad``, of ``_ad.unsummed(grad, items, start,
    which)`` (linear in it): each part broadcast back to ``grad``'s shape and summed.
    Of a sum joining lists (``sum(groups, [])``) it is refused."""
    if isinstance(start, (list, tuple)):
        raise TypeError("second derivatives through sum(groups, []), a sum joining lists, "
                        "are not supported: join them with a comprehension")
    return spread_items(g, grad, items) if which == 0 else broadcast(g, grad)


def gathered_items(g: Any, grad: Any, a: Any) -> Any:
    """The adjoint of ``_ad.like_input(grad, a)`` with respect to ``grad`` (the array
    ``np.array(a)`` was given): for a list ``a``, its items' adjoints stacked back
    into the array; else ``g`` broadcast back where ``like_input`` summed it."""
    if isinstance(a, (list, tuple)):
        return np.array([gathered_items(part, row, item)
                         for part, row, item in zip(g, grad, a)])
    return broadcast(g, grad) if np.ndim(grad) != np.ndim(a) else g


def stack_items(g: Any, axis: int = 0) -> Any:
    """The adjoint of ``_ad.unstack(grad, arrays, axis)`` with respect to ``grad``: the
    parts' adjoints stacked back (for an array of items, its rows)."""
    return np.stack(list(g), axis=axis)


def place_part(g: Any, grad: Any, a: Any, b: Any, which: int) -> Any:
    """The adjoint, with respect to ``grad``, of ``_ad.unplus(grad, a, b, which)``: a
    concatenation's part put back in its place (zeros elsewhere), or a sum's part
    broadcast back."""
    if (type(a) is list or type(a) is tuple) and (type(b) is list or type(b) is tuple):
        head, tail = list(zeros_like(grad[:len(a)])), list(zeros_like(grad[len(a):]))
        out = list(g) + tail if which == 0 else head + list(g)
        return type(grad)(out) if type(grad) is tuple else out
    return broadcast(g, grad)


def _unbroadcast(g: Any, like: Any) -> Any:
    from .core import unbroadcast
    return unbroadcast(g, like)


def _repeats(a: Any, b: Any) -> bool:
    """Whether ``a * b`` repeats a list or tuple by a count (``[x] * 3``), as `untimes`
    tells; a list times an array is NumPy's elementwise product, differentiated in both
    factors."""
    from .containers import _count, _sequence
    return (_sequence(a) and _count(b)) or (_sequence(b) and _count(a))


def untimes_jvp(t: Any, ta: Any, tb: Any, grad: Any, a: Any, b: Any, which: int) -> Any:
    """The tangent of ``_ad.untimes(grad, a, b, which)`` along ``t`` (of ``grad``),
    ``ta`` and ``tb``: of a repeated list's adjoint, linear in ``grad`` alone; of a
    product's, ``unbroadcast(grad * b, a)`` differentiated in both factors."""
    from .containers import untimes
    if _repeats(a, b):
        return untimes(t, a, b, which)
    from .core import unbroadcast
    if which == 0:
        return unbroadcast(t * b + grad * tb, a)
    return unbroadcast(t * a + grad * ta, b)


def untimes_vjp(g: Any, grad: Any, a: Any, b: Any, which: int, wanted: int) -> Any:
    """The adjoint of ``_ad.untimes(grad, a, b, which)`` with respect to its input
    ``wanted`` (0: ``grad``, 1: ``a``, 2: ``b``), given ``g``."""
    if _repeats(a, b):
        if wanted != 0:
            return zeros_like(a if wanted == 1 else b)
        copies = len(grad) // max(1, len(g))
        out = list(g) * copies
        return type(grad)(out) if type(grad) is tuple else out
    from .core import unbroadcast
    other = b if which == 0 else a
    spread = broadcast(g, grad)
    if wanted == 0:
        return unbroadcast(spread * other, grad)
    if wanted == 2 - which:  # the factor of the other operand: d(grad * other)
        return unbroadcast(spread * grad, other)
    return zeros_like(a if wanted == 1 else b)


def appended_part(g: Any, arr: Any, values: Any, axis: Any, which: int) -> Any:
    """The adjoint of ``_ad.unappend(grad, arr, values, axis, which)`` with respect to
    ``grad``: the part put back in its place of ``append(arr, values, axis)``, zeros
    in the other's."""
    zero_arr = np.zeros(shape_of(arr), dtype=np.result_type(g, np.float32))
    zero_values = np.zeros(shape_of(values), dtype=zero_arr.dtype)
    return np.append(g, zero_values, axis) if which == 0 else np.append(zero_arr, g, axis)


def split_like(g: Any, ans: Any, axis: int) -> list:
    """The adjoint of ``_ad.unsplit(grad, ans, x, axis)`` with respect to ``grad``: ``g``
    cut into pieces of the shapes of ``ans`` (the pieces ``split`` made)."""
    if not len(ans):
        return []
    sizes = [shape_of(p)[axis] for p in ans]
    return np.split(np.asarray(g), np.cumsum(sizes)[:-1], axis=axis)


def dict_of(keys: tuple, values: Any) -> dict:
    """The adjoint of ``_ad.values_at(grad, keys)`` with respect to ``grad``: the values'
    adjoints back under their keys."""
    return dict(zip(keys, values))


def _norm_kind(x: Any, ord: Any, axis: Any) -> str:
    """``'euclidean'`` for the 2-norm of vectors and the Frobenius norm (the gradient
    ``g x / norm``, linear in ``x`` but for the norm), ``'piecewise'`` for the norms
    whose gradient is constant but at kinks (``ord`` 1, ``inf``, ``-inf``, 0 of
    vectors, and 1, -1, ``inf``, ``-inf`` of matrices), ``'p-norm'`` for another finite
    ``ord`` of vectors (the gradient ``g sign(x) |x| ** (p - 1) / norm ** (p - 1)``),
    else ``'other'``."""
    matrix = (isinstance(axis, (tuple, list)) and len(axis) == 2) or (
        axis is None and np.ndim(x) == 2 and ord is not None)
    if ord is None or ord == "fro" or (ord == 2 and not matrix):
        return "euclidean"
    if ord in (1, -1, np.inf, -np.inf) or (ord == 0 and not matrix):
        return "piecewise" if ord != -1 or matrix else "p-norm"
    if not matrix and isinstance(ord, (int, float, np.number)) and np.isfinite(ord):
        return "p-norm"  # (sum(|x| ** p) ** (1 / p))
    return "other"


def _norm_second_order(x: Any, ord: Any, axis: Any) -> str:
    kind = _norm_kind(x, ord, axis)
    if kind == "other":
        what = "matrix" if np.ndim(x) >= 2 and not isinstance(axis, int) else "vector"
        spelled = "vector_norm(x" if what == "vector" else "matrix_norm(A"
        raise NotImplementedError(
            f"second derivatives of np.linalg.norm of a {what} with ord={ord!r} are not "
            "supported by its rule (those of the Euclidean norm of vectors, the Frobenius "
            "norm (ord=None or 'fro') and ord 1, inf, -inf are): write "
            f"np.linalg.{spelled}, ord={ord!r}), whose second derivatives are followed "
            "(so is np.linalg.norm with another ord written in the call: 3, 0.5, 'nuc')")
    return kind


def norm_value_term(t: Any, grad: Any, value: Any, x: Any, ord: Any = None, axis: Any = None,
                    keepdims: bool = False) -> Any:
    """The tangent of ``_ad.norm_grad(grad, value, x, ...)`` that the tangent ``t`` of the
    norm ``value`` gives: ``-grad t x / value**2`` for a Euclidean norm, 0 where the
    gradient is piecewise constant."""
    from .linalg import norm_grad
    kind = _norm_second_order(x, ord, axis)
    if kind == "piecewise":
        return np.zeros(shape_of(x), dtype=np.result_type(x, np.float32))
    return norm_grad(_norm_power(kind, ord) * grad * t * inverse_or_zero(value), value, x,
                     ord, axis, keepdims)


def _norm_power(kind: str, ord: Any) -> float:
    """``1 - p``: the power of the norm in its gradient's denominator, negated (the
    gradient is ``g sign(x) |x| ** (p - 1) * norm ** (1 - p)``), -1 for a Euclidean one."""
    return 1.0 - float(ord) if kind == "p-norm" else -1.0


def norm_x_term(t: Any, grad: Any, value: Any, x: Any, ord: Any = None, axis: Any = None,
                keepdims: bool = False) -> Any:
    """The tangent of ``_ad.norm_grad(grad, value, x, ...)`` that the tangent ``t`` of
    ``x`` gives (the norm held fixed): ``grad t / value`` for a Euclidean norm; also
    its own adjoint, the map being symmetric."""
    from .linalg import keep_reduced_dims, norm_grad
    kind = _norm_second_order(x, ord, axis)
    if kind == "piecewise":
        return np.zeros(shape_of(x), dtype=np.result_type(x, np.float32))
    if kind == "p-norm":  # g (p - 1) |x| ** (p - 2) t / norm ** (p - 1): diagonal
        p = float(ord)
        norm = keep_reduced_dims(value, x, axis, keepdims)
        scale = np.where(norm == 0, 0, keep_reduced_dims(grad, x, axis, keepdims) /
                         np.where(norm == 0, 1, norm) ** (p - 1))
        with np.errstate(divide="ignore", invalid="ignore"):
            term = scale * (p - 1) * np.abs(x) ** (p - 2) * t
        # (an entry at 0 with p < 2: infinite along it, 0 along the others, not nan)
        return np.where(np.equal(t, 0), 0.0, term) if p < 2 else term
    # at a zero vector (the tip of the cone) the gradient is 0, and so is this
    return norm_grad(grad * np.not_equal(value, 0), value, t, ord, axis, keepdims)


def norm_value_adjoint(u: Any, grad: Any, value: Any, x: Any, ord: Any = None,
                       axis: Any = None, keepdims: bool = False) -> Any:
    """The adjoint of `norm_value_term` with respect to ``t``."""
    from .linalg import norm_grad
    kind = _norm_second_order(x, ord, axis)
    if kind == "piecewise":
        return np.zeros(shape_of(value), dtype=np.result_type(value, np.float32))
    along = np.sum(u * norm_grad(np.ones_like(value), value, x, ord, axis, keepdims),
                   axis=None if axis is None else axis, keepdims=keepdims)
    return _norm_power(kind, ord) * grad * inverse_or_zero(value) * along


def einsum_grads_tangent(grad: Any, subscripts: str, operands: Sequence[Any],
                         tangents: Sequence[Any]) -> tuple:
    """The tangent of ``_ad.einsum_grads(grad, subscripts, operands)`` that the operands'
    tangents give: each operand's gradient is linear in every other operand, so it
    moves by the sum, over the others, of itself with that one replaced by its tangent.
    (With ``tangents`` the adjoints of the gradients, the same sum is the adjoint with
    respect to the operands: the roles of the two indices swap.)"""
    from .linalg import einsum_grads
    total: list = [None] * len(operands)
    for j, tangent in enumerate(tangents):
        if tangent is None:
            continue
        swapped = list(operands)
        swapped[j] = tangent
        for i, piece in enumerate(einsum_grads(grad, subscripts, swapped)):
            if i != j:
                total[i] = piece if total[i] is None else total[i] + piece
    return tuple(zeros_like(np.asarray(o)) if t is None else t
                 for t, o in zip(total, operands))


def einsum_grads_adjoint(u: Sequence[Any], subscripts: str, operands: Sequence[Any]) -> Any:
    """The adjoint of ``_ad.einsum_grads(grad, subscripts, operands)`` with respect to
    ``grad``: the einsum with each operand in turn replaced by its gradient's adjoint."""
    total = None
    for i, piece in enumerate(u):
        if piece is None:
            continue
        swapped = list(operands)
        swapped[i] = piece
        term = np.einsum(subscripts, *swapped)
        total = term if total is None else total + term
    return total


def _swap(x: Any) -> Any:
    return np.swapaxes(x, -1, -2)


def unslogdet_a_term(t: Any, grad: Any, ans: Any, a: Any) -> Any:
    """The tangent of ``_ad.unslogdet(grad, ans, a)`` (``glog A^-T``) that the tangent
    ``t`` of ``a`` gives: ``-glog (A^-1 t A^-1)^T``."""
    from .shapes import items
    inverse = np.linalg.inv(a)
    return -np.expand_dims(items(grad, ans)[1], (-1, -2)) * _swap(inverse @ t @ inverse)


def unslogdet_a_adjoint(u: Any, grad: Any, ans: Any, a: Any) -> Any:
    """The adjoint of `unslogdet_a_term` with respect to ``t``: ``-glog A^-T u^T A^-T``."""
    from .shapes import items
    inverse_t = _swap(np.linalg.inv(a))
    return -np.expand_dims(items(grad, ans)[1], (-1, -2)) * (inverse_t @ _swap(u) @ inverse_t)


def unslogdet_adjoint(u: Any, ans: Any, a: Any) -> tuple:
    """The adjoint of ``_ad.unslogdet(grad, ans, a)`` with respect to ``grad`` (the
    adjoints of the sign, none, and of ``logabsdet``)."""
    sign, logdet = ans
    return (np.zeros(np.shape(sign)),
            np.sum(u * _swap(np.linalg.inv(a)), axis=(-1, -2)))


def _solve_parts(grad: Any, a: Any) -> Any:
    return np.linalg.solve(_swap(a), grad)


def _outer_or_matmul(x: Any, y: Any, vector: bool) -> Any:
    return np.outer(x, y) if vector else x @ _swap(y)


def solve_lhs_a_term(t: Any, grad: Any, a: Any, ans: Any) -> Any:
    """The tangent of ``_ad.solve_lhs(grad, a, ans)`` (``-gb ans^T``, ``a^T gb = grad``)
    that the tangent ``t`` of ``a`` gives: ``solve(a^T, t^T gb) ans^T``."""
    gb = _solve_parts(grad, a)
    return _outer_or_matmul(np.linalg.solve(_swap(a), _swap(t) @ gb), ans, np.ndim(ans) == 1)


def solve_lhs_adjoint(u: Any, a: Any, ans: Any) -> Any:
    """The adjoint of ``_ad.solve_lhs(grad, a, ans)`` with respect to ``grad``."""
    return -np.linalg.solve(a, u @ ans)


def solve_lhs_a_adjoint(u: Any, grad: Any, a: Any, ans: Any) -> Any:
    """The adjoint of `solve_lhs_a_term` with respect to ``t``: ``gb w^T``, where
    ``w = solve(a, u ans)``."""
    gb = _solve_parts(grad, a)
    return _outer_or_matmul(gb, np.linalg.solve(a, u @ ans), np.ndim(ans) == 1)


def solve_lhs_ans_adjoint(u: Any, grad: Any, a: Any) -> Any:
    """The adjoint, with respect to ``ans``, of ``_ad.solve_lhs(grad, a, ans)``
    (linear in it): ``-u^T gb``."""
    return -_swap(u) @ _solve_parts(grad, a)


def field_adjoint(u: Any, x: Any, name: str) -> Any:
    """The adjoint of ``_ad.unfield(grad, x, name)`` with respect to ``grad``: the
    field's entry of ``u`` (an adjoint of the namedtuple, item by item)."""
    return list(u)[type(x)._fields.index(name)]  # (a namedtuple or a list of its items)


def merged_part(u: dict, a: dict, b: dict, which: int) -> dict:
    """The adjoint of ``_ad.unmerged(grad, a, b, which)`` with respect to ``grad``: the
    operand's adjoints back under their keys of the merged dict, zeros elsewhere (and
    where ``b`` replaced ``a``'s value)."""
    from .core import zero_item
    merged = {**a, **b}
    kept = b if which == 1 else {k: v for k, v in a.items() if k not in b}
    return {k: u[k] if k in kept else zero_item(v) for k, v in merged.items()}


# ----- products along an axis (prod, cumprod): exact where entries are zero -----
#
# Their adjoints read products of all entries but one (or two); dividing the product by
# an entry gives 0/0 at zeros. The tangents below carry dual numbers through the same
# running products instead (value and first-order part, no division), one step per
# entry along the axis, all lines at once.


def _running_products(x: np.ndarray, t: np.ndarray) -> tuple:
    """``prod(x[..., :i])`` along the last axis (1 for ``i = 0``), and its tangent
    along ``t``: the products of all the entries before each one."""
    dtype = np.result_type(x, t, np.float32)
    value = np.ones(x.shape, dtype=dtype)
    tangent = np.zeros(x.shape, dtype=dtype)
    for i in range(1, x.shape[-1]):
        tangent[..., i] = tangent[..., i - 1] * x[..., i - 1] + value[..., i - 1] * t[..., i - 1]
        value[..., i] = value[..., i - 1] * x[..., i - 1]
    return value, tangent


def _lines(x: Any, axis: Any) -> tuple:
    """``x`` with the axes of ``axis`` (all for None) flattened into the last one, and
    the function that puts an array of that layout back into ``x``'s."""
    from .reductions import _normalize_axes
    x = np.asarray(x)
    axes = _normalize_axes(axis, x.ndim)
    rest = tuple(a for a in range(x.ndim) if a not in axes)
    moved = np.transpose(x, rest + axes)

    def back(y: np.ndarray) -> np.ndarray:
        return np.transpose(y.reshape(moved.shape), np.argsort(rest + axes))

    return moved.reshape(moved.shape[:len(rest)] + (-1,)), back


def unprod_x_term(t: Any, grad: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """The tangent of ``_ad.unprod(grad, ans, x, axis, keepdims)`` (``grad`` times the
    products of the other entries) that the tangent ``t`` of ``x`` gives: ``grad``
    times the products' tangents. It is the Hessian of ``<grad, prod(x)>`` applied to
    ``t``, so also its own adjoint."""
    from .reductions import keep_reduced_dims
    x = np.asarray(x)
    grad = keep_reduced_dims(grad, x, axis, keepdims)
    if x.ndim == 0:
        return np.zeros(x.shape, dtype=np.result_type(x, t, np.float32)) * grad
    flat, back = _lines(x, axis)
    flat_t, _ = _lines(np.broadcast_to(t, x.shape), axis)
    before, d_before = _running_products(flat, flat_t)
    after, d_after = _running_products(flat[..., ::-1], flat_t[..., ::-1])
    others = d_before * after[..., ::-1] + before * d_after[..., ::-1]
    return grad * back(others)


def _along_last(x: Any, axis: int) -> tuple:
    """``x`` with ``axis`` moved last, and the inverse move."""
    x = np.asarray(x)
    axis = axis % x.ndim
    return np.moveaxis(x, axis, -1), lambda y: np.moveaxis(y, -1, axis)


def cumprod(t: Any, x: Any, axis: Any = None) -> Any:
    """Tangent of ``cumprod(x, axis)``: the running products of the dual numbers
    ``x + eps t``, exact where ``x`` has zeros (``cumprod * cumsum(t / x)`` is not)."""
    if axis is None or np.ndim(x) == 0:  # cumprod of the flattened array
        return cumprod(np.ravel(np.broadcast_to(t, np.shape(x))), np.ravel(x), 0)
    xm, back = _along_last(x, axis)
    tm, _ = _along_last(np.broadcast_to(t, np.shape(x)), axis)
    before, d_before = _running_products(xm, tm)
    return back(d_before * xm + before * tm)


def uncumprod_x_term(t: Any, grad: Any, x: Any, axis: Any = None) -> Any:
    """The tangent of ``_ad.uncumprod(grad, cumprod(x), x, axis)`` that the tangent ``t``
    of ``x`` gives (the helper reads the running products ``ans`` only as ``cumprod(x)``:
    the whole dependence on ``x`` is here, none on ``ans``). The Hessian of
    ``<grad, cumprod(x)>`` applied to ``t``: also its own adjoint.

    The gradient's entry ``k`` is ``before_k s_k``, ``before_k`` the product of the
    entries before ``k`` and ``s_k = grad_k + x_(k+1) s_(k+1)``; both are carried as
    dual numbers, without division."""
    if axis is None or np.ndim(x) == 0:  # the gradient of cumprod of the flattened array
        flat = uncumprod_x_term(np.ravel(np.broadcast_to(t, np.shape(x))), np.ravel(grad),
                                np.ravel(x), 0)
        return np.reshape(flat, np.shape(x))
    xm, back = _along_last(x, axis)
    tm, _ = _along_last(np.broadcast_to(t, np.shape(x)), axis)
    gm, _ = _along_last(np.broadcast_to(grad, np.shape(x)), axis)
    before, d_before = _running_products(xm, tm)
    dtype = before.dtype
    s = np.zeros(xm.shape, dtype=np.result_type(dtype, gm))
    d_s = np.zeros(xm.shape, dtype=s.dtype)
    n = xm.shape[-1]
    if n:
        s[..., n - 1] = gm[..., n - 1]
    for k in range(n - 2, -1, -1):
        s[..., k] = gm[..., k] + xm[..., k + 1] * s[..., k + 1]
        d_s[..., k] = tm[..., k + 1] * s[..., k + 1] + xm[..., k + 1] * d_s[..., k + 1]
    return back(d_before * s + before * d_s)


# ----- the gradient of cholesky (uncholesky), for second order -----


def _half_diagonal_tril(x: Any) -> Any:
    """``tril(x)`` with half its diagonal (``phi`` of the Cholesky derivative); an
    elementwise mask, so its own adjoint."""
    return np.tril(x) - 0.5 * x * np.eye(shape_of(x)[-1])


def _right_solve(b: Any, L: Any) -> Any:
    """``b @ inv(L)``, by a solve."""
    return _t(np.linalg.solve(_t(L), _t(b)))


def _cholesky_parts(grad: Any, L: Any, upper: bool) -> tuple:
    """``uncholesky``'s own quantities for a lower factor: ``L``, ``G`` (``grad``) and
    ``inner = L^-T phi(L^T G) L^-1``, whose symmetric part folded is the gradient."""
    if upper:
        L, grad = _t(L), _t(grad)
    inner = np.linalg.solve(_t(L), _right_solve(_half_diagonal_tril(_t(L) @ grad), L))
    return L, grad, inner


def uncholesky_l_term(t: Any, grad: Any, L: Any, upper: bool = False) -> Any:
    """The tangent of ``_ad.uncholesky(grad, L, upper)`` that the tangent ``t`` of the
    factor ``L`` gives: with ``inner = L^-T phi(L^T G) L^-1``,
    ``d inner = -L^-T t^T inner + L^-T phi(t^T G) L^-1 - inner t L^-1``, its
    symmetric part folded onto the triangle ``cholesky`` reads."""
    from .decompositions import fold_symmetric
    L, G, inner = _cholesky_parts(grad, L, upper)
    if upper:
        t = _t(t)
    d_inner = (-np.linalg.solve(_t(L), _t(t) @ inner)
               + np.linalg.solve(_t(L), _right_solve(_half_diagonal_tril(_t(t) @ G), L))
               - _right_solve(inner @ t, L))
    return fold_symmetric((d_inner + _t(d_inner)) / 2, lower=not upper)


def uncholesky_l_adjoint(u: Any, grad: Any, L: Any, upper: bool = False) -> Any:
    """The adjoint of `uncholesky_l_term` with respect to ``t``: with ``W`` the
    symmetric matrix that folding's transpose makes of ``u`` and ``S`` the symmetric
    part of ``inner``, ``G phi(L^-1 W L^-T)^T - 2 S W L^-T``."""
    L, G, inner = _cholesky_parts(grad, L, upper)
    W = _read_triangle(u, not upper)
    Z = _half_diagonal_tril(_right_solve(np.linalg.solve(L, W), _t(L)))
    out = G @ _t(Z) - _right_solve((inner + _t(inner)) @ W, _t(L))
    return _t(out) if upper else out


# ----- the gradients of eigh and eigvalsh (uneigh, uneigvalsh), for second order -----


def _gaps(w: Any) -> Any:
    """``F[i, j] = 1 / (w[j] - w[i])`` off the diagonal, 0 on it."""
    diff = w[..., None, :] - w[..., :, None]
    eye = np.eye(shape_of(w)[-1], dtype=bool)
    return np.where(eye, 0, 1 / np.where(eye, 1, diff))


def _eigh_inner(gw: Any, gv: Any, w: Any, v: Any) -> tuple:
    """``uneigh``'s ``M = diag(gw) + sym(F * (V^T gV))``, with ``F`` and ``V^T gV``
    (None where ``gV`` is 0: ``F`` is then not needed, nor finite at repeated
    eigenvalues)."""
    M = gw[..., None] * np.eye(shape_of(w)[-1])
    if not np.any(gv):
        return M, None, None
    F, Q = _gaps(w), _t(v) @ gv
    return M + ((F * Q) + _t(F * Q)) / 2, F, Q


def uneigh_value_term(t: Any, grad: Any, value: Any, UPLO: str = "L") -> Any:
    """The tangent of ``_ad.uneigh(grad, value, UPLO)`` (``V M V^T`` folded) that the
    tangents ``t = (dw, dV)`` of the eigenvalues and eigenvectors it reads give:
    ``dV M V^T + V M dV^T + V dM V^T``, ``dM = sym(dF * (V^T gV) + F * (dV^T gV))``,
    ``dF[i, j] = -F[i, j]^2 (dw[j] - dw[i])``."""
    from .decompositions import fold_symmetric
    from .shapes import items
    w, v = value
    gw, gv = items(grad, value)
    dw, dv = items(t, value)
    M, F, Q = _eigh_inner(gw, gv, w, v)
    out = dv @ M @ _t(v)
    out = out + _t(out)
    if F is not None:
        dF = -F * F * (dw[..., None, :] - dw[..., :, None])
        dM = dF * Q + F * (_t(dv) @ gv)
        out = out + v @ ((dM + _t(dM)) / 2) @ _t(v)
    return fold_symmetric(out, lower=UPLO.upper() == "L")


def uneigh_value_adjoint(u: Any, grad: Any, value: Any, UPLO: str = "L") -> tuple:
    """The adjoint of `uneigh_value_term` with respect to ``(dw, dV)``: with ``W`` the
    symmetric matrix folding's transpose makes of ``u`` and ``K = V^T W V``,
    ``dV``'s is ``2 W V M + gV (K * F)^T`` and ``dw``'s the row sums less the column
    sums of ``K * (V^T gV) * F^2``."""
    from .shapes import items
    w, v = value
    gw, gv = items(grad, value)
    M, F, Q = _eigh_inner(gw, gv, w, v)
    W = _read_triangle(u, UPLO.upper() == "L")
    v_adjoint = 2 * (W @ v @ M)
    if F is None:
        return np.zeros(shape_of(w), dtype=np.result_type(w, u)), v_adjoint
    K = _t(v) @ W @ v
    R = K * Q * F * F
    return np.sum(R, axis=-1) - np.sum(R, axis=-2), v_adjoint + gv @ _t(K * F)


def uneigvalsh_a_term(t: Any, grad: Any, a: Any, UPLO: str = "L") -> Any:
    """The tangent of ``_ad.uneigvalsh(grad, a, UPLO)`` (``V diag(grad) V^T`` folded)
    that the tangent ``t`` of ``a`` gives: ``V (C * P) V^T`` folded, with
    ``P = V^T dA V`` and the divided differences ``C[i, j] = (g[j] - g[i]) /
    (w[j] - w[i])`` (0 on the diagonal). The Hessian of ``<grad, eigvalsh(a)>``
    applied to ``t``: also its own adjoint."""
    from .decompositions import fold_symmetric
    lower = UPLO.upper() == "L"
    w, v = np.linalg.eigh(a, UPLO)
    g = np.asarray(grad)
    C = (g[..., None, :] - g[..., :, None]) * _gaps(w)
    P = _t(v) @ _read_triangle(t, lower) @ v
    return fold_symmetric(v @ (C * P) @ _t(v), lower=lower)


# ----- svd: its tangent, and the second order of its gradient (unsvd) -----


def _reduced_svd(a: Any) -> tuple:
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return u, s, vh


def svd_values(t: Any, a: Any) -> Any:
    """Tangent of the singular values of ``a`` (distinct): ``u_i^T dA v_i``."""
    u, _, vh = _reduced_svd(a)
    return np.einsum("...ji,...jk,...ik->...i", u, t, vh)


def svd(t: Any, ans: Any, a: Any, full_matrices: bool = True, compute_uv: bool = True) -> Any:
    """Tangent of ``svd(a, full_matrices, compute_uv)`` (distinct, and nonzero where
    ``a`` is not square, singular values): with ``X = U^T dA V``, ``ds = diag(X)``,
    ``dU = U (F * (X S + S X^T)) + (I - U U^T) dA V S^-1`` and ``dV = V (F * (S X +
    X^T S)) + (I - V V^T) dA^T U S^-1``, ``F[i, j] = 1 / (s[j]^2 - s[i]^2)``. With
    ``full_matrices=True`` the columns of ``u`` (rows of ``vh``) beyond ``min(m, n)``
    are not unique: their tangents are nan (the adjoint refuses gradients there)."""
    if not compute_uv:
        return svd_values(t, a)
    return _svd_tangent(t, ans, a, np.nan)


def _svd_tangent(t: Any, factors: Any, a: Any, beyond: float) -> tuple:
    """`svd`'s tangent from the factors ``(u, s, vh)`` given (``beyond`` fills the
    columns of ``u``, rows of ``vh``, past ``min(m, n)``). Read with other factors than
    ``a``'s, it is the transpose of ``_ad.unsvd`` at those factors."""
    m, n = shape_of(a)[-2:]
    k = min(m, n)
    u_full, s, vh_full = factors
    u, vh = u_full[..., :, :k], vh_full[..., :k, :]
    v = _t(vh)
    X = _t(u) @ t @ v
    ds = np.diagonal(X, axis1=-2, axis2=-1).copy()
    eye = np.eye(k, dtype=bool)
    F = np.where(eye, 0, 1 / np.where(eye, 1, s[..., None, :] ** 2 - s[..., :, None] ** 2))
    S = s[..., None, :] * np.eye(k)
    du = u @ (F * (X @ S + S @ _t(X)))
    dv = v @ (F * (S @ X + _t(X) @ S))
    if m > k:
        du = du + (t @ v - u @ X) / s[..., None, :]
    if n > k:
        dv = dv + (_t(t) @ u - v @ _t(X)) / s[..., None, :]
    dvh = _t(dv)
    if shape_of(u_full)[-1] > k:
        du = np.concatenate([du, np.full(du.shape[:-1] + (m - k,), beyond)], axis=-1)
    if shape_of(vh_full)[-2] > k:
        dvh = np.concatenate([dvh, np.full(dvh.shape[:-2] + (n - k, n), beyond)], axis=-2)
    return du, ds, dvh


def unsvd_values_a_term(t: Any, grad: Any, a: Any) -> Any:
    """The tangent of ``_ad.unsvd(grad, s, a, compute_uv=False)`` (``U diag(grad) V^T``)
    that the tangent ``t`` of ``a`` gives. With ``X = U^T dA V``, the divided
    differences ``D[i, j] = (g[j] - g[i]) / (s[j] - s[i])`` and the sums
    ``P[i, j] = (g[i] + g[j]) / (s[i] + s[j])`` (both 0 on the diagonal):
    ``U (D * sym(X) + P * skew(X)) V^T``, plus where ``a`` is not square
    ``(I - U U^T) dA V E V^T + U E U^T dA (I - V V^T)``, ``E = diag(g / s)``. The
    Hessian of ``<grad, svd(a, compute_uv=False)>`` applied to ``t``: also its own
    adjoint."""
    u, s, vh = _reduced_svd(a)
    m, n = shape_of(a)[-2:]
    k = min(m, n)
    g = np.asarray(grad)
    v = _t(vh)
    X = _t(u) @ t @ v
    eye = np.eye(k, dtype=bool)
    gj, gi, sj, si = g[..., None, :], g[..., :, None], s[..., None, :], s[..., :, None]
    D = np.where(eye, 0, (gj - gi) / np.where(eye, 1, sj - si))
    P = np.where(eye, 0, (gi + gj) / np.where(eye, 1, si + sj))
    out = u @ (D * (X + _t(X)) + P * (X - _t(X))) @ vh / 2
    E = g / s
    if m > k:
        out = out + ((t @ v - u @ X) * E[..., None, :]) @ vh
    if n > k:
        out = out + (u * E[..., None, :]) @ (_t(u) @ t - X @ vh)
    return out


def _svd_parts(grad: Any, value: Any, a: Any) -> tuple:
    """What ``unsvd`` reads, cut to ``k = min(m, n)``: the factors ``u, s, v`` and the
    adjoints ``gu, gs, gv`` (``v = vh^T``), ``F[i, j] = 1 / (s[j]^2 - s[i]^2)``,
    ``J = u^T gu``, ``K = v^T gv``, and whether the parts beyond the square one
    (``m > k``, ``n > k``) enter. As ``unsvd``, refused where the columns of ``u``
    (rows of ``vh``) beyond ``k`` carry an adjoint."""
    from .shapes import items
    m, n = shape_of(a)[-2:]
    k = min(m, n)
    u, s, vh = value
    gu, gs, gvh = items(grad, value)
    if np.any(gu[..., :, k:]) or np.any(gvh[..., k:, :]):
        raise NotImplementedError(
            "the gradient of np.linalg.svd(full_matrices=True) through the columns of u "
            "(rows of vh) beyond min(m, n) is not defined (they are not unique); use "
            "full_matrices=False")
    u, v, gu, gv = u[..., :, :k], _t(vh[..., :k, :]), gu[..., :, :k], _t(gvh[..., :k, :])
    eye = np.eye(k, dtype=bool)
    F = np.where(eye, 0, 1 / np.where(eye, 1, s[..., None, :] ** 2 - s[..., :, None] ** 2))
    return u, s, v, gu, gs, gv, F, _t(u) @ gu, _t(v) @ gv, m > k, n > k


def _svd_inner(gs: Any, s: Any, F: Any, J: Any, K: Any) -> Any:
    """``unsvd``'s ``diag(gs) + (F * (J - J^T)) S + S (F * (K - K^T))``."""
    return (gs[..., None] * np.eye(shape_of(s)[-1]) + (F * (J - _t(J))) * s[..., None, :]
            + s[..., :, None] * (F * (K - _t(K))))


def unsvd_value_term(t: Any, grad: Any, value: Any, a: Any, full_matrices: bool = True,
                     compute_uv: bool = True) -> Any:
    """The tangent of ``_ad.unsvd(grad, value, a, ...)`` that the tangents
    ``t = (du, ds, dvh)`` of the factors it reads give: of ``u inner vh``, with
    ``inner = diag(gs) + (F * (J - J^T)) S + S (F * (K - K^T))``, and where ``a`` is
    not square of ``((gu - u J) / s) vh`` and ``(u / s) (gv - v K)^T``; ``F`` moves
    by ``-F^2 (d(s_j^2) - d(s_i^2))``, ``J`` by ``du^T gu``, ``K`` by ``dv^T gv``."""
    from .shapes import items
    if not compute_uv:
        return np.zeros(shape_of(a), dtype=np.result_type(a, np.float32))
    u, s, v, gu, gs, gv, F, J, K, taller, wider = _svd_parts(grad, value, a)
    k = shape_of(s)[-1]
    du, ds, dvh = items(t, value)
    du, dv = du[..., :, :k], _t(dvh[..., :k, :])
    s2 = s * ds
    dF = -2 * F * F * (s2[..., None, :] - s2[..., :, None])
    dJ, dK = _t(du) @ gu, _t(dv) @ gv
    dA = dF * (J - _t(J)) + F * (dJ - _t(dJ))
    dB = dF * (K - _t(K)) + F * (dK - _t(dK))
    A, B = F * (J - _t(J)), F * (K - _t(K))
    d_inner = (dA * s[..., None, :] + A * ds[..., None, :] + ds[..., :, None] * B
               + s[..., :, None] * dB)
    inner = _svd_inner(gs, s, F, J, K)
    out = du @ inner @ _t(v) + u @ d_inner @ _t(v) + u @ inner @ _t(dv)
    scale, d_scale = 1 / s[..., None, :], -ds[..., None, :] / s[..., None, :] ** 2
    if taller:
        Ru, dRu = gu - u @ J, -(du @ J) - u @ dJ
        out = out + (dRu * scale + Ru * d_scale) @ _t(v) + (Ru * scale) @ _t(dv)
    if wider:
        Rv, dRv = gv - v @ K, -(dv @ K) - v @ dK
        out = out + (du * scale + u * d_scale) @ _t(Rv) + (u * scale) @ _t(dRv)
    return out


def unsvd_value_adjoint(w: Any, grad: Any, value: Any, a: Any, full_matrices: bool = True,
                        compute_uv: bool = True) -> Any:
    """The adjoint of `unsvd_value_term` with respect to ``(du, ds, dvh)`` (zeros for
    the columns of ``u``, rows of ``vh``, beyond ``min(m, n)``, which it does not
    read)."""
    if not compute_uv:
        return zeros_like(value)
    u_full, _, vh_full = value
    u, s, v, gu, gs, gv, F, J, K, taller, wider = _svd_parts(grad, value, a)
    A, B = F * (J - _t(J)), F * (K - _t(K))
    inner = _svd_inner(gs, s, F, J, K)
    wv = w @ v
    du = wv @ _t(inner)
    dv = _t(w) @ u @ inner  # (dvh's adjoint, transposed)
    D = _t(u) @ wv  # the adjoint of d_inner
    dA, dB = D * s[..., None, :], s[..., :, None] * D
    ds = np.sum(A * D, axis=-2) + np.sum(D * B, axis=-1)
    dF = dA * (J - _t(J)) + dB * (K - _t(K))
    P, Q = F * dA, F * dB
    dJ, dK = P - _t(P), Q - _t(Q)
    if taller:
        Ru = gu - u @ J
        dRu = wv / s[..., None, :]
        du = du - dRu @ _t(J)
        dJ = dJ - _t(u) @ dRu
        ds = ds - np.sum(wv * Ru, axis=-2) / s ** 2
        dv = dv + _t(w) @ (Ru / s[..., None, :])
    if wider:
        Rv = gv - v @ K
        w_rv = w @ Rv
        du = du + w_rv / s[..., None, :]
        ds = ds - np.sum(w_rv * u, axis=-2) / s ** 2
        dRv = _t(w) @ (u / s[..., None, :])
        dv = dv - dRv @ _t(K)
        dK = dK - _t(v) @ dRv
    R = -F * F * dF
    ds = ds + 2 * s * (np.sum(R, axis=-2) - np.sum(R, axis=-1))
    du = du + gu @ _t(dJ)
    dv = dv + gv @ _t(dK)
    k = shape_of(s)[-1]
    du_full = np.zeros(shape_of(u_full), dtype=np.result_type(u_full, w))
    dvh_full = np.zeros(shape_of(vh_full), dtype=du_full.dtype)
    du_full[..., :, :k] = du
    dvh_full[..., :k, :] = _t(dv)
    return du_full, ds, dvh_full


def unsvd_grad_adjoint(w: Any, value: Any, a: Any, full_matrices: bool = True,
                       compute_uv: bool = True) -> Any:
    """The adjoint of ``_ad.unsvd(grad, value, a, ...)`` with respect to ``grad``: the
    tangent of ``svd`` along ``w`` at the factors ``value`` (recomputed from ``a`` for
    ``compute_uv=False``), with zeros (not nan) for the columns of ``u`` (rows of
    ``vh``) beyond ``min(m, n)``, which the gradient does not read."""
    if not compute_uv:
        return svd_values(w, a)
    return _svd_tangent(w, value, a, 0.0)


def unsvd_a_term(t: Any, grad: Any, a: Any, full_matrices: bool = True,
                 compute_uv: bool = True) -> Any:
    """The tangent of ``_ad.unsvd(grad, value, a, ...)`` that the tangent ``t`` of ``a``
    gives: `unsvd_values_a_term` where the singular vectors are computed again from
    ``a`` (``compute_uv=False``), else none (``a`` is read for its shape). Its own
    adjoint."""
    if compute_uv:
        return np.zeros(shape_of(a), dtype=np.result_type(a, np.float32))
    return unsvd_values_a_term(t, grad, a)


# ----- the gradients of kron, cross, sinc, select and atleast_*d, for second order -----


def unkron_term(t: Any, grad: Any, a: Any, b: Any, which: int, wanted: int) -> Any:
    """The tangent of ``_ad.unkron(grad, a, b, which)`` that the tangent ``t`` of its
    input ``wanted`` (0: ``a``, 1: ``b``) gives: linear in the other operand, it reads
    that one; the operand whose gradient it is only for its shape."""
    from .shapes import unkron
    if wanted == which:
        return np.zeros(shape_of(a if which == 0 else b), dtype=np.result_type(grad, t))
    return unkron(grad, t, b, which) if wanted == 0 else unkron(grad, a, t, which)


def unkron_adjoint(u: Any, grad: Any, a: Any, b: Any, which: int, wanted: int) -> Any:
    """The adjoint of `unkron_term` with respect to ``t``: ``<u, unkron(grad, a, t, 0)>``
    is ``<kron(u, t), grad>``, so ``unkron(grad, u, b, 1)`` (and the mirror image)."""
    from .shapes import unkron
    if wanted == which:
        return np.zeros(shape_of(a if which == 0 else b), dtype=np.result_type(grad, u))
    return unkron(grad, a, u, 0) if wanted == 0 else unkron(grad, u, b, 1)


def unconvolve_term(t: Any, grad: Any, a: Any, v: Any, mode: Any, which: int,
                    wanted: int) -> Any:
    """The tangent of ``_ad.unconvolve(grad, a, v, mode, which)`` that the tangent ``t``
    of its input ``wanted`` (0: ``a``, 1: ``v``) gives: linear in the other operand;
    the operand whose gradient it is counts for its shape alone."""
    from .shapes import unconvolve
    if wanted == which:
        return np.zeros(shape_of(a if which == 0 else v), dtype=np.result_type(grad, t))
    return unconvolve(grad, t, v, mode, which) if wanted == 0 else \
        unconvolve(grad, a, t, mode, which)


def unconvolve_adjoint(u: Any, grad: Any, a: Any, v: Any, mode: Any, which: int,
                       wanted: int) -> Any:
    """The adjoint of `unconvolve_term` with respect to ``t``: ``<u, unconvolve(grad,
    a, t, mode, 0)>`` is ``<t, unconvolve(grad, u, v, mode, 1)>`` (a correlation
    read the other way), and the mirror image."""
    from .shapes import unconvolve
    if wanted == which:
        return np.zeros(shape_of(a if which == 0 else v), dtype=np.result_type(grad, u))
    return unconvolve(grad, u, v, mode, 1) if wanted == 1 else \
        unconvolve(grad, a, u, mode, 0)


def convolve_part(u: Any, a: Any, v: Any, mode: Any, which: int) -> Any:
    """The adjoint of ``_ad.unconvolve(grad, a, v, mode, which)`` with respect to
    ``grad``: the tangent of ``np.convolve(a, v, mode)`` along ``u`` in operand
    ``which``."""
    from .shapes import convolve_mode
    mode = convolve_mode(mode)
    return np.convolve(np.ravel(u), np.ravel(v), mode) if which == 0 else \
        np.convolve(np.ravel(a), np.ravel(u), mode)


def kron_part(u: Any, a: Any, b: Any, which: int) -> Any:
    """The adjoint of ``_ad.unkron(grad, a, b, which)`` with respect to ``grad``: the
    tangent of ``kron(a, b)`` along ``u`` in operand ``which``."""
    return np.kron(u, b) if which == 0 else np.kron(a, u)


def cross_term(t: Any, grad: Any, a: Any, b: Any, axisa: int, axisb: int, axisc: int,
               axis: Any, which: int, wanted: int) -> Any:
    """The tangent of ``_ad.cross_grad(grad, a, b, ..., which)`` that the tangent ``t``
    of its input ``wanted`` (0: ``a``, 1: ``b``) gives: linear in the other operand."""
    from .linalg import cross_grad
    if wanted == which:
        return np.zeros(shape_of(a if which == 0 else b), dtype=np.result_type(grad, t))
    pair = (t, b) if wanted == 0 else (a, t)
    return cross_grad(grad, *pair, axisa, axisb, axisc, axis, which)


def cross_adjoint(u: Any, grad: Any, a: Any, b: Any, axisa: int, axisb: int, axisc: int,
                  axis: Any, which: int, wanted: int) -> Any:
    """The adjoint of `cross_term` with respect to ``t``: ``<u, cross_grad(grad, a, t,
    ..., 0)>`` is ``<grad, cross(u, t)>``, so ``cross_grad(grad, u, b, ..., 1)`` (and
    the mirror image)."""
    from .linalg import cross_grad
    if wanted == which:
        return np.zeros(shape_of(a if which == 0 else b), dtype=np.result_type(grad, u))
    if wanted == 1:
        return cross_grad(grad, u, b, axisa, axisb, axisc, axis, 1)
    return cross_grad(grad, a, u, axisa, axisb, axisc, axis, 0)


def cross_part(u: Any, a: Any, b: Any, axisa: int, axisb: int, axisc: int, axis: Any,
               which: int) -> Any:
    """The adjoint of ``_ad.cross_grad(grad, a, b, ..., which)`` with respect to
    ``grad``: the tangent of ``cross(a, b, ...)`` along ``u`` in operand ``which``."""
    if axis is not None:
        axisa = axisb = axisc = axis
    x, y = (u, b) if which == 0 else (a, u)
    x, y = np.moveaxis(x, axisa, -1), np.moveaxis(y, axisb, -1)
    if x.shape[-1] == 3 and y.shape[-1] == 3:
        return np.moveaxis(np.cross(x, y), -1, axisc)
    # 2-vectors as 3-vectors in the plane (NumPy 2 deprecates crossing 2-vectors)
    x3, y3 = (np.concatenate([v, np.zeros(v.shape[:-1] + (1,), dtype=v.dtype)], -1)
              if v.shape[-1] == 2 else v for v in (x, y))
    full = np.cross(x3, y3)
    if x.shape[-1] == 2 and y.shape[-1] == 2:
        return full[..., 2]
    return np.moveaxis(full, -1, axisc)


# d2/dt2 (sin t / t) = ((2 - t**2) sin t - 2 t cos t) / t**3 = sum over k >= 1 of
# (-1)**k 2k (2k - 1) t**(2k - 2) / (2k + 1)!: the series for |t| < 1, where the
# closed form cancels (its numerator is -t**3 / 3 + ... near 0).
_SINC_SECOND_SERIES = [(-1) ** k * 2 * k * (2 * k - 1) / math.factorial(2 * k + 1)
                       for k in range(1, 11)]


def sinc_second(x: Any) -> Any:
    """The second derivative of ``np.sinc(x) = sin(pi x) / (pi x)`` (the derivative of
    `runtime.sinc_grad`), without cancellation near 0 (-pi**2 / 3 there), in the
    dtype of ``x``."""
    t = math.pi * np.asarray(x, dtype=np.float64)
    t2 = t * t
    series = np.zeros_like(t)
    for c in reversed(_SINC_SECOND_SERIES):
        series = series * t2 + c
    safe = np.where(np.abs(t) < 1, 1.0, t)
    closed = ((2 - safe * safe) * np.sin(safe) - 2 * safe * np.cos(safe)) / safe ** 3
    value = math.pi ** 2 * np.where(np.abs(t) < 1, series, closed)
    if isinstance(x, float):
        return float(value)
    return value.astype(np.result_type(x, np.float32), copy=False)


def select_part(u: Any, grad: Any, condlist: Any) -> Any:
    """The adjoint of ``_ad.unselect(grad, condlist, choicelist)`` with respect to
    ``grad``: each choice's adjoint where its condition is the first true one."""
    from .shapes import _chosen
    shape = shape_of(grad)
    chosen = _chosen(condlist, shape)
    out = np.zeros(shape, dtype=np.result_type(grad, *u, np.float32))
    for k, part in enumerate(u):
        out = np.where(chosen == k, np.broadcast_to(part, shape), out)
    return out


def select_default_part(u: Any, grad: Any, condlist: Any) -> Any:
    """The adjoint of ``_ad.unselect_default(grad, condlist, default)`` with respect to
    ``grad``: ``u`` where no condition holds."""
    from .shapes import _chosen
    shape = shape_of(grad)
    return np.where(_chosen(condlist, shape) == len(condlist), np.broadcast_to(u, shape),
                    0).astype(np.result_type(grad, u, np.float32), copy=False)


def atleast_part(u: Any, value: Any, arys: Any) -> Any:
    """The adjoint of ``_ad.unatleast(grad, value, arys)`` with respect to ``grad``: each
    array's adjoint in the shape ``atleast_Nd`` gave it (one array, or a list)."""
    if len(arys) == 1:
        return np.reshape(u[0], shape_of(value))
    return [np.reshape(p, shape_of(v)) for p, v in zip(u, value)]


# ----- the gradients of matrix_power and pinv, for second order -----


def unmatrix_power_a_term(t: Any, grad: Any, a: Any, n: int) -> Any:
    """The tangent of ``_ad.unmatrix_power(grad, a, n)`` (the sum of
    ``(a^k)^T grad (a^(n-1-k))^T``) that the tangent ``t`` of ``a`` gives, from the
    powers' tangents ``d(a^(k+1)) = d(a^k) a + a^k t``; through the inverse for a
    negative ``n``. The Hessian of ``<grad, matrix_power(a, n)>`` applied to ``t``:
    also its own adjoint."""
    from .decompositions import unmatrix_power
    if n < 0:
        inverse = np.linalg.inv(a)
        d_inverse = -(inverse @ t @ inverse)
        through = unmatrix_power(grad, inverse, -n)
        d_through = unmatrix_power_a_term(d_inverse, grad, inverse, -n)
        return -(_t(d_inverse) @ through @ _t(inverse) + _t(inverse) @ d_through @ _t(inverse)
                 + _t(inverse) @ through @ _t(d_inverse))
    if n == 0:
        return np.zeros(np.broadcast_shapes(shape_of(a), shape_of(t)),
                        dtype=np.result_type(a, t, np.float32))
    powers = [np.broadcast_to(np.eye(shape_of(a)[-1]), shape_of(a))]
    tangents = [np.zeros(shape_of(a))]
    for _ in range(n - 1):
        tangents.append(tangents[-1] @ a + powers[-1] @ t)
        powers.append(powers[-1] @ a)
    total = 0
    for k in range(n):
        total = total + (_t(tangents[k]) @ grad @ _t(powers[n - 1 - k])
                         + _t(powers[k]) @ grad @ _t(tangents[n - 1 - k]))
    return total


def _eyes(a: Any) -> tuple:
    m, n = shape_of(a)[-2:]
    return np.eye(m), np.eye(n)


def pinv(t: Any, X: Any, a: Any) -> Any:
    """Tangent of ``pinv(a)`` (``X``), for a matrix of constant rank:
    ``-X dA X + X X^T dA^T (I - A X) + (I - X A) dA^T X^T X``."""
    eye_m, eye_n = _eyes(a)
    return (-(X @ t @ X) + X @ _t(X) @ _t(t) @ (eye_m - a @ X)
            + (eye_n - X @ a) @ _t(t) @ _t(X) @ X)


def unpinv_x_term(t: Any, grad: Any, X: Any, a: Any) -> Any:
    """The tangent of ``_ad.unpinv(grad, X, a)`` (``-X^T G X^T + (I - A X) G^T X X^T +
    X^T X G^T (I - X A)``) that the tangent ``t`` of ``X`` gives."""
    eye_m, eye_n = _eyes(a)
    G = grad
    return (-(_t(t) @ G @ _t(X) + _t(X) @ G @ _t(t))
            - a @ t @ _t(G) @ X @ _t(X) + (eye_m - a @ X) @ _t(G) @ (t @ _t(X) + X @ _t(t))
            + (_t(t) @ X + _t(X) @ t) @ _t(G) @ (eye_n - X @ a)
            - _t(X) @ X @ _t(G) @ t @ a)


def unpinv_x_adjoint(w: Any, grad: Any, X: Any, a: Any) -> Any:
    """The adjoint of `unpinv_x_term` with respect to ``t``."""
    eye_m, eye_n = _eyes(a)
    G = grad
    return (-(G @ _t(X) @ _t(w) + _t(w) @ _t(X) @ G)
            - _t(a) @ w @ X @ _t(X) @ G + G @ _t(eye_m - a @ X) @ w @ X
            + _t(w) @ (eye_m - a @ X) @ _t(G) @ X
            + X @ _t(G) @ (eye_n - X @ a) @ _t(w) + X @ w @ _t(eye_n - X @ a) @ G
            - G @ _t(X) @ X @ w @ _t(a))


def unpinv_a_term(t: Any, grad: Any, X: Any, a: Any) -> Any:
    """The tangent of ``_ad.unpinv(grad, X, a)`` that the tangent ``t`` of ``a`` gives:
    ``-t X G^T X X^T - X^T X G^T X t``."""
    G = grad
    return -(t @ X @ _t(G) @ X @ _t(X)) - _t(X) @ X @ _t(G) @ X @ t


def unpinv_a_adjoint(w: Any, grad: Any, X: Any, a: Any) -> Any:
    """The adjoint of `unpinv_a_term` with respect to ``t``."""
    G = grad
    return -(w @ X @ _t(X) @ G @ _t(X)) - _t(X) @ G @ _t(X) @ X @ w


# ----- the derivative of digamma (math.lgamma's and math.gamma's gradients) -----


def trigamma(x: Any) -> float:
    """The trigamma function ``psi'(x)``, the derivative of `runtime.digamma`, of a
    Python number (SciPy is optional): recurrence up to ``x >= 10``, then the
    asymptotic series; reflection for ``x < 1/2``; infinite at the poles."""
    x = float(x)
    if x <= 0 and x == math.floor(x):
        return math.inf
    if x < 0.5:
        return (math.pi / math.sin(math.pi * x)) ** 2 - trigamma(1 - x)
    result = 0.0
    while x < 10:
        result += 1 / (x * x)
        x += 1
    inv2 = 1 / (x * x)
    series = inv2 * (1 / 6 - inv2 * (1 / 30 - inv2 * (1 / 42 - inv2 * (
        1 / 30 - inv2 * (5 / 66 - inv2 * (691 / 2730 - inv2 * (7 / 6)))))))
    return result + 1 / x + inv2 / 2 + series / x


# ----- lstsq: its tangent, and the second order of its gradient (unlstsq) -----
#
# With P = pinv(a), X the solution and r = B - a X the residual (columns of the
# right-hand sides B), unlstsq's gradient is P^T G + 2 r w for b and
# unpinv(G B^T, P, a) - 2 (r w) X^T for a, G the solution's adjoint and w the
# residuals' (per column, where lstsq gives residuals).


def _lstsq_parts(ans: Any, a: Any, b: Any) -> tuple:
    """``(vector, B, X, r, P)``: whether ``b`` is a vector, ``b`` and the solution as
    matrices, the residual and ``pinv(a)``."""
    x = ans[0]
    vector = np.ndim(b) == 1
    B = b[:, None] if vector else b
    X = x[:, None] if vector else x
    return vector, B, X, B - a @ X, np.linalg.pinv(a)


def _lstsq_adjoints(grad: Any, ans: Any, vector: bool) -> tuple:
    """The solution's adjoint as a matrix, and the residuals' as column weights (None
    where lstsq gives no residuals); the singular values' is refused, as unlstsq does."""
    from .shapes import items
    gx, gres, _, gsv = items(grad, ans)
    if np.any(gsv):
        raise NotImplementedError("the gradient of np.linalg.lstsq through its singular "
                                  "values is not supported: call np.linalg.svd")
    G = gx[:, None] if vector else gx
    weight = np.reshape(gres, (-1,)) if np.size(ans[1]) else None
    return G, weight


def _column(v: Any, vector: bool) -> Any:
    return v[:, None] if vector else v


def _uncolumn(v: Any, vector: bool) -> Any:
    return v[:, 0] if vector else v


def lstsq(ta: Any, tb: Any, ans: Any, a: Any, b: Any) -> tuple:
    """Tangent of ``lstsq(a, b)`` (``a`` of full rank) along ``ta`` (of ``a``) or ``tb``
    (of ``b``), either None: the solution's ``dP B + P dB``, the residuals'
    ``2 sum(r dr)`` per column, none for the rank, and the singular values' (of
    ``a``)."""
    x, res, rank, sv = ans
    vector, B, X, r, P = _lstsq_parts(ans, a, b)
    if ta is not None:
        dX = pinv(ta, P, a) @ B
        dr = -(ta @ X) - a @ dX
        dsv = svd_values(ta, a)
    else:
        dB = _column(tb, vector)
        dX = P @ dB
        dr = dB - a @ dX
        dsv = np.zeros(shape_of(sv), dtype=np.result_type(sv, dX))
    dres = 2 * np.sum(r * dr, axis=0) if np.size(res) else np.zeros(shape_of(res))
    return _uncolumn(dX, vector), dres, np.zeros(np.shape(rank)), dsv


def unlstsq_value_term(t: Any, grad: Any, value: Any, a: Any, b: Any, which: int) -> Any:
    """The tangent of ``_ad.unlstsq(grad, value, a, b, which)`` that the tangent of the
    solution ``value[0]`` gives (through the residual ``r = B - a X``)."""
    vector, B, X, r, P = _lstsq_parts(value, a, b)
    G, w = _lstsq_adjoints(grad, value, vector)
    shape = shape_of(b) if which == 1 else shape_of(a)
    if w is None:
        return np.zeros(shape, dtype=np.result_type(a, b, np.float32))
    dX = _column(t[0], vector)
    if which == 1:
        return _uncolumn(-2 * (a @ dX) * w, vector)
    return 2 * ((a @ dX) * w) @ _t(X) - 2 * (r * w) @ _t(dX)


def unlstsq_value_adjoint(u: Any, grad: Any, value: Any, a: Any, b: Any, which: int) -> tuple:
    """The adjoint of `unlstsq_value_term` (the solution's; zeros for the other items)."""
    vector, B, X, r, P = _lstsq_parts(value, a, b)
    G, w = _lstsq_adjoints(grad, value, vector)
    if w is None:
        dX = np.zeros(shape_of(X), dtype=np.result_type(X, u))
    elif which == 1:
        dX = -2 * _t(a) @ (_column(u, vector) * w)
    else:
        dX = 2 * _t(a) @ ((u @ X) * w) - 2 * _t(u) @ (r * w)
    x, res, rank, sv = value
    return (_uncolumn(dX, vector), np.zeros(shape_of(res)), np.zeros(np.shape(rank)),
            np.zeros(shape_of(sv)))


def unlstsq_a_term(t: Any, grad: Any, value: Any, a: Any, b: Any, which: int) -> Any:
    """The tangent of ``_ad.unlstsq(grad, value, a, b, which)`` that the tangent ``t``
    of ``a`` gives: through ``pinv(a)``, ``unpinv``'s own ``a`` and the residual."""
    vector, B, X, r, P = _lstsq_parts(value, a, b)
    G, w = _lstsq_adjoints(grad, value, vector)
    dP = pinv(t, P, a)
    if which == 1:
        out = _t(dP) @ G
        if w is not None:
            out = out - 2 * (t @ X) * w
        return _uncolumn(out, vector)
    H = G @ _t(B)
    out = unpinv_x_term(dP, H, P, a) + unpinv_a_term(t, H, P, a)
    if w is not None:
        out = out + 2 * ((t @ X) * w) @ _t(X)
    return out


def unlstsq_a_adjoint(u: Any, grad: Any, value: Any, a: Any, b: Any, which: int) -> Any:
    """The adjoint of `unlstsq_a_term` with respect to ``t``."""
    from .decompositions import unpinv
    vector, B, X, r, P = _lstsq_parts(value, a, b)
    G, w = _lstsq_adjoints(grad, value, vector)
    if which == 1:
        U = _column(u, vector)
        out = unpinv(G @ _t(U), P, a)
        if w is not None:
            out = out - 2 * (U * w) @ _t(X)
        return out
    H = G @ _t(B)
    out = unpinv(unpinv_x_adjoint(u, H, P, a), P, a) + unpinv_a_adjoint(u, H, P, a)
    if w is not None:
        out = out + 2 * ((u @ X) * w) @ _t(X)
    return out


def unlstsq_b_term(t: Any, grad: Any, value: Any, a: Any, b: Any, which: int) -> Any:
    """The tangent of ``_ad.unlstsq(grad, value, a, b, which)`` that the tangent ``t``
    of ``b`` gives (through ``G B^T`` and the residual)."""
    from .decompositions import unpinv
    vector, B, X, r, P = _lstsq_parts(value, a, b)
    G, w = _lstsq_adjoints(grad, value, vector)
    dB = _column(t, vector)
    if which == 1:
        if w is None:
            return np.zeros(shape_of(b), dtype=np.result_type(b, t, np.float32))
        return _uncolumn(2 * dB * w, vector)
    out = unpinv(G @ _t(dB), P, a)
    if w is not None:
        out = out - 2 * (dB * w) @ _t(X)
    return out


def unlstsq_b_adjoint(u: Any, grad: Any, value: Any, a: Any, b: Any, which: int) -> Any:
    """The adjoint of `unlstsq_b_term` with respect to ``t``."""
    vector, B, X, r, P = _lstsq_parts(value, a, b)
    G, w = _lstsq_adjoints(grad, value, vector)
    if which == 1:
        if w is None:
            return np.zeros(shape_of(b), dtype=np.result_type(b, u, np.float32))
        return _uncolumn(2 * _column(u, vector) * w, vector)
    out = _t(pinv(u, P, a)) @ G
    if w is not None:
        out = out - 2 * (u @ X) * w
    return _uncolumn(out, vector)


class ItemSum(tuple):
    """A tuple of adjoints that ``+`` adds item by item (as `core.add` does), not joins.

    The gradient of lstsq reads its result's adjoint ``grad`` (a tuple) in two calls,
    one per operand; reverse over reverse sums the two adjoints of ``grad`` with ``+``
    where the transform does not know ``grad`` for a tuple (an ``_ad.unindex`` of the
    result made it), and then reads ``[0]`` of the joined tuple: the second call's
    share was lost. These sums stay right whatever the transform knows.
    """

    def __add__(self, other: Any) -> Any:
        from .containers import add
        if isinstance(other, (list, tuple)) and len(other) == len(self):
            return ItemSum(add(x, y) for x, y in zip(self, other))
        return NotImplemented

    __radd__ = __add__


def unlstsq_grad_adjoint(u: Any, value: Any, a: Any, b: Any, which: int) -> tuple:
    """The adjoint of ``_ad.unlstsq(grad, value, a, b, which)`` with respect to ``grad``
    (the solution's and the residuals' adjoints; zeros for the rank and singular
    values), as an `ItemSum`."""
    vector, B, X, r, P = _lstsq_parts(value, a, b)
    x, res, rank, sv = value
    if which == 1:
        U = _column(u, vector)
        gx = P @ U
        gres = 2 * np.sum(U * r, axis=0)
    else:
        gx = pinv(u, P, a) @ B
        gres = -2 * np.sum((u @ X) * r, axis=0)
    gres = np.reshape(gres, shape_of(res)) if np.size(res) else np.zeros(shape_of(res))
    return ItemSum((_uncolumn(gx, vector), gres, np.zeros(np.shape(rank)),
                    np.zeros(shape_of(sv))))


# ----- qr: its tangent, and the second order of its gradient (unqr) -----
#
# For a of m x n, m >= n, A = Q R (reduced). With X = Q^T dA R^-1 and B = X - L + L^T
# (L its strict lower triangle: B is upper triangular, X - B antisymmetric),
# dR = B R and dQ = dA R^-1 - Q B. unqr's gradient is (gQ + Q C) R^-T with
# C = copyltu(R gR^T - gQ^T Q) (the lower triangle mirrored onto the upper).


def _qr_check(a: Any, mode: str) -> None:
    m, n = shape_of(a)[-2:]
    if mode not in ("reduced", "r") or m < n:
        raise NotImplementedError(
            "the derivative of np.linalg.qr is supported for mode='reduced' or 'r' on "
            f"matrices with at least as many rows as columns (got mode={mode!r}, {m}x{n})")


def _qr_tangent(t: Any, q: Any, r: Any) -> tuple:
    """``(dQ, dR)`` of the reduced QR factors ``q, r`` along ``t``. With other factors
    than ``a``'s it is still the transpose of ``_ad.unqr`` at those factors."""
    t_rinv = _right_solve(t, r)
    X = _t(q) @ t_rinv
    lower = np.tril(X, -1)
    B = X - lower + _t(lower)
    return t_rinv - q @ B, B @ r


def qr(t: Any, ans: Any, a: Any, mode: str = "reduced") -> Any:
    """Tangent of ``qr(a, mode)`` for ``mode='reduced'`` (``(dQ, dR)``) or ``'r'``
    (``dR``), ``m >= n``, ``a`` of full rank."""
    _qr_check(a, mode)
    if mode == "r":
        return _qr_tangent(t, *np.linalg.qr(a))[1]
    return _qr_tangent(t, ans[0], ans[1])


def _copyltu(M: Any) -> Any:
    return np.tril(M) + _t(np.tril(M, -1))


def _unqr_factor_term(dq: Any, dr: Any, gq: Any, gr: Any, q: Any, r: Any) -> Any:
    """The tangent of ``(gQ + Q C) R^-T`` along ``(dq, dr)`` of the factors."""
    C = _copyltu(r @ _t(gr) - _t(gq) @ q)
    out = _right_solve(gq + q @ C, _t(r))
    dC = _copyltu(dr @ _t(gr) - _t(gq) @ dq)
    return _right_solve(dq @ C + q @ dC - out @ _t(dr), _t(r))


def _unqr_factor_adjoint(w: Any, gq: Any, gr: Any, q: Any, r: Any) -> tuple:
    """The adjoint of `_unqr_factor_term` with respect to ``(dq, dr)``: with
    ``Y = Q^T w R^-1`` and ``Z = tril(Y) + tril(Y^T, -1)`` (copyltu's transpose),
    ``w R^-1 C - gQ Z`` and ``Z gR - R^-T w^T (gQ + Q C) R^-T``."""
    C = _copyltu(r @ _t(gr) - _t(gq) @ q)
    out = _right_solve(gq + q @ C, _t(r))
    w_rinv = _right_solve(w, r)
    Y = _t(q) @ w_rinv
    Z = np.tril(Y) + np.tril(_t(Y), -1)
    return w_rinv @ C - gq @ Z, Z @ gr - np.linalg.solve(_t(r), _t(w) @ out)


def _unqr_parts(grad: Any, value: Any, a: Any, mode: str) -> tuple:
    """``(gQ, gR, Q, R)`` as ``_ad.unqr`` reads them (for ``'r'``: no ``gQ``, and the
    factors computed again from ``a``)."""
    from .shapes import items
    _qr_check(a, mode)
    if mode == "r":
        q, r = np.linalg.qr(a)
        return np.zeros(shape_of(q), dtype=np.result_type(q, grad)), grad, q, r
    gq, gr = items(grad, value)
    return gq, gr, value[0], value[1]


def unqr_value_term(t: Any, grad: Any, value: Any, a: Any, mode: str = "reduced") -> Any:
    """The tangent of ``_ad.unqr(grad, value, a, mode)`` that the tangents ``(dQ, dR)``
    of the factors it reads give (none for ``'r'``, which computes them again)."""
    from .shapes import items
    if mode == "r":
        return np.zeros(shape_of(a), dtype=np.result_type(a, np.float32))
    gq, gr, q, r = _unqr_parts(grad, value, a, mode)
    dq, dr = items(t, value)
    return _unqr_factor_term(dq, dr, gq, gr, q, r)


def unqr_value_adjoint(u: Any, grad: Any, value: Any, a: Any, mode: str = "reduced") -> Any:
    """The adjoint of `unqr_value_term` with respect to ``(dQ, dR)``."""
    if mode == "r":
        return zeros_like(value)
    gq, gr, q, r = _unqr_parts(grad, value, a, mode)
    return _unqr_factor_adjoint(u, gq, gr, q, r)


def unqr_a_term(t: Any, grad: Any, value: Any, a: Any, mode: str = "reduced") -> Any:
    """The tangent of ``_ad.unqr(grad, value, a, 'r')`` that the tangent ``t`` of ``a``
    gives, through the factors it computes from ``a`` (none for ``'reduced'``)."""
    if mode != "r":
        return np.zeros(shape_of(a), dtype=np.result_type(a, np.float32))
    gq, gr, q, r = _unqr_parts(grad, value, a, mode)
    return _unqr_factor_term(*_qr_tangent(t, q, r), gq, gr, q, r)


def unqr_a_adjoint(u: Any, grad: Any, value: Any, a: Any, mode: str = "reduced") -> Any:
    """The adjoint of `unqr_a_term` with respect to ``t``: the factors' adjoints sent
    back through ``qr``'s gradient."""
    from .decompositions import unqr
    if mode != "r":
        return np.zeros(shape_of(a), dtype=np.result_type(a, np.float32))
    gq, gr, q, r = _unqr_parts(grad, value, a, mode)
    return unqr(_unqr_factor_adjoint(u, gq, gr, q, r), (q, r), a)


def unqr_grad_adjoint(u: Any, value: Any, a: Any, mode: str = "reduced") -> Any:
    """The adjoint of ``_ad.unqr(grad, value, a, mode)`` with respect to ``grad``: the
    tangent of ``qr`` along ``u`` at the factors read."""
    if mode == "r":
        return qr(u, value, a, mode)
    return _qr_tangent(u, value[0], value[1])
