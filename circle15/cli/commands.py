"""The planning commands: ``circle15 run|demo|targets|map|site``.

Exit codes: 0 success, 2 bad input (the message names the file, row, column or key and
what to do), 1 internal error (rerun with ``-v`` for the traceback).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from circle15.cli._common import (
    QuietOption,
    VerboseOption,
    _guard,
    _progress,
    _State,
    app,
    err,
    out,
    state,
)
from circle15.errors import InputError
from circle15.io import atomic_output_dir


class Lang(StrEnum):
    """Output languages (validated by the CLI like every other choice)."""

    zh = "zh"
    en = "en"


LangOption = Annotated[Lang, typer.Option("--lang", help="Language.")]

OutOption = Annotated[Path | None, typer.Option("--out", "-o", help="Output folder (overrides "
                                                                 "[output] dir).")]
YearOption = Annotated[int | None, typer.Option("--year", help="Target year (overrides "
                                                             "[targets] year).")]

#: Config keys set by command-line options, for error messages.
RUN_FLAGS = {"output.dir": "--out", "targets.year": "--year"}
SITE_FLAGS = {**RUN_FLAGS, "targets.year": "--target-year", "siting.max_sites": "--max-sites",
              "siting.target_rate": "--target-rate", "siting.minutes": "--minutes",
              "siting.indicator": "--indicator", "siting.zone_cap": "--zone-cap",
              "siting.budget": "--budget", "siting.capacity": "--capacity",
              "siting.method": "--method"}


def given_flags(flags: dict[str, str], values: dict[str, Any]) -> dict[str, str]:
    """The config keys (-> option) that this invocation set from the command line."""
    return {k: f for k, f in flags.items() if values.get(k) is not None}


def cli_path(path: Path | None) -> Path | None:
    """A path given on the command line, relative to the current directory (config paths
    stay relative to the config file)."""
    return None if path is None else path.expanduser().resolve()


def _summary(result: Any, out_dir: Path, st: _State) -> None:
    if st.quiet:
        typer.echo(f"outputs: {out_dir}")
        return
    from circle15.vocab import COUNTY

    cov = result.coverage
    zh = result.params.get("lang", "zh") == "zh"
    labels = {lay.key: lay.label("zh" if zh else "en") for lay in result.layers}
    labels["ALL"] = "完整服务圈（全部设施）" if zh else "Full circle (every layer)"
    county = cov[(cov["zone_id"] == COUNTY) & (cov["group"] == "total")]
    mode = result.params["mode"]
    t = Table(title=f"{result.params['title']} — {result.params['mode']} "
              f"{result.params['speed_kmh']} km/h",
              caption=("覆盖率：全部常住人口中可在时限内到达的比例（按设施的目标人群计的覆盖率"
                       "见 coverage_by_zone.csv 与地图）") if zh else
              ("Coverage of all residents within each time (rates for each layer's own "
               "group are in coverage_by_zone.csv and on the map)"))
    t.add_column(f"设施（{_group_label('total', zh)}，{_mode_label(mode, zh)}）" if zh
                 else f"layer ({_group_label('total', zh)}, {_mode_label(mode, zh)})")
    for m in result.params["thresholds"]:
        t.add_column(f"≤{m} 分钟" if zh else f"≤{m} min", justify="right")
    for layer, rows in county.groupby("layer", sort=False):
        t.add_row(labels.get(layer, layer),
                  *[f"{r:.1%}" if r == r else "—" for r in rows["coverage_rate"]])
    out.print(t)
    typer.echo(f"outputs: {out_dir}")


def _group_label(group: str, zh: bool) -> str:
    from circle15.vocab import GROUP_LABELS

    zh_text, en_text = GROUP_LABELS.get(group, (group, group))
    return zh_text if zh else en_text.lower()


def _mode_label(mode: str, zh: bool) -> str:
    from circle15.vocab import MODE_LABELS

    zh_text, en_text = MODE_LABELS.get(mode, (mode, mode))
    return zh_text if zh else en_text


def _problems(result: Any, st: _State) -> None:
    """The run's data problems, one line each with the file to look at."""
    items = result.report.get("data_problems", [])
    if st.quiet or not items:
        return
    zh = result.params.get("lang", "zh") == "zh"
    err.print(f"[bold yellow]{'数据问题' if zh else 'Data problems'} ({len(items)}):[/]")
    for p in items:
        where = f" → {p['look_at']}" if p.get("look_at") else ""
        err.print(f"  - {p['text_zh'] if zh else p['text_en']}{where}", highlight=False)


