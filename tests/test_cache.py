"""The cache of parsed data (issue 4), and the fast start it gives: a question imports no RDF
or visualisation library."""

from __future__ import annotations

import dataclasses
import errno
import os
import pickle
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sistercities
import sistercities.atomic
import sistercities.cache
from click.testing import Result
from helpers import DATA, ROOT, TWINS, invoke, partner_rows, run_cli, run_script
from sistercities.load import data_files


def entry_payload(entry: Path) -> Any:
    """What a cache entry holds, unpickled (once its signature is checked)."""
    secret = sistercities.cache._secret(entry.parent)
    key = entry.stem
    return pickle.loads(sistercities.cache.unseal(secret, key, entry.read_bytes()))


def write_entry(entry: Path, stored: Any) -> None:
    """Write an entry signed with the user's own key (as the cache would)."""
    secret = sistercities.cache._secret(entry.parent)
    entry.write_bytes(sistercities.cache.seal(secret, entry.stem, pickle.dumps(stored)))


def entries_and_temporaries(folder: Path) -> list[Path]:
    """What the cache folder holds but its key."""
    return [p for p in folder.iterdir() if p.name != sistercities.cache.KEY_FILE]


def cached_invoke(*args: str, data: Path) -> Result:
    """Run the command line in-process, using the cache."""
    return run_cli(["--data", str(data), *args])


# ---------------------------------------------------------------------------------------------
# the cache


