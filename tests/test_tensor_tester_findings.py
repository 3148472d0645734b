"""Tensor API results that were silently wrong (an independent tester, against MyGrad
2.5): a tensor added into a NumPy array or written through ``out=`` lost its gradient,
``flatten()`` returned a view (a write into it changed the tensor), and ``sigmoid``'s
gradient was nan below x = -709."""

import numpy as np
import pytest

import autograd_src as mg
from autograd_src.tensors.errors import GradientDropped, InvalidBackprop


def test_a_tensor_added_into_a_numpy_array_carries_its_gradient():
    w = mg.tensor([1.0, 2.0, 3.0])
    acc = np.zeros(3)
    acc += w * 2  # acc is rebound to the result, a tensor (the array was: gradient lost)
    mg.sum(acc * w).backward()
    np.testing.assert_allclose(w.grad, [4.0, 8.0, 12.0])


def test_out_into_a_numpy_array_writes_the_values_and_returns_a_tensor():
    t = mg.tensor([0.0, 1.0, 2.0])
    buf = np.empty(3)
    y = np.exp(t, out=buf)  # as MyGrad: y a tensor (it was buf: t.grad None)
    np.testing.assert_allclose(buf, np.exp([0.0, 1.0, 2.0]))
    mg.sum(y).backward()
    np.testing.assert_allclose(t.grad, np.exp([0.0, 1.0, 2.0]))
    masked = np.full(3, -1.0)
    z = np.exp(t, out=masked, where=[False, True, True])
    np.testing.assert_allclose(masked, [-1.0, np.e, np.exp(2.0)])
    mg.sum(z).backward()
    np.testing.assert_allclose(t.grad, [0.0, np.e, np.exp(2.0)])
    with pytest.raises(GradientDropped):
        np.copyto(np.empty(3), t)
    with mg.no_autodiff:  # values alone: allowed
        buf = np.empty(3)
        np.exp(t, out=buf)
    np.testing.assert_allclose(buf, np.exp([0.0, 1.0, 2.0]))


