"""``mg.nnet``'s layers (``dense``, ``conv_nd``, ``max_pool``, ``batchnorm``, ``gru``),
with MyGrad 2.5's signatures, each composed of rule-table operations.

No layer has a derivative of its own: a convolution is one gather of the input's
windows (``x[..., index]``, whose rule accumulates where windows overlap) and one
``tensordot``; a max-pool the same gather and ``max`` over each window; batchnorm
and the GRU are the textbook formulas written with ``mg.*``. Window indices, which
carry no gradient, are computed with NumPy.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any, Optional

import numpy as np

from . import functions as F
from .tensor import Tensor, astensor

__all__ = ["dense", "conv_nd", "max_pool", "batchnorm", "gru"]


def _values(x: Any) -> np.ndarray:
    """The values, without exposing a tensor's array (`Tensor.data` would lock it)."""
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def _as_constant(out: Tensor, constant: Optional[bool]) -> Tensor:
    return out if constant is None or constant == out.constant else \
        Tensor(out._data, constant=constant, copy=False)


def _per_axis(value: Any, n: int, name: str, low: int) -> tuple[int, ...]:
    values = (value,) * n if isinstance(value, Integral) else tuple(value)
    if len(values) != n or not all(isinstance(v, Integral) and v >= low for v in values):
        raise ValueError(f"`{name}` must be an integer >= {low} or {n} of them; got {value!r}")
    return tuple(int(v) for v in values)


def _window_index(space: tuple, window: tuple, stride: tuple, dilation: tuple) -> tuple:
    """Flat (row-major) positions in an array of shape ``space`` of every window
    placement: an int array of shape ``(G0, ..., W0, ...)``, and ``(G0, ...)``."""
    grid = []
    for size, w, s, d in zip(space, window, stride, dilation):
        g = (size - ((w - 1) * d + 1)) / s + 1
        if not (g.is_integer() and g > 0):
            return None, None
        grid.append(int(g))
    n = len(space)
    strides = np.cumprod((1,) + tuple(space[::-1]))[:n][::-1]  # row-major offsets
    index = np.zeros(tuple(grid) + tuple(window), dtype=np.intp)
    for axis in range(n):
        shape = [1] * (2 * n)
        shape[axis] = grid[axis]
        index += (np.arange(grid[axis]) * stride[axis] * strides[axis]).reshape(shape)
        shape = [1] * (2 * n)
        shape[n + axis] = window[axis]
        index += (np.arange(window[axis]) * dilation[axis] * strides[axis]).reshape(shape)
    return index, tuple(grid)


def _incompatible(what: str, space: tuple, stride: tuple, window: tuple, **more: tuple):
    lines = [f"Stride and {what} dimensions are incompatible: ",
             f"Input dimensions: {space}", f"Stride dimensions: {stride}",
             f"{'Kernel' if what == 'kernel' else 'Pooling'} dimensions: {window}"]
    lines += [f"{k.capitalize()} dimensions: {v}" for k, v in more.items()]
    return ValueError("\n".join(lines))


def dense(x: Any, w: Any, b: Any = None, *, constant: Optional[bool] = None) -> Tensor:
    """A dense (fully connected) layer: ``x @ w``, plus ``b`` when given.

    ``x`` has shape ``(N, D)`` (or any ``(..., D)``), ``w`` shape ``(D, M)``, ``b``
    shape ``(M,)``. (MyGrad 1's ``dense(x, w)``; ``b`` is an addition.)
    """
    out = F.matmul(x, w)
    if b is not None:
        out = F.add(out, b)
    return _as_constant(out, constant)


