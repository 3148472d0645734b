"""grad by forward mode where the one differentiated argument is a number (issue #12):
the same values, seeds, layouts and errors as reverse mode's variant, checked against
it (reverse_mode_only) and against finite differences; forward mode's refusals fall
back to reverse mode."""

import contextlib

import numpy as np
import pytest

from autograd_src import extend, grad, value_and_grad
from autograd_src.testing import numerical_grad
from autograd_src.transform.by_forward_mode import reverse_mode_only


def poly(x, c, scale=2.0, *, shift=0.5):
    y = 0.0
    for ci in c:
        y = y * x + ci
    return scale * y + shift * x


def curve(t):
    return np.array([np.sin(t), t * t, np.exp(-t)])


def with_varargs(x, *rest, **options):
    return x * sum(rest) + options.get("k", 1.0) * x * x


def cube(x):
    return x ** 3


# the adjoint rule only: forward mode has no tangent rule for it
extend.defvjp(cube)(lambda g, ans, x: g * 3 * x ** 2)


def through_a_vjp_only_rule(x):
    return cube(x) + x


C = [0.3, -0.2, 0.7]


def _both(fn, *args, **kwargs):
    forward = grad(fn)
    got = forward(*args, **kwargs)
    with reverse_mode_only():
        reverse = grad(fn)
        expected = reverse(*args, **kwargs)
    return forward, got, reverse, expected


@pytest.mark.parametrize("x", [0.9, np.float64(0.9), np.float32(0.9), np.array(0.9)])
def test_same_value_and_type_as_reverse_mode(x):
    forward, got, reverse, expected = _both(poly, x, C)
    assert "# forward mode:" in forward.source and "# forward mode:" not in reverse.source
    assert type(got) is type(expected) and np.shape(got) == np.shape(expected)
    assert getattr(got, "dtype", None) == getattr(expected, "dtype", None)
    np.testing.assert_allclose(got, expected, rtol=1e-6 if x.__class__ is np.float32
                               else 1e-14)


def test_keywords_defaults_and_seeds():
    _, got, _, expected = _both(poly, 0.9, C, 3.0, shift=1.5)
    assert got == pytest.approx(expected, rel=1e-14)
    assert grad(poly)(0.9, C, dout=2.5) == pytest.approx(2.5 * grad(poly)(0.9, C))
    value, gradient = value_and_grad(poly)(0.9, C)
    assert value == poly(0.9, C) and gradient == pytest.approx(grad(poly)(0.9, C))
    (alone,) = grad(poly, wrt=(0,))(0.9, C)  # a tuple of one, as asked
    assert alone == pytest.approx(grad(poly)(0.9, C))


def test_array_output_and_its_seed():
    seed = np.array([1.0, -2.0, 0.5])
    _, got, _, expected = _both(curve, 0.4, dout=seed)
    assert got == pytest.approx(expected, rel=1e-14)
    assert got == pytest.approx(float(numerical_grad(
        lambda t: np.dot(seed, curve(t)), [0.4], 0)), rel=1e-6)
    with pytest.raises(ValueError, match="dout has shape"):
        grad(curve)(0.4, dout=np.ones(2))


def test_star_arguments():
    _, got, _, expected = _both(with_varargs, 0.7, 1.0, 2.0, k=3.0)
    assert got == pytest.approx(expected, rel=1e-14) and got == pytest.approx(3.0 + 4.2)


def test_a_rule_forward_mode_lacks_falls_back_to_reverse_mode():
    df = grad(through_a_vjp_only_rule)
    assert df(0.5) == pytest.approx(3 * 0.25 + 1)
    assert "# forward mode:" not in df.source


def drag(v, k):
    return k * v * abs(v)


def drag_in_a_nested_step(k):
    v = k
    for _ in range(3):
        def step(u):
            return u - 0.1 * drag(u, k)  # drag's tangent along (u, k)
        v = step(v)
    return v + drag(0.3, k)  # drag's tangent along k only


