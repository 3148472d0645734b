"""Example functions for the finite-difference corpus.

Each entry of CASES is (function, argument factory, wrt). The factory gets a
NumPy random Generator and returns the arguments.
"""

import math

import numpy as np

SCALE = 2.5  # a module global read as a constant
OFFSET = np.array([0.5, -0.25, 1.0])


def arithmetic(x, y):
    return np.sum(x * y + x / (y + 3.0) - 2 * x ** 3 + y ** 2 - -x)


def broadcasting(x, b):
    return np.sum((x + b) * b - x / (1.5 + b ** 2))


def elementwise_chain(x):
    return np.sum(np.exp(np.sin(x) * np.cos(x)) ** 2 / (1 + x ** 2))


def trig(x):
    return np.sum(np.tan(x) + np.arcsin(x / 2) + np.arccos(x / 3) + np.arctan(x))


def hyperbolic(x):
    return np.sum(np.sinh(x) + np.cosh(x) * np.tanh(x) + np.arcsinh(x) + np.arctanh(x / 2))


def logs_and_roots(x):
    y = np.abs(x) + 0.5
    return np.sum(np.log(y) + np.log2(y) + np.log10(y) + np.log1p(y) + np.sqrt(y)
                  + np.cbrt(y) + np.exp2(x) + np.expm1(x))


def powers(x, p):
    return np.sum(np.power(np.abs(x) + 1, p) + np.square(x) + np.reciprocal(x + 3)
                  + (np.abs(x) + 1) ** p)


def extremes(x, y):
    return np.sum(np.maximum(x, y) + np.minimum(x, 0.1) + np.fmax(x, y) * np.fmin(x, y))


def two_argument(x, y):
    return np.sum(np.hypot(x, y) + np.arctan2(x, y) + np.logaddexp(x, y)
                  + np.logaddexp2(x, y))


def select(x):
    return np.sum(np.where(x > 0, x ** 2, -x) + np.clip(x, -0.5, 0.5))


def zero_gradient(x):
    return np.sum(np.floor(x) * x + np.sign(x) + np.round(x) * 0.0 + np.ceil(x))


def reductions(x):
    return (np.sum(x, axis=0).sum() + np.mean(x, axis=1, keepdims=True).sum()
            + x.max() + np.min(x, axis=0).sum() + np.var(x) + x.std(axis=1).sum()
            + np.prod(x, axis=1).sum() + np.amax(x) + np.amin(x, axis=1).sum())


def cumulative(x):
    return np.sum(np.cumsum(x, axis=1) ** 2) + np.sum(np.cumsum(x) * 0.5)


def methods(x):
    y = x.reshape(3, 2)
    return y.T.sum() * 0.5 + x.mean() + x.ravel().dot(x.flatten()) + y.transpose().max()


def linear_algebra(A, v):
    M = A @ A.T + 3 * np.eye(3)
    w = np.linalg.solve(M, v)
    return (np.dot(v, w) + np.trace(M) + np.linalg.norm(v) + np.vdot(A, A)
            + np.sum(np.linalg.inv(M)) + np.linalg.det(M) + np.inner(v, v)
            + np.sum(np.outer(v, w)) + np.sum(np.matmul(A, v)))


def einsum_ops(A, B):
    return np.sum(np.einsum("ij,jk->ik", A, B)) + np.einsum("ij,ij->", A, A) + \
        np.sum(np.einsum("ij,kj", A, B.T))


def shapes(x):
    y = np.reshape(x, (2, 3))
    z = np.expand_dims(y, 0)
    w = np.squeeze(z, axis=0)
    s = np.swapaxes(w, 0, 1)
    m = np.moveaxis(s, 0, 1)
    t = np.transpose(m, (1, 0))
    f = np.flip(t, axis=0)
    b = np.broadcast_to(f, (4, 3, 2))
    return np.sum(b * np.arange(24.0).reshape(4, 3, 2)) + np.sum(np.ravel(y) ** 2)


def joining(x, y):
    c = np.concatenate([x, y, x], axis=0)
    s = np.stack([x, y], axis=1)
    h = np.hstack([x, y])
    v = np.vstack((x, y))
    t = np.tile(x, 2)
    r = np.repeat(y, 3)
    return np.sum(c ** 2) + np.sum(s[:, 0] * s[:, 1]) + np.sum(h * v.ravel()) + \
        np.sum(t * np.arange(6.0)) + np.sum(r ** 3)


def indexing(x):
    idx = np.array([0, 2, 2])
    mask = x[0] > 0
    return (np.sum(x[0]) + np.sum(x[1:, ::2] ** 2) + np.sum(x[..., -1]) + x[1, 2]
            + np.sum(x[:, None, 0]) + np.sum(x[idx] * 1.5) + np.sum(x[0][mask])
            + np.sum(x[idx, 1]))


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def logistic_loss(w, X, y):
    z = X @ w
    return np.mean(np.log1p(np.exp(-y * z)))


def mlp(W1, b1, W2, b2, X, labels):
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(np.sum(log_probs * labels, axis=1))


def inactive_values(x):
    n = x.shape[0]
    k = len(x) + x.ndim + x.size
    scale = 1.0 / n
    big = x > 0.5
    j = np.argmax(x)
    return np.sum(x * scale) * k + x[j] + np.sum(big) * 0.0


def globals_and_closure(x):
    return np.sum(x * SCALE + OFFSET)


def make_closure(c):
    def closed(x):
        return np.sum(np.sin(x) * c)
    return closed


