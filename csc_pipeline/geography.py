"""Reference geography for upper-tier local authorities (LAs) in England and Wales.

The facts live as data in ``csc_pipeline/reference/*.csv`` (our own format, derived from the DfE and
ONS lookups); this module only loads them and answers "which authority is this?":

- ``local_authorities.csv``: one row per (authority, GSS code period). ``authority_id`` is stable
  across pure recodes and same-area unitarisations (Gateshead E08000020 -> E08000037 is one
  authority); a body whose area changed is a new authority (Dorset county vs Dorset unitary).
  Blank ``valid_from`` = in place before 2005-04-01; blank ``valid_to`` = still live.
- ``boundary_changes.csv``: one row per predecessor -> successor link. New changes (e.g. the
  announced 2027 Surrey split) are added as rows; no code changes are needed.
- ``combined_units.csv``: reporting units that cover several authorities (one row per member).
- ``la_name_variants.csv``: spellings seen in published files that ``normalise_la_name`` does not
  reconcile with an official DfE name.

Years are "year ending 31 March" (``year=2024`` means the position on 31 March 2024).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import polars as pl

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
CHANGE_TYPES = ("split", "merge", "part_transfer", "recode", "unitarisation")
UPPER_TIER_PREFIXES = ("E06", "E08", "E09", "E10", "W06")

_GSS = re.compile(r"^[EW]\d{8}$")
_CODE3 = re.compile(r"^\d{3}$")


def _read(name: str) -> pl.DataFrame:
    # Everything as text: codes such as "314 / 318" or "020" must never become numbers.
    return pl.read_csv(REFERENCE_DIR / name, infer_schema=False)


def load_local_authorities() -> pl.DataFrame:
    return _read("local_authorities.csv").with_columns(
        pl.col("valid_from", "valid_to").str.to_date("%Y-%m-%d")
    )


def load_boundary_changes() -> pl.DataFrame:
    return _read("boundary_changes.csv").with_columns(pl.col("event_date").str.to_date("%Y-%m-%d"))


def load_name_variants() -> pl.DataFrame:
    return _read("la_name_variants.csv")


def load_combined_units() -> pl.DataFrame:
    return _read("combined_units.csv")


def normalise_la_name(name: str) -> str:
    """A matching key for an LA name: spelling noise removed, words kept.

    Casefold and strip accents; '&' -> 'and'; punctuation and footnote digits ("Cheshire5") become
    spaces; whitespace collapsed; a leading "The", a trailing council-type tag ("Bristol UA",
    "Bury MBC", "Dorset CC", "Buckinghamshire Council", as in MHCLG revenue outturn files) and a
    trailing "City of" / "County of" dropped ("Bristol, City of" == "Bristol (City of)" ==
    "bristol"). "City of London" is unaffected.
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ")
    text = " ".join(re.sub(r"[^a-z]+", " ", text).split())
    text = re.sub(r"^the ", "", text)
    text = re.sub(r" (ua|mbc|cc|council)$", "", text)
    return re.sub(r" (city|county) of$", "", text)


def _code_key(code: str | int) -> str:
    """'e09000021/ e09000027 ' -> 'E09000021 / E09000027'; 822 or '822.0' (a spreadsheet number) -> '822'."""
    return " / ".join(re.sub(r"\.0$", "", part.strip()).upper() for part in str(code).split("/"))


@dataclass(frozen=True)
class _Period:
    authority_id: str
    valid_from: dt.date | None
    valid_to: dt.date | None

    def days_outside(self, day: dt.date) -> int:
        """0 if ``day`` falls in the period, else how many days it misses by."""
        if self.valid_from is not None and day < self.valid_from:
            return (self.valid_from - day).days
        if self.valid_to is not None and day > self.valid_to:
            return (day - self.valid_to).days
        return 0


def _pick(periods: list[_Period], year: int | None) -> str | None:
    """The authority among ``periods``: unique, or in force (else nearest) on 31 March ``year``."""
    ids = {p.authority_id for p in periods}
    if len(ids) == 1:
        return ids.pop()
    if year is None or not ids:
        return None
    day = dt.date(year, 3, 31)
    best = min(p.days_outside(day) for p in periods)
    winners = {p.authority_id for p in periods if p.days_outside(day) == best}
    return winners.pop() if len(winners) == 1 else None


def _overlap(a: _Period, b: _Period) -> bool:
    lo = max(a.valid_from or dt.date.min, b.valid_from or dt.date.min)
    hi = min(a.valid_to or dt.date.max, b.valid_to or dt.date.max)
    return lo <= hi


