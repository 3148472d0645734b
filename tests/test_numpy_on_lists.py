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
