"""Accumulate adjoints in place (``dx += t``, ``dx[1:] += t``) where the array is
the sweep's own.
"""

from __future__ import annotations

from typing import Any

import gast

from .expressions import static_basic_index
from .walk import assigned_name, helper_of, nodes

__all__ = ["without_negation", "accumulate_in_place", "add_to_items", "rows_into_items"]


# Helpers that always return a new array the caller may modify.
_FRESH_HELPERS = {"unindex", "unreduce", "zeros_like", "zero_at", "unmean", "unextreme",
                  "unvar", "unstd", "unprod", "uncumsum", "untile", "unrepeat", "untrace",
                  "matmul_lhs", "matmul_rhs",
                  "dot_lhs", "dot_rhs", "inner_lhs", "inner_rhs", "solve_lhs", "norm_grad"}


# Helpers that always return a new list (or dict) of adjoints, given one.
_FRESH_LISTS = {"zeros_like", "zero_items", "unindex", "add_to_item", "unsum"}


def _fresh(node: Any, ad: str) -> bool:
    if isinstance(node, (gast.BinOp, gast.UnaryOp)):
        return True
    helper = helper_of(node, ad)
    if helper == "unbroadcast":
        return _fresh(node.args[0], ad)
    return helper in _FRESH_HELPERS


def without_negation(update: gast.expr) -> tuple[gast.operator, gast.expr]:
    """``(Sub, e)`` for ``-e`` and ``-a * b / c``, else ``(Add, update)``: one pass fewer.

    Negating the first factor of a product or quotient negates the result exactly.
    """
    if isinstance(update, gast.UnaryOp) and isinstance(update.op, gast.USub):
        return gast.Sub(), update.operand
    if isinstance(update, gast.BinOp) and isinstance(update.op, (gast.Mult, gast.Div)):
        op, left = without_negation(update.left)
        if isinstance(op, gast.Sub):
            return op, gast.BinOp(left=left, op=update.op, right=update.right)
    return gast.Add(), update


def accumulate_in_place(stmts: list[Any], adjoints: set[str], ad: str,
                        containers: frozenset = frozenset(),
                        integers: frozenset = frozenset(),
                        grown_lists: frozenset = frozenset()) -> list[Any]:
    """Turn ``da = da + c`` into ``da += c`` (and ``da[i] += g``) where ``da`` is private.

    An adjoint is private when its value was freshly computed (arithmetic or a
    helper that allocates) and no other name refers to it, so updating it in
    place cannot change any other value. This saves one allocation per
    accumulation, which dominates on large arrays.
    """
    # Lists of adjoints are summed by _ad.add, a new list; only ``d = _ad.add_to_item(d,
    # x, i, g)`` (`add_to_items`) is written into ``d`` where the list is private.
    stmts = _accumulate(stmts, _Adjoints(adjoints - containers, containers & adjoints, ad,
                                         grown_lists), set(), set(), integers)
    return _entries_read_as_copies(stmts, ad)


def _entries_read_as_copies(stmts: list[Any], ad: str,
                            later: frozenset = frozenset()) -> list[Any]:
    """Entries read out of an adjoint that the sweep changes in place afterwards
    (``_ad.zero_into``, ``_ad.add_into``; ``later`` those changed after the block), as
    copies: ``d[2:4]`` of an array is a view, and the zeroing or sum written into ``d``
    would change what was read (HI 01: ``u[2:4] = u[1:3]`` gave its part of the gradient
    as zeros). A list's or dict's item is its own object, which those helpers replace; a
    number is its own copy (`_ad.copied` leaves both as they are)."""
    pending = set(later)
    for stmt in reversed(stmts):
        if isinstance(stmt, (gast.For, gast.While, gast.If)):
            inside = _changed_in_place([stmt], ad)
            repeated = inside if isinstance(stmt, (gast.For, gast.While)) else set()
            for block in ("body", "orelse"):
                _entries_read_as_copies(getattr(stmt, block), ad,
                                        frozenset(pending | repeated))
            heads = [getattr(stmt, f) for f in ("iter", "test") if hasattr(stmt, f)]
            if pending | repeated:
                for head in heads:
                    _CopiedEntries(pending | repeated, ad).visit(head)
            pending |= inside
            continue
        if pending:
            _CopiedEntries(pending, ad).visit(stmt)
        pending |= _changed_in_place([stmt], ad)
    return stmts


