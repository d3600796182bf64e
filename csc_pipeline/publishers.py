"""URL helpers for publishers of raw data.  Plain Python: no Dagster imports.

Explore Education Statistics (EES) is a Next.js site: the publication page
embeds its page data as JSON in ``<script id="__NEXT_DATA__">``, which is a
steadier thing to read than the rendered HTML.
"""

from __future__ import annotations

import json
import re
import uuid

EES_SITE = "https://explore-education-statistics.service.gov.uk"
EES_CONTENT_API = "https://content.explore-education-statistics.service.gov.uk/api"
# Convenient allow-list for FetchPolicy when downloading from EES.
EES_HOSTS = frozenset({"explore-education-statistics.service.gov.uk",
                       "content.explore-education-statistics.service.gov.uk"})

_NEXT_DATA = re.compile(r"<script\b[^>]*\bid=[\"']__NEXT_DATA__[\"'][^>]*>(.*?)</script\s*>", re.S | re.I)
# Where the current release version id lives; older pages only have ``release``.
_RELEASE_ID_PATHS = (
    ("props", "pageProps", "releaseVersionSummary", "id"),
    ("props", "pageProps", "release", "id"),
)


def ees_publication_url(slug: str, site: str = EES_SITE) -> str:
    # Slugs are interpolated into a URL, so only accept the shape EES uses.
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug):
        raise ValueError(f"not an EES publication slug: {slug!r}")
    return f"{site}/find-statistics/{slug}"


def ees_release_files_url(release_version_id: str, content_api: str = EES_CONTENT_API) -> str:
    try:
        canonical = uuid.UUID(release_version_id)  # ids are GUIDs; rejects anything else
    except (ValueError, TypeError, AttributeError) as exc:
        raise ValueError(f"not an EES release version id: {release_version_id!r}") from exc
    return f"{content_api}/releases/{canonical}/files"


def ees_latest_release_version_id(html: str) -> str:
    """The release version id shown on an EES publication page."""
    match = _NEXT_DATA.search(html)
    if not match:
        raise ValueError('EES page has no <script id="__NEXT_DATA__"> block')
    try:
        data = json.loads(match.group(1))
    except ValueError as exc:
        raise ValueError(f"EES page __NEXT_DATA__ is not valid JSON: {exc}") from exc
    for path in _RELEASE_ID_PATHS:
        value = _dig(data, path)
        if isinstance(value, str) and value:
            return value
    raise ValueError("EES page __NEXT_DATA__ has none of: " + ", ".join(".".join(p) for p in _RELEASE_ID_PATHS))


def _dig(obj: object, path: tuple[str, ...]) -> object:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj
