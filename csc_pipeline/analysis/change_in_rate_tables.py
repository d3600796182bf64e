"""The change-in-rate family's warehouse tables: columns, types and descriptions (written as COMMENTs)."""

from __future__ import annotations

import polars as pl

# The rates an average change is computed on; the basis-difference table has a column per basis.
AT_THE_TIME, LATEST_POPULATION = "at_the_time", "latest_population"
RATE_BASES = (AT_THE_TIME, LATEST_POPULATION)
CHOICE_KEYS = ["indicator", "geography", "authorities_rule", "rate_basis", "nation", "period_start", "period_end"]
CHANGE_DESCRIPTION = ("Per indicator, geography (with its authorities rule), rate basis, period, LA and direction rule: the "
                      "average rate over the period, the average year-on-year change (methods.md section 4), and whether the "
                      "rate rose, stayed or fell. Default: sign of the average change of the rates at published precision; "
                      "tolerance rules are sensitivity variants.")
CHANGE_COLUMNS = {
    "indicator": "Indicator id (mart.indicator_dictionary).",
    "geography": "Panel geography used: as_published (the headline, methods.md) or current (today's boundaries, back-cast).",
    "authorities_rule": "Which authorities are counted: for as_published those in operation at the end of the period, as published; for current, today's authorities with an apportioned set (successors back-cast from one predecessor) counted once as that predecessor.",
    "rate_basis": "at_the_time (the panel's rate, as printed for the year) or latest_population (recomputed over the latest population vintage, mart.la_rate_variants).",
    "nation": "England or Wales.",
    "period_start": "First year (ending 31 March) of the period.",
    "period_end": "Last year (ending 31 March) of the period.",
    "la_code": "GSS code of the LA (as_published: its code at the end of the period; a set counted once: the predecessor's code).",
    "la_name": "LA name.",
    "region": "English region, with London split into Inner and Outer London; Wales for Welsh LAs.",
    "n_years": "Years of the period with a published value.",
    "years_used": "Those years, e.g. '2012-2017' or '2012, 2014-2017'.",
    "avg_rate": "Mean of the published values over the period.",
    "avg_change": "Mean of the year-on-year differences over consecutive years with values (= (r_b - r_a)/(b - a) with no gap); NULL with fewer than two consecutive years.",
    "direction_rule": "How direction was decided: 'sign at published precision' (default: the sign of the average change of the rates rounded as the publisher prints them, 0 = no change) or 'tolerance X on unrounded rates' (sensitivity: |avg_change| below X is no change).",
    "rate_precision": "Decimals the rates were rounded to (half up) before the direction's average change: 0 = whole numbers per 10,000; NULL for a tolerance rule (unrounded).",
    "avg_change_at_precision": "The average change computed on the rates rounded to rate_precision (= avg_change for a tolerance rule).",
    "direction": "increase / no change / decrease under direction_rule.",
}
CHANGE_SCHEMA = {"period_start": pl.Int64, "period_end": pl.Int64, "n_years": pl.Int64, "avg_rate": pl.Float64,
                 "avg_change": pl.Float64, "rate_precision": pl.Int64, "avg_change_at_precision": pl.Float64}
STATUS_COLUMNS = {
    "status": "ok; 'n below minimum' (fewer LAs than change_in_rate.min_las: shown, not a finding); 'group empty' (no LA value); 'constant input' (no statistic defined); 'skipped' (inputs absent).",
    "note": "Why the status is not ok; NULL when it is.",
}
SUMMARY_COLUMNS = {
    "region": "Region (Inner London, Outer London, other English regions, Wales) or 'All' for the whole nation.",
    "n": "LAs with a value of the measure (0: group empty).",
    "min": "Smallest LA value of the measure.",
    "max": "Largest LA value of the measure.",
    "mean": "Mean of the LA values (unweighted).",
    "sd": "Sample standard deviation of the LA values.",
}
BY_REGION_DESCRIPTION = ("Per indicator, geography, rate basis, period, direction rule, region (London split into Inner and "
                         "Outer; 'All' = the nation) and measure: the spread of the LA-level average rates and average changes, "
                         "and the shares of LAs rising, unchanged and falling under the direction rule.")
BY_REGION_COLUMNS = {
    **{k: CHANGE_COLUMNS[k] for k in (*CHOICE_KEYS, "direction_rule", "rate_precision")},
    "measure": "avg_rate or avg_change (see analysis.change_in_rate).",
    **SUMMARY_COLUMNS,
    "percent_increase": "Percent of the LAs whose direction is increase.",
    "percent_no_change": "Percent of the LAs whose direction is no change.",
    "percent_decrease": "Percent of the LAs whose direction is decrease.",
    **STATUS_COLUMNS,
}
BASIS_DIFFERENCE_DESCRIPTION = ("Per LA, indicator, geography and period (default direction rule): the average rate and change on "
                                "the rates at the time and on the rates over the latest population vintage, and the difference.")