def _changed_in_place(stmts: list[Any], ad: str) -> set[str]:
    """The adjoints ``stmts`` change in place by ``d = _ad.zero_into(d, i)`` or ``d =
    _ad.add_into(d, x, i, g)``."""
    return {node.value.args[0].id for s in stmts for node in nodes(s)
            if isinstance(node, gast.Assign)
            and helper_of(node.value, ad) in ("zero_into", "add_into")
            and node.value.args and isinstance(node.value.args[0], gast.Name)}


def copied(read: gast.expr, ad: str) -> gast.Call:
    """``_ad.copied(read)``: a value of its own, not a view of an adjoint."""
    return gast.Call(func=gast.Attribute(value=gast.Name(id=ad, ctx=gast.Load(), annotation=None,
                                                         type_comment=None),
                                         attr="copied", ctx=gast.Load()),
                     args=[read], keywords=[])


class _CopiedEntries(gast.NodeTransformer):
    """``d[i]`` read as ``_ad.copied(d[i])`` for each ``d`` of ``names``, unless only an
    operand of arithmetic (a new value) or already a copy."""

    def __init__(self, names: set[str], ad: str) -> None:
        self.names, self.ad = names, ad

    def visit_BinOp(self, node: gast.BinOp) -> Any:
        node.left, node.right = (self._operand(node.left), self._operand(node.right))
        return node

    def visit_UnaryOp(self, node: gast.UnaryOp) -> Any:
        node.operand = self._operand(node.operand)
        return node

    def _operand(self, node: Any) -> Any:
        if self._entry(node):
            node.slice = self.visit(node.slice)
            return node
        return self.visit(node)

    def visit_Call(self, node: gast.Call) -> Any:
        if helper_of(node, self.ad) == "copied":
            return node
        return self.generic_visit(node)

    def visit_AugAssign(self, node: gast.AugAssign) -> Any:
        if isinstance(node.target, gast.Subscript):  # (d[j] += t writes d: not a read)
            node.target.slice = self.visit(node.target.slice)
        node.value = self.visit(node.value)
        return node

    def visit_Subscript(self, node: gast.Subscript) -> Any:
        self.generic_visit(node)
        if not self._entry(node):
            return node
        return copied(node, self.ad)

    def _entry(self, node: Any) -> bool:
        return isinstance(node, gast.Subscript) and isinstance(node.ctx, gast.Load) and \
            isinstance(node.value, gast.Name) and node.value.id in self.names


def add_to_items(stmts: list[Any], ad: str) -> list[Any]:
    """Turn ``d = _ad.add(d, _ad.unindex(g, x, i))`` into ``d = _ad.add_to_item(d, x, i, g)``.

    The same sum, a new list as before, without the list of zeros as long as ``x``
    that ``unindex`` builds: for a loop over a list's items, O(1) per item instead
    of O(n) (a shallow copy of ``d`` is all that remains).
    """
    for node in (n for s in stmts for n in nodes(s)):
        if not isinstance(node, gast.Assign) or helper_of(node.value, ad) != "add":
            continue
        target = assigned_name(node)
        total = node.value
        if target is None or len(total.args) != 2 or total.keywords:
            continue
        first, update = total.args
        if isinstance(first, gast.Name) and first.id == target and \
                helper_of(update, ad) == "unindex" and len(update.args) == 3 and \
                not update.keywords:
            piece, whole, index = update.args
            total.func.attr = "add_to_item"
            total.args = [first, whole, index, piece]
    return stmts


def _range_counter(stmt: Any) -> frozenset:
    """The counter of ``for i in range(...)`` or ``reversed(range(...))``: an int, never
    an array of positions, so ``da[i] += g`` adds once."""
    if not isinstance(stmt, gast.For) or not isinstance(stmt.target, gast.Name):
        return frozenset()
    head = stmt.iter
    if isinstance(head, gast.Call) and isinstance(head.func, gast.Name) and \
            head.func.id == "reversed" and len(head.args) == 1:
        head = head.args[0]
    if isinstance(head, gast.Call) and isinstance(head.func, gast.Name) and \
            head.func.id == "range":
        return frozenset([stmt.target.id])
    return frozenset()


