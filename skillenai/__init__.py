"""Skillenai's job-market crawler: sources → Scrapy → SQLite store → dedupe → tags → metrics.

Layers point one way (see README, Architecture): ``cli`` → ``pipeline`` → the stages
(``crawler``, ``dedupe``, ``metrics``) → ``store`` and ``classify`` → ``core``.
"""
