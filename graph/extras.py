"""Optional dependencies: what one feature alone needs comes in an extra of the package
(``pip install 'sistercities[notebook]'``), and a missing one is one clear error naming it.

>>> require("json", "notebook", "a test").dumps([])
'[]'
>>> try:
...     require("no_such_module_here", "plot", "stats --plot")
... except MissingExtra as error:
...     print(error)
stats --plot needs no_such_module_here, which is not installed: pip install 'sistercities[plot]'
"""

from __future__ import annotations

import importlib
from types import ModuleType

from .errors import SisterCitiesError

__all__ = ["MissingExtra", "require"]


class MissingExtra(SisterCitiesError, ImportError):
    """An optional dependency that is not installed; the message names the extra to install."""


def require(module: str, extra: str, feature: str) -> ModuleType:
    """Import `module`, which `feature` needs and the package's `extra` installs."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtra(
            f"{feature} needs {module}, which is not installed: pip install 'sistercities[{extra}]'"
        ) from None
