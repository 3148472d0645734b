"""Issue 11: every call form HIPS autograd differentiates, in both engines, against
finite differences; the new rules over shapes, axes and dtypes; the degenerate inputs.

``parity_cases.FORMS`` holds HIPS autograd's listed call forms (and the issue's own
list). ``grad`` must match finite differences on each, or refuse it with an error
naming the construct (``np.r_``); the Tensor engine must match them or raise. No
engine may return a wrong gradient.
"""

import math
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_src as mg
from autograd_src import grad
from autograd_src.errors import NoRuleError
from autograd_src.testing import check_grads, numerical_grad

from . import parity_cases as pc

SETTINGS = settings(max_examples=10, deadline=None)
DTYPES = st.sampled_from([np.float64, np.float32])


def _valid(index, form):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            pc.define(form, index)(*form.args)
        except Exception:
            return False  # NumPy rejects this combination of the listed arguments
    return True


def _redundant(form):
    """np.cross with axis= ignores axisa, axisb and axisc: one of each such group runs
    (the benchmark runs all)."""
    return "axis=None" not in form.body and "axisa=" in form.body and \
        "axisa=-1, axisb=-1, axisc=-1" not in form.body


FORMS = [(i, f) for i, f in enumerate(pc.FORMS) if not _redundant(f) and _valid(i, f)]
IDS = [f"{f.group}:{f.name}"[:120] for _, f in FORMS]
#: What the Tensor engine cannot see: a call outside NumPy's protocols turns a tensor
#: into a float or an array first (math.erf(t), np.array([t, t]), np.r_[t]). These
#: are the Tensor API's to refuse (see the issue 11 report), not the rule table's.
# Forms the Tensor engine cannot see (math.*, np.array of tensors, ...) are refused
# loudly now (GradientDropped), so every form is checked: right or refused.
TENSOR_UNSEEN: tuple = ()


def test_the_table_holds_the_listed_forms():
    # The combinations of HIPS autograd's lists that NumPy accepts, and issue 11's.
    assert len(FORMS) > 1450
    groups = {f.group for _, f in FORMS}
    assert {"test_systematic", "test_numpy", "test_linalg", "test_scalar_ops",
            "test_binary_ops", "issue"} <= groups


# NumPy 2.5: np.linalg.eig returns complex arrays even for real eigenvalues (whose
# gradient the rule gives; complex values are refused), and np.cross refuses 2-vectors.
EIG_ALWAYS_COMPLEX = np.iscomplexobj(np.linalg.eig(np.eye(2))[0])
try:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        np.cross(np.ones(2), np.ones(2))
    CROSS_OF_TWO_VECTORS = True
except ValueError:
    CROSS_OF_TWO_VECTORS = False


@pytest.mark.parametrize("index, form", FORMS, ids=IDS)
def test_grad_on_hips_forms(index, form):
    if EIG_ALWAYS_COMPLEX and "np.linalg.eig(" in form.body:
        pytest.skip("this NumPy's eig returns complex eigenvalues for real ones")
    fn = pc.define(form, index)
    wrt = form.wrt[0] if len(form.wrt) == 1 else form.wrt
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # np.row_stack
        check_grads(fn, *form.args, wrt=wrt)


class _TensorScipy:
    """``sp.<name>`` on tensors: ``mg.<name>``, or the primitive wrapped as ``mg.<name>``
    wraps it (SciPy's functions have no protocol a tensor could reach them through)."""

    def __init__(self, module):
        self.module = module

    def __getattr__(self, name):
        from autograd_src.rules import registry
        from autograd_src.tensors.functions import wrap_primitive
        primitive = getattr(self.module, name)
        if registry.lookup(primitive) is None and not registry.is_nondifferentiable(primitive):
            return _TensorScipy(primitive)
        exported = getattr(mg, name, None)
        if getattr(exported, "__autograd_src_primitive__", None) is primitive:
            return exported
        return wrap_primitive(name, primitive)