def _arguments(exprs: Any) -> set[str]:
    """The names passed as arguments to the calls in ``exprs`` (nodes or trees)."""
    names: set[str] = set()
    for expr in exprs:
        for node in nodes(expr):
            if isinstance(node, gast.Call):
                names |= {a.id for a in node.args if isinstance(a, gast.Name)}
    return names


def _only_accumulated(stmts: list[Any], name: str, ad: str) -> bool:
    """Whether every assignment of ``name`` in ``stmts`` adds to it (``da = da + t``,
    ``d = _ad.add_to_item(d, x, i, g)``) and nothing else refers to it by a second name
    (nor keeps it, as an argument)."""
    updates = {id(n.value) for s in stmts for n in nodes(s)
               if isinstance(n, gast.Assign) and assigned_name(n) == name
               and _item_update(n.value, name, ad)}
    for node in (n for s in stmts for n in nodes(s)):
        if id(node) in updates:
            continue
        if isinstance(node, gast.Assign) and isinstance(node.value, gast.Name) and \
                node.value.id == name:
            return False
        if isinstance(node, gast.Call) and any(
                isinstance(a, gast.Name) and a.id == name for a in node.args):
            return False
        if isinstance(node, gast.For) and any(
                isinstance(t, gast.Name) and t.id == name for t in nodes(node.target)):
            return False
        if isinstance(node, gast.AugAssign) and isinstance(node.target, gast.Name) and \
                node.target.id == name and not isinstance(node.op, (gast.Add, gast.Sub)):
            return False
        if isinstance(node, gast.Assign) and any(
                isinstance(t, gast.Name) and t.id == name for t in node.targets):
            value = node.value
            adds = isinstance(value, gast.BinOp) and isinstance(value.op, (gast.Add, gast.Sub)) \
                and isinstance(value.left, gast.Name) and value.left.id == name \
                or id(value) in updates
            if not adds:
                return False
    return True


def _aliased_or_assigned(stmts: list[Any]) -> set[str]:
    """Names a block may bind to another value or make a second name for."""
    names: set[str] = set()
    for node in (n for s in stmts for n in nodes(s)):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
            names.add(node.id)
        elif isinstance(node, gast.Assign) and isinstance(node.value, gast.Name):
            names.add(node.value.id)
        elif isinstance(node, gast.Call):  # passed to a function, which may keep it
            names |= {a.id for a in node.args if isinstance(a, gast.Name)}
    return names


def _constant_int(node: Any) -> bool:
    return isinstance(node, gast.Constant) and type(node.value) is int or \
        isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub) and \
        isinstance(node.operand, gast.Constant) and type(node.operand.value) is int


class _Adjoints:
    """The adjoints `_accumulate` may update in place: ``arrays`` by ``+=``, ``lists``
    (lists, tuples or dicts of adjoints) by `add_into`; ``ad`` names the runtime."""

    def __init__(self, arrays: set[str], lists: set[str], ad: str,
                 grown_lists: frozenset = frozenset()) -> None:
        self.arrays, self.lists, self.ad = arrays, lists, ad
        self.grown_lists = grown_lists


def _item_update(value: Any, target: str, ad: str) -> bool:
    """Whether ``value`` is ``_ad.add_to_item(target, x, i, g)``, ``target`` not in ``g``,
    or one of the other changes of single items `_in_place_item_change` makes in place."""
    return helper_of(value, ad) == "add_to_item" and len(value.args) == 4 and \
        isinstance(value.args[0], gast.Name) and value.args[0].id == target and \
        not any(isinstance(n, gast.Name) and n.id == target
                for a in value.args[1:] for n in nodes(a)) or \
        _in_place_item_change(value, target, ad) is not None


