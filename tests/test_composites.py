"""NumPy functions without a rule, differentiated through the plain NumPy code that
computes them (`autograd_src.rules.composites`): checked against NumPy's own values,
finite differences, forward mode and the Tensor API."""

import numpy as np
import pytest

import autograd_src as mg
from autograd_src import grad, hessian, jvp
from autograd_src.rules import composites

from .test_in_place_recurrences import _fd as _differences

RNG = np.random.default_rng(7)
A = RNG.normal(size=(4, 6))
V = RNG.normal(size=6)
W = RNG.uniform(0.5, 2.0, size=6)
WITH_NANS = A.copy()
WITH_NANS[1, 2] = WITH_NANS[3, 0] = np.nan

CASES = {
    "ptp": (lambda a: np.sum(np.ptp(a, axis=1) ** 2), A),
    "ptp_all": (lambda a: np.ptp(a) ** 2, A),
    "average": (lambda a: np.average(a) ** 2, A),
    "average_weights": (lambda a: np.sum(np.average(a, axis=1, weights=W) ** 2), A),
    "average_wrt_weights": (lambda w: np.sum(np.average(A, axis=1, weights=w) ** 2), W),
    "nansum": (lambda a: np.nansum(a ** 2, axis=0).sum(), WITH_NANS),
    "nanmean": (lambda a: np.sum(np.nanmean(a, axis=1) ** 2), WITH_NANS),
    "nanvar": (lambda a: np.sum(np.nanvar(a, axis=0, ddof=1)), WITH_NANS),
    "nanstd": (lambda a: np.nanstd(a), WITH_NANS),
    "nanmax": (lambda a: np.sum(np.nanmax(a, axis=1) ** 2), WITH_NANS),
    "nanmin": (lambda a: np.sum(np.nanmin(a, axis=0) ** 2), WITH_NANS),
    "nanprod": (lambda a: np.sum(np.nanprod(a, axis=1)), WITH_NANS),
    "quantile": (lambda a: np.sum(np.quantile(a, 0.3, axis=1) ** 2), A),
    "quantiles": (lambda a: np.sum(np.quantile(a, [0.1, 0.5, 0.9]) ** 2), A),
    "percentile_keepdims": (lambda a: np.sum(np.percentile(a, [25, 75], axis=0,
                                                           keepdims=True) ** 2), A),
    "percentile_wrt_q": (lambda q: np.percentile(A, q) ** 2, np.float64(37.0)),
    "cov": (lambda a: np.sum(np.cov(a) ** 2), A),
    "cov_columns_biased": (lambda a: np.sum(np.cov(a, rowvar=False, bias=True) ** 2), A),
    "cov_two": (lambda x: np.sum(np.cov(x, V[::-1]) ** 2), V),
    "corrcoef": (lambda a: np.sum(np.corrcoef(a) ** 3), A),
    "convolve": (lambda x: np.sum(np.convolve(x, W[:3]) ** 2), V),
    "convolve_same": (lambda x: np.sum(np.convolve(W[:4], x, mode="same") ** 2), V),
    "convolve_valid": (lambda x: np.sum(np.convolve(x, W[:3], "valid") ** 2), V),
    "correlate": (lambda x: np.sum(np.correlate(x, W[:3], "full") ** 2), V),
    "correlate_longer": (lambda x: np.sum(np.correlate(W[:2], x, "full") ** 2), V),
    "vander": (lambda x: np.sum(np.vander(x, 4) ** 2), V),
    "vander_increasing": (lambda x: np.sum(np.vander(x, increasing=True)[:, :3] ** 2), V),
    "polyder": (lambda p: np.sum(np.polyval(np.polyder(p, 2), V)), W),
    "cond": (lambda a: np.linalg.cond(a @ a.T + np.eye(4)), A),
    "cond_fro": (lambda a: np.linalg.cond(a[:, :4], "fro"), A),
    # session 27: NumPy 2's array-API names and more (tester DN's list)
    "vector_norm": (lambda a: np.linalg.vector_norm(a), A),
    "vector_norm_axes_keepdims": (lambda a: np.sum(np.linalg.vector_norm(
        a.reshape(2, 2, 6), axis=(0, 2), keepdims=True) ** 2), A),
    "vector_norm_ord1": (lambda a: np.sum(np.linalg.vector_norm(a, axis=1, ord=1) ** 2), A),
    "matrix_norm": (lambda a: np.linalg.matrix_norm(a), A),
    "matrix_norm_2": (lambda a: np.linalg.matrix_norm(a, ord=2, keepdims=True).sum(), A),
    "svdvals": (lambda a: np.sum(np.linalg.svdvals(a) ** 3), A),
    "vecdot": (lambda a: np.sum(np.vecdot(a, V) ** 2), A),
    "linalg_vecdot": (lambda a: np.sum(np.linalg.vecdot(a.T, a.T, axis=0) ** 2), A),
    "linalg_matmul": (lambda a: np.sum(np.linalg.matmul(a, a.T) ** 2), A),
    "linalg_outer": (lambda x: np.sum(np.linalg.outer(x, W) ** 2), V),
    "linalg_trace": (lambda a: np.linalg.trace(a[:, :4] @ a[:, 2:]), A),
    "linalg_diagonal": (lambda a: np.sum(np.linalg.diagonal(a, offset=1) ** 2), A),
    "linalg_tensordot": (lambda a: np.sum(np.linalg.tensordot(a, a.T, axes=1) ** 2), A),
    "linalg_cross": (lambda x: np.sum(np.linalg.cross(x[:3], x[3:]) ** 2), V),
    "multi_dot": (lambda a: np.sum(np.linalg.multi_dot([V[:4], a, a.T, a]) ** 2), A),
    "maximum_accumulate": (lambda a: np.sum(np.maximum.accumulate(a, axis=1) ** 2), A),
    "minimum_accumulate": (lambda a: np.sum(np.minimum.accumulate(a) ** 3), A),
    "float_power": (lambda x: np.sum(np.float_power(W * x, 1.5)), W),
    "choose": (lambda a: np.sum(np.choose(np.array([[0, 2, 1], [3, 1, 0]]),
                                          [a[:2, :3], a[:2, 3:] * 2, a[2, :3], a[3:, 3:]],
                                          mode="wrap") ** 2), A),
    "nanquantile": (lambda a: np.sum(np.nanquantile(a, [0.2, 0.6], axis=1) ** 2), WITH_NANS),
    "nanpercentile": (lambda a: np.nanpercentile(a, 30) ** 2, WITH_NANS),
    "nanmedian": (lambda a: np.sum(np.nanmedian(a, axis=0, keepdims=True) ** 2), WITH_NANS),
    "sliding_window_view": (lambda a: np.sum(np.lib.stride_tricks.sliding_window_view(
        a, (2, 3)) ** 2 * np.arange(6.0).reshape(2, 3)), A),
    "sliding_window_view_axis": (lambda x: np.sum(np.lib.stride_tricks.sliding_window_view(
        x, 3, axis=0).sum(axis=-1) ** 2), V),
    "polyfit": (lambda y: np.sum(np.polyfit(V, y, 2) ** 2), W),
    "polyfit_wrt_x": (lambda x: np.sum(np.polyfit(x, W, 3) ** 2), V),
    "astype": (lambda a: np.sum(np.astype(a, np.float64) ** 2), A),
}
if hasattr(np, "cumulative_sum"):  # (NumPy 2.1)
    CASES.update({
        "cumulative_sum": (lambda x: np.sum(np.cumulative_sum(x, include_initial=True) ** 2),
                           V),
        "cumulative_prod": (lambda a: np.sum(np.cumulative_prod(a, axis=1)), A),
        "unstack": (lambda a: np.sum(np.unstack(a, axis=1)[2] ** 2 * V[:4]), A),
    })


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_composite_in_both_engines(name):
    f, x = CASES[name]
    got = grad(f)(x)
    present = ~np.isnan(np.asarray(x, dtype=float))  # (a NaN entry's is NaN times 0)
    np.testing.assert_allclose(np.asarray(got)[present],
                               _differences(f, x)[present], rtol=1e-5, atol=1e-6)
    t = mg.tensor(x)
    out = f(t)
    out.backward()
    assert out.item() == pytest.approx(float(f(x)), rel=1e-12)
    np.testing.assert_allclose(np.asarray(t.grad)[present], np.asarray(got)[present],
                               rtol=1e-9, atol=1e-12)
    direction = np.where(present, RNG.normal(size=np.shape(x)), 0.0)
    tangent = jvp(f, (x,), (direction,))[1]
    assert tangent == pytest.approx(float(np.sum(np.where(present, got, 0.0) * direction)),
                                    rel=1e-8, abs=1e-10)


