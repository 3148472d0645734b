"""Findings of session 16 (its testers and the items left open by session 15), each in
its smallest form."""

import numpy as np
import pytest

from autograd_src import grad, vjp
from autograd_src.errors import DiffSyntaxError


def _appends_a_copy(a, lst):
    a[...] = np.sin(a)
    lst.append(a.copy())


def _copies_then_appends(a, lst):
    a = a.copy()
    _appends_a_copy(a, lst)  # (a helper copied to work on a copy of a: lst is not)
    return 0.0


def grows_its_list_two_calls_deep(x, log):
    r = _copies_then_appends(np.zeros_like(x)[0], log)
    return r + log[0] * np.sum(x)


def test_a_list_grown_by_a_helper_two_calls_deep_is_refused_not_an_internal_error():
    # the helper's copy was taken to write only into its own copies, so its append to
    # the differentiated list was run unseen: a gradient of 2 items for a list of 1
    with pytest.raises(DiffSyntaxError, match="_appends_a_copy"):
        grad(grows_its_list_two_calls_deep, wrt=(0, 1))(np.ones((2, 3)), [0.25])
    x = np.ones((2, 3))
    np.testing.assert_allclose(grad(grows_its_list_two_calls_deep)(x, [0.25]), 0.25)


def _stores(a, dct):
    dct['arr'] = a
    return np.sum(np.sin(a))


def _stores_flat(a, dct):
    r = _stores(np.reshape(a, (-1,)), dct)
    dct['scale'] = dct['scale'] * 2.0
    return r


def _stores_flat_then_whole(a, dct):
    r = _stores_flat(a[:, 1:], dct)
    dct['arr'] = a  # (another shape under the same key)
    return r + np.sum(a * a)


def stores_two_shapes_under_one_key(x, cfg):
    r = _stores_flat_then_whole(x, cfg)
    return r * cfg['scale']


def test_an_item_overwritten_by_one_of_another_shape_has_no_gradient_of_that_shape():
    # the zero adjoint left for the overwritten item took the new item's shape: a
    # broadcast error in the adjoint of the first store
    x = np.arange(8.0).reshape(2, 4) / 10
    cfg = {'scale': 1.5}
    value, back = vjp(stores_two_shapes_under_one_key, x, cfg)
    gx, gcfg = back(1.0)
    expect_x = 3.0 * 2 * x
    expect_x[:, 1:] += 3.0 * np.cos(x[:, 1:])
    np.testing.assert_allclose(gx, expect_x)
    np.testing.assert_allclose(gcfg['scale'], 2 * value / 3.0)
    assert cfg['scale'] == 3.0 and cfg['arr'] is x  # as one run of Python leaves it


def _scales_its_second(x, y, w):
    y += 0.1 * np.sum(w)
    return np.sum(w * x), y


def passes_an_item_and_the_array(x):
    a, b = _scales_its_second(x, x[1], x)
    return a + b + np.sum(x)  # (x read again: y may be a view of x, checked as it runs)


def test_a_check_made_as_a_call_runs_is_written_once():
    # a statement unpacking a call's values is read again as values = h(...): each
    # check of what the call writes into was emitted twice
    df = grad(passes_an_item_and_the_array)
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(df(x), 2 * x + 1.1 + np.array([0.0, 1.0, 0.0]))
    assert df.source.count("_ad.not_an_array(") == 1
