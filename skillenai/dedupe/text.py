"""What dedupe compares: normalised text units, boilerplate filtering, title and place keys.

A document's text is cut into *units* (its lines, and the sentences within a line); each
unit is normalised (markup gone, lower-case, words only, single spaces) and hashed with a
stable 64-bit hash. Units a company (or publication) repeats across postings for several
different titles are its boilerplate — "about us", equal-opportunity and benefits
paragraphs — and are left out of the text that is shingled, so a shared template does not
make two different jobs look alike (see :mod:`skillenai.dedupe.boilerplate`).

Titles and locations are reduced to keys for the posting gate: two postings are only
merged when their titles are compatible (same seniority, similar words) and their
locations can be the same place.
"""

from __future__ import annotations

import html
import logging
import re
import unicodedata
from functools import lru_cache
from typing import Collection, Sequence

from skillenai.dedupe.minhash import string_hashes

logger = logging.getLogger(__name__)

# Bump when anything below changes what a document's normalised text is: stored
# signatures made by another version are then recomputed.
NORMALISER_VERSION = 6

_MARKUP = re.compile(r"<(?:/?[a-zA-Z][^<>]{0,500}|!--.*?--)>", re.DOTALL)
_WORD = re.compile(r"[^\W_]+")
_SENTENCE_ENDS = (". ", "! ", "? ", "; ")


# ASCII bytes that are not letters or digits become spaces ("\n" stays: it ends a unit);
# bytes of multi-byte UTF-8 characters pass through.
_ASCII_SEPARATORS = bytes(c if (chr(c).isalnum() or c >= 0x80 or c == 10) else 32 for c in range(256))
# Characters outside ASCII that are not letters or digits (bullets, dashes, quotes,
# symbols, emoji): a regular expression, run only on text that has any.
_OTHER_SEPARATORS = re.compile(r"[^\x00-\x7f\w]|_")
# Chinese characters and Japanese kana: scripts written without spaces between words. Each
# character is made a word of its own, so word shingles of such text are character
# n-grams (a line of Japanese would otherwise be one "word", and one edit in it would
# change every shingle it is in).
_UNSPACED = re.compile("([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f])")
# A text is written mainly in an unspaced script when such characters are at least this
# share of its letters.
_UNSPACED_SHARE = 0.2


def strip_markup(text: str) -> str:
    """Text with tags removed and entities decoded (ingested text can carry both)."""
    if "<" in text:
        text = _MARKUP.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    return text


def _words_and_breaks(text: str) -> str:
    """Lower-case text with every character that is not a letter, a digit or a newline
    made a space.

    ``bytes.translate`` does the ASCII part; ``str.translate`` with a table of every
    Unicode character would take its slow path on any non-ASCII text (bullets, quotes,
    names), several times slower.
    """
    text = strip_markup(text).casefold()
    if not text.isascii():
        text = _OTHER_SEPARATORS.sub(" ", text)
        # (Most texts are ASCII once bullets and quotes are gone: no search then.)
        if not text.isascii() and _UNSPACED.search(text):
            text = _UNSPACED.sub(r" \1 ", text)
    return text.encode("utf-8").translate(_ASCII_SEPARATORS).decode("utf-8")


def normalise(text: str) -> str:
    """Lower-case words separated by single spaces: the form shingles are cut from.

    >>> normalise("<p>Senior  Engineer,&nbsp;Python-3!</p>")
    'senior engineer python 3'
    """
    return " ".join(_words_and_breaks(text).split())


def split_units(text: str) -> list[str]:
    r"""The normalised lines and sentences of ``text``, empty ones dropped.

    >>> split_units("About us. We build tools!\n• Python 3 — “fast”\n\nApply now")
    ['about us', 'we build tools', 'python 3 fast', 'apply now']
    """
    for end in _SENTENCE_ENDS:
        if end in text:
            text = text.replace(end, "\n")
    # One split and one join over the whole text: far cheaper than per line.
    tokens = _words_and_breaks(text).replace("\n", " \x01 ").split()
    return [u for u in (part.strip() for part in " ".join(tokens).split("\x01")) if u]


