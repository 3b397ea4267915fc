"""matplotlib, imported only when a plot is drawn.

matplotlib is an optional dependency (``pip install sk_embed[plot]``): the
plotting modules import it inside their functions, through
:func:`import_pyplot`, so that they (and :mod:`sk_embed`) import without it.
"""


def import_pyplot(caller):
    """matplotlib.pyplot, or an ImportError that says how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(
            f"{caller} requires matplotlib, which is not installed. Install "
            "it with `pip install matplotlib` (or `pip install sk_embed[plot]`)."
        ) from error
    return plt
