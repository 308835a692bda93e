"""Pictures a feed item attaches (issue 27): an RSS or Atom enclosure, a JSON Feed
attachment, of type image/jpeg, png, webp or gif, is fetched from a real blog on
127.0.0.1 with the limits of the post's own pictures, kept in the image store, counted
towards its caps and shown right-sized; one that cannot be fetched is a link to it, named
in the report."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest
from PIL import Image
from pytest_httpserver import HTTPServer

from generator.build import build
from generator.cli import main
from generator.sources.feeds import parse_feed
from generator.sources.images import ImageLimits, ImageStore, bound_storage
from tests.test_images import NOW, QUICK, phone_photo, write_site

SLUG = "2026-11-19-lembar-kerja-persamaan-kuadrat"
PAGE = Path("guru/sari") / SLUG / "index.html"


def png(size: tuple[int, int] = (1200, 900)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (240, 240, 230)).save(out, "PNG")
    return out.getvalue()


def rss(server: HTTPServer, enclosures: list[tuple[str, str]]) -> str:
    """One item with its `<enclosure>`s, (path, type) each; the text shows no picture."""
    tags = "".join(f'<enclosure url="{server.url_for(path)}" type="{kind}" length="1000"/>'
                   for path, kind in enclosures)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Blog Bu Sari</title><link>{server.url_for("/")}</link>
<item><title>Lembar kerja: persamaan kuadrat</title>
<link>{server.url_for("/2026/11/lkpd/")}</link><guid>lkpd-1</guid>
<pubDate>Thu, 19 Nov 2026 08:00:00 +0700</pubDate><category>Matematika</category>
<description>Kerjakan lembar kerja terlampir.</description>{tags}</item>
</channel></rss>"""


def json_feed(server: HTTPServer, attachments: list[dict[str, str]]) -> str:
    return json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "Blog Bu Sari",
        "home_page_url": server.url_for("/"),
        "items": [{"id": "lkpd-1", "url": server.url_for("/2026/11/lkpd/"),
                   "title": "Lembar kerja: persamaan kuadrat",
                   "date_published": "2026-11-19T08:00:00+07:00", "tags": ["Matematika"],
                   "content_html": "<p>Kerjakan lembar kerja terlampir.</p>",
                   "attachments": attachments}]})


def serve_feed(server: HTTPServer, text: str, kind: str = "application/rss+xml") -> None:
    server.expect_request("/feed.xml").respond_with_data(text, content_type=kind)


def asked(server: HTTPServer, path: str) -> int:
    return sum(1 for request, _ in server.log if request.path == path)


def build_online(site: Path, limits: ImageLimits | None = None) -> str:
    build(site / "site.yml", site / "public", now=NOW, limits=QUICK,
          image_limits=limits or ImageLimits())
    return (site / "public" / PAGE).read_text()


def content(page: str) -> str:
    return page.split('<div class="content">')[1].split("</article>")[0]


def test_an_attached_photo_is_fetched_once_and_shown_right_sized(
        tmp_path: Path, httpserver: HTTPServer) -> None:
    photo = phone_photo(11)
    httpserver.expect_request("/lampiran/lkpd.jpg").respond_with_data(
        photo, content_type="image/jpeg")
    httpserver.expect_request("/lampiran/kunci.pdf").respond_with_data(
        b"%PDF-1.4", content_type="application/pdf")
    serve_feed(httpserver, rss(httpserver, [("/lampiran/lkpd.jpg", "image/jpeg"),
                                            ("/lampiran/kunci.pdf", "application/pdf")]))
    write_site(tmp_path / "site", httpserver)
    site = tmp_path / "site"
    page = content(build_online(site))
    build_online(site)
    assert asked(httpserver, "/lampiran/lkpd.jpg") == 1
    assert asked(httpserver, "/lampiran/kunci.pdf") == 0  # not a picture: not fetched
    assert page.count("<picture>") == 1
    assert 'alt="lkpd.jpg" width="2000" height="1500" loading="lazy"' in page
    assert "360w" in page and "720w" in page and "1080w" in page
    assert httpserver.url_for("/lampiran/") not in page
    digest = hashlib.sha256(photo).hexdigest()
    assert (site / ".mading/images/originals" / f"{digest}.jpg").read_bytes() == photo
    folder = site / "public" / PAGE.parent
    assert len(list(folder.glob("*-720.webp"))) == 1
    assert f'<a class="picture" href="{digest[:16]}.jpg">' in page
    assert (folder / f"{digest[:16]}.jpg").read_bytes() == photo


@pytest.mark.parametrize("kind", ["image/png", ""])
def test_a_json_feed_attachment_is_a_picture_by_its_type_or_its_name(
        tmp_path: Path, httpserver: HTTPServer, kind: str) -> None:
    httpserver.expect_request("/lampiran/grafik.png").respond_with_data(
        png(), content_type="image/png")
    serve_feed(httpserver, json_feed(httpserver, [
        {"url": httpserver.url_for("/lampiran/grafik.png"), "mime_type": kind,
         "title": "Grafik fungsi kuadrat"},
        {"url": httpserver.url_for("/lampiran/rekaman.mp3"), "mime_type": "audio/mpeg"}]),
        kind="application/feed+json")
    write_site(tmp_path / "site", httpserver)
    page = content(build_online(tmp_path / "site"))
    assert 'alt="Grafik fungsi kuadrat" width="1200" height="900" loading="lazy"' in page
    assert page.count("<picture>") == 1
    assert asked(httpserver, "/lampiran/rekaman.mp3") == 0


