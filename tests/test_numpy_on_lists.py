"""NumPy functions given a list or tuple parameter (``np.sum(ws)``, ``np.dot(c, c)`` with
``c = a + b`` a concatenation, ``np.mean(ws[1:])``), and a list item replaced by a pair
of arrays of different shapes in a loop: each crashed inside the generated code (the
rules' helpers take arrays; ``np.shape((W, b))`` of a ragged pair fails). NumPy makes
an array of the list; so does the generated code now, by a call of its own whose rule
splits the gradient into the items.
"""

import numpy as np
import pytest

from autograd_src import grad
from autograd_src.testing import check_grads


def total(ws):
    return np.sum(ws)


def self_dot(ws):
    return np.dot(ws, ws)


def concatenated(a, b):
    return np.sum(a + b)


def concatenated_dot(a, b):
    c = a + b
    return np.dot(c, c)


def repeated(ws):
    c = ws * 2
    return np.dot(c, c) + np.sum(np.sin(c))


def mean_of_tail(ws):
    return np.mean(ws[1:]) * np.max(ws)


def stacked_rows(ws):
    return np.sum(np.exp(ws) * np.arange(len(ws)))


LISTS = [
    (total, ([1.0, 2.0, -0.5],)),
    (self_dot, ([1.0, 2.0, -0.5],)),
    (self_dot, ((1.0, 2.0),)),
    (concatenated, ([1.0, 2.0], [3.0, 4.0, 0.5])),
    (concatenated_dot, ([1.0, 2.0], [3.0, 4.0])),
    (repeated, ([0.3, -1.2],)),
    (mean_of_tail, ([0.3, -1.2, 2.5, 0.1],)),
    (stacked_rows, ([0.3, -1.2, 0.7],)),
    (total, ([np.array([1.0, 2.0]), np.array([0.5, -1.0])],)),
]


@pytest.mark.parametrize("f, args", LISTS, ids=[f.__name__ for f, _ in LISTS])
def test_numpy_functions_on_list_parameters(f, args):
    wrt = tuple(range(len(args)))
    check_grads(f, *args, wrt=wrt)
    got = grad(f)(*args)
    assert type(got) is type(args[0]) and len(got) == len(args[0])


def scaled_in_an_index_loop(params):
    params = list(params)
    for i in range(len(params)):
        W, b = params[i]
        params[i] = (W * 2.0, b)
    s = 0.0
    for W, b in params:
        s = s + np.sum(W ** 2) + np.sum(np.tanh(b))
    return s


def test_a_pair_of_different_shapes_replacing_a_list_item_in_a_loop():
    rng = np.random.default_rng(0)
    ps = [(rng.normal(size=(2, 3)), rng.normal(size=3)) for _ in range(2)]
    check_grads(scaled_in_an_index_loop, ps)
    got = grad(scaled_in_an_index_loop)(ps)
    np.testing.assert_allclose(got[1][0], 8.0 * ps[1][0])
    np.testing.assert_allclose(got[0][1], 1 - np.tanh(ps[0][1]) ** 2)


# A list or tuple times an array is NumPy's elementwise product, not a repetition:
# the adjoint of `*` took every list operand for `[0.0] * n` (tester H): gradients all
# ones for the list, None (or a crash further on) for the array beside a data list.
_A = np.array([1.0, 2.0, 3.0])


def _list_times_array(c):
    return np.sum(c * _A ** 2)


def _array_times_list(c):
    return np.sum(_A * c * _A)


def _weighted(b, w):
    return np.sum(w * b ** 2) + np.sum(b * w)


def _labels_as_list(z, y):
    p = 1.0 / (1.0 + np.exp(-z))
    return -np.sum(y * np.log(p) + (1 - np.array(y)) * np.log(1 - p))


def _dot_with_a_data_list(b, w):
    return np.dot(w, b) ** 2 + w @ np.tanh(b) + np.dot(np.sin(b), w)


def _repeated(x):
    return np.sum(np.array([x, 2.0 * x] * 3))


@pytest.mark.parametrize("f, args, wrt", [
    (_list_times_array, ([0.5, -1.0, 2.0],), 0),
    (_list_times_array, ((0.5, -1.0, 2.0),), 0),
    (_array_times_list, ([0.5, -1.0, 2.0],), 0),
    (_weighted, (np.array([0.5, -1.0, 2.0]), [1.0, 2.0, 3.0]), 0),
    (_weighted, (np.array([0.5, -1.0, 2.0]), (1.0, 2.0, 3.0)), 0),
    (_labels_as_list, (np.array([0.3, -1.2, 2.0]), [1.0, 0.0, 1.0]), 0),
    (_dot_with_a_data_list, (np.array([0.3, -1.2, 2.0]), [1.0, -0.5, 2.0]), 0),
    (_repeated, (0.7,), 0),
], ids=["list*array", "tuple*array", "array*list", "data list", "data tuple", "labels list",
        "dot and @ of a data list", "list repeated by an int"])
def test_a_list_times_an_array_is_elementwise(f, args, wrt):
    check_grads(f, *args, wrt=wrt)
