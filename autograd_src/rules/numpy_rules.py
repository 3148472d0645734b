"""The rule table: the adjoint of every supported NumPy, math and builtin primitive.

Each rule returns one expression per differentiable input, written as plain
NumPy so that the transformer can inline it (``g`` is the adjoint of the
result, ``ans`` the result). Scalars are Python numbers so float32 stays
float32. Operators map here too: ``x * y`` uses the rule of ``np.multiply``.
"""

from __future__ import annotations

import builtins
import copy as _copy
import math
import operator

import numpy as np

from . import registry
from . import runtime as _ad
from .registry import alias, defvjp, nondifferentiable

# ----- Arithmetic (operators map to these) -----


@defvjp(np.add, broadcasting=True)
def add(g, ans, x, y):
    return g, g


@defvjp(np.subtract, broadcasting=True)
def subtract(g, ans, x, y):
    return g, -g


@defvjp(np.multiply, broadcasting=True)
def multiply(g, ans, x, y):
    return g * y, g * x


@defvjp(np.divide, broadcasting=True)
def divide(g, ans, x, y):
    return g / y, -(g / y) * ans


@defvjp(np.power, builtins.pow, math.pow, broadcasting=True)
def power(g, ans, x, y):
    """At ``y == 0`` the gradient in ``x`` is 0, at ``x = 0`` too (``x ** 0`` is 1)."""
    return _ad.times_power(g * y, x, _ad.power_exponent(y)), g * ans * _ad.log_or_zero(x)


@defvjp(np.negative, operator.neg)
def negative(g, ans, x):
    return -g


@defvjp(np.positive, operator.pos)
def positive(g, ans, x):
    return g


@defvjp(np.remainder, broadcasting=True)
def remainder(g, ans, x, y):
    return g, -g * np.floor_divide(x, y)


@defvjp(np.matmul)
def matmul(g, ans, x, y):
    return _ad.matmul_lhs(g, x, y), _ad.matmul_rhs(g, x, y)


# ----- Elementwise functions -----


@defvjp(np.sin, math.sin)
def sin(g, ans, x):
    return g * np.cos(x)


@defvjp(np.cos, math.cos)
def cos(g, ans, x):
    return -g * np.sin(x)


@defvjp(np.tan, math.tan)
def tan(g, ans, x):
    return g * (1 + ans ** 2)


@defvjp(np.arcsin, math.asin)
def arcsin(g, ans, x):
    """``1 / sqrt((1 - x) (1 + x))``: exact near ``x = ±1``, where ``1 - x ** 2`` loses
    digits. At ``x = ±1`` the derivative is infinite: arrays get ``inf`` (of the sign
    of ``g``; nan where ``g`` is 0, and NumPy's divide warning), ``math.asin`` of a
    Python float raises ZeroDivisionError, as Python's own division does."""
    return _ad.divide_or_zero(g, np.sqrt((1 - x) * (1 + x)))


@defvjp(np.arccos, math.acos)
def arccos(g, ans, x):
    """As `arcsin`, negated (``-inf`` at ``x = ±1``)."""
    return _ad.divide_or_zero(-g, np.sqrt((1 - x) * (1 + x)))


@defvjp(np.arctan, math.atan)
def arctan(g, ans, x):
    return g / (1 + x ** 2)


@defvjp(np.sinh, math.sinh)
def sinh(g, ans, x):
    return g * np.cosh(x)


@defvjp(np.cosh, math.cosh)
def cosh(g, ans, x):
    return g * np.sinh(x)


@defvjp(np.tanh, math.tanh)
def tanh(g, ans, x):
    return g * (1 - ans ** 2)


@defvjp(np.arcsinh, math.asinh)
def arcsinh(g, ans, x):
    return g / np.sqrt(x ** 2 + 1)


@defvjp(np.arccosh, math.acosh)
def arccosh(g, ans, x):
    """``1 / sqrt((x - 1) (x + 1))``, exact near ``x = 1`` (infinite at 1, as `arcsin`)."""
    return _ad.divide_or_zero(g, np.sqrt((x - 1) * (x + 1)))


@defvjp(np.arctanh, math.atanh)
def arctanh(g, ans, x):
    """``1 / ((1 - x) (1 + x))``, exact near ``x = ±1``; a zero adjoint stays zero there
    (``np.where``'s branch not taken), as ``arcsin``'s does."""
    return _ad.divide_or_zero(g, (1 - x) * (1 + x))


@defvjp(np.exp, math.exp)
def exp(g, ans, x):
    return g * ans


def _math(name):
    """``math.<name>`` where this Python has it (``exp2`` and ``cbrt`` are new in 3.11)."""
    return [getattr(math, name)] if hasattr(math, name) else []


@defvjp(np.exp2, *_math("exp2"))
def exp2(g, ans, x):
    return g * ans * math.log(2)


@defvjp(np.expm1, math.expm1)
def expm1(g, ans, x):
    return g * (ans + 1)


