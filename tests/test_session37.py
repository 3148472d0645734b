"""Session 37: findings of testers GK-GN and the fuzzers, each in its smallest form."""

import numpy as np
import pytest

from autograd_src import grad
from autograd_src.errors import InPlaceUpdateError


def _first_item_bumped(x):
    acc = x
    q = acc[0]  # (a number where x has one dimension, a view of a row where it has two)
    q += 1.0
    return np.sum(acc)


def _reads_then_calls(x):
    y = x * 1.0
    return np.sum(y * y) + _first_item_bumped(y)


def test_an_item_of_another_name_for_a_parameter_updated_is_not_the_parameter():
    # stop-hook fuzz seeds 49197 and 64879: acc = x; q = acc[0]; q += v was taken for
    # x += v, so every array argument was refused ("updates its parameter x in place")
    x = np.arange(3.0)
    np.testing.assert_allclose(grad(_reads_then_calls)(x), 2 * x + 1)
    # where x has two dimensions, q is a view of its first row: still refused
    with pytest.raises(InPlaceUpdateError, match=r"writes into x\[0\] through another name"):
        grad(_reads_then_calls)(np.arange(6.0).reshape(2, 3))


_A = np.array([[2.0, 1.0], [0.5, 3.0]])
_B = np.array([[0.3, -1.0], [0.2, 0.1]])


def _logabsdet_along(t):
    return np.linalg.slogdet(_A + t * _B).logabsdet


def _singular_values_along(t):
    return np.sum(np.linalg.svd(_A + t * _B).S ** 2)


@pytest.mark.parametrize("f", [_logabsdet_along, _singular_values_along])
def test_forward_mode_reads_the_fields_of_a_linalg_result(f):
    # GM 01: the forward rules give a plain tuple of tangents, whose fields
    # (.logabsdet, .S) were read as attributes: AttributeError under jvp and under grad
    # of a float argument (its forward-mode variant)
    from autograd_src import jvp
    expected = (f(0.3 + 1e-6) - f(0.3 - 1e-6)) / 2e-6
    np.testing.assert_allclose(grad(f)(0.3), expected, rtol=1e-6)
    np.testing.assert_allclose(jvp(f, (0.3,), (1.0,))[1], expected, rtol=1e-6)


def _contract(xp, b, M):
    return xp.sum(xp.einsum("i,ij->ij", b, M) ** 2) + xp.einsum("i,ij,j->", b, M, b)


def _through_the_module(b, M):
    return _contract(np, b, M)


def test_einsum_through_a_module_passed_in_maps_operands_to_their_adjoints():
    # GK 03: the subscripts string was counted as the first operand: grad crashed
    # (inhomogeneous shape), jvp called einsum with a tangent in the wrong place
    from autograd_src import jvp
    b, M = np.array([1.0, 2.0]), np.array([[1.0, 2.0], [3.0, 4.0]])
    db, dM = grad(_through_the_module, wrt=(0, 1))(b, M)
    np.testing.assert_allclose(db, 2 * b * np.sum(M ** 2, axis=1) + (M + M.T) @ b)
    np.testing.assert_allclose(dM, 2 * b[:, None] ** 2 * M + np.outer(b, b))
    v, w = np.array([0.3, -1.0]), np.array([[0.5, 0.1], [-0.2, 0.4]])
    np.testing.assert_allclose(jvp(_through_the_module, (b, M), (v, w))[1],
                               db @ v + np.sum(dM * w))


def _full_truncation(v0, kappa):
    v = np.array([-1.0, 1.0]) * v0 + kappa  # the first path truncated
    return np.sum(np.sqrt(np.maximum(v, 0.0))) + np.sum(np.sqrt(np.clip(v, 0.0, 5.0)))


def test_an_infinite_adjoint_does_not_reach_the_operand_maximum_did_not_take():
    # GK 01: sqrt's adjoint at 0 is inf; maximum's rule multiplied it by the mask 0 of
    # the operand not taken: nan for both arguments, where wrt=0 alone (forward mode)
    # gave the finite value. The share is selected now (np.where), so 0.
    from autograd_src import jvp
    with np.errstate(divide="ignore"):
        g_v0, g_kappa = grad(_full_truncation, wrt=(0, 1))(0.5, 0.1)
        expected = 2 * 0.5 / np.sqrt(0.6)  # each of the two terms: d sqrt(v0 + kappa)
        np.testing.assert_allclose([g_v0, g_kappa], [expected, expected])
        np.testing.assert_allclose(jvp(_full_truncation, (0.5, 0.1), (1.0, 0.0))[1], expected)


