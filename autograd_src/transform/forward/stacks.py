"""Read a generated derivative's stacks and accumulations as values, so forward mode
can differentiate it.

`grad` keeps values a loop overwrites on stacks (``y_stack.append(y)``, later
``y = y_stack.pop()``). Forward mode over that code (`hessian`, `hvp`) needs
the stack's tangent to follow it; the normalizer follows lists used as values,
so ``y = y_stack.pop()`` is read as ``y = y_stack[-1]`` then
``y_stack = y_stack[:-1]``, and the appends as appends. Gradients accumulated in
place (``dx += v``, which the optimizer writes only where no other name sees the
array) are read as ``dx = dx + v``: the same values, without the aliasing question
the normalizer would have to refuse; so is ``dx = _ad.add_at(dx, i, v)`` (an addition
into ``dx``), and so are its list forms ``_ad.add_to_item`` and ``_ad.add_into``, and
``_ad.zero_into`` and ``_ad.without_last`` (as ``zero_at`` and ``d[:-1]``). Only
code that `grad` generated is rewritten (its file name says so); a user's own
``pop()`` and ``+=`` are not.
"""

from __future__ import annotations

from typing import Any

import gast

from ..ir import walk
from ..mutation import viewed_name
from ..optimize.walk import helper_of

__all__ = ["is_generated", "stacks_as_values"]


def is_generated(filename: str) -> bool:
    """Whether ``filename`` is that of a derivative `grad` generated (`loader`)."""
    return filename.startswith("<autograd_src ")


def _pop(stmt: Any) -> Any:
    """The stack of ``name = stack.pop()``, or None."""
    if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
            isinstance(stmt.targets[0], gast.Name) and isinstance(stmt.value, gast.Call):
        call = stmt.value
        if isinstance(call.func, gast.Attribute) and call.func.attr == "pop" and \
                not call.args and not call.keywords and isinstance(call.func.value, gast.Name):
            return call.func.value.id
    return None


def _is_check(stmt: Any) -> bool:
    """Whether ``stmt`` is a generated aliasing check, ``_ad.alone(...)``, or the write
    back of an argument's copy, ``_ad.written_back(...)``, whose statement form the
    normalizer would take for a call made for its effect."""
    if not (isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call)):
        return False
    func = stmt.value.func
    return isinstance(func, gast.Attribute) and func.attr in ("alone", "written_back") and \
        isinstance(func.value, gast.Name) and func.value.id.startswith("_ad")


def _appended(stmt: Any) -> Any:
    """The list of ``name = _ad.appended(name, value)`` (or of forward mode's in-place
    ``_ad.pushed``, read as a value again, or ``_ad.extended``), or None."""
    if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
            isinstance(stmt.targets[0], gast.Name) and isinstance(stmt.value, gast.Call):
        call = stmt.value
        if isinstance(call.func, gast.Attribute) and \
                call.func.attr in ("appended", "pushed", "extended") and \
                isinstance(call.func.value, gast.Name) and \
                call.func.value.id.startswith("_ad") and len(call.args) == 2 and \
                not call.keywords and isinstance(call.args[0], gast.Name) and \
                call.args[0].id == stmt.targets[0].id:
            return call.args[0].id
    return None


def _name(id_: str, ctx: Any) -> gast.Name:
    return gast.Name(id=id_, ctx=ctx, annotation=None, type_comment=None)


def _number(value: int) -> gast.expr:
    if value < 0:
        return gast.UnaryOp(op=gast.USub(), operand=gast.Constant(value=-value, kind=None))
    return gast.Constant(value=value, kind=None)


