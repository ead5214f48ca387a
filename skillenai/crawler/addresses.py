"""Requests to internal hosts are refused: loopback, private, link-local, reserved.

A sitemap, a listing or a redirect can name any host, ``127.0.0.1``, ``localhost``, a
``10.x`` address or a name that resolves to one; fetched, such a page would be stored with
its body and reach ``export`` and ``serve``. :class:`InternalAddressMiddleware` resolves
each request's host (through the crawl's own caching resolver, whose answer the
connection then uses) and refuses it when the address is not a public one, unless the
address is in ``SKILLENAI_ALLOWED_NETWORKS`` (the sample web and the tests allow
``127.0.0.1``). A refused request is reported as ``internal_address`` and counted; a
name that does not resolve is left for the download to fail as it would.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.error import DNSLookupError

from skillenai.crawler.issues import report_skipped

logger = logging.getLogger(__name__)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class InternalAddress(IgnoreRequest):
    """The request's host is (or resolves to) an address that is not public."""


def allowed_networks(values) -> list[Network]:
    """``SKILLENAI_ALLOWED_NETWORKS`` read: addresses or CIDR networks; ``ValueError``
    naming the setting and the bad entry otherwise."""
    if isinstance(values, str):
        # `-s SKILLENAI_ALLOWED_NETWORKS='["127.0.0.1"]'` (JSON, as other list settings are
        # given on a command line) or a comma-separated list.
        text = values.strip()
        values = json.loads(text) if text.startswith("[") else [v for v in text.split(",") if v.strip()]
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(str(value).strip(), strict=False))
        except ValueError:
            raise ValueError(f"SKILLENAI_ALLOWED_NETWORKS: {value!r} is not an IP address or network "
                             "(e.g. 127.0.0.1 or 10.0.0.0/8)") from None
    return networks


def internal_kind(address: Address) -> str | None:
    """What makes ``address`` internal (``"loopback"``, ``"private"``…), or ``None`` for a
    public address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for kind in ("loopback", "link_local", "unspecified", "multicast", "reserved", "private"):
        if getattr(address, f"is_{kind}"):
            return kind.replace("_", "-")
    # Shared address space (100.64.0.0/10), benchmarking ranges and the like.
    return None if address.is_global else "not globally routable"


class InternalAddressMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler
        self.allowed = allowed_networks(crawler.settings.get("SKILLENAI_ALLOWED_NETWORKS") or [])

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_request(self, request, spider=None):
        try:
            host = urlsplit(request.url).hostname
        except ValueError:
            return None  # the download reports the malformed URL
        if not host:
            return None
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            from twisted.internet import reactor

            try:
                # The installed resolver caches its answers: the connection gets this one.
                resolved = await maybe_deferred_to_future(reactor.resolve(host))
            except (DNSLookupError, OSError):
                return None
            try:
                address = ipaddress.ip_address(resolved)
            except ValueError:
                return None
        kind = internal_kind(address)
        if kind is None or any(address in network for network in self.allowed):
            return None
        detail = (f"{host} is a {kind} address" if str(address) == host.strip("[]")
                  else f"{host} resolves to {address}, a {kind} address")
        spider = spider or self.crawler.spider
        report_skipped(spider, request.url, "internal_address",
                       f"{detail}; refused (SKILLENAI_ALLOWED_NETWORKS allows such addresses)")
        raise InternalAddress(detail)
