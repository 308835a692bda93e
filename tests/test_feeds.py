"""Reading teachers' feeds: the formats schools meet, broken feeds, and feeds over HTTP.

The sample feeds are in tests/fixtures/feeds/; the values expected from them are written
out by hand below, from reading the files.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from generator.models import Entry, FeedFile, FeedNote, FeedResult, FetchLimits, Teacher, WebFeed
from generator.sources import feeds
from generator.sources.feeds import parse_feed, read_feed

FEEDS = Path(__file__).resolve().parent / "fixtures" / "feeds"


def read(name: str) -> FeedResult:
    """Read a sample feed the way a build does: as a teacher's `blog:` file."""
    return read_feed(Teacher(name="Guru", slug="guru", blog=FeedFile(name)), FEEDS)


def only(result: FeedResult) -> Entry:
    assert result.error is None
    assert len(result.entries) == 1
    return result.entries[0]


def rss(item: str, channel: str = "") -> bytes:
    """A minimal RSS 2.0 feed around one `<item>` body."""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            f'xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Uji</title>'
            f"<link>https://guru.example/</link>{channel}<item>{item}</item></channel></rss>"
            ).encode()


# -- formats ------------------------------------------------------------------------------


def test_wordpress_rss() -> None:
    result = read("wordpress-rss.xml")
    assert result.error is None
    assert result.title == "Matematika Bu Sari"
    assert result.home_page == "https://busari.wordpress.com"
    assert result.feed_url == "https://busari.wordpress.com/feed/"
    assert [e.entry_id for e in result.entries] == [
        "https://busari.wordpress.com/?p=412", "https://busari.wordpress.com/?p=398"]
    post = result.entries[0]
    assert post.teacher == "guru"
    assert post.origin == "feed"
    assert post.title == "Fungsi Kuadrat: Grafik & Titik Puncak"
    assert post.link == "https://busari.wordpress.com/2026/11/20/fungsi-kuadrat/"
    assert post.published == datetime(2026, 11, 20, 2, 15, tzinfo=UTC)
    assert post.categories == ("Matematika Wajib", "Kelas X", "Tugas")
    assert post.author == "Sari Wulandari"
    assert post.summary == "Hari ini kita menggambar grafik fungsi kuadrat […]"
    assert post.image is None
    # The lesson video stays; the tracking script and its text are gone.
    [frame] = re.findall(r"<iframe ([^>]*)>", post.content_html)
    assert set(frame.split()) == {
        'allowfullscreen="true"', 'height="360"', 'width="640"',
        'src="https://www.youtube.com/embed/dQw4w9WgXcQ?version=3&amp;rel=1"',
        'loading="lazy"', 'referrerpolicy="strict-origin"'}
    assert "<script" not in post.content_html
    assert "wpcom_stats" not in post.content_html
    assert "style=" not in post.content_html
    assert "<strong>grafik fungsi kuadrat</strong>" in post.content_html
    assert "<p>Kerjakan latihan di buku halaman 52.</p>" in post.content_html
    assert result.entries[1].categories == ("Pengumuman",)


def test_blogger_atom() -> None:
    result = read("blogger-atom.xml")
    post = only(result)
    assert result.title == "Fisika Pak Budi"
    assert result.home_page == "https://fisikapakbudi.blogspot.com/"
    assert post.entry_id == "tag:blogger.com,1999:blog-1234567890.post-555"
    assert post.title == "Gerak Parabola"
    assert post.link == "https://fisikapakbudi.blogspot.com/2026/11/gerak-parabola.html"
    assert post.published == datetime(2026, 11, 19, 0, 30, tzinfo=UTC)
    assert post.updated == datetime(2026, 11, 19, 1, 30, tzinfo=UTC)
    assert post.categories == ("Fisika", "XI-1")
    assert post.author == "Budi Santoso"
    # media:thumbnail is the featured image, even though the post holds a bigger one.
    assert post.image == "https://blogger.googleusercontent.com/img/b/R29/s72-c/parabola.png"
    # content type="html" is escaped HTML: it arrives as markup, not as visible tags.
    assert "<b>parabola</b>" in post.content_html
    assert "&lt;b&gt;" not in post.content_html
    assert 'src="https://blogger.googleusercontent.com/img/b/R29/s320/parabola.png"' \
        in post.content_html
    assert "onerror" not in post.content_html
    assert post.summary == "Benda yang dilempar miring bergerak parabola."


