"""Wiring: the only place that reads a :class:`~circle15.config.Config` and runs the stages.

- :func:`~circle15.run.compute.compute` — every stage in memory → :class:`RunResult`;
- :func:`~circle15.run.outputs.write_outputs` — every output file, atomically;
- :func:`run` — both, plus the ``[siting]`` layers.

The package is callable as :func:`run` (``circle15.run(config)``; see
:mod:`circle15._callable`).
"""

from __future__ import annotations

from pathlib import Path

from circle15._callable import make_callable
from circle15.config import Config, load_config
from circle15.run.compute import Progress, compute
from circle15.run.outputs import check_output_dir, disk_full_error, output_dir, write_outputs
from circle15.run.result import RunResult

__all__ = ["RunResult", "compute", "run", "run_config", "write_outputs"]


def run_config(cfg: Config, out_dir: str | Path | None = None,
               progress: Progress | None = None) -> RunResult:
    """Compute, site the ``[siting] layers`` and write a run described by ``cfg``.

    ``out_dir`` defaults to ``[output] dir``.
    """
    from circle15.run.siting import site_layers

    out = check_output_dir(output_dir(cfg, out_dir), cfg)
    result = compute(cfg, progress)
    result.siting = site_layers(result, progress=progress)
    if progress:
        progress("writing outputs")
    try:
        result.report = write_outputs(result, out)
    except OSError as exc:
        full = disk_full_error(exc, out)
        if full is None:
            raise
        raise full from None
    return result


def run(config: str | Path | Config, out: str | Path | None = None,
        progress: Progress | None = None) -> RunResult:
    """Run a config file end to end: compute, site, write every output.

    Parameters
    ----------
    config : str, Path or Config
        A TOML config file (or an already loaded :class:`Config`).
    out : str or Path, optional
        Output folder (default: the config's ``[output] dir``).
    progress : callable, optional
        Called with each stage name as it starts.

    Returns
    -------
    RunResult

    Examples
    --------
    >>> import circle15 as c15  # doctest: +SKIP
    >>> result = c15.run("config.toml", out="out")  # doctest: +SKIP
    >>> result.coverage.query("zone_id == 'ALL'")  # doctest: +SKIP
    """
    cfg = config if isinstance(config, Config) else load_config(config)
    return run_config(cfg, out, progress)


make_callable(__name__, "circle15.run.run")
