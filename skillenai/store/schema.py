"""The store's schema, as an ordered list of sqlite-utils migrations.

A migration, once released, is never edited: change the schema by appending a new one.
``skillenai/store/schema.md`` documents every table, view and column; ``tests/test_docs.py`` fails
when the two disagree.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from skillenai.core.record import canonicalize_url, document_id
from skillenai.store.scope_lines import fill as fill_scope_lines

# What every table, view and column means; shipped beside this module (Datasette shows it).
SCHEMA_DOC = Path(__file__).with_name("schema.md")

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


@migrations()
def m002_dedupe(db: Database) -> None:
    """Near-duplicate detection (``skillenai/dedupe``): signatures, LSH bands, pairs, boilerplate."""
    db.execute(
        """
        CREATE TABLE minhashes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            document_id TEXT NOT NULL UNIQUE REFERENCES documents (id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            scope TEXT NOT NULL,
            seq INTEGER NOT NULL,
            content_hash TEXT,
            title_key TEXT NOT NULL,
            location_key TEXT NOT NULL,
            lines BLOB NOT NULL,
            num_perm INTEGER NOT NULL,
            seed INTEGER NOT NULL,
            shingle_size INTEGER NOT NULL,
            normaliser INTEGER NOT NULL,
            shingles INTEGER,
            signature BLOB,
            threshold REAL,
            bands INTEGER,
            rows INTEGER,
            computed_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX idx_minhashes_scope ON minhashes (scope, id)")
    db.execute("CREATE INDEX idx_minhashes_unindexed ON minhashes (id) WHERE bands IS NULL")
    db.execute(
        """
        CREATE TABLE lsh_bands (
            band INTEGER NOT NULL,
            bucket INTEGER NOT NULL,
            minhash_id INTEGER NOT NULL,
            PRIMARY KEY (band, bucket, minhash_id)
        ) WITHOUT ROWID
        """
    )
    db.execute(
        """
        CREATE TABLE duplicate_pairs (
            document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
            other_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
            method TEXT NOT NULL CHECK (method IN ('hash', 'minhash')),
            similarity REAL NOT NULL,
            page_similarity REAL,
            estimate REAL,
            title_similarity REAL,
            found_at TEXT NOT NULL,
            PRIMARY KEY (document_id, other_id),
            CHECK (document_id < other_id)
        ) WITHOUT ROWID
        """
    )
    db.execute("CREATE INDEX idx_duplicate_pairs_other ON duplicate_pairs (other_id)")
    db.execute(
        """
        CREATE TABLE boilerplate_lines (
            scope TEXT NOT NULL,
            line_hash INTEGER NOT NULL,
            titles INTEGER NOT NULL,
            sample TEXT,
            learned_at TEXT NOT NULL,
            PRIMARY KEY (scope, line_hash)
        ) WITHOUT ROWID
        """
    )
    db.execute(
        """
        CREATE TABLE dedupe_runs (
            id INTEGER PRIMARY KEY,
            date TEXT,
            started TEXT NOT NULL,
            finished TEXT NOT NULL,
            next_seq INTEGER NOT NULL,
            settings TEXT NOT NULL,
            report TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX idx_documents_cluster ON documents (cluster_id) WHERE cluster_id IS NOT NULL")


@migrations()
def m003_tags(db: Database) -> None:
    """Entities (skills, metros, roles) and the classify stage's tags of each document."""
    db.execute("CREATE TABLE skills (id TEXT PRIMARY KEY, name TEXT NOT NULL, category TEXT, aliases TEXT, esco_uri TEXT)")
    db.execute("CREATE INDEX idx_skills_name ON skills (name COLLATE NOCASE)")
    db.execute(
        """
        CREATE TABLE metros (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, admin1 TEXT, country TEXT, lat REAL, lon REAL,
            metro_area_id TEXT, metro_area TEXT, population INTEGER
        )
        """
    )
    db.execute("CREATE INDEX idx_metros_name ON metros (name COLLATE NOCASE)")
    db.execute("CREATE TABLE roles (id TEXT PRIMARY KEY, name TEXT NOT NULL)")
    db.execute(
        """
        CREATE TABLE document_skills (
            document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
            skill_id TEXT NOT NULL,
            mentions INTEGER NOT NULL,
            score REAL NOT NULL,
            method TEXT NOT NULL,
            in_title INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (document_id, skill_id)
        ) WITHOUT ROWID
        """
    )
    # Covering index: "postings for a skill" reads it alone (PERFORMANCE_NOTES.md).
    db.execute("CREATE INDEX idx_document_skills_skill ON document_skills (skill_id, document_id)")
    db.execute(
        """
        CREATE TABLE document_metros (
            document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
            metro_id TEXT NOT NULL,
            source TEXT,
            PRIMARY KEY (document_id, metro_id)
        ) WITHOUT ROWID
        """
    )
    db.execute("CREATE INDEX idx_document_metros_metro ON document_metros (metro_id, document_id)")
    db.execute(
        """
        CREATE TABLE document_roles (
            document_id TEXT PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
            role_id TEXT NOT NULL,
            score REAL
        )
        """
    )
    db.execute("CREATE INDEX idx_document_roles_role ON document_roles (role_id, document_id)")
    db.execute("ALTER TABLE postings ADD COLUMN remote INTEGER")
    db.execute("ALTER TABLE postings ADD COLUMN hybrid INTEGER")
    db.execute("ALTER TABLE postings ADD COLUMN remote_scope TEXT")
    # Re-crawls and tagging update last_seen, seq, classified_at… on every row: re-index the
    # full text only when the title or text changes.
    db.execute("DROP TRIGGER documents_au")
    db.execute(
        """
        CREATE TRIGGER documents_au AFTER UPDATE OF title, text ON documents BEGIN
          INSERT INTO documents_fts (documents_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
          INSERT INTO documents_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END
        """
    )


@migrations()
def m004_metrics(db: Database) -> None:
    """Analysts' views over canonical postings (``skillenai/metrics/queries.py`` reads them too) and the
    covering indexes that keep every metrics query on indexes alone.

    Idempotent (IF NOT EXISTS, views replaced): stores that ran a development draft of it
    under another name get the final objects.
    """
    # A metrics query meets documents and postings once per tagged posting. These make each
    # meeting one seek in a small index instead of a table row read: documents rows carry
    # the text and the compressed page, so is_canonical sits on an overflow page.
    db.execute(
        "CREATE UNIQUE INDEX IF NOT EXISTS idx_documents_metrics ON documents (id, kind, is_canonical, first_seen)"
    )
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS idx_postings_document_date ON postings (document_id, date_posted)")
    # document_roles is keyed by document_id alone: its role_id is a table row away.
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS idx_document_roles_document ON document_roles (document_id, role_id)")
    # Questions over every skill in a date window (top skills, trends) start from the dates.
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS idx_postings_date_document ON postings (date_posted, document_id)")
    # Articles that mention a skill: every canonical article is checked by an index seek,
    # without reading article rows until one matches.
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_documents_articles ON documents (published_at, first_seen, is_canonical, id) "
        "WHERE kind = 'article'"
    )
    # The views below say how to join (CROSS JOIN keeps the order, INDEXED BY the index):
    # without statistics SQLite would start from documents (kind = 'posting' looks
    # selective to it) and read every posting for one skill. The posting date is
    # unique_postings.date_posted, written out because a view cannot name an index.
    for view in ("skill_postings", "metro_postings", "role_postings", "data_as_of", "skill_weekly", "skill_pairs",
                 "skill_articles"):
        db.execute(f"DROP VIEW IF EXISTS {view}")
    entity_postings = """
        CREATE VIEW {view} AS
        SELECT t.{column}, t.document_id,
               COALESCE(p.date_posted, substr(d.first_seen, 1, 10)) AS date_posted
        FROM {table} t
        CROSS JOIN documents d INDEXED BY idx_documents_metrics ON d.id = t.document_id
        CROSS JOIN postings p INDEXED BY idx_postings_document_date ON p.document_id = t.document_id
        WHERE d.kind = 'posting' AND d.is_canonical = 1
    """
    db.execute(entity_postings.format(view="skill_postings", table="document_skills", column="skill_id"))
    db.execute(entity_postings.format(view="metro_postings", table="document_metros", column="metro_id"))
    db.execute(entity_postings.format(view="role_postings", table="document_roles", column="role_id"))
    # The data's own "today": the latest date of a canonical posting, found from the end
    # of the date index (the undated postings count by the day they were first seen).
    db.execute(
        """
        CREATE VIEW data_as_of AS
        SELECT MAX(day) AS data_as_of FROM (
            SELECT * FROM (
                SELECT p.date_posted AS day FROM postings p INDEXED BY idx_postings_date_document
                CROSS JOIN documents d INDEXED BY idx_documents_metrics ON d.id = p.document_id
                WHERE p.date_posted IS NOT NULL AND d.kind = 'posting' AND d.is_canonical = 1
                ORDER BY p.date_posted DESC LIMIT 1
            )
            UNION ALL
            SELECT MAX(substr(d.first_seen, 1, 10)) FROM postings p INDEXED BY idx_postings_date_document
            CROSS JOIN documents d INDEXED BY idx_documents_metrics ON d.id = p.document_id
            WHERE p.date_posted IS NULL AND d.kind = 'posting' AND d.is_canonical = 1
        )
        """
    )
    db.execute(
        """
        CREATE VIEW skill_weekly AS
        SELECT skill_id, date(date_posted, '-6 days', 'weekday 1') AS week_start, COUNT(*) AS postings
        FROM skill_postings
        GROUP BY skill_id, week_start
        """
    )
    db.execute(
        """
        CREATE VIEW skill_pairs AS
        SELECT sp.skill_id, other.skill_id AS other_skill_id, COUNT(*) AS postings
        FROM skill_postings sp
        CROSS JOIN document_skills other ON other.document_id = sp.document_id AND other.skill_id <> sp.skill_id
        GROUP BY sp.skill_id, other.skill_id
        """
    )
    db.execute(
        """
        CREATE VIEW skill_articles AS
        SELECT ds.skill_id, d.id AS document_id, d.title, d.url,
               COALESCE(substr(d.published_at, 1, 10), substr(d.first_seen, 1, 10)) AS date
        FROM documents d INDEXED BY idx_documents_articles
        CROSS JOIN document_skills ds ON ds.document_id = d.id
        WHERE d.kind = 'article' AND d.is_canonical = 1
        """
    )


@migrations()
def m005_daily(db: Database) -> None:
    """Daily runs (``skillenai/pipeline/daily.py``), HTTP validators for conditional re-crawls
    (``skillenai/crawler/incremental.py``) and postings active on a date."""
    db.execute(
        """
        CREATE TABLE daily_runs (
            date TEXT PRIMARY KEY,
            started TEXT NOT NULL,
            finished TEXT,
            outcome TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 1,
            crawl_since TEXT,
            stages TEXT NOT NULL DEFAULT '{}'
        )
        """
    )
    db.execute(
        """
        CREATE TABLE http_validators (
            url TEXT PRIMARY KEY,
            spider TEXT NOT NULL,
            source TEXT,
            etag TEXT,
            last_modified TEXT,
            content_hash TEXT NOT NULL,
            fetched_at TEXT NOT NULL,
            checked_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX idx_documents_url ON documents (url)")
    db.execute("CREATE INDEX idx_postings_closed ON postings (closed_at) WHERE closed_at IS NOT NULL")
    # Postings open on day D: opened <= D AND (closed_at IS NULL OR closed_at > D).
    db.execute(
        """
        CREATE VIEW active_postings AS
        SELECT d.id AS document_id,
               COALESCE(substr(p.date_posted, 1, 10), substr(d.first_seen, 1, 10)) AS opened,
               p.closed_at
        FROM documents d JOIN postings p ON p.document_id = d.id
        WHERE d.kind = 'posting' AND d.is_canonical = 1
        """
    )


# Writes that change what a metrics answer would say. Each trigger marks the precomputed
# metrics stale at most once per refresh: after the first row, ``clean = 0`` makes the
# UPDATE find nothing to change, so a bulk write pays one index probe a row.
_METRICS_INPUTS = {
    "documents": ("is_canonical", "kind", "first_seen", "published_at", "title", "url"),
    "postings": ("date_posted", "document_id", "closed_at", "valid_through"),
    "document_skills": ("skill_id", "document_id"),
    "document_metros": ("metro_id", "document_id"),
    "document_roles": ("role_id", "document_id"),
    "skills": ("name",),
    "metros": ("name", "admin1", "country"),
    "roles": ("name",),
}


@migrations()
def m006_metrics_cache(db: Database) -> None:
    """Precomputed metrics (``skillenai.metrics.queries.refresh``): per-day skill counts and the pages of
    the most asked-for skills, metros and roles, valid while no input has changed since."""
    db.execute(
        """
        CREATE TABLE metrics_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            generation INTEGER NOT NULL,
            clean INTEGER NOT NULL,
            refreshed_at TEXT,
            as_of TEXT
        )
        """
    )
    db.execute("INSERT INTO metrics_state (id, generation, clean) VALUES (1, 0, 0)")
    db.execute(
        """
        CREATE TABLE skill_day_counts (
            skill_id TEXT NOT NULL,
            day TEXT NOT NULL,
            postings INTEGER NOT NULL,
            PRIMARY KEY (skill_id, day)
        ) WITHOUT ROWID
        """
    )
    db.execute("CREATE INDEX idx_skill_day_counts_day ON skill_day_counts (day, skill_id, postings)")
    db.execute("CREATE TABLE posting_day_counts (day TEXT PRIMARY KEY, postings INTEGER NOT NULL) WITHOUT ROWID")
    db.execute(
        """
        CREATE TABLE metrics_pages (
            kind TEXT NOT NULL,
            entity_id TEXT NOT NULL,
            as_of TEXT NOT NULL,
            window_days INTEGER NOT NULL,
            list_limit INTEGER NOT NULL,
            article_limit INTEGER NOT NULL,
            generation INTEGER NOT NULL,
            format INTEGER NOT NULL,
            payload TEXT NOT NULL,
            PRIMARY KEY (kind, entity_id, as_of, window_days)
        ) WITHOUT ROWID
        """
    )
    stale = "UPDATE metrics_state SET generation = generation + 1, clean = 0 WHERE id = 1 AND clean = 1"
    for table, columns in _METRICS_INPUTS.items():
        db.execute(f"CREATE TRIGGER {table}_metrics_ai AFTER INSERT ON {table} BEGIN {stale}; END")
        db.execute(f"CREATE TRIGGER {table}_metrics_ad AFTER DELETE ON {table} BEGIN {stale}; END")
        changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in columns)
        db.execute(
            f"CREATE TRIGGER {table}_metrics_au AFTER UPDATE OF {', '.join(columns)} ON {table} "
            f"WHEN {changed} BEGIN {stale}; END"
        )



@migrations()
def m007_run_process(db: Database) -> None:
    """The process behind each crawl run, so a run left 'running' by a dead one is found."""
    db.execute("ALTER TABLE crawl_runs ADD COLUMN pid INTEGER")
    db.execute("ALTER TABLE crawl_runs ADD COLUMN host TEXT")


@migrations()
def m008_workplace(db: Database) -> None:
    """One column for how a posting is worked: ``postings.workplace``, the classify stage's
    decision (onsite, hybrid or remote; ``skillenai/classify/workplace.py``), with
    ``remote_scope``. What the source states is kept apart as ``stated_workplace`` (the
    record's field): the decision is read from it, the location and the text.

    The flags ``remote`` and ``hybrid`` fold into ``workplace`` (remote first, as the
    classify stage decides); a posting the classify stage has seen keeps an ``onsite`` its
    source stated. Postings not yet classified get theirs when they are.
    """
    # The view names the column being renamed: drop it first, create it again after.
    db.execute("DROP VIEW unique_postings")
    db.execute("ALTER TABLE postings RENAME COLUMN workplace TO stated_workplace")
    db.execute("ALTER TABLE postings ADD COLUMN workplace TEXT CHECK (workplace IN ('onsite', 'hybrid', 'remote'))")
    db.execute(
        """
        UPDATE postings SET workplace = CASE
            WHEN remote = 1 THEN 'remote'
            WHEN hybrid = 1 THEN 'hybrid'
            WHEN remote IS NOT NULL AND stated_workplace = 'onsite' THEN 'onsite'
        END
        """
    )
    db.execute("ALTER TABLE postings DROP COLUMN remote")
    db.execute("ALTER TABLE postings DROP COLUMN hybrid")
    db.execute(
        """
        CREATE VIEW unique_postings AS
        SELECT d.id, d.url, d.source, d.spider, d.title, d.text, d.lang, d.first_seen,
               d.last_seen, p.company, p.location_raw, p.employment_type, p.workplace, p.remote_scope,
               p.salary_min, p.salary_max, p.salary_currency, p.salary_period,
               COALESCE(p.date_posted, substr(d.first_seen, 1, 10)) AS date_posted,
               p.valid_through, p.closed_at
        FROM documents d JOIN postings p ON p.document_id = d.id
        WHERE d.kind = 'posting' AND d.is_canonical = 1
        """
    )


@migrations()
def m009_skill_candidates(db: Database) -> None:
    """Skill spans that link to no known skill, kept so the taxonomy can grow from what
    postings say; and each skill's crosswalk and source beside its id."""
    db.execute("ALTER TABLE skills ADD COLUMN lightcast_id TEXT")
    db.execute("ALTER TABLE skills ADD COLUMN source TEXT")
    db.execute(
        """
        CREATE TABLE skill_candidates (
            key TEXT PRIMARY KEY,
            text TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            examples TEXT NOT NULL
        ) WITHOUT ROWID
        """
    )
    db.execute(
        """
        CREATE TABLE document_skill_candidates (
            document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            mentions INTEGER NOT NULL,
            PRIMARY KEY (document_id, key)
        ) WITHOUT ROWID
        """
    )
    db.execute("CREATE INDEX idx_document_skill_candidates_key ON document_skill_candidates (key, document_id)")


@migrations()
def m010_occupations(db: Database) -> None:
    """SOC 2018 occupations beside the role families: the ``occupations`` entity table
    (every SOC group and detailed occupation) and each posting's occupation, or why it has
    none, in ``document_occupations``; ``occupation_postings`` counts them as
    ``role_postings`` counts families.

    Postings tagged before have no occupation: they are marked for the classify stage,
    which tags them again on its next run.
    """
    db.execute(
        """
        CREATE TABLE occupations (
            code TEXT PRIMARY KEY,
            level TEXT NOT NULL CHECK (level IN ('major', 'minor', 'broad', 'detailed')),
            title TEXT NOT NULL,
            parent TEXT
        ) WITHOUT ROWID
        """
    )
    db.execute(
        """
        CREATE TABLE document_occupations (
            document_id TEXT PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
            soc_code TEXT,
            score REAL NOT NULL,
            unclassified TEXT,
            CHECK ((soc_code IS NULL) <> (unclassified IS NULL))
        )
        """
    )
    db.execute("CREATE INDEX idx_document_occupations_code ON document_occupations (soc_code, document_id)")
    db.execute(
        """
        CREATE VIEW occupation_postings AS
        SELECT t.soc_code, t.document_id,
               COALESCE(p.date_posted, substr(d.first_seen, 1, 10)) AS date_posted
        FROM document_occupations t
        CROSS JOIN documents d INDEXED BY idx_documents_metrics ON d.id = t.document_id
        CROSS JOIN postings p INDEXED BY idx_postings_document_date ON p.document_id = t.document_id
        WHERE d.kind = 'posting' AND d.is_canonical = 1 AND t.soc_code IS NOT NULL
        """
    )
    stale = "UPDATE metrics_state SET generation = generation + 1, clean = 0 WHERE id = 1 AND clean = 1"
    for table, columns in (("document_occupations", ("soc_code", "document_id")), ("occupations", ("title",))):
        db.execute(f"CREATE TRIGGER {table}_metrics_ai AFTER INSERT ON {table} BEGIN {stale}; END")
        db.execute(f"CREATE TRIGGER {table}_metrics_ad AFTER DELETE ON {table} BEGIN {stale}; END")
        changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in columns)
        db.execute(f"CREATE TRIGGER {table}_metrics_au AFTER UPDATE OF {', '.join(columns)} ON {table} "
                   f"WHEN {changed} BEGIN {stale}; END")
    db.execute("UPDATE documents SET classified_at = NULL WHERE kind = 'posting' AND classified_at IS NOT NULL")


@migrations()
def m011_place_labels(db: Database) -> None:
    """A city's readable region name and display label beside its codes, so that namesakes
    ("Dublin, CA, US", "Dublin, IE") differ wherever the table is read. Rows written
    before get the label from their codes here and the region when next tagged."""
    db.execute("ALTER TABLE metros ADD COLUMN region TEXT")
    db.execute("ALTER TABLE metros ADD COLUMN label TEXT")
    db.execute(
        """
        UPDATE metros SET label = name
            || CASE WHEN country IN ('US', 'CA', 'AU') AND admin1 IS NOT NULL THEN ', ' || admin1 ELSE '' END
            || CASE WHEN country IS NOT NULL THEN ', ' || country ELSE '' END
        """
    )


@migrations()
def m012_run_monitors(db: Database) -> None:
    """What the monitors found after each crawl run, so a run that failed one says so in
    the store (a `scrapy crawl` or Scrapyd job has no other record a scheduler can read)."""
    db.execute("ALTER TABLE crawl_runs ADD COLUMN monitors TEXT")


@migrations()
def m013_job_identity_and_groups(db: Database) -> None:
    """Dedupe by identity and job groups (issue 21): a posting's requisition id; duplicate
    pairs found by a shared job or requisition id (``method = 'id'``); and one job offered
    in several places, linked by ``job_group_pairs`` into ``documents.job_group``."""
    db.execute("ALTER TABLE postings ADD COLUMN requisition_id TEXT")
    db.execute("CREATE INDEX idx_postings_external_id ON postings (external_id) WHERE external_id IS NOT NULL")
    db.execute("CREATE INDEX idx_postings_requisition_id ON postings (requisition_id) "
               "WHERE requisition_id IS NOT NULL")
    db.execute("ALTER TABLE documents ADD COLUMN job_group TEXT")
    db.execute("CREATE INDEX idx_documents_job_group ON documents (job_group) WHERE job_group IS NOT NULL")
    # SQLite cannot change a CHECK constraint: the table is rebuilt with 'id' allowed.
    db.execute(
        """
        CREATE TABLE duplicate_pairs_new (
            document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
            other_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
            method TEXT NOT NULL CHECK (method IN ('hash', 'minhash', 'id')),
            similarity REAL NOT NULL,
            page_similarity REAL,
            estimate REAL,
            title_similarity REAL,
            found_at TEXT NOT NULL,
            PRIMARY KEY (document_id, other_id),
            CHECK (document_id < other_id)
        ) WITHOUT ROWID
        """
    )
    db.execute("INSERT INTO duplicate_pairs_new SELECT document_id, other_id, method, similarity, page_similarity, "
               "estimate, title_similarity, found_at FROM duplicate_pairs")
    db.execute("DROP TABLE duplicate_pairs")
    db.execute("ALTER TABLE duplicate_pairs_new RENAME TO duplicate_pairs")
    db.execute("CREATE INDEX idx_duplicate_pairs_other ON duplicate_pairs (other_id)")
    db.execute(
        """
        CREATE TABLE job_group_pairs (
            document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
            other_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
            method TEXT NOT NULL CHECK (method IN ('hash', 'minhash', 'id')),
            similarity REAL NOT NULL,
            title_similarity REAL,
            found_at TEXT NOT NULL,
            PRIMARY KEY (document_id, other_id),
            CHECK (document_id < other_id)
        ) WITHOUT ROWID
        """
    )
    db.execute("CREATE INDEX idx_job_group_pairs_other ON job_group_pairs (other_id)")
    db.execute(
        """
        CREATE VIEW document_job_groups AS
        SELECT id AS document_id, COALESCE(job_group, cluster_id, id) AS job_group_id
        FROM documents
        """
    )
    # Signatures and pairs are rebuilt by the next dedupe run (the normaliser changed).


# Hours, days, weeks and months in a working year: pay on one scale (2,080 hours = 40 × 52).
_ANNUAL = "CASE salary_period WHEN 'hour' THEN {v} * 2080 WHEN 'day' THEN {v} * 260 WHEN 'week' THEN {v} * 52 " \
          "WHEN 'month' THEN {v} * 12 WHEN 'year' THEN {v} END"


# unique_postings as m014 leaves it (m017 adds a column): role and occupation as
# subqueries, not joins, so a query that reads neither column (a count over a million
# postings) never evaluates them, where SQLite keeps left joins.
_UNIQUE_POSTINGS_M014 = """
        CREATE VIEW unique_postings AS
        SELECT d.id, d.url, d.source, d.spider, d.title, d.text, d.lang, d.first_seen,
               d.last_seen, p.company, p.location_raw, p.employment_type, p.workplace, p.remote_scope,
               p.salary_min, p.salary_max, p.salary_currency, p.salary_period,
               p.salary_annual_min, p.salary_annual_max,
               COALESCE(p.date_posted, substr(d.first_seen, 1, 10)) AS date_posted,
               p.valid_through, p.closed_at,
               (SELECT r.name FROM document_roles dr JOIN roles r ON r.id = dr.role_id
                WHERE dr.document_id = d.id) AS role,
               (SELECT o.soc_code FROM document_occupations o WHERE o.document_id = d.id) AS soc_code,
               (SELECT oc.title FROM document_occupations o JOIN occupations oc ON oc.code = o.soc_code
                WHERE o.document_id = d.id) AS occupation,
               d.job_group
        FROM documents d JOIN postings p ON p.document_id = d.id
        WHERE d.kind = 'posting' AND d.is_canonical = 1
"""


@migrations()
def m014_analyst_columns(db: Database) -> None:
    """Pay on a yearly scale beside the stated pay, and each unique posting's role family,
    occupation and job group beside its columns, for analysts reading the store."""
    for side in ("min", "max"):
        db.execute(f"ALTER TABLE postings ADD COLUMN salary_annual_{side} REAL "
                   f"GENERATED ALWAYS AS ({_ANNUAL.format(v='salary_' + side)}) VIRTUAL")
    db.execute("DROP VIEW unique_postings")
    db.execute(_UNIQUE_POSTINGS_M014)


@migrations()
def m017_unique_postings_search(db: Database) -> None:
    """Full-text search on ``unique_postings``: the view carries each posting's
    ``documents`` rowid (``document_rowid``), the key of ``documents_fts``, so Datasette's
    search box and ``documents_fts MATCH`` queries reach the canonical postings."""
    db.execute("DROP VIEW unique_postings")
    db.execute(_UNIQUE_POSTINGS_M014.replace("d.job_group\n", "d.job_group, d.rowid AS document_rowid\n"))


@migrations()
def m020_papers(db: Database) -> None:
    """Research papers (the ``papers`` spider): kind ``paper``, each document's subject
    categories, and the papers that mention a skill beside its articles."""
    # SQLite cannot alter a CHECK constraint; widening the one on documents.kind (every
    # stored row still passes it) is the edit of the table's SQL that SQLite documents
    # for this ("Making Other Kinds Of Table Schema Changes", lang_altertable.html).
    old = "CHECK (kind IN ('posting', 'article', 'other'))"
    new = "CHECK (kind IN ('posting', 'article', 'paper', 'other'))"
    sql = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'documents'").fetchone()[0]
    if old in sql:
        version = db.execute("PRAGMA schema_version").fetchone()[0]
        db.execute("PRAGMA writable_schema = ON")
        db.execute("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'documents'",
                   [sql.replace(old, new)])
        db.execute(f"PRAGMA schema_version = {version + 1}")
        db.execute("PRAGMA writable_schema = OFF")
    db.execute("ALTER TABLE documents ADD COLUMN categories TEXT")
    # Papers that mention a skill: as articles, every canonical paper is checked by an index seek.
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_documents_papers ON documents (published_at, first_seen, is_canonical, id) "
        "WHERE kind = 'paper'"
    )
    db.execute(
        """
        CREATE VIEW skill_papers AS
        SELECT ds.skill_id, d.id AS document_id, d.title, d.url, d.author AS authors, d.categories,
               COALESCE(substr(d.published_at, 1, 10), substr(d.first_seen, 1, 10)) AS date
        FROM documents d INDEXED BY idx_documents_papers
        CROSS JOIN document_skills ds ON ds.document_id = d.id
        WHERE d.kind = 'paper' AND d.is_canonical = 1
        """
    )


