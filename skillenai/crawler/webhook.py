"""Telling someone that a crawl needs a look: a JSON POST to a webhook URL.

The body is one JSON object whose ``text`` field is the message a person reads (so a
Slack or Mattermost incoming webhook shows it as it is), beside the fields a program
reads. :func:`post` blocks: the monitors extension runs it on a thread, never in the
reactor's.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

USER_AGENT = "SkillenaiBot/0.1 monitors"


class WebhookError(Exception):
    """The notification could not be delivered; the message says where and why, in one line."""


def check_url(url: str) -> str:
    """``url`` if it is an absolute http(s) URL, else :class:`ValueError` naming the setting."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"SKILLENAI_MONITOR_WEBHOOK: expected an http(s) URL, got {url!r}")
    return url


def post(url: str, payload: dict[str, Any], timeout: float = 10.0) -> int:
    """POST ``payload`` as JSON to ``url``; returns the HTTP status (2xx), else raises
    :class:`WebhookError`."""
    body = json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        raise WebhookError(f"could not notify {url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise WebhookError(f"could not notify {url}: {reason}") from None
