"""Programs of tester H (session 10): derivatives made by grad called inside functions
differentiated (MAML steps over dict parameters, value_and_grad and tuple wrt, a local
name for a derivative), callable objects, dict comprehensions over a dict's keys."""

import numpy as np

from autograd_src import grad, make_jvp, value_and_grad


def inner(p):
    return p["a"] * p["b"]


dinner = grad(inner)


def dict_rebound_after_a_gradient(p):
    g = dinner(p)
    p = {"a": g["a"] * p["a"], "b": p["b"]}
    return p["a"] * p["b"]


def task_loss(params, x):
    return np.sum(np.tanh(params["W"] @ x + params["b"]) ** 2)


dtask = grad(task_loss)


def maml_three_steps(params, x, lr=0.1):
    fast = dict(params)
    for _ in range(3):
        g = dtask(fast, x)
        fast = {k: fast[k] - lr * g[k] for k in ("W", "b")}
    return task_loss(fast, x)


def square(z):
    return z * z


def inner_with_a_helper(w, b):
    return np.sum(square(w) * b) + np.sum(np.sin(b))


value_and_gradient = value_and_grad(inner_with_a_helper, wrt=(0, 1))
gradients = grad(inner_with_a_helper, wrt=(0, 1))
value_and_gradient_w = value_and_grad(inner_with_a_helper)


def value_and_grad_inside(w, b):
    v, (gw, gb) = value_and_gradient(w, b)
    return v * 0.5 + np.sum(gw ** 2) + np.sum(gb * w)


def tuple_wrt_inside(w, b):
    gw, gb = gradients(w, b)
    return np.sum(gw * gb) + np.sum(np.cos(gb))


def value_unused(w, b):
    v, gw = value_and_gradient_w(w, b)
    return np.sum(gw ** 2)


def energy(q):
    return 0.25 * np.sum(q ** 4)


def local_name_for_a_derivative(q, b):
    force = grad(energy)
    return np.sum(force(q) * b)


def sgd_over_keys(params, b):
    fast = {k: params[k] * b for k in params}
    fast = {k: fast[k] * 0.5 for k in fast}
    return fast["a"] * fast["b"]


def sgd_over_keys_in_a_loop(params, b):
    fast = dict(params)
    out = {}
    for k in params:
        out[k] = fast[k] * b
    return out["a"] * out["b"]


class Quadratic:
    def __init__(self, A):
        self.A = A

    def __call__(self, x):
        return 0.5 * x @ self.A @ x


def loss_for_jvp(p):
    return np.sum(np.sin(p) * p)


jvp_of_loss = make_jvp(loss_for_jvp)


def calls_a_forward_derivative(p):
    v, t = jvp_of_loss(p, dp=np.ones_like(p))  # LINE jvp
    return t * v
