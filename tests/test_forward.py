"""Forward mode (jvp, make_jvp, jacfwd) against reverse mode and finite differences,
on the corpus, control flow, helpers, lists and models grad is tested on."""

import inspect

import numpy as np
import pytest

from autograd_src import (
    NoRuleError,
    extend,
    grad,
    jacfwd,
    jacobian,
    jacrev,
    jvp,
    make_jvp,
    vjp,
)

from . import control_flow_cases as cf
from . import helper_cases as hc
from . import list_cases as lc
from . import model_cases as mc
from .corpus import CASES
from .forward_checks import check_forward


@pytest.mark.parametrize("fn, make_args, wrt", CASES, ids=[c[0].__name__ for c in CASES])
def test_corpus(fn, make_args, wrt):
    check_forward(fn, make_args(np.random.default_rng(0)), wrt)


CONTROL = [(fn, make, wrt) for fn, makers, wrt in cf.CASES for make in makers]


@pytest.mark.parametrize("fn, make_args, wrt", CONTROL,
                         ids=[f"{fn.__name__}-{i}" for fn, makers, _ in cf.CASES
                              for i in range(len(makers))])
def test_control_flow(fn, make_args, wrt):
    check_forward(fn, make_args(np.random.default_rng(0)), wrt)


@pytest.mark.parametrize("fn, make_args, wrt", hc.CASES, ids=[c[0].__name__ for c in hc.CASES])
def test_helpers(fn, make_args, wrt):
    check_forward(fn, make_args(np.random.default_rng(0)), wrt)


@pytest.mark.parametrize("fn, make_args, wrt", lc.CASES, ids=[c[0].__name__ for c in lc.CASES])
def test_lists(fn, make_args, wrt):
    check_forward(fn, make_args(np.random.default_rng(0)), wrt)


@pytest.mark.parametrize("fn, make_args, wrt", mc.CASES, ids=[c[0].__name__ for c in mc.CASES])
def test_models(fn, make_args, wrt):
    check_forward(fn, make_args(np.random.default_rng(0)), wrt)


from . import mutation_cases as mu  # noqa: E402


@pytest.mark.parametrize("fn, make_args, wrt", mu.CASES, ids=[c[0].__name__ for c in mu.CASES])
def test_mutation(fn, make_args, wrt):
    check_forward(fn, make_args(np.random.default_rng(0)), wrt)


# ----- the API: make_jvp, jvp, vjp -----


def poly(x, y):
    z = np.sin(x) * y
    return np.sum(z ** 2)


def test_make_jvp_is_generated_code_users_can_read(capsys):
    df = make_jvp(poly, wrt=(0, 1), verbose=1)
    printed = capsys.readouterr().out
    assert printed == df.source + "\n"
    assert inspect.getsource(df) == df.source
    assert df.source.startswith("def jvp_poly(x, y, *, dx, dy):")
    assert "dsin_x = dx * np.cos(x)" in df.source
    assert "# Tangent of: z = np.sin(x) * y" in df.source
    assert df.tangents == ("dx", "dy")
    x, y = np.array([0.3, 0.6]), np.array([1.5, -0.5])
    value, tangent = df(x, y, dx=np.array([1.0, 0.0]), dy=np.zeros(2))
    assert value == pytest.approx(poly(x, y))
    assert tangent == pytest.approx(grad(poly)(x, y)[0])


def test_verbose_2_shows_the_stages(capsys):
    make_jvp(poly, verbose=2)
    out = capsys.readouterr().out
    assert "# ----- after normalize -----" in out
    assert "# ----- after forward: primal and tangent statements, before rewriting -----" in out
    assert "# ----- after forward: after rewriting -----" in out


def test_jvp_takes_tangents_in_the_structure_of_the_arguments():
    def weighted(params, x):
        return np.sum(params["w"] * x) + params["b"][0]
    params = {"w": np.array([1.0, 2.0]), "b": [0.5]}
    x = np.array([3.0, -1.0])
    tangent = {"w": np.array([0.1, 0.2]), "b": [1.0]}
    value, out = jvp(weighted, (params, x), (tangent, None))
    assert value == pytest.approx(weighted(params, x))
    assert out == pytest.approx(0.1 * 3.0 - 0.2 + 1.0)


