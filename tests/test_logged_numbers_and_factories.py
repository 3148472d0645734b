"""Tester S (session 13): differentiated values read only to be logged as numbers or
text (``float(...)``, ``f'{...}'``), inline through a chain (``d.setdefault('vals',
[]).append(float(loss))``) or inside a helper (``log_val(log, 'h', h)``), run as
written; a factory's closure with a constant default; and clear messages for keywords
unpacked from a dict and for a method call on an expression."""

import numpy as np
import pytest

from autograd_src import grad
from autograd_src.errors import DiffSyntaxError, NoRuleError


def log_val(log, name, v):
    log.append((name, float(np.sum(v))))


def log_text(log, v):
    log.append(f"{np.sum(v):.3f}")


def log_array(log, v):
    log.append(v)  # the array itself: it may carry gradient


def by_chain(x, d):
    y = x * 2.0
    d.setdefault("vals", []).append(float(np.sum(y)))
    return np.sum(y)


def by_helper(x, log):
    h = x * 2.0
    log_val(log, "h", h)
    log_text(log, h)
    return np.sum(h ** 2)


def by_helper_keeping_the_array(x, log):
    h = x * 2.0
    log_array(log, h)
    return np.sum(h) + np.sum(log[0])


def test_values_logged_as_numbers_run_as_written():
    x = np.array([1.0, 2.0])
    d = {}
    np.testing.assert_allclose(grad(by_chain)(x, d), [2.0, 2.0])
    assert d == {"vals": [6.0]}
    log = []
    np.testing.assert_allclose(grad(by_helper)(x, log), 8 * x)
    assert log == [("h", 6.0), "6.000"]


def test_a_helper_keeping_the_array_itself_is_followed():
    # (refused until session 23: the helper is copied in appending to a copy of the
    # list, which the caller's list is given; the array read back carries its gradient)
    x, log = np.array([1.0, 2.0]), []
    np.testing.assert_allclose(grad(by_helper_keeping_the_array)(x, log), [4.0, 4.0])
    np.testing.assert_allclose(log[0], 2 * x)


def make_scaled(k):
    def scaled(v, n=2):
        return k * v * n
    return scaled


def uses_the_default(x, k):
    f = make_scaled(k)
    return np.sum(f(x)) + np.sum(f(x, 3))


def test_a_closure_with_a_constant_default():
    dx, dk = grad(uses_the_default, wrt=(0, 1))(np.ones(2), 1.5)
    np.testing.assert_allclose(dx, [7.5, 7.5])
    assert dk == pytest.approx(10.0)


def forward(fn, *args, **kw):
    return fn(*args, **kw)


def through_forward(x):
    return forward(np.sum, x * 2.0)


def test_keywords_unpacked_from_a_dict_into_a_numpy_function_are_named():
    with pytest.raises(NoRuleError, match=r"keywords unpacked from a dict \(\*\*kw\)"):
        grad(through_forward)(np.array([1.0, 2.0]))


def appends_a_differentiated_value(x, d):
    d.setdefault("vals", []).append(x * 2.0)
    return np.sum(x)


def test_the_advice_for_a_method_on_an_expression_is_python():
    """It advised ``d.setdefault('vals', []) = list(...)``, which is not Python."""
    with pytest.raises(DiffSyntaxError) as caught:
        grad(appends_a_differentiated_value)(np.array([1.0, 2.0]), {})
    assert "items = d.setdefault('vals', [])" in str(caught.value)
