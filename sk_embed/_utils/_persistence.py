"""Pickles that say which sk_embed made them.

scikit-learn stamps the pickles of its own estimators with its version and
warns when one is loaded by another version; it does so only for classes
defined in ``sklearn.*`` modules. :class:`VersionedPickleMixin` does the same
for sk_embed's estimators with sk_embed's version, and
:class:`InconsistentVersionWarning` is what it warns with.
"""

import warnings

from ._version import __version__

#: The entry of a pickled estimator's state that holds the version.
VERSION_KEY = "_sk_embed_version"

#: The first version that stamps its pickles: a pickle without the stamp
#: was made by a development version before it.
FIRST_STAMPED_VERSION = "0.1.0"


class InconsistentVersionWarning(UserWarning):
    """Warning raised when an estimator is unpickled by another sk_embed version.

    A pickle records the sk_embed version that made it, and loading it under
    another version warns with this class. The estimator may still load and
    predict, but what it holds (the tokenizer's saved state, the network's
    training rules) can change between versions: refit it, or load it with
    the version that saved it. Its own class, apart from scikit-learn's
    :class:`~sklearn.exceptions.InconsistentVersionWarning`, so that either
    can be filtered without the other.

    Parameters
    ----------
    estimator_name : str
        The class name of the unpickled estimator.

    current_version : str
        The sk_embed version loading the pickle.

    original_version : str or None
        The sk_embed version that made the pickle; None for a pickle made
        before versions were recorded (development versions before 0.1.0).

    See Also
    --------
    sklearn.exceptions.InconsistentVersionWarning : The same for
        scikit-learn's version.

    Examples
    --------
    >>> import pickle
    >>> import warnings
    >>> from sk_embed import InconsistentVersionWarning, SequenceTokenizer
    >>> data = pickle.dumps(SequenceTokenizer())
    >>> with warnings.catch_warnings():
    ...     # Same version: loads without a warning; turn one into an error.
    ...     warnings.simplefilter("error", InconsistentVersionWarning)
    ...     tokenizer = pickle.loads(data)
    >>> print(InconsistentVersionWarning(
    ...     estimator_name="SequenceTokenizer",
    ...     current_version="0.2.0",
    ...     original_version="0.1.0",
    ... ))  # doctest: +NORMALIZE_WHITESPACE
    Unpickling SequenceTokenizer made by sk_embed 0.1.0 with sk_embed 0.2.0.
    It may fail or give other results: refit it, or load it with
    sk_embed 0.1.0.
    """

    def __init__(self, *, estimator_name, current_version, original_version):
        self.estimator_name = estimator_name
        self.current_version = current_version
        self.original_version = original_version

    def __str__(self):
        if self.original_version is None:
            made_by = (
                "an unknown sk_embed version (before "
                f"{FIRST_STAMPED_VERSION}, which started recording it)"
            )
            load_with = "that version"
        else:
            made_by = load_with = f"sk_embed {self.original_version}"
        return (
            f"Unpickling {self.estimator_name} made by {made_by} with sk_embed "
            f"{self.current_version}.\nIt may fail or give other results: "
            f"refit it, or load it with {load_with}."
        )


class VersionedPickleMixin:
    """Stamp an estimator's pickles with sk_embed's version, warn on another.

    Goes before :class:`~sklearn.base.BaseEstimator` in the bases, so that a
    class's own ``__getstate__`` and ``__setstate__`` reach it through
    ``super()``: the stamp is added to and taken from the state whatever
    else the class stores.
    """

    def __getstate__(self):
        return {**super().__getstate__(), VERSION_KEY: __version__}

    def __setstate__(self, state):
        state = dict(state)
        original = state.pop(VERSION_KEY, None)
        if original != __version__:
            warnings.warn(
                InconsistentVersionWarning(
                    estimator_name=type(self).__name__,
                    current_version=__version__,
                    original_version=original,
                )
            )
        super().__setstate__(state)
