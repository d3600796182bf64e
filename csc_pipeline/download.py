"""Fetch raw source files into an immutable, content-addressed store.

Everything downstream (parsing, validation, lineage) refers to raw inputs by
sha256, so a stored file must never change once written and a failed or
partial download must never look like a finished one.  Plain Python on
purpose: no Dagster imports, so this can be used and tested on its own.
"""

from __future__ import annotations

import email.message
import fnmatch
import hashlib
import json
import logging
import os
import random
import re
import tempfile
import time
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import BinaryIO
from urllib.parse import unquote, urljoin, urlsplit

import requests

from csc_pipeline import atomic

log = logging.getLogger(__name__)

MiB = 1024 * 1024
DEFAULT_MAX_BYTES = 500 * MiB
CHUNK_BYTES = 1 * MiB
MAX_REDIRECTS = 5
# A body the server compressed although asked not to (Content-Encoding gzip), or a zip member, may
# inflate at most this many times: more is a decompression bomb, not a statistics file (published
# CSVs compress 5-20 times; the largest real ratio in the mirror is under 40).
MAX_DECOMPRESSION_RATIO = 100
# Below this many compressed bytes the ratio is not judged (tiny bodies inflate a lot legitimately).
RATIO_FLOOR_BYTES = 64 * 1024
# Honour a server's Retry-After, but never let it stall a run for long.
MAX_RETRY_AFTER_SECONDS = 60.0
# Plain http is tolerated only for loopback, so tests can use a local server.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# Transient network failures worth another attempt.  ChunkedEncodingError is
# what requests raises when a body is cut short mid-stream.
_TRANSIENT_ERRORS = (
    requests.Timeout,
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
)

try:
    _VERSION = metadata.version("csc-pipeline")
except metadata.PackageNotFoundError:  # running from a source tree without an install
    _VERSION = "0+unknown"
USER_AGENT = f"csc-pipeline/{_VERSION} (+https://github.com/csc-pipeline)"


class DownloadError(Exception):
    """A raw file could not be fetched, extracted or stored."""


class HostNotAllowed(DownloadError):
    """URL refused by policy (host not allow-listed, or not https) before any request."""


class DownloadTooLarge(DownloadError):
    """Declared or actual size exceeded the configured cap."""


class HttpStatusError(DownloadError):
    """The server answered with an unexpected HTTP status."""

    def __init__(self, url: str, status: int, retry_after: float | None = None):
        super().__init__(f"{url}: HTTP {status}")
        self.url = url
        self.status = status
        self.retry_after = retry_after

    def __reduce__(self):  # keep picklable across process boundaries despite custom __init__
        return (type(self), (self.url, self.status, self.retry_after))

    @property
    def retryable(self) -> bool:
        # 5xx and 429 are usually transient; any other 4xx will not fix itself.
        return self.status == 429 or self.status >= 500


@dataclass(frozen=True)
class StoredFile:
    path: Path
    sha256: str
    bytes: int
    name: str


@dataclass(frozen=True)
class FetchPolicy:
    allowed_hosts: frozenset[str]
    max_bytes: int = DEFAULT_MAX_BYTES
    timeout: float = 60.0  # seconds, applied to connect and to each read
    max_attempts: int = 4
    backoff_seconds: float = 1.0  # first retry delay; doubles each attempt, plus jitter
    verify_tls: bool = True
    user_agent: str = USER_AGENT

    def __post_init__(self) -> None:
        if isinstance(self.allowed_hosts, str):  # would silently become a set of characters
            raise TypeError("allowed_hosts must be a collection of host names, not a str")
        # Host names are case-insensitive; normalise once so checks are exact matches.
        object.__setattr__(self, "allowed_hosts", frozenset(h.lower() for h in self.allowed_hosts))
        if not self.verify_tls:
            raise ValueError("TLS verification cannot be disabled; use REQUESTS_CA_BUNDLE for a custom CA")
        if self.max_attempts < 1 or self.max_bytes < 1 or self.timeout <= 0 or self.backoff_seconds < 0:
            raise ValueError(f"invalid FetchPolicy: {self!r}")


