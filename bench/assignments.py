"""How well Mading reads assignments from blog posts (issue 20): precision and recall.

    .venv/bin/python bench/assignments.py               # Mading's reading, and its cost
    /path/to/venv/bin/python bench/assignments.py --dateparser   # dateparser's, for the
                                                        # deadline alone (needs dateparser
                                                        # and PyYAML, not Mading)

Scores the labelled posts of tests/fixtures/assignments/: posts.yml (the reading was
developed on it), held-out.yml (labelled after the reading was written; its two misses then
changed the reading) and held-out-2.yml (labelled after that change, never used to change
the reading), each apart, then all. For Mading, every post goes through `collect` as a feed
entry, the real pipeline from categories to the post. Printed: kind (precision, recall, non-
assignments shown as assignments, also among posts with no kind label), deadline day and
time (precision over the deadlines read, recall over the deadlines stated), classes and
hand-in (share of assignments right), and what each miss was. Then the time one post's
reading costs, cold (read_post) and through collect, first and again (the in-process cache).

Not a test: nothing here runs in `make test`; tests/test_assignments.py holds the targets.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.assignment_set import (
    SET_FILE,
    Labelled,
    LabelledSet,
    Read,
    Score,
    load,
    score,
)

SETS = {"development (posts.yml)": SET_FILE,
        "held out, then used (held-out.yml)": SET_FILE.parent / "held-out.yml",
        "held out, then used (held-out-2.yml)": SET_FILE.parent / "held-out-2.yml",
        "held out (held-out-3.yml)": SET_FILE.parent / "held-out-3.yml"}


def show(title: str, result: Score, posts: int) -> None:
    print(f"\n## {title}: {posts} posts")
    print(f"kind: precision {result.kind_precision}, recall {result.kind_recall}")
    print(f"non-assignments shown as assignments: {result.false_assignments}; "
          f"among posts with no kind label: {result.unlabelled_false}")
    print(f"deadline day: precision {result.day_precision}, recall {result.day_recall}")
    print(f"deadline time: precision {result.time_precision}, recall {result.time_recall}")
    print(f"classes right: {result.classes_right}")
    print(f"hand-in right: {result.hand_in_right}")
    for miss in result.misses:
        print(f"  miss: {miss}")


def mading() -> None:
    from generator.assignments import read_post
    from generator.classes import ClassIndex
    from tests.assignment_set import read_with_mading

    loaded = {name: load(path) for name, path in SETS.items()}
    found: dict[str, dict[str, Read]] = {}
    for name, data in loaded.items():
        found[name] = read_with_mading(data)
        show(name, score(data.posts, lambda post, n=name: found[n][post.id]),
             len(data.posts))
    every = [post for data in loaded.values() for post in data.posts]
    show("all", score(every, lambda post: next(f[post.id] for f in found.values()
                                                if post.id in f)), len(every))

    data = next(iter(loaded.values()))
    zone = ZoneInfo(data.timezone)
    index = ClassIndex.build(data.classes, data.aliases)
    rounds = 50
    start = time.process_time()
    for _ in range(rounds):
        for post in every:
            read_post(post.title, post.html, post.published, zone, index,
                      data.teachers[post.teacher], None, ())
    cold = (time.process_time() - start) / (rounds * len(every))
    print(f"\nread_post: {cold * 1e6:.0f} µs a post ({rounds} rounds of {len(every)} posts; "
          f"90,000 posts: {cold * 90_000:.1f} s)")
    _collect_cost(data, every)


def _collect_cost(data: LabelledSet, every: list[Labelled]) -> None:
    """collect over many distinct entries, then again: the second run finds every reading
    in the in-process cache."""
    from dataclasses import replace

    from generator.collect import collect
    from generator.models import Entry, School, Site, Teacher
    from generator.models import pack_html as pack

    copies = 40
    site = Site(school=School("Uji", "https://uji.sch.id/", "id", data.timezone), subjects=(),
                classes=data.classes,
                class_aliases=tuple((n, a) for n, a in data.aliases.items()),
                teachers=tuple(Teacher(s, s, (), c) for s, c in data.teachers.items()),
                root=Path("/s"), config_file=Path("/s/site.yml"))
    base = [Entry(teacher=p.teacher, entry_id=p.link, origin="feed", title=p.title,
                  published=p.published, html=pack(p.html), link=p.link,
                  categories=p.categories) for p in every]
    entries = [replace(e, entry_id=f"{e.entry_id}{n}", link=f"{e.link}{n}")
               for n in range(copies) for e in base]
    plain = [replace(e, html=pack("<p>Materi.</p>"), title="Materi") for e in entries]
    timings = []
    for batch in (plain, entries, entries):
        start = time.process_time()
        collect(site, batch, [], [], datetime(2027, 1, 1, tzinfo=ZoneInfo(data.timezone)))
        timings.append((time.process_time() - start) / len(batch))
    print(f"collect: {timings[1] * 1e6:.0f} µs a post read for the first time, "
          f"{timings[2] * 1e6:.0f} µs again (cached), against {timings[0] * 1e6:.0f} µs "
          f"for a one-line post read the first time ({len(entries)} entries)")


_TAG = re.compile(r"<[^>]+>")
_TIME_WRITTEN = re.compile(r"(?i)\b(?:pukul|jam|pk\.?)\s*\d|\d[.:]\d\d")


def with_dateparser() -> None:
    """dateparser's `search_dates` on the deadline alone: the first date it finds on or
    after the day of publication (its kind and classes are not dateparser's to read)."""
    from dateparser.search import search_dates  # type: ignore[import-not-found]

    def read(post: Labelled, zone: ZoneInfo) -> Read:
        text = html.unescape(_TAG.sub(" ", post.html))
        local = post.published.astimezone(zone)
        settings = {"RELATIVE_BASE": local.replace(tzinfo=None),
                    "PREFER_DATES_FROM": "future", "RETURN_AS_TIMEZONE_AWARE": False}
        found = search_dates(f"{post.title}. {text}", languages=["id", "en"],
                             settings=settings) or []
        for written, moment in found:
            if moment.date() >= local.date():
                due = f"{moment:%Y-%m-%d %H:%M}" if _TIME_WRITTEN.search(written) \
                    else f"{moment:%Y-%m-%d}"
                return Read(assignment=True, due=due, classes=post.classes,
                            hand_in=post.hand_in)
        return Read(assignment=True, classes=post.classes, hand_in=post.hand_in)

    every = []
    for name, path in SETS.items():
        data = load(path)
        zone = ZoneInfo(data.timezone)
        assignments = [p for p in data.posts if p.kind == "tugas"]
        every.extend((p, zone) for p in assignments)
        show(f"dateparser, {name}, assignments only",
             score(assignments, lambda p, z=zone: read(p, z)), len(assignments))
    print("\n(kind, classes and hand-in are the labels themselves here: only the deadline is"
          " dateparser's)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dateparser", action="store_true",
                        help="score dateparser's search_dates on the deadlines instead")
    args = parser.parse_args()
    if args.dateparser:
        with_dateparser()
    else:
        mading()


if __name__ == "__main__":
    main()
