"""Funnel plots: exact control limits, overdispersion (Spiegelhalter 2005), LA positions (the chart: charts/deprivation.py).

Limits are for an LA's observed value given its denominator and a target:

- rates (counts per ``multiplier`` of a population): exact Poisson limits of the count around the
  expected count E = target x denominator / multiplier;
- percentages: exact binomial limits of the count out of n = denominator around the target
  proportion p.

"Exact" means the quantiles of the count's own distribution (Poisson(E), Binomial(n, p)), smoothed
as in Spiegelhalter (2005, appendix) so the limits move continuously with the denominator: with r
the q-quantile and F the distribution function, the limit is r - (F(r) - q) / (F(r) - F(r - 1)).
(Plugging E into the chi-square / beta confidence interval of a mean gives limits about one count
wider than these: for E = 10 the 95% upper limit would be 18.4 where the 97.5% quantile is 17.)

Overdispersion: z-scores z_i = (y_i - target_i) / s_i with s_i the sampling SD under the target,
winsorised at the 10th and 90th percentiles; phi = mean(z^2). ``multiplicative`` widens the exact
limits' distance from the target by sqrt(phi) (phi floored at 1); ``additive`` uses normal limits
target +/- z_a sqrt(s_i^2 + tau^2) with the DerSimonian-Laird style
tau^2 = max(0, (I phi - (I - 1)) / (sum w - sum w^2 / sum w)), w_i = 1 / s_i^2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import stats

KINDS = ("rate", "percent")
OVERDISPERSION_METHODS = ("none", "multiplicative", "additive")


def interpolated_quantile(distribution, q: float) -> np.ndarray:
    """Spiegelhalter's (2005) smoothed q-quantile of a frozen discrete scipy ``distribution`` (floored at 0)."""
    r = distribution.ppf(q)
    at, below = distribution.cdf(r), distribution.cdf(r - 1)
    return np.maximum(r - (at - q) / (at - below), 0.0)


