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


def best_times(functions: dict[str, Callable[[], Any]], rounds: int = 15,
               min_time: float = 0.05) -> dict[str, float]:
    """Best seconds per call of each function, measured in interleaved rounds.

    Interleaving makes slow drifts of the machine (frequency, neighbours) hit
    every function alike, so their ratios are steadier than separate runs'.
    """
    timers = {}
    for label, fn in functions.items():
        timer = timeit.Timer(fn)
        number, _ = timer.autorange()
        timers[label] = (timer, max(1, int(number * min_time / 0.2)))
    best = {label: float("inf") for label in functions}
    for _ in range(rounds):
        for label, (timer, number) in timers.items():
            best[label] = min(best[label], timer.timeit(number) / number)
    return best


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
