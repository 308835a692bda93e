"""`mading init`: a new school's folder, ready to build.

The files come from `generator/new_school/`, shipped inside the package: a commented
`site.yml` with one subject and one teacher, that teacher's first Markdown post (so the
first build shows something), the GitHub workflow, `.gitignore` and a README with the
next steps, in the school's language. The workflow is the one this repository runs,
except that it installs the Mading named in the school's `requirements.txt` (issue 6); a
test keeps the two equal.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from datetime import date, datetime
from importlib import metadata
from pathlib import Path
from string import Template
from zoneinfo import ZoneInfo

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from generator import __version__
from generator.config import DEFAULT_TIMEZONE
from generator.errors import InputError, Problem, display_path
from generator.i18n import DEFAULT_LANGUAGE, LANGUAGES, Translator

TEMPLATES = Path(__file__).parent / "new_school"
WORKFLOW = TEMPLATES / "build.yml"
"""The school's workflow: this repository's `.github/workflows/build.yml` with
`pip install -r requirements.txt` instead of `pip install .`."""
DEFAULT_NAMES = {"id": "SMA Negeri 1 Contoh", "en": "Example High School"}
TEACHER_SLUG = "sari"
"""The example teacher of the templates, whose folder holds the first post."""
_POST_TITLES = {"id": ("Selamat datang di portal {name}", "selamat-datang"),
                "en": ("Welcome to the {name} portal", "welcome")}


@dataclass(frozen=True)
class Requirement:
    """The line of the school's `requirements.txt` that installs Mading on the runner."""

    line: str
    unreachable: str | None = None
    """Where this Mading was installed from when no runner can install from there (a
    local checkout or wheel): the line then needs the admin's attention (issue 21)."""


@dataclass(frozen=True)
class NewSchool:
    """What `init_school` did: the files it wrote, and those it found and left alone."""

    folder: Path
    created: tuple[Path, ...]
    kept: tuple[Path, ...]
    requirement: Requirement


def school_files(name: str, language: str, today: date,
                 requirement: Requirement | None = None) -> dict[str, str]:
    """Each file of a new school, by its path in the school's folder.

    Args:
        name: the school's name, as it should appear on the portal.
        language: `id` or `en`, for site.yml's comments, the README and the first post.
        today: the first post's date.
        requirement: the line of requirements.txt (default: `mading_requirement()`).
    """
    _ = Translator(language)
    requirement = requirement or mading_requirement()
    title, post_slug = _POST_TITLES[language]
    note = ""
    if requirement.unreachable is not None:
        note = _("firstweek.init.readme_note", where=requirement.unreachable,
                 line=requirement.line) + "\n\n"

    def fill(template: str, **values: str) -> str:
        text = (TEMPLATES / template).read_text(encoding="utf-8")
        return Template(text).substitute(values)

    # site.yml last: a folder holding it counts as a school, so an init that stopped
    # half-way can be run again.
    return {
        f"content/{TEACHER_SLUG}/{today.isoformat()}-{post_slug}.md": fill(
            f"post.{language}.md", title=yaml_scalar(title.format(name=name)),
            date=today.isoformat()),
        "README.md": fill(f"README.{language}.md", name=name, requirement_note=note),
        ".gitignore": (TEMPLATES / "gitignore").read_text(encoding="utf-8"),
        ".github/workflows/build.yml": WORKFLOW.read_text(encoding="utf-8"),
        "requirements.txt": requirements_file(requirement, _),
        "site.yml": fill(f"site.{language}.yml", name=yaml_scalar(name), language=language),
    }


