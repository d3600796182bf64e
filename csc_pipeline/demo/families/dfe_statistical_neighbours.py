"""Demo files of the family ``dfe_statistical_neighbours``: DfE children's services statistical neighbours.

Each model as DfE's CSV and as the LAIT workbook (sheet "LA SN Groups"):

- ``New_Statistical_Neighbour_Groupings_April_2021.csv``: UTF-8 with BOM, LF, a trailing comma on
  every line; ``LA num, LA Name, LA number, GOInd, GOReg`` then ``SN1, SNP, ... SN10, SNP``; LAs by
  3-digit code, London split into Inner/Outer; proximity "Extremely Close" .. "Not Close"; after the
  current LAs an empty line, an "Old SNs:" line, an empty line and the authorities abolished before
  the model ("Dorset (Pre LG)").
- ``sn_april_2021.xlsx``: the same rows below two index rows (column letters, then numbers), with
  rows of '-' for Cumberland and Westmorland and Furness, which post-date the model.
- ``sn_model_2025_wide.csv``: UTF-8 with BOM, LF; ``old_la_code, la_name, region_ind, region_name,
  SN_1, SN_1P, ...``; LAs by name; proximity "Extremely close" .. "Not close" with "Close " carrying
  a trailing space, as published; current LAs only.
- ``sn_may_2025.xlsx``: the 2025 model in the 2021 columns, "Close" without the space, and the
  "Old SNs" of the 2021 model (plus Cumbria) below.

Codes are numbers in the workbooks, text in the CSVs. Neighbours are the 10 nearest authorities in
a space of the latent model's deprivation, CLA rate and child population (standardised), so like
authorities group together; every value is synthetic.
"""

from __future__ import annotations

import datetime as dt
import math

from csc_pipeline.demo.formats import DemoFiles, csv_text, xlsx_bytes
from csc_pipeline.demo.model import CLA_YEARS, Model, Period

FAMILIES = ("dfe_statistical_neighbours",)
GROUPINGS_2021_PATH = "dfe/statistical_neighbours/New_Statistical_Neighbour_Groupings_April_2021.csv"
MODEL_2025_PATH = "dfe/statistical_neighbours/sn_model_2025_wide.csv"
LAIT_2021_PATH = "dfe/statistical_neighbours/sn_april_2021.xlsx"
LAIT_2025_PATH = "dfe/statistical_neighbours/sn_may_2025.xlsx"
HEADER_2021 = ["LA num", "LA Name", "LA number", "GOInd", "GOReg"] + [h for k in range(1, 11) for h in (f"SN{k}", "SNP")]
MODEL_DATES = {2021: dt.date(2021, 4, 1), 2025: dt.date(2025, 5, 1)}
# GOInd: regions in alphabetical order.
REGION_IND = {"E12000004": 1, "E12000006": 2, "E12000007": 3, "E12000001": 4, "E12000002": 5,
              "E12000008": 6, "E12000009": 7, "E12000005": 8, "E12000003": 9}
PROXIMITY = {
    2021: ("Extremely Close", "Very Close", "Close", "Somewhat close", "Not Close"),
    2025: ("Extremely close", "Very close", "Close ", "Somewhat close", "Not close"),
}
PROXIMITY_CUTS = (0.35, 0.7, 1.1, 1.5)  # distance bounds between the labels above


def _features(model: Model, aid: str, day: dt.date) -> tuple[float, float, float]:
    """(deprivation, log CLA rate, log child population) of the authority in the modelled year nearest ``day``."""
    year = min((y for y in CLA_YEARS if model.exists(aid, y)), key=lambda y: abs(y - day.year))
    population = model.pop(aid, year - 1)
    rate = (model.count(aid, year, "cla") + 0.5) / population * 10_000
    return model.dep(aid), math.log(rate), math.log(population)


