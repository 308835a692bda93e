"""Paths a user gives cannot lead out of the site folder, nor a build out of its output.

Teacher slugs, photos and feed files in `site.yml`, attachments and images of posts,
symbolic links in `content/` and `feeds/`, `slug:` in front matter, an archive import and
`--output` itself: each hostile value is refused with a located message (exit 2), and a
mistake in one post or teacher leaves the rest of the build done.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from textwrap import dedent
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import pytest

from generator.archive import Archive
from generator.build import build
from generator.cli import main
from generator.config import load_site
from generator.errors import InputError
from generator.models import FeedFile, FeedResult, Teacher
from generator.render import content_security_policy
from generator.sources.content import read_content
from generator.sources.feeds import parse_feed, read_feed
from tests.conftest import REPO
from tests.xss import load_vectors
from tests.xss.checks import SAFE_SCHEMES, URL_ATTRIBUTES, browser_scheme, scan_page

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
SECRET = "RAHASIA-DI-LUAR-SITUS"

# Lines of tests/fixtures/tiny/site.yml
PHOTO_LINE, BUDI_SLUG_LINE, BUDI_BLOG_LINE = 18, 21, 24


@pytest.fixture
def outside(tiny_site: Path) -> Path:
    """A folder beside the site folder holding files no build may publish."""
    folder = tiny_site.parent.parent / "outside"
    folder.mkdir()
    (folder / "secret.jpg").write_text(SECRET)
    (folder / "secret.xml").write_text((tiny_site.parent / "feeds" / "budi.xml").read_text()
                                       .replace("Hukum Newton", SECRET))
    (folder / "secret.md").write_text(f"---\ntitle: {SECRET}\ndate: 2026-11-20\n---\n{SECRET}\n")
    return folder


def edit_config(site: Path, old: str, new: str) -> None:
    text = site.read_text()
    assert old in text
    site.write_text(text.replace(old, new))


def config_problems(site: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_site(site)
    return [str(p) for p in caught.value.problems]


def snapshot(folder: Path) -> dict[str, bytes | str | None]:
    """Every entry under `folder`: bytes of files, targets of links, None for folders."""
    found: dict[str, bytes | str | None] = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        if path.is_symlink():
            found[name] = os.readlink(path)
        elif path.is_file():
            found[name] = path.read_bytes()
        else:
            found[name] = None
    return found


def published(output: Path) -> str:
    """Every file of a build, as one text to search."""
    return "\n".join(p.read_bytes().decode("utf-8", "replace")
                     for p in output.rglob("*") if p.is_file())


# --- site.yml ------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [["build", "--offline"], ["check"], ["report"]])
def test_site_yml_linking_out_of_the_school_folder_is_not_read(
        tiny_site: Path, outside: Path, capsys: pytest.CaptureFixture[str],
        command: list[str]) -> None:
    # As /etc/shadow, read by a build running as root: each field an unknown key.
    (outside / "shadow").write_text(f"root: {SECRET}\n{SECRET}-daemon: '*'\n")
    tiny_site.unlink()
    tiny_site.symlink_to(outside / "shadow")
    assert main(command) == 2
    err = capsys.readouterr().err
    assert err == ("site.yml: berkas ini adalah tautan simbolik ke berkas di luar folder "
                   "sekolah; Mading tidak membacanya. Taruh site.yml milik situs ini di "
                   "tempatnya\n")
    assert not (tiny_site.parent / "public").exists()


def test_site_yml_linking_inside_the_school_folder_is_read(tiny_site: Path) -> None:
    tiny_site.rename(tiny_site.parent / "sekolah.yml")
    tiny_site.symlink_to("sekolah.yml")
    assert load_site(tiny_site).school.name


@pytest.mark.parametrize("slug", [
    '"../x"', "a/b", '"."', '".."', '""', '"/etc"', '"..\\\\x"', '"C:\\\\x"', '"budi\\0"',
    '"%2e%2e"', "a" * 61, "a" * 300,
])
def test_bad_teacher_slug_is_refused_on_its_line(tiny_site: Path, slug: str) -> None:
    edit_config(tiny_site, "slug: budi", f"slug: {slug}")
    [problem] = config_problems(tiny_site)
    assert problem.startswith(f"site.yml:{BUDI_SLUG_LINE}: 'teachers.slug'")


def test_longest_slug_allowed_is_the_length_of_a_derived_one(tiny_site: Path) -> None:
    edit_config(tiny_site, "slug: budi", "slug: " + "a" * 60)
    assert "a" * 60 in [t.slug for t in load_site(tiny_site).teachers]


HOSTILE_FILES = [
    "/etc/passwd", "../outside/secret.{ext}", "img/../../outside/secret.{ext}",
    '"%2e%2e/outside/secret.{ext}"', '"..\\\\outside\\\\secret.{ext}"', '"C:\\\\secret.{ext}"',
    '"img/sa\\0ri.{ext}"', "a" * 300 + ".{ext}", "/".join(["a"] * 3000), "img/loop.{ext}",
    "img/link.{ext}", "img", ".git/config", "file:///etc/passwd",
]


def hostile_links(site: Path, outside: Path) -> None:
    """A loop of links, a link to a file outside, a hidden file with secrets (a CI
    checkout keeps its token in .git/config)."""
    for folder, ext in (("img", "jpg"), ("feeds", "xml")):
        (site / folder).mkdir(exist_ok=True)
        (site / folder / f"loop.{ext}").symlink_to(f"loop.{ext}")
        (site / folder / f"link.{ext}").symlink_to(outside / f"secret.{ext}")
    (site / ".git").mkdir()
    (site / ".git" / "config").write_text(f"extraheader = AUTHORIZATION: {SECRET}")


@pytest.mark.parametrize("value", HOSTILE_FILES)
def test_photo_outside_the_site_folder_is_refused(tiny_site: Path, outside: Path,
                                                  value: str) -> None:
    hostile_links(tiny_site.parent, outside)
    edit_config(tiny_site, "photo: img/sari.svg", "photo: " + value.format(ext="jpg"))
    [problem] = config_problems(tiny_site)
    assert problem.startswith(f"site.yml:{PHOTO_LINE}: 'teachers.photo': ")


@pytest.mark.parametrize("value", HOSTILE_FILES)
def test_feed_file_outside_the_site_folder_is_refused(tiny_site: Path, outside: Path,
                                                      value: str) -> None:
    hostile_links(tiny_site.parent, outside)
    edit_config(tiny_site, "blog: feeds/budi.xml", "blog: " + value.replace("img", "feeds")
                .format(ext="xml"))
    [problem] = config_problems(tiny_site)
    assert problem.startswith(f"site.yml:{BUDI_BLOG_LINE}: 'teachers.blog': ")


def test_config_problems_reach_the_user_in_both_languages(tiny_site: Path, outside: Path,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    hostile_links(tiny_site.parent, outside)
    edit_config(tiny_site, "photo: img/sari.svg", 'photo: "img/sa\\0ri.svg"')
    edit_config(tiny_site, "blog: feeds/budi.xml", "blog: feeds/loop.xml")
    before = snapshot(tiny_site.parent)
    assert main(["build", "--offline"]) == 2
    indonesian = capsys.readouterr().err.splitlines()
    assert len(indonesian) == 2
    assert indonesian[0].startswith("site.yml:18: 'teachers.photo': 'img/sa\\x00ri.svg' ")
    assert indonesian[1].startswith("site.yml:24: 'teachers.blog': ")
    edit_config(tiny_site, "language: id", "language: en")
    assert main(["check"]) == 2
    english = capsys.readouterr().err.splitlines()
    assert english[0] == ("site.yml:18: 'teachers.photo': 'img/sa\\x00ri.svg' cannot be a "
                          "file name: it holds a control character or is too long")
    assert english[1] == "site.yml:24: 'teachers.blog': file 'feeds/loop.xml' not found " \
        "(file paths are relative to the folder of site.yml)"
    assert english != indonesian
    before.pop("site.yml")
    after = snapshot(tiny_site.parent)
    after.pop("site.yml")
    assert after == before  # nothing built, no archive


@pytest.mark.parametrize("blog", ["feeds/loop.xml", "feeds/link.xml", "feeds/b\0udi.xml",
                                  "a" * 300, "feeds/" + "a/" * 3000])
def test_feed_file_changed_after_the_check_is_still_refused(tiny_site: Path, outside: Path,
                                                           blog: str) -> None:
    # read_feed checks again: the file may have become a link since site.yml was read.
    hostile_links(tiny_site.parent, outside)
    result = read_feed(Teacher(name="Budi", slug="budi", blog=FeedFile(blog)), tiny_site.parent)
    assert result.entries == ()
    assert result.error


# --- content/ ------------------------------------------------------------------------------

def write_post(site: Path, teacher: str, name: str, text: str) -> Path:
    path = site.parent / "content" / teacher / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dedent(text))
    return path


def test_links_out_of_the_site_folder_are_refused_and_the_rest_is_built(
        tiny_site: Path, outside: Path, tmp_path: Path) -> None:
    content = tiny_site.parent / "content"
    (content / "sari" / "bocor.md").symlink_to(outside / "secret.md")
    (content / "budi").symlink_to(outside)  # a whole teacher folder
    (content / "sari" / "rahasia.pdf").symlink_to(outside / "secret.jpg")
    (content / "sari" / "foto.png").symlink_to(outside / "secret.jpg")
    write_post(tiny_site, "sari", "lampiran.md", """\
        ---
        title: Lampiran
        date: 2026-11-21
        attachments:
          - rahasia.pdf
        ---
        """)
    write_post(tiny_site, "sari", "gambar.md", """\
        ---
        title: Gambar
        date: 2026-11-21
        ---
        ![Foto](foto.png) ![Nol](a%00b.png)
        """)
    out = tmp_path / "public"

    report = build(tiny_site, out, offline=True, now=NOW)

    assert sorted(str(p) for p in report.problems) == [
        "content/budi: folder ini adalah tautan ke luar folder situs; Mading tidak membacanya",
        "content/sari/bocor.md: berkas ini adalah tautan ke luar folder situs; Mading tidak "
        "membacanya",
        "content/sari/lampiran.md:5: lampiran 'rahasia.pdf' harus berada di folder tulisan "
        "ini, bukan di luar",
    ]
    assert SECRET not in published(out)
    assert (out / "guru/sari/2026-11-18-persamaan-kuadrat/index.html").is_file()
    assert (out / "guru/sari/gambar/index.html").is_file()
    assert not (out / "guru/sari/gambar/foto.png").exists()
    assert (out / "guru/budi/2026-11-10-hukum-newton-gaya-gesek/index.html").is_file()


def test_content_folder_that_is_a_link_out_is_refused(tiny_site: Path, outside: Path,
                                                      tmp_path: Path) -> None:
    content = tiny_site.parent / "content"
    (outside / "sari").mkdir()
    (outside / "sari" / "secret.md").write_text((outside / "secret.md").read_text())
    (content / "sari").rename(tmp_path / "moved")
    content.rmdir()
    content.symlink_to(outside)
    report = build(tiny_site, tmp_path / "public", offline=True, now=NOW)
    assert [str(p) for p in report.problems] == [
        "content: folder ini adalah tautan ke luar folder situs; Mading tidak membacanya"]
    assert SECRET not in published(tmp_path / "public")


@pytest.mark.parametrize("name", [
    "/etc/passwd", "../../site.yml", '"..\\\\x.pdf"', '"%2e%2e/x.pdf"', '"a\\0.pdf"',
    '"C:\\\\x.pdf"', "a" * 300 + ".pdf", "/".join(["a"] * 3000), ".",
])
def test_attachment_names_cannot_escape(tiny_site: Path, name: str) -> None:
    write_post(tiny_site, "sari", "x.md", f"""\
        ---
        title: LKPD
        date: 2026-11-21
        attachments:
          - {name}
        ---
        """)
    [problem] = read_content(load_site(tiny_site)).problems
    assert str(problem).startswith("content/sari/x.md:5: ")


def hidden_files(folder: Path) -> None:
    """What a teacher's folder may hold besides posts, never to be published: a Git
    checkout's config with its token, an `.env`, a hidden folder, and a link to one."""
    (folder / ".git").mkdir()
    (folder / ".git" / "config").write_text(f"extraheader = AUTHORIZATION: {SECRET}")
    (folder / ".env").write_text(f"TOKEN={SECRET}")
    (folder / ".rahasia").mkdir()
    (folder / ".rahasia" / "soal.pdf").write_text(SECRET)
    (folder / "catatan.txt").symlink_to(".env")


