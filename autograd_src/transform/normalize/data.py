"""Mutable data in active code: assignment into arrays, lists, comprehensions, unpacking.

Updates of differentiated containers become functional (``y = _ad.setitem(y, i,
v)``, ``xs = _ad.appended(xs, v)``), which is exact only while no other name
shares the container; that is checked, and refused with a clear error otherwise.
"""

from __future__ import annotations

import copy
import functools
import weakref
from typing import Any, Optional

import gast
import numpy as np

from ...rules import numpy_rules, registry, runtime
from .. import mutation
from ..desugar import loop_over_positions
from ..ir import Op, Primal, assign_node, base_of, is_trivial, name_node, walk
from ..naming import clone, describe
from .expressions import AUG_SYMBOLS

__all__ = ["DataNormalizer"]


#: NumPy functions that always return a new array (never a list, a number or a view).
_ARRAY_MAKERS = frozenset({
    np.zeros, np.ones, np.empty, np.full, np.zeros_like, np.ones_like, np.empty_like,
    np.full_like, np.array, np.copy, np.linspace, np.arange, np.eye, np.identity})


# fn -> (its code, what `_copy_returned` found): weakly, so a closure given to grad is
# not kept alive by this (its code compared, so a def reloaded in place is read again)
_COPIES_RETURNED: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _copy_returned(fn: Any) -> Optional[frozenset]:
    """For a helper of the user's whose every ``return`` gives a new array, the positions
    of the parameters that must be given arrays for it to be one: ``u = u0.copy()``
    (then written into, ``u[1:-1] += ...``) needs ``u0`` an array (a list's copy is a
    list); ``np.copy(u0)``, ``np.zeros(n)`` need nothing. None for any other helper."""
    import inspect
    if not inspect.isfunction(fn):
        return None
    known = _COPIES_RETURNED.get(fn)
    if known is not None and known[0] is fn.__code__:
        return known[1]
    found = _copies_returned_read(fn)
    _COPIES_RETURNED[fn] = (fn.__code__, found)
    return found


def _copies_returned_read(fn: Any) -> Optional[frozenset]:
    from .. import source
    try:
        if not mutation.is_user_function(fn):
            return None
        parsed = source.parse_function(fn)
    except Exception:  # noqa: BLE001 - no source, a builtin: not known to make one
        return None
    node = parsed.node
    params = [a.id for a in node.args.posonlyargs + node.args.args]
    own = [n for n in walk(node) if not isinstance(n, (gast.FunctionDef, gast.Lambda))
           or n is node]
    if any(isinstance(n, (gast.FunctionDef, gast.Lambda, gast.Global, gast.Nonlocal))
           and n is not node for n in walk(node)):
        return None  # (nested code could rebind what is returned)
    returns = [n for n in own if isinstance(n, gast.Return)]
    if not returns or any(not isinstance(r.value, gast.Name) for r in returns):
        return None
    needed: set = set()
    for name in {r.value.id for r in returns}:
        if name in params:
            return None
        stores = [n for n in walk(node) if isinstance(n, gast.Name) and n.id == name
                  and isinstance(n.ctx, (gast.Store, gast.Del))]
        values = [a.value for a in walk(node) if isinstance(a, gast.Assign) and
                  any(isinstance(t, gast.Name) and t.id == name for t in a.targets)]
        updated = [a for a in walk(node) if isinstance(a, gast.AugAssign) and
                   isinstance(a.target, gast.Name) and a.target.id == name]
        if not values or len(stores) != len(values) + len(updated):
            return None
        for value in values:
            if not isinstance(value, gast.Call):
                return None
            made_by = parsed.resolve(value.func)
            if made_by in _ARRAY_MAKERS:
                continue
            copied = value.func.value if isinstance(value.func, gast.Attribute) and \
                value.func.attr == "copy" and not value.args else None
            if not (isinstance(copied, gast.Name) and copied.id in params) or any(
                    isinstance(n, gast.Name) and n.id == copied.id and
                    isinstance(n.ctx, (gast.Store, gast.Del)) for n in walk(node)):
                return None
            needed.add(params.index(copied.id))
    return frozenset(needed)


def _only_read(parsed: Any, name: str) -> bool:
    """Whether the function only reads items, attributes or values of ``name``
    (``p[0]``, ``p.shape``, ``np.sum(p)``): nothing stored into it, no method called
    on it, no other name or container given it, never passed whole to a call other than
    NumPy's and math's (which keep nothing)."""
    allowed: set = set()
    occurrences = []
    for node in walk(parsed.node):
        if isinstance(node, gast.Name) and node.id == name:
            occurrences.append(node)
        elif isinstance(node, gast.Subscript) and isinstance(node.ctx, gast.Load) and \
                isinstance(node.value, gast.Name) and node.value.id == name:
            allowed.add(id(node.value))
        elif isinstance(node, gast.Attribute) and isinstance(node.ctx, gast.Load) and \
                node.attr in ("shape", "ndim", "size", "dtype", "T") and \
                isinstance(node.value, gast.Name) and node.value.id == name:
            allowed.add(id(node.value))
        elif isinstance(node, gast.Call):
            module = getattr(parsed.resolve(node.func), "__module__", None) or ""
            if module.startswith(("numpy", "math")) and not node.keywords:
                allowed |= {id(a) for a in node.args if isinstance(a, gast.Name)}
    return all(isinstance(n.ctx, gast.Param) or id(n) in allowed for n in occurrences)


