"""Benchmark: the Turtle export against pyoxigraph serializing the same triples alone.

Both are measured in the same run, on the same generated dataset (bench/generate.py); the
ratio is what matters (target: at most 1.5). With --rdflib, rdflib's Graph and serializer are
timed too, for reference.

    python -m bench.export_turtle [--places 20000 --ties 50000 --visits 10000] [--rdflib]
"""

from __future__ import annotations

import argparse
import gc
import io
import time
from collections.abc import Callable

import pyoxigraph as ox
from sistercities.export import export_bytes
from sistercities.gc import no_garbage_collection
from sistercities.rdf import oxigraph_triples, prefixes, to_rdf, triples

from bench.generate import generate


def best_of(repeats: int, run: Callable[[], object]) -> float:
    """The fastest of `repeats` runs, in seconds (the least disturbed by the machine)."""
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--places", type=int, default=20_000)
    parser.add_argument("--ties", type=int, default=50_000)
    parser.add_argument("--visits", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rdflib", action="store_true", help="also time rdflib (slow)")
    args = parser.parse_args()

    dataset = generate(args.places, args.ties, args.visits)
    binds = prefixes()
    plain_triples = list(triples(dataset))
    oxigraph_terms = list(oxigraph_triples(plain_triples))
    print(f"dataset: {dataset.counts()}")
    print(f"triples: {len(plain_triples):,}")

    def stream_plain() -> bytes:
        # The same triples, already in memory as plain tuples, streamed into pyoxigraph.
        with no_garbage_collection():
            return ox.serialize(
                oxigraph_triples(plain_triples), None, ox.RdfFormat.TURTLE, prefixes=binds
            )

    def serialize_only() -> bytes:
        # The same triples as pyoxigraph terms built beforehand: the serializer alone.
        with no_garbage_collection():
            return ox.serialize(oxigraph_terms, None, ox.RdfFormat.TURTLE, prefixes=binds)

    def ours() -> bytes:
        # Dataset -> triples -> pyoxigraph -> Turtle, as `sistercities export` does.
        return export_bytes(dataset, "turtle")

    assert ours() == stream_plain() == serialize_only(), "all three must write the same Turtle"
    plain_time = best_of(args.repeats, stream_plain)
    serialize_time = best_of(args.repeats, serialize_only)
    our_time = best_of(args.repeats, ours)
    print(f"baseline, pyoxigraph streaming the same triples:   {plain_time:7.3f} s")
    print(f"pyoxigraph serializer alone (terms pre-built):     {serialize_time:7.3f} s")
    print(f"sistercities export --format turtle:               {our_time:7.3f} s")
    print(f"ratio to the baseline: {our_time / plain_time:.2f} (target <= 1.5)")
    print(f"ratio to the serializer alone: {our_time / serialize_time:.2f}")
    if args.rdflib:
        start = time.perf_counter()
        g = to_rdf(dataset)
        built = time.perf_counter() - start
        start = time.perf_counter()
        g.serialize(io.BytesIO(), format="turtle")
        serialized = time.perf_counter() - start
        print(
            f"rdflib Graph: {built:.1f} s, rdflib Turtle serializer: {serialized:.1f} s "
            f"(ratio {(built + serialized) / plain_time:.1f} times the baseline)"
        )


if __name__ == "__main__":
    main()
