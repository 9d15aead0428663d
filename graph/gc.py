"""Pausing Python's cyclic garbage collector around work that makes many objects but no cycles.

Loading, unpickling and exporting a world-sized dataset makes millions of small objects; each
of the collector's passes walks all of them, which made those steps 3-5 times slower.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["no_garbage_collection"]


@contextlib.contextmanager
def no_garbage_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector inside the block (reference counting goes on).

    On the way out, the objects made inside are moved out of the collector's sight
    (`gc.freeze`): they are long-lived data without cycles, and otherwise the first pass after
    the block walks them all. They are still freed when no longer referenced.

    >>> with no_garbage_collection():
    ...     gc.isenabled()
    False
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