def test_composite_values_match_numpy_for_every_shape():
    for n in range(1, 6):
        for m in range(1, 6):
            a, v = RNG.normal(size=n), RNG.normal(size=m)
            for mode in ("full", "same", "valid"):
                np.testing.assert_allclose(composites.correlate(a, v, mode),
                                           np.correlate(a, v, mode), atol=1e-12)
    np.testing.assert_allclose(composites.cov(A, rowvar=False, ddof=0),
                               np.cov(A, rowvar=False, ddof=0))
    np.testing.assert_allclose(composites.corrcoef(A), np.corrcoef(A))
    np.testing.assert_allclose(composites.quantile(A, [[0.2], [0.7]], axis=-1, keepdims=True),
                               np.quantile(A, [[0.2], [0.7]], axis=-1, keepdims=True))
    np.testing.assert_allclose(composites.percentile(A, 40, keepdims=True),
                               np.percentile(A, 40, keepdims=True))
    np.testing.assert_allclose(composites.nanvar(WITH_NANS), np.nanvar(WITH_NANS))
    for returned in (composites.average(A, axis=0, returned=True),
                     composites.average(A, axis=1, weights=W, returned=True)):
        assert len(returned) == 2
    np.testing.assert_allclose(composites.average(A, axis=1, weights=W, returned=True)[1],
                               np.average(A, axis=1, weights=W, returned=True)[1])
    np.testing.assert_allclose(composites.vander(V, 3), np.vander(V, 3))
    np.testing.assert_allclose(composites.polyder(W, 3), np.polyder(W, 3))
    np.testing.assert_allclose(composites.cond(A[:, :4], -2), np.linalg.cond(A[:, :4], -2))
    all_nan = np.full((2, 3), np.nan)
    all_nan[0] = 1.0
    np.testing.assert_allclose(composites.nanmax(all_nan, axis=1), [1.0, np.nan])


