"""What the page being rendered showed of the clock, noted for the page memo.

A page's context keys it (generator/render/keys.py); what it shows of the build's clock
(`3 hari lagi`, the "active" badge, the build's date) is not in its context, so each
such value is noted as it is shown: the memo reuses the page only while all of them read
the same. A page that reads anything else outside its context (for example every
subject's post count, through `index`) is marked volatile: rendered in every build.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from generator.incremental.memo import Call, shown

T = TypeVar("T")


@dataclass(frozen=True)
class Noted:
    """What a part of a page (a fragment: a card, the header) noted while it rendered."""

    calls: tuple[Call, ...]
    volatile: bool


class Watch:
    """The time-dependent values the page being rendered showed."""

    def __init__(self) -> None:
        self._calls: list[Call] | None = None
        self._volatile = False

    @property
    def watching(self) -> bool:
        return self._calls is not None

    def start(self) -> None:
        self._calls, self._volatile = [], False

    def mark(self) -> tuple[int, bool]:
        """Where a part of the page starts; `since` then tells what that part noted
        (the page's volatile flag is set aside meanwhile)."""
        mark = (len(self._calls or ()), self._volatile)
        self._volatile = False
        return mark

    def since(self, mark: tuple[int, bool]) -> Noted:
        noted = Noted(tuple((self._calls or [])[mark[0]:]), self._volatile)
        self._volatile = self._volatile or mark[1]
        return noted

    def repeat(self, noted: Noted) -> None:
        """Note again what a part of a page noted when it was first rendered."""
        if self._calls is not None:
            self._calls.extend(noted.calls)
        self._volatile = self._volatile or noted.volatile

    def stop(self) -> tuple[Call, ...] | None:
        """The values noted since `start`, or None if the page is volatile."""
        calls, self._calls = self._calls, None
        return None if self._volatile or calls is None else tuple(dict.fromkeys(calls))

    def note(self, name: str, argument: str, result: T) -> T:
        if self._calls is not None:
            self._calls.append((name, argument, shown(result)))
        return result

    def volatile(self) -> None:
        self._volatile = True