@dataclass(frozen=True)
class FetchResult:
    url: str
    final_url: str
    stored: StoredFile
    fetched_at: datetime
    etag: str | None
    last_modified: str | None
    not_modified: bool
    attempts: int


class RawStore:
    """Immutable files at ``root/<sha[:2]>/<sha256>/<name>``, plus an HTTP cache index.

    Writes are spooled to ``root/tmp/`` while hashing (the destination directory
    depends on the hash, so it is only known at the end), then renamed into
    place.  ``tmp/`` is under ``root``, so the rename is atomic: readers see
    either no file or the complete file.
    """

    CACHE_INDEX = "_http_cache.json"

    def __init__(self, root: Path | str):
        self.root = Path(root)
        self.tmp_dir = self.root / "tmp"
        self.tmp_dir.mkdir(parents=True, exist_ok=True)

    def path_for(self, sha256: str, name: str) -> Path:
        return self.root / sha256[:2] / sha256 / name

    def put_file(self, src_path: Path | str, name: str) -> StoredFile:
        """Copy ``src_path`` into the store under ``name``; the source is left untouched."""
        with open(src_path, "rb") as src:
            return self.put_stream(_read_chunks(src), name)

    def ingest_local(self, path: Path | str) -> StoredFile:
        """Mirror mode: store a local copy of ``path`` under its own file name."""
        return self.put_file(path, Path(path).name)

    def put_stream(
        self,
        chunks: Iterable[bytes],
        name: str,
        max_bytes: int | None = None,
        source: str | None = None,
    ) -> StoredFile:
        """Store a byte stream, hashing as it is written; no temp file outlives the call."""
        fd, tmp_name = tempfile.mkstemp(dir=self.tmp_dir, suffix=".part")
        tmp = Path(tmp_name)
        try:
            digest, size = hashlib.sha256(), 0
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise DownloadTooLarge(f"{source or name}: exceeds the {max_bytes}-byte limit")
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())  # the bytes must be on disk before the file becomes visible
            return self._publish(tmp, digest.hexdigest(), size, name)
        finally:
            tmp.unlink(missing_ok=True)  # a no-op once the file has been renamed into place

    def _publish(self, tmp: Path, sha256: str, size: int, name: str) -> StoredFile:
        name = _safe_name(name)
        dest = self.path_for(sha256, name)
        if not dest.exists():  # an existing file is kept as-is, never rewritten
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp.chmod(0o444)
            # A concurrent writer that wins this race wrote identical bytes, so
            # replacing its file cannot change content anyone has seen.
            os.replace(tmp, dest)
        return StoredFile(dest, sha256, size, name)

    # --- HTTP cache index: url -> validators and the stored file they describe ---

    def cached(self, url: str) -> tuple[dict, StoredFile] | None:
        """The cache entry for ``url`` and its stored file, if that file still exists."""
        entry = self._load_cache().get(url)
        try:
            path = self.path_for(entry["sha256"], entry["name"])
        except (TypeError, KeyError):
            return None
        if not path.is_file():  # deleted from the store: a 304 would leave us with nothing
            return None
        return entry, StoredFile(path, entry["sha256"], path.stat().st_size, entry["name"])

    def remember(self, url: str, etag: str | None, last_modified: str | None, stored: StoredFile) -> None:
        # Read-modify-write without a lock: concurrent fetchers can lose an
        # entry, which only costs a full download next time.
        index = self._load_cache()
        index[url] = {"etag": etag, "last_modified": last_modified, "sha256": stored.sha256, "name": stored.name}
        atomic.write_json(self.root / self.CACHE_INDEX, index, mode=atomic.OWNER_ONLY, durable=True)

    def _load_cache(self) -> dict:
        path = self.root / self.CACHE_INDEX
        try:
            index = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:  # only an optimisation: fall back to full downloads
            log.warning("ignoring unreadable HTTP cache index %s: %s", path, exc)
            return {}
        return index if isinstance(index, dict) else {}


