"""A cache of parsed data, in the user's cache folder, so that questions start fast.

The key covers the data files' resolved paths, sizes, modification times and contents, and the
code's version (the package version and the library's source files), so any change to the data
or the code makes a new entry; only data without errors is cached. The cache is a convenience,
never a failure: any problem with it (no home folder, a file where the folder should be, a
read-only folder, a full disk, a truncated or damaged entry, a FIFO or a folder in its place)
parses the data instead with one warning, and the entry is written anew where it can be.

An entry holds the entities pickled in batches of `BATCH`, and an index of ties by place: a
question unpickles only the batches of the entities it reads (`LazyMapping`), so asking for one
city's partners in the world's network does not rebuild 100,000 objects (and writing an entry
takes a few hundred pickle calls, not one per entity).

The cache is no way in (SECURITY.md, "The cache"). Pickles run code when loaded, so an entry is
unpickled only once it is proven to be this user's own: every entry is signed (HMAC-SHA-256)
with a secret key of 32 random bytes kept in the cache folder (``key``, mode 0600), and an entry
whose signature does not verify is never unpickled. The folder is used only when it belongs to
the user and no other user can write it (nor any folder above it, but for sticky ones such as
``/tmp``): else no one else could read the key or plant an entry. Entries and the key are
created 0600 through a temporary file that is renamed into place, so a link planted in the
folder is replaced, never written through. An entry is written only when the bytes the parse
read are the bytes the key was computed from (a file changed while it was read is parsed again
next time).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import hmac
import os
import pickle
import pwd
import secrets
import stat
import sys
import tempfile
import typing
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from .errors import SisterCitiesError
from .files import FileRefused, read_regular_file, recorded_reads
from .gc import no_garbage_collection
from .load import DataPaths, data_files
from .merge import load_layers
from .model import Dataset

__all__ = [
    "CacheUnavailable",
    "LazyMapping",
    "UnsafeCacheFolder",
    "cache_dir",
    "cache_entry",
    "cache_key",
    "load_cached",
    "seal",
    "unseal",
]

CACHE_ENV = "SISTERCITIES_CACHE_DIR"
FORMAT = 5  # bump when the layout of an entry changes in a way the code fingerprint cannot see

T = TypeVar("T")


MAGIC = b"sistercities-cache-v5\n"  # an entry: MAGIC, its HMAC-SHA-256 (32 bytes), the pickle
KEY_FILE = "key"  # the user's secret key (32 random bytes, 0600) in the cache folder
KEY_BYTES = 32

BATCH = 128  # entities pickled together: one pickle call per batch, not per entity


class LazyMapping(Mapping[str, T]):
    """A read-only mapping from ids to entities kept pickled, in batches, until first read:
    `index` gives each id's batch, and reading an id unpickles its batch only.

    A batch that cannot be unpickled, or holds something else than `kind` entities, is damage:
    `repair` (given by the cache) is called once and gives the section parsed afresh, which
    answers from then on."""

    __slots__ = ("_batches", "_decoded", "_fallback", "_index", "_kind", "_repair")

    def __init__(
        self,
        index: dict[str, int],
        batches: list[bytes],
        kind: type | None = None,
        repair: Callable[[], Mapping[str, T]] | None = None,
    ):
        self._index = index
        self._batches = batches
        self._decoded: dict[str, T] = {}
        self._kind = kind
        self._repair = repair
        self._fallback: Mapping[str, T] | None = None

    def __getitem__(self, key: str) -> T:
        if self._fallback is not None:
            return self._fallback[key]
        try:
            return self._decoded[key]
        except KeyError:
            number = self._index[key]
        try:
            batch = pickle.loads(self._batches[number])
            if not isinstance(batch, dict) or key not in batch:
                raise TypeError("a batch that is not a mapping of its ids")
            if self._kind is not None and not all(
                isinstance(entity, self._kind) for entity in batch.values()
            ):
                raise TypeError(f"a batch holding something else than {self._kind.__name__}")
        except Exception:  # any damage (unpickling runs arbitrary reconstruction code)
            if self._repair is None:
                raise
            self._fallback = self._repair()
            return self._fallback[key]
        self._decoded.update(batch)
        value: T = batch[key]
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __reduce__(self) -> tuple[Any, ...]:
        return (LazyMapping, (self._index, self._batches, self._kind))


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


class CacheUnavailable(SisterCitiesError):
    """There is no usable cache folder (no home folder, a relative path)."""


def cache_dir() -> Path:
    """``$SISTERCITIES_CACHE_DIR``, else ``$XDG_CACHE_HOME/sistercities``, else
    ``~/.cache/sistercities``; `CacheUnavailable` when none of them is an absolute path (no
    home folder) or the home folder does not exist (it is never created)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).absolute()
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if Path(xdg).is_absolute():  # the XDG spec: a relative value is ignored
        return Path(xdg) / "sistercities"
    home = os.environ.get("HOME")
    if home is None:
        try:
            home = pwd.getpwuid(os.getuid()).pw_dir
        except (KeyError, OSError):
            raise CacheUnavailable("there is no home folder ($HOME is not set)") from None
    if not Path(home).is_absolute():
        raise CacheUnavailable(f"the home folder '{home}' is not an absolute path")
    if not Path(home).is_dir():
        raise CacheUnavailable(f"the home folder {home} is not a folder")
    return Path(home) / ".cache" / "sistercities"


