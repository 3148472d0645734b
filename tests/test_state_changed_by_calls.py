"""Values a called function changes after the differentiated function read them are
read where the primal reads them (an attribute, a dict item, a global rebound); an
array changed in place by a helper after an adjoint read it is refused; lambdas whose
defaults read differentiated values and recursive helpers given a function are refused
at once, at the user's line (they were a zero gradient and a 30 s RecursionError)."""

import inspect

import numpy as np
import pytest

from autograd_src import DiffSyntaxError, grad
from autograd_src.testing import numerical_grad

from . import state_changed_cases as cases


def line_of(tag):
    source, _ = inspect.getsourcelines(cases)
    return next(n for n, text in enumerate(source, start=1)
                if text.rstrip().endswith(f"# LINE {tag}"))


def _fresh_state():
    cases.SCALE[:] = 1.0
    cases.STEP = 1.0
    cases.CFG["lr"] = 0.5


def _check(fn, args, make_state):
    """grad against finite differences, every evaluation from the same starting state."""
    _fresh_state()
    got = grad(fn)(*args, *make_state())

    def from_start(*a):
        _fresh_state()
        return fn(*a, *make_state())

    expected = numerical_grad(from_start, list(args), 0)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-9)


def test_attribute_changed_by_a_method_call():
    _check(cases.annealed, (0.5,), lambda: (cases.Buf(),))


def test_learning_rate_decayed_by_a_method_in_a_loop():
    _check(cases.unrolled, (np.array([0.5, 1.0]),), lambda: (cases.Opt(0.5),))


def test_config_dict_item_changed_by_a_helper():
    _check(cases.unrolled_config, (np.array([0.5, 1.0]),), lambda: ())


def test_global_rebound_by_a_helper():
    _check(cases.global_rebound, (0.5,), lambda: ())


@pytest.mark.parametrize("fn, tag, message", [
    (cases.scale_changed_in_place, "bump", r"bump\(\) changes in place \(SCALE\[:\] = \.\.\.\)"),
    (cases.lambda_default, "lambda_default", "lambda's default reads a differentiated value"),
    (cases.recursive_helper_given_a_lambda, "recursive", r"rec\(\) is not copied in.*calls "
                                                         "itself"),
])
def test_refused_at_the_users_line(fn, tag, message):
    _fresh_state()
    with pytest.raises(DiffSyntaxError, match=message) as info:
        grad(fn)(np.array([0.5, 1.0]) if fn is not cases.recursive_helper_given_a_lambda
                 else 1.3)
    assert info.value.lineno == line_of(tag)


def decay(cfg):
    cfg["lr"] = cfg["lr"] * 0.5


def own_dict_changed_by_a_helper(w):
    cfg = {"lr": 0.4}
    w1 = w - cfg["lr"] * w * w
    decay(cfg)
    return w1 - cfg["lr"] * w1 * w1


def test_a_helper_writing_into_the_functions_own_dict():
    # the helper is copied in working on a copy (_ad.copied), which copied arrays only:
    # the dict kept for the first line's adjoint was changed too (tester E)
    expected = numerical_grad(own_dict_changed_by_a_helper, [0.7], 0)
    np.testing.assert_allclose(grad(own_dict_changed_by_a_helper)(0.7), expected, rtol=1e-6)
    np.testing.assert_allclose(grad(own_dict_changed_by_a_helper)(np.array([0.7, -0.3])),
                               numerical_grad(own_dict_changed_by_a_helper,
                                              [np.array([0.7, -0.3])], 0), rtol=1e-6)
