"""``circle15 batch`` (many counties and scenarios on dask) and ``circle15 cache clear``.

Exit codes: 0 every task done or skipped, 2 bad batch file or at least one failed task
(listed in a table with its message), 1 internal error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from circle15.cli._common import _guard, _State, app, err, out

cache_app = typer.Typer(help="The prepared-network cache (see circle15.geo.routing.cache).",
                        no_args_is_help=True)
app.add_typer(cache_app, name="cache")


def _failed_table(results: list) -> Table:
    t = Table(title="failed tasks")
    t.add_column("task")
    t.add_column("message", overflow="fold")
    for r in results:
        if r.status == "failed":
            t.add_row(r.name, r.message)
    return t


@app.command()
def batch(
    ctx: typer.Context,
    batch_file: Annotated[Path, typer.Argument(help="The batch TOML (configs and/or a "
                                                    "[batch.grid]).")],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Output directory: one "
                                          "folder per task plus the summary.")],
    scheduler: Annotated[str | None, typer.Option(help="An existing dask scheduler, "
                                                  "tcp://HOST:8786 (default: a local "
                                                  "cluster).")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes of the local "
                                                "cluster (default: one per core).")
                       ] = None,
    force: Annotated[bool, typer.Option("--force", help="Rerun tasks whose inputs and "
                                        "parameters are unchanged.")] = False,
) -> None:
    """Run many configs / a scenario grid as independent tasks on dask."""
    st: _State = ctx.obj
    with _guard(st):
        from circle15.errors import InputError
        from circle15.run.batch import SUMMARY_CSV, load_batch, run_batch

        spec = load_batch(batch_file)
        if workers is not None and workers < 1:
            raise InputError("workers must be at least 1", key="workers")

        def step(res, done: int, failed: int, total: int) -> None:
            if not st.quiet:
                err.print(f"[{done + failed}/{total}] {res.status:7s} {res.name}  "
                          f"(done {done}, failed {failed})", highlight=False)

        results = run_batch(spec, out_dir, scheduler=scheduler, workers=workers,
                            force=force, progress=step)
        n_failed = sum(r.status == "failed" for r in results)
        if not st.quiet:
            out.print(f"{len(results) - n_failed} of {len(results)} tasks done or skipped; "
                      f"summary: {out_dir / SUMMARY_CSV}")
        if n_failed:
            Console(stderr=True, width=200).print(_failed_table(results))
            raise typer.Exit(2)


@cache_app.command("clear")
def cache_clear(
    ctx: typer.Context,
    cache_dir: Annotated[Path | None, typer.Option("--dir", help="Cache folder (default: "
                                                   "the platform cache folder).")] = None,
) -> None:
    """Delete every cached prepared network, population and point links."""
    st: _State = ctx.obj
    with _guard(st):
        from circle15.geo.routing.cache import clear_cache, network_cache_dir

        folder = network_cache_dir(cache_dir)
        n, size = clear_cache(folder)
        if not st.quiet:
            out.print(f"removed {n} cached file(s) (networks, population, links), "
                      f"{size / 1e6:.1f} MB, from {folder}")