def _logs_into_a_key(w, stats):
    stats['history'].append(float(np.sum(w)))  # a number kept for the caller
    return np.sum(w ** 2) * stats['scale']


def _reads_the_log_back(w, stats):
    stats['history'].append(float(np.sum(w)))
    return np.sum(w ** 2) * stats['history'][-1]


def test_a_number_logged_into_a_list_at_a_constant_key_runs_as_written():
    # GL 01, GN 02: stats['history'].append(float(...)) was refused wherever the dict was
    # read otherwise (stats['scale']), as m.hist.append(...) no longer is
    stats = {'scale': 2.0, 'history': []}
    np.testing.assert_allclose(grad(_logs_into_a_key)(np.array([1.0, 2.0]), stats), [4.0, 8.0])
    assert stats['history'] == [3.0]
    # read back, the logged number would be a constant: still refused
    with pytest.raises(Exception, match=r"stats\['history'\]\.append\(\)"):
        grad(_reads_the_log_back)(np.array([1.0, 2.0]), {'history': [0.5]})


def _scaled_solve(ab, b):
    return b / ab


def _scaled_solve_rule(g, ans, ab, b):
    out = g / ab  # (two statements: called as a function, not inlined)
    return None, out


def _solved(b, k):
    return np.sum(_scaled_solve(1.0 + k * np.ones_like(b), b) ** 2)


def test_a_rule_of_yours_returning_none_for_an_input_with_gradient_is_said():
    # GN 04: a rule that cannot be inlined returned None for an input that carries a
    # gradient: TypeError 'NoneType' object is not subscriptable, deep in generated code
    from autograd_src import extend
    extend.defvjp(_scaled_solve)(_scaled_solve_rule)
    with pytest.raises(TypeError, match=r"_scaled_solve_rule\(\) returns None for its "
                                        r"input ab, which carries a gradient here"):
        grad(_solved, wrt=1)(np.array([1.0, 2.0]), 0.5)
    b = np.array([1.0, 2.0])  # (where ab has no gradient, None is what it means)
    np.testing.assert_allclose(grad(_solved)(b, 0.5), 2 * b / 1.5 ** 2)


class _Clocked:
    def __init__(self, c, reads_clock=False):
        self.c, self.dt, self.t, self.reads_clock = c, 0.1, 0.0, reads_clock

    def tendency(self, u):
        return -self.c * (u - np.roll(u, 1))

    def step(self, u):
        k = self.tendency(u)
        self.t = self.t + self.dt  # a clock no derivative reads
        return u + self.dt * k

    def cost(self, u0):
        u = u0
        for _ in range(3):
            u = self.step(u)
        return np.sum(u ** 2)


class _ClockRead(_Clocked):
    def tendency(self, u):
        return -self.c * (u - np.roll(u, 1)) * (1.0 + self.t)


def test_an_attribute_set_after_a_method_call_that_never_reads_it_is_accepted():
    # GN 01: self.t = self.t + self.dt after self.tendency(u) was refused ("the
    # derivative of an earlier line holds self itself"), though tendency reads only self.c
    u0 = np.array([1.0, 2.0, 0.5, -1.0])
    expected = np.array([(_Clocked(0.5).cost(u0 + 1e-6 * e) - _Clocked(0.5).cost(u0 - 1e-6 * e))
                         / 2e-6 for e in np.eye(4)])
    np.testing.assert_allclose(grad(_Clocked(0.5).cost)(u0), expected, rtol=1e-6)
    # where the method reads the attribute, its derivative reads the value read once as
    # the method ran (self_t = self.t), not self: the new value is no change it sees (HC 08)
    expected = np.array([(_ClockRead(0.5).cost(u0 + 1e-6 * e) -
                          _ClockRead(0.5).cost(u0 - 1e-6 * e)) / 2e-6 for e in np.eye(4)])
    np.testing.assert_allclose(grad(_ClockRead(0.5).cost)(u0), expected, rtol=1e-6)