def _neighbours(model: Model, day: dt.date) -> list[tuple[Period, list[tuple[Period, float]]]]:
    """Every authority in force on ``day``, and every one abolished in the four years before it, with
    its 10 nearest authorities among those in force on its last day (nearest first, with distances)."""
    last = {aid: min(day, model.last_valid_to(aid) or day) for aid in model.english}
    grouped = [a for a in model.english if model.period_at(a, last[a]) and (day - last[a]).days < 4 * 365]
    raw = {a: _features(model, a, last[a]) for a in grouped}
    scaled = {a: [] for a in grouped}
    for k in range(3):
        values = [raw[a][k] for a in grouped]
        mean = sum(values) / len(values)
        sd = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values)) or 1.0
        for a in grouped:
            scaled[a].append((raw[a][k] - mean) / sd)
    out = []
    for aid in grouped:
        peers = [b for b in grouped if b != aid and model.period_at(b, last[aid])]
        near = sorted((math.dist(scaled[aid], scaled[b]), b) for b in peers)[:10]
        out.append((model.period_at(aid, last[aid]), [(model.period_at(b, last[aid]), d) for d, b in near]))
    return out


def _rows(model: Model, version: int, labels: tuple[str, ...]) -> tuple[list[list[object]], list[list[object]]]:
    """(current, old) rows in the LA num .. SN10, SNP columns, codes as numbers, ordered by code."""
    day = MODEL_DATES[version]
    current, old = [], []
    for p, near in _neighbours(model, day):
        region = f"London ({p.london_subregion.split()[0]})" if p.london_subregion else p.region_name
        row: list[object] = [int(p.la_code_3), p.la_name, int(p.la_code_3), REGION_IND[p.region_code], region]
        row += [x for b, d in near for x in (int(b.la_code_3), labels[sum(d > cut for cut in PROXIMITY_CUTS)])]
        if p.covers(day):
            current.append(row)
        else:  # an "Old SNs" row: the authority was abolished before the model
            old.append([row[0], f"{p.la_name} (Pre LG)", *row[2:]])
    return sorted(current, key=lambda r: r[0]), sorted(old, key=lambda r: r[0])


def _old_sns_section(width: int) -> list[list[object]]:
    return [[""] * width, ["", "Old SNs:"] + [""] * (width - 2), [""] * width]


def _lait_workbook(rows: list[list[object]], title: str) -> bytes:
    index_rows = [["A", "B", "C", "D", "E", *range(3, 23)], list(range(1, 26))]
    return xlsx_bytes([("LA SN Groups", index_rows + [HEADER_2021] + rows)], title=title)


def write(model: Model, files: DemoFiles) -> None:
    current, old = _rows(model, 2021, PROXIMITY[2021])
    section = _old_sns_section(len(HEADER_2021))
    text = [[*map(str, r), ""] for r in [HEADER_2021, *current, *section, *old]]
    files.write(GROUPINGS_2021_PATH, csv_text(text).encode("utf-8-sig"))
    later = [a for a in model.english if (model.periods[a][0].valid_from or MODEL_DATES[2021]) > MODEL_DATES[2021]]
    not_modelled = [[int(p.la_code_3), p.la_name, int(p.la_code_3), REGION_IND[p.region_code], p.region_name] + ["-"] * 20
                    for p in (model.periods[a][-1] for a in sorted(later))]
    files.write(LAIT_2021_PATH, _lait_workbook(current + not_modelled + section + old, "LA SN Groups April 2021"))

    current_2025, old_2025 = _rows(model, 2025, PROXIMITY[2025])
    header = ["old_la_code", "la_name", "region_ind", "region_name"] + [h for k in range(1, 11) for h in (f"SN_{k}", f"SN_{k}P")]
    wide = [[r[0], r[1], r[3], "London" if str(r[4]).startswith("London") else str(r[4]).replace("the Humber", "The Humber"), *r[5:]]
            for r in sorted(current_2025, key=lambda r: r[1])]
    files.write(MODEL_2025_PATH, csv_text([header, *[[*map(str, r)] for r in wide]]).encode("utf-8-sig"))
    # The workbook trims the label, and keeps the 2021 model's Old SNs (and newly abolished authorities).
    lait = [[x.strip() if isinstance(x, str) else x for x in r] for r in sorted(current_2025, key=lambda r: r[1])]
    carried = old + [r for r in old_2025 if r[0] not in {o[0] for o in old}]
    files.write(LAIT_2025_PATH, _lait_workbook(lait + section + carried, "LA SN Groups May 2025"))