def text_script(text: str | None) -> str | None:
    """``"cjk"`` for a text written mainly in Chinese characters or Japanese kana (a share of
    at least ``_UNSPACED_SHARE`` of its letters), else ``None``.

    Two postings in different scripts share too little text to be compared by shingles
    (:func:`skillenai.dedupe.verify.prejudge` compares them by what they can share).

    >>> text_script("Tokyo: 東京で営業を担当"), text_script("Sales in Tokyo")
    ('cjk', None)
    """
    if not text or text.isascii():
        return None
    unspaced = len(_UNSPACED.findall(text))
    if not unspaced:
        return None
    letters = sum(1 for ch in text if ch.isalpha())
    return "cjk" if unspaced >= _UNSPACED_SHARE * letters else None


_LATIN_WORD = re.compile(r"[a-z0-9]*[a-z][a-z0-9]*")


def latin_words(units) -> frozenset[str]:
    """Words of normalised units written in Latin letters (and digits), at least two
    characters long: what a posting written in another script shares with its English
    copy (product and tool names, acronyms)."""
    return frozenset(w for unit in units for w in _LATIN_WORD.findall(unit) if len(w) > 1)


def analyse_text(text: str | None) -> tuple[list[str], list[int]]:
    """Units of ``text`` and their hashes."""
    units = split_units(text or "")
    return units, string_hashes(units).tolist()


def analyse_many(texts: Sequence[str | None], keep_units: bool = False) -> list[tuple[list[str] | None, list[int]]]:
    """``(units, hashes)`` of many texts, hashed in one pass (a worker for the process
    pool); ``units`` is ``None`` unless ``keep_units``."""
    all_units: list[str] = []
    bounds = [0]
    for text in texts:
        all_units.extend(split_units(text or ""))
        bounds.append(len(all_units))
    hashes = string_hashes(all_units).tolist()
    return [(all_units[bounds[i]:bounds[i + 1]] if keep_units else None, hashes[bounds[i]:bounds[i + 1]])
            for i in range(len(texts))]


def kept_units(text: str | None, boilerplate: Collection[int]) -> list[str]:
    """The normalised units of ``text`` that are not boilerplate: what is shingled."""
    units, hashes = analyse_text(text)
    if not boilerplate:
        return units
    return [u for u, h in zip(units, hashes) if h not in boilerplate]


def kept_units_many(texts: Sequence[str | None], boilerplates: Sequence[Collection[int]]) -> list[list[str]]:
    """:func:`kept_units` of many texts, hashed in one pass."""
    all_units: list[str] = []
    bounds = [0]
    for text in texts:
        all_units.extend(split_units(text or ""))
        bounds.append(len(all_units))
    hashes = string_hashes(all_units).tolist()
    out = []
    for i, bp in enumerate(boilerplates):
        units = all_units[bounds[i]:bounds[i + 1]]
        out.append([u for u, h in zip(units, hashes[bounds[i]:bounds[i + 1]]) if h not in bp] if bp else units)
    return out


# Titles ----------------------------------------------------------------------------------

_TITLE_ABBREVIATIONS = {
    "sr": "senior", "snr": "senior", "jr": "junior", "jnr": "junior", "mgr": "manager",
    "eng": "engineer", "engr": "engineer", "dev": "developer", "assoc": "associate",
    "mgmt": "management", "ops": "operations", "admin": "administrator", "dir": "director",
    "vp": "vice president", "swe": "software engineer", "sde": "software engineer",
    "qa": "quality assurance", "ux": "user experience", "ui": "user interface",
    "ml": "machine learning", "ai": "artificial intelligence", "sre": "site reliability engineer",
    "devops": "devops", "frontend": "front end", "backend": "back end", "fullstack": "full stack",
    "i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5",
    # A plural names the same level ("Software Engineering Interns").
    "interns": "intern", "internships": "internship", "trainees": "trainee", "apprentices": "apprentice",
    "grad": "graduate", "grads": "graduate", "graduates": "graduate",
}
# Words that set a posting's level: postings that differ in them are different jobs.
SENIORITY = frozenset({
    "intern", "internship", "trainee", "apprentice", "junior", "entry", "graduate", "associate",
    "mid", "senior", "staff", "principal", "distinguished", "lead", "head", "director",
    "president", "chief", "fellow", "1", "2", "3", "4", "5",
})
# A language the job requires: a variant that asks for one is another job, as a level is.
LANGUAGES = frozenset({
    "bilingual", "multilingual", "spanish", "french", "german", "italian", "portuguese", "dutch", "japanese",
    "korean", "mandarin", "cantonese", "chinese", "arabic", "hebrew", "turkish", "polish", "swedish", "danish",
    "norwegian", "finnish", "russian", "hindi", "speaking", "speaker",
})
# Language words that name no language: the text must name one it requires.
_ANY_LANGUAGE = frozenset({"bilingual", "multilingual", "speaking", "speaker"})
# Words that, beside a language's name in a text, make it a requirement.
_FLUENCY = frozenset({"fluent", "fluency", "bilingual", "multilingual", "native", "proficient", "proficiency",
                      "speaking", "speaker", "speak"})