@migrations()
def m018_job_counts_and_templates(db: Database) -> None:
    """Metrics count a job group once (issue 21): ``documents.job_group`` joins the covering
    index the metrics queries seek documents through, so reading it costs no table row; and
    ``template_pairs``, one employer's postings whose job-specific text is near identical
    whatever their titles and places, the grouping an employer-flood cap counts by."""
    db.execute("DROP INDEX IF EXISTS idx_documents_metrics")
    db.execute("CREATE UNIQUE INDEX idx_documents_metrics ON documents (id, kind, is_canonical, first_seen, job_group)")
    db.execute(
        """
        CREATE TABLE template_pairs (
            document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
            other_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
            estimate REAL NOT NULL,
            found_at TEXT NOT NULL,
            PRIMARY KEY (document_id, other_id),
            CHECK (document_id < other_id)
        ) WITHOUT ROWID
        """
    )
    db.execute("CREATE INDEX idx_template_pairs_other ON template_pairs (other_id)")


@migrations()
def m019_canonical_urls(db: Database) -> None:
    """Canonical URLs spelt by w3lib (issue 18, part 7), with every stored document's id
    kept. A document whose canonical URL w3lib spells otherwise (percent-encoding case or
    need, dot segments, an IDN host, the query's encoding) takes the new spelling, and
    ``document_ids`` maps it to the document's old id, so a later crawl or ingest of that
    URL updates the same row. A document whose new spelling names another stored
    document keeps its old spelling (the two stay apart, as they were)."""
    db.execute(
        """
        CREATE TABLE document_ids (
            canonical_url TEXT PRIMARY KEY,
            id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE
        ) WITHOUT ROWID
        """
    )
    db.execute("CREATE INDEX idx_document_ids_id ON document_ids (id)")
    respelt: dict[str, str] = {}
    for doc_id, canonical in db.execute("SELECT id, canonical_url FROM documents").fetchall():
        try:
            spelt = canonicalize_url(canonical)
        except ValueError:  # not a URL w3lib reads: it keeps its spelling and its id
            continue
        if spelt != canonical and spelt not in respelt:
            respelt[spelt] = doc_id
    stored = {row[0] for row in db.execute("SELECT id FROM documents WHERE id IN (SELECT value FROM json_each(?))",
                                           [json.dumps([document_id(url) for url in respelt])])}
    kept = [(url, doc_id) for url, doc_id in respelt.items() if document_id(url) not in stored]
    db.conn.executemany("INSERT INTO document_ids (canonical_url, id) VALUES (?, ?)", kept)
    db.conn.executemany("UPDATE documents SET canonical_url = ? WHERE id = ?", kept)


