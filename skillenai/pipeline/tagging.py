"""The classify stage: tags documents in the store with skills, places, role and flags.

``classify_store`` tags the documents (and gives those without one a language) whose ``classified_at`` is empty (new, or changed
since they were last tagged), or every document with ``all_documents=True`` after a
taxonomy or model change. Skill words in a posting's employer text are not counted: its
company name, the sections and sentences :mod:`skillenai.classify.sections` recognises, and the
longer lines dedupe learned the company repeats under unlike jobs (``boilerplate_lines``;
the daily batch runs dedupe first). The store writes the tags (:mod:`skillenai.store.tags`): replaced
per document in one transaction per batch, so a re-run gives the same rows and an interrupted
run leaves whole batches.
"""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import sqlite_utils

from skillenai.classify.sections import in_ranges, job_section_ranges
from skillenai.classify.skills.linking import default_linker
from skillenai.classify.skills.spantrain import load_span_tagger
from skillenai.core import interrupt
from skillenai.core.workers import map_as_completed, usable_cores
from skillenai.dedupe.boilerplate import Boilerplate, scope_of
from skillenai.dedupe.minhash import string_hashes
from skillenai.dedupe.text import normalise
from skillenai.store.db import utc_now
from skillenai.store.tags import (
    DocumentTags,
    MetroRow,
    count_documents_to_classify,
    documents_to_classify,
    sync_entities,
    write_tags,
)

logger = logging.getLogger(__name__)

TAG_VERSION = 1


@dataclass
class ClassifyReport:
    documents: int = 0
    skills: int = 0
    places: int = 0
    roles: int = 0
    occupations: int = 0
    seconds: float = 0.0
    by_kind: dict[str, int] = field(default_factory=dict)
    workers: int = 1

    def as_dict(self) -> dict:
        return {"documents": self.documents, "skill_tags": self.skills, "place_tags": self.places,
                "role_tags": self.roles,
                "occupation_tags": self.occupations, "seconds": round(self.seconds, 2), "by_kind": self.by_kind,
                "workers": self.workers}


def load_entities(db: sqlite_utils.Database) -> None:
    """Bring the entity tables (skills, roles, occupations) in line with the shipped taxonomies.

    Rows that did not change are left alone (:func:`skillenai.store.tags.sync_entities`).
    """
    from skillenai.classify.occupations import occupation_table
    from skillenai.classify.roles import role_table
    from skillenai.classify.skills.taxonomy import load_taxonomy

    sync_entities(db, [(s.id, s.name, s.category, s.aliases, s.esco_uri, s.lightcast_id, s.source)
                       for s in load_taxonomy().skills],
                  [(r["id"], str(r["name"])) for r in role_table()],
                  [(o["code"], o["level"], o["title"], o["parent"]) for o in occupation_table()])


def _place_row(place) -> MetroRow:
    return (place.city_id, place.city, place.admin1, place.country, place.lat, place.lon,
            place.metro_id, place.metro, place.population, place.region, place.label)


def _location_value(row: dict) -> Any:
    """What the source said about the location: structured places first, then the raw string."""
    if row.get("locations_json"):
        try:
            value = json.loads(row["locations_json"])
        except ValueError:
            value = None
        if value:
            if row.get("location_raw"):
                return [row["location_raw"], *value] if isinstance(value, list) else [row["location_raw"], value]
            return value
    return row.get("location_raw")


# A learned boilerplate unit shorter than this is left in: a short bullet every posting of
# a company repeats ("Experience mentoring others", "Fluent English") may still be asked for.
BOILERPLATE_MIN_WORDS = 6
_LINE = re.compile(r"[^\n]+")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?;]) ")


def _unit_spans(text: str):
    """``(start, end)`` of the lines and sentences :func:`skillenai.dedupe.text.split_units` cuts."""
    for line in _LINE.finditer(text):
        start = line.start()
        for brk in _SENTENCE_BREAK.finditer(line.group()):
            yield start, line.start() + brk.start()
            start = line.start() + brk.end()
        yield start, line.end()


def _learned_boilerplate(learned: frozenset[int] | None, text: str | None) -> list[tuple[int, int]] | None:
    """Spans of a posting's text that dedupe learned its company repeats under unlike jobs
    (about us, perks, EEO wording the section rules do not recognise), outside the job's own
    sections. ``None`` before dedupe has learned anything for the company."""
    if not learned or not text:
        return None
    keep = job_section_ranges(text)
    bounds, units = [], []
    for start, end in _unit_spans(text):
        if in_ranges(keep, start, end):
            continue
        unit = normalise(text[start:end])
        if unit.count(" ") + 1 >= BOILERPLATE_MIN_WORDS:
            bounds.append((start, end))
            units.append(unit)
    # One vectorised hash of the document's candidate units: hashing each one by itself
    # (minhash.shingle_hash64, a per-byte loop) cost more than the rest of this function.
    spans = [span for span, h in zip(bounds, string_hashes(units).tolist()) if h in learned]
    return spans or None


