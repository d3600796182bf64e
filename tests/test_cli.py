"""The data team's CLI over a published demo warehouse."""

from __future__ import annotations

from csc_pipeline import cli


def test_coverage_and_summary_print_from_the_published_warehouse(demo_run, monkeypatch, capsys):
    settings, _ = demo_run
    monkeypatch.setenv("CSC_DATA_LAKE", str(settings.data_lake))
    assert cli.main(["coverage"]) == 0
    out = capsys.readouterr().out
    assert "cla_rate_per_10k" in out and "2025" in out and "Wales" in out
    assert cli.main(["summary"]) == 0
    assert "files_unchanged" in capsys.readouterr().out


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
