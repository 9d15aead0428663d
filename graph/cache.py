"""A cache of parsed data: a pickle per set of data files, in the user's cache folder.

The key covers the files' resolved paths, sizes, modification times and contents, and the
code's version (the package version and the library's source files), so any change to the data
or the code makes a new entry. A stale, corrupt or unreadable entry is simply rebuilt; only
data without errors is cached.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from functools import cache
from pathlib import Path

from graph.gc import no_garbage_collection
from graph.load import DataPaths, data_files, load_dataset
from graph.model import Dataset

__all__ = ["cache_dir", "cache_key", "load_cached"]

CACHE_ENV = "SISTERCITIES_CACHE_DIR"
_FORMAT = 1  # bump when the pickled layout changes in a way the code fingerprint cannot see


def cache_dir() -> Path:
    """``$SISTERCITIES_CACHE_DIR``, else ``$XDG_CACHE_HOME/sistercities``, else
    ``~/.cache/sistercities``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sistercities"


@cache
def _code_fingerprint() -> str:
    from graph import __version__

    digest = hashlib.sha256(f"{__version__}/{_FORMAT}".encode())
    for source in sorted(Path(__file__).parent.glob("*.py")):
        stat = source.stat()
        digest.update(f"{source.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def cache_key(files: list[Path]) -> str:
    """The key of a set of data files: paths, sizes, mtimes, contents and the code's version."""
    digest = hashlib.sha256(_code_fingerprint().encode())
    for file in files:
        stat = file.stat()
        digest.update(f"{file.resolve()}:{stat.st_size}:{stat.st_mtime_ns}:".encode())
        digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


def load_cached(paths: DataPaths, *, use_cache: bool = True) -> Dataset:
    """`load_dataset`, answered from the cache when the data and the code are unchanged."""
    if not use_cache:
        return load_dataset(paths)
    files, problems = data_files(paths)
    if problems:
        return load_dataset(paths)  # reports the missing paths
    try:
        key = cache_key(files)
    except OSError:
        return load_dataset(paths)
    entry = cache_dir() / f"{key}.pickle"
    try:
        with no_garbage_collection():  # ~5x faster: unpickling makes ~10^5 objects, no cycles
            stored_key, dataset = pickle.loads(entry.read_bytes())
        if stored_key == key and isinstance(dataset, Dataset):
            return dataset
    except Exception:  # a missing, stale or corrupt entry (any error unpickling): rebuild
        pass
    dataset = load_dataset(paths)
    with contextlib.suppress(OSError):
        from graph.export import write_atomic

        write_atomic(entry, pickle.dumps((key, dataset), protocol=pickle.HIGHEST_PROTOCOL))
    return dataset
