"""Write the built files into a fresh folder beside the output, then swap it into place.

- **Atomic.** Everything is written into a staging folder next to the output; only a
  complete build is swapped in, with one atomic exchange of the two folders where the
  system has it (Linux `renameat2(RENAME_EXCHANGE)`), so a build that fails or is killed
  at any moment leaves the previous output whole. Leftovers of a killed build are removed
  by the next one.
- **Incremental on disk.** A file whose bytes did not change is hard-linked from the
  previous output instead of written again: it keeps its modification time, so `rsync`
  and deploy tools upload only what changed.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from generator.errors import MadingError
from generator.models import OutputFile

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class OutputPathError(MadingError):
    """A rendered path would land outside the output folder."""


@dataclass(frozen=True)
class WriteReport:
    files: int
    """Files in the new output."""
    rewritten: int
    """Files whose content is new or changed; the others kept their inode and mtime."""


def write_output(files: Iterable[OutputFile], output: Path,
                 finish: Callable[[Path, int], None] | None = None) -> WriteReport:
    """Write `files` as the new content of `output`.

    `finish`, if given, is called with the staging folder and the number of files that
    changed, once every file is in it and before the swap (the build indexes it for
    search there); if it raises, nothing is swapped and the previous output stays.
    """
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(output)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.new-", dir=output.parent))
    previous = output if output.is_dir() else None
    try:
        count = rewritten = 0
        for file in files:
            relative = _safe_relative(file.path)
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            old = previous / relative if previous is not None else None
            if old is not None and _same_content(file, old) and _link(old, target):
                pass
            elif file.source is not None:
                shutil.copyfile(file.source, target)
                rewritten += 1
            else:
                target.write_bytes(file.content or b"")
                rewritten += 1
            count += 1
        if finish is not None:
            finish(staging, rewritten)
            if previous is not None:
                _relink_unchanged(staging, previous)
        os.chmod(staging, 0o755)
        _swap(staging, output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return WriteReport(count, rewritten)


def _relink_unchanged(staging: Path, previous: Path) -> None:
    """Files `finish` wrote (the search index) that equal the previous build's get the old
    file back, with its modification time."""
    for path in staging.rglob("*"):
        if not path.is_file() or path.stat().st_nlink > 1:
            continue
        old = previous / path.relative_to(staging)
        try:
            if old.is_file() and old.stat().st_size == path.stat().st_size and \
                    old.read_bytes() == path.read_bytes():
                path.unlink()
                os.link(old, path)
        except OSError:
            continue


def _same_content(file: OutputFile, old: Path) -> bool:
    try:
        if file.source is not None:
            return file.source.stat().st_size == old.stat().st_size and \
                file.source.read_bytes() == old.read_bytes()
        content = file.content or b""
        return old.stat().st_size == len(content) and old.read_bytes() == content
    except OSError:
        return False


def _link(old: Path, target: Path) -> bool:
    """Hard-link `old` as `target`; False where links are not possible (then it is written)."""
    try:
        os.link(old, target)
    except OSError:
        return False
    return True


def _safe_relative(path: str) -> PurePosixPath:
    relative = PurePosixPath(path)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise OutputPathError(f"refusing to write outside the output folder: {path!r}")
    return relative


def _remove_leftovers(output: Path) -> None:
    """Staging and retired folders of earlier builds that were killed before cleaning up."""
    for prefix in (f".{output.name}.new-", f".{output.name}.old-"):
        for leftover in output.parent.glob(prefix + "*"):
            shutil.rmtree(leftover, ignore_errors=True)


def _swap(staging: Path, output: Path) -> None:
    """Put `staging` in the place of `output`, atomically where the system allows."""
    if not output.exists():
        staging.rename(output)
        return
    if _exchange(staging, output):
        shutil.rmtree(staging, ignore_errors=True)  # now holding the previous output
        return
    # No atomic exchange here (macOS, Windows, old kernels): two renames, a moment apart.
    retired = output.with_name(f".{output.name}.old-{os.getpid()}")
    output.rename(retired)
    staging.rename(output)
    shutil.rmtree(retired, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step with Linux's renameat2(RENAME_EXCHANGE)."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
                       _RENAME_EXCHANGE)
    return bool(result == 0)
