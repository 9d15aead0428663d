"""Audit: how right the default answers are, against partner lists that places' own governments
publish (bench/audit/official_lists.yaml; see bench/audit/README.md for how it was made).

For every place of the sample, runs the installed command line as a real process,

    sistercities partners <query> --format json [--extra-args]

and scores each row it returns against the official list:

- correct: the row is an official partner not matched by an earlier row (by QID when both the
  row and the partner have one; otherwise by normalised name, against the partner's English
  name and its other forms, and by country when the row has one);
- duplicate: the row is an official partner already matched by an earlier row (one real place
  listed twice: wrong for precision);
- wrong: the row is no official partner.

A failed lookup (exit code not 0: no such place, ambiguous name) returns no rows: its partners
count as missed. Totals: micro precision = correct rows / rows returned, recall = official
partners found / official partners, duplicate rows, failed lookups.

    python -m bench.audit [--verbose] [--json] [--extra-args=--all] [--only QUERY]
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import subprocess
import sys
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

SCRIPT = Path(sys.executable).parent / "sistercities"
SAMPLE = Path(__file__).resolve().parent / "audit" / "official_lists.yaml"

_QID_IN_ID = re.compile(r"(?:^|-)(q[1-9][0-9]*)$", re.IGNORECASE)
_NOT_WORD = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class Partner:
    """One partner on an official list."""

    name: str
    country: str | None = None
    wikidata: str | None = None
    forms: tuple[str, ...] = ()
    kind: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class Place:
    """One place of the sample: what a user types, and its official list."""

    query: str
    name: str
    country: str
    partners: tuple[Partner, ...]
    wikidata: str | None = None
    url: str = ""


@dataclass
class PlaceScore:
    """How the answer for one place compares with its official list."""

    query: str
    official: int
    rows: int = 0
    correct: int = 0
    duplicates: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    failed: str | None = None

    @property
    def found(self) -> int:
        """Official partners matched by some row."""
        return self.official - len(self.missing)


def normalise(text: str) -> str:
    """A name as compared: case folded, accents stripped, punctuation and spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    bare = bare.replace("ø", "o").replace("æ", "ae").replace("œ", "oe").replace("ł", "l")
    bare = bare.replace("đ", "d").replace("ı", "i").replace("ß", "ss")
    return _NOT_WORD.sub(" ", bare).strip()


def row_qid(row: Mapping[str, Any]) -> str | None:
    """The row's Wikidata QID: its `wikidata` field, else one ending its id (`bern-q70`)."""
    value = row.get("wikidata")
    if isinstance(value, str) and value:
        return value.upper()
    match = _QID_IN_ID.search(str(row.get("partner") or ""))
    return match.group(1).upper() if match else None


def matches(row: Mapping[str, Any], partner: Partner) -> bool:
    """Whether a row names this official partner."""
    qid = row_qid(row)
    if qid and partner.wikidata:
        return qid == partner.wikidata.upper()
    name = normalise(str(row.get("name") or ""))
    if not name or name not in {normalise(n) for n in (partner.name, *partner.forms)}:
        return False
    country = row.get("country")
    return not (country and partner.country and str(country).upper() != partner.country.upper())


def describe(row: Mapping[str, Any]) -> str:
    """A row as the report shows it."""
    return f"{row.get('name')} ({row.get('country') or '?'}, {row.get('partner')})"


def score_place(place: Place, rows: Sequence[Mapping[str, Any]]) -> PlaceScore:
    """Score one answer (its rows, in order) against the place's official list."""
    score = PlaceScore(query=place.query, official=len(place.partners), rows=len(rows))
    matched: set[int] = set()
    for row in rows:
        hits = [i for i, partner in enumerate(place.partners) if matches(row, partner)]
        fresh = [i for i in hits if i not in matched]
        if fresh:
            matched.add(fresh[0])
            score.correct += 1
        elif hits:
            score.duplicates.append(describe(row))
        else:
            score.wrong.append(describe(row))
    score.missing = [p.name for i, p in enumerate(place.partners) if i not in matched]
    return score


def failed_place(place: Place, message: str) -> PlaceScore:
    """The score of a lookup that failed: no rows, every partner missed."""
    score = score_place(place, [])
    score.failed = message
    return score


def totals(scores: Iterable[PlaceScore]) -> dict[str, Any]:
    """Micro totals over the sample."""
    scores = list(scores)
    rows = sum(s.rows for s in scores)
    correct = sum(s.correct for s in scores)
    official = sum(s.official for s in scores)
    found = sum(s.found for s in scores)
    return {
        "places": len(scores),
        "official_partners": official,
        "rows": rows,
        "correct_rows": correct,
        "duplicate_rows": sum(len(s.duplicates) for s in scores),
        "wrong_rows": sum(len(s.wrong) for s in scores),
        "partners_found": found,
        "precision": round(correct / rows, 3) if rows else None,
        "recall": round(found / official, 3) if official else None,
        "failed_lookups": [f"{s.query}: {s.failed}" for s in scores if s.failed],
    }


