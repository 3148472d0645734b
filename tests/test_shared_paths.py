"""A value that reaches the result by several paths gets every path's contribution.

The Tensor API once visited tensors in an order that was not topological (a
tensor was marked seen when pushed, not when finished), so a value used twice
lost one of its paths: ``(x + x ** 2).backward()`` gave 1 instead of 7.
"""

import numpy as np
import pytest

import autograd_src as mg
from autograd_src.testing import numerical_grad


def _fd(f, x):
    """The gradient of ``f`` at ``x`` by finite differences (Richardson-extrapolated)."""
    return numerical_grad(f, [x], 0)


def test_tensor_used_directly_and_through_a_function():
    x = mg.tensor(3.0)
    (x + x ** 2).backward()
    assert x.grad == pytest.approx(7.0)


def test_operand_order_does_not_matter():
    for build in (lambda x: x + mg.exp(x), lambda x: mg.exp(x) + x):
        x = mg.tensor([0.5, -1.0, 2.0])
        mg.sum(build(x)).backward()
        np.testing.assert_allclose(x.grad, 1 + np.exp([0.5, -1.0, 2.0]))


def _log_softmax_nll(np_, x):
    shifted = x - np_.max(x, axis=1, keepdims=True)
    return -np_.sum(shifted[:, 0] - np_.log(np_.sum(np_.exp(shifted), axis=1)))


@pytest.mark.parametrize("case", ["stable_log_softmax", "x_times_sum", "gram", "residual"])
def test_shared_subexpressions_in_the_tensor_api(case):
    rng = np.random.default_rng(3)
    data = rng.normal(size=(3, 4))
    w = rng.normal(size=(4, 4)) * 0.3
    funcs = {
        "stable_log_softmax": lambda m, x: _log_softmax_nll(m, x),
        "x_times_sum": lambda m, x: m.sum(x * m.sum(x)),
        "gram": lambda m, x: m.sum(m.tanh(x @ x.T)),
        "residual": lambda m, x: m.sum(m.tanh(m.tanh(x @ w) + x) @ w + x),
    }
    f = funcs[case]
    x = mg.tensor(data)
    f(mg, x).backward()
    np.testing.assert_allclose(x.grad, _fd(lambda v: f(np, v), data), rtol=1e-6, atol=1e-7)


def test_long_chain_with_a_skip_connection_each_step():
    x = mg.tensor(0.1)
    h = x
    for _ in range(10_000):
        h = h + 1e-4 * mg.sin(h)
    h.backward()
    # The same chain in NumPy, forward mode by hand.
    v, dv = 0.1, 1.0
    for _ in range(10_000):
        v, dv = v + 1e-4 * np.sin(v), dv * (1 + 1e-4 * np.cos(v))
    assert float(h.data) == pytest.approx(v)
    assert float(x.grad) == pytest.approx(dv)