@pytest.mark.parametrize("name", [".git/config", ".env", ".rahasia/soal.pdf", "catatan.txt",
                                  "./.env", "sub/../.env"])
def test_hidden_files_are_never_attachments(tiny_site: Path, tmp_path: Path,
                                            name: str) -> None:
    hidden_files(tiny_site.parent / "content" / "sari")
    write_post(tiny_site, "sari", "x.md", f"""\
        ---
        title: LKPD
        date: 2026-11-21
        attachments:
          - {name}
        ---
        """)
    report = build(tiny_site, tmp_path / "public", offline=True, now=NOW)
    assert [str(p) for p in report.problems] == [
        f"content/sari/x.md:5: lampiran '{name}' adalah berkas tersembunyi atau berada di "
        "folder tersembunyi (namanya diawali titik); berkas seperti itu tidak pernah "
        "diterbitkan: ganti namanya tanpa titik di depan"]
    assert SECRET not in published(tmp_path / "public")
    assert (tmp_path / "public/guru/sari/2026-11-18-persamaan-kuadrat/index.html").is_file()


def test_hidden_files_linked_from_a_post_are_refused_on_their_line(tiny_site: Path,
                                                                    tmp_path: Path) -> None:
    tiny_site.write_text(tiny_site.read_text().replace("language: id", "language: en"))
    hidden_files(tiny_site.parent / "content" / "sari")
    write_post(tiny_site, "sari", "x.md", """\
        ---
        title: LKPD
        date: 2026-11-21
        ---
        Kerjakan soal berikut.

        ![Soal](.rahasia/soal.pdf)
        [Unduh](catatan.txt) atau [ini](.git/config).
        """)
    report = build(tiny_site, tmp_path / "public", offline=True, now=NOW)
    tail = ("is a hidden file or lies in a hidden folder (its name starts with a dot); such "
            "files are never published: rename it without the leading dot")
    assert [str(p) for p in report.problems] == [
        f"content/sari/x.md:7: '.rahasia/soal.pdf' {tail}",
        f"content/sari/x.md:8: 'catatan.txt' {tail}",
        f"content/sari/x.md:8: '.git/config' {tail}"]
    assert SECRET not in published(tmp_path / "public")