def test_json_feed() -> None:
    result = read("json-feed.json")
    post = only(result)
    assert result.title == "Miss Rina's English Corner"
    assert result.home_page == "https://missrina.example/"
    assert result.feed_url == "https://missrina.example/feed.json"
    assert post.entry_id == "rina-2026-11-21-descriptive"
    assert post.title == "Descriptive Text"
    assert post.link == "https://missrina.example/posts/descriptive-text/"
    assert post.summary == "What a descriptive text is, with an example."
    assert post.published == datetime(2026, 11, 21, 3, 0, tzinfo=UTC)
    assert post.updated == datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
    assert post.categories == ("English", "XI-1", "Homework")
    assert post.image == "https://missrina.example/img/school.jpg"
    assert post.author == "Rina Kartika, S.Pd."
    assert "<em>person</em>" in post.content_html
    assert "<p>Example: my school.</p>" in post.content_html
    assert "onmouseover" not in post.content_html
    assert '<a href="https://missrina.example/posts/recount-text/" rel="noopener noreferrer">' \
        in post.content_html
    assert result.undated == frozenset()


def test_youtube_channel_feed_embeds_the_video() -> None:
    result = read("youtube-channel.xml")
    post = only(result)
    assert result.title == "Kimia Bersama Bu Dewi"
    assert post.entry_id == "yt:video:Xy12_ab-CDE"
    assert post.title == "Stoikiometri: Konsep Mol"
    assert post.link == "https://www.youtube.com/watch?v=Xy12_ab-CDE"
    assert post.published == datetime(2026, 11, 17, 12, 0, tzinfo=UTC)
    assert post.content_html.startswith(
        '<iframe referrerpolicy="strict-origin" '
        'src="https://www.youtube-nocookie.com/embed/Xy12_ab-CDE" ')
    assert "allowfullscreen" in post.content_html
    # media:description, paragraph by paragraph, as text.
    assert "<p>Video ini menjelaskan konsep mol &amp; bilangan Avogadro.</p>" \
        in post.content_html
    assert "<p>Latihan soal ada di akhir video.</p>" in post.content_html
    assert post.image == "https://i2.ytimg.com/vi/Xy12_ab-CDE/hqdefault.jpg"


def test_item_without_guid_uses_its_link_as_id() -> None:
    post = only(read("rss-edge-cases.xml"))
    assert post.entry_id == "https://anto.example/blog/2026/candi/"


def test_first_image_in_content_is_the_featured_image() -> None:
    # The item declares no media:thumbnail or enclosure; its post holds two images.
    assert only(read("rss-edge-cases.xml")).image == \
        "https://anto.example/blog/img/peta-candi.jpg"


def test_relative_links_and_images_resolve_against_the_item_link() -> None:
    html = only(read("rss-edge-cases.xml")).content_html
    assert 'src="https://anto.example/blog/img/peta-candi.jpg"' in html
    assert 'src="https://anto.example/img/kedua.jpg"' in html
    assert 'href="https://anto.example/blog/2026/candi/lampiran.pdf"' in html
    assert 'href="https://anto.example/blog/2026/prasasti/"' in html
    assert '"../../img' not in html


def test_html_and_entities_in_titles_and_categories_become_plain_text() -> None:
    result = read("rss-edge-cases.xml")
    post = only(result)
    assert result.title == "Blog Pak Anto"
    assert post.title == "Candi & Kerajaan Hindu-Buddha"
    assert post.categories == ("Sejarah & Budaya", "Kelas XI")