@migrations()
def m021_title_identity(db: Database) -> None:
    """Postings whose texts cannot be compared (issue 21): ``minhashes.script`` marks a text
    written mainly in an unspaced script (``cjk``), and two indexes find one employer's
    postings under one title key, the incomparable ones (no job-specific text, or in
    such a script) on their own; duplicate pairs they make have ``method = 'title'``."""
    db.execute("ALTER TABLE minhashes ADD COLUMN script TEXT")
    db.execute("CREATE INDEX idx_minhashes_title ON minhashes (scope, title_key)")
    db.execute("CREATE INDEX idx_minhashes_incomparable ON minhashes (scope, title_key) "
               "WHERE shingles = 0 OR script IS NOT NULL")
    # SQLite cannot change a CHECK constraint: the table is rebuilt from its own
    # definition with 'title' allowed.
    table_sql = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'duplicate_pairs'").fetchone()[0]
    allowed = "method IN ('hash', 'minhash', 'id')"
    if allowed not in table_sql:
        raise RuntimeError(f"duplicate_pairs is not as migration m013 left it: {table_sql}")
    # (A renamed table's definition names it in quotes: "duplicate_pairs".)
    db.execute("CREATE TABLE duplicate_pairs_new " + table_sql[table_sql.index("("):].replace(
        allowed, "method IN ('hash', 'minhash', 'id', 'title')"))
    db.execute("INSERT INTO duplicate_pairs_new SELECT document_id, other_id, method, similarity, page_similarity, "
               "estimate, title_similarity, found_at FROM duplicate_pairs")
    db.execute("DROP TABLE duplicate_pairs")
    db.execute("ALTER TABLE duplicate_pairs_new RENAME TO duplicate_pairs")
    db.execute("CREATE INDEX idx_duplicate_pairs_other ON duplicate_pairs (other_id)")
    # Signatures and pairs are rebuilt by the next dedupe run (the normaliser changed).


