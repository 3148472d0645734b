"""A lambda or nested def passed to a helper: the helper is specialised to it (a
nested def of its own), so the function may read the caller's differentiated values."""

import functools
import re

import numpy as np
import pytest

from autograd_src import grad
from autograd_src.errors import DiffSyntaxError
from autograd_src.testing import check_grads

from . import function_argument_cases as fc

RNG = np.random.default_rng(11)
Y = RNG.standard_normal((2, 3))

CASES = [
    (fc.decay_with_lambda, (0.7, Y)),
    (fc.decay_with_def, (0.4, Y)),
    (fc.midpoint_steps, ([0.8, 0.3], Y)),
    (fc.constant_lambda, (Y,)),
    (fc.two_helpers, (Y, RNG.standard_normal((2, 3)))),
    (fc.with_a_function_default, (0.6, Y)),
    # refused before, with messages naming internal copies (found by the tester)
    (fc.kw_only_helper_given_a_lambda, (RNG.standard_normal((3, 2)),
                                        RNG.standard_normal(2), Y)),
    (fc.kw_only_integrator_given_a_lambda, (0.7, Y)),
    (fc.nested_def_with_keyword_only_parameters, (RNG.standard_normal((3, 3)), Y)),
    (fc.nested_integrator_given_a_lambda, (0.7, Y)),
    (fc.nested_def_given_np_tanh, (RNG.standard_normal((3, 3)), Y)),
    (fc.nested_def_with_a_function_default, (RNG.standard_normal((3, 3)), Y)),
    (fc.shadowing_def_given_a_lambda, (0.7, Y)),
    (fc.partial_of_a_nested_def, (RNG.standard_normal((3, 2)), RNG.standard_normal(2), Y)),
]


@pytest.mark.parametrize("fn, args", CASES, ids=[c[0].__name__ for c in CASES])
def test_matches_finite_differences(fn, args):
    check_grads(fn, *args, wrt=tuple(range(len(args))))


def test_the_specialised_helper_is_in_the_source():
    df = grad(fc.decay_with_lambda, wrt=(0, 1))
    df(0.7, Y)
    # (its names that the caller also uses renamed apart: y0 is the caller's too)
    assert re.search(r"def integrate_with_dynamics_lambda\(y0_\d+, n, dt=DT\):", df.source)


def test_a_helper_reading_a_name_the_caller_assigns_is_not_copied():
    # integrate reads the global DT; a caller with a local DT would change what the
    # copy reads: the call is left as it is, and the lambda carrying k's gradient into
    # it is refused at the user's line (never a silent constant).
    def caller(k, y0):
        DT = 0.5  # noqa: F841 - shadows the global the helper reads
        return np.sum(fc.integrate(lambda y: -k * y, y0, 2))

    with pytest.raises(DiffSyntaxError, match="this lambda reads differentiated values and "
                                              "is passed to integrate"):
        grad(caller, wrt=(0, 1))(0.3, Y)


def test_a_lambda_reading_the_only_differentiated_value_is_not_a_constant():
    # The smallest form of a silent zero: k reaches the result only through the
    # lambda, which the activity analysis counted as a constant (grad returned 0.0).
    def through_module_attribute(k, y0):
        return np.sum(fc.integrate(lambda y: -k * y, y0, 2))

    with pytest.raises(DiffSyntaxError, match="lambda"):
        grad(through_module_attribute)(0.3, Y)


def ranked(s, x):
    best = max(range(3), key=lambda j: s[j])
    order = sorted(range(3), key=lambda j: -s[j] * x)
    return s[best] * x + s[order[-1]]


def test_a_key_that_reads_differentiated_values_only_orders():
    check_grads(ranked, np.array([0.3, 0.9, 0.1]), 2.0, wrt=(0, 1))


def test_a_nested_def_reading_differentiated_values_passed_elsewhere_is_refused():
    # Its sibling: a def (or a lambda bound to a name) read k, was passed to a helper
    # of another module, and the call was counted a constant: a silent 0.0.
    def with_def(k, y0):
        def rhs(y):
            return -k * y
        return np.sum(fc.integrate(rhs, y0, 2))

    def with_named_lambda(k, y0):
        rhs = lambda y: -k * y  # noqa: E731
        return np.sum(fc.integrate(rhs, y0, 2))

    for fn in (with_def, with_named_lambda):
        with pytest.raises(DiffSyntaxError, match="rhs reads k and is passed to integrate"):
            grad(fn)(0.3, Y)


def make_rhs(k):
    return lambda y: -k * y


def closure_to_helper(k, y0):
    rhs = make_rhs(k)
    return np.sum(fc.apply(rhs, y0))