class DataNormalizer:
    """Normalizes statements on containers; mixed into the statement normalizer."""

    def append(self, name: str, item: gast.expr, call: gast.Call, method: str) -> None:
        """``xs.append(v)`` or ``xs.extend(vs)`` with differentiated values, as a new list:
        ``xs = _ad.appended(xs, v)``, ``xs = _ad.extended(xs, vs)``."""
        if name not in self.owned:
            kept = self.given_away_at.get(name)
            if kept is not None:
                raise self.error(call, f"adding to {name} after it was given to "
                                       f"{kept[0]}() at {kept[1]}, which may keep it (on an "
                                       "object, in a module's list): grad would add to a "
                                       f"new list, which what {kept[0]}() kept would not "
                                       f"see. Give {kept[0]}() the list once it is "
                                       "complete, or keep the values elsewhere")
            raise self.error(call, f"adding to {name} while it may be shared with another "
                                   f"name is not supported: build a list of its own "
                                   f"({name} = [] or list(...))")
        atom = self.atom(item)
        if not self.is_active(atom):
            atom = self.hoist(atom, describe(atom))
        elif method == "extend" and not isinstance(atom, gast.Name):
            raise self.error(item, f"{name}.extend() needs a list, a tuple or an array: "
                                   "a literal or a variable")
        helper = "appended" if method == "append" else "extended"
        ad = name_node(self.namer.reference(runtime, "_ad"))
        value = gast.Call(func=gast.Attribute(value=ad, attr=helper, ctx=gast.Load()),
                          args=[name_node(name), atom], keywords=[])
        inputs = [self._active_name(name_node(name)), self._active_name(atom)]
        primitive = getattr(runtime, helper)
        self.emit_op(name, value, registry.lookup(primitive), inputs,
                     dict(zip(registry.lookup(primitive).params, [name_node(name), atom])))
        self.owned.add(name)
        self.lists.add(name)
        self.all_lists.add(name)

    def comprehension(self, expr: Any) -> str:
        """``[f(x) for x in xs if c]`` as a loop appending to a new list; ``{k: f(x) for
        ...}`` as one assigning into a new dict."""
        name = self.namer.fresh("items")
        origin = self.origin
        if isinstance(expr, gast.DictComp):
            store = gast.Subscript(value=name_node(name), slice=expr.key, ctx=gast.Store())
            add: gast.stmt = gast.Assign(targets=[store], value=expr.value, type_comment=None)
            empty: gast.expr = gast.Dict(keys=[], values=[])
        else:
            add = gast.Expr(value=gast.Call(
                func=gast.Attribute(value=name_node(name), attr="append", ctx=gast.Load()),
                args=[expr.elt], keywords=[]))
            empty = gast.List(elts=[], ctx=gast.Load())
        body: list = [gast.copy_location(add, expr)]
        for generator in reversed(expr.generators):
            for condition in reversed(generator.ifs):
                body = [gast.copy_location(gast.If(test=condition, body=body, orelse=[]),
                                           expr)]
            loop = gast.copy_location(gast.For(target=generator.target, iter=generator.iter,
                                               body=body, orelse=[], type_comment=None), expr)
            by_key = self.loop_over_keys(loop)
            if by_key is loop:
                by_key = self.over_keys(loop)  # {k: p[k] - lr * g[k] for k in p}
            body = [by_key] if by_key is not loop else \
                loop_over_positions(self.parsed, self.namer, loop)
        self.statement(assign_node(name, empty, expr))
        for stmt in body:
            self.statement(stmt)
        self.origin = origin
        self.comprehensions.add(name)
        return name

    def loop_over_keys(self, loop: gast.For) -> gast.For:
        """``for k, v in d.items()`` (``d.values()``, ``d.keys()``) as ``for k in
        _ad.keys(d): k, v = k, d[k]``: the keys stay constants, each value is read by its
        key (differentiated or not). ``loop`` itself for any other loop."""
        it = loop.iter
        if not (isinstance(it, gast.Call) and isinstance(it.func, gast.Attribute)
                and it.func.attr in ("items", "values", "keys") and not it.args
                and not it.keywords and isinstance(it.func.value, gast.Name)):
            return loop
        subject = it.func.value
        if any(isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store) and
               n.id == subject.id for s in [loop.target] + loop.body for n in walk(s)):
            # for d in d.values(): the dict the loop started with, held apart
            held = self.namer.fresh(f"{subject.id}_items")
            self.statement(gast.copy_location(assign_node(held, name_node(subject.id), loop),
                                              loop))
            subject = name_node(held)
        key = self.namer.fresh("key")
        keys = gast.Call(func=gast.Attribute(value=name_node(self.namer.reference(
            runtime, "_ad")), attr="keys", ctx=gast.Load()), args=[subject], keywords=[])
        value = gast.Subscript(value=name_node(subject.id), slice=name_node(key),
                               ctx=gast.Load())
        item: gast.expr = {"items": gast.Tuple(elts=[name_node(key), value], ctx=gast.Load()),
                           "values": value, "keys": name_node(key)}[it.func.attr]
        unpack = gast.copy_location(gast.Assign(targets=[loop.target], value=item,
                                                type_comment=None), loop)
        return gast.copy_location(gast.For(target=name_node(key, gast.Store()), iter=keys,
                                           body=[unpack] + loop.body, orelse=loop.orelse,
                                           type_comment=None), loop)

    def assign_item(self, target: gast.Subscript, name: str, value: gast.expr,
                    original: gast.stmt) -> None:
        """``y[i] = v`` on a differentiated array: ``y = _ad.setitem(y, i, v)``, a new array.

        The update is functional, so no other name can see it; that is exact only
        when nothing else refers to ``y``'s array, which is checked here.
        """
        stays_shared: set = set()
        roots = self.view_roots.get(name, set()) & set(self.wrt)
        if name not in self.parsed.params and roots and isinstance(target.slice, gast.Constant) \
                and isinstance(target.slice.value, str) and name not in self.owned and \
                name not in self.items_held_from:  # (a comprehension's copy: a new dict)
            # q = ps[0]; q['W'] = ...: q is a dict the caller's list holds, whose item
            # NumPy's Python would rebind for the caller too; grad's new dict would not
            root = sorted(roots)[0]
            raise self.error(target, f"{gast.unparse(target).strip()} = ... writes into a dict "
                                     f"held by {root}, the list or dict the caller passed, "
                                     "which grad does not write back through another name: "
                                     f"make a dict of this function's own ({name} = "
                                     f"dict({name})) and put it back where the caller "
                                     f"should see it ({root}[...] = {name})")
        if name in self.copies_held:
            # (a new dict made by the store, which the caller's, given back from the
            # copy the function started with, would not hold)
            raise self.error(target, f"{gast.unparse(target).strip()} = ... stores a value "
                                     f"with gradient into {name}, the caller's list or dict "
                                     f"or, on some paths, another one ({name} = ... where "
                                     f"{name} is None): grad cannot give it back to the "
                                     "caller. Store a number without gradient there "
                                     f"(float(v)), or give the other one a name of its own")
        if name not in self.owned and name in self.parsed.params and \
                getattr(self.parsed, "is_helper", False) \
                and (name in self.dicts or name in self.lists or (isinstance(
                    target.slice, gast.Constant) and isinstance(target.slice.value, str))):
            raise self.error(target, f"{gast.unparse(target).strip()} = ... puts a value "
                                     f"with gradient into {name}, a list or dict the "
                                     "caller gave this helper (a memo, a report): grad "
                                     "does not carry gradients back through it; return "
                                     "the value instead (values without gradient, "
                                     "float(v), may be put there)")
        if name not in self.owned:
            what = "an argument of the helper (the caller's array)" \
                if name in self.parsed.params else \
                "possibly shared with another name (a copy, a view such as " \
                f"{name}.reshape(...) or {name}[1:], an item, or a value a helper returned)"
            stays_shared = self.update_alone(name, target, (
                f"assigning into {name}[...] while {name} is {what} is not supported: grad "
                "updates a new array, which the other name would not see. Make "
                f"{name} an array of its own first ({name} = {name}.copy() or "
                "np.zeros(...)), or take the view after the update"))
        index = target.slice
        if self.is_active(index):  # (r[k] = v, k an integer a helper returned)
            index = self.checked_index(index, of=name_node(name))
        elif any(isinstance(n, gast.Slice) for n in walk(index)):
            np_name = self.namer.reference(numpy_rules.np, "np")
            index = gast.Subscript(value=gast.Attribute(value=name_node(np_name), attr="s_",
                                                        ctx=gast.Load()),
                                   slice=index, ctx=gast.Load())
        index = self.hoist(index, "index") if not is_trivial(index) else index
        atom = self.atom(value)
        if not self.is_active(atom):
            atom = self.hoist(atom, describe(atom))
        ad = name_node(self.namer.reference(runtime, "_ad"))
        line = f"{self.parsed.where(self.origin)}: " \
            f"{gast.unparse(self.origin).strip().splitlines()[0]}"

        def check_as_it_runs(check: str, where: str) -> None:
            call = gast.Call(func=gast.Attribute(value=clone(ad), attr=check, ctx=gast.Load()),
                             args=[name_node(name), gast.Constant(value=where, kind=None)],
                             keywords=[])
            self.body.append(Primal(gast.copy_location(gast.Expr(value=call), self.origin),
                                    self.origin, set()))

        if self.is_active(atom) and not _made_floating(self.parsed, self.wrt, name):
            # y[i] = v into an integer array truncates v: a derivative of zero, which
            # the rule of the store does not give; refused as it runs
            check_as_it_runs("floating", line)
        held_by = sorted(self.view_roots.get(name, set()) & set(self.parsed.params) - {name})
        values = self.values_assigned(name)
        sliced = bool(values) and all(isinstance(v, gast.Subscript) and
                                      isinstance(v.slice, gast.Slice) for v in values)
        if held_by and name not in self.owned and name not in self.parsed.params and \
                not sliced and not self.made_a_container(name):  # (M = L[:]: where a
            # list, a new one; an array's view is new too; q = dict(p): a new dict)
            # wb = params[0]; wb[0] = v: in Python the caller's list changes; grad's
            # store makes a new one (an array's is a new array: the caller's never change)
            check_as_it_runs("not_a_container", (
                f"{line} writes into a list or dict that {held_by[0]}, the caller's, holds, "
                "which grad does not write back through another name: make one of this "
                f"function's own ({name} = list({name}) or dict({name})) and put it back "
                f"where the caller should see it ({held_by[0]}[...] = {name})"))
        call = gast.Call(func=gast.Attribute(value=ad, attr="setitem", ctx=gast.Load()),
                         args=[name_node(name), index, atom], keywords=[])
        rule = registry.lookup(runtime.setitem)
        bound = {"x": name_node(name), "index": index, "v": atom}
        inputs = [self._active_name(name_node(name)), None, self._active_name(atom)]
        owned = (name in self.owned or self.viewed_by_rows_only(name)) and (
            name not in self.parsed.params or
            # (U = U.copy() first: the caller's array is never written; GB F4, an
            # unrolled SGD over a table then writes its rows in place, not a copy each)
            name in self.owned and self.parameter_rebound_first(name))
        # ws[0] = v keeps ws a list; so does m[k] = v for an m made a dict or a list
        # ({k: ... for k in p}, m = {}), whose adjoint is then summed item by item
        was_list = name in self.lists or self.made_a_container(name)
        item_class = self.slice_classes.get((self.shape_class.get(name), "item")) \
            if self.integer_index(target.slice) else None
        fits = isinstance(atom, gast.Name) and not was_list and (
            (item_class is not None and self.shape_class.get(atom.id) == item_class) or
            # (c[i] = v, a number into a float array of known dimensions: an item)
            (atom.id in self.scalars and self.is_scalar_value(gast.Subscript(
                value=name_node(name), slice=target.slice, ctx=gast.Load()))))
        self.emit_op(name, call, rule, inputs, bound)
        if fits:  # v has the shape of y[i]: its adjoint, y's there, needs no unbroadcast
            self.body[-1].value_fits = atom.id
        if was_list:
            self.lists.add(name)
        if owned:  # may be written in place, if no adjoint reads it (see normalize)
            self.body[-1].own_array = True
            # (a list's item adjoints read its items' shapes, which an update changes;
            # an array's keep theirs)
            array = not was_list and name not in self.dicts and self.surely_an_array(name)
            self.body[-1].surely_an_array = array
            # bound once, at the top: the same shape wherever an item of it is read
            self.body[-1].fixed_shape = array and len(self.values_assigned(name)) == 1 and \
                any(isinstance(s, gast.Assign) and any(
                    isinstance(t, gast.Name) and t.id == name for t in s.targets)
                    for s in self.parsed.node.body)
            # (a list keeps its length, a dict its keys but those added: see normalize)
            self.body[-1].fixed_structure = not array and self.structure_kept(name)
        if stays_shared:  # (a setitem makes an array of its own: not NumPy's here)
            self.owned.discard(name)
            self.detached.setdefault(name, set()).update(stays_shared)
        else:
            self.owned.add(name)
        keyed = isinstance(target.slice, gast.Constant) and isinstance(target.slice.value, str)
        if isinstance(atom, gast.Name) and (self.holds_sequence(name_node(name)) is not False
                                            or name in self.dicts or keyed):
            # cache['h'] = h: the container holds h's array, which an update of h
            # (h[0] = 5, h *= 2) changes in NumPy, as seen through the container.
            self.shared |= {atom.id, name}
            self.owned.discard(atom.id)

    def tuple_assign(self, target: gast.Tuple, value: gast.expr, active: bool,
                     original: gast.stmt) -> None:
        if not active and any(self.is_active(base_of(t)) for t in target.elts
                              if isinstance(t, (gast.Subscript, gast.Attribute))):
            # u[0], u[-1] = 1.0, 1.0 into a differentiated array: each item stored as
            # u[0] = 1.0 is (the entries' adjoints zeroed), not run as written
            self.unpack_nested(target, value, original)
            return
        if not active:
            self.primal(original)
            if isinstance(value, (gast.Tuple, gast.List)) and \
                    len(value.elts) == len(target.elts):
                for name, item in zip(target.elts, value.elts):
                    if isinstance(name, gast.Name) and self.holds_sequence(item):
                        self.lists.add(name.id)  # pre, post = [], []: two lists
                        self.all_lists.add(name.id)
                        if isinstance(item, (gast.List, gast.ListComp)) and not any(
                                isinstance(n, gast.Name) for n in walk(item)):
                            self.owned.add(name.id)  # new and empty: its own
                            self.shared.discard(name.id)
            return
        if not all(isinstance(t, gast.Name) for t in target.elts):
            self.unpack_nested(target, value, original)
            return
        names = [t.id for t in target.elts]
        if not isinstance(value, (gast.Tuple, gast.List)):
            # a, b = helper(x): keep the tuple, then read its items
            whole = self.namer.fresh("values")
            row = self.note_row_of_float_array(whole, value)
            if not row:  # (a row of a float array: an array, its items numbers)
                self.lists.add(whole)
                self.all_lists.add(whole)
            whole_assign = gast.Assign(targets=[name_node(whole, gast.Store())], value=value,
                                       type_comment=None)
            self.assign(gast.copy_location(whole_assign, original), original)
            if not row:
                self.lists.add(whole)
                self.all_lists.add(whole)
            if isinstance(value, gast.Name) and value.id in self.scalar_sequences:
                self.scalar_sequences.add(whole)  # (omega, alpha, beta = theta: numbers)
            self.unpacking_checked(whole, len(names), original)
            for k, name in enumerate(names):
                item = gast.Subscript(value=name_node(whole),
                                      slice=gast.Constant(value=k, kind=None), ctx=gast.Load())
                # (an item without gradient is bound alone: not the whole line again)
                self.assign(gast.copy_location(gast.Assign(
                    targets=[name_node(name, gast.Store())], value=item, type_comment=None),
                    original))
            return
        if len(value.elts) != len(names):
            raise self.error(value, f"cannot unpack {len(value.elts)} values into "
                                    f"{len(names)} names")
        read = {n.id for e in value.elts for n in walk(e) if isinstance(n, gast.Name)}
        if not read & set(names) and len(set(names)) == len(names):
            # feat, acc = f(x), g(x): each name its own value, as two assignments would
            # give it (not a copy of a temporary, which would count as shared)
            for name, element in zip(names, value.elts):
                self.assign(gast.copy_location(assign_node(name, element, original),
                                               original))
            return
        atoms = [self.atom(e) for e in value.elts]
        clobbered = {n.id for a in atoms for n in walk(a) if isinstance(n, gast.Name)}
        if clobbered & set(names):
            # a, b = b, a: read every value before writing any name.
            atoms = [self.hoist_any(a, n) for a, n in zip(atoms, names)]
        for name, atom in zip(names, atoms):
            if isinstance(atom, gast.Name) and atom.id in self.active:
                self.emit_op(name, atom, None, [atom.id], {})
            else:
                scalar = self.is_scalar_value(atom)  # x, v = x0, v0 keeps what x0 is
                self.body.append(Primal(assign_node(name, atom, original), original, {name}))
                self.assigned({name})
                self.active.discard(name)
                if scalar:
                    self.scalars.add(name)

    def unpacking_checked(self, whole: str, count: int, origin: gast.stmt,
                          starred: bool = False) -> None:
        """``_ad.unpacking(values, 2)``: Python's error where ``a, b = values`` holds
        another number of items (the items are read one by one after it)."""
        check = gast.Expr(value=gast.Call(
            func=gast.Attribute(value=name_node(self.namer.reference(runtime, "_ad")),
                                attr="unpacking", ctx=gast.Load()),
            args=[name_node(whole), gast.Constant(value=count, kind=None)] +
            ([gast.Constant(value=True, kind=None)] if starred else []), keywords=[]))
        self.body.append(Primal(gast.copy_location(check, origin), origin, set()))

    def note_row_of_float_array(self, whole: str, value: gast.expr) -> bool:
        """``S, I, R = traj[t - 1]`` of a float array of known dimensions
        (`shapes.float_array_ndims`): ``whole``, the row, is one too, one dimension
        less, whose items are numbers (not views of ``traj``, which the loop's stores
        may then write into in place)."""
        if isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name) and \
                value.value.id in self.float_arrays:
            parts = value.slice.elts if isinstance(value.slice, gast.Tuple) else [value.slice]
            ndim = self.float_arrays[value.value.id] - len(parts)
            if ndim >= 1 and all(self.integer_index(p) for p in parts):
                self.float_arrays[whole] = ndim
                return True
        return False

    def unpack_nested(self, target: gast.Tuple, value: gast.expr,
                      original: gast.stmt) -> None:
        """``(a, b), c = v`` and ``first, *rest = v``, one level at a time: the whole
        value gets a name, each target its item (a starred one a list of the rest)."""
        stored = {n.id for n in walk(target) if isinstance(n, gast.Name)}
        if isinstance(value, (gast.Tuple, gast.List)) and len(value.elts) == len(target.elts) \
                and not any(isinstance(t, gast.Starred) for t in target.elts) and \
                not stored & {n.id for n in walk(value) if isinstance(n, gast.Name)}:
            # name, (W, b) = key, d[key]: each target its own value (the key a constant)
            for element, item in zip(target.elts, value.elts):
                self.assign(gast.copy_location(gast.Assign(targets=[element], value=item,
                                                           type_comment=None), original))
            return
        read_in_value = {n.id for n in walk(value) if isinstance(n, gast.Name)}
        whole = self.namer.fresh("values")
        self.note_row_of_float_array(whole, value)
        self.assign(gast.copy_location(gast.Assign(targets=[name_node(whole, gast.Store())],
                                                   value=value, type_comment=None),
                                       original))
        starred = [k for k, t in enumerate(target.elts) if isinstance(t, gast.Starred)]
        if len(starred) > 1:
            raise self.error(target, "two starred targets in one assignment")
        self.unpacking_checked(whole, len(target.elts), original, starred=bool(starred))
        after = len(target.elts) - starred[0] - 1 if starred else 0

        def constant(v: int) -> gast.expr:
            return gast.Constant(value=v, kind=None)

        for k, element in enumerate(target.elts):
            if isinstance(element, gast.Starred):
                stop = gast.BinOp(left=gast.Call(func=name_node(self.namer.builtin("len")),
                                                 args=[name_node(whole)],
                                                 keywords=[]),
                                  op=gast.Sub(), right=constant(after))
                as_list = name_node(self.namer.builtin("list"))
                item: gast.expr = gast.Call(func=as_list, args=[gast.Subscript(
                    value=name_node(whole), slice=gast.Slice(lower=constant(k), upper=stop,
                                                             step=None),
                    ctx=gast.Load())], keywords=[])
                element = element.value
            else:
                index = constant(k) if not starred or k < starred[0] else \
                    constant(k - len(target.elts))
                item = gast.Subscript(value=name_node(whole), slice=index, ctx=gast.Load())
            gast.copy_location(item, original)
            if not starred and k + 1 < len(target.elts) and isinstance(
                    element, gast.Subscript) and isinstance(element.value, gast.Name) and \
                    element.value.id in read_in_value:
                self.pending_values_apart(element.value.id, whole, k + 1, original,
                                          element.slice)
            self.assign(gast.copy_location(gast.Assign(targets=[element], value=item,
                                                       type_comment=None), original))

    def pending_values_apart(self, name: str, whole: str, start: int,
                             original: gast.stmt, index: Optional[gast.expr] = None) -> None:
        """``A[0], A[1] = A[1], A[0]``: NumPy takes the values first, as views of ``A``
        where they are rows, so writing ``A[0]`` changes the value ``A[1]`` is given
        next; grad's values would not change. Checked as it runs (`_ad.alone`): the
        values still to be written must share no memory with the region ``index`` of
        ``name``'s array this store writes (the whole array where that is no basic
        index: ``h[0], h[-1] = h[-2], h[1]``, ghost rows, are apart)."""
        ad = name_node(self.namer.reference(runtime, "_ad"))
        where = f"{self.parsed.where(original)}: " \
                f"{gast.unparse(original).strip().splitlines()[0]}"
        pending = gast.Subscript(value=name_node(whole), slice=gast.Slice(
            lower=gast.Constant(value=start, kind=None), upper=None, step=None),
            ctx=gast.Load())
        check = gast.Expr(value=gast.Call(
            func=gast.Attribute(value=ad, attr="alone", ctx=gast.Load()),
            args=[name_node(name), gast.Tuple(elts=[pending], ctx=gast.Load()),
                  gast.Constant(value=where, kind=None)], keywords=[] if index is None or any(
                isinstance(n, (gast.Call, gast.NamedExpr)) for n in walk(index)) else [
                gast.keyword(arg="index", value=self.index_value(index))]))
        self.body.append(Primal(gast.copy_location(check, original), original, set()))

    def index_value(self, index: gast.expr) -> gast.expr:
        """``index`` as a value: ``np.s_[:, 0]`` where it holds a slice."""
        index = copy.deepcopy(index)
        if not any(isinstance(n, gast.Slice) for n in walk(index)):
            return index
        np_name = self.namer.reference(numpy_rules.np, "np")
        return gast.Subscript(value=gast.Attribute(value=name_node(np_name), attr="s_",
                                                   ctx=gast.Load()), slice=index, ctx=gast.Load())

    def update_alone(self, name: str, node: gast.AST, refusal: str) -> set:
        """Allow ``name op= v`` as ``name = name op v`` on an array that other names may
        share, when none of them is read again: then NumPy's writing into the array
        and a new array give the same values. Where such a name is read again, the
        generated code checks, as it runs, that the arrays are apart (``_ad.alone``);
        where that cannot be checked (a helper's parameter, a name not yet bound),
        the update is refused.

        Returns the names that may still share memory with the array afterwards (the
        check was of the region written only, ``M[1] = ...`` beside ``r = M[0]``): a
        later update of the new array made here cannot be checked against them
        (``M[0] = ...`` does change ``r``), and is refused."""
        if name in self.owned:  # an array of its own: nothing else sees the update
            return set()
        kept = self.given_away_at.get(name)
        if kept is not None:  # (register(d), then d['v'] = x: the registry's d)
            raise self.error(node, f"{gast.unparse(self.origin).strip().splitlines()[0]}: "
                                   f"{name} was given to {kept[0]}() at {kept[1]}, which "
                                   "may keep it (on an object, in a module's list): grad "
                                   f"would write into a new {name}, which what {kept[0]}() "
                                   f"kept would not see. Give {kept[0]}() {name} once it "
                                   "is complete")
        if self.parsed.generated and _never_shared(self.parsed.node, name) and \
                not _alias_reaches(self.parsed.node, self.origin, name):
            # A gradient read again (second order): grad writes in place only into
            # adjoints of its own (dx = _ad.add_at(dx, i, v); dx[i] += v), which no
            # other name refers to; a name pushed on a stack (by reference) is checked.
            return set()
        stmt = self.origin  # the user's statement
        later = self.values_read_later(stmt)  # (t.shape read later: the write keeps it)
        bound = self.bound_before.get(id(stmt), frozenset()) | set(self.parsed.params)
        partners = {p for p in self.shared - {name} - self.scalars
                    if not self.namer.is_reference(p)}  # (not _ad, np: grad's own names)
        if later is not None:
            # (a list or dict written back to the caller at the end is read then: c =
            # state['cache']; c['loss'] = v must reach it, which a new c would not)
            partners &= later | self.container_copies | self.arrays_written_back
        # (and an object or outside list it was stored on for the caller: m.last_h = h)
        partners |= self.stored_on.get(name, set())
        # (a closure made by a factory holds the values it was made with: g = make(y)
        # then y += 1.0 changes what g reads; grad calls g with its kept values)
        held = {p: self.closures[p][1] for p in partners
                if p in self.closures and self.closures[p][0] is not None}
        partners = {kept for p in partners for kept in held.get(p, [p])}
        bound = bound | {kept for p, saved in held.items() if p in bound for kept in saved}
        # A helper's caller may read the arrays it passed after the call: assigning
        # into one (it is an array or a list) is refused, x += v checked as it runs.
        callers = self.helper and name in self.parsed.params and \
            name not in self.bound_before.get(id(stmt), frozenset()) and \
            name not in getattr(self.parsed, "given_away", ())  # (not rebound before)
        if self.helper:  # (not a module helper's parameters copied in, v = _ad.copied(v),
            # its own arrays: those its caller reads later it returns, read later here)
            partners |= set(self.parsed.params) - self.scalars - {name} - \
                set(getattr(self.parsed.node, "copies", ()))
        if name in self.float_arrays:
            # (traj = np.zeros((T, 3)) at every binding: an array made here, which no
            # parameter's array, made before the call, can share; unless a view of it
            # was put into one, out.append(traj[0]), out[0] = row, store(out, row))
            partners -= {p for p in self.parsed.params if _only_read(self.parsed, p)}
        copies = sorted(partners & self.__dict__.get("computed_as_copies", set()))
        if copies:
            raise self.error(node, f"{gast.unparse(stmt).strip().splitlines()[0]}: {name} "
                                   f"is updated in place while {copies[0]}, a "
                                   "sliding_window_view of it (a view in NumPy, which sees "
                                   "the update; grad computes its windows as a copy), is "
                                   f"read later: take the windows after the update, or of "
                                   f"a copy ({name}.copy())")
        before = sorted(partners & self.detached.get(name, set()))
        # (and name itself took a view of a partner before grad made it a new array:
        # v = u[1:]; u[0] = 1.0; v *= 0.5 writes, in NumPy, into u)
        viewing = sorted(p for p in partners if name in self.detached.get(p, set()))
        if later is None or not partners <= bound or (
                callers and isinstance(node, gast.Subscript)):
            raise self.error(node, refusal)
        if not partners and not callers:
            return set()
        ad = name_node(self.namer.reference(runtime, "_ad"))
        shown = getattr(stmt, "shown_as", None) or gast.unparse(stmt).strip().splitlines()[0]
        where = f"{self.parsed.where(stmt)}: {shown}"
        keywords = [gast.keyword(arg="argument", value=gast.Constant(value=True, kind=None))] \
            if callers else []
        if not callers and isinstance(node, gast.Subscript) and \
                isinstance(node.value, gast.Name) and node.value.id == name and \
                not any(isinstance(n, (gast.Call, gast.Lambda)) for n in walk(node.slice)):
            # only the region written changes (H[t + 1] = ... leaves a row of H held
            # elsewhere as it was): checked against the others where the index is basic
            np_name = name_node(self.namer.reference(numpy_rules.np, "np"))
            index = gast.Subscript(value=gast.Attribute(value=np_name, attr="s_",
                                                        ctx=gast.Load()),
                                   slice=clone(node.slice), ctx=gast.Load())  # np.s_[::2]
            keywords.append(gast.keyword(arg="index", value=index))
        if before:  # views of the array before an update grad made a new array
            keywords.append(gast.keyword(arg="before", value=gast.Tuple(
                elts=[name_node(p) for p in before], ctx=gast.Load())))
        if viewing:  # arrays name may view as they were before such an update
            keywords.append(gast.keyword(arg="viewing", value=gast.Tuple(
                elts=[name_node(p) for p in viewing], ctx=gast.Load())))
        if partners & self.items_held_from.get(name, set()):
            # (s = {k: S[k] for k in S}, `holds_items_of`: s['m'] is S['m']'s array, which
            # NumPy's update changes; its items are checked against S's, GF 06/07)
            keywords.append(gast.keyword(arg="items", value=gast.Constant(value=True,
                                                                          kind=None)))
        check = gast.Expr(value=gast.Call(
            func=gast.Attribute(value=ad, attr="alone", ctx=gast.Load()),
            args=[name_node(name), gast.Tuple(elts=[name_node(p) for p in sorted(partners)],
                                              ctx=gast.Load()),
                  gast.Constant(value=where, kind=None)],
            keywords=keywords))
        self.body.append(Primal(gast.copy_location(check, stmt), stmt, set()))
        return set(partners) if any(k.arg == "index" for k in keywords) else set()

    def viewed_by_rows_only(self, name: str) -> bool:
        """Whether ``name``, an array made here of known dimensions (`float_arrays`),
        shares its memory only with rows (or parts of rows) of it that the function
        named (``u = U[n]``): an update of it may still be written in place (where no
        adjoint keeps such a row, `_assign_in_place`), NumPy's own semantics for the
        rows; names reading a row after the update are checked as they are for any
        view (`update_alone`)."""
        rows = self.row_views.get(name)
        if not rows or name not in self.float_arrays:
            return False
        return all(other in rows for other in self.shared - {name}
                   if name in self.view_roots.get(other, ()))

    def dict_keys_only(self) -> set:
        """The names bound only as the variable of loops over a dict's keys (``for k in
        D``, which generated code reads as ``for k in _ad.keys(D)``) or to such keys
        (`holds_keys`): hashable keys, never an array."""
        found = self.__dict__.get("_dict_keys_only")
        if found is not None and found[0] is self.parsed.node:
            return found[1]
        targets: dict = {}
        stores: dict = {}
        for node in walk(self.parsed.node):
            if isinstance(node, gast.For) and isinstance(node.target, gast.Name) and (
                    isinstance(node.iter, gast.Call) and
                    self.parsed.resolve(node.iter.func) is runtime.keys or
                    isinstance(node.iter, gast.Call) and
                    isinstance(node.iter.func, gast.Attribute) and
                    node.iter.func.attr == "keys" and not node.iter.args and
                    isinstance(node.iter.func.value, gast.Name) and
                    node.iter.func.value.id in self.dicts or
                    isinstance(node.iter, gast.Name) and node.iter.id in self.dicts):
                targets[node.target.id] = targets.get(node.target.id, 0) + 1
            elif isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Del)):
                stores[node.id] = stores.get(node.id, 0) + 1
        names = {n for n, count in targets.items() if stores.get(n) == count}
        self.__dict__["_dict_keys_only"] = (self.parsed.node, names)
        return names

    def holds_keys(self, name: str) -> bool:
        """Whether ``name`` holds a dict's keys, or one of them, wherever bound: the keys
        generated code reads for a loop over a dict (``D_keys = _ad.keys(D)``, ``name =
        D_keys[k]``), constants."""
        values = self.values_assigned(name)

        def keys_of(value: Any) -> bool:
            return isinstance(value, gast.Call) and \
                self.parsed.resolve(value.func) is runtime.keys

        return bool(values) and (all(keys_of(v) for v in values) or all(
            isinstance(v, gast.Subscript) and isinstance(v.value, gast.Name) and
            bool(self.values_assigned(v.value.id)) and
            all(keys_of(w) for w in self.values_assigned(v.value.id)) for v in values))

    def item_update_alone(self, container: str, stmt: gast.AugAssign) -> None:
        """``xs[i] += v`` on a list or dict: NumPy writes into the item's array, which
        other names may hold too (``ws = list(params)``, ``cache['h'] = h``); grad makes
        a new item. Checked as it runs (`_ad.alone`): the item, if an array, must share
        no memory with any name read later (a number is rebound, as in Python)."""
        origin = self.origin
        later = self.read_later.get(id(origin))
        bound = self.bound_before.get(id(origin), frozenset()) | set(self.parsed.params)
        given = self.helper and container in self.parsed.params and \
            container not in self.bound_before.get(id(origin), frozenset())  # not rebound
        # (S = S.copy(), T = dict(S): a list's or dict's copy holds the caller's items;
        # not those the call checked, helper_copies', nor those given away)
        copied = not given and bool(
            self.copied_parameters(container) -
            set(getattr(self.parsed, "given_away", ())) -
            set(getattr(self.parsed.node, "copies", ()))) and \
            not self.item_made_anew(container, stmt.target.slice, origin)
        caller = given or copied
        if later is None:
            raise self.error(stmt, f"{gast.unparse(stmt).strip()}: an in-place update of "
                                   "an item that other names may share, where grad cannot "
                                   f"tell which names are read later: write {container}[...] "
                                   f"= {container}[...] {AUG_SYMBOLS.get(type(stmt.op), '+')} "
                                   "... with a copy of the item if it is shared")
        # (the names bound here too: a helper inlined, its locals renamed, is not in
        # the locals read from the source)
        partners = sorted((later & (self.own_names() | set(self.parsed.params)))
                          - {container} - self.scalars - set(self.local_functions)
                          - {n for n in later if self.namer.is_reference(n)}
                          - self.dict_keys_only())  # (for k in target: a key, no array)
        if not set(partners) <= bound:  # (h bound in a loop: the check cannot read it)
            raise self.error(stmt, f"{gast.unparse(stmt).strip()}: an in-place update of "
                                   f"an item of {container}, whose array another name read "
                                   f"later may hold ({', '.join(sorted(set(partners) - bound))}"
                                   ", not surely bound here): grad makes a new item and "
                                   "cannot check that. Write "
                                   f"{container}[...] = {container}[...] "
                                   f"{AUG_SYMBOLS.get(type(stmt.op), '+')} ... with a copy of "
                                   "the item if it is shared")
        siblings = container in later  # hs = [h, h]; hs[0] += 1 changes hs[1] too
        # (D = {'q': W} after v = W[0]; W[1] = 0.0: the item is W's new array, and
        # NumPy's update would write into v's memory, which the check follows)
        before = sorted({p for held in self.view_roots.get(container, ())
                         for p in self.detached.get(held, ())} & set(partners))
        if not partners and not caller and not siblings:
            return  # nothing else read later could see the update
        ad = name_node(self.namer.reference(runtime, "_ad"))
        where = f"{self.parsed.where(origin)}: {gast.unparse(origin).strip().splitlines()[0]}"
        item = gast.Subscript(value=name_node(container), slice=clone(stmt.target.slice),
                              ctx=gast.Load())
        others: list = [name_node(p) for p in partners]
        if siblings:
            index = clone(stmt.target.slice)
            if any(isinstance(n, gast.Slice) for n in walk(index)):
                np_name = self.namer.reference(numpy_rules.np, "np")
                index = gast.Subscript(value=gast.Attribute(
                    value=name_node(np_name), attr="s_", ctx=gast.Load()), slice=index,
                    ctx=gast.Load())
            others.append(gast.Call(
                func=gast.Attribute(value=clone(ad), attr="other_items", ctx=gast.Load()),
                args=[name_node(container), index], keywords=[]))
        keywords = [gast.keyword(arg="argument", value=gast.Constant(value=True, kind=None))] \
            if caller else []
        if copied:  # (an array's copy is a deep one: its rows are its own)
            keywords.append(gast.keyword(arg="copy_of", value=name_node(container)))
        if before:
            keywords.append(gast.keyword(arg="before", value=gast.Tuple(
                elts=[name_node(p) for p in before], ctx=gast.Load())))
        check = gast.Expr(value=gast.Call(
            func=gast.Attribute(value=ad, attr="alone", ctx=gast.Load()),
            args=[item, gast.Tuple(elts=others, ctx=gast.Load()),
                  gast.Constant(value=where, kind=None)], keywords=keywords))
        self.body.append(Primal(gast.copy_location(check, origin), origin, set()))

    def item_made_anew(self, container: str, key: gast.expr, origin: gast.stmt) -> bool:
        """Whether ``container[key]`` surely holds an array made here when ``origin``
        runs: a statement of the function's body before it (not in a branch or loop)
        assigned it a new one (``q['h'] = q['h'] * 2.0``), and nothing since bound
        ``container`` or stored into that item again (``q = dict(p); q['h'] = ...; q['h']
        *= 2.0`` leaves the caller's array alone)."""
        if not isinstance(key, gast.Constant):
            return False
        body = self.parsed.node.body
        top = next((s for s in body if any(n is origin for n in walk(s))), None)
        if top is None:
            return False
        made = False
        for stmt in body[:body.index(top)]:
            stores = [n for n in walk(stmt) if isinstance(n, gast.Name) and n.id == container
                      and isinstance(n.ctx, gast.Store)]
            items = [n for n in walk(stmt) if isinstance(n, gast.Subscript) and
                     isinstance(n.ctx, gast.Store) and isinstance(n.value, gast.Name) and
                     n.value.id == container and isinstance(n.slice, gast.Constant) and
                     n.slice.value == key.value]
            if stores or items:
                made = not stores and isinstance(stmt, gast.Assign) and \
                    len(stmt.targets) == 1 and stmt.targets[0] is items[0] and \
                    mutation.allocates(self.parsed.resolve(stmt.value.func)
                              if isinstance(stmt.value, gast.Call) else None, stmt.value)
        return made

    def copied_parameters(self, name: str, seen: frozenset = frozenset()) -> set[str]:
        """The parameters ``name`` is a shallow copy of (``S.copy()``, ``dict(S)``,
        ``list(S)``, ``copy.copy(S)``, ``S[:]``, ``{**S}``, ``[*S]``, or a copy of such a
        copy) where every binding of it here is one: a new list or dict holding the
        arrays the caller gave. Empty where any binding is something else."""
        values = self.values_assigned(name)

        def copied(v: gast.expr) -> Optional[gast.expr]:
            if isinstance(v, gast.Call) and len(v.args) == 1 and not v.keywords and \
                    self.parsed.resolve(v.func) in (dict, list, copy.copy):
                return v.args[0]
            if isinstance(v, gast.Call) and not v.args and not v.keywords and \
                    isinstance(v.func, gast.Attribute) and v.func.attr == "copy":
                return v.func.value
            if isinstance(v, gast.Subscript) and isinstance(v.slice, gast.Slice):
                return v.value
            parts = [value for key, value in zip(v.keys, v.values) if key is None] \
                if isinstance(v, gast.Dict) else [e.value for e in v.elts if isinstance(
                    e, gast.Starred)] if isinstance(v, gast.List) else []
            return parts[0] if len(parts) == 1 else None

        found: set[str] = set()
        for value in values:
            source = copied(value)
            while isinstance(source, gast.Subscript) and isinstance(source.slice,
                                                                    gast.Constant):
                source = source.value  # (list(S['L']): a copy of a list the caller's holds)
            if not isinstance(source, gast.Name):
                return set()
            if source.id in self.parsed.params:
                found.add(source.id)
            elif source.id != name:
                inner = self.copied_parameters(source.id, seen | {name}) \
                    if source.id not in seen else set()
                if not inner:
                    return set()
                found |= inner
        return found

    def assign_item_without_gradient(self, target: gast.Subscript, name: str,
                                     value: gast.expr) -> None:
        """``y[i] = v`` with no gradient, on an array an adjoint reads: as a new array
        (``y = _ad.setitem(y, i, v)``), so the adjoint keeps the values it used."""
        stays_shared = self.update_alone(name, target, self.seen_by_adjoints_refusal(name)) \
            if name not in self.owned else set()
        index = target.slice
        if any(isinstance(n, gast.Slice) for n in walk(index)):
            np_name = self.namer.reference(numpy_rules.np, "np")
            index = gast.Subscript(value=gast.Attribute(value=name_node(np_name), attr="s_",
                                                        ctx=gast.Load()),
                                   slice=index, ctx=gast.Load())
        ad = name_node(self.namer.reference(runtime, "_ad"))
        call = gast.Call(func=gast.Attribute(value=ad, attr="setitem", ctx=gast.Load()),
                         args=[name_node(name), index, value], keywords=[])
        self.primal(gast.copy_location(assign_node(name, call, self.origin), self.origin))
        if stays_shared:
            self.detached.setdefault(name, set()).update(stays_shared)
        else:
            self.owned.add(name)

    @functools.cached_property
    def bound_otherwise(self) -> set[str]:
        """The names the function binds other than by an augmented assignment (``W *=
        2``): an assignment, a loop, a parameter, a def."""
        updated = {id(n.target) for n in walk(self.parsed.node)
                   if isinstance(n, gast.AugAssign)}
        return {n.id for n in walk(self.parsed.node) if isinstance(n, gast.Name) and
                isinstance(n.ctx, (gast.Store, gast.Param)) and id(n) not in updated} | {
            n.name for n in walk(self.parsed.node)
            if isinstance(n, (gast.FunctionDef, gast.ClassDef))}

    def hoist_any(self, atom: gast.expr, base: str) -> gast.expr:
        name = self.namer.fresh(base + "_new")
        if isinstance(atom, gast.Name) and atom.id in self.active:
            self.emit_op(name, atom, None, [atom.id], {})
        else:
            scalar = self.is_scalar_value(atom)
            self.body.append(Primal(assign_node(name, atom, self.origin), self.origin, {name}))
            self.assigned({name})
            if scalar:  # (y2, y1 = y1, yn of numbers)
                self.scalars.add(name)
        return name_node(name)

    def evaluated_once(self, target: gast.expr, stmt: gast.stmt) -> gast.expr:
        """``target`` (``y[i]``, ``d[k][j]``, ``o.a``) with each index that calls something
        (``y[rs.randint(3)] += v``, ``y[next(it)]``) computed first into a name: the
        update reads and writes the one item Python would, and draws once."""
        if isinstance(target, gast.Attribute):
            inner = self.evaluated_once(target.value, stmt)
            return target if inner is target.value else gast.copy_location(
                gast.Attribute(value=inner, attr=target.attr, ctx=target.ctx), target)
        if not isinstance(target, gast.Subscript):
            return target

        def once(part: Any) -> Any:
            if part is None or not any(isinstance(n, gast.Call) for n in walk(part)):
                return part
            if isinstance(part, gast.Slice):
                return gast.copy_location(gast.Slice(
                    lower=once(part.lower), upper=once(part.upper), step=once(part.step)),
                    part)
            if isinstance(part, gast.Tuple):
                return gast.copy_location(gast.Tuple(elts=[once(e) for e in part.elts],
                                                     ctx=part.ctx), part)
            name = self.namer.fresh("index")
            origin = self.origin  # (what the analyses know the update by)
            self.statement(gast.copy_location(assign_node(name, part, stmt), stmt))
            self.origin = origin
            return gast.copy_location(name_node(name), part)

        container, index = self.evaluated_once(target.value, stmt), once(target.slice)
        if container is target.value and index is target.slice:
            return target
        return gast.copy_location(gast.Subscript(value=container, slice=index,
                                                 ctx=target.ctx), target)

    def not_a_list(self, value: gast.expr) -> bool:
        """A tuple or range (a literal, a call, or a module's), which ``ys += value``
        takes item by item where ``ys + value`` would fail."""
        if isinstance(value, gast.Tuple):
            return True
        if isinstance(value, gast.Call):
            return self.parsed.resolve(value.func) in (range, tuple, zip, enumerate)
        if isinstance(value, gast.Name) and value.id in self.parsed.locals and \
                value.id not in self.parsed.params and self.surely_a_tuple(value.id):
            return True  # (t += tv, tv = (a, b): a tuple of this function's)
        if isinstance(value, (gast.Name, gast.Attribute)):
            return isinstance(self.parsed.resolve(value), (tuple, range))
        return False

    def made_a_container(self, name: str, kinds: tuple = (dict, list)) -> bool:
        """Whether ``name`` is assigned a display or comprehension of ``kinds`` (dicts
        and lists; or ``dict(...)``/``list(...)``) somewhere in this function."""
        displays = tuple(d for kind, ds in ((dict, (gast.Dict, gast.DictComp)),
                                            (list, (gast.List, gast.ListComp)))
                         if kind in kinds for d in ds)
        return any(isinstance(value, displays) or isinstance(value, gast.Call) and
                   self.parsed.resolve(value.func) in kinds
                   for value in self.values_assigned(name))

    def ever_a_tuple(self, name: str, seen: frozenset = frozenset()) -> bool:
        """Whether ``name`` may hold a tuple (assigned one, or a parameter), which
        ``+=`` joins only to a tuple. A name bound to another name, or to its copy,
        holds what that one holds (an inlined helper's parameter: ``t_h = t``)."""
        if name in self.parsed.params:
            return True
        seen = seen | {name}
        for value in self.values_assigned(name):
            if isinstance(value, gast.Call) and self.parsed.resolve(value.func) is \
                    runtime.copied and len(value.args) == 1:
                value = value.args[0]
            if isinstance(value, gast.Tuple) or isinstance(value, gast.Call) and \
                    self.parsed.resolve(value.func) is tuple:
                return True
            if isinstance(value, gast.Name) and value.id not in seen and \
                    self.ever_a_tuple(value.id, seen):
                return True
        return False

    def surely_a_tuple(self, name: str) -> bool:
        """Whether ``name`` holds a tuple wherever it is bound (a tuple display or
        ``tuple(...)``, never a parameter)."""
        values = self.values_assigned(name)
        return name not in self.parsed.params and bool(values) and all(
            isinstance(value, gast.Tuple) or isinstance(value, gast.Call) and
            self.parsed.resolve(value.func) is tuple for value in values)

    def surely_an_array(self, name: str, seen: frozenset = frozenset()) -> bool:
        """Whether ``name`` holds a NumPy array wherever it is bound: made by a NumPy
        function that always makes one (``np.zeros``, ``np.array``), or the copy of such
        an array or of an array argument (``u = u0.copy()``), and otherwise only
        written into or updated in place (which keep it one)."""
        if seen:
            return self._surely_an_array(name, seen)
        cache = self.__dict__.get("_surely_arrays")
        if cache is None or cache[0] is not self.parsed.node:  # (once per name and body)
            cache = self._surely_arrays = (self.parsed.node, {})
        if name not in cache[1]:
            cache[1][name] = self._surely_an_array(name, seen)
        return cache[1][name]

    def _binding_counts(self) -> tuple:
        """``(stores, updates, deletes)``: per name, how often the body stores it, updates
        it with an augmented assignment, deletes it (one walk per body)."""
        index = self.__dict__.get("_bindings")
        if index is None or index[0] is not self.parsed.node:
            stores: dict = {}
            updates: dict = {}
            deletes: dict = {}
            for n in walk(self.parsed.node):
                if isinstance(n, gast.Name) and isinstance(n.ctx, (gast.Store, gast.Del)):
                    counts = stores if isinstance(n.ctx, gast.Store) else deletes
                    counts[n.id] = counts.get(n.id, 0) + 1
                elif isinstance(n, gast.AugAssign) and isinstance(n.target, gast.Name):
                    updates[n.target.id] = updates.get(n.target.id, 0) + 1
            index = self._bindings = (self.parsed.node, (stores, updates, deletes))
        return index[1]

    def _surely_an_array(self, name: str, seen: frozenset) -> bool:
        values = self.values_assigned(name)
        stores, updates, _ = self._binding_counts()
        if not values or name in seen or \
                stores.get(name, 0) != len(values) + updates.get(name, 0):
            return False
        for value in values:
            if isinstance(value, gast.Name) and name not in self.parsed.params:
                # u = x (an array argument) before u = step(u, dt): as x is
                if self.array_argument(value.id, seen | {name}):
                    continue
                return False
            if not isinstance(value, gast.Call):
                return False
            made_by = self.parsed.resolve(value.func)
            if made_by in _ARRAY_MAKERS:
                continue
            needed = _copy_returned(made_by) if name not in self.parsed.params and \
                not value.keywords and not any(isinstance(a, gast.Starred)
                                               for a in value.args) else None
            if needed is not None and all(
                    k < len(value.args) and isinstance(value.args[k], gast.Name) and (
                        value.args[k].id == name or  # (u = step(u, dt): u, as u is bound
                        # elsewhere, an array: then the helper returns a new one)
                        self.array_argument(value.args[k].id, seen | {name}))
                    for k in needed):
                continue
            copied = value.func.value if isinstance(value.func, gast.Attribute) and \
                value.func.attr == "copy" and not value.args else None
            if not isinstance(copied, gast.Name) or not (
                    self.surely_an_array(copied.id, seen | {name}) or (
                        copied.id in self.parsed.params and (
                            not self.helper or
                            copied.id in getattr(self.parsed, "given_arrays", ())) and
                        copied.id not in self.opaque | self.scalars | self.dicts and
                        copied.id not in self.scalar_sequences)):
                return False
        return True

    def array_argument(self, name: str, seen: frozenset = frozenset()) -> bool:
        """Whether ``name`` surely holds a NumPy array: made here as one
        (`surely_an_array`), or a parameter never rebound that is differentiated (its
        argument checked to be an array, numbers aside) or that this helper's caller
        surely gave an array."""
        if name in seen:
            return False
        if name not in self.parsed.params:
            return self.surely_an_array(name, seen)
        if name in self.opaque | self.scalars | self.dicts | self.scalar_sequences | \
                self.lists:
            return False
        if not (name in getattr(self.parsed, "given_arrays", ()) or
                (name in self.wrt and not self.helper)):
            return False
        stores, _, deletes = self._binding_counts()
        return not stores.get(name) and not deletes.get(name)

    def structure_kept(self, name: str) -> bool:
        """Whether ``name`` surely holds one list or dict of this function's own, made
        once at the top of the function, whose length (a list's) stays as it is and
        whose keys (a dict's) are only ever added to: it is read as a whole by nothing
        but ``len``, never given to a method or a nested function, and only its items
        are written (``hs[t] = v``), never deleted. Then the adjoint of an item read
        (``_ad.add_into(dhs, hs, k, g)``) finds the same layout in its last value."""
        if self.parsed.filename.startswith("<autograd_src "):
            return False  # (code grad generated, differentiated again: as it was written)
        values = self.values_assigned(name)
        if len(values) != 1 or not any(
                isinstance(s, gast.Assign) and s.value is values[0] for s in self.parsed.node.body):
            return False
        value = values[0]
        repeated = isinstance(value, gast.BinOp) and isinstance(value.op, gast.Mult) and \
            isinstance(value.left, gast.List)  # [np.zeros(H)] * (n + 1)
        if not (repeated or self.made_a_container(name)):
            return False
        items = set()
        for node in walk(self.parsed.node):
            if isinstance(node, gast.Subscript) and isinstance(node.value, gast.Name):
                items.add(id(node.value))
            elif isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
                    node.func.id == "len" and len(node.args) == 1 and \
                    self.parsed.resolve(node.func) is len:
                items.add(id(node.args[0]))
            elif isinstance(node, gast.Delete) and name in {
                    n.id for t in node.targets for n in walk(t) if isinstance(n, gast.Name)}:
                return False
            elif isinstance(node, (gast.FunctionDef, gast.Lambda)) and \
                    node is not self.parsed.node and any(
                        isinstance(n, gast.Name) and n.id == name for n in walk(node)):
                return False
        return all(id(node) in items for node in walk(self.parsed.node)
                   if isinstance(node, gast.Name) and node.id == name and
                   isinstance(node.ctx, gast.Load))

    def surely_bound_here(self) -> set:
        """The names that surely hold a value as this statement runs: the parameters, the
        names bound before it, and those this block has bound so far (generated ones
        too, ``m_b = m.b``), which a check made here may read."""
        return set(self.parsed.params) | set(self.bound_before.get(id(self.origin), ())) | {
            name for item in self.body if isinstance(item, (Op, Primal))
            for name in ([item.target] if isinstance(item, Op) else item.assigned)}

    def read_by_adjoints_here(self, bound: set) -> list:
        """The names among ``bound`` an earlier line's derivative reads that may hold an
        array: what a check of an update in place, as it runs, compares with
        (`apart_from_what_adjoints_read`, and ``opt.step()``'s)."""
        return sorted(n for n in self.read_by_adjoints & bound
                      if n not in self.scalars and not self.namer.is_reference(n))

    def emit_check(self, helper: str, args: list, stmt: gast.stmt,
                   keywords: Optional[list] = None) -> None:
        """``_ad.<helper>(*args, '<file:line>: <statement>')``, run before ``stmt``."""
        shown = getattr(stmt, "shown_as", None) or gast.unparse(stmt).strip().splitlines()[0]
        check = gast.Expr(value=gast.Call(
            func=gast.Attribute(value=name_node(self.namer.reference(runtime, "_ad")),
                                attr=helper, ctx=gast.Load()),
            args=args + [gast.Constant(value=f"{self.parsed.where(stmt)}: {shown}",
                                       kind=None)],
            keywords=keywords or []))
        self.body.append(Primal(gast.copy_location(check, stmt), stmt, set()))

    def apart_from_what_adjoints_read(self, written: gast.expr, stmt: gast.stmt) -> None:
        """Check, as it runs, that an update in place of ``written`` (``m.a *= 2.0``,
        ``self.params[0] *= 0.5``) changes no array the derivative of an earlier line
        reads under another name: ``m.a is m.b`` with ``m.b`` read (GH 01-06), which no
        name tells apart. The check is given the owner and the path to the array."""
        read = self.read_by_adjoints_here(self.surely_bound_here())
        if not read:
            return
        steps: list = []
        owner = written
        while isinstance(owner, (gast.Attribute, gast.Subscript)):
            if isinstance(owner, gast.Attribute):
                steps.insert(0, gast.Constant(value=owner.attr, kind=None))
            elif isinstance(owner.slice, (gast.Constant, gast.Name)):
                steps.insert(0, gast.List(elts=[clone(owner.slice)], ctx=gast.Load()))
            else:
                return  # (a slice or a computed index: not followed here)
            owner = owner.value
        if not isinstance(owner, gast.Name):
            return
        # (self.n += 1 with self read whole, by methods none of which reads n: its other
        # attributes are compared, not the array it changes, GW 02)
        unread = owner.id in read and isinstance(written, gast.Attribute) and \
            written.value is owner and not self.attribute_read_where_held(owner.id,
                                                                          written.attr)
        self.emit_check("apart_from_what_adjoints_read", [
            name_node(owner.id), gast.Tuple(elts=steps, ctx=gast.Load()),
            gast.Tuple(elts=[name_node(n) for n in read], ctx=gast.Load())], stmt,
            [gast.keyword(arg="unread", value=gast.Constant(value=True, kind=None))]
            if unread else None)

    def parameter_rebound_first(self, name: str) -> bool:
        """Whether the parameter ``name`` is surely bound to a new value by the
        function's top-level statements before anything writes into it or reads it
        (``U = U.copy()`` first)."""
        from . import _writes_before_rebinding
        body = self.parsed.node.body
        for k, stmt in enumerate(body):
            if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
                    isinstance(stmt.targets[0], gast.Name) and stmt.targets[0].id == name:
                return not _writes_before_rebinding(body[:k], name, False)[0]
        return False

    def values_assigned(self, name: str) -> list:
        """The values this function assigns to the name ``name`` (``name = value``)."""
        index = self.__dict__.get("_assignments")
        if index is None or index[0] is not self.parsed.node:
            # (one walk for every name: the function's statements stay as desugar left
            # them while it is normalized; a value is read from its Assign when asked)
            by_name: dict = {}
            stores: dict = {}
            for n in walk(self.parsed.node):
                if isinstance(n, gast.Assign):
                    for t in n.targets:
                        if isinstance(t, gast.Name) and n not in by_name.get(t.id, ()):
                            by_name.setdefault(t.id, []).append(n)
                elif isinstance(n, gast.Name) and isinstance(n.ctx, (gast.Store, gast.Del)):
                    stores[n.id] = stores.get(n.id, 0) + 1
            index = self._assignments = (self.parsed.node, by_name, stores)
        return [n.value for n in index[1].get(name, ())]

    def bound_only_by_assignments(self, name: str) -> bool:
        """Whether every binding of ``name`` is ``name = value`` (`values_assigned`
        gives all it may hold): no loop target, unpacking, ``+=``, ``with ... as``."""
        self.values_assigned(name)
        assigned = self._assignments[1].get(name, ())
        return self._assignments[2].get(name, 0) == sum(
            sum(isinstance(t, gast.Name) and t.id == name for t in n.targets)
            for n in assigned)

    def aug_assign(self, stmt: gast.AugAssign) -> None:
        if not isinstance(stmt.target, gast.Name):
            target = self.evaluated_once(stmt.target, stmt)
            if target is not stmt.target:
                stmt = gast.copy_location(gast.AugAssign(target=target, op=stmt.op,
                                                         value=stmt.value), stmt)
            container = stmt.target.value
            self.no_write_into_a_global_array(stmt.target)
            if isinstance(stmt.target, gast.Attribute):  # S.lr *= 0.5
                # (self.n += 1 with self held by a derivative: refused only where a
                # method it calls may read n, as self.n = self.n + 1 is; GW 02)
                if self.is_active(stmt.value) or self.is_active(container) or (
                        isinstance(container, gast.Name) and (
                            container.id in self.read_by_adjoints and
                            self.attribute_read_where_held(container.id, stmt.target.attr) or
                            self.read_through(container.id, stmt.target) or
                            container.id in self.shared and self.local_alias_read())):
                    raise self.error(stmt, f"{gast.unparse(stmt).strip()}: an in-place "
                                           "update of an attribute that a derivative reads "
                                           "is not supported: compute the new value into a "
                                           "name of this function's own")
                self.apart_from_what_adjoints_read(stmt.target, stmt)
                self.primal(stmt)
                return
            callers_item = isinstance(container, gast.Name) and \
                container.id in self.container_copies and \
                isinstance(stmt.target, gast.Subscript)
            # (cnt['n'] += 1 on a dict an adjoint reads not itself, only a name that may
            # share it: checked as it runs, see no_change_seen_by_adjoints)
            if not (self.is_active(stmt.value) or self.is_active(container)) and (not (
                    isinstance(container, gast.Name) and self.seen_by_adjoints(container.id))
                    or self.item_of_a_dict_read_only_through_others(stmt.target) and
                    not self.read_through(container.id)) and not callers_item:
                self.no_change_seen_by_adjoints(stmt.target, stmt)
                if isinstance(container, gast.Attribute):
                    # (self.params[0] *= 0.5 where self.params[0] is self.W, read)
                    self.apart_from_what_adjoints_read(stmt.target, stmt)
                self.primal(stmt)
                return
            if callers_item and not (self.is_active(stmt.value) or self.is_active(container)):
                # log['c'] += 1.0: the item is the caller's array, which grad never
                # changes; the copy of log holds a new one (written back at the end).
                # Another name holding that array (a = log['c'] before) would keep the
                # old values, where NumPy's update changes them: refused as it runs where
                # the item is an array (a number, cnt['n'] += 1, is rebound, as in Python).
                later = self.read_later.get(id(self.origin))
                roots = self.view_roots.get(container.id, {container.id})
                # (not the caller's object kept for the write back, nor a name known to
                # hold only what other arguments hold: log beside st)
                others = {n for n in self.shared - {container.id} - self.given_names
                          if (n not in self.view_roots or self.view_roots[n] & roots)
                          and not self.holds_keys(n)}
                if container.id in self.shared and (later is None or others & later):
                    where = (f"{self.parsed.where(stmt)}: {gast.unparse(stmt).strip()}: this "
                             f"updates in place an array of {container.id}, the list or "
                             "dict the caller passed, which another name here may also "
                             "hold (an item or view read before): grad never changes the "
                             "caller's arrays and updates a new item, so that name would "
                             "keep the old values. Read the item again after the update, "
                             f"or write {gast.unparse(stmt.target).strip()} = "
                             f"{gast.unparse(stmt.target).strip()} "
                             f"{AUG_SYMBOLS.get(type(stmt.op), '+')} ...")
                    item = gast.Subscript(value=clone(container), slice=clone(
                        stmt.target.slice), ctx=gast.Load())
                    check = gast.Expr(value=gast.Call(
                        func=gast.Attribute(value=name_node(self.namer.reference(
                            runtime, "_ad")), attr="not_an_array", ctx=gast.Load()),
                        args=[item, gast.Constant(value=where, kind=None)], keywords=[]))
                    self.body.append(Primal(gast.copy_location(check, stmt), stmt, set()))
                # (L = [A, A]: NumPy's update of L[0] changes L[1], grad's new item
                # would not: checked as it runs; L[0:1] += [v] extends the list itself)
                if not any(isinstance(n, gast.Slice) for n in walk(stmt.target.slice)):
                    twice = (f"{self.parsed.where(stmt)}: {gast.unparse(stmt).strip()}: the "
                             f"list or dict {container.id} holds this item's array (or a "
                             "view of its memory) under another key or position too, which "
                             "NumPy's update in place "
                             "would change as well, while grad updates a new item. Pass "
                             "arrays of their own ([np.zeros(n) for _ in range(k)]), or "
                             f"write {gast.unparse(stmt.target).strip()} = "
                             f"{gast.unparse(stmt.target).strip()} "
                             f"{AUG_SYMBOLS.get(type(stmt.op), '+')} ...")
                    self.body.append(Primal(gast.copy_location(gast.Expr(value=gast.Call(
                        func=gast.Attribute(value=name_node(self.namer.reference(
                            runtime, "_ad")), attr="item_alone", ctx=gast.Load()),
                        args=[clone(container), clone(stmt.target.slice),
                              gast.Constant(value=twice, kind=None)], keywords=[])), stmt),
                        stmt, set()))
                read = gast.copy_location(gast.Subscript(
                    value=clone(container), slice=clone(stmt.target.slice),
                    ctx=gast.Load()), stmt.target)
                # (the new item stands for the caller's array, which written_back then
                # updates, as NumPy's += would, keeping the caller's object)
                update = gast.copy_location(gast.Call(
                    func=gast.Attribute(value=name_node(self.namer.reference(runtime, "_ad")),
                                        attr="in_place_of", ctx=gast.Load()),
                    args=[gast.copy_location(gast.BinOp(left=read, op=stmt.op,
                                                        right=stmt.value), stmt.value),
                          clone(read)], keywords=[]), stmt.value)
                self.primal(gast.copy_location(gast.Assign(
                    targets=[stmt.target], value=update, type_comment=None), stmt))
                return
            keyed = isinstance(stmt.target.slice, gast.Constant) and \
                isinstance(stmt.target.slice.value, str)
            if isinstance(container, gast.Name) and (
                    self.holds_sequence(container) is not False or container.id in self.dicts
                    or keyed):
                self.item_update_alone(container.id, stmt)
            # y[i] += v  is  y[i] = y[i] + v
            read = gast.copy_location(gast.Subscript(value=clone(container),
                                                     slice=clone(stmt.target.slice),
                                                     ctx=gast.Load()), stmt.target)
            update = gast.copy_location(gast.BinOp(left=read, op=stmt.op, right=stmt.value),
                                        stmt.value)
            copy_of_a_param = isinstance(container, gast.Name) and \
                container.id in getattr(self.parsed.node, "copies", ())
            if (callers_item or copy_of_a_param) and not any(
                    isinstance(n, gast.Slice) for n in walk(stmt.target.slice)):
                # (d['w'] -= 0.1 * x on the copy of a dict the caller passed, or a
                # writing helper's copy of its argument: the new item stands for the
                # caller's array, which written_back then updates in place, as NumPy's
                # -= would, keeping the caller's object)
                update = gast.copy_location(gast.Call(
                    func=gast.Attribute(value=name_node(self.namer.reference(runtime,
                                                                             "_ad")),
                                        attr="in_place_of", ctx=gast.Load()),
                    args=[update, clone(read)], keywords=[]), stmt.value)
            plain = gast.copy_location(gast.Assign(targets=[stmt.target], value=update,
                                                   type_comment=None), stmt)
            self.assign(plain)
            return
        name = stmt.target.id
        if isinstance(stmt.op, gast.BitOr) and isinstance(stmt.value, gast.Dict) and \
                None not in stmt.value.keys:
            # d |= {'a': v}: a dict's update in place (a set's |= takes a set display)
            update = gast.copy_location(gast.Expr(value=gast.Call(
                func=gast.Attribute(value=name_node(name), attr="update", ctx=gast.Load()),
                args=[stmt.value], keywords=[])), stmt)
            update.shown_as = getattr(stmt, "shown_as", None) or \
                gast.unparse(stmt).strip().splitlines()[0]
            self.statement(update)
            self.origin = stmt
            return
        if name not in self.parsed.params and name not in self.bound_otherwise:
            # (W *= 2.0 with no W = ...: a local Python finds unbound)
            symbol = AUG_SYMBOLS.get(type(stmt.op), "+")
            raise self.error(stmt, f"{name} {symbol}= ... updates {name}, which nothing in "
                                   f"this function binds before: Python reads {name} as a "
                                   "local variable here (it is assigned in the function) "
                                   "and raises UnboundLocalError. To change a module's "
                                   f"{name}, return the new value and assign it outside "
                                   "(grad does not follow global statements)")
        through = self.global_arrays.get(name)
        if through is not None and name not in self.scalars:
            # (b = H; b += x, or b = m.buf: NumPy writes into H, or m's array; checked as
            # it runs, a number, count = self.count; count += 1, being rebound; b *= 2.0
            # too, which grad would make on a new array, leaving H as it was)
            symbol = AUG_SYMBOLS.get(type(stmt.op), "+")
            where = f"{self.parsed.where(stmt)}: " + self.held_array_refusal(
                f"{name} {symbol}= ...", name, through)
            check = gast.Expr(value=gast.Call(
                func=gast.Attribute(value=name_node(self.namer.reference(runtime, "_ad")),
                                    attr="not_an_array", ctx=gast.Load()),
                args=[name_node(name), gast.Constant(value=where, kind=None)], keywords=[]))
            self.body.append(Primal(gast.copy_location(check, stmt), stmt, set()))
        if isinstance(stmt.op, gast.Add) and (
                name in self.lists or self.holds_sequence(stmt.target) is not False) and \
                self.not_a_list(stmt.value) and not self.surely_a_tuple(name):
            # ys += KT, ys += range(2): a list extended by any iterable (its items); where
            # ys may be a tuple or an array too (a parameter: t += (v,)), as its type says
            items: gast.expr = gast.copy_location(gast.Call(
                func=name_node(self.namer.reference(list, "list")), args=[stmt.value],
                keywords=[]), stmt.value)
            if self.ever_a_tuple(name):
                is_list = gast.Compare(left=gast.Call(
                    func=name_node(self.namer.reference(type, "type")), args=[
                        name_node(name)], keywords=[]), ops=[gast.Is()],
                    comparators=[name_node(self.namer.reference(list, "list"))])
                # (tuple(v) for a tuple or an array: the same where Python's += takes v,
                # and a sequence either way, which the addition then joins or adds)
                as_tuple = clone(stmt.value) if isinstance(stmt.value, gast.Tuple) else \
                    gast.copy_location(gast.Call(
                        func=name_node(self.namer.reference(tuple, "tuple")),
                        args=[clone(stmt.value)], keywords=[]), stmt.value)
                items = gast.copy_location(gast.IfExp(test=is_list, body=items,
                                                      orelse=as_tuple), stmt.value)
            stmt = gast.copy_location(gast.AugAssign(target=stmt.target, op=stmt.op,
                                                     value=items), stmt)
        if name in self.shared and name not in self.scalars and \
                (self.is_active(stmt.value) or name in self.active):
            symbol = gast.unparse(stmt).split(name, 1)[1].split()[0]
            self.update_alone(name, stmt, (
                f"{name} {symbol} ... may change an array that another name also refers "
                "to (a view, an item, an argument of a helper), which grad cannot follow: "
                f"if the change is meant for {name} alone, write {name} = {name} "
                f"{AUG_SYMBOLS.get(type(stmt.op), '+')} ..."))
        load = name_node(stmt.target.id)
        gast.copy_location(load, stmt.target)
        value = gast.copy_location(gast.BinOp(left=load, op=stmt.op, right=stmt.value),
                                   stmt.value)
        if name in _narrow_floats(self.parsed) and self.is_active(value):
            # acc = np.zeros(3, dtype=np.float32); acc += w * x: NumPy's update keeps
            # acc's dtype, where acc + w * x would be float64
            value = gast.copy_location(gast.Call(
                func=gast.Attribute(value=name_node(self.namer.reference(runtime, "_ad")),
                                    attr="cast_like", ctx=gast.Load()),
                args=[value, name_node(stmt.target.id)], keywords=[]), stmt.value)
        plain = gast.copy_location(gast.Assign(targets=[name_node(stmt.target.id, gast.Store())],
                                               value=value, type_comment=None), stmt)
        # x += y rebinds x to a new array here, so values saved for the adjoint
        # are never modified in place. Without gradient it stays as written, unless
        # an adjoint reads x's array (then it rebinds x, or is refused if x is shared).
        verbatim = not self.is_active(value)
        if verbatim and self.seen_by_adjoints(name):
            if name in self.shared and name not in self.scalars:
                self.update_alone(name, stmt, self.seen_by_adjoints_refusal(name))
            verbatim = False
        self.assign(plain, original=stmt if verbatim else None)


