"""Zero overwritten entries of an adjoint in place inside loops (``d_out[i] = 0``).

The adjoint of ``out[i] = v`` zeroes ``d_out[i]``: the entry's old value received
none of the gradient. `_ad.zero_at` returns a zeroed copy, which is always safe
but costs the whole array on each call: filling an array of n entries one at a
time in a loop then costs O(n²) in the sweep. Inside a loop, this pass zeroes in
place instead, where nothing else can see the array:

* before the loop, the adjoint was last assigned a fresh array (arithmetic, or
  a helper that allocates) that no statement since has read or shared;
* inside the loop, the adjoint is only zeroed, accumulated into (``d += t``,
  ``d[j] += t``, ``d = _ad.add_at(d, j, t)``), rebound to a fresh array, read by
  arithmetic or read by index.

Entries read by index inside the loop may be views of the array the loop then
zeroes: they are read as copies (``_ad.copied(d_out[i])``; a number is its own
copy), so each value stays what it was when it was read.
"""

from __future__ import annotations

from typing import Any, Optional

import gast

from ..ir import Transformer
from .accumulate import _fresh, copied
from .walk import assigned_name, helper_of, names, nodes

__all__ = ["zero_in_place"]


def zero_in_place(stmts: list[Any], adjoints: set[str], ad: str,
                  containers: frozenset = frozenset()) -> list[Any]:
    """``stmts`` with the ``d = _ad.zero_at(d, i)`` of loops made in place where safe."""
    candidates = {name for name in _zeroed_names(stmts, ad) if name in adjoints} - containers
    if not candidates:
        return stmts
    return _block(stmts, candidates, ad)


def _zero_at_target(stmt: Any, ad: str) -> Optional[str]:
    """``d`` for ``d = _ad.zero_at(d, index)``."""
    target = assigned_name(stmt)
    value = getattr(stmt, "value", None)
    if target is not None and helper_of(value, ad) == "zero_at" and len(value.args) == 2 \
            and not value.keywords and isinstance(value.args[0], gast.Name) \
            and value.args[0].id == target:
        return target
    return None


def _zeroed_names(stmts: list[Any], ad: str) -> set[str]:
    return {name for s in stmts for node in nodes(s)
            if isinstance(node, gast.stmt) and (name := _zero_at_target(node, ad)) is not None}


def _block(stmts: list[Any], candidates: set[str], ad: str,
           bound: frozenset = frozenset()) -> list[Any]:
    """One block: track which candidates hold a private fresh array, and rewrite the
    loops that zero them; blocks nested in statements are handled on their own.
    ``bound``: the names surely bound as the block starts."""
    private: set[str] = set()
    bound = set(bound)
    out: list[Any] = []
    for stmt in stmts:
        rewritten: set[str] = set()
        if isinstance(stmt, (gast.For, gast.While)):
            for name in sorted(candidates & _zeroed_names([stmt], ad)):
                if _only_safe_uses(stmt.body + stmt.orelse, name, ad) and (
                        name in private or name in bound):
                    if name not in private:
                        # (dy = _ad.seed(dout, y), the caller's perhaps: copied once
                        # before the loop, not by each zero_at in it; HA 03)
                        out.append(gast.copy_location(_claimed(name, ad), stmt))
                    _Rewrite(name, ad).visit(stmt)
                    rewritten.add(name)  # still private: the loop shares nothing
        out.append(stmt)
        private |= rewritten
        target = assigned_name(stmt)
        for block in ("body", "orelse"):
            inner = getattr(stmt, block, None)
            if isinstance(inner, list):
                setattr(stmt, block, _block(inner, candidates, ad, frozenset(bound)))
        if target is not None:
            bound.add(target)
        if target in candidates and _fresh(stmt.value, ad) and \
                target not in _bare_reads(stmt.value):
            private.add(target)
            continue
        # Anything else that reads or rebinds a candidate may share it (a view); not a
        # loop that only accumulates into it (dc[i] += t of an earlier adjoint loop)
        mentioned = {n.id for n in names(stmt)}
        private -= {n for n in mentioned - rewritten if not _accumulates(stmt, n) and not (
            isinstance(stmt, (gast.For, gast.While)) and _only_accumulated(stmt, n))}
    return out


def _claimed(name: str, ad: str) -> gast.Assign:
    """``name = _ad.copied(name)``: an array of the sweep's own from here."""
    return gast.Assign(targets=[gast.Name(id=name, ctx=gast.Store(), annotation=None,
                                          type_comment=None)],
                       value=copied(gast.Name(id=name, ctx=gast.Load(), annotation=None,
                                              type_comment=None), ad),
                       type_comment=None)


def _accumulates(stmt: Any, name: str) -> bool:
    """``name += t`` or ``name[j] += t`` (with ``t`` not reading ``name``): an update
    of the array itself, which shares nothing."""
    if not isinstance(stmt, gast.AugAssign):
        return False
    target = stmt.target
    if isinstance(target, gast.Subscript):
        target = target.value
    reads = {n.id for n in names(stmt.value)}
    if isinstance(stmt.target, gast.Subscript):
        reads |= {n.id for n in names(stmt.target.slice)}
    return isinstance(target, gast.Name) and target.id == name and name not in reads


