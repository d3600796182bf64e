"""Contracts: header aliases, structural problems and pandera failures located by file/row/column."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from dataclasses import replace

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


def test_excel_reader_finds_the_header_below_title_rows_and_names_a_wrong_sheet(shared_demo_settings):
    from dataclasses import replace

    from csc_pipeline.acquire import ensure_demo_source
    from csc_pipeline.readers import read_excel

    ods = ensure_demo_source(shared_demo_settings) / "ofsted/LA_Inspection_Outcomes_as_at_31_March_2025.ods"
    contract = replace(load_contract("cla_number_and_rate"), reader="excel",
                       reader_options={"sheet": "ILACS_inspection_history", "header_first_cell": "Web link"})
    frame = read_excel(ods, contract)
    assert frame.columns[:3] == ["Web link", "Local authority area code", "Local authority name"]
    assert frame["source_row"][0] == 4  # title rows 1-2, header row 3
    assert frame["Local authority area code"].str.contains(r"^E\d{8}$").all()
    with pytest.raises(ReadError, match=r"no sheet 'ILACS'; sheets are \["):
        read_excel(ods, replace(contract, reader_options={"sheet": "ILACS", "header_row": 2}))


def feature_contract(tmp_path: Path, extra: str) -> object:
    """A small contract with the given extra YAML, read from a scratch schemas folder."""
    folder = tmp_path / "schemas"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "features.yaml").write_text(
        "contract: features\nreader: csv\ncolumns:\n"
        "  code:   {kind: text, not_null: true}\n"
        "  level:  {kind: text, not_null: true}\n"
        "  period: {kind: text, not_null: true, value_pattern: '^\\d{4}/\\d{2}$'}\n"
        "  value:  {kind: number}\n"
        "unique: [code, period]\n" + extra,
        encoding="utf-8",
    )
    return load_contract("features", folder)


def run(tmp_path: Path, contract, lines: list[str], known=KNOWN):
    path = tmp_path / "features.csv"
    path.write_text("\n".join(["code,level,period,value", *lines]) + "\n", encoding="utf-8")
    frame, structural = conform(read_published(path, contract), contract, path.name)
    return frame, structural + validate(frame, contract, known)


def test_value_pattern_names_the_row_and_value(tmp_path):
    contract = feature_contract(tmp_path, "")
    _, problems = run(tmp_path, contract, ["a,LA,2019/20,1", "b,LA,Spring 2020,2"])
    assert [(p.row, p.column, p.value) for p in problems] == [(3, "period", "Spring 2020")]
    assert "does not match the pattern" in problems[0].message


def test_skip_matching_drops_rows_whose_cell_matches(tmp_path):
    contract = feature_contract(tmp_path, "la_code_column: code\nskip_matching: {code: '^E(07|92)'}\n")
    frame, problems = run(tmp_path, contract, ["E06000001,LA,2019/20,1", "E07000026,LA,2019/20,2", "E92000001,X,2019/20,3"])
    assert problems == [] and frame["code"].to_list() == ["E06000001"]
    _, problems = run(tmp_path, contract, ["E06000001,LA,2019/20,1", "E08000999,LA,2019/20,2"])
    assert [(p.row, p.value) for p in problems] == [(3, "E08000999")]


def test_la_level_not_matching_keeps_district_rows_unchecked(tmp_path):
    # Lower-tier districts kept (to be aggregated to their county) but not checked as authorities.
    contract = feature_contract(tmp_path, "la_code_column: code\nla_level: {column: code, not_matching: '^E07'}\n")
    frame, problems = run(tmp_path, contract, ["E06000001,LA,2019/20,1", "E07000026,LA,2019/20,2"])
    assert problems == [] and frame["code"].to_list() == ["E06000001", "E07000026"]
    _, problems = run(tmp_path, contract, ["E06000001,LA,2019/20,1", "E08000999,LA,2019/20,2"])
    assert [(p.row, p.value) for p in problems] == [(3, "E08000999")]


def test_three_digit_codes_are_checked_on_rows_not_excluded_by_la_level(tmp_path):
    from csc_pipeline.geography import default_resolver
    from csc_pipeline.conformed import resolve_la_identifiers

    contract = feature_contract(tmp_path, "la_code3_column: code\nla_level: {column: level, not_values: [NA]}\n")
    frame, problems = run(tmp_path, contract, ["805,North East,2019/20,1", "970,NA,2019/20,2", "999,North East,2019/20,3"])
    assert problems == []
    frame = frame.with_columns(pl.lit(None, dtype=pl.Int64).alias("period"))
    resolved, problems = resolve_la_identifiers(frame, contract, default_resolver())
    assert [(p.row, p.column, p.value) for p in problems] == [(4, "code", "999")]
    assert "DfE 3-digit LA code does not resolve to a known authority" in problems[0].message
    assert resolved["la_code"].to_list() == ["E06000001", None, None]


def test_identical_repeats_are_kept_once_only_when_the_contract_says_so(tmp_path):
    lines = ["a,LA,2019/20,1", "a,LA,2019/20,1", "b,LA,2019/20,2"]
    _, problems = run(tmp_path, feature_contract(tmp_path, ""), lines)
    assert {p.row for p in problems} == {2, 3}
    frame, problems = run(tmp_path, feature_contract(tmp_path / "x", "drop_identical_duplicates: true\n"), lines)
    assert problems == [] and frame["source_row"].to_list() == [2, 4]
    _, problems = run(tmp_path, feature_contract(tmp_path / "y", "drop_identical_duplicates: true\n"), [*lines, "a,LA,2019/20,9"])
    assert {p.row for p in problems} == {2, 5} and all("duplicate key" in p.message for p in problems)


@pytest.mark.parametrize(("extra", "fragment"), [
    ("skip_matching: {code: '(unclosed'}\n", "bad regular expression"),
    ("la_level: {column: level}\n", "la_level needs a column and one of value, values, not_values or not_matching"),
    ("la_level: {column: level, value: LA, not_values: [NA]}\n", "la_level needs"),
    ("column_patterns: {v: {pattern: '^v$', kind: number, change: money}}\n", "change kinds ['money'] are not in"),
    ("completeness: {max_lost_share: 0.5}\n", "completeness takes max_lost_share (0 to 1) and the reason"),
    ("completeness: {share: 0.5, reason: x}\n", "completeness takes max_lost_share"),
    ("year_column: when\n", "year_column 'when' is not a column"),
])
def test_malformed_contract_features_are_contract_errors(tmp_path, extra, fragment):
    from csc_pipeline.contracts import ContractError

    with pytest.raises(ContractError, match=re.escape(fragment)):
        feature_contract(tmp_path, extra)
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


# ------------------------------------------------------------------------------------------
# Wide files with the year in their column names; ignored columns; LA levels
# ------------------------------------------------------------------------------------------
WIDE_CONTRACT = """
contract: wide
title: test
reader: csv
columns:
  code:  {kind: text, not_null: true}
  level: {kind: text}
