"""scipy.linalg through NumPy's linear algebra: SciPy's values, gradients against
finite differences (the generalized eigenproblem of quantum-chemistry code, EV 07)."""

import numpy as np
import pytest

from autograd_src import grad, hessian

from .finite_differences import numeric_grad

linalg = pytest.importorskip("scipy.linalg")
from autograd_src.rules import scipy_rules  # noqa: E402 (after SciPy is found)

rng = np.random.default_rng(3)
A0 = rng.normal(size=(4, 4))                       # not symmetric: a triangle is read
B0 = rng.normal(size=(4, 4))
B0 = B0 @ B0.T + 4 * np.eye(4) + np.triu(rng.normal(size=(4, 4)), 1)
W = rng.normal(size=(4, 4))
b0 = rng.normal(size=4)


def _solve(A):
    return np.sum(linalg.solve(B0 + 0.1 * A, b0) * W[0])


def _solve_pos(A):
    return np.sum(linalg.solve(B0 + 0.1 * A, b0, assume_a="pos", lower=True) * W[0])


def _inv_det(A):
    return np.sum(linalg.inv(B0 + 0.1 * A) * W) + linalg.det(B0 + 0.1 * A)


def _cholesky_upper(A):
    return np.sum(linalg.cholesky(B0 + 0.1 * A) * W)


def _cho_solve(A):
    return np.sum(linalg.cho_solve(linalg.cho_factor(B0 + 0.1 * A, lower=True), b0) * W[1])


def _eigh(A):
    w, v = linalg.eigh(A, lower=False)
    return np.sum(w ** 2) + np.sum(np.abs(v[:, 1]) * W[0])


def _generalized_eigh(A):
    w, v = linalg.eigh(A, B0)
    return np.sum(w ** 2) + np.sum(np.abs(v[:, 0]) * W[0])


def _generalized_eigh_of_b(A):
    return np.sum(linalg.eigvalsh(A0, B0 + 0.1 * A) ** 3)


@pytest.mark.parametrize("f", [_solve, _solve_pos, _inv_det, _cholesky_upper, _cho_solve,
                               _eigh, _generalized_eigh, _generalized_eigh_of_b])
def test_gradients_match_finite_differences(f):
    assert np.allclose(grad(f)(A0), numeric_grad(f, A0), atol=1e-6)


def test_values_are_scipys_eigenvector_signs_included():
    # (NumPy's LAPACK driver and SciPy's may give a vector its opposite sign)
    for seed in range(30):
        r = np.random.default_rng(seed)
        a = r.normal(size=(5, 5))
        b = r.normal(size=(5, 5))
        b = b @ b.T + 5 * np.eye(5)
        for lower in (True, False):
            for given in (None, b):
                expected = linalg.eigh(a, given, lower=lower)
                found = scipy_rules.eigh(a, given, lower=lower)
                assert np.allclose(expected[0], found[0])
                assert np.allclose(expected[1], found[1])
        assert np.allclose(linalg.cholesky(b), scipy_rules.cholesky(b))
        # (the triangle the factor is in; SciPy leaves the other one unspecified: a's
        # values in 1.17, zeros in 1.16)
        for lower in (True, False):
            part = np.tril if lower else np.triu
            expected, found = linalg.cho_factor(b, lower=lower), scipy_rules.cho_factor(b, lower)
            assert np.allclose(part(expected[0]), part(found[0])) and expected[1] == found[1]
        assert np.allclose(linalg.solve(b, a, assume_a="sym"),
                           scipy_rules.solve(b, a, assume_a="sym"))


def _roothaan_hall(t):
    F = A0 + A0.T + t[0] * np.eye(4) + t[1] * np.ones((4, 4))
    S = B0 + t[2] * np.eye(4)
    energies, C = linalg.eigh(F, S)
    P = C[:, :2] @ C[:, :2].T
    return energies[0] + np.sum(P * F)


def test_second_order_through_the_generalized_problem():
    t = np.array([0.1, 0.2, 0.3])
    g = grad(_roothaan_hall)
    step = 1e-5
    expected = np.array([(g(t + e) - g(t - e)) / (2 * step) for e in np.eye(3) * step])
    assert np.allclose(hessian(_roothaan_hall)(t), expected, atol=1e-4)


def test_unsupported_options_are_named():
    def subset(A):
        return np.sum(linalg.eigh(A, subset_by_index=[0, 1])[0])

    with pytest.raises(NotImplementedError, match="subset_by_index"):
        grad(subset)(A0)
