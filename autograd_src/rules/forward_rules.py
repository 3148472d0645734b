"""The forward-mode rule table: the tangent of every primitive that has an adjoint rule.

Each rule sits under the same primitive as its adjoint in `numpy_rules` and takes
the same parameters: ``g`` is the tangent of one input, and the rule returns, per
input, the tangent of the result that it contributes (the forward stage adds the
contributions of the inputs that carry tangents). Reductions along axes are the
input tangent times the partial derivatives, summed along the same axes; the
partial derivatives are their adjoint helpers applied to ones, so the two modes
agree where the derivative is a choice (ties of ``max``, ``abs`` at zero).
"""

from __future__ import annotations

import builtins
import copy as _copy
import math
import operator

import numpy as np

from . import registry
from . import runtime as _ad
from .jvp import defjvp
from .registry import defvjp, nondifferentiable
from .runtime import forward as _fwd

# ----- Arithmetic (operators map to these) -----


@defjvp(np.add, operator.add, broadcasting=True)
def add(g, ans, x, y):
    return g, g


@defjvp(np.subtract, operator.sub, broadcasting=True)
def subtract(g, ans, x, y):
    return g, -g


@defjvp(np.multiply, operator.mul, broadcasting=True)
def multiply(g, ans, x, y):
    return g * y, x * g


@defjvp(np.divide, np.true_divide, operator.truediv, broadcasting=True)
def divide(g, ans, x, y):
    return g / y, -g * ans / y


@defjvp(np.power, builtins.pow, math.pow, operator.pow, broadcasting=True)
def power(g, ans, x, y):
    return _ad.times_power(g * y, x, _ad.power_exponent(y)), g * ans * _ad.log_or_zero(x)


@defjvp(np.negative, operator.neg)
def negative(g, ans, x):
    return -g


@defjvp(np.positive, operator.pos)
def positive(g, ans, x):
    return g


@defjvp(np.remainder, operator.mod, broadcasting=True)
def remainder(g, ans, x, y):
    return g, -g * np.floor_divide(x, y)


@defjvp(np.matmul, operator.matmul)
def matmul(g, ans, x, y):
    return g @ y, x @ g


# ----- Elementwise functions -----


@defjvp(np.sin, math.sin)
def sin(g, ans, x):
    return g * np.cos(x)


@defjvp(np.cos, math.cos)
def cos(g, ans, x):
    return g * -np.sin(x)  # (g may be a list's tangent: np.cos(ll) of a list)


@defjvp(np.tan, math.tan)
def tan(g, ans, x):
    return g * (1 + ans ** 2)


@defjvp(np.arcsin, math.asin)
def arcsin(g, ans, x):
    """As the adjoint rule: exact near ``x = ±1`` (``1 - x ** 2`` loses digits)."""
    return _ad.divide_or_zero(g, np.sqrt((1 - x) * (1 + x)))


@defjvp(np.arccos, math.acos)
def arccos(g, ans, x):
    return _ad.divide_or_zero(-g, np.sqrt((1 - x) * (1 + x)))


@defjvp(np.arctan, math.atan)
def arctan(g, ans, x):
    return g / (1 + x ** 2)


@defjvp(np.sinh, math.sinh)
def sinh(g, ans, x):
    return g * np.cosh(x)


@defjvp(np.cosh, math.cosh)
def cosh(g, ans, x):
    return g * np.sinh(x)


@defjvp(np.tanh, math.tanh)
def tanh(g, ans, x):
    return g * (1 - ans ** 2)


@defjvp(np.arcsinh, math.asinh)
def arcsinh(g, ans, x):
    return g / np.sqrt(x ** 2 + 1)


@defjvp(np.arccosh, math.acosh)
def arccosh(g, ans, x):
    return _ad.divide_or_zero(g, np.sqrt((x - 1) * (x + 1)))


@defjvp(np.arctanh, math.atanh)
def arctanh(g, ans, x):
    """As the adjoint rule (a zero tangent stays zero at x = ±1, as arcsin's)."""
    return _ad.divide_or_zero(g, (1 - x) * (1 + x))


@defjvp(np.exp, math.exp)
def exp(g, ans, x):
    return g * ans


@defjvp(np.exp2)
def exp2(g, ans, x):
    return g * ans * math.log(2)


@defjvp(np.expm1, math.expm1)
def expm1(g, ans, x):
    return g * (ans + 1)


@defjvp(np.log)
def log(g, ans, x):
    return g / x


@defjvp(math.log)
def math_log(g, ans, x, base=None):
    """``math.log(x, base)`` is ``log(x) / log(base)`` (a constant base)."""
    return g / (x * _ad.log_of_base(base))


@defjvp(np.log2, math.log2)
def log2(g, ans, x):
    return g / (x * math.log(2))


@defjvp(np.log10, math.log10)
def log10(g, ans, x):
    return g / (x * math.log(10))


@defjvp(np.log1p, math.log1p)
def log1p(g, ans, x):
    return g / (1 + x)


@defjvp(np.sqrt, math.sqrt)
def sqrt(g, ans, x):
    return _ad.divide_or_zero(g, 2 * ans)


@defjvp(np.cbrt)
def cbrt(g, ans, x):
    return _ad.divide_or_zero(g, 3 * ans ** 2)


@defjvp(np.square)
def square(g, ans, x):
    return g * 2 * x


@defjvp(np.reciprocal)
def reciprocal(g, ans, x):
    return g * -(ans ** 2)


@defjvp(np.absolute, np.fabs, builtins.abs, math.fabs, operator.abs)
def absolute(g, ans, x):
    return g * np.sign(x)


@defjvp(np.maximum, broadcasting=True)
def maximum(g, ans, x, y):
    """Ties share the tangents evenly, as the adjoint shares ``g`` (the two modes give
    one derivative: ⟨u, J v⟩ = ⟨Jᵀ u, v⟩ at a tie too)."""
    return _ad.larger_share(g, x, y), _ad.larger_share(g, y, x)


@defjvp(np.minimum, broadcasting=True)
def minimum(g, ans, x, y):
    return _ad.larger_share(g, y, x), _ad.larger_share(g, x, y)


@defjvp(builtins.max)
def builtin_max(g, ans, a, b):
    """The tangent of the value ``max(a, b)`` returns (half of each at a tie)."""
    return _ad.kept_share(g, a, b, ans, True), _ad.kept_share(g, b, a, ans, True, False)


@defjvp(builtins.min)
def builtin_min(g, ans, a, b):
    return _ad.kept_share(g, a, b, ans, False), _ad.kept_share(g, b, a, ans, False, False)


@defjvp(np.fmax, broadcasting=True)
def fmax(g, ans, x, y):
    return np.where((x >= y) | np.isnan(y), g, 0.0), np.where((x >= y) | np.isnan(y), 0.0, g)


@defjvp(np.fmin, broadcasting=True)
def fmin(g, ans, x, y):
    return np.where((x <= y) | np.isnan(y), g, 0.0), np.where((x <= y) | np.isnan(y), 0.0, g)


@defjvp(np.hypot, math.hypot, broadcasting=True)
def hypot(g, ans, x, y):
    return _ad.divide_or_zero(g * x, ans), _ad.divide_or_zero(g * y, ans)


@defjvp(np.arctan2, math.atan2, broadcasting=True)
def arctan2(g, ans, y, x):
    return _ad.divide_or_zero(g * x, x ** 2 + y ** 2), _ad.divide_or_zero(-(g * y), x ** 2 + y ** 2)


@defjvp(np.logaddexp, broadcasting=True)
def logaddexp(g, ans, x, y):
    return g * _ad.share_of_sum(x, y), g * _ad.share_of_sum(y, x)


@defjvp(np.logaddexp2, broadcasting=True)
def logaddexp2(g, ans, x, y):
    return g * _ad.share_of_sum(x, y, 2.0), g * _ad.share_of_sum(y, x, 2.0)


@defjvp(np.heaviside, broadcasting=True)
def heaviside(g, ans, x1, x2):
    return _ad.zeros_like(x1), g * (x1 == 0)


@defjvp(np.where, broadcasting=True)
def where(g, ans, condition, x, y):
    return None, np.where(condition, g, 0), np.where(condition, 0, g)


