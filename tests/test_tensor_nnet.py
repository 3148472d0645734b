"""mg.nnet against MyGrad 2.5 (values and gradients on random inputs) and finite differences."""

import numpy as np
import pytest

import autograd_src as mg
from autograd_src.testing import numerical_grad

try:
    import mygrad
except ImportError:  # pragma: no cover - MyGrad is in the test extra
    mygrad = None

needs_mygrad = pytest.mark.skipif(mygrad is None, reason="mygrad is not installed")
LABELS = np.array([0, 2, 1, 3, 2])

# name: (call, given the nnet module and a tensor of shape (5, 4))
CALLS = {
    "relu": lambda n, x: n.relu(x),
    "leaky_relu": lambda n, x: n.leaky_relu(x, 0.1),
    "sigmoid": lambda n, x: n.sigmoid(x),
    "tanh": lambda n, x: n.tanh(x),
    "softmax": lambda n, x: n.softmax(x),
    "softmax axis 0": lambda n, x: n.softmax(x, axis=0),
    "logsoftmax": lambda n, x: n.logsoftmax(x),
    "elu": lambda n, x: n.elu(x, 0.7),
    "selu": lambda n, x: n.selu(x),
    "soft_sign": lambda n, x: n.soft_sign(x),
    "hard_tanh": lambda n, x: n.hard_tanh(x, lower_bound=-0.5, upper_bound=0.8),
    "glu": lambda n, x: n.glu(x),
    "glu axis 0": lambda n, x: n.glu(x[:4], axis=0),
    "softmax_crossentropy": lambda n, x: n.softmax_crossentropy(x, LABELS),
    "negative_log_likelihood": lambda n, x: n.negative_log_likelihood(x, LABELS),
    "negative_log_likelihood weights": lambda n, x: n.negative_log_likelihood(
        x, LABELS, weights=np.array([2.0, 1.0, 0.5, 3.0])),
    "margin_ranking_loss": lambda n, x: n.margin_ranking_loss(
        x[:, 0], x[:, 1], np.array([1, -1, 1, 1, -1]), 0.3),
    "margin_ranking_loss 2-D": lambda n, x: n.margin_ranking_loss(
        x[:, :2], x[:, 2:], np.array([1, -1, 1, 1, -1]), 0.3),
    "multiclass_hinge": lambda n, x: n.multiclass_hinge(x, LABELS),
    "multiclass_hinge 0.5": lambda n, x: n.multiclass_hinge(x, LABELS, 0.5),
    "focal_loss": lambda n, x: n.focal_loss(n.softmax(x), LABELS, alpha=0.25, gamma=2.0),
    "focal_loss gamma 0": lambda n, x: n.focal_loss(n.softmax(x), LABELS),
}


@needs_mygrad
@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("name", sorted(CALLS))
def test_matches_mygrad(name, seed):
    data = np.random.default_rng(seed).uniform(-2, 2, (5, 4))
    ours, theirs = mg.tensor(data), mygrad.tensor(data)
    out, ref = CALLS[name](mg.nnet, ours), CALLS[name](mygrad.nnet, theirs)
    np.testing.assert_allclose(out.data, ref.data, rtol=1e-10, atol=1e-12)
    weights = np.random.default_rng(seed + 10).standard_normal(out.shape)
    out.backward(weights)
    ref.backward(weights)
    np.testing.assert_allclose(ours.grad, theirs.grad, rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_against_finite_differences(name):
    data = np.random.default_rng(7).uniform(-2, 2, (5, 4))
    x = mg.tensor(data)
    CALLS[name](mg.nnet, x).backward()

    def f(values):
        with mg.no_autodiff:
            return float(np.sum(CALLS[name](mg.nnet, mg.tensor(values)).data))
    np.testing.assert_allclose(x.grad, numerical_grad(f, [data], 0), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", ["glorot_normal", "glorot_uniform", "he_normal", "he_uniform",
                                  "normal", "uniform"])
def test_initializers(name):
    t = getattr(mg.nnet, name)(200, 300)
    assert t.shape == (200, 300) and t.dtype == np.float32 and not t.constant
    assert getattr(mg.nnet, name)((4, 3, 2), constant=True).constant
    if name == "he_uniform":
        # He et al.'s bound gain * sqrt(3 / fan_in); MyGrad 2.5 divides by that
        # square root instead of multiplying, a spread fan_in / 3 times too wide.
        np.testing.assert_allclose(np.std(t.data), np.sqrt(3 / 300) / np.sqrt(3), rtol=0.05)
        return
    if mygrad is not None:
        np.random.seed(0)
        theirs = getattr(mygrad.nnet, name)(200, 300)
        np.random.seed(0)
        ours = getattr(mg.nnet, name)(200, 300)
        # the same distribution: the spreads agree within sampling error
        assert abs(float(np.std(ours.data)) / float(np.std(theirs.data)) - 1) < 0.05
        assert abs(float(np.mean(ours.data)) - float(np.mean(theirs.data))) < 0.05


@needs_mygrad
@pytest.mark.parametrize("name", ["elu", "selu", "relu"])
def test_the_gradient_at_zero_is_mygrads(name):
    """At the kink x = 0: elu and selu take the x >= 0 branch's slope, as MyGrad does."""
    x, theirs = mg.tensor([0.0, -1.0, 1.0]), mygrad.tensor([0.0, -1.0, 1.0])
    CALLS[name](mg.nnet, x).sum().backward()
    CALLS[name](mygrad.nnet, theirs).sum().backward()
    np.testing.assert_allclose(x.grad, theirs.grad)
