"""Signals of our own, sent through the crawler's signal manager."""

# Sent by spiders when they skip input they cannot use (a broken JSON-LD block, a bad
# seed row, an unusable page): arguments ``spider``, ``url``, ``reason``, ``detail``.
input_skipped = object()