def _ghost_rows(h0, kappa):
    h = np.zeros((5, 3))
    h[1:-1] = h0
    for _ in range(2):
        h[0], h[-1] = h[-2], h[1]  # periodic ghost rows: rows read and written apart
        h[:, 0], h[:, -1] = h[:, -2], h[:, 1]
        h[1:-1] = h[1:-1] + kappa * (h[2:] - 2 * h[1:-1] + h[:-2])
    return np.sum(h[1:-1] ** 2)


def _rows_swapped(h0):
    h = h0 * 1.0
    h[0], h[1] = h[1], h[0]  # NumPy: both rows become the old h[1]
    return np.sum(h * np.arange(6.0).reshape(2, 3))


def test_rows_set_by_one_tuple_assignment_are_checked_region_by_region():
    # GN 03: h[0], h[-1] = h[-2], h[1] was refused on a 2-D array (the pending value
    # h[1] shares h's memory), though the row written is not the row still to be read
    h0 = np.arange(9.0).reshape(3, 3)
    expected = np.zeros_like(h0)
    for i in np.ndindex(h0.shape):
        e = np.zeros_like(h0)
        e[i] = 1e-6
        expected[i] = (_ghost_rows(h0 + e, 0.3) - _ghost_rows(h0 - e, 0.3)) / 2e-6
    np.testing.assert_allclose(grad(_ghost_rows)(h0, 0.3), expected, rtol=1e-6)
    with pytest.raises(InPlaceUpdateError, match=r"h\[0\], h\[1\] = \(h\[1\], h\[0\]\)"):
        grad(_rows_swapped)(np.arange(6.0).reshape(2, 3))


def _logged_then_read_through_another_key(x, stats):
    loss = np.sum(x ** 2)
    stats['a'].append(float(loss))
    return loss * stats['b'][-1]  # the same list where the caller gives one for both


class _Trainer:
    def __init__(self):
        self.hist = [1.0]
        self.log = self.hist  # two names for one history

    def loss(self, x):
        value = np.sum(x ** 2)
        self.log.append(float(value))
        return value * self.hist[-1]


def test_a_number_logged_and_read_back_through_another_name_is_refused():
    # GO 01-04: the logged number runs as written, a constant; read back through another
    # key, attribute, closure or global holding the same list, the gradient left out its
    # dependence (half the true one, silently). Checked as the append runs.
    from autograd_src import jvp
    x = np.array([0.3, -0.7, 1.2])
    shared = [1.0]
    with pytest.raises(InPlaceUpdateError, match=r"read back through stats\['b'\]"):
        grad(_logged_then_read_through_another_key)(x, {'a': shared, 'b': shared})
    with pytest.raises(InPlaceUpdateError, match=r"read back through stats\['b'\]"):
        jvp(_logged_then_read_through_another_key, (x, {'a': shared, 'b': shared}),
            (np.ones(3), None))
    with pytest.raises(InPlaceUpdateError, match=r"read back through self\.hist"):
        grad(_Trainer().loss)(x)
    # two lists: the log runs as written, and hessian over the gradient's code too
    from autograd_src import hessian
    np.testing.assert_allclose(
        grad(_logged_then_read_through_another_key)(x, {'a': [], 'b': [2.0]}), 4 * x)
    np.testing.assert_allclose(
        hessian(_logged_then_read_through_another_key)(x, {'a': [], 'b': [2.0]}),
        4 * np.eye(3))


def _truncations(x):
    return (np.sum(np.sqrt(np.fmax(x, 0.0))) + np.sum(np.sqrt(-np.fmin(x, 0.0))) +
            np.sum(np.sqrt(np.max(np.stack([x, np.zeros(3)]), axis=0))))


