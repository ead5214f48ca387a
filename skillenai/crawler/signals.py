"""Signals of our own, sent through the crawler's signal manager."""

# Sent by spiders when they skip input they cannot use (a broken JSON-LD block, a bad
# seed row, an unusable page): arguments ``spider``, ``url``, ``reason``, ``detail``.
input_skipped = object()

# Sent by the store pipeline for documents the store would not take (after retries):
# arguments ``spider``, ``records`` (the normalised records). Whatever was fetched to make
# them must not be remembered as seen.
documents_lost = object()

# Sent by the store pipeline once a spider's run is recorded in the store (its counts,
# Scrapy stats and outcome written): arguments ``spider``, ``run_id``, ``reason`` (Scrapy's
# close reason), ``db`` (the store, open until the handlers return) and ``store`` (its
# path). Handlers may return a Deferred; the engine waits for it before it stops.
run_recorded = object()
