"""The golden build: the example school, built offline at a fixed `SOURCE_DATE_EPOCH` and
`--url`, gives exactly the committed files of tests/golden/, file by file and byte by byte
(Pelican's functional test is the model). After a change to the output that is intended,
`make golden` writes the tree again and the diff is reviewed with the change.

What is compared, and why Pagefind's bundle is summed up rather than kept, is said in
tests/golden_build.py; docs/decisions.md ("Golden build") says why the tree is kept whole.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from tests.golden_build import BUNDLE, UNORDERED, build_example, expected_files, golden_files

SHOWN_DIFFS = 3
"""Differing text files whose diff a failure shows; the others are only named."""
DIFF_LINES = 60
"""Lines of one file's diff a failure shows."""
NAMED = 20
"""Other differing files a failure names; the rest are counted."""
HINT = "run `make golden` if the change is intended, and review tests/golden/ in the diff"


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_example(tmp_path_factory.mktemp("golden"))


def differences(expected: dict[str, bytes], actual: dict[str, bytes]) -> str:
    """What differs between two trees, as a reader of a failed test needs it: how many
    files differ, the files only one tree has, a unified diff of the first few differing
    text files, then the names of some others ("" when the trees are the same)."""
    missing = sorted(expected.keys() - actual)
    extra = sorted(actual.keys() - expected)
    changed = sorted(name for name in expected.keys() & actual if expected[name] != actual[name])
    if not (missing or extra or changed):
        return ""
    lines = [f"{len(changed)} files differ, {len(missing)} are missing from the build, "
             f"{len(extra)} are not in tests/golden/"]
    named = [f"missing from the build: {name}" for name in missing]
    named += [f"not in tests/golden/: {name}" for name in extra]
    shown = 0
    for name in changed:
        try:
            before = expected[name].decode().splitlines(keepends=True)
            after = actual[name].decode().splitlines(keepends=True)
        except UnicodeDecodeError:
            named.append(f"binary file differs: {name}")
            continue
        if shown == SHOWN_DIFFS:
            named.append(f"text file differs: {name}")
            continue
        shown += 1
        diff = list(difflib.unified_diff(before, after, f"tests/golden/{name}", f"build/{name}"))
        lines += [line.rstrip("\n") for line in diff[:DIFF_LINES]]
        if len(diff) > DIFF_LINES:
            lines.append(f"... {len(diff) - DIFF_LINES} more lines of this diff")
    lines += named[:NAMED]
    if len(named) > NAMED:
        lines.append(f"... and {len(named) - NAMED} more files")
    return "\n".join(lines)


def test_the_example_builds_to_the_golden_tree(output: Path) -> None:
    problems = differences(golden_files(), expected_files(output))
    assert not problems, f"the build differs from tests/golden/ ({HINT}):\n{problems}"


def test_the_build_is_reproducible(output: Path, tmp_path: Path) -> None:
    """A second build, in another folder and another time zone and locale, gives the same
    bytes in every file, Pagefind's too, but those that tests/golden_build.py shows to
    change from run to run; and of these the same number under the same kind of name."""
    again = build_example(tmp_path, {"TZ": "America/Los_Angeles", "LC_ALL": "C", "LANG": "C"})

    def files(folder: Path) -> dict[str, bytes]:
        return {path.relative_to(folder).as_posix(): path.read_bytes()
                for path in sorted(folder.rglob("*")) if path.is_file()}

    def settled(tree: dict[str, bytes]) -> dict[str, bytes]:
        return {name: data for name, data in tree.items()
                if not UNORDERED.fullmatch(name.removeprefix(f"{BUNDLE}/"))
                and name != f"{BUNDLE}/pagefind-entry.json"}

    first, second = files(output), files(again)
    assert settled(first)
    problems = differences(settled(first), settled(second))
    assert not problems, f"two builds of the same input differ:\n{problems}"
    assert len(first) == len(second)
