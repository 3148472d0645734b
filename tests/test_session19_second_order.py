"""Second derivatives through helpers whose derivative is specialised (session 19).

Forward mode over grad reads a helper's derivative again as plain code run once more
(`transform.forward.recompute`). It refused every helper whose derivative grad had
specialised: to a function argument or default (``act=np.tanh``), to the object of a
method (``self.predict(x)``), to a decorator's ``*args`` count. Each is compared with
finite differences of grad's own gradient.
"""

import functools

import numpy as np
import pytest

from autograd_src import NoRuleError, grad, hessian, hvp, jacfwd

RNG = np.random.default_rng(19)
W = RNG.normal(size=(3, 3)) * 0.7
B = RNG.normal(size=3) * 0.3
X0 = RNG.normal(size=3)


def _hessian_by_differences(f, x, h=1e-6):
    g = grad(f)
    rows = []
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        rows.append((g(x + e) - g(x - e)) / (2 * h))
    return np.array(rows)


def _smooth_relu(z):
    return z * np.tanh(z)


def _layer(x, W, b, act=np.tanh):
    return act(W @ x + b)


def _by_default(x):
    return np.sum(_layer(x, W, B) ** 2)


def _by_keyword(x):
    return np.sum(_layer(x, W, B, act=_smooth_relu) ** 2)


def _by_position(x):
    return np.sum(_layer(x, W, B, _smooth_relu) ** 2) + np.sum(_layer(x, W, B) ** 3)


def _apply(f, x):
    return f(x)


def _applied(x):
    return np.sum(_apply(np.sin, x) * _apply(_smooth_relu, x))


