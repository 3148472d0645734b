"""Helpers that write into an array they are given (``z[i] = ...``), as simulation
code writes a step: grad works on a copy and hands it back, where no other name
sees the caller's array."""

import numpy as np


def fill(z, x):
    for i in range(len(x)):
        z[i] = np.sin(x[i]) * 2.0
    return z


def filled(x):
    z = np.zeros_like(x)
    z = fill(z, x)
    return np.sum(z ** 2)


def step(u, dt):
    u[1:-1] += dt * (u[:-2] - 2 * u[1:-1] + u[2:])


def heat(u0, dt):
    # step(u, dt) called for its effect, u read afterwards
    u = u0 * 1.0
    for _ in range(3):
        step(u, dt)
    return np.sum(u ** 2)


def seen_through_an_alias(x):
    z = np.zeros_like(x)
    w = z
    z = fill(z, x)
    return np.sum(w * z)


def inner(z):
    z[0] = 5.0 * z[1]


def middle(z):
    inner(z)
    return 0.0


def through_two_helpers(x):
    # middle's z is its caller's array: the write must reach outer's z
    z = x * 1.0
    middle(z)
    return np.sum(z ** 2)


def accumulate(s, y, z):
    for i in range(len(y)):
        s = s + np.sum(z) * y[i]
        z[i] += np.tanh(s)
    return s


def value_and_update(x, y):
    # s = accumulate(s, y, z) returns s and writes z, which is read afterwards
    z = x.copy()
    s = 0.0
    s = accumulate(s, y, z)
    return s + np.sum(np.sin(z))


def push_into(ps, v):
    ps.append(v * 2)


def helper_appending_to_its_list(params, x):
    ps = list(params)
    push_into(ps, x)
    return sum(np.sum(p) ** 2 for p in ps)


def closure_appending_to_a_list(x):
    out = []

    def push(v):
        out.append(v * 2)

    push(x)
    push(x ** 2)
    return np.sum(out[0] * out[1])
