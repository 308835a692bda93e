"""The `mading` command: argument parsing, messages and exit codes, nothing else.

Exit codes: 0 ok; 1 done, but something needs attention (broken feeds, with --strict);
2 bad input, reported as `FILE:LINE: message` without a traceback, or an archive that
cannot be used now (locked by another command, damaged, a full disk) or an output folder
that cannot be written (a full disk, a read-only one), reported the same way with what
to do about it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal

from generator import __version__
from generator.build import build, load
from generator.cli_language import argparse_in, feed_error, help_language
from generator.config import DEFAULT_URL, load_site
from generator.errors import InputError, MadingError, Problem, display_path
from generator.i18n import DEFAULT_LANGUAGE, LANGUAGES, Translator
from generator.models import FeedNote, FeedStatus, Site
from generator.new_post import create_post
from generator.report import BlogAssignment
from generator.roster import import_teachers
from generator.scaffold import init_school
from generator.tasks import (
    Images,
    SchoolLine,
    archive_lines,
    check,
    export_archive,
    fetch_feeds,
    import_archive,
    report,
)

EXIT_OK, EXIT_ATTENTION, EXIT_BAD_INPUT = 0, 1, 2


def _parser(_: Translator) -> argparse.ArgumentParser:
    """The command line, every text in the language of `_` (argparse's own words too,
    inside `argparse_in`): each command's help is a one-line description, an example and
    its exit codes (issue 21)."""
    parser = argparse.ArgumentParser(
        prog="mading", description=_("cli.description"), epilog=_epilog(_, "mading"),
        formatter_class=argparse.RawDescriptionHelpFormatter)

    def m(name: str) -> str:
        return _(f"firstweek.cli.metavar.{name}")

    parser.add_argument("--version", action="version", version=f"mading {__version__}",
                        help=_("firstweek.cli.version"))
    commands = parser.add_subparsers(dest="command", required=True, metavar=m("command"),
                                     title=_("firstweek.cli.commands"))

    def command(name: str, parent: argparse._SubParsersAction[argparse.ArgumentParser]
                = commands, help_key: str | None = None,
                config: bool = True) -> argparse.ArgumentParser:
        description = _(help_key or f"cli.help.{name}")
        where = name if parent is commands else f"archive {name}"
        sub = parent.add_parser(name, help=description, description=description,
                                epilog=_epilog(_, where),
                                formatter_class=argparse.RawDescriptionHelpFormatter)
        if config:
            sub.add_argument("--config", type=Path, default=Path("site.yml"),
                             metavar=m("file"), help=_("cli.help.config"))
        return sub

    for name in ("build", "serve"):
        sub = command(name)
        sub.add_argument("--output", type=Path, default=Path("public"), metavar=m("folder"),
                         help=_("cli.help.output"))
        sub.add_argument("--offline", action="store_true", help=_("cli.help.offline"))
    commands.choices["build"].add_argument("--strict", action="store_true",
                                           help=_("cli.help.strict"))
    commands.choices["build"].add_argument("--teacher", metavar="SLUG",
                                           help=_("cli.help.teacher"))
    commands.choices["build"].add_argument("--url", metavar=m("url"),
                                           help=_("firstweek.url.help"))
    commands.choices["serve"].add_argument("--port", type=int, default=8000, metavar="PORT",
                                           help=_("cli.help.port"))
    command("fetch")
    command("check")
    new = command("new")
    new.add_argument("--teacher", metavar="SLUG", required=True, help=_("cli.help.new_teacher"))
    new.add_argument("title", metavar=m("title"), help=_("cli.help.new_title"))
    command("report").add_argument("--strict", action="store_true", help=_("cli.help.strict"))
    archive = command("archive", config=False)
    actions = archive.add_subparsers(dest="action", required=True, metavar=m("action"),
                                     title=_("firstweek.cli.commands"))
    command("export", actions).add_argument("file", type=Path, nargs="?", metavar=m("file"),
                                            help=_("cli.help.export_file"))
    command("import", actions).add_argument("file", type=Path, metavar=m("file"),
                                            help=_("cli.help.import_file"))
    init = command("init", help_key="setup.help.init", config=False)
    init.add_argument("folder", type=Path, nargs="?", default=Path("."), metavar=m("folder"),
                      help=_("setup.help.init_folder"))
    init.add_argument("--name", metavar=m("name"), help=_("setup.help.init_name"))
    init.add_argument("--requirement", metavar=m("spec"), help=_("firstweek.init.help_requirement"))
    init.add_argument("--language", choices=LANGUAGES, default=DEFAULT_LANGUAGE,
                      help=_("setup.help.init_language"))
    # Its help is not cli.help.import: that is `mading archive import`'s.
    roster = command("import", help_key="setup.help.import")
    roster.add_argument("--offline", action="store_true", help=_("setup.help.import_offline"))
    roster.add_argument("file", type=Path, metavar=m("file"), help=_("setup.help.import_file"))
    return parser


EXIT_CODES = {
    "mading": ("ok", "feeds", "input"), "build": ("ok", "feeds", "input"),
    "serve": ("stopped", "input"), "report": ("ok", "feeds", "input"),
}
"""The exit codes each command's help lists; the others' are `ok` and `input`."""


def _epilog(_: Translator, command: str) -> str:
    """`--help`'s end: an example or two, then the exit codes the command gives."""
    examples = _(f"firstweek.cli.example.{command.replace(' ', '_')}").splitlines()
    codes = EXIT_CODES.get(command, ("ok", "input"))
    return "\n".join([_("firstweek.cli.examples"), *(f"  {line}" for line in examples), "",
                      _("firstweek.cli.exit_codes"),
                      *(f"  {_(f'firstweek.cli.exit.{code}')}" for code in codes)])


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    language = help_language(argv)
    with argparse_in(language):
        args = _parser(Translator(language)).parse_args(argv)
    try:
        if args.command == "build":
            return _build(args)
        if args.command == "serve":
            from generator.serve import serve

            return serve(args.config, args.output, args.port, offline=args.offline)
        if args.command == "init":
            return _init(args)
        # A cluster or district knows its schools' teachers from their portals' indexes,
        # which `mading fetch` reads again (issue 25).
        site, _local = load(args.config, build_time(), offline=args.command != "fetch")
        if args.command == "import":  # HANDLERS["import"] is `mading archive import`
            return _import_teachers(site, args, Translator(site.school.language))
        handler = HANDLERS[args.action if args.command == "archive" else args.command]
        return handler(site, args, Translator(site.school.language))
    except MadingError as exc:
        _print_problems(exc.problems_in(Translator(_language(args))))
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # `mading archive export | head`: the reader left; that is not an error.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - replaces the closed stream
        return EXIT_OK