@migrations()
def m023_unclassified_index(db: Database) -> None:
    """The documents the classify stage has to tag (``classified_at`` empty) through a
    partial index: counting and reading a day's new documents no longer scans every
    stored document's row (text included) to find them."""
    db.execute("CREATE INDEX idx_documents_unclassified ON documents (id) WHERE classified_at IS NULL")


@migrations()
def m026_scope_lines(db: Database) -> None:
    """Boilerplate learned from the day's lines only (issue 20): ``scope_lines`` holds, per
    boilerplate scope and line not yet learned, the ``minhashes`` rows that carry it, with
    their title key and number of lines (:mod:`skillenai.store.scope_lines`); filled here
    from the stored ``minhashes`` rows."""
    db.execute("CREATE TABLE boilerplate_scopes (id INTEGER PRIMARY KEY, scope TEXT NOT NULL UNIQUE)")
    db.execute("CREATE TABLE title_keys (id INTEGER PRIMARY KEY, title_key TEXT NOT NULL UNIQUE)")
    db.execute(
        """
        CREATE TABLE scope_lines (
            scope_id INTEGER NOT NULL,
            line_hash INTEGER NOT NULL,
            minhash_id INTEGER NOT NULL,
            title_id INTEGER NOT NULL,
            line_count INTEGER NOT NULL,
            PRIMARY KEY (scope_id, line_hash, minhash_id)
        ) WITHOUT ROWID
        """
    )
    fill_scope_lines(db.conn)


