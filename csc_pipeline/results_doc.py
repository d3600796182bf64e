"""The README's "Results on the real files", written from a published warehouse (never by hand).

``csc results`` prints the section; ``csc results --write README.md`` replaces the text between the
README's ``<!-- results:begin -->`` and ``<!-- results:end -->`` markers, so every figure there is
one the warehouse holds. Each result states the settings it was computed with (source mode,
geography, rate basis, periods) and, where an analysis is degenerate or at an edge, its status
note instead of a finding.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl

from csc_pipeline import atomic

BEGIN = "<!-- results:begin -->"
END = "<!-- results:end -->"


class ResultsDocError(ValueError):
    """The README has no results markers, or the warehouse lacks a table the section needs."""


def _format_cell(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value != value:  # NaN
            return "—"
        if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e6):
            return f"{value:.2e}"
        return f"{value:,.2f}".rstrip("0").rstrip(".") if abs(value) < 100 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    return str(value).replace("|", "\\|")


def markdown_table(frame: pl.DataFrame) -> str:
    """A GitHub-flavoured Markdown table of ``frame`` with readable numbers."""
    if frame.is_empty():
        return "_(no rows)_"
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * frame.width]
    for row in frame.iter_rows():
        lines.append("| " + " | ".join(_format_cell(value) for value in row) + " |")
    return "\n".join(lines)


def _query(con: duckdb.DuckDBPyConnection, sql: str, parameters: list | None = None) -> pl.DataFrame:
    try:
        return con.execute(sql, parameters or []).pl()
    except duckdb.CatalogException as error:
        raise ResultsDocError(f"the warehouse lacks what the results section needs: {error}") from error


Section = Callable[[duckdb.DuckDBPyConnection], str]


def render(warehouse: Path, sections: list[Section]) -> str:
    """The results section as Markdown, each section computed from the published warehouse."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return "\n\n".join(section(con) for section in sections).strip() + "\n"
    finally:
        con.close()


def replace_between_markers(document: str, body: str, *, source: str) -> str:
    if BEGIN not in document or END not in document or document.index(BEGIN) > document.index(END):
        raise ResultsDocError(f"{source}: no '{BEGIN}' … '{END}' markers to write the results between")
    head, rest = document.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{body}{END}{tail}"


def write_into(readme: Path, body: str) -> None:
    text = readme.read_text(encoding="utf-8")
    atomic.write_text(readme, replace_between_markers(text, body, source=str(readme)))