def tensor_grads(fn, args, wrt, seed):
    """The Tensor engine's gradients of ``sum(seed * fn(*args))`` (zeros where no
    gradient flows: a constant result)."""
    tensors = list(args)
    for i in wrt:
        dtype = args[i].dtype if isinstance(args[i], np.ndarray) else np.float64
        tensors[i] = mg.tensor(np.asarray(args[i], dtype=dtype))
    out = fn(*tensors)
    if isinstance(out, mg.Tensor) and not out.constant:
        out.backward(seed)
    grads = [np.zeros(np.shape(args[i])) if tensors[i].grad is None else tensors[i].grad
             for i in wrt]
    return grads[0] if len(wrt) == 1 else tuple(grads)


def float32_floor(*args):
    """An absolute allowance for float32 arguments: where the exact gradient is 0 (a
    constant array's np.gradient), float32 rounding of the computation is all there is,
    some epsilons of the values; the default tolerance is relative and allows none."""
    wide = [a for a in args if getattr(a, "dtype", None) == np.float32]
    if not wide:
        return None
    scale = max(1.0, max(float(np.max(np.abs(a))) if np.size(a) else 0.0 for a in wide))
    return 64 * float(np.finfo(np.float32).eps) * scale


def check_tensor(fn, *args, wrt=(0,), plain=None):
    """Assert the Tensor engine's gradient of ``fn`` matches finite differences."""
    plain = plain or fn
    seed = np.random.default_rng(5).uniform(0.5, 1.5, np.shape(plain(*args)))

    def seeded(*a):
        return np.sum(seed * plain(*a))

    check_grads(seeded, *args, wrt=wrt[0] if len(wrt) == 1 else tuple(wrt),
                df=lambda *a: tensor_grads(fn, a, wrt, seed), atol=float32_floor(*args))


TENSOR_FORMS = [(i, f) for i, f in FORMS if not any(k in f.body for k in TENSOR_UNSEEN)]


@pytest.mark.parametrize("index, form", TENSOR_FORMS,
                         ids=[f"{f.group}:{f.name}"[:120] for _, f in TENSOR_FORMS])
def test_tensor_engine_on_hips_forms(index, form):
    """Right, or refused loudly (an operation with several results, a function without
    gradient on a non-constant tensor): never a wrong gradient."""
    fn = pc.define(form, index)
    if pc.sp is not None:
        fn.__globals__.update(sp=_TensorScipy(pc.sp), stats=_TensorScipy(pc.stats))
    plain = pc.define(form, index)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            check_tensor(fn, *form.args, wrt=form.wrt, plain=plain)
    except AssertionError:
        raise
    except Exception as exc:  # noqa: BLE001 - refused loudly, not a wrong gradient
        assert str(exc), f"{form.name}: an error without a message"


# ----- the new rules over shapes, axes, keepdims and dtypes -----


def draw(data, shape, low=-2.0, high=2.0, dtype=np.float64):
    values = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(low, high)))
    return values.astype(dtype)


def both_engines(fn, *args, wrt=0):
    """``fn`` (a function of NumPy calls) checked through grad and through tensors."""
    check_grads(fn, *args, wrt=wrt, atol=float32_floor(*args))
    check_tensor(fn, *args, wrt=(wrt,) if isinstance(wrt, int) else wrt)


def unary_deg2rad(x):
    return np.deg2rad(x) * 3.0


def unary_rad2deg(x):
    return np.rad2deg(x) / 50.0


def unary_sinc(x):
    return np.sinc(x)


def unary_real(x):
    return np.real(x) * np.conj(x) + np.imag(x) + np.angle(x + 3.0)


def unary_nan_to_num(x):
    return np.sin(np.nan_to_num(x * 2.0))


@pytest.mark.parametrize("fn", [unary_deg2rad, unary_rad2deg, unary_sinc, unary_real,
                                unary_nan_to_num])
@given(data=st.data(), dtype=DTYPES)
@SETTINGS
def test_elementwise_rules(fn, data, dtype):
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=3))
    x = draw(data, shape, -2.0, 2.0, dtype)
    both_engines(fn, x)
    assert grad(fn)(x).dtype == dtype


def binary_fmod(x, y):
    return np.fmod(x, y)


def binary_copysign(x, y):
    return np.copysign(x, y) * y


