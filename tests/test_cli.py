"""The data team's CLI over a published demo warehouse."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
import yaml
from cli_processes import lock_holder

from csc_pipeline import cli, console
from csc_pipeline.settings import Settings


def test_coverage_and_summary_print_from_the_published_warehouse(demo_run, monkeypatch, capsys):
    settings, _ = demo_run
    monkeypatch.setenv("CSC_DATA_LAKE", str(settings.data_lake))
    assert cli.main(["coverage"]) == 0
    out = capsys.readouterr().out
    assert "cla_rate_per_10k" in out and "2025" in out and "Wales" in out
    assert cli.main(["summary"]) == 0
    assert "files_unchanged" in capsys.readouterr().out


def test_coverage_prints_every_indicator_name_in_full(demo_run, demo_warehouse, monkeypatch, capsys):
    settings, _ = demo_run
    monkeypatch.setenv("CSC_DATA_LAKE", str(settings.data_lake))
    assert cli.main(["coverage", "--geography", "current"]) == 0
    printed = re.findall(r"^│ (\S+)\s+┆ (England|Wales)", capsys.readouterr().out, flags=re.MULTILINE)
    expected = demo_warehouse.sql("SELECT DISTINCT indicator, nation FROM mart.coverage WHERE geography = 'current'").fetchall()
    assert sorted(printed) == sorted(expected)  # every row once, none cut short (two cut names read the same)


def test_indicators_prints_the_dictionary_for_people_and_as_csv(demo_run, demo_warehouse, monkeypatch, capsys):
    settings, _ = demo_run
    monkeypatch.setenv("CSC_DATA_LAKE", str(settings.data_lake))
    monkeypatch.setenv("COLUMNS", "80")
    assert cli.main(["indicators"]) == 0
    out = capsys.readouterr().out
    assert all(len(line) <= 80 for line in out.splitlines() if line.startswith("    "))  # labels wrap to the terminal
    dictionary = demo_warehouse.sql("SELECT indicator, definition FROM mart.indicator_dictionary").fetchall()
    words = " ".join(out.split())
    for indicator, definition in dictionary:
        assert re.search(rf"^  {indicator} ", out, flags=re.MULTILINE), indicator
        assert " ".join(definition.split()) in words, definition
    assert cli.main(["indicators", "--csv"]) == 0
    table = pl.read_csv(io.StringIO(capsys.readouterr().out))
    assert sorted(table["indicator"]) == sorted(i for i, _ in dictionary)
    assert {"label", "unit", "polarity", "kind", "source_family", "years"} <= set(table.columns)
    cla_years = [y for (y,) in demo_warehouse.sql(
        "SELECT DISTINCT year FROM mart.coverage WHERE geography = 'as_published' AND indicator = 'cla_count' "
        "AND las_with_value > 0 ORDER BY year").fetchall()]
    row = table.filter(pl.col("indicator") == "cla_count").row(0, named=True)
    assert row["source_family"] == "cla" and row["years"] == f"{cla_years[0]}-{cla_years[-1]}"
    assert len(cla_years) == cla_years[-1] - cla_years[0] + 1


def test_commands_on_a_missing_warehouse_say_what_to_do(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CSC_DATA_LAKE", str(tmp_path))
    assert cli.main(["summary"]) == 2
    assert "run `csc refresh` first" in capsys.readouterr().err


def test_a_bad_source_mode_is_refused_with_the_allowed_values(monkeypatch, capsys):
    monkeypatch.setenv("CSC_SOURCE_MODE", "ftp")
    assert cli.main(["refresh"]) == 2
    assert "demo, mirror, live" in capsys.readouterr().err


def test_releases_lists_each_group_with_its_releases_and_a_bad_backfill_names_the_choices(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CSC_DATA_LAKE", str(tmp_path))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    assert cli.main(["releases"]) == 0
    out = capsys.readouterr().out
    assert "children_looked_after_in_england_including_adoptions: 2021, 2022, 2023, 2024, 2025" in out
    assert "families: cin_b1, cin_c1" in out
    assert (tmp_path / "dagster_home" / "dagster.yaml").read_text().count("max_concurrent_runs: 1") == 1
    assert cli.main(["backfill", "children_looked_after_in_england_including_adoptions", "1999"]) == 2
    err = capsys.readouterr().err
    assert "has no release '1999' in demo mode" in err and "2025" in err
    assert cli.main(["backfill", "no_such_group", "2025"]) == 2
    assert "no release group 'no_such_group'" in capsys.readouterr().err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_prints_a_line_per_run_and_per_later_stage_and_never_steps_back():
    out = io.StringIO()
    progress = console.Progress(out)
    for number, step in [(1, "source_files__cin_b1"), (1, "source_files__cin_c1"), (2, "source_files__lait"),
                         (3, "conformed__lait"), (3, "loaded__lait"), (3, "conformed__cin_b1"), (3, "ref__symbols"),
                         (3, "staging__stg_lait"), (3, "analysis__trends"), (3, "warehouse__published")]:
        progress.files = 10 * number
        progress.step_started(number, 3, step)
    lines = out.getvalue().splitlines()
    assert [line.split()[1:4] for line in lines] == [
        ["run", "1/3", "obtain"], ["run", "2/3", "obtain"], ["run", "3/3", "validate"], ["run", "3/3", "load"],
        ["run", "3/3", "harmonise"], ["run", "3/3", "analyse"], ["run", "3/3", "publish"]]
    assert re.fullmatch(r" +0:0\d  run 2/3  obtain +20 files  source_files__lait", lines[1])


def test_a_terminal_sees_the_running_step_on_a_live_line_and_notes_on_lines_of_their_own():
    out = _Terminal()
    progress = console.Progress(out)
    progress.step_started(1, 1, "loaded__lait")
    progress.step_started(1, 1, "ref__symbols")  # same stage: the live line is rewritten
    progress.note("waiting for process 7")
    progress.finish()
    text = out.getvalue()
    assert text.count("\r\033[K") == 3 and "ref__symbols" in text
    # What stays on the screen: each line's text after its last "clear line".
    assert [line.rsplit("\r\033[K", 1)[-1].split()[-1] for line in text.split("\n")[:-1]] == ["loaded__lait", "7"]


def test_dagster_output_goes_to_the_log_file_even_from_child_processes_and_the_console_gets_progress(tmp_path, capfd):
    log = tmp_path / "logs" / "refresh.log"
    with console.routed_output(log, verbose=False) as screen:
        print("python print")
        os.write(2, b"C-level stderr\n")
        subprocess.run(["echo", "from a child process"], check=True)
        screen.write("progress line\n")
    assert capfd.readouterr().out == "progress line\n"
    logged = log.read_text()
    assert "python print" in logged and "C-level stderr" in logged and "from a child process" in logged
    with console.routed_output(log, verbose=True):
        print("verbose print")
    assert "verbose print" in capfd.readouterr().out and "verbose print" in log.read_text()


@pytest.mark.parametrize(("setting", "named"), [
    ("trends:\n  break_yaer: 2010\n", "unknown key(s) 'break_yaer'"),
    ("trend:\n  first_post_break_year: 2010\n", "unknown section(s) trend"),
])
@pytest.mark.parametrize("command", [["refresh"], ["backfill", "children_looked_after_in_england_including_adoptions", "2024"]])
def test_a_wrong_analysis_setting_stops_refresh_before_anything_runs(tmp_path, monkeypatch, capsys, setting, named, command):
    config = tmp_path / "analysis.yaml"
    config.write_text(setting)
    monkeypatch.setenv("CSC_DATA_LAKE", str(tmp_path / "lake"))
    monkeypatch.setenv("CSC_ANALYSIS_CONFIG", str(config))
    assert cli.main(command) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and named in err and "CSC_ANALYSIS_CONFIG" in err
    assert not (tmp_path / "lake").exists()


def test_an_empty_mirror_or_an_unwritable_data_lake_is_one_line_not_a_traceback(tmp_path, monkeypatch, capsys):
    (tmp_path / "mirror").mkdir()
    monkeypatch.setenv("CSC_SOURCE_MODE", "mirror")
    monkeypatch.setenv("CSC_MIRROR_DIR", str(tmp_path / "mirror"))
    assert cli.main(["refresh"]) == 2
    assert capsys.readouterr().err == f"csc: CSC_MIRROR_DIR={tmp_path / 'mirror'} is empty (expected a layout like shared/data/real)\n"
    monkeypatch.delenv("CSC_SOURCE_MODE")
    # sysfs refuses new folders even to root; for anyone else a folder without write permission does.
    lake = Path("/sys/csc_lake") if os.geteuid() == 0 else tmp_path / "read_only" / "lake"
    if os.geteuid() != 0:
        lake.parent.mkdir()
        lake.parent.chmod(0o555)
    elif not Path("/sys").is_dir():
        pytest.skip("no sysfs to stand for a read-only filesystem")
    monkeypatch.setenv("CSC_DATA_LAKE", str(lake))
    assert cli.main(["refresh"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("csc: ") and str(lake) in err and "Traceback" not in err


def test_a_refresh_that_cannot_get_the_lake_waits_then_gives_up_naming_the_holder(tmp_path, monkeypatch, capsys):
    holder = lock_holder(tmp_path)
    try:
        monkeypatch.setenv("CSC_DATA_LAKE", str(tmp_path))
        monkeypatch.setenv("CSC_LOCK_TIMEOUT", "1")
        assert cli.main(["refresh"]) == 1
        out, err = capsys.readouterr()
        assert f"waiting for process {holder.pid}" in out
        assert f"gave up after 1 s waiting for process {holder.pid}" in err and "CSC_LOCK_TIMEOUT" in err
    finally:
        holder.kill()
        holder.wait()


def test_csc_rewrites_the_instance_settings_it_wrote_but_not_someone_elses(tmp_path, monkeypatch):
    monkeypatch.setenv("CSC_DATA_LAKE", str(tmp_path))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("# Written by csc: one run at a time.\nconcurrency:\n  pools:\n    default_limit: 1\n")
    assert cli.main(["releases"]) == 0
    written = yaml.safe_load((home / "dagster.yaml").read_text())
    assert "pools" not in written["concurrency"] and written["telemetry"] == {"enabled": False}
    assert written["run_monitoring"]["enabled"] is True
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: true\n")
    assert cli.main(["releases"]) == 0
    assert (home / "dagster.yaml").read_text() == "telemetry:\n  enabled: true\n"


def test_a_failed_check_prints_its_table_and_a_failed_step_one_line_with_no_stack_trace(tmp_path, capsys):
    from dagster import AssetCheckResult, DagsterInstance, MetadataValue, asset, asset_check, materialize

    from csc_pipeline.defs.runs import RefreshRuns

    @asset
    def cla_file():
        return 1

    @asset_check(asset=cla_file)
    def contract():
        return AssetCheckResult(passed=False, description="1 problem", metadata={
            "failure_cases": MetadataValue.md("| file | row | column | value |\n|---|---|---|---|\n| cla.csv | 7 | rate | x |")})

    @asset
    def panel(cla_file):
        # The step's own error, not its cause, is the line (it says what went wrong with the cause's detail).
        raise ValueError("no space for the panel\nsecond line of the message") from OSError("disk full")

    result = materialize([cla_file, panel, contract], instance=DagsterInstance.ephemeral(), raise_on_error=False)
    capsys.readouterr()  # Dagster's own console logger (a refresh sends it to the log file)
    log = tmp_path / "refresh.log"
    assert cli._report_runs(RefreshRuns([], result), Settings(data_lake=tmp_path), 0.0, "Refresh", log) == 1
    err = capsys.readouterr().err
    assert "FAILED CHECK cla_file:contract" in err and "| cla.csv | 7 | rate | x |" in err
    assert "FAILED STEP panel: ValueError: no space for the panel\n" in err
    assert "Traceback" not in err and 'File "' not in err and str(log) in err


def test_the_backfill_policy_beta_warning_is_silenced_here_and_in_child_processes_other_warnings_are_not(monkeypatch):
    monkeypatch.setenv("PYTHONWARNINGS", "default")
    console.quiet_known_warnings()
    console.quiet_known_warnings()
    assert os.environ["PYTHONWARNINGS"] == f"default,ignore:{console.BACKFILL_POLICY_WARNING}"
    child = subprocess.run([sys.executable, "-c", "import warnings\n"
                            f"warnings.warn({console.BACKFILL_POLICY_WARNING + ', and may change'!r})\n"
                            "warnings.warn('something else')"], capture_output=True, text=True, check=True)
    assert "beta" not in child.stderr and "something else" in child.stderr


def test_a_failed_warning_check_is_reported_but_does_not_fail_the_refresh(tmp_path, capsys):
    from dagster import AssetCheckResult, AssetCheckSeverity, DagsterInstance, asset, asset_check, materialize

    from csc_pipeline.defs.runs import RefreshRuns

    @asset
    def cla_file():
        return 1

    @asset_check(asset=cla_file)
    def quarantine():
        return AssetCheckResult(passed=False, severity=AssetCheckSeverity.WARN, description="3 rows set aside")

    result = materialize([cla_file, quarantine], instance=DagsterInstance.ephemeral(), raise_on_error=False)
    capsys.readouterr()
    assert cli._report_runs(RefreshRuns([], result), Settings(data_lake=tmp_path), 0.0, "Refresh", tmp_path / "r.log") == 0
    captured = capsys.readouterr()
    assert "WARNING cla_file:quarantine" in captured.err and "3 rows set aside" in captured.err
    assert "Checks: 0 passed, 0 failed, 1 warning(s)." in captured.out and "Refresh complete" in captured.out


def test_a_live_refresh_says_first_which_families_wait_for_a_key(tmp_path, monkeypatch, capfd):
    from csc_pipeline.defs import runs

    def no_network(*args, **kwargs):
        raise RuntimeError("stopped before obtaining anything")

    monkeypatch.setattr(runs, "refresh", no_network)
    monkeypatch.delenv("STATXPLORE_API_KEY", raising=False)
    monkeypatch.setenv("CSC_SOURCE_MODE", "live")
    monkeypatch.setenv("CSC_DATA_LAKE", str(tmp_path / "lake"))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    assert cli.main(["refresh"]) == cli.EXIT_FAILED
    out = capfd.readouterr().out  # the progress display writes to the process's own stdout
    assert "dwp_children_low_income: skipped in live mode; set STATXPLORE_API_KEY" in out
