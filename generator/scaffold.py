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
class NewSchool:
    """What `init_school` did: the files it wrote, and those it found and left alone."""

    folder: Path
    created: tuple[Path, ...]
    kept: tuple[Path, ...]


def school_files(name: str, language: str, today: date) -> dict[str, str]:
    """Each file of a new school, by its path in the school's folder.

    Args:
        name: the school's name, as it should appear on the portal.
        language: `id` or `en`, for site.yml's comments, the README and the first post.
        today: the first post's date.
    """
    title, post_slug = _POST_TITLES[language]

    def fill(template: str, **values: str) -> str:
        text = (TEMPLATES / template).read_text(encoding="utf-8")
        return Template(text).substitute(values)

    # site.yml last: a folder holding it counts as a school, so an init that stopped
    # half-way can be run again.
    return {
        f"content/{TEACHER_SLUG}/{today.isoformat()}-{post_slug}.md": fill(
            f"post.{language}.md", title=yaml_scalar(title.format(name=name)),
            date=today.isoformat()),
        "README.md": fill(f"README.{language}.md", name=name),
        ".gitignore": (TEMPLATES / "gitignore").read_text(encoding="utf-8"),
        ".github/workflows/build.yml": WORKFLOW.read_text(encoding="utf-8"),
        "requirements.txt": mading_requirement(),
        "site.yml": fill(f"site.{language}.yml", name=yaml_scalar(name), language=language),
    }


def mading_requirement() -> str:
    """The line of the school's `requirements.txt` that installs this very Mading.

    Installed from Git or an archive, that address and commit (PEP 610's
    `direct_url.json`); otherwise this version from PyPI, with a note, since a checkout
    on the admin's disk is no address a CI runner can install from.
    """
    try:
        direct = json.loads(metadata.distribution("mading").read_text("direct_url.json") or "{}")
    except (metadata.PackageNotFoundError, ValueError):
        direct = {}
    vcs = direct.get("vcs_info", {})
    if vcs.get("vcs") == "git" and direct.get("url"):
        return f"mading @ git+{direct['url']}@{vcs.get('commit_id', 'HEAD')}\n"
    if direct.get("url", "").startswith(("https://", "http://")) and "dir_info" not in direct:
        return f"mading @ {direct['url']}\n"
    return (f"# The Mading the workflow installs. From Git instead of PyPI, for example:\n"
            f"# mading @ git+https://github.com/OWNER/mading@v{__version__}\n"
            f"mading=={__version__}\n")


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
                today: date | None = None) -> NewSchool:
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
    for relative, text in school_files(name, language, today or _today()).items():
        path = folder / relative
        if path.exists():
            kept.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        created.append(path)
    return NewSchool(folder=folder, created=tuple(created), kept=tuple(kept))


def _today() -> date:
    """Today in the time zone the new site.yml names."""
    return datetime.now(ZoneInfo(DEFAULT_TIMEZONE)).date()
