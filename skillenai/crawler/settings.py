"""Scrapy settings for the Skillenai crawler.

Politeness is the default: robots.txt obeyed, AutoThrottle on, a few concurrent requests
per domain, a user agent with a contact URL, bounded response sizes, retries on 429 and
5xx. `skillenai demo` and the tests override the API base URLs and the seeds file so the
same spiders crawl the local sample web.
"""

BOT_NAME = "skillenai"
SPIDER_MODULES = ["skillenai.crawler.spiders"]
NEWSPIDER_MODULE = "skillenai.crawler.spiders"

USER_AGENT = "SkillenaiBot/0.1 (+https://skillenai.com/bot; crawler@skillenai.com)"
ROBOTSTXT_OBEY = True

CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
# Scrapy starts CONCURRENT_ITEMS asyncio tasks per response (plus one), and our pipelines
# are synchronous, so items of one page gain nothing from running side by side: one task
# each saves the crawl thread ~0.3 ms a page (task creation was 5% of it: BENCHMARKS.md).
CONCURRENT_ITEMS = 1
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
# Retries wait: Retry-After when the server sends it, else 1 s, 2 s, 4 s… (skillenai/crawler/middlewares.py).
RETRY_BACKOFF_BASE = 1.0
RETRY_BACKOFF_MAX = 60.0
RETRY_AFTER_MAX = 120.0
DOWNLOADER_MIDDLEWARES = {
    # Before robots.txt (100): an internal host is refused before anything is fetched from it.
    "skillenai.crawler.addresses.InternalAddressMiddleware": 90,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "skillenai.crawler.middlewares.BackoffRetryMiddleware": 550,
    # Below the retry middleware: it sees each request's final outcome, not every attempt.
    "skillenai.crawler.incremental.IncrementalMiddleware": 540,
    # Above the redirect middleware (600): sees a 3xx before it is followed.
    "skillenai.crawler.middlewares.RedirectLoopMiddleware": 610,
    # Scrapy's, without decoding every page to find out there is no meta refresh.
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "skillenai.crawler.middlewares.QuickMetaRefreshMiddleware": 580,
    # Scrapy's, sending no Referer on a redirect (as on every request) without warning about it.
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "skillenai.crawler.middlewares.NoRefererRedirectMiddleware": 600,
    # Nearer the downloader than Scrapy's decompression (590): sees the body as it was sent.
    "skillenai.crawler.middlewares.KeepGzipStreamMiddleware": 595,
}
REDIRECT_MAX_TIMES = 5
# Career-site listings can link into endless calendars or faceted searches.
DEPTH_LIMIT = 6
COOKIES_ENABLED = False
# No Referer header: job boards and career sites serve a crawler the same pages without it,
# and Scrapy's referer middleware handed every item and request of a page through one
# more asynchronous step (4% of the crawl thread, BENCHMARKS.md).
REFERER_ENABLED = False
TELNETCONSOLE_ENABLED = False
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
# `scrapy crawl SPIDER -o out.jsonl` (or .json, .csv, .xml) writes the store's records
# (skillenai/crawler/feeds.py); SKILLENAI_FEED_RAW says what becomes of the raw body.
FEED_EXPORTERS = {
    "json": "skillenai.crawler.feeds.JsonExporter",
    "jsonlines": "skillenai.crawler.feeds.JsonLinesExporter",
    "jsonl": "skillenai.crawler.feeds.JsonLinesExporter",
    "jl": "skillenai.crawler.feeds.JsonLinesExporter",
    "csv": "skillenai.crawler.feeds.CsvExporter",
    "xml": "skillenai.crawler.feeds.XmlExporter",
}
LOG_LEVEL = "INFO"
LOG_FORMATTER = "skillenai.crawler.logformatter.SkillenaiLogFormatter"

EXTENSIONS = {
    "skillenai.crawler.extensions.CollectorTuning": 0,
    "skillenai.crawler.monitors.MonitorExtension": 500,
}
# The project's `scrapy crawl` (skillenai/crawler/commands/crawl.py): Scrapy's own, with exit
# status 1 when a monitor failed or the spider did not finish.
COMMANDS_MODULE = "skillenai.crawler.commands"

