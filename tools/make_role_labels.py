"""Copy the training part of the real labelled titles into the classifiers' data.

``evaluation/data/roles/real_titles.jsonl`` holds real job titles labelled by hand with a
role family and a SOC 2018 code, each marked ``train`` or ``held_out``;
``evaluation/data/roles/real_titles_training_only.jsonl`` holds more real titles labelled
the same way that are for training only (none of them equals a held-out title after
normalisation, and the evaluation never scores them). The classifiers may learn from the
``train`` rows only; this writes them, the evaluation file's first, to
``skillenai/classify/data/roles/real_titles_train.csv`` (``title, family, soc, source``),
the file the role and occupation models read, so the package ships no held-out title::

    python -m tools.make_role_labels
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

from skillenai.classify.resources import CLASSIFY_DATA

ROLES_DATA = Path(__file__).resolve().parents[1] / "evaluation" / "data" / "roles"
SOURCE = ROLES_DATA / "real_titles.jsonl"
TRAINING_ONLY = ROLES_DATA / "real_titles_training_only.jsonl"
OUT = CLASSIFY_DATA / "roles" / "real_titles_train.csv"


def training_rows(path: Path = SOURCE, training_only: Path = TRAINING_ONLY) -> list[list[str]]:
    rows = []
    for source, splits in ((path, ("train", "held_out")), (training_only, ("train",))):
        for lineno, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            row = json.loads(line)
            if row.get("split") not in splits:
                raise SystemExit(f"{source}:{lineno}: split must be one of {splits}, got {row.get('split')!r}")
            if row["split"] == "train":
                rows.append([row["title"], row["family"], row["soc"], row["source"]])
    return rows


def main() -> int:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["title", "family", "soc", "source"])
    rows = training_rows()
    writer.writerows(rows)
    OUT.write_text(buf.getvalue(), encoding="utf-8")
    print(f"wrote {OUT}: {len(rows)} training titles")
    return 0


if __name__ == "__main__":
    sys.exit(main())
