"""Demo workbooks for the DfE SFR27/2010 publication tables LAA1, LAC1 and LAD1 (legacy .xls).

Written in the real layout (studied, not copied): Excel 97-2003 (BIFF8) workbooks with the real
sheet lists (a Contents sheet, then the publication's national and LA tables; only the LA table
the pipeline reads is filled in, the others carry a note), and on the LA table sheet:

- a "Back to Contents" row, the table title (merged across the table), a years row and a coverage
  row, then a units label at the right-hand end of the row above the header;
- LAA1 (at 31 March): columns A and B hold an area code and a row order number (blank for the
  2009 successors), C the area name, D-H "numbers3" (merged label over the years 2006-2010), a
  blank column, J-N "rates4" (per 10,000 children under 18, every year on the mid-2009 population);
- LAC1 (started) / LAD1 (ceased): names in column A, "numbers" over the years in B-F;
- years are number cells; England, then each region (London as London, Inner London with its
  boroughs and Outer London with its boroughs) followed by its LAs by name, a blank row between
  regions; Cheshire and Bedfordshire (abolished 2009) carry footnote 5 and are followed by their
  successors, '.' ("not applicable") where an area did not exist;
- England rounded to 100 above 1,000 (else 10), regions to 10, LAs to 5, rates whole numbers;
  City of London / Isles of Scilly counts of 1-5 are 'x' (count and rate);
- a source line and numbered footnotes below the table, then the 'x' and '.' keys.

Counts are the latent model's (2006-2009: ``HISTORY_YEARS``), so the 2010 columns are the SFR27/2010
underlying CSVs' 2010 counts (``csc_pipeline.demo.families.cla_sfr``) rounded as above.
"""

from __future__ import annotations

from csc_pipeline.catalog import load_catalog
from csc_pipeline.demo.formats import SYNTHETIC_NOTE, DemoFiles, xls_bytes
from csc_pipeline.demo.model import CLA_YEARS, HISTORY_YEARS, MID_YEARS, TINY_AUTHORITY_CODES, Model, march_31
from csc_pipeline.demo.numbers import rate_per_10k, round_to

YEARS = (*HISTORY_YEARS, CLA_YEARS[0])  # 2006-2010
FIRST_YEAR_AFTER = CLA_YEARS[0]  # the first year the 2009 successors exist
POPULATION_MID_YEAR = MID_YEARS[0]  # every rate's denominator (mid-2009)
REGIONS = (  # (region code or London subregion, name as printed)
    ("E12000001", "North East"), ("E12000002", "North West"), ("E12000003", "Yorkshire and The Humber"),
    ("E12000004", "East Midlands"), ("E12000005", "West Midlands"), ("E12000006", "East of England"),
    ("E12000007", "London"), ("Inner London", "Inner London"), ("Outer London", "Outer London"),
    ("E12000008", "South East"), ("E12000009", "South West"),
)
# family -> (model measure, sheet list of the workbook, LA table sheet, title, footnotes)
TABLES = {
    "cla_sfr27_2010_laa1": (
        "cla", ("Contents", "A6", "A7", "A8", "A9", *(f"LAA{n}" for n in range(1, 12))), "LAA1",
        "Children looked after at 31 March, by local authority",
        ("Children looked after only under an agreed series of short-term placements are not counted.",
         "Earlier years may differ from earlier publications: authorities' later amendments are included.",
         "England totals are rounded to the nearest 100 above 1,000 (else to 10), regional totals to the "
         "nearest 10, other numbers to the nearest 5.",
         "Rates per 10,000 children aged under 18, every year on the mid-2009 population estimates.",
         "Cheshire and Bedfordshire were each split into two authorities in 2009.")),
    "cla_sfr27_2010_lac1": (
        "started", ("Contents", "LAC1", "LAC2", "LAC3", "LAC4", "LAC5"), "LAC1",
        "Children who started to be looked after during the years ending 31 March, by local authority",
        ("England totals are rounded to the nearest 100 above 1,000 (else to 10), regional totals to the "
         "nearest 10, other numbers to the nearest 5.",
         "A child is counted once a year, on the first start of the year.",
         "Children looked after only under an agreed series of short-term placements are not counted.",
         "Earlier years may differ from earlier publications: authorities' later amendments are included.",
         "Cheshire and Bedfordshire were each split into two authorities in 2009.")),
    "cla_sfr27_2010_lad1": (
        "ceased", ("Contents", "D3", "D4", "D5 ", "D6", "LAD1", "LAD2", "LAD3"), "LAD1",
        "Children who ceased to be looked after during the years ending 31 March, by local authority",
        ("England totals are rounded to the nearest 100 above 1,000 (else to 10), regional totals to the "
         "nearest 10, other numbers to the nearest 5.",
         "A child is counted once a year, on the last time they ceased to be looked after in the year.",
         "Children looked after only under an agreed series of short-term placements are not counted.",
         "Earlier years may differ from earlier publications: authorities' later amendments are included.",
         "Cheshire and Bedfordshire were each split into two authorities in 2009.")),
}
FAMILIES = tuple(TABLES)
SUPPRESSED, NOT_APPLICABLE = "x", "."


