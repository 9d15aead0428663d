"""The interactive HTML page in a real browser: Debian's headless Chromium driven by Playwright,
with the network cut off. Never skipped: without /usr/bin/chromium these tests fail (CI
installs it with apt-get; no browser is ever downloaded).

Screenshots of every page go to $SCREENSHOT_DIR when it is set, else to a pytest temporary
folder (printed with -s / in the report of a failure).
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import os
import re
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sistercities
from click.testing import CliRunner
from helpers import DATA
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Route,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError
from sistercities.cli import cli
from sistercities.dates import PartialDate
from sistercities.model import Coordinates, Coverage, Dataset, Partnership, Place, Source
from sistercities.network import city_network
from sistercities.viz import CLUSTER_ABOVE, SCALE, VizOptions, counts, render_html, select
from sistercities.viz_map import country_outlines

from bench.generate import generate

pytestmark = pytest.mark.browser  # Debian's headless chromium

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
XSS_PAYLOADS = (
    "<img src=x onerror=window.__xss=1>",
    "</script><script>window.__xss=1</script>",
    "<a href=# onmouseover=window.__xss=1>x</a>",
)
BOLD_TITLE = '<b>bold & "quoted"</b>'


# ---------------------------------------------------------------------------------------------
# the browser


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) to run "
            "the browser tests; they are never skipped and never download a browser",
            pytrace=False,
        )
    started = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield started
    started.close()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("SCREENSHOT_DIR")
    folder = Path(given) if given else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass
class Viewer:
    """A page opened offline, with the errors and requests it produced."""

    page: Page
    url: str
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)

    def assert_clean(self) -> None:
        assert self.requests == [], f"the page tried to load {self.requests}"
        assert self.errors == [], f"the page logged errors: {self.errors}"


Opener = Callable[..., Viewer]


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    opened = browser.new_context(viewport={"width": 1280, "height": 800})
    yield opened
    opened.close()


@pytest.fixture
def open_page(
    context: BrowserContext, tmp_path: Path, screenshots: Path, request: pytest.FixtureRequest
) -> Iterator[Opener]:
    """A function that writes HTML into tmp_path and opens it with the network cut off:
    every request that is not for a file: URL is aborted and recorded, and the context is
    offline. Each page is screenshot when the test ends."""
    viewers: list[tuple[str, Viewer]] = []
    blocked: list[str] = []

    def route(route: Route) -> None:
        url = route.request.url
        if url.startswith("file:"):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    context.route("**/*", route)
    context.set_offline(True)

    def opener(html: str, name: str, fragment: str = "") -> Viewer:
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        page = context.new_page()
        viewer = Viewer(page, path.as_uri(), requests=blocked)
        page.on(
            "console",
            lambda message: _console(viewer, message),
        )
        page.on("pageerror", lambda error: viewer.errors.append(f"pageerror: {error}"))
        page.on(
            "request",
            lambda req: None if req.url == viewer.url else blocked.append(f"extra: {req.url}"),
        )
        page.goto(viewer.url + fragment)
        page.wait_for_function("window.sisterCities !== undefined")
        page.wait_for_selector("#graph canvas")
        viewers.append((name, viewer))
        return viewer

    yield opener
    test_name = re.sub(r"[^\w.-]+", "_", request.node.name)
    for name, viewer in viewers:
        with contextlib.suppress(PlaywrightError):  # a screenshot is an artifact, not a result
            viewer.page.screenshot(path=str(screenshots / f"{test_name}--{name}.png"))


def _console(viewer: Viewer, message: ConsoleMessage) -> None:
    if message.type == "error":
        viewer.errors.append(f"console: {message.text}")


# ---------------------------------------------------------------------------------------------
# helpers


def wait_drawn(viewer: Viewer) -> None:
    """vis has drawn: a redraw completes and the canvas has painted pixels."""
    viewer.js(
        """() => new Promise((resolve) => {
             const network = window.sisterCities.network;
             network.once("afterDrawing", () => resolve(true));
             network.redraw();
           })"""
    )
    painted = viewer.js(
        """() => {
             const canvas = document.querySelector("#graph canvas");
             const pixels = canvas.getContext("2d")
               .getImageData(0, 0, canvas.width, canvas.height).data;
             let painted = 0;
             for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted++;
             return painted;
           }"""
    )
    assert painted > 100, "the canvas is blank"


def settle(viewer: Viewer) -> None:
    """Stop the physics (after stabilising or a few seconds) and fit every node in view, so
    nodes stay where the mouse is sent."""
    viewer.js(
        """() => new Promise((resolve) => {
             const network = window.sisterCities.network;
             const done = () => { network.stopSimulation(); network.fit({ animation: false });
                                  setTimeout(resolve, 50); };
             network.once("stabilized", done);
             setTimeout(done, 3000);
           })"""
    )


def drawn_counts(viewer: Viewer) -> dict[str, Any]:
    """What the page draws: shown nodes, edges between shown nodes, vis's own bodies."""
    result: dict[str, Any] = viewer.js(
        """() => {
             const s = window.sisterCities;
             const shown = new Set(s.nodeView.getIds());
             const edges = s.edgeView.get().filter((e) => shown.has(e.from) && shown.has(e.to));
             const bodies = s.network.body;
             return {
               nodes: s.nodeView.length,
               nodeIds: s.nodeView.getIds(),
               edgeIds: edges.map((e) => e.id),
               ties: edges.filter((e) => e.kind !== "visit").length,
               visNodes: bodies.nodeIndices.length,
               visEdges: bodies.edgeIndices.filter((id) => bodies.edges[id].connected).length,
               count: document.getElementById("count").textContent,
             };
           }"""
    )
    return result


