"""Benchmark: questions on the default data (the curated facts with the world layers under
them), as real processes, against floors measured in the same run.

(a) the cold first question (empty cache: read, merge, cache) `partners berlin --format json`
    against a floor process that reads the shipped Wikipedia CSV with the `csv` module into a
    networkx Graph (target: at most 4x);
(b) the same question warm (from the cache) against `python -c "import networkx"` (target: at
    most 2x);
(c) warm times of `show`, `path`, `timeline`, `stats` and `viz`, for the record.

Each figure is the fastest of --repeats runs.

    python -m bench.world [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from sistercities.world import WIKIPEDIA_CSV

from bench.questions import SCRIPT, best

FLOOR = f"""
import csv
import networkx as nx
graph = nx.Graph()
with open({str(WIKIPEDIA_CSV)!r}, newline="", encoding="utf-8") as handle:
    for row in csv.DictReader(handle):
        graph.add_edge((row["city1"], row["country1"]), (row["city2"], row["country2"]))
print(graph.number_of_nodes(), graph.number_of_edges())
"""


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    cache = Path(tempfile.mkdtemp(prefix="sistercities-bench-"))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SISTERCITIES")},
        "SISTERCITIES_CACHE_DIR": str(cache),
    }

    def empty_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)
        cache.mkdir()

    question = [str(SCRIPT), "partners", "berlin", "--format", "json"]
    try:
        floor = best(args.repeats, [sys.executable, "-c", FLOOR], env)
        cold = best(args.repeats, question, env, before=empty_cache)
        networkx = best(args.repeats, [sys.executable, "-c", "import networkx"], env)
        warm = best(args.repeats, question, env)
        print(
            f"cold partners berlin: {cold:.2f} s; csv+networkx floor: {floor:.2f} s; "
            f"ratio {cold / floor:.2f} (target <= 4)"
        )
        print(
            f"warm partners berlin: {warm:.2f} s; import networkx: {networkx:.2f} s; "
            f"ratio {warm / networkx:.2f} (target <= 2)"
        )
        out = Path(tempfile.mkdtemp(prefix="sistercities-bench-viz-"))
        for name, command in [
            ("show tokyo", ["show", "tokyo", "--format", "json"]),
            ("path jakarta bordeaux", ["path", "jakarta", "bordeaux"]),
            ("timeline", ["timeline", "--format", "json"]),
            ("stats", ["stats", "--format", "json"]),
            ("viz (the world page)", ["viz", "-o", str(out / "world.html")]),
            (
                "viz --focus jakarta --depth 1",
                ["viz", "--focus", "jakarta", "--depth", "1", "-o", str(out / "jakarta.html")],
            ),
        ]:
            seconds = best(args.repeats, [str(SCRIPT), *command], env)
            print(f"{name}: {seconds:.2f} s")
        shutil.rmtree(out, ignore_errors=True)
    finally:
        shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
