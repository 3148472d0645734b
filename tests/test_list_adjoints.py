"""Adjoints of lists and dicts of values, summed one item at a time.

``d = _ad.add(d, _ad.unindex(g, x, i))`` built a list of zeros as long as ``x`` for
every item a loop read: O(n²) for a loop over a list (65 s for 8000 floats).
`add_to_item` adds at the one item, on a copy; `add_into` writes into a list the
optimizer proved private. Both must be the same sum as before, and the gradients of
programs whose list adjoints are shared must stay right.
"""

import collections

import numpy as np
import pytest

from autograd_src import grad, hvp
from autograd_src.rules import runtime as ad
from autograd_src.rules.runtime import indexing
from autograd_src.testing import check_grads

rng = np.random.default_rng(3)
PAIRS = [(rng.normal(size=(2, 3)), rng.normal(size=3)), (rng.normal(size=(3, 1)), 0.5)]


def _same(a, b):
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys()
        for k in a:
            _same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple)) and len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    else:
        np.testing.assert_array_equal(a, b)


SUMS = [
    # (adjoint so far, the container x, index, adjoint of x[index])
    (ad.zeros_like([1.0, 2.0, 3.0]), [1.0, 2.0, 3.0], 1, 4.0),
    ([0.5, 1.5, 2.5], [1.0, 2.0, 3.0], -1, 4.0),
    ([0.5, 1.5, 2.5], (1.0, 2.0, 3.0), slice(None, -1), [1.0, 2.0]),
    ([0.5, 1.5, 2.5, 3.5], [1.0, 2.0, 3.0, 4.0], slice(None, None, 2), [1.0, 2.0]),
    (ad.zeros_like(PAIRS), PAIRS, 0, [np.ones((2, 3)), np.ones(3)]),
    ([[np.ones((2, 3)), np.ones(3)], [np.ones((3, 1)), 2.0]], PAIRS, 1, [np.ones((3, 1)), 1.0]),
    ({"W": 1.0, "b": np.ones(2)}, {"W": 2.0, "b": np.zeros(2)}, "b", np.arange(2.0)),
    # Keys only one side has: the general sum (every key kept).
    ({"W": 1.0}, {"W": 2.0, "b": np.zeros(2)}, "b", np.arange(2.0)),
    # An array: the general sum.
    (np.ones(3), np.zeros(3), 1, 2.0),
]


@pytest.mark.parametrize("d, x, index, g", SUMS)
def test_add_to_item_is_the_sum_it_replaces(d, x, index, g):
    before = [list(d) if isinstance(d, list) else d]
    expected = ad.add(d, ad.unindex(g, x, index))
    _same(ad.add_to_item(d, x, index, g), expected)
    if isinstance(d, list):
        _same(d, before[0])  # a copy: the list it was given is unchanged


@pytest.mark.parametrize("d, x, index, g", SUMS)
def test_add_into_is_the_same_sum(d, x, index, g):
    expected = ad.add(d, ad.unindex(g, x, index))
    copied = [list(e) if isinstance(e, list) else e for e in d] if isinstance(d, list) else d
    _same(ad.add_into(copied, x, index, g), expected)


def _counting_adds(monkeypatch):
    calls = collections.Counter()
    real = indexing.add

    def counted(a, b):
        calls["add"] += 1
        return real(a, b)

    monkeypatch.setattr(indexing, "add", counted)
    return calls


def horner(x, c):
    y = 0.0
    for ci in c:
        y = y * x + ci
    return y


def horner_indexed(x, c):
    y = 0.0
    for i in range(len(c)):
        y = y * x + c[i]
    return y


@pytest.mark.parametrize("fn", [horner, horner_indexed])
def test_a_loop_over_a_list_adds_one_item_per_step(fn, monkeypatch):
    c = list(np.linspace(-1.0, 1.0, 300))
    df = grad(fn, wrt=(0, 1))
    calls = _counting_adds(monkeypatch)
    df(0.9, c)
    assert "_ad.add_into(dc, c, " in df.source  # the variant that ran
    assert calls["add"] <= 2 * len(c)  # O(n); the list of zeros per item made it n²
    check_grads(fn, 0.9, c[:12], wrt=(0, 1))


# Programs where a list of adjoints is shared, kept, or summed from several places:
# each in-place update must change only the list the sweep owns.


def read_twice(ps):
    total = 0.0
    for p in ps:
        total = total + p * p
    for p in ps[1:]:
        total = total + np.sin(p) * ps[0]
    return total


def aliased_list(ps):
    qs = ps
    total = 0.0
    for i in range(len(ps)):
        total = total + ps[i] * qs[-1 - i]
    return total + qs[0] * ps[0]


def nested_pairs(params, x):
    h = x
    outs = []
    for W, b in params:
        h = np.tanh(h @ W + b)
        outs.append(h)
    first_W, first_b = params[0]
    return np.sum(outs[-1] ** 2) + np.sum(outs[0]) * np.sum(first_b) + np.sum(first_W ** 2)


def rows_of_pairs(pairs):
    rows = [pairs, pairs[::-1]]
    total = 0.0
    for row in rows:
        for a, b in row:
            total = total + a * b
    return total + pairs[0][0]