def _add_at(stmt: Any) -> Any:
    """``d = _ad.add(d, _ad.unindex(g, d, i))`` for ``d = _ad.add_at(d, i, g)`` (which
    adds into ``d`` in place) and for ``d = _ad.add_to_item(d, x, i, g)`` or
    ``_ad.add_into`` (the same sum, ``x`` in place of ``d``, with no rule of their
    own), and ``_ad.add_rows_into(d, x, k, item, i, g)`` (``g`` scattered into ``item``'s
    shape first), or None."""
    if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
            isinstance(stmt.targets[0], gast.Name) and isinstance(stmt.value, gast.Call):
        call = stmt.value
        helper = call.func.attr if isinstance(call.func, gast.Attribute) else None
        if helper == "add_at" and len(call.args) == 3 and not call.keywords:
            array, index, update = call.args
            whole = array
        elif helper in ("add_to_item", "add_into") and len(call.args) == 4 and \
                not call.keywords:
            array, whole, index, update = call.args
        elif helper == "add_rows_into" and len(call.args) == 6 and not call.keywords:
            # (d, x, key, item, index, g): g scattered into item's shape, then into d[key]
            array, whole, index, item, rows, g = call.args
            update = gast.Call(func=gast.Attribute(value=call.func.value, attr="unindex",
                                                   ctx=gast.Load()),
                               args=[g, item, rows], keywords=[])
        else:
            array = None
        if array is not None:
            scatter = gast.Call(func=gast.Attribute(value=call.func.value, attr="unindex",
                                                    ctx=gast.Load()),
                                args=[update, whole, index], keywords=[])
            # _ad.add, as add_at itself: item by item for a list or dict of adjoints
            total = gast.Call(func=gast.Attribute(value=call.func.value, attr="add",
                                                  ctx=gast.Load()),
                              args=[array, scatter], keywords=[])
            return gast.copy_location(gast.Assign(targets=stmt.targets, value=total,
                                                  type_comment=None), stmt)
    return None


def _copying_form(stmt: Any) -> Any:
    """``d = _ad.zero_at(d, i)`` for ``d = _ad.zero_into(d, i)`` and ``d = d[:-1]`` for
    ``d = _ad.without_last(d)`` (the optimizer's in-place forms of those, which have
    no rules of their own), or None."""
    if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and
            isinstance(stmt.value, gast.Call) and isinstance(stmt.value.func, gast.Attribute)
            and isinstance(stmt.value.func.value, gast.Name)
            and stmt.value.func.value.id.startswith("_ad") and not stmt.value.keywords):
        return None
    call = stmt.value
    if call.func.attr == "zero_into" and len(call.args) == 2:
        value: gast.expr = gast.Call(func=gast.Attribute(value=call.func.value, attr="zero_at",
                                                         ctx=gast.Load()),
                                     args=call.args, keywords=[])
    elif call.func.attr == "without_last" and len(call.args) == 1:
        value = gast.Subscript(value=call.args[0], slice=gast.Slice(
            lower=None, upper=_number(-1), step=None), ctx=gast.Load())
    else:
        return None
    return gast.copy_location(gast.Assign(targets=stmt.targets, value=value,
                                          type_comment=None), stmt)


