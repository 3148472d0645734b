"""What the reverse stage produces (`Derivative`) and what its adjoint sweep knows
while it walks backwards (`Sweep`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import gast

__all__ = ["Derivative", "Sweep"]


@dataclass
class Derivative:
    """The pieces of a generated derivative, ready for code generation."""

    primal: list[Any]
    adjoint: list[Any]
    results: list[gast.expr]
    value: Optional[gast.expr]
    seed_param: str


@dataclass
class Sweep:
    """What the adjoint sweep knows while it walks backwards."""

    defined: set[str] = field(default_factory=set)
    origin: Any = None
    #: The text of the last ``# Grad of:`` comment (a line desugared into several
    #: statements that show it as written is said once)
    shown: Any = None
