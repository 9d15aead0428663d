"""The core install: no GPL-licensed package, no upper pin on pandas (nor pandas at all), and
what one feature alone needs in an extra, named when it is missing."""

from __future__ import annotations

import json
import re
import tomllib
from importlib import metadata, resources
from pathlib import Path

import pytest
from helpers import DATA, invoke
from packaging.requirements import Requirement
from sistercities import viz
from sistercities.extras import MissingExtra

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _core_closure() -> dict[str, metadata.Distribution]:
    """Every distribution the core install brings (the requirements' closure, no extras)."""
    found: dict[str, metadata.Distribution] = {}
    todo = [Requirement(r) for r in PROJECT["dependencies"]]
    while todo:
        requirement = todo.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        name = re.sub(r"[-_.]+", "-", requirement.name).lower()
        if name in found:
            continue
        try:
            found[name] = metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError:
            continue  # not for this platform or Python
        todo.extend(Requirement(r) for r in found[name].requires or ())
    return found


def _licence(dist: metadata.Distribution) -> str:
    meta = dist.metadata
    parts = [meta.get("License-Expression") or "", (meta.get("License") or "")[:200]]
    parts += [c for c in meta.get_all("Classifier") or () if c.startswith("License")]
    return " | ".join(p for p in parts if p)


def test_no_gpl_package_in_the_core_install() -> None:
    closure = _core_closure()
    assert {"click", "rdflib", "pyvis", "pycountry", "pyoxigraph"} <= set(closure)
    gpl = {
        name: _licence(dist)
        for name, dist in closure.items()
        if re.search(r"\b(A|L)?GPL|General Public License", _licence(dist))
        and not re.search(r"LGPL|Lesser General Public", _licence(dist))
    }
    assert gpl == {}, gpl
    assert "country-converter" not in closure


def test_pandas_and_matplotlib_are_extras_without_upper_pins() -> None:
    core = [Requirement(r).name.lower() for r in PROJECT["dependencies"]]
    assert "pandas" not in core and "matplotlib" not in core
    extras = PROJECT["optional-dependencies"]
    assert [Requirement(r).name for r in extras["notebook"]] == ["pandas"]
    assert [Requirement(r).name for r in extras["plot"]] == ["matplotlib"]
    for name, group in extras.items():
        if name == "layers":
            continue  # a build tool pinned to the committed layer's gazetteer (below)
        for requirement in (Requirement(r) for r in group):
            assert not any(s.operator in ("<", "<=", "==") for s in requirement.specifier), (
                requirement
            )


def test_the_layers_extra_pins_the_gazetteer_the_committed_layer_was_built_with() -> None:
    manifest = json.loads((ROOT / "data" / "world" / "manifest.json").read_text(encoding="utf-8"))
    (requirement,) = (Requirement(r) for r in PROJECT["optional-dependencies"]["layers"])
    assert requirement.name == manifest["gazetteer"]["package"]
    assert str(requirement.specifier) == f"=={manifest['gazetteer']['version']}"


def _hide(monkeypatch: pytest.MonkeyPatch, module: str) -> None:
    import builtins

    real_import = builtins.__import__

    def fake_import(name: str, *args: object, **kwargs: object) -> object:
        if name == module or name.startswith(module + "."):
            raise ImportError(f"No module named {module!r}")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", fake_import)
    import importlib

    real_import_module = importlib.import_module

    def fake_import_module(name: str, package: str | None = None) -> object:
        if name == module or name.startswith(module + "."):
            raise ImportError(f"No module named {module!r}")
        return real_import_module(name, package)

    monkeypatch.setattr(importlib, "import_module", fake_import_module)


def test_stats_plot_without_matplotlib_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _hide(monkeypatch, "matplotlib")
    result = invoke("stats", "--plot", str(tmp_path / "charts"), data=DATA)
    assert result.exit_code == 1, result.output
    assert "stats --plot needs matplotlib" in result.stderr
    assert "pip install 'sistercities[plot]'" in result.stderr
    assert "Traceback" not in result.output


def test_to_dataframe_without_pandas_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sistercities

    dataset = sistercities.load(DATA, cache=False)
    _hide(monkeypatch, "pandas")
    with pytest.raises(MissingExtra, match=r"pip install 'sistercities\[notebook\]'"):
        dataset.to_dataframe()


def test_the_pages_read_vis_network_where_pyvis_keeps_it() -> None:
    """The page inlines pyvis's copy of vis-network: when a pyvis release moves or drops it,
    this fails (vendor the standalone build then, as graph/static/world-atlas/ is)."""
    folder = resources.files("pyvis").joinpath(viz._VIS)
    for name in ("vis-network.min.js", "vis-network.css"):
        assert folder.joinpath(name).is_file(), f"pyvis no longer ships {viz._VIS}/{name}"
    script = viz._asset("vis-network.min.js")
    assert len(script) > 100_000 and "vis-network" in script[:2000]
    assert "9.1.2" in viz._VIS and metadata.version("pyvis").startswith("0.3")
