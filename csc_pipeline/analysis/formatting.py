"""How numbers and indicator names are shown to people (report, LA profiles, ``csc la``): thousands
separators and fixed decimals instead of ``1.105e+07``, p-values as ``<0.001``, and an indicator's
label from the dictionary instead of its id."""

from __future__ import annotations

import math
import re

MISSING = "-"
P_VALUE_FLOOR = 0.001
# Columns whose values are p-values or q-values (shown as <0.001 below the floor).
P_VALUE_COLUMN = re.compile(r"(^|_)(p|q)(_value|value)?(_|$)")
LABEL_CHARS = 90
MIN_CLAUSE_CHARS = 30  # a label cut at a parenthesis keeps at least this much ("Section 251 outturn: total (gross) ...")


def format_number(value, decimals: int | None = None) -> str:
    """A number for people: integers with thousands separators; floats with ``decimals`` places
    (default: 0 from 1,000 up, 1 from 10, 2 from 1, 3 below), never in scientific notation."""
    if value is None or isinstance(value, float) and math.isnan(value):
        return MISSING
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if decimals is None:
        size = abs(value)
        decimals = 0 if size >= 1000 else 1 if size >= 10 else 2 if size >= 1 else 3 if size > 0 else 0
    text = f"{value:,.{decimals}f}"
    return "0" if text in ("-0", "-0.0", "-0.00", "-0.000") else text


def decimals_for(*values) -> int:
    """One number of decimals for values shown side by side (an LA beside its neighbours, region and
    nation), from the largest of them: 0 from 1,000 up, 1 from 1, else 3."""
    sizes = [abs(v) for v in values if isinstance(v, (int, float)) and not (isinstance(v, float) and math.isnan(v))]
    largest = max(sizes, default=0)
    return 0 if largest >= 1000 else 1 if largest >= 1 else 3


def format_p_value(value) -> str:
    if value is None or isinstance(value, float) and math.isnan(value):
        return MISSING
    return f"<{P_VALUE_FLOOR}" if value < P_VALUE_FLOOR else f"{value:.3f}"


def is_p_value_column(column: str) -> bool:
    return bool(P_VALUE_COLUMN.search(column.lower()))


def is_year_column(column: str) -> bool:
    return column.lower() in ("year", "edition") or column.lower().endswith(("_year", "year_from", "year_to"))


def format_cell(value, column: str = "") -> str:
    """A table cell: p-values by ``format_p_value``, years as written (2024, not 2,024), other numbers
    by ``format_number``, text as is."""
    if isinstance(value, int) and not isinstance(value, bool) and is_year_column(column):
        return str(value)
    if isinstance(value, float) and is_p_value_column(column):
        return format_p_value(value)
    if isinstance(value, (int, float)) or value is None:
        return format_number(value)
    return plain_numbers(str(value))


def dictionary_labels(con) -> dict[str, str]:
    """Every indicator's label from ``mart.indicator_dictionary`` of the DuckDB connection ``con``
    (empty when the warehouse has no dictionary)."""
    import duckdb

    try:
        rows = con.sql("SELECT indicator, definition FROM mart.indicator_dictionary").fetchall()
    except duckdb.CatalogException:
        return {}
    return {indicator: indicator_label(definition, indicator) for indicator, definition in rows}


def indicator_label(definition: str | None, indicator: str) -> str:
    """A title from the dictionary's definition: the whole definition when short, else its first
    clause (up to a parenthesis or semicolon after the first few words), cut at ``LABEL_CHARS``;
    the id only when the dictionary has no definition."""
    if not definition:
        return indicator
    label = definition.strip()
    if len(label) > LABEL_CHARS:
        cut = re.search(r" \(|; ", label[MIN_CLAUSE_CHARS:])
        if cut:
            label = label[: MIN_CLAUSE_CHARS + cut.start()].rstrip(",: ")
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "\u2026"


SCIENTIFIC = re.compile(r"(?P<p>\bp\s*=\s*)?(?<![\w.])(?P<number>-?\d+(?:\.\d+)?e[-+]?\d+)\b")


def plain_numbers(text: str) -> str:
    """Numbers in scientific notation written out; p-values below the floor as ``p < 0.001``."""
    def plain(match: re.Match) -> str:
        value = float(match.group("number"))
        if match.group("p"):
            return f"p < {P_VALUE_FLOOR}" if value < P_VALUE_FLOOR else f"p = {value:.3f}"
        return format_number(value)

    return SCIENTIFIC.sub(plain, text)


def readable_text(text: str, labels: dict[str, str]) -> str:
    """A sentence for people: indicator ids replaced by their labels, numbers as ``plain_numbers``."""
    if labels:
        # an id may sit between underscores (a chart's file name: funnel_england_cla_rate_per_10k_2024)
        ids = re.compile(r"(?<![A-Za-z0-9])(" + "|".join(re.escape(i) for i in sorted(labels, key=len, reverse=True)) + r")(?![A-Za-z0-9])")
        text = ids.sub(lambda m: labels[m.group(1)], text)
    return plain_numbers(text)
