"""Copy propagation in the adjoint sweep: ``dy = dz`` followed by reads of ``dy``
reads ``dz`` instead.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import gast

from ..ir import Transformer
from .walk import assigned_name, each_block, names, stores_and_loads

__all__ = ["propagate_copies"]


class _RenameAll(Transformer):
    def __init__(self, renames: dict[str, str]) -> None:
        self.renames = renames

    def visit_Name(self, node: gast.Name) -> gast.Name:
        while node.id in self.renames:
            node.id = self.renames[node.id]
        return node


def _unchanged(source: str, target: str, rest: list[Any], info: list) -> bool:
    """Whether ``source`` keeps its value wherever ``rest`` reads ``target``.

    ``ds = dprod * 0.99`` may read ``dprod`` (a copy of ``ds``) as ``ds``: the
    value is computed before the name is rebound.
    """
    remaining = sum(loads[target] for _, loads in info)
    for stmt, (stores, loads) in zip(rest, info):
        if remaining == 0:
            return True
        if source in stores:
            simple = isinstance(stmt, (gast.Assign, gast.AugAssign))
            return simple and remaining == loads[target]
        remaining -= loads[target]
    return True


def propagate_copies(stmts: list[Any], adjoints: set[str], keep: set[str]) -> list[Any]:
    """Remove ``da = db`` between adjoints by reading ``db`` wherever ``da`` was read.

    Only when ``da`` is assigned nowhere else, every read of it follows the copy
    in the same block, and ``db`` keeps its value wherever ``da`` is read; names
    in ``keep`` (the returned gradients) are never renamed away.
    """
    assignments: Counter = Counter()
    loads: Counter = Counter()
    for stmt in stmts:
        for node in names(stmt) if isinstance(stmt, gast.AST) else ():
            if isinstance(node.ctx, gast.Store):
                assignments[node.id] += 1
            elif isinstance(node.ctx, gast.Load):
                loads[node.id] += 1
    return _propagate_block(list(stmts), adjoints, keep, assignments, loads)


def _propagate_block(stmts: list[Any], adjoints: set[str], keep: set[str],
                     assignments: Counter, loads: Counter) -> list[Any]:
    info = [stores_and_loads(s) for s in stmts]  # (stores, loads) of each statement, kept current
    index = 0
    while index < len(stmts):
        stmt = stmts[index]
        target = assigned_name(stmt)
        source = stmt.value.id if target and isinstance(stmt.value, gast.Name) else None
        if source is not None and source == target:
            del stmts[index], info[index]  # "da = da", left by a rule that passes g through
            continue
        if (source is not None and target in adjoints and source in adjoints
                and target not in keep and assignments[target] == 1
                and sum(n[target] for _, n in info[index + 1:]) == loads[target]
                and _unchanged(source, target, stmts[index + 1:], info[index + 1:])):
            del stmts[index], info[index]
            renamer = _RenameAll({target: source})
            for k in range(index, len(stmts)):
                if info[k][1][target]:
                    stmts[k] = renamer.visit(stmts[k])
                    info[k] = stores_and_loads(stmts[k])
            loads[source] += loads.pop(target, 0)  # none, for a copy nothing reads
            continue
        index += 1
    return each_block(stmts, lambda block: _propagate_block(block, adjoints, keep,
                                                             assignments, loads))
