"""Issue 26, item 6: no hop from a blog to an internal address (SSRF).

Real servers, real redirects: the teacher's blog is written in site.yml as
`http://localhost:PORT/` (a host the school names, so trusted with every address on it);
the internal page listens on another loopback address, 127.0.0.2, which site.yml does not
name. A redirect or a discovered `<link rel="alternate">` to it must be refused, the refusal
must be the feed's error in the report, and the archive must keep what it had.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from generator.sources.fetch import AddressPolicy, FetchRequest, fetch_all, internal
from tests.test_ingest import T1, T2, School, item, rss

SECRET = "RAHASIA-JARINGAN-DALAM"
INTERNAL_FEED = rss(item(9, SECRET))


@pytest.fixture
def intranet() -> Iterator[HTTPServer]:
    """A server on 127.0.0.2 (loopback, but a host site.yml does not name), holding a
    feed whose text must never reach the portal."""
    server = HTTPServer(host="127.0.0.2", port=0)
    server.start()
    server.expect_request("/feed.xml").respond_with_data(INTERNAL_FEED,
                                                         content_type="application/rss+xml")
    yield server
    server.clear()
    server.stop()


def published(school: School) -> str:
    return "".join(page.read_text(encoding="utf-8") for page in school.output.rglob("*")
                   if page.is_file() and page.suffix in (".html", ".xml", ".json"))


@pytest.fixture
def school(tmp_path: Path, httpserver: HTTPServer,
           monkeypatch: pytest.MonkeyPatch) -> School:
    monkeypatch.chdir(tmp_path)
    return School(tmp_path / "site", httpserver)


def test_a_redirect_to_an_internal_address_is_refused_and_the_posts_stay(
        school: School, intranet: HTTPServer) -> None:
    school.serve_budi(rss(item(2), item(1)))
    assert school.build(T1).broken_feeds == ()
    school.serve_budi("", status=302, headers={"Location": intranet.url_for("/feed.xml")})

    report = school.build(T2)

    [broken] = report.broken_feeds
    assert broken.teacher == "budi"
    assert "refused to connect to 127.0.0.2: it is an internal address" in (broken.error or "")
    assert intranet.log == []
    assert SECRET not in published(school)
    assert school.has_post("2026-11-01-materi-1") and school.has_post("2026-11-02-materi-2")
    assert school.has_post("2026-11-05-persamaan-kuadrat", "sari")


def test_a_discovered_feed_on_an_internal_address_is_refused(
        school: School, intranet: HTTPServer) -> None:
    school.config.write_text(school.config.read_text().replace(
        school.server.url_for("/budi/feed/"), school.server.url_for("/budi/")))
    home = ('<!doctype html><html><head><link rel="alternate" type="application/rss+xml" '
            f'href="{intranet.url_for("/feed.xml")}"></head><body>Blog Pak Budi</body></html>')
    school.serve_budi(home, path="/budi/", content_type="text/html")

    report = school.build(T1)

    [broken] = report.broken_feeds
    assert broken.teacher == "budi"
    assert "refused to connect to 127.0.0.2: it is an internal address" in (broken.error or "")
    assert intranet.log == []
    assert SECRET not in published(school)
    assert school.has_post("2026-11-05-persamaan-kuadrat", "sari")


def test_a_name_is_judged_by_the_address_it_resolves_to(
        school: School, intranet: HTTPServer) -> None:
    """site.yml names 127.0.0.1; `localhost` is another name, which resolves to 127.0.0.1:
    a redirect to it is refused all the same."""
    school.config.write_text(school.config.read_text().replace("localhost", "127.0.0.1"))
    school.serve_budi(rss(item(1)))
    assert school.build(T1).broken_feeds == ()
    school.serve_budi("", status=302, headers={
        "Location": school.server.url_for("/intern.xml")})  # http://localhost:PORT/
    school.server.expect_request("/intern.xml").respond_with_data(INTERNAL_FEED)

    [broken] = school.build(T2).broken_feeds

    assert "refused to connect to localhost: it is an internal address (127.0.0.1)" in (
        broken.error or "")
    assert SECRET not in published(school)
    assert school.has_post("2026-11-01-materi-1")


def test_a_host_written_by_the_school_may_be_internal(intranet: HTTPServer) -> None:
    """The policy trusts the host as written, with every address on it; nothing else."""
    url = intranet.url_for("/feed.xml")
    policy = AddressPolicy.trusting(["http://127.0.0.2:8000/blog/"])
    [trusted] = fetch_all([FetchRequest("budi", url)], policy=policy)
    [refused] = fetch_all([FetchRequest("budi", url)],
                          policy=AddressPolicy.trusting(["http://localhost/"]))
    assert getattr(trusted, "body", None) == INTERNAL_FEED.encode()
    assert "internal address (127.0.0.2)" in getattr(refused, "reason", "")


@pytest.mark.parametrize(("address", "inside"), [
    ("127.0.0.1", True), ("127.0.0.2", True), ("10.1.2.3", True), ("172.16.0.1", True),
    ("192.168.1.1", True), ("169.254.169.254", True), ("100.64.0.1", True),
    ("0.0.0.0", True), ("::1", True), ("::ffff:127.0.0.1", True), ("fd00::1", True),
    ("fe80::1%eth0", True), ("224.0.0.1", True),
    ("8.8.8.8", False), ("203.0.114.9", False), ("2606:4700::1111", False),
])
def test_internal_addresses(address: str, inside: bool) -> None:
    assert internal(address) is inside


def test_a_host_is_trusted_as_written_and_as_the_connection_names_it() -> None:
    policy = AddressPolicy.trusting(["http://Sekolah.Bücher.example:8000/", "http://[::1]/"])
    assert policy.trusts("sekolah.xn--bcher-kva.example") and policy.trusts("::1")
    assert policy.trusts("sekolah.bücher.example") and not policy.trusts("bücher.example")
