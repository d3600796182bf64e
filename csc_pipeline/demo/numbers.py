"""Small deterministic number helpers shared by the demo model and the family writers.

Every random draw comes from a string-seeded stream (``random_stream``), so the same seed gives
the same numbers whatever order the files are written in.
"""

from __future__ import annotations

import math
import random


def random_stream(seed: int, *parts: object) -> random.Random:
    """An independent stream per (seed, key): adding an area never reshuffles the others."""
    return random.Random("|".join([str(seed), *map(str, parts)]))


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam < 40:
        limit, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= rng.random()
            if p <= limit:
                return k
            k += 1
    return max(0, int(round(rng.gauss(lam, math.sqrt(lam)))))


def rate_per_10k(count: int, population: int) -> int:
    """round(count / population * 10,000), halves rounded up, in exact integer arithmetic."""
    return (2 * count * 10_000 + population) // (2 * population)


def round_to(value: int, base: int) -> int:
    return base * ((2 * value + base) // (2 * base))


def apportion(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder, exact sum)."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [int(math.floor(x)) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - out[i]), i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def clip(value: float, limit: float) -> float:
    return max(-limit, min(limit, value))
