"""``csc bench --scale``: the panel and its analyses on a synthetic panel k times the size of the real one.

Scale k copies the project's LA reference k times (copy 0 is the reference itself; copy i has its
own codes, authority ids and names, in the same regions and nations), with the boundary changes and
combined reporting units copied along with the authorities they name. A synthetic staging table
then holds, for every authority, year (2005-2025, the years its code was in force) and about fifty
indicators, a value of the kinds the publications have: the 0-17 population, counts, counts that
are part of another count, rates per 10,000 published from 2012 (computed by the pipeline before),
percentages published from their counts, levels and deprivation scores in editions (1% of cells
suppressed). Nothing comes from real files. At 1x that is as many authorities, years and
indicators as the real panel has.

The table feeds the project's own SQL models in place of the real staging models (the feeds of
``intermediate.int_indicator_values``), which are run with ``warehouse.run_model`` in dependency
order, and the analysis families' own ``run`` functions on ``runner.load_inputs`` (charts are
requested by ``run`` and drawn separately, so they are simply not drawn). Steps measured:

  synthetic_input    the reference copies and the synthetic staging table (not pipeline work)
  panel              the models up to mart.la_indicator_panel, less harmonisation
  harmonisation      int_authority_operation, int_apportionment_weights, int_authority_to_current and
                     int_la_values_current: every year on current boundaries
  analysis_inputs    the marts read into polars frames (``runner.load_inputs``)
  change_in_rate, correlations, deprivation (with its funnels)

Each scale runs in a child process of its own (``python -m csc_pipeline.scale_bench``), so its peak
RSS is its own; a step's peak RSS is the process's high-water mark over that step (reset before it
through /proc/self/clear_refs). The parent stops a child whose RSS passes a guard (the machine is
shared) or that runs past a time limit (``--scale-timeout``); the steps it finished stay in the
table and the step it was in says where it stopped. The scale's DuckDB connection has a memory
limit (DUCKDB_MEMORY_LIMIT) and spills to disk beyond it.

Ofsted judgements, statistical neighbours and national/regional values are not part of the series:
their marts are empty here (change in rate then has no Ofsted-grade association).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from csc_pipeline.bench import cell

DEFAULT_SCALES = (1, 10, 100)
DEFAULT_RSS_GUARD_MIB = 8 * 1024
# DuckDB's own default is 80% of the machine's memory, which it fills with its buffers as the data
# grow; the series caps it (it spills to disk beyond) so a scale's peak RSS can meet issue #18's 4 GB.
DUCKDB_MEMORY_LIMIT = "3GiB"
FIRST_YEAR, LAST_YEAR = 2005, 2025
RATES_PUBLISHED_FROM = 2012  # earlier rates are computed from counts and populations by the pipeline
SYNTHETIC_ENTRY = "bench_scale_synthetic"
SYNTHETIC_STAGING = "staging.bench_scale_values"
PANEL_TABLES = ("mart.la_indicator_panel", "mart.la_reference", "mart.indicator_dictionary",
                "mart.apportionment_weights", "mart.la_rate_variants")
HARMONISATION_MODELS = {"intermediate.int_authority_operation", "intermediate.int_apportionment_weights",
                        "intermediate.int_authority_to_current", "intermediate.int_la_values_current"}
ANALYSES = ("change_in_rate", "correlations", "deprivation")
STEPS = ("synthetic_input", "panel", "harmonisation", "analysis_inputs", *ANALYSES)
# Marts runner.load_inputs reads that the series leaves empty, with the columns the families above read.
EMPTY_MARTS = {
    "mart.ofsted_judgement_in_force": "authority_id VARCHAR, la_code VARCHAR, year INTEGER, overall_grade_ordinal INTEGER",
    "mart.ofsted_judgements": "authority_id VARCHAR, la_code VARCHAR",
    "mart.statistical_neighbours": "la_code VARCHAR",
    "mart.area_indicator_values": "area_code VARCHAR",
}

# The synthetic indicators (ids of ref.indicators). Counts: per 10,000 children, before the area's
# deprivation and noise.
BASE_COUNTS = {
    "cla_count": 70, "cla_starts_count": 30, "cla_ceased_count": 29, "cin_count": 330, "cin_during_year_count": 600,
    "referrals_count": 550, "assessments_count": 520, "s47_enquiries_count": 160, "icpc_count": 60,
    "cpp_starts_count": 55, "cpp_ended_count": 53, "cpp_at_31_march_count": 42, "sw_fte_count": 25, "sw_cases_count": 400,
}
# Counts that are a share of another count.
PART_COUNTS = {
    "rereferrals_count": ("referrals_count", 0.22), "referrals_nfa_count": ("referrals_count", 0.08),
    "assessments_within_45_days_count": ("assessments_count", 0.8), "icpc_within_15_days_count": ("icpc_count", 0.75),
    "cpp_second_or_subsequent_count": ("cpp_starts_count", 0.22), "cpp_2_years_or_more_count": ("cpp_at_31_march_count", 0.04),
    "cpp_at_31_march_3_months_or_more_count": ("cpp_at_31_march_count", 0.7),
    "sw_leavers_fte_count": ("sw_fte_count", 0.15), "sw_agency_fte_count": ("sw_fte_count", 0.16),
    "sw_vacancy_fte_count": ("sw_fte_count", 0.17),
}
# Rates per 10,000 children the publisher prints (from RATES_PUBLISHED_FROM), as whole numbers.
PUBLISHED_RATES = {
    "cla_rate_per_10k": "cla_count", "cla_starts_rate_per_10k": "cla_starts_count", "cla_ceased_rate_per_10k": "cla_ceased_count",
    "cin_rate_per_10k": "cin_count", "cin_during_year_rate_per_10k": "cin_during_year_count",
    "referrals_rate_per_10k": "referrals_count", "assessments_rate_per_10k": "assessments_count", "s47_rate_per_10k": "s47_enquiries_count",
    "icpc_rate_per_10k": "icpc_count", "cpp_starts_rate_per_10k": "cpp_starts_count", "cpp_ended_rate_per_10k": "cpp_ended_count",
    "cpp_rate_per_10k": "cpp_at_31_march_count",
}
# Percentages published from a numerator and a denominator count, to one decimal.
PERCENTS = {
    "rereferrals_percent": ("rereferrals_count", "referrals_count"), "referrals_nfa_percent": ("referrals_nfa_count", "referrals_count"),
    "assessments_within_45_days_percent": ("assessments_within_45_days_count", "assessments_count"),
    "icpc_within_15_days_percent": ("icpc_within_15_days_count", "icpc_count"),
    "cpp_second_or_subsequent_percent": ("cpp_second_or_subsequent_count", "cpp_starts_count"),
    "cpp_2_years_or_more_percent": ("cpp_2_years_or_more_count", "cpp_at_31_march_count"),
    "sw_turnover_rate_percent": ("sw_leavers_fte_count", "sw_fte_count"),
    "sw_agency_rate_percent": ("sw_agency_fte_count", "sw_fte_count"),
    "sw_vacancy_rate_percent": ("sw_vacancy_fte_count", "sw_fte_count"),
}
# Levels rising with the area's deprivation: (low, high, nation or None for both, edition years or None for every year).
LEVELS = {
    "children_low_income_hmrc_percent": (5.0, 40.0, None, None),
    "lait_lacstable_2016on": (55.0, 80.0, None, None),
    "lait_lac_longstable_percent": (55.0, 80.0, None, None),
    "sw_absence_rate_percent": (2.0, 6.0, None, None),
    "sw_caseload_average": (12.0, 22.0, None, None),
    "s251_cla_net_expenditure_gbp": (2e6, 9e7, None, None),
    "idaci_average_score": (0.05, 0.35, "England", (2010, 2015, 2019)),
    "imd_average_score": (5.0, 45.0, "England", (2010, 2015, 2019)),
    "wimd_most_deprived_10pct_percent": (0.0, 30.0, "Wales", (2011, 2014, 2019)),
}

# The synthetic staging table, in the layout of the staging models that feed int_indicator_values
# (csc_pipeline's published_values macro, plus the method column some of them carry). noise() is a
# deterministic uniform [0, 1) per authority, year and indicator: the same panel on every run.
NOISE_MACRO = "CREATE OR REPLACE TEMP MACRO bench_noise(authority_id, year, what) AS (hash(authority_id, year, what) % 10000) / 10000.0"
SYNTHETIC_VALUES_SQL = f"""
CREATE OR REPLACE TABLE {SYNTHETIC_STAGING} AS
WITH code_years AS (
    SELECT l.authority_id, l.la_code, l.la_code_3, l.la_name, l.nation, y.year::INTEGER AS year,
           bench_noise(l.authority_id, 0, 'deprivation') AS deprivation,
           (20000 + hash(l.authority_id, 'population') % 80000) * (1 + 0.01 * (y.year - $first_year)) AS population
    FROM ref.local_authorities AS l
    CROSS JOIN range($first_year, $last_year + 1) AS y(year)
    WHERE make_date(y.year::INTEGER, 3, 31) BETWEEN coalesce(l.valid_from, DATE '1900-01-01') AND coalesce(l.valid_to, DATE '2999-12-31')
),
counts AS (
    SELECT c.*, s.indicator,
           round(c.population * s.per_10k / 10000 * (0.5 + c.deprivation) * (0.85 + 0.3 * bench_noise(c.authority_id, c.year, s.indicator))) AS value
    FROM code_years AS c CROSS JOIN bench_base_counts AS s
),
all_counts AS (
    SELECT * FROM counts
    UNION ALL BY NAME
    SELECT d.* REPLACE (p.indicator AS indicator,
                        round(d.value * p.share * (0.8 + 0.4 * bench_noise(d.authority_id, d.year, p.indicator))) AS value)
    FROM counts AS d JOIN bench_part_counts AS p ON p.denominator = d.indicator
),
rates AS (
    SELECT c.* REPLACE (r.indicator AS indicator, round(c.value / c.population * 10000) AS value)
    FROM counts AS c JOIN bench_published_rates AS r ON r.count_indicator = c.indicator
    WHERE c.year >= $rates_from
),
percents AS (
    SELECT n.* REPLACE (p.indicator AS indicator, round(n.value / d.value * 100, 1) AS value)
    FROM all_counts AS n
    JOIN bench_percents AS p ON p.numerator = n.indicator
    JOIN all_counts AS d ON d.la_code = n.la_code AND d.year = n.year AND d.indicator = p.denominator
    WHERE d.value > 0
),
levels AS (
    SELECT c.*, l.indicator,
           round(l.low + (l.high - l.low) * (0.7 * c.deprivation + 0.3 * bench_noise(c.authority_id, c.year, l.indicator)), 3) AS value
    FROM code_years AS c JOIN bench_levels AS l ON coalesce(l.nation, c.nation) = c.nation
    WHERE l.editions IS NULL OR list_contains(l.editions, c.year)
),
cells AS (
    SELECT *, 'population_0_17' AS indicator, round(population) AS value FROM code_years
    UNION ALL BY NAME SELECT * FROM all_counts
    UNION ALL BY NAME SELECT * FROM rates
    UNION ALL BY NAME SELECT * FROM percents
    UNION ALL BY NAME SELECT * FROM levels
)
SELECT
    'local_authority' AS geographic_level, c.la_code AS area_code, c.la_code_3, c.la_name AS area_name,
    CASE c.nation WHEN 'Wales' THEN 'W92000004' ELSE 'E92000001' END AS country_code,
    c.year, 'synthetic ' || c.year AS published_period, c.indicator,
    CASE WHEN NOT c.suppressed THEN c.value END AS value,
    CASE WHEN c.suppressed THEN 'c' END AS symbol,
    CASE WHEN c.suppressed THEN 'suppressed' ELSE 'published' END AS status,
    i.unit, $entry AS source_entry, 'synthetic' AS release, 'synthetic' AS source_file,
    NULL::BIGINT AS source_row, NULL::VARCHAR AS method