def mading_requirement(spec: str | None = None) -> Requirement:
    """The line of the school's `requirements.txt` that installs this very Mading.

    `spec` (`mading init --requirement`) is taken as it is. Otherwise, by PEP 610's
    `direct_url.json`: installed from Git or a web archive, that address (and commit);
    with none, from an index (PyPI), `mading==VERSION`; from a local checkout or wheel,
    which no runner can reach, the checkout's Git origin and commit when it has an
    https one, else `mading==VERSION`, marked unreachable so that init says so.
    """
    if spec is not None and spec.strip():
        return Requirement(spec.strip())
    try:
        text = metadata.distribution("mading").read_text("direct_url.json")
        direct = json.loads(text) if text else None
    except (metadata.PackageNotFoundError, ValueError):
        direct = {}
    if direct is None:  # installed from an index: no direct URL recorded
        return Requirement(f"mading=={__version__}")
    url = str(direct.get("url", ""))
    vcs = direct.get("vcs_info", {})
    if vcs.get("vcs") == "git" and url:
        return Requirement(f"mading @ git+{url}@{vcs.get('commit_id', 'HEAD')}")
    if url.startswith(("https://", "http://")) and "dir_info" not in direct:
        return Requirement(f"mading @ {url}")
    # Not installed at all (run from a checkout's folder): that folder.
    where = url.removeprefix("file://") or str(Path(__file__).resolve().parent.parent)
    origin = _git_origin(Path(where)) if "dir_info" in direct or not url else None
    return Requirement(origin or f"mading=={__version__}", unreachable=where)


def _git_origin(checkout: Path) -> str | None:
    """`mading @ git+ORIGIN@COMMIT` for a checkout whose origin is on the web."""
    try:
        origin, commit = (subprocess.run(
            ["git", "-C", str(checkout), *command], capture_output=True, text=True,
            timeout=10, check=True).stdout.strip()
            for command in (["remote", "get-url", "origin"], ["rev-parse", "HEAD"]))
    except (OSError, subprocess.SubprocessError):
        return None
    if not origin.startswith("https://") or not commit:
        return None
    return f"mading @ git+{origin}@{commit}"


def requirements_file(requirement: Requirement, _: Translator) -> str:
    """requirements.txt: the line, after a note when no runner can install it as it is."""
    if requirement.unreachable is None:
        return requirement.line + "\n"
    note = _("firstweek.init.requirements_note", where=requirement.unreachable,
             version=__version__)
    return "".join(f"# {line}\n" for line in note.splitlines()) + requirement.line + "\n"


def yaml_scalar(text: str) -> str:
    """`text` as a YAML value: plain when YAML reads it back unchanged, else quoted.

    `SMA Negeri 1 Contoh` stays as it is; `SMK "Bina Karya": Teknik` or `123` are
    quoted (JSON strings are valid YAML).
    """
    try:
        plain = YAML(typ="safe", pure=True).load(f"key: {text}\n")
    except YAMLError:
        plain = None
    if isinstance(plain, dict) and plain.get("key") == text:
        return text
    return json.dumps(text, ensure_ascii=False)


def init_school(folder: Path, name: str | None = None, language: str = DEFAULT_LANGUAGE,
                today: date | None = None, requirement: str | None = None) -> NewSchool:
    """Write a new school into `folder` (created if missing) and say what was written.

    Files that already exist (a README.md or .gitignore from `git clone`) are kept as
    they are; a folder that already holds a site.yml is refused.

    Raises:
        InputError: the folder holds a site.yml or is a file, or the name is empty.
    """
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    _ = Translator(language)
    name = DEFAULT_NAMES[language] if name is None else " ".join(name.split())
    if not name:
        raise InputError([Problem("--name", _("setup.init.no_name"))])
    config = folder / "site.yml"
    if config.exists():
        raise InputError([Problem(display_path(config), _("setup.init.exists"))])
    if folder.exists() and not folder.is_dir():
        raise InputError([Problem(display_path(folder), _("setup.init.not_a_folder"))])
    created: list[Path] = []
    kept: list[Path] = []
    line = mading_requirement(requirement)
    for relative, text in school_files(name, language, today or _today(), line).items():
        path = folder / relative
        if path.exists():
            kept.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        created.append(path)
    return NewSchool(folder=folder, created=tuple(created), kept=tuple(kept), requirement=line)


def _today() -> date:
    """Today in the time zone the new site.yml names."""
    return datetime.now(ZoneInfo(DEFAULT_TIMEZONE)).date()