column_patterns:
  count: {pattern: '^(Count|Total_)(?P<year>\\d{4})?$', kind: number, min: 0, period_offset: 0}
  rate:  {pattern: '^Rate(?P<year>\\d{4})$', kind: number, min: 0}
year_corrections:
  - {release: "2015", header: Count2014, year: 2015, reason: mislabelled by the publisher}
ignore_columns: ['^Breakdown_']
unique: [code, year]
la_code_column: code
la_level: {column: level, values: [LA, null]}
"""


@pytest.fixture
def wide_contract(tmp_path):
    (tmp_path / "wide.yaml").write_text(WIDE_CONTRACT, encoding="utf-8")
    return load_contract("wide", tmp_path)


def wide(tmp_path: Path, header: str, *rows: str, release: str | None = "2015", period: int | None = 2015,
         contract=None):
    path = tmp_path / "wide.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    frame, problems = conform(read_published(path, contract), contract, path.name, release=release, period=period)
    return frame, problems + validate(frame, contract, KNOWN)


def test_year_columns_become_one_row_per_year_with_the_published_header(tmp_path, wide_contract):
    frame, problems = wide(tmp_path, "code,level,Rate2014,Rate2015,Breakdown_a", "E06000001,LA,50,55,3",
                           period=None, contract=wide_contract)
    assert problems == []
    assert frame.select("code", "year", "rate", "rate_header", "count", "source_row").rows() == [
        ("E06000001", "2014", "50", "Rate2014", None, 2),
        ("E06000001", "2015", "55", "Rate2015", None, 2),
    ]
    assert "Breakdown_a" not in frame.columns


def test_a_header_year_that_is_not_the_files_year_fails_unless_corrected_for_that_release(tmp_path, wide_contract):
    _, problems = wide(tmp_path, "code,level,Count2014", "E06000001,LA,5", release="2016", period=2016,
                       contract=wide_contract)
    assert [(p.file, p.column) for p in problems] == [("wide.csv", "Count2014")]
    assert "says year 2014 but this file covers year 2016" in problems[0].message
    assert "year_corrections" in problems[0].message
    frame, problems = wide(tmp_path, "code,level,Count2014", "E06000001,LA,5", contract=wide_contract)
    assert problems == [] and frame.select("year", "count", "count_header").row(0) == ("2015", "5", "Count2014")


def test_a_header_without_a_year_takes_the_entrys_period(tmp_path, wide_contract):
    frame, problems = wide(tmp_path, "code,level,Count", "E06000001,LA,5", period=2012, release="2012",
                           contract=wide_contract)
    assert problems == [] and frame.select("year", "count").row(0) == ("2012", "5")
    _, problems = wide(tmp_path, "code,level,Count", "E06000001,LA,5", period=None, contract=wide_contract)
    assert [p.column for p in problems] == ["Count"] and "no period" in problems[0].message


def test_year_column_mistakes_are_reported(tmp_path, wide_contract):
    _, problems = wide(tmp_path, "code,level,Count2015,Total_2015", "E06000001,LA,5,6", contract=wide_contract)
    assert [(p.column, p.message) for p in problems] == [("Total_2015", "two columns map to 'count' for year 2015")]
    _, problems = wide(tmp_path, "code,level,Breakdown_a,Other", "E06000001,LA,5,6", contract=wide_contract)
    messages = sorted(p.message.split(":")[0].split(";")[0].split(".")[0] for p in problems)
    assert messages == ["no column matches a year pattern", "unexpected column"]
    assert next(p for p in problems if p.message.startswith("unexpected")).column == "Other"


def test_bad_values_in_year_columns_are_located(tmp_path, wide_contract):
    _, problems = wide(tmp_path, "code,level,Count2015", "E06000001,LA,5", "E06000002,LA,-1",
                       "E06000002,,x", contract=wide_contract)
    found = sorted((p.row, p.column or "", p.value or "", p.message.split(":")[0]) for p in problems)
    assert found == [(3, "", "", "duplicate key"), (3, "count", "-1", "out of range"), (4, "", "", "duplicate key")]


def test_la_level_values_include_blank_levels(tmp_path, wide_contract):
    _, problems = wide(tmp_path, "code,level,Count2015", "E07000026,,5", "E07000027,REGION,5", contract=wide_contract)
    assert [(p.row, p.column, p.value) for p in problems] == [(2, "code", "E07000026")]


def test_contract_files_with_bad_year_settings_are_rejected(tmp_path):
    from csc_pipeline.contracts import ContractError

    bad_offset = WIDE_CONTRACT.replace("level: {kind: text}", "level: {kind: text, period_offset: 0}")
    (tmp_path / "a.yaml").write_text(bad_offset.replace("contract: wide", "contract: a"), encoding="utf-8")
    with pytest.raises(ContractError, match="period_offset needs a pattern"):
        load_contract("a", tmp_path)
    no_reason = WIDE_CONTRACT.replace(", reason: mislabelled by the publisher", "")
    (tmp_path / "b.yaml").write_text(no_reason.replace("contract: wide", "contract: b"), encoding="utf-8")
    with pytest.raises(ContractError, match=r"missing \['reason'\]"):
        load_contract("b", tmp_path)


def test_csv_columns_with_a_blank_header_are_dropped_when_empty_and_rejected_when_not(tmp_path, wide_contract):
    frame, problems = wide(tmp_path, "code,level,Count2015,,", "E06000001,LA,5,,", contract=wide_contract)
    assert problems == [] and frame["count"].to_list() == ["5"]
    with pytest.raises(ReadError, match=r"wide.csv, row 3: data in column D, which has no header"):
        wide(tmp_path, "code,level,Count2015,", "E06000001,LA,5,", "E06000002,LA,5,7", contract=wide_contract)


def test_excel_header_rows_combine_group_labels_and_name_blank_headers(tmp_path):
    from csc_pipeline.demo.formats import ods_bytes
    from csc_pipeline.readers import read_excel

    rows = [
        ["Table 1: a title"],
        [None, None, "numbers3", None, None, "rates4", None],
        [None, None, "2009", "2010", None, "2009", "2010"],
        ["1", "Hartlepool", "150", "165", None, "73", "81"],
        [None, "1. A footnote"],
    ]
    path = tmp_path / "t.ods"
    path.write_bytes(ods_bytes([("LAA1", rows)], title="test"))
    contract = replace(load_contract("cla_number_and_rate"), reader="excel", reader_options={
        "sheet": "LAA1", "header_first_cell": "2009", "header_rows": 2, "header_names": {"B": "area"}})
    frame = read_excel(path, contract)
    assert frame.columns[:5] == ["area", "numbers3 2009", "numbers3 2010", "rates4 2009", "rates4 2010"]
    assert frame.row(0)[:5] == ("Hartlepool", "150", "165", "73", "81") and frame["source_row"].to_list() == [4]
    with pytest.raises(ReadError, match=r"column C should have a blank header to be named 'area', but has header '2009'"):
        read_excel(path, replace(contract, reader_options=contract.reader_options | {"header_names": {"C": "area"}}))


# Dates, sheets named differently by releases, stacked tables, repeated headers, CSV or workbook,
# and LA identifiers resolved for the year of a date or for the entry's period
# ------------------------------------------------------------------------------------------
TINY_CONTRACT = """
contract: tiny
title: test contract
reader: {reader}
sheet: [Old name, New name]
header_first_cell: Name
stacked_tables: true
repeated_headers: number
columns:
  name:       {{kind: text, not_null: true, aliases: [Name]}}
  published:  {{kind: date, aliases: [Published, Former published]}}
  code:       {{kind: text, required: false, aliases: [Code]}}
  score_1:    {{kind: text, required: false, aliases: [Score_1]}}
  score_2:    {{kind: text, required: false, aliases: [Score_2]}}