def conv_nd(x: Any, filter_bank: Any, *, stride: Any, padding: Any = 0, dilation: Any = 1,
            constant: Optional[bool] = None) -> Tensor:
    """The N-dimensional convolution (cross-correlation) of MyGrad's ``conv_nd``.

    ``x`` has shape ``(N, C, X0, ...)``, ``filter_bank`` shape ``(F, C, W0, ...)``;
    ``stride``, ``padding`` (zeros on both sides) and ``dilation`` are integers or one
    per convolved axis. The result has shape ``(N, F, G0, ...)``.
    """
    xs, ws = _values(x).shape, _values(filter_bank).shape
    if len(xs) < 3 or len(xs) != len(ws):
        raise ValueError("conv_nd needs x of shape (N, C, X0, ...) and filters of shape "
                         f"(F, C, W0, ...) with as many axes; got {xs} and {ws}")
    if xs[1] != ws[1]:
        raise ValueError("The channel-depth of the batch and filters must agree")
    n = len(xs) - 2
    stride = _per_axis(stride, n, "stride", 1)
    padding = _per_axis(padding, n, "padding", 0)
    dilation = _per_axis(dilation, n, "dilation", 1)
    x = astensor(x)
    if any(padding):
        x = F.pad(x, ((0, 0), (0, 0)) + tuple((p, p) for p in padding), mode="constant")
    space = x.shape[2:]
    index, grid = _window_index(space, ws[2:], stride, dilation)
    if index is None:
        raise _incompatible("kernel", tuple(xs[2:]), stride, tuple(ws[2:]),
                            padding=padding, dilation=dilation)
    # (N, C, X0*X1*...) gathered into (N, C, G0, ..., W0, ...): overlapping windows
    # read an entry several times, and the gather's rule sums those gradients.
    windows = F.reshape(x, x.shape[:2] + (-1,))[:, :, index]
    # (N, C, G..., W...) . (F, C, W...) -> (N, G..., F) -> (N, F, G...)
    out = F.tensordot(windows, filter_bank,
                      axes=([1] + list(range(2 + n, 2 + 2 * n)), [1] + list(range(2, 2 + n))))
    return _as_constant(F.moveaxis(out, -1, 1), constant)


def max_pool(x: Any, pool: Any, stride: Any, *, constant: Optional[bool] = None) -> Tensor:
    """Max-pooling over the trailing ``len(pool)`` axes, as MyGrad's ``max_pool``.

    ``x`` has shape ``(N0, ..., C0, ...)``; the result ``(N0, ..., G0, ...)``. Tied
    maxima of a window share its gradient equally, as in ``mg.max`` (the rule
    table's convention, which ``grad`` follows too); MyGrad gives it all to the
    first of them.
    """
    data = _values(x)
    if not isinstance(pool, (tuple, list, np.ndarray)) or not all(
            isinstance(p, Integral) and p > 0 for p in pool):
        raise ValueError(f"`pool` must be a tuple of positive integers; got {pool!r}")
    pool = tuple(int(p) for p in pool)
    n = len(pool)
    if data.ndim < n:
        raise ValueError("The number of pooled dimensions cannot exceed the "
                         "dimensionality of the data.")
    stride = _per_axis(stride, n, "stride", 1)
    lead, space = data.shape[:data.ndim - n], data.shape[data.ndim - n:]
    index, grid = _window_index(space, pool, stride, (1,) * n)
    if index is None:
        raise _incompatible("pooling", tuple(space), stride, pool)
    # (N0, ..., C0*C1*...) gathered into (N0, ..., G, P): each window's entries, whose
    # maximum is the rule table's (ties share the gradient, as mg.max's do)
    windows = F.reshape(astensor(x), lead + (-1,))[..., index.reshape(int(np.prod(grid)), -1)]
    return _as_constant(F.reshape(F.max(windows, axis=-1), lead + grid), constant)


def batchnorm(x: Any, *, gamma: Any = None, beta: Any = None, eps: float,
              constant: Optional[bool] = None) -> Tensor:
    """Batch normalization over every axis but axis 1, as MyGrad's ``batchnorm``::

        y = (x - mean(x)) / sqrt(var(x) + eps);  gamma * y + beta

    ``x`` has shape ``(N, C, ...)``; ``gamma`` and ``beta``, optional, shape ``(C,)``.
    """
    x = astensor(x)
    axes = tuple(i for i in range(x.ndim) if i != 1)
    keep = tuple(1 if i != 1 else d for i, d in enumerate(x.shape))
    centered = F.subtract(x, F.mean(x, axis=axes, keepdims=True))
    variance = F.mean(F.square(centered), axis=axes, keepdims=True)
    out = F.divide(centered, F.sqrt(F.add(variance, eps)))
    if gamma is not None and _values(gamma).size:
        out = F.multiply(out, F.reshape(gamma, keep))
    if beta is not None and _values(beta).size:
        out = F.add(out, F.reshape(beta, keep))
    return _as_constant(out, constant)


