"""The sister-city knowledge graph: curated YAML facts → a checked `Dataset` → exports.

The public API, in the order data flows:

>>> import graph
>>> dataset = graph.load_dataset(graph.DEFAULT_DATA)
>>> dataset.partnerships["jakarta--los-angeles"].since.text
'1990'
>>> report = graph.validate(graph.DEFAULT_DATA)
>>> report.ok
True
>>> graph.parse_date("1990~").earliest.year
1989
"""

from __future__ import annotations

from pathlib import Path

from graph.atomic import write_atomic
from graph.dates import DateSyntaxError, PartialDate, Precision, parse_date
from graph.errors import DataError, ExportError, Location, Problem, Severity, SisterCitiesError
from graph.export import build_exports, partnership_rows
from graph.load import LoadResult, Report, load_dataset, read_dataset, validate
from graph.model import (
    Agreement,
    Area,
    Coordinates,
    Coverage,
    Dataset,
    Event,
    Official,
    Partnership,
    Place,
    ReportedCount,
    Role,
    Session,
    Source,
    Visit,
)
from graph.rules import RULES
from graph.schema import json_schema

__version__ = "0.1.0"  # pyproject.toml reads it from here

# The embedded default dataset: data/cities.yaml beside the package.
DEFAULT_DATA = Path(__file__).resolve().parent.parent / "data" / "cities.yaml"

__all__ = [
    "DEFAULT_DATA",
    "RULES",
    "Agreement",
    "Area",
    "Coordinates",
    "Coverage",
    "DataError",
    "Dataset",
    "DateSyntaxError",
    "Event",
    "ExportError",
    "LoadResult",
    "Location",
    "Official",
    "PartialDate",
    "Partnership",
    "Place",
    "Precision",
    "Problem",
    "Report",
    "ReportedCount",
    "Role",
    "Session",
    "Severity",
    "SisterCitiesError",
    "Source",
    "Visit",
    "__version__",
    "build_exports",
    "json_schema",
    "load_dataset",
    "parse_date",
    "partnership_rows",
    "read_dataset",
    "validate",
    "write_atomic",
]
