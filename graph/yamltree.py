"""Read YAML into plain Python values that remember where they came from.

Only plain YAML 1.2 data is accepted: strings, integers, floats, booleans (``true``/``false``),
null, lists and mappings. Tags, duplicate keys, more than `MAX_ALIASES` aliases (the "billion
laughs" bomb), nesting deeper than `MAX_DEPTH` and files over `MAX_FILE_BYTES` are problems.
Dates stay strings (YAML 1.1 timestamps are not resolved), and ``yes``/``no``/``NO`` stay
strings (so Norway's country code is safe).

>>> doc, problems = read_yaml_text("a: [1, x, no]\\nb: {c: 2018-04-30}\\n", "t.yaml")
>>> doc, problems
({'a': [1, 'x', 'no'], 'b': {'c': '2018-04-30'}}, [])
>>> doc.value_location("b")
Location(file='t.yaml', line=2, column=4)
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from sys import intern
from typing import Any

import yaml

from .errors import Location, Problem, Severity
from .files import MAX_FILE_BYTES as _FILES_MAX_BYTES
from .files import FileRefused, read_regular_file

try:  # libyaml's parser is ~10x faster; fall back to the pure-Python one where it is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

__all__ = [
    "MAX_ALIASES",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "YamlList",
    "YamlMap",
    "read_data_file",
    "read_json_fast",
    "read_yaml_file",
    "read_yaml_text",
]

MAX_FILE_BYTES = _FILES_MAX_BYTES
MAX_ALIASES = 100
MAX_ALIAS_NODES = 10_000
MAX_DEPTH = 64

_NULL = re.compile(r"~|null|Null|NULL|")
_TRUE = re.compile(r"true|True|TRUE")
_FALSE = re.compile(r"false|False|FALSE")
_INT = re.compile(r"[-+]?[0-9]+")
_INT_OCT = re.compile(r"0o[0-7]+")
_INT_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)")
_NAN = re.compile(r"\.(nan|NaN|NAN)")


class YamlMap(dict[str, Any]):
    """A mapping read from YAML, with the location of itself, its keys and its values."""

    __slots__ = ("key_locations", "location", "value_locations")

    def __init__(self, location: Location):
        super().__init__()
        self.location = location
        self.key_locations: dict[str, Location] = {}
        self.value_locations: dict[str, Location] = {}

    def key_location(self, key: str) -> Location:
        """Where `key` is written (the mapping's own location when it is absent)."""
        return self.key_locations.get(key, self.location)

    def value_location(self, key: str) -> Location:
        """Where the value of `key` starts (the mapping's own location when it is absent)."""
        return self.value_locations.get(key, self.location)


class YamlList(list[Any]):
    """A list read from YAML, with the location of itself and of each item."""

    __slots__ = ("item_locations", "location")

    def __init__(self, location: Location):
        super().__init__()
        self.location = location
        self.item_locations: list[Location] = []

    def item_location(self, index: int) -> Location:
        """Where item `index` starts."""
        return self.item_locations[index] if index < len(self.item_locations) else self.location


MAX_NUMBER_DIGITS = 100


def _plain_scalar(text: str) -> Any:
    """Resolve an unquoted scalar by the YAML 1.2 core schema (a number longer than
    `MAX_NUMBER_DIGITS` characters stays a string: no field takes one, and Python refuses to
    convert some)."""
    if len(text) > MAX_NUMBER_DIGITS:
        return text
    if _NULL.fullmatch(text):
        return None
    if _TRUE.fullmatch(text):
        return True
    if _FALSE.fullmatch(text):
        return False
    if _INT.fullmatch(text):
        return int(text)
    if _INT_OCT.fullmatch(text):
        return int(text[2:], 8)
    if _INT_HEX.fullmatch(text):
        return int(text[2:], 16)
    if _FLOAT.fullmatch(text):
        return float(text)
    if _INF.fullmatch(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN.fullmatch(text):
        return math.nan
    return text


class _Abort(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem


class _TreeBuilder:
    """Builds located values from the parser's event stream (no recursion, so depth is safe)."""

    def __init__(self, name: str):
        self.name = name
        self.problems: list[Problem] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.aliases = 0
        self.alias_nodes = 0

    def location(self, mark: Any) -> Location:
        return Location(self.name, mark.line + 1, mark.column + 1)

    def problem(self, mark: Any, rule: str, message: str) -> None:
        self.problems.append(Problem(self.location(mark), Severity.ERROR, rule, message))

    def build(self, events: Any) -> Any:
        # A stack of [container, pending key, key mark, size, anchor]
        stack: list[list[Any]] = []
        document: Any = None
        documents = 0
        for event in events:
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    self.problem(
                        event.start_mark, "yaml-syntax", "only one YAML document a file is allowed"
                    )
                    return document
                continue
            if isinstance(event, (yaml.StreamStartEvent, yaml.StreamEndEvent)):
                continue
            if isinstance(event, yaml.DocumentEndEvent):
                continue
            value: Any
            size = 1
            if isinstance(event, yaml.AliasEvent):
                if event.anchor not in self.anchors:
                    self.problem(event.start_mark, "yaml-alias", f"unknown alias *{event.anchor}")
                    value = None
                else:
                    value, size = self.anchors[event.anchor]
                    self.aliases += 1
                    self.alias_nodes += size
                    if self.aliases > MAX_ALIASES or self.alias_nodes > MAX_ALIAS_NODES:
                        raise _Abort(
                            Problem(
                                self.location(event.start_mark),
                                Severity.ERROR,
                                "yaml-alias",
                                f"too many aliases: at most {MAX_ALIASES} aliases expanding to "
                                f"{MAX_ALIAS_NODES} values are allowed",
                            )
                        )
            elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                self.check_tag(event)
                if len(stack) >= MAX_DEPTH:
                    raise _Abort(
                        Problem(
                            self.location(event.start_mark),
                            Severity.ERROR,
                            "yaml-depth",
                            f"nesting deeper than {MAX_DEPTH} levels",
                        )
                    )
                loc = self.location(event.start_mark)
                container: Any = (
                    YamlMap(loc) if isinstance(event, yaml.MappingStartEvent) else YamlList(loc)
                )
                stack.append([container, None, None, 1, event.anchor, event.start_mark])
                continue
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                container, _, _, size, anchor, start_mark = stack.pop()
                value = container
                if anchor:
                    self.anchors[anchor] = (container, size)
                event = _StartMarkOnly(start_mark)
            elif isinstance(event, yaml.ScalarEvent):
                self.check_tag(event)
                if event.implicit[0] and not event.style:  # plain (libyaml says "", PyYAML None)
                    value = _plain_scalar(event.value)
                else:
                    value = event.value
                if type(value) is str and len(value) <= 64:
                    value = intern(value)  # ids repeat across entries: keep one copy of each
                if event.anchor:
                    self.anchors[event.anchor] = (value, 1)
            else:  # pragma: no cover - PyYAML has no other events
                continue
            if not stack:
                document = value
                continue
            self.add(stack[-1], value, size, event.start_mark)
        return document

    def add(self, frame: list[Any], value: Any, size: int, mark: Any) -> None:
        container = frame[0]
        frame[3] += size
        if isinstance(container, YamlList):
            container.append(value)
            container.item_locations.append(self.location(mark))
            return
        if frame[1] is None and frame[2] is None:  # this value is a key
            if isinstance(value, (YamlMap, YamlList)) or not isinstance(value, (str, int, float)):
                self.problem(mark, "wrong-type", "a mapping key must be a plain word")
                value = repr(value)
            frame[1] = str(value)
            frame[2] = mark
            return
        key, key_mark = frame[1], frame[2]
        frame[1] = frame[2] = None
        if key in container:
            first = container.key_location(key)
            self.problem(
                key_mark,
                "duplicate-key",
                f"duplicate key '{key}' (first at line {first.line}); YAML keeps only one",
            )
            return
        container[key] = value
        container.key_locations[key] = self.location(key_mark)
        container.value_locations[key] = self.location(mark)

    def check_tag(self, event: Any) -> None:
        tag = event.tag
        if tag is None or tag == "!":
            return
        if isinstance(event, yaml.ScalarEvent) and event.implicit[0]:
            return  # PyYAML reports the resolved tag of a plain scalar here; it was not written
        self.problem(
            event.start_mark,
            "yaml-tag",
            f"YAML tags such as '{tag}' are not allowed: write plain values",
        )


def _codepoint(character: object) -> str:
    if isinstance(character, int):
        return f"U+{character:04X}"
    if isinstance(character, str) and len(character) == 1:
        return f"U+{ord(character):04X}"
    return repr(character)


class _StartMarkOnly:
    def __init__(self, start_mark: Any):
        self.start_mark = start_mark


# Errors about something left open: the place it was opened says more than where the parser
# gave up (often the end of the file).
_OPENED = ("while scanning a quoted scalar", "while parsing a flow")


def _syntax_problem(error: yaml.MarkedYAMLError, name: str) -> Problem:
    """A parser error as a problem at the most useful position."""
    problem, context = error.problem_mark, error.context_mark
    mark = problem or context
    what = " ".join(str(part) for part in (error.context, error.problem) if part)
    if context is not None and str(error.context or "").startswith(_OPENED):
        mark = context
        if problem is not None:
            what += f" (opened here; the parser gave up at line {problem.line + 1})"
    rule = "yaml-syntax"
    if "maximum nesting depth" in str(error.problem or ""):  # libyaml's own limit (1,000)
        rule, what = "yaml-depth", f"nesting deeper than {MAX_DEPTH} levels"
    where = Location(name, mark.line + 1, mark.column + 1) if mark else Location(name)
    return Problem(
        where, Severity.ERROR, rule, f"YAML syntax error: {what}" if rule == "yaml-syntax" else what
    )


def read_yaml_text(text: str, name: str) -> tuple[Any, list[Problem]]:
    """Parse YAML text into located values; returns (document, problems).

    A syntax error stops the parse and is returned as a problem with its line:

    >>> read_yaml_text("a: [1, 2\\n", "bad.yaml")[1][0].rule
    'yaml-syntax'
    """
    builder = _TreeBuilder(name)
    try:
        document = builder.build(yaml.parse(text, Loader=_Loader))
    except _Abort as abort:
        return None, [*builder.problems, abort.problem]
    except yaml.MarkedYAMLError as error:
        return None, [*builder.problems, _syntax_problem(error, name)]
    except yaml.reader.ReaderError as error:  # a character YAML does not allow
        line = text.count("\n", 0, error.position) + 1
        column = error.position - (text.rfind("\n", 0, error.position) + 1) + 1
        problem = Problem(
            Location(name, line, column),
            Severity.ERROR,
            "yaml-syntax",
            f"YAML syntax error: character {_codepoint(error.character)} is not allowed in YAML "
            "(a control character?)",
        )
        return None, [*builder.problems, problem]
    except yaml.YAMLError as error:  # pragma: no cover - every other error carries a mark
        problem = Problem(
            Location(name, 1, 1), Severity.ERROR, "yaml-syntax", f"YAML error: {error}"
        )
        return None, [*builder.problems, problem]
    return document, builder.problems


def read_yaml_file(path: Path, name: str | None = None) -> tuple[Any, list[Problem]]:
    """Read a YAML file (UTF-8, a byte-order mark allowed) into located values.

    `name` is how locations name the file (the path as given, by default).
    """
    name = name or str(path)
    try:
        raw = read_regular_file(path, name, MAX_FILE_BYTES)
    except FileRefused as refused:
        return None, [refused.problem]
    bom = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    try:
        text = raw[bom:].decode("utf-8")
    except UnicodeDecodeError as error:
        start = error.start + bom
        line = raw.count(b"\n", 0, start) + 1
        column = start - (raw.rfind(b"\n", 0, start) + 1) + 1
        return None, [
            Problem(
                Location(name, line, column),
                Severity.ERROR,
                "encoding",
                f"byte 0x{raw[start]:02x} is not UTF-8: save the file as UTF-8",
            )
        ]
    return read_yaml_text(text, name)


def read_json_fast(path: Path, name: str | None = None) -> tuple[Any, list[Problem]]:
    """Read a JSON file (a subset of YAML 1.2) with the `json` module: ~30x faster than
    libyaml, but every value is located at the file only (no line). For machine-written
    layers; when the data they hold has a problem, read them again with `read_yaml_file` to
    say where. Duplicate keys and non-finite numbers are problems, as in YAML files."""
    import json

    name = name or str(path)
    where = Location(name)

    def mapping(pairs: list[tuple[str, Any]]) -> YamlMap:
        result = YamlMap(where)
        for key, value in pairs:
            if key in result:
                raise ValueError(f"duplicate key '{key}'")
            result[key] = _located_list(value, where) if type(value) is list else value
        return result

    def constant(text: str) -> Any:
        raise ValueError(f"{text} is not a number")

    try:
        text = read_regular_file(path, name, MAX_FILE_BYTES).decode("utf-8-sig")
        document = json.loads(text, object_pairs_hook=mapping, parse_constant=constant)
    except FileRefused as refused:
        return None, [refused.problem]
    except (UnicodeDecodeError, ValueError, RecursionError):
        return read_yaml_file(path, name)  # the located reader names the problem and its line
    if type(document) is list:
        document = _located_list(document, where)
    return document, []


def _located_list(values: list[Any], where: Location) -> YamlList:
    result = YamlList(where)
    result.extend(_located_list(v, where) if type(v) is list else v for v in values)
    return result


def read_data_file(path: Path, *, located: bool = True) -> tuple[Any, list[Problem]]:
    """Read a data file: YAML with locations; a ``.json`` file fast, unless `located`."""
    if not located and path.suffix.lower() == ".json":
        return read_json_fast(path)
    return read_yaml_file(path)
