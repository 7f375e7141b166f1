"""The package's structure rules that no linter checks: short functions (≤ 80 lines of
body, docstring excluded), and no module outside run/, the CLI, history and demo reading the
config (import-linter checks the layers; this keeps the rule visible in the test suite)."""

from __future__ import annotations

import ast

from support import REPO

PACKAGE = REPO / "circle15"
MAX_LINES = 80


def _body_lines(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    body = fn.body
    doc = isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None),
                                                       ast.Constant) \
        and isinstance(body[0].value.value, str)
    start = body[1].lineno if doc and len(body) > 1 else body[0].lineno
    return (fn.end_lineno or start) - start + 1


def test_no_function_is_longer_than_the_cap():
    long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = _body_lines(node)
                if n > MAX_LINES:
                    long.append(f"{path.relative_to(REPO)}:{node.lineno} {node.name} ({n})")
    assert not long, long


def test_stage_code_does_not_read_the_config():
    readers = {"run", "cli", "config", "history", "demo"}
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] in readers or rel.name == "__init__.py" and len(rel.parts) == 1:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    "circle15.config"):
                offenders.append(str(rel))
    assert not offenders, offenders