@pytest.mark.parametrize(("title_xml", "expected"), [
    ("A &amp; B", "A & B"),
    ("A &amp;amp; B", "A & B"),  # WordPress escapes twice
    ("<![CDATA[A &amp; B]]>", "A & B"),
    ("&lt;b&gt;x&lt;/b&gt;", "x"),
    ("<![CDATA[<b>x</b>]]>", "x"),
    ("Rumus  E = mc&#178;\n  (bagian 1)", "Rumus E = mc² (bagian 1)"),
])
def test_title_is_plain_text(title_xml: str, expected: str) -> None:
    data = rss(f"<title>{title_xml}</title><link>https://guru.example/a/</link>"
               f"<category>{title_xml}</category>")
    post = only(parse_feed("guru", "uji.xml", data, None))
    assert post.title == expected
    assert post.categories == (expected,)


def test_small_xml_slips_are_read_leniently() -> None:
    # A bare `&` and an HTML entity: not well-formed XML, but common and harmless.
    data = rss("<title>Tugas & PR&nbsp;Bab 2</title><link>https://guru.example/a/</link>")
    assert only(parse_feed("guru", "uji.xml", data, None)).title == "Tugas & PR Bab 2"


def test_links_and_images_that_are_not_web_addresses_are_dropped() -> None:
    data = rss('<title>Jebakan</title><link>javascript:alert(1)</link>'
               '<guid isPermaLink="false">jebakan-1</guid>'
               '<media:thumbnail url="javascript:alert(2)"/>'
               '<description>&lt;p&gt;teks&lt;/p&gt;</description>')
    post = only(parse_feed("guru", "uji.xml", data, None))
    assert post.link is None
    assert post.image is None
    assert post.content_html == "<p>teks</p>"


def test_json_feed_content_text_is_text_not_markup() -> None:
    data = (b'{"version": "https://jsonfeed.org/version/1", "items": [{"id": "1", '
            b'"title": "Teks", "date_published": "2026-11-02T08:00:00+07:00", '
            b'"content_text": "Pakai <br> untuk baris baru\\nlalu simpan.\\n\\nSelesai."}]}')
    post = only(parse_feed("guru", "uji.json", data, None))
    assert post.content_html == ("<p>Pakai &lt;br&gt; untuk baris baru<br>lalu simpan.</p>"
                                 "<p>Selesai.</p>")


def test_json_feed_with_byte_order_mark() -> None:
    data = b"\xef\xbb\xbf" + (FEEDS / "json-feed.json").read_bytes()
    assert only(parse_feed("guru", "uji.json", data, None)).title == "Descriptive Text"


def test_entries_without_a_date_are_marked_undated() -> None:
    data = (b'{"version": "https://jsonfeed.org/version/1.1", "items": ['
            b'{"id": "tanpa-tanggal", "content_html": "<p>a</p>"},'
            b'{"id": "bertanggal", "content_html": "<p>b</p>", '
            b'"date_published": "2026-11-02T08:00:00+07:00"}]}')
    result = parse_feed("guru", "uji.json", data, None)
    assert result.undated == frozenset({"tanpa-tanggal"})
    before = datetime.now(UTC)
    undated = parse_feed("guru", "uji.xml", rss("<title>T</title><guid>g-1</guid>"), None)
    assert undated.undated == frozenset({"g-1"})
    assert undated.entries[0].published >= before


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:00-12:00",
                                   "1066-10-14T09:00:00Z"])
