"""The README's results section is computed from a warehouse, never typed: rendering and writing it."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from csc_pipeline import results_doc
from csc_pipeline.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"


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
    text = README.read_text(encoding="utf-8")
    for name in ("results", *results_doc.GENERATED):
        begin, end = results_doc.markers(name)
        assert text.count(begin) == 1 and text.count(end) == 1, name


def test_generated_sections_are_written_where_their_markers_are_and_only_there(tmp_path):
    readme = tmp_path / "README.md"
    begin, end = results_doc.markers("indicators")
    readme.write_text(f"{results_doc.BEGIN}\n{results_doc.END}\nlist:\n{begin}\nold list\n{end}\n", encoding="utf-8")
    results_doc.write_into(readme, "figures\n", {"indicators": "new list\n", "panel-columns": "columns\n"})
    assert readme.read_text(encoding="utf-8") == (
        f"{results_doc.BEGIN}\nfigures\n{results_doc.END}\nlist:\n{begin}\nnew list\n{end}\n")


def generated_part(text: str, name: str) -> str:
    begin, end = results_doc.markers(name)
    return text.split(begin, 1)[1].split(end, 1)[0]


def test_the_readme_lists_every_column_of_the_panel(demo_warehouse):
    from csc_pipeline.table_docs import describe_table

    listed = re.findall(r"^\| `(\w+)` \|", generated_part(README.read_text(encoding="utf-8"), "panel-columns"), flags=re.MULTILINE)
    assert listed == [column.name for column in describe_table(demo_warehouse, "mart.la_indicator_panel").columns]


def test_csc_results_writes_the_demo_warehouse_figures_into_a_readme(demo_run, demo_warehouse, tmp_path, monkeypatch, capsys):
    settings, _ = demo_run
    monkeypatch.setenv("CSC_DATA_LAKE", str(settings.data_lake))
    monkeypatch.setenv("CSC_SOURCE_MODE", "demo")
    readme = tmp_path / "README.md"
    generated = "".join("{}\n{}\n".format(*results_doc.markers(name)) for name in results_doc.GENERATED)
    readme.write_text(f"{results_doc.BEGIN}\n{results_doc.END}\n{generated}", encoding="utf-8")
    assert main(["results", "--write", str(readme)]) == 0
    written = readme.read_text(encoding="utf-8")
    # the indicator list names every indicator of the dictionary once, under its source family
    ids = re.findall(r"`(\w+)`", generated_part(written, "indicators"))
    assert sorted(ids) == sorted(i for (i,) in demo_warehouse.sql("SELECT indicator FROM mart.indicator_dictionary").fetchall())
    assert "| cla | 6 |" in generated_part(written, "indicators")
    assert "| `status` | VARCHAR |" in generated_part(written, "panel-columns")
    # every section is there, and the figures are the warehouse's: the funnel's LA count per nation
    for heading in ("**Change in rate**", "**Trend**", "**Funnel plot**", "**Deprivation**", "**Correlations**", "**Ofsted**"):
        assert heading in written
    assert "synthetic: true" in written
    las = demo_warehouse.sql("SELECT count(*) FROM analysis.funnel_positions WHERE indicator = 'cla_rate_per_10k' "
                             "AND nation = 'England'").fetchone()[0]
    assert f"| England | " in written and f"| additive | {las} |" in written
