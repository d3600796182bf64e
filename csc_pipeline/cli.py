"""``csc``: the data team's command line, a thin wrapper over the Dagster definitions.

  csc refresh [--force]  obtain, validate, load, analyse and publish everything (CSC_SOURCE_MODE
                decides where data comes from: demo by default); with nothing new since the last
                publication, nothing is rebuilt
  csc releases  list the release groups and their release partitions
  csc backfill GROUP RELEASE  obtain one release again and rebuild what depends on it
  csc ui        the Dagster UI on http://127.0.0.1:3000 (localhost only unless --host is given)
  csc serve     the Dagster webserver and daemon, so the annual schedule, the release sensor and
                failure alerts act (the deployment; localhost only unless --host is given)
  csc coverage  print which indicators have values for how many LAs, by year (published warehouse)
  csc summary   print what the last refreshes changed (published warehouse)
  csc la NAME|CODE  one LA's headline indicators against its statistical neighbours, region and
                nation, with rank, quartile band and three-year direction (published warehouse)
  csc results [--write README.md]  the README's "Results on the real files", computed from the
                published warehouse (printed, or written between the README's results markers)
  csc bench [--demo] [--data-lake DIR] [--scale | --scale-only] [--scales 1,10,100] [--scale-timeout S]
                time a full, a no-change and a one-release refresh and the analyst queries against
                reading every source file once (mirror mode unless --demo); --scale adds the panel
                and analyses on a synthetic panel 1x, 10x and 100x the real one's size
  csc screenshot  start the UI on localhost, open the asset graph in headless Chromium, check the
                layer groups show, and save reports/ui_asset_graph.png

Longer than 500 lines on purpose: one command a function, each a few lines over a plain module
(the work is elsewhere); the shared part is how a pipeline command holds the data lake's lock,
routes Dagster's output to a log file and ends in one line, which belongs beside the commands.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from csc_pipeline.bench import DEFAULT_REPETITIONS
from csc_pipeline.scale_bench import DEFAULT_SCALES, parse_scales
from csc_pipeline.settings import Settings, SettingsError

# Written into DAGSTER_HOME by csc (and rewritten when csc's own earlier version is found there).
INSTANCE_SETTINGS = """\
# Written by csc (csc_pipeline/cli.py); csc rewrites it while this first line stays.
# Runs the daemon launches (sensor, schedule, automation) queue one at a time: every run that
# rebuilds the warehouse writes the same DuckDB build file. No pool is configured: a run that writes
# the warehouse holds the data lake's lock (.csc.lock), which the kernel drops when its process
# dies, whereas a pool slot stays claimed by a killed run and blocks every later one.
concurrency:
  runs:
    max_concurrent_runs: 1
# A run stuck starting or cancelling is marked failed; a run whose process died is marked failed
# by the dead_run_cleanup sensor and at the start of every csc command.
run_monitoring:
  enabled: true
  start_timeout_seconds: 180
  cancel_timeout_seconds: 180
  max_resume_run_attempts: 0
telemetry:
  enabled: false
"""
INSTANCE_SETTINGS_MARK = "# Written by csc"
# With CSC_DAGSTER_PG_URL: run, event-log and schedule storage in PostgreSQL (dagster-postgres,
# the `postgres` extra); the file names the variable, so the password is never written to disk.
POSTGRES_STORAGE = """\
storage:
  postgres:
    postgres_url:
      env: CSC_DAGSTER_PG_URL
"""


def instance_settings(settings: Settings) -> str:
    if settings.dagster_pg_url is None:
        return INSTANCE_SETTINGS
    try:
        import dagster_postgres  # noqa: F401
    except ImportError:
        raise SettingsError("CSC_DAGSTER_PG_URL needs dagster-postgres: pip install 'csc-pipeline[postgres]'") from None
    return INSTANCE_SETTINGS + POSTGRES_STORAGE
# Exit codes: 2 a setting or argument is wrong (nothing ran); 1 the pipeline failed; 130 stopped
# by SIGINT or SIGTERM (128 + SIGINT, as a shell reports an interrupted command).
EXIT_CONFIG, EXIT_FAILED, EXIT_STOPPED = 2, 1, 128 + signal.SIGINT
UI_STOP_GRACE_SECONDS = 30
DEV_COMMAND_WARNING = "ignore:Function `dev_command` is superseded"


class Stopped(KeyboardInterrupt):
    """SIGINT or SIGTERM asked ``csc`` to stop."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)


