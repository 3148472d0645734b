"""Functions whose generated derivatives are kept as golden snapshots."""

import numpy as np


def sigmoid_loss(w, X, y):
    z = X @ w
    p = 1 / (1 + np.exp(-z))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def mlp_loss(W1, b1, W2, b2, X, labels):
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(np.sum(log_probs * labels, axis=1))


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def overwrite(x, y):
    z = np.sin(x) * y
    z = z ** 2
    return np.sum(z)


def scalar_physics(v, k, t):
    energy = 0.5 * v ** 2 + 0.5 * k * t ** 2
    damping = np.exp(-0.1 * t)
    return energy * damping


def branchy(x, y):
    z = np.sin(x) * y
    if np.sum(z) > 0:
        z = z ** 2
    else:
        z = -z
    return np.sum(z)


def rnn_overwrite(W, x):
    h = x
    for _ in range(3):
        h = np.tanh(W @ h)
    return np.sum(h)


def newton(a):
    y = a
    i = 0
    while abs(y * y - a) > 1e-12 and i < 50:
        y = 0.5 * (y + a / y)
        i += 1
    return y


def first_crossing(x):
    y = x
    for _ in range(10):
        y = np.sin(y) * 2.0
        if np.sum(y) > 1.5:
            break
    return np.sum(y)


def cell(W, h, x):
    return np.tanh(W @ h + x)


def rnn_with_cell(W, xs, h):
    for t in range(len(xs)):
        h = cell(W, h, xs[t])
    return np.sum(h ** 2)


def make_model(scale):
    def model(x):
        return np.sum(np.sin(x) * scale)
    return model


closure_model = make_model(3.0)


def stencil(u, alpha):
    u = u.copy()
    for _ in range(3):
        u[1:-1] = u[1:-1] + alpha * (u[:-2] - 2 * u[1:-1] + u[2:])
    return np.sum(u)


def squares_of_even(x):
    squares = [x[i] ** 2 for i in range(len(x)) if i % 2 == 0]
    return np.sum(np.stack(squares))


class LinearModel:
    """A model whose loss is a method calling another method."""

    def __init__(self, w, b):
        self.w, self.b = w, b

    def predict(self, x):
        return np.tanh(x @ self.w + self.b)

    def loss(self, x, y):
        return np.mean((self.predict(x) - y) ** 2)


# Weights that are not all ones (where x @ w cannot tell w from w.T's rows) and a bias not zero.
linear_model = LinearModel(np.array([[0.5, -1.2], [0.3, 0.8], [-0.7, 0.4]]), np.array([0.1, -0.2]))


def mlp_pairs(params, X, y):
    """Parameters as a list of (W, b) pairs, as ML code keeps them."""
    h = X
    for W, b in params[:-1]:
        h = np.tanh(h @ W + b)
    W, b = params[-1]
    return np.mean((h @ W + b - y) ** 2)


def spread_penalty(X):
    # NumPy functions without rules of their own, followed through rules/composites.py
    C = np.cov(X, rowvar=False)
    return np.sum(C ** 2) + np.percentile(X, 75)


GOLDEN = [
    (sigmoid_loss, 0),
    (mlp_loss, (0, 1, 2, 3)),
    (rosenbrock, 0),
    (overwrite, (0, 1)),
    (scalar_physics, ("v", "k")),
    (branchy, (0, 1)),
    (rnn_overwrite, 0),
    (newton, 0),
    (first_crossing, 0),
    (rnn_with_cell, (0, 2)),
    (closure_model, 0),
    (stencil, (0, 1)),
    (squares_of_even, 0),
    (linear_model.loss, 0),
    (mlp_pairs, 0),
    (spread_penalty, 0),
]


def _golden_arguments():
    """Points at which each golden derivative is run: no zeros, no ones, and for the
    functions with a branch or a break, one point on each path (name -> list of args)."""
    r = np.random.default_rng(7)
    return {
        "sigmoid_loss": [(r.normal(size=3), r.normal(size=(6, 3)),
                          np.array([1.0, 0.0, 1.0, 1.0, 0.0, 0.0]))],
        "mlp_loss": [(r.normal(size=(4, 5)) * 0.5, r.normal(size=5) * 0.1,
                      r.normal(size=(5, 3)) * 0.5, r.normal(size=3) * 0.1,
                      r.normal(size=(6, 4)), np.eye(3)[[0, 2, 1, 1, 0, 2]])],
        "rosenbrock": [(r.normal(size=5),)],
        "overwrite": [(r.normal(size=3), r.normal(size=3))],
        "scalar_physics": [(0.7, 1.3, 0.4)],
        # sum(sin(x) * y) > 0, then < 0: both arms of the branch.
        "branchy": [(np.array([0.3, 1.1, -0.4]), np.array([1.5, 0.8, -0.6])),
                    (np.array([0.3, 1.1, -0.4]), np.array([-1.5, -0.8, 0.6]))],
        "rnn_overwrite": [(r.normal(size=(3, 3)) * 0.5, r.normal(size=3))],
        "newton": [(2.0,), (0.3,)],
        # Breaks after a few iterations, then never breaks (sum(y) stays below 1.5).
        "first_crossing": [(np.array([0.1, 0.15, 0.05]),), (np.array([-0.6, -0.7, -0.8]),)],
        "rnn_with_cell": [(r.normal(size=(3, 3)) * 0.5, r.normal(size=(4, 3)), r.normal(size=3))],
        "model": [(r.normal(size=3),)],
        "stencil": [(r.normal(size=6), 0.15)],
        "squares_of_even": [(r.normal(size=5),)],
        "loss": [(r.normal(size=(4, 3)), r.normal(size=(4, 2)))],
        "mlp_pairs": [([(r.normal(size=(4, 5)) * 0.5, r.normal(size=5) * 0.1),
                        (r.normal(size=(5, 5)) * 0.5, r.normal(size=5) * 0.1),
                        (r.normal(size=(5, 2)) * 0.5, r.normal(size=2) * 0.1)],
                       r.normal(size=(6, 4)), r.normal(size=(6, 2)))],
        "spread_penalty": [(r.normal(size=(6, 3)),)],
    }


#: The points at which each golden derivative is checked numerically, by function name.
GOLDEN_ARGS = _golden_arguments()