def test_fmax_fmin_and_max_reductions_select_their_adjoint_too():
    # GO 07: the siblings of GK 01's maximum: an infinite adjoint times the 0 of the
    # entry not taken gave nan
    x = np.array([-1.0, 0.5, 2.0])
    with np.errstate(divide="ignore"):
        got = grad(_truncations)(x)
    positive = np.where(x > 0, 0.5 / np.sqrt(np.abs(x)), 0.0)
    negative = np.where(x < 0, -0.5 / np.sqrt(np.abs(x)), 0.0)
    np.testing.assert_allclose(got, 2 * positive + negative)


def _solved_through(x, xp):
    A = xp.outer(x, x) + 2.0 * xp.eye(3)
    return xp.sum(xp.linalg.solve(A, x))


def test_forward_mode_through_a_module_passed_in_takes_each_input_term_alone():
    # GO 05: the tangent rule picked as the code runs was called whole with one input's
    # tangent: solve's term of a, g @ ans, failed for a vector b's tangent
    from autograd_src import jvp
    x, t = np.array([0.3, -0.7, 1.2]), np.array([1.0, 0.5, -0.2])
    np.testing.assert_allclose(jvp(_solved_through, (x, np), (t, None))[1],
                               grad(_solved_through)(x, np) @ t)


def _records_then_logs(w, log):
    loss = np.sum(w ** 2)
    log['loss'] = float(loss)
    log.setdefault('history', []).append(float(loss))
    return loss


def test_a_number_stored_at_a_key_of_a_dict_argument_never_read_is_a_record():
    # GQ 01: log['loss'] = float(loss) made the dict differentiated (a new dict), so the
    # setdefault(...).append(...) logging on the next line was refused
    log = {'history': [1.0]}
    np.testing.assert_allclose(grad(_records_then_logs)(np.array([1.0, 2.0]), log), [2.0, 4.0])
    assert log == {'history': [1.0, 5.0], 'loss': 5.0}


def _stepped_through_another_name(beta, y0):
    y = y0
    for _ in range(3):
        y += 0.5 * beta * y  # NumPy writes into the caller's y0
    return y[1]


def test_an_argument_updated_through_another_name_for_it_is_the_argument_updated():
    # GP 06: y = y0; y += ... with y0 not differentiated was refused ("another name, read
    # later, shares"); y0 is never read again, so y is y0 throughout
    y0 = np.array([0.9, 0.1])
    plain = y0.copy()
    _stepped_through_another_name(0.5, plain)
    np.testing.assert_allclose(grad(_stepped_through_another_name)(0.5, y0),
                               0.1 * 3 * 0.5 * 1.25 ** 2)
    np.testing.assert_allclose(y0, plain)  # the caller's array, as one plain run leaves it


def _bumps_items_by_counter(q):
    for step in range(2):
        act = q[step]  # a number where q has one dimension, a row's view where it has two
        act += 1.0
    return np.sum(q)


def _reads_then_bumps(x):
    y = x * 1.0
    return np.sum(y * y) + _bumps_items_by_counter(y)


def test_an_item_taken_by_a_range_counter_and_updated_is_an_item_not_the_parameter():
    # stop-hook-style fuzz seed 37404: act = q[step]; act += v (step a range loop's
    # counter) was taken for q += v, so every array argument was refused
    x = np.arange(3.0)
    np.testing.assert_allclose(grad(_reads_then_bumps)(x), 2 * x + 1)
    with pytest.raises(InPlaceUpdateError, match=r"writes into q\[0\] through another name"):
        grad(_reads_then_bumps)(np.arange(6.0).reshape(3, 2))


def _soft_update(w, target, tau=0.1):
    for k in target:
        target[k] *= (1 - tau)
        target[k] += tau * w
    return np.sum(target['W'] ** 2)


def test_items_of_a_dict_updated_in_place_in_a_loop_over_its_keys():
    # GL 02: the Polyak update was refused: the loop's key k, "read later", was taken for
    # a name that may hold an item's array (a key never is)
    import copy
    w, target = np.array([1.0, 2.0]), {'W': np.array([0.5, -1.0])}
    plain = copy.deepcopy(target)
    _soft_update(w, plain)
    np.testing.assert_allclose(grad(_soft_update)(w, target), 2 * plain['W'] * 0.1)
    np.testing.assert_allclose(target['W'], plain['W'])


class _Block:
    def __init__(self, k):
        self.k = k

    def __call__(self, x):
        return np.tanh(self.k * x)