def test_a_closure_from_a_factory_passed_to_a_helper_is_refused():
    # Its sibling through a factory: the call counted a constant, a silent 0.0.
    with pytest.raises(DiffSyntaxError, match="rhs, a function made by a factory"):
        grad(closure_to_helper)(0.3, Y)


def test_a_function_default_of_the_differentiated_function():
    params = (RNG.standard_normal(3), RNG.standard_normal(3) * 0.1)
    eps = RNG.standard_normal(3)
    check_grads(fc.elbo, params, eps)
    # Another function passed for the default (tester AD: act=relu for act=np.tanh,
    # also through functools.partial, was refused): a derivative made for that one.
    check_grads(fc.elbo, params, eps, fc.quartic)
    delbo = grad(fc.elbo)
    by_keyword = delbo(params, eps, logprob=fc.quartic)
    through_partial = grad(functools.partial(fc.elbo, logprob=fc.quartic))(params, eps)
    for got in (by_keyword, through_partial):
        for a, b in zip(got, grad(fc.elbo)(params, eps, fc.quartic)):
            np.testing.assert_allclose(a, b)
    assert "quartic_back(" in delbo.source and "log_density_back(" not in delbo.source
    delbo(params, eps)  # the default again: its own code
    assert "log_density_back(" in delbo.source
    with pytest.raises(AssertionError):
        np.testing.assert_allclose(delbo(params, eps)[0], by_keyword[0])


def test_a_function_default_without_gradient_may_be_replaced():
    g = grad(fc.noisy)(np.ones(2), lambda n: np.full(n, 3.0))
    np.testing.assert_allclose(g, [3.0, 3.0])


def scaled_by_x(fn, x):
    for k in range(2):  # noqa: B007 - a name the lambda also reads, on purpose
        x = fn(x)
    return x


def lambda_reading_names_the_helper_uses(x, y, k):
    # the lambda reads the caller's x and k; the helper has a parameter x and a loop
    # counter k: the copy read its own (a wrong value and gradient before renaming)
    return np.sum(scaled_by_x(lambda z: z * x + k, y))


def test_a_lambda_reads_the_callers_names_not_the_copys():
    check_grads(lambda_reading_names_the_helper_uses, Y[0], Y[1], 0.3, wrt=(0, 1, 2))


def _softplus(z):
    return np.log1p(np.exp(z))


def _picked_activation(x, w, c):
    act = _softplus if c > 0 else np.tanh  # a function picked when the code runs
    pair = np.maximum if c > 0 else np.minimum
    h = act(x * w) + pair(x, w)
    return np.sum(h ** 2)


@pytest.mark.parametrize("c", [1.0, -1.0])
def test_a_numpy_function_or_a_helper_picked_when_the_code_runs(c):
    """act = np.tanh if ... else np.sin; act(x): the rule of the function picked (or the
    helper's derivative) applies; it was refused with advice that did not apply."""
    from autograd_src.testing import check_grads
    x, w = np.array([0.3, -1.2, 2.0]), np.array([1.5, 0.5, -0.7])
    check_grads(_picked_activation, x, w, c, wrt=(0, 1))


def _relu_ish(z):
    return np.where(z > 0, z, 0.1 * z)


class _Scaled:
    def __init__(self, k):
        self.k = k

    def __call__(self, z):
        return np.tanh(self.k * z)


def _loss_given_an_activation(W, x, act):
    h = x
    for _ in range(2):
        h = act(h @ W)
    return np.sum(h)


def _scalar_given_a_function(t, f):
    return f(t) * t


@pytest.mark.parametrize("act", [np.tanh, np.sin, _relu_ish, lambda z: z ** 3,
                                 _Scaled(2.0)])
def test_a_function_passed_as_an_argument_is_followed_when_called(act):
    # refused with "act is an argument ... call a method of it (act.forward(...))",
    # while the same function in a list was followed (testers K and O)
    W = RNG.standard_normal((2, 2)) * 0.5
    x = RNG.standard_normal((1, 2))
    check_grads(_loss_given_an_activation, W, x, act)
    check_grads(_scalar_given_a_function, 0.7, act)


def test_hips_autograd_wrappers_held_as_values_are_numpy_functions():
    # act=anp.tanh as a default, f = anp.tanh, ACTS['tanh']: grad read the wrapper's own
    # source (a try statement in autograd/tracer.py)
    anp = pytest.importorskip("autograd.numpy")
    W = RNG.standard_normal((2, 2)) * 0.5
    x = RNG.standard_normal((1, 2))
    expected = grad(_loss_given_an_activation)(W, x, np.tanh)
    np.testing.assert_allclose(grad(_loss_given_an_activation)(W, x, anp.tanh), expected,
                               rtol=1e-12)
    np.testing.assert_allclose(grad(fc.held_hips_wrapper)(W, x), expected, rtol=1e-12)
