"""Siting wired into a run: read the config, build the options, site, write.

The domain work is :func:`circle15.coverage.siting.site`; this module only turns a
:class:`~circle15.config.Config` and a computed run (its ``network``, ``origins``,
``origin_links``, ``zones``, ``targets`` and ``layers``) into its arguments, and writes the
outputs (:func:`circle15.coverage.siting.write_siting_outputs`):

:func:`siting_options`
    :class:`~circle15.coverage.siting.SitingOptions` from the config's ``[siting]``
    (and the coverage, network, output and project facts siting must agree with).
:func:`site_layer` / :func:`site_layers`
    Site one layer, or every ``[siting] layers`` entry, of a computed run.
:func:`run_siting`
    Site and write: the ``circle15 site`` command, on a run computed by the caller.

Nothing here imports :mod:`circle15.run.compute` at run time (it calls
:func:`site_layers`; the import is for type checking only): the caller computes the run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd

from circle15.config import Config
from circle15.coverage.siting import (
    ProposedSites,
    SitingOptions,
    site,
    write_siting_outputs,
)
from circle15.errors import InputError
from circle15.run.outputs import output_dir
from circle15.run.result import RunResult

Progress = Callable[[str], None]


def _layer_groups(result: RunResult) -> dict[str, str]:
    """Layer key -> population group of the run's layers."""
    return result.layer_groups


def siting_options(
    cfg: Config,
    *,
    max_sites: int | None = None,
    target_rate: float | None = None,
    minutes: float | None = None,
    indicator: str | None = None,
    candidates: str | Path | gpd.GeoDataFrame | None = None,
    zone_cap: int | None = None,
    budget: float | None = None,
    capacity: bool | None = None,
    method: str | None = None,
) -> SitingOptions:
    """The siting options of a config; each argument given (not ``None``) overrides its
    ``[siting]`` key.

    Parameters
    ----------
    cfg : Config
    max_sites, target_rate, minutes, indicator, candidates, zone_cap, budget, capacity, method
        See :class:`~circle15.coverage.siting.SitingOptions`.

    Returns
    -------
    SitingOptions
    """
    sit = cfg.siting

    def pick(given: Any, default: Any) -> Any:
        return default if given is None else given

    return SitingOptions(
        max_sites=int(pick(max_sites, sit.max_sites)),
        target_rate=pick(target_rate, sit.target_rate),
        minutes=float(pick(minutes, sit.minutes)),
        indicator=pick(indicator, sit.indicator) or None,
        zone_cap=pick(zone_cap, sit.zone_cap), budget=pick(budget, sit.budget),
        capacity=bool(pick(capacity, sit.capacity)), method=pick(method, sit.method),
        spacing_m=float(sit.spacing_m), candidates=pick(candidates, sit.candidates),
        candidates_crs=sit.candidates_crs, max_link_m=float(cfg.network.max_link_m),
        own_zone_only=bool(cfg.coverage.own_zone_only),
        computed_minutes=float(max(cfg.coverage.thresholds)), lang=cfg.output.lang,
        synthetic=bool(cfg.project.synthetic))


def site_layer(result: RunResult, layer: str, options: SitingOptions | None = None, *,
               progress: Progress | None = None) -> ProposedSites:
    """Site ``layer`` on a computed run (no files written).

    Parameters
    ----------
    result : RunResult
    layer : str
        Layer key.
    options : SitingOptions, optional
        Default: :func:`siting_options` of ``result.config``.
    progress : callable, optional

    Returns
    -------
    ProposedSites

    Raises
    ------
    InputError
        A layer the run does not have (key ``layer``), or what
        :func:`circle15.coverage.siting.site` raises.
    """
    groups = _layer_groups(result)
    if layer not in groups:
        raise InputError(f"no layer {layer!r} in this run", key="layer",
                         hint=f"layers: {', '.join(groups)}")
    cfg: Config = result.config
    return site(result.network, result.origins, result.origin_links, result.zones, layer,
                targets=result.targets, plan=cfg.targets.plan if cfg.targets.enabled else None,
                options=options if options is not None else siting_options(cfg),
                group=groups[layer], progress=progress)


def site_layers(result: RunResult, options_per_layer: Mapping[str, SitingOptions] | None = None,
                progress: Progress | None = None) -> list[ProposedSites]:
    """Site every layer of ``[siting] layers`` (the ``siting`` of a ``circle15 run``).

    Parameters
    ----------
    result : RunResult
    options_per_layer : mapping, optional
        Layer key -> options; default :func:`siting_options` of the config for each.
    progress : callable, optional

    Returns
    -------
    list of ProposedSites
    """
    cfg: Config = result.config
    out = []
    for layer in cfg.siting.layers:
        if progress:
            progress("siting")
        opts = (options_per_layer or {}).get(layer) or siting_options(cfg)
        out.append(site_layer(result, layer, opts))
    return out


def run_siting(result: RunResult, layer: str, options: SitingOptions | None = None, *,
               out_dir: Path | None = None, progress: Progress | None = None
               ) -> ProposedSites:
    """Site a layer of a computed run and write the outputs: the ``circle15 site`` command.

    Parameters
    ----------
    result : RunResult
        The computed run (:func:`circle15.compute`).
    layer : str
        Layer key to site.
    options : SitingOptions, optional
        Default :func:`siting_options` of the run's config.
    out_dir : Path, optional
        Default the config's ``[output] dir``; the siting files are added to (or replace
        the same layer's in) the run folder there.
    progress : callable, optional

    Returns
    -------
    ProposedSites
    """
    cfg = result.config
    out = output_dir(cfg, out_dir)
    sr = site_layer(result, layer, options or siting_options(cfg), progress=progress)
    if progress:
        progress("writing outputs")
    write_siting_outputs(sr, out)
    return sr
