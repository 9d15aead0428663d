"""The shape of ``data/cities.yaml``: one table of fields per section.

The same tables check the data (with file:line of every problem) and print the JSON Schema that
a curator's editor uses, so the two cannot drift apart.

>>> problems = []
>>> COUNTRY.convert("XX", Location("f.yaml", 4, 14), problems, "'country'")
INVALID
>>> print(problems[0])
f.yaml:4:14: error[unknown-country]: 'country' is 'XX', which is not an ISO 3166-1 alpha-2 code
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import model
from .countries import country_codes
from .dates import DATE_PATTERN, DateSyntaxError, PartialDate
from .errors import Location, Problem, Severity, did_you_mean
from .text import LANGUAGE_TAG_PATTERN, is_language_tag, noncharacter, unwritable_control
from .yamltree import YamlList, YamlMap

__all__ = ["SECTIONS", "SLUG_PATTERN", "FieldType", "Record", "json_schema"]

SLUG_PATTERN = r"^[a-z0-9]+(-+[a-z0-9]+)*$"
QID_PATTERN = r"^Q[1-9][0-9]*$"
URL_PATTERN = r"^https?://[^\s]+$"
NOT_BLANK = r"\S"  # a string with something in it besides white space

_SLUG = re.compile(SLUG_PATTERN)
_QID = re.compile(QID_PATTERN)
_URL = re.compile(URL_PATTERN)


class Invalid:
    """The value a conversion returns when the input was wrong (and a problem was reported)."""

    def __repr__(self) -> str:
        return "INVALID"


INVALID: Any = Invalid()


def describe(value: Any) -> str:
    """A short English description of a YAML value's type, for messages."""
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int):
        return f"an integer ({value})"
    if isinstance(value, float):
        return f"a number ({value})"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the string '{shown}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _shown(value: str, limit: int = 40) -> str:
    """A value quoted for a message, cut short if long. Not `repr`: the command line shows
    every message through `sistercities.text.visible`, which escapes controls exactly once."""
    return f"'{value if len(value) <= limit else value[: limit - 3] + '...'}'"


def _error(problems: list[Problem], where: Location, rule: str, message: str) -> Any:
    problems.append(Problem(where, Severity.ERROR, rule, message))
    return INVALID


class FieldType:
    """A kind of value: knows its JSON Schema and how to check and convert a YAML value."""

    expected = "a value"

    def json_schema(self) -> dict[str, Any]:
        """The JSON Schema of this kind of value."""
        raise NotImplementedError

    def convert(self, value: Any, where: Location, problems: list[Problem], what: str) -> Any:
        """Check `value`; return it converted, or INVALID after appending a problem."""
        raise NotImplementedError

    def trusted(self, value: Any, where: Location) -> Any:
        """Convert a value already known to be valid (a checked layer), without checking."""
        return value

    def wrong_type(self, value: Any, where: Location, problems: list[Problem], what: str) -> Any:
        """Report that `value` is not of this type."""
        return _error(
            problems, where, "wrong-type", f"{what} must be {self.expected}, not {describe(value)}"
        )


# What no text may hold, as JSON Schema patterns (see `sistercities.text`): C0 controls and DEL (tab
# and line breaks only in multi-line fields), and noncharacters. The astral noncharacters are
# an alternation, not a class, so that a regex engine without Unicode mode reads them whole.
_NONCHARACTERS = "[\ufdd0-\ufdef\ufffe\uffff]|" + "|".join(
    chr(plane * 0x10000 + low) for plane in range(1, 17) for low in (0xFFFE, 0xFFFF)
)
UNWRITABLE_PATTERN = "[\u0000-\u001f\u007f]|" + _NONCHARACTERS
UNWRITABLE_MULTI_LINE_PATTERN = "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]|" + _NONCHARACTERS


def _writable(
    value: str, where: Location, problems: list[Problem], what: str, *, multiline: bool = False
) -> bool:
    """Whether every export can hold `value`; if not, a problem says which character."""
    control = unwritable_control(value, multiline=multiline)
    if control is not None:
        allowed = " (notes may hold tabs and line breaks, no other control)" if multiline else ""
        _error(
            problems,
            where,
            "control-character",
            f"{what} holds the control character U+{ord(control):04X}{allowed}",
        )
        return False
    odd = noncharacter(value)
    if odd is not None:
        kind = "a lone surrogate" if 0xD800 <= ord(odd) <= 0xDFFF else "the noncharacter"
        _error(problems, where, "noncharacter", f"{what} holds {kind} U+{ord(odd):04X}")
        return False
    return True


