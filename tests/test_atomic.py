"""Atomic file writes (graph.atomic): a file is replaced whole or not at all."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sistercities.atomic import atomic_batch, write_atomic
from sistercities.errors import ExportError


def test_atomic_write_keeps_the_old_file_when_writing_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")

    def broken_replace(self: Path, other: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "replace", broken_replace)
    with pytest.raises(ExportError, match="No space left"):
        write_atomic(target, b"new")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


# ---------------------------------------------------------------------------------------------
# Writing through links: the file a link points to is replaced, the link is kept


def _leftovers(*folders: Path) -> list[str]:
    """Temporary or backup files left in `folders` (there must be none)."""
    return sorted(
        p.name for folder in folders for p in folder.iterdir() if p.name.endswith((".tmp", ".old"))
    )


def test_a_link_is_written_through_and_kept(tmp_path: Path) -> None:
    real_dir, link_dir = tmp_path / "real", tmp_path / "links"
    real_dir.mkdir()
    link_dir.mkdir()
    target = real_dir / "out.ttl"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    link = link_dir / "out.ttl"
    link.symlink_to(Path("..") / "real" / "out.ttl")
    write_atomic(link, b"new")
    assert link.is_symlink() and link.readlink() == Path("..") / "real" / "out.ttl"
    assert target.read_bytes() == b"new"
    assert target.stat().st_mode & 0o777 == 0o640
    assert _leftovers(real_dir, link_dir) == []


def test_a_chain_of_links_is_followed_to_the_file(tmp_path: Path) -> None:
    target = tmp_path / "file.csv"
    target.write_bytes(b"old")
    (tmp_path / "one.csv").symlink_to(target)
    (tmp_path / "two.csv").symlink_to(tmp_path / "one.csv")
    write_atomic(tmp_path / "two.csv", b"new")
    assert target.read_bytes() == b"new"
    assert (tmp_path / "one.csv").is_symlink() and (tmp_path / "two.csv").is_symlink()


def test_a_dangling_link_gets_its_target_written_when_the_folder_exists(tmp_path: Path) -> None:
    link = tmp_path / "out.nt"
    link.symlink_to(tmp_path / "not-yet.nt")
    write_atomic(link, b"new")
    assert link.is_symlink()
    assert (tmp_path / "not-yet.nt").read_bytes() == b"new"


def test_a_dangling_link_into_a_missing_folder_is_one_clear_error(tmp_path: Path) -> None:
    link = tmp_path / "out.nt"
    link.symlink_to(tmp_path / "missing" / "out.nt")
    with pytest.raises(ExportError, match=r"out\.nt: it is a link to .*missing/out\.nt, whose"):
        write_atomic(link, b"new")
    assert link.is_symlink() and not (tmp_path / "missing").exists()


def test_a_loop_of_links_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "a.ttl").symlink_to(tmp_path / "b.ttl")
    (tmp_path / "b.ttl").symlink_to(tmp_path / "a.ttl")
    with pytest.raises(ExportError, match=r"a\.ttl: it is a loop of symbolic links"):
        write_atomic(tmp_path / "a.ttl", b"new")
    with (
        pytest.raises(ExportError, match="loop"),
        atomic_batch() as batch,
        batch.open(tmp_path / "b.ttl") as out,
    ):
        out.write(b"new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.ttl", "b.ttl"]
    assert (tmp_path / "a.ttl").is_symlink() and (tmp_path / "b.ttl").is_symlink()


def test_a_fifo_is_never_replaced_by_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "out.ttl"
    os.mkfifo(fifo)
    (tmp_path / "link.ttl").symlink_to(fifo)
    for path in (fifo, tmp_path / "link.ttl"):
        with pytest.raises(ExportError, match="is not a regular file \\(a FIFO\\)"):
            write_atomic(path, b"new")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert _leftovers(tmp_path) == []


# ---------------------------------------------------------------------------------------------
# atomic_batch: all the files, or none


def _old_files(folder: Path, names: list[str]) -> dict[str, bytes]:
    folder.mkdir(exist_ok=True)
    for name in names:
        (folder / name).write_bytes(f"old {name}".encode())
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_a_batch_replaces_every_file_when_all_are_written(tmp_path: Path) -> None:
    _old_files(tmp_path, ["a.ttl", "b.nt"])
    with atomic_batch() as batch:
        for name in ("a.ttl", "b.nt", "c.csv"):
            with batch.open(tmp_path / name) as out:
                out.write(f"new {name}".encode())
            assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [
                "a.ttl",
                "b.nt",
            ]
            assert (tmp_path / "a.ttl").read_bytes() == b"old a.ttl"  # nothing renamed yet
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == {
        name: f"new {name}".encode() for name in ("a.ttl", "b.nt", "c.csv")
    }


@pytest.mark.parametrize("failure", [ExportError("the writer failed"), KeyboardInterrupt()])
def test_a_batch_failing_midway_leaves_every_old_file_as_it_was(
    tmp_path: Path, failure: BaseException
) -> None:
    before = _old_files(tmp_path, ["a.ttl", "b.nt", "c.csv"])
    with pytest.raises(type(failure)), atomic_batch() as batch:
        for name in ("a.ttl", "b.nt", "new.html", "c.csv"):
            with batch.open(tmp_path / name) as out:
                out.write(b"half")
                if name == "new.html":
                    raise failure
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_rename_failing_midway_puts_back_the_files_already_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _old_files(tmp_path, ["a.ttl", "b.nt", "c.csv"])
    real_replace = Path.replace
    renamed: list[str] = []

    def fail_the_fourth_rename(self: Path, destination: Path) -> Path:
        renamed.append(destination.name)
        if len(renamed) == 4:
            raise OSError(28, "No space left on device")
        return real_replace(self, destination)

    monkeypatch.setattr(Path, "replace", fail_the_fourth_rename)
    with pytest.raises(ExportError, match=r"c\.csv: No space left"), atomic_batch() as batch:
        for name in ("a.ttl", "new.json", "b.nt", "c.csv"):
            with batch.open(tmp_path / name) as out:
                out.write(b"new")
    assert renamed[:4] == ["a.ttl", "new.json", "b.nt", "c.csv"]  # then a.ttl, b.nt put back
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_folder_in_place_of_a_file_fails_the_batch_before_any_file_changes(
    tmp_path: Path,
) -> None:
    """A real file system condition: the last rename meets a folder."""
    before = _old_files(tmp_path, ["a.ttl", "b.nt"])
    (tmp_path / "z.html").mkdir()
    with pytest.raises(ExportError, match=r"z\.html: Is a directory"), atomic_batch() as batch:
        for name in ("a.ttl", "b.nt", "z.html"):
            with batch.open(tmp_path / name) as out:
                out.write(b"new")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before
    assert _leftovers(tmp_path) == []


def test_a_batch_writes_through_links(tmp_path: Path) -> None:
    real = tmp_path / "real"
    _old_files(real, ["a.ttl"])
    links = tmp_path / "links"
    links.mkdir()
    (links / "a.ttl").symlink_to(real / "a.ttl")
    with atomic_batch() as batch, batch.open(links / "a.ttl") as out:
        out.write(b"new")
    assert (links / "a.ttl").is_symlink() and (real / "a.ttl").read_bytes() == b"new"
    assert _leftovers(real, links) == []
