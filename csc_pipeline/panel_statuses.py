"""The panel's statuses mean one thing each: the rules every refresh checks (no Dagster here).

``mart.la_indicator_panel.status`` is published (a number), suppressed (the publisher withheld the
number; ``symbol`` says how), missing (nothing published, or nothing to compute a rate over) or
not_harmonisable (current geography: the value cannot be formed from the predecessors'; ``method``
says why). The column comments in ``sql/marts/la_indicator_panel.sql`` define them; the blocking
check ``statuses_mean_one_thing`` on the panel fails on any row that breaks them.
"""

from __future__ import annotations

import duckdb
import polars as pl

STATUSES = ("published", "suppressed", "missing", "not_harmonisable")

# One row per kind of inconsistency: the rule broken, how many rows, and an example row.
PROBLEMS_SQL = f"""
WITH judged AS (
    SELECT *, CASE
        WHEN status NOT IN {STATUSES} THEN 'status is not one of {", ".join(STATUSES)}'
        WHEN (value IS NULL) <> (status <> 'published') THEN 'a value where the status says none, or none where it says published'
        WHEN status = 'suppressed' AND symbol IS NULL THEN 'suppressed without the publisher''s symbol'
        WHEN status <> 'suppressed' AND status <> 'missing' AND symbol IS NOT NULL THEN 'a symbol on a row that is not suppressed or missing'
        WHEN (status = 'not_harmonisable') <> (harmonisation = 'not_harmonisable') THEN 'status and harmonisation disagree on not_harmonisable'
        WHEN status = 'not_harmonisable' AND geography <> 'current' THEN 'not_harmonisable outside the current geography'
        WHEN value IS NULL AND NOT (method = 'published' OR starts_with(method, 'not_'))
            THEN 'no value, but a method that says it was computed'
    END AS problem
    FROM {{table}}
)
SELECT problem, count(*) AS rows,
       any_value(concat_ws(' ', geography, la_code, year, indicator, status, symbol, method)) AS example
FROM judged
WHERE problem IS NOT NULL
GROUP BY problem
ORDER BY problem
"""


def status_problems(con: duckdb.DuckDBPyConnection, table: str = "mart.la_indicator_panel") -> pl.DataFrame:
    """The rows of ``table`` (the panel's columns) whose status, value, symbol, method and
    harmonisation disagree, by rule broken: empty when every status means one thing."""
    return con.sql(PROBLEMS_SQL.format(table=table)).pl()
