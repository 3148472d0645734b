"""Session 18: the smallest forms of what independent testers and the fuzzers found,
each checked against finite differences or against one plain run of the function."""
import numpy as np
import pytest

from autograd_src import grad, hessian
from autograd_src.errors import DiffSyntaxError

from .test_session17_trust import _finite_differences


def test_grad_of_grad_keeps_dict_update_or_refuses_with_grad():
    # BK: reverse over reverse ran the general code of grad(f), which works on a copy of
    # a dict argument and writes nothing back: the caller's dict was left untouched.
    def f(x, st):
        st['calls'] = st['calls'] + 1
        y = np.sum(x ** 2) + st['calls'] * x[0] * x[1]
        st['scale'] = st['scale'] * 0.5
        return y

    x = np.array([0.3, -0.7, 1.1])
    with pytest.raises(DiffSyntaxError):
        grad(f)(x, {'calls': 0, 'scale': 1.0})
    st = {'calls': 0, 'scale': 1.0}
    with pytest.raises(DiffSyntaxError):
        grad(grad(f))(x, st)

    def g(x, log):
        y = np.sum(np.sin(x) ** 2)
        log.append(float(y))
        return y * x[0]

    plain: list = []
    g(x, plain)
    log: list = []
    got = grad(grad(g))(x, log)
    assert log == plain
    np.testing.assert_allclose(got, hessian(g)(x, []).sum(axis=1), rtol=1e-10)


def _unpacked_item(x):
    val, h = x[0], x[1]
    val += x[1]
    return np.sum(val * h)


def _item_or_number(x):
    val = x[0] if np.mean(x) <= 5 else 1.72
    val *= 2.0
    return np.sum(val)


@pytest.mark.parametrize("helper", [_unpacked_item, _item_or_number])
def test_helper_writing_through_an_item_checks_that_item_only(helper):
    # Fuzz seed 171717: a helper binding val = x[0] (a number for a 1-D x) and then
    # val += ... was taken as writing into the whole of x: a view of the caller's x,
    # read after the call, made the call refused. For a 2-D x, x[0] is a view: refused.
    def f(x):
        z = x[::-1]
        act = z[::-1]
        term = helper(act)
        return np.sum(act * x) + term

    x = np.array([0.3, -0.7, 1.1])
    np.testing.assert_allclose(grad(f)(x.copy()), _finite_differences(f, x), atol=1e-7)
    from autograd_src.errors import InPlaceUpdateError
    with pytest.raises(InPlaceUpdateError, match="term = helper"):
        grad(f)(np.array([[0.3, -0.7], [1.1, 0.2]]))


def test_a_comprehension_variable_is_not_a_name_read_later():
    # BQ: cnt['n'] += 1 or lst[1] += v was refused when a comprehension or generator
    # followed: its own variable (w, i) was taken for a name of the function that might
    # hold the item's array.
    def f(x):
        lst = [x, 0.0]
        lst[1] += x * x
        return lst[1] + sum(x * w for w in (1.0, 2.0))

    def g(x, cnt):
        cnt["n"] += 1
        vals = [x * i for i in range(5) if i % 2 == 1 or i == 0]
        double = lambda q: q * 2.0  # noqa: E731
        scale = double(x)
        return vals[1] * scale

    assert grad(f)(0.7) == pytest.approx(2 * 0.7 + 3.0)
    cnt = {"n": 0}
    assert grad(g)(0.7, cnt) == pytest.approx(4 * 0.7)
    assert cnt == {"n": 1}


_VIEWS = {
    "flip": lambda a: np.flip(a, 0), "fliplr": np.fliplr, "flipud": np.flipud,
    "rot90": np.rot90, "rollaxis": lambda a: np.rollaxis(a, 1),
    "einsum ij->ji": lambda a: np.einsum("ij->ji", a),
    "einsum ii->i": lambda a: np.einsum("ii->i", a),
    "einsum ...": lambda a: np.einsum("...", a),
}
if hasattr(np, "matrix_transpose"):
    _VIEWS["matrix_transpose"] = np.matrix_transpose


