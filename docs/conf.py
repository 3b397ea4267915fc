"""Sphinx configuration of the sk_embed documentation.

Build the site (warnings are errors) from the repository root with::

    sphinx-build -W --keep-going -b html docs docs/_build/html

The gallery in ``examples/`` runs each script on a small sample of the IMDB
reviews and shows its output and figures when the data is there (the
``SK_EMBED_DATA`` variable names it; about 25 s more), and renders the
scripts without running them otherwise. ``-D plot_gallery=0`` or ``=1``
decides instead (``tests/test_docs.py`` passes 0: ``tests/test_examples.py``
runs the same small runs).

No intersphinx mapping: the build must work offline.
"""

import os
import sys
from datetime import date
from pathlib import Path


DOCS_DIR = Path(__file__).resolve().parent
REPO_ROOT = DOCS_DIR.parent
# Document the checkout next to this file even when sk_embed is not installed;
# example_runs.py, beside this file, is imported by name (see below).
sys.path[:0] = [str(REPO_ROOT), str(DOCS_DIR)]

# -- Project -----------------------------------------------------------------
project = "sk_embed"
author = "sk_embed developers"
copyright = f"{date.today().year}, {author}"
# This checkout's version (autodoc imports sk_embed anyway), never an
# installed copy's: a stale editable install reports an old one.
from sk_embed import __version__ as release  # noqa: E402
version = ".".join(release.split(".")[:2])

# -- General -----------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "Thumbs.db",
    ".DS_Store",
    "**.ipynb_checkpoints",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "auto_examples/*.zip",
]
root_doc = "index"
default_role = "literal"  # `x` renders as code, never as an unresolved ref
pygments_style = "sphinx"

# -- autodoc / autosummary ----------------------------------------------------
autosummary_generate = True  # stubs go to generated/ (see api.rst)
autosummary_imported_members = False
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"  # numpydoc sections carry the types


def _skip_sklearn_plumbing(app, what, name, obj, skip, options):
    """Leave out the metadata-routing methods scikit-learn adds to every
    estimator: their docstrings point into scikit-learn's own documentation
    (``:ref:`` and ``:term:`` targets that only exist there)."""
    if name == "get_metadata_routing" or (
        name.startswith("set_") and name.endswith("_request")
    ):
        return True
    return None


# -- numpydoc -----------------------------------------------------------------
# autosummary + autodoc document the members; numpydoc would add a second,
# toctree-less member table whose entries warn.
numpydoc_show_class_members = False
numpydoc_show_inherited_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True

# -- sphinx-gallery -------------------------------------------------------------
# Executed where the examples find their data, on the small samples of
# example_runs.py. A string, the type sphinx-gallery registers, so that
# ``-D`` values are taken as they are.
plot_gallery = str(bool(os.environ.get("SK_EMBED_DATA")))

sphinx_gallery_conf = {
    "examples_dirs": str(REPO_ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "backreferences_dir": "gen_modules/backreferences",
    "doc_module": ("sk_embed",),
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
    # A failing example fails the build when examples are executed.
    "abort_on_example_error": True,
    # By their import names: Sphinx caches the configuration, which a
    # function defined here would keep from pickling. The figures shown are
    # those the examples save (example_runs.py says why).
    "reset_argv": "example_runs.reset_argv",
    "image_scrapers": ("example_runs.saved_figure_scraper",),
}

# -- HTML -------------------------------------------------------------------------
try:
    import pydata_sphinx_theme  # noqa: F401
except ImportError:
    html_theme = "alabaster"
    html_theme_options = {}
else:
    html_theme = "pydata_sphinx_theme"
    html_theme_options = {
        "navigation_with_keys": False,
        "show_prev_next": False,
        "header_links_before_dropdown": 6,
        "secondary_sidebar_items": ["page-toc"],
        "footer_start": ["copyright"],
        "footer_end": ["sphinx-version"],
    }
html_title = f"sk_embed {release}"
html_show_sourcelink = False
html_copy_source = False


def setup(app):
    app.connect("autodoc-skip-member", _skip_sklearn_plumbing)
