"""``circle15 standards``: print the standards catalogue (zh or en), or one entry in full."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from circle15.cli._common import QuietOption, VerboseOption, _guard, app, out, state
from circle15.cli.commands import Lang, LangOption
from circle15.errors import InputError


def _print(t: Table) -> None:
    # piped or redirected output: do not squeeze the table into 80 columns
    (out if out.is_terminal else Console(width=240)).print(t)


@app.command("standards")
def standards(
    ctx: typer.Context,
    file: Annotated[Path | None, typer.Option(
        "--file", help="A county's own catalogue TOML (default: the bundled national one).")
    ] = None,
    layer: Annotated[str, typer.Option(help="Show this entry in full (OSM tags, clause).")
                     ] = "",
    lang: LangOption = Lang.zh,
    verbose: VerboseOption = 0,
    quiet: QuietOption = False,
) -> None:
    """Print the standards catalogue: thresholds per circle level, sources, verified flags."""
    st = state(ctx, verbose, quiet)
    with _guard(st, {"standards.catalogue": "--file", "standards.layer": "--layer"}):
        from circle15.standards import catalogue_table, entry_details, load_catalogue

        cat = load_catalogue(file)
        en = lang.value == "en"
        if layer:
            if layer not in cat.keys:
                raise InputError(f"no catalogue entry {layer!r}", key="standards.layer",
                                 hint=f"entries: {', '.join(cat.keys)}")
            t = Table(title=f"{cat.title_en if en else cat.title} — {layer}", show_header=False)
            t.add_column("field", style="bold")
            t.add_column("value", overflow="fold")
            for name, text in entry_details(cat, layer, lang.value):
                t.add_row(name, text)
            _print(t)
            return
        df = catalogue_table(cat, lang.value)
        t = Table(title=cat.title_en if en else cat.title)
        for c in df.columns:
            t.add_column(str(c), overflow="fold")
        for row in df.itertuples(index=False):
            t.add_row(*[str(v) for v in row])
        _print(t)
        unchecked = sum(not e.verified for e in cat.entries)
        if unchecked:
            typer.echo(f"{unchecked} of {len(cat.entries)} entries are not verified against "
                       "the standard's text" if en else
                       f"{len(cat.entries)} 项中 {unchecked} 项未核对标准原文")
