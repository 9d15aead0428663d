"""Dataset → YAML in the format of ``data/cities.yaml``: readable, stable, loadable again.

>>> import sistercities
>>> ds = sistercities.load_dataset(sistercities.DEFAULT_DATA)
>>> text = dataset_to_yaml(ds)
>>> text.splitlines()[0]
'sources:'
"""

from __future__ import annotations

from typing import Any

import yaml

from .dates import PartialDate
from .model import SECTION_ATTRIBUTES, Dataset, tie_id

__all__ = ["dataset_to_json", "dataset_to_yaml", "entity_to_dict"]

from .yamltree import _plain_scalar

try:
    from yaml import CSafeDumper as _BaseDumper
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]


class _Dumper(_BaseDumper):
    """PyYAML's dumper, quoting every string that our YAML 1.2 reader would not read back
    as that same string (PyYAML quotes by YAML 1.1 rules: ``0o17`` would come back a number)."""


def _represent_str(dumper: Any, text: str) -> Any:
    quoted = _plain_scalar(text) is not text or text != text.strip()
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"' if quoted else None)


_Dumper.add_representer(str, _represent_str)

# Model attribute → YAML key, where they differ.
_KEYS = {"start": "from", "end": "until"}  # fields written under another name
_SECTION_OF = {attribute: section for section, attribute in SECTION_ATTRIBUTES.items()}
_SKIP = {"location"}


def _plain(value: Any) -> Any:
    if isinstance(value, PartialDate):
        return value.text
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "__dataclass_fields__"):
        return entity_to_dict(value)
    return value


def entity_to_dict(entity: Any) -> dict[str, Any]:
    """An entity as the mapping the YAML format writes (empty and unknown values left out)."""
    out: dict[str, Any] = {}
    for name in entity.__dataclass_fields__:
        if name in _SKIP:
            continue
        value = getattr(entity, name)
        if value is None or value == () or value == {}:
            continue
        out[_KEYS.get(name, name)] = _plain(value)
    return out


def _document(dataset: Dataset, partnership_ids: bool) -> dict[str, list[dict[str, Any]]]:
    document: dict[str, list[dict[str, Any]]] = {}
    for attribute in dataset.SECTIONS:
        entities = getattr(dataset, attribute).values()
        if not entities:
            continue
        rows = [entity_to_dict(e) for e in entities]
        if attribute == "partnerships" and not partnership_ids:
            for row in rows:
                if row["id"] == tie_id(*row["between"]):
                    del row["id"]
        document[_SECTION_OF[attribute]] = rows
    return document


def dataset_to_json(dataset: Dataset, *, partnership_ids: bool = True) -> str:
    """The dataset as JSON (a subset of YAML 1.2, so any of our loaders read it), one entity a
    line, so that diffs of a regenerated file show what changed; ASCII only, stable.

    >>> import sistercities
    >>> text = dataset_to_json(sistercities.load_dataset(sistercities.DEFAULT_DATA))
    >>> text.splitlines()[:2]
    ['{', '"sources": [']
    """
    import json

    def line(value: Any) -> str:
        return json.dumps(value, ensure_ascii=True, separators=(", ", ": "))

    sections = []
    for name, rows in _document(dataset, partnership_ids).items():
        body = ",\n".join(line(row) for row in rows)
        sections.append(f"{line(name)}: [\n{body}\n]")
    return "{\n" + ",\n".join(sections) + "\n}\n"


def dataset_to_yaml(dataset: Dataset, *, partnership_ids: bool = True) -> str:
    """The dataset as YAML text, sections and entities in the dataset's order.

    With `partnership_ids` False, ties whose id is the default one are written without it.
    """
    document = _document(dataset, partnership_ids)
    return yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