def _run(config: Path, out_dir: Path | None, year: int | None, st: _State) -> None:
    from circle15.config import load_config
    from circle15.run import run_config
    from circle15.run.outputs import output_dir

    with _progress(st) as step:
        step("reading the config")
        overrides: dict[str, Any] = {"output.dir": cli_path(out_dir), "targets.year": year}
        cfg = load_config(cli_path(config) or config, overrides)
        target = output_dir(cfg)
        result = run_config(cfg, target, progress=step)
    _summary(result, target, st)
    _problems(result, st)


@app.command()
def run(
    ctx: typer.Context,
    config: Annotated[Path, typer.Argument(help="The run's TOML config file.")],
    out_dir: OutOption = None,
    year: YearOption = None,
    verbose: VerboseOption = 0,
    quiet: QuietOption = False,
) -> None:
    """Compute coverage, targets and maps for a config."""
    st = state(ctx, verbose, quiet)
    with _guard(st, given_flags(RUN_FLAGS, {"output.dir": out_dir, "targets.year": year})):
        _run(config, out_dir, year, st)


def _is_demo_output(d: Path) -> bool:
    """Whether ``d`` holds what ``circle15 demo`` wrote (its inputs/README.txt says so)."""
    from circle15.demo.county import DEMO_NAME_ZH
    from circle15.demo.helsinki import HELSINKI_TITLE

    readme = d / "inputs" / "README.txt"
    try:
        head = readme.read_text(encoding="utf-8")[:200]
    except (OSError, UnicodeDecodeError):
        return False
    return (DEMO_NAME_ZH in head and "合成示例数据" in head) or head.startswith(HELSINKI_TITLE)


def check_demo_dir(d: Path) -> None:
    """Refuse a ``--out`` for the demo that holds the user's own files."""
    if d.exists() and not d.is_dir():
        raise InputError("is an existing file, not a folder", file=d, key="--out")
    if d.is_dir() and any(d.iterdir()) and not _is_demo_output(d):
        raise InputError("the folder is not empty and is not an earlier demo output: the "
                         "demo would overwrite files in it", file=d, key="--out",
                         hint="choose a new or empty folder, e.g. --out demo-out")


@app.command()
def demo(
    ctx: typer.Context,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Where to write the demo.")
                       ] = Path("demo-out"),
    example: Annotated[str, typer.Option(
        "--example", help="county (synthetic 示例县, the default) or helsinki (real "
                          "OpenStreetMap data, offline, English, no plan).")] = "county",
    seed: Annotated[int, typer.Option(help="Generator seed (synthetic county).")] = 15,
    verbose: VerboseOption = 0,
    quiet: QuietOption = False,
) -> None:
    """Write an example's inputs under OUT/inputs and run it into OUT."""
    st = state(ctx, verbose, quiet)
    with _guard(st, {"name": "--example"}):
        from circle15.demo.examples import EXAMPLES, write_example

        target = cli_path(out_dir)
        assert target is not None
        check_demo_dir(target)
        if not st.quiet:
            err.print(f"writing {EXAMPLES.get(example.strip().lower(), example)} ...")
        config = write_example(example, target / "inputs", seed=seed)
        _run(config, target, None, st)


@app.command()
def check(
    ctx: typer.Context,
    config: Annotated[Path, typer.Argument(help="The run's TOML config file.")],
    out_dir: OutOption = None,
    year: YearOption = None,
    verbose: VerboseOption = 0,
    quiet: QuietOption = False,
) -> None:
    """Check a config and every input in seconds, without routing (as a run would)."""
    st = state(ctx, verbose, quiet)
    given = {"output.dir": cli_path(out_dir), "targets.year": year}
    with _guard(st, given_flags(RUN_FLAGS, given)):
        from circle15.config import load_config
        from circle15.run.check import check_inputs

        cfg = load_config(cli_path(config) or config, given)
        rep = check_inputs(cfg)
        if st.quiet:
            return
        t = Table(title=f"{cfg.path}: ok")
        t.add_column("input")
        t.add_column("found")
        for what, found in rep.lines:
            t.add_row(what, found)
        out.print(t)
        if rep.facility_issues:
            err.print(f"{rep.facility_issues} facility rows were skipped, merged or warned "
                      "about: a run lists them in facility_issues.csv")


