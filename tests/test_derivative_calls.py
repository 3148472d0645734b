"""Tester H's findings (session 10), each against finite differences: derivatives made
by grad called inside a function differentiated (crashed on a dict rebound after one:
``dict + dict`` in generated code; refused for value_and_grad and tuple wrt where the
inner loss calls a helper; a local name for a derivative crashed in the package's own
source), callable objects (AttributeError in jacfwd/hessian), dict comprehensions over
a dict's keys indexing another dict (refused), and clear refusals for what remains."""

import inspect

import numpy as np
import pytest

from autograd_src import DiffSyntaxError, NoRuleError, grad, hessian, jacfwd, jacrev
from autograd_src.testing import numerical_grad

from . import derivative_call_cases as cases


def _leaves(tree):
    if isinstance(tree, dict):
        return [leaf for key in sorted(tree) for leaf in _leaves(tree[key])]
    if isinstance(tree, (list, tuple)):
        return [leaf for item in tree for leaf in _leaves(item)]
    return [np.asarray(tree, dtype=float)]


def _numerical(fn, args, k):
    """Central differences for argument ``k``, a dict of arrays and floats included."""
    if not isinstance(args[k], dict):
        return numerical_grad(fn, list(args), k)
    out = {}
    for key, leaf in args[k].items():
        def along(v, key=key):
            changed = dict(args[k], **{key: v})
            return fn(*args[:k], changed, *args[k + 1:])
        out[key] = numerical_grad(along, [leaf], 0)
    return out


def _check(fn, args, wrt=0):
    got = grad(fn, wrt=wrt)(*args)
    positions = wrt if isinstance(wrt, tuple) else (wrt,)
    expected = tuple(_numerical(fn, args, k) for k in positions)
    if not isinstance(wrt, tuple):
        got, expected = (got,), expected
    for g, e in zip(got, expected):
        for a, b in zip(_leaves(g), _leaves(e)):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-8)


def test_dict_rebound_after_a_gradient():
    _check(cases.dict_rebound_after_a_gradient, ({"a": 0.5, "b": 1.5},))


def test_maml_three_steps_over_dict_parameters():
    rng = np.random.default_rng(0)
    params = {"W": rng.normal(size=(3, 2)) * 0.5, "b": rng.normal(size=3) * 0.1}
    _check(cases.maml_three_steps, (params, np.array([0.4, -0.7])))


@pytest.mark.parametrize("fn", [cases.value_and_grad_inside, cases.tuple_wrt_inside,
                                cases.value_unused])
def test_value_and_grad_and_tuple_wrt_called_inside(fn):
    _check(fn, (np.array([0.3, -0.6]), np.array([0.7, 0.2])), wrt=(0, 1))


def test_local_name_for_a_derivative():
    _check(cases.local_name_for_a_derivative,
           (np.array([1.0, -0.5]), np.array([0.3, 2.0])), wrt=(0, 1))


@pytest.mark.parametrize("fn", [cases.sgd_over_keys, cases.sgd_over_keys_in_a_loop])
def test_loop_over_a_dicts_keys_indexing_another_dict(fn):
    _check(fn, ({"a": 1.0, "b": 2.0}, 0.7), wrt=(0, 1))


def test_callable_object():
    A = np.array([[2.0, 0.5], [0.5, 1.0]])
    q, x = cases.Quadratic(A), np.array([0.3, -0.4])
    np.testing.assert_allclose(grad(q)(x), A @ x)
    np.testing.assert_allclose(jacfwd(q)(x), A @ x)
    np.testing.assert_allclose(jacrev(q)(x), A @ x)
    np.testing.assert_allclose(hessian(q)(x), A)  # (its __call__, given q first)


