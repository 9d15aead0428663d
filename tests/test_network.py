"""Dataset → NetworkX: the city network, the knowledge graph, and the charts of the stats."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from helpers import DATA, invoke
from sistercities import load_dataset
from sistercities.network import city_network, knowledge_graph


def test_city_network_has_one_edge_a_tie_with_its_attributes() -> None:
    dataset = load_dataset(DATA)
    network = city_network(dataset)
    assert network.is_multigraph()
    assert network.number_of_nodes() == len(dataset.places)
    assert network.number_of_edges() == len(dataset.partnerships)
    edge = network.edges["jakarta", "los-angeles", "jakarta--los-angeles"]
    assert edge["kind"] == "sister-city" and edge["status"] == "active"
    assert str(edge["since"]) == "1990"
    assert "tourism" in edge["areas"] and "merahputih-2018-la" in edge["sources"]


def test_knowledge_graph_has_typed_nodes_for_every_entity() -> None:
    dataset = load_dataset(DATA)
    k = knowledge_graph(dataset)
    kinds = Counter(kind for _, kind in k.nodes(data="kind"))
    assert kinds["place"] == len(dataset.places)
    assert kinds["partnership"] == len(dataset.partnerships)
    assert kinds["official"] == len(dataset.officials)
    assert kinds["visit"] == len(dataset.visits)
    assert kinds["event"] == len(dataset.events)
    assert kinds["agreement"] == len(dataset.agreements)
    assert kinds["area"] == len(dataset.areas)
    assert kinds["source"] == len(dataset.sources)
    visit = ("visit", "baswedan-los-angeles-2018")
    out = {(rel, target) for _, target, rel in k.out_edges(visit, data="relation")}
    assert ("visit-to", ("place", "los-angeles")) in out
    assert ("attended", ("event", "global-conference-2018")) in out
    assert ("made", visit) in {
        (rel, target)
        for _, target, rel in k.out_edges(("official", "anies-baswedan"), data="relation")
    }


@pytest.mark.slow
def test_stats_plot_writes_three_png_charts(tmp_path: Path) -> None:
    result = invoke("stats", "--plot", str(tmp_path / "charts"))
    assert result.exit_code == 0, result.output
    for name in ("degree.png", "decades.png", "countries.png"):
        data = (tmp_path / "charts" / name).read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 5_000, name
    assert "wrote" in result.stderr
