"""The library's docstring examples run, imported as `sistercities.*` (the name the wheel
installs): pytest's --doctest-modules would import graph/ under the folder's name instead."""

from __future__ import annotations

import doctest
import importlib
import io
import pkgutil

import pytest
import sistercities

MODULES = [
    "sistercities",
    *sorted(
        f"sistercities.{module.name}"
        for module in pkgutil.iter_modules(sistercities.__path__)
        if module.name != "__main__"
    ),
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    report = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in doctest.DocTestFinder().find(module, name):
        runner.run(test, out=report.write)
    assert runner.failures == 0, report.getvalue()


def test_every_module_has_examples_somewhere() -> None:
    """The collection above is not empty: the finder sees the package's docstrings."""
    examples = sum(
        len(test.examples)
        for name in MODULES
        for test in doctest.DocTestFinder().find(importlib.import_module(name), name)
    )
    assert examples > 100