def _made_and_called(w):
    y = _Block(2.0)(w) + _Block(3.0)(w)
    if np.sum(_Block(1.0)(w)) > 0:
        y = y * 2.0
    return np.sum(y)


def test_an_object_made_and_called_at_once_is_followed():
    # GQ 02: Block(2.0)(w) was refused ("calls the function that Block(2.0) returns");
    # named first (blk = Block(2.0); blk(w)) it was followed
    w = np.array([0.1, 0.2])
    expected = np.array([(_made_and_called(w + e) - _made_and_called(w - e)) / 2e-6
                         for e in np.eye(2) * 1e-6])
    np.testing.assert_allclose(grad(_made_and_called)(w), expected, rtol=1e-6)


def _returns_inserted(r, gamma):
    G = 0.0
    rets = []
    for t in reversed(range(len(r))):
        G = r[t] + gamma * G
        rets.insert(0, G)
    return np.sum(np.array(rets) ** 2)


def _inserted_anywhere(x):
    out = [x[0]]
    out.insert(0, x[1] * 2)
    out.insert(-1, x[2] ** 2)
    out.insert(10, np.sin(x[0]))
    out.insert(-10, x[1] * x[2])
    return np.sum(np.array(out) * np.arange(1.0, 6.0))


def test_insert_is_one_step_whose_adjoint_keeps_no_copy_of_the_list():
    # GL 03: rets.insert(0, G) was rets[:0] + [G] + rets[0:], whose adjoint kept every
    # list made (quadratic: 340x the forward at 4,000 steps); now _ad.inserted
    from autograd_src import hessian
    source = grad(_returns_inserted, wrt=1).source
    assert "_ad.inserted(rets, 0, G)" in source and "rets_stack" not in source
    r = np.array([0.5, -1.0, 2.0])
    expected = (_returns_inserted(r, 0.9 + 1e-6) - _returns_inserted(r, 0.9 - 1e-6)) / 2e-6
    np.testing.assert_allclose(grad(_returns_inserted, wrt=1)(r, 0.9), expected, rtol=1e-6)
    x = np.array([0.3, -0.7, 1.2])  # (negative and out-of-range positions, as list.insert)
    np.testing.assert_allclose(grad(_inserted_anywhere)(x),
                               [4 + 5 * np.cos(0.3), x[2] + 4, x[1] + 6 * x[2]])
    np.testing.assert_allclose(hessian(_inserted_anywhere)(x),
                               [[-5 * np.sin(0.3), 0, 0], [0, 0, 1], [0, 1, 6]], atol=1e-12)


def test_a_result_whose_graph_backward_cleared_converts_for_logging():
    # GR 03: np.mean(losses) of losses kept after loss.backward() raised GradientDropped,
    # though no gradient could reach past them any more (MyGrad: 3.416)
    import autograd_src as mg
    from autograd_src.tensors.errors import GradientDropped
    w = mg.tensor([1.0, 2.0])
    losses = []
    for _ in range(3):
        loss = ((w - 3) ** 2).sum()
        loss.backward()
        with mg.no_autodiff:
            w -= 0.1 * w.grad
        losses.append(loss)
    np.testing.assert_allclose(np.mean(losses), 3.416)
    live = ((w - 3) ** 2).sum()  # a graph still there: refused, as before
    with pytest.raises(GradientDropped):
        np.mean([live, live])


def _snapshot_then_store(s):
    a = np.zeros(3)
    a[:] = np.array([1.0, 2.0, 3.0]) * s
    prev = a + 0.0  # a new array; its tangent was da itself
    a[1:] = 0.0
    return np.sum(prev) + np.sum(a)


def _half_swapped(s):
    a = np.zeros(4)
    a[1:] = np.array([1.0, 2.0, 3.0]) * s
    b = a[0:2] * 1.0
    a[0:2] = a[2:4]
    a[2:4] = b
    return np.sum(a * np.arange(1.0, 5.0))


def _fixed_point(b, V0):
    V = np.zeros(2)
    for _ in range(2):
        V[:] = b * V[::-1] + V0
    return V.sum()


@pytest.mark.parametrize("f, expected", [(_snapshot_then_store, 7.0), (_half_swapped, 12.0),
                                         (_fixed_point, 3.0)])
