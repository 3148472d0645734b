"""One call per primitive that has both an adjoint and a tangent rule, for the
consistency test <u, J v> = <J^T u, v> and finite differences.

Each entry: (primitives it covers, the call as source over x, y, z, and a maker of
(x, y, z), the differentiated ones first). Functions are defined from source kept
in linecache, so both modes can read them.
"""

import builtins
import collections
import copy
import linecache
import math
import operator

import numpy as np

from autograd_src.rules import runtime as _ad
from autograd_src.rules.runtime import forward as _fwd

from .rule_cases import BINARY, UNARY

Pair = collections.namedtuple("Pair", "a b")


def _u(lo, hi, shape=(3, 4)):
    return lambda r: (r.uniform(lo, hi, shape),)


def _pair(x, y):
    return lambda r: (r.uniform(*x, (3, 4)), r.uniform(*y, (4,)))


def _n(*shapes):
    return lambda r: tuple(r.normal(size=s) for s in shapes)


def _with_zero(shape):
    """Normal entries but one row with a zero (products of the other entries at 0)."""
    def make(r):
        x = r.normal(size=shape)
        x[(1,) * (len(shape) - 1) + (2,)] = 0.0
        return (x,)
    return make


def _spd(r):
    a = r.normal(size=(3, 3))
    return (a @ a.T + 3 * np.eye(3),)


def _spd_and(shape):
    return lambda r: _spd(r) + (r.normal(size=shape),)


# (primitives, expression, maker, number of differentiated parameters)
CASES = [((getattr(np, fn.__name__),), f"np.{fn.__name__}(x)", _u(lo, hi), 1)
         for fn, lo, hi in UNARY.values()]
CASES += [((getattr(np, fn.__name__),), f"np.{fn.__name__}(x, y)", _pair(xr, yr), 2)
          for fn, xr, yr in BINARY.values()]