@pytest.mark.parametrize("name", sorted(_VIEWS))
def test_tensor_writes_through_numpy_views_reach_their_base(name):
    # BR: np.flip, rot90, rollaxis, matrix_transpose and one-operand einsum give views
    # in NumPy; on a tensor they gave unlinked copies, so a write through them was lost
    # (values and gradient).
    import autograd_src as mg
    make = _VIEWS[name]

    def loss(x, like=np.asarray):
        y = x * 1.5
        t = make(y)
        t[0] = t[0] * 3.0 + 1.0  # through the view, into y
        t *= like(0.5)
        return (y * y * x).sum()

    x0 = np.array([[0.3, -0.7, 0.2], [1.1, 0.4, -0.5], [0.6, -0.2, 0.9]])
    x = mg.tensor(x0)
    out = loss(x, like=lambda v: v)
    np.testing.assert_allclose(out.item(), loss(x0.copy()), rtol=1e-12)
    out.backward()
    np.testing.assert_allclose(x.grad, _finite_differences(loss, x0), atol=1e-6)


def test_tensor_write_into_a_read_only_diagonal_fails_as_numpy():
    import autograd_src as mg
    y = mg.tensor(np.ones((3, 3))) * 2.0
    with pytest.raises(ValueError):
        np.diagonal(y)[0] = 5.0
    with pytest.raises(ValueError):
        np.diagonal(np.ones((3, 3)) * 2.0)[0] = 5.0


def _positive(q):
    return q > 0.0


def _python_builtins_cases():
    import autograd_src  # noqa: F401

    def zip_reversed(x):
        s = 0.0
        for i, (p, q) in enumerate(zip([x, x * x], reversed([1.0, 2.0]))):
            s = s + p * q * i
        return s

    def map_reversed(v):
        return sum(map(lambda a, b: a * b, v, reversed(list(v))))

    def dict_of_zip(x):
        d = dict(zip(["a", "b"], [x, x * x]))
        return d["a"] + d["b"] * 3.0

    def filtered(x):
        return sum(filter(lambda q: q > 0.0, [x, -x * 2, x * x]))

    def filtered_by_function(x):
        kept = list(filter(_positive, [x, -x * 2, x * x]))
        return sum(filter(None, kept)) * len(kept)

    def zip_of_draws(x):
        rng = np.random.default_rng(3)
        pairs = list(zip([x, 2.0 * x], rng.normal(size=2)))  # drawn once, as Python
        return sum(p * w for p, w in pairs)

    return [(zip_reversed, 0.7), (map_reversed, np.array([0.3, -0.2, 0.4])),
            (dict_of_zip, 0.7), (filtered, 0.7), (filtered_by_function, 0.7),
            (zip_of_draws, 0.7)]


@pytest.mark.parametrize("case", range(6))
def test_python_builtins_over_differentiated_values(case):
    # BQ: enumerate(zip(xs, reversed(c))) called len() of an iterator; dict(zip(k, v))
    # failed as it ran; map over reversed(list(v)) asked for a rule of islice; filter
    # had no rule; zip's arguments were evaluated again for each item.
    from autograd_src import jvp
    f, x = _python_builtins_cases()[case]
    if isinstance(x, float):
        want = (f(x + 1e-6) - f(x - 1e-6)) / 2e-6
        assert grad(f)(x) == pytest.approx(want, rel=1e-6)
        assert jvp(f, (x,), (1.0,))[1] == pytest.approx(want, rel=1e-6)
    else:
        np.testing.assert_allclose(grad(f)(x), _finite_differences(f, x), atol=1e-7)


class _Counter:
    def __init__(self):
        self.t = 0


class _Buffer:
    def __init__(self):
        self.buf = np.zeros(3)


class _Model:
    def __init__(self):
        self.calls = 0

    def __call__(self, x):
        y = np.sin(x) + self.calls * x ** 2
        self.calls = self.calls + 1
        return y