FROM (SELECT *, indicator <> 'population_0_17' AND hash(authority_id, year, indicator, 'suppressed') % 100 = 0 AS suppressed
      FROM cells) AS c
JOIN ref.indicators AS i USING (indicator)
"""


class ScaleBenchError(RuntimeError):
    """A scale's child process failed."""


@dataclass
class ScaleMeasurement:
    scale: int
    step: str
    panel_rows: int | None  # rows of mart.la_indicator_panel at this scale
    wall_s: float | None
    cpu_s: float | None = None  # user + system CPU (DuckDB's threads included)
    peak_rss_mib: float | None = None  # the step's high-water mark; the scale's whole process for step 'total'
    time_per_row_vs_1x: float | None = None  # (wall / panel rows) over the same at 1x: above 1, worse than linear
    note: str = ""


# -- the data ---------------------------------------------------------------------------------------


def scaled_reference(scale: int) -> dict:
    """The ``ref`` tables for ``scale``: the LA reference, boundary changes and combined units copied
    ``scale`` times, the other reference tables as they are, and one synthetic catalog entry."""
    import polars as pl

    from csc_pipeline.reference_tables import reference_frames

    frames = reference_frames()
    authorities, changes, units = frames["ref.local_authorities"], frames["ref.boundary_changes"], frames["ref.combined_units"]
    copies = {"authorities": [], "changes": [], "units": []}
    for copy in range(scale):
        def code(column: str, copy: int = copy) -> pl.Expr:
            return pl.col(column) if copy == 0 else pl.col(column) + f"-{copy}"
        copies["authorities"].append(authorities.with_columns(
            code("la_code"), pl.col("authority_id") + ("" if copy == 0 else f"_{copy}"),
            pl.col("la_name") + ("" if copy == 0 else f" {copy}")))
        copies["changes"].append(changes.with_columns(code("predecessor_code"), code("successor_code")))
        members = units["unit_code"].str.split(" / ")
        copies["units"].append(units.with_columns(
            code("member_code"),
            members.list.eval(pl.element() + ("" if copy == 0 else f"-{copy}")).list.join(" / ").alias("unit_code")))
    catalog = frames["ref.catalog_entries"].clear().vstack(pl.DataFrame(
        [(SYNTHETIC_ENTRY, "bench_scale", "csc bench", "synthetic scale panel", "synthetic", None, 1, "none")],
        schema=frames["ref.catalog_entries"].schema, orient="row"))
    return frames | {
        "ref.local_authorities": pl.concat(copies["authorities"]), "ref.boundary_changes": pl.concat(copies["changes"]),
        "ref.combined_units": pl.concat(copies["units"]), "ref.catalog_entries": catalog,
    }


