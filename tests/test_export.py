"""The exports that are not RDF (GraphML, GEXF, the CSV edge list) and the format registry."""

from __future__ import annotations

import io

import networkx as nx
import pytest
from helpers import DATA
from sistercities import Dataset, load_dataset
from sistercities.export import FORMATS, export_bytes


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return load_dataset(DATA)


def test_graphml_opens_with_flat_attributes_and_double_coordinates(dataset: Dataset) -> None:
    data = export_bytes(dataset, "graphml")
    g = nx.read_graphml(io.BytesIO(data))
    assert g.number_of_nodes() == len(dataset.places)
    assert g.number_of_edges() == len(dataset.partnerships)
    assert isinstance(g.nodes["jakarta"]["lat"], float)
    assert g.nodes["jakarta"]["label"] == "Jakarta"
    assert b'attr.name="lat" attr.type="double"' in data
    edge = next(d for _, _, d in g.edges(data=True) if d.get("id") == "jakarta--los-angeles")
    assert "energy-conservation" in edge["areas"].split(";")


def test_gexf_has_start_dates_for_the_timeline(dataset: Dataset) -> None:
    data = export_bytes(dataset, "gexf")
    assert b'mode="dynamic"' in data and b'timeformat="date"' in data
    g = nx.read_gexf(io.BytesIO(data))
    assert g.number_of_nodes() == len(dataset.places)
    assert g.number_of_edges() == len(dataset.partnerships)
    starts = [d for _, _, d in g.edges(data=True) if d.get("id") == "jakarta--los-angeles"]
    assert starts and starts[0]["start"] == "1990-01-01"
    assert b"lastmodifieddate" not in data


def test_csv_is_one_row_a_partnership(dataset: Dataset) -> None:
    lines = export_bytes(dataset, "csv").decode().splitlines()
    assert lines[0].startswith("id,place_a,place_b")
    assert len(lines) == 1 + len(dataset.partnerships)


def test_every_format_is_registered_with_a_suffix() -> None:
    assert set(FORMATS) == {"turtle", "json-ld", "n-triples", "graphml", "gexf", "csv"}
    assert all(f.suffixes and f.media_type for f in FORMATS.values())