def _in_place_item_change(value: Any, target: str, ad: str) -> Any:
    """For ``target[:-1]`` (the adjoint of a list before an append) and
    ``_ad.zero_at(target, i)`` (``target`` not in ``i``), the call that makes the same
    change in ``target`` itself (``_ad.without_last``, ``_ad.zero_into``); else None."""
    if isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name) and \
            value.value.id == target and isinstance(value.slice, gast.Slice) and \
            value.slice.lower is None and value.slice.step is None and \
            _is_minus_one(value.slice.upper):
        helper, args = "without_last", [value.value]
    elif helper_of(value, ad) == "zero_at" and len(value.args) == 2 and \
            not value.keywords and isinstance(value.args[0], gast.Name) and \
            value.args[0].id == target and not any(
                isinstance(n, gast.Name) and n.id == target for n in nodes(value.args[1])):
        helper, args = "zero_into", value.args
    else:
        return None
    return gast.Call(func=gast.Attribute(value=gast.Name(id=ad, ctx=gast.Load(),
                                                         annotation=None, type_comment=None),
                                         attr=helper, ctx=gast.Load()),
                     args=args, keywords=[])


def _is_minus_one(node: Any) -> bool:
    return isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub) and \
        isinstance(node.operand, gast.Constant) and node.operand.value == 1 or \
        isinstance(node, gast.Constant) and node.value == -1


def _accumulate(stmts: list[Any], sweep: _Adjoints, owned: set[str],
                indexable: set[str], integers: frozenset) -> list[Any]:
    """`accumulate_in_place` of one block, given the private adjoints on entry (updated
    in place to those private on exit)."""
    adjoints, ad = sweep.arrays, sweep.ad
    result: list[Any] = []
    for stmt in stmts:
        target = assigned_name(stmt)
        if target is None and isinstance(stmt, (gast.For, gast.While, gast.If)):
            # Inside, only what stays private across every path and iteration: adjoints
            # the block neither rebinds except by accumulating, nor shares.
            blocks = [stmt.body, stmt.orelse]
            touched = _aliased_or_assigned(stmt.body + stmt.orelse)
            accumulated = {n for n in touched & owned  # (only those owned count)
                           if _only_accumulated(stmt.body + stmt.orelse, n, ad)}
            inside = (owned - touched) | (owned & accumulated)
            counters = integers | _range_counter(stmt)
            for block, name in zip(blocks, ("body", "orelse")):
                setattr(stmt, name, _accumulate(block, sweep, set(inside),
                                                indexable & inside, counters))
            owned &= inside
            indexable &= inside
            result.append(stmt)
            continue
        if target is None:
            result.append(stmt)
            continue
        value = stmt.value
        if isinstance(value, gast.Name):
            owned.discard(value.id)  # now shared by two names
            indexable.discard(value.id)
        if target in sweep.lists and target in owned and _item_update(value, target, ad):
            # the list is the sweep's own: updated in place
            changed = _in_place_item_change(value, target, ad)
            if changed is not None:
                stmt.value = gast.copy_location(changed, value)
            else:
                value.func.attr = "add_into"
                owned.difference_update(_arguments(value.args[1:]))
                x = value.args[1]
                index = value.args[2]
                if isinstance(x, gast.Name) and x.id in sweep.grown_lists and (
                        _constant_int(index) or  # (hs[-1], hs[i] of a range's counter)
                        isinstance(index, gast.Name) and index.id in integers):
                    value.args[1] = gast.Name(id=target, ctx=gast.Load(), annotation=None,
                                              type_comment=None)
            result.append(stmt)
            continue
        # A list of adjoints passed to a function may be kept in what it returns
        # (_ad.unindex(dvalues, items, k) holds dvalues): it is no longer private.
        owned.difference_update(_arguments([value]) & sweep.lists)
        accumulating = (target in adjoints and target in owned
                        and isinstance(value, gast.BinOp)
                        and isinstance(value.op, (gast.Add, gast.Sub))
                        and isinstance(value.left, gast.Name) and value.left.id == target)
        if accumulating:
            update = value.right
            index = static_basic_index(update.args[2], integers) if isinstance(value.op, gast.Add) \
                and helper_of(update, ad) == "unindex" and len(update.args) == 3 else None
            if index is not None and target in indexable:
                subscript = gast.Subscript(value=gast.Name(id=target, ctx=gast.Load(),
                                                           annotation=None, type_comment=None),
                                           slice=index, ctx=gast.Store())
                result.append(gast.copy_location(
                    gast.AugAssign(target=subscript, op=gast.Add(), value=update.args[0]), stmt))
            elif target in indexable and isinstance(value.op, gast.Add) and \
                    helper_of(update, ad) == "unindex" and len(update.args) == 3:
                # An index known only when it runs: added where it points, not through
                # a zero array as large as the whole (O(n) per update in a loop).
                stmt.value = gast.Call(func=gast.Attribute(value=update.func.value,
                                                           attr="add_at", ctx=gast.Load()),
                                       args=[value.left, update.args[2], update.args[0]],
                                       keywords=[])
                result.append(stmt)
            else:
                op, update = without_negation(update)  # da += -e  is  da -= e
                if isinstance(value.op, gast.Sub):
                    op = gast.Add() if isinstance(op, gast.Sub) else gast.Sub()
                result.append(gast.copy_location(
                    gast.AugAssign(target=gast.Name(id=target, ctx=gast.Store(), annotation=None,
                                                    type_comment=None),
                                   op=op, value=update), stmt))
            continue
        owned.discard(target)
        indexable.discard(target)
        if target in sweep.lists and helper_of(value, ad) in _FRESH_LISTS:
            owned.add(target)
        if target in adjoints and _fresh(value, ad):
            owned.add(target)
            if helper_of(value, ad) in ("unindex", "unreduce", "zeros_like", "zero_at"):
                indexable.add(target)
        result.append(stmt)
    return result