def build_time() -> datetime:
    """Now, or the moment `SOURCE_DATE_EPOCH` names: the reproducible-builds convention,
    so that a build (and its "3 hari lagi") can be made again exactly as of that time."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return datetime.fromtimestamp(int(epoch), UTC) if epoch.isdecimal() else datetime.now(UTC)


def under_ci() -> bool:
    """Whether this runs on a CI service: GitHub Actions and most others set `CI`."""
    return any(os.environ.get(name, "").strip().lower() not in ("", "0", "false")
               for name in ("CI", "GITHUB_ACTIONS"))


def portal_url(text: str) -> str | None:
    """`--url` as the portal's base address, ending in `/`; None when it is not an
    absolute http(s) address."""
    try:
        parts = urlsplit(text.strip())
    except ValueError:  # `http://[::1`
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    # configure-pages gives no final slash; the workflow adds one: keep exactly one.
    return parts._replace(path=parts.path.rstrip("/") + "/").geturl()


def _build(args: argparse.Namespace) -> int:
    url = None if args.url is None else portal_url(args.url)
    if args.url is not None and url is None:
        _ = Translator(_language(args))
        raise InputError([Problem("--url", _("firstweek.url.bad", url=args.url))])
    report = build(args.config, args.output, offline=args.offline, teacher=args.teacher,
                   now=build_time(), url=url, require_url=under_ci())
    _ = Translator(report.language)
    if report.local_url:
        _warn(_("firstweek.url.local", url=DEFAULT_URL))
    for status in report.broken_feeds:
        _warn(_("cli.feed_broken", teacher=status.teacher, source=status.source,
                error=feed_error(status.error or "", _)))
    _warn_notes(report.feeds, _)
    for warning in report.warnings:
        _warn(warning)
    _print_problems(list(report.problems))
    if report.problems:
        # Files, not messages: a post with two mistakes is one file left out (issue 21).
        print(_("cli.built_with_problems", pages=report.pages, posts=report.posts,
                output=args.output, problems=len({p.where for p in report.problems})))
        return EXIT_BAD_INPUT
    print(_("cli.built_current" if report.current else "cli.built", pages=report.pages,
            posts=report.posts, output=args.output))
    if args.strict and report.broken_feeds:
        return EXIT_ATTENTION
    return EXIT_OK


def _fetch(site: Site, args: argparse.Namespace, _: Translator) -> int:
    results, feeds = fetch_feeds(site, build_time())
    for result in results:
        if result.error:
            _warn(_("cli.feed_broken", teacher=result.teacher, source=result.source,
                    error=feed_error(result.error, _)))
    _warn_notes(feeds, _)
    print(_("cli.fetched", count=len(results), unchanged=sum(r.not_modified for r in results),
            failed=sum(r.error is not None for r in results)))
    return EXIT_OK


def _check(site: Site, args: argparse.Namespace, _: Translator) -> int:
    found = check(site, build_time())
    for teacher in site.teachers:
        sources = []
        if teacher.blog:
            source = str(teacher.blog)
            if found.found.get(teacher.slug):
                source = _("cli.check_found", blog=teacher.blog, feed=found.found[teacher.slug])
            sources.append(_("cli.check_feed", source=source))
        if found.markdown.get(teacher.slug) or not teacher.blog:
            sources.append(_("cli.check_markdown", posts=found.markdown.get(teacher.slug, 0)))
        print(_("cli.check_teacher", slug=teacher.slug, name=teacher.name,
                sources="; ".join(sources)))
    zone = ZoneInfo(site.school.timezone)
    for entry in found.scheduled:  # shown from then on (issue 26)
        print(_("hostile_data.scheduled", file=display_path(site.root / entry.entry_id),
                time=_.datetime(entry.published.astimezone(zone))))
    for score_list in found.score_lists:
        _warn(_("federation.score_list", where=score_list.where, title=score_list.title,
                rows=score_list.rows))
    _print_problems(list(found.problems))
    if found.problems:
        return EXIT_BAD_INPUT
    print(_("cli.check_ok", teachers=len(site.teachers), subjects=len(site.subjects)))
    return EXIT_OK


def _report(site: Site, args: argparse.Namespace, _: Translator) -> int:
    found = report(site, build_time())
    zone = ZoneInfo(site.school.timezone)

    def when(moment: datetime | None) -> str:
        return _.datetime(moment.astimezone(zone)) if moment else _("cli.report.never")

    lines = found.teachers
    for line in lines:
        if line.source is None:
            parts = [line.teacher, _("cli.report.markdown_only")]
        elif line.never_fetched:
            parts = [line.teacher, line.source, _("firstweek.report.never_fetched")]
            if line.error:
                parts.append(_("cli.report.broken", error=feed_error(line.error, _)))
        elif line.error:
            parts = [line.teacher, line.source,
                     _("cli.report.broken", error=feed_error(line.error, _)),
                     _("cli.report.since", time=when(line.error_since)),
                     _("cli.report.last_success", time=when(line.last_success))]
        else:
            parts = [line.teacher, line.feed or line.source, _("cli.report.ok")]
        parts.append(_("cli.report.last_post", time=when(line.last_post))
                     if line.last_post else _("firstweek.report.no_post"))
        if line.stale:
            parts.append(_("cli.report.stale"))
        parts.extend(_("hostile_data.report_note", note=note_text(note, _))
                     for note in line.notes)
        print(" — ".join(parts))
    _report_portals(found.schools, _, when)
    broken = sum(line.broken for line in lines) + sum(school.down for school in found.schools)
    print(_("firstweek.report.summary", teachers=len(lines), broken=broken,
            stale=sum(line.stale for line in lines),
            never=sum(line.never_fetched for line in lines)))
    _report_assignments(found.assignments, zone, _)
    _print_problems(list(found.problems))
    if found.images is not None:
        _report_images(found.images, _)
    if found.problems:
        return EXIT_BAD_INPUT
    return EXIT_ATTENTION if args.strict and broken else EXIT_OK


def _report_portals(schools: Sequence[SchoolLine], _: Translator,
                    when: Callable[[datetime | None], str]) -> None:
    """One line per school a cluster or district reads (issue 25): a school whose portal
    is down is named, with since when; its teachers' archived posts stay."""
    for line in schools:
        school, address, status = line.school, line.address, line.status
        if status is None or (status.error and status.last_success is None):
            parts = [school.name, address, _("federation.report_never")]
            if status is not None and status.error:
                parts.append(_("cli.report.broken", error=feed_error(status.error, _)))
        elif status.error:
            parts = [school.name, address,
                     _("federation.report_down", error=feed_error(status.error, _)),
                     _("cli.report.since", time=when(status.error_since)),
                     _("cli.report.last_success", time=when(status.last_success))]
        else:
            parts = [school.name, address, _("cli.report.ok")]
        print(" — ".join(parts))


