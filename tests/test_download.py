"""Tests for csc_pipeline.download and csc_pipeline.publishers.

HTTP behaviour is exercised against a real ThreadingHTTPServer on 127.0.0.1;
each test supplies the handler function ("app") that decides the response.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import pickle
import struct
import threading
import time
import zipfile
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from csc_pipeline.download import (
    DownloadError,
    MAX_DECOMPRESSION_RATIO,
    DownloadTooLarge,
    FetchPolicy,
    HostNotAllowed,
    HttpStatusError,
    RawStore,
    extract_zip_member,
    fetch,
)
from csc_pipeline.publishers import (
    ees_latest_release_version_id,
    ees_publication_url,
    ees_release_files_url,
)

PAYLOAD = b"la_code,la_name,cla_count\nE09000001,City of London,12\n" * 200
PAYLOAD_SHA = hashlib.sha256(PAYLOAD).hexdigest()
MiB = 1024 * 1024


# --- local HTTP server -------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # clients hanging up mid-response is exactly what several tests do


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.server.hits.append((self.path, self.headers))
        self.server.app(self)

    def log_message(self, *args):
        pass


def send(h, status=200, body=b"", headers=None, length=True):
    """Write a response; length=False omits Content-Length and closes the connection."""
    h.send_response(status)
    for key, value in (headers or {}).items():
        h.send_header(key, value)
    if length:
        h.send_header("Content-Length", str(len(body)))
    else:
        h.send_header("Connection", "close")
        h.close_connection = True
    h.end_headers()
    h.wfile.write(body)


def fail_then_serve(failures, status, body=PAYLOAD):
    calls = itertools.count()

    def app(h):
        if next(calls) < failures:
            send(h, status, b"temporarily broken")
        else:
            send(h, body=body)

    return app


@pytest.fixture
def serve():
    servers = []

    def start(app):
        srv = _Server(("127.0.0.1", 0), _Handler)
        srv.app, srv.hits = app, []
        srv.url = f"http://127.0.0.1:{srv.server_port}"
        # A short poll interval keeps shutdown() fast.
        threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()
        servers.append(srv)
        return srv

    yield start
    for srv in servers:
        srv.shutdown()
        srv.server_close()


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch):
    # requests honours proxy variables; a proxy would intercept our loopback server.
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def store(tmp_path):
    return RawStore(tmp_path / "raw")


def policy(**overrides):
    return FetchPolicy(**{"allowed_hosts": {"127.0.0.1"}, "backoff_seconds": 0, "timeout": 2, **overrides})


def all_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


# --- RawStore ----------------------------------------------------------------


def test_put_file_is_read_only_and_never_overwritten(store, tmp_path):
    src = tmp_path / "cla.csv"
    src.write_bytes(PAYLOAD)

    first = store.put_file(src, "cla.csv")
    inode = first.path.stat().st_ino
    second = store.ingest_local(src)  # same bytes, same name: must reuse the existing file

    assert first == second
    assert first.path == store.root / PAYLOAD_SHA[:2] / PAYLOAD_SHA / "cla.csv"
    assert (first.sha256, first.bytes, first.path.read_bytes()) == (PAYLOAD_SHA, len(PAYLOAD), PAYLOAD)
    assert first.path.stat().st_mode & 0o777 == 0o444
    assert first.path.stat().st_ino == inode  # not replaced by the second put
    assert src.read_bytes() == PAYLOAD  # mirror mode leaves the source alone
    assert list(store.tmp_dir.iterdir()) == []


# --- fetch: success paths ----------------------------------------------------


def test_fetch_stores_served_bytes(serve, store):
    srv = serve(lambda h: send(h, body=PAYLOAD))
    url = f"{srv.url}/files/cla%20data.csv"

    result = fetch(url, store, policy())

    stored = result.stored
    assert stored.sha256 == PAYLOAD_SHA
    assert stored.path.read_bytes() == PAYLOAD and stored.bytes == len(PAYLOAD)
    assert stored.path == store.root / PAYLOAD_SHA[:2] / PAYLOAD_SHA / "cla_data.csv"
    assert stored.path.stat().st_mode & 0o777 == 0o444
    assert (result.url, result.final_url, result.attempts, result.not_modified) == (url, url, 1, False)
    assert result.fetched_at.utcoffset() == timedelta(0)
    assert srv.hits[0][1]["User-Agent"].startswith("csc-pipeline/")
    assert list(store.tmp_dir.iterdir()) == []


@pytest.mark.parametrize(
    ("path", "headers", "expected"),
    [
        ("/a/b/data.csv", {}, "data.csv"),
        ("/api/files", {"Content-Disposition": 'attachment; filename="cla_2024.zip"'}, "cla_2024.zip"),
        ("/x", {"Content-Disposition": "attachment; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd"}, "passwd"),
    ],
)
def test_stored_name_comes_from_response_and_is_sanitised(serve, store, path, headers, expected):
    srv = serve(lambda h: send(h, body=PAYLOAD, headers=headers))
    stored = fetch(srv.url + path, store, policy()).stored
    assert stored.name == expected
    assert stored.path.parent == store.root / PAYLOAD_SHA[:2] / PAYLOAD_SHA


def test_conditional_get_returns_stored_file_on_304(serve, store):
    etag, last_modified = '"v1"', "Wed, 01 Jan 2025 00:00:00 GMT"

    def app(h):
        if h.headers.get("If-None-Match") == etag:
            send(h, 304)
        else:
            send(h, body=PAYLOAD, headers={"ETag": etag, "Last-Modified": last_modified})

    srv = serve(app)
    url = f"{srv.url}/cla.csv"

    first = fetch(url, store, policy())
    second = fetch(url, store, policy())

    assert not first.not_modified and second.not_modified
    assert second.stored == first.stored
    assert (second.etag, second.last_modified) == (etag, last_modified)
    assert "If-None-Match" not in srv.hits[0][1]
    assert srv.hits[1][1]["If-None-Match"] == etag
    assert srv.hits[1][1]["If-Modified-Since"] == last_modified
    index = json.loads((store.root / RawStore.CACHE_INDEX).read_text())
    assert index[url]["sha256"] == PAYLOAD_SHA


def test_no_conditional_request_when_stored_file_is_gone(serve, store):
    srv = serve(lambda h: send(h, 304) if h.headers.get("If-None-Match") else
                send(h, body=PAYLOAD, headers={"ETag": '"v1"'}))
    url = f"{srv.url}/cla.csv"
    fetch(url, store, policy()).stored.path.unlink()

    again = fetch(url, store, policy())

    assert "If-None-Match" not in srv.hits[1][1]
    assert not again.not_modified and again.stored.path.read_bytes() == PAYLOAD


# --- fetch: retries ----------------------------------------------------------


@pytest.mark.parametrize("status", [500, 503, 429])
def test_retries_transient_statuses_then_succeeds(serve, store, status):
    srv = serve(fail_then_serve(2, status))
    result = fetch(f"{srv.url}/cla.csv", store, policy(max_attempts=4))
    assert result.attempts == 3 and len(srv.hits) == 3
    assert result.stored.sha256 == PAYLOAD_SHA


def test_gives_up_after_max_attempts(serve, store):
    srv = serve(fail_then_serve(99, 500))
    with pytest.raises(HttpStatusError) as err:
        fetch(f"{srv.url}/cla.csv", store, policy(max_attempts=3))
    assert err.value.status == 500
    assert len(srv.hits) == 3
    assert "gave up after 3 attempt(s)" in err.value.__notes__
    assert all_files(store.root) == []


def test_404_is_not_retried(serve, store):
    srv = serve(lambda h: send(h, 404, b"not here"))
    url = f"{srv.url}/missing.csv"
    with pytest.raises(HttpStatusError) as err:
        fetch(url, store, policy(max_attempts=4))
    assert err.value.status == 404 and url in str(err.value)
    assert len(srv.hits) == 1
    assert pickle.loads(pickle.dumps(err.value)).status == 404  # survives process boundaries


def test_read_timeout_is_retried_then_reported(serve, store):
    srv = serve(lambda h: (time.sleep(0.5), send(h, body=PAYLOAD)))
    with pytest.raises(DownloadError, match="gave up after 2") as err:
        fetch(f"{srv.url}/slow.csv", store, policy(timeout=0.1, max_attempts=2))
    assert isinstance(err.value.__cause__, requests.Timeout)
    assert len(srv.hits) == 2
    assert all_files(store.root) == []


def test_body_cut_short_is_retried_and_partial_discarded(serve, store):
    calls = itertools.count()

    def app(h):
        if next(calls) == 0:  # promise the full length, send half, hang up
            half = PAYLOAD[: len(PAYLOAD) // 2]
            send(h, body=half, headers={"Content-Length": str(len(PAYLOAD))}, length=False)
        else:
            send(h, body=PAYLOAD)

    srv = serve(app)
    result = fetch(f"{srv.url}/cla.csv", store, policy())
    assert result.attempts == 2
    assert result.stored.sha256 == PAYLOAD_SHA
    assert all_files(store.root) == sorted([result.stored.path, store.root / RawStore.CACHE_INDEX])


def test_body_longer_than_its_content_length_is_an_error_naming_the_url(serve, store):
    # Declare half the payload, send all of it: the surplus must not be silently cut off.
    srv = serve(lambda h: send(h, body=PAYLOAD, headers={"Content-Length": str(len(PAYLOAD) // 2)}, length=False))
    with pytest.raises(DownloadError, match=rf"{srv.url}/cla.csv: the body is longer than its Content-Length "
                                            rf"{len(PAYLOAD) // 2}"):
        fetch(f"{srv.url}/cla.csv", store, policy())
    assert len(srv.hits) == 1  # not a transient failure: not retried
    assert all_files(store.root) == []


def test_body_shorter_than_its_content_length_names_the_url_after_the_retries(serve, store):
    half = PAYLOAD[: len(PAYLOAD) // 2]
    srv = serve(lambda h: send(h, body=half, headers={"Content-Length": str(len(PAYLOAD))}, length=False))
    with pytest.raises(DownloadError, match=rf"{srv.url}/cla.csv: gave up after 2 attempt.*ended after "
                                            rf"{len(half)} of the {len(PAYLOAD)} bytes"):
        fetch(f"{srv.url}/cla.csv", store, policy(max_attempts=2))
    assert all_files(store.root) == []


def test_compressed_body_the_server_sent_anyway_is_stored_decoded(serve, store):
    body = gzip.compress(PAYLOAD)
    srv = serve(lambda h: send(h, body=body, headers={"Content-Encoding": "gzip"}))
    result = fetch(f"{srv.url}/cla.csv", store, policy())
    assert srv.hits[0][1]["Accept-Encoding"] == "identity"
    assert result.stored.sha256 == PAYLOAD_SHA


def test_gzip_bomb_body_is_refused_by_its_inflation_ratio(serve, store):
    bomb = gzip.compress(b"0" * (40 * MiB), compresslevel=9)  # ~40 KB on the wire, 1000 times that inflated
    srv = serve(lambda h: send(h, body=bomb, headers={"Content-Encoding": "gzip"}))
    with pytest.raises(DownloadTooLarge, match=rf"{srv.url}/big.csv: the Content-Encoding gzip body inflates "
                                               rf"more than {MAX_DECOMPRESSION_RATIO} times"):
        fetch(f"{srv.url}/big.csv", store, policy())
    assert all_files(store.root) == []


# --- fetch: URL policy and redirects ----------------------------------------


class _NoNetworkSession(requests.Session):
    def request(self, *args, **kwargs):
        raise AssertionError("a request was made")


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/data.csv",
        "https://allowed.example.evil.example/data.csv",
        "http://allowed.example/data.csv",  # allowed host, but plain http
        "ftp://127.0.0.1/data.csv",
        "file:///etc/passwd",
    ],
)
def test_refused_urls_raise_before_any_request(store, url):
    allowed = FetchPolicy(allowed_hosts={"allowed.example", "127.0.0.1"})
    with pytest.raises(HostNotAllowed, match="allowed"):
        fetch(url, store, allowed, session=_NoNetworkSession())
    # Control: the stub session really does catch requests that are made.
    with pytest.raises(AssertionError):
        fetch("https://allowed.example/data.csv", store, allowed, session=_NoNetworkSession())


def test_follows_redirect_to_allowed_host(serve, store):
    target = serve(lambda h: send(h, body=PAYLOAD))
    target_url = f"http://localhost:{target.server_port}/final/cla.csv"
    origin = serve(lambda h: send(h, 302, headers={"Location": target_url}))

    result = fetch(f"{origin.url}/start", store, policy(allowed_hosts={"127.0.0.1", "localhost"}))

    assert result.final_url == target_url
    assert result.stored.sha256 == PAYLOAD_SHA and result.stored.name == "cla.csv"
    assert len(target.hits) == 1


def test_redirect_to_disallowed_host_is_refused(serve, store):
    target = serve(lambda h: send(h, body=PAYLOAD))
    origin = serve(lambda h: send(h, 302, headers={"Location": f"http://localhost:{target.server_port}/x"}))

    with pytest.raises(HostNotAllowed, match="'localhost'"):
        fetch(f"{origin.url}/start", store, policy())

    assert target.hits == [] and len(origin.hits) == 1
    assert all_files(store.root) == []


def test_redirect_loop_is_cut_off(serve, store):
    srv = serve(lambda h: send(h, 302, headers={"Location": "/again"}))
    with pytest.raises(DownloadError, match="more than 5 redirects"):
        fetch(f"{srv.url}/start", store, policy())
    assert len(srv.hits) == 6  # the original request plus five redirects


# --- fetch: size cap ---------------------------------------------------------


def test_declared_oversize_is_rejected_without_reading(serve, store):
    srv = serve(lambda h: send(h, body=b"x" * 2000))
    with pytest.raises(DownloadTooLarge, match="Content-Length 2000"):
        fetch(f"{srv.url}/big.csv", store, policy(max_bytes=1000))
    assert len(srv.hits) == 1  # not retried
    assert all_files(store.root) == []


def test_undeclared_oversize_is_aborted_mid_stream(serve, store):
    srv = serve(lambda h: send(h, body=b"x" * (3 * MiB), length=False))
    with pytest.raises(DownloadTooLarge, match="limit"):
        fetch(f"{srv.url}/big.csv", store, policy(max_bytes=MiB + 1))
    assert len(srv.hits) == 1
    assert all_files(store.root) == []


def test_policy_validation():
    assert FetchPolicy(allowed_hosts=["Example.GOV.uk"]).allowed_hosts == frozenset({"example.gov.uk"})
    with pytest.raises(ValueError, match="TLS"):
        FetchPolicy(allowed_hosts={"example.gov.uk"}, verify_tls=False)
    with pytest.raises(TypeError):
        FetchPolicy(allowed_hosts="example.gov.uk")


# --- zip extraction ----------------------------------------------------------

EES_ENTRIES = {
    "data/cla_national_2024.csv": b"time_period,number\n2024,83630\n",
    "data/cla_la_2024.csv": b"time_period,la,number\n2024,E09000001,12\n",
    "data-guidance/data-guidance.txt": b"Children looked after: data guidance\n",
}


def make_zip(path: Path, entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


@pytest.mark.parametrize(
    ("member", "expected"),
    [
        ("data-guidance/data-guidance.txt", "data-guidance/data-guidance.txt"),
        ("data/*_la_*.csv", "data/cla_la_2024.csv"),
    ],
)
def test_extract_member_by_path_or_glob(store, tmp_path, member, expected):
    zip_path = make_zip(tmp_path / "release.zip", EES_ENTRIES)
    stored = extract_zip_member(zip_path, member, store)
    assert stored.path.read_bytes() == EES_ENTRIES[expected]
    assert stored.sha256 == hashlib.sha256(EES_ENTRIES[expected]).hexdigest()
    assert stored.name == Path(expected).name
    assert stored.path.stat().st_mode & 0o777 == 0o444


def test_glob_matching_two_entries_names_both(store, tmp_path):
    zip_path = make_zip(tmp_path / "release.zip", EES_ENTRIES)
    with pytest.raises(DownloadError, match="matched 2") as err:
        extract_zip_member(zip_path, "data/*.csv", store)
    assert "data/cla_national_2024.csv" in str(err.value) and "data/cla_la_2024.csv" in str(err.value)
    assert all_files(store.root) == []


def test_no_match_lists_the_zip_entries(store, tmp_path):
    zip_path = make_zip(tmp_path / "release.zip", EES_ENTRIES)
    with pytest.raises(DownloadError, match="matched 0") as err:
        extract_zip_member(zip_path, "data/missing.csv", store)
    assert all(name in str(err.value) for name in EES_ENTRIES)


@pytest.mark.parametrize(
    "evil", ["../evil.txt", "data/../../evil.txt", "/tmp/evil.txt", "..\\evil.txt", "C:/evil.txt"]
)
def test_zip_with_unsafe_paths_is_refused(store, tmp_path, evil):
    zip_path = make_zip(tmp_path / "release.zip", {**EES_ENTRIES, evil: b"pwned"})
    with pytest.raises(DownloadError, match="unsafe"):
        extract_zip_member(zip_path, "data-guidance/data-guidance.txt", store)
    assert all_files(store.root) == []


def test_oversize_member_is_refused(store, tmp_path):
    zip_path = make_zip(tmp_path / "bomb.zip", {"data/big.csv": b"0" * 5000})  # compresses to ~20 bytes
    with pytest.raises(DownloadTooLarge, match="5000 bytes uncompressed"):
        extract_zip_member(zip_path, "data/big.csv", store, max_bytes=1000)
    assert all_files(store.root) == []


def test_zip_member_inflating_beyond_the_ratio_is_refused(store, tmp_path):
    zip_path = make_zip(tmp_path / "bomb.zip", {"data/big.csv": b"0" * (20 * MiB)})  # ~20 KB compressed
    with pytest.raises(DownloadTooLarge, match=rf"bomb.zip!data/big.csv: \d+ bytes inflate to {20 * MiB}, "
                                               rf"more than {MAX_DECOMPRESSION_RATIO} times"):
        extract_zip_member(zip_path, "data/big.csv", store)
    assert all_files(store.root) == []


def test_member_with_lying_size_header_is_refused(store, tmp_path):
    zip_path = make_zip(tmp_path / "liar.zip", {"data/x.csv": b"y" * 100}, zipfile.ZIP_STORED)
    raw = bytearray(zip_path.read_bytes())
    central = raw.index(b"PK\x01\x02")
    struct.pack_into("<I", raw, central + 24, 10)  # claim 10 bytes uncompressed
    zip_path.write_bytes(raw)

    with pytest.raises(DownloadError, match="corrupt zip"):
        extract_zip_member(zip_path, "data/x.csv", store, max_bytes=50)
    assert all_files(store.root) == []


# --- publishers --------------------------------------------------------------

RELEASE_ID = "0e3b1a57-0d6b-4f39-9f3c-2a1e0c7d8b10"


def ees_page(page_props: dict, attrs='id="__NEXT_DATA__" type="application/json"') -> str:
    data = json.dumps({"props": {"pageProps": page_props}, "page": "/find-statistics/[publication]"})
    return f"<!DOCTYPE html><html><head><script src='/x.js'></script></head><body><div id='__next'></div>" \
           f"<script {attrs}>{data}</script></body></html>"


@pytest.mark.parametrize(
    ("page_props", "attrs"),
    [
        (
            {"releaseVersionSummary": {"id": RELEASE_ID}, "release": {"id": "older"}},
            'id="__NEXT_DATA__" type="application/json"',
        ),
        ({"release": {"id": RELEASE_ID}}, "type=\"application/json\" id='__NEXT_DATA__'"),
    ],
)
def test_ees_release_version_id_from_next_data(page_props, attrs):
    assert ees_latest_release_version_id(ees_page(page_props, attrs)) == RELEASE_ID


@pytest.mark.parametrize(
    ("html", "message"),
    [
        (ees_page({"publication": {"id": RELEASE_ID}}), "releaseVersionSummary"),
        ("<html><body>maintenance</body></html>", "__NEXT_DATA__"),
        ('<script id="__NEXT_DATA__">{not json</script>', "not valid JSON"),
    ],
)
def test_ees_release_version_id_errors(html, message):
    with pytest.raises(ValueError, match=message):
        ees_latest_release_version_id(html)


def test_ees_urls():
    assert ees_publication_url("children-looked-after-in-england-including-adoptions") == (
        "https://explore-education-statistics.service.gov.uk/find-statistics/"
        "children-looked-after-in-england-including-adoptions"
    )
    assert ees_release_files_url(RELEASE_ID.upper()) == (
        f"https://content.explore-education-statistics.service.gov.uk/api/releases/{RELEASE_ID}/files"
    )
    with pytest.raises(ValueError):
        ees_release_files_url("../../admin")
    with pytest.raises(ValueError):
        ees_publication_url("a/../b")
