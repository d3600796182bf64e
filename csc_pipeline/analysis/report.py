"""The analyses as one self-contained HTML page an analyst can open without Python.

Built from what each family recorded in ``meta.analysis_report_items`` (headlines, charts, tables)
and the tables' own comments in the warehouse; charts are embedded, so the file can be mailed.
"""

from __future__ import annotations

import base64
import html
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from csc_pipeline.analysis.formatting import dictionary_labels, format_cell, readable_text
from csc_pipeline.analysis.runner import REPORT_ITEMS
from csc_pipeline.atomic import atomic_write
from csc_pipeline.table_docs import describe_table
from csc_pipeline.synthetic import SYNTHETIC_LABEL

PREVIEW_ROWS = 12
# status values of a table's rows that are results; any other status (n below minimum, skipped, alpha at its
# boundary ...) marks a row that is not a finding, and the report lists those beside the table
FINDING_STATUSES = ("fitted", "tested")
STATUS_LINES = 8
CELL_CHARS = 120  # longer preview cells (e.g. las_excluded lists) are cut, the full text kept as the cell's tooltip

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; color: #222; line-height: 1.45; }
h1 { margin-bottom: 0.2rem; } h2 { border-bottom: 2px solid #1d70b8; padding-bottom: 0.2rem; margin-top: 2.5rem; }
.banner { background: #d4351c; color: #fff; padding: 0.6rem 1rem; font-weight: bold; }
.meta { color: #555; } img { max-width: 100%; border: 1px solid #ddd; margin: 0.5rem 0; }
.scroll { overflow-x: auto; max-width: 100%; margin: 0.5rem 0 1rem; }
table { border-collapse: collapse; font-size: 0.85rem; }
td.num { text-align: right; font-variant-numeric: tabular-nums; } figcaption { font-weight: 600; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.45rem; text-align: left; }
th { background: #f3f2f1; } nav li { margin: 0.1rem 0; } code { background: #f3f2f1; padding: 0 0.2rem; }
"""


def _table_html(con: duckdb.DuckDBPyConnection, table: str) -> str:
    try:
        doc = describe_table(con, table)
    except ValueError:
        return f"<p>Table <code>{html.escape(table)}</code> is missing from the warehouse.</p>"
    columns = [(column.name, column.comment or "") for column in doc.columns]
    n_rows = doc.row_count
    preview = con.sql(f"SELECT * FROM {table} LIMIT {PREVIEW_ROWS}").fetchall()
    head = "".join(f'<th title="{html.escape(text)}">{html.escape(col)}</th>' for col, text in columns)
    body = "".join("<tr>" + "".join(_cell_html(v, col) for v, (col, _) in zip(row, columns)) + "</tr>" for row in preview)
    glossary = "".join(f"<li><code>{html.escape(c)}</code>: {html.escape(t)}</li>" for c, t in columns)
    shown = f"first {len(preview)} of {n_rows:,} rows" if n_rows > len(preview) else f"{n_rows:,} rows"
    return (
        f"<h3><code>{html.escape(table)}</code></h3><p>{html.escape(doc.description or '')} ({shown}; "
        f"query the warehouse for all of them.)</p>{_status_html(con, table, [c for c, _ in columns])}"
        f"<div class='scroll'><table><tr>{head}</tr>{body}</table></div>"
        f"<details><summary>Columns</summary><ul>{glossary}</ul></details>"
    )


def _status_html(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> str:
    """The rows of ``table`` whose ``status`` says they are not findings, counted per status."""
    if "status" not in columns:
        return ""
    placeholders = ", ".join("?" for _ in FINDING_STATUSES)
    counts = con.execute(f"SELECT status, count(*) FROM {table} WHERE status NOT IN ({placeholders}) GROUP BY status "
                         "ORDER BY count(*) DESC, status", list(FINDING_STATUSES)).fetchall()
    if not counts:
        return ""
    items = "".join(f"<li>{n:,} row(s): {html.escape(str(status))}</li>" for status, n in counts[:STATUS_LINES])
    more = f"<li>and {len(counts) - STATUS_LINES} other status(es)</li>" if len(counts) > STATUS_LINES else ""
    return f"<p><strong>Not findings</strong> (the table's <code>status</code>):</p><ul>{items}{more}</ul>"


def _cell_html(value, column: str) -> str:
    text = "" if value is None else format_cell(value, column)
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    opening = "<td class='num'" if numeric else "<td"
    if len(text) <= CELL_CHARS:
        return f"{opening}>{html.escape(text)}</td>"
    return f'{opening} title="{html.escape(text)}">{html.escape(text[:CELL_CHARS])}&hellip;</td>'


def _chart_html(path: Path, labels: dict[str, str]) -> str:
    if not path.is_file():
        return f"<p>Chart {html.escape(path.name)} is missing.</p>"
    data = base64.b64encode(path.read_bytes()).decode()
    # the file's name (e.g. funnel_england_cla_rate_per_10k_2024) with its indicator ids as labels
    caption = readable_text(path.stem, labels).replace("_", " ")
    caption = caption[:1].upper() + caption[1:]
    return (f'<figure><figcaption>{html.escape(caption)}</figcaption>'
            f'<img alt="{html.escape(caption)}" src="data:image/png;base64,{data}"></figure>')


def relative_source(source: str, roots: tuple[Path, ...]) -> str:
    """The settings file(s) named relative to the project or data lake, never as absolute paths."""
    def short(part: str) -> str:
        path = Path(part.strip())
        for root in roots:
            if path.is_relative_to(root):
                return str(path.relative_to(root))
        return path.name if path.is_absolute() else str(path)

    return " overlaid by ".join(short(part) for part in source.split(" overlaid by "))


def _funnel_limits_html(con: duckdb.DuckDBPyConnection) -> str:
    """Which control limits the funnel headlines use, read from the funnel table itself."""
    try:
        methods = [r[0] for r in con.sql("SELECT DISTINCT overdispersion FROM analysis.funnel_positions ORDER BY 1").fetchall()]
    except duckdb.CatalogException:
        return ""
    if methods == ["additive"]:
        text = ("Funnel limits: overdispersion-adjusted (additive: normal limits widened by the between-LA variance "
                "tau\u00b2, Spiegelhalter 2005), the headline setting, so that an LA is flagged for being unusual against "
                "the spread LAs really show rather than against sampling error alone. The exact Poisson / binomial limits "
                "are kept as the <code>exact_*</code> columns of <code>analysis.funnel_positions</code> "
                "(<code>deprivation.funnel.overdispersion: none</code> draws them instead).")
    else:
        text = (f"Funnel limits: overdispersion method {html.escape(', '.join(methods))} "
                "(<code>deprivation.funnel.overdispersion</code>; the default is additive).")
    return f"<p class='meta'>{text}</p>"


REFRESH_LABELS = {
    "files_new": "files new", "files_changed": "files changed", "files_unchanged": "files unchanged",
    "files_dropped": "files dropped", "panel_rows": "panel rows", "rows_added": "panel rows added",
    "rows_removed": "panel rows removed", "values_revised": "values revised",
    "checks_passed": "checks passed", "checks_failed": "checks failed",
}


def _refresh_html(refresh: dict) -> str:
    cells = "".join(f"<tr><th>{html.escape(label)}</th><td>{refresh[key]:,}</td></tr>"
                    for key, label in REFRESH_LABELS.items() if key in refresh)
    return ("<section id='refresh'><h2>This refresh</h2><p>Compared with the warehouse published before it "
            f"({html.escape(str(refresh.get('source_mode', '')))} mode).</p><table>{cells}</table></section>")


def render_report(con: duckdb.DuckDBPyConnection, synthetic: bool, settings_source: str,
                  family_titles: dict[str, str], refresh: dict | None = None) -> str:
    """The HTML page for every family in ``family_titles`` (in that order) that recorded items.

    ``refresh``: what this refresh changed (``refresh_summary.summarise`` and the run's check
    counts), shown first.
    """
    items = con.execute(f"SELECT family, kind, content FROM {REPORT_ITEMS} ORDER BY family, position").fetchall()
    by_family: dict[str, list[tuple[str, str]]] = {}
    for family, kind, content in items:
        by_family.setdefault(family, []).append((kind, content))
    generated = datetime.now(timezone.utc).isoformat(timespec="seconds")
    labels = dictionary_labels(con)
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>csc-pipeline analyses</title>", f"<style>{STYLE}</style></head><body>",
    ]
    if synthetic:
        parts.append(f"<div class='banner'>{html.escape(SYNTHETIC_LABEL)}</div>")
    parts += [
        "<h1>Children's social care: variation between local authorities</h1>",
        f"<p class='meta'>Generated {generated} by csc-pipeline from the warehouse's "
        "<code>analysis</code> tables. Settings: <code>" + html.escape(settings_source) + "</code>. "
        "Methods: <code>methods.md</code>; every table below lists the LAs and years it used.</p>",
        "<nav><ul>" + "".join(
            f"<li><a href='#{f}'>{html.escape(t)}</a></li>" for f, t in family_titles.items() if f in by_family
        ) + "</ul></nav>",
    ]
    if refresh:
        parts.append(_refresh_html(refresh))
    for family, title in family_titles.items():
        if family not in by_family:
            continue
        parts.append(f"<section id='{family}'><h2>{html.escape(title)}</h2>")
        headlines = [c for k, c in by_family[family] if k == "headline"]
        if headlines:
            parts.append("<ul>" + "".join(f"<li>{html.escape(readable_text(h, labels))}</li>" for h in headlines) + "</ul>")
        if family == "deprivation":
            parts.append(_funnel_limits_html(con))
        parts += [_chart_html(Path(c), labels) for k, c in by_family[family] if k == "chart"]
        parts += [_table_html(con, c) for k, c in by_family[family] if k == "table"]
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(path: Path, page: str) -> Path:
    return atomic_write(path, lambda tmp: tmp.write_text(page, encoding="utf-8"))
