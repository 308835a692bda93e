"""The page plan (generator/render/pages.py): which pages, feeds and files a portal gets,
their listings' pagers and which posts go where. Pure, in memory: a portal collected from
entries made here, no template rendered, no disk read."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from generator.collect import collect
from generator.layout import Layout
from generator.models import (
    Entry,
    OutputFile,
    Portal,
    PortalSettings,
    Post,
    School,
    SchoolPortal,
    Site,
    Subject,
    Teacher,
    pack_html,
)
from generator.render.pages import (
    HOME_LATEST,
    LISTED_TAGS,
    micro_site_pages,
    site_pages,
)
from generator.render.plan import Made, Page, Pager, Plan, Spec

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
DAY = datetime(2026, 11, 10, 3, 0, tzinfo=UTC)  # 10:00 in Jakarta

SUBJECTS = (Subject("Matematika", "matematika"), Subject("Fisika", "fisika"),
            Subject("Seni Budaya", "seni-budaya"))
BUDI = Teacher("Budi Santoso, S.Si.", "budi", ("fisika", "matematika"), ("XI-1",))
SARI = Teacher("Sari Wulandari, S.Pd.", "sari", ("matematika",), ("X-1", "X-2"))
CLASSES = ("X-1", "X-2", "XI-1")


def make_site(page_size: int = 20, **fields: Any) -> Site:
    return Site(school=School("SMA Uji", "https://uji.sch.id/", "id", "Asia/Jakarta"),
                subjects=SUBJECTS, classes=CLASSES, teachers=(BUDI, SARI),
                root=Path("/sekolah"), config_file=Path("/sekolah/site.yml"),
                portal=PortalSettings(page_size=page_size), **fields)


def entry(title: str, teacher: str = "sari", published: datetime = DAY,
          subjects: tuple[str, ...] = ("matematika",), classes: tuple[str, ...] = ("X-1",),
          tags: tuple[str, ...] = (), **fields: Any) -> Entry:
    """A Markdown post, or with `tags` a blog's post, whose labels stay labels."""
    if tags:
        return Entry(teacher=teacher, entry_id=f"{teacher}:{title}", origin="feed",
                     title=title, published=published, html=pack_html("<p>isi</p>"),
                     categories=tags, **fields)
    slug = title.lower().replace(" ", "-")
    return Entry(teacher=teacher, entry_id=f"content/{teacher}/{slug}.md", origin="markdown",
                 title=title, published=published, html=pack_html("<p>isi</p>"),
                 subjects=subjects, classes=classes, slug=slug, **fields)


def portal(*entries: Entry, site: Site | None = None) -> Portal:
    markdown = [e for e in entries if e.origin == "markdown"]
    feed = [e for e in entries if e.origin == "feed"]
    return collect(site or make_site(), feed, markdown, (), NOW)


def plan(found: Portal, layout: Layout | None = None) -> dict[str, Spec]:
    """The portal's specs by path; each path planned once."""
    layout = layout or Layout()
    specs = list(site_pages(Plan(found, layout)).specs()) if layout.standalone is None \
        else list(micro_site_pages(Plan(found, layout)))
    paths = [spec.path for spec in specs]
    assert len(paths) == len(set(paths)), "a path planned twice"
    return dict(zip(paths, specs, strict=True))


def pages(specs: dict[str, Spec]) -> dict[str, Page]:
    return {path: spec for path, spec in specs.items() if isinstance(spec, Page)}


def titles(posts: Any) -> list[str]:
    return [post.title for post in posts]


def listed(specs: dict[str, Spec], path: str) -> list[str]:
    """The titles on the listing page at `path`."""
    pager = pages(specs)[path].context["pager"]
    assert isinstance(pager, Pager)
    return titles(pager.posts)


