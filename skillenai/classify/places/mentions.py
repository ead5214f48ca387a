"""Places named in free text: which capitalised names are cities here, and which is the job's.

Precision first. A posting's text is full of words that are also towns somewhere ("Manage"
in Belgium, "Come" in Benin, "Basic" an old name of Henderson, NV), tech terms ("REST",
"MongoDB", "SIRT"), people's names ("David", "Taylor") and company names ("Palo Alto
Networks", "Gallup"). So a name is read as a city in three steps:

1. **Candidates** (:func:`_candidates`): capitalised word runs the gazetteer knows as a city,
   with their qualifiers (", CA", ", Germany") when these agree; a list ("Vienna, Bucharest")
   stays a list. Hard rules drop only what is never a city in text: country and region
   names read as a namesake town ("APAC" in Uganda), names the gazetteer marks for text
   only with a qualifier, and a name followed by an organisation word ("Palo Alto
   Networks", "Boston University").
2. **Is it a place here?** A logistic regression over the mention's own evidence (how the
   name matched, population, namesakes, a qualifier, capitals, whether the text also uses
   the word in lower case, whether it is a skill's name, the words around it, a title
   line) trained on real posting texts labelled by hand
   (``data/places/real_mentions.jsonl.gz``) and, at a lower weight, the places of the
   written contexts (step 3's data); a mention is kept at
   :data:`PLACE_THRESHOLD`, chosen by cross-validation on the training texts for precision.
3. **The job's location or another place?** A second model over the context (nearby words by
   side and distance, the sentence, position, repetition) tells the job's place from a
   headquarters, another office or a client, trained on the written contexts
   (``data/places/location_contexts.jsonl``) and the real labelled texts.

For an article, ``is_job_location`` marks the places the article is about.
"""

from __future__ import annotations

import gzip
import json
import logging
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from skillenai.classify.places.gazetteer import (
    ALTERNATE,
    DATA_DIR,
    Entry,
    Place,
    code_form,
    distance_km,
    gazetteer,
)
from skillenai.classify.places.gazetteer import fold as _fold
from skillenai.classify.places.locations import (
    LISTED_COUNTRY_MIN_RATIO,
    NOISE,
    SCAN_MIN_POP,
    _qualifies,
    evaluate_locations,
    resolve_place,
)
from skillenai.classify.resources import MODELS_DIR
from skillenai.classify.training import held_out, load_or_train, read_floors, save_model

log = logging.getLogger(__name__)

__all__ = ["PlaceMention", "places_in_text", "places_in_texts", "real_mentions", "train_place_models", "label_fits"]

CONTEXT_MODEL_PATH = MODELS_DIR / "location_context.skops"
PLACE_MODEL_PATH = MODELS_DIR / "place_mention.skops"
CONTEXTS_PATH = DATA_DIR / "location_contexts.jsonl"
FLOORS_PATH = DATA_DIR / "floors.json"
CONTEXT_HELD_OUT_PERCENT = 20  # of the written contexts, split by text
# Real posting texts with every place they name labelled by hand (see data/places/README.md);
# split by employer, so one company's boilerplate never sits on both sides.
REAL_MENTIONS_PATH = DATA_DIR / "real_mentions.jsonl.gz"
REAL_HELD_OUT_PERCENT = 40
# Least probability of being a place for a mention to count. Chosen by five-fold
# cross-validation (folds by employer) on the training texts: the lowest threshold whose
# pooled precision is at least PLACE_PRECISION (`train_place_models` reports the curve).
PLACE_PRECISION = 0.98
PLACE_THRESHOLD = 0.35
# Labelled kinds a city read in text may stand for; a state, country or region read as a
# city is wrong ("Washington" the state is not Washington, DC).
CITY_KINDS = frozenset({"city", "metro", "district", "county"})
RADIUS_KM = 25.0


@dataclass(frozen=True, slots=True)
class PlaceMention:
    """A city named in free text; ``score`` is the model's belief that it is the job's
    location (for an article: a place the article is about); ``p_place`` that the words
    name a place at all."""

    start: int
    end: int
    text: str
    place: Place
    score: float
    is_job_location: bool
    p_place: float = 1.0


# -- candidates ----------------------------------------------------------------------------

# The same capitalised words and phrases come back in text after text.
fold = lru_cache(maxsize=1 << 16)(_fold)

