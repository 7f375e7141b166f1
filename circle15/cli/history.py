"""The monitoring commands: ``circle15 record|history|compare|problems|dispatch``.

The history database is ``--db`` (a SQLite file or a ``postgresql://`` URL), else the
config's ``[history] db`` (relative to the config), else ``history.sqlite`` in the current
folder. Passwords come from the URL, ``PGPASSWORD`` or ``~/.pgpass`` and are never shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from circle15.cli._common import _guard, _progress, _State, app, err, out
from circle15.errors import InputError

DbOpt = Annotated[str | None, typer.Option(
    "--db", help="History database: a SQLite file or a postgresql:// URL (default: the "
                 "config's [history] db, else ./history.sqlite).")]
ConfigOpt = Annotated[Path | None, typer.Option(
    "--config", "-c", help="A config whose [history] db to use.")]

history_app = typer.Typer(help="Recorded periods: list them, export one, build a demo.",
                          no_args_is_help=False, invoke_without_command=True)
problems_app = typer.Typer(help="Problems found and rectified (整改闭环).",
                           invoke_without_command=True)
app.add_typer(history_app, name="history")
app.add_typer(problems_app, name="problems")


def _db(db: str | None, config: Path | None) -> str:
    from circle15.config.sections import HistoryConfig
    from circle15.run.options import history_db

    if db:
        return db
    if config is not None:
        return history_db(config)
    return str(Path(HistoryConfig().db).resolve())


@contextmanager
def _open(db: str | None, config: Path | None, st: _State, *, create: bool = False
          ) -> Iterator[Any]:
    """The history store, disposed of when the block ends (also on an error)."""
    from circle15.history.store import open_store

    store = open_store(_db(db, config), create=create)
    if st.verbose:
        err.print(f"history: {store.shown}", highlight=False)
    try:
        yield store
    finally:
        store.dispose()


def run_db(run_dir: Path, db: str | None) -> str:
    """The history database of a run folder: ``db``, else its config's ``[history] db``
    (the config named in its ``run.json``)."""
    import json

    from circle15.run.options import history_db
    from circle15.vocab import RunFiles

    if db:
        return db
    try:
        raw = json.loads((run_dir / RunFiles.RUN_JSON).read_text(encoding="utf-8-sig"))
    except (OSError, ValueError):
        raw = {}
    path = str((raw.get("config") or {}).get("path") or "")
    if not path or not Path(path).is_file():
        raise InputError("cannot tell which history database belongs to this run: its "
                         "config file is not at hand", file=run_dir / RunFiles.RUN_JSON,
                         key="db", hint="name it with --db (a SQLite file or a "
                                        "postgresql:// URL)")
    return history_db(path)


def run_timeline(run_dir: Path, db: str | None, st: _State) -> Any:
    """The recorded periods of the run's history for its map page (a
    :class:`circle15.maps.timeline.Timeline`)."""
    from circle15.history.mapview import map_timeline

    with _open(run_db(run_dir, db), None, st) as store:
        return map_timeline(store, run_dir)


def _wide() -> Console:
    # piped or redirected output: do not squeeze tables into 80 columns
    return out if out.is_terminal else Console(width=200)


def _table(df: pd.DataFrame, title: str, limit: int = 200) -> None:
    t = Table(title=title)
    for c in df.columns:
        t.add_column(str(c), overflow="fold")
    for row in df.head(limit).itertuples(index=False):
        t.add_row(*[_cell(v) for v in row])
    _wide().print(t)
    if len(df) > limit:
        _wide().print(f"… {len(df) - limit} more rows (use --out)")


def _cell(v: object) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def _record_summary(res: Any, st: _State) -> None:
    if st.quiet:
        return
    pr = res.problems
    out.print(f"recorded {res.period} (plan year {res.plan_year})"
              f"{' — replaced, old copy in the audit table' if res.replaced else ''}: "
              f"{res.rows.get('facilities', 0)} facilities, {res.rows.get('indicators', 0)} "
              f"indicator values; problems opened {len(pr.opened)}, closed {len(pr.closed)}, "
              f"reopened {len(pr.reopened)}, still open {len(pr.still_open)}")


@app.command()
def record(
    ctx: typer.Context,
    config: Annotated[Path | None, typer.Argument(help="Run this config, then record it.")
                      ] = None,
    period: Annotated[str, typer.Option("--period", "-p", help="YYYYQn or YYYY.")] = "",
    from_run: Annotated[Path | None, typer.Option("--from-run", help="Record this finished "
                                                  "run folder instead of running.")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", "-o", help="Run output folder "
                                                 "(overrides [output] dir).")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Record an already recorded "
                                          "period again (old copy kept for audit).")] = False,
    by: Annotated[str | None, typer.Option("--by", help="Who records it.")] = None,
    db: DbOpt = None,
) -> None:
    """Record a period: run CONFIG (or take --from-run DIR) and store it in the history."""
    st: _State = ctx.obj
    with _guard(st):
        from circle15.history.periods import parse_period
        from circle15.history.query import periods
        from circle15.history.record import record_run

        p = parse_period(period)
        if (config is None) == (from_run is None):
            raise InputError("give either CONFIG or --from-run DIR", key="config")
        with _open(db, config, st, create=True) as store:
            if p in periods(store) and not replace:
                raise InputError(f"period {p.key} is already recorded", key="period",
                                 hint="pass --replace to record it again")
            if from_run is not None:
                run_dir = from_run
            elif config is not None:  # exactly one of the two, checked above
                run_dir = _run_config(config, out_dir, st)
            _record_summary(record_run(store, run_dir, p, replace=replace, by=by), st)


def _run_config(config: Path, out_dir: Path | None, st: _State) -> Path:
    from circle15.config import load_config
    from circle15.run import run_config as run_pipeline
    from circle15.run.outputs import output_dir

    cfg = load_config(config, {"output.dir": out_dir})
    target = output_dir(cfg)
    with _progress(st) as step:
        run_pipeline(cfg, target, progress=step)
    return Path(target)


@history_app.callback()
def history(ctx: typer.Context, db: DbOpt = None, config: ConfigOpt = None) -> None:
    """List the recorded periods with headline figures."""
    if ctx.invoked_subcommand is not None:
        return
    st: _State = ctx.obj
    with _guard(st):
        from circle15.history.query import overview

        with _open(db, config, st) as store:
            df = overview(store)
        if st.quiet:
            return
        df["full_circle_rate"] = df["full_circle_rate"].map(
            lambda v: "" if v is None or v != v else f"{v:.1%}")
        df["synthetic"] = df["synthetic"].map({True: "合成", False: ""})
        _table(df.drop(columns=["recorded_at"]), "recorded periods")


@history_app.command("export")
def history_export(
    ctx: typer.Context,
    period: Annotated[str, typer.Option("--period", "-p", help="YYYYQn or YYYY.")],
    out_file: Annotated[Path, typer.Option("--out", "-o", help="GeoPackage (.gpkg).")],
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Export a period as a GeoPackage (facilities, townships, indicators)."""
    st: _State = ctx.obj
    with _guard(st):
        from circle15.history.export import export_gpkg

        with _open(db, config, st) as store:
            path = export_gpkg(store, period, out_file)
        if not st.quiet:
            out.print(f"GeoPackage: {path}")