def test_a_school_gets_every_page_of_the_url_layout() -> None:
    specs = plan(portal(entry("Aljabar"), entry("Gerak", teacher="budi", subjects=("fisika",),
                                                classes=("XI-1",))))
    assert {
        "index.html", "feed.xml", "feed.json", "mapel/index.html",
        "mapel/matematika/index.html", "mapel/matematika/feed.xml",
        "mapel/matematika/kelas/x-1/index.html", "kelas/index.html",
        "kelas/x-1/index.html", "kelas/x-1/feed.json", "kelas/x-1/tugas.ics",
        "kelas/x-1/minggu-ini/index.html", "tugas/index.html", "tugas/tugas.ics",
        "guru/index.html", "guru/mapel/index.html", "guru/terbaru/index.html",
        "cari/index.html", "404.html", "blogroll.opml", "sitemap.xml", "robots.txt",
        "poster/index.html", "ortu/index.html", "keaktifan/index.html", "portal.json",
        "guru/sari/index.html", "guru/sari/feed.xml", "guru/sari/poster/index.html",
        "guru/sari/arsip/2026-11/index.html", "guru/sari/aljabar/index.html",
        "guru/budi/gerak/index.html",
    } <= set(specs)
    assert not any(path.startswith("sekolah/") for path in specs)  # a school, not a cluster
    assert isinstance(specs["feed.xml"], Made) and isinstance(specs["robots.txt"], OutputFile)
    assert pages(specs)["guru/sari/aljabar/index.html"].template == "post.html"


def test_a_page_s_links_lead_back_to_the_root_but_404_s_to_the_site_s_address() -> None:
    specs = pages(plan(portal(entry("Aljabar"))))
    assert specs["index.html"].root == ""
    assert specs["mapel/matematika/index.html"].root == "../../"
    assert specs["guru/sari/aljabar/index.html"].root == "../../../"
    assert specs["404.html"].root == "https://uji.sch.id/"


def test_a_listing_is_paged_newest_first_with_feeds_of_all_its_posts() -> None:
    entries = [entry(f"Bab {n}", published=DAY + timedelta(hours=n)) for n in range(5)]
    specs = plan(portal(*entries, site=make_site(page_size=2)))
    first, second, third = (pages(specs)[path].context["pager"] for path in (
        "guru/sari/index.html", "guru/sari/halaman/2/index.html",
        "guru/sari/halaman/3/index.html"))
    assert "guru/sari/halaman/4/index.html" not in specs
    assert [titles(p.posts) for p in (first, second, third)] == [
        ["Bab 4", "Bab 3"], ["Bab 2", "Bab 1"], ["Bab 0"]]
    assert (first.number, first.count, first.previous, first.next) == \
        (1, 3, None, "guru/sari/halaman/2/")
    assert (second.previous, second.next) == ("guru/sari/", "guru/sari/halaman/3/")
    assert third.next is None
    feed = specs["guru/sari/feed.xml"]
    assert isinstance(feed, Made)
    assert feed.inputs[0] == "atom" and titles(feed.inputs[2]) == titles(reversed(entries))
    # Months and labels list the same posts, without feeds of their own.
    assert listed(specs, "guru/sari/arsip/2026-11/index.html") == ["Bab 4", "Bab 3"]
    assert "guru/sari/arsip/2026-11/feed.xml" not in specs


def test_an_empty_listing_has_one_page_and_feeds_dated_by_the_portal() -> None:
    specs = plan(portal(entry("Aljabar")))
    assert listed(specs, "mapel/fisika/index.html") == []
    assert "mapel/fisika/halaman/2/index.html" not in specs
    feed = specs["mapel/fisika/feed.json"]
    assert isinstance(feed, Made)
    assert titles(feed.inputs[2]) == [] and titles(feed.inputs[3]) == ["Aljabar"]


