"""collect: entries become posts, classified by subject, class and kind (pure, no I/O)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from generator.collect import collect
from generator.layout import Layout
from generator.models import (
    Entry,
    FeedFile,
    FeedStatus,
    Kind,
    Portal,
    Post,
    School,
    Site,
    Subject,
    Teacher,
    pack_html,
)

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
DAY = datetime(2026, 11, 10, 3, 0, tzinfo=UTC)  # 10:00 in Jakarta

SUBJECTS = (
    Subject("Matematika", "matematika", ("mtk", "matematika wajib")),
    Subject("Fisika", "fisika"),
    Subject("Bahasa Inggris", "bahasa-inggris", ("english",)),
)
BUDI = Teacher("Budi Santoso, S.Si.", "budi", ("fisika", "matematika"), ("XI-1",),
               blog=FeedFile("feeds/budi.xml"))
SARI = Teacher("Sari Wulandari, S.Pd.", "sari", ("matematika",), ("X-1", "X-2"))


def make_site(classes: tuple[str, ...] = ("X-1", "X-2", "XI-1", "XI-2", "XII-1"),
              teachers: tuple[Teacher, ...] = (BUDI, SARI)) -> Site:
    return Site(school=School("SMA Uji", "https://uji.sch.id/", "id", "Asia/Jakarta"),
                subjects=SUBJECTS, classes=classes, teachers=teachers,
                root=Path("/sekolah"), config_file=Path("/sekolah/site.yml"))


def feed_entry(categories: tuple[str, ...] = (), teacher: str = "budi",
               title: str = "Latihan", published: datetime = DAY,
               entry_id: str | None = None) -> Entry:
    return Entry(teacher=teacher, entry_id=entry_id or f"{teacher}:{title}:{published}",
                 origin="feed", title=title, published=published,
                 html=pack_html("<p>isi</p>"), categories=categories)


def markdown_entry(title: str, slug: str, teacher: str = "sari", published: datetime = DAY,
                   draft: bool = False, kind: Kind | None = None) -> Entry:
    return Entry(teacher=teacher, entry_id=f"content/{teacher}/{slug}.md", origin="markdown",
                 title=title, published=published, html=pack_html("<p>isi</p>"),
                 subjects=("matematika",), classes=("X-1",), kind=kind, draft=draft,
                 slug=slug)


def portal(feed: list[Entry], markdown: list[Entry] | None = None, site: Site | None = None,
           feeds: tuple[FeedStatus, ...] = ()) -> Portal:
    return collect(site or make_site(), feed, markdown or [], feeds, NOW)


def one_post(*categories: str, site: Site | None = None) -> Post:
    (post,) = portal([feed_entry(categories)], site=site).posts
    return post


def subject_slugs(post: Post) -> tuple[str, ...]:
    return tuple(s.slug for s in post.subjects)


# -- subjects -----------------------------------------------------------------------------


@pytest.mark.parametrize("category", [
    "Matematika", "MTK", "mtk", "matematika  wajib", "Matematika-Wajib", "MATEMATIKA WAJIB",
    "Matemátika", " matematika ",
])
def test_category_maps_to_subject_through_aliases(category: str) -> None:
    post = one_post(category)
    # Budi teaches Fisika too: a post tagged for Matematika stays off Fisika.
    assert subject_slugs(post) == ("matematika",)
    assert post.tags == ()


def test_category_that_does_not_fold_to_an_alias_is_a_tag() -> None:
    # "Mátemática" folds to "matematica": Spanish, not one of the school's subjects.
    post = one_post("Mátemática")
    assert subject_slugs(post) == ("fisika", "matematika")
    assert post.tags == ("Mátemática",)


def test_post_tagged_for_one_subject_is_not_on_the_other() -> None:
    assert subject_slugs(one_post("Fisika", "dinamika")) == ("fisika",)


def test_post_tagged_for_two_subjects_is_on_both() -> None:
    assert subject_slugs(one_post("fisika", "mtk", "Matematika")) == ("fisika", "matematika")


def test_no_subject_category_falls_back_to_the_teachers_subjects() -> None:
    post = one_post("dinamika", "Newton")
    assert subject_slugs(post) == ("fisika", "matematika")
    assert post.tags == ("dinamika", "Newton")


# -- classes ------------------------------------------------------------------------------


@pytest.mark.parametrize("category", ["XI-2", "xi 2", "kelas XI-2", "Kelas xi-2", "XI_2"])
def test_one_class(category: str) -> None:
    assert one_post(category).classes == ("XI-2",)


@pytest.mark.parametrize(("category", "classes"), [
    ("kelas X", ("X-1", "X-2")),
    ("Kelas 10", ("X-1", "X-2")),
    ("X", ("X-1", "X-2")),
    ("Kelas XII", ("XII-1",)),
    ("kelas 12", ("XII-1",)),
])
def test_a_grade_the_teacher_does_not_teach_means_every_class_of_it(
        category: str, classes: tuple[str, ...]) -> None:
    assert one_post(category).classes == classes


@pytest.mark.parametrize("category", ["kelas XI", "kelas 11", "XI"])
def test_a_grade_the_teacher_teaches_means_the_teachers_classes_of_it(category: str) -> None:
    # Issue 20: Budi teaches XI-1 only; "kelas XI" on his blog is for XI-1, not XI-2.
    assert one_post(category).classes == ("XI-1",)


@pytest.mark.parametrize(("category", "classes"), [
    ("kelas X", ("10-1", "10-2")),
    ("kelas 10", ("10-1", "10-2")),
    ("kelas XI", ("11-1",)),
    ("10-2", ("10-2",)),
])
def test_grades_match_classes_named_with_digits(category: str,
                                                classes: tuple[str, ...]) -> None:
    site = make_site(classes=("10-1", "10-2", "11-1"),
                     teachers=(Teacher("Budi", "budi", ("fisika",), ("11-1",)),))
    assert one_post(category, site=site).classes == classes


def test_classes_from_several_categories_are_merged_without_repeats() -> None:
    assert one_post("X-1", "kelas XII", "XII-1", "X-1").classes == ("X-1", "XII-1")
    assert one_post("kelas X", "XII-1").classes == ("XII-1", "X-1", "X-2")


def test_a_grade_label_beside_labels_of_its_classes_adds_none() -> None:
    # Issue 20: Blogger labels "Kelas XII", "XII-1", "XII-2" are for XII-1 and XII-2.
    assert one_post("X-1", "kelas X").classes == ("X-1",)


def test_no_class_category_falls_back_to_the_teachers_classes() -> None:
    assert one_post("Fisika").classes == ("XI-1",)


def test_unknown_class_is_a_tag() -> None:
    post = one_post("kelas XIII")
    assert post.classes == ("XI-1",)
    assert post.tags == ("kelas XIII",)


# -- kind ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("category", "kind"), [
    ("Tugas", "tugas"), ("PR", "tugas"), ("pr", "tugas"), ("Pekerjaan Rumah", "tugas"),
    ("Pengumuman", "pengumuman"), ("INFO", "pengumuman"), ("Materi", "materi"),
    ("dinamika", "materi"),
])
def test_kind_from_categories(category: str, kind: str) -> None:
    post = one_post(category)
    assert post.kind == kind
    assert category not in post.tags or kind == "materi"


def test_a_post_without_categories_is_material_for_the_teachers_subjects_and_classes() -> None:
    post = one_post()
    assert (subject_slugs(post), post.classes, post.kind, post.tags) == \
        (("fisika", "matematika"), ("XI-1",), "materi", ())


# -- which posts, in which order ----------------------------------------------------------


def test_drafts_are_left_out() -> None:
    posts = portal([], [markdown_entry("Siap", "siap"),
                        markdown_entry("Belum", "belum", draft=True)]).posts
    assert [p.title for p in posts] == ["Siap"]


def test_teachers_no_longer_in_site_yml_are_left_out() -> None:
    feeds = (FeedStatus("budi", "feeds/budi.xml"), FeedStatus("lama", "feeds/lama.xml"))
    result = portal([feed_entry(teacher="budi", title="Tetap"),
                     feed_entry(teacher="lama", title="Pergi")],
                    [markdown_entry("Pergi juga", "pergi", teacher="lama")], feeds=feeds)
    assert [p.title for p in result.posts] == ["Tetap"]
    assert [f.teacher for f in result.feeds] == ["budi"]


def test_feed_status_of_a_teacher_without_a_blog_any_more_is_left_out() -> None:
    # Sari's `blog:` was removed: her old feed's error must not stay in the report forever.
    feeds = (FeedStatus("budi", "feeds/budi.xml"),
             FeedStatus("sari", "https://busari.example/feed/", error="HTTPStatusError: 404"))
    assert [f.teacher for f in portal([], feeds=feeds).feeds] == ["budi"]


def test_posts_are_newest_first_across_teachers_and_sources() -> None:
    result = portal(
        [feed_entry(title="Dua", published=DAY + timedelta(days=2)),
         feed_entry(title="Nol", published=DAY),
         feed_entry(title="Tiga", teacher="sari", published=DAY + timedelta(days=3))],
        [markdown_entry("Satu", "satu", published=DAY + timedelta(days=1)),
         markdown_entry("Empat", "empat", published=DAY + timedelta(days=4))])
    assert [p.title for p in result.posts] == ["Empat", "Tiga", "Dua", "Satu", "Nol"]


# -- addresses ----------------------------------------------------------------------------


def test_feed_post_slug_is_its_date_and_title() -> None:
    post = one_post()
    assert post.slug == "2026-11-10-latihan"
    assert Layout().post(post) == "guru/budi/2026-11-10-latihan/"


def test_slug_date_is_the_schools_date() -> None:
    # 23:30 UTC on the 19th is 06:30 on the 20th in Jakarta, where it was posted.
    entry = feed_entry(title="Pagi", published=datetime(2026, 11, 19, 23, 30, tzinfo=UTC))
    assert portal([entry]).posts[0].slug == "2026-11-20-pagi"


def test_slug_of_a_title_without_letters() -> None:
    assert portal([feed_entry(title="!!!")]).posts[0].slug == "2026-11-10-tulisan"


def test_slugs_are_unique_per_teacher_and_stable() -> None:
    entries = [feed_entry(title="Latihan", entry_id="b"),
               feed_entry(title="Latihan", entry_id="a"),
               feed_entry(title="Latihan", entry_id="c", teacher="sari"),
               feed_entry(title="Latihan", entry_id="d", published=DAY + timedelta(hours=1))]
    expected = {("budi", "2026-11-10-latihan"), ("budi", "2026-11-10-latihan-2"),
                ("budi", "2026-11-10-latihan-3"), ("sari", "2026-11-10-latihan")}
    first = portal(entries).posts
    assert {(p.teacher.slug, p.slug) for p in first} == expected
    # Same posts in another order: every post keeps its address.
    again = portal(list(reversed(entries))).posts
    assert [(p.published, p.teacher.slug, p.slug) for p in again] == \
        [(p.published, p.teacher.slug, p.slug) for p in first]
    # The oldest post keeps the plain address; a newer namesake gets a number.
    assert portal(entries).posts[0].slug == "2026-11-10-latihan-3"


def test_markdown_slug_wins_over_a_feed_slug() -> None:
    result = portal([feed_entry(title="Latihan", teacher="sari")],
                    [markdown_entry("Latihan", "2026-11-10-latihan")])
    by_origin = {p.origin: p.slug for p in result.posts}
    assert by_origin == {"markdown": "2026-11-10-latihan", "feed": "2026-11-10-latihan-2"}


def test_markdown_posts_keep_what_the_teacher_wrote() -> None:
    (post,) = portal([], [markdown_entry("PR Bab 3", "pr-bab-3", kind="tugas")]).posts
    assert (subject_slugs(post), post.classes, post.kind) == (("matematika",), ("X-1",), "tugas")


def test_a_post_keeps_its_html_compressed_and_gives_it_back_whole() -> None:
    """A district's posts' HTML is most of what a build holds while pages render."""
    html = "<p>Persamaan kuadrat: x² \u2212 5x + 6 = 0 ✓ 🙂</p>\n" * 200
    (post,) = portal([replace(feed_entry(), html=pack_html(html))]).posts
    assert post.content_html == html
    assert len(post.html) * 5 < len(html.encode())


def test_a_markdown_post_dated_later_appears_when_its_time_comes() -> None:
    """Issue 26: `date: 9999-12-31` with `kind: pengumuman` sat first on the home page."""
    later = NOW + timedelta(hours=5)
    entries = [markdown_entry("Ujian", "ujian", published=later, kind="pengumuman"),
               markdown_entry("Materi", "materi")]
    before = collect(make_site(), [], entries, [], NOW)
    assert [p.title for p in before.posts] == ["Materi"]
    assert [p.title for p in collect(make_site(), [], entries, [], later).posts] == \
        ["Ujian", "Materi"]


def test_a_feed_post_dated_later_is_shown_the_blog_published_it() -> None:
    """A blog's feed lists what it has published: a date a little ahead is a clock or
    time zone slip (the archive shows one far ahead under the day it was first seen)."""
    entry = feed_entry(("Fisika",), published=NOW + timedelta(hours=5))
    assert len(collect(make_site(), [entry], [], [], NOW).posts) == 1