@defjvp(np.clip, broadcasting=True)
def clip(g, ans, a, a_min=None, a_max=None):
    # (selected, not multiplied by the mask: an infinite g gives a bound not taken 0)
    return np.where(_ad.clip_mask(a, a_min, a_max), g, 0.0), np.where(a < a_min, g, 0.0), \
        np.where(a > a_max, g, 0.0)


@defjvp(builtins.float, np.float64)
def to_float(g, ans, x):
    return float(g)


@defjvp(np.float32, np.float16)
def to_narrower_float(g, ans, x):
    """The identity: the tangent keeps its own precision (a Hessian of a float64
    argument stays float64, as its gradient does)."""
    return g


@defjvp(np.copy, np.ascontiguousarray)
def copy(g, ans, a):
    return np.copy(g)


@defjvp(np.array, np.asarray)
def array(g, ans, a, dtype=None, *, copy=None):
    return np.array(_ad.through_cast(g, dtype))


@defjvp(_ad.pack)
def pack(g, ans, *items):
    return _ad.pack(*g)


@defjvp(_ad.pack_dict)
def pack_dict(g, ans, keys, *values):
    return None, _ad.pack_dict(keys, *g)


@defjvp(_ad.appended, _ad.grown, all_inputs=True)
def appended(g, ans, items, value):
    return _ad.appended(g[0], g[1])


@defjvp(_ad.inserted, all_inputs=True)
def inserted(g, ans, items, index, value):
    return _ad.inserted(g[0], index, g[2])


# The adjoint helpers of `inserted` are linear in the list of adjoints they are given.
@defvjp(_ad.without_inserted)
def without_inserted_vjp(g, ans, adjoints, index):
    return _ad.inserted(g, index, _ad.zeros_like(_ad.inserted_item(adjoints, index))), None


@defjvp(_ad.without_inserted)
def without_inserted(g, ans, adjoints, index):
    return _ad.without_inserted(g, index), None


@defvjp(_ad.inserted_item)
def inserted_item_vjp(g, ans, adjoints, index):
    return _ad.inserted(_ad.zeros_like(_ad.without_inserted(adjoints, index)), index, g), None


@defjvp(_ad.inserted_item)
def inserted_item(g, ans, adjoints, index):
    return _ad.inserted_item(g, index), None


@defjvp(_ad.all_but_last)
def all_but_last(g, ans, items):
    return g[:-1]


@defjvp(_ad.extended, all_inputs=True)
def extended(g, ans, items, more):
    return _ad.extended(g[0], g[1])


@defjvp(_copy.copy, _copy.deepcopy)
def copied(g, ans, x):
    return _copy.deepcopy(g)


@defjvp(builtins.list)
def to_list(g, ans, a):
    return list(g)


@defjvp(_ad.rebuilt_like)
def rebuilt_like(g, ans, items, like):
    return _ad.rebuilt_like(g, like), None


@defjvp(builtins.tuple)
def to_tuple(g, ans, a):
    return tuple(g)


@defjvp(_ad.joined, all_inputs=True)
def joined(g, ans, a, b):
    return _ad.joined_like(g[0], g[1], ans)


@defjvp(_ad.plus, all_inputs=True)
def plus(g, ans, a, b):
    """(joined as the value is: a tuple's tangent may be a list, t += tuple(v))"""
    return _fwd.broadcast(_ad.joined_like(g[0], g[1], ans), ans)


@defjvp(_ad.times)
def times(g, ans, a, b):
    return _ad.times(g, b), _ad.times(a, g)


@defjvp(builtins.sum, math.fsum)
def builtin_sum(g, ans, items):
    return builtins.sum(g)


@defjvp(_ad.astype)
def astype(g, ans, x, dtype):
    return _ad.through_cast(_ad.astype(g, dtype), dtype)


# ----- Adjoint helpers of containers (gradients read again: hessian, hvp) -----

# A gradient's run-time aliasing check: read again, it runs as it did and gives None.
nondifferentiable(_ad.alone)
nondifferentiable(_ad.apart_from_what_adjoints_read)  # (likewise)
nondifferentiable(_ad.apart_from_what_a_method_writes)  # (likewise)
nondifferentiable(_ad.logged_apart)  # (likewise)
nondifferentiable(_ad.floating)  # (a store's dtype check, likewise)
nondifferentiable(_ad.not_an_array)  # (an argument given to a writing helper, likewise)
nondifferentiable(_ad.without_gradient)  # (an output without gradient: checked, likewise)
nondifferentiable(_ad.item_alone)  # (an item of a list given twice, likewise)
nondifferentiable(_ad.a_dict)  # (d.update(n=v) of a dict, likewise)
nondifferentiable(_ad.unpacking)  # (a, b = v: Python's check of v's length, likewise)
nondifferentiable(_ad.integer_index)  # (an index of integers: a constant, likewise)
# The caller's list or dict made to hold what its copy holds: runs as it did.
nondifferentiable(_ad.written_back)
nondifferentiable(_ad.written_back_all)
nondifferentiable(_ad.updated_in_place)  # (a test of a value's kind, likewise)
nondifferentiable(_ad.extended_in_place)
nondifferentiable(_ad.refused)  # (raises where reached)

# Each is linear in the adjoint it is given and reads its other arguments for their
# structure: its tangent applies it to the tangent, its adjoint is its transpose.


@defvjp(_ad.unordered, n_inputs=1)
def unordered_vjp(g, ans, grad, items, order):
    return _ad.in_order(g, order)


@defjvp(_ad.unordered)
def unordered(g, ans, grad, items, order):
    return _ad.unordered(g, items, order)


@defvjp(_ad.unlinspace, n_inputs=1)
def unlinspace_vjp(g, ans, grad, start, stop, num=50, endpoint=True, axis=0, which=0):
    return _ad.linspace_spread(g, num, endpoint, axis, which)


@defjvp(_ad.unlinspace)
def unlinspace(g, ans, grad, start, stop, num=50, endpoint=True, axis=0, which=0):
    return _ad.unlinspace(g, start, stop, num, endpoint, axis, which)


@defvjp(_ad.unextreme_item, n_inputs=1)
def unextreme_item_vjp(g, ans, grad, items, key, largest):
    return _ad.picked_item(g, items, key, largest)


@defjvp(_ad.unextreme_item)
def unextreme_item(g, ans, grad, items, key, largest):
    return _ad.unextreme_item(g, items, key, largest)


@defvjp(_ad.picked_item, n_inputs=1)
def picked_item_vjp(g, ans, grad, items, key, largest):
    return _ad.unextreme_item(g, items, key, largest)


@defjvp(_ad.picked_item)
def picked_item(g, ans, grad, items, key, largest):
    return _ad.picked_item(g, items, key, largest)


@defjvp(_ad.unsummed)
def unsummed(g, ans, grad, items, start, which):
    return _ad.unsummed(g, items, start, which)


@defvjp(_ad.unsummed, n_inputs=1)
def unsummed_vjp(g, ans, grad, items, start, which):
    return _fwd.summed_back(g, grad, items, start, which)


@defvjp(_ad.unsum)
def unsum_vjp(g, ans, grad, items):
    return _fwd.spread_items(g, grad, items), _ad.zeros_like(items)


@defjvp(_ad.unsum)
def unsum(g, ans, grad, items):
    return _ad.unsum(g, items), None


@defvjp(_ad.unstack)
def unstack_vjp(g, ans, grad, arrays, axis=0):
    return _fwd.stack_items(g, axis), _ad.zeros_like(arrays)


@defjvp(_ad.unstack)
def unstack(g, ans, grad, arrays, axis=0):
    return _ad.unstack(g, arrays, axis), None


# The adjoints of the joining functions (one piece per item joined): linear in the
# adjoint: second order reads them through their tangents (the same function of the
# tangent) and their adjoints (the join itself, their transpose).


# Adjoints of functions that only move, copy or sum entries: linear in the adjoint,
# reading their other arguments for shapes and orders (constant almost everywhere, as
# a sort's order is). The tangent is the same function of the tangent; the adjoint
# is the function itself (np.tile is the transpose of untile).


@defvjp(_ad.untile)
def untile_vjp(g, ans, grad, x, reps):
    return np.tile(g, reps), _ad.zeros_like(x)


