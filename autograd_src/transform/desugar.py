"""Rewrite break, continue, early return and for/else into flags: one shape per iteration.

After this pass a loop body runs from top to bottom in every iteration, the
statements after a ``break``/``continue``/``return`` sit under ``if not flag:``
guards, and a real ``break`` only ends a body. The adjoint sweep can then
reverse each iteration statement by statement. Loops over the items of an
array or list (``for row in X``, ``enumerate``, ``zip``) become loops over
positions, so the item is an ordinary indexing read.
"""

from __future__ import annotations

import copy
import functools
import inspect
import types
from collections import Counter
from typing import Any, Optional

import gast
import numpy as np

from ..rules import runtime
from . import helper_copies, inline_defs, mutation
from .ir import Transformer, assign_node, base_name, name_node, walk
from .naming import Namer, clone
from .source import UNRESOLVED, ParsedFunction

__all__ = ["desugar"]


def _const(value: Any) -> gast.Constant:
    return gast.Constant(value=value, kind=None)


def _call(func: str, *args: gast.expr) -> gast.Call:
    return gast.Call(func=name_node(func), args=list(args), keywords=[])


def _contains(stmts: list, kinds: tuple, into_loops: bool) -> bool:
    """Whether ``stmts`` hold a statement of ``kinds`` (not looking into the bodies of
    nested loops unless ``into_loops``: a nested loop's ``else`` block belongs to the
    enclosing one, whose ``continue`` it may hold)."""
    for stmt in stmts:
        if isinstance(stmt, kinds):
            return True
        if isinstance(stmt, gast.If) and (_contains(stmt.body, kinds, into_loops)
                                          or _contains(stmt.orelse, kinds, into_loops)):
            return True
        if isinstance(stmt, (gast.For, gast.While)) and (
                _contains(stmt.orelse, kinds, into_loops)
                or (into_loops and _contains(stmt.body, kinds, into_loops))):
            return True
    return False


def _lambdas_called_inline(stmt: Any, parsed: ParsedFunction) -> list:
    """The calls ``(lambda ...: ...)(args)`` in the simple statement ``stmt``, not
    inside another lambda or a comprehension (whose names the lambda may read), and
    ``(np.sin if c else np.cos)(x)`` where ``c`` calls no function of yours (naming the
    choice first moves only reads before the rest of the line)."""
    if not isinstance(stmt, (gast.Assign, gast.AugAssign, gast.Expr, gast.Return)):
        return []
    found: list = []
    pending = [stmt]
    while pending:
        node = pending.pop()
        if isinstance(node, gast.Call) and (isinstance(node.func, gast.Lambda) or (
                isinstance(node.func, gast.IfExp) and all(
                    isinstance(f, (gast.Name, gast.Attribute, gast.Lambda))
                    for f in (node.func.body, node.func.orelse)) and not any(
                    isinstance(n, gast.Call) and
                    mutation.is_user_function(parsed.resolve(n.func))
                    for n in walk(node.func.test)))):
            found.append(node)
            pending += node.args + [k.value for k in node.keywords]
            continue
        if isinstance(node, (gast.Lambda, gast.ListComp, gast.SetComp, gast.DictComp,
                             gast.GeneratorExp)):
            continue
        pending += list(gast.iter_child_nodes(node))
    return found


