"""Spider contracts for ``scrapy check`` (``SPIDER_CONTRACTS``), fed by the sources file.

A contract's request cannot name a fixed URL: a board token or a career site is a row of
the sources file, and the sample web runs on ports of its own. ``@seed`` makes the request
the spider itself makes first for a row of the sources file, so ``scrapy check`` tests each
spider against whatever the sources file points at: the sample web as
``python -m skillenai.sampleweb serve`` prints it, or the real sources. ``@fields`` checks
that every item has a value for each field named (Scrapy's ``@scrapes`` cannot fail on the
spiders' items: a dataclass always has every field).
"""

from __future__ import annotations

from itemadapter import ItemAdapter, is_item
from scrapy.contracts import Contract
from scrapy.exceptions import ContractFail


class SeedContract(Contract):
    """``@seed``: the request is the one the spider makes first for a source of the sources
    file (``SKILLENAI_SEEDS`` or ``-a seeds=``): the first source whose first request the
    method carrying the contract handles (a career site's ``robots.txt``, a listing page)."""

    name = "seed"

    def __init__(self, method, *args):
        super().__init__(method, *args)
        self.method = method  # bound to the spider, whose sources and requests it asks for

    def adjust_request_args(self, args: dict) -> dict:
        spider = self.method.__self__
        seeds = spider.load_seeds()
        for seed in seeds:
            request = next(iter(spider.requests_for(seed)), None)
            if request is not None and getattr(request.callback, "__name__", None) == self.method.__name__:
                args.update(url=request.url, cb_kwargs=dict(request.cb_kwargs), headers=request.headers,
                            method=request.method, body=request.body, meta=dict(request.meta))
                return args
        raise ContractFail(f"none of the {len(seeds)} {spider.name} source(s) of the sources file starts at "
                           f"{self.method.__name__}")


class FieldsContract(Contract):
    """``@fields NAME…``: every item the callback returns has a value (not empty) for each field."""

    name = "fields"

    def post_process(self, output: list) -> None:
        for item in output:
            if not is_item(item) or isinstance(item, dict) and not item:
                continue
            adapter = ItemAdapter(item)
            empty = [name for name in self.args if adapter.get(name) in (None, "", [], {})]
            if empty:
                raise ContractFail(f"{adapter.get('url') or 'an item'} has no {', '.join(empty)}")