def test_front_matter_slug_cannot_move_a_post(tiny_site: Path, tmp_path: Path) -> None:
    write_post(tiny_site, "sari", "jebakan.md", """\
        ---
        title: Jebakan
        date: 2026-11-21
        slug: ../../index
        ---
        Bukan beranda.
        """)
    out = tmp_path / "public"
    report = build(tiny_site, out, offline=True, now=NOW)
    assert [str(p) for p in report.problems] == [
        "content/sari/jebakan.md:4: 'slug': '../../index' adalah alamat folder, bukan nama; "
        "alamat tulisan diambil dari nama berkasnya (jebakan.md), jadi hapus 'slug'"]
    assert "Bukan beranda" not in published(out)
    assert (out / "index.html").is_file()
    assert (out / "guru/sari/2026-11-18-persamaan-kuadrat/index.html").is_file()


def test_plain_front_matter_slug_is_still_accepted(tiny_site: Path) -> None:
    # MkDocs blog posts carry a `slug:`; the address comes from the file name.
    write_post(tiny_site, "sari", "impor.md", """\
        ---
        title: Impor
        date: 2026-11-21
        slug: impor-dari-mkdocs
        ---
        """)
    result = read_content(load_site(tiny_site))
    assert result.problems == ()
    assert {e.slug for e in result.entries} >= {"impor"}


