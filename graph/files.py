"""Reading input files safely: only regular files are read, never more than a limit, and
never in a way that can block.

A path may name a FIFO (opening it to read waits for a writer, forever), a character device
(``/dev/zero`` never ends), a socket or a symlink loop. Every reader of data files and import
sources goes through `read_regular_file`: it opens with ``O_NONBLOCK`` (so a FIFO opens at
once), checks the *open descriptor* with ``fstat`` (so a path swapped after a check is still
caught) and refuses anything that is not a regular file, or is larger than the limit, with a
`FileRefused` that names the file and says what it is.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> (folder / "a.yaml").write_bytes(b"sources: []\\n")
12
>>> read_regular_file(folder / "a.yaml")
b'sources: []\\n'
>>> os.mkfifo(folder / "pipe.yaml")
>>> read_regular_file(folder / "pipe.yaml")
Traceback (most recent call last):
...
sistercities.files.FileRefused: ...pipe.yaml: error[not-a-file]: a FIFO (named pipe), not a...
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import hashlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from .errors import Location, Problem, Severity, SisterCitiesError

__all__ = [
    "MAX_FILE_BYTES",
    "FileRefused",
    "WritesOverInput",
    "check_output",
    "file_problem",
    "kind_of",
    "read_regular_file",
    "recorded_reads",
]

MAX_FILE_BYTES = 64 * 1024 * 1024  # a data file or import source larger than this is refused


# While `recorded_reads` is active: the SHA-256 of every file `read_regular_file` read, by the
# file's (device, inode); a file read twice has each of its digests.
_READS: contextvars.ContextVar[dict[tuple[int, int], set[bytes]] | None] = contextvars.ContextVar(
    "sistercities_reads", default=None
)


@contextlib.contextmanager
def recorded_reads() -> Iterator[dict[tuple[int, int], set[bytes]]]:
    """Record the SHA-256 digest of the bytes of every file read by `read_regular_file`
    within, by (device, inode): what a parse actually read, whatever the files hold now."""
    reads: dict[tuple[int, int], set[bytes]] = {}
    token = _READS.set(reads)
    try:
        yield reads
    finally:
        _READS.reset(token)


class FileRefused(SisterCitiesError):
    """A path that is not read: not a regular file, too large, or not readable."""

    def __init__(self, name: str, rule: str, message: str):
        self.problem = Problem(Location(name), Severity.ERROR, rule, message)
        super().__init__(str(self.problem))


def kind_of(mode: int) -> str:
    """What a file of this ``st_mode`` is, in words (for messages).

    >>> kind_of(stat.S_IFIFO), kind_of(stat.S_IFCHR)
    ('a FIFO (named pipe)', 'a character device')
    """
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISREG(mode):
        return "a regular file"
    return "a special file"


def _not_a_file(name: str, mode: int) -> FileRefused:
    if stat.S_ISDIR(mode):  # a folder named like a data file, inside a data folder
        return FileRefused(name, "unreadable", "a folder, not a file")
    return FileRefused(
        name, "not-a-file", f"{kind_of(mode)}, not a regular file: only regular files are read"
    )


def _nul_in_path(name: str) -> FileRefused:
    return FileRefused(name, "no-data", "no such file or folder (a NUL byte in the path)")


def _refused(name: str, error: OSError) -> FileRefused:
    if error.errno == errno.ELOOP:
        return FileRefused(name, "not-a-file", "a symlink loop (the link never reaches a file)")
    if error.errno in (errno.ENXIO, errno.EOPNOTSUPP):  # opening a socket
        return _not_a_file(name, stat.S_IFSOCK)
    if error.errno == errno.ENOENT:
        return FileRefused(name, "no-data", "no such file or folder")
    return FileRefused(name, "unreadable", error.strerror or str(error))


def _utf8(text: str) -> bool:
    """Whether a path decoded by Python (undecodable bytes as lone surrogates) is UTF-8 text."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def file_problem(path: Path, name: str | None = None, *, folder_ok: bool = False) -> Problem | None:
    """Why `path` cannot be read as a data file (None when it can): missing, a symlink loop, a
    FIFO, a device, a socket (or a folder, unless `folder_ok`). Symlinks are followed. A check
    before reading, for listings; `read_regular_file` checks again what it opens."""
    name = name or str(path)
    if not _utf8(str(path)):
        return FileRefused(
            name,
            "file-name",
            "a path that is not UTF-8 (bytes the file system holds no text for): rename it",
        ).problem
    try:
        mode = Path(path).stat().st_mode
    except OSError as error:
        return _refused(name, error).problem
    except ValueError:  # a NUL byte in the path
        return _nul_in_path(name).problem
    if stat.S_ISREG(mode) or (folder_ok and stat.S_ISDIR(mode)):
        return None
    return _not_a_file(name, mode).problem


