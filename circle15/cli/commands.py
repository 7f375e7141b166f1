"""The planning commands: ``circle15 run|demo|targets|map|site``.

Exit codes: 0 success, 2 bad input (the message names the file, row, column or key and
what to do), 1 internal error (rerun with ``-v`` for the traceback).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from circle15.cli._common import _guard, _progress, _State, app, err, out
from circle15.errors import InputError


def _summary(result: Any, out_dir: Path, st: _State) -> None:
    if st.quiet:
        return
    from circle15.coverage.zonal import COUNTY

    cov = result.coverage
    zh = result.params.get("lang", "zh") == "zh"
    labels = {s["key"]: s["label_zh" if zh else "label_en"] or s["key"] for s in result.layers}
    labels["ALL"] = "完整服务圈（全部设施）" if zh else "Full circle (every layer)"
    county = cov[(cov["zone_id"] == COUNTY) & (cov["group"] == "total")]
    t = Table(title=f"{result.params['title']} — {result.params['mode']} "
              f"{result.params['speed_kmh']} km/h")
    t.add_column("设施" if zh else "layer")
    for m in result.params["thresholds"]:
        t.add_column(f"≤{m} 分钟" if zh else f"≤{m} min", justify="right")
    for layer, rows in county.groupby("layer", sort=False):
        t.add_row(labels.get(layer, layer),
                  *[f"{r:.1%}" if r == r else "—" for r in rows["coverage_rate"]])
    out.print(t)
    out.print(f"outputs: {out_dir}")


def _run(config: Path, out_dir: Path | None, year: int | None, st: _State) -> None:
    from circle15.config import load_config
    from circle15.run.compute import run as run_pipeline

    overrides: dict[str, Any] = {"output.dir": out_dir, "targets.year": year}
    cfg = load_config(config, overrides)
    target = cfg.output.dir
    if target is None:
        raise InputError("no output directory: pass --out DIR or set [output] dir",
                         file=config, key="output.dir")
    with _progress(st) as step:
        result = run_pipeline(cfg, target, progress=step)
    _summary(result, target, st)


@app.command()
def run(
    ctx: typer.Context,
    config: Annotated[Path, typer.Argument(help="The run's TOML config file.")],
    out_dir: Annotated[Path | None, typer.Option("--out", "-o",
                                                 help="Output directory (overrides "
                                                      "[output] dir).")] = None,
    year: Annotated[int | None, typer.Option("--year", help="Target year (overrides "
                                                          "[targets] year).")] = None,
) -> None:
    """Compute coverage, targets and maps for a config."""
    st: _State = ctx.obj
    with _guard(st):
        _run(config, out_dir, year, st)


@app.command()
def demo(
    ctx: typer.Context,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Where to write the demo.")
                       ] = Path("demo-out"),
    seed: Annotated[int, typer.Option(help="Generator seed.")] = 15,
) -> None:
    """Generate the synthetic demo county (示例县) under OUT/inputs and run it into OUT."""
    st: _State = ctx.obj
    with _guard(st):
        from circle15.demo.county import write_demo_inputs

        if not st.quiet:
            err.print("generating the synthetic demo county (示例县, not a real place) ...")
        config = write_demo_inputs(out_dir / "inputs", seed=seed)
        _run(config, out_dir, None, st)


@app.command()
def targets(
    ctx: typer.Context,
    plan: Annotated[str, typer.Option(help="Plan name or TOML file.")] = "zhuji-2023",
    year: Annotated[int | None, typer.Option(help="Only this year's targets.")] = None,
    lang: Annotated[str, typer.Option(help="zh or en.")] = "zh",
) -> None:
    """Print a plan's target table."""
    st: _State = ctx.obj
    with _guard(st):
        from circle15.coverage.plan import load_plan, target_table

        df = target_table(load_plan(plan), year=year, lang=lang)
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
    layer: Annotated[str, typer.Option(help="Layer for the choropleth.")] = "",
    minutes: Annotated[float | None, typer.Option(
        help="Threshold in minutes (default: the run's largest).")] = None,
    lang: Annotated[str, typer.Option(help="zh or en.")] = "zh",
    basemap: Annotated[str, typer.Option(help="none, osm, tianditu or amap.")] = "none",
    tianditu_key: Annotated[str, typer.Option(help="Tianditu key.")] = "",
    out_file: Annotated[Path | None, typer.Option("--out", "-o", help="HTML file "
                                                  "(default RUN_DIR/map.html).")] = None,
) -> None:
    """Redraw the HTML map (and PNG) from a finished run without recomputing."""
    st: _State = ctx.obj
    with _guard(st):
        from circle15.maps import render_map, render_png

        if lang not in ("zh", "en"):
            raise InputError(f"unknown language {lang!r}", hint="zh or en")
        if minutes is None:
            minutes = _largest_threshold(run_dir)
        path = render_map(run_dir, out_file, layer=layer, minutes=minutes, lang=lang,
                          basemap=basemap, tianditu_key=tianditu_key)
        render_png(run_dir, None, layer=layer, minutes=minutes, lang=lang)
        if not st.quiet:
            out.print(f"map: {path}")


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
    method: Annotated[str, typer.Option(help="auto, greedy or exact.")] = "auto",
) -> None:
    """Propose new sites for a layer so that every township reaches its target."""
    st: _State = ctx.obj
    with _guard(st):
        from circle15.config import load_config
        from circle15.run.compute import compute
        from circle15.run.siting import run_siting

        cfg = load_config(config, {"output.dir": out_dir, "targets.year": year})
        if cfg.output.dir is None:
            raise InputError("no output directory: pass --out DIR or set [output] dir",
                             file=config, key="output.dir")
        sit = cfg.siting
        with _progress(st) as step:
            sr = run_siting(
                cfg, layer=layer, result=compute(cfg, step), year=year, out_dir=cfg.output.dir,
                max_sites=max_sites if max_sites is not None else sit.max_sites,
                target_rate=target_rate if target_rate is not None else sit.target_rate,
                minutes=minutes, indicator=indicator or sit.indicator or None,
                zone_cap=zone_cap if zone_cap is not None else sit.zone_cap,
                budget=budget if budget is not None else sit.budget,
                capacity=capacity or sit.capacity, method=method, progress=step)
        if not st.quiet:
            _site_summary(sr)


def _site_summary(sr: Any) -> None:
    rep = sr.report
    t = Table(title=f"{sr.layer}: {rep.get('sites', 0)} new sites "
              f"(stopped: {rep.get('stop_reason', '?')})")
    for c in ("township", "before", "after", "target", "new sites", "status"):
        t.add_column(c, justify="left" if c == "township" else "right")
    for r in sr.before_after.itertuples(index=False):
        t.add_row(str(r.zone_name), _pct(r.rate_before), _pct(r.rate_after),
                  _pct(getattr(r, "target_rate", float("nan"))), str(r.new_sites),
                  f"{r.status_before} → {r.status_after}")
    out.print(t)
    out.print(f"outputs: {sr.out_dir}")


def _pct(v: Any) -> str:
    try:
        return "—" if v != v else f"{float(v):.1%}"
    except (TypeError, ValueError):
        return "—"


def _largest_threshold(run_dir: Path) -> float:
    import json

    path = run_dir / "run.json"
    if not path.is_file():
        raise InputError("not a finished run: run.json is missing", file=path,
                         hint="pass the --out directory of 'circle15 run'")
    try:
        return float(max(json.loads(path.read_text(encoding="utf-8"))["params"]["thresholds"]))
    except (ValueError, KeyError, TypeError):
        raise InputError("run.json has no params.thresholds", file=path) from None

