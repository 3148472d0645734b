"""A derivative grad made, called inside a differentiated loss (a MAML inner step, a
gradient penalty) with its parameters in a dict or a list: its code was grad's general
code, which adds list and dict adjoints with + (a crash, "dict + dict", at first
order). Now the variant for the containers the call passes. Checked against finite
differences and the array form of the same program. (A gradient called so is now a
CalledDerivative, whose backward is forward over reverse; second order through such
a loss, third of the inner one, is refused.)
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


# grad(f)(x) written inline, as HIPS autograd and JAX users write it: the derivative
# is made once at transformation time and called as a module-level one is.
from autograd_src import value_and_grad  # noqa: E402
from autograd_src.errors import NoRuleError  # noqa: E402


def maml_inline(p, X, y, lr=0.1):
    g = grad(inner_list)(p, X, y)
    return inner_list([p[0] - lr * g[0], p[1] - lr * g[1]], X, y)


def maml_inline_wrt(w, b, X, y):
    gw, gb = grad(inner_array, wrt=(0, 1))(w, b, X, y)
    return inner_array(w - 0.1 * gw, b - 0.1 * gb, X, y)


def penalty_inline(w, b, X, y):
    value, gw = value_and_grad(inner_array)(w, b, X, y)
    return value + np.sum(gw ** 2)


def test_grad_called_inline_inside_a_loss():
    check_grads(maml_inline, [W, B], X, Y)
    check_grads(maml_inline_wrt, W, B, X, Y, wrt=(0, 1))
    check_grads(penalty_inline, W, B, X, Y, wrt=(0, 1))
    expected = grad(maml_array, wrt=(0, 1))(W, B, X, Y)
    got = grad(maml_inline_wrt, wrt=(0, 1))(W, B, X, Y)
    for e, g in zip(expected, got):
        np.testing.assert_allclose(g, e, rtol=1e-12)


def test_grad_of_a_local_function_called_inline_says_how():
    def loss(w):
        def energy(v):
            return np.sum(v ** 3)
        return np.sum(grad(energy)(w) ** 2)

    with pytest.raises(NoRuleError, match=r"make it once outside.*d = grad\(energy\)"):
        grad(loss)(W)


# The inner loss calling a helper of its own (tester J): the call's backward was reverse
# mode over the gradient's code, which refused the helper's derivative ("a second name
# for backward" in generated code). Now a second derivative by forward over reverse.
def _predict(w, X):
    return np.tanh(X @ w)


def _mse(w, X, y):
    return np.mean((_predict(w, X) - y) ** 2)


_dmse = grad(_mse)


def _maml_with_a_helper(w, lr):
    w1 = w - lr * _dmse(w, X, Y)
    return _mse(w1, X, Y)


def _pair_energy(a, b):
    return (a - b) ** 2 * (a + b)


def _energy(x):
    total = 0.0
    for i in range(x.shape[0] - 1):
        total = total + _pair_energy(x[i], x[i + 1])
    return total


_force = grad(_energy)


def _force_matching(x, target):
    return np.sum((-_force(x) - target) ** 2)


def test_a_derivative_of_a_loss_with_helpers_called_inside_a_loss():
    check_grads(_maml_with_a_helper, W, 0.3, wrt=(0, 1))
    check_grads(_force_matching, np.array([0.3, -0.5, 1.1, 0.2]), np.ones(4))


def test_jacrev_and_vjp_of_a_gradient_through_helpers():
    from autograd_src import hessian, jacrev, vjp
    x = np.array([0.3, -0.5, 1.1, 0.2])
    expected = hessian(_energy)(x)
    np.testing.assert_allclose(jacrev(_force)(x), expected, rtol=1e-12)
    u = np.array([1.0, 2.0, -1.0, 0.5])
    np.testing.assert_allclose(vjp(_force, x)[1](u)[0], expected @ u, rtol=1e-12)


def test_forward_mode_of_a_loss_calling_a_gradient():
    # AttributeError: 'CalledDerivative' has no '__autograd_src_tangents__' (tester M)
    from autograd_src import jacfwd, jvp
    x, v = np.array([0.3, -0.5, 1.1, 0.2]), np.array([1.0, 0.5, -1.0, 2.0])
    target = np.ones(4)
    gradient = grad(_force_matching)(x, target)
    _, tangent = jvp(_force_matching, (x, target), (v, None))
    assert tangent == pytest.approx(gradient @ v, rel=1e-10)
    np.testing.assert_allclose(jacfwd(_force_matching)(x, target), gradient, rtol=1e-10)
