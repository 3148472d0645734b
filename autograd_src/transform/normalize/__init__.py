"""Normalization: one primitive operation per statement, and which values carry gradient.

`statements` (the normalizer: statements, control flow, ``normalize``), with
its expressions in `expressions`, calls (rules, helpers, nested functions) in
`calls`, and containers and assignment into arrays in `data`.
"""

from .statements import normalize

__all__ = ["normalize"]