class _Desugar:
    def __init__(self, parsed: ParsedFunction, namer: Namer) -> None:
        self.parsed = parsed
        self.namer = namer
        self.returned: Optional[str] = None   # flag set by an early return
        self.value: Optional[str] = None      # the value it returned
        self.loops: list[dict[str, Optional[str]]] = []

    # ----- blocks -----

    def block(self, stmts: list) -> list:
        """Rewrite a block, guarding what follows any statement that may set a flag."""
        out: list = []
        for index, stmt in enumerate(stmts):
            flags = self.flags_set_by(stmt)  # before rewriting removes the break statements
            out += self.statement(stmt)
            rest = stmts[index + 1:]
            if flags and rest:
                test = gast.UnaryOp(op=gast.Not(), operand=name_node(flags[0])) if len(flags) == 1 \
                    else gast.UnaryOp(op=gast.Not(), operand=gast.BoolOp(
                        op=gast.Or(), values=[name_node(f) for f in flags]))
                guard = gast.copy_location(gast.If(test=test, body=self.block(rest), orelse=[]),
                                           rest[0])
                out.append(guard)
                return out
        return out

    def flags_set_by(self, stmt: gast.stmt) -> list[str]:
        flags = []
        if self.returned and _contains([stmt], (gast.Return,), into_loops=True):
            flags.append(self.returned)
        if self.loops:
            loop = self.loops[-1]
            if loop["broke"] and _contains([stmt], (gast.Break,), into_loops=False):
                flags.append(loop["broke"])
            if loop["skip"] and _contains([stmt], (gast.Continue,), into_loops=False):
                flags.append(loop["skip"])
        return flags

    def statement(self, stmt: gast.stmt) -> list:
        called = _lambdas_called_inline(stmt, self.parsed)
        if called:
            # (lambda t: t * t)(x): the lambda named first, as a lambda assigned to a
            # name is read (it runs where the call is, reading what it reads there);
            # (np.sin if c else np.cos)(x) too, as act = ...; act(x) is read
            named = []
            if not getattr(stmt, "shown_as", None):  # (its comments: the line as written)
                stmt.shown_as = gast.unparse(stmt).strip().splitlines()[0]
            for call in called:
                name = self.namer.fresh("inline_lambda" if isinstance(call.func, gast.Lambda)
                                        else "chosen")
                self.parsed.locals.add(name)  # (a local of the function's, as act is)
                named.append(assign_node(name, call.func, stmt))
                call.func = name_node(name)
            return [s for one in named for s in self.statement(one)] + self.statement(stmt)
        if isinstance(stmt, gast.Return) and self.returned is not None:
            value = stmt.value if stmt.value is not None else _const(None)
            out = [assign_node(self.value, value, stmt),
                   assign_node(self.returned, _const(True), stmt)]
            for loop in self.loops:  # leave every enclosing loop
                out.append(assign_node(loop["broke"], _const(True), stmt))
            return out
        if isinstance(stmt, gast.Break):
            return [assign_node(self.loops[-1]["broke"], _const(True), stmt)]
        if isinstance(stmt, gast.Continue):
            return [assign_node(self.loops[-1]["skip"], _const(True), stmt)]
        if isinstance(stmt, gast.If):
            stmt.body = self.block(stmt.body) or [gast.Pass()]
            stmt.orelse = self.block(stmt.orelse)
            return [stmt]
        if isinstance(stmt, (gast.For, gast.While)):
            return self.loop(stmt)
        if isinstance(stmt, gast.Assign) and len(stmt.targets) > 1:
            # a = b = np.zeros(3), a = cache['h'] = v: one value, then each target bound
            # to it in Python's order (left to right), so a later update through one
            # name is seen as an update of a shared array, as NumPy makes it
            first = stmt.targets[0]
            holder = first.id if isinstance(first, gast.Name) else self.namer.fresh("value")
            out = [assign_node(holder, stmt.value, stmt)]
            if not isinstance(first, gast.Name):
                out.append(gast.copy_location(gast.Assign(
                    targets=[first], value=name_node(holder), type_comment=None), stmt))
            out += [gast.copy_location(gast.Assign(targets=[target], value=name_node(holder),
                                                   type_comment=None), stmt)
                    for target in stmt.targets[1:]]
            return [s for one in out for s in self.statement(one)]
        if _displays_unpacked(stmt):
            # xs, hs, ps = {}, {}, {} (min-char-rnn's): each name bound to its own
            # display, as three lines would, so each is seen to hold a new dict or list
            return [s for target, value in zip(stmt.targets[0].elts, stmt.value.elts)
                    for s in self.statement(gast.copy_location(gast.Assign(
                        targets=[target], value=value, type_comment=None), stmt))]
        if (isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.Lambda)
                and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name)):
            # name = lambda x: ...  is a def of its own
            ret = gast.copy_location(gast.Return(value=stmt.value.body), stmt.value.body)
            return [gast.copy_location(gast.FunctionDef(
                name=stmt.targets[0].id, args=stmt.value.args, body=[ret], decorator_list=[],
                returns=None, type_comment=None, type_params=[]), stmt)]
        return [stmt]

    # ----- loops -----

    def loop(self, stmt: Any) -> list:
        breaks = _contains(stmt.body, (gast.Break,), into_loops=False) or (
            self.returned is not None and _contains(stmt.body, (gast.Return,), into_loops=True))
        skips = _contains(stmt.body, (gast.Continue,), into_loops=False)
        loop = {"broke": self.namer.fresh("broke") if breaks or stmt.orelse else None,
                "skip": self.namer.fresh("skip") if skips else None}
        before: list = []
        if isinstance(stmt, gast.For):
            before = self.iterate_by_position(stmt)
            self.counter_bound_in_the_body(stmt)
        self.loops.append(loop)
        body = self.block(stmt.body)
        self.loops.pop()
        if loop["skip"]:
            body.insert(0, assign_node(loop["skip"], _const(False), stmt))
        if loop["broke"] and breaks:
            exit_ = gast.copy_location(gast.If(test=name_node(loop["broke"]), body=[gast.Break()],
                                               orelse=[]), stmt)
            body.append(exit_)
        stmt.body = body or [gast.Pass()]
        orelse, stmt.orelse = stmt.orelse, []
        out = before
        if loop["broke"]:
            out.append(assign_node(loop["broke"], _const(False), stmt))
        out.append(stmt)
        if orelse:  # for/else: the else block runs when the loop did not break
            guard = gast.If(test=gast.UnaryOp(op=gast.Not(), operand=name_node(loop["broke"])),
                            body=self.block(orelse), orelse=[])
            out.append(gast.copy_location(guard, orelse[0]))
        return out

    def counter_bound_in_the_body(self, stmt: gast.For) -> None:
        """``for i in range(n): i = i + 1`` (or an inner ``for i in ...``) as ``for k in
        range(n): i = k; i = i + 1``: Python binds ``i`` anew from the range each pass,
        whatever the body bound it to; a counter of its own, the adjoint loop reading it
        where the body reads ``i``, would read the range's value, not the body's."""
        if not isinstance(stmt.target, gast.Name):
            return
        name = stmt.target.id
        if not any(isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store) and n.id == name
                   for s in stmt.body for n in walk(s)):
            return
        counter = self.namer.fresh(f"{name}_counter")
        stmt.body.insert(0, assign_node(name, name_node(counter), stmt))
        stmt.target = gast.copy_location(name_node(counter, gast.Store()), stmt.target)

    def surely_a_dict(self, name: gast.Name) -> bool:
        """Whether ``name`` holds a dict wherever the loop reads it: a module's (or an
        enclosing function's) dict, a parameter the call gives one, or a local bound
        only to dict displays (``for k, name in enumerate(NESTS)``: its keys)."""
        if name.id in getattr(self.parsed, "given_dicts", ()):
            return name.id not in self.parsed.reassigned
        if name.id in self.parsed.params:
            return False
        if name.id not in self.parsed.locals:
            return type(self.parsed.resolve(name)) is dict
        values = [n.value for n in walk(self.parsed.node) if isinstance(n, gast.Assign)
                  and any(isinstance(t, gast.Name) and t.id == name.id for t in n.targets)]
        stores = sum(1 for n in walk(self.parsed.node) if isinstance(n, gast.Name) and
                     n.id == name.id and isinstance(n.ctx, (gast.Store, gast.Del)))
        return bool(values) and len(values) == stores and all(
            isinstance(v, (gast.Dict, gast.DictComp)) for v in values)

    def not_a_view_the_body_changes(self, source: gast.expr, stmt: gast.For) -> None:
        """Refuse ``for ui in u[:-1]:`` (or ``reversed(u)``, ``U.T``) whose body changes
        ``u`` in place: NumPy's loop reads a view item by item and sees the changes,
        while the iterable is evaluated once here, as a list would be."""
        # (a name read for a count or a shape is not iterated: reversed(range(len(y))))
        counted = {id(n) for c in walk(source) if isinstance(c, gast.Call) and
                   isinstance(c.func, gast.Name) and c.func.id in ("len", "range")
                   for n in walk(c)}
        counted |= {id(n) for a in walk(source) if isinstance(a, gast.Attribute) and
                    a.attr in ("shape", "size", "ndim") for n in walk(a)}
        # (nor are those whose items are never views: a dict's keys, a sorted copy)
        counted |= {id(n) for c in walk(source) if isinstance(c, gast.Call) and (
                    isinstance(c.func, gast.Name) and c.func.id == "sorted" or
                    isinstance(c.func, gast.Attribute) and c.func.attr == "keys")
                    for n in walk(c)}
        read = {n.id for n in walk(source) if isinstance(n, gast.Name) and id(n) not in counted}
        for sub in (n for s in stmt.body for n in walk(s)):
            if isinstance(sub, (gast.Assign, gast.AugAssign)):
                targets = sub.targets if isinstance(sub, gast.Assign) else [sub.target]
                changed = [base_name(t) for t in targets
                           if isinstance(t, (gast.Subscript, gast.Attribute))]
                if isinstance(sub, gast.AugAssign) and isinstance(sub.target, gast.Name):
                    changed.append(sub.target.id)  # u += 1 changes u's array in place
            elif isinstance(sub, gast.Call) and isinstance(sub.func, gast.Attribute) and \
                    sub.func.attr in _LIST_CHANGES:
                changed = [base_name(sub.func.value)]
            else:
                continue
            hit = next((name for name in changed if name in read), None)
            if hit is not None:
                raise self.parsed.error(
                    sub, f"the loop iterates over {gast.unparse(source).strip()}, and this "
                         f"line changes {hit} in place: NumPy's loop reads a view of {hit} "
                         "item by item and sees the change, while grad reads the items "
                         "when the loop starts. Loop over positions and read the item in the "
                         f"body (for i in range(n): item = {hit}[...])")

    def iterate_by_position(self, stmt: gast.For, named_too: bool = False) -> list:
        """``for row in X:`` → ``for k in range(len(X)): row = X[k]`` (also enumerate, zip).

        ``for x in xs:`` over a plain name is left for normalization to decide: it is
        rewritten only when ``xs`` holds differentiated values.
        """
        it = stmt.iter
        if isinstance(it, gast.Call) and isinstance(it.func, gast.Name) and \
                it.func.id == "range" and self.parsed.resolve(it.func) is range:
            return []
        if isinstance(it, (gast.Name, gast.Attribute)):
            held = self.parsed.resolve(it)
            if hasattr(type(held), "__next__") and not isinstance(held, type):
                # (a module's iterator: read by position it has no length, and each
                # item Python reads is gone from it)
                raise self.parsed.error(it, f"the loop iterates {gast.unparse(it).strip()}, "
                                            f"an iterator ({type(held).__name__}), which "
                                            "grad reads by position: iterate a list (for "
                                            "X, y in data), or take the items first (X, y "
                                            "= next(batches))")
        if not named_too and isinstance(it, gast.Name) and isinstance(stmt.target, gast.Name):
            return []
        if isinstance(it, gast.Call) and isinstance(it.func, gast.Attribute) and \
                it.func.attr in ("items", "values", "keys") and not it.args:
            return []  # a dict's: normalization loops over its keys (loop_over_keys)
        if isinstance(it, gast.Call) and len(it.args) == 1 and \
                _names_an_item(it.args[0]) and isinstance(stmt.target, gast.Name) and \
                self.parsed.resolve(it.func) in (sorted, list, tuple, reversed) and any(
                    isinstance(n, gast.Subscript) and isinstance(n.slice, gast.Name) and
                    n.slice.id == stmt.target.id and
                    gast.dump(n.value) == gast.dump(it.args[0])
                    for s in stmt.body for n in walk(s)):
            # for k in sorted(d): ... d[k] (sorted(P['l'][0]), P['l'][0][k]): a dict's
            # keys (over_keys; iterated_by_name names the item first)
            return []
        sources: list[gast.expr]
        targets: list[gast.expr]
        counter: Optional[gast.expr] = None
        # (by what the name is: a function of the user's named zip is no builtin, and
        # generated code may reach the builtin as _zip)
        target = self.parsed.resolve(it.func) if isinstance(it, gast.Call) and \
            isinstance(it.func, gast.Name) else None
        call = "zip" if target is zip else "enumerate" if target is enumerate else None
        start: Optional[gast.expr] = None
        strict = False
        if call == "enumerate" and 1 <= len(it.args) + len(it.keywords) <= 2 and \
                all(k.arg == "start" for k in it.keywords) and \
                isinstance(stmt.target, gast.Tuple) and len(stmt.target.elts) == 2:
            counter, item = stmt.target.elts
            sources, targets = [it.args[0]], [item]
            start = it.args[1] if len(it.args) == 2 else \
                it.keywords[0].value if it.keywords else None
            inner = it.args[0] if it.args else None
            if isinstance(inner, gast.Call) and isinstance(inner.func, gast.Name) and \
                    self.parsed.resolve(inner.func) is zip and inner.args and \
                    isinstance(item, gast.Tuple) and len(item.elts) == len(inner.args) and \
                    not any(isinstance(a, gast.Starred) for a in inner.args) and all(
                        k.arg == "strict" and isinstance(k.value, gast.Constant)
                        for k in inner.keywords):
                # for i, (a, b) in enumerate(zip(x, w)): the items of each, by position
                sources, targets = list(inner.args), list(item.elts)
                strict = any(k.value.value for k in inner.keywords)
                call = "zip"
        elif call == "zip" and it.args and all(
                k.arg == "strict" and isinstance(k.value, gast.Constant) for k in it.keywords) \
                and isinstance(stmt.target, gast.Tuple) and len(stmt.target.elts) == len(it.args):
            sources, targets = list(it.args), list(stmt.target.elts)
            strict = any(k.value.value for k in it.keywords)  # zip(a, b, strict=True)
        else:
            sources, targets = [it], [stmt.target]
        before = []
        named = []
        # (the loop's own target too: for x in x reads the items of the x it starts with)
        stores = {n.id for s in [stmt.target] + stmt.body for n in walk(s)
                  if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}
        # (zip(ws, itertools.cycle(signs)): an iterator beside a named sequence is read
        # as far as the shortest named one goes, as zip reads it; list() of it would
        # never end)
        sized = [name_node(s.id) for s in sources if isinstance(s, gast.Name)] \
            if call == "zip" and not strict else []
        for source in sources:
            if isinstance(source, gast.Name):
                grown = [c for s in stmt.body for c in walk(s)
                         if isinstance(c, gast.Call) and isinstance(c.func, gast.Attribute)
                         and isinstance(c.func.value, gast.Name)
                         and c.func.value.id == source.id and c.func.attr in _LIST_CHANGES]
                if grown:
                    raise self.parsed.error(grown[0], f"the loop changes {source.id}, the list "
                                                      f"it iterates over (.{grown[0].func.attr}"
                                                      "()), which grad cannot follow: build a "
                                                      "new list, or loop with while")
            if isinstance(source, gast.Name) and source.id in stores:
                # for v in x: x = x * 2 iterates over the array x held at the start.
                holder = self.namer.fresh(f"{source.id}_items")
                before.append(assign_node(holder, name_node(source.id), stmt))
                named.append(name_node(holder))
            elif isinstance(source, gast.Name):
                named.append(source)
            else:  # evaluate the iterable once, as the for statement would
                self.not_a_view_the_body_changes(source, stmt)
                holder = self.namer.fresh("items")
                if sized and isinstance(source, gast.Call) and \
                        not _surely_ends(source, self.parsed):
                    # (an iterator that may not end: reversed(list(v)), zip(x, ys) end)
                    import itertools
                    shortest = _call(self.namer.builtin("len"), clone(sized[0])) \
                        if len(sized) == 1 else _call(self.namer.builtin("min"), *[
                            _call(self.namer.builtin("len"), clone(n)) for n in sized])
                    source = _call(self.namer.reference(itertools.islice, "islice"),
                                   source, shortest)
                before.append(assign_node(holder, _call(self.namer.builtin("list"), source),
                                          stmt))
                named.append(name_node(holder))
        for position, (target, n) in enumerate(zip(targets, named)):
            changed = any(isinstance(sub, gast.Subscript) and isinstance(sub.ctx, gast.Store)
                          and base_name(sub) == n.id or isinstance(sub, gast.Call) and
                          isinstance(sub.func, gast.Attribute) and
                          isinstance(sub.func.value, gast.Name) and
                          sub.func.value.id == n.id and sub.func.attr not in ("get", "keys")
                          for s in stmt.body for sub in walk(s))
            if isinstance(target, gast.Name) and (not changed and any(
                    isinstance(sub, gast.Subscript) and isinstance(sub.value, gast.Name) and
                    sub.value.id == n.id and isinstance(sub.slice, gast.Name) and
                    sub.slice.id == target.id or isinstance(sub, gast.Call) and
                    isinstance(sub.func, gast.Attribute) and sub.func.attr == "get" and
                    isinstance(sub.func.value, gast.Name) and sub.func.value.id == n.id and
                    sub.args and isinstance(sub.args[0], gast.Name) and
                    sub.args[0].id == target.id for s in stmt.body for sub in walk(s)) or
                    self.surely_a_dict(n)):  # (a dict's keys, its values written or not)
                # for k, w in zip(d, ws): ... d[k]: its items index it, so they are keys
                # (a dict's; a list's items the same as list(xs) holds): as `for k in d`
                from ..rules import runtime
                holder = self.namer.fresh(f"{n.id}_keys")
                before.append(assign_node(holder, gast.Call(func=gast.Attribute(
                    value=name_node(self.namer.reference(runtime, "_ad")), attr="keys",
                    ctx=gast.Load()), args=[name_node(n.id)], keywords=[]), stmt))
                named[position] = name_node(holder)
        index_name = counter.id if isinstance(counter, gast.Name) and start is None \
            else self.namer.fresh("k")
        lengths = [_call(self.namer.builtin("len"), name_node(n.id)) for n in named]
        stop = lengths[0] if len(lengths) == 1 else _call(self.namer.builtin("min"), *lengths)
        if strict:  # (Python's ValueError where the lengths differ)
            from ..rules import runtime
            stop = gast.Call(func=gast.Attribute(
                value=name_node(self.namer.reference(runtime, "_ad")), attr="zip_length",
                ctx=gast.Load()), args=[name_node(n.id) for n in named], keywords=[])
        stmt.iter = gast.copy_location(_call(self.namer.builtin("range"), stop), it)
        stmt.target = gast.copy_location(name_node(index_name, gast.Store()), stmt.target)
        reads = [gast.copy_location(gast.Assign(
            targets=[target], value=gast.Subscript(
                value=name_node(n.id), slice=name_node(index_name), ctx=gast.Load()),
            type_comment=None), stmt)
            for target, n in zip(targets, named)]
        if start is not None:  # enumerate(xs, 1): the counter runs from start
            if not isinstance(start, gast.Constant):
                held = self.namer.fresh("start")
                before.append(assign_node(held, start, stmt))
                start = name_node(held)
            reads.insert(0, gast.copy_location(gast.Assign(
                targets=[counter], value=gast.BinOp(left=name_node(index_name), op=gast.Add(),
                                                    right=start), type_comment=None), stmt))
        stmt.body = reads + stmt.body
        return before


