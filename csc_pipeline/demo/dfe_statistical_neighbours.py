"""Demo files of the family ``dfe_statistical_neighbours``: DfE children's services statistical neighbours.

The two CSV layouts (the LAIT workbooks of the same models have no demo stand-in):

- ``New_Statistical_Neighbour_Groupings_April_2021.csv``: UTF-8 with BOM, LF, a trailing comma on
  every line; ``LA num, LA Name, LA number, GOInd, GOReg`` then ``SN1, SNP, ... SN10, SNP``; LAs by
  3-digit code, London split into Inner/Outer; proximity "Extremely Close" .. "Not Close"; after the
  current LAs an empty line, an "Old SNs:" line, an empty line and the authorities abolished before
  the model.
- ``sn_model_2025_wide.csv``: UTF-8 with BOM, LF; ``old_la_code, la_name, region_ind, region_name,
  SN_1, SN_1P, ...``; LAs by name; proximity "Extremely close" .. "Not close" with "Close " carrying
  a trailing space, as published; current LAs only.

Neighbours are the 10 nearest authorities in a space of the latent model's deprivation, CLA rate and
child population (standardised), so like authorities group together; every value is synthetic.
"""

from __future__ import annotations

import datetime as dt
import math

from csc_pipeline.demo.generator import CLA_YEARS, _csv_text, _Model, _Period, _Writer

GROUPINGS_2021_PATH = "dfe/statistical_neighbours/New_Statistical_Neighbour_Groupings_April_2021.csv"
MODEL_2025_PATH = "dfe/statistical_neighbours/sn_model_2025_wide.csv"
MODEL_DATES = {2021: dt.date(2021, 4, 1), 2025: dt.date(2025, 5, 1)}
# GOInd: regions in alphabetical order.
REGION_IND = {"E12000004": 1, "E12000006": 2, "E12000007": 3, "E12000001": 4, "E12000002": 5,
              "E12000008": 6, "E12000009": 7, "E12000005": 8, "E12000003": 9}
PROXIMITY = {
    2021: ("Extremely Close", "Very Close", "Close", "Somewhat close", "Not Close"),
    2025: ("Extremely close", "Very close", "Close ", "Somewhat close", "Not close"),
}
PROXIMITY_CUTS = (0.35, 0.7, 1.1, 1.5)  # distance bounds between the labels above


def _features(model: _Model, aid: str, day: dt.date) -> tuple[float, float, float]:
    """(deprivation, log CLA rate, log child population) of the authority in the modelled year nearest ``day``."""
    year = min((y for y in CLA_YEARS if model.exists(aid, y)), key=lambda y: abs(y - day.year))
    population = model.pop(aid, year - 1)
    rate = (model.count(aid, year, "cla") + 0.5) / population * 10_000
    return model.dep(aid), math.log(rate), math.log(population)


def _neighbours(model: _Model, day: dt.date) -> list[tuple[_Period, list[tuple[_Period, float]]]]:
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


def _label(distance: float, version: int) -> str:
    return PROXIMITY[version][sum(distance > cut for cut in PROXIMITY_CUTS)]


def _groupings_2021(model: _Model) -> bytes:
    day = MODEL_DATES[2021]
    header = ["LA num", "LA Name", "LA number", "GOInd", "GOReg"] + [h for k in range(1, 11) for h in (f"SN{k}", "SNP")] + [""]
    current, old = [], []
    for p, near in _neighbours(model, day):
        region = f"London ({p.london_subregion.split()[0]})" if p.london_subregion else p.region_name
        row = [p.la_code_3, p.la_name, p.la_code_3, REGION_IND[p.region_code], region]
        row += [x for b, d in near for x in (b.la_code_3, _label(d, 2021))]
        if p.covers(day):
            current.append(row + [""])
        else:  # an "Old SNs" row: the authority was abolished before the model
            old.append([row[0], f"{p.la_name} (Pre LG)", *row[2:], ""])
    blank = [""] * len(header)
    rows = [header, *sorted(current), blank, ["", "Old SNs:"] + blank[2:], blank, *sorted(old)]
    return _csv_text(rows).encode("utf-8-sig")


def _model_2025(model: _Model) -> bytes:
    day = MODEL_DATES[2025]
    header = ["old_la_code", "la_name", "region_ind", "region_name"] + [h for k in range(1, 11) for h in (f"SN_{k}", f"SN_{k}P")]
    rows = []
    for p, near in _neighbours(model, day):
        if p.covers(day):  # the 2025 CSV lists current authorities only
            row = [p.la_code_3, p.la_name, REGION_IND[p.region_code], p.region_name.replace("the Humber", "The Humber")]
            rows.append(row + [x for b, d in near for x in (b.la_code_3, _label(d, 2025))])
    return _csv_text([header, *sorted(rows, key=lambda r: r[1])]).encode("utf-8-sig")


def write_dfe_statistical_neighbours(model: _Model, writer: _Writer) -> None:
    writer.write(GROUPINGS_2021_PATH, _groupings_2021(model))
    writer.write(MODEL_2025_PATH, _model_2025(model))