@defjvp(_ad.untile)
def untile(g, ans, grad, x, reps):
    return _ad.untile(g, x, reps), None


@defvjp(_ad.unrepeat)
def unrepeat_vjp(g, ans, grad, x, repeats, axis=None):
    return np.repeat(g, repeats, axis), _ad.zeros_like(x)


@defjvp(_ad.unrepeat)
def unrepeat(g, ans, grad, x, repeats, axis=None):
    return _ad.unrepeat(g, x, repeats, axis), None


@defvjp(_ad.untrace)
def untrace_vjp(g, ans, grad, x, offset=0, axis1=0, axis2=1):
    return np.trace(g, offset, axis1, axis2), _ad.zeros_like(x)


@defjvp(_ad.untrace)
def untrace(g, ans, grad, x, offset=0, axis1=0, axis2=1):
    return _ad.untrace(g, x, offset, axis1, axis2), None


@defvjp(_ad.uncumsum)
def uncumsum_vjp(g, ans, grad, x, axis=None):
    return np.cumsum(g, axis), _ad.zeros_like(x)


@defjvp(_ad.uncumsum)
def uncumsum(g, ans, grad, x, axis=None):
    return _ad.uncumsum(g, x, axis), None


@defvjp(_ad.unroll)
def unroll_vjp(g, ans, grad, shift, axis=None):
    return np.roll(g, shift, axis)


@defjvp(_ad.unroll)
def unroll(g, ans, grad, shift, axis=None):
    return _ad.unroll(g, shift, axis)


@defvjp(_ad.unrot90)
def unrot90_vjp(g, ans, grad, k=1, axes=(0, 1)):
    return np.rot90(g, k, axes)


@defjvp(_ad.unrot90)
def unrot90(g, ans, grad, k=1, axes=(0, 1)):
    return _ad.unrot90(g, k, axes)


@defvjp(_ad.unrollaxis)
def unrollaxis_vjp(g, ans, grad, x, axis, start=0):
    return np.rollaxis(g, axis, start), _ad.zeros_like(x)


@defjvp(_ad.unrollaxis)
def unrollaxis(g, ans, grad, x, axis, start=0):
    return _ad.unrollaxis(g, x, axis, start), None


@defvjp(_ad.untake)
def untake_vjp(g, ans, grad, x, indices, axis=None, mode="raise"):
    return np.take(g, indices, axis, mode=mode), _ad.zeros_like(x)


@defjvp(_ad.untake)
def untake(g, ans, grad, x, indices, axis=None, mode="raise"):
    return _ad.untake(g, x, indices, axis, mode), None


@defvjp(_ad.uncompress)
def uncompress_vjp(g, ans, grad, condition, x, axis=None):
    return np.compress(condition, g, axis), None, _ad.zeros_like(x)


@defjvp(_ad.uncompress)
def uncompress(g, ans, grad, condition, x, axis=None):
    return _ad.uncompress(g, condition, x, axis), None, None


@defvjp(_ad.unsort)
def unsort_vjp(g, ans, grad, x, axis=-1):
    return _fwd.sort(g, x, axis), _ad.zeros_like(x)


@defjvp(_ad.unsort)
def unsort(g, ans, grad, x, axis=-1):
    return _ad.unsort(g, x, axis), None


@defvjp(_ad.unpartition)
def unpartition_vjp(g, ans, grad, x, kth, axis=-1):
    return _fwd.partition(g, x, kth, axis), _ad.zeros_like(x)


@defjvp(_ad.unpartition)
def unpartition(g, ans, grad, x, kth, axis=-1):
    return _ad.unpartition(g, x, kth, axis), None


@defvjp(_ad.unnan_to_num)
def unnan_to_num_vjp(g, ans, grad, x):
    return _ad.unnan_to_num(g, x), _ad.zeros_like(x)


@defjvp(_ad.unnan_to_num)
def unnan_to_num(g, ans, grad, x):
    return _ad.unnan_to_num(g, x), None


@defvjp(_ad.ungradient)
def ungradient_vjp(g, ans, grad, pieces, f, varargs, axis=None, edge_order=1):
    return (np.gradient(g, *varargs, axis=axis, edge_order=edge_order),
            _ad.zeros_like(pieces), _ad.zeros_like(f))


@defjvp(_ad.ungradient)
def ungradient(g, ans, grad, pieces, f, varargs, axis=None, edge_order=1):
    return _ad.ungradient(g, pieces, f, varargs, axis, edge_order), None, None


@defvjp(_ad.undiff)
def undiff_vjp(g, ans, grad, x, n=1, axis=-1, prepend=None, append=None):
    return _fwd.diff(g, n, axis, prepend, append), _ad.zeros_like(x)


@defjvp(_ad.undiff)
def undiff(g, ans, grad, x, n=1, axis=-1, prepend=None, append=None):
    return _ad.undiff(g, x, n, axis, prepend, append), None


@defvjp(_ad.unpad)
def unpad_vjp(g, ans, grad, x, pad_width, mode="constant", reflect_type="even"):
    return _fwd.pad(g, pad_width, mode, reflect_type), _ad.zeros_like(x)


@defjvp(_ad.unpad)
def unpad(g, ans, grad, x, pad_width, mode="constant", reflect_type="even"):
    return _ad.unpad(g, x, pad_width, mode, reflect_type), None


@defvjp(_ad.ungather)
def ungather_vjp(g, ans, grad, x, fn, *args):
    return fn(g, *args), _ad.zeros_like(x)


@defjvp(_ad.ungather)
def ungather(g, ans, grad, x, fn, *args):
    return _ad.ungather(g, x, fn, *args), None


@defvjp(_ad.unappend)
def unappend_vjp(g, ans, grad, arr, values, axis, which):
    return (_fwd.appended_part(g, arr, values, axis, which), _ad.zeros_like(arr),
            _ad.zeros_like(values))


@defjvp(_ad.unappend)
def unappend(g, ans, grad, arr, values, axis, which):
    return _ad.unappend(g, arr, values, axis, which), None, None


@defvjp(_ad.unsplit)
def unsplit_vjp(g, ans, grad, pieces, x, axis):
    return _fwd.split_like(g, pieces, axis), _ad.zeros_like(pieces), _ad.zeros_like(x)


@defjvp(_ad.unsplit)
def unsplit(g, ans, grad, pieces, x, axis):
    return _ad.unsplit(g, pieces, x, axis), None, None


@defvjp(_ad.values_at)
def values_at_vjp(g, ans, grad, keys):
    return _fwd.dict_of(keys, _ad.items(g, ans))


@defjvp(_ad.values_at)
def values_at(g, ans, grad, keys):
    return _ad.values_at(g, keys)


# Factors of adjoints that are constant between kinks (which operand of a maximum is
# larger, whether an exponent is 0): linear in what they scale, or of slope 0 or 1.


@defvjp(_ad.kept_share)
def kept_share_vjp(g, ans, grad, x, other, like, largest, first=True):
    return (_ad.kept_share(g, x, other, grad, largest, first), _ad.zeros_like(x),
            _ad.zeros_like(other), _ad.zeros_like(like))


@defjvp(_ad.kept_share)
def kept_share(g, ans, grad, x, other, like, largest, first=True):
    return _ad.kept_share(g, x, other, ans, largest, first), None, None, None


@defvjp(_ad.larger_share)
def larger_share_vjp(g, ans, grad, x, y):
    return _ad.larger_share(g, x, y), _ad.zeros_like(x), _ad.zeros_like(y)


@defjvp(_ad.larger_share)
def larger_share(g, ans, grad, x, y):
    return _ad.larger_share(g, x, y), None, None


@defvjp(_ad.power_exponent)
def power_exponent_vjp(g, ans, y):
    return g * np.not_equal(y, 0)


@defjvp(_ad.power_exponent)
def power_exponent(g, ans, y):
    return g * np.not_equal(y, 0)


@defvjp(_ad.times_power, broadcasting=True)
def times_power_vjp(g, ans, a, x, e):
    return (_ad.times_power(g, x, e), _ad.times_power(g * a * e, x, _ad.power_exponent(e)),
            g * ans * _ad.log_or_zero(x))


@defjvp(_ad.times_power, broadcasting=True)
def times_power(g, ans, a, x, e):
    return (_ad.times_power(g, x, e), _ad.times_power(g * a * e, x, _ad.power_exponent(e)),
            g * ans * _ad.log_or_zero(x))


