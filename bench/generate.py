"""A large, realistic random dataset for benchmarks: places with non-ASCII names, ties with a
heavy-tailed degree distribution (preferential attachment, like the real network), visits.

    python -m bench.generate --places 20000 --ties 50000 --visits 10000 -o /tmp/world.yaml
"""

from __future__ import annotations

import argparse
import datetime
import random
from pathlib import Path

from sistercities.dates import PartialDate
from sistercities.model import (
    Coordinates,
    Dataset,
    Event,
    Official,
    Partnership,
    Place,
    Role,
    Source,
    Visit,
    tie_id,
)

SYLLABLES = [
    "ja",
    "kar",
    "ta",
    "bu",
    "da",
    "pest",
    "ist",
    "an",
    "bul",
    "ca",
    "sa",
    "blan",
    "ça",
    "são",
    "pau",
    "lo",
    "hạ",
    "long",
    "kő",
    "bá",
    "nya",
    "zü",
    "rich",
    "mün",
    "chen",
    "kyō",
    "to",
    "ål",
    "borg",
    "ré",
    "ims",
    "łódź",
    "žil",
    "ina",
    "cluj",
    "na",
    "po",
    "ca",
    "ñu",
    "ñoa",
]
COUNTRIES = ["ID", "US", "MA", "TR", "FR", "DE", "JP", "CN", "BR", "PL", "HU", "VN", "ES", "NO"]
KINDS = ["sister-city"] * 8 + ["friendship", "cooperation", "sister-province"]


def _name(rng: random.Random) -> str:
    parts = [rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))]
    return "".join(parts).capitalize() + (
        f" {rng.choice(['Nord', 'Süd', 'Ost'])}" if rng.random() < 0.05 else ""
    )


def _date(rng: random.Random) -> PartialDate:
    year = rng.randint(1950, 2024)
    roll = rng.random()
    if roll < 0.6:
        return PartialDate.parse(year)
    if roll < 0.8:
        return PartialDate.parse(f"{year}-{rng.randint(1, 12):02d}")
    if roll < 0.9:
        day = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randint(0, 364))
        return PartialDate.parse(day.isoformat())
    return PartialDate.parse(f"{year}{rng.choice('~?')}")


def generate(places: int, ties: int, visits: int, seed: int = 1990) -> Dataset:
    """A dataset with the given numbers of places, ties and visits (reproducible by seed)."""
    rng = random.Random(seed)
    sources = {
        f"src-{i}": Source(f"src-{i}", f"Source «{i}» — “quoted”", publisher="Bench")
        for i in range(50)
    }
    source_ids = list(sources)
    place_entries: dict[str, Place] = {}
    for i in range(places):
        ident = f"place-{i}"
        place_entries[ident] = Place(
            ident,
            _name(rng),
            "city",
            rng.choice(COUNTRIES),
            (rng.choice(source_ids),),
            aliases=(_name(rng),) if rng.random() < 0.2 else (),
            coordinates=Coordinates(
                round(rng.uniform(-60, 70), 4), round(rng.uniform(-180, 180), 4)
            ),
            wikidata=f"Q{rng.randint(1, 10**8)}",
        )
    ids = list(place_entries)
    # Preferential attachment: each endpoint drawn from the list of endpoints so far (or a new
    # uniform pick), which gives the heavy tail of the real network.
    endpoints: list[str] = []
    partnerships: dict[str, Partnership] = {}
    while len(partnerships) < ties:
        a = rng.choice(endpoints) if endpoints and rng.random() < 0.6 else rng.choice(ids)
        b = rng.choice(endpoints) if endpoints and rng.random() < 0.6 else rng.choice(ids)
        if a == b:
            continue
        ident = tie_id(a, b)
        if ident in partnerships:
            continue
        endpoints += [a, b]
        partnerships[ident] = Partnership(
            ident,
            (a, b),
            rng.choice(KINDS),
            "active" if rng.random() < 0.9 else "ended",
            (rng.choice(source_ids),),
            since=_date(rng) if rng.random() < 0.7 else None,
        )
    officials = {}
    for i in range(max(1, visits // 10)):
        place = rng.choice(ids)
        start = rng.randint(1990, 2018)
        officials[f"official-{i}"] = Official(
            f"official-{i}",
            f"{_name(rng)} {_name(rng)}",
            (rng.choice(source_ids),),
            roles=(
                Role(
                    "Mayor",
                    (rng.choice(source_ids),),
                    of=place,
                    start=PartialDate.parse(start),
                    end=PartialDate.parse(start + 6),
                ),
            ),
        )
    official_ids = list(officials)
    events = {
        f"event-{i}": Event(
            f"event-{i}", f"Forum {i}", rng.choice(ids), _date(rng), (rng.choice(source_ids),)
        )
        for i in range(100)
    }
    visit_entries = {}
    for i in range(visits):
        visitor = officials[rng.choice(official_ids)]
        role = visitor.roles[0]
        assert role.start is not None and role.start.earliest is not None
        year = rng.randint(role.start.earliest.year, role.start.earliest.year + 5)
        visit_entries[f"visit-{i}"] = Visit(
            f"visit-{i}",
            (visitor.id,),
            rng.choice(ids),
            PartialDate.parse(f"{year}-{rng.randint(1, 12):02d}"),
            (rng.choice(source_ids),),
            purpose="Study visit <b>&</b> talks",
            events=(rng.choice(list(events)),) if rng.random() < 0.2 else (),
        )
    return Dataset(
        sources=sources,
        places=place_entries,
        partnerships=partnerships,
        officials=officials,
        events=events,
        visits=visit_entries,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--places", type=int, default=20_000)
    parser.add_argument("--ties", type=int, default=50_000)
    parser.add_argument("--visits", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1990)
    parser.add_argument("-o", "--output", type=Path, help="write the dataset as YAML here")
    args = parser.parse_args()
    dataset = generate(args.places, args.ties, args.visits, args.seed)
    if args.output:
        write_yaml(dataset, args.output)
    print(dataset.counts())


def write_yaml(dataset: Dataset, path: Path) -> None:
    """Write the dataset in the format of data/cities.yaml."""
    from sistercities.dump import dataset_to_yaml

    path.write_text(dataset_to_yaml(dataset, partnership_ids=False), encoding="utf-8")


if __name__ == "__main__":
    main()
