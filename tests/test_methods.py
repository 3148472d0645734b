"""Bound methods: grad(obj.method), with self.method() calls resolved on the class."""

import numpy as np
import pytest

from autograd_src import grad, value_and_grad
from autograd_src.errors import DiffSyntaxError, NoRuleError
from autograd_src.testing import check_grads, numerical_grad


class Model:
    scale = 2.0

    def __init__(self, w, b):
        self.w, self.b = w, b

    def predict(self, x):
        return np.tanh(x @ self.w + self.b)

    def loss(self, x, y=0.5):
        return np.mean((self.predict(x) - y) ** 2)

    def total(self, x):
        return self.loss(x) + self.penalty(x) + Model.doubled(x)

    @staticmethod
    def penalty(x):
        return np.sum(x ** 2)

    @classmethod
    def doubled(cls, x):
        return np.sum(x * cls.scale)


class Sine(Model):
    def predict(self, x):
        return np.sin(x @ self.w)


class Rebinds:
    def part(self, x):
        return x * 2.0

    def loss(self, x, other):
        self = other
        return np.sum(self.part(x))


MODEL = Model(np.full((3, 2), 0.5), np.zeros(2))


def through_module_level_object(x):
    return MODEL.loss(x) + Model.doubled(x)


RNG = np.random.default_rng(3)
X = RNG.normal(size=(4, 3))
Y = RNG.normal(size=(4, 2))


def make(kind=Model):
    rng = np.random.default_rng(0)
    return kind(rng.normal(size=(3, 2)), rng.normal(size=2))


def test_method_matches_finite_differences():
    check_grads(make().loss, X, Y, wrt=(0, 1))