def test_an_attached_picture_the_post_already_shows_is_shown_once(
        tmp_path: Path, httpserver: HTTPServer) -> None:
    url = httpserver.url_for("/lampiran/lkpd.jpg")
    httpserver.expect_request("/lampiran/lkpd.jpg").respond_with_data(
        phone_photo(12, (800, 600)), content_type="image/jpeg")
    serve_feed(httpserver, rss(httpserver, [("/lampiran/lkpd.jpg", "image/jpeg")]).replace(
        "<description>Kerjakan lembar kerja terlampir.</description>",
        f'<description><![CDATA[<p><img src="{url}" alt="LKPD"></p>]]></description>'))
    write_site(tmp_path / "site", httpserver)
    page = content(build_online(tmp_path / "site"))
    assert page.count("<picture>") == 1
    assert 'alt="LKPD" width="800" height="600"' in page


def test_an_attached_picture_that_cannot_be_fetched_is_a_link_and_reported(
        tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    httpserver.expect_request("/lampiran/hilang.jpg").respond_with_data("", status=404)
    serve_feed(httpserver, rss(httpserver, [("/lampiran/hilang.jpg", "image/jpeg")]))
    write_site(tmp_path / "site", httpserver)
    site = tmp_path / "site"
    page = content(build_online(site))
    url = httpserver.url_for("/lampiran/hilang.jpg")
    assert f'<a class="picture-missing" href="{url}" rel="noopener noreferrer">' \
           "Gambar di blog asli: hilang.jpg</a>" in page
    assert "<img" not in page
    monkeypatch.chdir(site)
    assert main(["report"]) == 0
    assert f"gambar tidak dapat diambil, ditampilkan sebagai tautan: {url} (HTTP 404" \
        in capsys.readouterr().out


def test_an_attached_picture_has_the_post_pictures_size_cap(
        tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    photo = phone_photo(13)
    httpserver.expect_request("/lampiran/besar.jpg").respond_with_data(
        photo, content_type="image/jpeg")
    serve_feed(httpserver, rss(httpserver, [("/lampiran/besar.jpg", "image/jpeg")]))
    write_site(tmp_path / "site", httpserver)
    site = tmp_path / "site"
    page = content(build_online(site, ImageLimits(max_bytes=len(photo) // 2)))
    assert "Gambar di blog asli: besar.jpg</a>" in page
    assert not any((site / ".mading/images/originals").glob("*.jpg"))
    monkeypatch.chdir(site)
    assert main(["report"]) == 0
    assert httpserver.url_for("/lampiran/besar.jpg") in capsys.readouterr().out


def test_an_attached_photo_counts_towards_the_storage_caps(
        tmp_path: Path, httpserver: HTTPServer) -> None:
    photo = phone_photo(14)
    httpserver.expect_request("/lampiran/lkpd.jpg").respond_with_data(
        photo, content_type="image/jpeg")
    serve_feed(httpserver, rss(httpserver, [("/lampiran/lkpd.jpg", "image/jpeg")]))
    write_site(tmp_path / "site", httpserver)
    site = tmp_path / "site"
    build_online(site)
    store = ImageStore(site / ".mading" / "images")
    record = store.records()[httpserver.url_for("/lampiran/lkpd.jpg")]
    assert (record.teacher, record.bytes) == ("sari", len(photo))
    dropped = bound_storage(store, ImageLimits(teacher_bytes=len(photo) - 1))
    assert [image.url for image in dropped] == [record.url]
    assert not (store.originals / str(record.name)).exists()
    build(site / "site.yml", site / "public", offline=True, now=NOW)
    page = content((site / "public" / PAGE).read_text())
    assert 'width="2000" height="1500"' in page  # from the copies kept


def test_an_atom_enclosure_is_a_picture_and_an_svg_one_is_not() -> None:
    """SVG from a feed is not copied to the portal (docs/decisions.md); a hostile title
    is alt text, not markup."""
    atom = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>Blog</title><id>blog</id><updated>2026-11-19T00:00:00Z</updated>
<entry><title>LKPD</title><id>e1</id><updated>2026-11-19T00:00:00Z</updated>
<link href="https://blog.example/2026/lkpd"/>
<link rel="enclosure" type="image/webp" href="/f/lembar%20kerja.webp"
      title="Foto &quot;&gt;&lt;script&gt;x()&lt;/script&gt;"/>
<link rel="enclosure" type="image/svg+xml" href="/f/grafik.svg"/>
<content type="html">&lt;p&gt;Isi.&lt;/p&gt;</content></entry></feed>"""
    html = parse_feed("sari", "https://blog.example/feed", atom,
                      "https://blog.example/feed").entries[0].content_html
    assert html.count("<img") == 1
    assert '<img src="https://blog.example/f/lembar%20kerja.webp" alt="Foto ' in html
    assert "<script" not in html and "grafik.svg" not in html
