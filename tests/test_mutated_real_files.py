"""The project's adversarial suite: mutated copies of real published files (made here, in temporary
folders, never committed) are each rejected naming the file and what is wrong, set aside in the
quarantine with the reason, or read with values identical to the original's.

Every mutation goes through what a refresh runs on a family, in plain Python: the release and the one
before it are obtained from a temporary mirror (the real files, one of them mutated), conformed,
validated by the blocking check (contract, LA reference, files without rows, values lost since the
previous vintage) and, when that passes, split into kept and quarantined rows
(``vintages.set_aside``). ``test_a_failed_check_stops_the_backfill_and_the_published_warehouse_is_untouched``
runs a few through the Dagster pipeline (``csc backfill``'s code path).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import os
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl
import pytest

from csc_pipeline import acquire, conformed, loaded
from csc_pipeline.catalog import load_catalog
from csc_pipeline.contracts import as_number, conform, load_contract, validate
from csc_pipeline.download import RawStore, extract_zip_member
from csc_pipeline.geography import default_resolver
from csc_pipeline.readers import ReadError, decode_text, read_published
from csc_pipeline.settings import Settings

CLA_2025 = "dfe/cla/ees_release_2025/cla_number_and_rate_per_10k_children.csv"
CATALOG = load_catalog()


# --- running a family the way its blocking check and its load do ---------------------------------


@dataclass(frozen=True)
class Outcome:
    problems: list  # the blocking check's problems (empty: passed)
    kept: pl.DataFrame | None  # rows loaded (None when the check failed)
    quarantined: pl.DataFrame | None


def run_family(family: str, releases: tuple[str, ...], mirror: Path, lake: Path) -> Outcome:
    settings = Settings(source_mode="mirror", mirror_dir=mirror, data_lake=lake)
    resolver = default_resolver()
    records = [r for release in releases for r in acquire.acquire_release(family, release, settings, CATALOG)]
    conformed.conform_family(family, settings, CATALOG, records)
    problems = list(conformed.check_family(family, settings, CATALOG, resolver).problems)
    if problems:
        return Outcome(problems, None, None)
    kept, quarantined = loaded.loadable_rows(family, settings, load_contract(CATALOG.family(family)[0].contract))
    return Outcome([], kept, quarantined)


def mirror_of(real_dir: Path, tmp: Path, family: str, releases: tuple[str, ...]) -> Path:
    """A mirror holding the family's files of ``releases`` as links to the real files."""
    mirror = tmp / "mirror"
    for entry in CATALOG.family(family, "mirror"):
        if entry.release in releases:
            link = mirror / entry.mirror_path
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(real_dir / entry.mirror_path)
    return mirror


_baselines: dict[tuple[str, tuple[str, ...]], Outcome] = {}


def baseline(real_dir: Path, tmp_factory, family: str, releases: tuple[str, ...]) -> Outcome:
    """The unmutated files' outcome (computed once per family and releases)."""
    key = (family, releases)
    if key not in _baselines:
        tmp = tmp_factory.mktemp(f"baseline_{family}")
        _baselines[key] = run_family(family, releases, mirror_of(real_dir, tmp, family, releases), tmp / "lake")
        assert _baselines[key].problems == [], _baselines[key].problems[:3]
    return _baselines[key]


def values_of(frame: pl.DataFrame, contract_name: str, source_file: str) -> pl.DataFrame:
    """The canonical cells of one file's rows, numbers compared as numbers ("1,234" is 1234)."""
    contract = load_contract(contract_name)
    numeric = {s.name for s in (*contract.columns, *contract.patterns) if s.kind in ("number", "integer")}
    columns = [c for c in contract.output_columns() if c in frame.columns]
    rows = frame.filter(pl.col("source_file") == source_file)
    return rows.select(*(as_number(c) if c in numeric else pl.col(c) for c in columns)).sort(columns, nulls_last=True)


# --- mutations ----------------------------------------------------------------------------------

Mutate = Callable[[Path, Path], None]  # (real file, where to write the mutated copy)


def csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(decode_text(path), newline="")))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def edit_csv(edit: Callable[[list[str], list[list[str]]], list[list[str]]]) -> Mutate:
    def mutate(src: Path, dst: Path) -> None:
        header, *body = csv_rows(src)
        write_rows(dst, [header, *edit(header, body)])
    return mutate