def hover(viewer: Viewer, point: dict[str, float]) -> None:
    box = viewer.page.locator("#graph canvas").bounding_box()
    assert box is not None
    viewer.page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])


def node_point(viewer: Viewer, ident: str) -> dict[str, float]:
    point: dict[str, float] = viewer.js(
        "(id) => { const n = window.sisterCities.network;"
        " return n.canvasToDOM(n.getPosition(id)); }",
        ident,
    )
    return point


def edge_point(viewer: Viewer, ends: tuple[str, str]) -> dict[str, float]:
    point: dict[str, float] = viewer.js(
        """([a, b]) => { const n = window.sisterCities.network;
             const p = n.getPosition(a), q = n.getPosition(b);
             return n.canvasToDOM({ x: (p.x + q.x) / 2, y: (p.y + q.y) / 2 }); }""",
        list(ends),
    )
    return point


def move_away(viewer: Viewer) -> None:
    viewer.page.mouse.move(2, 2)  # the bar above the graph: no node, no edge
    viewer.page.wait_for_timeout(30)


def tooltip_showing(viewer: Viewer, text: str) -> dict[str, Any]:
    """Wait for the visible vis tooltip to contain `text`; its text, HTML and elements."""
    viewer.page.wait_for_function(
        """(text) => { const t = document.querySelector("div.vis-tooltip");
             return t && getComputedStyle(t).visibility === "visible"
               && t.innerText.includes(text); }""",
        arg=text,
        timeout=5000,
    )
    shown: dict[str, Any] = viewer.js(
        """() => { const t = document.querySelector("div.vis-tooltip");
             return { text: t.innerText, html: t.innerHTML,
                      elements: [...t.querySelectorAll("*")]
                        .map((e) => e.tagName.toLowerCase()) }; }"""
    )
    return shown


def search(viewer: Viewer, text: str) -> list[str]:
    viewer.page.fill("#search", text)
    viewer.page.press("#search", "Enter")
    selected: list[str] = viewer.js("() => window.sisterCities.network.getSelectedNodes()")
    return selected


def expected_counts(dataset: Dataset, **options: Any) -> tuple[list[str], list[str]]:
    place_ids, ties = select(dataset, VizOptions(**options))
    return place_ids, [t.id for t in ties]


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return sistercities.load_dataset(sistercities.DEFAULT_DATA)


def small_dataset(
    names: dict[str, str], titles: tuple[str, ...], countries: tuple[str, ...] = ("ID", "MA", "RO")
) -> Dataset:
    """Places named `names` (id → name), each citing every source titled `titles`, tied in a
    chain and one tie back to the first place."""
    sources = {f"src-{i}": Source(f"src-{i}", title) for i, title in enumerate(titles)}
    ids = tuple(sources)
    places = {
        ident: Place(
            ident,
            name,
            "city",
            countries[i % len(countries)],
            ids,
            coordinates=Coordinates(-40 + 17 * i, -150 + 61 * i),
        )
        for i, (ident, name) in enumerate(names.items())
    }
    order = list(places)
    pairs = list(itertools.pairwise(order))
    if len(order) > 2:
        pairs.append((order[0], order[-1]))
    partnerships = {
        f"{a}--{b}": Partnership(
            f"{a}--{b}",
            (a, b),
            "sister-city",
            "active" if i % 2 == 0 else "ended",
            ids,
            since=PartialDate.parse(1990 + i),
            notes=" ".join(titles),
        )
        for i, (a, b) in enumerate(pairs)
    }
    return Dataset(sources=sources, places=places, partnerships=partnerships)


def hostile_dataset() -> Dataset:
    names = {f"evil-{i}": payload for i, payload in enumerate(XSS_PAYLOADS)}
    names["plain"] = "Plainville"
    return small_dataset(names, (*XSS_PAYLOADS, BOLD_TITLE))


