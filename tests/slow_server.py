"""A raw TCP server that misbehaves on purpose: hangs, trickles, or closes at once.

pytest-httpserver answers well-formed HTTP; these are the servers it cannot imitate.
Every connection thread stops when the test ends (bounded sleeps, a stop event).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress


@contextmanager
def misbehaving_server(mode: str) -> Iterator[str]:
    """Serve on 127.0.0.1 until the block ends; yields the base URL.

    Modes: `hang` (accept, read, never answer), `trickle` (send headers, then one byte
    every 0.2 s), `close` (accept and close without a word).
    """
    stop = threading.Event()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.settimeout(0.1)

    def serve(connection: socket.socket) -> None:
        with connection:
            connection.settimeout(0.1)
            with suppress(OSError):
                connection.recv(4096)
            if mode == "close":
                return
            if mode == "trickle":
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                                   b"Content-Length: 100000\r\n\r\n")
            while not stop.wait(0.2):
                if mode == "trickle":
                    try:
                        connection.sendall(b" ")
                    except OSError:
                        return

    def accept_loop() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            threading.Thread(target=serve, args=(connection,), daemon=True).start()

    thread = threading.Thread(target=accept_loop, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()
