"""Score the whole tagger against the sample web's ground truth.

The sample web (:mod:`skillenai.sampleweb`) writes every posting and article with what a
careful annotator would say about it: the skills it asks for, where the job is, whether it
is remote or hybrid, its role family, the places an article is about. This module tags the
truth documents exactly as the store does (:func:`skillenai.classify.tagger.tag_documents`, in
batches, with what the crawler stores: title, text, the source's location string, the
company, and the work arrangement where the source has a field for it) and compares:

- skills: micro precision and recall over (document, skill) pairs, plus the skills most
  often added (false positives) and missed (false negatives);
- metros: a posting is right when its set of predicted cities equals the truth set (city
  name and country; admin1 where the truth gives one) and its remote and hybrid flags match;
- roles: the predicted family name equals the truth family (no prediction is wrong);
- article places: recall of the truth places among the places tagged on each article.

Two diagnostics say where errors come from without changing the scores: the false positives
whose every span lies in text most postings of the company repeat (about us, perks, EEO),
and the metro score split into "cities right" and "remote/hybrid right".

Command line::

    python -m evaluation.sampleweb_tagging [--postings N] [--seed S] [--web DIR] [--json]

generates a web in a temporary folder (or reads ``DIR``), evaluates it and prints a report.
The floors the tests hold it to are in ``evaluation/sampleweb_floors.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from skillenai.classify.places.gazetteer import fold, gazetteer
from skillenai.classify.skills.matcher import resolve_skill
from skillenai.classify.tagger import tag_documents

__all__ = ["evaluate_tagging", "posting_doc", "article_doc", "read_truth", "format_report"]

BATCH_SIZE = 256
TOP_ERRORS = 15


def read_truth(web_dir: Path | str, name: str) -> list[dict]:
    """The rows of ``truth/{name}.jsonl`` in a generated web (``name``: postings, articles)."""
    path = Path(web_dir) / "truth" / f"{name}.jsonl"
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such truth file; is {web_dir} a generated sample web?")
    rows = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{lineno}: invalid JSON ({exc.msg})") from None
    return rows


# Spiders whose source has a structured work-arrangement field they store as
# ``postings.stated_workplace`` (Lever's and Ashby's ``workplaceType``, Workday's
# ``remoteType``, SmartRecruiters' location flags, Workable's ``workplace``); the others only
# have the location string and the text, which the tagger reads itself.
WORKPLACE_SPIDERS = frozenset({"lever", "ashby", "workday", "smartrecruiters", "workable"})


def posting_doc(row: dict) -> dict:
    """The ``tag_documents`` input for a truth posting: what the crawler would store."""
    doc = {"id": row["url"], "title": row["title"], "text": row["description_text"],
           "location": row.get("location_raw") or None, "kind": "posting", "company": row.get("company")}
    if row.get("spider") in WORKPLACE_SPIDERS and row.get("workplace"):
        doc["stated_workplace"] = row["workplace"]
    return doc


def article_doc(row: dict) -> dict:
    """The ``tag_documents`` input for a truth article."""
    return {"id": row["url"], "title": row["title"], "text": row["body"], "kind": "article"}


def _tag_all(docs: list[dict], batch_size: int, spans: bool = True) -> list:
    out = []
    for i in range(0, len(docs), batch_size):
        out.extend(tag_documents(docs[i:i + batch_size], spans=spans))
    return out


# -- skills --------------------------------------------------------------------------------


class _SkillScore:
    def __init__(self):
        self.tp = self.fp = self.fn = 0
        self.false_pos: Counter = Counter()
        self.false_neg: Counter = Counter()
        self.examples: dict[tuple[str, str], str] = {}
        self.unresolved: Counter = Counter()
        self.fp_boilerplate = 0

    def add(self, url: str, truth_names: list[str], tags, boilerplate=None) -> None:
        """Score one document; ``boilerplate(start, end)`` says whether a span lies in text
        the document shares with most documents of its company (about us, perks, EEO)."""
        want: dict[str, str] = {}
        for name in truth_names:
            skill = resolve_skill(name)
            if skill is None:
                # A truth name the taxonomy does not know is a miss the taxonomy must fix.
                self.unresolved[name] += 1
                self.fn += 1
                self.false_neg[name] += 1
                continue
            want[skill.id] = skill.name
        matches = {m.id: m for m in tags.skills}
        got = {m.id: m.name for m in [*tags.skills, *tags.title_skills]}
        self.tp += len(want.keys() & got.keys())
        for sid in got.keys() - want.keys():
            self.fp += 1
            m = matches.get(sid)
            if boilerplate and m is not None and all(boilerplate(s, e) for s, e in m.spans):
                self.fp_boilerplate += 1
            self.false_pos[got[sid]] += 1
            self.examples.setdefault(("fp", got[sid]), url)
        for sid in want.keys() - got.keys():
            self.fn += 1
            self.false_neg[want[sid]] += 1
            self.examples.setdefault(("fn", want[sid]), url)

    def report(self, top: int) -> dict:
        def errors(counter: Counter, kind: str) -> list[dict]:
            return [{"skill": name, "count": n, "example": self.examples.get((kind, name))}
                    for name, n in counter.most_common(top)]

        return {
            "precision": _ratio(self.tp, self.tp + self.fp),
            "recall": _ratio(self.tp, self.tp + self.fn),
            # Diagnostic only: false positives whose every span lies in company boilerplate,
            # and the precision the tagger would reach if it skipped that boilerplate.
            "fp_in_company_boilerplate": self.fp_boilerplate,
            "precision_outside_boilerplate": _ratio(self.tp, self.tp + self.fp - self.fp_boilerplate),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "false_positives": errors(self.false_pos, "fp"),
            "false_negatives": errors(self.false_neg, "fn"),
            "unresolved_truth_names": dict(self.unresolved),
        }


def _boilerplate_lines(postings: list[dict], share: float = 0.5, min_postings: int = 4) -> dict[str, set[str]]:
    """Per company, the description lines that most of its postings repeat word for word:
    the company description, perks and EEO text the career site pastes into every posting."""
    counts: dict[str, Counter] = {}
    sizes: Counter = Counter()
    for row in postings:
        company = row.get("company") or ""
        sizes[company] += 1
        counts.setdefault(company, Counter()).update(set(row["description_text"].split("\n")))
    return {c: {line for line, k in counts[c].items() if line.strip() and k >= share * sizes[c]}
            for c in counts if sizes[c] >= min_postings}


def _span_test(text: str, lines: set[str]):
    """``(start, end) -> bool``: does the span lie inside one of ``lines`` in ``text``?"""
    ranges = []
    pos = 0
    for line in text.split("\n"):
        if line in lines:
            ranges.append((pos, pos + len(line)))
        pos += len(line) + 1
    return lambda s, e: any(a <= s and e <= b for a, b in ranges)


# -- places --------------------------------------------------------------------------------


def _admin1_matches(place, admin1: str | None) -> bool:
    """Does a tagged place lie in the truth's admin1, which is a code ("CA", "ENG") or a
    name ("British Columbia", "Bavaria")?"""
    if not admin1:
        return True
    if place.admin1 and place.admin1.upper() == admin1.upper():
        return True
    g = gazetteer()
    if fold(g.admin_names.get((place.country, place.admin1), "")) == fold(admin1):
        return True
    entry = g.lookup(admin1)
    return bool(entry and (place.country, place.admin1) in entry.admins)


def _place_matches(place, want: dict) -> bool:
    return (fold(place.city) == fold(want["city"]) and place.country == want["country"]
            and _admin1_matches(place, want.get("admin1")))


def _same_places(got: list, want: list[dict]) -> bool:
    """One-to-one: every truth place is tagged, and nothing else is."""
    if len(got) != len(want):
        return False
    left = list(got)
    for w in want:
        hit = next((p for p in left if _place_matches(p, w)), None)
        if hit is None:
            return False
        left.remove(hit)
    return True


def _place_str(p) -> str:
    return f"{p.city}, {p.admin1}, {p.country}" if p.admin1 else f"{p.city}, {p.country}"


def _want_str(w: dict) -> str:
    return ", ".join(x for x in (w["city"], w.get("admin1"), w["country"]) if x)


# -- the evaluation ------------------------------------------------------------------------


def evaluate_tagging(web_dir: Path | str, batch_size: int = BATCH_SIZE, top: int = TOP_ERRORS,
                     spans: bool = True) -> dict:
    """Tag the truth documents of the sample web in ``web_dir`` and score the tags.

    Args:
        web_dir: a folder written by :func:`skillenai.sampleweb.generate`.
        batch_size: documents per :func:`~skillenai.classify.tagger.tag_documents` call.
        top: how many of the most frequent errors to list per kind.
        spans: tag skills with the span model (the tagger as it runs); ``False`` scores the
            alias layer alone (the sample web's truth counts every alias mention).

    Returns:
        ``{"postings", "articles", "seconds", "skills": {precision, recall, tp, fp, fn,
        false_positives, false_negatives, ...}, "skills_postings": {...},
        "skills_articles": {...}, "metros": {accuracy, ..., errors}, "roles": {accuracy,
        confusions, errors}, "article_places": {recall, ..., missed}}``. Ratios are
        rounded to four places; with nothing to score a ratio is 1.0.

    Example:
        >>> from skillenai.sampleweb import generate               # doctest: +SKIP
        >>> generate("/tmp/web", postings=300, seed=11)          # doctest: +SKIP
        >>> evaluate_tagging("/tmp/web")["skills"]["precision"]  # doctest: +SKIP
        0.97
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    postings = read_truth(web_dir, "postings")
    articles = read_truth(web_dir, "articles")
    started = time.perf_counter()
    posting_tags = _tag_all([posting_doc(r) for r in postings], batch_size, spans)
    article_tags = _tag_all([article_doc(r) for r in articles], batch_size, spans)
    seconds = time.perf_counter() - started

    all_skills, posting_skills, article_skills = _SkillScore(), _SkillScore(), _SkillScore()
    boiler = _boilerplate_lines(postings)
    metro_right = places_right = flags_right = 0
    metro_errors = []
    role_right = 0
    role_confusions: Counter = Counter()
    role_errors = []
    for row, tags in zip(postings, posting_tags):
        in_boilerplate = _span_test(row["description_text"], boiler.get(row.get("company") or "", set()))
        all_skills.add(row["url"], row["skills"], tags, in_boilerplate)
        posting_skills.add(row["url"], row["skills"], tags, in_boilerplate)

        same_places = _same_places(tags.places, row["locations"])
        same_flags = tags.remote == bool(row["remote"]) and tags.hybrid == bool(row["hybrid"])
        ok = same_places and same_flags
        metro_right += ok
        places_right += same_places
        flags_right += same_flags
        if not ok:
            metro_errors.append({
                "url": row["url"], "location_raw": row.get("location_raw"),
                "want": [_want_str(w) for w in row["locations"]], "remote": row["remote"], "hybrid": row["hybrid"],
                "got": [_place_str(p) for p in tags.places], "got_remote": tags.remote, "got_hybrid": tags.hybrid,
            })

        got_role = tags.role.name if tags.role else None
        if got_role == row["role"]:
            role_right += 1
        else:
            role_confusions[(row["role"], got_role)] += 1
            role_errors.append({"url": row["url"], "title": row["title"], "want": row["role"], "got": got_role})

    place_found = place_total = 0
    missed_places: Counter = Counter()
    for row, tags in zip(articles, article_tags):
        all_skills.add(row["url"], row["skills"], tags)
        article_skills.add(row["url"], row["skills"], tags)
        for want in row.get("places", []):
            place_total += 1
            if any(_place_matches(p, want) for p in tags.places):
                place_found += 1
            else:
                missed_places[_want_str(want)] += 1

    n = len(postings)
    return {
        "postings": n,
        "articles": len(articles),
        "seconds": round(seconds, 3),
        "skills": all_skills.report(top),
        "skills_postings": posting_skills.report(top),
        "skills_articles": article_skills.report(top),
        "metros": {"accuracy": _ratio(metro_right, n), "right": metro_right, "total": n,
                   # the two halves of a right answer, to show which one fails
                   "places_accuracy": _ratio(places_right, n), "flags_accuracy": _ratio(flags_right, n),
                   "errors": metro_errors[:top * 2]},
        "roles": {"accuracy": _ratio(role_right, n), "right": role_right, "total": n,
                  "confusions": [{"want": w, "got": g, "count": c} for (w, g), c in role_confusions.most_common(top)],
                  "errors": role_errors[:top * 2]},
        "article_places": {"recall": _ratio(place_found, place_total), "found": place_found,
                           "total": place_total, "missed": dict(missed_places.most_common(top))},
    }


def _ratio(a: int, b: int) -> float:
    return round(a / b, 4) if b else 1.0


# -- report --------------------------------------------------------------------------------


def format_report(result: dict) -> str:
    """A plain-text report of :func:`evaluate_tagging`'s result."""
    s, m, r, a = result["skills"], result["metros"], result["roles"], result["article_places"]
    sp, sa = result["skills_postings"], result["skills_articles"]
    lines = [
        f"{result['postings']} postings, {result['articles']} articles, tagged in {result['seconds']:.1f} s",
        "",
        f"{'measure':<24}{'value':>8}   detail",
        f"{'skill precision':<24}{s['precision']:>8.4f}   tp {s['tp']}, fp {s['fp']}"
        f"  (postings {sp['precision']:.4f}, articles {sa['precision']:.4f})",
        f"{'skill recall':<24}{s['recall']:>8.4f}   tp {s['tp']}, fn {s['fn']}"
        f"  (postings {sp['recall']:.4f}, articles {sa['recall']:.4f})",
        f"{'  (diagnostic)':<24}{s['precision_outside_boilerplate']:>8.4f}   precision if the "
        f"{s['fp_in_company_boilerplate']} false positives in company boilerplate were skipped",
        f"{'metro accuracy':<24}{m['accuracy']:>8.4f}   {m['right']}/{m['total']} postings"
        f"  (cities right {m['places_accuracy']:.4f}, remote/hybrid right {m['flags_accuracy']:.4f})",
        f"{'role accuracy':<24}{r['accuracy']:>8.4f}   {r['right']}/{r['total']} postings",
        f"{'article place recall':<24}{a['recall']:>8.4f}   {a['found']}/{a['total']} places",
    ]

    def section(title: str, rows: list[str]) -> None:
        if rows:
            lines.extend(["", title, *("  " + x for x in rows)])

    section("skills tagged but not in the truth (false positives):",
            [f"{e['count']:>4}  {e['skill']}  e.g. {e['example']}" for e in s["false_positives"]])
    section("skills in the truth but not tagged (false negatives):",
            [f"{e['count']:>4}  {e['skill']}  e.g. {e['example']}" for e in s["false_negatives"]])
    if s["unresolved_truth_names"]:
        section("truth skill names the taxonomy does not know:",
                [f"{c:>4}  {name}" for name, c in s["unresolved_truth_names"].items()])
    section("metro errors:",
            [f"{e['location_raw']!r}: want {e['want']} remote={e['remote']} hybrid={e['hybrid']}; "
             f"got {e['got']} remote={e['got_remote']} hybrid={e['got_hybrid']}" for e in m["errors"]])
    section("role confusions (truth -> predicted):",
            [f"{c['count']:>4}  {c['want']} -> {c['got']}" for c in r["confusions"]])
    section("article places missed:", [f"{c:>4}  {p}" for p, c in a["missed"].items()])
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evaluation.sampleweb_tagging",
        description="Generate a sample web in a temporary folder, tag its truth documents with "
                    "skillenai.classify.tagger.tag_documents and report skill precision/recall, metro, role "
                    "and article-place scores against the ground truth.",
    )
    parser.add_argument("--postings", type=int, default=1000, help="posting documents to generate (default 1000)")
    parser.add_argument("--seed", type=int, default=11, help="generator seed (default 11)")
    parser.add_argument("--web", type=Path, help="evaluate this already generated web instead of a new one")
    parser.add_argument("--json", action="store_true", help="print the full result as JSON")
    parser.add_argument("--aliases-only", action="store_true",
                        help="score the alias layer alone, without the skill-span model")
    args = parser.parse_args(argv)

    from skillenai.sampleweb import generate

    try:
        if args.web:
            result = evaluate_tagging(args.web, spans=not args.aliases_only)
        else:
            with tempfile.TemporaryDirectory(prefix="sampleweb-eval-") as tmp:
                generate(tmp, postings=args.postings, seed=args.seed)
                result = evaluate_tagging(tmp, spans=not args.aliases_only)
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        print(json.dumps(result, indent=2, ensure_ascii=False) if args.json else format_report(result))
    except BrokenPipeError:  # "| head": the reader has what it wanted
        sys.stderr.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