# Words, with "-based" split off ("NY-based roles"), and single non-space characters.
_TEXT_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿĀ-ž][\w'’.]*(?:-(?!based\b)[\w'’.]+)*|\S")
_CONNECTORS = {"de", "del", "da", "do", "dos", "das", "la", "le", "les", "am", "an", "im", "upon", "on", "of",
               "sur", "der", "den", "y", "el", "en", "di"}
# A name followed by one of these is an organisation, a street or an event.
_ORG_NEXT = {"university", "college", "institute", "consulting", "group", "post", "times", "inc", "capital",
             "partners", "bank", "dynamics", "stock", "exchange", "school", "hospital", "children's", "county",
             "street", "avenue", "road", "st", "ave", "blvd", "fc", "united", "city's", "police", "journal",
             "business", "review", "tribune", "herald", "chronicle", "museum", "zoo", "airport", "marathon",
             "networks", "labs", "technologies", "software", "life", "insurance", "ventures", "holdings",
             "financial", "airlines", "robotics", "castle", "metrics", "act", "gdpr", "law"}
_SENTENCE_END = frozenset(".!?:;•-–—*|")


@dataclass(slots=True)
class _Candidate:
    start: int
    end: int
    row: int
    how: int
    entry: Entry
    agree: int  # qualifiers that agree with the city
    word: int  # index of its first word
    prev: str = ""
    nxt: str = ""
    line_start: bool = False
    prev2: str = ""
    among_regions: bool = False  # listed beside a state or country ("Texas, Washington, Oregon")


def _line_starts_before(text: str, words: list[tuple[str, int, int]], i: int) -> bool:
    """Whether word ``i`` opens its line (after a bullet or a heading mark at most)."""
    k = i - 1
    while k >= 0 and words[k][0] in _SENTENCE_END:
        k -= 1
    start = words[k][2] if k >= 0 else 0
    return k < 0 or "\n" in text[start:words[i][1]]


def _beside_region(words: list[tuple[str, int, int]], k: int, step: int) -> bool:
    """Whether the list item on one side of a name (``words[k]`` its separator; ``step`` -1
    for the left, 1 for the right) names a state, country or region ("California", which
    is also a town in Maryland, counts)."""
    separators = (",", "and", "or", "&", ";")
    if not (0 <= k < len(words)) or words[k][0] not in separators:
        return False
    while 0 <= k + step < len(words) and words[k + step][0] in separators:  # ", and"
        k += step
    g = gazetteer()
    for n in (1, 2, 3):
        lo, hi = (k - n, k) if step < 0 else (k + 1, k + 1 + n)
        if lo < 0 or hi > len(words):
            break
        phrase = " ".join(w for w, _, _ in words[lo:hi])
        e = g.lookup_code(code_form(phrase)) if code_form(phrase) else g.lookup_key(fold(phrase))
        if e is not None and (e.admins or e.country or e.region) and (not e.cities or phrase[:1].isupper()):
            return True
    return False


