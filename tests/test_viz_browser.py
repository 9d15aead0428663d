"""The interactive HTML page in a real browser: Debian's headless Chromium driven by Playwright,
with the network cut off. Never skipped: without /usr/bin/chromium these tests fail (CI
installs it with apt-get; no browser is ever downloaded).

Screenshots of every page go to $SCREENSHOT_DIR when it is set, else to a pytest temporary
folder (printed with -s / in the report of a failure).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
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

import graph
from bench.generate import generate
from graph.dates import PartialDate
from graph.model import Coordinates, Dataset, Partnership, Place, Source
from graph.viz import VizOptions, render_html, select

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


Opener = Callable[[str, str], Viewer]


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

    def opener(html: str, name: str) -> Viewer:
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
        page.goto(viewer.url)
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
    return graph.load_dataset(graph.DEFAULT_DATA)


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
    assert drawn["count"] == f"{len(place_ids)} places, {len(tie_ids)} ties drawn"
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
    assert drawn["count"] == f"{len(morocco)} places, {len(inside)} ties drawn"
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
def test_large_generated_graph_opens(open_page: Opener, layout: str) -> None:
    large: Dataset = generate(2000, 4000, 200)
    place_ids, tie_ids = expected_counts(large, layout=layout)
    started = time.perf_counter()
    viewer = open_page(render_html(large, layout=layout), f"large-{layout}")
    wait_drawn(viewer)
    drawn = drawn_counts(viewer)
    seconds = time.perf_counter() - started
    assert drawn["nodes"] == len(place_ids) == 2000
    assert drawn["ties"] == len(tie_ids) == 4000
    assert drawn["count"] == "2000 places, 4000 ties drawn"
    print(f"large graph ({layout}): rendered, loaded and counted in {seconds:.2f} s")
    viewer.assert_clean()
