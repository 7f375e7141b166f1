"""circle15.coverage: indicators from travel times — per-zone coverage, capacity/2SFCA,
isochrones, the plan's targets (:mod:`~circle15.coverage.plan`) and siting
(:mod:`~circle15.coverage.siting`).

The package itself is callable: ``circle15.coverage(origins, zones, ...)`` is
:func:`circle15.coverage.zonal.coverage` (the public API names the function ``coverage``,
and once this package is imported Python binds ``circle15.coverage`` to it).
"""

from circle15._callable import make_callable

make_callable(__name__, "circle15.coverage.zonal.coverage")