def test_a_json_feed_date_out_of_range_is_no_date_and_is_noted(value: str) -> None:
    """Issue 26: such a date, once archived, stopped every later build."""
    data = ('{"version": "https://jsonfeed.org/version/1.1", "items": ['
            f'{{"id": "jauh", "content_html": "<p>a</p>", "date_published": "{value}", '
            f'"date_modified": "{value}"}}, '
            '{"id": "biasa", "content_html": "<p>b</p>", '
            '"date_published": "2026-11-02T08:00:00+07:00"}]}').encode()
    before = datetime.now(UTC)
    result = parse_feed("guru", "uji.json", data, None)
    far, usual = result.entries
    assert result.undated == frozenset({"jauh"})  # the archive keeps its first date
    assert far.published >= before and far.updated is None
    assert usual.published == datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    assert result.notes == (FeedNote("hostile_data.note_dates_refused", 1),)


def test_an_atom_date_out_of_range_is_no_date_and_is_noted() -> None:
    data = (b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            b"<title>Uji</title><id>urn:uji</id><updated>2026-11-01T00:00:00Z</updated>"
            b"<entry><title>Jauh</title><id>urn:jauh</id>"
            b"<updated>0001-01-01T00:00:00+14:00</updated></entry>"
            b"<entry><title>Kuno</title><id>urn:kuno</id>"
            b"<published>1492-10-12T00:00:00Z</published></entry></feed>")
    result = parse_feed("guru", "uji.xml", data, None)
    assert result.undated == frozenset({"urn:jauh", "urn:kuno"})
    assert result.notes == (FeedNote("hostile_data.note_dates_refused", 2),)


# -- broken feeds -------------------------------------------------------------------------


@pytest.fixture
def site_root(tmp_path: Path) -> Path:
    """A site folder holding the sample feeds, with a valid feed just outside it."""
    shutil.copytree(FEEDS, tmp_path / "site" / "feeds")
    shutil.copy(FEEDS / "wordpress-rss.xml", tmp_path / "outside.xml")
    return tmp_path / "site"


@pytest.mark.parametrize(("blog", "reason"), [
    ("feeds/missing.xml", "FileNotFoundError"),
    ("feeds/not-a-feed.html", "not a feed"),
    ("feeds/malformed.xml", "cut off"),
    ("feeds/invalid.json", "not valid JSON"),
    ("feeds/json-no-version.json", "JSON without a JSON Feed version"),
    ("../outside.xml", "outside the site folder"),
    (str(FEEDS.parent.parent / "fixtures" / "feeds" / "wordpress-rss.xml"),
     "outside the site folder"),
    ("feeds", "IsADirectoryError"),
])
def test_broken_feed_is_reported_not_raised(site_root: Path, blog: str, reason: str) -> None:
    result = read_feed(Teacher(name="Guru", slug="guru", blog=FeedFile(blog)), site_root)
    assert result.entries == ()
    assert result.error is not None
    assert reason in result.error
    assert result.teacher == "guru"
    assert result.source == blog


def test_a_feed_inside_the_site_folder_is_read(site_root: Path) -> None:
    # The same reader, the same folder: only the broken ones above fail.
    result = read_feed(Teacher(name="Guru", slug="guru", blog=FeedFile("feeds/wordpress-rss.xml")),
                       site_root)
    assert result.error is None
    assert len(result.entries) == 2


def test_feed_cut_off_at_any_point_is_an_error() -> None:
    full = (FEEDS / "wordpress-rss.xml").read_bytes()
    for end in range(len(full) // 3, len(full) - len(b"</rss>\n"), 97):
        with pytest.raises(feeds.FeedError):
            parse_feed("guru", "uji.xml", full[:end], None)


# -- over HTTP ----------------------------------------------------------------------------


def web_teacher(url: str) -> Teacher:
    return Teacher(name="Guru", slug="guru", blog=WebFeed(url))


def test_feed_served_over_http(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed/").respond_with_data(
        (FEEDS / "wordpress-rss.xml").read_bytes(), content_type="application/rss+xml")
    result = read_feed(web_teacher(httpserver.url_for("/feed/")), Path("/nonexistent"))
    assert result.error is None
    assert [e.title for e in result.entries] == [
        "Fungsi Kuadrat: Grafik & Titik Puncak", "Pengumuman Ulangan Harian"]
    user_agent = httpserver.log[0][0].headers["User-Agent"]
    assert user_agent.startswith("Mading/")


def test_relative_links_in_a_served_feed_resolve_against_the_feed_url(
        httpserver: HTTPServer) -> None:
    # No <link> anywhere: the only base is the address the feed came from.
    body = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Uji</title><item>'
            '<title>Gambar</title><guid>g-1</guid>'
            '<description>&lt;img src="gambar.png"&gt;</description></item></channel></rss>')
    httpserver.expect_request("/blog/feed.xml").respond_with_data(body)
    result = read_feed(web_teacher(httpserver.url_for("/blog/feed.xml")), Path("/nonexistent"))
    assert only(result).image == httpserver.url_for("/blog/gambar.png")


