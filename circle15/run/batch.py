"""Many counties and scenarios as independent runs on ``dask.distributed``.

A batch file (TOML) lists configs and/or a scenario grid over them::

    configs = ["zhuji/config.toml", "shengzhou/config.toml"]   # one per county

    [batch]
    config = "zhuji/config.toml"    # optional: a base config for the grid
    workers = 2                     # local cluster size (default: one per core)
    memory_limit = "auto"           # per worker (default: the machine's memory / workers)
    scheduler = "tcp://host:8786"   # optional: an existing cluster instead

    [batch.grid]                    # dotted config keys -> lists; every combination
    "network.speed_kmh" = [3.6, 4.5]
    "targets.year" = [2025, 2027]

Each task is one :func:`circle15.run.compute.run` of ``load_config(path, overrides)`` in a
worker *process*; it writes into ``DIR/.<name>.partial-*`` and, when the run succeeded, the
folder is renamed to ``DIR/<name>`` (an earlier result of the same task is replaced in one
rename), so a task folder is whole or absent. A ``batch_task.json`` in it records the
task's fingerprint: the SHA-256 of the config file and of every input file it names, the
overrides and the package version; a rerun skips a task whose fingerprint is unchanged. A
failing task (bad input, or any error) is reported with its message and does not stop the
others. The batch writes ``batch_summary.csv`` (UTF-8 with BOM) and ``batch_summary.xlsx``:
one row per task (county x indicator for many configs, scenario x indicator for a grid) with
the county coverage rate per layer and threshold and each plan indicator's county value.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import os
import shutil
import time
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from circle15 import __version__
from circle15.errors import InputError
from circle15.io import file_sha256, write_csv, write_json
from circle15.vocab import COUNTY

#: File in each task folder with the task's fingerprint and summary.
TASK_FILE = "batch_task.json"
SUMMARY_CSV = "batch_summary.csv"
SUMMARY_XLSX = "batch_summary.xlsx"
_BATCH_KEYS = {"config", "workers", "memory_limit", "scheduler", "grid"}


@dataclass(frozen=True)
class BatchTask:
    """One run of a batch.

    Attributes
    ----------
    name : str
        Folder name under the batch's output directory (unique in the batch).
    config : Path
        The config file.
    overrides : tuple of (str, Any)
        Dotted config keys set after reading (as :func:`circle15.config.load_config`).
    """

    name: str
    config: Path
    overrides: tuple[tuple[str, Any], ...] = ()

    @property
    def scenario(self) -> dict[str, Any]:
        """The grid values of this task."""
        return dict(self.overrides)


@dataclass(frozen=True)
class BatchSpec:
    """A parsed batch file (see the module docstring)."""

    tasks: tuple[BatchTask, ...]
    grid_keys: tuple[str, ...] = ()
    workers: int | None = None
    memory_limit: str | None = None
    scheduler: str | None = None
    path: Path | None = None


@dataclass
class TaskResult:
    """What one task reports back (small, picklable)."""

    name: str
    status: str  # "done", "skipped" or "failed"
    message: str = ""
    seconds: float = 0.0
    county: str = ""
    scenario: dict[str, Any] = field(default_factory=dict)
    indicators: dict[str, float] = field(default_factory=dict)


# --------------------------------------------------------------------------- batch file


def _grid(raw: dict, file: Path) -> list[tuple[str, list]]:
    out = []
    for key, values in raw.items():
        if "." not in key:
            raise InputError(f"grid key {key!r} is not a dotted config key "
                             "(e.g. \"network.speed_kmh\")", file=file, key=f"batch.grid.{key}")
        if not isinstance(values, list) or not values:
            raise InputError("a grid entry must be a non-empty list of values", file=file,
                             key=f"batch.grid.{key}")
        out.append((key, values))
    return out


def _task_name(config: Path, overrides: tuple, stems: dict[Path, str]) -> str:
    base = stems[config]
    if not overrides:
        return base
    parts = [f"{k.rpartition('.')[2]}={v}" for k, v in overrides]
    return base + "__" + "_".join(parts).replace("/", "-").replace(" ", "")


def _stems(configs: list[Path]) -> dict[Path, str]:
    """A short folder name per config: its folder's name, else the file's stem."""
    names = {c: c.parent.name or c.stem for c in configs}
    if len(set(names.values())) < len(configs):
        names = {c: f"{c.parent.name}-{c.stem}" for c in configs}
    if len(set(names.values())) < len(configs):
        names = {c: f"{i:03d}-{c.stem}" for i, c in enumerate(configs)}
    return names


def load_batch(path: str | Path) -> BatchSpec:
    """Read a batch file.

    Parameters
    ----------
    path : str or Path
        The batch TOML; config paths in it are relative to its folder.

    Returns
    -------
    BatchSpec

    Raises
    ------
    InputError
        Unreadable file, unknown ``[batch]`` key, a missing config, a bad grid, or no task.
    """
    path = Path(path).resolve()
    if not path.is_file():
        raise InputError("batch file not found", file=path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", file=path) from None
    sec = raw.get("batch", {})
    unknown = set(sec) - _BATCH_KEYS
    if unknown:
        raise InputError(f"unknown [batch] key(s): {', '.join(sorted(unknown))}", file=path,
                         key=f"batch.{min(unknown)}", hint=", ".join(sorted(_BATCH_KEYS)))
    names = list(raw.get("configs", [])) + ([sec["config"]] if "config" in sec else [])
    if not names:
        raise InputError("no configs: set configs = [...] or [batch] config", file=path,
                         key="configs")
    configs = list(dict.fromkeys((path.parent / n).resolve() for n in names))
    for c in configs:
        if not c.is_file():
            raise InputError(f"config not found: {c}", file=path, key="configs")
    grid = _grid(sec.get("grid", {}), path)
    combos = list(itertools.product(*[[(k, v) for v in vals] for k, vals in grid]))
    stems = _stems(configs)
    tasks = tuple(BatchTask(_task_name(c, tuple(o), stems), c, tuple(o))
                  for c in configs for o in combos)
    workers = sec.get("workers")
    if workers is not None and (not isinstance(workers, int) or workers < 1):
        raise InputError("workers must be a whole number of at least 1", file=path,
                         key="batch.workers")
    return BatchSpec(tasks, tuple(k for k, _ in grid), workers, sec.get("memory_limit"),
                     sec.get("scheduler"), path)


# --------------------------------------------------------------------------- one task


def _config_files(obj: Any) -> Iterable[Path]:
    """Every existing file named anywhere in a config (dataclasses, lists, dicts)."""
    if isinstance(obj, Path):
        if obj.is_file():
            yield obj
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            yield from _config_files(getattr(obj, f.name))
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _config_files(v)
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _config_files(v)


def fingerprint(task: BatchTask, cfg: Any) -> str:
    """SHA-256 over the config file, every input file it names, overrides and version."""
    h = hashlib.sha256()
    h.update(f"circle15 {__version__}\n".encode())
    h.update(file_sha256(task.config).encode())
    h.update(json.dumps([[k, v] for k, v in task.overrides], default=str).encode())
    for p in sorted({p.resolve() for p in _config_files(cfg)} - {task.config.resolve()}):
        h.update(f"{p}:{file_sha256(p)}\n".encode())
    return h.hexdigest()


def _indicators(result: Any) -> tuple[str, dict[str, float]]:
    """County name and the county-wide indicators of a run (coverage rates, plan values)."""
    cov = result.coverage
    rows = cov[(cov["zone_id"] == COUNTY) & (cov["group"] == "total")]
    out = {f"coverage:{lay}:{m:g}min": float(r)
           for lay, m, r in zip(rows["layer"], rows["minutes"], rows["coverage_rate"],
                                strict=True)}
    if result.targets is not None:
        t = result.targets[result.targets["zone_id"] == COUNTY]
        for ind, val in zip(t["indicator_id"], t["value"], strict=True):
            if pd.notna(val):
                out[str(ind)] = float(val)
    return str(result.params.get("title", "")), out


def _replace_dir(tmp: Path, final: Path) -> None:
    """Put ``tmp`` at ``final`` with renames only (an earlier ``final`` is dropped)."""
    old = final.with_name(f".{final.name}.old-{os.getpid()}")
    if final.exists():
        os.replace(final, old)
    os.replace(tmp, final)
    shutil.rmtree(old, ignore_errors=True)


def _previous(final: Path, fp: str) -> TaskResult | None:
    marker = final / TASK_FILE
    if not marker.is_file():
        return None
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("fingerprint") != fp or data.get("status") != "done":
        return None
    return TaskResult(data["name"], "skipped", "inputs and parameters unchanged",
                      0.0, data.get("county", ""), data.get("scenario", {}),
                      data.get("indicators", {}))


def run_task(task: BatchTask, out_dir: str | Path, force: bool = False) -> TaskResult:
    """Run one task into ``out_dir/<task.name>`` (see the module docstring).

    Never raises for a failing run: the error comes back as ``status="failed"`` with its
    message, so that the other tasks go on.
    """
    from circle15.config import load_config
    from circle15.run import run_config as run

    t0 = time.perf_counter()
    final = Path(out_dir) / task.name
    tmp = final.with_name(f".{task.name}.partial-{os.getpid()}")
    try:
        cfg = load_config(task.config, dict(task.overrides))
        fp = fingerprint(task, cfg)
        prev = None if force else _previous(final, fp)
        if prev is not None:
            return prev
        shutil.rmtree(tmp, ignore_errors=True)
        result = run(cfg, tmp)
        county, ind = _indicators(result)
        res = TaskResult(task.name, "done", "", time.perf_counter() - t0, county,
                         task.scenario, ind)
        write_json({"fingerprint": fp, "config": str(task.config),
                    **dataclasses.asdict(res)}, tmp / TASK_FILE)
        _replace_dir(tmp, final)
        return res
    except Exception as exc:  # noqa: BLE001 - reported per task, the batch goes on
        shutil.rmtree(tmp, ignore_errors=True)
        msg = str(exc) if isinstance(exc, InputError) else f"{type(exc).__name__}: {exc}"
        return TaskResult(task.name, "failed", msg, time.perf_counter() - t0,
                          scenario=task.scenario)


# --------------------------------------------------------------------------- the batch


def default_workers(n_tasks: int) -> int:
    """One worker process per core, no more than there are tasks."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
        else os.cpu_count() or 1
    return max(1, min(cores, n_tasks))


