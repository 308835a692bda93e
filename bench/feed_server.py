"""A feed server for the fetch benchmark: N WordPress-like feeds on 127.0.0.1.

Run as a separate process so that the fetcher's memory is measured alone:

    python bench/feed_server.py --feeds 1000 --hang-every 20 --hang-seconds 15

Feed i is `/feed/i.xml`: 10 items, an ETag, and 304 when the ETag comes back. Every
`--hang-every`-th feed accepts the request and answers nothing for `--hang-seconds`
(longer than the fetcher's timeout), then closes. `GET /stats` returns, as JSON, the bytes
sent so far (`sent`), the responses by status (`statuses`) and the requests left hanging
(`hung`); `GET /stats/reset` zeroes them. Any other path is a 404. The server listens on
127.0.0.1 only and exits by itself after `--lifetime` seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import sys
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


class FeedServer:
    def __init__(self, feeds: int, hang_every: int, hang_seconds: float) -> None:
        self.bodies = [make_feed(i) for i in range(feeds)]
        self.etags = [f'"{hashlib.sha1(b).hexdigest()[:16]}"' for b in self.bodies]
        self.hang_every = hang_every
        self.hang_seconds = hang_seconds
        self.sent = 0
        self.statuses: dict[int, int] = {}
        self.hung = 0

    def stats(self) -> bytes:
        return json.dumps({"sent": self.sent, "hung": self.hung,
                           "statuses": {str(k): v for k, v in sorted(self.statuses.items())}
                           }).encode()

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
                self.sent, self.statuses, self.hung = 0, {}, 0
            await self.respond(writer, 200, self.stats(), count=False,
                               content_type="application/json")
            return
        # Anything but /feed/<index>.xml (a home page, /favicon.ico, a feed that does not
        # exist) is a 404: an unhandled exception here would leave the client hanging.
        number = path.removeprefix("/feed/").removesuffix(".xml")
        if not (path.startswith("/feed/") and path.endswith(".xml") and number.isdigit()
                and int(number) < len(self.bodies)):
            await self.respond(writer, 404, b"not found", content_type="text/plain")
            return
        index = int(number)
        if self.hang_every and index % self.hang_every == 0:
            self.hung += 1
            await asyncio.sleep(self.hang_seconds)
            writer.close()
            return
        if headers.get("if-none-match") == self.etags[index]:
            await self.respond(writer, 304, b"", etag=self.etags[index])
        else:
            await self.respond(writer, 200, self.bodies[index], etag=self.etags[index])

    async def respond(self, writer: asyncio.StreamWriter, status: int, body: bytes,
                      etag: str | None = None, count: bool = True,
                      content_type: str = "application/rss+xml; charset=utf-8") -> None:
        reason = {200: "OK", 304: "Not Modified", 404: "Not Found"}[status]
        head = f"HTTP/1.1 {status} {reason}\r\nContent-Length: {len(body)}\r\n"
        head += f"Content-Type: {content_type}\r\nConnection: close\r\n"
        if etag:
            head += f"ETag: {etag}\r\n"
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
    parser.add_argument("--lifetime", type=float, default=600.0)
    args = parser.parse_args()
    server = FeedServer(args.feeds, args.hang_every, args.hang_seconds)
    listener = await asyncio.start_server(server.handle, "127.0.0.1", 0, backlog=2048)
    print(listener.sockets[0].getsockname()[1], flush=True)
    sys.stdout.close()
    async with listener:
        await asyncio.sleep(args.lifetime)


if __name__ == "__main__":
    asyncio.run(main())
