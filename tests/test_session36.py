"""Session 36: findings of testers FW-FZ and the fuzzers, each in its smallest form."""

import numpy as np
import pytest

from autograd_src import grad


def _row_filled(u0):
    U = np.zeros((3, u0.shape[0]))
    U[0] = u0
    U[1] = U[0] * 2.0
    U[1].fill(3.0)
    return np.sum(U ** 2)


def test_the_advice_for_fill_on_a_row_keeps_the_table_changed():
    # FV 03: the advice was "items = U[1]; items = np.full_like(items, value)", which
    # leaves U as it was; a subscript can take the new value itself
    with pytest.raises(Exception, match=r"U\[1\] = np\.full_like\(U\[1\], value\)"):
        grad(_row_filled)(np.array([0.5, 1.0]))


def _setdefault_appended(x):
    d = {}
    d.setdefault('vals', []).append(x)
    return d['vals'][0] * 2.0


def _setdefault_of_an_argument_appended(x, d):
    d.setdefault('vals', []).append(x)
    return d['vals'][0] * 2.0


def test_the_advice_for_a_call_result_still_names_it_first():
    # (d a dict of this function's own, made before: followed, as FN 04's groups)
    assert grad(_setdefault_appended)(1.5) == 2.0
    with pytest.raises(Exception, match=r"give d\.setdefault\('vals', \[\]\) a name first"):
        grad(_setdefault_of_an_argument_appended)(1.0, {})


def _views_appended_then_stacked(u):
    act = np.zeros(6)
    rows = []
    for n in range(4):
        term = np.tanh(np.sum(act) - u[n])  # noqa: F841 (an adjoint reading act)
        rows.append(act[::-1])
    stacked = np.stack(rows)  # noqa: F841
    return np.dot(act + 1.0, u)


def test_appending_to_a_list_read_only_by_numpy_changes_no_array_an_adjoint_reads():
    # fuzz 360101: rows.append(act[::-1]) was refused as an in-place change of an array
    # an adjoint reads, because np.stack(rows) read the list whole
    assert np.allclose(grad(_views_appended_then_stacked)(np.ones(6)), np.ones(6))


def _dot_of_a_list_then_appended(x):
    weights = [1.0, 2.0]
    y = np.dot(weights, x)
    weights.append(3.0)
    return y * 2.0 + len(weights)


def test_a_list_an_adjoint_reads_whole_is_appended_to_as_a_new_list():
    # (refused until session 39; the append now binds a new list, and the derivative
    # reads the one np.dot read)
    np.testing.assert_allclose(grad(_dot_of_a_list_then_appended)(np.ones(2)), [2.0, 4.0])


def _grouped_by_label(x, labels):
    groups = {k: [] for k in range(3)}
    for v, k in zip(x, labels):
        groups[k].append(v * v)
    total = 0.0
    for k, g in groups.items():
        if g:
            total = total + np.mean(np.stack(g)) * (k + 1)
    return total


def _grouped_by_sign(x):
    groups = {"pos": [], "neg": []}
    for v in x:
        groups["pos" if v > 0 else "neg"].append(v)
    return sum(g[0] * len(g) for g in groups.values() if g)


def _grouped_by_setdefault(x, labels):
    groups = {}
    for v, k in zip(x, labels):
        groups.setdefault(k, []).append(v * v)
    total = 0.0
    for k in sorted(groups):
        total = total + np.sum(np.stack(groups[k])) * (k + 1) ** 2
    return total


def _grouped_while_an_alias_reads(x):
    d = {'a': [], 'b': []}
    alias = d['a']
    for i in range(4):
        d['a'].append(x[i])
    return sum(alias)


_X = np.array([0.3, -1.2, 2.0, 0.8, 0.5])
_LABELS = [0, 2, 2, 1, 0]


def test_appending_to_the_lists_of_a_dict_made_here():
    # FN 04: groups[k].append(v) on a dict of new lists was refused
    from autograd_src import hessian, jvp
    assert np.allclose(grad(_grouped_by_label)(_X, _LABELS), [0.3, -3.6, 6.0, 3.2, 0.5])
    assert np.allclose(np.diag(hessian(_grouped_by_label)(_X, _LABELS)), [1, 3, 3, 4, 1])
    tangent = jvp(lambda x: _grouped_by_label(x, _LABELS), (_X,), (np.ones(5),))[1]
    assert np.isclose(tangent, 6.4)
    assert np.allclose(grad(_grouped_by_sign)(np.array([0.3, -1.2, 2.0, 0.8])),
                       [3.0, 1.0, 0.0, 0.0])
    assert np.allclose(grad(_grouped_by_setdefault)(_X, _LABELS),
                       [0.6, -21.6, 36.0, 6.4, 1.0])