def _report_assignments(assignments: Sequence[BlogAssignment], zone: ZoneInfo,
                        _: Translator) -> None:
    """The assignments read from blogs, for the school to check (issue 20)."""
    print()
    print(_("assignments.report_heading", count=len(assignments)))
    for line in assignments:
        if line.due is None:
            due = _("assignments.report_no_due")
        elif line.all_day:
            due = _.date(line.due.astimezone(zone), "full")
        else:
            due = _.datetime(line.due.astimezone(zone))
        parts = [line.teacher, line.title, due,
                 ", ".join(line.classes) or _("assignments.report_no_class")]
        if line.hand_in:
            parts.append(line.hand_in)
        if line.corrected:
            parts.append(_("assignments.report_corrected"))
        parts.append(line.link or "")
        print(" — ".join(part for part in parts if part))


def _report_images(images: Images, _: Translator) -> None:
    """Pictures shown as links (not fetched) and originals dropped for space (issue 27)."""
    for image in images.problems:
        if image.hash is None:
            print(_("lowdata.report_failed", teacher=image.teacher, url=image.url,
                    error=image.error or "?"))
        else:
            print(_("lowdata.report_dropped", teacher=image.teacher, url=image.url))
    print(_("lowdata.report_summary", kept=images.kept, failed=images.failed,
            dropped=len(images.problems) - images.failed,
            size=format_decimal(round(images.size / (1024 * 1024), 1),
                                locale=_.language) + " MB"))