def _client(spec: BatchSpec, scheduler: str | None, workers: int | None):
    """A dask client: an existing scheduler, or a local cluster of worker processes."""
    from dask.distributed import Client, LocalCluster

    address = scheduler or spec.scheduler
    if address:
        return Client(address), None
    n = workers or spec.workers or default_workers(len(spec.tasks))
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                           memory_limit=spec.memory_limit or "auto",
                           dashboard_address=":0")  # any free port, no clash
    return Client(cluster), cluster


#: Progress callback: ``(result, done, failed, total)`` after each finished task.
BatchProgress = Callable[[TaskResult, int, int, int], None]


def run_batch(spec: BatchSpec, out_dir: str | Path, *, scheduler: str | None = None,
              workers: int | None = None, force: bool = False,
              progress: BatchProgress | None = None) -> list[TaskResult]:
    """Run every task of a batch on dask and write the summary.

    Parameters
    ----------
    spec : BatchSpec
        From :func:`load_batch`.
    out_dir : str or Path
        One folder per task is written under it, plus the summary.
    scheduler : str, optional
        Address of an existing dask scheduler (``tcp://host:8786``); overrides
        ``[batch] scheduler``. Without one a ``LocalCluster`` of worker processes runs.
    workers : int, optional
        Local cluster size; overrides ``[batch] workers`` (default one per core).
    force : bool
        Rerun tasks whose fingerprint is unchanged.
    progress : callable, optional
        Called after each task (see :data:`BatchProgress`).

    Returns
    -------
    list of TaskResult
        In the batch file's task order.
    """
    from dask.distributed import as_completed

    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    client, cluster = _client(spec, scheduler, workers)
    try:
        futs = [client.submit(run_task, t, str(out), force, key=f"circle15-{i}-{t.name}",
                              pure=False) for i, t in enumerate(spec.tasks)]
        by_key = {f.key: i for i, f in enumerate(futs)}
        results: list[TaskResult | None] = [None] * len(futs)
        done = failed = 0
        for fut in as_completed(futs):
            i = by_key[fut.key]
            try:
                res = fut.result()
            except Exception as exc:  # noqa: BLE001 - e.g. a worker killed for memory
                res = TaskResult(spec.tasks[i].name, "failed", f"{type(exc).__name__}: {exc}",
                                 scenario=spec.tasks[i].scenario)
            results[i] = res
            done += res.status != "failed"
            failed += res.status == "failed"
            if progress:
                progress(res, done, failed, len(futs))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    final = [r for r in results if r is not None]
    write_summary(final, spec, out)
    return final