def _rewrite(stmts: list, checked: str, aliased: frozenset = frozenset()) -> list:
    """``stmts`` read as values; ``checked`` names what aliasing checks return (None);
    ``aliased`` names, the user's aliases kept as written, whose ``+=`` stays in place."""
    out: list = []
    for stmt in stmts:
        stack = _pop(stmt)
        if stack is not None:
            top = gast.Subscript(value=_name(stack, gast.Load()), slice=_number(-1),
                                 ctx=gast.Load())
            rest = gast.Subscript(value=_name(stack, gast.Load()), slice=gast.Slice(
                lower=None, upper=_number(-1), step=None), ctx=gast.Load())
            out.append(gast.copy_location(gast.Assign(targets=stmt.targets, value=top,
                                                      type_comment=None), stmt))
            popped = gast.copy_location(gast.Assign(
                targets=[_name(stack, gast.Store())], value=rest, type_comment=None), stmt)
            popped.pops_stack = True  # (forward mode pops it in place: `tangents`)
            out.append(popped)
            continue
        added = _add_at(stmt) or _copying_form(stmt)
        if added is not None:
            out.append(added)
            continue
        if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call) and \
                isinstance(stmt.value.func, gast.Attribute) and \
                stmt.value.func.attr in ("apart_from_what_adjoints_read",
                                         "apart_from_what_a_method_writes",
                                         "logged_apart"):
            # (not kept: the object it is given would read as passed to a call, which
            # refuses a record stored on it, m.last = float(loss); forward mode over the
            # gradient's code goes without this check, as before it was made)
            continue
        if _is_check(stmt):  # _ad.alone(x, others, where): kept, its None unused
            out.append(gast.copy_location(gast.Assign(
                targets=[_name(checked, gast.Store())], value=stmt.value,
                type_comment=None), stmt))
            continue
        items = _appended(stmt)
        if items is not None:
            # lst = _ad.appended(lst, v) as lst = _ad.joined(lst, [v]), and
            # _ad.extended(lst, vs) as _ad.joined(lst, list(vs)): a list the normalizer
            # follows, joined whatever it knows of lst (read as lst + [v], a + that its
            # first pass took for arithmetic made an array of the list)
            call = stmt.value
            more = gast.List(elts=[call.args[1]], ctx=gast.Load()) \
                if call.func.attr != "extended" else \
                gast.Call(func=_name("list", gast.Load()), args=[call.args[1]], keywords=[])
            stmt.value = gast.Call(func=gast.Attribute(value=call.func.value, attr="joined",
                                                       ctx=gast.Load()),
                                   args=[_name(items, gast.Load()), more], keywords=[])
            out.append(stmt)
            continue
        if isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Name) and \
                stmt.target.id not in aliased:
            total = gast.BinOp(left=_name(stmt.target.id, gast.Load()), op=stmt.op,
                               right=stmt.value)
            out.append(gast.copy_location(gast.Assign(
                targets=[_name(stmt.target.id, gast.Store())], value=total,
                type_comment=None), stmt))
            continue
        inner = aliased
        if isinstance(stmt, gast.FunctionDef):  # (def upd(a): a += 1.0, the user's, kept:
            # it writes into the array its caller gives)
            inner = aliased | {a.id for a in walk(stmt.args) if isinstance(a, gast.Name)}
        for block in ("body", "orelse"):
            if isinstance(getattr(stmt, block, None), list):
                setattr(stmt, block, _rewrite(getattr(stmt, block), checked, inner))
        out.append(stmt)
    return out


