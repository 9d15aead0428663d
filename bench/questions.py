"""Benchmark: how fast a question is answered on a world-sized dataset, as a real process.

Measured in one run, on the dataset of bench/generate.py written as YAML:

(a) `sistercities partners <the biggest hub> --format json` with a warm cache, against
    `python -c "import networkx"` (target: ratio at most 2);
(b) the same question's first, cold run (parse, check, cache), against a bare
    `yaml.load(..., Loader=yaml.CSafeLoader)` of the same file (target: at most 1.3).

    python -m bench.questions [--places 20000 --ties 50000 --visits 10000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.generate import generate, write_yaml

SCRIPT = Path(sys.executable).parent / "sistercities"


def timed(command: list[str], env: dict[str, str]) -> float:
    """Seconds a process takes to run to completion (it must succeed)."""
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def best(repeats: int, command: list[str], env: dict[str, str], before: object = None) -> float:
    """The fastest of `repeats` runs; `before` (a callable) runs untimed before each."""
    times = []
    for _ in range(repeats):
        if callable(before):
            before()
        times.append(timed(command, env))
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--places", type=int, default=20_000)
    parser.add_argument("--ties", type=int, default=50_000)
    parser.add_argument("--visits", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="sistercities-bench-"))
    try:
        dataset = generate(args.places, args.ties, args.visits)
        data = work / "world.yaml"
        write_yaml(dataset, data)
        degree: Counter[str] = Counter(p for t in dataset.partnerships.values() for p in t.between)
        hub = degree.most_common(1)[0][0]
        cache = work / "cache"
        env = {**os.environ, "SISTERCITIES_CACHE_DIR": str(cache)}
        question = [str(SCRIPT), "--data", str(data), "partners", hub, "--format", "json"]
        print(f"dataset: {dataset.counts()}")
        print(f"file: {data.stat().st_size / 1e6:.1f} MB; hub: {hub} ({degree[hub]} ties)")

        answer = subprocess.run(question, env=env, check=True, capture_output=True, text=True)
        assert len(json.loads(answer.stdout)) == degree[hub]

        def clear_cache() -> None:
            shutil.rmtree(cache, ignore_errors=True)

        yaml_load = [
            sys.executable,
            "-c",
            "import sys, yaml; "
            "yaml.load(open(sys.argv[1], encoding='utf-8'), Loader=yaml.CSafeLoader)",
            str(data),
        ]
        cold = best(args.repeats, question, env, before=clear_cache)
        bare_yaml = best(args.repeats, yaml_load, env)
        subprocess.run(question, env=env, check=True, stdout=subprocess.DEVNULL)  # warm it
        warm = best(args.repeats, question, env)
        networkx = best(args.repeats, [sys.executable, "-c", "import networkx"], env)
        print(
            f"(a) warm question:           {warm:6.3f} s   import networkx: {networkx:6.3f} s   "
            f"ratio {warm / networkx:.2f} (target <= 2)"
        )
        print(
            f"(b) cold question:           {cold:6.3f} s   bare yaml.load:  {bare_yaml:6.3f} s   "
            f"ratio {cold / bare_yaml:.2f} (target <= 1.3)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