@pytest.mark.parametrize("fn", [binary_fmod, binary_copysign])
@given(data=st.data(), dtype=DTYPES)
@SETTINGS
def test_binary_rules_broadcast(fn, data, dtype):
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
    x = draw(data, shapes.input_shapes[0], 0.2, 2.0, dtype)
    y = draw(data, shapes.input_shapes[1], 0.7, 1.3, dtype)
    x = x * np.where(np.arange(x.size).reshape(x.shape) % 2, 1, -1).astype(dtype)
    # fmod jumps where x / y is a whole number: keep away from the jumps
    frac = np.abs(np.fmod(x / y, 1.0))
    x = np.where((frac < 0.05) | (frac > 0.95), x + 0.1 * y, x).astype(dtype)
    both_engines(fn, x, y, wrt=(0, 1))


_COUNTER = iter(range(100_000, 10 ** 9))


def from_source(body, n_args=1, **namespace):
    """A function of ``a, b, ...`` defined from source (grad reads it), whose NumPy calls
    reach tensors through NumPy's protocols, so both engines run the same code."""
    form = pc.Form(body[:40], "hypothesis", body, (0,) * n_args, (0,), namespace=namespace)
    return pc.define(form, next(_COUNTER))


AXIS_BODIES = {
    "cumprod": "np.cumprod(a, axis={axis})",
    "diff": "np.diff(a, axis={axis1}) ** 2",
    "diff2": "np.diff(a, 2, axis={axis1}, prepend=0.5) ** 2",
    "sort": "np.sort(a, axis={axis}) ** 2",
    "partition": "np.partition(a, 1, axis={axis}) ** 2",
    "norm": "np.linalg.norm(a, axis={axis}, keepdims={keepdims})",
    "norm3": "np.linalg.norm(a, ord=3, axis={axis1}, keepdims={keepdims})",
    "norm_inf": "np.linalg.norm(a, ord=-np.inf, axis={axis1}, keepdims={keepdims})",
    "gradient": "np.gradient(a, 0.5, axis={axis1}, edge_order=2) ** 2",
    "logsumexp": "sp.logsumexp(a, axis={axis}, keepdims={keepdims}, b=WEIGHTS)",
    "softmax": "sp.softmax(a, axis={axis}) ** 2",
    "log_softmax": "sp.log_softmax(a, axis={axis}) ** 2",
}


@pytest.mark.parametrize("name", sorted(AXIS_BODIES))
@given(data=st.data(), dtype=DTYPES, keepdims=st.booleans())
@SETTINGS
def test_axis_rules(name, data, dtype, keepdims):
    if pc.sp is None and "sp." in AXIS_BODIES[name]:
        pytest.skip("SciPy is not installed")
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=3, max_side=4))
    axis = data.draw(st.sampled_from([None] + list(range(-len(shape), len(shape)))))
    axis1 = data.draw(st.sampled_from(range(-len(shape), len(shape))))
    x = draw(data, shape, 0.5, 2.0, dtype)
    x = x * np.where(np.arange(x.size).reshape(shape) % 3, 1, -1).astype(dtype)
    if name in ("sort", "partition", "norm_inf"):  # no ties (kinks): entries apart
        rank = np.argsort(np.argsort(x, axis=None)).reshape(shape)
        x = ((rank - x.size / 2) * 0.1 + 0.01 * x).astype(dtype)
        if name == "norm_inf":  # magnitudes apart, with either sign, none near 0
            x = ((rank + 1) * 0.1 * np.where(rank % 2, 1, -1)).astype(dtype)
    weights = np.random.default_rng(2).uniform(0.5, 1.5, shape)
    fn = from_source(AXIS_BODIES[name].format(axis=axis, axis1=axis1, keepdims=keepdims),
                     sp=_TensorScipy(pc.sp) if pc.sp is not None else None, WEIGHTS=weights)
    check_tensor(fn, x, plain=from_source(AXIS_BODIES[name].format(
        axis=axis, axis1=axis1, keepdims=keepdims), WEIGHTS=weights))
    plain = from_source(AXIS_BODIES[name].format(axis=axis, axis1=axis1, keepdims=keepdims),
                        WEIGHTS=weights)
    check_grads(plain, x, atol=float32_floor(x))
    assert grad(plain)(x).dtype == dtype


