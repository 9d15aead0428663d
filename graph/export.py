"""Writing exports: atomically (a temporary file renamed into place) and reproducibly.

`build_exports` writes everything ``sistercities build`` makes into a folder; each export is
a function in `EXPORTS`, so the next format is one more entry.

>>> from graph.dates import parse_date
>>> from graph.model import Dataset, Partnership, Place
>>> a, b = Place("a", "Aa", "city", "ID", ("s",)), Place("b", "Bé", "city", "MA", ("s",))
>>> tie = Partnership("a--b", ("a", "b"), "sister-city", "active", ("s",), since=parse_date(1991))
>>> ds = Dataset(places={"a": a, "b": b}, partnerships={"a--b": tie})
>>> print(partnerships_csv(ds), end="")
id,place_a,place_b,name_a,name_b,country_a,country_b,kind,status,since,until,areas,agreements,sources
a--b,a,b,Aa,Bé,ID,MA,sister-city,active,1991,,,,s
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from graph.errors import ExportError
from graph.model import Dataset
from graph.schema import json_schema

__all__ = [
    "EXPORTS",
    "build_exports",
    "partnership_rows",
    "partnerships_csv",
    "schema_json",
    "write_atomic",
]

PARTNERSHIP_COLUMNS = (
    "id",
    "place_a",
    "place_b",
    "name_a",
    "name_b",
    "country_a",
    "country_b",
    "kind",
    "status",
    "since",
    "until",
    "areas",
    "agreements",
    "sources",
)


def write_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write `data` to `path` through a temporary file in the same folder, renamed into place,
    so a reader never sees half a file and a crash leaves the old file whole."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
        )
    except OSError as error:
        raise ExportError(f"cannot write {target}: {error.strerror or error}") from error
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        Path(temporary).replace(target)
    except BaseException as error:
        with contextlib.suppress(OSError):
            Path(temporary).unlink()
        if isinstance(error, OSError):
            raise ExportError(f"cannot write {target}: {error.strerror or error}") from error
        raise
    return target


def partnership_rows(dataset: Dataset) -> Iterator[dict[str, Any]]:
    """One plain dict a partnership, in file order: an edge list with names and countries."""
    places = dataset.places
    for tie in dataset.partnerships.values():
        a, b = tie.between
        yield {
            "id": tie.id,
            "place_a": a,
            "place_b": b,
            "name_a": places[a].name if a in places else "",
            "name_b": places[b].name if b in places else "",
            "country_a": places[a].country if a in places else "",
            "country_b": places[b].country if b in places else "",
            "kind": tie.kind,
            "status": tie.status,
            "since": str(tie.since) if tie.since else "",
            "until": str(tie.until) if tie.until else "",
            "areas": ";".join(tie.areas),
            "agreements": ";".join(tie.agreements),
            "sources": ";".join(tie.sources),
        }


def partnerships_csv(dataset: Dataset) -> str:
    """The partnerships as CSV with a header row (lists joined by ';')."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=PARTNERSHIP_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(partnership_rows(dataset))
    return buffer.getvalue()


def schema_json() -> str:
    """The JSON Schema of the YAML format, as stable, indented JSON text."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


# File name → a function of the dataset giving the file's text.
EXPORTS: dict[str, Callable[[Dataset], str]] = {
    "cities.schema.json": lambda _dataset: schema_json(),
    "partnerships.csv": partnerships_csv,
}


def build_exports(dataset: Dataset, folder: str | os.PathLike[str]) -> list[Path]:
    """Write every export of `EXPORTS` into `folder`; returns the paths written."""
    return [
        write_atomic(Path(folder) / name, make(dataset).encode("utf-8"))
        for name, make in EXPORTS.items()
    ]