# ---------------------------------------------------------------------------------------------
# tests


def test_page_opens_offline_and_vis_draws(open_page: Opener, dataset: Dataset) -> None:
    viewer = open_page(render_html(dataset), "everything")
    wait_drawn(viewer)
    assert viewer.js("() => typeof vis") == "object"
    viewer.assert_clean()
    # The page cannot reach out (its Content-Security-Policy and the cut network both stop it).
    failed = viewer.js(
        """() => fetch("https://example.org/").then(() => "loaded", (e) => "failed")"""
    )
    assert failed == "failed"
    # And the harness does cut the network: a page without that policy gets aborted too.
    blank = viewer.page.context.new_page()
    blank.goto(viewer.url.rsplit("/", 1)[0] + "/")
    assert (
        blank.evaluate(
            """() => fetch("https://example.org/").then(() => "loaded", (e) => "failed")"""
        )
        == "failed"
    )
    blank.close()


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({}, id="everything"),
        pytest.param({"focus": "jakarta", "depth": 1}, id="jakarta-depth-1"),
        pytest.param({"countries": ["MA"]}, id="country-MA"),
        pytest.param({"kind": "sister-province"}, id="sister-province"),
        pytest.param({"year_from": 1990, "year_to": 1999}, id="1990s"),
        pytest.param({"with_visits": True, "layout": "geo"}, id="geo-visits"),
    ],
)
def test_drawn_counts_equal_the_selection(
    open_page: Opener, dataset: Dataset, options: dict[str, Any]
) -> None:
    place_ids, tie_ids = expected_counts(dataset, **options)
    viewer = open_page(render_html(dataset, **options), "counts")
    wait_drawn(viewer)
    drawn = drawn_counts(viewer)
    assert drawn["nodes"] == drawn["visNodes"] == len(place_ids)
    assert sorted(drawn["nodeIds"]) == sorted(place_ids)
    assert drawn["ties"] == len(tie_ids)
    ties_drawn = [e for e in drawn["edgeIds"] if not e.startswith("visit:")]
    assert sorted(ties_drawn) == sorted(tie_ids)
    assert drawn["visEdges"] == len(drawn["edgeIds"])
    if options.get("with_visits"):
        assert len(drawn["edgeIds"]) > len(tie_ids), "visits are drawn too"
    assert drawn["count"] == f"{len(place_ids):,} places, {len(tie_ids):,} ties"
    viewer.assert_clean()


@pytest.mark.parametrize(
    ("query", "expected"),
    [("jakarta", "jakarta"), ("JAKARTA", "jakarta"), ("constanta", "constanta"), ("Kiew", "kyiv")],
)
def test_search_selects_the_place(
    open_page: Opener, dataset: Dataset, query: str, expected: str
) -> None:
    viewer = open_page(render_html(dataset), "search")
    assert search(viewer, query) == [expected]
    assert dataset.places[expected].name in (viewer.page.text_content("#found") or "")
    viewer.assert_clean()


def test_search_with_the_button_and_a_miss(open_page: Opener, dataset: Dataset) -> None:
    viewer = open_page(render_html(dataset), "search-button")
    viewer.page.fill("#search", "Constanța")
    viewer.page.click("#go")
    assert viewer.js("() => window.sisterCities.network.getSelectedNodes()") == ["constanta"]
    assert search(viewer, "no such place anywhere") == ["constanta"]  # selection kept
    assert viewer.page.text_content("#found") == "no place matches"
    viewer.assert_clean()


ACCENTED = {
    "constanta-ro": "Constanța",
    "zurich": "Zürich",
    "sao-paulo": "São Paulo",
    "izmir": "İzmir",
    "lodz": "Łódź",
    "da-nang": "Đà Nẵng",
}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("constanta", "constanta-ro"),
        ("CONSTANTA", "constanta-ro"),
        ("zurich", "zurich"),
        ("sao paulo", "sao-paulo"),
        ("izmir", "izmir"),
        ("lodz", "lodz"),
        ("da nang", "da-nang"),
    ],
)
def test_search_ignores_accents_without_ascii_aliases(
    open_page: Opener, query: str, expected: str
) -> None:
    """Places that have no ASCII alias, so only the page's accent folding can find them."""
    viewer = open_page(render_html(small_dataset(ACCENTED, ("A source",))), "accents")
    assert search(viewer, query) == [expected]
    viewer.assert_clean()


