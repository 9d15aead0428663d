"""A corpus of broken and hostile data files (tests/bad_inputs/, described one a line in its
README.md), each run through `validate`, `build` and a question (`partners`) as real subprocesses
of the installed script.

For every file and command: exit code 1; the output names the file; every expected problem is
printed as ``FILE:LINE:COL: error[rule]`` (or ``FILE: error[rule]`` when it concerns the whole
file), and no other error; no traceback; nothing written to the output folder; no file named
PWNED anywhere (the YAML tags that would run ``touch PWNED`` must not run); the input file left
as it was; at most 60 s and 1.5 GiB of address space per command.

Three more files are generated at test time rather than committed: a 5 MB single-line value, a
file of 100 MB and one of `MAX_FILE_BYTES` + 1 bytes (both refused by size, sparse on disk).

The expected (rule, line) of each file was worked out by reading the file, not copied from the
tool's output; where the two differ the case is a strict xfail whose reason says "BUG".
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers import SCRIPT
from sistercities.rules import RULES
from sistercities.yamltree import MAX_FILE_BYTES

pytestmark = pytest.mark.slow  # every file of the corpus through three real processes

CORPUS = Path(__file__).parent / "bad_inputs"
FILES = sorted(path.name for path in CORPUS.glob("*.yaml"))
MEMORY_LIMIT = 1536 * 1024 * 1024  # bytes of address space a command may use
TIMEOUT = 60  # seconds a command may take

# One source and two places: lines 1-14 (the same shape most corpus files start from).
BASE = """\
sources:
  - id: seed
    title: Seed
cities:
  - id: jakarta
    name: Jakarta
    kind: province
    country: ID
    sources: [seed]
  - id: los-angeles
    name: Los Angeles
    kind: city
    country: US
    sources: [seed]