class Text(FieldType):
    """A non-empty string that every export can write (`multiline`: tab and line breaks too)."""

    expected = "a string"

    def __init__(self, *, multiline: bool = False):
        self.multiline = multiline

    def json_schema(self) -> dict[str, Any]:
        unwritable = UNWRITABLE_MULTI_LINE_PATTERN if self.multiline else UNWRITABLE_PATTERN
        return {"type": "string", "pattern": NOT_BLANK, "not": {"pattern": unwritable}}

    def convert(self, value: Any, where: Location, problems: list[Problem], what: str) -> Any:
        if not isinstance(value, str):
            return self.wrong_type(value, where, problems, what)
        if not value.strip():
            return _error(problems, where, "wrong-type", f"{what} must not be empty")
        if not _writable(value, where, problems, what, multiline=self.multiline):
            return INVALID
        return value


class Pattern(Text):
    """A string matching a regular expression; a mismatch breaks rule `rule`."""

    def __init__(self, pattern: str, rule: str, hint: str):
        super().__init__()
        self.pattern = pattern
        self.regex = re.compile(pattern)
        self.rule = rule
        self.hint = hint

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": self.pattern, "not": {"pattern": UNWRITABLE_PATTERN}}

    def convert(self, value: Any, where: Location, problems: list[Problem], what: str) -> Any:
        if not isinstance(value, str):
            return self.wrong_type(value, where, problems, what)
        if not self.regex.fullmatch(value):
            return _error(problems, where, self.rule, f"{what} is {_shown(value)}: {self.hint}")
        if not _writable(value, where, problems, what):
            return INVALID
        return value


class Ref(Pattern):
    """The id of an entry of another section (checked to exist after loading)."""

    def __init__(self, section: str):
        super().__init__(
            SLUG_PATTERN,
            "bad-id",
            "an id is lower-case letters, digits and hyphens (not at either end)",
        )
        self.section = section

    def json_schema(self) -> dict[str, Any]:
        return {**super().json_schema(), "description": f"the id of an entry of `{self.section}`"}


class Country(Pattern):
    """An ISO 3166-1 alpha-2 country code, checked against pycountry's table."""

    def __init__(self) -> None:
        super().__init__(
            r"^[A-Z]{2}$", "unknown-country", "write an ISO 3166-1 alpha-2 code such as ID or MA"
        )

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": sorted(country_codes())}

    def convert(self, value: Any, where: Location, problems: list[Problem], what: str) -> Any:
        value = super().convert(value, where, problems, what)
        if value is not INVALID and value not in country_codes():
            return _error(
                problems,
                where,
                "unknown-country",
                f"{what} is {_shown(value)}, which is not an ISO 3166-1 alpha-2 code",
            )
        return value


class Date(FieldType):
    """A partial or uncertain date (see `sistercities.dates`), or an integer year."""

    expected = "a date (YYYY, YYYY-MM or YYYY-MM-DD, optionally with ~ ? % or ../)"

    def json_schema(self) -> dict[str, Any]:
        return {
            "anyOf": [
                {"type": "string", "pattern": DATE_PATTERN},
                {"type": "integer", "minimum": 1, "maximum": 9999},
            ],
            "description": "ISO 8601 date at year, month or day precision; EDTF ~ ? % and ../",
        }

    def trusted(self, value: Any, where: Location) -> Any:
        return PartialDate.parse(value)

    def convert(self, value: Any, where: Location, problems: list[Problem], what: str) -> Any:
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # as JSON Schema's "integer" does
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            return self.wrong_type(value, where, problems, what)
        try:
            return PartialDate.parse(value)
        except DateSyntaxError as error:
            return _error(problems, where, "bad-date", f"{what}: {error}")


class Enum(FieldType):
    """One of a fixed list of words."""

    def __init__(self, values: Sequence[str]):
        self.values = tuple(values)
        self.expected = "one of " + ", ".join(self.values)

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.values)}

    def convert(self, value: Any, where: Location, problems: list[Problem], what: str) -> Any:
        if not isinstance(value, str):
            return self.wrong_type(value, where, problems, what)
        if value not in self.values:
            hint = did_you_mean(value, self.values)
            return _error(
                problems,
                where,
                "bad-value",
                f"{what} is {_shown(value)}, not {self.expected}{hint}",
            )
        return value