def languages_required(words: frozenset[str] | set[str], text_words: frozenset[str]) -> bool:
    """Does a text (its words) ask for the languages a title's language ``words`` name:
    each language named, and, for "bilingual" or "... speaking", a word of fluency and a
    language?

    >>> languages_required({"bilingual", "spanish"}, frozenset("fluent in spanish".split()))
    True
    >>> languages_required({"bilingual"}, frozenset("sell to restaurants".split()))
    False
    """
    named = set(words) - _ANY_LANGUAGE
    if not named <= text_words:
        return False
    return not set(words) & _ANY_LANGUAGE or bool(
        text_words & _FLUENCY and text_words & (LANGUAGES - _ANY_LANGUAGE))


# Words in titles that say where or how, not what: compared through the location instead.
_TITLE_NOISE = frozenset({
    "remote", "hybrid", "onsite", "on", "site", "office", "based", "anywhere", "wfh", "home",
    "worldwide", "global", "us", "usa", "uk", "eu", "emea", "apac", "latam", "americas",
    "m", "w", "f", "d", "x", "h", "all", "genders", "and", "the", "of", "for", "in", "a", "an",
    "to", "at", "with", "time", "contract", "permanent", "temporary", "required",
})
# "M&A", "R&D", "P&L": two letters joined by "&" are one word (apart, both would be left
# out as the letters of a gender marker such as "(m/w/d)").
_AMPERSAND_PAIR = re.compile(r"\b([^\W\d_])\s?&\s?([^\W\d_])\b")
# "back-end" and "backend" are one word to a reader; so are "front end" and "frontend".
_TITLE_JOINS = re.compile(r"\b(back|front|full)[\s-]+(end|stack)\b")


_TITLE_SUFFIX = re.compile(r"\s+[-\u2013\u2014|]\s+|\s*[()\[\]]\s*")


def strip_place_suffixes(title: str) -> str:
    """The title without trailing segments that only name a place or a scope.

    >>> strip_place_suffixes("Sales Engineer - EMEA - New York")
    'Sales Engineer'
    >>> strip_place_suffixes("Software Engineer - Payments")
    'Software Engineer - Payments'
    """
    parts = [p for p in _TITLE_SUFFIX.split(title) if p.strip()]
    while len(parts) > 1 and _names_only_places(parts[-1]):
        parts.pop()
    kept = title
    if len(parts) < len([p for p in _TITLE_SUFFIX.split(title) if p.strip()]):
        # Cut at the start of the first dropped segment, keeping the title's own spelling.
        prefix = parts[-1]
        kept = title[:title.index(prefix) + len(prefix)]
    return kept.strip()


def place_suffix(title: str | None) -> str:
    """The trailing segments :func:`strip_place_suffixes` leaves out ("" if none).

    >>> place_suffix("Sales Engineer - EMEA - New York")
    'EMEA - New York'
    """
    if not title:
        return ""
    title = strip_markup(title).strip()
    kept = strip_place_suffixes(title)
    return _TITLE_SUFFIX.sub(" - ", title[len(kept):]).strip(" -")


@lru_cache(maxsize=16384)
def _names_only_places(segment: str) -> bool:
    if _gazetteer() is None or _AMPERSAND_PAIR.search(segment):  # "M&A" is no Morocco
        return False
    keys = _part_keys(segment)
    if not keys or any(k.startswith("text:") for k in keys):
        return False
    # A word that is only some small town's name ("Federal", "Enterprise") names a team.
    gaz = _gazetteer()
    for piece in re.split(r"[,/]", segment):
        words = [w for w in _WORD.findall(_fold(piece)) if w.casefold() not in _REMOTE_WORDS
                 and w.casefold() not in _PLACE_NOISE]
        entry = _lookup(" ".join(words)) if words else None
        if entry is None or entry.country or entry.region or entry.admins:
            continue
        if entry.cities and max(gaz.city(row).population for row, _ in entry.cities) < _TITLE_CITY_MIN_POPULATION:
            return False
    return True


