"""The documentation pages agree with the code, read as text (no Sphinx)."""

import re
from pathlib import Path

import sk_embed

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_the_changelog_starts_with_this_version():
    text = (DOCS / "changelog.rst").read_text(encoding="utf-8")
    first = re.search(r"^Version (\S+)\n=+$", text, re.MULTILINE)
    assert first is not None and first.group(1) == sk_embed.__version__
