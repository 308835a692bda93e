"""The theme's own files (`static/`), published under `assets/`; its scripts and
stylesheets named by their content."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from generator.models import OutputFile


def asset_files(theme: Path) -> Iterator[OutputFile]:
    static = theme / "static"
    for asset in sorted(static.rglob("*")):
        if asset.is_file():
            name = asset.relative_to(static).as_posix()
            yield OutputFile(f"assets/{asset_name(name, theme)}", source=asset)


def asset_name(name: str, theme: Path) -> str:
    """`style.css` -> `style.3f2a9c1d0b.css`: a theme's script or stylesheet named by its
    content, so that a host may let phones keep it a year and a new version is still
    fetched at once (issue 27). Other files (the favicon) keep their names."""
    return asset_names(theme).get(name, name)


def asset_names(theme: Path) -> dict[str, str]:
    """{a script's or stylesheet's name in `static/`: its name by content}."""
    static = theme / "static"
    stamp = tuple(sorted((p.relative_to(static).as_posix(), p.stat().st_size,
                          p.stat().st_mtime_ns) for p in static.rglob("*") if p.is_file()))
    return _asset_names_of(theme, stamp)


@cache
def _asset_names_of(theme: Path, stamp: tuple[tuple[str, int, int], ...]) -> dict[str, str]:
    names = {}
    for name, _size, _mtime in stamp:
        if name.endswith((".css", ".js")):
            digest = hashlib.sha256((theme / "static" / name).read_bytes()).hexdigest()[:10]
            stem, _, suffix = name.rpartition(".")
            names[name] = f"{stem}.{digest}.{suffix}"
    return names
