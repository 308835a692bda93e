"""The labelled blog posts of tests/fixtures/assignments/posts.yml, and how a reading of
them is scored: shared by tests/test_assignments.py and bench/assignments.py (issue 20).

Only the standard library and PyYAML here, so that bench/assignments.py can score
`dateparser` in a virtual environment that holds it and not Mading.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml

SET_FILE = Path(__file__).parent / "fixtures" / "assignments" / "posts.yml"


@dataclass(frozen=True)
class Labelled:
    """One post as its feed gives it, and what a reader takes from it."""

    id: str
    teacher: str
    title: str
    html: str
    categories: tuple[str, ...]
    published: datetime
    kind: str
    due: str | None
    """`YYYY-MM-DD HH:MM` (a time stated), `YYYY-MM-DD` (a day only) or None."""
    classes: tuple[str, ...]
    hand_in: str

    @property
    def link(self) -> str:
        return f"https://blog.example.org/{self.teacher}/{self.id}/"


@dataclass(frozen=True)
class LabelledSet:
    timezone: str
    classes: tuple[str, ...]
    aliases: dict[str, tuple[str, ...]]
    teachers: dict[str, tuple[str, ...]]
    posts: tuple[Labelled, ...]


def load(path: Path = SET_FILE) -> LabelledSet:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    site = data["site"]
    classes, aliases = [], {}
    for item in site["classes"]:
        if isinstance(item, dict):
            classes.append(item["name"])
            aliases[item["name"]] = tuple(item.get("aliases") or ())
        else:
            classes.append(item)
    posts = []
    for raw in data["posts"]:
        expect = raw["expect"]
        published = raw["published"]
        if isinstance(published, str):
            published = datetime.fromisoformat(published)
        if published.tzinfo is None:
            published = published.replace(tzinfo=UTC)
        posts.append(Labelled(
            id=raw["id"], teacher=raw["teacher"], title=raw["title"], html=raw["html"],
            categories=tuple(raw.get("categories") or ()), published=published,
            kind=expect["kind"], due=expect.get("due"),
            classes=tuple(expect.get("classes") or ()), hand_in=expect.get("hand_in") or ""))
    return LabelledSet(timezone=site["timezone"], classes=tuple(classes), aliases=aliases,
                       teachers={k: tuple(v or ()) for k, v in site["teachers"].items()},
                       posts=tuple(posts))


@dataclass(frozen=True)
class Read:
    """What a reader (Mading, or dateparser) took from one post."""

    assignment: bool
    due: str | None = None
    """As `Labelled.due`: with a time only when one was read."""
    classes: tuple[str, ...] = ()
    hand_in: str = ""


@dataclass(frozen=True)
class Ratio:
    right: int
    of: int

    @property
    def share(self) -> float:
        return self.right / self.of if self.of else 1.0

    def __str__(self) -> str:
        return f"{self.share:.1%} ({self.right}/{self.of})" if self.of else "n/a (0/0)"


@dataclass(frozen=True)
class Score:
    kind_precision: Ratio
    """Of the posts read as assignments, how many are."""
    kind_recall: Ratio
    false_assignments: Ratio
    """Of the posts that are not assignments, how many were read as assignments."""
    unlabelled_false: Ratio
    """The same, among posts with no kind label at all."""
    day_precision: Ratio
    """Of the assignments given a deadline, how many on the right day."""
    day_recall: Ratio
    """Of the assignments that state a deadline, how many got the right day."""
    time_precision: Ratio
    time_recall: Ratio
    """Of the assignments that state a time, how many got the right day and time."""
    classes_right: Ratio
    """Of the assignments, how many got exactly their classes."""
    hand_in_right: Ratio
    """Of the assignments, how many got where to hand in (the label as the start of what
    was read), or nothing when the post does not say."""
    misses: tuple[str, ...]


KIND_LABELS = frozenset({"tugas", "pr", "pekerjaan rumah", "materi", "pengumuman", "info",
                         "homework", "remedial", "kuis", "proyek"})


def score(labelled: Iterable[Labelled], read: Callable[[Labelled], Read]) -> Score:
    counts: dict[str, list[int]] = {}

    def count(name: str, right: bool) -> None:
        pair = counts.setdefault(name, [0, 0])
        pair[0] += right
        pair[1] += 1

    misses = []
    for post in labelled:
        got = read(post)
        truth = post.kind == "tugas"
        wrong = []
        if got.assignment:
            count("kind_precision", truth)
        if truth:
            count("kind_recall", got.assignment)
        else:
            count("false", not got.assignment)
            if not {c.lower() for c in post.categories} & KIND_LABELS:
                count("unlabelled_false", not got.assignment)
        if got.assignment != truth:
            wrong.append(f"kind {'tugas' if got.assignment else 'not tugas'}")
        if truth:
            day_right = got.due is not None and post.due is not None \
                and got.due[:10] == post.due[:10]
            time_right = day_right and got.due == post.due
            if got.due is not None:
                count("day_precision", day_right)
                if len(got.due) > 10:
                    count("time_precision", time_right)
            if post.due is not None:
                count("day_recall", day_right)
                if len(post.due) > 10:
                    count("time_recall", time_right)
            if got.due != post.due:
                wrong.append(f"due {got.due} (labelled {post.due})")
            count("classes", set(got.classes) == set(post.classes))
            if set(got.classes) != set(post.classes):
                wrong.append(f"classes {list(got.classes)} (labelled {list(post.classes)})")
            hand_in_right = got.hand_in.lower().startswith(post.hand_in.lower()) \
                if post.hand_in else not got.hand_in
            count("hand_in", hand_in_right)
            if not hand_in_right:
                wrong.append(f"hand in {got.hand_in!r} (labelled {post.hand_in!r})")
        if wrong:
            misses.append(f"{post.id}: {'; '.join(wrong)}")

    def ratio(name: str, invert: bool = False) -> Ratio:
        right, of = counts.get(name, [0, 0])
        return Ratio(of - right if invert else right, of)

    return Score(kind_precision=ratio("kind_precision"), kind_recall=ratio("kind_recall"),
                 false_assignments=ratio("false", invert=True),
                 unlabelled_false=ratio("unlabelled_false", invert=True),
                 day_precision=ratio("day_precision"), day_recall=ratio("day_recall"),
                 time_precision=ratio("time_precision"), time_recall=ratio("time_recall"),
                 classes_right=ratio("classes"), hand_in_right=ratio("hand_in"),
                 misses=tuple(misses))


def due_text(due: datetime | None, all_day: bool) -> str | None:
    if due is None:
        return None
    return f"{due:%Y-%m-%d}" if all_day else f"{due:%Y-%m-%d %H:%M}"


def read_with_mading(data: LabelledSet) -> dict[str, Read]:
    """Every post of the set as `collect` makes it from its feed entry: the real pipeline
    from categories to the post's kind, deadline, classes and hand-in."""
    from generator.collect import collect
    from generator.models import Entry, FeedFile, School, Site, Teacher, pack_html

    site = Site(
        school=School("Sekolah Uji", "https://uji.sch.id/", "id", data.timezone),
        subjects=(), classes=data.classes,
        class_aliases=tuple((name, aliases) for name, aliases in data.aliases.items()),
        teachers=tuple(Teacher(slug.title(), slug, (), classes, blog=FeedFile(f"feeds/{slug}.xml"))
                       for slug, classes in data.teachers.items()),
        root=Path("/sekolah"), config_file=Path("/sekolah/site.yml"))
    entries = [Entry(teacher=post.teacher, entry_id=post.link, origin="feed", title=post.title,
                     published=post.published, html=pack_html(post.html), link=post.link,
                     categories=post.categories) for post in data.posts]
    portal = collect(site, entries, [], [], max(post.published for post in data.posts))
    by_link = {post.link: post for post in portal.posts}
    found = {}
    for labelled in data.posts:
        post = by_link[labelled.link]
        found[labelled.id] = Read(assignment=post.kind == "tugas",
                                  due=due_text(post.due, post.due_all_day),
                                  classes=post.classes, hand_in=post.hand_in)
    return found