def test_flatten_is_a_copy():
    x = mg.tensor([[1.0, 2.0], [3.0, 4.0]])
    y = x * 1.0
    f = y.flatten()
    f[0] = 100.0
    loss = mg.sum(y ** 2)
    loss.backward()
    np.testing.assert_array_equal(y.data, [[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(x.grad, [[2.0, 4.0], [6.0, 8.0]])


def test_sigmoid_far_below_zero_has_a_finite_gradient():
    x = mg.tensor([-800.0, -708.0, 0.0, 30.0])
    s = mg.nnet.sigmoid(x)
    mg.sum(s).backward()
    assert np.all(np.isfinite(x.grad))
    expected = np.exp(-np.logaddexp(0.0, -x.data))
    np.testing.assert_allclose(s.data, expected, rtol=1e-12)
    e = np.exp(-np.abs(x.data))  # sigmoid' is even: e / (1 + e)^2, no cancellation
    np.testing.assert_allclose(x.grad, e / (1 + e) ** 2, rtol=1e-12)


def test_keywords_without_a_rule_are_refused_at_the_call():
    # they failed only in backward() (after the forward value), which then cleared the
    # graph: a second backward() "succeeded" with every grad None
    t = mg.tensor([1.0, 2.0])
    for call in (lambda: np.sum(t, dtype=np.float32), lambda: np.mean(t, where=[True, False]),
                 lambda: np.cumsum(t, dtype=float)):
        with pytest.raises(TypeError, match="has no derivative rule here"):
            call()
    a, b = mg.tensor(np.eye(2)), mg.tensor([[1.0, 2.0], [3.0, 4.0]])
    out = mg.einsum("ij,jk->ik", a, b, optimize=True)  # only the order of products
    mg.sum(out).backward()
    np.testing.assert_allclose(a.grad, np.ones((2, 2)) @ b.data.T)


def test_indices_masks_and_labels_are_read_as_they_were_when_recorded():
    """A minibatch loop refilling one label (or index, or mask) buffer before a single
    backward(): the operations read the buffer's last contents (a second tester)."""
    scores = mg.tensor([[2.0, 0.0, -1.0], [0.5, 1.0, 3.0], [1.0, 1.0, 0.0]])
    y = np.array([0, 2, 1])
    labels = np.empty(1, dtype=int)
    loss = 0
    for i in range(3):
        labels[:] = y[i:i + 1]
        loss = loss + mg.nnet.softmax_crossentropy(scores[i:i + 1], labels)
    loss.backward()
    s = scores.data
    p = np.exp(s - s.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(scores.grad, p - np.eye(3)[y])

    x = mg.tensor([1.0, 2.0, 3.0])
    idx, mask, counts = np.empty(2, dtype=int), np.empty(3, dtype=bool), np.empty(3, int)
    loss = 0
    for b, m, c in (([0, 1], [True, False, False], [1, 2, 0]),
                    ([2, 2], [False, True, True], [0, 0, 3])):
        idx[:], mask[:], counts[:] = b, m, c
        loss = loss + (x[idx] ** 2).sum() + (x[mask] * 10).sum() + mg.repeat(x, counts).sum()
    loss.backward()
    np.testing.assert_allclose(x.grad, [2 + 10 + 1, 4 + 10 + 2, 12 + 10 + 3])


def test_a_view_of_a_leaf_made_before_a_backward_still_reaches_it():
    """y = x[1:] recorded before a backward(), then a write through y: the next backward
    raised InvalidBackprop (y's record read x from before the clear). A view is made
    again from its base's value when written through."""
    x = mg.tensor([1.0, 2.0, 3.0])
    y = x[1:]
    (x * 1).sum().backward()
    y[0] = 100.0
    (x * x).sum().backward()
    np.testing.assert_allclose(x.data, [1.0, 100.0, 3.0])
    np.testing.assert_allclose(x.grad, [2.0, 200.0, 6.0])
    w = 2 * mg.tensor([1.0, 2.0])  # a computed tensor: its graph is gone, refused
    v = w * 3
    (w * 1).sum().backward()
    with pytest.raises(InvalidBackprop):
        v.sum().backward()


@pytest.mark.parametrize("shape, axis", [((0,), None), ((2, 0), 1), ((2, 0), 0)])
def test_reductions_of_empty_arrays_have_empty_gradients(shape, axis):
    """prod of no entries raised IndexError in backward(), var/std ZeroDivisionError;
    MyGrad gives an empty gradient (second tester)."""
    for reduce in (mg.prod, mg.var, mg.std, mg.sum):
        t = mg.tensor(np.zeros(shape))
        with np.errstate(all="ignore"):
            reduce(t, axis=axis).sum().backward()
        assert t.grad.shape == shape
    assert mg_grad_of_prod(shape, axis).shape == shape


def mg_grad_of_prod(shape, axis):
    from autograd_src import grad

    def f(x):
        return np.sum(np.prod(x, axis=axis))
    return grad(f)(np.zeros(shape))


def test_mygrads_names_for_numpys_constants_and_dtypes():
    x = mg.tensor([1.0, 2.0], dtype=mg.float32)
    assert x.dtype == np.float32 and x[mg.newaxis].shape == (1, 2)
    assert (mg.pi, mg.e, mg.inf) == (np.pi, np.e, np.inf) and np.isnan(mg.nan)


# ----- tester R (session 13), against MyGrad 2.5 -----


@pytest.mark.parametrize("make", [mg.atleast_1d, mg.atleast_2d, np.atleast_2d, mg.real])
def test_atleast_of_enough_dimensions_is_the_tensor_itself(make):
    """NumPy and MyGrad return the operand itself; a copy lost writes through it
    (y stayed [[1, 2], [3, 4]], x.grad [[2, 4], [6, 8]])."""
    x = mg.tensor([[1.0, 2.0], [3.0, 4.0]])
    y = x * 1.0
    v = make(y)
    assert v is y
    v[0] = 0.0
    (y ** 2).sum().backward()
    np.testing.assert_allclose(y.data, [[0.0, 0.0], [3.0, 4.0]])
    np.testing.assert_allclose(x.grad, [[0.0, 0.0], [6.0, 8.0]])


@pytest.mark.parametrize("spec, a_shape, b_shape", [
    ("ij,j->i", (3, 1), (4,)), ("ij,ij->", (1, 4), (3, 4)),
    ("...j,...j->...", (3, 1), (2, 3, 4)), ("ij,kj->ik", (1, 1), (2, 5))])
def test_einsum_where_an_axis_of_length_one_broadcasts(spec, a_shape, b_shape):
    """b's gradient had a's length along the broadcast axis ((1,) for (4,)): a crash in
    the Tensor API, and under grad a gradient of the wrong shape, silently."""
    from autograd_src import grad
    from autograd_src.testing import numerical_grad
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=a_shape), rng.normal(size=b_shape)
    ta, tb = mg.tensor(a), mg.tensor(b)
    mg.sum(mg.sin(mg.einsum(spec, ta, tb))).backward()

    def f(a, b):
        return np.sum(np.sin(np.einsum(spec, a, b)))

    for k, (t, got) in enumerate(zip((ta, tb), grad(f, wrt=(0, 1))(a, b))):
        expected = numerical_grad(f, (a, b), k)
        np.testing.assert_allclose(t.grad, expected, rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-9)


def test_assigning_a_value_with_extra_leading_axes_of_length_one():
    w = mg.tensor([[2.0]])
    y = mg.tensor(np.ones((3, 4))) * 1.0
    y[0] = w  # NumPy drops w's leading axes
    (y * y).sum().backward()
    np.testing.assert_allclose(w.grad, [[16.0]])


@pytest.mark.parametrize("name", ["max", "min", "amax", "amin", "cumsum", "cumprod", "prod"])
@pytest.mark.parametrize("axis", [0, -1])
def test_a_0d_tensor_reduced_along_axis_0(name, axis):
    """NumPy takes axis 0 (or -1) of a 0-d array; the gradients crashed (a broadcast of a
    non-scalar, an integer modulo by zero)."""
    x = mg.tensor(2.0)
    mg.sum(getattr(mg, name)(x, axis=axis)).backward()
    np.testing.assert_allclose(x.grad, 1.0)


def test_an_in_place_update_of_an_empty_region():
    x = mg.tensor(np.ones((1, 4)))
    y = x * 1.0
    y[1:] += 1.0  # no row 1: nothing changes (it raised, sending the user to the base)
    v = y[:, 4:]
    v *= 2.0
    (y * y).sum().backward()
    np.testing.assert_allclose(x.grad, 2 * np.ones((1, 4)))


def test_initial_of_a_reduction_is_followed():
    # (refused before session 37, when the rules took no initial=: a constant, which
    # takes no gradient, and where it is the extreme no entry gets any)
    t = mg.tensor([1.0, 2.0])
    np.max(t, initial=5.0).backward()
    np.testing.assert_allclose(t.grad, [0.0, 0.0])
    t = mg.tensor([1.0, 2.0])
    np.sum(t, initial=5.0).backward()
    np.testing.assert_allclose(t.grad, [1.0, 1.0])
