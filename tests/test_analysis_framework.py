"""The machinery every analysis family shares: settings overlay, writing tables with comments, the report."""

from __future__ import annotations

import base64
import dataclasses
import typing
from pathlib import Path

import duckdb
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402
import pytest  # noqa: E402

from csc_pipeline.analysis.config import AnalysisConfigError, load_analysis_config  # noqa: E402
from csc_pipeline.analysis import report  # noqa: E402
from csc_pipeline.analysis.report import render_report, write_report  # noqa: E402
from csc_pipeline.analysis.results import AnalysisOutput, AnalysisTable  # noqa: E402
from csc_pipeline.analysis.registry import families  # noqa: E402
from csc_pipeline.analysis.runner import REPORT_ITEMS, family_settings, write_output  # noqa: E402
from csc_pipeline.settings import Settings, SettingsError  # noqa: E402


def _defaults(tmp_path: Path) -> Path:
    path = tmp_path / "defaults.yaml"
    path.write_text(
        "shared:\n  exclude_la_codes: [E09000001, E06000053]\n  geography: current\n"
        "change_in_rate:\n  periods: [[2012, 2017]]\n  tolerance: 0.5\n"
        "trends:\n  break_after_year: 2009\n",
        encoding="utf-8",
    )
    return path


def test_family_settings_lay_the_family_section_over_the_shared_one(tmp_path):
    config = load_analysis_config(defaults=_defaults(tmp_path))
    assert config.for_family("change_in_rate") == {
        "exclude_la_codes": ["E09000001", "E06000053"], "geography": "current",
        "periods": [[2012, 2017]], "tolerance": 0.5,
    }
    assert config.for_family("trends")["break_after_year"] == 2009


def test_a_user_file_changes_a_period_without_touching_the_rest(tmp_path):
    override = tmp_path / "mine.yaml"
    override.write_text("change_in_rate:\n  periods: [[2019, 2024]]\nshared:\n  geography: as_published\n", encoding="utf-8")
    config = load_analysis_config(override, defaults=_defaults(tmp_path))
    family = config.for_family("change_in_rate")
    assert family["periods"] == [[2019, 2024]] and family["tolerance"] == 0.5
    assert family["geography"] == "as_published" and family["exclude_la_codes"] == ["E09000001", "E06000053"]
    assert str(override) in config.source


def test_an_unknown_section_or_broken_file_is_an_error_naming_the_file(tmp_path):
    override = tmp_path / "typo.yaml"
    override.write_text("change_in_rates:\n  tolerance: 1\n", encoding="utf-8")
    with pytest.raises(AnalysisConfigError, match=r"typo\.yaml.*change_in_rates"):
        load_analysis_config(override, defaults=_defaults(tmp_path))
    override.write_text("trends: [1, 2\n", encoding="utf-8")
    with pytest.raises(AnalysisConfigError, match=r"typo\.yaml"):
        load_analysis_config(override, defaults=_defaults(tmp_path))


def test_the_packaged_defaults_load():
    config = load_analysis_config()
    assert config.for_family("shared")["exclude_la_codes"]


def _settings_fields(cls, path: str):
    """Every field of a settings class and of the settings classes nested in it, as (dotted key, field)."""
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        yield f"{path}.{f.name}", f
        if dataclasses.is_dataclass(hints[f.name]):
            yield from _settings_fields(hints[f.name], f"{path}.{f.name}")


def test_config_yaml_is_the_one_source_of_the_analysis_defaults():
    config = load_analysis_config()
    assert set(config.sections) == {"shared", *families()}
    for family, spec in families().items():
        settings = spec.parse_config(family_settings(config, family))
        # no settings class keeps a default of its own: absent keys take config.yaml's values
        # (a section another family reads is passed in, not a setting of this one)
        own_defaults = [key for key, f in _settings_fields(type(settings), family)
                        if (f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING)
                        and key.split(".")[-1] not in spec.reads]
        assert own_defaults == [], own_defaults
        # and every key of the family's section is a setting the family reads
        keys = {key for key, _ in _settings_fields(type(settings), family)}
        section = config.for_family(family)
        assert {f"{family}.{key}" for key in section} <= keys, family
        assert spec.parse_config({}) == spec.parse_config(section)


def test_settings_reject_a_missing_analysis_file(tmp_path):
    with pytest.raises(SettingsError, match="CSC_ANALYSIS_CONFIG"):
        Settings.from_env({"CSC_ANALYSIS_CONFIG": str(tmp_path / "absent.yaml"), "CSC_DATA_LAKE": str(tmp_path)})


def _chart(path: Path) -> Path:
    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4])
    fig.savefig(path)
    plt.close(fig)
    return path


