"""Show the function after each stage of the pipeline (``grad(f, verbose=2)``).

The quickest way to see what a stage did: the parsed function, after
desugaring, in normal form (one primitive per statement), the two sweeps as
the reverse stage writes them, and after the rewriting passes.
"""

from __future__ import annotations

import contextlib
import contextvars
from typing import Any, Iterator

import gast

from .ir import Branch, Comment, Loop, Op, Primal, Verbatim, assign_node

__all__ = ["showing", "show"]

_SHOWING: contextvars.ContextVar[bool] = contextvars.ContextVar("stages", default=False)


@contextlib.contextmanager
def showing() -> Iterator[None]:
    """Print the function after each stage of the transformations made inside."""
    token = _SHOWING.set(True)
    try:
        yield
    finally:
        _SHOWING.reset(token)


def show(stage: str, *parts: Any) -> None:
    """Print ``parts`` (syntax trees, or items of the normal form) under ``stage``."""
    if not _SHOWING.get():
        return
    lines = [f"# ----- after {stage} -----"]
    for part in parts:
        items = part if isinstance(part, list) else [part]
        for stmt in _statements(items):
            lines.append(_text(stmt))
    print("\n".join(lines) + "\n")


def _statements(items: list) -> list:
    """Syntax trees for the items of the normal form (or syntax trees themselves)."""
    out: list = []
    for item in items:
        if isinstance(item, Op):
            out.append(assign_node(item.target, item.value, item.origin))
        elif isinstance(item, Primal):
            out.append(item.stmt)
        elif isinstance(item, Branch):
            out.append(gast.copy_location(gast.If(
                test=item.test, body=_statements(item.body) or [gast.Pass()],
                orelse=_statements(item.orelse)), item.origin))
        elif isinstance(item, Loop):
            loop = type(item.header)(**{f: getattr(item.header, f)
                                        for f in item.header._fields})
            loop.body = _statements(item.body) or [gast.Pass()]
            out.append(gast.copy_location(loop, item.origin))
        else:
            out.append(item)
    return out


def _text(stmt: Any) -> str:
    if isinstance(stmt, Comment):
        return f"# {stmt.text}"
    if isinstance(stmt, Verbatim):
        return stmt.text.rstrip("\n")
    if isinstance(stmt, (gast.If, gast.For, gast.While)):  # comments inside blocks
        stmt = _without_markers(stmt)
    return gast.unparse(stmt).rstrip("\n")


def _without_markers(stmt: Any) -> Any:
    """A copy of a compound statement whose comments are ``pass`` statements' neighbours."""
    fields = {f: getattr(stmt, f) for f in stmt._fields}
    for block in ("body", "orelse"):
        if isinstance(fields.get(block), list):
            kept = [_without_markers(s) if isinstance(s, (gast.If, gast.For, gast.While))
                    else s for s in fields[block] if not isinstance(s, (Comment, Verbatim))]
            fields[block] = kept or ([gast.Pass()] if block == "body" else [])
    return gast.copy_location(type(stmt)(**fields), stmt)
