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

# Release labels become partition keys and file names: letters, digits, space, '.', '_', '-'.
RELEASE_KEY_PATTERN = r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}"
# EES release slugs also go into URLs.
_EES_SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
_NEXT_DATA = re.compile(r"<script\b[^>]*\bid=[\"']__NEXT_DATA__[\"'][^>]*>(.*?)</script\s*>", re.S | re.I)
# Where the current release (its version id and slug) lives; older pages only have ``release``.
_RELEASE_PATHS = (
    ("props", "pageProps", "releaseVersionSummary"),
    ("props", "pageProps", "release"),
)


def ees_publication_url(slug: str, site: str = EES_SITE) -> str:
    # Slugs are interpolated into a URL, so only accept the shape EES uses.
    if not re.fullmatch(_EES_SLUG, slug):
        raise ValueError(f"not an EES publication slug: {slug!r}")
    return f"{site}/find-statistics/{slug}"


def ees_release_url(slug: str, release_slug: str, site: str = EES_SITE) -> str:
    """A release's page; ``release_slug`` may come from a publisher's page, so only its shape is accepted."""
    if not re.fullmatch(_EES_SLUG, release_slug):
        raise ValueError(f"not an EES release slug: {release_slug!r}")
    return f"{ees_publication_url(slug, site)}/{release_slug}"


def ees_release_files_url(release_version_id: str, content_api: str = EES_CONTENT_API) -> str:
    try:
        canonical = uuid.UUID(release_version_id)  # ids are GUIDs; rejects anything else
    except (ValueError, TypeError, AttributeError) as exc:
        raise ValueError(f"not an EES release version id: {release_version_id!r}") from exc
    return f"{content_api}/releases/{canonical}/files"


def ees_latest_release_version_id(html: str) -> str:
    """The release version id shown on an EES publication page."""
    return _release_field(_next_data(html), "id")


def ees_latest_release(html: str) -> tuple[str, str]:
    """(release slug, release version id) of the release an EES publication page shows (its latest).

    The slug (e.g. ``2025``) names the release partition; the version id changes when a release
    is amended, which the sensor also notices.
    """
    data = _next_data(html)
    slug = _release_field(data, "slug")
    if not re.fullmatch(_EES_SLUG, slug):
        raise ValueError(f"EES page gives a release slug of an unexpected shape: {slug!r}")
    return slug, _release_field(data, "id")


def _next_data(html: str) -> dict:
    match = _NEXT_DATA.search(html)
    if not match:
        raise ValueError('EES page has no <script id="__NEXT_DATA__"> block')
    try:
        return json.loads(match.group(1))
    except ValueError as exc:
        raise ValueError(f"EES page __NEXT_DATA__ is not valid JSON: {exc}") from exc


def _release_field(data: dict, name: str) -> str:
    paths = [(*path, name) for path in _RELEASE_PATHS]
    for path in paths:
        value = _dig(data, path)
        if isinstance(value, str) and value:
            return value
    raise ValueError("EES page __NEXT_DATA__ has none of: " + ", ".join(".".join(p) for p in paths))


def _dig(obj: object, path: tuple[str, ...]) -> object:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj
