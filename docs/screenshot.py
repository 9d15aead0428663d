"""Takes the README's picture, docs/world.png: the world page (`sistercities viz` of the default
data, the curated facts over the world layers) as Debian's headless chromium draws it, offline,
with one place selected so that its partners show.

    .venv/bin/python docs/screenshot.py [--select jakarta] [-o docs/world.png]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
READY = "() => window.sisterCities !== undefined && window.sisterCities.ready === true"
FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--select", default="", help="A place to select (default: none).")
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "docs" / "world.png")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        page_path = Path(folder) / "world.html"
        command = [sys.executable, "-m", "sistercities", "viz", "-o", str(page_path)]
        subprocess.run(command, check=True, cwd=ROOT)
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
            context = browser.new_context(viewport={"width": 1280, "height": 760})
            context.set_offline(True)
            page = context.new_page()
            page.goto(page_path.as_uri(), timeout=180_000)
            page.wait_for_function(READY, timeout=180_000, polling=50)
            if args.select:
                page.evaluate("(id) => window.sisterCities.select(id)", args.select)
            # two frames drawn after the selection (the page draws on requestAnimationFrame)
            page.evaluate(FRAMES)
            page.screenshot(path=str(args.output))
            browser.close()
    print(f"wrote {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
