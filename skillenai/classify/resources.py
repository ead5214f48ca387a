"""Where the classifiers' shipped files live: labelled data and taxonomies, and trained models.

Both folders are package data (they hold no code), so an installed wheel finds them as an
editable checkout does.
"""

from pathlib import Path

CLASSIFY_DATA = Path(__file__).resolve().parent / "data"
MODELS_DIR = Path(__file__).resolve().parent / "models"
