"""Role families and SOC occupations scored on real job titles that nobody here wrote.

``evaluation/data/roles/real_titles.jsonl``: 504 distinct real titles from ATS API responses
and scraped job lists, labelled by hand with a family (one of 36, or ``Other``) and a SOC
2018 detailed code, each marked ``train`` (the models learn from it) or ``held_out``. Each
title goes through :func:`skillenai.classify.titles.classify_titles`. Figures, on the
held-out titles and, labelled apart, on all titles (the training ones included, so higher):

- ``family_accuracy``: the family (None counts as ``Other``) is the labelled one;
- ``soc_major_accuracy``: the occupation's major group (its first two digits) is the
  labelled one's; ``soc_accuracy``: the detailed code is;
- ``unclassified``: the share of titles given no occupation;
- the commonest errors, as (labelled → given) pairs with examples.

``--tune`` chooses the thresholds of :func:`skillenai.classify.titles.combine` by 5-fold
cross-validation on the training titles (models refitted without each fold), never looking
at the held-out ones. CI holds the figures to ``evaluation/roles_floors.json``.

``--tune-family`` chooses the family model's settings the same way; ``--cv`` scores the
shipped settings that way and lists every training title whose family is wrong (to read
the training errors beside the held-out ones).

    python -m evaluation.roles_real [--errors 30] [--json] [--tune] [--tune-family] [--cv]
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import itertools
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TITLES = HERE / "data" / "roles" / "real_titles.jsonl"
# More real titles labelled the same way, for training only: never scored here.
TRAINING_ONLY = HERE / "data" / "roles" / "real_titles_training_only.jsonl"
FLOORS_FILE = HERE / "roles_floors.json"
OTHER = "Other"


def read_titles(path: Path = TITLES) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def score(rows: list[dict], predictions: list[tuple]) -> dict:
    """Figures of ``predictions`` (``(role or None, occupation)`` per row) against the labels."""
    n = len(rows)
    family_ok = major_ok = soc_ok = unclassified = 0
    errors: collections.Counter = collections.Counter()
    examples: dict[tuple, list[str]] = collections.defaultdict(list)
    for row, (role, occupation) in zip(rows, predictions, strict=True):
        family = role.name if role is not None else OTHER
        family_ok += family == row["family"]
        unclassified += occupation.code is None
        major_ok += occupation.code is not None and occupation.code[:2] == row["soc"][:2]
        soc_ok += occupation.code == row["soc"]
        kinds = []
        if family != row["family"]:
            kinds.append(("family", row["family"], family))
        if occupation.code is None or occupation.code[:2] != row["soc"][:2]:
            kinds.append(("soc major", f"{row['soc'][:2]}-xxxx", occupation.code and f"{occupation.code[:2]}-xxxx"
                          or f"unclassified ({occupation.reason.split(':')[0]})"))
        for kind in kinds:
            errors[kind] += 1
            examples[kind].append(row["title"])
    return {
        "titles": n,
        "family_accuracy": round(family_ok / n, 4),
        "soc_major_accuracy": round(major_ok / n, 4),
        "soc_accuracy": round(soc_ok / n, 4),
        "unclassified": round(unclassified / n, 4),
        "errors": [{"kind": k[0], "labelled": k[1], "given": k[2], "count": c, "examples": examples[k][:3]}
                   for k, c in errors.most_common()],
    }


def evaluate(rows: list[dict] | None = None) -> dict:
    """``held_out`` and ``all`` figures of the shipped models."""
    from skillenai.classify.titles import classify_titles

    rows = read_titles() if rows is None else rows
    predictions = classify_titles([r["title"] for r in rows])
    held = [i for i, r in enumerate(rows) if r["split"] == "held_out"]
    return {"held_out": score([rows[i] for i in held], [predictions[i] for i in held]),
            "all": score(rows, predictions)}


def _fold_models(exclude: frozenset[str], **family_settings: float):
    from skillenai.classify import occupations, roles

    return (roles.fit_role_model(*roles.training_examples(exclude), **family_settings),
            occupations.fit_occupation_model(*occupations.training_examples(exclude)))


def _folds(rows: list[dict], folds: int) -> list[list[int]]:
    """The training rows' indexes in each fold: a title's fold is a hash of its normalised
    form, so decorated variants of one title share a fold."""
    from skillenai.classify.roles import normalize_title

    fold_of = [int(hashlib.sha1(normalize_title(r["title"]).encode("utf-8")).hexdigest()[:8], 16) % folds
               for r in rows]
    return [[i for i, f in enumerate(fold_of) if f == k] for k in range(folds)]


GRID = {
    "family_unsure": (0.2, 0.3, 0.4, 0.5, 0.6, 0.7),
    "occupation_sure": (0.3, 0.4, 0.5, 0.6, 0.7),
    "occupation_unsure": (0.1, 0.2, 0.3, 0.4, 0.5),
    "family_sure": (0.6, 0.7, 0.8, 0.9),
    "min_score": (0.05, 0.1, 0.15),
}
# Chosen with the thresholds: which titles that head a function are coded as its manager,
# and the least share of a title's words the labelled titles must hold.
MANAGERS = ("off", "leading", "any")
MIN_KNOWN = (0.0, 0.01, 0.34, 0.5)


def training_rows() -> list[dict]:
    """The labelled titles the models may learn from: the ``train`` part of the evaluation
    titles and the training-only titles."""
    return [r for r in read_titles() if r["split"] == "train"] + read_titles(TRAINING_ONLY)


def tune(folds: int = 5) -> dict:
    """Thresholds of :func:`combine`, the manager forms and the known-word share, by
    ``folds``-fold cross-validation on the training titles (the ``train`` part of the
    evaluation titles and the training-only titles); the held-out titles are never read.

    Each fold's titles are left out of both models' training (decorated variants of one
    title share a fold: a title's fold is a hash of its normalised form).
    The score to maximise: family accuracy + SOC major accuracy, with unclassified over 5%
    ruled out."""
    from skillenai.classify.occupations import NO_KNOWN_WORDS, Occupation, as_manager, classify_occupations, known_share
    from skillenai.classify.roles import family_scores, normalize_title
    from skillenai.classify.titles import combine

    rows = training_rows()
    norms = [normalize_title(r["title"]) for r in rows]
    raw = [None] * len(rows)
    for idx in _folds(rows, folds):
        models = _fold_models(frozenset(rows[i]["title"] for i in idx))
        titles = [rows[i]["title"] for i in idx]
        for i, fam, occ in zip(idx, family_scores(titles, models[0]),
                               classify_occupations(titles, min_score=0.0, model=models[1], managers="off",
                                                    min_known=0.0)):
            raw[i] = (fam, occ, known_share(models[1], norms[i]))
    from skillenai.classify.occupations import family_of
    from skillenai.classify.roles import role_for

    def variant(managers: str, min_known: float) -> list[tuple]:
        out = []
        for ((family, fscore), occ, known), norm in zip(raw, norms):
            if occ.code is not None and known < min_known:
                occ = Occupation(None, None, 0.0, NO_KNOWN_WORDS)
            out.append((family, fscore, as_manager(norm, occ, managers), norm))
        return out

    def figures(preds) -> dict:
        got = score(rows, preds)
        return {k: got[k] for k in ("family_accuracy", "soc_major_accuracy", "soc_accuracy", "unclassified")}

    def strategy(decide, managers="off", min_known=0.0) -> dict:
        preds = []
        for family, fscore, occ, norm in variant(managers, min_known):
            name, s, o = decide(family, fscore, occ, norm, managers)
            preds.append((role_for(name, s) if name and name != OTHER else None, o))
        return figures(preds)

    apart = {"family_unsure": 0.0, "family_sure": 2.0, "min_score": 0.1}
    compared = {
        "each model alone": strategy(lambda f, s, o, n, m: combine(f, s, o, **apart)),
        "family from the occupation wherever it rolls up to one": strategy(
            lambda f, s, o, n, m: combine(family_of(o.code) or f, s, o, **apart)),
        "default thresholds, no manager rule, no known-word rule": strategy(
            lambda f, s, o, n, m: combine(f, s, o, norm=n, managers=m)),
    }
    best, by_rule = None, {}
    for managers, min_known in itertools.product(MANAGERS, MIN_KNOWN):
        rows_in = variant(managers, min_known)
        rule_best = None
        for values in itertools.product(*GRID.values()):
            params = dict(zip(GRID, values))
            preds = []
            for family, fscore, occ, norm in rows_in:
                name, s, o = combine(family, fscore, occ, norm=norm, managers=managers, **params)
                preds.append((role_for(name, s) if name else None, o))
            got = figures(preds)
            if got["unclassified"] > 0.05:
                continue
            # Ties go to the stricter known-word share: the training titles hold no junk,
            # so the rule is kept wherever it costs no real title.
            key = (got["family_accuracy"] + got["soc_major_accuracy"], got["soc_accuracy"], min_known)
            if best is None or key > best[0]:
                best = (key, {"managers": managers, "min_known": min_known, **params}, got)
            if rule_best is None or key > rule_best[0]:
                rule_best = (key, got)
        by_rule[f"managers={managers} min_known={min_known}"] = rule_best[1]
    return {"folds": folds, "titles": len(rows), "compared": compared, "best_by_rule": by_rule,
            "chosen": best[1], "cross_validated": best[2]}


FAMILY_GRID = {"c": (0.5, 1.0), "head_weight": (0.5, 1.0, 1.5), "team_weight": (0.0, 0.5, 1.0),
               "labelled_weight": (2.0, 4.0)}


def _fold_occupation_models(rows: list[dict], fold_rows: list[list[int]]) -> list:
    from skillenai.classify import occupations

    return [occupations.fit_occupation_model(*occupations.training_examples(frozenset(rows[i]["title"] for i in idx)))
            for idx in fold_rows]


def _cross_validated(rows: list[dict], fold_rows: list[list[int]], occupation_models: list,
                     **settings: float) -> list[tuple]:
    """Each training row's ``(role, occupation)`` from models fitted without its fold
    (family model ``settings`` other than the defaults), decided as the shipped pipeline
    decides (:func:`skillenai.classify.titles.classify_titles`, default thresholds)."""
    from skillenai.classify import roles
    from skillenai.classify.titles import classify_titles

    preds = [None] * len(rows)
    for idx, occupation_model in zip(fold_rows, occupation_models):
        family_model = roles.fit_role_model(*roles.training_examples(frozenset(rows[i]["title"] for i in idx)),
                                            **settings)
        for i, p in zip(idx, classify_titles([rows[i]["title"] for i in idx], models=(family_model, occupation_model))):
            preds[i] = p
    return preds


def cross_validate(folds: int = 5) -> dict:
    """The shipped settings' figures and errors on the training titles by ``folds``-fold
    cross-validation (each fold's titles left out of both models' training), to read the
    training errors beside the held-out ones; the held-out titles are never read. Adds
    ``wrong_family``: every title whose family is wrong, with its label, the family given
    and the label's note."""
    rows = training_rows()
    fold_rows = _folds(rows, folds)
    preds = _cross_validated(rows, fold_rows, _fold_occupation_models(rows, fold_rows))
    got = score(rows, preds)
    got["wrong_family"] = [{"title": r["title"], "labelled": r["family"], "given": role.name if role else OTHER,
                            "note": r.get("note", "")}
                           for r, (role, _) in zip(rows, preds) if (role.name if role else OTHER) != r["family"]]
    return got


def tune_family(folds: int = 5, grid: dict | None = None) -> dict:
    """The family model's settings (``grid``, by default :data:`FAMILY_GRID`: the SVM's
    ``c``, the weights of the title's head and of the team it names, the weight of the
    labelled titles) by ``folds``-fold cross-validation on the training titles, each fold's
    titles left out of both models' training; the held-out titles are never read. Scored
    as the shipped pipeline decides (:func:`skillenai.classify.titles.classify_titles`,
    default thresholds): family accuracy, then SOC major accuracy."""
    rows = training_rows()
    fold_rows = _folds(rows, folds)
    occupation_models = _fold_occupation_models(rows, fold_rows)
    results = []
    grid = grid or FAMILY_GRID
    for values in itertools.product(*grid.values()):
        settings = dict(zip(grid, values))
        got = score(rows, _cross_validated(rows, fold_rows, occupation_models, **settings))
        results.append({**settings, **{k: got[k] for k in ("family_accuracy", "soc_major_accuracy",
                                                            "soc_accuracy", "unclassified")}})
    best = max(results, key=lambda r: (r["family_accuracy"], r["soc_major_accuracy"]))
    return {"folds": folds, "titles": len(rows), "results": results, "chosen": best}


def floors() -> dict:
    return json.loads(FLOORS_FILE.read_text(encoding="utf-8"))


def _print(name: str, r: dict, errors: int) -> None:
    print(f"{name}: {r['titles']} real titles: family {r['family_accuracy']:.3f}  "
          f"SOC major {r['soc_major_accuracy']:.3f}  SOC detailed {r['soc_accuracy']:.3f}  "
          f"unclassified {r['unclassified']:.3f}")
    for e in r["errors"][:errors]:
        print(f"  {e['count']:3d} {e['kind']}: {e['labelled']} -> {e['given']}  e.g. {'; '.join(e['examples'])}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation.roles_real",
                                     description="Score role families and SOC occupations on real job titles.")
    parser.add_argument("--errors", type=int, default=25, help="how many error kinds to list")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--tune", action="store_true",
                        help="choose the decision thresholds by cross-validation on the training titles")
    parser.add_argument("--tune-family", action="store_true",
                        help="choose the family model's settings by cross-validation on the training titles")
    parser.add_argument("--cv", action="store_true",
                        help="score the shipped settings by cross-validation on the training titles and list "
                             "every title whose family is wrong")
    args = parser.parse_args(argv)
    if args.cv:
        r = cross_validate()
        if args.json:
            print(json.dumps(r, indent=2, ensure_ascii=False))
            return 0
        _print("training titles, 5-fold cross-validated", r, args.errors)
        for e in r["wrong_family"]:
            print(f"  {e['labelled']} -> {e['given']}: {e['title']}" + (f"  ({e['note']})" if e["note"] else ""))
        return 0
    if args.tune_family:
        print(json.dumps(tune_family(), indent=2))
        return 0
    if args.tune:
        print(json.dumps(tune(), indent=2))
        return 0
    r = evaluate()
    if args.json:
        print(json.dumps(r, indent=2, ensure_ascii=False))
        return 0
    _print("held out", r["held_out"], args.errors)
    _print("all (training titles included)", r["all"], 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
