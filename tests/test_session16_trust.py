"""Findings of session 16 (its testers and the items left open by session 15), each in
its smallest form."""

import functools
from collections import namedtuple

import numpy as np
import pytest

import autograd_src as mg
from autograd_src import grad, hessian, hvp, jacfwd, jvp, vjp
from autograd_src.errors import DiffSyntaxError, InPlaceUpdateError, NoRuleError


def _appends_a_copy(a, lst):
    a[...] = np.sin(a)
    lst.append(a.copy())


def _copies_then_appends(a, lst):
    a = a.copy()
    _appends_a_copy(a, lst)  # (a helper copied to work on a copy of a: lst is not)
    return 0.0


def grows_its_list_two_calls_deep(x, log):
    r = _copies_then_appends(np.zeros_like(x)[0], log)
    return r + log[0] * np.sum(x)


def test_a_list_grown_by_a_helper_two_calls_deep():
    # the helper's copy was taken to write only into its own copies, so its append to
    # the differentiated list was run unseen: a gradient of 2 items for a list of 1
    # (refused from session 16; since session 24 the helper passing its parameter to a
    # writer is copied in too, and its append followed)
    log, plain = [0.25], [0.25]
    dx, dlog = grad(grows_its_list_two_calls_deep, wrt=(0, 1))(np.ones((2, 3)), log)
    np.testing.assert_allclose(dx, 0.25)
    assert len(dlog) == 1 and dlog[0] == pytest.approx(6.0)  # (d/dlog[0] of log[0] * 6)
    grows_its_list_two_calls_deep(np.ones((2, 3)), plain)
    assert len(log) == len(plain) == 2
    np.testing.assert_array_equal(log[1], plain[1])
    x = np.ones((2, 3))
    np.testing.assert_allclose(grad(grows_its_list_two_calls_deep)(x, [0.25]), 0.25)


def _stores(a, dct):
    dct['arr'] = a
    return np.sum(np.sin(a))


def _stores_flat(a, dct):
    r = _stores(np.reshape(a, (-1,)), dct)
    dct['scale'] = dct['scale'] * 2.0
    return r


def _stores_flat_then_whole(a, dct):
    r = _stores_flat(a[:, 1:], dct)
    dct['arr'] = a  # (another shape under the same key)
    return r + np.sum(a * a)


def stores_two_shapes_under_one_key(x, cfg):
    r = _stores_flat_then_whole(x, cfg)
    return r * cfg['scale']


def test_an_item_overwritten_by_one_of_another_shape_has_no_gradient_of_that_shape():
    # the zero adjoint left for the overwritten item took the new item's shape: a
    # broadcast error in the adjoint of the first store
    x = np.arange(8.0).reshape(2, 4) / 10
    cfg = {'scale': 1.5}
    value, back = vjp(stores_two_shapes_under_one_key, x, cfg)
    gx, gcfg = back(1.0)
    expect_x = 3.0 * 2 * x
    expect_x[:, 1:] += 3.0 * np.cos(x[:, 1:])
    np.testing.assert_allclose(gx, expect_x)
    np.testing.assert_allclose(gcfg['scale'], 2 * value / 3.0)
    # as one run of Python leaves it (vjp's run was given a copy of x, and vjp_fn leaves
    # the state as vjp left it)
    assert cfg['scale'] == 3.0 and np.array_equal(cfg['arr'], x)


def _scales_its_second(x, y, w):
    y += 0.1 * np.sum(w)
    return np.sum(w * x), y


def passes_an_item_and_the_array(x):
    a, b = _scales_its_second(x, x[1], x)
    return a + b + np.sum(x)  # (x read again: y may be a view of x, checked as it runs)


def test_a_check_made_as_a_call_runs_is_written_once():
    # a statement unpacking a call's values is read again as values = h(...): each
    # check of what the call writes into was emitted twice
    df = grad(passes_an_item_and_the_array)
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(df(x), 2 * x + 1.1 + np.array([0.0, 1.0, 0.0]))
    assert df.source.count("_ad.not_an_array(") == 1


def weighted_lower_triangle(x):
    return np.sum(np.tril(x) * np.arange(16.0).reshape(4, 4)) + \
        np.sum(np.triu(x, 1) * np.arange(16.0).reshape(4, 4) ** 2)


