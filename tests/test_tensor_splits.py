"""np.split and its kin on tensors: a list of pieces, each recorded as a basic-index
view of the tensor (NumPy's pieces are views too), checked against finite differences
on random shapes and split points."""

import numpy as np
import pytest

import autograd_src as mg
from autograd_src.testing import check_grads

SPLITS = {"split": np.split, "array_split": np.array_split, "hsplit": np.hsplit,
          "vsplit": np.vsplit, "dsplit": np.dsplit}


def _case(name, seed):
    rng = np.random.default_rng(seed)
    ndim = {"vsplit": 2, "dsplit": 3}.get(name, 1) + int(rng.integers(0, 2))
    shape = tuple(int(d) for d in rng.integers(1, 6, ndim))
    axis = {"vsplit": 0, "dsplit": 2, "hsplit": 1 if ndim > 1 else 0}.get(
        name, int(rng.integers(-ndim, ndim)))
    size = shape[axis]
    kwargs = {"axis": axis} if name in ("split", "array_split") else {}
    if rng.random() < 0.5 and name != "array_split":
        sections = [d for d in range(1, size + 1) if size % d == 0]
        how = int(rng.choice(sections))
    elif rng.random() < 0.5 and name == "array_split":
        how = int(rng.integers(1, size + 2))
    else:
        how = sorted(int(i) for i in rng.integers(0, size + 1, int(rng.integers(1, 4))))
    return rng.normal(size=shape), how, kwargs


CASES = [(name, seed) for name in SPLITS for seed in range(8)]


@pytest.mark.parametrize("name, seed", CASES)
def test_pieces_are_recorded_views(name, seed):
    x, how, kwargs = _case(name, seed)
    fn = SPLITS[name]
    rng = np.random.default_rng(seed + 100)
    weights = [rng.normal(size=p.shape) for p in fn(x, how, **kwargs)]

    def loss(a):
        return sum(np.sum(w * p * p) for w, p in zip(weights, fn(a, how, **kwargs)))

    for call in (fn, getattr(mg, name)):  # np.<name>(t) and mg.<name>(t)
        t = mg.tensor(x)
        pieces = call(t, how, **kwargs)
        assert isinstance(pieces, list) and len(pieces) == len(weights)
        for piece, expected in zip(pieces, fn(x, how, **kwargs)):
            assert isinstance(piece, mg.Tensor) and piece.base is t
            np.testing.assert_array_equal(piece.data, expected)
        total = mg.sum(mg.stack([mg.sum(w * p * p) for w, p in zip(weights, pieces)]))
        total.backward()
        check_grads(loss, x, df=lambda a, t=t: t.grad)


def _update_through_a_piece(lib, split):
    x = lib.tensor(np.arange(6.0))
    first, second = split(x)
    y = x * 1.0
    second *= 3.0  # NumPy: writes into x's memory
    loss = lib.sum(y * x) + lib.sum(first * first)
    loss.backward()
    return x.data.copy(), x.grad, first.grad


def test_an_update_through_a_piece_reaches_the_tensor_as_in_mygrad():
    ours = _update_through_a_piece(mg, lambda x: np.split(x, 2))
    np.testing.assert_array_equal(ours[0], [0, 1, 2, 9, 12, 15])
    mygrad = pytest.importorskip("mygrad")  # it has no split: its pieces by slicing
    theirs = _update_through_a_piece(mygrad, lambda x: (x[:3], x[3:]))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b)


def test_constant_pieces():
    pieces = mg.split(mg.tensor(np.ones(4)), 2, constant=True)
    assert all(p.constant for p in pieces)


# ----- primitives with several results: each item a tensor of its own -----


def _spd(rng, n):
    a = rng.normal(size=(n, n))
    return a @ a.T + n * np.eye(n)


SEVERAL = {
    "svd reduced": (lambda a: np.linalg.svd(a, full_matrices=False), lambda r: (4, 3)),
    "svd square": (lambda a: np.linalg.svd(a), lambda r: (3, 3)),
    "svd batched": (lambda a: np.linalg.svd(a, full_matrices=False), lambda r: (2, 4, 3)),
    "eigh": (np.linalg.eigh, "spd"),
    "eigh upper": (lambda a: np.linalg.eigh(a, UPLO="U"), "spd"),
    "slogdet": (np.linalg.slogdet, lambda r: (3, 3)),
    "qr": (np.linalg.qr, lambda r: (4, 3)),
    "lstsq": (lambda a: np.linalg.lstsq(a, np.arange(4.0), rcond=None)[:2], lambda r: (4, 3)),
    "gradient 2d": (np.gradient, lambda r: (3, 4)),
    "gradient 3d spacing": (lambda a: np.gradient(a, 0.5, 2.0, axis=(0, 2)),
                            lambda r: (3, 2, 4)),
}


@pytest.mark.parametrize("name", sorted(SEVERAL))
@pytest.mark.parametrize("used", ["all", "first", "last"])
def test_several_results_each_a_tensor(name, used):
    fn, shape = SEVERAL[name]
    rng = np.random.default_rng(len(name) + len(used))
    x = _spd(rng, 3) if shape == "spd" else rng.normal(size=shape(rng))
    results = fn(x)
    chosen = {"all": range(len(results)), "first": [0],
              "last": [len(results) - 1]}[used]
    weights = {i: rng.normal(size=np.shape(results[i])) for i in chosen}

    def loss(a):
        r = fn(a)
        return sum(np.sum(w * r[i]) for i, w in weights.items())

    t = mg.tensor(x)
    items = fn(t)
    assert len(items) == len(results)
    for item, expected in zip(items, results):
        np.testing.assert_allclose(item.data, expected, rtol=1e-12, atol=1e-12)
    total = mg.sum(mg.stack([mg.sum(w * items[i]) for i, w in weights.items()]))
    total.backward()
    if name.startswith("eigh"):  # eigh reads one triangle: perturb that one
        def sym_loss(a):
            if name == "eigh upper":
                return loss(np.triu(a) + np.triu(a, 1).T)
            return loss(np.tril(a) + np.tril(a, -1).T)
        folded = t.grad
        check_grads(sym_loss, x, df=lambda a: folded)
    else:
        check_grads(loss, x, df=lambda a: t.grad)


def test_named_results_and_printed_source():
    x = mg.tensor(np.random.default_rng(3).normal(size=(4, 3)))
    r = np.linalg.svd(x * 1.0, full_matrices=False)
    assert type(r).__name__ == "SVDResult" and r.S is r[1]
    loss = mg.sum(r.S ** 2) + mg.sum(r.U[:, 0])
    source = loss.backward_source()
    assert "np.linalg.svd" in source
    # The printed derivative, run, gives what backward gives.
    namespace = {"np": np, "_ad": __import__("autograd_src.rules.runtime",
                                               fromlist=["runtime"])}
    exec(compile(source, "<printed>", "exec"), namespace)
    printed = next(v for k, v in namespace.items() if k.startswith("drecorded"))(x.data)
    loss.backward()
    np.testing.assert_allclose(printed, x.grad, rtol=1e-10)


def test_several_results_lock_the_arrays_they_hold():
    # lstsq's rule reads b: writing into it while the graph lives would change the
    # gradient silently, so it is read-only until backward (as apply locks operands).
    a, b = np.random.default_rng(4).normal(size=(4, 3)), np.arange(4.0)
    t = mg.tensor(a)
    solution = np.linalg.lstsq(t, b, rcond=None)[0]
    with pytest.raises(ValueError, match="read-only"):
        b[0] = 5.0
    mg.sum(solution).backward()
    b[0] = 5.0
    assert b[0] == 5.0
