"""Second derivatives with respect to a list, tuple or dict of parameters: `hvp`,
`hessian`-style rows and ``grad(grad(f))`` (seeded and with its default seed of ones),
each against central differences of the first-order gradient (which is checked
against differences elsewhere).

These are the smallest forms of a bug an independent tester found: the code second
order differentiated was grad's general code, generated without knowing that ``ws`` is
a list, where adding two adjoints of a slice (``dws[1:] += dtail``) or of an item of a
list of pairs concatenates lists instead of adding them item by item: hvp returned
three numbers for a list of two, and grad(grad(f)) silently wrong values.
"""

import collections

import numpy as np
import pytest

from autograd_src import grad, hvp, jvp

from .forward_checks import leaves, shifted, tangent_like


def slice_then_item(ws):
    tail = ws[1:]
    return ws[0] * tail[0] ** 2


def neighbours(ws):
    s = 0.0
    for a, b in zip(ws, ws[1:]):
        s = s + a * b * b
    return s


def mlp(ps, x):
    h = x
    for W, b in ps[:-1]:
        h = np.tanh(h @ W + b)
    W, b = ps[-1]
    return np.sum((h @ W + b) ** 2)


def mean_and_loop(ps):
    m = sum(ps)
    s = 0.0
    for p in ps:
        s = s + np.sum((p - m) ** 2 * p)
    return s


def pairs_by_index(ps):
    s = 0.0
    for i in range(len(ps)):
        W, b = ps[i]
        s = s + np.sum(np.sin(W) * b) + np.sum(W ** 3)
    return s


def dict_params(p):
    total = np.sum(p["w"] ** 2 * p["b"])
    for k in p:
        total = total + np.sum(np.cos(p[k]))
    return total


Pair = collections.namedtuple("Pair", "w b")


def named_pair(p):
    return np.sum(p.w ** 2 * p.b) + np.sum(p.b ** 3)


def tuple_tail(ws):
    first, *rest = ws
    return first * sum(r * r for r in rest)


def repeated_dot(ws):
    c = ws * 2
    return np.dot(c, c) * np.sum(np.sin(ws))


def scaled_in_an_index_loop(params):
    params = list(params)
    for i in range(len(params)):
        W, b = params[i]
        params[i] = (W * 2.0, b)
    s = 0.0
    for W, b in params:
        s = s + np.sum(W ** 3) + np.sum(np.tanh(b) * W)
    return s


def _pairs(rng, sizes):
    return [(rng.normal(size=(m, n)) * 0.5, rng.normal(size=n) * 0.5)
            for m, n in zip(sizes[:-1], sizes[1:])]


RNG = np.random.default_rng(3)
CASES = [
    (slice_then_item, lambda r: ([2.0, 3.0],)),
    (slice_then_item, lambda r: ([2.0, 3.0, -1.0],)),
    (neighbours, lambda r: ([1.0, 2.0, 3.0, 0.5],)),
    (neighbours, lambda r: ([r.normal(size=2) for _ in range(3)],)),
    (mlp, lambda r: (_pairs(r, [3, 4, 2]), r.normal(size=(5, 3)))),
    (mlp, lambda r: (_pairs(r, [3, 4, 4, 2]), r.normal(size=(5, 3)))),
    (mean_and_loop, lambda r: ([r.normal(size=3) for _ in range(3)],)),
    (pairs_by_index, lambda r: (_pairs(r, [2, 3, 2]),)),
    (dict_params, lambda r: ({"w": r.normal(size=3), "b": r.normal(size=3)},)),
    (named_pair, lambda r: (Pair(r.normal(size=2), r.normal(size=2)),)),
    (tuple_tail, lambda r: ((0.5, 1.5, -2.0),)),
    (repeated_dot, lambda r: ([0.3, -1.2, 0.8],)),
    (scaled_in_an_index_loop, lambda r: (_pairs(r, [2, 3, 3]),)),
]


def _fd_hvp(f, args, v, eps=1e-6):
    df = grad(f)
    plus = df(shifted(args[0], v, eps), *args[1:])
    minus = df(shifted(args[0], v, -eps), *args[1:])
    return [(np.asarray(p) - np.asarray(m)) / (2 * eps)
            for p, m in zip(leaves(plus), leaves(minus))]


def _assert_tree_close(got, want_leaves, like):
    got_leaves = leaves(got)
    assert len(got_leaves) == len(leaves(like)), (got, like)
    for g, w in zip(got_leaves, want_leaves):
        np.testing.assert_allclose(np.asarray(g, dtype=float), w, rtol=1e-5, atol=1e-6)


def _ones(value):
    return _map(value, lambda x: 1.0 if type(x) is float else np.ones_like(x))