MOVES = ["np.roll(a, {shift}, axis={axis})", "np.roll(a, ({shift}, 1), axis=(0, -1))",
         "np.rot90(a, {k})", "np.tril(a, {k})", "np.triu(a, {k})",
         "np.diagonal(a, {k}, 0, -1)", "np.pad(a, {widths}, mode={mode!r})",
         "np.take(a, {index}, axis=0)", "np.flipud(a) * a", "np.fliplr(a)",
         "np.rollaxis(a, {axis}, 0)", "np.atleast_3d(a)", "np.append(a, a[:1], axis=0)",
         "np.diag(np.ravel(a)[:3], {k})", "np.kron(a, a[:1])",
         "np.compress([True, False, True], a, axis=-1)"]


@pytest.mark.parametrize("move", MOVES)
@given(data=st.data(), dtype=DTYPES)
@SETTINGS
def test_moving_and_picking(move, data, dtype):
    shape = data.draw(hnp.array_shapes(min_dims=2, max_dims=3, min_side=3, max_side=4))
    x = draw(data, shape, -2.0, 2.0, dtype)
    body = move.format(
        shift=data.draw(st.integers(-5, 5)), axis=data.draw(st.integers(-len(shape),
                                                                          len(shape) - 1)),
        k=data.draw(st.integers(-2, 2)),
        widths=data.draw(st.tuples(st.integers(0, 2), st.integers(0, 2))),
        mode=data.draw(st.sampled_from(["constant", "edge", "reflect", "symmetric", "wrap"])),
        index=data.draw(st.lists(st.integers(0, shape[0] - 1), min_size=1, max_size=5)))
    fn = from_source(body)
    both_engines(fn, x)
    assert grad(fn)(x).dtype == dtype


@given(data=st.data(), dtype=DTYPES)
@SETTINGS
def test_tensordot_axes(data, dtype):
    a_shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    n = data.draw(st.integers(1, len(a_shape)))
    a_axes = data.draw(st.permutations(range(len(a_shape))))[:n]
    b_extra = data.draw(hnp.array_shapes(min_dims=0, max_dims=2, max_side=3))
    b_axes = data.draw(st.permutations(range(n + len(b_extra))))[:n]
    b_shape = [0] * (n + len(b_extra))
    for ax, bx in zip(a_axes, b_axes):
        b_shape[bx] = a_shape[ax]
    rest = iter(b_extra)
    b_shape = tuple(s if k in b_axes else next(rest) for k, s in enumerate(b_shape))
    a, b = draw(data, a_shape, dtype=dtype), draw(data, b_shape, dtype=dtype)
    axes = (list(a_axes), list(b_axes))
    both_engines(from_source(f"np.tensordot(a, b, axes={axes})", 2), a, b, wrt=(0, 1))


@pytest.mark.parametrize("subscripts, shapes", [
    ("...ij,...jk->...ik", [(2, 1, 2, 3), (4, 3, 2)]), ("ii->i", [(3, 3)]),
    ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 4)]), ("i,i,i", [(3,), (3,), (3,)]),
    ("bij,bjk", [(2, 2, 3), (2, 3, 2)]), ("...i,...i->...", [(3,), (2, 3)]),
    ("iij,jk->ik", [(3, 3, 2), (2, 4)])])
def test_einsum_forms(subscripts, shapes):
    rng = np.random.default_rng(1)
    arrays = [rng.normal(size=s) for s in shapes]
    params = ", ".join("abcd"[:len(arrays)])
    fn = from_source(f"np.einsum({subscripts!r}, {params})", len(arrays))
    wrt = tuple(range(len(arrays)))
    both_engines(fn, *arrays, wrt=wrt if len(wrt) > 1 else 0)


@given(data=st.data())
@SETTINGS
def test_cross_axes(data):
    axisa, axisb, axisc = (data.draw(st.sampled_from([0, -1])) for _ in range(3))
    na, nb = (data.draw(st.sampled_from([2, 3] if CROSS_OF_TWO_VECTORS else [3]))
              for _ in range(2))
    a = draw(data, (na, 2) if axisa == 0 else (2, na))
    b = draw(data, (nb, 2) if axisb == 0 else (2, nb))
    kw = f"axisa={axisa}, axisb={axisb}, axisc={axisc}"
    both_engines(from_source(f"np.cross(a, b, {kw})", 2), a, b, wrt=(0, 1))