def test_a_second_run_is_answered_from_the_cache(
    cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "cities.yaml"
    data.write_bytes(DATA.read_bytes())
    first = cached_invoke("partners", "jakarta", "--format", "json", data=data)
    assert first.exit_code == 0, first.output
    entries = list(cache_dir.glob("*.pickle"))
    assert len(entries) == 1

    def must_not_parse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the data was parsed again instead of read from the cache")

    monkeypatch.setattr(sistercities.cache, "load_layers", must_not_parse)
    second = cached_invoke("partners", "jakarta", "--format", "json", data=data)
    assert second.exit_code == 0, second.output
    assert second.stdout == first.stdout
    assert list(cache_dir.glob("*.pickle")) == entries


def test_the_cache_is_what_answers(cache_dir: Path, tmp_path: Path) -> None:
    """A planted entry under the right key is believed (so the cache is read) — and ignored
    with --no-cache."""
    data = tmp_path / "twins.yaml"
    data.write_bytes(TWINS.read_bytes())
    dataset = sistercities.load_dataset(data)
    lyon = dataclasses.replace(dataset.places["lyon"], name="Planted Lyon")
    planted = dataclasses.replace(dataset, places={**dataset.places, "lyon": lyon})
    files, problems = data_files([data])
    assert not problems
    key = sistercities.cache.cache_key(files)
    cache_dir.mkdir(parents=True)
    entry = sistercities.cache.cache_entry(planted)
    write_entry(cache_dir / f"{key}.pickle", (key, sistercities.cache.FORMAT, entry))

    cached = cached_invoke("partners", "kyiv", "--format", "json", data=data)
    assert [r["name"] for r in partner_rows(cached.stdout)] == [
        "Casablanca",
        "Planted Lyon",
        "Casablanca",
    ]
    fresh = invoke("partners", "kyiv", "--format", "json", data=data)
    assert [r["name"] for r in partner_rows(fresh.stdout)] == ["Casablanca", "Lyon", "Casablanca"]


@pytest.mark.parametrize(
    "keep_size_and_mtime", [False, True], ids=["edited", "same-size-same-mtime"]
)
def test_changing_the_data_gives_the_new_answer(
    cache_dir: Path, tmp_path: Path, keep_size_and_mtime: bool
) -> None:
    data = tmp_path / "twins.yaml"
    data.write_bytes(TWINS.read_bytes())
    before = cached_invoke("partners", "kyiv", "--format", "json", data=data)
    assert "Lyon" in [r["name"] for r in partner_rows(before.stdout)]
    stat = data.stat()
    text = data.read_text(encoding="utf-8")
    if keep_size_and_mtime:
        data.write_text(text.replace("name: Lyon", "name: Lyom"), encoding="utf-8")
        os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        assert data.stat().st_size == stat.st_size
        assert data.stat().st_mtime_ns == stat.st_mtime_ns
        new_name = "Lyom"
    else:
        data.write_text(text.replace("name: Lyon", "name: Lugdunum"), encoding="utf-8")
        os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
        new_name = "Lugdunum"
    after = cached_invoke("partners", "kyiv", "--format", "json", data=data)
    assert after.exit_code == 0, after.output
    assert [r["name"] for r in partner_rows(after.stdout)] == ["Casablanca", new_name, "Casablanca"]
    # and a third run is answered from the new entry, with the new answer
    again = cached_invoke("partners", "kyiv", "--format", "json", data=data)
    assert again.stdout == after.stdout


@pytest.mark.parametrize(
    "garbage",
    [b"\x00\xffgarbage bytes \x80\x04", b"", pickle.dumps(("not the key", None)), pickle.dumps(42)],
    ids=["garbage", "empty", "wrong-key", "wrong-type"],
)
def test_a_corrupt_cache_entry_is_rebuilt_with_one_warning(
    cache_dir: Path, tmp_path: Path, garbage: bytes
) -> None:
    data = tmp_path / "cities.yaml"
    data.write_bytes(DATA.read_bytes())
    first = cached_invoke("common", "jakarta", "istanbul", data=data)
    (entry,) = cache_dir.glob("*.pickle")
    entry.write_bytes(garbage)
    second = cached_invoke("common", "jakarta", "istanbul", data=data)
    assert second.exit_code == 0, second.output
    assert warning_lines(second.stderr) == 1
    assert second.stdout == first.stdout
    key, cache_format, stored = entry_payload(entry)  # rewritten, whole again
    assert entry.stem == key and cache_format == sistercities.cache.FORMAT
    assert set(stored["sections"]) == set(sistercities.Dataset.SECTIONS)


@pytest.mark.slow
def test_a_corrupt_cache_entry_is_rebuilt_by_the_script(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = run_script("partners", "jakarta", "--format", "csv", cache=cache)
    for entry in cache.glob("*.pickle"):
        entry.write_bytes(os.urandom(512))
    second = run_script("partners", "jakarta", "--format", "csv", cache=cache)
    assert second.returncode == 0
    assert warning_lines(second.stderr) == 1
    assert second.stdout == first.stdout
    third = run_script("partners", "jakarta", "--format", "csv", cache=cache)
    assert third.stderr == ""  # repaired


def test_no_cache_neither_reads_nor_writes_the_cache(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_cache_please(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("--no-cache touched the cache")

    monkeypatch.setattr(sistercities.cache, "cache_key", no_cache_please)
    monkeypatch.setattr(sistercities.cache, "cache_dir", no_cache_please)
    result = invoke("partners", "jakarta", "--format", "json")
    assert result.exit_code == 0, result.output
    assert len(partner_rows(result.stdout)) == 28
    assert not cache_dir.exists()


@pytest.mark.slow
def test_no_cache_by_the_script_and_by_the_environment(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    flag = run_script("--no-cache", "partners", "jakarta", cache=cache)
    by_env = run_script("partners", "jakarta", cache=cache, env={"SISTERCITIES_NO_CACHE": "1"})
    assert flag.returncode == by_env.returncode == 0
    assert flag.stdout == by_env.stdout
    assert not cache.exists() or not any(cache.iterdir())


# ---------------------------------------------------------------------------------------------
# the cache is a convenience, never a failure (issue 16): one warning, the right answer


def warning_lines(stderr: str) -> int:
    """The number of lines of stderr, each of which must be a warning."""
    lines = stderr.splitlines()
    assert all(line.startswith("warning: ") for line in lines), stderr
    return len(lines)


KYIV = ["Casablanca", "Lyon", "Casablanca"]


def ask_kyiv(data: Path) -> Result:
    return cached_invoke("partners", "kyiv", "--format", "json", data=data)


def assert_answered_with_one_warning(result: Result, mention: str) -> None:
    assert result.exit_code == 0, result.output
    assert [r["name"] for r in partner_rows(result.stdout)] == KYIV
    assert warning_lines(result.stderr) == 1
    assert mention in result.stderr
    assert "Traceback" not in result.output


@pytest.fixture
def twins(tmp_path: Path) -> Path:
    data = tmp_path / "twins.yaml"
    data.write_bytes(TWINS.read_bytes())
    return data


@pytest.mark.parametrize("where", ["folder", "parent"])
def test_a_file_in_place_of_the_cache_folder(
    twins: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("the user's own file\n")
    folder = blocker if where == "folder" else blocker / "cache"
    monkeypatch.setenv("SISTERCITIES_CACHE_DIR", str(folder))
    monkeypatch.delenv("SISTERCITIES_NO_CACHE", raising=False)
    for _ in range(2):  # every run: the answer, one warning; the file is left alone
        assert_answered_with_one_warning(ask_kyiv(twins), "Not a directory")
    assert blocker.read_text() == "the user's own file\n"


@pytest.mark.parametrize("home", ["unset", "empty", "relative", "missing", "a-file"])
def test_no_usable_home_folder(
    twins: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, home: str
) -> None:
    for name in ("SISTERCITIES_CACHE_DIR", "XDG_CACHE_HOME", "SISTERCITIES_NO_CACHE"):
        monkeypatch.delenv(name, raising=False)
    here = tmp_path / "cwd"
    here.mkdir()
    monkeypatch.chdir(here)
    (tmp_path / "a-file").write_text("")
    if home == "unset":
        monkeypatch.delenv("HOME", raising=False)

        def no_user(uid: int) -> Any:
            raise KeyError(uid)

        monkeypatch.setattr(sistercities.cache.pwd, "getpwuid", no_user)
    else:
        values = {"empty": "", "relative": "home", "missing": str(tmp_path / "nowhere")}
        monkeypatch.setenv("HOME", values.get(home, str(tmp_path / "a-file")))
    mention = {"unset": "no home folder", "empty": "not an absolute path"}
    mention.update(relative="not an absolute path", missing="is not a folder")
    assert_answered_with_one_warning(ask_kyiv(twins), mention.get(home, "is not a folder"))
    assert list(here.iterdir()) == []  # nothing written where the user happens to be
    assert not (tmp_path / "nowhere").exists()  # a home folder is never created


def fail_to_create(error: int) -> Any:
    def mkstemp(*args: Any, **kwargs: Any) -> Any:
        raise OSError(error, os.strerror(error))

    return mkstemp


def test_a_read_only_cache_folder(
    cache_dir: Path, twins: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_dir.mkdir(parents=True)
    cache_dir.chmod(0o555)
    try:
        with monkeypatch.context() as patch:
            if os.geteuid() == 0:  # root writes anywhere: the refusal is simulated
                patch.setattr(sistercities.atomic.tempfile, "mkstemp", fail_to_create(errno.EACCES))
            assert_answered_with_one_warning(ask_kyiv(twins), "cannot be written")
    finally:
        cache_dir.chmod(0o755)
    assert entries_and_temporaries(cache_dir) == []
    again = ask_kyiv(twins)  # writable again: the entry is written, silently
    assert again.exit_code == 0 and again.stderr == ""
    assert len(list(cache_dir.glob("*.pickle"))) == 1


def test_a_full_disk(cache_dir: Path, twins: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fill = sistercities.cache._fill

    def full_disk(handle: int, data: bytes) -> None:
        if len(data) > sistercities.cache.KEY_BYTES:  # the key fits, the entry does not
            fill(handle, data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        fill(handle, data)

    with monkeypatch.context() as patch:
        patch.setattr(sistercities.cache, "_fill", full_disk)
        assert_answered_with_one_warning(ask_kyiv(twins), "No space left on device")
    assert entries_and_temporaries(cache_dir) == []  # no entry, no temporary file left behind
    assert ask_kyiv(twins).stderr == ""
    assert len(list(cache_dir.glob("*.pickle"))) == 1


def _truncated(entry: Path) -> None:
    entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2])


def _rewrite_batches(entry: Path, batch: bytes) -> None:
    """Keep the entry intact but every batch of its places."""
    key, cache_format, stored = entry_payload(entry)
    places = stored["sections"]["places"]
    places["batches"] = [batch for _ in places["batches"]]
    write_entry(entry, (key, cache_format, stored))


def _other_format(entry: Path) -> None:
    key, _format, stored = entry_payload(entry)
    write_entry(entry, (key, sistercities.cache.FORMAT - 1, stored))


def _replace(entry: Path, make: Any) -> None:
    entry.unlink()
    make(entry)


DAMAGE = {
    "truncated": _truncated,
    "unpickling-error-in-a-batch": lambda e: _rewrite_batches(e, b"\x80\x05garbage"),
    "wrong-type-in-a-batch": lambda e: _rewrite_batches(e, pickle.dumps({"kyiv": "a string"})),
    "a-batch-that-is-no-mapping": lambda e: _rewrite_batches(e, pickle.dumps(["kyiv"])),
    "fifo": lambda e: _replace(e, os.mkfifo),
    "folder": lambda e: _replace(e, Path.mkdir),
    "link-to-dev-zero": lambda e: _replace(e, lambda p: p.symlink_to("/dev/zero")),
    "other-format-version": _other_format,
    "future-pickle-protocol": lambda e: e.write_bytes(b"\x80\x09" + e.read_bytes()[2:]),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_entry_warns_once_and_the_next_run_repairs_it(
    cache_dir: Path, twins: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    assert ask_kyiv(twins).exit_code == 0
    (entry,) = cache_dir.glob("*.pickle")
    DAMAGE[damage](entry)

    def blocked(signum: int, frame: Any) -> None:
        raise TimeoutError("the question blocked on the cache entry")

    previous = signal.signal(signal.SIGALRM, blocked)
    signal.alarm(20)  # a FIFO (or /dev/zero) read would never end: fail instead
    try:
        assert_answered_with_one_warning(ask_kyiv(twins), "the data is parsed again")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert entry.is_file() and not entry.is_symlink()

    def must_not_parse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the entry was not repaired: the data was parsed again")

    monkeypatch.setattr(sistercities.cache, "load_layers", must_not_parse)
    repaired = ask_kyiv(twins)
    assert repaired.exit_code == 0 and repaired.stderr == "", repaired.output
    assert [r["name"] for r in partner_rows(repaired.stdout)] == KYIV


# ---------------------------------------------------------------------------------------------
# fast start: a question imports no RDF or visualisation library

HEAVY = {"rdflib", "pyvis", "pyshacl", "pyoxigraph"}


def imported_packages(stderr: str) -> set[str]:
    """Top-level packages named in `python -X importtime` lines."""
    names = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":
                names.add(name.split(".")[0])
    return names


@pytest.mark.slow
def test_a_question_imports_no_rdf_library(tmp_path: Path) -> None:
    program = (
        "import sys; from sistercities import cli; "
        "sys.argv = ['sistercities', 'partners', 'jakarta', '--format', 'json']; "
        "cli.main()"
    )
    for run in ("cold", "warm"):
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", program],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "SISTERCITIES_CACHE_DIR": str(tmp_path)},
            check=False,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        assert len(partner_rows(result.stdout)) >= 22  # the world layers add ties
        packages = imported_packages(result.stderr)
        assert {"click", "sistercities"} <= packages, run  # the parsing works
        assert not packages & HEAVY, f"{run} run imported {sorted(packages & HEAVY)}"


# ---------------------------------------------------------------------------------------------
# the cache is no way in (issue 23): entries are believed only when signed with the user's key,
# in a folder only the user can write; written 0600, never through a link


def _planted_code(marker: Path) -> bytes:
    """A pickle that runs a shell command when it is loaded."""

    class Payload:
        def __reduce__(self) -> Any:
            return (os.system, (f"touch {marker}",))

    return pickle.dumps(Payload())


def _entry_path(cache_dir: Path, data: Path) -> Path:
    files, problems = data_files([data])
    assert not problems
    return cache_dir / f"{sistercities.cache.cache_key(files)}.pickle"


@pytest.mark.parametrize("how", ["bare-pickle", "magic-without-key", "other-users-key"])
def test_a_planted_entry_never_runs_and_is_never_believed(
    cache_dir: Path, twins: Path, tmp_path: Path, how: str
) -> None:
    marker = tmp_path / "pwned"
    entry = _entry_path(cache_dir, twins)
    cache_dir.mkdir(parents=True, mode=0o700)
    key = entry.stem
    code = _planted_code(marker)
    dataset = sistercities.load_dataset(twins)
    lyon = dataclasses.replace(dataset.places["lyon"], name="Planted Lyon")
    planted = pickle.dumps(
        (
            key,
            sistercities.cache.FORMAT,
            sistercities.cache.cache_entry(
                dataclasses.replace(dataset, places={**dataset.places, "lyon": lyon})
            ),
        )
    )
    if how == "bare-pickle":
        entry.write_bytes(code)
    elif how == "magic-without-key":
        entry.write_bytes(sistercities.cache.MAGIC + b"\0" * 32 + code)
    else:  # a well-formed entry, signed with a key that is not this user's
        entry.write_bytes(sistercities.cache.seal(os.urandom(32), key, planted))
    assert_answered_with_one_warning(ask_kyiv(twins), "cannot be used")
    assert not marker.exists()
    again = ask_kyiv(twins)  # the entry was replaced by the user's own
    assert again.stderr == "" and [r["name"] for r in partner_rows(again.stdout)] == KYIV


def test_an_entry_signed_under_another_key_name_is_not_believed(
    cache_dir: Path, twins: Path
) -> None:
    """An entry of the user's own, copied under another key's name, is another entry."""
    assert ask_kyiv(twins).exit_code == 0
    (entry,) = cache_dir.glob("*.pickle")
    other = cache_dir / ("0" * 64 + ".pickle")
    other.write_bytes(entry.read_bytes())
    with pytest.raises(ValueError, match="signature"):
        sistercities.cache.unseal(
            sistercities.cache._secret(cache_dir), other.stem, other.read_bytes()
        )


NOBODY = 65534


@pytest.mark.skipif(os.geteuid() != 0, reason="making a folder another user's needs root")
@pytest.mark.parametrize("case", ["others-folder", "world-writable", "parent-world-writable"])
def test_a_folder_others_can_write_is_not_used(
    tmp_path: Path, twins: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    folder = shared / "cache"
    folder.mkdir(mode=0o700)
    if case == "others-folder":
        os.chown(folder, NOBODY, NOBODY)
        mention = "belongs to another user"
    elif case == "world-writable":
        folder.chmod(0o777)
        mention = "can be written by other users"
    else:
        shared.chmod(0o777)  # not sticky: anyone may rename the cache folder away
        mention = "can be written by other users"
    monkeypatch.setenv("SISTERCITIES_CACHE_DIR", str(folder))
    monkeypatch.delenv("SISTERCITIES_NO_CACHE", raising=False)
    for _ in range(2):
        assert_answered_with_one_warning(ask_kyiv(twins), mention)
    assert list(folder.iterdir()) == []  # nothing read, nothing written there


@pytest.mark.skipif(os.geteuid() != 0, reason="making a folder another user's needs root")
def test_a_users_own_folder_in_a_sticky_shared_folder_is_used(
    tmp_path: Path, twins: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    monkeypatch.setenv("SISTERCITIES_CACHE_DIR", str(shared / "cache"))
    monkeypatch.delenv("SISTERCITIES_NO_CACHE", raising=False)
    first = ask_kyiv(twins)
    assert first.exit_code == 0 and first.stderr == ""
    assert stat_mode(shared / "cache") == 0o700
    assert ask_kyiv(twins).stderr == ""


def stat_mode(path: Path) -> int:
    return path.lstat().st_mode & 0o7777


def test_entries_and_the_key_are_private_whatever_the_umask(cache_dir: Path, twins: Path) -> None:
    twins.chmod(0o600)
    previous = os.umask(0)
    try:
        assert ask_kyiv(twins).exit_code == 0
    finally:
        os.umask(previous)
    (entry,) = cache_dir.glob("*.pickle")
    assert stat_mode(entry) == 0o600
    assert stat_mode(cache_dir / sistercities.cache.KEY_FILE) == 0o600
    assert stat_mode(cache_dir) == 0o700


@pytest.mark.parametrize("where", ["entry", "key"])
def test_a_planted_link_is_replaced_never_written_through(
    cache_dir: Path, twins: Path, tmp_path: Path, where: str
) -> None:
    victim = tmp_path / "victims-file"
    victim.write_text("the user's own words\n")
    cache_dir.mkdir(mode=0o700)
    link = (
        _entry_path(cache_dir, twins)
        if where == "entry"
        else cache_dir / sistercities.cache.KEY_FILE
    )
    link.symlink_to(victim)
    result = ask_kyiv(twins)
    assert result.exit_code == 0 and [r["name"] for r in partner_rows(result.stdout)] == KYIV
    assert victim.read_text() == "the user's own words\n"
    assert not link.is_symlink() and link.is_file()
    assert ask_kyiv(twins).stderr == ""  # answered from the cache now


def test_a_key_others_could_read_is_made_anew(cache_dir: Path, twins: Path) -> None:
    assert ask_kyiv(twins).exit_code == 0
    key = cache_dir / sistercities.cache.KEY_FILE
    old = key.read_bytes()
    key.chmod(0o644)
    assert_answered_with_one_warning(ask_kyiv(twins), "cannot be used")
    assert key.read_bytes() != old and stat_mode(key) == 0o600
    assert ask_kyiv(twins).stderr == ""


def test_a_file_changed_while_it_is_parsed_is_not_cached(
    cache_dir: Path, twins: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Changed between the key's hashing and the parse, then restored with its mtime: what
    was parsed must not be stored under the key of the restored file."""
    real_load = sistercities.cache.load_layers
    original = twins.read_bytes()
    status = twins.stat()

    def swap_while_parsing(paths: Any) -> Any:
        twins.write_bytes(original.replace(b"name: Lyon", b"name: Lyom"))
        try:
            return real_load(paths)
        finally:
            twins.write_bytes(original)
            os.utime(twins, ns=(status.st_atime_ns, status.st_mtime_ns))

    with monkeypatch.context() as patch:
        patch.setattr(sistercities.cache, "load_layers", swap_while_parsing)
        changed = ask_kyiv(twins)
    assert changed.exit_code == 0
    assert "changed while it was read" in changed.stderr
    assert list(cache_dir.glob("*.pickle")) == []
    after = ask_kyiv(twins)
    assert [r["name"] for r in partner_rows(after.stdout)] == KYIV