def validate_reference(
    las: pl.DataFrame | None = None,
    changes: pl.DataFrame | None = None,
    combined: pl.DataFrame | None = None,
) -> list[str]:
    """Problems in the reference tables (empty list = consistent). Run after adding rows."""
    las = load_local_authorities() if las is None else las
    changes = load_boundary_changes() if changes is None else changes
    combined = load_combined_units() if combined is None else combined
    problems: list[str] = []
    rows = {r["la_code"]: r for r in las.iter_rows(named=True)}
    if len(rows) != las.height:
        problems.append("la_code is not unique")
    keyed: dict[tuple[str, str], list[_Period]] = defaultdict(list)  # periods per authority / 3-digit / name
    for code, r in rows.items():
        if not (_GSS.match(code) and code.startswith(UPPER_TIER_PREFIXES)):
            problems.append(f"{code}: not an upper-tier GSS code")
        if r["la_code_3"] and not _CODE3.match(r["la_code_3"]):
            problems.append(f"{code}: bad 3-digit code {r['la_code_3']!r}")
        if r["valid_from"] and r["valid_to"] and r["valid_from"] > r["valid_to"]:
            problems.append(f"{code}: valid_from after valid_to")
        period = _Period(r["authority_id"], r["valid_from"], r["valid_to"])
        keyed[("authority", r["authority_id"])].append(period)
        keyed[("3-digit code", r["la_code_3"])].append(period)
        keyed[("name", normalise_la_name(r["la_name"]))].append(period)
    for (kind, key), periods in keyed.items():
        for i, a in enumerate(periods):
            for b in periods[i + 1 :]:
                # An authority's own periods must not overlap; a shared 3-digit code or name may
                # only be reused by another authority at another time.
                if key and _overlap(a, b) and (kind == "authority" or a.authority_id != b.authority_id):
                    problems.append(f"{kind} {key!r}: overlapping periods ({a.authority_id}, {b.authority_id})")

    links = list(changes.iter_rows(named=True))
    for c in links:
        pred, succ = rows.get(c["predecessor_code"]), rows.get(c["successor_code"])
        label = f"{c['event_date']} {c['predecessor_code']}->{c['successor_code']}"
        if c["change_type"] not in CHANGE_TYPES:
            problems.append(f"{label}: unknown change_type {c['change_type']!r}")
        if pred is None or succ is None:
            problems.append(f"{label}: code not in local_authorities")
            continue
        if pred["valid_to"] != c["event_date"] - dt.timedelta(days=1):
            problems.append(f"{label}: predecessor valid_to is not the day before the change")
        if succ["valid_from"] != c["event_date"]:
            problems.append(f"{label}: successor valid_from is not the change date")
        same_body = pred["authority_id"] == succ["authority_id"]
        area_changed = sum(1 for o in links if (o["event_date"], o["predecessor_code"]) == (c["event_date"], c["predecessor_code"])) > 1
        if c["change_type"] == "recode" and not same_body:
            problems.append(f"{label}: a recode keeps the authority_id")
        if c["change_type"] == "unitarisation" and same_body == area_changed:
            problems.append(f"{label}: a same-area unitarisation keeps the authority_id, an area change does not")
        if c["change_type"] in ("split", "merge", "part_transfer") and same_body:
            problems.append(f"{label}: a {c['change_type']} creates a new authority_id")

    for unit in combined.partition_by("unit_code", maintain_order=True):
        members = [rows.get(code) for code in unit["member_code"]]
        if None in members or len(members) < 2:
            problems.append(f"combined unit {unit['unit_code'][0]}: unknown or too few members")
            continue
        if unit["unit_code"][0] != " / ".join(m["la_code"] for m in members) or unit["unit_code_3"][0] != " / ".join(
            m["la_code_3"] for m in members
        ):
            problems.append(f"combined unit {unit['unit_code'][0]}: codes do not match its members")
    return problems


