"""What a live route hands back, and the error for a publisher answer it cannot use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from csc_pipeline import download


class RouteError(RuntimeError):
    """A publisher's answer does not lead to the file (no matching attachment, a changed pin, ...)."""


@dataclass(frozen=True)
class Obtained:
    source: str  # the URL the file came from (``#member`` for a zip member)
    stored: download.StoredFile
    fetched_at: datetime


def from_fetch(fetched: download.FetchResult, member: str | None, store: download.RawStore) -> Obtained:
    """A fetched file, or the one ``member`` of the fetched zip."""
    if not member:
        return Obtained(fetched.url, fetched.stored, fetched.fetched_at)
    stored = download.extract_zip_member(fetched.stored.path, member, store)
    return Obtained(f"{fetched.url}#{stored.name}", stored, fetched.fetched_at)