@defvjp(np.log, math.log)
def log(g, ans, x):
    return g / x


@defvjp(np.log2, math.log2)
def log2(g, ans, x):
    return g / (x * math.log(2))


@defvjp(np.log10, math.log10)
def log10(g, ans, x):
    return g / (x * math.log(10))


@defvjp(np.log1p, math.log1p)
def log1p(g, ans, x):
    return g / (1 + x)


@defvjp(np.sqrt, math.sqrt)
def sqrt(g, ans, x):
    return _ad.divide_or_zero(g, 2 * ans)


@defvjp(np.cbrt, *_math("cbrt"))
def cbrt(g, ans, x):
    return _ad.divide_or_zero(g, 3 * ans ** 2)


@defvjp(np.square)
def square(g, ans, x):
    return g * 2 * x


@defvjp(np.reciprocal)
def reciprocal(g, ans, x):
    return -g * ans ** 2


@defvjp(np.absolute, np.fabs, builtins.abs, math.fabs)
def absolute(g, ans, x):
    return g * np.sign(x)


@defvjp(np.maximum, broadcasting=True)
def maximum(g, ans, x, y):
    """Where ``x == y`` each operand gets half of ``g`` (the mean of the one-sided
    derivatives, which central differences measure; HIPS autograd and JAX agree), as
    ties of ``np.max`` share the gradient evenly."""
    return _ad.larger_share(g, x, y), _ad.larger_share(g, y, x)


@defvjp(np.minimum, broadcasting=True)
def minimum(g, ans, x, y):
    """Ties share ``g`` evenly, as for `maximum`."""
    return _ad.larger_share(g, y, x), _ad.larger_share(g, x, y)


@defvjp(np.fmax, broadcasting=True)
def fmax(g, ans, x, y):
    return np.where((x >= y) | np.isnan(y), g, 0.0), np.where((x >= y) | np.isnan(y), 0.0, g)


@defvjp(np.fmin, broadcasting=True)
def fmin(g, ans, x, y):
    return np.where((x <= y) | np.isnan(y), g, 0.0), np.where((x <= y) | np.isnan(y), 0.0, g)


@defvjp(np.hypot, math.hypot, broadcasting=True)
def hypot(g, ans, x, y):
    return _ad.divide_or_zero(g * x, ans), _ad.divide_or_zero(g * y, ans)


@defvjp(np.arctan2, math.atan2, broadcasting=True)
def arctan2(g, ans, y, x):
    return _ad.divide_or_zero(g * x, x ** 2 + y ** 2), _ad.divide_or_zero(-g * y, x ** 2 + y ** 2)


@defvjp(np.logaddexp, broadcasting=True)
def logaddexp(g, ans, x, y):
    return g * _ad.share_of_sum(x, y), g * _ad.share_of_sum(y, x)


@defvjp(np.logaddexp2, broadcasting=True)
def logaddexp2(g, ans, x, y):
    return g * _ad.share_of_sum(x, y, 2.0), g * _ad.share_of_sum(y, x, 2.0)


@defvjp(np.heaviside, broadcasting=True)
def heaviside(g, ans, x1, x2):
    """A step: flat in ``x1``; ``x2`` is the value taken where ``x1`` is 0."""
    return _ad.zeros_like(x1), g * (x1 == 0)


@defvjp(np.where, broadcasting=True)
def where(g, ans, condition, x, y):
    return None, np.where(condition, g, 0), np.where(condition, 0, g)


@defvjp(np.clip, broadcasting=True)
def clip(g, ans, a, a_min=None, a_max=None):
    # (selected, not multiplied by the mask: an infinite g gives a bound not taken 0)
    return np.where(_ad.clip_mask(a, a_min, a_max), g, 0.0), np.where(a < a_min, g, 0.0), \
        np.where(a > a_max, g, 0.0)


@defvjp(builtins.float, broadcasting=True)
def to_float(g, ans, x):
    return g


@defvjp(np.float32, np.float16)
def to_narrower_float(g, ans, x):
    """``np.float32(t)`` (a number or an array cast): the identity, in the cast's
    precision."""
    return g


@defvjp(np.copy, np.ascontiguousarray)
def copy(g, ans, a):
    return g


@defvjp(np.array, np.asarray)
def array(g, ans, a, dtype=None, *, copy=None):
    return _ad.like_input(_ad.through_cast(g, dtype), a)


@defvjp(_ad.pack)
def pack(g, ans, *items):
    return tuple(g)


@defvjp(_ad.pack_dict, n_inputs=2)
def pack_dict(g, ans, keys, *values):
    return None, _ad.values_at(g, keys)


@defvjp(_ad.appended, _ad.grown)
def appended(g, ans, items, value):
    return g[:-1], g[-1]


@defvjp(_ad.inserted)
def inserted(g, ans, items, index, value):
    """(the list is not kept: where the value went is read from ``g``'s length)"""
    return _ad.without_inserted(g, index), None, _ad.inserted_item(g, index)