def test_a_list_of_the_dict_another_name_holds_is_not_appended_to_as_a_new_list():
    # the new list would leave alias with the old one (an empty sum)
    with pytest.raises(Exception, match=r"write d\['a'\] = d\['a'\] \+ \[x\[i\]\]"):
        grad(_grouped_while_an_alias_reads)(_X)


def _joined_after_a_store(x):
    groups = {0: [], 1: [], 2: []}
    groups[0] = groups[0] + [x[0] * x[1]]
    groups[1] = groups[1] + [x[2] * x[1]]
    total = 0.0
    for k, g in groups.items():
        if g:
            total = total + np.mean(np.stack(g)) * (k + 1)
    return total


def test_hessian_of_lists_joined_in_a_dict():
    # found beside FN 04: in the gradient's code, groups_part + value (the user's join)
    # was taken for NumPy's sum: [] + [v] became an empty array
    from autograd_src import hessian
    expected = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 2.0], [0.0, 2.0, 0.0]])
    assert np.allclose(hessian(_joined_after_a_store)(np.array([0.3, -1.2, 2.0])), expected)


def _log_space_chain(log_stay, n_steps=3):
    alpha = np.array([log_stay, -np.inf])
    for _ in range(n_steps):
        a1 = np.logaddexp(alpha[1], alpha[1])  # a state not reached: -inf stays -inf
        alpha = np.array([alpha[0] + log_stay, a1])
    return np.logaddexp(alpha[0], alpha[1])


def _ctc_step(logp):
    a0 = logp[0, 0]
    a1 = -np.inf + logp[0, 1]
    a1 = np.logaddexp(a1, a1) + logp[1, 1]
    a0 = a0 + logp[1, 0]
    return np.logaddexp(a0, a1)


def test_logaddexp_of_two_minus_infinities_has_a_zero_gradient():
    # FX 02/03: exp(-inf - -inf) was nan, which the zero adjoint did not cancel (in the
    # Python-number variant, and in reverse mode on arrays)
    assert grad(_log_space_chain)(-0.3) == 4.0
    assert grad(_log_space_chain)(np.array(-0.3)) == 4.0
    logp = np.log(np.array([[0.6, 0.4], [0.7, 0.3]]))
    assert np.allclose(grad(_ctc_step)(logp), [[1.0, 0.0], [1.0, 0.0]])
    from autograd_src import hessian
    assert np.allclose(hessian(_ctc_step)(logp), 0.0)


def _energy_in_a_zero_d_array(x):
    E = np.zeros(())
    E[...] += np.sum(x ** 2)
    return E


def test_a_number_seeds_a_zero_d_array_output():
    # FZ 05: dout=1.0 (or vjp's back(1.0)) stayed a Python float, which the adjoint of
    # E[...] += v indexes
    from autograd_src import vjp
    x = np.array([0.1, 0.2, 0.5])
    assert np.allclose(grad(_energy_in_a_zero_d_array)(x, dout=1.0), 2 * x)
    assert np.allclose(grad(_energy_in_a_zero_d_array)(x, dout=3), 6 * x)
    _, back = vjp(_energy_in_a_zero_d_array, x)
    got = back(1.0)
    assert np.allclose(got[0] if isinstance(got, tuple) else got, 2 * x)


def _collected_then_stacked(a, x):
    out = []
    y = 0.0
    for s in x:
        y = a * y + s
        out.append(y)
    return np.sum(np.array(out) ** 2)


def test_a_loop_of_appends_grows_and_shrinks_its_lists_in_place():
    # FX 01: out = _ad.appended(out, y) and d_out = d_out[:-1] copied the list each
    # step (16,000 samples: 211x the forward); now in place where the name rebound is
    # all that holds the list
    from autograd_src import value_and_grad
    df = grad(_collected_then_stacked, wrt=(0, 1))
    assert "_ad.grown(out, y)" in df.source or "grown" in str(df.source)
    x = np.array([0.5, -1.0, 2.0, 0.25])
    ga, gx = df(0.9, x)
    eps = 1e-6
    fd = (_collected_then_stacked(0.9 + eps, x) - _collected_then_stacked(0.9 - eps, x)) / 2e-6
    assert np.isclose(ga, fd, rtol=1e-6)
    value, _ = value_and_grad(_collected_then_stacked)(0.9, x)
    assert np.isclose(value, _collected_then_stacked(0.9, x))


