"""mg.<name> given a list of tensors: NumPy makes an array of the list, and so does the
Tensor engine, as a recorded np.stack (the gradient was silently lost before)."""

import numpy as np

import autograd_src as mg


def test_mean_of_a_list_of_tensors_backpropagates():
    t1, t2 = mg.tensor([1.0, 2.0]), mg.tensor([3.0, 4.0])
    r = mg.mean([t1, t2])
    assert not r.constant and float(r.data) == 2.5
    r.backward()
    np.testing.assert_allclose(t1.grad, [0.25, 0.25])
    np.testing.assert_allclose(t2.grad, [0.25, 0.25])


def test_nested_lists_and_numbers_mix():
    t = mg.tensor([1.0, -2.0])
    r = mg.sum([[t * 2.0, np.ones(2)], [t, t ** 2]])
    r.backward()
    np.testing.assert_allclose(t.grad, 2.0 + 1.0 + 2 * t.data)


def test_a_list_of_constants_stays_a_constant():
    r = mg.mean([mg.tensor([1.0], constant=True), np.ones(1)])
    assert r.constant