# `scrapy check`: contracts whose requests come from the sources file (skillenai/crawler/contracts.py).
SPIDER_CONTRACTS = {
    "skillenai.crawler.contracts.SeedContract": 10,
    "skillenai.crawler.contracts.FieldsContract": 10,
}

ITEM_PIPELINES = {
    "skillenai.crawler.pipelines.NormalizePipeline": 100,
    "skillenai.crawler.pipelines.StorePipeline": 800,
}

# --- Skillenai settings -----------------------------------------------------------------
# The SQLite store items are written to.
SKILLENAI_DB = "skillenai.db"
# The sources file (CSV: spider,source,target). Relative paths are taken from the
# directory Scrapy runs in (the repository root).
SKILLENAI_SEEDS = "seeds/sources.csv"
# Items written to the store per transaction.
SKILLENAI_STORE_BATCH = 200
SKILLENAI_STORE_RETRIES = 2  # while the store is locked or busy
SKILLENAI_STORE_RETRY_WAIT = 5.0  # seconds between those tries
# Seconds a spider waits, trying again, for a store that is locked, busy or cannot be
# written (a full disk) as it opens; then it does not run, and the crawl says so and fails.
SKILLENAI_STORE_OPEN_WAIT = 120.0
# Origin rewrites applied to stored URLs, e.g. {"http://127.0.0.1:8123": "https://example.com"}:
# lets a mirror or the local sample web store the public URLs, so ids stay stable.
SKILLENAI_ORIGIN_MAP = {}
# Addresses (or CIDR networks) that may be fetched although they are loopback, private,
# link-local or reserved: every other such address is refused (skillenai/crawler/addresses.py).
# The sample web and the tests, served on 127.0.0.1, allow it; a crawl of the web needs none.
SKILLENAI_ALLOWED_NETWORKS = []
# Registrable domains a source's pages may also speak for, by source id, beside the one
# its target is on: {"Acme": ["acme-jobs.com"]}. A sitemap may list pages, and a page may
# give its postings ids, on those domains only (skillenai/crawler/spiders/base.py).
SKILLENAI_SOURCE_DOMAINS = {}
# Most postings one page may give; the rest are reported (too_many_postings) and not stored.
SKILLENAI_MAX_POSTINGS_PER_PAGE = 100
# Keep the fetched body (compressed) so extraction can be re-run without re-crawling.
SKILLENAI_KEEP_RAW = True
# The raw body in feeds (-o, FEEDS): "omit" leaves it out, "base64" writes it as
# "base64:..." (the body as fetched, as `skillenai ingest` reads it).
SKILLENAI_FEED_RAW = "omit"
# Processes that parse fetched pages (structured data, main text, document kind) while the
# crawl thread goes on fetching (skillenai/crawler/parsing/parsepool.py); 0 parses in the spider callbacks.
SKILLENAI_PARSE_WORKERS = 1
# Python's garbage collector during a crawl (skillenai/crawler/extensions.py): what the process
# holds when the engine starts is frozen, and the young generation is collected every
# this many allocations instead of 700. 0 leaves the collector alone.
SKILLENAI_GC_THRESHOLD = 20000