@defvjp(_ad.divide_or_zero, broadcasting=True)
def divide_or_zero_vjp(g, ans, x, y):
    return _ad.divide_or_zero(g, y), -_ad.divide_or_zero(g * x, y * y)


@defjvp(_ad.divide_or_zero, broadcasting=True)
def divide_or_zero(g, ans, x, y):
    return _ad.divide_or_zero(g, y), -_ad.divide_or_zero(g * x, y * y)


@defvjp(_ad.normal_density)
def normal_density_vjp(g, ans, x):
    return g * _ad.normal_density_slope(x)


@defjvp(_ad.normal_density)
def normal_density(g, ans, x):
    return g * _ad.normal_density_slope(x)


@defvjp(_ad.normal_density_slope)
def normal_density_slope_vjp(g, ans, x):
    return g * (x ** 2 - 1) * _ad.normal_density(x)


@defjvp(_ad.normal_density_slope)
def normal_density_slope(g, ans, x):
    return g * (x ** 2 - 1) * _ad.normal_density(x)


@defvjp(_ad.unlogsumexp)
def unlogsumexp_vjp(g, ans, grad, value, a, axis=None, b=None, keepdims=False,
                    return_sign=False):
    return (_fwd.sum_reduced(g * _ad.unlogsumexp(np.ones_like(value), value, a, axis, b,
                                                 keepdims), axis, keepdims),
            -grad * _fwd.sum_reduced(g * _ad.unlogsumexp(np.ones_like(value), value, a, axis,
                                                         b, keepdims), axis, keepdims),
            _ad.unlogsumexp(grad, value, a, axis, b, keepdims) * g)


@defjvp(_ad.unlogsumexp)
def unlogsumexp(g, ans, grad, value, a, axis=None, b=None, keepdims=False, return_sign=False):
    return (_ad.unlogsumexp(g, value, a, axis, b, keepdims, return_sign),
            _ad.unlogsumexp(-grad * g, value, a, axis, b, keepdims, return_sign),
            _ad.unlogsumexp(grad, value, a, axis, b, keepdims, return_sign) * g)


# Adjoints of std and norm: nonlinear in the input and in the result, which they read
# (the gradient of std is unvar(g / (2 std)), of a 2-norm g x / norm).


@defvjp(_ad.unstd)
def unstd_vjp(g, ans, grad, value, x, axis=None, ddof=0, keepdims=False):
    return (_fwd.sum_reduced(g * _ad.unstd(np.ones_like(value), value, x, axis, ddof, keepdims),
                             axis, keepdims),
            -grad * _fwd.inverse_or_zero(value) * _fwd.sum_reduced(
                g * _ad.unstd(np.ones_like(value), value, x, axis, ddof, keepdims), axis,
                keepdims),
            _ad.unstd(grad, value, g, axis, ddof, keepdims))


@defjvp(_ad.unstd)
def unstd(g, ans, grad, value, x, axis=None, ddof=0, keepdims=False):
    return (_ad.unstd(g, value, x, axis, ddof, keepdims),
            _ad.unstd(-grad * g * _fwd.inverse_or_zero(value), value, x, axis, ddof, keepdims),
            _ad.unstd(grad, value, g, axis, ddof, keepdims))


@defvjp(_ad.norm_grad)
def norm_grad_vjp(g, ans, grad, value, x, ord=None, axis=None, keepdims=False):
    return (_fwd.sum_reduced(g * _ad.norm_grad(np.ones_like(value), value, x, ord, axis,
                                               keepdims), axis, keepdims),
            _fwd.norm_value_adjoint(g, grad, value, x, ord, axis, keepdims),
            _fwd.norm_x_term(g, grad, value, x, ord, axis, keepdims))


@defjvp(_ad.norm_grad)
def norm_grad(g, ans, grad, value, x, ord=None, axis=None, keepdims=False):
    return (_ad.norm_grad(g, value, x, ord, axis, keepdims),
            _fwd.norm_value_term(g, grad, value, x, ord, axis, keepdims),
            _fwd.norm_x_term(g, grad, value, x, ord, axis, keepdims))


@defvjp(_ad.einsum_grads, sequence="operands")
def einsum_grads_vjp(g, ans, grad, subscripts, operands):
    return (_fwd.einsum_grads_adjoint(_ad.items(g, ans), subscripts, operands), None,
            _fwd.einsum_grads_tangent(grad, subscripts, operands, _ad.items(g, ans)))


@defjvp(_ad.einsum_grads)
def einsum_grads(g, ans, grad, subscripts, operands):
    return (_ad.einsum_grads(g, subscripts, operands), None,
            _fwd.einsum_grads_tangent(grad, subscripts, operands, g))


@defvjp(_ad.unslogdet)
def unslogdet_vjp(g, ans, grad, value, a):
    return (_fwd.unslogdet_adjoint(g, value, a), _ad.zeros_like(value),
            _fwd.unslogdet_a_adjoint(g, grad, value, a))


@defjvp(_ad.unslogdet)
def unslogdet(g, ans, grad, value, a):
    return (_ad.unslogdet(g, value, a), None, _fwd.unslogdet_a_term(g, grad, value, a))


@defvjp(_ad.solve_lhs)
def solve_lhs_vjp(g, ans, grad, a, value):
    return (_fwd.solve_lhs_adjoint(g, a, value), _fwd.solve_lhs_a_adjoint(g, grad, a, value),
            _fwd.solve_lhs_ans_adjoint(g, grad, a))


@defjvp(_ad.solve_lhs)
def solve_lhs(g, ans, grad, a, value):
    return (_ad.solve_lhs(g, a, value), _fwd.solve_lhs_a_term(g, grad, a, value),
            _ad.solve_lhs(grad, a, g))


# Adjoints of products along an axis: linear in the adjoint (whose adjoint is the
# product's own tangent), multilinear in the entries. The gradient of cumprod reads
# its running products ``ans`` only as ``cumprod(x)`` (and not at all along a line
# with a zero), so the whole dependence is taken through ``x``; unprod does not read
# them.


@defvjp(_ad.unprod)
def unprod_vjp(g, ans, grad, value, x, axis=None, keepdims=False):
    return (_fwd.reduce_like(g * _ad.unprod(np.ones_like(value), value, x, axis, keepdims),
                             grad, axis, keepdims),
            _ad.zeros_like(value), _fwd.unprod_x_term(g, grad, x, axis, keepdims))


@defjvp(_ad.unprod)
def unprod(g, ans, grad, value, x, axis=None, keepdims=False):
    return (_ad.unprod(g, value, x, axis, keepdims), None,
            _fwd.unprod_x_term(g, grad, x, axis, keepdims))


@defvjp(_ad.uncumprod)
def uncumprod_vjp(g, ans, grad, value, x, axis=None):
    return (_fwd.cumprod(g, x, axis), _ad.zeros_like(value),
            _fwd.uncumprod_x_term(g, grad, x, axis))


@defjvp(_ad.uncumprod)
def uncumprod(g, ans, grad, value, x, axis=None):
    return (_ad.uncumprod(g, value, x, axis), None, _fwd.uncumprod_x_term(g, grad, x, axis))


# Adjoints of decompositions and matrix functions (cholesky, eigh, svd, matrix_power,
# pinv, lstsq, qr): linear in the adjoint (their adjoint with respect to it is the
# primitive's tangent, at the factors they read), nonlinear in those factors. Where
# one is a Hessian (of <grad, matrix_power(a, n)>, ...) its term is its own adjoint.


@defvjp(_ad.uncholesky)
def uncholesky_vjp(g, ans, grad, L, upper=False):
    return _fwd.cholesky(g, L, upper), _fwd.uncholesky_l_adjoint(g, grad, L, upper)


@defjvp(_ad.uncholesky)
def uncholesky(g, ans, grad, L, upper=False):
    return _ad.uncholesky(g, L, upper), _fwd.uncholesky_l_term(g, grad, L, upper)


@defvjp(_ad.uneigh)
def uneigh_vjp(g, ans, grad, value, UPLO="L"):
    return _fwd.eigh(g, value, UPLO), _fwd.uneigh_value_adjoint(g, grad, value, UPLO)


