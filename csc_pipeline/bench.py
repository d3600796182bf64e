"""``csc bench``: time the pipeline against the cost of reading its input once.

One invocation, in a fresh data lake (a temporary one unless given):

  io_floor            every file of the source set read once (DuckDB for CSV and Parquet, calamine
                      via fastexcel for XLS, XLSX and ODS): the least any refresh must spend
  full_refresh        ``csc refresh`` on the empty data lake (Dagster start-up included)
  no_change_refresh   ``csc refresh`` again, nothing new upstream
  backfill            ``csc backfill GROUP RELEASE`` of one release and what depends on it
  query:<name>        the analyst queries on the published warehouse, repeated (p50 and p95)

Each ``csc`` command runs as a child process, so its wall time includes interpreter and Dagster
start-up and its peak RSS is that of its process tree (``wait4``'s resource usage: the child and
the descendants it waited for). The sum of step times comes from the Dagster run records the
command left in the data lake. The table is printed and written to ``<data lake>/bench/``.
"""

from __future__ import annotations

import csv
import io
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from pathlib import Path

from csc_pipeline.settings import SOURCE_CHECKOUT, Settings

DEFAULT_MIRROR = SOURCE_CHECKOUT.parent / "shared" / "data" / "real"
DEFAULT_REPETITIONS = 20
# The backfill measured by default: the looked-after children's publication, its latest release.
DEFAULT_BACKFILL_FAMILY = "cla_number_and_rate"
CSV_SUFFIXES, PARQUET_SUFFIXES, WORKBOOK_SUFFIXES = {".csv"}, {".parquet"}, {".xls", ".xlsx", ".ods"}

# Analyst queries on the published warehouse (parameters bound, never pasted; a PIVOT over the data's
# own values takes none, so its year is a session variable).
QUERIES = {
    "la_series": (
        "one LA's series (every indicator and year)",
        "SELECT indicator, year, value, status FROM mart.la_indicator_panel "
        "WHERE geography = 'as_published' AND la_code = ? ORDER BY indicator, year",
    ),
    "region_change": (
        "one region's change-in-rate table",
        "SELECT * FROM analysis.change_in_rate WHERE region = ? ORDER BY ALL",
    ),
    "funnel_outliers": (
        "a year's funnel outliers (outside the 99.8% limits)",
        "SELECT * FROM analysis.funnel_positions WHERE year = ? AND position_998 <> 'inside' ORDER BY ALL",
    ),
    "wide_pivot": (
        "all LAs x all rates for one year, wide",
        "PIVOT (SELECT p.la_code, p.indicator, p.value FROM mart.la_indicator_panel AS p "
        "JOIN mart.indicator_dictionary AS d USING (indicator) "
        "WHERE p.geography = 'as_published' AND p.year = getvariable('bench_year') AND d.kind = 'rate') "
        "ON indicator USING first(value) GROUP BY la_code ORDER BY la_code",
    ),
}


class BenchError(RuntimeError):
    """A measured command failed, or the data lake given is not empty."""


@dataclass
class Measurement:
    measurement: str
    wall_s: float
    p95_s: float | None = None  # repeated measurements only
    cpu_s: float | None = None  # user + system CPU of the process tree (on a busy machine, wall time is not the work)
    step_time_sum_s: float | None = None  # Dagster step durations, summed over the command's runs
    runs: int | None = None
    peak_rss_mib: float | None = None
    wall_over_floor: float | None = None
    steps_over_floor: float | None = None
    note: str = ""