#: Methods whose results are finite: a dict's views, and arrays (``theta.reshape(-1,
#: 2)``) and lists made by arrays' methods.
_ENDING_METHODS = frozenset((
    "items", "values", "keys", "tolist", "reshape", "ravel", "flatten", "transpose",
    "swapaxes", "squeeze", "copy", "astype", "diagonal", "cumsum", "cumprod", "clip",
    "round", "conj", "dot", "sum", "mean", "max", "min", "split", "splitlines"))


def _surely_ends(expr: gast.expr, parsed: ParsedFunction) -> bool:
    """Whether iterating ``expr`` surely ends: a name (a sequence), a display or
    comprehension, ``reversed``/``list``/``tuple``/``sorted``/``range`` of anything, and
    ``zip``, ``map``, ``enumerate``, ``filter`` of iterables one of which surely ends
    (not ``itertools.cycle(...)`` alone)."""
    if isinstance(expr, (gast.Name, gast.List, gast.Tuple, gast.ListComp, gast.Constant,
                         gast.Subscript, gast.BinOp, gast.UnaryOp)) or \
            isinstance(expr, gast.Attribute) and expr.attr in ("T", "mT", "real", "imag"):
        return True  # (xs[1:], W.T, theta * 2: sequences and arrays; not self.stream)
    if isinstance(expr, gast.Call) and isinstance(expr.func, gast.Attribute) and \
            expr.func.attr in _ENDING_METHODS:
        return True  # (a dict's views, an array's list, an array's reshaped view)
    if not (isinstance(expr, gast.Call) and isinstance(expr.func, (gast.Name, gast.Attribute))):
        return False
    target = parsed.resolve(expr.func)
    module = getattr(target, "__module__", None) or ""
    if module.split(".")[0] == "numpy" or type(target).__name__ == "ufunc":
        return True  # (np.split(theta, 2): NumPy's results are lists and arrays)
    if target in (reversed, list, tuple, sorted, range):
        return True
    iterables = expr.args[1:] if target in (map, filter) else expr.args[:1] \
        if target is enumerate else expr.args if target is zip else []
    return any(_surely_ends(a, parsed) for a in iterables)


def _names_an_item(expr: gast.expr) -> bool:
    """Whether ``expr`` is a name or a constant item of one (``d``, ``P['l'][0]``)."""
    while isinstance(expr, gast.Subscript) and isinstance(expr.slice, gast.Constant):
        expr = expr.value
    return isinstance(expr, gast.Name)


#: Methods that change a list in place.
_LIST_CHANGES = {"append", "extend", "insert", "pop", "remove", "clear", "reverse", "sort"}


class _MapAsComprehension(Transformer):
    """``map(f, xs, ys)`` as ``[f(x, y) for x, y in zip(xs, ys)]``, and ``map(lambda z:
    e, xs)`` as ``[e for z in xs]`` (its parameters renamed apart), ``filter(f, xs)`` as
    ``[x for x in xs if f(x)]``: a list, consumed once like the iterator, whose items
    the normalizer differentiates as any other."""

    def __init__(self, parsed: ParsedFunction, namer: Namer) -> None:
        self.parsed = parsed
        self.namer = namer

    def visit_Assign(self, node: gast.Assign) -> Any:
        if isinstance(node.value, gast.Call) and isinstance(node.value.func, gast.Name) and \
                len(node.targets) == 1 and isinstance(node.targets[0], gast.Name) and \
                self.parsed.resolve(node.value.func) in (map, filter):
            # m = map(...) not read at once (those are list(map(...)) now): left lazy,
            # as Python's, which the normalizer refuses where it carries gradient
            for arg in node.value.args:
                self.visit(arg)
            return node
        return self.generic_visit(node)

    def visit_Call(self, node: gast.Call) -> Any:
        self.generic_visit(node)
        if isinstance(node.func, gast.Name) and len(node.args) == 2 and not node.keywords \
                and not any(isinstance(a, gast.Starred) for a in node.args) and \
                self.parsed.resolve(node.func) is filter:
            return self.filter_as_comprehension(node)
        if not (isinstance(node.func, gast.Name) and len(node.args) >= 2 and not node.keywords
                and not any(isinstance(a, gast.Starred) for a in node.args)
                and self.parsed.resolve(node.func) is map):
            return node
        function, iterables = node.args[0], node.args[1:]
        if isinstance(function, gast.Lambda):
            params = function.args
            if params.vararg or params.kwarg or params.kwonlyargs or params.defaults or \
                    len(params.args) != len(iterables):
                return node
            fresh = {p.id: self.namer.fresh(p.id) for p in params.args}
            element = helper_copies.Renamed(fresh).visit(copy.deepcopy(function.body))
            names = [fresh[p.id] for p in params.args]
        else:
            names = [self.namer.fresh("item") for _ in iterables]
            element = gast.Call(func=function, args=[name_node(n) for n in names], keywords=[])
        if len(names) == 1:
            target: gast.expr = name_node(names[0], gast.Store())
            source = iterables[0]
        else:
            target = gast.Tuple(elts=[name_node(n, gast.Store()) for n in names],
                                ctx=gast.Store())
            source = gast.Call(func=name_node(self.namer.reference(zip, "zip")),
                               args=list(iterables), keywords=[])
        comprehension = gast.ListComp(elt=element, generators=[gast.comprehension(
            target=target, iter=source, ifs=[], is_async=0)])
        return gast.copy_location(comprehension, node)


    def filter_as_comprehension(self, node: gast.Call) -> Any:
        """``filter(f, xs)`` as ``[x for x in xs if f(x)]`` (``filter(None, xs)``: ``if
        x``; a lambda's body, its parameter renamed apart)."""
        function, iterable = node.args
        if isinstance(function, gast.Lambda):
            params = function.args
            if params.vararg or params.kwarg or params.kwonlyargs or params.defaults or \
                    len(params.args) != 1:
                return node
            name = self.namer.fresh(params.args[0].id)
            test = helper_copies.Renamed({params.args[0].id: name}).visit(
                copy.deepcopy(function.body))
        else:
            name = self.namer.fresh("item")
            test = name_node(name) if isinstance(function, gast.Constant) and \
                function.value is None else gast.Call(func=function, args=[name_node(name)],
                                                      keywords=[])
        return gast.copy_location(gast.ListComp(elt=name_node(name), generators=[
            gast.comprehension(target=name_node(name, gast.Store()), iter=iterable,
                               ifs=[test], is_async=0)]), node)


def _partials(parsed: ParsedFunction, namer: Namer) -> None:
    """``g = functools.partial(f, a, k=v)`` then ``g(x)``: the values bound once
    (``g_a = a``, ``g_k = v``), and each call written out, ``f(g_a, x, k=g_k)``; the
    normalizer then sees a call of ``f`` like any other (a helper whose derivative is
    generated). Only where ``g`` is assigned once and only ever called."""
    node = parsed.node
    _rebound_functions_renamed_apart(parsed, namer)
    stores: dict = {}
    calls: dict = {}
    loads: dict = {}
    for item in walk(node):
        if isinstance(item, gast.Name):
            if isinstance(item.ctx, gast.Store):
                stores[item.id] = stores.get(item.id, 0) + 1
            elif isinstance(item.ctx, gast.Load):
                loads[item.id] = loads.get(item.id, 0) + 1
        if isinstance(item, gast.Call) and isinstance(item.func, gast.Name):
            calls.setdefault(item.func.id, []).append(item)
    made: dict = {}

    def expand(stmts: list) -> list:
        out: list = []
        for stmt in stmts:
            for block in ("body", "orelse"):
                if isinstance(stmt, (gast.For, gast.While, gast.If, gast.With)) and \
                        isinstance(getattr(stmt, block, None), list):
                    setattr(stmt, block, expand(getattr(stmt, block)))
            bound = _partial_of(stmt)
            if bound is None:
                out.append(stmt)
                continue
            name, call = bound
            if stores.get(name) != 1 or loads.get(name, 0) != len(calls.get(name, [])) or \
                    any(isinstance(c, gast.Call) for c in walk(call.args[0])):
                out.append(stmt)
                continue
            def held(value: gast.expr, label: str, stmt: Any = stmt) -> gast.expr:
                # Constants and functions grad can name stay as written (a helper's
                # derivative is specialised to the function passed); values are bound once.
                if isinstance(value, gast.Constant) or _known_function(value):
                    return value
                kept = namer.fresh(label)
                out.append(assign_node(kept, value, stmt))
                return name_node(kept)

            args = [held(v, f"{name}_arg{i}") for i, v in enumerate(call.args[1:])]
            keywords = {k.arg: held(k.value, f"{name}_{k.arg}") for k in call.keywords}
            made[name] = (call.args[0], args, keywords)
        return out

    def _known_function(value: gast.expr) -> bool:
        if not isinstance(value, (gast.Name, gast.Attribute)):
            return False
        target = parsed.resolve(value)
        return callable(target) and not isinstance(target, type) and \
            (not isinstance(value, gast.Name) or stores.get(value.id, 0) == 0)

    def _partial_of(stmt: Any) -> Optional[tuple]:
        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
                isinstance(stmt.targets[0], gast.Name) and isinstance(stmt.value, gast.Call):
            call = stmt.value
            if call.args and parsed.resolve(call.func) is functools.partial and \
                    not any(isinstance(a, gast.Starred) for a in call.args) and \
                    all(k.arg is not None for k in call.keywords):
                return stmt.targets[0].id, call
        return None

    node.body = expand(node.body)
    _global_partials_written_out(parsed, calls, stores)
    for name, (function, args, keywords) in made.items():
        for call in calls.get(name, []):
            given = {k.arg for k in call.keywords}
            call.func = copy.deepcopy(function)
            call.keywords = [gast.keyword(arg=k, value=copy.deepcopy(v))
                             for k, v in keywords.items() if k not in given] + call.keywords
            call.args = [copy.deepcopy(a) for a in args] + call.args