def test_tril_and_triu_of_a_vector_give_the_vectors_shape():
    # NumPy's tril of a 1-D array is of the array broadcast to a square: the gradient
    # came back 4 x 4 for an argument of shape (4,)
    x = np.array([0.3, 0.6, 0.2, 0.9])
    weights = np.arange(16.0).reshape(4, 4)
    expect = np.tril(weights).sum(axis=0) + np.triu(weights ** 2, 1).sum(axis=0)
    np.testing.assert_allclose(grad(weighted_lower_triangle)(x), expect)
    t = mg.tensor(x)
    weighted_lower_triangle(t).backward()
    np.testing.assert_allclose(t.grad, expect)


def test_a_gradient_of_another_shape_than_its_argument_is_an_error():
    from autograd_src import extend

    def stretch(v):
        return np.concatenate([v, v])

    @extend.defvjp(stretch)
    def stretch_vjp(g, ans, v):
        return g  # a slip: of the output's shape

    def f(v):
        return np.sum(stretch(v) ** 2)

    with pytest.raises(RuntimeError, match=r"shape \(6,\) for an argument of shape \(3,\)"):
        grad(f)(np.ones(3))


def weighted_counts(w, bins):
    return np.sum(np.bincount(bins, weights=w * w, minlength=5) * np.arange(5.0))


def test_bincount_carries_its_weights_gradient():
    w, bins = np.array([1.0, 2.0, 3.0]), np.array([0, 1, 3])
    np.testing.assert_allclose(grad(weighted_counts)(w, bins), 2 * w * bins)
    assert np.isclose(jvp(weighted_counts, (w, bins), (np.ones(3), None))[1],
                      np.sum(2 * w * bins))
    t = mg.tensor(w)
    out = mg.bincount(bins, weights=t)  # (a NumPy array before: the gradient dropped)
    mg.sum(out * mg.arange(4.0)).backward()
    np.testing.assert_allclose(t.grad, bins)


def test_tensor_creation_from_a_tensor_keeps_its_gradient():
    # mg.full, mg.full_like and mg.linspace given a tensor made a leaf of its data
    w = mg.tensor(2.0)
    (mg.full((3,), w) ** 2).sum().backward()
    assert w.grad == 12.0
    w = mg.tensor(2.0)
    (mg.full_like(np.zeros(3), w, shape=(2, 2)) ** 2).sum().backward()
    assert w.grad == 16.0
    ends = mg.tensor([1.0, 3.0])
    (mg.linspace(ends[0], ends[1], 5) * np.arange(5.0)).sum().backward()
    np.testing.assert_allclose(ends.grad, [2.5, 7.5])


def kalman_like(q, ys):
    P = np.eye(2)
    total = 0.0
    for y in ys:
        P = 2.0 * P  # (a new array: storing into it changes nothing else)
        P[0, 0] += q
        total += P[0, 0] * y
    return total


def test_an_array_made_by_arithmetic_is_the_functions_own():
    # refused as "possibly shared" where the loop's item y was read
    ys = np.array([0.5, -1.0, 2.0])
    h = 1e-6
    expect = (kalman_like(0.1 + h, ys) - kalman_like(0.1 - h, ys)) / (2 * h)
    assert np.isclose(grad(kalman_like)(0.1, ys), expect)


def test_a_dict_nested_in_the_state_written_through_another_name_is_not_dropped():
    # c = state['cache']; c['loss'] = v made a new c: the caller's state kept nothing
    # of the write (and the optimizer then dropped the statement). Refused as it runs.
    def loss(W, state):
        c = state['cache']
        out = np.sum(W ** 2)
        c['loss'] = float(out)
        return out

    with pytest.raises(InPlaceUpdateError, match="c\\['loss'\\] = float\\(out\\)"):
        grad(loss)(np.ones(2), {'cache': {}})


def scales_a_nested_list(params, x):
    wb = params[0]
    wb[0] = wb[0] * 0.9
    return np.sum(np.tanh(x @ wb[0] + wb[1]))


def test_a_store_into_a_list_held_by_an_argument_is_refused_not_dropped():
    # wb = params[0]; wb[0] = ... made a new wb: the caller's params[0] kept the old W
    W, b, x = np.ones((3, 2)), np.zeros(2), np.ones((4, 3))
    with pytest.raises(InPlaceUpdateError, match="wb = list\\(wb\\)"):
        grad(scales_a_nested_list)([[W, b]], x)