def test_imported_archive_cannot_place_a_post_outside(tiny_site: Path, tmp_path: Path) -> None:
    export = tmp_path / "archive.jsonl"
    record = {"teacher": "budi", "entry_id": "jahat", "link": None,
              "first_seen": "2026-11-20T00:00:00+00:00",
              "last_seen": "2026-11-20T00:00:00+00:00",
              "data": {"teacher": "budi", "entry_id": "jahat", "origin": "feed",
                       "title": "Jahat", "published": "2026-11-20T00:00:00+00:00",
                       "content_html": f"<p>{SECRET}</p>", "slug": "../../../../jahat"}}
    export.write_text(json.dumps({"format": "mading-archive", "version": 1}) + "\n"
                      + json.dumps({"entry": record}) + "\n")
    assert main(["archive", "import", str(export)]) == 0
    with Archive(tiny_site.parent / ".mading" / "archive.sqlite") as archive:
        assert {e.slug for e in archive.entries() if e.entry_id == "jahat"} == {"jahat"}
    out = tmp_path / "site" / "public"
    build(tiny_site, out, offline=True, now=NOW)
    assert [p for p in tmp_path.rglob("*jahat*") if out not in p.parents] == []
    assert (out / "guru/budi/2026-11-20-jahat/index.html").is_file()