@migrations()
def m027_document_skill_sets(db: Database) -> None:
    """Each document's skill ids in one row (``document_skill_sets``), kept by triggers on
    ``document_skills``: a page's paired skills read one row a posting instead of a
    posting's every tag row (the busiest skill of the 1M-posting benchmark store joins
    736,000 tag rows)."""
    db.execute("CREATE TABLE document_skill_sets (document_id TEXT PRIMARY KEY, skill_ids TEXT NOT NULL) WITHOUT ROWID")
    db.execute("INSERT INTO document_skill_sets (document_id, skill_ids) "
               "SELECT document_id, group_concat(skill_id) FROM document_skills GROUP BY document_id")
    # A delete then an insert, not INSERT OR REPLACE: an outer statement's conflict clause
    # (INSERT OR IGNORE INTO document_skills) would override the trigger's own.
    def rebuild(ref: str) -> str:
        return (f"DELETE FROM document_skill_sets WHERE document_id = {ref}.document_id; "
                f"INSERT INTO document_skill_sets (document_id, skill_ids) "
                f"SELECT {ref}.document_id, group_concat(skill_id) FROM document_skills "
                f"WHERE document_id = {ref}.document_id HAVING COUNT(*) > 0;")
    db.execute(f"CREATE TRIGGER document_skills_sets_ai AFTER INSERT ON document_skills BEGIN {rebuild('new')} END")
    db.execute(f"CREATE TRIGGER document_skills_sets_ad AFTER DELETE ON document_skills BEGIN {rebuild('old')} END")
    db.execute("CREATE TRIGGER document_skills_sets_au AFTER UPDATE OF document_id, skill_id ON document_skills "
               f"BEGIN {rebuild('old')} {rebuild('new')} END")


