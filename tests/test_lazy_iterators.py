"""Generators, zip/map/enumerate/reversed objects and dict views bound to a name
(tester B, session 9): Python's are lazy, read when consumed and used up after one
pass. Read once before anything they read changes they are lists (right, and loops
over them reverse); otherwise, carrying gradient, they are refused (they were lists
made at the line: value and gradient wrong)."""

import numpy as np
import pytest

from autograd_src import DiffSyntaxError, grad
from autograd_src.testing import check_grads


def zip_then_loop(w, xs, ys):
    pairs = zip(xs, ys)
    total = 0.0
    for a, b in pairs:
        total = total + (w * a - b) ** 2
    return total


def enumerate_then_loop(w, xs):
    items = enumerate(xs)
    s = 0.0
    for i, a in items:
        s = s + w * a * i
    return s


def generator_summed(w):
    gen = (w * i for i in range(3))
    return sum(gen)


def values_then_sum(w):
    d = {"a": w, "b": w ** 2}
    vals = d.values()
    return sum(vals)


def generator_twice(x):
    gen = (x * i for i in range(1, 4))
    return sum(gen) + sum(gen)


def zip_twice(x):
    z = zip([x, x * 2], [1.0, 3.0])
    return sum(a * b for a, b in z) + sum(a * b for a, b in z)


def view_sees_insertion(x):
    d = {"a": x}
    vals = d.values()
    d["b"] = x ** 2
    return sum(vals)


def reversed_then_changed(x):
    xs = [x, x ** 2]
    r = reversed(xs)
    xs[0] = x * 100.0
    return sum(v for v in r)


def generator_reads_late(x):
    gen = (x * i for i in range(3))
    x = x * 2.0
    return sum(gen)


@pytest.mark.parametrize("fn, args", [
    (zip_then_loop, (0.7, [1.0, 2.0, 3.0], [2.0, 1.0, 0.5])),
    (enumerate_then_loop, (0.7, [1.0, 2.0, 3.0])),
    (generator_summed, (0.7,)),
    (values_then_sum, (0.7,)),
])
def test_read_once_is_a_list(fn, args):
    check_grads(fn, *args)


@pytest.mark.parametrize("fn", [generator_twice, zip_twice, view_sees_insertion,
                                reversed_then_changed, generator_reads_late])
def test_read_later_or_twice_is_refused(fn):
    with pytest.raises(DiffSyntaxError, match="used up after one pass.*Make it a list"):
        grad(fn)(0.5)
    assert np.isfinite(fn(0.5))


def zip_then_setup_then_loop(W, bs):
    layers = zip(W, bs)
    h = np.ones(2)  # a call between, given none of what the zip reads
    for w, b in layers:
        h = np.tanh(w * h + b)
    return np.sum(h)


def map_reads_a_rebound_name(x, xs):
    k = x
    m = map(lambda v: k * v, xs)
    k = 3.0 * x
    return sum(m)


def test_statements_between_that_change_nothing_it_reads():
    check_grads(zip_then_setup_then_loop, [0.3, 0.5], [0.1, -0.2])  # tester E: refused


def test_a_map_bound_to_a_name_is_lazy_too():
    # it was made a list at its line: k * v with the first k (tester E; 1.0 for 3.0)
    with pytest.raises(DiffSyntaxError, match="lazy map"):
        grad(map_reads_a_rebound_name)(0.7, [0.3, 1.2, -0.5])


def constant_map_then_len_then_loop(w, xs):
    m = map(abs, xs)
    n = len(xs)  # reads what the map reads, changes nothing
    s = 0.0
    for a in m:
        s = s + w * a
    return s / n


def generator_then_arithmetic(w, xs):
    g = (w * v for v in xs)
    a = w * w
    return a + sum(g)


def test_reads_between_that_change_nothing():
    # tester E: the first crashed ('map' object is not reversible), the second was refused
    check_grads(constant_map_then_len_then_loop, 0.7, [0.3, -1.2, 2.0])
    check_grads(generator_then_arithmetic, 0.7, [0.3, 1.2])
