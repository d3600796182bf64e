"""Synthetic deprivation indices in the real formats: MHCLG English Indices of Deprivation (File 11,
upper-tier LA summaries) and the Welsh Index of Multiple Deprivation ranks by LSOA.

Format notes (as in the real files)
-----------------------------------
- IoD File 11 (``imd-2015.xlsx``, ``imd-2019.xlsx``): an XLSX workbook with a ``Notes`` sheet and
  one sheet per index or domain (the demo writes ``IMD`` and ``IDACI``, the two the pipeline
  reads, and leaves out the seven other domains). Each sheet: one header row, then one row per
  upper-tier authority of the edition's geography in code order; numbers as number cells.
  IoD2015 heads its code column "Upper Tier Local Authority District code (2013)" and spells the
  IDACI out ("Income Deprivation Affecting Children Index (IDACI) - Average rank"); IoD2019 says
  "(2019)", abbreviates "IDACI - ", ends every measure header with a space, prefixes extent and
  local concentration with "IMD 2019" and writes "Proportion  of" (two spaces) on the IDACI
  sheet. Ranks are 1 for the most deprived authority.
- WIMD 2019 ranks: Strict OOXML workbook with sheets ``Guidance_sheet`` (text in column A),
  ``WIMD_2019_ranks`` (a title cell in column D, the header row - several headers end in a space,
  the last column's header is a single space - then one row per LSOA) and
  ``Deciles_quintiles_quartiles`` (header on the first row: overall rank, decile, quintile,
  quartile). Ranks run from 1 (most deprived) to the number of LSOAs in Wales (1,909).

Scores follow the model's latent deprivation of each authority (the same one the low-income
counts use), so the deprivation gradient in the demo panel is real within the synthetic world.
"""

from __future__ import annotations

import datetime as dt
import math

from csc_pipeline.demo.formats import DemoFiles, xlsx_bytes
from csc_pipeline.demo.model import Model
from csc_pipeline.demo.numbers import apportion, random_stream

FAMILIES = ("mhclg_iod_idaci", "mhclg_iod_imd", "wimd_lsoa_ranks")
IOD_PATH = "mhclg/imd/imd-{edition}.xlsx"
IOD_EDITIONS = (2015, 2019)
WIMD_PATH = "welsh_government/wimd/welsh-index-multiple-deprivation-2019-index-and-domain-ranks-by-small-area.xlsx"
WIMD_LSOAS = 1909
WIMD_DOMAINS = ("Income ", "Employment", "Health", "Education ", "Access to Services", "Housing",
                "Community Safety", "Physical Environment")
ENGLISH_LSOAS = 32844


def _ranks(values: list[float]) -> list[int]:
    """Rank 1 for the largest value (the most deprived)."""
    order = sorted(range(len(values)), key=lambda i: -values[i])
    ranks = [0] * len(values)
    for rank, i in enumerate(order, start=1):
        ranks[i] = rank
    return ranks


def _iod_headers(edition: int) -> tuple[list[str], list[str]]:
    geography = "(2013)" if edition == 2015 else "(2019)"
    area = [f"Upper Tier Local Authority District code {geography}", f"Upper Tier Local Authority District name {geography}"]
    end = "" if edition == 2015 else " "
    later = "IMD" if edition == 2015 else "IMD 2019"
    imd = area + [h + end for h in (
        "IMD - Average rank", "IMD - Rank of average rank", "IMD - Average score", "IMD - Rank of average score",
        "IMD - Proportion of LSOAs in most deprived 10% nationally",
        "IMD - Rank of proportion of LSOAs in most deprived 10% nationally",
        f"{later} - Extent", f"{later} - Rank of extent", f"{later} - Local concentration",
        f"{later} - Rank of local concentration",
    )]
    index = "Income Deprivation Affecting Children Index (IDACI)" if edition == 2015 else "IDACI"
    proportion = "Proportion of" if edition == 2015 else "Proportion  of"
    idaci = area + [f"{index} - {h}{end}" for h in (
        "Average rank", "Rank of average rank", "Average score", "Rank of average score",
        f"{proportion} LSOAs in most deprived 10% nationally", "Rank of proportion of LSOAs in most deprived 10% nationally",
    )]
    return imd, idaci