LINALG = {
    "cholesky": ("np.linalg.cholesky(a)", "psd"),
    "slogdet": ("np.linalg.slogdet(a)[1]", "any"),
    "eigh": ("w, v = np.linalg.eigh(a)\nreturn w * 2.0 + np.sum(v * v[..., :1], -1)", "psd"),
    "eigvalsh": ("np.linalg.eigvalsh(a, 'U')", "psd"),
    "svd": ("u, s, vh = np.linalg.svd(a, full_matrices=False)\n"
            "return np.sum(u[..., :1] * u[..., :1, :]) + np.sum(s * s) + np.sum(vh[..., 0, :])",
            "any"),
    "svd_values": ("np.linalg.svd(a, compute_uv=False)", "any"),
    "pinv": ("np.linalg.pinv(a)", "any"),
    "qr": ("q, r = np.linalg.qr(a)\nreturn np.sum(q[..., 0]) + np.sum(r * r)", "any"),
    "matrix_power": ("np.linalg.matrix_power(a, 3)", "any"),
    "inverse_power": ("np.linalg.matrix_power(a, -2)", "psd"),
    "nuc": ("np.linalg.norm(a, 'nuc', axis=(-2, -1))", "any"),
    "two": ("np.linalg.norm(a, 2, axis=(-2, -1))", "any"),
    "det": ("np.linalg.det(a)", "any"),
}


@pytest.mark.parametrize("name", sorted(LINALG))
@given(seed=st.integers(0, 2 ** 16), batch=st.sampled_from([(), (2,)]),
       n=st.integers(2, 4), dtype=DTYPES)
@SETTINGS
def test_linear_algebra(name, seed, batch, n, dtype):
    """Through grad, and through tensors where the function has one result (the Tensor
    engine refuses several results, loudly)."""
    source, kind = LINALG[name]
    rng = np.random.default_rng(seed)
    # Singular values (eigenvalues) well apart and away from 0: the derivatives are
    # well conditioned, so float32 rounding stays within its tolerance.
    spread = np.diag(1.0 + 0.7 * np.arange(n) + rng.uniform(0, 0.2, n))
    q1 = np.linalg.qr(rng.normal(size=batch + (n, n)))[0]
    q2 = np.linalg.qr(rng.normal(size=batch + (n, n)))[0]
    if kind == "psd":
        a = q1 @ spread @ np.swapaxes(q1, -1, -2)
    else:
        a = q1 @ spread @ q2
    a = a.astype(dtype)
    fn = from_source(source)
    check_grads(fn, a)
    if "return" not in source and "[1]" not in source:
        check_tensor(fn, a)


def test_rectangular_decompositions():
    rng = np.random.default_rng(4)
    for shape in [(5, 3), (3, 5), (2, 4, 3)]:
        a = rng.normal(size=shape)
        both_engines(from_source("np.linalg.pinv(a)"), a)
        both_engines(from_source("np.linalg.svd(a, compute_uv=False)"), a)
    check_grads(pc.define(pc.Form("qr", "case", "q, r = np.linalg.qr(a)\n"
                                  "return np.sum(q * Q) + np.sum(r ** 2)", (0,), (0,),
                                  namespace={"Q": rng.normal(size=(5, 3))}), 61_000),
                rng.normal(size=(5, 3)))
    lstsq = pc.define(pc.Form("lstsq", "case", "x, res, rank, s = np.linalg.lstsq(a, b)\n"
                              "return np.sum(x * x) + np.sum(res)", (0, 0), (0, 1)), 61_001)
    check_grads(lstsq, rng.normal(size=(6, 3)), rng.normal(size=(6, 2)), wrt=(0, 1))


@pytest.mark.skipif(EIG_ALWAYS_COMPLEX, reason="this NumPy's eig returns complex arrays")
def test_eig_real_and_complex():
    rng = np.random.default_rng(5)
    a = np.diag([1.0, 2.5, 4.0]) + 0.3 * rng.normal(size=(3, 3))
    form = pc.Form("eig", "case", "w, v = np.linalg.eig(a)\nreturn np.sum(w ** 2) + "
                   "np.sum(v * V)", (a,), (0,), namespace={"V": rng.normal(size=(3, 3))})
    check_grads(pc.define(form, 62_000), a)
    rotation = np.array([[0.0, -1.0], [1.0, 0.0]])
    with pytest.raises(NotImplementedError, match="complex"):
        grad(from_source("np.sum(np.real(np.linalg.eig(a)[0]))"))(rotation)


