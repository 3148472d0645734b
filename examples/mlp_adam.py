"""An MLP on two spirals, its parameters a list of (W, b) pairs, trained with Adam.

The parameters stay in the structure a person would write them in: a list with
one ``(W, b)`` tuple per layer. ``grad(loss)`` differentiates with respect to
that whole list and returns the gradient in the same structure, so
``dparams[1][0]`` is the gradient of the second layer's weights, and the
optimiser is an ordinary list comprehension over ``zip(params, grads)``.

Run from anywhere:

    python examples/mlp_adam.py                 # 1500 steps, a few seconds
    python examples/mlp_adam.py --quick         # 300 steps, for the tests
    python examples/mlp_adam.py --plot loss.png # where to save the loss curve

The loss curve is saved as a PNG when matplotlib is installed
(``pip install '.[examples]'``); without it the numbers are printed only.
"""

import argparse

import numpy as np

from autograd_src import grad, value_and_grad
from autograd_src.testing import check_grads

# ---------------------------------------------------------------- the data

def two_spirals(n_per_class, noise, rng):
    """Points on two interleaved spirals in the plane, labelled 0 and 1."""
    t = np.sqrt(rng.uniform(0.05, 1.0, size=n_per_class)) * 3 * np.pi
    spiral = np.stack([t * np.cos(t), t * np.sin(t)], axis=1) / (3 * np.pi)
    X = np.concatenate([spiral, -spiral]) + noise * rng.normal(size=(2 * n_per_class, 2))
    labels = np.concatenate([np.zeros(n_per_class, int), np.ones(n_per_class, int)])
    return X, labels


# ---------------------------------------------------------------- the model

def init_params(sizes, rng):
    """One (W, b) pair per layer, W scaled so tanh starts in its linear range."""
    return [(rng.normal(size=(m, n)) / np.sqrt(m), np.zeros(n))
            for m, n in zip(sizes[:-1], sizes[1:])]


def predict(params, X):
    """Logits of the MLP: tanh hidden layers, a linear last layer."""
    h = X
    for W, b in params[:-1]:
        h = np.tanh(h @ W + b)
    W, b = params[-1]
    return h @ W + b


def loss(params, X, onehot):
    """Mean softmax cross-entropy (log-sum-exp shifted by the max, for stability)."""
    logits = predict(params, X)
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(np.sum(onehot * log_probs, axis=1))


def accuracy(params, X, labels):
    return float(np.mean(np.argmax(predict(params, X), axis=1) == labels))


# ---------------------------------------------------------------- the optimiser

def adam(params, loss_and_grad, args, steps, lr=0.02, beta1=0.9, beta2=0.999, eps=1e-8,
         report_every=100):
    """Adam written out by hand; the moments m and v have the structure of params.

    Plain gradient descent would be one line, with grads laid out like params:

        params = [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(params, grads)]

    Adam does the same with running averages of the gradient (m) and of its
    square (v), kept as lists of (W, b)-shaped pairs too. Returns the trained
    parameters and the loss before each step.
    """
    m = [(np.zeros_like(W), np.zeros_like(b)) for W, b in params]
    v = [(np.zeros_like(W), np.zeros_like(b)) for W, b in params]
    history = []
    for step in range(1, steps + 1):
        value, grads = loss_and_grad(params, *args)  # grads: a list of (dW, db)
        history.append(float(value))
        if step == 1 or step % report_every == 0:
            print(f"step {step:5d}  loss {value:.4f}")
        m = [(beta1 * mW + (1 - beta1) * dW, beta1 * mb + (1 - beta1) * db)
             for (mW, mb), (dW, db) in zip(m, grads)]
        v = [(beta2 * vW + (1 - beta2) * dW ** 2, beta2 * vb + (1 - beta2) * db ** 2)
             for (vW, vb), (dW, db) in zip(v, grads)]
        # Bias correction folded into the step size, as in the Adam paper.
        lr_t = lr * np.sqrt(1 - beta2 ** step) / (1 - beta1 ** step)
        params = [(W - lr_t * mW / (np.sqrt(vW) + eps), b - lr_t * mb / (np.sqrt(vb) + eps))
                  for (W, b), (mW, mb), (vW, vb) in zip(params, m, v)]
    return params, history


# ---------------------------------------------------------------- plotting (optional)

def save_plot(history, path):
    """Save the loss curve to ``path`` if matplotlib is installed; say so either way."""
    try:
        import matplotlib
    except ImportError:
        print("(matplotlib is not installed: no plot. `pip install '.[examples]'` adds it.)")
        return
    matplotlib.use("Agg")  # no window: write the file only
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.semilogy(range(1, len(history) + 1), history)
    ax.set_xlabel("Adam step")
    ax.set_ylabel("cross-entropy (log scale)")
    ax.set_title("MLP on two spirals")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"loss curve saved to {path}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few steps, small data (tests)")
    parser.add_argument("--steps", type=int, help="Adam steps (default 1500, 300 with --quick)")
    parser.add_argument("--plot", default="mlp_adam_loss.png", help="PNG path for the curve")
    parser.add_argument("--no-plot", action="store_true", help="do not save a PNG")
    options = parser.parse_args(argv)
    steps = options.steps or (300 if options.quick else 1500)

    rng = np.random.default_rng(0)
    X, labels = two_spirals(100 if options.quick else 200, noise=0.03, rng=rng)
    X_test, labels_test = two_spirals(200, noise=0.03, rng=rng)
    onehot = np.eye(2)[labels]
    params = init_params([2, 32, 32, 2], rng)

    # grad(loss) differentiates with respect to argument 0, the whole list.
    dloss = grad(loss)
    grads = dloss(params, X, onehot)
    print("gradient structure:", [(dW.shape, db.shape) for dW, db in grads])
    print("dparams[1][0] is the second layer's dW, shape", grads[1][0].shape)
    # Before training on it, compare the derivative with finite differences
    # (on a few points: the check takes one loss evaluation per parameter entry).
    check_grads(loss, params, X[::20], onehot[::20])
    print("check_grads: the gradient matches finite differences\n")

    # value_and_grad gives the loss and its gradient in one pass, for the curve.
    params, history = adam(params, value_and_grad(loss), (X, onehot), steps)
    first, last = history[0], float(loss(params, X, onehot))
    print(f"\nloss {first:.4f} -> {last:.4f} ({first / last:.1f}x lower)")
    print(f"final accuracy: train {accuracy(params, X, labels):.3f}, "
          f"held-out {accuracy(params, X_test, labels_test):.3f}")
    if not options.no_plot:
        save_plot(history, options.plot)


if __name__ == "__main__":
    main()
