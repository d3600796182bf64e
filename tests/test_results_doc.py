"""The README's results section is computed from a warehouse, never typed: rendering and writing it."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from csc_pipeline import results_doc
from csc_pipeline.cli import main


def test_markdown_table_formats_numbers_for_people():
    frame = pl.DataFrame({"area": ["North|East", None], "rate": [86.943, 1.5e-20], "n": [12, 151_000]})
    lines = results_doc.markdown_table(frame).splitlines()
    assert lines[0] == "| area | rate | n |"
    assert lines[2] == "| North\\|East | 86.94 | 12 |"
    assert lines[3] == "| — | 1.50e-20 | 151,000 |"


def test_only_the_text_between_the_markers_is_replaced(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\nbefore\n{results_doc.BEGIN}\nold figures\n{results_doc.END}\nafter\n", encoding="utf-8")
    results_doc.write_into(readme, "new figures\n")
    assert readme.read_text(encoding="utf-8") == f"# Title\nbefore\n{results_doc.BEGIN}\nnew figures\n{results_doc.END}\nafter\n"


def test_a_readme_without_markers_is_refused_and_left_as_it_was(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# no markers here\n", encoding="utf-8")
    with pytest.raises(results_doc.ResultsDocError, match="README.md: no"):
        results_doc.write_into(readme, "figures\n")
    assert readme.read_text(encoding="utf-8") == "# no markers here\n"


def test_the_project_readme_has_the_results_markers():
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert text.count(results_doc.BEGIN) == 1 and text.count(results_doc.END) == 1


def test_csc_results_writes_the_demo_warehouse_figures_into_a_readme(demo_run, demo_warehouse, tmp_path, monkeypatch, capsys):
    settings, _ = demo_run
    monkeypatch.setenv("CSC_DATA_LAKE", str(settings.data_lake))
    monkeypatch.setenv("CSC_SOURCE_MODE", "demo")
    readme = tmp_path / "README.md"
    readme.write_text(f"{results_doc.BEGIN}\n{results_doc.END}\n", encoding="utf-8")
    assert main(["results", "--write", str(readme)]) == 0
    written = readme.read_text(encoding="utf-8")
    # every section is there, and the figures are the warehouse's: the funnel's LA count per nation
    for heading in ("**Change in rate**", "**Trend**", "**Funnel plot**", "**Deprivation**", "**Correlations**", "**Ofsted**"):
        assert heading in written
    assert "synthetic: true" in written
    las = demo_warehouse.sql("SELECT count(*) FROM analysis.funnel_positions WHERE indicator = 'cla_rate_per_10k' "
                             "AND nation = 'England'").fetchone()[0]
    assert f"| England | " in written and f"| additive | {las} |" in written