def _spec_frames() -> dict:
    import polars as pl

    return {
        "bench_base_counts": pl.DataFrame({"indicator": list(BASE_COUNTS), "per_10k": list(BASE_COUNTS.values())}),
        "bench_part_counts": pl.DataFrame([(k, d, s) for k, (d, s) in PART_COUNTS.items()],
                                          schema=["indicator", "denominator", "share"], orient="row"),
        "bench_published_rates": pl.DataFrame({"indicator": list(PUBLISHED_RATES), "count_indicator": list(PUBLISHED_RATES.values())}),
        "bench_percents": pl.DataFrame([(k, n, d) for k, (n, d) in PERCENTS.items()],
                                       schema=["indicator", "numerator", "denominator"], orient="row"),
        "bench_levels": pl.DataFrame([(k, lo, hi, nation, list(editions) if editions else None)
                                      for k, (lo, hi, nation, editions) in LEVELS.items()],
                                     schema={"indicator": pl.String, "low": pl.Float64, "high": pl.Float64, "nation": pl.String,
                                             "editions": pl.List(pl.Int64)}, orient="row"),
    }


def synthetic_indicators() -> set[str]:
    return {"population_0_17", *BASE_COUNTS, *PART_COUNTS, *PUBLISHED_RATES, *PERCENTS, *LEVELS}