def test_positions_and_names_skip_self():
    m = make()
    dx, dy = numerical_grad(m.loss, [X, Y], 0), numerical_grad(m.loss, [X, Y], 1)
    np.testing.assert_allclose(grad(m.loss, wrt="x")(X, Y), dx, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(grad(m.loss, wrt=-1)(X, Y), dy, rtol=1e-7, atol=1e-10)
    with pytest.raises(ValueError, match="parameters are \\(x, y\\)"):
        grad(m.loss, wrt="self")
    with pytest.raises(ValueError, match="out of range"):
        grad(m.loss, wrt=2)


def test_static_class_and_own_methods_are_followed():
    check_grads(make().total, X)


def test_subclass_override_gets_its_own_derivative():
    base, sub = make(), make(Sine)
    check_grads(sub.loss, X, Y)
    assert not np.allclose(grad(base.loss)(X, Y), grad(sub.loss)(X, Y))
    assert "dpredictdx" in grad(sub.loss).source and "np.sin" in grad(sub.loss).source


def test_value_and_grad_and_instances_share_one_derivative():
    a, b = make(), Model(np.linspace(-1.0, 1.5, 6).reshape(3, 2), np.array([0.2, -0.3]))
    value, gx = value_and_grad(b.loss)(X)
    assert np.isclose(value, b.loss(X))
    np.testing.assert_allclose(gx, numerical_grad(b.loss, [X], 0), rtol=1e-7, atol=1e-10)
    check_grads(b.loss, X)
    assert grad(a.loss).__wrapped__ is grad(b.loss).__wrapped__


def test_generated_code_passes_self():
    text = grad(make().loss).source
    assert text.startswith("def dlossdx(self, x, y=0.5, *, dout=None):")
    assert "predict_x, predict_back = dpredictdx(self, x)" in text


def test_instance_attribute_hiding_a_called_method_is_refused():
    m = make()
    m.predict = lambda x: x
    with pytest.raises(TypeError, match="attribute predict hides the method"):
        grad(m.loss)


def test_reassigned_self_is_looked_up_when_the_call_runs():
    # self = other: which part() is called is known only when the code runs.
    check_grads(Rebinds().loss, X, Rebinds())
    with pytest.raises(AttributeError, match=r"test_methods.py:\d+: a Model has no method "
                                             r"\.part\(\)"):
        grad(Rebinds().loss)(X, MODEL)


def test_methods_of_module_level_objects_and_classes():
    check_grads(through_module_level_object, X)
    text = grad(through_module_level_object).source
    # The derivative of each method is called with its owner, as its def reads.
    assert "dlossdx(MODEL, x)" in text and "ddoubleddx(Model, x)" in text
    assert "def dlossdx(self, x, y=0.5):" in text


SHADOWED = make()
SHADOWED.predict = lambda x: x


def through_shadowed_object(x):
    return SHADOWED.loss(x)


def test_shadowing_attribute_of_a_module_level_object_is_refused():
    with pytest.raises(DiffSyntaxError, match="attribute predict of SHADOWED hides a method"):
        grad(through_shadowed_object)


def loss_of_model(x, model, y):
    return np.mean((model.predict(x) - y) ** 2)


def two_models(x, first, second):
    return np.sum(first.predict(x) * second.predict(x))


def test_methods_of_an_argument_are_resolved_per_class_at_the_call():
    derivative = grad(loss_of_model)
    assert "generated at its first call" in derivative.source
    base, sine = make(), make(Sine)
    check_grads(loss_of_model, X, base, Y)
    check_grads(loss_of_model, X, sine, Y)
    # Back to the first class after the second: each call gets its own class's gradient.
    np.testing.assert_allclose(derivative(X, base, Y), numerical_grad(base.loss, [X, Y], 0),
                               rtol=1e-7, atol=1e-10)
    assert "dpredictdx(model, x)" in derivative.source
    np.testing.assert_allclose(derivative(X, sine, Y), numerical_grad(sine.loss, [X, Y], 0),
                               rtol=1e-7, atol=1e-10)
    assert "np.sin" in derivative.source  # the latest class's derivative


def test_methods_of_two_arguments():
    check_grads(two_models, X, make(), make(Sine))


def test_unknown_method_of_an_argument_fails_as_the_function_does():
    # An attribute the class lacks may be one each instance holds (self.l1 = Linear()):
    # called through its class's __call__, found when the code runs; where the instance
    # lacks it too, the derivative fails as the function itself does.
    with pytest.raises(AttributeError, match="'Model' object has no attribute 'missing'"):
        grad(lambda x, m: np.sum(m.missing(x)))(X, make())


def test_argument_attribute_hiding_a_called_method_is_refused():
    m = make()
    m.predict = lambda x: x
    with pytest.raises(TypeError, match="attribute predict of model hides a method"):
        grad(loss_of_model)(X, m, Y)


class _Activation:
    def __call__(self, h):
        return np.tanh(h)


ACTIVATION = _Activation()


def _through_a_module_level_instance(x):
    return np.sum(ACTIVATION(x))


def test_a_module_level_instance_is_called_through_its_class_call():
    # was "no derivative rule for ACTIVATION ... register one with extend.defvjp"
    x = np.array([0.1, 0.5])
    np.testing.assert_allclose(grad(_through_a_module_level_instance)(x),
                               1 - np.tanh(x) ** 2, rtol=1e-12)


class _Dense:
    def forward(self, x, W):
        return np.tanh(x @ W)


class _ScaledDense(_Dense):
    def forward(self, x, W):
        return 2.0 * super().forward(x, W) + np.sum(W)


def _layer_loss(W, x, layer):
    return np.sum(layer.forward(x, W) ** 2)


def test_super_calls_the_base_class_method():
    """super().forward(x, W) in a subclass's method: the base class's method is
    differentiated (it was 'a super has no method .forward()'; tester)."""
    from autograd_src.testing import check_grads
    rng = np.random.default_rng(0)
    W, x = rng.normal(size=(3, 2)), rng.normal(size=(4, 3))
    check_grads(_layer_loss, W, x, _ScaledDense())


_DATA = np.arange(6.0).reshape(3, 2)


def _data_dot(w, X):
    return np.sum(X.dot(w) ** 2) + X[0].dot(w) + X.max(0).dot(np.tanh(w))


def _global_data_dot(w):
    return np.sum(_DATA.dot(w) ** 2)


class _Operator:
    def __init__(self, M):
        self.M = M

    def dot(self, v):
        return self.M @ v


def test_the_dot_method_of_data_given_a_differentiated_value():
    # X.dot(w) with X data was refused ("X.dot is not a method defined on ndarray"; tester H)
    from autograd_src import jvp
    from autograd_src.testing import check_grads
    w = np.array([0.5, -1.0])
    check_grads(_data_dot, w, _DATA)
    check_grads(_global_data_dot, w)
    _, tangent = jvp(_global_data_dot, (w,), (np.ones(2),))
    assert tangent == pytest.approx(np.sum(grad(_global_data_dot)(w)))
    with pytest.raises(TypeError, match=r"test_methods.py:\d+: \.dot\(\) of a _Operator"):
        grad(_data_dot)(w, _Operator(np.eye(2)))


def _doubling(fn):
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return 2 * fn(*args, **kwargs)
    return wrapper


class _Decorated:
    @_doubling
    def energy(self, x):
        return np.sum(x ** 2)


_DECORATED = _Decorated()


def _through_a_decorated_method(x):
    return _DECORATED.energy(x)


def test_a_method_under_a_decorator_taking_star_args_is_refused_at_the_call():
    # IndexError inside the normalizer (tester K)
    with pytest.raises(NoRuleError, match=r"takes the object through \*args"):
        grad(_through_a_decorated_method)(np.ones(3))


def _through_a_local_name_for_the_backend(W, x, backend):
    xp = backend
    return xp.sum(xp.sin(x @ W) ** 2)


def _through_linalg_of_a_backend(W, x, xp=np):
    la = xp.linalg
    return la.norm(x @ W) + xp.linalg.norm(W)


def test_a_numpy_module_passed_in_and_given_a_name():
    """Tester X: `xp = backend; xp.sin(...)` and `xp.linalg.norm` raised 'a module has
    no method .sin()' (the call is resolved as it runs, and modules were looked up as
    classes)."""
    from autograd_src.testing import numerical_grad
    W, x = np.ones((3, 2)) * 0.3, np.linspace(0.0, 1.0, 12).reshape(4, 3)
    for f, args in ((_through_a_local_name_for_the_backend, (W, x, np)),
                    (_through_linalg_of_a_backend, (W, x))):
        np.testing.assert_allclose(grad(f)(*args), numerical_grad(f, args, 0), rtol=1e-6)
