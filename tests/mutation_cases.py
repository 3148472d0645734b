"""Assignment into arrays the function created (issue: calls, closures and data)."""

import numpy as np


def heat_equation(u, alpha):
    u = u.copy()
    for _ in range(5):
        lap = u[:-2] - 2 * u[1:-1] + u[2:]
        u[1:-1] = u[1:-1] + alpha * lap
    return np.sum(u ** 2)


def fill_in_loop(x):
    y = np.zeros(4)
    for i in range(3):
        y[i] = x[i] * x[i + 1]
    y[3] += np.sum(x)
    y[y > 0.5] = 0.5
    return np.sum(y * np.arange(1.0, 5.0))


def columns(x):
    out = np.zeros((3, 2))
    out[:, 0] = np.sin(x)
    out[:, 1] = x ** 2
    return np.sum(out @ np.array([1.0, -2.0]))


def zeros_like_and_empty(x):
    a = np.zeros_like(x)
    a[0] = x[1] ** 2
    b = np.empty(2)
    b[0] = 1.0
    b[1] = a[0] * 3.0
    c = np.ones(3)
    c[1:] *= x[:2]
    return np.sum(a) + np.sum(b * b) + np.sum(c)


def aliasing(x):
    y = np.zeros(3)
    z = y
    y[0] = x[0]
    return np.sum(z)


CASES = [
    (heat_equation, lambda r: (r.normal(size=8), 0.1), (0, 1)),
    (fill_in_loop, lambda r: (r.uniform(0, 1, 4),), 0),
    (columns, lambda r: (r.normal(size=3),), 0),
    (zeros_like_and_empty, lambda r: (r.normal(size=3),), 0),
]
