"""The `mading` command: argument parsing, messages and exit codes, nothing else.

Exit codes: 0 ok; 1 done, but something needs attention (broken feeds, with --strict);
2 bad input, reported as `FILE:LINE: message` without a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from generator import __version__
from generator.archive import Archive, ArchiveError
from generator.build import build, fetch, load_portal
from generator.config import load_site
from generator.errors import InputError, Problem, display_path
from generator.i18n import Translator
from generator.models import Site
from generator.new_post import create_post
from generator.report import teacher_health
from generator.sources.content import read_content
from generator.sources.feeds import is_url

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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser(Translator()).parse_args(argv)
    try:
        if args.command == "build":
            return _build(args)
        if args.command == "serve":
            from generator.serve import serve

            return serve(args.config, args.output, args.port, offline=args.offline)
        site = load_site(args.config)
        handler = HANDLERS[args.action if args.command == "archive" else args.command]
        return handler(site, args, Translator(site.school.language))
    except InputError as exc:
        _print_problems(exc.problems)
        return EXIT_BAD_INPUT
    except ArchiveError as exc:
        _warn(str(exc))
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # `mading archive export | head`: the reader left; that is not an error.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - replaces the closed stream
        return EXIT_OK


def _build(args: argparse.Namespace) -> int:
    report = build(args.config, args.output, offline=args.offline, teacher=args.teacher)
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
    print(_("cli.built", pages=report.pages, posts=report.posts, output=args.output))
    if args.strict and report.broken_feeds:
        return EXIT_ATTENTION
    return EXIT_OK


def _fetch(site: Site, args: argparse.Namespace, _: Translator) -> int:
    results = fetch(site)
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
    now = datetime.now(UTC)
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
    return EXIT_ATTENTION if args.strict and broken else EXIT_OK


def _export(site: Site, args: argparse.Namespace, _: Translator) -> int:
    with Archive(site.archive_file) as archive:
        lines = archive.export()
        if args.file is None:
            for line in lines:
                print(line)
        else:
            with open(args.file, "w", encoding="utf-8") as out:
                out.writelines(line + "\n" for line in lines)
    return EXIT_OK


def _import(site: Site, args: argparse.Namespace, _: Translator) -> int:
    try:
        with open(args.file, encoding="utf-8") as source, Archive(site.archive_file) as archive:
            count = archive.import_(source)
    except OSError as exc:
        raise ArchiveError(f"{args.file}: {exc.strerror}") from None
    print(_("cli.imported", count=count, file=args.file))
    return EXIT_OK


def _new(site: Site, args: argparse.Namespace, _: Translator) -> int:
    path = create_post(site, args.teacher, args.title, datetime.now(UTC))
    print(display_path(path))
    return EXIT_OK


HANDLERS: dict[str, Callable[[Site, argparse.Namespace, Translator], int]] = {
    "fetch": _fetch, "check": _check, "report": _report, "export": _export, "import": _import,
    "new": _new,
}


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def _warn(message: str) -> None:
    print(message, file=sys.stderr)