def container_writes_as_values(node: gast.FunctionDef) -> None:
    """``hs[t] = v`` of a generated derivative into a list or dict it makes (a display,
    a comprehension, ``[v] * n``: reverse mode writes such states in place) as
    ``hs = _ad.setitem(hs, t, v)``, a new value, as grad reads an update of a list of
    the user's function: the code is differentiated again from that."""
    bindings: dict = {}
    for item in walk(node):
        if isinstance(item, gast.Assign):
            for target in item.targets:
                if isinstance(target, gast.Name):
                    bindings.setdefault(target.id, []).append(item.value)
    # (the name the derivative reads the runtime by: _ad, unless the user took it)
    runtime_names = {item.value.id for item in walk(node) if isinstance(item, gast.Attribute)
                     and isinstance(item.value, gast.Name) and item.attr in (
                         "seed", "zeros_like", "zero_items", "add_into", "zero_into",
                         "unindex", "unbroadcast")}
    if len(runtime_names) != 1:
        return
    ad = next(iter(runtime_names))

    def makes_one(value: Any, made: set) -> bool:
        if isinstance(value, (gast.List, gast.ListComp, gast.Dict, gast.DictComp)):
            return True
        if isinstance(value, gast.BinOp) and isinstance(value.op, gast.Mult) and \
                isinstance(value.left, gast.List):
            return True  # [np.zeros(H)] * n
        if helper_of(value, ad) in ("appended", "joined", "setitem") and value.args and \
                isinstance(value.args[0], gast.Name) and value.args[0].id in made:
            return True  # items = _ad.appended(items, v): the list it was, one longer
        return isinstance(value, gast.Name) and value.id in made

    def restores(value: Any, name: str) -> bool:
        """``hs = hs_stack[-1]`` (a pop, rewritten): the list itself, kept for a sweep."""
        holder = value.value if isinstance(value, gast.Subscript) else \
            value.func.value if isinstance(value, gast.Call) and \
            isinstance(value.func, gast.Attribute) else None
        return isinstance(holder, gast.Name) and holder.id.startswith(f"{name}_stack")

    made: set = set()
    grown = True
    while grown:  # (items = []; items = _ad.appended(items, v); hs = items)
        more = {name for name, values in bindings.items() if name not in made and
                all(makes_one(v, made | {name}) or restores(v, name) for v in values) and
                any(makes_one(v, made) for v in values)}
        made |= more
        grown = bool(more)
    # (those whose items' adjoints are added, reverse mode's in-place states, not a
    # dict a comprehension fills, written in place and read back as such)
    made &= {value.args[1].id for value in walk(node) if helper_of(value, ad) == "unindex"
             and len(value.args) == 3 and isinstance(value.args[1], gast.Name)}
    if not made:
        return

    class Rewrite(gast.NodeTransformer):
        def visit_FunctionDef(self, inner: Any) -> Any:
            return inner if inner is not node else self.generic_visit(inner)

        def visit_Assign(self, stmt: Any) -> Any:
            target = stmt.targets[0] if len(stmt.targets) == 1 else None
            scatter = stmt.value.args[1] if isinstance(target, gast.Name) and \
                helper_of(stmt.value, ad) == "add" and len(stmt.value.args) == 2 else None
            if helper_of(scatter, ad) == "unindex" and len(scatter.args) == 3 and \
                    isinstance(scatter.args[1], gast.Name) and scatter.args[1].id in made:
                # dhs = _ad.add(dhs, _ad.unindex(g, hs, k)) (an item's adjoint added,
                # add_into's form): shaped by dhs's items, not by hs's last ones
                scatter.args[1] = gast.Name(id=target.id, ctx=gast.Load(), annotation=None,
                                            type_comment=None)
            if isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name) \
                    and target.value.id in made:
                name = target.value.id
                call = gast.Call(func=gast.Attribute(value=gast.Name(
                    id=ad, ctx=gast.Load(), annotation=None, type_comment=None),
                    attr="setitem", ctx=gast.Load()), args=[
                    gast.Name(id=name, ctx=gast.Load(), annotation=None, type_comment=None),
                    target.slice, stmt.value], keywords=[])
                return gast.copy_location(gast.Assign(targets=[gast.Name(
                    id=name, ctx=gast.Store(), annotation=None, type_comment=None)],
                    value=call, type_comment=None), stmt)
            return stmt

    Rewrite().visit(node)


def stacks_as_values(node: gast.FunctionDef) -> None:
    """Rewrite, in place, each ``name = stack.pop()`` and ``name += value`` of a
    generated derivative."""
    taken = {n.id for n in walk(node) if isinstance(n, gast.Name)}
    checked = next(f"_apart{k or ''}" for k in range(len(taken) + 1)
                   if f"_apart{k or ''}" not in taken)
    # t = c; t *= 1.5 (the user's, kept as written): writes into c too, so it stays an
    # update in place (an adjoint's dx += v is dx = dx + v, a value)
    aliased = frozenset(
        n.id for item in walk(node) if isinstance(item, gast.Assign) and (isinstance(
            item.value, (gast.Name, gast.Subscript, gast.Attribute)) or viewed_name(item.value))
        for target in item.targets for n in walk(target) if isinstance(n, gast.Name)) | \
        frozenset(item.value.id for item in walk(node) if isinstance(item, gast.Assign)
                  and isinstance(item.value, gast.Name)) | \
        frozenset(viewed_name(item.value) for item in walk(node)
                  if isinstance(item, gast.Assign)) - {None}  # (vw1 = W[1]: W -= W)
    node.body = _rewrite(node.body, checked, aliased)
    container_writes_as_values(node)
