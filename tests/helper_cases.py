"""Functions that call the user's own helpers (issue: calls, closures and data)."""

import numpy as np

from .helper_module import imported_helper


def cell(W, h, x):
    return np.tanh(W @ h + x)


def rnn_with_cell(W, xs, h):
    for t in range(len(xs)):
        h = cell(W, h, xs[t])
    return np.sum(h ** 2)


def scaled(x, scale=2.0, *, shift=0.0):
    return x * scale + shift


def uses_defaults_and_keywords(x):
    return np.sum(scaled(x) + scaled(x, 3.0, shift=1.0) * scaled(x, scale=0.5))


def inner_helper(x):
    return np.sin(x) * x


def outer_helper(x, y):
    return inner_helper(x) + inner_helper(y) * x


def helpers_calling_helpers(x, y):
    return np.sum(outer_helper(x, y) ** 2)


def calls_imported(x):
    return np.sum(imported_helper(x, 3.0))


def make_scaler(k):
    def scaler(x):
        return x * k + np.sin(x)
    return scaler


triple = make_scaler(3.0)
square = lambda x: x * x  # noqa: E731 - a lambda assigned to a name, as users write


def uses_closure_and_lambda(x):
    return np.sum(triple(x) + square(x))


def loss_with_inactive_args(w, X, y):
    return np.mean((predict(X, w) - y) ** 2)


def predict(X, w):
    return np.tanh(X @ w)


def countdown(x, n):
    if n == 0:
        return x
    return countdown(x * 2.0, n - 1)


def recursive(x):
    return np.sum(countdown(x, 3))


def split(x):
    return np.sin(x), x ** 2


def uses_tuple_returning_helper(x):
    a, b = split(x)
    return np.sum(a * b)


def tuple_literal(x, y):
    t = (x * 2, y)
    return np.sum(np.stack(t)) + np.sum(t[0] * t[1])


def augmented_on_own_array(x):
    y = x * 1.0
    y *= 2.0
    s = 0.0
    s += np.sum(y)
    return s


def augmented_on_shared_array(x):
    y = x
    y *= 2.0
    return np.sum(x)


def nested_def_and_lambda(x, w):
    scale = 3.0

    def g(v):
        return np.sin(v) * scale

    sq = lambda v: v ** 2  # noqa: E731
    return np.sum(g(x) * w + sq(w))


def nested_reads_differentiated_value(x, w):
    def g(v):
        return v * w
    return np.sum(g(x))


CASES = [
    (rnn_with_cell, lambda r: (r.normal(size=(3, 3)) * 0.5, r.normal(size=(4, 3)),
                               r.normal(size=3)), (0, 2)),
    (uses_defaults_and_keywords, lambda r: (r.normal(size=3),), 0),
    (helpers_calling_helpers, lambda r: (r.normal(size=3), r.normal(size=3)), (0, 1)),
    (calls_imported, lambda r: (r.normal(size=3),), 0),
    (uses_closure_and_lambda, lambda r: (r.normal(size=3),), 0),
    (uses_tuple_returning_helper, lambda r: (r.normal(size=3),), 0),
    (tuple_literal, lambda r: (r.normal(size=3), r.normal(size=3)), (0, 1)),
    (augmented_on_own_array, lambda r: (r.normal(size=3),), 0),
    (nested_def_and_lambda, lambda r: (r.normal(size=3), r.normal(size=3)), (0, 1)),
    (loss_with_inactive_args, lambda r: (r.normal(size=3), r.normal(size=(5, 3)),
                                         r.normal(size=5)), 0),
]


def total_of(*values):
    return sum(np.sum(v ** 2) for v in values)


def uses_star_args(x, y):
    return total_of(x, y * 2.0) + total_of(x)


def apply_twice(fn, x):
    return fn(fn(x))


def uses_function_argument(x):
    return np.sum(apply_twice(np.sin, x) + apply_twice(square, x))


CASES += [
    (uses_star_args, lambda r: (r.normal(size=3), r.normal(size=3)), (0, 1)),
    (uses_function_argument, lambda r: (r.normal(size=3),), 0),
]
