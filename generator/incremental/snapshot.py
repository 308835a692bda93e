"""Whether the previous build's output is still what a build would write now.

Checked before any post is read: for a district (90,000 posts, 200,000 files), loading
every post and hashing every page only to find each one as it was takes minutes. The
output is current when

- the inputs are as they were (`input_digest`): the code and theme, `site.yml`, every file
  under `content/`, every photo and feed file (by size, time and inode), the archive's
  revision and what the pages may show of each feed's status;
- the clock has not gone back, nor passed the first due date after the last build
  (`Snapshot.horizon`: that assignment would move from "upcoming" to "past", or a past
  one would leave the calendars, `clock.next_change`), nor reached the time of the
  first scheduled post (`Snapshot.scheduled`: it would appear);
- every time-dependent value a page showed (`3 hari lagi`, the "active" badge) reads the
  same now: the pages' recorded calls, replayed by the caller;
- the output folder holds exactly the files the last build left there, untouched: the
  state of each file and folder it listed is as it was (`stat_listed`; the search index
  by its folders, see `walk_files`).

Anything else, and the build runs as usual (itself incremental, page by page).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from generator.errors import Problem
from generator.incremental.files import files_in, state_of_path
from generator.incremental.fingerprint import code_fingerprint
from generator.models import FeedFile, FeedStatus, Site


@dataclass(frozen=True)
class Snapshot:
    """What a complete build left for the next one to decide by."""

    inputs: str
    """`input_digest` as the build saw it."""
    generated: datetime
    """The build's clock."""
    horizon: datetime | None
    """When the pages' assignments would next move (`clock.next_change`), if ever."""
    last_posts: dict[str, datetime]
    """Each teacher's newest post: what the "active" badges and teacher lists replay."""
    problems: tuple[Problem, ...]
    """The content problems the build reported: a current output reports them again."""
    posts: int
    calls: tuple[tuple[str, str, str], ...] = ()
    """The distinct time-dependent values the pages showed, (name, argument, result):
    a district's 240,000 pages show some 30,000, replayed once each."""
    output: str = ""
    """`listing_digest` of the output's files and folders as the build left them."""
    pages: int = 0
    """Files the build wrote, the search index aside."""
    scheduled: datetime | None = None
    """The time of the first Markdown post dated after `generated`, if any: the build left
    it out, and the one from that time on must show it (issue 26)."""

    def holds_at(self, now: datetime) -> bool:
        return self.generated <= now and (self.horizon is None or now <= self.horizon) and \
            (self.scheduled is None or now < self.scheduled)

    def dumps(self) -> str:
        return json.dumps({
            "inputs": self.inputs, "generated": self.generated.isoformat(),
            "horizon": self.horizon.isoformat() if self.horizon else None,
            "last_posts": {slug: value.isoformat() for slug, value in self.last_posts.items()},
            "problems": [[p.where, p.message, p.line] for p in self.problems],
            "posts": self.posts, "calls": self.calls, "output": self.output,
            "pages": self.pages,
            "scheduled": self.scheduled.isoformat() if self.scheduled else None})

    @classmethod
    def loads(cls, text: str) -> Snapshot:
        data: dict[str, Any] = json.loads(text)
        return cls(
            inputs=data["inputs"], generated=datetime.fromisoformat(data["generated"]),
            horizon=datetime.fromisoformat(data["horizon"]) if data["horizon"] else None,
            last_posts={slug: datetime.fromisoformat(value)
                        for slug, value in data["last_posts"].items()},
            problems=tuple(Problem(where, message, line)
                           for where, message, line in data["problems"]),
            posts=int(data["posts"]),
            calls=tuple((str(name), str(argument), str(result))
                        for name, argument, result in data["calls"]),
            output=str(data["output"]), pages=int(data["pages"]),
            scheduled=datetime.fromisoformat(data["scheduled"]) if data.get("scheduled")
            else None)


def input_digest(site: Site, revision: int, statuses: Iterable[FeedStatus],
                 teacher: str | None) -> str:
    """A hash of everything a build reads except the clock and the output folder.

    Files count by size, modification time and inode, as for rsync's quick check: a
    teacher's save, a `git pull` or a copied file changes at least one of them. `teacher`
    is the micro-site being built (`--teacher`), if any.
    """
    digest = hashlib.sha256(f"{code_fingerprint()}\0{teacher}\0{revision}\0".encode())
    digest.update(site.config_file.read_bytes())
    digest.update(f"{site.school.url}\0".encode())  # `--url` is not in site.yml
    for status in statuses:
        # What pages show of a feed; not the fetch's bookkeeping (see memo.shown).
        digest.update(repr((status.teacher, status.source, status.home_page, status.feed_url,
                            status.title, status.error)).encode())
    extra = [site.corrections_file]  # koreksi.yml (issue 20), present or not
    extra += [t.photo for t in site.teachers if t.photo is not None]
    # Pictures fetched since (issue 27) change post pages without changing the archive.
    extra.append(site.images_dir / "index.sqlite")
    extra += [site.root / t.blog.path for t in site.teachers if isinstance(t.blog, FeedFile)]
    for path in sorted(set(extra)):
        digest.update(f"{path}\0{state_of_path(path)}\0".encode())
    for relative, state in sorted(files_in(site.content_dir, follow=True).items()):
        digest.update(f"{relative}\0{state}\0".encode())
    return digest.hexdigest()
