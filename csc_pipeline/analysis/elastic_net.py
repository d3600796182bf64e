"""Elastic-net logistic regression along a glmnet-style penalty path, with seeded k-fold cross-validation.

Objective (glmnet's, and statsmodels' ``GLM.fit_regularized(method="elastic_net")`` with
``alpha=lambda, L1_wt=alpha``): -loglik / n + lambda * ((1 - alpha) * |b|^2 / 2 + alpha * |b|_1),
the intercept unpenalised, on predictors standardised to mean 0 and population SD 1.

The path runs from lambda_max, the smallest penalty at which every coefficient is zero
(max_j |x_j' (y - ybar)| / (n * alpha), the gradient of the intercept-only fit), down to
``min_ratio`` times it on a log grid. Each penalty is fitted by proximal Newton steps (IRLS) with
coordinate descent on the weighted least-squares problem, as glmnet does, warm-started from the
previous penalty's solution; the coordinate descent works on the weighted Gram matrix (p x p), so
its cost does not grow with n. Cross-validation fits the same path (computed on all the data) on
each training fold and picks a penalty by the held-out binomial deviance (glmnet's lambda.min or
lambda.1se rule).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Held-out probabilities are clipped this far from 0 and 1 so a confident miss costs a finite deviance.
PROBABILITY_FLOOR = 1e-12
# IRLS weights p(1-p) are kept at least this large (glmnet does the same) so a near-separated LA
# cannot make the working response infinite.
MIN_WEIGHT = 1e-5
TOLERANCE = 1e-8  # largest coefficient change (per SD) at which a fit counts as converged
MAX_SWEEPS = 1000  # coordinate-descent sweeps per IRLS step
THRESHOLD_ROUNDING = 1e-9  # relative
CV_RULES = ("min", "1se")


def stratified_folds(outcome: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Fold number (0..k-1) per observation: each class shuffled with ``seed`` and dealt round-robin.

    Every fold gets the class's members within one of each other; the dealing continues across the
    classes so the folds' sizes also differ by at most one.
    """
    rng = np.random.default_rng(seed)
    folds = np.empty(len(outcome), dtype=int)
    dealt = 0
    for label in np.unique(outcome):
        members = rng.permutation(np.flatnonzero(outcome == label))
        folds[members] = (dealt + np.arange(len(members))) % k
        dealt += len(members)
    return folds


def standardise(train: np.ndarray, other: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray]:
    """Scale columns to mean 0, SD 1 (population SD) on ``train``; apply the same scaling to ``other``."""
    mean, sd = train.mean(axis=0), train.std(axis=0)
    # a column constant within a training fold carries no information there: scale it to all zeros
    sd = np.where(sd > 0, sd, 1.0)
    return (train - mean) / sd, None if other is None else (other - mean) / sd, mean, sd


def predict_probability(params: np.ndarray, predictors: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(params[0] + predictors @ params[1:])))


def binomial_deviance(outcome: np.ndarray, probability: np.ndarray) -> float:
    p = np.clip(probability, PROBABILITY_FLOOR, 1 - PROBABILITY_FLOOR)
    return float(-2 * np.sum(outcome * np.log(p) + (1 - outcome) * np.log(1 - p)))


def sensitivity_specificity(outcome: np.ndarray, predicted: np.ndarray) -> tuple[float | None, float | None]:
    """True-positive share of the actual positives and true-negative share of the actual negatives (None if none)."""
    outcome, predicted = np.asarray(outcome, bool), np.asarray(predicted, bool)
    positives, negatives = outcome.sum(), (~outcome).sum()
    sensitivity = float((outcome & predicted).sum() / positives) if positives else None
    specificity = float((~outcome & ~predicted).sum() / negatives) if negatives else None
    return sensitivity, specificity


def lambda_max(scaled: np.ndarray, outcome: np.ndarray, alpha: float) -> float:
    """The smallest penalty at which every coefficient of the fit on ``scaled`` predictors is zero."""
    return float(np.max(np.abs(scaled.T @ (outcome - outcome.mean()))) / (len(outcome) * alpha))


def lambda_path(largest: float, n_lambdas: int, min_ratio: float) -> np.ndarray:
    """``n_lambdas`` penalties from ``largest`` down to ``largest * min_ratio``, evenly spaced on the log scale."""
    return np.exp(np.linspace(np.log(largest), np.log(largest * min_ratio), n_lambdas))


@dataclass(frozen=True)
class PathFit:
    params: np.ndarray  # one row per penalty: intercept, then one coefficient per predictor column
    converged: np.ndarray  # per penalty


def _soft_threshold(value: float, threshold: float) -> float:
    # a value within rounding of the threshold counts as on it, so the fit at lambda_max (where the largest
    # gradient equals the threshold by construction) is exactly intercept-only
    if abs(value) <= threshold * (1 + THRESHOLD_ROUNDING):
        return 0.0
    return (abs(value) - threshold) if value > 0 else -(abs(value) - threshold)


