"""A derivative follows the functions it calls when they are redefined, as the
forward pass does (a notebook cell run again), instead of differentiating the old one."""

import numpy as np
import pytest

from autograd_src import grad
from autograd_src.testing import check_grads

X = np.array([0.5, 1.5])


def helper(x):
    return x ** 2


def calls_helper(x):
    return np.sum(helper(x))


def cubed(x):
    return x ** 3


def test_grad_again_after_a_helper_is_redefined(monkeypatch):
    np.testing.assert_allclose(grad(calls_helper)(X), 2 * X)
    monkeypatch.setitem(globals(), "helper", cubed)
    np.testing.assert_allclose(grad(calls_helper)(X), 3 * X ** 2)
    check_grads(calls_helper, X)


def test_a_derivative_already_made_follows_the_redefinition(monkeypatch):
    derivative = grad(calls_helper)
    np.testing.assert_allclose(derivative(X), 2 * X)
    monkeypatch.setitem(globals(), "helper", cubed)
    np.testing.assert_allclose(derivative(X), 3 * X ** 2)
    assert "x ** 3" in derivative.source
    monkeypatch.setitem(globals(), "helper", np.sin)  # now a primitive with a rule
    np.testing.assert_allclose(derivative(X), np.cos(X))
    np.testing.assert_allclose(derivative(0.5), np.cos(0.5))  # the scalar variant too


def test_a_scalar_call_remembered_by_its_types_still_follows_redefinitions(monkeypatch):
    derivative = grad(calls_helper)
    # At 0.7, not 0.5, where 2 * x is 1.0, the seed itself.
    assert derivative(0.7) == derivative(0.7) == pytest.approx(1.4)  # the second: short path
    monkeypatch.setitem(globals(), "helper", cubed)
    assert derivative(0.7) == pytest.approx(3 * 0.49)
    with pytest.raises(TypeError, match="x=1.0"):
        derivative(1)  # an int is refused whatever floats did before


def test_redefined_helper_of_a_helper(monkeypatch):
    def outer(x):
        return calls_helper(x) * 2.0

    derivative = grad(outer)
    np.testing.assert_allclose(derivative(X), 4 * X)
    monkeypatch.setitem(globals(), "helper", cubed)
    np.testing.assert_allclose(derivative(X), 6 * X ** 2)


def test_closure_cell_rebound():
    def factory():
        def inner(x):
            return x ** 2

        def f(x):
            return np.sum(inner(x))

        def rebind():
            nonlocal inner

            def inner(x):
                return np.exp(x)
        return f, rebind

    f, rebind = factory()
    derivative = grad(f)
    np.testing.assert_allclose(derivative(X), 2 * X)
    rebind()
    np.testing.assert_allclose(derivative(X), np.exp(X))


class Scaled:
    def part(self, x):
        return x ** 2

    def loss(self, x):
        return np.sum(self.part(x))


def test_method_patched_on_the_class(monkeypatch):
    derivative = grad(Scaled().loss)
    np.testing.assert_allclose(derivative(X), 2 * X)
    monkeypatch.setattr(Scaled, "part", lambda self, x: np.sin(x))
    np.testing.assert_allclose(derivative(X), np.cos(X))
    assert "np.sin" in derivative.source


WEIGHTS = np.ones(2)


def uses_data(x):
    return np.sum(WEIGHTS * x)


def test_data_globals_are_read_live_without_regenerating(monkeypatch):
    derivative = grad(uses_data)
    text = derivative.source
    monkeypatch.setitem(globals(), "WEIGHTS", np.full(2, 3.0))
    np.testing.assert_allclose(derivative(X), 3.0)
    assert derivative.__wrapped__ is grad(uses_data).__wrapped__ and derivative.source == text


class Sine(Scaled):
    def part(self, x):
        return np.sin(x)


SCALED = Scaled()


def through_object(x):
    return SCALED.loss(x)


def test_module_level_object_rebound_to_a_subclass(monkeypatch):
    derivative = grad(through_object)
    np.testing.assert_allclose(derivative(X), 2 * X)
    generated = derivative.__wrapped__
    derivative(X)  # obj.method reads a new bound method each time: not a change
    assert derivative.__wrapped__ is generated
    monkeypatch.setitem(globals(), "SCALED", Sine())
    np.testing.assert_allclose(derivative(X), np.cos(X))
