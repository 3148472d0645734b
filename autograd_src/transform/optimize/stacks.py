"""Reversed loops that read their stacks item by item instead of popping them.

``for i in reversed(range(n)): y = y_stack.pop(); ...`` becomes ``for y in
reversed(y_stack): ...`` (``zip`` for several stacks, or when ``i`` is read),
which spares a method call per value and iteration. Only where that provably
reads the same values: the stack is pushed once in every iteration of a loop
run once (unconditionally, at the top of a loop at the top of the function,
without ``break`` or ``continue``), popped once in every iteration of the
reversed loop (also at the top of the function), and used nowhere else; and
the reversed loop's body touches the popped name only after the pop.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Callable, Optional

import gast

from ..ir import Comment, name_node
from .walk import nodes

__all__ = ["iterate_stacks"]


def _pushed(stmt: Any) -> Optional[str]:
    """The stack ``stmt`` pushes onto (``s.append(v)``), if it does only that."""
    if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call):
        func = stmt.value.func
        if isinstance(func, gast.Attribute) and func.attr == "append" and \
                isinstance(func.value, gast.Name) and len(stmt.value.args) == 1 and \
                not stmt.value.keywords:
            return func.value.id
    return None


def _popped(stmt: Any) -> Optional[tuple[str, str]]:
    """``(stack, name)`` for ``name = stack.pop()``."""
    if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
            isinstance(stmt.targets[0], gast.Name) and isinstance(stmt.value, gast.Call):
        func = stmt.value.func
        if isinstance(func, gast.Attribute) and func.attr == "pop" and \
                isinstance(func.value, gast.Name) and not stmt.value.args and \
                not stmt.value.keywords:
            return func.value.id, stmt.targets[0].id
    return None


def _names(statements: list) -> set[str]:
    return {n.id for s in statements if isinstance(s, gast.AST) for n in nodes(s)
            if isinstance(n, gast.Name)}


def iterate_stacks(primal: list, adjoint: list, stacks: set[str],
                   reference: Callable[[Any, str], str]) -> list:
    """``adjoint`` with its top-level reversed loops iterating the stacks they pop
    (see the module's docstring); ``reference(obj, name)`` names a builtin."""
    if not stacks:
        return adjoint
    uses: Counter = Counter(n.id for s in primal + adjoint if isinstance(s, gast.AST)
                            for n in nodes(s) if isinstance(n, gast.Name)
                            and isinstance(n.ctx, gast.Load) and n.id in stacks)
    once = {s for s in stacks if uses[s] == 2}  # one push, one pop
    if not once:
        return adjoint
    pushed_once: set[str] = set()
    for loop in primal:
        if not isinstance(loop, gast.For) or loop.orelse or any(
                isinstance(n, (gast.Break, gast.Continue, gast.Return))
                for s in loop.body for n in nodes(s)):
            continue
        pushes = [_pushed(s) for s in loop.body]
        counted = Counter(p for p in pushes if p)
        pushed_once |= {p for p, k in counted.items() if k == 1 and p in once}
    if not pushed_once:
        return adjoint
    return [_rewritten(item, pushed_once, adjoint, reference)
            if isinstance(item, gast.For) else item for item in adjoint]


def _rewritten(loop: Any, stacks: set[str], adjoint: list,
               reference: Callable[[Any, str], str]) -> Any:
    """``loop``, iterating the stacks in ``stacks`` it pops at its top level."""
    if loop.orelse or not (isinstance(loop.iter, gast.Call) and
                           isinstance(loop.iter.func, gast.Name) and
                           loop.iter.func.id == "reversed" and len(loop.iter.args) == 1 and
                           not isinstance(loop.iter.args[0], gast.Subscript)):
        return loop  # reversed(steps[:counter]): a loop that may have stopped early
    if not isinstance(loop.target, gast.Name) or any(
            isinstance(n, (gast.Break, gast.Continue, gast.Return))
            for s in loop.body for n in nodes(s)):
        return loop
    taken: list = []  # (stack, name), in the order popped
    body = []
    popped_names: set[str] = set()
    for k, stmt in enumerate(loop.body):
        pop = _popped(stmt)
        if pop is not None and pop[0] in stacks and pop[1] not in popped_names and \
                pop[1] != loop.target.id and pop[1] not in _names(loop.body[:k]):
            taken.append(pop)
            popped_names.add(pop[1])
            continue
        body.append(stmt)
    if not taken:
        return loop
    counter = loop.target.id
    elsewhere = _names([s for s in adjoint if s is not loop])
    keep_counter = counter in _names(body) or counter in elsewhere
    reversed_ = reference(reversed, "reversed")
    iters = [gast.Call(func=name_node(reversed_), args=[name_node(s)], keywords=[])
             for s, _ in taken]
    targets = [name_node(n, gast.Store()) for _, n in taken]
    if keep_counter:
        iters.insert(0, loop.iter)
        targets.insert(0, loop.target)
    if len(iters) == 1:
        target, iterator = targets[0], iters[0]
    else:
        target = gast.Tuple(elts=targets, ctx=gast.Store())
        iterator = gast.Call(func=name_node(reference(zip, "zip")), args=iters, keywords=[])
    if all(isinstance(s, Comment) for s in body):  # comments only
        body.append(gast.Pass())
    new = gast.For(target=target, iter=iterator, body=body, orelse=[], type_comment=None)
    return gast.copy_location(new, loop)
