"""The deprivation family's warehouse tables: each table's columns and their descriptions (written as COMMENTs)."""

from __future__ import annotations

from csc_pipeline.analysis import funnel


RESIDUAL_COLUMNS = {
    "nation": "England or Wales (fitted separately).",
    "la_code": "GSS code of the LA.",
    "la_name": "LA name.",
    "la_group": "LA-type group: London, metropolitan, unitary, shire county (England), Welsh unitary.",
    "indicator": "Panel indicator id of the dependent variable.",
    "deprivation_measure": "Panel indicator id of the deprivation measure (the regressor).",
    "edition": "Edition (year) of the deprivation measure used: the latest at or before the period's last year, else the earliest.",
    "deprivation": "The LA's deprivation score in that edition.",
    "n_years": "Years of the period with a published value for the LA (its observed value is their mean).",
    "observed": "Mean of the LA's published values over the period's years.",
    "expected": "OLS fitted value at the LA's deprivation score.",
    "residual": "observed - expected.",
    "standardised_residual": "Internally studentised residual: residual / (s sqrt(1 - leverage)).",
}
COEFFICIENT_COLUMNS = {
    "nation": "England or Wales.",
    "indicator": "Panel indicator id of the dependent variable (for count models: the rate whose numerator count was modelled).",
    "model": "ols (LA value on deprivation), poisson (GLM, log link, log population offset) or negative_binomial (NB2, log population offset).",
    "term": "intercept, the deprivation measure's id (the slope), or alpha (NB2 dispersion: variance = mu + alpha mu^2).",
    "estimate": "Coefficient estimate (count models: on the log scale).",
    "std_error": "Standard error of the estimate.",
    "ci_lower": "Lower confidence limit (level: confidence_level).",
    "ci_upper": "Upper confidence limit.",
    "p_value": "Two-sided p-value of the estimate against 0.",
    "r_squared": "OLS R-squared (null for count models).",
    "deviance_explained": "Poisson GLM: 1 - deviance / null deviance (null otherwise).",
    "model_selected": "Count models: the model the boundary likelihood-ratio test selects for this indicator (poisson when NB2's alpha = 0 is not rejected at nb2_test_level, or NB2 did not converge; else negative_binomial); null for OLS.",
    "lr_statistic": "Count models: 2 x (NB2 log-likelihood - Poisson log-likelihood), floored at 0; null for OLS.",
    "lr_p_value": "Count models: p of the LR statistic against a 50:50 mixture of chi2(0) and chi2(1), 0.5 P(chi2_1 > LR) (1 at LR = 0); null for OLS.",
    "model_note": "Count models: why model_selected was selected (the LR test, or an NB2 fit that did not converge); null for OLS.",
    "status": "fitted, or why the row is not a finding: 'n below minimum' (fewer LAs than min_las); for negative_binomial rows when Poisson is selected, the boundary note (those rows are then the Poisson fit with alpha = 0).",
    "deprivation_measure": "Panel indicator id of the deprivation measure.",
    "deprivation_editions": "Editions of the deprivation measure used (', '-separated).",
}
# The settings a table was computed with, as columns of every row (funnels carry their own year instead of the period).
CHOICE_COLUMNS = {
    "geography": "Panel geography the values come from: current or as_published.",
    "period": "Years (ending 31 March) averaged (OLS, residuals, composite) or summed (count models), 'first-last'.",
}
COUNT_COLUMNS = {
    "nation": "England or Wales.",
    "la_code": "GSS code of the LA.",
    "la_name": "LA name.",
    "indicator": "The rate (or count) this model adjusts.",
    "count_indicator": "Panel indicator id of the modelled count (the rate's numerator, or the count itself).",
    "observed_count": "Sum of the count over the period's years with both count and population.",
    "exposure": "Sum of the 0-17 population over the same years (the model's offset is its log).",
    "expected_poisson": "Expected count from the Poisson GLM.",
    "oe_ratio_poisson": "observed_count / expected_poisson.",
    "expected_negative_binomial": "Expected count from the negative binomial model; equal to expected_poisson where model_selected is poisson (alpha = 0).",
    "oe_ratio_negative_binomial": "observed_count / expected_negative_binomial.",
    "model_selected": "poisson or negative_binomial, by the boundary likelihood-ratio test of alpha = 0 (analysis.deprivation_coefficients.status says why).",
}
COMPOSITE_COLUMNS = {
    "nation": "England or Wales.",
    "la_code": "GSS code of the LA.",
    "la_name": "LA name.",
    "la_group": "LA-type group the LA is ranked within.",
    "composite_score": "Sum of the LA's standardised deprivation residuals over the composite's indicators (indicators_used).",
    "n_indicators": "Number of indicators summed.",
    "indicators_used": "Composite indicators summed (', '-separated); configured ones without values are listed in analysis.deprivation_skipped.",
    "rank_in_group": "Rank of composite_score within nation and LA-type group, 1 = highest.",
    "group_size": "Number of ranked LAs in the group.",
    "outlier": "'highest' / 'lowest' for the outliers_per_group highest / lowest LAs of the group, else null.",
    "status": "fitted, or 'n below minimum' when fewer than min_las LAs of the nation have a composite score (the ranks are then not findings).",
}
SKIPPED_COLUMNS = {
    "nation": "England or Wales.",
    "indicator": "Configured indicator (or composite entry) not analysed.",
    "reason": "Why it was skipped.",
}


