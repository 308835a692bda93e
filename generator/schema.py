"""The schema of what people write in YAML: `site.yml`, `koreksi.yml` and posts' front matter.

YAML is parsed with ruamel.yaml so that every value keeps its line (`parse_yaml`,
`key_line`), and read through one `Checker`: text, lists, lists of named items, dates,
URLs, files and unknown keys, each mistake collected as a located `Problem` with a
"did you mean" where one helps, so that a teacher sees every mistake in one run. The
files' own rules (which keys, which subjects) stay with their readers: generator/config.py
and generator/sources/front_matter.py.
"""

from __future__ import annotations

import calendar
import difflib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import ConstructorError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from generator import fast_yaml
from generator.dates import EARLIEST, LATEST, in_range
from generator.errors import InputError, Problem, display_path
from generator.i18n import Translator
from generator.paths import inside, is_hidden, shown, usable
from generator.slugs import fold

T = TypeVar("T")

SIMILAR = 0.75
"""How alike two names must be to suggest one for the other (difflib's ratio): 'Matematka'
and 'Matematika' are 0.95, 'XII-1' and 'XI-1' 0.89, 'Statistika' and 'Fisika' 0.63."""


def did_you_mean(word: str, candidates: list[str] | tuple[str, ...], _: Translator) -> str:
    """` (maksud Anda: 'name'?)` when a candidate is really close to `word`, else empty.

    Close means a typo away: difflib's default cutoff (0.6) had 'Statistika' suggest
    'Fisika' (0.625), which sends a teacher to the wrong subject (issue 21).
    """
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=SIMILAR)
    if not matches:
        folded = {fold(c): c for c in candidates}
        matches = difflib.get_close_matches(fold(word), list(folded), n=1, cutoff=SIMILAR)
        matches = [folded[m] for m in matches]
    return _("common.did_you_mean", suggestion=matches[0]) if matches else ""


class _Constructor(RoundTripConstructor):
    """ruamel's round-trip constructor, except that no value fails without a line.

    YAML reads `2026-13-40` as a timestamp and ruamel then fails with a bare ValueError that
    has no line: an impossible date stays text instead, and the caller reports it with its key
    and line like any bad value. Other values ruamel cannot build (`!!int abc`) become a
    located YAML error.
    """

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        try:
            return super().construct_yaml_timestamp(node, values)
        except ValueError:
            return self.construct_scalar(node)

    def construct_non_recursive_object(self, node: Any, tag: str | None = None) -> Any:
        try:
            return super().construct_non_recursive_object(node, tag)
        # IndexError: `!!int` with no digits; AttributeError: `!!omap x`, `!!set x`, a tag
        # for a mapping on a plain value (found by fuzz/, issue 8).
        except (ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
            raise ConstructorError(None, None, f"{node.tag} {node.value!r}: {exc}",
                                   node.start_mark) from None

    def check_mapping_key(self, node: Any, key_node: Any, mapping: Any, key: Any,
                          value: Any) -> Any:
        # `? a: [b]` makes a mapping the key, and ruamel fails hashing the list inside it
        # with a bare TypeError (found by fuzz/, issue 8).
        try:
            return super().check_mapping_key(node, key_node, mapping, key, value)
        except TypeError:
            raise ConstructorError(None, None, "a key cannot hold a list or a mapping",
                                   key_node.start_mark) from None


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)


def parse_yaml(text: str, where: str, _: Translator) -> Any:
    """Parse YAML keeping line numbers; a syntax error becomes one located `Problem`."""
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark, detail = exc.problem_mark, exc.problem or exc.context or ""
        if exc.context_mark is not None and exc.context and (
                "scanning" in exc.context or "flow" in exc.context):
            # An unclosed quote or bracket, or a key without its colon: ruamel's problem mark
            # is where it gave up (often the next line or the end of the file); the context
            # mark is where the mistake is.
            mark, detail = exc.context_mark, f"{exc.context}: {exc.problem or ''}".rstrip(": ")
        mark = mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise InputError([Problem(where, yaml_message(detail, _), line)]) from None
    except YAMLError as exc:
        raise InputError([Problem(where, yaml_message(str(exc), _))]) from None
    except RecursionError:  # thousands of nested brackets
        raise InputError([Problem(where, yaml_message("nested too deeply", _))]) from None
    except (ValueError, KeyError, TypeError, IndexError, AttributeError,
            NotImplementedError) as exc:
        # Raised bare by ruamel while it builds the top level, out of _Constructor's reach
        # (`!!pairs [] : 1`; found by fuzz/, issue 8), or while it places a comment
        # between a key and its value on the next line ("overlap in comment"): no line.
        raise InputError([Problem(where, yaml_message(str(exc), _))]) from None


