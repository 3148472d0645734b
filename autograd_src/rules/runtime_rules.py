"""Rules of the runtime helpers that generated derivatives call, so that a derivative
can be differentiated again (`hessian`, `hvp`: forward mode over `grad`'s code).

Each helper is linear in the adjoint it is given and reads its other arguments
for their shapes (or, for products, is linear in them too); its tangent applies
it to the tangents, its adjoint is its transpose. Arguments read only for their
shape carry no tangent (``None``) and get a zero adjoint.
"""

from __future__ import annotations

import numpy as np

from . import runtime as _ad
from .jvp import defjvp
from .registry import defvjp, lookup, nondifferentiable
from .runtime import forward as _fwd


@defvjp(_ad.seed)
def seed(g, ans, dout, out=0.0):
    return _ad.unbroadcast(g, dout), _ad.zeros_like(out)


@defjvp(_ad.seed)
def seed_jvp(g, ans, dout, out=0.0):
    return _ad.seed(g, out), None


@defvjp(_ad.diagonal_fill_value)
def diagonal_fill_value(g, ans, value):
    return g


@defjvp(_ad.diagonal_fill_value)
def diagonal_fill_value_jvp(g, ans, value):
    return g


@defvjp(_ad.unbroadcast)
def unbroadcast(g, ans, grad, x):
    return _fwd.broadcast(g, grad), _ad.zeros_like(x)


@defjvp(_ad.unbroadcast)
def unbroadcast_jvp(g, ans, grad, x):
    return _ad.unbroadcast(g, x), None


@defvjp(_ad.unreduce)
def unreduce(g, ans, grad, x, axis=None, keepdims=False):
    return _fwd.reduce_like(g, grad, axis, keepdims), _ad.zeros_like(x)


@defjvp(_ad.unreduce)
def unreduce_jvp(g, ans, grad, x, axis=None, keepdims=False):
    return _ad.unreduce(g, x, axis, keepdims), None


@defvjp(_ad.unmean)
def unmean(g, ans, grad, x, axis=None, keepdims=False):
    return _fwd.reduce_like(g, grad, axis, keepdims) / _fwd.count(x, axis), _ad.zeros_like(x)


@defjvp(_ad.unmean)
def unmean_jvp(g, ans, grad, x, axis=None, keepdims=False):
    return _ad.unmean(g, x, axis, keepdims), None


@defvjp(_ad.unmedian)
def unmedian(g, ans, grad, x, axis=None, keepdims=False):
    # (the weights of the middle entries change only where the order does: none)
    return _ad.median_tangent(g, x, axis, keepdims), _ad.zeros_like(x)


@defjvp(_ad.unmedian)
def unmedian_jvp(g, ans, grad, x, axis=None, keepdims=False):
    return _ad.unmedian(g, x, axis, keepdims), None


@defvjp(_ad.median_tangent)
def median_tangent(g, ans, tangent, x, axis=None, keepdims=False):
    return _ad.unmedian(g, x, axis, keepdims), _ad.zeros_like(x)


@defjvp(_ad.median_tangent)
def median_tangent_jvp(g, ans, tangent, x, axis=None, keepdims=False):
    return _ad.median_tangent(g, x, axis, keepdims), None


@defvjp(_ad.unindex)
def unindex(g, ans, grad, x, index):
    return g[index], _ad.zeros_like(x)


@defjvp(_ad.unindex)
def unindex_jvp(g, ans, grad, x, index):
    return _ad.unindex(g, x, index), None


@defvjp(_ad.scattered)
def scattered(g, ans, v, x, index):
    return _ad.unbroadcast(g[index], v), _ad.zeros_like(x)


@defjvp(_ad.scattered)
def scattered_jvp(g, ans, v, x, index):
    return _ad.scattered(g, x, index), None


@defvjp(_ad.cast_like)
def cast_like(g, ans, grad, x):
    return _ad.cast_like(g, grad), _ad.zeros_like(x)


@defjvp(_ad.cast_like)
def cast_like_jvp(g, ans, grad, x):
    return _ad.cast_like(g, x), None


@defvjp(_ad.through_cast)
def through_cast(g, ans, grad, dtype):
    return _ad.through_cast(g, dtype)


