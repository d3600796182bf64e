"""The README's "Results on the real files", written from a published warehouse (never by hand).

``csc results`` prints the section; ``csc results --write README.md`` replaces the text between the
README's ``<!-- results:begin -->`` and ``<!-- results:end -->`` markers, so every figure there is
one the warehouse holds. Each result states the settings it was computed with (source mode,
geography, rate basis, periods) and, where an analysis is degenerate or at an edge, its status
note instead of a finding.

The same command writes the README's other generated lists where their markers are
(``GENERATED``): the indicators by source family and the panel's columns with their comments, so
neither can drift from the warehouse. ``indicator_table`` is also what ``csc indicators`` prints.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl

from csc_pipeline import atomic
from csc_pipeline.analysis.panel_frames import format_years
from csc_pipeline.table_docs import describe_table



def markers(name: str) -> tuple[str, str]:
    """The begin and end markers of the README's generated section ``name``."""
    return f"<!-- {name}:begin -->", f"<!-- {name}:end -->"


BEGIN, END = markers("results")


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


def render(con: duckdb.DuckDBPyConnection) -> str:
    """The results section as Markdown, each part computed from the published warehouse behind ``con``."""
    return "\n\n".join(section(con) for section in SECTIONS).strip() + "\n"


def replace_between_markers(document: str, body: str, *, source: str, name: str = "results") -> str:
    begin, end = markers(name)
    if begin not in document or end not in document or document.index(begin) > document.index(end):
        raise ResultsDocError(f"{source}: no '{begin}' … '{end}' markers to write the {name} between")
    head, rest = document.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{body}{end}{tail}"


def write_into(readme: Path, body: str, generated: dict[str, str] | None = None) -> None:
    """Replace the results section of ``readme`` (its markers are required) and each ``generated``
    section (name -> body) whose markers the file has."""
    text = replace_between_markers(readme.read_text(encoding="utf-8"), body, source=str(readme))
    for name, section in (generated or {}).items():
        if markers(name)[0] in text:
            text = replace_between_markers(text, section, source=str(readme), name=name)
    atomic.write_text(readme, text)


# --- the sections ------------------------------------------------------------------------------------------

def settings_section(con: duckdb.DuckDBPyConnection) -> str:
    about = dict(con.execute("SELECT key, value FROM meta.about").fetchall())
    files = con.execute("SELECT count(*) FROM meta.provenance").fetchone()[0]
    return (
        f"_Written by `csc results --write README.md` from the warehouse published at {about.get('published_at')} "
        f"({about.get('source_mode')} mode, {files} files, synthetic: {about.get('synthetic')}), analysis settings: "
        f"{about.get('analysis_config', 'defaults')} (`csc_pipeline/analysis/config.yaml`). Each table names the "
        "choices it was computed with; rows whose `status` is not a finding say so._"
    )


CHANGE_BY_REGION = """
SELECT region,
       max(n) FILTER (WHERE measure = 'avg_rate' AND {default}) AS n,
       max(mean) FILTER (WHERE measure = 'avg_rate' AND {default}) AS "mean avg rate",
       max(mean) FILTER (WHERE measure = 'avg_change' AND {default}) AS "mean avg change a year",
       max(concat_ws(' / ', round(percent_increase)::INT, round(percent_no_change)::INT, round(percent_decrease)::INT))
           FILTER (WHERE measure = 'avg_change' AND {default}) AS "% up / same / down (sign at published precision)",
       max(concat_ws(' / ', round(percent_increase)::INT, round(percent_no_change)::INT, round(percent_decrease)::INT))
           FILTER (WHERE measure = 'avg_change' AND rate_basis = 'at_the_time' AND direction_rule LIKE 'tolerance%')
           AS "% with a 0.5 tolerance",
       max(mean) FILTER (WHERE measure = 'avg_change' AND rate_basis = 'latest_population'
                         AND direction_rule = 'sign at published precision') AS "mean change, latest populations",
       max(status) FILTER (WHERE {default} AND status <> 'ok') AS status
FROM analysis.change_in_rate_by_region
WHERE indicator = 'cla_rate_per_10k' AND nation = 'England' AND geography = ?
  AND period_start = 2012 AND period_end = 2017
GROUP BY region
ORDER BY "mean avg rate" DESC NULLS LAST
"""
DEFAULT_CHANGE = "rate_basis = 'at_the_time' AND direction_rule = 'sign at published precision'"


