"""Session 11: a zero tangent or adjoint meeting an infinite partial derivative stays
zero (grad by forward mode gave nan for a body starting at rest; ``math.hypot``
raised ZeroDivisionError), and the forward-mode variant's other slips (list
outputs, a constant returned early from a loop)."""

import math

import numpy as np
import pytest

from autograd_src import grad, value_and_grad


def fall(k, g=9.81, dt=0.01, steps=50):
    vx, vy, y = 0.0, 0.0, 0.0  # at rest: sqrt(0) in the first step
    for _ in range(steps):
        speed = np.sqrt(vx * vx + vy * vy)
        vx = vx + dt * (-k * speed * vx)
        vy = vy + dt * (g - k * speed * vy)
        y = y + dt * vy
    return y


def fall_hypot(k, g=9.81, dt=0.01, steps=50):
    vx, vy, y = 0.0, 0.0, 0.0
    for _ in range(steps):
        speed = math.hypot(vx, vy)
        vx = vx + dt * (-k * speed * vx)
        vy = vy + dt * (g - k * speed * vy)
        y = y + dt * vy
    return y


def _fd(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


@pytest.mark.parametrize("f", [fall, fall_hypot])
@pytest.mark.parametrize("form", [float, np.float64, lambda v: np.array([v])])
def test_body_starting_at_rest(f, form):
    if f is fall_hypot and form not in (float, np.float64):
        pytest.skip("math.hypot takes numbers, not arrays")
    got = grad(f)(form(0.3))
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(np.ravel(got)[0], _fd(f, 0.3), rtol=1e-5)


def power_half(x):
    y = 0.0 * x  # a zero whose power has an infinite slope at 0
    return x + y ** 0.5 * 0.0 + np.sqrt(y) * 0.0


@pytest.mark.parametrize("x", [0.5, np.array([0.5, 1.0])])
def test_zero_seed_times_infinite_slope(x):
    np.testing.assert_allclose(grad(power_half)(x), np.ones_like(x))


def _two(x):
    return x * 2.0, np.sqrt(x)


def unused_output(x):
    a, aux = _two(x)  # aux's slope is infinite at 0 and aux is not read
    return a * 3.0


@pytest.mark.parametrize("x", [0.0, np.array([0.0, 1.0])])
def test_unused_output_with_infinite_slope(x):
    np.testing.assert_allclose(grad(unused_output)(x), 6.0 * np.ones_like(x))


def test_nonzero_over_zero_still_raises_for_python_floats():
    with pytest.raises(ZeroDivisionError):
        grad(lambda_free_sqrt)(0.0)


def lambda_free_sqrt(x):
    return math.sqrt(x)


def list_output(x):
    return [x, x * x]


@pytest.mark.parametrize("x", [0.5, np.array(0.5)])
def test_list_output_by_forward_mode(x):
    assert float(grad(list_output)(x)) == pytest.approx(2.0)
    assert float(grad(list_output)(x, dout=[2.0, 1.0])) == pytest.approx(3.0)


def early_constant(x, c):
    for ci in c:
        if x <= ci:
            return 2.0
    return x * x


@pytest.mark.parametrize("x", [0.5, np.float64(0.5), np.array(0.5)])
def test_constant_returned_from_a_loop(x):
    g = grad(early_constant)(x, [0.7, 0.2])
    assert np.asarray(g).dtype.kind == "f" and float(g) == 0.0
    value, g = value_and_grad(early_constant)(x, [0.1, 0.2])
    assert float(g) == pytest.approx(1.0) and float(value) == pytest.approx(0.25)
