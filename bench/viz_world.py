"""Benchmark: is the world page as interactive as a neighbourhood page? (issue 13, item 1)

Writes two pages with the real command line — `sistercities viz` of the whole data and
`sistercities viz --focus jakarta --depth 1` — opens each in Debian's headless Chromium
(/usr/bin/chromium, network cut off), and measures, in the same run:

- load: from navigation to the page's first drawn frame (`window.sisterCities.ready`);
- frames: the intervals between `requestAnimationFrame` callbacks while the script drags the
  graph around and turns the mouse wheel in and out over it (their 90th percentile, p90).

The targets: the world page's frame-time p90 at most 3x the neighbourhood page's, its load time
at most 5x. Rounds alternate between the pages; the medians of the rounds are reported.

    python -m bench.viz_world [--data PATH ...] [--rounds 3] [--select jakarta] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# Records every requestAnimationFrame interval until stopped.
START_FRAMES = """() => {
  window.__frames = []; window.__recording = true;
  let last = performance.now();
  const tick = (now) => {
    window.__frames.push(now - last); last = now;
    if (window.__recording) requestAnimationFrame(tick);
  };
  requestAnimationFrame((now) => { last = now; requestAnimationFrame(tick); });
}"""
STOP_FRAMES = "() => { window.__recording = false; return window.__frames; }"
READY = "() => window.sisterCities !== undefined && window.sisterCities.ready === true"


def write_pages(data: list[Path], folder: Path, focus: str) -> dict[str, Path]:
    """Both pages, written by the installed command line (as a researcher would)."""
    command = [sys.executable, str(ROOT / "cli.py")]
    data_args = [arg for path in data for arg in ("--data", str(path))]
    pages = {"world": folder / "world.html", "neighbourhood": folder / "neighbourhood.html"}
    jobs = {
        "world": [*data_args, "viz", "-o", str(pages["world"])],
        "neighbourhood": [
            *data_args,
            "viz",
            "--focus",
            focus,
            "--depth",
            "1",
            "-o",
            str(pages["neighbourhood"]),
        ],
    }
    for name, args in jobs.items():
        started = time.perf_counter()
        subprocess.run([*command, *args], check=True, cwd=ROOT, stderr=subprocess.PIPE)
        seconds = time.perf_counter() - started
        size = pages[name].stat().st_size / 1e6
        print(f"{name}: written in {seconds:.1f} s, {size:.1f} MB", file=sys.stderr)
    return pages


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def interact(page: Any) -> None:
    """Drag the graph in a loop, then wheel in and out, over the middle of the canvas."""
    box = page.locator("#graph canvas").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)
    for dx, dy in ((220, 0), (0, 160), (-220, 0), (0, -160)):
        page.mouse.down()
        x, y = cx, cy
        for step in range(1, 16):
            page.mouse.move(x + dx * step / 15, y + dy * step / 15)
        page.mouse.up()
        page.mouse.move(cx, cy)
    for delta in [-120] * 8 + [120] * 8:
        page.mouse.wheel(0, delta)
        page.wait_for_timeout(16)


def measure(browser: Any, path: Path, select: str | None) -> dict[str, Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.route(
        "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort()
    )
    context.set_offline(True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    started = time.perf_counter()
    page.goto(path.as_uri(), timeout=180_000)
    page.wait_for_function(READY, timeout=180_000, polling=10)
    loaded = time.perf_counter() - started
    page.wait_for_timeout(300)
    if select:
        page.evaluate("(id) => window.sisterCities.select(id)", select)
        page.wait_for_timeout(200)
    page.evaluate(START_FRAMES)
    interact(page)
    frames: list[float] = page.evaluate(STOP_FRAMES)
    counts = page.inner_text("#count")
    context.close()
    if errors:
        raise RuntimeError(f"{path.name}: {errors}")
    return {
        "load_s": loaded,
        "frames": len(frames),
        "p90_ms": percentile(frames, 0.9),
        "median_ms": statistics.median(frames),
        "max_ms": max(frames),
        "count": counts,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, action="append", default=[])
    parser.add_argument("--focus", default="jakarta")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--select", help="Also measure the world page with this place selected.")
    parser.add_argument("--json", action="store_true", help="Print the results as JSON.")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    data = args.data  # none: the command line's default, the curated data over the world layers
    with tempfile.TemporaryDirectory() as folder:
        pages = write_pages(data, Path(folder), args.focus)
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in pages}
        if args.select:
            runs["world-selected"] = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_FLAGS
            )
            for round_number in range(args.rounds):
                for name in runs:
                    path = pages["world" if name == "world-selected" else name]
                    result = measure(
                        browser, path, args.select if name == "world-selected" else None
                    )
                    runs[name].append(result)
                    print(
                        f"round {round_number + 1} {name}: load {result['load_s']:.2f} s, "
                        f"frame p90 {result['p90_ms']:.1f} ms (median {result['median_ms']:.1f},"
                        f" max {result['max_ms']:.0f}, {result['frames']} frames)"
                        f" [{result['count']}]",
                        file=sys.stderr,
                    )
            browser.close()
    summary = {
        name: {
            "load_s": statistics.median(r["load_s"] for r in results),
            "p90_ms": statistics.median(r["p90_ms"] for r in results),
        }
        for name, results in runs.items()
    }
    base = summary["neighbourhood"]
    for values in summary.values():
        values["load_ratio"] = values["load_s"] / base["load_s"]
        values["p90_ratio"] = values["p90_ms"] / base["p90_ms"]
    if args.json:
        print(json.dumps({"cpus": os.cpu_count(), "pages": summary}, indent=2))
        return
    print(f"{'page':<16}{'load (s)':>10}{'x':>7}{'frame p90 (ms)':>16}{'x':>7}")
    for name, values in summary.items():
        print(
            f"{name:<16}{values['load_s']:>10.2f}{values['load_ratio']:>7.2f}"
            f"{values['p90_ms']:>16.1f}{values['p90_ratio']:>7.2f}"
        )
    world = summary["world"]
    met = world["load_ratio"] <= 5 and world["p90_ratio"] <= 3
    print(f"targets (load <= 5x, frame p90 <= 3x): {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