# A title segment names a place only if it is a town of at least this many people (or a
# state, country or region).
_TITLE_CITY_MIN_POPULATION = 20_000


def title_tokens(title: str | None, location: str | None = None) -> frozenset[str]:
    """The words of a title that say what the job is, abbreviations expanded.

    Place suffixes ("Backend Engineer - NYC", "... (Remote, US)"), words of the posting's
    own location and workplace words ("Remote", "(m/w/d)") are left out: the location
    gate compares places.

    >>> sorted(title_tokens("Sr. Back-End Engineer II (Remote)"))
    ['2', 'back', 'end', 'engineer', 'senior']
    """
    if not title:
        return frozenset()
    title = strip_place_suffixes(strip_markup(title))
    text = _AMPERSAND_PAIR.sub(r"\1\2", _TITLE_JOINS.sub(r"\1 \2", title.casefold()))
    place_words = set(_WORD.findall(_fold(location).casefold())) if location else set()
    words = _WORD.findall(text)
    if any(w.isascii() for w in words):
        # "新規営業 Associate Account Executive": a gloss in another script says the title
        # again; the title is compared by its Latin words.
        words = [w for w in words if not _UNSPACED.search(w)]
    tokens = set()
    for word in words:
        for token in _TITLE_ABBREVIATIONS.get(word, word).split():
            if token not in _TITLE_NOISE and token not in place_words:
                tokens.add(token)
    return frozenset(tokens)


# Region and territory words in titles ("Account Executive, Midwest", "..., NorCal").
_REGION_WORDS = frozenset({
    "midwest", "southwest", "southeast", "northeast", "northwest", "norcal", "socal", "pnw", "east", "west",
    "north", "south", "central", "northern", "southern", "eastern", "western", "dach", "nordics", "nordic",
    "benelux", "anz", "uki", "apac", "latam", "mena", "emea", "la", "nyc", "sf", "bay", "metro", "tristate",
})
# Title words that are also the name of some place the gazetteer knows.
_NOT_PLACES_IN_TITLES = frozenset({"media", "fleet", "ventas", "roles", "mile", "rest", "barra", "human", "sales",
                                   "data", "lead", "security", "support", "service", "product", "growth"})


@lru_cache(maxsize=65536)
def is_place_word(word: str) -> bool:
    """Does a title word name a place (a region word, a country, state or region, or a
    city of at least ``_TITLE_CITY_MIN_POPULATION`` people)?"""
    if word in _REGION_WORDS:
        return True
    if word in _NOT_PLACES_IN_TITLES or word in _NOT_PLACES_IN_TEXT or len(word) < 3 or _gazetteer() is None:
        return False
    entry = _lookup(word)
    if entry is None:
        return False
    if entry.country or entry.region or entry.admins:
        return True
    gaz = _gazetteer()
    return bool(entry.cities) and max(gaz.city(row).population for row, _ in entry.cities) >= _TITLE_CITY_MIN_POPULATION


def place_words(key_a: str | None, key_b: str | None) -> tuple[float, bool]:
    """Two title keys compared without their place words: ``(similarity, differ)``, where
    ``differ`` says the titles name different places ("Account Representative, Midwest"
    against "Account Representative, Miami")."""
    a, b = key_words(key_a), key_words(key_b)
    placed = {w for w in a ^ b if is_place_word(w)}
    if not placed:
        return _set_similarity(a, b), False
    return _set_similarity(a - placed, b - placed), True


def place_free_similarity(key_a: str | None, key_b: str | None) -> float | None:
    """:func:`place_words`' similarity, or ``None`` when the titles name no place the
    other lacks (their similarity is then :func:`title_similarity`)."""
    a, b = key_words(key_a), key_words(key_b)
    placed = {w for w in a ^ b if is_place_word(w)}
    return _set_similarity(a - placed, b - placed) if placed else None