def _raise_stopped(signum: int, _frame) -> None:
    raise Stopped(signum)


def _stop_on_signals() -> None:
    """SIGINT and SIGTERM stop csc with a clear message. Installed explicitly: a shell starts a
    background job with SIGINT ignored, and Python's default leaves SIGTERM to kill the process
    without clean-up. (While Dagster executes a run it holds both and stops the run at the next
    step boundary or inside the running step, then hands them back.)"""
    signal.signal(signal.SIGINT, _raise_stopped)
    signal.signal(signal.SIGTERM, _raise_stopped)


def _dagster_home(settings: Settings) -> Path:
    """Run history lives beside the data it describes unless DAGSTER_HOME says otherwise."""
    home = Path(os.environ.get("DAGSTER_HOME") or settings.dagster_home)
    home.mkdir(parents=True, exist_ok=True)
    instance_file = home / "dagster.yaml"
    current = instance_file.read_text(encoding="utf-8") if instance_file.exists() else None
    wanted = instance_settings(settings)
    if current is None or current.startswith(INSTANCE_SETTINGS_MARK) and current != wanted:
        from csc_pipeline.atomic import write_text

        write_text(instance_file, wanted)
    os.environ["DAGSTER_HOME"] = str(home)
    if settings.dagster_pg_url is not None:  # read by dagster.yaml, here and in the processes csc starts
        os.environ["CSC_DAGSTER_PG_URL"] = settings.dagster_pg_url_with_driver
    return home


def _step_failures(runs) -> list:
    return [event for result in runs.results for event in result.all_events if event.is_step_failure]


def _stopped(settings: Settings, what: str, started: float, log_path: Path) -> int:
    """A signal stopped the runs: Dagster finished the running step's clean-up and marked the run
    failed; nothing was published. (Inside a run Dagster takes SIGTERM as SIGINT, so the exit code
    is SIGINT's either way.)"""
    print(f"\ncsc: {what} stopped by a signal (SIGINT or SIGTERM) after {time.monotonic() - started:.0f} s; "
          f"the published warehouse {settings.warehouse_path} was not changed. Log: {log_path}", file=sys.stderr)
    return EXIT_STOPPED


def _report_runs(runs, settings: Settings, started: float, what: str, log_path: Path) -> int:
    from csc_pipeline import acquire
    from csc_pipeline.alerts import step_error_line

    elapsed = time.monotonic() - started
    if runs.unchanged and runs.success:
        files = sum(len(acquire.read_manifest(settings, f)) for f in acquire.families_obtained(settings))
        print(f"\nNothing changed: the {files} files obtained, the code and the settings are those the "
              f"published warehouse was built from, so nothing was rebuilt ({elapsed:.0f} s; "
              "csc refresh --force rebuilds anyway).")
        print(f"Warehouse: {settings.warehouse_path}")
        print(f"Log:       {log_path}")
        return 0
    evaluations = [e for r in runs.results for e in r.get_asset_check_evaluations()]
    # A failed WARN check (e.g. rows set aside in quarantine) is reported but does not fail the refresh:
    # only ERROR checks block what depends on them.
    not_passed = [evaluation for evaluation in evaluations if not evaluation.passed]
    failed_checks = [evaluation for evaluation in not_passed if evaluation.severity.value == "ERROR"]
    for evaluation in not_passed:
        label = "FAILED CHECK" if evaluation in failed_checks else "WARNING"
        print(f"\n{label} {evaluation.asset_key.to_user_string()}:{evaluation.check_name}", file=sys.stderr)
        print(evaluation.description or "", file=sys.stderr)
        cases = evaluation.metadata.get("failure_cases")
        if cases is not None:
            print(cases.value, file=sys.stderr)
    for event in _step_failures(runs):
        print(f"\nFAILED STEP {event.step_key}: {step_error_line(event.step_failure_data.error)}", file=sys.stderr)
    warnings = len(not_passed) - len(failed_checks)
    print(f"\nChecks: {len(evaluations) - len(not_passed)} passed, {len(failed_checks)} failed"
          + (f", {warnings} warning(s)." if warnings else "."))
    last = runs.results[-1]
    published = last.asset_materializations_for_node("warehouse__published") if runs.success else []
    if published:
        m = {k: v.value for k, v in published[0].metadata.items()}
        print(f"Files: {m['files_new']} new, {m['files_changed']} changed, {m['files_unchanged']} unchanged, "
              f"{m['files_dropped']} dropped. Panel: {m['panel_rows']:,} rows, {m['rows_added']:,} added, "
              f"{m['rows_removed']:,} removed, {m['values_revised']:,} values revised (meta.refresh_history).")
    if runs.success and not failed_checks:
        print(f"\n{what} complete in {elapsed:.0f} s ({settings.source_mode} mode, {len(runs.results)} run(s)).")
        print(f"Warehouse: {settings.warehouse_path}")
        print(f"Reports:   {settings.reports_dir}")
        print(f"Log:       {log_path}")
        return 0
    print(f"\n{what} FAILED after {elapsed:.0f} s; the published warehouse {settings.warehouse_path} "
          f"was not changed. Details (stack traces): {log_path}", file=sys.stderr)
    return EXIT_FAILED


