"""Opt-in phase timings for performance work: `NOTEWARDEN_TIMINGS=1 notewarden check ...`
prints how long each phase took to stderr."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

ENABLED = bool(os.environ.get("NOTEWARDEN_TIMINGS"))


@contextmanager
def phase(name: str) -> Iterator[None]:
    if not ENABLED:
        yield
        return
    start = time.perf_counter()
    try:
        yield
    finally:
        print(f"notewarden: timing: {name}: {time.perf_counter() - start:.3f} s", file=sys.stderr)
