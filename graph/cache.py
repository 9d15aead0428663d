"""A cache of parsed data, in the user's cache folder, so that questions start fast.

The key covers the data files' resolved paths, sizes, modification times and contents, and the
code's version (the package version and the library's source files), so any change to the data
or the code makes a new entry. A stale, corrupt or unreadable entry is simply rebuilt; only
data without errors is cached.

An entry holds the entities pickled in batches of `BATCH`, and an index of ties by place: a
question unpickles only the batches of the entities it reads (`LazyMapping`), so asking for one
city's partners in the world's network does not rebuild 100,000 objects (and writing an entry
takes a few hundred pickle calls, not one per entity).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from graph.files import FileRefused, read_regular_file
from graph.gc import no_garbage_collection
from graph.load import DataPaths, data_files
from graph.merge import load_layers
from graph.model import Dataset

__all__ = ["LazyMapping", "cache_dir", "cache_entry", "cache_key", "load_cached"]

CACHE_ENV = "SISTERCITIES_CACHE_DIR"
_FORMAT = 3  # bump when the layout of an entry changes in a way the code fingerprint cannot see

T = TypeVar("T")


BATCH = 128  # entities pickled together: one pickle call per batch, not per entity


class LazyMapping(Mapping[str, T]):
    """A read-only mapping from ids to entities kept pickled, in batches, until first read:
    `index` gives each id's batch, and reading an id unpickles its batch only."""

    __slots__ = ("_batches", "_decoded", "_index")

    def __init__(self, index: dict[str, int], batches: list[bytes]):
        self._index = index
        self._batches = batches
        self._decoded: dict[str, T] = {}

    def __getitem__(self, key: str) -> T:
        try:
            return self._decoded[key]
        except KeyError:
            batch: dict[str, T] = pickle.loads(self._batches[self._index[key]])
            self._decoded.update(batch)
            return batch[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __reduce__(self) -> tuple[Any, ...]:
        return (LazyMapping, (self._index, self._batches))


def _batched(entities: Mapping[str, Any]) -> dict[str, Any]:
    """A section as an index of ids to batches and the batches, each a pickled dict."""
    ids = list(entities)
    batches = []
    index: dict[str, int] = {}
    for number, start in enumerate(range(0, len(ids), BATCH)):
        chunk = {ident: entities[ident] for ident in ids[start : start + BATCH]}
        index.update(dict.fromkeys(chunk, number))
        batches.append(pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL))
    return {"index": index, "batches": batches}


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
        digest.update(hashlib.sha256(read_regular_file(file)).digest())
    return digest.hexdigest()


def cache_entry(dataset: Dataset) -> dict[str, Any]:
    """What the cache stores for a dataset: each section's entities pickled in batches, and
    the ties by place."""
    return {
        "sections": {name: _batched(getattr(dataset, name)) for name in dataset.SECTIONS},
        "ties_by_place": dataset.ties_by_place(),
    }


def _dataset(entry: dict[str, Any]) -> Dataset:
    dataset = Dataset(
        **{
            name: LazyMapping(stored["index"], stored["batches"])
            for name, stored in entry["sections"].items()
        }
    )
    object.__setattr__(dataset, "_ties_by_place", entry["ties_by_place"])
    return dataset


def load_cached(
    paths: DataPaths,
    *,
    use_cache: bool = True,
    on_rebuild: Callable[[], None] | None = None,
) -> Dataset:
    """`load_layers`, answered from the cache when the data and the code are unchanged;
    `on_rebuild` is called before the data is read afresh to build an entry."""
    if not use_cache:
        return load_layers(paths)
    files, problems = data_files(paths)
    if problems:
        return load_layers(paths)  # reports the missing paths
    try:
        key = cache_key(files)
    except (OSError, FileRefused):  # the loader reports it
        return load_layers(paths)
    path = cache_dir() / f"{key}.pickle"
    try:
        with no_garbage_collection():
            stored_key, entry = pickle.loads(path.read_bytes())
        if stored_key == key:
            return _dataset(entry)
    except Exception:  # a missing, stale or corrupt entry (any error unpickling): rebuild
        pass
    if on_rebuild is not None:
        on_rebuild()
    dataset = load_layers(paths)
    with contextlib.suppress(OSError):
        from graph.atomic import write_atomic

        entry = cache_entry(dataset)
        object.__setattr__(dataset, "_ties_by_place", entry["ties_by_place"])  # built once
        data = pickle.dumps((key, entry), protocol=pickle.HIGHEST_PROTOCOL)
        write_atomic(path, data)
    return dataset
