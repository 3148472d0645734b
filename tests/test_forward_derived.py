"""Elementwise primitives without a tangent rule of their own (NumPy ufuncs, SciPy's
special functions, the scalar functions of ``math``): forward
mode reads their tangent off the adjoint rule (`rules.jvp.from_adjoint`). Each is
checked against central differences and against reverse mode, at points in
(0.2, 0.8) where all of them are defined."""

import math

import numpy as np
import pytest

from autograd_src import jvp, vjp
from autograd_src.rules import registry
from autograd_src.rules.jvp import JVP_RULES, from_adjoint

try:  # SciPy's rules register on import where SciPy is installed
    from autograd_src.rules import scipy_rules  # noqa: F401
except ImportError:
    pass


def _derived():
    cases = []
    for primitive, rule in list(registry._RULES.items()):
        if primitive in JVP_RULES or from_adjoint(rule) is None:
            continue
        if (getattr(primitive, "__module__", "") or "").startswith(("autograd_src", "tests")):
            continue
        cases.append((registry.primitive_name(primitive), primitive, rule))
    return sorted(cases, key=lambda c: c[0])


DERIVED = _derived()


def _function(primitive, n):
    params = ", ".join(f"a{k}" for k in range(n))
    source = f"def case({params}):\n    return prim({params})\n"
    import linecache
    filename = f"<forward derived {id(primitive)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {"prim": primitive, "np": np}
    exec(compile(source, filename, "exec"), namespace)
    return namespace["case"]


@pytest.mark.parametrize("name, primitive, rule", DERIVED, ids=[c[0] for c in DERIVED])
def test_tangent_read_off_the_adjoint(name, primitive, rule):
    rng = np.random.default_rng(0)
    scalar = getattr(primitive, "__module__", None) == "math" or \
        type(primitive).__name__ == "builtin_function_or_method"
    args, tangents = [], []
    for index in range(rule.n_inputs):
        if rule.exprs[index] is None:  # an order or a count: an integer, held constant
            args.append(2)
            tangents.append(None)
            continue
        value = float(rng.uniform(0.2, 0.8)) if scalar else rng.uniform(0.2, 0.8, 4)
        args.append(value)
        tangents.append(float(rng.normal()) if scalar else rng.normal(size=4))
    fn = _function(primitive, rule.n_inputs)
    try:
        expected_value = fn(*args)
    except Exception as exc:  # not callable this way (needs other arguments)
        pytest.skip(f"{name}: {type(exc).__name__}")
    value, tangent = jvp(fn, args, tangents)
    np.testing.assert_allclose(value, expected_value)
    eps = 1e-6
    plus = [a + eps * t if t is not None else a for a, t in zip(args, tangents)]
    minus = [a - eps * t if t is not None else a for a, t in zip(args, tangents)]
    differences = (np.asarray(fn(*plus)) - np.asarray(fn(*minus))) / (2 * eps)
    np.testing.assert_allclose(tangent, differences, rtol=1e-5, atol=1e-7)
    u = float(rng.normal()) if scalar else rng.normal(size=np.shape(value))
    _, vjp_fn = vjp(fn, *args)
    cotangents = vjp_fn(u)
    left = float(np.sum(u * np.asarray(tangent)))
    right = sum(float(np.sum(g * t)) for g, t in zip(cotangents, tangents) if t is not None)
    assert abs(left - right) <= 1e-10 * max(1.0, abs(left))


def test_the_fallback_covers_only_elementwise_primitives():
    names = {c[0] for c in DERIVED}
    assert "np.linalg.cholesky" not in names and "np.sort" not in names
    assert "np.linspace" not in names  # broadcasts its endpoints into a new axis
    assert {"math.erf", "np.fmod", "np.copysign"} <= names
    assert math.erf in {c[1] for c in DERIVED}