def write(model: Model, files: DemoFiles) -> None:
    """Write the demo-mode SFR27/2010 LA table workbooks of the catalog from the latent model."""
    catalog = load_catalog()
    for family, table in TABLES.items():
        for entry in catalog.family(family, "demo"):
            sheets, merges = _workbook(model, *table)
            files.write(entry.mirror_path, xls_bytes(sheets, merges))


def _areas(m) -> list[tuple[str, str, str, str]]:
    """(authority id, name as printed, group, role) of every row: the authorities of 31 March 2009
    and 2010; role 'abolished' (before 2010), 'successor' (from 2010) or ''."""
    successor_of = {succ: pred for pred, succs in m.abolished.items() for succ in succs}
    rows = []
    for aid in [a for a in m.english if m.exists(a, FIRST_YEAR_AFTER)] + sorted(m.abolished):
        period = m.period_at(aid, march_31(FIRST_YEAR_AFTER)) or m.periods[aid][-1]
        role = "abolished" if aid in m.abolished else ("successor" if aid in successor_of else "")
        name = period.la_name + ("5" if role else "")
        rows.append((aid, name, period.london_subregion or period.region_code, role))
    name_of = {aid: name for aid, name, _, _ in rows}
    # By name; a successor right after the authority it came from.
    return sorted(rows, key=lambda r: (name_of.get(successor_of.get(r[0]), r[1]), r[3] == "successor", r[1]))


def _exists(role: str, year: int) -> bool:
    return not (role == "abolished" and year >= FIRST_YEAR_AFTER or role == "successor" and year < FIRST_YEAR_AFTER)


