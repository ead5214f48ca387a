"""Role family from a job title: 36 canonical families, or None ("Other").

A scikit-learn pipeline reads character n-grams (2–5, within words) and word n-grams (1–2)
of the normalised title — seniority, levels, "(m/f/d)", requisition ids, "- Remote" and
trailing locations stripped, "machine learning" written "ml" so that "learning" alone is
learning and development — and, apart, word n-grams of the title's head
(:func:`title_head`: "software engineer" of "Software Engineer - Security Libraries") and
of the rest, the team or product it names ("security libraries"), so that what the job is
and the team it is on weigh apart, into a linear SVM (LinearSVC; faster
to train than a logistic regression here and more accurate on the held-out titles). The
titles labelled with family and occupation (real ones, and a few written where real ones
are scarce) weigh ``LABELLED_WEIGHT`` times the rest of ``titles.csv``: they carry the
labelling conventions (``evaluation/data/roles/README.md``). The SVM's ``C``, the head's
and the team's weights and ``LABELLED_WEIGHT`` were
chosen by 5-fold cross-validation on the real training titles
(``python -m evaluation.roles_real --tune-family``). Titles outside the families
("Barista", "Truck Driver") were trained as an ``Other`` class; they, and titles the model
is unsure of (top score under ``MIN_SCORE``), give None.

The model is ``skillenai/classify/models/role.skops``, rebuilt from ``skillenai/classify/data/roles/titles.csv``
by :func:`train_role_model` (also when the file is missing).
"""

from __future__ import annotations

import csv
import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from skillenai.classify.resources import CLASSIFY_DATA, MODELS_DIR
from skillenai.classify.training import held_out, load_or_train, read_floors, save_model
from skillenai.core.ids import entity_id

log = logging.getLogger(__name__)

DATA_DIR = CLASSIFY_DATA / "roles"
TITLES_PATH = DATA_DIR / "titles.csv"
REAL_TITLES_PATH = DATA_DIR / "real_titles_train.csv"
WRITTEN_TITLES_PATH = DATA_DIR / "written_titles.csv"
FAMILIES_PATH = DATA_DIR / "families.txt"
FLOORS_PATH = DATA_DIR / "floors.json"
MODEL_PATH = MODELS_DIR / "role.skops"
HELD_OUT_PERCENT = 20  # of the titles, split by the normalised title
OTHER = "Other"
MIN_SCORE = 0.3
TEMPERATURE = 5.0


@dataclass(frozen=True, slots=True)
class Role:
    """A role family: stable entity id, canonical name, and the model's probability."""

    id: str
    name: str
    score: float

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "score": self.score}


