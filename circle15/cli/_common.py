"""What every command shares: the typer app, consoles, output options, error guard, progress.

Exit codes: 0 success, 2 bad input (the message names the file, row, column or key and
what to do), 1 internal error (rerun with ``-v`` for the traceback).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from circle15 import __version__
from circle15.errors import InputError

app = typer.Typer(
    name="circle15",
    help="15分钟公共服务圈 planner: coverage, targets, gaps and siting per township.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)
out = Console()

#: Stages reported by the pipeline, for the progress bar.
STAGES = ("zones", "network", "facilities", "population", "linking", "travel times",
          "coverage", "capacity", "targets", "context", "isochrones", "siting candidates",
          "siting reach sets", "siting", "writing outputs")


@dataclass(frozen=True)
class _State:
    """Output options of one invocation (kept on the typer context, not in a global)."""

    verbose: int = 0
    quiet: bool = False


def _version(value: bool) -> None:
    if value:
        out.print(f"circle15 {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True,
                                         help="More log output; -v also shows tracebacks.")] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only errors.")] = False,
    version: Annotated[bool | None, typer.Option("--version", callback=_version,
                                                 is_eager=True, help="Show the version.")
                       ] = None,
) -> None:
    """circle15: 15-minute public-service circle planner."""
    ctx.obj = _State(verbose=verbose, quiet=quiet)
    level = logging.ERROR if quiet else (logging.DEBUG if verbose > 1 else
                                         logging.INFO if verbose else logging.WARNING)
    logging.basicConfig(level=level, format="%(message)s", force=True,
                        handlers=[RichHandler(console=err, show_path=False,
                                              show_time=verbose > 0)])


@contextmanager
def _guard(st: _State) -> Iterator[None]:
    """Turn errors into messages and exit codes."""
    try:
        yield
    except InputError as exc:
        # plain echo: paths and messages must not be wrapped or re-coloured
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    except typer.Exit:
        raise
    except KeyboardInterrupt:
        err.print("interrupted; no outputs were written")
        raise typer.Exit(130) from None
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if st.verbose:
            err.print_exception()
        typer.echo(f"internal error: {type(exc).__name__}: {exc}\n"
                   "No outputs were written. Rerun with -v for the traceback and please "
                   "report it.", err=True)
        raise typer.Exit(1) from None


@contextmanager
def _progress(st: _State) -> Iterator[Callable[[str], None]]:
    if st.quiet or not err.is_terminal and st.verbose == 0:
        # plain, one line per stage when not on a terminal (CI logs)
        def step(name: str) -> None:
            if not st.quiet:
                err.print(f"· {name}", highlight=False)
        yield step
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  TimeElapsedColumn(), console=err, transient=True) as prog:
        task = prog.add_task("starting", total=len(STAGES))

        def step(name: str) -> None:
            prog.update(task, description=name,
                        completed=STAGES.index(name) if name in STAGES else None)
        yield step
