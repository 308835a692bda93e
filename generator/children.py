"""The processes a build starts end with it, even when it is killed (issue 26).

A build killed with SIGKILL cannot stop its children: Pagefind and the worker processes
that read posts and feeds or render pages lived on, busy for minutes on a district's site,
or for good. On Linux each child asks the kernel, as it starts, to kill it when its parent
ends (`prctl(PR_SET_PDEATHSIG)`, which Python's standard library does not wrap); elsewhere
nothing is done.
"""

from __future__ import annotations

import ctypes
import functools
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

_PR_SET_PDEATHSIG = 1
_PR_SET_NAME = 15
CHILD_NAME = b"mading-worker"
"""What `ps` and `top` show for a child once it is tied to the build (until it runs
another program: Pagefind keeps its own name)."""


@functools.cache
def _prctl() -> Any:
    """The C library's `prctl`, or None off Linux (the running program's own symbols: no
    search for the library, which runs `ldconfig`)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


def tie_to_parent(parent: int) -> None:
    """Have the kernel kill this process when its parent ends; `parent` is that parent's
    id, taken before the start: if it has already ended, this process ends now."""
    prctl = _prctl()
    if prctl is None:
        return
    prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)
    prctl(_PR_SET_NAME, ctypes.c_char_p(CHILD_NAME), 0, 0, 0)


def child_setup() -> Callable[[], None]:
    """What a child of this process runs first to end with it: a subprocess's
    `preexec_fn`, a process pool's `initializer`. `prctl` is looked up here, in the
    parent: a forked child of a process with threads must not load anything."""
    _prctl()
    return functools.partial(tie_to_parent, os.getpid())
