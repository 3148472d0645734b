"""One small function per rule of the table, for the numerical rule tests."""

import numpy as np

# Unary elementwise rules: (function, low, high); inputs are drawn from [low, high].
UNARY = {
    "sin": (np.sin, -3, 3), "cos": (np.cos, -3, 3), "tan": (np.tan, -1.2, 1.2),
    "arcsin": (np.arcsin, -0.9, 0.9), "arccos": (np.arccos, -0.9, 0.9),
    "arctan": (np.arctan, -3, 3), "sinh": (np.sinh, -2, 2), "cosh": (np.cosh, -2, 2),
    "tanh": (np.tanh, -2, 2), "arcsinh": (np.arcsinh, -3, 3),
    "arccosh": (np.arccosh, 1.2, 3), "arctanh": (np.arctanh, -0.9, 0.9),
    "exp": (np.exp, -2, 2), "exp2": (np.exp2, -2, 2), "expm1": (np.expm1, -2, 2),
    "log": (np.log, 0.2, 3), "log2": (np.log2, 0.2, 3), "log10": (np.log10, 0.2, 3),
    "log1p": (np.log1p, -0.5, 3), "sqrt": (np.sqrt, 0.2, 3), "cbrt": (np.cbrt, 0.2, 3),
    "square": (np.square, -2, 2), "reciprocal": (np.reciprocal, 0.3, 3),
    "absolute": (np.absolute, 0.1, 2), "fabs": (np.fabs, 0.1, 2),
    "negative": (np.negative, -2, 2), "positive": (np.positive, -2, 2),
}

# Binary broadcasting rules: (function, (low, high) of x, (low, high) of y).
BINARY = {
    "add": (np.add, (-2, 2), (-2, 2)), "subtract": (np.subtract, (-2, 2), (-2, 2)),
    "multiply": (np.multiply, (-2, 2), (-2, 2)), "divide": (np.divide, (-2, 2), (0.5, 2)),
    "power": (np.power, (0.5, 2), (-2, 2)), "maximum": (np.maximum, (-2, 2), (-2, 2)),
    "minimum": (np.minimum, (-2, 2), (-2, 2)), "fmax": (np.fmax, (-2, 2), (-2, 2)),
    "fmin": (np.fmin, (-2, 2), (-2, 2)), "hypot": (np.hypot, (0.2, 2), (0.2, 2)),
    "arctan2": (np.arctan2, (0.2, 2), (0.2, 2)), "logaddexp": (np.logaddexp, (-2, 2), (-2, 2)),
    "logaddexp2": (np.logaddexp2, (-2, 2), (-2, 2)),
    "remainder": (np.remainder, (0.1, 0.9), (1.1, 2)),
}


def _define(source: str) -> dict:
    """Define functions from source kept in linecache, so grad can read it."""
    import linecache
    filename = "<rule_cases generated>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {"np": np}
    exec(compile(source, filename, "exec"), namespace)
    return namespace


_GENERATED = _define("".join(
    [f"def unary_{name}(x):\n    return np.{fn.__name__}(x)\n\n\n"
     for name, (fn, _, _) in UNARY.items()]
    + [f"def binary_{name}(x, y):\n    return np.{fn.__name__}(x, y)\n\n\n"
       for name, (fn, _, _) in BINARY.items()]
    # Under a full sum or mean: the seed then reaches the rule as one scalar.
    + [f"def summed_unary_{name}(x):\n    return np.mean(np.{fn.__name__}(x) * 2.0 - 1.0)\n\n\n"
       for name, (fn, _, _) in UNARY.items()]
    + [f"def summed_binary_{name}(x, y):\n    return np.sum(-np.{fn.__name__}(x, y) + x)\n\n\n"
       for name, (fn, _, _) in BINARY.items()]))
UNARY_FUNCTIONS = {name: _GENERATED[f"unary_{name}"] for name in UNARY}
BINARY_FUNCTIONS = {name: _GENERATED[f"binary_{name}"] for name in BINARY}
SUMMED_UNARY_FUNCTIONS = {name: _GENERATED[f"summed_unary_{name}"] for name in UNARY}
SUMMED_BINARY_FUNCTIONS = {name: _GENERATED[f"summed_binary_{name}"] for name in BINARY}


def where_rule(x, y):
    return np.where(x > 0, x * 2, y)


def clip_rule(x, lo, hi):
    return np.clip(x, lo, hi)


def reduce_sum(x, axis, keepdims):
    return np.sum(x, axis=axis, keepdims=keepdims) ** 2


def reduce_mean(x, axis, keepdims):
    return np.mean(x, axis=axis, keepdims=keepdims) ** 2


def reduce_prod(x, axis, keepdims):
    return np.prod(x, axis=axis, keepdims=keepdims)


def reduce_max(x, axis, keepdims):
    return np.max(x, axis=axis, keepdims=keepdims) ** 2


def reduce_min(x, axis, keepdims):
    return np.min(x, axis=axis, keepdims=keepdims) ** 2


def reduce_var(x, axis, keepdims):
    return np.var(x, axis=axis, keepdims=keepdims, ddof=1)


def reduce_std(x, axis, keepdims):
    return np.std(x, axis=axis, keepdims=keepdims)


def reduce_norm(x, axis, keepdims):
    return np.linalg.norm(x, axis=axis, keepdims=keepdims)


def cumsum_axis(x, axis, keepdims):
    return np.cumsum(x, axis=axis) ** 2


REDUCTIONS = [reduce_sum, reduce_mean, reduce_prod, reduce_max, reduce_min, reduce_var,
              reduce_std, reduce_norm]


def prod_with_zeros(x):
    return np.prod(x, axis=0)


def matmul_rule(a, b):
    return a @ b


def dot_rule(a, b):
    return np.dot(a, b)


def inner_rule(a, b):
    return np.inner(a, b)


def trace_rule(a):
    return np.trace(a, offset=1)


def det_rule(a):
    return np.linalg.det(a)


def einsum_one(a):
    return np.einsum("ij->j", a)


def einsum_batched(a, b):
    return np.einsum("bij,bjk->bik", a, b)


def einsum_summed_alone(a, b):
    return np.einsum("ij,k->k", a, b)


def einsum_optimized(a, b):  # optimize= was refused as an unknown keyword (tester H)
    return np.einsum("ij,jk,kl->il", a, b, b, optimize=True)


def repeat_axis(x):
    return np.repeat(x, [1, 2, 3], axis=1)


def tile_2d(x):
    return np.tile(x, (2, 3))


def concatenate_none(x, y):
    return np.concatenate([x, y], axis=None)


def norm_1(x):
    return np.linalg.norm(x, ord=1)