@defjvp(_ad.uneigh)
def uneigh(g, ans, grad, value, UPLO="L"):
    return _ad.uneigh(g, value, UPLO), _fwd.uneigh_value_term(g, grad, value, UPLO)


@defvjp(_ad.uneigvalsh)
def uneigvalsh_vjp(g, ans, grad, a, UPLO="L"):
    return _fwd.eigvalsh(g, a, UPLO), _fwd.uneigvalsh_a_term(g, grad, a, UPLO)


@defjvp(_ad.uneigvalsh)
def uneigvalsh(g, ans, grad, a, UPLO="L"):
    return _ad.uneigvalsh(g, a, UPLO), _fwd.uneigvalsh_a_term(g, grad, a, UPLO)


@defvjp(_ad.unsvd)
def unsvd_vjp(g, ans, grad, value, a, full_matrices=True, compute_uv=True):
    return (_fwd.unsvd_grad_adjoint(g, value, a, full_matrices, compute_uv),
            _fwd.unsvd_value_adjoint(g, grad, value, a, full_matrices, compute_uv),
            _fwd.unsvd_a_term(g, grad, a, full_matrices, compute_uv))


@defjvp(_ad.unsvd)
def unsvd(g, ans, grad, value, a, full_matrices=True, compute_uv=True):
    return (_ad.unsvd(g, value, a, full_matrices, compute_uv),
            _fwd.unsvd_value_term(g, grad, value, a, full_matrices, compute_uv),
            _fwd.unsvd_a_term(g, grad, a, full_matrices, compute_uv))


@defvjp(_ad.unmatrix_power)
def unmatrix_power_vjp(g, ans, grad, a, n):
    return _fwd.matrix_power(g, a, n), _fwd.unmatrix_power_a_term(g, grad, a, n)


@defjvp(_ad.unmatrix_power)
def unmatrix_power(g, ans, grad, a, n):
    return _ad.unmatrix_power(g, a, n), _fwd.unmatrix_power_a_term(g, grad, a, n)


@defvjp(_ad.unpinv)
def unpinv_vjp(g, ans, grad, X, a):
    return (_fwd.pinv(g, X, a), _fwd.unpinv_x_adjoint(g, grad, X, a),
            _fwd.unpinv_a_adjoint(g, grad, X, a))


@defjvp(_ad.unpinv)
def unpinv(g, ans, grad, X, a):
    return (_ad.unpinv(g, X, a), _fwd.unpinv_x_term(g, grad, X, a),
            _fwd.unpinv_a_term(g, grad, X, a))


@defvjp(_ad.unlstsq)
def unlstsq_vjp(g, ans, grad, value, a, b, which):
    return (_fwd.unlstsq_grad_adjoint(g, value, a, b, which),
            _fwd.unlstsq_value_adjoint(g, grad, value, a, b, which),
            _fwd.unlstsq_a_adjoint(g, grad, value, a, b, which),
            _fwd.unlstsq_b_adjoint(g, grad, value, a, b, which))


@defjvp(_ad.unlstsq)
def unlstsq(g, ans, grad, value, a, b, which):
    return (_ad.unlstsq(g, value, a, b, which),
            _fwd.unlstsq_value_term(g, grad, value, a, b, which),
            _fwd.unlstsq_a_term(g, grad, value, a, b, which),
            _fwd.unlstsq_b_term(g, grad, value, a, b, which))


@defvjp(_ad.unqr)
def unqr_vjp(g, ans, grad, value, a, mode="reduced"):
    return (_fwd.unqr_grad_adjoint(g, value, a, mode),
            _fwd.unqr_value_adjoint(g, grad, value, a, mode),
            _fwd.unqr_a_adjoint(g, grad, value, a, mode))


@defjvp(_ad.unqr)
def unqr(g, ans, grad, value, a, mode="reduced"):
    return (_ad.unqr(g, value, a, mode), _fwd.unqr_value_term(g, grad, value, a, mode),
            _fwd.unqr_a_term(g, grad, value, a, mode))


# The derivative of the gradients of math.lgamma and math.gamma (digamma): trigamma.


@defvjp(_ad.digamma)
def digamma_vjp(g, ans, x):
    return g * _fwd.trigamma(x)


@defjvp(_ad.digamma)
def digamma(g, ans, x):
    return g * _fwd.trigamma(x)


# Adjoints of products of two operands (kron, cross): linear in the adjoint and in the
# other operand; the operand whose gradient they are is read for its shape.


@defvjp(_ad.unconvolve)
def unconvolve_vjp(g, ans, grad, a, v, mode, which):
    return (_fwd.convolve_part(g, a, v, mode, which),
            _fwd.unconvolve_adjoint(g, grad, a, v, mode, which, 0),
            _fwd.unconvolve_adjoint(g, grad, a, v, mode, which, 1))


@defjvp(_ad.unconvolve)
def unconvolve(g, ans, grad, a, v, mode, which):
    return (_ad.unconvolve(g, a, v, mode, which),
            _fwd.unconvolve_term(g, grad, a, v, mode, which, 0),
            _fwd.unconvolve_term(g, grad, a, v, mode, which, 1))


@defjvp(np.convolve)
def convolve(g, ans, a, v, mode="full"):
    return np.convolve(g, v, _ad.convolve_mode(mode)), np.convolve(a, g, _ad.convolve_mode(mode))


@defvjp(_ad.unkron)
def unkron_vjp(g, ans, grad, a, b, which):
    return (_fwd.kron_part(g, a, b, which), _fwd.unkron_adjoint(g, grad, a, b, which, 0),
            _fwd.unkron_adjoint(g, grad, a, b, which, 1))


@defjvp(_ad.unkron)
def unkron(g, ans, grad, a, b, which):
    return (_ad.unkron(g, a, b, which), _fwd.unkron_term(g, grad, a, b, which, 0),
            _fwd.unkron_term(g, grad, a, b, which, 1))


@defvjp(_ad.cross_grad)
def cross_grad_vjp(g, ans, grad, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None, which=0):
    return (_fwd.cross_part(g, a, b, axisa, axisb, axisc, axis, which),
            _fwd.cross_adjoint(g, grad, a, b, axisa, axisb, axisc, axis, which, 0),
            _fwd.cross_adjoint(g, grad, a, b, axisa, axisb, axisc, axis, which, 1))


@defjvp(_ad.cross_grad)
def cross_grad(g, ans, grad, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None, which=0):
    return (_ad.cross_grad(g, a, b, axisa, axisb, axisc, axis, which),
            _fwd.cross_term(g, grad, a, b, axisa, axisb, axisc, axis, which, 0),
            _fwd.cross_term(g, grad, a, b, axisa, axisb, axisc, axis, which, 1))


# The derivative of np.sinc: elementwise, so its Jacobian is diagonal (its own adjoint).


@defvjp(_ad.sinc_grad)
def sinc_grad_vjp(g, ans, x):
    return g * _fwd.sinc_second(x)


@defjvp(_ad.sinc_grad)
def sinc_grad(g, ans, x):
    return g * _fwd.sinc_second(x)


# Adjoints of np.select and np.atleast_*d: linear in the adjoint, reading the conditions
# and the inputs' shapes; their adjoints put the pieces back.


@defvjp(_ad.unselect)
def unselect_vjp(g, ans, grad, condlist, choicelist):
    return (_fwd.select_part(_ad.items(g, ans), grad, condlist), None,
            _ad.zeros_like(choicelist))


@defjvp(_ad.unselect)
def unselect(g, ans, grad, condlist, choicelist):
    return _ad.unselect(g, condlist, choicelist), None, None


@defvjp(_ad.unselect_default)
def unselect_default_vjp(g, ans, grad, condlist, default):
    return _fwd.select_default_part(g, grad, condlist), None, _ad.zeros_like(default)


@defjvp(_ad.unselect_default)
def unselect_default(g, ans, grad, condlist, default):
    return _ad.unselect_default(g, condlist, default), None, None


@defvjp(_ad.unatleast)
def unatleast_vjp(g, ans, grad, value, arys):
    return (_fwd.atleast_part(_ad.items(g, ans), value, arys), _ad.zeros_like(value),
            _ad.zeros_like(arys))


@defjvp(_ad.unatleast)
def unatleast(g, ans, grad, value, arys):
    return _ad.unatleast(g, value, arys), None, None


