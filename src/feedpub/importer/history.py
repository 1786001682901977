"""One source → its pages: the feed, then its older pages where the old site offers them.

A URL's feed is followed to the start: RFC 5005 archives (prev-archive links) and paged
feeds (next links, JSON Feed's next_url), or, for a feed WordPress wrote, its pages
?paged=2, 3… until one is missing, empty or brings nothing new. A file is read alone (its
older pages, if any, are on the old site: give its URL). Following stops, with a warning,
at `Limits.pages` documents, at the import's byte limit, at a page already read (a loop),
at an archive link that leads nowhere (404), that is not an http(s) address or that `fetch`
does not follow (another host at an address that is not public), and at a page that cannot
be read or is refused (an HTTP error, no answer, not a feed): the entries read until then
are imported. Only a failure of the source itself refuses the import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from feedpub.importer import documents
from feedpub.importer.fetch import Budget, Limits, Missing, Reach, fetch, is_url
from feedpub.importer.old import Page, Refused, Why


def pages(source: str, limits: Limits, budget: Budget, warn: Callable[[str], None]) -> Iterator[Page]:
    reach = Reach(source, seconds=limits.idle_seconds)
    try:
        fetched = fetch(source, limits, budget, reach)
    except Missing:
        raise Refused(Why.IO, f"{source}: the server answered 404 Not Found") from None
    page = documents.read(fetched)
    yield page
    if fetched.is_file:
        return
    seen_addresses = {_key(source), _key(fetched.address)}
    seen_entries = {entry.id or entry.link for entry in page.entries}
    paged = page.older is None and page.wordpress
    number = 1
    next_address = page.older or (_paged(fetched.address, 2) if paged else None)
    while next_address is not None:
        number += 1
        if number > limits.pages:
            warn(
                f"{source}: stopped after {limits.pages} pages, the most feedpub follows; "
                "older entries are not imported"
            )
            return
        if _key(next_address) in seen_addresses:
            warn(f"{source}: {next_address} was read already (the pages link in a loop): stopped there")
            return
        seen_addresses.add(_key(next_address))
        if budget.left <= 0:
            warn(f"{source}: stopped at {next_address}: the import has read all the bytes it may")
            return
        if not is_url(next_address):
            warn(f"{source}: the older page {next_address} is not an http(s) address: stopped there")
            return
        try:
            fetched = fetch(next_address, limits, budget, reach)
            page = documents.read(fetched)
        except Missing:
            if not paged:
                warn(f"{source}: the older page {next_address} is missing (404): stopped there")
            return
        except Refused as e:
            warn(f"{source}: stopped following older pages: {e}")
            return
        fresh = [entry for entry in page.entries if (entry.id or entry.link) not in seen_entries]
        if not fresh:
            if not paged:
                warn(f"{source}: {next_address} brings no entry not read before: stopped there")
            return
        seen_entries.update(entry.id or entry.link for entry in fresh)
        page.entries = fresh
        yield page
        next_address = page.older if not paged else _paged(fetched.address, number + 1)


def _paged(address: str, number: int) -> str:
    """`address` asking for WordPress's page `number` of the feed."""
    parts = urlsplit(address)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "paged"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("paged", str(number))])))


def _key(address: str) -> str:
    """What makes two addresses one page: the fragment and the case of scheme and host do not."""
    parts = urlsplit(address)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))
