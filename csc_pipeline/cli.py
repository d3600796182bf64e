"""``csc``: the data team's command line, a thin wrapper over the Dagster definitions.

  csc refresh   obtain, validate, load, analyse and publish everything (CSC_SOURCE_MODE decides
                where data comes from: demo by default)
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
from pathlib import Path

from csc_pipeline.settings import PROJECT_ROOT, Settings, SettingsError


def _dagster_home(settings: Settings) -> Path:
    """Run history lives beside the data it describes unless DAGSTER_HOME says otherwise."""
    home = Path(os.environ.get("DAGSTER_HOME") or settings.data_lake / "dagster_home")
    home.mkdir(parents=True, exist_ok=True)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def refresh(settings: Settings) -> int:
    from dagster import DagsterInstance

    from csc_pipeline.definitions import build_definitions

    _dagster_home(settings)
    started = time.monotonic()
    job = build_definitions(settings).resolve_job_def("csc_refresh")
    with DagsterInstance.get() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False)
    elapsed = time.monotonic() - started
    failed_checks = [
        evaluation for evaluation in result.get_asset_check_evaluations() if not evaluation.passed
    ]
    for evaluation in failed_checks:
        print(f"\nFAILED CHECK {evaluation.asset_key.to_user_string()}:{evaluation.check_name}", file=sys.stderr)
        print(evaluation.description or "", file=sys.stderr)
        cases = evaluation.metadata.get("failure_cases")
        if cases is not None:
            print(cases.value, file=sys.stderr)
    checks = result.get_asset_check_evaluations()
    print(f"\nChecks: {sum(e.passed for e in checks)} passed, {sum(not e.passed for e in checks)} failed.")
    published = result.asset_materializations_for_node("warehouse__published") if result.success else []
    if published:
        m = {k: v.value for k, v in published[0].metadata.items()}
        print(f"Files: {m['files_new']} new, {m['files_changed']} changed, {m['files_unchanged']} unchanged, "
              f"{m['files_dropped']} dropped. Panel: {m['panel_rows']:,} rows, {m['rows_added']:,} added, "
              f"{m['rows_removed']:,} removed, {m['values_revised']:,} values revised (meta.refresh_history).")
    if result.success and not failed_checks:
        print(f"\nRefresh complete in {elapsed:.0f} s ({settings.source_mode} mode).")
        print(f"Warehouse: {settings.warehouse_path}")
        print(f"Reports:   {settings.reports_dir}")
        return 0
    print(f"\nRefresh FAILED after {elapsed:.0f} s; the published warehouse {settings.warehouse_path} "
          "was not changed.", file=sys.stderr)
    return 1


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
    return ui(settings, args.host, args.port)


if __name__ == "__main__":
    sys.exit(main())