def test_svd_full_matrices_refuses_the_arbitrary_columns():
    rng = np.random.default_rng(6)
    a = rng.normal(size=(4, 2))
    only_s = pc.define(pc.Form("svd", "case", "u, s, vh = np.linalg.svd(a)\n"
                               "return np.sum(s) + np.sum(u[:, :2] * U)", (a,), (0,),
                               namespace={"U": rng.normal(size=(4, 2))}), 63_000)
    check_grads(only_s, a)
    extra = pc.define(pc.Form("svd", "case", "u, s, vh = np.linalg.svd(a)\n"
                              "return np.sum(u)", (a,), (0,)), 63_001)
    with pytest.raises(NotImplementedError, match="full_matrices=False"):
        grad(extra)(a)


def test_split_results_in_loops_and_together():
    """A list result's adjoint, also where grad summed it with + (as a list)."""
    rng = np.random.default_rng(7)
    for index, form in [(i, f) for i, f in FORMS if "split(" in f.body][:6]:
        check_grads(pc.define(form, index), *form.args)
    both = from_source("p = np.split(a, 3)\n"
                       "return np.sum(p[0] * p[2]) + np.sum(np.concatenate([p[1], p[2]]) ** 2)")
    check_grads(both, rng.normal(size=(6, 2)))


def test_sequence_of_one_array():
    # np.vstack(a) of an array stacks its rows: grad reads it as np.vstack(list(a)),
    # and the rules give an array's gradient back as an array (the Tensor engine's way)
    rng = np.random.default_rng(8)
    for shape in [(4,), (3, 2), (2, 3, 2)]:
        x = rng.normal(size=shape)
        for body in ["np.vstack(a)", "np.hstack(a * 2.0)", "np.column_stack(a)",
                     "np.dstack(a)", "np.concatenate(a)", "np.stack(a, axis=-1)"]:
            if body == "np.concatenate(a)" and x.ndim == 1:
                continue  # NumPy: zero-dimensional arrays cannot be concatenated
            weights = f"np.arange({body}.size).reshape({body}.shape)"
            check_grads(from_source(f"return np.sum(np.sin({body}) * {weights})"), x)
    from autograd_src.rules import runtime
    x = rng.normal(size=(3, 2))
    for helper, args in [(runtime.unvstack, (np.ones(6).reshape(3, 2),)),
                         (runtime.unconcatenate, (np.arange(6.0),)),
                         (runtime.unstack, (np.ones((2, 3)), 1))]:
        result = helper(args[0], x, *args[1:])
        assert isinstance(result, np.ndarray) and result.shape == x.shape


# ----- degenerate inputs, and the conventions chosen there -----


def std_rows(x):
    return np.sum(np.std(x, axis=1))


def norm_plus(x):
    return np.linalg.norm(x) + np.linalg.norm(x, ord=3) + np.linalg.norm(x, ord=np.inf)


def matrix_norms(x):
    return np.linalg.norm(x) + np.linalg.norm(x, "fro")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_zero_spread_and_zero_norms_give_zero_gradients(dtype):
    """At the tip of the cone (all entries equal, a zero vector) the gradient is 0,
    the subgradient of least norm; the textbook x / norm is 0/0 = nan."""
    for fn, x in [(std_rows, np.ones((2, 3))), (norm_plus, np.zeros(3)),
                  (matrix_norms, np.zeros((2, 2)))]:
        x = x.astype(dtype)
        for result in (grad(fn)(x), tensor_grads(fn, (x,), (0,), 1.0)):
            assert np.all(result == 0) and result.dtype == dtype


def logsumexp_masked(x):
    return pc.sp.logsumexp(x + MASK)


MASK = np.array([0.0, -np.inf, 0.0])


