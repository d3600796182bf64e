"""Synthetic MHCLG revenue outturn RO3 workbooks (ODS) in the two current layouts.

Written for every demo-mode entry of the ``mhclg_ro3`` family at the catalog's mirror path:

- 2023-24 layout (sheet ``RO3_LA_Data_2023-24``): six title and note rows, four hidden reference
  rows (item codes such as ``RO3-cscsr-empl``, ``C1R10``, ``Row_no``, ``Col_no``), a row of
  service labels over the first column of each block, then the header row ("Employees\\n (C1)" ...).
- 2024-25 layout (sheet ``RO3_LA_Data_202425``): six note rows, then one header row whose cells
  read "<service> - <measure>".

Both hold one row per reporting body sorted by name (upper-tier authorities, some districts and
police / fire bodies with nothing on children's social care), bodies whose return was not received
(every cell ``[x]``, Notes ``M``), an ENGLAND row, and a second table of class totals with its own
header row. Unitary authorities are named with a " UA" tag and "&" as RO does. E-codes are
invented (``E`` + the DfE 3-digit code + a digit). Only a subset of the services is written (the
children's social care blocks used by the pipeline and adult social care's total); £ thousand.
Spend is the Section 251 demo's latent spend of the same authority and year, so the two sources
agree roughly, as they do in reality.
"""

from __future__ import annotations

import datetime as dt

from csc_pipeline.catalog import load_catalog

FAMILY = "mhclg_ro3"
MEASURES = ("Employees", "Running Expenses", "Total Expenditure", "Sales, Fees and Charges", "Other Income",
            "Total Income", "Net Current Expenditure")
CODES = ("C1", "C2", "C3 = C1 + C2", "C4", "C5", "C6 = C4 + C5", "C7 = C3 - C6")
ITEM_CODES = ("empl", "run-exp", "tot-exp", "sfc", "oth-inc", "tot-inc", "net-cur-exp")
# (service label by layout year, RO3 row number, item code stem, share key)
SERVICES = (
    ({2024: "Children's social care: Sure start children's centres and early years",
      2025: "Children's social care: Sure start children's centres and early years"}, 10, "cscsr", "sure_start"),
    ({2024: "Children's social care - Children Looked After [note 3]",
      2025: "Children's social care - Children Looked After"}, 13, "csccla", "cla"),
    ({2024: "Children's social care - Other children's and families services",
      2025: "Children's social care - Other children's and families services"}, 26, "cscocf", "other"),
    ({2024: "Children's social care - Family Support Services",
      2025: "Children's social care - Family Support Services"}, 27, "cscfss", "fs"),
    ({2024: "TOTAL CHILDREN SOCIAL CARE", 2025: "TOTAL CHILDREN SOCIAL CARE"}, 57, "csctot", "total"),
    ({2024: "TOTAL ADULT SOCIAL CARE  [note 2]", 2025: "TOTAL ADULT SOCIAL CARE [note 2]"}, 100, "asctot", "adult"),
)
CLASS_OF = {"london_borough": "LB", "metropolitan_district": "MD", "unitary_authority": "UA", "shire_county": "SC"}
OTHER_BODIES = (
    ("E3831", "E07000223", "Adur", "SD", "SD"), ("E2231", "E07000105", "Ashford", "SD", "SD"),
    ("E1743", "E07000094", "Winchester", "SD", "SD"), ("E6101", "E31000001", "Avon Fire Authority", "O", "Fire"),
    ("E7001", "E23000001", "Avon and Somerset Police and Crime Commissioner", "O", "Police"),
)
CLASS_TOTALS = (("E06", "Unitary Authorities", "UA"), ("E07", "Shire Districts", "SD"),
                ("E08", "Metropolitan Districts", "MD"), ("E09", "London Boroughs", "LB"), ("E10", "Shire Counties", "SC"))
MISSING_RETURNS = 2  # authorities a year whose return was not received


def write_mhclg_ro3(model, writer) -> None:
    from csc_pipeline.demo.generator import _ods_bytes

    for entry in load_catalog().family(FAMILY, "demo"):
        year = int(entry.period)
        sheets = _workbook(model, writer.seed, year)
        writer.write(entry.mirror_path, _ods_bytes(sheets, title=f"Revenue outturn RO3 {year - 1}-{year % 100:02d}"))


def _name(period) -> str:
    name = period.la_name.replace(" and ", " & ") if period.la_type == "london_borough" else period.la_name
    return f"{name} UA" if period.la_type == "unitary_authority" else name


def _blocks(model, seed: int, aid: str, year: int) -> dict[str, list[int]]:
    """Seven measures (£ thousand) per service of one authority, consistent with the S251 demo."""
    from csc_pipeline.demo.generator import _rng
    from csc_pipeline.demo.s251 import _Spend

    spend = _Spend(model, seed).lines(aid, year)
    r = _rng(seed, "ro3", aid, year)
    gross = {
        "sure_start": spend["other"] * r.uniform(0.15, 0.25),
        "cla": spend["cla"] * r.uniform(0.97, 1.05),
        "other": spend["other"] * r.uniform(0.05, 0.1),
        "fs": spend["fs"] * r.uniform(0.95, 1.05),
    }
    blocks: dict[str, list[int]] = {}
    for key, value in gross.items():
        total = round(value / 1000)
        employees = round(total * r.uniform(0.2, 0.45))
        sales, other_income = round(total * r.uniform(0.0, 0.03)), round(total * r.uniform(0.02, 0.08))
        blocks[key] = [employees, total - employees, total, sales, other_income, sales + other_income,
                       total - sales - other_income]
    blocks["total"] = [sum(blocks[k][i] for k in gross) for i in range(7)]
    adult = round(blocks["total"][2] * r.uniform(1.3, 2.0))
    blocks["adult"] = [round(adult * 0.3), adult - round(adult * 0.3), adult, round(adult * 0.1), round(adult * 0.15),
                       round(adult * 0.1) + round(adult * 0.15), adult - round(adult * 0.1) - round(adult * 0.15)]
    return blocks


