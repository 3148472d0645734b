"""mg.nnet's layers (dense, conv_nd, max_pool, batchnorm, gru) against MyGrad 2.5 and
finite differences, on shapes, strides, paddings and dilations drawn at random.

MyGrad's gru needs numba; where it cannot be imported, the GRU is checked against a
NumPy transcription of MyGrad's forward pass (`_gru_reference`) and finite differences.
"""

from __future__ import annotations

import numpy as np
import pytest

import autograd_src as mg
from autograd_src.testing import check_grads

try:
    import mygrad
except ImportError:  # pragma: no cover - MyGrad is in the test extra
    mygrad = None

needs_mygrad = pytest.mark.skipif(mygrad is None, reason="mygrad is not installed")
SEEDS = range(12)


def _backward(fn, *arrays, seed):
    """Values and gradients of ``sum(seed * fn(*tensors))`` in the Tensor engine."""
    tensors = [mg.tensor(a) for a in arrays]
    out = fn(*tensors)
    out.backward(seed)
    return out.data, [t.grad for t in tensors]


def _check_fd(fn, *arrays, seed):
    """The Tensor engine's gradients of ``sum(seed * fn(...))`` against finite differences."""
    def plain(*values):
        with mg.no_autodiff:
            return np.sum(seed * fn(*[mg.tensor(v, constant=True) for v in values]).data)

    check_grads(plain, *arrays, wrt=tuple(range(len(arrays))),
                df=lambda *values: tuple(_backward(fn, *values, seed=seed)[1]))


def _conv_case(rng):
    n = int(rng.integers(1, 4))  # convolved axes
    stride = tuple(int(s) for s in rng.integers(1, 3, n))
    dilation = tuple(int(d) for d in rng.integers(1, 3, n))
    padding = tuple(int(p) for p in rng.integers(0, 2, n))
    window = tuple(int(w) for w in rng.integers(1, 4 if n < 3 else 3, n))
    grid = tuple(int(g) for g in rng.integers(1, 4 if n < 3 else 3, n))
    # X + 2p = (W - 1) d + 1 + (G - 1) s, and X >= 1
    space = tuple(max(1, (w - 1) * d + 1 + (g - 1) * s - 2 * p)
                  for w, d, g, s, p in zip(window, dilation, grid, stride, padding))
    N, C, F = (int(v) for v in rng.integers(1, 4, 3))
    x = rng.normal(size=(N, C) + space)
    w = rng.normal(size=(F, C) + window)
    kwargs = dict(stride=stride[0] if len(set(stride)) == 1 else stride,
                  padding=padding, dilation=dilation)
    return x, w, kwargs


def _compatible(x, w, kwargs):
    n = x.ndim - 2
    for axis in range(n):
        s = kwargs["stride"] if isinstance(kwargs["stride"], int) else kwargs["stride"][axis]
        span = x.shape[2 + axis] + 2 * kwargs["padding"][axis] - \
            ((w.shape[2 + axis] - 1) * kwargs["dilation"][axis] + 1)
        if span < 0 or span % s:
            return False
    return True


def _mygrad_takes(x, w, kwargs):
    """MyGrad's sliding_window_view wants ``W * d`` to fit in the padded axis (one
    more than the dilated window spans): it refuses the placements that fit exactly."""
    return all(w.shape[2 + i] * kwargs["dilation"][i] <= x.shape[2 + i] + 2 * kwargs["padding"][i]
               for i in range(x.ndim - 2))


def _conv_cases(count, seed, for_mygrad=False):
    rng = np.random.default_rng(seed)
    cases = []
    while len(cases) < count:
        case = _conv_case(rng)
        if _compatible(*case) and (not for_mygrad or _mygrad_takes(*case)):
            cases.append(case)
    return cases


@needs_mygrad
@pytest.mark.parametrize("case", _conv_cases(24, 101, for_mygrad=True),
                         ids=lambda c: str(c[0].shape))