def test_hovering_a_node_shows_its_sources(open_page: Opener, dataset: Dataset) -> None:
    viewer = open_page(render_html(dataset, focus="jakarta", depth=1), "tooltip")
    settle(viewer)
    hover(viewer, node_point(viewer, "jakarta"))
    title = dataset.sources[dataset.places["jakarta"].sources[0]].title
    shown = tooltip_showing(viewer, title)
    assert shown["text"].startswith("Jakarta (ID")
    viewer.assert_clean()


def test_tooltip_shows_markup_in_a_source_title_as_text(open_page: Opener) -> None:
    bold = small_dataset({"bold-a": "Boldton", "bold-b": "Quoteville"}, (BOLD_TITLE,))
    viewer = open_page(render_html(bold, layout="geo"), "bold")
    wait_drawn(viewer)
    hover(viewer, node_point(viewer, "bold-a"))
    shown = tooltip_showing(viewer, BOLD_TITLE)
    assert "b" not in shown["elements"]
    assert "<b>" not in shown["html"]
    assert '&lt;b&gt;bold &amp; "quoted"&lt;/b&gt;' in shown["html"]
    # And on an edge's tooltip.
    move_away(viewer)
    hover(viewer, edge_point(viewer, ("bold-a", "bold-b")))
    shown = tooltip_showing(viewer, "Boldton – Quoteville")
    assert BOLD_TITLE in shown["text"]
    assert "b" not in shown["elements"]
    viewer.assert_clean()


@pytest.mark.parametrize("layout", ["force", "geo"])
def test_xss_payloads_never_run(open_page: Opener, layout: str) -> None:
    hostile = hostile_dataset()
    viewer = open_page(render_html(hostile, layout=layout, title=XSS_PAYLOADS[1]), "xss")
    wait_drawn(viewer)
    assert viewer.js("() => window.__xss") is None
    drawn = drawn_counts(viewer)
    assert drawn["nodes"] == len(hostile.places)
    assert drawn["ties"] == len(hostile.partnerships)
    injected = "() => document.querySelectorAll('img, a, iframe, object, embed').length"
    assert viewer.js(injected) == 0
    assert viewer.page.title() == XSS_PAYLOADS[1]
    settle(viewer)
    # Every node, one after another, then every edge (at its middle).
    for ident, place in hostile.places.items():
        hover(viewer, node_point(viewer, ident))
        shown = tooltip_showing(viewer, place.name)
        assert XSS_PAYLOADS[0] in shown["text"]  # a source title, as text
        assert not {"img", "a", "script"} & set(shown["elements"]), shown["html"]
        assert viewer.js("() => window.__xss") is None, f"hovering {ident} ran a payload"
        move_away(viewer)
    for tie in hostile.partnerships.values():
        hover(viewer, edge_point(viewer, tie.between))
        shown = tooltip_showing(viewer, " – ")
        assert not {"img", "a", "script"} & set(shown["elements"]), shown["html"]
        assert viewer.js("() => window.__xss") is None, f"hovering {tie.id} ran a payload"
        move_away(viewer)
    # The names still show, as text, in the search result.
    assert search(viewer, "onerror") == ["evil-0"]
    assert viewer.page.text_content("#found") == f"{XSS_PAYLOADS[0]} (ID)"
    assert viewer.js(injected) == 0
    assert viewer.js("() => window.__xss") is None
    viewer.assert_clean()


def test_country_filter_draws_only_that_country(open_page: Opener, dataset: Dataset) -> None:
    place_ids, ties = select(dataset, VizOptions())
    morocco = [p for p in place_ids if dataset.places[p].country == "MA"]
    inside = [t.id for t in ties if all(dataset.places[p].country == "MA" for p in t.between)]
    assert 1 < len(morocco) < len(place_ids)
    viewer = open_page(render_html(dataset), "country-filter")
    viewer.page.select_option("#country", "MA")
    wait_drawn(viewer)
    drawn = drawn_counts(viewer)
    assert sorted(drawn["nodeIds"]) == sorted(morocco)
    assert drawn["nodes"] == drawn["visNodes"] == len(morocco)
    assert sorted(drawn["edgeIds"]) == sorted(inside)
    assert drawn["visEdges"] == len(inside)
    assert drawn["count"] == f"{len(morocco)} places, {len(inside)} ties"
    # Back to every country.
    viewer.page.select_option("#country", "")
    assert drawn_counts(viewer)["nodes"] == len(place_ids)
    viewer.assert_clean()


def test_kind_filter_keeps_ties_of_that_kind(open_page: Opener, dataset: Dataset) -> None:
    place_ids, ties = select(dataset, VizOptions(kind="sister-province"))
    viewer = open_page(render_html(dataset), "kind-filter")
    viewer.page.select_option("#kind", "sister-province")
    drawn = drawn_counts(viewer)
    assert sorted(drawn["nodeIds"]) == sorted(place_ids)
    assert sorted(drawn["edgeIds"]) == sorted(t.id for t in ties)
    viewer.assert_clean()


