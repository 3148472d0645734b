"""Realistic models, each checked against finite differences."""

import math

import numpy as np


def logistic_regression(w, b, X, y):
    logits = X @ w + b
    return np.mean(np.logaddexp(0.0, -y * logits))


def softmax_cross_entropy(logits, labels):
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(np.sum(labels * log_probs, axis=1))


def relu(z):
    return np.maximum(z, 0.0)


def mlp_relu(W1, b1, W2, X, y):
    hidden = relu(X @ W1 + b1)
    prediction = hidden @ W2
    return np.mean((prediction - y) ** 2)


def rnn_cell(Wh, Wx, h, x):
    return np.tanh(h @ Wh + x @ Wx)


def rnn_with_helper(Wh, Wx, xs, h0):
    h = h0
    for t in range(len(xs)):
        h = rnn_cell(Wh, Wx, h, xs[t])
    return np.sum(h ** 2)


def gaussian_log_likelihood(mu, log_sigma, x):
    sigma = np.exp(log_sigma)
    z = (x - mu) / sigma
    return np.sum(-0.5 * z ** 2 - log_sigma - 0.5 * math.log(2 * math.pi))


def spring_mass(k, damping, x0, v0):
    x, v = x0, v0
    dt = 0.01
    for _ in range(100):
        a = -k * x - damping * v
        v = v + dt * a
        x = x + dt * v
    return x * x + v * v


def heat_stencil(u, alpha):
    u = u.copy()
    for _ in range(10):
        u[1:-1] = u[1:-1] + alpha * (u[:-2] - 2 * u[1:-1] + u[2:])
    return np.sum(u * np.linspace(0.0, 1.0, len(u)))


def trained_loss(lr, X, y):
    """Differentiate through five steps of gradient descent on least squares."""
    w = np.zeros(X.shape[1])
    for _ in range(5):
        residual = X @ w - y
        w = w - lr * (X.T @ residual) / len(y)
    return np.mean((X @ w - y) ** 2)


def newton_sqrt(a):
    y = a
    for _ in range(30):
        if abs(y * y - a) < 1e-14:
            break
        y = 0.5 * (y + a / y)
    return y


CASES = [
    (logistic_regression, lambda r: (r.normal(size=3), 0.1, r.normal(size=(8, 3)),
                                     np.sign(r.normal(size=8))), (0, 1)),
    (softmax_cross_entropy, lambda r: (r.normal(size=(4, 3)), np.eye(3)[[0, 2, 1, 1]]), 0),
    (mlp_relu, lambda r: (r.normal(size=(3, 5)), r.normal(size=5), r.normal(size=5),
                          r.normal(size=(6, 3)), r.normal(size=6)), (0, 1, 2)),
    (rnn_with_helper, lambda r: (r.normal(size=(4, 4)) * 0.4, r.normal(size=(2, 4)) * 0.4,
                                 r.normal(size=(5, 3, 2)), r.normal(size=(3, 4))), (0, 1, 3)),
    (gaussian_log_likelihood, lambda r: (0.3, -0.2, r.normal(size=10)), (0, 1)),
    (spring_mass, lambda r: (2.0, 0.3, 1.0, 0.0), (0, 1, 2, 3)),
    (heat_stencil, lambda r: (r.normal(size=10), 0.2), (0, 1)),
    (trained_loss, lambda r: (0.1, r.normal(size=(12, 3)), r.normal(size=12)), 0),
    (newton_sqrt, lambda r: (2.0,), 0),
]