@app.command()
def targets(
    ctx: typer.Context,
    plan: Annotated[str, typer.Option(help="Plan name or TOML file.")] = "zhuji-2023",
    year: Annotated[int | None, typer.Option(help="Only this year's targets.")] = None,
    lang: LangOption = Lang.zh,
    verbose: VerboseOption = 0,
    quiet: QuietOption = False,
) -> None:
    """Print a plan's target table."""
    st = state(ctx, verbose, quiet)
    with _guard(st):
        from circle15.coverage.plan import load_plan, target_table

        df = target_table(load_plan(plan), year=year, lang=lang.value)
        t = Table(title=f"{plan}" + (f" — {year}" if year else ""))
        for c in df.columns:
            t.add_column(str(c), overflow="fold")
        for row in df.itertuples(index=False):
            t.add_row(*["" if v is None or v != v else str(v) for v in row])
        # piped or redirected output: do not squeeze the table into 80 columns
        (out if out.is_terminal else Console(width=200)).print(t)


@app.command("map")
def map_(
    ctx: typer.Context,
    run_dir: Annotated[Path, typer.Argument(help="A finished run's output directory.")],
    layer: Annotated[str, typer.Option(help="Layer shown first (default: the run's).")] = "",
    minutes: Annotated[float | None, typer.Option(
        help="Threshold shown first (default: the run's).")] = None,
    year: Annotated[int | None, typer.Option(help="Target year shown first (default: the "
                                                  "run's).")] = None,
    lang: Annotated[Lang | None, typer.Option("--lang", help="Language (default: the "
                                                             "run's).")] = None,
    basemap: Annotated[str, typer.Option(help="none, osm, tianditu, amap, custom or "
                                              "custom-gcj02.")] = "none",
    tianditu_key: Annotated[str, typer.Option(help="Tianditu key.")] = "",
    tile_url: Annotated[str, typer.Option(help="Tile URL template {z}/{x}/{y} for a custom "
                                               "basemap.")] = "",
    out_dir: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Folder for map.html and coverage_map.png (default: RUN_DIR).")
    ] = None,
    history: Annotated[bool, typer.Option(
        "--history", help="Add the recorded periods: period selector, township trends, "
                          "open problems.")] = False,
    db: Annotated[str | None, typer.Option(
        "--db", help="History database for --history (default: the run config's "
                     "[history] db).")] = None,
    verbose: VerboseOption = 0,
    quiet: QuietOption = False,
) -> None:
    """Redraw the map page and the PNG of a finished run without recomputing."""
    st = state(ctx, verbose, quiet)
    with _guard(st, {"tile_url": "--tile-url", "map.basemap": "--basemap",
                     "map.tianditu_key": "--tianditu-key", "db": "--db"}):
        from circle15.maps import render_map, render_png
        from circle15.vocab import RunFiles

        run = cli_path(run_dir)
        target = cli_path(out_dir) or run
        assert run is not None and target is not None
        if not (run / RunFiles.RUN_JSON).is_file():
            raise InputError("not a finished run: run.json is missing", file=run,
                             hint="pass the --out folder of 'circle15 run'")
        code = lang.value if lang else None
        if db and not history:
            raise InputError("--db is for --history", key="db", hint="add --history")
        timeline = None
        if history:
            from circle15.cli.history import run_timeline

            timeline = run_timeline(run, db, st)
        # both pictures are drawn before either is written, so nothing is half redrawn
        with atomic_output_dir(target) as tmp:
            page = render_map(run, tmp / RunFiles.MAP_HTML, layer=layer, minutes=minutes,
                              year=year, lang=code, basemap=basemap,
                              tianditu_key=tianditu_key, tile_url=tile_url,
                              timeline=timeline)
            render_png(run, tmp / RunFiles.MAP_PNG, layer=layer,
                       minutes=minutes if minutes is not None else _run_param(run, "minutes"),
                       lang=code or _run_param(run, "lang"))
        if not st.quiet:
            typer.echo(f"map: {target / page.name}")


def _run_param(run_dir: Path, what: str) -> Any:
    """The run's own map language or threshold (from its run.json)."""
    import json

    from circle15.vocab import RunFiles

    report = json.loads((run_dir / RunFiles.RUN_JSON).read_text(encoding="utf-8"))
    params, mcfg = report.get("params", {}), report.get("config", {}).get("map", {})
    if what == "lang":
        return str(params.get("lang", "zh"))
    return float(mcfg.get("minutes") or max(params.get("thresholds") or [15]))


