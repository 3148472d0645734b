"""Tester I's programs (session 10, regression hunt): state set by helpers, methods and
other modules between reads, in first and second order."""

import collections

import numpy as np

from autograd_src import grad, value_and_grad

from . import helper_module


class Model:
    def __init__(self):
        self.W = np.array([[0.5, -0.2], [0.3, 0.8]])
        self.steps = 0


def count(m):
    m.steps = m.steps + 1


def counted(x, m):
    y = np.sum(np.tanh(m.W @ x) ** 2)
    count(m)
    return y


D = {"k": 1.0, "calls": 0, "scale": 3.0}


def reads_and_bumps(x):
    v = D["k"] * np.sum(x ** 2)
    D["k"] = D["k"] + 1.0
    return v


def through_a_bumping_helper(x):
    return reads_and_bumps(x)


def module_dict_counter(x):
    y = D["scale"] * np.sum(x ** 2)
    D["calls"] = 1
    return y


class Opt:
    def __init__(self):
        self.lr = 1.0

    def decay(self):
        self.lr = self.lr * 0.5

    def loss(self, x):
        a = self.lr * np.sum(x ** 2)
        self.decay()
        return a + self.lr * np.sum(x)

    def __call__(self, x):
        a = self.lr * np.sum(x ** 2)
        self.decay()
        return a + self.lr * np.sum(x)


class Buf:
    def __init__(self):
        self.buf = np.ones(3)

    def refresh(self):
        self.buf[:] = 2.0

    def loss(self, x):
        a = np.sum(self.buf * x ** 2)
        self.refresh()  # LINE refresh
        return a + np.sum(self.buf * x)


def other_module_setter(x):
    helper_module.set_k(1.0)
    a = helper_module.K * np.sum(x ** 2)
    helper_module.set_k(3.0)
    return a + helper_module.K * np.sum(x)


G = 2.0
CNT = 0


def rg(x):
    return G * np.sum(x ** 3)


def inc_cnt():
    global CNT
    CNT = CNT + 1


def unrelated_global_changed(x):
    a = rg(x)
    inc_cnt()
    return a + rg(x)


P = {"k": 1.0}


def r_dict(x):
    return P["k"] * np.sum(x ** 3)


def dict_updated_between(x):
    P.update(k=1.0)
    a = r_dict(x)
    P.update(k=2.0)
    return a + r_dict(x)


L = [1.0]


def r_list(x):
    return L[-1] * np.sum(x ** 3)


def list_appended_between(x):
    a = r_list(x)
    L.append(2.0)
    return a + r_list(x)


def A(q):
    return np.sum(np.cos(q))


def local_value_and_grad_in_a_loop(q):
    vg = value_and_grad(A)
    for _ in range(2):
        v, g = vg(q)
        q = q - 0.1 * g
    return np.sum(q ** 2)


def two_local_grads_one_used(q):
    dA = grad(A)
    dB = grad(A)
    for _ in range(2):
        q = q - 0.1 * dA(q)
    return np.sum(q ** 2) + 0.0 * np.sum(dB(q))


class Weights:
    def __init__(self):
        self.W = np.array([[0.5, -0.2], [0.3, 0.8]])
        self.ws = [1.5, -0.5]


def project(q, x):
    return q.W @ x


def through_an_objects_matrix(x):
    q = Weights()
    return np.sum(np.sin(project(q, x)))


def scaled_by_a_list_attribute(c, x):
    return c.ws[0] * x ** 3


def through_an_objects_list(x):
    return np.sum(scaled_by_a_list_attribute(Weights(), x))


NT = collections.namedtuple("NT", ["w"])


def sine_of_field(p, x):
    return np.sin(p.w * x)


def through_a_namedtuple(p, x):
    return np.sum(sine_of_field(p, x))


class Layer:
    """A layer that counts its calls and caches a shape (cs231n style): refused before as
    changing what its derivative reads (self.W, read once)."""

    def __init__(self):
        self.W = np.array([[0.5, -0.2], [0.3, 0.8]])
        self.steps = 0
        self.cache = {}

    def forward(self, x):
        y = np.tanh(self.W @ x)
        self.steps += 1
        self.cache["shape"] = y.shape
        return y


LAYER = Layer()


def through_a_counting_layer(x):
    return np.sum(LAYER.forward(x) ** 2)


class Scaled:
    def __init__(self):
        self.buf = np.ones(2)

    def forward(self, x):
        a = self.buf
        y = np.sum(a * x ** 2)
        self.buf += 1.0  # LINE alias
        return y


SCALED = Scaled()


def through_an_alias_of_an_attribute(x):
    return SCALED.forward(x)


def view_then_written(x, y):
    """A helper's view of its own array, read once (term[::-1]), then the array written
    in place (second_order_fuzz, seed 9191: the adjoint read the view after the write:
    wrong at the session's start too)."""
    term = np.ones(3)
    term[1] += x @ term[::-1]
    term[0:3] += y * term
    return np.sum(term)


def through_a_view_then_written(x):
    return view_then_written(x, 0.5)
