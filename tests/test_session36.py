"""Session 36: findings of testers FW-FZ and the fuzzers, each in its smallest form."""

import numpy as np
import pytest

from autograd_src import grad


def _row_filled(u0):
    U = np.zeros((3, u0.shape[0]))
    U[0] = u0
    U[1] = U[0] * 2.0
    U[1].fill(3.0)
    return np.sum(U ** 2)


def test_the_advice_for_fill_on_a_row_keeps_the_table_changed():
    # FV 03: the advice was "items = U[1]; items = np.full_like(items, value)", which
    # leaves U as it was; a subscript can take the new value itself
    with pytest.raises(Exception, match=r"U\[1\] = np\.full_like\(U\[1\], value\)"):
        grad(_row_filled)(np.array([0.5, 1.0]))


def _setdefault_appended(x):
    d = {}
    d.setdefault('vals', []).append(x)
    return d['vals'][0] * 2.0


def test_the_advice_for_a_call_result_still_names_it_first():
    with pytest.raises(Exception, match=r"give d\.setdefault\('vals', \[\]\) a name first"):
        grad(_setdefault_appended)(1.0)


def _views_appended_then_stacked(u):
    act = np.zeros(6)
    rows = []
    for n in range(4):
        term = np.tanh(np.sum(act) - u[n])  # noqa: F841 (an adjoint reading act)
        rows.append(act[::-1])
    stacked = np.stack(rows)  # noqa: F841
    return np.dot(act + 1.0, u)


def test_appending_to_a_list_read_only_by_numpy_changes_no_array_an_adjoint_reads():
    # fuzz 360101: rows.append(act[::-1]) was refused as an in-place change of an array
    # an adjoint reads, because np.stack(rows) read the list whole
    assert np.allclose(grad(_views_appended_then_stacked)(np.ones(6)), np.ones(6))


def _dot_of_a_list_then_appended(x):
    weights = [1.0, 2.0]
    y = np.dot(weights, x)
    weights.append(3.0)
    return y * 2.0 + len(weights)


def test_a_list_an_adjoint_reads_whole_is_still_not_appended_to():
    with pytest.raises(Exception, match="read by the derivative of an earlier line"):
        grad(_dot_of_a_list_then_appended)(np.ones(2))