Layer = namedtuple('Layer', ['W', 'b'])


def _layer(x, W, b, act=np.sin):
    return act(x @ W + b)


def _through_layers(params, x):
    h = x
    for lyr in params:
        h = _layer(h, lyr.W, lyr.b)
        h *= 2.0
    lyr = params[-1]
    return h


def namedtuple_layers(params, x):
    return np.sum(_through_layers(params, x)) + sum(np.sum(p.W) for p in params)


def test_a_helper_returning_a_list_of_namedtuples_is_seeded_item_by_item():
    # the seed of a helper's (value, list of namedtuples) took a namedtuple for a seed
    # written as a list: ValueError inside _ad.seed
    rng = np.random.default_rng(0)
    params = [Layer(rng.standard_normal((2, 3)), rng.standard_normal(3))]
    x = rng.standard_normal((4, 2))
    g = grad(namedtuple_layers)(params, x)
    z = x @ params[0].W + params[0].b
    np.testing.assert_allclose(g[0].W, x.T @ (2.0 * np.cos(z)) + 1.0)
    np.testing.assert_allclose(g[0].b, np.sum(2.0 * np.cos(z), axis=0))


def _dense(x, W, act=np.tanh):
    return act(x @ W)


_SIN_DENSE = functools.partial(_dense, act=np.sin)


def test_a_partial_made_outside_the_function_is_followed():
    # the message advised a derivative rule, or declaring it constant (a silent zero);
    # then it was refused; since session 25 it is written out as a call of _dense
    def loss(W, x):
        return np.sum(_SIN_DENSE(x, W) ** 2)

    rng = np.random.default_rng(3)
    W, x = rng.standard_normal((3, 3)), rng.standard_normal((4, 3))
    z = x @ W
    np.testing.assert_allclose(grad(loss)(W, x), x.T @ (2.0 * np.sin(z) * np.cos(z)))


def solved_squares(A, B):
    return np.sum(np.linalg.solve(A, B) ** 2)


@pytest.mark.parametrize("shapes", [((3, 3), (2, 3, 3)), ((2, 3, 3), (3, 3))])
def test_solve_with_one_side_stacked_sums_the_gradient_over_the_stack(shapes):
    # one A for a stack of B: A's gradient came back stacked (of B's batch shape)
    rng = np.random.default_rng(0)
    A = rng.standard_normal(shapes[0]) + 3 * np.eye(3)
    B = rng.standard_normal(shapes[1])
    dA, dB = grad(solved_squares, wrt=(0, 1))(A, B)
    assert dA.shape == A.shape and dB.shape == B.shape
    h = 1e-6
    for arg, got in ((0, dA), (1, dB)):
        value = (A, B)[arg]
        for i in np.ndindex(value.shape):
            up, down = value.copy(), value.copy()
            up[i] += h
            down[i] -= h
            args_up = (up, B) if arg == 0 else (A, up)
            args_down = (down, B) if arg == 0 else (A, down)
            expect = (solved_squares(*args_up) - solved_squares(*args_down)) / (2 * h)
            assert np.isclose(got[i], expect, rtol=1e-5, atol=1e-6)
    tA, tB = mg.tensor(A), mg.tensor(B)
    solved_squares(tA, tB).backward()
    np.testing.assert_allclose(tA.grad, dA)
    np.testing.assert_allclose(tB.grad, dB)
    VA, VB = rng.standard_normal(A.shape), rng.standard_normal(B.shape)
    _, tangent = jvp(solved_squares, (A, B), (VA, VB))
    assert np.isclose(tangent, np.sum(dA * VA) + np.sum(dB * VB))


def branch_left_empty_by_the_optimizer(x, w):
    for i in range(2):
        if i % 2 == 1:
            loss = 0.05 * ((w[:, 1] if w.sum() <= -1.06 else np.sum(w, axis=1)) @ x)  # noqa: F841
            h1 = np.tanh(loss + w)  # noqa: F841
            s, h1 = np.mean(x), np.arctan(w)  # noqa: F841
        else:
            w = w  # (its adjoint, dw = dw, optimized away after its comment was made)
        for _ in range(2):
            w = w - 0.5 * np.tanh(w)
    return np.sum(w ** 2)