la_name_column: name
la_name_dates: [published]
la_code_columns: [code]
"""


def tiny_contract(tmp_path: Path, reader: str = "excel"):
    schemas = tmp_path / "schemas"
    schemas.mkdir(exist_ok=True)
    (schemas / "tiny.yaml").write_text(TINY_CONTRACT.format(reader=reader), encoding="utf-8")
    (schemas / "_symbols.yaml").write_text((Path(__file__).parents[1] / "schemas/_symbols.yaml").read_text())
    return load_contract("tiny", schemas)


def test_date_columns_accept_date_cells_and_locate_anything_else(tmp_path):
    import polars as pl

    contract = tiny_contract(tmp_path)
    frame = pl.DataFrame({
        "name": ["a", "b", "c", "d"],
        "published": ["2019-04-01T00:00:00", "2019-04-01", "01/04/2019", "2019-02-30"],
        "code": [None] * 4, "score_1": [None] * 4, "score_2": [None] * 4,
        "source_file": ["f.ods"] * 4, "source_row": [4, 5, 6, 7],
    }, schema_overrides={c: pl.String for c in ("code", "score_1", "score_2")})
    problems = validate(frame, contract)
    assert [(p.file, p.row, p.column, p.value) for p in problems] == [
        ("f.ods", 6, "published", "01/04/2019"), ("f.ods", 7, "published", "2019-02-30")]
    assert all("not a date" in p.message for p in problems)


def test_stacked_tables_on_a_renamed_sheet_are_read_under_canonical_names(tmp_path):
    import datetime as dt

    from csc_pipeline.demo.formats import ods_bytes

    contract = tiny_contract(tmp_path)
    sheet = [
        ["A title"], ["A note"],
        ["Name", "Published", "Score", "Score"],
        ["Dorset", dt.date(2021, 11, 19), "Good", "Good"],
        [],
        ["Authorities that no longer exist"],
        ["Name", "Former published"],
        ["Dorset", dt.date(2011, 10, 28)],
    ]
    path = tmp_path / "stacked.ods"
    path.write_bytes(ods_bytes([("Cover", [["x"]]), ("New name", sheet)], title="test"))
    frame = read_published(path, contract)  # each table's headers already under canonical names
    assert frame.select("name", "score_1", "score_2", "source_row").rows() == [("Dorset", "Good", "Good", 4), ("Dorset", None, None, 8)]
    assert [d[:10] for d in frame["published"]] == ["2021-11-19", "2011-10-28"]
    conformed, problems = conform(frame, contract, path.name)
    assert problems == [] and conformed["score_2"].to_list() == ["Good", None]

    sheet[6][1] = "Date of publication"  # a header the contract does not know
    path.write_bytes(ods_bytes([("New name", sheet)], title="test"))
    _, problems = conform(read_published(path, contract), contract, path.name)
    assert [(p.column, "unexpected column" in p.message) for p in problems] == [("Date of publication", True)]
    path.write_bytes(ods_bytes([("Another name", sheet)], title="test"))
    with pytest.raises(ReadError, match=r"no sheet \['Old name', 'New name'\]"):
        read_published(path, contract)


def test_repeated_headers_are_numbered_only_when_the_contract_says_so(tmp_path):
    from dataclasses import replace

    contract = tiny_contract(tmp_path, reader="csv_or_excel")
    path = tmp_path / "sn.csv"
    path.write_text("\ufeffName,Published,Score,Score,\nHartlepool,2021-04-01,Good,Close,\n,Old ones:,,,\n", encoding="utf-8")
    frame = read_published(path, contract)
    assert frame.columns[:4] == ["Name", "Published", "Score_1", "Score_2"]
    assert frame.select("Name", "source_row").rows() == [("Hartlepool", 2)]  # the section row is dropped
    plain = replace(contract, reader_options={k: v for k, v in contract.reader_options.items() if k != "repeated_headers"})
    with pytest.raises(ReadError, match=r"duplicate column names \['Score'\]"):
        read_published(path, plain)
    bracket = replace(contract, reader_options={**contract.reader_options, "repeated_headers": "bracket"})
    assert read_published(path, bracket).columns[:4] == ["Name", "Published", "Score", "Score [2]"]
    from csc_pipeline.contracts import ContractError

    schemas = tmp_path / "schemas"
    bad = (schemas / "tiny.yaml").read_text(encoding="utf-8").replace("repeated_headers: number", "repeated_headers: letter")
    (schemas / "bad_style.yaml").write_text(bad.replace("contract: tiny", "contract: bad_style"), encoding="utf-8")
    with pytest.raises(ContractError, match=r"repeated_headers must be one of \['number', 'bracket'\]"):
        load_contract("bad_style", schemas)
    path.write_text("Name,Published,\nHartlepool,2021-04-01,stray\n", encoding="utf-8")
    with pytest.raises(ReadError, match=r"sn.csv, row 2: a value in a column without a header"):
        read_published(path, contract)


def test_csv_or_excel_reads_a_workbook_by_its_bytes(tmp_path):
    from csc_pipeline.demo.formats import xlsx_bytes

    contract = tiny_contract(tmp_path, reader="csv_or_excel")
    path = tmp_path / "sn.csv"  # a workbook, whatever the name says
    path.write_bytes(xlsx_bytes([("Old name", [["index"], ["Name", "Code"], ["Hartlepool", 805]])], title="t"))
    frame = read_published(path, contract)
    assert frame.select("name", "code", "source_row").rows() == [("Hartlepool", "805", 3)]


def test_la_names_resolve_for_the_year_of_each_date_and_codes_for_the_period(tmp_path):
    import polars as pl

    from csc_pipeline.geography import default_resolver
    from csc_pipeline.conformed import resolve_la_identifiers

    contract = tiny_contract(tmp_path)
    frame = pl.DataFrame({
        "name": ["Dorset", "Dorset", "Atlantis", "Dorset"],
        "published": ["2011-10-28T00:00:00", "2021-11-19T00:00:00", "2015-01-05T00:00:00", None],
        "code": ["835", "-", "999", "E06000059"],
        "source_file": ["f.ods"] * 4, "source_row": [5, 6, 7, 8], "period": [2021] * 4,
    }, schema_overrides={"period": pl.Int64})
    resolved, problems = resolve_la_identifiers(frame, contract, default_resolver())
    assert resolved["published_la_code"].to_list() == ["E10000009", "E06000059", None, None]
    assert resolved["code_la_code"].to_list() == ["E10000009", None, None, "E06000059"]
    assert [(p.file, p.row, p.column, p.value) for p in problems] == [
        ("f.ods", 7, "name", "Atlantis"), ("f.ods", 7, "code", "999")]
    assert "in the year ending 31 March 2015 (the year of published)" in problems[0].message


def test_contract_keys_must_name_declared_columns(tmp_path):
    from csc_pipeline.contracts import ContractError

    schemas = tmp_path / "schemas"
    schemas.mkdir()
    (schemas / "bad.yaml").write_text(
        "contract: bad\nreader: csv\ncolumns:\n  name: {kind: text}\nla_name_column: name\nla_name_dates: [when]\n")
    with pytest.raises(ContractError, match=r"la_name_dates names undeclared columns \['when'\]"):
        load_contract("bad", schemas)


# Two-digit years ("Referrals1213", "CINAt310313"), corrections naming the column, year ranges.
SFR_STYLE = """
contract: sfr_style
title: test
reader: csv
columns:
  area:       {kind: text, not_null: true}
  rate_2024:  {kind: number, required: {to: 2024}}