def test_grown_copies_a_list_another_name_holds():
    from autograd_src.rules import runtime as _ad
    first = [1.0]
    held = first
    grown = _ad.grown(first, 2.0)
    assert held == [1.0] and grown == [1.0, 2.0]
    also = grown
    grown = _ad.all_but_last(grown)
    assert grown == [1.0] and also == [1.0, 2.0]

    def rebound():
        items = [1.0]
        items = _ad.grown(items, 2.0)
        items = _ad.grown(items, 3.0)
        kept = items
        items = _ad.all_but_last(items)
        return kept, items
    kept, items = rebound()
    assert kept == [1.0, 2.0, 3.0] and items == [1.0, 2.0]


def _minimum_image(pos, box, lib):
    d = pos[0] - pos[1]
    d = d - box * lib.round(d / box)
    return lib.sum(d ** 2) + lib.sum(lib.sign(d) * d)


def test_a_function_without_gradient_through_a_module_passed_in():
    # FZ 01: lib.round(d / box) with lib=np was refused ("no derivative rule"), though
    # np.round has a zero gradient, as called by its name
    from autograd_src import jvp
    pos = np.array([[0.1, 0.2, 0.3], [2.2, 0.4, 0.1]])
    d = pos[0] - pos[1]
    d = d - 2.5 * np.round(d / 2.5)
    expected = np.array([2 * d + np.sign(d), -2 * d - np.sign(d)])
    assert np.allclose(grad(_minimum_image)(pos, 2.5, np), expected)
    tangent = jvp(lambda p: _minimum_image(p, 2.5, np), (pos,), (np.ones_like(pos),))[1]
    assert np.isclose(tangent, 0.0)


def _kernel(theta):
    X = np.linspace(0, 1, 5)[:, None]
    return np.exp(theta[1]) * np.exp(-0.5 * (X - X.T) ** 2 / np.exp(2 * theta[0])) + \
        np.exp(theta[2]) * np.eye(5)


def _cached_negative_log_likelihood(theta, cache):
    L = np.linalg.cholesky(_kernel(theta))
    cache["L"] = L
    cache["history"].append(float(np.sum(np.log(np.diag(L)))))
    return np.sum(np.log(np.diag(L)))


def test_a_number_logged_into_a_list_of_a_dict_that_also_takes_an_array():
    # FY 02: cache['L'] = L made L a name that may share the dict's list, read later:
    # refused; L, made by NumPy, is a new array, never the list
    cache = {"history": []}
    theta = np.array([0.2, 0.1, -1.0])
    got = grad(_cached_negative_log_likelihood)(theta, cache)
    eps = 1e-6
    fd = [(_cached_negative_log_likelihood(theta + eps * e, {"history": []}) -
           _cached_negative_log_likelihood(theta - eps * e, {"history": []})) / (2 * eps)
          for e in np.eye(3)]
    assert np.allclose(got, fd, rtol=1e-6)
    assert len(cache["history"]) == 1 and cache["L"].shape == (5, 5)


def test_logaddexp_at_plus_infinity_and_nan():
    # GA 03: the guard for -inf made +inf and nan results a zero gradient too
    from scipy.special import logsumexp
    with np.errstate(all="ignore"):
        assert grad(np.logaddexp, wrt=(0, 1))(np.inf, 0.5) == (1.0, 0.0)
        assert grad(np.logaddexp2, wrt=(0, 1))(np.inf, 0.5) == (1.0, 0.0)
        assert all(np.isnan(grad(np.logaddexp, wrt=(0, 1))(np.nan, 0.5)))
        assert np.allclose(grad(lambda a: logsumexp(a))(np.array([np.inf, 0.5])), [1, 0])
        assert np.all(np.isnan(grad(lambda a: logsumexp(a))(np.array([np.nan, 0.5]))))
        assert np.allclose(grad(lambda a: logsumexp(a))(np.array([-np.inf, -np.inf])), 0)


def _camera_rays(f, c):
    xs = (np.arange(4) - c[0]) / f
    ys = (np.arange(3) - c[1]) / f
    X, Y = np.meshgrid(xs, ys)
    Xi, Yi = np.meshgrid(xs, ys, indexing='ij')
    Xs, Ys = np.meshgrid(xs, ys, sparse=True)
    d = np.stack([X, Y, np.ones_like(X)], -1)
    d = d / np.linalg.norm(d, axis=-1, keepdims=True)
    A, B = np.broadcast_arrays(xs[None, :], ys[:, None])
    e = np.extract(X > 0, X * Y)
    h = np.heaviside(X - 0.1, c[0])
    return np.sum(d[..., 0] ** 2 * d[..., 1]) + np.sum(Xi * Yi ** 2) + np.sum(Xs * Ys) + \
        np.sum(A * B ** 3) + np.sum(e) + np.sum(h * c[1])