def fetch(
    url: str,
    store: RawStore,
    policy: FetchPolicy,
    session: requests.Session | None = None,
    *,
    name: str | None = None,
) -> FetchResult:
    """Download ``url`` into ``store``, retrying transient failures.

    ``name`` overrides the stored file name (default: Content-Disposition, then
    the URL's last path segment).
    """
    return _with_retries(url, policy, session, lambda s, attempt: _attempt(url, store, policy, s, attempt, name))


def post_json(url: str, payload: object, policy: FetchPolicy, session: requests.Session | None = None,
              headers: dict[str, str] | None = None) -> object:
    """POST ``payload`` as JSON to an API and return its JSON answer (e.g. a query id).

    Same policy as ``fetch``: allow-listed host, TLS verified, retries, size cap. A redirect is
    refused rather than followed: a POST has no business being sent elsewhere.
    """
    def attempt(s: requests.Session, _attempt: int) -> object:
        s.close()
        with s.post(url, json=payload, headers={"User-Agent": policy.user_agent, "Accept": "application/json", **(headers or {})},
                    stream=True, allow_redirects=False, timeout=(policy.timeout, policy.timeout), verify=True) as resp:
            if resp.is_redirect:
                raise DownloadError(f"{url}: the API answered a POST with a redirect to {resp.headers.get('Location')!r}; not followed")
            if resp.status_code not in (200, 201):
                raise HttpStatusError(url, resp.status_code, _retry_after(resp))
            body = b"".join(_capped(resp.iter_content(CHUNK_BYTES), policy.max_bytes, url))
        try:
            return json.loads(body)
        except ValueError as exc:
            raise DownloadError(f"{url}: the API's answer is not JSON ({body[:40]!r}...)") from exc

    return _with_retries(url, policy, session, attempt)


def _capped(chunks: Iterable[bytes], max_bytes: int, url: str) -> Iterator[bytes]:
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > max_bytes:
            raise DownloadTooLarge(f"{url}: exceeds the {max_bytes}-byte limit")
        yield chunk


def _with_retries(url: str, policy: FetchPolicy, session: requests.Session | None, call):
    """``call(session, attempt)``, retrying transient failures with backoff."""
    _check_url(url, policy)  # fail fast, before any connection is opened
    own_session = session is None
    session = session or requests.Session()
    try:
        attempt = 0
        while True:
            attempt += 1
            try:
                return call(session, attempt)
            except (*_TRANSIENT_ERRORS, HttpStatusError) as exc:
                if isinstance(exc, HttpStatusError) and not exc.retryable:
                    raise
                if attempt >= policy.max_attempts:
                    if isinstance(exc, DownloadError):
                        exc.add_note(f"gave up after {attempt} attempt(s)")
                        raise
                    if isinstance(exc, requests.Timeout):
                        raise DownloadError(f"{url}: no answer within {policy.timeout:g}s "
                                            f"(gave up after {attempt} attempt(s))") from exc
                    raise DownloadError(f"{url}: gave up after {attempt} attempt(s): {exc!r}") from exc
                delay = _backoff_delay(policy, attempt, getattr(exc, "retry_after", None))
                log.warning("%s: attempt %d/%d failed (%s); retrying in %.2fs",
                            url, attempt, policy.max_attempts, exc, delay)
                time.sleep(delay)
    finally:
        if own_session:
            session.close()