@lru_cache(maxsize=65536)
def key_words(key: str | None) -> frozenset[str]:
    """The words of a title key, as a set."""
    return frozenset((key or "").split())


@lru_cache(maxsize=65536)
def place_free(key: str | None) -> frozenset[str]:
    """The words of a title key that are not place words."""
    return frozenset(w for w in key_words(key) if not is_place_word(w))


def _set_similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    if (a & SENIORITY) != (b & SENIORITY) or (a & LANGUAGES) != (b & LANGUAGES):
        return 0.0
    return len(a & b) / len(a | b)


@lru_cache(maxsize=65536)
def title_within(key_a: str | None, key_b: str | None) -> bool:
    """Are the words of one title key, place words aside, all in the other, with the same
    level words? A repost that drops or adds a team name ("Sr. Machine Learning
    Engineer" against "..., Earner Growth") or the language it asks for ("..., Southwest"
    against "..., Southwest (Bilingual Spanish Required)"); verification then asks the
    other posting's text to use the words its title lacks (to require the language).
    """
    a, b = place_free(key_a), place_free(key_b)
    if not a or not b or (a & SENIORITY) != (b & SENIORITY):
        return False
    return a <= b or b <= a


@lru_cache(maxsize=65536)
def title_key(title: str | None, location: str | None = None) -> str:
    """``title_tokens`` as one sorted, space-separated string (stored in ``minhashes``)."""
    return " ".join(sorted(title_tokens(title, location)))


def title_similarity(key_a: str | None, key_b: str | None) -> float:
    """Word Jaccard of two title keys; 0 when their seniority or language words differ.

    Two empty keys (no titles) compare as 1: nothing tells them apart.

    >>> title_similarity("back end engineer senior", "back end engineer senior")
    1.0
    >>> title_similarity("back end engineer senior", "back end engineer")
    0.0
    """
    return _set_similarity(key_words(key_a), key_words(key_b))


# Locations -------------------------------------------------------------------------------

_REMOTE_WORDS = frozenset({
    "remote", "anywhere", "wfh", "telecommute", "telecommuting", "distributed", "worldwide",
    "virtual", "home", "global",
})
_PLACE_NOISE = frozenset({
    "hybrid", "onsite", "on", "site", "office", "offices", "hq", "headquarters", "based", "area",
    "greater", "metro", "metropolitan", "region", "only", "time", "zones", "zone", "timezones",
    "in", "from", "or", "and", "the", "of", "work", "working", "first", "friendly", "flexible",
    "fully", "hub", "campus", "within", "location", "locations", "multiple", "city",
    # What boards write when they give no place ("Remote job", "Unspecified").
    "job", "jobs", "unspecified", "unknown", "various", "tbd", "n", "a",
})
_CODE_PATH = re.compile(r"^([A-Z]{2})-([A-Z0-9]{1,3})-(\w[^-]*)$")
_PART_SPLIT = re.compile(r"\s*(?:[;|/\n]|\bor\b|\s&\s|\band\b|\+)\s*", re.IGNORECASE)
_SEGMENTS = re.compile(r"[,(){}\[\]:]|\s[-\u2013\u2014]\s|^[-\u2013\u2014]|[-\u2013\u2014]$")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch))


@lru_cache(maxsize=1)
def _gazetteer():
    """The project's gazetteer when it is available; dedupe works (less well) without it."""
    try:
        from skillenai.classify.places.gazetteer import gazetteer

        return gazetteer()
    except Exception as exc:  # noqa: BLE001 - an optional aid, never a reason to fail
        logger.warning("gazetteer unavailable (%s); locations compared by their words", exc)
        return None


def _lookup(name: str):
    gaz = _gazetteer()
    if gaz is None or not name:
        return None
    try:
        return gaz.lookup(name)
    except Exception as exc:  # noqa: BLE001
        logger.debug("gazetteer lookup of %r failed: %s", name, exc)
        return None


# Places named in text: a city this large (smaller towns share their names
# with too many words), never one of these words.
_TEXT_CITY_MIN_POPULATION = 100_000
_NOT_PLACES_IN_TEXT = frozenset({
    "mobile", "reading", "nice", "split", "deal", "orange", "hope", "independence", "commerce", "enterprise",
    "university", "college", "union", "progress", "liberty", "victoria", "surprise", "bath", "gary", "tyler",
    "jackson", "lincoln", "eugene", "columbia", "mission", "vista", "temple", "salem", "aurora",
})