def cells(column: str, change: Callable[[str], str], where: Callable[[dict], bool] = lambda row: True) -> Mutate:
    """Every cell of ``column`` on rows where ``where`` (a dict of the row) holds, changed."""
    def edit(header, body):
        i = header.index(column)
        return [[*r[:i], change(r[i]), *r[i + 1:]] if where(dict(zip(header, r))) else r for r in body]
    return edit_csv(edit)


def numeric(change: Callable[[float], object]) -> Callable[[str], str]:
    """A number cell changed (symbols and blanks left alone)."""
    def apply(cell: str) -> str:
        try:
            value = float(cell.replace(",", ""))
        except ValueError:
            return cell
        out = change(value)
        return f"{out:g}" if isinstance(out, float) else str(out)
    return apply


def la_rows(year: str | None = None, name: str | None = None) -> Callable[[dict], bool]:
    return lambda row: (row["geographic_level"] == "Local authority" and (year is None or row["time_period"] == year)
                        and (name is None or row["la_name"] == name))


def swap_columns(a: str, b: str) -> Mutate:
    return edit_csv(lambda header, body: swap_columns_where(header, body, a, b, lambda row: True))


def swap_columns_where(header: list[str], body: list[list[str]], a: str, b: str, where: Callable[[dict], bool]):
    i, j = header.index(a), header.index(b)
    return [[r[j] if k == i else r[i] if k == j else c for k, c in enumerate(r)] if where(dict(zip(header, r))) else r
            for r in body]


def drop_rows(keep: Callable[[int, dict, int], bool]) -> Mutate:
    def edit(header, body):
        return [r for n, r in enumerate(body) if keep(n, dict(zip(header, r)), len(body))]
    return edit_csv(edit)


def raw_bytes(change: Callable[[bytes], bytes]) -> Mutate:
    return lambda src, dst: dst.write_bytes(change(src.read_bytes()))


def zipped(src: Path, dst: Path) -> None:
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(src, "data/" + src.name)


HTML_ERROR_PAGE = b"<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head><body>Try later</body></html>\n"


def sheets_of(path: Path) -> list[tuple[str, list[list[object]]]]:
    """Every sheet of a workbook as rows of cells: numbers as numbers, other cells as the text the
    pipeline's reader sees (so a re-saved copy reads the same)."""
    import fastexcel

    book = fastexcel.read_excel(path)
    out = []
    for name in book.sheet_names:
        grid = book.load_sheet(name, header_row=None, dtypes="string").to_polars()
        rows = [[_cell(c) for c in row] for row in grid.iter_rows()]
        out.append((name, rows))
    return out


def _cell(text: str | None) -> object:
    if text is None or text == "":
        return None
    if re.fullmatch(r"-?\d+", text) and len(text) < 16:
        return int(text)
    if re.fullmatch(r"-?\d*\.\d+(e-?\d+)?", text):
        return float(text)
    return text


def resave(edit: Callable[[str, list[list[object]]], list[list[object]]] = lambda name, rows: rows,
           as_format: str | None = None) -> Mutate:
    """A workbook re-written (XLS with xlwt, XLSX and ODS as the demo generator writes them) after
    ``edit`` changed each sheet's rows."""
    from csc_pipeline.demo.formats import ods_bytes, xls_bytes, xlsx_bytes

    def mutate(src: Path, dst: Path) -> None:
        sheets = [(name, edit(name, rows)) for name, rows in sheets_of(src)]
        fmt = as_format or src.suffix.lstrip(".").lower()
        writer = {"xls": xls_bytes, "xlsx": lambda s: xlsx_bytes(s, "mutated"), "ods": lambda s: ods_bytes(s, "mutated")}[fmt]
        dst.write_bytes(writer(sheets))
    return mutate


def sheet_cells(sheet: str, header: str, change: Callable[[object], object], where: Callable[[list], bool] = lambda r: True):
    """An edit for ``resave``: the cells under the header cell ``header`` on ``sheet``, on rows where
    ``where`` holds."""
    def edit(name, rows):
        if name != sheet:
            return rows
        first, column = next((i, r.index(header)) for i, r in enumerate(rows) if header in r)
        return [r if n <= first or column >= len(r) or r[column] is None or not where(r)
                else [*r[:column], change(r[column]), *r[column + 1:]] for n, r in enumerate(rows)]
    return edit