def test_meshgrid_broadcast_arrays_extract_and_heaviside():
    # GC 04/05: no rules (a ray grid from a focal length being fitted)
    import autograd_src as mg
    from autograd_src import hessian
    c = np.array([1.3, 0.7])
    eps = 1e-6
    fd = (_camera_rays(2.0 + eps, c) - _camera_rays(2.0 - eps, c)) / (2 * eps)
    assert np.isclose(grad(_camera_rays)(2.0, c), fd, rtol=1e-6)
    fd_c = [(_camera_rays(2.0, c + eps * e) - _camera_rays(2.0, c - eps * e)) / (2 * eps)
            for e in np.eye(2)]
    assert np.allclose(grad(_camera_rays, wrt=1)(2.0, c), fd_c, rtol=1e-6)
    second = (grad(_camera_rays)(2.0 + eps, c) - grad(_camera_rays)(2.0 - eps, c)) / (2 * eps)
    assert np.isclose(hessian(_camera_rays)(2.0, c), second, rtol=1e-5)
    g = mg.tensor([1.0, 2.0])
    a, b = np.meshgrid(g, g)
    mg.sum(a * 2 + b).backward()
    assert np.allclose(g.grad, [6.0, 6.0])


def test_generated_names_never_take_a_global_of_the_users_module():
    # GB 01: the comprehension's list was named items, and the analysis took it for the
    # module's items: a zero gradient (an array global: a refusal)
    from . import session36_globals as module
    q = np.array([0.3, -1.0, 2.0])
    assert np.allclose(grad(module.scores_by_position)(q), [4.0 * q[2], 0.0, 4.0 * q[0]])
    assert np.allclose(grad(module.grouped)(q), [0.6, 2.0, 4.0])


def _two_loops_into_a_dict_of_lists(x):
    groups = {'a': [], 'b': []}
    for i in range(2):
        groups['a'].append(x[i] ** 2)
    for i in range(2):
        groups['b'].append(x[i] * 3.0)
    return sum(groups['a']) * sum(groups['b'])


def test_hessian_of_a_dict_of_lists_filled_by_two_loops():
    # GA 01: the dict saved between the loops was the dict itself, written in place by
    # the second loop; forward mode over the gradient refused that store
    from autograd_src import hessian
    x = np.array([0.3, -0.7])
    expected = 3 * (2 * x.sum() * np.eye(2) + 2 * (x[:, None] + x[None, :]))
    assert np.allclose(hessian(_two_loops_into_a_dict_of_lists)(x), expected)
    assert np.allclose(grad(_two_loops_into_a_dict_of_lists)(x),
                       3 * (2 * x * x.sum() + (x ** 2).sum()))


def _grouped_in_a_dict_call(x):
    groups = dict(a=[], b=[])
    for v in x:
        groups['a' if v > 0 else 'b'].append(v * v)
    return sum(groups['a']) - 2 * sum(groups['b'])


def test_appending_to_the_lists_of_a_dict_call():
    # GA 06: dict(a=[], b=[]) was refused with advice to write {'a': [], 'b': []}
    assert np.allclose(grad(_grouped_in_a_dict_call)(np.array([0.3, -1.0, 2.0])),
                       [0.6, 4.0, 4.0])


def _popped_from_an_item(x):
    groups = {'a': [], 'b': []}
    for i in range(len(x)):
        groups['a'].append(x[i] ** 2)
    v = groups['a'].pop()
    return sum(groups['a']) + 3 * v


def test_the_advice_for_pop_of_an_item_of_a_dict():
    # GA 11: "call it on a line of its own", where it was
    from autograd_src.errors import NoRuleError
    with pytest.raises(NoRuleError, match=r"v = groups\['a'\]\[-1\], then"):
        grad(_popped_from_an_item)(np.array([0.3, -0.7]))


def _embedding_bag(E, ids, offsets, w):
    rows = E[ids] * w[:, None]
    pooled = np.add.reduceat(rows, offsets, axis=0)
    return np.sum(np.tanh(pooled) ** 2) + np.sum(np.add.reduceat(E[:, 0] ** 2, [0, 2, 1]))