def _narrow_floats(parsed: Any) -> frozenset:
    """The names the function binds to arrays of a floating type narrower than float64
    that it states (``np.zeros(3, dtype=np.float32)``, ``x.astype('float32')``), read
    once per function."""
    found = getattr(parsed, "_narrow_floats", None)
    if found is not None:
        return found

    def narrow(expr: Any) -> bool:
        value = expr.value if isinstance(expr, gast.Constant) else parsed.resolve(expr)
        try:
            dtype = np.dtype(value)
        except Exception:  # noqa: BLE001 - not a dtype (np.zeros, a name not known)
            return False
        return dtype.kind in "fc" and dtype.itemsize < (8 if dtype.kind == "f" else 16)

    names = set()
    for node in walk(parsed.node):
        if not (isinstance(node, gast.Assign) and len(node.targets) == 1 and
                isinstance(node.targets[0], gast.Name) and isinstance(node.value, gast.Call)):
            continue
        call = node.value
        stated = [k.value for k in call.keywords if k.arg == "dtype"]
        if isinstance(call.func, gast.Attribute) and call.func.attr == "astype" and call.args:
            stated.append(call.args[0])
        if any(narrow(d) for d in stated):  # (np.float32(0) is a number: += rebinds it,
            names.add(node.targets[0].id)  # promoted, as NumPy does)
    parsed._narrow_floats = frozenset(names)
    return parsed._narrow_floats