def test_geo_layout_opens_with_positions_from_coordinates(
    open_page: Opener, dataset: Dataset
) -> None:
    viewer = open_page(render_html(dataset, layout="geo"), "geo")
    wait_drawn(viewer)
    assert drawn_counts(viewer)["nodes"] == len(dataset.places)
    jakarta = viewer.js("() => window.sisterCities.network.getPosition('jakarta')")
    rabat = viewer.js("() => window.sisterCities.network.getPosition('rabat')")
    assert jakarta["x"] > rabat["x"]  # east
    assert jakarta["y"] > rabat["y"]  # south
    viewer.page.wait_for_timeout(300)
    assert viewer.js("() => window.sisterCities.network.getPosition('jakarta')") == jakarta
    viewer.assert_clean()


@pytest.mark.parametrize("layout", ["force", "geo"])
def test_large_generated_graph_opens_by_country(open_page: Opener, layout: str) -> None:
    """Past CLUSTER_ABOVE places the page opens with one node a country and one edge a pair of
    countries; it still counts every place and tie, and a click opens a country."""
    large: Dataset = generate(2000, 4000, 200)
    assert len(large.places) > CLUSTER_ABOVE
    place_ids, tie_ids = expected_counts(large, layout=layout)
    started = time.perf_counter()
    viewer = open_page(render_html(large, layout=layout), f"large-{layout}")
    wait_drawn(viewer)
    seconds = time.perf_counter() - started
    drawn = drawn_counts(viewer)
    countries = {large.places[p].country for p in place_ids}
    assert drawn["nodes"] == drawn["visNodes"] == len(countries)
    assert all(i.startswith("country:") for i in drawn["nodeIds"])
    assert (
        drawn["count"]
        == f"{len(place_ids):,} places, {len(tie_ids):,} ties"
        == ("2,000 places, 4,000 ties")
    )
    pairs = {
        tuple(sorted(large.places[p].country or "" for p in large.partnerships[t].between))
        for t in tie_ids
    }
    assert drawn["visEdges"] == len({p for p in pairs if p[0] != p[1]})
    # A click on a country draws its places instead, and its ties between them.
    code = sorted(countries)[0]
    inside = [p for p in place_ids if large.places[p].country == code]
    viewer.page.mouse.move(2, 2)
    viewer.js(
        "(id) => window.sisterCities.network.fit({ nodes: [id], animation: false })",
        f"country:{code}",
    )
    hover(viewer, node_point(viewer, f"country:{code}"))
    box = viewer.page.locator("#graph canvas").bounding_box()
    assert box is not None
    point = node_point(viewer, f"country:{code}")
    viewer.page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    opened = drawn_counts(viewer)
    assert sorted(i for i in opened["nodeIds"] if not i.startswith("country:")) == sorted(inside)
    assert f"country:{code}" not in opened["nodeIds"]
    internal = [
        t
        for t in tie_ids
        if all(large.places[p].country == code for p in large.partnerships[t].between)
    ]
    assert set(internal) <= set(opened["edgeIds"])
    assert viewer.page.is_visible("#collapse")
    viewer.page.click("#collapse")
    assert drawn_counts(viewer)["nodes"] == len(countries)
    print(f"large graph ({layout}): rendered, loaded and counted in {seconds:.2f} s")
    viewer.assert_clean()


# ---------------------------------------------------------------------------------------------
# a place at a time


def highlighted(viewer: Viewer) -> dict[str, Any]:
    """What the selection made of the drawing: highlighted edges, the selected and partner
    nodes, the dimmed ones, and the rows of the side panel."""
    result: dict[str, Any] = viewer.js(
        """() => {
             const s = window.sisterCities;
             const nodes = s.nodes.get();
             return {
               edges: s.edges.get().filter((e) => e.highlight).map((e) => e.id).sort(),
               lit: nodes.filter((n) => n.highlight).map((n) => n.id).sort(),
               dim: nodes.filter((n) => n.color && n.color.background === "#e4e4e4")
                 .map((n) => n.id).sort(),
               panel: [...document.querySelectorAll("#place li")]
                 .map((li) => li.dataset.tie).sort(),
               partners: [...document.querySelectorAll("#place button.partner")]
                 .map((b) => b.dataset.place).sort(),
               hash: location.hash,
             };
           }"""
    )
    return result


def ties_of(dataset: Dataset, place: str) -> list[str]:
    network = city_network(dataset)
    ties = sorted(key for _, _, key in network.edges(place, keys=True))
    assert len(ties) == network.degree(place)
    return ties


def click_node(viewer: Viewer, ident: str) -> None:
    box = viewer.page.locator("#graph canvas").bounding_box()
    assert box is not None
    point = node_point(viewer, ident)
    viewer.page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