@contextmanager
def _dagster(settings: Settings, note: Callable[[str], None] = print):
    """(catalog, the persistent Dagster instance) for the commands that run Dagster; runs whose
    process has gone (a killed refresh) are marked failed first, so nothing waits on them."""
    from dagster import DagsterInstance

    from csc_pipeline.catalog import load_catalog
    from csc_pipeline.defs.runs import fail_dead_runs

    _dagster_home(settings)
    with DagsterInstance.get() as instance:
        for run_id in fail_dead_runs(instance):
            note(f"run {run_id} was left started by a process that no longer exists: marked failed")
        yield load_catalog(), instance


def check_analysis_config(settings: Settings) -> None:
    """Parse every analysis family's settings now, so a wrong key stops csc before anything runs."""
    from csc_pipeline.analysis import runner
    from csc_pipeline.analysis.config import load_analysis_config
    from csc_pipeline.analysis.registry import families

    config = load_analysis_config(settings.analysis_config)
    for family, spec in families().items():
        spec.parse_config(runner.family_settings(config, family))


def _run_pipeline(settings: Settings, what: str, verbose: bool, work: Callable,
                  usage_errors: tuple[type[Exception], ...] = ()) -> int:
    """Run ``work(defs, catalog, instance, listener, tags)`` (a refresh or a backfill) with the data lake's
    lock held, Dagster's output in a log file and a progress line per run and stage on the console.
    Errors end in one line on the console (``usage_errors``, a wrong argument: exit 2), their stack
    trace in the log file."""
    from dagster import DagsterExecutionInterruptedError

    from csc_pipeline import console, lake_lock
    from csc_pipeline.analysis.config import AnalysisConfigError
    from csc_pipeline.analysis.family_config import ConfigError

    try:
        check_analysis_config(settings)
    except (AnalysisConfigError, ConfigError) as err:
        print(f"csc: CSC_ANALYSIS_CONFIG: {err}", file=sys.stderr)
        return EXIT_CONFIG
    started = time.monotonic()
    log_path = settings.logs_dir / f"{what.split()[0].lower()}-{datetime.now():%Y%m%d-%H%M%S}.log"
    progress = console.Progress(sys.stdout, started)
    try:
        with lake_lock.hold(settings.data_lake, settings.lock_timeout, progress.note) as removed:
            for leftover in removed:
                progress.note(f"removed {leftover}, left behind by a killed refresh")
            print(f"{what} ({settings.source_mode} mode). Dagster's log: {log_path}", flush=True)
            with console.routed_output(log_path, verbose) as progress.out, \
                    _dagster(settings, progress.note) as (catalog, instance):
                from csc_pipeline.acquire import skipped_for_credentials
                from csc_pipeline.definitions import build_definitions
                from csc_pipeline.defs.runs import LOG_TAG

                if settings.source_mode == "live":
                    for family in catalog.families():
                        for notice in skipped_for_credentials(family, catalog):
                            progress.note(notice)

                obtained: dict[tuple[int, str], int] = {}  # (run, step) -> files; each partition repeats it

                def listener(planned, entry) -> None:
                    event = entry.dagster_event
                    if event is None:
                        return
                    if event.is_step_start:
                        progress.step_started(planned.number, planned.total, event.step_key)
                    elif event.is_step_materialization and event.step_key.startswith("source_files__"):
                        files = event.event_specific_data.materialization.metadata.get("files")
                        obtained[planned.number, event.step_key] = files.value if files is not None else 0
                        progress.files = sum(obtained.values())

                try:
                    result = work(build_definitions(settings, catalog), catalog, instance, listener, {LOG_TAG: str(log_path)})
                except BaseException:
                    traceback.print_exc()  # into the log file
                    raise
                finally:
                    progress.finish()
    except usage_errors as err:
        print(f"csc: {err}", file=sys.stderr)
        return EXIT_CONFIG
    except lake_lock.LakeBusy as err:
        print(f"csc: {err}", file=sys.stderr)
        return EXIT_FAILED
    except OSError:
        raise  # one line from main: a read-only or full disk is not a pipeline failure
    except Exception as err:  # noqa: BLE001 - one line here, the stack trace is in the log file
        print(f"csc: {what} failed: {type(err).__name__}: {err}. Details (stack trace): {log_path}", file=sys.stderr)
        return EXIT_FAILED
    except (KeyboardInterrupt, DagsterExecutionInterruptedError):
        return _stopped(settings, what, started, log_path)
    if any(event.step_failure_data.error.cls_name == DagsterExecutionInterruptedError.__name__
           for event in _step_failures(result)):
        return _stopped(settings, what, started, log_path)
    return _report_runs(result, settings, started, what, log_path)


