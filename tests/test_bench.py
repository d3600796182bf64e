"""``csc bench``'s pieces that need no refresh: the I/O floor's reader, the percentiles, the table."""

from __future__ import annotations

import csv

import polars as pl
import pytest

from csc_pipeline import bench
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