"""


def each(rule: str, *lines: int) -> tuple[tuple[str, int], ...]:
    return tuple((rule, line) for line in lines)


# file -> every error expected, as (rule, line); line 0: the problem concerns the whole file.
EXPECTED: dict[str, tuple[tuple[str, int], ...]] = {
    "01-empty.yaml": (("empty-file", 1),),
    "02-only-comments.yaml": (("empty-file", 1),),
    "03-list-at-top.yaml": (("wrong-type", 1),),
    "04-scalar-at-top.yaml": (("wrong-type", 1),),
    "05-unknown-section.yaml": (("unknown-key", 15),),
    "06-unclosed-flow-sequence.yaml": (("yaml-syntax", 9),),
    "07-unclosed-flow-mapping.yaml": (("yaml-syntax", 17),),
    "08-unclosed-double-quote.yaml": (("yaml-syntax", 11),),
    "09-unclosed-single-quote.yaml": (("yaml-syntax", 11),),
    "10-bad-indentation.yaml": (("yaml-syntax", 12),),
    "11-colon-in-plain-value.yaml": (("yaml-syntax", 3),),
    "12-stray-dash.yaml": (("yaml-syntax", 10),),
    "13-tab-indentation.yaml": (("yaml-syntax", 12),),
    "14-tab-after-dash.yaml": (("yaml-syntax", 10),),
    "15-not-utf8-latin1.yaml": (("encoding", 6),),
    "16-not-utf8-truncated.yaml": (("encoding", 15),),
    "17-utf16.yaml": (("encoding", 1),),
    "18-bom-and-syntax-error.yaml": (("yaml-syntax", 3),),
    "19-tag-python-object-apply.yaml": (("yaml-tag", 3),),
    "20-tag-python-name.yaml": (("yaml-tag", 3),),
    "21-tag-python-object-new.yaml": (("yaml-tag", 15),),
    "22-tag-binary.yaml": (("yaml-tag", 3),),
    "23-tag-custom.yaml": (("yaml-tag", 6),),
    "24-tag-on-mapping.yaml": (("yaml-tag", 10),),
    "25-billion-laughs.yaml": (("yaml-alias", 4),),  # s3 passes 10,000 expanded values
    "26-alias-count-bomb.yaml": (("yaml-alias", 103),),  # the 101st alias
    "27-unknown-alias.yaml": (("yaml-alias", 9),),
    "28-alias-to-itself.yaml": (("yaml-alias", 16),),
    "29-merge-key.yaml": (("unknown-key", 15), ("missing-key", 15), ("no-source", 15)),
    "30-deep-nesting-flow.yaml": (("yaml-depth", 1),),
    "31-deep-nesting-block.yaml": (("yaml-depth", 65),),
    "32-duplicate-key-in-entry.yaml": (("duplicate-key", 13),),
    "33-duplicate-section.yaml": (("duplicate-key", 15),),
    "34-id-with-space.yaml": (("bad-id", 10),),
    "35-id-with-capitals.yaml": (("bad-id", 10),),
    "36-id-non-ascii.yaml": (("bad-id", 10),),
    "37-id-leading-hyphen.yaml": (("bad-id", 10),),
    "38-id-empty.yaml": (("bad-id", 10),),
    "39-id-is-number.yaml": (("wrong-type", 10),),
    "40-date-february-30.yaml": (("bad-date", 19),),
    "41-date-month-13.yaml": (("bad-date", 4),),
    "42-date-year-zero.yaml": (("bad-date", 4),),
    "43-date-garbage.yaml": (("bad-date", 4),),
    "44-coordinates-as-strings.yaml": (("wrong-type", 19),),
    "45-coordinates-nan.yaml": (("bad-coordinates", 19),),
    "46-coordinates-infinity.yaml": (("bad-coordinates", 19),),
    "47-coordinates-out-of-range.yaml": (("bad-coordinates", 19),),
    "48-coordinates-as-list.yaml": (("wrong-type", 19),),
    "49-qid-lowercase.yaml": (("bad-qid", 19),),
    "50-qid-no-digits.yaml": (("bad-qid", 19),),
    "51-qid-zero.yaml": (("bad-qid", 19),),
    "52-qid-negative.yaml": (("bad-qid", 19),),
    "53-qid-property.yaml": (("bad-qid", 19),),
    "54-qid-integer.yaml": (("wrong-type", 19),),
    "55-unknown-country.yaml": (("unknown-country", 13),),
    "56-country-lowercase.yaml": (("unknown-country", 13),),
    "57-self-partnership.yaml": (("self-partnership", 16),),
    "58-duplicate-partnership.yaml": (("duplicate-partnership", 21),),
    "59-reference-to-nothing.yaml": each("unknown-reference", 16, 20),
    "60-nul-byte.yaml": (("yaml-syntax", 6),),
    "61-control-character.yaml": (("yaml-syntax", 6),),
    "62-crlf-with-error.yaml": (("yaml-syntax", 12),),
    "63-crlf-bad-date.yaml": (("bad-date", 4),),
    "64-cr-only-line-endings.yaml": (("unknown-country", 13),),
    "65-huge-number.yaml": (("wrong-type", 19),),
    "66-huge-exponent.yaml": (("wrong-type", 19),),
    "67-negative-population.yaml": (("bad-value", 19),),
    "68-two-documents.yaml": (("yaml-syntax", 15),),
    "69-document-end-then-text.yaml": (("yaml-syntax", 16),),
    "70-bad-directive.yaml": (("yaml-syntax", 1),),
    "71-reserved-indicator.yaml": (("yaml-syntax", 6),),
    "72-backtick-indicator.yaml": (("yaml-syntax", 6),),
    "73-complex-key.yaml": (("wrong-type", 15),),
    "74-null-key.yaml": (("wrong-type", 15),),
    "75-section-is-mapping.yaml": (("wrong-type", 2),),
    "76-section-is-scalar.yaml": (("wrong-type", 15),),
    "77-entry-is-scalar.yaml": (("wrong-type", 16),),
    "78-entry-is-null.yaml": (("wrong-type", 16),),
    "79-missing-required-keys.yaml": (("missing-key", 16),),
    "80-no-sources.yaml": (("no-source", 14),),
    "81-unknown-key-in-entry.yaml": (("unknown-key", 13),),
    "82-bad-enum-values.yaml": (("bad-value", 12),),
    "83-bad-url.yaml": (("bad-value", 4),),
    "84-date-order.yaml": (("date-order", 20),),
    "85-part-of-cycle.yaml": (("part-of-cycle", 8),),
    "86-duplicate-id.yaml": (("duplicate-id", 10),),
    "87-lone-surrogate-escape.yaml": (("yaml-syntax", 6),),
    "88-nul-escape-in-id.yaml": (("bad-id", 10),),
    "89-long-key.yaml": (("yaml-syntax", 15),),
    "90-empty-name.yaml": (("wrong-type", 11),),
    "91-boolean-name.yaml": (("wrong-type", 11),),
    "92-wrong-types-sources.yaml": each("wrong-type", *range(2, 10)),
    "93-wrong-types-areas.yaml": each("wrong-type", *range(16, 20)),
    "94-wrong-types-cities.yaml": each("wrong-type", *range(5, 19)),
    "95-wrong-types-partnerships.yaml": each("wrong-type", *range(16, 26)),
    "96-wrong-types-officials.yaml": each("wrong-type", *range(16, 22), *range(25, 31)),
    "97-wrong-types-events.yaml": each("wrong-type", *range(16, 26), *range(31, 35)),
    "98-wrong-types-visits.yaml": each("wrong-type", *range(16, 28)),
    "99-wrong-types-agreements.yaml": each("wrong-type", *range(16, 26)),
    # Text no export can hold, and malformed language tags (issue 16).
    "text-01-osc52-in-name.yaml": (("control-character", 6),),
    "text-02-del-in-alias.yaml": (("control-character", 7),),
    "text-03-newline-in-name.yaml": (("control-character", 6),),
    "text-04-nul-in-label.yaml": (("control-character", 7),),
    "text-05-noncharacter-fffe.yaml": (("noncharacter", 6),),
    "text-06-noncharacter-fdd0.yaml": (("noncharacter", 6),),
    "text-07-noncharacter-plane-16.yaml": (("noncharacter", 6),),
    "text-08-language-en-1a.yaml": (("bad-language", 7),),
    "text-09-source-language-bad.yaml": (("bad-language", 4),),
    "text-10-vertical-tab-in-notes.yaml": (("control-character", 10),),
    "text-11-escape-in-url.yaml": (("control-character", 4),),
}

BUGS: dict[str, str] = {}  # files whose expected problems the tool gets wrong (none now)


def _write_sparse(path: Path, head: str, size: int, tail: str) -> None:
    """`head`, a hole of NUL bytes (sparse: nothing is really written), `tail`; `size` bytes."""
    with path.open("wb") as out:
        out.write(head.encode())
        out.seek(size - len(tail.encode()))
        out.write(tail.encode())
    assert path.stat().st_size == size


def _long_value(path: Path) -> None:
    """A 5 MB single-line name (fine) and a 5 MB single-line country (unknown-country)."""
    text = BASE.replace("name: Los Angeles", "name: " + "L" * 5_000_000)
    path.write_text(text.replace("country: US", "country: " + "U" * 5_000_000))


def _huge(size: int) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        _write_sparse(path, BASE + '    notes: "', size, '"\n')

    return make


GENERATED: dict[str, tuple[Callable[[Path], None], tuple[tuple[str, int], ...]]] = {
    "gen-5mb-single-line-value.yaml": (_long_value, (("unknown-country", 13),)),
    "gen-100mb-file.yaml": (_huge(100 * 1024 * 1024), (("file-too-large", 0),)),
    "gen-one-byte-over-limit.yaml": (_huge(MAX_FILE_BYTES + 1), (("file-too-large", 0),)),
}

COMMANDS: dict[str, Callable[[str], list[str]]] = {
    "validate": lambda data: ["validate", "--data", data],
    "build": lambda data: ["build", "--data", data, "--out", "out"],
    "partners": lambda data: ["partners", "jakarta", "--data", data],
}


def _limit_memory() -> None:  # runs in the child, before exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run(tmp_path: Path, *args: str) -> tuple[int, str]:
    env = {**os.environ, "SISTERCITIES_CACHE_DIR": str(tmp_path / "cache"), "NO_COLOR": "1"}
    env.pop("SISTERCITIES_DATA", None)
    proc = subprocess.run(
        [str(SCRIPT), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        timeout=TIMEOUT,
        preexec_fn=_limit_memory,
    )
    output = (proc.stdout + proc.stderr).decode("utf-8", errors="replace")
    return proc.returncode, output


def errors_printed(output: str, name: str) -> set[tuple[str, int]]:
    """The (rule, line) of every error the output prints for file `name`."""
    pattern = rf"^{re.escape(name)}(?::(\d+):\d+)?: error\[([a-z-]+)\]"
    return {(m[2], int(m[1] or 0)) for m in re.finditer(pattern, output, re.MULTILINE)}


def check(tmp_path: Path, name: str, command: str, expected: tuple[tuple[str, int], ...]) -> None:
    before = (tmp_path / name).read_bytes() if (tmp_path / name).stat().st_size < 2**20 else None
    code, output = run(tmp_path, *COMMANDS[command](name))
    shown = output if len(output) < 4000 else output[:2000] + " [...] " + output[-2000:]
    assert "Traceback" not in output, shown
    assert code == 1, f"exit code {code}:\n{shown}"
    assert name in output, f"the output does not name the file:\n{shown}"
    for rule, line in expected:
        where = f"{name}:{line}:" if line else f"{name}: "
        assert (rule, line) in errors_printed(output, name), (
            f"expected {where} error[{rule}] in:\n{shown}"
        )
    assert errors_printed(output, name) == set(expected), shown
    out = tmp_path / "out"
    assert not out.exists() or not any(out.iterdir()), f"written: {sorted(out.rglob('*'))}"
    assert not list(tmp_path.rglob("PWNED")), "a YAML tag ran a command"
    if before is not None:
        assert (tmp_path / name).read_bytes() == before, "the input file was changed"


def _params() -> list[Any]:
    params = []
    for name in FILES:
        for command in COMMANDS:
            marks = [pytest.mark.xfail(strict=True, reason=BUGS[name])] if name in BUGS else []
            params.append(pytest.param(name, command, id=f"{name}-{command}", marks=marks))
    return params


@pytest.mark.parametrize(("name", "command"), _params())
def test_bad_input_is_refused_cleanly(tmp_path: Path, name: str, command: str) -> None:
    shutil.copyfile(CORPUS / name, tmp_path / name)
    check(tmp_path, name, command, EXPECTED[name])


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("name", GENERATED)
def test_generated_bad_input_is_refused_cleanly(tmp_path: Path, name: str, command: str) -> None:
    make, expected = GENERATED[name]
    make(tmp_path / name)
    check(tmp_path, name, command, expected)


def test_a_long_value_gives_a_short_message(tmp_path: Path) -> None:
    _long_value(tmp_path / "long.yaml")
    code, output = run(tmp_path, "validate", "--data", "long.yaml")
    assert code == 1
    assert len(output) < 10_000, f"{len(output):,} characters of output"


def test_the_corpus_is_large_small_and_described() -> None:
    assert len(FILES) >= 60
    assert set(FILES) == set(EXPECTED), "every file has its expected problems, and only those"
    assert set(BUGS) <= set(FILES)
    readme = (CORPUS / "README.md").read_text()
    for name in FILES:
        # a number, or a class name and a number (text-01-…: each helper its own series)
        assert re.fullmatch(r"(\d\d+|[a-z]+-\d\d)-[a-z0-9-]+\.yaml", name), name
        assert f"`{name}`" in readme, f"{name} is not described in README.md"
        assert (CORPUS / name).stat().st_size < 100_000, f"{name} is too big to commit"
    rules = {rule for expected in EXPECTED.values() for rule, _ in expected}
    assert rules <= set(RULES)
    # The limits are hit: size, aliases, depth.
    assert {"file-too-large", "yaml-alias", "yaml-depth", "yaml-tag", "encoding"} <= rules | {
        rule for _, expected in GENERATED.values() for rule, _ in expected
    }