@app.command()
def site(
    ctx: typer.Context,
    config: Annotated[Path, typer.Argument(help="The run's TOML config file.")],
    layer: Annotated[str, typer.Option("--layer", "-l", help="Layer key to site.")],
    out_dir: Annotated[Path | None, typer.Option("--out", "-o", help="Output directory "
                                                 "(overrides [output] dir).")] = None,
    year: Annotated[int | None, typer.Option("--target-year", "--year",
                                             help="Target year (overrides [targets] year).")
                    ] = None,
    max_sites: Annotated[int | None, typer.Option("--max-sites", help="Most new sites "
                                                  "(default [siting] max_sites).")] = None,
    target_rate: Annotated[float | None, typer.Option(
        "--target-rate", help="Rate 0-1 every township should reach; overrides the plan.")
    ] = None,
    minutes: Annotated[float | None, typer.Option(help="Threshold when not from the plan.")
                       ] = None,
    indicator: Annotated[str | None, typer.Option(help="Plan indicator id, e.g. X02.")] = None,
    zone_cap: Annotated[int | None, typer.Option("--zone-cap", help="Most new sites per "
                                                 "township.")] = None,
    budget: Annotated[float | None, typer.Option(help="Total cost allowed (candidate "
                                                 "'cost').")] = None,
    capacity: Annotated[bool, typer.Option("--capacity/--no-capacity", help="Limit sites to "
                                           "their capacity.")] = False,
    method: Annotated[str | None, typer.Option(help="auto, greedy or exact.")] = None,
    verbose: VerboseOption = 0,
    quiet: QuietOption = False,
) -> None:
    """Propose new sites for a layer so that every township reaches its target."""
    st = state(ctx, verbose, quiet)
    given = {"output.dir": cli_path(out_dir), "targets.year": year,
             "siting.max_sites": max_sites, "siting.target_rate": target_rate,
             "siting.minutes": minutes, "siting.indicator": indicator,
             "siting.zone_cap": zone_cap, "siting.budget": budget,
             "siting.capacity": capacity or None, "siting.method": method}
    with _guard(st, given_flags(SITE_FLAGS, given)):
        from circle15.config import load_config
        from circle15.run import compute
        from circle15.run.outputs import output_dir
        from circle15.run.siting import run_siting

        cfg = load_config(cli_path(config) or config, given)
        keys = [lay.key for lay in cfg.layers]
        if layer not in keys:
            raise InputError(f"no layer {layer!r} in the config", file=cfg.path,
                             key="--layer", hint=f"one of {', '.join(keys)}")
        target = output_dir(cfg)  # before computing
        with _progress(st) as step:
            sr = run_siting(compute(cfg, step), layer, out_dir=target, progress=step)
        if not st.quiet:
            _site_summary(sr)


#: Why siting stopped, as sentences (what to change when it stopped early).
STOP_TEXT = {
    "targets_met": "every township reaches its target",
    "max_sites": "the most sites allowed were placed (raise --max-sites for more)",
    "budget": "the budget is spent (raise --budget for more)",
    "no_gain": "no candidate site brings anyone more within reach; try a finer candidate "
               "grid ([siting] spacing_m), a candidate file, or a longer --minutes",
    "no_candidates": "there are no candidate sites (check [siting] candidates or the "
                     "populated area)",
}
STATUS_TEXT = {"met": "met", "not_met": "not met", "no_target": "no target",
               "not_measurable": "not measurable"}


def _site_summary(sr: Any) -> None:
    rep = sr.report
    reason = rep.get("stop_reason", "")
    t = Table(title=f"{sr.layer}: {rep.get('sites', 0)} new sites; stopped because "
              f"{STOP_TEXT.get(reason, reason or 'unknown')}")
    for c in ("township", "before", "after", "target", "new sites", "status"):
        t.add_column(c, justify="left" if c == "township" else "right")
    for r in sr.before_after.itertuples(index=False):
        before = STATUS_TEXT.get(str(r.status_before), str(r.status_before))
        after = STATUS_TEXT.get(str(r.status_after), str(r.status_after))
        t.add_row(str(r.zone_name), _pct(r.rate_before), _pct(r.rate_after),
                  _pct(getattr(r, "target_rate", float("nan"))), str(r.new_sites),
                  after if before == after else f"{before}, now {after}")
    out.print(t)
    typer.echo(f"outputs: {sr.out_dir}")


def _pct(v: Any) -> str:
    try:
        return "—" if v != v else f"{float(v):.1%}"
    except (TypeError, ValueError):
        return "—"
