"""One page per local authority, as DfE's LAIT shows an LA: its headline indicators against its
statistical neighbours, region and nation (from ``mart.la_benchmark``), trend charts, its funnel
positions and deprivation-adjusted residuals (``analysis`` tables) and its Ofsted grades.

Pages are static and self-contained (inline CSS, inline SVG charts, no script needed), written to
``reports/la/<code>.html`` with ``reports/la/index.html`` listing every LA by region. Every table is
read with one query for all LAs. ``csc la`` prints the same headline table (``headline_frame`` and
``headline_rows`` are shared, so the numbers are the same). No Dagster here.
"""

from __future__ import annotations

import difflib
import html
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from csc_pipeline.analysis.formatting import MISSING, decimals_for, dictionary_labels, format_cell, format_number, indicator_label
from csc_pipeline.atomic import write_text
from csc_pipeline.synthetic import SYNTHETIC_LABEL

# The geography of the profiles: today's authorities, every year on today's boundaries.
GEOGRAPHY = "current"
# The indicators of the headline table, in the order shown (those with no value for an LA are left out).
HEADLINE_INDICATORS = (
    "cla_rate_per_10k", "cla_starts_rate_per_10k", "cpp_rate_per_10k", "cin_rate_per_10k", "referrals_rate_per_10k",
    "rereferrals_percent", "assessments_within_45_days_percent", "icpc_within_15_days_percent",
    "cpp_second_or_subsequent_percent", "sw_turnover_rate_percent", "sw_agency_rate_percent",
    "sw_vacancy_rate_percent", "sw_caseload_average", "s251_cla_net_expenditure_per_child_gbp",
)
HEADLINE_COLUMNS = ("Indicator", "Year", "LA", "Neighbours", "Region", "Nation", "Rank", "Band", "3-year direction")
PROFILE_DIR = "la"
SERIES_COLOURS = {"LA": "#1d70b8", "Neighbours": "#f47738", "Region": "#00703c", "Nation": "#505a5f"}


class LaLookupError(LookupError):
    """No LA, or more than one, matches what was asked for."""


@dataclass(frozen=True)
class Authority:
    la_code: str
    la_name: str
    region: str
    nation: str


def authorities(con: duckdb.DuckDBPyConnection) -> list[Authority]:
    """The LAs of the profile geography, by nation, region and name."""
    rows = con.execute(
        "SELECT DISTINCT la_code, la_name, region, nation FROM mart.la_benchmark WHERE geography = ? "
        "AND authority_id IS NOT NULL ORDER BY nation, region, la_name", [GEOGRAPHY],
    ).fetchall()
    return [Authority(*row) for row in rows]