@lru_cache(maxsize=1)
def families() -> tuple[str, ...]:
    """The canonical role family names, in the order of ``families.txt``."""
    names = []
    for lineno, line in enumerate(FAMILIES_PATH.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if line and not line.startswith("#"):
            names.append(line)
    if len(set(names)) != len(names):
        raise ValueError(f"{FAMILIES_PATH}: duplicate family names")
    return tuple(names)


def role_table() -> list[dict]:
    """Every role family entity: id and name, for the store."""
    return [{"id": entity_id("role", n), "name": n} for n in families()]


# -- normalisation -------------------------------------------------------------------------

_GENDER = re.compile(r"\(\s*(?:[mwfdxhgn]\s*[/|,]\s*){1,3}[mwfdxhgn]\s*\)|\(\s*(?:all genders|gn\*?|w/m/d|m/w/d|f/m/d)\s*\)"
                     r"|\b[mwf]/[mwf]/[dx]\b|\(\s*[hf]\s*/\s*[fh]\s*\)", re.I)
_REQ = re.compile(r"\[[^\]]*\d[^\]]*\]|\((?:req|job|id|ref)[^)]*\)|\b(?:req(?:uisition)?|job id|ref)\s*[#:.]?\s*[\w-]*\d[\w-]*"
                  r"|\b(?:jr|r|req)-?\d{3,}\b|#\s*\d+|\b\d{4,}\b", re.I)
_WORK = re.compile(r"\b(?:100%\s*)?(?:fully\s+)?(?:remote|hybrid|on-?site|in-office|work from home|wfh|"
                   r"full[- ]time|part[- ]time|contract(?:or)?|temporary|temp|permanent|freelance|"
                   r"\d+\s*months?(?:\s+contract)?|night shift|day shift|nights|days|per diem)\b", re.I)
_SENIORITY = re.compile(r"\b(?:senior|sr|junior|jr|staff|principal|lead|associate|entry[- ]level|mid[- ]level|"
                        r"mid[- ]senior|graduate|grad|trainee|intern(?:ship)?|werkstudent(?:in)?|praktikant(?:in)?|"
                        r"stagiaire|apprentice|experienced|expert|distinguished|level\s*\d|l\d|i{1,3}v?|iv|v|[1-4])\b\.?",
                        re.I)
# A part of a title that sells the job rather than names it: "- Amazing Company Culture!",
# "$5K Sign-On Bonus", "Start Next Week", "Upto $135/hr".
_PITCH = re.compile(r"[$€£!]|\b(?:amazing|awesome|great|exciting|culture|bonus|sign[- ]on|hiring|urgent(?:ly)?|"
                    r"immediate(?:ly)?|start\s+(?:next|this|asap)|apply|benefits|weekly\s+pay|pay|salary|"
                    r"consistent\s+hours|flexible\s+hours|/\s*h(?:ou)?r|per\s+hour|upto|up\s+to|\d+k)\b", re.I)
# "Atmospheric Scientist for Aviation Support": what follows "for" is whom the job serves.
_FOR = re.compile(r"^(\S+(?:\s+\S+)+?)\s+(?:for|supporting)\s+\S.*$", re.I)
# " - ", " | ", ", ", "(", and a dash spaced on one side only ("Engineer- DevOps"); never
# the hyphen inside a word ("Full-Stack").
_SEPARATORS = re.compile(r"\s+(?:-|–|—|\||@|at)\s+|(?<=\w)[-–—]\s+|\s+[-–—](?=\w)|\s*[,/(]\s*|\)")
_SPACES = re.compile(r"\s+")
# Words that look like places ("Mobile", "Reading") but say what the job is.
_KEEP = {"mobile", "growth", "platform", "payments", "search", "ads", "security", "data", "cloud", "web",
         "infrastructure", "infra", "core", "checkout", "billing", "identity", "product", "design", "sales",
         "marketing", "ios", "android", "go", "spring", "java", "rust", "python", "ruby", "enterprise", "commerce",
         "health", "retail", "finance", "media", "energy", "gaming", "games", "ml", "ai", "nlp", "risk", "fraud",
         "trust", "safety", "research", "apis", "api", "backend", "frontend", "devops", "mid-market", "smb",
         "public sector", "federal", "strategic", "grc"}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return _SPACES.sub(" ", text).strip()


def _is_location(part: str) -> bool:
    from skillenai.classify.places.gazetteer import fold
    from skillenai.classify.places.locations import parse_locations

    key = fold(part)
    if not key or key in _KEEP:
        return False
    r = parse_locations(part)
    if r.unresolved:
        return False
    if r.places:
        return all(p.population >= 50_000 or "," in part for p in r.places)
    return bool(r.regions) or r.remote or r.hybrid


# "Machine learning" is written "ml" (as many titles do), so that "learning" alone reads as
# learning and development ("Learning Specialist"), not as machine learning.
_LEARNING = re.compile(r"\b(machine|deep|reinforcement)[- ]learning\b")


def _clean(part: str) -> str:
    part = part.casefold().replace("&", " and ")
    part = _LEARNING.sub(lambda m: "ml" if m.group(1) == "machine" else f"{m.group(1)} ml", part)
    part = _SENIORITY.sub(" ", part)
    part = re.sub(r"[^\w+#./ -]+", " ", part)
    part = re.sub(r"(?<!\w)[-./]+|[-./]+(?!\w)", " ", part)
    return _SPACES.sub(" ", part).strip()


def title_parts(title: str, strip_locations: bool = True) -> list[str]:
    """The normalised parts of a title that say what the job is, in order: the title's head
    ("software engineer") first, then the team, product or speciality it names.

    >>> title_parts("Sr. Software Engineer II - Backend (Go) - Berlin (m/f/d) [R-1234]")
    ['software engineer', 'backend', 'go']
    """
    t = _fold(title)
    t = _GENDER.sub(" ", t)
    t = _REQ.sub(" ", t)
    parts = [p.strip() for p in _SEPARATORS.split(t) if p and p.strip()]
    kept = []
    for i, p in enumerate(parts):
        core = _WORK.sub(" ", p).strip(" -–—|:;.")
        if not core:
            continue
        if i > 0 and (_PITCH.search(core) or (strip_locations and _is_location(core))):
            continue
        kept.append(_FOR.sub(r"\1", core))
    cleaned = [c for c in (_clean(p) for p in (kept or [t])) if c]
    return cleaned or [title.casefold().strip()]


def normalize_title(title: str, strip_locations: bool = True) -> str:
    """The part of a title that says what the job is, lower-cased.

    >>> normalize_title("Sr. Software Engineer II - Backend (Go) - Berlin (m/f/d) [R-1234]")
    'software engineer backend go'
    """
    return " ".join(title_parts(title, strip_locations))


# -- model ---------------------------------------------------------------------------------


def read_titles() -> tuple[list[str], list[str]]:
    """``(titles, families)`` of ``titles.csv``."""
    known = set(families()) | {OTHER}
    titles, labels = [], []
    with TITLES_PATH.open(encoding="utf-8", newline="") as fh:
        for lineno, row in enumerate(csv.DictReader(fh), 2):
            role = row["role"].strip()
            if role not in known:
                raise ValueError(f"{TITLES_PATH}:{lineno}: unknown role {role!r}")
            titles.append(row["title"])
            labels.append(role)
    return titles, labels


def read_labelled_titles(exclude: frozenset[str] = frozenset()) -> list[dict]:
    """The titles labelled with both a family and a SOC code: the training part of the real
    labelled titles (``real_titles_train.csv``) and titles written where real ones are
    scarce (``written_titles.csv``). Each ``{title, family, soc, where}`` (``where``: file
    and line); titles in ``exclude`` are left out (cross-validation)."""
    known = set(families()) | {OTHER}
    rows = []
    for path in (REAL_TITLES_PATH, WRITTEN_TITLES_PATH):
        with path.open(encoding="utf-8", newline="") as fh:
            for lineno, row in enumerate(csv.DictReader(fh), 2):
                where = f"{path}:{lineno}"
                if row["family"] not in known:
                    raise ValueError(f"{where}: unknown role family {row['family']!r}")
                if not row["title"].strip():
                    raise ValueError(f"{where}: empty title")
                if row["title"] in exclude:
                    continue
                rows.append({"title": row["title"], "family": row["family"], "soc": row["soc"], "where": where})
    return rows


# Settings of the family model, chosen by 5-fold cross-validation on the real training
# titles (python -m evaluation.roles_real --tune-family): the SVM's C, the weights of the
# head's words and of the team's, and the weight of a title labelled with family and
# occupation against a titles.csv one.
C = 0.5
HEAD_WEIGHT = 1.0
TEAM_WEIGHT = 0.5
LABELLED_WEIGHT = 4.0


def _make_pipeline(c: float = C, head_weight: float = HEAD_WEIGHT, team_weight: float = TEAM_WEIGHT):
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import Pipeline
    from sklearn.svm import LinearSVC

    words = r"(?u)\b[\w+#.]+\b"
    columns = [
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=1), 0),
        ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=words), 0),
    ]
    weights = {"chars": 1.0, "words": 1.0}
    for name, column, weight in (("head", 1, head_weight), ("team", 2, team_weight)):
        if weight:
            columns.append((name, TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True,
                                                  token_pattern=words), column))
            weights[name] = weight
    return Pipeline([
        ("features", ColumnTransformer(columns, transformer_weights=weights)),
        ("clf", LinearSVC(C=c, random_state=0)),
    ])