def test_add_reduceat_in_both_engines():
    # GB F6: np.add.reduceat, the embedding bag, had no rule
    import autograd_src as mg
    from autograd_src import hessian
    rng = np.random.default_rng(0)
    E, w = rng.normal(size=(6, 3)), rng.normal(size=7)
    ids, offsets = np.array([0, 2, 2, 5, 1, 3, 4]), np.array([0, 3, 4])
    eps = 1e-6
    fd = np.zeros_like(E)
    for i in np.ndindex(E.shape):
        e = np.zeros_like(E)
        e[i] = eps
        fd[i] = (_embedding_bag(E + e, ids, offsets, w) -
                 _embedding_bag(E - e, ids, offsets, w)) / (2 * eps)
    assert np.allclose(grad(_embedding_bag)(E, ids, offsets, w), fd, atol=1e-7)
    dw = grad(_embedding_bag, wrt=3)
    second = np.array([(dw(E, ids, offsets, w + eps * e) - dw(E, ids, offsets, w - eps * e))
                       / (2 * eps) for e in np.eye(7)])
    assert np.allclose(hessian(_embedding_bag, wrt=3)(E, ids, offsets, w), second, atol=1e-6)
    t = mg.tensor(E)
    mg.sum(mg.tanh(np.add.reduceat(t[ids] * w[:, None], offsets, axis=0)) ** 2).backward()
    expected = grad(lambda e: np.sum(np.tanh(np.add.reduceat(
        e[ids] * w[:, None], offsets, axis=0)) ** 2))(E)
    assert np.allclose(t.grad, expected)


def _framed_by_strides(x):
    from numpy.lib.stride_tricks import as_strided
    frames = as_strided(x, shape=(3, 4), strides=(x.strides[0] * 2, x.strides[0]))
    return np.sum(frames ** 2)


def test_as_strided_is_refused_naming_sliding_window_view():
    # FX 06: the message named only extend.defvjp
    from autograd_src.errors import NoRuleError
    with pytest.raises(NoRuleError, match="sliding_window_view"):
        grad(_framed_by_strides)(np.arange(8.0))


def _unrolled_sgd(U, V, lr, users, items, r):
    U = U.copy()
    V = V.copy()
    for n in range(len(users)):
        u = users[n]
        i = items[n]
        e = U[u] @ V[i] - r[n]
        gu = e * V[i]
        gv = e * U[u]
        U[u] -= lr * gu
        V[i] -= lr * gv
    return np.sum((np.sum(U[users] * V[items], axis=1) - r) ** 2)


def test_a_parameter_rebound_to_its_copy_first_is_written_in_place():
    # GB F4: U = U.copy() then U[u] -= ...: the store copied the whole table each step
    # (a differentiated parameter was never written in place)
    rng = np.random.RandomState(0)
    U, V = rng.randn(5, 2), rng.randn(5, 2)
    users, items, r = np.array([0, 1, 0, 3]), np.array([1, 2, 1, 1]), np.ones(4)
    U0 = U.copy()
    df = grad(_unrolled_sgd, wrt=(0, 1))
    gU, _ = df(U, V, 0.3, users, items, r)
    assert "_ad.setitem(U" not in df.source
    eps = 1e-6
    fd = np.zeros_like(U)
    for i in np.ndindex(U.shape):
        e = np.zeros_like(U)
        e[i] = eps
        fd[i] = (_unrolled_sgd(U + e, V, 0.3, users, items, r) -
                 _unrolled_sgd(U - e, V, 0.3, users, items, r)) / (2 * eps)
    assert np.allclose(gU, fd, atol=1e-7) and np.array_equal(U, U0)


class _Keeper:
    def keep(self, lst):
        self.kept = lst


_REGISTRY: list = []


def _register(lst):
    _REGISTRY.append(lst)


def _total(lst):
    return sum(np.sum(v) for v in lst) + len(lst)


def _kept_by_a_method(x, k):
    acc = []
    k.keep(acc)
    for t in range(3):
        acc.append(x * (t + 1))
    return np.sum(np.stack(k.kept))


def _kept_in_a_registry(x):
    acc = []
    _register(acc)
    for t in range(3):
        acc.append(x * (t + 2))
    out = np.sum(x) + sum(np.sum(v) for v in _REGISTRY[-1])
    _REGISTRY.clear()
    return out


def _read_by_a_helper_first(x):
    acc = []
    n = _total(acc)
    for t in range(3):
        acc.append(x * (t + 1))
    return np.sum(np.stack(acc)) + n


def _stored_in_a_registry_dict(x):
    d = {}
    _register(d)
    d['v'] = x * 3.0
    out = np.sum(_REGISTRY[-1]['v'])
    _REGISTRY.clear()
    return out