@cache
def _code_fingerprint() -> str:
    from . import __version__

    digest = hashlib.sha256(f"{__version__}/{FORMAT}".encode())
    for source in sorted(Path(__file__).parent.glob("*.py")):
        stat = source.stat()
        digest.update(f"{source.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def cache_key(files: list[Path]) -> str:
    """The key of a set of data files: paths, sizes, mtimes, contents and the code's version."""
    return _fingerprint(files)[0]


def _fingerprint(files: list[Path]) -> tuple[str, dict[tuple[int, int], bytes]]:
    """The key of the files, and the SHA-256 of each file's bytes by (device, inode)."""
    digest = hashlib.sha256(_code_fingerprint().encode())
    contents: dict[tuple[int, int], bytes] = {}
    for file in files:
        stat = file.stat()
        digest.update(f"{file.resolve()}:{stat.st_size}:{stat.st_mtime_ns}:".encode())
        content = hashlib.sha256(read_regular_file(file)).digest()
        contents[(stat.st_dev, stat.st_ino)] = content
        digest.update(content)
    return digest.hexdigest(), contents


def cache_entry(dataset: Dataset) -> dict[str, Any]:
    """What the cache stores for a dataset: each section's entities pickled in batches, and
    the ties by place."""
    return {
        "sections": {name: _batched(getattr(dataset, name)) for name in dataset.SECTIONS},
        "ties_by_place": dataset.ties_by_place(),
    }


@cache
def _section_kinds() -> dict[str, type]:
    """Each section's entity class (``places``: `Place` …), from the Dataset's annotations."""
    hints = typing.get_type_hints(Dataset)
    return {name: typing.get_args(hints[name])[1] for name in Dataset.SECTIONS}


def _check_entry(stored: Any, key: str) -> dict[str, Any]:
    """The entry of a stored pickle, once its outer shape is right (the batches stay pickled:
    they are checked when read); ValueError saying what is wrong otherwise."""
    if not isinstance(stored, tuple) or len(stored) != 3:
        raise ValueError("it is not a cache entry")
    stored_key, stored_format, entry = stored
    if stored_format != FORMAT:
        raise ValueError(f"it has format {stored_format!r}, not {FORMAT}")
    if stored_key != key:
        raise ValueError("it holds another key")
    sections = entry.get("sections") if isinstance(entry, dict) else None
    if not isinstance(sections, dict) or set(sections) != set(Dataset.SECTIONS):
        raise ValueError("its sections are damaged")
    for name, section in sections.items():
        if not (
            isinstance(section, dict)
            and isinstance(section.get("index"), dict)
            and isinstance(section.get("batches"), list)
            and all(isinstance(batch, bytes) for batch in section["batches"])
            and all(
                isinstance(n, int) and 0 <= n < len(section["batches"])
                for n in section["index"].values()
            )
        ):
            raise ValueError(f"its section {name} is damaged")
    if not isinstance(entry.get("ties_by_place"), dict):
        raise ValueError("its index of ties is damaged")
    checked: dict[str, Any] = entry
    return checked


def _dataset(entry: dict[str, Any], repair: Callable[[str], Mapping[str, Any]]) -> Dataset:
    kinds = _section_kinds()
    dataset = Dataset(
        **{
            name: LazyMapping(
                stored["index"], stored["batches"], kinds[name], functools.partial(repair, name)
            )
            for name, stored in entry["sections"].items()
        }
    )
    object.__setattr__(dataset, "_ties_by_place", entry["ties_by_place"])
    return dataset


class UnsafeCacheFolder(CacheUnavailable):
    """A cache folder that someone else could write (or read the key of): never used."""


def _check_folder(folder: Path) -> None:
    """`UnsafeCacheFolder` unless `folder` (a link is followed) belongs to this user and no
    other user can write to it, nor rename it away: every folder above it belongs to this
    user or to root, and those that others may write to are sticky (``/tmp``)."""
    uid = os.geteuid()
    real = Path(os.path.realpath(folder))
    status = real.stat()
    if not stat.S_ISDIR(status.st_mode):
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder))
    if status.st_uid != uid:
        raise UnsafeCacheFolder(
            f"the cache folder {folder} belongs to another user (uid {status.st_uid}), who "
            "could plant entries in it; it is not used"
        )
    if status.st_mode & 0o022:
        raise UnsafeCacheFolder(
            f"the cache folder {folder} can be written by other users (mode "
            f"{stat.S_IMODE(status.st_mode):04o}); it is not used (chmod go-w it, or set "
            f"${CACHE_ENV} to a folder of your own)"
        )
    for above in real.parents:
        status = above.stat()
        if status.st_uid not in (0, uid):
            raise UnsafeCacheFolder(
                f"the folder {above} above the cache folder belongs to another user (uid "
                f"{status.st_uid}), who could replace the cache folder; it is not used"
            )
        if status.st_mode & 0o022 and not status.st_mode & stat.S_ISVTX:
            raise UnsafeCacheFolder(
                f"the folder {above} above the cache folder can be written by other users "
                f"(mode {stat.S_IMODE(status.st_mode):04o}, not sticky), who could replace the "
                "cache folder; it is not used"
            )


