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


GOLDEN = [
    (sigmoid_loss, 0),
    (mlp_loss, (0, 1, 2, 3)),
    (rosenbrock, 0),
    (overwrite, (0, 1)),
    (scalar_physics, ("v", "k")),
]