def test_forward_mode_keeps_tangents_apart_from_arrays_written_in_place(f, expected):
    # GS F6: prev = a + 0.0 (or a[0:2] * 1.0) had the tangent da (a view of it), which
    # a[1:] = 0.0 then changed in place: 2.0 for 7.0, 26.0 for 12.0
    # GT 05: the tangent of V[::-1]'s expression was folded past V[:] = total, reading
    # the view after the store: 8.4 for 3.0 (grad of a float runs forward mode)
    from autograd_src import jvp
    args = (0.7,) if f is not _fixed_point else (0.9, np.array([1.0, 2.0]))
    np.testing.assert_allclose(grad(f)(*args), expected)
    np.testing.assert_allclose(jvp(f, args, (1.0,) + (None,) * (len(args) - 1))[1], expected)


_LOG: dict = {}


def _records_and_reads_the_module_dict(w, log):
    log['loss'] = float(np.sum(w ** 2))
    return np.sum(w ** 2) * len(_LOG)  # _LOG is log where the caller passes it


def _logs_and_reads_back_by_the_same_key(w, log):
    loss = np.sum(np.sin(w))
    log.setdefault('history', []).append(float(loss))
    return loss * log['history'][-1]


def test_an_argument_written_that_is_a_dict_the_function_reads_by_name_is_refused():
    # GS F1-F4: log (written: grad works on a copy, written back at the end) was the
    # module's _LOG, which the function read: value 0.0 for 0.14, KeyError, a zero
    # gradient; through a closure, an UnboundLocalError. Checked as the call starts.
    w = np.array([0.1, -0.2, 0.3])
    with pytest.raises(InPlaceUpdateError, match="writes into its argument log"):
        grad(_records_and_reads_the_module_dict)(w, _LOG)
    _LOG.clear()
    np.testing.assert_allclose(grad(_records_and_reads_the_module_dict)(w, {}), 0 * w)
    # GS F7: read back by the very key it was logged at (setdefault): refused as it runs
    with pytest.raises(InPlaceUpdateError, match=r"read back through log\['history'\]"):
        grad(_logs_and_reads_back_by_the_same_key)(w, {'history': [3.0]})


_Gamma = __import__("collections").namedtuple("_Gamma", ["shape", "scale"])
_State = __import__("collections").namedtuple("_State", ["mean", "var", "T"])


def _gamma_moments(p):
    return (p.shape * p.scale) * (p.shape * p.scale ** 2)


def _state_made_here(x):
    s = _State(x * 2.0, x ** 2, np.sin(x))
    return s.mean * s.var + s.T


def test_namedtuple_fields_named_like_array_attributes_are_fields():
    # GU 01: p.shape was read as an array's shape (gradient silently 0), c.T as a
    # transpose (a wrong value), s.mean refused as an array's method
    np.testing.assert_allclose(list(grad(_gamma_moments)(_Gamma(2.0, 0.5))), [0.5, 3.0])
    x = 0.7
    expected = 6 * x ** 2 + np.cos(x)
    np.testing.assert_allclose(grad(_state_made_here)(x), expected)
    np.testing.assert_allclose(grad(_state_made_here)(np.array(x)), expected)


def _trajectory_read_back(x, n):
    hs = [x, x * 2.0]
    for _ in range(n):
        hs.append(np.sin(hs[-1]) * 0.9 + 0.3 * hs[-2] + 0.1 * hs[0])
    return np.sum(hs[-1] * hs[1])


def test_a_list_read_by_position_while_it_grows_is_not_kept_per_pass():
    # GU 50, GD 08: hs.append(f(hs[-1])) kept the list at each pass for the adjoint of
    # hs[-1], so each append copied it (16,000 steps: 110x the forward, quadratic); the
    # list's adjoint, written in place, has its length at each point and stands for it
    source = grad(_trajectory_read_back).source
    assert "hs_stack" not in source and "_ad.add_into(dhs, dhs, -1," in source
    x = np.array([0.3, -0.2, 0.5])
    expected = np.array([(_trajectory_read_back(x + e, 6) - _trajectory_read_back(x - e, 6))
                         / 2e-6 for e in np.eye(3) * 1e-6])
    np.testing.assert_allclose(grad(_trajectory_read_back)(x, 6), expected, rtol=1e-6)


