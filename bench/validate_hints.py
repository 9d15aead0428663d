"""Benchmark: `validate` on data with many unknown references, whose "did you mean" hints are
searched among every id (graph.errors.NearWords), at two sizes.

For each size (places; ties 2.5x, visits 0.5x, unknown references 1.5% of the places, as in
"20,000 ids with 300 unknown references"), measured in one run on the dataset of
bench/generate.py written as YAML, with some ties' places misspelled (`place-1234` →
`plcae-1234`, `place-12345`):

(a) `graph.load.validate` of that file, against the same dataset without the misspellings
    (the baseline: the ratio is what the hints cost);
(b) the hints alone: every unknown reference looked up by `NearWords`, against plain
    ``difflib.get_close_matches`` over every id per reference (what validate did before),
    on at most `--difflib-refs` references (difflib's time is given per reference and
    extrapolated: at 20,000 ids it ran for minutes).

Near-linear growth: with 10x the ids (and 10x the unknown references), (a) grows about 10x,
where difflib's per-reference search grows 10x per reference and 100x in all.

    python -m bench.validate_hints [--sizes 2000,20000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import random
import tempfile
import time
from pathlib import Path

from sistercities.errors import NearWords
from sistercities.load import validate
from sistercities.model import Dataset

from bench.generate import generate, write_yaml


def misspelled(ident: str, rng: random.Random) -> str:
    """An id that is not one: two letters swapped, or a digit added."""
    if rng.random() < 0.5:
        return ident.replace("place", "plcae", 1)
    return f"{ident}{rng.randint(0, 9)}x"


def with_unknown_references(
    dataset: Dataset, count: int, seed: int = 16
) -> tuple[Dataset, list[str]]:
    """The dataset with `count` ties whose first place is a misspelled id."""
    rng = random.Random(seed)
    ties = dict(dataset.partnerships)
    unknown: list[str] = []
    for ident in rng.sample(sorted(ties), count):
        tie = ties[ident]
        wrong = misspelled(tie.between[0], rng)
        unknown.append(wrong)
        ties[ident] = dataclasses.replace(tie, between=(wrong, tie.between[1]))
    return dataclasses.replace(dataset, partnerships=ties), unknown


def hints(ids: list[str], unknown: list[str]) -> list[list[str]]:
    """The hint of every unknown reference, as validate finds them: one index of the ids."""
    near = NearWords(ids)
    return [near.closest(word) for word in unknown]


def best_of(repeats: int, work: object) -> float:
    """The fastest of `repeats` runs of `work()`, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="2000,20000", help="numbers of places, by commas")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--difflib-refs", type=int, default=10)
    args = parser.parse_args()

    rows = []
    work = Path(tempfile.mkdtemp(prefix="sistercities-bench-"))
    for places in (int(s) for s in args.sizes.split(",")):
        refs = max(1, places * 15 // 1000)
        clean = generate(places, places * 5 // 2, places // 2)
        broken, unknown = with_unknown_references(clean, refs)
        clean_file, broken_file = work / f"clean-{places}.yaml", work / f"broken-{places}.yaml"
        write_yaml(clean, clean_file)
        write_yaml(broken, broken_file)
        report = validate(broken_file)
        found = [p for p in report.errors if p.rule == "unknown-reference"]
        assert len(found) == refs, (len(found), refs)
        assert all("did you mean" in p.message for p in found), found[:3]

        baseline = best_of(args.repeats, lambda: validate(clean_file))  # noqa: B023
        measured = best_of(args.repeats, lambda: validate(broken_file))  # noqa: B023
        ids = sorted(clean.places)
        indexed = best_of(args.repeats, lambda: hints(ids, unknown))  # noqa: B023
        sample = unknown[: args.difflib_refs]
        plain = best_of(1, lambda: [difflib.get_close_matches(w, ids, n=1) for w in sample])  # noqa: B023
        near = NearWords(ids)
        assert [near.closest(w) for w in sample] == [
            difflib.get_close_matches(w, ids, n=1) for w in sample
        ]
        rows.append((places, refs, baseline, measured, indexed, plain / len(sample)))

    print(
        "places  unknown refs  validate: clean  with the refs  ratio  hints: index (all)  "
        "difflib per ref  difflib (all, extrapolated)"
    )
    for places, refs, baseline, measured, indexed, per_ref in rows:
        print(
            f"{places:>6,}  {refs:>12,}  {baseline:>13.2f}s  {measured:>12.2f}s  "
            f"{measured / baseline:>5.2f}  {indexed:>17.3f}s  {per_ref:>14.3f}s  "
            f"{per_ref * refs:>26.1f}s"
        )
    if len(rows) > 1:
        (p0, r0, _, m0, i0, d0), (p1, r1, _, m1, i1, d1) = rows[0], rows[-1]
        print(
            f"growth from {p0:,} to {p1:,} places ({p1 / p0:.0f}x ids, {r1 / r0:.0f}x references): "
            f"validate {m1 / m0:.1f}x, the indexed hints {i1 / i0:.1f}x, "
            f"difflib's hints {d1 * r1 / (d0 * r0):.0f}x"
        )


if __name__ == "__main__":
    main()
