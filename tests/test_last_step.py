"""A reverse loop's last step skips the adjoint only a next step would read (an MLP's
input gradient when the input is not differentiated), with exact gradients either way."""

import numpy as np
import pytest

from autograd_src import grad
from autograd_src.testing import check_grads


def mlp(params, x, y):
    h = x
    for W, b in params[:-1]:
        h = np.tanh(h @ W + b)
    W, b = params[-1]
    return np.mean((h @ W + b - y) ** 2)


def rnn(Wh, xs, h0):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] + h @ Wh)
    return np.sum(h ** 2)


RNG = np.random.default_rng(4)
PARAMS = [(RNG.standard_normal((5, 4)) * 0.5, RNG.standard_normal(4)),
          (RNG.standard_normal((4, 4)) * 0.5, RNG.standard_normal(4)),
          (RNG.standard_normal((4, 2)), RNG.standard_normal(2))]
X, Y = RNG.standard_normal((3, 5)), RNG.standard_normal((3, 2))


@pytest.mark.parametrize("wrt", [(0,), (0, 1)])
def test_mlp_with_and_without_the_input_gradient(wrt):
    check_grads(mlp, PARAMS, X, Y, wrt=wrt)


def test_the_input_gradient_is_skipped_only_where_nothing_reads_it():
    only_params = grad(mlp)
    only_params(PARAMS, X, Y)
    assert "if not _ad.is_first(k, steps):" in only_params.source
    with_input = grad(mlp, wrt=(0, 1))
    with_input(PARAMS, X, Y)
    assert "is_first" not in with_input.source


@pytest.mark.parametrize("wrt", [(0,), (0, 2)])
def test_rnn_initial_state(wrt):
    Wh, xs, h0 = RNG.standard_normal((3, 3)) * 0.5, RNG.standard_normal((4, 3)), \
        RNG.standard_normal(3)
    check_grads(rnn, Wh, xs, h0, wrt=wrt)