def _has_rule(fn: Any) -> bool:
    """Whether ``fn`` has a derivative rule (NumPy's ``np.power``, one registered)."""
    from ..rules import registry
    try:
        return registry.lookup(fn) is not None
    except TypeError:  # (unhashable)
        return False


def _global_partials_written_out(parsed: ParsedFunction, calls: dict, stores: dict) -> None:
    """``P(x)`` for ``P = functools.partial(powk, k=3)`` made outside the function (a
    module's or a closure's) of a function of the user's or one with a rule: written ``P.func(x,
    k=P.keywords['k'])``, the values it binds read from it as the code runs (constants:
    data), so the normalizer sees a call of ``powk`` (rebinding ``P`` is seen as any
    global's rebinding is)."""
    for name, found in calls.items():
        if stores.get(name) or name in parsed.params:
            continue
        target = parsed.resolve(name_node(name))
        if not isinstance(target, functools.partial) or not (
                mutation.is_user_function(target.func) or _has_rule(target.func)):
            continue  # (P = partial(np.power, 2.0): np.power's rule, as partial's are)
        for call in found:
            given = {k.arg for k in call.keywords}

            def part(field: str, key: Any, call: Any = call, name: str = name) -> gast.expr:
                return gast.copy_location(gast.Subscript(
                    value=gast.Attribute(value=name_node(name), attr=field, ctx=gast.Load()),
                    slice=gast.Constant(value=key, kind=None), ctx=gast.Load()), call)

            call.func = gast.copy_location(
                gast.Attribute(value=name_node(name), attr="func", ctx=gast.Load()), call)
            call.keywords = [gast.keyword(arg=k, value=part("keywords", k))
                             for k in target.keywords if k not in given] + call.keywords
            call.args = [part("args", i) for i in range(len(target.args))] + call.args


def _rebound_functions_renamed_apart(parsed: ParsedFunction, namer: Namer) -> None:
    """``g = partial(f, k=1.2); g(x); g = partial(f, k=0.7); g(y)``, or a nested def
    defined again (``def rhs(y)`` twice, as after editing a notebook cell): each
    binding of ``g`` given a name of its own (``g``, ``g_2``), read by the statements
    up to the next. Only where every binding of ``g`` is such a function made in one
    list of statements (a function's body, a loop's), none reading ``g`` itself, so
    that `_partials` and the normalizer see each function defined once."""
    stores = Counter(n.id for n in walk(parsed.node)
                     if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store))
    stores.update(n.name for n in walk(parsed.node)
                  if isinstance(n, gast.FunctionDef) and n is not parsed.node)

    def function_bound(stmt: Any) -> Optional[str]:
        if isinstance(stmt, gast.FunctionDef) and not stmt.decorator_list:
            return stmt.name
        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
                isinstance(stmt.targets[0], gast.Name) and (
                    isinstance(stmt.value, gast.Lambda) or isinstance(stmt.value, gast.Call)
                    and parsed.resolve(stmt.value.func) is functools.partial):
            return stmt.targets[0].id
        return None

    def reads_itself(stmt: Any, name: str) -> bool:
        body = stmt.body if isinstance(stmt, gast.FunctionDef) else [stmt.value]
        return any(isinstance(n, gast.Name) and n.id == name for b in body for n in walk(b))

    def read_later(name: str) -> bool:
        """Read in code run later than written (a def, lambda or generator): it would
        call the binding current then, which the renaming cannot know."""
        for n in walk(parsed.node):
            parts = n.body if isinstance(n, gast.FunctionDef) and n is not parsed.node \
                else [n.body] if isinstance(n, gast.Lambda) \
                else [n] if isinstance(n, gast.GeneratorExp) else []
            if any(isinstance(m, gast.Name) and m.id == name for p in parts for m in walk(p)):
                return True
        return False

    blocks = [parsed.node.body] + [getattr(n, f) for n in walk(parsed.node)
                                   if isinstance(n, gast.stmt) and n is not parsed.node
                                   for f in ("body", "orelse")
                                   if isinstance(getattr(n, f, None), list)]
    def loads(stmts: list, name: str) -> int:
        return sum(isinstance(n, gast.Name) and n.id == name and isinstance(n.ctx, gast.Load)
                   for stmt in stmts for n in walk(stmt))

    for block in blocks:
        here = Counter(function_bound(stmt) for stmt in block)
        for name, count in here.items():
            if name is None or count < 2 or stores[name] != count or any(
                    function_bound(stmt) == name and reads_itself(stmt, name)
                    for stmt in block) or read_later(name):
                continue
            first = next(k for k, stmt in enumerate(block) if function_bound(stmt) == name)
            if loads(block[:first], name) or \
                    loads(block, name) != loads(parsed.node.body, name):
                continue  # (read before it, or outside this block: a loop's last binding)
            current = None  # (before the first binding, a read is Python's error)
            for stmt in block:
                bound = function_bound(stmt) == name
                if current is not None and not bound:
                    helper_copies.Renamed({name: current}).visit(stmt)
                if bound:
                    current = name if current is None else namer.fresh(name)
                    if isinstance(stmt, gast.FunctionDef):
                        stmt.name = current
                    else:
                        stmt.targets[0].id = current


class _ComprehensionScopes(Transformer):
    """Each comprehension's loop names renamed apart (``[h * 2 for h in X]`` reads
    ``h_2``): Python 3 gives a comprehension its own scope, so its loop variable never
    rebinds the function's name of the same spelling; the normalizer, which writes a
    comprehension as a loop in the function, must not let it either."""

    def __init__(self, namer: Namer, function: gast.FunctionDef) -> None:
        self.namer = namer
        self.uses = Counter(n.id for n in walk(function) if isinstance(n, gast.Name))

    def _scoped(self, node: Any, parts: tuple) -> Any:
        inside = Counter(n.id for n in walk(node) if isinstance(n, gast.Name))
        renames: dict = {}
        for position, generator in enumerate(node.generators):
            # The first iterable is read in the enclosing scope; later ones see the
            # names bound before them.
            if position > 0:
                generator.iter = helper_copies.Renamed(dict(renames)).visit(generator.iter)
            for target in walk(generator.target):
                # Renamed only where the name is used outside the comprehension too.
                if isinstance(target, gast.Name) and target.id not in renames and \
                        self.uses[target.id] > inside[target.id]:
                    renames[target.id] = self.namer.fresh(target.id)
            helper_copies.Renamed(renames).visit(generator.target)
            generator.ifs = [helper_copies.Renamed(renames).visit(c) for c in generator.ifs]
        for part in parts:
            setattr(node, part, helper_copies.Renamed(renames).visit(getattr(node, part)))
        self.generic_visit(node)
        return node

    def visit_ListComp(self, node: gast.ListComp) -> Any:
        return self._scoped(node, ("elt",))

    def visit_SetComp(self, node: gast.SetComp) -> Any:
        return self._scoped(node, ("elt",))

    def visit_GeneratorExp(self, node: gast.GeneratorExp) -> Any:
        return self._scoped(node, ("elt",))

    def visit_DictComp(self, node: gast.DictComp) -> Any:
        return self._scoped(node, ("key", "value"))


class _StarredDisplays(Transformer):
    """``[*params, x]`` as ``list(params) + [x]`` (and ``(*a, x)`` as ``tuple(a) +
    (x,)``): the same items, as joins the normalizer differentiates."""

    def __init__(self, namer: Namer) -> None:
        self.namer = namer

    def _joined(self, node: Any, kind: type, convert: Any) -> Any:
        self.generic_visit(node)
        if not isinstance(node.ctx, gast.Load) or \
                not any(isinstance(e, gast.Starred) for e in node.elts):
            return node
        parts: list = []
        run: list = []
        for element in node.elts:
            if isinstance(element, gast.Starred):
                if run:
                    parts.append(kind(elts=run, ctx=gast.Load()))
                    run = []
                parts.append(gast.Call(func=name_node(self.namer.reference(convert,
                                                                           convert.__name__)),
                                       args=[element.value], keywords=[]))
            else:
                run.append(element)
        if run:
            parts.append(kind(elts=run, ctx=gast.Load()))
        whole = parts[0]
        for part in parts[1:]:
            whole = gast.BinOp(left=whole, op=gast.Add(), right=part)
        return gast.copy_location(whole, node)

    def visit_List(self, node: gast.List) -> Any:
        return self._joined(node, gast.List, list)

    def visit_Tuple(self, node: gast.Tuple) -> Any:
        return self._joined(node, gast.Tuple, tuple)


#: The key of ``ParsedFunction.bound`` saying how many values a helper's ``*args`` holds
#: at the call its derivative is made for.
VARARG_COUNT = "*"


_DISPLAYS = (gast.Dict, gast.List, gast.Set, gast.Tuple, gast.Constant)


def _displays_unpacked(stmt: Any) -> bool:
    """``a, b = {}, [h0]``: names (each once) given displays or constants that read none
    of them, which binding one at a time leaves the same (no swap, no call between)."""
    if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and
            isinstance(stmt.targets[0], (gast.Tuple, gast.List)) and
            isinstance(stmt.value, gast.Tuple)):
        return False
    targets, values = stmt.targets[0].elts, stmt.value.elts
    names = [t.id for t in targets if isinstance(t, gast.Name)]
    return len(targets) == len(values) and len(names) == len(targets) and \
        len(set(names)) == len(names) and \
        all(isinstance(v, _DISPLAYS) for v in values) and \
        not any(isinstance(n, (gast.Call, gast.Starred, gast.NamedExpr, gast.Lambda)) or
                isinstance(n, gast.Name) and n.id in names for v in values for n in walk(v))