@pytest.mark.parametrize("how", ["search", "click", "fragment"])
@pytest.mark.parametrize("place", ["jakarta", "kyiv", "rabat"])
def test_selecting_a_place_highlights_exactly_its_ties(
    open_page: Opener, dataset: Dataset, place: str, how: str
) -> None:
    ties = ties_of(dataset, place)
    assert ties, "the place has ties"
    fragment = f"#place={place}" if how == "fragment" else ""
    viewer = open_page(render_html(dataset, layout="geo"), f"select-{place}-{how}", fragment)
    wait_drawn(viewer)
    if how == "search":
        assert search(viewer, dataset.places[place].name) == [place]
    elif how == "click":
        click_node(viewer, place)
    state = highlighted(viewer)
    assert state["edges"] == ties  # count = its degree in the data
    partners = {p for t in ties for p in dataset.partnerships[t].between} - {place}
    assert state["lit"] == sorted({place} | partners)
    assert state["dim"] == sorted(set(dataset.places) - partners - {place})
    assert state["panel"] == ties
    assert set(state["partners"]) == partners
    assert state["hash"] == f"#place={place}"
    assert viewer.page.is_visible("#place")
    assert viewer.js("() => window.sisterCities.network.getSelectedNodes()") == [place]
    # Clicking nowhere clears the selection and the dimming.
    box = viewer.page.locator("#graph canvas").bounding_box()
    assert box is not None
    viewer.js("() => window.sisterCities.network.moveTo({ position: { x: 0, y: -2000 } })")
    viewer.page.mouse.click(box["x"] + 5, box["y"] + 5)
    cleared = highlighted(viewer)
    assert cleared["edges"] == cleared["dim"] == cleared["panel"] == []
    assert not viewer.page.is_visible("#place")
    viewer.assert_clean()


def test_selection_at_world_scale_draws_the_place_with_its_partners(open_page: Opener) -> None:
    """In the page by country, a selected place is drawn with every partner and tie, wherever
    they are; the rest stays countries, dimmed."""
    large: Dataset = generate(2000, 4000, 200)
    network = city_network(large)
    hub = max(sorted(network), key=network.degree)
    ties = ties_of(large, hub)
    viewer = open_page(render_html(large, layout="geo"), "select-world", f"#place={hub}")
    wait_drawn(viewer)
    state = highlighted(viewer)
    assert len(state["edges"]) == network.degree(hub) > 10
    assert state["edges"] == ties
    partners = {p for t in ties for p in large.partnerships[t].between} - {hub}
    assert state["lit"] == sorted({hub} | partners)
    assert state["panel"] == ties
    drawn = drawn_counts(viewer)
    places_drawn = {i for i in drawn["nodeIds"] if not i.startswith("country:")}
    assert places_drawn == {hub} | partners
    # A partner in the panel opens that partner.
    partner = sorted(partners)[0]
    viewer.page.click(f'#place button.partner[data-place="{partner}"]')
    again = highlighted(viewer)
    assert again["edges"] == ties_of(large, partner)
    assert again["hash"] == f"#place={partner}"
    assert viewer.page.text_content("#place h2") == large.places[partner].name
    viewer.assert_clean()


def coverage_dataset() -> Dataset:
    base = small_dataset(
        {"alpha": "Alphaville", "beta": "Betatown", "gamma": "Gammaburg"},
        ("The official list", BOLD_TITLE),
    )
    alpha = base.places["alpha"]
    places = dict(base.places)
    places["alpha"] = dataclasses.replace(
        alpha,
        coverage=Coverage(True, PartialDate.parse("2019-02-14"), ("src-0",), notes="All of them."),
    )
    places["beta"] = dataclasses.replace(
        base.places["beta"], coverage=Coverage(False, PartialDate.parse("2020"), ("src-1",))
    )
    return dataclasses.replace(base, places=places)