class Integer(FieldType):
    """A whole number at or above a minimum (booleans are not numbers)."""

    expected = "an integer"

    def __init__(self, minimum: int = 0):
        self.minimum = minimum

    def json_schema(self) -> dict[str, Any]:
        return {"type": "integer", "minimum": self.minimum}

    def convert(self, value: Any, where: Location, problems: list[Problem], what: str) -> Any:
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # JSON Schema's integers include 1.0; so do ours
        if isinstance(value, bool) or not isinstance(value, int):
            return self.wrong_type(value, where, problems, what)
        if value < self.minimum:
            return _error(problems, where, "bad-value", f"{what} must be at least {self.minimum}")
        return value


class Boolean(FieldType):
    """true or false."""

    expected = "true or false"

    def json_schema(self) -> dict[str, Any]:
        return {"type": "boolean"}

    def convert(self, value: Any, where: Location, problems: list[Problem], what: str) -> Any:
        if not isinstance(value, bool):
            return self.wrong_type(value, where, problems, what)
        return value


class Degrees(FieldType):
    """A finite number of degrees within a range; breaks rule ``bad-coordinates`` otherwise."""

    expected = "a number"

    def __init__(self, limit: float):
        self.limit = limit

    def json_schema(self) -> dict[str, Any]:
        return {"type": "number", "minimum": -self.limit, "maximum": self.limit}

    def trusted(self, value: Any, where: Location) -> Any:
        return float(value)

    def convert(self, value: Any, where: Location, problems: list[Problem], what: str) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return self.wrong_type(value, where, problems, what)
        if not math.isfinite(value) or not -self.limit <= value <= self.limit:
            return _error(
                problems,
                where,
                "bad-coordinates",
                f"{what} is {value}, not a finite number between {-self.limit:g} and "
                f"{self.limit:g}",
            )
        return float(value)


class LanguageMap(FieldType):
    """A mapping from language codes (``en``, ``id``, ``pt-BR``) to non-empty strings."""

    expected = "a mapping from language codes to strings"

    def __init__(self, required: Sequence[str] = ()):
        self.required = tuple(required)

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": "object",
            "propertyNames": {"pattern": LANGUAGE_TAG_PATTERN},
            "additionalProperties": Text().json_schema(),
        }
        if self.required:
            schema["required"] = list(self.required)
        return schema

    def trusted(self, value: Any, where: Location) -> Any:
        return dict(value)

    def convert(self, value: Any, where: Location, problems: list[Problem], what: str) -> Any:
        if not isinstance(value, YamlMap):
            return self.wrong_type(value, where, problems, what)
        result: dict[str, str] = {}
        ok = True
        for language, text in value.items():
            if not is_language_tag(language):
                ok = False
                _error(
                    problems,
                    value.key_location(language),
                    "bad-language",
                    f"{what} has key '{language}', which is not a BCP 47 language tag "
                    "such as en, id or pt-BR",
                )
            converted = Text().convert(
                text, value.value_location(language), problems, f"{what} in {language!r}"
            )
            if converted is INVALID:
                ok = False
            else:
                result[language] = converted
        for language in self.required:
            if language not in value:
                ok = False
                _error(
                    problems,
                    value.location,
                    "missing-key",
                    f"{what} needs an entry for {language!r}",
                )
        return result if ok else INVALID


