"""Rules for Python's builtins on lists, tuples and dicts of values: ``zip(*rows)``,
``sum(xs, start)``, ``max(xs)``, ``min(xs)``, ``sorted(xs)`` and dict keys.

The normalizer writes these calls as the runtime functions below (``max(xs)`` is
``_ad.largest(xs)``), whose adjoints send each item's adjoint back to its position.
"""

from __future__ import annotations

from . import runtime as _ad
from .jvp import defjvp
from .registry import defvjp, nondifferentiable

nondifferentiable(_ad.keys, _ad.order_of, _ad.extreme_position, _ad.end_shape)


@defvjp(_ad.transposed)
def transposed(g, ans, rows):
    return _ad.untransposed(g, rows)


@defvjp(_ad.summed)
def summed(g, ans, items, start):
    return _ad.unsummed(g, items, start, 0), _ad.unsummed(g, items, start, 1)


@defvjp(_ad.sorted_items, n_inputs=1)
def sorted_items(g, ans, items, key=None, reverse=False):
    return _ad.unsorted(g, items, key, reverse)


@defvjp(_ad.in_order, n_inputs=1)
def in_order(g, ans, items, order):
    return _ad.unordered(g, items, order)


@defvjp(_ad.largest, n_inputs=1)
def largest(g, ans, items, key=None):
    return _ad.unextreme_item(g, items, key, True)


@defvjp(_ad.smallest, n_inputs=1)
def smallest(g, ans, items, key=None):
    return _ad.unextreme_item(g, items, key, False)


@defvjp(_ad.field, n_inputs=1)
def field(g, ans, x, name):
    return _ad.unfield(g, x, name)


@defvjp(_ad.get_item, n_inputs=3)
def get_item(g, ans, d, key, default):
    return (_ad.unget_item(g, d, key), None,
            _ad.zeros_like(default) if key in d else g)


@defvjp(_ad.merged)
def merged(g, ans, a, b):
    return _ad.unmerged(g, a, b, 0), _ad.unmerged(g, a, b, 1)


@defjvp(_ad.merged, all_inputs=True)
def merged_jvp(g, ans, a, b):
    return _ad.merged(g[0], g[1])


@defvjp(_ad.rebuilt_like, n_inputs=2)
def rebuilt_like(g, ans, items, like):
    return _ad.unlist(g, items), _ad.zeros_like(like)  # (like: read for its type)


@defvjp(_ad.construct, n_inputs=2)
def construct(g, ans, cls, *values):
    return None, tuple(g)


@defjvp(_ad.construct)
def construct_jvp(g, ans, cls, *values):
    return None, _ad.construct(cls, *g)


@defvjp(_ad.replaced)
def replaced(g, ans, x, names, values):
    return _ad.unreplaced(g, x, names), None, _ad.replaced_fields(g, x, names)


@defjvp(_ad.replaced, all_inputs=True)
def replaced_jvp(g, ans, x, names, values):
    return _ad.replaced_tangent(g[0], g[2], x, names)


# (the adjoint's helpers, linear in the adjoint: second order differentiates them)
@defvjp(_ad.unreplaced, n_inputs=1)
def unreplaced_vjp(g, ans, adjoint, x, names):
    return _ad.unreplaced(g, x, names)


@defjvp(_ad.unreplaced)
def unreplaced_jvp(g, ans, adjoint, x, names):
    return _ad.unreplaced(g, x, names)


@defvjp(_ad.replaced_fields, n_inputs=1)
def replaced_fields_vjp(g, ans, adjoint, x, names):
    return _ad.fields_placed(g, x, names)


@defjvp(_ad.replaced_fields)
def replaced_fields_jvp(g, ans, adjoint, x, names):
    return _ad.replaced_fields(g, x, names)


@defvjp(_ad.fields_placed, n_inputs=1)
def fields_placed_vjp(g, ans, values, x, names):
    return _ad.replaced_fields(g, x, names)


@defjvp(_ad.fields_placed)
def fields_placed_jvp(g, ans, values, x, names):
    return _ad.fields_placed(g, x, names)


# Checks of calls, not values: nothing to differentiate.
nondifferentiable(_ad.kwargs_without, _ad.left_to_default, _ad.still_bound)
