"""site.yml edited in place for `mading import`: new teachers, subjects and classes
appended, its comments, quotes and layout kept.

ruamel.yaml's round trip does the editing; the result must load with `load_site` before
it replaces the old file.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken

from generator.config import load_site


@dataclass(frozen=True)
class AddedTeacher:
    """A teacher as written into site.yml."""

    slug: str
    name: str
    blog: str
    """What site.yml now holds: the feed found behind the listed address, the address,
    or empty for a teacher who writes in `content/`."""
    listed_blog: str
    subjects: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()


def write_config(config_file: Path, teachers: Sequence[AddedTeacher], subjects: Sequence[str],
                 classes: Sequence[str]) -> None:
    """Write site.yml with `teachers`, `subjects` and `classes` added, once the result is
    known to load.

    Raises:
        InputError: the edited file would not load (a bug: it is left as it was).
    """
    raw = config_file.read_bytes()
    text = raw.decode("utf-8")
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    newline = "\r\n" if "\r\n" in text else "\n"
    edited = edit_config(text.removeprefix(bom).replace("\r\n", "\n"), teachers, subjects,
                         classes)
    data = (bom + edited.replace("\n", newline)).encode("utf-8")
    handle, temporary = tempfile.mkstemp(prefix=".site-", suffix=".yml", dir=config_file.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, config_file.stat().st_mode & 0o777)
        load_site(Path(temporary))
        os.replace(temporary, config_file)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def edit_config(text: str, teachers: Iterable[AddedTeacher], subjects: Sequence[str],
                classes: Sequence[str]) -> str:
    """site.yml's text with `teachers`, `subjects` and `classes` appended to their lists.

    ruamel.yaml's round trip keeps comments and quotes; the indentation it writes is
    measured on the file's own lists, so that the untouched lines stay as they were.
    """
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long `bio:` onto two lines
    data = yaml.load(text)
    yaml.indent(**_indentation(data))
    if subjects:
        items = _list(data, "subjects")
        as_text = len(items) > 0 and all(isinstance(item, str) for item in items)
        _append(items, [name if as_text else CommentedMap(name=name) for name in subjects])
    if classes:
        if isinstance(data.get("classes"), str):
            data["classes"] = _flow([data["classes"]])
        _append(_list(data, "classes"), list(classes))
    entries = []
    for teacher in teachers:
        entry = CommentedMap(name=teacher.name, slug=teacher.slug)
        if teacher.subjects:
            entry["subjects"] = _flow(teacher.subjects)
        if teacher.classes:
            entry["classes"] = _flow(teacher.classes)
        if teacher.blog:
            entry["blog"] = teacher.blog
        entries.append(entry)
    _append(_list(data, "teachers"), entries)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _flow(values: Iterable[str]) -> CommentedSeq:
    """`[Matematika, Fisika]` on one line, as the example site.yml writes lists."""
    seq = CommentedSeq(values)
    seq.fa.set_flow_style()
    return seq


def _list(data: CommentedMap, key: str) -> CommentedSeq:
    """The list under top-level `key`, created (before `teachers:`) if missing or empty."""
    value = data.get(key)
    if isinstance(value, CommentedSeq):
        return value
    value = CommentedSeq()
    if key in data:
        data[key] = value
    else:
        data.insert(list(data).index("teachers") if "teachers" in data else len(data),
                    key, value)
    return value


def _append(items: CommentedSeq, new: Sequence[Any]) -> None:
    """Append `new` to `items`, after the list's last item but before the comments that
    open the next section.

    ruamel attaches the comment lines after a list's last value to that value, so that
    an appended item would land below the next section's heading ("# --- Guru ---"). The
    lines that belong to the next section (from the first blank line or comment at the
    left margin) are moved to the end of the list.
    """
    if items and not items.fa.flow_style():
        moved = "".join(_detach_trailing_lines(items))
        if moved:
            items.ca.comment = items.ca.comment or [None, None]
            items.ca.end = [CommentToken(line, CommentMark(0), None)
                            for line in moved.splitlines(keepends=True)]
    elif not items and isinstance(new[0], CommentedMap):
        items.fa.set_block_style()  # `teachers: []` becomes a block list
    items.extend(new)


def _detach_trailing_lines(node: Any) -> list[str]:
    """Remove and return the lines after the last value of `node`, at every depth,
    that are blank or start at the left margin."""
    moved: list[str] = []
    while isinstance(node, (CommentedMap, CommentedSeq)) and len(node):
        last = list(node)[-1] if isinstance(node, CommentedMap) else len(node) - 1
        slot = 2 if isinstance(node, CommentedMap) else 0
        entry = node.ca.items.get(last)
        token = entry[slot] if entry and len(entry) > slot else None
        if isinstance(token, CommentToken):
            # The first line ends the value's own line (with its comment, if any); the
            # indented comments after it still describe the value.
            lines = token.value.splitlines(keepends=True)
            keep = 1
            while keep < len(lines) and lines[keep].strip() and lines[keep][0] in " \t":
                keep += 1
            if keep < len(lines):
                moved[:0] = lines[keep:]
                token.value = "".join(lines[:keep])
        node = node[last]
    return moved


def _indentation(data: CommentedMap) -> dict[str, int]:
    """ruamel's `indent()` settings that reproduce how this file indents: the column of
    `school:`'s keys, of a list's dashes and of its items' keys. Default: the example's
    `  - name:` with keys two spaces in."""
    school = data.get("school")
    mapping = school.lc.col if isinstance(school, CommentedMap) and school.lc.col else 2
    for key in ("teachers", "subjects"):
        items = data.get(key)
        if (isinstance(items, CommentedSeq) and items and not items.fa.flow_style()
                and isinstance(items[0], CommentedMap)):
            offset, sequence = int(items.lc.col), int(items.lc.item(0)[1])
            if sequence >= offset + 2:
                return {"mapping": mapping, "sequence": sequence, "offset": offset}
    return {"mapping": mapping, "sequence": mapping + 2, "offset": mapping}
