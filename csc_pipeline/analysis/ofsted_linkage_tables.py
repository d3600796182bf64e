"""The Ofsted linkage family's warehouse tables: schemas, descriptions and column comments."""

from __future__ import annotations

import polars as pl

from csc_pipeline.analysis.panel_frames import COVERAGE_COLUMNS

SUMMARY_DESCRIPTION = ("Per 31 March, inspection framework and overall Ofsted grade in force: the English LAs with that "
                       "grade and the median of each configured indicator among them that year (methods.md section 5).")
SUMMARY_SCHEMA = {"year": pl.Int64, "framework": pl.String, "overall_grade_ordinal": pl.Int64, "grade_name": pl.String,
                  "overall_grade": pl.String, "adequate_mapped": pl.Boolean, "n_las_with_grade": pl.Int64,
                  "indicator": pl.String, "median_value": pl.Float64, "n_las": pl.Int64, "years_used": pl.String,
                  "las_excluded": pl.String}
SUMMARY_COLUMNS = {
    "year": "Year: the judgement in force at 31 March of this year, and the indicator values of the year ending then.",
    "framework": "Inspection framework of the judgement in force (SLAC, SIF, ILACS); NULL when the LA had no inspection on record.",
    "overall_grade_ordinal": "Overall grade on the four-point scale: 1 Outstanding, 2 Good, 3 Requires improvement / Adequate, 4 Inadequate; NULL when the framework gave no overall grade.",
    "grade_name": "Name of the grade on the four-point scale, or 'no overall grade'.",
    "overall_grade": "The grade as published (e.g. 'Requires improvement to be good').",
    "adequate_mapped": "True when the published grade was 'Adequate', mapped onto grade 3.",
    "n_las_with_grade": "English LAs with this framework and grade in force (configured exclusions removed).",
    "indicator": "Indicator id (mart.indicator_dictionary).",
    "median_value": "Median of the indicator's published values of the year among those LAs.",
    **COVERAGE_COLUMNS,
    "n_las": "LAs of the group with a published value of the indicator that year (entering the median).",
}
ASSOCIATION_DESCRIPTION = ("Per year and indicator: association of the indicator's value that year with the overall Ofsted "
                           "grade in force at 31 March (Spearman rho with the ordinal grade; Kruskal-Wallis H across grades).")
ASSOCIATION_SCHEMA = {"year": pl.Int64, "indicator": pl.String, "test": pl.String, "statistic": pl.Float64,
                      "p_value": pl.Float64, "n_las": pl.Int64, "years_used": pl.String, "las_excluded": pl.String}
ASSOCIATION_COLUMNS = {
    "year": "Year: grade in force at 31 March and indicator values of the year ending then.",
    "indicator": "Indicator id.",
    "test": "spearman (statistic = rho; positive = higher values with worse grades) or kruskal_wallis (statistic = H).",
    "statistic": "Test statistic; NULL for Spearman with fewer than 3 LAs.",
    "p_value": "Two-sided p-value.",
    **COVERAGE_COLUMNS,
    "n_las": "LAs with both an overall grade in force and a value (the test's n).",
    "las_excluded": "Graded LAs without a published value that year.",
}

# The choices every prediction table was computed with.
_HEAD = {"requested_year": pl.Int64, "prediction_year": pl.Int64, "outcome_years": pl.String, "outcome_definition": pl.String,
         "alpha": pl.Float64, "chosen_lambda": pl.Float64, "folds": pl.Int64, "cv_rule": pl.String}