def dict_loop(weights):
    total = 0.0
    for name in weights:
        total = total + weights[name] ** 2
    for name in ["a", "b"]:
        total = total * weights[name]
    return total


def slices_then_items(cs):
    head = cs[:-1]
    tail = cs[1:]
    total = 0.0
    for i in range(len(head)):
        total = total + head[i] * tail[i]
    return total + cs[-1] * cs[0]


PROGRAMS = [
    (read_twice, lambda r: ([float(v) for v in r.normal(size=5)],)),
    (aliased_list, lambda r: ([float(v) for v in r.normal(size=5)],)),
    (nested_pairs, lambda r: ([(r.normal(size=(3, 3)) * 0.5, r.normal(size=3)),
                               (r.normal(size=(3, 2)) * 0.5, r.normal(size=2))],
                              r.normal(size=(4, 3)))),
    (rows_of_pairs, lambda r: ([(float(a), float(b)) for a, b in r.normal(size=(3, 2))],)),
    (dict_loop, lambda r: ({"a": 0.7, "b": -1.3, "c": 0.4},)),
    (slices_then_items, lambda r: ([float(v) for v in r.normal(size=6)],)),
]


@pytest.mark.parametrize("fn, make_args", PROGRAMS, ids=[p[0].__name__ for p in PROGRAMS])
def test_shared_list_adjoints_match_finite_differences(fn, make_args):
    check_grads(fn, *make_args(np.random.default_rng(11)), wrt=0)


def cubes_of_a_list(c):
    y = 0.0
    for i in range(len(c)):
        y = y * 0.7 + c[i] ** 3
    return y


def test_second_order_reads_the_list_updates_as_sums():
    # hessian / grad(grad) differentiate the generated code, add_into included
    from autograd_src.api import general_code

    c = [0.3, -0.5, 0.8]
    expected = [6 * ci * 0.7 ** (len(c) - 1 - i) for i, ci in enumerate(c)]
    assert "_ad.add_into(" in general_code(grad(cubes_of_a_list)).source if hasattr(
        general_code(grad(cubes_of_a_list)), "source") else True
    np.testing.assert_allclose(grad(grad(cubes_of_a_list))(c), expected, rtol=1e-12)
    np.testing.assert_allclose(grad(general_code(grad(cubes_of_a_list)))(c), expected,
                               rtol=1e-12)


def sum_of_squares_by_comprehension(ws):
    return sum([w * w for w in ws])


def squares_appended_then_summed(ws):
    items = []
    for w in ws:
        items.append(w * w * w)
    return sum(items)


def loop_over_a_dict(d):
    s = 0.0
    for k in d:
        s = s + d[k] ** 2 * np.sin(d[k])
    return s


def test_keys_are_compared_by_count_not_one_by_one():
    # d.keys() == x.keys() per item made a loop over a dict O(n^2)
    x = {f"k{i}": float(i) for i in range(5)}
    d = ad.zeros_like(x)
    assert indexing._item_by_item(d, x, "k2")
    assert not indexing._item_by_item(d, {"k2": 1.0}, "k2")
    assert not indexing._item_by_item({**d, "extra": 0.0}, x, "k2")


def test_a_list_of_adjoints_of_appends_is_popped_in_place():
    # ditems = ditems[:-1] copied the list once per item: O(n^2)
    ws = [0.3, -0.5, 0.8, 1.1]
    for fn in (sum_of_squares_by_comprehension, squares_appended_then_summed):
        df = grad(fn)
        got = df(ws)
        assert "_ad.without_last(ditems)" in df.source
        check_grads(fn, ws)
        h = hvp(fn)(ws, [1.0, 0.0, 0.0, 0.0])  # forward mode reads it as ditems[:-1]
        np.testing.assert_allclose(h, grad(lambda_first_row(fn))(ws), rtol=1e-10)
        assert len(got) == len(ws)


def lambda_first_row(fn):
    df = grad(fn)

    def first(ws):
        return df(ws)[0]
    return first


def test_a_loop_over_a_dict_gradient():
    d = {f"k{i}": 0.1 * i for i in range(6)}
    df = grad(loop_over_a_dict)
    df(d)
    assert "_ad.add_into(dd, d, k, " in df.source
    check_grads(loop_over_a_dict, d)


def zero_items_of_a_built_list(ws):
    out = [w * 1.0 for w in ws]
    for k in range(len(ws)):
        out[k] = out[k] * ws[k]
    return sum(out)


def test_items_overwritten_in_a_loop_are_zeroed_in_place():
    # _ad.zero_at copied the list per overwritten item: O(n^2)
    ws = [0.3, -0.5, 0.8]
    df = grad(zero_items_of_a_built_list)
    df(ws)
    assert "_ad.zero_into(d_out, k)" in df.source
    check_grads(zero_items_of_a_built_list, ws)
    np.testing.assert_allclose(hvp(zero_items_of_a_built_list)(ws, [0.0, 1.0, 0.0]),
                               [0.0, 2.0, 0.0], rtol=1e-10)
