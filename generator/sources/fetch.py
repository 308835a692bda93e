"""Fetch teachers' feeds over HTTP: concurrent, bounded, polite, and hostile-proof.

httpx (async) does the HTTP; this module adds what a feed reader needs on top:
- bounded concurrency, a timeout per request that also stops servers which trickle
  bytes forever, and a deadline for the whole update;
- conditional GET (ETag / Last-Modified), so an unchanged feed costs one 304;
- a size cap on the *decoded* body, decompressed here with a bounded zlib so that a gzip
  bomb is cut at the cap instead of filling memory;
- discovery of the feed behind a blog's home page;
- no hop to an internal address (`AddressPolicy`): a redirect or a discovered feed link
  pointing at the runner's loopback, the school's network or a cloud metadata address is
  refused, unless its host is one `site.yml` names (issue 26).

Nothing here raises for a bad feed: every request ends as a `Fetched` or a `FetchFailure`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import zlib
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from generator import __version__
from generator.models import DEFAULT_LIMITS, FetchLimits

if TYPE_CHECKING:
    # Imported where a fetch starts: a build with nothing to fetch (offline, or every
    # teacher writing in content/) does not load httpx and asyncio's stack for nothing.
    import httpx
    from httpcore import SOCKET_OPTION

USER_AGENT = f"Mading/{__version__} (school portal feed reader)"
FEED_ACCEPT = ("application/atom+xml, application/rss+xml, application/feed+json, "
               "application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json",
              "application/json")
# Where the common blog platforms keep their feed, tried when a home page links none.
USUAL_FEED_PATHS = ("/feed/", "/feeds/posts/default", "/index.xml", "/feed.xml", "/atom.xml",
                    "/rss.xml", "/feed.json", "/rss/")
MAX_ANNOUNCED_TRIED = 4
"""Feeds a home page announces that discovery tries, the first ones (comment feeds last)."""
MAX_DISCOVERY_TRIES = 8
"""Addresses discovery tries in all, announced ones first. Each may hang for the whole
timeout: a home page with 200 announced feeds that hang stalled every build for the
update's deadline (issue 26)."""


@dataclass(frozen=True)
class FetchRequest:
    """One feed to fetch, with what the last successful fetch returned for conditional GET."""

    key: str
    """Who asked (the teacher's slug); results are keyed by it."""
    url: str
    discover: bool = False
    """`url` may be a blog's home page rather than its feed."""
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Fetched:
    """A response worth parsing (`body`), or a 304 saying nothing changed (`body` is None)."""

    key: str
    url: str
    """The feed's URL after discovery and redirects."""
    body: bytes | None
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    received: int = 0
    """Bytes read from the network (compressed), for the benchmark of 304s."""

    @property
    def not_modified(self) -> bool:
        return self.body is None


@dataclass(frozen=True)
class FetchFailure:
    key: str
    url: str
    reason: str


class FetchError(Exception):
    """Why a request produced no usable response; the message goes into the report."""


class AddressRefused(FetchError):
    """A hop to an internal address from a host the school did not name (issue 26)."""


@dataclass(frozen=True)
class AddressPolicy:
    """Which hosts may be on an internal network: those the school wrote itself.

    A blog named in `site.yml` as `http://localhost:8000/` or `http://10.0.0.5/` is
    the school's choice, with every address on it. Any other host a fetch reaches (a
    redirect's target, a feed a home page links to, a feed address remembered in the
    archive) must resolve to public addresses only: otherwise a hostile blog could make
    the runner fetch its own loopback, the school's intranet or the cloud's metadata
    service (169.254.169.254) and publish what it says on the home page.
    """

    trusted_hosts: frozenset[str]
    """Host names (lower case, IPv6 without brackets) as `site.yml` writes them."""

    @classmethod
    def trusting(cls, urls: Sequence[str]) -> AddressPolicy:
        """The policy that trusts the hosts of `urls` (the addresses the school wrote)."""
        hosts = set()
        for url in urls:
            try:
                host = urlsplit(url).hostname
            except ValueError:
                continue
            if host:
                hosts.add(host.lower())
                with suppress(UnicodeError):  # as the connection names it: xn--…
                    hosts.add(host.lower().encode("idna").decode("ascii"))
        return cls(frozenset(hosts))

    def trusts(self, host: str) -> bool:
        return host.lower().strip("[]") in self.trusted_hosts