def _varargs_passed_on(parsed: ParsedFunction) -> None:
    """In a helper whose derivative is made for a call passing ``n`` values to its
    ``*args`` (``VARARG_COUNT`` in ``parsed.bound``), ``fn(*args, **kwargs)`` as
    ``fn(args[0], ..., args[n - 1], **kwargs)``: a decorator's wrapper passing on
    differentiated values, which an unpacked tuple of unknown length would hide."""
    counts = {name[1:]: count for name, count in parsed.bound.items()
              if isinstance(name, str) and name.startswith("*") and len(name) > 1}
    count = parsed.bound.get(VARARG_COUNT)
    vararg = parsed.node.args.vararg
    if count is not None and vararg is not None:
        counts[vararg.id] = count
    # (and a parameter given a tuple display of that length: rk4(f, y, args=(k, m)),
    # f(y, *args) in it, `pipeline._with_tuple_lengths`)
    counts = {name: n for name, n in counts.items() if name not in parsed.reassigned}
    if not counts:
        return
    for node in walk(parsed.node):
        if isinstance(node, gast.Call) and any(
                isinstance(a, gast.Starred) and isinstance(a.value, gast.Name)
                and a.value.id in counts for a in node.args):
            expanded: list = []
            for a in node.args:
                if isinstance(a, gast.Starred) and isinstance(a.value, gast.Name) and \
                        a.value.id in counts:
                    expanded += [gast.copy_location(gast.Subscript(
                        value=name_node(a.value.id), slice=_const(k), ctx=gast.Load()), a)
                        for k in range(counts[a.value.id])]
                else:
                    expanded.append(a)
            node.args = expanded


def _keywords_spelled_out(parsed: ParsedFunction, namer: Namer) -> None:
    """``layer_norm(x, **p['ln'])`` of a function of yours as ``layer_norm(x,
    g=p['ln']['g'], b=p['ln']['b'], eps=p['ln']['eps'] if 'eps' in p['ln'] else 1e-05)``:
    each parameter the call leaves to the dict read from it by name (a default where
    the dict lacks it), which grad then follows as any keyword. Only where the dict is
    a name or an item of one (read again without effect), and the function takes no
    ``**kwargs`` (whose keys only the dict knows)."""
    import inspect
    for stmt in walk(parsed.node):  # (comments show the line as written)
        if isinstance(stmt, gast.stmt) and not isinstance(stmt, (
                gast.FunctionDef, gast.For, gast.While, gast.If, gast.With, gast.Try)) and \
                any(isinstance(n, gast.keyword) and n.arg is None for n in walk(stmt)) and \
                not getattr(stmt, "shown_as", None):
            stmt.shown_as = gast.unparse(stmt).strip().splitlines()[0]
    for node in walk(parsed.node):
        if not isinstance(node, gast.Call):
            continue
        splats = [k for k in node.keywords if k.arg is None]
        if len(splats) != 1 or any(isinstance(a, gast.Starred) for a in node.args):
            continue
        source = splats[0].value
        if not (isinstance(base_name(source), str) and all(
                isinstance(n, (gast.Name, gast.Subscript, gast.Constant, gast.Load))
                for n in walk(source))):
            continue
        target = parsed.resolve(node.func)
        if not mutation.is_user_function(target) or inspect.ismethod(target):
            continue
        try:
            parameters = list(inspect.signature(target).parameters.values())
        except (TypeError, ValueError):
            continue
        if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in parameters):
            continue
        given = {p.name for p in parameters[:len(node.args)]} | \
            {k.arg for k in node.keywords if k.arg is not None}
        keywords = [k for k in node.keywords if k.arg is not None]
        for p in parameters[len(node.args):]:
            if p.name in given or p.kind is p.POSITIONAL_ONLY:
                continue
            item: gast.expr = gast.Subscript(value=clone(source), slice=_const(p.name),
                                             ctx=gast.Load())
            if p.default is not p.empty:
                default = _const(p.default) if type(p.default) in (
                    int, float, bool, str, type(None)) else \
                    name_node(namer.reference(p.default, f"{p.name}_default"))
                item = gast.IfExp(test=gast.Compare(
                    left=_const(p.name), ops=[gast.In()], comparators=[clone(source)]),
                    body=item, orelse=default)
            for made in walk(item):
                if isinstance(made, (gast.expr, gast.cmpop)) and \
                        not hasattr(made, "lineno"):
                    gast.copy_location(made, source)
            keywords.append(gast.copy_location(gast.keyword(arg=p.name, value=item), source))
        node.keywords = keywords


class _GetattrAsAttribute(Transformer):
    """``getattr(x, 'T')`` as ``x.T``: the same read, which grad then follows as any
    attribute (an array's ``.T``, a namedtuple's field)."""

    def __init__(self, parsed: ParsedFunction) -> None:
        self.parsed = parsed

    def visit_Call(self, node: gast.Call) -> Any:
        import builtins
        import keyword
        node = self.generic_visit(node)
        if len(node.args) == 2 and not node.keywords and \
                isinstance(node.args[1], gast.Constant) and \
                isinstance(node.args[1].value, str) and node.args[1].value.isidentifier() \
                and not keyword.iskeyword(node.args[1].value) and \
                self.parsed.resolve(node.func) is builtins.getattr:
            return gast.copy_location(gast.Attribute(value=node.args[0],
                                                     attr=node.args[1].value,
                                                     ctx=gast.Load()), node)
        return node


def _min_max_of_several_by_key(parsed: ParsedFunction) -> None:
    """``min(a, b, key=abs)`` as ``min([a, b], key=abs)``: the same item (the first of
    the least), by the rule of a list's ``min`` (the rule of two values takes no key)."""
    import builtins
    for node in walk(parsed.node):
        if isinstance(node, gast.Call) and len(node.args) >= 2 and \
                not any(isinstance(a, gast.Starred) for a in node.args) and \
                [k.arg for k in node.keywords] == ["key"] and \
                parsed.resolve(node.func) in (builtins.min, builtins.max):
            node.args = [gast.copy_location(gast.List(elts=node.args, ctx=gast.Load()),
                                            node.args[0])]


#: Reductions taking ``dtype=``: NumPy casts each value to it as it reduces, as
#: ``np.asarray(x, dtype=D)`` does first (the same values), whose rule casts back.
_CASTING_REDUCTIONS = frozenset({"sum", "mean", "prod", "cumsum", "cumprod", "std", "var",
                                 "nansum", "nanmean", "nanprod", "nanstd", "nanvar"})
#: Of those, the ones whose ``where=`` leaves out what ``np.where(m, x, identity)``
#: does, and that identity.
_MASKED_IDENTITY = {"sum": 0, "nansum": 0, "prod": 1, "nanprod": 1}


def _reductions_in_their_dtype(parsed: ParsedFunction, namer: Namer) -> None:
    """``np.sum(x, dtype=np.float64)`` (``x.mean(dtype=...)``, ``np.cumsum``...) as
    ``np.sum(np.asarray(x, dtype=np.float64))``: NumPy reduces the values cast to the
    dtype, the same values; and ``np.sum(x, where=m)`` (``np.prod``) as ``np.sum(np.where
    (m, x, 0))``. Both are then followed by the rules of what they are written as."""
    numpy = None
    for node in walk(parsed.node):
        if not isinstance(node, gast.Call) or not node.keywords or \
                not {"dtype", "where"} & {k.arg for k in node.keywords}:
            continue
        func = node.func
        target = parsed.resolve(func)
        name = getattr(target, "__name__", "")
        method = False
        if target is getattr(np, name, None) and name in _CASTING_REDUCTIONS and \
                node.args and not isinstance(node.args[0], gast.Starred) and \
                len(node.args) <= 2:  # np.sum(x[, axis], dtype=...)
            subject = node.args[0]
        elif isinstance(func, gast.Attribute) and func.attr in _CASTING_REDUCTIONS and \
                not func.attr.startswith("nan") and len(node.args) <= 1 and \
                parsed.resolve(func.value) is UNRESOLVED:  # x.sum([axis], dtype=...)
            name, subject, method = func.attr, func.value, True
        else:
            continue
        keywords = {k.arg: k for k in node.keywords}
        where = keywords.get("where")
        if None in keywords or where is not None and name not in _MASKED_IDENTITY:
            continue  # (**options; np.mean(x, where=m): left as written, refused)
        numpy = numpy or namer.reference(np, "np")
        value = subject
        if where is not None:
            value = gast.Call(func=gast.Attribute(value=name_node(numpy), attr="where",
                                                  ctx=gast.Load()),
                              args=[where.value, value,
                                    gast.Constant(value=_MASKED_IDENTITY[name], kind=None)],
                              keywords=[])
        dtype = keywords.get("dtype")
        if dtype is not None:
            value = gast.Call(func=gast.Attribute(value=name_node(numpy), attr="asarray",
                                                  ctx=gast.Load()),
                              args=[value], keywords=[gast.keyword(arg="dtype",
                                                                   value=dtype.value)])
        value = gast.copy_location(value, subject)
        node.keywords = [k for k in node.keywords if k.arg not in ("dtype", "where")]
        if method:
            func.value = value
        else:
            node.args[0] = value


def _input_kept(parsed: ParsedFunction) -> None:
    """``np.median(x, overwrite_input=True)`` (``percentile``, ``quantile``...) without
    the option: NumPy may reorder ``x`` (its contents are undefined after the call);
    leaving it as it was is allowed, and the rule reads the values the result came
    from (`numpy_rules.OVERWRITING`)."""
    from ..rules.numpy_rules import OVERWRITING
    for node in walk(parsed.node):
        if isinstance(node, gast.Call) and any(
                k.arg == "overwrite_input" for k in node.keywords) and \
                parsed.resolve(node.func) in OVERWRITING:
            node.keywords = [k for k in node.keywords if k.arg != "overwrite_input"]


def _rebuilt_by_type(parsed: ParsedFunction, namer: Namer) -> None:
    """``type(t)(f(v) for v in t)`` (a tree utility rebuilding a list or tuple) as
    ``_ad.rebuilt_like([f(v) for v in t], t)``: its type is known when it runs, and
    the call has a rule (the items' adjoints, as ``list(...)``'s)."""
    import builtins
    ad = None
    for node in walk(parsed.node):
        if not (isinstance(node, gast.Call) and len(node.args) == 1 and not node.keywords
                and isinstance(node.func, gast.Call) and len(node.func.args) == 1 and
                not node.func.keywords and not isinstance(node.args[0], gast.Starred) and
                parsed.resolve(node.func.func) is builtins.type):
            continue
        items = node.args[0]
        if isinstance(items, gast.Constant) or (isinstance(items, gast.UnaryOp) and
                                                isinstance(items.operand, gast.Constant)):
            continue  # type(x)(2): a number of x's own type, not a rebuilt container
        if isinstance(items, gast.GeneratorExp):
            items = gast.copy_location(gast.ListComp(elt=items.elt,
                                                     generators=items.generators), items)
        elif not isinstance(items, (gast.ListComp, gast.List)):
            items = gast.copy_location(gast.Call(func=name_node(namer.reference(
                builtins.list, "list")), args=[items], keywords=[]), items)
        ad = ad or namer.reference(runtime, "_ad")
        node.args = [items, node.func.args[0]]
        node.func = gast.copy_location(gast.Attribute(value=name_node(ad),
                                                      attr="rebuilt_like",
                                                      ctx=gast.Load()), node.func)


