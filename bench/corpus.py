"""Write one benchmark corpus (teachers x posts) as four site folders: Mading, Pelican,
MkDocs-Material (blog plugin) and Hugo.

    python3 bench/corpus.py --teachers 58 --posts 20 --feed-share 0.2 --out bench/out/corpus

Deterministic: everything comes from one seeded `random.Random` and a fixed anchor date
(2026-11-01), never from the clock, so two runs write byte-identical trees and the tools
are compared on the same posts on every machine.

The same logical posts go into every tree. A share of the teachers (`--feed-share`) blog
elsewhere: for Mading they are RSS 2.0 feed files in the site folder (`blog:
feeds/<slug>.xml`, read with --offline), with `content:encoded` HTML made from the same
blocks; the peers cannot read feeds, so they get those posts as Markdown files like the
others. Only the standard library is used: the script runs with any Python 3.11.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import multiprocessing
import os
import random
import re
import shutil
import sys
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

from corpus_text import (
    DEGREES,
    FIRST_NAMES,
    LAST_NAMES,
    SUBJECTS,
    Block,
    Kind,
    PostText,
    SubjectText,
    write_post,
)

WIB = timezone(timedelta(hours=7), "WIB")
ANCHOR = datetime(2026, 11, 1, 7, 0, tzinfo=WIB)
"""Posts are dated over the two years before this moment."""
SCHOOL_URL = "https://bench.example.sch.id/"
CLASSES = tuple(f"{grade}-{n}" for grade in ("X", "XI", "XII") for n in range(1, 5))
KINDS: tuple[Kind, ...] = ("materi", "tugas", "pengumuman")
KIND_WEIGHTS = (55, 30, 15)
KIND_LABELS = {"materi": "Materi", "tugas": "Tugas", "pengumuman": "Pengumuman"}
IMAGE = "bench.svg"
PAGE_SIZE = 20
"""Posts per listing page in every tool: Mading's default `portal.page_size`."""


@dataclass(frozen=True)
class Teacher:
    name: str
    slug: str
    subjects: tuple[SubjectText, ...]
    classes: tuple[str, ...]
    feed: bool
    """Blogs elsewhere: a feed file for Mading, Markdown files for the peers."""


@dataclass(frozen=True)
class Post:
    teacher: Teacher
    subject: SubjectText
    stem: str
    """File name without `.md`, unique per teacher (Mading's post slug)."""
    number: int
    published: datetime
    text: PostText

    @property
    def slug(self) -> str:
        """Unique across the corpus: the peers keep all posts in one URL space."""
        return f"{self.teacher.slug}-{self.stem}"


@dataclass(frozen=True)
class Written:
    """What one teacher's files hold (workers send this back, not the posts)."""

    teacher: str
    posts: int
    feed: bool
    words: tuple[int, ...]
    first_stem: str


@dataclass(frozen=True)
class Corpus:
    root: Path
    teachers: tuple[Teacher, ...]
    written: tuple[Written, ...]
    seconds: float
    """Time taken to write it (0 when an existing corpus was reused)."""
    reused: bool = False

    @property
    def posts(self) -> int:
        return sum(w.posts for w in self.written)

    @property
    def feed_posts(self) -> int:
        return sum(w.posts for w in self.written if w.feed)

    def edit_target(self) -> Path:
        """A Markdown post of the Mading tree, the one bench/peers.py edits."""
        first = next(w for w in self.written if not w.feed and w.posts)
        return self.root / "mading" / "content" / first.teacher / f"{first.first_stem}.md"


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens (as generator/slugs.py does)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].rstrip("-")


# --- the logical corpus --------------------------------------------------------------------

