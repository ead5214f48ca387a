"""SOC 2018 occupation from a job title: a detailed code ("15-1252 Software Developers")
with a score, or ``unclassified`` with the reason.

The model is a nearest-neighbour search over the normalised title
(:func:`skillenai.classify.roles.normalize_title`): TF-IDF character n-grams (2–5, within
words) and word n-grams (1–2), cosine similarity, the ``NEIGHBOURS`` closest labelled titles
voting with weight similarity⁴, so the closest ones decide. A title is coded with the
winning code; its score is the best similarity among the winner's voters times the winner's
share of the votes. The labelled titles it searches:

- every O*NET-SOC 2019 occupation title, and its singular ("Pharmacists" → "pharmacist");
- the project's aliases (``data/roles/soc/aliases.csv``: "Backend Engineer", "SRE",
  "Account Executive", which no occupation title spells);
- the written and real labelled titles (``data/roles/written_titles.csv``,
  ``data/roles/real_titles_train.csv``);
- the family-labelled titles of ``titles.csv`` whose family has one usual occupation
  (``data/roles/soc/family_soc.csv``: Frontend Engineer → 15-1254), managers and leads
  left out.

A title is ``unclassified`` when it is empty ("empty title"), names no job ("not a job
(talent pool / open application)"), holds no word any labelled title holds ("no known
words": "xkcd blorp" is near some title by its letters alone), or its score is under
``MIN_SCORE`` ("low confidence: top score x"). Searching a few thousand titles costs about
a matrix product per batch (:func:`nearest_titles`: scikit-learn's search, without scaling
the labelled titles again each time), and the index is small (no per-class weights for 867 classes).

A title that heads a function ("Manager, Security Operations", "Head of Data Science",
"Director, Payments Engineering") is coded as the manager of what the nearest titles do,
not as the people managed: the occupation found is moved to its management occupation
(:data:`MANAGEMENT`: a security analyst's manager is a computer and information systems
manager, 11-3021). Titles where "manager" names a specialist ("Account Manager",
"Program Manager", "Customer Success Manager") are left alone.

The model is ``skillenai/classify/models/occupation.skops``, rebuilt by
:func:`train_occupation_model` (also when the file is missing). Data and attribution:
``skillenai/classify/data/roles/soc/README.md``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache

from skillenai.classify.resources import CLASSIFY_DATA, MODELS_DIR
from skillenai.classify.roles import OTHER, families, normalize_title, read_labelled_titles, read_titles
from skillenai.classify.training import load_or_train, save_model

SOC_DIR = CLASSIFY_DATA / "roles" / "soc"
STRUCTURE_PATH = SOC_DIR / "structure.csv"
ONET_PATH = SOC_DIR / "onet_occupations.tsv"
ALIASES_PATH = SOC_DIR / "aliases.csv"
ROLLUP_PATH = SOC_DIR / "families.csv"
FAMILY_SOC_PATH = SOC_DIR / "family_soc.csv"
MODEL_PATH = MODELS_DIR / "occupation.skops"
NEIGHBOURS = 10
MIN_SCORE = 0.05
# Which titles that head a function are moved to the management occupation ("off",
# "leading": "Manager, X", "Head of X", "Director of X"; "any": also "X Manager",
# "X Director"), and the least share of a title's words the labelled titles must hold;
# both chosen by cross-validation on the training titles
# (python -m evaluation.roles_real --tune). Cross-validation now leans to "any" by a
# hair, but only through trailing "Manager" titles the labelled sources code apart (one
# board's "X Manager" is a manager, 11-xxxx; the security list's "Security Incident
# Response Manager" an analyst, 15-1212): "leading" is kept until they agree.
MANAGERS = "leading"
MIN_KNOWN = 0.01
_SOC_CODE = re.compile(r"^\d{2}-\d{4}$")
_MANAGES = re.compile(r"\b(?:manager|head|director|vp|vice president|chief|lead(?:er)?|supervisor)\b", re.I)

EMPTY = "empty title"
NO_KNOWN_WORDS = "no known words"
NOT_A_JOB = "not a job (talent pool / open application)"
# Postings that invite applications for no particular job.
NOT_A_JOB_PATTERN = re.compile(
    r"\b(?:open|general|spontaneous|unsolicited|speculative)\s+application|\btalent\s+(?:pool|community|network)"
    r"|\bgeneral\s+interest|\bexpression\s+of\s+interest|\bfuture\s+opportunit|\bjoin\s+our\s+(?:team|talent)"
    r"|\bhackathon|\binitiativbewerbung|\bcandidature\s+spontan|\bdon'?t\s+see\s+(?:a|the)\s+(?:role|job)",
    re.I)


# The management occupation of each function, by the SOC code (or group prefix) of the
# people managed; the longest prefix decides. Functions without an entry keep their code
# (a legal director is a lawyer, a program manager a project management specialist).
MANAGEMENT = {
    "15-1": "11-3021",  # computer occupations: computer and information systems managers
    "15-2": "11-3021",  # data scientists, analysts, operations research (the analytics-manager alias)
    "17-2": "11-9041",  # engineers: architectural and engineering managers
    "17-3": "11-9041",
    "19-": "11-9121",  # scientists: natural sciences managers
    "29-": "11-9111",  # health practitioners: medical and health services managers
    "31-": "11-9111",
    "41-": "11-2022",  # sales workers: sales managers
    "13-2": "11-3031",  # financial specialists: financial managers
    "43-3": "11-3031",
    "13-1071": "11-3121",  # HR specialists and recruiters: human resources managers
    "13-1141": "11-3111",  # compensation and benefits
    "13-1151": "11-3131",  # training and development
    "13-1161": "11-2021",  # marketing specialists: marketing managers
    "27-3031": "11-2032",  # public relations specialists
    "13-1041": "11-9199",  # compliance officers: compliance managers (11-9199.02)
    "13-1081": "11-3071",  # logisticians: transportation, storage and distribution managers
    "13-1023": "11-3061",  # purchasing agents: purchasing managers
}
# Words that head a function at the start of a normalised title ("manager security
# operations", "head of data"), and words before "manager" or "director" that make it a
# specialist's title, not a manager's ("account manager", "program director").
_HEADS = re.compile(r"^(?:(?:senior |sr |group |global |regional |general )?manager(?: of)?|head of|director(?: of)?"
                    r"|managing director|vp(?: of)?|vice president(?: of)?|svp|evp)\b")
_SPECIALIST = {"account", "accounts", "program", "programme", "project", "product", "partner", "partnerships",
               "success", "community", "media", "relationship", "case", "territory", "engagement", "category",
               "brand", "content", "campaign", "property", "client", "channel", "care", "office", "store",
               "shift", "delivery", "release", "launch", "expansion", "growth", "market", "city", "country",
               "general", "creative", "art", "medical", "funeral", "casting", "technical", "solutions",
               "implementation", "onboarding", "enablement", "grant", "grants", "event", "events", "social"}
_LEADS = re.compile(r"\b(\w+)\s+(?:manager|director)\b")


def heads_a_function(norm: str, forms: str = "any") -> bool:
    """Whether a normalised title is a manager's of a function, not a specialist's called
    manager ("account manager", "program manager"). ``forms``: ``"leading"`` reads only
    titles that open with the head ("manager security operations", "head of data
    science"); ``"any"`` also those that end with it ("security operations manager").

    >>> heads_a_function("manager security operations"), heads_a_function("account manager uber eats")
    (True, False)
    >>> heads_a_function("security operations manager"), heads_a_function("security operations manager", "leading")
    (True, False)
    """
    if forms == "off":
        return False
    if _HEADS.match(norm):
        return True
    if forms != "any":
        return False
    m = _LEADS.search(norm)
    return m is not None and m.group(1) not in _SPECIALIST


def management_code(code: str) -> str | None:
    """The management occupation over the people of ``code``, or None where none is listed."""
    best = max((p for p in MANAGEMENT if code.startswith(p)), key=len, default=None)
    return MANAGEMENT[best] if best else None


def as_manager(norm: str, occupation: "Occupation", forms: str = MANAGERS) -> "Occupation":
    """``occupation`` moved to its management occupation when the normalised title heads a
    function (:func:`heads_a_function` with ``forms``); unchanged otherwise, and for codes
    already in management (11-xxxx) or supervision (first-line supervisors, xx-1xxx)."""
    code = occupation.code
    if code is None or code.startswith("11-") or (code[3] == "1" and int(code[:2]) >= 33) \
            or not heads_a_function(norm, forms):
        return occupation
    managed = management_code(code)
    if managed is None:
        return occupation
    return Occupation(managed, soc_title(managed), occupation.score)


@dataclass(frozen=True, slots=True)
class Occupation:
    """A title's SOC 2018 detailed occupation (``code``, ``title``, ``score``), or, with
    ``code`` None, why it has none (``reason``)."""

    code: str | None
    title: str | None
    score: float
    reason: str | None = None

    @property
    def major(self) -> str | None:
        """The SOC major group ("15-0000"), or None when unclassified."""
        return f"{self.code[:2]}-0000" if self.code else None

    def as_dict(self) -> dict:
        if self.code is None:
            return {"code": None, "unclassified": self.reason, "score": self.score}
        return {"code": self.code, "title": self.title, "major": self.major,
                "major_title": soc_title(self.major), "score": self.score}


@dataclass(frozen=True, slots=True)
class SocGroup:
    code: str
    level: str  # major | minor | broad | detailed
    title: str
    parent: str | None


@lru_cache(maxsize=1)
def soc_structure() -> dict[str, SocGroup]:
    """Every SOC 2018 group and detailed occupation by code."""
    out = {}
    with STRUCTURE_PATH.open(encoding="utf-8", newline="") as fh:
        for lineno, row in enumerate(csv.DictReader(fh), 2):
            code = row["soc_code"]
            if not _SOC_CODE.match(code) or row["level"] not in ("major", "minor", "broad", "detailed"):
                raise ValueError(f"{STRUCTURE_PATH}:{lineno}: bad row {row}")
            out[code] = SocGroup(code, row["level"], row["title"], row["parent"] or None)
    return out


def soc_title(code: str | None) -> str | None:
    """The official title of a SOC code ("15-1252" → "Software Developers"), or None."""
    group = soc_structure().get(code or "")
    return group.title if group else None


def occupation_table() -> list[dict]:
    """Every SOC 2018 group and occupation (code, level, title, parent), for the store."""
    return [{"code": g.code, "level": g.level, "title": g.title, "parent": g.parent}
            for g in soc_structure().values()]


def _check_code(code: str, where: str) -> str:
    group = soc_structure().get(code)
    if group is None or group.level != "detailed":
        raise ValueError(f"{where}: {code!r} is not a SOC 2018 detailed occupation")
    return code


@lru_cache(maxsize=1)
def _rollup() -> dict[str, str]:
    known = set(families()) | {OTHER}
    out = {}
    with ROLLUP_PATH.open(encoding="utf-8", newline="") as fh:
        for lineno, row in enumerate(csv.DictReader(fh), 2):
            if row["soc_code"] not in soc_structure() or row["family"] not in known:
                raise ValueError(f"{ROLLUP_PATH}:{lineno}: unknown SOC code or family in {row}")
            out[row["soc_code"]] = row["family"]
    return out


def family_of(code: str | None) -> str | None:
    """The role family a SOC occupation rolls up to (``data/roles/soc/families.csv``, the most
    specific group listed): a family name, ``"Other"`` where none of the 36 fits (a cook,
    a welder), or None where the occupation spans several families (11-2021 holds product and
    marketing managers).

    >>> family_of("15-1254"), family_of("35-2014"), family_of("11-2021")
    ('Frontend Engineer', 'Other', None)
    """
    table = _rollup()
    group = soc_structure().get(code or "")
    while group is not None:
        if group.code in table:
            return table[group.code]
        group = soc_structure().get(group.parent or "")
    return None


# -- training data ---------------------------------------------------------------------------

def _singular(word: str) -> str:
    irregular = {"women": "woman", "men": "man", "people": "person", "staff": "staff"}
    if word in irregular:
        return irregular[word]
    if re.search(r"(ss|us|is|ics)$", word):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if re.search(r"(ches|shes|sses|xes)$", word):
        return word[:-2]
    return word[:-1] if word.endswith("s") else word


def training_examples(exclude: frozenset[str] = frozenset()) -> tuple[list[str], list[str]]:
    """``(normalised titles, SOC codes)`` the model searches, deduplicated; labelled titles
    in ``exclude`` left out (cross-validation)."""
    pairs: dict[tuple[str, str], None] = {}

    def add(title: str, code: str) -> None:
        norm = normalize_title(title, strip_locations=False) if title.strip() else ""
        if norm:
            pairs[(norm, code)] = None

    with ONET_PATH.open(encoding="utf-8", newline="") as fh:
        for lineno, row in enumerate(csv.DictReader(fh, delimiter="\t"), 2):
            code = _check_code(row["soc_code"], f"{ONET_PATH}:{lineno}")
            add(row["title"], code)
            words = row["title"].split()
            add(" ".join(words[:-1] + [_singular(words[-1].lower())]), code)
    with ALIASES_PATH.open(encoding="utf-8", newline="") as fh:
        for lineno, row in enumerate(csv.DictReader(fh), 2):
            add(row["title"], _check_code(row["soc"], f"{ALIASES_PATH}:{lineno}"))
    for row in read_labelled_titles(exclude):
        add(row["title"], _check_code(row["soc"], row["where"]))
    usual = {}
    with FAMILY_SOC_PATH.open(encoding="utf-8", newline="") as fh:
        for lineno, row in enumerate(csv.DictReader(fh), 2):
            usual[row["family"]] = _check_code(row["soc"], f"{FAMILY_SOC_PATH}:{lineno}")
    for title, family in zip(*read_titles()):
        # A family's managers are not in its usual occupation (a head of security manages
        # security analysts): their occupations come from the sources above.
        if family in usual and not _MANAGES.search(title):
            add(title, usual[family])
    titles = [t for t, _ in pairs]
    codes = [c for _, c in pairs]
    return titles, codes


def _features():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    return FeatureUnion([
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
        ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True,
                                  token_pattern=r"(?u)\b[\w+#.]+\b")),
    ])


def fit_occupation_model(titles: list[str], codes: list[str]) -> dict:
    """A fitted model over normalised ``titles`` labelled with ``codes``."""
    import numpy as np
    from sklearn.neighbors import NearestNeighbors
    from sklearn.preprocessing import normalize

    features = _features()
    matrix = normalize(features.fit_transform(titles))
    index = NearestNeighbors(n_neighbors=min(NEIGHBOURS, len(titles)), metric="cosine", algorithm="brute")
    index.fit(matrix)
    return {"features": features, "index": index, "codes": np.asarray(codes)}


def _fit_final() -> dict:
    return fit_occupation_model(*training_examples())


@lru_cache(maxsize=1)
def _model() -> dict:
    return load_or_train(MODEL_PATH, _fit_final)


def train_occupation_model(save: bool = True) -> dict:
    """Rebuild the occupation model from the shipped data; return what it was built from.

    Its evaluation is on real titles: ``python -m evaluation.roles_real``.
    """
    titles, codes = training_examples()
    if save:
        save_model(fit_occupation_model(titles, codes), MODEL_PATH)
        _model.cache_clear()
    return {"examples": len(titles), "codes": len(set(codes))}


@lru_cache(maxsize=4)
def _unit_rows_t(index) -> object:
    """The labelled titles' rows of a fitted ``NearestNeighbors`` scaled to unit length and
    transposed, as its cosine metric scales them again on every query (made once)."""
    from sklearn.preprocessing import normalize

    return normalize(index._fit_X, copy=True).T


def nearest_titles(index, matrix) -> tuple[object, object]:
    """``index.kneighbors(matrix)`` of a brute-force cosine ``NearestNeighbors``, exactly
    (the same distances, neighbours and order of ties), without scaling the labelled titles
    again for every batch: the same product of unit rows, ``1 - similarity`` clipped, and
    the same partition and sort of each row."""
    import numpy as np
    from sklearn.preprocessing import normalize
    from sklearn.utils.extmath import safe_sparse_dot

    try:
        from sklearn.metrics._pairwise_distances_reduction import ArgKmin

        reduced = ArgKmin.is_usable_for(matrix, index._fit_X, index.effective_metric_)
    except ImportError:  # another scikit-learn: let it search as it does
        reduced = True
    if index.metric != "cosine" or index._fit_method != "brute" or reduced:
        return index.kneighbors(matrix)
    dist = safe_sparse_dot(normalize(matrix, copy=True), _unit_rows_t(index), dense_output=True)
    dist *= -1
    dist += 1
    dist = np.clip(dist, 0.0, 2.0)
    k = index.n_neighbors
    rows = np.arange(dist.shape[0])[:, None]
    neighbours = np.argpartition(dist, k - 1, axis=1)[:, :k]
    neighbours = neighbours[rows, np.argsort(dist[rows, neighbours])]
    return dist[rows, neighbours], neighbours


def _decide(model: dict, norms: list[str]) -> list[tuple[str, float]]:
    import numpy as np
    from sklearn.preprocessing import normalize

    matrix = normalize(model["features"].transform(norms))
    distances, indexes = nearest_titles(model["index"], matrix)
    codes = model["codes"]
    out = []
    for dist, idx in zip(distances, indexes):
        sims = np.clip(1.0 - dist, 0.0, 1.0)
        votes: dict[str, float] = {}
        best: dict[str, float] = {}
        for sim, i in zip(sims, idx):
            code = str(codes[i])
            votes[code] = votes.get(code, 0.0) + sim ** 4
            best[code] = max(best.get(code, 0.0), sim)
        total = sum(votes.values())
        code = max(votes, key=lambda c: (votes[c], best[c], c))
        share = votes[code] / total if total else 0.0
        out.append((code, float(best[code] * share)))
    return out


_WORD = re.compile(r"(?u)\b[\w+#.]*[^\W\d_][\w+#.]*\b")


def known_share(model: dict, norm: str) -> float:
    """The share of a normalised title's words (with a letter) that some labelled title
    holds; 1.0 for a title without such words ("2026")."""
    vocabulary = model["features"].transformer_list[1][1].vocabulary_
    words = _WORD.findall(norm)
    return sum(w in vocabulary for w in words) / len(words) if words else 1.0


def classify_occupations(titles: list[str], *, min_score: float = MIN_SCORE, model: dict | None = None,
                         norms: list[str] | None = None, managers: str = MANAGERS,
                         min_known: float = MIN_KNOWN) -> list[Occupation]:
    """SOC occupations for many titles with one model call; ``code`` None with a reason
    where none is given. ``model``: another fitted model (:func:`fit_occupation_model`);
    ``norms``: the titles already normalised
    (:func:`skillenai.classify.roles.normalize_title`); ``managers``: which titles that
    head a function move to its management occupation (:func:`as_manager`); ``min_known``:
    the least share of the title's words the labelled titles must hold
    (:func:`known_share`), under which the title is ``no known words``."""
    out: list[Occupation | None] = [None] * len(titles)
    todo, texts = [], []
    model = model or _model()
    for i, title in enumerate(titles):
        if not isinstance(title, str) or not title.strip():
            out[i] = Occupation(None, None, 0.0, EMPTY)
        elif NOT_A_JOB_PATTERN.search(title):
            out[i] = Occupation(None, None, 0.0, NOT_A_JOB)
        else:
            norm = normalize_title(title) if norms is None else norms[i]
            if min_known > 0 and known_share(model, norm) < min_known:
                out[i] = Occupation(None, None, 0.0, NO_KNOWN_WORDS)
                continue
            todo.append(i)
            texts.append(norm)
    if todo:
        for i, norm, (code, score) in zip(todo, texts, _decide(model, texts)):
            score = round(score, 4)
            occupation = Occupation(code, soc_title(code), score)
            occupation = as_manager(norm, occupation, managers)
            out[i] = occupation if score >= min_score else \
                Occupation(None, None, score, f"low confidence: top score {score:.2f}")
    return out


def classify_occupation(title: str) -> Occupation:
    """The SOC occupation of one title ("Surgical Tech II" → 29-2055), or why there is none."""
    return classify_occupations([title])[0]