@defvjp(_ad.all_but_last)
def all_but_last(g, ans, items):
    """(``items``, read here, is kept for the adjoint: the list is then no longer
    held by one name alone, and `all_but_last` copies it.)"""
    return _ad.appended(g, _ad.zeros_like(items[-1]))


@defvjp(_ad.extended)
def extended(g, ans, items, more):
    """(``more`` may be an array, whose rows the list took: its adjoint is one again.)"""
    return g[:len(items)], _ad.unlist(g[len(items):], more)


@defvjp(builtins.list, builtins.tuple)
def to_list(g, ans, a):
    return _ad.unlist(g, a)


@defvjp(_copy.copy, _copy.deepcopy)
def copied(g, ans, x):
    """A copy's adjoint is the original's (a list's, item by item, as it is)."""
    return g


@defvjp(_ad.joined)
def joined(g, ans, a, b):
    return g[:len(a)], g[len(a):]


@defvjp(_ad.plus)
def plus(g, ans, a, b):
    return _ad.unplus(g, a, b, 0), _ad.unplus(g, a, b, 1)


@defvjp(_ad.times)
def times(g, ans, a, b):
    return _ad.untimes(g, a, b, 0), _ad.untimes(g, a, b, 1)


@defvjp(builtins.sum, math.fsum)
def builtin_sum(g, ans, items):
    return _ad.unsum(g, items)


@defvjp(_ad.astype)
def astype(g, ans, x, dtype):
    return _ad.cast_like(_ad.through_cast(g, dtype), x)


# ----- Reductions -----


@defvjp(np.sum)
def sum(g, ans, a, axis=None, *, keepdims=False, initial=0):
    """(``initial``, a constant added once to each sum, takes no gradient)"""
    return _ad.unreduce(g, a, axis, keepdims)


@defvjp(np.mean)
def mean(g, ans, a, axis=None, *, keepdims=False):
    return _ad.unmean(g, a, axis, keepdims)


#: Functions whose ``overwrite_input=True`` lets NumPy reorder the array it is given
#: (its contents "undefined" after the call): grad and the Tensor API leave it as it
#: was, which NumPy allows, so the rule reads the values the result came from.
OVERWRITING = frozenset({np.median, np.percentile, np.quantile, np.nanmedian,
                         np.nanpercentile, np.nanquantile})