def test_vjp_and_jacrev_of_one_row_run_on_the_state_the_value_found():
    # BS: vjp (always) and jacrev of a scalar function ran f a second time on the state
    # the value's run left: an object held in a dict argument, a callable object's own
    # attributes (given back now), an array updated in place on an object (which cannot
    # be given back: an error now, as jacfwd's).
    from autograd_src import jacobian, jacrev, vjp
    x = np.array([0.3, -0.7, 1.1])

    def counted(x, st):
        st['s'].t = st['s'].t + 1
        return np.sum(np.sin(x)) * st['s'].t

    for run in (lambda st: jacrev(counted)(x, st), lambda st: jacobian(counted)(x, st),
                lambda st: vjp(counted, x, st)[1](1.0)[0]):
        st = {'s': _Counter()}
        np.testing.assert_allclose(run(st), np.cos(x), rtol=1e-12)
        assert st['s'].t == 1

    def buffered(x, st):
        y = np.sum(np.sin(x)) * (1.0 + np.sum(st.buf))
        st.buf += 1.0
        return y

    # (session 19: the array is given back in place too: the state one run sees, and
    # after, the state one run leaves)
    for run in (lambda st: jacrev(buffered)(x, st),
                lambda st: vjp(buffered, x, st)[1](1.0)[0]):
        st = _Buffer()
        before = st.buf.copy()
        np.testing.assert_allclose(run(st), np.cos(x) * (1.0 + np.sum(before)), rtol=1e-12)
        np.testing.assert_allclose(st.buf, before + 1.0)

    m = _Model()
    value, back = vjp(m, x)
    np.testing.assert_allclose(value, np.sin(x))
    np.testing.assert_allclose(back(np.ones(3))[0], np.cos(x), rtol=1e-12)
    assert m.calls == 1


def test_a_log_read_back_for_its_length_only_runs_as_written():
    # BT: d['hist'].append(float(x)) then len(d['hist']) was refused; the numbers logged
    # are read back nowhere. Read back by value, the log is still refused.
    def counted(x, d):
        d['hist'].append(float(x))
        return x ** 3 + len(d['hist'])

    def read_back(x, d):
        d['hist'].append(float(x))
        return x ** 3 * d['hist'][-1]

    d = {'hist': [0.5]}
    assert grad(counted)(1.3, d) == pytest.approx(3 * 1.3 ** 2)
    assert d == {'hist': [0.5, 1.3]}
    with pytest.raises(DiffSyntaxError):
        grad(read_back)(1.3, {'hist': []})


class _Accumulator:
    def __init__(self):
        self.buf = np.zeros(3)

    def __call__(self, x):
        self.buf += 1.0
        return x * self.buf

    def step_out(self, x):
        np.add(self.buf, 1.0, out=self.buf)
        return x * self.buf

    def step(self, x):
        self.buf += 1.0
        return x * self.buf


_ACC = _Accumulator()
_HELD = [_ACC]


def _through_call(x):
    return _ACC(x)


def _through_out(x):
    return _ACC.step_out(x)


def _through_local_dict(x):
    d = {'m': _ACC}
    return d['m'].step(x)


def _through_list_item(x):
    return _HELD[0](x)


@pytest.mark.parametrize("f", [_through_call, _through_out, _through_local_dict,
                               _through_list_item])
def test_state_no_pass_can_give_back_is_caught_through_objects_called(f):
    # BT: an object's array updated in place, reached as a callable object (AC(x)), with
    # np.add(..., out=self.buf), through a dict of the function's own or a list item:
    # may_change_state missed it, so Jacobians mixed states silently.
    # Session 19: the arrays an object holds are given back between passes too (their
    # values, in place), so each pass sees the state one run sees, and the state after
    # is that after one run (was: the passes disagreed, a RuntimeError).
    from autograd_src import jacfwd, jacrev, vjp
    x = np.array([0.5, -1.0, 2.0])
    for run in (lambda: jacrev(f)(x), lambda: jacfwd(f)(x),
                lambda: np.diag(vjp(f, x)[1](np.ones(3))[0])):
        _ACC.buf = np.zeros(3)
        np.testing.assert_allclose(run(), np.eye(3))  # d(x * buf)/dx with buf 0 + 1
        np.testing.assert_allclose(_ACC.buf, np.ones(3))  # as after one run


