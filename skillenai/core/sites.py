"""Which site a URL belongs to: its registrable domain (``careers.acme.co.uk`` → ``acme.co.uk``).

The public suffix list (with its private part: ``a.github.io`` and ``b.github.io`` are two
sites) is the copy tldextract ships (no network access, ever). A host
under a suffix the list does not know (``acme.sample.test``) is read by the list's
default rule: its last label is the suffix. An IP address is its own site.
"""

from __future__ import annotations

import functools
import ipaddress
from urllib.parse import urlsplit

import tldextract


@functools.cache
def _extract() -> tldextract.TLDExtract:
    # suffix_list_urls=(): the bundled snapshot only; cache_dir=None: nothing written. The
    # list's private part too: two blogs under github.io are two sites.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


@functools.lru_cache(maxsize=4096)
def registrable_host(host: str) -> str:
    """The registrable domain of ``host`` (lower case), or the host itself for an IP
    address or a name with a single label."""
    host = host.lower().rstrip(".")
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        pass
    parts = _extract()(host)
    if parts.suffix and parts.domain:
        return f"{parts.domain}.{parts.suffix}"
    labels = host.split(".")
    return ".".join(labels[-2:])


def registrable_domain(url: str) -> str | None:
    """The registrable domain of ``url``'s host, or ``None`` when it has no host."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return registrable_host(host) if host else None


def on_sites(url: str, domains: frozenset[str] | set[str]) -> bool:
    """Whether ``url``'s registrable domain is one of ``domains`` (registrable domains)."""
    return registrable_domain(url) in domains