def test_a_list_given_to_a_function_that_keeps_it_is_not_grown_as_a_new_list():
    # GD 01/02: acc.append(v) made a new list, which k.kept / the registry did not see:
    # a zero gradient (jvp), a crash (grad), or a wrong value and gradient
    from autograd_src import jvp, value_and_grad
    x = np.array([0.3, -0.7])
    with pytest.raises(Exception, match=r"given to k\.keep\(\) at .*which may keep it"):
        grad(_kept_by_a_method)(x, _Keeper())
    with pytest.raises(Exception, match=r"given to k\.keep\(\)"):
        jvp(_kept_by_a_method, (x, _Keeper()), (np.ones(2), None))
    with pytest.raises(Exception, match=r"given to _register\(\)"):
        value_and_grad(_kept_in_a_registry)(x)
    _REGISTRY.clear()
    # a helper that only reads the list keeps no hold of it
    assert np.allclose(grad(_read_by_a_helper_first)(x), 6.0)
    with pytest.raises(Exception, match=r"d was given to _register\(\)"):
        value_and_grad(_stored_in_a_registry_dict)(x)  # (it raised KeyError 'v')
    _REGISTRY.clear()


def test_logaddexp_shares_are_exact_for_large_inputs_and_ties_at_infinity():
    # GD 05/07: exp(x - ans) rounded to 1 at x = y = 1e17 (a gradient of (1, 1)); two
    # +inf entries of logsumexp each got 1
    from scipy.special import logsumexp
    assert np.allclose(grad(np.logaddexp, wrt=(0, 1))(1e17, 1e17), (0.5, 0.5))
    assert np.allclose(grad(np.logaddexp2, wrt=(0, 1))(1e17, 1e17), (0.5, 0.5))
    with np.errstate(all="ignore"):
        assert np.allclose(grad(lambda a: logsumexp(a))(np.array([np.inf, np.inf, 2.0])),
                           [0.5, 0.5, 0.0])
        assert grad(lambda x: np.logaddexp(x, x))(np.inf) == 1.0


def _worklist(x):
    st = [x * 2.0]
    k = 0
    total = 0.0
    while st and k < 5:
        v = st.pop()
        total = total + np.sum(v)
        if k < 3:
            st.append(v * 0.5)
        k += 1
    return total


def test_a_while_test_reading_a_list_for_its_truth_beside_a_counter():
    # GD 10: while st and k < 7 was refused; while st alone ran
    assert np.allclose(grad(_worklist)(np.array([1.0, 2.0])), 3.75)


def test_logaddexp_reduce_at_plus_infinity():
    # GD 06: a +inf entry gave a nan gradient (logsumexp gives [1, 0, 0])
    import autograd_src as mg
    with np.errstate(all="ignore"):
        a = np.array([np.inf, 0.5, 1.0])
        assert np.allclose(grad(lambda v: np.logaddexp.reduce(v))(a), [1.0, 0.0, 0.0])
        t = mg.tensor(a)
        np.logaddexp.reduce(t).backward()
        assert np.allclose(t.grad, [1.0, 0.0, 0.0])


_SHOTS = [("A", 10.0), ("B", 20.0), ("A", 15.0)]


def _team_totals(b, shots):
    from collections import defaultdict
    tot = defaultdict(float)
    for team, dist in shots:
        tot[team] += 1 / (1 + np.exp(-(b * dist)))
    return sum(v ** 2 for v in tot.values())


def _elo(K, H, matches):
    r = {t: 1500.0 for t in ("T0", "T1", "T2")}
    ll = 0.0
    for h, a, s in matches:
        e = 1.0 / (1.0 + 10 ** ((r[a] - r[h] - H) / 400.0))
        ll = ll + s * np.log(e) + (1 - s) * np.log(1 - e)
        r[h] = r[h] + K * (s - e)
        r[a] = r[a] - K * (s - e)
    return ll


def test_a_defaultdict_accumulated_into_under_forward_mode():
    # GE 04: the tangent of a defaultdict was a plain dict: KeyError at its first key
    from autograd_src import jvp
    eps = 1e-6
    expected = (_team_totals(-0.05 + eps, _SHOTS) - _team_totals(-0.05 - eps, _SHOTS)) / 2e-6
    assert np.isclose(grad(_team_totals)(-0.05, _SHOTS), expected, rtol=1e-6)
    assert np.isclose(jvp(_team_totals, (-0.05, _SHOTS), (1.0, None))[1], expected, rtol=1e-6)


def test_ratings_in_a_dict_comprehension_are_updated_in_place():
    # GE 07: r = {t: 1500.0 for t in TEAMS} was not the function's own dict, so each
    # store ran a check walking the whole list of matches: quadratic
    matches = [("T0", "T1", 1.0), ("T2", "T0", 0.0), ("T1", "T2", 1.0), ("T0", "T2", 1.0)]
    df = grad(_elo, wrt=(0, 1))
    got = df(20.0, 50.0, matches)
    assert "_ad.alone(r" not in df.source and "r[h] = " in df.source
    eps = 1e-5
    fd = ((_elo(20 + eps, 50.0, matches) - _elo(20 - eps, 50.0, matches)) / (2 * eps),
          (_elo(20.0, 50 + eps, matches) - _elo(20.0, 50 - eps, matches)) / (2 * eps))
    assert np.allclose(got, fd, rtol=1e-6)