def test_posts_go_to_their_subjects_classes_and_teacher_only() -> None:
    specs = plan(portal(
        entry("Aljabar", classes=("X-1", "X-2")),
        entry("Gerak", teacher="budi", subjects=("fisika",), classes=("XI-1",)),
        entry("Vektor", teacher="budi", subjects=("fisika", "matematika"), classes=("XI-1",),
              published=DAY + timedelta(days=1))))
    assert listed(specs, "mapel/matematika/index.html") == ["Vektor", "Aljabar"]
    assert listed(specs, "mapel/fisika/index.html") == ["Vektor", "Gerak"]
    assert listed(specs, "kelas/xi-1/index.html") == ["Vektor", "Gerak"]
    assert listed(specs, "kelas/x-2/index.html") == ["Aljabar"]
    assert listed(specs, "guru/sari/index.html") == ["Aljabar"]
    # A subject narrowed to each class that has its posts, without feeds.
    assert listed(specs, "mapel/matematika/kelas/xi-1/index.html") == ["Vektor"]
    assert listed(specs, "mapel/matematika/kelas/x-2/index.html") == ["Aljabar"]
    assert "mapel/fisika/kelas/x-1/index.html" not in specs
    assert "mapel/matematika/kelas/xi-1/feed.xml" not in specs
    # A class only a post names comes after the school's own.
    assert pages(specs)["kelas/index.html"].context["counts"] == {
        "X-1": 1, "X-2": 1, "XI-1": 2}


def test_the_home_page_shows_the_latest_and_subjects_that_have_posts() -> None:
    entries = [entry(f"Bab {n}", published=DAY + timedelta(hours=n))
               for n in range(HOME_LATEST + 2)]
    home = pages(plan(portal(*entries)))["index.html"].context
    assert titles(home["latest"]) == [f"Bab {n}" for n in range(HOME_LATEST + 1, 1, -1)]
    assert [subject.slug for subject, _posts in home["sections"]] == ["matematika"]


def test_assignments_upcoming_past_and_calendars() -> None:
    soon = entry("PR Logaritma", kind="tugas", due=NOW + timedelta(days=3),
                 classes=("X-1", "X-2"))
    done = entry("Laporan Gerak", teacher="budi", subjects=("fisika",), classes=("XI-1",),
                 kind="tugas", due=NOW - timedelta(days=5))
    old = entry("Tugas Lama", teacher="budi", subjects=("fisika",), classes=("XI-1",),
                kind="tugas", due=NOW - timedelta(days=90), published=NOW - timedelta(days=95))
    specs = plan(portal(soon, done, old))
    assignments = pages(specs)["tugas/index.html"].context
    assert [(name, titles(posts)) for name, posts in assignments["upcoming"]] == [
        ("X-1", ["PR Logaritma"]), ("X-2", ["PR Logaritma"])]
    assert [(name, titles(posts)) for name, posts in assignments["past"]] == [
        ("XI-1", ["Laporan Gerak", "Tugas Lama"])]
    school = specs["tugas/tugas.ics"]
    assert isinstance(school, Made)
    assert titles(school.inputs[2]) == ["PR Logaritma", "Laporan Gerak"]  # not the old one
    klass = pages(specs)["kelas/xi-1/index.html"].context
    assert titles(klass["upcoming"]) == [] and titles(klass["past"]) == ["Laporan Gerak"]
    calendar = specs["kelas/xi-1/tugas.ics"]
    assert isinstance(calendar, Made) and titles(calendar.inputs[2]) == ["Laporan Gerak"]


def test_a_teacher_with_many_labels_lists_the_most_used_and_links_to_all() -> None:
    many = LISTED_TAGS + 2
    entries = [entry(f"Catatan {n}", teacher="budi", tags=(f"label {n:02}", "umum"),
                     published=DAY + timedelta(minutes=n)) for n in range(many)]
    specs = plan(portal(*entries))
    teacher = pages(specs)["guru/budi/index.html"].context
    assert len(teacher["tags"]) == LISTED_TAGS and "umum" in teacher["tags"]
    assert teacher["all_tags"] is True
    index = pages(specs)["guru/budi/arsip/label/index.html"]
    assert len(index.context["links"]) == many + 1
    assert listed(specs, "guru/budi/label/umum/index.html") == \
        [f"Catatan {n}" for n in range(many - 1, many - 21, -1)]
    assert listed(specs, "guru/budi/label/label-07/index.html") == ["Catatan 7"]
    assert "guru/sari/arsip/label/index.html" not in specs


