"""The store's schema, as an ordered list of sqlite-utils migrations.

A migration, once released, is never edited: change the schema by appending a new one.
``docs/schema.md`` documents every table, view and column; ``tests/test_docs.py`` fails
when the two disagree.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("skillenai")


@migrations()
def m001_documents(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE documents (
            id TEXT PRIMARY KEY,           -- 16 hex: sha1 of canonical_url
            url TEXT NOT NULL,
            canonical_url TEXT NOT NULL,
            source TEXT,
            spider TEXT,
            kind TEXT NOT NULL CHECK (kind IN ('posting', 'article', 'other')),
            title TEXT,
            text TEXT,
            lang TEXT,
            author TEXT,
            published_at TEXT,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            content_hash TEXT,
            raw BLOB,
            raw_type TEXT,
            extraction TEXT,
            crawl_run_id INTEGER,
            seq INTEGER NOT NULL,
            cluster_id TEXT,
            is_canonical INTEGER NOT NULL DEFAULT 1,
            classified_at TEXT
        )
        """
    )
    db.execute("CREATE UNIQUE INDEX idx_documents_seq ON documents (seq)")
    db.execute("CREATE INDEX idx_documents_kind_published ON documents (kind, published_at)")
    db.execute("CREATE INDEX idx_documents_content_hash ON documents (content_hash)")
    db.execute("CREATE INDEX idx_documents_source ON documents (spider, source)")
    db.execute(
        """
        CREATE TABLE postings (
            document_id TEXT PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
            external_id TEXT,
            company TEXT,
            location_raw TEXT,
            locations_json TEXT,
            employment_type TEXT,
            workplace TEXT CHECK (workplace IN ('onsite', 'hybrid', 'remote')),
            salary_min REAL,
            salary_max REAL,
            salary_currency TEXT,
            salary_period TEXT,
            date_posted TEXT,
            valid_through TEXT,
            department TEXT,
            closed_at TEXT
        )
        """
    )
    db.execute("CREATE INDEX idx_postings_date ON postings (date_posted)")
    db.execute("CREATE INDEX idx_postings_company ON postings (company)")
    db.execute(
        """
        CREATE TABLE crawl_runs (
            id INTEGER PRIMARY KEY,
            spider TEXT NOT NULL,
            started TEXT NOT NULL,
            finished TEXT,
            outcome TEXT,
            items_stored INTEGER NOT NULL DEFAULT 0,
            items_new INTEGER NOT NULL DEFAULT 0,
            items_changed INTEGER NOT NULL DEFAULT 0,
            items_dropped INTEGER NOT NULL DEFAULT 0,
            args TEXT,
            stats TEXT
        )
        """
    )
    db.execute(
        """
        CREATE TABLE crawl_issues (
            id INTEGER PRIMARY KEY,
            crawl_run_id INTEGER REFERENCES crawl_runs (id),
            spider TEXT,
            url TEXT,
            reason TEXT NOT NULL,
            detail TEXT,
            at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX idx_crawl_issues_run ON crawl_issues (crawl_run_id)")
    db["documents"].enable_fts(["title", "text"], fts_version="FTS5", create_triggers=True)
    db.execute(
        """
        CREATE VIEW document_clusters AS
        SELECT id AS document_id, COALESCE(cluster_id, id) AS canonical_id
        FROM documents
        """
    )
    db.execute(
        """
        CREATE VIEW unique_postings AS
        SELECT d.id, d.url, d.source, d.spider, d.title, d.text, d.lang, d.first_seen,
               d.last_seen, p.company, p.location_raw, p.employment_type, p.workplace,
               p.salary_min, p.salary_max, p.salary_currency, p.salary_period,
               COALESCE(p.date_posted, substr(d.first_seen, 1, 10)) AS date_posted,
               p.valid_through, p.closed_at
        FROM documents d JOIN postings p ON p.document_id = d.id
        WHERE d.kind = 'posting' AND d.is_canonical = 1
        """
    )
