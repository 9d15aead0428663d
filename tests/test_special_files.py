"""Special files where data files belong: a FIFO, a character device, a socket, a symlink loop,
a link to a FIFO inside a data folder, a file nobody may read. Only regular files (and folders
of them) are read: everything else is one clear error naming the path, exit 1, at once.

Every case runs the installed command as a real process with a timeout, so a regression (an
open that waits for a FIFO's writer, a read of /dev/zero that never ends) fails instead of
hanging the suite.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import MINIMAL, SCRIPT
from sistercities.files import FileRefused, read_regular_file
from sistercities.yamltree import read_yaml_file

TIMEOUT = 20  # seconds; each run takes well under one


@pytest.fixture(scope="module")
def specials(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder of special files (the socket stays bound while the tests run)."""
    root = tmp_path_factory.mktemp("specials")
    os.mkfifo(root / "fifo.yaml")
    (root / "loop-a.yaml").symlink_to(root / "loop-b.yaml")
    (root / "loop-b.yaml").symlink_to(root / "loop-a.yaml")
    folder = root / "folder-with-fifo"
    folder.mkdir()
    shutil.copy(MINIMAL, folder / "cities.yaml")
    os.mkfifo(folder / "layer.yaml")
    linked = root / "folder-with-link"
    linked.mkdir()
    shutil.copy(MINIMAL, linked / "cities.yaml")
    (linked / "layer.yaml").symlink_to(root / "fifo.yaml")
    ignored = root / "folder-with-other-fifo"
    ignored.mkdir()
    shutil.copy(MINIMAL, ignored / "cities.yaml")
    os.mkfifo(ignored / "notes.txt")  # not a data file's name: not read, not an error
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    os.chdir(root)  # a unix socket's path is limited to ~100 bytes: bind it relatively
    try:
        server.bind("socket.yaml")
    finally:
        os.chdir(Path(__file__).parent.parent)
    server.listen(1)
    yield root
    server.close()


def run(specials: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SISTERCITIES_CACHE_DIR": str(specials / "cache")}
    env.pop("SISTERCITIES_DATA", None)
    return subprocess.run(
        [str(SCRIPT), *args],
        cwd=specials,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        stdin=subprocess.PIPE,  # /dev/stdin is a pipe
        env=env,
        check=False,
    )


# name given to --data, the path named in the message, what the message says it is
DATA_CASES = {
    "fifo": ("fifo.yaml", "fifo.yaml", "a FIFO"),
    "dev-zero": ("/dev/zero", "/dev/zero", "a character device"),
    "dev-null": ("/dev/null", "/dev/null", "a character device"),
    "dev-stdin": ("/dev/stdin", "/dev/stdin", "a FIFO"),
    "socket": ("socket.yaml", "socket.yaml", "a socket"),
    "symlink-loop": ("loop-a.yaml", "loop-a.yaml", "a symlink loop"),
    "folder-holding-a-fifo": ("folder-with-fifo", "folder-with-fifo/layer.yaml", "a FIFO"),
    "folder-holding-a-link-to-a-fifo": (
        "folder-with-link",
        "folder-with-link/layer.yaml",
        "a FIFO",
    ),
}
COMMANDS = {
    "validate": ("validate",),
    "question": ("partners", "x"),
    "build": ("build", "--out", "out-{case}"),
}


def _is_one_clear_error(result: subprocess.CompletedProcess[str], path: str, what: str) -> None:
    """Exit 1, the problem naming the path and what it is (validate reports on stdout, every
    other command on stderr, with nothing on stdout), no traceback."""
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    validating = result.args[-1] == "validate"
    told = result.stdout if validating else result.stderr
    assert f"{path}: error[not-a-file]: {what}" in told, result.stdout + result.stderr
    assert validating or result.stdout == "", result.stdout


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("case", sorted(DATA_CASES))
@pytest.mark.slow  # real processes, one a file
def test_a_special_file_as_data_is_one_clear_error(specials: Path, case: str, command: str) -> None:
    given, path, what = DATA_CASES[case]
    args = [a.format(case=case) for a in COMMANDS[command]]
    result = run(specials, "--data", given, *args)
    _is_one_clear_error(result, path, what)
    if command == "build":
        out = specials / f"out-{case}"
        assert not out.exists() or not any(out.iterdir()), "build wrote files"


@pytest.mark.parametrize(
    "case", ["fifo", "dev-zero", "dev-stdin", "socket", "symlink-loop", "link-to-a-fifo"]
)
@pytest.mark.slow  # real processes, one a file
def test_a_special_file_as_an_import_source_is_one_clear_error(specials: Path, case: str) -> None:
    given, path, what = {
        **DATA_CASES,
        "link-to-a-fifo": (
            "folder-with-link/layer.yaml",
            "folder-with-link/layer.yaml",
            "a FIFO",
        ),
    }[case]
    out = specials / f"import-{case}.yaml"
    result = run(specials, "import", "wikipedia-csv", given, "-o", str(out))
    _is_one_clear_error(result, path, what)
    assert not out.exists()


def test_wikidata_labels_that_are_a_fifo_are_refused(specials: Path) -> None:
    pairs = specials / "pairs.tsv"
    pairs.write_text("Q1\tQ2\n", encoding="utf-8")
    out = specials / "labels-fifo.yaml"
    result = run(
        specials, "import", "wikidata", str(pairs), "--labels", "fifo.yaml", "-o", str(out)
    )
    _is_one_clear_error(result, "fifo.yaml", "a FIFO")
    assert not out.exists()


def test_a_fifo_in_a_folder_under_another_name_is_not_read(specials: Path) -> None:
    result = run(specials, "--data", "folder-with-other-fifo", "validate")
    assert result.returncode == 0, result.stderr


def test_a_file_nobody_may_read(specials: Path) -> None:
    """chmod 000 stops everyone but root: the file is then either refused (`unreadable`,
    permission denied) or, as root, read as the system allows."""
    locked = specials / "locked.yaml"
    shutil.copy(MINIMAL, locked)
    locked.chmod(0)
    try:
        result = run(specials, "--data", "locked.yaml", "validate")
        assert "Traceback" not in result.stderr
        if os.geteuid() == 0:
            assert result.returncode == 0, result.stderr
        else:
            assert result.returncode == 1
            assert "locked.yaml: error[unreadable]: Permission denied" in result.stderr
    finally:
        locked.chmod(0o644)


def test_the_descriptor_is_checked_not_only_the_path(specials: Path) -> None:
    """The readers check what they opened (a path swapped for a FIFO after a listing): the
    FIFO is refused at once, without a writer (a regression would block: a daemon thread
    with a timeout turns that into a failure)."""
    outcome: list[object] = []

    def read() -> None:
        try:
            read_regular_file(specials / "fifo.yaml")
        except FileRefused as refused:
            outcome.append(refused.problem.rule)
        outcome.append(read_yaml_file(specials / "fifo.yaml")[1][0].rule)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(TIMEOUT)
    assert outcome == ["not-a-file", "not-a-file"]


def test_a_file_over_the_limit_is_refused_on_its_descriptor(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * 101)
    with pytest.raises(FileRefused, match=r"file-too-large.*101 bytes; at most 100"):
        read_regular_file(big, limit=100)
    assert read_regular_file(big, limit=101) == b"#" * 101
