import pytest

from skillenai.store.db import open_db


@pytest.fixture
def fresh_db():
    db = open_db(":memory:")
    yield db
    db.close()


@pytest.fixture
def posting_record():
    """A valid ingest/crawler record for a posting; tests change one field at a time."""
    return {
        "url": "https://boards.example.com/acme/jobs/123?utm_source=feed",
        "kind": "posting",
        "spider": "greenhouse",
        "source": "acme",
        "title": "Senior Backend Engineer",
        "text": "We are hiring a backend engineer.\nYou will work with Python 3 and PostgreSQL on distributed systems.",
        "company": "Acme Robotics",
        "location_raw": "San Francisco, CA",
        "employment_type": "FULL_TIME",
        "salary_min": "140000",
        "salary_max": 180000,
        "salary_currency": "usd",
        "salary_period": "YEAR",
        "date_posted": "2026-05-01T09:30:00-07:00",
    }
