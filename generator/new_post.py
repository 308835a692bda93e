"""`mading new`: start a post for a teacher from a commented template.

The template is written in the site's language, its comments say what each key means and
which values the site accepts, so a teacher can fill it in from GitHub's web editor.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from generator.errors import InputError, Problem, display_path
from generator.i18n import Translator
from generator.models import Site
from generator.paths import links_out
from generator.schema import did_you_mean
from generator.slugs import slugify


def post_template(site: Site, teacher_slug: str, title: str, now: datetime) -> str:
    """The front matter and a first paragraph, every key explained in a comment."""
    _ = Translator(site.school.language)
    teacher = site.teacher(teacher_slug)
    subjects = [site.subject(s).name for s in teacher.subjects]
    today = now.astimezone(ZoneInfo(site.school.timezone)).date().isoformat()

    def flow(values: list[str] | tuple[str, ...]) -> str:
        return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in values) + "]"

    lines = [
        "---",
        f"# {_('new.title')}",
        f"title: {json.dumps(title, ensure_ascii=False)}",
        f"# {_('new.date')}",
        f"date: {today}",
        f"# {_('new.subjects', choices=', '.join(s.name for s in site.subjects))}",
        f"subjects: {flow(subjects)}",
        f"# {_('new.classes', choices=', '.join(site.classes) or '-')}",
        f"classes: {flow(teacher.classes)}",
        f"# {_('new.kind')}",
        "kind: materi",
        f"# {_('new.due')}",
        f"# due: {today}",
        f"# {_('new.tags')}",
        "tags: []",
        f"# {_('new.attachments')}",
        "# attachments: [lkpd.pdf]",
        f"# {_('new.draft')}",
        "draft: false",
        "---",
        "",
        _("new.body"),
        "",
    ]
    return "\n".join(lines)


def create_post(site: Site, teacher_slug: str, title: str, now: datetime) -> Path:
    """Write the new post's file and return its path.

    Raises:
        InputError: unknown teacher, a title with no letters, the file exists already, or
            `content/`, the teacher's folder or the file is a link out of the site folder.
    """
    _ = Translator(site.school.language)
    slugs = [t.slug for t in site.teachers]
    if teacher_slug not in slugs:
        raise InputError([Problem("--teacher", _(
            "firstweek.cli.unknown_teacher", slug=teacher_slug,
            hint=did_you_mean(teacher_slug, slugs, _), slugs=", ".join(slugs)))])
    name = slugify(title)
    if not name:
        raise InputError([Problem("mading new", _("new.no_title"))])
    day = now.astimezone(ZoneInfo(site.school.timezone)).date().isoformat()
    path = site.content_dir / teacher_slug / f"{day}-{name}.md"
    # Git keeps symbolic links: one committed as `content/<teacher>` would have the post
    # written wherever it points on the machine, outside the school's repository (issue 8).
    for step, message in ((site.content_dir, "new.folder_links_out"),
                          (path.parent, "new.folder_links_out"), (path, "new.file_links_out")):
        if links_out(step, site.root):
            raise InputError([Problem(display_path(step), _(message))])
    if path.exists():
        raise InputError([Problem(display_path(path), _("new.exists"))])
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # "x" (O_EXCL) neither follows a link nor replaces a file put there meanwhile.
        with open(path, "x", encoding="utf-8") as file:
            file.write(post_template(site, teacher_slug, title, now))
    except FileExistsError:
        raise InputError([Problem(display_path(path), _("new.exists"))]) from None
    return path