def rows_of(sheet: str, change: Callable[[list], list | None]) -> Callable[[str, list[list[object]]], list[list[object]]]:
    """An edit for ``resave``: each row of ``sheet`` changed (None drops the row)."""
    def edit(name, rows):
        return rows if name != sheet else [out for r in rows if (out := change(list(r))) is not None]
    return edit


def authority_rows(change: Callable[[list], list | None]) -> Callable[[list], list | None]:
    """A row change applied to the rows of the MHCLG returns that are authorities (E-code E1234)."""
    return lambda r: change(r) if isinstance(r[0], str) and re.fullmatch(r"E\d{4}", r[0]) else r


def times(factor: float) -> Callable[[list], list]:
    return lambda r: [c * factor if isinstance(c, (int, float)) else c for c in r]


def renamed(old: str, new: str) -> Callable[[list], list]:
    return lambda r: [new if c == old else c for c in r]


def renamed_sheets(src: Path, dst: Path) -> None:
    resave(lambda name, rows: rows)(src, dst)
    from csc_pipeline.demo.formats import xlsx_bytes
    dst.write_bytes(xlsx_bytes([(f"{name} (revised)", rows) for name, rows in sheets_of(dst)], "mutated"))


def reversed_columns_upper_case_header(src: Path, dst: Path) -> None:
    header, *body = csv_rows(src)
    write_rows(dst, [[h.upper() for h in reversed(header)], *[list(reversed(r)) for r in body]])


