"""Siting: where to add facilities so that every township reaches its target.

- :mod:`~circle15.coverage.siting.solvers`: reach sets, the greedy, the exact MCLP;
- :mod:`~circle15.coverage.siting.candidates`: candidate files and grid candidates;
- :mod:`~circle15.coverage.siting.goals`: the target per township (:class:`TargetSpec`);
- :mod:`~circle15.coverage.siting.site`: the site step (:func:`site`, :class:`SitingOptions`);
- :mod:`~circle15.coverage.siting.tables`: the output tables and
  :func:`write_siting_outputs`.

Nothing here reads a config: a run (:mod:`circle15.run.siting`) builds the
:class:`SitingOptions` and passes plain inputs.
"""

from circle15.coverage.siting.candidates import (
    candidate_zones,
    grid_candidates,
    load_candidates,
    node_candidates,
)
from circle15.coverage.siting.goals import TargetSpec, target_for_layer
from circle15.coverage.siting.site import METHODS, ProposedSites, SitingOptions, site
from circle15.coverage.siting.solvers import (
    SitingResult,
    exact_mclp,
    greedy_sites,
    reach_sets,
)
from circle15.coverage.siting.tables import (
    before_after_table,
    curve_table,
    sites_table,
    write_siting_outputs,
)

__all__ = [
    "METHODS", "ProposedSites", "SitingOptions", "SitingResult", "TargetSpec",
    "before_after_table", "candidate_zones", "curve_table", "exact_mclp", "greedy_sites",
    "grid_candidates", "load_candidates", "node_candidates", "reach_sets", "site",
    "sites_table", "target_for_layer", "write_siting_outputs",
]