def _candidates(text: str) -> list[_Candidate]:
    """Every city the gazetteer can read in ``text`` (step 1 of the module docstring)."""
    g = gazetteer()
    words = [(m.group(0), m.start(), m.end()) for m in _TEXT_WORD.finditer(text)]
    out: list[_Candidate] = []
    i, n_words = 0, len(words)
    while i < n_words:
        w, s, _ = words[i]
        if not w[0].isupper():
            i += 1
            continue
        hit = None
        # A name is a run of capitalised words, connectors inside ("Rio de Janeiro").
        run = 1
        while run < 6 and i + run < n_words:
            x = words[i + run][0]
            if not (x[0].isalpha() and (x[0].isupper() or x.lower() in _CONNECTORS)):
                break
            run += 1
        for n in range(run, 0, -1):
            if not words[i + n - 1][0][0].isupper():
                continue
            phrase = text[s:words[i + n - 1][2]].rstrip(".")
            key = fold(phrase)
            e = g.lookup_key(key) if key and key not in g.never and key not in NOISE else None
            cf = code_form(phrase)
            if cf and len(phrase.replace(".", "")) <= 4:
                c = g.lookup_code(cf)
                e = c if c and c.cities else (e if e and len(key) > 3 else None)
            if e is not None and e.cities:
                hit = (n, e, key)
                break
            if e is not None and n > 1 and (e.admins or e.country or e.region):
                hit = (n, e, key)  # "North Carolina", "New South Wales": a region, read whole
                break
        if hit is None:
            i += 1
            continue
        if not hit[1].cities:
            i += hit[0]
            continue
        n, e, key = hit
        end_idx = i + n
        end = words[end_idx - 1][2]
        if text[s:end].endswith(".") and not text[s:end].endswith(("D.C.", "St.")):
            end -= 1
        # Qualifiers: ", CA", ", California", ", Germany", ", ON, Canada" — only when they
        # agree with some city of the name; otherwise the comma starts a list.
        quals: list[Entry] = []
        qual_end, j = end, end_idx
        while len(quals) < 2 and j + 1 < n_words and words[j][0] == ",":
            found = None
            for m in range(min(4, n_words - j - 1), 0, -1):
                qs, qe = words[j + 1][1], words[j + m][2]
                qtext = text[qs:qe].rstrip(".")
                if not qtext[:1].isupper():
                    continue
                qe_entry = g.lookup_code(code_form(qtext)) if code_form(qtext) else g.lookup_key(fold(qtext))
                if qe_entry and (qe_entry.admins or qe_entry.country):
                    found = (m, qe_entry, qs + len(qtext))
                    break
            if not found:
                break
            m, qentry, qend = found
            if not any(_qualifies(qentry, g.city(r).country, g.city(r).admin1) for r, _ in e.cities):
                break
            quals.append(qentry)
            qual_end = qend
            j = j + 1 + m
        best, best_score = None, -math.inf
        for row, how in e.cities:
            c = g.city(row)
            agree = sum(_qualifies(q, c.country, c.admin1) for q in quals)
            if quals and not agree:
                continue
            if not agree and (c.population < SCAN_MIN_POP or (how == ALTERNATE and c.population < 100_000)):
                continue
            score = agree * 10 + g.score(row, how)
            if score > best_score:
                best, best_score = (row, how, agree), score
        nxt_idx = j if quals else end_idx
        nxt = words[nxt_idx][0] if nxt_idx < n_words else ""
        keep = best is not None and nxt.lower().rstrip(".,") not in _ORG_NEXT
        if keep:
            row, how, agree = best
            city = g.city(row)
            if key in g.text_ambiguous and not agree:
                keep = False  # "Mobile", "Reading": a city in text only with its state
            elif (e.region or (e.country and e.country != city.country)) and not agree:
                keep = False  # "APAC", "Asia", "Jamaica": a region or country, not a town there
            elif e.admins and not agree and all(c != city.country for c, _ in e.admins):
                keep = False  # "Virginia" the state, not Virginia in South Africa
        if keep and e.admins and not agree:
            # "the State of New York", "Washington State", "Texas, Washington, Oregon": the
            # state that shares the city's name. (Not "Vienna, Bucharest": there the state
            # is the city.)
            state_words = (" ".join(w for w, _, _ in words[max(0, i - 2):i]).lower() == "state of"
                           or nxt.lower() == "state")
            us_state = any(c == "US" for c, _ in e.admins)
            if state_words or (us_state and (_beside_region(words, i - 1, -1) or _beside_region(words, nxt_idx, 1))):
                keep = False
        if keep:
            out.append(_Candidate(s, qual_end if quals else end, row, how, e, agree, i,
                                  prev=words[i - 1][0] if i > 0 else "", nxt=nxt,
                                  line_start=_line_starts_before(text, words, i),
                                  prev2=" ".join(w for w, _, _ in words[max(0, i - 2):i]).lower(),
                                  among_regions=_beside_region(words, i - 1, -1) or _beside_region(words, nxt_idx, 1)))
        i = j if quals else end_idx
    _prefer_document_countries(out)
    return out


def _prefer_document_countries(out: list[_Candidate]) -> None:
    """Re-pick bare, ambiguous city names in the country the text's other places are in
    ("Hiring in Santa Clara ... San Jose, CA ... Chicago" is Santa Clara, California), when
    the city there is not much smaller than the first pick (see LISTED_COUNTRY_MIN_RATIO)."""
    g = gazetteer()
    bare = [not c.agree and len(c.entry.cities) > 1 for c in out]
    if not any(bare) or len(out) < 2:
        return
    countries: dict[str, int] = {}
    for c, b in zip(out, bare):
        if not b:
            country = g.city(c.row).country
            countries[country] = countries.get(country, 0) + 1
    if not countries:
        return
    for c, b in zip(out, bare):
        chosen = g.city(c.row)
        if not b or chosen.country in countries:
            continue
        floor = max(SCAN_MIN_POP, LISTED_COUNTRY_MIN_RATIO * chosen.population)
        options = [(countries[g.city(r).country], g.score(r, how), r, how) for r, how in c.entry.cities
                   if g.city(r).country in countries and g.city(r).population >= floor]
        if options:
            _, _, c.row, c.how = max(options)