def test_an_else_whose_adjoint_was_optimized_away_compiles():
    # the else kept its "# Grad of: w = w" comment alone: an IndentationError
    x, w = np.ones(2), np.array([[0.3, -0.2], [0.5, 0.1]])
    dw = grad(branch_left_empty_by_the_optimizer, wrt=1)(x, w)
    h = 1e-6
    for i in np.ndindex(w.shape):
        up, down = w.copy(), w.copy()
        up[i] += h
        down[i] -= h
        expect = (branch_left_empty_by_the_optimizer(x, up) -
                  branch_left_empty_by_the_optimizer(x, down)) / (2 * h)
        assert np.isclose(dw[i], expect, rtol=1e-6)


def _picked(z, y):
    return z[np.arange(len(y)), y]


def cross_entropy_through_a_helper(W, X, y):
    z = X @ W
    logp = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    return -np.sum(_picked(logp, y))


def cross_entropy_inline(W, X, y):
    z = X @ W
    logp = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    return -np.sum(logp[np.arange(len(y)), y])


def test_hvp_through_a_helper_indexing_with_integer_labels():
    # forward over reverse saved the helper's arguments as one tuple, (logp, y): y was
    # taken for differentiated and its index refused ("computed from a differentiated
    # value"), though the same line inline worked
    rng = np.random.default_rng(0)
    W, X = rng.standard_normal((3, 3)), rng.standard_normal((4, 3))
    y, v = rng.integers(0, 3, 4), rng.standard_normal((3, 3))
    expect = hvp(cross_entropy_inline)(W, X, y, v)
    np.testing.assert_allclose(hvp(cross_entropy_through_a_helper)(W, X, y, v), expect)
    H = hessian(cross_entropy_through_a_helper)(W, X, y)
    np.testing.assert_allclose(np.tensordot(H, v, 2), expect)


def test_jvp_refusing_a_function_chains_no_key_error():
    # the refusal was raised inside the except KeyError of jvp's cache lookup
    def star_args(*params):
        a, b = params
        return a ** 2 * b

    # (*args is taken since session 28, positions counted over the call's values)
    value, tangent = jvp(star_args, (1.5, 2.0), (1.0, 0.0))
    assert (value, tangent) == (4.5, 6.0)
    with pytest.raises(ValueError, match="wrt=-1") as raised:
        grad(star_args, -1)
    assert raised.value.__context__ is None


def taken_along(a, idx):
    return np.sum(np.take_along_axis(a, idx, axis=0) ** 2) + \
        np.sum(np.take_along_axis(a, np.array([[1], [3], [3]]), axis=1))


def test_take_along_axis_with_repeated_and_broadcast_indices():
    # no rule before (88 of tester AR's 900 generated models used it for the loss)
    rng = np.random.default_rng(1)
    a, idx = rng.standard_normal((3, 4)), np.array([[0, 0, 2, 2]])
    got = grad(taken_along)(a, idx)
    h = 1e-6
    for i in np.ndindex(a.shape):
        up, down = a.copy(), a.copy()
        up[i] += h
        down[i] -= h
        expect = (taken_along(up, idx) - taken_along(down, idx)) / (2 * h)
        assert np.isclose(got[i], expect, rtol=1e-6, atol=1e-8)
    v = rng.standard_normal(a.shape)
    assert np.isclose(jvp(taken_along, (a, idx), (v, None))[1], np.sum(got * v))
    t = mg.tensor(a)
    taken_along(t, idx).backward()
    np.testing.assert_allclose(t.grad, got)


def _bumps_its_number(x, y):
    y += 0.1 * np.dot(x, x)
    return np.sum(np.log1p(x ** 2)) + y


def _passes_an_item(u):
    r = _bumps_its_number(u[:, -1], u[1, 1])  # (y += ... rebinds a number: u unchanged)
    return r * np.sum(u)


def item_to_a_writer(x):
    h = _passes_an_item(x)
    return h + np.sum(x ** 2)  # (x read again: checked as the call runs)