def _partner(entry: Mapping[str, Any], where: str) -> Partner:
    if not isinstance(entry, Mapping) or not entry.get("name"):
        raise ValueError(f"{where}: a partner needs a name")
    forms = entry.get("forms") or []
    if not isinstance(forms, list):
        raise ValueError(f"{where}: forms must be a list")
    return Partner(
        name=str(entry["name"]),
        country=entry.get("country"),
        wikidata=entry.get("wikidata"),
        forms=tuple(str(f) for f in forms),
        kind=entry.get("kind"),
        status=entry.get("status"),
    )


def load_sample(path: Path = SAMPLE) -> list[Place]:
    """The sample's places, checked for what scoring needs (a query, partners, a source)."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries = document.get("places") if isinstance(document, Mapping) else None
    if not isinstance(entries, list):
        raise ValueError(f"{path}: a mapping with a list `places` expected")
    places = []
    for number, entry in enumerate(entries, 1):
        where = f"{path}: place {number}"
        if not isinstance(entry, Mapping) or not entry.get("query"):
            raise ValueError(f"{where}: a place needs a query")
        reference = entry.get("reference")
        if not isinstance(reference, Mapping) or not reference.get("url"):
            raise ValueError(f"{where} ({entry['query']}): a reference with a url is needed")
        partners = entry.get("partners")
        if not isinstance(partners, list) or not partners:
            raise ValueError(f"{where} ({entry['query']}): partners are needed")
        places.append(
            Place(
                query=str(entry["query"]),
                name=str(entry.get("name") or entry["query"]),
                country=str(entry.get("country") or ""),
                wikidata=entry.get("wikidata"),
                url=str(reference["url"]),
                partners=tuple(
                    _partner(p, f"{where} ({entry['query']}) partner {i}")
                    for i, p in enumerate(partners, 1)
                ),
            )
        )
    return places


def answer_rows(document: Any) -> list[Mapping[str, Any]]:
    """The rows of a `--format json` answer: a list, or an object holding one."""
    if isinstance(document, Mapping):
        for key in ("rows", "partners", "ties"):
            if isinstance(document.get(key), list):
                document = document[key]
                break
    if not isinstance(document, list):
        raise ValueError("the answer holds no list of rows")
    return [row for row in document if isinstance(row, Mapping)]


def ask(place: Place, extra: Sequence[str]) -> PlaceScore:
    """Run `partners` for the place as a real process and score its answer."""
    command = [str(SCRIPT), "partners", place.query, "--format", "json", *extra]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        message = " ".join(done.stderr.split())[:200] or f"exit code {done.returncode}"
        return failed_place(place, message)
    try:
        rows = answer_rows(json.loads(done.stdout))
    except ValueError as error:
        return failed_place(place, f"unreadable answer: {error}")
    return score_place(place, rows)


def report(scores: Sequence[PlaceScore], verbose: bool) -> str:
    """The human report: per place with --verbose, and always the totals."""
    lines = []
    if verbose:
        for s in scores:
            head = f"{s.query}: {s.rows} rows, {s.correct} correct, {s.found}/{s.official} found"
            lines.append(head + (f"  FAILED: {s.failed}" if s.failed else ""))
            for label, items in (
                ("duplicate", s.duplicates),
                ("wrong", s.wrong),
                ("missing", s.missing),
            ):
                if items:
                    lines.append(f"    {label} ({len(items)}): " + "; ".join(items))
        lines.append("")
    t = totals(scores)
    lines += [
        f"places: {t['places']}, official partners: {t['official_partners']}",
        f"rows returned: {t['rows']}: correct {t['correct_rows']}, "
        f"duplicate {t['duplicate_rows']}, wrong {t['wrong_rows']}",
        f"precision (micro): {t['precision']}",
        f"recall: {t['recall']} ({t['partners_found']} of {t['official_partners']})",
        f"failed lookups: {len(t['failed_lookups'])}",
        *(f"    {f}" for f in t["failed_lookups"]),
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the audit and print its report."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sample", type=Path, default=SAMPLE, help="the sample file")
    parser.add_argument("--extra-args", default="", help="flags for `partners` (e.g. --all)")
    parser.add_argument("--only", action="append", help="only this query (repeatable)")
    parser.add_argument("--verbose", action="store_true", help="report every place")
    parser.add_argument("--json", action="store_true", help="totals (and places) as JSON")
    args = parser.parse_args(argv)

    places = load_sample(args.sample)
    if args.only:
        places = [p for p in places if p.query in args.only]
    extra = shlex.split(args.extra_args)
    scores = [ask(place, extra) for place in places]
    if args.json:
        document: dict[str, Any] = {"totals": totals(scores), "extra_args": extra}
        if args.verbose:
            document["places"] = [asdict(s) | {"found": s.found} for s in scores]
        print(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        print(report(scores, args.verbose))


if __name__ == "__main__":
    main()