# -- features ------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    """Words job ads write in lower case (twice or more in SkillSpan's training postings):
    "manage", "come", "best", "mentor", "basic". A name that is also one is a place only
    with more evidence than a capital letter."""
    from collections import Counter

    from skillenai.classify.skills.spandata import SKILLSPAN_TRAIN

    counts: Counter = Counter()
    with gzip.open(SKILLSPAN_TRAIN, "rt", encoding="utf-8") as fh:
        for line in fh:
            counts.update(t for t in json.loads(line)["tokens"] if t[:1].islower())
    return frozenset(fold(w) for w, n in counts.items() if n >= 2)


_LOCATION_PREPOSITIONS = frozenset({"in", "at", "near", "from", "across", "around", "outside", "to", "throughout"})


@lru_cache(maxsize=1)
def _skill_lookup():
    from skillenai.classify.skills.taxonomy import load_taxonomy

    return load_taxonomy().lookup


def _place_features(text: str, c: _Candidate, lower_words: set[str], countries: dict[str, int]) -> dict:
    """Step 2's evidence for one candidate."""
    g = gazetteer()
    city = g.city(c.row)
    surface = text[c.start:c.end]
    name = surface.split(",")[0].strip()
    key = fold(name)
    f: dict[str, float] = {"bias": 1.0, f"how={c.how}": 1.0,
                           f"pop={min(int(math.log10(max(city.population, 10))), 7)}": 1.0,
                           f"namesakes={min(len(c.entry.cities), 5)}": 1.0}
    if c.agree:
        f["qualified"] = 1.0
    if name.isupper() and len(name) > 1:
        f["caps"] = 1.0
    if len(key) <= 3:
        f["short"] = 1.0
    if " " in key:
        f["words>1"] = 1.0
    if key in lower_words:
        f["lower_elsewhere"] = 1.0  # the text also writes it as an ordinary word
    if key in _common_words():
        f["common_word"] = 1.0
    if c.entry.admins:
        f["admin_name"] = 1.0  # "Washington", "New York": also a state
    if c.entry.country:
        f["country_name"] = 1.0
    if not c.agree and _skill_lookup()(name) is not None:
        f["skill_name"] = 1.0
    if c.line_start:
        f["line_start"] = 1.0
    if text.rfind("\n", 0, c.start) == -1:
        f["title_line"] = 1.0
    prev, nxt = c.prev.lower(), c.nxt.lower()
    f[f"prev={prev}"] = 1.0
    f[f"prev2={c.prev2}"] = 1.0
    if prev in _LOCATION_PREPOSITIONS:
        f["prev_preposition"] = 1.0
    f[f"next={nxt}"] = 1.0
    if c.among_regions:
        f["among_regions"] = 1.0
    if c.prev[:1].isupper() and not c.line_start:
        f["prev_cap"] = 1.0
    if c.nxt[:1].isupper():
        f["next_cap"] = 1.0
    if c.nxt[:1].islower() and nxt not in ("and", "or", "in", "area", "office", "offices", "based", "metro", "hq"):
        f["next_lower"] = 1.0  # "Manage the team", "Come join us"
    if countries:
        top = max(countries.values())
        f["doc_country" if countries.get(city.country) == top else "other_country"] = 1.0
    return f


