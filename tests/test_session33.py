"""Session 33: smallest forms of what this session found and fixed."""

from __future__ import annotations

import sys
import threading

from autograd_src.transform.source import Reads


def test_threads_checking_a_new_derivatives_reads_at_once_never_see_half_of_it():
    # CI, session 32: threads calling one new derivative at once raised AttributeError
    # ('Reads' object has no attribute '_functions'): the first call split the names it
    # watches into three attributes, one after another, and a second thread read the
    # first while the third was still missing.
    namespace = {f"name{i}": i for i in range(200)}
    errors: list = []

    def check(reads: Reads, start: threading.Barrier) -> None:
        start.wait()
        try:
            for _ in range(3):
                assert reads.unchanged()
        except Exception as exc:  # noqa: BLE001 - a thread's error fails the test
            errors.append(exc)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # (switch threads often, so that the race shows)
    try:
        for _ in range(300):
            reads = Reads()
            for name, value in namespace.items():
                reads.note("global", namespace, name, value)
            start = threading.Barrier(4)
            threads = [threading.Thread(target=check, args=(reads, start)) for _ in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            if errors:
                break
    finally:
        sys.setswitchinterval(interval)
    assert not errors
