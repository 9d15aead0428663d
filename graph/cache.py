"""A cache of parsed data, in the user's cache folder, so that questions start fast.

The key covers the data files' resolved paths, sizes, modification times and contents, and the
code's version (the package version and the library's source files), so any change to the data
or the code makes a new entry. A stale, corrupt or unreadable entry is simply rebuilt; only
data without errors is cached.

An entry holds each entity pickled on its own, and an index of ties by place: a question
unpickles only the entities it reads (`LazyMapping`), so asking for one city's partners in the
world's network does not rebuild 100,000 objects.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from graph.gc import no_garbage_collection
from graph.load import DataPaths, data_files
from graph.merge import load_layers
from graph.model import Dataset

__all__ = ["LazyMapping", "cache_dir", "cache_entry", "cache_key", "load_cached"]

CACHE_ENV = "SISTERCITIES_CACHE_DIR"
_FORMAT = 2  # bump when the layout of an entry changes in a way the code fingerprint cannot see

T = TypeVar("T")


class LazyMapping(Mapping[str, T]):
    """A read-only mapping from ids to entities kept pickled until first read."""

    __slots__ = ("_decoded", "_raw")

    def __init__(self, raw: dict[str, bytes]):
        self._raw = raw
        self._decoded: dict[str, T] = {}

    def __getitem__(self, key: str) -> T:
        try:
            return self._decoded[key]
        except KeyError:
            value: T = pickle.loads(self._raw[key])
            self._decoded[key] = value
            return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def __contains__(self, key: object) -> bool:
        return key in self._raw

    def __reduce__(self) -> tuple[Any, ...]:
        return (LazyMapping, (self._raw,))


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


def cache_entry(dataset: Dataset) -> dict[str, Any]:
    """What the cache stores for a dataset: each entity pickled alone, and the ties by place."""
    return {
        "sections": {
            name: {
                ident: pickle.dumps(entity, protocol=pickle.HIGHEST_PROTOCOL)
                for ident, entity in getattr(dataset, name).items()
            }
            for name in dataset.SECTIONS
        },
        "ties_by_place": dataset.ties_by_place(),
    }


def _dataset(entry: dict[str, Any]) -> Dataset:
    dataset = Dataset(**{name: LazyMapping(raw) for name, raw in entry["sections"].items()})
    object.__setattr__(dataset, "_ties_by_place", entry["ties_by_place"])
    return dataset


def load_cached(paths: DataPaths, *, use_cache: bool = True) -> Dataset:
    """`load_layers`, answered from the cache when the data and the code are unchanged."""
    if not use_cache:
        return load_layers(paths)
    files, problems = data_files(paths)
    if problems:
        return load_layers(paths)  # reports the missing paths
    try:
        key = cache_key(files)
    except OSError:
        return load_layers(paths)
    path = cache_dir() / f"{key}.pickle"
    try:
        with no_garbage_collection():
            stored_key, entry = pickle.loads(path.read_bytes())
        if stored_key == key:
            return _dataset(entry)
    except Exception:  # a missing, stale or corrupt entry (any error unpickling): rebuild
        pass
    dataset = load_layers(paths)
    with contextlib.suppress(OSError):
        from graph.atomic import write_atomic

        data = pickle.dumps((key, cache_entry(dataset)), protocol=pickle.HIGHEST_PROTOCOL)
        write_atomic(path, data)
    return dataset
