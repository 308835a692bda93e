"""Read the school portals a cluster or district portal is built over (issue 25).

The edge of federation: each school's `portal.json` is fetched with the fetch layer
(conditional GET, limits, and the address policy that trusts only the hosts site.yml
names) and kept in the archive, so that a school whose portal is down keeps its teachers,
and so its archived posts, and is named in `mading report`. The teachers' posts are then
read from their JSON Feeds on the school portals like any teacher's feed
(generator/sources/feeds.py), never from their blogs. A portal read as a summary
(`read: ringkas`: a province over its districts) gives its posts in one feed instead, its
own `feed.json`, read here with its index by the same reader, into the same archive.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from generator.archive import Archive
from generator.federation import (
    SUMMARY_FEED,
    IndexRefused,
    SchoolIndex,
    federate,
    parse_index,
    summary_readers,
)
from generator.models import (
    DEFAULT_LIMITS,
    FeedResult,
    FetchLimits,
    PortalStatus,
    SchoolPortal,
    Site,
    Teacher,
)
from generator.sources.feeds import read_feeds
from generator.sources.fetch import AddressPolicy, FetchFailure, FetchRequest, fetch_all
from generator.sources.images import ImageStore, fetch_images

INDEX = "portal.json"


def index_address(school: SchoolPortal) -> str:
    return school.portal + INDEX


def read_portals(schools: Sequence[SchoolPortal], remembered: Mapping[str, PortalStatus],
                 limits: FetchLimits = DEFAULT_LIMITS) -> list[PortalStatus]:
    """Fetch every school's index at once; one status per school, never raising. An
    index kept from an earlier reading is asked for again only if it changed."""
    requests = []
    for school in schools:
        known = remembered.get(school.slug)
        address = index_address(school)
        if known is not None and known.data is not None and known.source == address:
            requests.append(FetchRequest(school.slug, address, etag=known.etag,
                                         last_modified=known.last_modified))
        else:
            requests.append(FetchRequest(school.slug, address))
    policy = AddressPolicy.trusting([school.portal for school in schools])
    statuses = []
    for fetched in fetch_all(requests, limits, policy=policy):
        school = next(s for s in schools if s.slug == fetched.key)
        address = index_address(school)
        if isinstance(fetched, FetchFailure):
            statuses.append(PortalStatus(school.slug, address, error=fetched.reason))
        elif fetched.body is None:
            statuses.append(PortalStatus(school.slug, address))  # 304: as it was
        else:
            try:
                parse_index(fetched.body, school.portal)
                text = fetched.body.decode("utf-8")
            except (IndexRefused, UnicodeDecodeError) as exc:
                statuses.append(PortalStatus(school.slug, address, error=str(exc)))
                continue
            statuses.append(PortalStatus(school.slug, address, data=text, etag=fetched.etag,
                                         last_modified=fetched.last_modified))
    return statuses


def update_portals(site: Site, now: datetime | None = None,
                   limits: FetchLimits = DEFAULT_LIMITS) -> list[PortalStatus]:
    """Read the indexes of the schools of `site`, and the feed.json of those read as a
    summary, and keep them in its archive. A summary's feed that fails names its portal
    as down (`mading report`), its index and archived posts kept."""
    if not site.schools:
        return []
    now = now or datetime.now(UTC)
    with Archive(site.archive_file) as archive:
        remembered = {status.school: status for status in archive.portal_statuses()}
        statuses = read_portals(site.schools, remembered, limits)
        archive.store_portals(statuses, now)
        readers = summary_readers(site)
        if readers:
            feeds = {status.teacher: status for status in archive.feed_statuses()}
            results = read_feeds(readers, site.root, feeds, limits=limits,
                                 embed_hosts=site.embed_hosts)
            archive.store(results, now, limits)
            if site.images.local:  # the pictures of the posts just read, as for a teacher's
                fetch_images(ImageStore(site.images_dir),
                             [entry for result in results for entry in result.entries],
                             limits, now=now)
            failed = _summaries_failed(site, readers, results)
            archive.store_portals(failed, now)
            statuses = [next((f for f in failed if f.school == s.school), s) for s in statuses]
    return statuses


def _summaries_failed(site: Site, readers: Sequence[Teacher],
                      results: Sequence[FeedResult]) -> list[PortalStatus]:
    """Each failed summary's feed as its portal's status: at the index's address (so that
    the index is kept), with the feed's address and why it failed."""
    schools = {school.slug: school for school in site.schools}
    school_of = {reader.slug: schools[reader.school] for reader in readers
                 if reader.school in schools}
    return [PortalStatus(school.slug, index_address(school),
                         error=f"{school.portal}{SUMMARY_FEED}: {result.error}")
            for result in results if result.error is not None
            and (school := school_of.get(result.teacher)) is not None]


def stored_indexes(site: Site) -> tuple[dict[str, SchoolIndex], list[PortalStatus]]:
    """The indexes the archive keeps for the schools of `site` (those read at the address
    site.yml gives now), and every school's status."""
    with Archive(site.archive_file) as archive:
        statuses = archive.portal_statuses()
    by_school = {school.slug: school for school in site.schools}
    indexes = {}
    for status in statuses:
        school = by_school.get(status.school)
        if school is None or status.data is None or status.source != index_address(school):
            continue
        try:
            indexes[school.slug] = parse_index(status.data.encode(), school.portal)
        except IndexRefused:
            continue
    return indexes, [s for s in statuses if s.school in by_school]


def federated_site(site: Site, offline: bool = True, now: datetime | None = None,
                   limits: FetchLimits = DEFAULT_LIMITS) -> Site:
    """`site` with its schools' teachers, subjects and classes, from the indexes the
    archive keeps; unless `offline`, the indexes are read again first. A site with no
    `schools:` is returned as it is, without opening the archive."""
    if not site.schools:
        return site
    if not offline:
        update_portals(site, now, limits)
    return federate(site, stored_indexes(site)[0])
