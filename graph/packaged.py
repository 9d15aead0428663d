"""Where the packaged data lives: the curated file and the world layers.

In a source checkout that is the top-level ``data/`` folder; in an installed wheel, the copy
inside the package (``graph/data``).
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "CURATED_DATA",
    "DATA_DIR",
    "DEFAULT_LAYERS",
    "MANIFEST",
    "WORLD_DIR",
    "WORLD_LAYERS",
    "WORLD_SOURCES",
]


def _data_dir() -> Path:
    """``data/`` of a source checkout, or the copy inside an installed package."""
    here = Path(__file__).resolve().parent
    installed = here / "data"
    return installed if (installed / "cities.yaml").is_file() else here.parent / "data"


DATA_DIR = _data_dir()
CURATED_DATA = DATA_DIR / "cities.yaml"
WORLD_DIR = DATA_DIR / "world"
WORLD_SOURCES = WORLD_DIR / "sources"
WORLD_LAYERS = (WORLD_DIR / "world.json",)
DEFAULT_LAYERS = (CURATED_DATA, *WORLD_LAYERS)

# The SHA-256 of each world layer, written by `sistercities.world.build_world_layers` after the
# layers were validated; `sistercities.load` trusts it only in `WORLD_DIR`.
MANIFEST = "manifest.json"