@pytest.mark.skipif(pc.sp is None, reason="SciPy is not installed")
def test_logsumexp_at_minus_infinity():
    import scipy.special as sp
    x = np.array([0.3, -np.inf, 1.2])
    expected = np.exp(x - sp.logsumexp(x))  # the softmax: 0 at -inf
    for engine in (grad(logsumexp_with_inf), lambda v: tensor_grads(
            lambda t: _TensorScipy(sp).logsumexp(t), (v,), (0,), 1.0)):
        np.testing.assert_allclose(engine(x), expected, rtol=1e-14)
    everything_gone = np.full(3, -np.inf)
    assert np.all(grad(logsumexp_with_inf)(everything_gone) == 0)  # not nan
    check_grads(logsumexp_masked, np.array([0.5, 0.1, -0.2]))


def logsumexp_with_inf(x):
    return pc.sp.logsumexp(x)


def arcsin_sum(x):
    return np.sum(np.arcsin(x) + np.arccos(x) * 2.0)


def test_arcsin_arccos_at_and_near_one():
    """Near ±1 the rule is exact (1 - x**2 would lose half the digits); at ±1 the
    derivative is infinite and the rule says so: +inf for arcsin, -inf for arccos."""
    x = 1.0 - 2.0 ** -30  # 1 - x and 1 + x are exact
    exact = 1.0 / math.sqrt(2.0 ** -30 * (2.0 - 2.0 ** -30))
    np.testing.assert_allclose(grad(arcsin_sum)(np.array([x, -x])), [-exact, -exact],
                               rtol=2e-16 * 8)
    with np.errstate(divide="ignore", invalid="ignore"):
        at_one = grad(lambda_free_arcsin)(np.array([1.0, -1.0]))
    assert np.all(np.isposinf(at_one))
    with pytest.raises(ZeroDivisionError):
        grad(math_asin)(1.0)


def lambda_free_arcsin(x):
    return np.sum(np.arcsin(x))


def math_asin(x):
    return math.asin(x)


def power_zero(x):
    return np.sum(np.power(x, 0.0) + x ** 0)


def power_zero_float(x):
    return x ** 0.0 * 3.0


def test_power_with_exponent_zero_at_zero():
    """x ** 0 is the constant 1, also at 0: its gradient is 0 (not 0 * inf = nan, nor a
    ZeroDivisionError for Python floats)."""
    assert np.all(grad(power_zero)(np.array([0.0, 1.5])) == 0)
    assert grad(power_zero_float)(0.0) == 0.0
    assert np.all(tensor_grads(lambda t: np.power(t, 0.0), (np.zeros(2),), (0,), 1.0) == 0)


def max_ties(x, y):
    return np.max(np.stack([x, x, y])) + np.sum(np.maximum(x, y)) * 10.0 \
        + np.sum(np.minimum(x, y)) * 100.0


def test_ties_share_the_gradient_evenly():
    """np.max over tied entries splits g between them; np.maximum / np.minimum give
    each operand half at a tie (central differences measure the same)."""
    x, y = np.array([2.0]), np.array([2.0])
    dx, dy = grad(max_ties, wrt=(0, 1))(x, y)
    # max of [x, x, y]: a third each, x twice; maximum and minimum: half each.
    np.testing.assert_allclose(dx, [2 / 3 + 5.0 + 50.0])
    np.testing.assert_allclose(dy, [1 / 3 + 5.0 + 50.0])
    tx, ty = tensor_grads(max_ties, (x, y), (0, 1), 1.0)
    np.testing.assert_allclose(tx, dx)
    np.testing.assert_allclose(ty, dy)
    check_grads(maximum_tie, x, y, wrt=(0, 1))  # central differences agree at the tie


def maximum_tie(x, y):
    return np.sum(np.maximum(x, y) * 3.0 + np.minimum(x, y))


def cumprod_sum(x):
    return np.sum(np.cumprod(x, axis=1) * np.arange(1.0, 5.0))


def test_cumprod_with_zeros_is_exact():
    x = np.array([[2.0, 0.0, 3.0, 0.5], [0.0, 0.0, 1.5, 2.0], [1.0, 2.0, 3.0, 4.0]])
    expected = numerical_grad(cumprod_sum, [x], 0)  # a polynomial: differences are exact
    for result in (grad(cumprod_sum)(x), tensor_grads(cumprod_sum, (x,), (0,), 1.0)):
        np.testing.assert_allclose(result, expected, rtol=1e-9, atol=1e-9)


def sinc_at_zero(x):
    return np.sum(np.sinc(x))


