"""The `mading` command: argument parsing, messages and exit codes, nothing else.

Exit codes: 0 ok; 1 built, but something needs attention (broken feeds, with --strict);
2 bad input, reported as `FILE:LINE: message` without a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from generator import __version__
from generator.archive import ArchiveError
from generator.build import BuildReport, build, fetch
from generator.config import load_site
from generator.errors import InputError, Problem
from generator.i18n import Translator
from generator.models import Site
from generator.sources.content import read_content

EXIT_OK, EXIT_ATTENTION, EXIT_BAD_INPUT = 0, 1, 2


def _parser(_: Translator) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mading", description=_("cli.description"))
    parser.add_argument("--version", action="version", version=f"mading {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=_(f"cli.help.{name}"))
        sub.add_argument("--config", type=Path, default=Path("site.yml"),
                         help=_("cli.help.config"))
        return sub

    for name in ("build", "serve"):
        sub = command(name)
        sub.add_argument("--output", type=Path, default=Path("public"), help=_("cli.help.output"))
        sub.add_argument("--offline", action="store_true", help=_("cli.help.offline"))
        sub.add_argument("--strict", action="store_true", help=_("cli.help.strict"))
    serve = commands.choices["serve"]
    serve.add_argument("--port", type=int, default=8000, help=_("cli.help.port"))
    command("fetch")
    command("check")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    _ = Translator()
    args = _parser(_).parse_args(argv)
    try:
        if args.command == "build":
            report = build(args.config, args.output, offline=args.offline)
            return _report(report, args, Translator(report.language))
        if args.command == "serve":
            from generator.serve import serve

            return serve(args.config, args.output, args.port, offline=args.offline)
        site = load_site(args.config)
        _ = Translator(site.school.language)
        if args.command == "fetch":
            results = fetch(site)
            for result in results:
                if result.error:
                    _warn(_("cli.feed_broken", teacher=result.teacher, source=result.source,
                            error=result.error))
            print(_("cli.fetched", count=len(results),
                    unchanged=sum(r.not_modified for r in results),
                    failed=sum(r.error is not None for r in results)))
            return EXIT_OK
        return _check(site, _)
    except InputError as exc:
        _print_problems(exc.problems)
        return EXIT_BAD_INPUT
    except ArchiveError as exc:
        _warn(str(exc))
        return EXIT_BAD_INPUT


def _report(report: BuildReport, args: argparse.Namespace, _: Translator) -> int:
    for status in report.broken_feeds:
        _warn(_("cli.feed_broken", teacher=status.teacher, source=status.source,
                error=status.error))
    _print_problems(list(report.problems))
    print(_("cli.built", pages=report.pages, posts=report.posts, output=args.output))
    if report.problems:
        return EXIT_BAD_INPUT
    if args.strict and report.broken_feeds:
        return EXIT_ATTENTION
    return EXIT_OK


def _check(site: Site, _: Translator) -> int:
    content = read_content(site)
    counts: dict[str, int] = {}
    for entry in content.entries:
        counts[entry.teacher] = counts.get(entry.teacher, 0) + 1
    for teacher in site.teachers:
        sources = []
        if teacher.blog:
            sources.append(_("cli.check_feed", source=teacher.blog))
        if counts.get(teacher.slug) or not teacher.blog:
            sources.append(_("cli.check_markdown", posts=counts.get(teacher.slug, 0)))
        print(_("cli.check_teacher", slug=teacher.slug, name=teacher.name,
                sources="; ".join(sources)))
    _print_problems(list(content.problems))
    if content.problems:
        return EXIT_BAD_INPUT
    print(_("cli.check_ok", teachers=len(site.teachers), subjects=len(site.subjects)))
    return EXIT_OK


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def _warn(message: str) -> None:
    print(message, file=sys.stderr)