class ListOf(FieldType):
    """A list of values of one type; at least `min_items`, at most `max_items`, and (when
    `unique`) no value twice."""

    def __init__(
        self,
        item: FieldType,
        min_items: int = 0,
        empty_rule: str = "wrong-type",
        max_items: int | None = None,
        unique: bool = False,
    ):
        self.item = item
        self.min_items = min_items
        self.max_items = max_items
        self.empty_rule = empty_rule
        self.unique = unique
        self.expected = "a list"

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "array", "items": self.item.json_schema()}
        if self.min_items:
            schema["minItems"] = self.min_items
        if self.max_items is not None:
            schema["maxItems"] = self.max_items
        if self.unique:
            schema["uniqueItems"] = True
        return schema

    def trusted(self, value: Any, where: Location) -> Any:
        item = self.item
        if type(item).trusted is FieldType.trusted:
            return tuple(value)
        return tuple(item.trusted(v, where) for v in value)

    def convert(self, value: Any, where: Location, problems: list[Problem], what: str) -> Any:
        if not isinstance(value, YamlList):
            return self.wrong_type(value, where, problems, what)
        count = len(value)
        if self.min_items == self.max_items and count != self.min_items:
            return _error(
                problems,
                where,
                self.empty_rule,
                f"{what} takes exactly {self.min_items} entries, not {count}",
            )
        if count < self.min_items:
            return _error(
                problems,
                where,
                self.empty_rule,
                f"{what} needs at least {self.min_items} "
                f"{'entry' if self.min_items == 1 else 'entries'}",
            )
        if self.max_items is not None and count > self.max_items:
            return _error(
                problems, where, "wrong-type", f"{what} takes at most {self.max_items} entries"
            )
        items = [
            self.item.convert(item, value.item_location(i), problems, f"item {i + 1} of {what}")
            for i, item in enumerate(value)
        ]
        if any(item is INVALID for item in items):
            return INVALID
        if self.unique:
            seen: set[Any] = set()
            for i, item in enumerate(items):
                if item in seen:
                    return _error(
                        problems,
                        value.item_location(i),
                        "bad-value",
                        f"item {i + 1} of {what} repeats {item!r}",
                    )
                seen.add(item)
        return tuple(items)


@dataclass(frozen=True)
class Field:
    """A key of a record: its type, whether it is required, and what it means."""

    name: str
    type: FieldType
    description: str
    required: bool = False
    missing_rule: str = "missing-key"
    attribute: str | None = None  # the model's name for it, where that differs