def _coordinate_descent(gram: np.ndarray, gradient: np.ndarray, beta: np.ndarray, l1: float, l2: float) -> np.ndarray:
    """Cyclic coordinate descent on the penalised weighted least squares; returns the new coefficients.

    On Python floats, not numpy scalars: p is small and the sweep is all scalar steps, where numpy's
    per-call cost dominates. Every operation is the same IEEE double one in the same order (the
    gradient update is elementwise), so the result is bit-identical to the numpy formulation.
    """
    p, l1, l2 = len(beta), float(l1), float(l2)
    columns, diagonal = gram.T.tolist(), gram.diagonal().tolist()
    gradient, beta = gradient.tolist(), beta.tolist()
    for _ in range(MAX_SWEEPS):
        largest_change = 0.0
        for j in range(p):
            updated = _soft_threshold(gradient[j] + diagonal[j] * beta[j], l1) / (diagonal[j] + l2)
            change = updated - beta[j]
            if change:
                column = columns[j]
                for k in range(p):
                    gradient[k] -= column[k] * change
                beta[j] = updated
                largest_change = max(largest_change, abs(change))
        if largest_change < TOLERANCE:
            break
    return np.array(beta)


def fit_path(scaled: np.ndarray, outcome: np.ndarray, lambdas, alpha: float, max_iterations: int) -> PathFit:
    """The elastic-net logistic fit at each penalty of ``lambdas`` (largest first), warm-started along the path.

    ``max_iterations``: IRLS (proximal Newton) steps per penalty; a fit still moving after them is
    returned as it stands and flagged not converged.
    """
    n, p = scaled.shape
    share = float(np.clip(outcome.mean(), PROBABILITY_FLOOR, 1 - PROBABILITY_FLOOR))
    intercept, beta = float(np.log(share / (1 - share))), np.zeros(p)
    params, converged = np.zeros((len(lambdas), p + 1)), np.zeros(len(lambdas), dtype=bool)
    for index, penalty in enumerate(lambdas):
        l1, l2 = penalty * alpha, penalty * (1 - alpha)
        for _ in range(max_iterations):
            eta = intercept + scaled @ beta
            probability = 1.0 / (1.0 + np.exp(-eta))
            weight = np.maximum(probability * (1 - probability), MIN_WEIGHT)
            working = eta + (outcome - probability) / weight
            # weighted least squares of the working response; the unpenalised intercept is profiled
            # out by centring on the weighted means
            centre_x = weight @ scaled / weight.sum()
            centred = scaled - centre_x
            gram = (centred * weight[:, None]).T @ centred / n
            cross = (centred * weight[:, None]).T @ (working - weight @ working / weight.sum()) / n
            previous = beta
            beta = _coordinate_descent(gram, cross - gram @ beta, beta, l1, l2)
            new_intercept = float(weight @ working / weight.sum() - centre_x @ beta)
            moved = max(abs(new_intercept - intercept), float(np.max(np.abs(beta - previous), initial=0.0)))
            intercept = new_intercept
            if moved < TOLERANCE:
                converged[index] = True
                break
        params[index] = np.r_[intercept, beta]
    return PathFit(params, converged)


@dataclass(frozen=True)
class CrossValidation:
    lambdas: np.ndarray  # the path, largest first
    mean_deviance: np.ndarray  # held-out binomial deviance per observation, per penalty
    deviance_se: np.ndarray  # standard error of the fold means, per penalty
    chosen_index: int  # position of the chosen penalty on the path (0 = lambda_max)
    held_out_probability: np.ndarray  # out-of-fold probabilities at the chosen penalty
    null_mean_deviance: float  # the same for an intercept-only model (each training fold's share)
    not_converged: np.ndarray  # fold fits that hit the iteration limit, per penalty

    @property
    def chosen_lambda(self) -> float:
        return float(self.lambdas[self.chosen_index])


def cross_validate(predictors: np.ndarray, outcome: np.ndarray, lambdas: np.ndarray, alpha: float, k: int, seed: int,
                   max_iterations: int, rule: str = "1se") -> CrossValidation:
    """k-fold CV of the path on raw ``predictors``, each training fold standardised on its own mean and SD.

    ``rule`` "min": the penalty with the lowest mean held-out deviance (glmnet's lambda.min; ties go to
    the larger, sparser one); "1se": the largest penalty whose mean deviance is within one standard
    error of that minimum (glmnet's lambda.1se), which keeps chance improvements on noise out.
    """
    folds = stratified_folds(outcome, k, seed)
    fold_deviance = np.zeros((len(lambdas), k))
    held_out = np.zeros((len(lambdas), len(outcome)))
    not_converged = np.zeros(len(lambdas), dtype=int)
    null_deviance = 0.0
    used = [fold for fold in range(k) if (folds == fold).any()]
    for fold in used:
        test = folds == fold
        train_x, test_x, _, _ = standardise(predictors[~test], predictors[test])
        null_deviance += binomial_deviance(outcome[test], np.full(test.sum(), outcome[~test].mean()))
        path = fit_path(train_x, outcome[~test], lambdas, alpha, max_iterations)
        not_converged += ~path.converged
        for i, params in enumerate(path.params):
            probability = predict_probability(params, test_x)
            held_out[i, test] = probability
            fold_deviance[i, fold] = binomial_deviance(outcome[test], probability) / test.sum()
    mean = np.array([binomial_deviance(outcome, held_out[i]) / len(outcome) for i in range(len(lambdas))])
    se = np.std(fold_deviance[:, used], axis=1, ddof=1) / np.sqrt(len(used))
    # rounded so floating-point noise between equal deviances does not break the tie towards the larger penalty
    best = int(np.argmin(np.round(mean, 12)))
    if rule == "1se":
        best = int(np.flatnonzero(mean <= mean[best] + se[best])[0])
    return CrossValidation(np.asarray(lambdas), mean, se, best, held_out[best], null_deviance / len(outcome), not_converged)