def _prepare_folder(folder: Path) -> None:
    """Create the cache folder (0700) if it is missing, and check it (`_check_folder`)."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except FileExistsError:  # a file (or a dangling link) in its place
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder)) from None
    _check_folder(folder)


def _private_file(folder: Path, name: str, data: bytes, *, keep_existing: bool = False) -> None:
    """Write `folder/name` as a new file of mode 0600: a temporary file (created exclusively,
    never through a link) renamed onto the name, so whatever was there (a planted link
    too) is replaced, never written through. With `keep_existing`, an existing file stays
    (FileExistsError)."""
    handle, name_made = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
    temporary = Path(name_made)
    try:
        os.fchmod(handle, 0o600)
        _fill(handle, data)
        if keep_existing:
            os.link(temporary, folder / name, follow_symlinks=False)
            temporary.unlink()
        else:
            temporary.replace(folder / name)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    finally:
        with contextlib.suppress(OSError):
            os.close(handle)


def _fill(handle: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(handle, view) :]


def _secret(folder: Path) -> bytes:
    """The user's secret key, from the cache folder's ``key``; made (32 random bytes, 0600)
    when it is missing, and made anew when it is not a private regular file of this user's
    (a key others could read no longer proves anything)."""
    path = folder / KEY_FILE
    for _attempt in range(3):
        try:
            handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except FileNotFoundError:
            with contextlib.suppress(FileExistsError):  # another run made it meanwhile
                _private_file(folder, KEY_FILE, secrets.token_bytes(KEY_BYTES), keep_existing=True)
            continue
        except OSError as error:
            if error.errno not in (errno.ELOOP, errno.ENXIO, errno.EISDIR):
                raise
            _clear_entry(path)  # a link, a socket, a folder: not a key
            continue
        with os.fdopen(handle, "rb") as file:
            status = os.fstat(file.fileno())
            key = file.read(KEY_BYTES + 1) if stat.S_ISREG(status.st_mode) else b""
        if (
            stat.S_ISREG(status.st_mode)
            and status.st_uid == os.geteuid()
            and not status.st_mode & 0o077
            and len(key) == KEY_BYTES
        ):
            return key
        _clear_entry(path)
    raise OSError(errno.EEXIST, f"cannot make a key in {folder}")


def seal(secret: bytes, key: str, payload: bytes) -> bytes:
    """An entry's bytes: `MAGIC`, the HMAC-SHA-256 of the key and the payload, the payload."""
    mac = hmac.new(secret, MAGIC + key.encode() + b"\0" + payload, hashlib.sha256).digest()
    return MAGIC + mac + payload


