"""Each rule that has both an adjoint and a tangent: <u, J v> = <J^T u, v> on random
vectors (the two modes agree exactly), and J v against central differences."""

import math

import numpy as np
import pytest

from autograd_src import grad, jvp, vjp
from autograd_src.rules import registry
from autograd_src.rules.jvp import JVP_RULES

from .forward_checks import inner, leaves, shifted, tangent_like
from .forward_rule_cases import COVERED, FUNCTIONS


@pytest.mark.parametrize("fn, make_args, n, expr", FUNCTIONS, ids=[f[3] for f in FUNCTIONS])
@pytest.mark.parametrize("seed", [0, 1])
def test_dot_product(fn, make_args, n, expr, seed):
    rng = np.random.default_rng(seed)
    args = make_args(rng)
    v = [tangent_like(a, rng) for a in args[:n]]
    value, jv = jvp(fn, args, v + [None] * (len(args) - n))
    u = tangent_like(value, rng)
    _, vjp_fn = vjp(fn, *args)
    jtu = vjp_fn(u)[:n]
    left, right = inner(u, jv), sum(inner(g, t) for g, t in zip(jtu, v))
    assert abs(left - right) <= 1e-10 * max(1.0, abs(left)), (left, right)
    assert np.shape(jv) == np.shape(value)
    eps = 1e-6
    plus = [shifted(a, t, eps) for a, t in zip(args[:n], v)] + list(args[n:])
    minus = [shifted(a, t, -eps) for a, t in zip(args[:n], v)] + list(args[n:])
    for got, hi, lo in zip(leaves(jv), leaves(fn(*plus)), leaves(fn(*minus))):
        np.testing.assert_allclose(got, (np.asarray(hi) - np.asarray(lo)) / (2 * eps),
                                   rtol=1e-5, atol=1e-6)


def test_every_rule_with_both_modes_has_a_case():
    from autograd_src.rules import runtime_rules  # noqa: F401 - the helpers' rules
    missing = [registry.primitive_name(p) for p in JVP_RULES
               if registry.lookup(p) is not None and p not in COVERED
               and not (getattr(p, "__module__", "") or "").startswith("tests")]
    assert not missing, f"tangent rules without a consistency case: {missing}"


def _tie_max(x, y):
    return np.maximum(x, y) * 3.0


def _tie_min(x, y):
    return np.minimum(x, y) * 3.0


def _tie_builtin_max(x, y):
    return max(x, y) * 3.0


def _tie_builtin_min(x, y):
    return min(x, y) * 3.0


TIES = [(f, (1.5, 1.5)) for f in (_tie_max, _tie_min, _tie_builtin_max, _tie_builtin_min)] + [
    (f, (np.array([1.0, 2.0]), np.array([1.0, 3.0]))) for f in (_tie_max, _tie_min)]


@pytest.mark.parametrize("fn, args", TIES)
def test_ties_give_both_modes_one_derivative(fn, args):
    # At a tie each operand gets half (reverse mode and central differences agree);
    # forward mode gave all of it to x, so jvp and vjp disagreed.
    tangents = (np.ones_like(args[0]) * 1.0, np.ones_like(args[1]) * 0.0)
    if type(args[0]) is float:
        tangents = (1.0, 0.0)
    _, tangent = jvp(fn, args, tangents)
    gx = grad(lambda x, y: np.sum(fn(x, y)), wrt=0)(*args)
    np.testing.assert_allclose(np.sum(tangent), np.sum(gx * tangents[0]), rtol=1e-12)
    assert np.isclose(np.ravel(tangent)[0], 1.5)


def _log_base_ten(x):
    return math.log(x, 10) + math.log(x, 2.0) ** 2


def test_math_log_with_a_base_in_forward_mode():
    # its tangent rule was np.log's (dx / x): the base was left out (tester J)
    from autograd_src import grad, hessian, jvp
    x = 1.5
    _, tangent = jvp(_log_base_ten, (x,), (1.0,))
    expected = 1 / (x * math.log(10)) + 2 * math.log(x, 2) / (x * math.log(2))
    assert tangent == pytest.approx(expected, rel=1e-12)
    assert tangent == pytest.approx(grad(_log_base_ten)(x), rel=1e-12)
    eps = 1e-5
    second = (grad(_log_base_ten)(x + eps) - grad(_log_base_ten)(x - eps)) / (2 * eps)
    assert hessian(_log_base_ten)(x) == pytest.approx(second, rel=1e-6)


def _scaled_sin(x, scale=1.0):
    return scale * np.sin(x)


def test_an_operand_the_tangent_rule_does_not_take_is_refused():
    from autograd_src import extend, jvp
    from autograd_src.errors import NoRuleError

    @extend.defvjp(_scaled_sin)
    def _vjp(g, ans, x, scale=1.0):
        return g * scale * np.cos(x)

    @extend.defjvp(_scaled_sin)
    def _jvp(g, ans, x):  # forgets scale
        return g * np.cos(x)

    def given(x):
        return np.sum(_scaled_sin(x, 3.0))

    def left_to_default(x):
        return np.sum(_scaled_sin(x))

    with pytest.raises(NoRuleError, match="takes no scale, which this call gives"):
        jvp(given, (np.ones(2),), (np.ones(2),))
    _, tangent = jvp(left_to_default, (np.ones(2),), (np.ones(2),))
    assert tangent == pytest.approx(2 * np.cos(1.0))
