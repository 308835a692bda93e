"""What `mading serve` shows first when a teacher saves a post (issue 23).

A full build of a school reads, renders and indexes every page again, and on a school of
a thousand posts that takes seconds. The saved post's own page is all the open page
needs: here it is made from the portal of the last build, with the saved files read
again and put in place of their posts, by the same reading, collecting and rendering
code as a build. Serve shows these pages at once, then builds the whole portal (lists,
feeds, calendars, search) as before, whose output then stands alone.

Only a save that changes Markdown posts, and reads without a mistake, is shown first;
anything else (site.yml, the theme, a picture, a post removed, a draft, a mistake) waits
for the full build, which reports its problems as it always has.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from generator.collect import collect, portal_order
from generator.errors import InputError
from generator.i18n import Translator
from generator.incremental.clock import TimeValues
from generator.layout import Layout
from generator.models import OutputFile, Portal, Post
from generator.paths import links_out
from generator.picture_copies import prepare_pictures
from generator.pictures import Pictures, picture_key
from generator.sources.content import read_post
from generator.sources.images import ImageStore
from generator.theme import theme_dir


@dataclass(frozen=True)
class Held:
    """The portal serve shows saved posts on: the last full build's, with the posts saved
    since put in; and the saves it takes in (`generation`, counted by serve)."""

    portal: Portal
    pictures: Pictures
    generation: int


def saved_post_files(held: Held, saved: Collection[Path], generation: int,
                     now: datetime) -> tuple[Held, list[OutputFile]] | None:
    """The pages and files of the posts in `saved` (files of content/), and the portal
    that holds them, or None when the save is not only Markdown posts that read well
    and are shown (not drafts, not scheduled later): the full build shows it then."""
    site = held.portal.site
    teachers = {teacher.slug for teacher in site.teachers}
    _ = Translator(site.school.language)
    entries = []
    for path in saved:
        teacher = path.parent.name
        if path.suffix != ".md" or path.parent.parent != site.content_dir or \
                teacher not in teachers or not path.is_file() or path.is_symlink() or \
                links_out(path.parent, site.root):
            return None
        try:
            entries.append(read_post(path, teacher, site, _, now))
        except (InputError, OSError):  # a mistake, or a file saved again meanwhile
            return None
    posts = collect(site, (), entries, held.portal.feeds, now).posts
    if len(posts) != len(entries):
        return None
    portal = _with_posts(held.portal, posts, now)
    if portal is None:
        return None
    saved_pictures = {picture_key(post) for post in posts}
    pictures = {key: found for key, found in held.pictures.items()
                if key not in saved_pictures}
    pictures.update(prepare_pictures(posts, ImageStore(site.images_dir),
                                     local=site.images.local))
    # Imported only now, as a build does: Jinja and the templates' code.
    from generator.render import NoReuse, Renderer, post_page_files

    clock = TimeValues(site, now, portal.newest_posts.get, portal.feed_of)
    renderer = Renderer(portal, theme_dir(), Layout(), NoReuse(), clock, pictures)
    files = [file for post in posts for file in post_page_files(renderer, post)]
    return Held(portal, pictures, generation), files


def _with_posts(portal: Portal, posts: Collection[Post], now: datetime) -> Portal | None:
    """`portal` with `posts` in place of the Markdown posts at their addresses (or added),
    as of `now`; None if one would take a feed post's address, which the full build
    settles (Markdown posts keep their names, feed posts give way)."""
    new = {(post.teacher.slug, post.slug): post for post in posts}
    kept = []
    for post in portal.posts:
        if (post.teacher.slug, post.slug) not in new:
            kept.append(post)
        elif post.origin != "markdown":
            return None
    kept.extend(new.values())
    kept.sort(key=portal_order, reverse=True)
    return replace(portal, posts=tuple(kept), generated=now)