registry.SEQUENCE_RESULTS.update([_ad.unselect, _ad.unatleast])


@defvjp(_ad.unfield)
def unfield_vjp(g, ans, grad, x, name):
    return _fwd.field_adjoint(g, x, name), _ad.zeros_like(x)


@defjvp(_ad.unfield)
def unfield(g, ans, grad, x, name):
    return _ad.unfield(g, x, name), None


@defvjp(_ad.unmerged)
def unmerged_vjp(g, ans, grad, a, b, which):
    return _fwd.merged_part(g, a, b, which), _ad.zeros_like(a), _ad.zeros_like(b)


@defjvp(_ad.unmerged)
def unmerged(g, ans, grad, a, b, which):
    return _ad.unmerged(g, a, b, which), None, None


# Adjoints of products, linear in the adjoint and in the other operand (the gradient of
# inner(x, y) for x reads y, and x only for its shape).


@defvjp(_ad.inner_lhs)
def inner_lhs_vjp(g, ans, grad, x, y):
    return np.inner(g, y), _ad.zeros_like(x), _ad.inner_rhs(grad, g, y)


@defjvp(_ad.inner_lhs)
def inner_lhs(g, ans, grad, x, y):
    return _ad.inner_lhs(g, x, y), None, _ad.inner_lhs(grad, x, g)


@defvjp(_ad.inner_rhs)
def inner_rhs_vjp(g, ans, grad, x, y):
    return np.inner(x, g), _ad.inner_lhs(grad, x, g), _ad.zeros_like(y)


@defjvp(_ad.inner_rhs)
def inner_rhs(g, ans, grad, x, y):
    return _ad.inner_rhs(g, x, y), _ad.inner_rhs(grad, g, y), None


@defvjp(_ad.tensordot_lhs)
def tensordot_lhs_vjp(g, ans, grad, x, y, axes=2):
    return np.tensordot(g, y, axes), _ad.zeros_like(x), _ad.tensordot_rhs(grad, g, y, axes)


@defjvp(_ad.tensordot_lhs)
def tensordot_lhs(g, ans, grad, x, y, axes=2):
    return _ad.tensordot_lhs(g, x, y, axes), None, _ad.tensordot_lhs(grad, x, g, axes)


@defvjp(_ad.tensordot_rhs)
def tensordot_rhs_vjp(g, ans, grad, x, y, axes=2):
    return np.tensordot(x, g, axes), _ad.tensordot_lhs(grad, x, g, axes), _ad.zeros_like(y)


@defjvp(_ad.tensordot_rhs)
def tensordot_rhs(g, ans, grad, x, y, axes=2):
    return _ad.tensordot_rhs(g, x, y, axes), _ad.tensordot_rhs(grad, g, y, axes), None


# Their results are tuples (or lists) of adjoints: containers to the reverse sweep.
# (Or may be, as for unplus: the adjoint of a list's part of a +, or of an array's.)
registry.SEQUENCE_RESULTS.update([_ad.unconcatenate, _ad.unhstack, _ad.unvstack,
                                  _ad.unstack_columns, _ad.undstack, _ad.unindex_joined,
                                  _ad.values_at, _ad.unsum, _ad.unstack, _ad.unplus,
                                  _ad.untimes, _ad.unlist, _ad.like_input, _ad.einsum_grads,
                                  _ad.unfield,
                                  _ad.unmerged])


@defvjp(_ad.like_input)
def like_input_vjp(g, ans, grad, a):
    return _fwd.gathered_items(g, grad, a), _ad.zeros_like(a)


@defjvp(_ad.like_input)
def like_input(g, ans, grad, a):
    return _ad.like_input(g, a), None


@defvjp(_ad.unlist)
def unlist_vjp(g, ans, grad, a):
    return _ad.as_items(tuple(_ad.items(g, ans)), grad), _ad.zeros_like(a)


@defjvp(_ad.unlist)
def unlist(g, ans, grad, a):
    return _ad.unlist(g, a), None


@defvjp(_ad.unconcatenate)
def unconcatenate_vjp(g, ans, grad, arrays, axis=0):
    return np.concatenate(_ad.items(g, ans), axis), _ad.zeros_like(arrays)


@defjvp(_ad.unconcatenate)
def unconcatenate(g, ans, grad, arrays, axis=0):
    return _ad.unconcatenate(g, arrays, axis), None


@defvjp(_ad.unhstack)
def unhstack_vjp(g, ans, grad, arrays):
    return np.hstack(_ad.items(g, ans)), _ad.zeros_like(arrays)


@defjvp(_ad.unhstack)
def unhstack(g, ans, grad, arrays):
    return _ad.unhstack(g, arrays), None


@defvjp(_ad.unvstack)
def unvstack_vjp(g, ans, grad, arrays):
    return np.vstack(_ad.items(g, ans)), _ad.zeros_like(arrays)


@defjvp(_ad.unvstack)
def unvstack(g, ans, grad, arrays):
    return _ad.unvstack(g, arrays), None


@defvjp(_ad.unstack_columns)
def unstack_columns_vjp(g, ans, grad, tup):
    return np.column_stack(_ad.items(g, ans)), _ad.zeros_like(tup)


@defjvp(_ad.unstack_columns)
def unstack_columns(g, ans, grad, tup):
    return _ad.unstack_columns(g, tup), None


@defvjp(_ad.undstack)
def undstack_vjp(g, ans, grad, tup):
    return np.dstack(_ad.items(g, ans)), _ad.zeros_like(tup)


@defjvp(_ad.undstack)
def undstack(g, ans, grad, tup):
    return _ad.undstack(g, tup), None


@defvjp(_ad.unindex_joined)
def unindex_joined_vjp(g, ans, grad, parts, joiner):
    return _ad.index_joined(_ad.items(g, ans), joiner), _ad.zeros_like(parts)


@defjvp(_ad.unindex_joined)
def unindex_joined(g, ans, grad, parts, joiner):
    return _ad.unindex_joined(g, parts, joiner), None


@defvjp(_ad.untimes)
def untimes_vjp(g, ans, grad, a, b, which):
    return (_fwd.untimes_vjp(g, grad, a, b, which, 0), _fwd.untimes_vjp(g, grad, a, b, which, 1),
            _fwd.untimes_vjp(g, grad, a, b, which, 2))


@defjvp(_ad.untimes, all_inputs=True)
def untimes(g, ans, grad, a, b, which):
    return _fwd.untimes_jvp(g[0], g[1], g[2], grad, a, b, which)


@defvjp(_ad.unplus)
def unplus_vjp(g, ans, grad, a, b, which):
    return _fwd.place_part(g, grad, a, b, which), _ad.zeros_like(a), _ad.zeros_like(b)


@defjvp(_ad.unplus)
def unplus(g, ans, grad, a, b, which):
    return _ad.unplus(g, a, b, which), None, None


# ----- Reductions -----


@defjvp(np.sum)
def reduce_sum(g, ans, a, axis=None, *, keepdims=False, initial=0):
    return np.sum(g, axis=axis, keepdims=keepdims)


@defjvp(np.mean)
def mean(g, ans, a, axis=None, *, keepdims=False):
    return np.mean(g, axis=axis, keepdims=keepdims)


@defjvp(np.median)
def median(g, ans, a, axis=None, out=None, overwrite_input=False, keepdims=False):
    return _ad.median_tangent(g, a, axis, keepdims)


@defjvp(np.interp)
def interp(g, ans, x, xp, fp, left=None, right=None, period=None):
    return (g * _ad.interp_slope(x, xp, fp, period),
            _ad.interp_knots_tangent(g, x, xp, fp, period),
            _ad.interp_values_tangent(g, x, xp, left, right, period),
            _ad.interp_end_tangent(g, x, xp, True, period),
            _ad.interp_end_tangent(g, x, xp, False, period))


@defjvp(np.polyval)
def polyval(g, ans, p, x):
    return np.polyval(g, x), g * _ad.polyval_slope(p, x)


@defjvp(*[f for f in (getattr(np, "trapezoid", None), getattr(np, "trapz", None)) if f])
def trapezoid(g, ans, y, x=None, dx=1.0, axis=-1):
    return (_ad.trapezoid(g, x, dx, axis), _ad.trapezoid(y, g, dx, axis),
            g * _ad.trapezoid(y, None, 1.0, axis))


