"""Dates as sources write them → ISO 8601 strings in UTC.

Sources write ISO 8601 with offsets (ATS APIs, JSON-LD), RFC 822 (RSS), epoch
milliseconds (Lever's ``createdAt``) and the odd human format on career pages. Stored
dates are ``YYYY-MM-DD`` and datetimes ``YYYY-MM-DDTHH:MM:SSZ`` so they sort as text.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re

_HUMAN_FORMATS = (
    "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y",
    "%d.%m.%Y", "%m/%d/%Y", "%Y/%m/%d", "%Y.%m.%d",
)
_MIN_YEAR, _MAX_YEAR = 1990, 2100


class InvalidDate(ValueError):
    """A value that should be a date is not one; ``field`` names where it came from."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


def _check_year(value: dt.date, field: str, raw: object) -> None:
    if not _MIN_YEAR <= value.year <= _MAX_YEAR:
        raise InvalidDate(field, f"year out of range {_MIN_YEAR}-{_MAX_YEAR}: {raw!r}")


def _to_datetime(value: object, field: str) -> dt.datetime | dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidDate(field, f"not a date: {value!r}")
    if isinstance(value, (int, float)):
        seconds = value / 1000 if abs(value) > 1e11 else value
        try:
            return dt.datetime.fromtimestamp(seconds, tz=dt.timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise InvalidDate(field, f"epoch out of range: {value!r}") from None
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise InvalidDate(field, f"expected a date string, got {type(value).__name__}")
    text = value.strip()
    if re.fullmatch(r"\d{10}(\d{3})?", text):
        return _to_datetime(int(text), field)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise InvalidDate(field, f"not a calendar date: {text!r}") from None
    try:
        return dt.datetime.fromisoformat(text.replace(" ", "T", 1) if re.match(r"\d{4}-\d{2}-\d{2} \d", text) else text)
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(text)
        if parsed is not None:
            return parsed
    except (TypeError, ValueError, IndexError):
        pass
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text)
    for fmt in _HUMAN_FORMATS:
        try:
            return dt.datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    raise InvalidDate(field, f"not a recognised date: {text[:80]!r}")


def parse_datetime(value: object, *, field: str = "date") -> str | None:
    """Any supported date or datetime → ``YYYY-MM-DDTHH:MM:SSZ`` (UTC) or ``YYYY-MM-DD``.

    >>> parse_datetime("Sat, 09 May 2026 10:00:00 +0200")
    '2026-05-09T08:00:00Z'
    """
    parsed = _to_datetime(value, field)
    if parsed is None:
        return None
    _check_year(parsed, field, value)
    if isinstance(parsed, dt.datetime):
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(dt.timezone.utc)
        return parsed.strftime("%Y-%m-%dT%H:%M:%SZ")
    return parsed.isoformat()


def parse_date(value: object, *, field: str = "date") -> str | None:
    """Any supported date or datetime → ``YYYY-MM-DD``: the calendar day as written, so a
    posting dated at midnight in Berlin keeps its day (an epoch number has no zone: its UTC
    day).

    >>> parse_date("2026-05-01T00:30:00+02:00"), parse_date("Fri, 01 May 2026 23:00:00 -0500")
    ('2026-05-01', '2026-05-01')
    """
    parsed = _to_datetime(value, field)
    if parsed is None:
        return None
    _check_year(parsed, field, value)
    return (parsed.date() if isinstance(parsed, dt.datetime) else parsed).isoformat()


def lenient_date(value: object) -> str | None:
    """:func:`parse_date`, but ``None`` for what is not a date (for scraped fields)."""
    try:
        return parse_date(value)
    except InvalidDate:
        return None


def lenient_datetime(value: object) -> str | None:
    """:func:`parse_datetime`, but ``None`` for what is not a date (for scraped fields)."""
    try:
        return parse_datetime(value)
    except InvalidDate:
        return None