def _dict_comprehension_copy_updated(x, state):
    s = {k: state[k] for k in state}
    s["m"] *= 0.9
    s["m"] += x
    return np.sum(s["m"] * x)


def _rows_listed_then_updated(x, X):
    rows = [X[i] for i in range(X.shape[0])]
    rows[0] += x
    return np.sum(rows[0] * x)


def _list_comprehension_copy_updated(x, lst):
    copied = [a for a in lst]
    copied[0] += x
    return np.sum(copied[0] * x)


def test_a_comprehension_holding_an_arguments_arrays_is_checked_as_a_copy():
    # GF 06/07: {k: S[k] for k in S} and [a for a in S] hold S's arrays, as S.copy()
    # does; an update in place carrying gradient left the caller's array as it was
    # (after the one without gradient had reached it). Now refused, as {**S} is.
    from autograd_src.errors import InPlaceUpdateError
    x = np.array([0.3, -0.7, 1.1])
    with pytest.raises(InPlaceUpdateError, match="read later, shares"):
        grad(_dict_comprehension_copy_updated)(x, {"m": np.array([1.0, 2.0, 3.0])})
    with pytest.raises(InPlaceUpdateError, match="read later, shares"):
        grad(_rows_listed_then_updated)(x, np.ones((2, 3)))
    with pytest.raises(InPlaceUpdateError, match="read later, shares"):
        grad(_list_comprehension_copy_updated)(x, [np.ones(3)])


def _fast_weights(params, x):
    fast = {k: v for k, v in params.items()}
    fast['w'] = fast['w'] * 0.5
    return np.sum(fast['w'] * x) + np.sum(fast['b'])


def test_a_comprehension_copy_may_still_take_new_items():
    # (a store rebinding a slot of the copy changes nothing the caller holds)
    p = {'w': np.array([0.5, -0.3]), 'b': np.array([0.1, 0.2])}
    g = grad(_fast_weights)(p, np.array([1.0, 2.0]))
    assert np.allclose(g['w'], [0.5, 1.0]) and np.allclose(g['b'], 1.0)


def _superposed(k, times):
    out = []
    for t in times:
        c = 0.0
        for j in range(2):
            c += np.exp(-k * t * (j + 1))
        out.append(c)
    return np.sum(np.array(out))


def _accumulator_array_appended(x):
    out = []
    c = np.zeros(2)
    out.append(c)
    c += x
    return np.sum(out[0] * x)


def test_an_accumulator_rebound_to_a_number_at_each_pass_shares_nothing():
    # GG 01: out.append(c) then, next pass, c = 0.0; c += ... was refused as an update
    # of an array another name holds
    times = [1.0, 2.0]
    expected = sum(-t * (j + 1) * np.exp(-0.3 * t * (j + 1)) for t in times for j in range(2))
    assert np.isclose(grad(_superposed)(0.3, times), expected)
    # an array appended, then updated in place, is still checked (NumPy's out[0] is c)
    from autograd_src.errors import InPlaceUpdateError
    with pytest.raises((InPlaceUpdateError, SyntaxError)):
        grad(_accumulator_array_appended)(np.array([1.0, 2.0]))


def _accumulated_by_key(w):
    from collections import defaultdict
    acc = defaultdict(float)
    for i in range(3):
        acc["a"] += w * i
    return np.sum(acc["a"] ** 2)


def _accumulated_arrays(w):
    from collections import defaultdict
    acc = defaultdict(lambda: np.zeros(2))
    acc["a"] += w * 2.0
    acc["a"] += w ** 2
    return np.sum(acc["a"] ** 2)


def test_a_defaultdict_accumulated_into_in_reverse_mode():
    # GF 03/05: the adjoint's zero_at took a defaultdict for an array: IndexError
    from autograd_src import hessian
    w = np.array([0.7, -1.2])
    assert np.allclose(grad(_accumulated_by_key)(w), 18 * w)
    assert np.isclose(hessian(_accumulated_by_key)(0.7), 18.0)
    v = 2 * w + w ** 2
    assert np.allclose(grad(_accumulated_arrays)(w), 2 * v * (2 + 2 * w))


def _dosed(k, v):
    a = 0.0
    auc = 0.0
    for i in range(5):
        if i % 2 == 0:
            a = a + 1.0
        auc = auc + a / v
        a = a - k * a
    return auc


