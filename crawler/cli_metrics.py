"""``skillenai metrics …`` and ``skillenai serve``: the analyst's commands."""

from __future__ import annotations


def add_metrics_commands(sub, db_option) -> None:
    """Register the metrics and serve subcommands on the main parser's subparsers."""