# ruamel's words for the mistakes people make, first match wins, and the message that
# explains each in the school's language (issue 21): a teacher reads "there is a Tab",
# not "found character '\t' that cannot start any token". Only a mistake not listed here
# keeps ruamel's words, quoted inside the message.
_YAML_MISTAKES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), message) for pattern, message in (
        (r"found character '\\t'", "firstweek.yaml.tab"),
        (r"found character '(?P<char>.)' that cannot start", "firstweek.yaml.cannot_start"),
        (r"undefined alias|scanning an alias", "firstweek.yaml.star"),
        (r"scanning an anchor", "firstweek.yaml.ampersand"),
        (r"unknown escape character", "firstweek.yaml.escape"),
        (r"quoted scalar", "firstweek.yaml.unclosed_quote"),
        (r"flow sequence", "firstweek.yaml.unclosed_list"),
        (r"flow mapping", "firstweek.yaml.unclosed_mapping"),
        (r"mapping values are not allowed", "firstweek.yaml.colon"),
        (r"could not find expected ':'", "firstweek.yaml.missing_colon"),
        (r"duplicate key \"(?P<key>[^\"]*)\"", "firstweek.yaml.duplicate_key"),
        (r"expected <block end>, but found '<scalar>'", "firstweek.yaml.after_quote"),
        (r"expected <block end>", "firstweek.yaml.indentation"),
        (r"block scalar", "firstweek.yaml.block_scalar"),
        (r"another document|document start", "firstweek.yaml.document"),
        (r"key cannot hold a list", "firstweek.yaml.complex_key"),
        (r"nested too deeply", "firstweek.yaml.too_deep"),
    ))


def read_yaml(text: str, read: Callable[[Any], T], parse: Callable[[], Any]) -> T:
    """What `read` makes of the YAML `text`, which it checks: parsed by libyaml when it
    can be (`fast_yaml`, 20 times faster than ruamel, but without lines), and by `parse`
    (ruamel, with lines) when it cannot or when `read` finds a problem. ruamel gives the
    same values, so the same problems, now each on its line.

    Raises:
        InputError: what `read` raises for what `parse` gives.
    """
    quick = fast_yaml.load_simple(text)
    if quick is not None:
        try:
            return read(quick)
        except InputError:
            pass
    return read(parse())


def yaml_message(detail: str, _: Translator) -> str:
    """A YAML mistake as ruamel describes it (`detail`), explained in the school's
    language: what is wrong and what to write instead."""
    for pattern, message in _YAML_MISTAKES:
        found = pattern.search(detail)
        if found:
            return _("firstweek.yaml.syntax", explanation=_(message, **found.groupdict()))
    return _("firstweek.yaml.syntax", explanation=_("firstweek.yaml.other", detail=detail))


def key_line(mapping: Any, key: object, default: int | None = None) -> int | None:
    """The 1-based line of `key` in a ruamel mapping, or of item `key` in a sequence."""
    try:
        if isinstance(mapping, CommentedMap):
            return int(mapping.lc.key(key)[0]) + 1
        if isinstance(mapping, CommentedSeq):
            return int(mapping.lc.item(key)[0]) + 1
    except (KeyError, IndexError, TypeError):
        pass
    return default


def _first_line(mapping: Mapping[Any, Any]) -> int:
    """The 1-based line where a parsed ruamel mapping starts; 1 for any other."""
    line = getattr(mapping.lc, "line", None) if isinstance(mapping, CommentedMap) else None
    return int(line) + 1 if line is not None else 1


DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2})[:.](\d{2}))?$")
"""`2026-11-20`, `2026-11-20 07:30` and, as Indonesians usually write it, `2026-11-20 07.30`."""


def names_a_day(value: Any) -> bool:
    """`2026-12-18` (YAML's date or text), not `2026-12-18 23:59`."""
    if isinstance(value, datetime):
        return False
    if isinstance(value, date):
        return True
    match = DATETIME.match(str(value).strip())
    return match is not None and match.group(2) is None


def hidden_name(name: str) -> bool:
    """Whether a path as written names a hidden file or folder (`.env`, `.git/config`),
    whatever it resolves to."""
    return any(part.startswith(".") and part not in (".", "..")
               for part in name.replace("\\", "/").split("/"))


@dataclass(frozen=True)
class FileWords:
    """The messages for a file named in YAML that cannot be used: a name no file can have,
    one outside its folder, a hidden one (`.git/config` holds a CI checkout's token), one
    that is not there."""

    bad_name: str
    outside: str
    hidden: str
    missing: str