def make_teachers(rng: random.Random, count: int, feed_share: float) -> list[Teacher]:
    """`count` teachers with distinct names, every subject taught, `feed_share` on feeds."""
    names = [(first, last) for first in FIRST_NAMES for last in LAST_NAMES]
    rng.shuffle(names)
    feeds = set(rng.sample(range(count), round(count * feed_share)))
    order = list(SUBJECTS)
    rng.shuffle(order)
    teachers = []
    for index in range(count):
        first, last = names[index % len(names)]
        # Past the name bank (more than 5,000 teachers) a number keeps names distinct.
        person = f"{first} {last}" + (f" {index // len(names) + 1}" if index >= len(names)
                                      else "")
        subjects = [order[index % len(order)]]
        if rng.random() < 0.15:
            subjects.append(rng.choice([s for s in SUBJECTS if s is not subjects[0]]))
        grades = rng.sample(("X", "XI", "XII"), rng.randint(1, 2))
        classes = sorted({f"{g}-{n}" for g in grades for n in rng.sample(range(1, 5), 3)},
                         key=CLASSES.index)
        teachers.append(Teacher(f"{person}, {rng.choice(DEGREES)}", slugify(person),
                                tuple(subjects), tuple(classes), index in feeds))
    return teachers


def make_posts(seed: int, teacher: Teacher, count: int) -> list[Post]:
    """A teacher's posts, from a generator of their own: the same teacher writes the same
    posts whatever the number of teachers."""
    rng = random.Random(f"{seed}:{teacher.slug}")
    posts = []
    stems: set[str] = set()
    for number in range(count):
        subject = teacher.subjects[0] if len(teacher.subjects) == 1 or rng.random() < 0.7 \
            else teacher.subjects[1]
        kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
        published = (ANCHOR - timedelta(days=rng.randint(1, 730))).replace(
            hour=rng.randint(6, 21), minute=rng.choice((0, 15, 30, 45)))
        text = write_post(rng, subject, teacher.classes, kind, published)
        stem = f"{published:%Y-%m-%d}-{slugify(text.title)}"
        while stem in stems:
            stem += "-2"
        stems.add(stem)
        posts.append(Post(teacher, subject, stem, number, published, text))
    return posts


# --- two renderings of a post's blocks ------------------------------------------------------