_FLOAT_MAKERS = ("zeros", "ones", "empty")
_FLOAT_DTYPES = ("float", "float64", "float32", "double", "complex", "complex128")


def _made_floating(parsed: Any, wrt: list, name: str) -> bool:
    """Whether every binding of ``name`` in the function surely makes a floating-point
    array (or list, or dict): ``np.zeros(shape)`` (``ones``, ``empty``; their ``_like``
    of a differentiated argument), a copy or arithmetic of a differentiated argument,
    a list or dict display. Else stores into it are checked as they run."""
    if name in parsed.params and name not in wrt:
        return False
    bindings: list = []
    for node in walk(parsed.node):
        if isinstance(node, (gast.Assign, gast.AugAssign, gast.AnnAssign, gast.For,
                             gast.With, gast.NamedExpr)):
            targets = node.targets if isinstance(node, gast.Assign) else \
                [node.target] if not isinstance(node, gast.With) else \
                [item.optional_vars for item in node.items if item.optional_vars]
            for target in targets:
                if any(isinstance(n, gast.Name) and n.id == name and
                       isinstance(n.ctx, gast.Store) for n in walk(target)):
                    if not isinstance(node, gast.Assign) or not isinstance(target, gast.Name):
                        return False  # unpacked, looped over, updated: not known
                    bindings.append(node.value)
    return all(_floating_value(parsed, wrt, value) for value in bindings)


