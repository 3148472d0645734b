"""Shapes read from the earliest value that has them, so a value read only for
its shape need not be kept (or even computed).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import gast

from .walk import helper_of, names, nodes

__all__ = ["names_read_for_shape", "shapes_from"]


# Helpers whose second argument is read for its shape (and dtype) only.
_SHAPE_ONLY = {"unbroadcast", "unreduce", "unmean"}


def _shape_positions(stmts: list[Any], ad: str, np_name: str,
                     seeds: bool = False) -> list[tuple[gast.Call, int]]:
    """``(call, k)`` for each call whose argument ``k``, a name, is read for its shape:
    the helpers above, and ``np.size(x)`` (and ``_ad.seed(g, out)`` with ``seeds``)."""
    found = []
    shape_only = _SHAPE_ONLY | {"seed"} if seeds else _SHAPE_ONLY
    for node in (n for s in stmts if isinstance(s, gast.AST) for n in nodes(s)):
        if not isinstance(node, gast.Call):
            continue
        if helper_of(node, ad) in shape_only and len(node.args) > 1:
            k = 1
        elif helper_of(node, np_name) == "size" and len(node.args) == 1:
            k = 0
        else:
            continue
        if isinstance(node.args[k], gast.Name):
            found.append((node, k))
    return found


def names_read_for_shape(stmts: list[Any], ad: str, np_name: str) -> set[str]:
    """Names some call in ``stmts`` reads only for their shape (or type: the seed's)."""
    return {call.args[k].id for call, k in _shape_positions(stmts, ad, np_name, seeds=True)}


def shapes_from(stmts: list[Any], shape_of: dict[str, str], ad: str,
                np_name: str) -> list[tuple]:
    """Read a shape from an earlier value of the same shape, so a value only kept for its
    shape (``np.log1p(e)`` before ``_ad.unmean(g, ...)``) need not be computed.

    Applied to values the adjoint reads nowhere else; returns ``(call, k, old name)``
    for each change, so a change that saved nothing can be undone.
    """
    calls = _shape_positions(stmts, ad, np_name)
    in_shape_position = Counter(call.args[k].id for call, k in calls)
    everywhere = Counter(n.id for s in stmts if isinstance(s, gast.AST)
                         for n in names(s))
    changed = []
    for call, k in calls:
        name = call.args[k].id
        if name in shape_of and everywhere[name] == in_shape_position[name]:
            call.args[k] = gast.Name(id=shape_of[name], ctx=gast.Load(), annotation=None,
                                     type_comment=None)
            changed.append((call, k, name))
    return changed
