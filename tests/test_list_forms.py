"""Forms an independent tester found refused with advice that did not apply: in-place
list methods on a list of the function's own (``xs.insert``, ``xs.reverse()``,
``xs.sort()``, ``del xs[i]``), ``lst.extend(ws)`` of a parameter, sizes read in a
comprehension (``[p.size for p in ps]``) used as an index, ``copy.deepcopy(ps)`` and
``getattr(p, name)``. Each against finite differences (and second order for some);
the refusals that remain say what to write instead.
"""

import collections
import copy
import math

import numpy as np
import pytest

from autograd_src import grad, hvp, value_and_grad
from autograd_src.errors import DiffSyntaxError
from autograd_src.testing import check_grads


def inserted(ws):
    lst = list(ws)
    lst.insert(1, ws[0] * 2.0)
    return lst[0] * lst[1] + lst[2] ** 2


def reversed_in_place(ws):
    lst = list(ws)
    lst.reverse()
    return lst[0] * 3.0 + lst[1] ** 2


def sorted_in_place(ws):
    lst = [w * 1.0 for w in ws]
    lst.sort(key=abs, reverse=True)
    return lst[0] * 3.0 + lst[-1] ** 3


def deleted(ws, k=1):
    lst = list(ws)
    del lst[0], lst[-1]
    del lst[k]
    v = lst.pop(k - 2)
    return lst[0] * 3.0 + sum(lst) * v


def extended_by_a_parameter(ws, a):
    lst = [a]
    lst.extend(ws)
    lst.extend(np.array(ws) * a)
    return np.sum(np.array(lst) ** 2)


def sizes_as_an_index(ps):
    sizes = [p.size for p in ps]
    flat = np.concatenate([p.ravel() for p in ps])
    return np.sum(flat[:sizes[0]] ** 2) + np.sum(np.sin(flat[sizes[0]:]))


def deep_copied(ps):
    qs = copy.deepcopy(ps)
    qs[0] = qs[0] * 2.0
    return sum(np.sum(q ** 2) for q in qs) + np.sum(ps[0])


def deep_copied_pairs(ps):
    s = 0.0
    for W, b in copy.deepcopy(ps):
        s = s + np.sum(W ** 2) * b
    return s


P = collections.namedtuple("P", "a b")


def fields_by_name(p):
    s = 0.0
    for name in ("a", "b"):
        s = s + getattr(p, name) ** 2 * p.a
    return s


RNG = np.random.default_rng(5)
CASES = [
    (inserted, ([1.0, 2.0, 3.0],)),
    (reversed_in_place, ([1.0, 2.0, 3.0],)),
    (sorted_in_place, ([3.0, -1.0, 2.0],)),
    (deleted, ([1.0, 2.0, 3.0, 5.0, 0.5, 0.7],)),
    (extended_by_a_parameter, ([1.0, 2.0], 0.5)),
    (sizes_as_an_index, ([RNG.normal(size=2), RNG.normal(size=(2, 2))],)),
    (deep_copied, ([RNG.normal(size=2), RNG.normal(size=3)],)),
    (deep_copied_pairs, ([(RNG.normal(size=2), 1.5), (RNG.normal(size=3), 2.0)],)),
    (fields_by_name, (P(1.5, np.array([2.0, 1.0])),)),
]


@pytest.mark.parametrize("f, args", CASES, ids=[f.__name__ for f, _ in CASES])
def test_against_finite_differences(f, args):
    check_grads(f, *args)


@pytest.mark.parametrize("f, args", [CASES[0], CASES[4], CASES[7], CASES[8]],
                         ids=lambda c: getattr(c, "__name__", ""))
def test_second_order_against_differences_of_the_gradient(f, args):
    g = grad(f)(*args)
    v = copy.deepcopy(g)  # a direction with the argument's structure
    got = hvp(f)(*args, v)
    eps = 1e-6

    def moved(x, d, s):
        if isinstance(x, (list, tuple)):
            items = [moved(a, b, s) for a, b in zip(x, d)]
            return type(x)(*items) if hasattr(x, "_fields") else type(x)(items)
        return x + s * d

    plus = grad(f)(moved(args[0], v, eps), *args[1:])
    minus = grad(f)(moved(args[0], v, -eps), *args[1:])

    def flat(x):
        if isinstance(x, (list, tuple)):
            return np.concatenate([flat(a) for a in x])
        return np.ravel(np.asarray(x, dtype=float))

    np.testing.assert_allclose(flat(got), (flat(plus) - flat(minus)) / (2 * eps),
                               rtol=1e-5, atol=1e-6)


