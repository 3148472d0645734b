"""Temporaries made again in the adjoint instead of stacked (issue #12): right values
in every arrangement of operands and readers, in first and second order, and no stack
left for the temporaries in the scalar variants."""

import contextlib

import numpy as np
import pytest

from autograd_src import grad, hessian, value_and_grad
from autograd_src.testing import numerical_grad
from autograd_src.transform.by_forward_mode import reverse_mode_only

from .remade_cases import CASES, chain, operand_replaced_by_reader

IDS = [fn.__name__ for fn, _ in CASES]


@pytest.mark.parametrize("reverse", [False, True], ids=["default", "reverse_mode_only"])
@pytest.mark.parametrize("fn, args", CASES, ids=IDS)
def test_gradient_matches_finite_differences(fn, args, reverse):
    # (one number differentiated: forward mode by default; the remade temporaries
    # are reverse mode's, checked under reverse_mode_only)
    with reverse_mode_only() if reverse else contextlib.nullcontext():
        df = grad(fn)
        expected = numerical_grad(fn, list(args), 0)
        np.testing.assert_allclose(df(*args), expected, rtol=1e-6, atol=1e-9)
        value, gradient = value_and_grad(fn)(*args)
        assert value == pytest.approx(fn(*args), rel=1e-12)
        np.testing.assert_allclose(gradient, expected, rtol=1e-6, atol=1e-9)
        # np.float64 and 0-d inputs run other variants
        for x in (np.float64(args[0]), np.array(args[0])):
            np.testing.assert_allclose(df(x, *args[1:]), expected, rtol=1e-6, atol=1e-9)
        assert ("# forward mode:" in df.source) != reverse


@pytest.mark.parametrize("fn, args", CASES, ids=IDS)
def test_second_derivative_matches_finite_differences(fn, args):
    first = grad(fn)
    expected = numerical_grad(lambda x: first(x, *args[1:]), [args[0]], 0)
    np.testing.assert_allclose(grad(grad(fn))(*args), expected, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(hessian(fn)(np.float64(args[0]), *args[1:]), expected,
                               rtol=1e-5, atol=1e-8)


def test_scalar_temporaries_get_no_stack():
    with reverse_mode_only():  # (one number alone is differentiated by forward mode)
        df = grad(operand_replaced_by_reader)
        df(0.9, [0.3, -0.2])
        dc = grad(chain)
        dc(1.3, 0.6, 3)
    primal, adjoint = df.source.split("_ad.seed")
    assert "prod_stack" not in df.source and "prod = 0.5 * y" in adjoint
    assert "prod" not in "".join(line for line in dc.source.splitlines() if "_stack" in line)

