"""Property-based tests (hypothesis): round trips through YAML and RDF, and no crash on any input.

Example counts: round trips 60, loader mutations 200, CLI strings 150 (see each `settings`).
"""

from __future__ import annotations

import random
import string
from pathlib import Path

import pytest
import sistercities
from click.testing import CliRunner
from helpers import DATA, MINIMAL, ROOT, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib.compare import isomorphic
from sistercities.cli import cli
from sistercities.dump import dataset_to_yaml
from sistercities.rdf import from_rdf, to_rdf
from sistercities.yamltree import read_yaml_text
from strategies import NASTY, datasets

pytestmark = pytest.mark.slow  # hypothesis, many examples

SLOW_CHECKS = [HealthCheck.too_slow, HealthCheck.data_too_large]


def slow(examples: int) -> settings:
    """Settings for tests whose examples run the whole loader or command line."""
    return settings(max_examples=examples, deadline=None, suppress_health_check=SLOW_CHECKS)


@slow(60)
@given(datasets())
def test_random_datasets_round_trip_through_yaml_and_rdf(dataset: sistercities.Dataset) -> None:
    """YAML → Dataset → RDF → Dataset → RDF: the same graph, and the same dataset back."""
    text = dataset_to_yaml(dataset)
    _, problems = read_yaml_text(text, "random.yaml")
    assert not problems, problems
    path = Path(sistercities.__file__).parent.parent / "tests" / ".hypothesis-roundtrip.yaml"
    try:
        path.write_text(text, encoding="utf-8")
        loaded = sistercities.read_dataset(path).dataset
    finally:
        path.unlink(missing_ok=True)
    assert loaded == dataset
    first = to_rdf(loaded)
    assert isomorphic(to_rdf(from_rdf(first)), first)
    assert isomorphic(first, to_rdf(dataset))


def _mutate(text: str, rng: random.Random, steps: int) -> str:
    lines = text.splitlines(keepends=True)
    alphabet = string.printable + "äöüßłø€\u2028\ufeff\x00\x07:-[]{}&*!|>'\"#%@`"
    for _ in range(steps):
        if not lines:
            lines = [""]
        i = rng.randrange(len(lines))
        action = rng.randrange(6)
        line = lines[i]
        if action == 0 and line:
            j = rng.randrange(len(line))
            lines[i] = line[:j] + line[j + 1 :]
        elif action == 1:
            j = rng.randrange(len(line) + 1)
            lines[i] = line[:j] + rng.choice(alphabet) + line[j:]
        elif action == 2:
            lines.insert(i, line)
        elif action == 3:
            del lines[i]
        elif action == 4:
            k = rng.randrange(len(lines))
            lines[i], lines[k] = lines[k], lines[i]
        else:
            lines[i] = "\t" + line
    return "".join(lines)


@slow(200)
@given(st.integers(0, 2**32 - 1), st.integers(1, 12), st.sampled_from([MINIMAL, DATA]))
def test_random_mutations_never_crash_the_loader(seed: int, steps: int, base: Path) -> None:
    text = _mutate(base.read_text(encoding="utf-8"), random.Random(seed), steps)
    path = ROOT / "tests" / ".hypothesis-mutation.yaml"
    try:
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        report = sistercities.validate(path)  # must return, whatever the text
    finally:
        path.unlink(missing_ok=True)
    for problem in report.problems:
        assert problem.location.file == str(path)
        assert problem.rule in sistercities.RULES


TEXT = st.one_of(NASTY, st.text(max_size=40))


@slow(150)
@given(
    st.sampled_from(["partners", "show", "path", "common", "timeline", "visits", "officials"]),
    TEXT,
    TEXT,
)
def test_random_strings_never_crash_the_cli(command: str, first: str, second: str) -> None:
    if command in ("partners", "show", "timeline"):
        args = [command, first]
    elif command in ("path", "common"):
        args = [command, first, second]
    elif command == "visits":
        args = [command, "--city", first, "--official", second]
    else:
        args = [command, "--city", first, "--as-of", second]
    result = run_cli(["--data", str(DATA), "--no-cache", *args, "--format", "json"])
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output


@slow(100)
@given(TEXT)
def test_random_dates_never_crash_as_of(text: str) -> None:
    result = CliRunner().invoke(
        cli, ["--data", str(DATA), "--no-cache", "partners", "jakarta", "--as-of", text]
    )
    assert result.exit_code in (0, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    "<a href=# onmouseover=alert(1)>x</a>",
    'quote " and \\" escaped',
    "back\\slash \\n not a newline",
    "real\nnewline and\ttab",
    "> angle < and & amp",
    '"""triple quoted"""',
    "\\u0041 \\U0001F600 not escapes",
    'x" } ; DROP ALL ; #',
    "@prefix evil: <http://evil/> .",
    "emoji 🏙️ and RTL \u202e text",
]


def test_hostile_text_in_every_field_round_trips_exactly_in_every_rdf_format() -> None:
    import rdflib
    from sistercities.dates import parse_date
    from sistercities.export import export_bytes
    from sistercities.model import Event, Official, Partnership, Place, Role, Session, Source, Visit

    for payload in PAYLOADS:
        dataset = sistercities.Dataset(
            sources={"s": Source("s", payload, publisher=payload, licence=payload, notes=payload)},
            places={
                p: Place(
                    p,
                    payload,
                    "city",
                    "ID",
                    ("s",),
                    labels={"en": payload},
                    aliases=(payload,),
                    notes=payload,
                )
                for p in ("a", "b")
            },
            partnerships={
                "a--b": Partnership(
                    "a--b",
                    ("a", "b"),
                    "sister-city",
                    "active",
                    ("s",),
                    since=parse_date("1990~"),
                    notes=payload,
                )
            },
            officials={
                "o": Official(
                    "o",
                    payload,
                    ("s",),
                    roles=(Role(payload, ("s",), of="a", organisation=payload),),
                    notes=payload,
                )
            },
            events={
                "e": Event(
                    "e",
                    payload,
                    "a",
                    parse_date(2018),
                    ("s",),
                    venue=payload,
                    sessions=(Session(payload, speakers=("o",)),),
                    notes=payload,
                )
            },
            visits={"v": Visit("v", ("o",), "b", parse_date("2018-04"), ("s",), purpose=payload)},
        )
        expected = to_rdf(dataset)
        for name, fmt in (("turtle", "turtle"), ("n-triples", "nt"), ("json-ld", "json-ld")):
            parsed = rdflib.Graph().parse(data=export_bytes(dataset, name), format=fmt)
            assert isomorphic(parsed, expected), (name, payload)
            back = from_rdf(parsed)
            assert back.places["a"].name == payload
            assert back.sources["s"].title == payload
            assert back.officials["o"].roles[0].title == payload
            assert back.events["e"].sessions[0].title == payload
            assert back.visits["v"].purpose == payload