def write_synthetic_input(con, scale: int, years: tuple[int, int] = (FIRST_YEAR, LAST_YEAR)) -> int:
    """The scaled ``ref`` tables, a synthetic ``meta.provenance`` and the synthetic staging table of
    ``years`` (first, last); return its rows."""
    import polars as pl

    from csc_pipeline import warehouse

    reference = scaled_reference(scale)
    unknown = synthetic_indicators() - set(reference["ref.indicators"]["indicator"].to_list())
    if unknown:
        raise ScaleBenchError(f"synthetic indicators missing from csc_pipeline/reference/indicators/: {sorted(unknown)}")
    for table, frame in reference.items():
        warehouse.replace_table(con, table, frame)
    warehouse.replace_table(con, "meta.provenance", pl.DataFrame({"entry_id": [SYNTHETIC_ENTRY], "synthetic": [True]}))
    specs = _spec_frames()
    for name, frame in specs.items():
        con.register(name, frame.to_arrow())
    try:
        con.execute(NOISE_MACRO)
        con.execute(SYNTHETIC_VALUES_SQL, {"first_year": years[0], "last_year": years[1], "rates_from": RATES_PUBLISHED_FROM,
                                           "entry": SYNTHETIC_ENTRY})
    finally:
        for name in specs:
            con.unregister(name)
    for table, columns in EMPTY_MARTS.items():
        con.execute(f"CREATE OR REPLACE TABLE {table} ({columns})")
    return warehouse.table_rows(con, SYNTHETIC_STAGING)


