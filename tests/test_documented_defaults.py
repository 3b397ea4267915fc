"""The defaults that the documentation writes out are the code's.

``make_text_classifier``'s docstring lists its steps' parameters, and the
text-classifier guide names them as it explains them; each ``name=value``
they give must be what ``make_text_classifier()`` holds, so that a change
of a default fails here until the text follows.
"""

import ast
import re
from pathlib import Path

import pytest

from sk_embed import make_text_classifier

GUIDE = Path(__file__).resolve().parents[1] / "docs/user_guide/text_classifier.rst"
#: ``name=value`` in double backquotes, the value a Python literal.
ASSIGNMENT = re.compile(r"``(\w+)=([^`]+?)``")


def _documented(text):
    """Every ``name=value`` of ``text`` with a literal value."""
    pairs = []
    for match in ASSIGNMENT.finditer(text):
        for part in re.split(r",\s*(?=\w+=)", f"{match[1]}={match[2]}"):
            name, _, value = part.partition("=")
            try:
                pairs.append((name.strip(), ast.literal_eval(value.strip())))
            except (ValueError, SyntaxError):
                continue
    return pairs


def _defaults():
    """Each parameter of the default pipeline's steps, by plain name (a
    name several steps share is left out)."""
    owners = {}
    for _, step in make_text_classifier().steps:
        for name, value in step.get_params(deep=False).items():
            owners.setdefault(name, []).append(value)
    return {name: values[0] for name, values in owners.items() if len(values) == 1}


def _returns_section():
    doc = make_text_classifier.__doc__
    return doc[doc.index("Returns") : doc.index("Raises")]


def _guide_section():
    text = GUIDE.read_text(encoding="utf-8")
    return text[text.index("What it builds") : text.index("Why this design")]


@pytest.mark.parametrize(
    "where, text", [("docstring", _returns_section), ("guide", _guide_section)]
)
def test_documented_defaults_are_the_codes(where, text):
    defaults = _defaults()
    documented = [(n, v) for n, v in _documented(text()) if n in defaults]
    assert len(documented) >= 8, f"the {where} should list the defaults"
    wrong = [(n, v, defaults[n]) for n, v in documented if defaults[n] != v]
    assert not wrong, f"the {where} documents (name, value, actual): {wrong}"


def test_the_parser_reads_lists_of_assignments():
    text = '``num_words=600000, ngram_range=(1, 3), binary=True`` and ``x=f(1)``'
    assert _documented(text) == [
        ("num_words", 600000), ("ngram_range", (1, 3)), ("binary", True)
    ]
