"""The fixtures the tests share (they need no import): `cache_dir`, an empty cache folder, and
`oxigraph`, one real Oxigraph server for the whole test session.

Paths and runners of the command line are in helpers.py (``from helpers import DATA, invoke``),
the real SPARQL stores in stores.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import stores

# Tests written before helpers.py imported these from here: they still can.
from helpers import (  # noqa: F401
    BIN,
    DATA,
    FIXTURES,
    GOLDEN_DIR,
    MINIMAL,
    ROOT,
    SCRIPT,
    TERMINAL,
    TEST_DATA,
    TWINS,
    WIKIPEDIA,
    as_json,
    failure,
    invoke,
    not_coverage_notes,
    ok,
    outcome,
    partner_rows,
    run_cli,
    run_script,
)


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache folder for in-process runs that use the cache."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("SISTERCITIES_CACHE_DIR", str(folder))
    monkeypatch.delenv("SISTERCITIES_NO_CACHE", raising=False)
    return folder


@pytest.fixture(scope="session")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Oxigraph server (`oxigraph serve`, from the PyPI package `oxigraph`) on a free port
    of 127.0.0.1, started once for the session when a test first asks for it; its base URL.
    Tests share it: each writes into graphs of its own."""
    with stores.oxigraph(tmp_path_factory.mktemp("oxigraph")) as url:
        yield url