def _workbook(m, measure: str, sheet_names: tuple[str, ...], table: str, title: str, notes: tuple[str, ...]):
    with_rates = measure == "cla"
    areas = _areas(m)
    counts = {(aid, y): m.count(aid, y, measure) for aid, _, _, role in areas for y in YEARS if _exists(role, y)}
    pops = {aid: m.pop(aid, POPULATION_MID_YEAR) for aid, _, _, _ in areas}
    tiny = {aid for aid, _, _, _ in areas if m.periods[aid][-1].la_code in TINY_AUTHORITY_CODES}
    lead = 2 if with_rates else 0  # LAA1's code and order columns before the names

    def cells(aid: str | None, members: list[str], base: int) -> list[object]:
        """Numbers (and rates) of one row: the sum over ``members``, rounded to ``base`` (England:
        100 above 1,000, else 10)."""
        numbers, rates = [], []
        for y in YEARS:
            present = [a for a in members if (a, y) in counts]
            if not present:
                numbers.append(NOT_APPLICABLE)
                rates.append(NOT_APPLICABLE)
                continue
            total, pop = sum(counts[(a, y)] for a in present), sum(pops[a] for a in present)
            if aid in tiny and 0 < total < 6:
                numbers.append(SUPPRESSED)
                rates.append(SUPPRESSED)
                continue
            numbers.append(round_to(total, 10 if base == 100 and total <= 1000 else base))
            rates.append(rate_per_10k(total, pop))
        return numbers + ([None] + rates if with_rates else [])

    width = lead + 1 + len(YEARS) + (1 + len(YEARS) if with_rates else 0)
    name_col = lead
    first_year_col = lead + 1
    units = "numbers and rates per 10,000 children aged under 18 years" if with_rates else "numbers"
    rows: list[list[object]] = [
        _at(name_col, "Back to Contents"),
        _at(name_col, f"Table {table}:  {title}1,2" + (",3,4" if not with_rates else "")),
        _at(name_col, f"Years ending 31 March {YEARS[0]} to {YEARS[-1]}"),
        _at(name_col, "Coverage: England "),
        _at(width - 1, units),
    ]
    label_row = len(rows)
    if with_rates:
        rows.append(_at(first_year_col, "numbers3") + [None] * len(YEARS) + ["rates4"])
        rows.append(_at(first_year_col, *YEARS, None, *YEARS))
    else:
        rows.append(_at(first_year_col, *YEARS))
    merges = [(1, 1, name_col, width - 1)]
    if with_rates:
        merges += [(label_row, label_row, first_year_col, first_year_col + len(YEARS) - 1),
                   (label_row, label_row, first_year_col + len(YEARS) + 1, width - 1)]

    rows.append(([0, 0] if with_rates else []) + ["England"] + cells(None, [aid for aid, _, _, _ in areas], 100))
    order = 0
    for n, (group, name) in enumerate(REGIONS):
        if n and group != "Inner London":  # North East follows England, Inner London follows London
            rows.append([])
        in_group = (group, "Inner London", "Outer London") if group == "E12000007" else (group,)
        members = [aid for aid, _, g, _ in areas if g in in_group]
        rows.append(([990 + n, None] if with_rates else []) + [name] + cells(None, members, 10))
        if group == "E12000007":
            continue  # its boroughs are listed under Inner and Outer London
        for aid, printed, g, role in areas:
            if g != group:
                continue
            code: list[object] = []
            if with_rates:
                order += role != "successor"
                code = [None, None] if role == "successor" else [int(m.periods[aid][-1].la_code_3), order]
            rows.append(code + [printed] + cells(aid, [aid], 5))
    rows.append([])
    rows.append(_at(width - 1, "Source: SSDA 903 (synthetic stand-in)"))
    for n, note in enumerate(notes, start=1):
        rows.append(_at(name_col, f"{n}.  {note}"))
    rows.append(_at(name_col, SYNTHETIC_NOTE))
    rows.append([])
    rows.append(_at(name_col, f"{SUPPRESSED}   Figures not shown to protect confidentiality."))
    rows.append(_at(name_col, f"{NOT_APPLICABLE}   Not applicable."))

    contents = [[f"{title} (synthetic demo workbook)"], [], ["Local Authority Tables "], [],
                [f"Table {table}:", title], ["Years ending", f"31 March {YEARS[0]} to {YEARS[-1]}"],
                ["Coverage", "England"], [], [SYNTHETIC_NOTE],
                ["The workbook's other tables are not reproduced in the demo set: their sheets hold this note only."]]
    other = [["Back to Contents"], ["This table is not reproduced in the synthetic demo set."], [SYNTHETIC_NOTE]]
    sheets = [(name, contents if name == "Contents" else rows if name == table else other) for name in sheet_names]
    return sheets, {table: merges}


def _at(column: int, *values: object) -> list[object]:
    """A row with ``values`` from ``column`` on (the cells before it blank)."""
    return [None] * column + list(values)