BASIS_DIFFERENCE_COLUMNS = {
    **{k: CHANGE_COLUMNS[k] for k in CHOICE_KEYS if k != "rate_basis"},
    **{k: CHANGE_COLUMNS[k] for k in ("la_code", "la_name", "region")},
    **{f"{m}_{basis}": f"{m} on the {basis} rates." for basis in RATE_BASES for m in ("avg_rate", "avg_change", "direction")},
    "avg_rate_difference": "avg_rate_latest_population - avg_rate_at_the_time.",
    "avg_change_difference": "avg_change_latest_population - avg_change_at_the_time.",
}
COVERAGE_DESCRIPTION = ("Inputs of each change-in-rate calculation: LAs with an average change, years, LAs left out or counted "
                        "once and why; a rate basis whose inputs are absent is a 'skipped' row.")
COVERAGE_SCHEMA = {"indicator": pl.String, "geography": pl.String, "authorities_rule": pl.String, "rate_basis": pl.String,
                   "nation": pl.String, "period_start": pl.Int64, "period_end": pl.Int64, "n_las": pl.Int64,
                   "years_used": pl.String, "las_excluded": pl.String, "status": pl.String, "note": pl.String}
ASSOCIATION_DESCRIPTION = ("Associations of each LA's average rate and average change with factors, each over its own years "
                           "within the period: Spearman (continuous factors, Ofsted grade), Mann-Whitney U (binary factor), "
                           "Kruskal-Wallis (Ofsted grade groups); all LAs and excluding London. Ofsted grades are coded "
                           "1 = Outstanding .. 4 = Inadequate (a higher grade is worse), so a positive rho means higher rates "
                           "or rises go with worse grades.")
ASSOCIATION_SCHEMA = {**{k: COVERAGE_SCHEMA[k] for k in CHOICE_KEYS},
                      "variant": pl.String, "measure": pl.String, "factor": pl.String, "factor_period_start": pl.Int64,
                      "factor_period_end": pl.Int64, "grade_coding": pl.String, "test": pl.String,
                      "statistic": pl.Float64, "p_value": pl.Float64, "n": pl.Int64, "status": pl.String, "note": pl.String}
ASSOCIATION_COLUMNS = {
    **{k: CHANGE_COLUMNS[k] for k in CHOICE_KEYS},
    "variant": "Sensitivity variant: all LAs or excluding London.",
    "measure": "The LA measure tested: avg_rate or avg_change of the indicator.",
    "factor": "The factor: an indicator with its measure (avg_value or avg_change) over its own period, the binary factor's name, or ofsted_overall_grade (the overall grade in force at 31 March of period_end, matched by authority).",
    "factor_period_start": "First year of the factor's own period (the years it is published within the study period, or change_in_rate.factor_periods); NULL for the binary factor and the Ofsted grade.",
    "factor_period_end": "Last year of the factor's own period.",
    "grade_coding": "For the Ofsted grade: how it is coded (1=Outstanding .. 4=Inadequate, a higher grade is worse); NULL for other factors.",
    "test": "spearman (statistic = rho), mann_whitney_u (U) or kruskal_wallis (H).",
    "statistic": "The test statistic; NULL with fewer than 3 LAs.",
    "p_value": "Two-sided p-value.",
    "n": "LAs in the test.",
    **STATUS_COLUMNS,
}
FACTOR_DESCRIPTION = ("Per continuous factor, geography, period and LA: the factor's average and average yearly change over its "
                      "own period (the years it is published within the study period, or change_in_rate.factor_periods): "
                      "the values the associations test.")
FACTOR_COLUMNS = {
    **{k: CHANGE_COLUMNS[k] for k in CHOICE_KEYS if k not in ("indicator", "rate_basis")},
    "factor": "The factor's indicator id (mart.indicator_dictionary).",
    "factor_period_start": "First year of the factor's own period.",
    "factor_period_end": "Last year of the factor's own period.",
    **{k: CHANGE_COLUMNS[k] for k in ("la_code", "la_name", "region", "n_years", "years_used")},
    "avg_value": "Mean of the factor's values over its period.",
    "avg_change": "Mean of the factor's year-on-year differences over consecutive years with values; NULL with fewer than two.",
}
FACTOR_SCHEMA = {"period_start": pl.Int64, "period_end": pl.Int64, "factor_period_start": pl.Int64, "factor_period_end": pl.Int64,
                 "n_years": pl.Int64, "avg_value": pl.Float64, "avg_change": pl.Float64}
FACTOR_BY_REGION_DESCRIPTION = "Per factor, geography, period, region ('All' = the nation) and measure: the spread of the LA factor values."
FACTOR_BY_REGION_COLUMNS = {
    **{k: FACTOR_COLUMNS[k] for k in FACTOR_COLUMNS if k in ("geography", "authorities_rule", "nation", "period_start", "period_end",
                                                              "factor", "factor_period_start", "factor_period_end")},
    "measure": "avg_value or avg_change (see analysis.change_in_rate_factors).",
    **SUMMARY_COLUMNS,
    **STATUS_COLUMNS,
}
