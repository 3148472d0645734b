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


def keep_freed_memory() -> bool:
    """Ask glibc to keep freed memory for reuse instead of returning it to the OS.

    Arrays of 10^6 doubles (8 MB) are above glibc's default threshold for
    mapping memory from the OS, and whether a freed one is kept for the next
    allocation depends on the heap's history (what ran before). When it is not,
    every allocation pays ~2,000 page faults, which can cost more than the
    arithmetic and makes ratios swing between runs (1.1x to 1.9x for the same
    code). With this, every row runs with the memory it needs already mapped.
    Returns False where glibc is not the allocator (the default then applies).
    """
    import ctypes
    import ctypes.util
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3
    # Both take a C int; glibc caps the mapping threshold at 32 MB on 64-bit systems.
    return bool(mallopt(m_mmap_threshold, 32 << 20)) and bool(mallopt(m_trim_threshold, 1 << 30))


def peak_memory(fn: Callable[..., Any], *args: Any) -> int:
    """Peak bytes Python allocates while ``fn(*args)`` runs (tracemalloc)."""
    import tracemalloc
    tracemalloc.start()
    fn(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


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


def _peer_time(label: str, make: Callable[[], Callable], args: tuple, name: str) -> dict:
    """A peer's seconds per gradient, or nothing when it cannot differentiate the function."""
    try:
        theirs = make()
        theirs(*args)
    except Exception as exc:  # a peer's limitation: reported, and the row left empty
        print(f"({name}: {label} cannot differentiate it: {type(exc).__name__})")
        return {}
    return {label: best_time(lambda: theirs(*args), min_time=0.05, repeat=3)}


def compare(workloads: Any, rtol: float = 1e-6) -> list:
    """Time ours against the hand-written gradient (and peers) for each workload.

    Each workload is ``(name, fn, by_hand, args, wrt)``; ``by_hand`` returns what
    ``grad(fn, wrt)`` should, which is checked first.
    """
    import numpy as np

    from autograd_src import grad
    autograd, tangent = optional("autograd"), optional("tangent")
    rows = []
    for name, fn, by_hand, args, wrt in workloads:
        ours = grad(fn, wrt=wrt)
        many = isinstance(wrt, tuple)
        for a, b in zip(ours(*args) if many else [ours(*args)],
                        by_hand(*args) if many else [by_hand(*args)]):
            np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-9)
        times = best_times({"hand-written": lambda: by_hand(*args),  # noqa: B023
                            "autograd_src": lambda: ours(*args)})  # noqa: B023
        if autograd is not None:
            times.update(_peer_time("HIPS autograd", lambda: autograd.grad(fn, wrt),  # noqa: B023
                                    args, name))
        if tangent is not None:
            positions = wrt if many else (wrt,)
            times.update(_peer_time(
                "tangent-ad", lambda: tangent.grad(fn, wrt=positions, verbose=0),  # noqa: B023
                args, name))
        rows.append((name, times))
    return rows
