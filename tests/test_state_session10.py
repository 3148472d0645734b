"""Tester I's regression hunt (session 10): each against finite differences from the
same starting state. A helper setting an attribute of an object whose other attribute a
derivative read, or reading then bumping a module dict's item, were refused by this
session's first change (regressions, fixed); a method of the class called between two
reads of an attribute (silently wrong in both versions), a setter in another module
(wrong), a module dict item stored after another was read (crashed), local derivatives
before a loop (crashed); second order refused only where what changes is what a helper
reads."""

import numpy as np
import pytest

from autograd_src import DiffSyntaxError, NoRuleError, grad, hessian, hvp
from autograd_src.testing import numerical_grad

from . import helper_module
from . import state_session10_cases as cases

X = np.array([0.3, -0.7, 1.1])


def _reset():
    cases.D.update({"k": 1.0, "calls": 0, "scale": 3.0})
    cases.P["k"] = 1.0
    cases.L[:] = [1.0]
    helper_module.set_k(1.0)


def _check(fn, *args, make=lambda: ()):
    def from_start(*a):
        _reset()
        return fn(*a, *make())

    expected = numerical_grad(from_start, list(args), 0)
    _reset()
    np.testing.assert_allclose(grad(fn)(*args, *make()), expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("fn, make", [
    (cases.counted, lambda: (cases.Model(),)),
    (cases.through_a_bumping_helper, lambda: ()),
    (cases.module_dict_counter, lambda: ()),
    (cases.other_module_setter, lambda: ()),
    (cases.local_value_and_grad_in_a_loop, lambda: ()),
    (cases.two_local_grads_one_used, lambda: ()),
])
def test_first_order(fn, make):
    x = X[:2] if fn is cases.counted else X
    _check(fn, x, make=make)


def test_method_between_two_reads_of_an_attribute():
    expected = 2 * X * 1.0 + 0.5  # lr 1.0 for the first read, 0.5 for the second
    np.testing.assert_allclose(grad(cases.Opt().loss)(X), expected)
    np.testing.assert_allclose(grad(cases.Opt())(X), expected)
    np.testing.assert_allclose(grad(cases.Opt.loss, wrt=1)(cases.Opt(), X), expected)


def test_method_writing_into_an_attribute_read_before():
    with pytest.raises(DiffSyntaxError, match=r"self \(or an array it may share\) is read"):
        grad(cases.Buf().loss)(X)
    # through an argument whose class is known only as it runs: the value read is kept
    np.testing.assert_allclose(grad(cases.Buf.loss, wrt=1)(cases.Buf(), X), 2 * X + 2.0)


def test_second_order_where_an_unrelated_global_changes():
    v = np.ones(3)
    gradient = grad(cases.unrelated_global_changed)
    expected = numerical_grad(lambda x: np.dot(gradient(x), v), [X], 0)
    np.testing.assert_allclose(hvp(cases.unrelated_global_changed)(X, v), expected,
                               rtol=1e-5)


@pytest.mark.parametrize("fn, reads, changer", [
    (cases.dict_updated_between, "P", r"P\.update\(\)"),
    (cases.list_appended_between, "L", r"L\.append\(\)"),
])
def test_second_order_where_a_builtin_method_changes_what_a_helper_reads(fn, reads,
                                                                         changer):
    _reset()
    with pytest.raises(NoRuleError, match=rf"reads {reads}, which {changer} may change"):
        hessian(fn)(X)


@pytest.mark.parametrize("fn, args, wrt", [
    (cases.through_an_objects_matrix, (X[:2],), 0),
    (cases.through_an_objects_list, (X,), 0),
    (cases.through_a_namedtuple, (cases.NT(np.array([0.5, 1.0, -1.0])), X), 1),
])
def test_hessian_through_a_helper_given_an_object(fn, args, wrt):
    """Objects, lists and namedtuples given to a helper run again by forward mode over
    grad: their zero tangents have their fields' shapes (crashed: matmul of 0.0, a float
    indexed, a list's .w)."""
    gradient = grad(fn, wrt=wrt)
    x = args[wrt]
    expected = np.array([numerical_grad(
        lambda v, i=i: gradient(*args[:wrt], v, *args[wrt + 1:])[i], [x], 0)
        for i in range(x.size)])
    np.testing.assert_allclose(hessian(fn, wrt=wrt)(*args), expected, rtol=1e-5, atol=1e-8)


def test_a_layer_counting_calls_and_caching_a_shape():
    _check(cases.through_a_counting_layer, X[:2])
    assert cases.LAYER.steps > 0 and cases.LAYER.cache["shape"] == (2,)


def test_an_attribute_updated_in_place_through_an_alias_read_before_is_refused():
    with pytest.raises(DiffSyntaxError, match=r"self\.buf \+= 1\.0: an in-place update"):
        grad(cases.through_an_alias_of_an_attribute)(X[:2])


def test_a_helpers_view_read_once_then_its_array_written():
    _check(cases.through_a_view_then_written, X)