# What a metrics page reads of a canonical posting, in its one posting_facts row (m028).
_POSTING_FACTS_COLUMNS = ("document_id, day, job_group, company, workplace, salary_currency, salary_annual_min, "
                          "salary_annual_max, closed_at, valid_through, role_id, soc_code, metro_ids, skill_ids")
_POSTING_FACTS_SELECT = """
    SELECT d.id, COALESCE(p.date_posted, substr(d.first_seen, 1, 10)), d.job_group, p.company, p.workplace,
           p.salary_currency, p.salary_annual_min, p.salary_annual_max, p.closed_at, p.valid_through,
           (SELECT role_id FROM document_roles WHERE document_id = d.id),
           (SELECT soc_code FROM document_occupations WHERE document_id = d.id),
           (SELECT group_concat(metro_id) FROM document_metros WHERE document_id = d.id),
           (SELECT group_concat(skill_id) FROM document_skills WHERE document_id = d.id)
    FROM documents d JOIN postings p ON p.document_id = d.id
    WHERE d.kind = 'posting' AND d.is_canonical = 1
"""
# A posting's tags: the tag table, its column, and the posting_facts column that holds it
# (a list joined by commas where a posting can have several).
_POSTING_FACTS_TAGS = (("document_skills", "skill_id", "skill_ids", "group_concat(skill_id)"),
                       ("document_metros", "metro_id", "metro_ids", "group_concat(metro_id)"),
                       ("document_roles", "role_id", "role_id", "role_id"),
                       ("document_occupations", "soc_code", "soc_code", "soc_code"))
