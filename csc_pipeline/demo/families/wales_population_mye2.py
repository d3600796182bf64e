"""Demo files of the families ``wales_population_mye2`` and ``wales_population_utla_single_year``:
the Welsh population by single year of age, mid-2009..2024.

Format notes (as in the real files): MYE2 CSVs: ASCII, CRLF, a title line and "ALL PERSONS" above
the header CODE,NAME,ALL AGES,0..90, numbers with thousands separators (quoted when >= 1,000), 15
comma-only lines below the data, no final newline; a WALES (W92000004) row then 22 W06 rows in the
ONS/StatsWales order. Mid-2019 and mid-2020 are the upper-tier re-export instead (one writer for
both families: the mid-years share one set of single years of age).
"""

from __future__ import annotations

import datetime as dt

from csc_pipeline.demo.formats import DemoFiles, csv_text
from csc_pipeline.demo.model import MID_YEARS, Model

FAMILIES = ("wales_population_mye2", "wales_population_utla_single_year")
MYE_PATH = "ons/population_mye/demo_MYE2_mid{year}_persons_single_year_age.csv"
# Mid-years the real mirror has, at their real paths and in their real layouts (the other mid-years
# are synthetic stand-ins in the ONS layout at MYE_PATH).
MYE_REAL_PATHS = {
    2014: "ons/population_mye/ons_MYE2_mid2014_UK_persons_by_LA_single_year_age__StatisticsNZ_demdata.csv",
    2019: "ons/population_mye/humaniverse_demographr__population19_utla19__ONS_MYE2_persons_single_year_age.csv",
    2020: "ons/population_mye/humaniverse_demographr__population20_utla20__ONS_MYE2_persons_single_year_age.csv",
}
MYE_UTLA_YEARS = (2019, 2020)  # the upper-tier re-export layout


def write(model: Model, files: DemoFiles) -> None:
    """Welsh single-year-of-age files in the ONS MYE2 layout (title rows, thousands separators,
    CRLF, blank padding lines), and for MYE_UTLA_YEARS the upper-tier re-export."""
    m = model
    welsh = m.welsh_order()
    width = 3 + 91
    for mid in MID_YEARS:
        if mid in MYE_UTLA_YEARS:
            files.write(MYE_REAL_PATHS[mid], _utla_file(m, mid))
            continue
        rows: list[list[str]] = []
        data: list[tuple[str, str, list[int]]] = []
        for aid in welsh:
            p = m.periods[aid][-1]
            ages = m.single_years(aid, mid)
            name = "The Vale of Glamorgan" if p.la_name == "Vale of Glamorgan" else p.la_name
            data.append((p.la_code, name, ages))
        wales = [sum(d[2][k] for d in data) for k in range(91)]
        rows.append([f"MYE2: Population Estimates by single year of age and sex for local authorities in the UK, mid-{mid}"] + [""] * (width - 1))
        rows.append(["ALL PERSONS"] + [""] * (width - 1))
        rows.append(["CODE", "NAME", "ALL AGES"] + [str(a) for a in range(91)])
        for code, name, ages in [("W92000004", "WALES", wales)] + data:
            rows.append([code, name, f"{sum(ages):,}"] + [f"{v:,}" for v in ages])
        text = csv_text(rows, lineterminator="\r\n")
        text += "\r\n".join("," * (width - 1) for _ in range(15))
        files.write(MYE_REAL_PATHS.get(mid, MYE_PATH.format(year=mid)), text.encode("ascii"))


def _utla_file(m: Model, mid: int) -> bytes:
    """The upper-tier re-export (humaniverse demographr) of mid-year ``mid``: one header row
    ``utlaYY_code,utlaYY_name,total_population,0 .. 89,90+``, English upper-tier authorities of
    the time (in code order; the real file orders them by region and lacks Northamptonshire in
    mid-2020), then Welsh ones in ONS order, numbers as decimals ("593.0"), LF."""
    day = dt.date(mid, 6, 30)
    english = sorted((a for a in m.english if m.period_at(a, day)), key=lambda a: m.period_at(a, day).la_code)
    tag = f"utla{str(mid)[2:]}"
    rows: list[list[str]] = [[f"{tag}_code", f"{tag}_name", "total_population"] + [str(a) for a in range(90)] + ["90+"]]
    for aid in english + m.welsh_order():
        p = m.period_at(aid, day) or m.periods[aid][-1]
        ages = m.single_years(aid, mid)
        rows.append([p.la_code, p.la_name, f"{float(sum(ages))}"] + [f"{float(v)}" for v in ages])
    return csv_text(rows).encode("utf-8")