def cities_named(units) -> frozenset[str]:
    """Cities (of at least ``_TEXT_CITY_MIN_POPULATION`` people) named in normalised
    units, as ``city:<geonameid>``: what tells per-city copies of a posting apart when
    they differ in a line or two. Countries are left out: pay zones and hiring countries
    are listed in one copy of a job and not in another."""
    if _gazetteer() is None:
        return frozenset()
    found = set()
    for unit in units:
        found.update(_unit_places(unit))
    return frozenset(found)


@lru_cache(maxsize=65536)
def _unit_places(unit: str) -> frozenset[str]:
    gaz = _gazetteer()
    words = unit.split()
    found = set()
    i = 0
    while i < len(words):
        for n in (3, 2, 1):
            name = " ".join(words[i:i + n])
            if len(words[i:i + n]) < n or len(name) < 4 or name in _NOT_PLACES_IN_TEXT or name.isdigit():
                continue
            try:
                entry = gaz.lookup_key(_fold(name))
            except Exception:  # noqa: BLE001 - an aid, never a reason to fail
                entry = None
            if entry is None:
                continue
            if entry.cities and not (entry.country or entry.region):
                city = max((gaz.city(row) for row, _ in entry.cities), key=lambda c: c.population)
                if city.population < _TEXT_CITY_MIN_POPULATION:
                    continue
                found.add(f"city:{city.geonameid}")
            else:
                continue
            i += n - 1
            break
        i += 1
    return frozenset(found)


_YEARS = re.compile(r"\b(\d{1,2}) (?:years?|yrs)\b")


def years_named(units) -> frozenset[int]:
    """Numbers of years normalised units name ("8+ years of experience" → 8)."""
    return frozenset(int(n) for unit in units if "y" in unit for n in _YEARS.findall(unit))


def cities_in_one_country(key_a: str | None, key_b: str | None) -> bool:
    """Do two location keys each name a city, all of them in one country?"""
    countries = [{k[3:] for k in (key or "").split("|") if k.startswith("in:")} for key in (key_a, key_b)]
    return len(countries[0]) == 1 and countries[0] == countries[1]


# A bare city name within this much of the best candidate's prior stays ambiguous
# ("San Mateo": California or Rizal), so either reading matches a qualified one.
_AMBIGUITY = 1.5
_MAX_ALTERNATIVES = 3


def _segments(part: str) -> list[tuple[list[str], object]]:
    """The segments of one place ("Bucharest, Bucuresti, RO") with their gazetteer entries."""
    out = []
    for segment in _SEGMENTS.split(_fold(part)):
        # Case is kept so that codes ("NYC", "CA", "UK") are read as codes; postal
        # district numbers ("Dublin 2") are not part of the name.
        all_words = [w for w in _WORD.findall(segment) if not w.isdigit()]
        words = [w for w in all_words
                 if w.casefold() not in _PLACE_NOISE and w.casefold() not in _REMOTE_WORDS]
        if words:
            # The whole segment first: "San Francisco Bay Area" is a name, "Area" and all.
            entry = _lookup(" ".join(all_words)) if len(all_words) > len(words) else None
            out.append((words, entry or _lookup(" ".join(words))))
    return out


def _qualifies(entry, cities: list[tuple[int, int]]) -> bool:
    """Is ``entry`` a state or country one of these cities lies in?"""
    gaz = _gazetteer()
    admins = set(entry.admins)
    return any((gaz.city(row).country, gaz.city(row).admin1) in admins or gaz.city(row).country == entry.country
               for row, _ in cities)