def test_a_forward_derivative_called_inside_is_refused_at_the_users_line():
    source, first = inspect.getsourcelines(cases)
    line = next(n for n, text in enumerate(source, start=1) if text.rstrip().endswith(
        "# LINE jvp"))
    with pytest.raises(NoRuleError, match="jvp_of_loss is a derivative made by "
                                          "autograd_src") as info:
        grad(cases.calls_a_forward_derivative)(np.array([0.3, 0.5]))
    assert info.value.lineno == line


def nested_square_cubed(x):
    def sq(y):
        return y * y
    return sq(x) * x


def nested_power_by_a_loop(x):
    def power(y):
        r = y
        for _ in range(2):  # (a loop in its body: not written inline)
            r = r * y
        return r
    return power(x)


def test_grad_of_grad_refusal_names_the_users_function():
    # (a small nested def is written inline for second order: x ** 3 has 6 x)
    assert np.isclose(grad(grad(nested_square_cubed))(0.7), 6 * 0.7)
    with pytest.raises(DiffSyntaxError, match=r"grad\(grad\(nested_power_by_a_loop\)\) "
                                              r"differentiates the code.*nested function"):
        grad(grad(nested_power_by_a_loop))(0.7)


def test_derivative_given_a_dict_item():
    """Tester G: the attempt to read the derivative's code (refused: its helper) left
    p_part = p['b'] deleted but still known: NameError in generated code."""
    _check(cases.derivative_given_a_dict_item, (np.array([0.7, -0.4]), np.array([1.3, 0.5])))


def _line(tag):
    source, _ = inspect.getsourcelines(cases)
    return next(n for n, text in enumerate(source, start=1)
                if text.rstrip().endswith(f"# LINE {tag}"))


def test_sub_modules_called_through_attributes():
    """self.l1(x) for an object stored on the instance was refused (tester G)."""
    _check(cases.through_sub_modules, (np.random.default_rng(1).normal(size=(5, 3)),))


def test_grad_of_a_bound_method_called_inside():
    q = np.array([0.3, 0.4])
    _check(cases.calls_grad_of_the_function_under_it, (q,))
    with pytest.raises(NoRuleError, match=r"dU_bound is grad of a bound method.*"
                                          r"grad\(Potential\.method, wrt=1\)") as info:
        grad(cases.calls_grad_of_a_bound_method)(q)
    assert info.value.lineno == _line("bound")


def test_storing_a_differentiated_value_on_an_object_says_so():
    with pytest.raises(DiffSyntaxError, match=r"self\.running_mean = \.\.\. stores a "
                                              r"differentiated value on self") as info:
        grad(cases.stores_a_statistic)(np.array([[0.1, 0.2], [0.5, -0.3], [0.2, 0.9]]))
    assert info.value.lineno == _line("store")


def test_dict_made_by_a_comprehension_is_its_names_own():
    """m = {k: np.zeros(3) for k in p}, then m[k] = ...: refused as possibly shared
    (the comprehension's temporary), tester G."""
    _check(cases.momentum_state_from_a_comprehension, ({"w": np.arange(3.0)},))


def test_value_and_grad_inside_with_a_list_read_in_a_branch():
    vs = [np.array([1.0, -2.0]), np.array([-0.5, 0.5])]
    got = grad(cases.loss_of_a_list_gradient)(vs, 1.0)
    s = vs[0] + vs[1]
    for g in got:  # d/dvs_k sum((2 s)^2) = 8 s
        np.testing.assert_allclose(g, 8 * s)


def test_value_and_grad_inside_with_a_dict_and_a_loop():
    theta, z = {"W": np.array([0.3, -0.7]), "b": 0.2}, np.array([1.0, 2.0])
    np.testing.assert_allclose(grad(cases.loss_of_a_dict_gradient, wrt=1)(theta, z),
                               4 * theta["W"] * z)


def test_value_and_grad_inside_not_depending_on_the_argument():
    vs = [np.array([1.0, -2.0]), np.array([0.3, 0.4])]
    np.testing.assert_allclose(grad(cases.loss_not_depending_on_x)(np.array([0.5, 0.2]),
                                                                   vs), np.zeros(2))