def panel_models() -> list:
    """The SQL models PANEL_TABLES need, in dependency order, with the synthetic staging table as the
    only feed of intermediate.int_indicator_values."""
    from csc_pipeline import warehouse

    models = {m.table: m for m in warehouse.discover_models()}
    feeds = models["intermediate.int_indicator_values"]
    models[feeds.table] = replace(feeds, feeds_in=(warehouse.Feed(SYNTHETIC_STAGING, feeds.table),))
    ordered: list = []

    def add(table: str) -> None:
        if table in models and models[table] not in ordered:
            for dependency in models[table].depends_on:
                add(dependency)
            ordered.append(models[table])

    for table in PANEL_TABLES:
        add(table)
    return ordered


# -- one scale (the child process) ------------------------------------------------------------------


def _reset_peak_rss() -> None:
    """Reset this process's RSS high-water mark (Linux: /proc/self/clear_refs); elsewhere a step's peak is the run's so far."""
    try:
        Path("/proc/self/clear_refs").write_text("5", encoding="ascii")
    except OSError:
        pass


def _peak_rss_mib() -> float:
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _Steps:
    """Wall time, CPU and peak RSS summed (peak: the maximum) per step over its units of work; after
    each unit, the step so far as a JSON line on stdout (a stopped scale keeps what it finished)."""

    def __init__(self, scale: int):
        self.scale, self.totals = scale, {}

    def measure(self, step: str, work, unit: str = "", note=lambda result, units: ""):
        _reset_peak_rss()
        print(json.dumps({"started": step, "unit": unit or step}), flush=True)
        started, cpu = time.monotonic(), time.process_time()
        result = work()
        wall, cpu, rss = time.monotonic() - started, time.process_time() - cpu, _peak_rss_mib()
        before = self.totals.get(step, (0.0, 0.0, 0.0, 0))
        self.totals[step] = (before[0] + wall, before[1] + cpu, max(before[2], rss), before[3] + 1)
        wall, cpu, rss, units = self.totals[step]
        print(json.dumps(asdict(ScaleMeasurement(self.scale, step, None, wall, cpu, rss, note=note(result, units)))), flush=True)
        return result


