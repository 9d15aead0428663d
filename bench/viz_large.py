"""Benchmark: the interactive HTML of a world-sized dataset with --layout geo.

Prints the time to generate the page, its size, and the time headless Chromium (Debian's,
/usr/bin/chromium) takes to load it, draw its first frame and report its number of places.
(bench.viz_world compares the world page with a neighbourhood page.)

    python -m bench.viz_large [--places 20000 --ties 50000 --visits 10000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sistercities.viz import render_html

from bench.generate import generate

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--places", type=int, default=20_000)
    parser.add_argument("--ties", type=int, default=50_000)
    parser.add_argument("--visits", type=int, default=10_000)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    dataset = generate(args.places, args.ties, args.visits)
    start = time.perf_counter()
    page_text = render_html(dataset, layout="geo")
    rendered = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "world.html"
        path.write_text(page_text, encoding="utf-8")
        print(f"dataset: {dataset.counts()}")
        print(f"page generated in {rendered:.2f} s: {path.stat().st_size / 1e6:.1f} MB")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_FLAGS
            )
            page = browser.new_page()
            start = time.perf_counter()
            page.goto(path.as_uri(), timeout=120_000)
            page.wait_for_function(
                "window.sisterCities !== undefined && window.sisterCities.ready", timeout=120_000
            )
            drawn = page.evaluate("Number(document.getElementById('count').dataset.places)")
            loaded = time.perf_counter() - start
            count = page.inner_text("#count")
            browser.close()
        print(f"Chromium loaded it and reported {drawn} places in {loaded:.2f} s ({count!r})")


if __name__ == "__main__":
    main()
