"""The staged load's memory: Python's garbage collector run once per file (issue 14).

Profiling a staged load of the SYNTHETIC national set (bench/bench_load_scale.py) showed the
cyclic garbage collector taking a sixth of its time: left to itself it walks every object
alive again and again (the council index at 10,000 councils, three files' records and rows)
and finds little to free. What it does free matters, though: the driver keeps a statement's
parameters (a file's rows) in a reference cycle, so with the collector merely turned off
memory would grow with the data set. :func:`collected_per_file` keeps it bounded by a few
files at a fraction of the cost.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["collected_per_file"]


@contextmanager
def collected_per_file() -> Iterator[Callable[[], object]]:
    """Python's cyclic garbage collector run once per file instead of whenever it likes.

    What exists when it starts (the council index) is frozen, never walked during the load,
    and the collector is paused; the function yielded collects the young generations (what
    was made since the last collection, about one file's objects; what survived it is not
    walked again) and is called once a file's write has ended, which frees the cycles its
    transaction left. Paused only if it was running (a caller's own pause is left alone: the
    function then does nothing), and as before whatever happens.
    """
    running = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        yield (lambda: gc.collect(1)) if running else lambda: None
    finally:
        gc.unfreeze()
        if running:
            gc.enable()