def _floating_arithmetic(wrt: list, value: gast.expr) -> bool:
    """Whether ``value`` is surely floating: a differentiated argument, a float constant,
    their items, transposes and arithmetic (with anything)."""
    if isinstance(value, gast.Name):
        return value.id in wrt
    if isinstance(value, gast.Constant):
        return type(value.value) is float
    if isinstance(value, gast.Subscript) or isinstance(value, gast.Attribute) and \
            value.attr == "T":
        return _floating_arithmetic(wrt, value.value)
    if isinstance(value, gast.UnaryOp):
        return _floating_arithmetic(wrt, value.operand)
    if isinstance(value, gast.BinOp):
        return _floating_arithmetic(wrt, value.left) or _floating_arithmetic(wrt, value.right)
    return False


def _floating_value(parsed: Any, wrt: list, value: gast.expr) -> bool:
    if isinstance(value, (gast.List, gast.Dict, gast.ListComp, gast.DictComp)):
        return True
    if isinstance(value, gast.BinOp):
        return _floating_arithmetic(wrt, value)
    if not isinstance(value, gast.Call):
        return False
    func = value.func
    dtype = [k.value for k in value.keywords if k.arg == "dtype"]
    if dtype and not (isinstance(dtype[0], gast.Name) and dtype[0].id in _FLOAT_DTYPES or
                      isinstance(dtype[0], gast.Attribute) and
                      dtype[0].attr in _FLOAT_DTYPES):
        return False
    if isinstance(func, gast.Attribute) and func.attr == "copy" and not value.args:
        return _floating_arithmetic(wrt, func.value)
    target = parsed.resolve(func)
    made = getattr(target, "__name__", None)
    if str(getattr(target, "__module__", "")).startswith("autograd_src."):
        return True  # an adjoint, in a derivative's own code (second order)
    if getattr(target, "__module__", None) != "numpy" or made is None:
        return False
    if made in _FLOAT_MAKERS:
        return len(value.args) == 1
    if made in ("copy", "zeros_like", "ones_like", "empty_like", "array"):
        return len(value.args) == 1 and _floating_arithmetic(wrt, value.args[0])
    return False


