"""Contracts: header aliases, structural problems and pandera failures located by file/row/column."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from csc_pipeline.contracts import conform, header_key, load_contract, validate
from csc_pipeline.readers import ReadError, read_published

HEADER_2024 = ("time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,"
               "old_la_code,la_name,new_la_code,population_count,population_estimate,number,rate_per_10000")
KNOWN = frozenset({"E06000001", "E06000002"})


def cla_file(tmp_path: Path, rows: list[str], header: str = HEADER_2024, name: str = "cla.csv") -> Path:
    path = tmp_path / name
    path.write_text("\ufeff" + "\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def la_row(code: str = "E06000001", year: int = 2024, number: str = "120", rate: str = "60",
           measure: str = "Children looked after at 31 March each year") -> str:
    name = {"E06000001": "Hartlepool", "E06000002": "Middlesbrough"}.get(code, "Nowhere")
    return (f"{year},Reporting year,Local authority,E92000001,England,E12000001,North East,805,{name},{code},"
            f"{measure},20000,{number},{rate}")


def check(path: Path):
    contract = load_contract("cla_number_and_rate")
    frame, structural = conform(read_published(path, contract), contract, path.name)
    return frame, structural + validate(frame, contract, KNOWN)


def test_header_key_reconciles_camel_and_snake_case():
    assert header_key("Re_referrals_percent") == header_key("re_referrals_percent")
    assert header_key("ReferralsRatePer10K") == header_key("referrals_rate_per10_k")
    assert header_key(" \ufeffNumber ") == "number"


def test_valid_file_passes_and_keeps_source_rows(tmp_path):
    frame, problems = check(cla_file(tmp_path, [la_row(), la_row("E06000002", number="c", rate="c")]))
    assert problems == []
    assert frame["source_row"].to_list() == [2, 3]
    assert frame["measure"].to_list() == ["cla_at_31_march"] * 2


def test_2025_column_names_are_aliases_of_the_same_contract(tmp_path):
    header = HEADER_2024.replace("population_count", "population_type").replace(",number,", ",children_count,")
    row = la_row(measure="Children looked after on 31 March each year")
    frame, problems = check(cla_file(tmp_path, [row], header=header))
    assert problems == []
    assert frame.select("measure", "children_count").row(0) == ("cla_at_31_march", "120")


def test_missing_column_names_the_column_and_its_aliases(tmp_path):
    header = HEADER_2024.replace(",rate_per_10000", "")
    rows = [la_row().rsplit(",", 1)[0]]
    _, problems = check(cla_file(tmp_path, rows, header=header))
    missing = [p for p in problems if p.column == "rate_per_10000" and "missing" in p.message]
    assert missing, problems


def test_renamed_column_suggests_the_nearest_known_name(tmp_path):
    header = HEADER_2024.replace("rate_per_10000", "rate_per_10k")
    _, problems = check(cla_file(tmp_path, [la_row()], header=header))
    unexpected = next(p for p in problems if p.column == "rate_per_10k")
    assert "nearest known column: 'rate_per_10000'" in unexpected.message


@pytest.mark.parametrize(
    ("row", "column", "value", "fragment"),
    [
        (la_row(number="twelve"), "children_count", "twelve", "not a number"),
        (la_row(rate="-4"), "rate_per_10000", "-4", "out of range"),
        (la_row(code="E07000026"), "new_la_code", "E07000026", "LA reference"),
        (la_row(measure="Children adopted"), "measure", "Children adopted", "not an allowed value"),
    ],
)
def test_bad_values_are_located_by_file_row_column_and_value(tmp_path, row, column, value, fragment):
    _, problems = check(cla_file(tmp_path, [la_row("E06000002"), row]))
    assert len(problems) == 1, problems
    problem = problems[0]
    assert (problem.file, problem.row, problem.column, problem.value) == ("cla.csv", 3, column, value)
    assert fragment in problem.message


def test_duplicate_la_year_is_a_failure(tmp_path):
    _, problems = check(cla_file(tmp_path, [la_row(), la_row(number="121")]))
    assert {p.row for p in problems} == {2, 3}
    assert all("duplicate key" in p.message for p in problems)


def test_truncated_row_is_a_read_error_naming_the_row(tmp_path):
    path = cla_file(tmp_path, [la_row(), la_row("E06000002")[:40]])
    with pytest.raises(ReadError, match=r"cla.csv, row 3: \d+ fields"):
        read_published(path, load_contract("cla_number_and_rate"))


def test_cp1252_files_are_decoded(tmp_path):
    path = tmp_path / "old.csv"
    path.write_bytes((HEADER_2024 + "\n" + la_row().replace("Hartlepool", "Hartlepool \u2013 test") + "\n").encode("cp1252"))
    frame = read_published(path, load_contract("cla_number_and_rate"))
    assert frame["la_name"].to_list() == ["Hartlepool \u2013 test"]


def test_suppression_symbols_never_become_numbers(tmp_path):
    frame, problems = check(cla_file(tmp_path, [la_row(number="x", rate="z")]))
    assert problems == []
    assert frame.select(pl.col("children_count"), pl.col("rate_per_10000")).row(0) == ("x", "z")


def test_excel_reader_finds_the_header_below_title_rows_and_names_a_wrong_sheet(tmp_path):
    from dataclasses import replace

    from csc_pipeline.demo.generator import generate_demo
    from csc_pipeline.readers import read_excel

    generate_demo(tmp_path)
    ods = tmp_path / "ofsted/LA_Inspection_Outcomes_as_at_31_March_2025.ods"
    contract = replace(load_contract("cla_number_and_rate"), reader="excel",
                       reader_options={"sheet": "ILACS_inspection_history", "header_first_cell": "Web link"})
    frame = read_excel(ods, contract)
    assert frame.columns[:3] == ["Web link", "Local authority area code", "Local authority name"]
    assert frame["source_row"][0] == 4  # title rows 1-2, header row 3
    assert frame["Local authority area code"].str.contains(r"^E\d{8}$").all()
    with pytest.raises(ReadError, match=r"no sheet 'ILACS'; sheets are \["):
        read_excel(ods, replace(contract, reader_options={"sheet": "ILACS", "header_row": 2}))


def test_keep_rows_keeps_only_matching_rows_and_ignore_columns_drops_declared_columns(tmp_path):
    from dataclasses import replace

    contract = replace(load_contract("cla_number_and_rate"), keep_rows={"new_la_code": r"^E06"},
                       ignore_columns=(r"^memo_",))
    header = HEADER_2024 + ",memo_spend,surprise"
    rows = [la_row() + ",1,2", la_row("E06000002") + ",3,4",
            la_row().replace("E06000001", "E10000002") + ",5,6",
            la_row().replace(",E06000001,", ",,") + ",7,8"]
    frame, problems = conform(read_published(cla_file(tmp_path, rows, header=header), contract), contract, "cla.csv")
    assert frame["new_la_code"].to_list() == ["E06000001", "E06000002"]  # E10 and blank codes dropped
    assert "memo_spend" not in frame.columns
    assert [(p.column, "unexpected column" in p.message) for p in problems] == [("surprise", True)]


def test_csv_reader_drops_empty_trailing_columns_but_not_empty_headers_over_values(tmp_path):
    contract = load_contract("cla_number_and_rate")
    path = cla_file(tmp_path, [la_row() + ",,", la_row("E06000002") + ",,"], header=HEADER_2024 + ",,")
    frame = read_published(path, contract)
    assert frame.columns[-3:] == ["rate_per_10000", "source_file", "source_row"]
    path = cla_file(tmp_path, [la_row() + ",,9", la_row("E06000002") + ",,"], header=HEADER_2024 + ",,")
    frame = read_published(path, contract)  # the blank header over a value is kept ...
    _, problems = conform(frame, contract, "cla.csv")
    assert [(p.column, "unexpected column" in p.message) for p in problems] == [("", True)]  # ... and reported