def _place_key(cities: list[tuple[int, int]], qualifiers: list) -> tuple[str, set[str]]:
    """A place key from a name's city candidates and the names that qualify it, and the
    countries those cities lie in."""
    gaz = _gazetteer()
    admins = {a for e in qualifiers for a in e.admins}
    countries = {e.country for e in qualifiers if e.country}

    def rank(candidate: tuple[int, int]) -> tuple[int, float]:
        # "Arlington, VA, US" is Arlington, Virginia: a state match outranks a country
        # match, which outranks the bare prior (population, name quality).
        city = gaz.city(candidate[0])
        fit = 2 if (city.country, city.admin1) in admins else 1 if city.country in countries else 0
        return fit, gaz.score(*candidate)

    ranked = sorted(cities, key=rank, reverse=True)
    best_fit, best_score = rank(ranked[0])
    chosen = [c for c in ranked if rank(c)[0] == best_fit and rank(c)[1] >= best_score - _AMBIGUITY]
    found = {}
    countries = set()
    for row, _ in chosen[:_MAX_ALTERNATIVES]:
        found[gaz.place(row).city_id] = " ".join(_WORD.findall(_fold(gaz.city(row).name).casefold()))
        countries.add(gaz.city(row).country)
    return "~".join(f"city:{i}:{found[i]}" for i in sorted(found)), countries


def _part_keys(part: str) -> list[str]:
    """Keys of one part of a location string ("San Francisco, CA (HQ)", "Remote - US",
    "Bucharest, SF"): its places in order, then scopes and ``remote``."""
    part = _CODE_PATH.sub(r"\3, \2, \1", part.strip())  # Greenhouse's "US-CA-Irvine"
    remote = any(w in _REMOTE_WORDS for w in _WORD.findall(_fold(part).casefold()))
    if _gazetteer() is None:
        words = [w.casefold() for w in _WORD.findall(_fold(part))
                 if w.casefold() not in _PLACE_NOISE and w.casefold() not in _REMOTE_WORDS]
        return (["text:" + " ".join(words)] if words else []) + (["remote"] if remote else [])
    # Each segment either qualifies the city before it (a state or country it lies in) or
    # names a place of its own: "Austin, TX" is one city, "Bucharest, SF" two.
    places: list[tuple[list, list]] = []  # (city candidates, qualifying entries) or ([words], None)
    scopes: list[str] = []
    segments = _segments(part)
    for i, (words, entry) in enumerate(segments):
        last = places[-1] if places else None
        city_before = last is not None and last[1] is not None
        city_after = any(e is not None and e.cities for _, e in segments[i + 1:])
        if entry is not None and city_before and (entry.admins or entry.country) and _qualifies(entry, last[0]):
            last[1].append(entry)
        elif entry is not None and entry.cities and not (
                (entry.country or entry.admins) and city_after and not _qualifies(entry, entry.cities)):
            # "Poland - Warsaw": a country first (Poland, Maine is not meant); but
            # "Bucharest, SF" names Bucharest, a city within the region of its name.
            places.append((entry.cities, []))
        elif entry is not None and (entry.country or entry.region or entry.admins):
            if entry.country:
                scopes.append(f"country:{entry.country}")
                if any(country != entry.country for country, _ in entry.admins):
                    # "CA": Canada, or California; "GA": Gabon, or Georgia. Which one, and
                    # so which cities lie in it, the string does not say.
                    scopes.append("ambiguous")
            elif entry.region:
                scopes.append(f"region:{entry.region}")
            else:
                scopes.append("admin:%s-%s" % entry.admins[0])
        else:
            places.append(([" ".join(w.casefold() for w in words)], None))
    keys, within = [], set()
    for c, q in places:
        if q is None:
            keys.append("text:" + c[0])
        else:
            key, countries = _place_key(c, q)
            keys.append(key)
            within.update(countries)
    if not any(k.startswith("city:") for k in keys):
        keys.extend(scopes)
    # The countries the cities lie in: a posting that names only the country is the same place.
    keys.extend(f"in:{c}" for c in sorted(within) if c)
    return keys + (["remote"] if remote else [])


@lru_cache(maxsize=65536)
def location_key(location: str | None) -> str:
    """The places a location string can denote, as keys joined by ``|``.

    Places come first, in the order the string names them (the first is the posting's
    main place): ``city:<entity id>:<name>`` (several joined by ``~`` when a bare name
    is ambiguous: "San Mateo") or ``text:<words>`` for a place the gazetteer does not know.
    Then ``country:XX``, ``region:EMEA`` and ``admin:US-CA`` for a posting that names
    only a scope (and ``ambiguous`` when a code names a country and a state of another:
    "CA"), ``in:XX`` for the countries its cities lie in, and ``remote``, sorted.
    ``""``: no location given.
    """
    if not location or not location.strip():
        return ""
    places: list[str] = []
    others: set[str] = set()
    for part in _PART_SPLIT.split(location):
        if part.strip():
            for key in _part_keys(part):
                if key.startswith(("city:", "text:")):
                    if key not in places:
                        places.append(key)
                else:
                    others.add(key)
    return "|".join(places + sorted(others))