_POSTING_FACTS_INPUTS = {
    "documents": ("id", "kind", "is_canonical", "job_group", "first_seen"),
    "postings": ("document_id", "company", "workplace", "salary_currency", "salary_min", "salary_max",
                 "salary_period", "date_posted", "closed_at", "valid_through"),
}


def fill_posting_facts(conn) -> None:
    """Write every canonical posting's ``posting_facts`` row (an empty table: the migration's
    backfill, and a bulk load's that ran without the table's triggers)."""
    conn.execute(f"INSERT INTO posting_facts ({_POSTING_FACTS_COLUMNS}) {_POSTING_FACTS_SELECT}")


@migrations()
def m028_posting_facts(db: Database) -> None:
    """One row a canonical posting with everything a metrics page counts (``posting_facts``:
    its day, job group, employer, pay, workplace, open or closed, role, occupation, metros
    and skills), kept by triggers on ``documents``, ``postings`` and the tag tables: a page
    reads each of its postings once (the busiest skill of the 1M-posting benchmark store
    joined its 150,000 postings to five tables, one join a figure). It holds a posting's
    skill ids, so ``document_skill_sets`` (m027) and its triggers go."""
    for suffix in ("ai", "ad", "au"):
        db.execute(f"DROP TRIGGER IF EXISTS document_skills_sets_{suffix}")
    db.execute("DROP TABLE IF EXISTS document_skill_sets")
    db.execute(
        """
        CREATE TABLE posting_facts (
            document_id TEXT PRIMARY KEY,
            day TEXT NOT NULL,
            job_group TEXT,
            company TEXT,
            workplace TEXT,
            salary_currency TEXT,
            salary_annual_min REAL,
            salary_annual_max REAL,
            closed_at TEXT,
            valid_through TEXT,
            role_id TEXT,
            soc_code TEXT,
            metro_ids TEXT,
            skill_ids TEXT
        ) WITHOUT ROWID
        """
    )
    fill_posting_facts(db.conn)

    # A delete then an insert, not INSERT OR REPLACE: an outer statement's conflict clause
    # (INSERT OR IGNORE INTO postings) would override the trigger's own.
    def rebuild(doc: str) -> str:
        return (f"DELETE FROM posting_facts WHERE document_id = {doc}; "
                f"INSERT INTO posting_facts ({_POSTING_FACTS_COLUMNS}) {_POSTING_FACTS_SELECT} AND d.id = {doc};")

    for table, key in (("documents", "id"), ("postings", "document_id")):
        columns = _POSTING_FACTS_INPUTS[table]
        changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in columns)
        db.execute(f"CREATE TRIGGER {table}_facts_ai AFTER INSERT ON {table} BEGIN {rebuild('new.' + key)} END")
        db.execute(f"CREATE TRIGGER {table}_facts_ad AFTER DELETE ON {table} "
                   f"BEGIN DELETE FROM posting_facts WHERE document_id = old.{key}; END")
        db.execute(f"CREATE TRIGGER {table}_facts_au AFTER UPDATE OF {', '.join(columns)} ON {table} "
                   f"WHEN {changed} BEGIN DELETE FROM posting_facts WHERE document_id = old.{key}; "
                   f"{rebuild('new.' + key)} END")

    # A tag changes one column of a posting's row (no row: not a canonical posting).
    for table, column, fact, value in _POSTING_FACTS_TAGS:
        def refill(doc: str) -> str:
            return (f"UPDATE posting_facts SET {fact} = (SELECT {value} FROM {table} WHERE document_id = {doc}) "
                    f"WHERE document_id = {doc};")

        db.execute(f"CREATE TRIGGER {table}_facts_ai AFTER INSERT ON {table} BEGIN {refill('new.document_id')} END")
        db.execute(f"CREATE TRIGGER {table}_facts_ad AFTER DELETE ON {table} BEGIN {refill('old.document_id')} END")
        db.execute(f"CREATE TRIGGER {table}_facts_au AFTER UPDATE OF document_id, {column} ON {table} "
                   f"BEGIN {refill('old.document_id')} {refill('new.document_id')} END")
