"""Every page a person can reach, by following links: the pages tests/e2e/test_every_page_accessible.py checks.

A crawl starts where a person starts (a site's first page, signed in or not), follows every link to the same
site, and opens each kind of page once: addresses that differ only in an id (``/clients/12/team/`` and
``/clients/40/team/``) are one kind. Links that leave the pages (sign out is a form; downloads, the API, files)
are not followed. Nothing is sent but GET requests, as a person clicking links sends.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit

# Path segments that are ids: numbers, UUIDs, tokens, references such as PW-2026-0042 or invoice numbers.
_ID = re.compile(r"^(\d+|[0-9a-f]{8}-[0-9a-f-]{27}|[A-Za-z0-9_-]{20,}|[A-Z]{2,}[-/]?\d[\w-]*|\d{4}-\d{2}(-\d{2})?)$")
# Addresses that are not pages: the API (its documentation page is crawled from its own link), files, exports.
_NOT_PAGES = re.compile(
    r"^/(api/(?!v1/docs/)|static/|media/|admin/|__)|\.(pdf|csv|json|ics|zip|txt|xml)$|/(download|export|file|schema)/?$"
)


def page_kind(path: str) -> str:
    """The kind of page an address is: its path with every id (and the council named in the console's addresses)
    replaced by ``{id}``."""
    segments = path.split("/")
    return "/".join(
        "{id}" if _ID.match(segment) or (index and segments[index - 1] == "councils") else segment
        for index, segment in enumerate(segments)
    )


@dataclass
class Crawl:
    """What a crawl has seen: each kind of page and the first address of it that was opened."""

    origin: str
    skip: Callable[[str], bool] = lambda path: False
    seen: dict[str, str] = field(default_factory=dict)
    opened: list[str] = field(default_factory=list)  # the kinds of page opened, in order
    queue: list[str] = field(default_factory=list)

    def offer(self, href: str, base: str) -> None:
        url, _ = urldefrag(urljoin(base, href))
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.origin or parts.query:
            return
        kind = page_kind(parts.path)
        if kind in self.seen or _NOT_PAGES.search(parts.path) or self.skip(parts.path):
            return
        self.seen[kind] = url
        self.queue.append(url)

    def pages(self, page: object, starts: list[str], limit: int) -> Iterator[str]:
        """Open each kind of page once, from ``starts``; yields each address opened (the page is then shown)."""
        for start in starts:
            self.offer(start, start)
        opened = 0
        while self.queue and opened < limit:
            url = self.queue.pop(0)
            try:
                response = page.goto(url)  # type: ignore[attr-defined]
            except Exception as error:
                if "Download is starting" in str(error):
                    continue  # a file, not a page
                raise
            if response is None or "text/html" not in (response.headers.get("content-type") or ""):
                continue
            if urlsplit(page.url).path != urlsplit(url).path:  # type: ignore[attr-defined]
                # Sent elsewhere (sign in again, a page it needs first): that page is crawled under its own kind.
                self.offer(page.url, page.url)  # type: ignore[attr-defined]
                continue
            opened += 1
            self.opened.append(page_kind(urlsplit(url).path))
            for href in page.eval_on_selector_all("a[href]", "links => links.map(link => link.getAttribute('href'))"):  # type: ignore[attr-defined]
                if href and not href.startswith(("mailto:", "tel:", "#", "javascript:")):
                    self.offer(href, url)
            yield url