def _attempt(
    url: str, store: RawStore, policy: FetchPolicy, session: requests.Session, attempt: int, name: str | None
) -> FetchResult:
    cached = store.cached(url)
    # identity: store the file as published, not a transfer encoding of it, so
    # the sha256 is stable and Content-Length is the real size. close: the server ends the
    # connection after the body, so a body longer than its Content-Length is seen (_store_body).
    headers = {"User-Agent": policy.user_agent, "Accept-Encoding": "identity", "Connection": "close"}
    if cached:
        entry, _ = cached
        if entry.get("etag"):
            headers["If-None-Match"] = entry["etag"]
        if entry.get("last_modified"):
            headers["If-Modified-Since"] = entry["last_modified"]

    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        # Redirects are followed by hand so that every hop is checked against
        # the allow-list before a connection is made to it.
        _check_url(current, policy)
        # Every request asks the server to close the connection, so a pooled one (from the previous
        # hop or fetch) may be closing under us: drop the pool and connect afresh.
        session.close()
        with session.get(current, headers=headers, stream=True, allow_redirects=False,
                         timeout=(policy.timeout, policy.timeout), verify=True) as resp:
            if resp.is_redirect:
                current = urljoin(current, resp.headers["Location"])
                continue
            not_modified = resp.status_code == 304 and cached is not None
            if not_modified:
                entry, stored = cached
                etag, last_modified = entry.get("etag"), entry.get("last_modified")
            elif resp.status_code == 200:
                stored = _store_body(resp, current, store, policy, name)
                etag, last_modified = resp.headers.get("ETag"), resp.headers.get("Last-Modified")
                store.remember(url, etag, last_modified, stored)
            else:
                raise HttpStatusError(current, resp.status_code, _retry_after(resp))
            return FetchResult(
                url=url, final_url=current, stored=stored, fetched_at=datetime.now(timezone.utc),
                etag=etag, last_modified=last_modified, not_modified=not_modified, attempts=attempt,
            )
    raise DownloadError(f"{url}: more than {MAX_REDIRECTS} redirects")


def _store_body(
    resp: requests.Response, url: str, store: RawStore, policy: FetchPolicy, name: str | None
) -> StoredFile:
    declared = _content_length(resp)
    if declared is not None and declared > policy.max_bytes:  # refuse before reading a byte
        raise DownloadTooLarge(f"{url}: Content-Length {declared} exceeds {policy.max_bytes}")
    if declared is not None and "Transfer-Encoding" not in resp.headers:
        # Read to the end of the connection (we asked for close), not just the declared bytes:
        # http.client would otherwise stop at Content-Length and silently drop the rest.
        resp.raw.length_remaining = None
        resp.raw._fp.length = None
    # The declared length may be absent or wrong, so put_stream caps the real bytes too.
    return store.put_stream(_checked_body(resp, url, declared), name or _response_name(resp, url),
                            max_bytes=policy.max_bytes, source=url)


def _checked_body(resp: requests.Response, url: str, declared: int | None) -> Iterator[bytes]:
    """The body's chunks (decoded if the server compressed it anyway), checked as they arrive: no
    more bytes on the wire than Content-Length says (and, at the end, no fewer), and a compressed
    body that inflates beyond ``MAX_DECOMPRESSION_RATIO`` is refused before it fills the disk."""
    encoding = resp.headers.get("Content-Encoding", "identity").strip().lower()
    inflated = 0
    for chunk in resp.iter_content(CHUNK_BYTES):
        wire = resp.raw.tell()  # bytes received, before decoding
        inflated += len(chunk)
        if declared is not None and wire > declared:
            raise DownloadError(f"{url}: the body is longer than its Content-Length {declared} "
                                f"(at least {wire} bytes): a corrupt or tampered response")
        if encoding not in ("", "identity") and inflated > MAX_DECOMPRESSION_RATIO * max(wire, RATIO_FLOOR_BYTES):
            raise DownloadTooLarge(f"{url}: the Content-Encoding {encoding} body inflates more than "
                                   f"{MAX_DECOMPRESSION_RATIO} times ({wire} bytes to over {inflated}): refused")
        yield chunk
    if declared is not None and resp.raw.tell() < declared:
        # A connection that ended early: transient, so fetch tries again.
        raise requests.exceptions.ChunkedEncodingError(
            f"{url}: the body ended after {resp.raw.tell()} of the {declared} bytes its Content-Length promised")