def _bound_to_a_shared_value(node: gast.FunctionDef, name: str) -> bool:
    """Whether generated code binds ``name`` to a value another name may hold: the
    user's own aliases, kept as written (``t = c`` then ``t *= 1.5``, ``t = d['w']``,
    ``t = ws[0][:]``), never grad's adjoints."""
    return any(isinstance(item, gast.Assign) and _may_hold_anothers(item.value) and any(
        isinstance(t, gast.Name) and t.id == name for t in item.targets)
        for item in walk(node))


def _may_hold_anothers(value: Any) -> bool:
    """Whether ``value`` may be an array another name holds: a name, an item or an
    attribute, or a view (``W.reshape(-1)``, ``W.ravel()``)."""
    return isinstance(value, (gast.Name, gast.Subscript, gast.Attribute)) or \
        mutation.viewed_name(value) is not None


def _alias_reaches(node: gast.FunctionDef, stmt: Any, name: str) -> bool:
    """Whether generated code's update ``stmt`` of ``name`` may write into a value
    another name holds (`_bound_to_a_shared_value`): only the binding of ``name`` that
    reaches it counts, found walking back from it through the blocks around it (``da =
    dout`` then ``da = da + dout``: ``da -= v`` writes into the new value alone; ``dh =
    _ad.unbroadcast(...)`` then ``dh += v`` in a branch of the loop's body alike); at a
    loop's start, any binding in its body may reach."""
    path = _path_to(node.body, stmt, None)
    if path is None:
        return _bound_to_a_shared_value(node, name)
    for owner, stmts, at in reversed(path):
        for before in reversed(stmts[:at]):
            if isinstance(before, gast.Assign) and len(before.targets) == 1 and \
                    isinstance(before.targets[0], gast.Name) and before.targets[0].id == name:
                return _may_hold_anothers(before.value)
            if any(isinstance(n, gast.Name) and n.id == name and
                   not isinstance(n.ctx, gast.Load) for n in walk(before)):
                return _bound_to_a_shared_value(node, name)  # (bound in a block of it)
        if isinstance(owner, (gast.For, gast.While)) and any(
                isinstance(n, gast.Name) and n.id == name and not isinstance(n.ctx, gast.Load)
                for s in owner.body for n in walk(s)):
            return _bound_to_a_shared_value(node, name)  # (the last iteration's may reach)
    return _bound_to_a_shared_value(node, name)


