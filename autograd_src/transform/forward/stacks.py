"""Read a generated derivative's stacks and accumulations as values, so forward mode
can differentiate it.

`grad` keeps values a loop overwrites on stacks (``y_stack.append(y)``, later
``y = y_stack.pop()``). Forward mode over that code (`hessian`, `hvp`) needs
the stack's tangent to follow it; the normalizer follows lists used as values,
so ``y = y_stack.pop()`` is read as ``y = y_stack[-1]`` then
``y_stack = y_stack[:-1]``, and the appends as appends. Gradients accumulated in
place (``dx += v``, which the optimizer writes only where no other name sees the
array) are read as ``dx = dx + v``, and ``dx[i] += v`` as ``dx = dx + _ad.unindex(v,
dx, i)``: the same values, without the aliasing question the normalizer would have
to refuse. Only code that `grad` generated is rewritten
(its file name says so); a user's own ``pop()`` and ``+=`` are not.
"""

from __future__ import annotations

from typing import Any

import gast

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


def _name(id_: str, ctx: Any) -> gast.Name:
    return gast.Name(id=id_, ctx=ctx, annotation=None, type_comment=None)


def _number(value: int) -> gast.expr:
    if value < 0:
        return gast.UnaryOp(op=gast.USub(), operand=gast.Constant(value=-value, kind=None))
    return gast.Constant(value=value, kind=None)


def _as_value(index: Any) -> Any:
    """An index as a value: ``2:`` as ``slice(2, None, None)``, in tuples too."""
    if isinstance(index, gast.Slice):
        return gast.Call(func=_name("slice", gast.Load()), args=[
            part if part is not None else gast.Constant(value=None, kind=None)
            for part in (index.lower, index.upper, index.step)], keywords=[])
    if isinstance(index, gast.Tuple):
        return gast.Tuple(elts=[_as_value(e) for e in index.elts], ctx=gast.Load())
    return index


def _rewrite(stmts: list, ad: Any = None) -> list:
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
            out.append(gast.copy_location(gast.Assign(
                targets=[_name(stack, gast.Store())], value=rest, type_comment=None), stmt))
            continue
        if isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Subscript) and \
                isinstance(stmt.target.value, gast.Name) and isinstance(stmt.op, gast.Add) \
                and ad is not None:
            # dx[i] += v (an adjoint of its own, added to in place) as
            # dx = dx + _ad.unindex(v, dx, i): the same values, as a new array
            name = stmt.target.value.id
            index = stmt.target.slice
            index = _as_value(index)
            spread = gast.Call(func=gast.Attribute(value=_name(ad, gast.Load()),
                                                   attr="unindex", ctx=gast.Load()),
                               args=[stmt.value, _name(name, gast.Load()), index],
                               keywords=[])
            out.append(gast.copy_location(gast.Assign(
                targets=[_name(name, gast.Store())],
                value=gast.BinOp(left=_name(name, gast.Load()), op=gast.Add(), right=spread),
                type_comment=None), stmt))
            continue
        if isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Name):
            total = gast.BinOp(left=_name(stmt.target.id, gast.Load()), op=stmt.op,
                               right=stmt.value)
            out.append(gast.copy_location(gast.Assign(
                targets=[_name(stmt.target.id, gast.Store())], value=total,
                type_comment=None), stmt))
            continue
        for block in ("body", "orelse"):
            if isinstance(getattr(stmt, block, None), list):
                setattr(stmt, block, _rewrite(getattr(stmt, block), ad))
        out.append(stmt)
    return out


def stacks_as_values(node: gast.FunctionDef) -> None:
    """Rewrite, in place, each ``name = stack.pop()`` and ``name += value`` of a
    generated derivative."""
    # The name the derivative reaches the runtime by (_ad.seed(dout) is in every one).
    ad = next((n.func.value.id for n in gast.walk(node) if isinstance(n, gast.Call)
               and isinstance(n.func, gast.Attribute) and n.func.attr == "seed"
               and isinstance(n.func.value, gast.Name)), None)
    node.body = _rewrite(node.body, ad)