class Checker:
    """Reads values out of parsed YAML by key, collecting a located `Problem` for each one
    that is wrong instead of stopping at the first.

    `where` is the file as shown, or its path, shown only once there is a problem
    (resolving it for every post was a twentieth of reading one: bench/RESULTS.md, ninth
    pass). `offset` is how many lines of the file come before the YAML (1 for a front
    matter after its `---`), and `first_line` the line given to a value whose own line is
    not known (None: the problem names the file alone).
    """

    def __init__(self, where: str | Path, translate: Translator, *, offset: int = 0,
                 first_line: int | None = None) -> None:
        self._where = where
        self._ = translate
        self.offset = offset
        self.first_line = first_line
        self.problems: list[Problem] = []

    @property
    def where(self) -> str:
        if isinstance(self._where, Path):
            self._where = display_path(self._where)
        return self._where

    def problem(self, line: int | None, message_id: str, /, **values: object) -> None:
        self.problems.append(Problem(self.where, self._(message_id, **values), line))

    def line(self, mapping: Any, key: object, default: int | None = None) -> int | None:
        """The file line of `key` in `mapping` (or of item `key` in a list), else
        `default`, else `first_line`."""
        found = key_line(mapping, key)
        if found is not None:
            return found + self.offset
        return default if default is not None else self.first_line

    def unknown_keys(self, mapping: Mapping[Any, Any], allowed: tuple[str, ...], path: str = "",
                     *, message: str = "config.unknown_key", line: int | None = None,
                     suggest: tuple[str, ...] | None = None,
                     words: Mapping[str, str] | None = None) -> None:
        """Report each key of `mapping` not in `allowed`, suggesting the closest of
        `suggest` (by default `allowed`), or the key a known other word (`words`, folded)
        stands for."""
        for key in mapping:
            if key in allowed:
                continue
            known = (words or {}).get(fold(str(key)))
            hint = self._("common.did_you_mean", suggestion=known) if known else \
                did_you_mean(str(key), allowed if suggest is None else suggest, self._)
            self.problem(self.line(mapping, key, line), message, key=f"{path}{key}", hint=hint)

    def text(self, mapping: Mapping[Any, Any], key: str, path: str = "",
             required: bool = False, line: int | None = None,
             missing: str = "config.missing_key") -> str:
        """The text under `key`; a missing required key is reported (`missing`) on `line`
        (by default the mapping's first line)."""
        value = mapping.get(key)
        if value is None:
            if required:
                where = line if line is not None else _first_line(mapping) + self.offset
                self.problem(self.line(mapping, key, where), missing, key=f"{path}{key}")
            return ""
        if isinstance(value, (dict, list)):
            self.problem(self.line(mapping, key), "config.not_text", key=f"{path}{key}")
            return ""
        text = str(value).strip()
        if required and not text:
            self.problem(self.line(mapping, key), missing, key=f"{path}{key}")
        return text

    def text_list(self, mapping: Mapping[Any, Any], key: str, path: str = "", *,
                  loose: bool = False) -> list[tuple[str, int | None]]:
        """A list of texts with the line of each; a single text counts as a list of one.

        `loose`, as in a post's front matter: `classes: XI-1, XI-2` without brackets means
        the same as with them, any plain value is text, and empty items are left out."""
        value = mapping.get(key)
        if value is None:
            return []
        key_at = self.line(mapping, key)
        if loose and not isinstance(value, (dict, list)):
            return [(part.strip(), key_at) for part in str(value).split(",") if part.strip()]
        if isinstance(value, str):
            return [(value.strip(), key_at)]
        if not isinstance(value, list) or any(isinstance(v, (dict, list)) for v in value):
            self.problem(key_at, "config.not_list", key=f"{path}{key}")
            return []
        return [(str(v).strip(), self.line(value, i, key_at)) for i, v in enumerate(value)
                if not loose or str(v).strip()]

    def mapping_items(self, value: Any, key: str, parent: Mapping[Any, Any]) -> list[Any]:
        """The items of the list `value` (under `key` of `parent`); anything else is
        reported."""
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(self.line(parent, key), "config.not_list", key=key)
            return []
        return list(value)

    def named_items(self, data: Mapping[Any, Any], key: str, allowed: tuple[str, ...], *,
                    bare: bool = True) -> Iterator[tuple[dict[Any, Any], str, int | None]]:
        """Each item of the list under `key` that has a name, as (mapping, name, line).

        An item is a mapping with a `name:` and other keys among `allowed`, or, when `bare`,
        a name alone (`- Matematika`, read as `{name: Matematika}`). Other items, and
        items without a name, are reported and left out."""
        raw = data.get(key)
        for index, item in enumerate(self.mapping_items(raw, key, data)):
            line = self.line(raw, index, self.line(data, key))
            if bare and item is not None and not isinstance(item, (dict, list)):
                item = {"name": item}
            if not isinstance(item, dict):
                self.problem(line, "config.not_mapping_item", key=key)
                continue
            self.unknown_keys(item, allowed, f"{key}.")
            name = self.text(item, "name", f"{key}.", required=True, line=line)
            if name:
                yield item, name, line

    def url(self, value: str, key: str, line: int | None, base: bool = False) -> str:
        """Report `value` unless it is an absolute http(s) URL (without query or fragment
        when it is the `base` of the site's own addresses)."""
        try:
            parts = urlsplit(value)
            valid = (parts.scheme in ("http", "https") and bool(parts.hostname)
                     and (parts.port is None or parts.port > 0)
                     and all(c.isprintable() and not c.isspace() for c in value)
                     and not (base and (parts.query or parts.fragment)))
        except ValueError:  # an unclosed IPv6 bracket, a port that is not a number...
            valid = False
        if not valid:
            self.problem(line, "config.bad_url", key=key, value=value)
        return value

    def file(self, folder: Path, name: str, line: int | None, words: FileWords,
             **values: object) -> Path | None:
        """The file `name` (relative to `folder`), which must exist and stay inside
        `folder`, links resolved, and not be hidden, as written or once resolved."""
        path = inside(folder, name)
        if not usable(name):
            message = words.bad_name
        elif path is None:
            message = words.outside
        elif hidden_name(name) or is_hidden(path, folder):
            message = words.hidden
        elif not path.is_file():
            here = sorted(p.name for p in folder.iterdir()
                          if p.is_file() and p.suffix != ".md")
            self.problem(line, words.missing, value=name, path=shown(name),
                         folder=display_path(folder) + "/",
                         hint=did_you_mean(name, here, self._), **values)
            return None
        else:
            return path
        self.problem(line, message, value=shown(name), path=shown(name), **values)
        return None

    def date(self, mapping: Mapping[Any, Any], key: str, zone: ZoneInfo, *,
             required: bool = False, end_of_day: bool = False, line: int | None = None,
             bad: str | None = None) -> datetime | None:
        """`2026-11-20` (midnight, or 23:59 at the `end_of_day`) or `2026-11-20 07:30`, in
        `zone`. A date that cannot be read is reported with `bad`, or else with what is
        wrong in it, and one out of the range any post is written in (generator/dates.py)
        too (issue 26)."""
        value: Any = mapping.get(key)
        at = self.line(mapping, key, line)
        if value is None:
            if required:
                self.problem(at, "content.missing_date", key=key)
            return None
        if isinstance(value, (dict, list)) and bad is None:
            self.problem(at, "config.not_text", key=key)
            return None
        try:
            moment = _moment(value, zone, end_of_day)
        except ValueError:
            if bad is not None:
                self.problem(at, bad, key=key, value=value)
            else:
                message, values = _why_no_date(DATETIME.match(str(value).strip()), self._)
                self.problem(at, message, key=key, value=value, **values)
            return None
        if bad is None and not in_range(moment):
            self.problem(at, "hostile_data.date_out_of_range", key=key, value=value,
                         earliest=EARLIEST.year, latest=LATEST.year - 1)
            return None
        return moment