def test_conv_nd_matches_mygrad(case):
    x, w, kwargs = case
    rng = np.random.default_rng(x.size)
    mine = mg.nnet.conv_nd(mg.tensor(x), mg.tensor(w), **kwargs)
    seed = rng.normal(size=mine.shape)
    value, (dx, dw) = _backward(lambda a, b: mg.nnet.conv_nd(a, b, **kwargs), x, w, seed=seed)
    X, W = mygrad.tensor(x), mygrad.tensor(w)
    theirs = mygrad.nnet.conv_nd(X, W, **kwargs)
    theirs.backward(seed)
    np.testing.assert_allclose(value, theirs.data, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dx, X.grad, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dw, W.grad, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", _conv_cases(12, 202), ids=lambda c: str(c[0].shape))
def test_conv_nd_finite_differences(case):
    x, w, kwargs = case
    seed = np.random.default_rng(x.size).normal(
        size=mg.nnet.conv_nd(mg.tensor(x), mg.tensor(w), **kwargs).shape)
    _check_fd(lambda a, b: mg.nnet.conv_nd(a, b, **kwargs), x, w, seed=seed)


def test_conv_nd_refuses_what_mygrad_refuses():
    x, w = np.ones((1, 2, 5, 5)), np.ones((3, 2, 2, 2))
    with pytest.raises(ValueError, match="incompatible"):
        mg.nnet.conv_nd(x, w, stride=2)
    with pytest.raises(ValueError, match="channel-depth"):
        mg.nnet.conv_nd(x, np.ones((3, 1, 2, 2)), stride=1)
    out = mg.nnet.conv_nd(mg.tensor(x), w, stride=1, constant=True)
    assert out.constant and out.shape == (1, 3, 4, 4)


def _pool_cases(count, seed, ties):
    rng = np.random.default_rng(seed)
    cases = []
    while len(cases) < count:
        n = int(rng.integers(1, 4))
        lead = tuple(int(v) for v in rng.integers(1, 4, int(rng.integers(0, 3))))
        pool = tuple(int(p) for p in rng.integers(1, 4, n))
        stride = tuple(int(s) for s in rng.integers(1, 3, n))
        grid = tuple(int(g) for g in rng.integers(1, 4, n))
        space = tuple(p + (g - 1) * s for p, g, s in zip(pool, grid, stride))
        shape = lead + space
        x = rng.integers(-2, 3, shape).astype(float) if ties else rng.normal(size=shape)
        cases.append((x, pool, stride if len(set(stride)) > 1 else stride[0]))
    return cases


@needs_mygrad
@pytest.mark.parametrize("case", _pool_cases(16, 303, ties=False),
                         ids=lambda c: f"{c[0].shape}-{c[1]}")
def test_max_pool_matches_mygrad(case):
    x, pool, stride = case
    rng = np.random.default_rng(x.size)
    mine = mg.nnet.max_pool(mg.tensor(x), pool, stride)
    seed = rng.normal(size=mine.shape)
    value, (dx,) = _backward(lambda a: mg.nnet.max_pool(a, pool, stride), x, seed=seed)
    X = mygrad.tensor(x)
    theirs = mygrad.nnet.max_pool(X, pool, stride)
    theirs.backward(seed)
    np.testing.assert_array_equal(value, theirs.data)
    np.testing.assert_allclose(dx, X.grad, rtol=1e-12, atol=1e-12)


def _windows_max(x, pool, stride):
    """max_pool written by hand: the max of each window, by slicing."""
    n = len(pool)
    stride = (stride,) * n if isinstance(stride, int) else stride
    space = x.shape[x.ndim - n:]
    grid = [(c - p) // s + 1 for c, p, s in zip(space, pool, stride)]
    out = np.empty(x.shape[:x.ndim - n] + tuple(grid))
    for g in np.ndindex(*grid):
        window = tuple(slice(i * s, i * s + p) for i, s, p in zip(g, stride, pool))
        out[(..., *g)] = x[(..., *window)].reshape(x.shape[:x.ndim - n] + (-1,)).max(-1)
    return out


@pytest.mark.parametrize("case", _pool_cases(16, 306, ties=True),
                         ids=lambda c: f"{c[0].shape}-{c[1]}")
def test_max_pool_ties_share_the_gradient_as_mg_max(case):
    # Integer-valued data: most windows hold tied maxima. Each of a window's tied
    # maxima gets an equal share of its gradient (mg.max's convention; MyGrad gives
    # it all to the first), and an entry in several windows sums its shares.
    x, pool, stride = case
    seed = np.random.default_rng(x.size).normal(
        size=mg.nnet.max_pool(mg.tensor(x), pool, stride).shape)
    value, (dx,) = _backward(lambda a: mg.nnet.max_pool(a, pool, stride), x, seed=seed)
    np.testing.assert_array_equal(value, _windows_max(x, pool, stride))
    n = len(pool)
    strides = (stride,) * n if isinstance(stride, int) else stride
    expected = np.zeros_like(x)
    for g in np.ndindex(*seed.shape[seed.ndim - n:]):
        window = (..., *(slice(i * s, i * s + p) for i, s, p in zip(g, strides, pool)))
        block = x[window]
        top = block == value[(..., *g)].reshape(value.shape[:value.ndim - n] + (1,) * n)
        share = seed[(..., *g)].reshape(top.shape[:top.ndim - n] + (1,) * n) / \
            top.sum(axis=tuple(range(top.ndim - n, top.ndim)), keepdims=True)
        expected[window] += np.where(top, share, 0.0)
    np.testing.assert_allclose(dx, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", _pool_cases(8, 305, ties=False),
                         ids=lambda c: f"{c[0].shape}-{c[1]}")
def test_max_pool_finite_differences(case):
    x, pool, stride = case
    seed = np.random.default_rng(x.size).normal(
        size=mg.nnet.max_pool(mg.tensor(x), pool, stride).shape)
    _check_fd(lambda a: mg.nnet.max_pool(a, pool, stride), x, seed=seed)


def test_max_pool_refuses_incompatible_strides():
    with pytest.raises(ValueError, match="incompatible"):
        mg.nnet.max_pool(np.ones((4, 5)), (2, 2), 2)


def _norm_case(seed):
    rng = np.random.default_rng(seed)
    shape = tuple(int(v) for v in rng.integers(2, 5, int(rng.integers(2, 5))))
    x = rng.normal(size=shape) * rng.uniform(0.5, 3) + rng.normal()
    gamma = rng.normal(size=shape[1]) if seed % 3 else None
    beta = rng.normal(size=shape[1]) if seed % 4 else None
    return x, gamma, beta, float(rng.choice([0.0, 1e-5, 0.1]))


def _batchnorm_call(gamma_given, beta_given, eps):
    def call(x, *rest):
        rest = list(rest)
        gamma = rest.pop(0) if gamma_given else None
        beta = rest.pop(0) if beta_given else None
        return mg.nnet.batchnorm(x, gamma=gamma, beta=beta, eps=eps)
    return call


@needs_mygrad
@pytest.mark.parametrize("seed", SEEDS)
def test_batchnorm_matches_mygrad(seed):
    x, gamma, beta, eps = _norm_case(seed)
    arrays = [a for a in (x, gamma, beta) if a is not None]
    call = _batchnorm_call(gamma is not None, beta is not None, eps)
    out_seed = np.random.default_rng(seed).normal(size=x.shape)
    value, grads = _backward(call, *arrays, seed=out_seed)
    theirs_in = [mygrad.tensor(a) for a in arrays]
    rest = list(theirs_in[1:])
    theirs = mygrad.nnet.batchnorm(
        theirs_in[0], gamma=rest.pop(0) if gamma is not None else None,
        beta=rest.pop(0) if beta is not None else None, eps=eps)
    theirs.backward(out_seed)
    np.testing.assert_allclose(value, theirs.data, rtol=1e-10, atol=1e-10)
    for mine, their in zip(grads, theirs_in):
        np.testing.assert_allclose(mine, their.grad, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
def test_batchnorm_finite_differences(seed):
    x, gamma, beta, eps = _norm_case(seed)
    arrays = [a for a in (x, gamma, beta) if a is not None]
    out_seed = np.random.default_rng(seed).normal(size=x.shape)
    _check_fd(_batchnorm_call(gamma is not None, beta is not None, max(eps, 1e-3)),
              *arrays, seed=out_seed)


@pytest.mark.parametrize("seed", SEEDS[:6])
def test_dense(seed):
    rng = np.random.default_rng(seed)
    lead = tuple(int(v) for v in rng.integers(1, 4, int(rng.integers(1, 3))))
    D, M = (int(v) for v in rng.integers(1, 5, 2))
    x, w, b = rng.normal(size=lead + (D,)), rng.normal(size=(D, M)), rng.normal(size=M)
    out_seed = rng.normal(size=lead + (M,))
    value, _ = _backward(mg.nnet.dense, x, w, b, seed=out_seed)
    np.testing.assert_allclose(value, x @ w + b)
    _check_fd(mg.nnet.dense, x, w, b, seed=out_seed)
    _check_fd(lambda a, v: mg.nnet.dense(a, v), x, w, seed=out_seed)


# ----- GRU -----


def _sig(v):
    return 1 / (1 + np.exp(-v))


def _gru_reference(X, Uz, Wz, bz, Ur, Wr, br, Uh, Wh, bh, s0=None, drops=None):
    """MyGrad's forward pass (``_gru_layer``), in NumPy."""
    T, N, _ = X.shape
    D = bz.shape[0]
    s = np.zeros((T + 1, N, D))
    if s0 is not None:
        s[0] = s0
    z, r, h = (np.tensordot(X, U, [[-1], [0]]) for U in (Uz, Ur, Uh))
    if drops is not None:
        (dUz, dUr, dUh), (dWz, dWr, dWh) = drops
        z, r, h = z * dUz, r * dUr, h * dUh
        Wz, Wr, Wh = Wz * dWz, Wr * dWr, Wh * dWh
    z, r, h = z + bz, r + br, h + bh
    for n in range(T):
        zn = _sig(z[n] + s[n] @ Wz)
        rn = _sig(r[n] + s[n] @ Wr)
        hn = np.tanh(h[n] + (rn * s[n]) @ Wh)
        s[n + 1] = (1 - zn) * hn + zn * s[n]
    return s


def _gru_case(seed):
    rng = np.random.default_rng(seed)
    T, N, C, D = (int(v) for v in rng.integers(1, 5, 4))
    arrays = [rng.normal(size=(T, N, C))]
    for _ in range(3):
        arrays += [rng.normal(size=(C, D)) * 0.7, rng.normal(size=(D, D)) * 0.7,
                   rng.normal(size=D) * 0.3]
    s0 = rng.normal(size=(N, D)) if seed % 2 else None
    return arrays, s0


@pytest.mark.parametrize("seed", SEEDS)
def test_gru_forward_is_mygrads(seed):
    arrays, s0 = _gru_case(seed)
    out = mg.nnet.gru(*[mg.tensor(a) for a in arrays], s0=s0)
    assert out.shape == (arrays[0].shape[0] + 1,) + (arrays[0].shape[1], arrays[3].shape[0])
    np.testing.assert_allclose(out.data, _gru_reference(*arrays, s0=s0), rtol=1e-12,
                               atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_gru_finite_differences(seed):
    arrays, s0 = _gru_case(seed)
    out_seed = np.random.default_rng(seed).normal(
        size=(arrays[0].shape[0] + 1, arrays[0].shape[1], arrays[3].shape[0]))
    if s0 is None:
        _check_fd(lambda *t: mg.nnet.gru(*t), *arrays, seed=out_seed)
    else:  # s0 a variable too: it gets its gradient (MyGrad refuses one)
        _check_fd(lambda *t: mg.nnet.gru(*t[:-1], s0=t[-1]), *arrays, s0, seed=out_seed)


@pytest.mark.parametrize("seed", SEEDS[:4])
def test_gru_dropout_draws_mygrads_masks(seed):
    arrays, s0 = _gru_case(seed)
    T, N, _ = arrays[0].shape
    D = arrays[3].shape[0]
    np.random.seed(seed)
    p = 1 - 0.3
    drops = (np.random.binomial(1, p, size=(3, 1, N, D)) / p,
             np.random.binomial(1, p, size=(3, D, D)) / p)
    np.random.seed(seed)
    out = mg.nnet.gru(*[mg.tensor(a) for a in arrays], s0=s0, dropout=0.3)
    np.testing.assert_allclose(out.data, _gru_reference(*arrays, s0=s0, drops=drops),
                               rtol=1e-12, atol=1e-12)
    out_seed = np.random.default_rng(seed).normal(size=out.shape)

    def dropped(*t):
        np.random.seed(seed)  # the same masks at every evaluation
        return mg.nnet.gru(*t, s0=s0, dropout=0.3)
    _check_fd(dropped, *arrays, seed=out_seed)


def _their_gru():
    try:
        from mygrad.nnet.layers.gru import gru
    except ImportError:
        return None
    return gru


@needs_mygrad
@pytest.mark.parametrize("seed", SEEDS[:6])
@pytest.mark.parametrize("dropout", [0.0, 0.4])
def test_gru_matches_mygrad_where_it_imports(seed, dropout):
    their_gru = _their_gru()
    if their_gru is None:
        pytest.skip("MyGrad's gru needs numba, which is not installed")
    arrays, s0 = _gru_case(seed)  # s0 an array: MyGrad refuses a variable one
    mine = [mg.tensor(a) for a in arrays]
    theirs = [mygrad.tensor(a) for a in arrays]
    np.random.seed(seed)
    out = mg.nnet.gru(*mine, s0=s0, dropout=dropout)
    np.random.seed(seed)  # the same masks, drawn in MyGrad's order
    ref = their_gru(*theirs, s0=s0, dropout=dropout)
    out_seed = np.random.default_rng(seed).normal(size=out.shape)
    out.backward(out_seed)
    ref.backward(out_seed)
    np.testing.assert_allclose(out.data, ref.data, rtol=1e-10, atol=1e-12)
    for a, b in zip(mine, theirs):
        np.testing.assert_allclose(a.grad, b.grad, rtol=1e-8, atol=1e-10)


def test_gru_refuses_truncated_backpropagation():
    arrays, _ = _gru_case(5)
    arrays[0] = np.random.default_rng(0).normal(size=(4,) + arrays[0].shape[1:])
    with pytest.raises(NotImplementedError, match="bp_lim"):
        mg.nnet.gru(*arrays, bp_lim=1)
    assert mg.nnet.gru(*arrays, bp_lim=3).shape[0] == 5  # T - 1: nothing truncated
    with pytest.raises(ValueError):
        mg.nnet.gru(*arrays, dropout=1.0)


def test_layers_are_reachable_as_in_mygrad():
    for name in ["dense", "conv_nd", "max_pool", "batchnorm", "gru"]:
        assert getattr(mg.nnet, name) is getattr(mg.nnet.layers, name)


def test_mygrads_import_paths():
    from autograd_src.nnet import relu
    from autograd_src.nnet.activations import sigmoid
    from autograd_src.nnet.initializers import glorot_normal
    from autograd_src.nnet.layers import batchnorm, conv_nd, gru, max_pool
    from autograd_src.nnet.losses import softmax_crossentropy
    assert conv_nd is mg.nnet.conv_nd and gru is mg.nnet.gru and relu is mg.nnet.relu
    assert (batchnorm, max_pool, sigmoid, glorot_normal, softmax_crossentropy) == (
        mg.nnet.batchnorm, mg.nnet.max_pool, mg.nnet.sigmoid, mg.nnet.glorot_normal,
        mg.nnet.softmax_crossentropy)