@history_app.command("demo")
def history_demo(
    ctx: typer.Context,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Where to build it.")
                       ] = Path("demo-history"),
    quarters: Annotated[int, typer.Option(help="Quarters to record (2-4).")] = 4,
    seed: Annotated[int, typer.Option(help="Generator seed.")] = 15,
) -> None:
    """Build a synthetic four-quarter history of the demo county (示例县, not a real place)."""
    st: _State = ctx.obj
    with _guard(st):
        from circle15.history.demo import build_demo_history

        if not st.quiet:
            err.print("building a synthetic history of the demo county (示例县, not a real "
                      "place) ...")

        def run_one(config: Path, target: Path) -> Path:
            return _run_config(config, target, st)

        db = build_demo_history(out_dir, run_one, quarters=quarters, seed=seed)
        if not st.quiet:
            out.print(f"synthetic history: {db}\n  map over time: {db.parent / 'map.html'}"
                      f"\n  try: circle15 history --db {db}")


@app.command()
def compare(
    ctx: typer.Context,
    a: Annotated[str, typer.Argument(help="Earlier period.")],
    b: Annotated[str, typer.Argument(help="Later period.")],
    out_file: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Write F.xlsx (two sheets), F.csv (indicators) and "
                            "F_facilities.csv.")] = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """What changed from period A to B: indicators per township, facilities per layer."""
    st: _State = ctx.obj
    with _guard(st):
        from circle15.history.compare import compare_periods

        with _open(db, config, st) as store:
            c = compare_periods(store, a, b)
        if out_file is not None:
            _write_compare(c, out_file)
        if st.quiet:
            return
        changed = c.indicators[c.indicators["change"].fillna(0).abs() > 1e-12]
        _table(changed.drop(columns=["domain", "responsible", "unit"]),
               f"{c.a} → {c.b}: indicators that changed (plan year {c.year})")
        _table(c.facilities, f"{c.a} → {c.b}: facilities added, closed, moved, capacity")


