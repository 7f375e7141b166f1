"""Stage packages that share their name with a public function (``coverage``, ``run``).

The public API names the functions ``circle15.coverage(...)`` and ``circle15.run(...)``,
and the stage folders are ``circle15/coverage/`` and ``circle15/run/``. Once a subpackage
is imported, Python binds the package to that attribute of ``circle15``, so the package
itself is made callable as the function: both spellings then work, whatever was imported
first.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any


class _CallablePackage(types.ModuleType):
    """A package that forwards calls to one of its functions."""

    __call_target__: str

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        module, _, name = self.__call_target__.rpartition(".")
        return getattr(importlib.import_module(module), name)(*args, **kwargs)


def make_callable(package: str, target: str) -> None:
    """Make the (already imported) ``package`` callable as the function at dotted ``target``."""
    mod = sys.modules[package]
    mod.__class__ = _CallablePackage
    mod.__call_target__ = target  # type: ignore[attr-defined]
