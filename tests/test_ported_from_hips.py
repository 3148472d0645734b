"""Code ported from HIPS autograd (``import autograd.numpy as np``) is differentiated as
it stands: each wrapper stands for the NumPy or SciPy function it wraps. Skipped where
autograd is not installed."""

import numpy
import pytest

from autograd_src import grad, jvp
from autograd_src.testing import check_grads

anp = pytest.importorskip("autograd.numpy")
special = pytest.importorskip("autograd.scipy.special")
hips = pytest.importorskip("autograd")


def layer_loss(W, x):
    h = anp.tanh(anp.dot(x, W))
    z = anp.concatenate([h, anp.array([1.0, 2.0])])
    return (anp.sum(z ** 2) + special.logsumexp(h) + anp.linalg.norm(W) +
            anp.mean(anp.exp(-h)) + anp.sum(anp.outer(h, h)))


def test_a_function_written_for_hips_autograd_is_differentiated_as_written():
    rng = numpy.random.default_rng(0)
    W, x = rng.normal(size=(3, 4)), rng.normal(size=3)
    got = grad(layer_loss)(W, x)
    numpy.testing.assert_allclose(got, hips.grad(layer_loss)(W, x), rtol=1e-12)
    check_grads(layer_loss, W, x)
    v = rng.normal(size=W.shape)
    assert jvp(layer_loss, (W, x), (v, numpy.zeros(3)))[1] == pytest.approx(
        numpy.sum(got * v))


norm = pytest.importorskip("autograd.scipy.stats.norm")


def _gaussian_log_likelihood(mu, log_sigma, data):
    return anp.sum(norm.logpdf(data, mu, anp.exp(log_sigma)))


def test_hips_stats_norm_stands_for_scipys():
    # autograd.scipy.stats.norm wraps an object, not a module: its wrappers were read as
    # user code ("a try statement in f_wrapped()", tester H)
    pytest.importorskip("scipy")
    data = numpy.array([0.1, -0.4, 0.9])
    check_grads(_gaussian_log_likelihood, 0.2, -0.3, data, wrt=(0, 1))
    ours = grad(_gaussian_log_likelihood, wrt=(0, 1))(0.2, -0.3, data)
    theirs = hips.grad(_gaussian_log_likelihood, (0, 1))(0.2, -0.3, data)
    numpy.testing.assert_allclose(ours, theirs, rtol=1e-12)
