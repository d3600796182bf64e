"""Mutated copies of real published files (in a temporary folder) fail, or are read, as they should."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest

from csc_pipeline.contracts import conform, load_contract, validate
from csc_pipeline.geography import default_resolver
from csc_pipeline.readers import ReadError, read_published

CLA_2025 = "dfe/cla/ees_release_2025/cla_number_and_rate_per_10k_children.csv"


def problems_of(path: Path, contract_name: str = "cla_number_and_rate"):
    contract = load_contract(contract_name)
    frame, problems = conform(read_published(path, contract), contract, path.name)
    return frame, problems + validate(frame, contract, default_resolver().known_codes())


@pytest.fixture
def cla_text(real_dir) -> str:
    return (real_dir / CLA_2025).read_bytes().decode("utf-8-sig")


def write(tmp_path: Path, text: str, encoding: str = "utf-8", bom: bool = False) -> Path:
    path = tmp_path / "cla_number_and_rate_per_10k_children.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return path


def test_the_real_file_itself_passes(tmp_path, cla_text):
    frame, problems = problems_of(write(tmp_path, cla_text, bom=True))
    assert problems == [] and frame.height > 2000


def test_renamed_column_names_the_nearest_alias(tmp_path, cla_text):
    header, rest = cla_text.split("\n", 1)
    _, problems = problems_of(write(tmp_path, header.replace("children_count", "child_count") + "\n" + rest))
    messages = {p.column: p.message for p in problems}
    assert "nearest known column: 'children_count'" in messages["child_count"]
    assert "required column missing" in messages["children_count"]


def test_dropped_column_is_reported_with_its_known_names(tmp_path, cla_text):
    frame = pl.read_csv(write(tmp_path, cla_text), infer_schema=False).drop("rate_per_10000")
    frame.write_csv(tmp_path / "dropped.csv")
    _, problems = problems_of(tmp_path / "dropped.csv")
    assert any(p.column == "rate_per_10000" and "required column missing" in p.message for p in problems)


def test_unknown_symbol_is_located(tmp_path, cla_text):
    lines = cla_text.split("\n")
    lines[10] = lines[10].rsplit(",", 1)[0] + ",?"
    _, problems = problems_of(write(tmp_path, "\n".join(lines)))
    assert [(p.row, p.column, p.value) for p in problems] == [(11, "rate_per_10000", "?")]
    assert "known symbol" in problems[0].message


def test_shuffled_columns_and_header_case_read_the_same(tmp_path, cla_text):
    original, _ = problems_of(write(tmp_path, cla_text))
    shuffled = pl.read_csv(tmp_path / "cla_number_and_rate_per_10k_children.csv", infer_schema=False)
    columns = list(reversed(shuffled.columns))
    shuffled.select(columns).rename({"rate_per_10000": "Rate_Per_10000"}).write_csv(tmp_path / "shuffled.csv")
    frame, problems = problems_of(tmp_path / "shuffled.csv")
    assert problems == []
    assert frame.drop("source_file").equals(original.drop("source_file"))


def test_cp1252_and_bom_variants_decode_to_the_same_cells(tmp_path, cla_text):
    baseline, _ = problems_of(write(tmp_path, cla_text))
    for name, path in {
        "bom": write(tmp_path, cla_text, bom=True),
        "cp1252": write(tmp_path, cla_text.replace("Bristol, City of", "Bristol, City of \u2013"), encoding="cp1252"),
    }.items():
        frame, problems = problems_of(path)
        assert problems == [], name
        assert frame.height == baseline.height, name
    assert "Bristol, City of \u2013" in frame["la_name"].to_list()


def test_truncated_file_names_the_broken_row(tmp_path, cla_text):
    cut = cla_text[: len(cla_text) // 2]
    cut = cut[: cut.rfind(",")]  # stop mid-row
    with pytest.raises(ReadError, match=r"row \d+: \d+ fields where the header has 14 \(truncated or malformed file\?\)"):
        problems_of(write(tmp_path, cut))


def test_title_rows_above_the_header_are_named(tmp_path, cla_text):
    with pytest.raises(ReadError, match=r"row 3: data in column B, which has no header"):
        problems_of(write(tmp_path, "Children looked after,,,\n\n" + cla_text))


def test_wrong_sheet_name_lists_the_sheets(real_dir):
    from csc_pipeline.readers import read_excel

    contract = replace(load_contract("cla_number_and_rate"), reader="excel",
                       reader_options={"sheet": "ILACS history", "header_row": 2})
    with pytest.raises(ReadError, match=r"no sheet 'ILACS history'; sheets are \[.*'ILACS_inspection_history'"):
        read_excel(real_dir / "ofsted/LA_Inspection_Outcomes_as_at_31_March_2025.ods", contract)
