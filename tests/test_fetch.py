"""The HTTP fetcher against real servers on 127.0.0.1."""

from __future__ import annotations

import gzip
import threading
import time
import tracemalloc
import zlib
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from generator.models import FetchLimits
from generator.sources.fetch import (
    MAX_ANNOUNCED_TRIED,
    MAX_DISCOVERY_TRIES,
    Fetched,
    FetchFailure,
    FetchRequest,
    feed_links,
    fetch_all,
)
from tests.slow_server import misbehaving_server

RSS = (Path(__file__).parent / "fixtures" / "tiny" / "feeds" / "budi.xml").read_bytes()
QUICK = FetchLimits(timeout=2.0, deadline=10.0)


def fetch_one(url: str, limits: FetchLimits = QUICK, discover: bool = False,
              etag: str | None = None, last_modified: str | None = None
              ) -> Fetched | FetchFailure:
    request = FetchRequest("budi", url, discover, etag, last_modified)
    [result] = fetch_all([request], limits)
    return result


def failure(result: Fetched | FetchFailure) -> str:
    assert isinstance(result, FetchFailure), result
    return result.reason


def test_feed_is_fetched_with_a_user_agent_naming_mading(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed/").respond_with_data(RSS, content_type="application/rss+xml")
    result = fetch_one(httpserver.url_for("/feed/"))
    assert isinstance(result, Fetched)
    assert result.body == RSS
    request, _ = httpserver.log[0]
    assert request.headers["User-Agent"].startswith("Mading/")
    assert "gzip" in request.headers["Accept-Encoding"]


def test_unchanged_feed_costs_one_304_and_no_body(httpserver: HTTPServer) -> None:
    def conditional(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(RSS, headers={"ETag": '"v1"', "Last-Modified":
                                      "Tue, 10 Nov 2026 01:00:00 GMT"})

    httpserver.expect_request("/feed/").respond_with_handler(conditional)
    first = fetch_one(httpserver.url_for("/feed/"))
    assert isinstance(first, Fetched) and first.etag == '"v1"'
    assert first.last_modified == "Tue, 10 Nov 2026 01:00:00 GMT"
    second = fetch_one(httpserver.url_for("/feed/"), etag=first.etag,
                       last_modified=first.last_modified)
    assert isinstance(second, Fetched)
    assert second.not_modified and second.received == 0
    request, _ = httpserver.log[1]
    assert request.headers["If-Modified-Since"] == "Tue, 10 Nov 2026 01:00:00 GMT"


@pytest.mark.parametrize("status", [404, 410, 500, 503])
def test_http_errors_are_failures(httpserver: HTTPServer, status: int) -> None:
    httpserver.expect_request("/feed/").respond_with_data("no", status=status)
    assert failure(fetch_one(httpserver.url_for("/feed/"))).startswith(f"HTTP {status}")


def test_redirects_are_followed_but_bounded(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/old").respond_with_data(
        "", status=301, headers={"Location": httpserver.url_for("/new")})
    httpserver.expect_request("/new").respond_with_data(RSS)
    moved = fetch_one(httpserver.url_for("/old"))
    assert isinstance(moved, Fetched) and moved.url == httpserver.url_for("/new")
    httpserver.expect_request("/loop").respond_with_data(
        "", status=302, headers={"Location": httpserver.url_for("/loop")})
    assert failure(fetch_one(httpserver.url_for("/loop"))) == "more than 5 redirects"


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_compressed_bodies_are_decoded(httpserver: HTTPServer, encoding: str) -> None:
    body = gzip.compress(RSS) if encoding == "gzip" else zlib.compress(RSS)
    httpserver.expect_request("/feed/").respond_with_data(
        body, headers={"Content-Encoding": encoding})
    result = fetch_one(httpserver.url_for("/feed/"))
    assert isinstance(result, Fetched)
    assert result.body == RSS and result.received == len(body)


def test_gzip_bomb_is_cut_at_the_cap(httpserver: HTTPServer) -> None:
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)  # 64 MB in ~64 KB
    assert len(bomb) < 200_000
    httpserver.expect_request("/feed/").respond_with_data(
        bomb, headers={"Content-Encoding": "gzip"})
    limits = FetchLimits(timeout=5.0, max_bytes=1024 * 1024)
    tracemalloc.start()
    try:
        reason = failure(fetch_one(httpserver.url_for("/feed/"), limits))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert reason == "feed larger than 1 MB, cut off"
    assert peak < 16 * 1024 * 1024, f"inflating the bomb took {peak} bytes"


def test_oversized_body_is_refused(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed/").respond_with_data(b"<rss>" + b" " * 3_000_000)
    limits = FetchLimits(timeout=5.0, max_bytes=2 * 1024 * 1024)
    assert failure(fetch_one(httpserver.url_for("/feed/"), limits)) == \
        "feed larger than 2 MB, cut off"


@pytest.mark.parametrize("mode", ["hang", "trickle"])
def test_servers_that_hang_or_trickle_hit_the_timeout(mode: str) -> None:
    limits = FetchLimits(timeout=1.0, deadline=10.0)
    with misbehaving_server(mode) as url:
        started = time.monotonic()
        reason = failure(fetch_one(url + "feed/", limits))
        elapsed = time.monotonic() - started
    assert "within 1 s" in reason
    assert elapsed < 5, "the per-request timeout did not stop the exchange"


def test_connection_refused_and_closed_are_failures() -> None:
    with misbehaving_server("close") as url:
        assert failure(fetch_one(url))
    with misbehaving_server("hang") as url:
        pass  # the listener is closed now: nothing accepts on this port
    assert "ConnectError" in failure(fetch_one(url))


def test_deadline_abandons_what_is_still_running() -> None:
    limits = FetchLimits(timeout=30.0, deadline=1.0)
    with misbehaving_server("hang") as url:
        started = time.monotonic()
        results = fetch_all([FetchRequest(str(i), url) for i in range(3)], limits)
        elapsed = time.monotonic() - started
    assert [failure(r) for r in results] == ["update deadline of 1 s passed"] * 3
    assert elapsed < 5


def test_the_deadline_grows_with_rounds_of_feeds_waiting_for_a_slot() -> None:
    """A district's feeds wait for one of `concurrency` slots: each further round of
    slots adds one timeout, so slow but healthy feeds are not abandoned (issue 23)."""
    limits = FetchLimits(concurrency=1, timeout=1.0, deadline=1.5)
    assert limits.deadline_for(1) == 1.5
    assert limits.deadline_for(3) == 3.5
    server = HTTPServer(threaded=True)
    server.start()

    def slow(request: Request) -> Response:
        time.sleep(0.6)
        return Response(RSS)

    try:
        server.expect_request("/feed/").respond_with_handler(slow)
        started = time.monotonic()
        results = fetch_all([FetchRequest(str(i), server.url_for("/feed/"))
                             for i in range(4)], limits)
        elapsed = time.monotonic() - started
    finally:
        server.clear()
        server.stop()
    # One at a time, 0.6 s each: 2.4 s, past the 1.5 s a fixed deadline gave them.
    assert elapsed > limits.deadline
    assert all(isinstance(r, Fetched) for r in results), results


def test_a_hanging_update_is_still_abandoned_at_its_grown_deadline() -> None:
    limits = FetchLimits(concurrency=2, timeout=1.0, deadline=0.5)
    with misbehaving_server("hang") as url:
        started = time.monotonic()
        results = fetch_all([FetchRequest(str(i), url) for i in range(3)], limits)
        elapsed = time.monotonic() - started
    # The first round hangs until its timeout; the third feed, in the second round,
    # until the deadline grown by that round: 0.5 s + 1 s.
    reasons = [failure(r) for r in results]
    assert all("within 1 s" in reason for reason in reasons[:2]), reasons
    assert reasons[2] == "update deadline of 1.5 s passed"
    assert elapsed < 5


def test_concurrency_is_bounded(httpserver: HTTPServer) -> None:
    # pytest-httpserver's default server is single-threaded; count in-flight requests
    # on a threaded one instead.
    server = HTTPServer(threaded=True)
    server.start()
    lock, active, peak = threading.Lock(), [0], [0]

    def slow(request: Request) -> Response:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.1)
        with lock:
            active[0] -= 1
        return Response(RSS)

    try:
        server.expect_request("/feed/").respond_with_handler(slow)
        requests = [FetchRequest(str(i), server.url_for("/feed/")) for i in range(20)]
        results = fetch_all(requests, FetchLimits(concurrency=4, timeout=5.0))
    finally:
        server.clear()
        server.stop()
    assert all(isinstance(r, Fetched) for r in results)
    assert 2 <= peak[0] <= 4


def test_discovery_follows_the_alternate_link(httpserver: HTTPServer) -> None:
    home = ('<html><head><link rel="alternate" type="application/rss+xml" '
            'title="Komentar" href="/comments/feed/"><link rel="alternate" '
            'type="application/rss+xml" href="/feed/"></head><body>Blog</body></html>')
    httpserver.expect_request("/").respond_with_data(home, content_type="text/html")
    httpserver.expect_request("/feed/").respond_with_data(RSS)
    result = fetch_one(httpserver.url_for("/"), discover=True)
    assert isinstance(result, Fetched) and result.url == httpserver.url_for("/feed/")


def test_discovery_tries_the_usual_places(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/").respond_with_data("<html><body>Blog</body></html>",
                                                     content_type="text/html")
    httpserver.expect_request("/feeds/posts/default").respond_with_data(RSS)
    result = fetch_one(httpserver.url_for("/"), discover=True)
    assert isinstance(result, Fetched)
    assert result.url == httpserver.url_for("/feeds/posts/default")


def test_discovery_failure_says_what_was_tried(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/").respond_with_data("<html><body>Blog</body></html>",
                                                     content_type="text/html")
    assert "no feed found" in failure(fetch_one(httpserver.url_for("/"), discover=True))


def test_discovery_tries_a_bounded_number_of_announced_feeds(httpserver: HTTPServer) -> None:
    """A home page announcing 200 feeds that hang stalled every build for the update's
    whole deadline (issue 26): only the first few are tried, then a few usual places."""
    links = "".join(f'<link rel="alternate" type="application/rss+xml" href="/alt/{n}">'
                    for n in range(200))
    httpserver.expect_request("/").respond_with_data(f"<html><head>{links}</head></html>",
                                                     content_type="text/html")
    httpserver.no_handler_status_code = 404
    assert "no feed found" in failure(fetch_one(httpserver.url_for("/"), discover=True))
    asked = [request.path for request, _ in httpserver.log]
    assert asked[0] == "/"
    assert [path for path in asked if path.startswith("/alt/")] == [
        f"/alt/{n}" for n in range(MAX_ANNOUNCED_TRIED)]
    assert len(asked) == 1 + MAX_DISCOVERY_TRIES


def test_feed_links_resolve_and_put_comment_feeds_last() -> None:
    html = ('<link rel="alternate" type="application/rss+xml" href="/comments/feed/">'
            '<link rel="alternate" type="application/atom+xml" href="feeds/posts/default">'
            '<link rel="stylesheet" href="/style.css">'
            '<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">')
    assert feed_links(html, "https://guru.example/blog/") == [
        "https://guru.example/blog/feeds/posts/default",
        "https://guru.example/comments/feed/",
    ]
