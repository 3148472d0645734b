"""Quick start: differentiate a small model by source transformation and train it.

Run from anywhere:  python examples/quickstart.py
"""

import numpy as np

from autograd_src import grad


def loss(W, b, X, y):
    """Mean squared error of a one-layer tanh model."""
    prediction = np.tanh(X @ W + b)
    error = prediction - y
    return np.mean(error ** 2)


def main() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3))
    true_W = np.array([0.5, -1.0, 0.25])
    y = np.tanh(X @ true_W + 0.1)

    dloss = grad(loss, wrt=(0, 1))
    print("Generated derivative of loss(W, b, X, y) with respect to W and b:\n")
    print(dloss.source)

    W, b = np.zeros(3), 0.0
    for step in range(201):
        dW, db = dloss(W, b, X, y)
        W, b = W - 0.5 * dW, b - 0.5 * db
        if step % 50 == 0:
            print(f"step {step:3d}  loss {loss(W, b, X, y):.6f}")
    print("learned W:", np.round(W, 3), " b:", round(float(b), 3))


if __name__ == "__main__":
    main()
