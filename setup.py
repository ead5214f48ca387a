"""Build shim for `scrapyd-deploy`, which builds an egg with `python setup.py bdist_egg`.

Everything (packages, data files, the `scrapy` settings entry point) is in pyproject.toml.
"""

from setuptools import setup

setup()
