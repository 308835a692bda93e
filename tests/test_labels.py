"""Issue 26, item 5: labels (tags) cannot make the output grow as their square.

One post with 10,000 tags wrote 10,010 label pages of about 752 KB each: every label
page listed every label. Now a Markdown post has at most `MAX_TAGS` labels (more is a
`FILE:LINE` problem), a feed post keeps its first `MAX_TAGS` (and the build says so), and
a teacher's pages list at most `LISTED_TAGS` labels, with a link to an index of all.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from textwrap import dedent

from generator.build import build
from generator.config import load_site
from generator.models import MAX_TAGS
from generator.render import LISTED_MONTHS, LISTED_TAGS
from generator.sources.content import read_content

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
LABEL_LINK = re.compile(r'<a href="[^"]*/budi/label/[^"]*">[^<]*</a>')
MONTH_LINK = re.compile(r'<a href="[^"]*/budi/arsip/\d{4}-\d{2}/[^"]*">[^<]*</a>')
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
               "Dec")


def feed(*items: tuple[str, int]) -> str:
    """Pak Budi's RSS feed: one item per (title, number of categories)."""
    body = "".join(
        f"<item><title>{title}</title><guid>{title}</guid>"
        f"<link>https://pakbudi.example/{title}/</link>"
        "<pubDate>Tue, 10 Nov 2026 08:00:00 +0700</pubDate><category>Fisika</category>"
        + "".join(f"<category>{title} label {n}</category>" for n in range(count))
        + "<description>Isi.</description></item>" for title, count in items)
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>Blog</title><link>https://pakbudi.example/</link>{body}</channel></rss>")


def label_pages(out: Path, teacher: str = "budi") -> list[Path]:
    return sorted((out / "guru" / teacher / "label").glob("*/index.html"))


def test_a_markdown_post_with_too_many_tags_is_a_problem(tiny_site: Path) -> None:
    tags = ", ".join(f"label{n}" for n in range(MAX_TAGS + 5))
    (tiny_site.parent / "content" / "sari" / "x.md").write_text(dedent(f"""\
        ---
        title: Banyak label
        date: 2026-11-21
        tags: [{tags}]
        ---
        Isi.
        """), encoding="utf-8")
    problems = read_content(load_site(tiny_site)).problems
    assert [str(p) for p in problems] == [
        "content/sari/x.md:4: 'tags': 25 label; satu tulisan boleh punya paling banyak 20 "
        "label (setiap label menjadi satu halaman): simpan yang akan dicari siswa"]


def test_a_feed_post_with_hundreds_of_tags_makes_twenty_label_pages(
        tiny_site: Path, tmp_path: Path) -> None:
    (tiny_site.parent / "feeds" / "budi.xml").write_text(feed(("iseng", 300)),
                                                         encoding="utf-8")
    out = tmp_path / "public"
    report = build(tiny_site, out, offline=True, now=NOW)

    assert report.broken_feeds == ()
    assert len(label_pages(out)) == MAX_TAGS
    assert report.warnings == (
        "peringatan: tulisan dari feed budi punya lebih dari 20 label; hanya 20 label "
        "pertama yang ditampilkan",)
    post = (out / "guru/budi/2026-11-10-iseng/index.html").read_text(encoding="utf-8")
    assert "iseng label 19<" in post and "iseng label 20<" not in post


def test_no_label_page_lists_every_label(tiny_site: Path, tmp_path: Path) -> None:
    """Three posts of 20 labels: 60 labels. Every page lists the 30 most used and links to
    the index of all 60; the index is the one page that lists them all."""
    (tiny_site.parent / "feeds" / "budi.xml").write_text(
        feed(("satu", MAX_TAGS - 1), ("dua", MAX_TAGS - 1), ("tiga", MAX_TAGS - 1)),
        encoding="utf-8")
    out = tmp_path / "public"
    build(tiny_site, out, offline=True, now=NOW)

    pages = label_pages(out)
    assert len(pages) == 3 * (MAX_TAGS - 1)
    index = (out / "guru/budi/arsip/label/index.html").read_text(encoding="utf-8")
    assert len(LABEL_LINK.findall(index)) == len(pages)
    for page in [*pages, out / "guru/budi/index.html"]:
        text = page.read_text(encoding="utf-8")
        assert len(LABEL_LINK.findall(text)) <= LISTED_TAGS, page
        assert 'arsip/label/index.html">Semua label</a>' in text


def test_no_month_page_lists_every_month(tiny_site: Path, tmp_path: Path) -> None:
    """A feed with a post in each of 40 months: every page lists the latest 36 months and
    links to the index of all 40 (a feed dating its items over centuries made as many
    month pages, each listing them all)."""
    months = [(2026 - n // 12, 12 - n % 12) for n in range(40)]
    items = "".join(
        f"<item><title>Bulan {year}-{month}</title><guid>b{year}{month}</guid>"
        f"<pubDate>10 {MONTH_NAMES[month - 1]} {year} 08:00:00 +0700</pubDate>"
        "<description>Isi.</description></item>" for year, month in months)
    (tiny_site.parent / "feeds" / "budi.xml").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title>'
        f"<link>https://pakbudi.example/</link>{items}</channel></rss>", encoding="utf-8")
    out = tmp_path / "public"
    build(tiny_site, out, offline=True, now=datetime(2027, 1, 1, tzinfo=UTC))

    pages = sorted((out / "guru/budi/arsip").glob("20*/index.html"))
    assert len(pages) == 40
    index = (out / "guru/budi/arsip/semua/index.html").read_text(encoding="utf-8")
    assert len(MONTH_LINK.findall(index)) == 40
    for page in [*pages, out / "guru/budi/index.html"]:
        text = page.read_text(encoding="utf-8")
        assert len(MONTH_LINK.findall(text)) == LISTED_MONTHS, page
        assert 'arsip/semua/index.html">Semua bulan</a>' in text
