"""Posts' pictures and videos on a phone's budget (issue 27): fetched once from a real blog
on 127.0.0.1, kept by content hash, shown as right-sized copies, measured in Chromium."""

from __future__ import annotations

import html
import io
import random
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, Request, Route
from pytest_httpserver import HTTPServer
from werkzeug import Response

from generator.build import build
from generator.cli import main
from generator.config import load_site
from generator.errors import InputError
from generator.models import FetchLimits
from generator.picture_copies import svg_size
from generator.sources.images import ImageLimits, ImageStore, bound_storage
from tests.browser import chromium, serve_folder
from tests.conftest import copy_example

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
QUICK = FetchLimits(timeout=5, deadline=30)
VIDEO = "dQw4w9WgXcQ"
PHONE = {"width": 360, "height": 740}
BUDGET = 300 * 1024


@cache
def phone_photo(seed: int, size: tuple[int, int] = (2000, 1500)) -> bytes:
    """A whiteboard photographed with a phone: a lit gradient, writing, sensor noise;
    saved as a phone saves it (JPEG quality 92, about 1 MB or more)."""
    rng = random.Random(seed)
    width, height = size
    picture = Image.linear_gradient("L").resize(size).convert("RGB")
    picture = Image.blend(picture, Image.new("RGB", size, (235, 232, 220)), 0.75)
    draw = ImageDraw.Draw(picture)
    for line in range(18):
        y = 80 + line * (height - 160) // 18
        x = 100
        while x < width - 150:
            word = rng.randint(30, 160)
            draw.line([(x, y + rng.randint(-6, 6)), (x + word, y + rng.randint(-6, 6))],
                      fill=(20, 40, 120), width=rng.randint(4, 9))
            x += word + rng.randint(25, 60)
    noise = Image.effect_noise(size, 40).convert("RGB")
    picture = Image.blend(picture, noise, 0.2)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=92)
    return out.getvalue()


def thumbnail() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (480, 360), (200, 30, 30)).save(out, "JPEG", quality=85)
    return out.getvalue()


@dataclass
class Blog:
    """A teacher's blog on 127.0.0.1: one post with three phone photos and a video."""

    site: Path
    server: HTTPServer
    photos: dict[str, bytes]

    @property
    def config(self) -> Path:
        return self.site / "site.yml"

    @property
    def output(self) -> Path:
        return self.site / "public"

    @property
    def limits(self) -> ImageLimits:
        return ImageLimits(thumbnails=self.server.url_for("/vi/{video}/hqdefault.jpg"))

    def build(self, offline: bool = False) -> None:
        build(self.config, self.output, offline=offline, now=NOW, limits=QUICK,
              image_limits=self.limits)

    def post_page(self) -> str:
        return (self.output / "guru" / "sari" / POST_SLUG / "index.html").read_text()

    def asked(self, path: str) -> int:
        return sum(1 for request, _ in self.server.log if request.path == path)


POST_SLUG = "2026-11-19-foto-papan-tulis-persamaan-kuadrat"


def feed(server: HTTPServer, pictures: list[str], extra: str = "") -> str:
    images = "".join(f'<p><img src="{server.url_for(path)}" alt="Foto papan tulis {n}"></p>'
                     for n, path in enumerate(pictures, 1))
    body = (f"<p>Catatan hari ini.</p>{images}"
            f'<iframe src="https://www.youtube.com/embed/{VIDEO}" width="560" height="315">'
            f"</iframe>{extra}")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Blog Bu Sari</title><link>{server.url_for("/")}</link>