_INLINE = (
    (re.compile(r"`([^`]+)`"), r"<code>\1</code>"),
    (re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)"), r'<a href="\2">\1</a>'),
    (re.compile(r"\*\*(.+?)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"\*(.+?)\*"), r"<em>\1</em>"),
)


def inline_html(text: str) -> str:
    """The inline subset of corpus_text.py as HTML (math stays as its `$...$` source, as
    on a blog without a math plugin)."""
    text = html.escape(text, quote=False)
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    return text


def to_markdown(blocks: Iterable[Block], image: str) -> str:
    parts = []
    for block in blocks:
        kind = block[0]
        if kind == "h2":
            parts.append(f"## {block[1]}")
        elif kind == "p":
            parts.append(block[1])
        elif kind == "ul":
            parts.append("\n".join(f"- {item}" for item in block[1]))
        elif kind == "ol":
            parts.append("\n".join(f"{n}. {item}" for n, item in enumerate(block[1], 1)))
        elif kind == "table":
            header, rows = block[1], block[2]
            lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            lines += ["| " + " | ".join(row) + " |" for row in rows]
            parts.append("\n".join(lines))
        elif kind == "img":
            parts.append(f"![{block[1]}]({image})")
        elif kind == "code":
            parts.append(f"```{block[1]}\n{block[2]}\n```")
        elif kind == "quote":
            parts.append(f"> {block[1]}")
    return "\n\n".join(parts) + "\n"


def to_html(blocks: Iterable[Block], image: str) -> str:
    """The same post as a WordPress feed's `content:encoded` (block editor markup)."""
    parts = []
    for block in blocks:
        kind = block[0]
        if kind == "h2":
            parts.append(f'<h2 class="wp-block-heading">{inline_html(block[1])}</h2>')
        elif kind == "p":
            parts.append(f"<p>{inline_html(block[1])}</p>")
        elif kind in ("ul", "ol"):
            items = "".join(f"<li>{inline_html(item)}</li>" for item in block[1])
            parts.append(f'<{kind} class="wp-block-list">{items}</{kind}>')
        elif kind == "table":
            head = "".join(f"<th>{inline_html(cell)}</th>" for cell in block[1])
            body = "".join("<tr>" + "".join(f"<td>{inline_html(cell)}</td>" for cell in row)
                           + "</tr>" for row in block[2])
            parts.append(f'<figure class="wp-block-table"><table><thead><tr>{head}</tr>'
                         f"</thead><tbody>{body}</tbody></table></figure>")
        elif kind == "img":
            parts.append(f'<figure class="wp-block-image size-large"><img src="{image}" '
                         f'alt="{html.escape(block[1])}" width="320" height="180"/></figure>')
        elif kind == "code":
            parts.append(f'<pre class="wp-block-code"><code>{html.escape(block[2])}'
                         "</code></pre>")
        elif kind == "quote":
            parts.append(f'<blockquote class="wp-block-quote"><p>{inline_html(block[1])}'
                         "</p></blockquote>")
    return "\n".join(parts)


def image_svg() -> str:
    """The one small picture every post shows (a bar chart, about 1 KB)."""
    bars = "".join(f'<rect x="{20 + 45 * i}" y="{150 - h}" width="30" height="{h}" '
                   f'fill="#{c}"/>' for i, (h, c) in enumerate(
                       zip((60, 110, 85, 130, 45, 95), ("2f6f9f", "3f8f5f", "c9812b",
                                                        "8f3f6f", "5f5f9f", "2f8f8f"),
                           strict=True)))
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="320" height="180" '
            'viewBox="0 0 320 180" role="img"><title>Diagram batang</title>'
            '<rect width="320" height="180" fill="#f7f7f2"/>'
            f'{bars}<line x1="10" y1="150" x2="310" y2="150" stroke="#333"/>'
            '<text x="160" y="172" font-size="12" text-anchor="middle" '
            'font-family="sans-serif">Nilai rata-rata per kelas</text></svg>\n')


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def yaml_list(items: Iterable[str]) -> str:
    return "[" + ", ".join(q(item) for item in items) + "]"


# --- the four trees ------------------------------------------------------------------------

def write_mading_site(root: Path, teachers: list[Teacher]) -> None:
    """site.yml: the school, its subjects and classes, every teacher (a feed file's path as
    `blog:` for those who blog elsewhere)."""
    lines = ["school:", "  name: SMA Negeri 1 Sukamaju (benchmark)", f"  url: {SCHOOL_URL}",
             "  language: id", "  timezone: Asia/Jakarta",
             "  description: Korpus uji kecepatan Mading, dibuat oleh bench/corpus.py.",
             "subjects:"]
    for subject in SUBJECTS:
        lines += [f"  - name: {q(subject.name)}", f"    aliases: {yaml_list(subject.aliases)}"]
    lines += [f"classes: {yaml_list(CLASSES)}", "teachers:"]
    for t in teachers:
        lines += [f"  - name: {q(t.name)}", f"    slug: {t.slug}",
                  f"    subjects: {yaml_list(s.name for s in t.subjects)}",
                  f"    classes: {yaml_list(t.classes)}",
                  f"    bio: {q(f'Guru {t.subjects[0].name}.')}"]
        if t.feed:
            lines.append(f"    blog: feeds/{t.slug}.xml")
    (root / "feeds").mkdir(parents=True)
    (root / "content").mkdir()
    (root / "site.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_mading_teacher(root: Path, teacher: Teacher, posts: list[Post]) -> None:
    """feeds/<slug>.xml, or content/<slug>/*.md with the picture beside the posts (Mading
    publishes only the files next to a post)."""
    if teacher.feed:
        (root / "feeds" / f"{teacher.slug}.xml").write_text(rss_feed(teacher, posts),
                                                            encoding="utf-8")
        return
    folder = root / "content" / teacher.slug
    folder.mkdir()
    (folder / IMAGE).write_text(image_svg(), encoding="utf-8")
    for post in posts:
        text = post.text
        front = ["---", f"title: {q(text.title)}", f"date: {post.published:%Y-%m-%d %H:%M}",
                 f"subjects: {yaml_list([post.subject.name])}",
                 f"classes: {yaml_list(text.classes)}", f"kind: {text.kind}"]
        if text.due:
            front.append(f"due: {text.due:%Y-%m-%d %H:%M}")
        front += [f"tags: {yaml_list(text.tags)}", f"summary: {q(text.summary)}", "---", ""]
        (folder / f"{post.stem}.md").write_text(
            "\n".join(front) + to_markdown(text.blocks, IMAGE), encoding="utf-8")


def rss_feed(teacher: Teacher, posts: list[Post]) -> str:
    """A WordPress-shaped RSS 2.0 feed holding all of a teacher's posts."""
    home = f"https://{teacher.slug}.guru.example/"
    image = f"{home}wp-content/uploads/{IMAGE}"
    newest = max((p.published for p in posts), default=ANCHOR)
    items = []
    for post in sorted(posts, key=lambda p: p.published, reverse=True):
        text = post.text
        label = random.Random(post.slug).choice((post.subject.name, *post.subject.aliases))
        categories = [label, *(f"Kelas {c}" for c in text.classes), KIND_LABELS[text.kind],
                      *text.tags]
        link = f"{home}{post.published:%Y/%m/%d}/{slugify(text.title)}/"
        items.append(
            "  <item>\n"
            f"    <title>{html.escape(text.title)}</title>\n"
            f"    <link>{link}</link>\n"
            f"    <dc:creator><![CDATA[{teacher.name}]]></dc:creator>\n"
            f"    <pubDate>{format_datetime(post.published)}</pubDate>\n"
            + "".join(f"    <category><![CDATA[{c}]]></category>\n" for c in categories)
            + f'    <guid isPermaLink="false">{home}?p={1000 + post.number}</guid>\n'
            f"    <description><![CDATA[{text.summary}]]></description>\n"
            f"    <content:encoded><![CDATA[{to_html(text.blocks, image)}]]>"
            "</content:encoded>\n"
            "  </item>\n")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n'
            f"  <title>Blog {html.escape(teacher.name)}</title>\n"
            f'  <atom:link href="{home}feed/" rel="self" type="application/rss+xml"/>\n'
            f"  <link>{home}</link>\n"
            f"  <description>Catatan pelajaran {teacher.subjects[0].name}</description>\n"
            f"  <lastBuildDate>{format_datetime(newest)}</lastBuildDate>\n"
            "  <language>id</language>\n"
            "  <generator>https://wordpress.org/?v=6.6</generator>\n"
            + "".join(items) + "</channel>\n</rss>\n")


PELICANCONF = f'''"""Pelican settings of the benchmark corpus (written by bench/corpus.py)."""

AUTHOR = "Guru SMA Negeri 1 Sukamaju"
SITENAME = "SMA Negeri 1 Sukamaju (benchmark)"
SITEURL = "{SCHOOL_URL.rstrip('/')}"
# Links relative, as in Mading's output; feeds keep absolute links through FEED_DOMAIN.
RELATIVE_URLS = True
FEED_DOMAIN = SITEURL
PATH = "content"
STATIC_PATHS = ["images"]
TIMEZONE = "Asia/Jakarta"
DEFAULT_LANG = "id"
# The same page size as Mading's listings (Pelican's default is no pagination at all).
DEFAULT_PAGINATION = {PAGE_SIZE}
# Everything else is Pelican's default: the notmyidea theme; Atom feeds for all posts, per
# category and per author, RSS per author; category, tag, author and archive pages.
'''


def write_pelican_site(root: Path) -> None:
    (root / "content" / "images").mkdir(parents=True)
    (root / "content" / "images" / IMAGE).write_text(image_svg(), encoding="utf-8")
    (root / "pelicanconf.py").write_text(PELICANCONF, encoding="utf-8")


def write_pelican_teacher(root: Path, teacher: Teacher, posts: list[Post]) -> None:
    folder = root / "content" / teacher.slug
    folder.mkdir()
    for post in posts:
        text = post.text
        # Pelican has one category per post (the subject); classes and kind become tags.
        header = [f"Title: {text.title}", f"Date: {post.published:%Y-%m-%d %H:%M}",
                  f"Category: {post.subject.name}",
                  f"Tags: {', '.join((*text.classes, text.kind, *text.tags))}",
                  f"Author: {teacher.name}", f"Slug: {post.slug}",
                  f"Summary: {text.summary}", "", ""]
        (folder / f"{post.stem}.md").write_text(
            "\n".join(header) + to_markdown(text.blocks, "{static}/images/" + IMAGE),
            encoding="utf-8")


MKDOCS_YML = f"""# MkDocs-Material settings of the benchmark corpus (written by bench/corpus.py).
site_name: SMA Negeri 1 Sukamaju (benchmark)
site_url: {SCHOOL_URL}
theme:
  name: material
  language: id
  # No Google Fonts: the build and the pages stay offline.
  font: false
plugins:
  # The built-in search index (Mading indexes its pages with Pagefind).
  - search
  - blog:
      # Defaults kept: archive and category pages, read time, `{{date}}/{{slug}}` URLs.
      # Changed: listings of {PAGE_SIZE} posts as Mading's (default 10), and a page per
      # author, as Mading, Pelican and the Hugo tree have per teacher.
      pagination_per_page: {PAGE_SIZE}
      authors_profiles: true
# No social plugin (it draws cards with network fonts), no privacy plugin, no minify.
markdown_extensions:
  - admonition
  - attr_list
  - md_in_html
  - tables
  - pymdownx.highlight
  - pymdownx.superfences
"""


def write_mkdocs_site(root: Path, teachers: list[Teacher]) -> None:
    docs = root / "docs"
    (docs / "assets").mkdir(parents=True)
    (docs / "blog" / "posts").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    (docs / "assets" / IMAGE).write_text(image_svg(), encoding="utf-8")
    (docs / "index.md").write_text(
        "# SMA Negeri 1 Sukamaju\n\nMateri, tugas, dan pengumuman dari para guru: "
        "lihat [blog](blog/index.md).\n", encoding="utf-8")
    (docs / "blog" / "index.md").write_text("# Blog guru\n", encoding="utf-8")
    authors = ["authors:"]
    for t in teachers:
        authors += [f"  {t.slug}:", f"    name: {q(t.name)}",
                    f"    description: {q('Guru ' + t.subjects[0].name)}",
                    f"    avatar: {SCHOOL_URL}assets/{IMAGE}"]
    (docs / "blog" / ".authors.yml").write_text("\n".join(authors) + "\n", encoding="utf-8")


def write_mkdocs_teacher(root: Path, teacher: Teacher, posts: list[Post]) -> None:
    folder = root / "docs" / "blog" / "posts" / teacher.slug
    folder.mkdir()
    for post in posts:
        text = post.text
        # The blog plugin's categories stand for Mading's subject and class listings.
        front = ["---", f"date: {post.published.isoformat(sep=' ')}",
                 f"categories: {yaml_list((post.subject.name, *text.classes))}",
                 f"authors: [{teacher.slug}]", f"tags: {yaml_list(text.tags)}",
                 f"slug: {post.slug}", f"description: {q(text.summary)}", "---", "",
                 f"# {text.title}", ""]
        # The excerpt on listing pages ends after the first paragraph, as Mading's and
        # Pelican's listings show a summary (without the marker it is the whole post).
        first, *rest = text.blocks
        body = to_markdown([first], "") + "\n<!-- more -->\n\n" + \
            to_markdown(rest, "../../../assets/" + IMAGE)
        (folder / f"{post.stem}.md").write_text("\n".join(front) + body, encoding="utf-8")


HUGO_CONFIG = f"""# Hugo settings of the benchmark corpus (written by bench/corpus.py).
baseURL = "{SCHOOL_URL}"
languageCode = "id"
title = "SMA Negeri 1 Sukamaju (benchmark)"
timeZone = "Asia/Jakarta"
# Links relative, as in Mading's output.
relativeURLs = true
# The same page size as Mading's listings (Hugo's default is 10).
paginate = {PAGE_SIZE}
# Hugo's default taxonomies plus authors, for a page per teacher as Mading has.
[taxonomies]
  category = "categories"
  tag = "tags"
  author = "authors"
"""

HUGO_LAYOUTS = {
    "_default/baseof.html": """<!DOCTYPE html>
<html lang="{{ .Site.LanguageCode }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} | {{ end }}{{ .Site.Title }}</title>
{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" \
href="{{ .RelPermalink }}">{{ end }}
</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a>
<nav><a href="{{ "/categories/" | relURL }}">Kategori</a>
<a href="{{ "/tags/" | relURL }}">Label</a>
<a href="{{ "/authors/" | relURL }}">Guru</a></nav></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
""",
    "_default/single.html": """{{ define "main" }}<article>
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">\
{{ .Date.Format "2 January 2006" }}</time>
{{ range .Param "authors" }} · <a href="{{ "/authors/" | relURL }}{{ . | urlize }}/">\
{{ . }}</a>{{ end }}</p>
<p>{{ range .Param "categories" }}<a href="{{ "/categories/" | relURL }}{{ . | urlize }}/">\
{{ . }}</a> {{ end }}</p>
{{ .Content }}
<p>{{ range .Param "tags" }}<a href="{{ "/tags/" | relURL }}{{ . | urlize }}/">#{{ . }}</a> \
{{ end }}</p>
</article>{{ end }}
""",
    "_default/list.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
{{ $pages := .Pages }}{{ if .IsHome }}{{ $pages = .Site.RegularPages }}{{ end }}
{{ $pager := .Paginate $pages }}
{{ range $pager.Pages }}<article>
<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
{{ if .IsPage }}<p><time>{{ .Date.Format "2 January 2006" }}</time></p>
<p>{{ .Params.summary }}</p>{{ end }}
</article>{{ end }}
{{ template "_internal/pagination.html" . }}
{{ end }}
""",
}


def write_hugo_site(root: Path) -> None:
    """config.toml, a three-template layout of its own (no theme offline), static/ with the
    picture; the posts go to content/posts/<teacher>/*.md."""
    (root / "static" / "images").mkdir(parents=True)
    (root / "static" / "images" / IMAGE).write_text(image_svg(), encoding="utf-8")
    (root / "content" / "posts").mkdir(parents=True)
    (root / "config.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for name, template in HUGO_LAYOUTS.items():
        path = root / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template.replace("\\\n", ""), encoding="utf-8")


def write_hugo_teacher(root: Path, teacher: Teacher, posts: list[Post]) -> None:
    folder = root / "content" / "posts" / teacher.slug
    folder.mkdir()
    for post in posts:
        text = post.text
        front = ["---", f"title: {q(text.title)}", f"date: {post.published.isoformat()}",
                 f"slug: {post.slug}", f"categories: {yaml_list((post.subject.name,))}",
                 f"tags: {yaml_list((*text.classes, text.kind, *text.tags))}",
                 f"authors: {yaml_list((teacher.name,))}",
                 f"summary: {q(text.summary)}", "---", ""]
        (folder / f"{post.stem}.md").write_text(
            "\n".join(front) + to_markdown(text.blocks, "/images/" + IMAGE), encoding="utf-8")


TREES = ("mading", "pelican", "mkdocs", "hugo")


def write_teachers(job: tuple[Path, int, int, list[Teacher]]) -> list[Written]:
    """A worker's share: the posts of some teachers, into all four trees."""
    out, seed, count, teachers = job
    written = []
    for teacher in teachers:
        posts = make_posts(seed, teacher, count)
        write_mading_teacher(out / "mading", teacher, posts)
        write_pelican_teacher(out / "pelican", teacher, posts)
        write_mkdocs_teacher(out / "mkdocs", teacher, posts)
        write_hugo_teacher(out / "hugo", teacher, posts)
        written.append(Written(teacher.slug, len(posts), teacher.feed,
                               tuple(p.text.words for p in posts),
                               posts[0].stem if posts else ""))
    return written


def fingerprint() -> str:
    """Which corpus writer made a corpus: a hash of this file and corpus_text.py."""
    digest = hashlib.sha256()
    for name in ("corpus.py", "corpus_text.py"):
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()[:12]


def generate(out: Path, teachers: int, posts: int, feed_share: float = 0.2,
             seed: int = 7, jobs: int | None = None, reuse: bool = False) -> Corpus:
    """Write the corpus into `out`/{mading,pelican,mkdocs,hugo}, replacing those trees.

    Teachers are shared out between `jobs` processes (the district corpus is 360,000
    files); each teacher's posts come from a generator of their own, so the files do not
    depend on `jobs`. With `reuse`, a complete corpus already in `out` that the same
    writer made with the same arguments is kept as it is (writing the district corpus
    again costs a minute or more, deleting the old one as much again).
    """
    start = time.perf_counter()
    staff = make_teachers(random.Random(seed), teachers, feed_share)
    manifest = out / "corpus.json"
    settings = {"teachers": teachers, "posts_per_teacher": posts, "feed_share": feed_share,
                "seed": seed, "anchor": ANCHOR.isoformat(), "writer": fingerprint()}
    if reuse and manifest.is_file():
        found = json.loads(manifest.read_text(encoding="utf-8"))
        if found.get("settings") == settings:
            kept = tuple(Written(w["teacher"], w["posts"], w["feed"], tuple(w["words"]),
                                 w["first_stem"]) for w in found["written"])
            return Corpus(out, tuple(staff), kept, 0.0, reused=True)
    out.mkdir(parents=True, exist_ok=True)
    manifest.unlink(missing_ok=True)  # written last: only a complete corpus has one
    for tree in TREES:
        shutil.rmtree(out / tree, ignore_errors=True)
    write_mading_site(out / "mading", staff)
    write_pelican_site(out / "pelican")
    write_mkdocs_site(out / "mkdocs", staff)
    write_hugo_site(out / "hugo")
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(staff) // 20 or 1))
    chunk = max(1, min(100, len(staff) // (jobs * 4) or 1))
    work = [(out, seed, posts, staff[i:i + chunk]) for i in range(0, len(staff), chunk)]
    if jobs == 1:
        written = [w for job in work for w in write_teachers(job)]
    else:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            written = [w for part in pool.imap(write_teachers, work) for w in part]
    manifest.write_text(json.dumps(
        {"settings": settings, "written": [w.__dict__ for w in written]}) + "\n",
        encoding="utf-8")
    return Corpus(out, tuple(staff), tuple(written), time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--teachers", type=int, default=58)
    parser.add_argument("--posts", type=int, default=20, help="posts per teacher")
    parser.add_argument("--feed-share", type=float, default=0.2,
                        help="share of the teachers whose posts come from a feed file")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--jobs", type=int, default=None,
                        help="processes writing the files (default: one per CPU)")
    args = parser.parse_args(argv)
    corpus = generate(args.out, args.teachers, args.posts, args.feed_share, args.seed,
                      args.jobs)
    words = sorted(n for w in corpus.written for n in w.words)
    print(f"{corpus.posts:,} posts by {len(corpus.teachers):,} teachers "
          f"({sum(t.feed for t in corpus.teachers)} on feeds, {corpus.feed_posts:,} posts) "
          f"in {corpus.seconds:.1f} s: {args.out}/{{{','.join(TREES)}}}; words per post "
          f"{words[0]}-{words[-1]}, median {words[len(words) // 2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
