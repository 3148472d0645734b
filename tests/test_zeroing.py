"""Filling an array in a loop: the sweep zeroes the overwritten entries of the
adjoint in place (O(n) in all, not a copy per entry), with exact gradients."""

import numpy as np
import pytest

from autograd_src import grad
from autograd_src.testing import check_grads

from . import zeroing_cases as zc


@pytest.mark.parametrize("fn, make_args", zc.CASES, ids=[c[0].__name__ for c in zc.CASES])
def test_matches_finite_differences(fn, make_args):
    for seed in range(3):
        args = make_args(np.random.default_rng(seed))
        before = [np.copy(a) for a in args]
        check_grads(fn, *args)
        for a, b in zip(args, before):
            np.testing.assert_array_equal(a, b)


def test_fill_zeroes_in_place_and_reads_copies():
    df = grad(zc.fill_entries)
    df(np.ones(3))
    assert "d_out[i] = 0" in df.source
    assert "_ad.zero_at" not in df.source
    assert "_ad.copied(d_out[i])" in df.source


def test_a_view_read_before_the_loop_keeps_the_copy():
    # d_out[0:2] is read (as a view) before the loop: the loop must not zero that array
    # in place; it zeroes a copy of its own, made once before the loop (HA 03)
    df = grad(zc.update_after_the_loop_reads_a_view)
    np.testing.assert_allclose(df(np.ones(4)), [5.0, 10.0, 6.0, 8.0])
    assert "_ad.zero_at(d_out, i)" not in df.source
    assert df.source.index("d_out = _ad.copied(d_out)") < df.source.index("d_out[i] = 0")


def test_fill_costs_linear_time_in_the_sweep():
    # Count the bytes the sweep copies, not the time: zero_at copies the whole array.
    import autograd_src.rules.runtime as runtime
    calls = []
    original = runtime.zero_at

    def counting(g, index):
        calls.append(np.size(g))
        return original(g, index)

    runtime.zero_at = counting
    try:
        df = grad(zc.fill_entries)
        df(np.ones(50))
    finally:
        runtime.zero_at = original
    assert calls == []


def _hessian_by_differences(fn, x, eps=1e-5):
    df = grad(fn)
    flat = x.ravel()
    columns = []
    for k in range(flat.size):
        step = np.zeros_like(flat)
        step[k] = eps
        plus, minus = df((flat + step).reshape(x.shape)), df((flat - step).reshape(x.shape))
        columns.append(((plus - minus) / (2 * eps)).ravel())
    return np.stack(columns, axis=1)


SECOND_ORDER = [c for c in zc.CASES if c[0] is not zc.nested_fill]


@pytest.mark.parametrize("fn, make_args", SECOND_ORDER, ids=[c[0].__name__ for c in SECOND_ORDER])
def test_second_order_reads_the_in_place_code(fn, make_args):
    # hessian differentiates the generated code: d_out[i] = 0, _ad.copied and _ad.add_at
    # must be read with the values they compute.
    from autograd_src import hessian
    (x,) = make_args(np.random.default_rng(5))
    got = np.reshape(hessian(fn)(x), (x.size, x.size))
    np.testing.assert_allclose(got, _hessian_by_differences(fn, x), rtol=1e-5, atol=1e-6)


def test_second_order_of_a_nested_fill_reads_the_in_place_code():
    # Once a known limit (refused): the first-order code kept `out` on a stack per
    # outer step (by reference, unread), which differentiated again shared the array
    # the inner loop updates. Written in place, `out` is no longer stacked or saved.
    from autograd_src import hessian
    x = np.random.default_rng(7).normal(size=(2, 3))
    got = np.reshape(hessian(zc.nested_fill)(x), (x.size, x.size))
    np.testing.assert_allclose(got, _hessian_by_differences(zc.nested_fill, x),
                               rtol=1e-5, atol=1e-6)