def _workbook(model, seed: int, year: int) -> list[tuple[str, list[list[object]]]]:
    from csc_pipeline.demo.generator import _rng

    label = f"{year - 1}-{year % 100:02d}"
    day = dt.date(year, 3, 31)
    las = [(aid, model.period_at(aid, day)) for aid in model.english]
    las = [(aid, p) for aid, p in las if p is not None]
    r = _rng(seed, "ro3-missing", year)
    missing = set(r.sample([aid for aid, _ in las], MISSING_RETURNS))
    identity_header = ["E-code", "ONS Code", "Local authority", "Notes", "Class", "Detailed Class",
                       "Certified" if year <= 2024 else "Certification"]
    body: list[tuple[str, list[object]]] = []
    sums = {cls: [0] * (7 * len(SERVICES)) for _, _, cls in CLASS_TOTALS}
    for aid, p in las:
        cls = CLASS_OF[p.la_type]
        ident = [f"E{p.la_code_3}{int(p.la_code[-1]) % 10}", p.la_code, _name(p)]
        if aid in missing:
            body.append((ident[2], ident + ["M", cls, cls, "[x]"] + ["[x]"] * (7 * len(SERVICES))))
            continue
        blocks = _blocks(model, seed, aid, year)
        values = [v for _, _, _, key in SERVICES for v in blocks[key]]
        sums[cls] = [a + b for a, b in zip(sums[cls], values)]
        body.append((ident[2], ident + ["", cls, cls, "Y"] + values))
    for ecode, code, name, cls, detailed in OTHER_BODIES:
        body.append((name, [ecode, code, name, "", cls, detailed, "Y"] + [0] * (7 * len(SERVICES))))
    body.sort(key=lambda item: item[0])
    england = [sum(col) for col in zip(*sums.values())]

    if year <= 2024:
        service_header = []
        for labels, *_ in SERVICES:
            service_header += [labels[2024]] + [None] * 6
        measure_header = [f"{m}\n ({c})" for _ in SERVICES for m, c in zip(MEASURES, CODES)]
        reference = [
            [None] * 7 + [f"RO3-{stem}-{item}" for _, _, stem, _ in SERVICES for item in ITEM_CODES],
            [None] * 7 + [f"C{i + 1}R{row}" for _, row, _, _ in SERVICES for i in range(7)],
            [None] * 5 + ["Row_no", None] + [row for _, row, _, _ in SERVICES for _ in range(7)],
            [None] * 5 + ["Col_no", None] + [i + 1 for _ in SERVICES for i in range(7)],
            [None] * 7 + service_header,
        ]
        header = identity_header + measure_header
        notes = [
            [f"Worksheet 2: Revenue Outturn (RO) {label}: Social Care and Public Health (RO3) data"],
            ["This worksheet contains 2 tables. Some cells refer to notes which can be found on the notes worksheet. "
             "Data are reported in £ thousand. SYNTHETIC DEMO DATA generated by csc-pipeline: not official statistics."],
            ['Produced on a non-IAS19 and PFI "Off Balance Sheet" basis unless stated otherwise.'],
            [f"Source: synthetic stand-in for the Revenue account Outturn (RO) returns {label} - RO3 data"],
            ["Last updated: synthetic"],
            ["Rows 7-10 are hidden. These rows contain reference data required for this table to populate. "],
        ]
        top = notes + reference + [header]
    else:
        header = identity_header + [f"{labels[2025]} - {m} ({c})" for labels, *_ in SERVICES for m, c in zip(MEASURES, CODES)]
        top = [
            [f"Worksheet 2: Revenue Outturn (RO) {label}: Social Care and Public Health (RO3) data"],
            ["This worksheet contains two tables. Data are reported in £ thousand."],
            ["This table contains notes, which can be found in the Notes worksheet."],
            ["Blank cells indicate that there is no note in that row."],
            ["SYNTHETIC DEMO DATA generated by csc-pipeline: not official statistics."],
            [f"Source: synthetic stand-in for the Revenue account Outturn (RO) returns {label} - RO3 data"],
            header,
        ]
    rows = top + [line for _, line in body]
    rows.append(["Eng", "E92000001", "ENGLAND", "", "Eng", "Eng", "[Y]"] + england)
    rows.append(identity_header[:2] + ["Class Breakdown [o]" if year <= 2024 else "Local authority"] + identity_header[3:]
                + header[7:])
    for code, name, cls in CLASS_TOTALS:
        rows.append(["[Y]", code, name, "", cls, cls, sum(1 for _, p in las if CLASS_OF[p.la_type] == cls)] + sums[cls])
    sheet = f"RO3_LA_Data_{label}" if year <= 2024 else f"RO3_LA_Data_{year - 1}{year % 100:02d}"
    front = [[f"Revenue Outturn (RO) {label}: RO3 - SYNTHETIC DEMO DATA, not official statistics"]]
    notes_sheet = [["Notes"], ["Note number", "Note text"], ["[x]", "Data not received in time for publication"],
                   ["M", "RO return not received in time for publication."]]
    dropdown = [["Select a local authority"], *[[name] for name, _ in body]]
    return [("Front_Page", front), ("Notes", notes_sheet), ("LA_drop-down", dropdown), (sheet, rows)]
