"""Atomic file writes: a file is replaced whole or not at all, and a set of files all together.

Every file the library writes (exports, the cache, charts, imports) goes through here: written
to a temporary file in the same folder, flushed, then renamed into place, so that a reader (or
an interrupted run) never sees half a file. `atomic_batch` does the same for several files at
once: nothing is renamed until every file is written, so that a failure midway leaves every old
file as it was.

A path that is a symbolic link is written through: the file it points to is replaced (its
temporary file beside it) and the link is kept. A dangling link gets its target written when
the target's folder exists; a loop of links is an error. A path that is not a regular file (a
FIFO, a device, a socket) is never replaced.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> write_atomic(folder / "a.txt", b"hello").read_bytes()
b'hello'
>>> with atomic_batch() as batch:
...     for name in ("b.txt", "c.txt"):
...         with batch.open(folder / name) as out:
...             _ = out.write(name.encode())
>>> (folder / "c.txt").read_bytes()
b'c.txt'
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from .errors import ExportError

__all__ = ["AtomicBatch", "atomic_batch", "atomic_writer", "write_atomic"]


def _describe(path: Path, target: Path) -> str:
    """How messages name a file: as given, with the file a link points to."""
    return str(path) if path == target else f"{path} (a link to {target})"


def _write_error(path: Path, target: Path, error: OSError) -> ExportError:
    return ExportError(f"cannot write {_describe(path, target)}: {error.strerror or error}")


def real_target(path: str | os.PathLike[str]) -> Path:
    """The file a write to `path` replaces: `path` itself, or the file its links point to.

    `ExportError` for a loop of links, a dangling link whose target's folder does not exist,
    and a path that exists but is not a regular file (a FIFO, a device, a socket), which a
    rename would replace with a regular file.
    """
    given = Path(path)
    target = given
    if given.is_symlink():
        try:
            target = Path(os.path.realpath(given, strict=True))
        except FileNotFoundError:
            target = Path(os.path.realpath(given))
            if not target.parent.is_dir():
                raise ExportError(
                    f"cannot write {given}: it is a link to {target}, whose folder does not exist"
                ) from None
        except OSError:
            raise ExportError(f"cannot write {given}: it is a loop of symbolic links") from None
    try:
        mode = target.stat().st_mode
    except OSError:
        return target  # not there yet (or unreadable: writing it will say why)
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise ExportError(
            f"cannot write {_describe(given, target)}: it is not a regular file "
            f"({_file_kind(mode)}), which would be replaced by one"
        )
    return target


def _file_kind(mode: int) -> str:
    kinds = (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), "a special file")


def _temporary_beside(path: Path, target: Path) -> tuple[int, Path]:
    """A new temporary file in `target`'s folder (created if missing): its handle and path."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
        )
    except OSError as error:
        raise _write_error(path, target, error) from error
    return handle, Path(temporary)


def _fill(handle: int, target: Path) -> contextlib.AbstractContextManager[IO[bytes]]:
    """The temporary file as a stream: flushed, synced and given `target`'s mode at the end."""

    @contextlib.contextmanager
    def stream() -> Iterator[IO[bytes]]:
        with os.fdopen(handle, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
            os.fchmod(out.fileno(), _file_mode(target))

    return stream()


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike[str]) -> Iterator[IO[bytes]]:
    """A binary file that replaces `path` only when the block ends without an error: written
    to a temporary file in the same folder (the folder of the file a link points to), flushed,
    then renamed into place. On any error (or an interrupt) the temporary file is removed and
    `path` is left as it was."""
    given = Path(path)
    target = real_target(given)
    handle, temporary = _temporary_beside(given, target)
    try:
        with _fill(handle, target) as out:
            yield out
        temporary.replace(target)
    except BaseException as error:
        with contextlib.suppress(OSError):
            temporary.unlink()
        if isinstance(error, OSError):
            raise _write_error(given, target, error) from error
        raise


@dataclass
class _Pending:
    given: Path
    target: Path
    temporary: Path


@dataclass
class AtomicBatch:
    """Files written together (see `atomic_batch`): `open` each, and all are renamed into
    place when the batch ends without an error."""

    _pending: list[_Pending] = field(default_factory=list)

    @contextlib.contextmanager
    def open(self, path: str | os.PathLike[str]) -> Iterator[IO[bytes]]:
        """A binary stream for `path`, written to a temporary file that waits for the end of
        the batch; on an error it is removed (and the batch, ended by that error, removes the
        others)."""
        given = Path(path)
        target = real_target(given)
        handle, temporary = _temporary_beside(given, target)
        try:
            with _fill(handle, target) as out:
                yield out
        except BaseException as error:
            with contextlib.suppress(OSError):
                temporary.unlink()
            if isinstance(error, OSError):
                raise _write_error(given, target, error) from error
            raise
        self._pending.append(_Pending(given, target, temporary))

    def _discard(self) -> None:
        for pending in self._pending:
            with contextlib.suppress(OSError):
                pending.temporary.unlink()
        self._pending.clear()

    def _commit(self) -> None:
        """Rename every temporary file into place; if one rename fails, put back the files
        already replaced (from backups of the old ones) and remove the rest."""
        backups: list[Path | None] = []
        replaced = 0
        current = self._pending[0] if self._pending else None
        try:
            for current in self._pending:
                backups.append(_backup(current.target))
            for current in self._pending:
                current.temporary.replace(current.target)
                replaced += 1
        except BaseException as error:
            for pending, backup in zip(self._pending[:replaced], backups, strict=False):
                with contextlib.suppress(OSError):
                    if backup is not None:
                        backup.replace(pending.target)
                    else:
                        pending.target.unlink()
            for backup in backups[replaced:]:
                if backup is not None:
                    with contextlib.suppress(OSError):
                        backup.unlink()
            self._discard()
            if isinstance(error, OSError) and current is not None:
                raise _write_error(current.given, current.target, error) from error
            raise
        for backup in backups:
            if backup is not None:
                with contextlib.suppress(OSError):
                    backup.unlink()
        self._pending.clear()


def _backup(target: Path) -> Path | None:
    """A copy of the old `target` to put it back with (a hard link where the file system
    allows one); None when there is no old file."""
    if not target.exists():
        return None
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".old")
    os.close(handle)
    backup = Path(name)
    try:
        backup.unlink()
        os.link(target, backup)
    except OSError:
        try:
            shutil.copy2(target, backup)
        except BaseException:
            with contextlib.suppress(OSError):
                backup.unlink()
            raise
    return backup


@contextlib.contextmanager
def atomic_batch() -> Iterator[AtomicBatch]:
    """Several files replaced together: each `batch.open(path)` is written to a temporary file,
    and only when the block ends without an error are they all renamed into place. On any
    error (or an interrupt) every temporary file is removed and every old file is left as it
    was."""
    batch = AtomicBatch()
    try:
        yield batch
    except BaseException:
        batch._discard()
        raise
    batch._commit()


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