def _output(tmp_path: Path, family: str = "change_in_rate", value: float = 1.5) -> AnalysisOutput:
    frame = pl.DataFrame({"la_code": ["E06000001", "E06000002"], "avg_change": [value, -2.0]})
    table = AnalysisTable(
        f"analysis.{family}_demo", frame, "Average change per LA.",
        {"la_code": "GSS code of the LA.", "avg_change": "Mean year-on-year change of the rate."},
    )
    return AnalysisOutput(family, [table], [_chart(tmp_path / f"{family}.png")], [f"{family}: rates rose in 1 of 2 LAs."])


def test_tables_are_written_with_their_comments_and_report_items(tmp_path):
    con = duckdb.connect()
    rows = write_output(con, _output(tmp_path))
    assert rows == {"analysis.change_in_rate_demo": 2}
    comments = dict(con.sql(
        "SELECT column_name, comment FROM duckdb_columns() WHERE table_name = 'change_in_rate_demo'"
    ).fetchall())
    assert comments == {"la_code": "GSS code of the LA.", "avg_change": "Mean year-on-year change of the rate."}
    items = con.sql(f"SELECT kind, content FROM {REPORT_ITEMS} ORDER BY position").fetchall()
    assert [k for k, _ in items] == ["headline", "chart", "table"]
    # A second family's items sit beside the first; re-running a family replaces only its own.
    write_output(con, _output(tmp_path, "trends"))
    write_output(con, _output(tmp_path, value=9.0))
    assert con.sql(f"SELECT family, count(*) FROM {REPORT_ITEMS} GROUP BY 1 ORDER BY 1").fetchall() == [
        ("change_in_rate", 3), ("trends", 3)]
    assert con.sql("SELECT max(avg_change) FROM analysis.change_in_rate_demo").fetchone()[0] == 9.0


def test_an_undocumented_column_is_refused_and_the_old_table_kept(tmp_path):
    con = duckdb.connect()
    write_output(con, _output(tmp_path))
    bad = _output(tmp_path, value=7.0)
    bad.tables[0].columns.pop("avg_change")
    with pytest.raises(ValueError, match="avg_change"):
        write_output(con, bad)
    assert con.sql("SELECT max(avg_change) FROM analysis.change_in_rate_demo").fetchone()[0] == 1.5


def test_the_report_embeds_headlines_charts_and_tables(tmp_path):
    con = duckdb.connect()
    output = _output(tmp_path)
    write_output(con, output)
    page = render_report(con, True, "defaults.yaml", {"change_in_rate": "4. Change in rate", "trends": "1. Trends"})
    assert "SYNTHETIC DEMO DATA" in page
    assert "change_in_rate: rates rose in 1 of 2 LAs." in page
    assert base64.b64encode(output.charts[0].read_bytes()).decode() in page
    assert "analysis.change_in_rate_demo" in page and "E06000002" in page and "Mean year-on-year change" in page
    assert "1. Trends" not in page  # a family that recorded nothing gets no section
    path = write_report(tmp_path / "reports" / "report.html", page)
    assert path.read_text(encoding="utf-8") == page


def test_long_preview_cells_are_cut_with_the_full_text_as_tooltip(tmp_path):
    con = duckdb.connect()
    output = _output(tmp_path)
    long_text = "; ".join(f"E0600{i:04d} (no denominator)" for i in range(40))
    output.tables[0] = AnalysisTable(output.tables[0].name, output.tables[0].frame.with_columns(pl.lit(long_text).alias("las_excluded")),
                                     output.tables[0].description, {**output.tables[0].columns, "las_excluded": "LAs left out and why."})
    write_output(con, output)
    page = render_report(con, False, "defaults.yaml", {"change_in_rate": "4. Change in rate"})
    cut = long_text[:report.CELL_CHARS]
    assert f'<td title="{long_text}">{cut}&hellip;</td>' in page
    assert f">{long_text}<" not in page  # the full list is not shown in the cell itself
    assert "<td>E06000002</td>" in page  # short cells unchanged


def test_the_report_lists_rows_that_are_not_findings_by_their_status(tmp_path):
    con = duckdb.connect()
    output = _output(tmp_path)
    statuses = ["fitted", "n below minimum (4 LAs < min_las 10): not a finding"]
    output.tables[0] = AnalysisTable(output.tables[0].name, output.tables[0].frame.with_columns(pl.Series("status", statuses)),
                                     output.tables[0].description, {**output.tables[0].columns, "status": "fitted, or why not a finding."})
    write_output(con, output)
    page = render_report(con, False, "defaults.yaml", {"change_in_rate": "4. Change in rate"})
    assert "<strong>Not findings</strong>" in page
    assert "<li>1 row(s): n below minimum (4 LAs &lt; min_las 10): not a finding</li>" in page
    assert "row(s): fitted" not in page
    # a table whose rows are all findings gets no such list
    write_output(con, _output(tmp_path))
    assert "Not findings" not in render_report(con, False, "defaults.yaml", {"change_in_rate": "4. Change in rate"})