def _parameter_aliases_renamed(parsed: ParsedFunction) -> None:
    """``y = y0`` at the top of the body, ``y0`` a parameter never bound nor read again
    and ``y`` bound nowhere else but by augmented assignments (``y += dt * f(y)``): the
    two names hold one object throughout, so ``y`` is written ``y0`` from there on and
    the assignment dropped. An update in place through ``y`` is then one of the
    parameter, which grad follows (written back to the caller's array, as NumPy's is),
    where through another name it was refused (GP 06)."""
    node = parsed.node
    params = set(parsed.params)
    body = node.body
    scoped = [n for n in walk(node) if n is not node and isinstance(
        n, (gast.FunctionDef, gast.AsyncFunctionDef, gast.Lambda, gast.ClassDef,
            gast.ListComp, gast.SetComp, gast.DictComp, gast.GeneratorExp))]
    in_scopes = {n.id for scope in scoped for n in walk(scope) if isinstance(n, gast.Name)}
    declared = {name for n in walk(node) if isinstance(n, (gast.Global, gast.Nonlocal))
                for name in n.names}
    for k, stmt in enumerate(list(body)):
        if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and
                isinstance(stmt.targets[0], gast.Name) and isinstance(stmt.value, gast.Name)):
            continue
        alias, param = stmt.targets[0].id, stmt.value.id
        if param not in params or alias in params or alias == param or \
                {alias, param} & (in_scopes | declared):
            continue
        augmented = {id(n.target) for n in walk(node) if isinstance(n, gast.AugAssign)}
        uses_alias = [n for n in walk(node) if isinstance(n, gast.Name) and n.id == alias]
        if any(isinstance(n.ctx, (gast.Store, gast.Del)) and n is not stmt.targets[0] and
               id(n) not in augmented for n in uses_alias):
            continue  # (bound anew somewhere: no longer the parameter's object there)
        if any(isinstance(n, gast.Name) and n.id == param and
               isinstance(n.ctx, (gast.Store, gast.Del)) for n in walk(node)):
            continue
        before = {id(n) for s in body[:k] for n in walk(s)}
        after = [n for s in body[k + 1:] for n in walk(s)]
        if any(id(n) in before for n in uses_alias) or \
                any(isinstance(n, gast.Name) and n.id == param for n in after):
            continue  # (used before, or the parameter read again: a number bound anew
            # by y += v would then differ from it)
        for n in after:
            if isinstance(n, gast.Name) and n.id == alias:
                n.id = param
        if any(id(n) in augmented for n in uses_alias):
            parsed.reassigned.add(param)  # (y0 += v now binds the parameter)
        del body[k]
        return  # (one per function: the walks above are of the body as it was)


def _list_targets_as_tuples(parsed: ParsedFunction) -> None:
    """``[a, b] = x`` (and ``for [k, v] in ...``) as ``a, b = x``: Python binds both the
    same way."""
    def as_tuple(target: Any) -> Any:
        if isinstance(target, (gast.List, gast.Tuple)) and \
                isinstance(target.ctx, gast.Store):
            return gast.copy_location(gast.Tuple(elts=[as_tuple(e) for e in target.elts],
                                                 ctx=gast.Store()), target)
        if isinstance(target, gast.Starred):
            target.value = as_tuple(target.value)
        return target

    for node in walk(parsed.node):
        if isinstance(node, gast.Assign):
            node.targets = [as_tuple(t) for t in node.targets]
        elif isinstance(node, (gast.For, gast.comprehension)):
            node.target = as_tuple(node.target)


def desugar(parsed: ParsedFunction, namer: Namer) -> None:
    """Rewrite ``parsed.node``'s body in place (see the module docstring)."""
    _list_targets_as_tuples(parsed)
    if getattr(parsed, "is_helper", True) is False:  # (grad's own function: written back)
        _none_defaults_as_ifs(parsed.node)
    _defaults_left_none(parsed)
    _parameter_aliases_renamed(parsed)
    _varargs_passed_on(parsed)
    _keywords_spelled_out(parsed, namer)
    for stmt in parsed.node.body:
        _GetattrAsAttribute(parsed).visit(stmt)
    _ComprehensionScopes(namer, parsed.node).visit(parsed.node)
    for stmt in parsed.node.body:
        _StarredDisplays(namer).visit(stmt)
    _partials(parsed, namer)
    helper_copies.local_keyword_parameters(parsed)
    helper_copies.function_arguments(parsed, namer)
    helper_copies.keyword_parameters(parsed, namer)
    helper_copies.written_arguments(parsed, namer)
    _iter_read_whole(parsed)
    _no_zip_of_lazy_effects(parsed)
    _lazy_iterators_as_lists(parsed, namer)  # (before maps become lists at their line)
    _min_max_of_several_by_key(parsed)
    _reductions_in_their_dtype(parsed, namer)
    _rebuilt_by_type(parsed, namer)
    _input_kept(parsed)
    for stmt in parsed.node.body:
        _MapAsComprehension(parsed, namer).visit(stmt)
    _effects_as_statements(parsed, parsed.node, namer)
    _reduce_as_loop(parsed, parsed.node, namer)
    _flat_as_indexes(parsed, namer)
    _made_objects_named(parsed, namer, parsed.node.body)
    body = parsed.node.body
    state = _Desugar(parsed, namer)
    last_is_return = bool(body) and isinstance(body[-1], gast.Return)
    early = _contains(body[:-1] if last_is_return else body, (gast.Return,), into_loops=True) \
        or (not last_is_return and _contains(body, (gast.Return,), into_loops=True))
    if early:
        state.returned = namer.fresh("returned")
        state.value = namer.fresh("result")
        final = gast.copy_location(gast.Return(value=name_node(state.value)), body[-1])
        start = [assign_node(state.returned, _const(False), body[0]),
                 assign_node(state.value, _const(None), body[0])]
        parsed.node.body = start + state.block(body) + [final]
    else:
        parsed.node.body = state.block(body)
    if inline_defs.ENABLED.get():  # (second order: see inline_defs)
        inline_defs.inline_nested_defs(parsed, namer)


def _defaults_left_none(parsed: ParsedFunction) -> None:
    """A helper's parameter its caller leaves to its default None (bound to None, see
    `CallNormalizer.helper_call`): the tests of the function's first statements on it,
    up to its first binding, are decided (``if state is None: state = {...}`` is
    ``state = {...}``; ``h = h if h is not None else []``, ``h = h or []``): the dict it
    then makes is its own, never the caller's (HA 01)."""
    nones = {name for name, value in parsed.bound.items()
             if value is None and name in parsed.params}
    body = parsed.node.body
    k = 0
    while nones and k < len(body):
        stmt = body[k]
        if isinstance(stmt, gast.If):
            decided = _decided(stmt.test, nones)
            if decided is None:
                break
            body[k:k + 1] = stmt.body if decided else stmt.orelse
            continue
        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
                isinstance(stmt.targets[0], gast.Name) and stmt.targets[0].id in nones:
            value = stmt.value
            if isinstance(value, gast.IfExp) and _decided(value.test, nones) is not None:
                stmt.value = value.body if _decided(value.test, nones) else value.orelse
            elif isinstance(value, gast.BoolOp) and isinstance(value.op, gast.Or) and \
                    len(value.values) == 2 and isinstance(value.values[0], gast.Name) and \
                    value.values[0].id in nones:
                stmt.value = value.values[1]  # (None or []: [])
            nones.discard(stmt.targets[0].id)
            k += 1
            continue
        bound_here = {n.id for n in walk(stmt) if isinstance(n, gast.Name) and
                      not isinstance(n.ctx, gast.Load)}
        if bound_here & nones or not isinstance(stmt, (gast.Assign, gast.Expr)):
            break
        k += 1


def _none_defaults_as_ifs(node: Any) -> None:
    """``h = h if h is not None else []`` (``h = [] if h is None else h``) written as
    ``if h is None: h = []``, its meaning: the name is bound anew only where it holds
    None, and otherwise keeps its object, which the normalizer then follows as such
    (written back to the caller, HC 01)."""
    for owner in walk(node):
        for field in ("body", "orelse", "finalbody"):
            block = getattr(owner, field, None)
            if not isinstance(block, list):
                continue
            for k, stmt in enumerate(block):
                if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and
                        isinstance(stmt.targets[0], gast.Name) and
                        isinstance(stmt.value, gast.IfExp)):
                    continue
                name, value = stmt.targets[0].id, stmt.value
                when_none = _decided(value.test, {name})
                if when_none is None:
                    continue
                made, kept = (value.body, value.orelse) if when_none else \
                    (value.orelse, value.body)
                if not (isinstance(kept, gast.Name) and kept.id == name):
                    continue
                test = gast.Compare(left=gast.Name(id=name, ctx=gast.Load(), annotation=None,
                                                   type_comment=None),
                                    ops=[gast.Is()], comparators=[_const(None)])
                block[k] = gast.copy_location(gast.If(
                    test=test, body=[gast.copy_location(gast.Assign(
                        targets=stmt.targets, value=made, type_comment=None), stmt)],
                    orelse=[]), stmt)
                block[k].shown_as = gast.unparse(stmt).strip().splitlines()[0]


def _decided(test: Any, nones: set) -> Optional[bool]:
    """``p is None`` (True), ``p is not None`` (False) of a parameter ``p`` holding None;
    else None."""
    if isinstance(test, gast.Compare) and len(test.ops) == 1 and \
            isinstance(test.left, gast.Name) and test.left.id in nones and \
            isinstance(test.comparators[0], gast.Constant) and \
            test.comparators[0].value is None:
        if isinstance(test.ops[0], gast.Is):
            return True
        if isinstance(test.ops[0], gast.IsNot):
            return False
    return None


def _effects_as_statements(parsed: ParsedFunction, node: Any, namer: Namer) -> None:
    """``[acc.append(x * x) for x in xs]`` (or ``list(map(acc.append, xs))``, a
    comprehension now) as a statement, for the calls' effect alone: written as the loop
    it runs, ``for x in xs: acc.append(x * x)``, whose calls are statements the normalizer
    follows (inside an expression, a call changing its object is refused there); and
    ``acc.append(v) if c else None`` as the ``if``."""
    for field in ("body", "orelse", "finalbody"):
        block = getattr(node, field, None)
        if not isinstance(block, list):
            continue
        for k, stmt in enumerate(block):
            if isinstance(stmt, gast.Expr):
                loop = _as_statement(parsed, stmt, namer)
                if loop is not None:
                    block[k] = stmt = loop
            if not isinstance(stmt, (gast.FunctionDef, gast.ClassDef)):
                _effects_as_statements(parsed, stmt, namer)
    for handler in getattr(node, "handlers", ()):
        _effects_as_statements(parsed, handler, namer)