@defjvp(_ad.through_cast)
def through_cast_jvp(g, ans, grad, dtype):
    return _ad.through_cast(g, dtype)


@defvjp(_ad.add)
def add(g, ans, a, b):
    return g, g


@defjvp(_ad.add, all_inputs=True)
def add_jvp(g, ans, a, b):
    return _ad.add(g[0], g[1])


@defvjp(_ad.zero_at)
def zero_at(g, ans, grad, index):
    return _ad.zero_at(g, index)


@defjvp(_ad.zero_at)
def zero_at_jvp(g, ans, grad, index):
    return _ad.zero_at(g, index)


@defvjp(_ad.written)
def written(g, ans, grad, index):
    # The transpose of keeping the last of repeated positions is assigning, which
    # keeps the last too.
    return _ad.setitem(_ad.zeros_like(grad), index, g)


@defjvp(_ad.written)
def written_jvp(g, ans, grad, index):
    return _ad.written(g, index)


@defvjp(_ad.copied, _ad.copied_through)
def copied(g, ans, part):
    return g


@defjvp(_ad.copied)
def copied_jvp(g, ans, part):
    return _ad.copied(g)


@defvjp(_ad.in_place_of)
def in_place_of(g, ans, new, old):
    """(the value is ``new``'s: ``old`` is read for the caller's array it stands for,
    an item of a list or dict, which may carry gradient itself: s['m'] += x, then
    s['v'] *= 0.9; none flows to it through this: a known zero, which adds nothing)"""
    return g, _ad.zero_item(old)


@defjvp(_ad.in_place_of)
def in_place_of_jvp(g, ans, new, old):
    return g, None


@defjvp(_ad.copied_through)
def copied_through_jvp(g, ans, value):
    return _ad.copied_through(g)


@defvjp(_ad.log_or_zero)
def log_or_zero(g, ans, x):
    return g * _fwd.inverse_or_zero(x)


@defjvp(_ad.log_or_zero)
def log_or_zero_jvp(g, ans, x):
    return g * _fwd.inverse_or_zero(x)


@defvjp(_ad.matmul_lhs)
def matmul_lhs(g, ans, grad, x, y):
    return (_ad.unbroadcast(np.matmul(g, y), grad), _ad.zeros_like(x),
            _ad.matmul_rhs(grad, g, y))


@defjvp(_ad.matmul_lhs)
def matmul_lhs_jvp(g, ans, grad, x, y):
    return _ad.matmul_lhs(g, x, y), None, _ad.matmul_lhs(grad, x, g)


@defvjp(_ad.matmul_rhs)
def matmul_rhs(g, ans, grad, x, y):
    return (_ad.unbroadcast(np.matmul(x, g), grad), _ad.matmul_lhs(grad, x, g),
            _ad.zeros_like(y))


@defjvp(_ad.matmul_rhs)
def matmul_rhs_jvp(g, ans, grad, x, y):
    return _ad.matmul_rhs(g, x, y), _ad.matmul_rhs(grad, g, y), None


@defvjp(_ad.dot_lhs)
def dot_lhs(g, ans, grad, x, y):
    return _ad.unbroadcast(np.dot(g, y), grad), _ad.zeros_like(x), _ad.dot_rhs(grad, g, y)


@defjvp(_ad.dot_lhs)
def dot_lhs_jvp(g, ans, grad, x, y):
    return _ad.dot_lhs(g, x, y), None, _ad.dot_lhs(grad, x, g)


@defvjp(_ad.dot_rhs)
def dot_rhs(g, ans, grad, x, y):
    return _ad.unbroadcast(np.dot(x, g), grad), _ad.dot_lhs(grad, x, g), _ad.zeros_like(y)


@defjvp(_ad.dot_rhs)
def dot_rhs_jvp(g, ans, grad, x, y):
    return _ad.dot_rhs(g, x, y), _ad.dot_rhs(grad, g, y), None


@defvjp(_ad.unextreme)
def unextreme(g, ans, grad, extreme, x, axis=None, keepdims=False):
    return (_fwd.reduce_like(g * _ad.unextreme(np.ones_like(grad), extreme, x, axis, keepdims),
                             grad, axis, keepdims),
            _ad.zeros_like(extreme), _ad.zeros_like(x))