@pytest.mark.parametrize("status", [404, 500])
def test_http_error_is_reported(httpserver: HTTPServer, status: int) -> None:
    httpserver.expect_request("/feed/").respond_with_data("tidak ada", status=status)
    result = read_feed(web_teacher(httpserver.url_for("/feed/")), Path("/nonexistent"))
    assert result.entries == ()
    assert result.error is not None
    assert str(status) in result.error


def test_body_over_the_size_cap_is_refused(httpserver: HTTPServer) -> None:
    limits = FetchLimits(max_bytes=4096)
    small = rss("<title>Kecil</title><guid>k</guid>")
    big = rss("<title>Besar</title><guid>b</guid><description>" + "x" * 8000
              + "</description>")
    httpserver.expect_request("/small.xml").respond_with_data(small)
    httpserver.expect_request("/big.xml").respond_with_data(big)
    small_result = read_feed(web_teacher(httpserver.url_for("/small.xml")), Path("."), limits)
    assert only(small_result).title == "Kecil"
    result = read_feed(web_teacher(httpserver.url_for("/big.xml")), Path("."), limits)
    assert result.entries == ()
    assert result.error == "feed larger than 4096 bytes, cut off"


def test_slow_download_is_cut_at_the_timeout(httpserver: HTTPServer) -> None:
    limits = FetchLimits(timeout=0.3)

    def trickle(request: Request) -> Response:
        def body() -> Iterator[bytes]:
            for _ in range(40):
                time.sleep(0.05)
                yield b" "
        return Response(body(), content_type="application/rss+xml")

    httpserver.expect_request("/slow.xml").respond_with_handler(trickle)
    started = time.monotonic()
    result = read_feed(web_teacher(httpserver.url_for("/slow.xml")), Path("."), limits)
    assert result.error == "no complete answer within 0.3 s"
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9/feed/",     # nothing listens there: connection refused
    "http://[::1/feed/",            # httpx.InvalidURL, not an httpx.HTTPError
    "http://xn--/feed/",            # a host name IDNA refuses: UnicodeError
    "ftp://guru.example/feed.xml",  # not http(s)
])
def test_unreachable_or_invalid_address_is_reported(url: str) -> None:
    result = read_feed(web_teacher(url), Path("."))
    assert result.entries == ()
    assert result.error is not None


def test_wordpress_com_author_avatar_is_not_a_featured_image() -> None:
    # The example school's WordPress.com feed, as WordPress.com writes it: every item has
    # the author's Gravatar as media:content and a 1x1 view-counting image.
    feed = Path(__file__).resolve().parent.parent / "feeds" / "sari-wordpress.xml"
    result = parse_feed("sari", "feeds/sari-wordpress.xml", feed.read_bytes(), None)
    olimpiade = next(e for e in result.entries if e.title.startswith("Pendaftaran Olimpiade"))
    # Its only images are the avatar and the pixel: it has no featured image.
    assert olimpiade.image is None
    assert all("pixel.wp.com" not in e.content_html for e in result.entries)


# -- found by fuzzing (fuzz/test_fuzz_feeds.py, issue 8) ----------------------------------


