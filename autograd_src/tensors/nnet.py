"""``mg.nnet``: MyGrad's activations, losses and initializers, composed of rule-table operations.

Each function is written with ``mg.*`` operations, so its derivative comes from
the shared rule table (no rule of its own); masks and shifts that carry no
gradient are computed from the data. The layers (``dense``, ``conv_nd``,
``max_pool``, ``batchnorm``, ``gru``) are in `layers`, also ``mg.nnet.layers``.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from . import functions as F
from . import layers
from .layers import batchnorm, conv_nd, dense, gru, max_pool
from .tensor import Tensor, astensor

__all__ = ["relu", "leaky_relu", "sigmoid", "tanh", "softmax", "logsoftmax", "elu", "selu",
           "soft_sign", "hard_tanh", "glu", "softmax_crossentropy",
           "negative_log_likelihood", "margin_ranking_loss", "multiclass_hinge", "focal_loss",
           "softmax_focal_loss",
           "glorot_normal", "glorot_uniform", "he_normal", "he_uniform", "normal", "uniform",
           "dense", "conv_nd", "max_pool", "batchnorm", "gru", "layers"]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _data(x: Any) -> np.ndarray:
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _as_constant(out: Tensor, constant: Optional[bool]) -> Tensor:
    return out if constant is None or constant == out.constant else \
        Tensor(out.data, constant=constant, copy=False)


# ----- activations -----


def relu(x: Any, *, constant: Optional[bool] = None) -> Tensor:
    """``max(x, 0)``; the gradient is 1 where ``x > 0``, else 0 (as in MyGrad). A NaN
    stays NaN (as ``np.maximum``'s does: a model that diverged shows it), gradient 0."""
    data = _data(x)
    out = F.where(data > 0, x, 0.0)
    nan = np.isnan(data)
    if nan.any():
        out = F.where(nan, np.nan, out)
    return _as_constant(out, constant)


def leaky_relu(x: Any, slope: float, *, constant: Optional[bool] = None) -> Tensor:
    """``x`` where ``x > 0``, else ``slope * x``."""
    return _as_constant(F.where(_data(x) > 0, x, F.multiply(slope, x)), constant)


def sigmoid(x: Any, *, constant: Optional[bool] = None) -> Tensor:
    """The logistic function ``1 / (1 + exp(-x))``, computed as
    ``exp(-logaddexp(0, -x))``: below x = -709 ``exp(-x)`` overflows, and its gradient
    there was inf / inf = nan (the value 0); this one is exact there too."""
    return _as_constant(F.exp(F.negative(F.logaddexp(0.0, F.negative(x)))), constant)


def tanh(x: Any, *, constant: Optional[bool] = None) -> Tensor:
    """The hyperbolic tangent."""
    return F.tanh(x, constant=constant)


def _row_max(data: np.ndarray, axis: Any) -> np.ndarray:
    """The maximum along ``axis`` (kept), 0 for an empty array (nothing to shift)."""
    if data.size == 0:
        return np.max(data, axis=axis, keepdims=True, initial=0.0)
    return np.max(data, axis=axis, keepdims=True)


def softmax(x: Any, axis: Any = -1, *, constant: Optional[bool] = None) -> Tensor:
    """``exp(x) / sum(exp(x), axis)``, computed from ``x - max(x)`` (a constant shift)."""
    shifted = F.subtract(x, _row_max(_data(x), axis))
    exps = F.exp(shifted)
    return _as_constant(F.divide(exps, F.sum(exps, axis=axis, keepdims=True)), constant)


def logsoftmax(x: Any, axis: Any = -1, *, constant: Optional[bool] = None) -> Tensor:
    """``log(softmax(x, axis))``, computed stably."""
    shifted = F.subtract(x, _row_max(_data(x), axis))
    return _as_constant(F.subtract(shifted, F.log(F.sum(F.exp(shifted), axis=axis,
                                                        keepdims=True))), constant)


def elu(x: Any, alpha: float, *, constant: Optional[bool] = None) -> Tensor:
    """``x`` where ``x > 0``, else ``alpha * (exp(x) - 1)``; at 0 the gradient is 1, as in
    MyGrad (any value between ``alpha`` and 1 is a subgradient there)."""
    positive = _data(x) >= 0
    # exp of the negative side only: the unused branch never overflows into the gradient
    negative_side = F.multiply(alpha, F.expm1(F.where(positive, 0.0, x)))
    return _as_constant(F.where(positive, x, negative_side), constant)


def selu(x: Any, *, constant: Optional[bool] = None) -> Tensor:
    """The scaled exponential linear unit, with MyGrad's (and the paper's) constants."""
    return _as_constant(F.multiply(_SELU_SCALE, elu(x, _SELU_ALPHA)), constant)


def soft_sign(x: Any, *, constant: Optional[bool] = None) -> Tensor:
    """``x / (1 + |x|)``."""
    return _as_constant(F.divide(x, F.add(1.0, F.absolute(x))), constant)


def hard_tanh(x: Any, *, lower_bound: float = -1, upper_bound: float = 1,
              constant: Optional[bool] = None) -> Tensor:
    """``x`` clipped to the bounds; no gradient outside them (as in MyGrad)."""
    data = _data(x)
    inside = (data > lower_bound) & (data < upper_bound)
    return _as_constant(F.where(inside, x, np.clip(data, lower_bound, upper_bound)), constant)


def glu(x: Any, axis: int = -1, *, constant: Optional[bool] = None) -> Tensor:
    """The gated linear unit: the first half of ``x`` along ``axis`` times the sigmoid
    of the second half."""
    x = x if isinstance(x, Tensor) else astensor(x, constant=True)  # (data: a constant)
    n = x.shape[axis]
    if n % 2:
        raise ValueError(f"glu needs an even size along axis {axis}; got {n}")
    before = (slice(None),) * (axis % x.ndim)
    first, second = x[before + (slice(0, n // 2),)], x[before + (slice(n // 2, n),)]
    return _as_constant(F.multiply(first, sigmoid(second)), constant)


# ----- losses -----


def _labels(x: Any, y_true: Any) -> np.ndarray:
    y = np.asarray(_data(y_true))
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError("`y_true` must be an integer-type array-like object")
    if np.ndim(_data(x)) != 2:
        raise ValueError("`x` must be a 2-dimensional array-like object")
    if y.ndim != 1 or y.shape[0] != np.shape(_data(x))[0]:
        raise ValueError("`y_true` must be a shape-(N,) array-like object")
    return y


def softmax_crossentropy(x: Any, y_true: Any, *,
                         constant: Optional[bool] = None) -> Tensor:
    """The mean over the N rows of ``-log(softmax(x)[i, y_true[i]])``; x is (N, C)."""
    y = _labels(x, y_true)
    picked = logsoftmax(x)[np.arange(len(y)), y]
    return _as_constant(F.negative(F.mean(picked)), constant)


def negative_log_likelihood(x: Any, y_true: Any, *, weights: Any = None,
                            constant: Optional[bool] = None) -> Tensor:
    """``-mean(weights[y] * x[i, y[i]])`` for log-probabilities ``x`` of shape (N, C)."""
    y = _labels(x, y_true)
    w = np.ones(np.shape(_data(x))[1]) if weights is None else np.asarray(_data(weights))
    if w.ndim != 1 or w.shape[0] != np.shape(_data(x))[1]:
        raise ValueError("`weights` must be a shape-(C,) array")
    picked = (x if isinstance(x, Tensor) else astensor(x, constant=True))[
        np.arange(len(y)), y]
    return _as_constant(F.negative(F.mean(F.multiply(picked, w[y]))), constant)


def margin_ranking_loss(x1: Any, x2: Any, y: Any, margin: float, *,
                        constant: Optional[bool] = None) -> Tensor:
    """``mean(max(0, margin - y * (x1 - x2)))``; ``y`` holds 1 or -1 per datum."""
    if margin < 0:
        raise ValueError("`margin` must be a non-negative scalar")
    y = np.asarray(_data(y))
    if y.ndim == 1 and np.ndim(_data(x1)) == 2:
        y = y.reshape(-1, 1)
    gap = F.subtract(margin, F.multiply(y, F.subtract(x1, x2)))
    return _as_constant(F.mean(F.where(_data(gap) > 0, gap, 0.0)), constant)


def multiclass_hinge(x: Any, y_true: Any, hinge: float = 1.0, *,
                     constant: Optional[bool] = None) -> Tensor:
    """The mean over N of ``sum_{j != y} max(0, x_j - x_y + hinge)``; x is (N, C)."""
    y = _labels(x, y_true)
    x = x if isinstance(x, Tensor) else astensor(x, constant=True)  # (data: a constant)
    rows = np.arange(len(y))
    margins = F.add(F.subtract(x, F.expand_dims(x[rows, y], 1)), hinge)
    counted = _data(margins) > 0
    counted[rows, y] = False
    return _as_constant(F.divide(F.sum(F.where(counted, margins, 0.0)), len(y)), constant)


def focal_loss(class_probs: Any, targets: Any, *, alpha: float = 1, gamma: float = 0,
               constant: Optional[bool] = None) -> Tensor:
    """The per-datum focal loss ``-alpha * (1 - p)**gamma * log(p)``, with ``p`` the
    probability of each datum's target class; shape (N,)."""
    y = _labels(class_probs, targets)
    p = (class_probs if isinstance(class_probs, Tensor) else
         astensor(class_probs, constant=True))[np.arange(len(y)), y]
    loss = F.multiply(-alpha, F.log(p))
    if gamma:
        loss = F.multiply(F.power(F.subtract(1.0, p), gamma), loss)
    return _as_constant(loss, constant)


def softmax_focal_loss(scores: Any, targets: Any, *, alpha: float = 1, gamma: float = 0,
                       constant: Optional[bool] = None) -> Tensor:
    """`focal_loss` of ``softmax(scores)`` (MyGrad's), per datum; shape (N,)."""
    return focal_loss(softmax(scores), targets, alpha=alpha, gamma=gamma, constant=constant)


# ----- initializers (MyGrad's float32 default here, as they are MyGrad's) -----


def _shape(shape: tuple) -> tuple:
    return tuple(shape[0]) if len(shape) == 1 and not np.isscalar(shape[0]) else shape


def _fans(shape: tuple) -> tuple[int, int]:
    if len(shape) < 2:
        raise ValueError("the initializer needs a shape of two dimensions or more")
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def _made(values: np.ndarray, dtype: Any, constant: Optional[bool]) -> Tensor:
    return Tensor(values.astype(dtype), constant=constant, copy=False)


def normal(*shape: Any, mean: float = 0, std: float = 1, dtype: Any = np.float32,
           constant: Optional[bool] = None) -> Tensor:
    """Draws from a normal distribution."""
    return _made(np.random.normal(mean, std, _shape(shape)), dtype, constant)


def uniform(*shape: Any, lower_bound: float = 0, upper_bound: float = 1,
            dtype: Any = np.float32, constant: Optional[bool] = None) -> Tensor:
    """Draws from a uniform distribution over ``[lower_bound, upper_bound)``."""
    if lower_bound >= upper_bound:
        raise ValueError("uniform needs lower_bound < upper_bound")
    return _made(np.random.uniform(lower_bound, upper_bound, _shape(shape)), dtype, constant)


def glorot_normal(*shape: Any, gain: float = 1, dtype: Any = np.float32,
                  constant: Optional[bool] = None) -> Tensor:
    """Glorot (Xavier) normal: std ``gain * sqrt(2 / (fan_in + fan_out))``."""
    shape = _shape(shape)
    fan_in, fan_out = _fans(shape)
    return normal(shape, std=gain * np.sqrt(2 / (fan_in + fan_out)), dtype=dtype,
                  constant=constant)


def glorot_uniform(*shape: Any, gain: float = 1, dtype: Any = np.float32,
                   constant: Optional[bool] = None) -> Tensor:
    """Glorot (Xavier) uniform over ``±gain * sqrt(6 / (fan_in + fan_out))``."""
    shape = _shape(shape)
    fan_in, fan_out = _fans(shape)
    bound = gain * np.sqrt(6 / (fan_in + fan_out))
    return uniform(shape, lower_bound=-bound, upper_bound=bound, dtype=dtype,
                   constant=constant)


def he_normal(*shape: Any, gain: float = 1, dtype: Any = np.float32,
              constant: Optional[bool] = None) -> Tensor:
    """He (Kaiming) normal: std ``gain / sqrt(fan_in)``."""
    shape = _shape(shape)
    fan_in, _ = _fans(shape)
    return normal(shape, std=gain / np.sqrt(fan_in), dtype=dtype, constant=constant)


def he_uniform(*shape: Any, gain: float = 1, dtype: Any = np.float32,
               constant: Optional[bool] = None) -> Tensor:
    """He (Kaiming) uniform over ``±gain * sqrt(3 / fan_in)``."""
    shape = _shape(shape)
    fan_in, _ = _fans(shape)
    bound = gain * np.sqrt(3 / fan_in)
    return uniform(shape, lower_bound=-bound, upper_bound=bound, dtype=dtype,
                   constant=constant)
