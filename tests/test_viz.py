"""The interactive HTML page (sistercities.viz and `sistercities viz`), without a browser: one
self-contained file, the data it embeds, layouts, escaping of hostile text, the command line.

The browser tests are in test_viz_browser.py.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import sistercities
from click.testing import CliRunner
from helpers import DATA, run_cli
from sistercities import viz
from sistercities.cli import cli
from sistercities.dates import PartialDate
from sistercities.model import Area, Coordinates, Dataset, Partnership, Place, Source
from sistercities.viz import PHYSICS_LIMIT, VizOptions, render_html, select

from bench.generate import generate

XSS_PAYLOADS = (
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    "<a href=# onmouseover=alert(1)>x</a>",
)
# Breaks Turtle or JSON if pasted in raw: quotes, backslashes, newlines, line separators.
TURTLE_BREAKERS = '" ; . \\ """ \n \u2028 \u2029 @prefix'


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return sistercities.load_dataset(sistercities.DEFAULT_DATA)


@pytest.fixture(scope="module")
def large() -> Dataset:
    generated: Dataset = generate(2000, 4000, 200)
    return generated


def page_data(page: str) -> dict[str, Any]:
    """The JSON object the page's script holds as `const DATA = …;`."""
    start = page.index("const DATA = ") + len("const DATA = ")
    value, end = json.JSONDecoder().raw_decode(page, start)
    assert page[end] == ";"
    assert isinstance(value, dict)
    return value


def data_script(page: str) -> str:
    """The text of the <script> element holding the data (the raw HTML between its tags)."""
    start = page.index("const DATA = ")
    opening = page.rindex("<script>", 0, start) + len("<script>")
    return page[opening : page.index("</script>", opening)]


def data_text(page: str) -> str:
    """The raw JSON text after `const DATA = `, as it stands in the HTML."""
    start = page.index("const DATA = ") + len("const DATA = ")
    _, end = json.JSONDecoder().raw_decode(page, start)
    return page[start:end]