@defjvp(np.prod)
def prod(g, ans, a, axis=None, *, keepdims=False):
    return _fwd.sum_reduced(g * _ad.unprod(np.ones_like(ans), ans, a, axis, keepdims),
                            axis, keepdims)


@defjvp(np.max, np.amax, np.min, np.amin)
def extreme(g, ans, a, axis=None, *, keepdims=False, initial=None):
    return _fwd.sum_reduced(g * _ad.unextreme(np.ones_like(ans), ans, a, axis, keepdims),
                            axis, keepdims)


@defjvp(np.var)
def var(g, ans, a, axis=None, *, ddof=0, keepdims=False, correction=None):
    return _fwd.sum_reduced(g * _ad.unvar(np.ones_like(ans), a, axis,
                                          _ad.degrees(ddof, correction), keepdims),
                            axis, keepdims)


@defjvp(np.std)
def std(g, ans, a, axis=None, *, ddof=0, keepdims=False, correction=None):
    return _fwd.sum_reduced(g * _ad.unstd(np.ones_like(ans), ans, a, axis,
                                          _ad.degrees(ddof, correction), keepdims),
                            axis, keepdims)


@defjvp(np.cumsum)
def cumsum(g, ans, a, axis=None):
    return np.cumsum(g, axis)


@defjvp(np.cumprod)
def cumprod(g, ans, a, axis=None, dtype=None):
    return _fwd.cumprod(g, a, axis)


