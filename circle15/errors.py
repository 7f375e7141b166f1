"""Error types shared by every stage.

:class:`Circle15Error` is the base of every error circle15 raises on purpose.
:class:`InputError` (also a :class:`ValueError`) means *the user's input is wrong*: the CLI
prints its message (file, row, column, key, what to do) and exits with code 2. Anything else
escaping a stage is an internal error (exit code 1).

Keys name config keys (``network.speed_kmh``) or, for the Python API, function arguments
(``max_minutes``) — never command-line flags: the CLI translates its own options.
"""

from __future__ import annotations

from pathlib import Path


class Circle15Error(Exception):
    """Base class of the errors circle15 raises (catch this to catch them all)."""


class InputError(Circle15Error, ValueError):
    """Bad input that the user can fix.

    Parameters
    ----------
    message : str
        What is wrong, in one sentence.
    file : str or Path, optional
        The input file concerned.
    row : int, optional
        1-based data row (header excluded) in a table, or feature number in a vector file.
    column : str, optional
        Column (or field) name concerned.
    key : str, optional
        Config key concerned, dotted (``network.speed_kmh``).
    hint : str, optional
        What the user should do.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        key: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.row = row
        self.column = column
        self.key = key
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.key:
            where.append(f"key '{self.key}'")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        text = (", ".join(where) + ": " if where else "") + self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class InputErrors(InputError):
    """Several :class:`InputError` found at once (e.g. every problem in a config file)."""

    def __init__(self, errors: list[InputError]) -> None:
        self.errors = list(errors)
        Exception.__init__(self, self.__str__())
        self.message = self.__str__()
        self.file = self.row = self.column = self.key = self.hint = None

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)