def _mention_features(text: str, start: int, end: int, row: int | None, rows_in_doc: list[int]) -> dict:
    """Step 3's context of one mention: nearby words by side and distance, sentence cues,
    position in the document and repetition of the same place."""
    f: dict[str, float] = {"bias": 1.0}
    left = re.findall(r"[a-z0-9%$]+|[^\sa-z0-9]", text[max(0, start - 160):start].lower())
    right = re.findall(r"[a-z0-9%$]+|[^\sa-z0-9]", text[end:end + 160].lower())
    for k, w in enumerate(reversed(left[-8:])):
        f[f"L{min(k, 3)}={w}"] = 1.0
        f[f"L*={w}"] = 1.0
    for k, w in enumerate(right[:8]):
        f[f"R{min(k, 3)}={w}"] = 1.0
        f[f"R*={w}"] = 1.0
    if len(left) >= 2:
        f[f"L2g={left[-2]}_{left[-1]}"] = 1.0
    if len(left) >= 3:
        f[f"L3g={left[-3]}_{left[-2]}_{left[-1]}"] = 1.0
    if len(right) >= 2:
        f[f"R2g={right[0]}_{right[1]}"] = 1.0
    # Sentence (or line) around the mention.
    s0 = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start))
    s1_candidates = [x for x in (text.find(". ", end), text.find("\n", end)) if x != -1]
    s1 = min(s1_candidates) if s1_candidates else len(text)
    for w in set(re.findall(r"[a-z]+", text[s0 + 1:s1].lower())):
        f[f"S={w}"] = 0.5
    line_start = text.rfind("\n", 0, start) + 1
    line_prefix = text[line_start:start].strip().lower()
    if line_prefix.endswith(":"):
        f[f"label={line_prefix[-20:]}"] = 1.0
        f["after_label"] = 1.0
    if not line_prefix:
        f["line_start"] = 1.0
    if line_start == 0:
        f["title_line"] = 1.0
    rel = start / max(len(text), 1)
    f[f"pos={min(int(rel * 5), 4)}"] = 1.0
    if row is not None:
        same = rows_in_doc.count(row)
        f["repeat"] = min(same - 1, 3) / 3
        f["first"] = 1.0 if rows_in_doc and rows_in_doc[0] == row else 0.0
    f["n_places"] = min(len(set(rows_in_doc)), 6) / 6
    f["qualified"] = 1.0 if "," in text[start:end] else 0.0
    return f


_LOWER_WORD = re.compile(r"(?<![\w'’])[a-zà-ÿ][a-zà-ÿ'’]+")


def _doc_facts(text: str, cands: list[_Candidate]) -> tuple[set[str], dict[str, int]]:
    """What every candidate of a text shares: the words the text writes in lower case, and
    how often each country is named by a qualified mention."""
    g = gazetteer()
    lower_words = set(_LOWER_WORD.findall(text))  # against folded names: accents aside, the same
    countries: dict[str, int] = {}
    for c in cands:
        if c.agree:
            country = g.city(c.row).country
            countries[country] = countries.get(country, 0) + 1
    return lower_words, countries


# -- models --------------------------------------------------------------------------------


def _make_pipeline(C: float):
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    return Pipeline([
        ("vec", DictVectorizer(sort=True)),
        ("clf", LogisticRegression(C=C, max_iter=3000, class_weight="balanced", random_state=0)),
    ])


PLACE_C = 0.5
CONTEXT_C = 2.0
# Weight of a written place against a real labelled candidate in step 2's training: enough
# to teach prose ("hiring in Palo Alto"), not to outvote the real texts (cross-validated
# recall at precision 0.96: 0.835 without them, 0.865 at 0.1–0.3, 0.858 at 1.0).
WRITTEN_WEIGHT = 0.3


@lru_cache(maxsize=1)
def _place_model():
    return load_or_train(PLACE_MODEL_PATH, _fit_place_model)


@lru_cache(maxsize=1)
def _context_model():
    return load_or_train(CONTEXT_MODEL_PATH, _fit_context_model)


def places_in_text(text: str) -> list[PlaceMention]:
    """Cities named in ``text`` (steps 1 and 2 of the module docstring), each scored as the
    job's location vs another place (step 3)."""
    return places_in_texts([text])[0]


def places_in_texts(texts: list[str]) -> list[list[PlaceMention]]:
    """:func:`places_in_text` of each text, with one call to each model for the batch (a
    model call costs more than the few mentions of one text)."""
    found = []
    for t, text in enumerate(texts):
        cands = _candidates(text) if text else []
        if cands:
            lower_words, countries = _doc_facts(text, cands)
            found.extend((t, c, _place_features(text, c, lower_words, countries)) for c in cands)
    out: list[list[PlaceMention]] = [[] for _ in texts]
    if not found:
        return out
    p_place = _place_model().predict_proba([f for _, _, f in found])[:, 1]
    kept = [(t, c, float(p)) for (t, c, _), p in zip(found, p_place) if p >= PLACE_THRESHOLD]
    if not kept:
        return out
    rows: dict[int, list[int]] = {}
    for t, c, _ in kept:
        rows.setdefault(t, []).append(c.row)
    feats = [_mention_features(texts[t], c.start, c.end, c.row, rows[t]) for t, c, _ in kept]
    probs = _context_model().predict_proba(feats)[:, 1]
    g = gazetteer()
    for (t, c, pp), p in zip(kept, probs):
        out[t].append(PlaceMention(c.start, c.end, texts[t][c.start:c.end], g.place(c.row), round(float(p), 4),
                                   bool(p >= 0.5), round(pp, 4)))
    return out