closure_fn = make_closure(np.array([1.0, 2.0, 3.0]))


def tuple_unpacking(x, y):
    a, b = x * 2, y + 1
    a, b = b, a
    rows, cols = x.shape[0], 1
    return np.sum(a * b) * rows * cols


def augmented(x):
    s = 0.0
    s += x
    s *= x
    s -= 1.0
    s /= 2.0
    s **= 2
    return np.sum(s)


def overwrite_chain(x):
    x = np.sin(x)
    x = x * x
    x = np.exp(x)
    return np.sum(x)


def self_reference(x):
    z = np.exp(x)
    z = np.exp(z) * z
    return np.sum(z)


def keyword_arguments(x):
    return np.sum(np.sum(x, axis=1, keepdims=True) * np.mean(a=x, axis=0))


def python_scalars(x, y):
    z = math.sin(x) * math.exp(y) + math.sqrt(x * x + 1.0) + abs(y) + pow(x, 2)
    return z + math.log(x + 2.0) + float(y) * math.tanh(x)


def deep_nesting(x):
    return np.sum(np.exp(np.log(np.sqrt(np.square(np.sin(np.cos(np.tanh(x)))) + 1.0))))


def float_conversion(x):
    return float(np.sum(x)) * 2.0 + float(x[0])


def unused_input(x, y):
    return np.sum(x ** 2)


def returns_input(x):
    return x


def nonscalar_output(x, y):
    return x * y + np.sin(x)


def docstring_and_pass(x):
    """A docstring is not code."""
    pass
    assert x.ndim == 1
    return np.sum(x)


def _rand(shape):
    return lambda rng: rng.uniform(-0.9, 0.9, size=shape)


CASES = [
    (arithmetic, lambda r: (r.uniform(-1, 1, 4), r.uniform(0.5, 1, 4)), (0, 1)),
    (broadcasting, lambda r: (r.normal(size=(3, 4)), r.normal(size=(4,))), (0, 1)),
    (elementwise_chain, lambda r: (r.normal(size=5),), 0),
    (trig, lambda r: (r.uniform(-0.9, 0.9, 5),), 0),
    (hyperbolic, lambda r: (r.uniform(-0.9, 0.9, 5),), 0),
    (logs_and_roots, lambda r: (r.uniform(-1, 1, 5),), 0),
    (powers, lambda r: (r.uniform(-1, 1, 4), r.uniform(0.5, 2, 4)), (0, 1)),
    (extremes, lambda r: (r.normal(size=6), r.normal(size=6)), (0, 1)),
    (two_argument, lambda r: (r.uniform(0.2, 1, 4), r.uniform(0.2, 1, 4)), (0, 1)),
    (select, lambda r: (r.uniform(-1, 1, 8),), 0),
    (zero_gradient, lambda r: (r.uniform(0.1, 0.9, 5),), 0),
    (reductions, lambda r: (r.uniform(0.5, 1.5, (3, 4)),), 0),
    (cumulative, lambda r: (r.normal(size=(2, 3)),), 0),
    (methods, lambda r: (r.normal(size=6),), 0),
    (linear_algebra, lambda r: (r.normal(size=(3, 3)), r.normal(size=3)), (0, 1)),
    (einsum_ops, lambda r: (r.normal(size=(2, 3)), r.normal(size=(3, 2))), (0, 1)),
    (shapes, lambda r: (r.normal(size=6),), 0),
    (joining, lambda r: (r.normal(size=3), r.normal(size=3)), (0, 1)),
    (indexing, lambda r: (r.normal(size=(3, 3)),), 0),
    (rosenbrock, lambda r: (r.normal(size=6),), 0),
    (logistic_loss, lambda r: (r.normal(size=3), r.normal(size=(8, 3)),
                               np.sign(r.normal(size=8))), 0),
    (mlp, lambda r: (r.normal(size=(4, 5)) * 0.5, r.normal(size=5) * 0.1,
                     r.normal(size=(5, 3)) * 0.5, r.normal(size=3) * 0.1,
                     r.normal(size=(6, 4)), np.eye(3)[r.integers(0, 3, 6)]), (0, 1, 2, 3)),
    (inactive_values, lambda r: (r.uniform(0, 1, 5),), 0),
    (globals_and_closure, lambda r: (r.normal(size=3),), 0),
    (closure_fn, lambda r: (r.normal(size=3),), 0),
    (tuple_unpacking, lambda r: (r.normal(size=3), r.normal(size=3)), (0, 1)),
    (augmented, lambda r: (r.uniform(0.5, 1.5, 4),), 0),
    (overwrite_chain, lambda r: (r.normal(size=4),), 0),
    (self_reference, lambda r: (r.uniform(-1, 0.5, 4),), 0),
    (keyword_arguments, lambda r: (r.normal(size=(2, 3)),), 0),
    (python_scalars, lambda r: (float(r.uniform(0.5, 1)), float(r.uniform(0.1, 1))), (0, 1)),
    (deep_nesting, lambda r: (r.normal(size=4),), 0),
    (float_conversion, lambda r: (r.normal(size=3),), 0),
    (unused_input, lambda r: (r.normal(size=3), r.normal(size=3)), (0, 1)),
    (returns_input, lambda r: (r.normal(size=3),), 0),
    (nonscalar_output, lambda r: (r.normal(size=(2, 3)), r.normal(size=3)), (0, 1)),
    (docstring_and_pass, lambda r: (r.normal(size=3),), 0),
]