class LaResolver:
    """Maps published LA codes and names to our ``authority_id``.

    ``resolve_code`` takes a GSS code (E06/E08/E09/E10/W06) or a DfE 3-digit code; a GSS code
    identifies one authority whatever the year, while a 3-digit code (or a name) that several
    authorities used is settled by ``year``. Combined reporting units ("E09000021 / E09000027")
    are not authorities: ``combined_members`` returns their members instead.
    """

    def __init__(
        self,
        las: pl.DataFrame | None = None,
        variants: pl.DataFrame | None = None,
        combined: pl.DataFrame | None = None,
    ) -> None:
        las = load_local_authorities() if las is None else las
        variants = load_name_variants() if variants is None else variants
        combined = load_combined_units() if combined is None else combined

        self._by_gss: dict[str, str] = {}
        self._by_code3: dict[str, list[_Period]] = defaultdict(list)
        self._by_name: dict[str, list[_Period]] = defaultdict(list)
        periods_of: dict[str, list[_Period]] = defaultdict(list)
        self._codes_of: dict[str, list[tuple[_Period, str]]] = defaultdict(list)
        for row in las.iter_rows(named=True):
            period = _Period(row["authority_id"], row["valid_from"], row["valid_to"])
            periods_of[row["authority_id"]].append(period)
            self._codes_of[row["authority_id"]].append((period, row["la_code"].upper()))
            self._by_gss[row["la_code"].upper()] = row["authority_id"]
            if row["la_code_3"]:
                self._by_code3[row["la_code_3"]].append(period)
            self._by_name[normalise_la_name(row["la_name"])].append(period)
        for row in variants.iter_rows(named=True):
            if row["authority_id"] not in periods_of:
                raise ValueError(f"name variant {row['name_variant']!r} points to unknown authority {row['authority_id']!r}")
            self._by_name[normalise_la_name(row["name_variant"])].extend(periods_of[row["authority_id"]])

        self._combined: dict[str, tuple[str, ...]] = {}
        for unit in combined.partition_by("unit_code", maintain_order=True):
            members = tuple(self._by_gss[code] for code in unit["member_code"])
            first = unit.row(0, named=True)
            self._combined[_code_key(first["unit_code"])] = members
            self._combined[_code_key(first["unit_code_3"])] = members
            self._combined[normalise_la_name(first["unit_name"])] = members

    def known_codes(self) -> frozenset[str]:
        """Every GSS code of an authority or a combined reporting unit."""
        return frozenset(self._by_gss) | frozenset(k for k in self._combined if k.startswith(("E", "W")))

    def code_for(self, authority_id: str | None, year: int | None = None) -> str | None:
        """The authority's GSS code in force on 31 March ``year`` (nearest period if none; latest if no year)."""
        periods = self._codes_of.get(authority_id or "", [])
        if not periods:
            return None
        if year is None:
            return max(periods, key=lambda pc: pc[0].valid_from or dt.date.min)[1]
        day = dt.date(year, 3, 31)
        return min(periods, key=lambda pc: pc[0].days_outside(day))[1]

    def resolve_code(self, code: str, year: int | None = None) -> str | None:
        key = _code_key(code) if code is not None else ""
        if _GSS.match(key):
            return self._by_gss.get(key)
        if _CODE3.match(key):
            return _pick(self._by_code3.get(key, []), year)
        return None

    def resolve_name(self, name: str, year: int | None = None) -> str | None:
        """Official name or known variant -> authority_id.

        A bilingual "English / Welsh" name ("Isle of Anglesey / Ynys Môn") resolves when every part
        names the same authority; a combined unit's name does not (see ``combined_members``).
        """
        if name is None:
            return None
        found = _pick(self._by_name.get(normalise_la_name(name), []), year)
        if found is None and "/" in name:
            parts = {_pick(self._by_name.get(normalise_la_name(part), []), year) for part in name.split("/")}
            found = parts.pop() if len(parts) == 1 else None
        return found

    def resolve_area(self, code_or_name: str, year: int | None = None) -> str | None:
        """A GSS code or a name (as files that mix the two in one column print them) -> authority_id."""
        if code_or_name is not None and _GSS.match(_code_key(code_or_name)):
            return self.resolve_code(code_or_name, year)
        return self.resolve_name(code_or_name, year)

    def combined_members(self, code_or_name: str) -> tuple[str, ...] | None:
        """Member authority_ids of a combined reporting unit (by GSS, 3-digit or name), else None."""
        if code_or_name is None:
            return None
        return self._combined.get(_code_key(code_or_name)) or self._combined.get(normalise_la_name(code_or_name))

    def unresolved(self, codes: Iterable[str], year: int | None = None) -> list[str]:
        """Distinct codes that are neither an authority code nor a combined unit (sorted)."""
        return sorted(
            {
                str(code)
                for code in codes
                if code is not None
                and self.resolve_code(code, year) is None
                and self.combined_members(code) is None
            }
        )


@lru_cache(maxsize=1)
def default_resolver() -> LaResolver:
    """The resolver over the packaged reference files, built once per process."""
    return LaResolver()