def _sort_array(x):
    y = x * 2.0
    y.sort()
    return np.sum(y)


def _delete_a_key(p):
    d = dict(p)
    del d["a"]
    return d["b"] ** 2


def _reverse_a_shared_list(ws):
    lst = ws
    lst.reverse()
    return lst[0]


def _shifted(ps):
    return [p + 1.0 for p in ps]


def _append_to_a_helpers_list(ps):
    q = _shifted(ps)
    q.append(q[0] ** 2)
    return sum(q)


@pytest.mark.parametrize("f, args, advice", [
    (_append_to_a_helpers_list, ([0.3, -0.8],), "q = list(q)"),
    (_sort_array, (np.array([3.0, 1.0]),), "y = np.sort(y)"),
    (_delete_a_key, ({"a": 1.0, "b": 2.0},), "d = {k: v for k, v in d.items() if k != 'a'}"),
])
def test_what_is_still_refused_says_what_to_write(f, args, advice):
    with pytest.raises(DiffSyntaxError) as info:
        grad(f)(*args)
    assert advice in str(info.value)
    assert "test_list_forms.py" in str(info.value)


# A list literal added to a list the function does not make (a module's, a closure's,
# an object's, an item of a dict): generated as NumPy's sum (np.array([x]) broadcast
# against it), value and gradient wrong (tester K). Only the run tells a list (joined)
# from an array (summed): `_ad.plus` decides then.
_KN = [1.0, 2.0, 3.0]
_KT = (1.0, 2.0, 3.0)
_CFG = {"knots": [1.0, 2.0, 3.0]}


class _Knots:
    shared = [1.0, 2.0, 3.0]

    def __init__(self):
        self.own = [1.0, 2.0, 3.0]

    def by_instance(self, x):
        return np.sum(np.array(self.own + [x]) ** 2)

    def by_class(self, x):
        return np.sum(np.array(self.shared + [x]) ** 2)


def _closing_over_knots():
    kn = [1.0, 2.0, 3.0]

    def f(x):
        return np.sum(np.array(kn + [x]) ** 2)
    return f


def _alias(x):
    kn = _KN
    return np.sum(np.array(kn + [x]) ** 2)


def _on_the_right(x):
    ys = [x]
    ys = _KN + ys
    return np.sum(np.array(ys) ** 2)


def _extended(x):
    ys = [x]
    ys += _KN
    return np.sum(np.array(ys) ** 2)


def _looped(x):
    t = 0.0
    for v in _KN + [x]:
        t = t + v * v
    return t


def _summed_with_an_array(x):  # a list literal and an array: NumPy's sum, as before
    return np.sum((np.array([1.0, 2.0]) + [x, 2 * x]) ** 2)


@pytest.mark.parametrize("f", [
    lambda x: np.sum(np.array(_KN + [x]) ** 2), lambda x: np.sum(np.array(_KT + (x,)) ** 2),
    lambda x: np.sum(np.array(_CFG["knots"] + [x]) ** 2),
    lambda x: np.mean(np.array(_KN[:2] + [x]) ** 2), lambda x: sum(_KN + [x]),
    _Knots().by_instance, _Knots().by_class, _closing_over_knots(), _alias, _on_the_right,
    _extended, _looped, _summed_with_an_array,
], ids=["global", "tuple", "dict item", "slice", "builtin sum", "instance", "class",
        "closure", "alias", "on the right", "+=", "loop", "array"])
def test_a_list_literal_joined_to_a_list_the_function_did_not_make(f):
    value, gradient = value_and_grad(f)(0.7)
    assert value == pytest.approx(f(0.7))
    check_grads(f, 0.7)


def _counted(x):
    d = collections.defaultdict(float)
    d["a"] = x[0] * 2
    return d["a"] * d["b"] + d["a"] + d["a"] ** 2


def _fields(x):
    st = np.empty(3, dtype=[("a", float), ("b", float)])
    st["a"] = x
    return np.sum(st["a"])