def funnel_columns(levels) -> dict[str, str]:
    columns = {
        "nation": "England or Wales.",
        "indicator": "Panel indicator id (a rate per 10,000 or a percentage).",
        "year": "Year ending 31 March drawn.",
        "year_rule": "How the year was chosen: 'configured year' (funnel.year, or the period's last year), or 'latest year with values: ...' when the nation has too few LAs with values in the configured year (e.g. Wales).",
        "geography": "Panel geography the values come from: current or as_published.",
        "la_code": "GSS code of the LA.",
        "la_name": "LA name.",
        "numerator": "The indicator's numerator count (mart.indicator_dictionary.numerator).",
        "denominator": "Its denominator (the 0-17 population for rates): the funnel's x-axis.",
        "observed": "numerator / denominator x 10,000 (rates) or x 100 (percentages).",
        "target": "The value the limits are centred on: the national (pooled) value, or the LA's deprivation-expected value.",
        "target_kind": "national or deprivation_expected.",
        "overdispersion": "Method of the lower_/upper_/position_ limits: additive (default: normal limits widened by the between-LA variance tau^2), multiplicative (exact limits widened by sqrt(phi)) or none (exact Poisson / binomial limits), Spiegelhalter (2005).",
        "phi": "Overdispersion factor: mean of the squared winsorised z-scores (used only when overdispersion = multiplicative).",
        "tau2": "Between-LA variance (used only when overdispersion = additive).",
        "sd_beyond_widest": "Distance outside the widest limits in units of the LA's sampling SD under the target (0 inside); ranks the LAs named on the chart.",
        "labelled": "TRUE if the LA is named on the chart: among the funnel.label_max LAs with the largest sd_beyond_widest.",
    }
    for level in levels:
        suffix = funnel.level_label(level)
        columns[f"lower_{suffix}"] = f"Lower {level:.1%} control limit by the overdispersion method (none: exact Poisson for rates, exact binomial for percentages)."
        columns[f"upper_{suffix}"] = f"Upper {level:.1%} control limit by the overdispersion method."
        columns[f"position_{suffix}"] = f"above / below / inside the {level:.1%} limits (the headline)."
        columns[f"exact_lower_{suffix}"] = f"Variant: lower {level:.1%} exact limit (no overdispersion adjustment); only when overdispersion is not none."
        columns[f"exact_upper_{suffix}"] = f"Variant: upper {level:.1%} exact limit; only when overdispersion is not none."
        columns[f"exact_position_{suffix}"] = f"Variant: above / below / inside the exact {level:.1%} limits."
    return columns