<item><title>Foto papan tulis: persamaan kuadrat</title>
<link>{server.url_for("/2026/11/foto/")}</link><guid>foto-1</guid>
<pubDate>Thu, 19 Nov 2026 08:00:00 +0700</pubDate><category>Matematika</category>
<content:encoded><![CDATA[{body}]]></content:encoded></item>
</channel></rss>"""


def write_site(folder: Path, server: HTTPServer, extra: str = "") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "site.yml").write_text(
        "school:\n  name: SMA Uji\n  url: https://uji.sch.id/\n"
        "subjects:\n  - name: Matematika\n"
        f"teachers:\n  - name: Sari\n    slug: sari\n    subjects: [Matematika]\n"
        f"    blog: {server.url_for('/feed.xml')}\n{extra}")


@pytest.fixture
def blog(tmp_path: Path, httpserver: HTTPServer) -> Iterator[Blog]:
    photos = {f"/foto/{n}.jpg": phone_photo(n) for n in (1, 2, 3)}
    for path, data in photos.items():
        httpserver.expect_request(path).respond_with_data(data, content_type="image/jpeg")
    httpserver.expect_request(f"/vi/{VIDEO}/hqdefault.jpg").respond_with_data(
        thumbnail(), content_type="image/jpeg")
    httpserver.expect_request("/feed.xml").respond_with_data(
        feed(httpserver, list(photos)), content_type="application/rss+xml")
    write_site(tmp_path / "site", httpserver)
    yield Blog(tmp_path / "site", httpserver, photos)


def test_phone_photos_are_what_the_issue_measured(blog: Blog) -> None:
    for data in blog.photos.values():
        with Image.open(io.BytesIO(data)) as picture:
            assert picture.size == (2000, 1500)
        assert len(data) > 900_000


def test_pictures_are_fetched_once_and_kept_by_content_hash(blog: Blog) -> None:
    blog.build()
    blog.build()
    for path in blog.photos:
        assert blog.asked(path) == 1, path
    assert blog.asked(f"/vi/{VIDEO}/hqdefault.jpg") == 1
    originals = sorted(p.name for p in (blog.site / ".mading/images/originals").iterdir())
    import hashlib
    expected = sorted(f"{hashlib.sha256(d).hexdigest()}.jpg" for d in blog.photos.values())
    assert [name for name in originals if name in expected] == expected


def test_post_page_shows_right_sized_copies_linking_the_original(blog: Blog) -> None:
    blog.build()
    page = blog.post_page()
    assert page.count("<picture>") == 4  # three photos, the video's thumbnail
    assert page.count('width="2000" height="1500" loading="lazy"') == 3
    assert 'alt="Foto papan tulis 1"' in page
    assert "360w" in page and "720w" in page and "1080w" in page
    assert blog.server.url_for("/foto/") not in page.split('<div class="content">')[1] \
        .split("</div>")[0]
    folder = blog.output / "guru" / "sari" / POST_SLUG
    webp = sorted(folder.glob("*-720.webp"))
    assert len(webp) == 3
    originals = [p for p in folder.glob("*.jpg") if "-" not in p.name]
    assert len(originals) == 3 and all(p.stat().st_size > 900_000 for p in originals)
    with Image.open(webp[0]) as copy:
        assert copy.width == 720


def test_video_is_a_link_until_tapped(blog: Blog) -> None:
    blog.build()
    page = blog.post_page()
    assert "<iframe" not in page
    assert f'href="https://www.youtube.com/watch?v={VIDEO}"' in page
    assert f'data-player="https://www.youtube-nocookie.com/embed/{VIDEO}?autoplay=1"' in page


def test_a_markdown_youtube_line_gets_its_thumbnail(blog: Blog) -> None:
    post = blog.site / "content" / "sari" / "2026-11-18-video-fungsi.md"
    post.parent.mkdir(parents=True)
    other = "aBcDeFgHiJk"
    blog.server.expect_request(f"/vi/{other}/hqdefault.jpg").respond_with_data(
        thumbnail(), content_type="image/jpeg")
    post.write_text("---\ntitle: Video fungsi\ndate: 2026-11-18\n---\n\nTonton dulu.\n\n"
                    f"https://www.youtube.com/watch?v={other}\n")
    blog.build()
    page = (blog.output / "guru/sari/2026-11-18-video-fungsi/index.html").read_text()
    assert '<figure class="video with-thumbnail">' in page
    assert 'width="480" height="360" loading="lazy"' in page
    assert "<iframe" not in page
    assert blog.asked(f"/vi/{other}/hqdefault.jpg") == 1


def test_a_teachers_markdown_photo_gets_right_sized_copies(tmp_path: Path,
                                                           httpserver: HTTPServer) -> None:
    write_site(tmp_path / "site", httpserver)
    folder = tmp_path / "site" / "content" / "sari"
    folder.mkdir(parents=True)
    (folder / "papan.jpg").write_bytes(phone_photo(1))
    (folder / "2026-11-18-papan.md").write_text(
        "---\ntitle: Papan\ndate: 2026-11-18\n---\n\n![Papan tulis hari ini](papan.jpg)\n")
    build(tmp_path / "site/site.yml", tmp_path / "public", offline=True, now=NOW)
    page_folder = tmp_path / "public/guru/sari/2026-11-18-papan"
    page = (page_folder / "index.html").read_text()
    assert '<a class="picture" href="papan.jpg"><picture><source type="image/webp" ' \
           'srcset="papan.' in page
    assert 'alt="Papan tulis hari ini" width="2000" height="1500" loading="lazy"' in page
    names = sorted(path.name for path in page_folder.iterdir())
    assert len([name for name in names if name.endswith(".webp")]) == 3
    assert (page_folder / "papan.jpg").read_bytes() == phone_photo(1)


def test_an_attached_photo_is_shown_right_sized_beside_its_link(
        tmp_path: Path, httpserver: HTTPServer) -> None:
    write_site(tmp_path / "site", httpserver)
    folder = tmp_path / "site" / "content" / "sari"
    folder.mkdir(parents=True)
    (folder / "lembar-kerja.jpg").write_bytes(phone_photo(2))
    (folder / "2026-11-18-lkpd.md").write_text(
        "---\ntitle: LKPD\ndate: 2026-11-18\nattachments: [lembar-kerja.jpg]\n---\n\n"
        "Kerjakan lembar kerja terlampir.\n")
    build(tmp_path / "site/site.yml", tmp_path / "public", offline=True, now=NOW)
    page_folder = tmp_path / "public/guru/sari/2026-11-18-lkpd"
    attachments = (page_folder / "index.html").read_text().split('class="attachments"')[1]
    assert '<a class="picture" href="lembar-kerja.jpg"><picture>' in attachments
    assert 'alt="lembar-kerja.jpg" width="2000" height="1500" loading="lazy"' in attachments
    assert '<a href="lembar-kerja.jpg" download>lembar-kerja.jpg</a>' in attachments
    assert len(list(page_folder.glob("lembar-kerja.*-720.webp"))) == 1


def test_an_unfetched_web_picture_is_a_link_not_a_request(tmp_path: Path,
                                                          httpserver: HTTPServer) -> None:
    """Built offline (or from a feed file), a picture Mading holds no copy of is not
    shown from its blog: that would be a request to another host before any tap."""
    httpserver.expect_request("/feed.xml").respond_with_data(
        feed(httpserver, ["/foto/1.jpg"]), content_type="application/rss+xml")
    write_site(tmp_path / "site", httpserver)
    site = tmp_path / "site"
    build(site / "site.yml", site / "public", now=NOW, limits=QUICK,
          image_limits=ImageLimits(per_update=0))
    page = (site / "public/guru/sari" / POST_SLUG / "index.html").read_text()
    assert "<img" not in page.split('<div class="content">')[1]
    assert "Gambar di blog asli: Foto papan tulis 1</a>" in page


def test_a_picture_that_cannot_be_fetched_is_a_link_and_reported(
        tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    httpserver.expect_request("/foto/hilang.jpg").respond_with_data("", status=404)
    httpserver.expect_request("/feed.xml").respond_with_data(
        feed(httpserver, ["/foto/hilang.jpg"]), content_type="application/rss+xml")
    httpserver.expect_request(f"/vi/{VIDEO}/hqdefault.jpg").respond_with_data("", status=404)
    write_site(tmp_path / "site", httpserver)
    site = tmp_path / "site"
    build(site / "site.yml", site / "public", now=NOW, limits=QUICK,
          image_limits=ImageLimits(thumbnails=httpserver.url_for("/vi/{video}/x.jpg")))
    page = (site / "public/guru/sari" / POST_SLUG / "index.html").read_text()
    url = httpserver.url_for("/foto/hilang.jpg")
    assert f'<a class="picture-missing" href="{url}" rel="noopener noreferrer">' \
           f"Gambar di blog asli: Foto papan tulis 1</a>" in page
    assert "<img" not in page.split('<div class="content">')[1]
    monkeypatch.chdir(site)
    assert main(["report"]) == 0
    out = capsys.readouterr().out
    assert f"gambar tidak dapat diambil, ditampilkan sebagai tautan: {url} (HTTP 404" in out


def test_a_picture_fetched_later_makes_the_page_again(
        tmp_path: Path, httpserver: HTTPServer) -> None:
    """The store is an input of the build: a picture fetched since is shown."""
    state = {"up": False}

    def photo(_request: object) -> Response:
        if state["up"]:
            return Response(phone_photo(7, (800, 600)), content_type="image/jpeg")
        return Response("", status=503)

    httpserver.expect_request("/foto/nanti.jpg").respond_with_handler(photo)
    httpserver.expect_request("/feed.xml").respond_with_data(
        feed(httpserver, ["/foto/nanti.jpg"]), content_type="application/rss+xml")
    httpserver.expect_request(f"/vi/{VIDEO}/hqdefault.jpg").respond_with_data("", status=404)
    write_site(tmp_path / "site", httpserver)
    site = tmp_path / "site"
    limits = ImageLimits(thumbnails=httpserver.url_for("/vi/{video}/hqdefault.jpg"))
    build(site / "site.yml", site / "public", now=NOW, limits=QUICK, image_limits=limits)
    page = site / "public/guru/sari" / POST_SLUG / "index.html"
    assert "picture-missing" in page.read_text()
    state["up"] = True
    report = build(site / "site.yml", site / "public", now=NOW, limits=QUICK,
                   image_limits=limits)
    assert not report.current
    assert 'width="800" height="600"' in page.read_text()
    assert "picture-missing" not in page.read_text()


def test_storage_caps_drop_the_oldest_originals_and_keep_the_copies(
        blog: Blog, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    blog.build()
    store = ImageStore(blog.site / ".mading" / "images")
    sizes = sorted(len(d) for d in blog.photos.values())
    dropped = bound_storage(store, ImageLimits(teacher_bytes=sizes[-1] + 30_000))
    assert len(dropped) >= 2
    assert all(not (store.originals / str(image.name)).exists() for image in dropped)
    assert all(any(store.sized.glob(f"{str(image.hash)[:16]}-720.webp"))
               for image in dropped)
    blog.build(offline=True)
    page = blog.post_page()
    assert page.count('width="2000" height="1500"') == 3  # still shown, from the copies
    monkeypatch.chdir(blog.site)
    assert main(["report"]) == 0
    out = capsys.readouterr().out
    assert out.count("— gambar asli dihapus") == len(dropped)
    assert f"{len(dropped)} gambar asli dihapus." in out
    assert re.search(r"Gambar: 2 disimpan \(\d+,\d MB\), 0 tidak dapat diambil", out), out


def test_an_animated_gif_is_kept_whole_and_shown_from_the_portal(
        tmp_path: Path, httpserver: HTTPServer) -> None:
    frames = [Image.new("RGB", (320, 240), color) for color in ("red", "blue")]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=200)
    httpserver.expect_request("/foto/gerak.gif").respond_with_data(
        out.getvalue(), content_type="image/gif")
    httpserver.expect_request("/feed.xml").respond_with_data(
        feed(httpserver, ["/foto/gerak.gif"]), content_type="application/rss+xml")
    httpserver.expect_request(f"/vi/{VIDEO}/hqdefault.jpg").respond_with_data("", status=404)
    write_site(tmp_path / "site", httpserver)
    site = tmp_path / "site"
    build(site / "site.yml", site / "public", now=NOW, limits=QUICK,
          image_limits=ImageLimits(thumbnails=httpserver.url_for("/vi/{video}/x.jpg")))
    folder = site / "public/guru/sari" / POST_SLUG
    [gif] = folder.glob("*.gif")
    assert gif.read_bytes() == out.getvalue()
    page = (folder / "index.html").read_text()
    assert f'<img src="{gif.name}" alt="Foto papan tulis 1" width="320" height="240" ' \
           'loading="lazy"' in page


def test_a_damaged_store_index_costs_the_copies_not_the_build(blog: Blog) -> None:
    blog.build()
    (blog.site / ".mading/images/index.sqlite").write_bytes(b"not a database" * 100)
    blog.build(offline=True)
    page = blog.post_page()
    assert page.count("Gambar di blog asli: Foto papan tulis") == 3


def test_local_copies_can_be_turned_off(tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data(
        feed(httpserver, ["/foto/1.jpg"]), content_type="application/rss+xml")
    write_site(tmp_path / "site", httpserver, "images:\n  local: false\n")
    site = tmp_path / "site"
    build(site / "site.yml", site / "public", now=NOW, limits=QUICK)
    page = (site / "public/guru/sari" / POST_SLUG / "index.html").read_text()
    assert f'<img src="{httpserver.url_for("/foto/1.jpg")}"' in page
    assert 'loading="lazy"' in page
    assert [request.path for request, _ in httpserver.log] == ["/feed.xml"]
    # The pages' policy lets the browser load the blogs' pictures, as it does not by default.
    assert "img-src 'self' https: http:;" in html.unescape(page)
    assert not (site / ".mading" / "images").exists()


def test_hotlinked_pictures_keep_the_size_the_store_learnt(blog: Blog) -> None:
    """A school that turns copies off keeps its pictures' width and height, when known."""
    blog.build()
    blog.config.write_text(blog.config.read_text() + "images:\n  local: false\n")
    blog.build()
    page = blog.post_page()
    url = blog.server.url_for("/foto/1.jpg")
    assert f'<img src="{url}" alt="Foto papan tulis 1" width="2000" height="1500" ' \
           'loading="lazy" decoding="async">' in page
    assert "<picture>" not in page