CASES += [
    ((math.sin,), "math.sin(x)", lambda r: (float(r.uniform(-2, 2)),), 1),
    ((math.cos, math.exp, math.log, math.sqrt, math.tanh),
     "math.cos(x) + math.exp(x) + math.log(x) + math.sqrt(x) + math.tanh(x)",
     lambda r: (float(r.uniform(0.5, 2)),), 1),
    ((math.tan, math.asin, math.acos, math.atan, math.sinh, math.cosh),
     "math.tan(x) + math.asin(x) + math.acos(x) + math.atan(x) + math.sinh(x) + math.cosh(x)",
     lambda r: (float(r.uniform(-0.8, 0.8)),), 1),
    ((math.asinh, math.acosh, math.atanh, math.expm1, math.log2, math.log10, math.log1p,
      math.fabs), "math.asinh(x) + math.acosh(x + 1.5) + math.atanh(x - 1) + math.expm1(x)"
                  " + math.log2(x) + math.log10(x) + math.log1p(x) + math.fabs(x)",
     lambda r: (float(r.uniform(0.5, 0.9)),), 1),
    ((math.pow, builtins.pow, math.hypot, math.atan2),
     "math.pow(x, y) + pow(x, y) + math.hypot(x, y) + math.atan2(x, y)",
     lambda r: (float(r.uniform(0.5, 2)), float(r.uniform(0.5, 2))), 2),
    ((builtins.abs, builtins.max, builtins.min, builtins.float, np.float64),
     "abs(x) + max(x, y) - min(x, y) * float(x) + np.float64(y) ** 2",
     lambda r: (float(r.uniform(0.5, 2)), float(r.uniform(-1, 0.4))), 2),
    ((operator.neg, np.true_divide), "-x / y", _pair((-1, 1), (0.5, 2)), 2),
    ((np.matmul,), "x @ y", _n((3, 4), (4, 2)), 2),
    ((np.where,), "np.where(x > 0, x * 2, y)", _n((3, 4), (4,)), 2),
    ((np.full_like,), "np.full_like(x, y) * x + np.full_like(x, y, dtype=float)",
     _n((3, 4), (4,)), 2),
    ((np.clip,), "np.clip(x, y, z)", lambda r: (r.normal(size=(3, 4)), -0.5 + 0.1 * r.normal(
        size=(4,)), 0.5 + 0.1 * r.normal(size=(3, 1))), 3),
    ((np.copy, np.ascontiguousarray, np.array, np.asarray),
     "np.copy(x) + np.ascontiguousarray(x) * np.array(x) - np.asarray(x)", _n((3,)), 1),
    ((_ad.pack, builtins.sum, builtins.list, builtins.tuple),
     "sum([x, y * x]) + sum(list(x)) * sum(tuple(y))", _n((3,), (3,)), 2),
    ((math.fsum,), "math.fsum([x[0], x[1] * y[2], 2.0])", _n((3,), (3,)), 2),
    ((np.sum,), "np.sum(x, axis=1, keepdims=True)", _n((3, 4)), 1),
    ((np.mean,), "np.mean(x, axis=0)", _n((3, 4)), 1),
    ((np.prod,), "np.prod(x, axis=1)", _u(0.5, 1.5), 1),
    ((np.max, np.amax), "np.max(x, axis=0) + np.amax(x)", _n((3, 4)), 1),
    ((np.min, np.amin), "np.min(x, axis=1, keepdims=True) + np.amin(x)", _n((3, 4)), 1),
    ((np.var,), "np.var(x, axis=0, ddof=1)", _n((3, 4)), 1),
    ((np.std,), "np.std(x, axis=1)", _n((3, 4)), 1),
    ((np.cumsum,), "np.cumsum(x, axis=1)", _n((3, 4)), 1),
    ((np.cross,), "np.cross(x, y)", _n((4, 3), (3,)), 2),
    ((np.linalg.norm,), "np.linalg.norm(x, axis=1)", _n((3, 4)), 1),
    ((np.dot,), "np.dot(x, y)", _n((3, 4), (4,)), 2),
    ((_ad.dot_of_data,), "_ad.dot_of_data(x, y)", _n((3, 4), (4,)), 2),
    ((np.vdot,), "np.vdot(x, y)", _n((2, 3), (2, 3)), 2),
    ((np.inner,), "np.inner(x, y)", _n((2, 3), (4, 3)), 2),
    ((np.outer,), "np.outer(x, y)", _n((3,), (4,)), 2),
    ((np.trace,), "np.trace(x, offset=1)", _n((3, 4)), 1),
    ((np.linalg.inv,), "np.linalg.inv(x)", _spd, 1),
    ((np.linalg.solve,), "np.linalg.solve(x, y)", _spd_and((3, 2)), 2),
    ((np.linalg.det,), "np.linalg.det(x)", _spd, 1),
    ((np.einsum,), "np.einsum('ij,jk->ik', x, y)", _n((2, 3), (3, 4)), 2),
    ((np.transpose,), "np.transpose(x, (1, 0))", _n((3, 4)), 1),
    ((np.reshape,), "np.reshape(x, (4, 3))", _n((3, 4)), 1),
    ((np.ravel,), "np.ravel(x)", _n((3, 4)), 1),
    ((np.squeeze, np.expand_dims), "np.expand_dims(np.squeeze(x), 0)", _n((3, 1, 4)), 1),
    ((np.broadcast_to,), "np.broadcast_to(x, (3, 4))", _n((4,)), 1),
    ((np.full,), "np.full((3, 4), x)", _n((4,)), 1),
    ((np.swapaxes, np.moveaxis), "np.swapaxes(x, 0, 1) + np.moveaxis(x, 0, -1)", _n((3, 3)), 1),
    ((np.flip,), "np.flip(x, 1)", _n((3, 4)), 1),
    ((np.tile,), "np.tile(x, (2, 1))", _n((3, 4)), 1),
    ((np.repeat,), "np.repeat(x, 2, axis=0)", _n((3, 4)), 1),
    ((np.concatenate,), "np.concatenate([x, y], axis=1)", _n((3, 4), (3, 2)), 2),
    ((np.stack,), "np.stack([x, y], axis=1)", _n((3,), (3,)), 2),
    ((np.hstack, np.vstack), "np.hstack([x, y]).sum() + np.vstack([x, y]).sum(axis=0)",
     _n((3,), (3,)), 2),
    ((operator.getitem,), "x[1:, [0, 2]]", _n((3, 4)), 1),
    ((np.negative, np.positive), "np.negative(x) * np.positive(x)", _n((3,)), 1),
    ((np.remainder,), "np.remainder(x, y)", _pair((0.1, 0.9), (1.1, 2)), 2),
    ((operator.pos,), "(+x) * x", _n((3,)), 1),
    # The runtime helpers that list code and generated derivatives call (_ad).
    ((_ad.appended,), "_ad.appended([x], y)", _n((3,), (3,)), 2),
    ((_ad.inserted,), "_ad.inserted([x, 2.0 * x], -1, y)", _n((3,), (3,)), 2),
    ((_ad.without_inserted, _ad.inserted_item),
     "_ad.without_inserted([x, y, x * y], 1)[1] + _ad.inserted_item([x, y * y], -5)",
     _n((3,), (3,)), 2),
    ((_ad.grown, _ad.all_but_last),
     "_ad.grown([x, y * x], y)[2] + _ad.all_but_last([x, 2.0 * y, y])[1]", _n((3,), (3,)), 2),
    ((_ad.extended, _ad.joined), "_ad.extended([x], [y])[1] * _ad.joined([y], [x])[0]",
     _n((3,), (3,)), 2),
    ((_ad.plus, _ad.times), "_ad.plus(x, y) + _ad.times(x, y) + _ad.plus([x], [y])[1]",
     _n((3,), (3,)), 2),
    ((_ad.setitem,), "_ad.setitem(x, 1, y)", _n((3, 4), (4,)), 2),
    ((_ad.construct,), "_ad.construct(Pair, x, 2 * y).b * x", _n((3,), (3,)), 2),
    # p._replace(a=v) of a namedtuple, and its adjoint's helpers (second order)
    ((_ad.replaced,), "_ad.replaced(_ad.construct(Pair, x, y), ('a',), (2 * y,)).a * x + "
     "_ad.replaced(_ad.construct(Pair, x, y), ('a',), (2 * y,)).b", _n((3,), (3,)), 2),
    ((_ad.unreplaced, _ad.replaced_fields, _ad.fields_placed),
     "_ad.unreplaced(_ad.construct(Pair, x, y), Pair(1.0, 2.0), ('b',)).a * 3.0 + "
     "_ad.replaced_fields(_ad.construct(Pair, x, y), Pair(1.0, 2.0), ('a', 'b'))[1] + "
     "_ad.fields_placed((x, 2 * y), Pair(1.0, 2.0), ('a', 'b')).b", _n((3,), (3,)), 2),
    # (the adjoint of np.linspace's ends, read again at second order)
    ((_ad.unlinspace,), "_ad.unlinspace(x, 0.0, 1.0, 3, True, 0, 1) * 2.0 + "
     "_ad.unlinspace(x, 0.0, 1.0, 3, True, 0, 0)", _n((3,)), 1),
    ((_ad.rebuilt_like,), "_ad.rebuilt_like([x, 2 * y], (x, y))[1] * x + "
     "_ad.rebuilt_like([y * x], [y])[0]", _n((3,), (3,)), 2),
    ((_ad.normal_density, _ad.normal_density_slope),
     "_ad.normal_density(x) * y + _ad.normal_density_slope(x * y)", _n((3,), (3,)), 2),
    ((_ad.share_of_sum,),
     "_ad.share_of_sum(x, y) * y + _ad.share_of_sum(y, x * x, 2.0)", _n((3,), (3,)), 2),
    ((np.heaviside,), "np.heaviside(x * 0.0, y) * y + np.heaviside(x, y)", _n((3,), (3,)), 2),
    ((np.add.reduceat, _ad.unreduceat),
     "np.add.reduceat(x * y, [0, 2, 1]) * _ad.unreduceat(y * y, np.ones(3), [0, 2, 1])",
     _n((3,), (3,)), 2),
    ((_ad.merged,), "_ad.merged({'a': x, 'b': y}, {'b': 2 * x})['b'] * y", _n((3,), (3,)), 2),
    ((_ad.written,), "_ad.written(x, [0, 2, 0])", _n((3, 4)), 1),
    ((_ad.copied,), "_ad.copied(x) * x", _n((3,)), 1),
    ((_ad.copied_through,), "_ad.copied_through(x) * x", _n((3,)), 1),
    ((_ad.in_place_of,), "_ad.in_place_of(x * 2.0, np.ones(3)) * x", _n((3,)), 1),
    ((_ad.untimes,), "_ad.untimes(x, y, z, 0) * _ad.untimes(x, y, z, 1).sum() + "
     "_ad.untimes([x[0], x[1], 2 * x[2], x[0]], [y[0], z], 2, 0)[1]",
     _n((3, 4), (3, 4), (4,)), 3),
    # The adjoints of max/min of items and of sum(items, start), read again at second
    # order (hessian of max(a, b, 0.5) * sum([a, b], 1.0))
    ((_ad.unextreme_item, _ad.picked_item),
     "_ad.picked_item([x, 2 * x, y], [1.0, 3.0, 2.0], None, True) + "
     "_ad.unextreme_item(x, [0.5, -1.0, 0.2], None, False)[1] * 3.0",
     _n((3,), (3,)), 2),
    # sorted(items, key=k) as the items in the order the key gave, and its adjoint
    ((_ad.in_order, _ad.unordered),
     "_ad.in_order([x, 2 * x, y], [2, 0, 1])[0] * _ad.in_order([x, y], [1, 0])[1] + "
     "_ad.unordered(x, [0.5, -1.0, 0.2], [2, 0, 1])[2] * 3.0 + "
     "_ad.unordered([x, y], [1.0, 2.0], [1, 0])[0]",
     _n((3,), (3,)), 2),
    ((_ad.unsummed,), "_ad.unsummed(x, [np.ones(3), 2.0], 1.0, 0)[1] * 2.0 + "
     "_ad.unsummed(x, [1.0, 2.0], np.ones(3), 1)", _n((3,)), 1),
    ((_ad.unsum,), "_ad.unsum(x, [y, z])[0] * _ad.unsum(x, [y, z])[1] + "
     "_ad.unsum(x, np.stack([y, y]))", _n((3,), (3,), (1,)), 1),
    ((_ad.unstack,), "_ad.unstack(x, [y, y, z], 1)[2].sum() * _ad.unstack(x, y, 0)[0]",
     _n((2, 3), (2,), (3, 2)), 1),
    ((_ad.unconcatenate, _ad.unhstack),
     "_ad.unconcatenate(x, [y, z], 0)[1] * 2.0 + _ad.unhstack(x, [y, z])[1]",
     _n((5,), (2,), (3,)), 1),
    ((_ad.unvstack,), "_ad.unvstack(x, [y, z])[1] * _ad.unvstack(x, [y, z])[0]",
     _n((2, 3), (3,), (3,)), 1),
    ((_ad.unstack_columns,), "_ad.unstack_columns(x, [y, z])[0] * 3.0",
     _n((3, 2), (3,), (3,)), 1),
    ((_ad.undstack,), "_ad.undstack(x, [y, z])[1] - _ad.undstack(x, [y, z])[0]",
     _n((1, 3, 2), (3,), (3,)), 1),
    ((_ad.unindex_joined,), "_ad.unindex_joined(x, [y, z], np.c_)[1]",
     _n((3, 2), (3,), (3,)), 1),
    ((_ad.unlist,), "_ad.unlist(x, y) * 2.0", _n((3, 4), (3, 4)), 1),
    ((_ad.like_input,), "_ad.like_input(x, [y[0], y[1], y[2]])[1] * 2.0 + "
                        "_ad.like_input(x, y)", _n((3, 4), (3, 4)), 1),
    ((copy.copy, copy.deepcopy), "copy.deepcopy([x, y])[1] * copy.copy(x)",
     _n((3,), (3,)), 2),
    ((_ad.index_joined,), "_ad.index_joined([x, 1.0, y[::-1]], np.r_)", _n((3,), (2,)), 2),
    ((np.dstack,), "np.dstack([x, y])", _n((3,), (3,)), 2),
    ((_ad.untile,), "_ad.untile(x, y, (2, 1))", _n((4, 3), (2, 3)), 1),
    ((_ad.unrepeat,), "_ad.unrepeat(x, y, 2, 0) + _ad.unrepeat(np.ravel(x), y, 2)",
     _n((4, 3), (2, 3)), 1),
    ((_ad.untrace,), "_ad.untrace(x, y, 1)", _n((), (3, 4)), 1),
    ((_ad.uncumsum,), "_ad.uncumsum(x, y, 1) * _ad.uncumsum(np.ravel(x), y)",
     _n((3, 4), (3, 4)), 1),
    ((_ad.unroll,), "_ad.unroll(x, 2, 1) + _ad.unroll(x, (1, 1), (0, 1))", _n((3, 4)), 1),
    ((_ad.unrot90,), "_ad.unrot90(x, 1, (0, 1))", _n((4, 3)), 1),
    ((_ad.unrollaxis,), "_ad.unrollaxis(x, y, 2)", _n((4, 2, 3), (2, 3, 4)), 1),
    ((_ad.untake,), "_ad.untake(x, y, [2, 0, 2], 1)", _n((3, 3), (3, 4)), 1),
    ((_ad.uncompress,), "_ad.uncompress(x, [True, False, True], y, 0)", _n((2, 4), (3, 4)), 1),
    ((_ad.unsort,), "_ad.unsort(x, y, 1) + _ad.unsort(np.ravel(x), y, None)",
     _n((3, 4), (3, 4)), 1),
    ((_ad.undiff,), "_ad.undiff(x, y, 1, 1, 0.5)", _n((3, 4), (3, 4)), 1),
    ((_ad.unpad,), "_ad.unpad(x, y, 1) + _ad.unpad(x, y, 1, 'reflect')", _n((5, 6), (3, 4)),
     1),
    ((_ad.ungather,), "_ad.ungather(x, y, np.diagonal, 1)", _n((2,), (3, 3)), 1),
    ((_ad.unappend,), "_ad.unappend(x, y, z, 0, 1) * _ad.unappend(x, y, z, 0, 0)[0, 0] + "
     "_ad.unappend(np.ravel(x), y, z, None, 1)",
     _n((5, 2), (3, 2), (2, 2)), 1),
    ((_ad.unsplit,), "_ad.unsplit([x, y], np.split(z, 2, 1), z, 1)",
     _n((3, 2), (3, 2), (3, 4)), 2),
    ((_ad.values_at,), "_ad.values_at({'a': x, 'b': y}, ('b', 'a'))[0] * x",
     _n((3,), (3,)), 2),
    ((_ad.unpartition,), "_ad.unpartition(x, y, 1, 1) + _ad.unpartition(np.ravel(x), y, 2, None)",
     _n((3, 4), (3, 4)), 1),
    ((_ad.unnan_to_num,), "_ad.unnan_to_num(x, np.array([1.0, np.inf, 2.0]))", _n((3,)), 1),
    ((_ad.ungradient,), "_ad.ungradient(x, None, y, (), 1) + "
     "_ad.ungradient([x, x * 2.0], [y, y], y, (0.5,), None, 2)",
     _n((3, 4), (3, 4)), 1),
    ((_ad.larger_share,), "_ad.larger_share(x, y, z) + _ad.larger_share(x, z, 0.5)",
     _n((3, 4), (3, 4), (4,)), 3),
    ((_ad.kept_share,), "_ad.kept_share(x, y, z, x, True) + _ad.kept_share(x, z, y, x, False)",
     _n((3,), (1,), (1,)), 1),
    ((_ad.power_exponent,), "_ad.power_exponent(x) * x", _n((3,)), 1),
    ((_ad.times_power,), "_ad.times_power(x, y, z)",
     lambda r: (r.normal(size=(3, 4)), r.uniform(0.5, 1.5, 4), r.uniform(0.5, 2.5, 4)), 3),
    ((_ad.divide_or_zero,), "_ad.divide_or_zero(x, y)",
     lambda r: (r.normal(size=(3, 4)), r.uniform(0.5, 1.5, 4)), 2),
    ((_ad.unlogsumexp,), "_ad.unlogsumexp(x, y, z, 1) + _ad.unlogsumexp(x[0], y[0], z) + "
     "_ad.unlogsumexp(x, y, z, 1, np.full(4, 0.5))",
     lambda r: (r.normal(size=3), r.normal(size=3), r.normal(size=(3, 4))), 3),
    ((_ad.unstd,), "_ad.unstd(x, y, z, 1, 1) + _ad.unstd(x[0], y[0], z, None)",
     lambda r: (r.uniform(0.5, 1.5, 3), r.uniform(0.5, 1.5, 3), r.normal(size=(3, 4))), 3),
    ((_ad.norm_grad,), "_ad.norm_grad(x, y, z, None, 1) + _ad.norm_grad(x[0], y[0], z) + "
     "_ad.norm_grad(x, y, z, 1, 1)",
     lambda r: (r.uniform(0.5, 1.5, 3), r.uniform(0.5, 1.5, 3), r.normal(size=(3, 4))), 3),
    ((_ad.einsum_grads,), "_ad.einsum_grads(x, 'ij,jk->ik', (y, z))[0] * 2.0 + "
     "_ad.einsum_grads(x, 'ij,jk->ik', (y, z))[1].sum()",
     _n((3, 2), (3, 4), (4, 2)), 3),
    ((_ad.einsum_view,), "_ad.einsum_view(x, 'ij->ji') * y + _ad.einsum_view(y, 'ii->i')",
     _n((3, 3), (3, 3)), 2),
    ((_ad.unslogdet,), "_ad.unslogdet((x, y), (x, y), z + 4.0 * np.eye(3))",
     lambda r: (r.normal(size=2), r.normal(size=2), r.normal(size=(2, 3, 3))), 3),
    ((_ad.solve_lhs,), "_ad.solve_lhs(x, z + 4.0 * np.eye(3), y) + "
     "_ad.solve_lhs(x[:, 0], z + 4.0 * np.eye(3), y[:, 1])",
     lambda r: (r.normal(size=(3, 2)), r.normal(size=(3, 2)), r.normal(size=(3, 3))), 3),
    ((np.cumprod,), "np.cumprod(x, axis=1) * np.cumprod(x)[:4]", _with_zero((3, 4)), 1),
    ((_ad.unprod,), "_ad.unprod(x, np.prod(y, 1), y, 1) + _ad.unprod(z, np.prod(y), y)"
     " + _ad.unprod(x[:, None], np.prod(y, 1, keepdims=True), y, 1, True)",
     lambda r: (r.normal(size=3),) + _with_zero((3, 4))(r) + (r.normal(),), 3),
    ((_ad.uncumprod,), "_ad.uncumprod(x, np.cumprod(y, 1), y, 1) + "
     "_ad.uncumprod(np.ravel(x), np.cumprod(y), y).reshape(3, 4) * 2.0",
     lambda r: (r.normal(size=(3, 4)),) + _with_zero((3, 4))(r), 2),
    ((_ad.uncholesky,), "_ad.uncholesky(x, y) + _ad.uncholesky(x, np.swapaxes(y, 1, 2), True)"
     " + _ad.uncholesky(x[0], np.linalg.cholesky(z @ z.T + 3.0 * np.eye(3)))",
     lambda r: (r.normal(size=(2, 3, 3)), np.tril(r.normal(size=(2, 3, 3))) + 3 * np.eye(3),
                r.normal(size=(3, 3))), 3),
    ((_ad.uneigh,), "_ad.uneigh((x[0], y), (x[1], z)) + _ad.uneigh((x[0], y), (x[1], z), 'U')"
     " + _ad.uneigh((x[0], 0.0 * y), np.linalg.eigh(z + z.T))",
     lambda r: (r.normal(size=(2, 3)), r.normal(size=(3, 3)), r.normal(size=(3, 3))), 3),
    ((_ad.uneigvalsh,), "_ad.uneigvalsh(x, y) + _ad.uneigvalsh(x[::-1], y, 'U')",
     lambda r: (r.normal(size=3), r.normal(size=(3, 3))), 2),
    ((np.linalg.svd,), "np.linalg.svd(x, full_matrices=False)[0] ** 2 @ "
     "np.linalg.svd(x, full_matrices=False)[2] ** 2 + np.linalg.svd(x, compute_uv=False) + "
     "np.linalg.svd(x.T)[2].T[:, :3] * np.linalg.svd(x.T)[0][0] + np.linalg.svd(x)[1]",
     _n((4, 3)), 1),
    ((_ad.unsvd,), "np.concatenate([np.ravel(_ad.unsvd(x[0, :3], None, z, True, False)), "
     "np.ravel(_ad.unsvd(x[0, :3], None, z.T, True, False)), np.ravel(_ad.unsvd((x[:, :3], "
     "x[0, :3], x[:3] * 2.0), (y[:, :3], np.arange(1.0, 4.0) + y[0, :3] * 0.1, y[:3]), z, "
     "False)), np.ravel(_ad.unsvd((x[:3].T, x[0, :3], x.T), (y[:3].T, np.arange(1.0, 4.0) + "
     "y[0, :3] * 0.1, y.T), z.T, False)), np.ravel(_ad.unsvd(np.linalg.svd(x, "
     "full_matrices=False), np.linalg.svd(y, full_matrices=False), y, False))])",
     lambda r: (r.normal(size=(4, 3)), r.normal(size=(4, 3)), r.normal(size=(4, 3))), 3),
    ((_ad.unkron,), "_ad.unkron(x, y, z, 0).sum() * _ad.unkron(x, y, z, 1) + "
     "_ad.unkron(x[:2], y[0], z, 1)",
     lambda r: (r.normal(size=(4, 9)), r.normal(size=(2, 3)), r.normal(size=(2, 3))), 3),
    ((_ad.unconvolve,), "np.concatenate([_ad.unconvolve(x, y, z, 'full', 0), "
     "_ad.unconvolve(x, y, z, 'full', 1), _ad.unconvolve(x[:5], y, z, 'same', 1), "
     "_ad.unconvolve(x[:3], y, z, 0, 0) * _ad.unconvolve(x[:5], y, z, 1, 1).sum()])",
     lambda r: (r.normal(size=7), r.normal(size=5), r.normal(size=3)), 3),
    ((_ad.diagonal_fill_value,), "_ad.diagonal_fill_value(x[0]) * x + "
     "_ad.diagonal_fill_value(x[1] ** 2)", _n(3), 1),
    ((np.convolve,), "np.concatenate([np.convolve(x, y), np.convolve(y, x, 'same'), "
     "np.convolve(x, y, 'valid') ** 2])", _n(5, 3), 2),
    ((_ad.cross_grad,), "_ad.cross_grad(x, y, z) + _ad.cross_grad(x, y, z, which=1) + "
     "_ad.cross_grad(x.T, y.T, z.T, axis=0).T + _ad.cross_grad(x[:, 2], y[:, :2], z[:, :2], "
     "which=1)[:, [0, 1, 0]]", _n((4, 3), (4, 3), (4, 3)), 3),
    ((_ad.sinc_grad,), "_ad.sinc_grad(x) + _ad.sinc_grad(x * 0.01) + _ad.sinc_grad(0.0 * x)",
     _n((3, 4)), 1),
    ((_ad.unselect, _ad.unselect_default),
     "_ad.unselect(x, [y > 0, y < -0.5], (z, z[0]))[1] * _ad.unselect(x, [y > 0], "
     "np.stack([y, y]))[0] + _ad.unselect_default(x, [y > 0, y < -0.5], z[0])",
     _n((3, 4), (3, 4), (3, 4)), 1),
    ((_ad.unatleast,), "_ad.unatleast(x, y, (z[0, 0],))[0] * 2.0 + "
     "_ad.unatleast([x, x * 3.0], (y, y), (z[0, 0], z[0, 1]))[1].sum()",
     _n((1, 1), (1, 1), (2, 2)), 1),
    ((np.linalg.pinv,), "np.linalg.pinv(x) + np.linalg.pinv(x @ y)", _n((3, 4), (4, 4)), 1),
    ((_ad.unmatrix_power,), "_ad.unmatrix_power(x, y, 3) + _ad.unmatrix_power(x, y, -2) + "
     "_ad.unmatrix_power(x, y, 1) + _ad.unmatrix_power(x, y, 0)",
     lambda r: (r.normal(size=(2, 3, 3)), r.normal(size=(2, 3, 3)) + 3 * np.eye(3)), 2),
    ((_ad.unpinv,), "_ad.unpinv(x, y, z) + _ad.unpinv(x, np.linalg.pinv(z), z)",
     _n((4, 3), (4, 3), (3, 4)), 3),
    ((_ad.digamma,), "_ad.digamma(x) + _ad.digamma(x + 12.5) + _ad.digamma(0.25 - x)",
     lambda r: (float(r.uniform(0.5, 3)),), 1),
    ((np.linalg.lstsq,), "np.concatenate([np.ravel(np.linalg.lstsq(x, y)[0]), "
     "np.linalg.lstsq(x, y)[1], np.linalg.lstsq(x, y[:, 0])[0], np.linalg.lstsq(x, y[:, 0])[1],"
     " np.ravel(np.linalg.lstsq(x[:3], y[:3])[0])])", _n((5, 3), (5, 2)), 2),
    ((_ad.unlstsq,), "np.concatenate([np.ravel(_ad.unlstsq((x[0], x[1, 0], 0, 0.0 * y[0]), "
     "np.linalg.lstsq(y, z), y, z, 0)), np.ravel(_ad.unlstsq((x[0], x[1, 0], 0, 0.0 * y[0]), "
     "np.linalg.lstsq(y, z), y, z, 1)), np.ravel(_ad.unlstsq((x[0, :, 0], x[1, :1, 0], 0, "
     "0.0 * y[0]), np.linalg.lstsq(y, z[:, 0]), y, z[:, 0], 0)), _ad.unlstsq((x[0, :, 0], "
     "x[1, :1, 0], 0, 0.0 * y[0]), np.linalg.lstsq(y, z[:, 0]), y, z[:, 0], 1), "
     "np.ravel(_ad.unlstsq((x[0], None, 0, 0.0 * y[0]), np.linalg.lstsq(y[:3], z[:3]), y[:3], "
     "z[:3], 0))])",
     lambda r: (r.normal(size=(2, 3, 2)), r.normal(size=(5, 3)), r.normal(size=(5, 2))), 3),
    ((np.linalg.qr,), "np.concatenate([np.ravel(np.linalg.qr(x)[0]), np.ravel(np.linalg.qr(x)[1]),"
     " np.ravel(np.linalg.qr(x, 'r')), np.ravel(np.linalg.qr(x[:3])[0])])", _n((4, 3)), 1),
    ((_ad.unqr,), "np.concatenate([np.ravel(_ad.unqr((x, y[:3]), (z, y[:3] + 3.0 * np.eye(3)), "
     "z)), np.ravel(_ad.unqr(y[:3], None, z, 'r')), np.ravel(_ad.unqr((x, y[:3]), "
     "np.linalg.qr(z), z, 'reduced'))])",
     lambda r: (r.normal(size=(4, 3)), r.normal(size=(4, 3)), r.normal(size=(4, 3))), 3),
    ((_ad.unfield,), "_ad.unfield(x, Pair(y, y), 'b')[1] * 2.0 + "
     "_ad.unfield(x, Pair(y, y), 'a')[0]", _n((3,), (3,)), 1),
    ((_ad.unmerged,), "_ad.unmerged({'a': x, 'b': 2.0 * x, 'c': x}, {'a': y, 'b': y}, "
     "{'b': y, 'c': y}, 0)['a'] + "
     "_ad.unmerged({'a': x, 'b': x, 'c': x}, {'a': y}, {'b': y, 'c': y}, 1)['c']",
     _n((3,), (3,)), 1),
    ((_ad.inner_lhs, _ad.inner_rhs), "_ad.inner_lhs(x, y, z).sum() * _ad.inner_rhs(x, y, z)",
     _n((3, 2), (3, 4), (2, 4)), 3),
    ((_ad.tensordot_lhs, _ad.tensordot_rhs),
     "_ad.tensordot_lhs(x, y, z, 1).sum() * _ad.tensordot_rhs(x, y, z, 1)",
     _n((3, 2), (3, 4), (4, 2)), 3),
    ((_ad.unplus,), "_ad.unplus([x, 2 * x, x], [y], [z, z], 1)[0] * _ad.unplus(x, y, z, 0)",
     _n((3,), (3,), (1,)), 1),
    ((_ad.astype,), "_ad.astype(x, np.float64)", _n((3,)), 1),
    ((_ad.pack_dict,), "_ad.pack_dict(('a', 'b'), x, y)['b'] * x", _n((3,), (3,)), 2),
    ((_ad.seed,), "_ad.seed(x, y)", _n((3, 4), (3, 4)), 2),
    ((_ad.unbroadcast,), "_ad.unbroadcast(x, y)", _n((3, 4), (4,)), 2),
    ((_ad.unreduce,), "_ad.unreduce(x, y, 1)", _n((3,), (3, 4)), 2),
    ((_ad.unmean,), "_ad.unmean(x, y, 0, True)", _n((1, 4), (3, 4)), 2),
    ((_ad.unindex,), "_ad.unindex(x, y, np.s_[1:])", _n((2, 4), (3, 4)), 2),
    ((_ad.scattered,), "_ad.scattered(x, y, ([0, 2, 0], [1, 1, 1])) * y",
     _n((3,), (3, 4)), 2),
    ((_ad.cast_like,), "_ad.cast_like(x, y)", _n((3,), (3,)), 2),
    ((_ad.through_cast,), "_ad.through_cast(x, np.float64) + _ad.through_cast(x, int)",
     _n((3,)), 1),
    ((_ad.add,), "_ad.add(x, y)", _n((3,), (3,)), 2),
    ((_ad.zero_at,), "_ad.zero_at(x, 1)", _n((3, 4)), 1),
    ((_ad.log_or_zero,), "_ad.log_or_zero(x)", _u(0.5, 2), 1),
    ((_ad.matmul_lhs,), "_ad.matmul_lhs(x, z, y)", _n((3, 2), (4, 2), (3, 4)), 2),
    ((_ad.matmul_rhs,), "_ad.matmul_rhs(x, y, z)", _n((3, 2), (3, 4), (4, 2)), 2),
    ((_ad.dot_lhs,), "_ad.dot_lhs(x, z, y)", _n((3, 2), (4, 2), (3, 4)), 2),
    ((_ad.dot_rhs,), "_ad.dot_rhs(x, y, z)", _n((3, 2), (3, 4), (4, 2)), 2),
    ((_ad.unextreme,), "_ad.unextreme(x, np.max(y, axis=1), y, 1)", _n((3,), (3, 4)), 1),
    ((_ad.unvar,), "_ad.unvar(x, y, 1, 1)", _n((3,), (3, 4)), 2),
    ((_fwd.broadcast,), "_fwd.broadcast(x, y)", _n((4,), (3, 4)), 2),
    ((_fwd.reduce_like,), "_fwd.reduce_like(x, y, 1)", _n((3, 4), (3,)), 2),
    ((_fwd.spread_like,), "_fwd.spread_like(x, y, 0, True)", _n((1, 4), (3, 4)), 2),
    ((_fwd.gathered_items,), "_fwd.gathered_items(x, y, 1.0)", _n((1,), (3,)), 1),
    ((_fwd.sum_reduced,), "_fwd.sum_reduced(x, 0)", _n((3, 4)), 1),
    ((_fwd.inverse_or_zero,), "_fwd.inverse_or_zero(x)", _u(0.5, 2), 1),
    ((operator.abs, operator.matmul), "abs(x @ y)", _n((3, 4), (4, 2)), 2),
    ((operator.add, operator.sub, operator.mul, operator.truediv, operator.pow, operator.mod),
     "operator.add(x, y) * operator.sub(x, y) + operator.truediv(operator.mul(x, y), 2.0)"
     " + operator.pow(x, 2.0) + operator.mod(x, 3.0)", _pair((0.5, 1), (0.5, 2)), 2),
    # Linear functions: the same function of the tangents.
    ((np.diag, np.diagonal), "np.diag(np.diagonal(x, 1), 1)", _n((4, 4)), 1),
    ((np.tril, np.triu), "np.tril(x, -1) + np.triu(x, 1)", _n((3, 4)), 1),
    ((np.roll, np.rollaxis), "np.roll(np.rollaxis(x, 1), 2, axis=0)", _n((3, 4)), 1),
    ((np.flipud, np.fliplr, np.rot90), "np.flipud(np.fliplr(np.rot90(x, 1)))", _n((3, 4)), 1),
    ((np.take,), "np.take(x, [2, 0, 2], axis=1)", _n((3, 4)), 1),
    ((np.take_along_axis,), "np.take_along_axis(x, np.array([[2, 0, 2], [1, 1, 3], [0, 0, 0]]), 1)",
     _n((3, 4)), 1),
    ((np.bincount,), "np.bincount([2, 0, 2, 4], weights=x, minlength=6)", _n((4,)), 1),
    ((np.tensordot,), "np.tensordot(x, y, axes=1)", _n((3, 4), (4, 2)), 2),
    ((np.kron,), "np.kron(x, y)", _n((2, 2), (2, 3)), 2),
    ((np.append,), "np.append(x, y, axis=0)", _n((2, 3), (1, 3)), 2),
    ((np.column_stack,), "np.column_stack([x, y]) + np.vstack([x, y]).T", _n((3,), (3,)), 2),
    # np.row_stack (vstack's other name) is gone from NumPy 2.5
    *([((np.row_stack,), "np.row_stack([x, y]).T * 2.0", _n((3,), (3,)), 2)]
      if hasattr(np, "row_stack") else []),
    ((np.atleast_1d, np.atleast_2d, np.atleast_3d),
     "np.atleast_1d(x) * np.atleast_2d(x) + np.atleast_3d(x)[0, 0, 0]", _n(()), 1),
    ((np.split, np.array_split, np.hsplit, np.vsplit),
     "np.split(x, 2)[1] * np.array_split(x, 3, axis=1)[0].sum() + np.hsplit(x, 3)[2].T"
     " @ x + np.vsplit(x, 2)[0]", _n((4, 3)), 1),
    ((np.compress,), "np.compress([True, False, True], x, axis=1)", _n((2, 3)), 1),
    ((np.diff,), "np.diff(x, 2, axis=0, prepend=1.0)", _n((4, 3)), 1),
    ((np.select,), "np.select([x > 0, x < -0.5], [x * 2, y], 3.0)", _n((3, 4), (3, 4)), 2),
    ((np.sinc,), "np.sinc(x)", _u(0.2, 0.8), 1),
    ((np.dsplit,), "np.dsplit(x, 2)[1]", _n((2, 2, 4)), 1),
    ((np.gradient,), "np.gradient(x, 0.5, axis=0)", _n((4, 3)), 1),
    ((np.pad,), "np.pad(x, 1, mode='constant', constant_values=2.0) + np.pad(x, 1, "
                "mode='reflect')", _n((3, 4)), 1),
    ((np.linspace,), "np.linspace(x, y, 5)", _n((3,), (3,)), 2),
    ((np.real, np.imag, np.real_if_close, np.angle),
     "np.real(x) + np.imag(x) + np.real_if_close(x) * np.angle(x)", _u(0.2, 1), 1),
    ((np.nan_to_num,), "np.nan_to_num(x)", _n((3, 4)), 1),
    ((np.sort,), "np.sort(x, axis=0) + np.sort(x, axis=None)[:4]", _n((3, 4)), 1),
    ((_ad.summed,), "_ad.summed([x, y], x)", _n((3,), (3,)), 2),
    ((_ad.field,), "_ad.field(x, 'b') * _ad.field(x, 'a')",
     lambda r: (Pair(r.normal(size=3), r.normal(size=3)),), 1),
    ((_ad.get_item,), "_ad.get_item(x, 'a', 0.0) * _ad.get_item(x, 'c', 2.0)",
     lambda r: ({"a": r.normal(size=3), "c": r.normal(size=3)},), 1),
    ((_ad.get_item,), "_ad.get_item(x, 'a', y) * _ad.get_item(x, 'b', y * y)",
     lambda r: ({"a": r.normal(size=3)}, r.normal(size=3)), 2),
    ((_ad.unget_item,), "_ad.unget_item(x, y, 'a')['a'] * 2.0",
     lambda r: (r.normal(size=3), {"a": r.normal(size=3), "b": r.normal(size=2)}), 1),
    ((np.partition,), "np.partition(x, 1, axis=1) + np.partition(x, 2, axis=None)[:4]",
     _n((3, 4)), 1),
    ((_ad.transposed, _ad.sorted_items, _ad.largest, _ad.smallest),
     "_ad.transposed([x, y])[1][0] * _ad.sorted_items([x[0], y[0], x[1]])[0]"
     " + _ad.largest([x[2], y[2]]) - _ad.smallest([x[1], y[1]])", _n((3,), (3,)), 2),
    # zip(*rows)'s adjoint, read again at second order (hessian through zip(*pair))
    ((_ad.untransposed,), "_ad.untransposed([(x[0] * 2.0, y[0]), (x[1], y[1] * 3.0)], "
     "[np.ones(2), np.ones(2)])[1] * 2.0 + _ad.untransposed([(x[0], x[1])], "
     "[np.ones(1), np.ones(1)])[0]", _n((2,), (2,)), 2),
    ((np.median,), "np.median(x, axis=0) * np.median(x) + np.median(x, axis=(0, 1), "
                   "keepdims=True)", _n((5, 3)), 1),
    ((_ad.unmedian,), "_ad.unmedian(y, x, 0)", _n((5, 3), (3,)), 2),
    ((_ad.median_tangent,), "_ad.median_tangent(x, y, 1, True)", _n((4, 3), (4, 3)), 2),
    ((np.interp,), "np.interp(x, z, y) + np.interp(x, z, y, left=0.5, right=-1.0)",
     lambda r: (r.uniform(-0.3, 2.3, 6), r.normal(size=4),
                np.array([0.0, 0.5, 1.2, 2.0]) + r.uniform(0, 0.05, 4)), 3),
    ((np.polyval,), "np.polyval(x, y)", _n((4,), (5,)), 2),
    *[((f,), f"np.{f.__name__}(x, y) + np.{f.__name__}(x ** 2, dx=z, axis=0)",
       lambda r: (r.normal(size=5), np.sort(r.normal(size=5)), 0.3 + r.uniform()), 3)
      for f in (getattr(np, "trapezoid", None), getattr(np, "trapz", None)) if f is not None],
    ((np.linalg.cholesky,), "np.linalg.cholesky(x)", _spd, 1),
    ((np.linalg.slogdet,), "np.linalg.slogdet(x)[1]", _spd, 1),
    ((np.linalg.eigvalsh,), "np.linalg.eigvalsh(x)", _spd, 1),
    ((np.linalg.eigh,), "np.linalg.eigh(x)[0] + np.linalg.eigh(x)[1][0] ** 2", _spd, 1),
    ((np.linalg.matrix_power,),
     "np.linalg.matrix_power(x, 3) + np.linalg.matrix_power(x, -2)", _spd, 1),
]
if hasattr(np, "matrix_transpose"):  # (NumPy >= 2.0)
    CASES.append(((np.matrix_transpose,), "np.matrix_transpose(x) + x.mT * 2.0",
                  _n((2, 3, 4)), 1))