def run_scale(scale: int, directory: Path, years: tuple[int, int] = (FIRST_YEAR, LAST_YEAR)) -> None:
    """Every step at ``scale`` (values of ``years``) in a new warehouse under ``directory``; JSON lines
    on stdout: each step's progress and the panel's rows."""
    from csc_pipeline import warehouse
    from csc_pipeline.analysis import runner
    from csc_pipeline.analysis.config import load_analysis_config
    from csc_pipeline.analysis.registry import families

    steps = _Steps(scale)
    with warehouse.connect(directory / "scale.duckdb") as con:
        con.execute(f"SET memory_limit = {warehouse.sql_string(DUCKDB_MEMORY_LIMIT)}")
        steps.measure("synthetic_input", lambda: write_synthetic_input(con, scale, years),
                      note=lambda staged, _: f"{staged:,} synthetic staged values; {scale} x the LA reference")
        for model in panel_models():
            steps.measure("harmonisation" if model.table in HARMONISATION_MODELS else "panel",
                          lambda model=model: warehouse.run_model(con, model), model.table,
                          lambda _, units: f"{units} SQL models; DuckDB memory_limit {DUCKDB_MEMORY_LIMIT}")
        print(json.dumps({"panel_rows": warehouse.table_rows(con, "mart.la_indicator_panel")}), flush=True)
        inputs = steps.measure("analysis_inputs", lambda: runner.load_inputs(con, directory / "charts"),
                               note=lambda loaded, _: f"{loaded.panel.estimated_size() / 2**20:,.0f} MiB panel frame")
    config = load_analysis_config()
    for family in ANALYSES:
        steps.measure(family, lambda family=family: families()[family].run(inputs, runner.family_settings(config, family)),
                      note=lambda output, _: f"{sum(t.frame.height for t in output.tables):,} result rows; "
                                             f"{len(output.chart_requests)} charts requested, not drawn")


# -- the series (the parent) ------------------------------------------------------------------------


def _rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def measure_scale(scale: int, directory: Path, rss_guard_mib: float = DEFAULT_RSS_GUARD_MIB,
                  years: tuple[int, int] = (FIRST_YEAR, LAST_YEAR), timeout_s: float | None = None) -> list[ScaleMeasurement]:
    """Run one scale in a child process; its steps, then a 'total' row (the child's wall time, CPU and
    peak RSS). A child over ``rss_guard_mib``, past ``timeout_s`` or killed by a signal is stopped: the
    steps it finished are kept, and the step it was in says where it stopped (its time so far is that
    of its finished units)."""
    directory.mkdir(parents=True, exist_ok=True)
    lines: list[dict] = []
    log = directory / "scale.log"
    started = time.monotonic()
    with log.open("w", encoding="utf-8") as errors:
        process = subprocess.Popen([sys.executable, "-m", "csc_pipeline.scale_bench", str(scale), str(directory),
                                    str(years[0]), str(years[1])],
                                   stdout=subprocess.PIPE, stderr=errors, text=True)
        reader = threading.Thread(target=lambda: lines.extend(json.loads(line) for line in process.stdout), daemon=True)
        reader.start()
        stop, killed = "", False
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            rss = _rss_mib(process.pid)
            if not stop and rss > rss_guard_mib:
                stop = f"RSS {rss:,.0f} MiB passed the {rss_guard_mib:,.0f} MiB guard"
            elif not stop and timeout_s is not None and time.monotonic() - started > timeout_s:
                stop = f"over the time limit of {timeout_s:,.0f} s"
            if stop and not killed:
                os.kill(process.pid, signal.SIGKILL)
                killed = True
            time.sleep(0.2)
        reader.join()
        process.stdout.close()
    wall = time.monotonic() - started
    exit_code = process.returncode = os.waitstatus_to_exitcode(status)
    if exit_code > 0:
        raise ScaleBenchError(f"scale {scale} failed (exit {exit_code}); see {log}")
    panel_rows = next((line["panel_rows"] for line in lines if "panel_rows" in line and "step" not in line), None)
    latest = {line["step"]: ScaleMeasurement(**line | {"panel_rows": panel_rows}) for line in lines if "step" in line}
    measured = list(latest.values())
    if exit_code < 0:
        running = next((line for line in reversed(lines) if "started" in line), {"started": "start-up", "unit": "start-up"})
        where = f"stopped in {running['unit']}: {stop or f'killed by signal {-exit_code}'}"
        step = latest.get(running["started"])
        if step is not None and running["unit"] != running["started"]:
            step.note = f"{step.note}; {where}"  # a step of several SQL models: those it finished, and where it stopped
        else:
            measured.append(ScaleMeasurement(scale, running["started"], panel_rows, None, note=where))
    # Resetting the high-water mark for each step also resets what wait4 reports at exit: the
    # process's peak is the largest of its steps'.
    peak = max([usage.ru_maxrss / 1024, *(m.peak_rss_mib for m in measured if m.peak_rss_mib)])
    total = ScaleMeasurement(scale, "total", panel_rows, wall, usage.ru_utime + usage.ru_stime, peak,
                             note="the child process: every step")
    shutil.rmtree(directory, ignore_errors=True)  # gigabytes at 100x (a failed scale raised above: its files stay, with the log)
    return measured + [total]


