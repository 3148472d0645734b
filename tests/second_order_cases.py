"""Functions for the second-order tests: straight-line, branches, loops, helpers."""

import math

import numpy as np


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def sine_product(x):
    z = np.sin(x) * x
    if np.sum(z) > 0:
        z = z ** 2
    return np.sum(z)


def horner(x, c):
    y = 0.0
    for i in range(len(c)):
        y = y * x + c[i]
    return y


def branchy(x, c):
    y = x
    for i in range(len(c)):
        if y > c[i]:
            y = 0.5 * y * x + c[i]
        else:
            y = 0.25 * y * y + x * c[i]
    return y


def mlp_loss(W, x):
    h = np.tanh(x @ W)
    return np.mean(h ** 2)


def rnn(W, x):
    h = x
    for _ in range(3):
        h = np.tanh(W @ h)
    return np.sum(h)


def cell(W, h):
    return np.tanh(W @ h)


def rnn_with_cell(W, x):
    h = x
    for _ in range(2):
        h = cell(W, h)
    return np.sum(h ** 2)


def log_sum_exp(x):
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


def scalar_physics(k):
    x, v = 1.0, 0.0
    energy = 0.0
    for _ in range(20):
        a = -k * x - 0.1 * v
        v = v + 0.01 * a
        x = x + 0.01 * v
        energy = energy + 0.5 * v * v + 0.5 * k * x * x
    return energy


def math_scalar(x):
    return math.exp(math.sin(x)) * x ** 3


CASES = [
    (rosenbrock, lambda r: (r.uniform(-1, 1, 6),)),
    (sine_product, lambda r: (r.uniform(0.1, 1, 4),)),
    (horner, lambda r: (float(r.uniform(-1, 1)), list(r.uniform(-1, 1, 6)))),
    (branchy, lambda r: (0.9, list(r.uniform(-1, 1, 12)))),
    (mlp_loss, lambda r: (r.normal(size=(3, 2)), r.normal(size=(4, 3)))),
    (rnn, lambda r: (0.5 * r.normal(size=(3, 3)), r.normal(size=3))),
    (rnn_with_cell, lambda r: (0.5 * r.normal(size=(3, 3)), r.normal(size=3))),
    (log_sum_exp, lambda r: (r.normal(size=5),)),
    (scalar_physics, lambda r: (float(r.uniform(1, 2)),)),
    (math_scalar, lambda r: (float(r.uniform(0.5, 1.5)),)),
]


def noisy_cell(W, h):
    return np.tanh(W @ h + 1e-3 * np.random.normal(size=np.shape(h)))


def rnn_with_noisy_cell(W, x):
    # grad runs noisy_cell once; second order would run it again: another draw
    h = x
    for _ in range(2):
        h = noisy_cell(W, h)
    return np.sum(h ** 2)


def scaled(u, scale=0.5):
    return np.sin(u) * scale


def helper_with_keywords(x, c):
    return np.sum(scaled(x, scale=c) ** 2) + scaled(c)
