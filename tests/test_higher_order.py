"""hessian and hvp (forward mode over grad's generated code) against finite
differences of grad and against HIPS autograd; jacfwd, jacrev and jacobian."""

import types

import numpy as np
import pytest

from autograd_src import NoRuleError, grad, hessian, hvp, jacfwd, jacobian, jacrev
from autograd_src.testing import numerical_grad

from . import second_order_cases as so

SUPPORTED = so.CASES


def _fd_hessian(fn, args):
    """Central differences of the gradient, column by column."""
    gradient = grad(fn)
    x, rest = args[0], args[1:]
    if isinstance(x, float):
        return (gradient(x + 1e-6, *rest) - gradient(x - 1e-6, *rest)) / 2e-6
    columns = []
    for k in range(x.size):
        e = np.zeros(x.size)
        e[k] = 1e-6
        e = e.reshape(x.shape)
        columns.append((gradient(x + e, *rest) - gradient(x - e, *rest)) / 2e-6)
    return np.stack(columns, axis=-1).reshape(x.shape + x.shape)


@pytest.mark.parametrize("fn, make_args", SUPPORTED, ids=[c[0].__name__ for c in SUPPORTED])
def test_hessian_matches_differences_of_grad(fn, make_args):
    args = make_args(np.random.default_rng(0))
    H = hessian(fn)(*args)
    expected = _fd_hessian(fn, args)
    assert np.shape(H) == np.shape(expected)
    np.testing.assert_allclose(H, expected, rtol=1e-5, atol=1e-6)
    if np.ndim(H) == 2:
        np.testing.assert_allclose(H, H.T, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("fn, make_args", SUPPORTED, ids=[c[0].__name__ for c in SUPPORTED])
def test_hvp_is_hessian_times_vector(fn, make_args):
    rng = np.random.default_rng(1)
    args = make_args(rng)
    x = args[0]
    v = float(rng.normal()) if isinstance(x, float) else rng.normal(size=np.shape(x))
    H = hessian(fn)(*args)
    n = np.size(x)
    expected = (np.reshape(H, (n, n)) @ np.ravel(v)).reshape(np.shape(x))
    np.testing.assert_allclose(hvp(fn)(*args, v), expected, rtol=1e-10, atol=1e-12)


def test_a_helper_that_may_differ_when_run_again_is_refused_with_the_reason():
    args = so.CASES[6][1](np.random.default_rng(0))
    grad(so.rnn_with_noisy_cell)(*args)  # first order runs it once: fine
    with pytest.raises(NoRuleError, match=r"hessian\(rnn_with_noisy_cell\).*noisy_cell.*random"):
        hessian(so.rnn_with_noisy_cell)(*args)


def test_helpers_at_second_order_read_again_as_recomputation():
    rng = np.random.default_rng(6)
    x, c = rng.normal(size=3), 0.7
    H = hessian(so.helper_with_keywords)(x, c)
    np.testing.assert_allclose(H, _fd_hessian(so.helper_with_keywords, (x, c)),
                               rtol=1e-5, atol=1e-6)
    assert "scaled(" in hvp(so.helper_with_keywords).source


def _with_autograd(fn):
    """``fn`` reading HIPS autograd's NumPy wrapper as ``np``, and so do the functions
    of its module it calls (``cell`` in ``rnn_with_cell``: an older autograd's boxes
    do not pass through plain NumPy ufuncs)."""
    anp = pytest.importorskip("autograd.numpy")
    namespace = {**fn.__globals__, "np": anp}
    for name, value in fn.__globals__.items():
        if isinstance(value, types.FunctionType) and value.__module__ == fn.__module__:
            namespace[name] = types.FunctionType(value.__code__, namespace, value.__name__)
    return types.FunctionType(fn.__code__, namespace, fn.__name__)


HIPS = [so.rosenbrock, so.sine_product, so.horner, so.branchy, so.mlp_loss, so.rnn,
        so.rnn_with_cell, so.log_sum_exp, so.scalar_physics]


@pytest.mark.parametrize("fn", HIPS, ids=[f.__name__ for f in HIPS])
def test_hessian_matches_hips_autograd(fn):
    autograd = pytest.importorskip("autograd")
    make = dict((f, m) for f, m in so.CASES)[fn]
    args = make(np.random.default_rng(2))
    expected = autograd.hessian(_with_autograd(fn))(*args)
    np.testing.assert_allclose(hessian(fn)(*args), expected, rtol=1e-9, atol=1e-12)


def vector_function(x, y):
    return np.array([x[0] * y, np.sin(x[1]) * x[0], np.sum(x ** 2) * y])


def matrix_function(W):
    return np.tanh(W @ W.T)


def test_jacobians_agree_and_match_hips_autograd():
    autograd = pytest.importorskip("autograd")
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=2), 0.7
    forward, reverse = jacfwd(vector_function, (0, 1))(x, y), jacrev(vector_function, (0, 1))(x, y)
    assert forward[0].shape == (3, 2) and np.shape(forward[1]) == (3,)
    for f, r in zip(forward, reverse):
        np.testing.assert_allclose(f, r, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(forward[0], autograd.jacobian(_with_autograd(vector_function))(x, y))
    W = rng.normal(size=(3, 2))
    J = jacobian(matrix_function)(W)
    assert J.shape == (3, 3, 3, 2)
    np.testing.assert_allclose(J, jacfwd(matrix_function)(W), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(J, autograd.jacobian(_with_autograd(matrix_function))(W))


def test_hessian_of_a_float_function_and_of_an_argument_by_name():
    assert hessian(so.math_scalar)(1.0) == pytest.approx(_fd_hessian(so.math_scalar, (1.0,)),
                                                         rel=1e-6)
    W = np.random.default_rng(4).normal(size=(3, 2))
    x = np.random.default_rng(5).normal(size=(4, 3))
    np.testing.assert_allclose(hessian(so.mlp_loss, "W")(W, x), hessian(so.mlp_loss)(W, x))


ACT = np.sin


def uses_a_global_function(x):
    return np.sum(ACT(x))


def test_hessian_follows_a_redefined_global():
    global ACT
    x = np.array([1.0, 2.0])
    H = hessian(uses_a_global_function)
    np.testing.assert_allclose(np.diag(H(x)), -np.sin(x))
    try:
        ACT = np.cos
        np.testing.assert_allclose(np.diag(H(x)), -np.cos(x))
    finally:
        ACT = np.sin


def _cubic_mix(x):
    return np.sum(np.exp(x[:2]) * x[1:]) + np.prod(x)


def test_jacobians_and_vjp_of_a_gradient():
    # jacfwd/jacrev(grad(f)) read the derivative's parameters as none (*args), and
    # vjp(grad(f)) passed its cotangent as the inner seed dout (a shape error)
    from autograd_src import vjp
    x = np.array([0.3, -0.5, 0.8])
    expected = hessian(_cubic_mix)(x)
    np.testing.assert_allclose(jacfwd(grad(_cubic_mix))(x), expected, rtol=1e-10)
    np.testing.assert_allclose(jacrev(grad(_cubic_mix))(x), expected, rtol=1e-10)
    _, vjp_fn = vjp(grad(_cubic_mix), x)
    np.testing.assert_allclose(vjp_fn(np.array([1.0, 0.0, 2.0]))[0],
                               expected.T @ np.array([1.0, 0.0, 2.0]), rtol=1e-10)
    # (a Jacobian of a Jacobian, JAX's way to a Hessian: the second derivative; it was
    # refused; a Jacobian of a Hessian, third order, is)
    np.testing.assert_allclose(jacfwd(jacrev(_cubic_mix))(x), expected, rtol=1e-10)
    with pytest.raises(TypeError, match=r"third order"):
        jacfwd(hessian(_cubic_mix))


def _layer_with_default(x, W, act=np.tanh):
    return act(x @ W)


def _loss_through_layer(W, X):
    return np.sum(_layer_with_default(X, W) ** 2)


def test_second_order_through_a_helper_with_a_function_default():
    # was refused ("second derivatives through the helper _layer_with_default() ... where
    # its gradient is a closure"): the helper's derivative is specialised to act=np.tanh,
    # and forward mode now reads it again made for the same binding
    W, X = np.ones((3, 2)) * 0.1 + np.arange(6).reshape(3, 2) * 0.05, np.ones((4, 3))
    v = np.array([[1.0, -0.5], [0.25, 2.0], [0.0, 1.0]])
    got = hvp(_loss_through_layer)(W, X, v)
    g, h = grad(_loss_through_layer), 1e-6
    expected = (g(W + h * v, X) - g(W - h * v, X)) / (2 * h)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8)


def _doubled_in_place(x):
    x *= 2.0
    return np.sum(x ** 3)


def _shifted_in_place(x):
    x[1:] = x[:-1] * x[1:]
    return x


def test_vjp_and_jacrev_leave_the_callers_array_alone():
    """They ran f itself on the caller's array for the value: a function updating its
    argument changed it, and the derivative was taken at the changed point (tester)."""
    from autograd_src import vjp
    x = np.array([0.3, -0.6, 1.1])
    np.testing.assert_allclose(jacrev(_doubled_in_place)(x), 24 * x ** 2)
    np.testing.assert_allclose(vjp(_doubled_in_place, x)[1](1.0)[0], 24 * x ** 2)
    np.testing.assert_allclose(jacrev(_shifted_in_place)(x),
                               [[1, 0, 0], [x[1], x[0], 0], [0, x[2], x[1]]])
    value, _ = vjp(_shifted_in_place, x)
    np.testing.assert_allclose(value, [x[0], x[0] * x[1], x[1] * x[2]])
    np.testing.assert_allclose(x, [0.3, -0.6, 1.1])


def _updated_twice_in_place(x):
    x *= 2.0
    x[0] += x[1] ** 2
    return np.sum(x ** 3)


def test_hessian_through_in_place_updates():
    x = np.array([0.3, -0.6, 1.1])
    rows = [numerical_grad(lambda z, i=i: grad(_updated_twice_in_place)(z.copy())[i], [x], 0)
            for i in range(3)]
    np.testing.assert_allclose(hessian(_updated_twice_in_place)(x), rows, rtol=1e-6,
                               atol=1e-8)


def test_hessian_of_a_function_with_several_outputs_is_refused():
    """JAX and HIPS autograd give the tensor out.shape + x.shape + x.shape; this gave the
    Hessian of the sum of the outputs (grad's seed) without a word (tester)."""
    with pytest.raises(ValueError, match=r"scalar value; vector_output\(\) returned shape"):
        hessian(vector_output)(np.array([0.3, 0.6]))


def vector_output(x):
    return np.sin(x) * x[0]


_RNG = np.random.default_rng(0)


def _noisy(x):
    eps = _RNG.standard_normal(x.shape)  # a module's generator
    return np.sin(x) * eps + np.random.standard_normal(x.shape) * x ** 2


def _noisy_total(x):
    eps = _RNG.standard_normal(x.shape)
    return np.sum(np.sin(x) * eps + np.random.standard_normal(x.shape) * x ** 2)


def test_jacobians_and_vjp_draw_what_one_run_draws():
    # each row (column) ran the function again, drawing new noise: a Jacobian made
    # of several draws, a VJP of another draw than its value's (tester K)
    from autograd_src import hessian, jacfwd, jacrev, vjp
    x = np.array([0.3, -0.5, 1.2])

    def one_draw():
        state, np_state = _RNG.bit_generator.state, np.random.get_state()
        eps, eta = _RNG.standard_normal(3), np.random.standard_normal(3)
        _RNG.bit_generator.state = state
        np.random.set_state(np_state)
        return eps, eta

    eps, eta = one_draw()
    expected = np.diag(np.cos(x) * eps + 2 * x * eta)
    np.testing.assert_allclose(jacrev(_noisy)(x), expected, rtol=1e-12)
    eps, eta = one_draw()
    np.testing.assert_allclose(jacfwd(_noisy)(x), np.diag(np.cos(x) * eps + 2 * x * eta),
                               rtol=1e-12)
    eps, eta = one_draw()
    value, vjp_fn = vjp(_noisy, x)
    np.testing.assert_allclose(value, np.sin(x) * eps + eta * x ** 2, rtol=1e-12)
    np.testing.assert_allclose(vjp_fn(np.ones(3))[0], np.cos(x) * eps + 2 * x * eta,
                               rtol=1e-12)
    eps, eta = one_draw()
    h = hessian(_noisy_total)(x)
    np.testing.assert_allclose(h, np.diag(-np.sin(x) * eps + 2 * eta), rtol=1e-12)
    after = _RNG.standard_normal(3)
    _RNG.bit_generator.state = np.random.default_rng(0).bit_generator.state
    assert not np.allclose(after, eps)  # the generator moved on, by one run's draws


def test_hvp_without_its_vector_says_so():
    # "jvp_dfdx() missing 1 required positional argument: 'x'" (tester J)
    from autograd_src import hvp
    with pytest.raises(TypeError, match=r"hvp\(_noisy_total\)\(\*args, v\) takes "
                                        r"_noisy_total's arguments, then the vector v last"):
        hvp(_noisy_total)(np.ones(3))


def _monte_carlo(theta, rng):
    z = rng.normal(size=(50, 2))
    return np.mean((theta + z) ** 2, axis=0)


def test_a_generator_passed_as_an_argument_is_replayed_too():
    # each row drew from the generator passed in (tester N): rows of several samples
    from autograd_src import jacfwd, jacrev, vjp
    theta = np.array([0.2, -0.4])
    z = np.random.default_rng(5).normal(size=(50, 2))
    expected = np.diag(np.mean(2 * (theta + z), axis=0))
    np.testing.assert_allclose(jacfwd(_monte_carlo)(theta, np.random.default_rng(5)),
                               expected, rtol=1e-12)
    np.testing.assert_allclose(jacrev(_monte_carlo)(theta, np.random.default_rng(5)),
                               expected, rtol=1e-12)
    value, vjp_fn = vjp(_monte_carlo, theta, np.random.default_rng(5))
    np.testing.assert_allclose(vjp_fn(np.array([1.0, 0.0]))[0], expected[0], rtol=1e-12)


_CFG = {"rng": np.random.default_rng(7)}


def _noise(n):
    return _CFG["rng"].normal(size=n)


def _noisy_through_a_helper(x):
    return x * _noise(3)


def test_a_generator_reached_through_a_helper_and_a_dict_is_replayed():
    # rows of different draws (tester M): a generator in a dict, named by a helper
    from autograd_src import jacrev
    state = _CFG["rng"].bit_generator.state
    draw = _CFG["rng"].normal(size=3)
    _CFG["rng"].bit_generator.state = state
    np.testing.assert_allclose(jacrev(_noisy_through_a_helper)(np.ones(3)), np.diag(draw),
                               rtol=1e-12)


def _noisy_by_default(x, rng=_RNG):
    return np.sin(x * rng.normal(size=3))


class _Sampler:
    def __init__(self, rng):
        self.rng = rng


def _noisy_through_an_argument(x, cfg):
    return np.sin(x * cfg["sampler"].rng.normal(size=3))


@pytest.mark.parametrize("how", ["default", "in a container argument"])
def test_a_generator_left_to_a_default_or_held_by_an_argument_is_replayed(how):
    # each row drew anew (tester P): the Jacobian mixed rows of different functions
    from autograd_src import hessian, jacfwd, jacrev
    x = np.array([0.3, -0.7, 1.1])
    if how == "default":
        f, rng, extra = _noisy_by_default, _RNG, ()
    else:
        rng = np.random.default_rng(5)
        f, extra = _noisy_through_an_argument, ({"sampler": _Sampler(rng)},)
    for jacobian_of in (jacfwd, jacrev):
        state = rng.bit_generator.state
        z = rng.normal(size=3)
        rng.bit_generator.state = state
        np.testing.assert_allclose(jacobian_of(f)(x, *extra), np.diag(np.cos(x * z) * z),
                                   rtol=1e-12)
    state = rng.bit_generator.state
    z = rng.normal(size=3)
    rng.bit_generator.state = state
    total = _noisy_total_by_default if how == "default" else _noisy_total_through_an_argument
    np.testing.assert_allclose(hessian(total)(x, *extra), np.diag(-np.sin(x * z) * z * z),
                               rtol=1e-12)


def _noisy_total_by_default(x, rng=_RNG):
    return np.sum(np.sin(x * rng.normal(size=3)))


def _noisy_total_through_an_argument(x, cfg):
    return np.sum(np.sin(x * cfg["sampler"].rng.normal(size=3)))


class _Model:
    def __init__(self, A):
        self.A = A

    def energy(self, x):
        return np.sum(np.sin(self.A @ x))


def test_hessian_of_a_bound_method_is_the_class_functions():
    # (tester P: once refused at second order; then refused naming the class's
    # function, which works; tester EF: hessian(m.energy) is that function given m)
    from autograd_src import hessian
    m = _Model(np.array([[2.0, 0.5], [0.5, 1.0]]))
    x = np.array([0.3, -0.5])
    expected = -(m.A.T * np.sin(m.A @ x)) @ m.A
    np.testing.assert_allclose(hessian(m.energy)(x), expected, rtol=1e-12)
    np.testing.assert_allclose(hessian(_Model.energy, wrt=1)(m, x), expected, rtol=1e-12)
