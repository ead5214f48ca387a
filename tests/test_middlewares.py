"""Scrapy middlewares as the project sets them up: its own in place of Scrapy's, and those it turns off."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from skillenai.crawler.middlewares import QuickMetaRefreshMiddleware
from skillenai.crawler.run import project_settings

REFRESH = '<html><head><meta http-equiv="Refresh" content="0; url=/jobs/42/"></head><body>Moved</body></html>'
PLAIN = "<html><head><title>Engineer</title></head><body><p>Refreshing work, fresh tea.</p></body></html>"


@pytest.fixture
def middleware():
    return QuickMetaRefreshMiddleware.from_crawler(get_crawler(settings_dict={}))


def respond(body: bytes, url: str = "https://jobs.example.com/old/", **kwargs) -> tuple[Request, HtmlResponse]:
    return Request(url), HtmlResponse(url, body=body, **kwargs)


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252", "utf-16"])
def test_a_meta_refresh_is_followed_in_any_encoding(middleware, encoding):
    body = REFRESH.encode(encoding)
    request, response = respond(body, headers={"Content-Type": f"text/html; charset={encoding}"})
    redirected = middleware.process_response(request, response)
    assert isinstance(redirected, Request)
    assert redirected.url == "https://jobs.example.com/jobs/42/"


def test_a_page_without_a_refresh_is_passed_on_as_it_is(middleware):
    request, response = respond(PLAIN.encode())
    assert middleware.process_response(request, response) is response
    # A page that names the word elsewhere is checked by Scrapy's rules, and kept too.
    request, response = respond(PLAIN.replace("Refreshing", "refresh").encode())
    assert middleware.process_response(request, response) is response


def test_a_refresh_past_the_head_scrapy_reads_is_not_followed(middleware):
    # Scrapy looks at the first 4,096 characters only; so does this middleware.
    body = ("<html><head>" + "<!-- x -->" * 500 + REFRESH[12:]).encode()
    request, response = respond(body)
    assert middleware.process_response(request, response) is response


def test_the_project_uses_it_in_place_of_scrapys():
    middlewares = project_settings().getwithbase("DOWNLOADER_MIDDLEWARES")
    assert middlewares["scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware"] is None
    assert middlewares["skillenai.crawler.middlewares.QuickMetaRefreshMiddleware"] == 580


def test_the_project_sends_no_referer():
    from scrapy.exceptions import NotConfigured
    from scrapy.spidermiddlewares.referer import RefererMiddleware

    settings = project_settings()
    with pytest.raises(NotConfigured):  # so it is not in the chain every item passes
        RefererMiddleware.from_crawler(get_crawler(settings_dict={"REFERER_ENABLED": settings["REFERER_ENABLED"]}))