def _write_compare(c: Any, out_file: Path) -> None:
    from circle15.history.sheets import write_xlsx
    from circle15.io import write_csv

    stem = out_file.with_suffix("")
    stem.parent.mkdir(parents=True, exist_ok=True)
    write_csv(c.indicators, stem.with_suffix(".csv"))
    write_csv(c.facilities, stem.parent / f"{stem.name}_facilities.csv")
    write_xlsx(stem.with_suffix(".xlsx"), {"指标变化": c.indicators, "设施变化": c.facilities})


@problems_app.callback()
def problems(
    ctx: typer.Context,
    unit: Annotated[str | None, typer.Option("--unit", help="责任单位, e.g. 民政局.")] = None,
    status: Annotated[str | None, typer.Option("--status", help="待整改, 整改中, 暂缓 or "
                                               "已整改.")] = None,
    period: Annotated[str | None, typer.Option("--period", "-p", help="As they stood in "
                                               "this recorded period (default: now).")
                      ] = None,
    out_file: Annotated[Path | None, typer.Option("--out", "-o", help="Write F.xlsx "
                                                  "(problems and change log).")] = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """List problems (the rectification list a department works from)."""
    if ctx.invoked_subcommand is not None:
        return
    st: _State = ctx.obj
    with _guard(st):
        from circle15.history.problems import list_problems, problem_log
        from circle15.history.sheets import write_xlsx

        with _open(db, config, st) as store:
            df = list_problems(store, unit=unit, status=status, period=period)
            logs = problem_log(store, [int(i) for i in df["id"]])
        if out_file is not None:
            out_file.parent.mkdir(parents=True, exist_ok=True)
            write_xlsx(out_file.with_suffix(".xlsx"), {"问题清单": df, "整改记录": logs})
        if not st.quiet:
            _table(df[["id", "indicator_id", "name_zh", "zone_name", "village_name",
                       "responsible", "status",
                       "period_found", "last_period", "value", "target", "closed_period"]],
                   f"problems ({len(df)}){' in ' + period if period else ''}")


@problems_app.command("set")
def problems_set(
    ctx: typer.Context,
    problem_id: Annotated[int, typer.Argument(help="Problem id (see: circle15 problems).")],
    status: Annotated[str, typer.Option("--status", help="整改中, 暂缓 or 已整改.")],
    by: Annotated[str, typer.Option("--by", help="Who makes the change.")],
    note: Annotated[str, typer.Option("--note", help="What was done / why.")] = "",
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Set a problem's status; the change is logged with time, who and note."""
    st: _State = ctx.obj
    with _guard(st):
        from circle15.history.problems import set_status

        with _open(db, config, st) as store:
            set_status(store, problem_id, status, by=by, note=note)
        if not st.quiet:
            out.print(f"problem {problem_id}: {status}")


@app.command()
def dispatch(
    ctx: typer.Context,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
    period: Annotated[str | None, typer.Option("--period", "-p", help="The 季度调度 pack "
                                               "of this period.")] = None,
    year: Annotated[int | None, typer.Option("--year", help="The yearly evaluation "
                                             "instead.")] = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Write the quarterly dispatch pack (--period) or the yearly evaluation (--year)."""
    st: _State = ctx.obj
    with _guard(st):
        from circle15.history.dispatch import write_dispatch
        from circle15.history.evaluation import write_yearly

        if (period is None) == (year is None):
            raise InputError("give either --period or --year", key="period")
        with _open(db, config, st) as store:
            if period is not None:
                files = write_dispatch(store, period, out_dir)
            elif year is not None:  # exactly one of the two, checked above
                files = write_yearly(store, year, out_dir)
        if not st.quiet:
            out.print(f"{len(files)} files in {out_dir}")