@defvjp(np.median)
def median(g, ans, a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """The middle entry of each sorted lane takes the gradient (the two middle ones
    share it for an even count)."""
    return _ad.unmedian(g, a, axis, keepdims)


@defvjp(np.interp)
def interp(g, ans, x, xp, fp, left=None, right=None, period=None):
    """Piecewise linear: the slope of each point's segment; the two samples around a
    point share its seed; the end samples take the points outside them."""
    return (g * _ad.interp_slope(x, xp, fp, period),
            _ad.uninterp_knots(g, x, xp, fp, period),
            _ad.uninterp_values(g, x, xp, fp, left, right, period),
            _ad.uninterp_end(g, x, xp, True, period),
            _ad.uninterp_end(g, x, xp, False, period))


@defvjp(np.polyval)
def polyval(g, ans, p, x):
    """Coefficients highest power first; the slope is the derivative polynomial's."""
    return _ad.unpolyval_coefficients(g, p, x), g * _ad.polyval_slope(p, x)


#: np.trapezoid, and np.trapz, its name before NumPy 2.0 (gone from some later ones).
TRAPEZOID = tuple(f for f in (getattr(np, "trapezoid", None), getattr(np, "trapz", None))
                  if f is not None)


@defvjp(*TRAPEZOID)
def trapezoid(g, ans, y, x=None, dx=1.0, axis=-1):
    """Linear in the samples (each weighs half the intervals beside it), in the sample
    points and in the spacing."""
    return (_ad.untrapezoid_samples(g, y, x, dx, axis), _ad.untrapezoid_points(g, y, x, axis),
            np.sum(g * _ad.trapezoid(y, None, 1.0, axis)))


@defvjp(np.prod)
def prod(g, ans, a, axis=None, *, keepdims=False):
    return _ad.unprod(g, ans, a, axis, keepdims)


@defvjp(np.max, np.amax, np.min, np.amin)
def extreme(g, ans, a, axis=None, *, keepdims=False, initial=None):
    """Entries tied for the extreme share the gradient evenly (as HIPS autograd; MyGrad
    gives it all to the first): the gradient of ``max([x, x])`` is 1, half each. Where
    the constant ``initial`` is the extreme, no entry is, and none gets any."""
    return _ad.unextreme(g, ans, a, axis, keepdims)


@defvjp(np.var)
def var(g, ans, a, axis=None, *, ddof=0, keepdims=False, correction=None):
    """(``correction``, NumPy 2's name for ``ddof``)"""
    return _ad.unvar(g, a, axis, _ad.degrees(ddof, correction), keepdims)


@defvjp(np.std)
def std(g, ans, a, axis=None, *, ddof=0, keepdims=False, correction=None):
    return _ad.unstd(g, ans, a, axis, _ad.degrees(ddof, correction), keepdims)


@defvjp(np.cumsum)
def cumsum(g, ans, a, axis=None):
    return _ad.uncumsum(g, a, axis)


@defvjp(np.cross)
def cross(g, ans, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    return (_ad.cross_grad(g, a, b, axisa, axisb, axisc, axis, 0),
            _ad.cross_grad(g, a, b, axisa, axisb, axisc, axis, 1))


@defvjp(np.linalg.norm)
def norm(g, ans, x, ord=None, axis=None, keepdims=False):
    return _ad.norm_grad(g, ans, x, ord, axis, keepdims)


# ----- Linear algebra -----


@defvjp(np.dot)
def dot(g, ans, a, b):
    return _ad.dot_lhs(g, a, b), _ad.dot_rhs(g, a, b)


@defvjp(_ad.dot_of_data)
def dot_of_data(g, ans, a, b, where=""):
    """``X.dot(w)`` of data ``X``: np.dot's rule."""
    return _ad.dot_lhs(g, a, b), _ad.dot_rhs(g, a, b)


@defvjp(np.vdot)
def vdot(g, ans, a, b):
    return np.reshape(g * np.ravel(b), np.shape(a)), np.reshape(g * np.ravel(a), np.shape(b))


@defvjp(np.inner)
def inner(g, ans, a, b):
    return _ad.inner_lhs(g, a, b), _ad.inner_rhs(g, a, b)


@defvjp(np.outer)
def outer(g, ans, a, b):
    return (np.reshape(g @ np.ravel(b), np.shape(a)),
            np.reshape(np.ravel(a) @ g, np.shape(b)))


@defvjp(np.trace)
def trace(g, ans, a, offset=0, axis1=0, axis2=1):
    return _ad.untrace(g, a, offset, axis1, axis2)


@defvjp(np.linalg.inv)
def inv(g, ans, a):
    return -np.swapaxes(ans, -1, -2) @ g @ np.swapaxes(ans, -1, -2)


@defvjp(np.linalg.solve)
def solve(g, ans, a, b):
    # (one a for a stack of b, or the other way: summed over the stack; one expression
    # per input, which second order differentiates again)
    # (b one vector for a stack of a, NumPy 2: solved as a column)
    return _ad.unbroadcast(
        _ad.solve_lhs(g[..., None], a, ans[..., None]) if np.ndim(b) == 1 and np.ndim(a) > 2
        else _ad.solve_lhs(g, a, ans), a), \
        _ad.unbroadcast(
            np.linalg.solve(np.swapaxes(a, -1, -2), g[..., None])[..., 0]
            if np.ndim(b) == 1 and np.ndim(a) > 2 else
            np.linalg.solve(np.swapaxes(a, -1, -2), g), b)


@defvjp(np.linalg.det)
def det(g, ans, a):
    return np.expand_dims(g * ans, (-1, -2)) * np.swapaxes(np.linalg.inv(a), -1, -2)


@defvjp(np.einsum, n_inputs=2)
def einsum(g, ans, subscripts, *operands, optimize=False):
    """(``optimize`` picks the order of contraction: the values, and so the gradients,
    are the same up to rounding)"""
    return None, _ad.einsum_grads(g, subscripts, operands)


@defvjp(_ad.einsum_view)
def einsum_view(g, ans, operand, subscripts):
    return _ad.einsum_grads(g, subscripts, (operand,))[0]


# ----- Shapes and joining -----


@defvjp(np.transpose)
def transpose(g, ans, a, axes=None):
    return np.transpose(g, _ad.inverse_permutation(axes))


@defvjp(np.reshape)
def reshape(g, ans, a, shape=None, order="C", *, newshape=None, copy=None):
    # shape= is NumPy >= 2.1's name, newshape= NumPy 2.0's; copy= is new in 2.1.
    return np.reshape(g, np.shape(a), order=order)


@defvjp(np.ravel)
def ravel(g, ans, a, order="C"):
    return np.reshape(g, np.shape(a), order=order)


@defvjp(np.squeeze)
def squeeze(g, ans, a, axis=None):
    return np.reshape(g, np.shape(a))


@defvjp(np.expand_dims)
def expand_dims(g, ans, a, axis):
    return np.reshape(g, np.shape(a))


@defvjp(np.broadcast_to)
def broadcast_to(g, ans, array, shape):
    return _ad.unbroadcast(g, array)


@defvjp(np.swapaxes)
def swapaxes(g, ans, a, axis1, axis2):
    return np.swapaxes(g, axis1, axis2)


if hasattr(np, "matrix_transpose"):  # (NumPy >= 2.0: x.mT)
    @defvjp(np.matrix_transpose)
    def matrix_transpose(g, ans, x):
        return np.matrix_transpose(g)


@defvjp(np.moveaxis)
def moveaxis(g, ans, a, source, destination):
    return np.moveaxis(g, destination, source)


@defvjp(np.flip)
def flip(g, ans, m, axis=None):
    return np.flip(g, axis)


@defvjp(np.tile)
def tile(g, ans, A, reps):
    return _ad.untile(g, A, reps)


@defvjp(np.repeat)
def repeat(g, ans, a, repeats, axis=None):
    return _ad.unrepeat(g, a, repeats, axis)


@defvjp(np.concatenate, sequence="arrays")
def concatenate(g, ans, arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    return _ad.unconcatenate(g, arrays, axis)


@defvjp(np.stack, sequence="arrays")
def stack(g, ans, arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    return _ad.unstack(g, arrays, axis)


@defvjp(np.hstack, sequence="tup")
def hstack(g, ans, tup, *, dtype=None, casting="same_kind"):
    return _ad.unhstack(g, tup)


@defvjp(np.vstack, sequence="tup")
def vstack(g, ans, tup, *, dtype=None, casting="same_kind"):
    """(``dtype`` and ``casting``, NumPy 2's, are how ``np.row_stack`` calls it.)"""
    return _ad.unvstack(g, tup)


@defvjp(operator.getitem)
def getitem(g, ans, x, index):
    return _ad.unindex(g, x, index)


@defvjp(_ad.setitem, broadcasting=("v",))
def setitem(g, ans, x, index, v):
    return _ad.zero_at(g, index), None, _ad.written(g, index)


# ----- Elementwise functions, continued -----


@defvjp(np.deg2rad, np.radians, math.radians)
def deg2rad(g, ans, x):
    return g * (math.pi / 180)


@defvjp(np.rad2deg, np.degrees, math.degrees)
def rad2deg(g, ans, x):
    return g * (180 / math.pi)


@defvjp(np.sinc)
def sinc(g, ans, x):
    """``(cos(pi x) - sinc(x)) / x``, and 0 at ``x = 0`` (the limit)."""
    return g * _ad.sinc_grad(x)


@defvjp(np.real, np.conj, np.conjugate, np.real_if_close)
def real(g, ans, x):
    """Real inputs only: on them these functions are the identity (complex values
    are not differentiated, and are refused)."""
    return _ad.real_input(g, x)


@defvjp(np.imag, np.angle)
def imag(g, ans, x):
    """On real inputs ``imag`` is 0 and ``angle`` is 0 or pi: constant, gradient 0."""
    return _ad.real_input(g, x) * 0


@defvjp(np.nan_to_num)
def nan_to_num(g, ans, x, copy=True, nan=0.0, posinf=None, neginf=None):
    """``g`` where ``x`` is finite; 0 where a constant replaced a nan or an infinity."""
    return _ad.unnan_to_num(g, x)


@defvjp(math.erf)
def erf(g, ans, x):
    return g * (2 / math.sqrt(math.pi)) * math.exp(-x * x)


@defvjp(math.erfc)
def erfc(g, ans, x):
    return -g * (2 / math.sqrt(math.pi)) * math.exp(-x * x)


@defvjp(math.lgamma)
def lgamma(g, ans, x):
    """``digamma(x)``, computed by `runtime.digamma` (SciPy is optional)."""
    return g * _ad.digamma(x)


@defvjp(math.gamma)
def gamma(g, ans, x):
    return g * ans * _ad.digamma(x)


@defvjp(np.fmod, math.fmod, broadcasting=True)
def fmod(g, ans, x, y):
    return g, -g * np.trunc(x / y)


@defvjp(np.copysign, math.copysign, broadcasting=True)
def copysign(g, ans, x, y):
    """``|x|`` with the sign of ``y``: ``g * sign(x) * sign(ans)`` for ``x`` (0 at
    ``x = 0``, as for ``abs``); no gradient for ``y`` (a sign)."""
    return g * np.sign(x) * np.sign(ans), g * 0


@defvjp(math.ldexp, n_inputs=1)
def ldexp(g, ans, x, i):
    """``x * 2 ** i``; the exponent ``i`` is an integer."""
    return g * 2.0 ** i


@defvjp(math.remainder)
def math_remainder(g, ans, x, y):
    """``x - n * y`` with ``n`` the integer nearest ``x / y``: ``n = (x - ans) / y``."""
    return g, -g * ((x - ans) / y)


@defvjp(math.log, n_inputs=1)
def math_log(g, ans, x, base=None):
    """``math.log(x)`` and ``math.log(x, base)`` (``log(x) / log(base)``); the base is
    a constant (a differentiated base is refused at its call)."""
    return g / (x * _ad.log_of_base(base))


# ----- Products, sums and differences, continued -----


@defvjp(np.tensordot)
def tensordot(g, ans, a, b, axes=2):
    return _ad.tensordot_lhs(g, a, b, axes), _ad.tensordot_rhs(g, a, b, axes)


@defvjp(np.convolve)
def convolve(g, ans, a, v, mode="full"):
    return _ad.unconvolve(g, a, v, mode, 0), _ad.unconvolve(g, a, v, mode, 1)


@defvjp(np.kron)
def kron(g, ans, a, b):
    return _ad.unkron(g, a, b, 0), _ad.unkron(g, a, b, 1)


@defvjp(np.cumprod)
def cumprod(g, ans, a, axis=None, dtype=None):
    return _ad.uncumprod(g, ans, a, axis)


@defvjp(np.diff)
def diff(g, ans, a, n=1, axis=-1, prepend=None, append=None):
    """The transposed difference; ``prepend`` and ``append`` are constants."""
    return _ad.undiff(g, a, n, axis, prepend, append)


@defvjp(np.full)
def full(g, ans, shape, fill_value, dtype=None):
    """As `full_like`: ``shape`` is a constant."""
    return None, _ad.unbroadcast(_ad.through_cast(g, _ad.dtype_of(ans)), fill_value)


@defvjp(np.full_like)
def full_like(g, ans, a, fill_value, dtype=None, order="K", subok=True, shape=None):
    """``a`` gives the shape alone; ``fill_value`` is broadcast to it (and cast to the
    result's dtype: an integer one truncates, a derivative of zero)."""
    return _ad.zeros_like(a), _ad.unbroadcast(_ad.through_cast(g, _ad.dtype_of(ans)),
                                               fill_value)


@defvjp(np.gradient)
def gradient(g, ans, f, *varargs, axis=None, edge_order=1):
    """Exact for every spacing (numbers or coordinates, which are constants)."""
    return _ad.ungradient(g, ans, f, varargs, axis, edge_order)


# ----- Shapes, joining and splitting, continued -----


@defvjp(np.atleast_1d, np.atleast_2d, np.atleast_3d)
def atleast_nd(g, ans, *arys):
    return _ad.unatleast(g, ans, arys)


@defvjp(np.diag)
def diag(g, ans, v, k=0):
    return _ad.ungather(g, v, np.diag, k)


@defvjp(np.diagonal)
def diagonal(g, ans, a, offset=0, axis1=0, axis2=1):
    return _ad.ungather(g, a, np.diagonal, offset, axis1, axis2)


@defvjp(np.tril)
def tril(g, ans, m, k=0):
    # (of a 1-D m, NumPy's tril is of m broadcast to a square: summed back)
    return _ad.unbroadcast(np.tril(g, k), m)


@defvjp(np.triu)
def triu(g, ans, m, k=0):
    return _ad.unbroadcast(np.triu(g, k), m)


@defvjp(np.roll)
def roll(g, ans, a, shift, axis=None):
    return _ad.unroll(g, shift, axis)


@defvjp(np.rollaxis)
def rollaxis(g, ans, a, axis, start=0):
    return _ad.unrollaxis(g, a, axis, start)


@defvjp(np.flipud)
def flipud(g, ans, m):
    return np.flipud(g)


@defvjp(np.fliplr)
def fliplr(g, ans, m):
    return np.fliplr(g)


@defvjp(np.rot90)
def rot90(g, ans, m, k=1, axes=(0, 1)):
    return _ad.unrot90(g, k, axes)


@defvjp(np.pad)
def pad(g, ans, array, pad_width, mode="constant", *, constant_values=0, reflect_type="even"):
    """``'constant'``, ``'empty'``, ``'edge'``, ``'reflect'``, ``'symmetric'``, ``'wrap'``
    (``reflect_type='even'``); the padding values (``constant_values``) are constants."""
    return _ad.unpad(g, array, pad_width, mode, reflect_type)


@defvjp(np.append)
def append(g, ans, arr, values, axis=None):
    return _ad.unappend(g, arr, values, axis, 0), _ad.unappend(g, arr, values, axis, 1)


@defvjp(np.select, sequence="choicelist")
def select(g, ans, condlist, choicelist, default=0):
    return (None, _ad.unselect(g, condlist, choicelist),
            _ad.unselect_default(g, condlist, default))


@defvjp(np.column_stack, sequence="tup")
def column_stack(g, ans, tup):
    return _ad.unstack_columns(g, tup)


@defvjp(np.dstack, sequence="tup")
def dstack(g, ans, tup):
    return _ad.undstack(g, tup)


@defvjp(_ad.index_joined, sequence="parts")
def index_joined(g, ans, parts, joiner):
    """``np.r_[...]`` and ``np.c_[...]``, which the transformer writes as this call."""
    return _ad.unindex_joined(g, parts, joiner)


@defvjp(np.split, np.array_split)
def split(g, ans, ary, indices_or_sections, axis=0):
    return _ad.unsplit(g, ans, ary, axis)


@defvjp(np.hsplit)
def hsplit(g, ans, ary, indices_or_sections):
    return _ad.unsplit(g, ans, ary, _ad.split_axis("hsplit", ary))


@defvjp(np.vsplit)
def vsplit(g, ans, ary, indices_or_sections):
    return _ad.unsplit(g, ans, ary, 0)


@defvjp(np.dsplit)
def dsplit(g, ans, ary, indices_or_sections):
    return _ad.unsplit(g, ans, ary, 2)


@defvjp(np.take)
def take(g, ans, a, indices, axis=None, mode="raise"):
    return _ad.untake(g, a, indices, axis, mode)


@defvjp(np.take_along_axis)
def take_along_axis(g, ans, arr, indices, axis=-1):
    """``g`` summed into the entries taken (``logp[..., y]`` of integer labels)."""
    return _ad.ungather(g, arr, np.take_along_axis, indices, axis)


@defvjp(np.bincount, n_inputs=2)
def bincount(g, ans, x, weights=None, minlength=0):
    """Each weight's gradient is its bin's; the bins ``x`` (integers) have none."""
    return None, np.asarray(g)[np.asarray(x)]


@defvjp(np.compress, n_inputs=2)
def compress(g, ans, condition, a, axis=None):
    return None, _ad.uncompress(g, condition, a, axis)


@defvjp(np.linspace, broadcasting=True)
def linspace(g, ans, start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    return _ad.unlinspace(g, start, stop, num, endpoint, axis, 0), \
        _ad.unlinspace(g, start, stop, num, endpoint, axis, 1)


# ----- Sorting and selection -----


@defvjp(np.sort)
def sort(g, ans, a, axis=-1, kind=None, order=None, *, stable=None):
    """Each sorted entry's gradient goes back to the entry it came from; equal entries
    in the order of a stable sort."""
    return _ad.unsort(g, a, axis)


@defvjp(np.partition)
def partition(g, ans, a, kth, axis=-1, kind="introselect", order=None):
    return _ad.unpartition(g, a, kth, axis)


# ----- Linear algebra, continued -----


@defvjp(np.linalg.cholesky)
def cholesky(g, ans, a, *, upper=False):
    """``cholesky`` reads one triangle of ``a``: the gradient is folded onto it (see
    `runtime.decompositions`)."""
    return _ad.uncholesky(g, ans, upper)


@defvjp(np.linalg.slogdet)
def slogdet(g, ans, a):
    return _ad.unslogdet(g, ans, a)


@defvjp(np.linalg.eigh)
def eigh(g, ans, a, UPLO="L"):
    """Eigenvalues and eigenvectors; the gradient is folded onto the triangle read."""
    return _ad.uneigh(g, ans, UPLO)


@defvjp(np.linalg.eigvalsh)
def eigvalsh(g, ans, a, UPLO="L"):
    return _ad.uneigvalsh(g, a, UPLO)


@defvjp(np.linalg.eig)
def eig(g, ans, a):
    """Real matrices with real eigenvalues; complex eigenvalues raise an error."""
    return _ad.uneig(g, ans)


@defvjp(np.linalg.svd)
def svd(g, ans, a, full_matrices=True, compute_uv=True, hermitian=False):
    return _ad.unsvd(g, ans, a, full_matrices, compute_uv)


@defvjp(np.linalg.pinv)
def pinv(g, ans, a, rcond=None, hermitian=False, *, rtol=None):
    """For matrices whose rank does not change near ``a``."""
    return _ad.unpinv(g, ans, a)


@defvjp(np.linalg.qr)
def qr(g, ans, a, mode="reduced"):
    return _ad.unqr(g, ans, a, mode)


@defvjp(np.linalg.lstsq)
def lstsq(g, ans, a, b, rcond=None):
    """Through the solution and the residuals, for ``a`` of full rank."""
    return _ad.unlstsq(g, ans, a, b, 0), _ad.unlstsq(g, ans, a, b, 1)


@defvjp(np.linalg.matrix_power)
def matrix_power(g, ans, a, n):
    return _ad.unmatrix_power(g, a, n)


# ----- The Tensor engine's variants: MyGrad's conventions at ties -----


@defvjp(np.max, np.amax, np.min, np.amin, engine="tensor")
def extreme_first(g, ans, a, axis=None, *, keepdims=False):
    """MyGrad's ``max``/``min``: the whole gradient to the first extreme entry."""
    return _ad.unextreme_first(g, ans, a, axis, keepdims)


@defvjp(np.maximum, broadcasting=True, engine="tensor")
def maximum_strict(g, ans, x, y):
    """MyGrad's ``maximum``: where the operands tie, neither gets a gradient."""
    return np.where(np.greater(x, y), g, 0.0), np.where(np.less(x, y), g, 0.0)


@defvjp(np.minimum, broadcasting=True, engine="tensor")
def minimum_strict(g, ans, x, y):
    """MyGrad's ``minimum``: where the operands tie, neither gets a gradient."""
    return np.where(np.less(x, y), g, 0.0), np.where(np.greater(x, y), g, 0.0)


# ----- No gradient -----

nondifferentiable(math.isclose)  # (a bool: a branch's test)
nondifferentiable(
    np.floor, np.ceil, np.round, np.around, np.rint, np.trunc, np.fix, np.sign,
    np.floor_divide, np.argmax, np.argmin, np.argsort, np.argpartition, np.lexsort,
    np.nonzero, np.flatnonzero,
    np.count_nonzero, np.shape, np.ndim, np.size, np.isnan, np.isinf, np.isfinite,
    np.greater, np.greater_equal, np.less, np.less_equal, np.equal, np.not_equal,
    np.logical_and, np.logical_or, np.logical_not, np.logical_xor, np.any, np.all,
    np.allclose, np.isclose, np.array_equal, np.zeros_like, np.ones_like,
    np.empty_like, np.searchsorted, np.digitize, np.result_type,
    # integer positions read off an array's shape (K[np.diag_indices_from(K)] += s)
    np.diag_indices_from, np.tril_indices_from, np.triu_indices_from, np.argwhere,
    np.unravel_index, np.ravel_multi_index, np.signbit, np.isreal, np.iscomplex,
    np.isscalar, np.isrealobj, np.iscomplexobj, np.isneginf, np.isposinf,
    math.floor, math.ceil, math.trunc, math.isnan, math.isinf, math.isfinite,
    builtins.len, builtins.round, builtins.int, builtins.bool, builtins.isinstance,
    builtins.range, builtins.print, builtins.type, builtins.any, builtins.all,
    builtins.callable, builtins.hasattr,
    # text made of a value (a log line), as an f-string is
    builtins.str, builtins.repr, builtins.format, builtins.ascii,
)

# The method forms of ndarray (x.sum(axis=1)) resolve to these primitives.
METHODS = {
    "sum": np.sum, "mean": np.mean, "prod": np.prod, "max": np.max, "min": np.min,
    "var": np.var, "std": np.std, "cumsum": np.cumsum, "cumprod": np.cumprod, "dot": np.dot,
    "transpose": np.transpose, "reshape": np.reshape, "ravel": np.ravel,
    "flatten": np.ravel, "squeeze": np.squeeze, "swapaxes": np.swapaxes,
    "clip": np.clip, "copy": np.copy, "trace": np.trace, "repeat": np.repeat,
    "round": np.round, "argmax": np.argmax, "argmin": np.argmin,
    "argsort": np.argsort, "argpartition": np.argpartition, "any": np.any, "all": np.all,
    "nonzero": np.nonzero,
    "diagonal": np.diagonal, "take": np.take, "conj": np.conj, "conjugate": np.conjugate,
    "item": builtins.float,  # x.item() of a float array: its one value, a Python float
}
#: Methods that take a shape or axes as separate arguments: ``x.reshape(2, 3)``.
VARARG_METHODS = {"reshape", "transpose"}

# Results that are lists or tuples of arrays; their rules read the adjoint through
# _ad.items, which also sums an adjoint that + concatenated item by item.
# (np.gradient of several axes and np.atleast_1d of several arrays give lists.)
registry.SEQUENCE_RESULTS.update([
    np.split, np.array_split, np.hsplit, np.vsplit, np.dsplit, np.linalg.eigh,
    np.linalg.eig, np.linalg.svd, np.linalg.qr, np.linalg.slogdet, np.linalg.lstsq,
    np.gradient, np.atleast_1d, np.atleast_2d, np.atleast_3d])

alias(np.true_divide, np.divide)
if hasattr(np, "row_stack"):  # deprecated in NumPy 2.0: vstack under another name
    alias(np.row_stack, np.vstack)
for _operator, _function in [(operator.add, np.add), (operator.sub, np.subtract),
                             (operator.mul, np.multiply), (operator.truediv, np.divide),
                             (operator.mod, np.remainder), (operator.pow, np.power),
                             (operator.matmul, np.matmul), (operator.abs, np.absolute)]:
    alias(_operator, _function)  # operator.mul(a, b) is a * b
alias(np.float64, builtins.float)  # np.float64(x): float(x), an np.float64


@defvjp(builtins.max)
def builtin_max(g, ans, a, b):
    """``max(a, b)`` of two values is one of them, whose shape the result has (a number
    beside a 1-element array): ``g`` goes to it, half to each at a tie, as for
    `maximum` (``max(xs)`` is refused by its arity)."""
    return _ad.kept_share(g, a, b, a, True), _ad.kept_share(g, b, a, b, True, False)


@defvjp(builtins.min)
def builtin_min(g, ans, a, b):
    return _ad.kept_share(g, a, b, a, False), _ad.kept_share(g, b, a, b, False, False)


@defvjp(np.add.reduceat, n_inputs=1)
def add_reduceat(g, ans, array, indices, axis=0, dtype=None, out=None):
    """(``indices`` are positions: data, without gradient.)"""
    return _ad.unreduceat(g, array, indices, axis)


@defvjp(_ad.unreduceat, n_inputs=1)
def unreduceat(g, ans, grad, array, indices, axis=0):
    return np.add.reduceat(g, indices, axis)