def names_a_place(key: str | None) -> bool:
    """Does a location key name a city (or a place the gazetteer does not know)?"""
    return any(k.startswith(("city:", "text:")) for k in (key or "").split("|"))


@lru_cache(maxsize=65536)
def posting_location_key(title: str | None, location: str | None) -> str:
    """A posting's :func:`location_key`, with the places its title ends in when its
    location names none ("Customer Engineer - Bay Area" at "Hybrid"): per-city copies
    often say their city only there."""
    key = location_key(location)
    if names_a_place(key):
        return key
    suffix = place_suffix(title)
    return location_key("; ".join(x for x in (suffix, location) if x)) if suffix else key


@lru_cache(maxsize=65536)
def locations_compatible(key_a: str | None, key_b: str | None) -> bool:
    """Can two postings with these location keys be the same job?

    Unknown (empty) locations are compatible with anything. Postings that name places
    must each have their main (first) place among the other's places: a re-listing that
    adds a city is the same job, while the same role in a city the re-listing added is
    not. Places are cities, not metro areas: a company's San Mateo and San Francisco
    openings are different jobs. A posting that names only a remote scope ("Remote -
    US") is a different job from one in a city, unless that one is also open to remote
    work; two remote postings must have overlapping scopes (an unscoped "Remote"
    overlaps any), and a remote scope overlaps a remote posting in a city only if the
    city lies in it. A posting that names only a country (not remote) overlaps one in a
    city of that country ("ES - Spain" and "Barcelona, Spain"). A scope named by a code
    that is a country and a state of another ("Remote - CA": Canada or California)
    overlaps no posting in a city: which cities lie in it is not known.
    """
    if not key_a or not key_b:
        return True
    a = key_a.split("|")
    b = key_b.split("|")
    places_a = [k for k in a if k.startswith(("city:", "text:"))]
    places_b = [k for k in b if k.startswith(("city:", "text:"))]
    if places_a and places_b:
        return _among(places_a[0], places_b) and _among(places_b[0], places_a)
    if places_a or places_b:
        located, scoped = (a, b) if places_a else (b, a)
        if "ambiguous" in scoped:
            return False  # "Remote - CA" and "Remote - Vancouver": Canada, or California?
        countries = _scope_countries(set(scoped))
        within = {k[3:] for k in located if k.startswith("in:")}
        if "remote" in a and "remote" in b:
            # "Remote - US" and "San Francisco (Remote)" overlap; "Remote - CA" (California)
            # and "Remote - Vancouver" do not.
            return not countries or not within or bool(countries & within)
        return "remote" not in scoped and bool(countries & within)
    scopes_a = _scope_countries(set(a))
    scopes_b = _scope_countries(set(b))
    return not scopes_a or not scopes_b or bool(scopes_a & scopes_b)


def _among(place: str, places: list[str]) -> bool:
    mine = set(place.split("~"))
    return any(mine & set(other.split("~")) or _same_place(place, other) for other in places)


def _same_place(x: str, y: str) -> bool:
    """An unresolved name against another place key: does one name contain the other?"""
    if not (x.startswith("text:") or y.startswith("text:")):
        return False
    names = [_place_name(k) for k in (x, y)]
    if not all(names):
        return False
    return any(f" {p} " in f" {q} " or f" {q} " in f" {p} " for p in names[0] for q in names[1])


def _place_name(key: str) -> tuple[str, ...]:
    """The folded names a place key stands for."""
    names = []
    for alternative in key.split("~"):
        kind, _, value = alternative.partition(":")
        names.append(value if kind == "text" else value.partition(":")[2])
    return tuple(n for n in names if n)


def _scope_countries(keys: set[str]) -> set[str]:
    out = set()
    for key in keys:
        kind, _, value = key.partition(":")
        if kind == "country":
            out.add(value)
        elif kind == "admin":
            out.add(value.split("-", 1)[0])
        elif kind == "region":
            out.add(key)  # a region stands for itself
    return out