_HEAD_COLUMNS = {
    "requested_year": "The configured prediction year Y.",
    "prediction_year": "The year Y actually used: the requested one, or the first configured fallback year with enough graded LAs (status fallback_year); NULL when no year was usable.",
    "outcome_years": "Years whose 31 March judgements in force define the outcome (Y..Y+window_years-1).",
    "outcome_definition": "What 'rated Inadequate' means here (config prediction.outcome): rated_inadequate = methods.md section 5, the judgements of the framework in force (mart.ofsted_judgement_in_force.rated_inadequate); overall_grade = the SIF/ILACS overall grade only.",
    "alpha": "Elastic-net mixing (glmnet's alpha): 1 lasso, 0 ridge.",
    "chosen_lambda": "Penalty chosen by cross-validation (cv_rule) on the path.",
    "folds": "Cross-validation folds (stratified by outcome, seeded).",
    "cv_rule": "How cross-validation chose the penalty: 1se = the largest penalty within one standard error of the lowest held-out deviance (glmnet's lambda.1se); min = the lowest (lambda.min).",
}
_MODEL_STATUS = {"model_status": pl.String}
_MODEL_STATUS_COLUMNS = {"model_status": "The model's status (ofsted_prediction_summary.status): anything but 'ok' means the model is not a finding."}
_COVERAGE_SCHEMA = {"n_las": pl.Int64, "years_used": pl.String, "las_excluded": pl.String}
_MODEL_COVERAGE = {
    "n_las": "LAs in the model: rated (graded) in the outcome window and every predictor present.",
    "years_used": "Year of the predictor values (Y).",
    "las_excluded": "LAs left out and why: configured exclusion, no graded judgement in force in the window, or a predictor missing.",
}
_PATH = {"lambda_index": pl.Int64, "lambda_value": pl.Float64, "is_chosen": pl.Boolean, "is_path_start": pl.Boolean, "is_path_end": pl.Boolean}
_PATH_COLUMNS = {
    "lambda_index": "Position on the penalty path: 0 = lambda_max (every coefficient zero), n_lambdas-1 = the smallest penalty.",
    "lambda_value": "Penalty (lambda) of this point of the path.",
    "is_chosen": "True for the penalty chosen by cross-validation.",
    "is_path_start": "True at lambda_max, the start of the path (an intercept-only model by construction).",
    "is_path_end": "True at the smallest penalty of the path (lambda_max * lambda_min_ratio): chosen here, the path may be too short.",
}
PREDICTION_SCHEMAS = {
    "analysis.ofsted_prediction_summary": {
        **_HEAD, "status": pl.String, "note": pl.String, "n_rated_inadequate": pl.Int64, "n_not_rated_inadequate": pl.Int64,
        "indicators_used": pl.String, "indicators_unavailable": pl.String, "indicators_dropped": pl.String,
        "lambda_max": pl.Float64, "n_lambdas": pl.Int64, "lambda_min_ratio": pl.Float64, "chosen_lambda_index": pl.Int64,
        "threshold": pl.Float64, "n_nonzero_coefficients": pl.Int64, "converged": pl.Boolean, "deviance_explained": pl.Float64,
        "sensitivity": pl.Float64, "specificity": pl.Float64, "cv_mean_deviance": pl.Float64, "cv_null_mean_deviance": pl.Float64,
        "cv_sensitivity": pl.Float64, "cv_specificity": pl.Float64, "n_predicted_inadequate": pl.Int64, **_COVERAGE_SCHEMA,
    },
    "analysis.ofsted_prediction_coefficients": {
        **_HEAD, **_MODEL_STATUS, **_PATH, "term": pl.String, "coefficient": pl.Float64, "indicator_mean": pl.Float64,
        "indicator_sd": pl.Float64, "coefficient_per_unit": pl.Float64, "odds_ratio_per_sd": pl.Float64, **_COVERAGE_SCHEMA,
    },
    "analysis.ofsted_prediction_cv": {
        **_HEAD, **_MODEL_STATUS, **_PATH, "cv_mean_deviance": pl.Float64, "cv_deviance_se": pl.Float64,
        "n_nonzero_coefficients": pl.Int64, "n_fold_fits_not_converged": pl.Int64, **_COVERAGE_SCHEMA,
    },
    "analysis.ofsted_predictions": {
        **_HEAD, **_MODEL_STATUS, "la_code": pl.String, "la_name": pl.String, "region": pl.String, "probability": pl.Float64,
        "predicted_inadequate": pl.Boolean, "rated_inadequate": pl.Boolean, "cv_probability": pl.Float64, **_COVERAGE_SCHEMA,
    },
    "analysis.ofsted_after_inadequate": {
        **_HEAD, **_MODEL_STATUS, "group": pl.String, "group_label": pl.String, "n_group_las": pl.Int64, "indicator": pl.String,
        "from_year": pl.Int64, "to_year": pl.Int64, "median_change": pl.Float64, "percent_rose": pl.Float64, "status": pl.String,
        "note": pl.String, **_COVERAGE_SCHEMA,
    },
}
CHOICE_COLUMNS = list(_HEAD)  # the choices every prediction table carries
AFTER_SCHEMA = {k: v for k, v in PREDICTION_SCHEMAS["analysis.ofsted_after_inadequate"].items() if k not in {**_HEAD, **_MODEL_STATUS}}
PREDICTION_DESCRIPTIONS = {
    "analysis.ofsted_prediction_summary": ("The elastic-net logistic model of 'rated Inadequate' at 31 March of years Y..Y+window_years-1 "
                                           "on standardised indicators of year Y: data, penalty path, chosen penalty, fit, and its status "
                                           "(anything but 'ok' is not a finding; see note)."),
    "analysis.ofsted_prediction_coefficients": ("Coefficients (per SD) of the elastic-net Inadequate model at every penalty of the path, "
                                                "the chosen penalty's rows first."),
    "analysis.ofsted_prediction_cv": "Cross-validated held-out deviance of the elastic-net Inadequate model at every penalty of the path.",
    "analysis.ofsted_predictions": "Per LA in the Inadequate model: predicted probability, predicted class at the threshold and the actual outcome.",
    "analysis.ofsted_after_inadequate": ("Among LAs predicted Inadequate: group A (not rated Inadequate in the window) vs group B "
                                         "(rated Inadequate): per group and indicator, the median change from year Y to Y+1 and % of LAs rising."),
}
PREDICTION_COLUMNS = {
    "analysis.ofsted_prediction_summary": {
        **_HEAD_COLUMNS,
        "status": ("ok; intercept_only (no predictor kept: cross-validation found nothing better than chance); no_better_than_chance "
                   "(predictors kept, but the held-out deviance is no lower than the intercept-only model's); penalty_at_path_edge "
                   "(the smallest penalty of the path chosen); not_converged (the final fit hit max_iterations); fallback_year "
                   "(a fallback year replaced Y); n_below_minimum (no configured year had enough graded LAs: not fitted)."),
        "note": "The status in words, and every other caveat that applies (fallback, edge, convergence); empty when status is ok.",
        "n_rated_inadequate": "Model LAs rated Inadequate at 31 March of some outcome year.",
        "n_not_rated_inadequate": "Model LAs rated in the window but never Inadequate.",
        "indicators_used": "Predictors in the model (values of year Y, standardised).",
        "indicators_unavailable": "Configured predictors not published for year Y (e.g. workforce indicators before 2016).",
        "indicators_dropped": "Configured predictors published for Y but left out and why (missing for more than max_missing_share of the LAs with an outcome, or constant).",
        "lambda_max": "Start of the penalty path: the smallest penalty that zeroes every coefficient, max_j |x_j'(y - ybar)| / (n * alpha) on the standardised predictors.",
        "n_lambdas": "Penalties on the path (log-spaced from lambda_max down to lambda_max * lambda_min_ratio).",
        "lambda_min_ratio": "End of the path as a fraction of lambda_max.",
        "chosen_lambda_index": "Position of the chosen penalty on the path (0 = lambda_max).",
        "threshold": "Probability at or above which an LA is predicted Inadequate.",
        "n_nonzero_coefficients": "Predictors with a non-zero coefficient at the chosen penalty.",
        "converged": "Whether the final fit converged within max_iterations IRLS steps.",
        "deviance_explained": "1 - model deviance / intercept-only deviance, in sample.",
        "sensitivity": "Share of the LAs rated Inadequate that the model predicts Inadequate (in sample).",
        "specificity": "Share of the LAs not rated Inadequate that the model predicts not Inadequate (in sample).",
        "cv_mean_deviance": "Held-out binomial deviance per LA at the chosen penalty.",
        "cv_null_mean_deviance": "Held-out deviance per LA of an intercept-only model on the same folds (chance level).",
        "cv_sensitivity": "Sensitivity of the out-of-fold predictions at the chosen penalty.",
        "cv_specificity": "Specificity of the out-of-fold predictions at the chosen penalty.",
        "n_predicted_inadequate": "Model LAs predicted Inadequate (in sample).",
        **_MODEL_COVERAGE,
    },
    "analysis.ofsted_prediction_coefficients": {
        **_HEAD_COLUMNS, **_MODEL_STATUS_COLUMNS, **_PATH_COLUMNS,
        "term": "'intercept' or the predictor's indicator id.",
        "coefficient": "Log-odds of Inadequate per standard deviation of the indicator (the intercept: at the mean of every predictor); 0 where the penalty removes it.",
        "indicator_mean": "Mean of the indicator over the model LAs (the standardisation centre).",
        "indicator_sd": "Population SD of the indicator over the model LAs (the standardisation scale).",
        "coefficient_per_unit": "Coefficient per unit of the indicator (coefficient / indicator_sd).",
        "odds_ratio_per_sd": "exp(coefficient): odds ratio for one SD higher.",
        **_MODEL_COVERAGE,
    },
    "analysis.ofsted_prediction_cv": {
        **_HEAD_COLUMNS, **_MODEL_STATUS_COLUMNS, **_PATH_COLUMNS,
        "cv_mean_deviance": "Binomial deviance of the out-of-fold predictions, per LA.",
        "cv_deviance_se": "Standard error of the per-fold mean deviances.",
        "n_nonzero_coefficients": "Non-zero predictors when this penalty is fitted on all model LAs.",
        "n_fold_fits_not_converged": "Training-fold fits at this penalty that reached max_iterations without converging.",
        **_MODEL_COVERAGE,
    },
    "analysis.ofsted_predictions": {
        **_HEAD_COLUMNS, **_MODEL_STATUS_COLUMNS,
        "la_code": "GSS code of the LA.",
        "la_name": "LA name.",
        "region": "English region.",
        "probability": "Predicted probability of Inadequate from the model fitted on all LAs.",
        "predicted_inadequate": "probability at or above the threshold.",
        "rated_inadequate": "Actual outcome: rated Inadequate (outcome_definition) at 31 March of some outcome year.",
        "cv_probability": "Out-of-fold probability at the chosen penalty (the LA's fold held out of the fit).",
        **_MODEL_COVERAGE,
    },
    "analysis.ofsted_after_inadequate": {
        **_HEAD_COLUMNS, **_MODEL_STATUS_COLUMNS,
        "group": "A: predicted Inadequate but not rated Inadequate in the window; B: predicted and rated Inadequate.",
        "group_label": "The group in words.",
        "n_group_las": "LAs in the group (predicted Inadequate, and rated or not).",
        "indicator": "Indicator id (the configured predictors).",
        "from_year": "First predicted year (Y, the window's first year).",
        "to_year": "The next year (Y+1).",
        "median_change": "Median over the group's LAs of value(to_year) - value(from_year).",
        "percent_rose": "Percent of the group's LAs whose value rose (change > 0).",
        "status": "ok; group_empty (no LA in the group: nothing to compare); no_values (no LA of the group has a value in both years).",
        "note": "The status in words; empty when ok.",
        "n_las": "LAs of the group with a value in both years.",
        "years_used": "from_year-to_year.",
        "las_excluded": "Group LAs without a value in one of the two years.",
    },
}
