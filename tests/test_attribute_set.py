"""Attributes set by the differentiated function or its methods (session 10): read once
where the primal reads them, so a later ``m.s = ...`` is not seen by the derivative
(refused before, or silently wrong through a module object); in-place writes into an
attribute's array after an adjoint read it are refused (silently wrong before when a
method call made the read happen once)."""

import inspect

import numpy as np
import pytest

from autograd_src import DiffSyntaxError, grad
from autograd_src.testing import numerical_grad

from . import attribute_set_cases as cases


def line_of(tag):
    source, _ = inspect.getsourcelines(cases)
    return next(n for n, text in enumerate(source, start=1)
                if text.rstrip().endswith(f"# LINE {tag}"))


@pytest.mark.parametrize("fn", [
    cases.module_attribute_set_twice, cases.counter_called_twice,
    cases.buffer_copied_then_written, cases.buffer_copied_in_a_loop,
    cases.buffer_rebound_in_a_loop, cases.private_names, cases.PRIVATE.loss,
])
@pytest.mark.parametrize("x", [0.7, np.array([0.3, 0.8])])
def test_against_finite_differences(fn, x):
    got = grad(fn)(x)
    expected = numerical_grad(fn, [x], 0)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("fn, tag", [
    (cases.buffer_written_after_read, "written"),
    (cases.buffer_written_in_a_loop, "loop"),
])
def test_write_into_an_attributes_array_read_by_an_adjoint_is_refused(fn, tag):
    with pytest.raises(DiffSyntaxError, match=r"HOLDER\.buf \(or an array it may share\)"
                                              r".*HOLDER\.buf = HOLDER\.buf\.copy\(\)") as info:
        grad(fn)(np.array([0.3, 0.8]))
    assert info.value.lineno == line_of(tag)


class _Record:
    def __init__(self):
        self.last, self.calls = None, 0

    def bump(self):
        self.calls += 1


def _recorded(w, m):
    loss = np.sum(w ** 2)
    m.last = float(loss)  # a record for the caller
    m.calls += 1
    return loss


def _read_back(w, m):
    loss = np.sum(w ** 2)
    m.last = loss
    return loss + m.last  # would be a constant


def _passed_on(w, m):
    loss = np.sum(w ** 2)
    m.last = loss
    m.bump()  # may read m.last
    return loss


def test_a_differentiated_value_recorded_on_an_argument_for_the_caller():
    # self.last_loss = float(loss) was refused as "stores a differentiated value"
    # though nothing reads it back (tester O); the caller sees the value stored
    from autograd_src import hessian, value_and_grad
    m = _Record()
    value, g = value_and_grad(_recorded)(np.array([1.0, 2.0]), m)
    np.testing.assert_allclose(g, [2.0, 4.0])
    assert m.last == 5.0 and type(m.last) is float and m.calls == 1
    np.testing.assert_allclose(hessian(_recorded)(np.array([1.0, 2.0]), m), 2 * np.eye(2))
    for f in (_read_back, _passed_on):
        with pytest.raises(DiffSyntaxError, match="stores a differentiated value on m"):
            grad(f)(np.array([1.0, 2.0]), _Record())