def refresh(settings: Settings, verbose: bool = False, force: bool = False) -> int:
    from csc_pipeline.defs import runs

    return _run_pipeline(settings, "Refresh", verbose, lambda defs, catalog, instance, listener, tags: runs.refresh(
        defs, catalog, instance, settings.source_mode, listener=listener, tags=tags, force=force))


def backfill(settings: Settings, group: str, release: str, verbose: bool = False) -> int:
    from csc_pipeline.defs import runs

    def work(defs, catalog, instance, listener, tags):
        return runs.RefreshRuns([], runs.backfill(defs, catalog, instance, settings.source_mode, group, release, listener, tags))

    return _run_pipeline(settings, f"Backfill of {group} {release}", verbose, work, usage_errors=(runs.UnknownRelease,))


def releases(settings: Settings) -> int:
    from csc_pipeline.defs import runs

    with _dagster(settings) as (catalog, instance):
        partitions = runs.register_releases(instance, catalog, settings.source_mode)
    families = catalog.release_groups()
    for group, keys in sorted(partitions.items()):
        print(f"{group}: {', '.join(keys) or '(none in ' + settings.source_mode + ' mode)'}")
        print(f"    families: {', '.join(families[group])}")
    return 0


def _end_process_groups(processes: list[subprocess.Popen], grace: float) -> None:
    """SIGTERM each group's leader (``dagster dev``, the webserver and the daemon each shut their own
    children down in order), wait up to ``grace`` seconds in all, then SIGKILL what is left."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + grace
    for process in processes:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    for process in processes:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _run_dagster_processes(settings: Settings, commands: dict[str, list[str]], what: str) -> int:
    """Start each ``name: [module, args...]`` with ``python -m`` from the interpreter csc runs in (no
    need for the venv on PATH), each in a process group of its own. SIGINT or SIGTERM to csc ends
    them all, children included; if one ends by itself, the others are stopped too."""
    from csc_pipeline.console import add_python_warnings_filter

    with _dagster(settings):
        pass  # the instance settings written, dead runs marked failed
    env = dict(os.environ)
    env["CSC_DATA_LAKE"] = str(settings.data_lake)  # the children see the data lake csc resolved
    # `dagster dev` is superseded by `dg dev` (a separate package); the warning says nothing to a csc user.
    add_python_warnings_filter(env, DEV_COMMAND_WARNING)
    processes = {name: subprocess.Popen([sys.executable, "-m", *command], env=env, start_new_session=True)
                 for name, command in commands.items()}
    try:
        # Short waits, not one blocking waitpid: a signal the kernel hands to another thread of this
        # process would not interrupt that, and the handler would only run once the child exited.
        while True:
            for name, process in processes.items():
                if (code := process.poll()) is not None:
                    if len(processes) > 1:
                        print(f"csc: the Dagster {name} ended (exit code {code}); stopping {what}", file=sys.stderr)
                        return code or EXIT_FAILED
                    return code
            time.sleep(0.5)
    except Stopped as stop:
        print(f"csc: stopping {what} ({stop})", file=sys.stderr)
        return EXIT_STOPPED
    finally:
        _end_process_groups(list(processes.values()), UI_STOP_GRACE_SECONDS)


def ui(settings: Settings, host: str, port: int) -> int:
    """``dagster dev``: the UI with a daemon beside it, for a person at their desk."""
    from csc_pipeline.ui_check import DEFINITIONS_TARGET as CODE_LOCATION

    return _run_dagster_processes(
        settings, {"UI": ["dagster", "dev", *CODE_LOCATION, "--host", host, "--port", str(port)]}, "the Dagster UI")


def serve(settings: Settings, host: str, port: int) -> int:
    """The deployment: the webserver and the daemon (schedule, sensors, automation, run queue of
    one) as two processes; the run history stays in DAGSTER_HOME (or PostgreSQL)."""
    from csc_pipeline.ui_check import DEFINITIONS_TARGET as CODE_LOCATION

    return _run_dagster_processes(settings, {
        "webserver": ["dagster_webserver", *CODE_LOCATION, "--host", host, "--port", str(port)],
        # The module the `dagster-daemon` script runs: started with csc's own interpreter, it needs no
        # venv on PATH (an installed csc may be run by its full path).
        "daemon": ["dagster._daemon", "run", *CODE_LOCATION],
    }, "the Dagster webserver and daemon")


def screenshot(settings: Settings) -> int:
    from csc_pipeline.ui_check import UiCheckError, capture_ui

    path = settings.reports_dir / "ui_asset_graph.png"
    try:
        groups = capture_ui(path, _dagster_home(settings))
    except UiCheckError as err:
        print(f"csc: {err}", file=sys.stderr)
        return 1
    print(f"Asset graph with groups {', '.join(groups)} saved to {path}")
    return 0


def _published(settings: Settings):
    import duckdb

    if not settings.warehouse_path.is_file():
        raise SettingsError(f"no published warehouse at {settings.warehouse_path}: run `csc refresh` first")
    return duckdb.connect(str(settings.warehouse_path), read_only=True)


def coverage(settings: Settings, geography: str) -> int:
    """Indicator x year matrix of LAs with a value (England / Wales), gaps shown as '.'."""
    import polars as pl

    with _published(settings) as con:
        frame = con.execute(
            "SELECT indicator, nation, year, las_with_value FROM mart.coverage WHERE geography = ? ORDER BY year",
            [geography],
        ).pl()
    if frame.is_empty():
        print("coverage is empty")
        return 0
    matrix = frame.pivot(on="year", index=["indicator", "nation"], values="las_with_value").sort("indicator", "nation")
    # fmt_str_lengths: every indicator id in full (polars cuts strings at 15 characters by default)
    with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_width_chars=400, tbl_hide_column_data_types=True, tbl_hide_dataframe_shape=True,
                   fmt_str_lengths=max(frame["indicator"].str.len_chars())):
        print(matrix.fill_null(0))
    return 0


def indicators(settings: Settings, as_csv: bool) -> int:
    """The indicator dictionary: per source family, each id with its years, unit and polarity, its
    label on the line below (wrapped to the terminal); ``--csv`` for machines."""
    import shutil
    import textwrap

    from csc_pipeline import results_doc

    with _published(settings) as con:
        table = results_doc.indicator_table(con)
    if as_csv:
        sys.stdout.write(table.write_csv())
        return 0
    width = max(60, shutil.get_terminal_size().columns)
    id_width = max(table["indicator"].str.len_chars())
    for family, rows in table.group_by("source_family", maintain_order=True):
        print(f"{family[0]} ({rows.height} indicators)")
        for row in rows.iter_rows(named=True):
            print(f"  {row['indicator']:<{id_width}}  {row['years'] or 'no values'};  {row['unit']};  {row['kind']};  {row['polarity']}")
            print(textwrap.fill(row["label"], width, initial_indent=" " * 4, subsequent_indent=" " * 4, break_on_hyphens=False))
    return 0


def summary(settings: Settings) -> int:
    import polars as pl

    with _published(settings) as con:
        history = con.sql("SELECT * FROM meta.refresh_history ORDER BY published_at DESC LIMIT 10").pl()
    with pl.Config(tbl_cols=-1, tbl_width_chars=300, tbl_hide_column_data_types=True, tbl_hide_dataframe_shape=True):
        print(history)
    return 0


def la(settings: Settings, query: str) -> int:
    """The headline table of one LA's profile page (reports/la/<code>.html), in the terminal."""
    from csc_pipeline.analysis import la_profiles

    import duckdb

    with _published(settings) as con:
        try:
            authority = la_profiles.find_authority(la_profiles.authorities(con), query)
        except duckdb.CatalogException:
            print(f"csc: the published warehouse {settings.warehouse_path} predates mart.la_benchmark: run `csc refresh`",
                  file=sys.stderr)
            return EXIT_CONFIG
        except la_profiles.LaLookupError as err:
            print(f"csc: {err}", file=sys.stderr)
            return EXIT_CONFIG
        frame = la_profiles.headline_frame(con, authority.la_code)
        synthetic = con.sql("SELECT value FROM meta.about WHERE key = 'synthetic'").fetchone()[0] == "true"
    if synthetic:
        print(la_profiles.SYNTHETIC_LABEL)
    print(f"{authority.la_name} ({authority.la_code}), {authority.region}, {authority.nation}: latest year of each "
          "headline indicator; rank 1 = best among the nation's LAs where the indicator has a polarity.\n")
    print(la_profiles.text_table(la_profiles.HEADLINE_COLUMNS, la_profiles.headline_rows(frame)) if frame.height
          else "No headline indicator has a value for this LA.")
    return 0