def _map(value, leaf):
    if isinstance(value, dict):
        return {k: _map(v, leaf) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        items = [_map(v, leaf) for v in value]
        if isinstance(value, list):
            return items
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    return leaf(value)


@pytest.mark.parametrize("k", range(len(CASES)))
def test_hvp_of_a_container(k):
    f, make = CASES[k]
    args = make(np.random.default_rng(k))
    v = tangent_like(args[0], np.random.default_rng(100 + k))
    got = hvp(f)(*args, v)
    _assert_tree_close(got, _fd_hvp(f, args, v), args[0])


@pytest.mark.parametrize("k", range(len(CASES)))
def test_grad_of_grad_of_a_container(k):
    f, make = CASES[k]
    args = make(np.random.default_rng(k))
    v = tangent_like(args[0], np.random.default_rng(200 + k))
    outer = grad(grad(f))
    _assert_tree_close(outer(*args, dout_2=v), _fd_hvp(f, args, v), args[0])
    # the default seed is ones: H @ 1
    _assert_tree_close(outer(*args), _fd_hvp(f, args, _ones(args[0])), args[0])


@pytest.mark.parametrize("k", range(len(CASES)))
def test_second_order_keeps_the_structure(k):
    f, make = CASES[k]
    args = make(np.random.default_rng(k))
    v = tangent_like(args[0], np.random.default_rng(300 + k))
    got = hvp(f)(*args, v)
    assert type(got) is type(args[0])
    if isinstance(args[0], (list, tuple)):
        assert len(got) == len(args[0])


def appended_before_it_carries_gradient(x):
    a = 1.0
    vals = []
    for _ in range(3):
        vals.append(a * 2.0)  # a carries no gradient on the loop's first pass
        a = a * x
    return sum(vals) * np.sum(x)


@pytest.mark.parametrize("x", [0.7, np.array([0.7, -0.3])])
def test_a_list_appended_before_it_carries_gradient(x):
    # Forward mode read the gradient's vals = _ad.appended(vals, v) as vals + [v], and
    # its first pass over the loop (vals not differentiated yet) forgot vals was a
    # list: + became NumPy's addition, [] + [v] an empty array (a crash; with one item
    # already in the list it would have been a wrong sum).
    v = np.ones_like(x) if isinstance(x, np.ndarray) else 1.0
    got = hvp(appended_before_it_carries_gradient)(x, v)
    expected = _fd_hvp(appended_before_it_carries_gradient, (x,), v)[0]
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(grad(grad(appended_before_it_carries_gradient))(x), got,
                               rtol=1e-10)


@pytest.mark.parametrize("k", range(len(CASES)))
def test_jvp_of_grad_of_a_container(k):
    # jvp(grad(f)) differentiated grad's general code: list gradients came back joined
    # (six numbers for three), dicts failed to add; now the call's container variant
    f, make = CASES[k]
    args = make(np.random.default_rng(k))
    v = tangent_like(args[0], np.random.default_rng(400 + k))
    value, tangent = jvp(grad(f), args, (v,) + (None,) * (len(args) - 1))
    _assert_tree_close(value, leaves(grad(f)(*args)), args[0])
    _assert_tree_close(tangent, _fd_hvp(f, args, v), args[0])
    assert type(value) is type(args[0]) and type(tangent) is type(args[0])


def read_with_get(p):
    return np.sum(p["w"] ** 3) * p.get("b", 0.0) + p.get("c", 1.5) * np.sum(p["w"])


def test_dict_get_in_forward_mode_and_at_second_order():
    # jvp refused d.get(k, default) asking for a tangent rule of the library's helper
    p = {"w": np.array([0.5, -1.0]), "b": 2.0}
    v = {"w": np.array([1.0, 0.0]), "b": 0.5}
    _assert_tree_close(hvp(read_with_get)(p, v), _fd_hvp(read_with_get, (p,), v), p)
    _, tangent = jvp(read_with_get, (p,), (v,))
    g = grad(read_with_get)(p)
    assert tangent == pytest.approx(np.sum(g["w"] * v["w"]) + g["b"] * v["b"])


def dict_by_comprehension(x):
    d = {k: x[i] * (i + 1) for i, k in enumerate(["a", "b"])}
    return d["a"] * d["b"]


def test_a_dict_built_by_a_comprehension_at_second_order():
    # a comprehension over two loop variables was one block under `if True:`, its dict
    # restored from a second name after the loop (items0): the Hessian refused the
    # update of the dict as one another name shares, naming generated code (tester P)
    from autograd_src import hessian
    x = np.array([0.3, -0.7])
    np.testing.assert_allclose(hessian(dict_by_comprehension)(x), [[0.0, 2.0], [2.0, 0.0]],
                               atol=1e-12)
    df = grad(dict_by_comprehension)
    df(x)
    assert "if True" not in df.source and "items0" not in df.source


def _energy(x):
    return np.sum(np.sin(x) * x ** 2)


_dE = grad(_energy)


def _penalty(x):
    return np.sum(_dE(x) ** 2)


def test_forward_over_a_gradient_calling_a_gradient_says_what_is_not_supported():
    # jacfwd(grad(loss)) with loss calling a module's dE = grad(energy) (third order):
    # "'nonlocal' in ddenergydxdx()", at generated code; hessian said it in user terms
    from autograd_src import jacfwd
    from autograd_src.errors import DiffSyntaxError
    with pytest.raises(DiffSyntaxError, match=r"make_jvp\(grad\(_penalty\)\) differentiates "
                                              r"the code grad generates.*the helper _energy"):
        jacfwd(grad(_penalty))(np.array([0.3, -0.5]))