def test_an_empty_feed_is_reported_not_a_crash(tmp_path: Path,
                                               httpserver: HTTPServer) -> None:
    # feedparser sets no `version` for an empty document: reading it crashed the update.
    with pytest.raises(feeds.FeedError):
        parse_feed("guru", "kosong.xml", b"", None)
    (tmp_path / "kosong.xml").write_bytes(b"")
    assert read_feed(Teacher(name="Guru", slug="guru", blog=FeedFile("kosong.xml")), tmp_path).error
    httpserver.expect_request("/feed/").respond_with_data(
        b"", content_type="application/rss+xml")
    result = read_feed(web_teacher(httpserver.url_for("/feed/")), Path("."))
    assert result.entries == ()
    assert result.error is not None


@pytest.mark.parametrize("home", [
    # `http://[::1` made urljoin raise ValueError outside the per-feed error handling,
    # which ended the whole update.
    '<html><head><link rel="alternate" type="application/rss+xml" href="http://[::1">'
    '<link rel="alternate" type="application/rss+xml" href="/feed/"></head></html>',
    # Python 3.11's html.parser raises AssertionError on `<![C`: it ended the update.
    '<html><head><link rel="alternate" type="application/rss+xml" href="/feed/">'
    "</head><body><![C</body></html>",
], ids=["feed-link-no-address", "broken-marked-section"])
def test_discovery_survives_a_broken_home_page(httpserver: HTTPServer, home: str) -> None:
    httpserver.expect_request("/").respond_with_data(home, content_type="text/html")
    httpserver.expect_request("/feed/").respond_with_data(
        (FEEDS / "wordpress-rss.xml").read_bytes(), content_type="application/rss+xml")
    result = read_feed(web_teacher(httpserver.url_for("/")), Path("."))
    assert result.error is None
    assert result.feed_url == httpserver.url_for("/feed/")


def test_json_nested_thousands_deep_is_reported_not_a_crash(tmp_path: Path) -> None:
    # json.loads raises RecursionError, which no caller caught: the update stopped.
    for nested in (b'{"a":' * 100_000,
                   b'{"version": "https://jsonfeed.org/version/1.1", "items": ' + b"[" * 100_000):
        with pytest.raises(feeds.FeedError, match="not valid JSON"):
            parse_feed("guru", "dalam.json", nested, None)
    (tmp_path / "dalam.json").write_bytes(b'{"items": ' + b"[" * 100_000)
    assert read_feed(Teacher(name="Guru", slug="guru", blog=FeedFile("dalam.json")), tmp_path).error


def test_a_reset_connection_is_reported_with_its_reason() -> None:
    # httpx's ReadError for a reset says nothing itself: the report read "ReadError: "
    # (bench/load_bench.py, issue 8). The reason is further down the chain of causes.
    import socket
    import struct
    import threading

    listener = socket.create_server(("127.0.0.1", 0))

    def reset_every_connection() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return  # the listener was closed: the test is over
            connection.recv(65536)
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            connection.close()

    threading.Thread(target=reset_every_connection, daemon=True).start()
    try:
        port = listener.getsockname()[1]
        result = read_feed(web_teacher(f"http://127.0.0.1:{port}/feed/"), Path("."))
    finally:
        listener.close()
    assert result.error is not None
    assert result.error.startswith("ReadError: ")
    assert "reset" in result.error.lower()


def test_a_field_feedparser_leaves_empty_is_read_as_empty() -> None:
    # A stray `<![CDATA[` before the feed makes feedparser's lenient parser keep
    # `summary: None`; the sanitizer raised TypeError on it (found by fuzzing, issue 8).
    data = (b'<![CDATA[<rss xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
            b"<item><description>]]></description></item>"
            b"<item><content:encoded><b></content:encoded></item></channel></rss>")
    [entry] = parse_feed("guru", "uji.xml", data, None).entries
    assert (entry.content_html, entry.summary) == ("", "")
