"""YAML files → `Dataset`, keeping the file, line and column of every entry; `validate` reports
every problem (the per-field checks of `sistercities.schema` and the rules of `sistercities.rules`).

>>> from pathlib import Path
>>> dataset = load_dataset(Path(__file__).parent.parent / "data" / "cities.yaml")
>>> dataset.places["jakarta"].wikidata
'Q3630'
>>> dataset.partnerships["jakarta--los-angeles"].since.text
'1990'
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import DataError, Location, Problem, Severity, did_you_mean
from .files import FileRefused, file_problem, read_regular_file
from .gc import no_garbage_collection
from .model import ENTITY_NAMES, SECTION_ATTRIBUTES, Dataset, Partnership, tie_id
from .packaged import MANIFEST, WORLD_DIR
from .rules import check_dataset, located, ties_overlap
from .schema import SECTIONS, describe
from .yamltree import YamlList, YamlMap, read_data_file

__all__ = [
    "DataPaths",
    "LoadResult",
    "Report",
    "data_files",
    "load_dataset",
    "read_dataset",
    "validate",
]

DataPaths = str | os.PathLike[str] | Sequence[str | os.PathLike[str]]


@dataclass
class LoadResult:
    """What reading the data gave: the dataset (what could be built), every problem, and where
    each entry was written (``entries[section][id]`` is its YAML mapping, with locations)."""

    dataset: Dataset
    problems: list[Problem]
    entries: dict[str, dict[str, YamlMap]] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """The problems that are errors."""
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        """The problems that are only warnings."""
        return [p for p in self.problems if not p.is_error]

    def where(self, section: str, ident: str, key: str | None = None) -> Location:
        """The location of an entry, or of one of its values."""
        return located(self.entries, section, ident, key)


def data_files(paths: DataPaths) -> tuple[list[Path], list[Problem]]:
    """The data files that `paths` name: files as given, folders as their ``*.yaml``,
    ``*.yml`` and ``*.json`` files (not recursive; a layers' ``manifest.json`` is not data),
    each file once."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    files: list[Path] = []
    problems: list[Problem] = []
    for given in paths:
        path = Path(given)
        refused = file_problem(path, folder_ok=True)
        if refused is not None:
            problems.append(refused)
        elif path.is_dir():
            found = sorted({*path.glob("*.yaml"), *path.glob("*.yml"), *path.glob("*.json")})
            found = [file for file in found if file.name != MANIFEST]
            if not found:
                problems.append(
                    Problem(
                        Location(str(path)),
                        Severity.ERROR,
                        "no-data",
                        "no *.yaml, *.yml or *.json files here",
                    )
                )
            for file in found:  # a FIFO, a device or a symlink loop named like a data file
                refused = file_problem(file)
                if refused is None or refused.rule == "unreadable":
                    files.append(file)  # a folder named like a file: the reader says so
                else:
                    problems.append(refused)
        else:
            files.append(path)
    unique: dict[Path, Path] = {}
    for file in files:  # the same file named twice is read once
        unique.setdefault(file.resolve(), file)
    return list(unique.values()), problems


def _derived_partnership_ids(
    pending: list[tuple[dict[str, Any], YamlMap, bool]],
) -> list[str | None]:
    """The design's default ids: the two place ids sorted and joined by ``--``; a later tie of
    the same pair adds ``--kind``, so adding a tie never renames the ties before it."""
    taken: set[str] = set()
    ids: list[str | None] = []
    for values, _, _ in pending:
        if values.get("id") is not None:
            ids.append(values["id"])
            continue
        between = values.get("between")
        if not between:
            ids.append(None)
            continue
        a, b = between  # the schema checked that it names two places
        pair = tie_id(a, b)
        if pair in taken:
            ids.append(tie_id(a, b, values.get("kind") or "tie"))
        else:
            taken.add(pair)
            ids.append(pair)
    return ids


def _derived_id_clash(ident: str, first: YamlMap, second: YamlMap) -> Problem:
    """Two ties without ids of the same pair and kind: a duplicate tie, or ids are needed."""
    if ties_overlap(first, second):
        return Problem(
            second.location,
            Severity.ERROR,
            "duplicate-partnership",
            f"this tie repeats '{ident}' at {first.location} (same places, same kind, "
            "overlapping dates)",
        )
    return Problem(
        second.location,
        Severity.ERROR,
        "duplicate-id",
        f"this tie and the one at {first.location} would both get the id '{ident}': "
        "give both an explicit 'id'",
    )


def read_dataset(paths: DataPaths, *, located: bool = True) -> LoadResult:
    """Read and check the data; never raises for bad data, returning every problem instead.

    `paths` is a file, a directory of ``*.yaml`` (and ``*.json``) files, or a list of either,
    merged; ids must be unique across all of them. With `located` False, JSON files are read
    fast, and their problems name only the file (`load_dataset` reads them again to say where).
    """
    files, problems = data_files(paths)
    sections: dict[str, dict[str, Any]] = {name: {} for name in SECTIONS}
    entries: dict[str, dict[str, YamlMap]] = {name: {} for name in SECTIONS}
    declared: dict[str, set[str]] = {name: set() for name in SECTIONS}
    broken: dict[str, dict[str, Any]] = {name: {} for name in SECTIONS}
    pending_ties: list[tuple[dict[str, Any], YamlMap, bool]] = []

    def claim(section: str, ident: Any, entry: YamlMap) -> bool:
        if not isinstance(ident, str):
            return False
        first = entries[section].get(ident)
        if first is not None:
            problems.append(
                Problem(
                    entry.value_location("id") if "id" in entry else entry.location,
                    Severity.ERROR,
                    "duplicate-id",
                    f"{ENTITY_NAMES[section]} id '{ident}' is already used at {first.location}",
                )
            )
            return False
        entries[section][ident] = entry
        declared[section].add(ident)
        return True

    for path in files:
        document, file_problems = read_data_file(path, located=located)
        problems.extend(file_problems)
        name = str(path)
        if file_problems:
            continue
        if document is None:
            problems.append(
                Problem(
                    Location(name, 1, 1),
                    Severity.ERROR,
                    "empty-file",
                    "the file holds no data (it is empty or only comments)",
                )
            )
            continue
        if not isinstance(document, YamlMap):
            problems.append(
                Problem(
                    Location(name, 1, 1),
                    Severity.ERROR,
                    "wrong-type",
                    f"the top level must be a mapping of sections ({', '.join(SECTIONS)}), "
                    f"not {describe(document)}",
                )
            )
            continue
        for section, items in document.items():
            record = SECTIONS.get(section)
            if record is None:
                hint = did_you_mean(section, SECTIONS)
                problems.append(
                    Problem(
                        document.key_location(section),
                        Severity.ERROR,
                        "unknown-key",
                        f"unknown section '{section}'{hint} (sections: {', '.join(SECTIONS)})",
                    )
                )
                continue
            if items is None:
                continue
            if not isinstance(items, YamlList):
                problems.append(
                    Problem(
                        document.value_location(section),
                        Severity.ERROR,
                        "wrong-type",
                        f"section '{section}' must be a list of entries, not {describe(items)}",
                    )
                )
                continue
            for index, item in enumerate(items):
                where = items.item_location(index)
                value, ok = record.convert_lenient(item, where, problems, record.name)
                if not isinstance(item, YamlMap):
                    continue
                if section == "partnerships":
                    pending_ties.append((value, item, ok))
                    continue
                ident = item.get("id")
                if isinstance(ident, str) and claim(section, ident, item):
                    (sections if ok else broken)[section][ident] = value

    for ident, (values, entry, ok) in zip(
        _derived_partnership_ids(pending_ties), pending_ties, strict=True
    ):
        if ident is None:
            continue
        first = entries["partnerships"].get(ident)
        if values.get("id") is None and first is not None:
            problems.append(_derived_id_clash(ident, first, entry))
            continue
        if not claim("partnerships", ident, entry):
            continue
        tie = Partnership(**{**values, "id": ident}, location=entry.location)
        (sections if ok else broken)["partnerships"][ident] = tie

    dataset = Dataset(**{SECTION_ATTRIBUTES[name]: sections[name] for name in SECTIONS})
    result = LoadResult(dataset, problems, entries, files)
    # The whole-dataset rules also look at entries too broken to use, so that one run reports
    # every problem: their wrong values are None.
    checked = Dataset(
        **{SECTION_ATTRIBUTES[name]: {**sections[name], **broken[name]} for name in SECTIONS}
    )
    problems.extend(check_dataset(checked, entries, declared, dataset.partnerships))
    result.problems = _sorted(problems)
    return result


def _sorted(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.location.file, p.location.line, p.location.column))