def read_regular_file(path: Path, name: str | None = None, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of `path`, a regular file of at most `limit` bytes; raises `FileRefused`
    (naming the file as `name`, the path by default) for anything else. Never blocks."""
    name = name or str(path)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise _refused(name, error) from None
    except ValueError:
        raise _nul_in_path(name) from None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise _not_a_file(name, status.st_mode)
        if status.st_size > limit:
            raise FileRefused(
                name,
                "file-too-large",
                f"the file has {status.st_size:,} bytes; at most {limit:,} are read",
            )
        chunks: list[bytes] = []
        total = 0
        while chunk := os.read(descriptor, min(1 << 20, limit + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # it grew while being read
                raise FileRefused(
                    name, "file-too-large", f"the file grew past {limit:,} bytes while being read"
                )
        data = b"".join(chunks)
        reads = _READS.get()
        if reads is not None:
            file_id = (status.st_dev, status.st_ino)
            reads.setdefault(file_id, set()).add(hashlib.sha256(data).digest())
        return data
    except OSError as error:
        raise _refused(name, error) from None
    finally:
        os.close(descriptor)


class WritesOverInput(SisterCitiesError):
    """An output that is one of the command's inputs, or lies in a folder it reads."""


def _real(path: Path) -> Path:
    """`path` with every link followed (a dangling one too) and made absolute."""
    return Path(os.path.realpath(path))


def _same_file(first: Path, second: Path) -> bool:
    try:
        return first.samefile(second)  # a hard link, a bind mount, another spelling
    except (OSError, ValueError):
        return False


def check_output(
    output: Path, inputs: list[Path], *, folder: bool = False, files: list[str] | None = None
) -> None:
    """`WritesOverInput` when writing `output` would replace what the command reads.

    One rule for every command that writes: the output (a file; with `folder`, a folder and
    the `files` it will write there) is never one of the `inputs` (the same file by path,
    link or inode: `os.path.samefile`), and is never written into a folder that is one of the
    inputs (a data folder loads every data file in it).

    >>> import tempfile
    >>> data = Path(tempfile.mkdtemp()) / "c.yaml"
    >>> _ = data.write_text("sources: []\\n")
    >>> check_output(data.parent / "other.html", [data])
    >>> check_output(data, [data])
    Traceback (most recent call last):
    ...
    sistercities.files.WritesOverInput: ...c.yaml is one of the inputs: it would be overwritten...
    """
    targets = [output / name for name in files or []] if folder else [output]
    out_real = _real(output)
    for given in inputs:
        real = _real(given)
        if real.is_dir():
            if out_real == real or real in out_real.parents:
                raise WritesOverInput(
                    f"{output} is in the data folder {given}, which the command reads: write "
                    "somewhere else (a file written there would be read as data next time)"
                )
            continue
        for target in targets:
            if _real(target) == real or _same_file(target, given):
                raise WritesOverInput(
                    f"{target} is one of the inputs: it would be overwritten by the output; "
                    "write somewhere else"
                )
