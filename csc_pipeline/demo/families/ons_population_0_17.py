"""Demo files of the family ``ons_population_0_17``: the ONS child population (0-17) files the EES
children in need releases carry, the denominator of the CLA rates.

Format notes (as in the real files)
-----------------------------------
- Release 2025 (``ons_mid-year_population_estimates_2012_to_2024.csv``): UTF-8 without BOM, LF;
  columns order old_la_code, new_la_code, la_name; ``time_period`` is the *mid-year* (2009..2024
  here) and is the denominator for CLA year time_period + 1; LAs per region by name; code in force
  on 31 March of mid-year + 1; x for areas abolished before 2020.
- Release 2022 (mid-2012..2020, before the re-basing on Census 2021, which also showed the
  authorities abolished in 2019 with their numbers rather than x): UTF-8 with BOM, LF; release 2024
  (mid-2012..2023): UTF-8 with BOM, CRLF.
"""

from __future__ import annotations

import datetime as dt

from csc_pipeline.demo.formats import DemoFiles, csv_text
from csc_pipeline.demo.model import EES_REGION_ORDER, MID_YEARS, Model, march_31

FAMILIES = ("ons_population_0_17",)
EES_DIR = "dfe/cin/ees_release_{release}/"
# path -> (mid-years, rebased on Census 2021, BOM, line terminator)
RELEASES = {
    EES_DIR.format(release=2022) + "ons_mid-year_population_estimates.csv": (tuple(range(2012, 2021)), False, True, "\n"),
    EES_DIR.format(release=2024) + "ons_mid-year_population_estimates_2012_to_2023.csv": (tuple(range(2012, 2024)), True, True, "\r\n"),
    EES_DIR.format(release=2025) + "ons_mid-year_population_estimates_2012_to_2024.csv": (MID_YEARS, True, False, "\n"),
}


def write(model: Model, files: DemoFiles) -> None:
    for path, (mid_years, rebased, bom, lineterminator) in RELEASES.items():
        files.write(path, _population_file(model, mid_years, rebased, lineterminator).encode("utf-8-sig" if bom else "utf-8"))


def _population_file(model: Model, mid_years: tuple[int, ...], rebased: bool, lineterminator: str) -> str:
    """The EES ONS population file of one release (``rebased`` False: the vintage before Census 2021)."""
    m = model
    header = ["time_period", "time_identifier", "geographic_level", "country_code", "country_name",
              "region_code", "region_name", "old_la_code", "new_la_code", "la_name", "age_group",
              "population_estimate"]
    age = "Children aged 0 to 17 years"
    order = {code: i for i, code in enumerate(EES_REGION_ORDER)}
    rows: list[list[object]] = [header]
    for mid in sorted(mid_years, reverse=True):
        day = march_31(mid + 1)  # mid-year M is the denominator for year ending 31 March M+1
        live = [(a, m.period_at(a, day)) for a in m.english if m.exists(a, mid + 1)]
        rows.append([mid, "Reporting year", "National", "E92000001", "England", "", "", "", "", "", age,
                     sum(m.pop(a, mid, rebased) for a, _ in live)])
        for code in EES_REGION_ORDER:
            pop = sum(m.pop(a, mid, rebased) for a, p in live if code in p.ees_regions)
            rows.append([mid, "Reporting year", "Regional", "E92000001", "England", code,
                         m.region_names.get(code, ""), "", "", "", age, pop])
        live.sort(key=lambda ap: (order[ap[1].ees_region[0]], ap[1].la_name))
        for aid, p in live:
            rcode, rname = p.ees_region
            gone = rebased and (m.last_valid_to(aid) or dt.date.max) < dt.date(2020, 1, 1)
            rows.append([mid, "Reporting year", "Local authority", "E92000001", "England", rcode, rname,
                         p.la_code_3, p.la_code, p.la_name, age, "x" if gone else m.pop(aid, mid, rebased)])
    return csv_text(rows, lineterminator)