def test_an_item_passed_to_a_writer_is_checked_not_the_whole_array():
    # the helper was taken to write into all of u, and x (an array) refused as it ran;
    # the write reaches x only where u[1, 1] is a view, of an x of 3 dimensions or more
    x = np.array([[0.3, -0.2], [0.5, 0.1], [0.2, 0.4]])
    got = grad(item_to_a_writer)(x)
    h = 1e-6
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        expect = (item_to_a_writer(up) - item_to_a_writer(down)) / (2 * h)
        assert np.isclose(got[i], expect, rtol=1e-6, atol=1e-9)
    with pytest.raises(InPlaceUpdateError, match="_passes_an_item"):
        grad(item_to_a_writer)(np.ones((2, 2, 2)))


def _log_density(y, mean, var):
    return -0.5 * np.sum((y - mean) ** 2) / var - 0.5 * len(y) * np.log(2 * np.pi * var)


_NAMES = ['mean', 'log_var']


def _unpacked(params):
    fields = {}
    for k, name in enumerate(_NAMES):
        if name.startswith('log_'):
            fields[name[4:]] = np.exp(params[k])
        else:
            fields[name] = params[k]
    return fields


def negative_log_likelihood(params, y):
    fields = _unpacked(params)
    return -_log_density(y, fields['mean'], fields['var'])


def test_hessian_reading_np_pi_and_calling_string_methods_is_not_refused():
    # forward over reverse refused: "reads np.pi, which unpack_back() may change" and
    # "reads _NAMES, which name.startswith() may change" (a NumPy constant; a string
    # method; a helper's backward function, grad's own code)
    y, p = np.array([0.3, -0.2, 1.1]), np.array([0.1, -0.4])
    H = hessian(negative_log_likelihood)(p, y)
    g = grad(negative_log_likelihood)
    h = 1e-5
    for j in range(2):
        e = np.eye(2)[j] * h
        np.testing.assert_allclose(H[:, j], (g(p + e, y) - g(p - e, y)) / (2 * h), rtol=1e-6)


_WEIGHTS = [0.5, -1.2, 0.3, 0.8]


def rebinds_and_accumulates(t):
    y = t
    acc = 0.0
    for c in _WEIGHTS:
        acc = acc + c * y
    y = acc
    y = np.sin(y) + np.cos(t * y)
    return np.sum(np.array([y, t]) ** 2)


def test_second_order_where_the_gradient_aliases_an_adjoint_before_binding_it_anew():
    # grad's code has dacc = dy, then dy = _ad.zeros_like(y) and dy += ... in a loop:
    # read again, the update was taken to write into dacc's value (refused)
    t, h = 0.7, 1e-5
    g = grad(rebinds_and_accumulates)
    expect = (g(t + h) - g(t - h)) / (2 * h)
    assert np.isclose(grad(grad(rebinds_and_accumulates))(t), expect, rtol=1e-6)
    assert np.isclose(hessian(rebinds_and_accumulates)(t), expect, rtol=1e-6)
    assert np.isclose(hvp(rebinds_and_accumulates)(t, 1.0), expect, rtol=1e-6)


def with_a_nested_step(x, c):
    def step(u):
        return u - 0.1 * x * u ** 3
    return np.sum(step(x) * c)


def test_jvp_of_a_function_calling_grad_of_one_with_a_nested_def():
    # the JAX form of a Hessian-vector product: forward mode read grad's code, whose
    # nested def's derivative returns a closure, and refused; hvp made it again with
    # the def written inline, and so does this now
    x, c, v = np.array([0.3, -0.5, 0.8, 0.2]), 0.7, np.ones(4)
    dg = grad(with_a_nested_step)
    _, tangent = jvp(lambda x: dg(x, c), (x,), (v,))
    np.testing.assert_allclose(tangent, hvp(with_a_nested_step)(x, c, v))


def _shaped(u):
    return np.sin(u) * u


def through_a_module_helper(x):
    return np.sum(_shaped(x) ** 2)


def test_jacfwd_of_grad_made_once_follows_a_helper_redefined_since():
    # the forward derivative was made again from the gradient's old code, which calls
    # the old helper's derivative: "a second name for backward" (a notebook re-run)
    global _shaped
    x = np.array([0.3, -0.5, 0.8])
    dg = grad(through_a_module_helper)
    J = jacfwd(dg)
    J(x)
    jvp(dg, (x,), (np.ones(3),))
    old = _shaped
    try:
        _shaped = lambda u: np.cos(u) * u  # noqa: E731
        fresh = jacfwd(grad(through_a_module_helper))(x)
        np.testing.assert_allclose(J(x), fresh)
        np.testing.assert_allclose(jvp(dg, (x,), (np.ones(3),))[1], fresh @ np.ones(3))
    finally:
        _shaped = old