class Tags(HTMLParser):
    """Every start tag with its attributes; the text of <script> and <style> elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self._inside: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        if tag in ("script", "style"):
            self._inside = tag
            (self.scripts if tag == "script" else self.styles).append("")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        if tag == self._inside:
            self._inside = None

    def handle_data(self, data: str) -> None:
        if self._inside == "script":
            self.scripts[-1] += data
        elif self._inside == "style":
            self.styles[-1] += data


def parse(page: str) -> Tags:
    parser = Tags()
    parser.feed(page)
    parser.close()
    return parser


def hostile_dataset(payloads: tuple[str, ...] = XSS_PAYLOADS) -> Dataset:
    """Three places and two ties whose names, aliases, notes, areas and sources carry
    `payloads` (plus text that breaks Turtle and JSON)."""
    sources = {
        f"src-{i}": Source(f"src-{i}", f"{payload} {TURTLE_BREAKERS}", publisher=payload)
        for i, payload in enumerate(payloads)
    }
    ids = tuple(sources)
    places = {
        "bad-0": Place(
            "bad-0",
            payloads[0],
            "city",
            "ID",
            ids,
            aliases=(payloads[1],),
            coordinates=Coordinates(-6.2, 106.8),
        ),
        "bad-1": Place(
            "bad-1", payloads[1], "city", "MA", ids[1:], coordinates=Coordinates(33.6, -7.6)
        ),
        "bad-2": Place("bad-2", payloads[2] + TURTLE_BREAKERS, "city", "RO", ids[2:]),
    }
    areas = {"evil": Area("evil", {"en": payloads[0]})}
    partnerships = {
        "bad-0--bad-1": Partnership(
            "bad-0--bad-1",
            ("bad-0", "bad-1"),
            "sister-city",
            "active",
            ids,
            since=PartialDate.parse(1990),
            areas=("evil",),
            notes=" ".join(payloads),
        ),
        "bad-1--bad-2": Partnership(
            "bad-1--bad-2", ("bad-1", "bad-2"), "friendship", "ended", ids[2:]
        ),
    }
    return Dataset(sources=sources, areas=areas, places=places, partnerships=partnerships)


# ---------------------------------------------------------------------------------------------
# one self-contained file

URL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)


@pytest.mark.parametrize(
    "options",
    [{}, {"focus": "jakarta", "depth": 2}, {"layout": "geo", "with_visits": True}],
    ids=["everything", "jakarta", "geo-visits"],
)
def test_the_page_loads_nothing_from_a_url(dataset: Dataset, options: dict[str, Any]) -> None:
    page = render_html(dataset, **options)
    # By regular expression over the whole text ...
    assert not re.search(r"<script\b[^>]*\bsrc\s*=", page, re.IGNORECASE)
    assert not re.search(r"<link\b", page, re.IGNORECASE)
    assert not re.search(r"<(?:iframe|img|embed|object|base)\b", page.split("<script>")[0], re.I)
    assert not re.search(
        r"\b(?:src|href|srcset|action|poster|data)\s*=\s*[\"']?\s*(?:https?:)?//", page, re.I
    )
    assert not re.search(r"@import", page)
    for match in re.finditer(r"url\(\s*[\"']?([^\"')]*)", page):
        assert match.group(1).startswith("data:"), match.group(0)
    # ... and by parsing every tag's attributes.
    tags = parse(page)
    assert tags.tags, "the parser saw no tags"
    names = [tag for tag, _ in tags.tags]
    assert "link" not in names
    assert names.count("script") == 2  # vis-network, inlined; the page's own script
    for tag, attrs in tags.tags:
        for name, value in attrs:
            assert name not in ("src", "href", "srcset", "action", "poster", "data"), (tag, name)
            text = value or ""
            assert "http://" not in text and "https://" not in text, (tag, name, text)
            if name == "style":
                assert "url(" not in text, (tag, text)
    for style in tags.styles:
        assert "@import" not in style
        for match in re.finditer(r"url\(\s*[\"']?([^\"')]*)", style):
            assert match.group(1).startswith("data:"), match.group(0)
    # A Content-Security-Policy that forbids loading anything from anywhere.
    csp = [
        dict(attrs).get("content") or ""
        for tag, attrs in tags.tags
        if tag == "meta"
        and (dict(attrs).get("http-equiv") or "").lower() == "content-security-policy"
    ]
    assert csp and "default-src 'none'" in csp[0]
    # The vis-network library is inside the page, not referred to.
    assert "vis.Network" in tags.scripts[1]
    assert "vis-network" in tags.scripts[0] and len(tags.scripts[0]) > 100_000


# ---------------------------------------------------------------------------------------------
# the data the page draws

SELECTIONS = [
    pytest.param({}, id="everything"),
    pytest.param({"focus": "jakarta", "depth": 1}, id="jakarta-depth-1"),
    pytest.param({"focus": "jakarta", "depth": 2}, id="jakarta-depth-2"),
    pytest.param({"countries": ["MA"]}, id="country-MA"),
    pytest.param({"kind": "sister-province"}, id="sister-province"),
    pytest.param({"as_of": "1995"}, id="as-of-1995"),
    pytest.param({"year_from": 1990, "year_to": 1999}, id="1990s"),
]


@pytest.mark.parametrize("options", SELECTIONS)
def test_embedded_nodes_and_edges_are_what_select_says(
    dataset: Dataset, options: dict[str, Any]
) -> None:
    place_ids, ties = select(dataset, VizOptions(**options))
    data = page_data(render_html(dataset, **options))
    assert [n["id"] for n in data["nodes"]] == place_ids
    assert [e["id"] for e in data["edges"]] == [t.id for t in ties]
    assert len(set(place_ids)) == len(place_ids)
    drawn = set(place_ids)
    for edge in data["edges"]:
        assert edge["from"] in drawn and edge["to"] in drawn
    assert data["countries"] == sorted({dataset.places[p].country for p in place_ids})


def test_selections_are_not_trivial(dataset: Dataset) -> None:
    """The options above really cut the data (so the counts compared mean something)."""
    everything = select(dataset, VizOptions())
    assert len(everything[0]) == len(dataset.places)
    assert len(everything[1]) == len(dataset.partnerships)
    near = select(dataset, VizOptions(focus="jakarta", depth=1))
    far = select(dataset, VizOptions(focus="jakarta", depth=2))
    assert "jakarta" in near[0]
    assert 1 < len(near[0]) < len(far[0]) <= len(everything[0])
    for options in (
        VizOptions(countries=["MA"]),
        VizOptions(kind="sister-province"),
        VizOptions(as_of="1995"),
        VizOptions(year_from=1990, year_to=1999),
    ):
        place_ids, ties = select(dataset, options)
        assert 0 < len(ties) < len(dataset.partnerships), options
        assert len(place_ids) < len(dataset.places), options
    morocco = select(dataset, VizOptions(countries=["MA"]))
    for tie in morocco[1]:
        assert "MA" in {dataset.places[p].country for p in tie.between}


def test_page_counts_visits_apart_from_ties(dataset: Dataset) -> None:
    _, ties = select(dataset, VizOptions())
    data = page_data(render_html(dataset, with_visits=True))
    visits = [e for e in data["edges"] if e["kind"] == "visit"]
    assert visits, "the curated data has visits between drawn places"
    assert all(
        v["arrows"] == "to" and v["color"]["color"] == viz.KIND_COLOURS["visit"] for v in visits
    )
    assert len(data["edges"]) - len(visits) == len(ties)
    assert "visit" in data["kinds"]


# ---------------------------------------------------------------------------------------------
# layouts


def test_geo_layout_places_nodes_by_longitude_and_latitude(dataset: Dataset) -> None:
    data = page_data(render_html(dataset, layout="geo"))
    assert data["physics"] is False
    nodes = {n["id"]: n for n in data["nodes"]}
    assert len(nodes) == len(dataset.places)
    scales = []
    for ident, node in nodes.items():
        assert isinstance(node["x"], int | float) and isinstance(node["y"], int | float)
        point = dataset.places[ident].coordinates
        if point is None:
            continue
        if abs(point.lon) > 1:
            scales.append(node["x"] / point.lon)
        if abs(point.lat) > 1:
            scales.append(-node["y"] / point.lat)
    assert scales and min(scales) > 0
    assert max(scales) - min(scales) < 0.01 * max(scales), "x ∝ longitude, y ∝ −latitude"
    # East is right, north is up.
    jakarta, rabat = nodes["jakarta"], nodes["rabat"]
    assert jakarta["x"] > rabat["x"] and jakarta["y"] > rabat["y"]


def test_force_layout_of_a_small_graph_leaves_positions_to_physics(dataset: Dataset) -> None:
    small = dataset.neighbourhood("jakarta", 1)
    assert len(small.places) < PHYSICS_LIMIT
    data = page_data(render_html(small))
    assert data["physics"] is True
    assert all("x" not in n and "y" not in n for n in data["nodes"])


def test_places_without_coordinates_still_get_geo_positions() -> None:
    data = page_data(render_html(hostile_dataset(), layout="geo"))
    assert data["physics"] is False
    assert all(math.isfinite(n["x"]) and math.isfinite(n["y"]) for n in data["nodes"])
    assert len({(n["x"], n["y"]) for n in data["nodes"]}) == len(data["nodes"])


@pytest.mark.parametrize("layout", ["force", "geo"])
@pytest.mark.slow
def test_large_graph_has_positions_for_every_node_and_physics_off(
    large: Dataset, layout: str
) -> None:
    assert len(large.places) > viz.PHYSICS_LIMIT
    place_ids, ties = select(large, VizOptions(layout=layout))
    data = page_data(render_html(large, layout=layout))
    assert data["physics"] is False
    assert [n["id"] for n in data["nodes"]] == place_ids
    assert len(data["edges"]) == len(ties) == 4000
    for node in data["nodes"]:
        assert math.isfinite(node["x"]) and math.isfinite(node["y"]), node["id"]


def test_large_graph_is_rendered_without_pyvis_per_node_calls(
    large: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pyvis's add_node/add_edge scan every edge (quadratic): the page must build its lists
    directly, so rendering costs about as much as building the node and edge lists."""
    from pyvis.network import Network

    def forbidden(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("render_html goes through pyvis's quadratic add_node/add_edge")

    monkeypatch.setattr(Network, "add_node", forbidden)
    monkeypatch.setattr(Network, "add_edge", forbidden)
    monkeypatch.setattr(Network, "add_nodes", forbidden)
    page = render_html(large)
    assert len(page_data(page)["nodes"]) == 2000


# ---------------------------------------------------------------------------------------------
# escaping


@pytest.mark.parametrize("layout", ["force", "geo"])
def test_hostile_names_and_titles_appear_only_escaped(layout: str) -> None:
    dataset = hostile_dataset()
    page = render_html(dataset, layout=layout, with_visits=True, colour_by="country")
    script = data_script(page)
    # Nothing in the data can end the script element or open a tag.
    assert "</script" not in script.lower()
    assert "<!--" not in script
    raw = data_text(page)
    assert "<" not in raw and ">" not in raw
    assert "\u2028" not in raw and "\u2029" not in raw
    assert "const DATA = " + raw in script
    assert "<img" not in page.lower()
    assert "<a href" not in page.lower()
    assert "onerror=alert" not in page.split("<script>", 1)[0]  # not in the head or the legend
    # Exactly two scripts: nothing the data says opened a third one.
    assert len(re.findall(r"<script\b", page, re.IGNORECASE)) - page.count('"<script>"') == 2
    tags = parse(page)
    assert [t for t, _ in tags.tags].count("script") == 2
    assert not [t for t, _ in tags.tags if t in ("img", "a", "iframe", "svg")]
    # ... and the data still holds the text as it was, once the JSON is read.
    data = page_data(page)
    labels = {n["id"]: n["label"] for n in data["nodes"]}
    assert labels["bad-0"] == XSS_PAYLOADS[0]
    assert labels["bad-1"] == XSS_PAYLOADS[1]
    assert labels["bad-2"] == XSS_PAYLOADS[2] + TURTLE_BREAKERS
    bad_0 = next(n for n in data["nodes"] if n["id"] == "bad-0")
    assert XSS_PAYLOADS[1] in bad_0["names"]
    # The sources' titles are in one table, the page joins them into each tooltip.
    assert bad_0["sources"] == list(dataset.places["bad-0"].sources)
    for i, payload in enumerate(XSS_PAYLOADS):
        assert data["sources"][f"src-{i}"] == f"{payload} {TURTLE_BREAKERS}"
    tie = next(e for e in data["edges"] if e["id"] == "bad-0--bad-1")
    assert tie["sources"] == list(dataset.partnerships["bad-0--bad-1"].sources)
    assert tie["title"].endswith("notes: " + " ".join(XSS_PAYLOADS))
    assert data["areas"] == [{"id": "evil", "label": XSS_PAYLOADS[0]}]


def test_hostile_page_title_is_escaped() -> None:
    page = render_html(hostile_dataset(), title=XSS_PAYLOADS[1] + XSS_PAYLOADS[0])
    head = page.split("<script>", 1)[0]
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in head
    assert "<img" not in page.lower()
    assert len(re.findall(r"<script>", page)) == 2 + page.count('"<script>"')


# ---------------------------------------------------------------------------------------------
# the command line


def test_viz_command_writes_the_page_atomically(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "sistercities.html"
    result = run_cli(["--no-cache", "viz", "--data", str(DATA), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    dataset = sistercities.load_dataset(DATA)
    assert out.read_text(encoding="utf-8") == render_html(dataset)
    # Written again over itself: replaced by a rename (a new inode), leaving no temporary.
    before = out.stat().st_ino
    result = run_cli(
        ["viz", "--data", str(DATA), "--layout", "geo", "--title", "Geo", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.stat().st_ino != before
    assert sorted(p.name for p in out.parent.iterdir()) == ["sistercities.html"]
    assert page_data(out.read_text(encoding="utf-8"))["physics"] is False


def test_viz_command_leaves_the_old_file_when_writing_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "sistercities.html"
    out.write_text("old page", encoding="utf-8")

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    result = run_cli(["viz", "--data", str(DATA), "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert "cannot write" in result.output
    assert out.read_text(encoding="utf-8") == "old page"
    assert [p.name for p in tmp_path.iterdir()] == ["sistercities.html"]


@pytest.mark.parametrize(
    ("name", "expected"), [("Kiev", "kyiv"), ("kyiv", "kyiv"), ("Jakarta", "jakarta")]
)
def test_viz_focus_resolves_names(tmp_path: Path, name: str, expected: str) -> None:
    out = tmp_path / "focus.html"
    result = CliRunner().invoke(
        cli, ["viz", "--data", str(DATA), "--focus", name, "--depth", "1", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    dataset = sistercities.load_dataset(DATA)
    place_ids, ties = select(dataset, VizOptions(focus=expected, depth=1))
    data = page_data(out.read_text(encoding="utf-8"))
    assert [n["id"] for n in data["nodes"]] == place_ids
    assert [e["id"] for e in data["edges"]] == [t.id for t in ties]
    assert expected in place_ids


def test_viz_unknown_focus_exits_1_with_a_suggestion(tmp_path: Path) -> None:
    out = tmp_path / "nope.html"
    result = CliRunner().invoke(
        cli, ["viz", "--data", str(DATA), "--focus", "Jakartaa", "-o", str(out)]
    )
    assert result.exit_code == 1
    assert "Jakartaa" in result.output
    assert "did you mean" in result.output and "jakarta" in result.output.lower()
    assert not out.exists()


def test_viz_as_of_with_from_is_a_usage_error(tmp_path: Path) -> None:
    out = tmp_path / "nope.html"
    result = CliRunner().invoke(
        cli, ["viz", "--data", str(DATA), "--as-of", "1995", "--from", "1990", "-o", str(out)]
    )
    assert result.exit_code == 2
    assert "--as-of" in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "options"),
    [
        (["--country", "ma"], {"countries": ["MA"]}),
        (["--kind", "sister-province"], {"kind": "sister-province"}),
        (["--as-of", "1995"], {"as_of": "1995"}),
        (["--from", "1990", "--to", "1999"], {"year_from": 1990, "year_to": 1999}),
    ],
    ids=["country", "kind", "as-of", "from-to"],
)
def test_viz_filters_match_select(
    tmp_path: Path, dataset: Dataset, args: list[str], options: dict[str, Any]
) -> None:
    out = tmp_path / "filtered.html"
    result = run_cli(["viz", "--data", str(DATA), *args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    place_ids, ties = select(dataset, VizOptions(**options))
    data = page_data(out.read_text(encoding="utf-8"))
    assert [n["id"] for n in data["nodes"]] == place_ids
    assert [e["id"] for e in data["edges"]] == [t.id for t in ties]


def test_build_writes_both_html_pages(tmp_path: Path, dataset: Dataset) -> None:
    result = run_cli(["build", "--data", str(DATA), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    everything = tmp_path / "sister-cities.html"
    jakarta = tmp_path / "jakarta.html"
    assert f"wrote {everything}" in result.output
    assert f"wrote {jakarta}" in result.output
    whole = page_data(everything.read_text(encoding="utf-8"))
    place_ids, ties = select(dataset, VizOptions())
    assert [n["id"] for n in whole["nodes"]] == place_ids
    assert len(whole["edges"]) == len(ties)
    near = page_data(jakarta.read_text(encoding="utf-8"))
    place_ids, ties = select(dataset, VizOptions(focus="jakarta", depth=2))
    assert [n["id"] for n in near["nodes"]] == place_ids
    assert [e["id"] for e in near["edges"]] == [t.id for t in ties]


# ---------------------------------------------------------------------------------------------
# issue 13: the world view, a place at a time, the map, the years


def test_focus_is_networkx_ego_graph_of_the_city_network(dataset: Dataset) -> None:
    import networkx as nx
    from sistercities.network import city_network

    for depth in (1, 2, 3):
        place_ids, ties = select(dataset, VizOptions(focus="jakarta", depth=depth))
        expected = nx.ego_graph(city_network(dataset), "jakarta", radius=depth)
        assert set(place_ids) == set(expected)
        assert {t.id for t in ties} == {key for _, _, key in expected.edges(keys=True)}


def test_focus_on_a_place_without_ties_is_that_place_alone() -> None:
    lonely = hostile_dataset()
    place_ids, ties = select(lonely, VizOptions(focus="bad-2", kind="sister-city"))
    assert place_ids == ["bad-2"] and ties == []


@pytest.mark.parametrize("year", [1960, 1975, 1990, 1995, 2005, 2020])
def test_counts_are_the_selection_of_viz_to_that_year(dataset: Dataset, year: int) -> None:
    place_ids, ties = select(dataset, VizOptions(year_to=year))
    undated = [t for t in dataset.partnerships.values() if t.since is None]
    assert viz.counts(dataset, year_to=year) == {
        "places": len(place_ids),
        "ties": len(ties),
        "undated": len(undated),
    }
    assert all(t.since is not None for t in ties)


def test_counts_and_the_page_data_agree_on_start_years(dataset: Dataset) -> None:
    """The slider filters on each tie's `begun` (its earliest possible year): the same ties as
    select's year_to, year by year."""
    data = page_data(render_html(dataset))
    years = [e["begun"] for e in data["edges"] if "begun" in e]
    for year in range(min(years), max(years) + 1):
        shown = [e for e in data["edges"] if "begun" in e and e["begun"] <= year]
        places = {p for e in shown for p in (e["from"], e["to"])}
        expected = viz.counts(dataset, year_to=year)
        assert (len(places), len(shown)) == (expected["places"], expected["ties"]), year
    assert sum("begun" not in e for e in data["edges"]) == viz.counts(dataset)["undated"]


def test_viz_command_reports_its_counts(tmp_path: Path, dataset: Dataset) -> None:
    out = tmp_path / "y.html"
    result = CliRunner().invoke(cli, ["viz", "--data", str(DATA), "--to", "1995", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote {out}: {viz.summary(dataset, year_to=1995)}" in result.output
    expected = viz.counts(dataset, year_to=1995)
    assert f"{expected['undated']} ties with unknown start dates left out" in result.output
    result = CliRunner().invoke(cli, ["viz", "--data", str(DATA), "-o", str(out)])
    everything = viz.counts(dataset)
    assert f"{everything['places']} places, {everything['ties']} ties, " in result.output
    assert everything["places"] == len(dataset.places)


def test_page_data_carries_what_the_panel_lists(dataset: Dataset) -> None:
    data = page_data(render_html(dataset))
    edge = next(e for e in data["edges"] if e["id"] == "jakarta--los-angeles")
    tie = dataset.partnerships["jakarta--los-angeles"]
    assert edge["since"] == str(tie.since) and "until" not in edge
    assert edge["begun"] == 1990
    assert edge["sources"] == list(tie.sources)
    assert set(data["sources"]) >= set(tie.sources)
    assert data["sources"][tie.sources[0]] == dataset.sources[tie.sources[0]].title
    node = next(n for n in data["nodes"] if n["id"] == "jakarta")
    coverage = dataset.places["jakarta"].coverage
    assert coverage is not None  # the curated data says, as of an official list
    assert node["coverage"] == {
        "complete": coverage.complete,
        "as_of": str(coverage.as_of),
        "sources": list(coverage.sources),
        "notes": coverage.notes,
    }
    assert set(data["sources"]) >= set(coverage.sources)
    assert next(n for n in data["nodes"] if n["id"] == "rabat")["coverage"] is None
    assert node["kind"] == "province"


def test_coverage_goes_into_the_page() -> None:
    import dataclasses

    from sistercities.model import Coverage

    base = hostile_dataset()
    places = dict(base.places)
    places["bad-0"] = dataclasses.replace(
        places["bad-0"], coverage=Coverage(True, PartialDate.parse("2019-02"), ("src-1",), "n")
    )
    data = page_data(render_html(dataclasses.replace(base, places=places)))
    node = next(n for n in data["nodes"] if n["id"] == "bad-0")
    expected = {"complete": True, "as_of": "2019-02", "sources": ["src-1"], "notes": "n"}
    assert node["coverage"] == expected
    assert data["sources"]["src-1"].startswith(XSS_PAYLOADS[1])


def test_world_sized_pages_open_by_country(large: Dataset) -> None:
    assert len(large.places) > viz.CLUSTER_ABOVE
    data = page_data(render_html(large))
    clusters = data["clusters"]
    countries = sorted({p.country or "" for p in large.places.values()})
    assert [c["code"] for c in clusters] == countries
    for cluster in clusters:
        inside = [n for n in data["nodes"] if (n["country"] or "") == cluster["code"]]
        assert cluster["x"] == pytest.approx(sum(n["x"] for n in inside) / len(inside), abs=0.01)
        assert cluster["id"] == f"country:{cluster['code'] or '?'}"
        assert cluster["name"]
    # Every place and tie is still in the page (the panel and the selection need them).
    assert len(data["nodes"]) == len(large.places)
    assert len(data["edges"]) == len(large.partnerships)
    assert page_data(render_html(sistercities.load_dataset(DATA)))["clusters"] is None


def test_outlines_are_natural_earth_from_the_package_in_page_coordinates() -> None:
    from sistercities.viz_map import ATLAS, country_outlines

    shipped = Path(viz.__file__).parent / ATLAS
    assert shipped.is_file() and shipped.stat().st_size > 100_000
    assert (shipped.parent / "LICENSE").is_file()
    topology = json.loads(shipped.read_text(encoding="utf-8"))
    assert topology["type"] == "Topology"
    rings = country_outlines(viz.SCALE)
    xs = [x for r in rings for x in r[0::2]]
    ys = [y for r in rings for y in r[1::2]]
    # Longitudes within the map (rings across the antimeridian run on a little past ±180°).
    assert min(xs) >= -192 * viz.SCALE and max(xs) <= 192 * viz.SCALE
    assert min(ys) >= -90 * viz.SCALE and max(ys) <= 90 * viz.SCALE
    # No ring jumps across the map (the antimeridian is unwrapped), except along the edge of
    # the map at a pole (Antarctica's ring is closed there).
    pole = 90 * viz.SCALE
    for ring in rings:
        points = list(zip(ring[0::2], ring[1::2], strict=True))
        for (x0, y0), (x1, y1) in itertools.pairwise(points):
            assert abs(x1 - x0) < 180 * viz.SCALE or abs(y0) == abs(y1) == pole


def test_outlines_only_under_geographic_positions(dataset: Dataset) -> None:
    assert page_data(render_html(dataset.neighbourhood("jakarta", 1)))["outlines"] is None
    geo = page_data(render_html(dataset, layout="geo"))["outlines"]
    assert geo is not None and len(geo) > 200
    page = render_html(dataset, layout="geo")
    assert "https://" not in data_text(page)


def test_tooltips_say_an_open_end_as_the_page_does() -> None:
    """An active tie goes on "now"; an ended tie whose end no source gives ends "end unknown"
    (not "now")."""
    places = {i: Place(i, i.title(), "city", "FR", ("s",)) for i in ("a", "b", "c")}
    since = PartialDate.parse("1990")
    ties = {
        "a--b": Partnership("a--b", ("a", "b"), "sister-city", "active", ("s",), since=since),
        "a--c": Partnership("a--c", ("a", "c"), "sister-city", "ended", ("s",), since=since),
    }
    dataset = Dataset(sources={"s": Source("s", "S")}, places=places, partnerships=ties)
    titles = {e["id"]: e["title"] for e in page_data(render_html(dataset))["edges"]}
    assert titles["a--b"].endswith("sister-city, active, 1990 – now")
    assert titles["a--c"].endswith("sister-city, ended, 1990 – end unknown")


def test_a_visit_tooltip_gives_its_dates(dataset: Dataset) -> None:
    data = page_data(render_html(dataset, with_visits=True))
    visits = {e["id"].split(":")[1]: e["title"] for e in data["edges"] if e["kind"] == "visit"}
    assert visits
    for ident, title in visits.items():
        visit = dataset.visits[ident]
        dates = (
            str(visit.start)
            if visit.end in (None, visit.start)
            else (f"{visit.start} – {visit.end}")
        )
        assert title.split("\n")[0].endswith(f", {dates}"), title
        assert "now" not in title.split("\n")[0]
