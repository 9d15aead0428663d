"""Charts of the tie network as PNG files (matplotlib, drawn off-screen).

`write_plots` draws, from `sistercities.network.stats`-style measures of a dataset: the degree
distribution on log-log axes, ties by decade where dates exist, and the countries with the most
ties.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from .dates import UNDATED, decade, decade_order
from .model import Dataset

__all__ = ["write_plots"]


def write_plots(dataset: Dataset, folder: Path, top: int = 15) -> list[Path]:
    """Write degree.png, decades.png and countries.png into `folder`; returns their paths.
    Needs matplotlib, which the ``plot`` extra installs (`sistercities.extras.MissingExtra`
    names it when it is missing)."""
    from .extras import require

    matplotlib = require("matplotlib", "plot", "stats --plot")

    matplotlib.use("Agg")  # no screen: draw into files
    import matplotlib.pyplot as plt

    from .atomic import write_atomic
    from .network import tie_network

    folder.mkdir(parents=True, exist_ok=True)
    network = tie_network(dataset)
    written = []

    def save(figure: Any, name: str) -> None:
        import io

        buffer = io.BytesIO()
        figure.tight_layout()
        figure.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
        plt.close(figure)
        written.append(write_atomic(folder / name, buffer.getvalue()))

    degrees = Counter(d for _, d in network.degree() if d > 0)
    figure, axes = plt.subplots(figsize=(6, 4.5))
    xs = sorted(degrees)
    axes.loglog(xs, [degrees[x] for x in xs], "o", markersize=4)
    axes.set_xlabel("ties of a place (degree)")
    axes.set_ylabel("places")
    axes.set_title(f"Degree distribution ({network.number_of_nodes():,} places)")
    axes.grid(True, which="both", alpha=0.3)
    save(figure, "degree.png")

    decades: Counter[str] = Counter(
        decade(t.since) for t in dataset.partnerships.values() if t.status != "planned"
    )
    del decades[UNDATED]
    figure, axes = plt.subplots(figsize=(6, 4.5))
    if decades:
        keys = decade_order(decades)
        axes.bar(keys, [decades[k] for k in keys])
        axes.tick_params(axis="x", rotation=45)
    dated = sum(decades.values())
    axes.set_title(
        f"Ties by decade of their start ({dated:,} of {len(dataset.partnerships):,} dated)"
    )
    axes.set_ylabel("ties")
    save(figure, "decades.png")

    countries: Counter[str] = Counter()
    for tie in dataset.partnerships.values():
        if tie.status != "planned":
            for place in set(tie.between):
                countries[dataset.places[place].country or "unknown"] += 1
    figure, axes = plt.subplots(figsize=(6, 4.5))
    leaders = countries.most_common(top)[::-1]
    axes.barh([c for c, _ in leaders], [n for _, n in leaders])
    axes.set_xlabel("ties")
    axes.set_title(f"Countries with the most ties (top {len(leaders)})")
    save(figure, "countries.png")
    return written
