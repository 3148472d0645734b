"""Helpers that take a function: ODE solvers given the dynamics as a lambda,
``apply(act, x)`` with a nested def, both reading the caller's parameters."""

import functools

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


def dense(h, *, W, b, act=np.tanh):
    return act(h @ W + b)


def integrate_kw(f, y, *, dt, n):
    for _ in range(n):
        y = y + dt * f(y)
    return y


def kw_only_helper_given_a_lambda(W, b, x):
    # the copy for the lambda takes W and b by position too
    return np.sum(dense(x, W=W, b=b, act=lambda z: z ** 2))


def kw_only_integrator_given_a_lambda(k, y0):
    return np.sum(integrate_kw(lambda y: -k * y ** 3, y0, dt=0.1, n=3))


def nested_def_with_keyword_only_parameters(W, x):
    def gate(h, *, W, act=np.tanh):
        return act(h @ W)

    return np.sum(gate(gate(x, W=W), W=W * 0.5, act=np.sin))


def nested_integrator_given_a_lambda(k, y0):
    def integrate(f, y, dt, n):
        for _ in range(n):
            y = y + dt * f(y)
        return y

    return np.sum(integrate(lambda y: -k * y ** 3, y0, 0.1, 3))


def nested_def_given_np_tanh(W, x):
    def lay(h, W, act):
        return act(h @ W)

    return np.sum(lay(x, W, np.tanh) + lay(x, W * 2.0, np.sin))


def nested_def_with_a_function_default(W, x):
    def lay(h, W, act=np.tanh):
        return act(h @ W)

    return np.sum(lay(x, W))


def partial_of_a_nested_def(W, b, x):
    def lay(h, W, b, act):
        return act(h @ W + b)

    f = functools.partial(lay, W=W, b=b, act=np.tanh)
    return np.sum(f(x))


def shadowing_def_given_a_lambda(k, y0):
    # a nested def of a module helper's name, and signature: the nested one runs (the
    # module's was copied in its place, a silent wrong gradient)
    def integrate(f, y0, n, dt=DT):
        return y0 + n * dt * f(y0) ** 2

    return np.sum(integrate(lambda y: -k * y, y0, 3))


try:  # code ported from HIPS autograd, holding its wrapper of np.tanh as a value
    import autograd.numpy as _anp
    _HIPS_TANH = _anp.tanh
except ImportError:  # (the test skips)
    _HIPS_TANH = np.tanh


def held_hips_wrapper(W, x):
    act = _HIPS_TANH
    h = x
    for _ in range(2):
        h = act(h @ W)
    return np.sum(h)