_TICKS = {'n': 0}


def _tick(v):
    _TICKS['n'] += 1
    return v


def test_zip_of_a_lazy_iterable_with_effects_is_refused_and_iter_is_its_iterable():
    # BT: zip([a, b], map(tick, [c, d, e])) runs tick twice in Python (zip stops at the
    # shorter list) but grad made the whole map first: three ticks, and a gradient
    # scaled by the count read back. Refused now; iter(xs) given to zip or a loop is read
    # as xs (it asked for rules of iter and islice); next() says what to write instead.
    from autograd_src.errors import NoRuleError

    def ticked(x):
        s = 0.0
        for a, b in zip([x[0], x[1]], map(_tick, [x[2], x[1], x[0]])):
            s = s + a * b
        return s * _TICKS['n']

    def drawn(x):
        rng = np.random.default_rng(0)
        return sum(a * b for a, b in zip([x[0], x[1]], (rng.normal() for _ in range(3))))

    x = np.array([0.7, 1.3, -0.4])
    for f in (ticked, drawn):
        with pytest.raises(DiffSyntaxError, match="zip reads"):
            grad(f)(x)

    def iterated(x):
        s = 0.0
        for a, b in zip(iter([x[1], x[2]]), x):
            s = s + a * b
        return s + sum([a * b for a, b in zip(iter([x[1]]), filter(None, [x[0]]))])

    np.testing.assert_allclose(grad(iterated)(x), _finite_differences(iterated, x), atol=1e-7)

    def stepped(x):
        items = (v * 2.0 for v in x)
        return next(items) * x[1]

    with pytest.raises(NoRuleError, match="make a list and index it"):
        grad(stepped)(x)


class _Sign:
    def __init__(self):
        self.sign = np.ones(1)


_SIGN = _Sign()


def _toggled(x):
    _SIGN.sign *= -1.0
    return x * _SIGN.sign[0]


def _toggled_scalar(x):
    _SIGN.sign *= -1.0
    return np.sum(x ** 2) * _SIGN.sign[0]


@pytest.mark.parametrize("mode", ["jacfwd", "jacrev", "hessian"])
def test_state_flipping_back_and_forth_is_caught(mode):
    # BP r6: an array on an object negated on each run: the first pass made again after
    # an even number of others agreed with it, so the Jacobian mixed two states. Each
    # pass's value is compared with the first's now.
    # Session 19: the sign's array is given back between passes: every pass sees -1, as
    # one run does, and the state after is that after one run.
    import autograd_src
    f = _toggled_scalar if mode == "hessian" else _toggled
    _SIGN.sign[:] = 1.0
    got = getattr(autograd_src, mode)(f)(np.array([0.3, -1.2]))
    np.testing.assert_allclose(got, -2.0 * np.eye(2) if mode == "hessian" else -np.eye(2))
    np.testing.assert_allclose(_SIGN.sign, [-1.0])