def poisson_count_limits(expected: np.ndarray | float, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact Poisson limits of an observed count whose expectation is ``expected`` (two-sided ``level``)."""
    counts = stats.poisson(np.asarray(expected, dtype=float))
    tail = (1 - level) / 2
    return interpolated_quantile(counts, tail), interpolated_quantile(counts, 1 - tail)


def binomial_proportion_limits(p: np.ndarray | float, n: np.ndarray | float, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact binomial limits of an observed proportion out of ``n`` (rounded to whole trials) when the true one is ``p``."""
    n = np.rint(np.asarray(n, dtype=float))
    counts = stats.binom(n, np.asarray(p, dtype=float))
    tail = (1 - level) / 2
    return interpolated_quantile(counts, tail) / n, interpolated_quantile(counts, 1 - tail) / n


def sampling_sd(kind: str, target: np.ndarray, denominator: np.ndarray, multiplier: float) -> np.ndarray:
    """SD of an LA's observed value under the target, in the indicator's units."""
    target, denominator = np.asarray(target, float), np.asarray(denominator, float)
    if kind == "rate":
        return np.sqrt(target * multiplier / denominator)
    p = target / multiplier
    return np.sqrt(p * (1 - p) / denominator) * multiplier


@dataclass(frozen=True)
class Overdispersion:
    method: str
    phi: float
    tau2: float


def estimate_overdispersion(method: str, observed, target, sd) -> Overdispersion:
    """phi and tau^2 of Spiegelhalter (2005) from winsorised (10%/90%) z-scores."""
    if method not in OVERDISPERSION_METHODS:
        raise ValueError(f"overdispersion method {method!r}: expected one of {OVERDISPERSION_METHODS}")
    z = (np.asarray(observed, float) - np.asarray(target, float)) / np.asarray(sd, float)
    low, high = np.percentile(z, [10, 90])
    z = np.clip(z, low, high)
    count = len(z)
    phi = float(np.mean(z**2))
    w = 1 / np.asarray(sd, float) ** 2
    tau2 = max(0.0, (count * phi - (count - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    return Overdispersion(method, phi, tau2)


def control_limits(
    kind: str,
    target: np.ndarray | float,
    denominator: np.ndarray,
    level: float,
    multiplier: float,
    overdispersion: Overdispersion | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper limits, in the indicator's units, for LAs with these denominators."""
    if kind not in KINDS:
        raise ValueError(f"funnel kind {kind!r}: expected one of {KINDS}")
    denominator = np.asarray(denominator, dtype=float)
    target = np.broadcast_to(np.asarray(target, dtype=float), denominator.shape)
    method = overdispersion.method if overdispersion else "none"
    if method == "additive":
        z = stats.norm.ppf(1 - (1 - level) / 2)
        half = z * np.sqrt(sampling_sd(kind, target, denominator, multiplier) ** 2 + overdispersion.tau2)
        return target - half, target + half
    if kind == "rate":
        lower, upper = poisson_count_limits(target * denominator / multiplier, level)
        lower, upper = lower / denominator * multiplier, upper / denominator * multiplier
    else:
        lower, upper = binomial_proportion_limits(target / multiplier, denominator, level)
        lower, upper = lower * multiplier, upper * multiplier
    if method == "multiplicative":
        scale = np.sqrt(max(overdispersion.phi, 1.0))
        lower, upper = target - scale * (target - lower), target + scale * (upper - target)
    return lower, upper


def level_label(level: float) -> str:
    """0.95 -> '95', 0.998 -> '998' (column suffixes)."""
    return f"{level * 100:g}".replace(".", "")


def position(observed: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> list[str]:
    return ["above" if o > u else "below" if o < lo else "inside" for o, lo, u in zip(observed, lower, upper)]


def distance_beyond(observed: np.ndarray, lower: np.ndarray, upper: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """How far each value lies outside [lower, upper], in units of its sampling SD under the target; 0 inside."""
    return np.maximum.reduce([observed - upper, lower - observed, np.zeros(len(observed))]) / sd


def funnel_positions(
    units: pl.DataFrame,
    kind: str,
    multiplier: float,
    levels: tuple[float, ...],
    overdispersion_method: str,
    target: pl.Series | float | None = None,
) -> tuple[pl.DataFrame, Overdispersion]:
    """Each LA's observed value, target, limits and position at each level, and its distance beyond the widest limits;
    with an overdispersion method, also the exact limits and positions (``exact_*`` columns) as the variant.

    ``units``: la_code, la_name, numerator, denominator (one indicator and year). ``target``:
    a per-LA Series aligned with ``units`` (e.g. deprivation-expected values), a number, or None for
    the pooled (national) value sum(numerator) / sum(denominator) x multiplier.
    """
    numerator, denominator = units["numerator"].to_numpy().astype(float), units["denominator"].to_numpy().astype(float)
    observed = numerator / denominator * multiplier
    if target is None:
        target_values = np.full(len(units), numerator.sum() / denominator.sum() * multiplier)
    elif isinstance(target, pl.Series):
        target_values = target.to_numpy().astype(float)
    else:
        target_values = np.full(len(units), float(target))
    sd = sampling_sd(kind, target_values, denominator, multiplier)
    dispersion = estimate_overdispersion(overdispersion_method, observed, target_values, sd)
    frame = units.select("la_code", "la_name", "numerator", "denominator").with_columns(
        pl.Series("observed", observed), pl.Series("target", target_values)
    )
    for level in levels:
        lower, upper = control_limits(kind, target_values, denominator, level, multiplier, dispersion)
        suffix = level_label(level)
        frame = frame.with_columns(
            pl.Series(f"lower_{suffix}", lower),
            pl.Series(f"upper_{suffix}", upper),
            pl.Series(f"position_{suffix}", position(observed, lower, upper)),
        )
        if level == max(levels):
            widest = distance_beyond(observed, lower, upper, sd)
        if dispersion.method != "none":  # the exact limits stay beside the adjusted ones, as the variant
            exact_lower, exact_upper = control_limits(kind, target_values, denominator, level, multiplier)
            frame = frame.with_columns(pl.Series(f"exact_lower_{suffix}", exact_lower), pl.Series(f"exact_upper_{suffix}", exact_upper),
                                       pl.Series(f"exact_position_{suffix}", position(observed, exact_lower, exact_upper)))
    return frame.with_columns(pl.Series("sd_beyond_widest", widest)), dispersion


def outside_widest(positions: pl.DataFrame, levels: tuple[float, ...]) -> pl.DataFrame:
    """The LAs outside the widest limits."""
    return positions.filter(pl.col(f"position_{level_label(max(levels))}") != "inside")


def named_las(positions: pl.DataFrame, levels: tuple[float, ...], label_max: int) -> list[str]:
    """The ``label_max`` LAs furthest outside the widest limits (sd_beyond_widest), named on the chart."""
    return outside_widest(positions, levels).sort("sd_beyond_widest", descending=True).head(label_max)["la_code"].to_list()
