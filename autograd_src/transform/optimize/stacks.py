"""Reversed loops that read their stacks item by item instead of popping them.

``for i in reversed(range(n)): y = y_stack.pop(); ...`` becomes ``for y in
reversed(y_stack): ...`` (``zip`` for several stacks, or when ``i`` is read),
which spares a method call per value and iteration. Only where that provably
reads the same values: the stack is pushed once in every iteration of a loop
run once (unconditionally, at the top of a loop at the top of the function,
without ``break`` or ``continue``), popped once in every iteration of the
reversed loop (also at the top of the function), and used nowhere else; and
the reversed loop's body touches the popped name only after the pop. A name
read before its pop (the value its iteration made, the pop restoring the one
before) is iterated too when it is assigned once in the loop and nothing reads
it after the pop: its push then moves after that assignment
(``t = ...; t_stack.append(t)``), so the stack holds each iteration's own value.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Callable, Optional

import gast

from ..ir import Comment, name_node
from .walk import assigned_name, names, nodes

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
    return {n.id for s in statements if isinstance(s, gast.AST) for n in names(s)}


def _hoist_from_branches(primal: list, adjoint: list, stacks: set[str]) -> None:
    """A stack pushed in both arms of an ``if`` at the top of a loop's body, before
    either arm changes the value pushed, and popped in both arms of an ``if`` of the
    reversed loop, before either arm reads the name popped: pushed before the one
    ``if`` and popped before the other (once an iteration either way), so that it
    may be iterated."""
    def pushes(block: list) -> dict:
        found = Counter(_pushed(s) for s in block)
        return {name: k for k, s in enumerate(block) if (name := _pushed(s)) in stacks
                and found[name] == 1 and isinstance(s.value.args[0], gast.Name)}

    def pops(block: list) -> dict:
        found = Counter((p or ("", ""))[0] for p in map(_popped, block))
        return {p[0]: k for k, s in enumerate(block) if (p := _popped(s)) and
                p[0] in stacks and found[p[0]] == 1}

    candidates: dict = {}  # stack -> (loop body, the if, the pushed name)
    for loop in primal:
        if not isinstance(loop, gast.For):
            continue
        for branch in loop.body:
            if not isinstance(branch, gast.If) or not branch.orelse:
                continue
            arms = pushes(branch.body), pushes(branch.orelse)
            for stack in set(arms[0]) & set(arms[1]):
                value = [branch.body, branch.orelse][0][arms[0][stack]].value.args[0].id
                if all(arm[k].value.args[0].id == value and
                       value not in _stored(arm[:k]) for arm, k in
                       ((branch.body, arms[0][stack]), (branch.orelse, arms[1][stack]))):
                    candidates[stack] = (loop.body, branch, value)
    if not candidates:
        return
    for loop in adjoint:
        if not isinstance(loop, gast.For):
            continue
        for branch in list(loop.body):
            if not isinstance(branch, gast.If) or not branch.orelse:
                continue
            arms = pops(branch.body), pops(branch.orelse)
            for stack in sorted(set(arms[0]) & set(arms[1]) & set(candidates)):
                body, forward, value = candidates.pop(stack)
                # (positions read afresh: an earlier stack's pops were taken out)
                arms = pops(branch.body), pops(branch.orelse)
                if stack not in arms[0] or stack not in arms[1]:
                    continue
                k, j = arms[0][stack], arms[1][stack]
                if (_popped(branch.body[k]) or (None, None))[1] != value or \
                        (_popped(branch.orelse[j]) or (None, None))[1] != value or \
                        value in _names(branch.body[:k] + branch.orelse[:j] + [branch.test]):
                    continue
                pop = branch.body.pop(k)
                branch.orelse.pop(j)
                _filled(branch.body)
                _filled(branch.orelse)
                loop.body.insert(loop.body.index(branch), pop)
                push = next(s for s in forward.body if _pushed(s) == stack)
                forward.body.remove(push)
                forward.orelse.remove(next(s for s in forward.orelse if _pushed(s) == stack))
                _filled(forward.body)
                _filled(forward.orelse)
                body.insert(body.index(forward), push)


def iterate_stacks(primal: list, adjoint: list, stacks: set[str],
                   reference: Callable[[Any, str], str], read_after: Any = ()) -> list:
    """``adjoint`` with its top-level reversed loops iterating the stacks they pop
    (see the module's docstring); ``reference(obj, name)`` names a builtin;
    ``read_after`` are the expressions read after the sweeps (the results)."""
    if not stacks:
        return adjoint
    stacks = stacks - _drop_dead_restores(primal, adjoint, stacks, read_after)
    _hoist_from_branches(primal, adjoint, stacks)
    uses: Counter = Counter(n.id for s in primal + adjoint if isinstance(s, gast.AST)
                            for n in names(s) if isinstance(n.ctx, gast.Load) and n.id in stacks)
    once = {s for s in stacks if uses[s] == 2}  # one push, one pop
    if not once:
        return adjoint
    pushed_once: set[str] = set()
    # stack -> (its loop's body, the push's index, the index of the one assignment
    # after it of the name pushed): the push may move after that assignment
    movable: dict = {}
    for loop in primal:
        if not isinstance(loop, gast.For) or loop.orelse or any(
                isinstance(n, (gast.Break, gast.Continue, gast.Return))
                for s in loop.body for n in nodes(s)):
            continue
        pushes = [_pushed(s) for s in loop.body]
        counted = Counter(p for p in pushes if p)
        pushed_once |= {p for p, k in counted.items() if k == 1 and p in once}
        stores = Counter(n.id for s in loop.body for n in names(s)
                         if not isinstance(n.ctx, gast.Load))
        for k, stack in enumerate(pushes):
            value = loop.body[k].value.args[0] if stack else None
            if stack not in pushed_once or not isinstance(value, gast.Name) or \
                    stores[value.id] != 1:
                continue
            later = [j for j in range(k + 1, len(loop.body))
                     if assigned_name(loop.body[j]) == value.id]
            if later:
                movable[stack] = (loop.body, k, later[0])
    if not pushed_once:
        return adjoint
    after = _names(list(read_after))
    moved: set[str] = set()
    unread: set[str] = set()
    # the names read after each top-level loop of the adjoint sweep, and elsewhere in
    # it (each statement walked once)
    each = [_names(adjoint[k:k + 1]) for k in range(len(adjoint))]
    read_later: dict[int, set[str]] = {}
    seen = set(after)
    for k in range(len(adjoint) - 1, -1, -1):
        if isinstance(adjoint[k], gast.For):
            read_later[k] = set(seen)
        seen |= each[k]
    rewritten = [_rewritten(item, pushed_once, set(movable),
                            set().union(*(each[:k] + each[k + 1:])) | after, after,
                            reference, moved, unread, read_later[k])
                 if isinstance(item, gast.For) else item for k, item in enumerate(adjoint)]
    for body, k, j in sorted((movable[s] for s in moved - unread), key=lambda m: -m[1]):
        body.insert(j, body.pop(k))  # t = ...; t_stack.append(t): the value made
    _drop_unread_starts(primal, [(movable[s][0], s) for s in moved - unread])
    _drop_stacks(primal, unread)
    return rewritten


def _drop_dead_restores(primal: list, adjoint: list, stacks: set[str],
                        read_after: Any) -> set[str]:
    """Drop the stacks each of whose pops restores a name that nothing in the adjoint
    sweep reads, nor the results (``u = u_stack.pop()`` where the adjoint reads ``du``
    only), with their pushes; returns them. Such a push kept the array a loop then
    writes into (``u_stack.append(u)``, then ``u[j] = ...``): memory for nothing, and
    a second order refused as an alias of the stack."""
    from ..mutation import read_later
    live_after, _ = read_later([s for s in adjoint if isinstance(s, gast.AST)])
    after = _names(list(read_after))
    live: dict[str, bool] = {}  # stack -> whether a name it restores is read after
    pops: Counter = Counter()
    for stmt in _statements(adjoint):
        pop = _popped(stmt)
        if pop is not None and pop[0] in stacks:
            live[pop[0]] = live.get(pop[0], False) or pop[1] in after or \
                pop[1] in live_after.get(id(stmt), {pop[1]})
            pops[pop[0]] += 1
    pushes = Counter(_pushed(s) for s in _statements(primal))
    uses = Counter(n.id for s in primal + adjoint if isinstance(s, gast.AST)
                   for n in names(s) if isinstance(n.ctx, gast.Load) and n.id in live)
    dead = {s for s, read in live.items() if not read and uses[s] == pops[s] + pushes[s]}
    if dead:
        _drop_from(adjoint, lambda stmt: (_popped(stmt) or (None,))[0] in dead)
        _drop_from(primal, lambda stmt: _pushed(stmt) in dead)
    return dead


def drop_dead_copies(primal: list, adjoint: list, holders: set[str],
                     read_after: Any = ()) -> None:
    """Drop the copies of a value kept before it is overwritten (``y0 = y``) whose every
    restore (``y = y0``) nothing after it reads, nor the results: as
    `_drop_dead_restores` drops such stacks. Such a copy held the array a loop then
    writes into (``y[i] = v``), the same array: for nothing, and a second order
    refused it as an alias of the array. ``holders``: the names keeping the copies."""
    if not holders:
        return
    from ..mutation import read_later
    live_after, _ = read_later([s for s in adjoint if isinstance(s, gast.AST)])
    after = _names(list(read_after))
    live: dict[str, bool] = {}  # holder -> whether a name it restores is read after
    restores: Counter = Counter()
    for stmt in _statements(adjoint):
        restored = _copied(stmt, holders)
        if restored is not None:
            name, holder = restored
            live[holder] = live.get(holder, False) or name in after or \
                name in live_after.get(id(stmt), {name})
            restores[holder] += 1
    uses = Counter(n.id for s in primal + adjoint if isinstance(s, gast.AST)
                   for n in names(s) if isinstance(n.ctx, gast.Load) and n.id in live)
    dead = {h for h, read in live.items() if not read and h not in after and
            uses[h] == restores[h]}
    if dead:
        _drop_from(adjoint, lambda stmt: (_copied(stmt, dead) or (None, None))[1] in dead)
        _drop_from(primal, lambda stmt: assigned_name(stmt) in dead)


def _copied(stmt: Any, holders: set[str]) -> Optional[tuple[str, str]]:
    """``(name, holder)`` for ``name = holder``, a restore from one of ``holders``."""
    if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
            isinstance(stmt.targets[0], gast.Name) and isinstance(stmt.value, gast.Name) and \
            stmt.value.id in holders:
        return stmt.targets[0].id, stmt.value.id
    return None


def _statements(block: list) -> list:
    """The statements of ``block`` and of the blocks nested in them."""
    found = []
    for stmt in block:
        found.append(stmt)
        for field in ("body", "orelse"):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list):
                found += _statements(inner)
    return found


def _drop_from(block: list, drop: Callable[[Any], bool]) -> None:
    """``block`` and the blocks nested in it without the statements ``drop`` picks."""
    block[:] = [s for s in block if not drop(s)]
    for stmt in block:
        for field in ("body", "orelse"):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list) and inner:
                _drop_from(inner, drop)
                if field == "body":
                    _filled(inner)


def _drop_stacks(primal: list, stacks: set[str]) -> None:
    """``primal`` without the pushes onto ``stacks`` (in its top-level loops): their
    values are read by nothing (the adjoint of ``u[i - 1]`` once read ``u`` for its
    shape; accumulated in place, it reads ``u`` no more)."""
    for stmt in primal if stacks else []:
        if isinstance(stmt, gast.For):
            stmt.body[:] = [s for s in stmt.body if _pushed(s) not in stacks] or [gast.Pass()]


def _drop_unread_starts(primal: list, moves: list) -> None:
    """Drop ``t = None`` before a loop whose push of ``t`` moved after its assignment,
    where nothing reads that first value any more."""
    for body, stack in moves:
        loop = next(s for s in primal if isinstance(s, gast.For) and s.body is body)
        for stmt in body:
            if _pushed(stmt) != stack:
                continue
            pushed = stmt.value.args[0].id
            at = body.index(stmt) - 1
            if at < 0 or assigned_name(body[at]) != pushed or \
                    pushed in _names([body[at].value]) or pushed in _names(body[:at]) or \
                    pushed in _names([loop.iter, loop.target]):
                continue
            starts = [s for s in primal if assigned_name(s) == pushed and
                      isinstance(s.value, gast.Constant) and s.value.value is None]
            others = [s for s in primal if s is not loop and not any(s is t for t in starts)]
            if len(starts) == 1 and pushed not in _names(others):
                primal.remove(starts[0])


def _rewritten(loop: Any, stacks: set[str], movable: set[str], elsewhere: set[str],
               after: set[str], reference: Callable[[Any, str], str], moved: set[str],
               unread: set[str], read_later: set[str]) -> Any:
    """``loop``, iterating the stacks in ``stacks`` it pops at its top level: those
    popped before their name is touched, and those in ``movable`` popped after their
    name's last read (their pushes then move after the assignment, noted in ``moved``)
    when nothing reads the name after the pop (``after``: read after the sweeps).
    A stack whose name nothing reads, in the loop or after it (``read_later``), is
    dropped instead (noted in ``unread``); ``elsewhere``: the names read in the rest of
    the adjoint sweep, or after it."""
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
    pushed_after: set[str] = set()
    body = []
    popped_names: set[str] = set()
    own = [_names([stmt]) for stmt in loop.body]  # each statement's names
    after_here = Counter(n for names_ in own for n in names_)  # in how many after this one
    before: set[str] = set()  # the names of the statements before this one
    for k, stmt in enumerate(loop.body):
        after_here.subtract(own[k])
        if k:
            before |= own[k - 1]
        pop = _popped(stmt)
        if pop is None or pop[0] not in stacks or pop[1] in popped_names or \
                pop[1] == loop.target.id:
            body.append(stmt)
            continue
        stack, name = pop
        if name not in before:
            taken.append(pop)  # the value pushed before this iteration's own
        elif stack in movable and after_here[name] <= 0 and \
                name not in elsewhere and name not in _stored(loop.body[:k]):
            taken.append(pop)  # read before the pop: the iteration's own value
            pushed_after.add(stack)
        else:
            body.append(stmt)
            continue
        popped_names.add(name)
    dropped = [(stack, name) for stack, name in taken
               if name not in _names(body) and name not in read_later]
    for pop in dropped:
        taken.remove(pop)
        unread.add(pop[0])
        pushed_after.discard(pop[0])
    if not taken and not dropped:
        return loop
    moved |= pushed_after
    if not taken:  # only unread stacks were popped: the loop as it was, without them
        _filled(body)
        return gast.copy_location(gast.For(target=loop.target, iter=loop.iter, body=body,
                                           orelse=[], type_comment=None), loop)
    counter = loop.target.id
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
    _filled(body)
    new = gast.For(target=target, iter=iterator, body=body, orelse=[], type_comment=None)
    return gast.copy_location(new, loop)


def _stored(statements: list) -> set[str]:
    return {n.id for s in statements if isinstance(s, gast.AST) for n in names(s)
            if not isinstance(n.ctx, gast.Load)}


def _filled(block: list) -> None:
    """``block`` made a statement block again if it holds only comments (or nothing)."""
    if all(isinstance(s, Comment) for s in block):
        block.append(gast.Pass())
