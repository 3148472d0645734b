"""What the passes need to know of statements: the name one assigns, the names
they store and load, and which runtime helper a call is.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterator, Optional

import gast

from ..ir import (
    _WALK_FIELDS,
    _node_fields,
    names,  # noqa: F401 - the passes read it from here too
)

__all__ = ["nodes", "names", "assigned_name", "stores_and_loads", "names_in", "load_counts",
           "each_block", "helper_of"]

_AST = gast.AST
_NAME = gast.Name
_CONTEXT = gast.expr_context


def nodes(tree: Any) -> Iterator[Any]:
    """Every node of ``tree``, itself included: those of ``gast.walk``, in another order
    (depth first), found twice as fast (the passes walk the sweeps many times)."""
    todo = [tree]
    pop, push = todo.pop, todo.append
    fields_of = _WALK_FIELDS.get
    while todo:
        node = pop()
        yield node
        cls = node.__class__
        fields = fields_of(cls)
        if fields is None:
            fields = _WALK_FIELDS[cls] = _node_fields(cls)
        for field in fields:
            value = getattr(node, field, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, _AST):
                        push(item)
            elif isinstance(value, _AST):
                push(value)


def assigned_name(stmt: Any) -> Optional[str]:
    """The name ``stmt`` assigns when it is ``name = value``."""
    if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
            isinstance(stmt.targets[0], gast.Name):
        return stmt.targets[0].id
    return None


def stores_and_loads(stmt: Any) -> tuple[set[str], Counter]:
    """The names ``stmt`` assigns and how often it reads each, in one walk."""
    stores: set[str] = set()
    loads: Counter = Counter()
    if isinstance(stmt, gast.AST):
        for node in names(stmt):
            if isinstance(node.ctx, gast.Store):
                stores.add(node.id)
            elif isinstance(node.ctx, gast.Load):
                loads[node.id] += 1
    return stores, loads


def names_in(statements: list) -> tuple[Counter, Counter]:
    """How often each name is assigned, and read, in ``nodes``, in one walk."""
    stores: Counter = Counter()
    loads: Counter = Counter()
    for node in (n for s in statements if isinstance(s, gast.AST) for n in names(s)):
        if isinstance(node.ctx, gast.Store):
            stores[node.id] += 1
        elif isinstance(node.ctx, gast.Load):
            loads[node.id] += 1
    return stores, loads


def load_counts(statements: list) -> Counter:
    """How often each name is read in ``statements``."""
    return names_in(statements)[1]


def each_block(stmts: list[Any], transform: Any) -> list[Any]:
    """``stmts``, with ``transform`` applied to the blocks of its branches and loops."""
    for stmt in stmts:
        for block in ("body", "orelse"):
            if isinstance(stmt, gast.stmt) and isinstance(getattr(stmt, block, None), list):
                setattr(stmt, block, transform(getattr(stmt, block)))
    return stmts


def helper_of(node: Any, ad: str) -> Optional[str]:
    """The runtime helper ``node`` calls (``unreduce`` for ``_ad.unreduce(g, x)``), if any."""
    if (isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute)
            and isinstance(node.func.value, gast.Name) and node.func.value.id == ad):
        return node.func.attr
    return None
