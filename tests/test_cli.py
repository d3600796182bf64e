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