GREENHOUSE_API_URL = "https://boards-api.greenhouse.io/v1/boards"
LEVER_API_URL = "https://api.lever.co/v0/postings"
LEVER_PAGE_SIZE = 100
ASHBY_API_URL = "https://api.ashbyhq.com/posting-api/job-board"
# Workday career sites are each on their tenant's own host: "" asks each site's own
# origin; a URL sends every site's CXS API requests there instead (a mirror, the sample web).
WORKDAY_API_URL = ""
# Most results Workday returns for one search; a search with more is split by its facets.
WORKDAY_RESULT_CAP = 2000
SMARTRECRUITERS_API_URL = "https://api.smartrecruiters.com/v1/companies"
WORKABLE_API_URL = "https://apply.workable.com"
# Boards read in one response per company (skillenai/crawler/spiders/boards.py): each a URL
# template in which {board} is the board token of the sources file.
RECRUITEE_URL = "https://{board}.recruitee.com"
PERSONIO_URL = "https://{board}.jobs.personio.com"
BAMBOOHR_URL = "https://{board}.bamboohr.com"
TEAMTAILOR_URL = "https://{board}.teamtailor.com"
# The Teamtailor feed read: jobs.rss (RSS) or jobs.json (JSON Feed).
TEAMTAILOR_FEED = "jobs.rss"
PINPOINT_URL = "https://{board}.pinpointhq.com"
RIPPLING_URL = "https://api.rippling.com/platform/api/ats/v1/board/{board}"
BREEZY_URL = "https://{board}.breezy.hr"
# Research papers (skillenai/crawler/spiders/papers.py): arXiv's search API and OAI-PMH.
ARXIV_API_URL = "https://export.arxiv.org/api/query"
ARXIV_OAI_URL = "https://export.arxiv.org/oai2"
ARXIV_PAGE_SIZE = 100
ARXIV_MAX_RESULTS = 1000
ARXIV_OAI_FROM = ""
ARXIV_DOWNLOAD_DELAY = 3.0
# Most listing pages followed per source (career sites without sitemaps, blog archives).
SKILLENAI_MAX_LISTING_PAGES = 200

# Incremental re-crawls (skillenai/crawler/incremental.py): conditional requests for boards and
# posting pages, unchanged content not re-parsed, postings missing from a fully fetched
# source closed on SKILLENAI_RUN_DATE (empty: today, UTC).
SKILLENAI_INCREMENTAL = True
SKILLENAI_RUN_DATE = ""
# Monitors (skillenai/crawler/monitors.py) run as each spider closes (`scrapy crawl`, Scrapyd),
# or after `skillenai crawl` and `skillenai daily` over all their spiders; a crossed threshold
# makes the command exit with status 1, naming source and threshold, is kept in
# crawl_runs.monitors and is POSTed to SKILLENAI_MONITOR_WEBHOOK.
# Run the monitors as each spider closes; `skillenai crawl` and `daily` turn this off and
# check all their spiders' runs together.
SKILLENAI_MONITOR_ON_CLOSE = True
# A URL that receives a JSON POST when a monitor fails ("" for none); its `text` field is
# the message for a person (Slack and Mattermost incoming webhooks show it as it is).
SKILLENAI_MONITOR_WEBHOOK = ""
# Seconds to wait for the webhook's answer.
SKILLENAI_MONITOR_WEBHOOK_TIMEOUT = 10.0
# Documents each source of the seeds file must yield (stored or re-seen) in a crawl.
SKILLENAI_MONITOR_MIN_ITEMS = 1
# Failed requests (after retries; taken-down posting pages excluded) per request, per spider.
SKILLENAI_MONITOR_MAX_ERROR_RATE = 0.2
# Dropped items per item, per spider.
SKILLENAI_MONITOR_MAX_DROP_RATE = 0.1
# Least share of a spider's postings seen in the crawl that have each field.
SKILLENAI_MONITOR_MIN_FIELD_COVERAGE = {"location": 0.5, "date": 0.5, "description": 0.95}
# Unusable rows of the sources file (unknown spider, bad token or URL, duplicates) a crawl may skip.
SKILLENAI_MONITOR_MAX_BAD_SEED_ROWS = 0

# Distributed mode (skillenai/crawler/distributed.py): with a Redis URL, workers share the request
# queue and duplicate filter, and push items to Redis for `skillenai ingest --redis`.
ADDONS = {"skillenai.crawler.distributed.RedisMode": 0}
SKILLENAI_REDIS_URL = ""
# Prefix of the crawl's Redis keys; workers of one crawl must use the same.
SKILLENAI_REDIS_KEY = "skillenai"
# Seconds an idle worker waits, with the shared queue empty and no other worker busy, before it stops.
SKILLENAI_REDIS_IDLE_GRACE = 2.0
# Politeness kept by all workers together through Redis (SharedPoliteness): DOWNLOAD_DELAY (or
# AutoThrottle's delay, shared) between any two workers' requests to a site, and at most
# CONCURRENT_REQUESTS_PER_DOMAIN of them at once.
SKILLENAI_REDIS_SHARED_POLITENESS = True