def test_one_helper_differentiated_along_two_sets_of_arguments():
    # A nested def's namer shared the injected helpers but not the names taken, so the
    # second tangent of drag took the name of the first: jvp_drag() got 'dv'; and the
    # source showed one of the two, under the other's name.
    df = grad(drag_in_a_nested_step)
    np.testing.assert_allclose(df(0.7), numerical_grad(drag_in_a_nested_step, [0.7], 0),
                               rtol=1e-7)
    assert "jvp_drag(u, k, dv=du, dk=dk)" in df.source and "def jvp_drag(v, k, *, dv, dk)" \
        in df.source
    assert "jvp_drag_2(0.3, k, dk=dk)" in df.source and "def jvp_drag_2(v, k, *, dk)" \
        in df.source


HALF32 = np.float32(0.5)


def sine_times(x):
    return np.sin(x) * x


def times_a_float32(x):
    return HALF32 * x * x


def exp_sum(x):
    y = 0.0
    for i in range(3):
        y = y + np.exp(x * i)
    return y


@pytest.mark.parametrize("f", [sine_times, times_a_float32, exp_sum])
@pytest.mark.parametrize("x", [0.7, np.float64(0.7), np.float32(0.7), np.array(0.7)])
def test_the_gradient_of_a_number_has_its_type_and_dtype(f, x):
    # the variant for numbers serves floats, NumPy scalars and 0-d arrays alike; its
    # arithmetic gave np.float64 for a float, float for an np.float64, np.float32 for
    # an np.float64 times a float32 constant
    for mode in (contextlib.nullcontext, reverse_mode_only):
        with mode():
            got = grad(f)(x)
            value, also = value_and_grad(f)(x)
            both = grad(lambda a, b: f(a) * b, wrt=(0, 1))(x, 1.0)
        for g in (got, also, both[0]):
            assert type(g) is type(x) and np.shape(g) == np.shape(x)
            assert getattr(g, "dtype", None) == getattr(x, "dtype", None)
            assert g is not x
        assert type(both[1]) is float
        narrow = getattr(x, "dtype", None) == np.float32
        np.testing.assert_allclose(got, numerical_grad(f, [np.float64(x)], 0),
                                   rtol=1e-5 if narrow or f is times_a_float32 else 1e-8)


def through_a_module_alias(x):
    xp = np  # code written for several array modules
    la = np.linalg
    return xp.sum(xp.sin(x) * x) + la.norm(xp.atleast_1d(x))


def indexed_as_numpy_scalars_are(x):
    return x[()] * x + np.sum(x[None] * x[...])


@pytest.mark.parametrize("f", [through_a_module_alias, indexed_as_numpy_scalars_are])
@pytest.mark.parametrize("x", [np.float64(0.7), np.float32(0.7), np.array(0.7)])
def test_forms_that_need_the_numbers_own_type(f, x):
    # xp = np: "a module has no method .sin()"; x[()] of an np.float64: the forward
    # variant's seed dx = 1.0 was a Python float ('float' object is not subscriptable)
    got = grad(f)(x)
    with reverse_mode_only():
        expected = grad(f)(x)
    narrow = x.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=1e-6 if narrow else 1e-14)
    np.testing.assert_allclose(got, numerical_grad(f, [np.float64(x)], 0),
                               rtol=1e-5 if narrow else 1e-8)


g = np.array(1.0)  # a module's array under the name a nested def takes


def nested_def_shadowing_a_global(x):
    x += 1.0
    def g(z):
        return z * x
    return g(2.0)


def test_a_nested_def_shadowing_a_modules_array():
    # TypeError: unhashable type: 'numpy.ndarray' for a 0-d x (tester N)
    for x in (0.5, np.array(0.5)):
        assert grad(nested_def_shadowing_a_global)(x) == pytest.approx(2.0)
