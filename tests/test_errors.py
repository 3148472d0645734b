"""Every refusal is a clear error at the user's own file and line."""

import inspect
import re

import numpy as np
import pytest

from autograd_src import DiffSyntaxError, NoRuleError, SourceUnavailableError, grad, jacrev

from . import error_cases


def line_of(tag):
    source, _ = inspect.getsourcelines(error_cases)
    for lineno, text in enumerate(source, start=1):
        if text.rstrip().endswith(f"# LINE {tag}"):
            return lineno
    raise LookupError(tag)


@pytest.mark.parametrize("name, cls, message", [
    ("guarded", DiffSyntaxError, "a try statement.*move the guarded code"),
    ("no_rule", NoRuleError, "no derivative rule for math.modf.*error_cases.py:\\d+.*defvjp"),
    ("no_rule_numpy", NoRuleError, "no derivative rule for np.unwrap"),
    ("returns_tuple", DiffSyntaxError, "single output.*tuple"),
    ("active_index", DiffSyntaxError, "index computed from a differentiated value"),
    ("generator", DiffSyntaxError, "generators cannot be differentiated"),
    ("active_axis", DiffSyntaxError, "argument 'axis' of np.sum cannot depend"),
    ("unsupported_keyword", DiffSyntaxError, "cannot differentiate this call to np.mean.*where"),
    ("in_place_method", DiffSyntaxError, "\\.sort\\(\\).*in place"),
    ("subscript_assignment", DiffSyntaxError, "assigning into v.*argument of the helper.*"
                                              "v.copy\\(\\)"),
    ("pop_inside_an_expression", NoRuleError, "\\.pop\\(\\).*on a line of its own "
                                              "\\(v = xs.pop"),
    # their values were constants: gradient 0 (tester K)
    ("evaluated", DiffSyntaxError, "eval\\(\\) in evaluated\\(\\): code in a string"),
    ("by_name", DiffSyntaxError, "locals\\(\\) in by_name\\(\\): variables read by name"),
])
def test_error_names_construct_file_and_line(name, cls, message):
    fn = getattr(error_cases, name)
    with pytest.raises(cls, match=re.compile(message, re.S)) as info:
        grad(fn)
    err = info.value
    assert isinstance(err, SyntaxError)
    assert err.filename == error_cases.__file__
    assert err.lineno == line_of(name)
    assert f"# LINE {name}" in err.text
    assert f"error_cases.py:{err.lineno}" in str(err)


def test_error_offset_points_at_the_construct():
    with pytest.raises(NoRuleError) as info:
        grad(error_cases.no_rule)
    assert err_column(info.value) == info.value.text.index("math.modf(y)")


def err_column(err):
    return err.offset - 1


def test_missing_return():
    with pytest.raises(DiffSyntaxError, match="returns nothing"):
        grad(error_cases.no_return)


def test_builtin_has_no_source():
    with pytest.raises(SourceUnavailableError, match="cannot read the source.*defvjp"):
        grad(print)  # (np.sin, math.sin: differentiated by their rules, session 27)


def test_function_without_source_file():
    namespace = {}
    exec("def f(x):\n    return x * 2\n", namespace)
    with pytest.raises(SourceUnavailableError, match="cannot read the source of f.*notebook"):
        grad(namespace["f"])


def test_not_callable():
    with pytest.raises(TypeError, match="expects a function"):
        grad(3)


def test_error_is_raised_at_grad_time_not_call_time():
    # Nothing is run: the error comes from the transformation alone.
    with pytest.raises(NoRuleError):
        grad(error_cases.no_rule, wrt=0)



def _cubes(x):
    return np.sum(x ** 3)


def _pair(x):
    return np.sin(x), np.sum(x ** 2)


class _Model:
    def loss(self, w):
        return np.sum(w ** 3)


def test_composition_errors_name_what_to_do():
    """Tester findings: each used to fail deep inside with a message about a generated
    function (wrt=0 is out of range: dlossdw() has 0 positional parameters, NumPy's
    inhomogeneous shape, an unexpected keyword of jvp_dfdx)."""
    from autograd_src import hvp, jacfwd, jvp
    w = np.array([1.0, 2.0])
    with pytest.raises(TypeError, match="cannot be differentiated again"):
        grad(grad(_Model().loss))(w)
    with pytest.raises(TypeError, match="cannot be differentiated again"):
        jvp(hvp(_cubes), (w, w), (w, 0 * w))
    with pytest.raises(ValueError, match="returning one array; _pair"):
        jacfwd(_pair)(w)
    np.testing.assert_allclose(hvp(_cubes)(w, v=w), 6 * w * w)  # v by keyword