def change_in_rate_section(con: duckdb.DuckDBPyConnection) -> str:
    parts = ["**Change in rate**, children looked after per 10,000, England 2012-2017 (methods.md section 4): "
             "the average of the year-on-year changes per LA, summarised by region (London as Inner and Outer). "
             "Default: rates as published for each year (`rate_basis = 'at_the_time'`), direction by the sign of "
             "the change of the whole-number rates; beside it the 0.5-tolerance variant and the mean change over "
             "the latest population vintage (`rate_basis = 'latest_population'`)."]
    for geography, label in (("as_published", "the authorities of 2017, as published"),
                             ("current", "today's authorities (an apportioned set counted once)")):
        frame = _query(con, CHANGE_BY_REGION.format(default=DEFAULT_CHANGE), [geography])
        parts.append(f"_{label} (`geography = '{geography}'`):_\n\n{markdown_table(frame)}")
    return "\n\n".join(parts)


def trend_section(con: duckdb.DuckDBPyConnection) -> str:
    national = _query(con, """
        SELECT nation, year, value AS "rate from summed counts", published_value AS "published rate", n_las
        FROM analysis.trend_national_regional
        WHERE indicator = 'cla_rate_per_10k' AND area_level = 'nation' AND geography = 'current'
          AND (year IN (2006, 2010, 2012, 2017, 2021, 2025) OR (nation = 'Wales' AND year IN (2003, 2018)))
        ORDER BY nation, year""")
    its = _query(con, """
        SELECT nation, years_used AS years, first_post_break_year AS "first year after the break", status,
               level_change AS "level change", concat(round(level_change_ci_low, 1), ' to ', round(level_change_ci_high, 1)) AS "95% CI",
               slope_change AS "slope change a year", concat(round(slope_change_ci_low, 2), ' to ', round(slope_change_ci_high, 2)) AS "95% CI ",
               coalesce(skip_reason, '') AS note
        FROM analysis.interrupted_time_series
        WHERE indicator = 'cla_rate_per_10k' AND geography = 'current' ORDER BY nation""")
    return ("**Trend**, children looked after per 10,000 (summed LA counts over summed populations, current "
            "boundaries; the publisher's own national rate where a file prints it):\n\n"
            f"{markdown_table(national)}\n\nInterrupted time series at the 2009/10 break (segmented regression):\n\n"
            f"{markdown_table(its)}")


def funnel_section(con: duckdb.DuckDBPyConnection) -> str:
    frame = _query(con, """
        SELECT nation, year, year_rule, overdispersion, count(*) AS las,
               count(*) FILTER (WHERE position_998 = 'above') AS "above 99.8% (default limits)",
               count(*) FILTER (WHERE position_998 = 'below') AS "below 99.8% (default limits)",
               count(*) FILTER (WHERE exact_position_998 <> 'inside') AS "outside 99.8% (exact limits)",
               string_agg(la_name, ', ' ORDER BY sd_beyond_widest DESC) FILTER (WHERE position_998 <> 'inside') AS "outside (default)"
        FROM analysis.funnel_positions WHERE indicator = 'cla_rate_per_10k' GROUP BY ALL ORDER BY nation""")
    return f"**Funnel plot**, CLA rate per 10,000:\n\n{markdown_table(frame)}"


def deprivation_section(con: duckdb.DuckDBPyConnection) -> str:
    ols = _query(con, """
        SELECT nation, period, deprivation_measure AS measure, estimate AS slope,
               concat(round(ci_lower, 1), ' to ', round(ci_upper, 1)) AS "95% CI", r_squared, n_las, status
        FROM analysis.deprivation_coefficients
        WHERE indicator = 'cla_rate_per_10k' AND model = 'ols' AND term <> 'intercept' ORDER BY nation""")
    counts = _query(con, """
        SELECT nation, model_selected, count(DISTINCT indicator) AS indicators,
               min(lr_statistic) AS "min LR", max(lr_statistic) AS "max LR"
        FROM analysis.deprivation_coefficients WHERE model_selected IS NOT NULL GROUP BY ALL ORDER BY ALL""")
    composite = _query(con, """
        SELECT nation, la_group AS "LA group", string_agg(la_name, ', ' ORDER BY rank_in_group) AS "highest composite (top 3)"
        FROM analysis.deprivation_composite WHERE rank_in_group <= 3 GROUP BY ALL ORDER BY ALL""")
    return ("**Deprivation**: OLS of the CLA rate on the deprivation measure across LAs:\n\n"
            f"{markdown_table(ols)}\n\nCount models (Poisson or negative binomial by the likelihood-ratio rule at "
            f"alpha = 0):\n\n{markdown_table(counts)}\n\nComposite of standardised residuals, ranked within LA "
            f"group:\n\n{markdown_table(composite)}")


