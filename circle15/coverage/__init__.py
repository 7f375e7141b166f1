"""circle15.coverage: indicators from travel times — per-zone coverage, capacity/2SFCA,
isochrones, the plan's targets (:mod:`~circle15.coverage.plan`) and siting
(:mod:`~circle15.coverage.siting`).

The package itself is callable: ``circle15.coverage(origins, zones, ...)`` is
:func:`circle15.coverage.zonal.coverage` (the public API names the function ``coverage``,
and once this package is imported Python binds ``circle15.coverage`` to it).
"""

from __future__ import annotations

import sys
import types
from typing import Any


class _CallablePackage(types.ModuleType):
    """This package, callable as :func:`circle15.coverage.zonal.coverage`."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from circle15.coverage.zonal import coverage

        return coverage(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