def results(settings: Settings, readme: Path | None) -> int:
    from csc_pipeline import results_doc

    try:
        with _published(settings) as con:
            body = results_doc.render(con)
            generated = results_doc.render_generated(con)
        if readme is None:
            print(body, end="")
        else:
            results_doc.write_into(readme, body, generated)
            print(f"wrote the results computed from {settings.warehouse_path} into {readme}")
    except results_doc.ResultsDocError as err:
        print(f"csc: {err}", file=sys.stderr)
        return EXIT_CONFIG
    return 0


def bench(settings: Settings, demo: bool, data_lake: Path | None, repetitions: int,
          scales: tuple[int, ...] = (), scale_only: bool = False, scale_timeout: float | None = None) -> int:
    """The benchmark in its own data lake (``data_lake``, else a temporary one): mirror of CSC_MIRROR_DIR
    (or ../shared/data/real beside the checkout) unless ``demo``; then the scale series at ``scales``
    (``scale_only``: the scale series alone), each scale stopped after ``scale_timeout`` seconds."""
    from dataclasses import replace
    from functools import partial

    from csc_pipeline import bench as benchmark
    from csc_pipeline import scale_bench

    if demo:
        settings = replace(settings, source_mode="demo", mirror_dir=None)
    else:
        settings = replace(settings, source_mode="mirror", mirror_dir=settings.mirror_dir or benchmark.DEFAULT_MIRROR)
    settings = replace(settings, data_lake=(data_lake or benchmark.temporary_data_lake()).resolve())
    say = partial(print, flush=True)
    try:
        measurements = [] if scale_only else benchmark.run_bench(settings, repetitions, say=say)
        series = (scale_bench.run_scale_series(scales, settings.data_lake / "bench", say=say, timeout_s=scale_timeout)
                  if scales else [])
    except (benchmark.BenchError, scale_bench.ScaleBenchError) as err:
        print(f"csc: {err}", file=sys.stderr)
        return EXIT_FAILED
    if measurements:
        print(benchmark.table_text(measurements), end="")
        print(f"Written to {benchmark.write_csv(measurements, settings.data_lake / 'bench', settings.source_mode)}")
    if series:
        print(scale_bench.table_text(series), end="")
        print(f"Written to {benchmark.write_csv(series, settings.data_lake / 'bench', 'scale')}")
    return 0