# -- labelled data -------------------------------------------------------------------------


def real_mentions(held: bool | None = None) -> list[dict]:
    """The labelled real posting texts (``{id, company, title, text, places: [{start, end,
    text, city, admin1, country, role, kind}], negatives: [...]}``): all of them, or only the
    held-out (``True``) or training (``False``) part."""
    with gzip.open(REAL_MENTIONS_PATH, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    if held is None:
        return rows
    return [r for r in rows if _real_held_out(r) == held]


def _real_held_out(row: dict) -> bool:
    return held_out((row.get("company") or row["id"]).casefold(), REAL_HELD_OUT_PERCENT)


def label_fits(label: dict, place: Place) -> bool:
    """Whether ``place`` (a city read in text) is the labelled place ``label`` (``{city,
    admin1, country, kind}``): the same country, and the labelled city within
    :data:`RADIUS_KM` (any namesake in that country), or for a metro or county labelled
    without a city, the same state; a city-state's city for its country."""
    g = gazetteer()
    kind = label.get("kind")
    if label.get("country") != place.country:
        return False
    if kind == "country":
        entry = g.lookup(place.city)  # Singapore, Luxembourg: the city names its country
        return entry is not None and entry.country == place.country
    if kind not in CITY_KINDS:
        return False
    if not label.get("city"):
        admin = label.get("admin1")
        if not admin or admin == place.admin1:
            return True
        entry = g.lookup(admin)
        return entry is not None and (place.country, place.admin1) in entry.admins
    if fold(label["city"]) == fold(place.city):
        return True
    entry = g.lookup(label["city"])
    return any(g.city(r).country == place.country
               and distance_km(g.city(r).lat, g.city(r).lon, place.lat, place.lon) <= RADIUS_KM
               for r, _ in (entry.cities if entry is not None else []))


def _place_dataset(rows: list[dict]) -> tuple[list[dict], list[int], list[str]]:
    """Step 2's examples: every candidate of each labelled text, 1 where it names the place
    labelled there; and the text's employer (for folds)."""
    g = gazetteer()
    X, y, groups = [], [], []
    for r in rows:
        text, places = r["text"], r["places"]
        cands = _candidates(text)
        lower_words, countries = _doc_facts(text, cands)
        for c in cands:
            place = g.place(c.row)
            good = any(p["start"] < c.end and c.start < p["end"] and label_fits(p, place) for p in places)
            X.append(_place_features(text, c, lower_words, countries))
            y.append(int(good))
            groups.append((r.get("company") or r["id"]).casefold())
    return X, y, groups


def _written_places() -> list[dict]:
    """Step 2's features of the candidates that name a labelled place in the written
    contexts: prose the way articles and postings phrase a place ("hiring in Palo Alto"),
    which the real texts hold few of. Positives only: the written texts label the places
    they were built around, not every place they name."""
    by_text: dict[str, list[tuple[int, int]]] = {}
    for r in _read_jsonl(CONTEXTS_PATH):
        by_text.setdefault(r["text"], []).append((r["start"], r["end"]))
    out = []
    for text, spans in by_text.items():
        cands = _candidates(text)
        lower_words, countries = _doc_facts(text, cands)
        out += [_place_features(text, c, lower_words, countries) for c in cands
                if any(a < c.end and c.start < b for a, b in spans)]
    return out


def _fit_place(X: list[dict], y: list[int], written: list[dict]):
    weights = [1.0] * len(y) + [WRITTEN_WEIGHT] * len(written)
    return _make_pipeline(PLACE_C).fit(X + written, y + [1] * len(written), clf__sample_weight=weights)


def _context_dataset() -> tuple[list[dict], list[int], list[bool]]:
    """Step 3's examples: the written contexts (with their held-out flags) and the real
    labelled cities of the training texts (never held out here: the real held-out texts
    are the evaluation's)."""
    X, y, test = [], [], []
    by_text: dict[str, list[dict]] = {}
    for r in _read_jsonl(CONTEXTS_PATH):
        if r.get("label") not in ("job", "other"):
            raise ValueError(f"{CONTEXTS_PATH}: label must be 'job' or 'other', got {r.get('label')!r}")
        by_text.setdefault(r["text"], []).append(r)
    for text, recs in by_text.items():
        recs.sort(key=lambda r: r["start"])
        place_rows = []
        for r in recs:
            p = resolve_place(text[r["start"]:r["end"]])
            place_rows.append(p.geonameid if p else -1)
        for r, pr in zip(recs, place_rows):
            X.append(_mention_features(text, r["start"], r["end"], pr, place_rows))
            y.append(int(r["label"] == "job"))
            test.append(held_out(text, CONTEXT_HELD_OUT_PERCENT))
    for r in real_mentions(held=False):
        text = r["text"]
        places = sorted((p for p in r["places"] if p["kind"] in CITY_KINDS), key=lambda p: p["start"])
        rows = [hash((p.get("city"), p.get("country"))) for p in places]
        for p, pr in zip(places, rows):
            X.append(_mention_features(text, p["start"], p["end"], pr, rows))
            y.append(int(p["role"] == "job"))
            test.append(False)
    return X, y, test


def _read_jsonl(path: Path) -> list[dict]:
    rows = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{lineno}: {exc}") from exc
    return rows


def _fit_place_model():
    X, y, _ = _place_dataset(real_mentions(held=False))
    return _fit_place(X, y, _written_places())


def _fit_context_model():
    X, y, _ = _context_dataset()
    return _make_pipeline(CONTEXT_C).fit(X, y)


def place_threshold_curve(folds: int = 5) -> list[dict]:
    """Pooled out-of-fold precision and recall of step 2 on the training texts (folds by
    employer) at each threshold: what :data:`PLACE_THRESHOLD` is chosen from."""
    from sklearn.model_selection import GroupKFold

    X, y, groups = _place_dataset(real_mentions(held=False))
    written = _written_places()
    probs = [0.0] * len(y)
    for tr, te in GroupKFold(n_splits=folds).split(X, y, groups):
        model = _fit_place([X[i] for i in tr], [y[i] for i in tr], written)
        for i, p in zip(te, model.predict_proba([X[i] for i in te])[:, 1]):
            probs[i] = float(p)
    out = []
    positives = sum(y)
    for t in [x / 20 for x in range(2, 20)]:
        kept = [v for v, p in zip(y, probs) if p >= t]
        out.append({"threshold": t, "precision": round(sum(kept) / len(kept), 4) if kept else 1.0,
                    "recall": round(sum(kept) / positives, 4) if positives else 0.0, "kept": len(kept)})
    return out


def train_place_models(save: bool = True) -> dict:
    """Rebuild both text models (steps 2 and 3) and evaluate: step 2's cross-validated
    threshold curve on the training texts, step 3 on the written held-out contexts, and the
    location parser on ``eval_locations.jsonl``.

    Returns ``{"place": {"curve": [...]}, "context": {...}, "parser": {...}}``.
    """
    X, y, test = _context_dataset()
    Xtr = [x for x, t in zip(X, test) if not t]
    ytr = [v for v, t in zip(y, test) if not t]
    Xte = [x for x, t in zip(X, test) if t]
    yte = [v for v, t in zip(y, test) if t]
    model = _make_pipeline(CONTEXT_C).fit(Xtr, ytr)
    acc = float(sum(int(p == t) for p, t in zip(model.predict(Xte), yte)) / max(len(yte), 1))
    if save:
        save_model(_make_pipeline(CONTEXT_C).fit(X, y), CONTEXT_MODEL_PATH)
        save_model(_fit_place_model(), PLACE_MODEL_PATH)
        _context_model.cache_clear()
        _place_model.cache_clear()
    return {
        "place": {"curve": place_threshold_curve(), "threshold": PLACE_THRESHOLD},
        "context": {"accuracy": round(acc, 4), "train": len(ytr), "test": len(yte), "examples": len(y)},
        "parser": evaluate_locations(),
    }


def floors() -> dict:
    return read_floors(FLOORS_PATH)