def _normal_cdf_like(x):
    xp = np  # (backend-agnostic code: the module under a local name)
    return 0.5 * (1 + xp.tanh(x))


def _book(x):
    return np.sum(_normal_cdf_like(x * x))


def test_second_order_through_a_helper_reaching_numpy_by_a_local_name():
    # GK 07: xp = np; xp.tanh(x) in a helper: "xp.tanh() not known to give the same
    # result twice" for hessian, though grad followed it
    from autograd_src import hessian
    x = np.array([0.3, 0.5])
    t = np.tanh(x * x)
    np.testing.assert_allclose(hessian(_book)(x),
                               np.diag((1 - t ** 2) - t * (1 - t ** 2) * (2 * x) ** 2))


def _reductions_with_numpy2_keywords(x):
    return (np.sum(x, axis=0, initial=2.0).sum() + np.max(x, axis=1, initial=0.5).sum() +
            np.std(x, correction=1) + np.var(x, axis=0, ddof=0.5).sum())


def test_reductions_take_initial_and_correction_and_a_fractional_ddof():
    # GM 02/04: initial= and correction= were refused; a fractional ddof was rounded
    # down in var's gradient (0.7 for 0.4667)
    from autograd_src import jvp
    x = np.array([[1.0, -2.0], [0.3, 0.1]])
    expected = np.array([(_reductions_with_numpy2_keywords(x + e) -
                          _reductions_with_numpy2_keywords(x - e)) / 2e-6
                         for e in np.eye(4).reshape(4, 2, 2) * 1e-6]).reshape(2, 2)
    np.testing.assert_allclose(grad(_reductions_with_numpy2_keywords)(x), expected, rtol=1e-6)
    np.testing.assert_allclose(jvp(_reductions_with_numpy2_keywords, (x,), (np.ones((2, 2)),))[1],
                               expected.sum(), rtol=1e-6)


def _alias_rebound_in_one_arm(y0, c, flag):
    y = y0
    if flag:
        y = y * 2.0
    y += c  # flag False: NumPy writes into y0 too
    return np.sum(y * y0)


def test_a_name_rebound_in_one_arm_of_an_if_still_may_share_after_it():
    # GV 01: the arm binding y anew dropped y from the names that may share an array,
    # for both arms: y += c, with y still y0 on the other arm, became a new array
    # silently (value 0.78 for 3.25, the caller's y0 not updated)
    with pytest.raises(InPlaceUpdateError, match=r"y \+= c"):
        grad(_alias_rebound_in_one_arm, wrt=1)(np.array([0.5, -1.2]), 1.3, False)


def _records_on_a_dict(x, out):
    out['s'] = float(np.sum(x))
    return x * 2.0


def _calls_the_recorder(x, out):
    y = _records_on_a_dict(x, out)
    return np.sum(y ** 2)


def test_forward_mode_gives_the_caller_what_a_helper_stores_into_its_dict():
    # GV 02: jvp through a helper doing out['s'] = ... left the caller's dict {} (the
    # store was made on a new dict); grad and vjp left it set
    from autograd_src import jvp
    x = np.array([0.3, 1.1])
    out: dict = {}
    jvp(_calls_the_recorder, (x, out), (np.ones(2), None))
    assert out == {'s': float(np.sum(x))}


_Stat = __import__("collections").namedtuple("_Stat", ["mean", "dtype"])


def _weighted(s, x):
    return s.mean * np.sum(x) + np.sum(s.dtype * x)


def test_a_namedtuple_with_a_field_named_dtype_is_no_array_to_the_argument_check():
    # GV 05: the argument check read s.dtype (an array field) as a dtype: ValueError
    got = grad(_weighted)(_Stat(0.3, np.array([0.2, 0.9])), np.array([1.0, 2.0]))
    np.testing.assert_allclose(got.mean, 3.0)
    np.testing.assert_allclose(got.dtype, [1.0, 2.0])


