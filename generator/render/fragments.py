"""Fragments of pages rendered once per build and reused on every page that shows them.

A post's card is on some eight listings (its teacher's page, a month, labels, subjects,
classes, home), a teacher's profile and archive links on each of their month and label
pages, the site's header on every page: rendering them again was most of a listing's
cost.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from generator.models import Post
from generator.render.watch import Noted, Watch

FRAGMENT_CACHE_SIZE = 10_000
"""Macro results kept for reuse (a post's card is about 1 KB): a district has 90,000
posts, each with a card or two."""
ROOT = "<\0root\0>"
"""Where a cached fragment's links start, replaced by each page's `root`. A raw `<` never
comes out of autoescaped text and an HTML parser never emits NUL, so only `href` and
`root` put it in a fragment."""


def index_link(target: str) -> str:
    """A folder's link names its `index.html`: opened from disk, a folder is a listing."""
    return target + ("index.html" if target == "" or target.endswith("/") else "")


def relative_link(root: str, target: str) -> str:
    """What `href` gives a page whose way back to the site's root is `root`: a path of
    the output under it, or an absolute address as it is (the page of a teacher of a
    portal read as a summary, `Teacher.home`)."""
    if target.startswith(("https://", "http://")):
        return target
    return root + index_link(target)


class Fragments:
    """The theme's `_macros.html` macros, each rendered once per build for the same
    arguments (`cached` in the templates)."""

    def __init__(self, environment: Environment, watch: Watch) -> None:
        self._environment = environment
        self._watch = watch
        self._kept: OrderedDict[tuple[Any, ...], _Fragment] = OrderedDict()

    @pass_context
    def cached(self, context: Context, macro: str, *args: Any) -> Markup:
        """What the macro `macro` renders for `args`, as the page of `context` shows it.

        The macro is rendered with `ROOT` for the page's `root`, which each page puts
        back. What it showed of the clock (`relative` in a card) is noted again on every
        page that shows it, so those pages are made again when that changes. `args` are
        compared by value, posts by identity (the portal's posts live as long as the
        build).
        """
        key = (macro, *(id(a) if isinstance(a, Post) else _frozen(a) for a in args))
        fragment = self._kept.get(key)
        if fragment is not None:
            self._kept.move_to_end(key)
            self._watch.repeat(fragment.noted)
        else:
            mark = self._watch.mark()
            html = str(getattr(self._root_macros, macro)(*args))
            fragment = _Fragment(args, html, self._watch.since(mark))
            if self._watch.watching:  # outside a page, what it showed was not noted
                self._kept[key] = fragment
                if len(self._kept) > FRAGMENT_CACHE_SIZE:
                    self._kept.popitem(last=False)
        return Markup(fragment.html.replace(ROOT, escape(context["root"])))

    @cached_property
    def _root_macros(self) -> Any:
        """The theme's macros as a page whose root is `ROOT` sees them."""
        return self._environment.get_template("_macros.html").make_module(
            {"root": Markup(ROOT), "href": lambda target: relative_link(Markup(ROOT), target)})


def _frozen(value: Any) -> Any:
    """`value` as part of a dictionary key: lists as tuples."""
    return tuple(map(_frozen, value)) if isinstance(value, list) else value


@dataclass(frozen=True)
class _Fragment:
    """A macro's HTML as `Fragments.cached` keeps it."""

    args: tuple[Any, ...]
    """Kept so that a post's `id` in the cache's key stays that post's."""
    html: str
    noted: Noted