def test_a_post_page_carries_its_files() -> None:
    attached = entry("Aljabar", assets=(Path("/sekolah/content/sari/grafik.png"),),
                     cleaned=(("/sekolah/content/sari/bagan.svg", b"<svg/>"),))
    attached = replace(attached, assets=(*attached.assets,
                                         Path("/sekolah/content/sari/bagan.svg")))
    specs = plan(portal(attached))
    copied = specs["guru/sari/aljabar/grafik.png"]
    cleaned = specs["guru/sari/aljabar/bagan.svg"]
    assert isinstance(copied, OutputFile)
    assert copied.source == Path("/sekolah/content/sari/grafik.png")
    assert isinstance(cleaned, OutputFile) and cleaned.content == b"<svg/>"
    post = pages(specs)["guru/sari/aljabar/index.html"].context
    assert isinstance(post["post"], Post) and post["video"] is False
    assert post["pictures"] == () and post["series"] is None


def test_a_micro_site_is_the_teacher_s_pages_at_the_root() -> None:
    specs = plan(portal(entry("Aljabar"), entry("Gerak", teacher="budi")),
                 Layout(standalone="sari"))
    assert {"index.html", "feed.xml", "aljabar/index.html", "poster/index.html",
            "arsip/2026-11/index.html", "404.html", "robots.txt"} <= set(specs)
    assert not any(path.startswith(("guru/", "mapel/", "kelas/")) for path in specs)
    assert pages(specs)["404.html"].root == ""
    assert listed(specs, "index.html") == ["Aljabar"]


@pytest.mark.parametrize("schools", [(), (SchoolPortal("SD 1", "sd1", "https://sd1.id/"),)])
def test_a_cluster_lists_its_schools(schools: tuple[SchoolPortal, ...]) -> None:
    site = make_site(schools=schools)
    site = replace(site, teachers=(replace(BUDI, school="sd1") if schools else BUDI, SARI))
    specs = plan(portal(entry("Gerak", teacher="budi"), entry("Aljabar"), site=site))
    assert ("sekolah/index.html" in specs) == bool(schools)
    if schools:
        assert listed(specs, "sekolah/sd1/index.html") == ["Gerak"]
        assert "sekolah/sd1/feed.xml" in specs


def test_a_summarys_teacher_has_only_their_read_posts_here() -> None:
    # Budi's portal is read as a summary: his post's page, under tulisan/, and links to
    # his page there; no micro-site, poster or directory card of his.
    district = SchoolPortal("Kabupaten Satu", "d1", "https://d1.id/", summary=True)
    budi = replace(BUDI, school="d1", home="https://d1.id/guru/budi/")
    site = replace(make_site(schools=(district,)), teachers=(budi, SARI))
    found = portal(entry("Gerak", teacher="budi"), entry("Aljabar"), site=site)
    specs = plan(found)
    assert not [path for path in specs if path.startswith("guru/budi/")]
    assert "tulisan/budi/gerak/index.html" in specs and "guru/sari/index.html" in specs
    assert not [path for path in specs if "budi" in path and not path.startswith("tulisan/")]
    assert Layout().teacher(budi) == "https://d1.id/guru/budi/"
    directory = pages(specs)["guru/index.html"].context
    assert [[t.slug for t in people] for _, people in directory["groups"]] == [["sari"]]
    assert directory["summaries"] == [("Kabupaten Satu", 1, "https://d1.id/guru/")]
    assert [t.slug for t in pages(specs)["poster/index.html"].context["teachers"]] == ["sari"]
    school = pages(specs)["sekolah/d1/index.html"].context
    assert school["teachers"] == [] and school["directory"] == ("https://d1.id/guru/", 1)
    assert listed(specs, "sekolah/d1/index.html") == ["Gerak"]