def half_the_welsh_las(src: Path, dst: Path) -> None:
    rows = csv_rows(src)
    las = [n for n, r in enumerate(rows) if len(r) > 2 and r[1].strip() and n > 4]
    write_rows(dst, [r for n, r in enumerate(rows) if n not in las[: len(las) // 2]])


def parquet_edit(change: Callable[[pl.DataFrame], pl.DataFrame]) -> Mutate:
    return lambda src, dst: change(pl.read_parquet(src)).write_parquet(dst)


# --- the cases ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    entry: str  # catalog entry of the real file mutated
    kind: str  # counts, rates, percentages, populations, judgements, spend
    mutate: Mutate
    # "reject": the blocking check fails naming the file, the column (if given) and the message;
    # "quarantine": the check passes and rows of ``column`` are set aside with a reason matching it;
    # "accept": the check passes and the file's values are identical to the original's.
    expect: str
    message: str = ""
    column: str | None = None

    @property
    def format(self) -> str:
        return Path(CATALOG.entry(self.entry).mirror_path).suffix.lstrip(".").lower()


CLA = "dfe_cla_number_and_rate_2025"
POP = "dfe_ons_population_0_17_2025"
CIN_C1 = "dfe_cin_c1_2025"
S251 = "dfe_s251_outturn_1314"
SFR27 = "dfe_cla_sfr27_2010_laa1"
RO3 = "mhclg_ro3_2016_17"
IMD = "mhclg_iod2019_utla_imd"
OFSTED = "ofsted_la_inspection_outcomes_2025"
RSX = "mhclg_rsx_2024_25"
LAIT = "dfe_lait_2026_04_08"
WALES = "statswales_cla_31mar_2018"
NO_ROWS = r"no data rows"
LOST = r"no longer publishes"
NOT_NUMBER = r"not a number or a known symbol"

CASES = [
    # CSV, counts / rates / populations: DfE's CLA release 2025 (issue #13's own examples first)
    Case("header_only", CLA, "counts", edit_csv(lambda h, body: []), "reject", NO_ROWS),
    Case("zero_population_county_durham", CLA, "populations",
         cells("population_estimate", lambda c: "0", la_rows("2025", "County Durham")), "reject", "not above zero",
         "population_estimate"),
    Case("negative_rate", CLA, "rates", cells("rate_per_10000", numeric(lambda v: -v), la_rows("2024", "Leeds")),
         "reject", r"out of range", "rate_per_10000"),
    Case("count_as_text", CLA, "counts", cells("children_count", lambda c: c + " (est)", la_rows("2025", "Leeds")),
         "reject", NOT_NUMBER, "children_count"),
    Case("rate_with_percent_sign", CLA, "rates", cells("rate_per_10000", lambda c: c + "%", la_rows("2025", "Kent")),
         "reject", NOT_NUMBER, "rate_per_10000"),
    Case("unknown_measure_label", CLA, "counts",
         cells("population_type", lambda c: c.replace("each year", "each quarter"), la_rows("2023")), "reject",
         r"not an allowed value", "measure"),
    Case("duplicated_block", CLA, "counts", edit_csv(lambda h, body: body + body[200:260]), "reject", r"duplicate key"),
    Case("year_mislabelled", CLA, "counts", cells("time_period", lambda c: "2024" if c == "2025" else c), "reject",
         r"duplicate key"),
    Case("la_codes_of_the_wrong_type", CLA, "counts",
         edit_csv(lambda h, body: [[r[h.index("old_la_code")] if i == h.index("new_la_code") and r[i] else c
                                    for i, c in enumerate(r)] for r in body]), "reject", r"not in the LA reference",
         "new_la_code"),
    Case("truncated_to_first_half", CLA, "counts", drop_rows(lambda n, row, total: n < total // 2), "reject", LOST),
    Case("latest_year_for_fewer_las", CLA, "counts",
         drop_rows(lambda n, row, total: not (la_rows("2025")(row) and row["region_name"] in ("London", "South East"))),
         "reject", LOST),
    Case("rates_swapped_with_counts", CLA, "rates", swap_columns("children_count", "rate_per_10000"), "reject",
         r"out of range", "rate_per_10000"),
    Case("la_rates_swapped_with_counts", CLA, "rates",
         edit_csv(lambda h, body: swap_columns_where(h, body, "children_count", "rate_per_10000", la_rows("2025"))),
         "quarantine", r"implausible for a (count|rate)|plausible maximum"),
    Case("counts_in_thousands", CLA, "counts", cells("children_count", numeric(lambda v: v / 1000), la_rows()),
         "quarantine", r"implausible for a count", "children_count"),
    Case("rates_per_100_not_10000", CLA, "rates", cells("rate_per_10000", numeric(lambda v: v / 100), la_rows()),
         "quarantine", r"implausible for a rate", "rate_per_10000"),
    Case("columns_shifted_right", CLA, "populations",
         edit_csv(lambda h, body: [r[:-3] + ["", r[-3], r[-2]] for r in body]), "reject", r"out of range",
         "rate_per_10000"),
    Case("thousands_separators", CLA, "counts",
         cells("population_estimate", numeric(lambda v: f"{int(v):,}")), "accept"),
    Case("columns_reversed_and_header_upper_case", CLA, "counts", reversed_columns_upper_case_header, "accept"),
    Case("windows_1252_and_crlf", CLA, "counts",
         raw_bytes(lambda b: b.decode("utf-8-sig").replace("\n", "\r\n").encode("cp1252")), "accept"),
    Case("html_error_page_saved_as_csv", CLA, "counts", raw_bytes(lambda b: HTML_ERROR_PAGE), "reject",
         r"expected CSV \(text\) but the file is an HTML page"),
    Case("zip_where_csv_expected", CLA, "counts", zipped, "reject", r"expected CSV \(text\) but the file is a ZIP archive"),
    Case("gzip_where_csv_expected", CLA, "counts", raw_bytes(gzip.compress), "reject",
         r"but the file is a gzip-compressed file"),
    Case("binary_junk", CLA, "counts", raw_bytes(lambda b: b[:2000] + b"\x00" * 64 + b[2000:]), "reject",
         r"but the file is binary data"),
    Case("empty_file", CLA, "counts", raw_bytes(lambda b: b""), "reject", r"but the file is empty"),
    # CSV, populations: the ONS 0-17 estimates as DfE republished them (release 2025)
    Case("population_zero", POP, "populations",
         cells("population_estimate", lambda c: "0", la_rows("2024", "County Durham")), "reject", "not above zero",
         "population_estimate"),
    Case("population_blank", POP, "populations",
         cells("population_estimate", lambda c: "", la_rows("2024", "Leeds")), "reject", r"not_nullable|null",
         "population_estimate"),
    Case("population_in_thousands", POP, "populations",
         cells("population_estimate", numeric(lambda v: round(v / 1000, 1)), la_rows("2024")), "quarantine",
         r"implausible for a population", "population_estimate"),
    Case("population_header_only", POP, "populations", edit_csv(lambda h, body: []), "reject", NO_ROWS),
    # CSV, percentages: children in need referrals (release 2025)
    Case("percent_over_100", CIN_C1, "percentages",
         cells("rereferral_percent", numeric(lambda v: v + 100), la_rows("2025", "Leeds")), "reject",
         r"out of range", "rereferral_percent"),
    Case("percent_as_fraction", CIN_C1, "percentages",
         cells("rereferral_percent", numeric(lambda v: round(v / 100, 4)), la_rows()), "quarantine",
         r"implausible for a percentage", "rereferral_percent"),
    Case("percent_and_count_swapped", CIN_C1, "percentages",
         swap_columns("rereferral_count", "rereferral_percent"), "reject", r"out of range", "rereferral_percent"),
    # CSV, spend: Section 251 outturn lines 2013-14 (£ thousand)
    Case("spend_with_pound_sign", S251, "spend",
         cells("TotalExpenditure", lambda c: "£" + c, lambda row: row["LA Name"] == "Leeds"), "reject", NOT_NUMBER,
         "total_expenditure"),
    Case("spend_header_only", S251, "spend", edit_csv(lambda h, body: []), "reject", NO_ROWS),
    # CSV, counts in Wales: StatsWales children looked after at 31 March 2018
    Case("wales_half_the_las_missing", WALES, "counts", half_the_welsh_las, "reject", LOST),
    # XLS, counts and rates: SFR27/2010 table LAA1
    Case("xls_resaved", SFR27, "counts", resave(), "accept"),
    Case("xls_count_as_text", SFR27, "counts",
         resave(rows_of("LAA1", lambda r: r[:3] + ["n/a"] + r[4:] if r[2] == "Leeds" else r)), "reject", NOT_NUMBER,
         "cla_count"),
    Case("xls_negative_rate", SFR27, "rates",
         resave(rows_of("LAA1", lambda r: r[:9] + [-r[9]] + r[10:] if r[2] == "Kent" else r)), "reject", r"out of range",
         "cla_rate_per_10k"),
    Case("xls_truncated_bytes", SFR27, "counts", raw_bytes(lambda b: b[: len(b) // 2]), "reject",
         r"not a readable spreadsheet"),
    Case("xls_html_page", SFR27, "counts", raw_bytes(lambda b: HTML_ERROR_PAGE), "reject",
         r"expected .* but the file is an HTML page"),
    Case("xls_unknown_authority", SFR27, "counts",
         resave(rows_of("LAA1", renamed("Leeds", "Leeds Borough"))), "reject",
         r"does not resolve to a known authority", "area"),
    # XLSX, spend: MHCLG RO3 2016-17 (£ thousand), compared with 2015-16
    Case("xlsx_resaved", RO3, "spend", resave(), "accept"),
    Case("xlsx_spend_in_pounds", RO3, "spend", resave(rows_of("RO3 LA Data 2016-17", authority_rows(times(1000)))),
         "quarantine", r"implausible for a spend"),
    Case("xlsx_unknown_authority", RO3, "spend", resave(rows_of("RO3 LA Data 2016-17", renamed("Leeds", "Leeds City"))),
         "reject", r"does not resolve to a known authority", "la_name"),
    Case("xlsx_sheet_renamed", IMD, "percentages", renamed_sheets, "reject", r"no sheet 'IMD'; sheets are"),
    Case("xlsx_code_of_the_wrong_type", IMD, "percentages", resave(rows_of("IMD", renamed("E08000035", "383"))),
         "reject", r"not in the LA reference", "la_code"),
    Case("xlsx_saved_as_xls", IMD, "percentages", resave(as_format="xls"), "accept"),
    # ODS, judgements: Ofsted inspection outcomes at 31 March 2025
    Case("ods_resaved", OFSTED, "judgements", resave(), "accept"),
    Case("ods_unknown_grade", OFSTED, "judgements",
         resave(sheet_cells("ILACS_inspection_history", "Overall effectiveness", lambda v: "Excellent" if v == "Good" else v)),
         "reject", r"not an allowed value", "overall_effectiveness"),
    Case("ods_date_as_text", OFSTED, "judgements",
         resave(sheet_cells("ILACS_inspection_history", "Inspection date", lambda v: "next week", lambda r: "Leeds" in r)),
         "reject", r"not a date", "inspection_date"),
    Case("ods_zip_not_a_spreadsheet", OFSTED, "judgements", zipped, "reject", r"but the file is a ZIP archive"),
    # ODS, spend: MHCLG RSX 2024-25, compared with 2023-24
    Case("ods_spend_in_pounds", RSX, "spend", resave(rows_of("RSX_LA_Data_202425", authority_rows(times(1000)))),
         "quarantine", r"implausible for a spend", "csc_total_net_current_expenditure"),
    Case("ods_no_authority_rows", RSX, "spend", resave(rows_of("RSX_LA_Data_202425", authority_rows(lambda r: None))),
         "reject", NO_ROWS),
    # Parquet: the LAIT snapshot of 2026-04-08 (values of every kind), alone
    Case("parquet_rewritten", LAIT, "rates", parquet_edit(lambda f: f), "accept"),
    Case("parquet_value_as_text", LAIT, "rates",
         parquet_edit(lambda f: f.with_columns(pl.when(pl.int_range(pl.len()) % 1000 == 7).then(pl.lit("12 (est)"))
                                               .otherwise(pl.col("Values")).alias("Values"))), "reject", NOT_NUMBER,
         "value"),
    Case("parquet_csv_bytes", LAIT, "rates", lambda src, dst: dst.write_bytes(b"a,b\n1,2\n"), "reject",
         r"expected Parquet file but the file is CSV \(text\)"),
]

ALONE = {LAIT}  # read without its previous snapshot: 640,000 rows each, and the case needs none


def releases_of(case: Case) -> tuple[str, ...]:
    """The mutated file's release and, unless the case reads it alone, the release before it."""
    entry = CATALOG.entry(case.entry)
    if case.entry in ALONE:
        return (entry.release,)
    from csc_pipeline.vintages import release_order

    ordered = release_order({e.release: e.period for e in CATALOG.family(entry.family, "mirror")})
    at = ordered.index(entry.release)
    return tuple(ordered[max(at - 1, 0): at + 1])


def test_the_suite_covers_every_format_and_kind():
    by_format = {c.format for c in CASES} | {"zip"}  # zip: the member extraction case below
    assert {"csv", "xls", "xlsx", "ods", "parquet", "zip"} <= by_format
    assert {c.kind for c in CASES} == {"counts", "rates", "percentages", "populations", "judgements", "spend"}
    assert {c.expect for c in CASES} == {"reject", "quarantine", "accept"}
    assert len(CASES) >= 40 and len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.format}-{c.kind}-{c.id}")
def test_mutated_real_file(case, real_dir, tmp_path, tmp_path_factory):
    entry = CATALOG.entry(case.entry)
    releases = releases_of(case)
    mirror = mirror_of(real_dir, tmp_path, entry.family, releases)
    target = mirror / entry.mirror_path
    target.unlink()
    case.mutate(real_dir / entry.mirror_path, target)

    outcome = run_family(entry.family, releases, mirror, tmp_path / "lake")

    label = entry.mirror_path
    if case.expect == "reject":
        named = [p for p in outcome.problems if label in p.file and re.search(case.message, str(p))]
        assert named, f"expected a problem of {label} matching {case.message!r}; got " + "\n".join(map(str, outcome.problems[:5]))
        if case.column is not None:
            assert case.column in {p.column for p in named}, [str(p) for p in named[:5]]
        return
    assert outcome.problems == [], "\n".join(map(str, outcome.problems[:5]))
    contract = entry.contract
    original = baseline(real_dir, tmp_path_factory, entry.family, releases)
    if case.expect == "quarantine":
        found = outcome.quarantined.filter(pl.col("source_file") == label)
        before = original.quarantined.filter(pl.col("source_file") == label)
        new = found.join(before, on=["source_row", "column"], how="anti")
        assert new.height > 0 and all(re.search(case.message, r) for r in new["reason"]), new.head(3)
        if case.column is not None:
            assert case.column in set(new["column"])
        # a quarantined row is not loaded
        loaded = set(outcome.kept.filter(pl.col("source_file") == label)["source_row"])
        assert loaded.isdisjoint(new["source_row"])
        return
    assert values_of(outcome.kept, contract, label).equals(values_of(original.kept, contract, label))


def test_a_real_file_extracted_from_a_zip_reads_the_same(real_dir, tmp_path):
    archive = tmp_path / "release.zip"
    zipped(real_dir / CLA_2025, archive)
    stored = extract_zip_member(archive, "data/cla_number_and_rate_*.csv", RawStore(tmp_path / "raw"))
    contract = load_contract("cla_number_and_rate")
    frames = [conform(read_published(path, contract), contract, "cla.csv")[0] for path in (stored.path, real_dir / CLA_2025)]
    assert frames[0].equals(frames[1]) and frames[0].height > 2000
    assert validate(frames[0], contract, default_resolver().known_codes()) == []


def test_a_read_error_names_the_file_and_what_it_really_is(real_dir, tmp_path):
    bad = tmp_path / "cla_number_and_rate_per_10k_children.csv"
    zipped(real_dir / CLA_2025, bad)
    with pytest.raises(ReadError, match=r"^cla_number_and_rate_per_10k_children.csv: expected CSV \(text\) but the "
                                        r"file is a ZIP archive$"):
        read_published(bad, load_contract("cla_number_and_rate"))


# --- through the Dagster pipeline: a failed blocking check stops everything after it -------------

PIPELINE_CASES = [
    ("children_looked_after_in_england_including_adoptions", "2025", CLA, edit_csv(lambda h, body: []), NO_ROWS),
    ("characteristics_of_children_in_need", "2025", POP,
     cells("population_estimate", lambda c: "0", la_rows("2024", "County Durham")), "not above zero"),
    ("children_looked_after_in_england_including_adoptions", "2025", CLA, zipped, "is a ZIP archive"),
]


@pytest.mark.integration
def test_a_failed_check_stops_the_backfill_and_the_published_warehouse_is_untouched(real_dir, tmp_path):
    import duckdb
    from dagster import DagsterInstance

    from csc_pipeline.definitions import build_definitions
    from csc_pipeline.defs import runs

    for n, (group, release, entry_id, mutate, message) in enumerate(PIPELINE_CASES):
        mirror, lake = tmp_path / f"mirror{n}", tmp_path / f"lake{n}"
        for family in CATALOG.release_groups()[group]:
            mirror_of(real_dir, tmp_path / f"links{n}", family, (release,))
        os.rename(tmp_path / f"links{n}" / "mirror", mirror)
        entry = CATALOG.entry(entry_id)
        (mirror / entry.mirror_path).unlink()
        mutate(real_dir / entry.mirror_path, mirror / entry.mirror_path)
        settings = Settings(source_mode="mirror", mirror_dir=mirror, data_lake=lake)
        settings.warehouse_path.parent.mkdir(parents=True)
        with duckdb.connect(str(settings.warehouse_path)) as con:  # stands for last year's published warehouse
            con.execute("CREATE TABLE published AS SELECT 42 AS answer")
        published = hashlib.sha256(settings.warehouse_path.read_bytes()).hexdigest()

        result = runs.backfill(build_definitions(settings), CATALOG, DagsterInstance.ephemeral(), "mirror", group, release)

        failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
        assert [e.asset_key.to_user_string() for e in failed] == [f"conformed/{entry.family}"], message
        assert re.search(message, str(failed[0].metadata["failure_cases"].value)) and entry.mirror_path in str(
            failed[0].metadata["failure_cases"].value)
        done = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
        # the family is not loaded and nothing is published (the group's other families may load)
        assert f"loaded/{entry.family}" not in done and "warehouse/published" not in done, done
        assert hashlib.sha256(settings.warehouse_path.read_bytes()).hexdigest() == published


# --- single-file checks on the CLA release 2025 (contract and reader only) ----------------------


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
