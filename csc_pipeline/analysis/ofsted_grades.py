"""Ofsted grades in force keyed like the panel's LAs: the Ofsted linkage and the change-in-rate
associations both test LA measures against them."""

from __future__ import annotations

import polars as pl

from csc_pipeline.analysis.results import AnalysisInputs


def grades_by_authority(inputs: AnalysisInputs, geography: str, exclude_la_codes: tuple[str, ...]) -> pl.DataFrame:
    """The judgements in force, keyed by the panel's LA code on ``geography``, without ``exclude_la_codes``.

    The in-force table carries the LA code of its time (Barnsley E08000016, Buckinghamshire
    E10000002), the current-boundaries panel today's (E08000038, E06000060); both carry the stable
    authority_id, so each judgement takes the panel's code for its authority and year. Authorities
    with no such panel row (Bournemouth before the BCP merger) keep their own code.
    """
    frame = inputs.ofsted_in_force
    if frame.is_empty():
        return pl.DataFrame(schema={"year": pl.Int64, "la_code": pl.String, "la_name": pl.String, "region": pl.String,
                                    "framework": pl.String, "overall_grade": pl.String, "overall_grade_ordinal": pl.Int64,
                                    "adequate_mapped": pl.Boolean,
                                    "rated_inadequate": pl.Boolean})
    panel_codes = (inputs.panel.filter((pl.col("geography") == geography) & (pl.col("nation") == "England"))
                   .select("authority_id", pl.col("year").cast(pl.Int64), pl.col("la_code").alias("_panel_code")).unique(["authority_id", "year"]))
    return (frame.with_columns(pl.col("year").cast(pl.Int64)).join(panel_codes, on=["authority_id", "year"], how="left")
            .with_columns(pl.coalesce("_panel_code", "la_code").alias("la_code"))
            .filter(~pl.col("la_code").is_in(list(exclude_la_codes)))
            .select("year", "la_code", "la_name", "region", "framework", "overall_grade",
                    pl.col("overall_grade_ordinal").cast(pl.Int64), "adequate_mapped", "rated_inadequate"))