column_patterns:
  referrals: {pattern: '^Referrals\\d\\d(?P<year>\\d\\d)$', kind: number, period_offset: 0, required: {from: 2010}}
  nfa:       {pattern: '^ReferralsNFA\\d\\d(?P<year>\\d\\d)$', kind: number, period_offset: 0, required: {from: 2012}}
year_corrections:
  - {release: "2012", header: ReferralsNFA112, column: nfa, year: 2012, reason: a typo in the year}
ignore_columns: ['^Other']
"""


@pytest.fixture
def sfr_style(tmp_path):
    (tmp_path / "sfr_style.yaml").write_text(SFR_STYLE, encoding="utf-8")
    return load_contract("sfr_style", tmp_path)


def test_two_digit_years_are_read_as_20yy_and_checked(tmp_path, sfr_style):
    frame, problems = wide(tmp_path, "area,rate_2024,Referrals1213,ReferralsNFA1213,Other1", "Camden,1,5,2,9",
                           release="2013", period=2013, contract=sfr_style)
    assert problems == []
    assert frame.select("year", "referrals", "referrals_header", "nfa").row(0) == ("2013", "5", "Referrals1213", "2")
    _, problems = wide(tmp_path, "area,rate_2024,Referrals1112,ReferralsNFA1213", "Camden,1,5,2",
                       release="2013", period=2013, contract=sfr_style)
    assert any(p.column == "Referrals1112" and "says year 2012 but this file covers year 2013" in p.message for p in problems)


def test_a_year_correction_can_name_the_column_of_a_header_no_pattern_matches(tmp_path, sfr_style):
    frame, problems = wide(tmp_path, "area,rate_2024,Referrals1112,ReferralsNFA112", "Camden,1,5,2",
                           release="2012", period=2012, contract=sfr_style)
    assert problems == [] and frame.select("nfa", "nfa_header").row(0) == ("2", "ReferralsNFA112")
    # Another release has no such correction: the typo is an unexpected column, and nfa is missing.
    _, problems = wide(tmp_path, "area,rate_2024,Referrals1213,ReferralsNFA113", "Camden,1,5,2",
                       release="2013", period=2013, contract=sfr_style)
    assert sorted((p.column, p.message.split(".")[0].split(";")[0].split(":")[0]) for p in problems) == [
        ("ReferralsNFA113", "unexpected column"), ("nfa", "required column missing")]


def test_columns_are_required_in_the_years_they_were_published(tmp_path, sfr_style):
    # Before 2012 there is no NFA column to miss; from 2012 its absence fails.
    _, problems = wide(tmp_path, "area,rate_2024,Referrals1011", "Camden,1,5", release="2011", period=2011, contract=sfr_style)
    assert problems == []
    # A release named by a year (no period) dates the file too: rate_2024 is required up to 2024 only.
    _, problems = wide(tmp_path, "area,Referrals2425,ReferralsNFA2425", "Camden,5,2", release="2025", period=None,
                       contract=sfr_style)
    assert problems == []
    _, problems = wide(tmp_path, "area,Referrals2324,ReferralsNFA2324", "Camden,5,2", release="2024", period=None,
                       contract=sfr_style)
    assert [(p.column, p.message.startswith("required column missing")) for p in problems] == [("rate_2024", True)]


def test_a_denominator_must_be_above_zero_where_the_contract_says_so(tmp_path):
    lines = ["a,LA,2019/20,0", "b,LA,2019/20,-1", "c,LA,2019/20,c", "d,LA,2019/20,12"]
    plain = feature_contract(tmp_path / "p", "")
    positive = replace(plain, columns=tuple(replace(c, positive=True) if c.name == "value" else c for c in plain.columns))
    _, problems = run(tmp_path, positive, lines)
    assert [(p.row, p.value) for p in problems if "not above zero" in p.message] == [(2, "0"), (3, "-1")]
    _, problems = run(tmp_path, plain, lines)
    assert problems == []  # zero and negative values are allowed where the contract does not ask for positive


def test_the_real_population_contracts_declare_positive_denominators():
    for name, column in [("ons_population_0_17", "population_estimate"), ("cla_number_and_rate", "population_estimate"),
                         ("ons_mye2_single_year", "all_ages")]:
        spec = load_contract(name).column(column)
        assert spec.positive and spec.change == "population", name
