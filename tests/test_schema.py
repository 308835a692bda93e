"""The schema's checker, on its own: the one reader of values for site.yml, koreksi.yml and
front matter (issue 22). What each file makes of it is tested with the file
(test_config, test_corrections, test_content, test_mistakes)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from textwrap import dedent
from zoneinfo import ZoneInfo

from generator.i18n import Translator
from generator.schema import Checker, FileWords, parse_yaml

_ = Translator("en")
JAKARTA = ZoneInfo("Asia/Jakarta")
WORDS = FileWords(bad_name="config.bad_file_name", outside="config.outside_site",
                  hidden="config.hidden_file", missing="config.missing_file")


def parsed(text: str) -> object:
    return parse_yaml(dedent(text), "x.yml", _)


def messages(check: Checker) -> list[str]:
    return [str(problem) for problem in check.problems]


def test_named_items_take_a_name_alone_or_a_mapping_and_report_the_rest() -> None:
    data = parsed("""\
        subjects:
          - Matematika
          - name: Fisika
            alias: [IPA]
          - [Kimia]
          - slug: biologi
        """)
    assert isinstance(data, dict)
    check = Checker("site.yml", _)
    items = [(name, line) for _item, name, line in
             check.named_items(data, "subjects", ("name", "slug", "aliases"))]
    assert items == [("Matematika", 2), ("Fisika", 3)]
    assert messages(check) == [
        "site.yml:4: unknown key 'subjects.alias' (did you mean 'aliases'?)",
        "site.yml:5: each item of 'subjects' must be a set of keys such as 'name: ...'",
        "site.yml:6: 'subjects.name' is required",
    ]


def test_without_bare_names_only_mappings_are_items() -> None:
    data = parsed("teachers:\n  - Sari\n  - name: Budi\n")
    assert isinstance(data, dict)
    check = Checker("site.yml", _)
    names = [name for _item, name, _line in check.named_items(data, "teachers", ("name",),
                                                                bare=False)]
    assert names == ["Budi"]
    assert messages(check) == [
        "site.yml:2: each item of 'teachers' must be a set of keys such as 'name: ...'"]


def test_a_loose_list_splits_commas_and_counts_the_offset_of_a_front_matter() -> None:
    data = parsed("classes: XI-1, XI-2,\ntags: [a, '', b]\nsubjects: {a: 1}\n")
    assert isinstance(data, dict)
    check = Checker(Path("post.md"), _, offset=1, first_line=2)
    assert check.text_list(data, "classes", loose=True) == [("XI-1", 2), ("XI-2", 2)]
    assert check.text_list(data, "tags", loose=True) == [("a", 3), ("b", 3)]
    assert check.text_list(data, "subjects", loose=True) == []
    assert messages(check) == ["post.md:4: 'subjects' must be a list, for example [X-1, X-2]"]
    strict = Checker("site.yml", _)
    assert strict.text_list(data, "classes") == [("XI-1, XI-2,", 1)]


def test_dates_as_yaml_and_as_text_and_what_is_wrong_with_one() -> None:
    data = parsed("""\
        a: 2026-12-18
        b: 2026-12-18 07.30
        c: 2026-02-31
        d: 9999-01-01
        e: besok
        """)
    assert isinstance(data, dict)
    check = Checker("x.yml", _)
    assert check.date(data, "a", JAKARTA, end_of_day=True) == datetime(2026, 12, 18, 23, 59,
                                                                       tzinfo=JAKARTA)
    assert check.date(data, "b", JAKARTA) == datetime(2026, 12, 18, 7, 30, tzinfo=JAKARTA)
    assert check.date(data, "c", JAKARTA) is None
    assert check.date(data, "d", JAKARTA) is None
    assert check.date(data, "e", JAKARTA, bad="assignments.bad_due") is None
    assert check.date(data, "f", JAKARTA, required=True) is None
    assert [p.line for p in check.problems] == [3, 4, 5, None]
    assert check.problems[0].message.endswith("does not exist: February 2026 has only 28 days")
    assert check.problems[2].message == _("assignments.bad_due", value="besok")
    assert check.problems[3].message == _("content.missing_date")


def test_a_file_must_be_there_inside_its_folder_and_not_hidden(tmp_path: Path) -> None:
    (tmp_path / "foto.png").write_bytes(b"png")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("token")
    check = Checker("site.yml", _)
    assert check.file(tmp_path, "foto.png", 3, WORDS, key="photo") == tmp_path / "foto.png"
    for name in ("../foto.png", ".git/config", "fotoo.png", "a\x00b"):
        assert check.file(tmp_path, name, 3, WORDS, key="photo") is None
    assert messages(check) == [
        "site.yml:3: " + _("config.outside_site", key="photo", path="../foto.png"),
        "site.yml:3: " + _("config.hidden_file", key="photo", path=".git/config"),
        "site.yml:3: " + _("config.missing_file", key="photo", path="fotoo.png"),
        "site.yml:3: " + _("config.bad_file_name", key="photo", path="a\\x00b"),
    ]


def test_unknown_keys_suggest_a_close_key_or_the_one_a_known_word_means() -> None:
    data = parsed("kelas: [X-1]\ntitel: x\nwarna: merah\n")
    assert isinstance(data, dict)
    check = Checker("koreksi.yml", _)
    check.unknown_keys(data, ("classes", "title"), words={"kelas": "classes"})
    assert messages(check) == [
        "koreksi.yml:1: unknown key 'kelas' (did you mean 'classes'?)",
        "koreksi.yml:2: unknown key 'titel' (did you mean 'title'?)",
        "koreksi.yml:3: unknown key 'warna'",
    ]
