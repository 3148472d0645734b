"""Session 31: each change in its smallest form.

A Tensor time loop writing into a view of a tensor (``u[1:-1] += ... u[2:] ...``, the
heat stencil) took time quadratic in its steps: every view the graph kept alive was
made again from the base after every update. A view is now made again when it is
next read; these tests check its values and gradients against NumPy and finite
differences, and that the work per update no longer grows with the steps.
"""

import numpy as np
import pytest

import autograd_src as mg
from autograd_src.tensors import backprop, inplace

from .finite_differences import numeric_grad


def heat(u0, D, steps):
    u = u0 * 1.0
    for _ in range(steps):
        u[1:-1] += 0.1 * D * (u[2:] - 2 * u[1:-1] + u[:-2])
        u[0] = u[1]
        u[-1] = u[-2]
    return u


def _heat_loss(u0, D, steps):
    return float(np.sum(heat(np.asarray(u0, float), float(D), steps) ** 2))


def test_heat_stencil_through_views_matches_numpy_and_finite_differences():
    u0 = np.random.default_rng(0).random(12)
    ut, Dt = mg.tensor(u0), mg.tensor(0.9)
    loss = mg.sum(heat(ut, Dt, 15) ** 2)
    assert np.allclose(loss.item(), _heat_loss(u0, 0.9, 15))
    loss.backward()
    assert np.allclose(ut.grad, numeric_grad(lambda u: _heat_loss(u, 0.9, 15), u0), rtol=1e-6)
    assert np.allclose(Dt.grad, numeric_grad(lambda d: _heat_loss(u0, d, 15), np.array(0.9)),
                       rtol=1e-6)


def _operations(steps):
    count = [0]
    original = backprop.apply

    def counting(*args, **kwargs):
        count[0] += 1
        return original(*args, **kwargs)

    backprop.apply = counting
    try:
        mg.sum(heat(mg.tensor(np.ones(30)), mg.tensor(0.5), steps) ** 2)
    finally:
        backprop.apply = original
    return count[0]


def test_heat_stencil_records_the_same_work_at_every_step():
    # (the views made again after each update grew with the steps: 3 more per step)
    assert _operations(80) - _operations(40) == _operations(40) - _operations(0)


def test_a_view_left_behind_by_two_updates_reads_the_latest_values():
    x = mg.tensor([1.0, 2.0, 3.0, 4.0, 5.0])
    v = x[1:]
    w = v[1:]
    a = (w * w).sum()          # reads w before the updates
    x[0] = 7.0
    x[2] *= 3.0
    assert np.array_equal(w.data, [9.0, 4.0, 5.0])
    assert np.array_equal(v.data, [2.0, 9.0, 4.0, 5.0])
    total = a + (v * x[:4]).sum() + (w ** 3).sum()
    total.backward()
    # by hand: a = 3^2 + 4^2 + 5^2 read x2 = 3 before it was tripled; x2's final value
    # is x's leaf value times 3 (the gradient with respect to the leaf as it ends)
    assert np.allclose(x.grad, [2.0, 7.0 + 9.0, 2.0 + 4.0 + 3 * 81.0, 9.0 + 5.0 + 3 * 16.0,
                                4.0 + 3 * 25.0])


def test_a_view_read_first_under_no_autodiff_still_reaches_its_base():
    x = mg.tensor([1.0, 2.0, 3.0])
    v = x[1:]
    x[0] = 5.0
    with mg.no_autodiff:
        seen = v.data.copy()     # the first read makes v again, recorded all the same
    (v * v).sum().backward()
    assert np.array_equal(seen, [2.0, 3.0])
    assert np.array_equal(x.grad, [0.0, 4.0, 6.0])


def test_null_grad_of_a_view_left_behind_holds_until_it_is_read():
    x = mg.tensor([1.0, 2.0, 3.0])
    v = x[1:]
    (v * v).sum().backward()
    x[0] = 2.0
    v.null_grad()
    v.data  # noqa: B018 (made again from x)
    assert v.grad is None


def test_a_result_read_from_a_view_before_a_clearing_backward_refuses_as_mygrad():
    # The update made the view again from the base, whose graph b.backward() had cleared:
    # a.backward() then gave x no gradient at all (None), silently. MyGrad refuses.
    x = mg.tensor([1.0, 2.0, 3.0, 4.0])
    v = x[1:]
    a = v * 2
    x.sum().backward()
    x[0] = 5.0
    with pytest.raises(mg.InvalidBackprop if hasattr(mg, "InvalidBackprop") else Exception,
                       match="cleared"):
        a.sum().backward()


def test_views_left_behind_are_not_visited_again_by_later_updates():
    x = mg.tensor(np.zeros(6))
    views = [x[1:] for _ in range(50)]
    x[0] = 1.0
    assert all(view._stale is not None for view in views)
    assert len(x._fresh) == 0
    x[1] = 2.0                  # nothing read since: nothing to mark again
    assert views[3].data[0] == 2.0
    assert [ref() for ref in x._fresh if ref() is not None] == [views[3]]
    assert inplace.DEFERRED == {"_data", "_node", "_version", "_exposed"}