def _as_statement(parsed: ParsedFunction, stmt: gast.Expr, namer: Namer
                  ) -> Optional[gast.stmt]:
    """The loop ``stmt`` (a comprehension whose list is dropped) runs, or the ``if``
    (``acc.append(v) if c else None``), or the update ``np.add.at(x, i, v)`` makes
    (``x += _ad.scattered(v, x, i)``), or None."""
    value = stmt.value
    update = _scatter_update(parsed, value, namer) or _diagonal_fill(parsed, value, namer)
    if update is not None:
        update.shown_as = gast.unparse(stmt).strip().splitlines()[0]  # (as written)
        return _located(update, stmt)
    if isinstance(value, gast.IfExp) and any(isinstance(n, gast.Call) for n in walk(value)):
        # (np.fill_diagonal(B, 0.5) if c else None: whatever its calls change, as the if)
        return _located(gast.If(test=value.test, body=[gast.Expr(value=value.body)],
                                orelse=[gast.Expr(value=value.orelse)]), stmt)
    if not any(isinstance(n, gast.Call) and isinstance(n.func, gast.Attribute) and
               n.func.attr in mutation.CHANGING_RETURNING_NONE for n in walk(value)):
        return None
    if isinstance(value, gast.Call) and isinstance(value.func, gast.Name) and \
            len(value.args) == 1 and not value.keywords and \
            parsed.resolve(value.func) in (list, set, tuple):
        value = value.args[0]  # (list(map(acc.append, xs)): a comprehension by now)
        if isinstance(value, gast.GeneratorExp):
            value = gast.ListComp(elt=value.elt, generators=value.generators)
    if not isinstance(value, (gast.ListComp, gast.SetComp)) or \
            any(g.is_async for g in value.generators):
        return None
    inner: gast.stmt = gast.Expr(value=value.elt)
    for generator in reversed(value.generators):
        for condition in reversed(generator.ifs):
            inner = gast.If(test=condition, body=[inner], orelse=[])
        inner = gast.For(target=generator.target, iter=generator.iter, body=[inner],
                         orelse=[], type_comment=None)
    return _located(inner, stmt)


def _made_objects_named(parsed: ParsedFunction, namer: Namer, block: list) -> None:
    """``Block(2.0)(w)``, an object of your class with ``__call__`` made and called at
    once, as ``block = Block(2.0)`` on a line of its own before, then ``block(w)``: the
    call of an object held by a name, which grad follows (GQ 02). Only in a simple
    statement (or an ``if``'s test), outside lambdas, comprehensions, conditional
    expressions and ``and``/``or``, where the object is surely made once, first."""
    lazy = (gast.Lambda, gast.ListComp, gast.SetComp, gast.DictComp, gast.GeneratorExp,
            gast.IfExp, gast.BoolOp)
    k = 0
    while k < len(block):
        stmt = block[k]
        for field in ("body", "orelse", "finalbody"):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list) and not isinstance(stmt, (gast.FunctionDef,
                                                                gast.ClassDef)):
                _made_objects_named(parsed, namer, inner)
        for handler in getattr(stmt, "handlers", ()):
            _made_objects_named(parsed, namer, handler.body)
        where = stmt.test if isinstance(stmt, gast.If) else stmt if isinstance(
            stmt, (gast.Assign, gast.AugAssign, gast.Return, gast.Expr)) else None
        if where is None:
            k += 1
            continue
        skipped = {id(n) for lazy_node in walk(where) if isinstance(lazy_node, lazy)
                   for n in walk(lazy_node)}
        before = []
        for node in walk(where):
            if not (isinstance(node, gast.Call) and isinstance(node.func, gast.Call) and
                    id(node) not in skipped):
                continue
            made_by = parsed.resolve(node.func.func)
            method = inspect.getattr_static(made_by, "__call__", None) \
                if isinstance(made_by, type) else None
            if not (isinstance(method, types.FunctionType) and
                    mutation.is_user_function(method)):
                continue  # (a class of yours with a __call__ of its own)
            name = namer.fresh(made_by.__name__.lower())
            parsed.locals.add(name)  # (a local, held as the code runs, as blk = Block())
            before.append(gast.copy_location(assign_node(name, node.func, stmt), stmt))
            node.func = gast.copy_location(name_node(name), node.func)
        block[k:k] = before
        k += len(before) + 1


def _flat_as_indexes(parsed: ParsedFunction, namer: Namer) -> None:
    """``K.flat[s]``, read or written (``K.flat[::n + 1] += noise``, jitter on a kernel's
    diagonal), as the same entries indexed by position, ``K[np.unravel_index(
    np.arange(np.size(K))[s], np.shape(K))]``: an item grad follows (``.flat`` is a
    view of another kind, which it does not)."""
    found = [n for n in walk(parsed.node) if isinstance(n, gast.Subscript) and
             isinstance(n.value, gast.Attribute) and n.value.attr == "flat" and
             isinstance(n.value.value, gast.Name)]
    if not found:
        return
    np_name = namer.reference(np, "np")

    def np_call(attr: str, *args: Any) -> gast.Call:
        return gast.Call(func=gast.Attribute(value=name_node(np_name), attr=attr,
                                             ctx=gast.Load()), args=list(args), keywords=[])

    for node in found:
        array = node.value.value.id
        positions = gast.Subscript(value=np_call("arange", np_call("size", name_node(array))),
                                   slice=node.slice, ctx=gast.Load())
        node.slice = np_call("unravel_index", positions, np_call("shape", name_node(array)))
        node.value = gast.copy_location(name_node(array), node.value)


def _diagonal_fill(parsed: ParsedFunction, value: gast.expr, namer: Namer
                   ) -> Optional[gast.stmt]:
    """``np.fill_diagonal(a, 0.0)`` (a number) as ``a[np.diag_indices(np.min(np.shape(a)),
    np.ndim(a))] = 0.0``: the entries NumPy writes (those of the main diagonal, as far as
    the shorter side reaches), an assignment into ``a`` grad follows. A value that is
    not written as a number is checked to be one as it runs (`_ad.diagonal_fill_value`):
    an array's values would be written along the diagonal, repeated."""
    keywords = {k.arg: k.value for k in value.keywords} if isinstance(value, gast.Call) \
        else {}
    if not (isinstance(value, gast.Call) and len(value.args) + len(keywords) == 2 and
            value.args and isinstance(value.args[0], gast.Name) and
            set(keywords) <= {"val"} and not any(isinstance(a, gast.Starred)
                                                for a in value.args)):
        return None
    filled = value.args[1] if len(value.args) == 2 else keywords["val"]
    if isinstance(filled, (gast.List, gast.Tuple, gast.ListComp)):
        return None  # (values along the diagonal, repeated: refused, naming the form)
    try:
        if parsed.resolve(value.func) is not np.fill_diagonal:
            return None
    except Exception:  # (an unresolvable name: not NumPy's)
        return None
    np_name = namer.reference(np, "np")
    array = value.args[0].id

    def np_call(attr: str, *args: Any) -> gast.Call:
        return gast.Call(func=gast.Attribute(value=name_node(np_name), attr=attr,
                                             ctx=gast.Load()), args=list(args), keywords=[])

    shorter = np_call("min", np_call("shape", name_node(array)))
    index = np_call("diag_indices", shorter, np_call("ndim", name_node(array)))
    if not _is_number(filled):  # (a name, np.inf, float(k): checked as it runs)
        filled = gast.Call(func=gast.Attribute(value=name_node(namer.reference(
            runtime, "_ad")), attr="diagonal_fill_value", ctx=gast.Load()),
            args=[filled], keywords=[])
    return gast.Assign(targets=[gast.Subscript(value=name_node(array), slice=index,
                                               ctx=gast.Store())],
                       value=filled, type_comment=None)


def _is_number(node: Any) -> bool:
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
        node = node.operand
    return isinstance(node, gast.Constant) and type(node.value) in (int, float)


def _scatter_update(parsed: ParsedFunction, value: gast.expr, namer: Namer
                    ) -> Optional[gast.stmt]:
    """``np.add.at(x, i, v)`` (``np.subtract.at``) as ``x += _ad.scattered(v, x, i)``:
    the same change written into ``x`` (repeated positions add up), an update the
    normalizer follows like any other."""
    if not (isinstance(value, gast.Call) and len(value.args) == 3 and not value.keywords
            and isinstance(value.args[0], (gast.Name, gast.Subscript, gast.Attribute))
            and not any(isinstance(a, gast.Starred) for a in value.args)):
        return None
    found = parsed.resolve(value.func)
    op = {np.add: gast.Add(), np.subtract: gast.Sub()}.get(
        getattr(found, "__self__", None)) if getattr(found, "__name__", "") == "at" else None
    if op is None:
        return None
    from ..rules import runtime
    target, index, v = value.args
    store = clone(target)
    store.ctx = gast.Store()
    return gast.AugAssign(target=store, op=op, value=gast.Call(
        func=gast.Attribute(value=name_node(namer.reference(runtime, "_ad")),
                            attr="scattered", ctx=gast.Load()),
        args=[v, target, index], keywords=[]))


def _reduce_as_loop(parsed: ParsedFunction, node: Any, namer: Namer) -> None:
    """``total = functools.reduce(f, xs, start)`` (an assignment's, an update's or a
    return's whole value) as the loop it runs: ``items = list(xs)``, ``total = start`` (else
    ``items[0]``, the loop over ``items[1:]``), ``for item in items: total = f(total,
    item)``; a lambda ``f`` named first. Its steps are then statements grad follows
    (``reduce(lambda h, layer: layer(h), layers, x)``, ``reduce(np.dot, mats)``)."""
    for field in ("body", "orelse", "finalbody"):
        block = getattr(node, field, None)
        if not isinstance(block, list):
            continue
        k = 0
        while k < len(block):
            stmt = block[k]
            made = _reduce_loop(parsed, stmt, namer)
            if made is not None:
                block[k:k + 1] = made
                k += len(made)
                continue
            if not isinstance(stmt, (gast.FunctionDef, gast.ClassDef)):
                _reduce_as_loop(parsed, stmt, namer)
            k += 1
    for handler in getattr(node, "handlers", ()):
        _reduce_as_loop(parsed, handler, namer)