def test_sinc_at_zero():
    assert np.all(grad(sinc_at_zero)(np.zeros(2)) == 0)
    check_grads(sinc_at_zero, np.array([1e-3, -0.5, 2.0, 0.31, -0.32]))
    # Near 0 the closed form cancels; the rule does not: -pi**2 x / 3 to first order.
    tiny = np.array([1e-9, -3e-7], dtype=np.float64)
    np.testing.assert_allclose(grad(sinc_at_zero)(tiny), -math.pi ** 2 * tiny / 3,
                               rtol=1e-12)
    small32 = np.array([0.00390625], dtype=np.float32)
    check_grads(sinc_at_zero, small32)


@pytest.mark.skipif(pc.sp is None, reason="SciPy is not installed")
def test_xlogy_at_zero():
    """xlogy(0, y) is 0 for every y: no gradient in y there; in x it is log(y)."""
    with np.errstate(divide="ignore"):
        dx, dy = grad(from_source("np.sum(sp.xlogy(a, b))", 2), wrt=(0, 1))(
            np.array([0.0, 2.0]), np.array([0.0, 3.0]))
    assert dy[0] == 0 and dx[1] == math.log(3.0) and np.isneginf(dx[0])
    check_grads(from_source("sp.xlogy(a, b) + sp.xlog1py(a, b)", 2), np.array([0.0, 2.0]),
                np.array([0.5, 3.0]), wrt=(0, 1))


# ----- SciPy is optional, and rules without SciPy are still errors -----


def test_scipy_is_not_imported_by_autograd_src():
    code = "import sys, autograd_src; sys.exit('scipy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=".").returncode == 0


def test_scipy_rules_load_when_scipy_is_used():
    code = ("import numpy as np, scipy.special as sp\n"
            "from autograd_src.rules import registry\n"
            "assert registry.lookup(sp.expit) is not None\n"
            "assert registry.primitive_name(sp.gammaln) == 'scipy.special.gammaln'\n")
    assert subprocess.run([sys.executable, "-c", code], cwd=".").returncode == 0


def no_rule(x):
    return np.sum(np.i0(x))


def test_a_function_without_rule_is_still_an_error():
    with pytest.raises(NoRuleError, match="np.i0"):
        grad(no_rule)
    with pytest.raises(TypeError, match="i0"):
        np.i0(mg.tensor([1.0, 2.0]))


def test_tensor_variants_at_ties_follow_mygrad():
    """The Tensor engine's variants (registry.lookup(fn, engine="tensor")): MyGrad gives
    a max's gradient to the first extreme entry, and neither operand of a tied
    np.maximum any (checked against MyGrad's own results for these inputs)."""
    from autograd_src.rules import registry
    x = np.array([[1.0, 3.0, 3.0], [3.0, 2.0, 0.0]])
    rule = registry.lookup(np.max, engine="tensor")
    assert rule is not registry.lookup(np.max)
    np.testing.assert_array_equal(rule.vjp(np.ones(2), np.max(x, 1), x, 1),
                                  [[0, 1, 0], [1, 0, 0]])
    np.testing.assert_array_equal(rule.vjp(1.0, np.max(x), x), [[0, 1, 0], [0, 0, 0]])
    a, b = np.array([1.0, 2.0, 2.0, 3.0]), np.array([2.0, 2.0, 1.0, 3.0])
    ga, gb = registry.lookup(np.maximum, engine="tensor").vjp(np.ones(4), None, a, b)
    np.testing.assert_array_equal(ga, [0, 0, 1, 0])
    np.testing.assert_array_equal(gb, [1, 0, 0, 0])
    ga, gb = registry.lookup(np.minimum, engine="tensor").vjp(np.ones(4), None, a, b)
    np.testing.assert_array_equal(ga, [1, 0, 0, 0])
    np.testing.assert_array_equal(gb, [0, 0, 1, 0])
    # Away from ties the variants are the shared rules.
    y = np.array([[0.5, 1.5, 2.5], [4.0, -1.0, 0.0]])
    np.testing.assert_array_equal(rule.vjp(np.ones(3), np.max(y, 0), y, 0),
                                  registry.lookup(np.max).vjp(np.ones(3), np.max(y, 0), y, 0))