_SOURCE = "".join(f"def case_{k}(x, y=None, z=None):\n    return {expr}\n\n\n"
                  for k, (_, expr, _, _) in enumerate(CASES))
_FILENAME = "<forward_rule_cases generated>"
linecache.cache[_FILENAME] = (len(_SOURCE), None, _SOURCE.splitlines(True), _FILENAME)
_NAMESPACE = {"np": np, "math": math, "copy": copy, "_ad": _ad, "_fwd": _fwd, "operator": operator,
              "Pair": Pair}
exec(compile(_SOURCE, _FILENAME, "exec"), _NAMESPACE)

FUNCTIONS = [(_NAMESPACE[f"case_{k}"], maker, n, expr)
             for k, (_, expr, maker, n) in enumerate(CASES)]
COVERED = {p for primitives, _, _, _ in CASES for p in primitives}
# (casts to a narrower float: their tangent is in its precision, which neither the
# exact dot product above nor central differences at 1e-6 can check; test_session35
# checks them in that precision)
COVERED |= {np.float32, np.float16}

try:  # SciPy's primitives, where SciPy is installed
    import scipy.special as _special
    import scipy.stats as _stats

    from autograd_src.rules import forward_scipy_rules  # noqa: F401
except ImportError:
    SCIPY_CASES = []