def test_jvp_checks_tangent_shapes():
    with pytest.raises(ValueError, match="tangent dx has shape \\(3,\\), but x has shape"):
        jvp(poly, (np.ones(2), np.ones(2)), (np.ones(3), None))
    with pytest.raises(ValueError, match="one tangent per argument"):
        jvp(poly, (np.ones(2), np.ones(2)), (np.ones(2),))
    # an array given for the tuple of arguments was read as one argument per row
    # ("wrt=1 is out of range"), a float as "'float' object is not iterable"
    with pytest.raises(TypeError, match=r"as tuples.*jvp\(f, \(x,\), \(v,\)\), not a "
                                        "ndarray"):
        jvp(np.sin, np.ones(2), np.ones(2))
    with pytest.raises(TypeError, match="not a float"):
        jvp(np.sin, (0.5,), 1.0)


def test_jvp_of_a_scalar_loop_with_an_integer_argument():
    def spring(k, x0, v0, n_steps):
        x, v = x0, v0
        energy = 0.0
        for _ in range(n_steps):
            a = -k * x - 0.1 * v
            v = v + 0.01 * a
            x = x + 0.01 * v
            energy = energy + 0.5 * v * v + 0.5 * k * x * x
        return energy
    value, tangent = jvp(spring, (1.5, 1.0, 0.0, 50), (1.0, None, None, None))
    assert value == pytest.approx(spring(1.5, 1.0, 0.0, 50))
    assert tangent == pytest.approx(grad(spring)(1.5, 1.0, 0.0, 50), rel=1e-12)
    df = make_jvp(spring)
    df(1.5, 1.0, 0.0, 50, dk=1.0)
    assert "_fwd" not in df.source  # no broadcasting of tangents: no stacks either
    assert "stack" not in df.source and "denergy = denergy + " in df.source


def test_vjp_gives_one_gradient_per_argument():
    def f(x, y, n):
        return x * y * n
    x, y = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    value, vjp_fn = vjp(f, x, y, 2)
    np.testing.assert_allclose(value, f(x, y, 2))
    dx, dy, dn = vjp_fn(np.array([1.0, 10.0]))
    np.testing.assert_allclose(dx, [6.0, 80.0])
    np.testing.assert_allclose(dy, [2.0, 40.0])
    assert dn is None


def softplus_vjp_only(x):
    return np.log1p(np.exp(x))


extend.defvjp(softplus_vjp_only)(lambda g, ans, x: g / (1 + np.exp(-x)))


def softplus_both(x):
    return np.log1p(np.exp(x))


@extend.defvjp(softplus_both)
def _softplus_both_vjp(g, ans, x):
    return g / (1 + np.exp(-x))


@extend.defjvp(softplus_both)
def _softplus_both_jvp(g, ans, x):
    return g / (1 + np.exp(-x))


def scipy_like(x):
    raise RuntimeError("forward mode must use the tangent rule, not run this body")


@extend.defjvp(scipy_like)
def _scipy_like_jvp(g, ans, x):
    return 3.0 * g


def test_a_primitive_with_only_an_adjoint_rule_is_refused_naming_defjvp():
    def f(x):
        return np.sum(softplus_vjp_only(x))
    with pytest.raises(NoRuleError, match="no forward-mode rule for .*softplus_vjp_only.*defjvp"):
        make_jvp(f)


def test_custom_tangent_rules_are_used():
    def f(x):
        return np.sum(softplus_both(x) * 2.0)
    x = np.array([-1.0, 0.5])
    value, tangent = jvp(f, (x,), (np.ones(2),))
    assert tangent == pytest.approx(2 * np.sum(1 / (1 + np.exp(-x))))
    assert "_softplus_both_jvp" not in make_jvp(f).source  # inlined
    assert "/ (1 + np.exp(-x))" in make_jvp(f).source


def test_a_tangent_rule_alone_makes_a_function_a_forward_primitive():
    def f(x):
        return scipy_like(x) + x
    source = make_jvp(f).source
    assert "3.0 * dx" in source
    with pytest.raises(RuntimeError):  # the value still runs the function itself
        jvp(f, (1.0,), (1.0,))


def test_a_nested_def_reading_a_differentiated_value():
    def f(x):
        def g(v):
            return v * np.sin(x)
        return g(2.0) + g(x)
    value, tangent = jvp(f, (0.7,), (1.0,))
    assert value == pytest.approx(f(0.7))
    assert tangent == pytest.approx(grad(f)(0.7))
    assert "def jvp_g(" in make_jvp(f).source