def iod_workbook(model, edition: int) -> bytes:
    """The File 11 workbook of one edition: English upper-tier authorities on the edition's geography
    (IoD2019 is on the authorities of 1 April 2019: BCP and the Dorset unitary)."""
    day = dt.date(2013, 4, 1) if edition == 2015 else dt.date(2019, 4, 1)
    areas = sorted(((a, model.period_at(a, day)) for a in model.english if model.period_at(a, day)),
                   key=lambda ap: ap[1].la_code)
    measures = []
    for aid, _ in areas:
        rng = random_stream(model.seed, "iod", aid, edition)
        dep = model.dep(aid) + rng.gauss(0.0, 0.08)
        imd_score = min(60.0, 20.0 * math.exp(0.35 * dep))
        idaci_score = min(0.6, 0.17 * math.exp(0.4 * dep + rng.gauss(0.0, 0.05)))
        measures.append({
            "imd_rank": min(30000.0, 16400.0 * math.exp(0.22 * dep + rng.gauss(0.0, 0.03))),
            "imd_score": imd_score,
            "imd_10pct": min(0.9, 0.06 * math.exp(1.1 * dep + rng.gauss(0.0, 0.2))),
            "extent": min(0.95, 0.12 * math.exp(0.9 * dep + rng.gauss(0.0, 0.2))),
            "concentration": min(32800.0, 28500.0 * math.exp(0.05 * dep + rng.gauss(0.0, 0.01))),
            "idaci_rank": min(30000.0, 16400.0 * math.exp(0.2 * dep + rng.gauss(0.0, 0.03))),
            "idaci_score": idaci_score,
            "idaci_10pct": min(0.9, 0.06 * math.exp(1.0 * dep + rng.gauss(0.0, 0.2))),
        })
    ranked = {k: _ranks([m[k] for m in measures]) for k in measures[0]}
    imd_header, idaci_header = _iod_headers(edition)
    imd, idaci = [imd_header], [idaci_header]
    for i, (_, period) in enumerate(areas):
        m = measures[i]
        imd.append([period.la_code, period.la_name,
                    round(m["imd_rank"], 2), ranked["imd_rank"][i], round(m["imd_score"], 3), ranked["imd_score"][i],
                    round(m["imd_10pct"], 4), ranked["imd_10pct"][i], round(m["extent"], 4), ranked["extent"][i],
                    round(m["concentration"], 2), ranked["concentration"][i]])
        idaci.append([period.la_code, period.la_name,
                      round(m["idaci_rank"], 2), ranked["idaci_rank"][i], round(m["idaci_score"], 3), ranked["idaci_score"][i],
                      round(m["idaci_10pct"], 4), ranked["idaci_10pct"][i]])
    notes = [["SYNTHETIC DEMO DATA generated by csc-pipeline: not the English Indices of Deprivation."]]
    return xlsx_bytes([("Notes", notes), ("IMD", imd), ("IDACI", idaci)], f"English Indices of Deprivation {edition}")


def _lsoa_counts(model, welsh: list[str]) -> list[int]:
    """LSOAs per Welsh authority: proportional to its child population, summing to WIMD_LSOAS."""
    return apportion(WIMD_LSOAS, [model.pop(a, 2018) for a in welsh])


def wimd_workbook(model, welsh: list[str]) -> bytes:
    lsoas = []  # (code, name, LA name, latent deprivation per domain, overall latent)
    number = 0
    for aid, n in zip(welsh, _lsoa_counts(model, welsh)):
        name = model.periods[aid][-1].la_name
        rng = random_stream(model.seed, "wimd", aid)
        for k in range(1, n + 1):
            number += 1
            latent = 0.8 * model.dep(aid) + rng.gauss(0.0, 1.0)
            domains = [latent + rng.gauss(0.0, 0.6) for _ in WIMD_DOMAINS]
            lsoas.append((f"W01{number:06d}", f"{name} {k}", name, domains, latent))
    overall = _ranks([x[4] for x in lsoas])
    domain_ranks = [_ranks([x[3][d] for x in lsoas]) for d in range(len(WIMD_DOMAINS))]
    ranks_sheet: list[list[object]] = [
        [None, None, None, f"Rank of LSOA, where 1 is the Most Deprived LSOA, and {WIMD_LSOAS} is the Least Deprived LSOA."],
        ["LSOA Code", "LSOA Name (Eng)", "Local Authority Name (Eng)", "WIMD 2019 ", *WIMD_DOMAINS, " "],
    ]
    decile_size = math.ceil(WIMD_LSOAS / 10)
    deciles: list[list[object]] = [["LSOA Code", "LSOA Name (Eng)", "Local Authority Name (Eng)", "WIMD 2019 Overall Rank ",
                                    "WIMD 2019 Overall Decile", "WIMD 2019 Overall Quintile", "WIMD 2019 Overall Quartile"]]
    for i, (code, name, la, _, _) in enumerate(lsoas):
        ranks_sheet.append([code, name, la, overall[i], *(r[i] for r in domain_ranks)])
        deciles.append([code, name, la, overall[i], math.ceil(overall[i] / decile_size),
                        math.ceil(overall[i] / math.ceil(WIMD_LSOAS / 5)), math.ceil(overall[i] / math.ceil(WIMD_LSOAS / 4))])
    guidance = [["Welsh Index of Multiple Deprivation (WIMD) 2019"],
                ["SYNTHETIC DEMO DATA generated by csc-pipeline: not the Welsh Index of Multiple Deprivation."]]
    return xlsx_bytes([("Guidance_sheet", guidance), ("WIMD_2019_ranks", ranks_sheet),
                        ("Deciles_quintiles_quartiles", deciles)], "WIMD 2019 ranks", strict=True)


def write(model: Model, files: DemoFiles) -> None:
    """The IoD2015 and IoD2019 File 11 workbooks and the WIMD 2019 ranks workbook, at their mirror paths."""
    for edition in IOD_EDITIONS:
        files.write(IOD_PATH.format(edition=edition), iod_workbook(model, edition))
    files.write(WIMD_PATH, wimd_workbook(model, model.welsh_order()))
