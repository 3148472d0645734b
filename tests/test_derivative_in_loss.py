"""A derivative grad made, called inside a differentiated loss (a MAML inner step, a
gradient penalty) with its parameters in a dict or a list: its code was grad's general
code, which adds list and dict adjoints with + (a crash, "dict + dict", at first
order). Now the variant for the containers the call passes. Checked against finite
differences and the array form of the same program. (Second order through such a
loss is still refused: the inner derivative's backward is a closure, 'nonlocal'.)
"""

import numpy as np
import pytest

from autograd_src import grad
from autograd_src.testing import check_grads


def inner_dict(p, X, y):
    return np.mean((X @ p["w"] + p["b"] - y) ** 2)


def inner_list(p, X, y):
    return np.mean((X @ p[0] + p[1] - y) ** 2)


def inner_array(w, b, X, y):
    return np.mean((X @ w + b - y) ** 2)


d_inner_dict = grad(inner_dict)
d_inner_list = grad(inner_list)
d_inner_array = grad(inner_array, wrt=(0, 1))


def maml_dict(p, X, y):
    g = d_inner_dict(p, X, y)
    q = {"w": p["w"] - 0.1 * g["w"], "b": p["b"] - 0.1 * g["b"]}
    return inner_dict(q, X, y)


def maml_list(p, X, y):
    g = d_inner_list(p, X, y)
    q = [p[0] - 0.1 * g[0], p[1] - 0.1 * g[1]]
    return inner_list(q, X, y)


def maml_array(w, b, X, y):
    gw, gb = d_inner_array(w, b, X, y)
    return inner_array(w - 0.1 * gw, b - 0.1 * gb, X, y)


def penalty(p, X, y):
    g = d_inner_list(p, X, y)
    return inner_list(p, X, y) + np.sum(g[0] ** 2) + g[1] ** 2


RNG = np.random.default_rng(0)
X, Y = RNG.standard_normal((6, 3)), RNG.standard_normal(6)
W, B = RNG.standard_normal(3), 0.1


@pytest.mark.parametrize("f, p", [(maml_dict, {"w": W, "b": B}), (maml_list, [W, B]),
                                  (penalty, [W, B])], ids=["dict", "list", "penalty"])
def test_a_derivative_called_inside_a_loss_with_container_parameters(f, p):
    check_grads(f, p, X, Y)


def test_the_container_forms_agree_with_the_array_form():
    expected_w, expected_b = grad(maml_array, wrt=(0, 1))(W, B, X, Y)
    by_dict = grad(maml_dict)({"w": W, "b": B}, X, Y)
    by_list = grad(maml_list)([W, B], X, Y)
    for got_w, got_b in ((by_dict["w"], by_dict["b"]), (by_list[0], by_list[1])):
        np.testing.assert_allclose(got_w, expected_w, rtol=1e-12)
        np.testing.assert_allclose(got_b, expected_b, rtol=1e-12)
