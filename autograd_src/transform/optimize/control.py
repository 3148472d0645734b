"""Whether the rewriting passes run (``grad(f, optimize=False)`` turns them off).
"""

from __future__ import annotations

import contextlib
import contextvars
from typing import Any

__all__ = ["ENABLED", "enabled"]


#: Whether the rewriting passes run; ``grad(f, optimize=False)`` turns them off for
#: one transformation (helpers it differentiates included). The unrewritten
#: derivative computes the same values by the rules alone: a test runs every
#: corpus function both ways, and users who suspect the optimiser can do the same.
ENABLED: contextvars.ContextVar[bool] = contextvars.ContextVar("optimize", default=True)


@contextlib.contextmanager
def enabled(on: bool) -> Any:
    """Run the rewriting passes (or not) for the transformations made inside."""
    token = ENABLED.set(on)
    try:
        yield
    finally:
        ENABLED.reset(token)