def _moment(value: Any, zone: ZoneInfo, end_of_day: bool) -> datetime:
    """The moment a YAML date, date and time, or text says, in `zone` unless it names one.

    Raises:
        ValueError: `value` is not a date.
    """
    if isinstance(value, datetime):
        # As a plain datetime: a copy of YAML's own subclass loses its time zone, so a
        # post read from the build cache came back without one (issue 26).
        plain = datetime.fromisoformat(value.isoformat())
        return plain if plain.tzinfo else plain.replace(tzinfo=zone)
    if isinstance(value, date):
        return datetime.combine(value, time(23, 59) if end_of_day else time(0, 0), zone)
    match = DATETIME.match(str(value).strip())
    if match is None:
        raise ValueError(value)
    day = date.fromisoformat(match.group(1))
    if match.group(2) is None:
        return datetime.combine(day, time(23, 59) if end_of_day else time(0, 0), zone)
    return datetime.combine(day, time(int(match.group(2)), int(match.group(3))), zone)


def _why_no_date(match: re.Match[str] | None, _: Translator) -> tuple[str, dict[str, object]]:
    """The message for a date that cannot be read, and its values (issue 21).

    `2026-02-31` is written right but names a day that does not exist: saying "write
    YEAR-MONTH-DAY" would send the teacher looking for the wrong mistake. `31-02-2026`
    is written wrongly, and gets that message.
    """
    if match is None:
        return "content.bad_date", {}
    year, month, day = (int(part) for part in match.group(1).split("-"))
    if year < 1:
        return "content.bad_date", {}
    if not 1 <= month <= 12:
        return "firstweek.date.no_month", {"month": month}
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return "firstweek.date.no_day", {"days": days,
                                         "month": _.month(datetime(year, month, 1))}
    return "firstweek.date.no_time", {}