def _export(site: Site, args: argparse.Namespace, _: Translator) -> int:
    if args.file is None:
        for line in archive_lines(site):
            print(line)
    else:
        export_archive(site, args.file)
    return EXIT_OK


def _import(site: Site, args: argparse.Namespace, _: Translator) -> int:
    count = import_archive(site, args.file)
    print(_("cli.imported", count=count, file=args.file))
    return EXIT_OK


def _new(site: Site, args: argparse.Namespace, _: Translator) -> int:
    path = create_post(site, args.teacher, args.title, build_time())
    print(display_path(path))
    return EXIT_OK


def _init(args: argparse.Namespace) -> int:
    _ = Translator(args.language)
    school = init_school(args.folder, args.name, args.language,
                         requirement=args.requirement)
    for path in school.created:
        print(_("setup.init.created", path=display_path(path)))
    for path in school.kept:
        print(_("setup.init.kept", path=display_path(path)))
    print(_("firstweek.init.requirement", line=school.requirement.line))
    if school.requirement.unreachable is not None:
        _warn(_("firstweek.init.unreachable", where=school.requirement.unreachable,
                line=school.requirement.line, version=__version__))
    folder = display_path(school.folder)
    print(_("setup.init.done", folder=folder, readme=display_path(school.folder / "README.md")))
    print(_("setup.init.next", folder=folder))
    return EXIT_OK


def _import_teachers(site: Site, args: argparse.Namespace, _: Translator) -> int:
    report = import_teachers(site, args.file, offline=args.offline)
    for warning in report.warnings:
        _warn(warning)
    for notice in report.skipped:
        print(notice)
    for teacher in report.added:
        message = "setup.import.added" if teacher.blog == teacher.listed_blog \
            else "setup.import.found_feed"
        if not teacher.blog:
            message = "firstweek.import.added_markdown"
        print(_(message, slug=teacher.slug, name=teacher.name, blog=teacher.blog,
                listed=teacher.listed_blog))
    if report.new_subjects:
        print(_("setup.import.new_subjects", names=", ".join(report.new_subjects)))
    if report.new_classes:
        print(_("setup.import.new_classes", names=", ".join(report.new_classes)))
    _print_problems(list(report.problems))
    if not (report.added or report.skipped or report.problems):
        print(_("firstweek.import.nothing_new", file=display_path(args.file),
                already=report.already, config=display_path(args.config)))
        return EXIT_OK
    print(_("firstweek.import.summary", added=len(report.added),
            config=display_path(args.config), already=report.already,
            skipped=len(report.skipped) + len(report.problems)))
    return EXIT_BAD_INPUT if report.problems else EXIT_OK


HANDLERS: dict[str, Callable[[Site, argparse.Namespace, Translator], int]] = {
    "fetch": _fetch, "check": _check, "report": _report, "export": _export, "import": _import,
    "new": _new,
}


def _language(args: argparse.Namespace) -> str:
    """The site's language, for a message raised outside the site's own handler."""
    try:
        return load_site(args.config).school.language
    except (InputError, AttributeError):
        return DEFAULT_LANGUAGE


def note_text(note: FeedNote, _: Translator) -> str:
    """A feed's note as the reader's language says it."""
    return _(note.message_id, count=note.count, limit=note.limit)


def _warn_notes(feeds: Iterable[FeedStatus], _: Translator) -> None:
    """What the feeds' last updates left out or changed (issue 26)."""
    for status in feeds:
        for note in status.notes:
            _warn(_("hostile_data.feed_note", teacher=status.teacher, source=status.source,
                    note=note_text(note, _)))


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def _warn(message: str) -> None:
    print(message, file=sys.stderr)
