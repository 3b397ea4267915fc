"""How the documentation's gallery runs the examples: on small samples.

``docs/conf.py`` hands :func:`reset_argv` and :func:`saved_figure_scraper` to
sphinx-gallery, which runs each script of ``examples/`` with these
arguments when the IMDB data is there (``SK_EMBED_DATA``), and shows what it
prints and the figure it saves: they come from the code of the build, so
they cannot go stale. The samples keep the five runs to about 25 seconds on
two CPU cores; the scores and figures are those of the small runs, not of
runs on all reviews.

``tests/test_examples.py`` runs every example with the same arguments and
checks what it prints, so a change that breaks the gallery's runs fails the
tests too.
"""

import shutil
from pathlib import Path

#: The arguments of each example's small run, besides its data and figure.
SMALL_RUNS = {
    # All reviews (the seed model reads 20 tokens of each), 3 epochs: the
    # validation loss turns up after the second, as in the book. No grid.
    "plot_imdb_seed": ["--epochs", "3", "--no-grid"],
    "plot_text_classifier": ["--n-samples", "1500", "--epochs", "4"],
    "plot_rating_regression": ["--n-samples", "1500", "--epochs", "8"],
    "plot_multilabel_tags": ["--n-samples", "1500", "--epochs", "4"],
    "plot_out_of_core": [
        "--n-samples", "1500", "--epochs", "2", "--chunk-size", "250",
        "--eval-every", "2", "--eval-samples", "500", "--n-buckets", "65536",
    ],  # fmt: skip
}

#: The option naming the file an example saves its figure to, if it has one.
FIGURE_OPTIONS = {
    "plot_imdb_seed": "--curves",
    "plot_text_classifier": "--embeddings-figure",
    "plot_out_of_core": "--figure",
}


def _saved_figure(script_vars):
    """Where the example of ``script_vars`` is told to save its figure:
    beside the generated page rather than in ``examples/``."""
    name = Path(script_vars["src_file"]).stem
    return Path(script_vars["target_file"]).with_name(f"{name}_saved.png")


def reset_argv(gallery_conf, script_vars):
    """The command-line arguments sphinx-gallery runs an example with."""
    name = Path(script_vars["src_file"]).stem
    arguments = list(SMALL_RUNS[name])
    if name in FIGURE_OPTIONS:
        arguments += [FIGURE_OPTIONS[name], str(_saved_figure(script_vars))]
    return arguments


def saved_figure_scraper(block, script_vars, gallery_conf):
    """sphinx-gallery's image scraper: the figure the example saved.

    The figure a user of the script gets, whether drawn with pyplot or not
    (the out-of-core example draws on a bare ``Figure``, which the
    matplotlib scraper does not see). Moved into the gallery's images, so
    that it is shown once, under the block that saved it.
    """
    from sphinx_gallery.scrapers import figure_rst

    saved = _saved_figure(script_vars)
    if not saved.exists():
        return ""
    image = next(script_vars["image_path_iterator"])
    shutil.move(saved, image)
    return figure_rst([image], gallery_conf["src_dir"])
