"""Session 30: each change in its smallest form.

Scalar loops written as people write them (a log-likelihood with ``np.pi``, a soft-DTW
table filled by a helper) kept shape stacks, copied the table at every step, and
differentiated the helper for arrays: 5x and 12x the function. Numbers are now known
as numbers in more places; each such fact is checked here against finite differences
and by the generated code it removes.
"""

import numpy as np
import pytest

from autograd_src import grad, hessian
from autograd_src.rules.runtime import core, indexing

from .finite_differences import numeric_grad


def _softmin(a, b, c, gamma):
    m = min(a, b, c)
    s = np.exp(-(a - m) / gamma) + np.exp(-(b - m) / gamma) + np.exp(-(c - m) / gamma)
    return m - gamma * np.log(s)


def soft_dtw(x, y, gamma=1.0):
    n, m = len(x), len(y)
    R = np.full((n + 1, m + 1), np.inf)
    R[0, 0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost = (x[i - 1] - y[j - 1]) ** 2
            R[i, j] = cost + _softmin(R[i - 1, j], R[i, j - 1], R[i - 1, j - 1], gamma)
    return R[n, m]


def gaussian_loglik(p, xs):
    total = 0.0
    for x in xs:
        z = (x - p[0]) / p[1]
        total = total - 0.5 * z * z - np.log(p[1]) - 0.5 * np.log(2 * np.pi)
    return total


def _fd_jacobian(f, x, h=1e-6):
    """Central differences of the vector function ``f``, one row per entry of ``x``."""
    rows = []
    for k in range(x.size):
        e = np.zeros_like(x)
        e[k] = h
        rows.append((f(x + e) - f(x - e)) / (2 * h))
    return np.array(rows)


RNG = np.random.RandomState(30)
X, Y = RNG.randn(6), RNG.randn(5)


def test_soft_dtw_gradient_and_hessian():
    g = grad(soft_dtw)
    assert np.allclose(g(X, Y), numeric_grad(lambda z: soft_dtw(z, Y), X), atol=1e-7)
    assert np.allclose(g(X, Y, 0.5), numeric_grad(lambda z: soft_dtw(z, Y, 0.5), X),
                       atol=1e-7)
    H = hessian(soft_dtw)(X, Y)
    assert np.allclose(H, _fd_jacobian(lambda z: g(z, Y), X), atol=1e-6)


def test_soft_dtw_code_has_no_shape_stacks_nor_table_copies():
    """The table's items are numbers (``np.full(..., np.inf)`` is a float table), the
    helper is differentiated for the numbers it is given, and its result is one: no
    shape is kept, and ``R[i, j] = v`` writes in place (the helper keeps the numbers
    it was given, not the table)."""
    g = grad(soft_dtw)
    g(X, Y)
    text = g.source
    assert "shape_stack" not in text
    assert "_ad.setitem(R" not in text and "R[i, j] = total" in text
    helper = text[text.index("def d_softmin"):]
    assert "unbroadcast" not in helper


def test_constants_of_numpy_and_math_are_numbers():
    """``0.5 * np.log(2 * np.pi)`` is a number: the running total stays one."""
    p, xs = np.array([0.2, 1.3]), list(RNG.randn(20))
    g = grad(gaussian_loglik)
    assert np.allclose(g(p, xs), numeric_grad(lambda q: gaussian_loglik(q, xs), p))
    assert np.allclose(g(p, np.array(xs)),
                       numeric_grad(lambda q: gaussian_loglik(q, xs), p))
    assert "shape_stack" not in g.source
    H = hessian(gaussian_loglik)(p, xs)
    assert np.allclose(H, _fd_jacobian(lambda q: g(q, xs), p), atol=1e-5)


def test_items_at_computed_positions_of_a_vector_are_numbers():
    def f(w, x):
        total = 0.0
        for i in range(1, len(x)):
            d = x[i] - x[i - 1] * w[0]
            total = total + d * d * w[1]
        return total

    w, x = np.array([0.7, 1.5]), RNG.randn(8)
    g = grad(f)
    assert np.allclose(g(w, x), numeric_grad(lambda v: f(v, x), w))
    assert "shape_stack" not in g.source


def test_min_and_max_of_numbers_are_numbers():
    def f(a, b, c):
        return min(a, b) * 2.0 + max(a, b, c) * c

    g = grad(f, wrt=(0, 1, 2))
    assert g(1.0, 2.0, 3.0) == (2.0, 0.0, 6.0)
    assert g(3.0, 2.0, 1.0) == (1.0, 2.0, 3.0)
    assert "unbroadcast" not in g.source


def test_one_helper_given_numbers_and_arrays_in_one_function():
    """Two derivatives of one helper, each made for what it is given: a number
    (``x[i]``) or an array (``v``), in either position."""
    def h(a, b):
        a = a * np.ones(3)  # (a rebound: an array from here on)
        return np.sum(a * b)

    def f(x, v):
        s = 0.0
        for i in range(len(x)):
            s = s + h(x[i], v) + h(v, x[i]) * x[i]
        return s

    x, v = np.array([1.0, 2.0]), np.array([1.0, 2.0, 3.0])
    assert np.allclose(grad(f)(x, v), numeric_grad(lambda z: f(z, v), x))
    assert np.allclose(grad(f, wrt=1)(x, v), numeric_grad(lambda z: f(x, z), v))


def test_helper_given_a_number_returning_an_array():
    """A helper given numbers whose value is an array: its result is not taken for a
    number (its adjoint is summed back where a number meets it)."""
    def h(a):
        return a * np.array([1.0, 2.0, 3.0])

    def f(x):
        total = 0.0
        for i in range(len(x)):
            total = total + h(x[i]) * x[i]
        return np.sum(total)

    x = np.array([0.5, -1.0])
    assert np.allclose(grad(f)(x), numeric_grad(f, x))


def test_a_name_holding_a_number_in_the_loop_and_an_array_after():
    """The shape a number's adjoint is summed to is (), whatever the name holds when the
    adjoint runs (here an array, bound after the loop)."""
    def f(x, c):
        acc = 0.0
        for i in range(len(c)):
            t = c[i] * x[0]
            acc = acc + t * x
        t = np.ones(4)
        return np.sum(acc) + np.sum(t)

    x, c = np.array([0.3, 2.0]), [1.0, 2.0, -1.5]
    assert np.allclose(grad(f)(x, c), numeric_grad(lambda z: f(z, c), x))


def test_seed_of_a_number_by_one_of_its_type():
    assert core.seed(2.5, 1.0) == 2.5 and type(core.seed(2.5, 1.0)) is float
    s = core.seed(np.float64(2.5), np.float64(1.0))
    assert s == 2.5 and type(s) is np.float64
    assert type(core.seed(2.5, np.float64(1.0))) is np.float64
    with pytest.raises(ValueError, match="shape"):
        core.seed(np.ones(2), np.float64(1.0))


def test_zero_item_of_numpy_scalars_is_a_known_zero():
    for item in (np.float64(1.5), np.float32(1.5), np.int64(2)):
        zero = core.zero_item(item)
        assert core.is_zero(zero) and zero.shape == () and zero.dtype.kind == "f"
        assert core.zero_item(item) is zero  # (cached per type)
    assert core.zero_item(np.float32(1.0)).dtype == np.float32


def test_add_at_by_integers_and_by_arrays():
    d = np.zeros((3, 3))
    indexing.add_at(d, (1, 2), 2.0)
    indexing.add_at(d, (np.array([0, 0]), slice(None)), np.ones((2, 3)))
    indexing.add_at(d, [2, 2], 1.0)
    expected = np.zeros((3, 3))
    expected[1, 2] = 2.0
    expected[0] = 2.0
    expected[2] += 2.0
    assert np.array_equal(d, expected)
    mask = np.array([True, False, True])
    assert not indexing._has_array_index((mask, 0)) and indexing._has_array_index([0, 1])


# ----- A library's function with a rule given to a transformation itself (tester EK:
# grad(scipy.special.logsumexp) read SciPy's source and failed on its np.errstate,
# jacobian(softmax) on its array-API dispatch; grad(np.sum) was refused) -----

def test_library_functions_with_rules_given_themselves():
    import scipy.special as special

    from autograd_src import jacfwd, jacobian

    z = np.array([0.3, -1.0, 0.5])
    p = special.softmax(z)
    softmax_jacobian = np.diag(p) - np.outer(p, p)
    assert np.allclose(grad(special.logsumexp)(z), p)
    assert np.allclose(hessian(special.logsumexp)(z), softmax_jacobian)
    assert np.allclose(jacobian(special.softmax)(z), softmax_jacobian)
    assert np.allclose(jacobian(special.softmax)(z, axis=0), softmax_jacobian)
    assert np.allclose(jacfwd(special.softmax)(z), softmax_jacobian)
    assert np.allclose(jacobian(special.log_softmax)(z), np.eye(3) - p)
    assert np.array_equal(grad(np.sum)(z), np.ones(3))
    assert np.allclose(grad(np.mean)(z), np.full(3, 1 / 3))
    assert np.array_equal(jacobian(np.sum)(np.ones((2, 3)), 0).shape, (3, 2, 3))
    assert np.allclose(grad(np.linalg.norm)(z), z / np.linalg.norm(z))
    assert np.array_equal(grad(np.dot)(z, z), z)


def test_a_library_function_taking_star_args_is_still_refused_by_name():
    import scipy.stats as stats
    with pytest.raises(TypeError, match=r"scipy\.stats\.norm\.logpdf has a derivative rule"):
        grad(stats.norm.logpdf)


# ----- K.flat[::n + 1] += noise, jitter on a kernel's diagonal (tester EK: refused as
# "an attribute or a nested element") -----

def _gp_nll(params, X, y):
    ell, sn = np.exp(params[0]), np.exp(params[1])
    d = X[:, None] - X[None, :]
    K = np.exp(-0.5 * d ** 2 / ell ** 2)
    n = len(X)
    K.flat[::n + 1] += sn ** 2
    K.flat[[1, n]] = K.flat[[1, n]] * 0.9  # (and a read and an assignment by positions)
    L = np.linalg.cholesky(K)
    alpha = np.linalg.solve(L.T, np.linalg.solve(L, y))
    return 0.5 * y @ alpha + np.sum(np.log(np.diag(L)))


def test_updates_through_flat_are_followed():
    X, y = np.linspace(-1.0, 1.0, 5), np.sin(np.linspace(-1.0, 1.0, 5))
    params = np.array([-0.3, -1.0])
    g = grad(_gp_nll)
    assert np.allclose(g(params, X, y), numeric_grad(lambda p: _gp_nll(p, X, y), params),
                       rtol=1e-5, atol=1e-7)
    assert "unravel_index" in g.source


# ----- t += dt on a float clock (tester EL: refused as a change in place of an array an
# adjoint reads; dt, a parameter, "may share" with anything, and += was taken to share it) --

_OBSERVED_AT = [0.05, 0.12]


def _advanced_to_observations(D, u0, dt=0.01):
    u = u0
    t = 0.0
    for t_obs in _OBSERVED_AT:
        while t < t_obs:
            u = u * (1 - dt * D)
            t += dt
    return np.sum(u ** 2)


def test_a_float_clock_updated_with_plus_equals():
    u0 = np.array([1.0, 2.0])
    g = grad(_advanced_to_observations)
    assert np.isclose(g(0.5, u0), numeric_grad(
        lambda d: _advanced_to_observations(d[0], u0), np.array([0.5]))[0])
    assert np.allclose(grad(_advanced_to_observations, wrt=1)(0.5, u0),
                       numeric_grad(lambda v: _advanced_to_observations(0.5, v), u0))


def test_plus_equals_on_an_alias_is_still_followed_or_refused():
    """The sharing a += keeps is the one made before it (b = a): b's values, read by
    an adjoint, would change, so it is refused, never wrong."""
    from autograd_src.errors import DiffSyntaxError, InPlaceUpdateError

    def f(x):
        a = x * 1.0
        b = a
        y = np.sum(b * x)
        a += 1.0
        return y + np.sum(a * b)

    x = np.array([0.5, -1.0])
    try:
        got = grad(f)(x)
    except (DiffSyntaxError, InPlaceUpdateError):
        return
    assert np.allclose(got, numeric_grad(f, x))


def test_a_slice_of_a_vector_held_in_a_name_is_not_a_number():
    """``w[:len(y)]`` is normalized to ``w[index]`` with ``index = np.s_[:len(y)]``: not
    an item (the first form of this session took it for one, and summed its adjoint to
    a number: control_flow_cases.growing_arrays)."""
    def f(x, w):
        y = x
        for _ in range(2):
            t = y + w[:len(y)]
            s = slice(0, 2)
            y = np.concatenate([t, t * y]) + np.sum(w[s])
        return np.sum(np.sin(y))

    r = np.random.RandomState(0)
    x, w = r.normal(size=2), r.normal(size=8)
    g = grad(f, wrt=(0, 1))(x, w)
    assert np.allclose(g[0], numeric_grad(lambda v: f(v, w), x), atol=1e-7)
    assert np.allclose(g[1], numeric_grad(lambda v: f(x, v), w), atol=1e-7)


# ----- A stencil loop in a helper (tester EL: 10-25x, the helper copying the grid three
# times a step; the caller's array argument was not known for one) -----

def _diffused(u0, r, steps):
    u = u0.copy()
    for _ in range(steps):
        u[1:-1] += r * (u[2:] - 2 * u[1:-1] + u[:-2])
        u[0] = u[1]
        u[-1] = u[-2]
    return u


def _diffusion_loss(u0, r):
    return np.sum(_diffused(u0, r, 20) ** 2)


def test_a_helper_given_an_array_writes_its_copy_in_place():
    u0 = np.random.RandomState(1).rand(12)
    g = grad(_diffusion_loss)
    assert np.allclose(g(u0, 0.2), numeric_grad(lambda v: _diffusion_loss(v, 0.2), u0))
    assert np.isclose(grad(_diffusion_loss, wrt=1)(u0, 0.2), numeric_grad(
        lambda q: _diffusion_loss(u0, q[0]), np.array([0.2]))[0])
    helper = g.source[g.source.index("def d_diffused"):]
    assert "_ad.setitem(u" not in helper and "u_stack" not in helper
    H = hessian(_diffusion_loss)(u0[:5], 0.2)
    assert np.allclose(H, _fd_jacobian(lambda v: grad(_diffusion_loss)(v, 0.2), u0[:5]),
                       atol=1e-5)


def test_a_helper_given_a_list_or_an_array_in_two_places():
    def ends(v):
        u = v.copy()
        u[0] = u[0] * 3.0
        return u

    def f(x):
        a = ends(x)
        b = ends([x[0], x[1]])
        return np.sum(a * a) + b[0] * b[1]

    x = np.array([0.5, -2.0, 1.5])
    assert np.allclose(grad(f)(x), numeric_grad(f, x))


# ----- Tester EM: a nested def named like a builtin, type(x)(2), a function held by a
# class or namespace read through a local name, a NaN folded from literals,
# np.isscalar -----

def test_a_nested_def_named_like_a_builtin_is_the_users():
    def f(x):
        def min(p, q, r):
            return p + q + r
        return min(x, 2.0, x)

    def g(x):
        def sorted(v):
            return v[::-1]

        def zip(a, b):
            return [(a[0], b[1])]
        s = sorted(x)[0]
        for p, q in zip(x, x[::-1]):
            s = s + p * q
        return s

    assert grad(f)(0.4) == 2.0 and grad(grad(f))(0.4) == 0.0
    x = np.array([0.4, 0.9, 1.3])
    assert np.allclose(grad(g)(x), numeric_grad(g, x))


def test_a_number_of_a_values_own_type():
    def f(x):
        return x * type(x)(2)

    assert grad(f)(0.4) == 2.0 and grad(f)(np.float64(0.4)) == 2.0


class _Ops:
    act = staticmethod(np.tanh)

    def square(v):
        return v * v


def test_functions_held_by_a_class_or_namespace_through_a_local_name():
    import types

    def f(x):
        ops = _Ops
        cfg = types.SimpleNamespace(cube=lambda v: v ** 3, act=np.sin)
        return np.sum(ops.act(x)) + np.sum(ops.square(x)) + np.sum(cfg.cube(x)) + \
            np.sum(cfg.act(x))

    x = np.array([0.3, 0.5])
    assert np.allclose(grad(f)(x), 1 - np.tanh(x) ** 2 + 2 * x + 3 * x ** 2 + np.cos(x))


def test_a_nan_folded_from_literals_is_not_a_changed_file():
    def f(x):
        bad = 1e999 * 0
        return x * 3.0 + (bad if x > 100.0 else 0.0)

    assert grad(f)(0.5) == 3.0


def test_type_predicates_carry_no_gradient():
    def f(x):
        one = np.isscalar(x)
        return x * (2.0 if one else 3.0) * (1.0 if np.iscomplexobj(x) else 1.0)

    assert grad(f)(0.4) == 2.0
    assert np.array_equal(grad(f)(np.ones(2)), np.full(2, 3.0))


# ----- A tridiagonal (Thomas) solve written with scalar loops (tester EL: 18-31x): its
# tables are np.zeros(n) with n = d.shape[0], so their items are numbers -----

def _thomas(a, b, c, d):
    n = d.shape[0]
    cp = np.zeros(n)
    dp = np.zeros(n)
    cp[0] = c[0] / b[0]
    dp[0] = d[0] / b[0]
    for i in range(1, n):
        m = b[i] - a[i] * cp[i - 1]
        cp[i] = c[i] / m if i < n - 1 else 0.0
        dp[i] = (d[i] - a[i] * dp[i - 1]) / m
    x = np.zeros(n)
    x[-1] = dp[-1]
    for i in range(n - 2, -1, -1):
        x[i] = dp[i] - cp[i] * x[i + 1]
    return np.sum(x ** 2)


def test_tables_sized_by_a_shape_hold_numbers():
    r = np.random.default_rng(0)
    a, b, c, d = -r.random(7), 3 + r.random(7), -r.random(7), r.random(7)
    g = grad(_thomas, wrt=(0, 1, 2, 3))
    args = [a, b, c, d]
    for k, got in enumerate(g(a, b, c, d)):
        def along(v, k=k):
            return _thomas(*(args[:k] + [v] + args[k + 1:]))
        assert np.allclose(got, numeric_grad(along, args[k]), atol=1e-7)
    text = g.source
    assert "shape_stack" not in text and "_ad.setitem" not in text and ".copy()" not in text


def test_a_name_that_may_hold_a_tuple_sizes_no_table():
    from autograd_src.transform.normalize.shapes import _Bindings, _int_names, _surely_int
    from autograd_src.transform.source import parse_function

    def f(x, shape):
        n = x.shape[0]
        m = n + 1
        k = shape
        t = len(x)
        t += 1
        return np.zeros(m) + np.zeros(k) + np.zeros(t)

    ints = _int_names(_Bindings(parse_function(f).node))
    assert {"n", "m"} <= ints and not {"k", "t", "shape"} & ints
    import gast
    assert not _surely_int(gast.parse("a + b").body[0].value, frozenset({"a"}))


# ----- xp.sum(h, axis=0) for a module passed in (tester EL: refused, "pass them by
# position", naming .__call__()) -----

def _array_api_style(h, xp):
    u = xp.concatenate([h, 2 * h], axis=1)
    return xp.sum(xp.sum(u ** 2, axis=0) ** 2)


def test_keywords_of_a_function_of_a_module_passed_in():
    h = np.arange(6.0).reshape(2, 3) / 5
    assert np.allclose(grad(_array_api_style)(h, np),
                       numeric_grad(lambda v: _array_api_style(v, np), h))


def _recursively_written(u, n):
    if n == 0:
        return u
    u[n] = u[n - 1] * u[n]
    return _recursively_written(u, n - 1)


def test_a_recursive_helper_writing_into_its_argument_is_refused_by_name():
    """(tester EN: a RecursionError from inside the transformation) the helper, copied
    in to follow its writes, made its derivative again at each level of itself."""
    from autograd_src.errors import NoRuleError

    def f(x):
        u = x.copy()
        return np.sum(_recursively_written(u, 3))

    with pytest.raises(NoRuleError, match=r"_recursively_written\(\) calls itself and "
                                          r"writes into an array"):
        grad(f)(np.array([0.3, 0.5, 0.9, 1.2]))


def test_flatten_is_a_copy():
    """(tester EN: a helper doing u = u0.flatten() was refused as writing into u0)"""
    def ends(u0):
        u = u0.flatten()
        u[0] = u0[1] * u0[2]
        return u

    def f(x):
        a = x.reshape(2, 3) * 1.0
        ends(a[0])
        return np.sum(a ** 2) + np.sum(ends(a[1]))

    x = np.linspace(0.2, 1.4, 6)
    assert np.allclose(grad(f)(x), numeric_grad(f, x))


# ----- Time stepping through a helper, u = step(u, dt) (tester EN: 25-30x, the helper's
# copy made again at each of its writes): u is an array where every binding makes one,
# a helper returning a new copy of an array it is given among them -----

def _step(u0, dt):
    u = u0.copy()
    u[1:-1] += dt * (u0[2:] - 2 * u0[1:-1] + u0[:-2])
    u[0] = u[1]
    u[-1] = u[-2]
    return u


def _stepped(x):
    u = x
    for _ in range(30):
        u = _step(u, 0.2)
    return np.sum(u ** 2)


def _stepped_from_a_list(x):
    u = np.array([x[0], x[1] * 2.0, x[2], x[3]])
    for _ in range(3):
        u = _step(u, 0.2)
    return np.sum(u ** 2)


def _list_step(u0):
    u = u0.copy()
    u[0] = u[1] * u[2]
    return u


def _stepped_list(x):
    u = [x[0], x[1], x[2]]
    for _ in range(2):
        u = _list_step(u)
    return u[0] * u[1] + u[2]


def test_time_stepping_through_a_helper_writes_in_place():
    x = np.random.RandomState(3).rand(9)
    g = grad(_stepped)
    assert np.allclose(g(x), numeric_grad(_stepped, x))
    helper = g.source[g.source.index("def d_step"):]
    assert "_ad.setitem" not in helper
    for f in (_stepped_from_a_list, _stepped_list):
        assert np.allclose(grad(f)(x[:4]), numeric_grad(f, x[:4]))


def test_adjoints_at_positions_computed_from_range_counters_are_added_in_place():
    """``dR[i - 1, j] += g``, not ``dR = _ad.add_at(dR, (i - 1, j), g)``: ``i`` and ``j``
    are bound only by range loops, one int each wherever they are read."""
    def dtw(x, y):
        n, m = len(x), len(y)
        R = np.full((n + 1, m + 1), np.inf)
        R[0, 0] = 0.0
        for i in range(1, n + 1):
            for j in range(1, m + 1):
                c = (x[i - 1] - y[j - 1]) ** 2
                R[i, j] = c + min(R[i - 1, j], R[i, j - 1], R[i - 1, j - 1])
        return R[n, m]

    def not_a_counter(x):
        total = 0.0
        acc = np.zeros(4)
        for i in range(3):
            acc[i + 1] = x[i] * 2.0
        i = np.array([0, 0])  # (i an array of positions here: added twice)
        acc[i] = x[3]
        return np.sum(acc * x) + total

    x, y = np.random.RandomState(5).randn(5), np.random.RandomState(6).randn(4)
    g = grad(dtw)
    assert np.allclose(g(x, y), numeric_grad(lambda v: dtw(v, y), x), atol=1e-7)
    assert "dR[i - 1, j - 1] += " in g.source and "add_at" not in g.source
    v = np.array([0.5, -1.0, 2.0, 0.3])
    assert np.allclose(grad(not_a_counter)(v), numeric_grad(not_a_counter, v))


# ----- Rows of an embedding held in a dict (tester EO: p['E'][tok] in a loop cost
# O(vocabulary) per lookup, 1236x the function at V = 50,000) -----

def _lookups(p, toks):
    total = 0.0
    for tok in toks:
        e = p['E'][tok]
        total = total + np.sum(np.tanh(e @ p['W']))
    return total


def _list_lookups(p, toks):
    h = np.zeros(2)
    for tok in toks:
        h = np.tanh(p[0][tok] + h @ p[1])
    return np.sum(h)


def test_rows_of_an_embedding_in_a_dict_are_added_in_place():
    r = np.random.RandomState(7)
    p = {'E': r.randn(6, 2), 'W': r.randn(2, 3)}
    toks = [1, 4, 1, 0]  # (row 1 twice)
    g = grad(_lookups)
    got = g(p, toks)
    for key in ('E', 'W'):
        def along(v, key=key):
            return _lookups({**p, key: v}, toks)
        assert np.allclose(got[key], numeric_grad(along, p[key]), atol=1e-7)
    assert "add_rows_into" in g.source and "unindex" not in g.source
    assert np.array_equal(p['E'], r.__class__(7).randn(6, 2))  # (the argument unchanged)
    again = g(p, toks)  # (a second call: the rows added to a new array, not the last one)
    assert np.allclose(again['E'], got['E'])
    q = [r.randn(5, 2), r.randn(2, 2)]
    dq = grad(_list_lookups)(q, [3, 3, 0])
    assert np.allclose(dq[0], numeric_grad(lambda v: _list_lookups([v, q[1]], [3, 3, 0]),
                                           q[0]), atol=1e-7)
    def flat(w):
        return _lookups({'E': p['E'], 'W': w.reshape(2, 3)}, toks)

    H = hessian(flat)(p['W'].ravel())
    assert np.allclose(H, _fd_jacobian(grad(flat), p['W'].ravel()), atol=1e-5)
    H = hessian(lambda e: _lookups({'E': e.reshape(6, 2), 'W': p['W']}, toks))(
        p['E'].ravel())
    assert np.allclose(H, _fd_jacobian(grad(lambda e: _lookups(
        {'E': e.reshape(6, 2), 'W': p['W']}, toks)), p['E'].ravel()), atol=1e-5)


# ----- Tester EP: an object made inside the function whose own attribute hides a method
# (wrong values: the class's method was differentiated, Python called the attribute); a
# nested def zip() beside generated code calling the builtin; options of a function given
# itself (keepdims, np.median's out, np.clip's bounds, np.nansum's where) -----

class _Hidden:
    def __init__(self):
        self.scale = np.cos

    def scale(self, z):
        return z * 3

    def forward(self, x):
        return np.sum(self.scale(x))


def test_an_attribute_hiding_a_method_of_an_object_made_inside_is_refused():
    from autograd_src import jacfwd

    def f(x):
        return _Hidden().forward(x)

    x = np.array([0.3, -1.2])
    for transformation in (grad, jacfwd):
        with pytest.raises(TypeError, match="own attribute scale hides the method"):
            transformation(f)(x)


def test_a_nested_zip_beside_a_comprehension_over_pairs():
    def f(x):
        def zip(a, b):
            return [u * w for u, w in [(a[0], b[1]), (a[1], b[0])]]
        return np.sum(np.array(zip(x, x[::-1])))

    x = np.array([0.5, -1.0, 2.0, 0.7])
    assert np.allclose(grad(f)(x), numeric_grad(f, x))


def test_options_of_a_function_given_itself():
    from autograd_src import jacobian
    x = np.array([[1.0, 2.0, np.nan], [3.0, -1.0, 0.5]])
    assert np.array_equal(grad(np.nansum)(x), np.where(np.isnan(x), 0.0, 1.0))
    y = np.arange(6.0).reshape(2, 3)
    assert np.array_equal(grad(np.sum)(y, axis=1, keepdims=True), np.ones((2, 3)))
    assert jacobian(np.max)(y, axis=0, keepdims=True).shape == (1, 3, 2, 3)
    assert np.allclose(grad(np.median)(np.array([[3.0, 1.0], [0.5, 4.0]]), axis=0),
                       np.full((2, 2), 0.5))
    v = np.array([-1.0, 0.2, 0.9])
    assert np.array_equal(grad(np.clip)(v, a_min=-0.5, a_max=0.5), [0.0, 1.0, 0.0])
    assert grad(np.round)(1.3) == 0.0
    with pytest.raises(TypeError, match="dtype"):
        grad(np.sum)(y, dtype=np.float64)


def test_a_builtin_or_ufunc_bound_to_a_local_name():
    """(tester EP: min = max; min(a, b, c) crashed in the rule of two-argument max)"""
    def f(x):
        min = max
        act = np.tanh
        return min(x[0], x[1], x[2]) * np.sum(act(x))

    x = np.array([0.1, 0.5, 0.3])
    assert np.allclose(grad(f)(x), numeric_grad(f, x))
    assert hessian(f)(x).shape == (3, 3)


def test_forward_mode_into_an_array_without_a_tangent_yet():
    """(fuzzer, second order, seed 300304: a NameError in forward mode) an array made
    without gradient then given one in place, by an item: its tangent's zeros first."""
    from autograd_src import jvp

    def g(x, a):
        acc = np.ones(2)
        acc[-1] = a * (acc @ acc)
        return a * 2.0 + np.sum(x) * 0.0

    def h(x, a):
        acc = np.ones(2)
        acc[-1] = a * (acc @ acc)
        return np.sum(acc * x)

    x = np.array([0.5, 2.0])
    assert jvp(g, (x, 0.5), (np.ones(2), 1.0))[1] == 2.0
    value, tangent = jvp(h, (x, 0.5), (np.ones(2), 1.0))
    assert np.isclose(tangent, (h(x + 1e-6, 0.5 + 1e-6) - h(x - 1e-6, 0.5 - 1e-6)) / 2e-6)
