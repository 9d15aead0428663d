"""Benchmark: publishing the imported world network into real SPARQL stores.

The Wikipedia twin-town lists (tests/data/twin_cities_wikipedia.csv) are imported as the tests
do, then published with `graph.store.publish` into Oxigraph (`oxigraph serve`) and Virtuoso
(Debian's `virtuoso-t`, through its Digest-protected `-auth` endpoints), each started on
127.0.0.1 as the tests start them:

(a) replace into an empty graph, and (b) replace again over the old content (what a
    republish does): seconds, triples/s, and the time of the upload, the swap (MOVE) and the
    verification (COUNT);
(c) the baseline, measured in the same run: one raw POST of the same N-Triples (the whole
    export in one request, with urllib alone) into another graph of the same store. The ratio
    is the publish's time over the baseline's.

For the baseline Virtuoso's anonymous SPARQL user is granted SPARQL_UPDATE (a private server),
so that the raw POST needs no authentication.

    python bench/publish.py [--stores oxigraph,virtuoso] [--chunk-triples 50000]
"""

from __future__ import annotations

import argparse
import configparser
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # the store launchers the tests use

import stores  # noqa: E402
from sistercities.export import export_bytes  # noqa: E402
from sistercities.load import load_layers  # noqa: E402
from sistercities.store import Endpoint, PublishReport, publish  # noqa: E402

WORLD_CSV = ROOT / "tests" / "data" / "twin_cities_wikipedia.csv"
GRAPH = "https://example.org/graphs/world"
BASELINE = "https://example.org/graphs/baseline"


def raw_post(store_url: str, graph: str, body: bytes) -> float:
    """Seconds for one POST of `body` (N-Triples) into `graph`, with urllib alone."""
    url = store_url + "?graph=" + urllib.parse.quote(graph, safe="")
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/n-triples"}
    )
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=3600) as response:
        response.read()
    return time.perf_counter() - start


def grant_anonymous_update(folder: Path) -> None:
    ini = configparser.ConfigParser(strict=False)
    ini.read(folder / "virtuoso.ini")
    port = ini["Parameters"]["ServerPort"].rpartition(":")[2]
    subprocess.run(
        ["isql-vt", port, "dba", "dba", 'exec=grant SPARQL_UPDATE to "SPARQL";'],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def line(store: str, what: str, report: PublishReport, baseline: float) -> str:
    return (
        f"{store:<9} {what:<22} {report.triples:>9,} {report.seconds:>8.2f} "
        f"{report.triples_per_second:>9,.0f} {report.upload_seconds:>8.2f} "
        f"{report.swap_seconds:>7.2f} {report.verify_seconds:>7.2f} "
        f"{report.seconds / baseline:>6.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stores", default="oxigraph,virtuoso")
    parser.add_argument("--chunk-triples", type=int, default=50_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-publish-") as tmp:
        work = Path(tmp)
        world = work / "world.yaml"
        imported = stores.run("import", "wikipedia-csv", str(WORLD_CSV), "-o", str(world))
        assert imported.returncode == 0, imported.stderr
        dataset = load_layers([world])
        body = export_bytes(dataset, "n-triples")
        print(f"world network: {len(dataset.places):,} places, {len(body) / 1e6:.1f} MB N-Triples")
        print(
            f"{'store':<9} {'what':<22} {'triples':>9} {'seconds':>8} {'triples/s':>9} "
            f"{'upload':>8} {'swap':>7} {'verify':>7} {'ratio':>6}"
        )
        for name in args.stores.split(","):
            folder = work / name
            folder.mkdir()
            server = stores.oxigraph(folder) if name == "oxigraph" else stores.virtuoso(folder)
            with server as url:
                if name == "oxigraph":
                    endpoint = Endpoint.parse(url)
                    store_url, query_url = url + "/store", url + "/query"
                else:
                    endpoint = Endpoint.parse(url + "/sparql-auth", "dba", "dba")
                    grant_anonymous_update(folder)
                    store_url, query_url = url + "/sparql-graph-crud", url + "/sparql"
                reports = []
                for _ in range(2):
                    reports.append(
                        publish(dataset, endpoint, graph=GRAPH, chunk_triples=args.chunk_triples)
                    )
                baseline = raw_post(store_url, BASELINE, body)
                held = stores.count(query_url, BASELINE)
                assert held == reports[0].triples, (held, reports[0].triples)
                print(line(name, "replace, empty graph", reports[0], baseline))
                print(line(name, "replace, over old", reports[1], baseline))
                rate = held / baseline
                print(
                    f"{name:<9} {'baseline: one raw POST':<22} {held:>9,} {baseline:>8.2f} "
                    f"{rate:>9,.0f} {baseline:>8.2f} {'':>7} {'':>7} {1:>6.2f}"
                )


if __name__ == "__main__":
    main()