def _reduce_loop(parsed: ParsedFunction, stmt: gast.stmt, namer: Namer) -> Optional[list]:
    """The statements `_reduce_as_loop` writes for ``stmt``, or None."""
    value = stmt.value if isinstance(stmt, (gast.Assign, gast.Return, gast.AugAssign)) \
        else None
    if not isinstance(value, gast.Call) or \
            isinstance(stmt, gast.Assign) and len(stmt.targets) != 1 or \
            parsed.resolve(value.func) is not functools.reduce or \
            any(isinstance(a, gast.Starred) for a in value.args):
        return None
    args = list(value.args) + [k.value for k in value.keywords if k.arg == "initial"]
    if len(args) not in (2, 3) or len(args) != len(value.args) + len(value.keywords):
        return None
    made: list = []
    function = args[0]
    if isinstance(function, gast.Lambda):  # (named first, as a lambda called inline is)
        named = namer.fresh("reducer")
        made.append(assign_node(named, function, stmt))
        function = name_node(named)
    items, item = namer.fresh("items"), namer.fresh("item")
    total = stmt.targets[0] if isinstance(stmt, gast.Assign) and \
        isinstance(stmt.targets[0], gast.Name) else None  # (s *= reduce(...): apart)
    acc = total.id if total is not None else namer.fresh("total")
    made.append(assign_node(items, gast.Call(func=name_node("list"), args=[args[1]],
                                             keywords=[]), stmt))
    start = args[2] if len(args) == 3 else gast.Subscript(
        value=name_node(items), slice=gast.Constant(value=0, kind=None), ctx=gast.Load())
    over = name_node(items) if len(args) == 3 else gast.Subscript(
        value=name_node(items), slice=gast.Slice(lower=gast.Constant(value=1, kind=None),
                                                 upper=None, step=None), ctx=gast.Load())
    if len(args) == 2:  # (as reduce raises it)
        made.append(gast.If(
            test=gast.UnaryOp(op=gast.Not(), operand=name_node(items)),
            body=[gast.Raise(exc=gast.Call(func=name_node("TypeError"), args=[gast.Constant(
                value="reduce() of empty iterable with no initial value", kind=None)],
                keywords=[]), cause=None)], orelse=[]))
    made.append(assign_node(acc, start, stmt))
    step = assign_node(acc, gast.Call(func=clone(function), args=[
        name_node(acc), name_node(item)], keywords=[]), stmt)
    made.append(gast.For(target=name_node(item, gast.Store()), iter=over, body=[step],
                         orelse=[], type_comment=None))
    if isinstance(stmt, gast.Return):
        made.append(gast.Return(value=name_node(acc)))
    elif isinstance(stmt, gast.AugAssign):  # s *= reduce(...): then the update
        made.append(gast.AugAssign(target=stmt.target, op=stmt.op, value=name_node(acc)))
    elif total is None:  # (a subscript or attribute target: set once, at the end)
        made.append(gast.Assign(targets=stmt.targets, value=name_node(acc),
                                type_comment=None))
    shown = gast.unparse(stmt).strip().splitlines()[0]
    for each in made:
        _located(each, stmt)
        each.shown_as = shown  # (comments and messages show the line as written)
    return made


def _located(made: gast.stmt, stmt: gast.stmt) -> gast.stmt:
    """``made`` (statements written for ``stmt``), each at ``stmt``'s line (nested
    forms in them are written out as the caller goes into them)."""
    for each in walk(made):
        if isinstance(each, gast.stmt):
            gast.copy_location(each, stmt)
    return made


def _iter_read_whole(parsed: ParsedFunction) -> None:
    """``iter(xs)`` read from its start to its end, given to ``zip``, ``enumerate``,
    ``map``, ``filter``, ``list`` or iterated by a loop or comprehension, as ``xs``:
    the same items, read in the same order, and a sequence grad can read by position."""
    def whole(node: Any) -> Any:
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
                len(node.args) == 1 and not node.keywords and \
                not isinstance(node.args[0], gast.Starred) and \
                parsed.resolve(node.func) is iter:
            return node.args[0]
        return node

    readers = (zip, enumerate, map, filter, list, tuple, sorted)
    for node in walk(parsed.node):
        if isinstance(node, (gast.For, gast.comprehension)):
            node.iter = whole(node.iter)
        elif isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
                parsed.resolve(node.func) in readers:
            node.args = [whole(a) for a in node.args]


def _reading_changes_state(parsed: ParsedFunction, lazy: gast.expr) -> bool:
    """Whether reading the lazy iterable ``lazy`` (a ``map``, ``filter``, generator or
    ``iter``) may change state: a function of yours that may, a method called on an
    object (``rng.normal()``)."""
    import types

    from . import source
    from .mutation import _READING_METHODS, is_user_function, may_change_state
    functions = [lazy.args[0]] if isinstance(lazy, gast.Call) and lazy.args and \
        parsed.resolve(lazy.func) in (map, filter) else []
    functions += [c.func for c in walk(lazy) if isinstance(c, gast.Call)]
    for function in functions:
        target = parsed.resolve(function)
        if is_user_function(target) and may_change_state(target):
            return True
        if target is source.UNRESOLVED and isinstance(function, gast.Attribute) and \
                function.attr not in _READING_METHODS and not isinstance(
                    parsed.resolve(function.value), types.ModuleType):
            return True
    return False


def _partly_read_refusal(parsed: ParsedFunction, lazy: gast.expr, lead: str) -> Exception:
    return parsed.error(lazy, f"{lead}, and reading it changes state (a call that may "
                              "update what it is given or holds); grad reads it whole "
                              "first. Make it a list of the items read (list(...)[:n]), or "
                              "read it to its end (give the iterables one length)")


def _no_zip_of_lazy_effects(parsed: ParsedFunction) -> None:
    """Refuse ``zip(xs, map(tick, ys))`` (a ``map``, ``filter``, generator or ``iter``
    beside other iterables) where reading the lazy one changes state: zip reads it an
    item at a time, in turn with the others, and only as far as the shortest iterable
    goes; grad reads it whole first."""
    for call in walk(parsed.node):
        if not (isinstance(call, gast.Call) and isinstance(call.func, gast.Name) and
                len(call.args) >= 2 and parsed.resolve(call.func) is zip):
            continue
        for arg in call.args:
            lazy = isinstance(arg, gast.GeneratorExp) or isinstance(arg, gast.Call) and \
                isinstance(arg.func, gast.Name) and parsed.resolve(arg.func) in (map, filter,
                                                                                iter)
            if lazy and _reading_changes_state(parsed, arg):
                raise parsed.error(arg, f"zip reads {gast.unparse(arg).strip()} an item at a "
                                        "time, in turn with its other iterables and only "
                                        "as far as the shortest goes, and reading it "
                                        "changes state (a call that may update what it "
                                        "is given or holds); grad reads each whole first. "
                                        "Make the lazy iterables lists before the zip "
                                        "(ys = [f(v) for v in xs]), where that order of "
                                        "calls is what you mean")


def _read_whole(name: str, stmt: gast.stmt) -> bool:
    """Whether ``stmt`` reads the iterator ``name`` to its end: ``for v in name:`` with
    no ``break`` or ``return`` in its body, or ``list(name)``, ``sum(name)`` and the
    like given it alone."""
    if isinstance(stmt, gast.For):
        return isinstance(stmt.iter, gast.Name) and stmt.iter.id == name and not any(
            isinstance(n, (gast.Break, gast.Return)) for s in stmt.body for n in walk(s))
    value = getattr(stmt, "value", None)
    return isinstance(value, gast.Call) and isinstance(value.func, gast.Name) and \
        value.func.id in ("list", "tuple", "sum", "sorted", "set", "max", "min") and \
        len(value.args) == 1 and isinstance(value.args[0], gast.Name) and \
        value.args[0].id == name


def _lazy_iterators_as_lists(parsed: ParsedFunction, namer: Namer) -> None:
    """``pairs = zip(xs, ys)`` (or a generator, ``enumerate``, ``reversed``, a dict's
    ``values()``) read once, by the next statement (``for a, b in pairs:``): a list,
    which the next statement reads as it would the iterator, and which a loop can walk
    by position and the adjoint walk back. Others the normalizer refuses where they
    carry gradient (Python's are used up after one pass, and read when consumed)."""
    node = parsed.node
    lazy_makers = (zip, map, filter, reversed, enumerate)
    nodes = list(walk(node))
    if not any(isinstance(n, gast.Assign) and (isinstance(n.value, gast.GeneratorExp) or
               isinstance(n.value, gast.Call)) for n in nodes):
        return
    reads = Counter(n.id for n in nodes if isinstance(n, gast.Name)
                    and isinstance(n.ctx, gast.Load))
    for block_owner in nodes:
        for field in ("body", "orelse"):
            block = getattr(block_owner, field, None)
            if not isinstance(block, list):
                continue
            for k, stmt in enumerate(block):
                if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and
                        isinstance(stmt.targets[0], gast.Name)) or \
                        reads[stmt.targets[0].id] != 1:
                    continue
                name, value = stmt.targets[0].id, stmt.value
                lazy = isinstance(value, gast.GeneratorExp) or isinstance(value, gast.Call) and (
                    isinstance(value.func, gast.Attribute) and not value.args and
                    value.func.attr in ("values", "items", "keys") or
                    any(parsed.resolve(value.func) is f for f in lazy_makers))
                if not lazy:
                    continue
                read = {n.id for n in walk(value) if isinstance(n, gast.Name)}
                for following in block[k + 1:]:
                    if any(isinstance(n, gast.Name) and n.id == name and
                           isinstance(n.ctx, gast.Load) for n in walk(following)):
                        break
                    if not _sets_plain_names(following, read, parsed):
                        following = None
                        break
                else:
                    following = None
                if following is None:
                    continue
                if not _read_whole(name, following) and (
                        isinstance(value, gast.GeneratorExp) or isinstance(
                            value, gast.Call) and parsed.resolve(value.func) in (map, filter)) \
                        and _reading_changes_state(parsed, value):
                    raise _partly_read_refusal(
                        parsed, value, f"{name} = {gast.unparse(value).strip()} is read at "
                                       f"{parsed.where(following)}, which may stop before "
                                       "its end (zip, break, next)")
                if isinstance(value, gast.GeneratorExp):
                    stmt.value = gast.copy_location(
                        gast.ListComp(elt=value.elt, generators=value.generators), value)
                else:
                    stmt.value = gast.copy_location(_call(namer.builtin("list"), value), value)


def _sets_plain_names(stmt: gast.stmt, untouched: set, parsed: ParsedFunction) -> bool:
    """Whether ``stmt`` only binds names (none of ``untouched``) to a value that cannot
    change them (``total = 0.0``, ``h = np.ones(2)``, ``n = len(xs)``): nothing an
    iterator made before it reads changes. A call of the user's or a method, given one
    of them, might change it in place; NumPy's, math's and the builtins do not."""
    if not (isinstance(stmt, gast.Assign) and all(
            isinstance(t, gast.Name) and t.id not in untouched for t in stmt.targets)):
        return False
    nodes = list(walk(stmt.value))
    if any(isinstance(n, (gast.Lambda, gast.NamedExpr)) for n in nodes):
        return False
    if not any(isinstance(n, gast.Name) and n.id in untouched for n in nodes):
        return True
    return all(_pure_library_call(parsed.resolve(n.func)) for n in nodes
               if isinstance(n, gast.Call))


def _pure_library_call(target: Any) -> bool:
    """Whether ``target`` is a function of NumPy, math or the builtins (not a method of
    a value, nor a function of the user's)."""
    module = getattr(target, "__module__", None) or ""
    return module.split(".")[0] in ("numpy", "math", "builtins") or \
        type(target).__name__ == "ufunc"


def loop_over_positions(parsed: ParsedFunction, namer: Namer, stmt: gast.For) -> list:
    """``for x in xs:`` rewritten to loop over positions (statements before it, then it)."""
    return _Desugar(parsed, namer).iterate_by_position(stmt, named_too=True) + [stmt]
