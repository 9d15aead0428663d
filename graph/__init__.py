"""The sister-city knowledge graph: curated YAML facts → a checked `Dataset` → exports.

In a notebook: ``sistercities.load()`` gives the data the command line answers from (the curated
facts with the world layers under them; `sistercities.resolve` says which paths); a `Dataset`
converts to networkx, rdflib, pandas and pyvis (docs/python-api.md is the tour).

>>> import sistercities
>>> curated = sistercities.load(curated_only=True)
>>> curated  # doctest: +ELLIPSIS
<Dataset: ... places, ... partnerships, ... sources, ... areas, ...>

The public API, in the order data flows:

>>> dataset = sistercities.load_dataset(sistercities.DEFAULT_DATA)
>>> dataset.partnerships["jakarta--los-angeles"].since.text
'1990'
>>> report = sistercities.validate(sistercities.DEFAULT_DATA)
>>> report.ok
True
>>> sistercities.parse_date("1990~").earliest.year
1989
"""

from __future__ import annotations

from .atomic import write_atomic
from .dates import DateSyntaxError, PartialDate, Precision, parse_date
from .errors import DataError, ExportError, Location, Problem, Severity, SisterCitiesError
from .export import build_exports, partnership_rows
from .load import LoadResult, Report, load_dataset, read_dataset, validate
from .model import (
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
from .packaged import CURATED_DATA
from .resolve import data_paths
from .resolve import load as load  # the function (the module sistercities.load reads files)
from .rules import RULES
from .schema import json_schema

__version__ = "0.1.0"  # pyproject.toml reads it from here

# The embedded default dataset: the curated file (data/cities.yaml, packaged with the code).
DEFAULT_DATA = CURATED_DATA

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
    "data_paths",
    "json_schema",
    "load",
    "load_dataset",
    "parse_date",
    "partnership_rows",
    "read_dataset",
    "validate",
    "write_atomic",
]