def split_titles(titles: list) -> list[list[str]]:
    """:func:`title_parts` of each title; ``[]`` for an empty one or a non-string."""
    return [title_parts(t) if isinstance(t, str) and t.strip() else [] for t in titles]


def _inputs(parts: list[list[str]]):
    """The family model's input, a row per title: the normalised title, its head
    (:func:`head_size`: "software engineer" of "Software Engineer - Security Libraries")
    and the rest (the team, product or speciality: "security libraries"), so that what the
    job is and the team it is on weigh apart."""
    import numpy as np

    rows = np.empty((len(parts), 3), dtype=object)
    for i, p in enumerate(parts):
        k = head_size(p)
        rows[i, 0] = " ".join(p)
        rows[i, 1] = " ".join(p[:k])
        rows[i, 2] = " ".join(p[k:])
    return rows


# A first part that only says someone leads ("Manager, Security Operations", "Head of,
# Sales Engineering") leaves the function to the next part.
_LEADS_ONLY = re.compile(r"^(?:(?:regional|global|group|general|area|country|senior|sr|team|technical)\s+)*"
                         r"(?:manager|director|head(?: of)?|lead(?:er)?|vp|vice president|supervisor)(?: of)?$")


# The nouns that name a job: a title's head ends with one ("security compliance specialist").
_JOB_NOUN = re.compile(r"\b(?:engineer|engineering|developer|specialist|analyst|manager|consultant|architect|scientist|"
                       r"designer|officer|leader|director|coordinator|administrator|admin|technician|technologist|"
                       r"representative|advisor|adviser|partner|writer|recruiter|nurse|executive|assistant|agent|head|"
                       r"researcher|strategist|programmer|auditor|accountant|counsel|attorney|lawyer|paralegal|tester|"
                       r"owner|operator|investigator|instructor|teacher|tutor|trainer|controller|president|vp|cto|ceo|"
                       r"cfo|coo|ciso|chief|sourcer|generalist|planner|buyer|editor|marketer|rn|lpn|cna|"
                       r"fellow(?:ship)?|intern)s?\b")


