"""``csc``: the data team's command line, a thin wrapper over the Dagster definitions.

  csc refresh   obtain, validate, load, analyse and publish everything (CSC_SOURCE_MODE decides
                where data comes from: demo by default)
  csc releases  list the release groups and their release partitions
  csc backfill GROUP RELEASE  obtain one release again and rebuild what depends on it
  csc ui        the Dagster UI on http://127.0.0.1:3000 (localhost only unless --host is given)
  csc coverage  print which indicators have values for how many LAs, by year (published warehouse)
  csc summary   print what the last refreshes changed (published warehouse)
  csc screenshot  start the UI on localhost, open the asset graph in headless Chromium, check the
                layer groups show, and save reports/ui_asset_graph.png
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from csc_pipeline.settings import PROJECT_ROOT, Settings, SettingsError


# Runs the daemon launches (sensor, schedule, automation) queue one at a time: every run that
# rebuilds the warehouse writes the same DuckDB file, so two must never overlap.
INSTANCE_SETTINGS = """\
# Written by csc: one run at a time (all runs write the same DuckDB build file).
concurrency:
  runs:
    max_concurrent_runs: 1
  pools:
    default_limit: 1
"""


def _dagster_home(settings: Settings) -> Path:
    """Run history lives beside the data it describes unless DAGSTER_HOME says otherwise."""
    home = Path(os.environ.get("DAGSTER_HOME") or settings.data_lake / "dagster_home")
    home.mkdir(parents=True, exist_ok=True)
    instance_file = home / "dagster.yaml"
    if not instance_file.exists():
        instance_file.write_text(INSTANCE_SETTINGS, encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def _report_runs(runs, settings: Settings, started: float, what: str) -> int:
    elapsed = time.monotonic() - started
    evaluations = [e for r in runs.results for e in r.get_asset_check_evaluations()]
    failed_checks = [evaluation for evaluation in evaluations if not evaluation.passed]
    for evaluation in failed_checks:
        print(f"\nFAILED CHECK {evaluation.asset_key.to_user_string()}:{evaluation.check_name}", file=sys.stderr)
        print(evaluation.description or "", file=sys.stderr)
        cases = evaluation.metadata.get("failure_cases")
        if cases is not None:
            print(cases.value, file=sys.stderr)
    print(f"\nChecks: {len(evaluations) - len(failed_checks)} passed, {len(failed_checks)} failed.")
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
        return 0
    print(f"\n{what} FAILED after {elapsed:.0f} s; the published warehouse {settings.warehouse_path} "
          "was not changed.", file=sys.stderr)
    return 1


@contextmanager
def _dagster(settings: Settings):
    """(catalog, the persistent Dagster instance) for the commands that run Dagster."""
    from dagster import DagsterInstance

    from csc_pipeline.catalog import load_catalog

    _dagster_home(settings)
    with DagsterInstance.get() as instance:
        yield load_catalog(), instance


def refresh(settings: Settings) -> int:
    from csc_pipeline.definitions import build_definitions
    from csc_pipeline.defs import runs

    started = time.monotonic()
    with _dagster(settings) as (catalog, instance):
        result = runs.refresh(build_definitions(settings, catalog), catalog, instance, settings.source_mode)
    return _report_runs(result, settings, started, "Refresh")


def backfill(settings: Settings, group: str, release: str) -> int:
    from csc_pipeline.definitions import build_definitions
    from csc_pipeline.defs import runs

    started = time.monotonic()
    with _dagster(settings) as (catalog, instance):
        try:
            result = runs.backfill(build_definitions(settings, catalog), catalog, instance, settings.source_mode, group, release)
        except runs.UnknownRelease as err:
            print(f"csc: {err}", file=sys.stderr)
            return 2
    return _report_runs(runs.RefreshRuns([], result), settings, started, f"Backfill of {group} {release}")


def releases(settings: Settings) -> int:
    from csc_pipeline.defs import runs

    with _dagster(settings) as (catalog, instance):
        partitions = runs.register_releases(instance, catalog, settings.source_mode)
    families = catalog.release_groups()
    for group, keys in sorted(partitions.items()):
        print(f"{group}: {', '.join(keys) or '(none in ' + settings.source_mode + ' mode)'}")
        print(f"    families: {', '.join(families[group])}")
    return 0


def ui(settings: Settings, host: str, port: int) -> int:
    _dagster_home(settings)
    command = ["dagster", "dev", "-w", str(PROJECT_ROOT / "workspace.yaml"), "--host", host, "--port", str(port)]
    return subprocess.call(command, cwd=PROJECT_ROOT)


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="csc", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("refresh", help="run the whole pipeline and publish the warehouse")
    ui_parser = commands.add_parser("ui", help="start the Dagster UI (localhost only by default)")
    ui_parser.add_argument("--host", default="127.0.0.1")
    ui_parser.add_argument("--port", type=int, default=3000)
    commands.add_parser("screenshot", help="screenshot the asset graph as a browser shows it")
    coverage_parser = commands.add_parser("coverage", help="LAs with a value per indicator and year")
    coverage_parser.add_argument("--geography", choices=("as_published", "current"), default="as_published")
    commands.add_parser("summary", help="what the last refreshes changed")
    commands.add_parser("releases", help="the release groups and their release partitions")
    backfill_parser = commands.add_parser("backfill", help="obtain one release again and rebuild what depends on it")
    backfill_parser.add_argument("group", help="release group (see `csc releases`), e.g. children_looked_after_in_england_including_adoptions")
    backfill_parser.add_argument("release", help="release, e.g. 2024")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as err:
        print(f"csc: {err}", file=sys.stderr)
        return 2
    try:
        if args.command == "coverage":
            return coverage(settings, args.geography)
        if args.command == "summary":
            return summary(settings)
    except SettingsError as err:
        print(f"csc: {err}", file=sys.stderr)
        return 2
    if args.command == "refresh":
        return refresh(settings)
    if args.command == "screenshot":
        return screenshot(settings)
    if args.command == "backfill":
        return backfill(settings, args.group, args.release)
    if args.command == "releases":
        return releases(settings)
    return ui(settings, args.host, args.port)


if __name__ == "__main__":
    sys.exit(main())