def test_a_number_updated_by_itself_in_a_branch_stays_a_number():
    # GG 04: a = a + 1.0 (without gradient yet) read a after forgetting it was a number,
    # so the loop's values lost their Python-number code (shape stacks, unbroadcast):
    # a dosing loop ran 70x its forward, now about 3x
    df = grad(_dosed, wrt=(0, 1))
    got = df(0.1, 1.5)
    assert "shape_stack" not in df.source
    eps = 1e-6
    fd = ((_dosed(0.1 + eps, 1.5) - _dosed(0.1 - eps, 1.5)) / (2 * eps),
          (_dosed(0.1, 1.5 + eps) - _dosed(0.1, 1.5 - eps)) / (2 * eps))
    assert np.allclose(got, fd, rtol=1e-6)


class _TwoNames:
    pass


def _read_then_scaled_through_another_attribute(x, m):
    y = np.sum(x * m.b)
    m.a *= 2.0
    return y


class _Model:
    def __init__(self):
        self.W = np.array([1.0, 2.0, 3.0])
        self.params = [self.W]

    def loss(self, x):
        y = np.sum(x * self.W)
        self.params[0] *= 0.5
        return y


def _objective(x, model):
    return model.loss(x)


def test_an_attribute_updated_in_place_while_another_name_for_it_was_read():
    # GH 01-06: m.a is m.b; the derivative of y = sum(x * m.b) read m.b, which
    # m.a *= 2.0 then changed in NumPy: a silently doubled gradient. Checked as it runs.
    from autograd_src.errors import InPlaceUpdateError
    m = _TwoNames()
    m.a = m.b = np.array([1.0, 2.0, 3.0])
    with pytest.raises(InPlaceUpdateError, match="derivative of an earlier line reads"):
        grad(_read_then_scaled_through_another_attribute)(np.array([0.5, -1.0, 2.0]), m)
    with pytest.raises(InPlaceUpdateError, match="derivative of an earlier line reads"):
        grad(_objective)(np.array([0.3, -0.7, 1.2]), _Model())
    # two arrays of their own: nothing shared, the update runs
    m2 = _TwoNames()
    m2.a, m2.b = np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0])
    g = grad(_read_then_scaled_through_another_attribute)(np.array([0.5, -1.0, 2.0]), m2)
    assert np.allclose(g, [1.0, 2.0, 3.0]) and np.allclose(m2.a, [2.0, 4.0, 6.0])


def _stability_penalty(W):
    return np.sum(np.linalg.eigvals(W @ W.T + np.eye(3)) ** 2)


def test_eigvals_as_eig_gives_them():
    # GI 01: np.linalg.eigvals had no rule (np.linalg.eig(W)[0] had). The sum of the
    # squared eigenvalues of A = W W^T + I is |A|_F^2, whose gradient is 4 A W.
    W = np.array([[0.3, 0.1, 0.0], [0.2, -0.5, 0.4], [0.0, 0.3, 0.6]])
    if np.iscomplexobj(np.linalg.eig(np.eye(2))[0]):
        # (NumPy 2.5: eig returns complex arrays even for real eigenvalues, which eig's
        # rule refuses, and eigvals, computed by it, with it)
        with pytest.raises(NotImplementedError, match="eigenvalues are real"):
            grad(_stability_penalty)(W)
        return
    assert np.allclose(grad(_stability_penalty)(W), 4 * (W @ W.T + np.eye(3)) @ W)


class _Optimizer:
    def __init__(self, p):
        self.p = p

    def step(self):
        self.p *= 0.5


class _Counter:
    def __init__(self):
        self.calls = np.zeros(1)

    def tick(self):
        self.calls += 1.0


def _stepped_between(W, opt):
    a = np.sum(W ** 2)
    opt.step()
    return a + np.sum(W)


def _ticked_between(W, counter):
    a = np.sum(W ** 2)
    counter.tick()
    return a


def test_a_method_writing_an_attribute_another_name_for_which_was_read():
    # GH 07 / GJ 01: opt.p is W; the derivative of sum(W ** 2) read W, which
    # opt.step() (self.p *= 0.5) then halved in NumPy: a silently wrong gradient
    from autograd_src.errors import InPlaceUpdateError
    W = np.array([1.0, 2.0, 3.0])
    shared = W.copy()
    with pytest.raises(InPlaceUpdateError, match="writes in place into p"):
        grad(_stepped_between)(shared, _Optimizer(shared))
    # a method writing its own arrays runs, and leaves them as one call does
    counter = _Counter()
    assert np.allclose(grad(_ticked_between)(W, counter), 2 * W)
    assert counter.calls[0] == 1.0