def test_a_hips_wrapper_held_in_a_closure_is_its_numpy_function():
    # a closure cell holding autograd.numpy.tanh was differentiated as a helper (HIPS's
    # tracing code: "a try statement in f_wrapped()"); as a global it was NumPy's
    anp = pytest.importorskip("autograd.numpy")

    def make(nonlinearity=anp.tanh):
        def loss(x):
            return np.sum(nonlinearity(x))
        return loss

    x = np.array([0.1, 0.5, -0.3])
    np.testing.assert_allclose(grad(make())(x), 1 - np.tanh(x) ** 2)


def test_a_hips_primitive_without_a_rule_is_named():
    pytest.importorskip("autograd")
    mvn = pytest.importorskip("autograd.scipy.stats.multivariate_normal")

    def log_density(mean, x, cov):
        return np.sum(mvn.logpdf(x, mean, cov))

    with pytest.raises(NoRuleError, match="HIPS autograd's wrapper of .*logpdf"):
        grad(log_density)(np.zeros(2), np.ones((2, 2)), np.eye(2))


def _dense_layer(x, *, W, b=0.0, act=np.tanh):
    return act(x @ W + b)


def test_keywords_unpacked_beside_a_differentiated_value_are_followed():
    # the refusal said keyword-only parameters are followed for a helper of this module
    # called by its plain name, which this one was: the ** stopped it. Since session 34
    # a dict unpacked into a function of yours is read by its parameter names.
    def loss(W, x):
        opts = dict(b=0.1, act=np.sin)
        return np.sum(_dense_layer(x, W=W, **opts))

    W, x = np.full((3, 2), 0.3), np.array([1.0, -0.5, 2.0])
    np.testing.assert_allclose(grad(loss)(W, x), np.outer(x, np.cos(x @ W + 0.1)))


def test_a_masked_array_or_matrix_argument_is_refused():
    # a masked array's gradient came back for every entry, divided as if none were
    # masked; an np.matrix's * is a product (an internal shape error)
    def mean_square(m):
        return np.mean(m ** 2)

    with pytest.raises(TypeError, match="a masked array"):
        grad(mean_square)(np.ma.array([1.0, 2.0, 3.0], mask=[0, 1, 0]))
    with pytest.raises(TypeError, match="an np.matrix"):
        grad(mean_square)(np.matrix([[1.0, 2.0]]))


def test_defvjp_in_hips_autograds_form_is_refused():
    # defvjp(fun, vjpmaker) took the maker for a second primitive and registered nothing:
    # the body was differentiated instead (np.round: a gradient of zero)
    from autograd_src import extend

    def straight_through(x):
        return np.round(x)

    with pytest.raises(TypeError, match="HIPS autograd's form"):
        extend.defvjp(straight_through, lambda ans, x: lambda g: g)
    with pytest.raises(TypeError, match="HIPS autograd's form"):
        extend.defjvp(straight_through, lambda ans, x: lambda g: g)
    with pytest.raises(TypeError, match="not 3"):
        extend.defvjp(3)


def squares_and_shifts(x):
    return np.sum(x ** 2 + 1.0)


def test_arithmetic_on_a_list_argument_is_refused_as_python_would():
    # Python raises a TypeError for x ** 2 with x a list; grad computed on np.array(x)
    # and returned a gradient (value_and_grad a value) of a function that cannot run
    with pytest.raises(DiffSyntaxError, match="x is a list"):
        grad(squares_and_shifts)([3.0, 1.0])
    np.testing.assert_allclose(grad(squares_and_shifts)(np.array([3.0, 1.0])), [6.0, 2.0])


def names_a_local_dout(x):
    dout = x * 2.0  # (the user's own name: the generated code calls the seed dout_2)
    return dout * x


def test_the_seed_keyword_is_dout_beside_a_local_of_that_name():
    # df(x, dout=...) failed: unexpected keyword argument 'dout'
    x = np.array([2.0, 3.0])
    np.testing.assert_allclose(grad(names_a_local_dout)(x, dout=np.array([1.0, 0.0])),
                               [8.0, 0.0])