@defjvp(_ad.unextreme)
def unextreme_jvp(g, ans, grad, extreme, x, axis=None, keepdims=False):
    return _ad.unextreme(g, extreme, x, axis, keepdims), None, None


@defvjp(_ad.unvar)
def unvar(g, ans, grad, x, axis=None, ddof=0, keepdims=False):
    return (_fwd.reduce_like(g * _ad.unvar(np.ones_like(grad), x, axis, ddof, keepdims),
                             grad, axis, keepdims),
            _ad.unvar(1.0, g * _ad.keep_reduced_dims(grad, x, axis, keepdims), axis, ddof,
                      True))


@defjvp(_ad.unvar)
def unvar_jvp(g, ans, grad, x, axis=None, ddof=0, keepdims=False):
    return _ad.unvar(g, x, axis, ddof, keepdims), _ad.unvar(grad, g, axis, ddof, keepdims)


# ----- the forward-mode helpers (_fwd), which tangent code and the rules above call -----


@defvjp(_fwd.broadcast)
def broadcast(g, ans, t, like):
    return _ad.unbroadcast(g, t), _ad.zeros_like(like)


@defjvp(_fwd.broadcast)
def broadcast_jvp(g, ans, t, like):
    return _fwd.broadcast(g, like), None


@defvjp(_fwd.reduce_like)
def reduce_like(g, ans, t, like, axis=None, keepdims=False):
    return _fwd.spread_like(g, t, axis, keepdims), _ad.zeros_like(like)


@defjvp(_fwd.reduce_like)
def reduce_like_jvp(g, ans, t, like, axis=None, keepdims=False):
    return _fwd.reduce_like(g, like, axis, keepdims), None


@defvjp(_fwd.spread_like)
def spread_like(g, ans, t, like, axis=None, keepdims=False):
    return _fwd.reduce_like(g, t, axis, keepdims), _ad.zeros_like(like)


@defjvp(_fwd.spread_like)
def spread_like_jvp(g, ans, t, like, axis=None, keepdims=False):
    return _fwd.spread_like(g, like, axis, keepdims), None


@defvjp(_fwd.sum_reduced)
def sum_reduced(g, ans, t, axis=None, keepdims=False):
    return _ad.unreduce(g, t, axis, keepdims)


@defjvp(_fwd.sum_reduced)
def sum_reduced_jvp(g, ans, t, axis=None, keepdims=False):
    return _fwd.sum_reduced(g, axis, keepdims)


@defvjp(_fwd.gathered_items)
def gathered_items(g, ans, parts, grad, a):
    """Linear in ``parts`` (the items' adjoints stacked back): its adjoint splits them
    again, as `like_input` does, in the parts' shapes."""
    return _ad.unbroadcast(_ad.like_input(g, a), parts), _ad.zeros_like(grad), _ad.zeros_like(a)


@defjvp(_fwd.gathered_items)
def gathered_items_jvp(g, ans, parts, grad, a):
    return _fwd.gathered_items(g, grad, a), None, None


@defvjp(_fwd.inverse_or_zero)
def inverse_or_zero(g, ans, x):
    return -g * ans ** 2


@defjvp(_fwd.inverse_or_zero)
def inverse_or_zero_jvp(g, ans, x):
    return -g * ans ** 2


for _helper in (_ad.zeros_like, _ad.zero_items, _ad.zero_item, _ad.clip_mask, _ad.shape_of,
                _ad.dtype_of,
                _ad.is_first, _ad.alone, _ad.apart_from_what_adjoints_read,
                _ad.apart_from_what_a_method_writes, _ad.logged_apart, _ad.floating,
                _ad.not_an_array, _ad.item_alone,
                _ad.not_a_container, _ad.a_dict, _ad.integer_index,
                _ad.other_items, _ad.written_back, _ad.written_back_all, _ad.zip_length,
                _ad.updated_in_place,
                _ad.extended_in_place, _ad.refused, _ad.no_array_within,
                _fwd.count,
                _fwd.zero):
    if lookup(_helper) is None:
        nondifferentiable(_helper)