@pytest.mark.parametrize(("text", "message"), [
    ("images:\n  local: ya\n",
     "site.yml:12: images.local: harus true (simpan salinan lokal, bawaan) atau false "
     "(tampilkan gambar dari blog guru), bukan 'ya'"),
    ("images:\n  locl: false\n",
     "site.yml:12: kunci 'images.locl' tidak dikenal (maksud Anda: 'local'?)"),
    ("images: false\n", "site.yml:11: images: harus berupa pemetaan seperti {local: true}"),
])
def test_images_option_is_checked(tmp_path: Path, httpserver: HTTPServer, text: str,
                                  message: str) -> None:
    write_site(tmp_path, httpserver, text)
    with pytest.raises(InputError) as raised:
        load_site(tmp_path / "site.yml")
    assert any(message in str(problem) for problem in raised.value.problems), \
        [str(p) for p in raised.value.problems]


def test_svg_takes_its_size_from_its_own_file() -> None:
    assert svg_size(b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 300">') \
        == (400, 300)
    assert svg_size(b'<svg width="240px" height="250" viewBox="0 0 24 25">') == (240, 250)
    assert svg_size(b'<svg width="120" viewBox="0 0 240 100">') == (120, 50)
    assert svg_size(b'<svg width="100%" height="100%">') is None


@pytest.mark.browser
def test_post_with_three_phone_photos_fits_the_budget_on_a_phone(blog: Blog) -> None:
    """360 px wide at device-pixel-ratio 2: the page, its stylesheet and scripts and the
    picture copies the browser picks, scrolled to the end, weigh at most 300 KB; nothing
    is asked of another host (the blog, YouTube) before the video is tapped."""
    blog.build()
    with chromium() as browser, serve_folder(blog.output) as base:
        loaded, elsewhere = measure(browser, base + f"guru/sari/{POST_SLUG}/index.html")
    total = sum(loaded.values())
    print(f"post page with three phone photos: {total} bytes in {len(loaded)} responses")
    for url, size in sorted(loaded.items()):
        print(f"  {size:>8}  {url}")
    assert elsewhere == []
    assert sum(1 for url in loaded if url.endswith("-720.webp")) == 3  # 2 x 328 px wide
    assert not any(url.endswith((".jpg", "-1080.webp")) for url in loaded)
    assert total <= BUDGET, loaded


def measure(browser: Browser, url: str) -> tuple[dict[str, int], list[str]]:
    """Bytes of every response the page's origin sent, scrolled to its end; and what
    was asked of other hosts (refused) before and after a tap on the video."""
    origin = urlsplit(url).netloc
    context = browser.new_context(viewport=PHONE, device_scale_factor=2)
    page = context.new_page()
    elsewhere: list[str] = []
    loaded: dict[str, int] = {}

    def route(route: Route, request: Request) -> None:
        if urlsplit(request.url).netloc != origin:
            elsewhere.append(request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", route)
    page.on("response", lambda response: loaded.__setitem__(
        response.url, len(response.body())) if response.ok else None)
    page.goto(url, wait_until="networkidle")
    for _ in range(20):
        page.mouse.wheel(0, 600)
        page.wait_for_timeout(100)
    page.wait_for_load_state("networkidle")
    before = list(elsewhere)
    page.locator("a[data-player]").click()
    page.wait_for_selector("iframe[src^='https://www.youtube-nocookie.com/embed/']")
    context.close()
    assert any("youtube-nocookie.com" in asked for asked in elsewhere), elsewhere
    return loaded, before


def test_store_index_is_sqlite(blog: Blog) -> None:
    blog.build()
    with sqlite3.connect(blog.site / ".mading/images/index.sqlite") as db:
        rows = db.execute("SELECT count(*) FROM images WHERE hash IS NOT NULL").fetchone()
    assert rows == (4,)


_LOADED = re.compile(r'<(?:img|source|script|iframe|video|audio|link)\b[^>]*>')
_ADDRESSES = re.compile(r'\s(src|srcset|href)="([^"]*)"')


def test_no_page_of_the_example_asks_another_host_before_a_tap(tmp_path: Path) -> None:
    """Issue 27: what a page loads by itself (pictures, scripts, styles, frames) comes
    from the portal; the example's blog pictures (on blogger.googleusercontent.com and
    others, in its feed files) are links, its videos facades."""
    site = copy_example(tmp_path / "site")
    output = tmp_path / "public"
    build(site, output, offline=True, now=NOW)
    own = load_site(site).school.url
    found = []
    for page in sorted(output.rglob("*.html")):
        for tag in _LOADED.findall(page.read_text()):
            if tag.startswith("<link") and not re.search(r'rel="(stylesheet|icon)"', tag):
                continue  # feeds announced, not loaded
            for name, value in _ADDRESSES.findall(tag):
                if name == "href" and not tag.startswith("<link"):
                    continue
                for address in value.split(","):
                    address = address.strip()
                    if address.startswith(("http:", "https:", "//")) and \
                            not address.startswith(own):
                        found.append(f"{page.relative_to(output)}: {address}")
    assert found == []
    # And the browser would refuse: pictures come from the portal only.
    assert "img-src 'self';" in html.unescape((output / "index.html").read_text())
    assert "Gambar di blog asli: Bagan struktur analytical exposition" in "".join(
        page.read_text() for page in output.glob("guru/*/*/index.html"))