def _only_accumulated(loop: Any, name: str) -> bool:
    """Whether ``loop`` uses ``name`` only to accumulate into it (``name += t``,
    ``name[j] += t``, ``t`` not reading it), in its body's statements alone (no
    nested block, header or test reading it)."""
    if any(n.id == name for part in (getattr(loop, "target", None), getattr(loop, "iter", None),
                                      getattr(loop, "test", None)) if part is not None
           for n in names(part)) or loop.orelse:
        return False
    for stmt in loop.body:
        if any(n.id == name for n in names(stmt)) and not _accumulates(stmt, name):
            return False
    return True


def _bare_reads(expr: Any) -> set[str]:
    """Names read in ``expr`` other than as an operand of arithmetic or the array of an
    index (reads that may share the array itself)."""
    shared: set[str] = set()
    safe: set[int] = set()
    for node in nodes(expr):
        if isinstance(node, gast.BinOp):
            safe |= {id(node.left), id(node.right)}
        elif isinstance(node, gast.UnaryOp):
            safe.add(id(node.operand))
    for node in nodes(expr):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) and \
                id(node) not in safe:
            shared.add(node.id)
    return shared


def _only_safe_uses(stmts: list[Any], name: str, ad: str) -> bool:
    """Whether every use of ``name`` in a loop's body is one the pass allows."""
    allowed: set[int] = set()  # the Name nodes of uses already accounted for
    for stmt in (n for s in stmts for n in nodes(s) if isinstance(n, gast.stmt)):
        if _zero_at_target(stmt, ad) == name:
            allowed |= {id(stmt.targets[0]), id(stmt.value.args[0])}
        elif assigned_name(stmt) == name and helper_of(stmt.value, ad) == "add_at" and \
                isinstance(stmt.value.args[0], gast.Name) and stmt.value.args[0].id == name:
            # d = _ad.add_at(d, i, g): accumulated into d itself (d[i] += g)
            allowed |= {id(stmt.targets[0]), id(stmt.value.args[0])}
        elif assigned_name(stmt) == name:
            if not _fresh(stmt.value, ad):
                return False
            allowed.add(id(stmt.targets[0]))
        elif isinstance(stmt, gast.AugAssign):
            target = stmt.target.value if isinstance(stmt.target, gast.Subscript) \
                else stmt.target
            if isinstance(target, gast.Name) and target.id == name:
                allowed.add(id(target))
    for node in (n for s in stmts for n in nodes(s)):
        if isinstance(node, (gast.BinOp, gast.UnaryOp)):
            for operand in ((node.left, node.right) if isinstance(node, gast.BinOp)
                            else (node.operand,)):
                if isinstance(operand, gast.Name) and operand.id == name:
                    allowed.add(id(operand))
        elif isinstance(node, gast.Subscript) and isinstance(node.ctx, gast.Load) and \
                isinstance(node.value, gast.Name) and node.value.id == name:
            allowed.add(id(node.value))  # read as a copy (`_Rewrite`)
        elif _written_from(node, name, ad):
            allowed.add(id(node.args[0]))  # read as a copy (`_Rewrite`)
    return all(id(node) in allowed for s in stmts for node in names(s)
               if node.id == name)


def _written_from(node: Any, name: str, ad: str) -> bool:
    """``_ad.written(name, index)``: entries read out of ``name``, perhaps a view."""
    return helper_of(node, ad) == "written" and len(node.args) == 2 and \
        isinstance(node.args[0], gast.Name) and node.args[0].id == name


class _Rewrite(Transformer):
    """In a loop: ``d = _ad.zero_at(d, i)`` → ``d[i] = 0``; ``d[i]`` read →
    ``_ad.copied(d[i])``."""

    def __init__(self, name: str, ad: str) -> None:
        self.name, self.ad = name, ad

    def visit_Assign(self, node: gast.Assign) -> Any:
        if _zero_at_target(node, self.ad) == self.name:
            index = self.visit(node.value.args[1])
            if isinstance(index, gast.Subscript) and isinstance(index.value, gast.Attribute) \
                    and index.value.attr == "s_":
                index = index.slice  # d[np.s_[1:-1]] = 0 reads better as d[1:-1] = 0
            target = gast.Subscript(value=gast.Name(id=self.name, ctx=gast.Load(),
                                                    annotation=None, type_comment=None),
                                    slice=index, ctx=gast.Store())
            return gast.copy_location(gast.Assign(targets=[target],
                                                  value=gast.Constant(value=0, kind=None),
                                                  type_comment=None), node)
        return self.generic_visit(node)

    def visit_AugAssign(self, node: gast.AugAssign) -> Any:
        # d[j] += t writes the array: its target is not a read to copy.
        if isinstance(node.target, gast.Subscript):
            node.target.slice = self.visit(node.target.slice)
        node.value = self.visit(node.value)
        return node

    def visit_Subscript(self, node: gast.Subscript) -> Any:
        self.generic_visit(node)
        if isinstance(node.ctx, gast.Load) and isinstance(node.value, gast.Name) and \
                node.value.id == self.name:
            return self._copied(node)
        return node

    def visit_Call(self, node: gast.Call) -> Any:
        self.generic_visit(node)
        return self._copied(node) if _written_from(node, self.name, self.ad) else node

    def _copied(self, read: gast.expr) -> gast.Call:
        return copied(read, self.ad)