def _passing_on(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    return wrapper


@_passing_on
def _dense(x, W, scale=1.0):
    return np.tanh(scale * (W @ x))


def _decorated(x):
    return np.sum(_dense(x, W) ** 2) + np.sum(_dense(x, W, scale=0.5) ** 3)


class _Model:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def predict(self, x):
        return np.tanh(self.W @ x + self.b)

    def loss(self, x):
        return np.sum(self.predict(x) ** 2)


MODEL = _Model(W, B)


def _method_of_a_global(x):
    return MODEL.loss(x)


def _methods_of_an_argument(x, model):
    return np.sum(model.predict(x) ** 2) + model.loss(x)


def _helper_of_an_object(m, x):
    return np.sum(m.predict(x) ** 2)


def _object_given_to_a_helper(x):
    return _helper_of_an_object(MODEL, x)


@pytest.mark.parametrize("f", [_by_default, _by_keyword, _by_position, _applied,
                               _decorated, _method_of_a_global, _object_given_to_a_helper],
                         ids=lambda f: f.__name__)
def test_hessian_through_a_specialised_helper(f):
    np.testing.assert_allclose(hessian(f)(X0), _hessian_by_differences(f, X0),
                               rtol=1e-6, atol=1e-7)
    v = np.array([0.3, -1.0, 0.5])
    np.testing.assert_allclose(hvp(f)(X0, v), _hessian_by_differences(f, X0) @ v,
                               rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(jacfwd(grad(f))(X0), _hessian_by_differences(f, X0),
                               rtol=1e-6, atol=1e-7)


def test_hessian_through_methods_of_an_argument():
    expected = _hessian_by_differences(lambda x: _methods_of_an_argument(x, MODEL), X0)
    np.testing.assert_allclose(hessian(_methods_of_an_argument)(X0, MODEL), expected,
                               rtol=1e-6, atol=1e-7)


def test_grad_of_a_helper_calling_a_method_of_an_object_it_is_given():
    # helper(MODEL, x) with the helper calling m.predict(x): "cannot tell which function
    # m.predict is before the class of m is known" escaped from the helper; it is known
    # when the call runs, as for a layer picked from a list
    expected = _hessian_by_differences(lambda x: _object_given_to_a_helper(x), X0)
    assert expected.shape == (3, 3)
    got = grad(_object_given_to_a_helper)(X0)
    h = 1e-6
    fd = np.array([(_object_given_to_a_helper(X0 + h * e) - _object_given_to_a_helper(
        X0 - h * e)) / (2 * h) for e in np.eye(3)])
    np.testing.assert_allclose(got, fd, rtol=1e-6, atol=1e-8)


class _Counting(_Model):
    def predict(self, x):
        self.calls = getattr(self, "calls", 0) + 1
        return np.tanh(self.W @ x + self.b)


COUNTING = _Counting(W, B)


def _counting_loss(x):
    return COUNTING.loss(x)


def test_a_helper_changing_its_object_is_refused_by_second_order():
    # run again at its backward, predict() would count twice: refused, not run
    with pytest.raises(NoRuleError, match="runs the helper again"):
        hessian(_counting_loss)(X0)


class _Scaled:
    def __init__(self):
        self.scale = 2.0

    def predict(self, x):
        return np.sin(self.scale * x)


SCALED = _Scaled()


def _set_scale(obj, value):
    obj.scale = value


def _rescaled_between(x):
    y = SCALED.predict(x)
    _set_scale(SCALED, 3.0)  # the state predict() read, changed before its backward
    z = SCALED.predict(x)
    _set_scale(SCALED, 2.0)
    return np.sum(y ** 2) + np.sum(z ** 3)


def test_state_set_between_a_method_and_its_backward_is_right_or_refused():
    # run again where its backward runs, predict() would read scale 3.0 (or 2.0): grad's
    # gradient reads each value once; the second order must agree with it or refuse
    expected = _hessian_by_differences(_rescaled_between, X0)
    try:
        got = hessian(_rescaled_between)(X0)
    except NoRuleError as exc:
        assert "may change before then" in str(exc)
    else:
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7)


HIDDEN = _Model(W, B)
HIDDEN.predict = lambda x: np.cos(x)  # an instance attribute hiding the class's method


def _hidden_given_to_a_helper(x):
    return _helper_of_an_object(HIDDEN, x)


def test_an_object_whose_attribute_hides_a_method_is_refused_when_given_to_a_helper():
    # the helper's derivative follows the class's predict; the object calls its own
    from autograd_src.errors import DiffSyntaxError
    with pytest.raises(DiffSyntaxError, match="attribute predict of the object given to "
                                              "_helper_of_an_object"):
        grad(_hidden_given_to_a_helper)(X0)


class _Scaler:
    def __init__(self):
        self.cfg = {'k': 1.0}
        self.lst = [1.0]

    def by_dict(self, x):
        return self.cfg['k'] * x

    def by_list(self, x):
        return self.lst[0] * x


SCALER = _Scaler()


def _updates_a_dict_between_calls(x):
    a = SCALER.by_dict(x)
    SCALER.cfg.update(k=3.0)
    b = SCALER.by_dict(x)
    SCALER.cfg.update(k=1.0)
    return np.sum(a * b)


def _inserts_between_calls(x):
    a = SCALER.by_list(x)
    SCALER.lst.insert(0, 3.0)
    b = SCALER.by_list(x)
    SCALER.lst.pop(0)
    return np.sum(a * b)


def _sets_through_vars_between_calls(x):
    a = SCALER.by_dict(x)
    vars(SCALER)['cfg'] = {'k': 3.0}
    b = SCALER.by_dict(x)
    vars(SCALER)['cfg'] = {'k': 1.0}
    return np.sum(a * b)


@pytest.mark.parametrize("f", [_updates_a_dict_between_calls, _inserts_between_calls,
                               _sets_through_vars_between_calls], ids=lambda f: f.__name__)
def test_state_a_method_changes_between_a_call_and_its_backward_is_refused(f):
    # CB: S.cfg.update(k=3.0), S.lst.insert(0, 3.0), vars(S)[...] = v between two calls of
    # a method reading them: forward over grad ran the first call again with the new
    # state (a Hessian of 4 for 6); refused now, as S.k = 3.0 is
    x = np.array([0.3, -0.7])
    np.testing.assert_allclose(grad(f)(x), 6 * x)
    with pytest.raises(NoRuleError, match="may change before then"):
        hessian(f)(x)


def test_a_second_order_refusal_points_at_the_users_line():
    # the refusal quoted the generated code (<autograd_src d..dx of ...>:3); the line it
    # refuses is one of the user's, kept as written: shown where the user wrote it
    with pytest.raises(NoRuleError) as info:
        hessian(_rescaled_between)(X0)
    assert info.value.filename.endswith("test_session19_second_order.py")
    assert "_set_scale(SCALED, 3.0)" in info.value.text
    assert "<autograd_src" not in str(info.value)
