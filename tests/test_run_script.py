"""tests/run, the README's second Quick start line, on a machine without Debian's chromium, rapper
and virtuoso-t: it installs them as root or through `sudo -n`, and otherwise stops at once with
one message naming the packages and the command that installs them.

The programs are looked for in SISTERCITIES_TEST_BIN (an empty folder here); `id`, `sudo` and
`apt-get` are stand-ins on PATH that log how they were called, so nothing is installed.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from helpers import ROOT

RUN = ROOT / "tests" / "run"
PACKAGES = "chromium raptor2-utils virtuoso-opensource"


def stand_in(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(0o755)


def run(
    tmp_path: Path,
    *,
    uid: int,
    sudo: bool,
    present: tuple[str, ...] = (),
    installs: tuple[str, ...] = (),
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """tests/run with the programs but `present` missing; its result and the stand-ins' log.
    The stand-in apt-get "installs" the programs `installs`."""
    fake, programs, log = tmp_path / "fake", tmp_path / "bin", tmp_path / "log"
    fake.mkdir()
    programs.mkdir()
    log.touch()
    for program in present:
        stand_in(programs, program, "exit 0")
    stand_in(fake, "id", f"echo {uid}")
    sudo_body = f'echo "sudo $*" >> {log}; [ "$1" = -n ] && shift; exec "$@"'
    stand_in(fake, "sudo", sudo_body if sudo else f'echo "sudo $*" >> {log}; exit 1')
    creates = "".join(f"touch {programs / p}; chmod +x {programs / p}; " for p in installs)
    apt_get = f'echo "apt-get $*" >> {log}; case "$*" in *install*) {creates}:;; esac'
    stand_in(fake, "apt-get", apt_get)
    result = subprocess.run(
        [str(RUN), "--collect-only", "-q", "tests/test_dates.py"],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **os.environ,
            "PATH": f"{fake}:{os.environ['PATH']}",
            "SISTERCITIES_TEST_BIN": str(programs),
        },
        check=False,
    )
    return result, log.read_text(encoding="utf-8").splitlines()


def test_without_root_or_sudo_it_stops_at_once_naming_packages_and_command(
    tmp_path: Path,
) -> None:
    result, log = run(tmp_path, uid=1000, sudo=False)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"tests/run: the tests need Debian's packages {PACKAGES}, not installed here; "
        f"install them as root with: apt-get install {PACKAGES}"
    ]
    assert not any(line.startswith("apt-get") for line in log)


def test_as_root_it_installs_what_is_missing_and_checks_again(tmp_path: Path) -> None:
    result, log = run(tmp_path, uid=0, sudo=False, installs=("chromium", "rapper"))
    assert log == [
        "apt-get update -qq",
        f"apt-get install -y -qq {PACKAGES}",
    ]
    # the stand-in installed two of the three: it says which is still missing, runs no test
    assert result.returncode == 1
    assert "virtuoso-t is still missing" in result.stderr
    assert result.stdout == ""


def test_with_passwordless_sudo_it_installs_through_sudo(tmp_path: Path) -> None:
    result, log = run(tmp_path, uid=1000, sudo=True)
    assert log == [
        "sudo -n true",
        "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get update -qq",
        "apt-get update -qq",
        f"sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq {PACKAGES}",
        f"apt-get install -y -qq {PACKAGES}",
    ]
    assert result.returncode == 1
    assert "chromium is still missing" in result.stderr


def test_only_the_missing_packages_are_named(tmp_path: Path) -> None:
    result, _ = run(tmp_path, uid=1000, sudo=False, present=("chromium", "virtuoso-t"))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "tests/run: the tests need Debian's packages raptor2-utils, not installed here; "
        "install them as root with: apt-get install raptor2-utils"
    ]


@pytest.mark.slow
def test_with_every_program_there_it_runs_pytest_and_installs_nothing(tmp_path: Path) -> None:
    result, log = run(tmp_path, uid=1000, sudo=False, present=("chromium", "rapper", "virtuoso-t"))
    assert result.returncode == 0, result.stderr
    assert log == []
    assert "tests/test_dates.py" in result.stdout