@defjvp(np.cross)
def cross(g, ans, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    return np.cross(g, b, axisa, axisb, axisc, axis), np.cross(a, g, axisa, axisb, axisc, axis)


@defjvp(np.linalg.norm)
def norm(g, ans, x, ord=None, axis=None, keepdims=False):
    return _fwd.sum_reduced(g * _ad.norm_grad(np.ones_like(ans), ans, x, ord, axis, keepdims),
                            axis, keepdims)


# ----- Linear algebra -----


@defjvp(np.dot)
def dot(g, ans, a, b):
    return np.dot(g, b), np.dot(a, g)


@defjvp(_ad.dot_of_data)
def dot_of_data(g, ans, a, b, where=""):
    return np.dot(g, b), np.dot(a, g)


@defjvp(np.vdot)
def vdot(g, ans, a, b):
    return np.vdot(g, b), np.vdot(a, g)


@defjvp(np.inner)
def inner(g, ans, a, b):
    return np.inner(g, b), np.inner(a, g)


@defjvp(np.outer)
def outer(g, ans, a, b):
    return np.outer(g, b), np.outer(a, g)


@defjvp(np.trace)
def trace(g, ans, a, offset=0, axis1=0, axis2=1):
    return np.trace(g, offset, axis1, axis2)


@defjvp(np.linalg.inv)
def inv(g, ans, a):
    g = _fwd.linalg_tangent(g, a)
    return -(ans @ g @ ans)


@defjvp(np.linalg.solve)
def solve(g, ans, a, b):
    # (b one vector for a stack of a, NumPy 2: solved as a column)
    return -np.linalg.solve(a, g @ ans[..., None])[..., 0] if np.ndim(b) == 1 and np.ndim(a) > 2 \
        else -np.linalg.solve(a, g @ ans), np.linalg.solve(a, g)


@defjvp(np.linalg.det)
def det(g, ans, a):
    g = _fwd.linalg_tangent(g, a)
    return ans * np.trace(np.linalg.solve(a, g), axis1=-2, axis2=-1)


@defjvp(np.einsum)
def einsum(g, ans, subscripts, *operands, optimize=False):
    return None, _fwd.einsum_jvp(subscripts, operands, g)


@defjvp(_ad.einsum_view)
def einsum_view(g, ans, operand, subscripts):
    return _ad.einsum_view(g, subscripts)


# ----- Shapes and joining -----


@defjvp(np.transpose)
def transpose(g, ans, a, axes=None):
    return np.transpose(g, axes)


@defjvp(np.reshape)
def reshape(g, ans, a, shape=None, order="C", *, newshape=None, copy=None):
    return np.reshape(g, np.shape(ans), order=order)


@defjvp(np.ravel)
def ravel(g, ans, a, order="C"):
    return np.ravel(g, order=order)


@defjvp(np.squeeze)
def squeeze(g, ans, a, axis=None):
    return np.reshape(g, np.shape(ans))


@defjvp(np.expand_dims)
def expand_dims(g, ans, a, axis):
    return np.reshape(g, np.shape(ans))


@defjvp(np.broadcast_to)
def broadcast_to(g, ans, array, shape):
    return _fwd.broadcast(g, ans)


@defjvp(np.swapaxes)
def swapaxes(g, ans, a, axis1, axis2):
    return np.swapaxes(g, axis1, axis2)


if hasattr(np, "matrix_transpose"):  # (NumPy >= 2.0: x.mT)
    @defjvp(np.matrix_transpose)
    def matrix_transpose(g, ans, x):
        return np.matrix_transpose(g)


@defjvp(np.moveaxis)
def moveaxis(g, ans, a, source, destination):
    return np.moveaxis(g, source, destination)


@defjvp(np.flip)
def flip(g, ans, m, axis=None):
    return np.flip(g, axis)


@defjvp(np.tile)
def tile(g, ans, A, reps):
    return np.tile(g, reps)


@defjvp(np.repeat)
def repeat(g, ans, a, repeats, axis=None):
    return np.repeat(g, repeats, axis)


@defjvp(np.concatenate)
def concatenate(g, ans, arrays, axis=0):
    return np.concatenate(g, axis)


@defjvp(np.stack)
def stack(g, ans, arrays, axis=0):
    return np.stack(g, axis)


@defjvp(np.hstack)
def hstack(g, ans, tup):
    return np.hstack(g)


@defjvp(np.vstack)
def vstack(g, ans, tup):
    return np.vstack(g)


@defjvp(operator.getitem)
def getitem(g, ans, x, index):
    return g[index]


@defjvp(_ad.setitem, all_inputs=True)
def setitem(g, ans, x, index, v):
    return _ad.setitem(g[0], index, g[2])


# ----- Linear functions of their inputs: the same function of the tangents -----


@defjvp(np.diag)
def diag(g, ans, v, k=0):
    return np.diag(g, k)


@defjvp(np.diagonal)
def diagonal(g, ans, a, offset=0, axis1=0, axis2=1):
    return np.diagonal(g, offset, axis1, axis2)


@defjvp(np.tril)
def tril(g, ans, m, k=0):
    return np.tril(g, k)


@defjvp(np.triu)
def triu(g, ans, m, k=0):
    return np.triu(g, k)


@defjvp(np.roll)
def roll(g, ans, a, shift, axis=None):
    return np.roll(g, shift, axis)


@defjvp(np.rollaxis)
def rollaxis(g, ans, a, axis, start=0):
    return np.rollaxis(g, axis, start)


@defjvp(np.flipud)
def flipud(g, ans, m):
    return np.flipud(g)


@defjvp(np.fliplr)
def fliplr(g, ans, m):
    return np.fliplr(g)


@defjvp(np.rot90)
def rot90(g, ans, m, k=1, axes=(0, 1)):
    return np.rot90(g, k, axes)


@defjvp(np.take_along_axis)
def take_along_axis(g, ans, arr, indices, axis=-1):
    return np.take_along_axis(g, indices, axis)


@defjvp(np.bincount)
def bincount(g, ans, x, weights=None, minlength=0):
    return None, np.bincount(x, weights=g, minlength=len(ans))


@defjvp(np.take)
def take(g, ans, a, indices, axis=None, mode="raise"):
    return np.take(g, indices, axis, mode=mode)


@defjvp(np.tensordot)
def tensordot(g, ans, a, b, axes=2):
    return np.tensordot(g, b, axes), np.tensordot(a, g, axes)


@defjvp(np.kron)
def kron(g, ans, a, b):
    return np.kron(g, b), np.kron(a, g)


@defjvp(np.append, all_inputs=True)
def append(g, ans, arr, values, axis=None):
    return np.append(g[0], g[1], axis)


@defjvp(np.column_stack)
def column_stack(g, ans, tup):
    return np.column_stack(g)


@defjvp(np.dstack)
def dstack(g, ans, tup):
    return np.dstack(g)


@defjvp(_ad.index_joined)
def index_joined(g, ans, parts, joiner):
    return _ad.index_joined(g, joiner)


if hasattr(np, "row_stack"):  # deprecated in NumPy 2.0, gone in 2.5: vstack's other name
    @defjvp(np.row_stack)
    def row_stack(g, ans, tup):
        return np.vstack(g)


@defjvp(np.atleast_1d)
def atleast_1d(g, ans, *arys):
    return np.atleast_1d(*g)


@defjvp(np.atleast_2d)
def atleast_2d(g, ans, *arys):
    return np.atleast_2d(*g)


@defjvp(np.atleast_3d)
def atleast_3d(g, ans, *arys):
    return np.atleast_3d(*g)


@defjvp(np.split)
def split(g, ans, ary, indices_or_sections, axis=0):
    return np.split(g, indices_or_sections, axis)


@defjvp(np.array_split)
def array_split(g, ans, ary, indices_or_sections, axis=0):
    return np.array_split(g, indices_or_sections, axis)


@defjvp(np.hsplit)
def hsplit(g, ans, ary, indices_or_sections):
    return np.hsplit(g, indices_or_sections)


@defjvp(np.vsplit)
def vsplit(g, ans, ary, indices_or_sections):
    return np.vsplit(g, indices_or_sections)


@defjvp(np.compress)
def compress(g, ans, condition, a, axis=None):
    return None, np.compress(condition, g, axis)


@defjvp(np.diff)
def diff(g, ans, a, n=1, axis=-1, prepend=None, append=None):
    return _fwd.diff(g, n, axis, prepend, append)


@defjvp(np.select, all_inputs=True)
def select(g, ans, condlist, choicelist, default=0):
    return np.select(condlist, g[1], g[2])


@defjvp(np.sinc)
def sinc(g, ans, x):
    return g * _ad.sinc_grad(x)


@defjvp(np.dsplit)
def dsplit(g, ans, ary, indices_or_sections):
    return np.dsplit(g, indices_or_sections)


@defjvp(np.full)
def full(g, ans, shape, fill_value, dtype=None):
    return (None,
            _ad.through_cast(np.broadcast_to(g, np.shape(ans)) * 1.0, _ad.dtype_of(ans)))


@defjvp(np.full_like)
def full_like(g, ans, a, fill_value, dtype=None, order="K", subok=True, shape=None):
    return (_ad.zeros_like(ans),
            _ad.through_cast(np.broadcast_to(g, np.shape(ans)) * 1.0, _ad.dtype_of(ans)))


@defjvp(np.gradient)
def gradient(g, ans, f, *varargs, axis=None, edge_order=1):
    return np.gradient(g, *varargs, axis=axis, edge_order=edge_order)


@defjvp(np.pad)
def pad(g, ans, array, pad_width, mode="constant", *, constant_values=0,
        reflect_type="even"):
    return _fwd.pad(g, pad_width, mode, reflect_type)


@defjvp(np.linspace, all_inputs=True)
def linspace(g, ans, start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    return np.linspace(g[0], g[1], num, endpoint, retstep, axis=axis)


@defjvp(np.real, np.real_if_close)
def real(g, ans, x):
    return _ad.real_input(g, x)


@defjvp(np.imag, np.angle)
def imag(g, ans, x):
    return _ad.real_input(g, x) * 0


@defjvp(np.nan_to_num)
def nan_to_num(g, ans, x, copy=True, nan=0.0, posinf=None, neginf=None):
    return np.where(np.isfinite(x), g, 0)


@defjvp(np.sort)
def sort(g, ans, a, axis=-1, kind=None, order=None, *, stable=None):
    return _fwd.sort(g, a, axis)


@defjvp(np.partition)
def partition(g, ans, a, kth, axis=-1, kind="introselect", order=None):
    return _fwd.partition(g, a, kth, axis)


@defjvp(_ad.transposed)
def transposed(g, ans, rows):
    return _ad.transposed(g)


@defjvp(_ad.untransposed)
def untransposed(g, ans, grad, rows):
    return _ad.untransposed(g, rows)


@defvjp(_ad.untransposed, n_inputs=1)
def untransposed_vjp(g, ans, grad, rows):
    return _ad.transposed(g)


@defjvp(_ad.sorted_items)
def sorted_items(g, ans, items, key=None, reverse=False):
    return _fwd.sorted_items(g, items, key, reverse)


@defjvp(_ad.in_order)
def in_order(g, ans, items, order):
    return _fwd.ordered(g, items, order)


@defjvp(_ad.largest)
def largest(g, ans, items, key=None):
    return _fwd.picked(g, items, key, True)


@defjvp(_ad.smallest)
def smallest(g, ans, items, key=None):
    return _fwd.picked(g, items, key, False)


@defjvp(_ad.field)
def field(g, ans, x, name):
    return _ad.field_of_tangent(g, x, name)


@defjvp(_ad.get_item, all_inputs=True)
def get_item(g, ans, d, key, default):
    """``d.get(key, default)``: the tangent at ``key``, or the default's."""
    return _ad.get_item(g[0], key, g[2])


@defvjp(_ad.unget_item)
def unget_item_vjp(g, ans, grad, d, key):
    return _ad.get_item(g, key, _ad.zeros_like(grad)), _ad.zeros_like(d), None


@defjvp(_ad.unget_item)
def unget_item(g, ans, grad, d, key):
    return _ad.unget_item(g, d, key), None, None


@defjvp(_ad.summed, all_inputs=True)
def summed(g, ans, items, start):
    return _ad.summed(g[0], g[1])


# ----- Linear algebra: decompositions -----


@defjvp(np.linalg.cholesky)
def cholesky(g, ans, a, *, upper=False):
    return _fwd.cholesky(_fwd.linalg_tangent(g, a), ans, upper)


@defjvp(np.linalg.slogdet)
def slogdet(g, ans, a):
    return _fwd.slogdet(_fwd.linalg_tangent(g, a), ans, a)


@defjvp(np.linalg.eigh)
def eigh(g, ans, a, UPLO="L"):
    return _fwd.eigh(_fwd.linalg_tangent(g, a), ans, UPLO)


@defjvp(np.linalg.eigvalsh)
def eigvalsh(g, ans, a, UPLO="L"):
    return _fwd.eigvalsh(_fwd.linalg_tangent(g, a), a, UPLO)


@defjvp(np.linalg.svd)
def svd(g, ans, a, full_matrices=True, compute_uv=True, hermitian=False):
    return _fwd.svd(_fwd.linalg_tangent(g, a), ans, a, full_matrices, compute_uv)


@defjvp(np.linalg.pinv)
def pinv(g, ans, a, rcond=None, hermitian=False, *, rtol=None):
    return _fwd.pinv(_fwd.linalg_tangent(g, a), ans, a)


@defjvp(np.linalg.lstsq)
def lstsq(g, ans, a, b, rcond=None):
    return _fwd.lstsq(g, None, ans, a, b), _fwd.lstsq(None, g, ans, a, b)


@defjvp(np.linalg.qr)
def qr(g, ans, a, mode="reduced"):
    return _fwd.qr(_fwd.linalg_tangent(g, a), ans, a, mode)


@defjvp(np.linalg.matrix_power)
def matrix_power(g, ans, a, n):
    return _fwd.matrix_power(_fwd.linalg_tangent(g, a), a, n)


@defvjp(_ad.share_of_sum, broadcasting=True)
def share_of_sum_vjp(g, ans, x, y, base=np.e):
    slope = g * ans * (1 - ans) * np.log(base)  # (the logistic's slope)
    return slope, -slope, None


@defjvp(_ad.share_of_sum, broadcasting=True)
def share_of_sum(g, ans, x, y, base=np.e):
    slope = ans * (1 - ans) * np.log(base)
    return g * slope, -g * slope, None


@defjvp(np.add.reduceat)
def add_reduceat(g, ans, array, indices, axis=0, dtype=None, out=None):
    return np.add.reduceat(g, indices, axis)


@defjvp(_ad.unreduceat)
def unreduceat(g, ans, grad, array, indices, axis=0):
    return _ad.unreduceat(g, array, indices, axis)