def read_checked_layer(path: Path, trusted_dir: Path = WORLD_DIR) -> Dataset | None:
    """A layer whose exact bytes were checked when they were written, built without checking
    it again; None for any other file.

    A layer is checked when it lies in `trusted_dir` (the packaged world layers' folder: never
    a manifest that came with someone else's data) and the ``manifest.json`` there gives its
    SHA-256 (`world` writes it after validating the layers; a test validates them again).
    """
    import hashlib
    import json

    try:
        if path.resolve().parent != trusted_dir.resolve():
            return None
        manifest = json.loads(read_regular_file(trusted_dir / MANIFEST))
        expected = manifest["files"][path.name]["sha256"]
        data = read_regular_file(path)
    except (FileRefused, OSError, ValueError, KeyError, TypeError, RecursionError):
        return None
    if not isinstance(expected, str) or hashlib.sha256(data).hexdigest() != expected:
        return None
    where = Location(str(path))
    document = json.loads(data)
    sections: dict[str, dict[str, Any]] = {}
    for section, items in document.items():
        record = SECTIONS[section]
        built: dict[str, Any] = {}
        for item in items:
            entity = record.trusted(item, where)
            if section == "partnerships":  # not located by its record: the loader does it
                entity.__dict__["location"] = where
            built[entity.id] = entity
        sections[SECTION_ATTRIBUTES[section]] = built
    return Dataset(**sections)