def _vectorized(x):
    return np.sum(np.vectorize(np.sin)(x))


def test_a_function_made_by_a_call_is_refused_with_advice():
    with pytest.raises(NoRuleError, match=r"np.vectorize\(np.sin\)\(\.\.\.\) calls the "
                                          "function that"):
        grad(_vectorized)(np.array([1.0, 2.0]))


def _mean_of_draws(mu):
    rng = np.random.default_rng(0)
    return np.mean(rng.normal(mu, 1.0, size=20))


def _picked(mu):
    rng = np.random.default_rng(0)
    return np.sum(rng.choice(mu, 2, replace=False) ** 2)


def _picked_by_index(mu):  # (the advice, followed)
    rng = np.random.default_rng(0)
    idx = rng.choice(len(mu), 2, replace=False)
    return np.sum(mu[idx] ** 2)


def test_a_random_draw_given_a_differentiated_value_says_how_to_reparameterize():
    with pytest.raises(TypeError, match=r"test_errors.py:\d+: .normal\(\) of a Generator, "
                                        r"given a differentiated value, draws .*mu \+ sigma \* "):
        grad(_mean_of_draws)(0.5)
    # (a draw that reorders or picks entries: its gradient goes through drawn indices)
    with pytest.raises(TypeError, match=r"idx = rng.choice\(len\(mu\), k\); mu\[idx\]"):
        grad(_picked)(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(grad(_picked_by_index)(np.array([1.0, 2.0, 3.0])),
                               [0.0, 4.0, 6.0])
    with pytest.raises(TypeError, match="x=True, a bool"):
        grad(lambda x: x * 2.0)(True)


def _picked_in_branches(x):
    if np.sum(x) > 0:
        g = lambda z: z ** 2  # noqa: E731
    else:
        g = lambda z: -z  # noqa: E731
    return np.sum(g(x))


class _Scaled:
    def fwd(self, z):
        return 2.0 * z ** 2


def _calls_a_method_of_its_argument(x, m):
    return np.sum(m.fwd(x))


def _passes_an_object_to_a_helper(x):
    return _calls_a_method_of_its_argument(x, _Scaled())


def test_calls_grad_cannot_resolve_are_refused_at_the_line():
    """A function defined in both arms of an if raised NameError 'dgdz' from generated
    code; a helper calling a method of its argument raised ValueError "'m' is not in
    list" (tester)."""
    x = np.array([0.3, -0.7, 1.2])
    with pytest.raises(NoRuleError, match="g is defined in more than one place"):
        grad(_picked_in_branches)(x)
    # the object's method is known when the call runs (session 19): 4 x, not a refusal
    np.testing.assert_allclose(grad(_passes_an_object_to_a_helper)(x), 4.0 * x)


class _Square:
    def __mul__(self, other):
        return other ** 2

    __rmul__ = __mul__


_SQUARE = _Square()


def _times_an_object(x):
    return np.sum(_SQUARE * x)


def test_an_object_with_an_operator_of_its_own_is_refused():
    # its __mul__ was taken for a number's: gradient 1 where it is 2x (tester K)
    with pytest.raises(DiffSyntaxError, match=r"_SQUARE is a _Square, whose __mul__ is its "
                                              r"own: grad differentiates \* as for numbers"):
        grad(_times_an_object)(np.ones(3))


def _times_an_argument(x, op):
    return np.sum(op * x)


def test_an_argument_with_an_operator_of_its_own_is_refused_as_it_is_called():
    with pytest.raises(TypeError, match=r"op is a _Square, whose __mul__ is its own"):
        grad(_times_an_argument)(np.ones(3), _Square())
    np.testing.assert_allclose(grad(_times_an_argument)(np.ones(3), 2.0), 2.0 * np.ones(3))


class _SubSquare(_Square):
    pass


_OPS = {"square": _Square()}


class _Holding:
    op = _Square()

    def loss(self, x):
        return np.sum(self.op * x)


def _apply(op, x):
    return op * x


def _local_object(x):
    op = _Square() if x[0] > 0 else _SubSquare()
    return np.sum(op * x)


def _dict_item(x):
    return np.sum(_OPS["square"] * x)


def _made_inline(x):
    return np.sum(_SubSquare() * x)


def _through_a_helper(x):
    return np.sum(_apply(_SQUARE, x))


def _argument_through_a_helper(x, op):
    return np.sum(_apply(op, x))


class _Config:
    def __init__(self, s):
        self.s = s

    def __mul__(self, k):
        return _Config(self.s * k)


def _constant_only(x, cfg):
    doubled = cfg * 2.0  # the object's own operator, on constants: no gradient through it
    return np.sum(doubled.s * x ** 2)


@pytest.mark.parametrize("f", [_local_object, _dict_item, _made_inline, _through_a_helper,
                               _Holding().loss],
                         ids=["local", "dict item", "inline", "helper", "class attribute"])
def test_objects_with_operators_of_their_own_in_other_forms(f):
    # gradient 1 for 2x in each (tester M); jvp too
    from autograd_src import jvp
    with pytest.raises(DiffSyntaxError, match=r"whose __(r)?mul__ is its own"):
        grad(f)(np.ones(3))
    with pytest.raises(DiffSyntaxError, match=r"whose __(r)?mul__ is its own"):
        jvp(f, (np.ones(3),), (np.ones(3),))


def test_an_argument_reaching_a_helpers_operator_is_checked_as_called():
    from autograd_src import jvp
    with pytest.raises(TypeError, match=r"op is a _Square, whose __mul__ is its own"):
        grad(_argument_through_a_helper)(np.ones(3), _Square())
    with pytest.raises(TypeError, match=r"op is a _Square, whose __mul__ is its own"):
        jvp(_times_an_argument, (np.ones(3), _Square()), (np.ones(3), None))
    # an operator applied to the object beside constants only is its own business
    np.testing.assert_allclose(grad(_constant_only)(np.ones(3), _Config(1.5)), 6 * np.ones(3))


class _Doubling:
    def __rmul__(self, other):
        return other * 2

    def loss(self, x):
        return np.sum(x * self)


def test_the_object_itself_with_an_operator_of_its_own():
    with pytest.raises(DiffSyntaxError, match=r"self is a _Doubling, whose __rmul__"):
        grad(_Doubling().loss)(np.ones(2))


def _closure_with_a_default(W, xs):
    total = 0.0
    for i in range(2):
        def f(h, i=i):
            return np.sum(W * h) * (i + 1)
        total = total + f(xs[i])
    return total


def test_a_nested_def_with_a_default_says_why_the_default_must_be_passed():
    # "pass i to it explicitly" read as nonsense where i=i is the default (tester O)
    with pytest.raises(DiffSyntaxError, match=r"its default \(i=i\) is evaluated where f is "
                                              r"defined.*pass i to it explicitly"):
        grad(_closure_with_a_default)(np.ones(2), np.ones((2, 2)))


def _default_captures_a_differentiated_value(x):
    a = x
    def g(z, a=a):  # a == x, read when g is defined
        return z * a
    a = 5.0
    return g(x)


def test_a_nested_defs_default_of_a_differentiated_value_is_refused():
    # gave 0.7 for 1.4: the default was read as a constant (tester N)
    with pytest.raises(DiffSyntaxError, match=r"the default a of g\(\) is a differentiated"):
        grad(_default_captures_a_differentiated_value)(0.7)


class _Energy:
    def energy(self, x):
        return np.sum(x ** 2)


def _energy_of_an_argument(x, model):
    return model.energy(np.exp(x)) ** 0.5


def _vector_valued(x):
    return np.sin(x) * 2.0


def _calls_jacrev_inside(x):
    return np.sum(jacrev(_vector_valued)(x))


def test_second_order_of_a_function_calling_its_arguments_methods_says_why():
    """Tester U: the message blamed *args and suggested jacfwd(grad(f)), the call made."""
    from autograd_src import jacfwd
    with pytest.raises(TypeError, match="calls methods of its argument model"):
        jacfwd(grad(_energy_of_an_argument))(np.ones(2), _Energy())


def test_a_jacobian_called_inside_grad_is_not_advised_to_be_made_outside():
    """Tester U: the advice (make it at module level) led to a second refusal."""
    with pytest.raises(NoRuleError, match="only the derivatives made by grad and "
                                          "value_and_grad"):
        grad(_calls_jacrev_inside)(np.ones(2))