def head_size(parts: list[str]) -> int:
    """How many of a title's parts (:func:`title_parts`) say what the job is: the first,
    with the next one when the first only says that someone leads, and the parts up to the
    first that names a job when the first names none ("IT Governance, Risk & Compliance
    (GRC) Specialist": the specialist's job is all of it). The rest name the team, product
    or speciality.

    >>> head_size(["software engineer", "security libraries"]), head_size(["manager", "security operations"])
    (1, 2)
    >>> head_size(["it governance", "risk and compliance", "grc", "specialist", "emea"])
    4
    """
    if len(parts) > 1 and _LEADS_ONLY.match(parts[0]):
        return 2
    if parts and not _JOB_NOUN.search(parts[0]):
        for j in range(1, len(parts)):
            if _JOB_NOUN.search(parts[j]):
                return j + 1
    return min(len(parts), 1)


def title_head(parts: list[str]) -> str:
    """What a title says the job is (the first :func:`head_size` parts, joined).

    >>> title_head(["software engineer", "security libraries"]), title_head(["manager", "security operations"])
    ('software engineer', 'manager security operations')
    """
    return " ".join(parts[:head_size(parts)])


def _scores(model, parts: list[list[str]]):
    """Per-class scores: a softmax over the SVM margins (sharpened by ``TEMPERATURE``),
    so they sum to 1 and a clear winner scores near 1. Not a calibrated probability."""
    import numpy as np

    d = np.asarray(model.decision_function(_inputs(parts)), dtype=float) * TEMPERATURE
    d -= d.max(axis=1, keepdims=True)
    e = np.exp(d)
    return e / e.sum(axis=1, keepdims=True)


def _decide(probs, classes) -> list[tuple[str | None, float]]:
    out = []
    for row in probs:
        i = int(row.argmax())
        name, p = classes[i], float(row[i])
        out.append((None if name == OTHER or p < MIN_SCORE else name, p))
    return out