def test_a_defaultdict_of_differentiated_values_and_a_structured_array():
    # crashed inside the runtime (IndexError: the defaultdict made an array; tester K)
    check_grads(_counted, np.array([1.2, -0.5, 2.0]))
    with pytest.raises(TypeError, match="structured array"):
        grad(_fields)(np.ones(3))


def _iterated_then_extended(x):
    xs = [x, 2.0 * x]
    total = 0.0
    for t in xs:
        total = total + t
    xs.append(x * total)
    return sum(xs)


def _sliced_copy_extended(x):
    ys = [x, 1.0]
    xs = ys[:]
    xs.append(x * 3)
    return sum(xs) * sum(ys)


def _sliced_copy_item_updated(x):
    ys = [x * 1.0, x * 2.0]
    xs = ys[:]
    xs[1] *= 3.0  # the item is ys[1]'s array: NumPy changes it there too
    return np.sum(ys[1] * xs[0])


def test_a_list_iterated_or_copied_by_a_slice_may_grow():
    # refused: "adding to xs while it may be shared with another name" (tester I: 46
    # of 1003 random programs); a loop shares the items, a slice copies the list
    check_grads(_iterated_then_extended, 0.7)
    check_grads(_sliced_copy_extended, 0.7)
    from autograd_src import InPlaceUpdateError
    with pytest.raises(InPlaceUpdateError, match=r"xs\[1\] \*= 3.0"):
        grad(_sliced_copy_item_updated)(np.array([0.5, -1.0]))


_BOUNDS = (-0.5, 0.5)
_KT = (1.0, 2.0)


def _clipped_by_star(x):
    return np.sum(np.clip(x, *_BOUNDS) ** 2) + math.log(x[0] + 2.0, *[2.0])


def _extended_by_a_tuple(x):
    ys = [x[0], x[1]]
    ys += _KT
    ys += (x[2], 2.0)
    ys += range(2)
    return np.sum(np.asarray(ys) ** 2)


def _tuple_extended(x):
    ys = (x[0], 1.0)
    ys += (x[1], 2.0)
    return np.sum(np.asarray(ys) ** 2)


def _repeated(x, n):
    ys = [x[0], x[2]] * n
    return np.sum(np.asarray(ys) ** 2) + x[1]


def test_stars_tuples_and_repetitions_of_lists():
    # each crashed in generated code (tester M): a SyntaxError for *BOUNDS into a rule's
    # function, 'can only concatenate list (not "tuple")', an IndexError for [x] * 0
    from autograd_src import jvp
    x = np.array([0.3, -0.7, 1.1])
    check_grads(_clipped_by_star, x)
    check_grads(_extended_by_a_tuple, x)
    check_grads(_tuple_extended, x)
    for n in (2, 1, 0, False):
        check_grads(_repeated, x, n)
    _, tangent = jvp(_extended_by_a_tuple, (x,), (np.ones(3),))
    assert tangent == pytest.approx(np.sum(grad(_extended_by_a_tuple)(x)))


def _adam_like_state(x):
    p = {"w": x * 1.0}
    m = {k: np.zeros_like(v) for k, v in p.items()}
    for k in ["w"]:
        m[k] = 0.9 * m[k] + p[k]
        p[k] = p[k] - 0.1 * m[k]
    return np.sum(p["w"] ** 2)


def _zeros_per_key(x):
    p = {"w": x * 1.0}
    m = {k: np.zeros(2) for k in p}
    return np.sum(m["w"]) + np.sum(p["w"] ** 2)


def test_optimizer_state_in_a_dict_built_by_a_comprehension():
    # crashed in generated code: 'dict + dict' (the state's adjoint summed with +) and
    # KeyError 0 (a dict of the function's own iterated by position); tester Q
    check_grads(_adam_like_state, np.array([1.0, -2.0]))
    check_grads(_zeros_per_key, np.array([1.0, -2.0]))


def test_a_list_argument_reversed_through_another_name_for_it():
    # (refused before session 37: lst = ws is ws itself throughout, which is reversed
    # in place as Python does, and differentiated as such)
    ws = [1.0, 2.0]
    assert grad(_reverse_a_shared_list)(ws) == [0.0, 1.0]
    assert ws == [2.0, 1.0]