@dataclass
class Record(FieldType):
    """A mapping with a fixed set of keys: each section's entries, and nested values."""

    name: str
    fields: Sequence[Field]
    build: Callable[..., Any] = dict
    located: bool = False  # pass the mapping's location to `build`
    name_of: Callable[[YamlMap], str | None] | None = None  # names an entry without an id
    # What `trusted` builds where `build` is dict (the loader derives partnerships' ids first).
    trusted_build: Callable[..., Any] | None = None
    extra_schema: dict[str, Any] = field(default_factory=dict)  # more JSON Schema keywords
    by_name: dict[str, Field] = field(init=False)
    without_default: set[str] = field(init=False)

    def __post_init__(self) -> None:
        self.by_name = {f.name: f for f in self.fields}
        self.expected = "a mapping"
        model_fields = (
            dataclasses.fields(self.build) if dataclasses.is_dataclass(self.build) else ()
        )
        self.without_default = {
            f.name
            for f in model_fields
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        }

    def json_schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "additionalProperties": False,
            "required": [f.name for f in self.fields if f.required],
            "properties": {
                f.name: {**f.type.json_schema(), "description": f.description} for f in self.fields
            },
            **self.extra_schema,
        }

    def trusted(self, value: Any, where: Location) -> Any:
        """Build the entity of a mapping already known to be valid: no checks, no locations
        but `where` (for layers whose bytes were validated when they were written). The
        entity is made without running its `__init__` again: this is the fast path for the
        world layers' tens of thousands of entries."""
        plan, defaults, factories = self._trusted_plan()
        converted = dict(defaults)
        for name, factory in factories:
            converted[name] = factory()
        for key, item in value.items():
            attribute, convert = plan[key]
            converted[attribute] = item if convert is None else convert(item, where)
        if self.located:
            converted["location"] = where
        target = self.trusted_build or self.build
        if not dataclasses.is_dataclass(target):
            return target(**converted)
        entity = object.__new__(target)
        entity.__dict__.update(converted)
        return entity

    def _trusted_plan(
        self,
    ) -> tuple[
        dict[str, tuple[str, Callable[[Any, Location], Any] | None]],
        dict[str, Any],
        list[tuple[str, Callable[[], Any]]],
    ]:
        """For `trusted`: each key's attribute and converter (None: the value as it is), the
        model's defaults, and its default factories."""
        cached = self.__dict__.get("_plan")
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        plan: dict[str, tuple[str, Callable[[Any, Location], Any] | None]] = {}
        for spec in self.fields:
            kind = spec.type
            needs = type(kind).trusted is not FieldType.trusted
            if isinstance(kind, ListOf) and type(kind.item).trusted is FieldType.trusted:
                plan[spec.name] = (spec.attribute or spec.name, _as_tuple)
            else:
                plan[spec.name] = (spec.attribute or spec.name, kind.trusted if needs else None)
        defaults: dict[str, Any] = {}
        factories: list[tuple[str, Callable[[], Any]]] = []
        target = self.trusted_build or self.build
        if dataclasses.is_dataclass(target):
            for model_field in dataclasses.fields(target):
                if model_field.default is not dataclasses.MISSING:
                    defaults[model_field.name] = model_field.default
                elif model_field.default_factory is not dataclasses.MISSING:
                    factories.append((model_field.name, model_field.default_factory))
                else:
                    defaults[model_field.name] = None
        else:
            defaults = dict.fromkeys(self.without_default)
        self.__dict__["_plan"] = (plan, defaults, factories)
        return plan, defaults, factories

    def convert(self, value: Any, where: Location, problems: list[Problem], what: str) -> Any:
        """Check every key; return the built entity, or INVALID when anything is wrong."""
        built, ok = self.convert_lenient(value, where, problems, what)
        return built if ok else INVALID

    def convert_lenient(
        self, value: Any, where: Location, problems: list[Problem], what: str
    ) -> tuple[Any, bool]:
        """Check every key and build what can be built: (entity, ok). When something is
        wrong, the entity is still built, with None for every missing or wrong value, so that
        the whole-dataset rules can check the rest of it (None if it is not a mapping)."""
        if not isinstance(value, YamlMap):
            self.wrong_type(value, where, problems, what)
            return None, False
        ident = value.get("id")
        if not (isinstance(ident, str) and _SLUG.fullmatch(ident)):
            ident = self.name_of(value) if self.name_of is not None else None
        named = f"{what} '{ident}'" if isinstance(ident, str) else what
        ok = True
        converted: dict[str, Any] = {}
        for key in value:
            if key not in self.by_name:
                ok = False
                hint = did_you_mean(key, self.by_name)
                if key == "<<":
                    hint = "; YAML merge keys (<<) are not supported: write the keys out"
                allowed = ", ".join(self.by_name)
                _error(
                    problems,
                    value.key_location(key),
                    "unknown-key",
                    f"unknown key '{key}' in {named}{hint} (allowed: {allowed})",
                )
        for spec in self.fields:
            name = spec.attribute or spec.name
            if spec.name not in value:
                if not spec.required and name in self.without_default:
                    converted[name] = None  # optional here, but the model has no default
                if spec.required:
                    ok = False
                    converted[name] = None
                    note = (
                        " (every fact needs a source)" if spec.missing_rule == "no-source" else ""
                    )
                    _error(
                        problems,
                        value.key_location(spec.name),
                        spec.missing_rule,
                        f"{named} has no '{spec.name}'{note}",
                    )
                continue
            result = spec.type.convert(
                value[spec.name],
                value.value_location(spec.name),
                problems,
                f"'{spec.name}' of {named}",
            )
            if result is INVALID:
                ok = False
                raw = value[spec.name]
                # A malformed id still names the entry, so the rest of it can be checked.
                converted[name] = raw if spec.name == "id" and isinstance(raw, str) else None
            else:
                converted[name] = result
        if self.located:
            converted["location"] = value.location
        return self.build(**converted), ok


def _as_tuple(value: Any, where: Location) -> tuple[Any, ...]:
    return tuple(value)


def _pair_name(between: Any) -> str | None:
    """The default id of a tie between two places, for messages about it."""
    if isinstance(between, list) and len(between) == 2 and all(isinstance(p, str) for p in between):
        return model.tie_id(*between)
    return None


def _sources(what: str = "the fact") -> Field:
    return Field(
        "sources",
        ListOf(Ref("sources"), min_items=1, empty_rule="no-source", unique=True),
        f"ids of the sources for {what}; at least one",
        required=True,
        missing_rule="no-source",
    )