def summary_table(results: list[TaskResult], spec: BatchSpec) -> pd.DataFrame:
    """One row per task: task, county, grid values, status, then every indicator."""
    rows = []
    for r in results:
        row: dict[str, Any] = {"task": r.name, "county": r.county}
        row.update({k: r.scenario.get(k) for k in spec.grid_keys})
        row.update({"status": r.status, "message": r.message, "seconds": round(r.seconds, 2)})
        row.update(r.indicators)
        rows.append(row)
    df = pd.DataFrame(rows)
    fixed = ["task", "county", *spec.grid_keys, "status", "message", "seconds"]
    cov = sorted(c for c in df.columns if c not in fixed and str(c).startswith("coverage:"))
    ind = sorted(c for c in df.columns if c not in fixed and c not in cov)
    return df.reindex(columns=fixed + cov + ind)


def write_summary(results: list[TaskResult], spec: BatchSpec, out_dir: Path) -> pd.DataFrame:
    """Write ``batch_summary.csv`` (UTF-8 with BOM) and ``batch_summary.xlsx``."""
    df = summary_table(results, spec)
    tmp = out_dir / f".{SUMMARY_CSV}.tmp"
    write_csv(df, tmp)
    os.replace(tmp, out_dir / SUMMARY_CSV)
    sheet = "情景汇总" if spec.grid_keys else "县市汇总"
    tmpx = out_dir / f".{SUMMARY_XLSX}.tmp.xlsx"
    with pd.ExcelWriter(tmpx, engine="openpyxl") as xw:
        df.to_excel(xw, sheet_name=sheet, index=False)
    os.replace(tmpx, out_dir / SUMMARY_XLSX)
    return df


__all__ = ["TASK_FILE", "BatchSpec", "BatchTask", "TaskResult", "fingerprint",
           "load_batch", "run_batch", "run_task", "summary_table", "write_summary"]
