"""What every command shares: the typer app, consoles, output options, error guard, progress.

Exit codes: 0 success, 2 bad input (the message names the file, row, column or key and
what to do), 1 internal error (rerun with ``-v`` for the traceback).
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Callable, Iterator, Mapping
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
from circle15.errors import InputError, InputErrors

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
STAGES = ("reading the config", "zones", "facilities", "population", "network", "linking",
          "travel times", "coverage", "capacity", "targets", "context", "isochrones",
          "siting candidates", "siting reach sets", "siting", "writing outputs")


@dataclass(frozen=True)
class _State:
    """Output options of one invocation (kept on the typer context, not in a global)."""

    verbose: int = 0
    quiet: bool = False


def _version(value: bool) -> None:
    if value:
        out.print(f"circle15 {__version__}")
        raise typer.Exit()


#: Third-party loggers kept at WARNING even with -vv (font look-ups, drivers).
_QUIET_LIBRARIES = ("matplotlib", "PIL", "fiona", "pyogrio", "urllib3", "asyncio", "numexpr",
                    "distributed", "sqlalchemy", "alembic", "h5py", "rasterio")


def configure_logging(verbose: int, quiet: bool) -> None:
    """Log to stderr through rich at the level the options ask for."""
    level = logging.ERROR if quiet else (logging.DEBUG if verbose > 1 else
                                         logging.INFO if verbose else logging.WARNING)
    logging.basicConfig(level=level, format="%(message)s", force=True,
                        handlers=[RichHandler(console=err, show_path=False,
                                              show_time=verbose > 0)])
    for name in _QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))


VerboseOption = Annotated[int, typer.Option("--verbose", "-v", count=True,
                                            help="More log output; -v also shows tracebacks.")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Only errors (and where "
                                                                 "the outputs went).")]


@app.callback()
def _main(
    ctx: typer.Context,
    verbose: VerboseOption = 0,
    quiet: QuietOption = False,
    version: Annotated[bool | None, typer.Option("--version", callback=_version,
                                                 is_eager=True, help="Show the version.")
                       ] = None,
) -> None:
    """circle15: 15-minute public-service circle planner."""
    ctx.obj = _State(verbose=verbose, quiet=quiet)
    configure_logging(verbose, quiet)


def state(ctx: typer.Context, verbose: int = 0, quiet: bool = False) -> _State:
    """The output options, from before or after the command name (``circle15 run x -v``)."""
    base: _State = ctx.obj or _State()
    st = _State(verbose=max(base.verbose, verbose), quiet=base.quiet or quiet)
    if st != base:
        configure_logging(st.verbose, st.quiet)
    return st


def _message(exc: InputError, flags: Mapping[str, str]) -> str:
    """``exc`` as printed, naming the command-line option where a value came from one."""
    errors = exc.errors if isinstance(exc, InputErrors) else [exc]
    lines = []
    for e in errors:
        text = str(e)
        if e.key is not None and e.key in flags:
            text = text.replace(f"key '{e.key}'", f"option {flags[e.key]}")
        lines.append(text)
    return "\n".join(lines)


def _os_error(exc: OSError) -> str | None:
    """A sentence for an OS error the user can fix (disk full, no permission), else None."""
    where = f" ({exc.filename})" if exc.filename else ""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"the disk is full{where}: no outputs were written; free some space"
    if isinstance(exc, PermissionError):
        return f"permission denied{where}: choose a file or folder you can write to"
    return None


@contextmanager
def _guard(st: _State, flags: Mapping[str, str] | None = None) -> Iterator[None]:
    """Turn errors into messages and exit codes (2: the user can fix it, 1: internal).

    ``flags`` maps config keys to the command-line options that set them, so a bad
    ``--year`` is reported as the option, not as ``targets.year``.
    """
    try:
        yield
    except InputError as exc:
        # plain echo: paths and messages must not be wrapped or re-coloured
        typer.echo(f"error: {_message(exc, flags or {})}", err=True)
        raise typer.Exit(2) from None
    except typer.Exit:
        raise
    except KeyboardInterrupt:
        err.print("interrupted; no outputs were written")
        raise typer.Exit(130) from None
    except OSError as exc:
        text = _os_error(exc)
        if text is None:
            _internal(exc, st)
        typer.echo(f"error: {text}", err=True)
        raise typer.Exit(2) from None
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        _internal(exc, st)


def _internal(exc: BaseException, st: _State) -> None:
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