# The span model remembers every line it has read (a posting's lines recur in its company's
# other postings), and its memory grows by ~60 MB a thousand postings; it is emptied after
# this many documents in a process, which keeps most of the gain (about a fifth of the
# tagging time) and bounds the memory a day's backlog takes.
FORGET_LINES_AFTER = 2000
_tagged_since_forget = 0


def _tag_batch(docs: list[dict]) -> list:
    """Tags of a batch read from the store (each posting carrying its company's ``learned``
    boilerplate); run in a worker process when the backlog is large."""
    global _tagged_since_forget
    from skillenai.classify.tagger import tag_documents

    if _tagged_since_forget >= FORGET_LINES_AFTER:
        load_span_tagger().forget_lines()
        _tagged_since_forget = 0
    for doc in docs:
        doc["skip_spans"] = _learned_boilerplate(doc.pop("learned", None), doc["text"])
    _tagged_since_forget += len(docs)
    return tag_documents(docs)


def warm_up() -> None:
    """Load the taxonomy, matchers and models once, before the workers fork and share them
    (``skillenai demo`` calls it while it crawls)."""
    _tag_batch([{"id": "", "title": "Data Engineer", "text": "Python and SQL on AWS, in Berlin.", "kind": "posting",
                 "location": "Berlin", "lang": "en"}])
    # A text that short skips the span model and linking: load them too, and the linker's
    # index of misspellings, which it builds on its first use.
    load_span_tagger()
    default_linker().link("Kuberentes")


def classify_store(
    db: sqlite_utils.Database,
    *,
    all_documents: bool = False,
    batch_size: int = 200,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ClassifyReport:
    """Tag documents that need it; returns counts and timing.

    ``workers`` processes tag (default: the usable cores, once there are two batches or
    more): this one and ``workers - 1`` started ones, this one reading the next batches
    and writing the tagged ones in between its own, so the models are held in ``workers``
    processes, not one more (:func:`skillenai.core.workers.map_as_completed`). Batches
    of ``batch_size`` documents are written one transaction each.
    """
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be 1 or more, got {workers}")
    started = time.monotonic()
    report = ClassifyReport()
    load_entities(db)
    boilerplate = Boilerplate(db.conn)
    total = count_documents_to_classify(db, all_documents=all_documents)
    if workers is None:
        workers = min(usable_cores(), total // batch_size)
    report.workers = workers = max(1, workers)

    def batches():
        for rows in documents_to_classify(db, all_documents=all_documents, batch_size=batch_size):
            yield [{"id": r["id"], "title": r["title"], "text": r["text"], "kind": r["kind"], "url": r["url"],
                    "lang": r["lang"],
                    "location": _location_value(r) if r["kind"] == "posting" else None,
                    "stated_workplace": r["stated_workplace"], "company": r["company"],
                    "department": r["department"],
                    "learned": boilerplate.of(scope_of(r["kind"], r["company"], r["source"], r["spider"]))
                    if r["kind"] == "posting" else None} for r in rows]

    if not total:
        report.seconds = time.monotonic() - started
        return report
    # Models load before the first batch, so the progress display's rate is the tagging's.
    warm_up()
    if progress:
        progress(0, total)
    for tags in map_as_completed(_tag_batch, batches(), workers, inline=True):
        _write_tags(db, tags, report)
        report.documents += len(tags)
        for t in tags:
            report.by_kind[t.kind] = report.by_kind.get(t.kind, 0) + 1
        if progress:
            progress(report.documents, total)
        interrupt.check()  # between transactions: the batches written stay, the rest waits for the next run
    report.seconds = time.monotonic() - started
    return report


def _document_tags(t) -> DocumentTags:
    """A tagger's :class:`~skillenai.classify.tagger.Tags` as the store keeps them."""
    return DocumentTags(
        document_id=t.id,
        skills=[(m.id, len(m.spans), m.score, m.method, 0) for m in t.skills]
        + [(m.id, 0, m.score, m.method, 1) for m in t.title_skills],
        places=[_place_row(place) for place in t.places],
        place_source=t.place_source,
        role=(t.role.id, t.role.score) if t.role is not None else None,
        occupation=(t.occupation.code, t.occupation.score, t.occupation.reason) if t.occupation is not None else None,
        workplace=t.workplace, remote_scope=t.remote_scope,
        lang=t.lang,
        candidates=[(c.text, len(c.spans), c.context) for c in t.candidates],
    )


def _write_tags(db: sqlite_utils.Database, tags: list, report: ClassifyReport) -> None:
    rows = [_document_tags(t) for t in tags]
    write_tags(db, rows, utc_now())
    report.skills += sum(len(r.skills) for r in rows)
    report.places += sum(len(r.places) for r in rows)
    report.roles += sum(r.role is not None for r in rows)
    report.occupations += sum(r.occupation is not None and r.occupation[0] is not None for r in rows)
