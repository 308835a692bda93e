"""The example school built as `make golden` and tests/test_golden.py build it, and the
tree of expected files that build is compared with (tests/golden/).

The build is `mading build --offline --url URL` at `SOURCE_DATE_EPOCH=EPOCH`, run on a
fresh copy of the example (site.yml, content/, feeds/, img/), so that no archive or cache
of an earlier build takes part. Its output is kept byte for byte, except Pagefind's
bundle `pagefind/`, which is summed up in one text file, `pagefind.json`:

- the files whose bytes are the same in every build (Pagefind's scripts and wasm, the word
  index `index/*.pf_index`, the pages' `fragment/*.pf_fragment`), by name and SHA-256;
- each fragment decoded (URL, text, filters, metadata), so that a change reads as a diff;
- the filter files `filter/*.pf_filter` and the `pagefind.*.pf_meta` that names them, by
  their unpacked sizes only. Pagefind writes their maps in the order of a Rust HashMap,
  which is seeded anew in every run: two builds of the same input give other bytes, and
  so other hashed names, of the same sizes. What they hold is the fragments' `filters`,
  turned around (which pages carry a filter value), so the fragments compare it;
- `pagefind-entry.json` without the language's `hash`, which is the meta file's name.

`python -m tests.golden_build` writes the tree again (`make golden`).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.conftest import REPO, copy_example

GOLDEN = REPO / "tests" / "golden"
"""The committed expected tree: `site/` (the output but its search bundle; not named
`public/`, which .gitignore leaves out) and `pagefind.json`."""
EPOCH = 1795251600
"""2026-11-21 09:00 UTC, the example's own day: its assignments are due around it."""
URL = "https://sman3sukamaju.sch.id/"
BUNDLE = "pagefind"
FRAGMENT_HEADER = b"pagefind_dcd"
"""What Pagefind puts before the JSON of a gzipped fragment."""
UNORDERED = re.compile(r"filter/[^/]+\.pf_filter|pagefind\.[^/]+\.pf_meta")
"""Pagefind files whose bytes and names change from build to build (the module's
docstring says why)."""


def build_example(folder: Path, environment: dict[str, str] | None = None) -> Path:
    """Build a fresh copy of the example school in `folder` and return its output."""
    site = copy_example(folder / "school")
    output = folder / "public"
    env = {**os.environ, **(environment or {}), "SOURCE_DATE_EPOCH": str(EPOCH)}
    result = subprocess.run(  # `python -m generator` is the `mading` command
        [sys.executable, "-m", "generator", "build", "--offline", "--url", URL,
         "--config", str(site), "--output", str(output)],
        env=env, capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"mading build exited {result.returncode}:\n{result.stderr}")
    return output


def expected_files(output: Path) -> dict[str, bytes]:
    """The files to compare, by path relative to the golden tree: the output but its
    search bundle under `site/`, and the bundle's summary as `pagefind.json`."""
    files = {f"site/{path.relative_to(output).as_posix()}": path.read_bytes()
             for path in sorted(output.rglob("*"))
             if path.is_file() and path.relative_to(output).parts[0] != BUNDLE}
    files["pagefind.json"] = pagefind_summary(output / BUNDLE)
    return files


def pagefind_summary(bundle: Path) -> bytes:
    """Pagefind's bundle as the text the module's docstring describes."""
    digests: dict[str, str] = {}
    unordered: dict[str, list[int]] = {}
    fragments = []
    for path in sorted(bundle.rglob("*")):
        name = path.relative_to(bundle).as_posix()
        if not path.is_file() or name == "pagefind-entry.json":
            continue
        data = path.read_bytes()
        if UNORDERED.fullmatch(name):
            kind = re.sub(r"[^/.]+\.(pf_\w+)$", r"*.\1", name)
            unordered.setdefault(kind, []).append(len(gzip.decompress(data)))
            continue
        digests[name] = hashlib.sha256(data).hexdigest()
        if name.endswith(".pf_fragment"):
            fragments.append(json.loads(gzip.decompress(data).removeprefix(FRAGMENT_HEADER)))
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    for language in entry["languages"].values():
        del language["hash"]
    summary = {
        "entry": entry,
        "files": digests,
        "unpacked sizes of the files written in HashMap order":
            {kind: sorted(sizes) for kind, sizes in sorted(unordered.items())},
        "fragments": sorted(fragments, key=lambda fragment: str(fragment["url"])),
    }
    return (json.dumps(summary, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


def golden_files() -> dict[str, bytes]:
    """The committed expected tree, read back."""
    return {path.relative_to(GOLDEN).as_posix(): path.read_bytes()
            for path in sorted(GOLDEN.rglob("*")) if path.is_file()}


def write_golden() -> int:
    """Build the example and make tests/golden/ hold exactly its expected files."""
    with tempfile.TemporaryDirectory(prefix="mading-golden-") as folder:
        files = expected_files(build_example(Path(folder)))
    shutil.rmtree(GOLDEN, ignore_errors=True)
    for name, data in files.items():
        path = GOLDEN / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    print(f"{GOLDEN.relative_to(REPO)}: {len(files)} files, {sum(map(len, files.values()))} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(write_golden())