# --- --output ------------------------------------------------------------------------------

@pytest.mark.parametrize("output", [
    ".", "{site}", "..", "{site}/..", "/", "content", "content/sari", ".mading", "feeds",
    "img", "{home}", "notes", "readme.txt", "link-to-site",
])
def test_output_folder_that_would_replace_the_site_is_refused(
        tiny_site: Path, tmp_path: Path, output: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    site = tiny_site.parent
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    (site / "notes").mkdir()
    (site / "notes" / "rapat.txt").write_text("notulen")  # someone's folder, not a build
    (site / "readme.txt").write_text("baca")
    (site / "link-to-site").symlink_to(site)
    (site / "public").mkdir()
    (site / "public" / "index.html").write_text("portal kemarin")  # a previous build
    before = snapshot(tmp_path)

    code = main(["build", "--offline", "--output", output.format(site=site, home=home)])

    assert code == 2
    [message] = capsys.readouterr().err.splitlines()
    assert message.startswith("--output: ")
    assert snapshot(tmp_path) == before


def test_output_messages_in_english(tiny_site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit_config(tiny_site, "language: id", "language: en")
    assert main(["build", "--offline", "--output", "."]) == 2
    assert capsys.readouterr().err == (
        "--output: '.' would replace the site's own files (site.yml): a build replaces the "
        "whole output folder, so give it a folder of its own, such as public\n")


def test_output_may_be_new_empty_or_a_previous_build(tiny_site: Path) -> None:
    (tiny_site.parent / "empty").mkdir()
    for output in ("public", "public", "empty", "deep/new/folder"):
        assert main(["build", "--offline", "--output", output]) == 0
        assert (tiny_site.parent / output / "index.html").is_file()


# --- an edited archive export ----------------------------------------------------------------

# `archive.jsonl` lives on a Git branch that CI imports at every run: anyone with write
# access can put there what no feed could get past the sanitizer.
HOSTILE_HTML = (
    '<p>Materi impor</p><script>alert("XSS-9001")</script>'
    '<img src="https://b.example/a.png" onerror="alert(9002)">'
    '<a href="javascript:alert(9003)">klik</a><a href=" JaVaScRiPt:alert(9004)">klik</a>'
    '<iframe src="https://evil.example/9005"></iframe><iframe src="javascript:alert(9006)">'
    '</iframe><svg onload="alert(9007)"></svg><math><mi xlink:href="javascript:alert(9008)">'
    '</mi></math><form action="javascript:alert(9009)"><button>x</button></form>'
    '<img src="data:image/svg+xml,&lt;svg onload=alert(9010)&gt;">'
    '<style>body{background:url("javascript:alert(9011)")}</style>'
    '<base href="javascript:alert(9012)//"><meta http-equiv="refresh" content="0;url=javascript:'
    'alert(9013)">')
HOSTILE_URLS = ("javascript:alert(9020)", " javascript:alert(9021)", "JAVASCRIPT:alert(9022)",
                "java\tscript:alert(9023)", "data:text/html,<script>alert(9024)</script>",
                "vbscript:msgbox(9025)", "\x01javascript:alert(9026)", "javascript://b.example/"
                "%0aalert(9027)")


def hostile_record(entry_id: str, html: str, url: str, text: str) -> dict[str, object]:
    """An export line for Budi, as an editor of the export branch could write it."""
    data = {"teacher": "budi", "entry_id": entry_id, "origin": "feed", "title": text,
            "published": "2026-11-21T00:00:00+00:00", "content_html": html, "link": url,
            "image": url, "summary": text, "author": text, "categories": [text, "Fisika"]}
    return {"entry": {"teacher": "budi", "entry_id": entry_id, "link": url, "data": data,
                      "first_seen": "2026-11-21T00:00:00+00:00",
                      "last_seen": "2026-11-21T00:00:00+00:00"}}


class _Dangers(HTMLParser):
    """What an HTML fragment (a feed's `content_html`) must not hold, as a browser reads it."""

    def __init__(self, embed_hosts: tuple[str, ...]) -> None:
        super().__init__(convert_charrefs=True)
        self.embed_hosts = embed_hosts
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # (MathML is allowed: Markdown posts' math is converted to it.)
        if tag in ("script", "style", "svg", "form", "base", "meta", "object", "embed", "link"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=>")
            if name in URL_ATTRIBUTES and browser_scheme(value or "") not in SAFE_SCHEMES:
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag == "iframe" and urlsplit(dict(attrs).get("src") or "").hostname \
                not in self.embed_hosts:
            self.found.append(f"<iframe {attrs!r}>")


def dangers_in_feeds(output: Path, embed_hosts: tuple[str, ...]) -> list[str]:
    """Scripts, handlers and javascript: addresses in every JSON Feed and Atom feed."""
    found: list[str] = []

    def fragment(where: str, html: str) -> None:
        scan = _Dangers(embed_hosts)
        scan.feed(html)
        scan.close()
        found.extend(f"{where}: {what}" for what in scan.found)

    def address(where: str, url: str) -> None:
        if browser_scheme(url) not in SAFE_SCHEMES:
            found.append(f"{where}: {url!r}")

    for path in output.rglob("feed.json"):
        for item in json.loads(path.read_text())["items"]:
            fragment(str(path), item["content_html"])
            for key in ("url", "external_url", "image"):
                address(f"{path} {key}", item.get(key, ""))
    atom = "{http://www.w3.org/2005/Atom}"
    for path in output.rglob("feed.xml"):
        for entry in ET.parse(path).getroot().iter(f"{atom}entry"):
            fragment(str(path), entry.findtext(f"{atom}content") or "")
            for link in entry.iter(f"{atom}link"):
                address(f"{path} link", link.get("href", ""))
    for outline in ET.parse(output / "blogroll.opml").getroot().iter("outline"):
        for key in ("htmlUrl", "xmlUrl"):
            address(f"blogroll.opml {key}", outline.get(key, ""))
    return found


def example_feeds(teacher: str) -> list[FeedResult]:
    """The example school's real feeds (WordPress, Blogger, Ghost, Hugo, YouTube, JSON Feed),
    parsed as a fetch would: honest entries with embeds, images, links and tables."""
    return [parse_feed(teacher, path.name, path.read_bytes(), None)
            for path in sorted((REPO / "feeds").iterdir())]


def test_imported_archive_export_is_sanitized_like_a_fetched_feed(
        tiny_site: Path, tmp_path: Path) -> None:
    site = load_site(tiny_site)
    archive_file = site.archive_file
    out = tiny_site.parent / "public"
    # A real archive: the tiny site's feeds and the example school's, as fetched.
    assert main(["build", "--offline"]) == 0
    with Archive(archive_file) as archive:
        archive.store(example_feeds("budi"), NOW)
    export = tmp_path / "archive.jsonl"
    assert main(["archive", "export", str(export)]) == 0
    honest = export.read_text().splitlines()
    assert len(honest) > 50

    # The export, edited on its branch: every XSS vector of tests/xss in every field of
    # an entry, a few hand-written ones, and a feed's addresses.
    vectors = load_vectors()
    hostile = [hostile_record(f"xss-{v.id}", v.payload, v.payload, v.payload) for v in vectors]
    hostile += [hostile_record(f"url-{n}", HOSTILE_HTML, url, f"Impor jahat {n}")
                for n, url in enumerate(HOSTILE_URLS)]
    hostile.append({"feed": {"teacher": "budi", "source": "https://pakbudi.example/",
                             "home_page": "javascript:alert(9030)",
                             "feed_url": "javascript:alert(9031)", "title": "Blog",
                             "last_success": "2099-01-01T00:00:00+00:00"}})
    export.write_text("\n".join([*honest, *(json.dumps(r) for r in hostile)]) + "\n")
    # A fresh CI runner: no archive but the export; Budi's blog is on the web, and the
    # build is offline, so what the portal shows of him is what the export held.
    shutil.rmtree(archive_file.parent)
    shutil.rmtree(out)
    edit_config(tiny_site, "blog: feeds/budi.xml", "blog: https://pakbudi.example/")

    assert main(["archive", "import", str(export)]) == 0

    # Honest entries are stored byte for byte as they were.
    again = tmp_path / "again.jsonl"
    assert main(["archive", "export", str(again)]) == 0
    reexported = again.read_text().splitlines()
    replaced = [line for line in honest if line.startswith('{"feed"') and '"budi"' in line]
    assert len(replaced) == 1  # Budi's feed status: the edited record is newer
    assert [line for line in honest if line not in reexported] == replaced
    assert main(["build", "--offline"]) == 0
    # The hostile ones are on the portal, without anything that runs.
    assert (out / "guru/budi/2026-11-21-impor-jahat-0/index.html").is_file()
    assert "Materi impor" in (out / "guru/budi/2026-11-21-impor-jahat-0/index.html").read_text()
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > len(vectors)
    policy = content_security_policy(site.embed_hosts)
    findings = [str(f) for page in pages
                for f in scan_page(page, out, site.embed_hosts, policy, site.school.url)]
    assert findings == []
    assert dangers_in_feeds(out, site.embed_hosts) == []
    # Titles and summaries keep the vectors as text, escaped (as a fetched feed's would).
    assert '<h1 data-pagefind-meta="title">&lt;script&gt;alert(1001)&lt;/script&gt;</h1>' in \
        (out / "guru/budi/2026-11-21-script-alert-1001-script/index.html").read_text()
    assert not [page for page in pages if "<script>alert" in page.read_text().lower()]


def test_imported_table_alignment_survives(tiny_site: Path, tmp_path: Path) -> None:
    rss = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>B</title>'
           b"<link>https://b.example/</link><item><title>Tabel</title>"
           b"<link>https://b.example/tabel/</link><guid>tabel</guid>"
           b"<description>&lt;table&gt;&lt;tr&gt;&lt;td style=\"text-align: center\"&gt;1"
           b"&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</description></item></channel></rss>")
    site = load_site(tiny_site)
    with Archive(site.archive_file) as archive:
        archive.store([parse_feed("budi", "b.xml", rss, None)], NOW)
    export, again = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert main(["archive", "export", str(export)]) == 0
    assert 'class=\\"align-center\\"' in export.read_text()
    shutil.rmtree(site.archive_file.parent)
    assert main(["archive", "import", str(export)]) == 0
    assert main(["archive", "export", str(again)]) == 0
    assert again.read_text() == export.read_text()


# --- mading new ------------------------------------------------------------------------------

NEW_DAY = "2026-11-23"


@pytest.fixture
def fixed_day(monkeypatch: pytest.MonkeyPatch) -> str:
    """`mading new` names the file after the school's date: 2026-11-23 in Jakarta."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))
    return NEW_DAY


@pytest.mark.parametrize(("link", "where", "message"), [
    ("content/sari", "content/sari", "folder ini adalah tautan ke luar folder situs; Mading "
     "tidak menulis tulisan ke sana"),
    ("content", "content", "folder ini adalah tautan ke luar folder situs; Mading tidak "
     "menulis tulisan ke sana"),
    (f"content/sari/{NEW_DAY}-judul-baru.md", f"content/sari/{NEW_DAY}-judul-baru.md",
     "berkas ini adalah tautan ke luar folder situs; Mading tidak menulis tulisan ke sana"),
])
def test_new_post_is_not_written_through_a_link_out(
        tiny_site: Path, outside: Path, fixed_day: str, link: str, where: str, message: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    site = tiny_site.parent
    path = site / link
    if path.suffix == ".md":  # a dangling link: the file it names does not exist yet
        path.symlink_to(outside / "baru.md")
    else:
        shutil.rmtree(path)
        (outside / "sari").mkdir()
        path.symlink_to(outside if link == "content" else outside / "sari")
    before, inside = snapshot(outside), snapshot(site)

    assert main(["new", "--teacher", "sari", "Judul Baru"]) == 2

    assert capsys.readouterr() == ("", f"{where}: {message}\n")
    assert snapshot(outside) == before
    assert snapshot(site) == inside


def test_new_post_through_a_link_out_in_english(tiny_site: Path, outside: Path,
                                                fixed_day: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    edit_config(tiny_site, "language: id", "language: en")
    shutil.rmtree(tiny_site.parent / "content" / "sari")
    (tiny_site.parent / "content" / "sari").symlink_to(outside)
    assert main(["new", "--teacher", "sari", "Judul Baru"]) == 2
    assert capsys.readouterr().err == ("content/sari: this folder is a link to outside the site "
                                       "folder; Mading writes no post there\n")
    assert not (outside / f"{NEW_DAY}-judul-baru.md").exists()


def test_new_post_through_a_link_inside_the_site_is_written(
        tiny_site: Path, fixed_day: str, capsys: pytest.CaptureFixture[str]) -> None:
    # Links that stay inside the site folder are left as they were (docs/decisions.md).
    site = tiny_site.parent
    (site / "content" / "sari").rename(site / "materi-sari")
    (site / "content" / "sari").symlink_to(site / "materi-sari")
    assert main(["new", "--teacher", "sari", "Judul Baru"]) == 0
    assert capsys.readouterr().out == f"content/sari/{NEW_DAY}-judul-baru.md\n"
    assert (site / "materi-sari" / f"{NEW_DAY}-judul-baru.md").is_file()
