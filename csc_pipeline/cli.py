"""``csc``: the data team's command line, a thin wrapper over the Dagster definitions.

  csc refresh   obtain, validate, load, analyse and publish everything (CSC_SOURCE_MODE decides
                where data comes from: demo by default)
  csc releases  list the release groups and their release partitions
  csc backfill GROUP RELEASE  obtain one release again and rebuild what depends on it
  csc ui        the Dagster UI on http://127.0.0.1:3000 (localhost only unless --host is given)
  csc coverage  print which indicators have values for how many LAs, by year (published warehouse)
  csc summary   print what the last refreshes changed (published warehouse)
  csc results [--write README.md]  the README's "Results on the real files", computed from the
                published warehouse (printed, or written between the README's results markers)
  csc screenshot  start the UI on localhost, open the asset graph in headless Chromium, check the
                layer groups show, and save reports/ui_asset_graph.png
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
    if current is None or current.startswith(INSTANCE_SETTINGS_MARK) and current != INSTANCE_SETTINGS:
        from csc_pipeline.atomic import write_text

        write_text(instance_file, INSTANCE_SETTINGS)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def _one_line(error) -> str:
    """The innermost cause of a Dagster error (a SerializableErrorInfo), on one line."""
    while error.cause is not None:
        error = error.cause
    lines = [line for line in error.message.strip().splitlines() if line.strip()]
    return lines[0] if lines else error.cls_name


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
    elapsed = time.monotonic() - started
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
        print(f"\nFAILED STEP {event.step_key}: {_one_line(event.step_failure_data.error)}", file=sys.stderr)
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
    from importlib import import_module

    from csc_pipeline.analysis import runner
    from csc_pipeline.analysis.config import load_analysis_config
    from csc_pipeline.defs.analysis import FAMILIES

    config = load_analysis_config(settings.analysis_config)
    for family in FAMILIES:
        import_module(f"csc_pipeline.analysis.{family}").parse_config(runner.family_settings(config, family))


def _run_pipeline(settings: Settings, what: str, verbose: bool, work: Callable,
                  usage_errors: tuple[type[Exception], ...] = ()) -> int:
    """Run ``work(defs, catalog, instance, listener)`` (a refresh or a backfill) with the data lake's
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
                from csc_pipeline.definitions import build_definitions

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
                    result = work(build_definitions(settings, catalog), catalog, instance, listener)
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


def refresh(settings: Settings, verbose: bool = False) -> int:
    from csc_pipeline.defs import runs

    return _run_pipeline(settings, "Refresh", verbose, lambda defs, catalog, instance, listener: runs.refresh(
        defs, catalog, instance, settings.source_mode, listener=listener))


def backfill(settings: Settings, group: str, release: str, verbose: bool = False) -> int:
    from csc_pipeline.defs import runs

    def work(defs, catalog, instance, listener):
        return runs.RefreshRuns([], runs.backfill(defs, catalog, instance, settings.source_mode, group, release, listener))

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


def _end_process_group(process: subprocess.Popen, grace: float) -> None:
    """SIGTERM the group's leader (``dagster dev`` then shuts its webserver, daemon and code server
    down in order), wait up to ``grace`` seconds for it, then SIGKILL whatever is left of the group."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def ui(settings: Settings, host: str, port: int) -> int:
    """``dagster dev`` from the interpreter csc runs in (no need for the venv on PATH), in a process
    group of its own that SIGINT or SIGTERM to csc ends, children included."""
    from csc_pipeline.console import add_python_warnings_filter
    from csc_pipeline.ui_check import DEFINITIONS_TARGET

    with _dagster(settings):
        pass  # the instance settings written, dead runs marked failed
    command = [sys.executable, "-m", "dagster", "dev", *DEFINITIONS_TARGET, "--host", host, "--port", str(port)]
    # The code server builds its own settings: name the data lake this command resolved.
    env = dict(os.environ, CSC_DATA_LAKE=str(settings.data_lake))
    # `dagster dev` is superseded by `dg dev` (a separate package); the warning says nothing to a csc user.
    add_python_warnings_filter(env, DEV_COMMAND_WARNING)
    process = subprocess.Popen(command, env=env, start_new_session=True)
    try:
        # Short waits, not one blocking waitpid: a signal the kernel hands to another thread of this
        # process would not interrupt that, and the handler would only run once dagster dev exited.
        while True:
            try:
                return process.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                continue
    except Stopped as stop:
        print(f"csc: stopping the Dagster UI ({stop})", file=sys.stderr)
        return EXIT_STOPPED
    finally:
        _end_process_group(process, UI_STOP_GRACE_SECONDS)


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
    with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_width_chars=400, tbl_hide_column_data_types=True, tbl_hide_dataframe_shape=True):
        print(matrix.fill_null(0))
    return 0


def summary(settings: Settings) -> int:
    import polars as pl

    with _published(settings) as con:
        history = con.sql("SELECT * FROM meta.refresh_history ORDER BY published_at DESC LIMIT 10").pl()
    with pl.Config(tbl_cols=-1, tbl_width_chars=300, tbl_hide_column_data_types=True, tbl_hide_dataframe_shape=True):
        print(history)
    return 0


def results(settings: Settings, readme: Path | None) -> int:
    from csc_pipeline import results_doc

    try:
        with _published(settings) as con:
            body = results_doc.render(con)
        if readme is None:
            print(body, end="")
        else:
            results_doc.write_into(readme, body)
            print(f"wrote the results computed from {settings.warehouse_path} into {readme}")
    except results_doc.ResultsDocError as err:
        print(f"csc: {err}", file=sys.stderr)
        return EXIT_CONFIG
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="csc", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    refresh_parser = commands.add_parser("refresh", help="run the whole pipeline and publish the warehouse")
    ui_parser = commands.add_parser("ui", help="start the Dagster UI (localhost only by default)")
    ui_parser.add_argument("--host", default="127.0.0.1")
    ui_parser.add_argument("--port", type=int, default=3000)
    commands.add_parser("screenshot", help="screenshot the asset graph as a browser shows it")
    coverage_parser = commands.add_parser("coverage", help="LAs with a value per indicator and year")
    coverage_parser.add_argument("--geography", choices=("as_published", "current"), default="as_published")
    commands.add_parser("summary", help="what the last refreshes changed")
    commands.add_parser("releases", help="the release groups and their release partitions")
    results_parser = commands.add_parser("results", help="the README's results section, from the published warehouse")
    results_parser.add_argument("--write", type=Path, metavar="README", help="replace the text between the results markers of this file")
    backfill_parser = commands.add_parser("backfill", help="obtain one release again and rebuild what depends on it")
    backfill_parser.add_argument("group", help="release group (see `csc releases`), e.g. children_looked_after_in_england_including_adoptions")
    backfill_parser.add_argument("release", help="release, e.g. 2024")
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
        if args.command == "refresh":
            return refresh(settings, args.verbose)
        if args.command == "screenshot":
            return screenshot(settings)
        if args.command == "backfill":
            return backfill(settings, args.group, args.release, args.verbose)
        if args.command == "releases":
            return releases(settings)
        if args.command == "results":
            return results(settings, args.write)
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