else:
    SCIPY_CASES = [
        ((_stats.norm.pdf, _stats.norm.logpdf, _stats.norm.cdf, _stats.norm.logcdf),
         "_stats.norm.pdf(x, y, z) + _stats.norm.logpdf(x, y, z) + _stats.norm.cdf(x, y, z)"
         " + _stats.norm.logcdf(x, y, z)",
         lambda r: (r.normal(size=(3, 4)), r.normal(size=(4,)), r.uniform(0.5, 2, (3, 1))), 3),
        ((_special.polygamma, _special.multigammaln),
         "_special.polygamma(1, x) + _special.multigammaln(x + 2.0, 2)", _u(0.5, 2), 1),
        ((_special.beta, _special.betaln, _special.xlogy, _special.xlog1py),
         "_special.beta(x, y) + _special.betaln(x, y) + _special.xlogy(x, y) "
         "+ _special.xlog1py(x, y)", _pair((0.5, 2), (0.5, 2)), 2),
        ((_special.jv, _special.yv, _special.iv, _special.ive),
         "_special.jv(1.5, x) + _special.yv(1.5, x) + _special.iv(1.5, x) + _special.ive(1.5, x)",
         _u(0.5, 2), 1),
        ((_special.jn, _special.yn), "_special.jn(2, x) + _special.yn(2, x)", _u(0.5, 2), 1),
        ((_special.softmax, _special.log_softmax),
         "_special.softmax(x, axis=1) * _special.log_softmax(x, axis=0)", _n((3, 4)), 1),
        ((_special.logsumexp,), "_special.logsumexp(x, axis=1)", _n((3, 4)), 1),
    ]
    _SCIPY_SOURCE = "".join(f"def scipy_case_{k}(x, y=None, z=None):\n    return {expr}\n\n\n"
                            for k, (_, expr, _, _) in enumerate(SCIPY_CASES))
    _SCIPY_FILE = "<forward_rule_cases scipy>"
    linecache.cache[_SCIPY_FILE] = (len(_SCIPY_SOURCE), None, _SCIPY_SOURCE.splitlines(True),
                                    _SCIPY_FILE)
    _SCIPY_NAMESPACE = {"np": np, "_special": _special, "_stats": _stats}
    exec(compile(_SCIPY_SOURCE, _SCIPY_FILE, "exec"), _SCIPY_NAMESPACE)
    FUNCTIONS += [(_SCIPY_NAMESPACE[f"scipy_case_{k}"], maker, n, expr)
                  for k, (_, expr, maker, n) in enumerate(SCIPY_CASES)]
    COVERED |= {p for primitives, _, _, _ in SCIPY_CASES for p in primitives}
