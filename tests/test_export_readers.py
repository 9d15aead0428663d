"""What validate accepts, every exporter writes legally: datasets whose text fields hold hostile
strings (every character class: C0, DEL, C1, bidi controls, separators, noncharacters; XML
specials, quotes, backslashes, astral characters, very long strings; malformed language tags)
go through the YAML file and `validate`. Those that validate must export in every format, and
each export must parse in an independent reader holding the exact strings: expat for GraphML
and GEXF, ``json`` for the JSON inside the HTML page, rapper (a separate process) and
pyoxigraph for Turtle and N-Triples, rdflib for JSON-LD, ``csv`` for the CSV (after dropping
the spreadsheet quote). Those that hold what no export can write must be refused, by rule.

rapper (Debian's raptor2-utils) is required: without it the test fails, it does not skip.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sistercities import read_dataset
from sistercities.dump import dataset_to_yaml
from sistercities.export import FORMATS, export_bytes
from sistercities.model import Dataset
from sistercities.text import is_language_tag, noncharacter, unwritable_control
from sistercities.viz import render_html
from strategies import LANG, datasets

pytestmark = pytest.mark.slow  # every export through independent readers, rapper among them

RAPPER = "/usr/bin/rapper"

# One of each class; the first group every export can write, the second none can.
WRITABLE = [
    "\u0080",
    "\u0085",  # NEL, a line break to YAML 1.1 and XML 1.1
    "\u009b",  # C1 CSI
    "\u009f",
    "\u061c",
    "\u200e",
    "\u200f",
    "\u202a",
    "\u202e",  # right-to-left override
    "\u2066",
    "\u2069",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\u200b",
    "\u200d",
    "<",
    ">",
    "&",
    "]]>",
    "&amp;",
    '"',
    "'",
    '"""',
    "\\",
    "\\u0041",
    "\\n",
    "@prefix",
    "_:b0",
    "🏙️",
    "\U0001d11e",
    "\U000e0001",  # an astral format character (language tag)
    "\ufffd",
    "\U0010fffd",
    "{{x}}",
    "</script>",
    "=cmd|' /C calc'!A0",
    "-6.2",
]
UNWRITABLE = ["\x00", "\x07", "\x1b", "\x1b]52;c;aGk=\x07", "\x1b[2J", "\x7f", "\n", "\t", "\r"]
UNWRITABLE += ["\x0b", "\ufffe", "\uffff", "\ufdd0", "\ufdef", "\U0001fffe", "\U0010ffff"]
BAD_TAGS = ["en-1a", "e", "en-", "english_GB", "en-GB-x"]


