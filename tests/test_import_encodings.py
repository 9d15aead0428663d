"""Import options and files the first rounds did not think of (issue 23): a GraphML or GEXF
file with a DTD is refused in every encoding (UTF-16 slipped past a byte search and its
entities were expanded), and ``--labels-language`` must be a BCP 47 tag."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import run_cli
from sistercities.importers import ImportOptionError, ImportOptions, import_data

LAUGHS = (
    '<!DOCTYPE graphml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
)
GRAPHML = (
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
    '<key id="c" for="node" attr.name="country" attr.type="string"/>'
    '<graph edgedefault="undirected">'
    '<node id="a"><data key="c">DE</data></node><node id="b"><data key="c">FR</data></node>'
    '<edge source="a" target="b"/></graph></graphml>'
)
GEXF = (
    '<gexf xmlns="http://gexf.net/1.3" version="1.3"><graph defaultedgetype="undirected">'
    '<nodes><node id="a" label="&c;"/><node id="b" label="Lyon"/></nodes>'
    '<edges><edge id="0" source="a" target="b"/></edges></graph></gexf>'
)
ENCODINGS = ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig", "latin-1", "utf-32"]


def _document(kind: str, encoding: str, dtd: bool) -> bytes:
    body = GRAPHML.replace('id="a">', 'id="a"><data key="n">&c;</data>') if dtd else GRAPHML
    if kind == "gexf":
        body = GEXF if dtd else GEXF.replace("&c;", "Bonn")
    label = {"utf-16-le": "UTF-16", "utf-16-be": "UTF-16", "utf-8-sig": "UTF-8"}.get(
        encoding, encoding.upper()
    )
    text = f'<?xml version="1.0" encoding="{label}"?>' + (LAUGHS if dtd else "") + body
    data = text.encode(encoding)
    if encoding == "utf-16-le":
        data = b"\xff\xfe" + data
    elif encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    return data


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("kind", ["graphml", "gexf"])
def test_a_dtd_is_refused_in_every_encoding(tmp_path: Path, kind: str, encoding: str) -> None:
    source = tmp_path / f"laughs.{kind}"
    source.write_bytes(_document(kind, encoding, dtd=True))
    out = tmp_path / "out.yaml"
    result = run_cli(["import", kind, str(source), "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    # refused for its DTD, or (UTF-32, which expat does not read) as unreadable: never expanded
    assert "a DTD (<!DOCTYPE" in result.stderr or "not a readable graph" in result.stderr
    if encoding != "utf-32":
        assert "a DTD (<!DOCTYPE" in result.stderr
    assert not out.exists()
    assert "aaaaaaaaaa" not in result.output


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "latin-1"])
@pytest.mark.parametrize("kind", ["graphml", "gexf"])
def test_a_graph_without_a_dtd_in_utf16_is_read(tmp_path: Path, kind: str, encoding: str) -> None:
    source = tmp_path / f"plain.{kind}"
    source.write_bytes(_document(kind, encoding, dtd=False))
    out = tmp_path / "out.yaml"
    result = run_cli(["import", kind, str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "rows read: 1" in result.stderr and out.exists()  # read, not refused


@pytest.mark.parametrize("tag", ["bad tag", "en_US", "x", "en-1a", "de\n", "🙂", "-", "a" * 9])
def test_a_labels_language_that_is_not_bcp47_is_a_usage_error(tmp_path: Path, tag: str) -> None:
    pairs, labels = tmp_path / "pairs.tsv", tmp_path / "labels.tsv"
    pairs.write_text("Q1\tQ2\n", encoding="utf-8")
    labels.write_text("Q1\tBonn\nQ2\tLyon\n", encoding="utf-8")
    out = tmp_path / "out.yaml"
    args = ["import", "wikidata", str(pairs), "--labels", str(labels), "-o", str(out)]
    result = run_cli([*args, "--labels-language", tag])
    assert result.exit_code == 2, result.output
    assert "--labels-language must be a BCP 47 language tag" in result.stderr
    assert not out.exists()
    with pytest.raises(ImportOptionError):
        import_data("wikidata", [pairs], ImportOptions(labels=labels, labels_language=tag))
    good = run_cli([*args, "--labels-language", "pt-BR"])
    assert good.exit_code == 0, good.output
    assert "pt-BR: Bonn" in out.read_text(encoding="utf-8")
