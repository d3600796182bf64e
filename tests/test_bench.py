"""``csc bench``'s pieces that need no refresh: the I/O floor's reader, the percentiles, the table."""

from __future__ import annotations

import csv

import polars as pl
import pytest

from csc_pipeline import bench, scale_bench
from csc_pipeline.demo.formats import xlsx_bytes


def test_the_io_floor_reads_every_csv_parquet_and_workbook_whatever_its_layout_or_encoding(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    # a title row above the header, a ragged row, a quoted line break: as publications have them
    (tmp_path / "a" / "titled.csv").write_text('Table 1,,\nla,count,rate\nE1,"1\n2",3\nE2,4\n', encoding="utf-8")
    (tmp_path / "a" / "b" / "old.csv").write_bytes("la,note\nE1,café – €\n".encode("cp1252"))
    pl.DataFrame({"la": ["E1", "E2"], "value": [1.5, None]}).write_parquet(tmp_path / "a" / "p.parquet")
    (tmp_path / "w.xlsx").write_bytes(xlsx_bytes([("One", [["la", "n"], ["E1", 1]]), ("Two", [["x"], [2.5]])], "title"))
    (tmp_path / "README.md").write_text("not data\n")

    files, size = bench.read_every_file(tmp_path)

    assert files == 4
    assert size == sum(p.stat().st_size for p in tmp_path.rglob("*") if p.suffix in {".csv", ".parquet", ".xlsx"})


def test_an_unreadable_workbook_is_an_error_not_a_short_floor(tmp_path):
    (tmp_path / "broken.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(Exception, match="(?i)zip|invalid|format|workbook"):
        bench.read_every_file(tmp_path)


def test_nearest_rank_percentiles():
    values = [float(v) for v in range(1, 21)]  # 1..20 s, shuffled
    values = values[7:] + values[:7]
    assert bench._percentile(values, 0.95) == 19.0
    assert bench._percentile(values, 0.5) == 10.0
    assert bench._percentile([3.0], 0.95) == 3.0


def test_the_table_and_csv_carry_every_measurement(tmp_path):
    measurements = [
        bench.Measurement("io_floor", 2.0, cpu_s=1.9, peak_rss_mib=210.0, note="3 files"),
        bench.Measurement("full_refresh", 50.0, cpu_s=60.0, step_time_sum_s=40.0, runs=28, peak_rss_mib=1700.0,
                          wall_over_floor=25.0, steps_over_floor=20.0),
        bench.Measurement("query:la_series", 0.004, p95_s=0.006, wall_over_floor=0.002),
    ]
    text = bench.table_text(measurements)
    assert text.splitlines()[3].startswith("| full_refresh | 50.0 |  | 60.0 | 40.0 | 28 | 1,700 | 25.0 | 20.0 |")
    assert "| query:la_series | 0.0040 | 0.0060 |" in text

    path = bench.write_csv(measurements, tmp_path / "bench", "mirror")
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["measurement"] for r in rows] == ["io_floor", "full_refresh", "query:la_series"]
    assert rows[1]["runs"] == "28" and float(rows[1]["steps_over_floor"]) == 20.0 and rows[0]["runs"] == ""


def test_a_data_lake_with_something_in_it_is_refused(tmp_path):
    from csc_pipeline.settings import Settings

    (tmp_path / "lake" / "warehouse").mkdir(parents=True)
    with pytest.raises(bench.BenchError, match="not empty"):
        bench.run_bench(Settings(source_mode="demo", data_lake=tmp_path / "lake"))


# -- the scale series (csc bench --scale) -----------------------------------------------------------

QUICK_YEARS = (2015, 2017)  # the deprivation period: every family has values to work on


@pytest.mark.integration  # a child process per scale, each running the SQL models and three families (~10 s idle)
def test_the_scale_series_measures_every_step_at_each_scale_and_scale_k_has_k_times_the_panel(tmp_path):
    series = scale_bench.run_scale_series((2, 1), tmp_path, say=lambda _: None, years=QUICK_YEARS)

    by_key = {(m.scale, m.step): m for m in series}
    assert sorted(by_key) == sorted((scale, step) for scale in (1, 2) for step in (*scale_bench.STEPS, "total"))
    for m in series:
        assert m.wall_s > 0 and m.cpu_s > 0 and m.peak_rss_mib > 0, m
    one, two = by_key[(1, "panel")].panel_rows, by_key[(2, "panel")].panel_rows
    assert one > 0 and two == 2 * one
    assert by_key[(1, "panel")].time_per_row_vs_1x == 1.0
    assert by_key[(2, "panel")].time_per_row_vs_1x == pytest.approx(
        (by_key[(2, "panel")].wall_s / two) / (by_key[(1, "panel")].wall_s / one))
    # the families really ran on the synthetic panel: results, not empty tables
    for step in scale_bench.ANALYSES:
        assert int(by_key[(1, step)].note.split(" result rows")[0].replace(",", "")) > 0, by_key[(1, step)].note
    # the total is the child's: at least its steps' time, its peak the largest step's
    assert by_key[(2, "total")].wall_s >= sum(by_key[(2, s)].wall_s for s in scale_bench.STEPS)
    assert by_key[(2, "total")].peak_rss_mib == max(by_key[(2, s)].peak_rss_mib for s in (*scale_bench.STEPS, "total"))
    assert not list(tmp_path.glob("scale-*")), "a finished scale's warehouse is removed"

    text = scale_bench.table_text(series)
    assert "| 2x | harmonisation |" in text and "| 1x | total |" in text
    with bench.write_csv(series, tmp_path, "scale").open(encoding="utf-8") as f:
        assert len(list(csv.DictReader(f))) == len(series)


def test_a_scale_over_the_memory_guard_is_stopped_and_reported(tmp_path):
    series = scale_bench.run_scale_series((1,), tmp_path, say=lambda _: None, rss_guard_mib=60, years=QUICK_YEARS)
    stopped = [m for m in series if "stopped in" in m.note]
    assert len(stopped) == 1 and stopped[0].wall_s is None and stopped[0].note.endswith("passed the 60 MiB guard")
    assert series[-1].step == "total" and series[-1].peak_rss_mib > 60


def test_a_scale_past_its_time_limit_keeps_the_steps_it_finished_and_says_where_it_stopped(tmp_path):
    series = scale_bench.run_scale_series((1,), tmp_path, say=lambda _: None, years=QUICK_YEARS, timeout_s=3)
    *steps, total = series
    stopped = [m for m in steps if "over the time limit of 3 s" in m.note]
    assert len(stopped) == 1 and stopped[0].note.split("stopped in ")[1].split(":")[0]
    assert all(m.wall_s > 0 for m in steps if m is not stopped[0] and m.wall_s is not None)
    reported = [m.step for m in steps]
    assert reported == list(scale_bench.STEPS[:len(reported)]) or reported == ["start-up"]  # a slow machine: still importing
    assert total.step == "total" and 3 <= total.wall_s < 10 and not list(tmp_path.glob("scale-*"))


def test_the_scaled_reference_copies_authorities_with_their_boundary_changes_and_units():
    one, three = scale_bench.scaled_reference(1), scale_bench.scaled_reference(3)
    for table in ("ref.local_authorities", "ref.boundary_changes", "ref.combined_units"):
        assert three[table].height == 3 * one[table].height
    authorities = three["ref.local_authorities"]
    assert authorities["la_code"].n_unique() == 3 * one["ref.local_authorities"]["la_code"].n_unique()
    assert authorities["authority_id"].n_unique() == 3 * one["ref.local_authorities"]["authority_id"].n_unique()
    codes = set(authorities["la_code"].to_list())
    changes = three["ref.boundary_changes"]
    assert set(changes["predecessor_code"].to_list()) | set(changes["successor_code"].to_list()) <= codes
    units = three["ref.combined_units"]
    assert set(units["member_code"].to_list()) <= codes
    assert all(member in unit.split(" / ") for unit, member in units.select("unit_code", "member_code").iter_rows())
    assert three["ref.indicators"].equals(one["ref.indicators"])


def test_scales_are_whole_numbers_from_one():
    assert scale_bench.parse_scales("10,1, 100,10") == (1, 10, 100)
    for bad in ("", "0,1", "1,ten", "1.5"):
        with pytest.raises(ValueError, match="whole numbers"):
            scale_bench.parse_scales(bad)
