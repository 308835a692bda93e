"""Write the built files into a fresh folder beside the output, then swap it into place.

- **Atomic.** Everything is written into a staging folder next to the output; only a
  complete build is swapped in, with one atomic exchange of the two folders where the
  system has it (Linux `renameat2(RENAME_EXCHANGE)`), so a build that fails or is killed
  at any moment leaves the previous output whole. Leftovers of a killed build are removed
  by the next one.
- **Incremental on disk.** A file whose bytes did not change is hard-linked from the
  previous output instead of written again: it keeps its modification time, so `rsync`
  and deploy tools upload only what changed.
- **A spare folder.** The output a swap retires is kept beside it as `.OUTPUT.spare`
  (ignored by Git like the staging folders) and becomes the next build's staging folder:
  only the files that differ are replaced there, instead of linking every file into a new
  folder tree and deleting the retired tree (for one edited post of 1,160, 0.8 s of a
  3.2 s build went to that; a district's 400,000 files took minutes).
- **One build at a time.** A build holds `output_lock` while it writes: a second build of
  the same output (`mading serve` beside a cron `mading build`) waits for the first, since
  each would otherwise remove the other's staging folder as a killed build's leftover and
  publish what was left of it (issue 26).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import CatalogueError, display_path
from generator.file_writer import FileWriter
from generator.models import Checkpoint, OutputFile
from generator.paths import shown

if sys.platform != "win32":
    import fcntl

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_NO_ROOM = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
"""A full disk, a full quota, a file size limit (`ulimit -f`)."""


class OutputPathError(CatalogueError):
    """The output folder may not be replaced (`refuse_output`), or a rendered path would
    land outside it (a bug): refused before any file is written."""


class OutputWriteError(CatalogueError):
    """The build could not be written (a full disk, a read-only one, no permission): the
    previous output is whole and the staging folder removed (issue 8)."""

    def __init__(self, where: str, error: OSError) -> None:
        super().__init__("output.no_room" if error.errno in _NO_ROOM else "output.write_failed",
                         where, detail=error.strerror or str(error))


class OutputBudgetError(OutputWriteError):
    """The build made far more than its posts need (issue 26: one post with 10,000 tags
    wrote 7.1 GB): stopped before the disk fills, nothing swapped, staging removed."""

    def __init__(self, where: str, budget: OutputBudget) -> None:
        CatalogueError.__init__(self, "hostile_web.output_budget", where,
                                size=_megabytes(budget.limit), posts=budget.posts,
                                per_post=_megabytes(budget.per_post),
                                base=_megabytes(budget.base))
        self.budget = budget


@dataclass(frozen=True)
class OutputBudget:
    """How many bytes a build may make (pages, feeds, cleaned images; not the files it
    copies, which the school's own folder bounds): a fixed base for the site's own pages
    plus an allowance per post. A post costs about 45 KB of output (50.8 MB for the
    school of 1,160 posts, 3.5 GB for the district of 90,000: bench/RESULTS.md); the
    allowance is some 20 times that, so a real site is never stopped."""

    posts: int
    base: int = 256 * 1024 * 1024
    per_post: int = 1024 * 1024

    @property
    def limit(self) -> int:
        return self.base + self.per_post * self.posts


def _megabytes(count: int) -> str:
    return f"{count / (1024 * 1024):,.0f} MB"


@contextmanager
def output_lock(output: Path, waiting: Callable[[], None]) -> Iterator[None]:
    """Hold the lock of `output` (the file `.OUTPUT.lock` beside it) until the block
    ends; `waiting` is called once if another build holds it, and this one then waits.

    An advisory `flock`: the system releases it when its process ends, even by kill -9,
    so a killed build never leaves it taken. (Windows has no `flock`: no lock there.)

    Raises:
        OutputWriteError: the lock file cannot be made (a read-only folder...).
    """
    if sys.platform == "win32":
        yield
        return
    where = display_path(output)
    output = output.resolve()
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(output.with_name(f".{output.name}.lock"),
                             os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise OutputWriteError(where, exc) from None
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting()
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the lock


@dataclass(frozen=True)
class WriteReport:
    files: int
    """Files in the new output."""
    rewritten: int
    """Files whose content is new or changed; the others kept their inode and mtime."""


def write_output(files: Iterable[OutputFile | Checkpoint], output: Path,
                 finish: Callable[[Path, list[str]], None] | None = None,
                 finished: Collection[str] = (), budget: OutputBudget | None = None,
                 reached: Callable[[Checkpoint, Path, list[str]], None] | None = None
                 ) -> WriteReport:
    """Write `files` as the new content of `output`.

    `finish`, if given, is called with the staging folder and the paths of the files that
    are new or changed, once every file is in it and before the swap (the build indexes it for
    search there); if it raises, nothing is swapped and the previous output stays.
    `finished` names the top-level folders `finish` writes.

    `reached`, if given, is called the same way at each checkpoint among `files`, once the
    files before it are on disk and its folders hold nothing else, so that the search
    index can be started there while the rest is written. It is not called while
    nothing is staged (every file so far the previous output's). The top-level folder a
    checkpoint reached names is `reached`'s to write, as `finished`'s are `finish`'s.

    The caller holds `output_lock(output)`: the folders of another build writing the same
    output would be taken for a killed build's leftovers and removed.

    When every file equals the previous output's and no other file is there, nothing is
    written at all: no staging folder, no swap (a district's no-change rebuild would
    otherwise link 100,000 files only to throw them away).

    With a `budget`, the bytes made (not copied) are counted as they come, and past its
    limit the build stops.

    Raises:
        OutputWriteError: a file could not be written (`OSError`: a full disk, a file size
            limit, a read-only disk...); the previous output is left whole.
        OutputBudgetError: the files made went past `budget`; the previous output is left
            whole.
    """
    refusal = refuse_output(output, ())
    if refusal is not None:
        raise OutputPathError(refusal[0], "--output", output=str(output), input=refusal[1])
    where = display_path(output)
    output = output.resolve()
    staging: _Staging | None = None
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(output)
        previous = output if output.is_dir() else None
        same: list[str] = []
        built: set[str] = set()
        rewritten: list[str] = []
        made = 0
        started: set[str] = set()  # top-level folders written from a checkpoint on
        with FileWriter() as writer:
            for file in files:
                if isinstance(file, Checkpoint):
                    if staging is not None and reached is not None:
                        writer.wait()
                        if staging.spare:
                            for folder in file.folders:
                                _remove_others(staging.path, built, set(), folder)
                        reached(file, staging.path, rewritten)
                        if file.name:
                            started.add(file.name)
                    continue
                relative = _safe_relative(file.path)
                if budget is not None and file.content is not None:
                    made += len(file.content)
                    if made > budget.limit:
                        raise OutputBudgetError(where, budget)
                old = previous / relative if previous is not None else None
                built.add(relative)
                if old is not None and (file.unchanged or _same_content(file, old)):
                    if staging is None:
                        same.append(relative)
                    else:
                        staging.link(old, relative)
                    continue
                if staging is None:
                    staging = _start_staging(output, previous, same)
                if file.source is not None:
                    _copy(file.source, staging.target(relative))
                else:
                    writer.write(staging.target(relative), file.content or b"")
                rewritten.append(relative)
        if staging is None and previous is not None and \
                _holds_only(previous, set(same), set(finished)):
            return WriteReport(len(built), 0)
        if staging is None:
            staging = _start_staging(output, previous, same)
        if staging.spare:
            _remove_others(staging.path, built,
                           (set(finished) | started) if finish is not None else started)
        if finish is not None:
            finish(staging.path, rewritten)
            if previous is not None:
                for name in finished:
                    _relink_unchanged(staging.path / name, previous / name)
        os.chmod(staging.path, 0o755)
        _swap(staging.path, output)
    except BaseException as exc:
        if staging is not None:
            shutil.rmtree(staging.path, ignore_errors=True)
        if isinstance(exc, OSError):
            raise OutputWriteError(where, exc) from None
        raise
    return WriteReport(len(built), len(rewritten))


def _spare(output: Path) -> Path:
    """Where the output a swap retired is kept, to be the next build's staging folder."""
    return output.with_name(f".{output.name}.spare")


def _start_staging(output: Path, previous: Path | None, same: list[str]) -> _Staging:
    """The folder the build is written into, holding the unchanged files so far: the
    spare folder when there is one, else a new one."""
    staging = _Staging(Path(tempfile.mkdtemp(prefix=f".{output.name}.new-",
                                             dir=output.parent)))
    spare = _spare(output)
    if previous is not None and spare.is_dir() and not spare.is_symlink():
        try:
            staging.path.rmdir()
            spare.rename(staging.path)
            staging.spare = True
        except OSError:
            staging.path.mkdir(exist_ok=True)
    try:
        for relative in same:
            assert previous is not None
            staging.link(previous / relative, relative)
    except BaseException:  # (a full disk where links cannot be made) not left behind
        shutil.rmtree(staging.path, ignore_errors=True)
        raise
    return staging


@dataclass
class _Staging:
    """The folder a build is written into: a new one, or a `spare` one that still holds
    files of an earlier build, which are put right one by one."""

    path: Path
    spare: bool = False
    folders: set[str] = field(default_factory=set)
    """Folders (relative; "" for the top) made or found here by this build: asked of the
    system once, not for each of their files. `mkdir` locks the folder it is asked
    about, as creating a file in it does: a CI run of 30,000 posts spent 36 s of 148 s
    (cProfile) in 143,000 `mkdir` calls that found the folder there."""

    def link(self, old: Path, relative: str) -> None:
        """Put the previous output's file `old` at `relative`, by a hard link where
        possible; in a spare folder that already links it, it is left as it is."""
        if self.spare:
            try:
                # Not os.path.samefile(old, self.path / relative): a district's 400,000
                # unchanged files spent more time making paths than in the two stats.
                here, there = os.stat(old), os.stat(os.path.join(self.path, "") + relative)
                if (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino):
                    return
            except OSError:
                pass
        target = self.target(relative)
        if not _link(old, target):
            shutil.copyfile(old, target)

    def target(self, relative: str) -> str:
        """Where to create the file `relative`: its folders made and, in a spare folder,
        whatever was there removed (it may be a link to the published file, which must
        not be written through)."""
        target = os.path.join(self.path, relative)
        folder = relative.rpartition("/")[0]
        if folder not in self.folders:
            try:
                os.makedirs(os.path.dirname(target), exist_ok=True)
            except (FileExistsError, NotADirectoryError):  # a file is where a folder goes
                if not self.spare:
                    raise
                self._clear_way(relative)
                os.makedirs(os.path.dirname(target), exist_ok=True)
            self.folders.add(folder)
        if not self.spare:
            return target
        try:
            os.unlink(target)
        except FileNotFoundError:
            pass
        except (IsADirectoryError, PermissionError):  # (a folder, as some systems say)
            if not os.path.isdir(target):
                raise
            shutil.rmtree(target)
        return target

    def _clear_way(self, relative: str) -> None:
        """Remove the files that stand where `relative` needs a folder."""
        folder = self.path
        for part in relative.split("/")[:-1]:
            folder = folder / part
            if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
                folder.unlink()


def _remove_others(staging: Path, built: set[str], finished: set[str],
                   folder: str = "") -> None:
    """Remove what a spare folder still holds that this build did not write, and the
    folders left empty; the top-level folders in `finished` are `finish`'s to write.
    With `folder` (relative), only what is under it.

    One `scandir` per folder and nothing more: a folder is empty when nothing in it was
    kept (listing each folder again to know took 7.1 s, this 2.9 s, for a district's spare)."""
    def clear(directory: str, here: str) -> bool:
        """Clear `directory` (`here` from the top); whether nothing is left in it."""
        empty = True
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if not here and entry.name in finished:
                        empty = False
                    elif clear(entry.path, f"{here}{entry.name}/"):
                        os.rmdir(entry.path)
                    else:
                        empty = False
                elif here + entry.name in built:
                    empty = False
                else:  # a file, or a link (to a folder too) that is not the build's
                    os.unlink(entry.path)
        return empty

    if not folder:
        clear(os.fspath(staging), "")
    elif os.path.isdir(staging / folder) and clear(os.fspath(staging / folder), f"{folder}/"):
        os.rmdir(staging / folder)


def link_tree(source: Path, target: Path) -> None:
    """Make the folder `target` hold hard links of exactly the files of `source` (the
    previous search index, carried into a staging folder that may be a spare one)."""
    folder = _Staging(target, spare=True)
    files: set[str] = set()
    for _, here, _, names in _walk(source):
        for name in names:
            files.add(here + name)
            folder.link(source / (here + name), here + name)
    target.mkdir(exist_ok=True)
    _remove_others(target, files, set())


def replace_text(path: Path, lines: Iterable[str]) -> None:
    """Make `path` hold `lines`, whole or not at all: written beside it, then renamed over
    it, so that a write that fails midway never replaces the last good file.

    Raises:
        OSError: the file could not be written; `path` is as it was.
    """
    partial = path.with_name(f".{path.name}.new-{os.getpid()}")
    try:
        with open(partial, "w", encoding="utf-8") as out:
            out.writelines(line + "\n" for line in lines)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _holds_only(folder: Path, files: set[str], finished: set[str]) -> bool:
    """Whether `folder` holds exactly `files` (relative POSIX paths), besides the
    top-level folders in `finished`."""
    found = 0
    for _, here, _, names in _walk(folder, finished):
        for name in names:
            if here + name not in files:
                return False
            found += 1
    return found == len(files)


def _walk(folder: Path, skip: Collection[str] = ()) -> Iterator[
        tuple[str, str, list[str], list[str]]]:
    """`os.walk` of `folder` with each folder's relative POSIX path (`""` or ending in
    `/`), leaving out the top-level folders named in `skip`."""
    top = os.fspath(folder)
    for directory, subfolders, names in os.walk(top):
        if directory == top:
            subfolders[:] = [name for name in subfolders if name not in skip]
            yield directory, "", subfolders, names
        else:
            here = directory[len(top) + 1:].replace(os.sep, "/") + "/"
            yield directory, here, subfolders, names


def refuse_output(output: Path, inputs: Iterable[Path]) -> tuple[str, str] | None:
    """Why a build may not put its output in `output`: (message id, the input in the
    way), or None when it may.

    The swap replaces the whole folder: `--output .` run in the site folder would put
    the built pages in the place of the school's repository (issue 8). So the output may
    not be, hold or lie inside any of the site's `inputs` (site.yml, content/, the
    archive, feed files, photos, the theme), nor be the root or the home folder; and a
    folder that exists must be empty or a previous build (it has an index.html).
    """
    target = Path(os.path.realpath(output))
    if target == Path(target.anchor) or target == Path(os.path.realpath(Path.home())):
        return "output.system_folder", str(target)
    for path in inputs:
        real = Path(os.path.realpath(path))
        if real.is_relative_to(target) or target.is_relative_to(real):
            return "output.holds_input", display_path(path)
    if target.exists() and not target.is_dir():
        return "output.not_a_folder", ""
    if target.is_dir() and not (target / "index.html").is_file() and any(target.iterdir()):
        return "output.not_a_build", ""
    return None


def _relink_unchanged(written: Path, previous: Path) -> None:
    """Files `finish` wrote into the folder `written` (the search index) that equal the
    previous build's in `previous` get the old file back, with its modification time."""
    for path in written.rglob("*"):
        if not path.is_file() or path.stat().st_nlink > 1:
            continue
        old = previous / path.relative_to(written)
        try:
            if old.is_file() and old.stat().st_size == path.stat().st_size and \
                    old.read_bytes() == path.read_bytes():
                path.unlink()
                os.link(old, path)
        except OSError:
            continue


def _copy(source: Path, target: str) -> None:
    """Copy a file keeping its modification time, for the quick check in `_same_content`."""
    shutil.copyfile(source, target)
    stat = source.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def _same_content(file: OutputFile, old: Path) -> bool:
    try:
        if file.source is not None:
            # rsync's quick check: a copied file (images, attachments; a district has
            # tens of thousands) kept its source's size and modification time.
            new, was = file.source.stat(), old.stat()
            return (new.st_size, new.st_mtime_ns) == (was.st_size, was.st_mtime_ns)
        content = file.content or b""
        return old.stat().st_size == len(content) and old.read_bytes() == content
    except OSError:
        return False


def _link(old: Path, target: str) -> bool:
    """Hard-link `old` as `target`; False where links are not possible (then it is written)."""
    try:
        os.link(old, target)
    except OSError:
        return False
    return True


def _safe_relative(path: str) -> str:
    """`path` as written under the output, refused if it would land outside it."""
    parts = path.split("/")
    if not path or path.startswith("/") or ".." in parts or "\0" in path:
        raise OutputPathError("output.outside_output", "mading", path=shown(path))
    relative = "/".join(part for part in parts if part not in ("", "."))
    if not relative:
        raise OutputPathError("output.outside_output", "mading", path=shown(path))
    return relative


def _remove_leftovers(output: Path) -> None:
    """Staging and retired folders of earlier builds that were killed before cleaning up
    (under `output_lock`, no other build is writing)."""
    for prefix in (f".{output.name}.new-", f".{output.name}.old-"):
        for leftover in output.parent.glob(prefix + "*"):
            shutil.rmtree(leftover, ignore_errors=True)


def _swap(staging: Path, output: Path) -> None:
    """Put `staging` in the place of `output`, atomically where the system allows."""
    if not output.exists():
        staging.rename(output)
        return
    if _exchange(staging, output):
        _keep_spare(staging, output)  # now holding the previous output
        return
    # No atomic exchange here (macOS, Windows, old kernels): two renames, a moment apart.
    retired = output.with_name(f".{output.name}.old-{os.getpid()}")
    output.rename(retired)
    try:
        staging.rename(output)
    except BaseException:
        retired.rename(output)  # the previous output back in its place
        raise
    _keep_spare(retired, output)


def _keep_spare(retired: Path, output: Path) -> None:
    """Keep the retired output as the spare folder of the next build."""
    spare = _spare(output)
    shutil.rmtree(spare, ignore_errors=True)
    try:
        retired.rename(spare)
    except OSError:
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
