"""docs/python-api.md, the notebook tour, runs as written (its examples are doctests)."""

from __future__ import annotations

import doctest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_notebook_tour_runs() -> None:
    failures, tried = doctest.testfile(
        str(ROOT / "docs" / "python-api.md"),
        module_relative=False,
        optionflags=doctest.ELLIPSIS,
        verbose=False,
    )
    assert tried > 20
    assert failures == 0


def test_the_package_is_typed() -> None:
    import sistercities

    assert (Path(sistercities.__file__).parent / "py.typed").is_file()