def _hostile(allow_unwritable: bool) -> st.SearchStrategy[str]:
    pieces = st.sampled_from(WRITABLE + (UNWRITABLE if allow_unwritable else []))
    words = st.lists(st.one_of(pieces, st.text("abcé東", min_size=1, max_size=3)), max_size=6)
    text = words.map(lambda parts: "N" + "".join(parts))  # never blank
    return st.one_of(text, text.map(lambda t: t * (4000 // len(t) + 1)))  # and very long


@st.composite
def hostile_datasets(draw: st.DrawFn) -> Dataset:
    """A random dataset whose names, labels, aliases, titles and notes are hostile."""
    dataset = draw(datasets())
    allow = draw(st.sampled_from([False, False, True]))  # mostly what every export can write
    text = _hostile(allow)
    tags = st.one_of(LANG, st.sampled_from(BAD_TAGS)) if allow else LANG
    places = {
        ident: dataclasses.replace(
            place,
            name=draw(text),
            labels=draw(st.dictionaries(tags, text, max_size=2)),
            aliases=tuple(draw(st.lists(text, max_size=2, unique=True))),
        )
        for ident, place in dataset.places.items()
    }
    sources = {
        ident: dataclasses.replace(source, title=draw(text), publisher=draw(st.none() | text))
        for ident, source in dataset.sources.items()
    }
    notes = st.none() | text | st.just("two\nlines\tand a tab\r\n")
    ties = {
        ident: dataclasses.replace(tie, notes=draw(notes))
        for ident, tie in dataset.partnerships.items()
    }
    officials = {
        ident: dataclasses.replace(official, name=draw(text))
        for ident, official in dataset.officials.items()
    }
    return dataclasses.replace(
        dataset, places=places, sources=sources, partnerships=ties, officials=officials
    )


def _texts(dataset: Dataset) -> Iterator[tuple[str, bool]]:
    """Every hostile text of `dataset`, with whether it is in a multi-line field."""
    for place in dataset.places.values():
        yield place.name, False
        yield from ((label, False) for label in place.labels.values())
        yield from ((alias, False) for alias in place.aliases)
    for source in dataset.sources.values():
        yield source.title, False
        if source.publisher is not None:
            yield source.publisher, False
    for tie in dataset.partnerships.values():
        if tie.notes is not None:
            yield tie.notes, True
    for official in dataset.officials.values():
        yield official.name, False


def _refused_rules(dataset: Dataset) -> set[str]:
    rules = set()
    for text, multiline in _texts(dataset):
        if unwritable_control(text, multiline=multiline) is not None:
            rules.add("control-character")
        elif noncharacter(text) is not None:
            rules.add("noncharacter")
    for place in dataset.places.values():
        if not all(is_language_tag(tag) for tag in place.labels):
            rules.add("bad-language")
    return rules


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _xml_strings(data: bytes) -> set[str]:
    root = ET.fromstring(data)  # expat: refuses anything that is not well-formed XML 1.0
    found = set()
    for element in root.iter():
        found.update(element.attrib.values())
        if element.text:
            found.add(element.text)
    return found


def _rapper(path: Path, syntax: str) -> None:
    run = subprocess.run(
        [RAPPER, "-q", "-i", syntax, "-c", str(path)], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, f"rapper -i {syntax}: {run.stderr[:2000]}"


def _oxigraph_literals(data: bytes, syntax: pyoxigraph.RdfFormat) -> set[str]:
    return {
        term.value
        for triple in pyoxigraph.parse(data, format=syntax)
        for term in (triple.object,)
        if isinstance(term, pyoxigraph.Literal)
    }


def _check_exports(dataset: Dataset, folder: Path) -> None:
    names = {place.name for place in dataset.places.values()}
    labels = {label for place in dataset.places.values() for label in place.labels.values()}
    for syntax, name, fmt in (
        ("turtle", "turtle", pyoxigraph.RdfFormat.TURTLE),
        ("ntriples", "n-triples", pyoxigraph.RdfFormat.N_TRIPLES),
    ):
        data = export_bytes(dataset, name)
        path = folder / f"out.{syntax}"
        path.write_bytes(data)
        _rapper(path, syntax)
        literals = _oxigraph_literals(data, fmt)
        assert names | labels <= literals, (names | labels) - literals
    jsonld = rdflib.Graph().parse(data=export_bytes(dataset, "json-ld"), format="json-ld")
    jsonld_literals = {str(o) for o in jsonld.objects() if isinstance(o, rdflib.Literal)}
    assert names | labels <= jsonld_literals, (names | labels) - jsonld_literals
    for name in ("graphml", "gexf"):
        found = _xml_strings(export_bytes(dataset, name))
        assert names <= found, names - found
    page = render_html(dataset)
    embedded = re.search(r"const DATA = (.*);\nconst PHYSICS_LIMIT", page, re.S)
    assert embedded is not None
    assert names <= set(_strings(json.loads(embedded.group(1))))
    rows = list(csv.DictReader(io.StringIO(export_bytes(dataset, "csv").decode("utf-8"))))
    for row in rows:
        for column in ("name_a", "name_b"):
            cell = row[column]
            assert (cell[1:] if cell.startswith("'") else cell) in names
    assert len(rows) == len(dataset.partnerships)
    assert set(FORMATS) == {"turtle", "n-triples", "json-ld", "graphml", "gexf", "csv"}


def test_rapper_is_installed() -> None:
    assert shutil.which("rapper") == RAPPER, "install raptor2-utils: the readers test needs it"


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(hostile_datasets())
def test_what_validate_accepts_every_reader_reads(tmp_path: Path, dataset: Dataset) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_text(dataset_to_yaml(dataset, partnership_ids=False), encoding="utf-8")
    result = read_dataset(path)
    errors = {p.rule for p in result.problems if p.is_error}
    expected = _refused_rules(dataset)
    assert expected <= errors, [str(p) for p in result.problems if p.is_error][:5]
    if errors:  # refused (the random dataset may break other rules too): nothing is exported
        return
    assert result.dataset is not None
    _check_exports(result.dataset, tmp_path)


def test_every_writable_class_at_once_is_read_back(tmp_path: Path) -> None:
    """Not left to chance: one name holding every writable piece, grandfathered tags too."""
    from helpers import MINIMAL

    loaded = read_dataset(MINIMAL).dataset
    assert loaded is not None
    name = "N" + "".join(WRITABLE)
    places = {
        ident: dataclasses.replace(
            place, name=name + ident, labels={"en": name, "i-klingon": name, "zh-min-nan": "x"}
        )
        for ident, place in loaded.places.items()
    }
    path = tmp_path / "all.yaml"
    hostile = dataclasses.replace(loaded, places=places)
    path.write_text(dataset_to_yaml(hostile, partnership_ids=False), encoding="utf-8")
    result = read_dataset(path)
    assert not [p for p in result.problems if p.is_error]
    assert result.dataset is not None
    assert {p.name for p in result.dataset.places.values()} == {p.name for p in places.values()}
    _check_exports(result.dataset, tmp_path)
