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
