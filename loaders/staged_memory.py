"""The staged load's memory: Python's garbage collector run every few files (issue 14).

Profiling a staged load of the SYNTHETIC national set (bench/bench_load_scale.py) showed the
cyclic garbage collector taking a sixth of its time: left to itself it walks every object
alive again and again (the council index at 10,000 councils, three files' records and rows)
and finds little to free. What it does free matters, though: the driver keeps a statement's
parameters (a file's rows) in a reference cycle, so with the collector merely turned off
memory would grow with the data set. :func:`collected_every_few_files` and the staged load's
emptying of those parameters keep it bounded by a few files at a fraction of the cost.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["COLLECT_EVERY", "collected_every_few_files"]


#: Files staged between two collections: each leaves a few hundred small objects in cycles
#: (the driver's, for its statements), which a collection then frees.
COLLECT_EVERY = 8


@contextmanager
def collected_every_few_files() -> Iterator[Callable[[], object]]:
    """Python's cyclic garbage collector paused while files are staged, run every
    :data:`COLLECT_EVERY` files instead of whenever it likes.

    What exists when it starts (the council index) is frozen, never walked during the load,
    and the collector is paused; the function yielded is called once each file's write has
    ended, and every :data:`COLLECT_EVERY` calls collects the young generations (what was
    made since the last collection and is still alive: about the files in flight; what
    survives is not walked again). A file's rows are not left to it: ``loaders.staged``
    empties the parameter lists the driver keeps in a cycle once their transaction is over.
    Paused only if it was running (a caller's own pause is left alone: the function then
    does nothing), and as before whatever happens.
    """
    running = gc.isenabled()
    calls = 0

    def collect() -> None:
        nonlocal calls
        calls += 1
        if running and calls % COLLECT_EVERY == 0:
            gc.collect(1)

    gc.freeze()
    gc.disable()
    try:
        yield collect
    finally:
        gc.unfreeze()
        if running:
            gc.enable()