def correlation_section(con: duckdb.DuckDBPyConnection) -> str:
    frame = _query(con, """
        SELECT nation, count(*) AS pairs, count(*) FILTER (WHERE "stable") AS "stable (raw p)",
               count(*) FILTER (WHERE stable_bh) AS "stable (Benjamini-Hochberg)", max(k_required) AS k
        FROM analysis.correlation_stable_pairs GROUP BY nation ORDER BY nation""")
    return ("**Correlations**: indicator pairs significant with one sign in at least k years:\n\n"
            f"{markdown_table(frame)}")


def ofsted_section(con: duckdb.DuckDBPyConnection) -> str:
    grades = _query(con, """
        SELECT grade_name AS grade, max(n_las_with_grade) AS "LAs"
        FROM analysis.ofsted_grades_in_force
        WHERE year = (SELECT max(year) FROM analysis.ofsted_grades_in_force) GROUP BY ALL ORDER BY min(overall_grade_ordinal)""")
    year = con.execute("SELECT max(year) FROM analysis.ofsted_grades_in_force").fetchone()[0]
    model = _query(con, """
        SELECT requested_year AS "Y requested", prediction_year AS "Y used", outcome_years AS outcome, n_las,
               n_rated_inadequate AS "rated Inadequate", n_nonzero_coefficients AS "predictors kept",
               deviance_explained, sensitivity, specificity, status
        FROM analysis.ofsted_prediction_summary""")
    notes = [row[0] for row in con.execute("SELECT note FROM analysis.ofsted_prediction_summary WHERE status <> 'ok'").fetchall()]
    after = _query(con, """
        SELECT "group", max(n_group_las) AS "LAs", string_agg(DISTINCT status, ', ') AS status
        FROM analysis.ofsted_after_inadequate GROUP BY ALL ORDER BY ALL""")
    text = (f"**Ofsted**: overall grades in force at 31 March {year}:\n\n{markdown_table(grades)}\n\n"
            "Elastic-net prediction of 'rated Inadequate' in Y..Y+1 (methods.md section 5):\n\n"
            f"{markdown_table(model)}")
    if notes:
        text += "\n\nNot a finding: " + " ".join(note for note in notes if note)
    return text + f"\n\nAfter-inadequate comparison groups:\n\n{markdown_table(after)}"


SECTIONS: list[Section] = [settings_section, change_in_rate_section, trend_section, funnel_section,
                           deprivation_section, correlation_section, ofsted_section]


# --- the generated lists: indicators and the panel's columns ------------------------------------------------

def _indicators_with_years(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return _query(con, """
        SELECT d.indicator, d.definition AS label, d.unit, d.polarity, d.kind, d.defined_in AS source_family,
               list_sort(list(DISTINCT c.year) FILTER (WHERE c.las_with_value > 0)) AS years
        FROM mart.indicator_dictionary AS d
        LEFT JOIN mart.coverage AS c ON c.indicator = d.indicator AND c.geography = 'as_published'
        GROUP BY ALL
        ORDER BY source_family, d.indicator""")


def _year_runs(years: pl.Expr) -> pl.Expr:
    return years.map_elements(format_years, return_dtype=pl.String).replace("", None)


def indicator_table(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The indicator dictionary with each indicator's source family and the years the panel has a
    value for it (any LA, as published; runs of years such as 2006-2017, 2019), one row per indicator."""
    return _indicators_with_years(con).with_columns(_year_runs(pl.col("years")))


def indicators_section(con: duckdb.DuckDBPyConnection) -> str:
    families: dict[str, dict] = {}
    for row in _indicators_with_years(con).iter_rows(named=True):
        family = families.setdefault(row["source_family"], {"source family": row["source_family"], "years": set(), "ids": []})
        family["years"].update(row["years"] or [])
        family["ids"].append(f"`{row['indicator']}`")
    table = pl.DataFrame([{"source family": f["source family"], "indicators": len(f["ids"]),
                           "years": format_years(f["years"]) or None, "ids": ", ".join(f["ids"])} for f in families.values()])
    return (f"_Written by `csc results --write README.md`; `csc indicators` prints each one's label, unit, "
            f"polarity and years._\n\n{markdown_table(table)}\n")


def panel_columns_section(con: duckdb.DuckDBPyConnection) -> str:
    try:
        doc = describe_table(con, "mart.la_indicator_panel")
    except ValueError as error:
        raise ResultsDocError(f"the warehouse lacks what the panel column list needs: {error}") from error
    frame = pl.DataFrame({"column": [f"`{c.name}`" for c in doc.columns], "type": [c.type for c in doc.columns],
                          "meaning": [c.comment for c in doc.columns]})
    return f"_Written by `csc results --write README.md` from the table's comments._\n\n{markdown_table(frame)}\n"


GENERATED: dict[str, Section] = {"indicators": indicators_section, "panel-columns": panel_columns_section}


def render_generated(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return {name: section(con) for name, section in GENERATED.items()}