def _scales(text: str) -> tuple[int, ...]:
    try:
        return parse_scales(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="csc", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    refresh_parser = commands.add_parser("refresh", help="run the whole pipeline and publish the warehouse")
    refresh_parser.add_argument("--force", action="store_true",
                                help="rebuild and publish even when nothing changed since the last publication")
    ui_parser = commands.add_parser("ui", help="start the Dagster UI (localhost only by default)")
    serve_parser = commands.add_parser("serve", help="run the webserver and the daemon: schedules, sensors and alerts act")
    for server_parser in (ui_parser, serve_parser):
        server_parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: this machine only)")
        server_parser.add_argument("--port", type=int, default=3000)
    commands.add_parser("screenshot", help="screenshot the asset graph as a browser shows it")
    coverage_parser = commands.add_parser("coverage", help="LAs with a value per indicator and year")
    coverage_parser.add_argument("--geography", choices=("as_published", "current"), default="as_published")
    indicators_parser = commands.add_parser("indicators", help="the indicator dictionary: ids, labels, units, years")
    indicators_parser.add_argument("--csv", action="store_true", help="CSV on stdout, one row per indicator")
    commands.add_parser("summary", help="what the last refreshes changed")
    la_parser = commands.add_parser("la", help="one LA's headline indicators against neighbours, region and nation")
    la_parser.add_argument("authority", metavar="NAME|CODE", help="GSS code (E09000014) or name, or part of one (case-insensitive)")
    commands.add_parser("releases", help="the release groups and their release partitions")
    results_parser = commands.add_parser("results", help="the README's results section, from the published warehouse")
    results_parser.add_argument("--write", type=Path, metavar="README", help="replace the text between the results markers of this file")
    backfill_parser = commands.add_parser("backfill", help="obtain one release again and rebuild what depends on it")
    backfill_parser.add_argument("group", help="release group (see `csc releases`), e.g. children_looked_after_in_england_including_adoptions")
    backfill_parser.add_argument("release", help="release, e.g. 2024")
    bench_parser = commands.add_parser("bench", help="time refreshes and analyst queries against the I/O floor")
    bench_parser.add_argument("--demo", action="store_true", help="the generated demo set instead of the mirror")
    bench_parser.add_argument("--data-lake", type=Path, help="an empty or new directory (default: a new temporary one)")
    bench_parser.add_argument("--repetitions", type=int, default=DEFAULT_REPETITIONS, help="runs of each analyst query (p50, p95)")
    bench_parser.add_argument("--scale", action="store_true",
                              help="also the scale series: the panel and analyses on a synthetic panel 1x, 10x and 100x the real one")
    bench_parser.add_argument("--scales", type=_scales, metavar="1,10,100",
                              help="the scales of the series (implies --scale; default 1,10,100)")
    bench_parser.add_argument("--scale-only", action="store_true", help="the scale series alone (no refreshes or queries)")
    bench_parser.add_argument("--scale-timeout", type=float, metavar="SECONDS",
                              help="stop a scale after this long; its table keeps the steps it finished")
    for pipeline_parser in (refresh_parser, backfill_parser):
        pipeline_parser.add_argument("--verbose", action="store_true",
                                     help="print Dagster's event stream on the console too (it always goes to the log file)")
    args = parser.parse_args(argv)
    from csc_pipeline.console import quiet_known_warnings

    _stop_on_signals()
    quiet_known_warnings()
    try:
        settings = Settings.from_env()
        if args.command == "coverage":
            return coverage(settings, args.geography)
        if args.command == "summary":
            return summary(settings)
        if args.command == "indicators":
            return indicators(settings, args.csv)
        if args.command == "la":
            return la(settings, args.authority)
        if args.command == "refresh":
            return refresh(settings, args.verbose, args.force)
        if args.command == "screenshot":
            return screenshot(settings)
        if args.command == "backfill":
            return backfill(settings, args.group, args.release, args.verbose)
        if args.command == "bench":
            scales = args.scales or (DEFAULT_SCALES if args.scale or args.scale_only else ())
            return bench(settings, args.demo, args.data_lake, args.repetitions, scales, args.scale_only, args.scale_timeout)
        if args.command == "releases":
            return releases(settings)
        if args.command == "results":
            return results(settings, args.write)
        if args.command == "serve":
            return serve(settings, args.host, args.port)
        return ui(settings, args.host, args.port)
    except SettingsError as err:
        print(f"csc: {err}", file=sys.stderr)
        return EXIT_CONFIG
    except OSError as err:  # a read-only or full disk, a missing folder: one line, no stack trace
        print(f"csc: {err.strerror or err}{': ' + str(err.filename) if err.filename else ''}", file=sys.stderr)
        return EXIT_FAILED
    except Stopped as stop:
        print(f"csc: stopped by {stop}", file=sys.stderr)
        return EXIT_STOPPED


if __name__ == "__main__":
    sys.exit(main())