def extract_zip_member(
    zip_path: Path | str, member: str, store: RawStore, max_bytes: int = DEFAULT_MAX_BYTES
) -> StoredFile:
    """Store one zip entry, chosen by exact path or by a glob matching exactly one entry."""
    zip_path = Path(zip_path)
    try:
        with zipfile.ZipFile(zip_path) as zf:
            info = _select_member(zf, member, zip_path)
            where = f"{zip_path}!{info.filename}"
            # The header size is checked first (cheap), and the streamed bytes are
            # capped too, because headers are attacker-controlled.
            if info.file_size > max_bytes:
                raise DownloadTooLarge(f"{where}: {info.file_size} bytes uncompressed exceeds {max_bytes}")
            if info.file_size > MAX_DECOMPRESSION_RATIO * max(info.compress_size, RATIO_FLOOR_BYTES):
                raise DownloadTooLarge(f"{where}: {info.compress_size} bytes inflate to {info.file_size}, more "
                                       f"than {MAX_DECOMPRESSION_RATIO} times: refused as a decompression bomb")
            with zf.open(info) as src:
                return store.put_stream(_read_chunks(src), PurePosixPath(info.filename).name,
                                        max_bytes=max_bytes, source=where)
    except zipfile.BadZipFile as exc:  # includes CRC mismatches detected while streaming
        raise DownloadError(f"{zip_path}: corrupt zip: {exc}") from exc


def _select_member(zf: zipfile.ZipFile, member: str, zip_path: Path) -> zipfile.ZipInfo:
    # Entries with absolute or '..' paths mean a malformed or hostile archive:
    # refuse the whole thing rather than trust any part of it.
    unsafe = [i.filename for i in zf.infolist() if _is_unsafe_member(i.filename)]
    if unsafe:
        raise DownloadError(f"{zip_path}: refusing zip with unsafe entry paths {unsafe}")
    entries = [i for i in zf.infolist() if not i.is_dir()]
    # An exact name wins, so literal names containing glob characters still work.
    matches = [i for i in entries if i.filename == member] or [
        i for i in entries if fnmatch.fnmatchcase(i.filename, member)
    ]
    if len(matches) != 1:
        raise DownloadError(
            f"{zip_path}: {member!r} matched {len(matches)} entries {[i.filename for i in matches]} "
            f"(need exactly 1); entries: {[i.filename for i in entries]}"
        )
    return matches[0]


def _is_unsafe_member(filename: str) -> bool:
    path = filename.replace("\\", "/")
    return path.startswith("/") or re.match(r"[A-Za-z]:", path) is not None or ".." in path.split("/")


def _check_url(url: str, policy: FetchPolicy) -> None:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host not in policy.allowed_hosts:
        raise HostNotAllowed(f"{url}: host {host!r} is not in allowed_hosts")
    if parts.scheme != "https" and not (parts.scheme == "http" and host in LOOPBACK_HOSTS):
        raise HostNotAllowed(f"{url}: only https is allowed (plain http only for loopback)")


def _backoff_delay(policy: FetchPolicy, attempt: int, retry_after: float | None) -> float:
    # Exponential with a little jitter so parallel runs do not retry in lockstep.
    delay = policy.backoff_seconds * 2 ** (attempt - 1) * random.uniform(1.0, 1.25)
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER_SECONDS))
    return delay


def _retry_after(resp: requests.Response) -> float | None:
    value = resp.headers.get("Retry-After", "").strip()
    return float(value) if value.isdigit() else None  # the HTTP-date form is ignored


def _content_length(resp: requests.Response) -> int | None:
    try:
        return int(resp.headers["Content-Length"])
    except (KeyError, ValueError):
        return None


def _response_name(resp: requests.Response, url: str) -> str:
    # email.message understands both filename="..." and RFC 2231 filename*=.
    msg = email.message.Message()
    msg["Content-Disposition"] = resp.headers.get("Content-Disposition", "")
    return msg.get_filename() or unquote(PurePosixPath(urlsplit(url).path).name) or "download"


def _safe_name(raw: str) -> str:
    """Reduce a server- or archive-supplied name to one harmless path component."""
    base = raw.replace("\\", "/").rsplit("/", 1)[-1]
    return re.sub(r"[^\w.-]+", "_", base).strip(".") or "download"


def file_sha256(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in _read_chunks(f):
            digest.update(chunk)
    return digest.hexdigest()


def _read_chunks(f: BinaryIO) -> Iterator[bytes]:
    return iter(lambda: f.read(CHUNK_BYTES), b"")
