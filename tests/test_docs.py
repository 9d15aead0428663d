"""The examples of the README and of docs/ are what the tool prints: every ```console block
(`$ sistercities …` and the lines it prints on stdout) is run as a real process and compared.
(Their Python examples run as doctests: pyproject's --doctest-glob.)"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from helpers import ROOT, run_script

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def console_examples(page: Path) -> list[tuple[str, list[str]]]:
    text = page.read_text(encoding="utf-8")
    blocks = [b.split("```\n", 1)[0] for b in text.split("```console\n")[1:]]
    examples = []
    for block in blocks:
        command, *expected = block.splitlines()
        assert command.startswith("$ sistercities "), f"{page.name}: {command}"
        examples.append((command, expected))
    return examples


EXAMPLES = [
    pytest.param(command, expected, id=f"{page.name}: {command}")
    for page in PAGES
    for command, expected in console_examples(page)
]


def test_the_readme_and_the_command_docs_have_examples() -> None:
    assert len(console_examples(ROOT / "README.md")) == 5
    assert len(console_examples(ROOT / "docs" / "commands.md")) >= 3


@pytest.mark.slow  # real processes; the first reads the world layers without a cache
@pytest.mark.parametrize(("command", "expected"), EXAMPLES)
def test_every_console_example_is_what_the_command_prints(
    command: str, expected: list[str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    args = shlex.split(command.removeprefix("$ sistercities "))
    cwd = ROOT / "tests" / "fixtures" if "broken.yaml" in args else ROOT
    cache = tmp_path_factory.getbasetemp() / "docs-cache"  # one cache for every example
    result = run_script(*args, cwd=cwd, env={"SISTERCITIES_CACHE_DIR": str(cache)})
    assert result.stdout.splitlines() == expected, command


def test_the_links_between_pages_lead_somewhere() -> None:
    for page in [*PAGES, ROOT / "CONTRIBUTING.md"]:
        text = page.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if "://" in target:
                continue
            assert (page.parent / target).exists(), f"{page.name} links to missing {target}"
