"""Synthetic AnalysisInputs for the analysis tests: a small panel with planted effects.

England: LAs in four LA-type groups with IDACI (editions 2015 and 2019) and IMD scores; Wales:
LAs with WIMD (2019). Counts are Poisson around rates that rise with deprivation (slope
RATE_SLOPE per 10,000 per IDACI point for CLA); a latent "quality problem" per LA raises
re-referrals and makes the LA rated Inadequate (``rated_inadequate``): its SIF/ILACS grade from 2014,
its SLAC safeguarding judgement before (SLAC gave no overall grade). Optionally a latent factor per
LA, independent of deprivation, shifts the CLA starts and CP plan rates together (``shared_factor``): a correlation beyond deprivation.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from csc_pipeline.analysis.results import AnalysisInputs

YEARS = range(2010, 2020)
RATE_SLOPE = 200.0  # CLA per 10,000 per unit IDACI score
CLA_BASE = 20.0
GROUPS = [("london_borough", "London"), ("metropolitan_district", "North West"), ("unitary_authority", "South East"), ("shire_county", "East of England")]

DICTIONARY = pl.DataFrame(
    [
        ("cla_count", "count", None, None, "children"),
        ("cla_rate_per_10k", "rate", "cla_count", "population_0_17", "per 10000 children aged 0-17"),
        ("cla_starts_count", "count", None, None, "children"),
        ("cla_starts_rate_per_10k", "rate", "cla_starts_count", "population_0_17", "per 10000 children aged 0-17"),
        ("cpp_at_31_march_count", "count", None, None, "children"),
        ("cpp_rate_per_10k", "rate", "cpp_at_31_march_count", "population_0_17", "per 10000 children aged 0-17"),
        ("cpp_starts_count", "count", None, None, "plans"),
        ("cpp_second_or_subsequent_count", "count", None, None, "plans"),
        ("cpp_second_or_subsequent_percent", "percent", "cpp_second_or_subsequent_count", "cpp_starts_count", "percent of plans starting"),
        ("rereferrals_percent", "percent", None, None, "percent of referrals"),
        ("lait_lacstable_2016on", "percent", None, None, "percent of children looked after"),
        ("population_0_17", "count", None, None, "children aged 0-17"),
        ("idaci_average_score", "other", None, None, "score"),
        ("imd_average_score", "other", None, None, "score"),
        ("wimd_most_deprived_10pct_percent", "percent", None, None, "percent of LSOAs"),
    ],
    schema=["indicator", "kind", "numerator", "denominator", "unit"],
    orient="row",
)


def _row(la, year, indicator, value, status="published"):
    return {
        "geography": "current", "la_code": la["la_code"], "la_code_3": la["la_code"][-3:], "la_name": la["la_name"], "region": la["region"],
        "london_subregion": None, "la_type": la["la_type"], "nation": la["nation"], "authority_id": la["la_code"].lower(), "year": year,
        "indicator": indicator, "value": None if value is None else float(value), "status": status, "symbol": None, "method": "published",
        "harmonisation": "direct", "source_entry": "synthetic", "release": "2020", "is_synthetic": True,
    }


def make_authorities(n_england: int, n_wales: int) -> list[dict]:
    las = []
    for i in range(n_england):
        la_type, region = GROUPS[i % 4]
        las.append({"la_code": f"E0{6 + i % 4}{i:06d}", "la_name": f"England LA {i:02d}", "region": region, "la_type": la_type, "nation": "England"})
    for i in range(n_wales):
        las.append({"la_code": f"W06{i:06d}", "la_name": f"Wales LA {i:02d}", "region": "Wales", "la_type": "welsh_unitary_authority", "nation": "Wales"})
    # the two default exclusions, so the coverage columns have something to report
    las.append({"la_code": "E09000001", "la_name": "City of London", "region": "London", "la_type": "london_borough", "nation": "England"})
    las.append({"la_code": "E06000053", "la_name": "Isles of Scilly", "region": "South West", "la_type": "unitary_authority", "nation": "England"})
    return las


def make_inputs(tmp_path: Path, n_england: int = 80, n_wales: int = 16, seed: int = 7, outlier_la: int | None = None,
                years: range = YEARS, cla_break: tuple[int, float, float] | None = None, shared_factor: float = 0.0) -> AnalysisInputs:
    """``outlier_la``: index of an English LA whose CLA count is tripled in every year (a planted funnel outlier).

    ``cla_break``: (first post-break year, level change, slope change per year) added to every LA's
    CLA rate from that year on (a planted interrupted-time-series effect).

    ``shared_factor``: per 10,000 per standard deviation of a latent LA factor added to the CLA starts rate
    (and twice that to the CP plan rate); 0 leaves both driven by deprivation alone.
    """
    rng = np.random.default_rng(seed)
    # its own stream, so the other draws (and every existing test's data) do not depend on it
    latent = np.random.default_rng(seed + 1).normal(size=n_england + n_wales + 2)
    las = make_authorities(n_england, n_wales)
    rows, ofsted = [], []
    for index, la in enumerate(las):
        deprivation = rng.uniform(0.08, 0.40)
        population = rng.uniform(15_000, 250_000) if la["la_code"] not in ("E09000001", "E06000053") else 1_500.0
        quality_problem = rng.normal()
        inadequate = quality_problem > 0.9
        if la["nation"] == "England":
            for edition, shift in ((2015, 0.0), (2019, 0.01)):
                rows.append(_row(la, edition, "idaci_average_score", deprivation + shift))
                rows.append(_row(la, edition, "imd_average_score", 100 * deprivation + shift))
        else:
            rows.append(_row(la, 2019, "wimd_most_deprived_10pct_percent", 100 * deprivation))
        for year in years:
            pop = round(population * (1 + 0.005 * (year - 2010)))
            cla_rate = CLA_BASE + RATE_SLOPE * deprivation
            if cla_break is not None and year >= cla_break[0]:
                cla_rate += cla_break[1] + cla_break[2] * (year - cla_break[0])
            cla = rng.poisson(cla_rate * pop / 10_000) * (3 if index == outlier_la else 1)
            shift = shared_factor * latent[index]
            starts = rng.poisson(max(10 + 60 * deprivation + shift, 1.0) * pop / 10_000)
            cpp = rng.poisson(max(15 + 120 * deprivation + 2 * shift, 1.0) * pop / 10_000)
            cpp_starts = rng.poisson((20 + 100 * deprivation) * pop / 10_000) + 5
            second = rng.binomial(cpp_starts, 0.18 + 0.02 * float(np.clip(quality_problem, -2, 2)))
            rereferral = 22 + 5 * quality_problem + rng.normal(0, 1.5)
            values = {
                "population_0_17": pop, "cla_count": cla, "cla_rate_per_10k": cla / pop * 10_000, "cla_starts_count": starts,
                "cla_starts_rate_per_10k": starts / pop * 10_000, "cpp_at_31_march_count": cpp, "cpp_rate_per_10k": cpp / pop * 10_000,
                "cpp_starts_count": cpp_starts, "cpp_second_or_subsequent_count": second,
                "cpp_second_or_subsequent_percent": second / cpp_starts * 100, "rereferrals_percent": rereferral,
            }
            if year >= 2016:
                values["lait_lacstable_2016on"] = 10 + 5 * deprivation + rng.normal(0, 1)
            for indicator, value in values.items():
                rows.append(_row(la, year, indicator, value))
            if la["nation"] == "England":
                graded = year >= 2014
                grade = (4 if inadequate else int(rng.choice([1, 2, 3], p=[0.2, 0.5, 0.3]))) if graded else None
                ofsted.append({
                    "year": year, "as_at_date": date(year, 3, 31), "la_code": la["la_code"], "la_code_3": la["la_code"][-3:], "la_name": la["la_name"],
                    "region": la["region"], "authority_id": la["la_code"].lower(), "framework": "SIF" if graded else "SLAC",
                    "inspection_type": None, "inspection_date": None, "publication_date": date(year - 1, 11, 1),
                    "overall_grade": {1: "Outstanding", 2: "Good", 3: "Adequate", 4: "Inadequate", None: None}[grade],
                    "overall_grade_ordinal": grade, "adequate_mapped": grade == 3,
                    # SLAC years: the same problem makes the safeguarding judgement Inadequate (methods.md "rated inadequate")
                    "rated_inadequate": inadequate, "source_entry": "synthetic", "release": "2020", "is_synthetic": True,
                })
    panel = pl.DataFrame(rows, infer_schema_length=None).with_columns(pl.col("year").cast(pl.Int32))
    # shaped like mart.la_reference: every authority one code, in operation throughout
    reference = pl.DataFrame(las).with_columns(pl.col("la_code").str.to_lowercase().alias("authority_id"),
                                               pl.lit(None, pl.String).alias("london_subregion"),
                                               pl.lit(None, pl.Date).alias("valid_from"), pl.lit(None, pl.Date).alias("valid_to"))
    return AnalysisInputs(
        panel=panel, la_reference=reference, ofsted_in_force=pl.DataFrame(ofsted, infer_schema_length=None), ofsted_judgements=pl.DataFrame(),
        neighbours=pl.DataFrame(), synthetic=True, charts_dir=tmp_path / "charts", indicator_dictionary=DICTIONARY,
    )


def latent_inadequate(inputs: AnalysisInputs) -> set[str]:
    return set(inputs.ofsted_in_force.filter(pl.col("overall_grade_ordinal") == 4)["la_code"].to_list())
