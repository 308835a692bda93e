"""Write the built files into a fresh folder beside the output, then swap it into place.

A build that fails or is killed before the swap leaves the previous output as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath

from generator.errors import MadingError
from generator.models import OutputFile


class OutputPathError(MadingError):
    """A rendered path would land outside the output folder."""


def write_output(files: Iterable[OutputFile], output: Path,
                 finish: Callable[[Path], None] | None = None) -> int:
    """Write `files` as the new content of `output`; returns how many were written.

    `finish`, if given, is called with the staging folder once every file is in it and
    before the swap (the build indexes it for search there); if it raises, nothing is
    swapped and the previous output stays.
    """
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.new-", dir=output.parent))
    try:
        count = 0
        for file in files:
            target = staging / _safe_relative(file.path)
            target.parent.mkdir(parents=True, exist_ok=True)
            if file.source is not None:
                shutil.copyfile(file.source, target)
            else:
                target.write_bytes(file.content or b"")
            count += 1
        if finish is not None:
            finish(staging)
        os.chmod(staging, 0o755)
        _swap(staging, output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return count


def _safe_relative(path: str) -> PurePosixPath:
    relative = PurePosixPath(path)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise OutputPathError(f"refusing to write outside the output folder: {path!r}")
    return relative


def _swap(staging: Path, output: Path) -> None:
    """Replace `output` by `staging` with two renames; the old tree is removed last."""
    if not output.exists():
        staging.rename(output)
        return
    retired = output.with_name(f".{output.name}.old-{os.getpid()}")
    shutil.rmtree(retired, ignore_errors=True)
    output.rename(retired)
    staging.rename(output)
    shutil.rmtree(retired, ignore_errors=True)