def read_every_file(root: Path) -> tuple[int, int]:
    """Read every CSV, Parquet and workbook under ``root`` into memory once; return (files, bytes)."""
    import duckdb
    import fastexcel

    files = size = 0
    with duckdb.connect() as con:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            suffix = path.suffix.lower()
            if suffix in CSV_SUFFIXES:
                # every cell as text, ragged title rows padded: the bytes parsed, whatever the layout
                con.read_csv(_utf8(path), all_varchar=True, header=False, null_padding=True, strict_mode=False,
                             ignore_errors=True, parallel=False).to_arrow_table()
            elif suffix in PARQUET_SUFFIXES:
                con.execute("SELECT * FROM read_parquet(?)", [str(path)]).to_arrow_table()
            elif suffix in WORKBOOK_SUFFIXES:
                workbook = fastexcel.read_excel(path.read_bytes())
                for sheet in workbook.sheet_names:
                    workbook.load_sheet(sheet, header_row=None, dtypes="string").to_arrow()
            else:
                continue
            files += 1
            size += path.stat().st_size
    return files, size


def _utf8(path: Path) -> str | io.BytesIO:
    """The CSV for DuckDB (which reads UTF-8): its path, or its text transcoded when it is in
    Windows-1252, as some older publications are."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
        return str(path)
    except UnicodeDecodeError:
        return io.BytesIO(data.decode("cp1252", errors="replace").encode("utf-8"))


def _run_csc(args: list[str], env: dict[str, str], log: Path) -> tuple[float, float, float]:
    """Run ``csc ARGS`` as a child process; return (wall seconds, CPU seconds, peak RSS of its tree in MiB)."""
    started = time.monotonic()
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen([sys.executable, "-m", "csc_pipeline.cli", *args], env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise BenchError(f"csc {' '.join(args)} exited with {process.returncode}; its output: {log}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def _command(name: str, args: list[str], env: dict[str, str], settings: Settings, note: str = "") -> Measurement:
    from csc_pipeline.defs.runs import step_seconds

    since = datetime.now(timezone.utc)
    wall, cpu, rss = _run_csc(args, env, settings.data_lake / "bench" / f"{name}.log")
    runs, steps = step_seconds(settings.dagster_home, since)
    return Measurement(name, wall, cpu_s=cpu, step_time_sum_s=steps, runs=runs, peak_rss_mib=rss, note=note)


def _query_parameters(con) -> dict[str, list]:
    """A parameter for each query, from the warehouse itself: the first LA, region and funnel year."""
    la = con.execute("SELECT min(la_code) FROM mart.la_indicator_panel WHERE geography = 'as_published' "
                     "AND authority_id IS NOT NULL").fetchone()[0]
    region = con.execute("SELECT min(region) FROM analysis.change_in_rate").fetchone()[0]
    funnel_year = con.execute("SELECT max(year) FROM analysis.funnel_positions").fetchone()[0]
    panel_year = con.execute("SELECT max(year) FROM mart.la_indicator_panel JOIN mart.indicator_dictionary USING (indicator) "
                             "WHERE kind = 'rate' AND value IS NOT NULL").fetchone()[0]
    con.execute("SET VARIABLE bench_year = ?", [panel_year])
    return {"la_series": [la], "region_change": [region], "funnel_outliers": [funnel_year], "wide_pivot": []}


def time_queries(warehouse: Path, repetitions: int) -> list[Measurement]:
    """Each analyst query ``repetitions`` times on a read-only connection (opened once, as an analyst's is)."""
    import duckdb

    measurements = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        parameters = _query_parameters(con)
        for name, (about, sql) in QUERIES.items():
            seconds, rows = [], 0
            for _ in range(repetitions):
                started = time.perf_counter()
                rows = len(con.execute(sql, parameters[name]).fetchall())
                seconds.append(time.perf_counter() - started)
            measurements.append(Measurement(
                f"query:{name}", statistics.median(seconds), p95_s=_percentile(seconds, 0.95),
                note=f"{about}: {rows:,} rows; p50 of {repetitions}"))
    return measurements


def _percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


def _default_backfill(settings: Settings) -> tuple[str, str]:
    from csc_pipeline.catalog import load_catalog

    catalog = load_catalog()
    group = catalog.release_group(DEFAULT_BACKFILL_FAMILY)
    return group, catalog.releases(group, settings.source_mode)[-1]


def run_bench(settings: Settings, repetitions: int = DEFAULT_REPETITIONS,
              backfill: tuple[str, str] | None = None, say=print) -> list[Measurement]:
    """Every measurement of the module docstring, on ``settings`` (its data lake must be empty)."""
    lake = settings.data_lake
    if lake.exists() and any(p.name != "bench" for p in lake.iterdir()):
        raise BenchError(f"{lake} is not empty: the benchmark's full refresh starts from an empty data lake")
    (lake / "bench").mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSC_") and k != "DAGSTER_HOME"}
    env.update({"CSC_DATA_LAKE": str(lake), "CSC_SOURCE_MODE": settings.source_mode})
    if settings.mirror_dir is not None:
        env["CSC_MIRROR_DIR"] = str(settings.mirror_dir)
    if settings.analysis_config is not None:
        env["CSC_ANALYSIS_CONFIG"] = str(settings.analysis_config)
    group, release = backfill or _default_backfill(settings)

    say(f"full refresh ({settings.source_mode} mode) into {lake} ...")
    measurements = [_command("full_refresh", ["refresh"], env, settings, "empty data lake")]
    # After the refresh: in demo mode the refresh generates the files the floor reads.
    say("I/O floor ...")
    started, cpu = time.monotonic(), time.process_time()
    files, size = read_every_file(settings.source_root)
    floor = Measurement("io_floor", time.monotonic() - started, cpu_s=time.process_time() - cpu,
                        peak_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                        note=f"{files} files, {size / 2**20:.1f} MiB read once")
    say("no-change refresh ...")
    measurements.append(_command("no_change_refresh", ["refresh"], env, settings, "nothing new upstream"))
    say(f"backfill of {group} {release} ...")
    measurements.append(_command("backfill", ["backfill", group, release], env, settings, f"{group} {release}"))
    say(f"analyst queries ({repetitions} repetitions each) ...")
    measurements += time_queries(settings.warehouse_path, repetitions)
    for m in measurements:
        m.wall_over_floor = m.wall_s / floor.wall_s
        m.steps_over_floor = None if m.step_time_sum_s is None else m.step_time_sum_s / floor.wall_s
    return [floor, *measurements]


def cell(value, digits: int = 2) -> str:
    """A Markdown table cell: blank for None, floats to ``digits`` decimals, thousands separated."""
    if value is None:
        return ""
    return f"{value:,.{digits}f}" if isinstance(value, float) else f"{value:,}"


def table_text(measurements: list[Measurement]) -> str:
    """The measurements as a Markdown table (the README's Performance section shows one)."""
    lines = ["| measurement | wall s | p95 s | CPU s | sum of step times s | runs | peak RSS MiB | wall / floor | steps / floor | note |",
             "|---|--:|--:|--:|--:|--:|--:|--:|--:|---|"]
    for m in measurements:
        small = m.wall_s < 1
        lines.append("| " + " | ".join([
            m.measurement, cell(m.wall_s, 4 if small else 1), cell(m.p95_s, 4), cell(m.cpu_s, 1), cell(m.step_time_sum_s, 1),
            cell(m.runs), cell(m.peak_rss_mib, 0), cell(m.wall_over_floor, 3 if small else 1),
            cell(m.steps_over_floor, 1), m.note]) + " |")
    return "\n".join(lines) + "\n"


def write_csv(measurements: list, directory: Path, name: str) -> Path:
    """Measurements (instances of one dataclass: ``Measurement``, or the scale series') as
    ``directory/bench-<name>-<time>.csv``."""
    from csc_pipeline.atomic import write_text

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[f.name for f in fields(measurements[0])], lineterminator="\n")
    writer.writeheader()
    for m in measurements:
        writer.writerow(asdict(m))
    return write_text(directory / f"bench-{name}-{datetime.now():%Y%m%d-%H%M%S}.csv", buffer.getvalue())


def temporary_data_lake() -> Path:
    """A new empty data lake for one benchmark (full refresh from nothing)."""
    return Path(tempfile.mkdtemp(prefix="csc_bench_"))