ID = Field(
    "id",
    Pattern(
        SLUG_PATTERN,
        "bad-id",
        "an id is lower-case letters, digits and hyphens (not at either end)",
    ),
    "a unique lower-case slug: letters, digits and hyphens",
    required=True,
)
NOTES = Field("notes", Text(multiline=True), "free text: context, and conflicts between sources")
QID = Pattern(QID_PATTERN, "bad-qid", "a Wikidata id is Q followed by digits, such as Q3630")
COUNTRY = Country()
ADMIN1 = Pattern(
    model.ADMIN1_PATTERN,
    "bad-admin1",
    "a first-level division is a country code, a hyphen and GeoNames' admin1 code, such as US-IL",
)
URL = Pattern(URL_PATTERN, "bad-value", "write an http:// or https:// URL")


def _ids(section: str) -> ListOf:
    return ListOf(Ref(section), unique=True)


COORDINATES = Record(
    "coordinates",
    [
        Field("lat", Degrees(90), "latitude, WGS 84 degrees north", required=True),
        Field("lon", Degrees(180), "longitude, WGS 84 degrees east", required=True),
    ],
    build=model.Coordinates,
)
REPORTED_COUNT = Record(
    "reported count",
    [
        Field("count", Integer(0), "the number of partners the source states", required=True),
        Field("as_of", Date(), "when the source stated it", required=True),
        _sources("the count"),
    ],
    build=model.ReportedCount,
)
COVERAGE = Record(
    "coverage",
    [
        Field(
            "complete",
            Boolean(),
            "whether the place's list of partners in the data is complete",
            required=True,
        ),
        Field("as_of", Date(), "the date of the list it was checked against", required=True),
        _sources("the coverage (the official list)"),
        NOTES,
    ],
    build=model.Coverage,
)
ROLE = Record(
    "role",
    [
        Field("title", Text(), "the office, as the source names it", required=True),
        Field("of", Ref("cities"), "the place whose office it is"),
        Field("organisation", Text(), "the body the office belongs to"),
        Field("from", Date(), "start of the term", attribute="start"),
        Field("until", Date(), "end of the term", attribute="end"),
        _sources("the role"),
    ],
    build=model.Role,
    located=True,
)
SESSION = Record(
    "session",
    [
        Field("title", Text(), "the session's title", required=True),
        Field("kind", Enum(model.SESSION_KINDS), "keynote, session, private-session or panel"),
        Field("date", Date(), "when it took place"),
        Field("speakers", _ids("officials"), "officials who spoke"),
    ],
    build=model.Session,
)