def test_advice_for_dict_methods_statistics_and_resize_can_be_followed():
    # BF: d.setdefault named a generated helper; statistics.mean pointed into the
    # standard library; y.resize advised np.resize (no rule, and it repeats rather than
    # pads). Each message now gives advice that works, checked here by following it.
    import statistics

    from autograd_src import jvp
    from autograd_src.errors import NoRuleError

    def set_default(x, d):
        v = d.setdefault('a', x)
        return v * 2.0

    def followed(x, d):
        d['a'] = d.get('a', x)
        return d['a'] * 2.0 + d.get('b', x * x)

    with pytest.raises(NoRuleError, match=r"d\[key\] = d.get\(key, default\)"):
        grad(set_default)(1.5, {})
    for given in ({}, {'a': 3.0}):
        d = dict(given)
        want = (followed(1.5 + 1e-6, dict(given)) - followed(1.5 - 1e-6, dict(given))) / 2e-6
        assert grad(followed)(1.5, d) == pytest.approx(want, rel=1e-6)
        assert d == {'a': given.get('a', 1.5)}
        assert jvp(followed, (1.5, dict(given)), (1.0, None))[1] == pytest.approx(want, rel=1e-6)

    def mean_of(x):
        return statistics.mean([x, x * x])

    with pytest.raises(NoRuleError, match=r"test_session18_trust.py:\d+\); write np.mean"):
        grad(mean_of)(1.5)

    def resized(x):
        y = x * 2.0
        y.resize((2, 3))
        return np.sum(y)

    def padded(x):  # (the advice, followed)
        y = x * 2.0
        y = np.concatenate([y.ravel(), np.zeros(6 - y.size)]).reshape((2, 3))
        return np.sum(y * np.arange(6.0).reshape(2, 3))

    with pytest.raises(DiffSyntaxError, match="np.concatenate"):
        grad(resized)(np.arange(4.0))
    np.testing.assert_allclose(grad(padded)(np.arange(4.0)), [0.0, 2.0, 4.0, 6.0])


def test_pop_from_a_list_reversed_or_sorted_in_place():
    # BV: ws.reverse() / ws.sort() (rewritten as a new list of the function's own) made
    # the following ws.pop(i) refused as a pop from a list another name may share.
    def reversed_then_popped(x):
        ws = [x * 0.0, x * 1.0, x * 2.0]
        ws.reverse()
        v = ws.pop(1)
        return np.sum(v) + np.sum(ws[0])

    def sorted_then_popped(x):
        ws = [x * 0.0, x * 1.0, x * 2.0]
        ws.sort(key=lambda a: -float(np.sum(a)))
        v = ws.pop(1)
        return np.sum(v) + np.sum(ws[0] * ws[0])

    x = np.array([1.0, 2.0])
    for f in (reversed_then_popped, sorted_then_popped):
        np.testing.assert_allclose(grad(f)(x), _finite_differences(f, x), atol=1e-6)


def test_dict_get_without_default_and_named_lazy_iterators_with_effects():
    # BW: d.get(k) of a differentiated dict was read as d[k] (KeyError where Python gives
    # None); a generator or map whose reading changes state, bound to a name and read by
    # zip, was read whole first (an extra tick: wrong values); read whole, it is exact.
    from autograd_src import hessian, jvp

    def maybe(x):
        d = {'a': x}
        z = d.get('b')
        w = d.get('a')
        return np.sum(w * d['a'] * (1.0 if z is None else z))

    x = np.array([0.7, -1.3])
    np.testing.assert_allclose(grad(maybe)(x), 2 * x)
    np.testing.assert_allclose(jvp(maybe, (x,), (np.ones(2),))[1], np.sum(2 * x))
    np.testing.assert_allclose(hessian(maybe)(x), 2 * np.eye(2))

    def zipped(x):
        _TICKS['n'] = 0
        g = (_tick(v) for v in x)
        pairs = list(zip([1.0, 2.0], g))
        return pairs[1][1] * pairs[0][0] + _TICKS['n'] * x[0]

    def whole(x):
        _TICKS['n'] = 0
        g = (_tick(v) for v in x)
        s = 0.0
        for v in g:
            s = s + v * v
        return s * _TICKS['n']

    x3 = np.array([0.7, -1.3, 0.4])
    with pytest.raises(DiffSyntaxError, match="may stop before its end"):
        grad(zipped)(x3)
    np.testing.assert_allclose(grad(whole)(x3), 6 * x3)


_CONST = {'a': 2.0}


