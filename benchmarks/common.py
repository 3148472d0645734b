"""Timing helpers shared by the benchmarks (never used by the tests)."""

from __future__ import annotations

import importlib
import timeit
from typing import Any, Callable, Optional


def best_time(fn: Callable[[], Any], min_time: float = 0.2, repeat: int = 5) -> float:
    """Best-of-``repeat`` seconds per call, each repeat running for about ``min_time``."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    number = max(1, int(number * min_time / 0.2))
    return min(timer.repeat(repeat=repeat, number=number)) / number


def optional(module: str) -> Optional[Any]:
    """A peer library for comparison rows, or None when it is not installed."""
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def report(rows: list[tuple[str, dict[str, float]]], baseline: str = "hand-written") -> None:
    """Print seconds per call and the ratio to the baseline column for every row."""
    for name, times in rows:
        base = times[baseline]
        cells = [f"{baseline} {base * 1e6:10.1f} us"]
        for label, seconds in times.items():
            if label != baseline:
                cells.append(f"{label} {seconds * 1e6:10.1f} us ({seconds / base:5.2f}x)")
        print(f"{name:28s} " + "  ".join(cells))