def unseal(secret: bytes, key: str, data: bytes) -> bytes:
    """The payload of an entry sealed with `secret` for `key`; ValueError for anything else
    (another user's, another key's, a changed byte): such bytes are never unpickled."""
    if not data.startswith(MAGIC):
        raise ValueError("it is not a signed cache entry")
    mac, payload = data[len(MAGIC) : len(MAGIC) + 32], data[len(MAGIC) + 32 :]
    expected = hmac.new(secret, MAGIC + key.encode() + b"\0" + payload, hashlib.sha256).digest()
    if not hmac.compare_digest(mac, expected):
        raise ValueError("its signature is not this user's: it was not written by this user")
    return payload


def _read_entry(path: Path) -> bytes | None:
    """The bytes of a cache entry; None when there is none (the first run). A FIFO, a device
    or a symbolic link in its place is OSError, never read (a FIFO would block forever)."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise OSError(f"{path} is a symbolic link") from None
        raise
    with os.fdopen(handle, "rb") as entry:
        mode = os.fstat(entry.fileno()).st_mode
        if not stat.S_ISREG(mode):
            kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
            raise OSError(f"{path} is {kind}")
        return entry.read()


def _clear_entry(path: Path) -> None:
    """Make room for a new entry where something else is: a FIFO, a link, an empty folder."""
    with contextlib.suppress(OSError):
        if path.is_dir() and not path.is_symlink():
            path.rmdir()
        elif path.exists() or path.is_symlink():
            path.unlink()


class _Warnings:
    """What the cache says about its problems: the first one only (one warning a run)."""

    def __init__(self, say: Callable[[str], None] | None):
        self.say = say
        self.said = False

    def __call__(self, message: str) -> None:
        if not self.said:
            self.said = True
            (self.say or _to_stderr)(message)


def _to_stderr(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


class _Place:
    """Where an entry goes: its path, its key, the secret that signs it, the digests of the
    files the key was computed from."""

    def __init__(self, path: Path, key: str, secret: bytes, contents: dict[tuple[int, int], bytes]):
        self.path, self.key, self.secret, self.contents = path, key, secret, contents


def load_cached(
    paths: DataPaths,
    *,
    use_cache: bool = True,
    on_rebuild: Callable[[], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> Dataset:
    """`load_layers`, answered from the cache when the data and the code are unchanged;
    `on_rebuild` is called before the data is read afresh to build an entry.

    The cache is a convenience, never a failure: any problem with it (no home folder, a file
    where the folder should be, a folder others can write, an unreadable, damaged or foreign
    entry, a read-only folder, a full disk) parses the data instead, says so once through
    `on_warning` (stderr by default), and the entry is written anew where it can be."""
    if not use_cache:
        return load_layers(paths)
    files, problems = data_files(paths)
    if problems:
        return load_layers(paths)  # reports the missing paths
    try:
        key, contents = _fingerprint(files)
    except (OSError, FileRefused):  # the loader reports it
        return load_layers(paths)
    warn = _Warnings(on_warning)
    try:
        folder = cache_dir()
        _prepare_folder(folder)
    except CacheUnavailable as error:
        warn(f"no cache of parsed data: {error}; the data is parsed each time")
        return load_layers(paths)
    except OSError as error:
        warn(f"the cache of parsed data cannot be written ({_reason(error)}) in {folder}")
        return load_layers(paths)
    path = folder / f"{key}.pickle"
    try:
        secret = _secret(folder)
    except OSError as error:
        warn(f"the cache of parsed data cannot be written ({_reason(error)}) in {folder}")
        return load_layers(paths)
    place = _Place(path, key, secret, contents)
    try:
        data = _read_entry(path)
        if data is not None:
            payload = unseal(secret, key, data)  # before any unpickling
            with no_garbage_collection():
                entry = _check_entry(pickle.loads(payload), key)
            return _dataset(entry, _Repairer(paths, place, warn))
    except Exception as error:  # unreadable or damaged (any error unpickling): rebuild it
        warn(f"the cache entry {path} cannot be used ({_reason(error)}); the data is parsed again")
        _clear_entry(path)
    if on_rebuild is not None:
        on_rebuild()
    return _parse(paths, place, warn)


def _parse(paths: DataPaths, place: _Place, warn: Callable[[str], None]) -> Dataset:
    """Parse the data and write its entry, if the files the parse read are the ones the key
    was computed from (else a file changed meanwhile: no entry, said so)."""
    with recorded_reads() as reads:
        dataset = load_layers(paths)
    if any(reads.get(file, {digest}) != {digest} for file, digest in place.contents.items()):
        warn(
            "a data file changed while it was read; the answer is from what was read, and "
            "it is not cached"
        )
        return dataset
    _write_entry(place, dataset, warn)
    return dataset


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    text = " ".join(str(error).split())[:200]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _write_entry(place: _Place, dataset: Dataset, warn: Callable[[str], None]) -> None:
    path = place.path
    try:
        entry = cache_entry(dataset)
        object.__setattr__(dataset, "_ties_by_place", entry["ties_by_place"])  # built once
        payload = pickle.dumps((place.key, FORMAT, entry), protocol=pickle.HIGHEST_PROTOCOL)
        if path.is_dir() and not path.is_symlink():
            _clear_entry(path)
        _private_file(path.parent, path.name, seal(place.secret, place.key, payload))
    except (OSError, SisterCitiesError) as error:
        cause = error.__cause__ if isinstance(error.__cause__, OSError) else error
        warn(f"the cache of parsed data cannot be written ({_reason(cause)}) in {path.parent}")


class _Repairer:
    """Called when a batch of an entry turns out damaged: warns, parses the data once, writes
    the entry anew and gives the fresh sections."""

    def __init__(self, paths: DataPaths, place: _Place, warn: Callable[[str], None]):
        self.paths, self.place, self.warn = paths, place, warn
        self.fresh: Dataset | None = None

    def __call__(self, section: str) -> Mapping[str, Any]:
        if self.fresh is None:
            self.warn(f"the cache entry {self.place.path} is damaged; the data is parsed again")
            _clear_entry(self.place.path)
            self.fresh = _parse(self.paths, self.place, self.warn)
        fresh_section: Mapping[str, Any] = getattr(self.fresh, section)
        return fresh_section