def rows_into_items(stmts: list[Any], ad: str, loads: Any) -> list[Any]:
    """Turn ``t = _ad.unindex(g, item, i)`` and, later in the block, ``d =
    _ad.add_into(d, x, k, t)`` (or ``d = _ad.add_at(d, k, t)``: ``d`` a dict or list of
    the sweep's own, ``t`` read nowhere else, nothing between touching their names) into
    ``d = _ad.add_rows_into(d, x, k, item, i, g)``: the adjoint of ``p['E'][tok]`` added
    at row ``tok`` of ``dp['E']``, not through a zero array as large as the embedding
    at every lookup."""
    from .walk import names_in
    result: list[Any] = []
    for stmt in stmts:
        for block in ("body", "orelse"):
            inner = getattr(stmt, block, None) if isinstance(stmt, gast.stmt) else None
            if isinstance(inner, list):
                setattr(stmt, block, rows_into_items(inner, ad, loads))
        helper = helper_of(stmt.value, ad) if isinstance(stmt, gast.Assign) else None
        args = stmt.value.args if helper in ("add_into", "add_at") else []
        if len(args) != (4 if helper == "add_into" else 3) or stmt.value.keywords or \
                not isinstance(args[-1], gast.Name) or loads[args[-1].id] != 1 or \
                not isinstance(args[0], gast.Name) or args[0].id != assigned_name(stmt):
            result.append(stmt)
            continue
        scattered = args[-1].id
        found = None
        for k in range(len(result) - 1, -1, -1):
            before = result[k]
            if isinstance(before, gast.Assign) and assigned_name(before) == scattered:
                found = k
                break
        if found is None or helper_of(result[found].value, ad) != "unindex" or \
                len(result[found].value.args) != 3 or result[found].value.keywords:
            result.append(stmt)
            continue
        scatter = result[found].value
        involved = {n.id for e in list(scatter.args) + list(args)
                    for n in nodes(e) if isinstance(n, gast.Name)}
        between = [b for b in result[found + 1:] if isinstance(b, gast.AST)]
        stores, reads = names_in(between)
        if involved & (set(stores) | set(reads)):
            result.append(stmt)
            continue
        g, item, index = scatter.args
        d = args[0]
        x, key = (args[1], args[2]) if helper == "add_into" else (d, args[1])
        stmt.value.func.attr = "add_rows_into"
        stmt.value.args = [d, x, key, item, index, g]
        del result[found]
        result.append(stmt)
    return result