def load_dataset(paths: DataPaths) -> Dataset:
    """Load the data, or raise `DataError` listing every problem if any of them is an error."""
    with no_garbage_collection():
        if isinstance(paths, (str, os.PathLike)):
            checked = read_checked_layer(Path(paths))
            if checked is not None:
                return checked
        result = read_dataset(paths, located=False)
        if result.errors:  # say where: JSON layers were read without locations
            result = read_dataset(paths)
    if result.errors:
        raise DataError(result.problems)
    return result.dataset


@dataclass
class Report:
    """The outcome of `validate`: problems in file order, and the dataset's counts."""

    problems: list[Problem]
    counts: dict[str, int]
    files: list[str]

    @property
    def errors(self) -> list[Problem]:
        """Only the errors."""
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        """Only the warnings."""
        return [p for p in self.problems if not p.is_error]

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors

    def warnings_by_rule(self) -> dict[str, list[Problem]]:
        """The warnings grouped by rule, rules in the order they first appear, each rule's
        warnings in file order."""
        groups: dict[str, list[Problem]] = {}
        for problem in self.warnings:
            groups.setdefault(problem.rule, []).append(problem)
        return groups

    def as_dict(self) -> dict[str, Any]:
        """A plain dict for JSON output."""
        return {
            "ok": self.ok,
            "files": self.files,
            "counts": self.counts,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "problems": [p.as_dict() for p in self.problems],
        }


def validate(paths: DataPaths) -> Report:
    """Load and check the data at `paths`, reporting every problem at once.

    >>> from pathlib import Path
    >>> report = validate(Path(__file__).parent.parent / "data" / "cities.yaml")
    >>> report.ok, report.counts["places"] > 0
    (True, True)
    """
    result = read_dataset(paths)
    return Report(result.problems, result.dataset.counts(), [str(f) for f in result.files])