def _path_to(stmts: list, target: Any, owner: Any) -> Optional[list]:
    """``[(owner, statements, index), ...]`` from the body down to ``target``: each list
    of statements holding it or a statement around it, with what holds that list."""
    for k, stmt in enumerate(stmts):
        if stmt is target:
            return [(owner, stmts, k)]
        for field in ("body", "orelse", "finalbody"):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list) and not isinstance(stmt, gast.FunctionDef):
                found = _path_to(inner, target, stmt)
                if found is not None:
                    return [(owner, stmts, k)] + found
    return None


def _never_shared(node: gast.FunctionDef, name: str) -> bool:
    """Whether generated code never hands ``name``'s value to another name: not
    appended to a stack or list, not in a list or tuple display, not assigned as is."""
    for item in walk(node):
        if isinstance(item, gast.Call) and isinstance(item.func, gast.Attribute) and \
                item.func.attr in ("append", "extend", "insert") and any(
                    isinstance(a, gast.Name) and a.id == name for a in item.args):
            return False
        if isinstance(item, (gast.List, gast.Tuple, gast.Set)) and any(
                isinstance(e, gast.Name) and e.id == name for e in item.elts) and \
                isinstance(getattr(item, "ctx", None), gast.Load):
            return False
        if isinstance(item, gast.Assign) and isinstance(item.value, gast.Name) and \
                item.value.id == name and not _after_every_write(node, item, name):
            return False
    return True