def test_the_panel_lists_partners_with_dates_kind_status_sources_and_coverage(
    open_page: Opener,
) -> None:
    data = coverage_dataset()
    viewer = open_page(render_html(data, layout="geo"), "panel", "#place=alpha")
    wait_drawn(viewer)
    panel = viewer.page.locator("#place")
    assert viewer.page.text_content("#place h2") == "Alphaville"
    coverage = panel.locator("p.coverage")
    assert coverage.get_attribute("data-complete") == "yes"
    assert (
        coverage.inner_text() == "Complete as of 2019-02-14 (per The official list). All of them."
    )
    rows = panel.locator("li")
    ties = ties_of(data, "alpha")
    assert rows.count() == len(ties)
    for index in range(rows.count()):
        row = rows.nth(index)
        tie = data.partnerships[row.get_attribute("data-tie") or ""]
        text = row.inner_text()
        assert f"{tie.kind}, {tie.status}, {tie.since} – now" in text
        assert f"sources: The official list; {BOLD_TITLE}" in text
    # A place whose list is said incomplete, and one nothing is said of.
    viewer.page.click('#place button.partner[data-place="beta"]')
    assert coverage.get_attribute("data-complete") == "no"
    assert coverage.inner_text().startswith("Not known to be complete: incomplete as of 2020")
    viewer.js("() => window.sisterCities.select('gamma')")
    assert coverage.get_attribute("data-complete") == "no"
    assert coverage.inner_text() == "Not known to be complete: these are the ties in the data."
    assert viewer.js("() => location.hash") == "#place=gamma"
    # The markup in a source title is text, not a <b>.
    assert panel.locator("b").count() == 0
    viewer.assert_clean()


INJECTED = "() => document.querySelectorAll('img, a, iframe, object, embed, b').length"
SCRIPTS = "() => document.querySelectorAll('script').length"


def assert_inert(viewer: Viewer) -> None:
    assert viewer.js("() => window.__xss") is None
    assert viewer.js(INJECTED) == 0
    assert viewer.js(SCRIPTS) == 2


def test_xss_payloads_stay_inert_on_selection_in_the_panel_and_on_hover(
    open_page: Opener,
) -> None:
    hostile = hostile_dataset()
    viewer = open_page(render_html(hostile, layout="geo"), "xss-select")
    wait_drawn(viewer)
    for ident, place in hostile.places.items():
        click_node(viewer, ident)
        assert viewer.page.text_content("#place h2") == place.name
        panel = viewer.page.inner_text("#place")
        for payload in XSS_PAYLOADS:
            assert payload in panel  # the sources' titles and names, as text
        assert_inert(viewer)
        # Hovering the selected node and each partner in the panel.
        hover(viewer, node_point(viewer, ident))
        shown = tooltip_showing(viewer, place.name)
        assert not {"img", "a", "script", "b"} & set(shown["elements"]), shown["html"]
        viewer.page.hover("#place button.partner")
        assert_inert(viewer)
        move_away(viewer)
    viewer.page.click("#place button.partner")
    assert_inert(viewer)
    viewer.assert_clean()


@pytest.mark.parametrize("which", [*range(len(XSS_PAYLOADS)), "unknown"])
def test_xss_payloads_stay_inert_through_the_url_fragment(
    open_page: Opener, which: int | str
) -> None:
    hostile = hostile_dataset()
    if which == "unknown":
        ident = XSS_PAYLOADS[0]
        fragment = "#place=" + urllib.parse.quote(ident)
    else:
        ident = f"evil-{which}"
        fragment = f"#place={ident}"
    viewer = open_page(render_html(hostile), f"xss-fragment-{which}", fragment)
    wait_drawn(viewer)
    assert_inert(viewer)
    if which == "unknown":
        assert viewer.page.text_content("#found") == f"no place has the id “{ident}”"
        assert not viewer.page.is_visible("#place")
    else:
        assert viewer.page.text_content("#place h2") == hostile.places[ident].name
    # A payload typed into the fragment after loading, raw (not percent-encoded).
    viewer.js("(p) => { location.hash = 'place=' + p; }", XSS_PAYLOADS[1])
    viewer.page.wait_for_timeout(50)
    assert_inert(viewer)
    viewer.assert_clean()


# ---------------------------------------------------------------------------------------------
# the year slider


def next_frame(viewer: Viewer) -> None:
    """Wait for the page's next animation frame.

    The slider shows its year at once and redraws the network (and its counts) in the next
    frame, so a test reads the counts only after that frame.
    """
    viewer.js("() => new Promise((r) => requestAnimationFrame(() => r(true)))")


def slide_to(viewer: Viewer, year: int) -> dict[str, int]:
    """Move the slider with the keyboard, as a person would: Home, then right arrows."""
    low = viewer.js("() => window.sisterCities.years.min")
    viewer.page.focus("#year")
    viewer.page.keyboard.press("Home")
    for _ in range(year - low):
        viewer.page.keyboard.press("ArrowRight")
    viewer.page.wait_for_function(
        "(y) => document.getElementById('yearText').textContent === `begun by ${y}`", arg=year
    )
    next_frame(viewer)
    shown: dict[str, int] = viewer.js(
        """() => ({ places: Number(document.getElementById("count").dataset.places),
                    ties: Number(document.getElementById("count").dataset.ties),
                    undated: Number(document.getElementById("undated").dataset.ties) })"""
    )
    return shown