def train_role_model(save: bool = True) -> dict:
    """Rebuild the role model from ``titles.csv`` and the labelled titles; return its
    evaluation on the held-out part of ``titles.csv`` (the real titles' figures:
    ``python -m evaluation.roles_real``).

    The evaluation model is fitted on the training split; the saved model (``save=True``)
    on all titles.

    The split is by the normalised title, so decorated variants of one title ("Sr. Data
    Engineer - Remote", "Data Engineer II") are never on both sides.
    """
    titles, labels = read_titles()
    parts = split_titles(titles)
    test = [held_out(" ".join(p), HELD_OUT_PERCENT) for p in parts]
    tr = [i for i, t in enumerate(test) if not t]
    te = [i for i, t in enumerate(test) if t]
    extra = read_labelled_titles()
    model = fit_role_model([parts[i] for i in tr] + split_titles([r["title"] for r in extra]),
                           [labels[i] for i in tr] + [r["family"] for r in extra],
                           [False] * len(tr) + [True] * len(extra))
    decided = _decide(_scores(model, [parts[i] for i in te]), model.classes_)
    right = sum(int((d or OTHER) == labels[i]) for (d, _), i in zip(decided, te))
    errors = [{"title": titles[i], "want": labels[i], "got": d or OTHER, "score": round(p, 3)}
              for (d, p), i in zip(decided, te) if (d or OTHER) != labels[i]]
    if save:
        save_model(_fit_final(), MODEL_PATH)
        _model.cache_clear()
    return {"accuracy": round(right / max(len(te), 1), 4), "train": len(tr), "test": len(te),
            "examples": len(titles), "errors": errors}


def fit_role_model(parts: list[list[str]], labels: list[str], labelled: list[bool] | None = None,
                   labelled_weight: float = LABELLED_WEIGHT, **settings: float):
    """A family model fitted on titles split into their parts (:func:`split_titles`) and
    their families; the titles marked ``labelled`` (:func:`read_labelled_titles`) weigh
    ``labelled_weight`` times the others. ``settings``: ``c``, ``head_weight``,
    ``team_weight`` other than the defaults."""
    weights = None
    if labelled is not None:
        weights = [labelled_weight if x else 1.0 for x in labelled]
    return _make_pipeline(**settings).fit(_inputs(parts), labels, clf__sample_weight=weights)


def training_examples(exclude: frozenset[str] = frozenset()) -> tuple[list[list[str]], list[str], list[bool]]:
    """``(titles split into parts, families, labelled)`` the shipped model learns from:
    ``titles.csv`` and the titles labelled with family and occupation
    (:func:`read_labelled_titles`; ``labelled`` marks them)."""
    titles, labels = read_titles()
    extra = read_labelled_titles(exclude)
    return (split_titles(titles + [r["title"] for r in extra]), list(labels) + [r["family"] for r in extra],
            [False] * len(titles) + [True] * len(extra))


def _fit_final():
    """The shipped model: fitted on every labelled title."""
    return fit_role_model(*training_examples())


@lru_cache(maxsize=1)
def _model():
    return load_or_train(MODEL_PATH, _fit_final)


def classify_roles(titles: list[str]) -> list[Role | None]:
    """Role families for many titles with one model call; None where no family fits."""
    if not titles:
        return []
    parts = split_titles(titles)
    idx = [i for i, p in enumerate(parts) if p]
    out: list[Role | None] = [None] * len(titles)
    if not idx:
        return out
    model = _model()
    for i, (name, p) in zip(idx, _decide(_scores(model, [parts[i] for i in idx]), model.classes_)):
        if name is not None:
            out[i] = Role(entity_id("role", name), name, round(p, 4))
    return out


def family_scores(titles: list[str], model=None,
                  parts: list[list[str]] | None = None) -> list[tuple[str | None, float]]:
    """The family model's best class for each title (``"Other"`` included) and its score;
    ``(None, 0.0)`` for an empty title. ``model``: another fitted family model than the shipped one;
    ``parts``: the titles already split (:func:`split_titles`)."""
    parts = split_titles(titles) if parts is None else parts
    idx = [i for i, p in enumerate(parts) if p]
    out: list[tuple[str | None, float]] = [(None, 0.0)] * len(titles)
    if idx:
        model = model or _model()
        probs = _scores(model, [parts[i] for i in idx])
        for i, row in zip(idx, probs):
            j = int(row.argmax())
            out[i] = (str(model.classes_[j]), float(row[j]))
    return out


def role_for(name: str, score: float) -> Role:
    """The :class:`Role` of a family name, with a score."""
    if name not in families():
        raise ValueError(f"unknown role family {name!r}")
    return Role(entity_id("role", name), name, round(float(score), 4))


def classify_role(title: str) -> Role | None:
    """The role family of one title ("Sr. SWE, Payments Infra" → Backend Engineer), or None."""
    return classify_roles([title])[0]


def floors() -> dict:
    return read_floors(FLOORS_PATH)
