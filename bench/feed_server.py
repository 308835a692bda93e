"""A feed server for the fetch benchmark: N WordPress-like feeds on 127.0.0.1.

Run as a separate process so that the fetcher's memory is measured alone:

    python bench/feed_server.py --feeds 1000 --hang-every 20 --hang-seconds 15
    python bench/feed_server.py --feeds 5000 --hang-every 0 --fail-every 100

Feed i is `/feed/i.xml`: 10 items, an ETag, and 304 when the ETag comes back. Every
`--hang-every`-th feed accepts the request and answers nothing for `--hang-seconds`
(longer than the fetcher's timeout), then closes. Every `--fail-every`-th feed (feeds
0, K, 2K, …, unless it already hangs) fails in one of the ways of `FAILURES`, taken in
turn (`failure(index, fail_every)` says which). `GET /stats` returns, as JSON, the bytes
sent so far (`sent`), the responses by status (`statuses`), the requests left hanging
(`hung`) and the failing feeds' requests by failure (`failures`); `GET /stats/reset`
zeroes them. Any other path is a 404. The server listens on 127.0.0.1 only and exits by
itself after `--lifetime` seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import socket
import struct
import sys
import zlib
from datetime import UTC, datetime, timedelta

PARAGRAPH = ("<p>Pada pertemuan ini kita mempelajari konsep dasar beserta contoh soal yang "
             "sering muncul dalam ujian. Bacalah materi dengan teliti, kerjakan latihan, dan "
             "tanyakan bagian yang belum jelas pada pertemuan berikutnya.</p>")


def make_feed(index: int, items: int = 10) -> bytes:
    base = f"http://guru{index}.example/"
    start = datetime(2026, 11, 20, tzinfo=UTC)
    entries = []
    for n in range(items):
        day = (start - timedelta(days=n * 3)).strftime("%a, %d %b %Y %H:%M:%S +0000")
        entries.append(
            f"<item><title>Materi {n + 1}: Bab {index % 12 + 1}</title>"
            f"<link>{base}{2026}/{n}/materi-{n}/</link>"
            f'<guid isPermaLink="false">{base}?p={index * 100 + n}</guid>'
            f"<pubDate>{day}</pubDate><category>Matematika</category><category>X-1</category>"
            f"<content:encoded><![CDATA[<h2>Bagian {n}</h2>{PARAGRAPH * 6}"
            f'<p><img src="/wp-content/uploads/gambar-{n}.png" alt="Gambar {n}"></p>'
            f"<table><tr><th>No</th><th>Soal</th></tr><tr><td>1</td><td>2x+3=7</td></tr>"
            f"</table>]]></content:encoded></item>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
            f"<title>Blog Guru {index}</title><link>{base}</link><description>Blog</description>"
            + "".join(entries) + "</channel></rss>").encode()


FAILURES = {
    "hang": "accepts the request, answers nothing for --hang-seconds, closes",
    "500": "HTTP 500 Internal Server Error",
    "404": "HTTP 404 Not Found",
    "redirect-loop": "301 to /loop/i.xml, which 301s back to /feed/i.xml",
    "garbage": "200 application/rss+xml, 20 KB of random bytes",
    "truncated": "200, the feed cut at 40-90% of its length; the Content-Length says the "
                 "cut length for even feeds, the whole length for odd ones (then the "
                 "connection closes early)",
    "gzip-bomb": "200, Content-Encoding: gzip, 100 KB that inflate to 100 MB of zeros",
    "huge": "200, an 11 MB feed (one item padded), over the 10 MB cap",
    "drip": "200 and a Content-Length, then one byte of the feed every 0.5 s for "
            "--hang-seconds",
    "reset": "reads the request, then resets the connection (RST, SO_LINGER 0)",
    "html": "200 text/html: a web page with no feed link (the blog moved, a parked domain)",
}
"""The ways a failing feed fails (`--fail-every`), in the order they are dealt out."""
HUGE_BYTES = 11 * 1024 * 1024
BOMB_BYTES = 100 * 1024 * 1024


def failure(index: int, fail_every: int, hang_every: int = 0) -> str | None:
    """How feed `index` fails under `--fail-every`, or None if it does not (a feed that
    hangs under `--hang-every` is left to that option)."""
    if not fail_every or index % fail_every or (hang_every and index % hang_every == 0):
        return None
    modes = list(FAILURES)
    return modes[(index // fail_every) % len(modes)]


def gzip_bomb(size: int = BOMB_BYTES) -> bytes:
    """`size` zero bytes, gzip-compressed without ever holding them (about 1/1000th)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1024 * 1024)
    return b"".join([*(packer.compress(block) for _ in range(size // len(block))),
                     packer.flush()])


def huge_feed(size: int = HUGE_BYTES) -> bytes:
    """A well-formed RSS feed of `size` bytes: one item whose content is padding."""
    head = (b'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            b"<title>Besar</title><link>http://huge.example/</link><item><title>Besar</title>"
            b"<guid>http://huge.example/?p=1</guid><description>")
    tail = b"</description></item></channel></rss>"
    return head + b"x" * (size - len(head) - len(tail)) + tail


HTML_PAGE = (b"<!DOCTYPE html><html><head><title>Domain parkir</title></head><body>"
             b"<h1>Domain ini dijual</h1><p>Blog ini sudah pindah.</p></body></html>")


class FeedServer:
    def __init__(self, feeds: int, hang_every: int, hang_seconds: float,
                 fail_every: int = 0) -> None:
        self.bodies = [make_feed(i) for i in range(feeds)]
        self.etags = [f'"{hashlib.sha1(b).hexdigest()[:16]}"' for b in self.bodies]
        self.hang_every = hang_every
        self.hang_seconds = hang_seconds
        self.fail_every = fail_every
        failing = {failure(i, fail_every, hang_every) for i in range(feeds)}
        self.bomb = gzip_bomb() if "gzip-bomb" in failing else b""
        self.huge = huge_feed() if "huge" in failing else b""
        self.sent = 0
        self.statuses: dict[int, int] = {}
        self.hung = 0
        self.failures: dict[str, int] = {}

    def stats(self) -> bytes:
        return json.dumps({"sent": self.sent, "hung": self.hung,
                           "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
                           "failures": dict(sorted(self.failures.items()))}).encode()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        lines = head.decode("latin-1").split("\r\n")
        request_line = lines[0].split(" ")
        path = request_line[1] if len(request_line) > 1 else ""
        headers = {k.strip().lower(): v.strip() for k, _, v in
                   (line.partition(":") for line in lines[1:] if ":" in line)}
        if path in ("/stats", "/stats/reset"):
            if path == "/stats/reset":
                self.sent, self.statuses, self.hung, self.failures = 0, {}, 0, {}
            await self.respond(writer, 200, self.stats(), count=False,
                               content_type="application/json")
            return
        if path.startswith("/loop/"):  # the other half of a redirect loop
            await self.respond(writer, 301, b"", count=False, content_type="text/plain",
                               location="/feed/" + path.removeprefix("/loop/"))
            return
        # Anything but /feed/<index>.xml (a home page, /favicon.ico, a feed that does not
        # exist) is a 404: an unhandled exception here would leave the client hanging.
        number = path.removeprefix("/feed/").removesuffix(".xml")
        if not (path.startswith("/feed/") and path.endswith(".xml") and number.isdigit()
                and int(number) < len(self.bodies)):
            await self.respond(writer, 404, b"not found", content_type="text/plain")
            return
        index = int(number)
        mode = failure(index, self.fail_every, self.hang_every)
        if mode is not None:
            self.failures[mode] = self.failures.get(mode, 0) + 1
            await self.fail(writer, index, mode)
            return
        if self.hang_every and index % self.hang_every == 0:
            self.hung += 1
            await asyncio.sleep(self.hang_seconds)
            writer.close()
            return
        if headers.get("if-none-match") == self.etags[index]:
            await self.respond(writer, 304, b"", etag=self.etags[index])
        else:
            await self.respond(writer, 200, self.bodies[index], etag=self.etags[index])

    async def fail(self, writer: asyncio.StreamWriter, index: int, mode: str) -> None:
        """Answer feed `index` in the failing way `mode` (one of FAILURES)."""
        seeded = random.Random(index)
        if mode == "hang":
            self.hung += 1
            await asyncio.sleep(self.hang_seconds)
            writer.close()
        elif mode in ("500", "404"):
            await self.respond(writer, int(mode), b"<h1>Error</h1>", content_type="text/html")
        elif mode == "redirect-loop":
            await self.respond(writer, 301, b"", content_type="text/plain",
                               location=f"/loop/{index}.xml")
        elif mode == "garbage":
            await self.respond(writer, 200, seeded.randbytes(20_000))
        elif mode == "truncated":
            body = self.bodies[index]
            cut = body[:int(len(body) * seeded.uniform(0.4, 0.9))]
            await self.respond(writer, 200, cut,
                               length=len(cut) if index % 2 == 0 else len(body))
        elif mode == "gzip-bomb":
            await self.respond(writer, 200, self.bomb, encoding="gzip")
        elif mode == "huge":
            await self.respond(writer, 200, self.huge)
        elif mode == "drip":
            await self.drip(writer, self.bodies[index])
        elif mode == "reset":
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
        elif mode == "html":
            await self.respond(writer, 200, HTML_PAGE, content_type="text/html; charset=utf-8")
        else:
            raise ValueError(mode)

    async def drip(self, writer: asyncio.StreamWriter, body: bytes) -> None:
        """Headers, then one byte every half second until --hang-seconds have passed."""
        head = (f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n"
                "Content-Type: application/rss+xml\r\nConnection: close\r\n\r\n").encode()
        self.statuses[200] = self.statuses.get(200, 0) + 1
        try:
            writer.write(head)
            for byte in range(int(self.hang_seconds * 2)):
                await asyncio.sleep(0.5)
                writer.write(body[byte:byte + 1])
                self.sent += 1
                await writer.drain()
        except ConnectionError:
            pass  # the client gave up (its timeout)
        finally:
            writer.close()

    async def respond(self, writer: asyncio.StreamWriter, status: int, body: bytes,
                      etag: str | None = None, count: bool = True,
                      content_type: str = "application/rss+xml; charset=utf-8",
                      location: str | None = None, encoding: str | None = None,
                      length: int | None = None) -> None:
        reason = {200: "OK", 301: "Moved Permanently", 304: "Not Modified", 404: "Not Found",
                  500: "Internal Server Error"}[status]
        length = len(body) if length is None else length
        head = f"HTTP/1.1 {status} {reason}\r\nContent-Length: {length}\r\n"
        head += f"Content-Type: {content_type}\r\nConnection: close\r\n"
        if etag:
            head += f"ETag: {etag}\r\n"
        if location:
            head += f"Location: {location}\r\n"
        if encoding:
            head += f"Content-Encoding: {encoding}\r\n"
        data = head.encode() + b"\r\n" + body
        if count:
            self.sent += len(data)
            self.statuses[status] = self.statuses.get(status, 0) + 1
        writer.write(data)
        try:
            await writer.drain()
        except ConnectionError:
            pass  # the client gave up (its timeout): nothing to do
        finally:
            writer.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--hang-every", type=int, default=20)
    parser.add_argument("--hang-seconds", type=float, default=15.0)
    parser.add_argument("--fail-every", type=int, default=0,
                        help="every K-th feed fails, in the ways of FAILURES in turn")
    parser.add_argument("--lifetime", type=float, default=600.0)
    args = parser.parse_args()
    server = FeedServer(args.feeds, args.hang_every, args.hang_seconds, args.fail_every)
    listener = await asyncio.start_server(server.handle, "127.0.0.1", 0, backlog=2048)
    print(listener.sockets[0].getsockname()[1], flush=True)
    sys.stdout.close()
    async with listener:
        await asyncio.sleep(args.lifetime)


if __name__ == "__main__":
    asyncio.run(main())