def find_authority(candidates: list[Authority], query: str) -> Authority:
    """The LA whose code equals ``query`` or whose name equals, else contains, it (case-insensitive)."""
    wanted = query.strip().lower()
    if not wanted:
        raise LaLookupError("no LA matches an empty name: give an LA's GSS code (e.g. E09000007) or its name")
    for rule in (lambda a: a.la_code.lower() == wanted, lambda a: a.la_name.lower() == wanted,
                 lambda a: wanted in a.la_name.lower()):
        found = [a for a in candidates if rule(a)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            names = "; ".join(f"{a.la_name} ({a.la_code})" for a in found)
            raise LaLookupError(f"{query!r} matches {len(found)} LAs: {names}. Give the code or the full name.")
    close = difflib.get_close_matches(wanted, [a.la_name.lower() for a in candidates], n=5, cutoff=0.6)
    hint = f" Did you mean: {'; '.join(a.la_name + ' (' + a.la_code + ')' for a in candidates if a.la_name.lower() in close)}?" if close else ""
    raise LaLookupError(f"no LA matches {query!r} (by GSS code or name, {len(candidates)} LAs).{hint}")


def headline_frame(con: duckdb.DuckDBPyConnection, la_code: str | None = None) -> pl.DataFrame:
    """Per LA and headline indicator, the latest year with a value: the LA against its neighbours,
    region and nation, with rank, band and three-year direction (all LAs when ``la_code`` is None)."""
    return con.execute(
        """
        SELECT b.la_code, b.indicator, d.definition, b.year, b.value, b.neighbours_mean, b.neighbours_with_value,
               b.region_value, b.nation_value, b.rank, b.las_ranked, b.rank_note, b.quartile_band,
               b.quartile_order, b.direction_over_3_years, b.nation
        FROM mart.la_benchmark AS b
        JOIN mart.indicator_dictionary AS d USING (indicator)
        WHERE b.geography = $geography AND b.value IS NOT NULL AND list_contains($indicators, b.indicator)
          AND ($la_code IS NULL OR b.la_code = $la_code) AND b.authority_id IS NOT NULL
        QUALIFY row_number() OVER (PARTITION BY b.la_code, b.indicator ORDER BY b.year DESC) = 1
        ORDER BY b.la_code, list_position($indicators, b.indicator)
        """,
        {"geography": GEOGRAPHY, "indicators": list(HEADLINE_INDICATORS), "la_code": la_code},
    ).pl()


def _rank_text(row: dict) -> str:
    if row["rank"] is None:
        return "no polarity" if row["quartile_order"] == "lowest_to_highest" else MISSING
    return f"{row['rank']} of {row['las_ranked']}"


def _band_text(row: dict) -> str:
    if row["quartile_band"] is None:
        return MISSING
    return f"Q{row['quartile_band']} " + ("(best)" if row["quartile_band"] == 1 and row["rank"] is not None else
                                          "(worst)" if row["quartile_band"] == 4 and row["rank"] is not None else
                                          "(lowest)" if row["quartile_band"] == 1 else "(highest)" if row["quartile_band"] == 4 else "")


COMPARED = ("value", "neighbours_mean", "region_value", "nation_value")


def headline_rows(frame: pl.DataFrame) -> list[tuple[str, ...]]:
    """The headline table as text cells (``HEADLINE_COLUMNS``): one formatting for page and terminal,
    the LA and its comparators to the same decimals."""
    rows = []
    for row in frame.iter_rows(named=True):
        decimals = decimals_for(*(row[c] for c in COMPARED))
        rows.append((indicator_label(row["definition"], row["indicator"]), str(row["year"]),
                     *(format_number(row[c], decimals) for c in COMPARED),
                     _rank_text(row), _band_text(row).strip(), row["direction_over_3_years"] or MISSING))
    return rows


def text_table(columns: Iterable[str], rows: list[tuple[str, ...]]) -> str:
    """A plain-text table with aligned columns (numbers right-aligned)."""
    columns = tuple(columns)
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)),
             "  ".join("-" * w for w in widths)]
    for row in rows:
        lines.append("  ".join(cell.ljust(w) if i == 0 or i == len(row) - 1 else cell.rjust(w)
                               for i, (cell, w) in enumerate(zip(row, widths))))
    return "\n".join(lines)


STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5rem auto; max-width: 72rem; padding: 0 1rem; color: #222; line-height: 1.4; }
h1 { margin-bottom: 0.2rem; } h2 { border-bottom: 2px solid #1d70b8; padding-bottom: 0.2rem; margin-top: 2rem; }
.banner { background: #d4351c; color: #fff; padding: 0.6rem 1rem; font-weight: bold; }
.meta { color: #555; } .scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.45rem; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; } th { background: #f3f2f1; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; } figure { margin: 0; width: 330px; }
figcaption { font-size: 0.85rem; font-weight: 600; min-height: 2.6em; }
.legend span { margin-right: 0.8rem; font-size: 0.8rem; } .region li { display: inline-block; width: 16rem; }
"""


def _page(title: str, body: str, synthetic: bool) -> str:
    banner = f"<div class='banner'>{html.escape(SYNTHETIC_LABEL)}</div>" if synthetic else ""
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><meta name='viewport' content='width=device-width'>"
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>{banner}{body}</body></html>")


def _html_table(columns: Iterable[str], rows: list[tuple[str, ...]], numeric: Iterable[int] = (), css_id: str = "") -> str:
    numeric = set(numeric)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td class='num'>{html.escape(v)}</td>" if i in numeric else f"<td>{html.escape(v)}</td>"
                                    for i, v in enumerate(row)) + "</tr>" for row in rows)
    ident = f" id='{css_id}'" if css_id else ""
    return f"<div class='scroll'><table{ident}><tr>{head}</tr>{body}</table></div>"


def trend_svg(series: dict[str, list[tuple[int, float]]], width: int = 330, height: int = 170) -> str:
    """A small line chart of each named series (year, value), drawn as inline SVG with its axes."""
    points = [p for values in series.values() for p in values]
    if not points:
        return "<p>No values.</p>"
    left, right, top, bottom = 48, 16, 8, 22  # room for the year labels under the first and last points
    years = [y for y, _ in points]
    low, high = min(v for _, v in points), max(v for _, v in points)
    if low == high:
        low, high = low - 1, high + 1
    low, high = min(low, 0) if low >= 0 and low < (high - low) else low, high
    first, last = min(years), max(years)
    span = max(last - first, 1)

    def x(year):
        return left + (year - first) / span * (width - left - right)

    def y(value):
        return top + (high - value) / (high - low) * (height - top - bottom)

    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' viewBox='0 0 {width} {height}' role='img'>",
             f"<line x1='{left}' y1='{height - bottom}' x2='{width - right}' y2='{height - bottom}' stroke='#999'/>",
             f"<line x1='{left}' y1='{top}' x2='{left}' y2='{height - bottom}' stroke='#999'/>"]
    for value in (low, (low + high) / 2, high):
        parts.append(f"<text x='{left - 4}' y='{y(value) + 4:.1f}' font-size='10' text-anchor='end'>{html.escape(format_number(value))}</text>")
    for year in sorted({first, last, *(range(first, last + 1, max(1, span // 4)))}):
        parts.append(f"<text x='{x(year):.1f}' y='{height - 6}' font-size='10' text-anchor='middle'>{year}</text>")
    for name, values in series.items():
        values = sorted(values)
        colour = SERIES_COLOURS[name]
        if len(values) > 1:
            path = " ".join(f"{x(a):.1f},{y(b):.1f}" for a, b in values)
            width_px = 2.5 if name == "LA" else 1.5
            parts.append(f"<polyline fill='none' stroke='{colour}' stroke-width='{width_px}' points='{path}'><title>{name}</title></polyline>")
        parts += [f"<circle cx='{x(a):.1f}' cy='{y(b):.1f}' r='2' fill='{colour}'><title>{name} {a}: {html.escape(format_number(b))}</title></circle>"
                  for a, b in values]
    parts.append("</svg>")
    return "".join(parts)


def _trend_charts(trends: pl.DataFrame, labels: dict[str, str]) -> str:
    if trends.is_empty():
        return "<p>No headline indicator has values for this LA.</p>"
    legend = "<p class='legend'>" + "".join(
        f"<span><span style='color:{c}'>&#9632;</span> {html.escape(n)}</span>" for n, c in SERIES_COLOURS.items()) + "</p>"
    by_indicator: dict[str, list[dict]] = {}  # one pass over the LA's rows, in their order (not a filter per indicator)
    for row in trends.iter_rows(named=True):
        by_indicator.setdefault(row["indicator"], []).append(row)
    figures = []
    for indicator in HEADLINE_INDICATORS:
        rows = by_indicator.get(indicator)
        if not rows:
            continue
        series = {name: [(r["year"], r[column]) for r in rows if r[column] is not None]
                  for name, column in (("LA", "value"), ("Neighbours", "neighbours_mean"), ("Region", "region_value"), ("Nation", "nation_value"))}
        figures.append(f"<figure><figcaption>{html.escape(labels[indicator])}</figcaption>{trend_svg({k: v for k, v in series.items() if v})}</figure>")
    return legend + "<div class='charts'>" + "".join(figures) + "</div>"


def _frame_table(frame: pl.DataFrame, columns: dict[str, str], labels: dict[str, str], empty: str) -> str:
    if frame.is_empty():
        return f"<p>{html.escape(empty)}</p>"
    rows = []
    for row in frame.iter_rows(named=True):
        rows.append(tuple(labels.get(row[c], row[c]) if c in ("indicator", "deprivation_measure") else format_cell(row[c], c)
                          for c in columns))
    numeric = [i for i, c in enumerate(columns) if frame.schema[c].is_numeric() and c != "year"]
    return _html_table(columns.values(), rows, numeric)


FUNNEL_COLUMNS = {"indicator": "Indicator", "year": "Year", "observed": "Observed", "target": "Target", "target_kind": "Target kind",
                  "overdispersion": "Limits"}
RESIDUAL_COLUMNS = {"indicator": "Indicator", "deprivation_measure": "Deprivation measure", "edition": "Edition",
                    "observed": "Observed", "expected": "Expected", "residual": "Residual", "standardised_residual": "Standardised residual"}
OFSTED_COLUMNS = {"publication_date": "Published", "framework": "Framework", "inspection_type": "Inspection",
                  "judgement_area": "Judgement", "grade": "Grade"}


def _level_percent(suffix: str) -> str:
    """A funnel level as funnel.level_label writes it (95, 998) back as a percentage (95%, 99.8%)."""
    return f"{suffix[:2]}.{suffix[2:]}%" if len(suffix) > 2 else f"{suffix}%"


def _read(con: duckdb.DuckDBPyConnection, table: str, sql: str, params: list | None = None) -> pl.DataFrame | None:
    """One query over a whole table; None when the table is not in the warehouse (e.g. an analysis skipped)."""
    schema, name = table.split(".")
    exists = con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
                         "AND schema_name = ? AND table_name = ?", [schema, name]).fetchone()[0]
    return con.execute(sql, params or []).pl() if exists else None


def _by_la(frame: pl.DataFrame | None, key: str = "la_code") -> dict[str, pl.DataFrame]:
    if frame is None or frame.is_empty():
        return {}
    return {k[0]: v for k, v in frame.partition_by(key, as_dict=True).items()}


def render_profiles(con: duckdb.DuckDBPyConnection, out_dir: Path, synthetic: bool) -> list[Path]:
    """Write every LA's page and the index into ``out_dir``; return the pages' paths (index last)."""
    las = authorities(con)
    labels = dictionary_labels(con)
    headlines = _by_la(headline_frame(con))
    trends = _by_la(con.execute(
        "SELECT la_code, indicator, year, value, neighbours_mean, region_value, nation_value FROM mart.la_benchmark "
        "WHERE geography = ? AND list_contains(?, indicator) AND authority_id IS NOT NULL ORDER BY la_code, indicator, year",
        [GEOGRAPHY, list(HEADLINE_INDICATORS)]).pl())
    funnel_frame = _read(con, "analysis.funnel_positions", "SELECT * FROM analysis.funnel_positions ORDER BY la_code, indicator, year")
    position_columns = {c: f"Position ({_level_percent(c.removeprefix('position_'))})"
                        for c in (funnel_frame.columns if funnel_frame is not None else []) if c.startswith("position_")}
    funnels = _by_la(funnel_frame)
    residuals = _by_la(_read(con, "analysis.deprivation_residuals",
                             "SELECT * FROM analysis.deprivation_residuals ORDER BY la_code, indicator, deprivation_measure"))
    # Judgements follow the authority across code changes (an inspection published under an earlier code).
    codes = {r[0]: r[1] for r in con.execute(
        "SELECT DISTINCT la_code, authority_id FROM mart.la_benchmark WHERE geography = ? AND authority_id IS NOT NULL", [GEOGRAPHY]).fetchall()}
    ofsted = _by_la(_read(con, "mart.ofsted_judgements",
                          "SELECT * FROM mart.ofsted_judgements WHERE whole_service ORDER BY authority_id, publication_date DESC, judgement_area"),
                    key="authority_id")
    in_force = _by_la(_read(con, "mart.ofsted_judgement_in_force",
                            "SELECT * FROM mart.ofsted_judgement_in_force QUALIFY row_number() OVER (PARTITION BY authority_id ORDER BY year DESC) = 1"),
                      key="authority_id")
    out_dir.mkdir(parents=True, exist_ok=True)
    empty = pl.DataFrame()
    paths = []
    for la in las:
        headline = headlines.get(la.la_code, empty)
        body = [
            "<p><a href='index.html'>All local authorities</a></p>",
            f"<h1>{html.escape(la.la_name)}</h1>",
            f"<p class='meta'>{html.escape(la.la_code)} &middot; {html.escape(la.region)} &middot; {html.escape(la.nation)}. "
            "Values on today's boundaries (geography <code>current</code> of <code>mart.la_benchmark</code>); neighbours are "
            "DfE's statistical neighbours for the year; rank 1 = best among the nation's LAs where the indicator has a polarity.</p>",
            "<h2 id='headline'>Headline indicators</h2>",
            _html_table(HEADLINE_COLUMNS, headline_rows(headline), range(1, 7), "headline") if not headline.is_empty()
            else "<p>No headline indicator has a value for this LA.</p>",
            "<h2 id='trends'>Trends</h2>", _trend_charts(trends.get(la.la_code, empty), labels),
            "<h2 id='funnel'>Funnel plot positions</h2><p>Where the LA falls against control limits around the national "
            "or deprivation-expected value (<code>analysis.funnel_positions</code>; limits adjusted for overdispersion unless the "
            "Limits column says none).</p>",
            _frame_table(funnels.get(la.la_code, empty), {**FUNNEL_COLUMNS, **position_columns}, labels, "Not in the funnel plots."),
            "<h2 id='deprivation'>Deprivation-adjusted residuals</h2><p>Observed against the value expected from deprivation "
            "(<code>analysis.deprivation_residuals</code>): a positive residual is above expectation.</p>",
            _frame_table(residuals.get(la.la_code, empty), RESIDUAL_COLUMNS, labels, "Not in the deprivation analysis."),
            "<h2 id='ofsted'>Ofsted</h2>",
        ]
        authority = codes.get(la.la_code)
        force = in_force.get(authority, empty)
        if not force.is_empty():
            f = force.row(0, named=True)
            grade = f["overall_grade"] or ("not inspected" if f["framework"] is None else "no overall grade")
            body.append(f"<p>In force at 31 March {f['year']}: <strong>{html.escape(grade)}</strong>"
                        + (f" ({html.escape(f['framework'])}, published {f['publication_date']})" if f["framework"] else "") + ".</p>")
        body.append(_frame_table(ofsted.get(authority, empty), OFSTED_COLUMNS, labels, "No whole-service inspection published."))
        paths.append(write_text(out_dir / f"{la.la_code}.html", _page(f"{la.la_name}: LA profile", "".join(body), synthetic)))
    paths.append(write_index(out_dir, las, synthetic))
    return paths


INDEX_FILTER = """<script>
document.getElementById('filter').addEventListener('input', function (e) {
  var q = e.target.value.toLowerCase();
  document.querySelectorAll('li[data-name]').forEach(function (li) { li.hidden = li.dataset.name.indexOf(q) < 0; });
});
</script>"""


def write_index(out_dir: Path, las: list[Authority], synthetic: bool) -> Path:
    regions: dict[tuple[str, str], list[Authority]] = {}
    for la in las:
        regions.setdefault((la.nation, la.region), []).append(la)
    sections = [
        f"<section class='region'><h2>{html.escape(region)}</h2><ul>" + "".join(
            f"<li data-name='{html.escape((la.la_name + ' ' + la.la_code).lower())}'><a href='{html.escape(la.la_code)}.html'>"
            f"{html.escape(la.la_name)}</a> <small>{html.escape(la.la_code)}</small></li>" for la in members) + "</ul></section>"
        for (_, region), members in regions.items()
    ]
    body = ("<h1>Local authority profiles</h1><p class='meta'>One page per LA: headline indicators against statistical "
            f"neighbours, region and nation, trends, funnel positions, deprivation-adjusted residuals and Ofsted grades ({len(las)} LAs).</p>"
            "<p><label>Find an LA: <input id='filter' type='search' placeholder='name or code'></label></p>"
            + "".join(sections) + INDEX_FILTER)
    return write_text(out_dir / "index.html", _page("Local authority profiles", body, synthetic))
