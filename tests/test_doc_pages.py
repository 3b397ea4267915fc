"""The documentation pages agree with the code, read as text (no Sphinx)."""

import re
from pathlib import Path

import sk_embed

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_the_changelog_starts_with_this_version():
    text = (DOCS / "changelog.rst").read_text(encoding="utf-8")
    first = re.search(r"^Version (\S+)\n=+$", text, re.MULTILINE)
    assert first is not None and first.group(1) == sk_embed.__version__


#: The public objects: every name of ``sk_embed.__all__`` but the version.
PUBLIC_NAMES = sorted(set(sk_embed.__all__) - {"__version__"})


def _home_page_table():
    """The object table of docs/index.rst: the lines between its borders."""
    text = (DOCS / "index.rst").read_text(encoding="utf-8")
    border = r"^=+  =+$"
    return re.split(border, text, flags=re.MULTILINE)[1]


def test_the_home_page_table_lists_every_public_object():
    table = _home_page_table()
    missing = [name for name in PUBLIC_NAMES if f"`~sk_embed.{name}`" not in table]
    assert not missing, f"add to the table of docs/index.rst: {missing}"


def test_the_api_reference_lists_every_public_object():
    text = (DOCS / "api.rst").read_text(encoding="utf-8")
    sk_embed_part = text.split(".. currentmodule:: sk_embed\n")[1].split(
        ".. currentmodule::"
    )[0]
    # An autosummary entry, or a data directive, per name.
    listed = set(re.findall(r"^(?:   |\.\. data:: )(\w+)$", sk_embed_part, re.M))
    missing = sorted(set(PUBLIC_NAMES) - listed)
    assert not missing, f"add to docs/api.rst: {missing}"