def test_get_on_a_module_dict_and_a_store_after_get():
    # BW: CONST.get('c', x) of a module's dict had no rule; v = d.get('a', 1.0) then
    # d['b'] = v * v on a dict of the function's own was refused as a write into the
    # caller's container (taking an item out of d made d look shared).
    def of_module(x):
        return np.sum(_CONST.get('c', x) * x)

    def stored(x):
        d = {'a': x}
        v = d.get('a', 1.0)
        d['b'] = v * v
        return np.sum(d['b'])

    x = np.array([0.7, -1.3])
    np.testing.assert_allclose(grad(of_module)(x), 2 * x)
    np.testing.assert_allclose(grad(stored)(x), 2 * x)


def test_a_users_module_named_like_the_standard_librarys_is_followed(tmp_path):
    # Python's own modules are told by their files: a project's own random.py or
    # signal.py holds helpers grad follows, while statistics.mean is refused.
    import importlib.util
    import sys
    path = tmp_path / "random.py"
    path.write_text("import numpy as np\n\n\ndef smooth(x):\n    return np.tanh(x) * 2.0\n")
    spec = importlib.util.spec_from_file_location("random", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    smooth = module.smooth
    assert sys.modules["random"] is not module

    def f(x):
        return np.sum(smooth(x))

    x = np.array([0.1, 0.2])
    np.testing.assert_allclose(grad(f)(x), 2.0 / np.cosh(x) ** 2)


def test_list_of_a_dict_is_its_keys_constants():
    # BW: zip(list(d), ws) over a differentiated dict made the keys differentiated
    # ("an index computed from a differentiated value"); list(d) is d's keys.
    def f(x):
        d = {'a': x[0], 'b': x[1]}
        s = 0.0
        for k, w in zip(list(d), [2.0, 3.0]):
            s = s + d[k] * w
        for k in sorted(d):
            s = s + d[k]
        return s

    np.testing.assert_allclose(grad(f)(np.array([0.7, -1.3])), [3.0, 4.0])


def test_nested_zip_in_a_loop():
    # BX: for (a, b), c in zip(zip(x, [x[0], x[1]]), x) asked for a rule of islice (the
    # inner zip was taken for an iterator that may not end).
    import itertools

    def f(x):
        s = 0.0
        for (a, b), c in zip(zip(x, [x[0], x[1]]), x):
            s = s + a * b * c
        for w, sign in zip(x, itertools.cycle([1.0, -1.0])):
            s = s + w * sign
        return s

    x = np.array([0.7, 1.3, -0.4])
    np.testing.assert_allclose(grad(f)(x), _finite_differences(f, x), atol=1e-7)


def _counted_helper(x, y, cnt):
    b = y[0] + x
    cnt["n"] += 1
    return x * b + np.sum(y * y)


def test_a_counter_in_a_dict_given_to_a_helper():
    # BX: grad of a wrapper calling f(a, b, cnt), f reading y[0] then cnt['n'] += 1, was
    # refused: in a helper every parameter may share with every other, and the dict's item
    # update was taken for a write the adjoint reading y would see. Checked as it runs:
    # the same dict passed twice (one read by the adjoint) is still refused.
    from autograd_src import vjp
    from autograd_src.errors import InPlaceUpdateError

    def wrapper(a, b, cnt):
        return _counted_helper(a, b, cnt)

    x, y = 0.3, np.array([0.1, -0.4, 0.5])
    cnt = {"n": 0}
    got = grad(wrapper, wrt=(0, 1))(x, y, cnt)
    assert got[0] == pytest.approx(y[0] + 2 * x)
    np.testing.assert_allclose(got[1], 2 * y + np.array([x, 0.0, 0.0]))
    assert cnt == {"n": 1}
    cnt = {"n": 0}
    np.testing.assert_allclose(vjp(lambda a, b: _counted_helper(a, b, cnt), x, y)[1](1.0)[1],
                               2 * y + np.array([x, 0.0, 0.0]))
    assert cnt == {"n": 1}

    def shared(x, d, e):
        y = x * e['w']
        d['w'] += 5.0
        return np.sum(y * e['w'])

    def outer(x, d, e):
        return shared(x, d, e)

    d = {'w': np.array([1.0, 2.0])}
    with pytest.raises(InPlaceUpdateError):
        grad(outer)(np.array([0.5, 0.3]), d, d)
