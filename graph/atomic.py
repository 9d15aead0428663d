"""Atomic file writes: a file is replaced whole or not at all.

Every file the library writes (exports, the cache, charts, imports) goes through here: written
to a temporary file in the same folder, flushed, then renamed into place, so that a reader (or
an interrupted run) never sees half a file.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> write_atomic(folder / "a.txt", b"hello").read_bytes()
b'hello'
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from graph.errors import ExportError

__all__ = ["atomic_writer", "write_atomic"]


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike[str]) -> Iterator[IO[bytes]]:
    """A binary file that replaces `path` only when the block ends without an error: written
    to a temporary file in the same folder, flushed, then renamed into place. On any error
    (or an interrupt) the temporary file is removed and `path` is left as it was."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
        )
    except OSError as error:
        raise ExportError(f"cannot write {target}: {error.strerror or error}") from error
    try:
        with os.fdopen(handle, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
            os.fchmod(out.fileno(), _file_mode(target))
        Path(temporary).replace(target)
    except BaseException as error:
        with contextlib.suppress(OSError):
            Path(temporary).unlink()
        if isinstance(error, OSError):
            raise ExportError(f"cannot write {target}: {error.strerror or error}") from error
        raise


def _file_mode(target: Path) -> int:
    """The mode the file should get: the old file's, else what the umask allows."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write `data` to `path` atomically (see `atomic_writer`); returns the path."""
    with atomic_writer(path) as out:
        out.write(data)
    return Path(path)