def test_jacfwd_and_jacrev_of_a_float_argument():
    def f(t):
        return np.array([np.sin(t), t ** 2])
    np.testing.assert_allclose(jacfwd(f)(0.5), [np.cos(0.5), 1.0])
    np.testing.assert_allclose(jacrev(f)(0.5), [np.cos(0.5), 1.0])
    np.testing.assert_allclose(jacobian(f)(0.5), [np.cos(0.5), 1.0])


def test_float32_tangents_stay_float32():
    x = np.array([0.5, 1.0], dtype=np.float32)
    _, tangent = jvp(poly, (x, np.ones(2, dtype=np.float32)), (np.ones(2, np.float32), None))
    assert tangent.dtype == np.float32


def test_cli_prints_the_forward_mode_derivative(capsys):
    import pathlib

    from autograd_src.__main__ import main
    path = pathlib.Path(__file__).parent / "golden_functions.py"
    assert main([f"{path}:scalar_physics", "--wrt", "v", "--mode", "forward"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("def jvp_scalar_physics(v, k, t, *, dv):")
    assert "dout = denergy * damping" in out


class Model:
    def __init__(self, w):
        self.w = w

    def predict(self, x):
        return np.tanh(x * self.w)

    def loss(self, x):
        return np.sum(self.predict(x) ** 2)


def loss_of(model, x):
    return np.sum(model.predict(x) ** 2)


def test_methods_of_an_argument_and_bound_methods():
    model, x, v = Model(2.0), np.array([0.1, 0.2]), np.array([1.0, -0.5])
    value, tangent = jvp(loss_of, (model, x), (None, v))
    assert value == pytest.approx(loss_of(model, x))
    assert tangent == pytest.approx(np.sum(grad(loss_of, wrt=1)(model, x) * v))
    df = make_jvp(loss_of, wrt=1)
    assert df(model, x, dx=v)[1] == pytest.approx(tangent)
    assert "jvp_predict" in df.source
    value, tangent_bound = jvp(model.loss, (x,), (v,))
    assert tangent_bound == pytest.approx(tangent)


# ----- against HIPS autograd's forward mode, where installed -----


def _hips(fn):
    """``fn`` reading HIPS autograd's NumPy wrapper as ``np``, or None."""
    import types
    anp = pytest.importorskip("autograd.numpy")
    return types.FunctionType(fn.__code__, {**fn.__globals__, "np": anp}, fn.__name__,
                              fn.__defaults__, fn.__closure__)


@pytest.mark.parametrize("fn, make_args, wrt", CASES, ids=[c[0].__name__ for c in CASES])
def test_corpus_against_hips_autograd(fn, make_args, wrt):
    autograd = pytest.importorskip("autograd")
    args = make_args(np.random.default_rng(3))
    position = wrt if isinstance(wrt, int) else wrt[0]
    v = np.random.default_rng(4).normal(size=np.shape(args[position]))
    theirs_fn = _hips(fn)

    def along(x):
        return theirs_fn(*args[:position], x, *args[position + 1:])
    try:
        expected = autograd.make_jvp(along)(args[position])(v)[1]
    except Exception as exc:  # a limitation of theirs (math functions, in-place updates)
        pytest.skip(f"HIPS autograd cannot: {type(exc).__name__}")
    tangents = [None] * len(args)
    tangents[position] = v
    np.testing.assert_allclose(jvp(fn, args, tangents)[1], expected, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("fn, make_args, wrt", CONTROL[::2] + CASES[::3],
                         ids=[c[0].__name__ for c in CONTROL[::2] + CASES[::3]])
def test_optimize_false_changes_the_code_not_the_tangent(fn, make_args, wrt):
    args = make_args(np.random.default_rng(5))
    position = wrt if isinstance(wrt, int) else wrt[0]
    v = np.random.default_rng(6).normal(size=np.shape(args[position]))
    plain, rewritten = make_jvp(fn, position, optimize=False), make_jvp(fn, position)
    name = plain.tangents[0]
    np.testing.assert_allclose(plain(*args, **{name: v})[1], rewritten(*args, **{name: v})[1],
                               rtol=1e-12, atol=1e-14)


def test_optimize_false_shows_each_statement_followed_by_its_tangent():
    text = make_jvp(poly, optimize=False).source
    assert "    sin_x = np.sin(x)\n    dsin_x = dx * np.cos(x)\n    z = sin_x * y\n" in text
