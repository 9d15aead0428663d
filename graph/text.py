"""Text from the data, made safe to show and checked for what the exports cannot hold.

`visible` is for people: it escapes every character a terminal would act on (or that hides or
reorders text) before a message, table or profile is printed. `json_dumps` is JSON for pipes
that holds the exact data and no such character raw. `unwritable` and `is_language_tag` are
what ``validate`` refuses: characters no export can write legally, and malformed language tags.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = [
    "LANGUAGE_TAG_PATTERN",
    "SHOWN_NAMES",
    "is_language_tag",
    "json_dumps",
    "json_escaped",
    "noncharacter",
    "shortened",
    "some_of",
    "unwritable_control",
    "visible",
]

# What `visible` escapes: C0 controls, DEL, C1 controls, the bidi controls (ALM, LRM, RLM,
# LRE…RLO, LRI…PDI), line/paragraph separators, the byte-order mark, the interlinear
# annotation controls, noncharacters and lone surrogates.
_HIDDEN = (
    "\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff"
    "\ufff9-\ufffb\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff"
)
_ASTRAL_NONCHARACTERS = "".join(
    chr(plane * 0x10000 + low) for plane in range(1, 17) for low in (0xFFFE, 0xFFFF)
)
# A backslash is doubled only where it would read as the start of an escape.
_TO_ESCAPE = re.compile(f"[{_HIDDEN}{_ASTRAL_NONCHARACTERS}]|\\\\(?=[\\\\xuUntr])")
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


SHOWN_NAMES = 3  # names a message lists before "and N more"
MAX_SHOWN_CHARS = 80  # a name longer than this is shortened in the middle


def shortened(text: str, limit: int = MAX_SHOWN_CHARS) -> str:
    """`text`, at most `limit` characters: a longer one keeps its start and its end.

    >>> shortened("a" * 50 + "b" * 50, 11)
    'aaaaa…bbbbb'
    """
    if len(text) <= limit:
        return text
    head = (limit - 1) // 2
    return f"{text[:head]}…{text[len(text) - (limit - 1 - head) :]}"


def some_of(names: list[str], shown: int = SHOWN_NAMES, what: str = "more") -> str:
    """A bounded list for a message: the first `shown` names (each `shortened`), then how
    many more, so that a line stays readable however many there are.

    >>> some_of(["a.yaml", "b.yaml"])
    'a.yaml, b.yaml'
    >>> some_of([f"{n}.yaml" for n in range(5000)], what="more files")
    '0.yaml, 1.yaml, 2.yaml and 4,997 more files'
    """
    listed = ", ".join(shortened(name) for name in names[:shown])
    more = len(names) - shown
    return f"{listed} and {more:,} {what}" if more > 0 else listed


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\\":
        return "\\\\"
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def visible(text: str) -> str:
    """`text` on one line with every control, bidi or invisible format character escaped.

    The escapes are Python's: ``\\n``, ``\\t``, ``\\r``, ``\\xNN`` (other C0 and C1 controls,
    DEL), ``\\uNNNN`` (bidi controls, U+2028/U+2029, U+FEFF, noncharacters, lone surrogates)
    and ``\\UNNNNNNNN`` (astral noncharacters). A backslash of the text is doubled where it is
    followed by one of ``\\ x u U n t r``, so that it cannot be read as an escape; any other
    backslash stands for itself. Everything else (accents, CJK, emoji, ZWJ) is kept.

    >>> print(visible("Jakarta\\x1b]52;c;aGk=\\x07 \\x1b[2J"))
    Jakarta\\x1b]52;c;aGk=\\x07 \\x1b[2J
    >>> print(visible("two\\nlines\\tand \\u009b C1, \\u202eRLO"))
    two\\nlines\\tand \\x9b C1, \\u202eRLO
    >>> print(visible("a literal \\\\x1b, C:\\\\data and \\\\\\\\"))
    a literal \\\\x1b, C:\\data and \\\\\\
    >>> visible("São Paulo 東京 👩‍💻")
    'São Paulo 東京 👩\\u200d💻'
    """
    return _TO_ESCAPE.sub(_escape, text)


# JSON escapes C0 itself; these are the other characters `visible` escapes (raw in JSON they
# would reach a terminal that a JSON answer is printed on).
_JSON_HIDDEN = re.compile(
    f"[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff"
    f"\ufff9-\ufffb\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff{_ASTRAL_NONCHARACTERS}]"
)


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code > 0xFFFF:  # a surrogate pair, as JSON writes astral characters
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def json_escaped(text: str) -> str:
    """JSON text (from any writer) with the characters `visible` escapes, outside C0, written
    as ``\\uNNNN``: the same JSON value, safe to print on a terminal.

    >>> print(json_escaped('{"a": "x\\u202ey"}'))
    {"a": "x\\u202ey"}
    """
    # Outside strings JSON holds only ASCII, so every match is inside a string.
    return _JSON_HIDDEN.sub(_json_escape, text)


def json_dumps(value: Any, *, indent: int | None = 2) -> str:
    """`value` as JSON (UTF-8 text, not ASCII) with controls, bidi and invisible characters
    written as ``\\uNNNN`` escapes: parsing it gives back the exact data.

    >>> json_dumps({"name": "a\\u202eb\\x1b"}, indent=None)
    '{"name": "a\\\\u202eb\\\\u001b"}'
    >>> json.loads(json_dumps(["\\u009b\\U0010ffff é"])) == ["\\u009b\\U0010ffff é"]
    True
    """
    return json_escaped(json.dumps(value, indent=indent, ensure_ascii=False))


# Validation. XML 1.0 cannot hold C0 controls other than tab, newline and carriage return at
# all (not even escaped), so a text holding one could not be written to GraphML or GEXF; DEL is
# refused with them (legal in XML and RDF, never meant in a name). Tab and line breaks are
# refused too, except in multi-line fields (notes).
_CONTROL_ONE_LINE = re.compile("[\x00-\x1f\x7f]")
_CONTROL_MULTI_LINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_C0_C1_DEL = re.compile("[\x00-\x1f\x7f-\x9f]")
_NONCHARACTER = re.compile(f"[\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff{_ASTRAL_NONCHARACTERS}]")


def unwritable_control(text: str, *, multiline: bool = False) -> str | None:
    """The first control character `text` may not hold (tab and line breaks are allowed only
    when `multiline`), or None.

    >>> unwritable_control("a\\x1bb"), unwritable_control("a\\nb"), unwritable_control("a\\nb", multiline=True)
    ('\\x1b', '\\n', None)
    """  # noqa: E501
    found = (_CONTROL_MULTI_LINE if multiline else _CONTROL_ONE_LINE).search(text)
    return found.group() if found else None


def noncharacter(text: str) -> str | None:
    """The first Unicode noncharacter (U+FDD0–U+FDEF, U+nFFFE, U+nFFFF) or lone surrogate in
    `text`, or None.

    >>> noncharacter("a\\ufffeb"), noncharacter("\\U0010ffff"), noncharacter("\\ufeff ok")
    ('\\ufffe', '\\U0010ffff', None)
    """
    found = _NONCHARACTER.search(text)
    return found.group() if found else None


def one_writable_line(text: str) -> str:
    """`text` as validate accepts it in a one-line field: each control character (C0, DEL and
    C1) a space (runs of spaces made one), noncharacters and lone surrogates left out, outer
    spaces stripped.
    For importers, whose sources hold what they hold.

    >>> one_writable_line(" Kota\\tTua\\n"), one_writable_line("Qu\\ufffex\\x1b[2J")
    ('Kota Tua', 'Qux [2J')
    """
    if text.isprintable():
        return text.strip()
    spaced = _NONCHARACTER.sub("", _C0_C1_DEL.sub(" ", text))
    return re.sub(" {2,}", " ", spaced).strip()


def _any_case(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word)


_IRREGULAR = [
    "en-GB-oed",
    "i-ami",
    "i-bnn",
    "i-default",
    "i-enochian",
    "i-hak",
    "i-klingon",
    "i-lux",
    "i-mingo",
    "i-navajo",
    "i-pwn",
    "i-tao",
    "i-tay",
    "i-tsu",
    "sgn-BE-FR",
    "sgn-BE-NL",
    "sgn-CH-DE",
]
_REGULAR = "art-lojban cel-gaulish no-bok no-nyn zh-guoyu zh-hakka zh-min zh-min-nan zh-xiang"
_A = "[A-Za-z]"
_AN = "[A-Za-z0-9]"
_SINGLETON = "[0-9A-WYZa-wyz]"  # any letter or digit but x
_PRIVATE_USE = f"[xX](?:-{_AN}{{1,8}})+"
_LANGTAG = (
    f"(?:{_A}{{2,3}}(?:-{_A}{{3}}){{0,3}}|{_A}{{4,8}})"  # language, extlang
    f"(?:-{_A}{{4}})?"  # script
    f"(?:-(?:{_A}{{2}}|[0-9]{{3}}))?"  # region
    f"(?:-(?:{_AN}{{5,8}}|[0-9]{_AN}{{3}}))*"  # variants
    f"(?:-{_SINGLETON}(?:-{_AN}{{2,8}})+)*"  # extensions
    f"(?:-{_PRIVATE_USE})?"
)
_GRANDFATHERED = "|".join(_any_case(tag) for tag in [*_IRREGULAR, *_REGULAR.split()])
# RFC 5646's ABNF (section 2.1) as a regular expression; also the JSON Schema's pattern.
# Grandfathered tags come first: "zh-min-nan" is one, not "zh" with an extlang "min".
LANGUAGE_TAG_PATTERN = f"^(?:{_GRANDFATHERED}|{_LANGTAG}|{_PRIVATE_USE})$"
_LANGUAGE_TAG = re.compile(LANGUAGE_TAG_PATTERN)


def is_language_tag(tag: str) -> bool:
    """Whether `tag` is a well-formed BCP 47 language tag (RFC 5646; case does not matter).

    >>> [is_language_tag(t) for t in ["en", "pt-BR", "zh-Hant-TW", "i-klingon", "x-whatever"]]
    [True, True, True, True, True]
    >>> [is_language_tag(t) for t in ["en-1a", "e", "en-", "en-GB-x", "en_GB"]]
    [False, False, False, False, False]
    """
    return _LANGUAGE_TAG.fullmatch(tag) is not None
