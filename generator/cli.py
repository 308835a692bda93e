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
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal

from generator import __version__
from generator.archive import Archive, ArchiveError
from generator.build import build, fetch, load_portal
from generator.config import load_site
from generator.errors import InputError, Problem, display_path
from generator.i18n import DEFAULT_LANGUAGE, LANGUAGES, Translator
from generator.models import Site
from generator.new_post import create_post
from generator.report import teacher_health
from generator.roster import import_teachers
from generator.scaffold import init_school
from generator.sources.content import read_content
from generator.sources.feeds import is_url
from generator.sources.images import ImageStore
from generator.sources.images import problems as image_problems
from generator.write import OutputWriteError

EXIT_OK, EXIT_ATTENTION, EXIT_BAD_INPUT = 0, 1, 2


def _parser(_: Translator) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mading", description=_("cli.description"))
    parser.add_argument("--version", action="version", version=f"mading {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, parent: argparse._SubParsersAction[argparse.ArgumentParser]
                = commands) -> argparse.ArgumentParser:
        sub = parent.add_parser(name, help=_(f"cli.help.{name}"))
        sub.add_argument("--config", type=Path, default=Path("site.yml"),
                         help=_("cli.help.config"))
        return sub

    for name in ("build", "serve"):
        sub = command(name)
        sub.add_argument("--output", type=Path, default=Path("public"), help=_("cli.help.output"))
        sub.add_argument("--offline", action="store_true", help=_("cli.help.offline"))
    commands.choices["build"].add_argument("--strict", action="store_true",
                                           help=_("cli.help.strict"))
    commands.choices["build"].add_argument("--teacher", metavar="SLUG",
                                           help=_("cli.help.teacher"))
    commands.choices["serve"].add_argument("--port", type=int, default=8000,
                                           help=_("cli.help.port"))
    command("fetch")
    command("check")
    new = command("new")
    new.add_argument("--teacher", metavar="SLUG", required=True, help=_("cli.help.new_teacher"))
    new.add_argument("title", help=_("cli.help.new_title"))
    command("report").add_argument("--strict", action="store_true", help=_("cli.help.strict"))
    archive = commands.add_parser("archive", help=_("cli.help.archive"))
    actions = archive.add_subparsers(dest="action", required=True, metavar="ACTION")
    command("export", actions).add_argument("file", type=Path, nargs="?",
                                            help=_("cli.help.export_file"))
    command("import", actions).add_argument("file", type=Path, help=_("cli.help.import_file"))
    init = commands.add_parser("init", help=_("setup.help.init"))
    init.add_argument("folder", type=Path, nargs="?", default=Path("."),
                      help=_("setup.help.init_folder"))
    init.add_argument("--name", help=_("setup.help.init_name"))
    init.add_argument("--language", choices=LANGUAGES, default=DEFAULT_LANGUAGE,
                      help=_("setup.help.init_language"))
    # Not command("import"): that name's help is `mading archive import`'s.
    roster = commands.add_parser("import", help=_("setup.help.import"))
    roster.add_argument("--config", type=Path, default=Path("site.yml"), help=_("cli.help.config"))
    roster.add_argument("--offline", action="store_true", help=_("setup.help.import_offline"))
    roster.add_argument("file", type=Path, help=_("setup.help.import_file"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser(Translator()).parse_args(argv)
    try:
        if args.command == "build":
            return _build(args)
        if args.command == "serve":
            from generator.serve import serve

            return serve(args.config, args.output, args.port, offline=args.offline)
        if args.command == "init":
            return _init(args)
        site = load_site(args.config)
        if args.command == "import":  # HANDLERS["import"] is `mading archive import`
            return _import_teachers(site, args, Translator(site.school.language))
        handler = HANDLERS[args.action if args.command == "archive" else args.command]
        return handler(site, args, Translator(site.school.language))
    except InputError as exc:
        _print_problems(exc.problems)
        return EXIT_BAD_INPUT
    except (ArchiveError, OutputWriteError) as exc:
        _print_problems([exc.problem(Translator(_language(args)))])
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # `mading archive export | head`: the reader left; that is not an error.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - replaces the closed stream
        return EXIT_OK


def build_time() -> datetime:
    """Now, or the moment `SOURCE_DATE_EPOCH` names: the reproducible-builds convention,
    so that a build (and its "3 hari lagi") can be made again exactly as of that time."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return datetime.fromtimestamp(int(epoch), UTC) if epoch.isdigit() else datetime.now(UTC)


def _build(args: argparse.Namespace) -> int:
    report = build(args.config, args.output, offline=args.offline, teacher=args.teacher,
                   now=build_time())
    _ = Translator(report.language)
    for status in report.broken_feeds:
        _warn(_("cli.feed_broken", teacher=status.teacher, source=status.source,
                error=status.error))
    for warning in report.warnings:
        _warn(warning)
    _print_problems(list(report.problems))
    if report.problems:
        print(_("cli.built_with_problems", pages=report.pages, posts=report.posts,
                output=args.output, problems=len(report.problems)))
        return EXIT_BAD_INPUT
    print(_("cli.built_current" if report.current else "cli.built", pages=report.pages,
            posts=report.posts, output=args.output))
    if args.strict and report.broken_feeds:
        return EXIT_ATTENTION
    return EXIT_OK


def _fetch(site: Site, args: argparse.Namespace, _: Translator) -> int:
    results = fetch(site, now=build_time())
    for result in results:
        if result.error:
            _warn(_("cli.feed_broken", teacher=result.teacher, source=result.source,
                    error=result.error))
    print(_("cli.fetched", count=len(results), unchanged=sum(r.not_modified for r in results),
            failed=sum(r.error is not None for r in results)))
    return EXIT_OK


def _check(site: Site, args: argparse.Namespace, _: Translator) -> int:
    content = read_content(site)
    counts: dict[str, int] = {}
    for entry in content.entries:
        counts[entry.teacher] = counts.get(entry.teacher, 0) + 1
    found = {}
    if site.archive_file.exists():
        with Archive(site.archive_file) as archive:
            found = {s.teacher: s.feed_url for s in archive.feed_statuses()
                     if s.feed_url and s.feed_url != s.source}
    for teacher in site.teachers:
        sources = []
        if teacher.blog:
            source = teacher.blog
            if found.get(teacher.slug):
                source = _("cli.check_found", blog=teacher.blog, feed=found[teacher.slug])
            sources.append(_("cli.check_feed", source=source))
        if counts.get(teacher.slug) or not teacher.blog:
            sources.append(_("cli.check_markdown", posts=counts.get(teacher.slug, 0)))
        print(_("cli.check_teacher", slug=teacher.slug, name=teacher.name,
                sources="; ".join(sources)))
    _print_problems(list(content.problems))
    if content.problems:
        return EXIT_BAD_INPUT
    print(_("cli.check_ok", teachers=len(site.teachers), subjects=len(site.subjects)))
    return EXIT_OK


def _report(site: Site, args: argparse.Namespace, _: Translator) -> int:
    now = build_time()
    zone = ZoneInfo(site.school.timezone)
    lines = teacher_health(load_portal(site, now), now)

    def when(moment: datetime | None) -> str:
        return _.datetime(moment.astimezone(zone)) if moment else _("cli.report.never")

    for line in lines:
        if line.source is None:
            parts = [line.teacher, _("cli.report.markdown_only")]
        elif line.error:
            parts = [line.teacher, line.source, _("cli.report.broken", error=line.error),
                     _("cli.report.since", time=when(line.error_since)),
                     _("cli.report.last_success", time=when(line.last_success))]
        else:
            # For a blog's home page, name the feed found behind it.
            feed = line.feed_url if is_url(line.source) and line.feed_url else line.source
            parts = [line.teacher, feed, _("cli.report.ok")]
        parts.append(_("cli.report.last_post", time=when(line.last_post)))
        if line.stale:
            parts.append(_("cli.report.stale"))
        print(" — ".join(parts))
    broken = sum(line.broken for line in lines)
    print(_("cli.report.summary", teachers=len(lines), broken=broken,
            stale=sum(line.stale for line in lines)))
    _report_images(site, _)
    return EXIT_ATTENTION if args.strict and broken else EXIT_OK


def _report_images(site: Site, _: Translator) -> None:
    """Pictures shown as links (not fetched) and originals dropped for space (issue 27)."""
    store = ImageStore(site.images_dir)
    records = store.records()
    if not records:
        return
    failed = dropped = 0
    for image in image_problems(store):
        if image.hash is None:
            failed += 1
            print(_("lowdata.report_failed", teacher=image.teacher, url=image.url,
                    error=image.error or "?"))
        else:
            dropped += 1
            print(_("lowdata.report_dropped", teacher=image.teacher, url=image.url))
    kept = {image.hash: image.bytes for image in records.values()
            if image.hash is not None and not image.dropped}
    print(_("lowdata.report_summary", kept=len(kept), failed=failed, dropped=dropped,
            size=format_decimal(round(sum(kept.values()) / (1024 * 1024), 1),
                                locale=_.language) + " MB"))


def _export(site: Site, args: argparse.Namespace, _: Translator) -> int:
    with Archive(site.archive_file) as archive:
        lines = archive.export()
        if args.file is None:
            for line in lines:
                print(line)
            return EXIT_OK
        # Written beside it, then renamed: a failed export never replaces the last good
        # one (which CI keeps in Git).
        partial = args.file.with_name(f".{args.file.name}.new-{os.getpid()}")
        try:
            with open(partial, "w", encoding="utf-8") as out:
                out.writelines(line + "\n" for line in lines)
            os.replace(partial, args.file)
        except OSError as exc:
            raise ArchiveError("archive_file.export_failed", display_path(args.file),
                               detail=exc.strerror) from None
        finally:
            partial.unlink(missing_ok=True)
    return EXIT_OK


def _import(site: Site, args: argparse.Namespace, _: Translator) -> int:
    try:
        with open(args.file, encoding="utf-8") as source, Archive(site.archive_file) as archive:
            count = archive.import_(source, site.embed_hosts)
    except OSError as exc:
        raise ArchiveError("archive_file.import_unreadable", display_path(args.file),
                           detail=exc.strerror) from None
    except UnicodeDecodeError:
        raise ArchiveError("archive_file.import_no_header", display_path(args.file)) from None
    except ArchiveError as exc:
        # Errors about the export's lines name the export; those about the archive, it.
        raise (exc.located(display_path(args.file)) if exc.where is None else exc) from None
    print(_("cli.imported", count=count, file=args.file))
    return EXIT_OK


def _new(site: Site, args: argparse.Namespace, _: Translator) -> int:
    path = create_post(site, args.teacher, args.title, build_time())
    print(display_path(path))
    return EXIT_OK


def _init(args: argparse.Namespace) -> int:
    _ = Translator(args.language)
    school = init_school(args.folder, args.name, args.language)
    for path in school.created:
        print(_("setup.init.created", path=display_path(path)))
    for path in school.kept:
        print(_("setup.init.kept", path=display_path(path)))
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
        print(_(message, slug=teacher.slug, name=teacher.name, blog=teacher.blog,
                listed=teacher.listed_blog))
    if report.new_subjects:
        print(_("setup.import.new_subjects", names=", ".join(report.new_subjects)))
    if report.new_classes:
        print(_("setup.import.new_classes", names=", ".join(report.new_classes)))
    _print_problems(list(report.problems))
    print(_("setup.import.summary", added=len(report.added), config=display_path(args.config),
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


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def _warn(message: str) -> None:
    print(message, file=sys.stderr)