def gru(X: Any, Uz: Any, Wz: Any, bz: Any, Ur: Any, Wr: Any, br: Any, Uh: Any, Wh: Any,
        bh: Any, s0: Any = None, bp_lim: Optional[int] = None, dropout: float = 0.0,
        constant: Optional[bool] = None) -> Tensor:
    """A gated recurrent unit over a sequence, as MyGrad's ``gru``::

        Z_t = sigmoid(X_t Uz + S_{t-1} Wz + bz)
        R_t = sigmoid(X_t Ur + S_{t-1} Wr + br)
        H_t = tanh(X_t Uh + (R_t * S_{t-1}) Wh + bh)
        S_t = (1 - Z_t) * H_t + Z_t * S_{t-1}

    ``X`` has shape ``(T, N, C)``, the ``U`` weights ``(C, D)``, the ``W`` weights
    ``(D, D)``, the biases ``(D,)``, ``s0`` (zeros when None) ``(N, D)``. Returns the
    hidden states ``S_0 ... S_T``, shape ``(T + 1, N, D)``. ``dropout`` drops the
    hidden-to-hidden weights and (one mask for every t) the input connections, with
    MyGrad's draws. Differences: ``s0`` may be a variable (it gets its gradient), and
    ``bp_lim`` may only leave backpropagation through time whole (MyGrad's truncation
    is experimental and does not give the gradient).
    """
    if bp_lim is not None and not (isinstance(bp_lim, Integral) and 0 <= bp_lim < len(X)):
        raise ValueError("`bp_lim` must be an integer in [0, T)")
    if bp_lim is not None and bp_lim < len(X) - 1:
        raise NotImplementedError(
            "gru: truncated backpropagation through time (bp_lim < T - 1) is not "
            "supported: it is not the gradient of the result (MyGrad marks it "
            "experimental); leave bp_lim=None")
    if not 0.0 <= dropout < 1.0:
        raise ValueError("`dropout` must be in [0, 1)")
    params = [astensor(p) for p in (X, Uz, Wz, bz, Ur, Wr, br, Uh, Wh, bh)]
    X, Uz, Wz, bz, Ur, Wr, br, Uh, Wh, bh = params
    dtype = max(p.dtype for p in params)
    T, N, _ = X.shape
    (D,) = bz.shape
    if dropout:
        p = 1 - dropout
        drop_u = np.random.binomial(1, p, size=(3, 1, N, D)) / p
        drop_w = np.random.binomial(1, p, size=(3, D, D)) / p
        Wz, Wr, Wh = (F.multiply(w, m.astype(dtype)) for w, m in zip((Wz, Wr, Wh), drop_w))
    # Every input contribution at once: (T, N, C) . (C, D) -> (T, N, D)
    xz = F.tensordot(X, Uz, axes=([2], [0]))
    xr = F.tensordot(X, Ur, axes=([2], [0]))
    xh = F.tensordot(X, Uh, axes=([2], [0]))
    if dropout:
        xz, xr, xh = (F.multiply(v, m.astype(dtype)) for v, m in zip((xz, xr, xh), drop_u))
    xz, xr, xh = F.add(xz, bz), F.add(xr, br), F.add(xh, bh)
    s = astensor(np.zeros((N, D), dtype=dtype)) if s0 is None else astensor(s0)
    states = [s]
    for t in range(T):
        z = _sigmoid(F.add(xz[t], F.matmul(s, Wz)))
        r = _sigmoid(F.add(xr[t], F.matmul(s, Wr)))
        h = F.tanh(F.add(xh[t], F.matmul(F.multiply(r, s), Wh)))
        s = F.add(F.multiply(F.subtract(1.0, z), h), F.multiply(z, s))
        states.append(s)
    return _as_constant(F.stack(states), constant)


def _sigmoid(v: Tensor) -> Tensor:
    return F.divide(1.0, F.add(1.0, F.exp(F.negative(v))))