def _after_every_write(node: gast.FunctionDef, alias: gast.Assign, name: str) -> bool:
    """Whether ``alias`` (``dx0 = du``, the last step of a sweep) is a statement of
    ``node``'s body after every statement that writes into ``name`` in place, and
    nothing writes into the new name: the two then never see a write."""
    body = node.body
    if not any(stmt is alias for stmt in body):
        return False
    position = next(k for k, stmt in enumerate(body) if stmt is alias)
    names = {name} | {t.id for t in alias.targets if isinstance(t, gast.Name)}
    for k, stmt in enumerate(body):
        for item in walk(stmt):
            targets = item.targets if isinstance(item, gast.Assign) else \
                [item.target] if isinstance(item, gast.AugAssign) else []
            for target in targets:
                written = target.value if isinstance(target, gast.Subscript) else \
                    target if isinstance(item, gast.AugAssign) else None
                while isinstance(written, gast.Subscript):
                    written = written.value
                if isinstance(written, gast.Name) and written.id in names and \
                        (k >= position and not _bound_anew(body, name, position, k) or
                         written.id != name):
                    return False
    return True


def _bound_anew(body: list, name: str, start: int, end: int) -> bool:
    """Whether a statement of ``body`` between ``start`` and ``end`` binds ``name`` to a
    new value (``dy = _ad.zeros_like(y)``): writes after it go into that one."""
    return any(isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and
               isinstance(stmt.targets[0], gast.Name) and stmt.targets[0].id == name and
               not _may_hold_anothers(stmt.value) for stmt in body[start + 1:end])