@pytest.mark.parametrize("year", [1975, 1995, 2010])
def test_slider_counts_equal_the_command_line_for_the_same_year(
    open_page: Opener, dataset: Dataset, tmp_path: Path, year: int
) -> None:
    expected = counts(dataset, year_to=year)
    result = CliRunner().invoke(
        cli,
        [
            "--no-cache",
            "viz",
            "--data",
            str(DATA),
            "--to",
            str(year),
            "-o",
            str(tmp_path / "y.html"),
        ],
    )
    assert result.exit_code == 0, result.output
    line = (
        f"{expected['places']:,} places, {expected['ties']:,} ties; "
        f"{expected['undated']:,} ties with unknown start dates left out"
    )
    assert line in result.output
    viewer = open_page(render_html(dataset), f"year-{year}")
    wait_drawn(viewer)
    shown = slide_to(viewer, year)
    assert shown == expected
    assert 0 < shown["ties"] < len(dataset.partnerships)
    assert (
        viewer.page.text_content("#count")
        == f"{expected['places']:,} places, {expected['ties']:,} ties"
    )
    assert viewer.page.text_content("#undated") == (
        f"({expected['undated']:,} ties with unknown start dates not shown)"
    )
    place_ids, tie_ids = expected_counts(dataset, year_to=year)
    drawn = drawn_counts(viewer)
    assert sorted(drawn["nodeIds"]) == sorted(place_ids)
    assert sorted(drawn["edgeIds"]) == sorted(tie_ids)
    # The far right is every year, the undated ties included (and said so).
    viewer.page.keyboard.press("End")
    viewer.page.wait_for_function("document.getElementById('yearText').textContent === 'all years'")
    next_frame(viewer)
    everything = counts(dataset)
    assert viewer.page.text_content("#count") == (
        f"{everything['places']:,} places, {everything['ties']:,} ties"
    )
    assert viewer.page.text_content("#undated") == (
        f"({everything['undated']:,} of them with unknown start dates)"
    )
    viewer.assert_clean()


def test_slider_counts_at_world_scale(open_page: Opener) -> None:
    large: Dataset = generate(2000, 4000, 200)
    viewer = open_page(render_html(large), "year-world")
    wait_drawn(viewer)
    years = viewer.js("() => window.sisterCities.years")
    for year in (years["min"] + 5, (years["min"] + years["max"]) // 2):
        assert slide_to(viewer, year) == counts(large, year_to=year)
    viewer.assert_clean()


# ---------------------------------------------------------------------------------------------
# the map


def pixel(viewer: Viewer, point: dict[str, float]) -> list[int]:
    rgba: list[int] = viewer.js(
        """(p) => { const c = document.querySelector("#graph canvas");
             const r = window.devicePixelRatio || 1;
             const x = Math.round(p.x * r), y = Math.round(p.y * r);
             return [...c.getContext("2d").getImageData(x, y, 1, 1).data]; }""",
        point,
    )
    return rgba


def test_country_outlines_load_offline_beneath_the_geo_layout(
    open_page: Opener, dataset: Dataset
) -> None:
    viewer = open_page(render_html(dataset, layout="geo"), "map")
    wait_drawn(viewer)
    state = viewer.js("() => window.sisterCities.map")
    assert state["rings"] == len(country_outlines(SCALE)) > 200
    assert state["drawn"] >= 1
    # Beneath the nodes: with the places and ties hidden, land (central Brazil, Greenland, the
    # Sahara) is the map's fill and the sea is blank.
    viewer.js(
        """() => new Promise((resolve) => { const n = window.sisterCities.network;
             n.setOptions({ nodes: { hidden: true }, edges: { hidden: true } });
             n.once("afterDrawing", () => resolve(true)); n.redraw(); })"""
    )
    for lon, lat in ((-52.0, -11.0), (-40.0, 74.0), (10.0, 24.0)):
        point = viewer.js(
            "([x, y]) => window.sisterCities.network.canvasToDOM({ x, y })",
            [lon * SCALE, -lat * SCALE],
        )
        assert pixel(viewer, point)[:3] == [0xEF, 0xEC, 0xE3], (lon, lat)
    sea = viewer.js(
        "([x, y]) => window.sisterCities.network.canvasToDOM({ x, y })",
        [-30 * SCALE, -30 * SCALE],
    )
    assert pixel(viewer, sea)[3] == 0
    viewer.assert_clean()  # nothing was requested: the outlines are in the page


def test_force_layout_of_a_small_graph_has_no_map(open_page: Opener, dataset: Dataset) -> None:
    viewer = open_page(render_html(dataset.neighbourhood("jakarta", 1)), "no-map")
    wait_drawn(viewer)
    assert viewer.js("() => window.sisterCities.map") == {"rings": 0, "drawn": 0}
    viewer.assert_clean()
