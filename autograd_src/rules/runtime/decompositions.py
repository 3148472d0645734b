"""Adjoints of matrix decompositions and matrix functions: cholesky, eigh, eig, svd, qr,
pinv, lstsq, slogdet, matrix_power, and the matrix norms built on them.

Every helper works on stacks of matrices (the last two axes) where NumPy does.
Functions that read one triangle of a symmetric input (``cholesky``, ``eigh``)
return the exact derivative of what NumPy computes: the gradient of the
symmetric matrix that the triangle stands for, folded onto that triangle (the
off-diagonal entries of the other triangle get 0; finite differences on any
input agree). For a symmetric ``A`` built from parameters (``A = B @ B.T``) the
chain rule gives the same gradient as the symmetric convention of other
libraries.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .core import dtype_of, shape_of
from .shapes import items

__all__ = ["fold_symmetric", "uncholesky", "uneigh", "uneigvalsh", "uneig", "unsvd",
           "unpinv", "unqr", "unlstsq", "unslogdet", "unmatrix_power", "unmatrix_norm"]


def _t(a: Any) -> Any:
    return np.swapaxes(a, -1, -2)


def _sym(a: Any) -> Any:
    return (a + _t(a)) / 2


def _real(dtype: Any) -> Any:
    return np.result_type(dtype, np.float32)


def fold_symmetric(s: Any, lower: bool = True) -> Any:
    """The gradient ``s`` (symmetric) of a function of a symmetric matrix, folded onto
    the triangle the function reads: off-diagonal entries count twice, the other
    triangle gets 0."""
    twice = np.tril(s, -1) if lower else np.triu(s, 1)
    return 2 * twice + s * np.eye(shape_of(s)[-1], dtype=dtype_of(s))


def uncholesky(g: Any, L: Any, upper: bool = False) -> Any:
    """Gradient of ``cholesky(a)``; reads the lower triangle (upper with ``upper=True``).

    With ``phi(X) = tril(X)`` with half its diagonal, the gradient with respect to
    the symmetric matrix is ``S = sym(L^-T phi(L^T G) L^-1)``.
    """
    if upper:
        L, g = _t(L), _t(g)
    P = _t(L) @ g
    P = np.tril(P) - 0.5 * P * np.eye(shape_of(L)[-1], dtype=dtype_of(L))
    inner = np.linalg.solve(_t(L), _t(np.linalg.solve(_t(L), _t(P))))
    return fold_symmetric(_sym(inner), lower=not upper)


def _gap_inverse(w: Any) -> Any:
    """``F[i, j] = 1 / (w[j] - w[i])`` off the diagonal, 0 on it."""
    diff = w[..., None, :] - w[..., :, None]
    eye = np.eye(shape_of(w)[-1], dtype=bool)
    return np.where(eye, 0, 1 / np.where(eye, 1, diff))


def uneigh(g: Any, ans: Any, UPLO: str = "L") -> Any:
    """Gradient of ``eigh(a, UPLO)`` (eigenvalues and eigenvectors).

    ``S = V (diag(gw) + sym(F * (V^T gV))) V^T``, folded onto the triangle read.
    Eigenvalues must be distinct where eigenvectors carry a gradient (the
    vectors of a repeated eigenvalue are not unique).
    """
    w, v = ans
    gw, gv = items(g, ans)
    inner = gw[..., None] * np.eye(shape_of(w)[-1])
    if np.any(gv):
        inner = inner + _sym(_gap_inverse(w) * (_t(v) @ gv))
    return fold_symmetric(v @ inner @ _t(v), lower=UPLO.upper() == "L")


def uneigvalsh(g: Any, a: Any, UPLO: str = "L") -> Any:
    """Gradient of ``eigvalsh(a, UPLO)``: ``V diag(g) V^T``, folded."""
    _, v = np.linalg.eigh(a, UPLO)
    return fold_symmetric((v * np.expand_dims(g, -2)) @ _t(v), lower=UPLO.upper() == "L")


def _check_real(w: Any, name: str) -> None:
    if np.iscomplexobj(w):
        raise NotImplementedError(
            f"the gradient of np.linalg.{name} is supported only when all eigenvalues "
            "are real (NumPy returned complex ones here): complex values are not "
            "differentiated")


def uneig(g: Any, ans: Any) -> Any:
    """Gradient of ``eig(a)`` for a real matrix with real, distinct eigenvalues.

    NumPy scales each eigenvector to unit length, so the part of ``gV`` along each
    vector is dropped first; then ``A_bar = V^-T (diag(gw) + F * (V^T gV')) V^T``.
    """
    w, v = ans
    _check_real(w, "eig")
    gw, gv = items(g, ans)
    inner = gw[..., None] * np.eye(shape_of(w)[-1])
    if np.any(gv):
        along = np.sum(v * gv, axis=-2, keepdims=True)
        gv = gv - v * along
        inner = inner + _gap_inverse(w) * (_t(v) @ gv)
    return np.linalg.solve(_t(v), inner @ _t(v))


def unsvd(g: Any, ans: Any, a: Any, full_matrices: bool = True,
          compute_uv: bool = True) -> Any:
    """Gradient of ``svd(a, full_matrices, compute_uv)``.

    Singular values must be distinct (and nonzero where ``u`` or ``vh`` carry a
    gradient and ``a`` is not square). With ``full_matrices=True`` and a
    rectangular ``a`` the extra columns of ``u`` (rows of ``vh``) are not unique:
    a gradient reaching them is refused.
    """
    m, n = shape_of(a)[-2:]
    k = min(m, n)
    if not compute_uv:
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        return (u * np.expand_dims(g, -2)) @ vh
    u, s, vh = ans
    gu, gs, gvh = items(g, ans)
    if full_matrices and m != n:
        extra = [gu[..., :, k:] if gu is not None else None,
                 gvh[..., k:, :] if gvh is not None else None]
        if any(e is not None and np.any(e) for e in extra):
            raise NotImplementedError(
                "the gradient of np.linalg.svd(full_matrices=True) through the columns "
                "of u (rows of vh) beyond min(m, n) is not defined (they are not "
                "unique); use full_matrices=False")
        u, vh = u[..., :, :k], vh[..., :k, :]
        gu = gu[..., :, :k] if gu is not None else None
        gvh = gvh[..., :k, :] if gvh is not None else None
    v = _t(vh)
    gv = _t(gvh) if gvh is not None else None
    eye = np.eye(k, dtype=bool)
    s2 = s[..., None, :] ** 2 - s[..., :, None] ** 2
    F = np.where(eye, 0, 1 / np.where(eye, 1, s2))
    S = s[..., None, :] * np.eye(k)
    inner = np.zeros(shape_of(S), dtype=_real(dtype_of(s)))
    if gs is not None:
        inner = inner + gs[..., None] * np.eye(k)
    extra = 0
    if gu is not None and np.any(gu):
        ut_gu = _t(u) @ gu
        inner = inner + (F * (ut_gu - _t(ut_gu))) @ S
        if m > k:
            extra = extra + ((gu - u @ ut_gu) / s[..., None, :]) @ vh
    if gv is not None and np.any(gv):
        vt_gv = _t(v) @ gv
        inner = inner + S @ (F * (vt_gv - _t(vt_gv)))
        if n > k:
            extra = extra + (u / s[..., None, :]) @ _t(gv - v @ vt_gv)
    return u @ inner @ vh + extra


def unpinv(g: Any, X: Any, a: Any) -> Any:
    """Gradient of ``pinv(a)`` (``X``), for a matrix of constant rank:
    ``-X^T G X^T + (I - A X)^T... `` as in Golub and Pereyra's derivative."""
    m, n = shape_of(a)[-2:]
    eye_m, eye_n = np.eye(m), np.eye(n)
    return (-_t(X) @ g @ _t(X)
            + (eye_m - a @ X) @ _t(g) @ X @ _t(X)
            + _t(X) @ X @ _t(g) @ (eye_n - X @ a))


def unqr(g: Any, ans: Any, a: Any, mode: str = "reduced") -> Any:
    """Gradient of ``qr(a, mode)`` for ``mode='reduced'`` or ``'r'``, ``m >= n``.

    ``M = R G_R^T - G_Q^T Q``; ``A_bar = (G_Q + Q copyltu(M)) R^-T``, where
    ``copyltu`` mirrors the lower triangle of ``M`` onto the upper one.
    """
    m, n = shape_of(a)[-2:]
    if mode not in ("reduced", "r") or m < n:
        raise NotImplementedError(
            "the gradient of np.linalg.qr is supported for mode='reduced' or 'r' on "
            f"matrices with at least as many rows as columns (got mode={mode!r}, {m}x{n})")
    if mode == "r":
        q, r = np.linalg.qr(a)
        gq, gr = np.zeros(shape_of(q)), g
    else:
        q, r = ans
        gq, gr = items(g, ans)
    M = r @ _t(gr) - _t(gq) @ q
    copied = np.tril(M) + _t(np.tril(M, -1))
    return _t(np.linalg.solve(r, _t(gq + q @ copied)))


def unlstsq(g: Any, ans: Any, a: Any, b: Any, which: int) -> Any:
    """Gradient of ``lstsq(a, b)`` for ``a`` (0) or ``b`` (1), for ``a`` of full rank,
    through the solution and the residuals (not the singular values)."""
    x, res, rank, sv = ans
    g = items(g, ans)
    gx, gres = g[0], g[1]
    if np.any(g[3]):
        raise NotImplementedError("the gradient of np.linalg.lstsq through its singular "
                                  "values is not supported: call np.linalg.svd")
    vector = np.ndim(b) == 1
    B = b[:, None] if vector else b
    X = x[:, None] if vector else x
    G = np.zeros(shape_of(X)) if gx is None else (gx[:, None] if vector else gx)
    pinv = np.linalg.pinv(a)
    if which == 1:
        out = _t(pinv) @ G
    else:
        out = unpinv(G @ _t(B), pinv, a)
    if gres is not None and np.size(res) and np.any(gres):
        r = B - a @ X  # at the optimum d|r|^2 = -2 r^T dA x (b's part: 2 r^T db)
        weight = gres if np.ndim(gres) else np.reshape(gres, (1,))
        out = out + (2 * (r * weight) if which == 1 else -2 * (r * weight) @ _t(X))
    return out[:, 0] if which == 1 and vector else out


def unslogdet(g: Any, ans: Any, a: Any) -> Any:
    """Gradient of ``slogdet(a)`` through ``logabsdet`` (the sign has none): ``A^-T``."""
    return np.expand_dims(items(g, ans)[1], (-1, -2)) * _t(np.linalg.inv(a))


def unmatrix_power(g: Any, a: Any, n: int) -> Any:
    """Gradient of ``matrix_power(a, n)``; a negative ``n`` goes through the inverse."""
    if n < 0:
        inverse = np.linalg.inv(a)
        through = unmatrix_power(g, inverse, -n)
        return -_t(inverse) @ through @ _t(inverse)
    if n == 0:
        return np.zeros(shape_of(a), dtype=_real(dtype_of(a)))
    powers = [np.broadcast_to(np.eye(shape_of(a)[-1]), shape_of(a))]
    for _ in range(n - 1):
        powers.append(powers[-1] @ a)
    total = 0
    for k in range(n):
        total = total + _t(powers[k]) @ g @ _t(powers[n - 1 - k])
    return total


def unmatrix_norm(g: Any, ans: Any, x: Any, ord: Any, axes: tuple, keepdims: bool) -> Any:
    """Gradient of a matrix norm (``ord`` in ``'fro' 'nuc' 2 -2 1 -1 inf -inf``) over
    the pair of ``axes``; ties of the max (min) column or row share the gradient."""
    from .reductions import keep_reduced_dims
    row, col = (a % np.ndim(x) for a in axes)
    g = keep_reduced_dims(g, x, axes, keepdims)
    ans = keep_reduced_dims(ans, x, axes, keepdims)
    if ord in (None, "fro"):
        return g * x / np.where(ans == 0, 1, ans)
    if ord in ("nuc", 2, -2):
        moved = np.moveaxis(x, (row, col), (-2, -1))
        u, s, vh = np.linalg.svd(moved, full_matrices=False)
        if ord == "nuc":
            inner = u @ vh
        else:
            pick = 0 if ord == 2 else -1
            inner = u[..., :, pick:pick + 1 or None] @ vh[..., pick:pick + 1 or None, :]
        return g * np.moveaxis(inner, (-2, -1), (row, col))
    if ord in (1, -1, np.inf, -np.inf):
        summed_axis = row if ord in (1, -1) else col
        sums = np.sum(np.abs(x), axis=summed_axis, keepdims=True)
        hits = sums == ans
        count = np.sum(hits, axis=(row, col), keepdims=True)
        return g * np.sign(x) * hits / count
    raise NotImplementedError(f"the gradient of the matrix norm ord={ord!r} is not supported")