def test_second_order_through_a_composite():
    f = CASES["cov"][0]
    x = A[:2, :3].copy()
    h = hessian(lambda v: f(v.reshape(2, 3)))(x.ravel())
    g = grad(lambda v: f(v.reshape(2, 3)))
    rows = [(g(x.ravel() + 1e-6 * e) - g(x.ravel() - 1e-6 * e)) / 2e-6 for e in np.eye(6)]
    np.testing.assert_allclose(h, rows, rtol=1e-5, atol=1e-6)


def test_an_option_a_composite_does_not_take_says_so():
    with pytest.raises(TypeError, match=r"np.cov\(..., fweights=.*not supported"):
        grad(lambda a: np.sum(np.cov(a, fweights=np.ones(6, dtype=int))))(A)


def _robust(v):
    return mg.percentile(v, 40) * 2.0


def test_composites_are_mg_functions_too():
    # CC: np.cov(tensor) worked, mg.cov did not exist
    x = mg.tensor([[1.0, 2.0, 4.0], [0.5, 1.0, 3.0]])
    c = mg.cov(x)
    c.sum().backward()
    np.testing.assert_allclose(c.data, np.cov(x.data))
    np.testing.assert_allclose(x.grad, grad(lambda a: np.sum(np.cov(a)))(x.data))
    t = mg.tensor([1.0, 2.0, 3.0])
    y = mg.convolve(t, [0.25, 0.5, 0.25])  # (a kernel as a list, as it is often written)
    y.sum().backward()
    np.testing.assert_allclose(t.grad, np.ones(3))
    v = np.array([1.0, 2.0, 5.0])
    np.testing.assert_allclose(grad(_robust)(v), [2 * 0.2, 2 * 0.8, 0.0])  # (0.8 of the way)


def test_composites_follow_numpy_at_the_edges():
    # CC: NaN in a quantile's data, ddof at least the count, a one-row cov across,
    # float32, a derivative with respect to q at 1, tuple axes, calls NumPy refuses
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = np.array([1.0, np.nan, 3.0, 0.5, 2.0])
        assert np.isnan(composites.quantile(data, 0.3))
        np.testing.assert_allclose(composites.nanvar(np.array([[1.0, np.nan], [2.0, 1.0]]),
                                                     axis=0, ddof=1),
                                   np.nanvar(np.array([[1.0, np.nan], [2.0, 1.0]]), axis=0,
                                             ddof=1))
        one_row = np.array([[1.0, 2.0, 4.0]])
        np.testing.assert_allclose(composites.cov(one_row, rowvar=False),
                                   np.cov(one_row, rowvar=False))
    x32 = np.array([1.0, 2.0, 4.0], dtype=np.float32)
    for name in ("nanmean", "nanstd", "quantile", "percentile"):
        args = (x32, 0.5 if name == "quantile" else 50) if "ile" in name else (x32,)
        assert getattr(composites, name)(*args).dtype == getattr(np, name)(*args).dtype
    for name in ("cov", "vander"):
        assert getattr(composites, name)(x32).dtype == getattr(np, name)(x32).dtype
    sample = np.array([3.0, 1.0, 4.0, 1.5])
    assert grad(lambda q: np.quantile(sample, q))(1.0) == pytest.approx(3 * (4.0 - 3.0))
    cube = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_allclose(composites.quantile(cube, [0.5], axis=(0, 2), keepdims=True),
                               np.quantile(cube, [0.5], axis=(0, 2), keepdims=True))
    for call, error in ((lambda: composites.vander(np.ones((2, 2))), ValueError),
                        (lambda: composites.correlate(np.ones(0), np.ones(2)), ValueError),
                        (lambda: composites.average(np.ones(2), weights=[1.0, -1.0]),
                         ZeroDivisionError),
                        (lambda: composites.cov(np.ones((2, 3)), ddof=0.5), ValueError)):
        with pytest.raises(error):
            call()
    # (np.nansum(a, where=m) is np.nansum(np.where(m, a, 0)) since session 28)
    np.testing.assert_allclose(grad(lambda a: np.nansum(a, where=a > 0))(A),
                               (A > 0).astype(float))


def test_vander_of_no_columns_is_a_tensor_of_a_tensor():
    # CF: np.vander(t, N=0) gave a plain array, whose .backward() failed
    t = mg.tensor([1.0, 2.0])
    v = np.vander(t, N=0)
    assert isinstance(v, mg.Tensor) and v.shape == (2, 0)