SECTIONS: dict[str, Record] = {
    "sources": Record(
        "source",
        [
            ID,
            Field("title", Text(), "the title of the article, page or data set", required=True),
            Field("publisher", Text(), "who published it"),
            Field("published", Date(), "when it was published"),
            Field("url", URL, "where it can be read"),
            Field(
                "language",
                Pattern(
                    LANGUAGE_TAG_PATTERN,
                    "bad-language",
                    "not a BCP 47 language tag; write one such as en, id or pt-BR",
                ),
                "its language",
            ),
            Field("licence", Text(), "the licence of the data, where it matters"),
            NOTES,
        ],
        build=model.Source,
        located=True,
    ),
    "areas": Record(
        "area",
        [
            ID,
            Field("label", LanguageMap(required=["en"]), "the name per language", required=True),
            Field("broader", Ref("areas"), "a wider area this one belongs to"),
            NOTES,
        ],
        build=model.Area,
        located=True,
    ),
    "cities": Record(
        "place",
        [
            ID,
            Field("name", Text(), "the usual English name", required=True),
            Field("kind", Enum(model.PLACE_KINDS), "what kind of place", required=True),
            Field("country", COUNTRY, "ISO 3166-1 alpha-2 code (leave it out if unknown)"),
            Field("labels", LanguageMap(), "names per language"),
            Field("aliases", ListOf(Text(), unique=True), "other names and spellings"),
            Field("coordinates", COORDINATES, "a point, WGS 84 degrees"),
            Field("wikidata", QID, "the Wikidata item"),
            Field("geonames", Integer(1), "the GeoNames id"),
            Field("population", Integer(0), "population"),
            Field(
                "admin1",
                ADMIN1,
                "the first-level division (state, province, region): the country code and "
                "GeoNames' admin1 code, such as US-IL",
            ),
            Field("part_of", Ref("cities"), "the place this one lies in"),
            Field(
                "reported_partner_counts",
                ListOf(REPORTED_COUNT),
                "counts of partners that sources state",
            ),
            Field(
                "coverage",
                COVERAGE,
                "whether the place's partner list is complete, as of which official list",
            ),
            _sources("the place"),
            NOTES,
        ],
        build=model.Place,
        located=True,
    ),
    "partnerships": Record(
        "partnership",
        [
            Field("id", ID.type, "optional: by default the two place ids sorted, joined by --"),
            Field(
                "between",
                ListOf(Ref("cities"), min_items=2, max_items=2),
                "the two places (unordered)",
                required=True,
            ),
            Field("kind", Enum(model.PARTNERSHIP_KINDS), "what kind of tie", required=True),
            Field("status", Enum(model.PARTNERSHIP_STATUSES), "its state", required=True),
            Field("since", Date(), "when it began"),
            Field("until", Date(), "when it ended"),
            Field("areas", _ids("areas"), "cooperation areas"),
            Field("agreements", _ids("agreements"), "documents of the tie"),
            _sources("the tie"),
            NOTES,
        ],
        name_of=lambda entry: _pair_name(entry.get("between")),
        trusted_build=model.Partnership,
    ),
    "officials": Record(
        "official",
        [
            ID,
            Field("name", Text(), "the person's name", required=True),
            Field("wikidata", QID, "the Wikidata item"),
            Field("roles", ListOf(ROLE), "offices held"),
            _sources("the person"),
            NOTES,
        ],
        build=model.Official,
        located=True,
    ),
    "events": Record(
        "event",
        [
            ID,
            Field("name", Text(), "the event's name", required=True),
            Field("place", Ref("cities"), "where it took place", required=True),
            Field("venue", Text(), "the building or site"),
            Field("from", Date(), "first day", required=True, attribute="start"),
            Field("until", Date(), "last day", attribute="end"),
            Field("url", URL, "the event's page"),
            Field("sessions", ListOf(SESSION), "sessions of note"),
            _sources("the event"),
            NOTES,
        ],
        build=model.Event,
        located=True,
    ),
    "visits": Record(
        "visit",
        [
            ID,
            Field(
                "visitors",
                ListOf(Ref("officials"), min_items=1, unique=True),
                "who travelled",
                required=True,
            ),
            Field("place", Ref("cities"), "where they went", required=True),
            Field("from", Date(), "first day", required=True, attribute="start"),
            Field("until", Date(), "last day", attribute="end"),
            Field("purpose", Text(), "why"),
            Field("partnership", Ref("partnerships"), "the tie the visit served"),
            Field("events", _ids("events"), "events attended"),
            Field("met", _ids("officials"), "officials met"),
            Field("areas", _ids("areas"), "cooperation areas discussed"),
            _sources("the visit"),
            NOTES,
        ],
        build=model.Visit,
        located=True,
    ),
    "agreements": Record(
        "agreement",
        [
            ID,
            Field("kind", Enum(model.AGREEMENT_KINDS), "what kind of document", required=True),
            Field("title", Text(), "the document's title"),
            Field(
                "parties",
                ListOf(Ref("cities"), min_items=2, unique=True),
                "the places that sign",
                required=True,
            ),
            Field("status", Enum(model.AGREEMENT_STATUSES), "its state", required=True),
            Field("signed", Date(), "when it was signed"),
            Field("partnership", Ref("partnerships"), "the tie it belongs to"),
            Field("areas", _ids("areas"), "cooperation areas it covers"),
            _sources("the document"),
            NOTES,
        ],
        build=model.Agreement,
        extra_schema={
            "if": {"properties": {"status": {"const": "planned"}}, "required": ["status"]},
            "then": {"not": {"required": ["signed"]}},
        },
        located=True,
    ),
}


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the YAML format, for editors and other tools.

    >>> sorted(json_schema()["properties"])
    ['agreements', 'areas', 'cities', 'events', 'officials', 'partnerships', 'sources', 'visits']
    """
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/sistercities/sistercities/exports/cities.schema.json",
        "title": "Sister-city knowledge graph data (data/cities.yaml)",
        "description": "Curated facts about sister-city ties, each with its sources. "
        "See docs/data-format.md. Checks that need the whole file (unknown ids, "
        "dates in order, duplicate ties) are done by `sistercities validate`.",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            name: {"type": ["array", "null"], "items": record.json_schema()}
            for name, record in SECTIONS.items()
        },
    }