def _read_by_counter(x, n):
    hs = [x]
    for i in range(n):
        hs.append(np.tanh(hs[i]) + 0.5 * hs[0])
    return np.sum(hs[-1] * hs[1])


def test_a_list_read_by_a_range_counter_while_it_grows_is_not_kept_per_pass():
    # GV 07: hs.append(np.tanh(hs[i])) kept the list per pass (127x at 16,000 steps)
    source = grad(_read_by_counter).source
    assert "hs_stack" not in source
    x = np.array([0.3, -0.2])
    expected = np.array([(_read_by_counter(x + e, 5) - _read_by_counter(x - e, 5)) / 2e-6
                         for e in np.eye(2) * 1e-6])
    np.testing.assert_allclose(grad(_read_by_counter)(x, 5), expected, rtol=1e-6)


_Box = __import__("collections").namedtuple("_Box", ["shape", "T", "size"])


def _replaced_fields(b):
    b2 = b._replace(size=b.size * 2.0)
    return np.sum(b2.size) + np.sum(b2.shape ** 2)


def test_a_namedtuple_made_by_replace_reads_its_fields_named_like_array_attributes():
    # GV 04: b._replace(size=...) then b2.size: read as an array's size, gradient 0
    b = _Box(np.array([0.3, -0.2]), 0.7, np.array([1.1, 0.5]))
    got = grad(_replaced_fields)(b)
    np.testing.assert_allclose(got.size, [2.0, 2.0])
    np.testing.assert_allclose(got.shape, 2 * b.shape)


_Layer = __import__("collections").namedtuple("_Layer", ["shape", "size"])


def _first_layer(layers, x):
    layer = layers[0]
    return np.sum(np.sin(layer.size * x))


def test_a_namedtuple_item_with_float_fields_named_like_array_attributes_is_refused():
    # GV 06: layers[0].size of a namedtuple inside a differentiated list was read as an
    # array's size: gradient silently 0. Refused as the call starts, naming the field.
    with pytest.raises(TypeError, match="field 'shape' is named like an array's attribute"):
        grad(_first_layer)([_Layer(np.eye(2), 0.3)], np.array([0.7, -0.4]))


def _box_field_t(x):
    b = _Box(x, x ** 2, x * 3.0)
    return np.sum(b.T * np.array([1.0, -2.0, 0.5]))


def test_second_order_reads_a_namedtuples_t_field_as_a_field():
    # GV 03: forward mode over the gradient's code (b = _ad.construct(Box, ...)) read
    # b.T as a transpose: a (3, 3) Hessian-vector product for a (3,) one
    from autograd_src import hvp
    x, v = np.array([0.3, 0.7, -1.1]), np.ones(3)
    np.testing.assert_allclose(hvp(_box_field_t)(x, v), 2 * np.array([1.0, -2.0, 0.5]))


def test_the_tensor_api_takes_clips_bounds_by_numpy_21_names():
    # GO 08: np.clip(t, min=, max=) and t.clip(min=) were refused; grad takes them
    import autograd_src as mg
    t = mg.tensor([-1.0, 0.5, 2.0])
    np.sum(t.clip(min=0.0) ** 2).backward()
    np.testing.assert_allclose(t.grad, [0.0, 1.0, 4.0])
    t = mg.tensor([-1.0, 0.5, 2.0])
    if np.lib.NumpyVersion(np.__version__) < "2.1.0":
        # np.clip took min= and max= from NumPy 2.1; before, NumPy itself refuses them
        # before a Tensor sees the call, as it does for an array
        for operand in (t, np.array([-1.0, 0.5, 2.0])):
            with pytest.raises(TypeError):
                np.clip(operand, min=0.0, max=1.0)
        return
    np.sum(np.clip(t, min=0.0, max=1.0) ** 2).backward()
    np.testing.assert_allclose(t.grad, [0.0, 1.0, 0.0])


def _power_by_keyword(x):
    return pow(x, exp=3) + pow(base=x, exp=2)


def test_pow_takes_its_arguments_by_pythons_names():
    # GU 30: pow(x, exp=3) was refused, naming the rule's own parameters (x, y)
    np.testing.assert_allclose(grad(_power_by_keyword)(0.7), 3 * 0.7 ** 2 + 2 * 0.7)