def run_scale_series(scales: tuple[int, ...], directory: Path, say=print, rss_guard_mib: float = DEFAULT_RSS_GUARD_MIB,
                     years: tuple[int, int] = (FIRST_YEAR, LAST_YEAR), timeout_s: float | None = None) -> list[ScaleMeasurement]:
    """Every scale in its own child process (each stopped after ``timeout_s``); time per row against
    the smallest scale measured. ``years``: fewer than the default make a quick series (tests)."""
    measurements: list[ScaleMeasurement] = []
    for scale in sorted(scales):
        say(f"scale {scale}x ...")
        measurements += measure_scale(scale, directory / f"scale-{scale}", rss_guard_mib, years, timeout_s)
        total = measurements[-1]
        say(f"scale {scale}x: {total.panel_rows or 0:,} panel rows, {total.wall_s:,.0f} s, peak RSS {total.peak_rss_mib:,.0f} MiB")
    return with_growth(measurements)


def with_growth(measurements: list[ScaleMeasurement]) -> list[ScaleMeasurement]:
    """Each step's wall time per panel row over the same at the smallest scale (1x when measured)."""
    base_scale = min(m.scale for m in measurements)
    base = {m.step: m.wall_s / m.panel_rows for m in measurements
            if m.scale == base_scale and m.wall_s and m.panel_rows}
    return [replace(m, time_per_row_vs_1x=(m.wall_s / m.panel_rows) / base[m.step])
            if m.step in base and m.wall_s is not None and m.panel_rows else m for m in measurements]


def table_text(measurements: list[ScaleMeasurement]) -> str:
    """The scale series as a Markdown table."""
    lines = ["| scale | step | panel rows | wall s | CPU s | peak RSS MiB | time per row vs 1x | note |",
             "|--:|---|--:|--:|--:|--:|--:|---|"]
    for m in measurements:
        lines.append("| " + " | ".join([
            f"{m.scale}x", m.step, cell(m.panel_rows), cell(m.wall_s, 2), cell(m.cpu_s, 2), cell(m.peak_rss_mib, 0),
            cell(m.time_per_row_vs_1x, 2), m.note]) + " |")
    return "\n".join(lines) + "\n"


def parse_scales(text: str) -> tuple[int, ...]:
    """'1,10,100' -> (1, 10, 100); each a whole number >= 1."""
    try:
        scales = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise ValueError(f"scales must be whole numbers separated by commas, e.g. 1,10,100; got {text!r}") from None
    if not scales or min(scales) < 1:
        raise ValueError(f"scales must be whole numbers >= 1, e.g. 1,10,100; got {text!r}")
    return tuple(sorted(set(scales)))


if __name__ == "__main__":
    run_scale(int(sys.argv[1]), Path(sys.argv[2]), (int(sys.argv[3]), int(sys.argv[4])))
