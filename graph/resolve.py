"""Which data to answer from, and `load`: the one policy of the command line and the library.

The data is, in this order: the paths given; else ``$SISTERCITIES_DATA`` (paths separated by
``os.pathsep``; an empty entry, as in ``":"``, is an error, `DataPathsError`); else the
packaged data: the curated file with the world layers under it (the curated file alone with
``curated_only``). Every path is a YAML (or JSON) file or a folder of
them; later ones are layers under the first (`sistercities.merge.load_layers`). `load` reads
them through the cache of parsed data (`sistercities.cache`), as the command line's questions do.

>>> import sistercities
>>> given = data_paths("mine.yaml", "theirs.yaml")
>>> [p.name for p in given]
['mine.yaml', 'theirs.yaml']
>>> curated = load(sistercities.DEFAULT_DATA, cache=False)
>>> curated.places["jakarta"].name
'Jakarta'
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from .errors import SisterCitiesError
from .model import Dataset
from .packaged import CURATED_DATA, DEFAULT_LAYERS

__all__ = ["ENV_DATA", "DataPathsError", "data_paths", "default_data", "load"]

ENV_DATA = "SISTERCITIES_DATA"


def default_data(*, curated_only: bool = False) -> list[Path]:
    """The packaged data (absolute paths, right in a checkout and in an installed wheel): the
    curated file, and the world layers under it unless `curated_only`."""
    return [CURATED_DATA] if curated_only else list(DEFAULT_LAYERS)


def data_paths(*paths: str | os.PathLike[str], curated_only: bool = False) -> list[Path]:
    """The data to read: `paths`, else ``$SISTERCITIES_DATA``, else `default_data`."""
    if paths:
        return [Path(p) for p in paths]
    from_env = os.environ.get(ENV_DATA)
    if from_env:  # set and empty is unset
        entries = from_env.split(os.pathsep)
        if "" in entries:
            raise DataPathsError(
                f"${ENV_DATA} ({from_env!r}) holds an empty entry: give paths separated by "
                f"{os.pathsep!r} (e.g. {'mine.yaml' + os.pathsep + 'layers'!r}), or unset it "
                "to answer from the packaged data"
            )
        return [Path(p) for p in entries]
    return default_data(curated_only=curated_only)


class DataPathsError(SisterCitiesError):
    """``$SISTERCITIES_DATA`` cannot be read as a list of paths."""


def load(
    *paths: str | os.PathLike[str],
    curated_only: bool = False,
    cache: bool = True,
    on_rebuild: Callable[[], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> Dataset:
    """The dataset the command line answers from: the data of `data_paths`, layered, read
    through the cache of parsed data (``cache=False`` parses afresh). Raises
    `sistercities.DataError`, with every problem, when the data has errors.

    A first call on the world layers takes a few seconds; later ones (in any process) read
    the cache. `on_rebuild` is called before the data is parsed afresh, `on_warning` with
    each problem of the cache (by default, printed on stderr).

    >>> import sistercities
    >>> dataset = sistercities.load(curated_only=True)
    >>> dataset.counts()["places"] > 50 or bool(os.environ.get(ENV_DATA))
    True
    """
    chosen = data_paths(*paths, curated_only=curated_only)
    if not cache:
        from .merge import load_layers

        return load_layers(chosen)
    from .cache import load_cached

    return load_cached(chosen, on_rebuild=on_rebuild, on_warning=on_warning)
