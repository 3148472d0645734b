"""Helpers that take a function: ODE solvers given the dynamics as a lambda,
``apply(act, x)`` with a nested def, both reading the caller's parameters."""

import numpy as np

DT = 0.1


def integrate(dynamics, y0, n, dt=DT):
    y = y0
    for _ in range(n):
        y = y + dt * dynamics(y)
    return y


def rk2(f, y, h):
    k1 = f(y)
    k2 = f(y + 0.5 * h * k1)
    return y + h * k2


def apply(fn, x):
    return fn(x)


def decay_with_lambda(k, y0):
    y = integrate(lambda y: -k * y + np.sin(y), y0, 5)
    return np.sum(y ** 2)


def decay_with_def(k, y0):
    def rhs(y):
        return -k * y * y

    return np.sum(integrate(rhs, y0, 4, dt=0.05))


def midpoint_steps(theta, y0):
    # the dynamics as a keyword argument, in a loop, closing over a list of parameters
    y = y0
    for _ in range(3):
        y = rk2(h=0.2, y=y, f=lambda z: theta[0] * np.tanh(z) - theta[1] * z)
    return np.sum(y)


def constant_lambda(x):
    return np.sum(apply(lambda z: np.sin(z) * 2.0, x))


def two_helpers(x, a):
    def act(z):
        return np.tanh(z) * a

    h = apply(act, x)
    return np.sum(apply(act, h) + integrate(act, h, 2))


def log_density(z):
    return -0.5 * np.sum(z ** 2) + np.sum(np.sin(z))


def elbo(params, eps, logprob=log_density):
    # black-box variational inference: the model's log density as a default
    mean, log_std = params
    z = mean + np.exp(log_std) * eps
    return logprob(z) + np.sum(log_std)


def quartic(z):
    return -np.sum(z ** 4)


def noisy(x, noise=np.random.randn):
    # a function default whose calls carry no gradient: any function may be passed
    return np.sum(x * noise(2))


def squash_steps(f, y, n=2, squash=np.tanh):
    for _ in range(n):
        y = squash(y + f(y))
    return y


def with_a_function_default(k, y0):
    # the copy of squash_steps keeps calling np.tanh, its default, by name
    return np.sum(squash_steps(lambda y: -k * y, y0))