def internal(address: str) -> bool:
    """Whether an IP address is anything but a public one: loopback, private, link-local
    (the metadata service), shared, reserved, multicast or unspecified; an IPv4 address
    written as IPv6 (`::ffff:127.0.0.1`) is judged as IPv4."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


OnFetched = Callable[["Fetched | FetchFailure"], None]


def fetch_all(requests: Sequence[FetchRequest], limits: FetchLimits = DEFAULT_LIMITS,
              on_fetched: OnFetched | None = None, policy: AddressPolicy | None = None
              ) -> list[Fetched | FetchFailure]:
    """Fetch every request concurrently within `limits`; one result per request, in order.

    `on_fetched` is called with each result as soon as it is in (from the event loop: it
    must return quickly, e.g. by handing the parsing to a process pool), so that parsing
    overlaps the wait for slower servers. `policy` names the hosts that may be internal;
    by default those of the requests themselves (a list of blogs the admin gave).
    """
    if not requests:
        return []
    policy = policy or AddressPolicy.trusting([r.url for r in requests])
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_fetch_all(requests, limits, on_fetched, policy))
    # Called from code that already runs an event loop (a notebook, Playwright's sync
    # API): give the update a loop of its own in a worker thread.
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(asyncio.run,
                             _fetch_all(requests, limits, on_fetched, policy)).result()


async def _fetch_all(requests: Sequence[FetchRequest], limits: FetchLimits,
                     on_fetched: OnFetched | None, policy: AddressPolicy
                     ) -> list[Fetched | FetchFailure]:
    import httpx

    semaphore = asyncio.Semaphore(limits.concurrency)
    timeout = httpx.Timeout(limits.timeout)
    # httpx pools 100 connections by default, and waiting for one counts against each
    # request's timeout: the pool must be as large as the concurrency.
    pool = httpx.Limits(max_connections=limits.concurrency,
                        max_keepalive_connections=limits.concurrency)
    transport = _guarded_transport(policy, pool)
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=True,
                                 max_redirects=limits.max_redirects, trust_env=False,
                                 headers={"User-Agent": USER_AGENT},
                                 transport=transport) as client:

        async def one(request: FetchRequest) -> Fetched | FetchFailure:
            result: Fetched | FetchFailure
            async with semaphore:
                try:
                    result = await _fetch_one(client, request, limits)
                except FetchError as exc:
                    result = FetchFailure(request.key, request.url, str(exc))
            if on_fetched is not None:
                on_fetched(result)
            return result

        tasks = [asyncio.create_task(one(r)) for r in requests]
        if not tasks:
            return []
        deadline = limits.deadline_for(len(tasks))
        done, pending = await asyncio.wait(tasks, timeout=deadline)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
    return [task.result() if task in done else
            FetchFailure(request.key, request.url,
                         f"update deadline of {deadline:g} s passed")
            for task, request in zip(tasks, requests, strict=True)]


async def _fetch_one(client: httpx.AsyncClient, request: FetchRequest,
                     limits: FetchLimits) -> Fetched:
    fetched = await _get(client, request, request.url, limits)
    if not request.discover or fetched.body is None or looks_like_feed(
            fetched.body, fetched.content_type):
        return fetched
    # A home page: follow its <link rel="alternate">, else try the usual places.
    candidates = feed_links(fetched.body.decode("utf-8", "replace"),
                            fetched.url)[:MAX_ANNOUNCED_TRIED]
    candidates += [urljoin(fetched.url, path) for path in USUAL_FEED_PATHS]
    refused: AddressRefused | None = None
    for candidate in list(dict.fromkeys(candidates))[:MAX_DISCOVERY_TRIES]:
        try:
            found = await _get(client, FetchRequest(request.key, candidate), candidate, limits)
        except AddressRefused as exc:
            refused = refused or exc
            continue
        except FetchError:
            continue
        if found.body is not None and looks_like_feed(found.body, found.content_type):
            return found
    if refused is not None:  # the report says why the feed it links was not read
        raise refused
    raise FetchError("no feed found on this page (looked for <link rel=\"alternate\"> "
                     "and the usual feed addresses)")


async def _get(client: httpx.AsyncClient, request: FetchRequest, url: str,
               limits: FetchLimits) -> Fetched:
    import httpx

    headers = {"Accept": FEED_ACCEPT, "Accept-Encoding": "gzip, deflate"}
    if request.etag:
        headers["If-None-Match"] = request.etag
    if request.last_modified:
        headers["If-Modified-Since"] = request.last_modified
    try:
        # wait_for bounds the whole exchange: httpx's timeouts are per read, and a
        # server sending one byte every few seconds would never trip them.
        return await asyncio.wait_for(_exchange(client, request.key, url, headers, limits),
                                      timeout=limits.timeout)
    except TimeoutError:
        raise FetchError(f"no complete answer within {limits.timeout:g} s") from None
    except httpx.TooManyRedirects:
        raise FetchError(f"more than {limits.max_redirects} redirects") from None
    except httpx.TimeoutException:
        raise FetchError(f"no answer within {limits.timeout:g} s") from None
    # InvalidURL and ValueError (UnicodeError): addresses httpx or IDNA cannot use.
    except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
        raise FetchError(f"{type(exc).__name__}: {_reason(exc)}") from None


def _reason(exc: BaseException) -> str:
    """The first message down the chain of causes: httpx's ReadError for a connection the
    server reset says nothing itself, the ConnectionResetError under it does (seen in
    bench/load_bench.py, issue 8)."""
    cause: BaseException | None = exc
    while cause is not None and not str(cause):
        cause = cause.__cause__ or cause.__context__
    return str(cause) if cause is not None else ""


async def _exchange(client: httpx.AsyncClient, key: str, url: str, headers: dict[str, str],
                    limits: FetchLimits) -> Fetched:
    async with client.stream("GET", url, headers=headers) as response:
        final_url = str(response.url)
        if response.status_code == 304:
            return Fetched(key, final_url, None, received=0,
                           etag=response.headers.get("etag"),
                           last_modified=response.headers.get("last-modified"))
        if response.status_code >= 400:
            raise FetchError(f"HTTP {response.status_code} {response.reason_phrase}".strip())
        decoder = _Decoder(response.headers.get("content-encoding", ""), limits.max_bytes)
        async for chunk in response.aiter_raw():
            decoder.feed(chunk)
        body = decoder.finish()
        return Fetched(key, final_url, body,
                       content_type=response.headers.get("content-type", ""),
                       etag=response.headers.get("etag"),
                       last_modified=response.headers.get("last-modified"),
                       received=decoder.received)


def _guarded_transport(policy: AddressPolicy, limits: httpx.Limits
                       ) -> httpx.AsyncHTTPTransport:
    """httpx's transport, whose connections (for every redirect hop and every discovered
    candidate) go only to addresses `policy` allows.

    The check is made where the connection is opened, in httpcore's network backend: it
    resolves the host itself and connects to the address it checked. Checking first and
    letting the connection resolve again would let a name answer a public address to the
    check and 127.0.0.1 to the connection (DNS rebinding). httpx takes no network backend,
    so its transport gets a pool built with one (`_pool`: the one private name used here,
    covered by tests/test_fetch.py).
    """
    import httpcore
    import httpx

    class GuardedBackend(httpcore.AsyncNetworkBackend):
        def __init__(self) -> None:
            self._inner = httpcore.AnyIOBackend()

        async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                              local_address: str | None = None,
                              socket_options: Iterable[SOCKET_OPTION] | None = None
                              ) -> httpcore.AsyncNetworkStream:
            if policy.trusts(host):
                return await self._inner.connect_tcp(host, port, timeout, local_address,
                                                     socket_options)
            addresses = await _resolve(host, port)
            inside = [address for address in addresses if internal(address)]
            if inside:
                raise AddressRefused(f"refused to connect to {host}: it is an internal "
                                     f"address ({inside[0]}), and only a host written in "
                                     "site.yml may be one")
            failure = httpcore.ConnectError(f"{host} has no address")
            for address in addresses:  # IPv4 first: many runners have no IPv6 route
                try:
                    return await self._inner.connect_tcp(address, port, timeout,
                                                         local_address, socket_options)
                except httpcore.ConnectError as exc:
                    failure = exc
            raise failure

        async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                      socket_options: Iterable[SOCKET_OPTION] | None = None
                                      ) -> httpcore.AsyncNetworkStream:
            raise httpcore.ConnectError("no Unix sockets here")

        async def sleep(self, seconds: float) -> None:
            await self._inner.sleep(seconds)

    transport = httpx.AsyncHTTPTransport(limits=limits, trust_env=False)
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry, network_backend=GuardedBackend())
    return transport


async def _resolve(host: str, port: int) -> list[str]:
    """The addresses of `host` (itself if it is one), IPv4 first."""
    import httpcore

    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, port,
                                                             type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:  # as httpx says it for a name that is not found
        raise httpcore.ConnectError(str(exc)) from None
    ordered = sorted(found, key=lambda info: info[0] != socket.AF_INET)
    return list(dict.fromkeys(str(info[4][0]) for info in ordered))


class _Decoder:
    """Decode gzip/deflate bodies without ever holding more than the cap."""

    def __init__(self, encoding: str, max_bytes: int) -> None:
        encoding = encoding.strip().lower()
        if encoding in ("", "identity"):
            self._zlib = None
        elif encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._zlib = zlib.decompressobj()
        else:
            raise FetchError(f"unsupported content encoding {encoding!r}")
        self._max = max_bytes
        self._body = bytearray()
        self.received = 0

    def feed(self, chunk: bytes) -> None:
        self.received += len(chunk)
        if self._zlib is None:
            self._append(chunk)
            return
        try:
            # max_length: inflate at most one byte past the cap, which _append refuses.
            self._append(self._zlib.decompress(chunk, self._max + 1 - len(self._body)))
        except zlib.error as exc:
            raise FetchError(f"corrupt compressed body: {exc}") from None

    def _append(self, data: bytes) -> None:
        self._body.extend(data)
        if len(self._body) > self._max:
            raise FetchError(f"feed larger than {_size(self._max)}, cut off")

    def finish(self) -> bytes:
        if self._zlib is not None:
            self._append(self._zlib.flush(self._max + 1 - len(self._body)))
        return bytes(self._body)


def _size(count: int) -> str:
    return f"{count // (1024 * 1024)} MB" if count >= 1024 * 1024 else f"{count} bytes"


def looks_like_feed(body: bytes, content_type: str) -> bool:
    """Whether a response is a feed rather than an HTML page (sniffed, types lie)."""
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"{"):
        return b"jsonfeed.org/version" in body[:4096]
    if b"<html" in head or b"<!doctype html" in head:
        return False
    return any(tag in body[:4096].lower() for tag in (b"<rss", b"<feed", b"<rdf:rdf"))


class _AlternateLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: (v or "") for k, v in attrs}
        rels = values.get("rel", "").lower().split()
        if tag == "link" and "alternate" in rels and values.get("href") and \
                values.get("type", "").lower().split(";")[0].strip() in FEED_TYPES:
            self.found.append(values["href"])


def feed_links(html: str, base_url: str) -> list[str]:
    """The feeds a page announces with `<link rel="alternate">`, comment feeds last."""
    parser = _AlternateLinks()
    # Python 3.11's html.parser raises AssertionError for a broken `<![` marked section,
    # outside the per-feed error handling (found by fuzz/, issue 8); links before it count.
    with suppress(AssertionError):
        parser.feed(html)
    links: list[str] = []
    for href in parser.found:
        try:
            link = urljoin(base_url, href)
            if urlsplit(link).scheme in ("http", "https"):
                links.append(link)
        except ValueError:
            # `http://[::1`: no address. Raised here, outside `_get`, it would end the
            # whole update, not just this feed (found by fuzz/, issue 8).
            continue
    return sorted(links, key=lambda link: "comment" in link.lower())
