"""Which of the school's classes a label or a sentence names, whatever the spelling.

Teachers write one class many ways: `XI MIPA 3`, `xi-mipa-3`, `11 MIPA 3`, `kelas XI MIPA 3`;
`8A` and `VIII A`; lists and ranges (`X IPA 1 dan X IPA 2`, `X IPA 1-2`, `kelas IX A, B, C`);
a grade alone (`kelas X`, `kelas 10`) or a grade and stream (`XII IPA`) for several classes.
Every name is reduced to a key of tokens (`("11", "mipa", "3")`, grades in digits) and
matched token by token. Pure: no network, no disk (issue 20, item 3).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from generator.slugs import fold

ROMAN_GRADES = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7",
                "viii": "8", "ix": "9", "x": "10", "xi": "11", "xii": "12"}
"""Grades in Roman numerals (SD 1-6, SMP 7-9, SMA/SMK 10-12) and in digits are one grade."""
_INTRO_WORDS = frozenset({"kelas", "kls", "class", "rombel"})
"""A word before a grade that says a class follows: `kelas X` is grade 10, `X` may be a letter."""
_LIST_WORDS = frozenset({"dan", "serta", "and"})
_TOKEN_RE = re.compile(r"[^\W\d_]+|\d+|[-\u2013_.]|[,&/]|\S")

Key = tuple[str, ...]


def _grade(token: str) -> str | None:
    token = token.lower()
    if token in ROMAN_GRADES:
        return ROMAN_GRADES[token]
    if token.isdecimal() and 1 <= int(token) <= 12:
        return str(int(token))
    return None


def class_key(name: str) -> Key:
    """`XI MIPA 3` -> ("11", "mipa", "3"); `8A` -> ("8", "a"); `Akselerasi` -> ("akselerasi",)."""
    words = [t.lower() for t in _TOKEN_RE.findall(name) if t[0].isalnum()]
    if words:
        grade = _grade(words[0])
        if grade is not None:
            words[0] = grade
    return tuple(words)


_START_RE = re.compile(r"(?i)\b(?:kelas|kls|class|rombel)\b|(?-i:\b[IVX]{1,4}\b)"
                       r"|\b[ivx]{1,4}(?=[-_][^\W_])"
                       r"|\b(?:1[0-2]|[1-9])(?=[\s_.-]*[^\W\d_])")
"""Where a class may be named: a sentence is tokenized only from these, a short way on."""
_NEXT_PART_RE = re.compile(r"[\s_.-]*([^\W_]+)")
_WINDOW = 80
_MOST_TOKENS = 24
"""Characters and tokens read from each place a class may be named: `kelas IX A, B, C`."""


@dataclass(frozen=True)
class _Token:
    text: str
    kind: str
    """`word`, `num`, `dash` (inside a name or a range), `list` (a comma, `&`, `dan`) or
    `stop` (any other mark)."""
    end: int = 0
    """Where it ends in the text it was read from."""


def _tokens(text: str, start: int = 0, stop: int | None = None,
            most: int | None = None) -> list[_Token]:
    tokens: list[_Token] = []
    for match in _TOKEN_RE.finditer(text, start, len(text) if stop is None else stop):
        if most is not None and len(tokens) == most:
            break
        value = match.group()
        if value.isdecimal():
            kind = "num"
        elif value[0].isalpha():
            kind = "list" if value.lower() in _LIST_WORDS else "word"
        elif value in "-\u2013_.":
            kind = "dash"
        elif value in ",&/":
            kind = "list"
        else:
            kind = "stop"
        tokens.append(_Token(value, kind, match.end()))
    return tokens


@dataclass(frozen=True)
class ClassIndex:
    """The school's classes by key, for `classes_in` (text) and `classes_of` (a label)."""

    source: tuple[tuple[str, tuple[str, ...]], ...]
    """The classes and aliases it was built from: what it is equal and hashed by."""
    names: Mapping[Key, str] = field(compare=False, hash=False)
    """Full keys of every class name and alias -> the class's name in site.yml."""
    groups: Mapping[Key, tuple[str, ...]] = field(compare=False, hash=False)
    second: frozenset[Key] = field(compare=False, hash=False, default=frozenset())
    """The first two tokens of every key: what a grade in running text must start."""
    """Keys of a grade, or a grade and stream -> its classes, in site.yml's order."""

    @classmethod
    def build(cls, classes: Iterable[str],
              aliases: Mapping[str, Sequence[str]] | None = None) -> ClassIndex:
        names: dict[Key, str] = {}
        groups: dict[Key, list[str]] = {}
        source = tuple((name, tuple((aliases or {}).get(name, ()))) for name in classes)
        for name, others in source:
            for label in (name, *others):
                key = class_key(label)
                if not key:
                    continue
                names.setdefault(key, name)
                if _grade(key[0]) is None:
                    continue  # `Akselerasi`: matched whole only, no grade to group by
                for length in range(1, len(key)):
                    members = groups.setdefault(key[:length], [])
                    if name not in members:
                        members.append(name)
        second = frozenset(key[:2] for key in names if len(key) > 1)
        return cls(source, names, {key: tuple(members) for key, members in groups.items()},
                   second)

    def classes_of(self, label: str, own: Sequence[str] = ()) -> tuple[str, ...]:
        """The classes a category or label names, when the whole label is class names:
        `XI-2`, `kelas xi 2`, `kelas X` (a grade: `own` classes of it, or all of it)."""
        named, of_grades = self.label_classes(label, own)
        return tuple(dict.fromkeys([*named, *of_grades]))

    def label_classes(self, label: str,
                      own: Sequence[str] = ()) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(classes named, classes of a grade named) by a label that is class names only."""
        tokens = _tokens(label)
        if tokens and tokens[0].text.lower() in _INTRO_WORDS:
            tokens = tokens[1:]
        found: list[str] = []
        groups: list[str] = []
        end = self._mention(tokens, 0, True, own, found, groups)
        if end != len(tokens):
            exact = self.names.get(class_key(label)) or self.names.get((fold(label),))
            return ((exact,) if exact else ()), ()
        return tuple(found), tuple(groups)

    @staticmethod
    def refined(named: Sequence[str], of_grades: Sequence[str]) -> tuple[str, ...]:
        """The classes named, and those of the grades named for which no class is: labels
        `Kelas XII`, `XII-1`, `XII-2` are for XII-1 and XII-2."""
        named_grades = {class_key(name)[0] for name in named}
        rest = [name for name in of_grades if class_key(name)[0] not in named_grades]
        return tuple(dict.fromkeys([*named, *rest]))

    def classes_in(self, text: str, own: Sequence[str] = ()) -> tuple[str, ...]:
        """The classes a sentence names, in the order it names them. A grade named
        alongside classes of that grade adds nothing: `Tugas kelas IX` above `IX A, B, C`
        is for those three."""
        found: list[str] = []
        groups: list[str] = []
        done = 0
        # Only from where a class may be named: a post's text is mostly other words.
        for start in _START_RE.finditer(text):
            if start.start() < done:
                continue
            if start.group()[0].isalnum() and start.group().lower() not in _INTRO_WORDS:
                # A grade: read on only when the next word may follow it in a class's
                # name (`XI MIPA`, `8A`), not before `soal` or `menit`.
                after = _NEXT_PART_RE.match(text, start.end())
                grade = _grade(start.group())
                if after is None or (grade, after.group(1).lower()) not in self.second:
                    continue
            tokens = _tokens(text, start.start(), start.start() + _WINDOW, _MOST_TOKENS)
            intro = bool(tokens) and tokens[0].text.lower() in _INTRO_WORDS
            first = 1 if intro else 0
            end = self._mention(tokens, first, intro, own, found, groups)
            if end > first:
                done = tokens[end - 1].end
        return self.refined(found, groups)

    def _mention(self, tokens: list[_Token], start: int, intro: bool, own: Sequence[str],
                 found: list[str], groups: list[str]) -> int:
        """Match the class mention starting at `tokens[start]`, with the list or range
        after it; append the classes to `found` (named) or `groups` (a grade's). Returns
        the index after the mention, or `start` when nothing matched."""
        if start >= len(tokens):
            return start
        first = tokens[start]
        grade = _grade(first.text) if first.kind in ("word", "num") else None
        if grade is None:
            return start
        # A lowercase `x` or `v` in running text is a letter: a grade needs `kelas` first,
        # or a whole class's name after it (`xi-mipa-3`).
        whole_only = first.kind == "word" and not intro and not first.text.isupper()
        key: Key = (grade,)
        index = start + 1
        while index < len(tokens):
            step = index + 1 if tokens[index].kind == "dash" else index
            if step >= len(tokens) or tokens[step].kind not in ("word", "num"):
                break
            longer = (*key, tokens[step].text.lower())
            if longer not in self.names and longer not in self.groups:
                break
            key, index = longer, step + 1
        if key in self.names and not (whole_only and len(key) < 2):
            found.append(self.names[key])
            return self._continued(tokens, index, key, found)
        stream = len(key) > 1 and not key[-1].isdecimal() and len(key[-1]) > 1
        if key not in self.groups or whole_only or not (intro or stream):
            return start
        members = self.groups[key]
        groups.extend(c for c in members if c in own or not set(members) & set(own))
        # `kelas 7 dan 8`: more grades after the first.
        while (index + 1 < len(tokens) and len(key) == 1 and tokens[index].kind == "list"
               and ((_grade(tokens[index + 1].text) or ""),) in self.groups):
            members = self.groups[(_grade(tokens[index + 1].text) or "",)]
            groups.extend(c for c in members if c in own or not set(members) & set(own))
            index += 2
        return index

    def _continued(self, tokens: list[_Token], index: int, key: Key, found: list[str]) -> int:
        """After a class, its siblings: `IX A, B, C`, `X IPA 1 dan 2`, `X IPA 1-2`."""
        last = key[-1]
        while index + 1 < len(tokens) and tokens[index].kind in ("list", "dash"):
            section = tokens[index + 1].text.lower()
            number = section.isdecimal()
            if number != last.isdecimal() or (not number and len(section) > 1):
                break
            if tokens[index].kind == "dash":
                if not section.isdecimal() or not int(last) < int(section) <= int(last) + 12:
                    break
                siblings = [(*key[:-1], str(n)) for n in range(int(last) + 1, int(section) + 1)]
            else:
                siblings = [(*key[:-1], section)]
            if not all(s in self.names for s in siblings):
                break
            found.extend(self.names[s] for s in siblings)
            last, index = section, index + 2
        return index
